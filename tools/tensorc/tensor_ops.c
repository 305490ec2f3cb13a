/*
 * tensor_ops.c — the math of the Tensor API: elementwise unary and binary
 * ops, comparisons, reductions (sum/mean/... with dim, keepdim, dtype),
 * max/min with their (values, indices) return types, arg-reductions,
 * softmax, clamp, where, matmul, torch.equal/allclose/isclose, masking and
 * index_select. Each function is a table entry (tensor_api.h) called with
 * the tensor as `self`; keyword names follow PyTorch's signatures.
 */
#include <string.h>

#include "tensor_api.h"

static const char *fname(interp *I) { return I->calling ? I->calling->name : "function"; }

/* ---- elementwise ------------------------------------------------------------ */

typedef tc_tensor *(*unary_fn)(tc_tensor *);
static const unary_fn unary_fns[] = {
    tc_abs, tc_neg, tc_sign, tc_exp, tc_exp2, tc_log, tc_log2, tc_log1p, tc_expm1,
    tc_sqrt, tc_rsqrt, tc_sin, tc_cos, tc_tan, tc_tanh, tc_sigmoid, tc_relu, tc_gelu,
    tc_floor, tc_ceil, tc_trunc, tc_reciprocal, tc_square, tc_logical_not,
    tc_bitwise_not, tc_isnan, tc_isinf, tc_isfinite};
enum { U_ABS, U_NEG, U_SIGN, U_EXP, U_EXP2, U_LOG, U_LOG2, U_LOG1P, U_EXPM1, U_SQRT,
       U_RSQRT, U_SIN, U_COS, U_TAN, U_TANH, U_SIGMOID, U_RELU, U_GELU, U_FLOOR, U_CEIL,
       U_TRUNC, U_RECIPROCAL, U_SQUARE, U_LOGICAL_NOT, U_BITWISE_NOT, U_ISNAN, U_ISINF,
       U_ISFINITE };

static value *m_unary(interp *I, value *self, call_args *a) {
  static const char *const kw[] = {"approximate", "inplace", NULL};
  if (!args_check(I, a, fname(I), 0, kw)) return NULL;
  return tensor_result(I, unary_fns[I->calling->tag](self->t));
}

static value *m_silu(interp *I, value *self, call_args *a) {
  if (!args_check(I, a, "silu", 0, NULL)) return NULL;
  tc_tensor *s = tc_sigmoid(self->t);
  tc_tensor *r = tc_mul(self->t, s);
  tc_tensor_release(s);
  return tensor_result(I, r);
}

static value *m_round(interp *I, value *self, call_args *a) {
  static const char *const kw[] = {"decimals", NULL};
  value *d = NULL;
  if (!args_check(I, a, "round", 0, kw) || !arg_get(I, a, "round", -1, "decimals", &d)) return NULL;
  int64_t dec = 0;
  if (d && !to_int(I, d, "decimals", &dec)) return NULL;
  if (!dec) return tensor_result(I, tc_round(self->t));
  double p = 1;
  for (int64_t i = 0; i < (dec < 0 ? -dec : dec) && i < 300; i++) p *= 10;
  if (dec < 0) p = 1 / p;
  tc_tensor *x = tc_mul_scalar(self->t, p), *r = tc_round(x);
  tc_tensor *y = tc_binary_scalar(TC_OP_DIV, r, p, true, false);
  tc_tensor_release(x);
  tc_tensor_release(r);
  return tensor_result(I, y);
}

tc_tensor *value_as_tensor(interp *I, value *v, const char *fn, const char *arg) {
  if (v->kind == V_TENSOR) return tc_tensor_retain(v->t);
  tc_tensor *t = NULL;
  if (v->kind == V_BOOL) t = tc_scalar(I->ctx, v->b, TC_BOOL);
  else if (v->kind == V_INT) t = tc_scalar(I->ctx, (double)v->i, TC_I64);
  else if (v->kind == V_FLOAT) t = tc_scalar(I->ctx, v->f, I->default_dtype);
  else return ex_raise(I, X_TYPE, "%s(): argument '%s' must be Tensor, not %s", fn, arg, v_type_name(v));
  if (!t) ex_from_ctx(I);
  return t;
}

