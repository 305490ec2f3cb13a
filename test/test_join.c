/*
 * test_join.c — joins, splits and rearrangements (tc_cat, tc_stack,
 * hstack/vstack/dstack, split, chunk, unbind, flip, roll, tril/triu,
 * diagonal, diag, diag_embed, repeat, tile, repeat_interleave, meshgrid)
 * against PyTorch 2.x: values, dtypes, shapes, strides of the views and
 * PyTorch's error messages. Also that a cat is lazy and fuses (a cat of two
 * elementwise expressions is one kernel; a cat read by a reduction is one
 * kernel), and that a sliding window rebuilt by cat every step of a loop
 * compiles its kernels once. Run on the CPU and again with every tensor on
 * cuda:0 (test_join_cuda).
 */
#include "tc_expect.h"

/* A = arange(6.).reshape(2, 3), B = arange(6, 12).reshape(2, 3) * 0.5 */
static tc_tensor *A(tc_ctx *ctx) {
  return tc_reshape(tc_arange(ctx, 0, 6, 1, TC_F32), 2, (const int64_t[]){2, 3});
}
static tc_tensor *B(tc_ctx *ctx) {
  return tc_mul_scalar(tc_reshape(tc_arange(ctx, 6, 12, 1, TC_I64), 2, (const int64_t[]){2, 3}), 0.5);
}
/* M = arange(12.).reshape(3, 4), X = arange(24).reshape(2, 3, 4) */
static tc_tensor *M(tc_ctx *ctx) {
  return tc_reshape(tc_arange(ctx, 0, 12, 1, TC_F32), 2, (const int64_t[]){3, 4});
}
static tc_tensor *X(tc_ctx *ctx) {
  return tc_reshape(tc_arange_int(ctx, 0, 24, 1), 3, (const int64_t[]){2, 3, 4});
}
#define L(...) (tc_tensor *[]){__VA_ARGS__}, (int)(sizeof((tc_tensor *[]){__VA_ARGS__}) / sizeof(tc_tensor *))

/* ---- cat and stack ---- */

TC_CASE(cat_joins_along_any_dim_and_promotes_dtypes) {
  tc_tensor *a = A(ctx), *b = B(ctx);
  expect(tc_cat(ctx, L(a, b), 0), TC_F32, SH(4, 3), V(0, 1, 2, 3, 4, 5, 3, 3.5, 4, 4.5, 5, 5.5));
  expect(tc_cat(ctx, L(a, b, a), 1), TC_F32, SH(2, 9),
         V(0, 1, 2, 3, 3.5, 4, 0, 1, 2, 3, 4, 5, 4.5, 5, 5.5, 3, 4, 5));
  expect(tc_cat(ctx, L(tc_t(a), tc_t(b)), -1), TC_F32, SH(3, 4), V(0, 3, 3, 4.5, 1, 4, 3.5, 5, 2, 5, 4, 5.5));
  tc_tensor *ai = tc_reshape(tc_arange_int(ctx, 0, 6, 1), 2, (const int64_t[]){2, 3});
  expect(tc_cat(ctx, L(ai, b), 1), TC_F32, SH(2, 6), V(0, 1, 2, 3, 3.5, 4, 3, 4, 5, 4.5, 5, 5.5));
  expect_i64(tc_cat(ctx, L(ai, ai), 0), SH(4, 3), I64(0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 5));
  /* float16 parts stay float16 */
  tc_tensor *h = tc_cat(ctx, L(tc_to_dtype(tc_arange(ctx, 0, 4, 1, TC_F32), TC_F16),
                               tc_mul_scalar(tc_to_dtype(tc_arange(ctx, 0, 3, 1, TC_F32), TC_F16), 0.5)), 0);
  expect(h, TC_F16, SH(7), V(0, 1, 2, 3, 0, 0.5, 1));
  /* a cat is a new tensor, contiguous */
  expect_layout(tc_cat(ctx, L(a, b), 1), SH(2, 6), SH(6, 1), 0, true);
}

TC_CASE(cat_skips_1d_empty_tensors_and_refuses_what_pytorch_refuses) {
  tc_tensor *a = A(ctx), *e = tc_zeros(ctx, TC_F32, 1, (const int64_t[]){0});
  expect(tc_cat(ctx, L(e, a, e), 0), TC_F32, SH(2, 3), V(0, 1, 2, 3, 4, 5));
  expect(tc_cat(ctx, L(e, e), 0), TC_F32, SH(0), NULL, 0);
  /* a single part is a copy, never an alias */
  tc_tensor *c = tc_cat(ctx, L(a), 0);
  assert_int_equal(tc_fill_(a, 7), TC_OK);
  expect(c, TC_F32, SH(2, 3), V(0, 1, 2, 3, 4, 5));
  expect_err(ctx, tc_cat(ctx, NULL, 0, 0), "expected a non-empty list of Tensors");
  expect_err(ctx, tc_cat(ctx, L(tc_scalar(ctx, 1, TC_F32)), 0),
             "zero-dimensional tensor (at position 0) cannot be concatenated");
  expect_err(ctx, tc_cat(ctx, L(a, X(ctx)), 0), "Tensors must have same number of dimensions: got 2 and 3");
  expect_err(ctx, tc_cat(ctx, L(a, tc_zeros(ctx, TC_F32, 2, (const int64_t[]){3, 3})), 1),
             "Sizes of tensors must match except in dimension 1. Expected size 2 but got size 3 for tensor "
             "number 1 in the list.");
  expect_err(ctx, tc_cat(ctx, L(a, a), 2), "Dimension out of range (expected to be in range of [-2, 1], but got 2)");
  expect_err(ctx, tc_cat(ctx, L(a, NULL), 0), "NULL");
}

