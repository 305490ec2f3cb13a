# Seed section 10: quick function cheatsheet.
import torch
tensor = torch.arange(6).reshape(2, 3).t()
c = tensor.clone()                 # Copy
d = tensor.contiguous()            # Force contiguous memory
torch.use_deterministic_algorithms(True)
e = tensor.float()                 # Convert to float
f = tensor.to(torch.float32)
print(c.is_contiguous(), d.is_contiguous(), e.dtype, f.dtype, torch.equal(e, f))
print(d)
