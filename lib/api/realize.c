/*
 * realize.c — the public realization and read-back calls: tc_realize and
 * tc_realize_many (one schedule for several tensors: runtime/realize.c),
 * copies to host memory (runtime/readback.c waits for a device's queued
 * work), item, data_ptr and PyTorch's printing (runtime/format.c).
 */
#include <string.h>
#include "api.h"
#include "runtime/format.h"
#include "runtime/gpu.h"

tc_status tc_realize_many(tc_tensor *const *ts, int n) {
  if (!ts || n <= 0) return TC_ERR_ARG;
  tc_ctx *ctx = NULL;
  for (int i = 0; i < n; i++) {
    if (!ts[i]) return TC_ERR_ARG;
    if (!ctx) ctx = ts[i]->ctx;
  }
  if (!api_same_ctx("tc_realize_many", ts, n)) return TC_ERR_ARG;
  ir_node *small[64];
  ir_node **v = n <= 64 ? small : ir_alloc(ctx, sizeof(ir_node *) * n);
  if (!v) return ir_error(ctx, TC_ERR_OOM, "tc_realize_many: out of memory"), TC_ERR_OOM;
  for (int i = 0; i < n; i++) v[i] = ts[i]->st->version;
  tc_status st = rt_realize_nodes(ctx, v, n);
  if (v != small) ir_free(ctx, v);
  return st;
}

tc_status tc_realize(tc_tensor *t) {
  if (!t) return TC_ERR_ARG;
  return tc_realize_many(&t, 1);
}

tc_status tc_copy_to_host(tc_tensor *t, void *dst, size_t nbytes) {
  if (!t) return TC_ERR_ARG;
  tc_ctx *ctx = t->ctx;
  size_t need = (size_t)ir_tensor_numel(t) * ir_dtype_size(t->dt);
  if (!dst && need) return ir_error(ctx, TC_ERR_ARG, "tc_copy_to_host: dst is NULL"), TC_ERR_ARG;
  if (nbytes < need)
    return ir_error(ctx, TC_ERR_ARG, "tc_copy_to_host: %zu bytes given, %zu needed", nbytes, need),
           TC_ERR_ARG;
  tc_status st = tc_realize(t);
  if (st != TC_OK) return st;
  return need ? rt_read_host(t, dst) : TC_OK;
}

const void *tc_data_ptr(tc_tensor *t) {
  if (!t || tc_realize(t) != TC_OK) return NULL;
  if (t->st->version->dev.type == TC_CUDA)
    return ir_error(t->ctx, TC_ERR_ARG, "tc_data_ptr: the tensor is on cuda:%d; copy it to the CPU first",
                    t->st->version->dev.index);
  return (const char *)t->st->version->buf->data + t->offset * (int64_t)ir_dtype_size(t->dt);
}

static bool item_raw(tc_tensor *t, const char *fn, unsigned char *raw) {
  if (!t) return false;
  int64_t n = ir_tensor_numel(t);
  if (n != 1) {
    ir_error(t->ctx, TC_ERR_ARG, "%s: a Tensor with %lld elements cannot be converted to Scalar", fn,
             (long long)n);
    return false;
  }
  return tc_copy_to_host(t, raw, 8) == TC_OK;
}

double tc_item(tc_tensor *t) {
  unsigned char raw[8];
  if (!item_raw(t, "tc_item", raw)) return __builtin_nan("");
  switch (t->dt) {
  case TC_BOOL: return raw[0] != 0;
  case TC_U8: return raw[0];
  case TC_I8: return (int8_t)raw[0];
  case TC_I16: { int16_t v; memcpy(&v, raw, 2); return v; }
  case TC_I32: { int32_t v; memcpy(&v, raw, 4); return v; }
  case TC_I64: { int64_t v; memcpy(&v, raw, 8); return (double)v; }
  case TC_F16: { uint16_t v; memcpy(&v, raw, 2); return kc_f16_to_f32(v); }
  case TC_BF16: { uint16_t v; memcpy(&v, raw, 2); return kc_bf16_to_f32(v); }
  case TC_F32: { float v; memcpy(&v, raw, 4); return v; }
  case TC_F64: { double v; memcpy(&v, raw, 8); return v; }
  default: return 0;
  }
}

int64_t tc_item_int(tc_tensor *t) {
  unsigned char raw[8];
  if (!t) return 0;
  if (ir_dtype_is_floating(t->dt)) {
    double d = tc_item(t);
    return d != d ? 0 : (int64_t)d;
  }
  if (!item_raw(t, "tc_item_int", raw)) return 0;
  switch (t->dt) {
  case TC_BOOL: return raw[0] != 0;
  case TC_U8: return raw[0];
  case TC_I8: return (int8_t)raw[0];
  case TC_I16: { int16_t v; memcpy(&v, raw, 2); return v; }
  case TC_I32: { int32_t v; memcpy(&v, raw, 4); return v; }
  default: { int64_t v; memcpy(&v, raw, 8); return v; }
  }
}

char *tc_format(tc_tensor *t) {
  if (!t) return NULL;
  size_t bytes = (size_t)ir_tensor_numel(t) * ir_dtype_size(t->dt);
  void *data = ir_alloc(t->ctx, bytes ? bytes : 1);
  if (!data) return ir_error(t->ctx, TC_ERR_OOM, "tc_format: out of memory");
  if (tc_copy_to_host(t, data, bytes) != TC_OK) {
    ir_free(t->ctx, data);
    return NULL;
  }
  char dev[16];
  tc_device d = t->st->version->dev;
  char *s = rt_format(data, t->dt, t->ndim, t->shape,
                      d.type == TC_CUDA ? ir_device_str(d, dev) : NULL);
  ir_free(t->ctx, data);
  if (!s) ir_error(t->ctx, TC_ERR_OOM, "tc_format: out of memory");
  return s;
}