value *tensor_binop_values(interp *I, tc_binop op, value *a, value *b, const char *name) {
  if (a->kind == V_TENSOR && b->kind == V_TENSOR) return tensor_result(I, tc_binary(op, a->t, b->t));
  bool first = a->kind != V_TENSOR;
  value *t = first ? b : a, *s = first ? a : b;
  if (!v_is_number(s))
    return ex_raise(I, X_TYPE, "%s(): argument '%s' (position %d) must be Tensor, not %s", name,
                    first ? "input" : "other", first ? 1 : 2, v_type_name(s));
  if (s->kind == V_BOOL) {
    tc_tensor *st = tc_scalar(I->ctx, s->b, TC_BOOL);
    tc_tensor *r = first ? tc_binary(op, st, t->t) : tc_binary(op, t->t, st);
    tc_tensor_release(st);
    return tensor_result(I, r);
  }
  return tensor_result(I, tc_binary_scalar(op, t->t, v_as_double(s), s->kind == V_FLOAT, first));
}

static value *m_binary(interp *I, value *self, call_args *a) {
  static const char *const kw[] = {"other", "alpha", "rounding_mode", "exponent", NULL};
  const char *name = fname(I);
  value *other = NULL, *alpha = NULL, *mode = NULL;
  tc_binop op = (tc_binop)I->calling->tag;
  if (!args_check(I, a, name, 1, kw) || !arg_get(I, a, name, 0, op == TC_OP_POW ? "exponent" : "other", &other) ||
      !arg_get(I, a, name, -1, "alpha", &alpha) || !arg_get(I, a, name, -1, "rounding_mode", &mode))
    return NULL;
  if (!other) return ex_raise(I, X_TYPE, "%s() missing 1 required positional argument: 'other'", name);
  value *scaled = NULL;
  if (alpha && (op == TC_OP_ADD || op == TC_OP_SUB)) {
    if (!(scaled = binary_op(I, OP_MUL, other, alpha))) return NULL;
    other = scaled;
  }
  value *r;
  if (op == TC_OP_DIV && mode && mode->kind == V_STR && !strcmp(mode->str.s, "floor")) {
    r = tensor_binop_values(I, TC_OP_FLOOR_DIVIDE, self, other, name);
  } else if (op == TC_OP_DIV && mode && mode->kind == V_STR && !strcmp(mode->str.s, "trunc")) {
    value *q = tensor_binop_values(I, TC_OP_DIV, self, other, name);
    r = q ? tensor_result(I, tc_trunc(q->t)) : NULL;
    v_decref(q);
    tc_dtype want = tc_tensor_dtype(self->t);
    if (r && !tc_dtype_is_floating(want) &&
        (other->kind == V_INT || other->kind == V_BOOL ||
         (other->kind == V_TENSOR && !tc_dtype_is_floating(tc_tensor_dtype(other->t))))) {
      tc_dtype dt = other->kind == V_TENSOR ? tc_promote_types(want, tc_tensor_dtype(other->t)) : want;
      value *c = tensor_result(I, tc_to_dtype(r->t, dt));
      v_decref(r);
      r = c;
    }
  } else if (op == TC_OP_DIV && mode && mode->kind != V_NONE) {
    r = ex_raise(I, X_RUNTIME, "div expected rounding_mode to be one of None, 'trunc', or 'floor' but found '%s'",
                 mode->kind == V_STR ? mode->str.s : "?");
  } else {
    r = tensor_binop_values(I, op, self, other, name);
  }
  v_decref(scaled);
  return r;
}

static value *m_matmul(interp *I, value *self, call_args *a) {
  value *other = NULL;
  static const char *const kw[] = {"other", "mat2", "tensor", NULL};
  if (!args_check(I, a, fname(I), 1, kw) || !arg_get(I, a, fname(I), 0, "other", &other)) return NULL;
  if (!other && a->nkw) other = a->kwvals[0];
  if (!other || other->kind != V_TENSOR)
    return ex_raise(I, X_TYPE, "%s(): argument 'other' (position 1) must be Tensor, not %s", fname(I),
                    other ? v_type_name(other) : "nothing");
  return tensor_result(I, tc_matmul(self->t, other->t));
}