TC_CASE(stack_and_its_variants_add_or_join_dims_as_pytorch) {
  tc_tensor *a = A(ctx), *b = B(ctx);
  expect(tc_stack(ctx, L(a, b), 0), TC_F32, SH(2, 2, 3), V(0, 1, 2, 3, 4, 5, 3, 3.5, 4, 4.5, 5, 5.5));
  expect(tc_stack(ctx, L(a, b), 2), TC_F32, SH(2, 3, 2), V(0, 3, 1, 3.5, 2, 4, 3, 4.5, 4, 5, 5, 5.5));
  expect(tc_stack(ctx, L(a, b), -1), TC_F32, SH(2, 3, 2), V(0, 3, 1, 3.5, 2, 4, 3, 4.5, 4, 5, 5, 5.5));
  tc_tensor *r3 = tc_arange(ctx, 0, 3, 1, TC_F32), *r2 = tc_arange(ctx, 0, 2, 1, TC_F32);
  expect(tc_hstack(ctx, L(r3, r2)), TC_F32, SH(5), V(0, 1, 2, 0, 1));
  expect(tc_hstack(ctx, L(a, b)), TC_F32, SH(2, 6), V(0, 1, 2, 3, 3.5, 4, 3, 4, 5, 4.5, 5, 5.5));
  expect(tc_vstack(ctx, L(r3, tc_add_scalar(r3, 10))), TC_F32, SH(2, 3), V(0, 1, 2, 10, 11, 12));
  expect(tc_dstack(ctx, L(a, b)), TC_F32, SH(2, 3, 2), V(0, 3, 1, 3.5, 2, 4, 3, 4.5, 4, 5, 5, 5.5));
  expect_err(ctx, tc_stack(ctx, L(a, tc_t(a)), 0),
             "stack expects each tensor to be equal size, but got [2, 3] at entry 0 and [3, 2] at entry 1");
  expect_err(ctx, tc_stack(ctx, L(a, b), 3), "Dimension out of range (expected to be in range of [-3, 2], but got 3)");
}

TC_CASE(large_cats_along_inner_and_outer_dims_match_the_element_rule) {
  /* u (700, 37) = arange, v (700, 29) = -arange; cat along 1 and (as
   * transposes) along 0, big enough for the compiled, threaded path */
  tc_tensor *u = tc_reshape(tc_arange(ctx, 0, 700 * 37, 1, TC_F32), 2, (const int64_t[]){700, 37});
  tc_tensor *v = tc_neg(tc_reshape(tc_arange(ctx, 0, 700 * 29, 1, TC_F32), 2, (const int64_t[]){700, 29}));
  tc_tensor *c1 = tc_cat(ctx, L(u, tc_add_scalar(v, 0.5)), 1);
  tc_tensor *c0 = tc_cat(ctx, L(tc_t(u), tc_t(v)), 0);
  double *r1 = tc_test_read(c1, __FILE__, __LINE__), *r0 = tc_test_read(c0, __FILE__, __LINE__);
  int bad = 0;
  for (int i = 0; i < 700; i++)
    for (int j = 0; j < 66; j++) {
      double want = j < 37 ? i * 37 + j : -(double)(i * 29 + j - 37) + 0.5;
      bad += r1[i * 66 + j] != want;
      double want0 = j < 37 ? i * 37 + j : -(double)(i * 29 + j - 37);
      bad += r0[j * 700 + i] != want0;
    }
  free(r1);
  free(r0);
  assert_int_equal(bad, 0);
}

/* ---- lazy and fused ---- */

TC_CASE(a_cat_of_elementwise_expressions_is_one_kernel) {
  tc_tensor *a = A(ctx), *b = B(ctx);
  assert_int_equal(tc_realize_many((tc_tensor *[]){a, b}, 2), TC_OK);
  tc_reset_stats(ctx);
  tc_tensor *c = tc_cat(ctx, L(tc_exp(a), tc_mul_scalar(b, 2)), 1);
  assert_int_equal(tc_realize(c), TC_OK);
  assert_int_equal(tc_get_stats(ctx).kernels_launched, 1);
  expect(c, TC_F32, SH(2, 6),
         V(1, 2.7182817459106445, 7.389056205749512, 6, 7, 8, 20.08553695678711, 54.598148345947266,
           148.4131622314453, 9, 10, 11));
  /* and a reduction over a cat of three parts, with its consumers: one kernel */
  tc_reset_stats(ctx);
  /* (no handle to the intermediates lives on: nothing else to store) */
  tc_tensor *nb = tc_neg(b), *a1 = tc_add_scalar(a, 1), *j = tc_cat(ctx, L(a, nb, a1), 0);
  tc_tensor *j2 = tc_mul_scalar(j, 2);
  tc_tensor *s = tc_sum(j2, (const int[]){0}, 1, false);
  tc_tensor_release(nb), tc_tensor_release(a1), tc_tensor_release(j), tc_tensor_release(j2);
  assert_int_equal(tc_realize(s), TC_OK);
  assert_int_equal(tc_get_stats(ctx).kernels_launched, 1);
  expect(s, TC_F32, SH(3), V(1, 7, 13));
}

TC_CASE(a_window_rebuilt_by_cat_in_a_loop_compiles_once) {
  /* x = arange(8.); every step x = cat([x[1:], x[-1:] + 1]); read x.sum() */
  tc_tensor *x = tc_arange(ctx, 0, 8, 1, TC_F32);
  uint64_t compiled = 0;
  for (int i = 1; i <= 300; i++) {
    tc_scope_begin(ctx);
    tc_tensor *nx = tc_cat(ctx, L(tc_narrow(x, 0, 1, 7), tc_add_scalar(tc_narrow(x, 0, 7, 1), 1)), 0);
    double s = tc_item(tc_sum(nx, NULL, 0, false));
    assert_true(s == 8.0 * i + 28.0);
    tc_keep(nx); /* to the test's scope; the step's other handles go */
    tc_scope_end(ctx);
    x = nx;
    if (i == 3) compiled = tc_get_stats(ctx).kernels_compiled;
  }
  expect(x, TC_F32, SH(8), V(300, 301, 302, 303, 304, 305, 306, 307));
  assert_int_equal(tc_get_stats(ctx).kernels_compiled, compiled);
}

/* ---- splits: views ---- */