/* ---- memory shared with the host (tc_share_host) ----------------------- */

/* Copies b's bytes into c (same size, same device; a device copy is
 * queued on the device's stream). */
static tc_status copy_bytes(tc_ctx *ctx, rt_buffer *c, const rt_buffer *b) {
  if (!b->bytes) return TC_OK;
  if (b->dev.type == TC_CUDA) return rt_gpu_copy(ctx, c->data, c->dev, b->data, b->dev, b->bytes, false);
  memcpy(c->data, b->data, b->bytes);
  return TC_OK;
}

/* A buffer on b's device holding a copy of b's bytes; NULL with the error
 * set. */
static rt_buffer *copy_of(tc_ctx *ctx, const rt_buffer *b) {
  rt_buffer *c = rt_buffer_new_on(ctx, b->dev, b->bytes, false);
  if (c && copy_bytes(ctx, c, b) != TC_OK) {
    rt_buffer_release(c);
    return NULL;
  }
  return c;
}

void *tc_share_host(tc_tensor *t) {
  if (!t) return NULL;
  tc_device d = ir_tensor_device(t);
  if (d.type != TC_CPU)
    return ir_error(t->ctx, TC_ERR_ARG, "tc_share_host: the tensor is on cuda:%d; copy it to the CPU first",
                    d.index);
  return api_share(t);
}

void *tc_share(tc_tensor *t) { return api_share(t); }

void *api_share(tc_tensor *t) {
  if (!t || tc_realize(t) != TC_OK) return NULL;
  tc_ctx *ctx = t->ctx;
  ir_storage *st = t->st;
  ir_node *v = st->version;
  if (!st->home) {
    if (v->refs == 1 && v->buf->refs == 1 && !v->buf->pinned) {
      st->home = v->buf; /* the storage adopts its buffer */
    } else {
      /* lazy work still reads this value, or the buffer is not the
         storage's alone: the storage moves to a copy, so writes through
         the pointer reach no one else */
      rt_buffer *c = copy_of(ctx, v->buf);
      ir_node *n = c ? ir_node_new(ctx, OP_BUFFER, v->dt, v->ndim, v->shape) : NULL;
      if (!n) {
        if (c) rt_buffer_release(c);
        return NULL;
      }
      n->buf = c;
      n->dev = c->dev;
      n->user = v->user;
      st->version = n;
      ir_node_release(ctx, v);
      st->home = c;
    }
    st->home->refs++;
    st->home->shared = true;
  }
  return (char *)st->home->data + t->offset * (int64_t)ir_dtype_size(t->dt);
}

bool tc_is_shared(const tc_tensor *t) { return t && t->st->home; }

/* After a write to a shared storage was recorded: realize it, and make sure
 * it landed in the host's memory. The WRITE writes in place when nothing
 * else reads the old value; when something does, that reader keeps a
 * private copy of the old value first, so the write still lands in place
 * (when the write itself reads other elements of the old value, it goes
 * into a copy, which is copied back). */
/* Undoes the writes on st that a realization failed to run (an index out
 * of bounds that a deferred check found before any of them ran): the
 * storage's version goes back to its last realized one. */
void api_undo_writes(tc_ctx *ctx, ir_storage *st) {
  ir_node *v = st->version;
  while (v->op != OP_BUFFER && ir_op_kind[v->op] == K_WRITE) v = v->in[0];
  if (v == st->version || v->op != OP_BUFFER) return;
  ir_node_retain(v);
  ir_node_release(ctx, st->version);
  st->version = v;
}

tc_status api_shared_write(tc_tensor *dst) {
  tc_ctx *ctx = dst->ctx;
  ir_storage *st = dst->st;
  rt_buffer *home = st->home;
  ir_node *w = st->version;
  if (ir_op_kind[w->op] == K_WRITE && w->nin > 0) {
    ir_node *old = w->in[0];
    if (old->op == OP_BUFFER && old->buf == home && old->refs > 1) {
      rt_buffer *c = copy_of(ctx, home);
      ir_node *n = c ? ir_node_new(ctx, OP_BUFFER, old->dt, old->ndim, old->shape) : NULL;
      if (!n) {
        if (c) rt_buffer_release(c);
        return ctx->status ? ctx->status : TC_ERR_OOM;
      }
      n->buf = home; /* the write's input: the storage's memory */
      n->dev = home->dev;
      home->refs++;
      old->buf = c; /* the other readers': the copy */
      rt_buffer_release(home);
      w->in[0] = n;
      ir_node_release(ctx, old);
    }
  }
  ir_node *v = st->version;
  tc_status s = rt_realize_nodes(ctx, &v, 1);
  if (s != TC_OK) {
    api_undo_writes(ctx, st);
    return s;
  }
  v = st->version;
  if (v->op == OP_BUFFER && v->buf != home) {
    s = copy_bytes(ctx, home, v->buf);
    if (s != TC_OK) return s;
    rt_buffer_release(v->buf);
    v->buf = home;
    home->refs++;
  }
  ctx->read_shared = false;
  return TC_OK;
}