static value *m_clamp(interp *I, value *self, call_args *a) {
  static const char *const kw[] = {"min", "max", NULL};
  value *lo = NULL, *hi = NULL;
  if (!args_check(I, a, fname(I), 2, kw) || !arg_get(I, a, fname(I), 0, "min", &lo) ||
      !arg_get(I, a, fname(I), 1, "max", &hi))
    return NULL;
  if (lo && lo->kind == V_NONE) lo = NULL;
  if (hi && hi->kind == V_NONE) hi = NULL;
  if (!lo && !hi) return ex_raise(I, X_RUNTIME, "torch.clamp: At least one of 'min' or 'max' must not be None");
  if ((!lo || v_is_number(lo)) && (!hi || v_is_number(hi)) && (lo || hi)) {
    /* scalar bounds keep the tensor's dtype, as PyTorch's clamp(Scalar) */
    value *r = v_incref(self);
    if (lo) {
      value *n = tensor_binop_values(I, TC_OP_MAXIMUM, r, lo, "clamp");
      v_decref(r);
      r = n;
    }
    if (r && hi) {
      value *n = tensor_binop_values(I, TC_OP_MINIMUM, r, hi, "clamp");
      v_decref(r);
      r = n;
    }
    if (r && tc_tensor_dtype(r->t) != tc_tensor_dtype(self->t) && (!lo || lo->kind != V_FLOAT) &&
        (!hi || hi->kind != V_FLOAT)) {
      value *c = tensor_result(I, tc_to_dtype(r->t, tc_tensor_dtype(self->t)));
      v_decref(r);
      r = c;
    }
    return r;
  }
  tc_tensor *l = lo ? value_as_tensor(I, lo, "clamp", "min") : NULL;
  tc_tensor *h = hi ? value_as_tensor(I, hi, "clamp", "max") : NULL;
  value *r = NULL;
  if ((!lo || l) && (!hi || h)) r = tensor_result(I, tc_clamp(self->t, l, h));
  tc_tensor_release(l);
  tc_tensor_release(h);
  return r;
}

/* cond.where(cond, other) as a method: where(cond, self, other). */
static value *m_where(interp *I, value *self, call_args *a) {
  static const char *const kw[] = {"condition", "other", NULL};
  value *c = NULL, *o = NULL;
  if (!args_check(I, a, "where", 2, kw) || !arg_get(I, a, "where", 0, "condition", &c) ||
      !arg_get(I, a, "where", 1, "other", &o))
    return NULL;
  if (!c || !o) return ex_raise(I, X_TYPE, "where() missing required arguments 'condition' and 'other'");
  tc_tensor *ct = value_as_tensor(I, c, "where", "condition");
  tc_tensor *ot = ct ? value_as_tensor(I, o, "where", "other") : NULL;
  value *r = ot ? tensor_result(I, tc_where(ct, self->t, ot)) : NULL;
  tc_tensor_release(ct);
  tc_tensor_release(ot);
  return r;
}

/* ---- reductions ------------------------------------------------------------- */

typedef tc_tensor *(*reduce_fn)(tc_tensor *, const int *, int, bool);
static const reduce_fn reduce_fns[] = {tc_sum, tc_prod, tc_mean, tc_amax, tc_amin, tc_all, tc_any, tc_logsumexp};
enum { R_SUM, R_PROD, R_MEAN, R_AMAX, R_AMIN, R_ALL, R_ANY, R_LOGSUMEXP };

static bool dim_keep(interp *I, call_args *a, const char *name, value **dim, bool *keep) {
  static const char *const kw[] = {"dim", "keepdim", "dtype", "axis", NULL};
  value *k = NULL, *ax = NULL;
  *keep = false;
  if (!args_check(I, a, name, 2, kw) || !arg_get(I, a, name, 0, "dim", dim) ||
      !arg_get(I, a, name, 1, "keepdim", &k) || !arg_get(I, a, name, -1, "axis", &ax))
    return false;
  if (!*dim) *dim = ax;
  if (*dim && (*dim)->kind == V_NONE) *dim = NULL;
  return !k || to_bool(I, k, keep);
}

static value *m_reduce(interp *I, value *self, call_args *a) {
  const char *name = fname(I);
  value *dim, *dtv = NULL;
  bool keep;
  if (!dim_keep(I, a, name, &dim, &keep) || !arg_get(I, a, name, -1, "dtype", &dtv)) return NULL;
  int dims[TC_MAX_DIMS], nd = 0;
  if (dim && !dims_from_value(I, dim, &nd, dims)) return NULL;
  if (I->calling->tag == R_LOGSUMEXP && !dim)
    return ex_raise(I, X_TYPE, "logsumexp() missing 1 required positional arguments: \"dim\"");
  tc_tensor *x = tc_tensor_retain(self->t);
  if (dtv && dtv->kind != V_NONE) {
    tc_dtype dt;
    if (!dtype_from_value(I, dtv, &dt)) {
      tc_tensor_release(x);
      return NULL;
    }
    tc_tensor *c = tc_to_dtype(x, dt);
    tc_tensor_release(x);
    if (!(x = c)) return ex_from_ctx(I);
  }
  tc_tensor *r = reduce_fns[I->calling->tag](x, nd ? dims : NULL, nd, keep);
  tc_tensor_release(x);
  return tensor_result(I, r);
}

