/*
 * inplace.c — writes through views, the SCATTER write at data-dependent
 * positions, and the lazy comparisons isclose and unravel_index.
 *
 * An in-place op builds the value to write (broadcast to the destination
 * view and cast to the storage's dtype) and replaces the storage's version
 * with WRITE(old version, value) carrying the destination's strides and
 * offset. Every handle on that storage reads the new version from then on;
 * a node captured earlier still holds the old one (functional storages).
 * Realizing the write in eager mode is lib/api's, as are the comparisons
 * that read values (tc_equal, tc_allclose).
 *
 * A resize (t.resize_, and out= of a result of another shape) gives one
 * handle a new shape and layout over the same storage, at the same
 * offset; a storage too small for it grows in place: its version becomes
 * WRITE(zeros of the new length, the old elements), so every alias keeps
 * its elements and sees the new ones, as PyTorch's resized StorageImpl.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "builders.h"


/* Whether dst's storage refuses writes (imported read-only), with the error. */
static bool read_only(tc_tensor *dst, const char *fn) {
  if (!dst->st->readonly) return false;
  ir_error(dst->ctx, TC_ERR_ARG,
           "%s: the tensor's memory is read-only (a DLPack tensor its producer marked read-only); "
           "clone() it to write", fn);
  return true;
}

/* Writes `value` (borrowed; shape broadcastable to dst) through dst. */
static tc_status write_through(tc_tensor *dst, ir_node *value, const char *fn) {
  tc_ctx *ctx = dst->ctx;
  if (read_only(dst, fn)) return TC_ERR_ARG;
  /* value must broadcast to dst's shape exactly (PyTorch's two messages) */
  int n = dst->ndim > value->ndim ? dst->ndim : value->ndim;
  bool grows = false;
  for (int i = n - 1; i >= 0; i--) {
    int dd = dst->ndim - n + i, dv = value->ndim - n + i;
    int64_t sa = dd >= 0 ? dst->shape[dd] : 1, sb = dv >= 0 ? value->shape[dv] : 1;
    if (sa != sb && sa != 1 && sb != 1) {
      ir_error(ctx, TC_ERR_ARG,
               "%s: The size of tensor a (%lld) must match the size of tensor b (%lld) at "
               "non-singleton dimension %d", fn, (long long)sa, (long long)sb, i);
      return TC_ERR_ARG;
    }
    if (dd < 0 || (sa == 1 && sb != 1)) grows = true;
  }
  if (grows) {
    char vs[200] = "[", ds[200] = "[";
    for (int i = 0; i < n; i++) {
      int dd = dst->ndim - n + i, dv = value->ndim - n + i;
      int64_t sa = dd >= 0 ? dst->shape[dd] : 1, sb = dv >= 0 ? value->shape[dv] : 1;
      snprintf(vs + strlen(vs), sizeof vs - strlen(vs), i ? ", %lld" : "%lld",
               (long long)(sa == 1 ? sb : sa));
    }
    for (int d = 0; d < dst->ndim; d++)
      snprintf(ds + strlen(ds), sizeof ds - strlen(ds), d ? ", %lld" : "%lld", (long long)dst->shape[d]);
    ir_error(ctx, TC_ERR_ARG, "%s: output with shape %s] doesn't match the broadcast shape %s]", fn, ds, vs);
    return TC_ERR_ARG;
  }
  ir_node *e = ir_expand_to(ctx, value, dst->ndim, dst->shape);
  ir_node *c0 = ir_cast(ctx, e, dst->st->dt);
  /* copy_ across devices is a transfer */
  ir_node *c = c0;
  if (c0 && c0->op != OP_CONST && !ir_same_device(c0->dev, dst->st->version->dev)) {
    c = ir_copy_to(ctx, c0, dst->st->version->dev);
    ir_node_release(ctx, c0);
  }
  ir_node_release(ctx, e);
  if (!c) return ctx->status ? ctx->status : TC_ERR_OOM;
  ir_node *old = dst->st->version;
  ir_node *w = ir_write_node(ctx, old, c, dst->strides, dst->offset);
  ir_node_release(ctx, c);
  if (!w) return TC_ERR_OOM;
  ir_node_release(ctx, old); /* the storage's reference is the WRITE node's now */
  dst->st->version = w;
  return TC_OK;
}

