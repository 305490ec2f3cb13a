/*
 * movement.c — movement ops as views: reshape/view, permute, transpose,
 * expand, squeeze/unsqueeze, flatten, narrow, slice, select. Each makes a new
 * handle on the same storage with new (shape, strides, offset); nothing is
 * recorded in the graph until the handle is read. `view` uses PyTorch's
 * stride computation and fails where PyTorch fails; `reshape` copies then.
 * Also clone/contiguous (a new storage), and `to` (a lazy COPY node to
 * another device, so a chain of ops after it runs there; its non_blocking
 * flag rides on the node).
 */
#include <stdio.h>
#include <string.h>
#include "builders.h"

bool ir_wrap_dim(tc_ctx *ctx, const char *fn, int *d, int ndim) {
  int lo = ndim > 0 ? -ndim : -1, hi = ndim > 0 ? ndim - 1 : 0;
  if (*d < lo || *d > hi) {
    ir_error(ctx, TC_ERR_ARG,
             "%s: Dimension out of range (expected to be in range of [%d, %d], but got %d)",
             fn, lo, hi, *d);
    return false;
  }
  if (*d < 0) *d += ndim > 0 ? ndim : 1;
  return true;
}

static void fmt_shape(char *buf, size_t cap, int ndim, const int64_t *shape) {
  size_t n = 0;
  n += snprintf(buf + n, cap - n, "[");
  for (int d = 0; d < ndim && n < cap; d++)
    n += snprintf(buf + n, cap - n, d ? ", %lld" : "%lld", (long long)shape[d]);
  if (n < cap) snprintf(buf + n, cap - n, "]");
}

/* Resolves a -1 entry and checks the element count. */
static bool infer_shape(tc_ctx *ctx, const char *fn, int64_t numel, int ndim,
                        const int64_t *in, int64_t *out) {
  int infer = -1;
  int64_t prod = 1;
  if (ndim < 0 || ndim > TC_MAX_DIMS) {
    ir_error(ctx, TC_ERR_ARG, "%s: a shape has at most %d dims (got %d)", fn, TC_MAX_DIMS, ndim);
    return false;
  }
  for (int d = 0; d < ndim; d++) {
    if (in[d] == -1) {
      if (infer >= 0) {
        ir_error(ctx, TC_ERR_ARG, "%s: only one dimension can be inferred", fn);
        return false;
      }
      infer = d;
    } else if (in[d] < 0) {
      ir_error(ctx, TC_ERR_ARG, "%s: invalid shape dimension %lld", fn, (long long)in[d]);
      return false;
    } else {
      if (in[d] && prod > INT64_MAX / in[d]) {
        ir_error(ctx, TC_ERR_ARG, "%s: shape is too large", fn);
        return false;
      }
      prod *= in[d];
    }
    out[d] = in[d];
  }
  if (infer >= 0 && prod != 0 && numel % prod == 0) out[infer] = numel / prod;
  if ((infer >= 0 && (prod == 0 || numel % prod != 0)) || (infer < 0 && prod != numel)) {
    char s[256];
    fmt_shape(s, sizeof s, ndim, in);
    ir_error(ctx, TC_ERR_ARG, "%s: shape '%s' is invalid for input of size %lld", fn, s,
             (long long)numel);
    return false;
  }
  return true;
}

/* PyTorch's computeStride: strides for viewing (oshape, ostride) as nshape,
 * or false when the layout cannot express it. */
static bool compute_strides(int on, const int64_t *oshape, const int64_t *ostride, int nn,
                            const int64_t *nshape, int64_t *nstride) {
  if (on == 0) {
    for (int d = 0; d < nn; d++) nstride[d] = 1;
    return true;
  }
  if (ir_numel(on, oshape) == 0) { /* PyTorch's: the same shape keeps its strides */
    if (on == nn && !memcmp(oshape, nshape, sizeof(int64_t) * (size_t)nn)) memcpy(nstride, ostride, sizeof(int64_t) * (size_t)nn);
    else ir_contig_strides(nn, nshape, nstride);
    return true;
  }
  int vd = nn - 1;
  int64_t chunk = ostride[on - 1], tnumel = 1, vnumel = 1;
  for (int td = on - 1; td >= 0; td--) {
    tnumel *= oshape[td];
    if (td == 0 || (oshape[td - 1] != 1 && ostride[td - 1] != tnumel * chunk)) {
      while (vd >= 0 && (vnumel < tnumel || nshape[vd] == 1)) {
        nstride[vd] = vnumel * chunk;
        vnumel *= nshape[vd];
        vd--;
      }
      if (vnumel != tnumel) return false;
      if (td > 0) {
        chunk = ostride[td - 1];
        tnumel = 1;
        vnumel = 1;
      }
    }
  }
  return vd == -1;
}

