/*
 * tensor.c — dtypes, storages and tensor handles.
 *
 * A handle is (storage, strided view). Reading a handle builds a VIEW node
 * over the storage's current version, or returns the version itself when the
 * view is the identity; the node is made fresh on each read (views are free:
 * they fold into index expressions). Handles are reference counted and kept
 * on the context's list of live handles; scopes, and the public accessors,
 * are lib/api's (scope.c, tensor.c there).
 */
#include <assert.h>
#include <string.h>
#include "ir.h"

static const char *const dtype_names[TC_NUM_DTYPES] = {
    "bool", "uint8", "int8", "int16", "int32", "int64",
    "float16", "bfloat16", "float32", "float64"};
static const size_t dtype_sizes[TC_NUM_DTYPES] = {1, 1, 1, 2, 4, 8, 2, 2, 4, 8};

const char *ir_dtype_name(tc_dtype dt) {
  return (unsigned)dt < TC_NUM_DTYPES ? dtype_names[dt] : "invalid";
}
int64_t ir_dtype_int_min(tc_dtype dt) {
  switch (dt) {
  case TC_BOOL: case TC_U8: return 0;
  case TC_I8: return INT8_MIN;
  case TC_I16: return INT16_MIN;
  case TC_I32: return INT32_MIN;
  default: return INT64_MIN;
  }
}

int64_t ir_dtype_int_max(tc_dtype dt) {
  switch (dt) {
  case TC_BOOL: return 1;
  case TC_U8: return UINT8_MAX;
  case TC_I8: return INT8_MAX;
  case TC_I16: return INT16_MAX;
  case TC_I32: return INT32_MAX;
  default: return INT64_MAX;
  }
}

size_t ir_dtype_size(tc_dtype dt) {
  return (unsigned)dt < TC_NUM_DTYPES ? dtype_sizes[dt] : 0;
}
bool ir_dtype_is_floating(tc_dtype dt) { return dt >= TC_F16 && dt <= TC_F64; }

tc_dtype ir_promote_types(tc_dtype a, tc_dtype b) {
  if (a == b) return a;
  bool fa = ir_dtype_is_floating(a), fb = ir_dtype_is_floating(b);
  if (fa && fb) {
    if ((a == TC_F16 && b == TC_BF16) || (a == TC_BF16 && b == TC_F16)) return TC_F32;
    return a > b ? a : b;
  }
  if (fa) return a;
  if (fb) return b;
  if (a == TC_BOOL) return b;
  if (b == TC_BOOL) return a;
  /* uint8 with a signed type: the smallest signed type holding both */
  if (a == TC_U8 || b == TC_U8) {
    tc_dtype o = a == TC_U8 ? b : a;
    return o == TC_I8 ? TC_I16 : o;
  }
  return a > b ? a : b;
}

/* ---- storages ---------------------------------------------------------- */

static void storage_release(tc_ctx *ctx, ir_storage *st) {
  if (st && --st->refs == 0) {
    ir_node_release(ctx, st->version);
    ir_buffer_release(st->home);
    ir_free(ctx, st);
  }
}

/* Puts t on the context's list of live handles (tc_ctx_free frees what is
 * left there). */
static tc_tensor *link_handle(tc_ctx *ctx, tc_tensor *t) {
  t->prev = NULL;
  ctx->live_handles++;
  t->next = ctx->handles;
  if (ctx->handles) ctx->handles->prev = t;
  ctx->handles = t;
  return t;
}

tc_tensor *ir_tensor_from_node(tc_ctx *ctx, ir_node *node) {
  if (!node) return NULL;
  ir_storage *st = ir_alloc(ctx, sizeof *st);
  tc_tensor *t = ir_alloc(ctx, sizeof *t);
  if (!st || !t) {
    ir_free(ctx, st);
    ir_free(ctx, t);
    ir_node_release(ctx, node);
    return ir_error(ctx, TC_ERR_OOM, "out of memory allocating a tensor");
  }
  st->refs = 1;
  st->home = NULL;
  st->readonly = false;
  st->version = node;
  st->numel = ir_numel(node->ndim, node->shape);
  st->dt = node->dt;
  memset(t, 0, sizeof *t);
  t->ctx = ctx;
  t->refs = 1;
  t->st = st;
  t->dt = node->dt;
  t->ndim = node->ndim;
  memcpy(t->shape, node->shape, sizeof(int64_t) * node->ndim);
  ir_contig_strides(node->ndim, node->shape, t->strides);
  t->offset = 0;
  return link_handle(ctx, t);
}

