/*
 * scatter.c — writes at positions that are data: index_put_ and
 * masked_scatter_.
 *
 * A write at data-dependent positions is one SCATTER node: the storage's
 * old version, the values (of the storage's dtype) and, for each value, the
 * int64 element offset it goes to. The offsets are an ordinary lazy
 * expression over the index tensors (negative indices wrapped, times the
 * destination's strides, plus its offset), so they fuse into the scatter's
 * kernel: one kernel per write, whatever the number of positions, and no
 * work per position on the host. Indices are checked (one reduction over
 * them, read back) before the write, with PyTorch's message.
 *
 * Positions may repeat in index_put_: the kernel then runs its points in
 * order (the last value wins, or with accumulate the values add up in
 * index order), so the result is the same bits on every run. A mask gives
 * distinct positions and a parallel kernel.
 *
 * These entry points read index values on the host and are made of other
 * public ops, so they are lib/api's; the SCATTER node is lib/ir's
 * ir_op_scatter (inplace.c).
 */
#include <stdio.h>
#include <string.h>
#include "api.h"

static bool same_device(tc_tensor *dst, tc_tensor *src, const char *fn) {
  tc_device a = dst->st->version->dev, b = src->st->version->dev;
  if (ir_same_device(a, b)) return true;
  char da[16], db[16];
  ir_error(dst->ctx, TC_ERR_ARG,
           "%s: Expected all tensors to be on the same device, but found at least two devices, "
           "%s and %s!", fn, ir_device_str(a, da), ir_device_str(b, db));
  return false;
}

/* SCATTER(dst's version, values, offsets) becomes dst's storage version
 * (realized in eager mode); the offsets (computed where the indices are)
 * move to dst's device. */
static tc_status scatter(tc_tensor *dst, tc_tensor *values, tc_tensor *offsets, bool accumulate,
                         bool unique) {
  tc_ctx *ctx = dst->ctx;
  tc_device dev = ir_tensor_device(dst);
  if (!ir_same_device(ir_tensor_device(offsets), dev) && !(offsets = tc_to(offsets, dev, false)))
    return ctx->status;
  return api_eager_write(dst, ir_op_scatter(dst, values, offsets, accumulate, unique));
}

static void shape_text(char *out, size_t cap, int nd, const int64_t *s) {
  size_t n = 0;
  out[0] = 0;
  for (int d = 0; d < nd && n < cap; d++)
    n += (size_t)snprintf(out + n, cap - n, d ? ", %lld" : "%lld", (long long)s[d]);
}

/* Broadcasts shape b into a (ndim *an), PyTorch's rule; false when they do
 * not broadcast. */
static bool broadcast_into(int64_t *a, int *an, const int64_t *b, int bn) {
  int n = *an > bn ? *an : bn;
  int64_t r[TC_MAX_DIMS];
  for (int i = 0; i < n; i++) {
    int ia = *an - n + i, ib = bn - n + i;
    int64_t x = ia >= 0 ? a[ia] : 1, y = ib >= 0 ? b[ib] : 1;
    if (x != y && x != 1 && y != 1) return false;
    r[i] = x == 1 ? y : x;
  }
  memcpy(a, r, sizeof(int64_t) * (size_t)n);
  *an = n;
  return true;
}

/* Checks idx (an integer tensor) against a dim of `size`; reads back one
 * value (and, when one is out of range, the indices) like PyTorch does. */
static bool in_bounds(tc_ctx *ctx, tc_tensor *idx, int64_t size, int dim, const char *fn) {
  if (tc_tensor_numel(idx) == 0) return true;
  tc_tensor *lo = tc_lt(idx, tc_scalar(ctx, (double)-size, TC_I64));
  tc_tensor *hi = tc_ge(idx, tc_scalar(ctx, (double)size, TC_I64));
  tc_tensor *bad = tc_any(tc_logical_or(lo, hi), NULL, 0, false);
  if (!bad) return false;
  if (tc_item(bad) == 0) return ctx->status == TC_OK;
  /* the first offending value, for the message */
  tc_tensor *flat = tc_contiguous(tc_to_dtype(idx, TC_I64));
  const int64_t *p = flat ? tc_data_ptr(tc_cpu(flat)) : NULL;
  int64_t v = 0;
  for (int64_t i = 0, n = tc_tensor_numel(idx); p && i < n; i++)
    if (p[i] < -size || p[i] >= size) {
      v = p[i];
      break;
    }
  ir_error(ctx, TC_ERR_ARG, "%s: index %lld is out of bounds for dimension %d with size %lld", fn,
           (long long)v, dim, (long long)size);
  return false;
}

