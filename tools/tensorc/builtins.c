/*
 * builtins.c — Python's builtin functions that scripts use (print, len,
 * range, divmod, abs, min, max, int, float, bool, str, repr, list, tuple,
 * round, sum, enumerate, zip, sorted, any, all, isinstance, getattr,
 * hasattr, pow, format) and the builtin exception classes. They accept
 * tensors where Python does through PyTorch (len(t) is the first dim,
 * int(t) needs one element, abs(t) and round(t) are tensor ops, max(t)
 * iterates the first dim), and NumPy arrays and scalars where NumPy does.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "interp.h"
#include "numpy.h"
#include "sbuf.h"

static value *b_print(interp *I, value *self, call_args *a) {
  static const char *const kw[] = {"sep", "end", "flush", "file", NULL};
  value *sep = NULL, *end = NULL;
  if (!args_check(I, a, "print", 1 << 20, kw) || !arg_get(I, a, "print", -1, "sep", &sep) ||
      !arg_get(I, a, "print", -1, "end", &end))
    return NULL;
  if (sep && sep->kind != V_NONE && sep->kind != V_STR)
    return ex_raise(I, X_TYPE, "sep must be None or a string, not %s", v_type_name(sep));
  if (end && end->kind != V_NONE && end->kind != V_STR)
    return ex_raise(I, X_TYPE, "end must be None or a string, not %s", v_type_name(end));
  sbuf b = {0};
  for (int i = 0; i < a->nargs; i++) {
    value *s = v_to_str(I, a->args[i]);
    if (!s) {
      sb_free(&b);
      return NULL;
    }
    if (i) {
      if (sep && sep->kind == V_STR) sb_addn(&b, sep->str.s, sep->str.n);
      else sb_addc(&b, ' ');
    }
    sb_addn(&b, s->str.s, s->str.n);
    v_decref(s);
  }
  if (end && end->kind == V_STR) sb_addn(&b, end->str.s, end->str.n);
  else sb_addc(&b, '\n');
  if (b.oom) {
    sb_free(&b);
    return ex_nomem(I);
  }
  if (I->write) I->write(I->write_user, b.s, b.n);
  sb_free(&b);
  return v_none();
}

static bool one_arg(interp *I, call_args *a, const char *name) {
  if (a->nargs == 1 && !a->nkw) return true;
  if (a->nkw) ex_raise(I, X_TYPE, "%s() takes no keyword arguments", name);
  else ex_raise(I, X_TYPE, "%s() takes exactly one argument (%d given)", name, a->nargs);
  return false;
}

static value *b_len(interp *I, value *self, call_args *a) {
  if (!one_arg(I, a, "len")) return NULL;
  value *v = a->args[0];
  switch (v->kind) {
  case V_STR: {
    int64_t n = 0;
    for (size_t i = 0; i < v->str.n; i++) n += ((unsigned char)v->str.s[i] & 0xC0) != 0x80;
    return v_int(n);
  }
  case V_TUPLE: case V_LIST: case V_SIZE: case V_STRUCTSEQ: return v_int(v->seq.n);
  case V_RANGE: {
    int64_t a = v->range.start, b = v->range.stop, s = v->range.step, n = 0;
    if (s > 0 && a < b) n = (int64_t)(((uint64_t)b - (uint64_t)a - 1) / (uint64_t)s + 1);
    if (s < 0 && a > b) n = (int64_t)(((uint64_t)a - (uint64_t)b - 1) / (0 - (uint64_t)s) + 1);
    return v_int(n);
  }
  case V_TENSOR:
    if (tc_tensor_ndim(v->t) == 0) return ex_raise(I, X_TYPE, "len() of a 0-d tensor");
    return v_int(tc_tensor_size(v->t, 0));
  case V_NDARRAY: return ndarray_len(I, v);
  default: return ex_raise(I, X_TYPE, "object of type '%s' has no len()", v_type_name(v));
  }
}

static value *b_range(interp *I, value *self, call_args *a) {
  int64_t x[3] = {0, 0, 1};
  if (a->nkw) return ex_raise(I, X_TYPE, "range() takes no keyword arguments");
  if (a->nargs < 1 || a->nargs > 3)
    return ex_raise(I, X_TYPE, "range expected %s 3 arguments, got %d", a->nargs < 1 ? "at least 1" : "at most", a->nargs);
  for (int i = 0; i < a->nargs; i++) {
    value *v = a->args[i];
    if (v->kind == V_FLOAT) return ex_raise(I, X_TYPE, "'float' object cannot be interpreted as an integer");
    if (!to_int(I, v, "range() argument", &x[a->nargs == 1 ? 1 : i])) return NULL;
  }
  if (x[2] == 0) return ex_raise(I, X_VALUE, "range() arg 3 must not be zero");
  return v_range(x[0], x[1], x[2]);
}

static value *b_divmod(interp *I, value *self, call_args *a) {
  if (a->nargs != 2 || a->nkw) return ex_raise(I, X_TYPE, "divmod expected 2 arguments, got %d", a->nargs);
  value *q = binary_op(I, OP_FLOORDIV, a->args[0], a->args[1]);
  value *r = q ? binary_op(I, OP_MOD, a->args[0], a->args[1]) : NULL;
  if (!r) {
    v_decref(q);
    return NULL;
  }
  return v_tuple2(q, r);
}

static value *b_abs(interp *I, value *self, call_args *a) {
  if (!one_arg(I, a, "abs")) return NULL;
  value *v = a->args[0];
  if (np_is_numpy(v)) return np_abs(I, v);
  if (v->kind == V_TENSOR) return tensor_result(I, tc_abs(v->t));
  if (v->kind == V_FLOAT) return v_float(fabs(v->f));
  if (v->kind == V_INT || v->kind == V_BOOL) {
    int64_t x = v_as_int(v);
    if (x == INT64_MIN) return ex_raise(I, X_OVERFLOW, "integer overflow (tensorc's Python ints are 64-bit)");
    return v_int(x < 0 ? -x : x);
  }
  return ex_raise(I, X_TYPE, "bad operand type for abs(): '%s'", v_type_name(v));
}

static value *minmax(interp *I, call_args *a, bool is_max) {
  const char *name = is_max ? "max" : "min";
  static const char *const kw[] = {"default", NULL};
  if (!args_check(I, a, name, 1 << 20, kw)) return NULL;
  if (a->nargs == 0) return ex_raise(I, X_TYPE, "%s expected at least 1 argument, got 0", name);
  value *items;
  if (a->nargs == 1) {
    items = iter_to_list(I, a->args[0]);
    if (!items) return NULL;
  } else {
    items = v_seq_new(V_LIST, a->nargs);
    if (!items) return ex_nomem(I);
    for (int i = 0; i < a->nargs; i++) v_seq_set(items, i, v_incref(a->args[i]));
  }
  if (!items->seq.n) {
    v_decref(items);
    if (a->nkw) return v_incref(a->kwvals[0]);
    return ex_raise(I, X_VALUE, "%s() arg is an empty sequence", name);
  }
  value *best = v_incref(items->seq.items[0]);
  for (int i = 1; i < items->seq.n; i++) {
    value *x = items->seq.items[i];
    value *c = compare_op(I, is_max ? CMP_GT : CMP_LT, x, best);
    int t = c ? truthy(I, c) : -1;
    v_decref(c);
    if (t < 0) {
      v_decref(best);
      v_decref(items);
      return NULL;
    }
    if (t) {
      v_decref(best);
      best = v_incref(x);
    }
  }
  v_decref(items);
  return best;
}
static value *b_max(interp *I, value *self, call_args *a) { return minmax(I, a, true); }
static value *b_min(interp *I, value *self, call_args *a) { return minmax(I, a, false); }

/* A one-element tensor or a 0-d array as a Python scalar (int(t), float(t)). */
static value *scalar_of(interp *I, value *v) {
  if (v->kind == V_NDARRAY && tc_tensor_ndim(v->t))
    return ex_raise(I, X_TYPE, "only 0-dimensional arrays can be converted to Python scalars");
  if (tc_tensor_numel(v->t) != 1) return ex_raise(I, X_VALUE, "only one element tensors can be converted to Python scalars");
  return tensor_item(I, v->t);
}

