/*
 * test_count.c — count_nonzero, nonzero as a tuple, argwhere,
 * searchsorted, bucketize, histc, bincount, unique and unique_consecutive
 * against PyTorch 2.x, with their errors. Run on the CPU and with every
 * tensor on cuda:0 (test_count_cuda).
 */
#include "tc_expect.h"

static tc_tensor *I1(tc_ctx *ctx, const int64_t *v, int64_t n) { return tc_from_data(ctx, v, TC_I64, 1, &n); }

TC_CASE(counting_and_nonzero_as_pytorch) {
  tc_tensor *m = tc_from_data(ctx, (const int64_t[]){0, 1, 2, 0, 0, 3}, TC_I64, 2, (const int64_t[]){2, 3});
  expect_i64(tc_count_nonzero(m, (const int[]){0}, 1), SH(3), I64(0, 1, 2));
  expect_i64(tc_count_nonzero(tc_to_dtype(m, TC_F32), NULL, 0), SH0, I64(3));
  tc_tensor *e = tc_from_data(ctx, (const int64_t[]){0, 1, 2, 0}, TC_I64, 2, (const int64_t[]){2, 2});
  tc_tensor *t[2];
  assert_int_equal(tc_nonzero_tuple(e, t, 2), 2);
  expect_i64(t[0], SH(2), I64(0, 1));
  expect_i64(t[1], SH(2), I64(1, 0));
  expect_i64(tc_argwhere(e), SH(2, 2), I64(0, 1, 1, 0));
  /* PyTorch's layout: column-major, strides (1, count), none found too */
  int64_t st[2];
  tc_tensor *nz = tc_nonzero(m);
  expect_i64(nz, SH(3, 2), I64(0, 1, 0, 2, 1, 2));
  assert_int_equal(tc_tensor_strides(nz, st), 2);
  assert_true(st[0] == 1 && st[1] == 3);
  assert_int_equal(tc_tensor_strides(tc_nonzero(tc_zeros(ctx, TC_F32, 2, (const int64_t[]){2, 2})), st), 2);
  assert_true(st[0] == 1 && st[1] == 0);
  assert_false(tc_tensor_is_view(nz));
}

TC_CASE(searchsorted_and_bucketize_count_the_boundaries_below) {
  tc_tensor *s = I1(ctx, (const int64_t[]){1, 3, 5, 7, 9}, 5);
  tc_tensor *v = tc_from_data(ctx, (const int64_t[]){3, 6, 9, 3, 6, 10}, TC_I64, 2, (const int64_t[]){2, 3});
  expect_i64(tc_searchsorted(s, v, false, false), SH(2, 3), I64(1, 3, 4, 1, 3, 5));
  tc_tensor *v3 = I1(ctx, (const int64_t[]){3, 6, 9}, 3);
  expect_i64(tc_searchsorted(s, v3, true, false), SH(3), I64(2, 3, 5));
  expect_i64(tc_bucketize(v3, s, false, false), SH(3), I64(1, 3, 4));
  expect(tc_bucketize(v3, s, true, true), TC_I32, SH(3), V(2, 3, 5));
  tc_tensor *s2 = tc_from_data(ctx, (const int64_t[]){1, 3, 5, 2, 4, 6}, TC_I64, 2, (const int64_t[]){2, 3});
  tc_tensor *v2 = tc_from_data(ctx, (const int64_t[]){2, 5}, TC_I64, 2, (const int64_t[]){2, 1});
  expect_i64(tc_searchsorted(s2, v2, false, false), SH(2, 1), I64(1, 2));
  expect_err(ctx, tc_searchsorted(tc_from_data(ctx, (const int64_t[]){1, 3}, TC_I64, 2, (const int64_t[]){1, 2}), v3, false, false),
             "boundaries tensor should be 1 dimension or the first N-1 dimensions of boundaries tensor and input value tensor must match");
}

