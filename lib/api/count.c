/*
 * count.c — counting and searching: count_nonzero, nonzero as a tuple,
 * argwhere, searchsorted, bucketize, histc, bincount, unique and
 * unique_consecutive.
 *
 * count_nonzero, searchsorted and bucketize are lazy reductions (a search
 * is the count of the boundaries below each value: O(values x boundaries),
 * fused, on the values' device). histc and bincount are one scatter_add
 * into zeros (their sizes need a read back only when they depend on the
 * data: histc without a range, bincount's largest value). unique sorts on
 * the device and unique_consecutive takes the elements as they are; both
 * find their runs there (a compaction of the runs' starts: only their
 * number is read back, the size being data).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "api.h"

tc_tensor *tc_count_nonzero(tc_tensor *a, const int *dims, int ndims) {
  if (!a) return NULL;
  tc_ctx *ctx = a->ctx;
  tc_device old_dev_ = api_on(ctx, ir_tensor_device(a));
  tc_scope_begin(ctx);
  tc_tensor *r = tc_sum(tc_ne(a, tc_scalar(ctx, 0, a->dt == TC_BOOL ? TC_BOOL : a->dt)), dims, ndims, false);
  if (!r) ir_error_rename(ctx, "tc_count_nonzero");
  tc_keep(r);
  tc_scope_end(ctx);
  api_on_end(ctx, old_dev_);
  return r;
}

tc_tensor *tc_argwhere(tc_tensor *a) {
  tc_tensor *r = tc_nonzero(a);
  if (!r && a) ir_error_rename(a->ctx, "tc_argwhere");
  return r;
}

int tc_nonzero_tuple(tc_tensor *a, tc_tensor **out, int cap) {
  if (!a) return -1;
  tc_ctx *ctx = a->ctx;
  int nd = a->ndim ? a->ndim : 1;
  tc_device old_dev_ = api_on(ctx, ir_tensor_device(a));
  tc_scope_begin(ctx);
  tc_tensor *x = a->ndim ? a : tc_reshape(a, 1, (const int64_t[]){1});
  tc_tensor *nz = x ? tc_nonzero(x) : NULL;
  int r = nz ? nd : -1;
  for (int d = 0; nz && d < nd && d < cap && out; d++) {
    out[d] = tc_keep(tc_contiguous(tc_select(nz, 1, d)));
    if (!out[d]) r = -1;
  }
  tc_scope_end(ctx);
  api_on_end(ctx, old_dev_);
  return r;
}

/* values against boundaries (1-D, or the values' leading dims then n):
 * count(boundary < v), or <= with right. */
static tc_tensor *search(tc_tensor *seq, tc_tensor *values, bool right, bool out_int32, const char *fn) {
  if (!seq || !values) return NULL;
  tc_ctx *ctx = seq->ctx;
  if (!api_same_ctx(fn, (tc_tensor *[]){seq, values}, 2)) return NULL;
  bool ok = seq->ndim == 1 || (seq->ndim == values->ndim && seq->ndim >= 1);
  for (int d = 0; ok && seq->ndim > 1 && d < seq->ndim - 1; d++) ok = seq->shape[d] == values->shape[d];
  if (!ok || seq->ndim == 0) {
    char a[200], b[200];
    return ir_error(ctx, TC_ERR_ARG, "%s: torch.searchsorted(): boundaries tensor should be 1 dimension or the first "
                    "N-1 dimensions of boundaries tensor and input value tensor must match, but we got boundaries "
                    "tensor %s and input value tensor %s", fn, ir_shape_str(a, sizeof a, seq->ndim, seq->shape),
                    ir_shape_str(b, sizeof b, values->ndim, values->shape));
  }
  if (values->ndim + 1 > TC_MAX_DIMS) return ir_error(ctx, TC_ERR_ARG, "%s: too many dims", fn);
  tc_device old_dev_ = api_on(ctx, ir_tensor_device(seq));
  tc_scope_begin(ctx);
  int vn = values->ndim;
  tc_tensor *v = tc_unsqueeze(values, vn); /* (..., m, 1) */
  tc_tensor *s = seq->ndim == 1 ? seq : tc_unsqueeze(seq, seq->ndim - 1); /* (..., 1, n) */
  tc_dtype ct = tc_promote_types(seq->dt, values->dt);
  tc_tensor *below = right ? tc_le(tc_to_dtype(s, ct), tc_to_dtype(v, ct)) : tc_lt(tc_to_dtype(s, ct), tc_to_dtype(v, ct));
  tc_tensor *r = below ? tc_sum(below, (const int[]){-1}, 1, false) : NULL;
  if (r && out_int32) r = tc_to_dtype(r, TC_I32);
  tc_keep(r);
  tc_scope_end(ctx);
  api_on_end(ctx, old_dev_);
  return r;
}

