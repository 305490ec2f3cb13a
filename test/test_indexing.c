/*
 * test_indexing.c — tc_index and tc_index_set_ (Python's a[...] and
 * a[...] = v for C) against PyTorch 2.x: basic items give views (shape,
 * strides, offset as PyTorch), integer tensors and masks give copies with
 * NumPy's placement of the advanced dims (adjacent: in place; separated:
 * in front), broadcasting of index tensors, Python bools, empty index
 * lists, PyTorch's messages; writes through views, through index tensors
 * (one scatter) and through masks (a lazy where, no read back). Run on the
 * CPU and with every tensor on cuda:0 (test_indexing_cuda).
 */
#include "tc_expect.h"

/* torch.arange(24).reshape(2, 3, 4) */
static tc_tensor *X(tc_ctx *ctx) {
  return tc_reshape(tc_arange_int(ctx, 0, 24, 1), 3, (const int64_t[]){2, 3, 4});
}
static tc_tensor *L1(tc_ctx *ctx, const int64_t *v, int64_t n) { return tc_from_data(ctx, v, TC_I64, 1, &n); }
static tc_tensor *B1(tc_ctx *ctx, const bool *v, int64_t n) { return tc_from_data(ctx, v, TC_BOOL, 1, &n); }
#define SPEC(...) (const tc_idx[]){__VA_ARGS__}, (int)(sizeof((const tc_idx[]){__VA_ARGS__}) / sizeof(tc_idx))

TC_CASE(basic_items_give_views_with_pytorchs_layout) {
  tc_tensor *x = X(ctx);
  tc_tensor *b = tc_index(x, SPEC(TC_I(1), TC_S(0, 3, 2), TC_NEWAXIS));
  expect_layout(b, SH(2, 1, 4), SH(8, 4, 1), 12, false);
  expect_i64(b, SH(2, 1, 4), I64(12, 13, 14, 15, 20, 21, 22, 23));
  expect_i64(tc_index(x, SPEC(TC_ELLIPSIS, TC_I(1))), SH(2, 3), I64(1, 5, 9, 13, 17, 21));
  expect_i64(tc_index(x, SPEC(TC_I(-1), TC_I(-1))), SH(4), I64(20, 21, 22, 23));
  tc_tensor *s = tc_index(x, SPEC(TC_ALL, TC_S(0, TC_SLICE_END, 2), TC_S(1, TC_SLICE_END, 2)));
  expect_layout(s, SH(2, 2, 2), SH(12, 8, 2), 1, false);
  expect_i64(s, SH(2, 2, 2), I64(1, 3, 9, 11, 13, 15, 21, 23));
  expect_i64(tc_index(x, SPEC(((tc_idx){.kind = TC_IDX_BOOL, .i = 0}))), SH(0, 2, 3, 4), NULL, 0);
  tc_tensor *t = tc_index(x, SPEC(((tc_idx){.kind = TC_IDX_BOOL, .i = 1})));
  expect_layout(t, SH(1, 2, 3, 4), SH(24, 12, 4, 1), 0, true);
  /* a 0-d integer tensor acts as an int */
  expect_i64(tc_index(x, SPEC(TC_T(tc_scalar(ctx, 1, TC_I64)), TC_I(2))), SH(4), I64(20, 21, 22, 23));
  /* a write through the view reaches x */
  assert_int_equal(tc_fill_(tc_index(x, SPEC(TC_I(0), TC_I(0))), -1), TC_OK);
  expect_i64(tc_index(x, SPEC(TC_I(0), TC_S(0, 2, 1), TC_I(0))), SH(2), I64(-1, 4));
  expect_err(ctx, tc_index(x, SPEC(TC_I(2))), "index 2 is out of bounds for dimension 0 with size 2");
  expect_err(ctx, tc_index(x, SPEC(TC_I(0), TC_I(0), TC_I(0), TC_I(0))), "too many indices for tensor of dimension 3");
  expect_err(ctx, tc_index(x, SPEC(TC_S(0, 1, 0))), "slice step cannot be zero");
}

