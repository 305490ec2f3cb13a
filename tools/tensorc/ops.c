/*
 * ops.c — Python's operators on script values. Numbers follow Python
 * exactly (floor division and modulo take the divisor's sign, int / int is
 * a float, ZeroDivisionError with Python's messages; ints are 64-bit and
 * overflow raises OverflowError instead of growing). When either operand is
 * a tensor the operator becomes the tensorc op, with Python scalars passed
 * as scalars (tc_binary_scalar) so that they do not upcast the tensor, as
 * in PyTorch. Augmented assignment on a tensor writes in place (x += 1
 * changes every alias of x), and fails as PyTorch does when the result's
 * dtype cannot be cast back. A NumPy array with a tensor acts as the tensor
 * it shares memory with; NumPy operands otherwise go to numpy_array.c.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "interp.h"
#include "numpy.h"

static void *unsupported(interp *I, op_kind op, value *a, value *b) {
  return ex_raise(I, X_TYPE, "unsupported operand type(s) for %s: '%s' and '%s'", op_text(op),
                  v_type_name(a), v_type_name(b));
}

/* ---- numbers ------------------------------------------------------------------ */

static value *float_op(interp *I, op_kind op, double x, double y) {
  double r;
  switch (op) {
  case OP_ADD: r = x + y; break;
  case OP_SUB: r = x - y; break;
  case OP_MUL: r = x * y; break;
  case OP_DIV:
    if (y == 0) return ex_raise(I, X_ZERODIV, "float division by zero");
    r = x / y;
    break;
  case OP_FLOORDIV: case OP_MOD: {
    if (y == 0) return ex_raise(I, X_ZERODIV, op == OP_MOD ? "float modulo" : "float floor division by zero");
    double mod = fmod(x, y), div = (x - mod) / y;
    if (mod != 0) {
      if ((y < 0) != (mod < 0)) {
        mod += y;
        div -= 1.0;
      }
    } else {
      mod = copysign(0.0, y);
    }
    double fl;
    if (div != 0) {
      fl = floor(div);
      if (div - fl > 0.5) fl += 1.0;
    } else {
      fl = copysign(0.0, x / y);
    }
    r = op == OP_MOD ? mod : fl;
    break;
  }
  case OP_POW:
    if (x == 0 && y < 0) return ex_raise(I, X_ZERODIV, "0.0 cannot be raised to a negative power");
    if (x < 0 && y != floor(y) && isfinite(y))
      return ex_raise(I, X_VALUE, "tensorc does not support complex numbers (negative number to a fractional power)");
    r = pow(x, y);
    break;
  default: return NULL;
  }
  return v_float(r);
}

static value *overflow(interp *I) {
  return ex_raise(I, X_OVERFLOW, "integer overflow (tensorc's Python ints are 64-bit)");
}

static value *int_op(interp *I, op_kind op, int64_t x, int64_t y) {
  int64_t r;
  switch (op) {
  case OP_ADD: if (__builtin_add_overflow(x, y, &r)) return overflow(I); break;
  case OP_SUB: if (__builtin_sub_overflow(x, y, &r)) return overflow(I); break;
  case OP_MUL: if (__builtin_mul_overflow(x, y, &r)) return overflow(I); break;
  case OP_DIV:
    if (y == 0) return ex_raise(I, X_ZERODIV, "division by zero");
    return v_float((double)x / (double)y);
  case OP_FLOORDIV: case OP_MOD: {
    if (y == 0)
      return ex_raise(I, X_ZERODIV, op == OP_MOD ? "integer modulo by zero" : "integer division or modulo by zero");
    if (x == INT64_MIN && y == -1) {
      if (op == OP_MOD) return v_int(0);
      return overflow(I);
    }
    int64_t q = x / y, m = x % y;
    if (m != 0 && ((m < 0) != (y < 0))) {
      q -= 1;
      m += y;
    }
    r = op == OP_MOD ? m : q;
    break;
  }
  case OP_POW: {
    if (y < 0) return float_op(I, op, (double)x, (double)y);
    int64_t base = x, e = y;
    r = 1;
    while (e) {
      if (e & 1 && __builtin_mul_overflow(r, base, &r)) return overflow(I);
      e >>= 1;
      if (e && __builtin_mul_overflow(base, base, &base)) return overflow(I);
    }
    break;
  }
  case OP_AND: r = x & y; break;
  case OP_OR: r = x | y; break;
  case OP_XOR: r = x ^ y; break;
  case OP_LSHIFT:
    if (y < 0) return ex_raise(I, X_VALUE, "negative shift count");
    if (x == 0) return v_int(0);
    if (y >= 63 || (x > 0 ? x > (INT64_MAX >> y) : x < (INT64_MIN >> y))) return overflow(I);
    r = (int64_t)((uint64_t)x << y);
    break;
  case OP_RSHIFT:
    if (y < 0) return ex_raise(I, X_VALUE, "negative shift count");
    r = y >= 63 ? (x < 0 ? -1 : 0) : x >> y;
    break;
  default: return NULL;
  }
  return v_int(r);
}

