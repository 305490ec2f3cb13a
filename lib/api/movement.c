/*
 * movement.c — the entry points of movement ops (views of one storage,
 * lib/ir's movement.c), clone/contiguous, and the in-place writes (lib/ir's
 * inplace.c builds the WRITE; in eager mode it is realized here).
 */
#include <string.h>
#include "api.h"

tc_tensor *tc_view(tc_tensor *a, int ndim, const int64_t *shape) {
  return api_eager(ir_op_view(a, ndim, shape));
}
tc_tensor *tc_reshape(tc_tensor *a, int ndim, const int64_t *shape) {
  return api_eager(ir_op_reshape(a, ndim, shape));
}
tc_tensor *tc_permute(tc_tensor *a, const int *perm) { return api_eager(ir_op_permute(a, perm)); }
tc_tensor *tc_transpose(tc_tensor *a, int d0, int d1) {
  return api_eager(ir_op_transpose(a, d0, d1));
}
tc_tensor *tc_t(tc_tensor *a) { return api_eager(ir_op_t(a)); }
tc_tensor *tc_expand(tc_tensor *a, int ndim, const int64_t *shape) {
  return api_eager(ir_op_expand(a, ndim, shape));
}
tc_tensor *tc_squeeze(tc_tensor *a, int dim) { return api_eager(ir_op_squeeze(a, dim)); }
tc_tensor *tc_squeeze_all(tc_tensor *a) { return api_eager(ir_op_squeeze_all(a)); }
tc_tensor *tc_unsqueeze(tc_tensor *a, int dim) { return api_eager(ir_op_unsqueeze(a, dim)); }
tc_tensor *tc_flatten(tc_tensor *a, int start_dim, int end_dim) {
  return api_eager(ir_op_flatten(a, start_dim, end_dim));
}
tc_tensor *tc_narrow(tc_tensor *a, int dim, int64_t start, int64_t length) {
  return api_eager(ir_op_narrow(a, dim, start, length));
}
tc_tensor *tc_slice(tc_tensor *a, int dim, int64_t start, int64_t stop, int64_t step) {
  return api_eager(ir_op_slice(a, dim, start, stop, step));
}
tc_tensor *tc_select(tc_tensor *a, int dim, int64_t index) {
  return api_eager(ir_op_select(a, dim, index));
}
tc_tensor *tc_unfold(tc_tensor *a, int dim, int64_t size, int64_t step) {
  return api_eager(ir_op_unfold(a, dim, size, step));
}
tc_tensor *tc_as_strided(tc_tensor *a, int ndim, const int64_t *shape, const int64_t *strides,
                         int64_t storage_offset) {
  return api_eager(ir_op_as_strided(a, ndim, shape, strides, storage_offset));
}
tc_tensor *tc_contiguous(tc_tensor *a) { return api_eager(ir_op_contiguous(a)); }
tc_tensor *tc_clone(tc_tensor *a) { return api_eager(ir_op_clone_preserve(a)); }

tc_tensor *tc_clone_format(tc_tensor *a, tc_memory_format fmt) {
  if (!a) return NULL;
  if (fmt == TC_PRESERVE_FORMAT) return tc_clone(a);
  int64_t st[TC_MAX_DIMS];
  if (!ir_format_strides(a->ctx, "tc_clone_format", fmt, a->ndim, a->shape, st)) return NULL;
  return api_eager(ir_op_clone_strided(a, st));
}

tc_tensor *tc_contiguous_format(tc_tensor *a, tc_memory_format fmt) {
  if (!a) return NULL;
  if (fmt == TC_PRESERVE_FORMAT)
    return ir_error(a->ctx, TC_ERR_ARG, "tc_contiguous_format: preserve memory format is unsupported by the "
                    "contiguous operator");
  int64_t st[TC_MAX_DIMS];
  if (!ir_format_strides(a->ctx, "tc_contiguous_format", fmt, a->ndim, a->shape, st)) return NULL;
  if (ir_tensor_is_format(a, fmt)) return api_eager(ir_tensor_alias(a, a->ndim, a->shape, a->strides, a->offset));
  return api_eager(ir_op_clone_strided(a, st));
}

