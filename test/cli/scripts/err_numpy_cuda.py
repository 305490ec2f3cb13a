# Seed section 7: a CUDA tensor must be moved to the CPU before .numpy().
# tensorc: requires cuda
import torch
a = torch.arange(4, device="cuda")
print(a.cpu().numpy(), a.cpu().numpy().dtype)
b = a.cuda().float() * 2
print(b.cpu().numpy())
print(b.numpy())
