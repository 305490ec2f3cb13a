/*
 * test_cuda.c — the CUDA C backend (codegen/cuda.h) without a GPU. Every
 * kernel built here goes two ways:
 *   (a) its CUDA C is compiled by NVRTC for sm_90 (each kernel its own
 *       program, as the runtime will do; no log line allowed) and its PTX
 *       assembled by `ptxas -arch=sm_90`, which must print nothing (no
 *       error, no warning);
 *   (b) the same CUDA C is built for the host by g++ with test/cuda_emu.h
 *       (threads as fibers, so warp shuffles and barriers behave as on a
 *       GPU), the kernels of a test batched into a few shared objects built
 *       in parallel, then run on random inputs (NaN of both signs with
 *       random payloads, infinities, -0.0, subnormals, integer extremes,
 *       zero and negative divisors, out-of-range shift counts) under two
 *       launch geometries (a small grid looping grid-stride; a grid of
 *       blocks of 40 threads, partial warps included, over a range split in
 *       two launches) and compared with kc_interp, the oracle: bitwise, NaN
 *       payloads aside; kernels with transcendentals may differ within
 *       DESIGN.md's tolerances (counted and printed).
 * Missing NVRTC or ptxas skips (a) with a message; a missing g++ skips (b).
 * TEST_CUDA_NO_PTX=1 (set by the sanitized build's ctest) skips (a) for the
 * batches: the plain build checks the same sources.
 *
 * Covered: every elementwise op of ops.def on every dtype kc_op accepts and
 * every cast pair (packed, one store stage per op, into ~30 kernels: far
 * fewer NVRTC runs), constants, every reduction kind (logsumexp included) on
 * several accumulator dtypes with lengths 0, 1, 7, 8, 9 and 1000, fused
 * multi-stage kernels (a store read back by a later reduction), strided
 * column reductions, zero-dim and multi-dim outer spaces with permuted,
 * broadcast, div/mod and clamped indices, 64-bit index arithmetic,
 * float16/bfloat16, Philox RNG, in-place (aliased) kernels, the code shape
 * (thread or group mode, 32- or 64-bit indices), errors, and the emulator's
 * own barrier and shuffle semantics. Compile times are printed.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <dirent.h>
#include <sys/stat.h>

#include "cuda_check.h"
#include "runtime/gpu.h"
#include "tensorc.h"

/* ---- tests: elementwise --------------------------------------------------- */

/* Ops on one input dtype share kernels, one store stage (and output
 * buffer) per op, up to KC_MAX_STAGES: far fewer NVRTC and ptxas runs.
 * Inputs: a[v0], b[(v0 + 5) % N] (equal pairs come from the value pool),
 * c[v0], and a bool condition for WHERE. */
typedef struct packer {
  batch *B;
  kernel *k;
  tc_dtype in;
  int ba, bb, bc, bcond;
} packer;

static int add_op(packer *P, int op, tc_dtype dt, tc_dtype in_dt) {
  const int64_t N = 517;
  if (!P->k || P->in != in_dt || P->k->nstages == KC_MAX_STAGES) {
    kernel *k = P->k = batch_new(P->B, "ops on %s:", dt_name(in_dt));
    P->in = in_dt;
    set_outer(k, 1, &N);
    P->ba = add_buf(k, in_dt, N);
    P->bb = add_buf(k, in_dt, N);
    P->bc = add_buf(k, in_dt, N);
    P->bcond = add_buf(k, TC_BOOL, N);
  }
  kernel *k = P->k;
  ir_arena *A = &k->arena;
  const ix *v0 = outer_var(k, 0);
  const kval *a = kc_load(k, op == OP_WHERE ? P->bcond : P->ba, v0);
  const kval *b = kc_load(k, P->bb, ix_modc(A, ix_addc(A, v0, 5), N));
  const kval *c = kc_load(k, P->bc, v0);
  const kval *v = kc_op(k, op, dt, a, op_arity[op] >= 2 ? b : NULL, op_arity[op] >= 3 ? c : NULL);
  if (!v) return 0; /* kc_op does not accept this dtype */
  add_store(k, add_buf(k, dt, N), 1, v0, v);
  tk *t = batch_last(P->B);
  size_t n = strlen(t->what);
  snprintf(t->what + n, sizeof t->what - n, " %s%s%s", op_names[op], op == OP_CAST ? "->" : "",
           op == OP_CAST ? dt_name(dt) : "");
  return 1;
}

static void every_elementwise_op_and_cast_matches_the_interpreter_on_every_dtype(void **state) {
  (void)state;
  batch B = {0};
  packer P = {.B = &B};
  int ops = 0, casts = 0;
  for (int dt = 0; dt < TC_NUM_DTYPES; dt++)
    for (int op = OP_NEG; op <= OP_FMA; op++) {
      if (op == OP_CAST) continue;
      bool to_bool = (op >= OP_EQ && op <= OP_GE) || op == OP_ISNAN || op == OP_ISINF ||
                     op == OP_ISFINITE;
      ops += add_op(&P, op, to_bool ? TC_BOOL : (tc_dtype)dt, (tc_dtype)dt);
    }
  for (int from = 0; from < TC_NUM_DTYPES; from++)
    for (int to = 0; to < TC_NUM_DTYPES; to++) casts += add_op(&P, OP_CAST, (tc_dtype)to, (tc_dtype)from);
  printf("  (op, dtype) pairs: %d, cast pairs: %d, in %d kernels\n", ops, casts, B.n);
  assert_true(ops > 150);
  assert_int_equal(casts, TC_NUM_DTYPES * TC_NUM_DTYPES);
  batch_run(&B);
}

static void constants_of_every_dtype_store_like_the_interpreter(void **state) {
  (void)state;
  static const double fv[] = {0.1, -0.0, 1e10, -3.5, NAN, INFINITY, 65519.0, 300.7};
  batch B = {0};
  for (int dt = 0; dt < TC_NUM_DTYPES; dt++) {
    kernel *k = batch_new(&B, "constants of %s", dt_name((tc_dtype)dt));
    int64_t n = 2 * (int64_t)(sizeof fv / sizeof *fv);
    set_outer(k, 1, &n);
    int bo = add_buf(k, (tc_dtype)dt, n);
    for (int j = 0; j < n / 2; j++) {
      add_store(k, bo, 1, ix_const(&k->arena, 2 * j), kc_const_f(k, (tc_dtype)dt, fv[j]));
      add_store(k, bo, 1, ix_const(&k->arena, 2 * j + 1),
                kc_const_i(k, (tc_dtype)dt, (int64_t)-300 * j + 7));
    }
  }
  batch_run(&B);
}

/* ---- tests: reductions ---------------------------------------------------- */