static value *b_int(interp *I, value *self, call_args *a) {
  if (a->nargs == 0) return v_int(0);
  if (a->nargs > 1 || a->nkw) return ex_raise(I, X_TYPE, "tensorc's int() takes one argument");
  value *v = a->args[0], *tmp = NULL;
  if ((v->kind == V_TENSOR || v->kind == V_NDARRAY) && !(v = tmp = scalar_of(I, v))) return NULL;
  value *r;
  if (v->kind == V_INT || v->kind == V_BOOL) r = v_int(v_as_int(v));
  else if (v->kind == V_FLOAT) {
    if (isnan(v->f)) r = ex_raise(I, X_VALUE, "cannot convert float NaN to integer");
    else if (isinf(v->f)) r = ex_raise(I, X_OVERFLOW, "cannot convert float infinity to integer");
    else if (fabs(v->f) >= 9.2233720368547758e18) r = ex_raise(I, X_OVERFLOW, "integer overflow (tensorc's Python ints are 64-bit)");
    else r = v_int((int64_t)v->f);
  } else if (v->kind == V_STR) {
    char buf[64];
    size_t k = 0;
    const char *s = v->str.s;
    while (*s == ' ' || *s == '\t' || *s == '\n') s++;
    for (; *s && k < sizeof buf - 1; s++)
      if (*s != '_') buf[k++] = *s;
    while (k && (buf[k - 1] == ' ' || buf[k - 1] == '\n' || buf[k - 1] == '\t')) k--;
    buf[k] = 0;
    char *end;
    long long x = strtoll(buf, &end, 10);
    if (!k || *end || strlen(v->str.s) >= sizeof buf)
      r = ex_raise(I, X_VALUE, "invalid literal for int() with base 10: '%.200s'", v->str.s);
    else r = v_int(x);
  } else {
    r = ex_raise(I, X_TYPE, "int() argument must be a string, a bytes-like object or a real number, not '%s'", v_type_name(v));
  }
  v_decref(tmp);
  return r;
}