tc_status tc_index_put_(tc_tensor *dst, int nidx, tc_tensor *const *indices, tc_tensor *values,
                        bool accumulate) {
  static const char *fn = "tc_index_put_";
  if (!dst || !values || (nidx > 0 && !indices)) return TC_ERR_ARG;
  tc_ctx *ctx = dst->ctx;
  if (nidx <= 0 || nidx > dst->ndim)
    return ir_error(ctx, TC_ERR_ARG, "%s: too many indices for tensor of dimension %d (got %d)", fn,
                    dst->ndim, nidx),
           TC_ERR_ARG;
  if (!api_same_ctx(fn, (tc_tensor *[]){dst, values}, 2)) return TC_ERR_ARG;
  for (int j = 0; j < nidx; j++) {
    if (!indices[j]) return TC_ERR_ARG;
    if (!api_same_ctx(fn, (tc_tensor *[]){dst, indices[j]}, 2)) return TC_ERR_ARG;
    tc_dtype it = indices[j]->dt;
    if (it != TC_I64 && it != TC_I32)
      return ir_error(ctx, TC_ERR_ARG,
                      "%s: tensors used as indices must be long, int, byte or bool tensors", fn),
             TC_ERR_ARG;
  }
  if (values->dt != dst->dt)
    return ir_error(ctx, TC_ERR_ARG,
                    "%s: Index put requires the source and destination dtypes match, got %s for "
                    "the destination and %s for the source.",
                    fn, ir_torch_word(dst->dt), ir_torch_word(values->dt)),
           TC_ERR_ARG;
  if (ir_write_overlaps(dst, fn) || !same_device(dst, values, fn)) return TC_ERR_ARG;
  /* the indices broadcast together to B; the result is B + dst.shape[nidx:] */
  int64_t B[TC_MAX_DIMS];
  int bn = 0;
  for (int j = 0; j < nidx; j++) {
    if (!broadcast_into(B, &bn, indices[j]->shape, indices[j]->ndim)) {
      char all[400] = "";
      for (int i = 0; i < nidx; i++) {
        char one[120];
        shape_text(one, sizeof one, indices[i]->ndim, indices[i]->shape);
        snprintf(all + strlen(all), sizeof all - strlen(all), "%s[%s]", i ? ", " : "", one);
      }
      return ir_error(ctx, TC_ERR_ARG,
                      "%s: shape mismatch: indexing tensors could not be broadcast together with "
                      "shapes %s", fn, all),
             TC_ERR_ARG;
    }
  }
  int rn = bn + dst->ndim - nidx;
  if (rn > TC_MAX_DIMS)
    return ir_error(ctx, TC_ERR_ARG, "%s: the indexing result has %d dims (at most %d)", fn, rn,
                    TC_MAX_DIMS),
           TC_ERR_ARG;
  int64_t R[TC_MAX_DIMS];
  memcpy(R, B, sizeof(int64_t) * (size_t)bn);
  for (int d = nidx; d < dst->ndim; d++) R[bn + d - nidx] = dst->shape[d];
  {
    int64_t chk[TC_MAX_DIMS];
    int cn = rn;
    memcpy(chk, R, sizeof(int64_t) * (size_t)rn);
    if (values->ndim > rn || !broadcast_into(chk, &cn, values->shape, values->ndim) || cn != rn ||
        memcmp(chk, R, sizeof(int64_t) * (size_t)rn)) {
      char vs[200], rs[200];
      shape_text(vs, sizeof vs, values->ndim, values->shape);
      shape_text(rs, sizeof rs, rn, R);
      return ir_error(ctx, TC_ERR_ARG,
                      "%s: shape mismatch: value tensor of shape [%s] cannot be broadcast to "
                      "indexing result of shape [%s]", fn, vs, rs),
             TC_ERR_ARG;
    }
  }
  tc_scope_begin(ctx);
  tc_status st = TC_OK;
  /* offsets = dst.offset + sum_j wrap(idx_j) * stride_j + sum_d iota_d * stride_d */
  tc_tensor *off = tc_full(ctx, (double)dst->offset, TC_I64, rn, R);
  for (int j = 0; j < nidx && st == TC_OK; j++) {
    if (!in_bounds(ctx, indices[j], dst->shape[j], j, fn)) {
      st = ctx->status ? ctx->status : TC_ERR_ARG;
      break;
    }
    tc_tensor *i64 = tc_to_dtype(indices[j], TC_I64);
    tc_tensor *wrapped = tc_where(tc_lt(i64, tc_scalar(ctx, 0, TC_I64)),
                                  tc_add_scalar(i64, (double)dst->shape[j]), i64);
    /* B's dims first, then one dim of 1 per trailing dim of dst */
    int64_t ws[TC_MAX_DIMS];
    int wn = 0;
    for (int d = 0; d < bn - indices[j]->ndim; d++) ws[wn++] = 1;
    for (int d = 0; d < indices[j]->ndim; d++) ws[wn++] = indices[j]->shape[d];
    for (int d = nidx; d < dst->ndim; d++) ws[wn++] = 1;
    tc_tensor *term = tc_mul_scalar(tc_reshape(wrapped, wn, ws), (double)dst->strides[j]);
    off = tc_add(off, term);
  }
  for (int d = nidx; d < dst->ndim && st == TC_OK; d++) {
    if (dst->shape[d] == 1) continue;
    int64_t ws[TC_MAX_DIMS];
    for (int e = 0; e < rn; e++) ws[e] = 1;
    ws[bn + d - nidx] = dst->shape[d];
    tc_tensor *io = tc_reshape(tc_arange_int(ctx, 0, dst->shape[d], 1), rn, ws);
    off = tc_add(off, tc_mul_scalar(io, (double)dst->strides[d]));
  }
  if (st == TC_OK) {
    tc_tensor *v = tc_expand(values, rn, R);
    if (!off || !v) st = ctx->status ? ctx->status : TC_ERR_OOM;
    else st = scatter(dst, v, off, accumulate, false);
  }
  tc_scope_end(ctx);
  return st;
}

