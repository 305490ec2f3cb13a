/*
 * device.c — the public device API: CUDA availability and properties,
 * moving tensors between devices (tc_to checks the device here; the lazy
 * COPY node is lib/ir's ir_op_to), pinned memory, synchronization
 * (tc_synchronize waits for every device's stream; runtime/gpu.c has the
 * execution model), the default device for creation functions and device
 * strings.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "api.h"
#include "runtime/gpu.h"

bool tc_cuda_is_available(void) { return rt_gpu_available(NULL, 0); }
int tc_cuda_device_count(void) { return rt_gpu_count(); }

tc_status tc_cuda_memory_stats(tc_ctx *ctx, int index, size_t *allocated, size_t *reserved) {
  size_t a = 0, r = 0;
  tc_status st = rt_gpu_memory(ctx, index, &a, &r);
  if (st != TC_OK) return st;
  if (allocated) *allocated = a;
  if (reserved) *reserved = r;
  return TC_OK;
}

void tc_cuda_empty_cache(void) { rt_gpu_empty_cache(); }

tc_status tc_cuda_device_props(int index, tc_device_props *out) {
  if (!out) return TC_ERR_ARG;
  memset(out, 0, sizeof *out);
  return rt_gpu_props(index, out->name, sizeof out->name, &out->major, &out->minor,
                      &out->multiprocessors, &out->total_memory);
}

bool api_check_device(tc_ctx *ctx, const char *fn, tc_device dev) {
  if (dev.type == TC_CPU) return true;
  if (dev.type != TC_CUDA) {
    ir_error(ctx, TC_ERR_ARG, "%s: unknown device type %d", fn, (int)dev.type);
    return false;
  }
  char why[256];
  if (!rt_gpu_available(why, sizeof why)) {
    ir_error(ctx, TC_ERR_UNSUPPORTED, "%s: %s", fn, why);
    return false;
  }
  if (dev.index < 0 || dev.index >= rt_gpu_count()) {
    ir_error(ctx, TC_ERR_ARG, "%s: CUDA error: invalid device ordinal (cuda:%d; %d device%s)", fn,
             dev.index, rt_gpu_count(), rt_gpu_count() == 1 ? "" : "s");
    return false;
  }
  return true;
}

tc_tensor *tc_to(tc_tensor *a, tc_device dev, bool non_blocking) {
  if (!a) return NULL;
  if (!api_check_device(a->ctx, "tc_to", dev)) return NULL;
  return api_eager(ir_op_to(a, dev, non_blocking));
}

tc_tensor *tc_cuda(tc_tensor *a) { return tc_to(a, (tc_device){TC_CUDA, 0}, false); }
tc_tensor *tc_cpu(tc_tensor *a) { return tc_to(a, (tc_device){TC_CPU, 0}, false); }

tc_status tc_set_default_device(tc_ctx *ctx, tc_device dev) {
  if (!ctx) return TC_ERR_ARG;
  if (!api_check_device(ctx, "tc_set_default_device", dev)) return ctx->status;
  ctx->default_dev = dev;
  return TC_OK;
}

tc_device tc_get_default_device(const tc_ctx *ctx) {
  return ctx ? ctx->default_dev : (tc_device){TC_CPU, 0};
}

tc_tensor *tc_pin_memory(tc_tensor *a) {
  if (!a) return NULL;
  tc_ctx *ctx = a->ctx;
  if (ir_tensor_device(a).type != TC_CPU)
    return ir_error(ctx, TC_ERR_ARG, "tc_pin_memory: cannot pin 'torch.cuda.FloatTensor' only dense CPU tensors can be pinned");
  char why[256];
  if (!rt_gpu_available(why, sizeof why)) return ir_error(ctx, TC_ERR_UNSUPPORTED, "tc_pin_memory: %s", why);
  tc_scope_begin(ctx);
  tc_tensor *c = tc_contiguous(a);
  tc_tensor *r = NULL;
  if (c && tc_realize(c) == TC_OK) {
    size_t bytes = (size_t)ir_tensor_numel(c) * ir_dtype_size(c->dt);
    rt_buffer *b = rt_buffer_new_on(ctx, (tc_device){TC_CPU, 0}, bytes, true);
    if (b) {
      if (bytes) memcpy(b->data, tc_data_ptr(c), bytes);
      r = ir_tensor_from_buffer(ctx, b, c->dt, c->ndim, c->shape);
    }
  }
  tc_scope_end(ctx);
  return api_record(r);
}

bool tc_is_pinned(tc_tensor *a) {
  if (!a) return false;
  ir_node *v = a->st->version;
  return v->op == OP_BUFFER && v->buf && v->buf->pinned;
}

tc_status tc_synchronize(tc_ctx *ctx) {
  if (!ctx) return TC_ERR_ARG;
  tc_status first = TC_OK;
  for (int d = 0; d < rt_gpu_count(); d++) { /* every device, even after an error */
    tc_status st = rt_gpu_sync(ctx, d);
    if (first == TC_OK) first = st;
  }
  return first;
}

tc_status tc_parse_device(const char *s, tc_device *out) {
  if (!s || !out) return TC_ERR_ARG;
  if (!strcmp(s, "cpu")) {
    *out = (tc_device){TC_CPU, 0};
    return TC_OK;
  }
  if (!strncmp(s, "cuda", 4)) {
    if (s[4] == 0) {
      *out = (tc_device){TC_CUDA, 0};
      return TC_OK;
    }
    if (s[4] == ':' && s[5]) {
      char *end;
      long i = strtol(s + 5, &end, 10);
      if (*end == 0 && i >= 0 && i < 1 << 16) {
        *out = (tc_device){TC_CUDA, (int)i};
        return TC_OK;
      }
    }
  }
  return TC_ERR_ARG;
}

const char *tc_device_str(tc_device d, char *buf, size_t cap) {
  if (!buf || cap == 0) return "";
  if (d.type == TC_CPU) snprintf(buf, cap, "cpu");
  else snprintf(buf, cap, "cuda:%d", d.index);
  return buf;
}
