/*
 * numpy_module.c — `import numpy as np`: dtypes (np.int64 ... np.bool_ as
 * scalar type objects, np.dtype('int64'), dtype='f4' strings), array
 * creation with NumPy's dtype inference (np.array/asarray of nested lists:
 * bools -> bool, ints -> int64, any float -> float64; arange with NumPy's
 * own fill arithmetic; zeros/ones/empty/full and their *_like forms,
 * linspace, eye, copy), and the functions that forward to array methods or
 * operators (np.sum, np.mean, np.maximum ...). Arrays are made on the CPU
 * whatever torch's default device is. Any other numpy.NAME raises
 * NotImplementedError naming it.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "numpy.h"

static const char *fname(interp *I) { return I->calling ? I->calling->name : "numpy"; }

/* Creation runs with the CPU as the default device. */
static tc_device cpu_enter(interp *I) {
  tc_device saved = tc_get_default_device(I->ctx);
  tc_set_default_device(I->ctx, (tc_device){TC_CPU, 0});
  return saved;
}

static tc_tensor *cpu_leave(interp *I, tc_device saved, tc_tensor *t) {
  tc_set_default_device(I->ctx, saved);
  return t;
}

/* ---- dtypes and scalar types -------------------------------------------------------- */

static const char *const dtype_names[TC_NUM_DTYPES] = {"bool",    "uint8",    "int8",    "int16",  "int32",
                                                       "int64",   "float16",  "bfloat16", "float32", "float64"};

bool np_dtype_ok(tc_dtype dt) { return dt < TC_NUM_DTYPES && dt != TC_BF16; }
const char *np_dtype_name(tc_dtype dt) { return dt < TC_NUM_DTYPES ? dtype_names[dt] : "?"; }

static value *f_scalar_type(interp *I, value *self, call_args *a);

static const builtin_def np_types[TC_NUM_DTYPES] = {
    {"bool", f_scalar_type, (intptr_t)"numpy.bool", BF_TYPE},
    {"uint8", f_scalar_type, (intptr_t)"numpy.uint8", BF_TYPE},
    {"int8", f_scalar_type, (intptr_t)"numpy.int8", BF_TYPE},
    {"int16", f_scalar_type, (intptr_t)"numpy.int16", BF_TYPE},
    {"int32", f_scalar_type, (intptr_t)"numpy.int32", BF_TYPE},
    {"int64", f_scalar_type, (intptr_t)"numpy.int64", BF_TYPE},
    {"float16", f_scalar_type, (intptr_t)"numpy.float16", BF_TYPE},
    {"bfloat16", f_scalar_type, (intptr_t)"numpy.bfloat16", BF_TYPE},
    {"float32", f_scalar_type, (intptr_t)"numpy.float32", BF_TYPE},
    {"float64", f_scalar_type, (intptr_t)"numpy.float64", BF_TYPE}};

value *np_type_object(interp *I, tc_dtype dt) { return v_builtin(&np_types[dt], NULL) ?: ex_nomem(I); }

bool np_type_dtype(const value *v, tc_dtype *out) {
  if (v->kind != V_BUILTIN || v->fn.self || v->fn.def < np_types || v->fn.def >= np_types + TC_NUM_DTYPES) return false;
  *out = (tc_dtype)(v->fn.def - np_types);
  return true;
}

/* Names of the dtypes: module attributes (np.NAME) and dtype strings. */
static const struct {
  const char *name;
  tc_dtype dt;
  bool attr, str;
} dtype_aliases[] = {
    {"bool_", TC_BOOL, 1, 0}, {"bool", TC_BOOL, 1, 1}, {"?", TC_BOOL, 0, 1}, {"b1", TC_BOOL, 0, 1},
    {"uint8", TC_U8, 1, 1}, {"ubyte", TC_U8, 1, 1}, {"u1", TC_U8, 0, 1}, {"B", TC_U8, 0, 1},
    {"int8", TC_I8, 1, 1}, {"byte", TC_I8, 1, 1}, {"i1", TC_I8, 0, 1}, {"b", TC_I8, 0, 1},
    {"int16", TC_I16, 1, 1}, {"short", TC_I16, 1, 1}, {"i2", TC_I16, 0, 1}, {"h", TC_I16, 0, 1},
    {"int32", TC_I32, 1, 1}, {"intc", TC_I32, 1, 1}, {"i4", TC_I32, 0, 1}, {"i", TC_I32, 0, 1},
    {"int64", TC_I64, 1, 1}, {"int_", TC_I64, 1, 1}, {"intp", TC_I64, 1, 1}, {"long", TC_I64, 1, 1},
    {"int", TC_I64, 0, 1}, {"i8", TC_I64, 0, 1}, {"l", TC_I64, 0, 1}, {"q", TC_I64, 0, 1},
    {"float16", TC_F16, 1, 1}, {"half", TC_F16, 1, 1}, {"f2", TC_F16, 0, 1}, {"e", TC_F16, 0, 1},
    {"float32", TC_F32, 1, 1}, {"single", TC_F32, 1, 1}, {"f4", TC_F32, 0, 1}, {"f", TC_F32, 0, 1},
    {"float64", TC_F64, 1, 1}, {"double", TC_F64, 1, 1}, {"float", TC_F64, 0, 1}, {"f8", TC_F64, 0, 1},
    {"d", TC_F64, 0, 1}};

static bool dtype_by_name(const char *s, bool attr, tc_dtype *out) {
  if (!attr && (*s == '<' || *s == '=' || *s == '|') && s[1]) s++;
  for (size_t k = 0; k < sizeof dtype_aliases / sizeof dtype_aliases[0]; k++)
    if ((attr ? dtype_aliases[k].attr : dtype_aliases[k].str) && !strcmp(dtype_aliases[k].name, s)) {
      *out = dtype_aliases[k].dt;
      return true;
    }
  return false;
}