static value *number_op(interp *I, op_kind op, value *a, value *b) {
  bool bitwise = op == OP_AND || op == OP_OR || op == OP_XOR || op == OP_LSHIFT || op == OP_RSHIFT;
  if (op == OP_MATMUL) return unsupported(I, op, a, b);
  if (a->kind == V_FLOAT || b->kind == V_FLOAT) {
    if (bitwise) return unsupported(I, op, a, b);
    return float_op(I, op, v_as_double(a), v_as_double(b)) ?: (I->has_exc ? NULL : ex_nomem(I));
  }
  if (a->kind == V_BOOL && b->kind == V_BOOL && (op == OP_AND || op == OP_OR || op == OP_XOR))
    return v_bool(op == OP_AND ? a->b && b->b : op == OP_OR ? a->b || b->b : a->b != b->b);
  return int_op(I, op, v_as_int(a), v_as_int(b)) ?: (I->has_exc ? NULL : ex_nomem(I));
}

/* ---- sequences and strings ------------------------------------------------------- */

static value *repeat(interp *I, value *seq, int64_t times) {
  if (times < 0) times = 0;
  int64_t n = seq->kind == V_STR ? (int64_t)seq->str.n : seq->seq.n;
  if (n && times > (int64_t)(1 << 28) / n) return ex_raise(I, X_MEMORY, "repeated sequence is too large");
  if (seq->kind == V_STR) {
    size_t total = (size_t)(n * times);
    char *s = malloc(total + 1);
    if (!s) return ex_nomem(I);
    for (int64_t i = 0; i < times; i++) memcpy(s + i * n, seq->str.s, (size_t)n);
    s[total] = 0;
    return v_str_take(s, total) ?: ex_nomem(I);
  }
  value *r = v_seq_new(seq->kind == V_LIST ? V_LIST : V_TUPLE, (int)(n * times));
  if (!r) return ex_nomem(I);
  for (int64_t i = 0; i < n * times; i++) v_seq_set(r, (int)i, v_incref(seq->seq.items[i % n]));
  return r;
}

static value *concat(interp *I, value *a, value *b) {
  if (a->kind == V_STR) {
    size_t n = a->str.n + b->str.n;
    char *s = malloc(n + 1);
    if (!s) return ex_nomem(I);
    memcpy(s, a->str.s, a->str.n);
    memcpy(s + a->str.n, b->str.s, b->str.n + 1);
    return v_str_take(s, n) ?: ex_nomem(I);
  }
  if ((int64_t)a->seq.n + b->seq.n > (1 << 28)) return ex_raise(I, X_MEMORY, "sequence is too large");
  vkind k = a->kind == V_LIST ? V_LIST : a->kind == V_SIZE ? V_SIZE : V_TUPLE;
  value *r = v_seq_new(k, a->seq.n + b->seq.n);
  if (!r) return ex_nomem(I);
  for (int i = 0; i < a->seq.n; i++) v_seq_set(r, i, v_incref(a->seq.items[i]));
  for (int i = 0; i < b->seq.n; i++) v_seq_set(r, a->seq.n + i, v_incref(b->seq.items[i]));
  return r;
}

/* ---- tensors -------------------------------------------------------------------- */

