# Seed section 2: advanced indexing (slices, boolean masks, fancy indexing).
import torch
M = torch.arange(1,13).reshape(3,4)
# M =
# tensor([[ 1,  2,  3,  4],
#         [ 5,  6,  7,  8],
#         [ 9, 10, 11, 12]])

# Basic slice:
print(M[1, :])        # second row -> tensor([5,6,7,8])

# Column selection:
print(M[:, 2])        # third column -> shape (3,)

# Fancy indexing (select rows 0 and 2):
print(M[[0,2], :])    # shape (2,4)

# Boolean mask:
mask = M % 2 == 0     # even numbers
print(M[mask])        # 1D tensor of even elements

# Preserve dims using slice:
x = M[0:1, :]         # shape (1,4)  (useful to preserve batch dim)

# check: shapes, and copy versus view
print(x.shape, M[0].shape, M[:, 2].shape)
print(mask)
rows = M[[0, 2], :]
rows[0, 0] = 100      # fancy indexing returned a copy
print(M[0, 0].item())
row = M[0:1, :]
row[0, 0] = 100       # a slice is a view
print(M[0, 0].item())
print(M[-1], M[..., -1], M[1:, ::2])
