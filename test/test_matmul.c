/*
 * test_matmul.c — matmul: every shape class and dtype against PyTorch's
 * values (test/matmul_expected.inc, from scripts/gen_matmul_expected.py),
 * the packed driver against the interpreter bit for bit on random data of
 * awkward sizes, the same bits with one thread or two, operands that are
 * expressions computed once, and PyTorch's errors.
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


typedef struct mm_case {
  int id;
  tc_dtype dt;
  int an;
  int64_t as[4];
  int bn;
  int64_t bs[4];
  int at, bt; /* given transposed */
  int cn;
  int64_t cs[4];
  int64_t numel;
  const double *want;
} mm_case;

#include "matmul_expected.inc"

/* The recipe of scripts/gen_matmul_expected.py. */
static tc_tensor *operand(tc_ctx *ctx, int nd, const int64_t *shape, int transposed, tc_dtype dt, int c,
                          int which) {
  int64_t full[4], n = 1;
  for (int d = 0; d < nd; d++) full[d] = shape[d], n *= shape[d];
  if (transposed) {
    int64_t t = full[nd - 1];
    full[nd - 1] = full[nd - 2];
    full[nd - 2] = t;
  }
  double *v = malloc(sizeof(double) * (size_t)(n ? n : 1));
  for (int64_t i = 0; i < n; i++) {
    int64_t x = (i * 7 + c * 3 + which * 5) % 13;
    v[i] = dt == TC_U8 ? (double)x : tc_dtype_is_floating(dt) ? (double)(x - 6) / 4 : (double)(x - 6);
  }
  tc_tensor *t = tc_to_dtype(tc_from_data(ctx, v, TC_F64, nd, full), dt);
  free(v);
  return transposed ? tc_transpose(t, -1, -2) : t;
}

static void every_shape_class_and_dtype_matches_pytorch(void **state) {
  (void)state;
  tc_ctx *ctx = tc_ctx_new(NULL);
  for (size_t i = 0; i < sizeof mm_cases / sizeof mm_cases[0]; i++) {
    const mm_case *m = &mm_cases[i];
    tc_scope_begin(ctx);
    tc_tensor *a = operand(ctx, m->an, m->as, m->at, m->dt, m->id, 0);
    tc_tensor *b = operand(ctx, m->bn, m->bs, m->bt, m->dt, m->id, 1);
    tc_tensor *c = tc_matmul(a, b);
    if (!c) fail_msg("case %d: %s", m->id, tc_last_error(ctx));
    assert_int_equal(tc_tensor_ndim(c), m->cn);
    for (int d = 0; d < m->cn; d++) assert_int_equal(tc_tensor_size(c, d), m->cs[d]);
    assert_int_equal(tc_tensor_dtype(c), m->dt);
    double *got = malloc(sizeof(double) * (size_t)(m->numel ? m->numel : 1));
    assert_int_equal(tc_copy_to_host(tc_to_dtype(c, TC_F64), got, sizeof(double) * (size_t)m->numel), TC_OK);
    for (int64_t e = 0; e < m->numel; e++)
      if (got[e] != m->want[e]) fail_msg("case %d (%s): element %lld is %.17g, PyTorch %.17g", m->id,
                                         tc_dtype_name(m->dt), (long long)e, got[e], m->want[e]);
    free(got);
    tc_scope_end(ctx);
  }
  tc_ctx_free(ctx);
}

/* ---- the driver against the interpreter, bit for bit ---- */

typedef struct rshape {
  int an, bn;
  int64_t as[4], bs[4];
  int at, bt;
} rshape;

static const rshape rshapes[] = {
    {2, 2, {1, 1}, {1, 1}, 0, 0},
    {2, 2, {17, 33}, {33, 31}, 0, 0},
    {2, 2, {97, 600}, {600, 70}, 0, 0},     /* k past one packed block, rows past one block */
    {2, 2, {40, 129}, {129, 1030}, 1, 0},   /* columns past one block, transposed A */
    {2, 2, {9, 513}, {513, 17}, 0, 1},      /* transposed B */
    {3, 3, {3, 13, 21}, {1, 21, 11}, 0, 0}, /* broadcast batch */
    {1, 2, {50}, {50, 7}, 0, 0},
    {2, 1, {7, 50}, {50}, 0, 0},
    {2, 2, {1000, 33}, {33, 1}, 0, 0},      /* matrix times vector: row blocks and a partial one */
    {2, 2, {37, 300}, {300, 1}, 1, 0},      /* ... of a transposed A */
    {3, 3, {4, 20, 9}, {1, 9, 1}, 0, 0},    /* ... batched, B broadcast */
};