TC_CASE(every_ellipsis_skips_the_dims_the_other_items_leave) {
  /* PyTorch 2.x: a[..., 0, ...] is a[:, :, 0]; b[..., None, ...] is (2, 3, 4, 5, 1) */
  tc_tensor *x = X(ctx);
  tc_tensor *e = tc_index(x, SPEC(TC_ELLIPSIS, TC_I(0), TC_ELLIPSIS));
  expect_layout(e, SH(2, 3), SH(12, 4), 0, false);
  expect_i64(e, SH(2, 3), I64(0, 4, 8, 12, 16, 20));
  tc_tensor *b = tc_reshape(tc_arange_int(ctx, 0, 120, 1), 4, (const int64_t[]){2, 3, 4, 5});
  expect_layout(tc_index(b, SPEC(TC_ELLIPSIS, TC_NEWAXIS, TC_ELLIPSIS)), SH(2, 3, 4, 5, 1), SH(60, 20, 5, 1, 1), 0,
                true);
  expect_layout(tc_index(x, SPEC(TC_ELLIPSIS, TC_ELLIPSIS)), SH(2, 3, 4), SH(12, 4, 1), 0, true);
  expect_i64(tc_index(x, SPEC(TC_I(1), TC_I(2), TC_I(3), TC_ELLIPSIS, TC_NEWAXIS, TC_ELLIPSIS)), SH(1), I64(23));
  expect_i64(tc_index(x, SPEC(TC_ELLIPSIS, TC_T(L1(ctx, (const int64_t[]){0, 3}, 2)), TC_ELLIPSIS)), SH(2, 3, 2),
             I64(0, 3, 4, 7, 8, 11, 12, 15, 16, 19, 20, 23));
  /* a slice from 0 with step 1 past the end is a no-op; other items fail as PyTorch's */
  expect_layout(tc_index(x, SPEC(TC_ELLIPSIS, TC_I(0), TC_ELLIPSIS, TC_ALL)), SH(2, 4), SH(12, 1), 0, false);
  expect_err(ctx, tc_index(x, SPEC(TC_ELLIPSIS, TC_I(0), TC_ELLIPSIS, TC_I(1))),
             "index 1 is out of bounds for dimension 3 with size 0");
  expect_err(ctx, tc_index(x, SPEC(TC_ELLIPSIS, TC_I(0), TC_ELLIPSIS, TC_S(1, 2, 1))),
             "Dimension out of range (expected to be in range of [-2, 1], but got 2)");
  expect_err(ctx, tc_index(x, SPEC(TC_ELLIPSIS, TC_I(0), TC_ELLIPSIS, TC_NEWAXIS)),
             "Dimension out of range (expected to be in range of [-3, 2], but got 4)");
  expect_err(ctx, tc_index(x, SPEC(TC_ELLIPSIS, TC_I(0), TC_ELLIPSIS, TC_T(L1(ctx, (const int64_t[]){0}, 1)))),
             "too many indices for tensor of dimension 2 (got 3)");
  /* writes: through the view, and through an index tensor */
  tc_tensor *w = tc_clone(x);
  assert_int_equal(tc_index_set_(w, SPEC(TC_ELLIPSIS, TC_I(1), TC_ELLIPSIS), tc_scalar(ctx, -1, TC_I64)), TC_OK);
  expect_i64(tc_index(w, SPEC(TC_I(0), TC_I(0))), SH(4), I64(0, -1, 2, 3));
  assert_int_equal(tc_index_set_(w, SPEC(TC_I(1), TC_ELLIPSIS, TC_T(L1(ctx, (const int64_t[]){0, 2}, 2)), TC_ELLIPSIS),
                                 tc_scalar(ctx, 9, TC_I64)),
                   TC_OK);
  expect_i64(tc_index(w, SPEC(TC_I(1), TC_I(2))), SH(4), I64(9, -1, 9, 23));
  expect_status_err(ctx, tc_index_set_(w, SPEC(TC_ELLIPSIS, TC_I(0), TC_ELLIPSIS, TC_I(1)), tc_scalar(ctx, 3, TC_I64)),
                    "index 1 is out of bounds for dimension 3 with size 0");
}

