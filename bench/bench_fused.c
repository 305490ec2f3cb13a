/*
 * bench_fused.c — fused versus eager on the chain relu(a*b + c) * 0.5 - d
 * over 16M float32, against this machine's own triad bandwidth measured in
 * the same run; row softmax over sqrt(n) x sqrt(n) float32 (one fused
 * kernel: an online log-sum-exp pass and an output pass) against the same
 * triad; plus the cost of realizing a cached 10-op graph on small tensors
 * and of the first compile of a fused kernel.
 *
 * Prints a table and one JSON object per figure (lines starting with '{').
 * It asserts nothing about time: the figures are for people to compare.
 *   usage: tensorc_bench [n_elements] [repeats]
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tensorc.h>
#include <time.h>
#include <unistd.h>

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

/* ---- triad: a[i] = b[i] + s * c[i] on every core ---- */
typedef struct triad_arg {
  float *a, *b, *c;
  size_t lo, hi;
} triad_arg;

/* The reference loop, vectorized by the C compiler (restrict, O3). */
__attribute__((optimize("O3"))) static void *triad_part(void *p) {
  triad_arg *t = p;
  float *__restrict a = t->a;
  const float *__restrict b = t->b, *__restrict c = t->c;
  for (size_t i = t->lo; i < t->hi; i++) a[i] = b[i] + 3.0f * c[i];
  return NULL;
}

static double triad_gbs(size_t n, int threads, int reps) {
  float *a = aligned_alloc(64, n * 4), *b = aligned_alloc(64, n * 4), *c = aligned_alloc(64, n * 4);
  if (!a || !b || !c) return 0;
  for (size_t i = 0; i < n; i++) a[i] = 0, b[i] = 1, c[i] = 2;
  double best = 1e30;
  pthread_t th[64];
  triad_arg args[64];
  for (int r = 0; r < reps; r++) {
    double t0 = now();
    for (int k = 0; k < threads; k++) {
      args[k] = (triad_arg){a, b, c, n * k / threads, n * (k + 1) / threads};
      pthread_create(&th[k], NULL, triad_part, &args[k]);
    }
    for (int k = 0; k < threads; k++) pthread_join(th[k], NULL);
    double dt = now() - t0;
    if (dt < best) best = dt;
  }
  free(a), free(b), free(c);
  return 3.0 * 4.0 * (double)n / best / 1e9;
}

/* ---- timed workloads ---- */
/* The median time of reps realizations of build(in) (after two warm-up
 * runs), each in its own scope. */
typedef tc_tensor *(*workload)(tc_tensor **in);
static double median_seconds(tc_ctx *ctx, workload build, tc_tensor **in, int reps) {
  double *t = malloc(sizeof(double) * reps);
  for (int r = -2; r < reps; r++) {
    tc_scope_begin(ctx);
    double t0 = now();
    tc_status st = tc_realize(build(in));
    double dt = now() - t0;
    tc_scope_end(ctx);
    if (st != TC_OK) {
      fprintf(stderr, "bench: %s\n", tc_last_error(ctx));
      exit(1);
    }
    if (r >= 0) t[r] = dt;
  }
  double m = median(t, reps);
  free(t);
  return m;
}

/* the fused chain relu(a*b + c) * 0.5 - d */
static tc_tensor *chain(tc_tensor **in) {
  return tc_sub(tc_mul_scalar(tc_relu(tc_add(tc_mul(in[0], in[1]), in[2])), 0.5), in[3]);
}

/* row softmax of in[0] */
static tc_tensor *row_softmax(tc_tensor **in) { return tc_softmax(in[0], 1); }

static void make_inputs(tc_ctx *ctx, int64_t n, tc_tensor **in) {
  tc_manual_seed(ctx, 1);
  for (int i = 0; i < 4; i++) {
    in[i] = tc_rand(ctx, TC_F32, 1, &n);
    tc_realize(in[i]);
  }
}

static void json(const char *name, double value, const char *unit) {
  printf("{\"bench\": \"fused_chain\", \"figure\": \"%s\", \"value\": %.6g, \"unit\": \"%s\"}\n",
         name, value, unit);
}

