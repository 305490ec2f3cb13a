# Seed section 6: determinism switches.
import torch
torch.use_deterministic_algorithms(True)    # raise on non-deterministic ops
torch.backends.cudnn.deterministic = True
torch.backends.cudnn.benchmark = False

# check: the switches read back; a seed gives the same numbers again
print(torch.are_deterministic_algorithms_enabled())
print(torch.backends.cudnn.deterministic, torch.backends.cudnn.benchmark)
torch.manual_seed(42)
a = torch.rand(3,3)
torch.manual_seed(42)
b = torch.rand(3,3)
print(torch.equal(a, b), a.shape, a.dtype)
print(bool(((a >= 0) & (a < 1)).all()))
