/*
 * torch_create.c — the torch functions that make tensors: torch.tensor
 * (nested lists with PyTorch's dtype inference: bool, int64, or the default
 * float), zeros/ones/empty/full and their *_like forms, rand/randn/randint,
 * arange, linspace, eye, cat and stack (written into an empty tensor through
 * narrow views, since the library has no concatenation op), where, and
 * unravel_index. Keyword arguments dtype= and device= are honored; a CUDA
 * device fails with PyTorch's kind of error until tensorc has a CUDA backend.
 * torch.tensor(array) copies a NumPy array; torch.as_tensor(array) shares it
 * when it stays on the CPU with its dtype.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tensor_api.h"

static const char *fname(interp *I) { return I->calling ? I->calling->name : "tensor"; }

/* ---- torch.tensor ------------------------------------------------------------ */

typedef struct flat {
  double *f;
  int64_t *i;
  int64_t n, cap;
  bool any_float, any_int;
  /* PyTorch infers NumPy scalars' own dtypes: promote_types over them and
     the Python numbers (bool, int64, the default float) */
  bool np_any, py_any, py_float, py_int;
  tc_dtype npdt;
} flat;

static bool flat_push(interp *I, flat *fl, double f, int64_t i) {
  if (fl->n == fl->cap) {
    int64_t cap = fl->cap ? fl->cap * 2 : 64;
    if (cap > (1 << 26)) return ex_raise(I, X_MEMORY, "tensor data is too large"), false;
    double *nf = realloc(fl->f, sizeof(double) * (size_t)cap);
    if (nf) fl->f = nf;
    int64_t *ni = nf ? realloc(fl->i, sizeof(int64_t) * (size_t)cap) : NULL;
    if (!ni) return ex_nomem(I), false;
    fl->i = ni;
    fl->cap = cap;
  }
  fl->f[fl->n] = f;
  fl->i[fl->n++] = i;
  return true;
}

static bool flatten_data(interp *I, value *v, int depth, int nd, const int64_t *shape, flat *fl) {
  bool seq = v->kind == V_LIST || v->kind == V_TUPLE || v->kind == V_SIZE;
  if (depth == nd) {
    if (seq) return ex_raise(I, X_VALUE, "expected sequence of length 0 at dim %d (got %d)", depth, v->seq.n), false;
    value *x = v, *tmp = NULL;
    if (v->kind == V_TENSOR) {
      if (tc_tensor_numel(v->t) != 1)
        return ex_raise(I, X_VALUE, "only one element tensors can be converted to Python scalars"), false;
      if (!(x = tmp = tensor_item(I, v->t))) return false;
    }
    bool ok = true;
    tc_dtype ndt;
    if (v_npscalar_dtype(x, &ndt)) {
      fl->npdt = fl->np_any ? tc_promote_types(fl->npdt, ndt) : ndt;
      fl->np_any = true;
    } else if (v_is_number(x)) {
      fl->py_any = true;
      fl->py_float |= x->kind == V_FLOAT;
      fl->py_int |= x->kind == V_INT;
    }
    if (x->kind == V_FLOAT) {
      fl->any_float = true;
      ok = flat_push(I, fl, x->f, 0);
    } else if (x->kind == V_INT) {
      fl->any_int = true;
      ok = flat_push(I, fl, (double)x->i, x->i);
    } else if (x->kind == V_BOOL) {
      ok = flat_push(I, fl, x->b, x->b);
    } else {
      ex_raise(I, X_TYPE, "new(): invalid data type '%s'", v_type_name(x));
      ok = false;
    }
    v_decref(tmp);
    return ok;
  }
  if (!seq) return ex_raise(I, X_TYPE, "new(): invalid data type '%s'", v_type_name(v)), false;
  if (v->seq.n != shape[depth])
    return ex_raise(I, X_VALUE, "expected sequence of length %lld at dim %d (got %d)", (long long)shape[depth], depth,
                    v->seq.n), false;
  for (int k = 0; k < v->seq.n; k++)
    if (!flatten_data(I, v->seq.items[k], depth + 1, nd, shape, fl)) return false;
  return true;
}

