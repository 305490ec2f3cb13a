/*
 * join.c — ops that join, split and rearrange tensors, all lazy:
 *   cat/stack and hstack/vstack/dstack: a balanced tree of CAT nodes (each
 *     point reads one side, chosen by its index along the joined dim), so a
 *     cat fuses with its producers and consumers;
 *   split/chunk/unbind: views;
 *   flip (a view with negative strides, then a copy), roll (a cat of two
 *     slices a rolled dim), tril/triu (a where over index comparisons),
 *     diagonal (a view), diag and diag_embed (a where over a padded copy),
 *     repeat/tile/repeat_interleave (expanded views reshaped: copies),
 *     meshgrid (expanded views).
 * Results that PyTorch returns as new tensors are new storages here too.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "builders.h"

/* ---- nodes ---- */

static ir_node *cat_node(tc_ctx *ctx, ir_node *a, ir_node *b, int dim) {
  int64_t shape[TC_MAX_DIMS];
  memcpy(shape, a->shape, sizeof(int64_t) * (size_t)a->ndim);
  shape[dim] += b->shape[dim];
  ir_node *n = ir_node_new(ctx, OP_CAT, a->dt, a->ndim, shape);
  if (!n) return NULL;
  n->dev = a->dev;
  n->nin = 2;
  n->in[0] = a;
  n->in[1] = b;
  ir_node_retain(a);
  ir_node_retain(b);
  n->p.cat.dim = dim;
  n->p.cat.split = a->shape[dim];
  return n;
}

/* ns[0..n) (borrowed, n >= 1) joined along dim, as a balanced tree. */
static ir_node *cat_tree(tc_ctx *ctx, ir_node *const *ns, int n, int dim) {
  if (n == 1) {
    ir_node_retain(ns[0]);
    return ns[0];
  }
  ir_node *l = cat_tree(ctx, ns, n / 2, dim);
  ir_node *r = l ? cat_tree(ctx, ns + n / 2, n - n / 2, dim) : NULL;
  ir_node *c = r ? cat_node(ctx, l, r, dim) : NULL;
  ir_node_release(ctx, l);
  ir_node_release(ctx, r);
  return c;
}

static ir_node *on(ir_node *n, tc_device dev) {
  if (n) n->dev = dev;
  return n;
}

/* ---- cat and stack ---- */

static bool list_ok(tc_ctx *ctx, const char *fn, tc_tensor *const *ts, int n) {
  if (!ctx) return false;
  if (n < 0 || (n > 0 && !ts)) {
    ir_error(ctx, TC_ERR_ARG, "%s: bad tensor list (%d tensors)", fn, n);
    return false;
  }
  for (int i = 0; i < n; i++)
    if (!ts[i]) {
      ir_error(ctx, TC_ERR_ARG, "%s: tensor %d of the list is NULL", fn, i);
      return false;
    }
  return true;
}

static bool one_device(tc_ctx *ctx, const char *fn, tc_tensor *const *ts, int n) {
  for (int i = 1; i < n; i++) {
    tc_device a = ir_tensor_device(ts[0]), b = ir_tensor_device(ts[i]);
    if (!ir_same_device(a, b)) {
      char x[16], y[16];
      ir_error(ctx, TC_ERR_ARG,
               "%s: Expected all tensors to be on the same device, but found at least two devices, %s and %s!",
               fn, ir_device_str(a, x), ir_device_str(b, y));
      return false;
    }
  }
  return true;
}

tc_tensor *ir_op_cat(tc_ctx *ctx, const char *fn, tc_tensor *const *ts, int n, int dim) {
  if (!list_ok(ctx, fn, ts, n)) return NULL;
  if (n == 0) return ir_error(ctx, TC_ERR_ARG, "%s: torch.cat(): expected a non-empty list of Tensors", fn);
  for (int i = 0; i < n; i++)
    if (ts[i]->ndim == 0)
      return ir_error(ctx, TC_ERR_ARG, "%s: zero-dimensional tensor (at position %d) cannot be concatenated", fn, i);
  if (!one_device(ctx, fn, ts, n)) return NULL;
  /* PyTorch's legacy rule: 1-D empty tensors take no part in the shapes */
  bool skip[n > 0 ? n : 1];
  int ref = -1;
  tc_dtype dt = ts[0]->dt;
  for (int i = 0; i < n; i++) {
    skip[i] = ts[i]->ndim == 1 && ts[i]->shape[0] == 0;
    if (!skip[i] && ref < 0) ref = i;
    if (i) dt = ir_promote_types(dt, ts[i]->dt);
  }
  if (ref < 0) ref = 0, skip[0] = false;
  const tc_tensor *r0 = ts[ref];
  if (!ir_wrap_dim(ctx, fn, &dim, r0->ndim)) return NULL;
  int64_t shape[TC_MAX_DIMS];
  memcpy(shape, r0->shape, sizeof(int64_t) * (size_t)r0->ndim);
  shape[dim] = 0;
  int parts = 0;
  for (int i = 0; i < n; i++) {
    if (skip[i]) continue;
    const tc_tensor *t = ts[i];
    if (t->ndim != r0->ndim)
      return ir_error(ctx, TC_ERR_ARG, "%s: Tensors must have same number of dimensions: got %d and %d", fn,
                      r0->ndim, t->ndim);
    for (int d = 0; d < t->ndim; d++)
      if (d != dim && t->shape[d] != r0->shape[d])
        return ir_error(ctx, TC_ERR_ARG,
                        "%s: Sizes of tensors must match except in dimension %d. Expected size %lld but got "
                        "size %lld for tensor number %d in the list.",
                        fn, dim, (long long)r0->shape[d], (long long)t->shape[d], i);
    if (__builtin_add_overflow(shape[dim], t->shape[dim], &shape[dim]))
      return ir_error(ctx, TC_ERR_ARG, "%s: the joined size overflows", fn);
    if (t->shape[dim] > 0) parts++;
  }
  tc_device dev = ir_tensor_device(r0);
  if (parts == 0) /* nothing to read: an empty result */
    return ir_tensor_from_node(ctx, on(ir_const(ctx, 0, 0, dt, r0->ndim, shape), dev));
  ir_node **ns = ir_alloc(ctx, sizeof(ir_node *) * (size_t)parts);
  if (!ns) return ir_error(ctx, TC_ERR_OOM, "%s: out of memory", fn);
  int k = 0;
  bool ok = true;
  for (int i = 0; i < n && ok; i++) {
    if (skip[i] || ts[i]->shape[dim] == 0) continue;
    ir_node *x = ir_tensor_node(ts[i]);
    ns[k] = x ? ir_cast(ctx, x, dt) : NULL;
    ir_node_release(ctx, x);
    ok = ns[k++] != NULL;
  }
  ir_node *r = NULL;
  if (ok && parts == 1 && ns[0] == ts[0]->st->version) {
    /* one part that is a storage's value: a copy, never an alias */
    int64_t st[TC_MAX_DIMS];
    ir_contig_strides(ns[0]->ndim, ns[0]->shape, st);
    r = ir_view(ctx, ns[0], ns[0]->ndim, ns[0]->shape, st, 0);
  } else if (ok) {
    r = cat_tree(ctx, ns, parts, dim);
  }
  for (int i = 0; i < k; i++) ir_node_release(ctx, ns[i]);
  ir_free(ctx, ns);
  if (!r) return NULL;
  if (parts == 1 && r->op == OP_CAST) { /* a single cast part already is a new value */
  }
  tc_tensor *out = ir_tensor_from_node(ctx, r);
  return out;
}

