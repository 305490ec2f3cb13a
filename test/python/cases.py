"""cases.py — behaviours checked against PyTorch, one function per case.

Each case is `def case_NAME(torch, np)` returning a list of results (tensors,
sizes, dtypes, numbers, strings, arrays, ...). gen_expected.py runs every case
with the real PyTorch and writes what it returns, normalized (normalize), to
expected.json; test_cases.py runs it with tensorc.torch and compares. A case
that raises records the exception's type and message: `raises(f)` inside a
case records one without ending it. Cases stay deterministic (random values
differ: tensorc's Philox stream is not PyTorch's CPU generator).

Sections follow the seed document (shared/seed/advanced_pytorch_topics.md),
then the NumPy/DLPack sharing rules, then Python's protocols and the
exceptions with their messages.
"""


def normalize(x, torch, np):
    if isinstance(x, torch.Tensor):
        return {"tensor": repr(x), "dtype": str(x.dtype), "shape": list(x.shape), "device": str(x.device),
                "values": x.cpu().tolist()}
    if isinstance(x, torch.Size):
        return {"size": list(x), "repr": repr(x)}
    if isinstance(x, (torch.dtype, torch.device)):
        return {"repr": repr(x), "str": str(x)}
    if isinstance(x, np.ndarray):
        return {"ndarray": x.tolist(), "dtype": str(x.dtype), "shape": list(x.shape)}
    if isinstance(x, np.dtype):
        return {"np_dtype": str(x)}
    if isinstance(x, np.generic):
        return x.item()
    if isinstance(x, (list, tuple)):
        return [normalize(v, torch, np) for v in x]
    if isinstance(x, dict):
        return {k: normalize(v, torch, np) for k, v in x.items()}
    if isinstance(x, BaseException):
        return {"raises": type(x).__name__, "message": str(x)}
    return x


def raises(f):
    try:
        f()
    except Exception as e:
        return e
    return "no exception"


# ---- 1. broadcasting ----------------------------------------------------------------

def case_broadcast_scalar_and_column(torch, np):
    t = torch.tensor([1., 2., 3.])
    a = torch.arange(3.).reshape(3, 1)
    b = torch.ones(3, 4)
    return [t + 10, (t + 10).shape, a + b, (torch.ones(2, 1, 4) + torch.ones(3, 1)).shape,
            torch.arange(3) * torch.arange(4).reshape(4, 1)]


def case_broadcast_mismatch_message(torch, np):
    return [raises(lambda: torch.ones(2, 3) + torch.ones(3, 2)),
            raises(lambda: torch.ones(2, 3).add_(torch.ones(4, 2, 3)))]


def case_expand_is_a_view(torch, np):
    c = torch.tensor([[1], [2], [3]])
    e = c.expand(3, 4)
    c[0, 0] = 7
    return [e, e.stride(), e.is_contiguous(), c.expand(-1, 2), raises(lambda: c.expand(2, 4))]


# ---- 2. indexing --------------------------------------------------------------------

def case_basic_and_fancy_indexing(torch, np):
    M = torch.arange(1, 13).reshape(3, 4)
    return [M[1, :], M[:, 2], M[[0, 2], :], M[M % 2 == 0], M[0:1, :].shape, M[-1], M[..., -1], M[1:, ::2],
            M[None, 1].shape, M[:, None, 2].shape, M[torch.tensor([2, 0])], M[[0, 1], [1, 2]],
            M[torch.tensor([[0, 1], [2, 2]])].shape, M[1][2], M[M.sum(1) > 10]]


def case_indexing_copies_and_views(torch, np):
    M = torch.arange(12).reshape(3, 4)
    rows = M[[0, 2]]
    rows[0, 0] = 100
    row = M[0:1]
    row[0, 1] = 200
    col = M[:, 3]
    col += 1000
    return [M, rows]


