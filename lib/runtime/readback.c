/*
 * readback.c — a realized tensor's elements into host memory.
 *
 * rt_read_host copies the strided view a handle has of its storage's
 * buffer, row-major, into the caller's memory. A buffer on a GPU is first
 * copied to the host whole, which waits for the work queued on its stream
 * (gpu.h), so the values read are those of every kernel issued before.
 */
#include <string.h>
#include "gpu.h"
#include "runtime.h"

tc_status rt_read_host(const tc_tensor *t, void *dst) {
  size_t es = ir_dtype_size(t->dt);
  rt_buffer *b = t->st->version->buf;
  const char *base = (const char *)b->data;
  char *host = NULL;
  if (b->dev.type == TC_CUDA) {
    host = ir_alloc(t->ctx, b->bytes ? b->bytes : 1);
    if (!host) return ir_error(t->ctx, TC_ERR_OOM, "out of memory"), TC_ERR_OOM;
    tc_status st = rt_gpu_copy(t->ctx, host, (tc_device){TC_CPU, 0}, b->data, b->dev, b->bytes, false);
    if (st != TC_OK) {
      ir_free(t->ctx, host);
      return st;
    }
    base = host;
  }
  int64_t n = ir_tensor_numel(t);
  if (ir_tensor_is_contiguous(t)) {
    memcpy(dst, base + t->offset * es, (size_t)n * es);
    if (host) ir_free(t->ctx, host);
    return TC_OK;
  }
  int64_t idx[TC_MAX_DIMS] = {0};
  char *out = dst;
  for (int64_t i = 0; i < n; i++) {
    int64_t off = t->offset;
    for (int d = 0; d < t->ndim; d++) off += idx[d] * t->strides[d];
    memcpy(out + i * es, base + off * es, es);
    for (int d = t->ndim - 1; d >= 0; d--) {
      if (++idx[d] < t->shape[d]) break;
      idx[d] = 0;
    }
  }
  if (host) ir_free(t->ctx, host);
  return TC_OK;
}
