/*
 * ops.c — the math of the Tensor API (elementwise, comparisons,
 * reductions, max/min with their return types, softmax, clamp, matmul,
 * masked_fill; gathers and scatters are in select.c), and the Op type
 * that serves one table entry as a method (t.add(x)), as its in-place form
 * (t.add_(x): computed, then written back into t's elements), and as a
 * function (torch.add(t, x), torch.nn.functional.relu(t)). Keyword names follow PyTorch's signatures.
 * The table's last column is how torch.NAME takes out= (out.c).
 */
#include <string.h>
#include "tcpy.h"

#define OPFN(name) static PyObject *name(tcpy_tensor *self, PyObject *args, PyObject *kw, int tag, const char *fn)
#define WRAP(x) tcpy_wrap(self->ctx, (x))
#define CTX (self->ctx->ctx)

#define tensor_arg tcpy_tensor_arg

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

OPFN(m_unary) {
  static const char *const names[] = {"approximate", "inplace", NULL};
  PyObject *a[2];
  if (!tcpy_parse(fn, args, kw, 0, names, a)) return NULL;
  return WRAP(unary_fns[tag](self->t));
}

OPFN(m_silu) {
  static const char *const names[] = {"inplace", NULL};
  PyObject *a[1];
  if (!tcpy_parse(fn, args, kw, 0, names, a)) return NULL;
  tc_tensor *s = tc_sigmoid(self->t);
  tc_tensor *r = tc_mul(self->t, s);
  tc_tensor_release(s);
  return WRAP(r);
}

OPFN(m_round) {
  static const char *const names[] = {"decimals", NULL};
  PyObject *a[1];
  int64_t dec = 0;
  if (!tcpy_parse(fn, args, kw, 0, names, a) || (a[0] && !tcpy_to_int(a[0], "decimals", &dec))) return NULL;
  if (!dec) return WRAP(tc_round(self->t));
  double p = 1;
  for (int64_t i = 0; i < (dec < 0 ? -dec : dec) && i < 300; i++) p *= 10;
  if (dec < 0) p = 1 / p;
  tc_tensor *x = tc_mul_scalar(self->t, p), *r = tc_round(x);
  tc_tensor *y = tc_binary_scalar(TC_OP_DIV, r, p, true, false);
  tc_tensor_release(x);
  tc_tensor_release(r);
  return WRAP(y);
}

