/*
 * test_overlap.c — in-place writes whose source shares memory with the
 * destination, decided as PyTorch decides (get_overlap_status from the
 * views' shapes, strides and offsets): each refused case gives PyTorch's
 * message, and each allowed neighbour (the same view, disjoint regions, a
 * clone, views that are not dense) runs and gives PyTorch's values. The
 * expected outcomes are torch 2.x's. Run on the CPU and with every tensor
 * on cuda:0 (test_overlap_cuda).
 */
#include "tc_expect.h"

#define PARTIAL "some elements of the input tensor and the written-to tensor refer to a single memory location"
#define INTERNAL "more than one element of the written-to tensor refers to a single memory location"
#define SPEC(...) (const tc_idx[]){__VA_ARGS__}, (int)(sizeof((const tc_idx[]){__VA_ARGS__}) / sizeof(tc_idx))

static tc_tensor *A6(tc_ctx *ctx) { return tc_clone(tc_arange_int(ctx, 0, 6, 1)); }
static tc_tensor *A33(tc_ctx *ctx) {
  return tc_clone(tc_reshape(tc_arange_int(ctx, 0, 9, 1), 2, (const int64_t[]){3, 3}));
}
static tc_tensor *L1(tc_ctx *ctx, const int64_t *v, int64_t n) {
  return tc_to(tc_from_data(ctx, v, TC_I64, 1, &n), tc_tensor_device(tc_arange_int(ctx, 0, 1, 1)), false);
}
static tc_tensor *S(tc_tensor *a, int64_t start, int64_t stop, int64_t step) { return tc_slice(a, 0, start, stop, step); }
#define REFUSED(st, part) expect_status_err(ctx, (st), part)

TC_CASE(partial_overlaps_of_elementwise_writes_are_refused) {
  tc_tensor *a = A6(ctx);
  REFUSED(tc_copy_(S(a, 1, 6, 1), S(a, 0, 5, 1)), PARTIAL);                 /* x[1:] = x[:-1] */
  REFUSED(tc_index_set_(a, SPEC(TC_S(1, TC_SLICE_END, 1)), S(a, 0, 5, 1)), PARTIAL);
  REFUSED(tc_add_(S(a, 0, 4, 1), S(a, 2, 6, 1)), PARTIAL);                  /* x[:4].add_(x[2:]) */
  tc_tensor *m = A33(ctx);
  REFUSED(tc_copy_(m, tc_t(m)), PARTIAL);                                   /* a.copy_(a.t()) */
  REFUSED(tc_add_(m, tc_t(m)), PARTIAL);
  REFUSED(tc_check_inplace(tc_select(m, 0, 0), tc_index(m, SPEC(TC_I(0), TC_I(0)))), PARTIAL); /* a[0].mul_(a[0,0]) */
  REFUSED(tc_check_inplace(m, tc_select(m, 0, 2)), PARTIAL);                /* a.sub_(a[2]) */
  REFUSED(tc_index_set_(m, SPEC(TC_S(0, 2, 1)), tc_slice(m, 0, 1, 3, 1)), PARTIAL); /* a[:2] = a[1:] */
  REFUSED(tc_copy_(S(a, 1, 6, 1), tc_view(S(a, 0, 5, 1), 1, (const int64_t[]){5})), PARTIAL);
  /* an expanded destination */
  REFUSED(tc_add_(tc_expand(a, 2, (const int64_t[]){2, 6}), tc_ones(ctx, TC_I64, 0, NULL)), INTERNAL);
  REFUSED(tc_check_inplace(tc_expand(a, 2, (const int64_t[]){2, 6}), a), INTERNAL);
  /* nothing was written */
  expect_i64(a, SH(6), I64(0, 1, 2, 3, 4, 5));
  expect_i64(m, SH(3, 3), I64(0, 1, 2, 3, 4, 5, 6, 7, 8));
}

TC_CASE(the_same_view_disjoint_regions_and_sparse_views_are_allowed) {
  tc_tensor *a = A6(ctx);
  assert_int_equal(tc_copy_(a, a), TC_OK);                                  /* x.copy_(x) */
  assert_int_equal(tc_copy_(S(a, 0, 6, 1), a), TC_OK);                      /* x[:].copy_(x): the same view */
  assert_int_equal(tc_add_(a, tc_view(tc_view(a, 2, (const int64_t[]){2, 3}), 1, (const int64_t[]){6})), TC_OK);
  expect_i64(a, SH(6), I64(0, 2, 4, 6, 8, 10));
  a = A6(ctx);
  assert_int_equal(tc_copy_(S(a, 0, 3, 1), S(a, 3, 6, 1)), TC_OK);          /* disjoint */
  expect_i64(a, SH(6), I64(3, 4, 5, 3, 4, 5));
  a = A6(ctx);
  assert_int_equal(tc_add_(S(a, 0, 6, 2), S(a, 1, 6, 2)), TC_OK);           /* x[::2].add_(x[1::2]): not dense */
  expect_i64(a, SH(6), I64(1, 1, 5, 3, 9, 5));
  a = A6(ctx);
  assert_int_equal(tc_copy_(S(a, 1, 6, 1), tc_clone(S(a, 0, 5, 1))), TC_OK); /* a clone */
  expect_i64(a, SH(6), I64(0, 0, 1, 2, 3, 4));
  a = A6(ctx);
  assert_int_equal(tc_copy_(S(a, 2, 4, 1), S(a, 1, 5, 2)), TC_OK);          /* x[2:4] = x[1:5:2] */
  expect_i64(a, SH(6), I64(0, 1, 1, 3, 4, 5));
  a = A6(ctx);
  assert_int_equal(tc_index_set_(a, SPEC(TC_S(1, 3, 1)), tc_select(a, 0, 0)), TC_OK); /* a 0-d value fills */
  expect_i64(a, SH(6), I64(0, 0, 0, 3, 4, 5));
  tc_tensor *m = A33(ctx);
  assert_int_equal(tc_index_set_(m, SPEC(TC_ALL, TC_I(0)), tc_select(m, 0, 0)), TC_OK); /* a[:, 0] = a[0] */
  expect_i64(m, SH(3, 3), I64(0, 1, 2, 1, 4, 5, 2, 7, 8));
  m = A33(ctx);
  tc_tensor *r0 = tc_select(m, 0, 0), *r1 = tc_select(m, 0, 1);
  assert_int_equal(tc_copy_(tc_slice(r0, 0, 1, 3, 1), tc_slice(r1, 0, 0, 2, 1)), TC_OK); /* a[0][1:] = a[1][:2] */
  expect_i64(m, SH(3, 3), I64(0, 3, 4, 3, 4, 5, 6, 7, 8));
  a = A6(ctx);
  assert_int_equal(tc_check_inplace(a, a), TC_OK); /* a.mul_(a) */
}

