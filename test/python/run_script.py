"""run_script.py SCRIPT — runs a PyTorch script on tensorc: `import torch`
gives tensorc.torch (tensorc.install_as_torch), then the script runs as
__main__ from its own folder, as `python3 SCRIPT` would run it with PyTorch.
An uncaught exception prints Python's traceback and exits 1."""
import os
import runpy
import sys

import tensorc

tensorc.install_as_torch()
path = os.path.abspath(sys.argv[1])
os.chdir(os.path.dirname(path))
sys.argv = sys.argv[1:]
runpy.run_path(path, run_name="__main__")