OPFN(m_binary) {
  static const char *const names[] = {"other", "alpha", "rounding_mode", NULL};
  static const char *const pow_names[] = {"exponent", "alpha", "rounding_mode", NULL};
  PyObject *a[3];
  tc_binop op = (tc_binop)tag;
  if (!tcpy_parse(fn, args, kw, 1, op == TC_OP_POW ? pow_names : names, a)) return NULL;
  if (!a[0]) {
    PyErr_Format(PyExc_TypeError, "%s() missing 1 required positional argument: 'other'", fn);
    return NULL;
  }
  PyObject *other = a[0], *scaled = NULL;
  if (a[1] && (op == TC_OP_ADD || op == TC_OP_SUB)) {
    int ak = tcpy_number_kind(a[1]), ok = tcpy_number_kind(other);
    bool self_bool = tc_tensor_dtype(self->t) == TC_BOOL;
    bool other_bool = tcpy_is_tensor(other) ? tc_tensor_dtype(TT(other)) == TC_BOOL : ok == NUM_BOOL;
    if (ak == NUM_BOOL && !(self_bool && other_bool)) {
      PyErr_SetString(PyExc_RuntimeError, "Boolean alpha only supported for Boolean results.");
      return NULL;
    }
    if (tcpy_is_tensor(other) && (ak == NUM_INT || ak == NUM_FLOAT || ak == NUM_BOOL)) {
      double al;
      if (!tcpy_to_double(a[1], "alpha", &al)) return NULL;
      return WRAP((op == TC_OP_ADD ? tc_add_alpha : tc_sub_alpha)(self->t, TT(other), al, ak == NUM_FLOAT));
    }
    if (ak == NUM_FLOAT && (ok == NUM_INT || ok == NUM_BOOL) && !tc_dtype_is_floating(tc_tensor_dtype(self->t))) {
      PyErr_SetString(PyExc_RuntimeError, "For integral input tensors, argument alpha must not be a floating point number.");
      return NULL;
    }
    if (!(scaled = PyNumber_Multiply(other, a[1]))) return NULL;
    other = scaled;
  }
  PyObject *r = NULL;
  PyObject *mode = a[2] && a[2] != Py_None ? a[2] : NULL;
  bool floor = mode && PyUnicode_Check(mode) && !PyUnicode_CompareWithASCIIString(mode, "floor");
  bool trunc = mode && PyUnicode_Check(mode) && !PyUnicode_CompareWithASCIIString(mode, "trunc");
  if (op == TC_OP_DIV && mode && !floor && !trunc) {
    PyErr_Format(PyExc_RuntimeError, "div expected rounding_mode to be one of None, 'trunc', or 'floor' but found '%S'", mode);
  } else if (op == TC_OP_DIV && floor) {
    r = tcpy_binary(TC_OP_FLOOR_DIVIDE, (PyObject *)self, other);
  } else if (op == TC_OP_DIV && trunc && tcpy_number_kind(other) != NUM_FLOAT) {
    /* a tensor or an int: the library's exact integer quotient (a Python
       float keeps its double value through the path below) */
    tc_tensor *o = tcpy_operand(self->ctx, other, fn, "other");
    r = o ? WRAP(tc_div_trunc(self->t, o)) : NULL;
    tc_tensor_release(o);
    if (!o && PyErr_ExceptionMatches(PyExc_TypeError)) { /* not a number: binary's NotImplemented path */
      PyErr_Clear();
      r = Py_NotImplemented;
      Py_INCREF(r);
    }
  } else if (op == TC_OP_DIV && trunc) {
    PyObject *q = tcpy_binary(TC_OP_DIV, (PyObject *)self, other);
    if (q && q != Py_NotImplemented) {
      r = WRAP(tc_trunc(TT(q)));
      tc_dtype want = tc_tensor_dtype(self->t);
      int k = tcpy_number_kind(other);
      bool int_other = k == NUM_INT || k == NUM_BOOL ||
                       (tcpy_is_tensor(other) && !tc_dtype_is_floating(tc_tensor_dtype(TT(other))));
      if (r && !tc_dtype_is_floating(want) && int_other) {
        tc_dtype dt = tcpy_is_tensor(other) ? tc_promote_types(want, tc_tensor_dtype(TT(other))) : want;
        PyObject *c = WRAP(tc_to_dtype(TT(r), dt));
        Py_DECREF(r);
        r = c;
      }
    }
    Py_XDECREF(q);
  } else {
    r = tcpy_binary(op, (PyObject *)self, other);
  }
  Py_XDECREF(scaled);
  if (r == Py_NotImplemented) {
    Py_DECREF(r);
    PyObject *n = PyObject_GetAttrString((PyObject *)Py_TYPE(other), "__name__");
    PyErr_Format(PyExc_TypeError, "%s(): argument 'other' (position 1) must be Tensor, not %U", fn, n);
    Py_XDECREF(n);
    r = NULL;
  }
  return r;
}

OPFN(m_matmul) {
  static const char *const names[] = {"other", NULL};
  static const char *const mm_names[] = {"mat2", NULL};
  PyObject *a[1];
  bool mm = !strcmp(fn, "mm") || !strcmp(fn, "bmm");
  if (!tcpy_parse(fn, args, kw, 1, mm ? mm_names : names, a)) return NULL;
  tcpy_tensor *o = tensor_arg(a[0], fn, mm ? "mat2" : "other", 1);
  if (!o) return NULL;
  tc_tensor *(*f)(tc_tensor *, tc_tensor *) = !strcmp(fn, "mm") ? tc_mm : !strcmp(fn, "bmm") ? tc_bmm
                                            : !strcmp(fn, "dot") ? tc_dot : tc_matmul;
  return WRAP(f(self->t, o->t));
}

