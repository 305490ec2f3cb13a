"""cases_ops.py — cases (see cases.py) for the rest of PyTorch's indexing,
joins, gathers and scatters, scans, sorting and random API (issue 12):
each bound function with its keywords, result dtypes and shapes,
torch.return_types fields, in-place forms, and errors with their types and
messages. cases.py imports them, so gen_expected.py and test_cases.py see
them as its own.

Cases named case_*_library_bug hold behaviours where the library used to
differ from PyTorch (a wrong exception type or message); they are checked
strictly now, like every other case.
"""
from cases import raises


def rt(r):
    """A torch.return_types result: its type's name and its fields."""
    return [type(r).__name__, r.values, r.indices, r[0], r[1], len(r)]


# ---- indexing through one call ---------------------------------------------------------

def case_index_rules(torch, np):
    M = torch.arange(12).reshape(3, 4)
    T = torch.arange(24).reshape(2, 3, 4)
    s = torch.tensor(5)
    return [M[True], M[False], M[True].shape, M[torch.tensor(False)], M[torch.tensor(True)], M[[]], M[[]].shape,
            M[[], 1:], M[torch.tensor([0, 2], dtype=torch.int32)], M[np.array([2, 0])], M[np.int64(1)],
            M[:, torch.tensor([[0], [3]], dtype=torch.int32)],
            T[:, [0, 1], [1, 2]], T[[0, 1], :, [1, 2]], T[0, :, [1, 2]], T[[[0], [1]], 1:, [1, 2]].shape,
            T[..., [0, 3]], T[None, [1], ..., 0], T[T > 20], T[T.sum(2) > 40], T[:, M > 5].shape,
            T[1, torch.tensor(2), 1:3], s[None], s[True], s[...], s[[0]], s[torch.tensor(0)],
            M[1:100:2, -100:2], M[-1, ::3], M[[0, 0, 1], [1, 1, 3]]]


def case_index_errors_through_one_call(torch, np):
    M = torch.arange(12).reshape(3, 4)
    return [raises(lambda: torch.tensor(5)[0]), raises(lambda: torch.tensor(5)[0, 0]),
            raises(lambda: M[torch.tensor([0, 2], dtype=torch.int16)]), raises(lambda: M[1.5]),
            raises(lambda: M["a"]), raises(lambda: M[::0]), raises(lambda: M[torch.tensor([True, False])]),
            raises(lambda: M[0, 0, 0]), raises(lambda: M[torch.tensor([0, 5])]), raises(lambda: M[-4]),
            raises(lambda: M[np.bool_(True)]), raises(lambda: M[object()])]


def case_index_assignment_rules(torch, np):
    def put(M, idx, v):
        M[idx] = v
        return M

    def f(n=12, dt=torch.int64):
        return torch.arange(n, dtype=dt).reshape(3, 4)

    return [put(f(), (0, [1, 3]), 2.7), put(f(), True, 7), put(f(), False, 7), put(f(), [], 7),
            put(f(), f() > 5, torch.arange(6) * 10), put(f(), f() > 5, torch.tensor(-1)),
            put(f(), (slice(None), torch.tensor([1, 1], dtype=torch.int32)), torch.tensor([[5], [6], [7]])),
            put(f(dt=torch.float32), torch.tensor([0, 1]), torch.ones(3, 4)),
            put(f(dt=torch.float32), (None, 1), torch.tensor([9., 8, 7, 6])),
            put(f(dt=torch.float32), torch.tensor([[True, False, True, False]] * 3), torch.tensor([1., 2.])),
            put(f(dt=torch.float32), ..., 1), put(f(), np.array([0, 2]), np.int64(9)),
            put(torch.zeros(3), torch.tensor([0, 0, 2]), torch.tensor([1., 2., 3.])),
            raises(lambda: put(f(), ([0, 2], slice(None)), [[1, 2, 3, 4]])),
            raises(lambda: put(f(dt=torch.float32), 1, "a")), raises(lambda: put(f(), f() > 5, torch.arange(5))),
            raises(lambda: put(f(), torch.tensor([0, 5]), 7))]


# ---- joins, splits and rearrangements ------------------------------------------------------

def case_cat_stack(torch, np):
    a, b = torch.ones(2, 3), torch.zeros(1, 3)
    return [torch.cat([a, b]), torch.cat((a, torch.zeros(2, 1)), dim=1), torch.cat([a, torch.zeros(2, 1)], -1),
            torch.cat([a, torch.tensor([])]), torch.cat([a.int(), b]).dtype, torch.cat([a.int(), b.long()]).dtype,
            torch.concat([torch.ones(1), torch.zeros(1)]), torch.concatenate([torch.ones(1), torch.zeros(1)], axis=0),
            torch.cat([a * 2, a + 1], 1), torch.stack([torch.ones(2), torch.zeros(2)]),
            torch.stack([torch.ones(2), torch.zeros(2)], dim=1), torch.stack([torch.ones(2), torch.zeros(2)], -1).shape,
            torch.stack((torch.tensor(1), torch.tensor(2))), torch.hstack([torch.ones(2), torch.zeros(3)]),
            torch.hstack([torch.ones(2, 1), torch.zeros(2, 3)]), torch.vstack([torch.ones(2), torch.zeros(2)]),
            torch.row_stack([torch.ones(2), torch.zeros(2)]), torch.dstack([torch.ones(2), torch.zeros(2)]),
            torch.dstack([torch.ones(2, 2), torch.zeros(2, 2)]).shape]


def case_cat_stack_errors(torch, np):
    a = torch.ones(2, 3)
    return [raises(lambda: torch.cat([a, torch.zeros(3)])), raises(lambda: torch.cat([a, torch.zeros(2, 2)])),
            raises(lambda: torch.cat([a, 1])), raises(lambda: torch.cat(torch.ones(2))),
            raises(lambda: torch.cat([a], dim=2)), raises(lambda: torch.stack([torch.ones(2), torch.zeros(3)])),
            raises(lambda: torch.stack([])), raises(lambda: torch.stack([torch.ones(2)], dim=2))]


def case_meshgrid(torch, np):
    return [torch.meshgrid(torch.arange(2), torch.arange(3), indexing="ij"),
            torch.meshgrid([torch.arange(2), torch.arange(3)], indexing="xy"),
            torch.meshgrid((torch.arange(2), torch.tensor(5)), indexing="ij"),
            raises(lambda: torch.meshgrid(torch.arange(2), torch.arange(3), indexing="zz")),
            raises(lambda: torch.meshgrid(torch.arange(2), torch.arange(3.), indexing="ij"))]


