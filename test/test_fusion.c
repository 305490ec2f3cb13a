/*
 * test_fusion.c — what the compiler does, counted: kernels per realization,
 * what each kernel reads, the kernel cache, vectorized code, threads, eager
 * mode and the debug dumps.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <tensorc.h>

typedef struct capture {
  char *text;
  size_t n;
} capture;

static void sink(const char *text, void *user) {
  capture *c = user;
  size_t k = strlen(text);
  c->text = realloc(c->text, c->n + k + 1);
  memcpy(c->text + c->n, text, k + 1);
  c->n += k;
}

static int count(const char *hay, const char *needle) {
  int n = 0;
  for (const char *p = hay ? strstr(hay, needle) : NULL; p; p = strstr(p + 1, needle)) n++;
  return n;
}

static tc_ctx *new_ctx(capture *c, unsigned debug, int threads) {
  tc_ctx_options o = {0};
  o.debug = debug;
  o.debug_sink = sink;
  o.debug_user = c;
  o.num_threads = threads;
  tc_ctx *ctx = tc_ctx_new(&o);
  assert_non_null(ctx);
  return ctx;
}

static tc_tensor *rand_t(tc_ctx *ctx, int ndim, const int64_t *shape) {
  tc_tensor *t = tc_rand(ctx, TC_F32, ndim, shape);
  assert_int_equal(tc_realize(t), TC_OK);
  return t;
}

static void elementwise_chain_is_one_kernel(void **state) {
  (void)state;
  capture c = {0};
  tc_ctx *ctx = new_ctx(&c, 0, 0);
  tc_scope_begin(ctx);
  int64_t n = 4096;
  tc_tensor *a = rand_t(ctx, 1, &n), *b = rand_t(ctx, 1, &n), *cc = rand_t(ctx, 1, &n),
            *d = rand_t(ctx, 1, &n);
  tc_reset_stats(ctx);
  tc_tensor *y = tc_sub(tc_mul_scalar(tc_relu(tc_add(tc_mul(a, b), cc)), 0.5), d);
  assert_int_equal(tc_realize(y), TC_OK);
  assert_int_equal(tc_get_stats(ctx).kernels_launched, 1);
  /* and the value is right */
  float A[4096], B[4096], C[4096], D[4096], Y[4096];
  tc_copy_to_host(a, A, sizeof A);
  tc_copy_to_host(b, B, sizeof B);
  tc_copy_to_host(cc, C, sizeof C);
  tc_copy_to_host(d, D, sizeof D);
  tc_copy_to_host(y, Y, sizeof Y);
  for (int i = 0; i < 4096; i++) {
    float r = A[i] * B[i] + C[i];
    r = r < 0 ? 0 : r;
    assert_true(Y[i] == r * 0.5f - D[i]);
  }
  tc_scope_end(ctx);
  tc_ctx_free(ctx);
  free(c.text);
}

static void outer_product_sum_is_one_kernel_without_materializing(void **state) {
  (void)state;
  capture c = {0};
  tc_ctx *ctx = new_ctx(&c, TC_DEBUG_KERNELS, 0);
  tc_scope_begin(ctx);
  int64_t n = 300, m = 200;
  tc_tensor *a = rand_t(ctx, 1, &n), *b = rand_t(ctx, 1, &m);
  tc_reset_stats(ctx);
  free(c.text);
  c.text = NULL;
  c.n = 0;
  /* (a[:, None] * b[None, :]).sum(1) */
  tc_tensor *y = tc_sum(tc_mul(tc_unsqueeze(a, 1), tc_unsqueeze(b, 0)), (int[]){1}, 1, false);
  assert_int_equal(tc_realize(y), TC_OK);
  assert_int_equal(tc_get_stats(ctx).kernels_launched, 1);
  /* no buffer of n*m elements anywhere in the kernel */
  char big[64];
  snprintf(big, sizeof big, "[%lld]", (long long)(n * m));
  assert_int_equal(count(c.text, big), 0);
  float A[300], B[200], Y[300];
  tc_copy_to_host(a, A, sizeof A);
  tc_copy_to_host(b, B, sizeof B);
  tc_copy_to_host(y, Y, sizeof Y);
  double sb = 0;
  for (int j = 0; j < 200; j++) sb += B[j];
  for (int i = 0; i < 300; i++) assert_true(Y[i] > A[i] * sb - 1e-3 && Y[i] < A[i] * sb + 1e-3);
  tc_scope_end(ctx);
  tc_ctx_free(ctx);
  free(c.text);
}

