/*
 * test_views.c — movement ops as views, and in-place writes through them,
 * against PyTorch 2.x: size(), stride(), storage_offset() and
 * is_contiguous() after permute, transpose, t, expand, squeeze, unsqueeze,
 * flatten, narrow, slice (steps, negative and out-of-range bounds) and
 * select; view versus reshape on non-contiguous tensors (view fails with
 * PyTorch's message, reshape copies); writes through views seen by every
 * alias (fill_, copy_, add_ through slices, transposes and views, the seed
 * document's section 3 example); resize_ in place (a storage that grows
 * keeps its aliases, the offset and a same shape's layout kept, memory
 * tensorc does not own refused); a lazy read captured before an in-place
 * write keeps the old values; clone and contiguous copies are independent.
 * Expected layouts and repr strings are what PyTorch printed.
 */
#include "tc_expect.h"

/* torch.arange(24).reshape(2, 3, 4) */
static tc_tensor *X(tc_ctx *ctx) {
  return tc_reshape(tc_arange_int(ctx, 0, 24, 1), 3, (const int64_t[]){2, 3, 4});
}

/* ---- layouts of view ops ------------------------------------------------------ */

TC_CASE(permute_transpose_and_t_reorder_strides_without_copying) {
  tc_tensor *x = X(ctx);
  expect_layout(x, SH(2, 3, 4), SH(12, 4, 1), 0, true);
  expect_layout(tc_permute(x, (const int[]){2, 0, 1}), SH(4, 2, 3), SH(1, 12, 4), 0, false);
  expect_layout(tc_transpose(x, 0, 2), SH(4, 3, 2), SH(1, 4, 12), 0, false);
  expect_layout(tc_transpose(x, -1, 0), SH(4, 3, 2), SH(1, 4, 12), 0, false);
  expect_layout(tc_t(tc_select(x, 0, 0)), SH(4, 3), SH(1, 4), 0, false);
  expect_layout(tc_t(tc_arange_int(ctx, 0, 3, 1)), SH(3), SH(1), 0, true);
  expect_repr(tc_permute(tc_narrow(x, 2, 0, 2), (const int[]){2, 0, 1}),
              "tensor([[[ 0,  4,  8],\n"
              "         [12, 16, 20]],\n"
              "\n"
              "        [[ 1,  5,  9],\n"
              "         [13, 17, 21]]])");
  expect_err(ctx, tc_t(x), "t() expects a tensor with <= 2 dimensions, but self is 3D");
  expect_err(ctx, tc_permute(x, (const int[]){0, 0, 1}), "permute(): duplicate dims are not allowed.");
  expect_err(ctx, tc_transpose(x, 0, 3), "Dimension out of range (expected to be in range of [-3, 2], but got 3)");
}

TC_CASE(expand_gives_new_and_size_1_dims_stride_0) {
  tc_tensor *e = tc_expand(tc_zeros(ctx, TC_F32, 2, (const int64_t[]){3, 1}), 3, (const int64_t[]){2, 3, 4});
  expect_layout(e, SH(2, 3, 4), SH(0, 1, 0), 0, false);
  /* expanding to the same shape is contiguous still */
  expect_layout(tc_expand(X(ctx), 3, (const int64_t[]){-1, 3, -1}), SH(2, 3, 4), SH(12, 4, 1), 0, true);
}

TC_CASE(squeeze_and_unsqueeze_follow_pytorchs_stride_rules) {
  tc_tensor *z = tc_zeros(ctx, TC_F32, 3, (const int64_t[]){2, 1, 3});
  expect_layout(z, SH(2, 1, 3), SH(3, 3, 1), 0, true);
  expect_layout(tc_squeeze(z, 1), SH(2, 3), SH(3, 1), 0, true);
  expect_layout(tc_squeeze(z, 0), SH(2, 1, 3), SH(3, 3, 1), 0, true); /* not size 1: unchanged */
  expect_layout(tc_squeeze_all(tc_zeros(ctx, TC_F32, 4, (const int64_t[]){1, 2, 1, 3})), SH(2, 3), SH(3, 1), 0, true);
  tc_tensor *m = tc_select(X(ctx), 0, 0); /* (3, 4) */
  expect_layout(tc_unsqueeze(m, -1), SH(3, 4, 1), SH(4, 1, 1), 0, true);
  expect_layout(tc_unsqueeze(m, 0), SH(1, 3, 4), SH(12, 4, 1), 0, true);
  tc_tensor *mt = tc_t(m); /* (4, 3) strides (1, 4) */
  expect_layout(tc_unsqueeze(mt, 1), SH(4, 1, 3), SH(1, 12, 4), 0, false);
  expect_layout(tc_unsqueeze(mt, 0), SH(1, 4, 3), SH(4, 1, 4), 0, false);
  expect_layout(tc_unsqueeze(mt, 2), SH(4, 3, 1), SH(1, 4, 1), 0, false);
  expect_err(ctx, tc_unsqueeze(X(ctx), 4), "Dimension out of range (expected to be in range of [-4, 3], but got 4)");
}

TC_CASE(flatten_is_a_view_of_contiguous_dims_and_a_copy_otherwise) {
  tc_tensor *x = X(ctx);
  expect_layout(tc_flatten(x, 1, 2), SH(2, 12), SH(12, 1), 0, true);
  expect_layout(tc_flatten(x, 0, -1), SH(24), SH(1), 0, true);
  expect_layout(tc_flatten(x, 0, 1), SH(6, 4), SH(4, 1), 0, true);
  expect_layout(tc_flatten(tc_scalar(ctx, 5, TC_I64), 0, -1), SH(1), SH(1), 0, true);
  tc_tensor *f = tc_flatten(tc_transpose(x, 1, 2), 0, 1); /* a copy */
  expect_layout(f, SH(8, 3), SH(3, 1), 0, true);
  expect_repr(tc_select(f, 0, 1), "tensor([1, 5, 9])");
  /* the contiguous flatten aliases x; the copy does not */
  tc_tensor *v = tc_flatten(x, 0, -1);
  assert_int_equal(tc_fill_(tc_select(x, 0, 0), -1), TC_OK);
  expect_repr(tc_narrow(v, 0, 0, 6), "tensor([-1, -1, -1, -1, -1, -1])");
  expect_repr(tc_select(f, 0, 0), "tensor([0, 4, 8])");
}

