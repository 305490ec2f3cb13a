/*
 * test_seed.c — the examples of sections 1, 4, 5 and 8 of the seed document
 * (shared/seed/advanced_pytorch_topics.md), reproduced through the C API.
 * Shapes, dtypes, values and printed output are PyTorch's (2.x): every
 * expected repr string is what python3 printed for the same code. Where the
 * document's comments disagree with what PyTorch actually does (section 4:
 * float32 cannot tell 2.0000001 from 2.0), the tests follow PyTorch and say so.
 */
#include "tc_expect.h"

/* ---- 1) broadcasting ------------------------------------------------------ */

/* t = torch.tensor([1., 2., 3.]); (t + 10).shape == (3,) */
TC_CASE(python_int_plus_float_tensor_broadcasts_to_the_tensor_shape) {
  tc_tensor *t = mk(ctx, TC_F32, SH(3), V(1, 2, 3));
  tc_tensor *r = tc_add_scalar(t, 10);
  expect(r, TC_F32, SH(3), V(11, 12, 13));
  expect_repr(r, "tensor([11., 12., 13.])");
  /* the same through tc_binary_scalar, and with the scalar on the left */
  expect_repr(tc_binary_scalar(TC_OP_ADD, t, 10, false, true), "tensor([11., 12., 13.])");
  expect_repr(tc_binary_scalar(TC_OP_ADD, t, 10, true, false), "tensor([11., 12., 13.])");
  expect_no_error(ctx);
}

/* a = torch.rand(3,1); b = torch.rand(3,4); (a + b).shape == (3, 4) */
TC_CASE(column_3x1_plus_3x4_broadcasts_to_3x4) {
  tc_manual_seed(ctx, 0);
  tc_tensor *a = tc_rand(ctx, TC_F32, 2, (const int64_t[]){3, 1});
  tc_tensor *b = tc_rand(ctx, TC_F32, 2, (const int64_t[]){3, 4});
  tc_tensor *r = tc_add(a, b);
  assert_non_null(r);
  assert_int_equal(tc_tensor_ndim(r), 2);
  assert_int_equal(tc_tensor_size(r, 0), 3);
  assert_int_equal(tc_tensor_size(r, 1), 4);
  assert_int_equal(tc_tensor_dtype(r), TC_F32);
  /* 1 -> 4 along the last dim: r[i][j] == a[i][0] + b[i][j] */
  float av[3], bv[12], rv[12];
  assert_int_equal(tc_copy_to_host(a, av, sizeof av), TC_OK);
  assert_int_equal(tc_copy_to_host(b, bv, sizeof bv), TC_OK);
  assert_int_equal(tc_copy_to_host(r, rv, sizeof rv), TC_OK);
  for (int i = 0; i < 3; i++)
    for (int j = 0; j < 4; j++) assert_true(rv[i * 4 + j] == av[i] + bv[i * 4 + j]);
  expect_no_error(ctx);
}

TC_CASE(column_3x1_plus_3x4_adds_the_column_to_every_row_element) {
  tc_tensor *a = mk(ctx, TC_F32, SH(3, 1), V(10, 20, 30));
  tc_tensor *b = mk(ctx, TC_F32, SH(3, 4), V(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11));
  expect_repr(tc_add(a, b), "tensor([[10., 11., 12., 13.],\n"
                            "        [24., 25., 26., 27.],\n"
                            "        [38., 39., 40., 41.]])");
  expect_repr(tc_add(b, a), "tensor([[10., 11., 12., 13.],\n"
                            "        [24., 25., 26., 27.],\n"
                            "        [38., 39., 40., 41.]])");
}

