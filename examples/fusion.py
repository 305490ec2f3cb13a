# A small pipeline for `tensorc ir/kernels/codegen/dot/bench`: broadcasting,
# an elementwise chain, a reduction and a softmax, realized by one print.
import torch

torch.manual_seed(0)
x = torch.rand(64, 256)
w = torch.arange(256.0) / 256
y = torch.relu(x * w + 0.25) - 0.5       # elementwise chain: fuses
s = y.abs().sum(dim=1, keepdim=True)     # a reduction of the chain
p = torch.softmax(y / s, dim=1)          # reductions + epilogue
print(p.shape, p.dtype)
print((p.sum(dim=1) - 1).abs().max() < 1e-5)