TC_CASE(narrow_and_slice_move_the_storage_offset) {
  tc_tensor *x = X(ctx);
  expect_layout(tc_narrow(x, 1, 1, 2), SH(2, 2, 4), SH(12, 4, 1), 4, false);
  expect_layout(tc_narrow(x, 2, -2, 2), SH(2, 3, 2), SH(12, 4, 1), 2, false);
  expect_layout(tc_slice(x, 2, 1, TC_SLICE_END, 2), SH(2, 3, 2), SH(12, 4, 2), 1, false); /* x[:, :, 1::2] */
  expect_layout(tc_slice(x, 2, 0, TC_SLICE_END, 3), SH(2, 3, 2), SH(12, 4, 3), 0, false); /* x[:, :, ::3] */
  expect_repr(tc_select(tc_slice(x, 2, 1, TC_SLICE_END, 2), 0, 1),
              "tensor([[13, 15],\n        [17, 19],\n        [21, 23]])");
  expect_err(ctx, tc_narrow(x, 1, 2, 2), "start (2) + length (2) exceeds dimension size (3).");
}

TC_CASE(slice_bounds_follow_python_negative_and_out_of_range_rules) {
  tc_tensor *x = X(ctx);
  expect_layout(tc_slice(x, 1, -2, -1, 1), SH(2, 1, 4), SH(12, 4, 1), 4, false); /* x[:, -2:-1] */
  expect_layout(tc_slice(x, 1, -100, 100, 1), SH(2, 3, 4), SH(12, 4, 1), 0, true); /* x[:, -100:100] */
  expect_layout(tc_slice(x, 1, 2, 1, 1), SH(2, 0, 4), SH(12, 4, 1), 8, true);      /* x[:, 2:1] */
  expect_repr(tc_slice(tc_arange_int(ctx, 0, 10, 1), 0, -7, -1, 2), "tensor([3, 5, 7])");
  expect_repr(tc_slice(tc_arange_int(ctx, 0, 10, 1), 0, 8, TC_SLICE_END, 5), "tensor([8])");
  expect_err(ctx, tc_slice(x, 1, 0, 2, 0), "slice step must be positive");
  expect_err(ctx, tc_slice(x, 1, 0, 2, -1), "slice step must be positive");
}

TC_CASE(select_removes_a_dim_and_counts_negative_indices_from_the_end) {
  tc_tensor *x = X(ctx);
  expect_layout(tc_select(x, 1, -1), SH(2, 4), SH(12, 1), 8, false);
  expect_layout(tc_select(x, 0, 1), SH(3, 4), SH(4, 1), 12, true);
  expect_layout(tc_select(x, 2, 2), SH(2, 3), SH(12, 4), 2, false);
  expect_repr(tc_select(x, 2, 2), "tensor([[ 2,  6, 10],\n        [14, 18, 22]])");
  /* x[:, 3]: IndexError: index 3 is out of bounds for dimension 1 with size 3 */
  expect_err(ctx, tc_select(x, 1, 3), "index 3 is out of bounds for dimension 1 with size 3");
  expect_err(ctx, tc_select(x, 1, -4), "index -4 is out of bounds for dimension 1 with size 3");
}

TC_CASE(is_contiguous_ignores_the_strides_of_size_1_and_empty_tensors) {
  tc_tensor *x = X(ctx);
  tc_tensor *col = tc_narrow(tc_select(x, 0, 0), 1, 0, 1); /* x[0, :, :1]: (3, 1) strides (4, 1) */
  expect_layout(col, SH(3, 1), SH(4, 1), 0, false);
  tc_tensor *row = tc_narrow(tc_select(x, 0, 0), 0, 1, 1); /* x[0, 1:2]: (1, 4) */
  expect_layout(row, SH(1, 4), SH(4, 1), 4, true);
  expect_layout(tc_t(row), SH(4, 1), SH(1, 4), 4, true);
  expect_layout(tc_slice(x, 0, 1, 1, 1), SH(0, 3, 4), SH(12, 4, 1), 12, true);
}

/* ---- view versus reshape -------------------------------------------------------- */

TC_CASE(view_of_a_transposed_tensor_fails_with_pytorchs_message) {
  tc_tensor *xt = tc_transpose(X(ctx), 0, 1);
  expect_err(ctx, tc_view(xt, 1, (const int64_t[]){-1}),
             "view size is not compatible with input tensor's size and stride (at least one "
             "dimension spans across two contiguous subspaces). Use .reshape(...) instead.");
  /* dims that stay together can still be viewed: x[:, 1:].view(2, 8) but not view(16) */
  tc_tensor *s = tc_slice(X(ctx), 1, 1, TC_SLICE_END, 1);
  expect_layout(tc_view(s, 2, (const int64_t[]){2, 8}), SH(2, 8), SH(12, 1), 4, false);
  expect_err(ctx, tc_view(s, 1, (const int64_t[]){16}), "view size is not compatible");
  /* an expanded dim may be split but not merged */
  tc_tensor *e = tc_expand(tc_zeros(ctx, TC_F32, 2, (const int64_t[]){3, 1}), 2, (const int64_t[]){3, 4});
  expect_layout(tc_view(e, 3, (const int64_t[]){3, 2, 2}), SH(3, 2, 2), SH(1, 0, 0), 0, false);
  expect_err(ctx, tc_view(e, 1, (const int64_t[]){12}), "view size is not compatible");
}

TC_CASE(view_infers_one_minus_1_and_checks_the_element_count) {
  tc_tensor *x = X(ctx);
  expect_layout(tc_view(x, 2, (const int64_t[]){-1, 4}), SH(6, 4), SH(4, 1), 0, true);
  expect_err(ctx, tc_view(x, 2, (const int64_t[]){4, 4}), "shape '[4, 4]' is invalid for input of size 24");
  expect_err(ctx, tc_view(x, 2, (const int64_t[]){-1, -1}), "only one dimension can be inferred");
  expect_err(ctx, tc_reshape(x, 2, (const int64_t[]){5, -1}), "shape '[5, -1]' is invalid for input of size 24");
}

