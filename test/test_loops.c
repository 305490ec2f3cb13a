/*
 * test_loops.c — programs that are loops, as users write them: a value read
 * back every step, scalars that change every step, lazy chains that grow
 * across steps, in-place updates through slices, graphs too big for one
 * kernel. Each test counts what the compiler did (compilations, kernels,
 * elements computed, schedules reused), never time, and checks the values
 * against a plain C reference or against eager mode and the interpreter.
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

enum { FUSED, EAGER, INTERP };
static bool compile_all; /* compile every kernel at once (TC_INTERP_BUDGET=0) */

static tc_ctx *new_ctx(capture *c, unsigned debug, int mode) {
  tc_ctx_options o = {0};
  o.debug = debug;
  o.debug_sink = c ? sink : NULL;
  o.debug_user = c;
  o.eager = mode == EAGER;
  if (mode == INTERP) setenv("TC_BACKEND", "interp", 1);
  if (compile_all) setenv("TC_INTERP_BUDGET", "0", 1); /* no interpreter tier */
  tc_ctx *ctx = tc_ctx_new(&o);
  unsetenv("TC_BACKEND");
  unsetenv("TC_INTERP_BUDGET");
  assert_non_null(ctx);
  return ctx;
}

/* ---- gradient descent that reads its loss every step ------------------ */

/* w = ones(2); 40 (and 1000) times: s = w.sum(); w = w - 0.25 * s;
 * s.item(). It used to fail at step 32 (a kernel needing 33 buffers). */
static void gradient_descent_reads_the_loss_every_step(void **state) {
  (void)state;
  for (int mode = FUSED; mode <= EAGER; mode++) {
    tc_ctx *ctx = new_ctx(NULL, 0, mode);
    int64_t two = 2;
    tc_tensor *w = tc_ones(ctx, TC_F32, 1, &two);
    double ref = 1.0;
    for (int step = 0; step < 1000; step++) {
      tc_tensor *s = tc_sum(w, NULL, 0, false);
      tc_tensor *w2 = tc_sub(w, tc_mul_scalar(s, 0.25));
      double v = tc_item(s);
      assert_int_equal(tc_last_status(ctx), TC_OK);
      assert_true(v == (float)(2 * ref));
      ref = (float)(ref - (float)(0.25f * (float)(2 * ref)));
      tc_tensor_release(s);
      tc_tensor_release(w);
      w = w2;
    }
    tc_tensor_release(w);
    tc_ctx_free(ctx);
  }
}

/* A linear regression with manual gradients, loss read every step, and a
 * learning rate that changes every step; fused, eager and interpreted give
 * the same bits, and the fused loop compiles a bounded number of kernels. */
static double regression(int mode, int steps, float *w_out, tc_stats *st) {
  tc_ctx *ctx = new_ctx(NULL, 0, mode);
  int64_t n = 256, xs[2] = {256, 4}, ws[2] = {4, 1};
  tc_manual_seed(ctx, 42);
  tc_tensor *x = tc_randn(ctx, TC_F32, 2, xs);
  tc_tensor *true_w = tc_arange(ctx, 1, 5, 1, TC_F32);
  tc_tensor *y = tc_matmul(x, tc_reshape(true_w, 2, ws));
  tc_tensor *w = tc_zeros(ctx, TC_F32, 2, ws);
  double loss = 0;
  for (int step = 0; step < steps; step++) {
    tc_scope_begin(ctx);
    double lr = 0.1 / (1 + 0.01 * step);
    tc_tensor *err = tc_sub(tc_matmul(x, w), y);
    tc_tensor *l = tc_mean(tc_mul(err, err), NULL, 0, false);
    tc_tensor *grad = tc_mul_scalar(tc_matmul(tc_t(x), err), 2.0 / (double)n);
    tc_tensor *w2 = tc_keep(tc_sub(w, tc_mul_scalar(grad, lr)));
    loss = tc_item(l);
    tc_scope_end(ctx);
    tc_tensor_release(w);
    w = w2;
  }
  assert_int_equal(tc_last_status(ctx), TC_OK);
  assert_int_equal(tc_copy_to_host(w, w_out, 4 * sizeof(float)), TC_OK);
  *st = tc_get_stats(ctx);
  tc_ctx_free(ctx);
  return loss;
}

