"""cases_layout.py — PyTorch's layouts (shape, strides, storage offset,
is_contiguous) after chains of ops, as a user chains them: views of every
kind (transposes, permutes, slices with steps, narrow, select, unsqueeze,
squeeze, expand, unfold, view/reshape), elementwise ops over views
(TensorIterator's output layout, broadcasting, Python scalars), casts,
*_like factories, clone and contiguous; and (chain_order) sorts (a dense
input's strides), topk/kthvalue/median/mode, scans and reductions along a
dim (contiguous). Each chain is drawn from its own
seeded random.Random, with choices made from the current shape only, so
PyTorch and tensorc run the same chain.

`python3 cases_layout.py` (with real PyTorch) writes expected_layout.json;
test_layout.py compares every chain's every step, and a checksum of the
final values (the ops keep integer values, so it is exact)."""
import random

NCHAINS = 2000
NORDER = 600  # chains with sorts, order statistics, scans, reductions


def _dims(rng, x):
    return rng.randrange(x.dim()) if x.dim() else 0


def _view_op(rng, x, torch):
    nd = x.dim()
    k = rng.randrange(12)
    if nd == 0:
        return "unsqueeze(0)", x.unsqueeze(0)
    if k == 0 and nd >= 2:
        a, b = rng.sample(range(nd), 2)
        return f"transpose({a},{b})", x.transpose(a, b)
    if k == 1:
        p = list(range(nd))
        rng.shuffle(p)
        return f"permute{tuple(p)}", x.permute(*p)
    if k == 2:
        d = _dims(rng, x)
        n = x.shape[d]
        start = rng.randrange(-n - 1, n + 2)
        stop = rng.choice([None, rng.randrange(-n - 1, n + 2)])
        step = rng.choice([1, 1, 2, 3])
        idx = (slice(None),) * d + (slice(start, stop, step),)
        return f"[{':, ' * d}{start}:{stop}:{step}]", x[idx]
    if k == 3 and x.shape[_d := _dims(rng, x)] > 0:
        d = _d
        n = x.shape[d]
        s = rng.randrange(n)
        ln = rng.randrange(n - s + 1)
        return f"narrow({d},{s},{ln})", x.narrow(d, s, ln)
    if k == 4 and x.shape[_d := _dims(rng, x)] > 0:
        d = _d
        i = rng.randrange(-x.shape[d], x.shape[d])
        return f"select({d},{i})", x.select(d, i)
    if k == 5 and nd < 6:
        d = rng.randrange(-nd - 1, nd + 1)
        return f"unsqueeze({d})", x.unsqueeze(d)
    if k == 6:
        d = _dims(rng, x)
        return f"squeeze({d})", x.squeeze(d)
    if k == 7 and nd < 6:
        lead = rng.choice([[], [1], [2], [1, 2], [2, 1]])
        shape = lead + [s if s != 1 else rng.choice([1, 3]) for s in x.shape]
        return f"expand{tuple(shape)}", x.expand(*shape)
    if k == 8:
        d = _dims(rng, x)
        n = x.shape[d]
        size = rng.randrange(n + 1)
        step = rng.choice([1, 2])
        return f"unfold({d},{size},{step})", x.unfold(d, size, step)
    if k == 9:
        return "reshape(-1)", x.reshape(-1)
    if k == 10 and x.is_contiguous() and nd >= 1 and x.numel() > 0:
        return "view(-1)", x.view(-1)
    if k == 11 and nd >= 2:
        return "t" if nd == 2 else "mT", x.t() if nd == 2 else x.mT
    return "view_as", x.view_as(x) if x.is_contiguous() else x


def _compute_op(rng, x, torch):
    k = rng.randrange(16)
    if k == 0:
        return "+1", x + 1
    if k == 1:
        return "*2", x * 2
    if k == 2:
        return "neg", -x
    if k == 3:
        return "abs", x.abs()
    if k == 4:
        return "x+x", x + x
    if k == 5 and x.dim() >= 1:
        # a broadcast operand: x's last dims, contiguous
        m = rng.randrange(x.dim() + 1)
        tail = list(x.shape[m:])
        n = 1
        for s in tail:
            n *= s
        o = torch.arange(n, dtype=torch.float32).reshape(tail)
        return f"x+c{tuple(o.shape)}", x + o if rng.random() < 0.5 else o + x
    if k == 6 and x.dim() >= 2:
        a, b = rng.sample(range(x.dim()), 2)
        y = x.transpose(a, b).contiguous().transpose(a, b)
        return f"x*y.transpose({a},{b})", x * y
    if k == 7:
        return "relu", torch.relu(x)
    if k == 8:
        return "maximum(x,-x)", torch.maximum(x, -x)
    if k == 9:
        return "where", torch.where(x > 3, x, -1.0)
    if k == 10:
        return "clamp", x.clamp(1, 20)
    if k == 11:
        dt = rng.choice([torch.float64, torch.int64, torch.int32])
        return f"to({dt})", x.to(dt).to(torch.float32) if rng.random() < 0.3 else x.to(dt)
    if k == 12:
        f = rng.choice(["zeros_like", "ones_like", "empty_like", "full_like"])
        r = getattr(torch, f)(x, 7) if f == "full_like" else getattr(torch, f)(x)
        return f, r.fill_(2) + x if f == "empty_like" else r + x * 0 if rng.random() < 0.5 else r
    if k == 13:
        return "clone", x.clone()
    if k == 14:
        return "contiguous", x.contiguous()
    if k == 15:
        return "x>2", (x > 2)
    return "+0", x + 0