tc_tensor *ir_op_view(tc_tensor *a, int ndim, const int64_t *shape) {
  if (!a) return NULL;
  int64_t ns[TC_MAX_DIMS], st[TC_MAX_DIMS];
  if (ndim && !shape) return ir_error(a->ctx, TC_ERR_ARG, "tc_view: shape is NULL");
  if (!infer_shape(a->ctx, "tc_view", ir_tensor_numel(a), ndim, shape, ns)) return NULL;
  if (!compute_strides(a->ndim, a->shape, a->strides, ndim, ns, st))
    return ir_error(a->ctx, TC_ERR_ARG,
                    "tc_view: view size is not compatible with input tensor's size and stride "
                    "(at least one dimension spans across two contiguous subspaces). Use "
                    ".reshape(...) instead.");
  return ir_tensor_view(a, ndim, ns, st, a->offset);
}

tc_tensor *ir_op_reshape(tc_tensor *a, int ndim, const int64_t *shape) {
  if (!a) return NULL;
  int64_t ns[TC_MAX_DIMS], st[TC_MAX_DIMS];
  if (ndim && !shape) return ir_error(a->ctx, TC_ERR_ARG, "tc_reshape: shape is NULL");
  if (!infer_shape(a->ctx, "tc_reshape", ir_tensor_numel(a), ndim, shape, ns)) return NULL;
  if (compute_strides(a->ndim, a->shape, a->strides, ndim, ns, st))
    return ir_tensor_view(a, ndim, ns, st, a->offset);
  tc_tensor *c = ir_op_clone(a);
  if (!c) return NULL;
  ir_contig_strides(ndim, ns, st);
  tc_tensor *r = ir_tensor_alias(c, ndim, ns, st, 0); /* a new tensor, as PyTorch's reshape copy */
  ir_tensor_release(c);
  return r;
}

tc_tensor *ir_op_permute(tc_tensor *a, const int *perm) {
  if (!a) return NULL;
  int64_t ns[TC_MAX_DIMS], st[TC_MAX_DIMS];
  bool seen[TC_MAX_DIMS] = {0};
  if (a->ndim && !perm) return ir_error(a->ctx, TC_ERR_ARG, "tc_permute: perm is NULL");
  for (int i = 0; i < a->ndim; i++) {
    int d = perm[i];
    if (!ir_wrap_dim(a->ctx, "tc_permute", &d, a->ndim)) return NULL;
    if (seen[d]) return ir_error(a->ctx, TC_ERR_ARG, "tc_permute: permute(): duplicate dims are not allowed.");
    seen[d] = true;
    ns[i] = a->shape[d];
    st[i] = a->strides[d];
  }
  return ir_tensor_view(a, a->ndim, ns, st, a->offset);
}

tc_tensor *ir_op_transpose(tc_tensor *a, int d0, int d1) {
  if (!a) return NULL;
  if (!ir_wrap_dim(a->ctx, "tc_transpose", &d0, a->ndim) ||
      !ir_wrap_dim(a->ctx, "tc_transpose", &d1, a->ndim))
    return NULL;
  int perm[TC_MAX_DIMS];
  for (int i = 0; i < a->ndim; i++) perm[i] = i;
  if (a->ndim) {
    perm[d0] = d1;
    perm[d1] = d0;
  }
  return ir_op_permute(a, perm);
}

tc_tensor *ir_op_t(tc_tensor *a) {
  if (!a) return NULL;
  if (a->ndim > 2)
    return ir_error(a->ctx, TC_ERR_ARG, "tc_t: t() expects a tensor with <= 2 dimensions, but self is %dD", a->ndim);
  return a->ndim == 2 ? ir_op_transpose(a, 0, 1) : ir_tensor_view(a, a->ndim, a->shape, a->strides, a->offset);
}

