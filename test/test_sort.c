/*
 * test_sort.c — sort, argsort, msort, topk, kthvalue, median, nanmedian and
 * mode against PyTorch 2.x (stable=True where ties matter: tensorc's sort
 * is always stable), NaN placement (largest: last ascending, first
 * descending), dtypes, keepdim, 0-d inputs and errors; a sorted big row
 * read back checks the order. Run on the CPU and with every tensor on
 * cuda:0 (test_sort_cuda).
 */
#include "tc_expect.h"

static tc_tensor *X(tc_ctx *ctx) { /* [[3, 1, nan, 1, 2], [5, 5, 2, 2, 1]] */
  return tc_from_data(ctx, (const float[]){3, 1, NAN, 1, 2, 5, 5, 2, 2, 1}, TC_F32, 2, (const int64_t[]){2, 5});
}

TC_CASE(sort_is_stable_and_puts_nan_with_the_largest) {
  tc_tensor *v, *i;
  assert_int_equal(tc_sort(X(ctx), 1, false, &v, &i), TC_OK);
  expect(v, TC_F32, SH(2, 5), V(1, 1, 2, 3, NAN, 1, 2, 2, 5, 5));
  expect_i64(i, SH(2, 5), I64(1, 3, 4, 0, 2, 4, 2, 3, 0, 1));
  assert_int_equal(tc_sort(X(ctx), 0, true, &v, &i), TC_OK);
  expect(v, TC_F32, SH(2, 5), V(5, 5, NAN, 2, 2, 3, 1, 2, 1, 1));
  expect_i64(i, SH(2, 5), I64(1, 1, 0, 1, 0, 0, 0, 1, 0, 1));
  tc_tensor *ints = tc_from_data(ctx, (const int64_t[]){3, 1, 2, 1}, TC_I64, 1, (const int64_t[]){4});
  expect_i64(tc_argsort(ints, 0, false), SH(4), I64(1, 3, 2, 0));
  tc_tensor *m = tc_from_data(ctx, (const int64_t[]){3, 1, 1, 2, 2, 0}, TC_I64, 2, (const int64_t[]){3, 2});
  expect_i64(tc_msort(m), SH(3, 2), I64(1, 0, 2, 1, 3, 2));
  assert_int_equal(tc_sort(tc_scalar(ctx, 3, TC_F32), 0, false, &v, &i), TC_OK);
  expect(v, TC_F32, SH0, V(3));
  expect_i64(i, SH0, I64(0));
  /* 1000 values with many ties: the stable order */
  tc_tensor *big = tc_remainder(tc_arange(ctx, 0, 1000, 1, TC_F32), tc_scalar(ctx, 37, TC_F32));
  expect_i64(tc_narrow(tc_argsort(big, 0, false), 0, 0, 6), SH(6), I64(0, 37, 74, 111, 148, 185));
  expect_i64(tc_narrow(tc_argsort(big, 0, true), 0, 0, 6), SH(6), I64(36, 73, 110, 147, 184, 221));
  expect_status_err(ctx, tc_sort(X(ctx), 2, false, &v, &i), "Dimension out of range (expected to be in range of [-2, 1], but got 2)");
}