tc_status tc_masked_scatter_(tc_tensor *dst, tc_tensor *mask, tc_tensor *source) {
  static const char *fn = "tc_masked_scatter_";
  if (!dst || !mask || !source) return TC_ERR_ARG;
  tc_ctx *ctx = dst->ctx;
  if (!api_same_ctx(fn, (tc_tensor *[]){dst, mask, source}, 3)) return TC_ERR_ARG;
  if (mask->dt != TC_BOOL)
    return ir_error(ctx, TC_ERR_ARG, "%s: masked_scatter_ only supports boolean masks, but got mask "
                    "with dtype %s", fn, tc_dtype_name(mask->dt)),
           TC_ERR_ARG;
  if (ir_write_overlaps(dst, fn) || !same_device(dst, source, fn)) return TC_ERR_ARG;
  if (source->dt != dst->dt)
    return ir_error(ctx, TC_ERR_ARG, "%s: masked_scatter_: expected self and source to have same "
                    "dtypes but got %s and %s", fn, ir_torch_word(dst->dt), ir_torch_word(source->dt)),
           TC_ERR_ARG;
  tc_scope_begin(ctx);
  tc_status st = TC_OK;
  tc_tensor *m = tc_expand(mask, dst->ndim, dst->shape);
  tc_tensor *nz = m ? tc_nonzero(m) : NULL; /* [count, ndim]: distinct positions */
  int64_t count = nz ? tc_tensor_size(nz, 0) : 0;
  if (!nz) {
    st = ctx->status ? ctx->status : TC_ERR_OOM;
  } else if (tc_tensor_numel(source) < count) {
    st = TC_ERR_ARG;
    ir_error(ctx, st, "%s: Number of elements of source < number of ones in mask", fn);
  } else if (count > 0) {
    tc_tensor *off = tc_full(ctx, (double)dst->offset, TC_I64, 1, &count);
    for (int d = 0; d < dst->ndim; d++)
      off = tc_add(off, tc_mul_scalar(tc_select(nz, 1, d), (double)dst->strides[d]));
    int64_t all = tc_tensor_numel(source);
    tc_tensor *vals = tc_slice(tc_reshape(source, 1, &all), 0, 0, count, 1);
    if (!off || !vals) st = ctx->status ? ctx->status : TC_ERR_OOM;
    else st = scatter(dst, vals, off, false, true);
  }
  tc_scope_end(ctx);
  return st;
}