static void store(void *buf, tc_dtype dt, int64_t k, double f, int64_t i, bool is_float) {
  if (is_float && dt != TC_F32 && dt != TC_F64 && dt != TC_BOOL) {
    f = trunc(f);
    i = f >= 9.2e18 ? INT64_MAX : f <= -9.2e18 ? INT64_MIN : isnan(f) ? 0 : (int64_t)f;
  }
  switch (dt) {
  case TC_BOOL: ((bool *)buf)[k] = is_float ? f != 0 : i != 0; break;
  case TC_U8: ((uint8_t *)buf)[k] = (uint8_t)i; break;
  case TC_I8: ((int8_t *)buf)[k] = (int8_t)i; break;
  case TC_I16: ((int16_t *)buf)[k] = (int16_t)i; break;
  case TC_I32: ((int32_t *)buf)[k] = (int32_t)i; break;
  case TC_I64: ((int64_t *)buf)[k] = i; break;
  case TC_F64: ((double *)buf)[k] = is_float ? f : (double)i; break;
  default: ((float *)buf)[k] = (float)(is_float ? f : (double)i); break;
  }
}

value *tensor_from_data(interp *I, value *data, bool has_dtype, tc_dtype dt) {
  tc_dtype npdt;
  if (!has_dtype && v_npscalar_dtype(data, &npdt)) { /* torch.tensor(np.float64(1.5)): its dtype */
    has_dtype = true;
    dt = npdt;
  }
  if (data->kind == V_TENSOR || data->kind == V_NDARRAY) { /* a copy */
    tc_tensor *c = tc_clone(data->t);
    value *r = tensor_result(I, c && has_dtype ? tc_to_dtype(c, dt) : tc_tensor_retain(c));
    tc_tensor_release(c);
    return r;
  }
  int64_t shape[TC_MAX_DIMS];
  int nd = 0;
  for (value *v = data; v->kind == V_LIST || v->kind == V_TUPLE || v->kind == V_SIZE;) {
    if (nd == TC_MAX_DIMS) return ex_raise(I, X_RUNTIME, "tensorc supports at most %d dimensions", TC_MAX_DIMS);
    shape[nd++] = v->seq.n;
    if (!v->seq.n) break;
    v = v->seq.items[0];
  }
  flat fl = {0};
  value *r = NULL;
  if (flatten_data(I, data, 0, nd, shape, &fl)) {
    bool all_bool = !fl.any_float && !fl.any_int && fl.n > 0;
    tc_dtype inferred = fl.any_float || fl.n == 0 ? I->default_dtype : all_bool ? TC_BOOL : TC_I64;
    if (fl.np_any) {
      tc_dtype py = fl.py_float ? I->default_dtype : fl.py_int ? TC_I64 : TC_BOOL;
      inferred = fl.py_any ? tc_promote_types(py, fl.npdt) : fl.npdt;
    }
    if (fl.n == 0 && !has_dtype) inferred = I->default_dtype;
    tc_dtype want = has_dtype ? dt : inferred;
    tc_dtype host = want == TC_F16 || want == TC_BF16 ? TC_F32 : want;
    void *buf = malloc(tc_dtype_size(host) * (size_t)(fl.n ? fl.n : 1));
    int64_t bad = -1;
    if (has_dtype && want != TC_BOOL && !tc_dtype_is_floating(want)) {
      /* PyTorch's checked conversion of Python scalars: ints may wrap
         within the unsigned range's magnitude, floats must fit */
      static const double lo[] = {0, 0, -128, -32768, -2147483648.0, -9223372036854775808.0};
      static const double hi[] = {1, 255, 127, 32767, 2147483647.0, 9223372036854775807.0};
      for (int64_t k = 0; k < fl.n && bad < 0; k++) {
        double v = fl.any_float ? fl.f[k] : (double)fl.i[k];
        bool out = want == TC_U8 && !fl.any_float ? (v > hi[want] || -v > hi[want]) : (v < lo[want] || v > hi[want]);
        if (out || (fl.any_float && v != v)) bad = k;
      }
    }
    if (bad >= 0) {
      ex_raise(I, X_RUNTIME, "value cannot be converted to type %s without overflow", tc_dtype_name(want));
    } else if (!buf) {
      ex_nomem(I);
    } else {
      for (int64_t k = 0; k < fl.n; k++) store(buf, host, k, fl.f[k], fl.i[k], fl.any_float);
      tc_tensor *t = tc_from_data(I->ctx, buf, host, nd, shape);
      if (t && host != want) {
        tc_tensor *c = tc_to_dtype(t, want);
        tc_tensor_release(t);
        t = c;
      }
      r = tensor_result(I, t);
    }
    free(buf);
  }
  free(fl.f);
  free(fl.i);
  return r;
}

