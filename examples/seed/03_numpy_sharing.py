# Seed section 3: NumPy <-> PyTorch shared memory.
import torch
import numpy as np
arr = np.arange(5)
t = torch.from_numpy(arr)
arr[0] = 99
print(t)  # shows the change