TC_CASE(split_chunk_and_unbind_give_views_of_pytorchs_sizes) {
  tc_tensor *x = X(ctx), *p[4] = {0};
  assert_int_equal(tc_split(x, 2, 1, p, 4), 2);
  expect_layout(p[0], SH(2, 2, 4), SH(12, 4, 1), 0, false);
  expect_layout(p[1], SH(2, 1, 4), SH(12, 4, 1), 8, false);
  int64_t sizes[4];
  tc_tensor *five = tc_arange_int(ctx, 0, 5, 1);
  assert_int_equal(tc_chunk(five, 3, 0, p, 4), 3);
  for (int i = 0; i < 3; i++) tc_tensor_shape(p[i], &sizes[i]);
  assert_true(sizes[0] == 2 && sizes[1] == 2 && sizes[2] == 1);
  expect_i64(p[2], SH(1), I64(4));
  assert_int_equal(tc_chunk(tc_arange_int(ctx, 0, 6, 1), 4, 0, NULL, 0), 3); /* sizes 2, 2, 2 */
  assert_int_equal(tc_chunk(tc_zeros(ctx, TC_F32, 1, (const int64_t[]){0}), 3, 0, NULL, 0), 3);
  assert_int_equal(tc_split(tc_zeros(ctx, TC_F32, 1, (const int64_t[]){0}), 2, 0, NULL, 0), 1);
  assert_int_equal(tc_split_sizes(x, (const int64_t[]){1, 3}, 2, -1, p), 2);
  expect_i64(p[0], SH(2, 3, 1), I64(0, 4, 8, 12, 16, 20));
  expect_layout(p[1], SH(2, 3, 3), SH(12, 4, 1), 1, false);
  assert_int_equal(tc_unbind(x, 1, p, 4), 3);
  expect_i64(p[1], SH(2, 4), I64(4, 5, 6, 7, 16, 17, 18, 19));
  /* the pieces alias x */
  assert_int_equal(tc_fill_(p[1], -1), TC_OK);
  expect_i64(tc_select(tc_select(x, 0, 1), 0, 1), SH(4), I64(-1, -1, -1, -1));
  assert_int_equal(tc_split(x, -1, 0, p, 4), -1);
  expect_status_err(ctx, TC_ERR_ARG, "split expects split_size be non-negative, but got split_size=-1");
  assert_int_equal(tc_split_sizes(x, (const int64_t[]){1, 2}, 2, 0, p), -1);
  expect_status_err(ctx, TC_ERR_ARG, "split_with_sizes expects split_sizes to sum exactly to 2");
  assert_int_equal(tc_chunk(x, 0, 0, p, 4), -1);
  expect_status_err(ctx, TC_ERR_ARG, "chunk expects `chunks` to be greater than 0, got: 0");
}

/* ---- flips, rolls, triangles, diagonals, repeats ---- */

TC_CASE(flip_and_roll_copy_in_pytorchs_order) {
  expect_i64(tc_flip(X(ctx), (const int[]){0, 2}, 2), SH(2, 3, 4),
             I64(15, 14, 13, 12, 19, 18, 17, 16, 23, 22, 21, 20, 3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8));
  expect(tc_fliplr(M(ctx)), TC_F32, SH(3, 4), V(3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8));
  expect(tc_flipud(M(ctx)), TC_F32, SH(3, 4), V(8, 9, 10, 11, 4, 5, 6, 7, 0, 1, 2, 3));
  expect_layout(tc_flip(M(ctx), (const int[]){1}, 1), SH(3, 4), SH(4, 1), 0, true);
  expect(tc_roll(M(ctx), (const int64_t[]){1, -2}, 2, (const int[]){0, 1}, 2), TC_F32, SH(3, 4),
         V(10, 11, 8, 9, 2, 3, 0, 1, 6, 7, 4, 5));
  expect(tc_roll(M(ctx), (const int64_t[]){5}, 1, NULL, 0), TC_F32, SH(3, 4), V(7, 8, 9, 10, 11, 0, 1, 2, 3, 4, 5, 6));
  expect_err(ctx, tc_flip(M(ctx), (const int[]){0, 0}, 2), "dim 0 appears multiple times in the list of dims");
  expect_err(ctx, tc_fliplr(tc_arange_int(ctx, 0, 3, 1)), "Input must be >= 2-d.");
  expect_err(ctx, tc_roll(A(ctx), (const int64_t[]){1, 2}, 2, (const int[]){0}, 1),
             "shifts and dimensions must align. shifts: 2, dims:1");
}

TC_CASE(tril_triu_and_diagonals_follow_pytorch) {
  expect(tc_tril(M(ctx), 0), TC_F32, SH(3, 4), V(0, 0, 0, 0, 4, 5, 0, 0, 8, 9, 10, 0));
  expect(tc_triu(M(ctx), 1), TC_F32, SH(3, 4), V(0, 1, 2, 3, 0, 0, 6, 7, 0, 0, 0, 11));
  expect(tc_tril(M(ctx), -1), TC_F32, SH(3, 4), V(0, 0, 0, 0, 4, 0, 0, 0, 8, 9, 0, 0));
  expect(tc_tril(tc_to_dtype(X(ctx), TC_F32), 1), TC_F32, SH(2, 3, 4),
         V(0, 1, 0, 0, 4, 5, 6, 0, 8, 9, 10, 11, 12, 13, 0, 0, 16, 17, 18, 0, 20, 21, 22, 23));
  expect_err(ctx, tc_tril(tc_arange_int(ctx, 0, 3, 1), 0), "tril: input tensor must have at least 2 dimensions");
  tc_tensor *d = tc_diagonal(X(ctx), 1, 1, 2);
  expect_layout(d, SH(2, 3), SH(12, 5), 1, false);
  expect_i64(d, SH(2, 3), I64(1, 6, 11, 13, 18, 23));
  expect(tc_diagonal(M(ctx), -1, 0, 1), TC_F32, SH(2), V(4, 9));
  tc_tensor *v = tc_from_data(ctx, (const float[]){1, 2, 3}, TC_F32, 1, (const int64_t[]){3});
  expect(tc_diag(v, 1), TC_F32, SH(4, 4), V(0, 1, 0, 0, 0, 0, 2, 0, 0, 0, 0, 3, 0, 0, 0, 0));
  expect(tc_diag(v, -2), TC_F32, SH(5, 5),
         V(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 3, 0, 0));
  expect(tc_diag(M(ctx), -1), TC_F32, SH(2), V(4, 9));
  expect(tc_diag_embed(A(ctx), 1, 0, 2), TC_F32, SH(4, 2, 4),
         V(0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 1, 0, 0, 0, 4, 0, 0, 0, 0, 2, 0, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0));
  expect_err(ctx, tc_diagonal(A(ctx), 0, 1, 1), "diagonal dimensions cannot be identical 1, 1");
  expect_err(ctx, tc_diag(tc_zeros(ctx, TC_F32, 3, (const int64_t[]){2, 2, 2}), 0),
             "diag(): Supports 1D or 2D tensors. Got 3D");
}