/* dtype=, device= and requires_grad= of a creation function. */
typedef struct creation {
  bool has_dt, has_dev;
  tc_dtype dt;
  tc_device dev, saved;
} creation;

static bool common_kw(interp *I, call_args *a, creation *c) {
  value *v;
  const char *name = fname(I);
  memset(c, 0, sizeof *c);
  if (!arg_get(I, a, name, -1, "dtype", &v)) return false;
  c->has_dt = v && v->kind != V_NONE;
  if (c->has_dt && !dtype_from_value(I, v, &c->dt)) return false;
  if (!arg_get(I, a, name, -1, "device", &v)) return false;
  if (v && v->kind != V_NONE) {
    tc_device_type type;
    int index;
    if (!device_from_value(I, v, &type, &index)) return false;
    c->has_dev = true;
    c->dev = device_of(type, index);
  }
  if (!arg_get(I, a, name, -1, "requires_grad", &v)) return false;
  bool rg = false;
  if (v && !to_bool(I, v, &rg)) return false;
  if (rg) return ex_raise(I, X_NOTIMPL, "tensorc has no autograd (requires_grad=True)"), false;
  return true;
}

/* Makes the requested device the default for the creation call (the
 * library's creation functions use the default device); leave() restores. */
static bool enter(interp *I, creation *c) {
  if (!c->has_dev) return true;
  c->saved = tc_get_default_device(I->ctx);
  if (tc_set_default_device(I->ctx, c->dev) != TC_OK) return ex_from_ctx(I), false;
  return true;
}

static tc_tensor *leave(interp *I, creation *c, tc_tensor *t) {
  if (c->has_dev) tc_set_default_device(I->ctx, c->saved);
  return t;
}

static value *t_tensor(interp *I, value *self, call_args *a) {
  static const char *const kw[] = {"data", "dtype", "device", "requires_grad", "pin_memory", NULL};
  value *data;
  creation c;
  if (!args_check(I, a, fname(I), 1, kw) || !arg_get(I, a, fname(I), 0, "data", &data) || !common_kw(I, a, &c))
    return NULL;
  if (!data) return ex_raise(I, X_TYPE, "tensor() missing 1 required positional arguments: \"data\"");
  if (!strcmp(fname(I), "as_tensor") && data->kind == V_NDARRAY && !(c.has_dev && c.dev.type != TC_CPU))
    return tensor_result(I, tc_to_dtype(data->t, c.has_dt ? c.dt : tc_tensor_dtype(data->t))); /* shares */
  if (!strcmp(fname(I), "as_tensor") && data->kind == V_TENSOR && !c.has_dev)
    return c.has_dt && c.dt != tc_tensor_dtype(data->t) ? tensor_result(I, tc_to_dtype(data->t, c.dt)) : v_incref(data);
  if (!enter(I, &c)) return NULL;
  value *r = tensor_from_data(I, data, c.has_dt, c.dt);
  leave(I, &c, NULL);
  return r;
}