static value *b_float(interp *I, value *self, call_args *a) {
  if (a->nargs == 0) return v_float(0);
  if (a->nargs > 1 || a->nkw) return ex_raise(I, X_TYPE, "float expected at most 1 argument, got %d", a->nargs);
  value *v = a->args[0], *tmp = NULL;
  if ((v->kind == V_TENSOR || v->kind == V_NDARRAY) && !(v = tmp = scalar_of(I, v))) return NULL;
  value *r;
  if (v_is_number(v)) r = v_float(v_as_double(v));
  else if (v->kind == V_STR) {
    char buf[128];
    const char *s = v->str.s;
    while (*s == ' ' || *s == '\t' || *s == '\n') s++;
    snprintf(buf, sizeof buf, "%s", s);
    size_t k = strlen(buf);
    while (k && (buf[k - 1] == ' ' || buf[k - 1] == '\n' || buf[k - 1] == '\t')) buf[--k] = 0;
    char *end;
    double x = strtod(buf, &end);
    bool hex = strchr(buf, 'x') || strchr(buf, 'X');
    if (!k || *end || hex || strlen(v->str.s) >= sizeof buf) r = ex_raise(I, X_VALUE, "could not convert string to float: '%.200s'", v->str.s);
    else r = v_float(x);
  } else {
    r = ex_raise(I, X_TYPE, "float() argument must be a string or a real number, not '%s'", v_type_name(v));
  }
  v_decref(tmp);
  return r;
}

static value *b_bool(interp *I, value *self, call_args *a) {
  if (a->nargs == 0) return v_bool(false);
  if (!one_arg(I, a, "bool")) return NULL;
  int t = truthy(I, a->args[0]);
  return t < 0 ? NULL : v_bool(t);
}