bool tc_tensor_is_contiguous_format(const tc_tensor *a, tc_memory_format fmt) {
  return a && (unsigned)fmt <= TC_CHANNELS_LAST_3D && ir_tensor_is_format(a, fmt);
}

tc_tensor *api_relayout(tc_tensor *t, const int64_t *strides) {
  if (!t) return NULL;
  bool same = t->offset == 0; /* an empty tensor has nothing to move */
  for (int d = 0; d < t->ndim && ir_tensor_numel(t); d++) same &= t->shape[d] < 2 || t->strides[d] == strides[d];
  if (!same) return api_eager(ir_op_clone_strided(t, strides));
  if (t->ndim) memcpy(t->strides, strides, sizeof(int64_t) * (size_t)t->ndim);
  return t;
}

tc_tensor *api_contiguous_exact(tc_tensor *t) {
  if (!t) return NULL;
  int64_t st[TC_MAX_DIMS];
  ir_contig_strides(t->ndim, t->shape, st);
  return api_relayout(t, st);
}

/* ---- in-place ---------------------------------------------------------- */

tc_status tc_copy_(tc_tensor *dst, tc_tensor *src) {
  if (!dst || !src) return TC_ERR_ARG;
  if (!api_same_ctx("tc_copy_", (tc_tensor *[]){dst, src}, 2)) return TC_ERR_ARG;
  return api_eager_write(dst, ir_op_copy_(dst, src));
}

tc_status tc_resize_(tc_tensor *t, int ndim, const int64_t *shape, const int64_t *strides) {
  if (!t) return TC_ERR_ARG;
  ir_node *before = t->st->version;
  tc_status s = ir_op_resize_(t, ndim, shape, strides);
  /* a grown storage has a new version: realized at once in eager mode */
  return s == TC_OK && t->st->version != before ? api_eager_write(t, s) : s;
}

tc_status tc_check_inplace(tc_tensor *dst, tc_tensor *src) {
  if (!dst || !src) return TC_ERR_ARG;
  if (ir_write_overlaps(dst, "tc_check_inplace") || !ir_no_partial_overlap(dst, src, "tc_check_inplace"))
    return TC_ERR_ARG;
  return TC_OK;
}

tc_status tc_fill_(tc_tensor *dst, double value) {
  if (!dst) return TC_ERR_ARG;
  return api_eager_write(dst, ir_op_fill_(dst, value));
}

tc_status tc_fill_tensor_(tc_tensor *dst, tc_tensor *value) {
  if (!dst || !value) return TC_ERR_ARG;
  if (!api_same_ctx("tc_fill_tensor_", (tc_tensor *[]){dst, value}, 2)) return TC_ERR_ARG;
  if (value->ndim != 0)
    return ir_error(dst->ctx, TC_ERR_ARG, "tc_fill_tensor_: fill_ only supports 0-dimension value tensor but got "
                    "tensor with %d dimensions.", value->ndim),
           TC_ERR_ARG;
  /* a copy of the broadcast value: lazy, nothing read back */
  tc_status s = api_eager_write(dst, ir_op_copy_(dst, value));
  if (s != TC_OK) ir_error_rename(dst->ctx, "tc_fill_tensor_");
  return s;
}

tc_status tc_add_(tc_tensor *dst, tc_tensor *src) {
  if (!dst || !src) return TC_ERR_ARG;
  if (!api_same_ctx("tc_add_", (tc_tensor *[]){dst, src}, 2)) return TC_ERR_ARG;
  tc_status s = api_eager_write(dst, ir_op_add_(dst, src));
  if (s != TC_OK) ir_error_rename(dst->ctx, "tc_add_");
  return s;
}