/* missing leading dims count as 1: (2,1,4) + (3,1) -> (2,3,4) */
TC_CASE(missing_leading_dims_are_treated_as_size_1) {
  tc_tensor *x = tc_reshape(tc_arange(ctx, 0, 8, 1, TC_F32), 3, (const int64_t[]){2, 1, 4});
  tc_tensor *y = mk(ctx, TC_F32, SH(3, 1), V(100, 200, 300));
  tc_tensor *r = tc_add(x, y);
  expect_repr(r, "tensor([[[100., 101., 102., 103.],\n"
                 "         [200., 201., 202., 203.],\n"
                 "         [300., 301., 302., 303.]],\n"
                 "\n"
                 "        [[104., 105., 106., 107.],\n"
                 "         [204., 205., 206., 207.],\n"
                 "         [304., 305., 306., 307.]]])");
  assert_int_equal(tc_tensor_ndim(r), 3);
  assert_int_equal(tc_tensor_size(r, 1), 3);
  /* torch.tensor([1., 2., 3.]) + torch.tensor([[10.], [20.]]) */
  expect_repr(tc_add(mk(ctx, TC_F32, SH(3), V(1, 2, 3)), mk(ctx, TC_F32, SH(2, 1), V(10, 20))),
              "tensor([[11., 12., 13.],\n"
              "        [21., 22., 23.]])");
}

/* x = torch.rand(2,3); y = torch.rand(3,2); x + y raises
 * RuntimeError: The size of tensor a (3) must match the size of tensor b (2)
 * at non-singleton dimension 1 */
TC_CASE(trailing_mismatch_2x3_plus_3x2_fails_with_pytorchs_message) {
  tc_tensor *x = tc_rand(ctx, TC_F32, 2, (const int64_t[]){2, 3});
  tc_tensor *y = tc_rand(ctx, TC_F32, 2, (const int64_t[]){3, 2});
  tc_tensor *r = tc_add(x, y);
  assert_null(r);
  assert_int_equal(tc_last_status(ctx), TC_ERR_ARG);
  const char *e = tc_last_error(ctx);
  assert_true(strncmp(e, "tc_add: ", 8) == 0);
  /* PyTorch compares from the last dim, so dim 1 is the one it names */
  expect_err(ctx, r, "size of tensor a (3) must match the size of tensor b (2) at "
                     "non-singleton dimension 1");
  assert_int_equal(tc_last_status(ctx), TC_OK);
  assert_string_equal(tc_last_error(ctx), "");
  /* the other order names the other sizes */
  expect_err(ctx, tc_add(y, x),
             "size of tensor a (2) must match the size of tensor b (3) at non-singleton "
             "dimension 1");
}

TC_CASE(a_failed_broadcast_passes_null_through_a_whole_expression) {
  tc_tensor *x = tc_zeros(ctx, TC_F32, 2, (const int64_t[]){2, 3});
  tc_tensor *y = tc_zeros(ctx, TC_F32, 2, (const int64_t[]){3, 2});
  tc_tensor *r = tc_relu(tc_mul_scalar(tc_add(x, y), 2));
  assert_null(r);
  /* the first error stays: the NULL operands add no message of their own */
  expect_err(ctx, r, "tc_add: ");
  /* every elementwise op checks the rule, not only add */
  expect_err(ctx, tc_mul(x, y), "tc_mul: ");
  expect_err(ctx, tc_eq(x, y), "at non-singleton dimension 1");
  expect_err(ctx, tc_where(tc_zeros(ctx, TC_BOOL, 1, (const int64_t[]){4}), x, x),
             "at non-singleton dimension 1");
}

