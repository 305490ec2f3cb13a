"""test_abi.py — the extension is built once against CPython's stable ABI
(abi3, Py_LIMITED_API 3.9): its file is tensorc.abi3.so, and the same file
imports and computes in every other CPython 3.9+ found on this machine
(python3.9 ... python3.14 on PATH or installed by pyenv; each one found
is tried, none is required)."""
import glob
import os
import shutil
import subprocess

import pytest

import tensorc



def find_pythons():
    """python3.X executables: on PATH (not pyenv's shims, which answer only
    for the selected versions), and pyenv's installed versions."""
    found = {}
    root = os.environ.get("PYENV_ROOT", os.path.expanduser("~/.pyenv"))
    for v in ("3.9", "3.10", "3.11", "3.12", "3.13", "3.14"):
        exe = shutil.which(f"python{v}")
        if exe and "/shims/" not in exe:
            found[v] = exe
        else:
            for cand in sorted(glob.glob(os.path.join(root, "versions", f"{v}.*", "bin", f"python{v}"))):
                found[v] = cand
    return found


pythons = find_pythons()
others = sorted(pythons)


def test_the_module_is_an_abi3_build():
    assert os.path.basename(tensorc.__file__) == "tensorc.abi3.so"


@pytest.mark.parametrize("version", others or ["none"])
def test_the_same_build_loads_in_another_python(version):
    if version == "none":
        pytest.skip("no other CPython on PATH")
    exe = pythons[version]
    code = ("import sys, tensorc.torch as torch; t = torch.arange(4.) * 2; "
            "print(sys.version_info[:2], t.sum().item(), t[1:].tolist(), repr(t.shape))")
    env = dict(os.environ, PYTHONPATH=os.path.dirname(tensorc.__file__))
    env.pop("LD_PRELOAD", None)  # a sanitized build needs its own runtime: skip below
    if os.environ.get("TC_TEST_SANITIZED") == "1":
        pytest.skip("sanitized build")
    r = subprocess.run([exe, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip().endswith("12.0 [2.0, 4.0, 6.0] torch.Size([4])")
