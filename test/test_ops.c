/*
 * test_ops.c — creation ops, casts, whole-tensor comparisons, read-back and
 * random numbers against PyTorch 2.x. Expected values and repr strings are
 * what PyTorch printed for the same calls; the random-number tests check
 * reproducibility exactly and the distributions only loosely (100k samples).
 * Elementwise ops: test_ops_elementwise.c; reductions and matmul:
 * test_ops_reduce.c; views and in-place writes: test_views.c.
 */
#include <math.h>
#include "tc_expect.h"

/* ---- creation ----------------------------------------------------------------- */

TC_CASE(arange_infers_int64_for_ints_and_counts_down_with_a_negative_step) {
  expect_repr(tc_arange_int(ctx, 0, 5, 1), "tensor([0, 1, 2, 3, 4])");
  expect_repr(tc_arange_int(ctx, 5, 0, -2), "tensor([5, 3, 1])");
  assert_int_equal(tc_tensor_dtype(tc_arange_int(ctx, 0, 5, 1)), TC_I64);
  expect_repr(tc_arange_int(ctx, 3, 3, 1), "tensor([], dtype=torch.int64)");
}

/* torch.arange(0, 1, 0.1): ten float32 values start + i * step */
TC_CASE(arange_with_a_float_step_gives_float32_values) {
  tc_tensor *t = tc_arange(ctx, 0, 1, 0.1, TC_F32);
  expect(t, TC_F32, SH(10), V(0.0, 0.10000000149011612, 0.20000000298023224, 0.30000001192092896,
                              0.4000000059604645, 0.5, 0.6000000238418579, 0.699999988079071,
                              0.800000011920929, 0.8999999761581421));
  expect_repr(t, "tensor([0.0000, 0.1000, 0.2000, 0.3000, 0.4000, 0.5000, 0.6000, 0.7000, 0.8000,\n"
                 "        0.9000])");
  expect_repr(tc_arange(ctx, -1, 1, 0.5, TC_F64),
              "tensor([-1.0000, -0.5000,  0.0000,  0.5000], dtype=torch.float64)");
  expect_repr(tc_arange(ctx, 0, 5, 1.5, TC_F32), "tensor([0.0000, 1.5000, 3.0000, 4.5000])");
  expect_repr(tc_arange(ctx, -3, 3, 2.5, TC_F32), "tensor([-3.0000, -0.5000,  2.0000])");
  /* an integer dtype casts start and step first: arange(0, 5, 1.5, dtype=int64) */
  expect_repr(tc_arange(ctx, 0, 5, 1.5, TC_I64), "tensor([0, 1, 2, 3])");
}

TC_CASE(arange_rejects_a_zero_step_and_a_step_of_the_wrong_sign) {
  expect_err(ctx, tc_arange(ctx, 0, 5, 0, TC_F32), "step must be nonzero");
  expect_err(ctx, tc_arange(ctx, 0, 5, -1, TC_F32),
             "upper bound and lower bound inconsistent with step sign");
}

TC_CASE(linspace_spaces_steps_values_evenly_including_both_ends) {
  expect_repr(tc_linspace(ctx, 0, 1, 5, TC_F32), "tensor([0.0000, 0.2500, 0.5000, 0.7500, 1.0000])");
  expect(tc_linspace(ctx, -1, 1, 7, TC_F32), TC_F32, SH(7),
         V(-1.0, -0.6666666269302368, -0.3333333134651184, -2.9802322387695312e-08,
           0.3333333134651184, 0.6666666269302368, 1.0));
  expect(tc_linspace(ctx, 0, 1, 10, TC_F32), TC_F32, SH(10),
         V(0.0, 0.1111111119389534, 0.2222222238779068, 0.3333333432674408, 0.4444444477558136,
           0.5555555820465088, 0.6666666865348816, 0.7777777910232544, 0.8888888955116272, 1.0));
  expect(tc_linspace(ctx, -5, 3, 9, TC_F64), TC_F64, SH(9), V(-5, -4, -3, -2, -1, 0, 1, 2, 3));
  expect_repr(tc_linspace(ctx, 0, 1, 4, TC_F16),
              "tensor([0.0000, 0.3333, 0.6665, 1.0000], dtype=torch.float16)");
  expect_repr(tc_linspace(ctx, 0, 10, 5, TC_I64), "tensor([ 0,  2,  5,  7, 10])");
  expect_repr(tc_linspace(ctx, 3, 7, 1, TC_F32), "tensor([3.])");
  expect_repr(tc_linspace(ctx, 0, 1, 0, TC_F32), "tensor([])");
  expect_err(ctx, tc_linspace(ctx, 0, 1, -1, TC_F32), "number of steps must be non-negative");
}