/* ---- filled and random tensors --------------------------------------------------- */

static bool size_args(interp *I, call_args *a, int first, int *nd, int64_t *shape) {
  value *sz;
  if (!arg_get(I, a, fname(I), -1, "size", &sz)) return false;
  if (sz) return shape_from_value(I, sz, fname(I), nd, shape);
  return shape_from_args(I, a, first, fname(I), nd, shape);
}

/* tag: 0 zeros, 1 ones, 2 empty, 3 rand, 4 randn */
static value *t_fill(interp *I, value *self, call_args *a) {
  static const char *const kw[] = {"size", "dtype", "device", "requires_grad", "layout", "pin_memory",
                                   "generator", "memory_format", NULL};
  int nd;
  int64_t shape[TC_MAX_DIMS];
  creation c;
  if (!args_check(I, a, fname(I), TC_MAX_DIMS, kw) || !size_args(I, a, 0, &nd, shape) || !common_kw(I, a, &c) ||
      !enter(I, &c))
    return NULL;
  tc_dtype dt = c.has_dt ? c.dt : I->default_dtype;
  tc_tensor *t;
  switch (I->calling->tag) {
  case 0: t = tc_zeros(I->ctx, dt, nd, shape); break;
  case 1: t = tc_ones(I->ctx, dt, nd, shape); break;
  case 2: t = tc_empty(I->ctx, dt, nd, shape); break;
  case 3: t = tc_rand(I->ctx, dt, nd, shape); break;
  default: t = tc_randn(I->ctx, dt, nd, shape); break;
  }
  return tensor_result(I, leave(I, &c, t));
}

static value *t_full(interp *I, value *self, call_args *a) {
  static const char *const kw[] = {"size", "fill_value", "dtype", "device", "requires_grad", "layout", NULL};
  value *size = NULL, *fill = NULL;
  int nd;
  int64_t shape[TC_MAX_DIMS];
  creation c;
  if (!args_check(I, a, "full", 2, kw) || !arg_get(I, a, "full", 0, "size", &size) ||
      !arg_get(I, a, "full", 1, "fill_value", &fill) || !common_kw(I, a, &c))
    return NULL;
  if (!size || !fill) return ex_raise(I, X_TYPE, "full() missing required arguments 'size' and 'fill_value'");
  if (!shape_from_value(I, size, "full", &nd, shape)) return NULL;
  double x;
  if (!to_double(I, fill, "fill_value", &x)) return NULL;
  tc_dtype dt = c.has_dt ? c.dt : fill->kind == V_BOOL ? TC_BOOL : fill->kind == V_INT ? TC_I64 : I->default_dtype;
  if (!enter(I, &c)) return NULL;
  return tensor_result(I, leave(I, &c, tc_full(I->ctx, x, dt, nd, shape)));
}

/* tag: 0 zeros_like, 1 ones_like, 2 empty_like, 3 rand_like, 4 randn_like, 5 full_like */
static value *t_like(interp *I, value *self, call_args *a) {
  static const char *const kw[] = {"input", "fill_value", "dtype", "device", "requires_grad", "memory_format", NULL};
  value *in = NULL, *fill = NULL;
  creation c;
  int tag = (int)I->calling->tag;
  if (!args_check(I, a, fname(I), tag == 5 ? 2 : 1, kw) || !arg_get(I, a, fname(I), 0, "input", &in) ||
      !arg_get(I, a, fname(I), 1, "fill_value", &fill) || !common_kw(I, a, &c))
    return NULL;
  if (!in || in->kind != V_TENSOR) return ex_raise(I, X_TYPE, "%s(): argument 'input' (position 1) must be Tensor", fname(I));
  tc_dtype dt = c.has_dt ? c.dt : tc_tensor_dtype(in->t);
  if (!c.has_dev) { /* like the input: its device */
    c.has_dev = true;
    c.dev = tc_tensor_device(in->t);
  }
  double x = 0;
  if (tag == 5 && !fill) return ex_raise(I, X_TYPE, "full_like() missing required argument 'fill_value'");
  if (tag == 5 && !to_double(I, fill, "fill_value", &x)) return NULL;
  int64_t shape[TC_MAX_DIMS];
  int nd = tc_tensor_shape(in->t, shape);
  if (!enter(I, &c)) return NULL;
  tc_tensor *t;
  switch (tag) {
  case 0: t = tc_zeros(I->ctx, dt, nd, shape); break;
  case 1: t = tc_ones(I->ctx, dt, nd, shape); break;
  case 2: t = tc_empty(I->ctx, dt, nd, shape); break;
  case 3: t = tc_rand(I->ctx, dt, nd, shape); break;
  case 4: t = tc_randn(I->ctx, dt, nd, shape); break;
  default: t = tc_full(I->ctx, x, dt, nd, shape); break;
  }
  return tensor_result(I, leave(I, &c, t));
}