static void every_reduction_matches_the_interpreter_for_lengths_0_to_4099(void **state) {
  (void)state;
  /* two kernels of 7 lengths each (a stage limit): every partial group,
   * partial unit of 4 groups and stack depth the backends special-case */
  static const int64_t lens[2][7] = {{0, 1, 7, 8, 9, 17, 31},
                                     {32, 33, 100, 255, 257, 1000, 4099}};
  static const tc_dtype accs[] = {TC_BOOL, TC_U8, TC_I8, TC_I16, TC_I32, TC_I64,
                                  TC_F16, TC_BF16, TC_F32, TC_F64};
  batch B = {0};
  for (int rop = OP_RSUM; rop <= OP_RLSE; rop++) {
    for (size_t a = 0; a < sizeof accs / sizeof *accs; a++) {
      tc_dtype acc = accs[a];
      if (rop == OP_RLSE && acc != TC_F32 && acc != TC_F64) continue;
      /* the value's dtype differs from the accumulator's where a cast is natural */
      tc_dtype in = acc == TC_F32 ? TC_F16 : acc == TC_I64 ? TC_I32 : acc == TC_F64 ? TC_F32 : acc;
      bool arg = rop == OP_RARGMAX || rop == OP_RARGMIN;
      for (int h = 0; h < 2; h++) {
        kernel *k = batch_new(&B, "%s of %s into %s (lengths %lld..)", op_names[rop],
                              dt_name(in), dt_name(acc), (long long)lens[h][0]);
        int64_t rows = 3;
        set_outer(k, 1, &rows);
        const ix *v0 = outer_var(k, 0);
        for (size_t li = 0; li < sizeof lens[h] / sizeof *lens[h]; li++) {
          int64_t n = lens[h][li];
          int bi = add_buf(k, in, 3 * n), bo = add_buf(k, arg ? TC_I64 : acc, 3);
          int s = k->nstages;
          const ix *idx = ix_add(&k->arena, ix_mulc(&k->arena, v0, n), stage_var(k, s, n));
          add_reduce(k, rop, acc, n, kc_load(k, bi, idx));
          add_store(k, bo, 1, v0, kc_acc(k, s));
        }
      }
    }
  }
  printf("  reduction kernels (7 lengths each): %d\n", B.n);
  batch_run(&B);
}

static void fused_multi_stage_kernels_match_the_interpreter(void **state) {
  (void)state;
  batch B = {0};
  static const tc_dtype dts[] = {TC_F32, TC_F64};
  const int64_t R = 5, C = 37;
  for (int t = 0; t < 2; t++) { /* softmax, logsumexp, argmax in one kernel */
    tc_dtype dt = dts[t];
    kernel *k = batch_new(&B, "softmax %s", dt_name(dt));
    set_outer(k, 1, &R);
    ir_arena *A = &k->arena;
    int bx = add_buf(k, dt, R * C), bo = add_buf(k, dt, R * C), bm = add_buf(k, TC_I64, R),
        bl = add_buf(k, dt, R * C);
    const ix *v0 = outer_var(k, 0);
#define ROW(s) ix_add(A, ix_mulc(A, v0, C), stage_var(k, s, C))
    add_reduce(k, OP_RMAX, dt, C, kc_load(k, bx, ROW(0)));
    const kval *e1 = kc_op(k, OP_EXP, dt, kc_op(k, OP_SUB, dt, kc_load(k, bx, ROW(1)), kc_acc(k, 0), NULL), NULL, NULL);
    add_reduce(k, OP_RSUM, dt, C, e1);
    const ix *oj = ROW(2);
    const kval *e2 = kc_op(k, OP_EXP, dt, kc_op(k, OP_SUB, dt, kc_load(k, bx, oj), kc_acc(k, 0), NULL), NULL, NULL);
    add_store(k, bo, C, oj, kc_op(k, OP_DIV, dt, e2, kc_acc(k, 1), NULL));
    add_reduce(k, OP_RARGMAX, dt, C, kc_load(k, bx, ROW(3)));
    add_store(k, bm, 1, v0, kc_acc(k, 3));
    add_reduce(k, OP_RLSE, dt, C, kc_load(k, bx, ROW(5)));
    const ix *o6 = ROW(6);
    /* logsumexp's result is float64 (kernel.h); x - lse in float64 */
    const kval *lse = kc_acc(k, 5);
    assert_int_equal(lse->dt, TC_F64);
    add_store(k, bl, C, o6, kc_op(k, OP_SUB, TC_F64, kc_op(k, OP_CAST, TC_F64, kc_load(k, bx, o6), NULL, NULL), lse, NULL));
  }
  { /* a store read back by the next reduction (other lanes' elements), a
       store whose index ignores its variable (lane 0, last j wins), a dead
       reduction */
    kernel *k = batch_new(&B, "store then reduce");
    set_outer(k, 1, &R);
    ir_arena *A = &k->arena;
    int bx = add_buf(k, TC_F32, R * C), by = add_buf(k, TC_F32, R * C), bs = add_buf(k, TC_F32, R),
        bw = add_buf(k, TC_F32, R);
    const ix *v0 = outer_var(k, 0);
    add_reduce(k, OP_RSUM, TC_F64, C, kc_load(k, bx, ROW(0))); /* never read */
    const ix *j = ROW(1);
    add_store(k, by, C, j, kc_op(k, OP_MUL, TC_F32, kc_load(k, bx, j), kc_const_f(k, TC_F32, 3), NULL));
    add_reduce(k, OP_RSUM, TC_F32, C, kc_load(k, by, ix_add(A, ix_mulc(A, v0, C), ix_modc(A, ix_addc(A, stage_var(k, 2, C), 3), C))));
    add_store(k, bs, 1, v0, kc_acc(k, 2));
    const kval *jv = kc_op(k, OP_CAST, TC_F32, kc_index(k, stage_var(k, 4, C)), NULL, NULL);
    add_store(k, bw, C, v0, kc_op(k, OP_ADD, TC_F32, kc_acc(k, 2), jv, NULL));
#undef ROW
  }
  { /* thread mode with a store loop: out[v0*5 + j] = x[v0] * j */
    kernel *k = batch_new(&B, "store loop in thread mode");
    const int64_t n = 7;
    set_outer(k, 1, &n);
    ir_arena *A = &k->arena;
    int bx = add_buf(k, TC_I32, n), bo = add_buf(k, TC_I32, n * 5);
    const ix *j = stage_var(k, 0, 5);
    const kval *jv = kc_op(k, OP_CAST, TC_I32, kc_index(k, j), NULL, NULL);
    add_store(k, bo, 5, ix_add(A, ix_mulc(A, outer_var(k, 0), 5), j),
              kc_op(k, OP_MUL, TC_I32, kc_load(k, bx, outer_var(k, 0)), jv, NULL));
  }
  for (int rop = OP_RSUM; rop <= OP_RLSE; rop++) { /* column reductions */
    kernel *k = batch_new(&B, "column %s", op_names[rop]);
    const int64_t R2 = 50, C2 = 6;
    set_outer(k, 1, &C2);
    bool arg = rop == OP_RARGMAX || rop == OP_RARGMIN;
    int bx = add_buf(k, TC_F32, R2 * C2), bo = add_buf(k, arg ? TC_I64 : TC_F32, C2);
    const ix *idx = ix_add(&k->arena, ix_mulc(&k->arena, stage_var(k, 0, R2), C2), outer_var(k, 0));
    add_reduce(k, rop, TC_F32, R2, kc_load(k, bx, idx));
    add_store(k, bo, 1, outer_var(k, 0), kc_acc(k, 0));
  }
  { /* a full reduction: no outer dims */
    kernel *k = batch_new(&B, "full reduction");
    set_outer(k, 0, NULL);
    const int64_t n = 1003;
    int bx = add_buf(k, TC_F32, n), bo = add_buf(k, TC_F64, 1), bi = add_buf(k, TC_I64, 1);
    add_reduce(k, OP_RSUM, TC_F64, n, kc_load(k, bx, stage_var(k, 0, n)));
    add_store(k, bo, 1, ix_const(&k->arena, 0), kc_acc(k, 0));
    add_reduce(k, OP_RARGMIN, TC_F32, n, kc_load(k, bx, stage_var(k, 2, n)));
    add_store(k, bi, 1, ix_const(&k->arena, 0), kc_acc(k, 2));
  }
  { /* fifteen chained float64 logsumexps of long rows: the warps'
       shared-memory tree would need 15 x 4 KiB of static shared memory, so
       the kernel keeps one warp a row (ptxas refuses more than 48 KiB) */
    kernel *k = batch_new(&B, "fifteen float64 logsumexps of 1000");
    const int64_t R3 = 3, C3 = 1000;
    set_outer(k, 1, &R3);
    ir_arena *A = &k->arena;
    int bx = add_buf(k, TC_F64, R3 * C3), bo = add_buf(k, TC_F64, R3);
    for (int s = 0; s < 15; s++) {
      const ix *row = ix_add(A, ix_mulc(A, outer_var(k, 0), C3), stage_var(k, s, C3));
      const kval *x = kc_load(k, bx, row);
      if (s) x = kc_op(k, OP_SUB, TC_F64, x, kc_acc(k, s - 1), NULL);
      add_reduce(k, OP_RLSE, TC_F64, C3, x);
    }
    add_store(k, bo, 1, outer_var(k, 0), kc_acc(k, 14));
    assert_int_equal(cg_cuda_threads_per_point(k), 32);
  }
  batch_run(&B);
}

