# Views and movement: view, reshape, permute, transpose, expand, repeat...
import torch
t = torch.arange(24)
v = t.view(2, 3, 4)
print(v.shape, v.stride(), v.is_contiguous(), v.dim(), v.ndim, v.numel(), len(v), v.storage_offset())
print(t.view(-1, 6).shape, t.reshape(4, -1).shape, t.view(2, 12).view(24).shape, v.view(6, 4)[1])
p = v.permute(2, 0, 1)
print(p.shape, p.stride(), p.is_contiguous(), p.contiguous().is_contiguous(), p.contiguous().stride())
print(v.transpose(0, 2).shape, v.transpose(1, 2)[0], v.swapaxes(0, 1).shape, torch.transpose(v, 0, 1).shape)
m = torch.arange(6).reshape(2, 3)
print(m.T, m.t(), m.mT, m.T.stride(), torch.t(m).shape)
print(m.unsqueeze(0).shape, m.unsqueeze(-1).shape, m[None].shape, torch.ones(1, 3, 1).squeeze().shape, torch.ones(1, 3, 1).squeeze(0).shape)
print(v.flatten().shape, v.flatten(1).shape, v.flatten(0, 1).shape, torch.flatten(v).shape)
print(m.narrow(1, 1, 2), m.narrow(0, 1, 1).shape, v[0].storage_offset(), v[1, 2].storage_offset())
e = torch.tensor([[1], [2]]).expand(2, 3)
print(e, e.stride(), torch.tensor([1, 2]).expand(3, -1), torch.tensor([5]).expand_as(m))
print(torch.tensor([1, 2]).repeat(3), torch.tensor([1, 2]).repeat(2, 2), m.repeat(1, 2))
print(m.reshape_as(torch.zeros(3, 2)), m.view_as(torch.zeros(6)))
print(torch.cat([m, m]), torch.cat([m, m * 10], dim=1), torch.cat((m, m), -1).shape)
print(torch.stack([m, m]).shape, torch.stack([torch.tensor([1, 2]), torch.tensor([3, 4])], dim=1))
x = torch.arange(6).reshape(2, 3).transpose(0, 1)
try:
    x.view(6)
except RuntimeError as err:
    print("RuntimeError:", err)
for bad in [(7,), (4, -1), (-1, -1)]:
    try:
        t.view(*bad)
    except RuntimeError as err:
        print("RuntimeError:", err)
rows = [row.sum().item() for row in m]
print(rows, [r.tolist() for r in m], list(m.shape))