static tc_tensor *random_operand(tc_ctx *ctx, int nd, const int64_t *shape, int transposed, tc_dtype dt) {
  int64_t full[4];
  memcpy(full, shape, sizeof(int64_t) * (size_t)nd);
  if (transposed) {
    int64_t t = full[nd - 1];
    full[nd - 1] = full[nd - 2];
    full[nd - 2] = t;
  }
  tc_tensor *t = tc_to_dtype(tc_randn(ctx, TC_F32, nd, full), dt);
  return transposed ? tc_transpose(t, -1, -2) : t;
}

static void product(tc_ctx *ctx, const rshape *s, tc_dtype dt, uint64_t seed, void *out, size_t bytes) {
  tc_scope_begin(ctx);
  tc_manual_seed(ctx, seed);
  tc_tensor *a = random_operand(ctx, s->an, s->as, s->at, dt);
  tc_tensor *b = random_operand(ctx, s->bn, s->bs, s->bt, dt);
  tc_tensor *c = tc_matmul(a, b);
  assert_non_null(c);
  assert_int_equal(tc_copy_to_host(c, out, bytes), TC_OK);
  tc_scope_end(ctx);
}

static void the_packed_driver_gives_the_interpreters_bits(void **state) {
  (void)state;
  tc_ctx_options one = {0};
  one.num_threads = 1;
  tc_ctx *fast = tc_ctx_new(NULL), *single = tc_ctx_new(&one);
  setenv("TC_BACKEND", "interp", 1);
  tc_ctx *ref = tc_ctx_new(NULL);
  unsetenv("TC_BACKEND");
  static const tc_dtype dts[] = {TC_F32, TC_F64, TC_F16, TC_BF16, TC_I32};
  for (size_t i = 0; i < sizeof rshapes / sizeof rshapes[0]; i++)
    for (size_t d = 0; d < sizeof dts / sizeof dts[0]; d++) {
      const rshape *s = &rshapes[i];
      int64_t m = s->an == 1 ? 1 : s->as[s->an - 2], n = s->bn == 1 ? 1 : s->bs[s->bn - 1], batch = 1;
      for (int e = 0; e < s->an - 2; e++) batch *= s->as[e] > batch ? s->as[e] : 1;
      for (int e = 0; e < s->bn - 2; e++) batch = s->bs[e] > batch ? s->bs[e] : batch;
      size_t bytes = (size_t)(batch * m * n) * tc_dtype_size(dts[d]);
      void *x = malloc(bytes), *y = malloc(bytes), *z = malloc(bytes);
      product(fast, s, dts[d], 100 + i, x, bytes);
      product(ref, s, dts[d], 100 + i, y, bytes);
      product(single, s, dts[d], 100 + i, z, bytes);
      if (memcmp(x, y, bytes)) fail_msg("shape %zu, %s: the driver differs from the interpreter", i, tc_dtype_name(dts[d]));
      if (memcmp(x, z, bytes)) fail_msg("shape %zu, %s: one thread differs from two", i, tc_dtype_name(dts[d]));
      free(x);
      free(y);
      free(z);
    }
  assert_int_equal(tc_last_status(fast), TC_OK);
  tc_ctx_free(fast);
  tc_ctx_free(single);
  tc_ctx_free(ref);
}

/* ---- plans and errors ---- */

typedef struct capture {
  char *text;
  size_t n;
} capture;

static void sink(const char *text, void *user) {
  capture *c = user;
  size_t k = strlen(text);
  char *p = realloc(c->text, c->n + k + 1);
  if (!p) return;
  c->text = p;
  memcpy(c->text + c->n, text, k + 1);
  c->n += k;
}

static int count(const char *hay, const char *needle) {
  int n = 0;
  for (const char *p = hay ? strstr(hay, needle) : NULL; p; p = strstr(p + 1, needle)) n++;
  return n;
}

