/*
 * gather.c — data-dependent indexing: boolean-mask selection, index_select,
 * nonzero, masked_fill. Their output shapes (or addresses) depend on values,
 * which kernel IR's static index expressions cannot express, so they realize
 * their inputs and gather on the host; the result is a new storage (a copy,
 * as PyTorch's advanced indexing returns). masked_fill is lazy: a where().
 * They are made of other public ops, in a scope, so they are lib/api's.
 */
#include <string.h>
#include "api.h"

static bool host_copy(tc_tensor *t, void **out) {
  size_t bytes = (size_t)tc_tensor_numel(t) * ir_dtype_size(t->dt);
  *out = ir_alloc(t->ctx, bytes ? bytes : 1);
  if (!*out) return ir_error(t->ctx, TC_ERR_OOM, "out of memory"), false;
  if (tc_copy_to_host(t, *out, bytes) != TC_OK) {
    ir_free(t->ctx, *out);
    return false;
  }
  return true;
}

tc_tensor *tc_masked_select(tc_tensor *a, tc_tensor *mask) {
  if (!a || !mask) return NULL;
  tc_ctx *ctx = a->ctx;
  if (!api_same_ctx("tc_masked_select", (tc_tensor *[]){a, mask}, 2)) return NULL;
  if (mask->dt != TC_BOOL && mask->dt != TC_U8)
    return ir_error(ctx, TC_ERR_ARG, "tc_masked_select: masked_select: expected BoolTensor for mask");
  tc_scope_begin(ctx);
  tc_tensor *r = NULL;
  /* the broadcast shape of a and mask, from a lazy op never realized */
  tc_tensor *m = tc_to_dtype(mask, TC_BOOL);
  tc_tensor *va = m ? tc_where(m, a, a) : NULL;
  void *data = NULL, *md = NULL;
  if (va) {
    int64_t shape[TC_MAX_DIMS];
    int nd = tc_tensor_shape(va, shape);
    tc_tensor *ea = tc_to_dtype(tc_expand(a, nd, shape), a->dt);
    tc_tensor *em = tc_expand(m, nd, shape);
    if (ea && em && host_copy(ea, &data) && host_copy(tc_contiguous(em), &md)) {
      int64_t n = tc_tensor_numel(ea), k = 0;
      size_t es = ir_dtype_size(a->dt);
      char *dst = ir_alloc(ctx, (size_t)(n ? n : 1) * es);
      if (dst) {
        for (int64_t i = 0; i < n; i++)
          if (((unsigned char *)md)[i]) memcpy(dst + k++ * es, (char *)data + i * es, es);
        r = tc_from_data(ctx, dst, a->dt, 1, &k);
        ir_free(ctx, dst);
      } else {
        ir_error(ctx, TC_ERR_OOM, "out of memory");
      }
    }
  }
  ir_free(ctx, data);
  ir_free(ctx, md);
  tc_keep(r);
  tc_scope_end(ctx);
  return r;
}