/* ---- tests: index expressions, outer spaces, 64-bit indices -------------- */

static void multi_dim_outer_spaces_with_non_contiguous_indices_match_the_interpreter(void **state) {
  (void)state;
  batch B = {0};
  kernel *k = batch_new(&B, "3-d outer space");
  int64_t dims[3] = {5, 7, 9};
  set_outer(k, 3, dims);
  ir_arena *A = &k->arena;
  const ix *v0 = outer_var(k, 0), *v1 = outer_var(k, 1), *v2 = outer_var(k, 2);
  const ix *flat = ix_add(A, ix_add(A, ix_mulc(A, v0, 63), ix_mulc(A, v1, 9)), v2);
  const ix *perm = ix_add(A, ix_mulc(A, ix_add(A, ix_mulc(A, v2, 7), v1), 5), v0);
  int ba = add_buf(k, TC_F32, 315), bb = add_buf(k, TC_F32, 17), bc = add_buf(k, TC_F64, 7),
      bd = add_buf(k, TC_I32, 106), be = add_buf(k, TC_F32, 20);
  int o1 = add_buf(k, TC_F32, 315), o2 = add_buf(k, TC_F64, 315), o3 = add_buf(k, TC_I64, 315),
      o4 = add_buf(k, TC_I64, 315);
  /* permuted, wrapped (mod), broadcast, div, floor division of a possibly
   * negative value, clamped loads */
  const kval *a = kc_load(k, ba, perm), *b = kc_load(k, bb, ix_modc(A, flat, 17));
  const kval *c = kc_load(k, bc, v1), *d = kc_load(k, bd, ix_divc(A, flat, 3));
  const ix *neg = ix_addc(A, ix_add(A, ix_mulc(A, v2, 2), ix_mulc(A, v0, -3)), -4);
  const kval *e = kc_load(k, be, ix_addc(A, ix_divc(A, neg, 3), 10));
  const ix *clamp = ix_min(A, ix_max(A, ix_addc(A, v2, -2), ix_const(A, 0)), ix_const(A, 4));
  const kval *f = kc_load(k, ba, ix_add(A, ix_mulc(A, clamp, 63), ix_modc(A, neg, 7)));
  const kval *s = kc_op(k, OP_ADD, TC_F32, a, b, NULL);
  s = kc_op(k, OP_MUL, TC_F32, s, kc_op(k, OP_SUB, TC_F32, e, f, NULL), NULL);
  add_store(k, o1, 1, flat, s);
  add_store(k, o2, 1, perm, kc_op(k, OP_ADD, TC_F64, c, kc_op(k, OP_CAST, TC_F64, d, NULL, NULL), NULL));
  /* divisors that may be zero or negative, lt/and */
  const ix *num = ix_addc(A, ix_mulc(A, v2, 5), -17), *den = ix_addc(A, v1, -3);
  const ix *lt = ix_and(A, ix_lt(A, v1, ix_const(A, 3)), ix_lt(A, ix_const(A, 2), v2));
  const kval *qi = kc_index(k, ix_add(A, ix_mulc(A, ix_div(A, num, den), 1000), ix_mod(A, num, den)));
  add_store(k, o3, 1, flat, kc_op(k, OP_ADD, TC_I64, qi, kc_index(k, ix_mulc(A, lt, 100000)), NULL));
  const ix *q2 = ix_div(A, ix_mulc(A, v0, -7), ix_addc(A, v2, -4));
  const ix *m2 = ix_mod(A, ix_mulc(A, v1, 11), ix_addc(A, v0, -2));
  const ix *m3 = ix_mod(A, ix_addc(A, v2, -4), ix_const(A, -3));
  add_store(k, o4, 1, flat, kc_index(k, ix_add(A, ix_add(A, ix_mulc(A, q2, 100), m2), ix_mulc(A, m3, 7))));

  static const int64_t shapes[][4] = {{1, 13, 1, 4}, {6, 1, 1, 1}, {2, 3, 4, 5}};
  for (int t = 0; t < 3; t++) { /* size-1 dims; a transposed read */
    k = batch_new(&B, "4-d outer space %d", t);
    set_outer(k, 4, shapes[t]);
    A = &k->arena;
    int64_t n = kc_outer_numel(k), st = 1, st2 = 1;
    const ix *fl = ix_const(A, 0), *tr = ix_const(A, 0);
    for (int dd = 3; dd >= 0; dd--) {
      fl = ix_add(A, fl, ix_mulc(A, outer_var(k, dd), st));
      st *= shapes[t][dd];
    }
    for (int dd = 0; dd < 4; dd++) {
      tr = ix_add(A, tr, ix_mulc(A, outer_var(k, dd), st2));
      st2 *= shapes[t][dd];
    }
    int bi = add_buf(k, TC_I16, n), bo = add_buf(k, TC_I16, n);
    add_store(k, bo, 1, tr, kc_op(k, OP_MUL, TC_I16, kc_load(k, bi, fl), kc_load(k, bi, tr), NULL));
  }
  /* 64-bit index values and Philox counters beyond 2^32 */
  k = batch_new(&B, "64-bit indices");
  int64_t d2[2] = {4, 33};
  set_outer(k, 2, d2);
  A = &k->arena;
  const ix *f2 = ix_add(A, ix_mulc(A, outer_var(k, 0), 33), outer_var(k, 1));
  int bo = add_buf(k, TC_I64, 132), bi2 = add_buf(k, TC_F32, 7), bo2 = add_buf(k, TC_F32, 132);
  const ix *big = ix_add(A, ix_mulc(A, outer_var(k, 0), 8589934592ll), ix_mulc(A, outer_var(k, 1), -3000000000ll));
  add_store(k, bo, 1, f2, kc_index(k, ix_add(A, big, ix_divc(A, big, 1000003))));
  add_store(k, bo2, 1, f2, kc_load(k, bi2, ix_modc(A, big, 7)));
  /* a value DAG 3000 deep (emitted without deep recursion) */
  k = batch_new(&B, "deep chain");
  int64_t n40 = 40;
  set_outer(k, 1, &n40);
  int bin = add_buf(k, TC_I32, 40), bout = add_buf(k, TC_I32, 40);
  const kval *x = kc_load(k, bin, outer_var(k, 0)), *acc = x;
  for (int i = 0; i < 3000; i++)
    acc = kc_op(k, i % 3 ? OP_ADD : OP_BITXOR, TC_I32, acc, i % 2 ? x : kc_const_i(k, TC_I32, i), NULL);
  add_store(k, bout, 1, outer_var(k, 0), acc);
  /* reductions with 64-bit index arithmetic */
  k = batch_new(&B, "64-bit reductions");
  int64_t rows = 3;
  set_outer(k, 1, &rows);
  A = &k->arena;
  int bx = add_buf(k, TC_F32, 7), bs = add_buf(k, TC_I64, 3), bm = add_buf(k, TC_I64, 3);
  const ix *r0 = ix_add(A, ix_mulc(A, outer_var(k, 0), 1ll << 40), stage_var(k, 0, 100));
  add_reduce(k, OP_RSUM, TC_I64, 100, kc_index(k, r0));
  add_store(k, bs, 1, outer_var(k, 0), kc_acc(k, 0));
  const ix *r2 = ix_add(A, ix_mulc(A, outer_var(k, 0), 1ll << 40), stage_var(k, 2, 100));
  add_reduce(k, OP_RARGMAX, TC_F32, 100, kc_load(k, bx, ix_modc(A, r2, 7)));
  add_store(k, bm, 1, outer_var(k, 0), kc_acc(k, 2));
  batch_run(&B);
}