TC_CASE(index_tensors_and_masks_gather_with_numpys_placement) {
  tc_tensor *x = X(ctx);
  expect_i64(tc_index(x, SPEC(TC_T(L1(ctx, (const int64_t[]){1, 0}, 2)))), SH(2, 3, 4),
             I64(12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11));
  expect_i64(tc_index(x, SPEC(TC_ALL, TC_T(L1(ctx, (const int64_t[]){2, 0}, 2)), TC_T(L1(ctx, (const int64_t[]){1, 3}, 2)))),
             SH(2, 2), I64(9, 3, 21, 15));
  /* separated index tensors: their dims go first */
  expect_i64(tc_index(x, SPEC(TC_T(L1(ctx, (const int64_t[]){1, 0}, 2)), TC_ALL, TC_T(L1(ctx, (const int64_t[]){3, 2}, 2)))),
             SH(2, 3), I64(15, 19, 23, 2, 6, 10));
  /* (2, 1) and (2,) broadcast to (2, 2) */
  tc_tensor *col = tc_from_data(ctx, (const int64_t[]){0, 2}, TC_I64, 2, (const int64_t[]){2, 1});
  expect_i64(tc_index(x, SPEC(TC_ALL, TC_T(col), TC_T(L1(ctx, (const int64_t[]){1, 3}, 2)))), SH(2, 2, 2),
             I64(1, 3, 9, 11, 13, 15, 21, 23));
  tc_tensor *x0 = tc_index(x, SPEC(TC_I(0)));
  expect_i64(tc_index(x0, SPEC(TC_T(tc_gt(x0, tc_scalar(ctx, 5, TC_I64))))), SH(6), I64(6, 7, 8, 9, 10, 11));
  expect_i64(tc_index(x, SPEC(TC_ALL, TC_T(B1(ctx, (const bool[]){true, false, true}, 3)))), SH(2, 2, 4),
             I64(0, 1, 2, 3, 8, 9, 10, 11, 12, 13, 14, 15, 20, 21, 22, 23));
  /* a transposed source, read through its strides */
  expect_i64(tc_index(tc_t(x0), SPEC(TC_T(L1(ctx, (const int64_t[]){3, -4}, 2)))), SH(2, 3), I64(3, 7, 11, 0, 4, 8));
  /* int32 indices, and an empty list */
  expect_i64(tc_index(x, SPEC(TC_T(tc_to_dtype(L1(ctx, (const int64_t[]){1}, 1), TC_I32)), TC_I(2))), SH(1, 4),
             I64(20, 21, 22, 23));
  expect_i64(tc_index(x, SPEC(TC_T(tc_zeros(ctx, TC_I64, 1, (const int64_t[]){0})))), SH(0, 3, 4), NULL, 0);
  expect_err(ctx, tc_test_realized(tc_index(x, SPEC(TC_T(L1(ctx, (const int64_t[]){0, 5}, 2))))),
             "index 5 is out of bounds for dimension 0 with size 2");
  expect_err(ctx, tc_index(x, SPEC(TC_ALL, TC_T(L1(ctx, (const int64_t[]){0, 1}, 2)), TC_T(L1(ctx, (const int64_t[]){0, 1, 2}, 3)))),
             "shape mismatch: indexing tensors could not be broadcast together with shapes [2], [3]");
  expect_err(ctx, tc_index(x, SPEC(TC_T(tc_ones(ctx, TC_F32, 1, (const int64_t[]){1})))),
             "tensors used as indices must be long, int, byte or bool tensors");
  expect_err(ctx, tc_index(x, SPEC(TC_ALL, TC_T(B1(ctx, (const bool[]){true, false}, 2)))),
             "The shape of the mask [2] at index 0 does not match the shape of the indexed tensor [2, 3, 4] at index 1");
}

