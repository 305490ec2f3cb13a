/*
 * create.c — the torch functions that make tensors: torch.tensor (nested
 * sequences with PyTorch's dtype inference: bool, int64, the default float,
 * or NumPy scalars' own dtypes), as_tensor (shares a NumPy array or a
 * tensor when it can), zeros/ones/empty/full/rand/randn and their *_like
 * forms, randint, arange, linspace, eye, where, and unravel_index (cat,
 * stack and the other joins are in joins.c). dtype= and device= are honored (device= by
 * making it the context's default device for the call); out= (out.c) gives
 * both when they are not given.
 */
#include <math.h>
#include <string.h>
#include "tcpy.h"

/* ---- torch.tensor ---------------------------------------------------------------- */

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

static bool flat_push(flat *fl, double f, int64_t i) {
  if (fl->n == fl->cap) {
    int64_t cap = fl->cap ? fl->cap * 2 : 64;
    double *nf = PyMem_Realloc(fl->f, sizeof(double) * (size_t)cap);
    if (!nf) return PyErr_NoMemory(), false;
    fl->f = nf;
    int64_t *ni = PyMem_Realloc(fl->i, sizeof(int64_t) * (size_t)cap);
    if (!ni) return PyErr_NoMemory(), false;
    fl->i = ni;
    fl->cap = cap;
  }
  fl->f[fl->n] = f;
  fl->i[fl->n++] = i;
  return true;
}

static bool is_seq(PyObject *o) { return PyList_Check(o) || PyTuple_Check(o); }