/* A dtype without raising: np.int64, np.dtype(...), 'int64', int/float/bool. */
bool np_dtype_try(const value *v, tc_dtype *out) {
  if (v->kind == V_NPDTYPE) {
    *out = v->dt;
    return true;
  }
  if (np_type_dtype(v, out)) return true;
  if (v->kind == V_STR) return dtype_by_name(v->str.s, false, out);
  if (v->kind == V_BUILTIN && !v->fn.self && (v->fn.def->flags & BF_TYPE)) {
    const char *n = v->fn.def->name;
    if (!strcmp(n, "int")) *out = TC_I64;
    else if (!strcmp(n, "float")) *out = TC_F64;
    else if (!strcmp(n, "bool")) *out = TC_BOOL;
    else return false;
    return true;
  }
  return false;
}

bool np_dtype_from_value(interp *I, value *v, tc_dtype *out) {
  if (np_dtype_try(v, out)) return true;
  if (v->kind == V_STR) {
    static const char *const known[] = {"uint16", "uint32", "uint64", "u2", "u4", "u8", "complex64", "complex128",
                                        "complex", "c8", "c16", "longdouble", "float128", "object", "O", "str",
                                        "U", "S", "datetime64", "timedelta64", NULL};
    for (int k = 0; known[k]; k++)
      if (!strcmp(known[k], v->str.s))
        return ex_raise(I, X_NOTIMPL, "tensorc does not support the NumPy dtype '%s'", v->str.s), false;
    return ex_raise(I, X_TYPE, "data type '%s' not understood", v->str.s), false;
  }
  value *r = v_to_repr(I, v);
  if (!r) return false;
  ex_raise(I, X_TYPE, "Cannot interpret '%s' as a data type", r->str.s);
  v_decref(r);
  return false;
}

/* dtype=None or absent: false in *has. */
static bool dtype_kw(interp *I, call_args *a, int pos, bool *has, tc_dtype *dt) {
  value *v;
  *has = false;
  if (!arg_get(I, a, fname(I), pos, "dtype", &v)) return false;
  if (!v || v->kind == V_NONE) return true;
  *has = true;
  return np_dtype_from_value(I, v, dt);
}

value *npdtype_getattr(interp *I, value *self, const char *name) {
  static const char kinds[TC_NUM_DTYPES] = {'b', 'u', 'i', 'i', 'i', 'i', 'f', 'f', 'f', 'f'};
  static const char chars[TC_NUM_DTYPES] = {'?', 'B', 'b', 'h', 'i', 'l', 'e', 'E', 'f', 'd'};
  tc_dtype dt = self->dt;
  char s[8];
  if (!strcmp(name, "name")) return v_cstr(np_dtype_name(dt)) ?: ex_nomem(I);
  if (!strcmp(name, "itemsize")) return v_int((int64_t)tc_dtype_size(dt)) ?: ex_nomem(I);
  if (!strcmp(name, "type")) return np_type_object(I, dt);
  if (!strcmp(name, "kind") || !strcmp(name, "char")) {
    snprintf(s, sizeof s, "%c", name[0] == 'k' ? kinds[dt] : chars[dt]);
    return v_cstr(s) ?: ex_nomem(I);
  }
  if (!strcmp(name, "str")) {
    snprintf(s, sizeof s, "%c%c%zu", tc_dtype_size(dt) == 1 ? '|' : '<', kinds[dt], tc_dtype_size(dt));
    return v_cstr(s) ?: ex_nomem(I);
  }
  return NULL;
}

/* ---- scalars ---------------------------------------------------------------------------- */

static int64_t wrap_int(tc_dtype dt, int64_t x) {
  switch (dt) {
  case TC_U8: return (uint8_t)x;
  case TC_I8: return (int8_t)x;
  case TC_I16: return (int16_t)x;
  case TC_I32: return (int32_t)x;
  default: return x;
  }
}

static bool int_fits(tc_dtype dt, int64_t x) { return wrap_int(dt, x) == x; }

/* A value as NumPy stores it in dtype dt: Python ints range-checked (NumPy
 * 2 raises), floats truncated toward zero for integer dtypes, NumPy's own
 * integers wrapped. */
static bool elem_as(interp *I, double f, int64_t i, bool is_float, bool pyint, tc_dtype dt, double *of, int64_t *oi) {
  *oi = 0;
  if (dt == TC_BOOL) {
    *oi = is_float ? f != 0 : i != 0;
    *of = (double)*oi;
    return true;
  }
  if (tc_dtype_is_floating(dt)) {
    *of = np_round_to(dt, is_float ? f : (double)i);
    return true;
  }
  if (is_float) {
    if (isnan(f)) return ex_raise(I, X_VALUE, "cannot convert float NaN to integer"), false;
    if (isinf(f)) return ex_raise(I, X_OVERFLOW, "cannot convert float infinity to integer"), false;
    double t = trunc(f);
    *oi = wrap_int(dt, t >= 9.2e18 ? INT64_MAX : t <= -9.2e18 ? INT64_MIN : (int64_t)t);
  } else if (pyint && !int_fits(dt, i)) {
    return ex_raise(I, X_OVERFLOW, "Python integer %lld out of bounds for %s", (long long)i, np_dtype_name(dt)), false;
  } else {
    *oi = wrap_int(dt, i);
  }
  *of = (double)*oi;
  return true;
}

static bool number_as(interp *I, value *v, tc_dtype dt, double *f, int64_t *i) {
  tc_dtype own;
  bool pyint = v->kind == V_INT && !v_npscalar_dtype(v, &own);
  return elem_as(I, v_as_double(v), v->kind == V_FLOAT ? 0 : v_as_int(v), v->kind == V_FLOAT, pyint, dt, f, i);
}