TC_CASE(repeat_tile_and_repeat_interleave_copy_as_pytorch) {
  expect(tc_repeat(A(ctx), 3, (const int64_t[]){2, 1, 2}), TC_F32, SH(2, 2, 6),
         V(0, 1, 2, 0, 1, 2, 3, 4, 5, 3, 4, 5, 0, 1, 2, 0, 1, 2, 3, 4, 5, 3, 4, 5));
  expect(tc_tile(A(ctx), 1, (const int64_t[]){2}), TC_F32, SH(2, 6), V(0, 1, 2, 0, 1, 2, 3, 4, 5, 3, 4, 5));
  expect(tc_repeat_interleave(A(ctx), 2, NULL), TC_F32, SH(12), V(0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5));
  expect(tc_repeat_interleave(A(ctx), 2, (const int[]){1}), TC_F32, SH(2, 6), V(0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5));
  expect_err(ctx, tc_repeat(A(ctx), 1, (const int64_t[]){2}),
             "Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor");
}

TC_CASE(meshgrid_gives_expanded_views_in_ij_and_xy_order) {
  tc_tensor *a = tc_arange_int(ctx, 0, 3, 1), *b = tc_arange_int(ctx, 10, 12, 1), *g[2];
  assert_int_equal(tc_meshgrid(ctx, L(a, b), "xy", g), TC_OK);
  expect_layout(g[0], SH(2, 3), SH(0, 1), 0, false);
  expect_layout(g[1], SH(2, 3), SH(1, 0), 0, false);
  expect_i64(g[0], SH(2, 3), I64(0, 1, 2, 0, 1, 2));
  expect_i64(g[1], SH(2, 3), I64(10, 10, 10, 11, 11, 11));
  assert_int_equal(tc_meshgrid(ctx, L(a, b), NULL, g), TC_OK);
  expect_layout(g[0], SH(3, 2), SH(1, 0), 0, false);
  expect_layout(g[1], SH(3, 2), SH(0, 1), 0, false);
  expect_status_err(ctx, tc_meshgrid(ctx, L(a, tc_to_dtype(b, TC_F32)), "ij", g),
                    "meshgrid expects all tensors to have the same dtype");
  expect_status_err(ctx, tc_meshgrid(ctx, L(a, b), "yx", g), "indexing must be one of \"xy\" or \"ij\"");
  expect_status_err(ctx, tc_meshgrid(ctx, NULL, 0, NULL, g), "meshgrid expects a non-empty TensorList");
  /* PyTorch raises ValueError for an empty cat, IndexError for unbind of a 0-d tensor */
  tc_tensor *none = tc_cat(ctx, NULL, 0, 0);
  assert_int_equal(tc_last_error_kind(ctx), TC_KIND_VALUE);
  expect_err(ctx, none, "torch.cat(): expected a non-empty list of Tensors");
  tc_tensor *parts[1];
  assert_int_equal(tc_unbind(tc_scalar(ctx, 3, TC_I64), 0, parts, 1), -1);
  assert_int_equal(tc_last_error_kind(ctx), TC_KIND_INDEX);
  expect_err(ctx, NULL, "Dimension specified as 0 but tensor has no dimensions");
}

/* ---- reads at data-dependent positions ---- */

static tc_tensor *I(tc_ctx *ctx, const int64_t *v, int n, const int64_t *shape, int nd) {
  (void)n;
  return tc_from_data(ctx, v, TC_I64, nd, shape);
}

TC_CASE(gather_take_and_take_along_dim_read_what_pytorch_reads) {
  tc_tensor *m = M(ctx);
  expect(tc_gather(m, 1, I(ctx, (const int64_t[]){0, 1, 1, 2, 3, 3}, 6, (const int64_t[]){3, 2}, 2)), TC_F32, SH(3, 2),
         V(0, 1, 5, 6, 11, 11));
  expect(tc_gather(m, 0, I(ctx, (const int64_t[]){2, 1, 0, 1}, 4, (const int64_t[]){1, 4}, 2)), TC_F32, SH(1, 4),
         V(8, 5, 2, 7));
  /* a transposed source is read through its strides, not copied */
  expect(tc_gather(tc_t(m), 1, I(ctx, (const int64_t[]){2, 0}, 2, (const int64_t[]){2, 1}, 2)), TC_F32, SH(2, 1),
         V(8, 1));
  expect(tc_take(m, I(ctx, (const int64_t[]){0, 11, -1, 5}, 4, (const int64_t[]){2, 2}, 2)), TC_F32, SH(2, 2),
         V(0, 11, 11, 5));
  expect(tc_take(tc_t(m), I(ctx, (const int64_t[]){1, 2}, 2, (const int64_t[]){2}, 1)), TC_F32, SH(2), V(4, 8));
  expect(tc_take_along_dim(m, I(ctx, (const int64_t[]){0, 2, 1}, 3, (const int64_t[]){3, 1}, 2), (const int[]){1}),
         TC_F32, SH(3, 1), V(0, 6, 9));
  expect(tc_take_along_dim(m, I(ctx, (const int64_t[]){3, 0}, 2, (const int64_t[]){1, 2}, 2), (const int[]){1}),
         TC_F32, SH(3, 2), V(3, 0, 7, 4, 11, 8));
  expect(tc_take_along_dim(m, I(ctx, (const int64_t[]){11, 0}, 2, (const int64_t[]){2}, 1), NULL), TC_F32, SH(2),
         V(11, 0));
  expect(tc_index_select(m, 1, I(ctx, (const int64_t[]){3, 0, 1}, 3, (const int64_t[]){3}, 1)), TC_F32, SH(3, 3),
         V(3, 0, 1, 7, 4, 5, 11, 8, 9));
  tc_tensor *i32 = tc_to_dtype(I(ctx, (const int64_t[]){2, 2}, 2, (const int64_t[]){2}, 1), TC_I32);
  expect(tc_index_select(m, 0, i32), TC_F32, SH(2, 4), V(8, 9, 10, 11, 8, 9, 10, 11));
  expect_err(ctx, tc_test_realized(tc_gather(m, 1, I(ctx, (const int64_t[]){0, 4}, 2, (const int64_t[]){1, 2}, 2))),
             "index 4 is out of bounds for dimension 1 with size 4");
  expect_err(ctx, tc_test_realized(tc_gather(m, 1, I(ctx, (const int64_t[]){0, -1}, 2, (const int64_t[]){1, 2}, 2))),
             "index -1 is out of bounds for dimension 1 with size 4");
  expect_err(ctx, tc_gather(m, 1, I(ctx, (const int64_t[]){0, 1}, 2, (const int64_t[]){2}, 1)),
             "Index tensor must have the same number of dimensions as input tensor");
  expect_err(ctx, tc_gather(m, 0, I(ctx, (const int64_t[]){0, 1, 1, 0, 0}, 5, (const int64_t[]){1, 5}, 2)),
             "Size does not match at dimension 1 expected index [1, 5] to be no larger than self [3, 4] apart from "
             "dimension 0");
  expect_err(ctx, tc_test_realized(tc_take(m, I(ctx, (const int64_t[]){12}, 1, (const int64_t[]){1}, 1))),
             "out of range: tried to access index 12 on a tensor of 12 elements.");
}