static void softmax_is_one_kernel_reading_its_input_at_most_twice(void **state) {
  (void)state;
  capture c = {0};
  tc_ctx *ctx = new_ctx(&c, TC_DEBUG_KERNELS | TC_DEBUG_FUSE, 0);
  tc_scope_begin(ctx);
  int64_t s[2] = {64, 1000};
  tc_tensor *x = rand_t(ctx, 2, s);
  tc_reset_stats(ctx);
  free(c.text);
  c.text = NULL;
  c.n = 0;
  tc_tensor *y = tc_softmax(x, -1);
  assert_int_equal(tc_realize(y), TC_OK);
  if (tc_get_stats(ctx).kernels_launched != 1) fprintf(stderr, "%s\n", c.text);
  assert_int_equal(tc_get_stats(ctx).kernels_launched, 1);
  /* x is the kernel's buffer 1: count its loads; exp(x - max) is computed
   * once per element (kept in the output between the sum and the scale) */
  int loads = count(c.text, "load float32 buf1[");
  if (loads > 2 || count(c.text, "= exp ") != 1) fprintf(stderr, "%s\n", c.text);
  assert_true(loads >= 1 && loads <= 2);
  assert_int_equal(count(c.text, "= exp "), 1);
  /* rows sum to 1 */
  tc_tensor *rs = tc_sum(y, (int[]){1}, 1, false);
  float R[64];
  tc_copy_to_host(rs, R, sizeof R);
  for (int i = 0; i < 64; i++) assert_true(R[i] > 0.99999f && R[i] < 1.00001f);
  tc_scope_end(ctx);
  tc_ctx_free(ctx);
  free(c.text);
}

/* log_softmax and layernorm over rows are one kernel each; log_softmax's
 * exp runs once per element (kept in the output for its sum); layernorm
 * reads x at most four times (its two means, the squared deviations and
 * the store). Its temporaries' handles go first (an inner scope): live
 * ones would be stored for reuse (the plan), each in a kernel of its own. */
static void log_softmax_and_layernorm_are_one_kernel_each(void **state) {
  (void)state;
  capture c = {0};
  tc_ctx *ctx = new_ctx(&c, TC_DEBUG_KERNELS, 0);
  tc_scope_begin(ctx);
  int64_t s[2] = {64, 1000};
  tc_tensor *x = rand_t(ctx, 2, s);
  int d = 1;
  for (int t = 0; t < 2; t++) {
    free(c.text);
    c.text = NULL;
    c.n = 0;
    tc_reset_stats(ctx);
    tc_tensor *y;
    if (t == 0) {
      y = tc_log_softmax(x, 1);
    } else {
      tc_scope_begin(ctx);
      tc_tensor *m = tc_mean(x, &d, 1, true), *v = tc_var(x, &d, 1, 0, true);
      y = tc_keep(tc_div(tc_sub(x, m), tc_sqrt(tc_add_scalar(v, 1e-5))));
      tc_scope_end(ctx);
    }
    assert_int_equal(tc_realize(y), TC_OK);
    if (tc_get_stats(ctx).kernels_launched != 1) fprintf(stderr, "%s\n", c.text);
    assert_int_equal(tc_get_stats(ctx).kernels_launched, 1);
    if (t == 0) assert_int_equal(count(c.text, "= exp "), 1);
    assert_true(count(c.text, "load float32 buf1[") <= (t == 0 ? 3 : 4));
    /* rows of exp(log_softmax) sum to 1; layernorm's rows have mean 0 */
    tc_tensor *rs = tc_sum(t == 0 ? tc_exp(y) : y, &d, 1, false);
    float R[64];
    tc_copy_to_host(rs, R, sizeof R);
    for (int i = 0; i < 64; i++) assert_true(t == 0 ? R[i] > 0.99999f && R[i] < 1.00001f : fabsf(R[i]) < 1e-3f);
  }
  tc_scope_end(ctx);
  tc_ctx_free(ctx);
  free(c.text);
}

/* softmax(x) + log_softmax(2x) over rows in one realization: two sums of
 * two different exps, each of which may be kept in the output for its
 * sum; the final store must read back only what is still there. Bitwise
 * the sum of the two realized apart (the same arithmetic per element). */
