# Seed section 4: comparisons — ==, torch.equal, torch.allclose.
import torch
a = torch.tensor([1., 2., 3.])
b = torch.tensor([1., 2.0000001, 3.])
print(a == b)                 # elementwise -> tensor([True, False, True])
print(torch.equal(a, b))      # False (exact compare)
print(torch.allclose(a, b))   # True (within tolerance)

# check: float32 cannot tell 2.0000001 from 2.0, so PyTorch prints all True
# above; a difference float32 can represent shows the intended behavior
c = torch.tensor([1., 2.001, 3.])
print(a == c, torch.equal(a, c), torch.allclose(a, c), torch.allclose(a, c, atol=1e-2))
print(torch.equal(a, a.clone()), torch.equal(a, a[:2]))
assert torch.allclose(a, b)