static void a_training_loop_with_a_changing_learning_rate_matches_eager_and_the_interpreter(void **state) {
  (void)state;
  float wf[4], we[4], wi[4];
  tc_stats sf, se, si;
  double lf = regression(FUSED, 200, wf, &sf);
  double le = regression(EAGER, 200, we, &se);
  double li = regression(INTERP, 200, wi, &si);
  assert_true(lf == le && lf == li);
  assert_memory_equal(wf, we, sizeof wf);
  assert_memory_equal(wf, wi, sizeof wf);
  for (int i = 0; i < 4; i++) assert_true(fabs(wf[i] - (i + 1)) < 1e-3);
  assert_true(lf < 1e-6);
  /* the structure repeats: schedules are reused, kernels compiled once */
  assert_true(sf.schedule_hits >= 190);
  assert_true(sf.kernels_compiled <= 10);
  assert_true(se.kernels_compiled <= 20);
}

/* ---- scalars are arguments --------------------------------------------- */

static void five_hundred_distinct_scalars_compile_one_kernel(void **state) {
  (void)state;
  for (int mode = FUSED; mode <= EAGER; mode++) {
    tc_ctx *ctx = new_ctx(NULL, 0, mode);
    int64_t n = (1 << 16) + mode; /* kernels are shared process-wide: one per mode */
    tc_tensor *x = tc_arange(ctx, 0, (double)n, 1, TC_F32);
    assert_int_equal(tc_realize(x), TC_OK);
    tc_reset_stats(ctx);
    for (int i = 0; i < 500; i++) {
      tc_tensor *y = tc_add_scalar(x, 0.5 * i + 0.25);
      float v[2];
      assert_int_equal(tc_copy_to_host(tc_slice(y, 0, n - 2, n, 1), v, sizeof v), TC_OK);
      assert_true(v[1] == (float)((double)(n - 1) + (float)(0.5 * i + 0.25)));
      tc_tensor_release(y);
    }
    tc_stats st = tc_get_stats(ctx);
    assert_int_equal(st.kernels_compiled + st.disk_hits, 1); /* compiled, or loaded from the disk cache */
    tc_ctx_free(ctx);
  }
}

/* random numbers drawn every step: a new counter range each time, the same
 * kernel */
static void a_random_draw_every_step_compiles_one_kernel(void **state) {
  (void)state;
  tc_ctx *ctx = new_ctx(NULL, 0, FUSED);
  tc_manual_seed(ctx, 7);
  int64_t n = 1 << 16;
  tc_reset_stats(ctx);
  double total = 0;
  for (int i = 0; i < 100; i++) {
    tc_tensor *r = tc_mul_scalar(tc_rand(ctx, TC_F32, 1, &n), 2.0);
    tc_tensor *m = tc_mean(r, NULL, 0, false);
    total += tc_item(m);
    tc_tensor_release(m);
    tc_tensor_release(r);
  }
  assert_true(fabs(total / 100 - 1.0) < 0.01);
  assert_true(tc_get_stats(ctx).kernels_compiled + tc_get_stats(ctx).disk_hits <= 2);
  tc_ctx_free(ctx);
}

/* ---- bounded work across realizations ----------------------------------- */

/* y = y + 1; y.sum().item() for n steps: O(n) elements computed in all, not
 * O(n^2) (the chain is stored every few steps). */
static uint64_t chain_elements(int mode, int steps, int64_t size, double *last) {
  tc_ctx *ctx = new_ctx(NULL, 0, mode);
  tc_tensor *y = tc_zeros(ctx, TC_F32, 1, &size);
  assert_int_equal(tc_realize(y), TC_OK);
  tc_reset_stats(ctx);
  for (int i = 0; i < steps; i++) {
    tc_tensor *y2 = tc_add_scalar(y, 1.0);
    tc_tensor_release(y);
    y = y2;
    tc_tensor *s = tc_sum(y, NULL, 0, false);
    *last = tc_item(s);
    tc_tensor_release(s);
  }
  uint64_t e = tc_get_stats(ctx).elements_computed;
  tc_tensor_release(y);
  tc_ctx_free(ctx);
  return e;
}