TC_CASE(reshape_of_a_transposed_tensor_copies_and_stops_aliasing) {
  tc_tensor *x = X(ctx);
  tc_tensor *r = tc_reshape(tc_transpose(x, 1, 2), 1, (const int64_t[]){-1});
  expect_layout(r, SH(24), SH(1), 0, true);
  expect_repr(tc_narrow(r, 0, 0, 6), "tensor([0, 4, 8, 1, 5, 9])");
  assert_int_equal(tc_fill_(x, 0), TC_OK);
  expect_repr(tc_narrow(r, 0, 0, 6), "tensor([0, 4, 8, 1, 5, 9])");
  /* reshape of a contiguous tensor is a view: it sees the write */
  tc_tensor *v = tc_reshape(x, 2, (const int64_t[]){4, 6});
  assert_int_equal(tc_fill_(tc_select(x, 1, 0), 3), TC_OK);
  expect_repr(tc_select(v, 0, 0), "tensor([3, 3, 3, 3, 0, 0])");
}

/* seed section 3: x = torch.arange(6).reshape(2, 3).transpose(0, 1);
 * xc = x.contiguous().view(3, 2) */
TC_CASE(contiguous_then_view_works_where_view_alone_fails) {
  tc_tensor *x = tc_transpose(tc_reshape(tc_arange_int(ctx, 0, 6, 1), 2, (const int64_t[]){2, 3}), 0, 1);
  assert_false(tc_tensor_is_contiguous(x));
  expect_err(ctx, tc_view(x, 1, (const int64_t[]){6}), "view size is not compatible");
  tc_tensor *c = tc_contiguous(x);
  expect_layout(c, SH(3, 2), SH(2, 1), 0, true);
  tc_tensor *xc = tc_view(c, 2, (const int64_t[]){3, 2});
  expect_repr(xc, "tensor([[0, 3],\n        [1, 4],\n        [2, 5]])");
  /* contiguous() of a contiguous tensor is the tensor itself: writes show */
  tc_tensor *same = tc_contiguous(c);
  assert_int_equal(tc_fill_(c, 1), TC_OK);
  expect_repr(same, "tensor([[1, 1],\n        [1, 1],\n        [1, 1]])");
  expect_repr(x, "tensor([[0, 3],\n        [1, 4],\n        [2, 5]])");
}

/* ---- writes through views ---------------------------------------------------------- */

/* seed section 3: t = torch.arange(6); v = t.view(2, 3); v[0, 0] = 99; print(t) */
TC_CASE(a_write_through_a_view_shows_in_the_base_tensor) {
  tc_tensor *t = tc_arange_int(ctx, 0, 6, 1);
  tc_tensor *v = tc_view(t, 2, (const int64_t[]){2, 3});
  assert_int_equal(tc_fill_(tc_select(tc_select(v, 0, 0), 0, 0), 99), TC_OK);
  expect_repr(t, "tensor([99,  1,  2,  3,  4,  5])");
  expect_repr(v, "tensor([[99,  1,  2],\n        [ 3,  4,  5]])");
}

/* v_copy = v.clone(); v_copy[0, 0] = -1; print(t) -> unchanged */
TC_CASE(a_write_to_a_clone_leaves_the_original_unchanged) {
  tc_tensor *t = tc_arange_int(ctx, 0, 6, 1);
  tc_tensor *v = tc_view(t, 2, (const int64_t[]){2, 3});
  assert_int_equal(tc_fill_(tc_select(tc_select(v, 0, 0), 0, 0), 99), TC_OK);
  tc_tensor *v_copy = tc_clone(v);
  assert_int_equal(tc_fill_(tc_select(tc_select(v_copy, 0, 0), 0, 0), -1), TC_OK);
  expect_repr(t, "tensor([99,  1,  2,  3,  4,  5])");
  expect_repr(v_copy, "tensor([[-1,  1,  2],\n        [ 3,  4,  5]])");
  /* and the other way round: writing the original leaves the clone */
  assert_int_equal(tc_fill_(t, 0), TC_OK);
  expect_repr(v_copy, "tensor([[-1,  1,  2],\n        [ 3,  4,  5]])");
  /* PyTorch's clone keeps a dense layout (preserve_format); contiguous() does not */
  expect_layout(tc_clone(tc_t(v)), SH(3, 2), SH(1, 3), 0, false);
  expect_layout(tc_contiguous(tc_t(v)), SH(3, 2), SH(2, 1), 0, true);
}

TC_CASE(fill_through_a_slice_with_steps_writes_only_its_elements) {
  tc_tensor *t = tc_zeros(ctx, TC_F32, 1, (const int64_t[]){8});
  assert_int_equal(tc_fill_(tc_slice(t, 0, 1, TC_SLICE_END, 3), 5), TC_OK); /* t[1::3].fill_(5) */
  expect_repr(t, "tensor([0., 5., 0., 0., 5., 0., 0., 5.])");
  tc_tensor *b = tc_zeros(ctx, TC_BOOL, 1, (const int64_t[]){3});
  assert_int_equal(tc_fill_(tc_narrow(b, 0, 1, 1), 2), TC_OK);
  expect_repr(b, "tensor([False,  True, False])");
  tc_tensor *u = tc_zeros(ctx, TC_U8, 1, (const int64_t[]){2});
  assert_int_equal(tc_fill_(u, -1), TC_OK);
  expect_repr(u, "tensor([255, 255], dtype=torch.uint8)");
}