def case_split_chunk_unbind(torch, np):
    x = torch.arange(10)
    y = torch.arange(12).reshape(3, 4)
    parts = x.split(4)
    parts[0][0] = 100  # views
    return [x.split(3), x.split([2, 8]), torch.split(torch.arange(10).reshape(2, 5), 2, dim=1), x,
            torch.split(x, split_size_or_sections=5), x.split(split_size=5), x.chunk(3), torch.chunk(y, 2, 1), y.chunk(chunks=5),
            torch.arange(6).reshape(2, 3).unbind(1), torch.unbind(y), y.unbind(dim=-1),
            type(x.split(3)).__name__, torch.arange(0).split(2), torch.arange(0).chunk(2),
            raises(lambda: x.split([2, 7])), raises(lambda: x.split(0)), raises(lambda: x.split(-1)),
            raises(lambda: x.chunk(0)), raises(lambda: torch.arange(6).reshape(2, 3).unbind(2))]


def case_triangles_and_diagonals(torch, np):
    m = torch.arange(9).reshape(3, 3)
    f = torch.arange(9.).reshape(3, 3)
    b = torch.arange(24).reshape(2, 3, 4)
    g = f.clone()
    g.tril_()
    h = f.clone()
    h.triu_(-1)
    return [m.tril(), m.triu(1), torch.tril(m, diagonal=-1), torch.triu(b, 2), g, h, f.tril(-5), f.triu(5),
            torch.diag(torch.arange(3)), torch.diag(torch.arange(3), 1), m.diag(-1), torch.diag(m, diagonal=2),
            b.diagonal(), b.diagonal(offset=1, dim1=1, dim2=2), torch.diagonal(b, -1, 2, 0),
            torch.diag_embed(torch.arange(6).reshape(2, 3)), torch.arange(3).diag_embed(offset=1),
            torch.diag_embed(torch.arange(2), dim1=0, dim2=1, offset=-1),
            raises(lambda: torch.arange(3).tril()), raises(lambda: torch.diag(torch.ones(2, 2, 2))),
            raises(lambda: torch.diagonal(m, 0, 0, 0))]


def case_flip_roll(torch, np):
    x = torch.arange(6).reshape(2, 3)
    return [x.flip(0), x.flip(0, 1), x.flip((1,)), torch.flip(x, dims=[1]), torch.flip(x, [-1, 0]), x.fliplr(),
            torch.flipud(x), torch.roll(torch.arange(6), 2), torch.roll(x, 1, 1), torch.roll(x, (1, 1), (0, 1)),
            x.roll(shifts=-1, dims=0), x.roll(4), torch.roll(x, -7, 1),
            raises(lambda: torch.flip(x, [2])), raises(lambda: torch.flip(x, [0, 0])),
            raises(lambda: torch.fliplr(torch.arange(3))), raises(lambda: torch.roll(x, (1, 1), (0,)))]


def case_repeat_tile_interleave(torch, np):
    x = torch.arange(3)
    y = torch.arange(6).reshape(2, 3)
    return [x.repeat(2, 2), x.repeat((2,)), y.repeat(2, 1, 1).shape, x.tile((2,)), torch.tile(y, (2,)),
            torch.tile(x, (2, 2)), y.tile(2, 1, 1).shape, x.repeat_interleave(2),
            torch.repeat_interleave(y, 2, dim=1), torch.repeat_interleave(y, torch.tensor(2), dim=0),
            y.repeat_interleave(repeats=3), raises(lambda: y.repeat(2)), raises(lambda: x.repeat(-1)),
            raises(lambda: x.repeat_interleave(-1))]


# ---- gathers, counts ---------------------------------------------------------------------

def case_gather_take(torch, np):
    x = torch.arange(6).reshape(2, 3)
    return [x.gather(1, torch.tensor([[0, 0], [2, 1]])), torch.gather(x, 0, torch.tensor([[1, 0, 1]])),
            torch.gather(x, 1, torch.tensor([[0]], dtype=torch.int32)), torch.gather(x, dim=-1, index=torch.tensor([[2]])),
            x.take(torch.tensor([[0, 5], [-1, 2]])), torch.take(x, torch.tensor(4)),
            torch.take_along_dim(x, torch.tensor([[2], [0]]), dim=1), torch.take_along_dim(x, torch.tensor([5, 0])),
            x.take_along_dim(torch.tensor([[1, 0, 1]]), 0), x.take_along_dim(indices=x.argsort(1, True), dim=1),
            x.index_select(1, torch.tensor([2, 0])), torch.index_select(x, 0, torch.tensor([1], dtype=torch.int32)),
            x.masked_select(x > 2), torch.masked_select(x, torch.tensor([True, False, True])),
            raises(lambda: torch.gather(x, 1, torch.tensor([[1.]]))),
            raises(lambda: torch.gather(x, 1, torch.tensor([1]))),
            raises(lambda: torch.index_select(x, 0, torch.tensor([[0]]))),
            raises(lambda: torch.masked_select(x, torch.tensor([True, False]))), raises(lambda: x.gather(1))]


def case_nonzero_counts(torch, np):
    x = torch.tensor([[0, 1], [2, 0]])
    w = torch.tensor([0.5, 1., 1., 2.])
    return [x.nonzero(), torch.nonzero(x, as_tuple=True), torch.tensor(3).nonzero(),
            torch.tensor(3).nonzero(as_tuple=True), torch.tensor(0).nonzero(as_tuple=True), torch.argwhere(x),
            torch.tensor([0., 1., 2.]).argwhere(), torch.where(x > 0), torch.count_nonzero(x),
            torch.tensor([[0, 1], [2, 3]]).count_nonzero(dim=1), torch.tensor([[0, 1], [2, 3]]).count_nonzero((0, 1)),
            torch.bincount(torch.tensor([0, 1, 1, 3])), torch.tensor([0, 1, 1, 3]).bincount(minlength=6),
            torch.bincount(torch.tensor([0, 1, 1, 3]), weights=w),
            torch.bincount(torch.tensor([0, 1, 1, 3]), torch.tensor([1, 2, 3, 4])),
            torch.bincount(torch.tensor([], dtype=torch.int64)), raises(lambda: torch.bincount(torch.tensor([0, -1])))]


# ---- scatters ------------------------------------------------------------------------------