static value *b_str(interp *I, value *self, call_args *a) {
  if (a->nargs == 0) return v_cstr("");
  return one_arg(I, a, "str") ? v_to_str(I, a->args[0]) : NULL;
}

static value *b_repr(interp *I, value *self, call_args *a) {
  return one_arg(I, a, "repr") ? v_to_repr(I, a->args[0]) : NULL;
}

static value *b_list(interp *I, value *self, call_args *a) {
  if (a->nargs == 0) return v_seq_new(V_LIST, 0);
  return one_arg(I, a, "list") ? iter_to_list(I, a->args[0]) : NULL;
}

static value *list_to_tuple(interp *I, value *l) {
  if (!l) return NULL;
  value *t = v_seq_new(V_TUPLE, l->seq.n);
  if (t)
    for (int i = 0; i < l->seq.n; i++) v_seq_set(t, i, v_incref(l->seq.items[i]));
  v_decref(l);
  return t ? t : ex_nomem(I);
}

static value *b_tuple(interp *I, value *self, call_args *a) {
  if (a->nargs == 0) return v_seq_new(V_TUPLE, 0);
  return one_arg(I, a, "tuple") ? list_to_tuple(I, iter_to_list(I, a->args[0])) : NULL;
}

static value *b_round(interp *I, value *self, call_args *a) {
  static const char *const kw[] = {"ndigits", NULL};
  value *x = a->nargs ? a->args[0] : NULL, *nd = NULL;
  if (!x) return ex_raise(I, X_TYPE, "round() missing required argument 'number' (pos 1)");
  if (!args_check(I, a, "round", 2, kw) || !arg_get(I, a, "round", 1, "ndigits", &nd)) return NULL;
  if (nd && nd->kind == V_NONE) nd = NULL;
  if (x->kind == V_TENSOR) {
    if (nd) return ex_raise(I, X_NOTIMPL, "tensorc: round(tensor, ndigits) is not supported yet");
    return tensor_result(I, tc_round(x->t));
  }
  if (x->kind == V_INT || x->kind == V_BOOL) return v_int(v_as_int(x));
  if (x->kind != V_FLOAT) return ex_raise(I, X_TYPE, "type %s doesn't define __round__ method", v_type_name(x));
  if (!nd) {
    double r = nearbyint(x->f); /* the default rounding mode: half to even */
    if (isnan(r)) return ex_raise(I, X_VALUE, "cannot convert float NaN to integer");
    if (isinf(r) || fabs(r) >= 9.2233720368547758e18) return ex_raise(I, X_OVERFLOW, "cannot convert float infinity to integer");
    return v_int((int64_t)r);
  }
  int64_t n;
  if (!to_int(I, nd, "ndigits", &n)) return NULL;
  if (!isfinite(x->f) || n > 300) return v_float(x->f);
  if (n < -300) return v_float(0.0 * x->f);
  char buf[512];
  if (n >= 0) {
    snprintf(buf, sizeof buf, "%.*f", (int)n, x->f);
    return v_float(strtod(buf, NULL));
  }
  double p = pow(10.0, (double)-n);
  return v_float(nearbyint(x->f / p) * p);
}

static value *b_sum(interp *I, value *self, call_args *a) {
  static const char *const kw[] = {"start", NULL};
  value *start = NULL;
  if (a->nargs < 1) return ex_raise(I, X_TYPE, "sum() takes at least 1 positional argument (0 given)");
  if (!args_check(I, a, "sum", 2, kw) || !arg_get(I, a, "sum", 1, "start", &start)) return NULL;
  value *items = iter_to_list(I, a->args[0]);
  if (!items) return NULL;
  value *acc = start ? v_incref(start) : v_int(0);
  for (int i = 0; acc && i < items->seq.n; i++) {
    value *n = binary_op(I, OP_ADD, acc, items->seq.items[i]);
    v_decref(acc);
    acc = n;
  }
  v_decref(items);
  return acc;
}

