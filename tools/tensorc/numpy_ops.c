/*
 * numpy_ops.c — NumPy's operators on arrays and scalars in scripts:
 * binary, in-place, comparison and unary operators and two-operand ufuncs.
 * They follow NumPy 2's promotion (NEP 50): arrays and NumPy scalars keep
 * their dtype, Python ints and floats take the other operand's dtype when
 * they fit its kind; both operands are cast to the result dtype before the
 * tensorc op, and a 0-d result is a NumPy scalar (numpy_array.c wraps).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "numpy.h"
#include "tensor_api.h"

/* A shape as NumPy's messages write it: "(3,4)", "(3,)". */
static void shape_text(char *out, size_t n, tc_tensor *t) {
  int64_t s[TC_MAX_DIMS];
  int nd = tc_tensor_shape(t, s);
  size_t k = (size_t)snprintf(out, n, "(");
  for (int d = 0; d < nd && k < n; d++) k += (size_t)snprintf(out + k, n - k, "%s%lld", d ? "," : "", (long long)s[d]);
  if (k < n) snprintf(out + k, n - k, nd == 1 ? ",)" : ")");
}

/* ---- operands and result dtypes ---------------------------------------------------------- */

/* NumPy's promote_types for the dtypes tensorc has. */
tc_dtype np_promote(tc_dtype a, tc_dtype b) {
  if (a == b || b == TC_BOOL) return a;
  if (a == TC_BOOL) return b;
  bool fa = tc_dtype_is_floating(a), fb = tc_dtype_is_floating(b);
  if (fa && fb) return a > b ? a : b;
  if (!fa && !fb) {
    if (a == TC_U8 || b == TC_U8) {
      tc_dtype o = a == TC_U8 ? b : a;
      return o == TC_I8 ? TC_I16 : o;
    }
    return a > b ? a : b;
  }
  tc_dtype f = fa ? a : b, i = fa ? b : a;
  if (f == TC_F16) return i == TC_I8 || i == TC_U8 ? TC_F16 : i == TC_I16 ? TC_F32 : TC_F64;
  if (f == TC_F32) return i == TC_I8 || i == TC_U8 || i == TC_I16 ? TC_F32 : TC_F64;
  return TC_F64;
}

typedef struct npop {
  tc_tensor *t;   /* owned: the array, or NULL for a scalar */
  tc_dtype dt;    /* its dtype (for a weak scalar: int64 or float64) */
  bool scalar;    /* a number, not an array */
  bool weak;      /* a Python int or float: takes the other's dtype */
  double f;       /* a scalar's value */
  int64_t i;
} npop;

/* 0 ok, 1 not an operand NumPy takes here, -1 error. */
static int operand(interp *I, value *v, npop *o) {
  memset(o, 0, sizeof *o);
  tc_dtype dt;
  if (v->kind == V_NDARRAY) {
    o->t = tc_tensor_retain(v->t);
    o->dt = tc_tensor_dtype(v->t);
    return 0;
  }
  if (v_is_number(v)) {
    o->scalar = true;
    o->f = v_as_double(v);
    o->i = v->kind == V_FLOAT ? 0 : v_as_int(v);
    if (v_npscalar_dtype(v, &dt)) o->dt = dt;
    else if (v->kind == V_BOOL) o->dt = TC_BOOL; /* Python bools act as np.bool_ */
    else {
      o->weak = true;
      o->dt = v->kind == V_FLOAT ? TC_F64 : TC_I64;
    }
    return 0;
  }
  if (v->kind == V_LIST || v->kind == V_TUPLE) {
    value *arr = np_array_from(I, v, false, TC_F64, false);
    if (!arr) return -1;
    o->t = tc_tensor_retain(arr->t);
    o->dt = tc_tensor_dtype(arr->t);
    v_decref(arr);
    return 0;
  }
  return 1;
}

static bool int_fits(tc_dtype dt, int64_t x) {
  static const int64_t lo[] = {0, 0, -128, -32768, -2147483647 - 1, INT64_MIN};
  static const int64_t hi[] = {1, 255, 127, 32767, 2147483647, INT64_MAX};
  return dt > TC_I64 || (x >= lo[dt] && x <= hi[dt]);
}

/* The dtype NumPy computes a (op) b in (NEP 50). *wide: a Python int that
 * does not fit the integer result dtype (an error but for / and comparisons,
 * which NumPy computes with the int's own value). */