ir_node *ir_write_node(tc_ctx *ctx, ir_node *old, ir_node *value, const int64_t *strides, int64_t offset) {
  ir_node *w = ir_node_new(ctx, OP_WRITE, old->dt, old->ndim, old->shape);
  if (!w) return NULL;
  w->user = old->user;
  w->nin = 2;
  w->dev = old->dev;
  w->in[0] = old;
  w->in[1] = value;
  ir_node_retain(old);
  ir_node_retain(value);
  if (value->ndim) memcpy(w->p.v.strides, strides, sizeof(int64_t) * (size_t)value->ndim);
  w->p.v.offset = offset;
  return w;
}

/* PyTorch refuses to write through a view where several elements share
 * one memory location (an expanded dim). */
bool ir_write_overlaps(tc_tensor *dst, const char *fn) {
  if (read_only(dst, fn)) return true;
  for (int d = 0; d < dst->ndim; d++)
    if (dst->strides[d] == 0 && dst->shape[d] > 1) {
      ir_error(dst->ctx, TC_ERR_ARG,
               "%s: unsupported operation: more than one element of the written-to tensor refers "
               "to a single memory location. Please clone() the tensor before performing the "
               "operation.", fn);
      return true;
    }
  return false;
}

/* PyTorch's get_overlap_status, from the two views' shapes, strides and
 * offsets (no element is looked at): the same handle is FULL; an empty one
 * NO; a view that is not dense and non-overlapping TOO_HARD (PyTorch lets
 * it through); two views of one storage whose byte spans meet are FULL
 * when they are the same view, else PARTIAL. */
ir_overlap ir_overlap_status(const tc_tensor *a, const tc_tensor *b) {
  if (a == b) return IR_OVERLAP_FULL;
  int64_t na = ir_tensor_numel(a), nb = ir_tensor_numel(b);
  if (!na || !nb) return IR_OVERLAP_NO;
  if (!ir_tensor_is_dense(a) || !ir_tensor_is_dense(b)) return IR_OVERLAP_TOO_HARD;
  if (a->st != b->st) return IR_OVERLAP_NO;
  int64_t ia = (int64_t)ir_dtype_size(a->dt), ib = (int64_t)ir_dtype_size(b->dt);
  int64_t a0 = a->offset * ia, a1 = a0 + na * ia, b0 = b->offset * ib, b1 = b0 + nb * ib;
  if (a0 == b0 && a1 == b1) {
    bool same = a->ndim == b->ndim;
    for (int d = 0; same && d < a->ndim; d++) same = a->strides[d] == b->strides[d];
    return same ? IR_OVERLAP_FULL : IR_OVERLAP_PARTIAL;
  }
  return a0 < b1 && b0 < a1 ? IR_OVERLAP_PARTIAL : IR_OVERLAP_NO;
}

static bool overlap_error(tc_tensor *dst, const char *fn) {
  ir_error(dst->ctx, TC_ERR_ARG,
           "%s: unsupported operation: some elements of the input tensor and the written-to tensor refer to a "
           "single memory location. Please clone() the tensor before performing the operation.", fn);
  return false;
}

bool ir_no_partial_overlap(tc_tensor *dst, const tc_tensor *src, const char *fn) {
  return !src || ir_overlap_status(dst, src) != IR_OVERLAP_PARTIAL || overlap_error(dst, fn);
}

bool ir_no_overlap(tc_tensor *dst, const tc_tensor *src, const char *fn) {
  if (!src) return true;
  ir_overlap o = ir_overlap_status(dst, src);
  return (o != IR_OVERLAP_PARTIAL && o != IR_OVERLAP_FULL) || overlap_error(dst, fn);
}

tc_status ir_op_copy_(tc_tensor *dst, tc_tensor *src) {
  if (!dst || !src) return TC_ERR_ARG;
  if (ir_write_overlaps(dst, "tc_copy_")) return TC_ERR_ARG;
  if (!ir_no_partial_overlap(dst, src, "tc_copy_")) return TC_ERR_ARG;
  ir_node *v = ir_tensor_node(src);
  if (!v) return dst->ctx->status;
  tc_status s = write_through(dst, v, "tc_copy_");
  ir_node_release(dst->ctx, v);
  return s;
}

tc_status ir_op_fill_(tc_tensor *dst, double value) {
  if (!dst) return TC_ERR_ARG;
  tc_ctx *ctx = dst->ctx;
  if (!ir_check_scalar(ctx, "tc_fill_", value, dst->dt)) return TC_ERR_ARG;
  ir_node *v = ir_const(ctx, value, (int64_t)value, ir_dtype_is_floating(dst->dt) ? dst->dt : TC_I64, 0, NULL);
  if (!v) return ctx->status;
  if (dst->dt == TC_BOOL) v->p.k.i = value != 0;
  tc_status s = write_through(dst, v, "tc_fill_");
  ir_node_release(ctx, v);
  return s;
}