/* PyTorch's values bit for bit: the step in float32, start + step * i up to
 * the middle and end - step * (steps - 1 - i) after it, each rounded once */
TC_CASE(linspace_gives_pytorchs_float32_bits) {
  static const double want[][9] = {
      {0.10000000149011612, 0.19999998807907104, 0.29999998211860657, 0.3999999761581421, 0.5,
       0.6000000238418579, 0.699999988079071, 0.7999999523162842, 0.8999999761581421},
      {-1.2999999523162842, -0.6333332657814026, 0.033333420753479004, 0.699999988079071, 1.3666666746139526,
       2.0333333015441895, 2.700000047683716}};
  tc_tensor *ts[] = {tc_linspace(ctx, 0.1, 0.9, 9, TC_F32), tc_linspace(ctx, -1.3, 2.7, 7, TC_F32)};
  for (int k = 0; k < 2; k++) {
    double *got = tc_test_read(ts[k], __FILE__, __LINE__);
    for (int64_t i = 0; i < tc_tensor_numel(ts[k]); i++) {
      if (got[i] != want[k][i]) print_error("linspace %d: element %lld is %.17g, expected %.17g\n", k, (long long)i, got[i], want[k][i]);
      assert_true(got[i] == want[k][i]);
    }
    free(got);
  }
  /* float16: the ends in float16, the step and the sums in float32 */
  expect(tc_linspace(ctx, 0.1, 0.9, 4, TC_F16), TC_F16, SH(4), V(0.0999755859375, 0.36669921875, 0.63330078125, 0.89990234375));
  /* integers: the ends truncated first */
  expect_i64(tc_linspace(ctx, 0.7, 10.9, 4, TC_I64), SH(4), I64(0, 3, 6, 10));
}

TC_CASE(eye_puts_ones_on_the_diagonal_of_any_dtype_and_shape) {
  expect_repr(tc_eye(ctx, 3, 3, TC_F32), "tensor([[1., 0., 0.],\n"
                                         "        [0., 1., 0.],\n"
                                         "        [0., 0., 1.]])");
  expect_repr(tc_eye(ctx, 2, 4, TC_I64), "tensor([[1, 0, 0, 0],\n"
                                         "        [0, 1, 0, 0]])");
  expect_repr(tc_eye(ctx, 3, 2, TC_BOOL), "tensor([[ True, False],\n"
                                          "        [False,  True],\n"
                                          "        [False, False]])");
}

TC_CASE(full_converts_its_value_to_the_dtype_as_pytorch_does) {
  expect_repr(tc_full(ctx, 2.5, TC_I64, 1, (const int64_t[]){2}), "tensor([2, 2])");
  expect_repr(tc_full(ctx, -1, TC_U8, 1, (const int64_t[]){2}), "tensor([255, 255], dtype=torch.uint8)");
  expect_repr(tc_full(ctx, 7, TC_BOOL, 1, (const int64_t[]){2}), "tensor([True, True])");
  tc_tensor *h = tc_full(ctx, 0.1, TC_F16, 1, (const int64_t[]){2});
  expect_repr(h, "tensor([0.1000, 0.1000], dtype=torch.float16)");
  assert_true(tc_item(tc_select(h, 0, 0)) == 0.0999755859375);
  expect_repr(tc_scalar(ctx, 3.5, TC_F32), "tensor(3.5000)");
}