static bool tensor_binop(op_kind op, tc_binop *out) {
  switch (op) {
  case OP_ADD: *out = TC_OP_ADD; return true;
  case OP_SUB: *out = TC_OP_SUB; return true;
  case OP_MUL: *out = TC_OP_MUL; return true;
  case OP_DIV: *out = TC_OP_DIV; return true;
  case OP_FLOORDIV: *out = TC_OP_FLOOR_DIVIDE; return true;
  case OP_MOD: *out = TC_OP_REMAINDER; return true;
  case OP_POW: *out = TC_OP_POW; return true;
  case OP_AND: *out = TC_OP_BITWISE_AND; return true;
  case OP_OR: *out = TC_OP_BITWISE_OR; return true;
  case OP_XOR: *out = TC_OP_BITWISE_XOR; return true;
  case OP_LSHIFT: *out = TC_OP_LSHIFT; return true;
  case OP_RSHIFT: *out = TC_OP_RSHIFT; return true;
  default: return false;
  }
}

static value *tensor_op(interp *I, tc_binop bop, op_kind op, value *a, value *b) {
  if (a->kind == V_TENSOR && b->kind == V_TENSOR) {
    if (op == OP_MATMUL) return tensor_result(I, tc_matmul(a->t, b->t));
    return tensor_result(I, tc_binary(bop, a->t, b->t));
  }
  bool first = a->kind != V_TENSOR;
  value *t = first ? b : a, *s = first ? a : b;
  if (!v_is_number(s)) {
    if (op == OP_MATMUL && s->kind != V_TENSOR)
      return ex_raise(I, X_TYPE, "matmul(): argument '%s' (position %d) must be Tensor, not %s",
                      first ? "input" : "other", first ? 1 : 2, v_type_name(s));
    return unsupported(I, op, a, b);
  }
  if (op == OP_MATMUL)
    return ex_raise(I, X_TYPE, "matmul(): argument '%s' (position %d) must be Tensor, not %s",
                    first ? "input" : "other", first ? 1 : 2, v_type_name(s));
  if ((op == OP_FLOORDIV || op == OP_MOD) && !first && s->kind != V_FLOAT && v_as_int(s) == 0 &&
      !tc_dtype_is_floating(tc_tensor_dtype(t->t)))
    return ex_raise(I, X_RUNTIME, "ZeroDivisionError");
  if (s->kind == V_BOOL) {
    tc_tensor *st = tc_scalar(I->ctx, s->b, TC_BOOL);
    if (!st) return ex_from_ctx(I);
    tc_tensor *r = first ? tc_binary(bop, st, t->t) : tc_binary(bop, t->t, st);
    tc_tensor_release(st);
    return tensor_result(I, r);
  }
  return tensor_result(I, tc_binary_scalar(bop, t->t, v_as_double(s), s->kind == V_FLOAT, first));
}

/* ---- entry points ------------------------------------------------------------------ */

/* With a tensor, an array operand is the tensor sharing its memory. */
static value *with_array(interp *I, value *a, value *b, bool array_first, value *(*fn)(interp *, value *, value *, void *),
                         void *arg) {
  value *arr = array_first ? a : b, *t = ndarray_as_tensor(I, arr);
  value *r = t ? fn(I, array_first ? t : a, array_first ? b : t, arg) : NULL;
  v_decref(t);
  return r;
}

static value *binary_thunk(interp *I, value *a, value *b, void *op) { return binary_op(I, *(op_kind *)op, a, b); }

value *binary_op(interp *I, op_kind op, value *a, value *b) {
  if (a->kind == V_TENSOR || b->kind == V_TENSOR) {
    if (a->kind == V_NDARRAY || b->kind == V_NDARRAY) return with_array(I, a, b, a->kind == V_NDARRAY, binary_thunk, &op);
    tc_binop bop = TC_OP_ADD;
    if (op != OP_MATMUL && !tensor_binop(op, &bop)) return unsupported(I, op, a, b);
    return tensor_op(I, bop, op, a, b);
  }
  if (np_is_numpy(a) || np_is_numpy(b)) return np_binary(I, op, a, b);
  if (v_is_number(a) && v_is_number(b)) return number_op(I, op, a, b);
  bool aseq = a->kind == V_STR || v_is_seq(a), bseq = b->kind == V_STR || v_is_seq(b);
  if (op == OP_ADD && a->kind == V_STR && b->kind == V_STR) return concat(I, a, b);
  if (op == OP_ADD && aseq && bseq && a->kind != V_STR && b->kind != V_STR &&
      (a->kind == V_LIST) == (b->kind == V_LIST))
    return concat(I, a, b);
  if (op == OP_ADD && a->kind == V_LIST && b->kind != V_LIST && bseq)
    return ex_raise(I, X_TYPE, "can only concatenate list (not \"%s\") to list", v_type_name(b));
  if (op == OP_ADD && a->kind == V_STR && b->kind != V_STR)
    return ex_raise(I, X_TYPE, "can only concatenate str (not \"%s\") to str", v_type_name(b));
  if (op == OP_MUL && aseq && (b->kind == V_INT || b->kind == V_BOOL)) return repeat(I, a, v_as_int(b));
  if (op == OP_MUL && bseq && (a->kind == V_INT || a->kind == V_BOOL)) return repeat(I, b, v_as_int(a));
  return unsupported(I, op, a, b);
}

