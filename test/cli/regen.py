#!/usr/bin/env python3
"""regen.py — remake the expected outputs of the CLI script suite.

usage: test/cli/regen.py TENSORC [SCRIPT.py ...]   (default: every script)

For each script (examples/seed/*.py, test/cli/scripts/*.py), run from its
own directory:
  - python3 with PyTorch runs it; its stdout becomes NAME.out. Expected
    outputs come from PyTorch, never from tensorc.
  - when Python fails, the script is an error test: NAME.err is the
    stderr of `tensorc run` (CPython's traceback, without PyTorch's own
    Python frames, which tensorc.torch has none of), and regen checks that
    its last line — "Type: message" — is exactly Python's last line.
  - when Python succeeds but writes to stderr (a SyntaxWarning, a NumPy
    RuntimeWarning), that stderr becomes NAME.warn, which tensorc's must
    equal.
In both, the script's folder is taken out of paths ("/.../x.py" -> "x.py"),
as test/cli/run_scripts.sh does with tensorc's stderr.
Scripts marked "# tensorc: requires cuda" that Python cannot run here keep
their hand-written NAME.out; so do scripts marked "# tensorc: expected from
numpy<2" when python3's NumPy is 2 or later (run regen.py with a Python whose
NumPy is 1.x, e.g. a venv with `pip install "numpy<2"`, to remake them).
"""
import os
import subprocess
import sys

root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def last_line(text):
    lines = [l for l in text.splitlines() if l.strip()]
    return lines[-1] if lines else ""


def numpy_major():
    py = subprocess.run([sys.executable, "-c", "import numpy; print(numpy.__version__)"], capture_output=True, text=True)
    return int(py.stdout.split(".")[0]) if py.returncode == 0 else 0


def regen(tensorc, path):
    d, name = os.path.split(os.path.abspath(path))
    base = os.path.join(d, name[:-3])
    src = open(path).read()
    if "# tensorc: expected from numpy<2" in src and numpy_major() >= 2:
        print(f"keep {path}: its expected output is NumPy 1.x's, python3 has NumPy 2")
        return True
    py = subprocess.run([sys.executable, name], cwd=d, capture_output=True, text=True)
    if py.returncode != 0 and "requires cuda" in src and "NVIDIA" in py.stderr:
        print(f"keep {path}: needs CUDA, which python3 cannot use here")
        return True
    with open(base + ".out", "w") as f:
        f.write(py.stdout)
    real = os.path.realpath(d) + "/"
    if py.returncode == 0:
        if os.path.exists(base + ".err"):
            os.remove(base + ".err")
        warn = py.stderr.replace(real, "")
        if warn:
            with open(base + ".warn", "w") as f:
                f.write(warn)
        elif os.path.exists(base + ".warn"):
            os.remove(base + ".warn")
        print(f"ok   {path}" + (" (with warnings)" if warn else ""))
        return True
    if os.path.exists(base + ".warn"):
        os.remove(base + ".warn")
    tc = subprocess.run([tensorc, "run", name], cwd=d, capture_output=True, text=True)
    want, got = last_line(py.stderr), last_line(tc.stderr)
    with open(base + ".err", "w") as f:
        f.write(tc.stderr.replace(real, ""))
    if want != got:
        print(f"DIFF {path}:\n  python3: {want}\n  tensorc: {got}")
        return False
    print(f"err  {path}: {want}")
    return True


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    tensorc = os.path.abspath(sys.argv[1])
    scripts = sys.argv[2:]
    if not scripts:
        for sub in ("examples/seed", "test/cli/scripts"):
            p = os.path.join(root, sub)
            scripts += sorted(os.path.join(p, f) for f in os.listdir(p) if f.endswith(".py"))
    ok = all([regen(tensorc, s) for s in scripts])
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