tc_tensor *tc_index_select(tc_tensor *a, int dim, tc_tensor *index) {
  if (!a || !index) return NULL;
  tc_ctx *ctx = a->ctx;
  if (!api_same_ctx("tc_index_select", (tc_tensor *[]){a, index}, 2)) return NULL;
  if (index->dt != TC_I64 && index->dt != TC_I32)
    return ir_error(ctx, TC_ERR_ARG, "tc_index_select: index_select(): Expected dtype int32/int64 for index");
  if (index->ndim > 1)
    return ir_error(ctx, TC_ERR_ARG, "tc_index_select: index_select(): Index is supposed to be a vector");
  int nd = a->ndim ? a->ndim : 1;
  if (dim < -nd || dim >= nd)
    return ir_error(ctx, TC_ERR_ARG, "tc_index_select: Dimension out of range (expected to be in range of [%d, %d], but got %d)",
                    -nd, nd - 1, dim);
  if (dim < 0) dim += nd;
  if (a->ndim == 0) return tc_clone(a);
  tc_scope_begin(ctx);
  tc_tensor *r = NULL;
  void *data = NULL, *idx = NULL;
  tc_tensor *i64 = tc_to_dtype(index, TC_I64);
  if (i64 && host_copy(a, &data) && host_copy(i64, &idx)) {
    int64_t k = tc_tensor_numel(i64), size = a->shape[dim];
    int64_t outer = 1, inner = 1;
    for (int d = 0; d < dim; d++) outer *= a->shape[d];
    for (int d = dim + 1; d < a->ndim; d++) inner *= a->shape[d];
    size_t es = ir_dtype_size(a->dt);
    bool ok = true;
    for (int64_t j = 0; j < k && ok; j++) {
      int64_t v = ((int64_t *)idx)[j];
      if (v < -size || v >= size) {
        ir_error(ctx, TC_ERR_ARG, "tc_index_select: index %lld is out of bounds for dimension %d with size %lld",
                 (long long)v, dim, (long long)size);
        ok = false;
      }
    }
    int64_t total = outer * k * inner;
    char *dst = ok ? ir_alloc(ctx, (size_t)(total > 0 ? total : 1) * es) : NULL;
    if (dst) {
      for (int64_t o = 0; o < outer; o++)
        for (int64_t j = 0; j < k; j++) {
          int64_t v = ((int64_t *)idx)[j];
          if (v < 0) v += size;
          memcpy(dst + ((o * k + j) * inner) * es, (char *)data + ((o * size + v) * inner) * es,
                 (size_t)inner * es);
        }
      int64_t shape[TC_MAX_DIMS];
      memcpy(shape, a->shape, sizeof shape);
      shape[dim] = k;
      r = tc_from_data(ctx, dst, a->dt, a->ndim, shape);
      ir_free(ctx, dst);
    }
  }
  ir_free(ctx, data);
  ir_free(ctx, idx);
  tc_keep(r);
  tc_scope_end(ctx);
  return r;
}

tc_tensor *tc_nonzero(tc_tensor *a) {
  if (!a) return NULL;
  tc_ctx *ctx = a->ctx;
  tc_scope_begin(ctx);
  tc_tensor *r = NULL;
  void *md = NULL;
  tc_tensor *m = tc_ne(a, tc_zeros(ctx, a->dt, 0, NULL));
  if (m && host_copy(m, &md)) {
    int64_t n = tc_tensor_numel(m), k = 0;
    for (int64_t i = 0; i < n; i++) k += ((unsigned char *)md)[i] != 0;
    int nd = a->ndim;
    int64_t cnt = k * nd;
    int64_t *out = ir_alloc(ctx, sizeof(int64_t) * (size_t)(cnt > 0 ? cnt : 1));
    if (out) {
      int64_t idx[TC_MAX_DIMS] = {0}, j = 0;
      for (int64_t i = 0; i < n; i++) {
        if (((unsigned char *)md)[i]) {
          memcpy(out + j * nd, idx, sizeof(int64_t) * nd);
          j++;
        }
        for (int d = nd - 1; d >= 0; d--) {
          if (++idx[d] < a->shape[d]) break;
          idx[d] = 0;
        }
      }
      int64_t shape[2] = {k, nd};
      r = tc_from_data(ctx, out, TC_I64, 2, shape);
      ir_free(ctx, out);
    }
  }
  ir_free(ctx, md);
  tc_keep(r);
  tc_scope_end(ctx);
  return r;
}

tc_tensor *tc_masked_fill(tc_tensor *a, tc_tensor *mask, double value) {
  if (!a || !mask) return NULL;
  tc_ctx *ctx = a->ctx;
  if (!api_same_ctx("tc_masked_fill", (tc_tensor *[]){a, mask}, 2)) return NULL;
  if (mask->dt != TC_BOOL)
    return ir_error(ctx, TC_ERR_ARG, "tc_masked_fill: masked_fill_ only supports boolean masks, but got mask with dtype %s",
                    ir_dtype_name(mask->dt));
  tc_scope_begin(ctx);
  tc_tensor *v = tc_full(ctx, value, a->dt, 0, NULL);
  tc_tensor *r = tc_where(mask, v, a);
  tc_keep(r);
  tc_scope_end(ctx);
  return r;
}

tc_status tc_masked_fill_(tc_tensor *a, tc_tensor *mask, double value) {
  if (!a || !mask) return TC_ERR_ARG;
  tc_ctx *ctx = a->ctx;
  if (!api_same_ctx("tc_masked_fill_", (tc_tensor *[]){a, mask}, 2)) return TC_ERR_ARG;
  tc_scope_begin(ctx);
  tc_tensor *r = tc_masked_fill(a, mask, value);
  tc_status st = r ? tc_copy_(a, r) : (ctx->status ? ctx->status : TC_ERR_ARG);
  tc_scope_end(ctx);
  return st;
}