static value *b_enumerate(interp *I, value *self, call_args *a) {
  static const char *const kw[] = {"start", NULL};
  value *st = NULL;
  int64_t start = 0;
  if (a->nargs < 1) return ex_raise(I, X_TYPE, "enumerate() missing required argument 'iterable'");
  if (!args_check(I, a, "enumerate", 2, kw) || !arg_get(I, a, "enumerate", 1, "start", &st)) return NULL;
  if (st && !to_int(I, st, "start", &start)) return NULL;
  value *items = iter_to_list(I, a->args[0]);
  if (!items) return NULL;
  for (int i = 0; i < items->seq.n; i++) {
    value *t = v_tuple2(v_int(start + i), v_incref(items->seq.items[i]));
    if (!t) {
      v_decref(items);
      return ex_nomem(I);
    }
    v_seq_set(items, i, t);
  }
  return items;
}

static value *b_zip(interp *I, value *self, call_args *a) {
  if (a->nkw) return ex_raise(I, X_TYPE, "zip() takes no keyword arguments");
  value **lists = calloc((size_t)(a->nargs ? a->nargs : 1), sizeof(value *));
  if (!lists) return ex_nomem(I);
  int n = a->nargs ? 1 << 30 : 0;
  value *out = NULL;
  for (int i = 0; i < a->nargs; i++) {
    if (!(lists[i] = iter_to_list(I, a->args[i]))) goto done;
    if (lists[i]->seq.n < n) n = lists[i]->seq.n;
  }
  out = v_seq_new(V_LIST, n);
  for (int k = 0; out && k < n; k++) {
    value *t = v_seq_new(V_TUPLE, a->nargs);
    if (!t) {
      v_decref(out);
      out = NULL;
      break;
    }
    for (int i = 0; i < a->nargs; i++) v_seq_set(t, i, v_incref(lists[i]->seq.items[k]));
    v_seq_set(out, k, t);
  }
  if (!out) ex_nomem(I);
done:
  for (int i = 0; i < a->nargs; i++) v_decref(lists[i]);
  free(lists);
  return out;
}

static value *b_sorted(interp *I, value *self, call_args *a) {
  if (a->nargs != 1) return ex_raise(I, X_TYPE, "sorted expected 1 argument, got %d", a->nargs);
  value *l = iter_to_list(I, a->args[0]);
  if (!l) return NULL;
  value *sort = get_attr(I, l, "sort");
  call_args k = {NULL, 0, a->kwnames, a->kwvals, a->nkw};
  value *r = sort ? call_value(I, sort, &k) : NULL;
  v_decref(sort);
  if (!r) {
    v_decref(l);
    return NULL;
  }
  v_decref(r);
  return l;
}

static value *anyall(interp *I, call_args *a, bool is_all) {
  if (!one_arg(I, a, is_all ? "all" : "any")) return NULL;
  value *items = iter_to_list(I, a->args[0]);
  if (!items) return NULL;
  bool r = is_all;
  for (int i = 0; i < items->seq.n; i++) {
    int t = truthy(I, items->seq.items[i]);
    if (t < 0) {
      v_decref(items);
      return NULL;
    }
    if (t != is_all) {
      r = !is_all;
      break;
    }
  }
  v_decref(items);
  return v_bool(r);
}
static value *b_any(interp *I, value *self, call_args *a) { return anyall(I, a, false); }
static value *b_all(interp *I, value *self, call_args *a) { return anyall(I, a, true); }

static value *b_pow(interp *I, value *self, call_args *a) {
  if (a->nargs != 2) return ex_raise(I, X_TYPE, "pow expected 2 arguments, got %d", a->nargs);
  return binary_op(I, OP_POW, a->args[0], a->args[1]);
}

static value *b_format(interp *I, value *self, call_args *a) {
  if (a->nargs < 1 || a->nargs > 2) return ex_raise(I, X_TYPE, "format expected 1 or 2 arguments");
  if (a->nargs == 2 && a->args[1]->kind != V_STR) return ex_raise(I, X_TYPE, "format() argument 2 must be str");
  return v_format(I, a->args[0], a->nargs == 2 ? a->args[1]->str.s : "");
}