TC_CASE(histc_and_bincount_scatter_add_into_bins) {
  tc_tensor *x = tc_from_data(ctx, (const float[]){1, 2, 1, 4, 5}, TC_F32, 1, (const int64_t[]){5});
  expect(tc_histc(x, 4, 0, 3), TC_F32, SH(4), V(0, 2, 1, 0));
  expect(tc_histc(x, 4, 0, 0), TC_F32, SH(4), V(2, 1, 0, 2));
  tc_tensor *b = I1(ctx, (const int64_t[]){1, 3, 2, 3, 1, 1}, 6);
  expect_i64(tc_bincount(b, NULL, 0), SH(4), I64(0, 3, 1, 2));
  expect_i64(tc_bincount(b, NULL, 6), SH(6), I64(0, 3, 1, 2, 0, 0));
  expect(tc_bincount(b, tc_ones(ctx, TC_F32, 1, (const int64_t[]){6}), 0), TC_F32, SH(4), V(0, 3, 1, 2));
  expect_err(ctx, tc_bincount(I1(ctx, (const int64_t[]){-1, 2}, 2), NULL, 0),
             "bincount only supports 1-d non-negative integral inputs.");
  expect_err(ctx, tc_histc(b, 2, 0, 0), "\"histogram_cpu\" not implemented for 'Long'");
  expect_err(ctx, tc_histc(x, -1, 0, 0), "torch.histogram(): bins must be > 0, but got -1 for dimension 0");
  /* the dtype is checked before the shape, as PyTorch's dispatch does */
  tc_tensor *bf = tc_bincount(tc_zeros(ctx, TC_F32, 2, (const int64_t[]){2, 2}), NULL, 0);
  assert_int_equal(tc_last_error_kind(ctx), TC_KIND_NOT_IMPLEMENTED);
  expect_err(ctx, bf, "\"bincount_cpu\" not implemented for 'Float'");
  expect_err(ctx, tc_bincount(tc_zeros(ctx, TC_I64, 2, (const int64_t[]){2, 2}), NULL, 0),
             "bincount only supports 1-d non-negative integral inputs.");
}

TC_CASE(unique_and_unique_consecutive_with_inverse_and_counts) {
  tc_tensor *v, *inv, *c;
  assert_int_equal(tc_unique(I1(ctx, (const int64_t[]){1, 3, 2, 3, 1, 1}, 6), true, &v, &inv, &c), TC_OK);
  expect_i64(v, SH(3), I64(1, 2, 3));
  expect_i64(inv, SH(6), I64(0, 2, 1, 2, 0, 0));
  expect_i64(c, SH(3), I64(3, 1, 2));
  assert_int_equal(tc_unique_consecutive(I1(ctx, (const int64_t[]){1, 1, 2, 2, 3, 1, 1}, 7), &v, &inv, &c), TC_OK);
  expect_i64(v, SH(4), I64(1, 2, 3, 1));
  expect_i64(inv, SH(7), I64(0, 0, 1, 1, 2, 3, 3));
  expect_i64(c, SH(4), I64(2, 2, 1, 2));
  tc_tensor *f = tc_from_data(ctx, (const float[]){2, NAN, 1, 2, NAN}, TC_F32, 1, (const int64_t[]){5});
  assert_int_equal(tc_unique(f, true, &v, NULL, &c), TC_OK);
  expect(v, TC_F32, SH(4), V(1, 2, NAN, NAN));
  expect_i64(c, SH(4), I64(1, 2, 1, 1));
}

TC_CASE(unique_finds_its_runs_on_the_device_reading_back_one_count) {
  /* 20000 int32 values in 0..996, each about 20 times: sorted on the
   * device, the runs' starts compacted; the one value read back is their
   * number (a realization for the count, one for the results) */
  enum { N = 20000, K = 997 };
  static int32_t x[N];
  static int64_t cnt[K];
  for (int i = 0; i < N; i++) x[i] = (int32_t)((i * 7919) % K), cnt[x[i]]++;
  tc_tensor *t = tc_from_data(ctx, x, TC_I32, 2, (const int64_t[]){4, N / 4});
  assert_int_equal(tc_realize(t), TC_OK);
  tc_reset_stats(ctx);
  tc_tensor *v = NULL, *inv = NULL, *c = NULL;
  assert_int_equal(tc_unique(t, true, &v, &inv, &c), TC_OK);
  assert_true(tc_get_stats(ctx).realizations <= 2);
  tc_tensor *all[3] = {v, inv, c};
  assert_int_equal(tc_realize_many(all, 3), TC_OK);
  expect_layout(v, SH(K), SH(1), 0, true);
  expect_layout(inv, SH(4, N / 4), SH(N / 4, 1), 0, true);
  assert_int_equal(tc_tensor_dtype(v), TC_I32);
  double *rv = tc_test_read(v, __FILE__, __LINE__), *ri = tc_test_read(inv, __FILE__, __LINE__),
         *rc = tc_test_read(c, __FILE__, __LINE__);
  int bad = 0;
  for (int k = 0; k < K; k++) bad += rv[k] != k || rc[k] != (double)cnt[k];
  for (int i = 0; i < N; i++) bad += ri[i] != x[i];
  free(rv), free(ri), free(rc);
  assert_int_equal(bad, 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      TC_TEST(counting_and_nonzero_as_pytorch),
      TC_TEST(searchsorted_and_bucketize_count_the_boundaries_below),
      TC_TEST(histc_and_bincount_scatter_add_into_bins),
      TC_TEST(unique_and_unique_consecutive_with_inverse_and_counts),
      TC_TEST(unique_finds_its_runs_on_the_device_reading_back_one_count),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
