"""conftest.py — the pytest suite of the tensorc extension (test/python).

The extension is found through PYTHONPATH (ctest sets it to the build's
python/ folder), else in ../../build/python, else installed (pip install .).
PyTorch is never imported here: expected values were made with PyTorch by
gen_expected.py and checked in (expected.json), and the script tests compare
with the CLI suite's checked-in outputs, also PyTorch's.

TC_TEST_SANITIZED=1 (the ASan build's ctest entry) shrinks the long loops.
"""
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(os.path.dirname(here))
try:
    import tensorc  # noqa: F401
except ImportError:
    sys.path.insert(0, os.path.join(root, "build", "python"))
    import tensorc  # noqa: F401

SANITIZED = os.environ.get("TC_TEST_SANITIZED") == "1"


def run_on_cuda(script):
    """Runs `script` in a new Python on CUDA: the GPU, or without one the
    emulated device (its compiler preloaded); skips the calling test where
    neither is there or under the sanitizers. The script prints "ok"."""
    import subprocess
    import pytest
    import tensorc.torch as torch
    if SANITIZED:
        pytest.skip("sanitized build")
    build = os.path.dirname(os.path.dirname(tensorc.__file__))
    emu = os.path.join(build, "libtensorc_cuda_emu.so")
    env = dict(os.environ, PYTHONPATH=os.path.dirname(tensorc.__file__))
    if not torch.cuda.is_available() or os.environ.get("TC_CUDA_EMULATE") == "1":
        if not os.path.exists(emu):
            pytest.skip("no CUDA and no emulator")
        env.update(LD_PRELOAD=emu, TC_CUDA_EMULATE="1")
    r = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=300)
    assert r.returncode == 0 and r.stdout.strip() == "ok", r.stderr
