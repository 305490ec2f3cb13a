# Assorted PyTorch semantics scripts rely on.
import torch
import math
import torch.nn.functional as F
from torch import tensor, float64 as f64

a = torch.tensor([[1., 2., 3.], [4., 5., 6.]])
print(torch.tensor([1, 2]) / torch.tensor([2, 2]), torch.tensor(3) * 2.5, torch.tensor([1, 2]) @ torch.tensor([3, 4]))
print((a > 1) & (a < 5), (a > 5) | (a < 2), a.unsqueeze(1).shape, (a.unsqueeze(1) - a).shape, torch.arange(10)[2:8:3])
print(a.mean(dim=0), a.max().item(), round(a.std().item(), 3), len(a.shape), a.shape == torch.Size([2, 3]), a.shape == (2, 3))
print(a.dtype == torch.float32, str(a.device) == "cpu", a.device == torch.device("cpu"), torch.zeros(3).to(torch.int64) + 1)
print(torch.max(a, a.flip if False else a * 0 + 3), a.view(3, -1).sum(1), a.t().contiguous().view(-1))
print(tensor([1, 2], dtype=f64), F.softmax(a, dim=1).sum(dim=1), F.relu(a - 3), F.gelu(torch.zeros(2)), math.sqrt(16), math.pi)
print(torch.exp(torch.tensor([0., 1.])), torch.log(torch.tensor([1., 4.])), torch.sin(torch.tensor([0.])), torch.tensor([-1.5]).abs())
s = 0
for row in a:
    for v in row:
        s += v.item()
print(s, sum(r.sum() for r in a), [round(x, 1) for x in a[0].tolist()])
b = a.clone()
b[b > 3] *= 10
b[:, 0] = b[:, 0] + 100
print(b, a)
t = torch.arange(6).reshape(2, 3)
t2 = t
t2 += 1
print(t, t is t2)
t3 = t
t3 = t3 + 1
print(t, t3)
c = torch.ones(2, 2, dtype=torch.int32)
c *= 3
print(c, c.dtype)
print(torch.tensor([2.5, 3.5]).round(), torch.tensor([0.1, 0.2]).sum(), torch.tensor([1e10, 1.0]) + 1)
print(torch.full((2, 2), float("nan")).isnan().all(), torch.tensor([float("inf")]) * 0)
print(a.sum(dim=-1), a.amax(dim=(0, 1)), a.argmax(dim=-1), a.softmax(-1).argmax(1), a.T.argmax(0))
print(torch.where(torch.tensor([True, False]), torch.tensor([1, 2]), torch.tensor([10, 20])))
print(torch.tensor([[1, 2], [3, 4]]).flatten().tolist(), torch.eye(2).bool(), ~torch.eye(2).bool())
print(list(map(int, [1.5, 2.5])) if False else [int(x) for x in [1.5, 2.5]], 7 // 2 * 2, (-7) // 2, 2 ** 3 ** 2)
print(torch.tensor([1, 2, 3])[torch.tensor([True, False, True])].sum().item() == 4)