/* m[:, 1].copy_(torch.tensor([1.7, -2.2, 3.9])); m[0].copy_(torch.tensor([7])) */
TC_CASE(copy_into_a_column_casts_and_broadcasts_the_source) {
  tc_tensor *m = tc_zeros(ctx, TC_I32, 2, (const int64_t[]){3, 3});
  assert_int_equal(tc_copy_(tc_select(m, 1, 1), mk(ctx, TC_F32, SH(3), V(1.7, -2.2, 3.9))), TC_OK);
  assert_int_equal(tc_copy_(tc_select(m, 0, 0), mk(ctx, TC_I64, SH(1), V(7))), TC_OK);
  expect_repr(m, "tensor([[ 7,  7,  7],\n"
                 "        [ 0, -2,  0],\n"
                 "        [ 0,  3,  0]], dtype=torch.int32)");
  /* torch.zeros(3).copy_(torch.zeros(2, 3)) */
  expect_status_err(ctx, tc_copy_(tc_zeros(ctx, TC_F32, 1, (const int64_t[]){3}),
                                tc_zeros(ctx, TC_F32, 2, (const int64_t[]){2, 3})),
                    "output with shape [3] doesn't match the broadcast shape [2, 3]");
  /* torch.zeros(3).copy_(torch.zeros(2)) */
  expect_status_err(ctx, tc_copy_(tc_zeros(ctx, TC_F32, 1, (const int64_t[]){3}),
                                tc_zeros(ctx, TC_F32, 1, (const int64_t[]){2})),
                    "The size of tensor a (3) must match the size of tensor b (2) at non-singleton dimension 0");
}

/* a = torch.arange(6.).reshape(2, 3); a.t().add_(torch.tensor([10., 20.])) */
TC_CASE(add_through_a_transposed_view_updates_the_base_in_place) {
  tc_tensor *a = tc_reshape(tc_arange(ctx, 0, 6, 1, TC_F32), 2, (const int64_t[]){2, 3});
  assert_int_equal(tc_add_(tc_t(a), mk(ctx, TC_F32, SH(2), V(10, 20))), TC_OK);
  expect_repr(a, "tensor([[10., 11., 12.],\n        [23., 24., 25.]])");
  /* a.narrow(0, 1, 2).narrow(1, 1, 2).add_(100) on a 3x4 tensor */
  tc_tensor *b = tc_reshape(tc_arange(ctx, 0, 12, 1, TC_F32), 2, (const int64_t[]){3, 4});
  assert_int_equal(tc_add_(tc_narrow(tc_narrow(b, 0, 1, 2), 1, 1, 2), tc_scalar(ctx, 100, TC_F32)), TC_OK);
  expect_repr(b, "tensor([[  0.,   1.,   2.,   3.],\n"
                 "        [  4., 105., 106.,   7.],\n"
                 "        [  8., 109., 110.,  11.]])");
}

TC_CASE(add_in_place_keeps_the_destination_dtype_or_refuses) {
  tc_tensor *i = mk(ctx, TC_I8, SH(2), V(1, 2));
  assert_int_equal(tc_add_(i, mk(ctx, TC_I64, SH(1), V(1000))), TC_OK); /* wraps in int8 */
  expect_repr(i, "tensor([-23, -22], dtype=torch.int8)");
  tc_tensor *b = mk(ctx, TC_BOOL, SH(2), V(1, 0));
  assert_int_equal(tc_add_(b, mk(ctx, TC_BOOL, SH(2), V(1, 1))), TC_OK);
  expect_repr(b, "tensor([True, True])");
  /* torch.arange(3).add_(torch.tensor([0.5, 0.5, 0.5])) */
  expect_status_err(ctx, tc_add_(tc_arange_int(ctx, 0, 3, 1), mk(ctx, TC_F32, SH(3), V(0.5, 0.5, 0.5))),
                    "result type Float can't be cast to the desired output type Long");
  /* torch.zeros(3).add_(torch.zeros(2, 3)) */
  expect_status_err(ctx, tc_add_(tc_zeros(ctx, TC_F32, 1, (const int64_t[]){3}),
                               tc_zeros(ctx, TC_F32, 2, (const int64_t[]){2, 3})),
                    "output with shape [3] doesn't match the broadcast shape [2, 3]");
}

TC_CASE(every_alias_sees_a_write_through_any_other) {
  tc_tensor *a = tc_reshape(tc_arange(ctx, 0, 12, 1, TC_F32), 2, (const int64_t[]){3, 4});
  tc_tensor *flat = tc_view(a, 1, (const int64_t[]){12});
  tc_tensor *col = tc_select(a, 1, 2);
  tc_tensor *tr = tc_t(a);
  assert_int_equal(tc_fill_(tc_select(tr, 0, 2), -1), TC_OK); /* a.t()[2] = -1: column 2 */
  expect_repr(col, "tensor([-1., -1., -1.])");
  expect_repr(tc_narrow(flat, 0, 0, 4), "tensor([ 0.,  1., -1.,  3.])");
  assert_int_equal(tc_copy_(tc_select(flat, 0, 5), tc_scalar(ctx, 50, TC_F32)), TC_OK);
  expect_repr(a, "tensor([[ 0.,  1., -1.,  3.],\n"
                 "        [ 4., 50., -1.,  7.],\n"
                 "        [ 8.,  9., -1., 11.]])");
  expect_repr(tc_select(tr, 0, 1), "tensor([ 1., 50.,  9.])");
}

/* b = a * 1; a.add_(1): b was computed from the old values and keeps them,
 * as in eager PyTorch, although nothing ran before the write */
TC_CASE(a_lazy_read_captured_before_an_in_place_write_keeps_the_old_values) {
  tc_tensor *a = tc_reshape(tc_arange(ctx, 0, 12, 1, TC_F32), 2, (const int64_t[]){3, 4});
  tc_tensor *b = tc_mul_scalar(a, 1);
  tc_tensor *r = tc_relu(a);
  tc_tensor *s = tc_sum(a, NULL, 0, false);
  tc_tensor *v = tc_view(a, 1, (const int64_t[]){12});
  assert_int_equal(tc_add_(a, tc_ones(ctx, TC_F32, 1, (const int64_t[]){1})), TC_OK);
  expect_repr(tc_select(b, 0, 0), "tensor([0., 1., 2., 3.])");
  expect_repr(tc_select(r, 0, 0), "tensor([0., 1., 2., 3.])");
  assert_true(tc_item(s) == 66);
  expect_repr(tc_narrow(v, 0, 0, 4), "tensor([1., 2., 3., 4.])");
  /* a read after the write sees it; a second write leaves the first reads alone */
  tc_tensor *c = tc_mul_scalar(a, 1);
  assert_int_equal(tc_fill_(a, 0), TC_OK);
  expect_repr(tc_select(c, 0, 0), "tensor([1., 2., 3., 4.])");
  expect_repr(tc_select(b, 0, 0), "tensor([0., 1., 2., 3.])");
  expect_repr(tc_select(a, 0, 0), "tensor([0., 0., 0., 0.])");
}