static void a_chain_read_every_step_does_linear_work(void **state) {
  (void)state;
  int64_t size = 1000;
  double last = 0;
  for (int steps = 250; steps <= 1000; steps *= 4) {
    uint64_t fused = chain_elements(FUSED, steps, size, &last);
    assert_true(last == (double)steps * (double)size);
    uint64_t eager = chain_elements(EAGER, steps, size, &last);
    assert_true(last == (double)steps * (double)size);
    /* eager: an add and a sum per step (2 size); fused stays within a small
     * factor of that, however many steps (recomputing from the start would
     * be steps^2 / 2 * size) */
    assert_true(eager <= (uint64_t)steps * (uint64_t)size * 3);
    assert_true(fused <= (uint64_t)steps * (uint64_t)size * 12);
  }
}

/* A value the caller holds is stored by the kernel that computes it anyway
 * (a side output): y = y + 1; y.sum().item() is one kernel a step, reading
 * the last y and writing the new one, and the plan says so. */
static void a_held_value_is_stored_by_the_kernel_that_computes_it(void **state) {
  (void)state;
  capture c = {0};
  tc_ctx *ctx = new_ctx(&c, TC_DEBUG_PLAN, FUSED);
  int64_t size = 4096;
  int steps = 100;
  tc_tensor *y = tc_zeros(ctx, TC_F32, 1, &size);
  assert_int_equal(tc_realize(y), TC_OK);
  tc_reset_stats(ctx);
  for (int i = 0; i < steps; i++) {
    tc_tensor *y2 = tc_add_scalar(y, 1.0);
    tc_tensor_release(y);
    y = y2;
    tc_tensor *s = tc_sum(y, NULL, 0, false);
    assert_true(tc_item(s) == (double)(i + 1) * (double)size);
    tc_tensor_release(s);
  }
  tc_stats st = tc_get_stats(ctx);
  assert_int_equal(st.kernels_launched, (uint64_t)steps); /* no separate store, no recompute */
  assert_true(st.elements_computed <= (uint64_t)steps * (uint64_t)size * 2 + (uint64_t)steps);
  assert_true(count(c.text, "as a side output") >= 1); /* planned once, then the schedule is reused */
  tc_tensor_release(y);
  tc_ctx_free(ctx);
  free(c.text);
}

/* A held value under a reduction that a narrowing view reads is not a side
 * output: the kernel computes the reduction only where the view reads it,
 * so it would store part of the value (found by fuzz_graph). */
static void a_held_value_under_a_narrowed_reduction_is_computed_whole(void **state) {
  (void)state;
  tc_ctx *ctx = tc_ctx_new(NULL);
  float v[18];
  for (int i = 0; i < 18; i++) v[i] = (float)(i + 1);
  int64_t shape[3] = {2, 3, 3};
  tc_tensor *x = tc_from_data(ctx, v, TC_F32, 3, shape);
  tc_tensor *sq = tc_mul(x, x);
  int dim = 2;
  tc_tensor *s = tc_sum(sq, &dim, 1, false);
  tc_tensor *r = tc_relu(tc_narrow(s, -1, 0, 1)); /* reads s[:, 0] only */
  float got_r[2], got[18];
  assert_int_equal(tc_copy_to_host(r, got_r, sizeof got_r), TC_OK);
  assert_true(got_r[0] == 1 + 4 + 9 && got_r[1] == 100 + 121 + 144);
  assert_int_equal(tc_copy_to_host(sq, got, sizeof got), TC_OK);
  for (int i = 0; i < 18; i++) assert_true(got[i] == v[i] * v[i]);
  tc_ctx_free(ctx);
}

/* A matmul of cheap expressions computes each operand once, not once per
 * multiply-add, and the plan says why (its operands are packed from memory). */
static void a_matmul_of_expressions_stores_its_operands_first(void **state) {
  (void)state;
  capture c = {0};
  tc_ctx *ctx = new_ctx(&c, TC_DEBUG_PLAN, FUSED);
  tc_scope_begin(ctx);
  int64_t m = 64, k = 96, n = 80, as[2] = {64, 96}, bs[2] = {96, 80};
  tc_manual_seed(ctx, 3);
  tc_tensor *x = tc_rand(ctx, TC_F32, 2, as), *y = tc_rand(ctx, TC_F32, 2, bs);
  assert_int_equal(tc_realize_many((tc_tensor *[]){x, y}, 2), TC_OK);
  tc_reset_stats(ctx);
  tc_tensor *a = tc_add_scalar(tc_mul_scalar(tc_exp(x), 2.0), 1.0);
  tc_tensor *b = tc_sub(tc_sqrt(y), y);
  tc_tensor *p = tc_matmul(a, b);
  assert_int_equal(tc_realize(p), TC_OK);
  uint64_t e = tc_get_stats(ctx).elements_computed;
  /* the operands once each, then m*n dot products of length k */
  assert_true(e <= (uint64_t)(m * k + k * n + m * n * k + m * n));
  assert_true(count(c.text, "operand of a matrix product") == 2);
  /* the same values as the operands computed first by themselves */
  tc_tensor *a2 = tc_clone(a), *b2 = tc_clone(b);
  assert_int_equal(tc_realize_many((tc_tensor *[]){a2, b2}, 2), TC_OK);
  assert_true(tc_equal(p, tc_matmul(a2, b2)));
  tc_scope_end(ctx);
  tc_ctx_free(ctx);
  free(c.text);
}

