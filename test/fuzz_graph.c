/*
 * fuzz_graph.c — the differential fuzzer of graphs and loops over the
 * public API. An input (bytes) is decoded into a program: creation of a
 * few tensors from data, then a sequence of steps — elementwise ops,
 * broadcasting, reductions, views (permute, narrow, flip, unsqueeze,
 * expand), in-place writes through views (add_, copy_) and reads in the
 * middle (copy_to_host). The program runs once per way of computing it:
 *   fused     the default: one realization fuses what it can (LLVM code;
 *             TC_INTERP_BUDGET=0, so small kernels are compiled too)
 *   eager     tc_set_eager: one kernel per op
 *   interp    TC_BACKEND=interp: the reference interpreter
 *   cuda      every tensor on the emulated cuda:0 (TC_CUDA_EMULATE=1, the
 *             test emulator; --cuda, slow: the host C++ compiler builds
 *             each kernel)
 * and every way must give the same log: each read's shape and values, and
 * for each op whether it failed. Values are float32 and int64 made from
 * small integers; int64 results and float32 results of exact operations
 * must be bitwise equal, and float32 values equal within float32's
 * tolerance (torch.testing's rtol 1.3e-6, atol 1e-5), NaN equal to NaN.
 *
 *   fuzz_graph [--cuda] [--verbose] [--trace] FILE...   replay inputs (the
 *                                        corpus; --verbose prints each one's
 *                                        log, --trace each step decoded)
 *   fuzz_graph --seconds N [--runs R] [--seed S] [--out DIR] [--cuda-every K]
 *              CORPUS_DIR                replay the corpus, then mutate its
 *                                        inputs and make random ones for N
 *                                        seconds or R programs, whichever
 *                                        comes first (the seed, printed, is
 *                                        the time's unless given: ctest gives
 *                                        one, so CI checks the same programs
 *                                        every time; every K-th
 *                                        program also on the emulated CUDA
 *                                        device); a failing input is written
 *                                        to DIR: check it into the corpus
 * Exit status: 0 all agree, 1 a difference (the input and both logs are
 * printed), 2 usage.
 */
#include <dirent.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "tensorc.h"

enum { MAXT = 8, MAXSTEPS = 24, MAXIN = 512, MAXLOG = 1 << 16 };

typedef struct {
  const uint8_t *p;
  size_t n, i;
} reader;
static unsigned u8(reader *r) { return r->i < r->n ? r->p[r->i++] : 0; }

typedef struct { /* what a run observed, in order */
  double v[MAXLOG];
  int n;
  char kinds[MAXLOG]; /* 'f' float value, 'i' int value, 's' shape, 'e' error flag */
} runlog;
static void put(runlog *L, char kind, double v) {
  if (L->n < MAXLOG) L->kinds[L->n] = kind, L->v[L->n++] = v;
}

static void record(runlog *L, tc_tensor *t) {
  if (!t) {
    put(L, 'e', 1);
    return;
  }
  int64_t shape[TC_MAX_DIMS];
  int nd = tc_tensor_shape(t, shape);
  put(L, 's', nd);
  for (int d = 0; d < nd; d++) put(L, 's', (double)shape[d]);
  int64_t n = tc_tensor_numel(t);
  tc_dtype dt = tc_tensor_dtype(t);
  if (n > 4096) return;
  if (dt == TC_F32) {
    float buf[4096];
    if (tc_copy_to_host(t, buf, sizeof buf[0] * (size_t)n) != TC_OK) {
      put(L, 'e', 2);
      return;
    }
    for (int64_t i = 0; i < n; i++) put(L, 'f', buf[i]);
  } else {
    tc_tensor *c = tc_to_dtype(t, TC_I64);
    int64_t buf[4096];
    if (!c || tc_copy_to_host(c, buf, sizeof buf[0] * (size_t)n) != TC_OK) {
      put(L, 'e', 2);
      tc_tensor_release(c);
      return;
    }
    for (int64_t i = 0; i < n; i++) put(L, 'i', (double)buf[i]);
    tc_tensor_release(c);
  }
}

typedef enum { FUSED, EAGER, INTERP, CUDA, NWAYS } way;
static bool trace; /* --trace: print each step of the program decoded (fused run) */
static const char *way_name[] = {"fused", "eager", "interp", "cuda"};