TC_CASE(a_gather_fuses_its_offsets_and_its_consumers_into_one_kernel) {
  /* x (1000, 64) in memory; y = (x.gather(1, idx) * 2).sum(1): the offsets
   * (from idx) and the sum run in the gather's kernel */
  tc_tensor *x = tc_reshape(tc_arange(ctx, 0, 64000, 1, TC_F32), 2, (const int64_t[]){1000, 64});
  tc_tensor *idx = tc_remainder(tc_reshape(tc_arange_int(ctx, 0, 56000, 7), 2, (const int64_t[]){1000, 8}), tc_scalar(ctx, 64, TC_I64));
  assert_int_equal(tc_realize_many((tc_tensor *[]){x, idx}, 2), TC_OK);
  tc_reset_stats(ctx);
  tc_tensor *g = tc_gather(x, 1, idx), *g2 = tc_mul_scalar(g, 2);
  tc_tensor *s = tc_sum(g2, (const int[]){1}, 1, false);
  tc_tensor_release(g), tc_tensor_release(g2);
  assert_int_equal(tc_realize(s), TC_OK);
  /* the bounds check (one reduction) and the gather */
  assert_int_equal(tc_get_stats(ctx).kernels_launched, 2);
  double *r = tc_test_read(s, __FILE__, __LINE__);
  int bad = 0;
  for (int i = 0; i < 1000; i++) {
    double want = 0;
    for (int j = 0; j < 8; j++) want += 2.0 * (i * 64 + ((i * 8 + j) * 7) % 64);
    bad += r[i] != want;
  }
  free(r);
  assert_int_equal(bad, 0);
}

/* ---- scans ---- */

TC_CASE(scans_run_in_index_order_with_pytorchs_dtypes) {
  tc_tensor *m = M(ctx);
  expect(tc_cumsum(m, 1, NULL), TC_F32, SH(3, 4), V(0, 1, 3, 6, 4, 9, 15, 22, 8, 17, 27, 38));
  expect(tc_cumsum(m, 0, NULL), TC_F32, SH(3, 4), V(0, 1, 2, 3, 4, 6, 8, 10, 12, 15, 18, 21));
  expect(tc_cumprod(tc_add_scalar(m, 1), -1, NULL), TC_F32, SH(3, 4),
         V(1, 2, 6, 24, 5, 30, 210, 1680, 9, 90, 990, 11880));
  tc_tensor *i32 = tc_from_data(ctx, (const int32_t[]){1, 2, 3, 4}, TC_I32, 2, (const int64_t[]){2, 2});
  expect_i64(tc_cumsum(i32, 0, NULL), SH(2, 2), I64(1, 2, 4, 6)); /* int64, as PyTorch */
  expect(tc_cumsum(i32, 0, &(tc_dtype){TC_F64}), TC_F64, SH(2, 2), V(1, 2, 4, 6));
  expect(tc_cumsum(tc_to_dtype(tc_arange(ctx, 0, 6, 1, TC_F32), TC_F16), 0, NULL), TC_F16, SH(6), V(0, 1, 3, 6, 10, 15));
  expect(tc_cumsum(tc_scalar(ctx, 3, TC_F32), 0, NULL), TC_F32, SH0, V(3));
  /* a sum starts from +0.0, as PyTorch's: a cumsum of -0.0 is 0.0, in a
   * short row and in a blocked long one */
  for (int64_t n = 5; n <= 300000; n += 299995) {
    double *z = tc_test_read(tc_cumsum(tc_full(ctx, -0.0, TC_F64, 1, &n), 0, NULL), __FILE__, __LINE__);
    int neg = 0;
    for (int64_t i = 0; i < n; i++) neg += signbit(z[i]) != 0;
    free(z);
    assert_int_equal(neg, 0);
  }
  /* float32 sums and products run in float64, as PyTorch's CPU kernel:
   * the running value keeps what float32 would round away */
  tc_tensor *big = tc_from_data(ctx, (const float[]){1e8f, 1, -1e8f}, TC_F32, 1, (const int64_t[]){3});
  expect(tc_cumsum(big, 0, NULL), TC_F32, SH(3), V(1e8, 1e8, 1));
  tc_tensor *huge = tc_from_data(ctx, (const float[]){3e38f, 3e38f, -3e38f}, TC_F32, 1, (const int64_t[]){3});
  expect(tc_cumsum(huge, 0, NULL), TC_F32, SH(3), V(3e38f, INFINITY, 3e38f));
  tc_tensor *tiny = tc_from_data(ctx, (const float[]){1e-30f, 1e-30f, 1e30f, 1e-30f}, TC_F32, 1, (const int64_t[]){4});
  expect(tc_cumprod(tiny, 0, NULL), TC_F32, SH(4), V(1e-30f, 0, 1e-30f, 0));
  tc_tensor *l = tc_from_data(ctx, (const float[]){-1000, 0, INFINITY, 1}, TC_F32, 1, (const int64_t[]){4});
  expect(tc_logcumsumexp(l, 0), TC_F32, SH(4), V(-1000, 0, INFINITY, INFINITY));
  tc_tensor *l2 = tc_from_data(ctx, (const float[]){0.5, 1.5, -2}, TC_F32, 1, (const int64_t[]){3});
  expect(tc_logcumsumexp(l2, 0), TC_F32, SH(3), V(0.5, 1.81326162815094, 1.8350975513458252));
  tc_tensor *x = tc_from_data(ctx, (const float[]){1, 3, 3, 2, NAN, 1, 5, 5}, TC_F32, 2, (const int64_t[]){2, 4});
  tc_tensor *v, *i;
  assert_int_equal(tc_cummax(x, 1, &v, &i), TC_OK);
  expect(v, TC_F32, SH(2, 4), V(1, 3, 3, 3, NAN, NAN, NAN, NAN));
  expect_i64(i, SH(2, 4), I64(0, 1, 2, 2, 0, 0, 0, 0));
  assert_int_equal(tc_cummin(x, 1, &v, &i), TC_OK);
  expect(v, TC_F32, SH(2, 4), V(1, 1, 1, 1, NAN, NAN, NAN, NAN));
  expect_i64(i, SH(2, 4), I64(0, 0, 0, 0, 0, 0, 0, 0));
  tc_tensor *col = tc_t(tc_from_data(ctx, (const int64_t[]){3, 1, 4, 1, 5, 9, 2, 6}, TC_I64, 2, (const int64_t[]){1, 8}));
  assert_int_equal(tc_cummax(col, 0, &v, &i), TC_OK);
  expect_i64(v, SH(8, 1), I64(3, 3, 4, 4, 5, 9, 9, 9));
  expect_i64(i, SH(8, 1), I64(0, 0, 2, 2, 4, 5, 5, 5));
  expect_err(ctx, tc_logcumsumexp(i32, 0), "not implemented for 'Int'");
  expect_err(ctx, tc_cumsum(m, 2, NULL), "Dimension out of range (expected to be in range of [-2, 1], but got 2)");
}