value *inplace_op(interp *I, op_kind op, value *a, value *b) {
  if (a->kind == V_LIST && op == OP_ADD) { /* list += iterable extends in place */
    value *items = iter_to_list(I, b);
    if (!items) return NULL;
    for (int i = 0; i < items->seq.n; i++)
      if (!v_list_append(a, items->seq.items[i])) {
        v_decref(items);
        return ex_nomem(I);
      }
    v_decref(items);
    return v_incref(a);
  }
  if (a->kind == V_NDARRAY && b->kind != V_TENSOR) return np_inplace(I, op, a, b);
  if (a->kind != V_TENSOR) return binary_op(I, op, a, b);
  /* tensor: compute, check the cast, then write into a's elements */
  value *r = binary_op(I, op, a, b);
  if (!r) return NULL;
  bool ok = write_back(I, a, r);
  v_decref(r);
  return ok ? v_incref(a) : NULL;
}

bool write_back(interp *I, value *dst, value *src) {
  tc_dtype want = tc_tensor_dtype(dst->t), got = tc_tensor_dtype(src->t);
  bool bad = (tc_dtype_is_floating(got) && !tc_dtype_is_floating(want)) || (got != TC_BOOL && want == TC_BOOL);
  if (bad) {
    ex_raise(I, X_RUNTIME, "result type %s can't be cast to the desired output type %s", dtype_torch_name(got),
             dtype_torch_name(want));
    return false;
  }
  if (tc_copy_(dst->t, src->t) != TC_OK) return ex_from_ctx(I), false;
  return true;
}

value *unary_op(interp *I, op_kind op, value *a) {
  if (np_is_numpy(a)) return np_unary(I, op, a);
  if (a->kind == V_TENSOR) {
    if (op == OP_ADD) return v_incref(a);
    return tensor_result(I, op == OP_SUB ? tc_neg(a->t) : tc_bitwise_not(a->t));
  }
  if (v_is_number(a)) {
    if (op == OP_INVERT) {
      if (a->kind == V_FLOAT) return ex_raise(I, X_TYPE, "bad operand type for unary ~: 'float'");
      return v_int(~v_as_int(a)) ?: ex_nomem(I);
    }
    if (a->kind == V_FLOAT) return v_float(op == OP_SUB ? -a->f : a->f) ?: ex_nomem(I);
    int64_t x = v_as_int(a);
    if (op == OP_SUB && x == INT64_MIN) return overflow(I);
    return v_int(op == OP_SUB ? -x : x) ?: ex_nomem(I);
  }
  return ex_raise(I, X_TYPE, "bad operand type for unary %s: '%s'", op == OP_INVERT ? "~" : op_text(op),
                  v_type_name(a));
}

static int seq_compare(interp *I, value *a, value *b, int *order, int depth);

/* Three-way comparison of two values that support ordering; returns 0 ok
 * (order in *order), 1 not comparable, -1 error. */
static int order_of(interp *I, value *a, value *b, int *order, int depth) {
  if (depth > 200) return ex_raise(I, X_RECURSION, "maximum recursion depth exceeded in comparison"), -1;
  if (v_is_number(a) && v_is_number(b)) {
    if (a->kind != V_FLOAT && b->kind != V_FLOAT) {
      int64_t x = v_as_int(a), y = v_as_int(b);
      *order = x < y ? -1 : x > y;
    } else {
      double x = v_as_double(a), y = v_as_double(b);
      if (isnan(x) || isnan(y)) *order = 2; /* unordered */
      else *order = x < y ? -1 : x > y;
    }
    return 0;
  }
  if (a->kind == V_STR && b->kind == V_STR) {
    size_t n = a->str.n < b->str.n ? a->str.n : b->str.n;
    int c = memcmp(a->str.s, b->str.s, n);
    *order = c ? (c < 0 ? -1 : 1) : (a->str.n < b->str.n ? -1 : a->str.n > b->str.n);
    return 0;
  }
  bool at = a->kind == V_TUPLE || a->kind == V_SIZE || a->kind == V_STRUCTSEQ;
  bool bt = b->kind == V_TUPLE || b->kind == V_SIZE || b->kind == V_STRUCTSEQ;
  if ((at && bt) || (a->kind == V_LIST && b->kind == V_LIST)) return seq_compare(I, a, b, order, depth);
  return 1;
}

