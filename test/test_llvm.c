/*
 * test_llvm.c — the LLVM backend (codegen/llvm.h) against the reference
 * interpreter (kc_interp), which is the oracle: every kernel built here runs
 * through both on the same random inputs (NaN of both signs and random
 * payloads, infinities, -0.0, subnormals, integer extremes, zero divisors,
 * out-of-range shift counts), and every output buffer must be bitwise equal.
 * The one allowance: two NaNs compare equal whatever their payloads (the
 * header does not fix which operand's NaN an IEEE operation returns; the
 * number of such payload-only differences is printed). Each kernel also runs
 * with its outer range split into several [begin, end) calls, as threads
 * would, and must give the same bits.
 *
 * Covered: every elementwise op of ops.def on every dtype kc_op accepts,
 * every cast pair, every reduction kind (logsumexp included) on every
 * accumulator dtype it takes (float16/bfloat16 too) with lengths 0, 1, 7, 8,
 * 9 and 1000, fused multi-stage kernels (softmax-like),
 * column (strided) reductions, multi-dim outer spaces with non-contiguous
 * index expressions (permutes, div/mod, clamps, divisors that may be zero or
 * negative), size-1 and zero-dim outer spaces, float16/bfloat16 loads and
 * stores, Philox RNG, in-place kernels whose buffers alias, compiles from
 * several threads, error reporting, and the vectorization of a contiguous
 * float32 elementwise kernel (the optimized IR must contain <16 x float> on
 * AVX-512 hosts, a float vector otherwise). One compile is timed and printed.
 */
#define _GNU_SOURCE
#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "codegen/kernel.h"
#include "codegen/llvm.h"
#include "ir/index.h"

static cg_llvm *J;
static int name_counter;
static pthread_mutex_t name_mu = PTHREAD_MUTEX_INITIALIZER;
static long nan_payload_diffs; /* NaN vs NaN with different bits */
static long kernels_checked;

static const int op_arity[OP_COUNT] = {
#define X(e, n, ar, kind) ar,
#include "ir/ops.def"
#undef X
};
static const char *const op_names[OP_COUNT] = {
#define X(e, n, ar, kind) n,
#include "ir/ops.def"
#undef X
};

/* (tc_dtype_size / tc_dtype_name live in the library proper, which this
 * test does not link) */
static size_t dt_size(tc_dtype dt) {
  static const size_t sz[TC_NUM_DTYPES] = {1, 1, 1, 2, 4, 8, 2, 2, 4, 8};
  return sz[dt];
}
static const char *dt_name(tc_dtype dt) {
  static const char *const n[TC_NUM_DTYPES] = {
      "bool", "uint8", "int8", "int16", "int32", "int64", "float16",
      "bfloat16", "float32", "float64"};
  return n[dt];
}

static void next_name(char *buf, size_t cap, const char *stem) {
  pthread_mutex_lock(&name_mu);
  int n = name_counter++;
  pthread_mutex_unlock(&name_mu);
  snprintf(buf, cap, "%s_%d", stem, n);
}

/* ---- random inputs ------------------------------------------------------ */

typedef struct rng64 {
  uint64_t s;
} rng64;