OPFN(m_clamp) {
  static const char *const names[] = {"min", "max", NULL};
  PyObject *a[2];
  if (!tcpy_parse(fn, args, kw, 2, names, a)) return NULL;
  PyObject *lo = a[0] && a[0] != Py_None ? a[0] : NULL, *hi = a[1] && a[1] != Py_None ? a[1] : NULL;
  if (!lo && !hi) {
    PyErr_SetString(PyExc_RuntimeError, "torch.clamp: At least one of 'min' or 'max' must not be None");
    return NULL;
  }
  if ((!lo || tcpy_number_kind(lo)) && (!hi || tcpy_number_kind(hi))) {
    /* scalar bounds keep the tensor's dtype, as PyTorch's clamp(Scalar) */
    double l = 0, h = 0;
    if ((lo && !tcpy_to_double(lo, "min", &l)) || (hi && !tcpy_to_double(hi, "max", &h))) return NULL;
    bool fl = lo && tcpy_number_kind(lo) == NUM_FLOAT, fh = hi && tcpy_number_kind(hi) == NUM_FLOAT;
    tc_tensor *t = self->t, *m = NULL;
    /* a float bound of an integer tensor: float, as result_type says */
    tc_dtype dt = tc_tensor_dtype(t);
    bool tf = dt == TC_F16 || dt == TC_BF16 || dt == TC_F32 || dt == TC_F64;
    if (!tf && (fl || fh)) t = m = tc_to_dtype(t, S.default_dtype);
    PyObject *r = !t ? NULL : lo && hi ? WRAP(tc_clamp_scalar(t, l, h)) : lo ? WRAP(tc_clamp_min_scalar(t, l))
                                                                               : WRAP(tc_clamp_max_scalar(t, h));
    tc_tensor_release(m);
    if (r && tc_tensor_dtype(TT(r)) != tc_tensor_dtype(self->t) && (!lo || tcpy_number_kind(lo) != NUM_FLOAT) &&
        (!hi || tcpy_number_kind(hi) != NUM_FLOAT)) {
      PyObject *c = WRAP(tc_to_dtype(TT(r), tc_tensor_dtype(self->t)));
      Py_DECREF(r);
      r = c;
    }
    return r;
  }
  tc_tensor *l = lo ? tcpy_operand(self->ctx, lo, "clamp", "min") : NULL;
  tc_tensor *h = hi && (!lo || l) ? tcpy_operand(self->ctx, hi, "clamp", "max") : NULL;
  PyObject *r = NULL;
  if ((!lo || l) && (!hi || h)) r = WRAP(tc_clamp(self->t, l, h));
  tc_tensor_release(l);
  tc_tensor_release(h);
  return r;
}

/* cond.where(cond, other) as a method: where(cond, self, other). */
OPFN(m_where) {
  static const char *const names[] = {"condition", "other", NULL};
  PyObject *a[2];
  if (!tcpy_parse(fn, args, kw, 2, names, a)) return NULL;
  if (!a[0] || !a[1]) {
    PyErr_SetString(PyExc_TypeError, "where() missing required arguments 'condition' and 'other'");
    return NULL;
  }
  tc_tensor *c = tcpy_operand(self->ctx, a[0], "where", "condition");
  tc_tensor *o = c ? tcpy_operand(self->ctx, a[1], "where", "other") : NULL;
  PyObject *r = o ? WRAP(tc_where(c, self->t, o)) : NULL;
  tc_tensor_release(c);
  tc_tensor_release(o);
  return r;
}

/* ---- reductions --------------------------------------------------------------- */

typedef tc_tensor *(*reduce_fn)(tc_tensor *, const int *, int, bool);
static const reduce_fn reduce_fns[] = {tc_sum, tc_prod, tc_mean, tc_amax, tc_amin, tc_all, tc_any, tc_logsumexp};
enum { R_SUM, R_PROD, R_MEAN, R_AMAX, R_AMIN, R_ALL, R_ANY, R_LOGSUMEXP };

/* (dim, keepdim, dtype=, axis=): dim NULL when absent or None */
static bool dim_keep(const char *fn, PyObject *args, PyObject *kw, PyObject **dim, bool *keep, PyObject **dtype) {
  static const char *const names[] = {"dim", "keepdim", "dtype", "axis", NULL};
  PyObject *a[4];
  *keep = false;
  if (!tcpy_parse(fn, args, kw, 2, names, a)) return false;
  *dim = a[0] ? a[0] : a[3];
  if (*dim == Py_None) *dim = NULL;
  if (dtype) *dtype = a[2] && a[2] != Py_None ? a[2] : NULL;
  else if (a[2]) return PyErr_Format(PyExc_TypeError, "%s() got an unexpected keyword argument 'dtype'", fn), false;
  return !a[1] || tcpy_to_bool(a[1], "keepdim", keep);
}