tc_status ir_op_add_(tc_tensor *dst, tc_tensor *src) {
  if (!dst || !src) return TC_ERR_ARG;
  tc_ctx *ctx = dst->ctx;
  if (ir_write_overlaps(dst, "tc_add_") || !ir_no_partial_overlap(dst, src, "tc_add_")) return TC_ERR_ARG;
  tc_dtype r = ir_promote_types(dst->dt, src->dt);
  if ((ir_dtype_is_floating(r) && !ir_dtype_is_floating(dst->dt)) ||
      (r != TC_BOOL && dst->dt == TC_BOOL)) {
    ir_error(ctx, TC_ERR_ARG, "tc_add_: result type %s can't be cast to the desired output type %s",
             ir_torch_word(r), ir_torch_word(dst->dt));
    return TC_ERR_ARG;
  }
  tc_tensor *sum = ir_op_binary(TC_OP_ADD, dst, src);
  tc_status s = TC_ERR_ARG;
  if (sum) {
    ir_node *v = ir_tensor_node(sum);
    s = v ? write_through(dst, v, "tc_add_") : ctx->status;
    ir_node_release(ctx, v);
  } else {
    s = ctx->status;
  }
  if (s != TC_OK) ir_error_rename(ctx, "tc_add_");
  ir_tensor_release(sum);
  return s;
}

/* The node op over dst's version with inputs 1.. the nodes of ts (each
 * a new reference); the version's reference moves to it. */
static ir_node *data_write(tc_tensor *dst, int op, tc_tensor *const *ts, int nt, const char *fn) {
  tc_ctx *ctx = dst->ctx;
  if (read_only(dst, fn)) return NULL;
  ir_node *old = dst->st->version, *in[3] = {NULL, NULL, NULL};
  bool ok = true;
  for (int i = 0; i < nt; i++) ok = (in[i] = ir_tensor_node(ts[i])) != NULL && ok;
  ir_node *s = ok ? ir_node_new(ctx, op, old->dt, old->ndim, old->shape) : NULL;
  if (!s) {
    for (int i = 0; i < nt; i++) ir_node_release(ctx, in[i]);
    if (!ctx->status) ir_error(ctx, TC_ERR_OOM, "%s: out of memory", fn);
    return NULL;
  }
  s->user = old->user;
  s->nin = nt + 1;
  s->dev = old->dev;
  s->in[0] = old;
  for (int i = 0; i < nt; i++) s->in[i + 1] = in[i];
  dst->st->version = s;
  return s;
}

tc_status ir_op_scatter(tc_tensor *dst, tc_tensor *values, tc_tensor *offsets, int acc,
                        bool unique) {
  ir_node *s = data_write(dst, OP_SCATTER, (tc_tensor *[]){values, offsets}, 2, "tc_scatter");
  if (!s) return dst->ctx->status ? dst->ctx->status : TC_ERR_ARG;
  s->p.sc.acc = acc;
  s->p.sc.unique = unique;
  return TC_OK;
}

tc_status ir_op_compact(tc_tensor *dst, tc_tensor *values, tc_tensor *base, tc_tensor *keep) {
  ir_node *s = data_write(dst, OP_COMPACT, (tc_tensor *[]){values, base, keep}, 3, "tc_compact");
  return s ? TC_OK : dst->ctx->status ? dst->ctx->status : TC_ERR_ARG;
}

/* ---- resize -------------------------------------------------------------- */

/* st's version grown to n elements (n > st->numel): the old elements
 * first, zeros after (PyTorch leaves them uninitialized). */