static void softmax_plus_log_softmax_equals_the_two_apart(void **state) {
  (void)state;
  capture c = {0};
  tc_ctx *ctx = new_ctx(&c, TC_DEBUG_KERNELS, 0);
  tc_scope_begin(ctx);
  int64_t s[2] = {33, 517};
  tc_tensor *x = tc_add_scalar(tc_mul_scalar(rand_t(ctx, 2, s), 8.0), -3.0);
  assert_int_equal(tc_realize(x), TC_OK);
  tc_tensor *a = tc_softmax(x, 1), *b = tc_log_softmax(tc_mul_scalar(x, 2.0), 1);
  assert_int_equal(tc_realize(a), TC_OK);
  assert_int_equal(tc_realize(b), TC_OK);
  tc_tensor *apart = tc_add(a, b);
  assert_int_equal(tc_realize(apart), TC_OK);
  tc_scope_begin(ctx);
  tc_reset_stats(ctx);
  free(c.text);
  c.text = NULL;
  c.n = 0;
  tc_tensor *fused = tc_keep(tc_add(tc_softmax(x, 1), tc_log_softmax(tc_mul_scalar(x, 2.0), 1)));
  tc_scope_end(ctx);
  assert_int_equal(tc_realize(fused), TC_OK);
  if (tc_get_stats(ctx).kernels_launched != 1) fprintf(stderr, "%s\n", c.text);
  assert_int_equal(tc_get_stats(ctx).kernels_launched, 1);
  const float *F = tc_data_ptr(fused), *A = tc_data_ptr(apart);
  for (int i = 0; i < 33 * 517; i++)
    if (memcmp(&F[i], &A[i], sizeof(float))) {
      fprintf(stderr, "%s\n", c.text);
      fail_msg("element %d: fused %a, apart %a", i, F[i], A[i]);
    }
  tc_scope_end(ctx);
  tc_ctx_free(ctx);
  free(c.text);
}

/* x.sum(0) and the other column reductions run vectorized across the
 * output points (the panel's stack alloca and <16 x float> in the
 * optimized IR; the row path's lanes are <8 x float>), with exact values
 * on integer-valued data. */
static void column_reductions_are_vectorized_across_outputs(void **state) {
  (void)state;
  capture c = {0};
  tc_ctx *ctx = new_ctx(&c, TC_DEBUG_LLVM, 2);
  tc_scope_begin(ctx);
  enum { R = 1001, C = 300 };
  float *h = malloc(sizeof(float) * R * C);
  for (int i = 0; i < R; i++)
    for (int j = 0; j < C; j++) h[i * C + j] = (float)((i * 7 + j * 3) % 17 - 8);
  tc_tensor *x = tc_from_data(ctx, h, TC_F32, 2, (const int64_t[]){R, C});
  assert_int_equal(tc_realize(x), TC_OK);
  int d = 0;
  for (int t = 0; t < 3; t++) {
    free(c.text);
    c.text = NULL;
    c.n = 0;
    tc_tensor *y = t == 0 ? tc_sum(x, &d, 1, false) : t == 1 ? tc_amax(x, &d, 1, false) : tc_argmax(x, true, 0, false);
    assert_int_equal(tc_realize(y), TC_OK);
    /* the panel's stacks (llvm_colred.c), and 16 floats a vector where
     * there are no int64 indices beside them */
    assert_true(count(c.text, "%col.stk = alloca") == 1);
    if (count(c.text, "+avx512f") > 0 && t < 2) assert_true(count(c.text, "<16 x float>") > 0);
    for (int j = 0; j < C; j++) {
      double sum = 0, mx = -1e30;
      int64_t am = 0;
      for (int i = 0; i < R; i++) {
        sum += h[i * C + j];
        if (h[i * C + j] > mx) mx = h[i * C + j], am = i;
      }
      double got = t == 2 ? (double)((const int64_t *)tc_data_ptr(y))[j] : ((const float *)tc_data_ptr(y))[j];
      assert_true(got == (t == 0 ? sum : t == 1 ? mx : (double)am));
    }
  }
  free(h);
  tc_scope_end(ctx);
  tc_ctx_free(ctx);
  free(c.text);
}

/* The compiled column reductions, softmax, log_softmax and layernorm give
 * the interpreter's bits (a context that never compiles against one that
 * compiles everything), over odd sizes, several dtypes and the middle dim
 * of a 3-d tensor. */
