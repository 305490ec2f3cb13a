/*
 * gather.c — data-dependent reads: gather, take, take_along_dim,
 * index_select (GATHER nodes: loads at offsets computed lazily from the
 * indices), nonzero and masked_select (a reduction counts the mask's
 * blocks, their running sum is read back for the shape, one compaction
 * kernel writes each block's kept elements from its offset: no host loop
 * over elements), masked_fill
 * (a where). Results are new storages on the input's device. They are made
 * of other public ops, in a scope, so they are lib/api's.
 */
#include <string.h>
#include "api.h"

tc_tensor *tc_masked_select(tc_tensor *a, tc_tensor *mask) {
  if (!a || !mask) return NULL;
  tc_ctx *ctx = a->ctx;
  if (!api_same_ctx("tc_masked_select", (tc_tensor *[]){a, mask}, 2)) return NULL;
  if (mask->dt != TC_BOOL && mask->dt != TC_U8)
    return ir_error(ctx, TC_ERR_ARG, "tc_masked_select: masked_select: expected BoolTensor for mask");
  tc_device old_dev_ = api_on(ctx, ir_tensor_device(a));
  tc_scope_begin(ctx);
  tc_tensor *r = NULL;
  /* a and mask broadcast together, flat; the values where the mask holds
   * compacted by one parallel scatter (compact_rows) */
  tc_tensor *m = tc_to_dtype(api_to(mask, ir_tensor_device(a)), TC_BOOL);
  tc_tensor *va = m ? tc_where(m, a, a) : NULL; /* the broadcast shape, never realized */
  if (va) {
    int64_t shape[TC_MAX_DIMS], n = tc_tensor_numel(va);
    int nd = tc_tensor_shape(va, shape);
    tc_tensor *fa = tc_reshape(tc_expand(a, nd, shape), 1, &n), *fm = tc_reshape(tc_expand(m, nd, shape), 1, &n);
    if (fa && fm && api_compact(ctx, fm, n, &fa, 1, &r) != TC_OK) r = NULL;
  }
  if (!r) ir_error_rename(ctx, "tc_masked_select");
  tc_keep(r);
  tc_scope_end(ctx);
  api_on_end(ctx, old_dev_);
  return r;
}

/* ---- lazy gathers: a GATHER node reading a's storage at int64 offsets
 * computed (lazily, fused into the gather's kernel) from the indices. The
 * indices are checked first (one reduction, read back). */

/* i (int32/int64) as int64 with negative values counted from `size`. */
static tc_tensor *wrapped(tc_ctx *ctx, tc_tensor *i, int64_t size) {
  tc_tensor *i64 = tc_to_dtype(i, TC_I64);
  return tc_where(tc_lt(i64, tc_scalar(ctx, 0, TC_I64)), tc_add_scalar(i64, (double)size), i64);
}

/* arange(n) shaped to broadcast along dim d of an nd-dim result. */
static tc_tensor *iota_along(tc_ctx *ctx, int nd, int d, int64_t n) {
  int64_t s[TC_MAX_DIMS];
  for (int e = 0; e < nd; e++) s[e] = e == d ? n : 1;
  return tc_reshape(tc_arange_int(ctx, 0, n, 1), nd, s);
}

/* a's elements at offs (a's storage offsets, shape R), on a's device. */
tc_tensor *api_gather_at(tc_tensor *a, tc_tensor *offs) {
  tc_device dev = ir_tensor_device(a);
  if (offs && !ir_same_device(ir_tensor_device(offs), dev)) offs = tc_to(offs, dev, false);
  return offs ? api_eager(ir_op_gather_at(a, offs)) : NULL;
}

tc_tensor *api_dim_offsets(tc_tensor *a, int dim, tc_tensor *idx, int nd, const int64_t *R) {
  tc_ctx *ctx = a->ctx;
  tc_tensor *off = tc_full(ctx, (double)a->offset, TC_I64, nd, R);
  for (int d = 0; d < nd; d++) {
    if (d == dim || R[d] == 1 || a->strides[d] == 0) continue;
    off = tc_add(off, tc_mul_scalar(iota_along(ctx, nd, d, R[d]), (double)a->strides[d]));
  }
  idx = api_to(idx, ir_tensor_device(a)); /* index tensors may live on the CPU */
  return tc_add(off, tc_mul_scalar(wrapped(ctx, idx, a->shape[dim]), (double)a->strides[dim]));
}