static tc_status grow_storage(tc_tensor *t, int64_t n) {
  tc_ctx *ctx = t->ctx;
  ir_storage *st = t->st;
  if (st->home || st->readonly) { /* memory that is not ours (NumPy, DLPack) */
    ir_error(ctx, TC_ERR_ARG, "tc_resize_: Trying to resize storage that is not resizable");
    return TC_ERR_ARG;
  }
  ir_node *old = st->version;
  ir_node *base = ir_const(ctx, 0, 0, st->dt, 1, &n);
  if (!base) return ctx->status ? ctx->status : TC_ERR_OOM;
  base->dev = old->dev;
  if (st->numel == 0) { /* nothing to keep */
    base->user = old->user;
    ir_node_release(ctx, old);
    st->version = base;
    st->numel = n;
    return TC_OK;
  }
  int64_t on = st->numel, one = 1;
  ir_node *flat = ir_view(ctx, old, 1, &on, &one, 0); /* old's row-major elements */
  ir_node *w = flat ? ir_write_node(ctx, base, flat, &one, 0) : NULL;
  ir_node_release(ctx, flat);
  ir_node_release(ctx, base);
  if (!w) return ctx->status ? ctx->status : TC_ERR_OOM;
  w->user = old->user;
  ir_node_release(ctx, old); /* the storage's reference; flat holds its own */
  st->version = w;
  st->numel = n;
  return TC_OK;
}

tc_status ir_op_resize_(tc_tensor *t, int ndim, const int64_t *shape, const int64_t *strides) {
  if (!t) return TC_ERR_ARG;
  tc_ctx *ctx = t->ctx;
  int64_t numel;
  if (!ir_check_shape(ctx, "tc_resize_", t->dt, ndim, shape, &numel)) return TC_ERR_ARG;
  bool same = t->ndim == ndim;
  for (int d = 0; same && d < ndim; d++) same = t->shape[d] == shape[d];
  if (same && !strides) return TC_OK; /* PyTorch's resize_ keeps the layout */
  int64_t st[TC_MAX_DIMS];
  if (strides) {
    for (int d = 0; d < ndim; d++) {
      if (strides[d] < 0) {
        ir_error(ctx, TC_ERR_ARG, "tc_resize_: negative strides are not supported (stride %lld at dim %d)",
                 (long long)strides[d], d);
        return TC_ERR_ARG;
      }
      st[d] = strides[d];
    }
  } else {
    ir_contig_strides(ndim, shape, st);
  }
  if (numel) { /* the storage must hold the last element the new view reaches */
    int64_t need = t->offset + 1, span;
    bool over = false;
    for (int d = 0; d < ndim; d++)
      over |= __builtin_mul_overflow(shape[d] - 1, st[d], &span) || __builtin_add_overflow(need, span, &need);
    if (over || __builtin_mul_overflow(need, (int64_t)ir_dtype_size(t->dt), &span)) {
      char s[256];
      ir_error(ctx, TC_ERR_ARG, "tc_resize_: Storage size calculation overflowed with sizes=%s",
               ir_shape_str(s, sizeof s, ndim, shape));
      return TC_ERR_ARG;
    }
    if (need > t->st->numel) {
      tc_status s = grow_storage(t, need);
      if (s != TC_OK) return s;
    }
  }
  t->ndim = ndim;
  if (ndim) {
    memcpy(t->shape, shape, sizeof(int64_t) * (size_t)ndim);
    memcpy(t->strides, st, sizeof(int64_t) * (size_t)ndim);
  }
  return TC_OK;
}

/* ---- lazy comparisons ------------------------------------------------- */

