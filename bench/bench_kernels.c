/*
 * bench_kernels.c — the kernels whose speed depends on data reuse and
 * layout, against this machine's limits measured in the same run: its peak
 * float32 FMA throughput (a register-resident FMA loop on every thread) for
 * matmul, its triad bandwidth for the copies and reductions; beside PyTorch
 * eager's time when `torch` is importable (bench/torch_kernels.py; optional).
 *
 * Each figure is the best of several runs after warm-ups, one realization
 * of a fresh graph per run. The compile line counts the kernels this
 * process compiled and those it loaded from the disk cache: run it twice
 * and the second run compiles none. Prints a table and one JSON object per
 * figure (lines starting with '{'); asserts nothing.
 *   usage: tensorc_bench_kernels [--no-torch] [CASE...]
 * (CASEs: run only the cases whose names start with one of them)
 */
#include <immintrin.h>
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

/* ---- the machine's limits ---- */

#if defined(__x86_64__)
__attribute__((target("avx512f"))) static double fma_loop_512(long n) {
  __m512 a[16], b = _mm512_set1_ps(1.0000001f), c = _mm512_set1_ps(-1e-7f);
  for (int i = 0; i < 16; i++) a[i] = _mm512_set1_ps((float)i);
  for (long it = 0; it < n; it++)
#pragma GCC unroll 16
    for (int i = 0; i < 16; i++) a[i] = _mm512_fmadd_ps(a[i], b, c);
  float s = 0;
  for (int i = 0; i < 16; i++) s += _mm512_reduce_add_ps(a[i]);
  return s;
}
__attribute__((target("avx2,fma"))) static double fma_loop_256(long n) {
  __m256 a[12], b = _mm256_set1_ps(1.0000001f), c = _mm256_set1_ps(-1e-7f);
  for (int i = 0; i < 12; i++) a[i] = _mm256_set1_ps((float)i);
  for (long it = 0; it < n; it++)
#pragma GCC unroll 12
    for (int i = 0; i < 12; i++) a[i] = _mm256_fmadd_ps(a[i], b, c);
  float s = 0, t[8];
  for (int i = 0; i < 12; i++) {
    _mm256_storeu_ps(t, a[i]);
    for (int j = 0; j < 8; j++) s += t[j];
  }
  return s;
}
#endif

typedef struct peak_arg {
  long n;
  double flops;
  double sink;
} peak_arg;

static void *peak_thread(void *p) {
  peak_arg *a = p;
#if defined(__x86_64__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) {
    a->sink = fma_loop_512(a->n);
    a->flops = (double)a->n * 16 * 16 * 2;
    return NULL;
  }
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
    a->sink = fma_loop_256(a->n);
    a->flops = (double)a->n * 12 * 8 * 2;
    return NULL;
  }
#endif
  double x = 1;
  for (long i = 0; i < a->n * 32; i++) x = __builtin_fma(x, 1.0000001, -1e-7);
  a->sink = x;
  a->flops = (double)a->n * 32 * 2;
  return NULL;
}

static double peak_gflops(int threads) {
  double best = 0;
  for (int rep = 0; rep < 3; rep++) {
    pthread_t th[64];
    peak_arg args[64];
    double t0 = now();
    for (int i = 0; i < threads; i++) {
      args[i] = (peak_arg){20000000, 0, 0};
      pthread_create(&th[i], NULL, peak_thread, &args[i]);
    }
    double flops = 0;
    for (int i = 0; i < threads; i++) {
      pthread_join(th[i], NULL);
      flops += args[i].flops;
    }
    double g = flops / (now() - t0) / 1e9;
    if (g > best) best = g;
  }
  return best;
}

typedef struct triad_arg {
  float *a, *b, *c;
  size_t lo, hi;
} triad_arg;

__attribute__((optimize("O3"))) static void *triad_part(void *p) {
  triad_arg *t = p;
  float *__restrict a = t->a;
  const float *__restrict b = t->b, *__restrict c = t->c;
  for (size_t i = t->lo; i < t->hi; i++) a[i] = b[i] + 3.0f * c[i];
  return NULL;
}