TC_CASE(a_long_scan_of_a_stored_tensor_reads_it_in_place) {
  /* 16 blocks, no padding: the block scan reads x through a view (no copy
   * of x), the blocks' totals are read through a view of the block scan */
  int64_t n = 4096 * 16;
  tc_tensor *x = tc_arange(ctx, 0, (double)n, 1, TC_F64);
  assert_int_equal(tc_realize(x), TC_OK);
  tc_reset_stats(ctx);
  tc_tensor *c = tc_cumsum(x, 0, NULL);
  assert_int_equal(tc_realize(c), TC_OK);
  tc_stats st = tc_get_stats(ctx);
  if (st.kernels_launched > 4 || st.elements_computed > 2 * (uint64_t)n + 64)
    fail_msg("%llu kernels, %llu elements computed", (unsigned long long)st.kernels_launched,
             (unsigned long long)st.elements_computed);
  double *r = tc_test_read(c, __FILE__, __LINE__);
  int bad = 0;
  for (int64_t i = 0; i < n; i++) bad += r[i] != (double)i * (i + 1) / 2;
  free(r);
  assert_int_equal(bad, 0);
}

TC_CASE(a_long_scan_of_a_length_off_the_blocks_copies_nothing) {
  /* 1-D, 100 elements past whole blocks: the whole blocks' scan reads the
   * mask's comparison where it scans it (no copy), the last block is
   * scanned alone through its padding, and the result is the first n
   * elements of the blocked result's storage (no narrowing kernel): 5
   * kernels, about 2n elements */
  int64_t n = 4096 * 40 + 100;
  tc_tensor *x = tc_remainder(tc_arange(ctx, 0, (double)n, 1, TC_F32), tc_scalar(ctx, 7, TC_F32));
  assert_int_equal(tc_realize(x), TC_OK);
  tc_reset_stats(ctx);
  tc_tensor *c = tc_cumsum(tc_lt(x, tc_scalar(ctx, 3, TC_F32)), 0, NULL);
  assert_int_equal(tc_realize(c), TC_OK);
  tc_stats st = tc_get_stats(ctx);
  if (st.kernels_launched > 5 || st.elements_computed > 2 * (uint64_t)n + 4096 * 2 + 64)
    fail_msg("%llu kernels, %llu elements computed", (unsigned long long)st.kernels_launched,
             (unsigned long long)st.elements_computed);
  assert_int_equal(tc_tensor_dtype(c), TC_I64);
  expect_layout(c, SH(n), SH(1), 0, true);
  double *r = tc_test_read(c, __FILE__, __LINE__);
  int bad = 0;
  for (int64_t i = 0, k = 0; i < n; i++) {
    k += i % 7 < 3;
    bad += r[i] != (double)k;
  }
  free(r);
  assert_int_equal(bad, 0);
}

TC_CASE(long_rows_scan_in_blocks_with_the_sequential_results) {
  /* cumsum of (x * 2 + 1) over 100000 elements (blocked: few long rows);
   * exact in float64: c[i] = (i + 1)^2 */
  int64_t n = 100000;
  tc_tensor *x = tc_arange(ctx, 0, (double)n, 1, TC_F64);
  assert_int_equal(tc_realize(x), TC_OK);
  tc_reset_stats(ctx);
  tc_tensor *y = tc_add_scalar(tc_mul_scalar(x, 2), 1), *c = tc_cumsum(y, 0, NULL);
  tc_tensor_release(y);
  assert_int_equal(tc_realize(c), TC_OK);
  tc_stats st = tc_get_stats(ctx);
  assert_true(st.kernels_launched <= 6);
  assert_true(st.elements_computed <= 5 * (uint64_t)n); /* a few passes, never n^2 */
  double *r = tc_test_read(c, __FILE__, __LINE__);
  int bad = 0;
  for (int64_t i = 0; i < n; i++) bad += r[i] != (double)(i + 1) * (i + 1);
  free(r);
  assert_int_equal(bad, 0);
  /* cummax of a sawtooth with a NaN, and cumprod / logcumsumexp, along a
   * long dim 1 of 2 rows, against C */
  int64_t m = 40000;
  tc_tensor *saw = tc_remainder(tc_arange(ctx, 0, (double)(2 * m), 1, TC_F32), tc_scalar(ctx, 9973, TC_F32));
  saw = tc_reshape(saw, 2, (const int64_t[]){2, m});
  tc_tensor *v, *ix;
  assert_int_equal(tc_cummax(saw, 1, &v, &ix), TC_OK);
  double *vv = tc_test_read(v, __FILE__, __LINE__), *ii = tc_test_read(ix, __FILE__, __LINE__);
  for (int row = 0; row < 2; row++) {
    double best = -INFINITY;
    int64_t bi = 0;
    for (int64_t j = 0; j < m; j++) {
      double e = (double)((row * m + j) % 9973);
      if (e >= best) best = e, bi = j;
      bad += vv[row * m + j] != best || ii[row * m + j] != (double)bi;
    }
  }
  free(vv), free(ii);
  assert_int_equal(bad, 0);
  tc_tensor *small = tc_add_scalar(tc_mul_scalar(tc_rand(ctx, TC_F64, 1, &m), 1e-4), 1);
  double *sv = tc_test_read(small, __FILE__, __LINE__), *pv = tc_test_read(tc_cumprod(small, 0, NULL), __FILE__, __LINE__);
  double *lv = tc_test_read(tc_logcumsumexp(small, 0), __FILE__, __LINE__);
  double p = 1, l = -INFINITY;
  for (int64_t j = 0; j < m; j++) {
    p *= sv[j];
    l = fmax(l, sv[j]) + log1p(exp(-fabs(l - sv[j])));
    bad += fabs(pv[j] - p) > 1e-9 * p || fabs(lv[j] - l) > 1e-9 * fabs(l);
  }
  free(sv), free(pv), free(lv);
  assert_int_equal(bad, 0);
}