OPFN(m_reduce) {
  PyObject *dim, *dtv;
  bool keep;
  if (!dim_keep(fn, args, kw, &dim, &keep, &dtv)) return NULL;
  int dims[TC_MAX_DIMS], nd = 0;
  if (dim && !tcpy_to_dims(dim, &nd, dims)) return NULL;
  if (tag == R_LOGSUMEXP && !dim) {
    PyErr_SetString(PyExc_TypeError, "logsumexp() missing 1 required positional arguments: \"dim\"");
    return NULL;
  }
  if (dtv && (tag == R_SUM || tag == R_PROD)) { /* the library keeps dtype's wrap-around */
    tc_dtype dt;
    if (!tcpy_to_dtype(dtv, &dt)) return NULL;
    return WRAP((tag == R_SUM ? tc_sum_dtype : tc_prod_dtype)(self->t, nd ? dims : NULL, nd, keep, dt));
  }
  tc_tensor *x = tc_tensor_retain(self->t);
  if (dtv) {
    tc_dtype dt;
    if (!tcpy_to_dtype(dtv, &dt)) {
      tc_tensor_release(x);
      return NULL;
    }
    if (tag == R_MEAN && !tc_dtype_is_floating(dt)) { /* checked before the cast, in PyTorch's words */
      tc_tensor_release(x);
      PyErr_Format(PyExc_NotImplementedError, "mean(): could not infer output dtype. Optional dtype must be either a "
                   "floating point or complex dtype. Got: %s", tcpy_dtype_torch_name(dt));
      return NULL;
    }
    tc_tensor *c = tc_to_dtype(x, dt);
    tc_tensor_release(x);
    if (!(x = c)) return tcpy_raise(CTX);
  }
  tc_tensor *r = reduce_fns[tag](x, nd ? dims : NULL, nd, keep);
  tc_tensor_release(x);
  return WRAP(r);
}

OPFN(m_varstd) {
  static const char *const names[] = {"dim", "unbiased", "keepdim", "correction", NULL};
  PyObject *a[4];
  if (!tcpy_parse(fn, args, kw, 3, names, a)) return NULL;
  PyObject *dim = a[0], *unb = a[1];
  if (dim && PyBool_Check(dim) && !unb) { /* var(False): the unbiased flag */
    unb = dim;
    dim = NULL;
  }
  if (dim == Py_None) dim = NULL;
  int dims[TC_MAX_DIMS], nd = 0;
  bool keep = false, ub = true;
  double c = 1;
  if ((dim && !tcpy_to_dims(dim, &nd, dims)) || (a[2] && !tcpy_to_bool(a[2], "keepdim", &keep)) ||
      (unb && !tcpy_to_bool(unb, "unbiased", &ub)))
    return NULL;
  if (!ub) c = 0;
  if (a[3] && a[3] != Py_None && !tcpy_to_double(a[3], "correction", &c)) return NULL;
  return WRAP((tag ? tc_std : tc_var)(self->t, nd ? dims : NULL, nd, c, keep));
}

/* max()/min(): all elements, along a dim (values, indices), or elementwise. */
OPFN(m_maxmin) {
  bool is_max = tag;
  const char *name = is_max ? "max" : "min";
  if (PyTuple_Size(args) >= 1 && tcpy_is_tensor(PyTuple_GetItem(args, 0))) {
    tcpy_tensor *o = tensor_arg(PyTuple_GetItem(args, 0), name, "other", 1);
    if (!o) return NULL;
    return WRAP((is_max ? tc_maximum : tc_minimum)(self->t, o->t));
  }
  PyObject *dim;
  bool keep;
  if (!dim_keep(name, args, kw, &dim, &keep, NULL)) return NULL;
  if (!dim) return WRAP((is_max ? tc_max_all : tc_min_all)(self->t));
  int d;
  if (!tcpy_to_dim(dim, &d)) return NULL;
  tc_tensor *vals = NULL, *idx = NULL;
  if ((is_max ? tc_max_dim : tc_min_dim)(self->t, d, keep, &vals, &idx) != TC_OK) {
    tc_tensor_release(vals);
    tc_tensor_release(idx);
    return tcpy_raise(CTX);
  }
  PyObject *v = WRAP(vals), *i = WRAP(idx);
  return tcpy_return_pair(name, v, i);
}

