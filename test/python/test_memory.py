"""test_memory.py — reference counting is exact: a Tensor owns one reference
to its handle, so the context's live-handle count (tensorc.live_tensors())
comes back after any amount of work, and Python objects (tensors, views,
NumPy arrays sharing memory, DLPack capsules) may die in any order without a
use after free (the ASan build runs this file too) or a leak of the NumPy
array tensorc holds."""
import copy
import gc
import sys

import numpy as np
import pytest

import tensorc
import tensorc.torch as torch
from conftest import SANITIZED


def settled():
    gc.collect()
    return tensorc.live_tensors(), tensorc.live_nodes()


def test_a_million_small_ops_leave_no_handle_behind():
    a = torch.arange(8.)
    b = torch.ones(8)
    tensorc.realize(a, b)  # lazy sources hold more nodes than their buffers
    before = settled()
    n = 20_000 if SANITIZED else 1_000_000
    for i in range(n // 4):  # four ops an iteration
        y = (a + i) * b - a
        y = y / 2
        if i % 5000 == 0:
            y.sum().item()
    del y
    assert settled() == before


def test_methods_views_and_inplace_ops_leave_no_handle_behind():
    before = settled()
    for i in range(2000):
        t = torch.arange(12.).reshape(3, 4)
        v = t[1:, ::2]
        v.add_(1)
        t.T.contiguous().view(-1)
        t[t > 5] = 0
        t[[0, 2], 1] = torch.tensor([1., 2.])
        m = t.max(dim=1)
        t.sum(1, keepdim=True).tolist()
        torch.cat([t, v.clone().reshape(2, 2).repeat(1, 2)])
        s = t.split(2, dim=1)
        for row in t:
            row.item() if row.numel() == 1 else None
        c, d = copy.copy(t), copy.deepcopy([t, t.T, v])
        c.data_ptr() + d[1].data_ptr()
        t.shape[1:] + t.shape * 2
        del t, v, m, s, row, c, d
    assert settled() == before


def test_errors_leave_no_handle_behind():
    before = settled()
    a = torch.ones(2, 3)
    for _ in range(200):
        for f in (lambda: a + torch.ones(3, 2), lambda: a[5], lambda: a.view(4), lambda: a @ a,
                  lambda: a.sum(dim=4), lambda: torch.cat([a, torch.ones(2)]), lambda: a[[0, 9]]):
            with pytest.raises(Exception):
                f()
    del a, f
    assert settled() == before


def test_views_outlive_their_base_in_any_order():
    for order in range(6):
        t = torch.arange(24.).reshape(2, 3, 4)
        v1 = t[1]
        v2 = v1.T
        v3 = v2[1:]
        objs = [t, v1, v2, v3]
        del t, v1, v2, v3
        # drop them in a different order each time
        perm = [objs[(order + k) % 4] for k in range(4)] if order < 4 else list(reversed(objs))
        keep = perm[-1]
        objs.clear()
        perm.clear()
        assert keep.sum().item() == keep.sum().item()
        del keep
    assert settled()[0] >= 0


def refs(x):
    return sys.getrefcount(x)


def test_from_numpy_holds_the_array_exactly_as_long_as_tensorc_uses_it():
    a = np.arange(6.)
    base = refs(a)
    t = torch.from_numpy(a)
    assert refs(a) == base + 1
    v = t[2:]
    lazy = v * 2  # computed at once (reads shared memory)
    del t
    assert refs(a) == base + 1  # the view still uses the memory
    assert lazy.tolist() == [4., 6., 8., 10.]
    del v, lazy
    gc.collect()
    assert refs(a) == base


def test_the_array_may_die_before_the_tensor():
    t = torch.from_numpy(np.arange(4))
    t.add_(1)  # the array lives on inside the tensor
    assert t.tolist() == [1, 2, 3, 4]
    n = t.numpy()
    del t
    n[0] = 7  # the array from .numpy() keeps the memory (its base is the Tensor)
    assert n.tolist() == [7, 2, 3, 4]


def test_numpy_arrays_keep_a_dead_tensor_memory():
    before = settled()
    arrays = []
    for i in range(50):
        t = torch.arange(5) + i
        arrays.append(t.numpy())
        arrays.append(np.asarray(t[1:]))
        del t
    assert settled()[0] == before[0] + 100  # each array holds its Tensor
    assert arrays[-2].tolist() == [49, 50, 51, 52, 53] and arrays[-1].tolist() == [50, 51, 52, 53]
    del arrays
    assert settled() == before


def test_dlpack_capsules_in_any_order():
    before = settled()
    t = torch.arange(6.)
    unused = t.__dlpack__()  # never consumed: its destructor gives the tensor back
    versioned = t.__dlpack__(max_version=(1, 0))
    a = np.from_dlpack(t)
    del t
    a[0] = 5
    assert a.tolist()[:2] == [5., 1.]
    del unused, versioned
    gc.collect()
    del a
    assert settled() == before
    n = np.arange(3.)
    base = refs(n)
    u = torch.from_dlpack(n)
    del n  # NumPy's capsule keeps the array; tensorc calls its deleter at the end
    assert u.tolist() == [0., 1., 2.]
    del u
    assert settled() == before
    _ = base


def test_a_context_outlives_its_last_tensor_only():
    before = settled()
    ts = [torch.ones(3) * i for i in range(10)]
    ts.reverse()
    del ts
    assert settled() == before


def test_the_ops_of_cases_ops_leave_no_handle_behind_even_when_they_raise():
    import cases_ops
    # (set_state leaks in the library: test_set_rng_state_leaves_no_handle_behind)
    fns = [getattr(cases_ops, n) for n in sorted(dir(cases_ops))
           if n.startswith("case_") and n not in ("case_generators_and_rng_state", "case_torch_random_module")]

    def run_all():
        for f in fns:
            try:
                f(torch, np)
            except Exception:
                pass

    run_all()  # the first run may make lasting state (generators' states, caches)
    before = settled()
    for _ in range(3):
        run_all()
    assert settled()[0] == before[0]


def test_set_rng_state_leaves_no_handle_behind():
    g = torch.Generator()
    state, gstate = torch.get_rng_state(), g.get_state()
    before = settled()
    for _ in range(5):
        torch.set_rng_state(state)
        g.set_state(gstate)
    assert settled()[0] == before[0]


def test_views_hold_their_base_which_may_die_first():
    before = settled()
    for i in range(500):
        x = torch.arange(12.).reshape(3, 4).clone()
        v = x.t()[0]
        del x  # v._base keeps the root Tensor alive, as PyTorch's
        assert v._base.shape == (3, 4) and v._is_view()
        w = v[1:]
        assert w._base is v._base
        del v
        w._base.add_(1)
        assert w.tolist() == [5.0, 9.0]
        s = w.untyped_storage()
        del w
        assert s.nbytes() == 48
        del s
    assert settled() == before