tc_tensor *ir_op_stack(tc_ctx *ctx, const char *fn, tc_tensor *const *ts, int n, int dim) {
  if (!list_ok(ctx, fn, ts, n)) return NULL;
  if (n == 0) return ir_error(ctx, TC_ERR_ARG, "%s: stack expects a non-empty TensorList", fn);
  for (int i = 1; i < n; i++) {
    bool same = ts[i]->ndim == ts[0]->ndim;
    for (int d = 0; same && d < ts[0]->ndim; d++) same = ts[i]->shape[d] == ts[0]->shape[d];
    if (!same) {
      char a[256], b[256];
      return ir_error(ctx, TC_ERR_ARG, "%s: stack expects each tensor to be equal size, but got %s at entry 0 and %s at entry %d",
                      fn, ir_shape_str(a, sizeof a, ts[0]->ndim, ts[0]->shape),
                      ir_shape_str(b, sizeof b, ts[i]->ndim, ts[i]->shape), i);
    }
  }
  if (ts[0]->ndim >= TC_MAX_DIMS)
    return ir_error(ctx, TC_ERR_ARG, "%s: tensors have at most %d dims", fn, TC_MAX_DIMS);
  if (!ir_wrap_dim(ctx, fn, &dim, ts[0]->ndim + 1)) return NULL;
  tc_tensor **us = ir_alloc(ctx, sizeof(tc_tensor *) * (size_t)n);
  if (!us) return ir_error(ctx, TC_ERR_OOM, "%s: out of memory", fn);
  int k = 0;
  for (; k < n; k++)
    if (!(us[k] = ir_op_unsqueeze(ts[k], dim))) break;
  tc_tensor *r = k == n ? ir_op_cat(ctx, fn, us, n, dim) : NULL;
  for (int i = 0; i < k; i++) ir_tensor_release(us[i]);
  ir_free(ctx, us);
  return r;
}

/* atleast_{1,2,3}d: views with leading (and, for 3-D, trailing) dims of 1. */
static tc_tensor *atleast(tc_tensor *t, int nd) {
  int64_t s[3] = {1, 1, 1}, st[3] = {0, 0, 0};
  if (t->ndim >= nd) return ir_tensor_view(t, t->ndim, t->shape, t->strides, t->offset);
  if (nd == 3 && t->ndim == 1) { /* (n) -> (1, n, 1) */
    s[1] = t->shape[0], st[1] = t->strides[0];
  } else if (nd == 3 && t->ndim == 2) { /* (m, n) -> (m, n, 1) */
    s[0] = t->shape[0], st[0] = t->strides[0], s[1] = t->shape[1], st[1] = t->strides[1];
  } else {
    for (int d = 0; d < t->ndim; d++) s[nd - t->ndim + d] = t->shape[d], st[nd - t->ndim + d] = t->strides[d];
  }
  return ir_tensor_view(t, nd, s, st, t->offset);
}

/* hstack (which 1), vstack (2), dstack (3). */
tc_tensor *ir_op_xstack(tc_ctx *ctx, int which, tc_tensor *const *ts, int n) {
  static const char *const fns[] = {"", "tc_hstack", "tc_vstack", "tc_dstack"};
  const char *fn = fns[which];
  if (!list_ok(ctx, fn, ts, n)) return NULL;
  if (n == 0)
    return ir_error(ctx, TC_ERR_ARG, "%s: %s expects a non-empty TensorList", fn, fn + 3);
  tc_tensor **us = ir_alloc(ctx, sizeof(tc_tensor *) * (size_t)n);
  if (!us) return ir_error(ctx, TC_ERR_OOM, "%s: out of memory", fn);
  int k = 0, dim = which == 1 ? 1 : which == 2 ? 0 : 2;
  bool all1 = true;
  for (; k < n; k++) {
    if (!(us[k] = atleast(ts[k], which == 1 ? 1 : which))) break;
    all1 = all1 && us[k]->ndim == 1;
  }
  if (which == 1 && all1) dim = 0;
  tc_tensor *r = k == n ? ir_op_cat(ctx, fn, us, n, dim) : NULL;
  for (int i = 0; i < k; i++) ir_tensor_release(us[i]);
  ir_free(ctx, us);
  return r;
}

/* ---- splits: views ---- */

/* Pieces of `sizes` along dim into out[0..min(n, cap)); returns n or -1. */
static int pieces(tc_tensor *a, int dim, const int64_t *sizes, int n, tc_tensor **out, int cap) {
  int64_t start = 0;
  for (int i = 0; i < n; i++) {
    if (i < cap && out) {
      out[i] = ir_op_narrow(a, dim, start, sizes[i]);
      if (!out[i]) {
        for (int j = 0; j < i; j++) ir_tensor_release(out[j]), out[j] = NULL;
        return -1;
      }
    }
    start += sizes[i];
  }
  return n;
}

static bool split_dim(tc_tensor *a, const char *fn, int *dim) {
  if (a->ndim == 0) {
    ir_error(a->ctx, TC_ERR_ARG, "%s: split expects at least a 1-dimensional tensor", fn);
    return false;
  }
  return ir_wrap_dim(a->ctx, fn, dim, a->ndim);
}

int ir_op_split(tc_tensor *a, int64_t size, int dim, tc_tensor **out, int cap) {
  if (!a) return -1;
  if (!split_dim(a, "tc_split", &dim)) return -1;
  int64_t len = a->shape[dim];
  if (size < 0)
    return ir_error(a->ctx, TC_ERR_ARG, "tc_split: split expects split_size be non-negative, but got split_size=%lld",
                    (long long)size), -1;
  if (size == 0 && len != 0)
    return ir_error(a->ctx, TC_ERR_ARG,
                    "tc_split: split_size can only be 0 if dimension size is 0, but got dimension size of %lld",
                    (long long)len), -1;
  int64_t n = size == 0 ? 1 : len == 0 ? 1 : (len + size - 1) / size;
  if (n > INT32_MAX / 2) return ir_error(a->ctx, TC_ERR_ARG, "tc_split: too many pieces"), -1;
  int64_t *sz = malloc(sizeof(int64_t) * (size_t)n);
  if (!sz) return ir_error(a->ctx, TC_ERR_OOM, "tc_split: out of memory"), -1;
  for (int64_t i = 0; i < n; i++) sz[i] = len - i * size < size ? len - i * size : size;
  if (len == 0) sz[0] = 0;
  int r = pieces(a, dim, sz, (int)n, out, cap);
  free(sz);
  return r;
}

