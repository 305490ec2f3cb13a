/*
 * bench_gpu.c — tensorc on cuda:0, against the device's own copy bandwidth
 * measured in the same run: (a) a device-to-device copy (tc_clone of a large
 * float32 tensor: one generated copy kernel; bytes = read + written), (b) the
 * fused chain relu(a*b + c) * 0.5 - d over N float32 (bytes = 5 x 4 x N), as
 * GB/s and as a fraction of (a) — target >= 85% — and (c) row softmax over a
 * side x side float32 matrix, side = sqrt(N) (bytes = 2 x 4 x side^2), as
 * GB/s and as a fraction of (a) — target >= 70%.
 *
 * Each figure is the median of the repeats after warm-up runs (which also
 * compile the kernels). A run is timed from building the expression to
 * tc_realize + tc_synchronize, so it includes tensorc's host work per
 * realization (graph, fusion, cache lookup, launch); the "kernel" figures
 * count only the device time of the kernels (tc_stats.run_seconds: CUDA
 * events around each realization's queued kernels, counted at the wait). Prints a table and one JSON object per figure (lines
 * starting with '{'), as bench_fused.c does; bench/torch_peers.py prints the
 * same figures for PyTorch eager and torch.compile. Asserts nothing about
 * time, but checks each result against the CPU (exit status 1 when one
 * differs). Without a CUDA device it says "no CUDA device: <reason>" and
 * exits 0.
 * Under TC_CUDA_EMULATE=1 (no GPU: host memory, host-compiled kernels) the
 * default size is tiny, so it serves as a smoke test; its figures mean
 * nothing.
 *   usage: tensorc_bench_gpu [n_elements] [repeats]
 *   (defaults: 16M elements — 4096 x 4096 for softmax — and 20 repeats;
 *    64K and 3 when emulated; the copy moves 4 x n_elements floats)
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tensorc.h>
#include <time.h>

static const tc_device CUDA0 = {TC_CUDA, 0};

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}
static double median(double *v, int n) {
  qsort(v, n, sizeof *v, cmp_double);
  return v[n / 2];
}

enum { W_COPY, W_CHAIN, W_SOFTMAX, W_MATMUL };

typedef struct timing {
  double wall;   /* median seconds per run, expression to synchronized result */
  double kernel; /* median seconds in kernel launches per run */
  uint64_t kernels; /* kernels launched per run */
} timing;

static tc_tensor *workload(int w, tc_tensor **in) {
  switch (w) {
  case W_COPY: return tc_clone(in[0]);
  case W_CHAIN: return tc_sub(tc_mul_scalar(tc_relu(tc_add(tc_mul(in[0], in[1]), in[2])), 0.5), in[3]);
  case W_MATMUL: return tc_matmul(in[0], in[1]);
  default: return tc_softmax(in[0], 1);
  }
}

static void die(tc_ctx *ctx, const char *what) {
  fprintf(stderr, "tensorc_bench_gpu: %s: %s\n", what, tc_last_error(ctx));
  exit(1);
}

static timing measure(tc_ctx *ctx, int w, tc_tensor **in, int warmup, int reps) {
  double *wall = malloc(sizeof(double) * reps), *kern = malloc(sizeof(double) * reps);
  uint64_t launched = 0;
  if (!wall || !kern) exit(1);
  for (int r = -warmup; r < reps; r++) {
    tc_scope_begin(ctx);
    tc_stats s0 = tc_get_stats(ctx);
    double t0 = now();
    tc_tensor *y = workload(w, in);
    tc_status st = tc_realize(y);
    if (st == TC_OK) st = tc_synchronize(ctx);
    double dt = now() - t0;
    tc_stats s1 = tc_get_stats(ctx);
    tc_scope_end(ctx);
    if (st != TC_OK) die(ctx, w == W_COPY ? "copy" : w == W_CHAIN ? "chain" : w == W_MATMUL ? "matmul" : "softmax");
    if (r >= 0) {
      wall[r] = dt;
      kern[r] = s1.run_seconds - s0.run_seconds;
      launched = s1.kernels_launched - s0.kernels_launched;
    }
  }
  timing t = {median(wall, reps), median(kern, reps), launched};
  free(wall);
  free(kern);
  return t;
}

/* The workload once more, checked against the same expression on the CPU
 * (a fast wrong kernel would make a fine-looking figure). */