/* ---- tests: half types, RNG, aliasing ------------------------------------- */

static void float16_bfloat16_rng_and_in_place_kernels_match_the_interpreter(void **state) {
  (void)state;
  batch B = {0};
  static const tc_dtype hs[] = {TC_F16, TC_BF16};
  const int64_t N = 1000;
  for (int t = 0; t < 2; t++) {
    kernel *k = batch_new(&B, "%s round trips", dt_name(hs[t]));
    set_outer(k, 1, &N);
    const ix *v0 = outer_var(k, 0);
    int bi = add_buf(k, hs[t], N), bo = add_buf(k, hs[t], N), bc = add_buf(k, hs[t], N),
        bw = add_buf(k, TC_F64, N), bx = add_buf(k, hs[1 - t], N);
    const kval *x = kc_op(k, OP_CAST, TC_F32, kc_load(k, bi, v0), NULL, NULL);
    const kval *y = kc_op(k, OP_MUL, TC_F32, x, kc_const_f(k, TC_F32, 3.0), NULL);
    add_store(k, bo, 1, v0, kc_op(k, OP_CAST, hs[t], y, NULL, NULL));
    add_store(k, bc, 1, v0, kc_load(k, bi, v0));
    add_store(k, bw, 1, v0, kc_op(k, OP_CAST, TC_F64, kc_load(k, bi, v0), NULL, NULL));
    add_store(k, bx, 1, v0, kc_op(k, OP_CAST, TC_F64, y, NULL, NULL)); /* F64 -> half on store */
  }
  kernel *k = batch_new(&B, "rng");
  int64_t dims[2] = {4, 33};
  set_outer(k, 2, dims);
  ir_arena *A = &k->arena;
  const ix *flat = ix_add(A, ix_mulc(A, outer_var(k, 0), 33), outer_var(k, 1));
  const ix *ctr = ix_addc(A, flat, 0xFFFFFFF0ll); /* crosses 2^32 */
  uint64_t seed = 0x123456789abcdef0ull;
  int b0 = add_buf(k, TC_F32, 132), b1 = add_buf(k, TC_F32, 132), b2 = add_buf(k, TC_I64, 132),
      b3 = add_buf(k, TC_F64, 132), b4 = add_buf(k, TC_BF16, 132);
  add_store(k, b0, 1, flat, kc_rng(k, OP_RAND, seed, ctr));
  add_store(k, b1, 1, flat, kc_rng(k, OP_RANDN, seed, ctr));
  add_store(k, b2, 1, flat, kc_rng(k, OP_RANDBITS, seed, ctr));
  add_store(k, b3, 1, flat, kc_op(k, OP_CAST, TC_F64, kc_rng(k, OP_RANDN, 7, flat), NULL, NULL));
  add_store(k, b4, 1, flat, kc_rng(k, OP_RAND, 0, flat));
  /* stores cast the value to the buffer's dtype */
  k = batch_new(&B, "casting stores");
  set_outer(k, 1, &N);
  A = &k->arena;
  const ix *w0 = outer_var(k, 0);
  int bf = add_buf(k, TC_F32, N), bd = add_buf(k, TC_F64, N);
  int ob = add_buf(k, TC_BOOL, N), o8 = add_buf(k, TC_I8, N), ou = add_buf(k, TC_U8, N),
      oh = add_buf(k, TC_F16, N), oi = add_buf(k, TC_I32, N);
  add_store(k, ob, 1, w0, kc_index(k, ix_modc(A, w0, 3)));
  add_store(k, o8, 1, w0, kc_load(k, bf, w0));
  add_store(k, ou, 1, w0, kc_load(k, bd, w0));
  add_store(k, oh, 1, w0, kc_index(k, ix_mulc(A, w0, 97)));
  add_store(k, oi, 1, w0, kc_op(k, OP_LT, TC_BOOL, kc_load(k, bf, w0), kc_load(k, bf, ix_modc(A, ix_addc(A, w0, 1), N)), NULL));
  /* in place: out[i] = a[i] * 2 + 1 with out and a the same memory */
  k = batch_new(&B, "aliased in-place");
  set_outer(k, 1, &N);
  int bo = add_buf(k, TC_F32, N), ba = add_buf(k, TC_F32, N);
  const ix *v0 = outer_var(k, 0);
  const kval *y = kc_op(k, OP_ADD, TC_F32,
                        kc_op(k, OP_MUL, TC_F32, kc_load(k, ba, v0), kc_const_f(k, TC_F32, 2), NULL),
                        kc_const_f(k, TC_F32, 1), NULL);
  add_store(k, bo, 1, v0, y);
  batch_last(&B)->alias[ba] = bo;
  batch_run(&B);
}

/* Scalar arguments (params) of every kind, random draws keyed by params,
 * and scatters: data-dependent store positions, repeated ones (a serial
 * kernel: the last store wins, or the values add up in order). */