def case_indexed_assignment(torch, np):
    x = torch.zeros(3, 4)
    x[0] = 1
    x[1, 1:3] = torch.tensor([5., 6.])
    x[:, -1] = torch.arange(3.)
    x[x > 4] = -1
    x[[0, 2], [0, 0]] = torch.tensor([8., 9.])
    x[2, [1, 2]] = 3
    x[torch.tensor([True, False, False])] = 0.5
    y = torch.arange(6)
    y[y % 2 == 1] *= 10
    z = torch.zeros(2, 2, dtype=torch.int64)
    z[0] = torch.tensor([3, 4])
    z[..., 1] = 9
    return [x, y, z]


def case_index_errors(torch, np):
    M = torch.arange(12).reshape(3, 4)
    return [raises(lambda: M[3]), raises(lambda: M[0, 4]), raises(lambda: M[0, 0, 0]),
            raises(lambda: M[torch.tensor([0, 5])]), raises(lambda: M[torch.tensor([0.5])]),
            raises(lambda: M[::-1]), raises(lambda: M[torch.ones(2, 2, dtype=torch.bool)]),
            raises(lambda: torch.tensor(5)[0]),
            raises(lambda: M.__setitem__((slice(None), 0), torch.ones(2)))]


def case_several_ellipses(torch, np):
    # every `...` skips the dims the other items leave: the first takes them,
    # a later one moves past the end (PyTorch's rule; numpy refuses)
    a = torch.arange(24).reshape(2, 3, 4)
    b = torch.arange(120).reshape(2, 3, 4, 5)
    e = a[..., 0, ...]
    w = a.clone()
    w[..., 1, ...] = -1
    w2 = a.clone()
    w2[..., None, ...] = 7
    w3 = a.clone()
    w3[0, ..., torch.tensor([0, 2]), ...] = torch.tensor([5, 6])
    w4 = a.clone()
    w4[..., 0, ...][1] = 0  # a view: the write reaches w4
    return [e, e.stride(), torch.equal(e, a[:, :, 0]), a[..., ...], a[..., None, ...].shape,
            b[..., None, ...].shape, b[..., None, ...].stride(), a[0, ..., ...].shape, a[..., 0, 0, ...],
            a[0, 0, 0, ..., ...], a[0, 0, 0, ..., None, ...], a[..., torch.tensor([0, 3]), ...],
            a[..., torch.tensor([True, False, True, True]), ...], a[..., 1:3, ...], a[..., 0, ..., :],
            a[..., 0, ..., 0:], torch.tensor(5)[..., ..., ...], torch.tensor(5)[..., None, ...],
            w, w2, w3, w4,
            raises(lambda: a[..., 0, ..., 1]), raises(lambda: a[..., 0, ..., -1]),
            raises(lambda: a[..., 0, ..., 1:2]), raises(lambda: a[..., 0, ..., None]),
            raises(lambda: a[..., 0, ..., torch.tensor([0])]), raises(lambda: a[..., 0, ..., 0, 0, 0]),
            raises(lambda: a[..., ..., ..., None]), raises(lambda: w.__setitem__((Ellipsis, 0, Ellipsis, 1), 3))]


# ---- 3. views and copies -----------------------------------------------------------

def case_view_shares_and_clone_copies(torch, np):
    t = torch.arange(6)
    v = t.view(2, 3)
    v[0, 0] = 99
    c = v.clone()
    c[0, 0] = -1
    x = torch.arange(6).reshape(2, 3).transpose(0, 1)
    return [t, c, x.is_contiguous(), x.contiguous().view(3, 2), x.reshape(6), x.t().is_contiguous(),
            v.storage_offset(), t[2:].storage_offset(), x.stride(), x.clone().stride()]


def case_view_error_message(torch, np):
    x = torch.arange(12).reshape(3, 4).t()
    return [raises(lambda: x.view(12)), raises(lambda: torch.arange(6).view(4, 2)),
            raises(lambda: torch.arange(6).reshape(-1, -1))]


def case_movement_ops(torch, np):
    t = torch.arange(24).reshape(2, 3, 4)
    return [t.permute(2, 0, 1).shape, t.transpose(0, 2).shape, t.flatten(1).shape, t.unsqueeze(1).shape,
            t[:, :1].squeeze(1).shape, t.narrow(2, 1, 2), t.unbind(0)[1].shape, [c.shape for c in t.chunk(2, 2)],
            [s.shape for s in t.split([1, 2], 1)], t.repeat(1, 1, 2).shape, t.T.shape, t.mT.shape,
            torch.stack([t[0], t[1]], 1).shape, torch.cat([t, t], -1).shape, t.expand(3, 2, 3, 4).shape]


