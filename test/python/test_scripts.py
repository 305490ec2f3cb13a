"""test_scripts.py — the CLI suite's PyTorch scripts (examples/seed/*.py, one
per section of the seed document, and test/cli/scripts/*.py) run by CPython
on tensorc.torch, in this process, fused and eager. Each script's stdout
must equal its checked-in .out (made by PyTorch); a script with a .err must
raise, and the exception's last traceback line ("Type: message") must equal
the .err's. After each script every tensor it made is freed (the context's
live-handle count is back where it was).

Skipped: scripts that need CUDA when there is none, and scripts whose
expected output is NumPy 1.x's when NumPy is 2 or later."""
import contextlib
import gc
import glob
import io
import os
import runpy
import sys

import numpy as np
import pytest

import tensorc

tensorc.install_as_torch()
import torch  # noqa: E402  (tensorc.torch)

from conftest import root  # noqa: E402

scripts = sorted(glob.glob(os.path.join(root, "examples", "seed", "*.py")) +
                 glob.glob(os.path.join(root, "test", "cli", "scripts", "*.py")))


def last_line(text):
    lines = [l for l in text.splitlines() if l.strip()]
    return lines[-1] if lines else ""


@pytest.mark.parametrize("mode", ["fused", "eager"])
@pytest.mark.parametrize("path", scripts, ids=[os.path.relpath(p, root) for p in scripts])
def test_script_prints_what_pytorch_prints(path, mode):
    src = open(path).read()
    if "# tensorc: requires cuda" in src and not torch.cuda.is_available():
        pytest.skip("needs CUDA")
    if "# tensorc: expected from numpy<2" in src and int(np.__version__.split(".")[0]) >= 2:
        pytest.skip("expected output is NumPy 1.x's")
    base = path[:-3]
    want_out = open(base + ".out").read()
    want_err = last_line(open(base + ".err").read()) if os.path.exists(base + ".err") else None
    gc.collect()
    live = tensorc.live_tensors()
    out = io.StringIO()
    cwd = os.getcwd()
    tensorc.set_eager(mode == "eager")
    err = None
    try:
        os.chdir(os.path.dirname(path))
        with contextlib.redirect_stdout(out):
            runpy.run_path(path, run_name="__main__")
    except Exception as e:  # the script's own uncaught exception
        msg = e.msg if isinstance(e, SyntaxError) else str(e)
        err = f"{type(e).__name__}: {msg}" if msg else type(e).__name__
        del e
    finally:
        os.chdir(cwd)
        tensorc.set_eager(False)
        torch.set_default_dtype(torch.float32)
        torch.set_default_device(None)
        sys.last_value = sys.last_traceback = None
    assert out.getvalue() == want_out
    assert err == want_err
    gc.collect()
    assert tensorc.live_tensors() == live