OPFN(m_argmaxmin) {
  PyObject *dim;
  bool keep;
  if (!dim_keep(fn, args, kw, &dim, &keep, NULL)) return NULL;
  int d = 0;
  if (dim && !tcpy_to_dim(dim, &d)) return NULL;
  if (tc_tensor_dtype(self->t) == TC_BOOL) {
    PyErr_Format(PyExc_NotImplementedError, "\"%s_cpu\" not implemented for 'Bool'", tag ? "argmax" : "argmin");
    return NULL;
  }
  return WRAP((tag ? tc_argmax : tc_argmin)(self->t, dim != NULL, d, keep));
}

OPFN(m_softmax) {
  static const char *const names[] = {"dim", "dtype", "_stacklevel", NULL};
  PyObject *a[3];
  int d;
  if (!tcpy_parse(fn, args, kw, 2, names, a)) return NULL;
  if (!a[0] || a[0] == Py_None) {
    PyErr_Format(PyExc_TypeError, "%s() missing 1 required positional argument: 'dim'", fn);
    return NULL;
  }
  if (!tcpy_to_dim(a[0], &d)) return NULL;
  tc_tensor *x = tc_tensor_retain(self->t);
  if (a[1] && a[1] != Py_None) {
    tc_dtype dt;
    if (!tcpy_to_dtype(a[1], &dt)) {
      tc_tensor_release(x);
      return NULL;
    }
    tc_tensor *c = tc_to_dtype(x, dt);
    tc_tensor_release(x);
    if (!(x = c)) return tcpy_raise(CTX);
  }
  tc_tensor *r = tag ? tc_log_softmax(x, d) : tc_softmax(x, d);
  tc_tensor_release(x);
  return WRAP(r);
}

/* ---- comparison of whole tensors ------------------------------------------------ */

OPFN(m_equal) {
  static const char *const names[] = {"other", NULL};
  PyObject *a[1];
  if (!tcpy_parse(fn, args, kw, 1, names, a)) return NULL;
  tcpy_tensor *o = tensor_arg(a[0], fn, "other", 2);
  if (!o) return NULL;
  bool r = tc_equal(self->t, o->t);
  if (tc_last_status(CTX) != TC_OK) return tcpy_raise(CTX);
  return PyBool_FromLong(r);
}

OPFN(m_close) {
  static const char *const names[] = {"other", "rtol", "atol", "equal_nan", NULL};
  PyObject *a[4];
  if (!tcpy_parse(fn, args, kw, 4, names, a)) return NULL;
  tcpy_tensor *o = tensor_arg(a[0], fn, "other", 2);
  double rtol = TC_DEFAULT_RTOL, atol = TC_DEFAULT_ATOL;
  bool nan = false;
  if (!o || (a[1] && !tcpy_to_double(a[1], "rtol", &rtol)) || (a[2] && !tcpy_to_double(a[2], "atol", &atol)) ||
      (a[3] && !tcpy_to_bool(a[3], "equal_nan", &nan)))
    return NULL;
  if (tag) return WRAP(tc_isclose(self->t, o->t, rtol, atol, nan));
  bool r = tc_allclose(self->t, o->t, rtol, atol, nan);
  if (tc_last_status(CTX) != TC_OK) return tcpy_raise(CTX);
  return PyBool_FromLong(r);
}

/* ---- masking ------------------------------------------------------- */

OPFN(m_masked_fill) {
  static const char *const names[] = {"mask", "value", NULL};
  PyObject *a[2];
  double x;
  if (!tcpy_parse(fn, args, kw, 2, names, a)) return NULL;
  tcpy_tensor *m = tensor_arg(a[0], fn, "mask", 1);
  if (!m) return NULL;
  if (!a[1]) {
    PyErr_Format(PyExc_TypeError, "%s() missing 1 required positional argument: \"value\"", fn);
    return NULL;
  }
  if (!tcpy_to_double(a[1], "value", &x)) return NULL;
  if (tag) {
    if (tc_masked_fill_(self->t, m->t, x) != TC_OK) return tcpy_raise(CTX);
    Py_INCREF(self);
    return (PyObject *)self;
  }
  return WRAP(tc_masked_fill(self->t, m->t, x));
}