int ir_op_split_sizes(tc_tensor *a, const int64_t *sizes, int n, int dim, tc_tensor **out) {
  if (!a) return -1;
  if (!split_dim(a, "tc_split_sizes", &dim)) return -1;
  if (n < 0 || (n && !sizes)) return ir_error(a->ctx, TC_ERR_ARG, "tc_split_sizes: bad sizes"), -1;
  int64_t sum = 0;
  bool neg = false;
  for (int i = 0; i < n; i++) neg |= sizes[i] < 0, sum += sizes[i] > 0 ? sizes[i] : 0;
  if (neg || sum != a->shape[dim]) {
    char buf[512];
    size_t k = (size_t)snprintf(buf, sizeof buf, "[");
    for (int i = 0; i < n && k < sizeof buf; i++)
      k += (size_t)snprintf(buf + k, sizeof buf - k, i ? ", %lld" : "%lld", (long long)sizes[i]);
    if (k < sizeof buf) snprintf(buf + k, sizeof buf - k, "]");
    if (neg)
      return ir_error(a->ctx, TC_ERR_ARG,
                      "tc_split_sizes: split_with_sizes expects split_sizes have only non-negative entries, but "
                      "got split_sizes=%s", buf), -1;
    return ir_error(a->ctx, TC_ERR_ARG,
                    "tc_split_sizes: split_with_sizes expects split_sizes to sum exactly to %lld (input tensor's "
                    "size at dimension %d), but got split_sizes=%s", (long long)a->shape[dim], dim, buf), -1;
  }
  return pieces(a, dim, sizes, n, out, n);
}

int ir_op_chunk(tc_tensor *a, int chunks, int dim, tc_tensor **out, int cap) {
  if (!a) return -1;
  if (a->ndim == 0)
    return ir_error(a->ctx, TC_ERR_ARG, "tc_chunk: chunk expects at least a 1-dimensional tensor"), -1;
  if (chunks <= 0)
    return ir_error(a->ctx, TC_ERR_ARG, "tc_chunk: chunk expects `chunks` to be greater than 0, got: %d", chunks), -1;
  if (!ir_wrap_dim(a->ctx, "tc_chunk", &dim, a->ndim)) return -1;
  int64_t len = a->shape[dim], size = (len + chunks - 1) / chunks;
  if (size == 0) { /* an empty dim: `chunks` empty pieces */
    int64_t *sz = calloc((size_t)chunks, sizeof(int64_t));
    if (!sz) return ir_error(a->ctx, TC_ERR_OOM, "tc_chunk: out of memory"), -1;
    int r = pieces(a, dim, sz, chunks, out, cap);
    free(sz);
    return r;
  }
  int r = ir_op_split(a, size, dim, out, cap);
  if (r < 0) ir_error_rename(a->ctx, "tc_chunk");
  return r;
}

int ir_op_unbind(tc_tensor *a, int dim, tc_tensor **out, int cap) {
  if (!a) return -1;
  if (a->ndim == 0) return ir_error(a->ctx, TC_ERR_ARG, "tc_unbind: Dimension specified as 0 but tensor has no dimensions"), -1;
  if (!ir_wrap_dim(a->ctx, "tc_unbind", &dim, a->ndim)) return -1;
  int64_t n = a->shape[dim];
  if (n > INT32_MAX / 2) return ir_error(a->ctx, TC_ERR_ARG, "tc_unbind: too many pieces"), -1;
  for (int64_t i = 0; i < n && i < cap && out; i++)
    if (!(out[i] = ir_op_select(a, dim, i))) {
      for (int64_t j = 0; j < i; j++) ir_tensor_release(out[j]), out[j] = NULL;
      return -1;
    }
  return (int)n;
}

/* ---- flip and roll ---- */

tc_tensor *ir_op_flip(tc_tensor *a, const int *dims, int ndims, const char *fn) {
  if (!a) return NULL;
  if (ndims < 0 || (ndims && !dims)) return ir_error(a->ctx, TC_ERR_ARG, "%s: bad dims", fn);
  bool seen[TC_MAX_DIMS] = {false};
  int64_t st[TC_MAX_DIMS], off = a->offset;
  memcpy(st, a->strides, sizeof(int64_t) * (size_t)a->ndim);
  for (int i = 0; i < ndims; i++) {
    int d = dims[i];
    if (!ir_wrap_dim(a->ctx, fn, &d, a->ndim)) return NULL;
    if (a->ndim == 0) continue;
    if (seen[d]) return ir_error(a->ctx, TC_ERR_ARG, "%s: dim %d appears multiple times in the list of dims", fn, d);
    seen[d] = true;
    if (a->shape[d] > 1) {
      off += (a->shape[d] - 1) * st[d];
      st[d] = -st[d];
    }
  }
  tc_tensor *v = ir_tensor_view(a, a->ndim, a->shape, st, off);
  tc_tensor *r = ir_op_clone(v);
  ir_tensor_release(v);
  return r;
}

tc_tensor *ir_op_fliplr(tc_tensor *a) {
  if (!a) return NULL;
  if (a->ndim < 2) return ir_error(a->ctx, TC_ERR_ARG, "tc_fliplr: Input must be >= 2-d.");
  return ir_op_flip(a, (int[]){1}, 1, "tc_fliplr");
}

tc_tensor *ir_op_flipud(tc_tensor *a) {
  if (!a) return NULL;
  if (a->ndim < 1) return ir_error(a->ctx, TC_ERR_ARG, "tc_flipud: Input must be >= 1-d.");
  return ir_op_flip(a, (int[]){0}, 1, "tc_flipud");
}