/* ---- kernel limits: split, never refused --------------------------------- */

static void a_sum_of_one_hundred_tensors_splits_into_kernels_that_fit(void **state) {
  (void)state;
  capture c = {0};
  tc_ctx *ctx = new_ctx(&c, TC_DEBUG_PLAN, FUSED);
  int64_t n = 100;
  tc_tensor *acc = tc_zeros(ctx, TC_F32, 1, &n);
  for (int i = 0; i < 100; i++) { /* only the graph holds the partial sums */
    tc_tensor *t = tc_full(ctx, (double)i, TC_F32, 1, &n);
    assert_int_equal(tc_realize(t), TC_OK); /* a buffer of its own */
    tc_tensor *ti = tc_mul_scalar(t, 1.0 + i), *acc2 = tc_add(acc, ti);
    tc_tensor_release(t);
    tc_tensor_release(ti);
    tc_tensor_release(acc);
    acc = acc2;
  }
  tc_scope_begin(ctx);
  double v = tc_item(tc_sum(acc, NULL, 0, false));
  assert_int_equal(tc_last_status(ctx), TC_OK);
  double ref = 0;
  for (int i = 0; i < 100; i++) ref += (double)i * (1.0 + i);
  assert_true(v == ref * 100);
  assert_true(count(c.text, "split for a kernel limit") >= 3);
  tc_scope_end(ctx);
  tc_tensor_release(acc);
  tc_ctx_free(ctx);
  free(c.text);
}

static void forty_reductions_in_one_expression_split_into_kernels_that_fit(void **state) {
  (void)state;
  tc_ctx *ctx = new_ctx(NULL, 0, FUSED);
  tc_scope_begin(ctx);
  int64_t s[2] = {8, 16};
  tc_tensor *x = tc_arange(ctx, 0, 128, 1, TC_F32);
  x = tc_reshape(x, 2, s);
  tc_tensor *acc = tc_zeros(ctx, TC_F32, 2, s);
  for (int i = 0; i < 40; i++) { /* x - its row max, 40 times over */
    int d = 1;
    tc_tensor *m = tc_amax(tc_add_scalar(x, i), &d, 1, true);
    acc = tc_add(acc, tc_sub(tc_add_scalar(x, i), m));
  }
  tc_tensor *r = tc_sum(acc, NULL, 0, false);
  double v = tc_item(r);
  assert_int_equal(tc_last_status(ctx), TC_OK);
  /* each row: sum_j (j - 15) = -120, 8 rows, 40 times */
  assert_true(v == -120.0 * 8 * 40);
  tc_scope_end(ctx);
  tc_ctx_free(ctx);
}

/* a chain with a new Python scalar every op: more scalars than one kernel
 * takes */
static void a_chain_of_three_hundred_scalar_ops_is_split(void **state) {
  (void)state;
  tc_ctx *ctx = new_ctx(NULL, 0, FUSED);
  int64_t n = 10;
  tc_tensor *y = tc_zeros(ctx, TC_F64, 1, &n);
  double ref = 0;
  for (int i = 0; i < 300; i++) {
    tc_tensor *y2 = tc_add_scalar(y, i * 0.5);
    ref += i * 0.5;
    tc_tensor_release(y);
    y = y2;
  }
  assert_true(tc_item(tc_select(y, 0, 3)) == ref);
  assert_int_equal(tc_last_status(ctx), TC_OK);
  tc_ctx_free(ctx);
}

/* ---- the schedule cache --------------------------------------------------- */

