/*
 * create.c — tensor creation: full / zeros / ones (a lazy CONST), arange /
 * linspace / eye (index arithmetic over IOTA nodes, fused into their
 * consumers) and random tensors (RAND nodes that take a fresh Philox counter
 * range from the context when recorded). Tensors from host data are
 * lib/api's (the runtime allocates their buffer; ir_tensor_from_buffer
 * wraps it).
 */
#include <math.h>
#include <string.h>
#include "builders.h"

bool ir_check_shape(tc_ctx *ctx, const char *fn, tc_dtype dt, int ndim,
                    const int64_t *shape, int64_t *numel) {
  if ((unsigned)dt >= TC_NUM_DTYPES) {
    ir_error(ctx, TC_ERR_ARG, "%s: invalid dtype %d", fn, (int)dt);
    return false;
  }
  if (ndim < 0 || ndim > TC_MAX_DIMS || (ndim && !shape)) {
    ir_error(ctx, TC_ERR_ARG, "%s: a shape has 0 to %d dims (got %d%s)", fn, TC_MAX_DIMS, ndim,
             ndim && !shape ? " and a NULL shape" : "");
    return false;
  }
  char s[256];
  for (int d = 0; d < ndim; d++)
    if (shape[d] < 0) {
      ir_error(ctx, TC_ERR_ARG, "%s: Trying to create tensor with negative dimension %lld: %s", fn,
               (long long)shape[d], ir_shape_str(s, sizeof s, ndim, shape));
      return false;
    }
  /* PyTorch's check: the storage's byte size must fit in int64 */
  uint64_t bytes = ir_dtype_size(dt);
  int64_t n = 1;
  bool over = false;
  for (int d = 0; d < ndim; d++) {
    if (shape[d] == 0) {
      n = 0;
      over = false;
      break;
    }
    if (__builtin_mul_overflow(bytes, (uint64_t)shape[d], &bytes) || bytes > (uint64_t)INT64_MAX)
      over = true;
    else n *= shape[d];
  }
  if (over) {
    ir_error(ctx, TC_ERR_ARG, "%s: Storage size calculation overflowed with sizes=%s", fn,
             ir_shape_str(s, sizeof s, ndim, shape));
    return false;
  }
  *numel = n;
  return true;
}

static tc_tensor *wrap(tc_ctx *ctx, ir_node *n) {
  return ir_tensor_from_node(ctx, n);
}

tc_tensor *ir_op_full(tc_ctx *ctx, const char *fn, double value, tc_dtype dt, int ndim,
                      const int64_t *shape) {
  if (!ctx) return NULL;
  int64_t numel;
  if (!ir_check_shape(ctx, fn, dt, ndim, shape, &numel)) return NULL;
  if (!ir_check_scalar(ctx, fn, value, dt)) return NULL;
  int64_t iv = dt == TC_BOOL ? value != 0 : ir_dtype_is_floating(dt) ? 0 : (int64_t)value;
  return wrap(ctx, ir_const(ctx, value, iv, dt, ndim, shape));
}

tc_tensor *ir_op_full_like(tc_tensor *a, const char *fn, double value, tc_dtype dt) {
  if (!a) return NULL;
  tc_ctx *ctx = a->ctx;
  if (!ir_check_scalar(ctx, fn, value, dt)) return NULL;
  int64_t iv = dt == TC_BOOL ? value != 0 : ir_dtype_is_floating(dt) ? 0 : (int64_t)value;
  ir_node *n = ir_const(ctx, value, iv, dt, a->ndim, a->shape);
  if (!n) return NULL;
  n->dev = ir_tensor_device(a);
  int64_t st[TC_MAX_DIMS];
  ir_result_strides(a->ndim, a->shape, &a, 1, IR_LAYOUT_LIKE, st); /* preserve_format */
  return ir_tensor_from_node_strided(ctx, n, st);
}

static ir_node *iota(tc_ctx *ctx, int axis, int ndim, const int64_t *shape) {
  ir_node *n = ir_node_new(ctx, OP_IOTA, TC_I64, ndim, shape);
  if (n) n->p.axis = axis;
  return n;
}