def case_memory_formats(torch, np):
    x = torch.arange(120.).reshape(2, 3, 4, 5)
    p = x.permute(0, 2, 3, 1)
    cl = x.contiguous(memory_format=torch.channels_last)
    lay = lambda t: [list(t.shape), list(t.stride()), t.is_contiguous(), t.storage_offset()]  # noqa: E731
    fmts = [torch.preserve_format, torch.contiguous_format, torch.channels_last, torch.channels_last_3d]
    v5 = torch.arange(720.).reshape(2, 3, 4, 5, 6)
    return [[repr(f) for f in fmts], [str(f) for f in fmts], type(torch.channels_last).__name__,
            isinstance(torch.channels_last, torch.memory_format), torch.channels_last == torch.channels_last,
            torch.channels_last != torch.contiguous_format,
            lay(cl), cl, lay(x.clone(memory_format=torch.channels_last)), lay(p.clone(memory_format=torch.preserve_format)),
            lay(p.clone(memory_format=torch.contiguous_format)), lay(p.clone()), lay(x.clone(memory_format=None)),
            cl.contiguous(memory_format=torch.channels_last) is cl, x.contiguous(memory_format=torch.preserve_format) is x,
            lay(cl.contiguous()), cl.contiguous(), lay(x.to(memory_format=torch.channels_last)),
            lay(x.to(torch.float64, memory_format=torch.channels_last)), x.to(memory_format=torch.contiguous_format) is x,
            cl.to(memory_format=torch.channels_last) is cl, lay(p.to(torch.float64, memory_format=torch.contiguous_format)),
            lay(p.to(torch.float64, memory_format=torch.preserve_format)), lay(x.cpu(memory_format=torch.channels_last)),
            lay(x.to(copy=True, memory_format=torch.channels_last)),
            [cl.is_contiguous(memory_format=f) for f in fmts[1:]], [x.is_contiguous(memory_format=f) for f in fmts],
            torch.zeros(2, 3, 1, 1).is_contiguous(memory_format=torch.channels_last),
            torch.zeros(2, 0, 4, 5).is_contiguous(memory_format=torch.channels_last),
            torch.zeros(2, 3).is_contiguous(memory_format=torch.channels_last),
            lay(v5.clone(memory_format=torch.channels_last_3d)),
            v5.contiguous(memory_format=torch.channels_last_3d).is_contiguous(memory_format=torch.channels_last_3d),
            lay(torch.zeros(2, 1, 4, 1).clone(memory_format=torch.channels_last)),
            lay(torch.zeros(2, 3, 1, 1).clone(memory_format=torch.channels_last)),
            lay(torch.zeros(2, 0, 4, 5).clone(memory_format=torch.channels_last)),
            lay(x[:, :, ::2].clone(memory_format=torch.channels_last)), x[:, :, ::2].clone(memory_format=torch.channels_last),
            lay(cl[:, :2]), lay(cl + 1), lay(cl.clone()), cl.sum((2, 3)),
            lay(torch.empty_like(x, memory_format=torch.channels_last)),
            lay(torch.zeros_like(x, memory_format=torch.channels_last)), torch.zeros_like(x, memory_format=torch.channels_last),
            lay(torch.ones_like(p, memory_format=torch.contiguous_format)), lay(torch.empty_like(p, memory_format=None)),
            lay(torch.full_like(x, 3, memory_format=torch.channels_last)), torch.full_like(x, 3, dtype=torch.int64,
                                                                                        memory_format=torch.channels_last),
            lay(torch.rand_like(x, memory_format=torch.channels_last)),
            lay(torch.randn_like(x, memory_format=torch.channels_last)),
            lay(torch.empty(2, 3, 4, 5, memory_format=torch.channels_last)),
            lay(torch.empty(2, 0, 4, 5, memory_format=torch.channels_last)),
            lay(torch.empty(2, 3, memory_format=torch.contiguous_format)), lay(torch.empty(2, memory_format=None)),
            raises(lambda: torch.zeros(2, 3, 4).clone(memory_format=torch.channels_last)),
            raises(lambda: torch.zeros(2, 3, 4).contiguous(memory_format=torch.channels_last)),
            raises(lambda: torch.zeros(2, 3, 4).to(memory_format=torch.channels_last)),
            raises(lambda: x.clone(memory_format=torch.channels_last_3d)),
            raises(lambda: torch.zeros_like(torch.zeros(3), memory_format=torch.channels_last)),
            raises(lambda: torch.empty(2, 3, 4, memory_format=torch.channels_last)),
            raises(lambda: torch.empty(2, 3, 4, memory_format=torch.preserve_format)),
            raises(lambda: p.contiguous(memory_format=torch.preserve_format)),
            raises(lambda: torch.zeros(2, 3, 4, 5, memory_format=torch.channels_last)),
            raises(lambda: x.clone(memory_format="channels_last")), raises(lambda: x.clone(memory_format=1)),
            raises(lambda: x.contiguous(memory_format=None)), raises(lambda: x.is_contiguous(memory_format=None)),
            raises(lambda: x.is_contiguous(memory_format="x")), raises(lambda: torch.empty_like(x, memory_format=3)),
            raises(lambda: torch.full_like(x, 1, memory_format="cl")), raises(lambda: torch.empty(2, memory_format="cl")),
            raises(lambda: x.clone(torch.channels_last)), raises(lambda: torch.memory_format())]