TC_CASE(index_set_writes_through_views_index_tensors_and_masks) {
  tc_tensor *y = tc_zeros(ctx, TC_F32, 2, (const int64_t[]){3, 4});
  tc_tensor *v56 = tc_from_data(ctx, (const float[]){5, 6}, TC_F32, 1, (const int64_t[]){2});
  assert_int_equal(tc_index_set_(y, SPEC(TC_T(L1(ctx, (const int64_t[]){0, 2}, 2)), TC_T(L1(ctx, (const int64_t[]){1, 3}, 2))), v56), TC_OK);
  expect(y, TC_F32, SH(3, 4), V(0, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 6));
  tc_reset_stats(ctx);
  assert_int_equal(tc_index_set_(y, SPEC(TC_T(tc_gt(y, tc_scalar(ctx, 4, TC_F32)))), tc_scalar(ctx, -1, TC_F32)), TC_OK);
  expect(y, TC_F32, SH(3, 4), V(0, -1, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1));
  assert_int_equal(tc_get_stats(ctx).kernels_launched, 1); /* the where, lazily fused with its read */
  assert_int_equal(tc_index_set_(y, SPEC(TC_I(1)), tc_arange(ctx, 0, 4, 1, TC_F32)), TC_OK);
  expect(y, TC_F32, SH(3, 4), V(0, -1, 0, 0, 0, 1, 2, 3, 0, 0, 0, -1));
  tc_tensor *c = tc_from_data(ctx, (const int64_t[]){7, 8, 9}, TC_I64, 2, (const int64_t[]){3, 1});
  assert_int_equal(tc_index_set_(y, SPEC(TC_ALL, TC_T(L1(ctx, (const int64_t[]){0, 0}, 2))), c), TC_OK);
  expect(y, TC_F32, SH(3, 4), V(7, -1, 0, 0, 8, 1, 2, 3, 9, 0, 0, -1));
  assert_int_equal(tc_index_set_(y, SPEC(TC_ELLIPSIS, TC_S(1, 3, 1)), tc_scalar(ctx, 2, TC_F32)), TC_OK);
  expect(y, TC_F32, SH(3, 4), V(7, 2, 2, 0, 8, 2, 2, 3, 9, 2, 2, -1));
  /* a byte mask with a value of more than one element indexes as a bool one (PyTorch, deprecated) */
  tc_tensor *w = tc_zeros(ctx, TC_F32, 2, (const int64_t[]){2, 3});
  assert_int_equal(tc_index_set_(w, SPEC(TC_T(tc_to_dtype(L1(ctx, (const int64_t[]){1, 0}, 2), TC_U8))), tc_arange(ctx, 4, 7, 1, TC_F32)), TC_OK);
  expect(w, TC_F32, SH(2, 3), V(4, 5, 6, 0, 0, 0));
  expect_status_err(ctx, tc_index_set_(y, SPEC(TC_T(L1(ctx, (const int64_t[]){0, 1}, 2))), tc_zeros(ctx, TC_F32, 2, (const int64_t[]){3, 4})),
                    "shape mismatch: value tensor of shape [3, 4] cannot be broadcast to indexing result of shape [2, 4]");
}

TC_CASE(a_stencil_updated_in_place_through_index_tensors_in_a_loop) {
  /* u[idx] = 0.5 * (u[idx - 1] + u[idx + 1]) on the interior, 200 steps,
   * against the same recurrence in C */
  enum { N = 64 };
  float ref[N];
  for (int i = 0; i < N; i++) ref[i] = (float)(i % 7);
  tc_tensor *u = tc_from_data(ctx, ref, TC_F32, 1, (const int64_t[]){N});
  int64_t iv[N - 2], lv[N - 2], rv[N - 2];
  for (int i = 0; i < N - 2; i++) iv[i] = i + 1, lv[i] = i, rv[i] = i + 2;
  tc_tensor *in = L1(ctx, iv, N - 2), *lf = L1(ctx, lv, N - 2), *rt = L1(ctx, rv, N - 2);
  uint64_t compiled = 0;
  for (int step = 0; step < 200; step++) {
    tc_scope_begin(ctx);
    tc_tensor *nv = tc_mul_scalar(tc_add(tc_index(u, SPEC(TC_T(lf))), tc_index(u, SPEC(TC_T(rt)))), 0.5);
    assert_int_equal(tc_index_set_(u, SPEC(TC_T(in)), nv), TC_OK);
    tc_scope_end(ctx);
    float nref[N];
    memcpy(nref, ref, sizeof ref);
    for (int i = 1; i < N - 1; i++) nref[i] = (ref[i - 1] + ref[i + 1]) * 0.5f;
    memcpy(ref, nref, sizeof ref);
    if (step == 5) compiled = tc_get_stats(ctx).kernels_compiled;
  }
  assert_int_equal(tc_get_stats(ctx).kernels_compiled, compiled);
  double want[N];
  for (int i = 0; i < N; i++) want[i] = ref[i];
  expect(u, TC_F32, SH(N), want, N);
}

