/*
 * elementwise.c — the elementwise entry points: unary and binary ops, ops
 * with a Python-scalar operand, casts, where and clamp. Shapes, dtypes and
 * PyTorch's messages are lib/ir's (build.c); here are the checks of the
 * entry point (tensors of one context) and eager mode.
 */
#include <math.h>
#include "api.h"

#define UN(name, OP) \
  tc_tensor *name(tc_tensor *a) { return api_eager(ir_op_unary(a, OP, #name)); }
UN(tc_neg, OP_NEG)
UN(tc_abs, OP_ABS)
UN(tc_sign, OP_SIGN)
UN(tc_exp, OP_EXP)
UN(tc_exp2, OP_EXP2)
UN(tc_log, OP_LOG)
UN(tc_log2, OP_LOG2)
UN(tc_log1p, OP_LOG1P)
UN(tc_expm1, OP_EXPM1)
UN(tc_sqrt, OP_SQRT)
UN(tc_rsqrt, OP_RSQRT)
UN(tc_sin, OP_SIN)
UN(tc_cos, OP_COS)
UN(tc_tan, OP_TAN)
UN(tc_tanh, OP_TANH)
UN(tc_sigmoid, OP_SIGMOID)
UN(tc_relu, OP_RELU)
UN(tc_gelu, OP_GELU)
UN(tc_floor, OP_FLOOR)
UN(tc_ceil, OP_CEIL)
UN(tc_round, OP_ROUND)
UN(tc_trunc, OP_TRUNC)
UN(tc_reciprocal, OP_RECIP)
UN(tc_logical_not, OP_NOT)
UN(tc_bitwise_not, OP_BITNOT)
UN(tc_isnan, OP_ISNAN)
UN(tc_isinf, OP_ISINF)
UN(tc_isfinite, OP_ISFINITE)
#undef UN

tc_tensor *tc_square(tc_tensor *a) { return api_eager(ir_op_square(a)); }

/* PyTorch's CPU kernels of integer floor division and remainder check
 * each divisor and raise RuntimeError("ZeroDivisionError"); its CUDA ones
 * do not. Where the op would run on the CPU and divide integers, the
 * divisor is read back here (as index bounds are, scatter.c): false with
 * "fn: ZeroDivisionError" when one element of it is zero. An empty
 * dividend divides nothing. */
static bool divisor_ok(tc_binop bop, tc_dtype adt, bool a_cpu, int64_t an, tc_tensor *divisor, const char *fn) {
  if (bop != TC_OP_FLOOR_DIVIDE && bop != TC_OP_REMAINDER) return true;
  if (ir_dtype_is_floating(adt) || ir_dtype_is_floating(divisor->dt)) return true;
  if (adt == TC_BOOL && divisor->dt == TC_BOOL) return true; /* not implemented: ir's message */
  if (!a_cpu || ir_tensor_device(divisor).type != TC_CPU) return true;
  if (an == 0 || ir_tensor_numel(divisor) == 0) return true;
  tc_ctx *ctx = divisor->ctx;
  tc_scope_begin(ctx);
  tc_tensor *zero = tc_any(tc_logical_not(divisor), NULL, 0, false);
  bool ok = zero && tc_item(zero) == 0;
  tc_scope_end(ctx);
  if (!ok && tc_last_status(ctx) == TC_OK) ir_error(ctx, TC_ERR_ARG, "%s: ZeroDivisionError", fn);
  return ok;
}

tc_tensor *api_binary_unchecked(tc_binop bop, tc_tensor *a, tc_tensor *b) {
  return api_eager(ir_op_binary(bop, a, b));
}

tc_tensor *tc_binary(tc_binop bop, tc_tensor *a, tc_tensor *b) {
  if (!a || !b) return NULL;
  const char *fn = ir_binop_fn(bop);
  if (!fn) return ir_error(a->ctx, TC_ERR_ARG, "tc_binary: invalid binary op code %d", (int)bop);
  if (!api_same_ctx(fn, (tc_tensor *[]){a, b}, 2)) return NULL;
  if (!divisor_ok(bop, a->dt, ir_tensor_device(a).type == TC_CPU, ir_tensor_numel(a), b, fn)) return NULL;
  return api_eager(ir_op_binary(bop, a, b));
}

#define BIN(name, BOP) \
  tc_tensor *name(tc_tensor *a, tc_tensor *b) { return tc_binary(BOP, a, b); }
BIN(tc_add, TC_OP_ADD)
BIN(tc_sub, TC_OP_SUB)
BIN(tc_mul, TC_OP_MUL)
BIN(tc_div, TC_OP_DIV)
BIN(tc_floor_divide, TC_OP_FLOOR_DIVIDE)
BIN(tc_remainder, TC_OP_REMAINDER)
BIN(tc_pow, TC_OP_POW)
BIN(tc_maximum, TC_OP_MAXIMUM)
BIN(tc_minimum, TC_OP_MINIMUM)
BIN(tc_logical_and, TC_OP_LOGICAL_AND)
BIN(tc_logical_or, TC_OP_LOGICAL_OR)
BIN(tc_logical_xor, TC_OP_LOGICAL_XOR)
BIN(tc_bitwise_and, TC_OP_BITWISE_AND)
BIN(tc_bitwise_or, TC_OP_BITWISE_OR)
BIN(tc_bitwise_xor, TC_OP_BITWISE_XOR)
BIN(tc_bitwise_left_shift, TC_OP_LSHIFT)
BIN(tc_bitwise_right_shift, TC_OP_RSHIFT)
BIN(tc_eq, TC_OP_EQ)
BIN(tc_ne, TC_OP_NE)
BIN(tc_lt, TC_OP_LT)
BIN(tc_le, TC_OP_LE)
BIN(tc_gt, TC_OP_GT)
BIN(tc_ge, TC_OP_GE)
#undef BIN

/* a + alpha * b (a - alpha * b) as PyTorch's add/sub with alpha: b is cast
 * to the promoted dtype first, so the result keeps it (float16 stays
 * float16), and a float alpha is refused for an integer result. */
static tc_tensor *add_alpha(tc_binop op, tc_tensor *a, tc_tensor *b, double alpha, bool is_float, const char *fn) {
  if (!a || !b) return NULL;
  tc_ctx *ctx = a->ctx;
  if (!api_same_ctx(fn, (tc_tensor *[]){a, b}, 2)) return NULL;
  tc_dtype dt = ir_result_type(a->dt, a->ndim == 0, b->dt, b->ndim == 0);
  if (is_float && !ir_dtype_is_floating(dt))
    return ir_error(ctx, TC_ERR_ARG, "%s: For integral input tensors, argument alpha must not be a floating point "
                    "number.", fn);
  /* a bool operand of a subtraction: the builder's message; alpha 1: the plain op */
  if (alpha == 1 || (op == TC_OP_SUB && (a->dt == TC_BOOL || b->dt == TC_BOOL))) {
    tc_tensor *r = tc_binary(op, a, b);
    if (!r) ir_error_rename(ctx, fn);
    return r;
  }
  tc_scope_begin(ctx);
  tc_tensor *scaled = dt == TC_BOOL ? tc_logical_and(b, tc_scalar(ctx, alpha != 0, TC_BOOL)) /* bool + alpha*b */
                                    : tc_binary_scalar(TC_OP_MUL, tc_to_dtype(b, dt), alpha, is_float, false);
  tc_tensor *r = scaled ? tc_binary(op, a, scaled) : NULL;
  if (!r) ir_error_rename(ctx, fn);
  tc_keep(r);
  tc_scope_end(ctx);
  return r;
}
tc_tensor *tc_add_alpha(tc_tensor *a, tc_tensor *b, double alpha, bool alpha_is_float) {
  return add_alpha(TC_OP_ADD, a, b, alpha, alpha_is_float, "tc_add_alpha");
}
tc_tensor *tc_sub_alpha(tc_tensor *a, tc_tensor *b, double alpha, bool alpha_is_float) {
  return add_alpha(TC_OP_SUB, a, b, alpha, alpha_is_float, "tc_sub_alpha");
}

tc_tensor *tc_div_trunc(tc_tensor *a, tc_tensor *b) {
  static const char *fn = "tc_div_trunc";
  if (!a || !b) return NULL;
  tc_ctx *ctx = a->ctx;
  if (!api_same_ctx(fn, (tc_tensor *[]){a, b}, 2)) return NULL;
  tc_dtype dt = ir_result_type(a->dt, a->ndim == 0, b->dt, b->ndim == 0);
  if (dt == TC_BOOL) return ir_error(ctx, TC_ERR_ARG, "%s: \"div_trunc_cpu\" not implemented for 'Bool'", fn);
  tc_scope_begin(ctx);
  tc_tensor *r;
  if (ir_dtype_is_floating(dt)) {
    r = tc_trunc(tc_div(a, b));
  } else {
    /* exact in the integer dtype (a float quotient would round past 2^53):
     * floor's quotient, one more where it was rounded down below zero */
    tc_tensor *q = tc_floor_divide(a, b); /* checks the divisor for zeros */
    tc_tensor *m = q ? api_binary_unchecked(TC_OP_REMAINDER, a, b) : NULL;
    tc_tensor *zero = tc_scalar(ctx, 0, TC_I64);
    tc_tensor *fix = tc_logical_and(tc_ne(m, zero), tc_ne(tc_lt(a, zero), tc_lt(b, zero)));
    r = tc_add(q, tc_to_dtype(fix, dt));
  }
  if (!r) ir_error_rename(ctx, fn);
  tc_keep(r);
  tc_scope_end(ctx);
  return r;
}

tc_tensor *tc_binary_scalar(tc_binop bop, tc_tensor *a, double s, bool is_float,
                            bool scalar_first) {
  if (!a) return NULL;
  const char *fn = ir_binop_fn(bop);
  if (fn && scalar_first && !is_float && !divisor_ok(bop, TC_I64, true, 1, a, fn)) return NULL;
  if (fn && !scalar_first && (bop == TC_OP_FLOOR_DIVIDE || bop == TC_OP_REMAINDER) && !is_float && s == 0 &&
      !ir_dtype_is_floating(a->dt) && ir_tensor_device(a).type == TC_CPU && ir_tensor_numel(a) > 0)
    return ir_error(a->ctx, TC_ERR_ARG, "%s: ZeroDivisionError", fn);
  return api_eager(ir_op_binary_scalar(bop, a, s, is_float, scalar_first));
}

/* An integral s acts as a Python int, anything else as a Python float. */
tc_tensor *tc_add_scalar(tc_tensor *a, double s) {
  return tc_binary_scalar(TC_OP_ADD, a, s, s != floor(s), false);
}
tc_tensor *tc_mul_scalar(tc_tensor *a, double s) {
  return tc_binary_scalar(TC_OP_MUL, a, s, s != floor(s), false);
}

tc_tensor *tc_to_dtype(tc_tensor *a, tc_dtype dt) { return api_eager(ir_op_to_dtype(a, dt)); }

tc_tensor *tc_where(tc_tensor *cond, tc_tensor *a, tc_tensor *b) {
  if (!cond || !a || !b) return NULL;
  if (!api_same_ctx("tc_where", (tc_tensor *[]){cond, a, b}, 3)) return NULL;
  return api_eager(ir_op_where(cond, a, b));
}

tc_tensor *tc_clamp(tc_tensor *a, tc_tensor *lo, tc_tensor *hi) {
  if (!a) return NULL;
  if (!api_same_ctx("tc_clamp", (tc_tensor *[]){a, lo, hi}, 3)) return NULL;
  tc_tensor *r = api_eager(ir_op_clamp(a, lo, hi));
  if (!r) ir_error_rename(a->ctx, "tc_clamp");
  return r;
}

tc_tensor *tc_clamp_scalar(tc_tensor *a, double lo, double hi) {
  return api_eager(ir_op_clamp_scalar(a, lo, hi));
}
tc_tensor *tc_clamp_min_scalar(tc_tensor *a, double lo) { return api_eager(ir_op_clamp_bound(a, lo, true)); }
tc_tensor *tc_clamp_max_scalar(tc_tensor *a, double hi) { return api_eager(ir_op_clamp_bound(a, hi, false)); }