TC_CASE(topk_kthvalue_median_and_mode_pick_from_the_sorted_rows) {
  tc_tensor *v, *i;
  assert_int_equal(tc_topk(X(ctx), 2, 1, true, &v, &i), TC_OK);
  expect(v, TC_F32, SH(2, 2), V(NAN, 3, 5, 5));
  expect_i64(i, SH(2, 2), I64(2, 0, 0, 1));
  tc_tensor *r = tc_from_data(ctx, (const float[]){1, 3, 3, 2}, TC_F32, 1, (const int64_t[]){4});
  assert_int_equal(tc_topk(r, 2, 0, false, &v, &i), TC_OK);
  expect(v, TC_F32, SH(2), V(1, 2));
  expect_i64(i, SH(2), I64(0, 3));
  tc_tensor *k = tc_from_data(ctx, (const float[]){3, 1, 4, 1, 5}, TC_F32, 2, (const int64_t[]){1, 5});
  assert_int_equal(tc_kthvalue(k, 3, 1, true, &v, &i), TC_OK);
  expect(v, TC_F32, SH(1, 1), V(3));
  expect_i64(i, SH(1, 1), I64(0));
  /* among equal values, the index PyTorch's quickselect lands on (values
   * from PyTorch) */
  tc_tensor *ties = tc_from_data(ctx, (const float[]){2, 2, 2, 2, 3, 5, 1, 5, 1, 5, 1}, TC_F32, 1,
                                 (const int64_t[]){11});
  tc_tensor *t5 = tc_narrow(ties, 0, 0, 5), *t6 = tc_narrow(ties, 0, 5, 6);
  static const int64_t k5[] = {3, 2, 0, 1, 4}, k6[] = {5, 3, 1, 0, 4, 2};
  for (int k = 1; k <= 5; k++) {
    assert_int_equal(tc_kthvalue(t5, k, 0, false, &v, &i), TC_OK);
    assert_int_equal(tc_item_int(i), k5[k - 1]);
  }
  for (int k = 1; k <= 6; k++) {
    assert_int_equal(tc_kthvalue(t6, k, 0, false, &v, &i), TC_OK);
    assert_int_equal(tc_item_int(i), k6[k - 1]);
  }
  assert_int_equal(tc_median_dim(X(ctx), 1, false, &v, &i), TC_OK);
  expect(v, TC_F32, SH(2), V(NAN, 2));
  expect_i64(i, SH(2), I64(2, 3));
  assert_int_equal(tc_nanmedian_dim(X(ctx), 1, false, &v, &i), TC_OK);
  expect(v, TC_F32, SH(2), V(1, 2));
  expect_i64(i, SH(2), I64(3, 3));
  tc_tensor *a12 = tc_reshape(tc_arange(ctx, 0, 12, 1, TC_F32), 2, (const int64_t[]){3, 4});
  assert_int_equal(tc_median_dim(a12, 1, false, &v, &i), TC_OK);
  expect(v, TC_F32, SH(3), V(1, 5, 9));
  expect_i64(i, SH(3), I64(1, 1, 1));
  expect(tc_median(X(ctx)), TC_F32, SH0, V(NAN));
  expect(tc_median(tc_from_data(ctx, (const float[]){1, 2, 3, 4}, TC_F32, 1, (const int64_t[]){4})), TC_F32, SH0, V(2));
  expect(tc_median(tc_zeros(ctx, TC_F32, 1, (const int64_t[]){0})), TC_F32, SH0, V(NAN));
  tc_status st = tc_median_dim(tc_zeros(ctx, TC_F32, 2, (const int64_t[]){2, 0}), 1, false, &v, &i);
  assert_int_equal(tc_last_error_kind(ctx), TC_KIND_INDEX); /* PyTorch's IndexError */
  expect_status_err(ctx, st, "median(): Expected reduction dim 1 to have non-zero size.");
  tc_tensor *md = tc_from_data(ctx, (const float[]){1, 2, 2, 3, 3, 1, 1, 2}, TC_F32, 1, (const int64_t[]){8});
  assert_int_equal(tc_mode(md, 0, false, &v, &i), TC_OK);
  expect(v, TC_F32, SH0, V(1));
  expect_i64(i, SH0, I64(6));
  assert_int_equal(tc_mode(tc_narrow(X(ctx), 0, 1, 1), 1, true, &v, &i), TC_OK);
  expect(v, TC_F32, SH(1, 1), V(2));
  expect_i64(i, SH(1, 1), I64(3));
  expect_status_err(ctx, tc_topk(X(ctx), 6, 1, true, &v, &i), "selected index k out of range");
  expect_status_err(ctx, tc_kthvalue(X(ctx), 6, 1, false, &v, &i), "kthvalue(): selected number k out of range for dimension 1");
}