/* ---- result layouts (PyTorch's) ------------------------------------------ */

/* Whether t's elements tile one dense block exactly (PyTorch's
 * is_non_overlapping_and_dense: some permutation of it is contiguous). */
bool ir_tensor_is_dense(const tc_tensor *t) {
  if (ir_tensor_is_contiguous(t)) return true;
  int d[TC_MAX_DIMS], m = 0;
  for (int i = 0; i < t->ndim; i++) /* PyTorch leaves dims of size 0 and 1 out */
    if (t->shape[i] >= 2) d[m++] = i;
  for (int i = 1; i < m; i++) /* by stride, smallest first (then by size, as PyTorch) */
    for (int j = i; j > 0; j--) {
      int64_t a = t->strides[d[j]], b = t->strides[d[j - 1]];
      if (a > b || (a == b && t->shape[d[j]] >= t->shape[d[j - 1]])) break;
      int x = d[j];
      d[j] = d[j - 1], d[j - 1] = x;
    }
  int64_t expect = 1;
  for (int i = 0; i < m; i++) {
    if (t->strides[d[i]] != expect) return false;
    expect *= t->shape[d[i]];
  }
  return true;
}

/* TensorIterator's order of the result's dims, fastest first
 * (reorder_dimensions): insertion sort of the dims where, for each pair,
 * the first operand whose strides there differ (neither broadcast) decides,
 * and equal strides put the smaller dim first. */
static void result_order(int ndim, const int64_t *shape, int n, const int64_t (*st)[TC_MAX_DIMS],
                         int *perm) {
  for (int i = 0; i < ndim; i++) perm[i] = ndim - 1 - i;
  if (ndim == 1) return;
  for (int i = 1; i < ndim; i++) {
    int d1 = i;
    for (int d0 = i - 1; d0 >= 0; d0--) {
      int cmp = 0;
      for (int k = 0; k < n && !cmp; k++) {
        int64_t s0 = st[k][perm[d0]], s1 = st[k][perm[d1]];
        if (s0 == 0 || s1 == 0) continue;
        if (s0 < s1) cmp = -1;
        else if (s0 > s1) cmp = 1;
        else if (shape[perm[d0]] > shape[perm[d1]]) cmp = 1;
      }
      if (cmp > 0) {
        int x = perm[d0];
        perm[d0] = perm[d1], perm[d1] = x;
        d1 = d0;
      } else if (cmp < 0) {
        break;
      }
    }
  }
}

void ir_result_strides(int ndim, const int64_t *shape, tc_tensor *const *ins, int n, ir_layout how,
                       int64_t *strides) {
  ir_contig_strides(ndim, shape, strides);
  if (ndim == 0) return;
  bool same = how != IR_LAYOUT_ITER_SCALAR && n > 0, contig = true;
  for (int k = 0; k < n && same; k++) {
    same = ins[k]->ndim == ndim && !memcmp(ins[k]->shape, shape, sizeof(int64_t) * (size_t)ndim);
    contig &= same && ir_tensor_is_contiguous(ins[k]);
  }
  if (same) { /* TensorIterator's fast set-up, and empty_like's dense case */
    if (contig && how != IR_LAYOUT_LIKE) return;
    bool alike = ir_tensor_is_dense(ins[0]);
    for (int k = 1; k < n && alike; k++)
      alike = ir_tensor_is_dense(ins[k]) && !memcmp(ins[k]->strides, ins[0]->strides, sizeof(int64_t) * (size_t)ndim);
    if (alike) {
      memcpy(strides, ins[0]->strides, sizeof(int64_t) * (size_t)ndim);
      return;
    }
  }
  int64_t st[8][TC_MAX_DIMS];
  int m = 0;
  for (int k = 0; k < n && m < 8; k++) {
    const tc_tensor *t = ins[k];
    if (t->ndim > ndim) continue;
    for (int d = 0; d < ndim; d++) {
      int id = d - (ndim - t->ndim);
      st[m][d] = id < 0 || (t->shape[id] == 1 && shape[d] != 1) ? 0 : t->strides[id];
    }
    m++;
  }
  int perm[TC_MAX_DIMS];
  result_order(ndim, shape, m, (const int64_t(*)[TC_MAX_DIMS])st, perm);
  bool natural = true;
  for (int i = 0; i < ndim; i++) natural &= perm[i] == ndim - 1 - i;
  if (natural) return;
  int64_t s = 1;
  for (int i = 0; i < ndim; i++) strides[perm[i]] = s, s *= shape[perm[i]];
}