def case_scatter(torch, np):
    i = torch.tensor([[0, 1], [2, 3], [1, 1]])
    src = torch.arange(1., 7.).reshape(3, 2)
    z = torch.zeros(3, 2)
    r = z.scatter_(0, torch.tensor([[2, 0]]), torch.tensor([[7., 8.]]))
    n = torch.zeros(3, dtype=torch.int64)
    n.scatter_add_(0, torch.tensor([1, 1]), torch.tensor([5, 6]))
    return [torch.zeros(3, 4).scatter(1, i, src), torch.zeros(3, 4).scatter(1, torch.tensor([[0], [2], [1]]), 5.),
            torch.zeros(3, 4).scatter(1, torch.tensor([[0], [2], [1]]), value=5),
            torch.zeros(3, 4).scatter(1, torch.tensor([[0, 0]]), torch.ones(1, 2), reduce="add"),
            torch.ones(3, 4).scatter(1, torch.tensor([[0, 0]]), 3., reduce="multiply"), z, r is z,
            torch.scatter(torch.zeros(2), 0, torch.tensor([1]), torch.tensor([4.])),
            torch.zeros(3, 4).scatter_add(1, torch.tensor([[0, 0, 1]]), torch.ones(1, 3)),
            torch.scatter_add(torch.zeros(3), 0, torch.tensor([0, 0, 2]), torch.tensor([1., 2., 3.])), n,
            raises(lambda: torch.zeros(3, 4).scatter(1, torch.tensor([[0, 0]]), torch.ones(1, 2), reduce="sum")),
            raises(lambda: torch.zeros(3, 4).scatter(1, torch.tensor([[1]]), torch.ones(1, 1, dtype=torch.int64)))]


def case_scatter_reduce(torch, np):
    x = torch.tensor([1., 2., 3., 4.])
    i = torch.tensor([0, 0, 1, 1])
    s = torch.tensor([5., -6., 7., 8.])
    o = torch.ones(3)
    o.scatter_reduce_(0, torch.tensor([2, 2]), torch.tensor([5., 6.]), "sum")
    return [x.scatter_reduce(0, i, s, "sum"), x.scatter_reduce(0, i, s, "prod", include_self=False),
            x.scatter_reduce(0, i, s, reduce="mean"),
            torch.tensor([1, 2, 3, 4]).scatter_reduce(0, i, torch.tensor([5, 6, 7, 8]), reduce="mean",
                                                      include_self=False),
            torch.scatter_reduce(x, 0, i, s, "amax"), x.scatter_reduce(0, i, s, "amin", include_self=False), o,
            raises(lambda: x.scatter_reduce(0, i, s, "median"))]


def case_index_writes(torch, np):
    a = torch.zeros(3, 2)
    a.index_add_(1, torch.tensor([1]), torch.ones(3, 1))
    b = torch.zeros(3, 2)
    b.index_copy_(0, torch.tensor([1]), torch.tensor([[9., 9.]]))
    c = torch.zeros(3, 2)
    c.index_fill_(0, torch.tensor([-1]), 4)
    d = torch.zeros(2, 2)
    d.index_put_([torch.tensor([0, 0]), torch.tensor([1, 1])], torch.tensor(1.), accumulate=True)
    return [torch.zeros(3, 2).index_add(0, torch.tensor([0, 2, 0]), torch.ones(3, 2)),
            torch.zeros(3, 2).index_add(0, torch.tensor([0, 2, 0]), torch.ones(3, 2), alpha=2), a,
            torch.index_add(torch.zeros(3, dtype=torch.int64), 0, torch.tensor([1, 1]), torch.tensor([2, 3])),
            torch.zeros(3, 2).index_copy(0, torch.tensor([2, 0]), torch.arange(4.).reshape(2, 2)), b,
            torch.zeros(3, 2).index_fill(1, torch.tensor([1]), -1),
            torch.zeros(3, 2).index_fill(0, torch.tensor([0, 2]), torch.tensor(2.5)), c,
            torch.zeros(3).index_put((torch.tensor([0, 0, 2]),), torch.tensor([1., 2., 3.]), accumulate=True),
            torch.zeros(3).index_put((torch.tensor([0, 2]),), torch.tensor([1., 3.])), d,
            raises(lambda: torch.zeros(3, 2).index_fill(0, torch.tensor([0, 2]), torch.tensor([2.5]))),
            raises(lambda: torch.zeros(3).index_put((torch.tensor([0]),), torch.tensor([1], dtype=torch.int64))),
            raises(lambda: torch.zeros(3).index_put((torch.tensor([5]),), torch.tensor([1.]))),
            raises(lambda: torch.zeros(3).index_put(torch.tensor([0]), torch.tensor([1.])))]


def case_masked_scatter_put(torch, np):
    m = torch.tensor([[True, False, True], [False, True, False]])
    a = torch.zeros(2, 3)
    a.masked_scatter_(torch.tensor([True, False, True]), torch.tensor([[8., 9.], [7., 6.]]))
    b = torch.zeros(2, 3)
    b.put_(torch.tensor([0, 5, 1]), torch.tensor([1., 2., 3.]))
    c = torch.zeros(2, 3)
    c.put_(torch.tensor([0, -1, 0]), torch.tensor([1., 2., 3.]), accumulate=True)
    return [torch.zeros(2, 3).masked_scatter(m, torch.arange(1., 7.)), a, b, c,
            torch.zeros(2, 3).put(torch.tensor([1]), torch.tensor([4.])),
            torch.put(torch.zeros(2, 3), torch.tensor([[2]]), torch.tensor([[4.]]), accumulate=True),
            raises(lambda: torch.zeros(2, 3).masked_scatter(torch.tensor([True, False, True]), torch.tensor([1.])))]


# ---- scans ---------------------------------------------------------------------------------

def case_cumulative(torch, np):
    i = torch.tensor([[1, 2, 3], [4, 5, 6]])
    a = torch.tensor([1, 2, 3], dtype=torch.int32)
    a.cumsum_(0)
    b = torch.tensor([1., 2., 3.])
    b.cumprod_(0)
    return [i.cumsum(1), torch.cumsum(i.int(), dim=0), torch.cumsum(torch.tensor([True, True, False]), 0),
            torch.cumsum(torch.tensor([1, 2, 3]), 0, dtype=torch.float64), torch.tensor([1., 2., 3.]).cumsum(dim=-1),
            a, b, torch.cumprod(torch.tensor([1, 2, 3, 4]), 0), torch.tensor([[1., 2.], [3., 4.]]).cumprod(0, dtype=torch.float64),
            torch.logcumsumexp(torch.tensor([0., 1., 2.]), 0), torch.tensor([[0., 1.], [2., 3.]]).logcumsumexp(dim=1),
            torch.cumsum(torch.tensor([], dtype=torch.float32), 0),
            raises(lambda: torch.tensor([1., 2., 3.]).cumsum(1)), raises(lambda: torch.tensor([1., 2.]).cumsum()),
            raises(lambda: torch.logcumsumexp(torch.tensor([0, 1, 2]), 0))]


