"""test_cuda_ops.py — the ops of cases_ops.py on a CUDA device give what
they give on the CPU (values, dtypes, shapes), on the device, and random
ops the same numbers for the same seed (tensorc's counter-based stream is
the same on every device). Skipped without CUDA; TC_CUDA_EMULATE=1 runs it
on the emulated device."""
import pytest

import tensorc.torch as torch

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")


def t(data, dev, **kw):
    return torch.tensor(data, **kw).to(dev)


OPS = {
    "index": lambda d: t([[1, 2, 3], [4, 5, 6]], d)[[0, 1], t([2, 0], d)],
    "mask": lambda d: t([[1, 2, 3], [4, 5, 6]], d)[t([[1, 2, 3], [4, 5, 6]], d) > 2],
    "setitem": lambda d: (lambda x: (x.__setitem__((slice(None), t([0, 0], d)), 9), x)[1])(t([[1, 2], [3, 4]], d)),
    "cat": lambda d: torch.cat([t([1., 2.], d) * 2, t([3.], d) + 1]),
    "stack": lambda d: torch.stack([t([1, 2], d), t([3, 4], d)], 1),
    "split": lambda d: t([1, 2, 3, 4, 5], d).split([2, 3])[1],
    "flip_roll": lambda d: torch.roll(t([[1, 2, 3], [4, 5, 6]], d).flip(1), 1, 0),
    "tril_diag": lambda d: torch.diag(t([[1, 2], [3, 4]], d).tril(), 0),
    "repeat_interleave": lambda d: torch.repeat_interleave(t([[1, 2], [3, 4]], d), t([2, 1], d), dim=0),
    "gather": lambda d: t([[1, 2, 3], [4, 5, 6]], d).gather(1, t([[2, 0], [1, 1]], d)),
    "take_along_dim": lambda d: torch.take_along_dim(t([[3, 1, 2]], d), t([[1, 2, 0]], d), 1),
    "nonzero": lambda d: t([[0, 1], [2, 0]], d).nonzero(),
    "bincount": lambda d: torch.bincount(t([0, 1, 1, 3], d), minlength=5),
    "scatter_add": lambda d: torch.zeros(4, device=d).scatter_add(0, t([0, 0, 3], d), t([1., 2., 3.], d)),
    "scatter_reduce": lambda d: t([1., 2.], d).scatter_reduce(0, t([0, 0, 1], d), t([5., 6., 7.], d), "amax"),
    "index_add": lambda d: torch.zeros(3, 2, device=d).index_add(0, t([0, 2, 0], d), torch.ones(3, 2, device=d)),
    "index_put_acc": lambda d: torch.zeros(3, device=d).index_put((t([0, 0, 2], d),), t([1., 2., 3.], d), True),
    "masked_scatter": lambda d: torch.zeros(3, device=d).masked_scatter(t([True, False, True], d), t([7., 8.], d)),
    "put": lambda d: torch.zeros(2, 2, device=d).put(t([3, 0], d), t([1., 2.], d)),
    "cumsum": lambda d: t([[1, 2, 3], [4, 5, 6]], d).cumsum(1),
    "cummax": lambda d: t([1., 3., 2., 5.], d).cummax(0).indices,
    "logcumsumexp": lambda d: t([0., 1., 2.], d).logcumsumexp(0),
    "sort": lambda d: t([3., 1., 2., 1.], d).sort(descending=True).indices,
    "topk": lambda d: t([1., 5., 3., 5.], d).topk(2).values,
    "kthvalue": lambda d: t([[1, 5], [3, 2]], d).kthvalue(1, 0).indices,
    "median": lambda d: t([[1., 5., 0.], [3., 2., 1.]], d).median(1).values,
    "mode": lambda d: t([1, 2, 2, 3], d).mode().values,
    "unique": lambda d: torch.unique(t([3, 1, 3, 2], d), return_counts=True)[1],
    "unique_dim": lambda d: torch.unique(t([[1, 2], [0, 1], [1, 2]], d), dim=0),
    "searchsorted": lambda d: torch.searchsorted(t([1, 3, 5], d), t([0, 3, 6], d)),
    "histc": lambda d: torch.histc(t([1., 2., 1., 4.], d), bins=4, min=0, max=4),
}


@pytest.mark.parametrize("name", sorted(OPS))
def test_op_on_cuda_matches_the_cpu(name):
    cpu, gpu = OPS[name]("cpu"), OPS[name]("cuda")
    assert gpu.device.type == "cuda", name
    assert (gpu.dtype, gpu.shape) == (cpu.dtype, cpu.shape)
    if cpu.is_floating_point():
        assert gpu.cpu().flatten().tolist() == pytest.approx(cpu.flatten().tolist(), rel=1.3e-6, abs=1e-5)
    else:
        assert gpu.cpu().tolist() == cpu.tolist()


RANDOM = {
    "randperm": lambda d: torch.randperm(20, device=d),
    "uniform_": lambda d: torch.empty(16, device=d).uniform_(-1, 1),
    "normal_": lambda d: torch.empty(16, device=d).normal_(),
    "random_": lambda d: torch.empty(16, dtype=torch.int64, device=d).random_(0, 100),
    "bernoulli": lambda d: torch.bernoulli(torch.full((16,), 0.5, device=d)),
    "multinomial": lambda d: torch.multinomial(torch.ones(8, device=d), 4),
}


@pytest.mark.parametrize("name", sorted(RANDOM))
def test_random_op_gives_the_same_numbers_on_cuda_for_a_seed(name):
    torch.manual_seed(1234)
    cpu = RANDOM[name]("cpu").tolist()
    torch.manual_seed(1234)
    gpu = RANDOM[name]("cuda")
    assert gpu.device.type == "cuda"
    assert gpu.cpu().tolist() == cpu