/* .expand() returns a view: no copy, stride 0 along the expanded dim */
TC_CASE(expand_intentionally_broadcasts_as_a_view) {
  tc_tensor *a = mk(ctx, TC_F32, SH(3, 1), V(1, 2, 3));
  tc_tensor *e = tc_expand(a, 2, (const int64_t[]){3, 4});
  expect_layout(e, SH(3, 4), SH(1, 0), 0, false);
  expect_repr(e, "tensor([[1., 1., 1., 1.],\n"
                 "        [2., 2., 2., 2.],\n"
                 "        [3., 3., 3., 3.]])");
  /* -1 keeps a size; a non-singleton dim cannot be expanded */
  expect_layout(tc_expand(a, 3, (const int64_t[]){2, -1, 4}), SH(2, 3, 4), SH(0, 1, 0), 0, false);
  expect_err(ctx, tc_expand(a, 2, (const int64_t[]){4, 4}),
             "The expanded size of the tensor (4) must match the existing size (3) at "
             "non-singleton dimension 0.  Target sizes: [4, 4].  Tensor sizes: [3, 1]");
  /* the view shares memory: a write to the base shows through it */
  assert_int_equal(tc_fill_(tc_select(a, 0, 1), 7), TC_OK);
  expect_repr(e, "tensor([[1., 1., 1., 1.],\n"
                 "        [7., 7., 7., 7.],\n"
                 "        [3., 3., 3., 3.]])");
}

/* ---- 4) comparisons: ==, torch.equal, torch.allclose ---------------------- */

/* a = torch.tensor([1., 2., 3.]); b = torch.tensor([1., 2.0000001, 3.])
 * The document expects a == b to be [True, False, True] and equal() False,
 * but 2.0000001 rounds to 2.0 in float32: PyTorch prints
 * tensor([True, True, True]), True, True. */
TC_CASE(float32_cannot_tell_2_0000001_from_2_so_everything_compares_equal) {
  tc_tensor *a = tc_from_data(ctx, (const float[]){1.f, 2.f, 3.f}, TC_F32, 1, (const int64_t[]){3});
  tc_tensor *b = tc_from_data(ctx, (const float[]){1.f, (float)2.0000001, 3.f}, TC_F32, 1,
                              (const int64_t[]){3});
  assert_true((float)2.0000001 == 2.0f);
  tc_tensor *eq = tc_eq(a, b);
  expect(eq, TC_BOOL, SH(3), V(1, 1, 1));
  expect_repr(eq, "tensor([True, True, True])");
  assert_true(tc_equal(a, b));
  assert_true(tc_allclose(a, b, TC_DEFAULT_RTOL, TC_DEFAULT_ATOL, false));
  expect_repr(tc_isclose(a, b, TC_DEFAULT_RTOL, TC_DEFAULT_ATOL, false),
              "tensor([True, True, True])");
  expect_repr(b, "tensor([1., 2., 3.])");
  assert_true(tc_item(tc_select(b, 0, 1)) == 2.0);
  expect_no_error(ctx);
}

/* the document's intent holds in float64: 2.0000001 is a different value */
TC_CASE(float64_elementwise_eq_is_false_where_values_differ_slightly) {
  tc_tensor *a = mk(ctx, TC_F64, SH(3), V(1., 2., 3.));
  tc_tensor *b = mk(ctx, TC_F64, SH(3), V(1., 2.0000001, 3.));
  tc_tensor *eq = tc_eq(a, b);
  expect(eq, TC_BOOL, SH(3), V(1, 0, 1));
  expect_repr(eq, "tensor([ True, False,  True])");
  expect_repr(b, "tensor([1.0000, 2.0000, 3.0000], dtype=torch.float64)");
  assert_true(tc_item(tc_select(b, 0, 1)) == 2.0000001);
}

TC_CASE(equal_is_false_for_float64_values_that_differ_slightly) {
  tc_tensor *a = mk(ctx, TC_F64, SH(3), V(1., 2., 3.));
  tc_tensor *b = mk(ctx, TC_F64, SH(3), V(1., 2.0000001, 3.));
  assert_false(tc_equal(a, b));
  assert_true(tc_equal(a, a));
  assert_true(tc_equal(b, tc_clone(b)));
  expect_no_error(ctx);
}

