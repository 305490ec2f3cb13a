# Seed section 7: moving tensors between devices.
import torch
device = torch.device("cuda:0" if torch.cuda.is_available() else "cpu")
t = torch.rand(1000)
t_gpu = t.to(device)  # non_blocking=True only when using pinned memory

# check: on a machine without CUDA this stays on the CPU
print(t_gpu.shape, t_gpu.dtype)
print(torch.equal(t_gpu.cpu(), t))
