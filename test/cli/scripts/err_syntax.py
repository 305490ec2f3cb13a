import torch
t = torch.ones(3)
print(t)
x = = 2
