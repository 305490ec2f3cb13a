/*
 * test_scatter.c — writes at data-dependent positions against PyTorch 2.x:
 * scatter_ (tensor and value), scatter_add_, scatter_reduce_ (sum, prod,
 * mean, amax, amin, with and without include_self, float and integer),
 * index_add_ (alpha), index_copy_, index_fill_, put_ (accumulate, negative
 * positions, a transposed destination), their errors, and the kernel count
 * of one write. Run on the CPU and with every tensor on cuda:0
 * (test_scatter_cuda).
 */
#include "tc_expect.h"

static tc_tensor *Z(tc_ctx *ctx) { return tc_zeros(ctx, TC_F32, 2, (const int64_t[]){3, 4}); }
static tc_tensor *S(tc_ctx *ctx) {
  return tc_reshape(tc_arange(ctx, 0, 12, 1, TC_F32), 2, (const int64_t[]){3, 4});
}
static tc_tensor *I2(tc_ctx *ctx, const int64_t *v, int64_t r, int64_t c) {
  return tc_from_data(ctx, v, TC_I64, 2, (const int64_t[]){r, c});
}
static tc_tensor *I1(tc_ctx *ctx, const int64_t *v, int64_t n) { return tc_from_data(ctx, v, TC_I64, 1, &n); }

TC_CASE(scatter_and_scatter_add_write_where_index_says) {
  tc_tensor *a = Z(ctx), *ix = I2(ctx, (const int64_t[]){0, 1, 2, 3}, 2, 2);
  assert_int_equal(tc_scatter_(a, 1, ix, S(ctx)), TC_OK);
  expect(a, TC_F32, SH(3, 4), V(0, 1, 0, 0, 0, 0, 4, 5, 0, 0, 0, 0));
  tc_tensor *b = Z(ctx);
  assert_int_equal(tc_scatter_value_(b, 1, ix, 5), TC_OK);
  expect(b, TC_F32, SH(3, 4), V(5, 5, 0, 0, 0, 0, 5, 5, 0, 0, 0, 0));
  tc_tensor *c = Z(ctx);
  assert_int_equal(tc_scatter_add_(c, 1, I2(ctx, (const int64_t[]){0, 0, 2, 2}, 2, 2), S(ctx)), TC_OK);
  expect(c, TC_F32, SH(3, 4), V(1, 0, 0, 0, 0, 0, 9, 0, 0, 0, 0, 0));
  /* int32 indices */
  tc_tensor *d = Z(ctx);
  assert_int_equal(tc_scatter_(d, 1, tc_to_dtype(I2(ctx, (const int64_t[]){0, 1}, 1, 2), TC_I32), S(ctx)), TC_OK);
  expect(d, TC_F32, SH(3, 4), V(0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0));
  expect_status_err(ctx, tc_scatter_(Z(ctx), 1, I1(ctx, (const int64_t[]){0, 1}, 2), S(ctx)),
                    "Index tensor must have the same number of dimensions as self tensor");
  expect_status_err(ctx, tc_scatter_(Z(ctx), 1, I2(ctx, (const int64_t[]){0, 1, 2, 3, 0}, 1, 5), S(ctx)),
                    "Expected index [1, 5] to be no larger than self [3, 4] apart from dimension 1 and to be no "
                    "larger size than src [3, 4]");
  tc_tensor *z = Z(ctx);
  expect_status_err(ctx, tc_test_wrote(z, tc_scatter_(z, 1, I2(ctx, (const int64_t[]){0, 4}, 1, 2), S(ctx))),
                    "index 4 is out of bounds for dimension 1 with size 4");
  expect_status_err(ctx, tc_scatter_(Z(ctx), 1, I2(ctx, (const int64_t[]){0, 1}, 1, 2), tc_to_dtype(S(ctx), TC_F64)),
                    "scatter(): Expected self.dtype to be equal to src.dtype");
}