TC_CASE(zeros_and_ones_have_the_requested_dtype_and_shape) {
  expect_repr(tc_zeros(ctx, TC_I32, 2, (const int64_t[]){2, 2}),
              "tensor([[0, 0],\n        [0, 0]], dtype=torch.int32)");
  expect_repr(tc_ones(ctx, TC_F64, 2, (const int64_t[]){2, 3}),
              "tensor([[1., 1., 1.],\n        [1., 1., 1.]], dtype=torch.float64)");
  expect_repr(tc_ones(ctx, TC_BOOL, 1, (const int64_t[]){3}), "tensor([True, True, True])");
  expect_repr(tc_zeros(ctx, TC_BF16, 1, (const int64_t[]){2}), "tensor([0., 0.], dtype=torch.bfloat16)");
  expect_repr(tc_ones(ctx, TC_F16, 1, (const int64_t[]){2}), "tensor([1., 1.], dtype=torch.float16)");
  expect_repr(tc_zeros(ctx, TC_F32, 1, (const int64_t[]){0}), "tensor([])");
  expect_repr(tc_zeros(ctx, TC_I64, 2, (const int64_t[]){2, 0}),
              "tensor([], size=(2, 0), dtype=torch.int64)");
  tc_tensor *e = tc_empty(ctx, TC_I16, 3, (const int64_t[]){1, 2, 3});
  assert_int_equal(tc_tensor_dtype(e), TC_I16);
  assert_int_equal(tc_tensor_numel(e), 6);
  /* torch.empty(-1) and torch.full((-1,), 1.) */
  expect_err(ctx, tc_empty(ctx, TC_F32, 1, (const int64_t[]){-1}),
             "Trying to create tensor with negative dimension -1: [-1]");
  expect_err(ctx, tc_full(ctx, 1, TC_F32, 1, (const int64_t[]){-1}),
             "Trying to create tensor with negative dimension -1: [-1]");
}

/* ---- casts -------------------------------------------------------------------- */

TC_CASE(float_to_int_cast_truncates_toward_zero) {
  tc_tensor *f = mk(ctx, TC_F32, SH(4), V(-2.7, -0.5, 0.5, 2.7));
  expect_repr(tc_to_dtype(f, TC_I32), "tensor([-2,  0,  0,  2], dtype=torch.int32)");
  expect_repr(tc_to_dtype(f, TC_I64), "tensor([-2,  0,  0,  2])");
  expect_repr(tc_to_dtype(tc_to_dtype(f, TC_F64), TC_I16), "tensor([-2,  0,  0,  2], dtype=torch.int16)");
}

/* torch.tensor([-1.5, -200., 300., 2.7]).to(torch.uint8) -> [255, 56, 44, 2]:
 * through int64, then wrapped to 8 bits */
TC_CASE(negative_float_to_uint8_wraps_like_pytorch) {
  tc_tensor *f = mk(ctx, TC_F32, SH(4), V(-1.5, -200, 300, 2.7));
  expect_repr(tc_to_dtype(f, TC_U8), "tensor([255,  56,  44,   2], dtype=torch.uint8)");
  expect_repr(tc_to_dtype(f, TC_I8), "tensor([-1, 56, 44,  2], dtype=torch.int8)");
  expect_repr(tc_to_dtype(tc_to_dtype(f, TC_F64), TC_U8), "tensor([255,  56,  44,   2], dtype=torch.uint8)");
}

/* What PyTorch gives on this (x86-64) machine for casts C++ leaves undefined:
 * NaN and +-inf become 0 in 8/16-bit types and the minimum in 32/64-bit ones */
TC_CASE(nan_and_inf_cast_to_integers_as_pytorch_does_on_x86) {
  tc_tensor *f = mk(ctx, TC_F32, SH(3), V(NAN, INFINITY, -INFINITY));
  expect_repr(tc_to_dtype(f, TC_U8), "tensor([0, 0, 0], dtype=torch.uint8)");
  expect_repr(tc_to_dtype(f, TC_I16), "tensor([0, 0, 0], dtype=torch.int16)");
  expect_repr(tc_to_dtype(f, TC_I32),
              "tensor([-2147483648, -2147483648, -2147483648], dtype=torch.int32)");
  expect_i64(tc_to_dtype(f, TC_I64), SH(3), I64(INT64_MIN, INT64_MIN, INT64_MIN));
}

