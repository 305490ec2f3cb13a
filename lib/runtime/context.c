/*
 * context.c — the runtime's part of a context: its thread pool and caching
 * allocator (made and freed with the context; the public tc_ctx_new and
 * tc_ctx_free, options and environment are lib/api's), and buffers, the
 * memory behind realized nodes. A buffer carries its destroy function, so
 * the graph can drop the last reference without calling up here.
 */
#include <stdlib.h>
#include <string.h>
#include "alloc.h"
#include "pool.h"
#include "gpu.h"
#include "runtime.h"
#include "schedule.h"

tc_status rt_ctx_init(tc_ctx *ctx) {
  ctx->pool = rt_pool_new(ctx->nthreads);
  ctx->balloc = rt_alloc_new(&ctx->al);
  if (!ctx->pool || !ctx->balloc) {
    rt_sched_cache_free(ctx);
    rt_walk_free(ctx);
    rt_pool_free(ctx->pool);
    if (ctx->balloc) rt_alloc_free(ctx->balloc);
    ctx->pool = NULL;
    ctx->balloc = NULL;
    return TC_ERR_OOM;
  }
  return TC_OK;
}

void rt_ctx_fini(tc_ctx *ctx) {
  rt_sched_cache_free(ctx);
  rt_walk_free(ctx);
  rt_pool_free(ctx->pool);
  rt_alloc_free(ctx->balloc);
  ctx->pool = NULL;
  ctx->balloc = NULL;
}

uint64_t rt_ctx_bytes_obtained(const tc_ctx *ctx) { return rt_alloc_bytes_obtained(ctx->balloc); }

/* ---- buffers ------------------------------------------------------------ */

/* rt_buffer.destroy: the memory goes back where it came from */
static void buffer_destroy(rt_buffer *b) {
  if (b->dev.type == TC_CUDA) rt_gpu_free(b->dev.index, b->data, b->bytes);
  else if (b->pinned) rt_gpu_host_free(b->data, b->bytes);
  else rt_alloc_put(b->ctx->balloc, b->data);
  ir_free(b->ctx, b);
}

rt_buffer *rt_buffer_new_on(tc_ctx *ctx, tc_device dev, size_t bytes, bool pinned) {
  if (dev.type == TC_CPU && !pinned) return rt_buffer_new(ctx, bytes);
  rt_buffer *b = ir_alloc(ctx, sizeof *b);
  if (!b) return ir_error(ctx, TC_ERR_OOM, "out of memory allocating a buffer");
  memset(b, 0, sizeof *b);
  b->data = dev.type == TC_CUDA ? rt_gpu_alloc(ctx, dev.index, bytes) : rt_gpu_host_alloc(ctx, bytes);
  if (!b->data) {
    ir_free(ctx, b);
    return NULL;
  }
  b->bytes = bytes;
  b->refs = 1;
  b->dev = dev;
  b->pinned = pinned;
  b->ctx = ctx;
  b->destroy = buffer_destroy;
  return b;
}

rt_buffer *rt_buffer_new(tc_ctx *ctx, size_t bytes) {
  rt_buffer *b = ir_alloc(ctx, sizeof *b);
  if (!b) return ir_error(ctx, TC_ERR_OOM, "out of memory allocating a buffer");
  memset(b, 0, sizeof *b);
  int reused = 0;
  b->data = rt_alloc_get(ctx->balloc, bytes, &reused);
  if (!b->data) {
    ir_free(ctx, b);
    return ir_error(ctx, TC_ERR_OOM, "out of memory allocating %zu bytes", bytes);
  }
  if (reused) ctx->stats.buffer_reuses++;
  b->bytes = bytes;
  b->refs = 1;
  b->dev = (tc_device){TC_CPU, 0};
  b->pinned = false;
  b->ctx = ctx;
  b->destroy = buffer_destroy;
  return b;
}

void rt_buffer_release(rt_buffer *b) { ir_buffer_release(b); }

/* rt_buffer.destroy of external memory: given back to its owner */
static void external_destroy(rt_buffer *b) {
  if (b->dev.type == TC_CUDA) rt_gpu_wait(b->dev.index); /* queued work may still use it */
  if (b->release) b->release(b->release_user);
  ir_free(b->ctx, b);
}

rt_buffer *rt_buffer_external(tc_ctx *ctx, tc_device dev, void *data, size_t bytes, void (*release)(void *),
                              void *user) {
  rt_buffer *b = ir_alloc(ctx, sizeof *b);
  if (!b) return ir_error(ctx, TC_ERR_OOM, "out of memory allocating a buffer");
  memset(b, 0, sizeof *b);
  b->data = data;
  b->bytes = bytes;
  b->refs = 1;
  b->dev = dev;
  b->ctx = ctx;
  b->destroy = external_destroy;
  b->release = release;
  b->release_user = user;
  return b;
}