static value *f_scalar_type(interp *I, value *self, call_args *a) {
  tc_dtype dt = (tc_dtype)(I->calling - np_types);
  if (a->nkw || a->nargs > 1) return ex_raise(I, X_TYPE, "%s() takes at most 1 argument", np_dtype_name(dt));
  value *x = a->nargs ? a->args[0] : NULL;
  if (x && (x->kind == V_NDARRAY || x->kind == V_LIST || x->kind == V_TUPLE)) {
    value *arr = np_array_from(I, x, true, dt, true);
    if (!arr || tc_tensor_ndim(arr->t)) return arr;
    value *s = np_scalar_of(I, arr->t);
    v_decref(arr);
    return s;
  }
  if (x && x->kind == V_STR) {
    char *end;
    double d = strtod(x->str.s, &end);
    if (!x->str.n || *end) return ex_raise(I, X_VALUE, "could not convert string to %s: '%s'", np_dtype_name(dt), x->str.s);
    value *n = tc_dtype_is_floating(dt) ? v_float(d) : v_int((int64_t)d);
    if (!n) return ex_nomem(I);
    value *r = f_scalar_type(I, self, &(call_args){&n, 1, NULL, NULL, 0});
    v_decref(n);
    return r;
  }
  if (x && !v_is_number(x))
    return ex_raise(I, X_TYPE, "%s() argument must be a string or a number, not '%s'", np_dtype_name(dt), v_type_name(x));
  double f = 0;
  int64_t i = 0;
  if (x && !number_as(I, x, dt, &f, &i)) return NULL;
  return v_npscalar(dt, f, i) ?: ex_nomem(I);
}

/* ---- np.array ------------------------------------------------------------------------------ */

typedef struct npdata {
  double *f;
  int64_t *i;
  unsigned char *flags; /* per element: EL_FLOAT (use f, else i), EL_PYINT */
  int64_t n, cap;
  int nd;
  int64_t shape[TC_MAX_DIMS];
  bool any;
  tc_dtype dt; /* inferred */
} npdata;

enum { EL_FLOAT = 1, EL_PYINT = 2 };

static void data_free(npdata *d) {
  free(d->f);
  free(d->i);
  free(d->flags);
}

static bool push(interp *I, npdata *d, double f, int64_t i, unsigned flags, tc_dtype dt) {
  if (d->n == d->cap) {
    int64_t cap = d->cap ? d->cap * 2 : 64;
    if (cap > (1 << 27)) return ex_raise(I, X_MEMORY, "array data is too large"), false;
    double *nf = realloc(d->f, sizeof(double) * (size_t)cap);
    if (nf) d->f = nf;
    int64_t *ni = nf ? realloc(d->i, sizeof(int64_t) * (size_t)cap) : NULL;
    if (ni) d->i = ni;
    unsigned char *nfl = ni ? realloc(d->flags, (size_t)cap) : NULL;
    if (!nfl) return ex_nomem(I), false;
    d->flags = nfl;
    d->cap = cap;
  }
  d->f[d->n] = f;
  d->i[d->n] = i;
  d->flags[d->n++] = (unsigned char)flags;
  d->dt = d->any ? np_promote(d->dt, dt) : dt;
  d->any = true;
  return true;
}

static bool ragged(interp *I, npdata *d, int depth) {
  char shape[256];
  size_t k = (size_t)snprintf(shape, sizeof shape, "(");
  for (int j = 0; j < depth && k < sizeof shape; j++)
    k += (size_t)snprintf(shape + k, sizeof shape - k, "%s%lld", j ? ", " : "", (long long)d->shape[j]);
  if (k < sizeof shape) snprintf(shape + k, sizeof shape - k, depth == 1 ? ",)" : ")");
  ex_raise(I, X_VALUE, "setting an array element with a sequence. The requested array has an inhomogeneous shape "
                       "after %d dimensions. The detected shape was %s + inhomogeneous part.", depth, shape);
  return false;
}

/* The elements of an array nested in the data (its shape must be the rest). */
static bool push_array(interp *I, npdata *d, value *arr, int depth) {
  int64_t s[TC_MAX_DIMS];
  int k = tc_tensor_shape(arr->t, s);
  if (k != d->nd - depth || memcmp(s, d->shape + depth, sizeof(int64_t) * (size_t)k)) return ragged(I, d, depth);
  tc_dtype dt = tc_tensor_dtype(arr->t);
  bool fl = tc_dtype_is_floating(dt);
  int64_t n = tc_tensor_numel(arr->t);
  tc_tensor *c = tc_to_dtype(arr->t, fl ? TC_F64 : TC_I64);
  void *buf = malloc(8 * (size_t)(n ? n : 1));
  bool ok = c && buf && (!n || tc_copy_to_host(c, buf, 8 * (size_t)n) == TC_OK);
  if (!ok) buf ? ex_from_ctx(I) : ex_nomem(I);
  for (int64_t j = 0; ok && j < n; j++)
    ok = fl ? push(I, d, ((double *)buf)[j], 0, EL_FLOAT, dt) : push(I, d, 0, ((int64_t *)buf)[j], 0, dt);
  tc_tensor_release(c);
  free(buf);
  return ok;
}

static bool walk(interp *I, npdata *d, value *v, int depth) {
  bool seq = v->kind == V_LIST || v->kind == V_TUPLE;
  if (v->kind == V_NDARRAY) return push_array(I, d, v, depth);
  if (v->kind == V_TENSOR) { /* through t.numpy(), as NumPy's __array__ protocol does */
    value *arr = tensor_numpy(I, v, false);
    bool ok = arr && push_array(I, d, arr, depth);
    v_decref(arr);
    return ok;
  }
  if (depth == d->nd) {
    if (seq) return ragged(I, d, depth);
    tc_dtype dt;
    if (!v_is_number(v))
      return ex_raise(I, X_NOTIMPL, "tensorc supports NumPy arrays of numbers only (got %s)", v_type_name(v)), false;
    bool strong = v_npscalar_dtype(v, &dt);
    if (!strong) dt = v->kind == V_BOOL ? TC_BOOL : v->kind == V_INT ? TC_I64 : TC_F64;
    unsigned fl = (v->kind == V_FLOAT ? EL_FLOAT : 0) | (!strong && v->kind == V_INT ? EL_PYINT : 0);
    return push(I, d, v_as_double(v), v->kind == V_FLOAT ? 0 : v_as_int(v), fl, dt);
  }
  if (!seq || v->seq.n != d->shape[depth]) return ragged(I, d, depth);
  for (int k = 0; k < v->seq.n; k++)
    if (!walk(I, d, v->seq.items[k], depth + 1)) return false;
  return true;
}