/* Scans over many rows, compiled (SCAN_LANES rows interleaved, and the
 * rows past the last whole panel one at a time, on each thread's range;
 * integer sums 16 steps at a time, loaded and stored as vectors where the
 * row is contiguous), give the interpreter's bits: every float row still
 * combines in index order. */
static void scan_bits(tc_ctx *c, int op, int dim, int64_t r, int64_t n, void *out, size_t bytes) {
  tc_scope_begin(c);
  tc_manual_seed(c, 7);
  tc_tensor *x = tc_randn(c, TC_F32, 2, (const int64_t[]){r, n}), *y = NULL, *ix = NULL;
  if (op == 0) y = tc_cumsum(tc_mul_scalar(x, 3), dim, NULL);
  if (op == 1) y = tc_cumprod(tc_add_scalar(tc_mul_scalar(x, 0.01), 1), dim, NULL);
  if (op == 2) y = tc_logcumsumexp(x, dim);
  if (op == 3) assert_int_equal(tc_cummax(x, dim, &y, &ix), TC_OK);
  /* integer sums (vectorized with shifted adds): int32 to int64, and a
   * mask's count as int32, both 4 bytes an element here */
  if (op == 4) y = tc_to_dtype(tc_cumsum(tc_to_dtype(tc_mul_scalar(x, 1000), TC_I32), dim, NULL), TC_I32);
  if (op == 5) y = tc_cumsum(tc_gt(x, tc_scalar(c, 0.3, TC_F32)), dim, &(tc_dtype){TC_I32});
  assert_non_null(y);
  assert_int_equal(tc_copy_to_host(y, out, bytes), TC_OK);
  tc_scope_end(c);
}

static void scans_of_many_rows_give_the_interpreters_bits(void **state) {
  (void)state;
  setenv("TC_INTERP_BUDGET", "0", 1); /* every kernel compiled */
  tc_ctx *fast = tc_ctx_new(NULL);
  setenv("TC_BACKEND", "interp", 1);
  tc_ctx *ref = tc_ctx_new(NULL);
  unsetenv("TC_BACKEND");
  unsetenv("TC_INTERP_BUDGET");
  static const int64_t shapes[][3] = {{37, 300, 1}, {300, 37, 0}, {3, 50, 1}, {9, 20000, 1}, {1, 100003, 1}};
  for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
    for (int op = 0; op < 6; op++) {
      size_t bytes = (size_t)(shapes[s][0] * shapes[s][1]) * sizeof(float);
      void *a = malloc(bytes), *b = malloc(bytes);
      scan_bits(fast, op, (int)shapes[s][2], shapes[s][0], shapes[s][1], a, bytes);
      scan_bits(ref, op, (int)shapes[s][2], shapes[s][0], shapes[s][1], b, bytes);
      if (memcmp(a, b, bytes)) fail_msg("shape %zu, scan %d: compiled and interpreted bits differ", s, op);
      free(a);
      free(b);
    }
  tc_ctx_free(fast);
  tc_ctx_free(ref);
}