static value *m_varstd(interp *I, value *self, call_args *a) {
  static const char *const kw[] = {"dim", "unbiased", "keepdim", "correction", NULL};
  const char *name = fname(I);
  value *dim = NULL, *unb = NULL, *k = NULL, *corr = NULL;
  if (!args_check(I, a, name, 3, kw) || !arg_get(I, a, name, 0, "dim", &dim) ||
      !arg_get(I, a, name, -1, "correction", &corr) || !arg_get(I, a, name, 2, "keepdim", &k) ||
      !arg_get(I, a, name, 1, "unbiased", &unb))
    return NULL;
  if (dim && dim->kind == V_BOOL && !unb) { /* var(False): the unbiased flag */
    unb = dim;
    dim = NULL;
  }
  if (dim && dim->kind == V_NONE) dim = NULL;
  int dims[TC_MAX_DIMS], nd = 0;
  bool keep = false, ub = true;
  double c = 1;
  if ((dim && !dims_from_value(I, dim, &nd, dims)) || (k && !to_bool(I, k, &keep)) ||
      (unb && !to_bool(I, unb, &ub)))
    return NULL;
  if (!ub) c = 0;
  if (corr && corr->kind != V_NONE && !to_double(I, corr, "correction", &c)) return NULL;
  bool is_std = !strcmp(name, "std");
  return tensor_result(I, (is_std ? tc_std : tc_var)(self->t, nd ? dims : NULL, nd, c, keep));
}

value *return_pair(interp *I, const char *name, tc_tensor *values, tc_tensor *indices) {
  static const char *const fields[] = {"values", "indices"};
  static char names[4][40];
  static int nnames;
  value *s = v_seq_new(V_STRUCTSEQ, 2);
  value *v = v_tensor(values), *x = v_tensor(indices);
  if (!s || !v || !x) {
    v_decref(s);
    v_decref(v);
    v_decref(x);
    return ex_nomem(I);
  }
  const char *full = "torch.return_types";
  int k = 0;
  while (k < nnames && strcmp(names[k] + strlen(full) + 1, name)) k++;
  if (k == nnames && nnames < 4) snprintf(names[nnames++], sizeof names[0], "%s.%s", full, name);
  s->seq.name = k < 4 ? names[k] : "torch.return_types";
  s->seq.fields = fields;
  v_seq_set(s, 0, v);
  v_seq_set(s, 1, x);
  return s;
}

/* max()/min(): all elements, along a dim (values, indices), or elementwise. */
static value *m_maxmin(interp *I, value *self, call_args *a) {
  bool is_max = I->calling->tag;
  const char *name = is_max ? "max" : "min";
  value *dim;
  bool keep;
  if (a->nargs >= 1 && a->args[0]->kind == V_TENSOR) {
    if (a->nargs > 1 || a->nkw) return ex_raise(I, X_TYPE, "%s() received an invalid combination of arguments", name);
    return tensor_result(I, (is_max ? tc_maximum : tc_minimum)(self->t, a->args[0]->t));
  }
  if (!dim_keep(I, a, name, &dim, &keep)) return NULL;
  if (!dim) return tensor_result(I, (is_max ? tc_max_all : tc_min_all)(self->t));
  int64_t d;
  if (!to_int(I, dim, "dim", &d)) return NULL;
  tc_tensor *vals = NULL, *idx = NULL;
  tc_status st = (is_max ? tc_max_dim : tc_min_dim)(self->t, (int)(d < -1000 ? -1000 : d > 1000 ? 1000 : d), keep,
                                                     &vals, &idx);
  if (st != TC_OK) {
    tc_tensor_release(vals);
    tc_tensor_release(idx);
    return ex_from_ctx(I);
  }
  return return_pair(I, name, vals, idx);
}

