# Seed section 11: small FAQ.
import torch
# Q: Why did my .view() fail with "view size is not compatible"?
x = torch.arange(12).reshape(3, 4).t()
try:
    x.view(12)
except RuntimeError as e:
    print("view failed:", e)
print(x.contiguous().view(12))
print(x.reshape(12))
# Q: Why does boolean masking return a 1D tensor? If you need indices, use .nonzero()
m = torch.tensor([[1, -2], [-3, 4]])
print(m[m > 0])
print((m > 0).nonzero())