TC_CASE(integer_narrowing_wraps_and_bool_cast_tests_nonzero) {
  tc_tensor *i = mk(ctx, TC_I64, SH(3), V(300, -1, 128));
  expect_repr(tc_to_dtype(i, TC_I8), "tensor([  44,   -1, -128], dtype=torch.int8)");
  expect_repr(tc_to_dtype(i, TC_U8), "tensor([ 44, 255, 128], dtype=torch.uint8)");
  expect_repr(tc_to_dtype(mk(ctx, TC_I64, SH(3), V(0, 2, -1)), TC_BOOL), "tensor([False,  True,  True])");
  expect_repr(tc_to_dtype(mk(ctx, TC_F32, SH(4), V(0, -0.0, 0.1, NAN)), TC_BOOL),
              "tensor([False, False,  True,  True])");
  expect_repr(tc_to_dtype(mk(ctx, TC_BOOL, SH(2), V(1, 0)), TC_F32), "tensor([1., 0.])");
}

TC_CASE(float_casts_round_to_nearest_and_overflow_to_inf) {
  tc_tensor *d = mk(ctx, TC_F64, SH(3), V(70000, 1e-8, 0.1));
  expect_repr(tc_to_dtype(d, TC_F16), "tensor([   inf, 0.0000, 0.1000], dtype=torch.float16)");
  expect_repr(tc_to_dtype(mk(ctx, TC_F64, SH(1), V(1e39)), TC_F32), "tensor([inf])");
  /* bfloat16 rounds half to even: 1.00390625 -> 1.0, 1.01171875 -> 1.015625 */
  expect(tc_to_dtype(mk(ctx, TC_F32, SH(3), V(1.00390625, 1.01171875, 3.14159)), TC_BF16), TC_BF16,
         SH(3), V(1.0, 1.015625, 3.140625));
  assert_true(tc_item(tc_to_dtype(mk(ctx, TC_F32, SH(1), V(1.01171875)), TC_BF16)) == 1.015625);
  expect_repr(tc_to_dtype(mk(ctx, TC_I64, SH(1), V(16777217)), TC_F32), "tensor([16777216.])");
}

/* .to(same dtype) returns self in PyTorch: the result aliases the source */
TC_CASE(cast_to_the_same_dtype_shares_the_data) {
  tc_tensor *a = mk(ctx, TC_F32, SH(3), V(1, 2, 3));
  tc_tensor *b = tc_to_dtype(a, TC_F32);
  assert_int_equal(tc_fill_(a, 5), TC_OK);
  expect_repr(b, "tensor([5., 5., 5.])");
  tc_tensor *c = tc_to_dtype(a, TC_F64); /* a real cast is a copy */
  assert_int_equal(tc_fill_(a, 6), TC_OK);
  expect_repr(c, "tensor([5., 5., 5.], dtype=torch.float64)");
}

/* ---- comparisons of whole tensors ----------------------------------------------- */

TC_CASE(isclose_handles_nan_inf_and_its_tolerances_like_pytorch) {
  tc_tensor *a = mk(ctx, TC_F32, SH(6), V(1, NAN, INFINITY, INFINITY, 1e-9, 100));
  tc_tensor *b = mk(ctx, TC_F32, SH(6), V(1, NAN, INFINITY, -INFINITY, 0, 100.001));
  double rt = TC_DEFAULT_RTOL, at = TC_DEFAULT_ATOL;
  expect_repr(tc_isclose(a, b, rt, at, false), "tensor([ True, False,  True, False,  True,  True])");
  expect_repr(tc_isclose(a, b, rt, at, true), "tensor([ True,  True,  True, False,  True,  True])");
  expect_repr(tc_isclose(a, b, 1e-4, 0, false), "tensor([ True, False,  True, False, False,  True])");
  assert_false(tc_allclose(a, b, rt, at, false));
  assert_false(tc_allclose(a, b, 1e-4, at, true));
  /* dropping the inf/-inf pair makes them close when NaNs count as equal */
  tc_tensor *a5 = tc_narrow(a, 0, 0, 3), *b5 = tc_narrow(b, 0, 0, 3);
  assert_true(tc_allclose(a5, b5, rt, at, true));
  assert_false(tc_allclose(a5, b5, rt, at, false));
  expect_no_error(ctx);
}