static value *m_argmaxmin(interp *I, value *self, call_args *a) {
  value *dim;
  bool keep;
  if (!dim_keep(I, a, fname(I), &dim, &keep)) return NULL;
  int64_t d = 0;
  if (dim && !to_int(I, dim, "dim", &d)) return NULL;
  int di = (int)(d < -1000 ? -1000 : d > 1000 ? 1000 : d);
  if (tc_tensor_dtype(self->t) == TC_BOOL) /* the library accepts bool; PyTorch does not */
    return ex_raise(I, X_NOTIMPL, "%s(): does not support bool input", I->calling->tag ? "argmax" : "argmin");
  return tensor_result(I, (I->calling->tag ? tc_argmax : tc_argmin)(self->t, dim != NULL, di, keep));
}

static value *m_softmax(interp *I, value *self, call_args *a) {
  static const char *const kw[] = {"dim", "dtype", "_stacklevel", NULL};
  const char *name = fname(I);
  value *dim = NULL, *dtv = NULL;
  if (!args_check(I, a, name, 2, kw) || !arg_get(I, a, name, 0, "dim", &dim) ||
      !arg_get(I, a, name, 1, "dtype", &dtv))
    return NULL;
  int64_t d;
  if (!dim || dim->kind == V_NONE) return ex_raise(I, X_TYPE, "%s() missing 1 required positional argument: 'dim'", name);
  if (!to_int(I, dim, "dim", &d)) return NULL;
  tc_tensor *x = tc_tensor_retain(self->t);
  if (dtv && dtv->kind != V_NONE) {
    tc_dtype dt;
    if (!dtype_from_value(I, dtv, &dt)) {
      tc_tensor_release(x);
      return NULL;
    }
    tc_tensor *c = tc_to_dtype(x, dt);
    tc_tensor_release(x);
    if (!(x = c)) return ex_from_ctx(I);
  }
  int di = (int)(d < -1000 ? -1000 : d > 1000 ? 1000 : d);
  tc_tensor *r = I->calling->tag ? tc_log_softmax(x, di) : tc_softmax(x, di);
  tc_tensor_release(x);
  return tensor_result(I, r);
}

static value *m_count_nonzero(interp *I, value *self, call_args *a) {
  static const char *const kw[] = {"dim", NULL};
  value *dim = NULL;
  if (!args_check(I, a, "count_nonzero", 1, kw) || !arg_get(I, a, "count_nonzero", 0, "dim", &dim)) return NULL;
  int dims[TC_MAX_DIMS], nd = 0;
  if (dim && dim->kind != V_NONE && !dims_from_value(I, dim, &nd, dims)) return NULL;
  tc_tensor *z = tc_binary_scalar(TC_OP_NE, self->t, 0, false, false);
  tc_tensor *c = tc_to_dtype(z, TC_I64);
  tc_tensor *r = tc_sum(c, nd ? dims : NULL, nd, false);
  tc_tensor_release(z);
  tc_tensor_release(c);
  return tensor_result(I, r);
}

/* ---- comparison of whole tensors --------------------------------------------- */

static value *other_tensor(interp *I, call_args *a, const char *name, value **other) {
  if (!arg_get(I, a, name, 0, "other", other)) return NULL;
  if (!*other || (*other)->kind != V_TENSOR)
    return ex_raise(I, X_TYPE, "%s(): argument 'other' (position 2) must be Tensor, not %s", name,
                    *other ? v_type_name(*other) : "nothing");
  return *other;
}

static value *m_equal(interp *I, value *self, call_args *a) {
  static const char *const kw[] = {"other", NULL};
  value *o;
  if (!args_check(I, a, "equal", 1, kw) || !other_tensor(I, a, "equal", &o)) return NULL;
  bool r = tc_equal(self->t, o->t);
  if (tc_last_status(I->ctx) != TC_OK) return ex_from_ctx(I);
  return v_bool(r);
}

static value *m_close(interp *I, value *self, call_args *a) {
  static const char *const kw[] = {"other", "rtol", "atol", "equal_nan", NULL};
  const char *name = fname(I);
  value *o, *rt = NULL, *at = NULL, *en = NULL;
  if (!args_check(I, a, name, 4, kw) || !other_tensor(I, a, name, &o) || !arg_get(I, a, name, 1, "rtol", &rt) ||
      !arg_get(I, a, name, 2, "atol", &at) || !arg_get(I, a, name, 3, "equal_nan", &en))
    return NULL;
  double rtol = TC_DEFAULT_RTOL, atol = TC_DEFAULT_ATOL;
  bool nan = false;
  if ((rt && !to_double(I, rt, "rtol", &rtol)) || (at && !to_double(I, at, "atol", &atol)) ||
      (en && !to_bool(I, en, &nan)))
    return NULL;
  if (I->calling->tag) return tensor_result(I, tc_isclose(self->t, o->t, rtol, atol, nan));
  bool r = tc_allclose(self->t, o->t, rtol, atol, nan);
  if (tc_last_status(I->ctx) != TC_OK) return ex_from_ctx(I);
  return v_bool(r);
}

