import torch
x = torch.arange(6).reshape(2, 3).t()
v = x.view(6)