TC_CASE(a_lazy_read_of_a_slice_keeps_the_values_before_a_write_to_the_base) {
  tc_tensor *t = tc_arange_int(ctx, 0, 6, 1);
  tc_tensor *part = tc_add_scalar(tc_narrow(t, 0, 2, 3), 0); /* t[2:5] + 0 */
  assert_int_equal(tc_fill_(tc_narrow(t, 0, 3, 1), 42), TC_OK);
  expect_repr(part, "tensor([2, 3, 4])");
  expect_repr(tc_narrow(t, 0, 2, 3), "tensor([ 2, 42,  4])");
}

TC_CASE(a_clone_is_independent_of_later_writes_in_both_directions) {
  tc_tensor *a = mk(ctx, TC_F32, SH(2, 2), V(1, 2, 3, 4));
  tc_tensor *c = tc_clone(a);
  assert_int_equal(tc_add_(a, c), TC_OK); /* a doubles */
  assert_int_equal(tc_fill_(tc_select(c, 0, 1), 0), TC_OK);
  expect_repr(a, "tensor([[2., 4.],\n        [6., 8.]])");
  expect_repr(c, "tensor([[1., 2.],\n        [0., 0.]])");
}

/* ---- layouts of new results (PyTorch's) ------------------------------------ */

/* (x.t() + 1).stride() == (1, 3): an elementwise result takes its operands'
 * memory order (TensorIterator), and the values stay right */
TC_CASE(an_elementwise_result_takes_its_operands_memory_order) {
  tc_tensor *x = tc_reshape(tc_arange(ctx, 0, 6, 1, TC_F32), 2, (const int64_t[]){2, 3});
  tc_tensor *r = tc_add_scalar(tc_t(x), 1);
  expect_layout(r, SH(3, 2), SH(1, 3), 0, false);
  expect_repr(r, "tensor([[1., 4.],\n        [2., 5.],\n        [3., 6.]])");
  expect_layout(tc_mul(tc_t(x), tc_t(x)), SH(3, 2), SH(1, 3), 0, false);
  expect_layout(tc_add(tc_t(x), tc_ones(ctx, TC_F32, 2, (const int64_t[]){3, 1})), SH(3, 2), SH(1, 3), 0, false);
  expect_layout(tc_exp(tc_permute(X(ctx), (const int[]){2, 0, 1})), SH(4, 2, 3), SH(1, 12, 4), 0, false);
  expect_layout(tc_to_dtype(tc_t(x), TC_F64), SH(3, 2), SH(1, 3), 0, false);
  expect_layout(tc_add(x, tc_t(tc_t(x))), SH(2, 3), SH(3, 1), 0, true);
  /* a transposed result read again: a later op sees the right elements */
  expect_repr(tc_sum(r, (int[]){0}, 1, false), "tensor([ 6., 15.])");
  expect_repr(tc_reshape(r, 1, (const int64_t[]){6}), "tensor([1., 4., 2., 5., 3., 6.])");
}

/* *_like and clone keep a dense layout (preserve_format); size-1 dims keep
 * PyTorch's strides through slices with steps and expand */
TC_CASE(like_factories_and_clone_preserve_the_layout) {
  tc_tensor *x = tc_reshape(tc_arange(ctx, 0, 6, 1, TC_F32), 2, (const int64_t[]){2, 3});
  expect_layout(tc_zeros_like(tc_t(x), TC_F32), SH(3, 2), SH(1, 3), 0, false);
  expect_layout(tc_full_like(tc_t(x), 7, TC_I64), SH(3, 2), SH(1, 3), 0, false);
  expect_repr(tc_full_like(tc_t(x), 7, TC_I64), "tensor([[7, 7],\n        [7, 7],\n        [7, 7]])");
  expect_layout(tc_empty_like(tc_slice(x, 1, 0, TC_SLICE_END, 2), TC_F32), SH(2, 2), SH(2, 1), 0, true);
  expect_layout(tc_slice(X(ctx), 0, 0, 1, 2), SH(1, 3, 4), SH(24, 4, 1), 0, true);
  expect_layout(tc_expand(tc_ones(ctx, TC_F32, 1, (const int64_t[]){3}), 2, (const int64_t[]){1, 3}), SH(1, 3), SH(3, 1), 0,
                true);
}