/* ---- masking and gathering ----------------------------------------------------- */

static value *m_masked_fill(interp *I, value *self, call_args *a) {
  static const char *const kw[] = {"mask", "value", NULL};
  const char *name = fname(I);
  value *mask = NULL, *val = NULL;
  if (!args_check(I, a, name, 2, kw) || !arg_get(I, a, name, 0, "mask", &mask) || !arg_get(I, a, name, 1, "value", &val))
    return NULL;
  if (!mask || mask->kind != V_TENSOR || !val)
    return ex_raise(I, X_TYPE, "%s() expects a mask tensor and a value", name);
  double x;
  if (!to_double(I, val, "value", &x)) return NULL;
  if (I->calling->tag) {
    if (tc_masked_fill_(self->t, mask->t, x) != TC_OK) return ex_from_ctx(I);
    return v_incref(self);
  }
  return tensor_result(I, tc_masked_fill(self->t, mask->t, x));
}

static value *m_masked_select(interp *I, value *self, call_args *a) {
  static const char *const kw[] = {"mask", NULL};
  value *mask = NULL;
  if (!args_check(I, a, "masked_select", 1, kw) || !arg_get(I, a, "masked_select", 0, "mask", &mask)) return NULL;
  if (!mask || mask->kind != V_TENSOR) return ex_raise(I, X_TYPE, "masked_select(): argument 'mask' must be Tensor");
  return tensor_result(I, tc_masked_select(self->t, mask->t));
}

static value *m_index_select(interp *I, value *self, call_args *a) {
  static const char *const kw[] = {"dim", "index", NULL};
  value *dim = NULL, *idx = NULL;
  int64_t d;
  if (!args_check(I, a, "index_select", 2, kw) || !arg_get(I, a, "index_select", 0, "dim", &dim) ||
      !arg_get(I, a, "index_select", 1, "index", &idx))
    return NULL;
  if (!dim || !idx || idx->kind != V_TENSOR)
    return ex_raise(I, X_TYPE, "index_select() expects (int dim, Tensor index)");
  if (!to_int(I, dim, "dim", &d)) return NULL;
  return tensor_result(I, tc_index_select(self->t, (int)(d < -1000 ? -1000 : d > 1000 ? 1000 : d), idx->t));
}

/* index_put_(indices, values, accumulate=False) and masked_scatter_(mask,
 * source); without the underscore on a copy. */
static value *m_index_put(interp *I, value *self, call_args *a) {
  static const char *const kw[] = {"indices", "values", "accumulate", NULL};
  const char *name = fname(I);
  value *ix = NULL, *vals = NULL, *acc = NULL;
  bool accumulate = false;
  if (!args_check(I, a, name, 2, kw) || !arg_get(I, a, name, 0, "indices", &ix) ||
      !arg_get(I, a, name, 1, "values", &vals) || !arg_get(I, a, name, 2, "accumulate", &acc))
    return NULL;
  if (acc && !to_bool(I, acc, &accumulate)) return NULL;
  if (!ix || (ix->kind != V_TUPLE && ix->kind != V_LIST) || !vals || vals->kind != V_TENSOR)
    return ex_raise(I, X_TYPE, "%s(): argument 'indices' must be tuple of Tensors, and 'values' a Tensor", name);
  int n = ix->seq.n;
  tc_tensor *idx[TC_MAX_DIMS];
  if (n > TC_MAX_DIMS) return ex_raise(I, X_INDEX, "too many indices for tensor of dimension %d (got %d)",
                                       tc_tensor_ndim(self->t), n);
  for (int i = 0; i < n; i++) {
    if (ix->seq.items[i]->kind != V_TENSOR)
      return ex_raise(I, X_TYPE, "%s(): argument 'indices' must be tuple of Tensors", name);
    idx[i] = ix->seq.items[i]->t;
  }
  value *dst = I->calling->tag ? v_incref(self) : tensor_result(I, tc_clone(self->t));
  if (dst && tc_index_put_(dst->t, n, idx, vals->t, accumulate) != TC_OK) {
    v_decref(dst);
    return ex_from_ctx(I);
  }
  return dst;
}