/* ---- memory formats ------------------------------------------------------ */

/* fmt's dims from fastest to slowest (PyTorch's channels-last orders) */
static int format_order(tc_memory_format fmt, int ndim, int *order) {
  static const int cl[] = {1, 3, 2, 0}, cl3[] = {1, 4, 3, 2, 0};
  if (fmt == TC_CHANNELS_LAST && ndim == 4) return memcpy(order, cl, sizeof cl), 4;
  if (fmt == TC_CHANNELS_LAST_3D && ndim == 5) return memcpy(order, cl3, sizeof cl3), 5;
  for (int i = 0; i < ndim; i++) order[i] = ndim - 1 - i;
  return fmt == TC_CONTIGUOUS_FORMAT || fmt == TC_PRESERVE_FORMAT ? ndim : -1;
}

bool ir_format_strides(tc_ctx *ctx, const char *fn, tc_memory_format fmt, int ndim, const int64_t *shape,
                       int64_t *strides) {
  int order[TC_MAX_DIMS];
  if ((unsigned)fmt > TC_CHANNELS_LAST_3D || fmt == TC_PRESERVE_FORMAT)
    return ir_error(ctx, TC_ERR_ARG, "%s: unsupported memory format %s", fn,
                    fmt == TC_PRESERVE_FORMAT ? "Preserve" : "(invalid)"), false;
  if (format_order(fmt, ndim, order) < 0)
    return ir_error(ctx, TC_ERR_ARG, "%s: required rank %d tensor to use %s format", fn,
                    fmt == TC_CHANNELS_LAST ? 4 : 5, fmt == TC_CHANNELS_LAST ? "channels_last" : "channels_last_3d"),
           false;
  if (fmt == TC_CONTIGUOUS_FORMAT) { /* size-0 dims as 1 (PyTorch's contiguous strides) */
    ir_contig_strides(ndim, shape, strides);
    return true;
  }
  int64_t s = 1; /* get_channels_last_strides: plain products, 0 included */
  for (int i = 0; i < ndim; i++) strides[order[i]] = s, s *= shape[order[i]];
  return true;
}

bool ir_tensor_is_format(const tc_tensor *t, tc_memory_format fmt) {
  int order[TC_MAX_DIMS];
  if (fmt == TC_CONTIGUOUS_FORMAT || fmt == TC_PRESERVE_FORMAT) return ir_tensor_is_contiguous(t);
  if (format_order(fmt, t->ndim, order) < 0) return false;
  int64_t expect = 1; /* compute_channels_last_contiguous: no empty-tensor case */
  for (int i = 0; i < t->ndim; i++) {
    int d = order[i];
    if (t->shape[d] == 1) continue;
    if (t->strides[d] != expect) return false;
    expect *= t->shape[d];
  }
  return true;
}

tc_tensor *ir_tensor_from_node_strided(tc_ctx *ctx, ir_node *node, const int64_t *strides) {
  if (!node) return NULL;
  int nd = node->ndim;
  int64_t shape[TC_MAX_DIMS], contig[TC_MAX_DIMS];
  memcpy(shape, node->shape, sizeof(int64_t) * (size_t)nd);
  ir_contig_strides(nd, shape, contig);
  bool same = true;
  for (int d = 0; d < nd; d++) same &= shape[d] == 1 || strides[d] == contig[d];
  ir_node *v = node;
  if (!same) {
    /* the storage: node's elements in the order of the strides (largest
     * first; size-1 dims left out), a view that the kernel storing it
     * computes in that order */
    int d[TC_MAX_DIMS], m = 0;
    for (int i = 0; i < nd; i++)
      if (shape[i] != 1) d[m++] = i;
    for (int i = 1; i < m; i++)
      for (int j = i; j > 0 && strides[d[j]] > strides[d[j - 1]]; j--) {
        int x = d[j];
        d[j] = d[j - 1], d[j - 1] = x;
      }
    int64_t vshape[TC_MAX_DIMS], vstr[TC_MAX_DIMS];
    for (int i = 0; i < m; i++) vshape[i] = shape[d[i]], vstr[i] = contig[d[i]];
    v = ir_view(ctx, node, m, vshape, vstr, 0);
    ir_node_release(ctx, node);
  }
  tc_tensor *t = ir_tensor_from_node(ctx, v);
  if (!t) return NULL;
  t->ndim = nd;
  if (nd) {
    memcpy(t->shape, shape, sizeof(int64_t) * (size_t)nd);
    memcpy(t->strides, strides, sizeof(int64_t) * (size_t)nd);
  }
  return t;
}