TC_CASE(isclose_works_on_integers_and_broadcasts) {
  expect_repr(tc_isclose(mk(ctx, TC_I64, SH(3), V(1, 2, 3)), mk(ctx, TC_I64, SH(3), V(1, 3, 3)),
                         TC_DEFAULT_RTOL, TC_DEFAULT_ATOL, false),
              "tensor([ True, False,  True])");
  expect_repr(tc_isclose(mk(ctx, TC_I64, SH(2), V(100, 200)), mk(ctx, TC_I64, SH(2), V(101, 200)),
                         0.01, 0, false),
              "tensor([True, True])");
  expect_repr(tc_isclose(mk(ctx, TC_F32, SH(2, 1), V(1, 2)), mk(ctx, TC_F32, SH(2), V(1, 2)),
                         TC_DEFAULT_RTOL, TC_DEFAULT_ATOL, false),
              "tensor([[ True, False],\n        [False,  True]])");
  assert_true(tc_allclose(mk(ctx, TC_F32, SH(3), V(1, 1, 1)), mk(ctx, TC_F32, SH(1), V(1)),
                          TC_DEFAULT_RTOL, TC_DEFAULT_ATOL, false));
  /* torch.isclose(float32, float64): RuntimeError: Float did not match Double */
  expect_err(ctx, tc_isclose(mk(ctx, TC_F32, SH(1), V(1)), mk(ctx, TC_F64, SH(1), V(1)),
                             TC_DEFAULT_RTOL, TC_DEFAULT_ATOL, false),
             "Float did not match Double");
}

TC_CASE(equal_needs_the_same_shape_and_treats_nan_as_unequal) {
  assert_false(tc_equal(mk(ctx, TC_F32, SH(2), V(1, NAN)), mk(ctx, TC_F32, SH(2), V(1, NAN))));
  assert_false(tc_equal(mk(ctx, TC_I64, SH(2), V(1, 2)), mk(ctx, TC_I64, SH(3), V(1, 2, 3))));
  assert_true(tc_equal(mk(ctx, TC_I64, SH(2, 2), V(1, 2, 3, 4)),
                       tc_t(tc_t(mk(ctx, TC_I64, SH(2, 2), V(1, 2, 3, 4))))));
  assert_false(tc_equal(mk(ctx, TC_I64, SH(2, 2), V(1, 2, 3, 4)),
                        tc_t(mk(ctx, TC_I64, SH(2, 2), V(1, 2, 3, 4)))));
  expect_no_error(ctx);
}

/* ---- read-back ------------------------------------------------------------------- */

TC_CASE(item_reads_the_single_element_of_any_one_element_tensor) {
  assert_true(tc_item(tc_scalar(ctx, 2.5, TC_F32)) == 2.5);
  assert_int_equal(tc_item_int(mk(ctx, TC_I64, SH(1, 1), V(7))), 7);
  assert_true(tc_item(tc_scalar(ctx, 1, TC_BOOL)) == 1.0);
  assert_true(tc_item(mk(ctx, TC_F16, SH(1), V(0.1))) == 0.0999755859375);
  int64_t big = INT64_C(9007199254740993); /* 2^53 + 1: exact only as an int64 */
  assert_true(tc_item_int(tc_from_data(ctx, &big, TC_I64, 0, NULL)) == big);
  /* the sum of a lazy expression is computed on demand */
  assert_int_equal(tc_item_int(tc_sum(tc_arange_int(ctx, 0, 101, 1), NULL, 0, false)), 5050);
  expect_no_error(ctx);
}

/* torch.tensor([1, 2]).item(): a Tensor with 2 elements cannot be converted to Scalar */
TC_CASE(item_of_a_tensor_with_several_elements_fails) {
  double v = tc_item(mk(ctx, TC_I64, SH(2), V(1, 2)));
  assert_true(isnan(v));
  assert_int_equal(tc_last_status(ctx), TC_ERR_ARG);
  assert_non_null(strstr(tc_last_error(ctx), "a Tensor with 2 elements cannot be converted to Scalar"));
  tc_clear_error(ctx);
  assert_int_equal(tc_item_int(tc_zeros(ctx, TC_I64, 1, (const int64_t[]){0})), 0);
  assert_non_null(strstr(tc_last_error(ctx), "a Tensor with 0 elements cannot be converted to Scalar"));
  tc_clear_error(ctx);
}