static tc_dtype result_dtype(const npop *a, const npop *b, bool *wide) {
  *wide = false;
  if (a->weak == b->weak) return np_promote(a->dt, b->dt); /* two arrays or NumPy scalars, or two Python numbers */
  const npop *s = a->weak ? b : a, *w = a->weak ? a : b;
  tc_dtype dt;
  if (w->dt == TC_F64) dt = tc_dtype_is_floating(s->dt) ? s->dt : TC_F64;
  else dt = s->dt == TC_BOOL ? TC_I64 : s->dt;
  *wide = w->dt == TC_I64 && !tc_dtype_is_floating(dt) && !int_fits(dt, w->i);
  return dt;
}

/* A CPU 0-d tensor of dtype dt holding a scalar operand. */
static tc_tensor *scalar_tensor(interp *I, const npop *o, tc_dtype dt) {
  tc_device saved = tc_get_default_device(I->ctx);
  tc_set_default_device(I->ctx, (tc_device){TC_CPU, 0});
  int64_t shape[1] = {1};
  tc_tensor *t;
  if (tc_dtype_is_floating(o->dt) || tc_dtype_is_floating(dt)) {
    t = tc_scalar(I->ctx, tc_dtype_is_floating(o->dt) ? o->f : (double)o->i, dt);
    if (!tc_dtype_is_floating(o->dt) && (o->i > (1LL << 53) || o->i < -(1LL << 53))) { /* exact through float64 */
      tc_tensor *x = tc_from_data(I->ctx, &o->i, TC_I64, 0, shape);
      tc_tensor_release(t);
      t = tc_to_dtype(x, dt);
      tc_tensor_release(x);
    }
  } else {
    tc_tensor *x = tc_from_data(I->ctx, &o->i, TC_I64, 0, shape);
    t = tc_to_dtype(x, dt);
    tc_tensor_release(x);
  }
  tc_set_default_device(I->ctx, saved);
  return t;
}

static tc_tensor *cast_operand(interp *I, const npop *o, tc_dtype dt) {
  return o->t ? tc_to_dtype(o->t, dt) : scalar_tensor(I, o, dt);
}

/* ---- binary operators ------------------------------------------------------------------ */

enum { NB_OP, NB_CMP, NB_PLAIN }; /* an operator, a comparison, a ufunc with no extra rules */

typedef struct npbin {
  op_kind op;
  int kind;
  tc_binop bop;
  const char *ufunc;
} npbin;

static bool binop_of(op_kind op, npbin *b) {
  static const struct {
    op_kind op;
    tc_binop bop;
    const char *ufunc;
  } map[] = {{OP_ADD, TC_OP_ADD, "add"}, {OP_SUB, TC_OP_SUB, "subtract"}, {OP_MUL, TC_OP_MUL, "multiply"},
             {OP_DIV, TC_OP_DIV, "divide"}, {OP_FLOORDIV, TC_OP_FLOOR_DIVIDE, "floor_divide"},
             {OP_MOD, TC_OP_REMAINDER, "remainder"}, {OP_POW, TC_OP_POW, "power"},
             {OP_AND, TC_OP_BITWISE_AND, "bitwise_and"}, {OP_OR, TC_OP_BITWISE_OR, "bitwise_or"},
             {OP_XOR, TC_OP_BITWISE_XOR, "bitwise_xor"}, {OP_LSHIFT, TC_OP_LSHIFT, "left_shift"},
             {OP_RSHIFT, TC_OP_RSHIFT, "right_shift"}, {OP_MATMUL, TC_OP_ADD, "matmul"}};
  for (size_t k = 0; k < sizeof map / sizeof map[0]; k++)
    if (map[k].op == op) {
      *b = (npbin){op, NB_OP, map[k].bop, map[k].ufunc};
      return true;
    }
  return false;
}

static void *not_supported(interp *I, const char *ufunc) {
  return ex_raise(I, X_TYPE, "ufunc '%s' not supported for the input types, and the inputs could not be safely "
                             "coerced to any supported types according to the casting rule ''safe''", ufunc);
}