TC_CASE(sort_keeps_a_dense_inputs_strides_and_order_statistics_are_contiguous) {
  /* PyTorch 2.x: x = randn(3,4,5).permute(2,0,1): sort(1) has strides (1, 20, 5) */
  tc_tensor *x = tc_permute(tc_reshape(tc_arange(ctx, 60, 0, -1, TC_F32), 3, (const int64_t[]){3, 4, 5}),
                            (const int[]){2, 0, 1});
  tc_tensor *v, *i;
  assert_int_equal(tc_sort(x, 1, false, &v, &i), TC_OK);
  expect_layout(v, SH(5, 3, 4), SH(1, 20, 5), 0, false);
  expect_layout(i, SH(5, 3, 4), SH(1, 20, 5), 0, false);
  /* x[j, :, k] = 60 - (20 r + 5 c + j) at [j, r, k]: ascending along dim 1 is r = 2, 1, 0 */
  expect_i64(tc_select(tc_select(i, 0, 1), 1, 2), SH(3), I64(2, 1, 0));
  expect(tc_select(tc_select(v, 0, 1), 1, 2), TC_F32, SH(3), V(9, 29, 49));
  expect_layout(tc_argsort(x, 2, true), SH(5, 3, 4), SH(1, 20, 5), 0, false);
  expect_layout(tc_msort(x), SH(5, 3, 4), SH(1, 20, 5), 0, false);
  /* a transpose: (1, 4); a size-1 dim keeps its stride */
  tc_tensor *t = tc_t(tc_reshape(tc_arange(ctx, 0, 12, 1, TC_F32), 2, (const int64_t[]){3, 4}));
  assert_int_equal(tc_sort(t, 0, true, &v, &i), TC_OK);
  expect_layout(v, SH(4, 3), SH(1, 4), 0, false);
  expect(v, TC_F32, SH(4, 3), V(3, 7, 11, 2, 6, 10, 1, 5, 9, 0, 4, 8));
  expect_i64(i, SH(4, 3), I64(3, 3, 3, 2, 2, 2, 1, 1, 1, 0, 0, 0));
  tc_tensor *o = tc_permute(tc_zeros(ctx, TC_F32, 3, (const int64_t[]){3, 1, 4}), (const int[]){2, 1, 0});
  expect_layout(tc_argsort(o, 2, false), SH(4, 1, 3), SH(1, 4, 4), 0, false);
  /* not dense (a step, a broadcast): dense strides in the input's order */
  tc_tensor *s = tc_slice(tc_reshape(tc_arange(ctx, 0, 24, 1, TC_F32), 2, (const int64_t[]){4, 6}), 1, 0,
                          TC_SLICE_END, 2);
  assert_int_equal(tc_sort(s, 0, true, &v, &i), TC_OK);
  expect_layout(v, SH(4, 3), SH(3, 1), 0, true);
  expect_layout(i, SH(4, 3), SH(3, 1), 0, true);
  expect(tc_select(v, 1, 1), TC_F32, SH(4), V(20, 14, 8, 2));
  tc_tensor *e = tc_expand(tc_zeros(ctx, TC_F32, 2, (const int64_t[]){3, 1}), 2, (const int64_t[]){3, 4});
  expect_layout(tc_argsort(e, 0, false), SH(3, 4), SH(4, 1), 0, true);
  tc_tensor *p = tc_slice(tc_permute(tc_zeros(ctx, TC_F32, 3, (const int64_t[]){4, 3, 4}), (const int[]){0, 2, 1}), 0,
                          0, TC_SLICE_END, 2); /* (2, 4, 3), strides (24, 1, 4) */
  expect_layout(tc_argsort(p, 1, false), SH(2, 4, 3), SH(12, 1, 4), 0, false);
  /* topk, kthvalue, mode: contiguous (a (1, 5) row's topk too: (2, 1)) */
  assert_int_equal(tc_topk(x, 2, 1, true, &v, &i), TC_OK);
  expect_layout(v, SH(5, 2, 4), SH(8, 4, 1), 0, true);
  expect_layout(i, SH(5, 2, 4), SH(8, 4, 1), 0, true);
  assert_int_equal(tc_kthvalue(x, 2, 1, true, &v, &i), TC_OK);
  expect_layout(v, SH(5, 1, 4), SH(4, 4, 1), 0, true);
  expect_layout(i, SH(5, 1, 4), SH(4, 4, 1), 0, true);
  assert_int_equal(tc_topk(tc_reshape(tc_arange(ctx, 0, 5, 1, TC_F32), 2, (const int64_t[]){1, 5}), 2, 1, true, &v, &i),
                   TC_OK);
  expect_layout(v, SH(1, 2), SH(2, 1), 0, true);
  expect(v, TC_F32, SH(1, 2), V(4, 3));
  assert_int_equal(tc_mode(x, 1, true, &v, &i), TC_OK);
  expect_layout(v, SH(5, 1, 4), SH(4, 4, 1), 0, true);
  expect_layout(i, SH(5, 1, 4), SH(4, 4, 1), 0, true);
}