/* unfold and as_strided: PyTorch's shapes, strides and errors */
TC_CASE(memory_formats_give_pytorchs_channels_last_strides) {
  /* PyTorch 2.x: x = arange(120.).reshape(2,3,4,5); x.contiguous(memory_format=channels_last) */
  tc_tensor *x = tc_reshape(tc_arange(ctx, 0, 120, 1, TC_F32), 4, (const int64_t[]){2, 3, 4, 5});
  tc_tensor *cl = tc_clone_format(x, TC_CHANNELS_LAST);
  expect_layout(cl, SH(2, 3, 4, 5), SH(60, 1, 15, 3), 0, false);
  assert_true(tc_tensor_is_contiguous_format(cl, TC_CHANNELS_LAST));
  assert_false(tc_tensor_is_contiguous_format(cl, TC_CONTIGUOUS_FORMAT));
  assert_false(tc_tensor_is_contiguous_format(x, TC_CHANNELS_LAST));
  /* the values stay: the storage holds them in NHWC order */
  expect(tc_select(tc_select(cl, 0, 1), 2, 3), TC_F32, SH(3, 4), V(63, 68, 73, 78, 83, 88, 93, 98, 103, 108, 113, 118));
  expect(tc_as_strided(cl, 1, (const int64_t[]){6}, (const int64_t[]){1}, 0), TC_F32, SH(6), V(0, 20, 40, 1, 21, 41));
  /* contiguous(memory_format=): a view when already so, else a copy */
  tc_tensor *v = tc_contiguous_format(cl, TC_CHANNELS_LAST);
  expect_layout(v, SH(2, 3, 4, 5), SH(60, 1, 15, 3), 0, false);
  assert_int_equal(tc_fill_(tc_select(v, 0, 0), -1), TC_OK); /* the view writes cl */
  expect(tc_sum(tc_select(cl, 0, 0), NULL, 0, false), TC_F32, SH0, V(-60));
  expect_layout(tc_contiguous_format(cl, TC_CONTIGUOUS_FORMAT), SH(2, 3, 4, 5), SH(60, 20, 5, 1), 0, true);
  expect_layout(tc_clone_format(tc_permute(x, (const int[]){0, 2, 3, 1}), TC_PRESERVE_FORMAT), SH(2, 4, 5, 3),
                SH(60, 5, 1, 20), 0, false);
  /* size-1 and size-0 dims as PyTorch: (4, 1, 1, 1), (3, 1, 3, 3), (0, 1, 0, 0) */
  expect_layout(tc_clone_format(tc_zeros(ctx, TC_F32, 4, (const int64_t[]){2, 1, 4, 1}), TC_CHANNELS_LAST), SH(2, 1, 4, 1),
                SH(4, 1, 1, 1), 0, true);
  tc_tensor *hw1 = tc_zeros(ctx, TC_F32, 4, (const int64_t[]){2, 3, 1, 1});
  expect_layout(tc_clone_format(hw1, TC_CHANNELS_LAST), SH(2, 3, 1, 1), SH(3, 1, 3, 3), 0, true);
  assert_true(tc_tensor_is_contiguous_format(hw1, TC_CHANNELS_LAST));
  expect_layout(tc_clone_format(tc_zeros(ctx, TC_F32, 4, (const int64_t[]){2, 0, 4, 5}), TC_CHANNELS_LAST), SH(2, 0, 4, 5),
                SH(0, 1, 0, 0), 0, true);
  assert_false(tc_tensor_is_contiguous_format(tc_zeros(ctx, TC_F32, 4, (const int64_t[]){2, 0, 4, 5}), TC_CHANNELS_LAST));
  /* channels_last_3d: (360, 1, 90, 18, 3) */
  tc_tensor *v5 = tc_zeros(ctx, TC_F32, 5, (const int64_t[]){2, 3, 4, 5, 6});
  tc_tensor *c5 = tc_clone_format(v5, TC_CHANNELS_LAST_3D);
  expect_layout(c5, SH(2, 3, 4, 5, 6), SH(360, 1, 90, 18, 3), 0, false);
  assert_true(tc_tensor_is_contiguous_format(c5, TC_CHANNELS_LAST_3D));
  assert_false(tc_tensor_is_contiguous_format(c5, TC_CHANNELS_LAST));
  /* errors: the rank, preserve for contiguous */
  tc_tensor *x3 = tc_zeros(ctx, TC_F32, 3, (const int64_t[]){2, 3, 4});
  assert_false(tc_tensor_is_contiguous_format(x3, TC_CHANNELS_LAST));
  expect_err(ctx, tc_clone_format(x3, TC_CHANNELS_LAST), "required rank 4 tensor to use channels_last format");
  expect_err(ctx, tc_contiguous_format(x3, TC_CHANNELS_LAST), "required rank 4 tensor to use channels_last format");
  expect_err(ctx, tc_clone_format(x, TC_CHANNELS_LAST_3D), "required rank 5 tensor to use channels_last_3d format");
  expect_err(ctx, tc_contiguous_format(tc_permute(x, (const int[]){0, 2, 3, 1}), TC_PRESERVE_FORMAT),
             "preserve memory format is unsupported by the contiguous operator");
  expect_err(ctx, tc_clone_format(x, (tc_memory_format)7), "unsupported memory format");
}

TC_CASE(a_views_base_is_the_root_tensor_and_new_tensors_have_none) {
  /* PyTorch 2.x: x.t()[0]._base is x; x.clone()._base is None */
  tc_tensor *x = tc_clone(tc_reshape(tc_arange(ctx, 0, 12, 1, TC_F32), 2, (const int64_t[]){3, 4}));
  assert_null(tc_tensor_base(x));
  assert_false(tc_tensor_is_view(x));
  tc_tensor *t = tc_t(x), *r = tc_select(t, 0, 1);
  assert_ptr_equal(tc_tensor_base(t), x);
  assert_ptr_equal(tc_tensor_base(r), x);
  assert_true(tc_tensor_is_view(r));
  assert_ptr_equal(tc_tensor_base(tc_index(r, (const tc_idx[]){TC_S(1, 3, 1)}, 1)), x);
  assert_ptr_equal(tc_tensor_base(tc_expand(tc_unsqueeze(x, 0), 3, (const int64_t[]){2, 3, 4})), x);
  /* new tensors, composite results and PyTorch's "self" aliases are not views */
  assert_false(tc_tensor_is_view(tc_add_scalar(x, 1)));
  assert_false(tc_tensor_is_view(tc_contiguous(x)));
  assert_false(tc_tensor_is_view(tc_to_dtype(x, TC_F32)));
  assert_false(tc_tensor_is_view(tc_reshape(t, 1, (const int64_t[]){12})));
  assert_false(tc_tensor_is_view(tc_argsort(t, 0, false)));
  tc_tensor *v, *i;
  assert_int_equal(tc_median_dim(x, 1, false, &v, &i), TC_OK);
  assert_false(tc_tensor_is_view(v));
  assert_false(tc_tensor_is_view(i));
  /* the view keeps its base: released first, the base lives on */
  tc_tensor *y = tc_ones(ctx, TC_F32, 1, (const int64_t[]){4});
  tc_tensor_retain(y);
  tc_tensor *s = tc_tensor_retain(tc_slice(y, 0, 1, 3, 1));
  tc_tensor_release(y);
  tc_tensor_release(y);
  assert_non_null(tc_tensor_base(s));
  expect(tc_tensor_base(s), TC_F32, SH(4), V(1, 1, 1, 1));
  tc_tensor_release(s);
  /* the user pointer */
  int mark;
  assert_null(tc_tensor_user(x));
  tc_tensor_set_user(x, &mark);
  assert_ptr_equal(tc_tensor_user(x), &mark);
  assert_null(tc_tensor_user(t));
}