static void a_loop_building_the_same_graph_reuses_its_schedule(void **state) {
  (void)state;
  capture c = {0};
  tc_ctx *ctx = new_ctx(&c, TC_DEBUG_PLAN, FUSED);
  int64_t n = 1000;
  tc_tensor *x = tc_rand(ctx, TC_F32, 1, &n);
  assert_int_equal(tc_realize(x), TC_OK);
  tc_reset_stats(ctx);
  for (int i = 0; i < 50; i++) {
    tc_scope_begin(ctx);
    tc_tensor *g = tc_relu(tc_sub(tc_exp(tc_mul_scalar(x, 0.01 * i)), x));
    assert_int_equal(tc_realize(g), TC_OK);
    tc_scope_end(ctx);
  }
  tc_stats st = tc_get_stats(ctx);
  assert_int_equal(st.realizations, 50);
  assert_int_equal(st.schedule_hits, 49);
  assert_true(st.kernels_compiled <= 1);
  assert_int_equal(count(c.text, "the schedule of an earlier realization"), 49);
  tc_ctx_free(ctx);
  free(c.text);
}

/* ---- in-place updates through slices ------------------------------------ */

/* acc[step % 8:] += 0.5 and a 1-D stencil x[1:-1] = (x[:-2] + x[2:]) / 2
 * updated in place each step, read every few steps */
static void in_place_stencils_through_slices_match_a_reference(void **state) {
  (void)state;
  for (int mode = FUSED; mode <= INTERP; mode++) {
    tc_ctx *ctx = new_ctx(NULL, 0, mode);
    int64_t n = 32;
    tc_tensor *x = tc_zeros(ctx, TC_F64, 1, &n);
    tc_tensor *acc = tc_zeros(ctx, TC_F64, 1, &n);
    double rx[32] = {0}, ra[32] = {0};
    assert_int_equal(tc_fill_(tc_select(x, 0, 0), 1.0), TC_OK);
    assert_int_equal(tc_fill_(tc_select(x, 0, n - 1), 3.0), TC_OK);
    rx[0] = 1.0;
    rx[31] = 3.0;
    for (int step = 0; step < 200; step++) {
      tc_scope_begin(ctx);
      tc_tensor *mid = tc_slice(x, 0, 1, n - 1, 1);
      tc_tensor *avg = tc_mul_scalar(tc_add(tc_slice(x, 0, 0, n - 2, 1), tc_slice(x, 0, 2, n, 1)), 0.5);
      assert_int_equal(tc_copy_(mid, avg), TC_OK);
      double nx[32];
      memcpy(nx, rx, sizeof nx);
      for (int i = 1; i < 31; i++) nx[i] = (rx[i - 1] + rx[i + 1]) * 0.5;
      memcpy(rx, nx, sizeof rx);
      tc_tensor *tail = tc_slice(acc, 0, step % 8, n, 1);
      assert_int_equal(tc_add_(tail, tc_full(ctx, 0.5, TC_F64, 1, (int64_t[]){n - step % 8})), TC_OK);
      for (int i = step % 8; i < 32; i++) ra[i] += 0.5;
      if (step % 10 == 0) {
        double got[32];
        assert_int_equal(tc_copy_to_host(x, got, sizeof got), TC_OK);
        assert_memory_equal(got, rx, sizeof got);
      }
      tc_scope_end(ctx);
    }
    double got[32];
    assert_int_equal(tc_copy_to_host(acc, got, sizeof got), TC_OK);
    assert_memory_equal(got, ra, sizeof got);
    assert_int_equal(tc_copy_to_host(x, got, sizeof got), TC_OK);
    assert_memory_equal(got, rx, sizeof got);
    tc_ctx_free(ctx);
  }
}

/* ---- writes at data-dependent positions ----------------------------------- */

/* x[idx] = v over 10,000 positions: one scatter kernel (and the check of the
 * indices), about one pass over the positions, in place. */