tc_tensor *ir_op_roll(tc_tensor *a, const int64_t *shifts, int nshifts, const int *dims, int ndims) {
  if (!a) return NULL;
  tc_ctx *ctx = a->ctx;
  if (nshifts <= 0 || !shifts || (ndims && !dims) || ndims < 0)
    return ir_error(ctx, TC_ERR_ARG, "tc_roll: `shifts` required");
  if (ndims == 0 && nshifts != 1)
    return ir_error(ctx, TC_ERR_ARG, "tc_roll: shifts and dimensions must align. shifts: %d, dims:%d", nshifts, ndims);
  if (ndims && nshifts != ndims)
    return ir_error(ctx, TC_ERR_ARG, "tc_roll: shifts and dimensions must align. shifts: %d, dims:%d", nshifts, ndims);
  if (ndims == 0) { /* the flattened tensor, rolled, in the old shape */
    int64_t n = ir_tensor_numel(a);
    tc_tensor *f = ir_op_reshape(a, 1, &n);
    tc_tensor *r = f ? ir_op_roll(f, shifts, 1, (int[]){0}, 1) : NULL;
    tc_tensor *o = r ? ir_op_reshape(r, a->ndim, a->shape) : NULL;
    ir_tensor_release(f);
    ir_tensor_release(r);
    return o;
  }
  for (int i = 0; i < ndims; i++) {
    int d = dims[i];
    if (!ir_wrap_dim(ctx, "tc_roll", &d, a->ndim)) return NULL;
  }
  tc_tensor *x = ir_tensor_view(a, a->ndim, a->shape, a->strides, a->offset);
  bool moved = false;
  for (int i = 0; i < ndims && x; i++) {
    int d = dims[i];
    ir_wrap_dim(ctx, "tc_roll", &d, a->ndim);
    int64_t len = a->shape[d];
    if (len == 0) continue;
    int64_t s = ((shifts[i] % len) + len) % len;
    if (s == 0) continue;
    tc_tensor *p[2] = {ir_op_narrow(x, d, len - s, s), ir_op_narrow(x, d, 0, len - s)};
    tc_tensor *y = p[0] && p[1] ? ir_op_cat(ctx, "tc_roll", p, 2, d) : NULL;
    ir_tensor_release(p[0]);
    ir_tensor_release(p[1]);
    ir_tensor_release(x);
    x = y;
    moved = true;
  }
  if (x && !moved) {
    tc_tensor *c = ir_op_clone(x);
    ir_tensor_release(x);
    x = c;
  }
  return x;
}

/* ---- triangles and diagonals ---- */

/* where(mask, x, 0) over nodes (borrowed), in x's dtype. */
static ir_node *keep_where(tc_ctx *ctx, ir_node *mask, ir_node *x) {
  tc_dtype cdt = ir_compute_dt(x->dt);
  ir_node *z = on(ir_const(ctx, 0, 0, cdt, x->ndim, x->shape), x->dev);
  ir_node *cx = ir_cast(ctx, x, cdt);
  ir_node *w = z && cx ? ir_ew(ctx, OP_WHERE, cdt, mask, cx, z) : NULL;
  ir_node *r = w ? ir_cast(ctx, w, x->dt) : NULL;
  ir_node_release(ctx, z);
  ir_node_release(ctx, cx);
  ir_node_release(ctx, w);
  return r;
}

/* The bool node (col - row) `op` k over the last two dims of shape. */
static ir_node *band(tc_ctx *ctx, int op, int64_t k, int ndim, const int64_t *shape, tc_device dev) {
  ir_node *row = on(ir_node_new(ctx, OP_IOTA, TC_I64, ndim, shape), dev);
  ir_node *col = on(ir_node_new(ctx, OP_IOTA, TC_I64, ndim, shape), dev);
  if (row) row->p.axis = ndim - 2;
  if (col) col->p.axis = ndim - 1;
  ir_node *diff = row && col ? ir_ew(ctx, OP_SUB, TC_I64, col, row, NULL) : NULL;
  ir_node *kc = on(ir_const(ctx, 0, k, TC_I64, ndim, shape), dev);
  ir_node *m = diff && kc ? ir_ew(ctx, op, TC_BOOL, diff, kc, NULL) : NULL;
  ir_node_release(ctx, row);
  ir_node_release(ctx, col);
  ir_node_release(ctx, diff);
  ir_node_release(ctx, kc);
  return m;
}

tc_tensor *ir_op_tri(tc_tensor *a, int64_t k, bool lower) {
  if (!a) return NULL;
  const char *fn = lower ? "tc_tril" : "tc_triu";
  if (a->ndim < 2)
    return ir_error(a->ctx, TC_ERR_ARG, "%s: %s: input tensor must have at least 2 dimensions", fn, fn + 3);
  ir_node *x = ir_tensor_node(a);
  ir_node *m = x ? band(a->ctx, lower ? OP_LE : OP_GE, k, a->ndim, a->shape, x->dev) : NULL;
  ir_node *r = m ? keep_where(a->ctx, m, x) : NULL;
  ir_node_release(a->ctx, x);
  ir_node_release(a->ctx, m);
  return ir_tensor_from_node(a->ctx, r);
}

tc_tensor *ir_op_diagonal(tc_tensor *a, int64_t offset, int d1, int d2) {
  if (!a) return NULL;
  if (!ir_wrap_dim(a->ctx, "tc_diagonal", &d1, a->ndim) || !ir_wrap_dim(a->ctx, "tc_diagonal", &d2, a->ndim))
    return NULL;
  if (d1 == d2)
    return ir_error(a->ctx, TC_ERR_ARG, "tc_diagonal: diagonal dimensions cannot be identical %d, %d", d1, d2);
  int64_t ns[TC_MAX_DIMS], st[TC_MAX_DIMS], off = a->offset;
  int n = 0;
  for (int d = 0; d < a->ndim; d++)
    if (d != d1 && d != d2) ns[n] = a->shape[d], st[n++] = a->strides[d];
  int64_t len;
  if (offset >= 0) {
    len = a->shape[d2] - offset < a->shape[d1] ? a->shape[d2] - offset : a->shape[d1];
  } else {
    len = a->shape[d1] + offset < a->shape[d2] ? a->shape[d1] + offset : a->shape[d2];
  }
  if (len < 0) len = 0;
  if (len > 0) off += offset >= 0 ? offset * a->strides[d2] : -offset * a->strides[d1];
  ns[n] = len;
  st[n++] = a->strides[d1] + a->strides[d2];
  return ir_tensor_view(a, n, ns, st, off);
}

/* x (..., m) padded with `pad` zeros at the end of its last dim. */
static tc_tensor *pad_last(tc_tensor *x, int64_t pad) {
  if (pad == 0) return ir_op_clone(x);
  int64_t s[TC_MAX_DIMS];
  memcpy(s, x->shape, sizeof(int64_t) * (size_t)x->ndim);
  s[x->ndim - 1] = pad;
  tc_tensor *z = ir_tensor_from_node(x->ctx, on(ir_const(x->ctx, 0, 0, x->dt, x->ndim, s), ir_tensor_device(x)));
  tc_tensor *r = z ? ir_op_cat(x->ctx, "tc_diag", (tc_tensor *[]){x, z}, 2, -1) : NULL;
  ir_tensor_release(z);
  return r;
}

/* (..., n, n) with v (..., n) on diagonal `offset` (v indexed by the row
 * when offset >= 0, else by the column), zeros elsewhere. */