static value *t_randint(interp *I, value *self, call_args *a) {
  static const char *const kw[] = {"low", "high", "size", "dtype", "device", "requires_grad", "generator", NULL};
  value *lo = NULL, *hi = NULL, *size = NULL;
  if (!args_check(I, a, "randint", 3, kw)) return NULL;
  if (a->nargs == 2) { /* randint(high, size) */
    hi = a->args[0];
    size = a->args[1];
  } else {
    if (!arg_get(I, a, "randint", 0, "low", &lo) || !arg_get(I, a, "randint", 1, "high", &hi) ||
        !arg_get(I, a, "randint", 2, "size", &size))
      return NULL;
    if (!size && a->nargs == 1) {
      hi = a->args[0];
      lo = NULL;
    }
  }
  if (!hi || !size) return ex_raise(I, X_TYPE, "randint() missing required arguments 'high' and 'size'");
  int64_t l = 0, h, shape[TC_MAX_DIMS];
  int nd;
  creation c;
  if ((lo && !to_int(I, lo, "low", &l)) || !to_int(I, hi, "high", &h) || !shape_from_value(I, size, "randint", &nd, shape) ||
      !common_kw(I, a, &c) || !enter(I, &c))
    return NULL;
  return tensor_result(I, leave(I, &c, tc_randint(I->ctx, l, h, c.has_dt ? c.dt : TC_I64, nd, shape)));
}

static value *t_arange(interp *I, value *self, call_args *a) {
  static const char *const kw[] = {"start", "end", "step", "dtype", "device", "requires_grad", NULL};
  value *v[3] = {0};
  if (!args_check(I, a, "arange", 3, kw)) return NULL;
  for (int i = 0; i < 3; i++)
    if (!arg_get(I, a, "arange", i, kw[i], &v[i])) return NULL;
  if (a->nargs == 1 && !v[1]) { /* arange(end) */
    v[1] = v[0];
    v[0] = NULL;
  }
  if (!v[1]) return ex_raise(I, X_TYPE, "arange() missing required argument 'end'");
  double x[3] = {0, 0, 1};
  bool any_float = false;
  for (int i = 0; i < 3; i++) {
    if (!v[i]) continue;
    if (!to_double(I, v[i], "arange() argument", &x[i])) return NULL;
    any_float |= v[i]->kind == V_FLOAT ||
                 (v[i]->kind == V_TENSOR && tc_dtype_is_floating(tc_tensor_dtype(v[i]->t)));
  }
  creation c;
  if (!common_kw(I, a, &c) || !enter(I, &c)) return NULL;
  tc_dtype dt = c.has_dt ? c.dt : any_float ? I->default_dtype : TC_I64;
  return tensor_result(I, leave(I, &c, tc_arange(I->ctx, x[0], x[1], x[2], dt)));
}