static void an_indexed_write_of_ten_thousand_positions_is_one_scatter_kernel(void **state) {
  (void)state;
  compile_all = true; /* the LLVM code of the scatter */
  for (int mode = FUSED; mode <= EAGER; mode++) {
    tc_ctx *ctx = new_ctx(NULL, 0, mode);
    tc_scope_begin(ctx);
    int64_t n = 100000, k = 10000;
    tc_tensor *x = tc_zeros(ctx, TC_F32, 1, &n);
    tc_tensor *idx = tc_arange_int(ctx, n - 1, -1, -10); /* 99999, 99989, ... */
    tc_tensor *v = tc_arange(ctx, 0, (double)k, 1, TC_F32);
    assert_int_equal(tc_realize_many((tc_tensor *[]){x, idx, v}, 3), TC_OK);
    tc_reset_stats(ctx);
    assert_int_equal(tc_index_put_(x, 1, &idx, v, false), TC_OK);
    assert_int_equal(tc_realize(x), TC_OK);
    tc_stats st = tc_get_stats(ctx);
    /* fused: the check of the indices and the scatter; eager: an op at a time */
    assert_true(st.kernels_launched <= (mode == EAGER ? 24u : 2u));
    assert_true(st.elements_computed <= (uint64_t)((mode == EAGER ? 24 : 3) * k));
    const float *d = tc_data_ptr(x);
    for (int64_t i = 0; i < k; i++) assert_true(d[n - 1 - 10 * i] == (float)i);
    assert_true(d[n - 2] == 0);
    /* and a mask write with tensor values */
    tc_tensor *mask = tc_eq(tc_remainder(tc_arange_int(ctx, 0, n, 1), tc_scalar(ctx, 10, TC_I64)),
                            tc_scalar(ctx, 3, TC_I64));
    assert_int_equal(tc_realize(mask), TC_OK);
    tc_reset_stats(ctx);
    assert_int_equal(tc_masked_scatter_(x, mask, tc_mul_scalar(v, 2.0)), TC_OK);
    assert_int_equal(tc_realize(x), TC_OK);
    st = tc_get_stats(ctx);
    /* fused: the mask's running count (a blocked scan), then one gather
     * pass: about five passes over n, never a host loop */
    if (mode == FUSED && st.elements_computed > (uint64_t)(6 * n))
      fail_msg("masked_scatter_: %llu elements computed in %llu kernels", (unsigned long long)st.elements_computed,
               (unsigned long long)st.kernels_launched);
    d = tc_data_ptr(x);
    for (int64_t i = 0; i < k; i++) assert_true(d[10 * i + 3] == (float)(2 * i));
    tc_scope_end(ctx);
    tc_ctx_free(ctx);
  }
  compile_all = false;
}

/* t[::2] = 1 (and t[1::2] = t[::2] + 1) writes the selected half only: one
 * kernel over n / 2 points, in place, nothing copied. */
static void a_strided_slice_write_touches_only_the_selected_half(void **state) {
  (void)state;
  for (int mode = FUSED; mode <= EAGER; mode++) {
    tc_ctx *ctx = new_ctx(NULL, 0, mode);
    tc_scope_begin(ctx);
    int64_t n = 1 << 20;
    tc_tensor *t = tc_zeros(ctx, TC_F32, 1, &n);
    assert_int_equal(tc_realize(t), TC_OK);
    const float *before = tc_data_ptr(t);
    tc_reset_stats(ctx);
    assert_int_equal(tc_fill_(tc_slice(t, 0, 0, n, 2), 1), TC_OK);
    assert_int_equal(tc_realize(t), TC_OK);
    tc_stats st = tc_get_stats(ctx);
    assert_int_equal(st.kernels_launched, 1);
    assert_int_equal(st.elements_computed, (uint64_t)n / 2);
    tc_reset_stats(ctx);
    /* the temporaries go before the write is realized, as Python drops
       them: then nothing but the write reads the old version, and the
       write reads only elements it does not write */
    tc_tensor *odd = tc_slice(t, 0, 1, n, 2), *even = tc_slice(t, 0, 0, n, 2), *v = tc_add_scalar(even, 1);
    assert_int_equal(tc_copy_(odd, v), TC_OK);
    tc_tensor_release(odd);
    tc_tensor_release(even);
    tc_tensor_release(v);
    assert_int_equal(tc_realize(t), TC_OK);
    st = tc_get_stats(ctx);
    /* eager: the sum is computed first, then copied */
    assert_int_equal(st.kernels_launched, mode == EAGER ? 2 : 1);
    assert_int_equal(st.elements_computed, (uint64_t)n / 2 * (mode == EAGER ? 2 : 1));
    const float *d = tc_data_ptr(t);
    assert_ptr_equal(d, before); /* in place */
    for (int64_t i = 0; i < n; i += 4097) assert_true(d[i] == (float)(1 + i % 2));
    tc_scope_end(ctx);
    tc_ctx_free(ctx);
  }
}

/* index_put_ with accumulate: repeated positions add up in index order, the
 * same bits as a sequential sum; out-of-range and mismatched dtypes fail
 * with PyTorch's words and write nothing. */