/* Runs the program that `in` decodes to, the way w; fills L. */
static int run(const uint8_t *in, size_t n, way w, runlog *L) {
  L->n = 0;
  setenv("TC_INTERP_BUDGET", "0", 1);
  if (w == INTERP) setenv("TC_BACKEND", "interp", 1);
  else unsetenv("TC_BACKEND");
  tc_ctx_options o = {0};
  o.num_threads = 2;
  tc_ctx *ctx = tc_ctx_new(&o);
  unsetenv("TC_BACKEND");
  if (!ctx) return -1;
  if (w == EAGER) tc_set_eager(ctx, 1);
  if (w == CUDA && tc_set_default_device(ctx, (tc_device){TC_CUDA, 0}) != TC_OK) {
    fprintf(stderr, "fuzz_graph: no emulated CUDA device: %s\n", tc_last_error(ctx));
    tc_ctx_free(ctx);
    return -1;
  }
  reader r = {in, n, 0};
  tc_tensor *T[MAXT] = {0};
  int nt = 0;
  /* the base shape: 1-3 dims of 1-5 */
  int nd = 1 + u8(&r) % 3;
  int64_t base[3];
  for (int d = 0; d < nd; d++) base[d] = 1 + u8(&r) % 5;
  /* leaves: float32 or int64, the base shape or a broadcastable one */
  int nleaves = 1 + u8(&r) % 3;
  for (int l = 0; l < nleaves; l++) {
    unsigned m = u8(&r);
    int64_t shape[3];
    int64_t cnt = 1;
    for (int d = 0; d < nd; d++) {
      shape[d] = (m >> d) & 1 ? 1 : base[d];
      cnt *= shape[d];
    }
    bool is_int = (m >> 4) & 1;
    float fv[125];
    int64_t iv[125];
    for (int64_t i = 0; i < cnt; i++) {
      int b = (int)u8(&r) - 128;
      fv[i] = (float)b / 8.0f;
      iv[i] = b / 4;
    }
    T[nt++] = is_int ? tc_from_data(ctx, iv, TC_I64, nd, shape) : tc_from_data(ctx, fv, TC_F32, nd, shape);
  }
  int steps = 1 + u8(&r) % MAXSTEPS;
  for (int s = 0; s < steps; s++) {
    unsigned op = u8(&r) % 20;
    tc_scope_begin(ctx); /* the step's temporaries (casts, masks) */
    tc_tensor *a = T[u8(&r) % nt], *b = T[u8(&r) % nt], *out = NULL;
    int dim = (int)(u8(&r) % 4) - 1; /* -1..2 */
    unsigned k = u8(&r);
    if (trace && w == FUSED) {
      int ia = 0, ib = 0;
      for (int i = 0; i < nt; i++) ia = T[i] == a ? i : ia, ib = T[i] == b ? i : ib;
      fprintf(stderr, "step %d: op %u a=T%d b=T%d dim=%d k=%u -> T%d\n", s, op, ia, ib, dim, k,
              nt < MAXT ? nt : (int)(k % MAXT));
    }
    switch (op) {
      case 0: out = tc_add(a, b); break;
      case 1: out = tc_sub(a, b); break;
      case 2: out = tc_mul(a, b); break;
      case 3: out = tc_maximum(a, b); break;
      case 4: out = tc_relu(a); break;
      case 5: out = tc_neg(a); break;
      case 6: out = tc_exp(tc_to_dtype(a, TC_F32)); break;
      case 7: out = tc_sum(a, &dim, 1, k & 1); break;
      case 8: out = tc_mean(tc_to_dtype(a, TC_F32), &dim, 1, k & 1); break;
      case 9: out = tc_amax(a, &dim, 1, k & 1); break;
      case 10: { /* a swap of dim 0 with another (unsqueeze makes up to 5 dims) */
        int perm[TC_MAX_DIMS];
        for (int i = 0; i < TC_MAX_DIMS; i++) perm[i] = i;
        int an = tc_tensor_ndim(a);
        if (an >= 2) perm[0] = (int)(k % an), perm[perm[0]] = 0;
        out = tc_permute(a, perm);
        break;
      }
      case 11: out = tc_narrow(a, dim, k % 3, 1 + (k >> 2) % 3); break;
      case 12: out = tc_flip(a, &dim, 1); break;
      case 13: out = tc_unsqueeze(a, dim); break;
      case 14: out = tc_expand(a, nd, base); break;
      case 15: out = tc_add_scalar(a, (double)((int)k - 128) / 4); break;
      case 16: out = tc_where(tc_gt(a, b), a, b); break;
      case 17: /* in place, through a handle that may be a view */
        put(L, 'e', tc_add_(a, b) != TC_OK ? 3 : 0);
        break;
      case 18:
        put(L, 'e', tc_copy_(a, tc_mul_scalar(b, 2)) != TC_OK ? 3 : 0);
        break;
      default: /* a read in the middle of the loop */
        record(L, a);
        break;
    }
    if (op < 17) put(L, 'e', out ? 0 : 1);
    if (out) tc_keep(out);
    tc_scope_end(ctx);
    tc_clear_error(ctx);
    if (!out) continue;
    if (nt < MAXT) T[nt++] = out;
    else {
      tc_tensor_release(T[k % MAXT]);
      T[k % MAXT] = out;
    }
  }
  for (int i = 0; i < nt; i++) record(L, T[i]);
  for (int i = 0; i < nt; i++) tc_tensor_release(T[i]);
  tc_ctx_free(ctx);
  return 0;
}

