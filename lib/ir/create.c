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

tc_tensor *ir_op_uninit(tc_ctx *ctx, tc_dtype dt, int ndim, const int64_t *shape) {
  int64_t numel;
  if (!ctx || !ir_check_shape(ctx, "tc_empty", dt, ndim, shape, &numel)) return NULL;
  return wrap(ctx, ir_node_new(ctx, OP_EMPTY, dt, ndim, shape));
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

/* n (borrowed) op k, a constant of n's shape in dtype dt; a new reference. */
static ir_node *with_const(tc_ctx *ctx, int op, ir_node *n, double k, tc_dtype dt) {
  ir_node *c = ir_const(ctx, k, (int64_t)k, dt, n->ndim, n->shape);
  ir_node *r = c ? ir_ew(ctx, op, dt, n, c, NULL) : NULL;
  ir_node_release(ctx, c);
  return r;
}

/* base + step * m in float64, over nodes of one shape (borrowed): exact
 * for a float32 step and an index below 2^29, so rounding the result to
 * float32 afterwards is the one rounding of an fma. */
static ir_node *mul_add(tc_ctx *ctx, ir_node *base, ir_node *step, ir_node *m) {
  return ir_ew(ctx, OP_FMA, TC_F64, step, m, base);
}

/* PyTorch's CPU kernel: the ends in the dtype, the step (end - start) /
 * (steps - 1) in its arithmetic type (float32 for float16, bfloat16 and
 * float32; float64 for float64 and integers), then start + step * i for
 * the first half and end - step * (steps - 1 - i) for the rest, each
 * rounded once to the dtype (its vectorized loop computes a multiply-add
 * as an fma). Computed here as one float64 fma (for float32's step the
 * product is exact, so the same value), which gives PyTorch's bits. */
tc_tensor *ir_op_linspace(tc_ctx *ctx, double start, double end, int64_t steps, tc_dtype dt) {
  if (!ctx) return NULL;
  if (steps < 0) return ir_error(ctx, TC_ERR_ARG, "tc_linspace: number of steps must be non-negative");
  int64_t numel;
  if (!ir_check_shape(ctx, "tc_linspace", dt, 1, &steps, &numel)) return NULL;
  bool fl = ir_dtype_is_floating(dt);
  tc_dtype odt = dt == TC_F32 || dt == TC_F16 || dt == TC_BF16 ? TC_F32 : TC_F64;
  if (!fl) start = trunc(start), end = trunc(end); /* Scalar.to<int64_t>() */
  int64_t half = steps == 1 ? 1 : steps / 2;       /* one step: just start */
  ir_node *i = iota(ctx, 0, 1, &steps);
  if (!i) return NULL;
  /* the ends rounded to dt, in the step's type; the step in it */
  ir_node *k0 = ir_const(ctx, start, (int64_t)start, TC_F64, 1, &steps);
  ir_node *k1 = ir_const(ctx, end, (int64_t)end, TC_F64, 1, &steps);
  ir_node *d0 = fl ? ir_cast(ctx, k0, dt) : NULL, *d1 = fl ? ir_cast(ctx, k1, dt) : NULL;
  ir_node *s = ir_cast(ctx, fl ? d0 : k0, odt), *e = ir_cast(ctx, fl ? d1 : k1, odt);
  ir_node *diff = s && e ? ir_ew(ctx, OP_SUB, odt, e, s, NULL) : NULL;
  ir_node *st = diff ? with_const(ctx, OP_DIV, diff, (double)(steps > 1 ? steps - 1 : 1), odt) : NULL;
  /* in float64: the ends, the step, and the counts i and steps - 1 - i */
  ir_node *s64 = ir_cast(ctx, s, TC_F64), *e64 = ir_cast(ctx, e, TC_F64), *st64 = ir_cast(ctx, st, TC_F64);
  ir_node *nst64 = st64 ? with_const(ctx, OP_MUL, st64, -1, TC_F64) : NULL;
  ir_node *i64 = ir_cast(ctx, i, TC_F64);
  ir_node *j64 = i64 ? with_const(ctx, OP_MUL, i64, -1, TC_F64) : NULL;
  ir_node *rj64 = j64 ? with_const(ctx, OP_ADD, j64, (double)(steps - 1), TC_F64) : NULL;
  ir_node *lo = s64 && st64 && i64 ? mul_add(ctx, s64, st64, i64) : NULL;
  ir_node *hi = e64 && nst64 && rj64 ? mul_add(ctx, e64, nst64, rj64) : NULL;
  ir_node *h = ir_const(ctx, 0, half, TC_I64, 1, &steps);
  ir_node *c = h ? ir_ew(ctx, OP_LT, TC_BOOL, i, h, NULL) : NULL;
  ir_node *w = c && lo && hi ? ir_ew(ctx, OP_WHERE, TC_F64, c, lo, hi) : NULL;
  ir_node *r = ir_cast(ctx, w, dt);
  ir_node *t[] = {i, k0, k1, d0, d1, s, e, diff, st, s64, e64, st64, nst64, i64, j64, rj64, lo, hi, h, c, w};
  for (size_t k = 0; k < sizeof t / sizeof *t; k++) ir_node_release(ctx, t[k]);
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

bool ir_check_random_range(tc_ctx *ctx, const char *fn, int64_t from, int64_t to, tc_dtype dt) {
  if (to <= from) {
    ir_error(ctx, TC_ERR_ARG, "%s: random_ expects 'from' to be less than 'to', but got from=%lld >= to=%lld", fn,
             (long long)from, (long long)to);
    return false;
  }
  /* PyTorch's check_from_to_in_range: both ends within dt's values */
  static const double lo[] = {0, 0, -128, -32768, -2147483648.0, -9223372036854775808.0, -65504, -3.3895313892515355e38,
                              -3.4028234663852886e38, -1.7976931348623157e308};
  static const double hi[] = {1, 255, 127, 32767, 2147483647.0, 9223372036854775807.0, 65504, 3.3895313892515355e38,
                              3.4028234663852886e38, 1.7976931348623157e308};
  if ((unsigned)dt >= TC_NUM_DTYPES) return true; /* ir_check_shape's error */
  const char *what = (double)from < lo[dt] || (double)from > hi[dt]       ? "from"
                     : (double)(to - 1) < lo[dt] || (double)(to - 1) > hi[dt] ? "to - 1"
                                                                             : NULL;
  if (what) ir_error(ctx, TC_ERR_ARG, "%s: %s is out of bounds for %s", fn, what, ir_cpp_type_name(dt));
  return !what;
}

tc_tensor *ir_op_randint(tc_ctx *ctx, int64_t low, int64_t high, tc_dtype dt, int ndim,
                         const int64_t *shape) {
  if (!ctx) return NULL;
  int64_t numel;
  if (!ir_check_shape(ctx, "tc_randint", dt, ndim, shape, &numel)) return NULL;
  if (!ir_check_random_range(ctx, "tc_randint", low, high, dt)) return NULL;
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