static void index_put_accumulates_repeated_positions_in_order(void **state) {
  (void)state;
  compile_all = true;
  tc_ctx *ctx = new_ctx(NULL, 0, FUSED);
  compile_all = false;
  tc_scope_begin(ctx);
  int64_t n = 7, k = 1000;
  int64_t ix[1000];
  float vals[1000], ref[7] = {0};
  for (int i = 0; i < k; i++) {
    ix[i] = (i * 5) % 7 - (i % 2 ? 7 : 0); /* negative ones too */
    vals[i] = 1.0f / (float)(i + 1);
    ref[(ix[i] + 7) % 7] += vals[i];
  }
  tc_tensor *x = tc_zeros(ctx, TC_F32, 1, &n);
  tc_tensor *idx = tc_from_data(ctx, ix, TC_I64, 1, &k), *v = tc_from_data(ctx, vals, TC_F32, 1, &k);
  assert_int_equal(tc_index_put_(x, 1, &idx, v, true), TC_OK);
  float got[7];
  assert_int_equal(tc_copy_to_host(x, got, sizeof got), TC_OK);
  assert_memory_equal(got, ref, sizeof got);
  tc_tensor *bad = tc_from_data(ctx, (int64_t[]){3, 9}, TC_I64, 1, (int64_t[]){2});
  assert_int_equal(tc_index_put_(x, 1, &bad, tc_ones(ctx, TC_F32, 1, (int64_t[]){2}), false), TC_ERR_ARG);
  assert_string_equal(tc_last_error(ctx), "tc_index_put_: index 9 is out of bounds for dimension 0 with size 7");
  tc_clear_error(ctx);
  assert_int_equal(tc_index_put_(x, 1, &idx, tc_to_dtype(v, TC_F64), false), TC_ERR_ARG);
  assert_string_equal(tc_last_error(ctx), "tc_index_put_: Index put requires the source and destination "
                                          "dtypes match, got Float for the destination and Double for "
                                          "the source.");
  tc_clear_error(ctx);
  assert_int_equal(tc_copy_to_host(x, got, sizeof got), TC_OK);
  assert_memory_equal(got, ref, sizeof got);
  tc_scope_end(ctx);
  tc_ctx_free(ctx);
}

/* ---- random loops: fused, eager and the interpreter agree bitwise -------- */

typedef struct rng {
  uint64_t s;
} rng;
static uint32_t rnd(rng *r) {
  r->s = r->s * 6364136223846793005ull + 1442695040888963407ull;
  return (uint32_t)(r->s >> 33);
}

#define NT 6
/* Runs a random program of `steps` graph updates over NT tensors of shape
 * (8, 16), reading a value back every `every` steps into out[]. */
