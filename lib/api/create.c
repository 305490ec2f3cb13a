/*
 * create.c — the creation entry points. A tensor from host data copies the
 * data into a buffer from the runtime and wraps it (on the CPU; a copy to
 * the default device follows when that is a GPU); the other creation
 * functions record lazy source nodes (lib/ir's create.c). Seeding sets the
 * context's one Philox stream, which every device shares.
 */
#include <string.h>
#include "api.h"

tc_tensor *tc_from_data(tc_ctx *ctx, const void *data, tc_dtype dt, int ndim,
                        const int64_t *shape) {
  if (!ctx) return NULL;
  int64_t numel;
  if (!ir_check_shape(ctx, "tc_from_data", dt, ndim, shape, &numel)) return NULL;
  if (!data && numel) return ir_error(ctx, TC_ERR_ARG, "tc_from_data: data is NULL");
  size_t bytes = (size_t)numel * ir_dtype_size(dt);
  rt_buffer *b = rt_buffer_new(ctx, bytes);
  if (!b) return NULL;
  if (bytes) memcpy(b->data, data, bytes);
  tc_tensor *t = ir_tensor_from_buffer(ctx, b, dt, ndim, shape);
  if (t && ctx->default_dev.type != TC_CPU) { /* host data travels to the device */
    tc_tensor *c = ir_op_to(t, ctx->default_dev, false);
    ir_tensor_release(t);
    t = c;
  }
  return api_eager(t);
}

tc_tensor *tc_full(tc_ctx *ctx, double value, tc_dtype dt, int ndim, const int64_t *shape) {
  return api_eager(ir_op_full(ctx, "tc_full", value, dt, ndim, shape));
}
tc_tensor *tc_empty(tc_ctx *ctx, tc_dtype dt, int ndim, const int64_t *shape) {
  return api_eager(ir_op_full(ctx, "tc_empty", 0, dt, ndim, shape));
}
tc_tensor *tc_zeros(tc_ctx *ctx, tc_dtype dt, int ndim, const int64_t *shape) {
  return api_eager(ir_op_full(ctx, "tc_zeros", 0, dt, ndim, shape));
}
tc_tensor *tc_ones(tc_ctx *ctx, tc_dtype dt, int ndim, const int64_t *shape) {
  return api_eager(ir_op_full(ctx, "tc_ones", 1, dt, ndim, shape));
}
tc_tensor *tc_full_like(tc_tensor *a, double value, tc_dtype dt) {
  return api_eager(ir_op_full_like(a, "tc_full_like", value, dt));
}
tc_tensor *tc_empty_like(tc_tensor *a, tc_dtype dt) { return api_eager(ir_op_full_like(a, "tc_empty_like", 0, dt)); }
tc_tensor *tc_zeros_like(tc_tensor *a, tc_dtype dt) { return api_eager(ir_op_full_like(a, "tc_zeros_like", 0, dt)); }
tc_tensor *tc_ones_like(tc_tensor *a, tc_dtype dt) { return api_eager(ir_op_full_like(a, "tc_ones_like", 1, dt)); }
tc_tensor *tc_scalar(tc_ctx *ctx, double value, tc_dtype dt) {
  return api_eager(ir_op_full(ctx, "tc_scalar", value, dt, 0, NULL));
}

tc_tensor *tc_arange(tc_ctx *ctx, double start, double end, double step, tc_dtype dt) {
  return api_eager(ir_op_arange(ctx, start, end, step, dt));
}
tc_tensor *tc_arange_int(tc_ctx *ctx, int64_t start, int64_t end, int64_t step) {
  tc_tensor *r = api_eager(ir_op_arange(ctx, (double)start, (double)end, (double)step, TC_I64));
  if (!r) ir_error_rename(ctx, "tc_arange_int");
  return r;
}
tc_tensor *tc_linspace(tc_ctx *ctx, double start, double end, int64_t steps, tc_dtype dt) {
  return api_eager(ir_op_linspace(ctx, start, end, steps, dt));
}
tc_tensor *tc_eye(tc_ctx *ctx, int64_t n, int64_t m, tc_dtype dt) {
  return api_eager(ir_op_eye(ctx, n, m, dt));
}