def _order_op(rng, x, torch):
    """sort and its kin, scans, softmax and reductions along a dim; the name and the
    results (values first; indices when the op has them)."""
    if x.dim() == 0:
        return "unsqueeze(0)", (x.unsqueeze(0),)
    d = _dims(rng, x)
    k = rng.randrange(15)
    desc = rng.random() < 0.5
    if k == 0:
        return f"sort({d},{desc})", tuple(x.sort(dim=d, descending=desc, stable=True))
    if k == 1:
        return f"argsort({d},{desc})", (x.argsort(dim=d, descending=desc, stable=True).float(),)
    if k == 2:
        return "msort", (torch.msort(x),)
    if k == 3:
        n = x.shape[d]
        kk = rng.randrange(n + 1)
        r = x.topk(kk, d, largest=desc)
        return f"topk({kk},{d})", (r.values, r.indices)
    if k == 4 and x.shape[d] > 0:
        kk = rng.randrange(1, x.shape[d] + 1)
        r = x.kthvalue(kk, d, keepdim=desc)
        return f"kthvalue({kk},{d},{desc})", (r.values, r.indices)
    if k == 5 and x.shape[d] > 0:
        r = x.median(d, keepdim=desc)
        return f"median({d},{desc})", (r.values, r.indices)
    if k == 6 and x.shape[d] > 0:
        r = x.mode(d, keepdim=desc)
        return f"mode({d},{desc})", (r.values, r.indices)
    if k == 7:
        return f"cumsum({d})", (x.cumsum(d),)
    if k == 8 and x.shape[d] > 0:
        r = x.cummax(d)
        return f"cummax({d})", (r.values, r.indices)
    if k == 9:
        return f"sum({d},{desc})", (x.sum(d, keepdim=desc),)
    if k == 10 and x.shape[d] > 0:
        r = x.max(d, keepdim=desc)
        return f"max({d},{desc})", (r.values, r.indices)
    if k == 11:
        return f"amin({d},{desc})", (x.amin(d, keepdim=desc),)
    if k == 12:
        return f"sort({d}).values+1", (x.sort(d).values + 1,)
    if k == 13:
        f = "log_softmax" if desc else "softmax"
        return f"{f}({d})", (getattr(x, f)(d),)
    return f"nanmedian({d})", (x.nanmedian(d).values,) if x.shape[d] > 0 else (x,)


def _random_shape(rng):
    """A shape of 1 to 4 dims of sizes 1 to 4, and its element count."""
    nd = rng.choice([1, 2, 2, 3, 3, 4])
    shape = [rng.choice([1, 2, 3, 4]) for _ in range(nd)]
    n = 1
    for s in shape:
        n *= s
    return shape, n


def chain_order(torch, i):
    """Like chain, with sorts and their kin among the steps: each step's
    results' layouts (values, then indices)."""
    rng = random.Random(500000 + i)
    shape, n = _random_shape(rng)
    # distinct values in a scrambled order (no ties: every index is defined)
    x = ((torch.arange(n, dtype=torch.float32) * 7) % (n + (n % 7 == 0))).reshape(shape)
    steps = []
    for _ in range(rng.randrange(1, 5)):
        r = rng.random()
        if r < 0.45:
            name, x = _view_op(rng, x, torch)
            rs = (x,)
        elif r < 0.55:
            name, x = _compute_op(rng, x, torch)
            if x.dtype == torch.bool:
                x = x.to(torch.float32)
            rs = (x,)
        else:
            name, rs = _order_op(rng, x, torch)
            x = rs[0]
        steps.append([name] + [[list(t.shape), list(t.stride()), t.storage_offset(), t.is_contiguous()] for t in rs])
    flat = x.reshape(-1).tolist()
    check = sum(float(v) * (j + 1) for j, v in enumerate(flat))
    return {"steps": steps, "checksum": check, "dtype": str(x.dtype)}


def chain(torch, i):
    """Runs chain i; returns its steps' names and layouts, and a checksum of
    the final values."""
    rng = random.Random(1000 + i)
    shape, n = _random_shape(rng)
    x = torch.arange(n, dtype=torch.float32).reshape(shape)
    steps = []
    for _ in range(rng.randrange(1, 6)):
        op = _view_op if rng.random() < 0.55 else _compute_op
        name, x = op(rng, x, torch)
        if x.dtype == torch.bool:
            x = x.to(torch.float32)
            name += ".float()"
        steps.append([name, list(x.shape), list(x.stride()), x.storage_offset(), x.is_contiguous()])
    flat = x.reshape(-1).tolist()
    check = sum(float(v) * (j + 1) for j, v in enumerate(flat))
    return {"steps": steps, "checksum": check, "dtype": str(x.dtype)}


def run(torch, i):
    try:
        if isinstance(i, str):  # "o<n>": chain_order's
            return chain_order(torch, int(i[1:]))
        return chain(torch, i)
    except Exception as e:  # noqa: BLE001 - a refusal is part of the record
        return {"raises": type(e).__name__}


if __name__ == "__main__":
    import json
    import os
    import torch
    out = {str(i): run(torch, i) for i in range(NCHAINS)}
    out.update({f"o{i}": run(torch, f"o{i}") for i in range(NORDER)})
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "expected_layout.json"), "w") as fp:
        json.dump(out, fp, separators=(",", ":"), sort_keys=True)
        fp.write("\n")