static tc_tensor *case_value(tc_ctx *ctx, int t) {
  int64_t s3[3] = {3, 523, 45}, s2[2] = {37, 1031};
  tc_manual_seed(ctx, 11 + t);
  tc_tensor *x = tc_add_scalar(tc_mul_scalar(tc_randn(ctx, TC_F32, 3, s3), 3.0), 0.25);
  tc_tensor *r = tc_add_scalar(tc_mul_scalar(tc_randn(ctx, TC_F32, 2, s2), 4.0), 1.0);
  int d0 = 0, d1 = 1;
  switch (t) {
  case 0: return tc_sum(x, &d1, 1, false);
  case 1: return tc_mean(tc_to_dtype(x, TC_F16), &d1, 1, true);
  case 2: return tc_amin(tc_to_dtype(x, TC_F64), &d0, 1, false);
  case 3: return tc_argmax(x, true, 1, false);
  case 4: return tc_var(x, &d1, 1, 1, false);
  case 5: return tc_sum(tc_to_dtype(tc_mul_scalar(x, 100), TC_I32), &d1, 1, false);
  case 6: return tc_logsumexp(x, &d1, 1, false);
  case 7: return tc_softmax(r, 1);
  case 8: return tc_log_softmax(r, 1);
  case 9: return tc_softmax(tc_to_dtype(r, TC_BF16), 1);
  case 10: return tc_log_softmax(tc_to_dtype(r, TC_F64), -1);
  default: {
    tc_tensor *m = tc_mean(r, &d1, 1, true), *v = tc_var(r, &d1, 1, 0, true);
    return tc_div(tc_sub(r, m), tc_sqrt(tc_add_scalar(v, 1e-5)));
  }
  }
}

static void compiled_reductions_and_softmax_match_the_interpreter_bitwise(void **state) {
  (void)state;
  const char *old = getenv("TC_INTERP_BUDGET");
  char *saved = old ? strdup(old) : NULL;
  setenv("TC_INTERP_BUDGET", "1000000000000000000", 1);
  tc_ctx *ci = tc_ctx_new(NULL);
  setenv("TC_INTERP_BUDGET", "0", 1);
  tc_ctx *cc = tc_ctx_new(NULL);
  if (saved) setenv("TC_INTERP_BUDGET", saved, 1);
  else unsetenv("TC_INTERP_BUDGET");
  free(saved);
  for (int t = 0; t < 12; t++) {
    tc_scope_begin(ci);
    tc_scope_begin(cc);
    tc_tensor *a = case_value(ci, t), *b = case_value(cc, t);
    assert_int_equal(tc_realize(a), TC_OK);
    assert_int_equal(tc_realize(b), TC_OK);
    size_t n = (size_t)tc_tensor_numel(a) * tc_dtype_size(tc_tensor_dtype(a));
    assert_int_equal(n, (size_t)tc_tensor_numel(b) * tc_dtype_size(tc_tensor_dtype(b)));
    if (memcmp(tc_data_ptr(a), tc_data_ptr(b), n)) fail_msg("case %d: compiled differs from interpreted", t);
    tc_scope_end(ci);
    tc_scope_end(cc);
  }
  assert_int_equal(tc_get_stats(ci).kernels_compiled, 0);
  assert_true(tc_get_stats(cc).kernels_compiled + tc_get_stats(cc).disk_hits > 0);
  tc_ctx_free(ci);
  tc_ctx_free(cc);
}

static void realizing_the_same_computation_again_compiles_nothing(void **state) {
  (void)state;
  capture c = {0};
  tc_ctx *ctx = new_ctx(&c, TC_DEBUG_CACHE, 0);
  int64_t n = 777;
  for (int round = 0; round < 3; round++) {
    tc_scope_begin(ctx);
    tc_tensor *a = tc_arange(ctx, 0, (double)n, 1, TC_F32);
    tc_tensor *y = tc_sigmoid(tc_add_scalar(tc_mul(a, a), 0.125));
    tc_reset_stats(ctx);
    assert_int_equal(tc_realize(y), TC_OK);
    tc_stats st = tc_get_stats(ctx);
    if (round > 0) {
      assert_int_equal(st.kernels_compiled, 0);
      assert_true(st.cache_hits >= 1);
    }
    tc_scope_end(ctx);
  }
  assert_true(count(c.text, "cache: hit") >= 2);
  tc_ctx_free(ctx);
  free(c.text);
}

