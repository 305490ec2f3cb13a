/*
 * test_kernel.c — kernel IR (kernel.c) and the reference interpreter
 * (interp.c). Kernels are built by hand and run through kc_interp; every
 * expected value is computed independently here, in plain C, in the dtype's
 * precision (float32 math in float), or written down as a known answer:
 * elementwise ops and broadcasting by index expressions, the fixed 8-lane
 * reduction order, argmax/argmin ties and NaN, integer wrapping, floor
 * division and shifts, casts, float16/bfloat16 rounding, Philox known-answer
 * vectors (Random123's KAT), the RNG values and kc_print's canonical text.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codegen/kernel.h"

/* kernel.c's full 4-word Philox (not in kernel.h: tests only). */
void kc_philox4x32_10(const uint32_t ctr[4], const uint32_t key[2],
                      uint32_t out[4]);

/* ---- helpers ---- */

#define TEST(name) static void name(void **state __attribute__((unused)))

static uint32_t f32bits(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }
static uint64_t f64bits(double d) { uint64_t u; memcpy(&u, &d, 8); return u; }
static float bitsf32(uint32_t u) { float f; memcpy(&f, &u, 4); return f; }
#define assert_f32_same(want, got) assert_int_equal(f32bits(want), f32bits(got))
#define assert_f64_same(want, got) assert_int_equal(f64bits(want), f64bits(got))

/* kc_init plus `nouter` outer dims (o0, o1). */
static void init_kernel(kernel *k, int nouter, int64_t o0, int64_t o1) {
  kc_init(k, NULL);
  k->nouter = nouter;
  k->outer[0] = o0;
  k->outer[1] = o1;
}

static int add_buf(kernel *k, tc_dtype dt, int64_t nelem, bool written) {
  int b = k->nbufs++;
  k->bufs[b].dt = dt;
  k->bufs[b].nelem = nelem;
  k->bufs[b].written = written;
  return b;
}

static const ix *var(kernel *k, int v, int64_t n) {
  const ix *e = ix_var(&k->arena, v, 0, n > 0 ? n - 1 : 0);
  assert_non_null(e);
  return e;
}

/* The inner variable of the stage about to be added. */
static const ix *next_stage_var(kernel *k, int64_t n) {
  return var(k, kc_stage_var(k, k->nstages), n);
}

static int add_reduce(kernel *k, int rop, tc_dtype acc_dt, int64_t n,
                      const kval *val) {
  assert_non_null(val);
  int s = k->nstages++;
  k->stages[s] = (kstage){.kind = KS_REDUCE, .n = n, .val = val, .rop = rop,
                          .acc_dt = acc_dt};
  return s;
}

/* A reduce of buffer `buf`'s elements 0..n-1; returns the stage. */
static int reduce_buf(kernel *k, int rop, tc_dtype acc_dt, int buf, int64_t n) {
  return add_reduce(k, rop, acc_dt, n, kc_load(k, buf, next_stage_var(k, n)));
}

static void add_store(kernel *k, int buf, const ix *index, int64_t n,
                      const kval *val) {
  assert_non_null(val);
  assert_non_null(index);
  int s = k->nstages++;
  k->stages[s] = (kstage){.kind = KS_STORE, .n = n, .val = val, .buf = buf,
                          .index = index};
}

/* r * n + c: element (r, c) of a row-major matrix with n columns. */
static const ix *at(kernel *k, const ix *r, int64_t n, const ix *c) {
  return ix_add(&k->arena, ix_mulc(&k->arena, r, n), c);
}

static void run_all(const kernel *k, void *const *bufs) {
  kc_interp(k, bufs, 0, kc_outer_numel(k));
}

/* out[i] = op(a[i], b[i]) (b NULL: unary) over n elements. */
static void run_ew(int op, tc_dtype in_dt, tc_dtype out_dt, const void *a,
                   const void *b, void *out, int64_t n) {
  kernel k;
  init_kernel(&k, 1, n, 0);
  int ba = add_buf(&k, in_dt, n, false);
  int bb = b ? add_buf(&k, in_dt, n, false) : -1;
  int bo = add_buf(&k, out_dt, n, true);
  const ix *i = var(&k, 0, n);
  const kval *x = kc_load(&k, ba, i);
  const kval *y = b ? kc_load(&k, bb, i) : NULL;
  add_store(&k, bo, i, 1, kc_op(&k, op, out_dt, x, y, NULL));
  void *bufs[3] = {(void *)a, b ? (void *)b : out, out};
  run_all(&k, bufs);
  kc_free(&k);
}

/* ---- elementwise and index expressions ---- */

TEST(elementwise_add_of_two_float_buffers_matches_float_addition) {
  float a[6] = {0.1f, 1e8f, -3.5f, INFINITY, 1e-40f, 2.0f};
  float b[6] = {0.2f, 1.0f, 3.5f, -INFINITY, 1e-40f, -0.0f};
  float out[6];
  run_ew(OP_ADD, TC_F32, TC_F32, a, b, out, 6);
  for (int i = 0; i < 6; i++) assert_f32_same(a[i] + b[i], out[i]);
  assert_true(isnan(out[3]));
}

TEST(float32_chains_round_after_every_op_not_at_the_end) {
  kernel k;
  init_kernel(&k, 0, 0, 0);
  int bo = add_buf(&k, TC_F32, 1, true);
  const kval *big = kc_const_f(&k, TC_F32, 16777216.0);
  const kval *one = kc_const_f(&k, TC_F32, 1.0);
  const kval *s = kc_op(&k, OP_ADD, TC_F32, big, one, NULL);
  s = kc_op(&k, OP_ADD, TC_F32, s, one, NULL);
  add_store(&k, bo, ix_const(&k.arena, 0), 1, s);
  float out = 0;
  void *bufs[1] = {&out};
  run_all(&k, bufs);
  assert_f32_same(16777216.0f, out); /* in double it would be 2^24 + 2 */
  kc_free(&k);
}