static void operands_that_are_expressions_are_computed_once(void **state) {
  (void)state;
  capture c = {0};
  tc_ctx_options o = {0};
  o.debug = TC_DEBUG_PLAN;
  o.debug_sink = sink;
  o.debug_user = &c;
  tc_ctx *ctx = tc_ctx_new(&o);
  tc_scope_begin(ctx);
  int64_t as[2] = {64, 96}, bs[2] = {96, 80};
  tc_tensor *x = tc_rand(ctx, TC_F32, 2, as), *y = tc_rand(ctx, TC_F32, 2, bs);
  assert_int_equal(tc_realize_many((tc_tensor *[]){x, y}, 2), TC_OK);
  tc_reset_stats(ctx);
  tc_tensor *p = tc_matmul(tc_add_scalar(tc_mul_scalar(x, 2), 1), tc_t(tc_t(tc_sub(y, tc_sqrt(y)))));
  assert_int_equal(tc_realize(p), TC_OK);
  tc_stats st = tc_get_stats(ctx);
  assert_int_equal(st.kernels_launched, 3); /* the two operands, the product */
  assert_true(st.elements_computed == (uint64_t)(64 * 96 + 96 * 80 + 64 * 80 * 96));
  assert_int_equal(count(c.text, "operand of a matrix product"), 2);
  tc_scope_end(ctx);
  tc_ctx_free(ctx);
  free(c.text);
}

/* y = epilogue(a @ b) for the cases of epilogue_cases, into out. */
typedef struct epi_case {
  int an, bn;
  int64_t as[3], bs[3];
  tc_dtype dt;
  int kind; /* 0: relu(p + bias) * s, 1: p > 0 (bool), 2: tanh(p) as float16, 3: p.t() + 1 (not an epilogue) */
} epi_case;

static const epi_case epi_cases[] = {
    {2, 2, {200, 300}, {300, 700}, TC_F32, 0}, /* row blocks, column blocks, panel groups */
    {3, 2, {3, 50, 40}, {40, 60}, TC_F32, 0},  /* batched, B broadcast */
    {2, 2, {33, 17}, {17, 9}, TC_F64, 0},      {2, 2, {64, 96}, {96, 80}, TC_F32, 1},
    {2, 2, {20, 0}, {0, 30}, TC_F32, 0},       /* k = 0: the epilogue of zeros */
    {2, 2, {37, 29}, {29, 41}, TC_I32, 0},     {2, 2, {70, 45}, {45, 130}, TC_F32, 2},
    {2, 2, {30, 20}, {20, 40}, TC_F32, 3}};

static tc_tensor *epilogue_of(tc_tensor *p, tc_tensor *bias, int kind) {
  switch (kind) {
  case 0: return tc_mul_scalar(tc_relu(tc_add(p, bias)), 3);
  case 1: return tc_binary_scalar(TC_OP_GT, p, 0, false, false);
  case 2: return tc_to_dtype(tc_tanh(p), TC_F16);
  default: return tc_add_scalar(tc_t(p), 1);
  }
}

/* Runs case e on ctx; returns the kernels its realization launched. */
static uint64_t epilogue_case(tc_ctx *ctx, const epi_case *e, void *out, size_t bytes) {
  tc_scope_begin(ctx);
  tc_manual_seed(ctx, 7);
  tc_tensor *a = tc_to_dtype(tc_mul_scalar(tc_randn(ctx, TC_F32, e->an, e->as), 4), e->dt);
  tc_tensor *b = tc_to_dtype(tc_mul_scalar(tc_randn(ctx, TC_F32, e->bn, e->bs), 4), e->dt);
  int64_t n = e->bs[e->bn - 1];
  tc_tensor *bias = tc_to_dtype(tc_mul_scalar(tc_randn(ctx, TC_F32, 1, &n), 4), e->dt);
  assert_int_equal(tc_realize_many((tc_tensor *[]){a, b, bias}, 3), TC_OK);
  tc_reset_stats(ctx);
  tc_tensor *y = epilogue_of(tc_matmul(a, b), bias, e->kind);
  assert_int_equal(tc_realize(y), TC_OK);
  uint64_t kernels = tc_get_stats(ctx).kernels_launched;
  assert_int_equal(tc_copy_to_host(y, out, bytes), TC_OK);
  tc_scope_end(ctx);
  return kernels;
}