static value *t_linspace(interp *I, value *self, call_args *a) {
  static const char *const kw[] = {"start", "end", "steps", "dtype", "device", "requires_grad", NULL};
  value *v[3] = {0};
  double s, e;
  int64_t n;
  creation c;
  if (!args_check(I, a, "linspace", 3, kw)) return NULL;
  for (int i = 0; i < 3; i++)
    if (!arg_get(I, a, "linspace", i, kw[i], &v[i])) return NULL;
  if (!v[0] || !v[1] || !v[2]) return ex_raise(I, X_TYPE, "linspace() missing required arguments");
  if (!to_double(I, v[0], "start", &s) || !to_double(I, v[1], "end", &e) || !to_int(I, v[2], "steps", &n) ||
      !common_kw(I, a, &c) || !enter(I, &c))
    return NULL;
  return tensor_result(I, leave(I, &c, tc_linspace(I->ctx, s, e, n, c.has_dt ? c.dt : I->default_dtype)));
}

static value *t_eye(interp *I, value *self, call_args *a) {
  static const char *const kw[] = {"n", "m", "dtype", "device", "requires_grad", NULL};
  value *nv = NULL, *mv = NULL;
  int64_t n, m = 0;
  creation c;
  if (!args_check(I, a, "eye", 2, kw) || !arg_get(I, a, "eye", 0, "n", &nv) || !arg_get(I, a, "eye", 1, "m", &mv) ||
      !common_kw(I, a, &c))
    return NULL;
  if (!nv) return ex_raise(I, X_TYPE, "eye() missing required argument 'n'");
  if (!to_int(I, nv, "n", &n) || (mv && !to_int(I, mv, "m", &m)) || !enter(I, &c)) return NULL;
  return tensor_result(I, leave(I, &c, tc_eye(I->ctx, n, mv ? m : n, c.has_dt ? c.dt : I->default_dtype)));
}

/* ---- combining ----------------------------------------------------------------------- */

static value *t_cat(interp *I, value *self, call_args *a) {
  static const char *const kw[] = {"tensors", "dim", "axis", NULL};
  value *ts = NULL, *dimv = NULL, *ax = NULL;
  bool stack = I->calling->tag == 1;
  const char *name = stack ? "stack" : "cat";
  if (!args_check(I, a, name, 2, kw) || !arg_get(I, a, name, 0, "tensors", &ts) || !arg_get(I, a, name, 1, "dim", &dimv) ||
      !arg_get(I, a, name, -1, "axis", &ax))
    return NULL;
  if (!dimv) dimv = ax;
  if (!ts || !(ts->kind == V_LIST || ts->kind == V_TUPLE))
    return ex_raise(I, X_TYPE, "%s(): argument 'tensors' (position 1) must be tuple of Tensors", name);
  int n = ts->seq.n;
  if (!n && stack) return ex_raise(I, X_RUNTIME, "stack expects a non-empty TensorList");
  if (!n) return ex_raise(I, X_VALUE, "torch.cat(): expected a non-empty list of Tensors");
  for (int i = 0; i < n; i++)
    if (ts->seq.items[i]->kind != V_TENSOR)
      return ex_raise(I, X_TYPE, "expected Tensor as element %d in argument 0, but got %s", i, v_type_name(ts->seq.items[i]));
  int64_t d = 0;
  if (dimv && !to_int(I, dimv, "dim", &d)) return NULL;
  if (d < INT32_MIN || d > INT32_MAX) d = INT32_MAX; /* out of range either way */
  tc_tensor **ptrs = malloc(sizeof(tc_tensor *) * (size_t)n);
  if (!ptrs) return ex_raise(I, X_MEMORY, "out of memory");
  for (int i = 0; i < n; i++) ptrs[i] = ts->seq.items[i]->t;
  tc_tensor *res = stack ? tc_stack(I->ctx, ptrs, n, (int)d) : tc_cat(I->ctx, ptrs, n, (int)d);
  free(ptrs);
  return res ? tensor_result(I, res) : ex_from_ctx(I);
}