#define UN(name, idx, fl, out) {name, m_unary, idx, OF_METHOD | OF_TORCH | (fl), out}
#define BIN(name, op) {name, m_binary, op, OF_METHOD | OF_TORCH | OF_INPLACE, OUT_CAST | OUT_APART}
#define RED(name, idx, out) {name, m_reduce, idx, OF_METHOD | OF_TORCH, out}
#define MT (OF_METHOD | OF_TORCH)
#define IP OF_INPLACE
/* out=: unary float ops cast (TensorIterator); those that keep the dtype want out's to be it */
#define FL (OUT_CAST | OUT_APART)
#define KEEP (OUT_SAME | OUT_APART)

const tcpy_opdef tcpy_math_ops[] = {
    UN("abs", U_ABS, IP, KEEP), UN("absolute", U_ABS, IP, KEEP), UN("neg", U_NEG, IP, KEEP),
    UN("negative", U_NEG, IP, KEEP), UN("sign", U_SIGN, IP, KEEP), UN("exp", U_EXP, IP, FL),
    UN("exp2", U_EXP2, IP, FL), UN("log", U_LOG, IP, FL), UN("log2", U_LOG2, IP, FL),
    UN("log1p", U_LOG1P, IP, FL), UN("expm1", U_EXPM1, IP, FL), UN("sqrt", U_SQRT, IP, FL),
    UN("rsqrt", U_RSQRT, IP, FL), UN("sin", U_SIN, IP, FL), UN("cos", U_COS, IP, FL),
    UN("tan", U_TAN, IP, FL), UN("tanh", U_TANH, IP | OF_FUNCTIONAL, FL),
    UN("sigmoid", U_SIGMOID, IP | OF_FUNCTIONAL, FL), UN("relu", U_RELU, IP | OF_FUNCTIONAL, 0),
    {"gelu", m_unary, U_GELU, OF_FUNCTIONAL}, {"silu", m_silu, 0, OF_FUNCTIONAL},
    UN("floor", U_FLOOR, IP, KEEP), UN("ceil", U_CEIL, IP, KEEP), UN("trunc", U_TRUNC, IP, KEEP),
    UN("fix", U_TRUNC, IP, KEEP), UN("reciprocal", U_RECIPROCAL, IP, FL), UN("square", U_SQUARE, IP, FL),
    UN("logical_not", U_LOGICAL_NOT, IP, FL), UN("bitwise_not", U_BITWISE_NOT, IP, KEEP),
    UN("isnan", U_ISNAN, 0, 0), UN("isinf", U_ISINF, 0, 0), UN("isfinite", U_ISFINITE, 0, 0),
    {"round", m_round, 0, MT | IP, KEEP},
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
    {"matmul", m_matmul, 0, MT, OUT_EXACT}, {"mm", m_matmul, 0, MT, OUT_EXACT}, {"bmm", m_matmul, 0, MT, OUT_EXACT},
    {"dot", m_matmul, 0, MT, OUT_DOT},
    {"clamp", m_clamp, 0, MT | IP, OUT_CLAMP | OUT_APART}, {"clip", m_clamp, 0, MT | IP, OUT_CLAMP | OUT_APART},
    {"where", m_where, 0, OF_METHOD},
    RED("sum", R_SUM, OUT_ACC), RED("prod", R_PROD, OUT_ACC), RED("mean", R_MEAN, OUT_CAST),
    RED("amax", R_AMAX, OUT_AMAX), RED("amin", R_AMIN, OUT_AMAX), RED("all", R_ALL, OUT_BOOL),
    RED("any", R_ANY, OUT_BOOL), RED("logsumexp", R_LOGSUMEXP, OUT_FLOAT),
    {"var", m_varstd, 0, MT, OUT_CAST}, {"std", m_varstd, 1, MT, OUT_CAST},
    {"max", m_maxmin, 1, MT, OUT_MAXMIN}, {"min", m_maxmin, 0, MT, OUT_MAXMIN},
    {"argmax", m_argmaxmin, 1, MT, OUT_EXACT}, {"argmin", m_argmaxmin, 0, MT, OUT_EXACT},
    {"softmax", m_softmax, 0, MT | OF_FUNCTIONAL, OUT_EXACT}, {"log_softmax", m_softmax, 1, MT | OF_FUNCTIONAL, OUT_EXACT},
    {"equal", m_equal, 0, MT}, {"allclose", m_close, 0, MT}, {"isclose", m_close, 1, MT},
    {"masked_fill", m_masked_fill, 0, MT}, {"masked_fill_", m_masked_fill, 1, OF_METHOD},
    {NULL, NULL, 0, 0}};

