#!/usr/bin/env python3
"""python_ops.py — what recording an op costs from Python.

usage: PYTHONPATH=build/python python3 bench/python_ops.py [--repeat N]

A 10-op elementwise expression on 1000-element float32 tensors,

    y = ((a * b + c) * 0.5 - d).relu() * a + b / (c + 1) - d

timed per op (the expression's time / 10), median of 7 runs of 2000
expressions each, after warm-up:
  tensorc record        building the expression (lazy: nothing computed)
  tensorc record+run    building it and computing it (tensorc.realize: one
                        fused kernel, its schedule cached)
  tensorc eager         TC_EAGER-style: one kernel per op (tensorc.set_eager)
  torch eager           PyTorch computing each op (when torch is importable,
                        in a child process; optional)
Prints a table and one JSON line per figure:
  {"bench": "python_ops", "impl": "tensorc", "figure": "record", "us_per_op": V}
Not a test: it asserts nothing about the times."""
import json
import os
import statistics
import subprocess
import sys
import time

N = 1000
EXPRS = 2000
RUNS = 7


def expr(a, b, c, d):
    return ((a * b + c) * 0.5 - d).relu() * a + b / (c + 1) - d


def time_per_op(fn, runs=RUNS):
    fn()  # warm-up: kernels compiled, schedules cached
    fn()
    ts = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t0)
    return statistics.median(ts) / (EXPRS * 10) * 1e6


def bench_torch():
    import torch
    torch.set_num_threads(int(os.environ.get("TC_NUM_THREADS", "0")) or os.cpu_count())
    a, b, c, d = (torch.rand(N) for _ in range(4))

    def run():
        for _ in range(EXPRS):
            expr(a, b, c, d)

    return {"torch eager": time_per_op(run)}


def bench_tensorc():
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path.append(os.path.join(os.path.dirname(here), "build", "python"))
    import tensorc
    import tensorc.torch as torch
    a, b, c, d = (torch.rand(N) for _ in range(4))
    tensorc.realize(a, b, c, d)

    def record():
        for _ in range(EXPRS):
            expr(a, b, c, d)

    def record_run():
        for _ in range(EXPRS):
            tensorc.realize(expr(a, b, c, d))

    out = {"tensorc record": time_per_op(record), "tensorc record+run": time_per_op(record_run)}
    tensorc.set_eager(True)
    out["tensorc eager"] = time_per_op(record)
    tensorc.set_eager(False)
    return out


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--torch-child":
        print(json.dumps(bench_torch()))
        return
    figures = bench_tensorc()
    try:
        r = subprocess.run([sys.executable, __file__, "--torch-child"], capture_output=True, text=True, timeout=600)
        if r.returncode == 0:
            figures.update(json.loads(r.stdout.strip().splitlines()[-1]))
        else:
            print("torch is not importable: PyTorch's figure left out", file=sys.stderr)
    except (OSError, subprocess.TimeoutExpired, ValueError):
        print("torch did not run: PyTorch's figure left out", file=sys.stderr)
    print(f"python_ops: 10-op elementwise expression, {N} float32 elements, time per op "
          f"(median of {RUNS} runs of {EXPRS} expressions)\n")
    for name, us in figures.items():
        print(f"  {name:22s} {us:8.3f} us/op")
    if "torch eager" in figures:
        print(f"\n  tensorc record / torch eager: {figures['tensorc record'] / figures['torch eager']:.2f}")
    for name, us in figures.items():
        impl, figure = name.split(" ", 1)
        print(json.dumps({"bench": "python_ops", "impl": impl, "figure": figure, "us_per_op": round(us, 4)}))


if __name__ == "__main__":
    main()