/* The host buffer of the elements as dtype `host` (float64, int64 or bool). */
static void *host_buffer(interp *I, npdata *d, tc_dtype dt, tc_dtype host) {
  void *buf = malloc(tc_dtype_size(host) * (size_t)(d->n ? d->n : 1));
  if (!buf) return ex_nomem(I);
  for (int64_t k = 0; k < d->n; k++) {
    double f;
    int64_t i;
    if (!elem_as(I, d->f[k], d->i[k], d->flags[k] & EL_FLOAT, d->flags[k] & EL_PYINT, dt, &f, &i)) {
      free(buf);
      return NULL;
    }
    if (host == TC_F64) ((double *)buf)[k] = f;
    else if (host == TC_BOOL) ((bool *)buf)[k] = i != 0;
    else ((int64_t *)buf)[k] = i;
  }
  return buf;
}

static value *from_data(interp *I, value *obj, bool has_dt, tc_dtype dt) {
  npdata d = {0};
  for (value *v = obj;;) {
    if (v->kind == V_LIST || v->kind == V_TUPLE) {
      if (d.nd == TC_MAX_DIMS) return ex_raise(I, X_VALUE, "tensorc supports at most %d dimensions", TC_MAX_DIMS);
      d.shape[d.nd++] = v->seq.n;
      if (!v->seq.n) break;
      v = v->seq.items[0];
    } else {
      if (v->kind == V_NDARRAY || v->kind == V_TENSOR) {
        int64_t s[TC_MAX_DIMS];
        int k = tc_tensor_shape(v->t, s);
        if (d.nd + k > TC_MAX_DIMS) return ex_raise(I, X_VALUE, "tensorc supports at most %d dimensions", TC_MAX_DIMS);
        memcpy(d.shape + d.nd, s, sizeof(int64_t) * (size_t)k);
        d.nd += k;
      }
      break;
    }
  }
  value *r = NULL;
  if (walk(I, &d, obj, 0)) {
    tc_dtype want = has_dt ? dt : d.any ? d.dt : TC_F64;
    tc_dtype host = tc_dtype_is_floating(want) ? TC_F64 : want == TC_BOOL ? TC_BOOL : TC_I64;
    void *buf = host_buffer(I, &d, want, host);
    if (buf) {
      tc_device saved = cpu_enter(I);
      tc_tensor *t = tc_from_data(I->ctx, buf, host, d.nd, d.shape);
      tc_tensor *c = t && host != want ? tc_to_dtype(t, want) : tc_tensor_retain(t);
      tc_tensor_release(t);
      r = ndarray_result(I, cpu_leave(I, saved, c));
      free(buf);
    }
  }
  data_free(&d);
  return r;
}

value *np_array_from(interp *I, value *obj, bool has_dt, tc_dtype dt, bool copy) {
  if (obj->kind == V_TENSOR) { /* through t.numpy(): an alias, or PyTorch's refusal */
    value *a = tensor_numpy(I, obj, false);
    value *r = a ? np_array_from(I, a, has_dt, dt, copy) : NULL;
    v_decref(a);
    return r;
  }
  if (obj->kind == V_NDARRAY) {
    if (has_dt && dt != tc_tensor_dtype(obj->t)) return ndarray_result(I, np_cast(I, obj->t, dt));
    return copy ? ndarray_result(I, tc_clone(obj->t)) : v_incref(obj);
  }
  if (!v_is_number(obj) && obj->kind != V_LIST && obj->kind != V_TUPLE)
    return ex_raise(I, X_NOTIMPL, "tensorc supports NumPy arrays of numbers only (got %s)", v_type_name(obj));
  return from_data(I, obj, has_dt, dt);
}

static value *f_array(interp *I, value *self, call_args *a) {
  static const char *const kw[] = {"object", "a", "dtype", "copy", NULL};
  const char *name = fname(I);
  bool as = I->calling->tag == 1, has_dt, copy = !as;
  value *obj = NULL, *cv = NULL;
  tc_dtype dt = TC_F64;
  if (!args_check(I, a, name, 2, kw) || !arg_get(I, a, name, 0, as ? "a" : "object", &obj) ||
      !dtype_kw(I, a, 1, &has_dt, &dt) || !arg_get(I, a, name, -1, "copy", &cv))
    return NULL;
  if (!obj) return ex_raise(I, X_TYPE, "%s() missing required argument '%s' (pos 0)", name, as ? "a" : "object");
  if (cv && cv->kind != V_NONE && !to_bool(I, cv, &copy)) return NULL; /* copy=None or False: share if possible */
  if (cv && cv->kind == V_NONE) copy = false;
  return np_array_from(I, obj, has_dt, dt, copy);
}

static value *f_copy(interp *I, value *self, call_args *a) {
  static const char *const kw[] = {"a", "order", NULL};
  value *x = NULL;
  if (!args_check(I, a, "copy", 2, kw) || !arg_get(I, a, "copy", 0, "a", &x)) return NULL;
  if (!x) return ex_raise(I, X_TYPE, "copy() missing required argument 'a' (pos 0)");
  return np_array_from(I, x, false, TC_F64, true);
}

/* ---- creation ---------------------------------------------------------------------------- */

static bool np_shape(interp *I, value *v, int *nd, int64_t *shape) {
  if (!shape_from_value(I, v, fname(I), nd, shape)) return false;
  for (int d = 0; d < *nd; d++)
    if (shape[d] < 0) return ex_raise(I, X_VALUE, "negative dimensions are not allowed"), false;
  return true;
}

