#!/usr/bin/env python3
"""torch_loops.py: the loops of bench/bench_loops.c in PyTorch eager, on the
CPU with the same number of threads as tensorc (TC_NUM_THREADS, else all
cores). Prints one JSON line per loop:
  {"bench": "torch_eager", "loop": NAME, "figure": "us_per_step", "value": V, "unit": "us"}
Time per step: the best of 3 timed runs after two warm-up runs. Exits 0 with a
note on stderr when torch is not importable (tensorc never needs it)."""
import os
import sys
import time

try:
    import torch
except ImportError:
    print("torch_loops: torch is not importable", file=sys.stderr)
    sys.exit(0)

threads = int(os.environ.get("TC_NUM_THREADS", "0")) or os.cpu_count()
torch.set_num_threads(threads)


def gd_item(steps):
    w = torch.ones(2)
    v = 0.0
    for _ in range(steps):
        s = w.sum()
        w = w - 0.25 * s
        v = s.item()
    return v


def regression(steps):
    torch.manual_seed(1)
    x = torch.randn(1024, 16)
    y = x @ torch.arange(0, 16, dtype=torch.float32).reshape(16, 1)
    w = torch.zeros(16, 1)
    loss = 0.0
    for i in range(steps):
        lr = 0.1 / (1 + 0.001 * i)
        err = x @ w - y
        l = (err * err).mean()
        g = (x.t() @ err) * (2.0 / 1024)
        w = w - g * lr
        loss = l.item()
    return loss


def scalar_schedule(steps):
    y = torch.zeros(1000)
    v = 0.0
    for i in range(steps):
        y = y + i
        v = y.sum().item()
    return v


def stencil(steps):
    n = 4096
    x = torch.zeros(n)
    x[0] = 1.0
    v = 0.0
    for i in range(steps):
        x[1:-1] = (x[:-2] + x[2:]) * 0.5
        if i % 50 == 49:
            v = x.sum().item()
    return v


def running_average(steps):
    torch.manual_seed(2)
    avg = torch.zeros(10000)
    v = 0.0
    for i in range(steps):
        avg = avg * 0.9 + torch.rand(10000) * 0.1
        if i % 10 == 9:
            v = avg.mean().item()
    return v


def mask_write(steps):
    x = torch.zeros(100000)
    mask = torch.arange(100000) % 10 == 0
    v = torch.arange(10000, dtype=torch.float32)
    s = 0.0
    for i in range(steps):
        x[mask] = v + i
        s = x.sum().item()
    return s


def matmul_expr(steps):
    torch.manual_seed(3)
    x = torch.rand(256, 256)
    y = torch.rand(256, 256)
    v = 0.0
    for _ in range(steps):
        v = ((x * 2 + 1) @ (y - 0.5)).sum().item()
    return v


LOOPS = [("gd_item", gd_item, 1000), ("regression", regression, 200),
         ("scalar_schedule", scalar_schedule, 1000), ("stencil", stencil, 500),
         ("running_average", running_average, 1000), ("mask_write", mask_write, 100),
         ("matmul_expr", matmul_expr, 10)]

for name, fn, steps in LOOPS:
    fn(steps)
    fn(steps)
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        fn(steps)
        best = min(best, (time.perf_counter() - t0) * 1e6 / steps)
    print('{"bench": "torch_eager", "loop": "%s", "figure": "us_per_step", "value": %.6g, "unit": "us"}'
          % (name, best), flush=True)