TC_CASE(scatter_reduce_combines_as_pytorch_with_and_without_self) {
  tc_tensor *ix = I2(ctx, (const int64_t[]){0, 0, 1, 1}, 2, 2);
  static const struct {
    const char *r;
    bool self;
    double want[12];
  } cs[] = {
      {"prod", true, {0, 1, 2, 3, 4, 100, 6, 7, 8, 9, 10, 11}},
      {"prod", false, {0, 1, 2, 3, 4, 20, 6, 7, 8, 9, 10, 11}},
      {"mean", true, {0.3333333432674408, 1, 2, 3, 4, 4.666666507720947, 6, 7, 8, 9, 10, 11}},
      {"mean", false, {0.5, 1, 2, 3, 4, 4.5, 6, 7, 8, 9, 10, 11}},
      {"amax", false, {1, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}},
      {"sum", true, {1, 1, 2, 3, 4, 14, 6, 7, 8, 9, 10, 11}},
  };
  for (size_t i = 0; i < sizeof cs / sizeof *cs; i++) {
    tc_tensor *a = S(ctx);
    assert_int_equal(tc_scatter_reduce_(a, 1, ix, S(ctx), cs[i].r, cs[i].self), TC_OK);
    expect(a, TC_F32, SH(3, 4), cs[i].want, 12);
  }
  tc_tensor *m = S(ctx);
  assert_int_equal(tc_scatter_reduce_(m, 1, ix, tc_neg(S(ctx)), "amin", true), TC_OK);
  expect(m, TC_F32, SH(3, 4), V(-1, 1, 2, 3, 4, -5, 6, 7, 8, 9, 10, 11));
  tc_tensor *l = tc_to_dtype(S(ctx), TC_I64);
  assert_int_equal(tc_scatter_reduce_(l, 1, ix, tc_to_dtype(S(ctx), TC_I64), "mean", true), TC_OK);
  expect_i64(l, SH(3, 4), I64(0, 1, 2, 3, 4, 4, 6, 7, 8, 9, 10, 11));
  tc_tensor *li = tc_to_dtype(S(ctx), TC_I64);
  assert_int_equal(tc_scatter_reduce_(li, 1, ix, tc_to_dtype(tc_neg(S(ctx)), TC_I64), "amin", false), TC_OK);
  expect_i64(li, SH(3, 4), I64(-1, 1, 2, 3, 4, -5, 6, 7, 8, 9, 10, 11));
  /* "max" and "min" are amax and amin under PyTorch's other names */
  tc_tensor *mx = S(ctx), *mn = S(ctx);
  assert_int_equal(tc_scatter_reduce_(mx, 1, ix, tc_neg(S(ctx)), "max", false), TC_OK);
  assert_int_equal(tc_scatter_reduce_(mn, 1, ix, tc_neg(S(ctx)), "min", true), TC_OK);
  expect(mx, TC_F32, SH(3, 4), V(-0.0, 1, 2, 3, 4, -4, 6, 7, 8, 9, 10, 11));
  expect(mn, TC_F32, SH(3, 4), V(-1, 1, 2, 3, 4, -5, 6, 7, 8, 9, 10, 11));
  expect_status_err(ctx, tc_scatter_reduce_(S(ctx), 1, ix, S(ctx), "foo", true),
                    "reduce argument must be either sum, prod, mean, amax or amin, got foo");
}

TC_CASE(index_add_copy_and_fill_write_whole_slices) {
  tc_tensor *a = Z(ctx), *s3 = tc_narrow(S(ctx), 1, 0, 3);
  assert_int_equal(tc_index_add_(a, 1, I1(ctx, (const int64_t[]){0, 2, 0}, 3), s3, 2), TC_OK);
  expect(a, TC_F32, SH(3, 4), V(4, 0, 2, 0, 20, 0, 10, 0, 36, 0, 18, 0));
  tc_tensor *b = Z(ctx);
  assert_int_equal(tc_index_fill_(b, 1, I1(ctx, (const int64_t[]){0, 2}, 2), -1), TC_OK);
  expect(b, TC_F32, SH(3, 4), V(-1, 0, -1, 0, -1, 0, -1, 0, -1, 0, -1, 0));
  tc_tensor *c = Z(ctx);
  assert_int_equal(tc_index_copy_(c, 0, I1(ctx, (const int64_t[]){2, 0}, 2), tc_narrow(S(ctx), 0, 0, 2)), TC_OK);
  expect(c, TC_F32, SH(3, 4), V(4, 5, 6, 7, 0, 0, 0, 0, 0, 1, 2, 3));
  expect_status_err(ctx, tc_index_add_(Z(ctx), 1, I1(ctx, (const int64_t[]){0, 2}, 2), s3, 1),
                    "index_add_(): Number of indices (2) should be equal to source.size(dim): (3), for dim: 1");
  /* the other dims: index_add_ and index_copy_ say it in their own words */
  expect_status_err(ctx, tc_index_add_(Z(ctx), 0, I1(ctx, (const int64_t[]){0}, 1), tc_ones(ctx, TC_F32, 2, (const int64_t[]){1, 2}), 1),
                    "source tensor shape must match self tensor shape, excluding the specified dimension. "
                    "Got self.shape = [3, 4] source.shape = [1, 2]");
  expect_status_err(ctx, tc_index_copy_(Z(ctx), 0, I1(ctx, (const int64_t[]){0}, 1), tc_ones(ctx, TC_F32, 2, (const int64_t[]){1, 2})),
                    "index_copy_(): Source/destination tensor must have same slice shapes. "
                    "Destination slice shape: 4 at dimension 0 and source slice shape: 2 at dimension 0.");
  tc_status st = tc_index_copy_(Z(ctx), 0, I1(ctx, (const int64_t[]){0, 1}, 2), tc_ones(ctx, TC_F32, 2, (const int64_t[]){1, 4}));
  assert_int_equal(tc_last_error_kind(ctx), TC_KIND_INDEX); /* PyTorch's IndexError */
  expect_status_err(ctx, st, "index_copy_(): Number of indices (2) should be equal to source.size(dim) (1)");
  expect_status_err(ctx, tc_index_copy_(Z(ctx), 0, I1(ctx, (const int64_t[]){0}, 1), tc_ones(ctx, TC_F32, 3, (const int64_t[]){1, 4, 1})),
                    "index_copy_(): When source and destination are not scalars, their dimensionality must match. "
                    "Source dimensionality (3), destination dimensionality (2)");
  expect_status_err(ctx, tc_index_add_(Z(ctx), 1, I1(ctx, (const int64_t[]){0, 2, 1}, 3), tc_to_dtype(s3, TC_F64), 1),
                    "index_add_(): self (Float) and source (Double) must have the same scalar type");
  tc_tensor *z = Z(ctx);
  expect_status_err(ctx, tc_test_wrote(z, tc_index_fill_(z, 1, I1(ctx, (const int64_t[]){4}, 1), -1)),
                    "index 4 is out of bounds for dimension 1 with size 4");
}

