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
static tc_status scatter(tc_tensor *dst, tc_tensor *values, tc_tensor *offsets, int acc,
                         bool unique) {
  tc_ctx *ctx = dst->ctx;
  tc_device dev = ir_tensor_device(dst);
  if (!ir_same_device(ir_tensor_device(offsets), dev) && !(offsets = tc_to(offsets, dev, false)))
    return ctx->status;
  return api_eager_write(dst, ir_op_scatter(dst, values, offsets, acc, unique));
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

/* Checks idx at the call: one fused reduction read back, then (only when
 * one is out of bounds) the index itself for the message. */
static bool check_now(tc_ctx *ctx, tc_tensor *idx, const ir_bounds *b) {
  tc_tensor *below = tc_lt(idx, tc_scalar(ctx, (double)b->lo, TC_I64));
  tc_tensor *above = tc_ge(idx, tc_scalar(ctx, (double)b->size, TC_I64));
  tc_tensor *bad = tc_any(tc_logical_or(below, above), NULL, 0, false);
  if (!bad) return false;
  if (tc_item(bad) == 0) return ctx->status == TC_OK;
  /* the first offending value, for the message */
  tc_tensor *flat = tc_contiguous(tc_to_dtype(idx, TC_I64));
  const int64_t *p = flat ? tc_data_ptr(tc_cpu(flat)) : NULL;
  int64_t v = 0;
  for (int64_t i = 0, n = tc_tensor_numel(idx); p && i < n; i++)
    if (p[i] < b->lo || p[i] >= b->size) {
      v = p[i];
      break;
    }
  ir_bounds_error(ctx, b, v);
  return false;
}

/* Checks idx in a kernel of the realization that reads the result: a CHECK
 * of the count from idx's first element out of bounds to its end, which
 * the index returned subtracts (so the check runs before whatever uses it,
 * and the runtime stops there when it is not 0). */
static tc_tensor *check_later(tc_ctx *ctx, tc_tensor *idx, const ir_bounds *b) {
  int64_t n = tc_tensor_numel(idx);
  tc_tensor *flat = tc_reshape(tc_to_dtype(idx, TC_I64), 1, &n);
  tc_tensor *bad = tc_logical_or(tc_lt(flat, tc_scalar(ctx, (double)b->lo, TC_I64)),
                                 tc_ge(flat, tc_scalar(ctx, (double)b->size, TC_I64)));
  tc_tensor *left = tc_sub(tc_scalar(ctx, (double)n, TC_I64), tc_arange_int(ctx, 0, n, 1)); /* n - i */
  tc_tensor *first = tc_amax(tc_where(bad, left, tc_scalar(ctx, 0, TC_I64)), NULL, 0, false);
  tc_tensor *chk = first && flat ? ir_op_check(first, flat, b) : NULL;
  /* idx - 0 when it runs: nothing reads it after a check that failed */
  return chk ? tc_sub(idx, chk) : NULL;
}

bool api_check_deferred(tc_ctx *ctx, tc_device dev) {
  return ctx->index_check == TC_INDEX_CHECK_DEFERRED ||
         (ctx->index_check == TC_INDEX_CHECK_AUTO && dev.type == TC_CUDA);
}

/* on the index's device: its scalars are made there */
tc_tensor *api_checked(tc_ctx *ctx, tc_tensor *idx, const ir_bounds *b) {
  if (!idx) return NULL;
  if (tc_tensor_numel(idx) == 0) return idx;
  tc_device dev = ir_tensor_device(idx), old = api_on(ctx, dev);
  tc_tensor *r = NULL;
  if (api_check_deferred(ctx, dev)) r = check_later(ctx, idx, b);
  else if (check_now(ctx, idx, b)) r = idx;
  api_on_end(ctx, old);
  return r;
}

tc_tensor *api_in_bounds(tc_ctx *ctx, tc_tensor *idx, int64_t size, int dim, const char *fn) {
  return api_checked(ctx, idx, &(ir_bounds){.fn = fn, .dim = dim, .lo = -size, .size = size});
}

tc_tensor *api_in_bounds_nonneg(tc_ctx *ctx, tc_tensor *idx, int64_t size, int dim, const char *fn) {
  return api_checked(ctx, idx, &(ir_bounds){.fn = fn, .dim = dim, .lo = 0, .size = size});
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
  if (ir_write_overlaps(dst, fn) || !ir_no_overlap(dst, values, fn) || !same_device(dst, values, fn))
    return TC_ERR_ARG;
  for (int j = 0; j < nidx; j++)
    if (!ir_no_overlap(dst, indices[j], fn)) return TC_ERR_ARG;
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
  tc_device old_dev_ = api_on(ctx, ir_tensor_device(dst));
  tc_scope_begin(ctx);
  tc_status st = TC_OK;
  /* offsets = dst.offset + sum_j wrap(idx_j) * stride_j + sum_d iota_d * stride_d */
  tc_tensor *off = tc_full(ctx, (double)dst->offset, TC_I64, rn, R);
  for (int j = 0; j < nidx && st == TC_OK; j++) {
    tc_tensor *ij = api_in_bounds(ctx, indices[j], dst->shape[j], j, fn);
    if (!ij) {
      st = ctx->status ? ctx->status : TC_ERR_ARG;
      break;
    }
    tc_tensor *i64 = tc_to_dtype(api_to(ij, ir_tensor_device(dst)), TC_I64);
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
    else st = scatter(dst, v, off, accumulate ? OP_ADD : 0, false);
  }
  tc_scope_end(ctx);
  api_on_end(ctx, old_dev_);
  return st;
}

tc_status tc_masked_scatter_(tc_tensor *dst, tc_tensor *mask, tc_tensor *source) {
  static const char *fn = "tc_masked_scatter_";
  if (!dst || !mask || !source) return TC_ERR_ARG;
  tc_ctx *ctx = dst->ctx;
  if (!api_same_ctx(fn, (tc_tensor *[]){dst, mask, source}, 3)) return TC_ERR_ARG;
  if (mask->dt != TC_BOOL)
    return ir_error(ctx, TC_ERR_ARG, "%s: masked_scatter_ only supports boolean masks, but got mask "
                    "with dtype %s", fn, ir_torch_word(mask->dt)),
           TC_ERR_ARG;
  if (ir_write_overlaps(dst, fn) || !same_device(dst, source, fn)) return TC_ERR_ARG;
  if (source->dt != dst->dt)
    return ir_error(ctx, TC_ERR_ARG, "%s: masked_scatter_: expected self and source to have same "
                    "dtypes but got %s and %s", fn, ir_torch_word(dst->dt), ir_torch_word(source->dt)),
           TC_ERR_ARG;
  tc_device old_dev_ = api_on(ctx, ir_tensor_device(dst));
  tc_scope_begin(ctx);
  tc_status st = TC_OK;
  /* a gather, not a scatter: the element at row-major position i where
   * the mask is true takes source's element c[i] - 1, c the running count
   * of the mask (one scan); the count itself is read back for the check */
  int64_t n = tc_tensor_numel(dst), all = tc_tensor_numel(source);
  tc_tensor *m = tc_reshape(tc_expand(mask, dst->ndim, dst->shape), 1, &n);
  tc_dtype ct = n < INT32_MAX ? TC_I32 : TC_I64;
  tc_tensor *c = m ? tc_cumsum(m, 0, &ct) : NULL;
  int64_t count = c && n > 0 ? tc_item_int(tc_select(c, 0, n - 1)) : 0;
  if (!c || ctx->status != TC_OK) {
    st = ctx->status ? ctx->status : TC_ERR_OOM;
  } else if (all < count) {
    st = TC_ERR_ARG;
    ir_error(ctx, st, "%s: Number of elements of source < number of ones in mask", fn);
  } else if (count > 0) {
    /* source's storage offsets, in range by construction (count <= all):
     * false positions take any valid one */
    tc_tensor *flat = tc_reshape(source, 1, &all);
    tc_tensor *from = flat ? tc_add_scalar(tc_to_dtype(tc_clamp_min_scalar(tc_add_scalar(c, -1), 0), TC_I64),
                                           (double)flat->offset)
                           : NULL;
    tc_tensor *vals = from ? api_gather_at(flat, from) : NULL;
    tc_tensor *r = tc_where(m, vals, tc_reshape(dst, 1, &n));
    st = r ? tc_copy_(dst, tc_reshape(r, dst->ndim, dst->shape)) : ctx->status ? ctx->status : TC_ERR_OOM;
  }
  tc_scope_end(ctx);
  api_on_end(ctx, old_dev_);
  return st;
}

/* ---- scatter, scatter_add, scatter_reduce, index_add/fill/copy, put ---- */

static const char *word(tc_dtype dt) { return ir_torch_word(dt); }

/* PyTorch's checks of scatter's self, index and src (src NULL: a value). */
static bool scatter_args(tc_tensor *dst, int *dim, tc_tensor *index, tc_tensor *src, const char *fn) {
  tc_ctx *ctx = dst->ctx;
  if (!api_same_ctx(fn, (tc_tensor *[]){dst, index, src}, src ? 3 : 2)) return false;
  if (index->dt != TC_I64 && index->dt != TC_I32)
    return ir_error(ctx, TC_ERR_ARG, "%s: scatter(): Expected dtype int32/int64 for index", fn), false;
  if (!ir_wrap_dim(ctx, fn, dim, dst->ndim)) return false;
  int nd = dst->ndim ? dst->ndim : 1;
  if ((index->ndim ? index->ndim : 1) != nd || (src && (src->ndim ? src->ndim : 1) != nd))
    return ir_error(ctx, TC_ERR_ARG, "%s: Index tensor must have the same number of dimensions as self tensor", fn),
           false;
  if (src && src->dt != dst->dt)
    return ir_error(ctx, TC_ERR_ARG, "%s: scatter(): Expected self.dtype to be equal to src.dtype", fn), false;
  bool ok = true;
  for (int d = 0; d < index->ndim; d++)
    ok = ok && (d == *dim || index->shape[d] <= dst->shape[d]) && (!src || index->shape[d] <= src->shape[d]);
  if (!ok) {
    char is[200], ds[200], ss[200] = "";
    shape_text(is, sizeof is, index->ndim, index->shape);
    shape_text(ds, sizeof ds, dst->ndim, dst->shape);
    if (src) shape_text(ss, sizeof ss, src->ndim, src->shape);
    return ir_error(ctx, TC_ERR_ARG, "%s: Expected index [%s] to be no larger than self [%s] apart from dimension %d%s%s%s",
                    fn, is, ds, *dim, src ? " and to be no larger size than src [" : "", ss, src ? "]" : ""),
           false;
  }
  return !ir_write_overlaps(dst, fn) && ir_no_overlap(dst, index, fn) && ir_no_overlap(dst, src, fn) &&
         (!src || same_device(dst, src, fn));
}

/* src's elements at index's positions (src[:i0, :i1, ...]), in the open scope. */
static tc_tensor *src_at_index(tc_tensor *src, tc_tensor *index) {
  tc_tensor *v = src;
  for (int d = 0; d < index->ndim && v; d++)
    if (index->shape[d] != src->shape[d]) v = tc_narrow(v, d, 0, index->shape[d]);
  return v;
}

/* dst (as 1-D when 0-d) scattered at index along dim with values (index's
 * shape) combined by acc; in the open scope. */
static tc_status scatter_dim(tc_tensor *dst, int dim, tc_tensor *index, tc_tensor *values, int acc, const char *fn) {
  tc_ctx *ctx = dst->ctx;
  if (tc_tensor_numel(index) == 0) return TC_OK;
  tc_tensor *x = dst->ndim ? dst : tc_view(dst, 1, (const int64_t[]){1});
  tc_tensor *ix = index->ndim ? index : tc_reshape(index, 1, (const int64_t[]){1});
  tc_tensor *v = values && values->ndim == 0 && index->ndim == 0 ? tc_reshape(values, 1, (const int64_t[]){1}) : values;
  if (!x || !ix || !v) return ctx->status ? ctx->status : TC_ERR_OOM;
  if (!(ix = api_in_bounds_nonneg(ctx, ix, x->shape[dim], dim, fn))) return ctx->status ? ctx->status : TC_ERR_ARG;
  tc_tensor *off = api_dim_offsets(x, dim, ix, ix->ndim, ix->shape);
  tc_tensor *ev = tc_expand(v, ix->ndim, ix->shape);
  if (!off || !ev) return ctx->status ? ctx->status : TC_ERR_OOM;
  return scatter(dst, ev, off, acc, false);
}

static tc_status scatter_common(tc_tensor *dst, int dim, tc_tensor *index, tc_tensor *src, double value, int acc,
                                const char *fn) {
  if (!dst || !index) return TC_ERR_ARG;
  tc_ctx *ctx = dst->ctx;
  if (!scatter_args(dst, &dim, index, src, fn)) return ctx->status ? ctx->status : TC_ERR_ARG;
  tc_device old_dev_ = api_on(ctx, ir_tensor_device(dst));
  tc_scope_begin(ctx);
  tc_tensor *v = src ? src_at_index(src, index) : tc_scalar(ctx, value, dst->dt);
  if (v && !src && !ir_same_device(ir_tensor_device(v), ir_tensor_device(dst))) v = tc_to(v, ir_tensor_device(dst), false);
  tc_status st = v ? scatter_dim(dst, dim, index, v, acc, fn) : (ctx->status ? ctx->status : TC_ERR_OOM);
  tc_scope_end(ctx);
  api_on_end(ctx, old_dev_);
  return st;
}

tc_status tc_scatter_(tc_tensor *dst, int dim, tc_tensor *index, tc_tensor *src) {
  if (!src) return TC_ERR_ARG;
  return scatter_common(dst, dim, index, src, 0, 0, "tc_scatter_");
}

tc_status tc_scatter_value_(tc_tensor *dst, int dim, tc_tensor *index, double value) {
  return scatter_common(dst, dim, index, NULL, value, 0, "tc_scatter_value_");
}

tc_status tc_scatter_add_(tc_tensor *dst, int dim, tc_tensor *index, tc_tensor *src) {
  if (!src) return TC_ERR_ARG;
  return scatter_common(dst, dim, index, src, 0, OP_ADD, "tc_scatter_add_");
}

tc_status tc_scatter_reduce_(tc_tensor *dst, int dim, tc_tensor *index, tc_tensor *src, const char *reduce,
                             bool include_self) {
  static const char *fn = "tc_scatter_reduce_";
  if (!dst || !index || !src) return TC_ERR_ARG;
  tc_ctx *ctx = dst->ctx;
  /* "max" and "min" are PyTorch's other names of amax and amin (its
   * get_operator_enum with the new options), left out of its message */
  static const char *const names[] = {"sum", "prod", "mean", "amax", "amin", "max", "min"};
  static const int ops[] = {OP_ADD, OP_MUL, OP_ADD, OP_MAX, OP_MIN, OP_MAX, OP_MIN};
  int r = -1;
  for (int i = 0; i < 7 && reduce; i++)
    if (!strcmp(reduce, names[i])) r = i;
  if (r < 0)
    return ir_error(ctx, TC_ERR_ARG, "%s: reduce argument must be either sum, prod, mean, amax or amin, got %s", fn,
                    reduce ? reduce : "(null)"),
           TC_ERR_ARG;
  if (!scatter_args(dst, &dim, index, src, fn)) return ctx->status ? ctx->status : TC_ERR_ARG;
  if (tc_tensor_numel(index) == 0) return TC_OK;
  tc_device old_dev_ = api_on(ctx, ir_tensor_device(dst));
  tc_scope_begin(ctx);
  tc_status st = TC_OK;
  bool fl = ir_dtype_is_floating(dst->dt);
  tc_tensor *count = NULL;
  if (r == 2) { /* mean: the number of values at each position (+1 for self) */
    count = tc_full(ctx, include_self ? 1 : 0, dst->dt, dst->ndim, dst->shape);
    if (count && !ir_same_device(ir_tensor_device(count), ir_tensor_device(dst)))
      count = tc_to(count, ir_tensor_device(dst), false);
    st = count ? scatter_dim(count, dim, index, tc_scalar(ctx, 1, dst->dt), OP_ADD, fn) : TC_ERR_OOM;
  }
  if (st == TC_OK && !include_self) {
    /* the positions start at the identity of sum/prod/mean, or (max and
     * min being idempotent) at one of the values they will combine */
    if (ops[r] == OP_MAX || ops[r] == OP_MIN) {
      st = scatter_dim(dst, dim, index, src_at_index(src, index), 0, fn);
    } else {
      tc_tensor *iv = tc_scalar(ctx, ops[r] == OP_MUL ? 1 : 0, dst->dt);
      if (iv && !ir_same_device(ir_tensor_device(iv), ir_tensor_device(dst)))
        iv = tc_to(iv, ir_tensor_device(dst), false);
      st = iv ? scatter_dim(dst, dim, index, iv, 0, fn) : TC_ERR_OOM;
    }
  }
  if (st == TC_OK) st = scatter_dim(dst, dim, index, src_at_index(src, index), ops[r], fn);
  if (st == TC_OK && count) { /* sum / count where count > 0 (floor division for integers) */
    tc_tensor *pos = tc_gt(count, tc_scalar(ctx, 0, dst->dt));
    tc_tensor *q = fl ? tc_div(dst, count) : api_binary_unchecked(TC_OP_FLOOR_DIVIDE, dst, tc_where(pos, count, tc_scalar(ctx, 1, dst->dt)));
    tc_tensor *res = tc_where(pos, tc_to_dtype(q, dst->dt), dst);
    st = res ? tc_copy_(dst, res) : (ctx->status ? ctx->status : TC_ERR_OOM);
  }
  tc_scope_end(ctx);
  api_on_end(ctx, old_dev_);
  return st;
}

/* index_add_/index_copy_/index_fill_: positions along dim at index (1-D),
 * every element along the other dims; values of dst's shape with
 * index.numel() along dim. */
static tc_status index_dim(tc_tensor *dst, int dim, tc_tensor *index, tc_tensor *src, double value, double alpha,
                           int acc, const char *fn, const char *word_fn) {
  if (!dst || !index) return TC_ERR_ARG;
  tc_ctx *ctx = dst->ctx;
  if (!api_same_ctx(fn, (tc_tensor *[]){dst, index, src}, src ? 3 : 2)) return TC_ERR_ARG;
  if (!ir_wrap_dim(ctx, fn, &dim, dst->ndim)) return TC_ERR_ARG;
  /* PyTorch's words differ per op: index_add_ takes int32 too */
  if (acc == OP_ADD ? index->dt != TC_I64 && index->dt != TC_I32 : index->dt != TC_I64) {
    if (acc == OP_ADD)
      ir_error(ctx, TC_ERR_ARG, "%s: %s(): Expected dtype int32/int64 for index but got: %s", fn, word_fn,
               word(index->dt));
    else if (src)
      ir_error(ctx, TC_ERR_ARG, "%s: %s(): Expected a long tensor for index, but got %s", fn, word_fn,
               word(index->dt));
    else
      ir_error(ctx, TC_ERR_ARG, "%s: %s(): Expected dtype int64 for index.", fn, word_fn);
    return TC_ERR_ARG;
  }
  if (index->ndim > 1)
    return ir_error(ctx, TC_ERR_ARG, "%s: %s(): Index is supposed to be a vector", fn, word_fn), TC_ERR_ARG;
  int64_t k = tc_tensor_numel(index);
  tc_tensor *x = dst->ndim ? dst : NULL;
  int nd = dst->ndim ? dst->ndim : 1;
  int64_t R[TC_MAX_DIMS];
  if (dst->ndim) memcpy(R, dst->shape, sizeof(int64_t) * (size_t)nd);
  else R[0] = 1;
  R[dim] = k;
  if (src) {
    if (src->dt != dst->dt)
      return ir_error(ctx, TC_ERR_ARG, "%s: %s(): self (%s) and source (%s) must have the same scalar type", fn,
                      word_fn, word(dst->dt), word(src->dt)),
             TC_ERR_ARG;
    /* PyTorch's two ops check the shapes differently (index_add_ in
     * index_func_meta_impl, index_copy_ in its meta function), each in its
     * own words and order; a 0-d source counts as one element */
    int64_t along = src->ndim ? src->shape[src->ndim > dim ? dim : 0] : 1;
    int64_t ds[TC_MAX_DIMS], ss[TC_MAX_DIMS]; /* the slices: the shapes without dim */
    int dn = 0, sn = 0;
    bool cut = acc != OP_ADD || (src->ndim && dst->ndim); /* index_add_ keeps a 0-d side's shape whole */
    for (int d = 0; d < dst->ndim; d++)
      if (!cut || d != dim) ds[dn++] = dst->shape[d];
    for (int d = 0; d < src->ndim; d++)
      if (!cut || d != dim) ss[sn++] = src->shape[d];
    bool slices = dn == sn && !memcmp(ds, ss, sizeof(int64_t) * (size_t)dn);
    if (acc == OP_ADD) {
      if (dim != 0 && dim >= src->ndim)
        return ir_error(ctx, TC_ERR_ARG, "%s: %s(): Indexing dim %d is out of bounds of the source tensor with dim %d",
                        fn, word_fn, dim, src->ndim),
               TC_ERR_ARG;
      if (along != k)
        return ir_error(ctx, TC_ERR_ARG, "%s: %s(): Number of indices (%lld) should be equal to source.size(dim): "
                        "(%lld), for dim: %d", fn, word_fn, (long long)k, (long long)along, dim),
               TC_ERR_ARG;
      if (!slices) {
        char a1[200], a2[200];
        shape_text(a1, sizeof a1, dst->ndim, dst->shape);
        shape_text(a2, sizeof a2, src->ndim, src->shape);
        return ir_error(ctx, TC_ERR_ARG, "%s: source tensor shape must match self tensor shape, excluding the "
                        "specified dimension. Got self.shape = [%s] source.shape = [%s]", fn, a1, a2),
               TC_ERR_ARG;
      }
    } else {
      if (!src->ndim && k != 1)
        return ir_error(ctx, TC_ERR_ARG, "%s: %s(): When source is scalar, index should have one element (got %lld)",
                        fn, word_fn, (long long)k),
               TC_ERR_ARG;
      if (src->ndim != dst->ndim && src->ndim && dst->ndim)
        return ir_error(ctx, TC_ERR_ARG, "%s: %s(): When source and destination are not scalars, their "
                        "dimensionality must match. Source dimensionality (%d), destination dimensionality (%d)",
                        fn, word_fn, src->ndim, dst->ndim),
               TC_ERR_ARG;
      if (!slices) { /* the sizes as a C++ vector prints them: "3 4" */
        char a1[200] = "", a2[200] = "";
        for (int d = 0; d < dn; d++) snprintf(a1 + strlen(a1), sizeof a1 - strlen(a1), d ? " %lld" : "%lld", (long long)ds[d]);
        for (int d = 0; d < sn; d++) snprintf(a2 + strlen(a2), sizeof a2 - strlen(a2), d ? " %lld" : "%lld", (long long)ss[d]);
        return ir_error(ctx, TC_ERR_ARG, "%s: %s(): Source/destination tensor must have same slice shapes. "
                        "Destination slice shape: %s at dimension %d and source slice shape: %s at dimension 0.",
                        fn, word_fn, a1, dim, a2),
               TC_ERR_ARG;
      }
      if (index->ndim && along != k)
        return ir_error(ctx, TC_ERR_ARG, "%s: %s(): Number of indices (%lld) should be equal to source.size(dim) (%lld)",
                        fn, word_fn, (long long)k, (long long)along),
               TC_ERR_ARG;
    }
    if (!same_device(dst, src, fn)) return TC_ERR_ARG;
  }
  if (ir_write_overlaps(dst, fn) || !ir_no_overlap(dst, index, fn) || !ir_no_overlap(dst, src, fn))
    return TC_ERR_ARG;
  if (k == 0 || tc_tensor_numel(dst) == 0) return TC_OK;
  tc_device old_dev_ = api_on(ctx, ir_tensor_device(dst));
  tc_scope_begin(ctx);
  tc_status st = TC_OK;
  if (!x) x = tc_view(dst, 1, (const int64_t[]){1});
  /* index_add_'s and index_copy_'s words */
  ir_bounds b = {.fn = fn, .word = word_fn, .dim = dim, .lo = -x->shape[dim], .size = x->shape[dim],
                 .style = !src ? IR_BOUNDS_DIM : acc == OP_ADD ? IR_BOUNDS_SELF : IR_BOUNDS_WORD};
  if (!(index = api_checked(ctx, index, &b))) st = ctx->status ? ctx->status : TC_ERR_ARG;
  if (st == TC_OK) {
    int64_t s[TC_MAX_DIMS];
    for (int e = 0; e < nd; e++) s[e] = e == dim ? k : 1;
    tc_tensor *off = api_dim_offsets(x, dim, tc_reshape(index, nd, s), nd, R);
    tc_tensor *v = src ? (src->ndim ? src : tc_reshape(src, 1, (const int64_t[]){1})) : tc_scalar(ctx, value, dst->dt);
    if (v && !src && !ir_same_device(ir_tensor_device(v), ir_tensor_device(dst))) v = tc_to(v, ir_tensor_device(dst), false);
    if (v && alpha != 1) v = tc_to_dtype(tc_mul_scalar(v, alpha), dst->dt);
    tc_tensor *ev = v ? tc_expand(v, nd, R) : NULL;
    st = off && ev ? scatter(dst, ev, off, acc, false) : (ctx->status ? ctx->status : TC_ERR_OOM);
  }
  tc_scope_end(ctx);
  api_on_end(ctx, old_dev_);
  return st;
}

tc_status tc_index_add_(tc_tensor *dst, int dim, tc_tensor *index, tc_tensor *src, double alpha) {
  if (!src) return TC_ERR_ARG;
  return index_dim(dst, dim, index, src, 0, alpha, OP_ADD, "tc_index_add_", "index_add_");
}

tc_status tc_index_copy_(tc_tensor *dst, int dim, tc_tensor *index, tc_tensor *src) {
  if (!src) return TC_ERR_ARG;
  return index_dim(dst, dim, index, src, 0, 1, 0, "tc_index_copy_", "index_copy_");
}

tc_status tc_index_fill_(tc_tensor *dst, int dim, tc_tensor *index, double value) {
  return index_dim(dst, dim, index, NULL, value, 1, 0, "tc_index_fill_", "index_fill_");
}

tc_status tc_put_(tc_tensor *dst, tc_tensor *index, tc_tensor *src, bool accumulate) {
  static const char *fn = "tc_put_";
  if (!dst || !index || !src) return TC_ERR_ARG;
  tc_ctx *ctx = dst->ctx;
  if (!api_same_ctx(fn, (tc_tensor *[]){dst, index, src}, 3)) return TC_ERR_ARG;
  if (index->dt != TC_I64)
    return ir_error(ctx, TC_ERR_ARG, "%s: put_(): Expected a long tensor for index, but got %s", fn, word(index->dt)),
           TC_ERR_ARG;
  if (src->dt != dst->dt)
    return ir_error(ctx, TC_ERR_ARG, "%s: put_(): self and source expected to have the same dtype, but got self.dtype "
                    "= %s and source.dtype = %s", fn, word(dst->dt), word(src->dt)),
           TC_ERR_ARG;
  int64_t m = tc_tensor_numel(index), n = tc_tensor_numel(dst);
  if (tc_tensor_numel(src) != m)
    return ir_error(ctx, TC_ERR_ARG, "%s: put_(): Expected source and index to have the same number of elements, but "
                    "got source.numel() = %lld, index.numel() = %lld", fn, (long long)tc_tensor_numel(src),
                    (long long)m),
           TC_ERR_ARG;
  if (ir_write_overlaps(dst, fn) || !ir_no_overlap(dst, index, fn) || !ir_no_overlap(dst, src, fn) ||
      !same_device(dst, src, fn))
    return TC_ERR_ARG;
  if (m == 0) return TC_OK;
  tc_device old_dev_ = api_on(ctx, ir_tensor_device(dst));
  tc_scope_begin(ctx);
  tc_status st = TC_OK;
  tc_tensor *fi = tc_reshape(api_to(index, ir_tensor_device(dst)), 1, &m);
  if (fi) fi = api_checked(ctx, fi, &(ir_bounds){.fn = fn, .style = IR_BOUNDS_TAKE, .lo = -n, .size = n});
  if (!fi) {
    st = ctx->status ? ctx->status : TC_ERR_OOM;
  } else {
    /* row-major positions of dst to storage offsets: digit by digit */
    tc_tensor *f = tc_where(tc_lt(fi, tc_scalar(ctx, 0, TC_I64)), tc_add_scalar(fi, (double)n), fi);
    tc_tensor *off = tc_full(ctx, (double)dst->offset, TC_I64, 1, &m);
    int64_t below = 1;
    for (int d = dst->ndim - 1; d >= 0; d--) {
      if (dst->shape[d] != 1) {
        tc_tensor *digit = api_binary_unchecked(TC_OP_REMAINDER, /* dst's sizes: no zero */
                                                api_binary_unchecked(TC_OP_FLOOR_DIVIDE, f, tc_scalar(ctx, (double)below, TC_I64)),
                                                tc_scalar(ctx, (double)dst->shape[d], TC_I64));
        off = tc_add(off, tc_mul_scalar(digit, (double)dst->strides[d]));
      }
      below *= dst->shape[d];
    }
    tc_tensor *vals = tc_reshape(src, 1, &m);
    st = off && vals ? scatter(dst, vals, off, accumulate ? OP_ADD : 0, false) : (ctx->status ? ctx->status : TC_ERR_OOM);
  }
  tc_scope_end(ctx);
  api_on_end(ctx, old_dev_);
  return st;
}