static int matches_cpu(tc_ctx *ctx, int w, int n_in, tc_tensor **in) {
  tc_scope_begin(ctx);
  tc_tensor *cin[4];
  for (int i = 0; i < n_in; i++) cin[i] = tc_cpu(in[i]);
  tc_tensor *got = tc_cpu(workload(w, in)), *want = workload(w, cin);
  /* a matmul gives the CPU's bits (kernel.h's order); the rest within float tolerance */
  int ok = got && want && (w == W_MATMUL ? tc_equal(got, want) : tc_allclose(got, want, 1e-4, 1e-6, false));
  if (!got || !want) fprintf(stderr, "tensorc_bench_gpu: checking: %s\n", tc_last_error(ctx));
  tc_scope_end(ctx);
  return ok;
}

/* float32 inputs made on the device (uniform [0, 1), the chain's c shifted
 * by -0.5 so that relu sees both signs) */
static void make_inputs(tc_ctx *ctx, int n_in, int ndim, const int64_t *shape, tc_tensor **in) {
  for (int i = 0; i < n_in; i++) {
    in[i] = tc_rand(ctx, TC_F32, ndim, shape);
    if (i == 2) in[i] = tc_add_scalar(in[i], -0.5);
    if (tc_realize(in[i]) != TC_OK) die(ctx, "making inputs");
  }
  if (tc_synchronize(ctx) != TC_OK) die(ctx, "making inputs");
}

static const char *dev_name;
static int64_t json_n;
static void json(const char *name, double value, const char *unit) {
  printf("{\"bench\": \"tensorc_gpu\", \"figure\": \"%s\", \"value\": %.6g, \"unit\": \"%s\", "
         "\"device\": \"%s\", \"n\": %lld}\n",
         name, value, unit, dev_name, (long long)json_n);
}

