"""test_interop.py — the NumPy and DLPack sharing rules beyond what
test_cases.py compares with PyTorch: memory addresses (no copies), the
order of writes and lazy reads, the array interface, DLPack capsule
protocol details (names, versions, consumed capsules), and tensorc's own
limits (dtypes it has no type for, CUDA tensors)."""
import warnings

import numpy as np
import pytest

import tensorc
import tensorc.torch as torch


def addr(a):
    return a.__array_interface__["data"][0]


def test_from_numpy_and_numpy_use_the_same_memory():
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    t = torch.from_numpy(a)
    assert addr(t) == addr(a)
    assert addr(t.numpy()) == addr(a)
    assert addr(t[1]) == addr(a[1])
    assert torch.as_tensor(a).__array_interface__["data"][0] == addr(a)
    b = torch.zeros(4)
    assert addr(b.numpy()) == addr(np.asarray(b)) == addr(b)


def test_a_write_lands_before_the_call_returns():
    a = np.zeros(4)
    t = torch.from_numpy(a)
    t[1:3] = 5
    assert a.tolist() == [0, 5, 5, 0]
    t.index_put_((torch.tensor([0, 3]),), torch.tensor([1., 2.], dtype=torch.float64))
    assert a.tolist() == [1, 5, 5, 2]
    t.masked_fill_(t > 4, -1)
    assert a.tolist() == [1, -1, -1, 2]
    t[1:] = t[:-1].clone()
    with pytest.raises(RuntimeError, match="refer to a single memory location"):
        t[1:] = t[:-1]  # a partial overlap: refused, as PyTorch refuses it
    assert a.tolist() == [1, 1, -1, -1]


def test_results_are_computed_when_the_op_is_called():
    a = np.ones(3)
    t = torch.from_numpy(a)
    y = t + 1
    a[:] = 100
    assert y.tolist() == [2, 2, 2]
    assert (t + 1).tolist() == [101, 101, 101]


def test_lazy_work_before_numpy_keeps_the_old_values():
    t = torch.arange(4.)
    y = t * 10  # lazy, reads t's current value
    n = t.numpy()
    n[0] = 99
    assert y.tolist() == [0, 10, 20, 30]
    assert t[0].item() == 99


def test_array_interface_describes_the_view():
    t = torch.arange(12, dtype=torch.int16).reshape(3, 4).T[1:]
    ai = t.__array_interface__
    assert ai["shape"] == (3, 3) and ai["typestr"] == "<i2" and ai["strides"] == (2, 8) and ai["version"] == 3
    assert ai["data"][1] is False
    assert np.asarray(t).tolist() == t.tolist()
    assert torch.ones(2).__array_interface__["strides"] is None


def test_dtypes_tensorc_has_no_type_for():
    with pytest.raises(TypeError, match="can't convert np.ndarray of type numpy.uint16"):
        torch.from_numpy(np.zeros(2, np.uint16))
    with pytest.raises(TypeError, match="can't convert np.ndarray of type numpy.complex64"):
        torch.from_numpy(np.zeros(2, np.complex64))
    with pytest.raises(TypeError, match="Got unsupported ScalarType BFloat16"):
        np.asarray(torch.ones(2, dtype=torch.bfloat16))


def test_a_read_only_array_warns_as_pytorch_does():
    a = np.arange(3)
    a.flags.writeable = False
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        t = torch.from_numpy(a)
    assert any("not writable" in str(x.message) for x in w)
    assert t.tolist() == [0, 1, 2]


def test_dlpack_capsules_follow_the_protocol():
    t = torch.arange(3.)
    assert "dltensor" in repr(t.__dlpack__())
    assert "dltensor_versioned" in repr(t.__dlpack__(max_version=(1, 0)))
    assert "dltensor\"" in repr(t.__dlpack__(max_version=(0, 8)))
    assert t.__dlpack_device__() == (1, 0)
    cap = t.__dlpack__()
    u = torch.from_dlpack(cap)
    assert "used_dltensor" in repr(cap)
    with pytest.raises(ValueError, match="not an unconsumed DLPack tensor"):
        torch.from_dlpack(cap)
    u[0] = 7
    assert t[0].item() == 7
    c = t.__dlpack__(copy=True)
    v = torch.from_dlpack(c)
    v[1] = -1
    assert t[1].item() == 1
    with pytest.raises(TypeError, match="__dlpack__"):
        torch.from_dlpack([1, 2])