/* a C reference: stable, NaN largest (ascending) */
static int cmp_asc(const void *x, const void *y) {
  const double *a = x, *b = y; /* (value, index) pairs */
  bool an = isnan(a[0]), bn = isnan(b[0]);
  if (an != bn) return an ? 1 : -1;
  if (!an && a[0] != b[0]) return a[0] < b[0] ? -1 : 1;
  return a[1] < b[1] ? -1 : a[1] > b[1];
}

TC_CASE(long_rows_sort_by_radix_with_the_same_stable_order) {
  /* 30000 values: ties, negatives, -0.0 and 0.0, NaNs, infinities */
  enum { N = 30000 };
  static float v[N];
  static double pairs[N][2];
  for (int i = 0; i < N; i++) {
    int k = (i * 7919) % 1001 - 500;
    v[i] = k == 13 ? NAN : k == 14 ? INFINITY : k == -14 ? -INFINITY : k == 0 ? (i % 2 ? -0.0f : 0.0f) : (float)k / 8;
    pairs[i][0] = v[i], pairs[i][1] = i;
  }
  qsort(pairs, N, sizeof pairs[0], cmp_asc);
  tc_tensor *t = tc_from_data(ctx, v, TC_F32, 1, (const int64_t[]){N});
  double *ia = tc_test_read(tc_argsort(t, 0, false), __FILE__, __LINE__);
  int bad = 0;
  for (int i = 0; i < N; i++) bad += ia[i] != pairs[i][1];
  free(ia);
  assert_int_equal(bad, 0);
  /* descending: NaNs first, then the reverse value order, ties in index order */
  double *id = tc_test_read(tc_argsort(t, 0, true), __FILE__, __LINE__);
  for (int i = 1; i < N; i++) {
    float a = v[(int)id[i - 1]], b = v[(int)id[i]];
    bool ok = isnan(a) ? (!isnan(b) || id[i - 1] < id[i]) : !isnan(b) && (a > b || (a == b && id[i - 1] < id[i]));
    bad += !ok;
  }
  free(id);
  assert_int_equal(bad, 0);
}

/* The stable order of keys k[0..n), ascending or descending, NaN the
 * largest (a merge sort of positions): the device sort's reference. */
static int64_t *ref_order(const double *k, int64_t n, bool desc) {
  int64_t *o = malloc(sizeof(int64_t) * (size_t)n), *t = malloc(sizeof(int64_t) * (size_t)n);
  for (int64_t i = 0; i < n; i++) o[i] = i;
  for (int64_t w = 1; w < n; w *= 2) {
    for (int64_t lo = 0; lo < n; lo += 2 * w) {
      int64_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n, i = lo, j = mid, p = lo;
      while (i < mid && j < hi) {
        double a = k[o[i]], b = k[o[j]];
        bool an = isnan(a), bn = isnan(b);
        bool jfirst = an || bn ? (desc ? bn && !an : an && !bn) : desc ? b > a : b < a;
        t[p++] = jfirst ? o[j++] : o[i++];
      }
      while (i < mid) t[p++] = o[i++];
      while (j < hi) t[p++] = o[j++];
    }
    memcpy(o, t, sizeof(int64_t) * (size_t)n);
  }
  free(t);
  return o;
}