def case_base_and_is_view(torch, np):
    # _base is the root tensor itself (x.t()[0]._base is x); None for a new tensor
    x = torch.arange(12.).reshape(3, 4).clone()
    r = torch.arange(12.)
    views = [x.t(), x.t()[0], x[0], x[...], x[:], x.view(12), x.narrow(1, 0, 2), x.unsqueeze(0).squeeze(0),
             x.flatten(), x.diagonal(), x.as_strided((2,), (1,)), x.unfold(1, 2, 1), x.T, x.mT, x.view_as(x),
             x.swapaxes(0, 1), x[1, 2], torch.select(x, 0, 1), x[None], x[1:][0], x.expand(2, 3, 4)]
    fresh = [x.clone(), x + 1, x.t().contiguous(), x[[0, 1]], x[x > 3], x.t().reshape(12), x.sort(0).values,
             x.t().sort(0).indices, x.topk(2).values, x.max(1).values, x.detach(), x.index_select(0, torch.tensor([0])),
             x[True], x[False], torch.from_numpy(np.zeros(3)), x.cumsum(0), x.median(1).values]
    v = x[0]
    v.add_(1)  # a write through the view is seen through _base
    s = x.untyped_storage()
    return [x._base is None, x._is_view(), r.reshape(3, 4)._base is r, [t._base is x for t in views],
            [t._is_view() for t in views], [t._base for t in fresh], [t._is_view() for t in fresh],
            [p._base is x for p in x.split(2)], [p._base is x for p in x.chunk(2, 1)],
            [p._base is x for p in x.unbind()], [p._base is x for p in x.split([1, 2])],
            x.contiguous() is x, x.flatten(1, 1) is x, x.to(torch.float32) is x, v._base is x, v._base[0],
            x[0]._base._base, type(x[0]._base).__name__, torch.arange(6.).reshape(2, 3)[0]._base.shape,
            type(s).__name__, s.nbytes(), len(s), s.size(), s.data_ptr() == x.data_ptr(),
            x[1].untyped_storage().nbytes(), x[1].untyped_storage().data_ptr() == x.data_ptr(),
            x[1].data_ptr() - x.data_ptr(), torch.zeros(3, dtype=torch.int64).untyped_storage().nbytes(),
            torch.zeros(0).untyped_storage().nbytes(), torch.zeros(0).untyped_storage().data_ptr(), s.device]


# ---- 4. comparisons ------------------------------------------------------------------