static int seq_compare(interp *I, value *a, value *b, int *order, int depth) {
  int n = a->seq.n < b->seq.n ? a->seq.n : b->seq.n;
  for (int i = 0; i < n; i++) {
    value *x = a->seq.items[i], *y = b->seq.items[i];
    if (x == y) continue;
    int eq = values_equal(I, x, y);
    if (eq < 0) return -1;
    if (eq) continue;
    int st = order_of(I, x, y, order, depth + 1);
    if (st == 1) *order = 3; /* differ, no order */
    return st < 0 ? -1 : 0;
  }
  *order = a->seq.n < b->seq.n ? -1 : a->seq.n > b->seq.n;
  return 0;
}

static int equal_depth(interp *I, value *a, value *b, int depth) {
  if (a == b) return 1;
  if (a->kind == V_NPDTYPE || b->kind == V_NPDTYPE) { /* dtype('int64') == np.int64 == 'int64' */
    tc_dtype x, y;
    return np_dtype_try(a, &x) && np_dtype_try(b, &y) && x == y;
  }
  if (a->kind == V_TENSOR || b->kind == V_TENSOR || a->kind == V_NDARRAY || b->kind == V_NDARRAY) {
    value *r = compare_op(I, CMP_EQ, a, b);
    int t = r ? truthy(I, r) : -1;
    v_decref(r);
    return t;
  }
  int order;
  int st = order_of(I, a, b, &order, depth);
  if (st < 0) return -1;
  if (st == 0) return order == 0;
  if (a->kind != b->kind) return 0;
  switch (a->kind) {
  case V_NONE: case V_ELLIPSIS: return 1;
  case V_DTYPE: return a->dt == b->dt;
  case V_DEVICE: return a->dev.type == b->dev.type && a->dev.index == b->dev.index;
  case V_MODULE: return a->mod == b->mod;
  case V_EXCTYPE: return a->exct == b->exct;
  case V_RANGE: return a->range.start == b->range.start && a->range.stop == b->range.stop && a->range.step == b->range.step;
  case V_BUILTIN: return a->fn.def == b->fn.def && a->fn.self == b->fn.self;
  default: return 0;
  }
}

int values_equal(interp *I, value *a, value *b) { return equal_depth(I, a, b, 0); }

static value *contains(interp *I, value *container, value *x) {
  switch (container->kind) {
  case V_STR:
    if (x->kind != V_STR) return ex_raise(I, X_TYPE, "'in <string>' requires string as left operand, not %s", v_type_name(x));
    if (!x->str.n) return v_bool(true);
    for (size_t i = 0; i + x->str.n <= container->str.n; i++)
      if (!memcmp(container->str.s + i, x->str.s, x->str.n)) return v_bool(true);
    return v_bool(false);
  case V_RANGE: {
    if (x->kind != V_INT && x->kind != V_BOOL) return v_bool(false);
    int64_t v = v_as_int(x), a = container->range.start, b = container->range.stop, s = container->range.step;
    bool in = s > 0 ? (v >= a && v < b) : (v <= a && v > b);
    return v_bool(in && (v - a) % s == 0);
  }
  case V_NDARRAY: {
    value *eq = compare_op(I, CMP_EQ, container, x);
    value *any = eq && eq->kind == V_NDARRAY ? get_attr(I, eq, "any") : v_incref(eq);
    value *r = any && any->kind == V_BUILTIN ? call_value(I, any, &(call_args){0}) : v_incref(any);
    int t = r ? truthy(I, r) : -1;
    v_decref(eq);
    v_decref(any);
    v_decref(r);
    return t < 0 ? NULL : v_bool(t);
  }
  case V_TENSOR: {
    value *eq = compare_op(I, CMP_EQ, container, x);
    if (!eq) return NULL;
    tc_tensor *any = tc_any(eq->t, NULL, 0, false);
    v_decref(eq);
    if (!any) return ex_from_ctx(I);
    int64_t r = tc_item_int(any);
    tc_tensor_release(any);
    if (tc_last_status(I->ctx) != TC_OK) return ex_from_ctx(I);
    return v_bool(r != 0);
  }
  default:
    if (v_is_seq(container)) {
      for (int i = 0; i < container->seq.n; i++) {
        int eq = values_equal(I, container->seq.items[i], x);
        if (eq < 0) return NULL;
        if (eq) return v_bool(true);
      }
      return v_bool(false);
    }
    return ex_raise(I, X_TYPE, "argument of type '%s' is not iterable", v_type_name(container));
  }
}

