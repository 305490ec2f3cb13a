# tensorc: requires cuda
# The loops of loops.py with every tensor on cuda:0 (values as PyTorch on the CPU).
import torch
torch.set_default_device('cuda')
w = torch.ones(2)
for step in range(40):
    s = w.sum()
    w = w - 0.25 * s
    s.item()
print(w)
y = torch.zeros(1000)
for i in range(300):
    y = y + i
    v = y.sum().item()
print(v)
u = torch.zeros(32)
u[0] = 1.0
u[-1] = 3.0
for step in range(200):
    u[1:-1] = (u[:-2] + u[2:]) * 0.5
print(round(u.sum().item(), 3))
b = torch.zeros(20000)
b[torch.arange(0, 20000, 2)] = 1.5
mask = torch.arange(20000) % 3 == 0
b[mask] = torch.arange(6667) * 1.0
print(b[:7], int(b.double().sum().item()))
t = torch.zeros(3, 4)
t[[0, 2, 0]] = torch.tensor([[1.0, 2.0, 3.0, 4.0]])
t.index_put_((torch.tensor([1, 1, 1]),), torch.tensor([[1.0, 1.0, 1.0, 1.0]]), accumulate=True)
print(t)
