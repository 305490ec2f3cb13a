# Loops as programs write them: a value read back every step, a Python
# scalar that changes every step, a lazy chain kept across steps, in-place
# updates through slices, indexed and masked writes of many positions.
import torch

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

x = torch.linspace(-1, 1, 64)
w = torch.zeros(64)
for step in range(100):
    lr = 0.5 / (1 + step)
    loss = ((w * x - 2 * x) ** 2).mean()
    grad = (2 * (w * x - 2 * x) * x).mean()
    w = w - lr * grad
    if step % 25 == 0:
        print(step, round(loss.item(), 4))
print(round(w[0].item(), 4))

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
print(t)