static tc_tensor *embed(tc_tensor *v, int64_t offset) {
  tc_ctx *ctx = v->ctx;
  int nd = v->ndim + 1;
  int64_t n = v->shape[v->ndim - 1], shape[TC_MAX_DIMS], st[TC_MAX_DIMS];
  memcpy(shape, v->shape, sizeof(int64_t) * (size_t)v->ndim);
  shape[nd - 1] = n;
  memcpy(st, v->strides, sizeof(int64_t) * (size_t)v->ndim);
  if (offset >= 0) st[nd - 2] = v->strides[v->ndim - 1], st[nd - 1] = 0;
  else st[nd - 2] = 0, st[nd - 1] = v->strides[v->ndim - 1];
  tc_tensor *e = ir_tensor_view(v, nd, shape, st, v->offset);
  ir_node *x = e ? ir_tensor_node(e) : NULL;
  ir_node *m = x ? band(ctx, OP_EQ, offset, nd, shape, x->dev) : NULL;
  ir_node *r = m ? keep_where(ctx, m, x) : NULL;
  ir_node_release(ctx, x);
  ir_node_release(ctx, m);
  ir_tensor_release(e);
  return ir_tensor_from_node(ctx, r);
}

tc_tensor *ir_op_diag(tc_tensor *a, int64_t k) {
  if (!a) return NULL;
  if (a->ndim == 2) {
    tc_tensor *d = ir_op_diagonal(a, k, 0, 1);
    tc_tensor *r = d ? ir_op_clone(d) : NULL;
    ir_tensor_release(d);
    return r;
  }
  if (a->ndim != 1)
    return ir_error(a->ctx, TC_ERR_ARG, "tc_diag: diag(): Supports 1D or 2D tensors. Got %dD", a->ndim);
  tc_tensor *p = pad_last(a, k < 0 ? -k : k);
  tc_tensor *r = p ? embed(p, k) : NULL;
  ir_tensor_release(p);
  return r;
}

tc_tensor *ir_op_diag_embed(tc_tensor *a, int64_t offset, int d1, int d2) {
  if (!a) return NULL;
  int nd = a->ndim + 1;
  if (nd > TC_MAX_DIMS) return ir_error(a->ctx, TC_ERR_ARG, "tc_diag_embed: tensors have at most %d dims", TC_MAX_DIMS);
  if (!ir_wrap_dim(a->ctx, "tc_diag_embed", &d1, nd) || !ir_wrap_dim(a->ctx, "tc_diag_embed", &d2, nd)) return NULL;
  if (d1 == d2)
    return ir_error(a->ctx, TC_ERR_ARG, "tc_diag_embed: diagonal dimensions cannot be identical %d, %d", d1, d2);
  if (a->ndim == 0) return ir_error(a->ctx, TC_ERR_ARG, "tc_diag_embed: Dimension out of range (expected to be in range of [-1, 0], but got -1)");
  tc_tensor *p = pad_last(a, offset < 0 ? -offset : offset);
  tc_tensor *e = p ? embed(p, offset) : NULL;
  ir_tensor_release(p);
  if (!e || (d1 == nd - 2 && d2 == nd - 1)) return e;
  int perm[TC_MAX_DIMS], src = 0;
  for (int d = 0; d < nd; d++) perm[d] = d == d1 ? nd - 2 : d == d2 ? nd - 1 : src++;
  tc_tensor *v = ir_op_permute(e, perm);
  tc_tensor *r = v ? ir_op_contiguous(v) : NULL;
  ir_tensor_release(e);
  ir_tensor_release(v);
  return r;
}

/* ---- repeats ---- */

/* x with dim d repeated r times (whole copies when !interleave, each
 * element r times when interleave): an expanded view reshaped (a copy). */
static tc_tensor *repeat_dim(tc_tensor *x, int d, int64_t r, bool interleave) {
  int nd = x->ndim;
  if (nd + 1 > TC_MAX_DIMS) return ir_error(x->ctx, TC_ERR_ARG, "tensors have at most %d dims", TC_MAX_DIMS);
  int64_t s[TC_MAX_DIMS], st[TC_MAX_DIMS], out[TC_MAX_DIMS];
  int k = 0;
  for (int e = 0; e < nd; e++) {
    if (e == d && !interleave) s[k] = r, st[k++] = 0;
    s[k] = x->shape[e], st[k++] = x->strides[e];
    if (e == d && interleave) s[k] = r, st[k++] = 0;
    out[e] = e == d ? x->shape[e] * r : x->shape[e];
  }
  tc_tensor *v = ir_tensor_view(x, nd + 1, s, st, x->offset);
  tc_tensor *c = v ? ir_op_clone(v) : NULL;
  tc_tensor *o = c ? ir_op_reshape(c, nd, out) : NULL;
  ir_tensor_release(v);
  ir_tensor_release(c);
  return o;
}

static bool check_size(tc_ctx *ctx, const char *fn, int nd, const int64_t *shape) {
  for (int d = 0; d < nd; d++)
    if (shape[d] < 0) {
      char b[256];
      ir_error(ctx, TC_ERR_ARG, "%s: Trying to create tensor with negative dimension %lld: %s", fn,
               (long long)shape[d], ir_shape_str(b, sizeof b, nd, shape));
      return false;
    }
  return true;
}

tc_tensor *ir_op_repeat(tc_tensor *a, int nreps, const int64_t *reps, const char *fn) {
  if (!a) return NULL;
  if (nreps < a->ndim || (nreps && !reps))
    return ir_error(a->ctx, TC_ERR_ARG,
                    "%s: Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor", fn);
  if (nreps > TC_MAX_DIMS) return ir_error(a->ctx, TC_ERR_ARG, "%s: tensors have at most %d dims", fn, TC_MAX_DIMS);
  int64_t s[TC_MAX_DIMS] = {0}, st[TC_MAX_DIMS] = {0}, out[TC_MAX_DIMS] = {0};
  int lead = nreps - a->ndim;
  for (int d = 0; d < nreps; d++) {
    s[d] = d < lead ? 1 : a->shape[d - lead];
    st[d] = d < lead ? 0 : a->strides[d - lead];
    if (__builtin_mul_overflow(s[d], reps[d], &out[d]))
      return ir_error(a->ctx, TC_ERR_ARG, "%s: the repeated size overflows", fn);
  }
  if (!check_size(a->ctx, fn, nreps, out)) return NULL;
  tc_tensor *x = ir_tensor_view(a, nreps, s, st, a->offset);
  bool copied = false;
  for (int d = 0; d < nreps && x; d++) {
    if (reps[d] == 1) continue;
    tc_tensor *y = repeat_dim(x, d, reps[d], false);
    ir_tensor_release(x);
    x = y;
    copied = true;
  }
  if (x && !copied) {
    tc_tensor *c = ir_op_clone(x);
    ir_tensor_release(x);
    x = c;
  }
  if (!x) ir_error_rename(a->ctx, fn);
  return x;
}

tc_tensor *ir_op_tile(tc_tensor *a, int nreps, const int64_t *reps) {
  if (!a) return NULL;
  if (nreps < 0 || (nreps && !reps)) return ir_error(a->ctx, TC_ERR_ARG, "tc_tile: bad reps");
  int64_t r[TC_MAX_DIMS];
  int n = nreps < a->ndim ? a->ndim : nreps;
  if (n > TC_MAX_DIMS) return ir_error(a->ctx, TC_ERR_ARG, "tc_tile: tensors have at most %d dims", TC_MAX_DIMS);
  for (int d = 0; d < n; d++) r[d] = d < n - nreps ? 1 : reps[d - (n - nreps)];
  return ir_op_repeat(a, n, r, "tc_tile");
}