int main(int argc, char **argv) {
  int64_t n = argc > 1 ? atoll(argv[1]) : 16 << 20;
  int reps = argc > 2 ? atoi(argv[2]) : 10;
  int threads = (int)sysconf(_SC_NPROCESSORS_ONLN);
  if (threads < 1) threads = 1;
  if (threads > 64) threads = 64;

  /* first compile of a fused kernel, in a fresh process: JIT start included
   * (every kernel compiled at once: no interpreter tier) */
  setenv("TC_INTERP_BUDGET", "0", 1);
  tc_ctx *ctx = tc_ctx_new(NULL);
  unsetenv("TC_INTERP_BUDGET");
  tc_tensor *in[4];
  int64_t small = 1000;
  tc_scope_begin(ctx);
  tc_tensor *x = tc_rand(ctx, TC_F32, 1, &small);
  tc_realize(x);
  tc_reset_stats(ctx);
  tc_tensor *y0 = tc_tanh(tc_add_scalar(tc_mul(x, x), 0.25));
  tc_realize(y0);
  double first_compile = tc_get_stats(ctx).compile_seconds;
  tc_tensor *x2 = tc_add_scalar(x, 1.5);
  tc_realize(x2);
  tc_reset_stats(ctx);
  tc_tensor *y1 = tc_sigmoid(tc_sub(tc_mul(x2, x2), x));
  tc_realize(y1);
  double second_compile = tc_get_stats(ctx).compile_seconds;

  /* cached 10-op graph on 1000 elements: build + realize per iteration */
  int iters = 2000;
  double *tt = malloc(sizeof(double) * iters);
  for (int i = -100; i < iters; i++) {
    tc_scope_begin(ctx);
    double t0 = now();
    tc_tensor *g = x;
    g = tc_mul(g, x2);
    g = tc_add_scalar(g, 1.0);
    g = tc_exp(g);
    g = tc_sub(g, x);
    g = tc_relu(g);
    g = tc_mul_scalar(g, 0.5);
    g = tc_add(g, x2);
    g = tc_sqrt(g);
    g = tc_neg(g);
    g = tc_abs(g);
    tc_realize(g);
    double dt = now() - t0;
    tc_scope_end(ctx);
    if (i >= 0) tt[i] = dt;
  }
  double small_graph = median(tt, iters);
  free(tt);
  tc_scope_end(ctx);
  tc_ctx_free(ctx);

  double triad = triad_gbs((size_t)32 << 20, threads, 10);
  double bytes = 5.0 * 4.0 * (double)n; /* 4 inputs read, 1 output written */

  ctx = tc_ctx_new(NULL);
  tc_scope_begin(ctx);
  make_inputs(ctx, n, in);
  double fused = median_seconds(ctx, chain, in, reps);
  tc_scope_end(ctx);
  tc_ctx_free(ctx);

  tc_ctx_options eo = {0};
  eo.eager = 1;
  ctx = tc_ctx_new(&eo);
  tc_scope_begin(ctx);
  make_inputs(ctx, n, in);
  tc_reset_stats(ctx);
  double eager = median_seconds(ctx, chain, in, reps < 5 ? reps : 5);
  uint64_t eager_kernels = tc_get_stats(ctx).kernels_launched;
  tc_scope_end(ctx);
  tc_ctx_free(ctx);

  int64_t side = 1;
  while ((side + 1) * (side + 1) <= n) side++;
  ctx = tc_ctx_new(NULL);
  tc_scope_begin(ctx);
  tc_manual_seed(ctx, 2);
  tc_tensor *sx = tc_randn(ctx, TC_F32, 2, (const int64_t[]){side, side});
  tc_realize(sx);
  double softmax = median_seconds(ctx, row_softmax, &sx, reps);
  tc_scope_end(ctx);
  tc_ctx_free(ctx);
  double softmax_gbs = 2.0 * 4.0 * (double)(side * side) / softmax / 1e9; /* read + write */

  double fused_gbs = bytes / fused / 1e9;
  printf("tensorc fused vs eager: relu(a*b + c) * 0.5 - d over %lld float32, %d threads\n",
         (long long)n, threads);
  printf("  triad bandwidth (this machine, same run)  %8.2f GB/s\n", triad);
  printf("  fused chain                               %8.3f ms  %8.2f GB/s  (%.0f%% of triad)\n",
         fused * 1e3, fused_gbs, 100 * fused_gbs / triad);
  printf("  eager (one kernel per op)                 %8.3f ms  (%llu kernels in %d runs)\n",
         eager * 1e3, (unsigned long long)eager_kernels, (reps < 5 ? reps : 5) + 2);
  printf("  fused speedup over eager                  %8.2fx\n", eager / fused);
  printf("  softmax(x, 1), %5lld x %5lld             %8.3f ms  %8.2f GB/s  (%.0f%% of triad)\n",
         (long long)side, (long long)side, softmax * 1e3, softmax_gbs, 100 * softmax_gbs / triad);
  printf("  cached 10-op graph, 1000 elements         %8.2f us per build+realize\n", small_graph * 1e6);
  printf("  first compile of a fused kernel           %8.2f ms (JIT start included)\n", first_compile * 1e3);
  printf("  a later compile                           %8.2f ms\n", second_compile * 1e3);
  printf("targets: fused >= 70%% of triad, >= 3x eager, cached small graph <= 3 us, first compile < 30 ms\n");
  json("triad_bandwidth", triad, "GB/s");
  json("fused_time", fused * 1e3, "ms");
  json("fused_bandwidth", fused_gbs, "GB/s");
  json("fused_over_triad", fused_gbs / triad, "ratio");
  json("eager_time", eager * 1e3, "ms");
  json("eager_over_fused", eager / fused, "ratio");
  json("softmax_time", softmax * 1e3, "ms");
  json("softmax_over_triad", softmax_gbs / triad, "ratio");
  json("cached_small_graph", small_graph * 1e6, "us");
  json("first_compile", first_compile * 1e3, "ms");
  json("later_compile", second_compile * 1e3, "ms");
  return 0;
}