TC_CASE(unfold_and_as_strided_are_views_with_pytorchs_checks) {
  tc_tensor *x = tc_arange(ctx, 0, 6, 1, TC_F32);
  tc_tensor *u = tc_unfold(x, 0, 2, 2);
  expect_layout(u, SH(3, 2), SH(2, 1), 0, true);
  expect_layout(tc_unfold(X(ctx), 2, 2, 1), SH(2, 3, 3, 2), SH(12, 4, 1, 1), 0, false);
  expect_repr(tc_unfold(x, 0, 3, 2), "tensor([[0., 1., 2.],\n        [2., 3., 4.]])");
  expect_err(ctx, tc_unfold(x, 0, 7, 1), "maximum size for tensor at dimension 0 is 6 but size is 7");
  expect_err(ctx, tc_unfold(x, 0, 2, 0), "step is 0 but must be > 0");
  tc_tensor *s = tc_as_strided(x, 2, (const int64_t[]){2, 2}, (const int64_t[]){1, 2}, -1);
  expect_repr(s, "tensor([[0., 2.],\n        [1., 3.]])");
  expect_layout(tc_as_strided(tc_slice(x, 0, 1, TC_SLICE_END, 1), 1, (const int64_t[]){2}, (const int64_t[]){2}, -1), SH(2),
                SH(2), 1, false);
  expect_err(ctx, tc_as_strided(x, 2, (const int64_t[]){3, 3}, (const int64_t[]){1, 1}, 5),
               "setStorage: sizes [3, 3], strides [1, 1], storage offset 5, and itemsize 4 requiring a storage size of 40 "
               "are out of bounds for storage of size 24");
  /* a write through an as_strided view lands in the base */
  assert_int_equal(tc_fill_(tc_select(s, 1, 1), -1), TC_OK);
  expect_repr(x, "tensor([ 0.,  1., -1., -1.,  4.,  5.])");
}

/* Up to TC_MAX_DIMS (16) dims: elementwise ops, reductions, permutes and
 * batched matmul; one more is refused with a message */
TC_CASE(sixteen_dims_work_and_seventeen_are_refused) {
  assert_int_equal(TC_MAX_DIMS, 16);
  int64_t shape[17];
  for (int d = 0; d < 17; d++) shape[d] = d < 10 ? 2 : 1;
  shape[10] = 3;
  tc_tensor *x = tc_reshape(tc_arange(ctx, 0, 3072, 1, TC_F32), 16, shape);
  int perm[16];
  for (int d = 0; d < 16; d++) perm[d] = 15 - d;
  tc_tensor *y = tc_permute(x, perm);
  assert_true(tc_item(tc_sum(tc_add_scalar(y, 1), NULL, 0, false)) == 3072.0 * 3073.0 / 2);
  int dims[5] = {1, 3, 5, 7, 9};
  tc_tensor *s = tc_sum(x, dims, 5, false);
  assert_int_equal(tc_tensor_ndim(s), 11);
  assert_true(tc_item(tc_sum(s, NULL, 0, false)) == 3072.0 * 3071.0 / 2);
  int64_t a[16], b[16];
  for (int d = 0; d < 14; d++) a[d] = b[d] = 1;
  a[14] = 2, a[15] = 3, b[14] = 3, b[15] = 4;
  tc_tensor *m = tc_matmul(tc_ones(ctx, TC_F32, 16, a), tc_ones(ctx, TC_F32, 16, b));
  assert_int_equal(tc_tensor_ndim(m), 16);
  assert_true(tc_item(tc_sum(m, NULL, 0, false)) == 24.0);
  expect_err(ctx, tc_zeros(ctx, TC_F32, 17, shape), "0 to 16 dims");
  expect_err(ctx, tc_unsqueeze(x, 0), "16");
}

/* base = torch.arange(4.); o = base[:2]; v = base[1:3]; o.resize_(6);
 * o.copy_(torch.arange(10., 16.)); o.resize_(2, 1) */
TC_CASE(resize_grows_the_storage_in_place_and_every_alias_sees_it) {
  tc_tensor *base = tc_arange(ctx, 0, 4, 1, TC_F32);
  tc_tensor *o = tc_narrow(base, 0, 0, 2), *v = tc_narrow(base, 0, 1, 2);
  assert_int_equal(tc_resize_(o, 1, (const int64_t[]){6}, NULL), TC_OK);
  expect_layout(o, SH(6), SH(1), 0, true);
  assert_int_equal(tc_tensor_storage_numel(base), 6);
  expect_repr(base, "tensor([0., 1., 2., 3.])"); /* the alias keeps its shape and elements */
  expect_repr(v, "tensor([1., 2.])");
  assert_int_equal(tc_copy_(o, tc_arange(ctx, 10, 16, 1, TC_F32)), TC_OK);
  expect_repr(o, "tensor([10., 11., 12., 13., 14., 15.])");
  expect_repr(base, "tensor([10., 11., 12., 13.])");
  expect_repr(v, "tensor([11., 12.])");
  assert_int_equal(tc_resize_(o, 2, (const int64_t[]){2, 1}, NULL), TC_OK); /* shrinking keeps the storage */
  expect_layout(o, SH(2, 1), SH(1, 1), 0, true);
  assert_int_equal(tc_tensor_storage_numel(o), 6);
  expect_repr(o, "tensor([[10.],\n        [11.]])");
}

