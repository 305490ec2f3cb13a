# An elementwise chain over 4M floats and a sum: one fused kernel, against
# seven kernels and six temporaries eager (`tensorc bench examples/chain.py`).
import torch

torch.manual_seed(0)
x = torch.rand(4096, 1024)
y = ((x * 2 + 1).relu() - 0.5).abs().sqrt() / 3
print(y.shape, bool(y.sum() > 0))