static value *t_where(interp *I, value *self, call_args *a) {
  static const char *const kw[] = {"condition", "input", "other", NULL};
  value *c = NULL, *x = NULL, *y = NULL;
  if (!args_check(I, a, "where", 3, kw) || !arg_get(I, a, "where", 0, "condition", &c) ||
      !arg_get(I, a, "where", 1, "input", &x) || !arg_get(I, a, "where", 2, "other", &y))
    return NULL;
  if (!c || c->kind != V_TENSOR) return ex_raise(I, X_TYPE, "where(): argument 'condition' (position 1) must be Tensor");
  if (!x && !y) {
    value *nz = get_attr(I, c, "nonzero");
    static const char *const kwn[] = {"as_tuple"};
    value *t = v_bool(true);
    call_args k = {NULL, 0, (const char **)kwn, &t, 1};
    value *r = nz ? call_value(I, nz, &k) : NULL;
    v_decref(nz);
    return r;
  }
  if (!x || !y) return ex_raise(I, X_TYPE, "where() expects condition, input and other");
  tc_tensor *xt = value_as_tensor(I, x, "where", "input");
  tc_tensor *yt = xt ? value_as_tensor(I, y, "where", "other") : NULL;
  value *r = yt ? tensor_result(I, tc_where(c->t, xt, yt)) : NULL;
  tc_tensor_release(xt);
  tc_tensor_release(yt);
  return r;
}

static value *t_unravel(interp *I, value *self, call_args *a) {
  static const char *const kw[] = {"indices", "shape", NULL};
  value *iv = NULL, *sv = NULL;
  if (!args_check(I, a, "unravel_index", 2, kw) || !arg_get(I, a, "unravel_index", 0, "indices", &iv) ||
      !arg_get(I, a, "unravel_index", 1, "shape", &sv))
    return NULL;
  if (!iv || !sv) return ex_raise(I, X_TYPE, "unravel_index() missing required arguments 'indices' and 'shape'");
  int nd;
  int64_t shape[TC_MAX_DIMS];
  if (!shape_from_value(I, sv, "unravel_index", &nd, shape)) return NULL;
  tc_tensor *idx = value_as_tensor(I, iv, "unravel_index", "indices");
  if (!idx) return NULL;
  tc_tensor *out[TC_MAX_DIMS] = {0};
  tc_status st = tc_unravel_index(idx, nd, shape, out);
  tc_tensor_release(idx);
  if (st != TC_OK) {
    for (int i = 0; i < nd; i++) tc_tensor_release(out[i]);
    return ex_from_ctx(I);
  }
  value *t = v_seq_new(V_TUPLE, nd);
  for (int i = 0; i < nd; i++) {
    value *x = v_tensor(out[i]);
    if (t && x) v_seq_set(t, i, x);
    else v_decref(x);
  }
  return t ? t : ex_nomem(I);
}

const builtin_def torch_create_table[] = {
    {"tensor", t_tensor, 0, 0}, {"as_tensor", t_tensor, 0, 0},
    {"zeros", t_fill, 0, 0}, {"ones", t_fill, 1, 0}, {"empty", t_fill, 2, 0}, {"rand", t_fill, 3, 0},
    {"randn", t_fill, 4, 0}, {"full", t_full, 0, 0},
    {"zeros_like", t_like, 0, 0}, {"ones_like", t_like, 1, 0}, {"empty_like", t_like, 2, 0},
    {"rand_like", t_like, 3, 0}, {"randn_like", t_like, 4, 0}, {"full_like", t_like, 5, 0},
    {"randint", t_randint, 0, 0}, {"arange", t_arange, 0, 0}, {"linspace", t_linspace, 0, 0},
    {"eye", t_eye, 0, 0}, {"cat", t_cat, 0, 0}, {"concat", t_cat, 0, 0}, {"concatenate", t_cat, 0, 0},
    {"stack", t_cat, 1, 0}, {"where", t_where, 0, 0}, {"unravel_index", t_unravel, 0, 0},
    {NULL, NULL, 0, 0}};
