/*
 * tensor.c — the accessors of a handle (shape, strides, dtype, device...)
 * and the public dtype helpers, over lib/ir's handles and dtypes.
 */
#include <string.h>
#include "api.h"

const char *tc_dtype_name(tc_dtype dt) { return ir_dtype_name(dt); }
size_t tc_dtype_size(tc_dtype dt) { return ir_dtype_size(dt); }
bool tc_dtype_is_floating(tc_dtype dt) { return ir_dtype_is_floating(dt); }
tc_dtype tc_promote_types(tc_dtype a, tc_dtype b) { return ir_promote_types(a, b); }

tc_ctx *tc_tensor_ctx(const tc_tensor *t) { return t ? t->ctx : NULL; }
tc_dtype tc_tensor_dtype(const tc_tensor *t) { return t ? t->dt : TC_F32; }
tc_device tc_tensor_device(const tc_tensor *t) {
  return t ? ir_tensor_device(t) : (tc_device){TC_CPU, 0};
}
int tc_tensor_ndim(const tc_tensor *t) { return t ? t->ndim : 0; }
int64_t tc_tensor_size(const tc_tensor *t, int d) {
  if (!t) return -1;
  if (d < 0) d += t->ndim;
  if (d < 0 || d >= t->ndim) return -1;
  return t->shape[d];
}
int tc_tensor_shape(const tc_tensor *t, int64_t *shape) {
  if (!t) return 0;
  if (shape) memcpy(shape, t->shape, sizeof(int64_t) * t->ndim);
  return t->ndim;
}
int tc_tensor_strides(const tc_tensor *t, int64_t *strides) {
  if (!t) return 0;
  if (strides) memcpy(strides, t->strides, sizeof(int64_t) * t->ndim);
  return t->ndim;
}
int64_t tc_tensor_numel(const tc_tensor *t) { return t ? ir_tensor_numel(t) : 0; }
int64_t tc_tensor_storage_offset(const tc_tensor *t) { return t ? t->offset : 0; }
int64_t tc_tensor_storage_numel(const tc_tensor *t) { return t ? t->st->numel : 0; }
tc_tensor *tc_tensor_base(const tc_tensor *t) { return t ? t->base : NULL; }
bool tc_tensor_is_view(const tc_tensor *t) { return t && t->base; }
void tc_tensor_set_user(tc_tensor *t, void *user) {
  if (t) t->user = user;
}
void *tc_tensor_user(const tc_tensor *t) { return t ? t->user : NULL; }
bool tc_tensor_is_contiguous(const tc_tensor *t) { return t ? ir_tensor_is_contiguous(t) : false; }
