# Seed section 3: memory and views — view(), reshape(), contiguous(), clone().
import torch
t = torch.arange(6)            # shape (6,)
v = t.view(2,3)                # view -> shares memory
v[0,0] = 99
print(t)                       # will reflect the change

# Force independent copy
v_copy = v.clone()
v_copy[0,0] = -1
print(t)                       # unchanged

# Non-contiguous example (transpose)
x = torch.arange(6).reshape(2,3).transpose(0,1)  # often non-contiguous
# x.view(...) may fail
xc = x.contiguous().view(3,2)  # make contiguous then view

# check: what the comments describe
print(x.is_contiguous(), xc.is_contiguous())
print(xc)
try:
    x.view(6)
except RuntimeError as e:
    print(e)
print(x.reshape(6))            # reshape copies when it has to
print(v_copy)