TC_CASE(allclose_is_true_for_float64_values_within_tolerance) {
  tc_tensor *a = mk(ctx, TC_F64, SH(3), V(1., 2., 3.));
  tc_tensor *b = mk(ctx, TC_F64, SH(3), V(1., 2.0000001, 3.));
  assert_true(tc_allclose(a, b, TC_DEFAULT_RTOL, TC_DEFAULT_ATOL, false));
  expect_repr(tc_isclose(a, b, TC_DEFAULT_RTOL, TC_DEFAULT_ATOL, false),
              "tensor([True, True, True])");
  /* with no tolerance at all only exact values are close */
  assert_false(tc_allclose(a, b, 0, 0, false));
  expect_repr(tc_isclose(a, b, 0, 0, false), "tensor([ True, False,  True])");
  expect_no_error(ctx);
}

/* torch.equal wants the same shape; == broadcasts instead */
TC_CASE(equal_is_false_for_different_shapes_while_eq_broadcasts) {
  tc_tensor *a = mk(ctx, TC_F32, SH(3), V(1, 2, 3));
  tc_tensor *b = mk(ctx, TC_F32, SH(1, 3), V(1, 2, 3));
  assert_false(tc_equal(a, b));
  expect_repr(tc_eq(a, b), "tensor([[True, True, True]])");
  /* torch.equal(torch.tensor([1]), torch.tensor([1.])) is True */
  assert_true(tc_equal(mk(ctx, TC_I64, SH(1), V(1)), mk(ctx, TC_F32, SH(1), V(1))));
  expect_no_error(ctx);
}

/* ---- 5) dtypes -------------------------------------------------------------- */

/* a = np.arange(3, dtype=np.int64); t = torch.from_numpy(a) */
TC_CASE(int64_data_keeps_dtype_int64) {
  tc_tensor *t = tc_from_data(ctx, (const int64_t[]){0, 1, 2}, TC_I64, 1, (const int64_t[]){3});
  assert_int_equal(tc_tensor_dtype(t), TC_I64);
  assert_string_equal(tc_dtype_name(tc_tensor_dtype(t)), "int64"); /* torch.int64 */
  expect_repr(t, "tensor([0, 1, 2])");
  /* torch.arange(3) infers the same dtype */
  tc_tensor *r = tc_arange_int(ctx, 0, 3, 1);
  assert_int_equal(tc_tensor_dtype(r), TC_I64);
  assert_true(tc_equal(r, t));
}

/* print(t.float().mean()) -> tensor(1.) */
TC_CASE(float_then_mean_of_int64_prints_tensor_1) {
  tc_tensor *t = tc_from_data(ctx, (const int64_t[]){0, 1, 2}, TC_I64, 1, (const int64_t[]){3});
  tc_tensor *f = tc_to_dtype(t, TC_F32);
  expect_repr(f, "tensor([0., 1., 2.])");
  tc_tensor *m = tc_mean(f, NULL, 0, false);
  assert_int_equal(tc_tensor_dtype(m), TC_F32);
  assert_int_equal(tc_tensor_ndim(m), 0);
  expect_repr(m, "tensor(1.)");
  assert_true(tc_item(m) == 1.0);
  /* the source is unchanged */
  expect_repr(t, "tensor([0, 1, 2])");
}

/* t.mean() on int64: RuntimeError: mean(): could not infer output dtype.
 * Input dtype must be either a floating point or complex dtype. Got: Long */
TC_CASE(mean_of_an_int64_tensor_fails_with_pytorchs_message) {
  tc_tensor *t = tc_from_data(ctx, (const int64_t[]){0, 1, 2}, TC_I64, 1, (const int64_t[]){3});
  expect_err(ctx, tc_mean(t, NULL, 0, false),
             "mean(): could not infer output dtype. Input dtype must be either a floating "
             "point or complex dtype. Got: Long");
  expect_err(ctx, tc_mean(tc_to_dtype(t, TC_I32), NULL, 0, false), "Got: Int");
  expect_err(ctx, tc_mean(tc_to_dtype(t, TC_BOOL), NULL, 0, false), "Got: Bool");
}