/* Elements of a at index[...] along dim, every other dim d read at the
 * result's position (its size R[d] <= a's): gather's rule, and
 * index_select's with idx reshaped along dim. Inside a scope. */
static tc_tensor *gather_dim(tc_tensor *a, int dim, tc_tensor *idx, int nd, const int64_t *R) {
  return api_gather_at(a, api_dim_offsets(a, dim, idx, nd, R));
}

/* idx (1-D, k elements) shaped to lie along dim d of an nd-dim result. */
static tc_tensor *along(tc_tensor *idx, int nd, int d, int64_t k) {
  int64_t s[TC_MAX_DIMS];
  for (int e = 0; e < nd; e++) s[e] = e == d ? k : 1;
  return tc_reshape(idx, nd, s);
}

/* Ends the entry point's scope, keeping r. */
static tc_tensor *finish(tc_ctx *ctx, tc_tensor *r, tc_device old_dev) {
  tc_keep(r);
  tc_scope_end(ctx);
  api_on_end(ctx, old_dev);
  return r;
}

tc_tensor *tc_index_select(tc_tensor *a, int dim, tc_tensor *index) {
  static const char *fn = "tc_index_select";
  if (!a || !index) return NULL;
  tc_ctx *ctx = a->ctx;
  if (!api_same_ctx(fn, (tc_tensor *[]){a, index}, 2)) return NULL;
  if (index->dt != TC_I64 && index->dt != TC_I32)
    return ir_error(ctx, TC_ERR_ARG, "%s: index_select(): Expected dtype int32 or int64 for index", fn);
  if (index->ndim > 1)
    return ir_error(ctx, TC_ERR_ARG, "%s: index_select(): Index is supposed to be a vector", fn);
  if (!ir_wrap_dim(ctx, fn, &dim, a->ndim)) return NULL;
  tc_device old_dev_ = api_on(ctx, ir_tensor_device(a));
  tc_scope_begin(ctx);
  tc_tensor *x = a->ndim ? a : tc_reshape(a, 1, (const int64_t[]){1});
  tc_tensor *r = NULL;
  int64_t size = x ? x->shape[dim] : 0;
  tc_tensor *ci = x ? api_checked(ctx, index, &(ir_bounds){.fn = fn, .style = IR_BOUNDS_SELF, .dim = dim,
                                                           .lo = -size, .size = size})
                    : NULL;
  if (ci) {
    int64_t R[TC_MAX_DIMS], k = tc_tensor_numel(index);
    memcpy(R, x->shape, sizeof(int64_t) * (size_t)x->ndim);
    R[dim] = k;
    r = gather_dim(x, dim, along(ci, x->ndim, dim, k), x->ndim, R);
    if (r && !a->ndim) r = tc_reshape(r, 0, NULL);
  }
  return finish(ctx, r, old_dev_);
}