def case_cummax_cummin(torch, np):
    return [rt(torch.tensor([1., 3., 2., float('nan'), 5.]).cummax(0)),
            rt(torch.cummax(torch.tensor([[1, 3], [2, 2]]), dim=1)), rt(torch.tensor([3, 1, 2, 1]).cummin(0)),
            rt(torch.cummin(torch.tensor([[3., 1.], [0., 5.]]), 0)),
            raises(lambda: torch.tensor([3, 1, 2, 1]).cummax(1))]


# ---- sorting -------------------------------------------------------------------------------

def case_sort_argsort(torch, np):
    x = torch.tensor([3., 1., 2., 1.])
    return [rt(x.sort()), rt(x.sort(descending=True)), rt(torch.sort(torch.tensor([[3, 1], [0, 5]]), dim=0)),
            rt(torch.sort(torch.tensor([3, 1, 2, 1]), stable=True, descending=True)),
            rt(torch.sort(torch.tensor([3., float('nan'), 2., 1.]))), rt(x.sort(0, True)),
            rt(torch.tensor([True, False]).sort()), rt(torch.tensor(5.).sort()),
            rt(torch.tensor([[5, 2, 9], [1, 1, 0]], dtype=torch.int32).sort(1)),
            torch.argsort(x), torch.tensor([[3, 1], [0, 5]]).argsort(dim=0, descending=True),
            torch.argsort(torch.tensor([3, 1, 2, 1]), stable=True), torch.msort(torch.tensor([[3, 1], [0, 5]])),
            torch.tensor([[3., 1.], [0., 5.]]).msort(), raises(lambda: x.sort(1)), raises(lambda: x.argsort(2))]


def case_topk_kthvalue(torch, np):
    x = torch.tensor([1., 5., 3., 5., 2.])
    return [rt(x.topk(2)), rt(torch.topk(x, 3, largest=False)), rt(torch.topk(torch.tensor([[1, 5], [3, 2]]), k=1, dim=0)),
            rt(x.topk(0)), x.topk(2, sorted=False).values.sort().values, rt(x.kthvalue(2)),
            rt(torch.kthvalue(torch.tensor([[1, 5], [3, 2]]), 1, dim=0, keepdim=True)), rt(x.kthvalue(5, 0)),
            raises(lambda: torch.tensor([1., 5., 3.]).topk(4)), raises(lambda: torch.tensor([1., 5., 3.]).kthvalue(4)),
            raises(lambda: torch.tensor([1., 5., 3.]).kthvalue(0)), raises(lambda: x.topk(-1))]


def case_median_mode(torch, np):
    nan = float('nan')
    return [torch.tensor([1., 5., 3., 2.]).median(), rt(torch.median(torch.tensor([[1., 5.], [3., 2.]]), dim=1)),
            rt(torch.median(torch.tensor([[1., 5., 0.], [3., 2., 1.]]), 1, keepdim=True)),
            torch.tensor([1., nan, 3.]).median(), rt(torch.tensor([1., nan, 3.]).median(0)),
            torch.tensor([1., nan, 3.]).nanmedian(), rt(torch.nanmedian(torch.tensor([[1., nan], [3., 2.]]), dim=1)),
            torch.tensor([], dtype=torch.float32).median(), torch.tensor([4, 1, 7]).median(),
            rt(torch.tensor([1, 2, 2, 3, 3]).mode()), rt(torch.mode(torch.tensor([[1, 1, 2], [3, 2, 2]]), 1)),
            rt(torch.mode(torch.tensor([[1, 1, 2], [3, 2, 2]]), dim=0, keepdim=True)),
            rt(torch.tensor([2., 2., 1.]).mode(-1))]


def case_unique(torch, np):
    x = torch.tensor([3, 1, 2, 3, 1])
    return [torch.unique(x), x.unique(return_inverse=True),
            torch.tensor([[3, 1], [2, 3]]).unique(return_inverse=True, return_counts=True),
            torch.unique(x, sorted=True, return_counts=True), torch.unique(torch.tensor([1., float('nan'), float('nan')])),
            torch.unique(torch.tensor([], dtype=torch.int64)),
            torch.unique_consecutive(torch.tensor([1, 1, 2, 2, 3, 1, 1])),
            torch.tensor([1, 1, 2, 2, 3, 1, 1]).unique_consecutive(return_counts=True),
            torch.unique_consecutive(torch.tensor([[1, 1], [2, 2]]), return_inverse=True, return_counts=True)]


def case_searchsorted_bucketize_histc(torch, np):
    s = torch.tensor([1, 3, 5, 7])
    v = torch.tensor([3, 6, 9])
    return [torch.searchsorted(s, v), torch.searchsorted(s, v, right=True), torch.searchsorted(s, v, side="right"),
            torch.searchsorted(s, 4), torch.searchsorted(s.float(), v.float(), out_int32=True),
            torch.searchsorted(torch.tensor([[1, 3, 5], [2, 4, 6]]), torch.tensor([[3], [3]])),
            torch.bucketize(v, s), torch.bucketize(torch.tensor([[3, 6], [9, 0]]), s, right=True, out_int32=True),
            torch.bucketize(4, s), torch.bucketize(input=v, boundaries=s),
            torch.histc(torch.tensor([1., 2., 1., 4.]), bins=4, min=0, max=4), torch.tensor([1., 2., 1., 4.]).histc(4),
            torch.tensor([1., 2., 1., 4.]).histc(bins=3, min=1, max=2), torch.tensor([1., 2., 1.], dtype=torch.float64).histc(2),
            raises(lambda: torch.searchsorted(s, v, side="left", right=True)),
            raises(lambda: torch.searchsorted(s, v, side="middle")),
            raises(lambda: torch.searchsorted(torch.tensor([[1, 3, 5], [2, 4, 6]]), torch.tensor([[3], [3], [3]]))),
            raises(lambda: torch.bucketize(torch.tensor([3]), torch.tensor([[1, 3]]))),
            raises(lambda: torch.histc(torch.tensor([1, 2]), bins=4)),
            raises(lambda: torch.histc(torch.tensor([1., 2.]), bins=2, min=3, max=1))]


# ---- random ----------------------------------------------------------------------------------
# (values differ from PyTorch's generator: only what a seed guarantees)