TC_CASE(copy_to_host_reads_a_non_contiguous_view_in_row_major_order) {
  tc_tensor *t = tc_t(mk(ctx, TC_I32, SH(2, 3), V(1, 2, 3, 4, 5, 6)));
  int32_t out[6];
  assert_int_equal(tc_copy_to_host(t, out, sizeof out), TC_OK);
  const int32_t want[6] = {1, 4, 2, 5, 3, 6};
  assert_memory_equal(out, want, sizeof want);
  assert_int_not_equal(tc_copy_to_host(t, out, sizeof out - 1), TC_OK);
  tc_clear_error(ctx);
}

static void read_f32(tc_tensor *t, float *out, size_t n) {
  assert_int_equal(tc_copy_to_host(t, out, n * sizeof(float)), TC_OK);
}

/* PyTorch's pow(tensor, scalar) takes six exponents by other ops (its
 * bits are theirs: x**3 is (x*x)*x, not pow's correctly rounded cube). */
TC_CASE(pow_by_two_three_and_halves_is_pytorchs_multiplies_and_roots) {
  enum { N = 4096 };
  static float out[N], want[N];
  const int64_t shape[] = {N};
  tc_manual_seed(ctx, 11);
  static const tc_dtype dts[] = {TC_F32, TC_F64, TC_BF16};
  for (size_t d = 0; d < sizeof dts / sizeof *dts; d++) {
    tc_tensor *x = tc_mul_scalar(tc_randn(ctx, dts[d], 1, shape), 3);
    tc_tensor *sq = tc_mul(x, x);
    tc_tensor *w[6] = {sq, tc_mul(sq, x), tc_reciprocal(sq), tc_sqrt(x), tc_rsqrt(x), tc_reciprocal(x)};
    static const double e[6] = {2, 3, -2, 0.5, -0.5, -1};
    for (int i = 0; i < 6; i++) {
      tc_tensor *got = tc_to_dtype(tc_binary_scalar(TC_OP_POW, x, e[i], e[i] != 2 && e[i] != 3, false), TC_F32);
      read_f32(got, out, N);
      read_f32(tc_to_dtype(w[i], TC_F32), want, N);
      for (int j = 0; j < N; j++)
        if (memcmp(&out[j], &want[j], sizeof(float)))
          fail_msg("dtype %d, x ** %g, element %d: %a, the ops give %a", (int)dts[d], e[i], j, out[j], want[j]);
    }
  }
  /* another exponent is pow's: 3.5 of 2 is exact */
  float v = 0;
  tc_tensor *two = tc_full(ctx, 2, TC_F32, 1, (const int64_t[]){1});
  read_f32(tc_binary_scalar(TC_OP_POW, two, 3.5, true, false), &v, 1);
  assert_true(fabsf(v - 11.3137085f) < 1e-5f);
}

/* ---- random numbers ------------------------------------------------------------- */

TC_CASE(manual_seed_makes_rand_and_randn_reproducible) {
  enum { N = 64 };
  float a[N], b[N], c[N], d[N];
  const int64_t shape[] = {N};
  tc_manual_seed(ctx, 1234);
  read_f32(tc_rand(ctx, TC_F32, 1, shape), a, N);
  read_f32(tc_randn(ctx, TC_F32, 1, shape), c, N);
  tc_manual_seed(ctx, 1234);
  read_f32(tc_rand(ctx, TC_F32, 1, shape), b, N);
  read_f32(tc_randn(ctx, TC_F32, 1, shape), d, N);
  assert_memory_equal(a, b, sizeof a);
  assert_memory_equal(c, d, sizeof c);
  /* the generator advances: a second draw differs from the first */
  read_f32(tc_rand(ctx, TC_F32, 1, shape), b, N);
  assert_true(memcmp(a, b, sizeof a) != 0);
  /* another seed gives other numbers */
  tc_manual_seed(ctx, 1235);
  read_f32(tc_rand(ctx, TC_F32, 1, shape), b, N);
  assert_true(memcmp(a, b, sizeof a) != 0);
}

