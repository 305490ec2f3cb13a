/*
 * inplace.c — writes through views, and whole-tensor comparisons.
 *
 * An in-place op builds the value to write (broadcast to the destination
 * view and cast to the storage's dtype) and replaces the storage's version
 * with WRITE(old version, value) carrying the destination's strides and
 * offset. Every handle on that storage reads the new version from then on;
 * a node captured earlier still holds the old one (functional storages).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "ir.h"


/* Writes `value` (borrowed; shape broadcastable to dst) through dst. */
static tc_status write_through(tc_tensor *dst, ir_node *value, const char *fn) {
  tc_ctx *ctx = dst->ctx;
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
  ir_node *w = ir_node_new(ctx, OP_WRITE, old->dt, old->ndim, old->shape);
  if (!w) {
    ir_node_release(ctx, c);
    return TC_ERR_OOM;
  }
  w->nin = 2;
  w->dev = old->dev;
  w->in[0] = old; /* the storage's reference moves to the WRITE node */
  w->in[1] = c;
  if (dst->ndim) memcpy(w->p.v.strides, dst->strides, sizeof(int64_t) * dst->ndim);
  w->p.v.offset = dst->offset;
  dst->st->version = w;
  if (ctx->eager) {
    ir_node *v = w;
    return rt_realize_nodes(ctx, &v, 1);
  }
  return TC_OK;
}

/* PyTorch refuses to write through a view where several elements share
 * one memory location (an expanded dim). */