tc_tensor *ir_tensor_view(tc_tensor *src, int ndim, const int64_t *shape,
                          const int64_t *strides, int64_t offset) {
  tc_tensor *t = ir_tensor_alias(src, ndim, shape, strides, offset);
  if (t) {
    t->base = src->base ? src->base : src;
    t->base->refs++;
  }
  return t;
}

void ir_tensor_drop_base(tc_tensor *t) {
  if (!t || !t->base) return;
  tc_tensor *b = t->base;
  t->base = NULL;
  ir_tensor_release(b);
}

tc_tensor *ir_tensor_alias(tc_tensor *src, int ndim, const int64_t *shape,
                           const int64_t *strides, int64_t offset) {
  tc_ctx *ctx = src->ctx;
  tc_tensor *t = ir_alloc(ctx, sizeof *t);
  if (!t) return ir_error(ctx, TC_ERR_OOM, "out of memory allocating a tensor");
  memset(t, 0, sizeof *t);
  t->ctx = ctx;
  t->refs = 1;
  t->st = src->st;
  t->st->refs++;
  t->dt = src->dt;
  t->ndim = ndim;
  if (ndim) {
    memcpy(t->shape, shape, sizeof(int64_t) * ndim);
    memcpy(t->strides, strides, sizeof(int64_t) * ndim);
  }
  t->offset = offset;
  return link_handle(ctx, t);
}

tc_tensor *ir_tensor_from_buffer(tc_ctx *ctx, rt_buffer *buf, tc_dtype dt, int ndim,
                                 const int64_t *shape) {
  ir_node *n = ir_node_new(ctx, OP_BUFFER, dt, ndim, shape);
  if (!n) {
    ir_buffer_release(buf);
    return NULL;
  }
  n->buf = buf;
  n->dev = buf->dev;
  return ir_tensor_from_node(ctx, n);
}

bool ir_view_is_identity(const tc_tensor *t) {
  ir_node *v = t->st->version;
  if (t->offset != 0 || t->ndim != v->ndim) return false;
  for (int d = 0; d < t->ndim; d++)
    if (t->shape[d] != v->shape[d]) return false;
  return ir_tensor_is_contiguous(t);
}

ir_node *ir_tensor_node(tc_tensor *t) {
  if (!t) return NULL;
  ir_node *v = t->st->version;
  if (t->st->home) t->ctx->read_shared = true;
  if (ir_view_is_identity(t)) {
    ir_node_retain(v);
    return v;
  }
  return ir_view(t->ctx, v, t->ndim, t->shape, t->strides, t->offset);
}

void ir_tensor_release(tc_tensor *t) {
  if (!t || --t->refs > 0) return;
  assert(t->scope == 0); /* a scope's reference is released by the scope */
  tc_ctx *ctx = t->ctx;
  if (t->prev) t->prev->next = t->next;
  else ctx->handles = t->next;
  if (t->next) t->next->prev = t->prev;
  ctx->live_handles--;
  storage_release(ctx, t->st);
  tc_tensor *b = t->base;
  ir_free(ctx, t);
  ir_tensor_release(b); /* a root: no deeper recursion */
}

int64_t ir_tensor_numel(const tc_tensor *t) { return ir_numel(t->ndim, t->shape); }

bool ir_tensor_is_contiguous(const tc_tensor *t) {
  if (ir_tensor_numel(t) == 0) return true;
  int64_t expect = 1;
  for (int d = t->ndim - 1; d >= 0; d--) {
    if (t->shape[d] == 1) continue;
    if (t->strides[d] != expect) return false;
    expect *= t->shape[d];
  }
  return true;
}

tc_device ir_tensor_device(const tc_tensor *t) { return t->st->version->dev; }

/* ---- temporaries of composite ops -------------------------------------- */

tc_tensor *ir_temp(ir_temps *s, tc_tensor *t) {
  if (!t) return NULL;
  if (s->n == IR_MAX_TEMPS) { /* a composite op's own bug: fail safely */
    tc_ctx *ctx = t->ctx;
    ir_tensor_release(t);
    return ir_error(ctx, TC_ERR_RUNTIME, "internal: too many temporaries");
  }
  s->t[s->n++] = t;
  return t;
}

void ir_temps_release(ir_temps *s) {
  for (int i = s->n - 1; i >= 0; i--) ir_tensor_release(s->t[i]);
  s->n = 0;
}