TC_CASE(random_values_do_not_depend_on_realization_order_or_fusion) {
  enum { N = 1000 };
  static float x1[N], y1[N], x2[N], y2[N], s[N];
  const int64_t shape[] = {N};
  tc_manual_seed(ctx, 7);
  tc_tensor *x = tc_rand(ctx, TC_F32, 1, shape), *y = tc_randn(ctx, TC_F32, 1, shape);
  read_f32(y, y1, N); /* y first */
  read_f32(x, x1, N);
  tc_manual_seed(ctx, 7);
  x = tc_rand(ctx, TC_F32, 1, shape);
  y = tc_randn(ctx, TC_F32, 1, shape);
  read_f32(tc_add(x, tc_mul_scalar(y, 2)), s, N); /* fused into one kernel */
  read_f32(x, x2, N);
  read_f32(y, y2, N);
  assert_memory_equal(x1, x2, sizeof x1);
  assert_memory_equal(y1, y2, sizeof y1);
  for (int i = 0; i < N; i++) assert_true(s[i] == x1[i] + y1[i] * 2);
  /* an eager context gives the same numbers */
  tc_ctx *eager = tc_test_ctx_new(&(tc_ctx_options){.eager = 1});
  assert_non_null(eager);
  tc_manual_seed(eager, 7);
  tc_tensor *xe = tc_rand(eager, TC_F32, 1, shape);
  read_f32(xe, x2, N);
  assert_memory_equal(x1, x2, sizeof x1);
  tc_tensor_release(xe);
  tc_ctx_free(eager);
}

TC_CASE(rand_is_uniform_in_zero_one) {
  enum { N = 100000 };
  static float v[N];
  tc_manual_seed(ctx, 42);
  read_f32(tc_rand(ctx, TC_F32, 1, (const int64_t[]){N}), v, N);
  double sum = 0, sq = 0, lo = 1, hi = 0;
  int buckets[10] = {0};
  for (int i = 0; i < N; i++) {
    assert_true(v[i] >= 0.0f && v[i] < 1.0f);
    sum += v[i];
    sq += (double)v[i] * v[i];
    lo = v[i] < lo ? v[i] : lo;
    hi = v[i] > hi ? v[i] : hi;
    buckets[(int)(v[i] * 10)]++;
  }
  double mean = sum / N, var = sq / N - mean * mean;
  assert_true(fabs(mean - 0.5) < 0.01);
  assert_true(fabs(var - 1.0 / 12) < 0.005);
  assert_true(lo < 0.001 && hi > 0.999);
  for (int b = 0; b < 10; b++) assert_true(buckets[b] > 9000 && buckets[b] < 11000);
  /* other float dtypes stay in range too */
  tc_tensor *h = tc_rand(ctx, TC_F64, 1, (const int64_t[]){1000});
  assert_int_equal(tc_tensor_dtype(h), TC_F64);
  assert_true(tc_item(tc_amin(h, NULL, 0, false)) >= 0 && tc_item(tc_amax(h, NULL, 0, false)) < 1);
  assert_int_equal(tc_tensor_dtype(tc_rand(ctx, TC_BF16, 1, (const int64_t[]){4})), TC_BF16);
}

TC_CASE(randn_has_mean_zero_and_standard_deviation_one) {
  enum { N = 100000 };
  static float v[N];
  tc_manual_seed(ctx, 3);
  tc_tensor *t = tc_randn(ctx, TC_F32, 2, (const int64_t[]){100, 1000});
  read_f32(t, v, N);
  double sum = 0, sq = 0;
  int within1 = 0;
  for (int i = 0; i < N; i++) {
    assert_true(isfinite(v[i]));
    sum += v[i];
    sq += (double)v[i] * v[i];
    within1 += fabs(v[i]) < 1;
  }
  double mean = sum / N, sd = sqrt(sq / N - mean * mean);
  assert_true(fabs(mean) < 0.02);
  assert_true(fabs(sd - 1) < 0.02);
  assert_true(fabs(within1 / (double)N - 0.6827) < 0.01);
  /* the library's own mean/std agree */
  assert_true(fabs(tc_item(tc_mean(t, NULL, 0, false))) < 0.02);
  assert_true(fabs(tc_item(tc_std(t, NULL, 0, 1, false)) - 1) < 0.02);
}