/* NumPy float64 -> torch.float64; its mean stays float64 */
TC_CASE(float64_data_keeps_dtype_float64_through_mean) {
  tc_tensor *t = tc_from_data(ctx, (const double[]){0, 1, 2}, TC_F64, 1, (const int64_t[]){3});
  expect_repr(t, "tensor([0., 1., 2.], dtype=torch.float64)");
  tc_tensor *m = tc_mean(t, NULL, 0, false);
  assert_int_equal(tc_tensor_dtype(m), TC_F64);
  expect_repr(m, "tensor(1., dtype=torch.float64)");
}

/* "PyTorch ops often default to float32": int64 * 0.5 and int64 / 2 */
TC_CASE(int64_tensor_times_python_float_defaults_to_float32) {
  tc_tensor *t = tc_arange_int(ctx, 0, 3, 1);
  tc_tensor *h = tc_mul_scalar(t, 0.5);
  assert_int_equal(tc_tensor_dtype(h), TC_F32);
  expect_repr(h, "tensor([0.0000, 0.5000, 1.0000])");
  tc_tensor *d = tc_binary_scalar(TC_OP_DIV, t, 2, false, false);
  assert_int_equal(tc_tensor_dtype(d), TC_F32);
  expect_repr(d, "tensor([0.0000, 0.5000, 1.0000])");
  /* an int literal keeps int64 */
  expect_repr(tc_mul_scalar(t, 2), "tensor([0, 2, 4])");
  expect_repr(tc_mean(tc_to_dtype(t, TC_F32), (const int[]){0}, 1, true), "tensor([1.])");
}

/* ---- 8) argmax / argmin: flat index to coordinates --------------------------- */

static tc_tensor *seed_res(tc_ctx *ctx) {
  /* res = torch.tensor([[1,9,3],[4,6,2]]) */
  return tc_from_data(ctx, (const int64_t[]){1, 9, 3, 4, 6, 2}, TC_I64, 2,
                      (const int64_t[]){2, 3});
}

/* flat_idx = res.argmax() -> tensor(1) */
TC_CASE(argmax_without_dim_returns_the_flat_index_as_a_0d_int64) {
  tc_tensor *res = seed_res(ctx);
  tc_tensor *flat = tc_argmax(res, false, 0, false);
  assert_int_equal(tc_tensor_dtype(flat), TC_I64);
  assert_int_equal(tc_tensor_ndim(flat), 0);
  expect_repr(flat, "tensor(1)");
  assert_int_equal(tc_item_int(flat), 1);
  expect_repr(tc_argmin(res, false, 0, false), "tensor(0)");
}

/* row, col = divmod(flat_idx.item(), res.shape[1]); print(row, col) -> 0 1 */
TC_CASE(divmod_of_the_flat_argmax_by_the_row_length_gives_row_0_col_1) {
  tc_tensor *res = seed_res(ctx);
  int64_t flat = tc_item_int(tc_argmax(res, false, 0, false));
  int64_t cols = tc_tensor_size(res, 1);
  assert_int_equal(cols, 3);
  char line[32];
  snprintf(line, sizeof line, "%lld %lld", (long long)(flat / cols), (long long)(flat % cols));
  assert_string_equal(line, "0 1");
  assert_int_equal(tc_item(tc_amax(res, NULL, 0, false)), 9);
  expect_no_error(ctx);
}

/* coords = torch.unravel_index(flat_idx, res.shape) -> (tensor(0), tensor(1)) */
TC_CASE(unravel_index_turns_the_flat_argmax_into_coordinates) {
  tc_tensor *res = seed_res(ctx);
  tc_tensor *flat = tc_argmax(res, false, 0, false);
  int64_t shape[TC_MAX_DIMS];
  int nd = tc_tensor_shape(res, shape);
  tc_tensor *coords[2] = {NULL, NULL};
  assert_int_equal(tc_unravel_index(flat, nd, shape, coords), TC_OK);
  expect_repr(coords[0], "tensor(0)");
  expect_repr(coords[1], "tensor(1)");
  assert_int_equal(tc_tensor_dtype(coords[0]), TC_I64);
  assert_int_equal(tc_tensor_ndim(coords[1]), 0);
  /* the coordinates index the maximum */
  tc_tensor *v = tc_select(tc_select(res, 0, tc_item_int(coords[0])), 0, tc_item_int(coords[1]));
  assert_int_equal(tc_item_int(v), 9);
}

