"""test_out.py — PyTorch's out= in tensorc.torch: every case of cases_out.py
(elementwise ops, reductions, (values, indices) results, creation
functions, joins, gathers; resizes of empty and non-empty outs; dtype casts
and refusals; transposed and strided outs, outs that are views of a bigger
tensor, outs that alias an input) gives, fused and eager, what PyTorch gave
(expected_out.json, made by `python3 cases_out.py` with PyTorch: values,
dtypes, shapes, strides, exceptions and their messages, warnings). Then
the warning itself through pytest.warns, a loop of 1000
torch.add(x, 1, out=x) that reuses one schedule and compiles nothing, out=
on a CUDA device (the emulated one), and, where PyTorch is installed,
that expected_out.json is still what it does."""
import json
import math
import os
import subprocess
import sys
import warnings

import pytest

import tensorc
import tensorc.torch as torch
import cases_out
from conftest import run_on_cuda

here = os.path.dirname(os.path.abspath(__file__))
expected = json.load(open(os.path.join(here, "expected_out.json")))
names = sorted(k for k in expected if not k.startswith("_"))


def close(got, want):
    """Equal, floats within float32's assert_close tolerances (the values
    of float64 cases are exact or near it)."""
    if isinstance(want, float) and isinstance(got, float):
        return (math.isnan(got) and math.isnan(want)) or math.isclose(got, want, rel_tol=1.3e-6, abs_tol=1e-5)
    if isinstance(want, list) and isinstance(got, list):
        return len(got) == len(want) and all(close(g, w) for g, w in zip(got, want))
    if isinstance(want, dict) and isinstance(got, dict):
        return got.keys() == want.keys() and all(close(got[k], want[k]) for k in want)
    return type(got) is type(want) and got == want


@pytest.fixture(scope="module")
def results():
    """Both modes' results, computed once."""
    r = {}
    for m in ("fused", "eager"):
        tensorc.set_eager(m == "eager")
        try:
            r[m] = cases_out.run(torch)
        finally:
            tensorc.set_eager(False)
    return r


@pytest.mark.parametrize("m", ["fused", "eager"])
@pytest.mark.parametrize("name", names)
def test_out_case_does_what_pytorch_does(results, name, m):
    got, want = results[m][name], expected[name]
    assert close(got, want), f"{name} ({m}):\n got  {json.dumps(got)}\n want {json.dumps(want)}"


def test_every_case_has_an_expected_value():
    assert sorted(cases_out.cases(torch)) == names


# ---- the resize warning ---------------------------------------------------------

def test_a_nonempty_out_of_another_shape_is_resized_with_pytorchs_warning():
    o = torch.full((5,), 7.)
    with pytest.warns(UserWarning, match=r"An output with one or more elements was resized since it had shape "
                                         r"\[5\], which does not match the required output shape \[2, 3\]") as w:
        r = torch.add(torch.ones(2, 3), 1, out=o)
    assert r is o and o.shape == (2, 3) and o.tolist() == [[2.] * 3] * 2
    assert str(w[0].message).endswith("This behavior is deprecated, and in a future PyTorch release outputs will "
                                      "not be resized unless they have zero elements. You can explicitly reuse an "
                                      "out tensor t by resizing it, inplace, to zero elements with t.resize_(0).")
    assert w[0].filename == __file__  # attributed to the caller's line, as PyTorch's


def test_an_empty_out_or_one_of_the_right_shape_is_not_warned_about():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        o = torch.empty(0)
        torch.mul(torch.ones(2, 2), 3, out=o)
        torch.mul(torch.ones(2, 2), 4, out=o)
        o.resize_(0)
        torch.sum(torch.ones(2, 2), 1, out=o)
    assert o.tolist() == [2., 2.]


def test_the_warning_made_an_error_comes_after_the_values_are_written():
    """PyTorch issues a kernel's warnings when it returns: out is written
    even when a filter turns the warning into an exception."""
    o = torch.full((3,), 7.)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(UserWarning, match="An output with one or more elements was resized"):
            torch.add(torch.ones(2), 1, out=o)
    assert o.tolist() == [2., 2.]


# ---- a loop writing into its own input -------------------------------------------