static value *b_getattr(interp *I, value *self, call_args *a) {
  if (a->nargs < 2 || a->nargs > 3 || a->args[1]->kind != V_STR)
    return ex_raise(I, X_TYPE, "getattr expected 2 or 3 arguments (object, name[, default])");
  value *r = get_attr(I, a->args[0], a->args[1]->str.s);
  if (!r && a->nargs == 3 && I->exc && exc_matches(I->exc->exc.type, X_ATTRIBUTE)) {
    ex_clear(I);
    return v_incref(a->args[2]);
  }
  return r;
}

static value *b_hasattr(interp *I, value *self, call_args *a) {
  if (a->nargs != 2 || a->args[1]->kind != V_STR) return ex_raise(I, X_TYPE, "hasattr expected 2 arguments");
  value *r = get_attr(I, a->args[0], a->args[1]->str.s);
  if (r) {
    v_decref(r);
    return v_bool(true);
  }
  if (I->exc && exc_matches(I->exc->exc.type, X_ATTRIBUTE)) {
    ex_clear(I);
    return v_bool(false);
  }
  return NULL;
}

static value *b_isinstance(interp *I, value *self, call_args *a);
static value *b_type(interp *I, value *self, call_args *a);

static const builtin_def builtins[] = {
    {"print", b_print}, {"len", b_len}, {"range", b_range, 0, BF_TYPE}, {"divmod", b_divmod},
    {"abs", b_abs}, {"min", b_min}, {"max", b_max}, {"int", b_int, 0, BF_TYPE}, {"float", b_float, 0, BF_TYPE},
    {"bool", b_bool, 0, BF_TYPE}, {"str", b_str, 0, BF_TYPE}, {"repr", b_repr}, {"list", b_list, 0, BF_TYPE},
    {"tuple", b_tuple, 0, BF_TYPE}, {"type", b_type, 0, BF_TYPE},
    {"round", b_round}, {"sum", b_sum}, {"enumerate", b_enumerate}, {"zip", b_zip},
    {"sorted", b_sorted}, {"any", b_any}, {"all", b_all}, {"isinstance", b_isinstance},
    {"getattr", b_getattr}, {"hasattr", b_hasattr}, {"pow", b_pow}, {"format", b_format},
    {NULL, NULL}};

/* isinstance(x, T) for the builtin types above, torch.Tensor (a builtin
 * whose name is "Tensor") and the exception classes. */
static int instance_of(interp *I, value *x, value *t) {
  if (t->kind == V_TUPLE) {
    for (int i = 0; i < t->seq.n; i++) {
      int r = instance_of(I, x, t->seq.items[i]);
      if (r) return r;
    }
    return 0;
  }
  if (t->kind == V_EXCTYPE) return x->kind == V_EXC && exc_matches(x->exc.type, t->exct);
  if (t->kind != V_BUILTIN || t->fn.self) goto bad;
  tc_dtype dt, xdt;
  if (np_is_ndarray_type(t)) return x->kind == V_NDARRAY;
  if (np_type_dtype(t, &dt)) return v_npscalar_dtype(x, &xdt) && xdt == dt;
  const char *n = t->fn.def->name;
  if (v_npscalar_dtype(x, &xdt)) /* np.float64 subclasses float; NumPy's ints and bools are their own */
    return !strcmp(n, "float") && xdt == TC_F64;
  if (!strcmp(n, "int")) return x->kind == V_INT || x->kind == V_BOOL;
  if (!strcmp(n, "float")) return x->kind == V_FLOAT;
  if (!strcmp(n, "bool")) return x->kind == V_BOOL;
  if (!strcmp(n, "str")) return x->kind == V_STR;
  if (!strcmp(n, "list")) return x->kind == V_LIST;
  if (!strcmp(n, "tuple")) return x->kind == V_TUPLE || x->kind == V_SIZE || x->kind == V_STRUCTSEQ;
  if (!strcmp(n, "Tensor")) return x->kind == V_TENSOR;
  if (!strcmp(n, "Size")) return x->kind == V_SIZE;
  if (!strcmp(n, "device")) return x->kind == V_DEVICE;
bad:
  ex_raise(I, X_TYPE, "isinstance() arg 2 must be a type, a tuple of types, or a union");
  return -1;
}