tc_tensor *tc_gather(tc_tensor *a, int dim, tc_tensor *index) {
  static const char *fn = "tc_gather";
  if (!a || !index) return NULL;
  tc_ctx *ctx = a->ctx;
  if (!api_same_ctx(fn, (tc_tensor *[]){a, index}, 2)) return NULL;
  if (index->dt != TC_I64 && index->dt != TC_I32)
    return ir_error(ctx, TC_ERR_ARG, "%s: gather(): Expected dtype int32/int64 for index", fn);
  if (!ir_wrap_dim(ctx, fn, &dim, a->ndim)) return NULL;
  int nd = a->ndim ? a->ndim : 1;
  if ((index->ndim ? index->ndim : 1) != nd)
    return ir_error(ctx, TC_ERR_ARG, "%s: Index tensor must have the same number of dimensions as input tensor", fn);
  for (int d = 0; d < a->ndim; d++)
    if (d != dim && index->shape[d] > a->shape[d]) {
      char is[256], as[256];
      return ir_error(ctx, TC_ERR_ARG,
                      "%s: Size does not match at dimension %d expected index %s to be no larger than self %s "
                      "apart from dimension %d", fn, d, ir_shape_str(is, sizeof is, index->ndim, index->shape),
                      ir_shape_str(as, sizeof as, a->ndim, a->shape), dim);
    }
  tc_device old_dev_ = api_on(ctx, ir_tensor_device(a));
  tc_scope_begin(ctx);
  tc_tensor *x = a->ndim ? a : tc_reshape(a, 1, (const int64_t[]){1});
  tc_tensor *ix = index->ndim ? index : tc_reshape(index, 1, (const int64_t[]){1});
  tc_tensor *r = NULL;
  if (x && ix && tc_tensor_numel(ix) == 0) {
    r = tc_empty(ctx, a->dt, index->ndim, index->shape);
  } else if (x && ix && (ix = api_in_bounds_nonneg(ctx, ix, x->shape[dim], dim, fn))) {
    r = gather_dim(x, dim, ix, nd, ix->shape);
    if (r && !a->ndim) r = tc_reshape(r, index->ndim, index->shape);
  }
  return finish(ctx, r, old_dev_);
}

tc_tensor *tc_take(tc_tensor *a, tc_tensor *index) {
  static const char *fn = "tc_take";
  if (!a || !index) return NULL;
  tc_ctx *ctx = a->ctx;
  if (!api_same_ctx(fn, (tc_tensor *[]){a, index}, 2)) return NULL;
  if (index->dt != TC_I64)
    return ir_error(ctx, TC_ERR_ARG, "%s: take(): Expected a long tensor for index, but got %s", fn,
                    ir_torch_word(index->dt));
  tc_device old_dev_ = api_on(ctx, ir_tensor_device(a));
  tc_scope_begin(ctx);
  int64_t n = tc_tensor_numel(a);
  tc_tensor *flat = tc_reshape(a, 1, &n); /* a view when a is contiguous, else a copy */
  index = api_to(index, ir_tensor_device(a));
  tc_tensor *r = NULL;
  if (flat && tc_tensor_numel(index) == 0) {
    r = tc_empty(ctx, a->dt, index->ndim, index->shape);
  } else if (flat && (index = api_checked(ctx, index, &(ir_bounds){.fn = fn, .style = IR_BOUNDS_TAKE,
                                                                      .lo = -n, .size = n}))) {
    tc_tensor *off = tc_add_scalar(wrapped(ctx, index, n), (double)flat->offset);
    r = api_gather_at(flat, off);
  }
  return finish(ctx, r, old_dev_);
}

tc_tensor *tc_take_along_dim(tc_tensor *a, tc_tensor *indices, const int *dim) {
  static const char *fn = "tc_take_along_dim";
  if (!a || !indices) return NULL;
  tc_ctx *ctx = a->ctx;
  if (!api_same_ctx(fn, (tc_tensor *[]){a, indices}, 2)) return NULL;
  if (indices->dt != TC_I64 && indices->dt != TC_I32)
    return ir_error(ctx, TC_ERR_ARG, "%s: torch.take_along_dim(): dtype of indices should be int64 but got %s", fn,
                    ir_torch_word(indices->dt));
  if (!dim) { /* over the flattened tensor */
    tc_device old_dev_ = api_on(ctx, ir_tensor_device(a));
    tc_scope_begin(ctx);
    int64_t n = tc_tensor_numel(a), m = tc_tensor_numel(indices);
    tc_tensor *r = tc_gather(tc_reshape(a, 1, &n), 0, tc_reshape(indices, 1, &m));
    if (!r) ir_error_rename(ctx, fn);
    return finish(ctx, r, old_dev_);
  }
  int d = *dim;
  if (!ir_wrap_dim(ctx, fn, &d, a->ndim)) return NULL;
  if (a->ndim != indices->ndim)
    return ir_error(ctx, TC_ERR_ARG, "%s: torch.take_along_dim(): input and indices should have the same number of "
                    "dimensions, but got %d dimensions for input, and %d dimensions for indices", fn, a->ndim,
                    indices->ndim);
  /* a and indices broadcast over every dim but d */
  int64_t sa[TC_MAX_DIMS], si[TC_MAX_DIMS];
  for (int e = 0; e < a->ndim; e++) {
    int64_t x = a->shape[e], y = indices->shape[e];
    if (e == d) {
      sa[e] = x, si[e] = y;
      continue;
    }
    if (x != y && x != 1 && y != 1)
      return ir_error(ctx, TC_ERR_ARG, "%s: The size of tensor a (%lld) must match the size of tensor b (%lld) at "
                      "non-singleton dimension %d", fn, (long long)x, (long long)y, e);
    sa[e] = si[e] = x == 1 ? y : x;
  }
  tc_device old_dev_ = api_on(ctx, ir_tensor_device(a));
  tc_scope_begin(ctx);
  tc_tensor *r = tc_gather(tc_expand(a, a->ndim, sa), d, tc_expand(indices, indices->ndim, si));
  if (!r) ir_error_rename(ctx, fn);
  return finish(ctx, r, old_dev_);
}