static void repeated_realizations_reuse_buffers(void **state) {
  (void)state;
  capture c = {0};
  tc_ctx *ctx = new_ctx(&c, 0, 0);
  int64_t n = 1 << 16;
  tc_scope_begin(ctx);
  tc_tensor *a = rand_t(ctx, 1, &n);
  for (int i = 0; i < 5; i++) {
    tc_scope_begin(ctx);
    assert_int_equal(tc_realize(tc_exp(a)), TC_OK);
    tc_scope_end(ctx);
  }
  assert_true(tc_get_stats(ctx).buffer_reuses >= 4);
  tc_scope_end(ctx);
  tc_ctx_free(ctx);
}

static void contiguous_float_kernels_use_wide_vectors(void **state) {
  (void)state;
  capture c = {0};
  tc_ctx *ctx = new_ctx(&c, TC_DEBUG_LLVM, 1);
  tc_scope_begin(ctx);
  int64_t n = 100003; /* a new size: a fresh compile, so the IR is dumped */
  tc_tensor *a = tc_full(ctx, 1.5, TC_F32, 1, &n);
  tc_tensor *b = tc_full(ctx, 2.5, TC_F32, 1, &n);
  assert_int_equal(tc_realize(a), TC_OK);
  assert_int_equal(tc_realize(b), TC_OK);
  free(c.text);
  c.text = NULL;
  c.n = 0;
  assert_int_equal(tc_realize(tc_add(tc_mul(a, b), a)), TC_OK);
  assert_non_null(c.text);
  assert_true(count(c.text, "x float>") > 0);
  if (count(c.text, "+avx512f") > 0)
    assert_true(count(c.text, "<16 x float>") > 0);
  tc_scope_end(ctx);
  tc_ctx_free(ctx);
  free(c.text);
}

static void results_are_bitwise_the_same_for_one_and_two_threads(void **state) {
  (void)state;
  float out[2][4096];
  double sums[2];
  for (int k = 0; k < 2; k++) {
    capture c = {0};
    tc_ctx *ctx = new_ctx(&c, 0, k + 1);
    tc_scope_begin(ctx);
    tc_manual_seed(ctx, 7);
    int64_t s[2] = {64, 64}, big = 1 << 20;
    tc_tensor *x = tc_randn(ctx, TC_F32, 2, s);
    tc_tensor *y = tc_log_softmax(tc_mul_scalar(x, 3.0), 1);
    assert_int_equal(tc_copy_to_host(y, out[k], sizeof out[k]), TC_OK);
    tc_tensor *z = tc_randn(ctx, TC_F32, 1, &big);
    sums[k] = tc_item(tc_sum(z, NULL, 0, false));
    tc_scope_end(ctx);
    tc_ctx_free(ctx);
  }
  assert_memory_equal(out[0], out[1], sizeof out[0]);
  assert_memory_equal(&sums[0], &sums[1], sizeof sums[0]);
}

static void eager_mode_runs_one_kernel_per_op_with_the_same_results(void **state) {
  (void)state;
  float f[1000], e[1000];
  uint64_t launched[2];
  for (int eager = 0; eager < 2; eager++) {
    tc_ctx_options o = {0};
    o.eager = eager;
    tc_ctx *ctx = tc_ctx_new(&o);
    tc_scope_begin(ctx);
    int64_t n = 1000;
    tc_tensor *a = tc_arange(ctx, 0, 1000, 1, TC_F32);
    assert_int_equal(tc_realize(a), TC_OK);
    tc_reset_stats(ctx);
    tc_tensor *y = tc_tanh(tc_sub(tc_mul(a, a), tc_exp(tc_neg(a))));
    assert_int_equal(tc_copy_to_host(y, eager ? e : f, sizeof f), TC_OK);
    launched[eager] = tc_get_stats(ctx).kernels_launched;
    (void)n;
    tc_scope_end(ctx);
    tc_ctx_free(ctx);
  }
  assert_int_equal(launched[0], 1);
  assert_int_equal(launched[1], 5);
  assert_memory_equal(f, e, sizeof f);
}