tc_tensor *tc_searchsorted(tc_tensor *sorted_sequence, tc_tensor *values, bool right, bool out_int32) {
  return search(sorted_sequence, values, right, out_int32, "tc_searchsorted");
}

tc_tensor *tc_bucketize(tc_tensor *input, tc_tensor *boundaries, bool right, bool out_int32) {
  if (boundaries && boundaries->ndim != 1)
    return ir_error(boundaries->ctx, TC_ERR_ARG, "tc_bucketize: boundaries tensor must be 1 dimension, but got dim(%d)",
                    boundaries->ndim);
  return search(boundaries, input, right, out_int32, "tc_bucketize");
}

/* one element of a 0-d or 1-element tensor as a double (read back) */
static double item(tc_tensor *t) { return tc_item(t); }

tc_tensor *tc_histc(tc_tensor *a, int64_t bins, double min, double max) {
  static const char *fn = "tc_histc";
  if (!a) return NULL;
  tc_ctx *ctx = a->ctx;
  if (!ir_dtype_is_floating(a->dt))
    return ir_error(ctx, TC_ERR_ARG, "%s: \"histogram_cpu\" not implemented for '%s'", fn, ir_torch_word(a->dt));
  if (bins <= 0) return ir_error(ctx, TC_ERR_ARG, "%s: torch.histogram(): bins must be > 0, but got %lld for dimension 0", fn, (long long)bins);
  if (min > max) return ir_error(ctx, TC_ERR_ARG, "%s: torch.histc: max must be larger than min", fn);
  tc_device old_dev_ = api_on(ctx, ir_tensor_device(a));
  tc_scope_begin(ctx);
  int64_t n = tc_tensor_numel(a);
  tc_tensor *flat = tc_reshape(a, 1, &n), *r = NULL;
  if (flat && min == max && n > 0) { /* the data's range */
    min = item(tc_min_all(flat));
    max = item(tc_max_all(flat));
  }
  if (min == max) min -= 1, max += 1;
  if (flat && ctx->status == TC_OK) {
    if (!isfinite(min) || !isfinite(max)) {
      ir_error(ctx, TC_ERR_ARG, "%s: torch.histc: range of [%g, %g] is not finite", fn, min, max);
    } else {
      /* bin = floor((x - min) * bins / (max - min)), x == max in the last;
       * outside the range (or NaN): the extra bin `bins`, dropped */
      tc_tensor *x = tc_to_dtype(flat, TC_F64);
      tc_tensor *b = tc_to_dtype(tc_floor(tc_mul_scalar(tc_add_scalar(x, -min), (double)bins / (max - min))), TC_I64);
      b = tc_where(tc_eq(x, tc_scalar(ctx, max, TC_F64)), tc_scalar(ctx, (double)(bins - 1), TC_I64), b);
      tc_tensor *in = tc_logical_and(tc_ge(x, tc_scalar(ctx, min, TC_F64)), tc_le(x, tc_scalar(ctx, max, TC_F64)));
      b = tc_where(in, b, tc_scalar(ctx, (double)bins, TC_I64));
      int64_t nb = bins + 1;
      tc_tensor *h = tc_zeros(ctx, a->dt, 1, &nb);
      tc_device dev = ir_tensor_device(a);
      if (h && !ir_same_device(ir_tensor_device(h), dev)) h = tc_to(h, dev, false);
      tc_tensor *ones = tc_ones(ctx, a->dt, 1, &n);
      if (ones && !ir_same_device(ir_tensor_device(ones), dev)) ones = tc_to(ones, dev, false);
      if (h && b && ones && tc_scatter_add_(h, 0, b, ones) == TC_OK) r = tc_narrow(h, 0, 0, bins);
    }
  }
  tc_keep(r);
  tc_scope_end(ctx);
  api_on_end(ctx, old_dev_);
  return r;
}