def test_dlpack_dtypes_round_trip():
    for dt in (torch.bool, torch.uint8, torch.int8, torch.int16, torch.int32, torch.int64, torch.float16,
               torch.float32, torch.float64, torch.bfloat16):
        t = torch.ones(2, 3, dtype=dt)
        u = torch.from_dlpack(t)
        assert u.dtype == dt and u.shape == t.shape and torch.equal(u, t)
    for np_dt in ("bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"):
        a = np.ones((2, 2), dtype=np_dt)
        assert np.from_dlpack(torch.from_dlpack(a)).dtype == a.dtype


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_a_cuda_tensor_is_not_shared_with_numpy():
    g = torch.ones(2, device="cuda")
    with pytest.raises(TypeError, match="can't convert cuda:0 device type tensor to numpy. Use Tensor.cpu()"):
        g.numpy()
    assert g.numpy(force=True).tolist() == [1, 1]


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_cuda_is_shared_data_ptr_and_deepcopy():
    import copy
    g = torch.arange(4.0, device="cuda")
    assert g.is_shared() is True  # PyTorch: always True for CUDA tensors
    assert torch.empty(0, device="cuda").data_ptr() == 0
    p = g.data_ptr()  # the device address, stable under in-place writes
    assert p != 0 and g[1:].data_ptr() == p + 4 and g.untyped_storage().data_ptr() == p
    g.add_(1)
    assert g.data_ptr() == p and g.tolist() == [1, 2, 3, 4]
    g.sub_(1)
    d = copy.deepcopy(g)
    assert d.device == g.device and d.tolist() == [0, 1, 2, 3]
    d.add_(1)
    assert g.tolist() == [0, 1, 2, 3]


CUDA_DLPACK = """
import tensorc.torch as torch
x = torch.arange(6.).reshape(2, 3).cuda()
assert x.__dlpack_device__() == (2, 0)
y = torch.from_dlpack(x.t())  # a CUDA capsule: the same device memory
assert y.device.type == "cuda" and y.tolist() == [[0, 3], [1, 4], [2, 5]]
assert y.data_ptr() == x.data_ptr()
y.fill_(3.)
assert x.tolist() == [[3, 3, 3], [3, 3, 3]]
c = torch.from_dlpack(x.__dlpack__(max_version=(1, 0), copy=True))  # a copy
x.zero_()
assert c.tolist() == [[3, 3, 3], [3, 3, 3]] and x.tolist() == [[0, 0, 0], [0, 0, 0]]
x.__dlpack__(dl_device=(2, 0))
try:
    x.__dlpack__(dl_device=(1, 0))
    raise SystemExit("exported a CUDA tensor to the CPU")
except BufferError as e:
    assert "own device" in str(e)
print("ok")
"""


def test_cuda_tensors_go_through_dlpack_without_a_copy():
    """On the emulated device when there is no GPU."""
    from conftest import run_on_cuda
    run_on_cuda(CUDA_DLPACK)


def test_a_deferred_index_check_raises_at_the_read_and_writes_nothing():
    """set_index_check('deferred') (the default for CUDA tensors): an
    indexing op returns at once; the realization that needs it checks the
    index in a kernel and raises PyTorch's error there, before anything is
    written. A write into memory shared with NumPy is realized at the call,
    so it raises there and the array keeps its values."""
    assert tensorc.get_index_check() == "auto"
    tensorc.set_index_check("deferred")
    try:
        x = torch.arange(6.)
        i = torch.arange(4) * 3
        g = torch.gather(x, 0, i)  # no error yet
        for _ in range(2):
            with pytest.raises(RuntimeError, match="index 6 is out of bounds for dimension 0 with size 6"):
                g.sum().item()
        with pytest.raises(IndexError, match="index 6 is out of bounds for dimension 0 with size 6"):
            print(x[i])
        a = np.arange(6, dtype=np.float32)
        t = torch.from_numpy(a)
        with pytest.raises(IndexError, match="index 6 is out of bounds"):
            t[i] = 1.0
        assert a.tolist() == [0, 1, 2, 3, 4, 5] and t.tolist() == [0, 1, 2, 3, 4, 5]
        t[i % 6] = 7.0
        assert a.tolist() == [7, 1, 2, 7, 4, 5]
        with pytest.raises(ValueError):
            tensorc.set_index_check("later")
    finally:
        tensorc.set_index_check("auto")
    with pytest.raises(IndexError, match="index 6 is out of bounds"):  # at the call again
        torch.arange(6.)[torch.arange(4) * 3]