TC_CASE(a_sort_runs_on_the_device_and_reads_nothing_back) {
  /* argsort records kernels only (no realization until the indices are
   * read), and gives the stable order for 64-bit keys (int64 over its
   * whole range), float64 rows along dim 0, and int8 descending */
  enum { N = 9000 };
  static int64_t iv[N];
  for (int i = 0; i < N; i++) iv[i] = (int64_t)((uint64_t)(i % 3000) * 0x9E3779B97F4A7C15ull); /* each 3 times */
  tc_tensor *t = tc_from_data(ctx, iv, TC_I64, 1, (const int64_t[]){N});
  assert_int_equal(tc_realize(t), TC_OK);
  tc_reset_stats(ctx);
  tc_tensor *ia = tc_argsort(t, 0, false);
  assert_non_null(ia);
  assert_int_equal((int)tc_get_stats(ctx).realizations, 0);
  double *r = tc_test_read(ia, __FILE__, __LINE__);
  int bad = 0;
  for (int i = 1; i < N; i++) {
    int64_t a = iv[(int)r[i - 1]], b = iv[(int)r[i]];
    bad += !(a < b || (a == b && r[i - 1] < r[i]));
  }
  free(r);
  assert_int_equal(bad, 0);
  /* float64, sorted along dim 0 of (N/2, 2): NaN, -0.0, infinities */
  static double f[N];
  for (int i = 0; i < N; i++) {
    int k = (i * 7919) % 601 - 300;
    f[i] = k == 7 ? NAN : k == 8 ? INFINITY : k == -8 ? -INFINITY : k == 0 ? (i % 2 ? -0.0 : 0.0) : k * 1e-3;
  }
  tc_tensor *ft = tc_from_data(ctx, f, TC_F64, 2, (const int64_t[]){N / 2, 2});
  for (int desc = 0; desc < 2; desc++) {
    double *got = tc_test_read(tc_argsort(ft, 0, desc), __FILE__, __LINE__);
    for (int c = 0; c < 2; c++) {
      double col[N / 2];
      for (int i = 0; i < N / 2; i++) col[i] = f[2 * i + c] == 0 ? 0 : f[2 * i + c];
      int64_t *o = ref_order(col, N / 2, desc);
      for (int i = 0; i < N / 2; i++) bad += got[2 * i + c] != (double)o[i];
      free(o);
    }
    free(got);
  }
  assert_int_equal(bad, 0);
  /* short rows (sorted by rank): int64 over its whole range with ties, rows
   * of 300 along dim 1, both directions */
  for (int desc = 0; desc < 2; desc++) {
    double *g = tc_test_read(tc_argsort(tc_reshape(t, 2, (const int64_t[]){N / 300, 300}), 1, desc), __FILE__, __LINE__);
    for (int row = 0; row < N / 300; row++)
      for (int i = 1; i < 300; i++) {
        int64_t a = iv[row * 300 + (int)g[row * 300 + i - 1]], b = iv[row * 300 + (int)g[row * 300 + i]];
        bool tie_ok = g[row * 300 + i - 1] < g[row * 300 + i];
        bad += !(desc ? a > b || (a == b && tie_ok) : a < b || (a == b && tie_ok));
      }
    free(g);
  }
  assert_int_equal(bad, 0);
  /* int8, descending: 4 passes of 8-bit keys */
  int8_t b8[N];
  double k8[N];
  for (int i = 0; i < N; i++) b8[i] = (int8_t)((i * 37) % 256 - 128), k8[i] = b8[i];
  double *g8 = tc_test_read(tc_argsort(tc_from_data(ctx, b8, TC_I8, 1, (const int64_t[]){N}), 0, true), __FILE__, __LINE__);
  int64_t *o8 = ref_order(k8, N, true);
  for (int i = 0; i < N; i++) bad += g8[i] != (double)o8[i];
  free(o8);
  free(g8);
  assert_int_equal(bad, 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      TC_TEST(sort_is_stable_and_puts_nan_with_the_largest),
      TC_TEST(topk_kthvalue_median_and_mode_pick_from_the_sorted_rows),
      TC_TEST(sort_keeps_a_dense_inputs_strides_and_order_statistics_are_contiguous),
      TC_TEST(long_rows_sort_by_radix_with_the_same_stable_order),
      TC_TEST(a_sort_runs_on_the_device_and_reads_nothing_back),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