/* tag: 0 zeros, 1 ones, 2 empty (zero-filled: its contents are unspecified) */
static value *f_filled(interp *I, value *self, call_args *a) {
  static const char *const kw[] = {"shape", "dtype", "order", "like", NULL};
  value *sv = NULL;
  int nd;
  int64_t shape[TC_MAX_DIMS];
  bool has_dt;
  tc_dtype dt = TC_F64;
  if (!args_check(I, a, fname(I), 3, kw) || !arg_get(I, a, fname(I), 0, "shape", &sv) || !dtype_kw(I, a, 1, &has_dt, &dt))
    return NULL;
  if (!sv) return ex_raise(I, X_TYPE, "%s() missing required argument 'shape' (pos 0)", fname(I));
  if (!np_shape(I, sv, &nd, shape)) return NULL;
  tc_device saved = cpu_enter(I);
  tc_tensor *t = I->calling->tag == 1 ? tc_ones(I->ctx, dt, nd, shape) : tc_zeros(I->ctx, dt, nd, shape);
  return ndarray_result(I, cpu_leave(I, saved, t));
}

/* The dtype NumPy gives a fill value. */
static tc_dtype value_dtype(value *v) {
  tc_dtype dt;
  if (v_npscalar_dtype(v, &dt)) return dt;
  if (v->kind == V_NDARRAY) return tc_tensor_dtype(v->t);
  return v->kind == V_BOOL ? TC_BOOL : v->kind == V_INT ? TC_I64 : TC_F64;
}

static value *make_full(interp *I, value *fill, bool has_dt, tc_dtype dt, int nd, const int64_t *shape) {
  if (!v_is_number(fill)) return ex_raise(I, X_NOTIMPL, "tensorc: numpy.%s takes a number as fill_value", fname(I));
  if (!has_dt) dt = value_dtype(fill);
  double f;
  int64_t i;
  if (!number_as(I, fill, dt, &f, &i)) return NULL;
  tc_device saved = cpu_enter(I);
  tc_tensor *t = tc_full(I->ctx, tc_dtype_is_floating(dt) ? f : (double)i, dt, nd, shape);
  return ndarray_result(I, cpu_leave(I, saved, t));
}

static value *f_full(interp *I, value *self, call_args *a) {
  static const char *const kw[] = {"shape", "fill_value", "dtype", "order", "like", NULL};
  value *sv = NULL, *fill = NULL;
  int nd;
  int64_t shape[TC_MAX_DIMS];
  bool has_dt;
  tc_dtype dt = TC_F64;
  if (!args_check(I, a, "full", 4, kw) || !arg_get(I, a, "full", 0, "shape", &sv) ||
      !arg_get(I, a, "full", 1, "fill_value", &fill) || !dtype_kw(I, a, 2, &has_dt, &dt))
    return NULL;
  if (!sv || !fill) return ex_raise(I, X_TYPE, "full() missing required argument '%s'", sv ? "fill_value" : "shape");
  if (!np_shape(I, sv, &nd, shape)) return NULL;
  return make_full(I, fill, has_dt, dt, nd, shape);
}

/* tag: 0 zeros_like, 1 ones_like, 2 empty_like, 3 full_like */
static value *f_like(interp *I, value *self, call_args *a) {
  static const char *const kw[] = {"a", "fill_value", "dtype", "order", "subok", "shape", NULL};
  int tag = (int)I->calling->tag, dpos = tag == 3 ? 2 : 1;
  value *x = NULL, *fill = NULL;
  bool has_dt;
  tc_dtype dt;
  if (!args_check(I, a, fname(I), dpos + 1, kw) || !arg_get(I, a, fname(I), 0, "a", &x) ||
      (tag == 3 && !arg_get(I, a, fname(I), 1, "fill_value", &fill)) || !dtype_kw(I, a, dpos, &has_dt, &dt))
    return NULL;
  if (!x || (tag == 3 && !fill)) return ex_raise(I, X_TYPE, "%s() missing required arguments", fname(I));
  value *arr = np_coerce(I, x);
  if (!arr) return NULL;
  int64_t shape[TC_MAX_DIMS];
  int nd = tc_tensor_shape(arr->t, shape);
  if (!has_dt) dt = tc_tensor_dtype(arr->t);
  v_decref(arr);
  if (tag == 3) return make_full(I, fill, true, dt, nd, shape);
  tc_device saved = cpu_enter(I);
  tc_tensor *t = tag == 1 ? tc_ones(I->ctx, dt, nd, shape) : tc_zeros(I->ctx, dt, nd, shape);
  return ndarray_result(I, cpu_leave(I, saved, t));
}

static bool is_float_number(value *v) { return v->kind == V_FLOAT; }

/* Fills n values the way NumPy's arange does: the first two elements are
 * start and start + step stored in the dtype, the rest start + i * delta
 * computed in the dtype (float32 and float16 in float). */
static void arange_fill(void *buf, tc_dtype dt, int64_t n, double start, double step, int64_t istart, int64_t istep,
                        bool ints) {
  if (!tc_dtype_is_floating(dt)) {
    int64_t b0 = ints ? istart : (int64_t)trunc(start), b1 = ints ? istart + istep : (int64_t)trunc(start + step);
    for (int64_t k = 0; k < n; k++) ((int64_t *)buf)[k] = k == 1 ? b1 : b0 + k * (b1 - b0);
    return;
  }
  double s = ints ? (double)istart : start, s1 = ints ? (double)(istart + istep) : start + step;
  if (dt == TC_F64) {
    double delta = s1 - s;
    for (int64_t k = 0; k < n; k++) ((double *)buf)[k] = k == 1 ? s1 : s + (double)k * delta;
    return;
  }
  float b0 = (float)np_round_to(dt, s), b1 = (float)np_round_to(dt, s1), delta = b1 - b0;
  for (int64_t k = 0; k < n; k++) ((double *)buf)[k] = k == 1 ? b1 : np_round_to(dt, (double)(b0 + (float)k * delta));
}