static void scalar_arguments_and_scatters_match_the_interpreter(void **state) {
  (void)state;
  batch B = {0};
  const int64_t N = 300, M = 16;
  kernel *k = batch_new(&B, "params");
  set_outer(k, 1, &N);
  const ix *v0 = outer_var(k, 0);
  int bx = add_buf(k, TC_F32, N), bo = add_buf(k, TC_F32, N), bi = add_buf(k, TC_I32, N),
      bb = add_buf(k, TC_BOOL, N), bd = add_buf(k, TC_F64, N);
  const kval *pf = kc_param_new(k, TC_F32), *pi = kc_param_new(k, TC_I32), *pb = kc_param_new(k, TC_BOOL),
             *pd = kc_param_new(k, TC_F64);
  add_store(k, bo, 1, v0, kc_op(k, OP_ADD, TC_F32, kc_op(k, OP_MUL, TC_F32, kc_load(k, bx, v0), pf, NULL),
                                 kc_op(k, OP_CAST, TC_F32, pi, NULL, NULL), NULL));
  add_store(k, bi, 1, v0, kc_op(k, OP_MUL, TC_I32, pi, kc_op(k, OP_CAST, TC_I32, kc_index(k, v0), NULL, NULL), NULL));
  add_store(k, bb, 1, v0, kc_op(k, OP_XOR, TC_BOOL, pb, kc_op(k, OP_CAST, TC_BOOL, kc_index(k, ix_modc(&k->arena, v0, 3)), NULL, NULL), NULL));
  add_store(k, bd, 1, v0, kc_op(k, OP_DIV, TC_F64, kc_op(k, OP_CAST, TC_F64, kc_index(k, v0), NULL, NULL), pd, NULL));
  k = batch_new(&B, "random draws keyed by params");
  set_outer(k, 1, &N);
  v0 = outer_var(k, 0);
  int br = add_buf(k, TC_F32, N), bn = add_buf(k, TC_F32, N);
  const kval *seed = kc_param_new(k, TC_I64), *base = kc_param_new(k, TC_I64);
  add_store(k, br, 1, v0, kc_rng_dyn(k, OP_RAND, seed, base, v0));
  add_store(k, bn, 1, v0, kc_rng_dyn(k, OP_RANDN, seed, base, v0));
  static const int accs[] = {0, OP_ADD, OP_MUL, OP_MAX, OP_MIN};
  for (int ai = 0; ai < 5; ai++) {
    int acc = accs[ai];
    k = batch_new(&B, "scatter%s%s with repeated positions", acc ? " accumulating by op " : "", acc ? (acc == OP_ADD ? "add" : acc == OP_MUL ? "mul" : acc == OP_MAX ? "max" : "min") : "");
    set_outer(k, 1, &N);
    v0 = outer_var(k, 0);
    int bo2 = add_buf(k, TC_F32, M), bpos = add_buf(k, TC_I64, N), bval = add_buf(k, TC_F32, N);
    add_store(k, bo2, 1, ix_const(&k->arena, 0), kc_load(k, bval, v0));
    k->stages[k->nstages - 1].dyn = kc_op(k, OP_BITAND, TC_I64, kc_load(k, bpos, v0), kc_const_i(k, TC_I64, M - 1), NULL);
    k->stages[k->nstages - 1].accumulate = acc != 0;
    k->stages[k->nstages - 1].acc_op = acc;
    k->serial = true;
  }
  k = batch_new(&B, "scatter of distinct positions, float16 accumulate");
  set_outer(k, 1, &M);
  v0 = outer_var(k, 0);
  int bh = add_buf(k, TC_F16, 2 * M), bv = add_buf(k, TC_F32, M);
  add_store(k, bh, 1, ix_const(&k->arena, 0), kc_load(k, bv, v0));
  k->stages[k->nstages - 1].dyn = kc_op(k, OP_MUL, TC_I64, kc_index(k, v0), kc_const_i(k, TC_I64, 2), NULL);
  k->stages[k->nstages - 1].accumulate = true;
  /* scans: a running combine per row, in order, on one thread a point */
  static const int scan_ops[] = {OP_ADD, OP_MUL, OP_MAX, OP_MIN, OP_RLSE};
  for (int si = 0; si < 6; si++) {
    bool i64 = si == 5;
    int op = i64 ? OP_ADD : scan_ops[si];
    k = batch_new(&B, "scan by op %d%s", op, i64 ? " of int64" : "");
    int64_t rows = 33, len = 45;
    set_outer(k, 1, &rows);
    v0 = outer_var(k, 0);
    int sx = add_buf(k, i64 ? TC_I64 : TC_F32, rows * len), so = add_buf(k, i64 ? TC_I64 : TC_F16, rows * len);
    const ix *at = ix_add(&k->arena, ix_mulc(&k->arena, v0, len), stage_var(k, 0, len));
    const kval *x = kc_load(k, sx, at);
    if (op == OP_MUL) x = kc_op(k, OP_ADD, TC_F32, kc_op(k, OP_MUL, TC_F32, x, kc_const_f(k, TC_F32, 0.01), NULL),
                                kc_const_f(k, TC_F32, 1), NULL);
    add_store(k, so, len, at, x);
    k->stages[k->nstages - 1].scan = op;
  }
  /* a compaction of long rows: on the point's first warp (__ballot_sync) */
  {
    k = batch_new(&B, "compaction of long rows");
    int64_t rows = 5, len = 3001;
    set_outer(k, 1, &rows);
    v0 = outer_var(k, 0);
    int cx = add_buf(k, TC_F32, rows * len), co = add_buf(k, TC_F32, rows * len);
    const ix *at = ix_add(&k->arena, ix_mulc(&k->arena, v0, len), stage_var(k, 0, len));
    const kval *x = kc_load(k, cx, at);
    add_store(k, co, len, ix_const(&k->arena, 0), x);
    k->stages[k->nstages - 1].keep = kc_op(k, OP_GT, TC_BOOL, x, kc_const_f(k, TC_F32, 0), NULL);
    k->stages[k->nstages - 1].dyn = kc_op(k, OP_MUL, TC_I64, kc_index(k, v0), kc_const_i(k, TC_I64, len), NULL);
  }
  /* scans from a start per row (a blocked scan's blocks) */
  for (int si = 0; si < 2; si++) {
    tc_dtype dt = si ? TC_I64 : TC_F32;
    k = batch_new(&B, "scan from a start, %s", si ? "int64" : "float32");
    int64_t rows = 17, len = 40;
    set_outer(k, 1, &rows);
    v0 = outer_var(k, 0);
    int sx = add_buf(k, dt, rows * len), s0 = add_buf(k, dt, rows), so = add_buf(k, dt, rows * len);
    const ix *at = ix_add(&k->arena, ix_mulc(&k->arena, v0, len), stage_var(k, 0, len));
    add_store(k, so, len, at, kc_load(k, sx, at));
    k->stages[k->nstages - 1].scan = si ? OP_ADD : OP_MAX;
    k->stages[k->nstages - 1].init = kc_load(k, s0, v0);
  }
  /* compactions: each row's kept elements side by side from the row's
   * base, in order (a bool mask, and a comparison) */
  static const tc_dtype cdts[] = {TC_F32, TC_I8, TC_F64, TC_F16}; /* odd: a bool mask */
  for (int ci = 0; ci < 4; ci++) {
    k = batch_new(&B, "compaction of dtype %d", (int)cdts[ci]);
    int64_t rows = 33, len = 45;
    set_outer(k, 1, &rows);
    v0 = outer_var(k, 0);
    int cx = add_buf(k, cdts[ci], rows * len), cm = add_buf(k, TC_BOOL, rows * len), co = add_buf(k, cdts[ci], rows * len);
    const ix *at = ix_add(&k->arena, ix_mulc(&k->arena, v0, len), stage_var(k, 0, len));
    const kval *x = kc_load(k, cx, at);
    add_store(k, co, len, ix_const(&k->arena, 0), x);
    kstage *cs = &k->stages[k->nstages - 1];
    cs->keep = ci % 2 ? kc_load(k, cm, at)
                      : kc_op(k, OP_GT, TC_BOOL, x, kc_const_f(k, cdts[ci], 0), NULL);
    cs->dyn = kc_op(k, OP_MUL, TC_I64, kc_index(k, v0), kc_const_i(k, TC_I64, len), NULL);
  }
  /* the bits of floats (the sort's order keys) */
  k = batch_new(&B, "bitcast of float32 and float64");
  set_outer(k, 1, &N);
  v0 = outer_var(k, 0);
  int bf = add_buf(k, TC_F32, N), bg = add_buf(k, TC_F64, N), bi32 = add_buf(k, TC_I32, N), bi64 = add_buf(k, TC_I64, N);
  add_store(k, bi32, 1, v0, kc_op(k, OP_BITCAST, TC_I32, kc_load(k, bf, v0), NULL, NULL));
  add_store(k, bi64, 1, v0, kc_op(k, OP_BITCAST, TC_I64, kc_load(k, bg, v0), NULL, NULL));
  /* gathers: loads at data positions, bfloat16 and float64 sources */
  k = batch_new(&B, "gathers at data-dependent positions");
  set_outer(k, 1, &N);
  v0 = outer_var(k, 0);
  int gs = add_buf(k, TC_BF16, M), gd = add_buf(k, TC_F64, M), gp = add_buf(k, TC_I64, N), go = add_buf(k, TC_F32, N);
  const kval *pos = kc_op(k, OP_BITAND, TC_I64, kc_load(k, gp, v0), kc_const_i(k, TC_I64, M - 2), NULL);
  add_store(k, go, 1, v0,
            kc_op(k, OP_ADD, TC_F32, kc_op(k, OP_CAST, TC_F32, kc_load_at(k, gs, ix_const(&k->arena, 1), pos), NULL, NULL),
                  kc_op(k, OP_CAST, TC_F32, kc_load_at(k, gd, ix_const(&k->arena, 0), pos), NULL, NULL), NULL));
  batch_run(&B);
}

/* Matrix products: tiles of shared memory, the sequential fma chain per
 * element (batched, strided, transposed operands, float16 operands, ints). */
