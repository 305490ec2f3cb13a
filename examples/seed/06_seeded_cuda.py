# Seed section 6: seeded randomness on CPU and CUDA.
# tensorc: requires cuda
import torch
torch.manual_seed(42)
a = torch.rand(3,3)

torch.cuda.manual_seed_all(42)
b = torch.rand(3,3, device='cuda')  # reproducible across runs when seed used

# check
print(a.shape, b.shape, b.device)