/* a * s + t over nodes (borrowed), in dtype dt (a cast to dt); multiplying
 * by 1 and adding 0 are left out. */
static ir_node *affine(tc_ctx *ctx, ir_node *a, double s, double t, tc_dtype dt) {
  ir_node *r = ir_cast(ctx, a, dt);
  if (r && s != 1) {
    ir_node *ks = ir_const(ctx, s, (int64_t)s, dt, a->ndim, a->shape);
    ir_node *m = ir_ew(ctx, OP_MUL, dt, r, ks, NULL);
    ir_node_release(ctx, ks);
    ir_node_release(ctx, r);
    r = m;
  }
  if (r && t != 0) {
    ir_node *kt = ir_const(ctx, t, (int64_t)t, dt, a->ndim, a->shape);
    ir_node *m = ir_ew(ctx, OP_ADD, dt, r, kt, NULL);
    ir_node_release(ctx, kt);
    ir_node_release(ctx, r);
    r = m;
  }
  return r;
}

tc_tensor *ir_op_arange(tc_ctx *ctx, double start, double end, double step, tc_dtype dt) {
  if (!ctx) return NULL;
  if ((unsigned)dt >= TC_NUM_DTYPES) return ir_error(ctx, TC_ERR_ARG, "tc_arange: invalid dtype");
  if (!isfinite(step)) return ir_error(ctx, TC_ERR_ARG, "tc_arange: step must be finite but got %s", isnan(step) ? "nan" : "inf");
  if (step == 0) return ir_error(ctx, TC_ERR_ARG, "tc_arange: step must be nonzero");
  if (!isfinite(start) || !isfinite(end))
    return ir_error(ctx, TC_ERR_ARG, "tc_arange: unsupported range: %g -> %g", start, end);
  if ((step > 0 && end < start) || (step < 0 && end > start))
    return ir_error(ctx, TC_ERR_ARG, "tc_arange: upper bound and lower bound inconsistent with step sign");
  double nd = ceil((end - start) / step);
  if (nd > 1e15) return ir_error(ctx, TC_ERR_ARG, "tc_arange: the range is too large");
  int64_t n = (int64_t)nd;
  ir_node *i = iota(ctx, 0, 1, &n);
  if (!i) return NULL;
  ir_node *r;
  if (ir_dtype_is_floating(dt)) {
    ir_node *v = affine(ctx, i, step, start, TC_F64);
    r = ir_cast(ctx, v, dt);
    ir_node_release(ctx, v);
  } else {
    ir_node *v = affine(ctx, i, (double)(int64_t)step, (double)(int64_t)start, TC_I64);
    r = ir_cast(ctx, v, dt);
    ir_node_release(ctx, v);
  }
  ir_node_release(ctx, i);
  return wrap(ctx, r);
}

tc_tensor *ir_op_linspace(tc_ctx *ctx, double start, double end, int64_t steps, tc_dtype dt) {
  if (!ctx) return NULL;
  if (steps < 0) return ir_error(ctx, TC_ERR_ARG, "tc_linspace: number of steps must be non-negative");
  int64_t numel;
  if (!ir_check_shape(ctx, "tc_linspace", dt, 1, &steps, &numel)) return NULL;
  tc_dtype cdt = dt == TC_F64 ? TC_F64 : (ir_dtype_is_floating(dt) ? TC_F32 : TC_F64);
  double step = steps > 1 ? (end - start) / (double)(steps - 1) : 0;
  int64_t half = steps == 1 ? 1 : steps / 2; /* one step: just start */
  ir_node *i = iota(ctx, 0, 1, &steps);
  if (!i) return NULL;
  /* PyTorch: the first half counts up from start, the second down from end. */
  ir_node *lo = affine(ctx, i, step, start, cdt);
  ir_node *hi = affine(ctx, i, step, end - step * (double)(steps - 1), cdt);
  ir_node *h = ir_const(ctx, 0, half, TC_I64, 1, &steps);
  ir_node *c = ir_ew(ctx, OP_LT, TC_BOOL, i, h, NULL);
  ir_node *w = ir_ew(ctx, OP_WHERE, cdt, c, lo, hi);
  ir_node *r = ir_cast(ctx, w, dt);
  ir_node *t[] = {i, lo, hi, h, c, w};
  for (int k = 0; k < 6; k++) ir_node_release(ctx, t[k]);
  return wrap(ctx, r);
}