def case_generators_and_rng_state(torch, np):
    g = torch.Generator()
    h = torch.Generator(device="cpu")
    torch.manual_seed(5)
    a = torch.rand(3).tolist()
    state = torch.get_rng_state()
    b = torch.rand(3).tolist()
    torch.set_rng_state(state)
    c = torch.rand(3).tolist()
    g.manual_seed(11)
    x = torch.randperm(8, generator=g).tolist()
    gs = g.get_state()
    y = torch.randperm(8, generator=g).tolist()
    g.set_state(gs)
    z = torch.randperm(8, generator=g).tolist()
    h.manual_seed(11)
    w = torch.randperm(8, generator=h).tolist()
    return [torch.manual_seed(3) is torch.default_generator, type(torch.manual_seed(3)).__name__,
            (torch.manual_seed(7), torch.initial_seed())[1], torch.manual_seed(-1).initial_seed(),
            torch.manual_seed(2 ** 64 - 1).initial_seed(), torch.manual_seed("12").initial_seed(),
            torch.default_generator.initial_seed(), a != b, b == c, state.dtype, state.dim(), x == w, y == z,
            sorted(x) == list(range(8)), g.manual_seed(4) is g, g.initial_seed(), type(g.seed()).__name__,
            g.set_state(g.get_state()) is g, h.device, type(torch.seed()).__name__, type(torch.initial_seed()).__name__,
            raises(lambda: torch.manual_seed("a")), raises(lambda: torch.set_rng_state(3)),
            raises(lambda: torch.Generator().set_state(5))]


def case_randperm(torch, np):
    return [torch.randperm(5).sort().values, torch.randperm(5).dtype, torch.randperm(5, dtype=torch.int32).dtype,
            torch.randperm(5, dtype=torch.float32).sort().values, torch.randperm(0), torch.randperm(1),
            torch.randperm(4, generator=torch.Generator().manual_seed(1)).sort().values,
            type(raises(lambda: torch.randperm(4, generator=3))).__name__]


def case_random_fills(torch, np):
    def ok(x):
        return bool(x.all())

    u = torch.empty(1000)
    ur = u.uniform_(2, 3)
    n = torch.empty(1000, dtype=torch.float64)
    n.normal_(5, 0.001)
    r = torch.empty(1000, dtype=torch.int64)
    r.random_(0, 3)
    r5 = torch.empty(1000)
    r5.random_(5)
    rb = torch.empty(100, dtype=torch.bool)
    rb.random_()
    ru = torch.empty(1000, dtype=torch.uint8)
    ru.random_()
    ri = torch.empty(100, dtype=torch.int32)
    ri.random_(to=4)
    return [ur is u, ok((u >= 2) & (u < 3)), u.dtype, ok((n - 5).abs() < 0.1), n.dtype,
            ok((r >= 0) & (r < 3)), sorted(set(r.tolist())), ok((r5 >= 0) & (r5 < 5)), r5.dtype,
            sorted(set(rb.tolist())), ok(ru >= 0), len(set(ru.tolist())) > 100, ok((ri >= 0) & (ri < 4)),
            torch.empty(3).uniform_(to=5, generator=torch.Generator()).shape,
            torch.empty(3).normal_(mean=1, std=2, generator=torch.Generator()).dtype,
            raises(lambda: torch.empty(3, dtype=torch.int64).uniform_()),
            raises(lambda: torch.empty(3).uniform_(3, 2)), raises(lambda: torch.empty(3).normal_(0, -1)),
            raises(lambda: torch.empty(3).random_(3, 3))]


def case_bernoulli_multinomial(torch, np):
    a = torch.zeros(3)
    a.bernoulli_(1.0)
    b = torch.ones(3, dtype=torch.int64)
    b.bernoulli_(0)
    c = torch.zeros(3)
    c.bernoulli_(torch.tensor([1., 0., 1.]))
    m = torch.multinomial(torch.tensor([[1., 1., 1., 1.]] * 2), 4)
    return [torch.bernoulli(torch.ones(3)), torch.bernoulli(torch.zeros(2, 2, dtype=torch.float64)),
            torch.ones(3).bernoulli(), torch.bernoulli(torch.ones(3), 0.0), torch.bernoulli(torch.ones(3), p=1.0),
            a, b, c, torch.zeros(3).bernoulli_(generator=torch.Generator()).shape,
            torch.multinomial(torch.tensor([0., 1., 0.]), 2, replacement=True),
            torch.multinomial(torch.tensor([[0., 1.], [1., 0.]]), 1),
            torch.tensor([1., 1., 1.]).multinomial(3).sort().values, m.shape, m.sort(1).values,
            torch.multinomial(torch.tensor([0., 1., 0.]), 2, True, generator=torch.Generator()).dtype,
            torch.tensor([1., 1.]).multinomial(0), raises(lambda: torch.zeros(3).bernoulli_(1.5)),
            raises(lambda: torch.tensor([1., 1., 1.]).multinomial(4)),
            raises(lambda: torch.tensor([1., -1., 1.]).multinomial(1)),
            raises(lambda: torch.tensor([0., 0.]).multinomial(1))]


# ---- where the library used to differ from PyTorch (once KNOWN_LIBRARY_BUGS) ---------------------

def case_index_library_bug(torch, np):
    M = torch.arange(12).reshape(3, 4)
    return [raises(lambda: M[:, torch.tensor([0, 5])]), raises(lambda: M[[0, 1], [0, 1, 2]])]


def case_joins_library_bug(torch, np):
    return [raises(lambda: torch.cat([])), raises(lambda: torch.tensor(3).unbind())]


def case_gather_scatter_library_bug(torch, np):
    x = torch.arange(6).reshape(2, 3)
    return [raises(lambda: torch.gather(x, 1, torch.tensor([[3]]))), raises(lambda: torch.take(torch.arange(6), torch.tensor([6]))),
            raises(lambda: torch.index_select(x, 0, torch.tensor([2]))),
            raises(lambda: torch.bincount(torch.tensor([0., 1.]))),
            raises(lambda: torch.zeros(3, 4).scatter(1, torch.tensor([[4]]), 5.)),
            torch.tensor([1., 2.]).scatter_reduce(0, torch.tensor([0]), torch.tensor([5.]), "max"),
            raises(lambda: torch.index_add(torch.zeros(3), 0, torch.tensor([3]), torch.ones(1))),
            raises(lambda: torch.put(torch.zeros(2, 3), torch.tensor([6]), torch.tensor([4.])))]


def case_sort_random_library_bug(torch, np):
    return [raises(lambda: torch.tensor([], dtype=torch.float32).median(0)),
            raises(lambda: torch.histc(torch.tensor([1., 2.]), bins=-1)),
            raises(lambda: torch.randperm(-1)), raises(lambda: torch.bernoulli(torch.tensor([2.]))),
            raises(lambda: torch.bernoulli(torch.tensor([1, 0])))]