static value *f_arange(interp *I, value *self, call_args *a) {
  static const char *const kw[] = {"start", "stop", "step", "dtype", "like", NULL};
  static const char *const names[] = {"start", "stop", "step"};
  value *v[3] = {0};
  bool has_dt;
  tc_dtype dt = TC_I64;
  if (!args_check(I, a, "arange", 4, kw) || !dtype_kw(I, a, 3, &has_dt, &dt)) return NULL;
  for (int k = 0; k < 3; k++)
    if (!arg_get(I, a, "arange", k, names[k], &v[k])) return NULL;
  if (a->nargs == 1 || (v[0] && !v[1])) v[1] = v[0], v[0] = NULL; /* arange(stop) */
  if (!v[1]) return ex_raise(I, X_TYPE, "arange() requires stop to be specified.");
  double f[3] = {0, 0, 1};
  int64_t i[3] = {0, 0, 1};
  bool ints = true;
  for (int k = 0; k < 3; k++) {
    if (!v[k] || v[k]->kind == V_NONE) continue;
    if (!v_is_number(v[k])) return ex_raise(I, X_TYPE, "unsupported operand type for arange(): '%s'", v_type_name(v[k]));
    f[k] = v_as_double(v[k]);
    if (is_float_number(v[k])) ints = false;
    else i[k] = v_as_int(v[k]);
  }
  if (!has_dt) dt = ints ? TC_I64 : TC_F64;
  if (ints ? i[2] == 0 : f[2] == 0) return ex_raise(I, X_ZERODIV, "division by zero");
  double len = ints ? 0 : ceil((f[1] - f[0]) / f[2]);
  if (!ints && isnan(len)) return ex_raise(I, X_VALUE, "arange: cannot compute length");
  int64_t n = ints ? (i[2] > 0 ? (i[1] > i[0] ? (i[1] - i[0] + i[2] - 1) / i[2] : 0)
                               : (i[0] > i[1] ? (i[0] - i[1] - i[2] - 1) / -i[2] : 0))
                   : (len > 0 ? (len > 1e15 ? (int64_t)1e15 : (int64_t)len) : 0);
  if (n > (1 << 27)) return ex_raise(I, X_MEMORY, "tensorc: arange of %lld elements is too large", (long long)n);
  tc_dtype host = tc_dtype_is_floating(dt) ? TC_F64 : TC_I64;
  void *buf = malloc(8 * (size_t)(n ? n : 1));
  if (!buf) return ex_nomem(I);
  arange_fill(buf, dt, n, f[0], f[2], i[0], i[2], ints);
  tc_device saved = cpu_enter(I);
  tc_tensor *t = tc_from_data(I->ctx, buf, host, 1, &n);
  tc_tensor *c = t && host != dt ? tc_to_dtype(t, dt) : tc_tensor_retain(t);
  tc_tensor_release(t);
  free(buf);
  return ndarray_result(I, cpu_leave(I, saved, c));
}

static value *f_linspace(interp *I, value *self, call_args *a) {
  static const char *const kw[] = {"start", "stop", "num", "endpoint", "retstep", "dtype", "axis", NULL};
  value *sv = NULL, *ev = NULL, *nv = NULL, *epv = NULL;
  bool has_dt, endpoint = true;
  tc_dtype dt = TC_F64;
  double start, stop;
  int64_t num = 50;
  if (!args_check(I, a, "linspace", 4, kw) || !arg_get(I, a, "linspace", 0, "start", &sv) ||
      !arg_get(I, a, "linspace", 1, "stop", &ev) || !arg_get(I, a, "linspace", 2, "num", &nv) ||
      !arg_get(I, a, "linspace", 3, "endpoint", &epv) || !dtype_kw(I, a, -1, &has_dt, &dt))
    return NULL;
  if (!sv || !ev) return ex_raise(I, X_TYPE, "linspace() missing required arguments 'start' and 'stop'");
  if (!to_double(I, sv, "start", &start) || !to_double(I, ev, "stop", &stop) || (nv && !to_int(I, nv, "num", &num)) ||
      (epv && !to_bool(I, epv, &endpoint)))
    return NULL;
  if (num < 0) return ex_raise(I, X_VALUE, "Number of samples, %lld, must be non-negative.", (long long)num);
  if (num > (1 << 27)) return ex_raise(I, X_MEMORY, "tensorc: linspace of %lld elements is too large", (long long)num);
  double *buf = malloc(sizeof(double) * (size_t)(num ? num : 1));
  if (!buf) return ex_nomem(I);
  int64_t div = endpoint ? num - 1 : num;
  double delta = stop - start, step = div > 0 ? delta / (double)div : NAN;
  for (int64_t k = 0; k < num; k++) {
    double y = div > 0 ? (step == 0 ? (double)k / (double)div * delta : (double)k * step) : (double)k * delta;
    buf[k] = y + start;
    if (!tc_dtype_is_floating(dt)) buf[k] = floor(buf[k]);
  }
  if (endpoint && num > 1) buf[num - 1] = tc_dtype_is_floating(dt) ? stop : floor(stop);
  tc_device saved = cpu_enter(I);
  tc_tensor *t = tc_from_data(I->ctx, buf, TC_F64, 1, &num);
  tc_tensor *c = t && dt != TC_F64 ? np_cast(I, t, dt) : tc_tensor_retain(t);
  tc_tensor_release(t);
  free(buf);
  return ndarray_result(I, cpu_leave(I, saved, c));
}

static value *f_eye(interp *I, value *self, call_args *a) {
  static const char *const kw[] = {"N", "M", "k", "dtype", "order", "like", NULL};
  value *nv = NULL, *mv = NULL, *kv = NULL;
  int64_t n, m, k = 0;
  bool has_dt;
  tc_dtype dt = TC_F64;
  if (!args_check(I, a, "eye", 4, kw) || !arg_get(I, a, "eye", 0, "N", &nv) || !arg_get(I, a, "eye", 1, "M", &mv) ||
      !arg_get(I, a, "eye", 2, "k", &kv) || !dtype_kw(I, a, 3, &has_dt, &dt))
    return NULL;
  if (!nv) return ex_raise(I, X_TYPE, "eye() missing required argument 'N' (pos 0)");
  if (!to_int(I, nv, "N", &n) || (kv && !to_int(I, kv, "k", &k))) return NULL;
  m = n;
  if (mv && mv->kind != V_NONE && !to_int(I, mv, "M", &m)) return NULL;
  if (k) return ex_raise(I, X_NOTIMPL, "tensorc does not support numpy.eye with k != 0 yet");
  if (n < 0 || m < 0) return ex_raise(I, X_VALUE, "negative dimensions are not allowed");
  tc_device saved = cpu_enter(I);
  return ndarray_result(I, cpu_leave(I, saved, tc_eye(I->ctx, n, m, dt)));
}