tc_tensor *ir_op_repeat_interleave(tc_tensor *a, int64_t repeats, bool has_dim, int dim) {
  if (!a) return NULL;
  if (repeats < 0) return ir_error(a->ctx, TC_ERR_ARG, "tc_repeat_interleave: Repeats must be non-negative");
  tc_tensor *x;
  if (!has_dim) {
    int64_t n = ir_tensor_numel(a);
    x = ir_op_reshape(a, 1, &n);
    dim = 0;
  } else {
    if (!ir_wrap_dim(a->ctx, "tc_repeat_interleave", &dim, a->ndim)) return NULL;
    x = a->ndim ? ir_tensor_view(a, a->ndim, a->shape, a->strides, a->offset) : ir_op_reshape(a, 1, (int64_t[]){1});
  }
  tc_tensor *r = x ? repeat_dim(x, dim, repeats, true) : NULL;
  ir_tensor_release(x);
  if (!r) ir_error_rename(a->ctx, "tc_repeat_interleave");
  return r;
}

/* ---- meshgrid ---- */

int ir_op_meshgrid(tc_ctx *ctx, tc_tensor *const *ts, int n, const char *indexing, tc_tensor **out) {
  const char *fn = "tc_meshgrid";
  if (!list_ok(ctx, fn, ts, n)) return -1;
  if (n == 0) return ir_error(ctx, TC_ERR_ARG, "%s: meshgrid expects a non-empty TensorList", fn), -1;
  if (n > TC_MAX_DIMS) return ir_error(ctx, TC_ERR_ARG, "%s: at most %d tensors", fn, TC_MAX_DIMS), -1;
  bool xy;
  if (!indexing || !strcmp(indexing, "ij")) xy = false;
  else if (!strcmp(indexing, "xy")) xy = true;
  else
    return ir_error(ctx, TC_ERR_ARG, "%s: torch.meshgrid: indexing must be one of \"xy\" or \"ij\", but received: %s",
                    fn, indexing), -1;
  for (int i = 0; i < n; i++) {
    if (ts[i]->ndim > 1)
      return ir_error(ctx, TC_ERR_ARG, "%s: torch.meshgrid: Expected 0D or 1D tensor in the tensor list but got a %dD tensor",
                      fn, ts[i]->ndim), -1;
    if (ts[i]->dt != ts[0]->dt)
      return ir_error(ctx, TC_ERR_ARG, "%s: meshgrid expects all tensors to have the same dtype",
                      fn), -1;
  }
  if (!one_device(ctx, fn, ts, n)) return -1;
  int64_t shape[TC_MAX_DIMS];
  int pos[TC_MAX_DIMS];
  for (int i = 0; i < n; i++) pos[i] = i;
  if (xy && n >= 2) pos[0] = 1, pos[1] = 0;
  for (int i = 0; i < n; i++) shape[pos[i]] = ts[i]->ndim ? ts[i]->shape[0] : 1;
  for (int i = 0; i < n; i++) {
    int64_t st[TC_MAX_DIMS] = {0};
    st[pos[i]] = ts[i]->ndim ? ts[i]->strides[0] : 0;
    if (!(out[i] = ir_tensor_view(ts[i], n, shape, st, ts[i]->offset))) {
      for (int j = 0; j < i; j++) ir_tensor_release(out[j]), out[j] = NULL;
      return -1;
    }
  }
  return n;
}

/* ---- reads at data-dependent positions ---- */

tc_tensor *ir_op_gather_at(tc_tensor *a, tc_tensor *offsets) {
  if (!a || !offsets) return NULL;
  tc_ctx *ctx = a->ctx;
  if (offsets->dt != TC_I64) return ir_error(ctx, TC_ERR_ARG, "gather: offsets must be int64");
  ir_node *src = a->st->version, *o = ir_tensor_node(offsets);
  ir_node *g = o ? ir_node_new(ctx, OP_GATHER, src->dt, o->ndim, o->shape) : NULL;
  if (!g) {
    ir_node_release(ctx, o);
    return NULL;
  }
  g->dev = src->dev;
  g->nin = 2;
  g->in[0] = src;
  ir_node_retain(src);
  g->in[1] = o; /* the reference ir_tensor_node gave */
  return ir_tensor_from_node(ctx, g);
}

/* ---- scans ---- */

/* The SCAN node of x along dim; init (or NULL): each row's start (x's
 * shape with 1 along dim), combined into its first step. */
static ir_node *scan_node(tc_ctx *ctx, ir_node *x, int dim, int op, bool wide, ir_node *init) {
  ir_node *n = ir_node_new(ctx, OP_SCAN, x->dt, x->ndim, x->shape);
  if (!n) return NULL;
  n->dev = x->dev;
  n->nin = init ? 2 : 1;
  n->in[0] = x;
  ir_node_retain(x);
  if (init) {
    n->in[1] = init;
    ir_node_retain(init);
  }
  n->p.scan.dim = dim;
  n->p.scan.op = op;
  n->p.scan.wide = wide;
  return n;
}

/* Long rows in few of them (a 1-D cumsum of millions) would be one
 * sequential loop on one thread: such a scan is blocked instead, with a
 * fixed block size (the result depends on the length only, never on the
 * threads or the backend): the row as (nb, SCAN_BLOCK) blocks; each whole
 * block's total (a reduction: its fixed tree order), the totals' running
 * combine, and each block scanned in parallel from the running total of
 * the ones before it (the scan's start: its first step is that total (op)
 * its first element; block 0 starts from op's identity). */
enum { SCAN_BLOCK = 4096, SCAN_LONG = 1 << 17, SCAN_FEW_ROWS = 64 };

static ir_node *scan_blocked(tc_ctx *ctx, ir_node *x, int dim, int op, ir_node **padded);

static bool blocked(const ir_node *x, int dim) {
  int64_t L = x->shape[dim], rows = L ? ir_numel(x->ndim, x->shape) / L : 0;
  return L > SCAN_LONG && rows < SCAN_FEW_ROWS && x->ndim < TC_MAX_DIMS;
}

/* The scan node of x along dim (blocked when its rows are long and few). */
static ir_node *scan_of(tc_ctx *ctx, ir_node *x, int dim, int op) {
  if (!blocked(x, dim)) return scan_node(ctx, x, dim, op, true, NULL);
  return scan_blocked(ctx, x, dim, op, NULL);
}

/* The reduction of scan op `op` (kernel.h's RED op for it). */
static int scan_red(int op) {
  return op == OP_ADD ? OP_RSUM : op == OP_MUL ? OP_RPROD : op == OP_MAX ? OP_RMAX : op == OP_MIN ? OP_RMIN : OP_RLSE;
}