static double triad_gbs(size_t n, int threads) {
  float *a = aligned_alloc(64, n * 4), *b = aligned_alloc(64, n * 4), *c = aligned_alloc(64, n * 4);
  if (!a || !b || !c) return 0;
  for (size_t i = 0; i < n; i++) a[i] = 0, b[i] = 1, c[i] = 2;
  double best = 1e30;
  for (int r = 0; r < 10; r++) {
    pthread_t th[64];
    triad_arg args[64];
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

/* ---- the cases ---- */

typedef tc_tensor *(*build_fn)(tc_tensor **in);
static tc_tensor *mm(tc_tensor **in) { return tc_matmul(in[0], in[1]); }
static tc_tensor *transpose(tc_tensor **in) { return tc_contiguous(tc_t(in[0])); }
static tc_tensor *outer_sum(tc_tensor **in) {
  int d = 1;
  return tc_sum(tc_mul(tc_unsqueeze(in[0], 1), tc_unsqueeze(in[1], 0)), &d, 1, false);
}
static tc_tensor *row_sum(tc_tensor **in) {
  int d = 1;
  return tc_sum(in[0], &d, 1, false);
}
static tc_tensor *col_sum(tc_tensor **in) {
  int d = 0;
  return tc_sum(in[0], &d, 1, false);
}
static tc_tensor *softmax(tc_tensor **in) { return tc_softmax(in[0], 1); }
/* as the peer's Python function: every intermediate is a temporary, gone
 * before the result is realized (a handle the scope still held would be
 * stored for a later read: the plan cannot know it will not be) */
static tc_tensor *layernorm(tc_tensor **in) {
  int d = 1;
  tc_tensor *m = tc_mean(in[0], &d, 1, true), *v = tc_var(in[0], &d, 1, 0, true);
  tc_tensor *x = tc_sub(in[0], m), *e = tc_add_scalar(v, 1e-5), *s = tc_sqrt(e);
  tc_tensor *r = tc_div(x, s);
  tc_tensor *tmp[] = {m, v, x, e, s};
  for (int i = 0; i < 5; i++) tc_tensor_release(tmp[i]);
  return r;
}

static tc_tensor *cumsum(tc_tensor **in) { return tc_cumsum(in[0], 0, NULL); }
static tc_tensor *sort_values(tc_tensor **in) {
  tc_tensor *v = NULL;
  tc_sort(in[0], 0, false, &v, NULL);
  return v;
}
static tc_tensor *mask_select(tc_tensor **in) {
  return tc_masked_select(in[0], tc_gt(in[0], tc_scalar(tc_tensor_ctx(in[0]), 0.5, TC_F32)));
}
/* t[::2] = 1 in place: the half selected is all that is written */
static tc_tensor *strided_fill(tc_tensor **in) {
  if (tc_fill_(tc_slice(in[0], 0, 0, tc_tensor_numel(in[0]), 2), 1) != TC_OK) return NULL;
  return in[0];
}

typedef struct bcase {
  const char *name, *what;
  build_fn build;
  int nin;
  int ndim[2];
  int64_t shape[2][3];
  double work;  /* flops (matmul) or bytes moved (the rest) */
  bool compute; /* against the FMA peak, else the triad */
} bcase;

#define F4 4.0
static const bcase cases[] = {
    {"matmul_1024", "matmul 1024 x 1024 float32", mm, 2, {2, 2}, {{1024, 1024}, {1024, 1024}}, 2.0 * 1024 * 1024 * 1024, true},
    {"matmul_2048", "matmul 2048 x 2048 float32", mm, 2, {2, 2}, {{2048, 2048}, {2048, 2048}}, 2.0 * 2048 * 2048 * 2048, true},
    {"bmm_64x256", "batched matmul 64 x 256^3 float32", mm, 2, {3, 3}, {{64, 256, 256}, {64, 256, 256}}, 2.0 * 64 * 256 * 256 * 256, true},
    {"transpose_8192", "x.t().contiguous(), 8192^2 float32", transpose, 1, {2, 0}, {{8192, 8192}}, 2 * F4 * 8192 * 8192, false},
    {"outer_sum_4096", "(a[:, None] * b[None, :]).sum(1), 4096", outer_sum, 2, {1, 1}, {{4096}, {4096}}, 2 * F4 * 4096, false},
    {"row_sum_8192", "x.sum(1), 8192^2 float32", row_sum, 1, {2, 0}, {{8192, 8192}}, F4 * 8192 * 8192, false},
    {"col_sum_8192", "x.sum(0), 8192^2 float32", col_sum, 1, {2, 0}, {{8192, 8192}}, F4 * 8192 * 8192, false},
    {"softmax_4096", "softmax(x, 1), 4096^2 float32", softmax, 1, {2, 0}, {{4096, 4096}}, 2 * F4 * 4096 * 4096, false},
    {"layernorm_4096", "layernorm over rows, 4096^2 float32", layernorm, 1, {2, 0}, {{4096, 4096}}, 2 * F4 * 4096 * 4096, false},
    /* issue 12: cumsum >= 50% of triad; x[mask] within 3x of reading x and
     * the mask and writing the half selected; sort beside the triad */
    {"cumsum_16M", "cumsum of 16M float32", cumsum, 1, {1, 0}, {{1 << 24}}, 2 * F4 * (1 << 24), false},
    {"cumsum_16M_odd", "cumsum of 16M - 1000 float32 (not whole blocks)", cumsum, 1, {1, 0}, {{(1 << 24) - 1000}},
     2 * F4 * ((1 << 24) - 1000), false},
    {"sort_16M", "sort of 16M float32 (values)", sort_values, 1, {1, 0}, {{1 << 24}}, 2 * F4 * (1 << 24), false},
    {"mask_select_16M", "x[x > 0.5], 16M float32", mask_select, 1, {1, 0}, {{1 << 24}}, (F4 + 1 + F4 / 2) * (1 << 24), false},
    /* issue 13: t[::2] = 1 writes only the half selected (bytes: that half;
     * the elements computed are printed beside it) */
    {"strided_fill_16M", "t[::2] = 1, 16M float32", strided_fill, 1, {1, 0}, {{1 << 24}}, F4 / 2 * (1 << 24), false},
};
#define NCASES (int)(sizeof cases / sizeof cases[0])

static double run_case(tc_ctx *ctx, const bcase *c) {
  tc_tensor *in[2];
  tc_manual_seed(ctx, 5);
  for (int i = 0; i < c->nin; i++) {
    in[i] = tc_rand(ctx, TC_F32, c->ndim[i], c->shape[i]);
    tc_realize(in[i]);
  }
  double best = 1e30;
  int reps = c->compute || c->work > 1e8 ? 5 : 20;
  for (int r = -2; r < reps; r++) {
    tc_scope_begin(ctx);
    double t0 = now();
    tc_status st = tc_realize(c->build(in));
    double dt = now() - t0;
    tc_scope_end(ctx);
    if (st != TC_OK) {
      fprintf(stderr, "bench: %s: %s\n", c->name, tc_last_error(ctx));
      exit(1);
    }
    if (r >= 0 && dt < best) best = dt;
  }
  for (int i = 0; i < c->nin; i++) tc_tensor_release(in[i]);
  return best;
}

static int torch_times(const char *argv0, double *ms) {
  char dir[1024], path[1200], cmd[1400];
  snprintf(dir, sizeof dir, "%s", argv0);
  char *slash = strrchr(dir, '/');
  if (slash) *slash = 0;
  else snprintf(dir, sizeof dir, ".");
  const char *script = getenv("TC_TORCH_KERNELS");
  if (!script) {
    snprintf(path, sizeof path, "%s/../bench/torch_kernels.py", dir);
    script = path;
  }
  snprintf(cmd, sizeof cmd, "python3 '%s' 2>/dev/null", script);
  FILE *p = popen(cmd, "r");
  if (!p) return 0;
  char line[512];
  int found = 0;
  while (fgets(line, sizeof line, p)) {
    char name[64];
    double v;
    if (sscanf(line, "{\"bench\": \"torch_eager\", \"case\": \"%63[^\"]\", \"figure\": \"ms\", \"value\": %lf", name,
               &v) == 2)
      for (int i = 0; i < NCASES; i++)
        if (!strcmp(name, cases[i].name)) ms[i] = v, found++;
  }
  pclose(p);
  return found;
}

static void json(const char *bench, const char *cs, const char *fig, double v, const char *unit) {
  printf("{\"bench\": \"%s\", \"case\": \"%s\", \"figure\": \"%s\", \"value\": %.6g, \"unit\": \"%s\"}\n", bench,
         cs, fig, v, unit);
}

int main(int argc, char **argv) {
  bool use_torch = !(argc > 1 && !strcmp(argv[1], "--no-torch"));
  char **only = argv + 1 + !use_torch;
  int nonly = argc - 1 - !use_torch;
  tc_ctx *ctx = tc_ctx_new(NULL);
  int threads = tc_num_threads(ctx);
  double torch_ms[NCASES];
  for (int i = 0; i < NCASES; i++) torch_ms[i] = -1;
  int have_torch = use_torch ? torch_times(argv[0], torch_ms) : 0;
  double peak = peak_gflops(threads), triad = triad_gbs((size_t)32 << 20, threads);
  printf("tensorc kernels against this machine's limits (%d threads, best of several runs)\n", threads);
  printf("  peak float32 FMA throughput  %8.1f GFLOP/s\n  triad bandwidth              %8.2f GB/s\n", peak, triad);
  printf("%-16s %10s %12s %10s %10s  %s\n", "case", "ms", "rate", "of limit", "torch ms", "what");
  json("machine", "", "peak_fma", peak, "GFLOP/s");
  json("machine", "", "triad", triad, "GB/s");
  for (int i = 0; i < NCASES; i++) {
    const bcase *c = &cases[i];
    bool chosen = nonly == 0;
    for (int j = 0; j < nonly; j++) chosen |= !strncmp(c->name, only[j], strlen(only[j]));
    if (!chosen) continue;
    double s = run_case(ctx, c);
    double rate = c->work / s / 1e9, frac = rate / (c->compute ? peak : triad);
    char tt[32] = "-";
    if (torch_ms[i] > 0) snprintf(tt, sizeof tt, "%.3f", torch_ms[i]);
    printf("%-16s %10.3f %9.1f %s %9.0f%% %10s  %s\n", c->name, s * 1e3, rate, c->compute ? "GF" : "GB", 100 * frac,
           tt, c->what);
    json("tensorc", c->name, "ms", s * 1e3, "ms");
    json("tensorc", c->name, c->compute ? "gflops" : "gbs", rate, c->compute ? "GFLOP/s" : "GB/s");
    json("tensorc", c->name, c->compute ? "of_peak_fma" : "of_triad", frac, "ratio");
    if (torch_ms[i] > 0) json("tensorc", c->name, "torch_over_tensorc", torch_ms[i] / (s * 1e3), "ratio");
  }
  tc_stats st = tc_get_stats(ctx);
  printf("kernels compiled by this process %llu, loaded from the disk cache %llu (hit rate %.0f%%)\n",
         (unsigned long long)st.kernels_compiled, (unsigned long long)st.disk_hits,
         st.kernels_compiled + st.disk_hits ? 100.0 * st.disk_hits / (double)(st.kernels_compiled + st.disk_hits) : 0.0);
  json("tensorc", "", "kernels_compiled", (double)st.kernels_compiled, "count");
  json("tensorc", "", "disk_hits", (double)st.disk_hits, "count");
  printf("targets: matmul and batched matmul >= 70%% of peak and no slower than torch; transpose >= 50%% of triad;\n"
         "outer-product and row/column sums at least torch.compile's; softmax and layernorm >= 60%% of triad;\n"
         "cumsum >= 50%% of triad; x[mask] >= 33%% of triad (within 3x);\n"
         "a second run compiles 0 kernels%s\n", have_torch ? "" : " (no torch importable: its column is empty)");
  tc_ctx_free(ctx);
  return 0;
}