/* The mask's blocks of COMPACT_BLOCK are counted (one reduction, reading
 * only the mask), the counts' running sum is read back for the size, and
 * one compaction kernel per array writes each whole block's kept elements
 * from its offset, in parallel over blocks; the last, partial block has a
 * small one of its own. */
enum { COMPACT_BLOCK = 4096 };

static tc_tensor *blocks(tc_tensor *t, int64_t start, int64_t nb, int64_t len) {
  return tc_reshape(tc_narrow(t, 0, start, nb * len), 2, (const int64_t[]){nb, len});
}

tc_status api_compact(tc_ctx *ctx, tc_tensor *m, int64_t n, tc_tensor *const *vs, int nv, tc_tensor **out) {
  for (int a = 0; a < nv; a++) out[a] = NULL;
  int64_t nb = n / COMPACT_BLOCK, rest = n - nb * COMPACT_BLOCK, total = 0;
  int64_t nc = nb + (rest > 0);
  /* the mask padded with false to whole blocks (read through, not copied) */
  tc_tensor *pm = rest ? tc_cat(ctx, (tc_tensor *[]){m, tc_zeros(ctx, TC_BOOL, 1, (const int64_t[]){nc * COMPACT_BLOCK - n})}, 2, 0) : m;
  tc_tensor *counts = tc_sum_dtype(blocks(pm, 0, nc, COMPACT_BLOCK), (const int[]){1}, 1, false, TC_I64);
  tc_dtype i64 = TC_I64;
  tc_tensor *ends = tc_cumsum(counts, 0, &i64);
  if (!ends) return ctx->status ? ctx->status : TC_ERR_OOM;
  if (nc) total = tc_item_int(tc_select(ends, 0, nc - 1));
  if (ctx->status != TC_OK) return ctx->status;
  tc_tensor *base = tc_sub(ends, counts); /* each block's first position */
  for (int a = 0; a < nv; a++) {
    /* every element is written (the kept ones fill it exactly): no fill */
    tc_tensor *dst = api_eager(ir_op_uninit(ctx, vs[a]->dt, 1, &total));
    if (!dst) return ctx->status ? ctx->status : TC_ERR_OOM;
    for (int i = !nb; total && i < 1 + (rest > 0); i++) { /* the whole blocks, then the rest */
      bool whole = i == 0;
      int64_t rows = whole ? nb : 1, len = whole ? COMPACT_BLOCK : rest, at = whole ? 0 : n - rest;
      tc_tensor *b = tc_reshape(tc_narrow(base, 0, whole ? 0 : nb, rows), 2, (const int64_t[]){rows, 1});
      tc_tensor *bv = blocks(vs[a], at, rows, len), *bm = blocks(m, at, rows, len);
      tc_status st = b && bv && bm ? api_eager_write(dst, ir_op_compact(dst, bv, b, bm)) : TC_ERR_OOM;
      if (st != TC_OK) return ctx->status ? ctx->status : st;
    }
    out[a] = dst;
  }
  return TC_OK;
}