tc_tensor *ir_op_expand(tc_tensor *a, int ndim, const int64_t *shape) {
  if (!a) return NULL;
  tc_ctx *ctx = a->ctx;
  if (ndim < a->ndim || ndim > TC_MAX_DIMS || (ndim && !shape))
    return ir_error(ctx, TC_ERR_ARG,
                    "tc_expand: the number of sizes provided (%d) must be greater or equal to "
                    "the number of dimensions in the tensor (%d)", ndim, a->ndim);
  int64_t ns[TC_MAX_DIMS], st[TC_MAX_DIMS];
  int off = ndim - a->ndim;
  for (int d = ndim - 1; d >= 0; d--) { /* right to left: a new dim's stride is the next's extent */
    int sd = d - off;
    int64_t want = shape[d];
    if (sd < 0) {
      if (want < 0)
        return ir_error(ctx, TC_ERR_ARG,
                        "tc_expand: The expanded size of the tensor (%lld) isn't allowed in a "
                        "leading, non-existing dimension %d", (long long)want, d);
      ns[d] = want;
      /* PyTorch's strides: a new dim of size 1 steps over the dims after it */
      st[d] = want == 1 && d + 1 < ndim ? ns[d + 1] * st[d + 1] : 0;
    } else if (want == -1 || want == a->shape[sd]) {
      ns[d] = a->shape[sd];
      st[d] = a->strides[sd];
    } else if (a->shape[sd] == 1 && want >= 0) {
      ns[d] = want;
      st[d] = 0;
    } else {
      char ts[256], cs[256];
      fmt_shape(ts, sizeof ts, ndim, shape);
      fmt_shape(cs, sizeof cs, a->ndim, a->shape);
      return ir_error(ctx, TC_ERR_ARG,
                      "tc_expand: The expanded size of the tensor (%lld) must match the "
                      "existing size (%lld) at non-singleton dimension %d.  Target sizes: %s.  "
                      "Tensor sizes: %s", (long long)want, (long long)a->shape[sd], d, ts, cs);
    }
  }
  uint64_t bytes = ir_dtype_size(a->dt);
  for (int d = 0; d < ndim; d++)
    if (ns[d] && __builtin_mul_overflow(bytes, (uint64_t)ns[d], &bytes)) {
      char s[256];
      return ir_error(ctx, TC_ERR_ARG, "tc_expand: Storage size calculation overflowed with sizes=%s",
                      ir_shape_str(s, sizeof s, ndim, ns));
    }
  return ir_tensor_view(a, ndim, ns, st, a->offset);
}

tc_tensor *ir_op_squeeze(tc_tensor *a, int dim) {
  if (!a) return NULL;
  if (!ir_wrap_dim(a->ctx, "tc_squeeze", &dim, a->ndim)) return NULL;
  if (a->ndim == 0 || a->shape[dim] != 1)
    return ir_tensor_view(a, a->ndim, a->shape, a->strides, a->offset);
  int64_t ns[TC_MAX_DIMS], st[TC_MAX_DIMS];
  int n = 0;
  for (int d = 0; d < a->ndim; d++)
    if (d != dim) {
      ns[n] = a->shape[d];
      st[n++] = a->strides[d];
    }
  return ir_tensor_view(a, n, ns, st, a->offset);
}

tc_tensor *ir_op_squeeze_all(tc_tensor *a) {
  if (!a) return NULL;
  int64_t ns[TC_MAX_DIMS], st[TC_MAX_DIMS];
  int n = 0;
  for (int d = 0; d < a->ndim; d++)
    if (a->shape[d] != 1) {
      ns[n] = a->shape[d];
      st[n++] = a->strides[d];
    }
  return ir_tensor_view(a, n, ns, st, a->offset);
}

