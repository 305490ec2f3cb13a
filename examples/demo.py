"""demo.py — tensorc from Python: PyTorch's API (import tensorc.torch as
torch), lazy and fused, sharing memory with NumPy.

    PYTHONPATH=build/python python3 examples/demo.py     (scripts/demo runs it)
"""
import numpy as np

import tensorc
import tensorc.torch as torch

# broadcasting, printed as PyTorch prints
a = torch.tensor([[1.], [2.], [3.]])
b = torch.arange(4.)
print("a + b:\n", a + b, sep="")

# lazy: these ops only record a graph; reading y computes it in one kernel
torch.manual_seed(42)
x = torch.randn(3, 4)
y = (x * b + a).relu() * 0.5 - b
tensorc.reset_stats()
print("y.sum() =", round(y.sum().item(), 4))
print("kernels launched for y.sum():", tensorc.stats()["kernels_launched"])

# indexing, views and writes through them
M = torch.arange(1, 13).reshape(3, 4)
M[:, 0] = 0
print("M[M % 2 == 0]:", M[M % 2 == 0])
print("M.max(dim=1):", M.max(dim=1).values)

# NumPy shares memory both ways, without copies
arr = np.arange(5)
t = torch.from_numpy(arr)
arr[0] = 99
t.add_(1)
print("from_numpy:", t, "array:", arr)

# errors are PyTorch's exceptions with PyTorch's messages
try:
    torch.ones(2, 3) + torch.ones(3, 2)
except RuntimeError as e:
    print("RuntimeError:", e)