static int random_loop(int mode, uint64_t seed, int steps, int every, double *out) {
  tc_ctx *ctx = new_ctx(NULL, 0, mode);
  rng r = {seed};
  int64_t s[2] = {8, 16};
  tc_tensor *t[NT];
  tc_manual_seed(ctx, seed);
  for (int i = 0; i < NT; i++) t[i] = tc_rand(ctx, TC_F32, 2, s);
  int nout = 0;
  for (int step = 0; step < steps; step++) {
    int i = rnd(&r) % NT, j = rnd(&r) % NT, k = rnd(&r) % NT;
    double c = (rnd(&r) % 1000) / 500.0 - 1.0;
    tc_scope_begin(ctx);
    tc_tensor *v = NULL;
    switch (rnd(&r) % 9) {
    case 0: v = tc_add(t[j], t[k]); break;
    case 1: v = tc_mul(t[j], tc_add_scalar(t[k], c)); break;
    case 2: v = tc_tanh(tc_sub(t[j], tc_mul_scalar(t[k], c))); break;
    case 3: { /* x - x.mean(1) */
      int d = 1;
      v = tc_sub(t[j], tc_mean(t[k], &d, 1, true));
      break;
    }
    case 4: v = tc_softmax(tc_add(t[j], t[k]), 1); break;
    case 5: { /* a scaled transposed read */
      tc_tensor *tt = tc_reshape(tc_t(tc_reshape(t[k], 2, (int64_t[]){16, 8})), 2, s);
      v = tc_maximum(t[j], tt);
      break;
    }
    case 6: { /* in place through a slice */
      int off = rnd(&r) % 16;
      assert_int_equal(tc_add_(tc_slice(t[i], 1, off, 16, 1),
                               tc_mul_scalar(tc_slice(t[j], 1, 0, 16 - off, 1), c)), TC_OK);
      assert_int_equal(tc_fill_(tc_select(t[i], 0, rnd(&r) % 8), c), TC_OK);
      break;
    }
    case 7: v = tc_clamp_scalar(tc_add_scalar(t[j], c), -2, 2); break;
    default: { /* a matmul of an expression */
      tc_tensor *sq = tc_reshape(t[j], 2, (int64_t[]){16, 8});
      v = tc_mul_scalar(tc_matmul(tc_exp(tc_mul_scalar(t[k], 0.1)), sq), 0.01);
      v = tc_reshape(tc_matmul(v, tc_ones(ctx, TC_F32, 2, (int64_t[]){8, 16})), 2, s);
      break;
    }
    }
    if (v) {
      tc_keep(v);
      tc_tensor_release(t[i]);
      t[i] = v;
    }
    tc_scope_end(ctx);
    if (tc_last_status(ctx) != TC_OK) {
      fail_msg("step %d: %s", step, tc_last_error(ctx));
    }
    if (step % every == every - 1) {
      tc_tensor *sm = tc_sum(t[rnd(&r) % NT], NULL, 0, false);
      out[nout++] = tc_item(sm);
      tc_tensor_release(sm);
    }
  }
  for (int i = 0; i < NT; i++) {
    float buf[128];
    assert_int_equal(tc_copy_to_host(t[i], buf, sizeof buf), TC_OK);
    double h = 0;
    for (int e = 0; e < 128; e++) h = h * 1.0000001 + buf[e];
    out[nout++] = h;
    tc_tensor_release(t[i]);
  }
  tc_ctx_free(ctx);
  return nout;
}

static void random_loops_agree_bitwise_fused_eager_and_interpreted(void **state) {
  (void)state;
  static double a[400], b[400], c[400];
  compile_all = true; /* the LLVM code, not the interpreter tier, against the interpreter */
  for (uint64_t seed = 1; seed <= 4; seed++) {
    int every = 1 + (int)seed * 2;
    int na = random_loop(FUSED, seed, 120, every, a);
    int nb = random_loop(EAGER, seed, 120, every, b);
    int nc = random_loop(INTERP, seed, 120, every, c);
    assert_int_equal(na, nb);
    assert_int_equal(na, nc);
    for (int i = 0; i < na; i++) {
      if (memcmp(&a[i], &b[i], sizeof a[i]) || memcmp(&a[i], &c[i], sizeof a[i]))
        fail_msg("seed %llu, read %d: fused %.17g, eager %.17g, interpreted %.17g",
                 (unsigned long long)seed, i, a[i], b[i], c[i]);
    }
  }
  compile_all = false;
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(gradient_descent_reads_the_loss_every_step),
      cmocka_unit_test(a_training_loop_with_a_changing_learning_rate_matches_eager_and_the_interpreter),
      cmocka_unit_test(five_hundred_distinct_scalars_compile_one_kernel),
      cmocka_unit_test(a_random_draw_every_step_compiles_one_kernel),
      cmocka_unit_test(a_chain_read_every_step_does_linear_work),
      cmocka_unit_test(a_held_value_is_stored_by_the_kernel_that_computes_it),
      cmocka_unit_test(a_held_value_under_a_narrowed_reduction_is_computed_whole),
      cmocka_unit_test(a_matmul_of_expressions_stores_its_operands_first),
      cmocka_unit_test(a_sum_of_one_hundred_tensors_splits_into_kernels_that_fit),
      cmocka_unit_test(forty_reductions_in_one_expression_split_into_kernels_that_fit),
      cmocka_unit_test(a_chain_of_three_hundred_scalar_ops_is_split),
      cmocka_unit_test(a_loop_building_the_same_graph_reuses_its_schedule),
      cmocka_unit_test(in_place_stencils_through_slices_match_a_reference),
      cmocka_unit_test(an_indexed_write_of_ten_thousand_positions_is_one_scatter_kernel),
      cmocka_unit_test(a_strided_slice_write_touches_only_the_selected_half),
      cmocka_unit_test(index_put_accumulates_repeated_positions_in_order),
      cmocka_unit_test(random_loops_agree_bitwise_fused_eager_and_interpreted),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