tc_tensor *tc_bincount(tc_tensor *a, tc_tensor *weights, int64_t minlength) {
  static const char *fn = "tc_bincount";
  if (!a) return NULL;
  tc_ctx *ctx = a->ctx;
  if (weights && !api_same_ctx(fn, (tc_tensor *[]){a, weights}, 2)) return NULL;
  /* PyTorch dispatches on the dtype before it looks at the shape */
  if (ir_dtype_is_floating(a->dt) || a->dt == TC_BOOL)
    return ir_error(ctx, TC_ERR_ARG, "%s: \"bincount_cpu\" not implemented for '%s'", fn, ir_torch_word(a->dt));
  if (a->ndim != 1)
    return ir_error(ctx, TC_ERR_ARG, "%s: bincount only supports 1-d non-negative integral inputs.", fn);
  if (minlength < 0) return ir_error(ctx, TC_ERR_ARG, "%s: minlength should be >= 0", fn);
  if (weights && (weights->ndim != 1 || weights->shape[0] != a->shape[0]))
    return ir_error(ctx, TC_ERR_ARG, "%s: weights should be 1-d and have the same length as input", fn);
  tc_device old_dev_ = api_on(ctx, ir_tensor_device(a));
  tc_scope_begin(ctx);
  int64_t n = a->shape[0], size = minlength;
  tc_tensor *r = NULL;
  if (n > 0) {
    double lo = item(tc_min_all(a)), hi = item(tc_max_all(a));
    if (ctx->status == TC_OK && lo < 0) ir_error(ctx, TC_ERR_ARG, "%s: bincount only supports 1-d non-negative integral inputs.", fn);
    else if (hi + 1 > (double)size) size = (int64_t)hi + 1;
  }
  if (ctx->status == TC_OK) {
    tc_dtype dt = !weights ? TC_I64 : weights->dt == TC_F32 || weights->dt == TC_F64 ? weights->dt : TC_F64;
    tc_tensor *h = tc_zeros(ctx, dt, 1, &size);
    tc_device dev = ir_tensor_device(a);
    if (h && !ir_same_device(ir_tensor_device(h), dev)) h = tc_to(h, dev, false);
    tc_tensor *w = weights ? tc_to_dtype(weights, dt) : tc_ones(ctx, TC_I64, 1, &n);
    if (w && !ir_same_device(ir_tensor_device(w), dev)) w = tc_to(w, dev, false);
    if (h && w && (n == 0 || tc_scatter_add_(h, 0, a, w) == TC_OK)) r = h;
  }
  tc_keep(r);
  tc_scope_end(ctx);
  api_on_end(ctx, old_dev_);
  return r;
}

/* ---- unique ---- */

/* The runs of equal values of s (a's elements flattened, in the order
 * given: sorted, or as they are), on a's device: a run starts where an
 * element differs from the one before (NaNs differ from everything, as in
 * PyTorch), the values are the runs' first elements (one compaction), the
 * inverse is each element's run number (a running count of the starts,
 * scattered back through order when sorted) in a's shape, the counts the
 * distances between the runs' first positions (compacted with the values:
 * one count read back for both). */