/* ---- functions over arrays ---------------------------------------------------------------- */

/* np.NAME(a, *rest) as a.METHOD(*rest); tag: the method name. */
static value *f_method(interp *I, value *self, call_args *a) {
  const char *method = (const char *)I->calling->tag;
  value *x = a->nargs ? a->args[0] : NULL;
  for (int k = 0; !x && k < a->nkw; k++)
    if (!strcmp(a->kwnames[k], "a")) x = a->kwvals[k];
  if (!x) return ex_raise(I, X_TYPE, "%s() missing required argument 'a' (pos 0)", fname(I));
  value *arr = np_coerce(I, x);
  value *m = arr ? get_attr(I, arr, method) : NULL;
  v_decref(arr);
  if (!m) return NULL;
  const char *kwn[16];
  value *kwv[16];
  call_args rest = {a->nargs ? a->args + 1 : NULL, a->nargs ? a->nargs - 1 : 0, kwn, kwv, 0};
  for (int k = 0; k < a->nkw && rest.nkw < 16; k++)
    if (strcmp(a->kwnames[k], "a")) {
      kwn[rest.nkw] = a->kwnames[k];
      kwv[rest.nkw++] = a->kwvals[k];
    }
  if (!strcmp(method, "reshape") && rest.nargs == 0 && rest.nkw == 1 && !strcmp(kwn[0], "newshape")) kwn[0] = "shape";
  value *r = call_value(I, m, &rest);
  v_decref(m);
  return r;
}

/* The float dtype NumPy computes sqrt/exp/... of dtype dt in. */
static tc_dtype float_result(tc_dtype dt) {
  if (tc_dtype_is_floating(dt)) return dt;
  return dt == TC_BOOL || dt == TC_I8 || dt == TC_U8 ? TC_F16 : dt == TC_I16 ? TC_F32 : TC_F64;
}

/* tag: 0 abs, 1 sqrt, 2 exp, 3 log, 4 sin, 5 cos, 6 tanh, 7 tan */
static value *f_unary(interp *I, value *self, call_args *a) {
  if (a->nargs != 1 || a->nkw) return ex_raise(I, X_TYPE, "tensorc: numpy.%s takes exactly one argument", fname(I));
  value *arr = np_coerce(I, a->args[0]);
  if (!arr) return NULL;
  int tag = (int)I->calling->tag;
  if (tag == 0) {
    value *r = np_abs(I, arr);
    v_decref(arr);
    return r;
  }
  static tc_tensor *(*const fns[])(tc_tensor *) = {NULL, tc_sqrt, tc_exp, tc_log, tc_sin, tc_cos, tc_tanh, tc_tan};
  tc_tensor *x = tc_to_dtype(arr->t, float_result(tc_tensor_dtype(arr->t)));
  tc_tensor *r = fns[tag](x);
  tc_tensor_release(x);
  v_decref(arr);
  return np_result(I, r);
}

/* Operands of np.add(a, b) ...: lists and tensors as arrays; Python numbers
 * stay weak (NEP 50). */
static value *ufunc_operand(interp *I, value *v) {
  return v_is_number(v) || v->kind == V_NDARRAY ? v_incref(v) : np_coerce(I, v);
}

/* np.add(a, b) ... as the operator; tag: the op_kind. */
static value *f_binary(interp *I, value *self, call_args *a) {
  if (a->nargs != 2 || a->nkw) return ex_raise(I, X_TYPE, "tensorc: numpy.%s takes exactly two arguments", fname(I));
  value *x = ufunc_operand(I, a->args[0]), *y = x ? ufunc_operand(I, a->args[1]) : NULL;
  value *r = y ? np_binary(I, (op_kind)I->calling->tag, x, y) : NULL;
  v_decref(x);
  v_decref(y);
  return r;
}

/* np.maximum / np.minimum. */
static value *f_extreme(interp *I, value *self, call_args *a) {
  if (a->nargs != 2 || a->nkw) return ex_raise(I, X_TYPE, "tensorc: numpy.%s takes exactly two arguments", fname(I));
  value *x = ufunc_operand(I, a->args[0]), *y = x ? ufunc_operand(I, a->args[1]) : NULL;
  value *r = y ? np_ufunc2(I, I->calling->tag ? TC_OP_MINIMUM : TC_OP_MAXIMUM, fname(I), x, y) : NULL;
  v_decref(x);
  v_decref(y);
  return r;
}

/* tag: 0 array_equal, 1 allclose */
static value *f_equal(interp *I, value *self, call_args *a) {
  static const char *const kw[] = {"a", "b", "rtol", "atol", "equal_nan", NULL};
  value *av = NULL, *bv = NULL, *rv = NULL, *tv = NULL, *nv = NULL;
  double rtol = 1e-05, atol = 1e-08;
  bool equal_nan = false;
  if (!args_check(I, a, fname(I), 5, kw) || !arg_get(I, a, fname(I), 0, "a", &av) ||
      !arg_get(I, a, fname(I), 1, "b", &bv) ||
      !arg_get(I, a, fname(I), 2, "rtol", &rv) || !arg_get(I, a, fname(I), 3, "atol", &tv) ||
      !arg_get(I, a, fname(I), 4, "equal_nan", &nv))
    return NULL;
  if (!av || !bv) return ex_raise(I, X_TYPE, "%s() missing required arguments", fname(I));
  if ((rv && !to_double(I, rv, "rtol", &rtol)) || (tv && !to_double(I, tv, "atol", &atol)) ||
      (nv && !to_bool(I, nv, &equal_nan)))
    return NULL;
  value *x = np_coerce(I, av), *y = x ? np_coerce(I, bv) : NULL, *r = NULL;
  if (y) {
    int64_t sx[TC_MAX_DIMS], sy[TC_MAX_DIMS];
    int nx = tc_tensor_shape(x->t, sx), ny = tc_tensor_shape(y->t, sy);
    bool same = nx == ny && !memcmp(sx, sy, sizeof(int64_t) * (size_t)nx);
    tc_tensor *p = tc_to_dtype(x->t, TC_F64), *q = tc_to_dtype(y->t, TC_F64);
    bool eq = I->calling->tag == 0 ? same && tc_equal(p, q) : tc_allclose(p, q, rtol, atol, equal_nan);
    tc_tensor_release(p);
    tc_tensor_release(q);
    r = tc_last_status(I->ctx) != TC_OK ? ex_from_ctx(I) : v_bool(eq);
  }
  v_decref(x);
  v_decref(y);
  return r;
}

