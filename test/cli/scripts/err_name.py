import torch
t = torch.ones(3)
print(t.sum())
for i in range(2):
    total = t.sum() + undefined_total