/* ---- the Op type ------------------------------------------------------------------- */

typedef struct {
  PyObject_HEAD
  const tcpy_opdef *def;
  bool inplace;     /* NAME_: the result written back into self */
  bool functional;  /* torch.NAME / F.NAME: the tensor is the first argument */
  bool takes_out;   /* torch.NAME of an entry with out= (out.c); F.NAME and methods take none */
  PyObject *self;   /* bound tensor, or NULL */
  PyObject *name;   /* "add" or "add_" */
} op_obj;

static void op_dealloc(PyObject *o) {
  op_obj *op = (op_obj *)o;
  PyTypeObject *tp = Py_TYPE(o);
  Py_XDECREF(op->self);
  Py_XDECREF(op->name);
  PyObject_Free(o);
  Py_DECREF(tp);
}

static PyObject *op_new(const tcpy_opdef *d, bool inplace, bool functional, PyObject *self, PyObject *name) {
  op_obj *o = PyObject_New(op_obj, S.Op);
  if (!o) return NULL;
  o->def = d;
  o->inplace = inplace;
  o->functional = functional;
  o->takes_out = false;
  Py_XINCREF(self);
  o->self = self;
  Py_INCREF(name);
  o->name = name;
  return (PyObject *)o;
}

static PyObject *op_get(PyObject *o, PyObject *obj, PyObject *type) {
  op_obj *op = (op_obj *)o;
  if (!obj || obj == Py_None || op->functional) {
    Py_INCREF(o);
    return o;
  }
  return op_new(op->def, op->inplace, false, obj, op->name);
}

/* The tensor given by keyword as torch.NAME's first argument: input=, or
 * the name PyTorch gives it (torch.split(tensor=), torch.searchsorted(
 * sorted_sequence=)); borrowed, *name set. */
static PyObject *first_kw(PyObject *kw, const char *fn, const char **name) {
  *name = !strcmp(fn, "split") ? "tensor" : !strcmp(fn, "searchsorted") ? "sorted_sequence" : "input";
  return PyDict_GetItemString(kw, *name);
}

static PyObject *op_call(PyObject *o, PyObject *args, PyObject *kw) {
  op_obj *op = (op_obj *)o;
  const char *fn = op->def->name, *first = "input";
  PyObject *self = op->self, *rest = NULL, *kw2 = NULL;
  if (!self) { /* torch.NAME(input, ...) or Tensor.NAME(t, ...) */
    if (PyTuple_Size(args) > 0) {
      self = PyTuple_GetItem(args, 0);
      rest = PyTuple_GetSlice(args, 1, PyTuple_Size(args));
    } else if (kw && (self = first_kw(kw, fn, &first))) {
      kw2 = PyDict_Copy(kw);
      if (!kw2 || PyDict_DelItemString(kw2, first) < 0) {
        Py_XDECREF(kw2);
        return NULL;
      }
      rest = PyTuple_New(0);
    } else {
      PyErr_Format(PyExc_TypeError, "%s() missing 1 required positional argument: \"input\"", fn);
      return NULL;
    }
    if (!rest) {
      Py_XDECREF(kw2);
      return NULL;
    }
    args = rest;
    if (kw2) kw = kw2;
  }
  PyObject *r = NULL;
  if (!tcpy_is_tensor(self)) {
    PyObject *n = PyObject_GetAttrString((PyObject *)Py_TYPE(self), "__name__");
    PyErr_Format(PyExc_TypeError, "%s(): argument 'input' (position 1) must be Tensor, not %U", fn, n);
    Py_XDECREF(n);
  } else if (tcpy_check_thread((tcpy_tensor *)self) &&
             (!op->inplace || tcpy_check_inplace((tcpy_tensor *)self, args, kw))) {
    if (op->takes_out && kw && PyDict_GetItemString(kw, "out"))
      r = tcpy_out_op(op->def, (tcpy_tensor *)self, args, kw);
    else
      r = op->def->fn((tcpy_tensor *)self, args, kw, op->def->tag, fn);
    if (r && op->inplace) {
      bool ok = tcpy_write_back((tcpy_tensor *)self, TT(r));
      Py_DECREF(r);
      r = NULL;
      if (ok) {
        Py_INCREF(self);
        r = self;
      }
    }
  }
  Py_XDECREF(rest);
  Py_XDECREF(kw2);
  return r;
}

