# Seed section 8: argmax / argmin — flattened indices to coordinates.
import torch
res = torch.tensor([[1,9,3],[4,6,2]])
flat_idx = res.argmax()
row, col = divmod(flat_idx.item(), res.shape[1])
print(row, col)

# If torch.unravel_index available:
# coords = torch.unravel_index(flat_idx, res.shape)

# check: the commented call, and the other direction
coords = torch.unravel_index(flat_idx, res.shape)
print(coords)
print(flat_idx, res.argmin(), res.argmax(dim=1), res.argmin(dim=0))
print(res[coords], res[row, col].item() == res.max().item())