/* PyTorch's exception type with its words: IndexError, RuntimeError or
 * ValueError, as torch 2.x raises each one (tc_last_error_kind). */
static void kind_is(tc_ctx *ctx, bool failed, tc_error_kind kind, const char *part) {
  if (!failed || tc_last_error_kind(ctx) != kind || !strstr(tc_last_error(ctx), part)) {
    print_error("expected kind %d with \"%s\", got failed=%d kind %d \"%s\"\n", (int)kind, part, (int)failed,
                (int)tc_last_error_kind(ctx), tc_last_error(ctx));
    fail();
  }
  tc_clear_error(ctx);
}
/* the result realized, so a deferred check (on CUDA) fails too; KS: the
 * destination C_ of an in-place op */
static tc_tensor *C_;
static tc_status wrote_(tc_status st) { return tc_test_wrote(C_, st); }
#define KR(expr, kind, part) kind_is(ctx, tc_test_realized(expr) == NULL, kind, part)
#define KS(expr, kind, part) (kind_is(ctx, wrote_(expr) != TC_OK, kind, part), C_ = NULL)

TC_CASE(errors_come_with_pytorchs_exception_types) {
  tc_tensor *x = tc_arange(ctx, 0, 6, 1, TC_F32), *y = tc_reshape(x, 2, (const int64_t[]){2, 3});
  tc_tensor *z = tc_full(ctx, 1, TC_F32, 0, NULL), *one = tc_ones(ctx, TC_F32, 1, (const int64_t[]){1});
  tc_tensor *seven = L1(ctx, (const int64_t[]){7}, 1), *fi = tc_ones(ctx, TC_F32, 1, (const int64_t[]){1});
  tc_tensor *i2 = L1(ctx, (const int64_t[]){0, 1}, 2), *i3 = L1(ctx, (const int64_t[]){0, 1, 2}, 3);
  KR(tc_index(z, SPEC(TC_I(0))), TC_KIND_INDEX, "invalid index of a 0-dim tensor. Use `tensor.item()`");
  KR(tc_index(x, SPEC(TC_T(fi))), TC_KIND_INDEX, "tensors used as indices must be long, int, byte or bool tensors");
  KR(tc_index(x, SPEC(TC_T(tc_ones(ctx, TC_I16, 1, (const int64_t[]){1})))), TC_KIND_INDEX,
     "tensors used as indices must be long, int, byte or bool tensors");
  KR(tc_index(y, SPEC(TC_T(i2), TC_T(i3))), TC_KIND_INDEX,
     "shape mismatch: indexing tensors could not be broadcast together with shapes [2], [3]");
  KR(tc_index(y, SPEC(TC_ALL, TC_T(L1(ctx, (const int64_t[]){5}, 1)))), TC_KIND_INDEX,
     "index 5 is out of bounds for dimension 0 with size 3");
  KR(tc_index(x, SPEC(TC_S(0, 6, -1))), TC_KIND_VALUE, "step must be greater than zero");
  KS(tc_put_(C_ = tc_clone(x), L1(ctx, (const int64_t[]){10}, 1), one, false), TC_KIND_INDEX,
     "out of range: tried to access index 10 on a tensor of 6 elements.");
  KS(tc_put_(C_ = tc_clone(x), i2, one, false), TC_KIND_INDEX,
     "put_(): Expected source and index to have the same number of elements");
  KR(tc_take(x, seven), TC_KIND_INDEX, "out of range: tried to access index 7 on a tensor of 6 elements.");
  KR(tc_gather(x, 0, seven), TC_KIND_RUNTIME, "index 7 is out of bounds for dimension 0 with size 6");
  KR(tc_take_along_dim(x, seven, NULL), TC_KIND_RUNTIME, "index 7 is out of bounds for dimension 0 with size 6");
  KS(tc_scatter_value_(C_ = tc_clone(x), 0, seven, 1), TC_KIND_RUNTIME, "index 7 is out of bounds for dimension 0 with size 6");
  KR(tc_index_select(x, 0, seven), TC_KIND_INDEX, "index out of range in self");
  KR(tc_index_select(x, 0, fi), TC_KIND_RUNTIME, "index_select(): Expected dtype int32 or int64 for index");
  KS(tc_index_add_(C_ = tc_clone(x), 0, seven, one, 1), TC_KIND_INDEX, "index out of range in self");
  KS(tc_index_add_(C_ = tc_clone(x), 0, fi, one, 1), TC_KIND_RUNTIME,
     "index_add_(): Expected dtype int32/int64 for index but got: Float");
  KS(tc_index_copy_(C_ = tc_clone(x), 0, seven, one), TC_KIND_INDEX,
     "index_copy_(): index 7 is out of bounds for dimension 0 with size 6");
  KS(tc_index_copy_(C_ = tc_clone(x), 0, tc_to_dtype(seven, TC_I32), one),
     TC_KIND_RUNTIME, "index_copy_(): Expected a long tensor for index, but got Int");
  KS(tc_index_fill_(C_ = tc_clone(x), 0, seven, 1), TC_KIND_INDEX, "index 7 is out of bounds for dimension 0 with size 6");
  KS(tc_index_fill_(C_ = tc_clone(x), 0, fi, 1), TC_KIND_INDEX, "index_fill_(): Expected dtype int64 for index.");
  /* x[byte_mask] = scalar is PyTorch's masked_fill_, which takes bool masks only */
  tc_tensor *m8 = tc_to_dtype(L1(ctx, (const int64_t[]){1, 0}, 2), TC_U8);
  KS(tc_index_set_(C_ = tc_clone(y), SPEC(TC_T(m8)), z), TC_KIND_RUNTIME,
     "masked_fill_ only supports boolean masks, but got mask with dtype unsigned char");
  KS(tc_index_copy_(tc_zeros(ctx, TC_F32, 2, (const int64_t[]){2, 3}), 0, i2, tc_ones(ctx, TC_F32, 2, (const int64_t[]){1, 3})),
     TC_KIND_INDEX, "index_copy_(): Number of indices (2) should be equal to source.size(dim) (1)");
}

