#!/usr/bin/env python3
"""torch_kernels.py: the cases of bench/bench_kernels.c in PyTorch eager on
the CPU, with tensorc's thread count (TC_NUM_THREADS, else every core). One
JSON line per case:
  {"bench": "torch_eager", "case": NAME, "figure": "ms", "value": V, "unit": "ms"}
The best of several runs after two warm-ups. Exits 0 with a note on stderr
when torch is not importable (tensorc never needs it)."""
import os
import sys
import time

try:
    import torch
except ImportError:
    print("torch_kernels: torch is not importable", file=sys.stderr)
    sys.exit(0)

torch.set_num_threads(int(os.environ.get("TC_NUM_THREADS", "0")) or os.cpu_count())
torch.manual_seed(5)


def layernorm(x):
    m = x.mean(1, keepdim=True)
    v = x.var(1, correction=0, keepdim=True)
    return (x - m) / torch.sqrt(v + 1e-5)


CASES = [
    ("matmul_1024", lambda a, b: a @ b, [(1024, 1024), (1024, 1024)]),
    ("matmul_2048", lambda a, b: a @ b, [(2048, 2048), (2048, 2048)]),
    ("bmm_64x256", lambda a, b: a @ b, [(64, 256, 256), (64, 256, 256)]),
    ("transpose_8192", lambda a: a.t().contiguous(), [(8192, 8192)]),
    ("outer_sum_4096", lambda a, b: (a[:, None] * b[None, :]).sum(1), [(4096,), (4096,)]),
    ("row_sum_8192", lambda a: a.sum(1), [(8192, 8192)]),
    ("col_sum_8192", lambda a: a.sum(0), [(8192, 8192)]),
    ("softmax_4096", lambda a: torch.softmax(a, 1), [(4096, 4096)]),
    ("layernorm_4096", layernorm, [(4096, 4096)]),
    ("cumsum_16M", lambda a: torch.cumsum(a, 0), [(1 << 24,)]),
    ("cumsum_16M_odd", lambda a: torch.cumsum(a, 0), [((1 << 24) - 1000,)]),
    ("sort_16M", lambda a: torch.sort(a)[0], [(1 << 24,)]),
    ("mask_select_16M", lambda a: a[a > 0.5], [(1 << 24,)]),
    ("strided_fill_16M", lambda a: a[::2].fill_(1), [(1 << 24,)]),
]

for name, fn, shapes in CASES:
    ins = [torch.rand(*s) for s in shapes]
    fn(*ins)
    fn(*ins)
    best = float("inf")
    for _ in range(5):
        t0 = time.perf_counter()
        fn(*ins)
        best = min(best, time.perf_counter() - t0)
    print('{"bench": "torch_eager", "case": "%s", "figure": "ms", "value": %.6g, "unit": "ms"}' % (name, best * 1e3),
          flush=True)