tc_tensor *ir_op_eye(tc_ctx *ctx, int64_t n, int64_t m, tc_dtype dt) {
  if (!ctx) return NULL;
  if (m < 0) m = n;
  if (n < 0) return ir_error(ctx, TC_ERR_ARG, "tc_eye: n must be greater or equal to 0, got %lld", (long long)n);
  int64_t shape[2] = {n, m}, numel;
  if (!ir_check_shape(ctx, "tc_eye", dt, 2, shape, &numel)) return NULL;
  ir_node *r0 = iota(ctx, 0, 2, shape), *r1 = iota(ctx, 1, 2, shape);
  ir_node *e = ir_ew(ctx, OP_EQ, TC_BOOL, r0, r1, NULL);
  ir_node *r = ir_cast(ctx, e, dt);
  ir_node_release(ctx, r0);
  ir_node_release(ctx, r1);
  ir_node_release(ctx, e);
  return wrap(ctx, r);
}

void ir_manual_seed(tc_ctx *ctx, uint64_t seed) {
  ctx->seed = seed;
  ctx->rng_offset = 0;
}

static ir_node *rng_node(tc_ctx *ctx, int op, int ndim, const int64_t *shape, int64_t numel) {
  ir_node *n = ir_node_new(ctx, op, op == OP_RANDBITS ? TC_I64 : TC_F32, ndim, shape);
  if (!n) return NULL;
  n->p.rng.seed = ctx->seed;
  n->p.rng.offset = ctx->rng_offset;
  ctx->rng_offset += (uint64_t)numel;
  return n;
}

tc_tensor *ir_op_random(tc_ctx *ctx, int op, const char *fn, tc_dtype dt, int ndim,
                        const int64_t *shape) {
  if (!ctx) return NULL;
  int64_t numel;
  if (!ir_check_shape(ctx, fn, dt, ndim, shape, &numel)) return NULL;
  if (!ir_dtype_is_floating(dt))
  {
    static const char *w[] = {"Bool", "Byte", "Char", "Short", "Int", "Long"};
    return ir_error(ctx, TC_ERR_ARG, "%s: \"%s\" not implemented for '%s'", fn,
                    op == OP_RAND ? "check_uniform_bounds" : "normal_kernel_cpu", w[dt]);
  }
  ir_node *n = rng_node(ctx, op, ndim, shape, numel);
  ir_node *r = ir_cast(ctx, n, dt);
  ir_node_release(ctx, n);
  return wrap(ctx, r);
}

tc_tensor *ir_op_randint(tc_ctx *ctx, int64_t low, int64_t high, tc_dtype dt, int ndim,
                         const int64_t *shape) {
  if (!ctx) return NULL;
  int64_t numel;
  if (!ir_check_shape(ctx, "tc_randint", dt, ndim, shape, &numel)) return NULL;
  if (high <= low)
    return ir_error(ctx, TC_ERR_ARG, "tc_randint: random_ expects 'from' to be less than 'to', but got from=%lld >= to=%lld",
                    (long long)low, (long long)high);
  ir_node *bits = rng_node(ctx, OP_RANDBITS, ndim, shape, numel);
  if (!bits) return NULL;
  ir_node *range = ir_const(ctx, 0, (int64_t)((uint64_t)high - (uint64_t)low), TC_I64, ndim, shape);
  ir_node *lo = ir_const(ctx, 0, low, TC_I64, ndim, shape);
  ir_node *m = ir_ew(ctx, OP_REM, TC_I64, bits, range, NULL);
  ir_node *v = ir_ew(ctx, OP_ADD, TC_I64, m, lo, NULL);
  ir_node *r = ir_cast(ctx, v, dt);
  ir_node *t[] = {bits, range, lo, m, v};
  for (int k = 0; k < 5; k++) ir_node_release(ctx, t[k]);
  return wrap(ctx, r);
}