def test_a_loop_of_add_into_its_own_input_reuses_one_schedule():
    """torch.add(x, 1, out=x) then x.item(), 1000 times: the same graph each
    step, so after the first steps every realization is a schedule hit, one
    kernel launch, no compilation and no new memory (x is written in
    place). Counted, never timed."""
    x = torch.zeros(())
    for _ in range(5):  # the first steps make the schedule and its kernel
        torch.add(x, 1, out=x)
        x.item()
    before = tensorc.stats()
    for i in range(1000):
        r = torch.add(x, 1, out=x)
        assert r is x
        assert x.item() == 6 + i
    after = tensorc.stats()
    d = {k: after[k] - before[k] for k in ("realizations", "schedule_hits", "kernels_launched", "kernels_compiled",
                                          "disk_hits", "bytes_allocated")}
    assert d["realizations"] == 1000
    assert d["schedule_hits"] == 1000
    assert d["kernels_launched"] == 1000
    assert d["kernels_compiled"] + d["disk_hits"] <= 1  # at most the tier-up of the one kernel (ARCHITECTURE.md)
    assert d["bytes_allocated"] == 0


def test_a_loop_into_a_bigger_out_builds_no_graph_that_grows():
    x = torch.zeros(100)
    y = torch.arange(100.)
    for _ in range(5):
        torch.mul(x, 0.5, out=x)
        torch.add(x, y, out=x)
        x.sum().item()
    nodes = tensorc.live_nodes()
    before = tensorc.stats()
    for _ in range(200):
        torch.mul(x, 0.5, out=x)
        torch.add(x, y, out=x)
        x.sum().item()
    after = tensorc.stats()
    assert after["schedule_hits"] - before["schedule_hits"] == 200
    assert after["kernels_compiled"] + after["disk_hits"] - before["kernels_compiled"] - before["disk_hits"] <= 2
    assert tensorc.live_nodes() == nodes
    assert abs(x[99].item() - 198.) < 1e-3  # x = x/2 + 99 converges to 198


def test_out_leaks_no_tensor_handles():
    live = tensorc.live_tensors()
    for _ in range(3):
        o, v, i = torch.empty(0), torch.empty(0), torch.empty(0, dtype=torch.int64)
        torch.add(torch.ones(3), 1, out=o)
        torch.sort(torch.ones(4), out=(v, i))
        try:
            torch.add(torch.ones(3), 0.5, out=torch.empty(0, dtype=torch.int64))
        except RuntimeError:
            pass
        del o, v, i
    assert tensorc.live_tensors() == live


# ---- devices ------------------------------------------------------------------------

CUDA_SCRIPT = r"""
import tensorc.torch as torch
assert torch.cuda.is_available()
a = torch.arange(6.).view(2, 3)
o = torch.empty(0, device="cuda")
for x, out in ((a, o), (a.cuda(), torch.empty(0))):
    try:
        torch.add(x, 1, out=out)
        raise SystemExit("no error")
    except RuntimeError as e:
        assert str(e) == ("Expected all tensors to be on the same device, but found at least two devices, "
                          "cuda:0 and cpu!"), str(e)
assert o.shape == (0,)
assert torch.add(a.cuda(), 1, out=o) is o and o.device.type == "cuda" and o.tolist() == [[1., 2., 3.], [4., 5., 6.]]
z = torch.zeros(2, out=o)
assert z is o and o.device.type == "cuda" and o.tolist() == [0., 0.]
v, i = torch.empty(0, device="cuda"), torch.empty(0, dtype=torch.int64, device="cuda")
r = torch.sort(a.cuda(), descending=True, out=(v, i))
assert r.values is v and i.tolist() == [[2, 1, 0], [2, 1, 0]] and v.device.type == "cuda"
base = torch.zeros(4, device="cuda")
torch.add(torch.ones(6, device="cuda"), 1, out=base[:2].resize_(0))
assert base.tolist() == [2., 2., 2., 2.]
print("ok")
"""


def test_out_on_a_cuda_device_and_pytorchs_device_mismatch_error():
    run_on_cuda(CUDA_SCRIPT)


# ---- expected_out.json against PyTorch itself ---------------------------------------

def test_expected_out_json_is_what_pytorch_does_now():
    """Runs cases_out.py with the real PyTorch (a separate process: this one
    may have tensorc.torch installed as torch) where it is installed."""
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    env.pop("LD_PRELOAD", None)
    probe = subprocess.run([sys.executable, "-c", "import torch, numpy; print(torch.__version__)"],
                           capture_output=True, text=True, env=env, cwd=here, timeout=300)
    if probe.returncode != 0:
        pytest.skip("PyTorch is not installed")
    r = subprocess.run([sys.executable, os.path.join(here, "cases_out.py"), "--print"], capture_output=True,
                       text=True, env=env, cwd=here, timeout=600)
    assert r.returncode == 0, r.stderr
    now = json.loads(r.stdout)
    stale = [k for k in names if not close(now.get(k), expected[k])]
    assert not stale and sorted(now) == names, (
        f"PyTorch {probe.stdout.strip()} differs from expected_out.json in {stale or 'the case list'}: "
        "remake it with python3 test/python/cases_out.py")
