import numpy as np
import torch
print(torch.from_numpy(np.array([1.5, 2.5])))
t = torch.from_numpy([1, 2])