/* torch.unravel_index(torch.tensor([1, 5, 3]), (2, 3))
 * -> (tensor([0, 1, 1]), tensor([1, 2, 0])) */
TC_CASE(unravel_index_of_several_indices_returns_one_tensor_per_dim) {
  tc_tensor *idx = tc_from_data(ctx, (const int64_t[]){1, 5, 3}, TC_I64, 1, (const int64_t[]){3});
  tc_tensor *c[2];
  assert_int_equal(tc_unravel_index(idx, 2, (const int64_t[]){2, 3}, c), TC_OK);
  expect_repr(c[0], "tensor([0, 1, 1])");
  expect_repr(c[1], "tensor([1, 2, 0])");
  /* a float index is refused */
  tc_tensor *bad[1];
  assert_int_not_equal(tc_unravel_index(tc_to_dtype(idx, TC_F32), 1, (const int64_t[]){6}, bad),
                       TC_OK);
  tc_clear_error(ctx);
}

/* res.argmax(dim=1) -> tensor([1, 1]); res.argmax(dim=0) -> tensor([1, 0, 0]);
 * res.argmin(dim=1, keepdim=True) -> tensor([[0], [2]]) */
TC_CASE(argmax_along_a_dim_returns_one_index_per_row_or_column) {
  tc_tensor *res = seed_res(ctx);
  expect_repr(tc_argmax(res, true, 1, false), "tensor([1, 1])");
  expect_repr(tc_argmax(res, true, 0, false), "tensor([1, 0, 0])");
  expect_repr(tc_argmin(res, true, 1, true), "tensor([[0],\n        [2]])");
  expect_repr(tc_argmax(res, true, -1, false), "tensor([1, 1])");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      TC_TEST(python_int_plus_float_tensor_broadcasts_to_the_tensor_shape),
      TC_TEST(column_3x1_plus_3x4_broadcasts_to_3x4),
      TC_TEST(column_3x1_plus_3x4_adds_the_column_to_every_row_element),
      TC_TEST(missing_leading_dims_are_treated_as_size_1),
      TC_TEST(trailing_mismatch_2x3_plus_3x2_fails_with_pytorchs_message),
      TC_TEST(a_failed_broadcast_passes_null_through_a_whole_expression),
      TC_TEST(expand_intentionally_broadcasts_as_a_view),
      TC_TEST(float32_cannot_tell_2_0000001_from_2_so_everything_compares_equal),
      TC_TEST(float64_elementwise_eq_is_false_where_values_differ_slightly),
      TC_TEST(equal_is_false_for_float64_values_that_differ_slightly),
      TC_TEST(allclose_is_true_for_float64_values_within_tolerance),
      TC_TEST(equal_is_false_for_different_shapes_while_eq_broadcasts),
      TC_TEST(int64_data_keeps_dtype_int64),
      TC_TEST(float_then_mean_of_int64_prints_tensor_1),
      TC_TEST(mean_of_an_int64_tensor_fails_with_pytorchs_message),
      TC_TEST(float64_data_keeps_dtype_float64_through_mean),
      TC_TEST(int64_tensor_times_python_float_defaults_to_float32),
      TC_TEST(argmax_without_dim_returns_the_flat_index_as_a_0d_int64),
      TC_TEST(divmod_of_the_flat_argmax_by_the_row_length_gives_row_0_col_1),
      TC_TEST(unravel_index_turns_the_flat_argmax_into_coordinates),
      TC_TEST(unravel_index_of_several_indices_returns_one_tensor_per_dim),
      TC_TEST(argmax_along_a_dim_returns_one_index_per_row_or_column),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