def case_comparisons(torch, np):
    a = torch.tensor([1., 2., 3.])
    b = torch.tensor([1., 2.0000001, 3.])
    c = torch.tensor([1., 2.001, 3.])
    return [a == b, torch.equal(a, b), torch.allclose(a, b), a == c, torch.equal(a, c), torch.allclose(a, c),
            torch.allclose(a, c, atol=1e-2), torch.isclose(a, c), a < 2, a >= c, 2 > a, a != 2.0,
            torch.equal(a, a[:2]), torch.tensor([1, 2]) == torch.tensor([1.0, 2.5])]


# ---- 5. dtypes and NumPy -------------------------------------------------------------

def case_numpy_dtype_mapping(torch, np):
    out = []
    for name in ["int64", "int32", "int16", "int8", "uint8", "float64", "float32", "float16", "bool"]:
        a = np.zeros(2, dtype=name)
        out.append(str(torch.from_numpy(a).dtype))
        out.append(str(torch.tensor(a).dtype))
        out.append(str(torch.as_tensor(a).dtype))
    return out


def case_dtype_promotion(torch, np):
    i = torch.tensor([1, 2])
    f = torch.tensor([1., 2.])
    return [i + 1, i * 2.5, i / 2, i // 2, f + 1, i + True, torch.tensor([True]) + 1,
            torch.ones(2, dtype=torch.int8) + 1, torch.ones(2, dtype=torch.uint8) + torch.ones(2, dtype=torch.int8),
            torch.ones(2, dtype=torch.float16) + 1.5, torch.ones(2, dtype=torch.float64) * f,
            torch.promote_types(torch.int32, torch.float16), i.float().mean(), i.sum().dtype, i.to(torch.float64)]


def case_mean_of_integers(torch, np):
    return [raises(lambda: torch.arange(3).mean()), torch.arange(3).float().mean()]


# ---- 6. determinism -------------------------------------------------------------------

def case_seed_reproduces(torch, np):
    torch.manual_seed(42)
    a = torch.rand(3, 3)
    torch.manual_seed(42)
    b = torch.rand(3, 3)
    torch.manual_seed(7)
    r = torch.randint(0, 10, (100,))
    n = torch.randn(1000)
    torch.use_deterministic_algorithms(True)
    flags = [torch.are_deterministic_algorithms_enabled()]
    torch.use_deterministic_algorithms(False)
    return [torch.equal(a, b), a.shape, a.dtype, bool(((a >= 0) & (a < 1)).all()), bool((r >= 0).all()),
            bool((r < 10).all()), r.dtype, abs(n.mean().item()) < 0.2, flags]


# ---- 7. devices -----------------------------------------------------------------------

def case_devices(torch, np):
    t = torch.ones(2)
    d = torch.device("cpu")
    return [t.device, d, torch.device("cuda:1"), torch.device("cuda", 0), t.to("cpu") is t, t.cpu() is t,
            t.to(torch.float64).dtype, t.to(d, torch.int32).dtype, t.is_cuda, t.device == torch.device("cpu"),
            str(torch.device("cuda:1")), torch.device("cuda:1").index, torch.device("cpu").type,
            raises(lambda: torch.device("gpu"))]


# ---- 8. argmax / unravel_index -------------------------------------------------------

def case_argmax_unravel(torch, np):
    res = torch.tensor([[1, 9, 3], [4, 6, 2]])
    flat = res.argmax()
    coords = torch.unravel_index(flat, res.shape)
    return [flat, divmod(flat.item(), res.shape[1]), coords, res[coords], res.argmin(), res.argmax(dim=1),
            res.argmin(dim=0, keepdim=True), res.max(), res.max(dim=1), res.min(1).indices,
            torch.max(res, torch.tensor(5))]


# ---- 10. cheatsheet, 11. FAQ ------------------------------------------------------------

def case_cheatsheet_and_faq(torch, np):
    tensor = torch.arange(6).reshape(2, 3).t()
    m = torch.tensor([[1, -2], [-3, 4]])
    return [tensor.clone().is_contiguous(), tensor.contiguous().is_contiguous(), tensor.float().dtype,
            tensor.to(torch.float32).dtype, m[m > 0], (m > 0).nonzero(), (m > 0).nonzero(as_tuple=True),
            torch.where(m > 0, m, 0), torch.where(m > 0)]