static void elementwise_epilogues_run_in_the_products_kernel(void **state) {
  (void)state;
  tc_ctx_options one = {0};
  one.num_threads = 1;
  tc_ctx *fast = tc_ctx_new(NULL), *single = tc_ctx_new(&one);
  setenv("TC_BACKEND", "interp", 1);
  tc_ctx *ref = tc_ctx_new(NULL);
  unsetenv("TC_BACKEND");
  for (size_t i = 0; i < sizeof epi_cases / sizeof epi_cases[0]; i++) {
    const epi_case *e = &epi_cases[i];
    int64_t numel = e->bs[e->bn - 1] * e->as[e->an - 2] * (e->an == 3 ? e->as[0] : 1);
    tc_dtype odt = e->kind == 1 ? TC_BOOL : e->kind == 2 ? TC_F16 : e->dt;
    size_t bytes = (size_t)numel * tc_dtype_size(odt);
    void *x = malloc(bytes + 1), *y = malloc(bytes + 1), *z = malloc(bytes + 1);
    uint64_t kx = epilogue_case(fast, e, x, bytes);
    epilogue_case(ref, e, y, bytes);
    uint64_t kz = epilogue_case(single, e, z, bytes);
    /* the product and its epilogue: one kernel (a transposed read: two) */
    assert_int_equal(kx, e->kind == 3 ? 2 : 1);
    assert_int_equal(kz, kx);
    if (memcmp(x, y, bytes)) fail_msg("case %zu: the fused epilogue differs from the interpreter", i);
    if (memcmp(x, z, bytes)) fail_msg("case %zu: one thread differs from two", i);
    free(x);
    free(y);
    free(z);
  }
  /* a product the caller holds is stored by its epilogue's kernel too */
  tc_scope_begin(fast);
  int64_t s2[2] = {40, 40};
  tc_tensor *a = tc_randn(fast, TC_F32, 2, s2), *b = tc_randn(fast, TC_F32, 2, s2);
  assert_int_equal(tc_realize_many((tc_tensor *[]){a, b}, 2), TC_OK);
  tc_tensor *p = tc_matmul(a, b); /* held: the scope has its handle */
  tc_reset_stats(fast);
  tc_tensor *r = tc_relu(p);
  assert_int_equal(tc_realize(r), TC_OK);
  assert_int_equal(tc_get_stats(fast).kernels_launched, 1);
  assert_true(tc_equal(p, tc_matmul(a, b)));
  assert_true(tc_equal(r, tc_relu(tc_matmul(a, b))));
  tc_scope_end(fast);
  assert_int_equal(tc_last_status(fast), TC_OK);
  tc_ctx_free(fast);
  tc_ctx_free(single);
  tc_ctx_free(ref);
}

static void matmul_fails_with_pytorchs_messages(void **state) {
  (void)state;
  tc_ctx *ctx = tc_ctx_new(NULL);
  tc_scope_begin(ctx);
  tc_tensor *a = tc_ones(ctx, TC_F32, 2, (int64_t[]){2, 3}), *b = tc_ones(ctx, TC_F32, 2, (int64_t[]){4, 5});
  assert_null(tc_matmul(a, b));
  assert_string_equal(tc_last_error(ctx), "tc_matmul: mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)");
  tc_clear_error(ctx);
  tc_tensor *x = tc_ones(ctx, TC_BOOL, 2, (int64_t[]){2, 2});
  assert_null(tc_matmul(x, x));
  assert_string_equal(tc_last_error(ctx), "tc_matmul: \"addmm_impl_cpu_\" not implemented for 'Bool'");
  tc_clear_error(ctx);
  tc_tensor *p = tc_ones(ctx, TC_F32, 3, (int64_t[]){2, 3, 4}), *q = tc_ones(ctx, TC_F32, 3, (int64_t[]){3, 4, 5});
  assert_null(tc_matmul(p, q));
  assert_string_equal(tc_last_error(ctx), "tc_matmul: The size of tensor a (2) must match the size of tensor b (3) at "
                                          "non-singleton dimension 0");
  tc_clear_error(ctx);
  tc_scope_end(ctx);
  tc_ctx_free(ctx);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(every_shape_class_and_dtype_matches_pytorch),
      cmocka_unit_test(the_packed_driver_gives_the_interpreters_bits),
      cmocka_unit_test(operands_that_are_expressions_are_computed_once),
      cmocka_unit_test(elementwise_epilogues_run_in_the_products_kernel),
      cmocka_unit_test(matmul_fails_with_pytorchs_messages),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