static value *m_masked_scatter(interp *I, value *self, call_args *a) {
  static const char *const kw[] = {"mask", "source", NULL};
  const char *name = fname(I);
  value *mask = NULL, *src = NULL;
  if (!args_check(I, a, name, 2, kw) || !arg_get(I, a, name, 0, "mask", &mask) ||
      !arg_get(I, a, name, 1, "source", &src))
    return NULL;
  if (!mask || mask->kind != V_TENSOR || !src || src->kind != V_TENSOR)
    return ex_raise(I, X_TYPE, "%s() expects a mask tensor and a source tensor", name);
  value *dst = I->calling->tag ? v_incref(self) : tensor_result(I, tc_clone(self->t));
  if (dst && tc_masked_scatter_(dst->t, mask->t, src->t) != TC_OK) {
    v_decref(dst);
    return ex_from_ctx(I);
  }
  return dst;
}

static value *m_nonzero(interp *I, value *self, call_args *a) {
  static const char *const kw[] = {"as_tuple", NULL};
  value *at = NULL;
  bool as_tuple = false;
  if (!args_check(I, a, "nonzero", 0, kw) || !arg_get(I, a, "nonzero", -1, "as_tuple", &at)) return NULL;
  if (at && !to_bool(I, at, &as_tuple)) return NULL;
  value *nz = tensor_result(I, tc_nonzero(self->t));
  if (!nz || !as_tuple) return nz;
  int nd = tc_tensor_ndim(self->t);
  value *t = v_seq_new(V_TUPLE, nd);
  for (int d = 0; t && d < nd; d++) {
    value *col = tensor_result(I, tc_select(nz->t, 1, d));
    if (!col) {
      v_decref(t);
      t = NULL;
      break;
    }
    v_seq_set(t, d, col);
  }
  v_decref(nz);
  return t ? t : (I->has_exc ? NULL : ex_nomem(I));
}

#define UN(name, idx, fl) {name, m_unary, idx, TF_METHOD | TF_TORCH | (fl)}
#define BIN(name, op) {name, m_binary, op, TF_METHOD | TF_TORCH | TF_INPLACE}
#define RED(name, idx) {name, m_reduce, idx, TF_METHOD | TF_TORCH}