static void matmul_kernels_match_the_interpreter(void **state) {
  (void)state;
  batch B = {0};
  static const struct { tc_dtype acc, op; int64_t nb, m, n, k; bool ta; } cs[] = {
      {TC_F32, TC_F32, 1, 37, 29, 41, false}, {TC_F32, TC_F32, 3, 130, 9, 17, true},
      {TC_F64, TC_F64, 1, 20, 140, 12, false}, {TC_F32, TC_F16, 2, 8, 8, 300, false},
      {TC_I32, TC_I32, 1, 11, 13, 7, false}, {TC_F32, TC_F32, 1, 4, 5, 0, false}};
  for (size_t i = 0; i < sizeof cs / sizeof cs[0]; i++) {
    kernel *k = batch_new(&B, "matmul %s (%s operands) %lldx%lldx%lld x%lld", dt_name(cs[i].acc),
                          dt_name(cs[i].op), (long long)cs[i].m, (long long)cs[i].n, (long long)cs[i].k,
                          (long long)cs[i].nb);
    int64_t dims[3] = {cs[i].nb, cs[i].m, cs[i].n}, M = cs[i].m, N = cs[i].n, K = cs[i].k;
    set_outer(k, 3, dims);
    int bo = add_buf(k, cs[i].acc, cs[i].nb * M * N), ba = add_buf(k, cs[i].op, cs[i].nb * M * K + 1),
        bb = add_buf(k, cs[i].op, K * N + 1);
    kstage *st = &k->stages[k->nstages++];
    memset(st, 0, sizeof *st);
    st->kind = KS_MATMUL;
    st->n = K;
    st->buf = bo;
    st->acc_dt = cs[i].acc;
    k->bufs[bo].written = true;
    ir_arena *A = &k->arena;
    st->index = ix_add(A, ix_add(A, ix_mulc(A, outer_var(k, 0), M * N), ix_mulc(A, outer_var(k, 1), N)),
                       outer_var(k, 2));
    kmm *mm = &st->mm;
    mm->a = ba;
    mm->b = bb;
    mm->a_off = 1;
    mm->a_str[0] = M * K; /* A's batches; B broadcast over them */
    mm->a_str[1] = cs[i].ta ? 1 : K;
    mm->a_k = cs[i].ta ? M : 1;
    mm->b_off = 0;
    mm->b_str[2] = 1;
    mm->b_k = N;
    if (i == 1 || i == 4) { /* an epilogue: out2 = (C + bias[j]) * s as float16 / int */
      int bo2 = add_buf(k, i == 1 ? TC_F16 : TC_I64, cs[i].nb * M * N), bz = add_buf(k, cs[i].acc, N);
      const kval *c = kc_load(k, bo, st->index);
      const kval *v = kc_op(k, OP_ADD, cs[i].acc, c, kc_load(k, bz, outer_var(k, 2)), NULL);
      const kval *sc = kc_param_new(k, i == 1 ? TC_F32 : TC_I32);
      v = kc_op(k, OP_MUL, cs[i].acc, v, sc, NULL);
      add_store(k, bo2, 1, st->index, kc_op(k, OP_CAST, i == 1 ? TC_F16 : TC_I64, v, NULL, NULL));
    }
  }
  batch_run(&B);
}

/* ---- tests: code shape and errors ----------------------------------------- */

static void build_elementwise(kernel *k, int64_t N) {
  kc_init(k, NULL);
  set_outer(k, 1, &N);
  const ix *v0 = outer_var(k, 0);
  int bo = add_buf(k, TC_F32, N);
  const kval *x = kc_op(k, OP_MUL, TC_F32, kc_load(k, add_buf(k, TC_F32, N), v0),
                        kc_load(k, add_buf(k, TC_F32, N), v0), NULL);
  x = kc_op(k, OP_ADD, TC_F32, x, kc_load(k, add_buf(k, TC_F32, N), v0), NULL);
  add_store(k, bo, 1, v0, kc_op(k, OP_RELU, TC_F32, x, NULL, NULL));
}

static void the_code_shape_follows_the_kernel(void **state) {
  (void)state;
  char err[256];
  kernel k;
  build_elementwise(&k, 1000);
  char *src = cg_cuda_source(&k, "ew", err, sizeof err);
  assert_non_null(src);
  assert_int_equal(cg_cuda_threads_per_point(&k), 1);
  assert_non_null(strstr(src, "extern \"C\" __global__ void ew(void *b0, void *b1, void *b2, "
                              "void *b3, long long tc_begin, long long tc_end)"));
  assert_non_null(strstr(src, "thread (a thread a point) mode, 4 points a thread with 4-element accesses, 32-bit indices"));
  assert_non_null(strstr(src, "const uint4 tc_vl0 = *(const uint4 *)"));
  assert_non_null(strstr(src, "__fmul_rn(") && strstr(src, "__fadd_rn("));
  assert_null(strstr(src, "fmaf("));
  unsigned grid, block;
  cg_cuda_launch_dims(&k, 1000, 0, &grid, &block);
  assert_int_equal(block, 256);
  assert_int_equal(grid, 4);
  cg_cuda_launch_dims(&k, 1000000, 100, &grid, &block);
  assert_int_equal(grid, 100);
  free(src);
  kc_free(&k);

  /* a short live reduction: one thread a point; a 64-bit index range:
     64-bit indices */
  kc_init(&k, NULL);
  int64_t rows = 3;
  set_outer(&k, 1, &rows);
  int bx = add_buf(&k, TC_F32, 1ll << 33), bo = add_buf(&k, TC_F32, 3);
  const ix *idx = ix_add(&k.arena, ix_mulc(&k.arena, outer_var(&k, 0), 1ll << 32), stage_var(&k, 0, 10));
  add_reduce(&k, OP_RSUM, TC_F32, 10, kc_load(&k, bx, idx));
  add_store(&k, bo, 1, outer_var(&k, 0), kc_acc(&k, 0));
  src = cg_cuda_source(&k, "red", err, sizeof err);
  assert_non_null(src);
  assert_int_equal(cg_cuda_threads_per_point(&k), 1);
  assert_non_null(strstr(src, "thread (a thread a point) mode, 64-bit indices"));
  free(src);
  kc_free(&k);

  /* long rows read along the reduction: cooperative, 8 warps a row (4096
     elements: 64 tiles, 8 a warp); the same reduction over a strided dim
     (consecutive points consecutive in memory): one thread a point */
  for (int strided = 0; strided < 2; strided++) {
    kc_init(&k, NULL);
    int64_t R = 4096;
    set_outer(&k, 1, &R);
    bx = add_buf(&k, TC_F32, R * 4096);
    bo = add_buf(&k, TC_F32, R);
    ir_arena *A = &k.arena;
    const ix *v0 = outer_var(&k, 0), *r = stage_var(&k, 0, 4096);
    idx = strided ? ix_add(A, ix_mulc(A, r, 4096), v0) : ix_add(A, ix_mulc(A, v0, 4096), r);
    add_reduce(&k, OP_RSUM, TC_F32, 4096, kc_load(&k, bx, idx));
    add_store(&k, bo, 1, v0, kc_acc(&k, 0));
    src = cg_cuda_source(&k, "rows", err, sizeof err);
    assert_non_null(src);
    if (strided) {
      assert_int_equal(cg_cuda_threads_per_point(&k), 1);
    } else {
      assert_int_equal(cg_cuda_threads_per_point(&k), 256);
      assert_non_null(strstr(src, "cooperative (256 threads a point) mode, 32-bit indices"));
      assert_non_null(strstr(src, "__shfl_xor_sync(tc_mask, tc_rv, 4)"));
      assert_non_null(strstr(src, "__syncthreads();"));
      cg_cuda_launch_dims(&k, 4096, 0, &grid, &block);
      assert_int_equal(block, 256);
      assert_int_equal(grid, 4096);
    }
    free(src);
    kc_free(&k);
  }

  /* a reduction nothing reads is dropped, with the variables only it used */
  kc_init(&k, NULL);
  int64_t d2[2] = {3, 4};
  set_outer(&k, 2, d2);
  bx = add_buf(&k, TC_F32, 20);
  bo = add_buf(&k, TC_F32, 3);
  ir_arena *A = &k.arena;
  const ix *dead = ix_add(A, ix_mulc(A, outer_var(&k, 1), 5), stage_var(&k, 0, 5));
  add_reduce(&k, OP_RSUM, TC_F32, 5, kc_load(&k, bx, dead));
  add_store(&k, bo, 1, outer_var(&k, 0), kc_load(&k, bx, outer_var(&k, 0)));
  src = cg_cuda_source(&k, "dead", err, sizeof err);
  assert_non_null(src);
  assert_int_equal(cg_cuda_threads_per_point(&k), 1);
  assert_null(strstr(src, "v1"));
  assert_null(strstr(src, "a0"));
  if (E.nvrtc) {
    char *ptx = NULL, *log = NULL;
    assert_int_equal(cg_nvrtc_compile(src, "dead", "sm_90", &ptx, &log, err, sizeof err), 0);
    assert_string_equal(log, "");
    free(ptx);
    free(log);
  }
  free(src);
  kc_free(&k);
}