# ---- NumPy sharing ----------------------------------------------------------------------

def case_from_numpy_shares_both_ways(torch, np):
    arr = np.arange(5)
    t = torch.from_numpy(arr)
    arr[0] = 99
    first = t.clone()
    t[1] = -1
    t.add_(10)
    t2 = t * 2  # computed now: a later write to arr does not change it
    arr[4] = 0
    return [first, arr, t, t2, t.dtype]


def case_numpy_shares_with_the_tensor(torch, np):
    t = torch.ones(3)
    n = t.numpy()
    t[1] = 5
    t.mul_(2)
    t += 1
    n[2] = -1.5
    m = torch.arange(6).reshape(2, 3)
    mn = m.numpy()
    m.t()[0, 1] = 30
    mt = m.t().numpy()
    return [n, t, mn, mt, mt.flags["C_CONTIGUOUS"], np.asarray(t), n.dtype]


def case_copies_break_sharing(torch, np):
    a = np.arange(4)
    ta = torch.from_numpy(a)
    cl = ta.clone()
    tt = torch.tensor(a)
    at = torch.as_tensor(a)
    c = a.copy()
    a[0] = 50
    cl[1] = -7
    t = torch.zeros(2)
    n = t.numpy().copy()
    t.fill_(3)
    return [ta, cl, tt, at, c, n]


def case_strided_arrays_share(torch, np):
    a = np.arange(12, dtype=np.float32).reshape(3, 4)
    col = torch.from_numpy(a[:, 1])
    tr = torch.from_numpy(a.T)
    step = torch.from_numpy(a[::2, ::3])
    a[0, 1] = -1
    col.mul_(10)
    return [col, tr, tr.stride(), step, a, raises(lambda: torch.from_numpy(a[::-1]))]


def case_from_numpy_errors(torch, np):
    # (PyTorch 2.3+ also takes uint16/32/64 arrays, which tensorc has no
    # dtype for: test_numpy.py checks tensorc's TypeError)
    return [raises(lambda: torch.from_numpy([1, 2])), raises(lambda: torch.from_numpy(np.float64(1.0)))]


def case_numpy_of_float16_and_bool(torch, np):
    h = torch.tensor([1.5, 2.25], dtype=torch.float16)
    b = torch.tensor([True, False])
    hn = h.numpy()
    hn[0] = 4
    return [hn, h, b.numpy(), torch.from_numpy(np.array([0.5], np.float16)) * 2,
            raises(lambda: torch.ones(2, dtype=torch.bfloat16).numpy())]


def case_array_interop_operators(torch, np):
    t = torch.arange(3.)
    a = np.array([10., 20., 30.])
    return [t + torch.from_numpy(a), torch.as_tensor(a) * t, np.asarray(t * 2), torch.tensor(np.float64(1.5)),
            torch.tensor([np.int32(1), np.int32(2)]), torch.tensor([np.float32(1), 2])]


def case_dlpack_both_ways(torch, np):
    t = torch.arange(6, dtype=torch.float32).reshape(2, 3)
    a = np.from_dlpack(t)
    a[0, 0] = 42
    n = np.arange(4, dtype=np.int32)
    u = torch.from_dlpack(n)
    n[1] = -5
    u[2] = 77
    s = torch.from_dlpack(np.arange(6.).reshape(2, 3)[:, 1:])
    return [t, a, u, n, s, s.stride(), t.__dlpack_device__(), torch.from_dlpack(t.__dlpack__())]


# ---- Python's protocols ----------------------------------------------------------------

def case_python_protocols(torch, np):
    t = torch.tensor([[1, 2], [3, 4]])
    s = torch.tensor(2.5)
    return [len(t), [r.tolist() for r in t], list(torch.arange(3)), bool(torch.tensor([1])), int(s), float(s),
            s.item(), t.tolist(), 3 in t, 7 in t, f"{s}", f"{s:.3f}", t.sum().item(), abs(-t), -t, ~(t > 2),
            t.shape[0], t.ndim, t.numel(), t.dim(), t.size(1), t.size(), t.element_size(), t.nbytes,
            t.is_floating_point(), repr(t.dtype), str(t.shape), [1, 2, 3][torch.tensor(1)], t.T.tolist(),
            torch.is_tensor(t), torch.numel(t), t.type(), t.requires_grad, t.grad]


