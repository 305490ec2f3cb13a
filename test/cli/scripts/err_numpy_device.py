# Seed section 9: `print(array, array.device)` is invalid for NumPy arrays,
# `.device` is a tensor attribute. (Expected output from NumPy 1.26; NumPy 2.0
# added ndarray.device, which is "cpu".)
# tensorc: expected from numpy<2
import numpy as np
import torch
array = np.arange(3)
print(array, torch.from_numpy(array).device)
print(array, array.device)