TC_CASE(a_masked_selection_is_a_count_and_a_compaction) {
  /* x[mask] over 30 blocks and 77 elements: one reduction counts the
   * blocks, one scan places them, and a compaction for the whole blocks
   * and one for the rest write the kept elements, in order: each element
   * is looked at twice (counted, then kept or not), nothing else is
   * computed. Every dtype's bytes move unchanged. */
  int64_t n = 4096 * 30 + 77;
  tc_tensor *i = tc_arange_int(ctx, 0, n, 1);
  tc_tensor *x = tc_sub(tc_remainder(tc_mul_scalar(i, 37), tc_scalar(ctx, 101, TC_I64)), tc_scalar(ctx, 50, TC_I64));
  tc_tensor *m = tc_lt(tc_remainder(tc_mul_scalar(i, 13), tc_scalar(ctx, 7, TC_I64)), tc_scalar(ctx, 3, TC_I64));
  assert_int_equal(tc_realize(x), TC_OK);
  assert_int_equal(tc_realize(m), TC_OK);
  int64_t kept = 0;
  for (int64_t j = 0; j < n; j++) kept += (j * 13) % 7 < 3;
  const tc_dtype dts[] = {TC_F32, TC_F64, TC_F16, TC_I8, TC_I64, TC_BOOL, TC_I32};
  for (size_t d = 0; d < sizeof dts / sizeof dts[0]; d++) {
    tc_tensor *xd = tc_to_dtype(x, dts[d]);
    assert_int_equal(tc_realize(xd), TC_OK);
    tc_reset_stats(ctx);
    tc_tensor *y = tc_masked_select(xd, m);
    assert_non_null(y);
    assert_int_equal(tc_realize(y), TC_OK);
    tc_stats st = tc_get_stats(ctx);
    if (st.kernels_launched > 4 || st.elements_computed > 2 * (uint64_t)(31 * 4096) + 128)
      fail_msg("dtype %d: %llu kernels, %llu elements computed", (int)dts[d], (unsigned long long)st.kernels_launched,
               (unsigned long long)st.elements_computed);
    assert_int_equal(tc_tensor_dtype(y), dts[d]);
    expect_layout(y, SH(kept), SH(1), 0, true);
    double *r = tc_test_read(y, __FILE__, __LINE__);
    int64_t bad = 0;
    for (int64_t j = 0, k = 0; j < n; j++) {
      if ((j * 13) % 7 >= 3) continue;
      double v = (double)((j * 37) % 101 - 50);
      bad += r[k++] != (dts[d] == TC_BOOL ? (double)(v != 0) : v);
    }
    free(r);
    if (bad) fail_msg("dtype %d: %lld of %lld elements differ", (int)dts[d], (long long)bad, (long long)kept);
  }
  /* nonzero of a 3-D tensor: the flat positions compacted, their
   * coordinates computed from them (count x 3, column-major) */
  int64_t sh[3] = {7, 1000, 9};
  tc_tensor *z = tc_reshape(tc_narrow(m, 0, 0, 63000), 3, sh);
  tc_tensor *nz = tc_nonzero(z);
  assert_non_null(nz);
  int64_t cnt = 0;
  for (int64_t j = 0; j < 63000; j++) cnt += (j * 13) % 7 < 3;
  expect_layout(nz, SH(cnt, 3), SH(1, cnt), 0, false);
  double *r = tc_test_read(tc_contiguous(nz), __FILE__, __LINE__);
  int64_t bad = 0;
  for (int64_t j = 0, k = 0; j < 63000; j++) {
    if ((j * 13) % 7 >= 3) continue;
    bad += r[3 * k] != (double)(j / 9000) || r[3 * k + 1] != (double)(j / 9 % 1000) || r[3 * k + 2] != (double)(j % 9);
    k++;
  }
  free(r);
  assert_int_equal(bad, 0);
  /* nothing kept, and nothing to keep */
  tc_tensor *none = tc_masked_select(x, tc_lt(x, tc_scalar(ctx, -1000, TC_I64)));
  expect_layout(none, SH(0), SH(1), 0, true);
  tc_tensor *e = tc_zeros(ctx, TC_F32, 1, (const int64_t[]){0});
  expect_layout(tc_masked_select(e, tc_gt(e, tc_scalar(ctx, 0, TC_F32))), SH(0), SH(1), 0, true);
}

/* Compactions and scatters at data positions, compiled (vectorized, their
 * stores lane by lane, in an alias scope no load is in), give the
 * interpreter's values: masked_select of 100003 elements, and index_put_
 * of 100003 values at reversed positions. */
static void scatter_bits(tc_ctx *c, int op, void *out, size_t bytes) {
  int64_t n = 100003;
  tc_scope_begin(c);
  tc_manual_seed(c, 11);
  tc_tensor *x = tc_randn(c, TC_F32, 1, &n), *y = NULL;
  if (op == 0) y = tc_masked_select(x, tc_gt(x, tc_scalar(c, 0.3, TC_F32)));
  if (op == 1) {
    tc_tensor *idx = tc_flip(tc_arange_int(c, 0, n, 1), (const int[]){0}, 1);
    y = tc_mul_scalar(x, 1);
    assert_int_equal(tc_index_put_(y, 1, &idx, tc_add_scalar(x, 2), false), TC_OK);
  }
  assert_non_null(y);
  memset(out, 0, bytes);
  assert_int_equal(tc_copy_to_host(y, out, (size_t)tc_tensor_numel(y) * sizeof(float)), TC_OK);
  tc_scope_end(c);
}

static void scatters_give_the_interpreters_values(void **state) {
  (void)state;
  setenv("TC_INTERP_BUDGET", "0", 1);
  tc_ctx *fast = tc_ctx_new(NULL);
  setenv("TC_BACKEND", "interp", 1);
  tc_ctx *ref = tc_ctx_new(NULL);
  unsetenv("TC_BACKEND");
  unsetenv("TC_INTERP_BUDGET");
  size_t bytes = 100003 * sizeof(float);
  for (int op = 0; op < 2; op++) {
    void *a = malloc(bytes), *b = malloc(bytes);
    scatter_bits(fast, op, a, bytes);
    scatter_bits(ref, op, b, bytes);
    if (memcmp(a, b, bytes)) fail_msg("op %d: compiled and interpreted values differ", op);
    free(a);
    free(b);
  }
  tc_ctx_free(fast);
  tc_ctx_free(ref);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      TC_TEST(cat_joins_along_any_dim_and_promotes_dtypes),
      TC_TEST(cat_skips_1d_empty_tensors_and_refuses_what_pytorch_refuses),
      TC_TEST(stack_and_its_variants_add_or_join_dims_as_pytorch),
      TC_TEST(large_cats_along_inner_and_outer_dims_match_the_element_rule),
      TC_TEST(a_cat_of_elementwise_expressions_is_one_kernel),
      TC_TEST(a_window_rebuilt_by_cat_in_a_loop_compiles_once),
      TC_TEST(split_chunk_and_unbind_give_views_of_pytorchs_sizes),
      TC_TEST(flip_and_roll_copy_in_pytorchs_order),
      TC_TEST(tril_triu_and_diagonals_follow_pytorch),
      TC_TEST(repeat_tile_and_repeat_interleave_copy_as_pytorch),
      TC_TEST(meshgrid_gives_expanded_views_in_ij_and_xy_order),
      TC_TEST(gather_take_and_take_along_dim_read_what_pytorch_reads),
      TC_TEST(a_gather_fuses_its_offsets_and_its_consumers_into_one_kernel),
      TC_TEST(scans_run_in_index_order_with_pytorchs_dtypes),
      TC_TEST(a_long_scan_of_a_stored_tensor_reads_it_in_place),
      TC_TEST(long_rows_scan_in_blocks_with_the_sequential_results),
      TC_TEST(a_long_scan_of_a_length_off_the_blocks_copies_nothing),
      TC_TEST(a_masked_selection_is_a_count_and_a_compaction),
      cmocka_unit_test(scans_of_many_rows_give_the_interpreters_bits),
      cmocka_unit_test(scatters_give_the_interpreters_values),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