static bool overlapping(tc_tensor *dst, const char *fn) {
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

tc_status tc_copy_(tc_tensor *dst, tc_tensor *src) {
  if (!dst || !src) return TC_ERR_ARG;
  if (src->ctx != dst->ctx) {
    ir_error(dst->ctx, TC_ERR_ARG, "tc_copy_: tensors belong to different contexts");
    return TC_ERR_ARG;
  }
  if (overlapping(dst, "tc_copy_")) return TC_ERR_ARG;
  ir_node *v = ir_tensor_node(src);
  if (!v) return dst->ctx->status;
  tc_status s = write_through(dst, v, "tc_copy_");
  ir_node_release(dst->ctx, v);
  return s;
}

tc_status tc_fill_(tc_tensor *dst, double value) {
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

tc_status tc_add_(tc_tensor *dst, tc_tensor *src) {
  if (!dst || !src) return TC_ERR_ARG;
  tc_ctx *ctx = dst->ctx;
  if (src->ctx != ctx) {
    ir_error(ctx, TC_ERR_ARG, "tc_add_: tensors belong to different contexts");
    return TC_ERR_ARG;
  }
  if (overlapping(dst, "tc_add_")) return TC_ERR_ARG;
  tc_dtype r = ir_promote_types(dst->dt, src->dt);
  if ((ir_dtype_is_floating(r) && !ir_dtype_is_floating(dst->dt)) ||
      (r != TC_BOOL && dst->dt == TC_BOOL)) {
    ir_error(ctx, TC_ERR_ARG, "tc_add_: result type %s can't be cast to the desired output type %s",
             ir_torch_word(r), ir_torch_word(dst->dt));
    return TC_ERR_ARG;
  }
  tc_scope_begin(ctx);
  tc_tensor *sum = tc_add(dst, src);
  tc_status s = TC_ERR_ARG;
  if (sum) {
    ir_node *v = ir_tensor_node(sum);
    s = v ? write_through(dst, v, "tc_add_") : ctx->status;
    ir_node_release(ctx, v);
  } else {
    s = ctx->status;
  }
  if (s != TC_OK) ir_error_rename(ctx, "tc_add_");
  tc_scope_end(ctx);
  return s;
}

/* ---- whole-tensor comparisons ------------------------------------------ */

bool tc_equal(tc_tensor *a, tc_tensor *b) {
  if (!a || !b) return false;
  if (a->ndim != b->ndim) return false;
  for (int d = 0; d < a->ndim; d++)
    if (a->shape[d] != b->shape[d]) return false;
  tc_ctx *ctx = a->ctx;
  tc_scope_begin(ctx);
  tc_tensor *all = tc_all(tc_eq(a, b), NULL, 0, false);
  double v = all ? tc_item(all) : 0;
  tc_scope_end(ctx);
  return v == 1;
}

tc_tensor *tc_isclose(tc_tensor *a, tc_tensor *b, double rtol, double atol, bool equal_nan) {
  if (!a || !b) return NULL;
  tc_ctx *ctx = a->ctx;
  if (a->dt != b->dt)
    return ir_error(ctx, TC_ERR_ARG, "tc_isclose: %s did not match %s", ir_torch_word(a->dt), ir_torch_word(b->dt));
  if (rtol < 0 || atol < 0)
    return ir_error(ctx, TC_ERR_ARG, "tc_isclose: rtol and atol must be non-negative");
  tc_scope_begin(ctx);
  tc_tensor *r;
  if (a->dt == TC_BOOL) {
    r = tc_eq(a, b);
  } else {
    tc_dtype cdt = ir_dtype_is_floating(a->dt) ? (a->dt == TC_F64 ? TC_F64 : TC_F32) : TC_F64;
    tc_tensor *x = tc_to_dtype(a, cdt), *y = tc_to_dtype(b, cdt);
    tc_tensor *eq = tc_eq(x, y);
    tc_tensor *diff = tc_abs(tc_sub(x, y));
    tc_tensor *tol = tc_binary_scalar(TC_OP_ADD, tc_mul_scalar(tc_abs(y), rtol), atol, true, false);
    tc_tensor *fin = tc_logical_and(tc_isfinite(x), tc_isfinite(y));
    r = tc_logical_or(eq, tc_logical_and(fin, tc_le(diff, tol)));
    if (equal_nan) r = tc_logical_or(r, tc_logical_and(tc_isnan(x), tc_isnan(y)));
  }
  tc_keep(r);
  tc_scope_end(ctx);
  return r;
}

bool tc_allclose(tc_tensor *a, tc_tensor *b, double rtol, double atol, bool equal_nan) {
  if (!a || !b) return false;
  tc_ctx *ctx = a->ctx;
  tc_scope_begin(ctx);
  tc_tensor *all = tc_all(tc_isclose(a, b, rtol, atol, equal_nan), NULL, 0, false);
  double v = all ? tc_item(all) : 0;
  tc_scope_end(ctx);
  return v == 1;
}

tc_status tc_unravel_index(tc_tensor *indices, int ndim, const int64_t *shape, tc_tensor **out) {
  if (!indices || !out) return TC_ERR_ARG;
  tc_ctx *ctx = indices->ctx;
  for (int d = 0; d < ndim; d++) out[d] = NULL;
  if (ir_dtype_is_floating(indices->dt) || indices->dt == TC_BOOL) {
    ir_error(ctx, TC_ERR_ARG, "tc_unravel_index: expected 'indices' to be integer dtype, but got %s",
             ir_torch_word(indices->dt));
    return TC_ERR_ARG;
  }
  if (ndim < 0 || ndim > TC_MAX_DIMS || (ndim && !shape)) {
    ir_error(ctx, TC_ERR_ARG, "tc_unravel_index: bad shape");
    return TC_ERR_ARG;
  }
  for (int d = 0; d < ndim; d++)
    if (shape[d] < 0) {
      ir_error(ctx, TC_ERR_ARG, "tc_unravel_index: 'shape' cannot have negative values, but got (%lld)",
               (long long)shape[d]);
      return TC_ERR_ARG;
    }
  int64_t stride = 1;
  for (int d = ndim - 1; d >= 0; d--) {
    tc_scope_begin(ctx);
    tc_tensor *i = tc_to_dtype(indices, TC_I64);
    tc_tensor *q = stride == 1 ? i : tc_binary_scalar(TC_OP_FLOOR_DIVIDE, i, (double)stride, false, false);
    tc_tensor *r = tc_binary_scalar(TC_OP_REMAINDER, q, (double)shape[d], false, false);
    tc_keep(r);
    tc_scope_end(ctx);
    out[d] = r;
    stride *= shape[d] ? shape[d] : 1;
  }
  for (int d = 0; d < ndim; d++)
    if (!out[d]) {
      for (int e = 0; e < ndim; e++) {
        if (ctx->nscopes == 0) tc_tensor_release(out[e]);
        out[e] = NULL;
      }
      return ctx->status ? ctx->status : TC_ERR_OOM;
    }
  return TC_OK;
}
