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