def case_protocol_errors(torch, np):
    t = torch.tensor([[1, 2], [3, 4]])
    return [raises(lambda: bool(t)), raises(lambda: len(torch.tensor(1))), raises(lambda: iter(torch.tensor(1))),
            raises(lambda: int(t)), raises(lambda: t + "a"), raises(lambda: [1][torch.tensor(0.5)]),
            raises(lambda: t.no_such_method), raises(lambda: t @ 2), raises(lambda: t.item()),
            raises(lambda: torch.tensor([[1, 2], [3]])), raises(lambda: torch.tensor([1, "a"]))]


def case_data_ptr(torch, np):
    x = torch.arange(6.).reshape(2, 3)
    p = x.data_ptr()
    before = [x.view(6).data_ptr() == p, x[0, 1:].data_ptr() - p, x[1].data_ptr() - p, x.t().data_ptr() == p,
              x.clone().data_ptr() != p, x.contiguous().data_ptr() == p, torch.empty(0).data_ptr(),
              x[2:].data_ptr(), type(p).__name__, x.is_shared()]
    x.add_(1)
    x[0, 0] = 5
    x.fill_(2)
    a = np.zeros(3, dtype=np.float32)
    t = torch.from_numpy(a)
    return before + [x.data_ptr() == p, t.data_ptr() == a.ctypes.data, t[1:].data_ptr() - a.ctypes.data,
                     t.numpy().ctypes.data == t.data_ptr(), t.is_shared(), torch.tensor(1).is_shared()]


def case_copy_and_deepcopy(torch, np):
    import copy
    x = torch.arange(6.).reshape(2, 3)
    y = copy.deepcopy(x)
    y.add_(1)
    c = copy.copy(x)
    c[0, 0] = -1
    pair = copy.deepcopy([x, x])
    a = np.ones(2, dtype=np.int16)
    d = copy.deepcopy(torch.from_numpy(a))
    a[0] = 9
    t = copy.deepcopy(x.t())
    return [x, y, c, type(y).__name__, y.data_ptr() != x.data_ptr(), c.data_ptr() == x.data_ptr(),
            pair[0] is pair[1], pair[0].data_ptr() != x.data_ptr(), d, t, t.stride(), t.is_contiguous(),
            copy.deepcopy(torch.tensor(3, dtype=torch.int16)), copy.deepcopy(x[:, 1:]),
            copy.deepcopy({"w": torch.ones(2, dtype=torch.bool)}),
            raises(lambda: x.__deepcopy__()), raises(lambda: x.__deepcopy__({}, 1))]


def case_size_slices_and_arithmetic(torch, np):
    s = torch.Size([2, 3, 4])
    t = s
    t += (5,)
    return [s[1:], s[::-1], s[:0], s[-1], s[0], type(s[0]).__name__, s[1:].numel(), s + s, s + (1,), (1,) + s,
            s * 2, 2 * s, s * 0, s * True, t, s.count(3), s.index(4), s[1:] == (3, 4), hash(s[1:]) == hash((3, 4)),
            torch.zeros(s[1:]).shape, torch.ones(2, 3).shape[-1:], raises(lambda: s[5]), raises(lambda: s["a"]),
            raises(lambda: s + [1]), raises(lambda: [1] + s), raises(lambda: s * 2.0)]


def case_inplace_operators(torch, np):
    a = torch.arange(4)
    alias = a[1:]
    a += 1
    a *= 3
    a -= torch.tensor([1, 1, 1, 1])
    a //= 2
    a %= 5
    b = torch.ones(2)
    b /= 4
    b **= 2
    c = torch.tensor([True, False])
    c &= torch.tensor([True, True])
    c |= torch.tensor([False, False])
    return [a, alias, b, c, raises(lambda: a.__itruediv__(2)), raises(lambda: c.__iadd__(1))]