tc_tensor *ir_op_unsqueeze(tc_tensor *a, int dim) {
  if (!a) return NULL;
  if (a->ndim >= TC_MAX_DIMS)
    return ir_error(a->ctx, TC_ERR_ARG, "tc_unsqueeze: tensors have at most %d dims", TC_MAX_DIMS);
  if (!ir_wrap_dim(a->ctx, "tc_unsqueeze", &dim, a->ndim + 1)) return NULL;
  int64_t ns[TC_MAX_DIMS], st[TC_MAX_DIMS];
  int n = 0;
  for (int d = 0; d <= a->ndim; d++) {
    if (d == dim) {
      ns[n] = 1;
      st[n++] = d < a->ndim ? a->strides[d] * a->shape[d] : 1;
    }
    if (d < a->ndim) {
      ns[n] = a->shape[d];
      st[n++] = a->strides[d];
    }
  }
  return ir_tensor_view(a, n, ns, st, a->offset);
}

tc_tensor *ir_op_flatten(tc_tensor *a, int start, int end) {
  if (!a) return NULL;
  if (a->ndim == 0) {
    int64_t one = 1;
    return ir_op_reshape(a, 1, &one);
  }
  if (!ir_wrap_dim(a->ctx, "tc_flatten", &start, a->ndim) ||
      !ir_wrap_dim(a->ctx, "tc_flatten", &end, a->ndim))
    return NULL;
  if (start > end)
    return ir_error(a->ctx, TC_ERR_ARG, "tc_flatten: flatten() has invalid args: start_dim cannot come after end_dim");
  int64_t ns[TC_MAX_DIMS];
  int n = 0;
  for (int d = 0; d < a->ndim; d++) {
    if (d <= start || d > end) ns[n++] = a->shape[d];
    else ns[n - 1] *= a->shape[d];
  }
  return ir_op_reshape(a, n, ns);
}

tc_tensor *ir_op_slice(tc_tensor *a, int dim, int64_t start, int64_t stop, int64_t step) {
  if (!a) return NULL;
  if (a->ndim == 0)
    return ir_error(a->ctx, TC_ERR_ARG, "tc_slice: slice() cannot be applied to a 0-dim tensor.");
  if (!ir_wrap_dim(a->ctx, "tc_slice", &dim, a->ndim)) return NULL;
  if (step <= 0) return ir_error(a->ctx, TC_ERR_ARG, "tc_slice: slice step must be positive");
  int64_t n = a->shape[dim];
  if (start < 0) start += n;
  if (stop != TC_SLICE_END && stop < 0) stop += n;
  if (start < 0) start = 0;
  if (start > n) start = n;
  if (stop == TC_SLICE_END || stop > n) stop = n;
  if (stop < start) stop = start;
  int64_t ns[TC_MAX_DIMS], st[TC_MAX_DIMS];
  memcpy(ns, a->shape, sizeof ns);
  memcpy(st, a->strides, sizeof st);
  ns[dim] = stop > start ? 1 + (stop - start - 1) / step : 0;
  /* PyTorch's stride, even where size <= 1 (where it cannot matter, an
   * overflowing one keeps the old) */
  if (__builtin_mul_overflow(a->strides[dim], step, &st[dim])) {
    if (ns[dim] > 1) return ir_error(a->ctx, TC_ERR_ARG, "tc_slice: the slice's stride overflows");
    st[dim] = a->strides[dim];
  }
  return ir_tensor_view(a, a->ndim, ns, st, a->offset + start * a->strides[dim]);
}

tc_tensor *ir_op_narrow(tc_tensor *a, int dim, int64_t start, int64_t length) {
  if (!a) return NULL;
  if (a->ndim == 0)
    return ir_error(a->ctx, TC_ERR_ARG, "tc_narrow: narrow() cannot be applied to a 0-dim tensor.");
  if (!ir_wrap_dim(a->ctx, "tc_narrow", &dim, a->ndim)) return NULL;
  int64_t n = a->shape[dim];
  if (start < -n || start > n)
    return ir_error(a->ctx, TC_ERR_ARG, "tc_narrow: start out of range (expected to be in range of [%lld, %lld], but got %lld)",
                    (long long)-n, (long long)n, (long long)start);
  if (start < 0) start += n;
  if (length < 0) return ir_error(a->ctx, TC_ERR_ARG, "tc_narrow: narrow(): length must be non-negative.");
  if (length > n - start)
    return ir_error(a->ctx, TC_ERR_ARG, "tc_narrow: start (%lld) + length (%lld) exceeds dimension size (%lld).",
                    (long long)start, (long long)length, (long long)n);
  return ir_op_slice(a, dim, start, start + length, 1);
}