TC_CASE(indexed_writes_refuse_any_overlap_with_their_source_or_index) {
  tc_tensor *a = A6(ctx), *i6 = L1(ctx, (const int64_t[]){0, 1, 2, 3, 4, 5}, 6);
  tc_tensor *i2 = L1(ctx, (const int64_t[]){0, 1}, 2);
  REFUSED(tc_index_set_(a, SPEC(TC_T(i6)), a), PARTIAL);                    /* a[arange] = a: full overlap */
  REFUSED(tc_index_set_(a, SPEC(TC_T(tc_gt(a, tc_scalar(ctx, 2, TC_I64)))), S(a, 0, 3, 1)), PARTIAL);
  REFUSED(tc_index_set_(a, SPEC(TC_T(i2)), tc_select(a, 0, 0)), PARTIAL);   /* a[[1,2]] = a[0] */
  REFUSED(tc_index_put_(a, 1, (tc_tensor *[]){i2}, S(a, 2, 4, 1), false), PARTIAL);
  REFUSED(tc_index_put_(a, 1, (tc_tensor *[]){i6}, a, true), PARTIAL);
  REFUSED(tc_scatter_(a, 0, i2, S(a, 2, 4, 1)), PARTIAL);
  REFUSED(tc_scatter_add_(a, 0, i6, a), PARTIAL);
  REFUSED(tc_index_add_(a, 0, i2, S(a, 2, 4, 1), 1), PARTIAL);
  REFUSED(tc_index_copy_(a, 0, i6, a), PARTIAL);
  REFUSED(tc_put_(a, i2, S(a, 2, 4, 1), false), PARTIAL);
  /* the index itself overlapping the target */
  REFUSED(tc_scatter_value_(a, 0, S(a, 0, 1, 1), 1), PARTIAL);
  REFUSED(tc_index_put_(a, 1, (tc_tensor *[]){S(a, 0, 3, 1)}, tc_zeros(ctx, TC_I64, 1, (const int64_t[]){3}), false),
          PARTIAL);
  expect_i64(a, SH(6), I64(0, 1, 2, 3, 4, 5));
  /* allowed: a mask with a 0-d value (a masked fill), a clone, rows apart */
  assert_int_equal(tc_index_set_(a, SPEC(TC_T(tc_gt(a, tc_scalar(ctx, 2, TC_I64)))), tc_select(a, 0, 0)), TC_OK);
  expect_i64(a, SH(6), I64(0, 1, 2, 0, 0, 0));
  a = A6(ctx);
  assert_int_equal(tc_index_set_(a, SPEC(TC_T(i6)), tc_clone(a)), TC_OK);
  assert_int_equal(tc_index_add_(a, 0, i2, tc_clone(S(a, 2, 4, 1)), 1), TC_OK);
  expect_i64(a, SH(6), I64(2, 4, 2, 3, 4, 5));
  tc_tensor *m = A33(ctx);
  assert_int_equal(tc_index_set_(m, SPEC(TC_I(0), TC_T(i2)), tc_slice(tc_select(m, 0, 1), 0, 0, 2, 1)), TC_OK);
  expect_i64(m, SH(3, 3), I64(3, 4, 2, 3, 4, 5, 6, 7, 8));
  m = A33(ctx); /* a[[0,1], 1:] = a[2, 1:]: the target a[:, 1:] is not dense */
  assert_int_equal(tc_index_set_(m, SPEC(TC_T(i2), TC_S(1, TC_SLICE_END, 1)), tc_slice(tc_select(m, 0, 2), 0, 1, 3, 1)),
                   TC_OK);
  expect_i64(m, SH(3, 3), I64(0, 7, 8, 3, 7, 8, 6, 7, 8));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      TC_TEST(partial_overlaps_of_elementwise_writes_are_refused),
      TC_TEST(the_same_view_disjoint_regions_and_sparse_views_are_allowed),
      TC_TEST(indexed_writes_refuse_any_overlap_with_their_source_or_index),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
