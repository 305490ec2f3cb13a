/*
 * tensor.c — tensor handles, storages, scopes, accessors and dtypes.
 *
 * A handle is (storage, strided view). Reading a handle builds a VIEW node
 * over the storage's current version, or returns the version itself when the
 * view is the identity; the node is made fresh on each read (views are free:
 * they fold into index expressions).
 */
#include <string.h>
#include "ir.h"

static const char *const dtype_names[TC_NUM_DTYPES] = {
    "bool", "uint8", "int8", "int16", "int32", "int64",
    "float16", "bfloat16", "float32", "float64"};
static const size_t dtype_sizes[TC_NUM_DTYPES] = {1, 1, 1, 2, 4, 8, 2, 2, 4, 8};

const char *ir_dtype_name(tc_dtype dt) {
  return (unsigned)dt < TC_NUM_DTYPES ? dtype_names[dt] : "invalid";
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

const char *tc_dtype_name(tc_dtype dt) { return ir_dtype_name(dt); }
size_t tc_dtype_size(tc_dtype dt) { return ir_dtype_size(dt); }
bool tc_dtype_is_floating(tc_dtype dt) { return ir_dtype_is_floating(dt); }
tc_dtype tc_promote_types(tc_dtype a, tc_dtype b) { return ir_promote_types(a, b); }

/* ---- storages ---------------------------------------------------------- */

static void storage_release(tc_ctx *ctx, ir_storage *st) {
  if (st && --st->refs == 0) {
    ir_node_release(ctx, st->version);
    ir_free(ctx, st);
  }
}

static tc_tensor *register_handle(tc_ctx *ctx, tc_tensor *t) {
  t->prev = NULL;
  t->next = ctx->handles;
  if (ctx->handles) ctx->handles->prev = t;
  ctx->handles = t;
  if (ctx->nscopes > 0) {
    ir_scope *s = &ctx->scopes[ctx->nscopes - 1];
    if (s->n == s->cap) {
      int cap = s->cap ? s->cap * 2 : 32;
      tc_tensor **items = ir_alloc(ctx, sizeof(tc_tensor *) * cap);
      if (!items) {
        tc_tensor_release(t);
        return ir_error(ctx, TC_ERR_OOM, "out of memory recording a scope");
      }
      if (s->items) memcpy(items, s->items, sizeof(tc_tensor *) * s->n);
      ir_free(ctx, s->items);
      s->items = items;
      s->cap = cap;
    }
    s->items[s->n++] = t; /* the handle's one reference is the scope's */
  }
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
  return register_handle(ctx, t);
}

tc_tensor *ir_tensor_view(tc_tensor *src, int ndim, const int64_t *shape,
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
  return register_handle(ctx, t);
}

bool ir_view_is_identity(const tc_tensor *t) {
  ir_node *v = t->st->version;
  if (t->offset != 0 || t->ndim != v->ndim) return false;
  for (int d = 0; d < t->ndim; d++)
    if (t->shape[d] != v->shape[d]) return false;
  return tc_tensor_is_contiguous(t);
}

ir_node *ir_tensor_node(tc_tensor *t) {
  if (!t) return NULL;
  ir_node *v = t->st->version;
  if (ir_view_is_identity(t)) {
    ir_node_retain(v);
    return v;
  }
  return ir_view(t->ctx, v, t->ndim, t->shape, t->strides, t->offset);
}

/* ---- handles ----------------------------------------------------------- */

tc_tensor *tc_tensor_retain(tc_tensor *t) {
  if (t) t->refs++;
  return t;
}

void tc_tensor_release(tc_tensor *t) {
  if (!t || --t->refs > 0) return;
  tc_ctx *ctx = t->ctx;
  if (t->prev) t->prev->next = t->next;
  else ctx->handles = t->next;
  if (t->next) t->next->prev = t->prev;
  storage_release(ctx, t->st);
  ir_free(ctx, t);
}

/* Scopes: a handle created inside a scope is owned by the scope (the
 * caller's reference is the scope's); tc_keep moves it out. */
void tc_scope_begin(tc_ctx *ctx) {
  if (!ctx) return;
  if (ctx->nscopes == ctx->scopes_cap) {
    int cap = ctx->scopes_cap ? ctx->scopes_cap * 2 : 8;
    ir_scope *s = ir_alloc(ctx, sizeof(ir_scope) * cap);
    if (!s) {
      ir_error(ctx, TC_ERR_OOM, "tc_scope_begin: out of memory");
      return;
    }
    if (ctx->scopes) memcpy(s, ctx->scopes, sizeof(ir_scope) * ctx->nscopes);
    ir_free(ctx, ctx->scopes);
    ctx->scopes = s;
    ctx->scopes_cap = cap;
  }
  ctx->scopes[ctx->nscopes++] = (ir_scope){0};
}

tc_tensor *tc_keep(tc_tensor *t) {
  if (!t) return NULL;
  tc_ctx *ctx = t->ctx;
  if (ctx->nscopes == 0) return t;
  ir_scope *s = &ctx->scopes[ctx->nscopes - 1];
  bool found = false;
  for (int i = s->n - 1; i >= 0 && !found; i--)
    if (s->items[i] == t) {
      s->items[i] = NULL;
      found = true;
    }
  if (found && ctx->nscopes >= 2) {
    ir_scope *outer = &ctx->scopes[ctx->nscopes - 2];
    if (outer->n == outer->cap) {
      int cap = outer->cap ? outer->cap * 2 : 32;
      tc_tensor **items = ir_alloc(ctx, sizeof(tc_tensor *) * cap);
      if (!items) return ir_error(ctx, TC_ERR_OOM, "tc_keep: out of memory");
      if (outer->items) memcpy(items, outer->items, sizeof(tc_tensor *) * outer->n);
      ir_free(ctx, outer->items);
      outer->items = items;
      outer->cap = cap;
    }
    outer->items[outer->n++] = t;
  }
  return t;
}

void tc_scope_end(tc_ctx *ctx) {
  if (!ctx || ctx->nscopes == 0) return;
  ir_scope *s = &ctx->scopes[ctx->nscopes - 1];
  for (int i = 0; i < s->n; i++) tc_tensor_release(s->items[i]);
  ir_free(ctx, s->items);
  ctx->nscopes--;
}

/* ---- accessors --------------------------------------------------------- */

tc_ctx *tc_tensor_ctx(const tc_tensor *t) { return t ? t->ctx : NULL; }
tc_dtype tc_tensor_dtype(const tc_tensor *t) { return t ? t->dt : TC_F32; }
tc_device tc_tensor_device(const tc_tensor *t) {
  return t ? t->st->version->dev : (tc_device){TC_CPU, 0};
}
int tc_tensor_ndim(const tc_tensor *t) { return t ? t->ndim : 0; }
int64_t tc_tensor_size(const tc_tensor *t, int d) {
  if (!t) return -1;
  if (d < 0) d += t->ndim;
  if (d < 0 || d >= t->ndim) return -1;
  return t->shape[d];
}
int tc_tensor_shape(const tc_tensor *t, int64_t *shape) {
  if (!t) return 0;
  if (shape) memcpy(shape, t->shape, sizeof(int64_t) * t->ndim);
  return t->ndim;
}
int tc_tensor_strides(const tc_tensor *t, int64_t *strides) {
  if (!t) return 0;
  if (strides) memcpy(strides, t->strides, sizeof(int64_t) * t->ndim);
  return t->ndim;
}
int64_t tc_tensor_numel(const tc_tensor *t) {
  return t ? ir_numel(t->ndim, t->shape) : 0;
}
int64_t tc_tensor_storage_offset(const tc_tensor *t) { return t ? t->offset : 0; }

/* PyTorch's rule: sizes of 1 (and empty tensors) impose no stride. */
bool tc_tensor_is_contiguous(const tc_tensor *t) {
  if (!t) return false;
  if (tc_tensor_numel(t) == 0) return true;
  int64_t expect = 1;
  for (int d = t->ndim - 1; d >= 0; d--) {
    if (t->shape[d] == 1) continue;
    if (t->strides[d] != expect) return false;
    expect *= t->shape[d];
  }
  return true;
}