tc_tensor *ir_op_select(tc_tensor *a, int dim, int64_t index) {
  if (!a) return NULL;
  if (a->ndim == 0)
    return ir_error(a->ctx, TC_ERR_ARG, "tc_select: invalid index of a 0-dim tensor. Use `tensor.item()` in Python or `tensor.item<T>()` in C++ to convert a 0-dim tensor to a number");
  if (!ir_wrap_dim(a->ctx, "tc_select", &dim, a->ndim)) return NULL;
  int64_t n = a->shape[dim];
  if (index < -n || index >= n)
    return ir_error(a->ctx, TC_ERR_ARG, "tc_select: index %lld is out of bounds for dimension %d with size %lld",
                    (long long)index, dim, (long long)n);
  if (index < 0) index += n;
  int64_t ns[TC_MAX_DIMS], st[TC_MAX_DIMS];
  int k = 0;
  for (int d = 0; d < a->ndim; d++)
    if (d != dim) {
      ns[k] = a->shape[d];
      st[k++] = a->strides[d];
    }
  return ir_tensor_view(a, k, ns, st, a->offset + index * a->strides[dim]);
}

tc_tensor *ir_op_unfold(tc_tensor *a, int dim, int64_t size, int64_t step) {
  if (!a) return NULL;
  tc_ctx *ctx = a->ctx;
  if (!ir_wrap_dim(ctx, "tc_unfold", &dim, a->ndim ? a->ndim : 1)) return NULL;
  int64_t n = a->ndim ? a->shape[dim] : 1, stride = a->ndim ? a->strides[dim] : 1;
  if (size < 0 || size > n)
    return ir_error(ctx, TC_ERR_ARG, "tc_unfold: maximum size for tensor at dimension %d is %lld but size is %lld",
                    dim, (long long)n, (long long)size);
  if (step <= 0) return ir_error(ctx, TC_ERR_ARG, "tc_unfold: step is %lld but must be > 0", (long long)step);
  if (a->ndim == TC_MAX_DIMS)
    return ir_error(ctx, TC_ERR_ARG, "tc_unfold: a tensor has at most %d dimensions", TC_MAX_DIMS);
  int64_t ns[TC_MAX_DIMS], st[TC_MAX_DIMS];
  if (a->ndim == 0) /* PyTorch: a 0-d tensor unfolds to (size,) */
    return ir_tensor_view(a, 1, (const int64_t[]){size}, (const int64_t[]){1}, a->offset);
  memcpy(ns, a->shape, sizeof(int64_t) * (size_t)a->ndim);
  memcpy(st, a->strides, sizeof(int64_t) * (size_t)a->ndim);
  ns[dim] = (n - size) / step + 1; /* the windows along dim, each of `size` along a new last dim */
  st[dim] = stride * step;
  ns[a->ndim] = size;
  st[a->ndim] = stride;
  return ir_tensor_view(a, a->ndim + 1, ns, st, a->offset);
}