static bool close_enough(char kind, double x, double y) {
  if (kind != 'f') return x == y;
  if (isnan(x) || isnan(y)) return isnan(x) && isnan(y);
  if (isinf(x) || isinf(y)) return x == y;
  return fabs(x - y) <= 1e-5 + 1.3e-6 * fabs(y);
}

static void dump(const char *what, const runlog *L) {
  fprintf(stderr, "%s:", what);
  for (int i = 0; i < L->n; i++) fprintf(stderr, " %c%.9g", L->kinds[i], L->v[i]);
  fprintf(stderr, "\n");
}

static runlog logs[NWAYS];


/* 0: every way agrees; 1: a difference (reported). */
static int check(const uint8_t *in, size_t n, bool cuda, const char *label) {
  if (run(in, n, FUSED, &logs[FUSED])) return 1;
  for (int w = EAGER; w < NWAYS; w++) {
    if (w == CUDA && !cuda) continue;
    if (run(in, n, (way)w, &logs[w])) return 1;
    const runlog *A = &logs[FUSED], *B = &logs[w];
    int bad = A->n != B->n ? (A->n < B->n ? A->n : B->n) : -1;
    for (int i = 0; i < A->n && i < B->n && bad < 0; i++)
      if (A->kinds[i] != B->kinds[i] || !close_enough(A->kinds[i], A->v[i], B->v[i])) bad = i;
    if (bad >= 0) {
      fprintf(stderr, "fuzz_graph: %s: fused and %s differ at log entry %d\ninput (%zu bytes):", label,
              way_name[w], bad, n);
      for (size_t i = 0; i < n; i++) fprintf(stderr, " %02x", in[i]);
      fprintf(stderr, "\n");
      dump("fused", A);
      dump(way_name[w], B);
      return 1;
    }
  }
  return 0;
}

static size_t slurp(const char *path, uint8_t *buf, size_t cap) {
  FILE *f = fopen(path, "rb");
  if (!f) return 0;
  size_t n = fread(buf, 1, cap, f);
  fclose(f);
  return n;
}

static uint64_t rng = 88172645463325252ull;
static uint64_t next(void) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return rng;
}

static char corpus[256][64];
static size_t corpus_len[256];
static uint8_t corpus_data[256][MAXIN];
static int ncorpus;

static int save(const char *dir, const uint8_t *in, size_t n) {
  char path[1024];
  snprintf(path, sizeof path, "%s/crash-%016llx", dir ? dir : ".", (unsigned long long)next());
  FILE *f = fopen(path, "wb");
  if (f) {
    fwrite(in, 1, n, f);
    fclose(f);
    fprintf(stderr, "fuzz_graph: the input is in %s (add it to test/fuzz_graph_corpus/)\n", path);
  }
  return 1;
}