static void malformed_kernels_fail_with_a_message(void **state) {
  (void)state;
  char err[256] = "";
  kernel k;
  build_elementwise(&k, 10);
  assert_null(cg_cuda_source(&k, "3bad", err, sizeof err));
  assert_non_null(strstr(err, "cg_cuda_source"));
  /* an index that uses a variable of no loop */
  k.stages[0].index = ix_var(&k.arena, 4, 0, 3);
  assert_null(cg_cuda_source(&k, "k", err, sizeof err));
  printf("  %s\n", err);
  assert_non_null(strstr(err, "v4 outside its loop"));
  /* a value that reads the accumulator of a stage that has not run */
  k.stages[0].index = outer_var(&k, 0);
  int s = add_reduce(&k, OP_RSUM, TC_F32, 4, kc_const_f(&k, TC_F32, 1));
  k.stages[0].val = kc_op(&k, OP_ADD, TC_F32, k.stages[0].val, kc_acc(&k, s), NULL);
  assert_null(cg_cuda_source(&k, "k", err, sizeof err));
  printf("  %s\n", err);
  assert_non_null(strstr(err, "accumulator"));
  kc_free(&k);
}

/* ---- tests: NVRTC --------------------------------------------------------- */

static void nvrtc_compiles_kernels_and_reports_errors(void **state) {
  (void)state;
  char err[512] = "", *ptx = NULL, *log = NULL;
  if (!E.nvrtc) {
    assert_int_equal(cg_nvrtc_compile("", "x", "sm_90", &ptx, &log, err, sizeof err), -1);
    assert_non_null(strstr(err, "CUDA is not available"));
    assert_null(cg_nvrtc_version());
    skip();
  }
  printf("  %s\n", cg_nvrtc_version());
  assert_non_null(strstr(cg_nvrtc_version(), "nvrtc 13."));
  /* a compile error: -1, a message naming the program, the log */
  assert_int_equal(cg_nvrtc_compile("extern \"C\" __global__ void f() { undeclared(); }", "broken",
                                    "sm_90", &ptx, &log, err, sizeof err), -1);
  assert_non_null(strstr(err, "broken"));
  assert_non_null(log);
  assert_non_null(strstr(log, "undeclared"));
  free(log);
  assert_int_equal(cg_nvrtc_compile("", "x", "sm 90; rm", &ptx, NULL, err, sizeof err), -1);
  /* compile timings of single generated kernels, one program each */
  kernel k;
  build_elementwise(&k, 4096);
  char *src = cg_cuda_source(&k, "timed", err, sizeof err);
  assert_non_null(src);
  double best = 1e9, total = 0;
  for (int i = 0; i < 5; i++) {
    double t0 = now_ms();
    assert_int_equal(cg_nvrtc_compile(src, "timed", "sm_90", &ptx, &log, err, sizeof err), 0);
    double dt = now_ms() - t0;
    best = dt < best ? dt : best;
    total += dt;
    assert_non_null(strstr(ptx, ".entry timed("));
    assert_string_equal(log, "");
    free(ptx);
    free(log);
  }
  printf("  NVRTC, a small elementwise kernel to PTX: best %.1f ms, mean %.1f ms\n", best,
         total / 5);
  free(src);
  kc_free(&k);
}

/* The runtime's PTX (rt_gpu_ptx, what a real device loads): a second
 * request, as from another process, reads the disk cache under
 * $TC_CACHE_DIR instead of running NVRTC, and finds the kernel under the
 * same name, which depends only on the kernel and the target. */
static void ptx_is_kept_in_the_disk_cache_under_a_stable_name(void **state) {
  (void)state;
  if (!E.nvrtc) skip();
  char dir[512], path[1100], name1[64], name2[64], name3[64];
  snprintf(dir, sizeof dir, "%s/ptxcache", E.tmp);
  assert_int_equal(mkdir(dir, 0700), 0);
  const char *old = getenv("TC_CACHE_DIR");
  char *saved = old ? strdup(old) : NULL;
  setenv("TC_CACHE_DIR", dir, 1);
  tc_ctx *ctx = tc_ctx_new(NULL);
  assert_non_null(ctx);
  kernel k;
  build_elementwise(&k, 1000);
  char *p1 = rt_gpu_ptx(ctx, &k, "sm_90", name1, sizeof name1);
  assert_non_null(p1);
  assert_int_equal(strncmp(name1, "tc_k", 4), 0);
  assert_int_equal(strlen(name1), 20);
  char entry[96];
  snprintf(entry, sizeof entry, ".entry %s(", name1);
  assert_non_null(strstr(p1, entry));
  /* one .ptx and its .key; mark the cached PTX */
  int nptx = 0;
  DIR *d = opendir(dir);
  assert_non_null(d);
  for (struct dirent *e; (e = readdir(d));) {
    size_t n = strlen(e->d_name);
    if (n > 4 && !strcmp(e->d_name + n - 4, ".ptx")) {
      nptx++;
      snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
    }
  }
  closedir(d);
  assert_int_equal(nptx, 1);
  FILE *f = fopen(path, "a");
  assert_non_null(f);
  fputs("// tc-test: read from the disk cache\n", f);
  fclose(f);
  /* the same kernel again: the marked PTX, the same name, no NVRTC */
  char *p2 = rt_gpu_ptx(ctx, &k, "sm_90", name2, sizeof name2);
  assert_non_null(p2);
  assert_string_equal(name1, name2);
  assert_non_null(strstr(p2, "tc-test: read from the disk cache"));
  /* another architecture is another entry, compiled */
  char *p3 = rt_gpu_ptx(ctx, &k, "sm_80", name3, sizeof name3);
  assert_non_null(p3);
  assert_string_not_equal(name1, name3);
  assert_null(strstr(p3, "tc-test"));
  assert_non_null(strstr(p3, ".target sm_80"));
  free(p1);
  free(p2);
  free(p3);
  kc_free(&k);
  tc_ctx_free(ctx);
  if (saved) setenv("TC_CACHE_DIR", saved, 1);
  else unsetenv("TC_CACHE_DIR");
  free(saved);
  char cmd[600];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  assert_int_equal(system(cmd), 0);
}

/* ---- tests: the emulator itself -------------------------------------------- */