/* The start of a scan by op in dtype dt, as a node of shape (nd, s) on
 * dev: op's identity (x (op) it is x), and +0.0 for a sum, which PyTorch's
 * starts from (-0.0 becomes 0.0, as there). */
static ir_node *identity(tc_ctx *ctx, int op, tc_dtype dt, int nd, const int64_t *s, tc_device dev) {
  bool fl = ir_dtype_is_floating(dt);
  double f = op == OP_ADD ? 0.0 : op == OP_MUL ? 1 : op == OP_MIN ? INFINITY : -INFINITY;
  int64_t i = op == OP_ADD ? 0 : op == OP_MUL ? 1 : op == OP_MIN ? ir_dtype_int_max(dt) : ir_dtype_int_min(dt);
  return on(ir_const(ctx, fl ? f : (double)i, fl ? 0 : i, dt, nd, s), dev);
}

/* padded (when not NULL, x 1-D and its length not a whole number of
 * blocks): set to the blocked result itself, (nb, SCAN_BLOCK) with the
 * padding's elements last, for a caller that views its first L elements
 * rather than computing them through a narrowing view. */
static ir_node *scan_blocked(tc_ctx *ctx, ir_node *x, int dim, int op, ir_node **padded) {
  int nd = x->ndim;
  int64_t L = x->shape[dim], nb = (L + SCAN_BLOCK - 1) / SCAN_BLOCK, pad = nb * SCAN_BLOCK - L;
  /* x with dim moved last (a view of its row-major layout) */
  int64_t cs[TC_MAX_DIMS], sh[TC_MAX_DIMS], st[TC_MAX_DIMS];
  ir_contig_strides(nd, x->shape, cs);
  int k = 0;
  for (int d = 0; d < nd; d++)
    if (d != dim) sh[k] = x->shape[d], st[k++] = cs[d];
  sh[k] = L, st[k] = cs[dim];
  /* (..., nb, B) */
  int64_t bs[TC_MAX_DIMS], bst[TC_MAX_DIMS];
  memcpy(bs, sh, sizeof(int64_t) * (size_t)(nd - 1));
  bs[nd - 1] = nb, bs[nd] = SCAN_BLOCK;
  ir_contig_strides(nd + 1, bs, bst);
  /* the whole blocks: one view of x (read through its strides, no copy) */
  int64_t nbf = L / SCAN_BLOCK, ws[TC_MAX_DIMS + 1], xst[TC_MAX_DIMS + 1];
  memcpy(ws, bs, sizeof(int64_t) * (size_t)(nd + 1));
  ws[nd - 1] = nbf;
  memcpy(xst, st, sizeof(int64_t) * (size_t)(nd - 1));
  xst[nd - 1] = cs[dim] * SCAN_BLOCK, xst[nd] = cs[dim];
  ir_node *b = ir_view(ctx, x, nd + 1, ws, xst, 0);
  /* the whole blocks' totals (..., nbf) and their running combine */
  int64_t ts[TC_MAX_DIMS], tst[TC_MAX_DIMS];
  int rop = scan_red(op);
  ir_node *red = b ? ir_red_node(ctx, rop, rop == OP_RLSE ? TC_F64 : x->dt, b, 1u << nd) : NULL;
  ir_node *redc = red ? ir_cast(ctx, red, x->dt) : NULL;
  memcpy(ts, ws, sizeof(int64_t) * (size_t)nd);
  ir_contig_strides(nd, ts, tst);
  ir_node *tot = redc ? ir_view(ctx, redc, nd, ts, tst, 0) : NULL;
  ir_node *run = tot ? scan_of(ctx, tot, nd - 1, op) : NULL;
  /* block i > 0 starts from run[i - 1], block 0 from the identity */
  int64_t ps2[TC_MAX_DIMS];
  memcpy(ps2, ts, sizeof(int64_t) * (size_t)nd);
  ps2[nd - 1] = 1;
  ir_node *first = run ? identity(ctx, op, x->dt, nd, ps2, x->dev) : NULL;
  ps2[nd - 1] = nb - 1;
  ir_node *rest = first && nb > 1 ? ir_view(ctx, run, nd, ps2, tst, 0) : NULL;
  ir_node *prev = first ? (nb > 1 ? (rest ? cat_node(ctx, first, rest, nd - 1) : NULL) : (ir_node_retain(first), first)) : NULL;
  int64_t is[TC_MAX_DIMS + 1], ist[TC_MAX_DIMS + 1];
  memcpy(is, bs, sizeof(int64_t) * (size_t)nd);
  is[nd] = 1;
  ir_contig_strides(nd + 1, is, ist);
  ir_node *init = prev ? ir_view(ctx, prev, nd + 1, is, ist, 0) : NULL; /* (..., nb, 1) */
  /* the whole blocks, each from its start (x read in place), then a
   * partial last block on its own, padded (the pad's values reach no
   * real element), joined to them: only it reads through the padding */
  int64_t wis[TC_MAX_DIMS + 1];
  memcpy(wis, is, sizeof(int64_t) * (size_t)(nd + 1));
  wis[nd - 1] = nbf;
  ir_node *wi = init ? ir_view(ctx, init, nd + 1, wis, ist, 0) : NULL;
  ir_node *s = wi && b ? scan_node(ctx, b, nd, op, false, wi) : NULL; /* blocks: in the dtype, for speed */
  ir_node *vt = NULL, *z = NULL, *c = NULL, *lb = NULL, *li = NULL, *sl = NULL, *e = NULL, *w1 = NULL;
  if (s && pad) {
    int64_t tsh[TC_MAX_DIMS], ps[TC_MAX_DIMS], ls[TC_MAX_DIMS + 1], lst[TC_MAX_DIMS + 1];
    memcpy(tsh, sh, sizeof(int64_t) * (size_t)nd);
    memcpy(ps, sh, sizeof(int64_t) * (size_t)nd);
    tsh[nd - 1] = L - nbf * SCAN_BLOCK, ps[nd - 1] = pad;
    memcpy(ls, bs, sizeof(int64_t) * (size_t)(nd + 1));
    ls[nd - 1] = 1;
    ir_contig_strides(nd + 1, ls, lst);
    vt = ir_view(ctx, x, nd, tsh, st, nbf * SCAN_BLOCK * cs[dim]);
    z = vt ? on(ir_const(ctx, 0, 0, x->dt, nd, ps), x->dev) : NULL;
    c = z ? cat_node(ctx, vt, z, nd - 1) : NULL;
    lb = c ? ir_view(ctx, c, nd + 1, ls, lst, 0) : NULL;
    wis[nd - 1] = 1;
    li = lb ? ir_view(ctx, init, nd + 1, wis, ist, nbf * ist[nd - 1]) : NULL; /* block nbf's start */
    sl = li ? scan_node(ctx, lb, nd, op, false, li) : NULL;
    /* both scans store into one new storage (..., nb, B), each through a
     * view: a WRITE whose value is a scan is the scan's own kernel
     * (lower.c), so nothing is copied to join them */
    e = sl ? on(ir_node_new(ctx, OP_EMPTY, x->dt, nd + 1, bs), x->dev) : NULL;
    w1 = e ? ir_write_node(ctx, e, s, bst, 0) : NULL;
    ir_node *w2 = w1 ? ir_write_node(ctx, w1, sl, bst, nbf * bst[nd - 1]) : NULL;
    ir_node_release(ctx, s);
    s = w2;
  }
  /* back: (..., nb * B) narrowed to L, dim moved back */
  int64_t fs[TC_MAX_DIMS], fst[TC_MAX_DIMS], os[TC_MAX_DIMS], ost[TC_MAX_DIMS];
  memcpy(fs, sh, sizeof(int64_t) * (size_t)nd);
  fs[nd - 1] = nb * SCAN_BLOCK;
  ir_contig_strides(nd, fs, fst);
  for (int d = 0, j = 0; d < nd; d++) {
    os[d] = x->shape[d];
    ost[d] = d == dim ? fst[nd - 1] : fst[j++];
  }
  ir_node *out = s ? ir_view(ctx, s, nd, os, ost, 0) : NULL;
  if (padded && out && nd == 1) {
    ir_node_retain(s);
    *padded = s;
  }
  ir_node *t[] = {b, red, redc, tot, run, first, rest, prev, init, wi, vt, z, c, lb, li, sl, e, w1, s};
  for (int i = 0; i < 19; i++) ir_node_release(ctx, t[i]);
  return out;
}