static value *compare_thunk(interp *I, value *a, value *b, void *op) { return compare_op(I, *(cmp_kind *)op, a, b); }

value *compare_op(interp *I, cmp_kind op, value *a, value *b) {
  if (op == CMP_IS || op == CMP_IS_NOT) {
    bool same = a == b || (a->kind == V_DTYPE && b->kind == V_DTYPE && a->dt == b->dt) ||
                (a->kind == V_EXCTYPE && b->kind == V_EXCTYPE && a->exct == b->exct) ||
                (a->kind == V_MODULE && b->kind == V_MODULE && a->mod == b->mod) ||
                (a->kind == V_BUILTIN && b->kind == V_BUILTIN && a->fn.def == b->fn.def && a->fn.self == b->fn.self);
    return v_bool(op == CMP_IS ? same : !same);
  }
  if (op == CMP_IN || op == CMP_NOT_IN) {
    value *r = contains(I, b, a);
    if (!r || op == CMP_IN) return r;
    bool t = r->b;
    v_decref(r);
    return v_bool(!t);
  }
  if ((a->kind == V_TENSOR || b->kind == V_TENSOR) && (a->kind == V_NDARRAY || b->kind == V_NDARRAY))
    return with_array(I, a, b, a->kind == V_NDARRAY, compare_thunk, &op);
  if (a->kind == V_TENSOR || b->kind == V_TENSOR) {
    value *other = a->kind == V_TENSOR ? b : a;
    if (other->kind != V_TENSOR && !v_is_number(other)) {
      if (op == CMP_EQ || op == CMP_NE) return v_bool(op == CMP_NE);
      return ex_raise(I, X_TYPE, "'%s' not supported between instances of '%s' and '%s'",
                      op_text(OP_LT + (op_kind)op), v_type_name(a), v_type_name(b));
    }
    static const tc_binop map[] = {TC_OP_LT, TC_OP_GT, TC_OP_LE, TC_OP_GE, TC_OP_EQ, TC_OP_NE};
    if (a->kind == V_TENSOR && b->kind == V_TENSOR) return tensor_result(I, tc_binary(map[op], a->t, b->t));
    bool first = a->kind != V_TENSOR;
    value *t = first ? b : a, *s = first ? a : b;
    if (s->kind == V_BOOL) {
      tc_tensor *st = tc_scalar(I->ctx, s->b, TC_BOOL);
      if (!st) return ex_from_ctx(I);
      tc_tensor *r = first ? tc_binary(map[op], st, t->t) : tc_binary(map[op], t->t, st);
      tc_tensor_release(st);
      return tensor_result(I, r);
    }
    return tensor_result(I, tc_binary_scalar(map[op], t->t, v_as_double(s), s->kind == V_FLOAT, first));
  }
  if ((np_is_numpy(a) || np_is_numpy(b)) && a->kind != V_NPDTYPE && b->kind != V_NPDTYPE) return np_compare(I, op, a, b);
  if (op == CMP_EQ || op == CMP_NE) {
    int eq = values_equal(I, a, b);
    if (eq < 0) return NULL;
    return v_bool(op == CMP_EQ ? eq : !eq);
  }
  int order;
  int st = order_of(I, a, b, &order, 0);
  if (st < 0) return NULL;
  if (st == 1 || order == 3)
    return ex_raise(I, X_TYPE, "'%s' not supported between instances of '%s' and '%s'",
                    op_text(OP_LT + (op_kind)op), v_type_name(a), v_type_name(b));
  if (order == 2) return v_bool(false); /* NaN */
  switch (op) {
  case CMP_LT: return v_bool(order < 0);
  case CMP_GT: return v_bool(order > 0);
  case CMP_LE: return v_bool(order <= 0);
  case CMP_GE: return v_bool(order >= 0);
  default: return v_bool(false);
  }
}