static value *b_isinstance(interp *I, value *self, call_args *a) {
  if (a->nargs != 2 || a->nkw) return ex_raise(I, X_TYPE, "isinstance expected 2 arguments, got %d", a->nargs);
  int r = instance_of(I, a->args[0], a->args[1]);
  return r < 0 ? NULL : v_bool(r);
}

static value *no_instances(interp *I, value *self, call_args *a) {
  return ex_raise(I, X_TYPE, "cannot create '%s' instances", (const char *)I->calling->tag);
}

/* Classes that scripts only meet through type(x). */
static const builtin_def other_types[] = {
    {"NoneType", no_instances, (intptr_t)"NoneType", BF_TYPE}, {"Size", no_instances, (intptr_t)"torch.Size", BF_TYPE},
    {"dtype", no_instances, (intptr_t)"torch.dtype", BF_TYPE}, {"device", no_instances, (intptr_t)"torch.device", BF_TYPE},
    {"module", no_instances, (intptr_t)"module", BF_TYPE}, {"function", no_instances, (intptr_t)"function", BF_TYPE},
    {"builtin_function_or_method", no_instances, (intptr_t)"builtin_function_or_method", BF_TYPE},
    {"slice", no_instances, (intptr_t)"slice", BF_TYPE}, {"ellipsis", no_instances, (intptr_t)"ellipsis", BF_TYPE},
    {"max", no_instances, (intptr_t)"torch.return_types.max", BF_TYPE},
    {"min", no_instances, (intptr_t)"torch.return_types.min", BF_TYPE},
    {"type", no_instances, (intptr_t)"type", BF_TYPE}};

static value *b_type(interp *I, value *self, call_args *a) {
  if (a->nargs != 1 || a->nkw) return ex_raise(I, X_TYPE, "tensorc's type() takes 1 argument");
  value *x = a->args[0];
  const char *name = NULL;
  tc_dtype dt;
  if (v_npscalar_dtype(x, &dt)) return np_type_object(I, dt);
  switch (x->kind) {
  case V_EXC: return v_exctype(x->exc.type) ?: ex_nomem(I);
  case V_NDARRAY: return np_ndarray_type(I);
  case V_INT: name = "int"; break;
  case V_FLOAT: name = "float"; break;
  case V_BOOL: name = "bool"; break;
  case V_STR: name = "str"; break;
  case V_LIST: name = "list"; break;
  case V_TUPLE: name = "tuple"; break;
  case V_RANGE: name = "range"; break;
  case V_TENSOR: {
    value *torch = module_import(I, "torch");
    value *t = torch ? get_attr(I, torch, "Tensor") : NULL;
    v_decref(torch);
    return t;
  }
  default: break;
  }
  if (name) return builtin_lookup(I, name);
  const char *q = v_type_name(x);
  if (x->kind == V_EXCTYPE || x->kind == V_BUILTIN) q = x->kind == V_BUILTIN && (x->fn.def->flags & BF_TYPE) ? "type" : q;
  for (size_t i = 0; i < sizeof other_types / sizeof other_types[0]; i++)
    if (!strcmp((const char *)other_types[i].tag, q)) return v_builtin(&other_types[i], NULL) ?: ex_nomem(I);
  return v_builtin(&other_types[sizeof other_types / sizeof other_types[0] - 1], NULL) ?: ex_nomem(I);
}

value *builtin_lookup(interp *I, const char *name) {
  for (const builtin_def *d = builtins; d->name; d++)
    if (!strcmp(d->name, name)) return v_builtin(d, NULL) ?: ex_nomem(I);
  for (int t = 0; t < X_NUM_TYPES; t++)
    if (!strcmp(exc_name((exc_type)t), name)) return v_exctype((exc_type)t) ?: ex_nomem(I);
  if (!strcmp(name, "Ellipsis")) return v_incref(&v_ellipsis_);
  return NULL;
}