TEST(a_broadcast_index_reads_the_same_row_for_every_outer_row) {
  kernel k;
  init_kernel(&k, 2, 3, 4);
  int ba = add_buf(&k, TC_F64, 12, false);
  int bb = add_buf(&k, TC_F64, 4, false);
  int bo = add_buf(&k, TC_F64, 12, true);
  const ix *r = var(&k, 0, 3), *c = var(&k, 1, 4);
  const ix *flat = at(&k, r, 4, c);
  const kval *x = kc_load(&k, ba, flat), *y = kc_load(&k, bb, c);
  add_store(&k, bo, flat, 1, kc_op(&k, OP_MUL, TC_F64, x, y, NULL));
  double a[12], b[4] = {1.5, -2.0, 0.1, 3.0}, out[12];
  for (int i = 0; i < 12; i++) {
    a[i] = i * 0.7;
    out[i] = -99.0;
  }
  void *bufs[3] = {a, b, out};
  kc_interp(&k, bufs, 2, 9); /* only outer points 2..8 */
  for (int i = 0; i < 12; i++) {
    double want = i >= 2 && i < 9 ? a[i] * b[i % 4] : -99.0;
    assert_f64_same(want, out[i]);
  }
  kc_free(&k);
}

/* ---- reductions ---- */

/* The header's order, written out: lane l sums r = l, l+8, ... from 0. */
static float lane_sum_f32(const float *x, int n) {
  float L[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  for (int r = 0; r < n; r++) L[r % 8] = L[r % 8] + x[r];
  return ((L[0] + L[1]) + (L[2] + L[3])) + ((L[4] + L[5]) + (L[6] + L[7]));
}

TEST(row_sums_combine_eight_lanes_by_the_fixed_pairwise_tree) {
  enum { R = 2, N = 16 };
  float x[R * N];
  for (int i = 0; i < R * N; i++) x[i] = 1.0f;
  x[0] = 16777216.0f; /* row 0: 2^24 then fifteen ones */
  for (int i = 0; i < N; i++) /* row 1: cancellation */
    x[N + i] = (i % 3 ? 1e8f : 0.5f) * (i & 1 ? -1 : 1);
  kernel k;
  init_kernel(&k, 1, R, 0);
  int bx = add_buf(&k, TC_F32, R * N, false);
  int bo = add_buf(&k, TC_F32, R, true);
  const ix *row = var(&k, 0, R), *r = next_stage_var(&k, N);
  const kval *ld = kc_load(&k, bx, at(&k, row, N, r));
  int s = add_reduce(&k, OP_RSUM, TC_F32, N, ld);
  add_store(&k, bo, row, 1, kc_acc(&k, s));
  float out[R];
  void *bufs[2] = {x, out};
  run_all(&k, bufs);
  float seq = 0;
  for (int i = 0; i < N; i++) seq += x[i];
  assert_f32_same(16777216.0f + 14.0f, out[0]);
  assert_true(seq != out[0]); /* a left-to-right sum would lose the ones */
  assert_f32_same(lane_sum_f32(x + N, N), out[1]);
  kc_free(&k);
}

TEST(a_sum_shorter_than_eight_starts_empty_lanes_at_positive_zero) {
  kernel k;
  init_kernel(&k, 0, 0, 0);
  int bx = add_buf(&k, TC_F32, 3, false), bo = add_buf(&k, TC_F32, 2, true);
  int s = reduce_buf(&k, OP_RSUM, TC_F32, bx, 3);
  add_store(&k, bo, ix_const(&k.arena, 0), 1, kc_acc(&k, s));
  /* a second reduce, n == 0: the identity */
  int s2 = reduce_buf(&k, OP_RPROD, TC_F32, bx, 0);
  add_store(&k, bo, ix_const(&k.arena, 1), 1, kc_acc(&k, s2));
  float x[3] = {-0.0f, -0.0f, -0.0f}, out[2] = {5, 5};
  void *bufs[2] = {x, out};
  run_all(&k, bufs);
  assert_f32_same(0.0f, out[0]);
  assert_f32_same(1.0f, out[1]);
  kc_free(&k);
}

TEST(reductions_cast_to_the_accumulator_dtype_before_combining) {
  kernel k;
  init_kernel(&k, 0, 0, 0);
  int bx = add_buf(&k, TC_I8, 20, false), bo = add_buf(&k, TC_I64, 1, true);
  int s = reduce_buf(&k, OP_RSUM, TC_I64, bx, 20);
  add_store(&k, bo, ix_const(&k.arena, 0), 1, kc_acc(&k, s));
  int8_t x[20];
  int64_t want = 0, out = 0;
  for (int i = 0; i < 20; i++) want += x[i] = (int8_t)(i % 2 ? 120 : -7);
  void *bufs[2] = {x, &out};
  run_all(&k, bufs);
  assert_int_equal(want, out); /* an int8 accumulator would have wrapped */
  kc_free(&k);
}

TEST(amax_propagates_nan_and_integer_max_starts_at_the_type_minimum) {
  kernel k;
  init_kernel(&k, 0, 0, 0);
  int bf = add_buf(&k, TC_F32, 10, false), bi = add_buf(&k, TC_I32, 3, false);
  int bo = add_buf(&k, TC_F32, 1, true), boi = add_buf(&k, TC_I32, 2, true);
  int s0 = reduce_buf(&k, OP_RMAX, TC_F32, bf, 10);
  int s1 = reduce_buf(&k, OP_RMAX, TC_I32, bi, 3);
  int s2 = reduce_buf(&k, OP_RMIN, TC_I32, bi, 3);
  add_store(&k, bo, ix_const(&k.arena, 0), 1, kc_acc(&k, s0));
  add_store(&k, boi, ix_const(&k.arena, 0), 1, kc_acc(&k, s1));
  add_store(&k, boi, ix_const(&k.arena, 1), 1, kc_acc(&k, s2));
  float xf[10] = {1, 2, 3, NAN, 100, 4, 5, 6, 7, 8};
  int32_t xi[3] = {INT32_MIN, INT32_MIN + 1, INT32_MIN}, oi[2];
  float of = 0;
  void *bufs[4] = {xf, xi, &of, oi};
  run_all(&k, bufs);
  assert_true(isnan(of));
  assert_memory_equal(((int32_t[]){INT32_MIN + 1, INT32_MIN}), oi, sizeof oi);
  kc_free(&k);
}

TEST(argmax_and_argmin_pick_the_first_tie_and_let_nan_win) {
  enum { R = 4, N = 12 };
  const float q = NAN;
  float x[R * N] = {
      1, 5, 3, 5, 0, 0, 0, 0, 0, 5, 0, 0,            /* ties: 1; min 0 at 4 */
      1, q, 3, q, 0, 0, 0, 0, 0, 0, 0, 0,            /* first NaN: 1 */
      -1, -0.0f, -1, 0.0f, -1, -1, -1, -1, -1, -1, -1, -2, /* +-0 tie: 1 */
      0, 0, 7, 0, 0, 0, 0, 0, 0, 7, 7, 0,            /* 2 beats lanes 1, 2 */
  };
  int64_t want_max[R] = {1, 1, 1, 2}, want_min[R] = {4, 1, 11, 0};
  kernel k;
  init_kernel(&k, 1, R, 0);
  int bx = add_buf(&k, TC_F32, R * N, false);
  int bmax = add_buf(&k, TC_I64, R, true), bmin = add_buf(&k, TC_I64, R, true);
  const ix *row = var(&k, 0, R);
  int s0 = add_reduce(&k, OP_RARGMAX, TC_F32, N,
                      kc_load(&k, bx, at(&k, row, N, next_stage_var(&k, N))));
  int s1 = add_reduce(&k, OP_RARGMIN, TC_F32, N,
                      kc_load(&k, bx, at(&k, row, N, next_stage_var(&k, N))));
  const kval *a0 = kc_acc(&k, s0), *a1 = kc_acc(&k, s1);
  assert_int_equal(TC_I64, a0->dt);
  add_store(&k, bmax, row, 1, a0);
  add_store(&k, bmin, row, 1, a1);
  int64_t omax[R], omin[R];
  void *bufs[3] = {x, omax, omin};
  run_all(&k, bufs);
  for (int i = 0; i < R; i++) {
    assert_int_equal(want_max[i], omax[i]);
    assert_int_equal(want_min[i], omin[i]);
  }
  kc_free(&k);
}

TEST(argmax_of_nothing_is_zero_and_integer_ties_keep_the_first) {
  kernel k;
  init_kernel(&k, 0, 0, 0);
  int bx = add_buf(&k, TC_I64, 3, false);
  int bo = add_buf(&k, TC_I64, 2, true);
  int s0 = reduce_buf(&k, OP_RARGMAX, TC_I64, bx, 0);
  int s1 = reduce_buf(&k, OP_RARGMAX, TC_I64, bx, 3);
  add_store(&k, bo, ix_const(&k.arena, 0), 1, kc_acc(&k, s0));
  add_store(&k, bo, ix_const(&k.arena, 1), 1, kc_acc(&k, s1));
  int64_t x[3] = {INT64_MIN, INT64_MIN, INT64_MIN}, out[2] = {7, 7};
  void *bufs[2] = {x, out};
  run_all(&k, bufs);
  assert_memory_equal(((int64_t[]){0, 0}), out, sizeof out);
  kc_free(&k);
}

TEST(a_softmax_uses_reduce_results_in_later_stages) {
  enum { N = 5 };
  kernel k;
  init_kernel(&k, 0, 0, 0);
  int bx = add_buf(&k, TC_F32, N, false), bo = add_buf(&k, TC_F32, N, true);
  int smax = reduce_buf(&k, OP_RMAX, TC_F32, bx, N);
  const kval *m = kc_acc(&k, smax);
  const kval *e = kc_op(&k, OP_EXP, TC_F32,
                        kc_op(&k, OP_SUB, TC_F32,
                              kc_load(&k, bx, next_stage_var(&k, N)), m, NULL),
                        NULL, NULL);
  int ssum = add_reduce(&k, OP_RSUM, TC_F32, N, e);
  const ix *j = next_stage_var(&k, N);
  const kval *e2 = kc_op(&k, OP_EXP, TC_F32,
                         kc_op(&k, OP_SUB, TC_F32, kc_load(&k, bx, j), m, NULL),
                         NULL, NULL);
  const kval *total = kc_acc(&k, ssum);
  add_store(&k, bo, j, N, kc_op(&k, OP_DIV, TC_F32, e2, total, NULL));
  float x[N] = {1.0f, 2.0f, 3.0f, -1.0f, 0.5f}, out[N];
  void *bufs[2] = {x, out};
  run_all(&k, bufs);
  float mx = 3.0f, ex[N];
  for (int i = 0; i < N; i++) ex[i] = kc_expf(x[i] - mx);
  float sum = lane_sum_f32(ex, N);
  for (int i = 0; i < N; i++) assert_f32_same(ex[i] / sum, out[i]);
  kc_free(&k);
}

/* ---- integer semantics ---- */

TEST(integer_floor_division_and_remainder_follow_python_and_zero) {
  enum { N = 9 };
  int32_t a[N] = {7, -7, 7, -7, 5, -5, INT32_MIN, 0, -1};
  int32_t b[N] = {2, 2, -2, -2, 0, 0, -1, 3, 5};
  int32_t q_want[N] = {3, -4, -4, 3, 0, 0, INT32_MIN, 0, -1};
  int32_t r_want[N] = {1, 1, -1, -1, 0, 0, 0, 0, 4};
  int32_t q[N], r[N];
  run_ew(OP_FLOORDIV, TC_I32, TC_I32, a, b, q, N);
  run_ew(OP_REM, TC_I32, TC_I32, a, b, r, N);
  for (int i = 0; i < N; i++) {
    assert_int_equal(q_want[i], q[i]);
    assert_int_equal(r_want[i], r[i]);
  }
  int64_t a64[2] = {INT64_MIN, INT64_MIN}, b64[2] = {-1, 0}, q64[2], r64[2];
  run_ew(OP_FLOORDIV, TC_I64, TC_I64, a64, b64, q64, 2);
  run_ew(OP_REM, TC_I64, TC_I64, a64, b64, r64, 2);
  assert_int_equal(INT64_MIN, q64[0]);
  assert_int_equal(0, q64[1]);
  assert_int_equal(0, r64[0]);
  assert_int_equal(0, r64[1]);
}

TEST(narrow_integers_wrap_and_shifts_out_of_range_give_zero_or_sign) {
  int8_t a8[3] = {127, -128, 100}, b8[3] = {1, -1, 3}, o8[3];
  run_ew(OP_ADD, TC_I8, TC_I8, a8, b8, o8, 3);
  assert_memory_equal(((int8_t[]){-128, 127, 103}), o8, 3);
  run_ew(OP_MUL, TC_I8, TC_I8, a8, b8, o8, 3);
  assert_memory_equal(((int8_t[]){127, -128, 300 - 256}), o8, 3);
  run_ew(OP_ABS, TC_I8, TC_I8, a8, NULL, o8, 3);
  assert_int_equal(-128, o8[1]);
  uint8_t u[2] = {0, 200}, v[2] = {1, 3}, ou[2];
  run_ew(OP_SUB, TC_U8, TC_U8, u, v, ou, 2);
  assert_int_equal(255, ou[0]);
  run_ew(OP_SHR, TC_U8, TC_U8, u, v, ou, 2);
  assert_int_equal(25, ou[1]);
  run_ew(OP_BITNOT, TC_U8, TC_U8, u, NULL, ou, 2);
  assert_memory_equal(((uint8_t[]){255, 55}), ou, 2);
  enum { N = 6 };
  int32_t x[N] = {1, 1, -8, -8, 8, -8}, c[N] = {31, 32, 1, 40, -1, -1};
  int32_t shl[N], shr[N];
  run_ew(OP_SHL, TC_I32, TC_I32, x, c, shl, N);
  run_ew(OP_SHR, TC_I32, TC_I32, x, c, shr, N);
  int32_t shl_want[N] = {INT32_MIN, 0, -16, 0, 0, 0};
  int32_t shr_want[N] = {0, 0, -4, -1, 0, -1};
  for (int i = 0; i < N; i++) {
    assert_int_equal(shl_want[i], shl[i]);
    assert_int_equal(shr_want[i], shr[i]);
  }
}

TEST(integer_pow_squares_and_wraps_and_handles_negative_exponents) {
  enum { N = 7 };
  int64_t base[N] = {3, 2, -1, -1, 1, 2, 0}, e[N] = {4, 63, -3, -4, -5, -1, 0};
  int64_t want[N] = {81, INT64_MIN, -1, 1, 1, 0, 1}, out[N];
  run_ew(OP_POW, TC_I64, TC_I64, base, e, out, N);
  for (int i = 0; i < N; i++) assert_int_equal(want[i], out[i]);
  int8_t b8[1] = {2}, e8[1] = {7}, o8[1];
  run_ew(OP_POW, TC_I8, TC_I8, b8, e8, o8, 1);
  assert_int_equal(-128, o8[0]);
}

TEST(bool_arithmetic_is_logic_and_comparisons_treat_nan_as_unordered) {
  uint8_t a[4] = {0, 0, 1, 1}, b[4] = {0, 1, 0, 1}, o[4];
  run_ew(OP_ADD, TC_BOOL, TC_BOOL, a, b, o, 4);
  assert_memory_equal(((uint8_t[]){0, 1, 1, 1}), o, 4);
  run_ew(OP_MUL, TC_BOOL, TC_BOOL, a, b, o, 4);
  assert_memory_equal(((uint8_t[]){0, 0, 0, 1}), o, 4);
  run_ew(OP_NE, TC_BOOL, TC_BOOL, a, b, o, 4);
  assert_memory_equal(((uint8_t[]){0, 1, 1, 0}), o, 4);
  run_ew(OP_BITNOT, TC_BOOL, TC_BOOL, a, NULL, o, 4);
  assert_memory_equal(((uint8_t[]){1, 1, 0, 0}), o, 4);
  double x[3] = {NAN, 1.0, NAN}, y[3] = {1.0, NAN, NAN};
  uint8_t eq[3], ne[3], le[3];
  run_ew(OP_EQ, TC_F64, TC_BOOL, x, y, eq, 3);
  run_ew(OP_NE, TC_F64, TC_BOOL, x, y, ne, 3);
  run_ew(OP_LE, TC_F64, TC_BOOL, x, y, le, 3);
  assert_memory_equal(((uint8_t[]){0, 0, 0}), eq, 3);
  assert_memory_equal(((uint8_t[]){1, 1, 1}), ne, 3);
  assert_memory_equal(((uint8_t[]){0, 0, 0}), le, 3);
}

/* ---- float semantics ---- */

TEST(float_remainder_and_floor_division_take_the_divisor_sign) {
  enum { N = 5 };
  float a[N] = {-7, 7, 7.5f, -0.5f, 6}, b[N] = {2, -2, 2, INFINITY, 3};
  float r[N], q[N];
  run_ew(OP_REM, TC_F32, TC_F32, a, b, r, N);
  run_ew(OP_FLOORDIV, TC_F32, TC_F32, a, b, q, N);
  float r_want[N] = {1, -1, 1.5f, INFINITY, 0};
  float q_want[N] = {-4, -4, 3, -1.0f, 2}; /* PyTorch: -0.5 // inf == -1 */
  for (int i = 0; i < N; i++) {
    assert_f32_same(r_want[i], r[i]);
    assert_f32_same(q_want[i], q[i]);
  }
}

TEST(float_unary_ops_match_the_c_library_in_the_dtypes_precision) {
  enum { N = 6 };
  float x[N] = {-0.0f, 2.5f, -0.5f, NAN, 0.3f, -3.7f}, o[N];
  run_ew(OP_RELU, TC_F32, TC_F32, x, NULL, o, N);
  assert_f32_same(-0.0f, o[0]);
  assert_f32_same(0.0f, o[2]);
  assert_true(isnan(o[3]));
  run_ew(OP_SIGN, TC_F32, TC_F32, x, NULL, o, N);
  float sign_want[N] = {0, 1, -1, 0, 1, -1};
  for (int i = 0; i < N; i++) assert_f32_same(sign_want[i], o[i]);
  run_ew(OP_ROUND, TC_F32, TC_F32, x, NULL, o, N);
  float round_want[N] = {-0.0f, 2, -0.0f, NAN, 0, -4};
  for (int i = 0; i < N; i++)
    if (i != 3) assert_f32_same(round_want[i], o[i]);
  run_ew(OP_EXP, TC_F32, TC_F32, x, NULL, o, N);
  for (int i = 0; i < N; i++)
    if (i != 3) assert_f32_same(kc_expf(x[i]), o[i]);
  run_ew(OP_SIGMOID, TC_F32, TC_F32, x, NULL, o, N);
  for (int i = 0; i < N; i++)
    if (i != 3) assert_f32_same(1.0f / (1.0f + kc_expf(-x[i])), o[i]);
  run_ew(OP_GELU, TC_F32, TC_F32, x, NULL, o, N);
  const float rsqrt2 = (float)0.70710678118654752440;
  for (int i = 0; i < N; i++)
    if (i != 3)
      assert_f32_same(0.5f * (x[i] + x[i] * erff(x[i] * rsqrt2)), o[i]); /* float32 form */
  double xd[2] = {0.3, -3.7}, od[2];
  run_ew(OP_TANH, TC_F64, TC_F64, xd, NULL, od, 2);
  assert_f64_same(tanh(0.3), od[0]);
  assert_f64_same(tanh(-3.7), od[1]);
}

TEST(float_max_and_min_propagate_nan_and_order_signed_zeros) {
  enum { N = 4 };
  float a[N] = {NAN, 1, -0.0f, 0.0f}, b[N] = {1, NAN, 0.0f, -0.0f};
  float mx[N], mn[N];
  run_ew(OP_MAX, TC_F32, TC_F32, a, b, mx, N);
  run_ew(OP_MIN, TC_F32, TC_F32, a, b, mn, N);
  assert_true(isnan(mx[0]) && isnan(mx[1]) && isnan(mn[0]) && isnan(mn[1]));
  assert_memory_equal(((float[]){0.0f, 0.0f}), mx + 2, 2 * sizeof(float));
  assert_memory_equal(((float[]){-0.0f, -0.0f}), mn + 2, 2 * sizeof(float));
}

/* ---- casts ---- */

/* as x86 PyTorch: through int32, where NaN and out-of-range give INT32_MIN */
TEST(float_to_uint8_truncates_through_int32_then_wraps) {
  enum { N = 8 };
  float x[N] = {-1.0f, NAN, 256.0f, 300.7f, 1e30f, -1e30f, -0.9f, 255.9f};
  uint8_t want[N] = {255, 0, 0, 44, 0, 0, 0, 255}, out[N];
  run_ew(OP_CAST, TC_F32, TC_U8, x, NULL, out, N);
  assert_memory_equal(want, out, N);
  int32_t o32[N];
  float y[N] = {3e9f, -2.7f, 2.7f, NAN, -INFINITY, INFINITY, -0.0f, 1.0f};
  int32_t want32[N] = {INT32_MIN, -2, 2, INT32_MIN, INT32_MIN, INT32_MIN, 0, 1};
  run_ew(OP_CAST, TC_F32, TC_I32, y, NULL, o32, N);
  for (int i = 0; i < N; i++) assert_int_equal(want32[i], o32[i]);
  uint8_t ob[N], wantb[N] = {1, 1, 1, 1, 1, 1, 0, 1};
  run_ew(OP_CAST, TC_F32, TC_BOOL, y, NULL, ob, N);
  assert_memory_equal(wantb, ob, N);
}

TEST(int_casts_round_to_nearest_and_truncate_or_extend) {
  int64_t big[3] = {(INT64_C(1) << 53) + 1, 16777217,
                    -((INT64_C(1) << 53) + 3)};
  double od[3];
  float of[3];
  run_ew(OP_CAST, TC_I64, TC_F64, big, NULL, od, 3);
  run_ew(OP_CAST, TC_I64, TC_F32, big, NULL, of, 3);
  assert_f64_same(0x1p53, od[0]); /* ties to even */
  assert_f64_same(-(0x1p53 + 4), od[2]);
  assert_f32_same(0x1p24f, of[1]);
  int32_t i32[3] = {-1, 511, 200};
  uint8_t u8[3];
  int8_t i8[3];
  run_ew(OP_CAST, TC_I32, TC_U8, i32, NULL, u8, 3);
  assert_memory_equal(((uint8_t[]){255, 255, 200}), u8, 3);
  run_ew(OP_CAST, TC_U8, TC_I8, u8, NULL, i8, 3);
  assert_memory_equal(((int8_t[]){-1, -1, -56}), i8, 3);
  run_ew(OP_CAST, TC_U8, TC_I32, u8, NULL, i32, 3); /* zero-extends */
  assert_memory_equal(((int32_t[]){255, 255, 200}), i32, sizeof i32);
  int16_t s16 = -1;
  int64_t s64 = 0;
  run_ew(OP_CAST, TC_I16, TC_I64, &s16, NULL, &s64, 1); /* sign-extends */
  assert_int_equal(-1, s64);
  uint8_t bl[2] = {0, 1};
  float bf[2];
  run_ew(OP_CAST, TC_BOOL, TC_F32, bl, NULL, bf, 2);
  assert_memory_equal(((float[]){0.0f, 1.0f}), bf, sizeof bf);
}

/* ---- float16 / bfloat16 ---- */

TEST(float16_conversion_rounds_to_nearest_even_incl_subnormals) {
  struct { float f; uint16_t h; } cases[] = {
      {1.0f, 0x3c00}, {-2.0f, 0xc000}, {65504.0f, 0x7bff},
      {65519.99f, 0x7bff}, {65520.0f, 0x7c00}, {INFINITY, 0x7c00},
      {-INFINITY, 0xfc00}, {-0.0f, 0x8000}, {0x1p-14f, 0x0400},
      {0x1p-24f, 0x0001}, {0x1p-25f, 0x0000}, {0x1.8p-25f, 0x0001},
      {0x1.8p-24f, 0x0002}, {0x1p-26f, 0x0000}, {0x1.ff8p-15f, 0x03ff},
      {0x1.ffcp-15f, 0x0400}, /* half-way to the smallest normal: up */
      {1.0f + 0x1p-11f, 0x3c00}, {1.0f + 0x3p-11f, 0x3c02},
      {1.0f + 0x1.02p-11f, 0x3c01}, {0.1f, 0x2e66}, {1e-8f, 0x0000},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
    assert_int_equal(cases[i].h, kc_f32_to_f16(cases[i].f));
  assert_true(isnan(kc_f16_to_f32(kc_f32_to_f16(NAN))));
  assert_int_equal(0x7e00, kc_f32_to_f16(NAN) & 0x7e00);
  assert_f32_same(0x1p-24f, kc_f16_to_f32(0x0001));
  assert_f32_same(-0x1.ff8p-15f, kc_f16_to_f32(0x83ff));
  assert_f32_same(65504.0f, kc_f16_to_f32(0x7bff));
  for (uint32_t h = 0; h < 0x10000; h++) {
    float f = kc_f16_to_f32((uint16_t)h);
    bool nan = (h & 0x7c00) == 0x7c00 && (h & 0x3ff);
    assert_int_equal(nan, isnan(f) != 0);
    if (!nan) assert_int_equal(h, kc_f32_to_f16(f));
  }
#if defined(__FLT16_MAX__) && !defined(__clang__) && __GNUC__ >= 12
  /* the compiler's own float -> _Float16 conversion as a second opinion */
  uint32_t seed = 12345;
  for (int i = 0; i < 200000; i++) {
    seed = seed * 1664525u + 1013904223u;
    uint32_t u = (seed & 0x80000000u) | ((seed >> 1) % 0x48000000u);
    float f = bitsf32(u);
    _Float16 c = (_Float16)f;
    uint16_t hb;
    memcpy(&hb, &c, 2);
    assert_int_equal(hb, kc_f32_to_f16(f));
  }
#endif
}

TEST(bfloat16_conversion_rounds_upper_half_and_keeps_nan_quiet) {
  assert_int_equal(0x3f80, kc_f32_to_bf16(1.0f));
  assert_int_equal(0x3f80, kc_f32_to_bf16(bitsf32(0x3f808000))); /* tie */
  assert_int_equal(0x3f82, kc_f32_to_bf16(bitsf32(0x3f818000))); /* tie up */
  assert_int_equal(0x3f81, kc_f32_to_bf16(bitsf32(0x3f808001)));
  assert_int_equal(0x7f80, kc_f32_to_bf16(bitsf32(0x7f7fffff))); /* to inf */
  assert_int_equal(0xff80, kc_f32_to_bf16(-INFINITY));
  assert_int_equal(0x0001, kc_f32_to_bf16(bitsf32(0x00010000)));
  uint16_t n = kc_f32_to_bf16(bitsf32(0x7f800001)); /* signaling NaN */
  assert_true(isnan(kc_bf16_to_f32(n)));
  assert_int_equal(0x0040, n & 0x0040);
  assert_f32_same(3.140625f, kc_bf16_to_f32(0x4049));
  for (uint32_t h = 0; h < 0x10000; h++) {
    float f = kc_bf16_to_f32((uint16_t)h);
    assert_int_equal(f32bits(f), h << 16);
    if (!isnan(f)) assert_int_equal(h, kc_f32_to_bf16(f));
  }
}

TEST(half_buffers_load_and_store_through_float32_casts) {
  uint16_t x[3] = {0x3c00, 0x3555, 0x7bff}, o16[3], obf[3];
  float o32[3];
  kernel k;
  init_kernel(&k, 1, 3, 0);
  int bx = add_buf(&k, TC_F16, 3, false), bo = add_buf(&k, TC_F16, 3, true);
  int bb = add_buf(&k, TC_BF16, 3, true), bf = add_buf(&k, TC_F32, 3, true);
  const ix *i = var(&k, 0, 3);
  const kval *f = kc_op(&k, OP_CAST, TC_F32, kc_load(&k, bx, i), NULL, NULL);
  const kval *three = kc_const_f(&k, TC_F32, 3.0);
  const kval *y = kc_op(&k, OP_MUL, TC_F32, f, three, NULL);
  add_store(&k, bf, i, 1, y);
  add_store(&k, bo, i, 1, kc_op(&k, OP_CAST, TC_F16, y, NULL, NULL));
  add_store(&k, bb, i, 1, kc_op(&k, OP_CAST, TC_BF16, y, NULL, NULL));
  void *bufs[4] = {x, o16, obf, o32};
  run_all(&k, bufs);
  for (int j = 0; j < 3; j++) {
    float want = kc_f16_to_f32(x[j]) * 3.0f;
    assert_f32_same(want, o32[j]);
    assert_int_equal(kc_f32_to_f16(want), o16[j]);
    assert_int_equal(kc_f32_to_bf16(want), obf[j]);
  }
  assert_int_equal(0x7c00, o16[2]); /* 65504 * 3 overflows half */
  kc_free(&k);
}

/* ---- Philox and RNG values ---- */

TEST(philox_matches_the_random123_known_answer_vectors) {
  uint32_t out[4];
  kc_philox(0, 0, out);
  assert_memory_equal(((uint32_t[]){0x6627e8d5, 0xe169c58d, 0xbc57ac4c,
                                    0x9b00dbd8}), out, 16);
  const uint32_t ones[4] = {~0u, ~0u, ~0u, ~0u}, kones[2] = {~0u, ~0u};
  kc_philox4x32_10(ones, kones, out);
  assert_memory_equal(((uint32_t[]){0x408f276d, 0x41c83b0e, 0xa20bc7c6,
                                    0x6d5451fd}), out, 16);
  const uint32_t pi[4] = {0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344};
  const uint32_t kpi[2] = {0xa4093822, 0x299f31d0};
  kc_philox4x32_10(pi, kpi, out);
  assert_memory_equal(((uint32_t[]){0xd16cfe09, 0x94fdcceb, 0x5001e420,
                                    0x24126ea1}), out, 16);
  /* the 64-bit seed/counter land in (k0, k1) and (c0, c1) */
  const uint32_t c[4] = {0x89abcdef, 0x01234567, 0, 0}, key[2] = {0x2, 0x1};
  uint32_t want[4];
  kc_philox4x32_10(c, key, want);
  kc_philox(UINT64_C(0x100000002), UINT64_C(0x0123456789abcdef), out);
  assert_memory_equal(want, out, sizeof want);
}

TEST(rng_values_are_the_documented_functions_of_philox) {
  enum { N = 64 };
  const uint64_t seed = 0x123456789ULL;
  kernel k;
  init_kernel(&k, 1, N, 0);
  int bu = add_buf(&k, TC_F32, N, true), bn = add_buf(&k, TC_F32, N, true);
  int bb = add_buf(&k, TC_I64, N, true);
  const ix *i = var(&k, 0, N), *ctr = ix_addc(&k.arena, i, 1000);
  add_store(&k, bu, i, 1, kc_rng(&k, OP_RAND, seed, ctr));
  add_store(&k, bn, i, 1, kc_rng(&k, OP_RANDN, seed, ctr));
  add_store(&k, bb, i, 1, kc_rng(&k, OP_RANDBITS, seed, ctr));
  float u[N], n[N];
  int64_t bits[N];
  void *bufs[3] = {u, n, bits};
  run_all(&k, bufs);
  for (int j = 0; j < N; j++) {
    uint32_t x[4];
    kc_philox(seed, 1000 + (uint64_t)j, x);
    float want_u = (float)(x[0] >> 8) / 16777216.0f;
    float u1 = (float)((x[0] >> 8) + 1) / 16777216.0f;
    float u2 = (float)(x[1] >> 8) / 16777216.0f;
    float two_pi = (float)(2 * 3.14159265358979323846);
    float want_n = sqrtf(-2.0f * logf(u1)) * cosf(two_pi * u2);
    int64_t want_b = (int64_t)((((uint64_t)x[2] << 32) | x[3]) >> 1);
    assert_f32_same(want_u, u[j]);
    assert_f32_same(want_n, n[j]);
    assert_int_equal(want_b, bits[j]);
    assert_true(u[j] >= 0.0f && u[j] < 1.0f && bits[j] >= 0);
  }
  kc_free(&k);
}

/* ---- builders and printing ---- */

TEST(builders_return_null_for_missing_inputs_and_bad_dtypes) {
  kernel k;
  init_kernel(&k, 0, 0, 0);
  int b = add_buf(&k, TC_F32, 4, false);
  const ix *i = ix_const(&k.arena, 0);
  const kval *x = kc_load(&k, b, i), *one = kc_const_i(&k, TC_I32, 1);
  assert_non_null(x);
  assert_null(kc_load(&k, 1, i)); /* undeclared buffer */
  assert_null(kc_load(&k, b, NULL));
  assert_null(kc_op(&k, OP_ADD, TC_F32, x, NULL, NULL));
  assert_null(kc_op(&k, OP_ADD, TC_F32, x, one, NULL)); /* dtype mismatch */
  assert_null(kc_op(&k, OP_LT, TC_F32, x, x, NULL));    /* must be bool */
  assert_null(kc_op(&k, OP_DIV, TC_I32, one, one, NULL));
  assert_null(kc_op(&k, OP_RSUM, TC_F32, x, NULL, NULL)); /* not EW */
  assert_null(kc_acc(&k, 0));
  assert_null(kc_rng(&k, OP_ADD, 1, i));
  assert_non_null(kc_op(&k, OP_LT, TC_BOOL, x, x, NULL));
  assert_non_null(kc_op(&k, OP_CAST, TC_F16, x, NULL, NULL));
  assert_int_equal(255, kc_const_i(&k, TC_U8, -1)->k.i);
  assert_int_equal(-56, kc_const_f(&k, TC_I8, 200.5)->k.i);
  assert_f64_same((double)0.1f, kc_const_f(&k, TC_F32, 0.1)->k.f);
  kc_free(&k);
}

static void *failing_alloc(size_t size, void *user) {
  return (void)size, (void)user, NULL;
}
static void failing_free(void *p, void *user) { (void)user, free(p); }

TEST(builders_return_null_when_the_arena_runs_out_of_memory) {
  const tc_allocator al = {failing_alloc, failing_free, NULL};
  kernel k;
  kc_init(&k, &al);
  assert_null(kc_const_f(&k, TC_F32, 1.0));
  assert_null(kc_index(&k, ix_const(&k.arena, 0)));
  kc_free(&k);
}

/* A kernel with a float constant `c` and a load used twice. */
static char *print_sample(double c, tc_dtype cdt) {
  kernel k;
  init_kernel(&k, 2, 3, 5);
  int bx = add_buf(&k, cdt, 15, false), bo = add_buf(&k, cdt, 3, true);
  const ix *r = var(&k, 0, 3), *j = next_stage_var(&k, 5);
  const kval *x = kc_load(&k, bx, at(&k, r, 5, j));
  const kval *sq = kc_op(&k, OP_MUL, cdt, x, x, NULL);
  const kval *v = kc_op(&k, OP_ADD, cdt, sq, kc_const_f(&k, cdt, c), NULL);
  int s = add_reduce(&k, OP_RSUM, cdt, 5, v);
  add_store(&k, bo, r, 1, kc_op(&k, OP_MUL, cdt, kc_acc(&k, s), sq, NULL));
  char *text = kc_print(&k);
  kc_free(&k);
  assert_non_null(text);
  return text;
}

static int count(const char *s, const char *needle) {
  int n = 0;
  for (const char *p = strstr(s, needle); p; p = strstr(p + 1, needle)) n++;
  return n;
}

TEST(printing_is_deterministic_and_distinguishes_every_constant) {
  const double c[8] = {0.1, 0.1, nextafter(0.1, 1.0), -0.0, 0.0, NAN,
                       INFINITY, 1e300};
  char *t[8], *f[3];
  for (int i = 0; i < 8; i++) t[i] = print_sample(c[i], TC_F64);
  assert_string_equal(t[0], t[1]); /* built twice, printed the same */
  for (int i = 2; i < 8; i++)
    for (int j = 1; j < i; j++) assert_string_not_equal(t[j], t[i]);
  assert_int_equal(1, count(t[0], "load")); /* shared values print once */
  assert_int_equal(2, count(t[0], "mul"));
  assert_non_null(strstr(t[0], "reduce sum"));
  assert_non_null(strstr(t[0], "const float64 0.1\n"));
  f[0] = print_sample(0.1, TC_F32);
  f[1] = print_sample(0.1000000001, TC_F32); /* the same float32 value */
  f[2] = print_sample(nextafterf(0.1f, 1.0f), TC_F32);
  assert_string_equal(f[0], f[1]);
  assert_string_not_equal(f[0], f[2]);
  assert_non_null(strstr(f[0], "const float32 0.1\n"));
  for (int i = 0; i < 8; i++) free(t[i]);
  for (int i = 0; i < 3; i++) free(f[i]);
}

TEST(deeply_shared_values_print_and_run_in_linear_time) {
  kernel k;
  init_kernel(&k, 0, 0, 0);
  int bx = add_buf(&k, TC_F64, 1, false), bo = add_buf(&k, TC_F64, 1, true);
  const ix *z = ix_const(&k.arena, 0);
  const kval *v = kc_load(&k, bx, z);
  for (int i = 0; i < 60; i++) v = kc_op(&k, OP_ADD, TC_F64, v, v, NULL);
  add_store(&k, bo, z, 1, v);
  char *text = kc_print(&k);
  assert_non_null(text);
  assert_int_equal(60, count(text, " = add float64 "));
  assert_true(strlen(text) < 4000);
  free(text);
  double x = 0.75, out = 0;
  void *bufs[2] = {&x, &out};
  run_all(&k, bufs); /* 2^60 tree evaluations if nothing were shared */
  assert_f64_same(ldexp(0.75, 60), out);
  kc_free(&k);
}

/* kc_expf against exp in double: within 1 ulp wherever the result is a
 * normal float (every 997th float of the finite range, and the ends), and
 * exact at the special points: +-0 -> 1, the overflow and underflow edges,
 * +-inf, NaN. */
TEST(float32_exp_is_within_one_ulp_and_exact_at_the_edges) {
  double worst = 0;
  long checked = 0;
  for (uint64_t u = 0; u <= 0xffffffffu; u += 997) {
    uint32_t b = (uint32_t)u;
    float x;
    memcpy(&x, &b, 4);
    if (!(x >= -110.0f && x <= 90.0f)) continue;
    double want = exp((double)x);
    float got = kc_expf(x);
    checked++;
    if (want > (double)FLT_MAX) {
      assert_true(isinf(got) && got > 0);
      continue;
    }
    if (want < 0x1p-126) { /* subnormal: within one subnormal step */
      assert_true(fabs((double)got - want) <= 0x1p-149);
      continue;
    }
    int e;
    frexp(want, &e);
    double ulps = fabs((double)got - want) / ldexp(1.0, e - 24);
    if (ulps > worst) worst = ulps;
    if (ulps > 1.0) fail_msg("kc_expf(%a) = %a, exp = %a: %.3f ulp", x, got, want, ulps);
  }
  assert_true(checked > 1000000);
  print_message("  kc_expf: %ld points, worst %.3f ulp\n", checked, worst);
  assert_f32_same(1.0f, kc_expf(0.0f));
  assert_f32_same(1.0f, kc_expf(-0.0f));
  assert_true(isfinite(kc_expf(0x1.62e42ep+6f)));
  assert_true(isinf(kc_expf(0x1.62e430p+6f)));
  assert_f32_same(INFINITY, kc_expf(INFINITY));
  assert_f32_same(0.0f, kc_expf(-INFINITY));
  assert_f32_same(0.0f, kc_expf(-104.0f));
  assert_f32_same(0x1p-149f, kc_expf(-103.28f));
  assert_true(isnan(kc_expf(NAN)));
  assert_f32_same(expf(1.0f), kc_expf(1.0f));
}

/* kc_exp against expl (x87 long double): within 1 ulp of a normal result
 * on 4 million random points over the finite range and near zero, and
 * exact at the special points. */
TEST(float64_exp_is_within_one_ulp_and_exact_at_the_edges) {
  uint64_t s = 88172645463325252ull;
  double worst = 0;
  for (long k = 0; k < 4000000; k++) {
    s ^= s << 13, s ^= s >> 7, s ^= s << 17;
    double u = (double)(s >> 11) * 0x1p-53;
    double x = k % 4 == 1 ? (u - 0.5) * 2.0 : -750.0 + u * 1465.0;
    long double want = expl((long double)x);
    double got = kc_exp(x);
    if (want > (long double)DBL_MAX) {
      assert_true(isinf(got) && got > 0);
      continue;
    }
    if (want < (long double)DBL_MIN) {
      assert_true(fabsl((long double)got - want) <= (long double)0x1p-1074);
      continue;
    }
    int e;
    frexpl(want, &e);
    double ulps = (double)(fabsl((long double)got - want) / ldexpl(1.0L, e - 53));
    if (ulps > worst) worst = ulps;
    if (ulps > 1.0) fail_msg("kc_exp(%a) = %a, expl = %La: %.3f ulp", x, got, want, ulps);
  }
  print_message("  kc_exp: worst %.3f ulp\n", worst);
  assert_f64_same(1.0, kc_exp(0.0));
  assert_f64_same(1.0, kc_exp(-0.0));
  assert_true(isfinite(kc_exp(0x1.62e42fefa39efp+9)));
  assert_true(isinf(kc_exp(0x1.62e42fefa39f0p+9)));
  assert_f64_same(INFINITY, kc_exp(INFINITY));
  assert_f64_same(0.0, kc_exp(-INFINITY));
  assert_f64_same(0.0, kc_exp(-746.0));
  assert_f64_same(0x1p-1074, kc_exp(-745.13));
  assert_true(isnan(kc_exp(NAN)));
}

int main(void) {
#define T(f) cmocka_unit_test(f)
  const struct CMUnitTest tests[] = {
      T(elementwise_add_of_two_float_buffers_matches_float_addition),
      T(float32_chains_round_after_every_op_not_at_the_end),
      T(a_broadcast_index_reads_the_same_row_for_every_outer_row),
      T(row_sums_combine_eight_lanes_by_the_fixed_pairwise_tree),
      T(a_sum_shorter_than_eight_starts_empty_lanes_at_positive_zero),
      T(reductions_cast_to_the_accumulator_dtype_before_combining),
      T(amax_propagates_nan_and_integer_max_starts_at_the_type_minimum),
      T(argmax_and_argmin_pick_the_first_tie_and_let_nan_win),
      T(argmax_of_nothing_is_zero_and_integer_ties_keep_the_first),
      T(a_softmax_uses_reduce_results_in_later_stages),
      T(integer_floor_division_and_remainder_follow_python_and_zero),
      T(narrow_integers_wrap_and_shifts_out_of_range_give_zero_or_sign),
      T(integer_pow_squares_and_wraps_and_handles_negative_exponents),
      T(bool_arithmetic_is_logic_and_comparisons_treat_nan_as_unordered),
      T(float_remainder_and_floor_division_take_the_divisor_sign),
      T(float_unary_ops_match_the_c_library_in_the_dtypes_precision),
      T(float32_exp_is_within_one_ulp_and_exact_at_the_edges),
      T(float64_exp_is_within_one_ulp_and_exact_at_the_edges),
      T(float_max_and_min_propagate_nan_and_order_signed_zeros),
      T(float_to_uint8_truncates_through_int32_then_wraps),
      T(int_casts_round_to_nearest_and_truncate_or_extend),
      T(float16_conversion_rounds_to_nearest_even_incl_subnormals),
      T(bfloat16_conversion_rounds_upper_half_and_keeps_nan_quiet),
      T(half_buffers_load_and_store_through_float32_casts),
      T(philox_matches_the_random123_known_answer_vectors),
      T(rng_values_are_the_documented_functions_of_philox),
      T(builders_return_null_for_missing_inputs_and_bad_dtypes),
      T(builders_return_null_when_the_arena_runs_out_of_memory),
      T(printing_is_deterministic_and_distinguishes_every_constant),
      T(deeply_shared_values_print_and_run_in_linear_time),
  };
#undef T
  return cmocka_run_group_tests(tests, NULL, NULL);
}