void tc_manual_seed(tc_ctx *ctx, uint64_t seed) {
  if (ctx) ir_manual_seed(ctx, seed);
}
/* one Philox stream serves every device, so the same seed gives the same
 * numbers on the CPU and on CUDA */
void tc_cuda_manual_seed(tc_ctx *ctx, uint64_t seed) { tc_manual_seed(ctx, seed); }
void tc_cuda_manual_seed_all(tc_ctx *ctx, uint64_t seed) { tc_manual_seed(ctx, seed); }

tc_tensor *tc_rand(tc_ctx *ctx, tc_dtype dt, int ndim, const int64_t *shape) {
  return api_eager(ir_op_random(ctx, OP_RAND, "tc_rand", dt, ndim, shape));
}
tc_tensor *tc_randn(tc_ctx *ctx, tc_dtype dt, int ndim, const int64_t *shape) {
  return api_eager(ir_op_random(ctx, OP_RANDN, "tc_randn", dt, ndim, shape));
}
tc_tensor *tc_randint(tc_ctx *ctx, int64_t low, int64_t high, tc_dtype dt, int ndim,
                      const int64_t *shape) {
  return api_eager(ir_op_randint(ctx, low, high, dt, ndim, shape));
}

/* The caller's memory as a storage: a 1-D span from the lowest to the
 * highest element the strides reach, viewed with those strides. */
static tc_tensor *from_memory(tc_ctx *ctx, const char *fn, void *data, tc_dtype dt, tc_device dev, int ndim,
                              const int64_t *shape, const int64_t *strides, void (*release)(void *user),
                              void *user) {
  if (!ctx) return NULL;
  int64_t numel;
  if (!ir_check_shape(ctx, fn, dt, ndim, shape, &numel)) return NULL;
  if (!api_check_device(ctx, fn, dev)) return NULL;
  if (!data && numel) return ir_error(ctx, TC_ERR_ARG, "%s: data is NULL", fn);
  int64_t st[TC_MAX_DIMS], span = numel ? 1 : 0;
  if (strides) {
    for (int d = 0; d < ndim; d++) {
      if (strides[d] < 0)
        return ir_error(ctx, TC_ERR_ARG,
                        "%s: At least one stride in the given numpy array is negative, "
                        "and tensors with negative strides are not currently supported. (You can "
                        "probably work around this by making a copy of your array  with array.copy().) ",
                        fn);
      st[d] = strides[d];
      if (numel) span += (shape[d] - 1) * strides[d];
    }
  } else {
    ir_contig_strides(ndim, shape, st);
    span = numel;
  }
  size_t bytes = (size_t)span * ir_dtype_size(dt);
  rt_buffer *b = rt_buffer_external(ctx, dev, data, bytes, NULL, NULL);
  if (!b) return NULL;
  b->shared = true;
  tc_tensor *whole = ir_tensor_from_buffer(ctx, b, dt, 1, &span); /* takes b's reference */
  if (!whole) return NULL;
  b->refs++; /* the storage's own reference to its home */
  whole->st->home = b;
  /* only now is `release` tensorc's to call: every failure above left the
     memory with the caller */
  tc_tensor *t = ir_tensor_alias(whole, ndim, shape, st, 0); /* not a view: torch.from_numpy */
  ir_tensor_release(whole);
  if (!t || !api_record(t)) return NULL; /* b went with it; release not yet set */
  b->release = release;
  b->release_user = user;
  return t;
}

tc_tensor *tc_from_host_memory(tc_ctx *ctx, void *data, tc_dtype dt, int ndim, const int64_t *shape,
                               const int64_t *strides, void (*release)(void *user), void *user) {
  return from_memory(ctx, "tc_from_host_memory", data, dt, (tc_device){TC_CPU, 0}, ndim, shape, strides,
                     release, user);
}

tc_tensor *tc_from_blob(tc_ctx *ctx, void *data, tc_dtype dt, tc_device dev, int ndim, const int64_t *shape,
                        const int64_t *strides, void (*release)(void *user), void *user) {
  return from_memory(ctx, "tc_from_blob", data, dt, dev, ndim, shape, strides, release, user);
}
