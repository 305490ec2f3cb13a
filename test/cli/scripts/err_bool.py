import torch
mask = torch.tensor([True, False])
if mask:
    print("ambiguous")