static const char selftest_src[] =
    "extern \"C\" __global__ void selftest(int *out) {\n"
    "  __shared__ int s[64];\n"
    "  int t = threadIdx.x;\n"
    "  s[t] = t * 3 + 1;\n"
    "  __syncthreads();\n"
    "  int v = s[63 - t];\n"
    "  __syncthreads();\n"
    "  for (int d = 16; d > 0; d >>= 1) v += __shfl_down_sync(0xffffffffu, v, d);\n"
    "  out[t] = __shfl_sync(0xffffffffu, v, 0);\n"
    "  out[64 + t] = __shfl_xor_sync(0xffffffffu, t, 9, 8);\n"
    "  out[128 + t] = __shfl_xor_sync(0xffu << (t & 24), t * 2, 4, 8);\n"
    "  __syncwarp(0xffu << (t & 24));\n"
    "  out[192 + t] = __shfl_up_sync(0xffffffffu, t, 3, 16);\n"
    "}\n";

static void the_emulator_runs_barriers_and_shuffles_like_a_gpu(void **state) {
  (void)state;
  if (!E.cxx) skip();
  char path[512], cmd[2048];
  snprintf(path, sizeof path, "%s/selftest.cpp", E.tmp);
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fprintf(f, "%s\nstatic void body(void *o) { selftest((int *)o); }\n"
          "extern \"C\" void run(int *o) { tc_emu_launch(2, 64, body, o); }\n", selftest_src);
  fclose(f);
  snprintf(cmd, sizeof cmd, "%s -std=c++17 -O1 -fPIC -shared -Wall -Werror -include "
           "%s/test/cuda_emu.h %s -o %s/selftest.so 2>&1", TC_EMU_CXX, TC_SOURCE_DIR, path, E.tmp);
  int st;
  char *out = run_capture(cmd, &st);
  if (st) fail_msg("%s", out);
  free(out);
  snprintf(path, sizeof path, "%s/selftest.so", E.tmp);
  void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  assert_non_null(h);
  void (*run)(int *);
  void *fp = dlsym(h, "run");
  assert_non_null(fp);
  memcpy(&run, &fp, sizeof fp);
  int o[256];
  run(o);
  for (int t = 0; t < 64; t++) {
    if (getenv("TEST_CUDA_VERBOSE"))
      printf("  t %d: %d %d %d %d\n", t, o[t], o[64 + t], o[128 + t], o[192 + t]);
    /* lane 0 of each warp sums s[63 - t] over its warp's threads */
    assert_int_equal(o[t], t < 32 ? 4592 : 1520);
    /* xor 9 at width 8: the source (lane ^ 9) is in the next group of 8
       for lanes with bit 3 clear (own value) and the previous one else */
    int src = (t & 31) ^ 9;
    assert_int_equal(o[64 + t], src > ((t & 31) | 7) ? t : (t & ~31) + src);
    assert_int_equal(o[128 + t], 2 * (t ^ 4));
    assert_int_equal(o[192 + t], (t % 16) < 3 ? t : t - 3);
  }
  dlclose(h);
  unlink(path);
  snprintf(path, sizeof path, "%s/selftest.cpp", E.tmp);
  unlink(path);
  /* the same source is real CUDA */
  if (E.nvrtc) {
    char err[512], *ptx = NULL, *log = NULL;
    assert_int_equal(cg_nvrtc_compile(selftest_src, "selftest", "sm_90", &ptx, &log, err, sizeof err), 0);
    free(ptx);
    free(log);
  }
}

/* ---- setup ---------------------------------------------------------------- */

static int setup(void **state) {
  (void)state;
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  E.jobs = n < 1 ? 1 : n > 4 ? 4 : (int)n;
  snprintf(E.tmp, sizeof E.tmp, "/tmp/tc_cuda_XXXXXX");
  if (!mkdtemp(E.tmp)) return -1;
  E.nvrtc = cg_nvrtc_available(E.why_nvrtc, sizeof E.why_nvrtc);
  const char *home = getenv("CUDA_HOME");
  snprintf(E.ptxas_path, sizeof E.ptxas_path, "%s/bin/ptxas", home && *home ? home : TC_CUDA_HOME);
  E.ptxas = access(E.ptxas_path, X_OK) == 0;
  if (!E.ptxas) {
    int st;
    char *p = run_capture("command -v ptxas 2>/dev/null", &st);
    p[strcspn(p, "\n")] = '\0';
    if (st == 0 && *p) {
      snprintf(E.ptxas_path, sizeof E.ptxas_path, "%s", p);
      E.ptxas = true;
    }
    free(p);
  }
  E.cxx = system(TC_EMU_CXX " --version > /dev/null 2>&1") == 0;
  if (!E.nvrtc) printf("  NVRTC/ptxas checks skipped: %s\n", E.why_nvrtc);
  else if (!E.ptxas) printf("  NVRTC/ptxas checks skipped: ptxas not found (CUDA_HOME, PATH)\n");
  else printf("  NVRTC: %s; ptxas: %s\n", cg_nvrtc_version(), E.ptxas_path);
  if (!E.cxx) printf("  emulated runs skipped: no C++ compiler '%s'\n", TC_EMU_CXX);
  /* the sanitized build sets it: the same sources are compiled by NVRTC and
   * ptxas in the plain build, and NVRTC is ~3x slower under ASan */
  E.no_ptx = getenv("TEST_CUDA_NO_PTX") && atoi(getenv("TEST_CUDA_NO_PTX")) > 0;
  if (E.no_ptx && E.nvrtc && E.ptxas)
    printf("  NVRTC/ptxas of every kernel skipped (TEST_CUDA_NO_PTX); the plain build runs them\n");
  return 0;
}

static int teardown(void **state) {
  (void)state;
  printf("  kernels generated: %ld; emulated runs compared with the interpreter: %ld\n"
         "  differences within tolerance (transcendentals): %ld; NaN payload only: %ld\n",
         E.kernels, E.runs, E.approx_diffs, E.nan_payload_diffs);
  if (E.nvrtc_n)
    printf("  NVRTC: %ld kernels, %.1f ms each on average (max %.1f ms, %d threads); "
           "ptxas: %ld PTX files in %.0f ms\n", E.nvrtc_n, E.nvrtc_ms / E.nvrtc_n,
           E.nvrtc_max_ms, E.jobs, E.ptxas_files, E.ptxas_ms);
  if (E.cxx_n)
    printf("  g++ (emulation): %ld kernels in %.0f ms (%d parallel jobs); emulated runs %.0f ms\n",
           E.cxx_n, E.cxx_ms, E.jobs, E.run_ms);
  char cmd[320]; /* failed tests leave files behind */
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", E.tmp);
  if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", E.tmp);
  return 0;
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(the_code_shape_follows_the_kernel),
      cmocka_unit_test(malformed_kernels_fail_with_a_message),
      cmocka_unit_test(nvrtc_compiles_kernels_and_reports_errors),
      cmocka_unit_test(ptx_is_kept_in_the_disk_cache_under_a_stable_name),
      cmocka_unit_test(the_emulator_runs_barriers_and_shuffles_like_a_gpu),
      cmocka_unit_test(every_elementwise_op_and_cast_matches_the_interpreter_on_every_dtype),
      cmocka_unit_test(constants_of_every_dtype_store_like_the_interpreter),
      cmocka_unit_test(every_reduction_matches_the_interpreter_for_lengths_0_to_4099),
      cmocka_unit_test(fused_multi_stage_kernels_match_the_interpreter),
      cmocka_unit_test(multi_dim_outer_spaces_with_non_contiguous_indices_match_the_interpreter),
      cmocka_unit_test(float16_bfloat16_rng_and_in_place_kernels_match_the_interpreter),
      cmocka_unit_test(scalar_arguments_and_scatters_match_the_interpreter),
      cmocka_unit_test(matmul_kernels_match_the_interpreter),
  };
  if (getenv("TEST_CUDA_FILTER")) cmocka_set_test_filter(getenv("TEST_CUDA_FILTER"));
  return cmocka_run_group_tests(tests, setup, teardown);
}
