import torch
print(torch.ones(2)
x = 1