def case_repeat_interleave_tensor_counts(torch, np):
    x = torch.arange(6).reshape(2, 3)
    return [torch.repeat_interleave(x, torch.tensor([1, 2]), dim=0), torch.repeat_interleave(x, torch.tensor([1, 0, 2]), dim=1),
            torch.repeat_interleave(x, torch.tensor([1, 0, 2]), dim=-1), torch.repeat_interleave(torch.tensor([2, 0, 1])),
            torch.repeat_interleave(x, torch.tensor([1, 2, 0, 1, 1, 1])),
            torch.repeat_interleave(x, torch.tensor([1, 2], dtype=torch.int32), dim=0),
            torch.repeat_interleave(x, torch.tensor([1, 2]), dim=0, output_size=3), torch.repeat_interleave(x, 2, output_size=12),
            torch.repeat_interleave(torch.tensor([2, 0, 1]), output_size=3), x.repeat_interleave(torch.tensor([2]), dim=1),
            torch.repeat_interleave(torch.tensor([]).long()), torch.repeat_interleave(x, torch.tensor([0, 0]), dim=0),
            torch.repeat_interleave(x.float(), torch.tensor([3, 1]), dim=0),
            raises(lambda: torch.repeat_interleave(x, torch.tensor([1, 2]))),
            raises(lambda: torch.repeat_interleave(x, torch.tensor([1, 2]), dim=1)),
            raises(lambda: torch.repeat_interleave(x, torch.tensor([1, -2]), dim=0)),
            raises(lambda: torch.repeat_interleave(x, torch.tensor([1., 2.]), dim=0)),
            raises(lambda: torch.repeat_interleave(x, torch.tensor([[1, 2]]), dim=0)),
            raises(lambda: torch.repeat_interleave(x, torch.tensor([1, 2]), dim=0, output_size=4)),
            raises(lambda: torch.repeat_interleave(x, 2, output_size=11)),
            raises(lambda: torch.repeat_interleave(torch.tensor([2, 0, 1]), output_size=5)),
            raises(lambda: torch.repeat_interleave(torch.tensor([[2]]))), raises(lambda: torch.repeat_interleave(torch.tensor(2))),
            raises(lambda: torch.repeat_interleave(x, torch.tensor([1, 2]), dim=2))]


def case_creation_with_a_generator(torch, np):
    def same(f):
        return f(torch.Generator().manual_seed(1)).tolist() == f(torch.Generator().manual_seed(1)).tolist()

    g = torch.Generator()
    g.manual_seed(3)
    return [same(lambda g: torch.rand(3, generator=g)), same(lambda g: torch.randn(2, 3, generator=g)),
            same(lambda g: torch.randint(0, 10, (5,), generator=g)), same(lambda g: torch.randperm(7, generator=g)),
            same(lambda g: torch.empty(4).uniform_(generator=g)), same(lambda g: torch.empty(4).normal_(generator=g)),
            same(lambda g: torch.bernoulli(torch.full((8,), 0.5), generator=g)),
            same(lambda g: torch.multinomial(torch.ones(6), 3, generator=g)),
            torch.rand(3, generator=g).tolist() != torch.rand(3, generator=g).tolist(),
            torch.rand(2, generator=torch.Generator(), dtype=torch.float64).dtype,
            torch.randint(3, (4,), generator=torch.Generator()).dtype,
            bool((torch.randint(3, 5, (100,), generator=torch.Generator()) >= 3).all()),
            type(raises(lambda: torch.rand(2, generator=5))).__name__]


def case_searchsorted_sorter(torch, np):
    s = torch.tensor([5, 1, 3, 7])
    v = torch.tensor([3, 6])
    return [torch.searchsorted(s, v, sorter=torch.argsort(s)), torch.searchsorted(s, v, sorter=torch.argsort(s), right=True),
            torch.searchsorted(torch.tensor([[5, 1, 3], [2, 6, 4]]), torch.tensor([[3], [3]]),
                               sorter=torch.tensor([[1, 2, 0], [0, 2, 1]])),
            raises(lambda: torch.searchsorted(s, v, sorter=torch.tensor([0, 1]))),
            raises(lambda: torch.searchsorted(s, v, sorter=torch.tensor([0, 1, 2, 4]))),
            raises(lambda: torch.searchsorted(s, v, sorter=torch.tensor([0., 1, 2, 3])))]


def case_keyword_arguments(torch, np):
    return [torch.gather(input=torch.arange(6).reshape(2,3), dim=1, index=torch.tensor([[0],[1]])),
            torch.take(input=torch.arange(6), index=torch.tensor([1])),
            torch.take_along_dim(input=torch.arange(6), indices=torch.tensor([1]), dim=0),
            torch.index_select(input=torch.arange(6), dim=0, index=torch.tensor([1])),
            torch.masked_select(input=torch.arange(3), mask=torch.tensor([True, False, True])),
            torch.nonzero(input=torch.arange(3)),
            torch.argwhere(input=torch.arange(3)),
            torch.count_nonzero(input=torch.arange(3), dim=0),
            torch.bincount(input=torch.tensor([1]), weights=None, minlength=3),
            torch.scatter(input=torch.zeros(3), dim=0, index=torch.tensor([1]), src=torch.ones(1)),
            torch.scatter(input=torch.zeros(3), dim=0, index=torch.tensor([1]), value=2.),
            torch.scatter_add(input=torch.zeros(3), dim=0, index=torch.tensor([1]), src=torch.ones(1)),
            torch.scatter_reduce(input=torch.zeros(3), dim=0, index=torch.tensor([1]), src=torch.ones(1), reduce="sum", include_self=False),
            torch.index_add(input=torch.zeros(3), dim=0, index=torch.tensor([1]), source=torch.ones(1), alpha=3),
            torch.index_copy(input=torch.zeros(3), dim=0, index=torch.tensor([1]), source=torch.ones(1)),
            torch.index_fill(input=torch.zeros(3), dim=0, index=torch.tensor([1]), value=4),
            torch.index_put(input=torch.zeros(3), indices=(torch.tensor([1]),), values=torch.ones(1), accumulate=True),
            torch.masked_scatter(input=torch.zeros(3), mask=torch.tensor([True, False, True]), source=torch.ones(2)),
            torch.put(input=torch.zeros(3), index=torch.tensor([1]), source=torch.ones(1), accumulate=False),
            torch.zeros(3).put_(index=torch.tensor([1]), source=torch.ones(1), accumulate=False),
            torch.cumsum(input=torch.arange(3), dim=0, dtype=torch.float32),
            torch.cumprod(input=torch.arange(3), dim=0),
            torch.logcumsumexp(input=torch.arange(3.), dim=0),
            torch.cummax(input=torch.arange(3.), dim=0),
            torch.cummin(input=torch.arange(3.), dim=0),
            torch.sort(input=torch.arange(3.), dim=0, descending=True, stable=True),
            torch.argsort(input=torch.arange(3.), dim=0, descending=True, stable=False),
            torch.msort(input=torch.arange(3.)),
            torch.topk(input=torch.arange(3.), k=2, dim=0, largest=False, sorted=True),
            torch.kthvalue(input=torch.arange(3.), k=2, dim=0, keepdim=True),
            torch.median(input=torch.arange(3.), dim=0, keepdim=False),
            torch.nanmedian(input=torch.arange(3.)),
            torch.mode(input=torch.arange(3.), dim=0, keepdim=True),
            torch.unique(input=torch.arange(3.), sorted=True, return_inverse=False, return_counts=False, dim=None),
            torch.unique_consecutive(input=torch.arange(3.), return_inverse=True, return_counts=False, dim=None),
            torch.searchsorted(sorted_sequence=torch.arange(3.), input=torch.tensor([1.]), out_int32=False, right=False, side=None, sorter=None),
            torch.bucketize(input=torch.tensor([1.]), boundaries=torch.arange(3.), out_int32=False, right=True),
            torch.histc(input=torch.arange(3.), bins=3, min=0, max=3),
            torch.cat(tensors=[torch.ones(1)], dim=0),
            torch.stack(tensors=[torch.ones(1)], dim=0),
            torch.hstack(tensors=[torch.ones(1)]),
            torch.split(tensor=torch.arange(4), split_size_or_sections=2, dim=0),
            torch.chunk(input=torch.arange(4), chunks=2, dim=0),
            torch.unbind(input=torch.arange(4), dim=0),
            torch.tril(input=torch.ones(2,2), diagonal=0),
            torch.diag(input=torch.ones(2), diagonal=1),
            torch.diagonal(input=torch.ones(2,2), offset=0, dim1=0, dim2=1),
            torch.diag_embed(input=torch.ones(2), offset=0, dim1=-2, dim2=-1),
            torch.flip(input=torch.arange(3), dims=(0,)),
            torch.fliplr(input=torch.ones(2,2)),
            torch.roll(input=torch.arange(3), shifts=1, dims=0),
            torch.tile(input=torch.arange(3), dims=(2,)),
            torch.repeat_interleave(input=torch.arange(3), repeats=2, dim=0, output_size=6),
            torch.randperm(n=3).shape,
            torch.bernoulli(input=torch.ones(2), generator=None),
            torch.multinomial(input=torch.ones(2), num_samples=1, replacement=False, generator=None).shape,
            torch.arange(3).tile(dims=(2,)),
            torch.arange(3).repeat(repeats=(2,)),
            torch.arange(3).flip(dims=(0,)),
            torch.ones(3).uniform_(**{"from": 1, "to": 2}).sum() > 2,
            torch.ones(3).random_(**{"from": 1, "to": 2})]