const builtin_def tensor_ops_table[] = {
    UN("abs", U_ABS, TF_INPLACE), UN("absolute", U_ABS, TF_INPLACE), UN("neg", U_NEG, TF_INPLACE),
    UN("negative", U_NEG, TF_INPLACE), UN("sign", U_SIGN, TF_INPLACE), UN("exp", U_EXP, TF_INPLACE),
    UN("exp2", U_EXP2, TF_INPLACE), UN("log", U_LOG, TF_INPLACE), UN("log2", U_LOG2, TF_INPLACE),
    UN("log1p", U_LOG1P, TF_INPLACE), UN("expm1", U_EXPM1, TF_INPLACE), UN("sqrt", U_SQRT, TF_INPLACE),
    UN("rsqrt", U_RSQRT, TF_INPLACE), UN("sin", U_SIN, TF_INPLACE), UN("cos", U_COS, TF_INPLACE),
    UN("tan", U_TAN, TF_INPLACE), UN("tanh", U_TANH, TF_INPLACE | TF_FUNCTIONAL),
    UN("sigmoid", U_SIGMOID, TF_INPLACE | TF_FUNCTIONAL), UN("relu", U_RELU, TF_INPLACE | TF_FUNCTIONAL),
    {"gelu", m_unary, U_GELU, TF_FUNCTIONAL}, {"silu", m_silu, 0, TF_FUNCTIONAL},
    UN("floor", U_FLOOR, TF_INPLACE), UN("ceil", U_CEIL, TF_INPLACE), UN("trunc", U_TRUNC, TF_INPLACE),
    UN("fix", U_TRUNC, TF_INPLACE), UN("reciprocal", U_RECIPROCAL, TF_INPLACE), UN("square", U_SQUARE, TF_INPLACE),
    UN("logical_not", U_LOGICAL_NOT, TF_INPLACE), UN("bitwise_not", U_BITWISE_NOT, TF_INPLACE),
    UN("isnan", U_ISNAN, 0), UN("isinf", U_ISINF, 0), UN("isfinite", U_ISFINITE, 0),
    {"round", m_round, 0, TF_METHOD | TF_TORCH | TF_INPLACE},
    BIN("add", TC_OP_ADD), BIN("sub", TC_OP_SUB), BIN("subtract", TC_OP_SUB), BIN("mul", TC_OP_MUL),
    BIN("multiply", TC_OP_MUL), BIN("div", TC_OP_DIV), BIN("divide", TC_OP_DIV), BIN("true_divide", TC_OP_DIV),
    BIN("floor_divide", TC_OP_FLOOR_DIVIDE), BIN("remainder", TC_OP_REMAINDER), BIN("pow", TC_OP_POW),
    BIN("maximum", TC_OP_MAXIMUM), BIN("minimum", TC_OP_MINIMUM), BIN("logical_and", TC_OP_LOGICAL_AND),
    BIN("logical_or", TC_OP_LOGICAL_OR), BIN("logical_xor", TC_OP_LOGICAL_XOR),
    BIN("bitwise_and", TC_OP_BITWISE_AND), BIN("bitwise_or", TC_OP_BITWISE_OR),
    BIN("bitwise_xor", TC_OP_BITWISE_XOR), BIN("bitwise_left_shift", TC_OP_LSHIFT),
    BIN("bitwise_right_shift", TC_OP_RSHIFT), BIN("eq", TC_OP_EQ), BIN("ne", TC_OP_NE), BIN("not_equal", TC_OP_NE),
    BIN("lt", TC_OP_LT), BIN("less", TC_OP_LT), BIN("le", TC_OP_LE), BIN("less_equal", TC_OP_LE),
    BIN("gt", TC_OP_GT), BIN("greater", TC_OP_GT), BIN("ge", TC_OP_GE), BIN("greater_equal", TC_OP_GE),
    {"matmul", m_matmul, 0, TF_METHOD | TF_TORCH}, {"mm", m_matmul, 0, TF_METHOD | TF_TORCH},
    {"bmm", m_matmul, 0, TF_METHOD | TF_TORCH}, {"dot", m_matmul, 0, TF_METHOD | TF_TORCH},
    {"clamp", m_clamp, 0, TF_METHOD | TF_TORCH | TF_INPLACE}, {"clip", m_clamp, 0, TF_METHOD | TF_TORCH | TF_INPLACE},
    {"where", m_where, 0, TF_METHOD},
    RED("sum", R_SUM), RED("prod", R_PROD), RED("mean", R_MEAN), RED("amax", R_AMAX), RED("amin", R_AMIN),
    RED("all", R_ALL), RED("any", R_ANY), RED("logsumexp", R_LOGSUMEXP),
    {"var", m_varstd, 0, TF_METHOD | TF_TORCH}, {"std", m_varstd, 1, TF_METHOD | TF_TORCH},
    {"max", m_maxmin, 1, TF_METHOD | TF_TORCH}, {"min", m_maxmin, 0, TF_METHOD | TF_TORCH},
    {"argmax", m_argmaxmin, 1, TF_METHOD | TF_TORCH}, {"argmin", m_argmaxmin, 0, TF_METHOD | TF_TORCH},
    {"softmax", m_softmax, 0, TF_METHOD | TF_TORCH | TF_FUNCTIONAL},
    {"log_softmax", m_softmax, 1, TF_METHOD | TF_TORCH | TF_FUNCTIONAL},
    {"count_nonzero", m_count_nonzero, 0, TF_METHOD | TF_TORCH},
    {"equal", m_equal, 0, TF_METHOD | TF_TORCH}, {"allclose", m_close, 0, TF_METHOD | TF_TORCH},
    {"isclose", m_close, 1, TF_METHOD | TF_TORCH},
    {"masked_fill", m_masked_fill, 0, TF_METHOD | TF_TORCH}, {"masked_fill_", m_masked_fill, 1, TF_METHOD},
    {"masked_select", m_masked_select, 0, TF_METHOD | TF_TORCH},
    {"index_select", m_index_select, 0, TF_METHOD | TF_TORCH}, {"nonzero", m_nonzero, 0, TF_METHOD | TF_TORCH},
    {"index_put", m_index_put, 0, TF_METHOD | TF_TORCH}, {"index_put_", m_index_put, 1, TF_METHOD},
    {"masked_scatter", m_masked_scatter, 0, TF_METHOD | TF_TORCH}, {"masked_scatter_", m_masked_scatter, 1, TF_METHOD},
    {NULL, NULL, 0, 0}};