tc_tensor *ir_op_as_strided(tc_tensor *a, int ndim, const int64_t *shape, const int64_t *strides,
                            int64_t offset) {
  if (!a) return NULL;
  tc_ctx *ctx = a->ctx;
  if (ndim < 0 || ndim > TC_MAX_DIMS || (ndim && (!shape || !strides)))
    return ir_error(ctx, TC_ERR_ARG, "tc_as_strided: %d dimensions (at most %d, with a shape and strides)", ndim,
                    TC_MAX_DIMS);
  if (offset < 0) offset = a->offset; /* PyTorch's storage_offset=None: the tensor's own */
  char sz[256] = "[", sd[256] = "[";
  int64_t last = offset;
  bool empty = false;
  for (int d = 0; d < ndim; d++) {
    snprintf(sz + strlen(sz), sizeof sz - strlen(sz), "%s%lld", d ? ", " : "", (long long)shape[d]);
    snprintf(sd + strlen(sd), sizeof sd - strlen(sd), "%s%lld", d ? ", " : "", (long long)strides[d]);
    if (shape[d] < 0)
      return ir_error(ctx, TC_ERR_ARG, "tc_as_strided: Trying to create tensor with negative dimension %lld",
                      (long long)shape[d]);
    empty |= shape[d] == 0;
  }
  strcat(sz, "]"), strcat(sd, "]");
  for (int d = 0; d < ndim; d++)
    if (strides[d] < 0)
      return ir_error(ctx, TC_ERR_ARG, "tc_as_strided: as_strided: Negative strides are not supported at the moment, got strides: %s", sd);
  for (int d = 0; d < ndim && !empty; d++) last += (shape[d] - 1) * strides[d];
  int64_t need = empty ? 0 : last + 1, have = a->st->numel;
  int64_t es = (int64_t)ir_dtype_size(a->dt);
  if (!empty && need > have)
    return ir_error(ctx, TC_ERR_ARG, "tc_as_strided: setStorage: sizes %s, strides %s, storage offset %lld, and itemsize %lld requiring a storage size of %lld are out of bounds for storage of size %lld",
                    sz, sd, (long long)offset, (long long)es, (long long)(need * es), (long long)(have * es));
  return ir_tensor_view(a, ndim, shape, strides, offset);
}

tc_tensor *ir_op_clone(tc_tensor *a) {
  if (!a) return NULL;
  ir_node *n = ir_tensor_node(a);
  if (!n) return NULL;
  /* A fresh storage whose version is a copy: an identity view would alias
   * the source's version node, so wrap it in a VIEW (a copy kernel). */
  if (n == a->st->version) {
    int64_t st[TC_MAX_DIMS];
    ir_contig_strides(n->ndim, n->shape, st);
    ir_node *v = ir_view(a->ctx, n, n->ndim, n->shape, st, 0);
    ir_node_release(a->ctx, n);
    n = v;
  }
  return ir_tensor_from_node(a->ctx, n);
}

tc_tensor *ir_op_clone_strided(tc_tensor *a, const int64_t *st) {
  if (!a) return NULL;
  bool contig = true;
  int64_t c[TC_MAX_DIMS];
  ir_contig_strides(a->ndim, a->shape, c);
  for (int d = 0; d < a->ndim; d++) contig &= a->shape[d] == 1 || st[d] == c[d];
  contig |= ir_tensor_numel(a) == 0; /* nothing to lay out: the strides as given */
  tc_tensor *t = ir_op_clone(a);
  if (!t || contig) {
    if (t && a->ndim) memcpy(t->strides, st, sizeof(int64_t) * (size_t)a->ndim); /* size-1 dims' */
    return t;
  }
  /* the copy's node, stored in the strides' memory order */
  ir_node *n = t->st->version;
  ir_node_retain(n);
  ir_tensor_release(t);
  return ir_tensor_from_node_strided(a->ctx, n, st);
}

tc_tensor *ir_op_clone_preserve(tc_tensor *a) {
  if (!a) return NULL;
  int64_t st[TC_MAX_DIMS];
  ir_result_strides(a->ndim, a->shape, &a, 1, IR_LAYOUT_LIKE, st);
  return ir_op_clone_strided(a, st);
}

tc_tensor *ir_op_contiguous(tc_tensor *a) {
  if (!a) return NULL;
  if (ir_tensor_is_contiguous(a)) /* PyTorch returns self */
    return ir_tensor_alias(a, a->ndim, a->shape, a->strides, a->offset);
  return ir_op_clone(a);
}

tc_tensor *ir_op_to(tc_tensor *a, tc_device dev, bool non_blocking) {
  if (!a) return NULL;
  tc_ctx *ctx = a->ctx;
  if (ir_same_device(ir_tensor_device(a), dev)) /* PyTorch returns self */
    return ir_tensor_alias(a, a->ndim, a->shape, a->strides, a->offset);
  ir_node *n = ir_tensor_node(a);
  ir_node *c = ir_copy_to(ctx, n, dev);
  ir_node_release(ctx, n);
  if (!c) return NULL;
  /* realize.c queues the copy without waiting when the source is pinned */
  if (c->op == OP_COPY) c->p.xfer.non_blocking = non_blocking;
  return ir_tensor_from_node(ctx, c);
}