def case_index_put_with_masks(torch, np):
    return [torch.zeros(3).index_put_((torch.tensor([True, False, True]),), torch.tensor(1.)),
            torch.zeros(2, 2).index_put_((torch.tensor([[True, False], [False, True]]),), torch.tensor([1., 2.])),
            torch.zeros(3).index_put_((torch.tensor([True, False, True]),), torch.tensor(1.), accumulate=True),
            torch.zeros(2, 3).index_put((torch.tensor([True, True]), torch.tensor([0, 2])), torch.tensor([1., 2.])),
            torch.zeros(2, 3).index_put((torch.tensor([True, False]),), torch.tensor([1., 2., 3.])),
            torch.zeros(3).index_put_((torch.tensor([0, 2], dtype=torch.int32),), torch.tensor([1., 2.])),
            torch.zeros(3, 2).index_put_((torch.tensor([0, 2]),), torch.tensor([5., 6.])),
            raises(lambda: torch.zeros(2, 3).index_put((torch.tensor([True, False, True]),), torch.tensor(1.))),
            raises(lambda: torch.zeros(3, 2).index_put_((torch.tensor([0]), torch.tensor([1]), torch.tensor([0])),
                                                        torch.tensor(1.)))]


def case_unique_along_a_dim(torch, np):
    return [torch.unique(torch.tensor([[1,2],[3,4],[1,2],[0,5]]), dim=0, return_inverse=True, return_counts=True),
            torch.unique(torch.tensor([[1,2],[3,4],[1,2],[0,5]]), dim=1, return_inverse=True, return_counts=True),
            torch.unique(torch.tensor([[1,2],[3,4],[1,2],[0,5]]), dim=-2),
            torch.unique_consecutive(torch.tensor([[1,2],[1,2],[3,4],[1,2]]), dim=0, return_inverse=True, return_counts=True),
            torch.unique(torch.zeros(0,3), dim=0, return_inverse=True, return_counts=True),
            raises(lambda: torch.unique(torch.zeros(2,0), dim=0, return_inverse=True, return_counts=True)),
            raises(lambda: torch.unique(torch.tensor([[1,2],[3,4]]), dim=2)),
            torch.unique(torch.tensor([[[1,2],[1,2]],[[0,0],[1,2]]]), dim=1, return_inverse=True),
            torch.unique(torch.tensor([[[1,2],[1,2]],[[0,0],[1,2]]]), dim=2, return_counts=True),
            torch.unique(torch.tensor([3,1,3]), dim=0, return_inverse=True),
            torch.unique(torch.tensor([3.,1.,3.]), dim=0),
            torch.unique(torch.tensor([[True, False], [True, False]]), dim=0),
            raises(lambda: torch.unique(torch.tensor(3), dim=0)),
            torch.tensor([[2, 1], [2, 0], [2, 1]]).unique(dim=0, sorted=False)]


def case_torch_random_module(torch, np):
    torch.random.manual_seed(21)
    a = torch.rand(4).tolist()
    s = torch.random.get_rng_state()
    b = torch.rand(4).tolist()
    torch.random.set_rng_state(s)
    return [torch.random.initial_seed(), torch.initial_seed(), torch.rand(4).tolist() == b, a != b,
            type(torch.random.seed()).__name__, torch.random.manual_seed(2) is torch.default_generator]


def case_messages_library_bug(torch, np):
    x = torch.arange(6).reshape(2, 3)
    z = torch.zeros(2, 3)
    return [raises(lambda: x.index_select(0, torch.tensor([0.]))),
            raises(lambda: z.index_add_(0, torch.tensor([0]), torch.ones(1, 2))),
            raises(lambda: z.index_copy_(0, torch.tensor([0, 1]), torch.ones(1, 3))),
            raises(lambda: z.index_fill_(0, torch.tensor([0.]), 1)),
            raises(lambda: z.masked_scatter_(torch.tensor([1, 0, 1]), torch.ones(6))),
            raises(lambda: z.put_(torch.tensor([0]), torch.ones(2))),
            raises(lambda: torch.randperm(3, dtype=torch.bool)), raises(lambda: torch.meshgrid()),
            raises(lambda: torch.zeros(2, 3).index_put((torch.tensor([1, 0], dtype=torch.uint8),), torch.tensor(4.)))]


