# Indexing: basic views, masks, index lists and tensors; indexed assignment.
import torch
M = torch.arange(12).reshape(3, 4)
print(M[0], M[-1], M[1, 2], M[1][2], M[:, 1], M[1:, 2:], M[::2], M[:, ::3], M[0:1], M[5:], M[-2:, :-1])
print(M[None].shape, M[:, None].shape, M[..., 0], M[1, ...], M[..., None].shape, M[0, None])
print(M[[0, 2]], M[[-1, 0]], M[:, [0, 3]], M[[0, 1], [1, 2]], M[1, [0, 2]], M[[[0, 1], [2, 2]]].shape)
print(M[torch.tensor([2, 0])], M[torch.tensor(1)], M[:, torch.tensor([True, False, False, True])])
print(M[M > 6], M[M % 3 == 0], M[torch.tensor([True, False, True])], M[[True, False, True]].shape)
idx = torch.tensor([[0, 1], [1, 2]])
print(M[idx].shape, M[:, idx].shape, M[idx, 0])
x = torch.zeros(3, 4)
x[0, 0] = 99
x[1] = 7
x[2, 1:3] = torch.tensor([1.5, 2.5])
x[:, 3] = torch.tensor([10., 20., 30.])
print(x)
x[x > 5] = -1
x[x == 0] = torch.tensor(4.)
print(x)
x[[0, 2]] = 3
x[1, [0, 3]] = torch.tensor([8., 9.])
print(x)
y = torch.zeros(2, 3, dtype=torch.int64)
y[:, 1] += 5
y[0] += torch.tensor([1, 2, 3])
y[1, 2] -= 1
print(y)
base = torch.arange(6.)
view = base[1:4]
view *= 10
view[0] = -1
print(base)
w = torch.ones(2, 2)
w.fill_(3)
w[0].zero_()
w.add_(torch.tensor([1., 2.]))
w.mul_(2)
w.clamp_(max=7)
print(w, w.masked_fill(w > 5, 0), w.index_select(1, torch.tensor([1, 0])), w.masked_select(w > 5))
z = torch.arange(4)
z.copy_(torch.tensor([9, 8, 7, 6]))
print(z, z.nonzero().shape, torch.nonzero(z > 7), (z > 7).nonzero(as_tuple=True))
for bad in ["M[3]", "M[0, 4]", "M[:, -5]", "M[0, 0, 0]", "M[[0, 5]]", "M[torch.tensor([True, False])]", "M[1.5]", "M[::-1]"]:
    try:
        eval_result = None
        if bad == "M[3]":
            M[3]
        elif bad == "M[0, 4]":
            M[0, 4]
        elif bad == "M[:, -5]":
            M[:, -5]
        elif bad == "M[0, 0, 0]":
            M[0, 0, 0]
        elif bad == "M[[0, 5]]":
            M[[0, 5]]
        elif bad == "M[torch.tensor([True, False])]":
            M[torch.tensor([True, False])]
        elif bad == "M[1.5]":
            M[1.5]
        else:
            M[::-1]
    except IndexError as e:
        print("IndexError:", e)
    except ValueError as e:
        print("ValueError:", e)
g = torch.zeros(3, 4)
g[[0, 1], [1, 2]] = torch.tensor([5., 6.])
g[torch.tensor([2]), 3] = 7
g[g == 0] = torch.arange(9.)
g[g > 6] += 100
g[:, [0]] = torch.tensor([[-1.], [-2.], [-3.]])
print(g)
h = torch.arange(6).reshape(2, 3)
h[h % 2 == 1] = torch.tensor([10, 30, 50])
print(h)