/* base = torch.zeros(10); o = base[4:4]; o.resize_(3); o.fill_(7);
 * m = torch.arange(6.).view(2, 3).t(); m.resize_(3, 2) keeps m's strides */
TC_CASE(resize_keeps_the_storage_offset_and_a_same_shape_keeps_the_layout) {
  tc_tensor *base = tc_zeros(ctx, TC_F32, 1, (const int64_t[]){10});
  tc_tensor *o = tc_narrow(base, 0, 4, 0);
  assert_int_equal(tc_resize_(o, 1, (const int64_t[]){3}, NULL), TC_OK);
  expect_layout(o, SH(3), SH(1), 4, true);
  assert_int_equal(tc_tensor_storage_numel(base), 10);
  assert_int_equal(tc_fill_(o, 7), TC_OK);
  expect_repr(base, "tensor([0., 0., 0., 0., 7., 7., 7., 0., 0., 0.])");
  tc_tensor *m = tc_t(tc_view(tc_arange(ctx, 0, 6, 1, TC_F32), 2, (const int64_t[]){2, 3}));
  assert_int_equal(tc_resize_(m, 2, (const int64_t[]){3, 2}, NULL), TC_OK);
  expect_layout(m, SH(3, 2), SH(1, 3), 0, false);
  /* given strides (out= keeps a result's layout): a transposed (2, 3) over 6 elements */
  tc_tensor *e = tc_empty(ctx, TC_F32, 1, (const int64_t[]){0});
  assert_int_equal(tc_resize_(e, 2, (const int64_t[]){2, 3}, (const int64_t[]){1, 2}), TC_OK);
  expect_layout(e, SH(2, 3), SH(1, 2), 0, false);
  assert_int_equal(tc_tensor_storage_numel(e), 6);
  assert_int_equal(tc_copy_(e, tc_view(tc_arange(ctx, 0, 6, 1, TC_F32), 2, (const int64_t[]){2, 3})), TC_OK);
  expect_repr(e, "tensor([[0., 1., 2.],\n        [3., 4., 5.]])");
  expect_status_err(ctx, tc_resize_(e, 1, (const int64_t[]){-1}, NULL),
                    "Trying to create tensor with negative dimension -1: [-1]");
  expect_status_err(ctx, tc_resize_(e, 1, (const int64_t[]){2}, (const int64_t[]){-1}), "negative strides");
}

/* n = numpy.zeros(4, numpy.float32); o = torch.from_numpy(n):
 * o.resize_(2) works (the memory is n's), o.resize_(5) fails */
TC_CASE(resize_cannot_grow_memory_that_tensorc_does_not_own) {
  float host[4] = {1, 2, 3, 4};
  tc_tensor *o = tc_from_host_memory(ctx, host, TC_F32, 1, (const int64_t[]){4}, NULL, NULL, NULL);
  assert_non_null(o);
  assert_int_equal(tc_resize_(o, 1, (const int64_t[]){2}, NULL), TC_OK);
  assert_int_equal(tc_fill_(o, 9), TC_OK);
  assert_true(host[0] == 9 && host[1] == 9 && host[2] == 3);
  expect_status_err(ctx, tc_resize_(o, 1, (const int64_t[]){5}, NULL),
                    "Trying to resize storage that is not resizable");
  expect_layout(o, SH(2), SH(1), 0, true); /* a failed resize leaves the handle as it was */
  tc_tensor_release(o); /* before host goes out of scope */
}

int main(void) {
  const struct CMUnitTest tests[] = {
      TC_TEST(permute_transpose_and_t_reorder_strides_without_copying),
      TC_TEST(expand_gives_new_and_size_1_dims_stride_0),
      TC_TEST(squeeze_and_unsqueeze_follow_pytorchs_stride_rules),
      TC_TEST(flatten_is_a_view_of_contiguous_dims_and_a_copy_otherwise),
      TC_TEST(narrow_and_slice_move_the_storage_offset),
      TC_TEST(slice_bounds_follow_python_negative_and_out_of_range_rules),
      TC_TEST(select_removes_a_dim_and_counts_negative_indices_from_the_end),
      TC_TEST(is_contiguous_ignores_the_strides_of_size_1_and_empty_tensors),
      TC_TEST(view_of_a_transposed_tensor_fails_with_pytorchs_message),
      TC_TEST(view_infers_one_minus_1_and_checks_the_element_count),
      TC_TEST(reshape_of_a_transposed_tensor_copies_and_stops_aliasing),
      TC_TEST(contiguous_then_view_works_where_view_alone_fails),
      TC_TEST(a_write_through_a_view_shows_in_the_base_tensor),
      TC_TEST(a_write_to_a_clone_leaves_the_original_unchanged),
      TC_TEST(fill_through_a_slice_with_steps_writes_only_its_elements),
      TC_TEST(copy_into_a_column_casts_and_broadcasts_the_source),
      TC_TEST(add_through_a_transposed_view_updates_the_base_in_place),
      TC_TEST(add_in_place_keeps_the_destination_dtype_or_refuses),
      TC_TEST(every_alias_sees_a_write_through_any_other),
      TC_TEST(a_lazy_read_captured_before_an_in_place_write_keeps_the_old_values),
      TC_TEST(a_lazy_read_of_a_slice_keeps_the_values_before_a_write_to_the_base),
      TC_TEST(a_clone_is_independent_of_later_writes_in_both_directions),
      TC_TEST(an_elementwise_result_takes_its_operands_memory_order),
      TC_TEST(like_factories_and_clone_preserve_the_layout),
      TC_TEST(memory_formats_give_pytorchs_channels_last_strides),
      TC_TEST(a_views_base_is_the_root_tensor_and_new_tensors_have_none),
      TC_TEST(unfold_and_as_strided_are_views_with_pytorchs_checks),
      TC_TEST(sixteen_dims_work_and_seventeen_are_refused),
      TC_TEST(resize_grows_the_storage_in_place_and_every_alias_sees_it),
      TC_TEST(resize_keeps_the_storage_offset_and_a_same_shape_keeps_the_layout),
      TC_TEST(resize_cannot_grow_memory_that_tensorc_does_not_own),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
