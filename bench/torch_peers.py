#!/usr/bin/env python3
"""torch_peers.py — PyTorch's figures for the workloads of tensorc_bench_gpu.

The same three workloads as bench/bench_gpu.c, through PyTorch eager and
torch.compile on cuda: (a) a device-to-device copy (clone of 4N float32;
bytes = read + written), (b) relu(a*b + c) * 0.5 - d over N float32
(bytes = 5 x 4 x N) and (c) softmax(x, 1) over a side x side float32 matrix,
side = sqrt(N) (bytes = 2 x 4 x side^2); (b) and (c) also as a fraction of
the same run's (a). A run is timed from the call to a synchronized result
(time.perf_counter + torch.cuda.synchronize), median of the repeats after
warm-ups, as tensorc_bench_gpu does; the "kernel" figures come from CUDA
events around the call. Prints a table and one JSON object per figure, in
tensorc_bench_gpu's format with "bench" set to "torch_eager" or
"torch_compile", so the figures sit side by side. Without PyTorch or without
a CUDA device it says why and exits 0.
  usage: bench/torch_peers.py [n_elements] [repeats] [--no-compile] [--device cpu]
  (defaults: 16M elements, 20 repeats; --device cpu is a smoke test only)
"""
import json
import math
import statistics
import sys
import time


def parse_args(argv):
    opts = {"n": 16 << 20, "reps": 20, "compile": True, "device": "cuda"}
    pos = []
    it = iter(argv)
    for a in it:
        if a == "--no-compile":
            opts["compile"] = False
        elif a == "--device":
            opts["device"] = next(it, "cuda")
        elif a in ("-h", "--help"):
            print(__doc__)
            sys.exit(0)
        else:
            pos.append(int(a))
    if pos:
        opts["n"] = pos[0]
    if len(pos) > 1:
        opts["reps"] = pos[1]
    return opts


def main():
    opts = parse_args(sys.argv[1:])
    try:
        import torch
    except Exception as e:  # ImportError, or a broken install
        print(f"torch_peers: PyTorch is not importable: {e}")
        return 0
    dev = opts["device"]
    if dev == "cuda" and not torch.cuda.is_available():
        why = "torch.cuda.is_available() is False"
        try:
            torch.zeros(1, device="cuda")
        except Exception as e:
            why = str(e).strip().splitlines()[0] if str(e).strip() else why
        print(f"no CUDA device: {why}")
        return 0
    cuda = dev == "cuda"
    name = torch.cuda.get_device_name(0) if cuda else "cpu"
    n, reps, warmup = opts["n"], opts["reps"], 3
    side = math.isqrt(n)

    def sync():
        if cuda:
            torch.cuda.synchronize()

    def measure(fn, args):
        """median wall seconds and median kernel (event) seconds per run"""
        wall, kern = [], []
        for r in range(-warmup, reps):
            sync()
            if cuda:
                e0, e1 = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
                e0.record()
            t0 = time.perf_counter()
            y = fn(*args)
            if cuda:
                e1.record()
            sync()
            dt = time.perf_counter() - t0
            del y
            if r >= 0:
                wall.append(dt)
                kern.append(e0.elapsed_time(e1) / 1e3 if cuda else dt)
        return statistics.median(wall), statistics.median(kern)

    def copy(x):
        return x.clone()

    def chain(a, b, c, d):
        return torch.relu(a * b + c) * 0.5 - d

    def softmax(x):
        return torch.softmax(x, 1)

    g = torch.Generator(device=dev).manual_seed(1)

    def rand(*shape):
        return torch.rand(*shape, device=dev, dtype=torch.float32, generator=g)

    xs = {"copy": (rand(4 * n),), "chain": (rand(n), rand(n), rand(n) - 0.5, rand(n)),
          "softmax": (rand(side, side),)}
    fns = {"copy": copy, "chain": chain, "softmax": softmax}
    nbytes = {"copy": 2 * 4 * 4 * n, "chain": 5 * 4 * n, "softmax": 2 * 4 * side * side}

    modes = [("torch_eager", lambda f: f)]
    if opts["compile"]:
        modes.append(("torch_compile", lambda f: torch.compile(f, dynamic=False)))
    results = {}
    for bench, wrap in modes:
        res = {}
        try:
            for w in ("copy", "chain", "softmax"):
                f = wrap(fns[w])
                res[w] = measure(f, xs[w])
                if not torch.allclose(f(*xs[w]), fns[w](*xs[w]), rtol=1e-4, atol=1e-6):
                    raise RuntimeError(f"{w} differs from eager")
        except Exception as e:
            msg = str(e).strip().splitlines()
            print(f"torch_peers: {bench} failed: {msg[0] if msg else type(e).__name__}")
            continue
        results[bench] = res

    print(f"PyTorch {torch.__version__} on {dev} ({name}): median of {reps} runs after {warmup} warm-ups")
    print(f"{'':44} {'time':>11} {'GB/s':>10} {'of copy':>9} {'kernel GB/s':>12} {'of copy':>9}")
    labels = {"copy": "copy: clone of 4N float32 (read + write)",
              "chain": "relu(a*b + c) * 0.5 - d, N float32",
              "softmax": f"softmax(x, 1), {side} x {side} float32"}
    lines = []
    for bench, res in results.items():
        print(f"[{bench}]")
        cw, ck = res["copy"]
        copy_gbs, copy_k = nbytes["copy"] / cw / 1e9, nbytes["copy"] / ck / 1e9
        for w in ("copy", "chain", "softmax"):
            wall, kern = res[w]
            gbs, kgbs = nbytes[w] / wall / 1e9, nbytes[w] / kern / 1e9
            of = "" if w == "copy" else f"{100 * gbs / copy_gbs:8.1f}%"
            ofk = "" if w == "copy" else f"{100 * kgbs / copy_k:8.1f}%"
            print(f"{labels[w]:44} {wall * 1e3:8.3f} ms {gbs:10.1f} {of:>9} {kgbs:12.1f} {ofk:>9}")
            figs = [(f"{w}_time", wall * 1e3, "ms"), (f"{w}_bandwidth", gbs, "GB/s")]
            if w == "copy":
                figs.append(("copy_kernel_bandwidth", kgbs, "GB/s"))
            else:
                figs += [(f"{w}_over_copy", gbs / copy_gbs, "ratio"),
                         (f"{w}_kernel_over_copy_kernel", kgbs / copy_k, "ratio")]
            for fig, value, unit in figs:
                lines.append({"bench": bench, "figure": fig, "value": float(f"{value:.6g}"),
                              "unit": unit, "device": name, "n": n})
    # matmul 4096^2 float32 (cuBLAS SGEMM: TF32 off, as tensorc's fp32 is exact fp32)
    if cuda:
        torch.backends.cuda.matmul.allow_tf32 = False
    mmn = 4096 if cuda else 1024
    a, b = rand(mmn, mmn), rand(mmn, mmn)
    wall, kern = measure(torch.matmul, (a, b))
    tf = 2.0 * mmn ** 3 / wall / 1e12
    print(f"{'matmul %d x %d float32 (torch eager)' % (mmn, mmn):44} {wall * 1e3:8.3f} ms {tf:7.1f} TFLOP/s")
    lines.append({"bench": "torch_eager", "figure": "matmul_tflops", "value": float(f"{tf:.6g}"),
                  "unit": "TFLOP/s", "device": name, "n": n})
    print(f"N = {n}; tensorc's targets: chain >= 85% of copy, softmax >= 70% of copy, matmul >= 60% of cuBLAS")
    for line in lines:
        print(json.dumps(line))
    return 0


if __name__ == "__main__":
    sys.exit(main())