/* matmul's core dimensions must agree. */
static bool matmul_ok(interp *I, const npop *a, const npop *b) {
  int64_t sa[TC_MAX_DIMS], sb[TC_MAX_DIMS];
  int na = tc_tensor_shape(a->t, sa), nb = tc_tensor_shape(b->t, sb);
  int64_t k = sa[na - 1], kb = nb == 1 ? sb[0] : sb[nb - 2];
  if (k == kb) return true;
  ex_raise(I, X_VALUE, "matmul: Input operand 1 has a mismatch in its core dimension 0, with gufunc signature "
                       "(n?,k),(k,m?)->(n?,m?) (size %lld is different from %lld)", (long long)kb, (long long)k);
  return false;
}

static bool broadcastable(interp *I, const npbin *o, const npop *a, const npop *b) {
  if (!a->t || !b->t) return true;
  if (o->kind == NB_OP && o->op == OP_MATMUL) return matmul_ok(I, a, b);
  int64_t sa[TC_MAX_DIMS], sb[TC_MAX_DIMS];
  int na = tc_tensor_shape(a->t, sa), nb = tc_tensor_shape(b->t, sb);
  for (int k = 1; k <= na && k <= nb; k++) {
    int64_t x = sa[na - k], y = sb[nb - k];
    if (x != y && x != 1 && y != 1) {
      char ta[160], tb[160];
      shape_text(ta, sizeof ta, a->t);
      shape_text(tb, sizeof tb, b->t);
      ex_raise(I, X_VALUE, "operands could not be broadcast together with shapes %s %s ", ta, tb);
      return false;
    }
  }
  return true;
}

/* NumPy's refusals of an operator on operands of result dtype dt. */
static bool op_allowed(interp *I, const npbin *o, const npop *a, const npop *b, tc_dtype dt) {
  if (o->kind != NB_OP) return true;
  bool bits = o->op == OP_AND || o->op == OP_OR || o->op == OP_XOR || o->op == OP_LSHIFT || o->op == OP_RSHIFT;
  if (bits && tc_dtype_is_floating(dt)) return not_supported(I, o->ufunc), false;
  if (o->op == OP_SUB && dt == TC_BOOL)
    return ex_raise(I, X_TYPE, "numpy boolean subtract, the `-` operator, is not supported, use the bitwise_xor, the "
                               "`^` operator, or the logical_xor function instead."), false;
  if (o->op == OP_MATMUL && (a->scalar || b->scalar))
    return ex_raise(I, X_VALUE, "matmul: Input operand %d does not have enough dimensions (has 0, gufunc core with "
                                "signature (n?,k),(k,m?)->(n?,m?) requires 1)", a->scalar ? 0 : 1), false;
  return true;
}

/* The dtype the op runs in: / of integers in float64, // % ** of bools in
 * int8 (NumPy's loops), comparisons with an out-of-range int in int64. */
static bool compute_dtype(interp *I, const npbin *o, tc_dtype dt, bool wide, const npop *w, tc_dtype *cdt) {
  *cdt = dt;
  if (o->kind == NB_OP && o->op == OP_DIV && !tc_dtype_is_floating(dt)) *cdt = TC_F64;
  else if (wide && o->kind == NB_CMP) *cdt = TC_I64;
  else if (wide)
    return ex_raise(I, X_OVERFLOW, "Python integer %lld out of bounds for %s", (long long)w->i, np_dtype_name(dt)), false;
  if (o->kind == NB_OP && dt == TC_BOOL && (o->op == OP_FLOORDIV || o->op == OP_MOD || o->op == OP_POW)) *cdt = TC_I8;
  return true;
}

/* Integer powers refuse negative exponents (checked on the values). */
static bool exponent_ok(interp *I, const npop *b, tc_tensor *y) {
  bool neg;
  if (b->scalar) {
    neg = b->i < 0;
  } else {
    tc_tensor *lt = tc_binary_scalar(TC_OP_LT, y, 0, false, false), *any = tc_any(lt, NULL, 0, false);
    neg = tc_item_int(any) != 0;
    tc_tensor_release(lt);
    tc_tensor_release(any);
    if (tc_last_status(I->ctx) != TC_OK) return ex_from_ctx(I), false;
  }
  if (neg) return ex_raise(I, X_VALUE, "Integers to negative integer powers are not allowed."), false;
  return true;
}

/* NumPy's float remainder: a zero result takes the divisor's sign. */
static tc_tensor *remainder_sign(tc_tensor *r, tc_tensor *y) {
  tc_tensor *zero = tc_binary_scalar(TC_OP_EQ, r, 0, true, false), *sg = tc_sign(y);
  tc_tensor *signed0 = tc_mul_scalar(sg, 0.0), *out = tc_where(zero, signed0, r);
  tc_tensor_release(zero);
  tc_tensor_release(sg);
  tc_tensor_release(signed0);
  tc_tensor_release(r);
  return out;
}