static bool flatten_data(PyObject *v, int depth, int nd, const int64_t *shape, flat *fl) {
  if (depth == nd) {
    if (is_seq(v)) {
      PyErr_Format(PyExc_ValueError, "expected sequence of length 0 at dim %d (got %zd)", depth, PySequence_Size(v));
      return false;
    }
    PyObject *x = v, *tmp = NULL;
    if (tcpy_is_tensor(v)) {
      if (tc_tensor_numel(TT(v)) != 1) {
        PyErr_SetString(PyExc_ValueError, "only one element tensors can be converted to Python scalars");
        return false;
      }
      if (!tcpy_check_thread((tcpy_tensor *)v) || !(x = tmp = tcpy_item((tcpy_tensor *)v))) return false;
    }
    int kind = tcpy_number_kind(x);
    tc_dtype ndt;
    if (kind != NUM_NONE && !PyLong_Check(x) && !PyFloat_Check(x) && tcpy_np_scalar_dtype(x, &ndt)) {
      fl->npdt = fl->np_any ? tc_promote_types(fl->npdt, ndt) : ndt;
      fl->np_any = true;
    } else if (kind != NUM_NONE) {
      fl->py_any = true;
      fl->py_float |= kind == NUM_FLOAT;
      fl->py_int |= kind == NUM_INT;
    }
    bool ok = true;
    if (kind == NUM_FLOAT) {
      fl->any_float = true;
      double f = PyFloat_AsDouble(x);
      ok = !(f == -1 && PyErr_Occurred()) && flat_push(fl, f, 0);
    } else if (kind == NUM_INT) {
      fl->any_int = true;
      long long i = PyLong_AsLongLong(x);
      ok = !(i == -1 && PyErr_Occurred()) && flat_push(fl, (double)i, i);
    } else if (kind == NUM_BOOL) {
      int b = PyObject_IsTrue(x);
      ok = b >= 0 && flat_push(fl, b, b);
    } else {
      PyObject *n = PyObject_GetAttrString((PyObject *)Py_TYPE(x), "__name__");
      PyErr_Format(PyExc_TypeError, "new(): invalid data type '%U'", n);
      Py_XDECREF(n);
      ok = false;
    }
    Py_XDECREF(tmp);
    return ok;
  }
  if (!is_seq(v)) {
    PyObject *n = PyObject_GetAttrString((PyObject *)Py_TYPE(v), "__name__");
    PyErr_Format(PyExc_TypeError, "new(): invalid data type '%U'", n);
    Py_XDECREF(n);
    return false;
  }
  Py_ssize_t len = PySequence_Size(v);
  if (len != shape[depth]) {
    PyErr_Format(PyExc_ValueError, "expected sequence of length %lld at dim %d (got %zd)", (long long)shape[depth], depth, len);
    return false;
  }
  for (Py_ssize_t k = 0; k < len; k++) {
    PyObject *x = PySequence_GetItem(v, k);
    bool ok = x && flatten_data(x, depth + 1, nd, shape, fl);
    Py_XDECREF(x);
    if (!ok) return false;
  }
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

PyObject *tcpy_tensor_from_data(tcpy_ctx *c, PyObject *data, bool has_dtype, tc_dtype dt) {
  tc_dtype npdt;
  if (tcpy_is_tensor(data) || tcpy_is_array(data)) { /* a copy */
    tc_tensor *x = tcpy_operand(c, data, "tensor", "data");
    if (!x) return NULL;
    tc_tensor *cl = tc_clone(x);
    tc_tensor_release(x);
    PyObject *r = tcpy_wrap(c, cl && has_dtype ? tc_to_dtype(cl, dt) : tc_tensor_retain(cl));
    tc_tensor_release(cl);
    return r;
  }
  if (!has_dtype && !is_seq(data) && tcpy_np_scalar_dtype(data, &npdt)) { /* torch.tensor(np.float64(1.5)) */
    has_dtype = true;
    dt = npdt;
  }
  int64_t shape[TC_MAX_DIMS];
  int nd = 0;
  PyObject *v = data;
  Py_INCREF(v);
  while (is_seq(v)) {
    if (nd == TC_MAX_DIMS) {
      Py_DECREF(v);
      PyErr_Format(PyExc_RuntimeError, "tensorc supports at most %d dimensions", TC_MAX_DIMS);
      return NULL;
    }
    Py_ssize_t n = PySequence_Size(v);
    shape[nd++] = n;
    if (!n) break;
    PyObject *first = PySequence_GetItem(v, 0);
    Py_DECREF(v);
    if (!(v = first)) return NULL;
  }
  Py_DECREF(v);
  flat fl = {0};
  PyObject *r = NULL;
  if (flatten_data(data, 0, nd, shape, &fl)) {
    bool all_bool = !fl.any_float && !fl.any_int && fl.n > 0;
    tc_dtype inferred = fl.any_float || fl.n == 0 ? S.default_dtype : all_bool ? TC_BOOL : TC_I64;
    if (fl.np_any) {
      tc_dtype py = fl.py_float ? S.default_dtype : fl.py_int ? TC_I64 : TC_BOOL;
      inferred = fl.py_any ? tc_promote_types(py, fl.npdt) : fl.npdt;
    }
    tc_dtype want = has_dtype ? dt : inferred;
    tc_dtype host = want == TC_F16 || want == TC_BF16 ? TC_F32 : want;
    int64_t bad = -1;
    if (has_dtype && want != TC_BOOL && !tc_dtype_is_floating(want)) {
      /* PyTorch's checked conversion of Python scalars */
      static const double lo[] = {0, 0, -128, -32768, -2147483648.0, -9223372036854775808.0};
      static const double hi[] = {1, 255, 127, 32767, 2147483647.0, 9223372036854775807.0};
      for (int64_t k = 0; k < fl.n && bad < 0; k++) {
        double x = fl.any_float ? fl.f[k] : (double)fl.i[k];
        bool out = want == TC_U8 && !fl.any_float ? (x > hi[want] || -x > hi[want]) : (x < lo[want] || x > hi[want]);
        if (out || (fl.any_float && x != x)) bad = k;
      }
    }
    void *buf = PyMem_Malloc(tc_dtype_size(host) * (size_t)(fl.n ? fl.n : 1));
    if (bad >= 0) {
      PyErr_Format(PyExc_RuntimeError, "value cannot be converted to type %s without overflow", tc_dtype_name(want));
    } else if (!buf) {
      PyErr_NoMemory();
    } else {
      for (int64_t k = 0; k < fl.n; k++) store(buf, host, k, fl.f[k], fl.i[k], fl.any_float);
      tc_tensor *t = tc_from_data(c->ctx, buf, host, nd, shape);
      if (t && host != want) {
        tc_tensor *x = tc_to_dtype(t, want);
        tc_tensor_release(t);
        t = x;
      }
      r = tcpy_wrap(c, t);
    }
    PyMem_Free(buf);
  }
  PyMem_Free(fl.f);
  PyMem_Free(fl.i);
  return r;
}

/* ---- dtype=, device=, requires_grad= ------------------------------------------------ */

typedef struct creation {
  bool has_dt, has_dev;
  tc_dtype dt;
  tc_device dev, saved;
} creation;

static bool common_kw(PyObject *dtype, PyObject *device, PyObject *rg, creation *c) {
  memset(c, 0, sizeof *c);
  c->has_dt = dtype && dtype != Py_None;
  if (c->has_dt && !tcpy_to_dtype(dtype, &c->dt)) return false;
  if (device && device != Py_None) {
    if (!tcpy_to_device(device, &c->dev)) return false;
    c->has_dev = true;
  }
  if (rg && PyObject_IsTrue(rg) == 1) {
    PyErr_SetString(PyExc_NotImplementedError, "tensorc has no autograd (requires_grad=True)");
    return false;
  }
  return !PyErr_Occurred();
}

/* The requested device is the context's default during the call. */
static bool enter(tcpy_ctx *t, creation *c) {
  if (!c->has_dev) return true;
  c->saved = tc_get_default_device(t->ctx);
  if (tc_set_default_device(t->ctx, c->dev) != TC_OK) return tcpy_raise(t->ctx), false;
  return true;
}

static tc_tensor *leave(tcpy_ctx *t, creation *c, tc_tensor *r) {
  if (c->has_dev) tc_set_default_device(t->ctx, c->saved);
  return r;
}

/* out=: the result takes out's dtype and device unless dtype= and
 * device= say (tcpy_out_dtype refuses a dtype= that is not out's). */
static bool out_kw(PyObject *out, const char *fn, creation *cr) {
  if (!out || out == Py_None) return true;
  if (!tcpy_out_dtype(out, fn, &cr->has_dt, &cr->dt)) return false;
  if (!cr->has_dev) {
    cr->has_dev = true;
    cr->dev = tc_tensor_device(TT(out));
  }
  return true;
}

/* The result of a creation function, written into out when given. */
static PyObject *made(tcpy_ctx *c, PyObject *out, const char *fn, tc_tensor *t) {
  PyObject *r = tcpy_wrap(c, t);
  return out && out != Py_None ? tcpy_out(out, r, OUT_MADE, fn, NULL, NULL, NULL) : r;
}

#define FN(name) static PyObject *name(PyObject *m, PyObject *args, PyObject *kw)

static PyObject *make_tensor(PyObject *args, PyObject *kw, bool as_tensor) {
  static const char *const names[] = {"data", "dtype", "device", "requires_grad", "pin_memory", NULL};
  const char *fn = as_tensor ? "as_tensor" : "tensor";
  PyObject *a[5];
  creation cr;
  tcpy_ctx *c = tcpy_current();
  if (!c || !tcpy_parse(fn, args, kw, 1, names, a) || !common_kw(a[1], a[2], a[3], &cr)) return NULL;
  PyObject *data = a[0];
  if (!data) {
    PyErr_Format(PyExc_TypeError, "%s() missing 1 required positional arguments: \"data\"", fn);
    return NULL;
  }
  if (as_tensor && !(cr.has_dev && cr.dev.type != TC_CPU) && (tcpy_is_tensor(data) || tcpy_is_array(data))) {
    /* shares: the tensor itself, or the tensor over the array's memory */
    tc_tensor *x = tcpy_operand(c, data, fn, "data");
    if (!x) return NULL;
    if (cr.has_dt && cr.dt != tc_tensor_dtype(x)) {
      tc_tensor *y = tc_to_dtype(x, cr.dt);
      tc_tensor_release(x);
      x = y;
    }
    if (tcpy_is_tensor(data) && x == TT(data)) {
      tc_tensor_release(x);
      Py_INCREF(data);
      return data;
    }
    return tcpy_wrap(c, x);
  }
  if (!enter(c, &cr)) return NULL;
  PyObject *r = tcpy_tensor_from_data(c, data, cr.has_dt, cr.dt);
  leave(c, &cr, NULL);
  return r;
}
FN(t_tensor) { return make_tensor(args, kw, false); }
FN(t_as_tensor) { return make_tensor(args, kw, true); }

/* ---- filled and random tensors ------------------------------------------------------ */

enum { K_ZEROS, K_ONES, K_EMPTY, K_RAND, K_RANDN, K_FULL };

static tc_tensor *make_filled(tcpy_ctx *c, int kind, double x, tc_dtype dt, int nd, const int64_t *shape) {
  switch (kind) {
  case K_ZEROS: return tc_zeros(c->ctx, dt, nd, shape);
  case K_ONES: return tc_ones(c->ctx, dt, nd, shape);
  case K_EMPTY: return tc_empty(c->ctx, dt, nd, shape);
  case K_RAND: return tc_rand(c->ctx, dt, nd, shape);
  case K_RANDN: return tc_randn(c->ctx, dt, nd, shape);
  default: return tc_full(c->ctx, x, dt, nd, shape);
  }
}

/* t (taken) laid out in memory format f (contiguous or channels-last; a
 * lazy fill copied is one kernel storing in that order). */
static tc_tensor *in_format(tc_tensor *t, tc_memory_format f) {
  if (!t || f == TC_PRESERVE_FORMAT || f == TC_CONTIGUOUS_FORMAT) return t;
  tc_tensor *r = tc_clone_format(t, f);
  tc_tensor_release(t);
  return r;
}

static PyObject *filled(PyObject *args, PyObject *kw, int kind, const char *fn) {
  static const char *const names[] = {"size", "dtype", "device", "requires_grad", "layout", "pin_memory",
                                      "generator", "memory_format", "out", NULL};
  PyObject *a[9];
  int nd;
  int64_t shape[TC_MAX_DIMS];
  creation cr;
  tcpy_ctx *c = tcpy_current();
  if (!c || !tcpy_parse(fn, NULL, kw, 0, names, a) || !common_kw(a[1], a[2], a[3], &cr) || !out_kw(a[8], fn, &cr))
    return NULL;
  if (a[0] ? !tcpy_to_shape(a[0], fn, &nd, shape) : !tcpy_shape_args(args, 0, fn, &nd, shape)) return NULL;
  tc_memory_format f = TC_CONTIGUOUS_FORMAT;
  if (a[7] && kind != K_EMPTY) { /* PyTorch: empty's keyword only */
    PyErr_Format(PyExc_TypeError, "%s() got an unexpected keyword argument 'memory_format'", fn);
    return NULL;
  }
  if (!tcpy_to_memory_format(a[7], fn, TC_CONTIGUOUS_FORMAT, true, &f)) return NULL;
  if (f == TC_PRESERVE_FORMAT) {
    PyErr_SetString(PyExc_RuntimeError, "unsupported memory format Preserve");
    return NULL;
  }
  tc_generator *g = NULL;
  if ((kind == K_RAND || kind == K_RANDN) && !tcpy_generator_arg(a[6], c, &g)) return NULL;
  if (!enter(c, &cr)) return NULL;
  tc_dtype dt = cr.has_dt ? cr.dt : S.default_dtype;
  if (g) { /* a Generator's stream: an empty tensor filled from it */
    tc_tensor *t = tc_empty(c->ctx, dt, nd, shape);
    if (t && (kind == K_RAND ? tc_uniform_(t, 0, 1, g) : tc_normal_(t, 0, 1, g)) != TC_OK) {
      tc_tensor_release(t);
      t = NULL;
    }
    return made(c, a[8], fn, leave(c, &cr, t));
  }
  return made(c, a[8], fn, leave(c, &cr, in_format(make_filled(c, kind, 0, dt, nd, shape), f)));
}
FN(t_zeros) { return filled(args, kw, K_ZEROS, "zeros"); }
FN(t_ones) { return filled(args, kw, K_ONES, "ones"); }
FN(t_empty) { return filled(args, kw, K_EMPTY, "empty"); }
FN(t_rand) { return filled(args, kw, K_RAND, "rand"); }
FN(t_randn) { return filled(args, kw, K_RANDN, "randn"); }

FN(t_full) {
  static const char *const names[] = {"size", "fill_value", "dtype", "device", "requires_grad", "layout", "out", NULL};
  PyObject *a[7];
  int nd;
  int64_t shape[TC_MAX_DIMS];
  creation cr;
  double x;
  tcpy_ctx *c = tcpy_current();
  if (!c || !tcpy_parse("full", args, kw, 2, names, a) || !common_kw(a[2], a[3], a[4], &cr) ||
      !out_kw(a[6], "full", &cr))
    return NULL;
  if (!a[0] || !a[1]) {
    PyErr_SetString(PyExc_TypeError, "full() missing required arguments 'size' and 'fill_value'");
    return NULL;
  }
  if (!tcpy_to_shape(a[0], "full", &nd, shape) || !tcpy_to_double(a[1], "fill_value", &x)) return NULL;
  int k = tcpy_number_kind(a[1]);
  tc_dtype dt = cr.has_dt ? cr.dt : k == NUM_BOOL ? TC_BOOL : k == NUM_INT ? TC_I64 : S.default_dtype;
  if (!enter(c, &cr)) return NULL;
  return made(c, a[6], "full", leave(c, &cr, tc_full(c->ctx, x, dt, nd, shape)));
}

static PyObject *like(PyObject *args, PyObject *kw, int kind, const char *fn) {
  static const char *const names[] = {"input", "fill_value", "dtype", "device", "requires_grad", "memory_format", NULL};
  PyObject *a[6];
  creation cr;
  tcpy_ctx *c = tcpy_current();
  if (!c || !tcpy_parse(fn, args, kw, kind == K_FULL ? 2 : 1, names, a) || !common_kw(a[2], a[3], a[4], &cr))
    return NULL;
  if (!a[0] || !tcpy_is_tensor(a[0])) {
    PyErr_Format(PyExc_TypeError, "%s(): argument 'input' (position 1) must be Tensor", fn);
    return NULL;
  }
  tc_tensor *in = TT(a[0]);
  tc_dtype dt = cr.has_dt ? cr.dt : tc_tensor_dtype(in);
  if (!cr.has_dev) {
    cr.has_dev = true;
    cr.dev = tc_tensor_device(in);
  }
  double x = 0;
  if (kind == K_FULL && !a[1]) {
    PyErr_SetString(PyExc_TypeError, "full_like() missing required argument 'fill_value'");
    return NULL;
  }
  if (kind == K_FULL && !tcpy_to_double(a[1], "fill_value", &x)) return NULL;
  tc_memory_format f;
  if (!tcpy_to_memory_format(a[5], fn, TC_PRESERVE_FORMAT, true, &f)) return NULL;
  int64_t shape[TC_MAX_DIMS];
  int nd = tc_tensor_shape(in, shape);
  tc_device at = tc_tensor_device(in);
  if (!enter(c, &cr)) return NULL;
  if (f != TC_PRESERVE_FORMAT) { /* the format's layout; random values drawn into it */
    bool rnd = kind == K_RAND || kind == K_RANDN;
    tc_tensor *t = in_format(make_filled(c, rnd ? K_EMPTY : kind, x, dt, nd, shape), f);
    if (t && rnd && (kind == K_RAND ? tc_uniform_(t, 0, 1, NULL) : tc_normal_(t, 0, 1, NULL)) != TC_OK) {
      tc_tensor_release(t);
      t = NULL;
    }
    return tcpy_wrap(c, leave(c, &cr, t));
  }
  if (cr.dev.type != at.type || cr.dev.index != at.index) /* on another device: contiguous */
    return tcpy_wrap(c, leave(c, &cr, make_filled(c, kind, x, dt, nd, shape)));
  /* preserve_format: the input's layout (tc_empty_like) */
  tc_tensor *t = kind == K_ONES ? tc_ones_like(in, dt) : kind == K_FULL ? tc_full_like(in, x, dt)
                                                                          : tc_zeros_like(in, dt);
  if (t && (kind == K_RAND || kind == K_RANDN) &&
      (kind == K_RAND ? tc_uniform_(t, 0, 1, NULL) : tc_normal_(t, 0, 1, NULL)) != TC_OK) {
    tc_tensor_release(t);
    t = NULL;
  }
  return tcpy_wrap(c, leave(c, &cr, t));
}
FN(t_zeros_like) { return like(args, kw, K_ZEROS, "zeros_like"); }
FN(t_ones_like) { return like(args, kw, K_ONES, "ones_like"); }
FN(t_empty_like) { return like(args, kw, K_EMPTY, "empty_like"); }
FN(t_rand_like) { return like(args, kw, K_RAND, "rand_like"); }
FN(t_randn_like) { return like(args, kw, K_RANDN, "randn_like"); }
FN(t_full_like) { return like(args, kw, K_FULL, "full_like"); }

FN(t_randint) {
  static const char *const names[] = {"low", "high", "size", "dtype", "device", "requires_grad", "generator", "out", NULL};
  PyObject *a[8];
  tcpy_ctx *c = tcpy_current();
  if (!c || !tcpy_parse("randint", args, kw, 3, names, a)) return NULL;
  PyObject *lo = a[0], *hi = a[1], *size = a[2];
  if (PyTuple_Size(args) == 2) { /* randint(high, size) */
    lo = NULL;
    hi = a[0];
    size = a[1];
  }
  if (!hi || !size) {
    PyErr_SetString(PyExc_TypeError, "randint() missing required arguments 'high' and 'size'");
    return NULL;
  }
  int64_t l = 0, h, shape[TC_MAX_DIMS];
  int nd;
  creation cr;
  if ((lo && !tcpy_to_int(lo, "low", &l)) || !tcpy_to_int(hi, "high", &h) ||
      !tcpy_to_shape(size, "randint", &nd, shape) || !common_kw(a[3], a[4], a[5], &cr) || !out_kw(a[7], "randint", &cr))
    return NULL;
  tc_generator *g;
  if (!tcpy_generator_arg(a[6], c, &g) || !enter(c, &cr)) return NULL;
  tc_dtype dt = cr.has_dt ? cr.dt : TC_I64;
  if (g) { /* a Generator's stream: random_ into an empty tensor */
    tc_tensor *t = l < h ? tc_empty(c->ctx, dt, nd, shape) : tc_randint(c->ctx, l, h, dt, nd, shape);
    if (t && l < h && tc_random_(t, l, h, g) != TC_OK) {
      tc_tensor_release(t);
      t = NULL;
    }
    return made(c, a[7], "randint", leave(c, &cr, t));
  }
  return made(c, a[7], "randint", leave(c, &cr, tc_randint(c->ctx, l, h, dt, nd, shape)));
}

FN(t_arange) {
  static const char *const names[] = {"start", "end", "step", "dtype", "device", "requires_grad", "out", NULL};
  PyObject *a[7];
  tcpy_ctx *c = tcpy_current();
  if (!c || !tcpy_parse("arange", args, kw, 3, names, a)) return NULL;
  if (PyTuple_Size(args) == 1 && !a[1]) { /* arange(end) */
    a[1] = a[0];
    a[0] = NULL;
  }
  if (!a[1]) {
    PyErr_SetString(PyExc_TypeError, "arange() missing required argument 'end'");
    return NULL;
  }
  double x[3] = {0, 0, 1};
  bool any_float = false;
  for (int i = 0; i < 3; i++) {
    if (!a[i]) continue;
    if (!tcpy_to_double(a[i], "arange() argument", &x[i])) return NULL;
    any_float |= tcpy_number_kind(a[i]) == NUM_FLOAT ||
                 (tcpy_is_tensor(a[i]) && tc_dtype_is_floating(tc_tensor_dtype(TT(a[i]))));
  }
  creation cr;
  if (!common_kw(a[3], a[4], a[5], &cr) || !out_kw(a[6], "arange", &cr) || !enter(c, &cr)) return NULL;
  tc_dtype dt = cr.has_dt ? cr.dt : any_float ? S.default_dtype : TC_I64;
  return made(c, a[6], "arange", leave(c, &cr, tc_arange(c->ctx, x[0], x[1], x[2], dt)));
}

FN(t_linspace) {
  static const char *const names[] = {"start", "end", "steps", "dtype", "device", "requires_grad", "out", NULL};
  PyObject *a[7];
  double s, e;
  int64_t n;
  creation cr;
  tcpy_ctx *c = tcpy_current();
  if (!c || !tcpy_parse("linspace", args, kw, 3, names, a)) return NULL;
  if (!a[0] || !a[1] || !a[2]) {
    PyErr_SetString(PyExc_TypeError, "linspace() missing required arguments 'start', 'end' and 'steps'");
    return NULL;
  }
  if (!tcpy_to_double(a[0], "start", &s) || !tcpy_to_double(a[1], "end", &e) || !tcpy_to_int(a[2], "steps", &n) ||
      !common_kw(a[3], a[4], a[5], &cr) || !out_kw(a[6], "linspace", &cr) || !enter(c, &cr))
    return NULL;
  return made(c, a[6], "linspace", leave(c, &cr, tc_linspace(c->ctx, s, e, n, cr.has_dt ? cr.dt : S.default_dtype)));
}

FN(t_eye) {
  static const char *const names[] = {"n", "m", "dtype", "device", "requires_grad", "out", NULL};
  PyObject *a[6];
  int64_t n, mm = 0;
  creation cr;
  tcpy_ctx *c = tcpy_current();
  if (!c || !tcpy_parse("eye", args, kw, 2, names, a)) return NULL;
  if (!a[0]) {
    PyErr_SetString(PyExc_TypeError, "eye() missing required argument 'n'");
    return NULL;
  }
  if (!tcpy_to_int(a[0], "n", &n) || (a[1] && !tcpy_to_int(a[1], "m", &mm)) || !common_kw(a[2], a[3], a[4], &cr) ||
      !out_kw(a[5], "eye", &cr) || !enter(c, &cr))
    return NULL;
  return made(c, a[5], "eye", leave(c, &cr, tc_eye(c->ctx, n, a[1] ? mm : n, cr.has_dt ? cr.dt : S.default_dtype)));
}

FN(t_where) {
  static const char *const names[] = {"condition", "input", "other", "out", NULL};
  PyObject *a[4];
  tcpy_ctx *c = tcpy_current();
  if (!c || !tcpy_parse("where", args, kw, 3, names, a)) return NULL;
  if (!a[0] || !tcpy_is_tensor(a[0])) {
    PyErr_SetString(PyExc_TypeError, "where(): argument 'condition' (position 1) must be Tensor");
    return NULL;
  }
  if (!a[1] && !a[2] && a[3]) {
    PyErr_SetString(PyExc_TypeError, "where(): the form where(condition) takes no out=");
    return NULL;
  }
  if (!a[1] && !a[2]) { /* where(cond): nonzero(as_tuple=True) */
    PyObject *nz = PyObject_GetAttrString(a[0], "nonzero");
    PyObject *kwd = Py_BuildValue("{s:O}", "as_tuple", Py_True);
    PyObject *empty = PyTuple_New(0);
    PyObject *r = nz && kwd && empty ? PyObject_Call(nz, empty, kwd) : NULL;
    Py_XDECREF(nz);
    Py_XDECREF(kwd);
    Py_XDECREF(empty);
    return r;
  }
  if (!a[1] || !a[2]) {
    PyErr_SetString(PyExc_TypeError, "where() expects condition, input and other");
    return NULL;
  }
  tc_tensor *cond = tcpy_operand(c, a[0], "where", "condition");
  tc_tensor *x = cond ? tcpy_operand(c, a[1], "where", "input") : NULL;
  tc_tensor *y = x ? tcpy_operand(c, a[2], "where", "other") : NULL;
  PyObject *r = y ? tcpy_wrap(c, tc_where(cond, x, y)) : NULL;
  if (r && a[3] && a[3] != Py_None) {
    PyObject *ins = PyTuple_Pack(3, a[0], a[1], a[2]);
    if (ins) {
      r = tcpy_out(a[3], r, OUT_WHERE | OUT_APART, "where", NULL, ins, NULL);
      Py_DECREF(ins);
    } else {
      Py_CLEAR(r);
    }
  }
  tc_tensor_release(cond);
  tc_tensor_release(x);
  tc_tensor_release(y);
  return r;
}

FN(t_unravel) {
  static const char *const names[] = {"indices", "shape", NULL};
  PyObject *a[2];
  tcpy_ctx *c = tcpy_current();
  if (!c || !tcpy_parse("unravel_index", args, kw, 2, names, a)) return NULL;
  if (!a[0] || !a[1]) {
    PyErr_SetString(PyExc_TypeError, "unravel_index() missing required arguments 'indices' and 'shape'");
    return NULL;
  }
  int nd;
  int64_t shape[TC_MAX_DIMS];
  if (!tcpy_to_shape(a[1], "unravel_index", &nd, shape)) return NULL;
  tc_tensor *idx = tcpy_operand(c, a[0], "unravel_index", "indices");
  if (!idx) return NULL;
  tc_tensor *out[TC_MAX_DIMS] = {0};
  tc_status st = tc_unravel_index(idx, nd, shape, out);
  tc_tensor_release(idx);
  if (st != TC_OK) {
    for (int i = 0; i < nd; i++) tc_tensor_release(out[i]);
    return tcpy_raise(c->ctx);
  }
  PyObject *t = PyTuple_New(nd);
  for (int i = 0; i < nd; i++) {
    PyObject *x = tcpy_wrap(c, out[i]);
    if (t && x) PyTuple_SetItem(t, i, x);
    else Py_XDECREF(x);
  }
  return t;
}

#define DEF(name, f) {name, (PyCFunction)(void (*)(void))f, METH_VARARGS | METH_KEYWORDS, NULL}
PyMethodDef tcpy_create_functions[] = {
    DEF("tensor", t_tensor), DEF("as_tensor", t_as_tensor), DEF("asarray", t_as_tensor),
    DEF("zeros", t_zeros), DEF("ones", t_ones), DEF("empty", t_empty), DEF("rand", t_rand), DEF("randn", t_randn),
    DEF("full", t_full), DEF("zeros_like", t_zeros_like), DEF("ones_like", t_ones_like),
    DEF("empty_like", t_empty_like), DEF("rand_like", t_rand_like), DEF("randn_like", t_randn_like),
    DEF("full_like", t_full_like), DEF("randint", t_randint), DEF("arange", t_arange),
    DEF("linspace", t_linspace), DEF("eye", t_eye), DEF("where", t_where), DEF("unravel_index", t_unravel),
    {NULL, NULL, 0, NULL}};