static value *f_dtype(interp *I, value *self, call_args *a) {
  tc_dtype dt;
  if (a->nargs != 1 || a->nkw) return ex_raise(I, X_TYPE, "tensorc's numpy.dtype() takes one argument");
  return np_dtype_from_value(I, a->args[0], &dt) ? v_npdtype(dt) ?: ex_nomem(I) : NULL;
}

static value *f_ndarray(interp *I, value *self, call_args *a) {
  return ex_raise(I, X_NOTIMPL, "tensorc does not support numpy.ndarray(...); use numpy.array or numpy.zeros");
}

static const builtin_def np_dtype_def = {"dtype", f_dtype, (intptr_t)"numpy.dtype", BF_TYPE};
static const builtin_def np_ndarray_def = {"ndarray", f_ndarray, (intptr_t)"numpy.ndarray", BF_TYPE};

value *np_ndarray_type(interp *I) { return v_builtin(&np_ndarray_def, NULL) ?: ex_nomem(I); }
bool np_is_ndarray_type(const value *v) { return v->kind == V_BUILTIN && v->fn.def == &np_ndarray_def && !v->fn.self; }

#define METHOD(name, m) {name, f_method, (intptr_t)m, 0}

static const builtin_def np_fns[] = {
    {"array", f_array, 0, 0}, {"asarray", f_array, 1, 0}, {"copy", f_copy, 0, 0}, {"arange", f_arange, 0, 0},
    {"zeros", f_filled, 0, 0}, {"ones", f_filled, 1, 0}, {"empty", f_filled, 2, 0}, {"full", f_full, 0, 0},
    {"zeros_like", f_like, 0, 0}, {"ones_like", f_like, 1, 0}, {"empty_like", f_like, 2, 0},
    {"full_like", f_like, 3, 0}, {"linspace", f_linspace, 0, 0}, {"eye", f_eye, 0, 0},
    METHOD("sum", "sum"), METHOD("prod", "prod"), METHOD("mean", "mean"), METHOD("max", "max"),
    METHOD("amax", "max"), METHOD("min", "min"), METHOD("amin", "min"), METHOD("std", "std"),
    METHOD("var", "var"), METHOD("argmax", "argmax"), METHOD("argmin", "argmin"), METHOD("all", "all"),
    METHOD("any", "any"), METHOD("reshape", "reshape"), METHOD("transpose", "transpose"),
    METHOD("ravel", "ravel"), METHOD("squeeze", "squeeze"), METHOD("swapaxes", "swapaxes"),
    {"abs", f_unary, 0, 0}, {"absolute", f_unary, 0, 0}, {"sqrt", f_unary, 1, 0}, {"exp", f_unary, 2, 0},
    {"log", f_unary, 3, 0}, {"sin", f_unary, 4, 0}, {"cos", f_unary, 5, 0}, {"tanh", f_unary, 6, 0},
    {"tan", f_unary, 7, 0},
    {"add", f_binary, OP_ADD, 0}, {"subtract", f_binary, OP_SUB, 0}, {"multiply", f_binary, OP_MUL, 0},
    {"divide", f_binary, OP_DIV, 0}, {"true_divide", f_binary, OP_DIV, 0}, {"floor_divide", f_binary, OP_FLOORDIV, 0},
    {"remainder", f_binary, OP_MOD, 0}, {"mod", f_binary, OP_MOD, 0}, {"power", f_binary, OP_POW, 0},
    {"matmul", f_binary, OP_MATMUL, 0}, {"maximum", f_extreme, 0, 0}, {"minimum", f_extreme, 1, 0},
    {"array_equal", f_equal, 0, 0}, {"allclose", f_equal, 1, 0}, {NULL, NULL, 0, 0}};

value *numpy_getattr(interp *I, const char *name) {
  tc_dtype dt;
  if (dtype_by_name(name, true, &dt)) return np_type_object(I, dt);
  if (!strcmp(name, "ndarray")) return np_ndarray_type(I);
  if (!strcmp(name, "dtype")) return v_builtin(&np_dtype_def, NULL) ?: ex_nomem(I);
  if (!strcmp(name, "pi")) return v_float(M_PI) ?: ex_nomem(I);
  if (!strcmp(name, "e")) return v_float(M_E) ?: ex_nomem(I);
  if (!strcmp(name, "inf")) return v_float(INFINITY) ?: ex_nomem(I);
  if (!strcmp(name, "nan")) return v_float(NAN) ?: ex_nomem(I);
  if (!strcmp(name, "newaxis")) return v_none();
  if (!strcmp(name, "True_") || !strcmp(name, "False_")) return v_npscalar(TC_BOOL, 0, name[0] == 'T') ?: ex_nomem(I);
  if (!strcmp(name, "__version__")) return v_cstr("2.0.0+tensorc") ?: ex_nomem(I);
  for (const builtin_def *d = np_fns; d->name; d++)
    if (!strcmp(d->name, name)) return v_builtin(d, NULL) ?: ex_nomem(I);
  return ex_raise(I, X_NOTIMPL, "tensorc does not support numpy.%s yet", name);
}