/* a (op) b as a tensor of NumPy's result dtype (NULL with an exception). */
static tc_tensor *compute(interp *I, const npbin *o, npop *a, npop *b) {
  bool wide;
  tc_dtype dt = result_dtype(a, b, &wide), cdt;
  if (!op_allowed(I, o, a, b, dt) || !broadcastable(I, o, a, b) || !compute_dtype(I, o, dt, wide, a->weak ? a : b, &cdt))
    return NULL;
  tc_tensor *x = cast_operand(I, a, cdt), *y = cast_operand(I, b, cdt), *r = NULL;
  bool pow_int = o->kind == NB_OP && o->op == OP_POW && !tc_dtype_is_floating(cdt);
  if (x && y && (!pow_int || exponent_ok(I, b, y))) {
    r = o->kind == NB_OP && o->op == OP_MATMUL ? tc_matmul(x, y) : tc_binary(o->bop, x, y);
    if (r && o->kind == NB_OP && o->op == OP_MOD && tc_dtype_is_floating(cdt)) r = remainder_sign(r, y);
  }
  tc_tensor_release(x);
  tc_tensor_release(y);
  return r || I->has_exc ? r : ex_from_ctx(I);
}

static void *unsupported(interp *I, const char *op, value *a, value *b) {
  return ex_raise(I, X_TYPE, "unsupported operand type(s) for %s: '%s' and '%s'", op, v_type_name(a), v_type_name(b));
}

/* Runs o on a, b: the result, or NULL (exception set, or *foreign when an
 * operand is not NumPy's). */
static tc_tensor *run_binary(interp *I, const npbin *o, value *a, value *b, bool *foreign) {
  npop x, y;
  *foreign = false;
  int sa = operand(I, a, &x);
  int sb = sa ? 1 : operand(I, b, &y);
  tc_tensor *r = NULL;
  if (sa < 0 || sb < 0) {
    /* error set */
  } else if (sa || sb) {
    *foreign = true;
  } else {
    r = compute(I, o, &x, &y);
  }
  if (sa == 0) tc_tensor_release(x.t);
  if (sa == 0 && sb == 0) tc_tensor_release(y.t);
  return r;
}

value *np_binary(interp *I, op_kind op, value *a, value *b) {
  npbin o;
  if (!binop_of(op, &o)) return unsupported(I, op_text(op), a, b);
  bool foreign;
  tc_tensor *r = run_binary(I, &o, a, b, &foreign);
  if (foreign) return unsupported(I, op_text(op), a, b);
  return r ? np_result(I, r) : NULL;
}

value *np_ufunc2(interp *I, tc_binop bop, const char *ufunc, value *a, value *b) {
  npbin o = {OP_ADD, NB_PLAIN, bop, ufunc};
  bool foreign;
  tc_tensor *r = run_binary(I, &o, a, b, &foreign);
  if (foreign) return ex_raise(I, X_TYPE, "ufunc '%s' did not contain a loop with signature matching types (%s, %s)",
                               ufunc, v_type_name(a), v_type_name(b));
  return r ? np_result(I, r) : NULL;
}

/* NumPy's 'same_kind' rule for writing a result of dtype `from` into `to`. */
static bool same_kind(tc_dtype from, tc_dtype to) {
  if (tc_dtype_is_floating(from)) return tc_dtype_is_floating(to);
  if (from != TC_BOOL && to == TC_BOOL) return false;
  if (from != TC_BOOL && from != TC_U8 && to == TC_U8) return false;
  return true;
}

