import torch
a = torch.arange(12.0).reshape(3, 4)
b = (a * 2 + 1).sum(dim=0)
print(b)
c = torch.relu(a - b) / 3
print(c.sum())