TC_CASE(put_writes_row_major_positions_of_any_layout) {
  tc_tensor *v = tc_from_data(ctx, (const float[]){1, 2, 3}, TC_F32, 1, (const int64_t[]){3});
  tc_tensor *a = Z(ctx);
  assert_int_equal(tc_put_(a, I1(ctx, (const int64_t[]){0, -1, 5}, 3), v, false), TC_OK);
  expect(a, TC_F32, SH(3, 4), V(1, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 2));
  tc_tensor *b = Z(ctx);
  assert_int_equal(tc_put_(b, I1(ctx, (const int64_t[]){0, 0, 5}, 3), v, true), TC_OK);
  expect(b, TC_F32, SH(3, 4), V(3, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0));
  tc_tensor *c = Z(ctx), *ct = tc_t(c);
  assert_int_equal(tc_put_(ct, I1(ctx, (const int64_t[]){1}, 1), tc_narrow(v, 0, 0, 1), false), TC_OK);
  expect(c, TC_F32, SH(3, 4), V(0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0));
  expect_status_err(ctx, tc_put_(Z(ctx), I1(ctx, (const int64_t[]){0, 1}, 2), v, false),
                    "put_(): Expected source and index to have the same number of elements, but got source.numel() "
                    "= 3, index.numel() = 2");
  tc_tensor *z = Z(ctx);
  expect_status_err(ctx, tc_test_wrote(z, tc_put_(z, I1(ctx, (const int64_t[]){12}, 1), tc_narrow(v, 0, 0, 1), false)),
                    "out of range: tried to access index 12 on a tensor of 12 elements.");
}

TC_CASE(masks_of_another_dtype_are_named_in_pytorchs_words) {
  /* masked_scatter_ names the dtype as ScalarType, masked_fill_ as C++ */
  tc_tensor *m8 = tc_from_data(ctx, (const uint8_t[]){1, 0, 1, 0}, TC_U8, 1, (const int64_t[]){4});
  expect_status_err(ctx, tc_masked_scatter_(Z(ctx), m8, tc_ones(ctx, TC_F32, 1, (const int64_t[]){12})),
                    "masked_scatter_ only supports boolean masks, but got mask with dtype Byte");
  expect_err(ctx, tc_masked_fill(Z(ctx), m8, 1), "masked_fill_ only supports boolean masks, but got mask with dtype unsigned char");
  expect_status_err(ctx, tc_masked_fill_(Z(ctx), tc_to_dtype(m8, TC_I64), 1),
                    "masked_fill_ only supports boolean masks, but got mask with dtype long int");
}

TC_CASE(a_scatter_add_of_many_positions_is_one_write_kernel) {
  /* 100000 values into 1000 bins: one check, one scatter kernel */
  int64_t n = 100000;
  tc_tensor *bins = tc_zeros(ctx, TC_F32, 1, (const int64_t[]){1000});
  tc_tensor *idx = tc_remainder(tc_arange_int(ctx, 0, n * 7, 7), tc_scalar(ctx, 1000, TC_I64));
  tc_tensor *ones = tc_ones(ctx, TC_F32, 1, &n);
  assert_int_equal(tc_realize_many((tc_tensor *[]){bins, idx, ones}, 3), TC_OK);
  tc_reset_stats(ctx);
  assert_int_equal(tc_scatter_add_(bins, 0, idx, ones), TC_OK);
  assert_int_equal(tc_realize(bins), TC_OK);
  assert_int_equal(tc_get_stats(ctx).kernels_launched, 2);
  expect(tc_sum(bins, NULL, 0, false), TC_F32, SH0, V(100000));
  expect(tc_narrow(bins, 0, 0, 3), TC_F32, SH(3), V(100, 100, 100));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      TC_TEST(scatter_and_scatter_add_write_where_index_says),
      TC_TEST(scatter_reduce_combines_as_pytorch_with_and_without_self),
      TC_TEST(index_add_copy_and_fill_write_whole_slices),
      TC_TEST(put_writes_row_major_positions_of_any_layout),
      TC_TEST(masks_of_another_dtype_are_named_in_pytorchs_words),
      TC_TEST(a_scatter_add_of_many_positions_is_one_write_kernel),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
