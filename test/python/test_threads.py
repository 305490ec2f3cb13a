"""test_threads.py — one tensorc context per Python thread: threads compute
on their own contexts, a tensor used from another thread is refused with a
clear RuntimeError (never run on a context another thread owns), and a
thread's tensors may outlive it (its context goes when the last one does)."""
import threading

import pytest

import tensorc
import tensorc.torch as torch


def run(fn):
    box = {}

    def main():
        try:
            box["value"] = fn()
        except BaseException as e:  # handed to the caller
            box["error"] = e

    th = threading.Thread(target=main)
    th.start()
    th.join()
    if "error" in box:
        raise box["error"]
    return box.get("value")


def test_each_thread_computes_on_its_own_context():
    results = [None] * 4

    def work(k):
        t = torch.arange(1000.) * k
        for _ in range(20):
            t = (t + 1).relu() - 1
        results[k] = (t.sum().item(), tensorc.stats()["realizations"])

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    for k in range(4):
        assert results[k][0] == sum(range(1000)) * k


def test_a_tensor_from_another_thread_is_refused_with_a_clear_error():
    t = torch.ones(3)
    for f in (lambda: t + 1, lambda: t.sum(), lambda: repr(t), lambda: t[0], lambda: t.tolist(),
              lambda: torch.cat([t, t]), lambda: t.numpy(), lambda: t.add_(1), lambda: torch.ones(3) + t):
        with pytest.raises(RuntimeError, match="belongs to the context of thread .* cannot be used from thread"):
            run(f)
    # metadata needs no context
    assert run(lambda: (t.shape, t.dtype, t.device)) == (torch.Size([3]), torch.float32, torch.device("cpu"))
    assert t.tolist() == [1., 1., 1.]


def test_tensors_outlive_their_thread():
    made = run(lambda: [torch.arange(4) * 2, torch.ones(2)])
    # the values stay readable by no one else, and freeing them here is safe
    assert len(made) == 2
    del made


def test_numpy_copies_move_values_between_threads():
    a = run(lambda: (torch.arange(5) ** 2).numpy().copy())
    assert torch.from_numpy(a).tolist() == [0, 1, 4, 9, 16]


def test_a_generator_belongs_to_its_thread_and_the_default_one_to_every_thread():
    g = torch.Generator().manual_seed(3)
    for f in (lambda: g.manual_seed(1), lambda: g.get_state(), lambda: torch.randperm(3, generator=g),
              lambda: torch.rand(2, generator=g), lambda: torch.empty(2).uniform_(generator=g)):
        with pytest.raises(RuntimeError, match="another thread"):
            run(f)
    # torch.default_generator stands for the calling thread's own stream
    torch.manual_seed(5)
    assert run(lambda: (torch.manual_seed(7), torch.initial_seed())[1]) == 7
    assert torch.initial_seed() == 5
    assert run(lambda: torch.randperm(4, generator=torch.default_generator).sort().values.tolist()) == [0, 1, 2, 3]