tc_tensor *ir_op_isclose(tc_tensor *a, tc_tensor *b, double rtol, double atol, bool equal_nan) {
  if (!a || !b) return NULL;
  tc_ctx *ctx = a->ctx;
  if (a->dt != b->dt)
    return ir_error(ctx, TC_ERR_ARG, "tc_isclose: %s did not match %s", ir_torch_word(a->dt), ir_torch_word(b->dt));
  if (rtol < 0 || atol < 0)
    return ir_error(ctx, TC_ERR_ARG, "tc_isclose: rtol and atol must be non-negative");
  if (a->dt == TC_BOOL) return ir_op_binary(TC_OP_EQ, a, b);
  ir_temps T = {0};
  tc_dtype cdt = ir_dtype_is_floating(a->dt) ? (a->dt == TC_F64 ? TC_F64 : TC_F32) : TC_F64;
  tc_tensor *x = ir_temp(&T, ir_op_to_dtype(a, cdt)), *y = ir_temp(&T, ir_op_to_dtype(b, cdt));
  tc_tensor *eq = ir_temp(&T, ir_op_binary(TC_OP_EQ, x, y));
  tc_tensor *sub = ir_temp(&T, ir_op_binary(TC_OP_SUB, x, y));
  tc_tensor *diff = ir_temp(&T, ir_op_unary(sub, OP_ABS, "tc_abs"));
  tc_tensor *ay = ir_temp(&T, ir_op_unary(y, OP_ABS, "tc_abs"));
  /* tc_mul_scalar's rule: an integral rtol acts as a Python int */
  tc_tensor *ry = ir_temp(&T, ir_op_binary_scalar(TC_OP_MUL, ay, rtol, rtol != floor(rtol), false));
  tc_tensor *tol = ir_temp(&T, ir_op_binary_scalar(TC_OP_ADD, ry, atol, true, false));
  tc_tensor *fx = ir_temp(&T, ir_op_unary(x, OP_ISFINITE, "tc_isfinite"));
  tc_tensor *fy = ir_temp(&T, ir_op_unary(y, OP_ISFINITE, "tc_isfinite"));
  tc_tensor *fin = ir_temp(&T, ir_op_binary(TC_OP_LOGICAL_AND, fx, fy));
  tc_tensor *le = ir_temp(&T, ir_op_binary(TC_OP_LE, diff, tol));
  tc_tensor *close = ir_temp(&T, ir_op_binary(TC_OP_LOGICAL_AND, fin, le));
  tc_tensor *r = ir_op_binary(TC_OP_LOGICAL_OR, eq, close);
  if (equal_nan) {
    tc_tensor *nx = ir_temp(&T, ir_op_unary(x, OP_ISNAN, "tc_isnan"));
    tc_tensor *ny = ir_temp(&T, ir_op_unary(y, OP_ISNAN, "tc_isnan"));
    tc_tensor *nn = ir_temp(&T, ir_op_binary(TC_OP_LOGICAL_AND, nx, ny));
    r = ir_op_binary(TC_OP_LOGICAL_OR, ir_temp(&T, r), nn);
  }
  ir_temps_release(&T);
  return r;
}

tc_status ir_op_unravel_index(tc_tensor *indices, int ndim, const int64_t *shape, tc_tensor **out) {
  if (!indices || !out) return TC_ERR_ARG;
  tc_ctx *ctx = indices->ctx;
  for (int d = 0; d < ndim; d++) out[d] = NULL;
  if (ir_dtype_is_floating(indices->dt) || indices->dt == TC_BOOL) {
    ir_error(ctx, TC_ERR_ARG, "tc_unravel_index: expected 'indices' to be integer dtype, but got torch.%s",
             ir_dtype_name(indices->dt));
    return TC_ERR_ARG;
  }
  if (ndim < 0 || ndim > TC_MAX_DIMS || (ndim && !shape)) {
    ir_error(ctx, TC_ERR_ARG, "tc_unravel_index: bad shape");
    return TC_ERR_ARG;
  }
  /* PyTorch's checks name the shape as a Python tuple: (2, 0), (0,) */
  char tup[TC_MAX_DIMS * 22 + 4] = "(";
  bool neg = false, zero = false;
  for (int d = 0; d < ndim; d++) {
    size_t n = strlen(tup);
    snprintf(tup + n, sizeof tup - n, "%s%lld", d ? ", " : "", (long long)shape[d]);
    neg |= shape[d] < 0;
    zero |= shape[d] == 0;
  }
  strcat(tup, ndim == 1 ? ",)" : ")");
  if (neg) {
    ir_error(ctx, TC_ERR_ARG, "tc_unravel_index: 'shape' cannot have negative values, but got %s", tup);
    return TC_ERR_ARG;
  }
  if (zero && ir_tensor_numel(indices) > 0) {
    ir_error(ctx, TC_ERR_ARG, "tc_unravel_index: 'shape' cannot have zero dimensions when 'indices' is non-empty, "
             "but got %s", tup);
    return TC_ERR_ARG;
  }
  int64_t stride = 1;
  for (int d = ndim - 1; d >= 0; d--) {
    ir_temps T = {0};
    tc_tensor *i = ir_temp(&T, ir_op_to_dtype(indices, TC_I64));
    tc_tensor *q = stride == 1 ? i
                   : ir_temp(&T, ir_op_binary_scalar(TC_OP_FLOOR_DIVIDE, i, (double)stride, false, false));
    out[d] = ir_op_binary_scalar(TC_OP_REMAINDER, q, (double)shape[d], false, false);
    ir_temps_release(&T);
    stride *= shape[d] ? shape[d] : 1;
  }
  for (int d = 0; d < ndim; d++)
    if (!out[d]) {
      for (int e = 0; e < ndim; e++) {
        ir_tensor_release(out[e]);
        out[e] = NULL;
      }
      return ctx->status ? ctx->status : TC_ERR_OOM;
    }
  return TC_OK;
}
