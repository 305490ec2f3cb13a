# Seed section 5: dtype mapping and pitfalls when converting from NumPy.
import numpy as np, torch
a = np.arange(3, dtype=np.int64)
t = torch.from_numpy(a)
print(t.dtype)   # torch.int64
print(t.float().mean())  # convert to float before mean
