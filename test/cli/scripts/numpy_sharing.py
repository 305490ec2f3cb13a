# NumPy <-> PyTorch memory sharing (seed sections 3 and 10): torch.from_numpy
# and Tensor.numpy() alias one buffer, writes through either side show on the
# other; copies (np.copy, .copy(), .clone(), torch.tensor) break the sharing.
import numpy as np
import torch

# from_numpy, then writes through the array
arr = np.arange(5)
t = torch.from_numpy(arr)
arr[0] = 99
print(t)
arr[2:4] = [7, 8]
arr += 1
print(t, t.dtype)
arr[arr > 50] = 0
print(t)
arr[[0, 1]] = np.array([-1, -2])
arr *= 2
print(t)
v = arr[1:3]  # a view of the array is a view of the tensor too
v[0] = 1000
print(arr, t)

# numpy(), then writes through the tensor
t2 = torch.ones(3)
n2 = t2.numpy()
print(repr(n2))
t2[1] = 5
print(n2)
t2.add_(1)
print(n2)
t2.mul_(2)
t2 += 1
print(n2)
n2[2] = -1.5
print(t2)
m = torch.arange(6).reshape(2, 3)
mn = m.numpy()
m[1, 1] = 40
m.t()[0, 1] = 30
print(mn)

# copies break the sharing
a = np.arange(4)
ta = torch.from_numpy(a)
c = a.copy()
c[0] = 123
c2 = np.copy(a)
c2[1] = 123
cl = ta.clone()
cl[2] = 123
tt = torch.tensor(a)
tt[3] = 123
print(a, ta, c, c2, cl, tt)
na = np.array(t2)
na[0] = 0
print(t2)

# as_tensor and asarray share when they can
s = torch.as_tensor(a)
s[0] = 42
print(a)
f = torch.as_tensor(a, dtype=torch.float32)
f[1] = 42
print(a, f)
na = np.asarray(t2)
na[0] = 0.5
print(t2)
print(np.asarray(a) is a, np.array(a) is a)

# the seed's pitfall: convert before mean
print(torch.from_numpy(np.arange(3, dtype=np.int64)).float().mean())