static PyObject *op_repr(PyObject *o) {
  op_obj *op = (op_obj *)o;
  if (op->self) return PyUnicode_FromFormat("<built-in method %U of Tensor object at %p>", op->name, op->self);
  return PyUnicode_FromFormat("<built-in method %U>", op->name);
}

static PyObject *op_getname(PyObject *o, void *unused) {
  Py_INCREF(((op_obj *)o)->name);
  return ((op_obj *)o)->name;
}

static PyGetSetDef op_getset[] = {{"__name__", op_getname, NULL, NULL, NULL},
                                  {"__qualname__", op_getname, NULL, NULL, NULL},
                                  {NULL, NULL, NULL, NULL, NULL}};
static PyType_Slot op_slots[] = {{Py_tp_dealloc, op_dealloc}, {Py_tp_call, op_call},
                                 {Py_tp_descr_get, op_get},   {Py_tp_repr, op_repr},
                                 {Py_tp_getset, op_getset},   {0, NULL}};
static PyType_Spec op_spec = {"tensorc.Op", sizeof(op_obj), 0, Py_TPFLAGS_DEFAULT, op_slots};

static bool install(const tcpy_opdef *d, PyObject *torch, PyObject *functional) {
  PyObject *tensor = (PyObject *)S.Tensor;
  PyObject *name = PyUnicode_FromString(d->name);
  if (!name) return false;
  bool ok = true;
  if (d->flags & OF_METHOD) {
    PyObject *m = op_new(d, false, false, NULL, name);
    ok = m && PyObject_SetAttr(tensor, name, m) == 0;
    Py_XDECREF(m);
  }
  if (ok && (d->flags & OF_TORCH)) {
    PyObject *f = op_new(d, false, true, NULL, name);
    if (f) ((op_obj *)f)->takes_out = d->out != OUT_NONE;
    ok = f && PyObject_SetAttr(torch, name, f) == 0;
    Py_XDECREF(f);
  }
  if (ok && (d->flags & OF_FUNCTIONAL)) {
    PyObject *f = op_new(d, false, true, NULL, name);
    ok = f && PyObject_SetAttr(functional, name, f) == 0;
    Py_XDECREF(f);
  }
  if (ok && (d->flags & OF_INPLACE)) {
    PyObject *iname = PyUnicode_FromFormat("%s_", d->name);
    PyObject *m = iname ? op_new(d, true, false, NULL, iname) : NULL;
    ok = m && PyObject_SetAttr(tensor, iname, m) == 0;
    Py_XDECREF(m);
    Py_XDECREF(iname);
  }
  Py_DECREF(name);
  return ok;
}

bool tcpy_ops_install(PyObject *torch, PyObject *functional) {
  S.Op = (PyTypeObject *)PyType_FromSpec(&op_spec);
  if (!S.Op) return false;
  for (const tcpy_opdef *d = tcpy_math_ops; d->name; d++)
    if (!install(d, torch, functional)) return false;
  const tcpy_opdef *const tables[] = {tcpy_tensor_ops, tcpy_join_ops, tcpy_select_ops, tcpy_sort_ops,
                                      tcpy_random_ops};
  for (size_t k = 0; k < sizeof tables / sizeof tables[0]; k++)
    for (const tcpy_opdef *d = tables[k]; d->name; d++)
      if (!install(d, torch, functional)) return false;
  return true;
}