/* tc_set_index_check(DEFERRED), the default for CUDA tensors: the call
 * records the op and returns; the check is a kernel of the realization that
 * needs the op, and an index out of bounds fails that realization, with
 * PyTorch's words, before anything that uses the index runs. */
TC_CASE(a_deferred_index_check_fails_the_realization_before_anything_is_written) {
  assert_int_equal(tc_get_index_check(ctx), TC_INDEX_CHECK_AUTO);
  assert_int_equal(tc_set_index_check(ctx, (tc_index_check)7), TC_ERR_ARG);
  tc_clear_error(ctx);
  assert_int_equal(tc_set_index_check(ctx, TC_INDEX_CHECK_DEFERRED), TC_OK);
  tc_tensor *x = tc_arange(ctx, 0, 6, 1, TC_F32);
  tc_tensor *i = tc_mul_scalar(tc_arange_int(ctx, 0, 4, 1), 3); /* 0 3 6 9, lazy */
  assert_int_equal(tc_realize(x), TC_OK);
  tc_reset_stats(ctx);
  tc_tensor *g = tc_index(x, SPEC(TC_T(i)));
  assert_non_null(g);
  expect_no_error(ctx);
  assert_int_equal(tc_get_stats(ctx).kernels_launched, 0); /* nothing ran, nothing was read back */
  tc_tensor *s = tc_sum(g, NULL, 0, false);
  for (int k = 0; k < 2; k++) { /* every read fails the same way */
    assert_int_not_equal(tc_realize(s), TC_OK);
    assert_int_equal(tc_last_error_kind(ctx), TC_KIND_INDEX);
    assert_string_equal(tc_last_error(ctx), "tc_index: index 6 is out of bounds for dimension 0 with size 6");
    tc_clear_error(ctx);
  }
  /* each op words its own error; the first offending element is named */
  tc_tensor *j = tc_sub(tc_scalar(ctx, 2, TC_I64), tc_mul_scalar(tc_arange_int(ctx, 0, 4, 1), 3)); /* 2 -1 -4 -7 */
  KR(tc_gather(x, 0, j), TC_KIND_RUNTIME, "tc_gather: index -1 is out of bounds for dimension 0 with size 6");
  KR(tc_take(x, j), TC_KIND_INDEX, "tc_take: out of range: tried to access index -7 on a tensor of 6 elements.");
  KR(tc_index_select(x, 0, tc_to_dtype(i, TC_I32)), TC_KIND_INDEX, "tc_index_select: index out of range in self");
  /* a write in place: the storage keeps its value, the tensor fails every
   * read, and tensors that do not depend on the write stay usable */
  tc_tensor *four = tc_ones(ctx, TC_F32, 1, (const int64_t[]){4});
  tc_tensor *y = tc_clone(x);
  assert_int_equal(tc_index_put_(y, 1, &i, four, true), TC_OK);
  KS(tc_realize(y), TC_KIND_INDEX, "tc_index_put_: index 6 is out of bounds for dimension 0 with size 6");
  KS(tc_realize(y), TC_KIND_INDEX, "tc_index_put_: index 6 is out of bounds for dimension 0 with size 6");
  expect(x, TC_F32, SH(6), V(0, 1, 2, 3, 4, 5));
  /* eager: the write is realized at the call, fails there, and is undone */
  tc_set_eager(ctx, true);
  tc_tensor *z = tc_clone(x);
  KS(tc_index_fill_(z, 0, i, -1), TC_KIND_INDEX, "tc_index_fill_: index 6 is out of bounds for dimension 0 with size 6");
  expect(z, TC_F32, SH(6), V(0, 1, 2, 3, 4, 5));
  tc_set_eager(ctx, false);
  /* indices in bounds: the check's kernel, then the gather's */
  tc_tensor *ok = tc_remainder(i, tc_scalar(ctx, 6, TC_I64)); /* 0 3 0 3 */
  tc_tensor *r = tc_index(x, SPEC(TC_T(ok)));
  tc_reset_stats(ctx);
  assert_int_equal(tc_realize(r), TC_OK);
  assert_int_equal(tc_get_stats(ctx).kernels_launched, 2);
  expect(r, TC_F32, SH(4), V(0, 3, 0, 3));
  assert_int_equal(tc_index_put_(y = tc_clone(x), 1, &ok, four, true), TC_OK);
  expect(y, TC_F32, SH(6), V(2, 1, 2, 5, 4, 5));
  /* at the call: the op fails there */
  assert_int_equal(tc_set_index_check(ctx, TC_INDEX_CHECK_AT_CALL), TC_OK);
  expect_err(ctx, tc_index(x, SPEC(TC_T(i))), "tc_index: index 6 is out of bounds for dimension 0 with size 6");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      TC_TEST(basic_items_give_views_with_pytorchs_layout),
      TC_TEST(every_ellipsis_skips_the_dims_the_other_items_leave),
      TC_TEST(index_tensors_and_masks_gather_with_numpys_placement),
      TC_TEST(index_set_writes_through_views_index_tensors_and_masks),
      TC_TEST(a_stencil_updated_in_place_through_index_tensors_in_a_loop),
      TC_TEST(errors_come_with_pytorchs_exception_types),
      TC_TEST(a_deferred_index_check_fails_the_realization_before_anything_is_written),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