def case_inplace_methods(torch, np):
    x = torch.tensor([-1.5, 0.25, 4.0])
    y = x.clone().abs_()
    z = x.clone().clamp_(min=0)
    w = torch.zeros(3).copy_(x).mul_(2).sub_(1, alpha=2)
    f = torch.empty(2, 2).fill_(7)
    q = torch.ones(3).zero_()
    r = x.clone().masked_fill_(x < 0, 0)
    return [y, z, w, f, q, r, x.sqrt(), x.exp(), x.relu(), x.sigmoid(), x.round(), x.floor(),
            torch.tanh(x), x.pow(2), 2 ** x, x.div(2, rounding_mode="floor"), torch.remainder(x, 1)]


def case_reductions(torch, np):
    m = torch.arange(12.).reshape(3, 4)
    return [m.sum(), m.sum(0), m.sum(dim=1, keepdim=True), m.mean(1), m.prod(0), m.amax(1), m.min(), m.max(0),
            m.std(), m.var(1), m.all(), (m > 5).any(1), m.logsumexp(1), m.softmax(1), m.log_softmax(0),
            torch.nn.functional.softmax(m, dim=-1), m.count_nonzero(), m.sum(dtype=torch.float64),
            m.argmax(1), torch.sum(m, (0, 1))]


def case_matmul(torch, np):
    a = torch.arange(6.).reshape(2, 3)
    b = torch.arange(12.).reshape(3, 4)
    v = torch.arange(3.)
    return [a @ b, a.matmul(v), torch.mm(a, b), v @ v, torch.matmul(torch.ones(5, 2, 3), b).shape,
            raises(lambda: a @ a)]


def case_creation(torch, np):
    return [torch.zeros(2, 3), torch.ones((2,), dtype=torch.int32), torch.full((2, 2), 7), torch.full((2,), 1.5),
            torch.arange(5), torch.arange(1, 4, 0.5), torch.linspace(0, 1, 5), torch.eye(2, 3),
            torch.zeros_like(torch.ones(2, dtype=torch.int8)), torch.ones_like(torch.ones(3)),
            torch.full_like(torch.ones(2), 3), torch.tensor([]), torch.tensor([[True, False]]),
            torch.tensor(3), torch.tensor([1, 2.5]), torch.tensor([[1, 2]], dtype=torch.float64),
            torch.empty(2, 3).shape, torch.Tensor([1, 2]), torch.get_default_dtype(),
            torch.tensor([1, 2], dtype=torch.uint8), raises(lambda: torch.tensor([300], dtype=torch.uint8))]


def case_printing(torch, np):
    return [repr(torch.tensor([1e-5, 1.0])), repr(torch.tensor([1e10, 1.0])), repr(torch.arange(2000)),
            repr(torch.tensor([[1.5, float("nan")], [float("inf"), -2.0]])), str(torch.tensor(3.0)),
            repr(torch.tensor([1, 2], dtype=torch.int32)), repr(torch.zeros(2, 0)), repr(torch.tensor(True)),
            repr(torch.ones(2, dtype=torch.float16)), repr(torch.ones(2, 2, dtype=torch.float64) / 3)]


def case_functional_and_misc(torch, np):
    F = torch.nn.functional
    x = torch.tensor([-2., -0.5, 0., 1.5])
    return [F.relu(x), F.gelu(x), F.silu(x), F.sigmoid(x), F.tanh(x), F.log_softmax(x, dim=0),
            torch.clamp(x, -1, 1), x.clip(max=0), torch.maximum(x, torch.zeros(4)), torch.where(x > 0, x, -x),
            x.masked_select(x > -1), x.index_select(0, torch.tensor([3, 0])), x.isnan(), x.sign(),
            torch.index_put(torch.zeros(3), (torch.tensor([0, 2]),), torch.tensor([1., 2.]))]


# ---- issue 12: indexing, joins, gathers, scatters, scans, sorting, random ----------------
from cases_ops import *  # noqa: E402,F401,F403  (their cases are this module's)