int main(int argc, char **argv) {
  tc_ctx *ctx = tc_ctx_new(NULL);
  if (!ctx) return 1;
  /* the reason CUDA is missing comes from the first request that needs it */
  if (tc_set_default_device(ctx, CUDA0) != TC_OK) {
    const char *why = tc_last_error(ctx);
    const char *p = strstr(why, "CUDA is not available: ");
    printf("no CUDA device: %s\n", p ? p + strlen("CUDA is not available: ") : why);
    tc_ctx_free(ctx);
    return 0;
  }
  tc_device_props props;
  if (tc_cuda_device_props(0, &props) != TC_OK) die(ctx, "device properties");
  const char *emu = getenv("TC_CUDA_EMULATE");
  int emulated = emu && atoi(emu) > 0;
  int64_t n = argc > 1 ? atoll(argv[1]) : emulated ? (int64_t)1 << 16 : (int64_t)16 << 20;
  int reps = argc > 2 ? atoi(argv[2]) : emulated ? 3 : 20;
  if (n < 64 || reps < 1) {
    fprintf(stderr, "usage: tensorc_bench_gpu [n_elements >= 64] [repeats >= 1]\n");
    return 2;
  }
  int warmup = 3;
  int64_t side = (int64_t)sqrt((double)n);
  int64_t ncopy = 4 * n, sm_shape[2] = {side, side};
  dev_name = props.name;
  json_n = n;
  tc_manual_seed(ctx, 1);

  tc_tensor *in[4];
  tc_scope_begin(ctx);
  make_inputs(ctx, 1, 1, &ncopy, in);
  timing copy = measure(ctx, W_COPY, in, warmup, reps);
  int copy_ok = matches_cpu(ctx, W_COPY, 1, in);
  tc_scope_end(ctx);

  tc_scope_begin(ctx);
  make_inputs(ctx, 4, 1, &n, in);
  timing chain = measure(ctx, W_CHAIN, in, warmup, reps);
  int chain_ok = matches_cpu(ctx, W_CHAIN, 4, in);
  tc_scope_end(ctx);

  tc_scope_begin(ctx);
  make_inputs(ctx, 1, 2, sm_shape, in);
  timing soft = measure(ctx, W_SOFTMAX, in, warmup, reps);
  int soft_ok = matches_cpu(ctx, W_SOFTMAX, 1, in);
  tc_scope_end(ctx);

  int64_t mmn = emulated ? 64 : 4096, mm_shape[2] = {mmn, mmn};
  tc_scope_begin(ctx);
  make_inputs(ctx, 2, 2, mm_shape, in);
  timing mmt = measure(ctx, W_MATMUL, in, warmup, emulated ? reps : 10);
  int mm_ok = matches_cpu(ctx, W_MATMUL, 2, in);
  tc_scope_end(ctx);
  tc_ctx_free(ctx);
  double mm_tflops = 2.0 * (double)mmn * (double)mmn * (double)mmn / mmt.wall / 1e12;

  double copy_bytes = 2.0 * 4 * (double)ncopy, chain_bytes = 5.0 * 4 * (double)n,
         soft_bytes = 2.0 * 4 * (double)(side * side);
  double copy_gbs = copy_bytes / copy.wall / 1e9, chain_gbs = chain_bytes / chain.wall / 1e9,
         soft_gbs = soft_bytes / soft.wall / 1e9;
  double copy_k = copy.kernel > 0 ? copy_bytes / copy.kernel / 1e9 : 0;
  double chain_k = chain.kernel > 0 ? chain_bytes / chain.kernel / 1e9 : 0;
  double soft_k = soft.kernel > 0 ? soft_bytes / soft.kernel / 1e9 : 0;

  printf("tensorc on cuda:0 (%s, sm_%d%d, %d SMs)%s: median of %d runs after %d warm-ups\n",
         props.name, props.major, props.minor, props.multiprocessors,
         emulated ? " [EMULATED: figures mean nothing]" : "", reps, warmup);
  printf("%-44s %11s %10s %9s %12s %9s %8s\n", "", "time", "GB/s", "of copy", "kernel GB/s",
         "of copy", "kernels");
  printf("%-44s %8.3f ms %10.1f %9s %12.1f %9s %8llu\n", "copy: clone of 4N float32 (read + write)",
         copy.wall * 1e3, copy_gbs, "", copy_k, "", (unsigned long long)copy.kernels);
  printf("%-44s %8.3f ms %10.1f %8.1f%% %12.1f %8.1f%% %8llu\n", "relu(a*b + c) * 0.5 - d, N float32",
         chain.wall * 1e3, chain_gbs, 100 * chain_gbs / copy_gbs, chain_k,
         copy_k > 0 ? 100 * chain_k / copy_k : 0, (unsigned long long)chain.kernels);
  char label[64];
  snprintf(label, sizeof label, "softmax(x, 1), %lld x %lld float32", (long long)side, (long long)side);
  printf("%-44s %8.3f ms %10.1f %8.1f%% %12.1f %8.1f%% %8llu\n", label, soft.wall * 1e3, soft_gbs,
         100 * soft_gbs / copy_gbs, soft_k, copy_k > 0 ? 100 * soft_k / copy_k : 0,
         (unsigned long long)soft.kernels);
  snprintf(label, sizeof label, "matmul %lld x %lld float32", (long long)mmn, (long long)mmn);
  printf("%-44s %8.3f ms %7.1f TFLOP/s%40s %8llu\n", label, mmt.wall * 1e3, mm_tflops, "",
         (unsigned long long)mmt.kernels);
  printf("N = %lld; targets: chain >= 85%% of copy, softmax >= 70%% of copy, matmul >= 60%% of cuBLAS "
         "(torch_peers.py)\n", (long long)n);
  int all_ok = copy_ok && chain_ok && soft_ok && mm_ok;
  printf("results match the CPU: copy %s, chain %s, softmax %s, matmul %s\n", copy_ok ? "yes" : "NO",
         chain_ok ? "yes" : "NO", soft_ok ? "yes" : "NO", mm_ok ? "yes, bitwise" : "NO");
  json("copy_time", copy.wall * 1e3, "ms");
  json("copy_bandwidth", copy_gbs, "GB/s");
  json("copy_kernel_bandwidth", copy_k, "GB/s");
  json("chain_time", chain.wall * 1e3, "ms");
  json("chain_bandwidth", chain_gbs, "GB/s");
  json("chain_over_copy", chain_gbs / copy_gbs, "ratio");
  json("chain_kernel_over_copy_kernel", copy_k > 0 ? chain_k / copy_k : 0, "ratio");
  json("chain_kernels", (double)chain.kernels, "count");
  json("softmax_time", soft.wall * 1e3, "ms");
  json("softmax_bandwidth", soft_gbs, "GB/s");
  json("softmax_over_copy", soft_gbs / copy_gbs, "ratio");
  json("softmax_kernel_over_copy_kernel", copy_k > 0 ? soft_k / copy_k : 0, "ratio");
  json("softmax_kernels", (double)soft.kernels, "count");
  json("matmul_time", mmt.wall * 1e3, "ms");
  json("matmul_tflops", mm_tflops, "TFLOP/s");
  json("results_match_cpu", all_ok, "bool");
  return all_ok ? 0 : 1;
}