def case_argument_errors(torch, np):
    x = torch.tensor([3., 1.])
    return [raises(lambda: x.median(None)), raises(lambda: x.median(keepdim=True)), raises(lambda: x.mode(None)),
            type(raises(lambda: torch.zeros(2).scatter(0, torch.tensor([1]), src=torch.ones(1), value=1.))).__name__,
            type(raises(lambda: x.sort(True))).__name__, raises(lambda: x.gather(0)),
            raises(lambda: x.masked_select()), raises(lambda: x.topk())]


def case_index_with_lists(torch, np):
    return [torch.arange(12).reshape(3,4)[[[0, 1], [2, 2]]],
            torch.arange(12).reshape(3,4)[[0, slice(None)]],
            torch.arange(12).reshape(3,4)[[None, 0]],
            torch.arange(12).reshape(3,4)[[torch.tensor(0), 1]],
            torch.arange(12).reshape(3,4)[[0, 1, 2]],
            torch.arange(12).reshape(3,4)[[True, False, True]],
            torch.arange(12).reshape(3,4)[(0, 1)],
            torch.arange(12).reshape(3,4)[[[True, False, True, False]]*3],
            torch.arange(12).reshape(3,4)[[[0]]],
            torch.arange(12).reshape(3,4)[[1.0]],
            torch.arange(12).reshape(3,4)[[[]]],
            torch.arange(12).reshape(3,4)[[[], []]],
            torch.arange(24).reshape(2,3,4)[[0, 1], [0, 1]],
            torch.arange(12).reshape(3,4)[[1.5]],
            torch.arange(12).reshape(3,4)[[-1.5]],
            torch.arange(12).reshape(3,4)[[1.0, 2]],
            torch.arange(12).reshape(3,4)[[[1.0]]],
            torch.arange(12).reshape(3,4)[[True, 1]],
            raises(lambda: torch.arange(12).reshape(3,4)[1.0]),
            raises(lambda: torch.arange(12).reshape(3,4)[torch.tensor([1.0])])]


def _set_with_byte_mask(torch, value):
    t = torch.zeros(2, 3)
    t[torch.tensor([1, 0], dtype=torch.uint8)] = value
    return t


def case_linspace_bits(torch, np):
    # PyTorch's kernel rounds start + step * i (end - step * (steps - 1 - i)
    # past half way) once, as an fma: every bit, every dtype
    out = []
    for a, b, n in [(0., 1., 100), (-3.3, 7.1, 1001), (1e-3, 5.5, 77), (-71.25, 13.7, 301)]:
        for dt in (torch.float64, torch.float32, torch.float16, torch.int64, torch.int32):
            out.append(torch.linspace(a, b, n, dtype=dt).tolist())
    return out


def case_issue13_smaller_differences(torch, np):
    i32 = torch.tensor([-70000, 3], dtype=torch.int32)
    h = torch.tensor([-1.5, 2.], dtype=torch.float16)
    u8 = torch.tensor([200, 100], dtype=torch.uint8)
    return [i32 / h, i32 % h, i32 / h.to(torch.bfloat16), torch.tensor([60000., 1.], dtype=torch.float16) - 65520.,
            u8.sum(dtype=torch.uint8), torch.sum(u8.long(), 0, dtype=torch.int8), u8.prod(dtype=torch.uint8),
            raises(lambda: u8.mean(dtype=torch.int32)),
            torch.softmax(torch.tensor([float("inf"), 1.]), 0), torch.log_softmax(torch.tensor([float("inf"), 1.]), 0),
            torch.linspace(0.1, 0.9, 9).tolist(), torch.linspace(-1., 2., 6, dtype=torch.float64).tolist(),
            raises(lambda: torch.unravel_index(torch.tensor([1, 2]), (2, 0))),
            torch.unravel_index(torch.tensor([], dtype=torch.int64), (2, 0)),
            raises(lambda: torch.tensor([1, 2]) // torch.tensor([0, 1])),
            raises(lambda: torch.tensor([1, 2]) % torch.tensor([0, 1])),
            raises(lambda: torch.tensor([1, 2], dtype=torch.uint8) // torch.tensor([1, 0], dtype=torch.uint8)),
            torch.tensor([1., 2.]) // torch.tensor([0., 1.]),
            raises(lambda: torch.tensor([1.]).max(9)),
            raises(lambda: torch.mm(torch.ones(2), torch.ones(2, 2))), raises(lambda: torch.mm(torch.ones(2, 2), torch.ones(2))),
            raises(lambda: torch.dot(torch.ones(2, 2), torch.ones(2))), raises(lambda: torch.dot(torch.ones(2), torch.ones(2, 2))),
            raises(lambda: torch.softmax(torch.tensor([1, 2]), 0)), raises(lambda: torch.log_softmax(torch.tensor([[1, 2]]), 0)),
            raises(lambda: torch.zeros(3).fill_(torch.tensor([1.]))), torch.zeros(2).fill_(torch.tensor(3.)),
            raises(lambda: torch.randint(0, 300, (2,), dtype=torch.uint8)),
            raises(lambda: torch.randint(-1, 3, (2,), dtype=torch.uint8)),
            raises(lambda: torch.randint(0, 200, (2,), dtype=torch.int8)),
            torch.tensor([2**53 + 1, -9]).div(3, rounding_mode="trunc"),
            torch.tensor([-7, 7], dtype=torch.int8).div(torch.tensor([2, -2]), rounding_mode="trunc"),
            raises(lambda: torch.tensor([-7, 7]).div(torch.tensor([0, 1]), rounding_mode="trunc")),
            raises(lambda: torch.bmm(torch.ones(2, 2), torch.ones(1, 2, 2))),
            raises(lambda: torch.unravel_index(torch.tensor([1.]), (2,))),
            raises(lambda: torch.zeros(2, 0).max(1)), raises(lambda: torch.zeros(2, 0).median(1)),
            h.add(torch.tensor([70000, 1]), alpha=0.5), torch.tensor([1, 2], dtype=torch.int8).sub(torch.tensor([100, 1], dtype=torch.int8), alpha=-2),
            raises(lambda: torch.tensor([1, 2]).add(torch.tensor([3, 1]), alpha=0.5)),
            raises(lambda: torch.tensor([1, 2]).add(2, alpha=1.5)),
            raises(lambda: torch.tensor([1., 2.]).add(torch.tensor([3, 1]), alpha=True)),
            raises(lambda: _set_with_byte_mask(torch, 4.)), _set_with_byte_mask(torch, torch.tensor([4., 5., 6.]))]