static void debug_dumps_show_the_graph_the_fusion_and_the_kernels(void **state) {
  (void)state;
  capture c = {0};
  tc_ctx *ctx = new_ctx(&c, TC_DEBUG_IR | TC_DEBUG_FUSE | TC_DEBUG_KERNELS | TC_DEBUG_CACHE |
                                TC_DEBUG_TIME, 0);
  tc_scope_begin(ctx);
  int64_t s[2] = {8, 16};
  tc_tensor *x = tc_ones(ctx, TC_F32, 2, s);
  tc_tensor *y = tc_sum(tc_exp(tc_sub(x, tc_amax(x, (int[]){0}, 1, true))), (int[]){0}, 1, false);
  assert_int_equal(tc_realize(y), TC_OK);
  assert_true(count(c.text, "--- graph IR after") >= 1);
  assert_true(count(c.text, "fuse: ") >= 1);
  assert_true(count(c.text, "--- kernel ---") >= 1);
  assert_true(count(c.text, "cache: ") >= 1);
  assert_true(count(c.text, "time: ") >= 1);
  tc_scope_end(ctx);
  tc_ctx_free(ctx);
  free(c.text);
}

static void a_reduction_read_elsewhere_becomes_its_own_kernel_with_a_reason(void **state) {
  (void)state;
  capture c = {0};
  tc_ctx *ctx = new_ctx(&c, TC_DEBUG_FUSE, 0);
  tc_scope_begin(ctx);
  int64_t s[2] = {100, 100};
  tc_tensor *x = rand_t(ctx, 2, s);
  /* x - x.mean(): the mean over everything cannot be a stage of each row
   * (the mean's handle goes first: a live one would be stored for reuse) */
  tc_tensor *m = tc_keep(tc_mean(x, NULL, 0, false));
  tc_tensor *y = tc_sub(x, m);
  tc_tensor_release(m);
  tc_reset_stats(ctx);
  assert_int_equal(tc_realize(y), TC_OK);
  assert_int_equal(tc_get_stats(ctx).kernels_launched, 2);
  assert_true(count(c.text, "kernel boundary at sum") >= 1);
  tc_tensor *check = tc_sum(y, NULL, 0, false);
  assert_true(tc_item(check) < 1e-2 && tc_item(check) > -1e-2);
  tc_scope_end(ctx);
  tc_ctx_free(ctx);
  free(c.text);
}

static void a_large_full_sum_splits_into_partials_over_the_threads(void **state) {
  (void)state;
  capture c = {0};
  tc_ctx *ctx = new_ctx(&c, 0, 2);
  tc_scope_begin(ctx);
  int64_t n = 1 << 20;
  tc_manual_seed(ctx, 5);
  tc_tensor *x = tc_randn(ctx, TC_F32, 1, &n);
  assert_int_equal(tc_realize(x), TC_OK);
  const float *d = tc_data_ptr(x);
  double ref = 0;
  for (int64_t i = 0; i < n; i++) ref += d[i];
  tc_reset_stats(ctx);
  double got = tc_item(tc_sum(x, NULL, 0, false));
  /* partials over 256 chunks, then their sum: two kernels, float64 inside */
  assert_int_equal(tc_get_stats(ctx).kernels_launched, 2);
  assert_true(got == (double)(float)ref);
  tc_scope_end(ctx);
  tc_ctx_free(ctx);
  free(c.text);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(elementwise_chain_is_one_kernel),
      cmocka_unit_test(outer_product_sum_is_one_kernel_without_materializing),
      cmocka_unit_test(softmax_is_one_kernel_reading_its_input_at_most_twice),
      cmocka_unit_test(log_softmax_and_layernorm_are_one_kernel_each),
      cmocka_unit_test(softmax_plus_log_softmax_equals_the_two_apart),
      cmocka_unit_test(column_reductions_are_vectorized_across_outputs),
      cmocka_unit_test(compiled_reductions_and_softmax_match_the_interpreter_bitwise),
      cmocka_unit_test(realizing_the_same_computation_again_compiles_nothing),
      cmocka_unit_test(repeated_realizations_reuse_buffers),
      cmocka_unit_test(contiguous_float_kernels_use_wide_vectors),
      cmocka_unit_test(results_are_bitwise_the_same_for_one_and_two_threads),
      cmocka_unit_test(eager_mode_runs_one_kernel_per_op_with_the_same_results),
      cmocka_unit_test(debug_dumps_show_the_graph_the_fusion_and_the_kernels),
      cmocka_unit_test(a_reduction_read_elsewhere_becomes_its_own_kernel_with_a_reason),
      cmocka_unit_test(a_large_full_sum_splits_into_partials_over_the_threads),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