static uint64_t rnd(rng64 *r) { /* splitmix64 */
  uint64_t z = (r->s += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

static double unit(rng64 *r) { return (double)(rnd(r) >> 11) * 0x1p-53; }

static double random_float(rng64 *r, bool f64) {
  static const double specials[] = {
      0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 2.0, 3.0, -3.0, 1.5, 2.5, -2.5,
      INFINITY, -INFINITY, 1e-40, -1e-42, 1e30, -1e30, 65504.0, 1e-8,
      100.25, 0.1};
  uint64_t k = rnd(r) % 16;
  if (k < 7) return specials[rnd(r) % (sizeof specials / sizeof *specials)];
  if (k == 7) { /* a NaN of either sign with a random payload */
    if (f64) {
      uint64_t u = 0x7ff0000000000000ull | (rnd(r) & 0x800fffffffffffffull);
      if (!(u & 0xfffffffffffffull)) u |= 1;
      double d;
      memcpy(&d, &u, 8);
      return d;
    }
    uint32_t u = 0x7f800000u | ((uint32_t)rnd(r) & 0x807fffffu);
    if (!(u & 0x7fffffu)) u |= 0x400000u;
    float f;
    memcpy(&f, &u, 4);
    return f;
  }
  if (k < 11) return unit(r) * 8.0 - 4.0;
  if (k < 13) return (double)((int64_t)(rnd(r) % 11) - 5);
  return ldexp(unit(r) * 2.0 - 1.0, (int)(rnd(r) % 61) - 30);
}

static int64_t random_int(rng64 *r) {
  static const int64_t specials[] = {0, 1, -1, 2, INT64_MIN, INT64_MAX,
                                     INT64_MIN + 1, 127, -128, 255, 32767,
                                     -32768, INT32_MIN, INT32_MAX};
  uint64_t k = rnd(r) % 8;
  if (k < 2) return specials[rnd(r) % (sizeof specials / sizeof *specials)];
  if (k < 4) return (int64_t)(rnd(r) % 74) - 3; /* shift counts, exponents */
  if (k < 6) return (int64_t)(rnd(r) % 21) - 10;
  return (int64_t)rnd(r);
}

static void fill_random(void *p, tc_dtype dt, int64_t n, rng64 *r) {
  for (int64_t i = 0; i < n; i++) {
    switch (dt) {
    case TC_BOOL: ((uint8_t *)p)[i] = rnd(r) & 1; break;
    case TC_U8: case TC_I8: ((uint8_t *)p)[i] = (uint8_t)random_int(r); break;
    case TC_I16: ((int16_t *)p)[i] = (int16_t)(uint16_t)random_int(r); break;
    case TC_I32: ((int32_t *)p)[i] = (int32_t)(uint32_t)random_int(r); break;
    case TC_I64: ((int64_t *)p)[i] = random_int(r); break;
    case TC_F16: case TC_BF16: {
      uint16_t h;
      if (rnd(r) & 1) {
        h = (uint16_t)rnd(r);
      } else {
        float f = (float)random_float(r, false);
        h = dt == TC_F16 ? kc_f32_to_f16(f) : kc_f32_to_bf16(f);
      }
      ((uint16_t *)p)[i] = h;
      break;
    }
    case TC_F32: ((float *)p)[i] = (float)random_float(r, false); break;
    default: ((double *)p)[i] = random_float(r, true); break;
    }
  }
}

/* ---- running a kernel both ways ----------------------------------------- */

typedef struct bufset {
  void *p[KC_MAX_BUFS];
  size_t bytes[KC_MAX_BUFS];
} bufset;

static size_t buf_bytes(const kernel *k, int b) {
  int64_t n = k->bufs[b].nelem > 0 ? k->bufs[b].nelem : 1;
  return (size_t)n * dt_size(k->bufs[b].dt);
}

static void bufset_copy(bufset *dst, const bufset *src, int n) {
  for (int b = 0; b < n; b++) {
    dst->bytes[b] = src->bytes[b];
    dst->p[b] = malloc(src->bytes[b]);
    assert_non_null(dst->p[b]);
    memcpy(dst->p[b], src->p[b], src->bytes[b]);
  }
}

static void bufset_free(bufset *s, int n) {
  for (int b = 0; b < n; b++) free(s->p[b]);
}

static bool is_nan_bits(tc_dtype dt, const unsigned char *p) {
  switch (dt) {
  case TC_F16: {
    uint16_t h;
    memcpy(&h, p, 2);
    return (h & 0x7c00) == 0x7c00 && (h & 0x3ff);
  }
  case TC_BF16: {
    uint16_t h;
    memcpy(&h, p, 2);
    return (h & 0x7f80) == 0x7f80 && (h & 0x7f);
  }
  case TC_F32: {
    float f;
    memcpy(&f, p, 4);
    return isnan(f);
  }
  case TC_F64: {
    double d;
    memcpy(&d, p, 8);
    return isnan(d);
  }
  default: return false;
  }
}

static void dump_elem(char *out, size_t cap, tc_dtype dt, const unsigned char *p) {
  size_t sz = dt_size(dt);
  uint64_t u = 0;
  memcpy(&u, p, sz);
  double v = 0;
  if (dt == TC_F32) {
    float f;
    memcpy(&f, p, 4);
    v = f;
  } else if (dt == TC_F64) {
    memcpy(&v, p, 8);
  } else if (dt == TC_F16) {
    v = kc_f16_to_f32((uint16_t)u);
  } else if (dt == TC_BF16) {
    v = kc_bf16_to_f32((uint16_t)u);
  } else {
    v = (double)(dt == TC_U8 || dt == TC_BOOL ? (int64_t)u
                 : (int64_t)(u << (64 - 8 * sz)) >> (64 - 8 * sz));
  }
  snprintf(out, cap, "0x%0*llx (%.17g)", (int)(2 * sz), (unsigned long long)u, v);
}

/* Index of the first element that differs (NaN == NaN), or -1. */
static int64_t first_diff(const kernel *k, int b, const void *want,
                          const void *got, bool count_nans) {
  tc_dtype dt = k->bufs[b].dt;
  size_t sz = dt_size(dt);
  int64_t n = k->bufs[b].nelem;
  const unsigned char *x = want, *y = got;
  for (int64_t i = 0; i < n; i++) {
    if (!memcmp(x + i * sz, y + i * sz, sz)) continue;
    if (is_nan_bits(dt, x + i * sz) && is_nan_bits(dt, y + i * sz)) {
      if (count_nans) {
        nan_payload_diffs++;
        if (getenv("TEST_LLVM_NANS")) {
          uint64_t a = 0, c = 0;
          memcpy(&a, x + i * sz, sz);
          memcpy(&c, y + i * sz, sz);
          fprintf(stderr, "  NaN payload: buffer %d [%lld] %llx vs %llx\n", b,
                  (long long)i, (unsigned long long)a, (unsigned long long)c);
        }
      }
      continue;
    }
    return i;
  }
  return -1;
}

static void report_failure(const kernel *k, const char *what, const char *how,
                           int b, int64_t i, const void *want, const void *got,
                           const bufset *orig) {
  char ws[64], gs[64];
  for (int ib = 0; ib < k->nbufs; ib++) { /* the inputs at the same index */
    if (i >= k->bufs[ib].nelem) continue;
    dump_elem(ws, sizeof ws, k->bufs[ib].dt,
              (const unsigned char *)orig->p[ib] + i * dt_size(k->bufs[ib].dt));
    fprintf(stderr, "input buffer %d element %lld: %s\n", ib, (long long)i, ws);
  }
  size_t sz = dt_size(k->bufs[b].dt);
  dump_elem(ws, sizeof ws, k->bufs[b].dt, (const unsigned char *)want + i * sz);
  dump_elem(gs, sizeof gs, k->bufs[b].dt, (const unsigned char *)got + i * sz);
  char *text = kc_print(k);
  /* recompile to show the optimized IR of the failing kernel */
  char name[64], err[512] = "";
  next_name(name, sizeof name, "dbg");
  kc_fn fn;
  char *ir = NULL;
  if (cg_llvm_compile(J, k, name, &fn, &ir, NULL, err, sizeof err)) ir = NULL;
  /* (stderr, not print_error: cmocka truncates long messages) */
  fprintf(stderr, "%s (%s): buffer %d element %lld: interpreter %s, compiled %s\n"
          "kernel:\n%s\noptimized IR:\n%s\n",
          what, how, b, (long long)i, ws, gs, text ? text : "?", ir ? ir : err);
  free(text);
  free(ir);
  fail_msg("compiled kernel differs from the interpreter: %s", what);
}

/* alias[b] >= 0: buffer b shares buffer alias[b]'s memory (in-place). */
static void check_kernel_alias(const kernel *k, const char *what,
                               const int *alias) {
  /* TEST_LLVM_SEED=n varies every input (for longer fuzzing runs) */
  const char *seed = getenv("TEST_LLVM_SEED");
  rng64 r = {0x1234567ull + (uint64_t)kernels_checked * 7919u +
             (seed ? strtoull(seed, NULL, 0) * 0x9E3779B97F4A7C15ull : 0)};
  bufset orig;
  int nb = k->nbufs;
  for (int b = 0; b < nb; b++) {
    orig.bytes[b] = buf_bytes(k, b);
    orig.p[b] = malloc(orig.bytes[b]);
    assert_non_null(orig.p[b]);
    fill_random(orig.p[b], k->bufs[b].dt, orig.bytes[b] / dt_size(k->bufs[b].dt), &r);
  }
  char name[64], err[1024] = "";
  next_name(name, sizeof name, "k");
  kc_fn fn = NULL;
  if (cg_llvm_compile(J, k, name, &fn, NULL, NULL, err, sizeof err)) {
    char *text = kc_print(k);
    print_error("%s: compile failed: %s\nkernel:\n%s\n", what, err, text ? text : "?");
    free(text);
    fail_msg("compile failed: %s", what);
  }
  int64_t N = kc_outer_numel(k);
  if (getenv("TEST_LLVM_NANS")) fprintf(stderr, "%s\n", what);
  /* the ways to run it: whole range, then split like threads would */
  int64_t cuts[3][8];
  int ncuts[3] = {0, 0, 0};
  cuts[0][ncuts[0]++] = 0;
  cuts[0][ncuts[0]++] = N;
  int64_t c1[] = {0, 1, N / 3, N / 2 + 1, N - 1, N};
  int64_t c2[] = {0, N / 7, 2 * N / 7, 3 * N / 7, 4 * N / 7, 5 * N / 7, 6 * N / 7, N};
  for (int i = 0; i < 6; i++) cuts[1][ncuts[1]++] = c1[i];
  for (int i = 0; i < 8; i++) cuts[2][ncuts[2]++] = c2[i];
  static const char *hows[3] = {"one call", "split in 5", "split in 7"};

  bufset want;
  bufset_copy(&want, &orig, nb);
  void *wp[KC_MAX_BUFS];
  for (int b = 0; b < nb; b++) wp[b] = alias && alias[b] >= 0 ? want.p[alias[b]] : want.p[b];
  kc_interp(k, wp, 0, N);
  for (int w = 0; w < 3; w++) {
    bufset got;
    bufset_copy(&got, &orig, nb);
    void *gp[KC_MAX_BUFS];
    for (int b = 0; b < nb; b++) gp[b] = alias && alias[b] >= 0 ? got.p[alias[b]] : got.p[b];
    for (int c = 0; c + 1 < ncuts[w]; c++) {
      int64_t lo = cuts[w][c], hi = cuts[w][c + 1];
      if (lo < 0) lo = 0;
      if (hi > N) hi = N;
      if (lo < hi) fn(gp, lo, hi);
    }
    for (int b = 0; b < nb; b++) {
      if (alias && alias[b] >= 0) continue;
      int64_t i = first_diff(k, b, want.p[b], got.p[b], w == 0);
      if (i >= 0) report_failure(k, what, hows[w], b, i, want.p[b], got.p[b], &orig);
    }
    bufset_free(&got, nb);
  }
  bufset_free(&want, nb);
  bufset_free(&orig, nb);
  kernels_checked++;
}

static void check_kernel(const kernel *k, const char *what) {
  check_kernel_alias(k, what, NULL);
}

/* ---- kernel building helpers -------------------------------------------- */

static int add_buf(kernel *k, tc_dtype dt, int64_t nelem) {
  int b = k->nbufs++;
  k->bufs[b].dt = dt;
  k->bufs[b].nelem = nelem;
  k->bufs[b].written = false;
  return b;
}

static void add_store(kernel *k, int buf, int64_t n, const ix *index, const kval *v) {
  assert_non_null(index);
  assert_non_null(v);
  kstage *s = &k->stages[k->nstages++];
  memset(s, 0, sizeof *s);
  s->kind = KS_STORE;
  s->n = n;
  s->val = v;
  s->buf = buf;
  s->index = index;
  k->bufs[buf].written = true;
}

static int add_reduce(kernel *k, int rop, tc_dtype acc_dt, int64_t n, const kval *v) {
  assert_non_null(v);
  int s = k->nstages++;
  memset(&k->stages[s], 0, sizeof k->stages[s]);
  k->stages[s].kind = KS_REDUCE;
  k->stages[s].rop = rop;
  k->stages[s].acc_dt = acc_dt;
  k->stages[s].n = n;
  k->stages[s].val = v;
  return s;
}

static void set_outer(kernel *k, int nd, const int64_t *dims) {
  k->nouter = nd;
  for (int d = 0; d < nd; d++) k->outer[d] = dims[d];
}

static const ix *outer_var(kernel *k, int d) {
  return ix_var(&k->arena, d, 0, k->outer[d] - 1);
}

static const ix *stage_var(kernel *k, int s, int64_t n) {
  return ix_var(&k->arena, kc_stage_var(k, s), 0, n > 0 ? n - 1 : 0);
}

static void build_elementwise(kernel *k, int64_t N);

/* ---- tests: elementwise ------------------------------------------------- */

static int check_op(int op, tc_dtype dt, tc_dtype in_dt) {
  kernel k;
  kc_init(&k, NULL);
  const int64_t N = 517;
  int64_t dims[1] = {N};
  set_outer(&k, 1, dims);
  tc_dtype adt = op == OP_WHERE ? TC_BOOL : in_dt;
  int ba = add_buf(&k, adt, N), bb = add_buf(&k, in_dt, N),
      bc = add_buf(&k, in_dt, N);
  const ix *v0 = outer_var(&k, 0);
  const kval *a = kc_load(&k, ba, v0);
  /* b reads a shifted index, so equal pairs come from the value pool */
  const kval *b = kc_load(&k, bb, ix_modc(&k.arena, ix_addc(&k.arena, v0, 5), N));
  const kval *c = kc_load(&k, bc, v0);
  const kval *v = kc_op(&k, op, dt, a, op_arity[op] >= 2 ? b : NULL,
                        op_arity[op] >= 3 ? c : NULL);
  if (!v) { /* kc_op does not accept this dtype */
    kc_free(&k);
    return 0;
  }
  int bo = add_buf(&k, dt, N);
  add_store(&k, bo, 1, v0, v);
  char what[96];
  snprintf(what, sizeof what, "%s on %s -> %s", op_names[op],
           dt_name(in_dt), dt_name(dt));
  check_kernel(&k, what);
  kc_free(&k);
  return 1;
}

static void every_elementwise_op_matches_the_interpreter_on_every_dtype(void **state) {
  (void)state;
  int checked = 0;
  for (int op = OP_NEG; op <= OP_FMA; op++) {
    if (op == OP_CAST) continue;
    for (int dt = 0; dt < TC_NUM_DTYPES; dt++) {
      bool to_bool = (op >= OP_EQ && op <= OP_GE) || op == OP_ISNAN ||
                     op == OP_ISINF || op == OP_ISFINITE;
      checked += check_op(op, to_bool ? TC_BOOL : (tc_dtype)dt, (tc_dtype)dt);
    }
  }
  printf("  elementwise (op, dtype) kernels checked: %d\n", checked);
  assert_true(checked > 150);
}

static void every_cast_matches_the_interpreter(void **state) {
  (void)state;
  int checked = 0;
  for (int from = 0; from < TC_NUM_DTYPES; from++)
    for (int to = 0; to < TC_NUM_DTYPES; to++)
      checked += check_op(OP_CAST, (tc_dtype)to, (tc_dtype)from);
  assert_int_equal(checked, TC_NUM_DTYPES * TC_NUM_DTYPES);
}

static void constants_of_every_dtype_store_like_the_interpreter(void **state) {
  (void)state;
  static const double fv[] = {0.1, -0.0, 1e10, -3.5, NAN, INFINITY, 65519.0, 300.7};
  for (int dt = 0; dt < TC_NUM_DTYPES; dt++) {
    kernel k;
    kc_init(&k, NULL);
    int64_t dims[1] = {(int64_t)(sizeof fv / sizeof *fv) * 2};
    set_outer(&k, 1, dims);
    int bo = add_buf(&k, (tc_dtype)dt, dims[0]);
    const ix *v0 = outer_var(&k, 0);
    for (int j = 0; j < dims[0] / 2; j++) {
      add_store(&k, bo, 1, ix_const(&k.arena, 2 * j), kc_const_f(&k, (tc_dtype)dt, fv[j]));
      add_store(&k, bo, 1, ix_const(&k.arena, 2 * j + 1),
                kc_const_i(&k, (tc_dtype)dt, (int64_t)-300 * j + 7));
    }
    (void)v0;
    k.nstages = k.nstages > KC_MAX_STAGES ? KC_MAX_STAGES : k.nstages;
    check_kernel(&k, "constants");
    kc_free(&k);
  }
}

/* ---- tests: reductions -------------------------------------------------- */

static void every_reduction_matches_the_interpreter_for_lengths_0_to_4099(void **state) {
  (void)state;
  /* three kernels of 7 lengths each (a stage limit): every partial group,
   * partial unit of 4 or 8 groups and stack depth the backends
   * special-case */
  static const int64_t lens[3][7] = {{0, 1, 7, 8, 9, 17, 31},
                                     {32, 33, 100, 255, 257, 1000, 4099},
                                     {40, 56, 63, 64, 88, 120, 1016}};
  static const tc_dtype accs[] = {TC_BOOL, TC_U8, TC_I8, TC_I32, TC_I64,
                                  TC_F16, TC_BF16, TC_F32, TC_F64};
  for (int rop = OP_RSUM; rop <= OP_RLSE; rop++) {
    for (size_t a = 0; a < sizeof accs / sizeof *accs; a++) {
      tc_dtype acc = accs[a];
      if (rop == OP_RLSE && acc != TC_F32 && acc != TC_F64) continue;
      /* the value dtype differs from the accumulator's where a cast is
       * natural (and half accumulators do float32 ops rounded per op) */
      tc_dtype in = acc == TC_F32 ? TC_F16 : acc == TC_I64 ? TC_I32
                    : acc == TC_F16 ? TC_F32 : acc;
      bool arg = rop == OP_RARGMAX || rop == OP_RARGMIN;
      for (int h = 0; h < 3; h++) {
        kernel k;
        kc_init(&k, NULL);
        int64_t dims[1] = {3};
        set_outer(&k, 1, dims);
        const ix *v0 = outer_var(&k, 0);
        for (size_t li = 0; li < sizeof lens[h] / sizeof *lens[h]; li++) {
          int64_t n = lens[h][li];
          int bi = add_buf(&k, in, 3 * n);
          int bo = add_buf(&k, arg ? TC_I64 : acc, 3);
          int s = k.nstages;
          const ix *idx = ix_add(&k.arena, ix_mulc(&k.arena, v0, n), stage_var(&k, s, n));
          add_reduce(&k, rop, acc, n, kc_load(&k, bi, idx));
          add_store(&k, bo, 1, v0, kc_acc(&k, s));
        }
        char what[96];
        snprintf(what, sizeof what, "%s of %s into %s (lengths %lld..)", op_names[rop],
                 dt_name(in), dt_name(acc), (long long)lens[h][0]);
        check_kernel(&k, what);
        kc_free(&k);
      }
    }
  }
}

static void a_fused_softmax_with_three_stages_matches_the_interpreter(void **state) {
  (void)state;
  static const tc_dtype dts[] = {TC_F32, TC_F64};
  for (int t = 0; t < 2; t++) {
    tc_dtype dt = dts[t];
    kernel k;
    kc_init(&k, NULL);
    const int64_t R = 5, C = 37;
    int64_t dims[1] = {R};
    set_outer(&k, 1, dims);
    int bx = add_buf(&k, dt, R * C), bo = add_buf(&k, dt, R * C);
    int bm = add_buf(&k, TC_I64, R);
    const ix *v0 = outer_var(&k, 0);
    ir_arena *A = &k.arena;
    /* stage 0: m = max_r x[v0, r] */
    const kval *x0 = kc_load(&k, bx, ix_add(A, ix_mulc(A, v0, C), stage_var(&k, 0, C)));
    add_reduce(&k, OP_RMAX, dt, C, x0);
    /* stage 1: s = sum_r exp(x[v0, r] - m) */
    const kval *x1 = kc_load(&k, bx, ix_add(A, ix_mulc(A, v0, C), stage_var(&k, 1, C)));
    add_reduce(&k, OP_RSUM, dt, C,
               kc_op(&k, OP_EXP, dt, kc_op(&k, OP_SUB, dt, x1, kc_acc(&k, 0), NULL), NULL, NULL));
    /* stage 2: out[v0, j] = exp(x[v0, j] - m) / s */
    const ix *oj = ix_add(A, ix_mulc(A, v0, C), stage_var(&k, 2, C));
    const kval *x2 = kc_load(&k, bx, oj);
    const kval *e = kc_op(&k, OP_EXP, dt, kc_op(&k, OP_SUB, dt, x2, kc_acc(&k, 0), NULL), NULL, NULL);
    add_store(&k, bo, C, oj, kc_op(&k, OP_DIV, dt, e, kc_acc(&k, 1), NULL));
    /* stage 3: argmax of the row into a second output */
    const kval *x3 = kc_load(&k, bx, ix_add(A, ix_mulc(A, v0, C), stage_var(&k, 3, C)));
    add_reduce(&k, OP_RARGMAX, dt, C, x3);
    add_store(&k, bm, 1, v0, kc_acc(&k, 3));
    check_kernel(&k, "softmax");
    kc_free(&k);
  }
}

static void a_column_reduction_over_a_strided_dim_matches_the_interpreter(void **state) {
  (void)state;
  for (int rop = OP_RSUM; rop <= OP_RLSE; rop++) {
    kernel k;
    kc_init(&k, NULL);
    const int64_t R = 50, C = 6;
    int64_t dims[1] = {C};
    set_outer(&k, 1, dims);
    int bx = add_buf(&k, TC_F32, R * C);
    bool arg = rop == OP_RARGMAX || rop == OP_RARGMIN;
    int bo = add_buf(&k, arg ? TC_I64 : TC_F32, C);
    const ix *v0 = outer_var(&k, 0);
    const ix *idx = ix_add(&k.arena, ix_mulc(&k.arena, stage_var(&k, 0, R), C), v0);
    add_reduce(&k, rop, TC_F32, R, kc_load(&k, bx, idx));
    add_store(&k, bo, 1, v0, kc_acc(&k, 0));
    check_kernel(&k, op_names[rop]);
    kc_free(&k);
  }
}

/* Column-shaped kernels (outer points contiguous, the reduction strided
 * by a row) compile panel by panel, vectorized across points
 * (llvm_colred.c); their bits must still be the interpreter's for every
 * reduction, accumulator, length (partial groups, partial units, stack
 * depths) and width (partial panels), whole or split into ranges. */
static void every_column_reduction_matches_the_interpreter_for_lengths_0_to_4099(void **state) {
  (void)state;
  /* the column path's units are 4 groups whatever the row path's: these
   * lengths reach each of its partial units and stack depths */
  static const int64_t lens[2][7] = {{0, 1, 7, 8, 9, 17, 31},
                                     {32, 33, 100, 255, 257, 1000, 4099}};
  static const tc_dtype accs[] = {TC_BOOL, TC_U8, TC_I8, TC_I32, TC_I64,
                                  TC_F16, TC_BF16, TC_F32, TC_F64};
  int columns = 0;
  for (int rop = OP_RSUM; rop <= OP_RLSE; rop++) {
    for (size_t a = 0; a < sizeof accs / sizeof *accs; a++) {
      tc_dtype acc = accs[a];
      if (rop == OP_RLSE && acc != TC_F32 && acc != TC_F64) continue;
      tc_dtype in = acc == TC_F32 ? TC_F16 : acc == TC_I64 ? TC_I32
                    : acc == TC_F16 ? TC_F32 : acc;
      bool arg = rop == OP_RARGMAX || rop == OP_RARGMIN;
      for (int h = 0; h < 2; h++) {
        kernel k;
        kc_init(&k, NULL);
        const int64_t W = 37;
        int64_t dims[1] = {W};
        set_outer(&k, 1, dims);
        const ix *v0 = outer_var(&k, 0);
        for (size_t li = 0; li < sizeof lens[h] / sizeof *lens[h]; li++) {
          int64_t n = lens[h][li];
          int bi = add_buf(&k, in, W * n);
          int bo = add_buf(&k, arg ? TC_I64 : acc, W);
          int s = k.nstages;
          const ix *idx = ix_add(&k.arena, ix_mulc(&k.arena, stage_var(&k, s, n), W), v0);
          add_reduce(&k, rop, acc, n, kc_load(&k, bi, idx));
          add_store(&k, bo, 1, v0, kc_acc(&k, s));
        }
        char what[96];
        snprintf(what, sizeof what, "column %s of %s into %s (lengths %lld..)", op_names[rop],
                 dt_name(in), dt_name(acc), (long long)lens[h][0]);
        columns += cg_llvm_columns(&k);
        check_kernel(&k, what);
        kc_free(&k);
      }
    }
  }
  assert_int_equal(columns, 2 * (6 * 9 + 2));
}

/* Wider than a panel, over a 2-d outer space (ranges cross rows), with a
 * second reduction that reads the first's result (a column variance), a
 * store between them, an argmax over float64 (two-part lanes) and a
 * broadcast per-row weight. */
static void column_kernels_wider_than_a_panel_match_the_interpreter(void **state) {
  (void)state;
  static const int64_t shapes[][3] = {{2, 2100, 100}, {3, 40, 70}, {1, 1030, 33}};
  for (int t = 0; t < 3; t++) {
    int64_t B = shapes[t][0], W = shapes[t][1], n = shapes[t][2];
    kernel k;
    kc_init(&k, NULL);
    int64_t dims[2] = {B, W};
    set_outer(&k, 2, dims);
    ir_arena *A = &k.arena;
    const ix *v0 = outer_var(&k, 0), *v1 = outer_var(&k, 1);
    const ix *out = ix_add(A, ix_mulc(A, v0, W), v1);
    int bx = add_buf(&k, TC_F32, B * n * W), bw = add_buf(&k, TC_F32, n);
    int bd = add_buf(&k, TC_F64, B * n * W);
    int bm = add_buf(&k, TC_F32, B * W), bv = add_buf(&k, TC_F32, B * W);
    int ba = add_buf(&k, TC_I64, B * W);
#define XAT(s) ix_add(A, ix_add(A, ix_mulc(A, v0, n * W), ix_mulc(A, stage_var(&k, s, n), W)), v1)
    /* stage 0: sum of x * w[r]; stage 1: the mean stored; stage 2: the
     * sum of squared deviations; stage 3: stored; 4, 5: argmax of d */
    const kval *x0 = kc_op(&k, OP_MUL, TC_F32, kc_load(&k, bx, XAT(0)), kc_load(&k, bw, stage_var(&k, 0, n)), NULL);
    add_reduce(&k, OP_RSUM, TC_F32, n, x0);
    const kval *mean = kc_op(&k, OP_DIV, TC_F32, kc_acc(&k, 0), kc_const_f(&k, TC_F32, (double)n), NULL);
    add_store(&k, bm, 1, out, mean);
    const kval *dev = kc_op(&k, OP_SUB, TC_F32, kc_load(&k, bx, XAT(2)), mean, NULL);
    add_reduce(&k, OP_RSUM, TC_F32, n, kc_op(&k, OP_MUL, TC_F32, dev, dev, NULL));
    add_store(&k, bv, 1, out, kc_acc(&k, 2));
    add_reduce(&k, OP_RARGMAX, TC_F64, n, kc_load(&k, bd, XAT(4)));
    add_store(&k, ba, 1, out, kc_acc(&k, 4));
#undef XAT
    assert_true(cg_llvm_columns(&k));
    char what[96];
    snprintf(what, sizeof what, "column kernel %lldx%lld over %lld", (long long)B, (long long)W, (long long)n);
    check_kernel(&k, what);
    kc_free(&k);
  }
}

static void a_full_reduction_with_no_outer_dims_matches_the_interpreter(void **state) {
  (void)state;
  kernel k;
  kc_init(&k, NULL);
  set_outer(&k, 0, NULL);
  const int64_t n = 1003;
  int bx = add_buf(&k, TC_F32, n), bo = add_buf(&k, TC_F64, 1), bi = add_buf(&k, TC_I64, 1);
  add_reduce(&k, OP_RSUM, TC_F64, n, kc_load(&k, bx, stage_var(&k, 0, n)));
  add_store(&k, bo, 1, ix_const(&k.arena, 0), kc_acc(&k, 0));
  add_reduce(&k, OP_RARGMIN, TC_F32, n, kc_load(&k, bx, stage_var(&k, 2, n)));
  add_store(&k, bi, 1, ix_const(&k.arena, 0), kc_acc(&k, 2));
  check_kernel(&k, "full reduction");
  kc_free(&k);
}

/* ---- tests: index expressions and outer spaces -------------------------- */

static void multi_dim_outer_spaces_with_non_contiguous_indices_match_the_interpreter(void **state) {
  (void)state;
  kernel k;
  kc_init(&k, NULL);
  int64_t dims[3] = {5, 7, 9};
  set_outer(&k, 3, dims);
  ir_arena *A = &k.arena;
  const ix *v0 = outer_var(&k, 0), *v1 = outer_var(&k, 1), *v2 = outer_var(&k, 2);
  const ix *flat = ix_add(A, ix_add(A, ix_mulc(A, v0, 63), ix_mulc(A, v1, 9)), v2);
  const ix *perm = ix_add(A, ix_mulc(A, ix_add(A, ix_mulc(A, v2, 7), v1), 5), v0);
  int ba = add_buf(&k, TC_F32, 315), bb = add_buf(&k, TC_F32, 17),
      bc = add_buf(&k, TC_F64, 7), bd = add_buf(&k, TC_I32, 106),
      be = add_buf(&k, TC_F32, 20);
  int o1 = add_buf(&k, TC_F32, 315), o2 = add_buf(&k, TC_F64, 315),
      o3 = add_buf(&k, TC_I64, 315), o4 = add_buf(&k, TC_I64, 315);
  /* a permuted load, a wrapped (mod) load, a broadcast, a div load, a
   * floor division of a possibly negative value, a clamp */
  const kval *a = kc_load(&k, ba, perm);
  const kval *b = kc_load(&k, bb, ix_modc(A, flat, 17));
  const kval *c = kc_load(&k, bc, v1);
  const kval *d = kc_load(&k, bd, ix_divc(A, flat, 3));
  const ix *neg = ix_addc(A, ix_add(A, ix_mulc(A, v2, 2), ix_mulc(A, v0, -3)), -4);
  const kval *e = kc_load(&k, be, ix_addc(A, ix_divc(A, neg, 3), 10));
  const ix *clamp = ix_min(A, ix_max(A, ix_addc(A, v2, -2), ix_const(A, 0)), ix_const(A, 4));
  const kval *f = kc_load(&k, ba, ix_add(A, ix_mulc(A, clamp, 63), ix_modc(A, neg, 7)));
  const kval *s = kc_op(&k, OP_ADD, TC_F32, a, b, NULL);
  s = kc_op(&k, OP_MUL, TC_F32, s, kc_op(&k, OP_SUB, TC_F32, e, f, NULL), NULL);
  add_store(&k, o1, 1, flat, s);
  const kval *dd = kc_op(&k, OP_CAST, TC_F64, d, NULL, NULL);
  add_store(&k, o2, 1, perm, kc_op(&k, OP_ADD, TC_F64, c, dd, NULL));
  /* index values: divisors that may be zero or negative, lt/and */
  const ix *num = ix_addc(A, ix_mulc(A, v2, 5), -17);
  const ix *den = ix_addc(A, v1, -3);
  const ix *q = ix_div(A, num, den), *m = ix_mod(A, num, den);
  const ix *lt = ix_and(A, ix_lt(A, v1, ix_const(A, 3)), ix_lt(A, ix_const(A, 2), v2));
  const kval *qi = kc_index(&k, ix_add(A, ix_mulc(A, q, 1000), m));
  add_store(&k, o3, 1, flat, kc_op(&k, OP_ADD, TC_I64, qi, kc_index(&k, ix_mulc(A, lt, 100000)), NULL));
  const ix *q2 = ix_div(A, ix_mulc(A, v0, -7), ix_addc(A, v2, -4));
  const ix *m2 = ix_mod(A, ix_mulc(A, v1, 11), ix_addc(A, v0, -2));
  add_store(&k, o4, 1, flat, kc_index(&k, ix_add(A, ix_mulc(A, q2, 100), m2)));
  check_kernel(&k, "3-d outer space");
  kc_free(&k);

  /* size-1 dims around the row, and a row of length 1 */
  static const int64_t shapes[][4] = {{1, 13, 1, 4}, {6, 1, 1, 1}, {2, 3, 4, 5}};
  for (int t = 0; t < 3; t++) {
    kc_init(&k, NULL);
    set_outer(&k, 4, shapes[t]);
    A = &k.arena;
    int64_t n = kc_outer_numel(&k);
    const ix *fl = ix_const(A, 0), *tr = ix_const(A, 0);
    int64_t st = 1, st2 = 1;
    for (int dd2 = 3; dd2 >= 0; dd2--) {
      fl = ix_add(A, fl, ix_mulc(A, outer_var(&k, dd2), st));
      st *= shapes[t][dd2];
    }
    for (int dd2 = 0; dd2 < 4; dd2++) {
      tr = ix_add(A, tr, ix_mulc(A, outer_var(&k, dd2), st2));
      st2 *= shapes[t][dd2];
    }
    int bi = add_buf(&k, TC_I16, n), bo = add_buf(&k, TC_I16, n);
    add_store(&k, bo, 1, tr, kc_op(&k, OP_MUL, TC_I16, kc_load(&k, bi, fl), kc_load(&k, bi, tr), NULL));
    check_kernel(&k, "4-d outer space");
    kc_free(&k);
  }
}

static void an_empty_outer_space_or_range_writes_nothing(void **state) {
  (void)state;
  kernel k;
  kc_init(&k, NULL);
  int64_t dims[2] = {0, 5};
  set_outer(&k, 2, dims);
  int b = add_buf(&k, TC_F32, 4);
  add_store(&k, b, 1, ix_const(&k.arena, 1), kc_const_f(&k, TC_F32, 7));
  char name[64], err[256];
  next_name(name, sizeof name, "empty");
  kc_fn fn;
  assert_int_equal(cg_llvm_compile(J, &k, name, &fn, NULL, NULL, err, sizeof err), 0);
  float out[4] = {1, 2, 3, 4};
  void *bufs[1] = {out};
  fn(bufs, 0, 0);
  assert_true(out[1] == 2);
  kc_free(&k);
  /* a non-empty kernel given begin == end, or begin > end */
  build_elementwise(&k, 10);
  next_name(name, sizeof name, "empty");
  assert_int_equal(cg_llvm_compile(J, &k, name, &fn, NULL, NULL, err, sizeof err), 0);
  float x[5][10];
  memset(x, 0, sizeof x);
  x[0][3] = 42;
  void *p[5] = {x[0], x[1], x[2], x[3], x[4]};
  fn(p, 3, 3);
  fn(p, 5, 2);
  assert_true(x[0][3] == 42);
  kc_free(&k);
}

/* ---- tests: half types, RNG, aliasing ----------------------------------- */

static void float16_and_bfloat16_round_trip_like_the_interpreter(void **state) {
  (void)state;
  static const tc_dtype hs[] = {TC_F16, TC_BF16};
  for (int t = 0; t < 2; t++) {
    kernel k;
    kc_init(&k, NULL);
    const int64_t N = 1000;
    int64_t dims[1] = {N};
    set_outer(&k, 1, dims);
    const ix *v0 = outer_var(&k, 0);
    int bi = add_buf(&k, hs[t], N), bo = add_buf(&k, hs[t], N),
        bc = add_buf(&k, hs[t], N), bw = add_buf(&k, TC_F64, N);
    const kval *x = kc_op(&k, OP_CAST, TC_F32, kc_load(&k, bi, v0), NULL, NULL);
    const kval *y = kc_op(&k, OP_MUL, TC_F32, x, kc_const_f(&k, TC_F32, 3.0), NULL);
    add_store(&k, bo, 1, v0, kc_op(&k, OP_CAST, hs[t], y, NULL, NULL));
    add_store(&k, bc, 1, v0, kc_load(&k, bi, v0)); /* a plain copy */
    add_store(&k, bw, 1, v0, kc_op(&k, OP_CAST, TC_F64, kc_load(&k, bi, v0), NULL, NULL));
    check_kernel(&k, dt_name(hs[t]));
    kc_free(&k);
  }
}

static void philox_rng_matches_the_interpreter_and_kc_philox(void **state) {
  (void)state;
  kernel k;
  kc_init(&k, NULL);
  int64_t dims[2] = {4, 33};
  set_outer(&k, 2, dims);
  ir_arena *A = &k.arena;
  const ix *flat = ix_add(A, ix_mulc(A, outer_var(&k, 0), 33), outer_var(&k, 1));
  const ix *ctr = ix_addc(A, flat, 0xFFFFFFF0ll); /* crosses 2^32 */
  uint64_t seed = 0x123456789abcdef0ull;
  int b0 = add_buf(&k, TC_F32, 132), b1 = add_buf(&k, TC_F32, 132),
      b2 = add_buf(&k, TC_I64, 132), b3 = add_buf(&k, TC_F64, 132);
  add_store(&k, b0, 1, flat, kc_rng(&k, OP_RAND, seed, ctr));
  add_store(&k, b1, 1, flat, kc_rng(&k, OP_RANDN, seed, ctr));
  add_store(&k, b2, 1, flat, kc_rng(&k, OP_RANDBITS, seed, ctr));
  add_store(&k, b3, 1, flat, kc_op(&k, OP_CAST, TC_F64, kc_rng(&k, OP_RANDN, 7, flat), NULL, NULL));
  check_kernel(&k, "rng");
  /* and directly: element 5 of RAND is (x0 >> 8) * 2^-24 */
  char name[64], err[256];
  next_name(name, sizeof name, "rng");
  kc_fn fn;
  assert_int_equal(cg_llvm_compile(J, &k, name, &fn, NULL, NULL, err, sizeof err), 0);
  float r[132], n[132];
  int64_t bits[132];
  double d[132];
  void *bufs[4] = {r, n, bits, d};
  fn(bufs, 0, 132);
  uint32_t x[4];
  kc_philox(seed, 0xFFFFFFF0ull + 5, x);
  assert_true(r[5] == (float)(x[0] >> 8) * 0x1p-24f);
  assert_true(bits[5] == (int64_t)((((uint64_t)x[2] << 32) | x[3]) >> 1));
  kc_free(&k);
}

static void in_place_kernels_whose_buffers_alias_match_the_interpreter(void **state) {
  (void)state;
  /* out[i] = a[i + s] * 2 + 1 with out and a the same memory: s = 1 reads
   * ahead of the writes, s = -1 reads what was just written (a
   * vectorizer ignoring aliasing would get both wrong) */
  for (int s = -1; s <= 1; s++) {
    kernel k;
    kc_init(&k, NULL);
    const int64_t N = 300;
    int64_t dims[1] = {N};
    set_outer(&k, 1, dims);
    int bo = add_buf(&k, TC_F32, N + 2), ba = add_buf(&k, TC_F32, N + 2);
    const ix *v0 = ix_addc(&k.arena, outer_var(&k, 0), 1);
    const kval *a = kc_load(&k, ba, ix_addc(&k.arena, v0, s));
    const kval *y = kc_op(&k, OP_ADD, TC_F32,
                          kc_op(&k, OP_MUL, TC_F32, a, kc_const_f(&k, TC_F32, 2), NULL),
                          kc_const_f(&k, TC_F32, 1), NULL);
    add_store(&k, bo, 1, v0, y);
    int alias[2] = {-1, 0};
    check_kernel_alias(&k, "aliased in-place", alias);
    kc_free(&k);
  }
}

/* ---- tests: the JIT itself ---------------------------------------------- */

/* out[i] = relu(a[i]*b[i]+c[i])*0.5 - d[i], contiguous float32 */
static void build_elementwise(kernel *k, int64_t N) {
  kc_init(k, NULL);
  int64_t dims[1] = {N};
  set_outer(k, 1, dims);
  const ix *v0 = outer_var(k, 0);
  int bo = add_buf(k, TC_F32, N);
  const kval *in[4];
  for (int i = 0; i < 4; i++) in[i] = kc_load(k, add_buf(k, TC_F32, N), v0);
  const kval *x = kc_op(k, OP_MUL, TC_F32, in[0], in[1], NULL);
  x = kc_op(k, OP_ADD, TC_F32, x, in[2], NULL);
  x = kc_op(k, OP_RELU, TC_F32, x, NULL, NULL);
  x = kc_op(k, OP_MUL, TC_F32, x, kc_const_f(k, TC_F32, 0.5), NULL);
  x = kc_op(k, OP_SUB, TC_F32, x, in[3], NULL);
  add_store(k, bo, 1, v0, x);
}

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void a_contiguous_float32_elementwise_kernel_is_vectorized(void **state) {
  (void)state;
  kernel k;
  build_elementwise(&k, 4096);
  const char *target = cg_llvm_target(J);
  bool avx512 = strstr(target, "+avx512f") != NULL;
  char name[64], err[512];
  next_name(name, sizeof name, "ew");
  kc_fn fn;
  char *ir = NULL, *as = NULL;
  double t0 = now_ms();
  int rc = cg_llvm_compile(J, &k, name, &fn, &ir, &as, err, sizeof err);
  double t1 = now_ms();
  assert_int_equal(rc, 0);
  const char *want = avx512 ? "<16 x float>" : "x float>";
  bool has16 = strstr(ir, "<16 x float>") != NULL, has8 = strstr(ir, "<8 x float>") != NULL,
       has4 = strstr(ir, "<4 x float>") != NULL;
  printf("  target: %.60s...\n  vectors in optimized IR: <16 x float> %s, <8 x float> %s, "
         "<4 x float> %s (compile with IR+asm: %.1f ms)\n",
         target, has16 ? "yes" : "no", has8 ? "yes" : "no", has4 ? "yes" : "no", t1 - t0);
  if (!strstr(ir, want)) fprintf(stderr, "optimized IR:\n%s\n", ir);
  assert_non_null(strstr(ir, want));
  assert_non_null(strstr(as, name));
  free(ir);
  free(as);
  check_kernel(&k, "elementwise");
  kc_free(&k);
}

static void compiling_a_small_kernel_is_timed(void **state) {
  (void)state;
  kernel k;
  build_elementwise(&k, 1000);
  char name[64], err[512];
  kc_fn fn;
  double best = 1e9, total = 0;
  for (int i = 0; i < 5; i++) {
    next_name(name, sizeof name, "time");
    double t0 = now_ms();
    assert_int_equal(cg_llvm_compile(J, &k, name, &fn, NULL, NULL, err, sizeof err), 0);
    double dt = now_ms() - t0;
    total += dt;
    if (dt < best) best = dt;
  }
  printf("  compile of a small elementwise kernel: best %.2f ms, mean %.2f ms\n",
         best, total / 5);
  kc_free(&k);
}

static void compiling_the_same_name_twice_fails_with_a_message(void **state) {
  (void)state;
  kernel k;
  build_elementwise(&k, 10);
  char err[256] = "";
  kc_fn fn;
  assert_int_equal(cg_llvm_compile(J, &k, "dup_name", &fn, NULL, NULL, err, sizeof err), 0);
  assert_int_equal(cg_llvm_compile(J, &k, "dup_name", &fn, NULL, NULL, err, sizeof err), -1);
  assert_non_null(strstr(err, "dup_name"));
  kc_free(&k);
}

static void a_malformed_kernel_fails_to_compile_with_a_message(void **state) {
  (void)state;
  kernel k;
  kc_init(&k, NULL);
  int64_t dims[1] = {4};
  set_outer(&k, 1, dims);
  int b = add_buf(&k, TC_F32, 4);
  /* an index that uses a variable of no loop (stage 3's) */
  const ix *bad = ix_var(&k.arena, 4, 0, 3);
  add_store(&k, b, 1, bad, kc_const_f(&k, TC_F32, 1));
  char err[256] = "", name[64];
  next_name(name, sizeof name, "bad");
  kc_fn fn = NULL;
  assert_int_equal(cg_llvm_compile(J, &k, name, &fn, NULL, NULL, err, sizeof err), -1);
  assert_true(strlen(err) > 0);
  assert_null(fn);
  printf("  malformed kernel: %s\n", err);
  kc_free(&k);
}

static void *compile_thread(void *arg) {
  int *ok = arg;
  for (int i = 0; i < 3; i++) {
    kernel k;
    build_elementwise(&k, 100 + i);
    char name[64], err[256];
    next_name(name, sizeof name, "thr");
    kc_fn fn;
    if (cg_llvm_compile(J, &k, name, &fn, NULL, NULL, err, sizeof err)) *ok = 0;
    float bufs[5][102];
    for (int b = 0; b < 5; b++)
      for (int j = 0; j < 102; j++) bufs[b][j] = (float)(j * (b + 1) % 7) - 3;
    void *p[5] = {bufs[0], bufs[1], bufs[2], bufs[3], bufs[4]};
    if (!*ok) {
      kc_free(&k);
      break;
    }
    fn(p, 0, 100 + i);
    for (int j = 0; j < 100 + i; j++) {
      float x = bufs[1][j] * bufs[2][j] + bufs[3][j];
      x = (x < 0 ? 0 : x) * 0.5f - bufs[4][j];
      if (memcmp(&x, &bufs[0][j], 4)) *ok = 0;
    }
    kc_free(&k);
  }
  return NULL;
}

static void kernels_compile_and_run_from_several_threads(void **state) {
  (void)state;
  pthread_t t[4];
  int ok[4] = {1, 1, 1, 1};
  for (int i = 0; i < 4; i++) pthread_create(&t[i], NULL, compile_thread, &ok[i]);
  for (int i = 0; i < 4; i++) pthread_join(t[i], NULL);
  for (int i = 0; i < 4; i++) assert_true(ok[i]);
}

static int setup(void **state) {
  (void)state;
  char err[256];
  J = cg_llvm_get(err, sizeof err);
  if (!J) {
    fprintf(stderr, "no LLVM JIT: %s\n", err);
    return -1;
  }
  return 0;
}

static int teardown(void **state) {
  (void)state;
  printf("  kernels checked against the interpreter: %ld; NaN results equal "
         "but for payload/sign: %ld\n", kernels_checked, nan_payload_diffs);
  cg_llvm_shutdown();
  return 0;
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(a_contiguous_float32_elementwise_kernel_is_vectorized),
      cmocka_unit_test(compiling_a_small_kernel_is_timed),
      cmocka_unit_test(every_elementwise_op_matches_the_interpreter_on_every_dtype),
      cmocka_unit_test(every_cast_matches_the_interpreter),
      cmocka_unit_test(constants_of_every_dtype_store_like_the_interpreter),
      cmocka_unit_test(every_reduction_matches_the_interpreter_for_lengths_0_to_4099),
      cmocka_unit_test(a_fused_softmax_with_three_stages_matches_the_interpreter),
      cmocka_unit_test(a_column_reduction_over_a_strided_dim_matches_the_interpreter),
      cmocka_unit_test(every_column_reduction_matches_the_interpreter_for_lengths_0_to_4099),
      cmocka_unit_test(column_kernels_wider_than_a_panel_match_the_interpreter),
      cmocka_unit_test(a_full_reduction_with_no_outer_dims_matches_the_interpreter),
      cmocka_unit_test(multi_dim_outer_spaces_with_non_contiguous_indices_match_the_interpreter),
      cmocka_unit_test(an_empty_outer_space_or_range_writes_nothing),
      cmocka_unit_test(float16_and_bfloat16_round_trip_like_the_interpreter),
      cmocka_unit_test(philox_rng_matches_the_interpreter_and_kc_philox),
      cmocka_unit_test(in_place_kernels_whose_buffers_alias_match_the_interpreter),
      cmocka_unit_test(compiling_the_same_name_twice_fails_with_a_message),
      cmocka_unit_test(a_malformed_kernel_fails_to_compile_with_a_message),
      cmocka_unit_test(kernels_compile_and_run_from_several_threads),
  };
  /* only the tests matching a pattern (scripts/test's ThreadSanitizer run) */
  if (getenv("TC_TEST_FILTER")) cmocka_set_test_filter(getenv("TC_TEST_FILTER"));
  return cmocka_run_group_tests(tests, setup, teardown);
}