TC_CASE(randint_draws_every_integer_in_low_inclusive_high_exclusive) {
  enum { N = 10000 };
  static int64_t v[N];
  tc_manual_seed(ctx, 9);
  tc_tensor *t = tc_randint(ctx, -5, 5, TC_I64, 1, (const int64_t[]){N});
  assert_int_equal(tc_tensor_dtype(t), TC_I64);
  assert_int_equal(tc_copy_to_host(t, v, sizeof v), TC_OK);
  int seen[10] = {0};
  for (int i = 0; i < N; i++) {
    assert_true(v[i] >= -5 && v[i] < 5);
    seen[v[i] + 5]++;
  }
  for (int k = 0; k < 10; k++) assert_true(seen[k] > 800 && seen[k] < 1200);
  tc_tensor *u = tc_randint(ctx, 0, 256, TC_U8, 1, (const int64_t[]){1000});
  assert_int_equal(tc_tensor_dtype(u), TC_U8);
  assert_true(tc_item(tc_amax(u, NULL, 0, false)) > 240);
  /* torch.randint(5, 5, (3,)) */
  expect_err(ctx, tc_randint(ctx, 5, 5, TC_I64, 1, (const int64_t[]){3}),
             "random_ expects 'from' to be less than 'to', but got from=5 >= to=5");
}

/* torch.rand(3, dtype=torch.int64): "check_uniform_bounds" not implemented for 'Long' */
TC_CASE(rand_and_randn_refuse_integer_dtypes_with_pytorchs_message) {
  expect_err(ctx, tc_rand(ctx, TC_I64, 1, (const int64_t[]){3}),
             "\"check_uniform_bounds\" not implemented for 'Long'");
  expect_err(ctx, tc_randn(ctx, TC_I64, 1, (const int64_t[]){3}),
             "\"normal_kernel_cpu\" not implemented for 'Long'");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      TC_TEST(arange_infers_int64_for_ints_and_counts_down_with_a_negative_step),
      TC_TEST(arange_with_a_float_step_gives_float32_values),
      TC_TEST(arange_rejects_a_zero_step_and_a_step_of_the_wrong_sign),
      TC_TEST(linspace_spaces_steps_values_evenly_including_both_ends),
      TC_TEST(linspace_gives_pytorchs_float32_bits),
      TC_TEST(eye_puts_ones_on_the_diagonal_of_any_dtype_and_shape),
      TC_TEST(full_converts_its_value_to_the_dtype_as_pytorch_does),
      TC_TEST(zeros_and_ones_have_the_requested_dtype_and_shape),
      TC_TEST(float_to_int_cast_truncates_toward_zero),
      TC_TEST(negative_float_to_uint8_wraps_like_pytorch),
      TC_TEST(nan_and_inf_cast_to_integers_as_pytorch_does_on_x86),
      TC_TEST(integer_narrowing_wraps_and_bool_cast_tests_nonzero),
      TC_TEST(float_casts_round_to_nearest_and_overflow_to_inf),
      TC_TEST(cast_to_the_same_dtype_shares_the_data),
      TC_TEST(isclose_handles_nan_inf_and_its_tolerances_like_pytorch),
      TC_TEST(isclose_works_on_integers_and_broadcasts),
      TC_TEST(equal_needs_the_same_shape_and_treats_nan_as_unequal),
      TC_TEST(item_reads_the_single_element_of_any_one_element_tensor),
      TC_TEST(item_of_a_tensor_with_several_elements_fails),
      TC_TEST(copy_to_host_reads_a_non_contiguous_view_in_row_major_order),
      TC_TEST(pow_by_two_three_and_halves_is_pytorchs_multiplies_and_roots),
      TC_TEST(manual_seed_makes_rand_and_randn_reproducible),
      TC_TEST(random_values_do_not_depend_on_realization_order_or_fusion),
      TC_TEST(rand_is_uniform_in_zero_one),
      TC_TEST(randn_has_mean_zero_and_standard_deviation_one),
      TC_TEST(randint_draws_every_integer_in_low_inclusive_high_exclusive),
      TC_TEST(rand_and_randn_refuse_integer_dtypes_with_pytorchs_message),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