int main(int argc, char **argv) {
  double seconds = 0;
  const char *out = NULL;
  bool cuda = false;
  int cuda_every = 0, nfiles = 0;
  long max_runs = 0;
  bool seeded = false, verbose = false;
  char **files = calloc((size_t)argc, sizeof *files);
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--seconds") && i + 1 < argc) seconds = atof(argv[++i]);
    else if (!strcmp(argv[i], "--seed") && i + 1 < argc) rng = strtoull(argv[++i], NULL, 0) | 1, seeded = true;
    else if (!strcmp(argv[i], "--out") && i + 1 < argc) out = argv[++i];
    else if (!strcmp(argv[i], "--runs") && i + 1 < argc) max_runs = atol(argv[++i]);
    else if (!strcmp(argv[i], "--cuda")) cuda = true;
    else if (!strcmp(argv[i], "--verbose")) verbose = true;
    else if (!strcmp(argv[i], "--trace")) trace = true;
    else if (!strcmp(argv[i], "--cuda-every") && i + 1 < argc) cuda_every = atoi(argv[++i]);
    else if (argv[i][0] == '-') {
      fprintf(stderr, "usage: fuzz_graph [--cuda] [--verbose] [--trace] FILE... | --seconds N [--runs R] [--seed S] "
                      "[--out DIR] [--cuda-every K] DIR\n");
      return 2;
    } else files[nfiles++] = argv[i];
  }
  if (!seeded) rng ^= (uint64_t)time(NULL) * 0x9E3779B97F4A7C15ull;
  if (seconds > 0) printf("fuzz_graph: seed %llu\n", (unsigned long long)rng);
  if (cuda || cuda_every) setenv("TC_CUDA_EMULATE", "1", 0);
  /* the corpus: the files given, or every file of the directory given */
  for (int f = 0; f < nfiles; f++) {
    struct dirent **names = NULL; /* in name order: the same corpus order everywhere */
    int nnames = scandir(files[f], &names, NULL, alphasort);
    if (nnames < 0) {
      if (ncorpus < 256) {
        snprintf(corpus[ncorpus], sizeof corpus[0], "%.63s", files[f]);
        corpus_len[ncorpus] = slurp(files[f], corpus_data[ncorpus], MAXIN);
        ncorpus++;
      }
      continue;
    }
    for (int k = 0; k < nnames; k++) {
      const struct dirent *e = names[k];
      if (e->d_name[0] == '.' || ncorpus >= 256) continue;
      char path[1024];
      snprintf(path, sizeof path, "%s/%s", files[f], e->d_name);
      snprintf(corpus[ncorpus], sizeof corpus[0], "%.63s", e->d_name);
      corpus_len[ncorpus] = slurp(path, corpus_data[ncorpus], MAXIN);
      ncorpus++;
    }
    for (int k = 0; k < nnames; k++) free(names[k]);
    free(names);
  }
  free(files);
  int replay_cuda = cuda || cuda_every;
  for (int c = 0; c < ncorpus; c++) {
    if (check(corpus_data[c], corpus_len[c], replay_cuda, corpus[c])) return 1;
    if (verbose) dump(corpus[c], &logs[FUSED]);
  }
  long runs = ncorpus;
  struct timespec t0, t;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  uint8_t in[MAXIN];
  while (seconds > 0) {
    clock_gettime(CLOCK_MONOTONIC, &t);
    if ((double)(t.tv_sec - t0.tv_sec) + 1e-9 * (double)(t.tv_nsec - t0.tv_nsec) > seconds) break;
    if (max_runs > 0 && runs - ncorpus >= max_runs) break;
    size_t n;
    if (ncorpus && next() % 2) { /* mutate a corpus input */
      int c = (int)(next() % (uint64_t)ncorpus);
      n = corpus_len[c];
      memcpy(in, corpus_data[c], n);
      for (int m = 1 + (int)(next() % 4); m > 0; m--) {
        if (n < MAXIN && next() % 4 == 0) in[n++] = (uint8_t)next();
        else if (n) in[next() % n] = (uint8_t)next();
      }
    } else { /* a fresh one */
      n = 16 + next() % 200;
      for (size_t i = 0; i < n; i++) in[i] = (uint8_t)next();
    }
    runs++;
    bool with_cuda = cuda || (cuda_every > 0 && runs % cuda_every == 0);
    if (check(in, n, with_cuda, "generated")) return save(out, in, n);
  }
  printf("fuzz_graph: %ld programs (%d from the corpus), every way agrees\n", runs, ncorpus);
  return 0;
}