/* a as a node of at least one dim (a 0-d tensor as (1)), and the dim. */
static ir_node *scan_input(tc_tensor *a, int *dim, const char *fn, tc_dtype dt) {
  if (!ir_wrap_dim(a->ctx, fn, dim, a->ndim)) return NULL;
  ir_node *x = ir_tensor_node(a);
  ir_node *c = x ? ir_cast(a->ctx, x, dt) : NULL;
  ir_node_release(a->ctx, x);
  if (c && c->ndim == 0) {
    ir_node *v = ir_view(a->ctx, c, 1, (const int64_t[]){1}, (const int64_t[]){1}, 0);
    ir_node_release(a->ctx, c);
    c = v;
  }
  return c;
}

/* n back in a's shape (a 0-d a: 0-d). */
static tc_tensor *scan_result(tc_tensor *a, ir_node *n) {
  if (n && a->ndim == 0) {
    ir_node *v = ir_view(a->ctx, n, 0, NULL, NULL, 0);
    ir_node_release(a->ctx, n);
    n = v;
  }
  return ir_tensor_from_node(a->ctx, n);
}

tc_tensor *ir_op_scan(tc_tensor *a, int dim, int op, bool has_dtype, tc_dtype dtype, const char *fn) {
  if (!a) return NULL;
  tc_dtype dt = has_dtype ? dtype : a->dt;
  if (!has_dtype && (op == OP_ADD || op == OP_MUL) && !ir_dtype_is_floating(a->dt)) dt = TC_I64;
  if (op == OP_RLSE && !ir_dtype_is_floating(dt))
    return ir_error(a->ctx, TC_ERR_ARG, "%s: \"logcumsumexp_out_cpu\" not implemented for '%s'", fn, ir_torch_word(dt));
  ir_node *x = scan_input(a, &dim, fn, dt);
  ir_node *padded = NULL;
  ir_node *s = !x ? NULL : blocked(x, dim) ? scan_blocked(a->ctx, x, dim, op, &padded) : scan_node(a->ctx, x, dim, op, true, NULL);
  ir_node_release(a->ctx, x);
  if (padded) {
    /* a long 1-D scan (padded to whole blocks): the result is the first L
     * elements of the blocked result's storage (a contiguous view), so
     * the kernel that computes it runs over its blocks: a narrowing view
     * would divide every index by the block size */
    ir_node_release(a->ctx, s);
    tc_tensor *whole = ir_tensor_from_node(a->ctx, padded);
    tc_tensor *r = whole ? ir_tensor_alias(whole, 1, a->shape, (const int64_t[]){1}, 0) : NULL; /* not a view */
    ir_tensor_release(whole);
    return r;
  }
  return scan_result(a, s);
}

tc_status ir_op_cum_extreme(tc_tensor *a, int dim, bool max, tc_tensor **values, tc_tensor **indices) {
  const char *fn = max ? "tc_cummax" : "tc_cummin";
  if (!a) return TC_ERR_ARG;
  tc_ctx *ctx = a->ctx;
  int op = max ? OP_MAX : OP_MIN;
  ir_node *x = scan_input(a, &dim, fn, a->dt);
  ir_node *m = x ? scan_of(ctx, x, dim, op) : NULL;
  /* the index: the last j <= i where the running value was taken (x[j] is
   * the new extreme or ties it, or is NaN): a running max over
   * where(x == m or isnan(x), j, -1) */
  ir_node *eq = m ? ir_ew(ctx, OP_EQ, TC_BOOL, x, m, NULL) : NULL;
  ir_node *take = eq;
  if (eq && ir_dtype_is_floating(a->dt)) {
    ir_node *nan = ir_ew(ctx, OP_ISNAN, TC_BOOL, x, NULL, NULL);
    take = nan ? ir_ew(ctx, OP_OR, TC_BOOL, eq, nan, NULL) : NULL;
    ir_node_release(ctx, nan);
    ir_node_release(ctx, eq);
  }
  ir_node *j = take ? on(ir_node_new(ctx, OP_IOTA, TC_I64, x->ndim, x->shape), x->dev) : NULL;
  if (j) j->p.axis = dim;
  ir_node *none = j ? on(ir_const(ctx, 0, -1, TC_I64, x->ndim, x->shape), x->dev) : NULL;
  ir_node *w = none ? ir_ew(ctx, OP_WHERE, TC_I64, take, j, none) : NULL;
  ir_node *idx = w ? scan_of(ctx, w, dim, OP_MAX) : NULL;
  ir_node_release(ctx, x);
  ir_node_release(ctx, take);
  ir_node_release(ctx, j);
  ir_node_release(ctx, none);
  ir_node_release(ctx, w);
  if (!m || !idx) {
    ir_node_release(ctx, m);
    ir_node_release(ctx, idx);
    return ctx->status ? ctx->status : TC_ERR_OOM;
  }
  tc_tensor *v = scan_result(a, m), *i = scan_result(a, idx);
  if (!v || !i) {
    ir_tensor_release(v);
    ir_tensor_release(i);
    return ctx->status ? ctx->status : TC_ERR_OOM;
  }
  if (values) *values = v;
  else ir_tensor_release(v);
  if (indices) *indices = i;
  else ir_tensor_release(i);
  return TC_OK;
}