value *np_inplace(interp *I, op_kind op, value *a, value *b) {
  if (a->kind != V_NDARRAY) return np_binary(I, op, a, b);
  npbin o;
  if (!binop_of(op, &o)) return unsupported(I, op_text(op), a, b);
  bool foreign;
  tc_tensor *r = run_binary(I, &o, a, b, &foreign);
  if (foreign) return unsupported(I, op_text(op), a, b);
  if (!r) return NULL;
  tc_dtype from = tc_tensor_dtype(r), to = tc_tensor_dtype(a->t);
  int64_t rs[TC_MAX_DIMS], as[TC_MAX_DIMS];
  int rn = tc_tensor_shape(r, rs), an = tc_tensor_shape(a->t, as);
  bool fits = rn <= an;
  for (int k = 1; fits && k <= rn; k++) fits = rs[rn - k] == as[an - k] || rs[rn - k] == 1;
  value *res = NULL;
  if (!same_kind(from, to)) {
    ex_raise(I, X_TYPE, "Cannot cast ufunc '%s' output from dtype('%s') to dtype('%s') with casting rule 'same_kind'",
             o.ufunc, np_dtype_name(from), np_dtype_name(to));
  } else if (!fits) {
    char ta[160], tr[160];
    shape_text(ta, sizeof ta, a->t);
    shape_text(tr, sizeof tr, r);
    ex_raise(I, X_VALUE, "non-broadcastable output operand with shape %s doesn't match the broadcast shape %s", ta, tr);
  } else if (tc_copy_(a->t, r) != TC_OK) {
    ex_from_ctx(I);
  } else {
    res = v_incref(a);
  }
  tc_tensor_release(r);
  return res;
}

value *np_compare(interp *I, cmp_kind op, value *a, value *b) {
  static const tc_binop map[] = {TC_OP_LT, TC_OP_GT, TC_OP_LE, TC_OP_GE, TC_OP_EQ, TC_OP_NE};
  static const char *const text[] = {"<", ">", "<=", ">=", "==", "!="};
  if (op > CMP_NE) return ex_raise(I, X_TYPE, "unsupported comparison");
  npbin o = {OP_ADD, NB_CMP, map[op], "compare"};
  bool foreign;
  tc_tensor *r = run_binary(I, &o, a, b, &foreign);
  if (!foreign) return r ? np_result(I, r) : NULL;
  if (op != CMP_EQ && op != CMP_NE)
    return ex_raise(I, X_TYPE, "'%s' not supported between instances of '%s' and '%s'", text[op], v_type_name(a),
                    v_type_name(b));
  /* == with a non-number: every element differs */
  value *arr = a->kind == V_NDARRAY ? a : b->kind == V_NDARRAY ? b : NULL;
  if (!arr) return v_bool(op == CMP_NE);
  int64_t shape[TC_MAX_DIMS];
  int nd = tc_tensor_shape(arr->t, shape);
  tc_device saved = tc_get_default_device(I->ctx);
  tc_set_default_device(I->ctx, (tc_device){TC_CPU, 0});
  tc_tensor *f = tc_full(I->ctx, op == CMP_NE, TC_BOOL, nd, shape);
  tc_set_default_device(I->ctx, saved);
  return np_result(I, f);
}

/* ---- unary operators ------------------------------------------------------------------- */

/* The operand as a tensor (a scalar as 0-d of its dtype). */
static tc_tensor *unary_operand(interp *I, value *a) {
  npop o;
  int st = operand(I, a, &o);
  if (st) return st < 0 ? NULL : ex_raise(I, X_TYPE, "bad operand type: '%s'", v_type_name(a));
  return o.t ? o.t : scalar_tensor(I, &o, o.dt);
}

value *np_unary(interp *I, op_kind op, value *a) {
  tc_tensor *x = unary_operand(I, a);
  if (!x) return NULL;
  tc_dtype dt = tc_tensor_dtype(x);
  tc_tensor *r = NULL;
  if (op == OP_SUB && dt == TC_BOOL)
    ex_raise(I, X_TYPE, "The numpy boolean negative, the `-` operator, is not supported, use the `~` operator or the "
                        "logical_not function instead.");
  else if (op == OP_INVERT && tc_dtype_is_floating(dt)) not_supported(I, "invert");
  else if (op == OP_SUB) r = tc_neg(x);
  else if (op == OP_INVERT) r = dt == TC_BOOL ? tc_logical_not(x) : tc_bitwise_not(x);
  else r = tc_clone(x);
  tc_tensor_release(x);
  if (I->has_exc) {
    tc_tensor_release(r);
    return NULL;
  }
  return np_result(I, r);
}

value *np_abs(interp *I, value *a) {
  tc_tensor *x = unary_operand(I, a);
  if (!x) return NULL;
  tc_tensor *r = tc_tensor_dtype(x) == TC_BOOL ? tc_clone(x) : tc_abs(x);
  tc_tensor_release(x);
  return np_result(I, r);
}