tc_tensor *tc_nonzero(tc_tensor *a) {
  if (!a) return NULL;
  tc_ctx *ctx = a->ctx;
  int nd = a->ndim;
  int64_t n = tc_tensor_numel(a);
  tc_device old_dev_ = api_on(ctx, ir_tensor_device(a));
  tc_scope_begin(ctx);
  tc_tensor *r = NULL;
  tc_tensor *m = tc_reshape(tc_ne(a, tc_zeros(ctx, a->dt, 0, NULL)), 1, &n);
  /* the flat positions where a is nonzero, compacted */
  tc_tensor *at = NULL, *pos = tc_arange_int(ctx, 0, n, 1);
  if (m && pos && api_compact(ctx, m, n, &pos, 1, &at) != TC_OK) at = NULL;
  int64_t count = at ? tc_tensor_numel(at) : 0;
  if (at && (count == 0 || nd == 0)) {
    r = api_eager(ir_op_clone_strided(tc_zeros(ctx, TC_I64, 2, (const int64_t[]){count, nd}),
                                      (const int64_t[]){1, count}));
  } else if (at) {
    /* coordinates of flat position i: (i // stride_d) % shape_d, as
     * (count, nd), laid out as PyTorch's: column-major (strides (1, count)) */
    int64_t cs[TC_MAX_DIMS];
    ir_contig_strides(nd, a->shape, cs);
    tc_tensor *cols[TC_MAX_DIMS];
    for (int d = 0; d < nd; d++)
      cols[d] = api_binary_unchecked(TC_OP_REMAINDER, /* a's shape and strides: no zero */
                                     api_binary_unchecked(TC_OP_FLOOR_DIVIDE, at, tc_scalar(ctx, (double)cs[d], TC_I64)),
                                     tc_scalar(ctx, (double)a->shape[d], TC_I64));
    r = api_eager(ir_op_clone_strided(tc_stack(ctx, cols, nd, 1), (const int64_t[]){1, count}));
  }
  tc_keep(r);
  tc_scope_end(ctx);
  api_on_end(ctx, old_dev_);
  return r;
}

tc_tensor *tc_masked_fill(tc_tensor *a, tc_tensor *mask, double value) {
  if (!a || !mask) return NULL;
  tc_ctx *ctx = a->ctx;
  if (!api_same_ctx("tc_masked_fill", (tc_tensor *[]){a, mask}, 2)) return NULL;
  if (mask->dt != TC_BOOL) /* PyTorch names the mask's dtype by its C++ type here */
    return ir_error(ctx, TC_ERR_ARG, "tc_masked_fill: masked_fill_ only supports boolean masks, but got mask with dtype %s",
                    ir_cpp_type_name(mask->dt));
  tc_device old_dev_ = api_on(ctx, ir_tensor_device(a));
  tc_scope_begin(ctx);
  tc_tensor *v = tc_full(ctx, value, a->dt, 0, NULL);
  tc_tensor *r = tc_contiguous(tc_where(mask, v, a)); /* PyTorch: a contiguous clone, filled */
  tc_keep(r);
  tc_scope_end(ctx);
  api_on_end(ctx, old_dev_);
  return r;
}

tc_status tc_masked_fill_(tc_tensor *a, tc_tensor *mask, double value) {
  if (!a || !mask) return TC_ERR_ARG;
  tc_ctx *ctx = a->ctx;
  if (!api_same_ctx("tc_masked_fill_", (tc_tensor *[]){a, mask}, 2)) return TC_ERR_ARG;
  tc_device old_dev_ = api_on(ctx, ir_tensor_device(a));
  tc_scope_begin(ctx);
  tc_tensor *r = tc_masked_fill(a, mask, value);
  tc_status st = r ? tc_copy_(a, r) : (ctx->status ? ctx->status : TC_ERR_ARG);
  tc_scope_end(ctx);
  api_on_end(ctx, old_dev_);
  return st;
}