static tc_status runs(tc_tensor *a, tc_tensor *s, tc_tensor *order, tc_tensor **values, tc_tensor **inverse,
                      tc_tensor **counts) {
  tc_ctx *ctx = a->ctx;
  int64_t n = tc_tensor_numel(s);
  tc_tensor *start = NULL;
  if (n > 0) {
    tc_tensor *head = tc_full(ctx, 1, TC_BOOL, 1, (const int64_t[]){1});
    tc_tensor *ne = tc_ne(tc_narrow(s, 0, 1, n - 1), tc_narrow(s, 0, 0, n - 1));
    start = tc_cat(ctx, (tc_tensor *[]){head, ne}, 2, 0);
  } else {
    start = tc_zeros(ctx, TC_BOOL, 1, &n);
  }
  tc_tensor *vs[2] = {s, tc_arange_int(ctx, 0, n, 1)}, *out[2] = {NULL, NULL};
  if (!start || !vs[1] || api_compact(ctx, start, n, vs, counts ? 2 : 1, out) != TC_OK)
    return ctx->status ? ctx->status : TC_ERR_OOM;
  int64_t u = tc_tensor_numel(out[0]);
  tc_tensor *iv = NULL, *cv = NULL;
  if (inverse) {
    tc_dtype i64 = TC_I64;
    tc_tensor *run = tc_add_scalar(tc_cumsum(start, 0, &i64), -1);
    if (order && run) { /* element order[k] is in run[k] */
      tc_tensor *dst = api_eager(ir_op_uninit(ctx, TC_I64, 1, &n)); /* order is a permutation: all written */
      run = dst && api_eager_write(dst, ir_op_scatter(dst, run, order, 0, true)) == TC_OK ? dst : NULL;
    }
    iv = run ? tc_reshape(run, a->ndim, a->shape) : NULL;
  }
  if (counts) { /* the next run's first position (n after the last) minus this one's */
    tc_tensor *first = out[1];
    tc_tensor *next = !first || !u ? first
                      : tc_cat(ctx, (tc_tensor *[]){tc_narrow(first, 0, 1, u - 1),
                                                    tc_full(ctx, (double)n, TC_I64, 1, (const int64_t[]){1})},
                               2, 0);
    cv = next ? tc_sub(next, first) : NULL;
  }
  if (!out[0] || (inverse && !iv) || (counts && !cv)) return ctx->status ? ctx->status : TC_ERR_OOM;
  if (values) *values = tc_keep(out[0]);
  if (inverse) *inverse = tc_keep(iv);
  if (counts) *counts = tc_keep(cv);
  return TC_OK;
}

tc_status tc_unique(tc_tensor *a, bool sorted, tc_tensor **values, tc_tensor **inverse, tc_tensor **counts) {
  (void)sorted; /* always sorted, as PyTorch's CPU unique */
  if (values) *values = NULL;
  if (inverse) *inverse = NULL;
  if (counts) *counts = NULL;
  if (!a) return TC_ERR_ARG;
  tc_ctx *ctx = a->ctx;
  tc_device old_dev_ = api_on(ctx, ir_tensor_device(a));
  tc_scope_begin(ctx);
  int64_t n = tc_tensor_numel(a);
  tc_tensor *flat = tc_reshape(a, 1, &n);
  tc_tensor *order = flat ? tc_argsort(flat, 0, false) : NULL; /* the device sort */
  tc_tensor *s = order ? tc_take(flat, order) : NULL;
  tc_status st = s ? runs(a, s, order, values, inverse, counts) : (ctx->status ? ctx->status : TC_ERR_OOM);
  tc_scope_end(ctx);
  api_on_end(ctx, old_dev_);
  return st;
}

tc_status tc_unique_consecutive(tc_tensor *a, tc_tensor **values, tc_tensor **inverse, tc_tensor **counts) {
  if (values) *values = NULL;
  if (inverse) *inverse = NULL;
  if (counts) *counts = NULL;
  if (!a) return TC_ERR_ARG;
  tc_ctx *ctx = a->ctx;
  tc_device old_dev_ = api_on(ctx, ir_tensor_device(a));
  tc_scope_begin(ctx);
  int64_t n = tc_tensor_numel(a);
  tc_tensor *flat = tc_reshape(a, 1, &n);
  tc_status st = flat ? runs(a, flat, NULL, values, inverse, counts) : (ctx->status ? ctx->status : TC_ERR_OOM);
  tc_scope_end(ctx);
  api_on_end(ctx, old_dev_);
  return st;
}
