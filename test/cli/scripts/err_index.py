import torch
M = torch.arange(12).reshape(3, 4)
print(M[1])
print(M[1, 7])
