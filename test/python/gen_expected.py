#!/usr/bin/env python3
"""gen_expected.py — remake expected.json from PyTorch.

usage: python3 test/python/gen_expected.py        (needs torch and numpy)

Runs every case of cases.py with the real PyTorch and writes what each one
returns (normalized: tensors as their repr, dtype, shape, device and values;
exceptions as type and message) to expected.json beside this file. The
suite itself never imports PyTorch: it compares tensorc.torch with this
file. Expected values come from PyTorch, never from tensorc.
"""
import json
import os
import sys
import warnings

import numpy as np
import torch

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
import cases  # noqa: E402


def main():
    out = {}
    warnings.simplefilter("ignore")
    for name in sorted(n for n in dir(cases) if n.startswith("case_")):
        torch.set_default_dtype(torch.float32)
        try:
            r = getattr(cases, name)(torch, np)
        except Exception as e:  # the case ends with an exception
            r = e
        out[name] = cases.normalize(r, torch, np)
    out["_generated_with"] = {"torch": torch.__version__, "numpy": np.__version__}
    with open(os.path.join(here, "expected.json"), "w") as f:
        json.dump(out, f, indent=1, sort_keys=True)
        f.write("\n")
    print(f"wrote {len(out) - 1} cases to expected.json (torch {torch.__version__})")


if __name__ == "__main__":
    main()
