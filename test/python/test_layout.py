"""test_layout.py — PyTorch's layouts after op chains (cases_layout.py):
every step's shape, strides, storage offset and is_contiguous, and the
final values' checksum, against what PyTorch gave (expected_layout.json)."""
import json
import os

import pytest

import tensorc.torch as torch
import cases_layout

here = os.path.dirname(os.path.abspath(__file__))
expected = json.load(open(os.path.join(here, "expected_layout.json")))


@pytest.mark.parametrize("i", list(range(cases_layout.NCHAINS)) +
                         [f"o{j}" for j in range(cases_layout.NORDER)])
def test_layout_chain(i):
    want = expected[str(i)]
    got = cases_layout.run(torch, i)
    if "raises" in want or "raises" in got:
        assert got == want
        return
    for g, w in zip(got["steps"], want["steps"]):
        assert g == w, f"chain {i}: {[s[0] for s in want['steps']]}"
    assert len(got["steps"]) == len(want["steps"])
    assert got["dtype"] == want["dtype"]
    # softmax's values are not integers: float32's tolerance
    assert got["checksum"] == pytest.approx(want["checksum"], rel=1e-5, abs=1e-5), f"chain {i}: values"
