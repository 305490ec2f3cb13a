/*
 * errors.c — tensorc's errors as PyTorch's exceptions, and the argument
 * conversions every function shares (numbers, dims, shapes, dtypes,
 * devices, operands).
 *
 * Library messages name the C call ("tc_add: the size of tensor a (3) must
 * match ..."); tcpy_raise drops that prefix, restores PyTorch's wording
 * where it differs (a small table) and raises the exception the library's
 * tc_last_error_kind names. The stable ABI has no PyUnicode_AsUTF8 before
 * 3.10: strings are compared with PyUnicode_CompareWithASCIIString and
 * read through a bytes copy (tcpy_utf8).
 */
#include <string.h>
#include "tcpy.h"

static bool starts(const char *s, const char *p) { return !strncmp(s, p, strlen(p)); }

PyObject *tcpy_raise(tc_ctx *ctx) {
  const char *msg = tc_last_error(ctx);
  tc_error_kind kind = tc_last_error_kind(ctx);
  char body[1200], out[1300];
  const char *m = msg, *prefix = "";
  char fn[64] = "";
  if (starts(m, "tc_")) {
    size_t k = strspn(m, "abcdefghijklmnopqrstuvwxyz_0123456789");
    if (m[k] == ':' && m[k + 1] == ' ' && k < sizeof fn) {
      memcpy(fn, m, k);
      fn[k] = 0;
      m += k + 2;
    }
  }
  snprintf(body, sizeof body, "%s", *m ? m : "tensorc: an operation failed without a message");
  static const struct { const char *from, *to; } rewrite[] = {
      {"the size of tensor", "The size of tensor"},
      {"the expanded size", "The expanded size"},
  };
  for (size_t i = 0; i < sizeof rewrite / sizeof rewrite[0]; i++)
    if (starts(body, rewrite[i].from)) memcpy(body, rewrite[i].to, strlen(rewrite[i].to));
  if (!strcmp(fn, "tc_matmul") && starts(body, "mat1 and mat2 shapes")) prefix = "mm: ";
  snprintf(out, sizeof out, "%s%s", prefix, body);
  tc_clear_error(ctx);
  PyObject *type = PyExc_RuntimeError;
  switch (kind) {
  case TC_KIND_INDEX: type = PyExc_IndexError; break;
  case TC_KIND_TYPE: type = PyExc_TypeError; break;
  case TC_KIND_VALUE: type = PyExc_ValueError; break;
  case TC_KIND_NOT_IMPLEMENTED: type = PyExc_NotImplementedError; break;
  default: break; /* PyTorch raises RuntimeError for the rest, memory too */
  }
  PyErr_SetString(type, out);
  return NULL;
}

PyObject *tcpy_wrap(tcpy_ctx *c, tc_tensor *t) {
  if (!t) return tcpy_raise(c->ctx);
  tcpy_tensor *o = PyObject_New(tcpy_tensor, S.Tensor);
  if (!o) {
    tc_tensor_release(t);
    return NULL;
  }
  o->t = t;
  o->ctx = c;
  o->weakrefs = NULL;
  o->base = NULL;
  Py_INCREF(c);
  if (!tc_tensor_user(t)) tc_tensor_set_user(t, o);
  tc_tensor *b = tc_tensor_base(t);
  if (b) { /* a root: never itself a view, so this does not recurse again */
    PyObject *bo = tc_tensor_user(b);
    if (bo) Py_INCREF(bo);
    else bo = tcpy_wrap(c, tc_tensor_retain(b));
    if (!bo) {
      Py_DECREF(o);
      return NULL;
    }
    o->base = bo;
  }
  return (PyObject *)o;
}

/* ---- arguments -------------------------------------------------------- */

bool tcpy_parse(const char *fn, PyObject *args, PyObject *kw, int npos, const char *const *names,
                PyObject **out) {
  int n = 0;
  while (names[n]) out[n] = NULL, n++;
  Py_ssize_t na = args ? PyTuple_Size(args) : 0;
  if (na > npos) {
    PyErr_Format(PyExc_TypeError, "%s() takes %d positional argument%s but %zd %s given", fn, npos,
                 npos == 1 ? "" : "s", na, na == 1 ? "was" : "were"); /* Python's words */
    return false;
  }
  for (Py_ssize_t i = 0; i < na; i++) out[i] = PyTuple_GetItem(args, i);
  if (!kw) return true;
  Py_ssize_t pos = 0;
  PyObject *k, *v;
  while (PyDict_Next(kw, &pos, &k, &v)) {
    int i = 0;
    while (i < n && PyUnicode_CompareWithASCIIString(k, names[i]) != 0) i++;
    if (i == n) {
      PyErr_Format(PyExc_TypeError, "%s() got an unexpected keyword argument '%U'", fn, k);
      return false;
    }
    if (out[i]) {
      PyErr_Format(PyExc_TypeError, "%s() got multiple values for argument '%s'", fn, names[i]);
      return false;
    }
    out[i] = v;
  }
  return true;
}

/* "int", "str"...: the name of o's type (new reference). */
static PyObject *type_name(PyObject *o) {
  PyObject *n = PyObject_GetAttrString((PyObject *)Py_TYPE(o), "__name__");
  if (!n) {
    PyErr_Clear();
    n = PyUnicode_FromString("object");
  }
  return n;
}

bool tcpy_is_array(PyObject *o) {
  if (tcpy_is_tensor(o) || PyLong_Check(o) || PyFloat_Check(o) || PyUnicode_Check(o) || PyTuple_Check(o) ||
      PyList_Check(o) || o == Py_None)
    return false;
  PyObject *nd = PyObject_GetAttrString(o, "ndim");
  if (!nd) {
    PyErr_Clear();
    return false;
  }
  /* NumPy scalars have an __array_interface__ too, and ndim 0 */
  long k = PyLong_Check(nd) ? PyLong_AsLong(nd) : 0;
  Py_DECREF(nd);
  if (k <= 0 || !PyObject_HasAttrString(o, "__array_interface__")) return false;
  return true;
}

int tcpy_number_kind(PyObject *o) {
  if (PyBool_Check(o)) return NUM_BOOL;
  if (PyLong_Check(o)) return NUM_INT;
  if (PyFloat_Check(o)) return NUM_FLOAT;
  if (tcpy_is_tensor(o) || PyUnicode_Check(o) || PyTuple_Check(o) || PyList_Check(o) || o == Py_None ||
      tcpy_is_array(o))
    return NUM_NONE;
  /* NumPy scalars: np.bool_, np.int64 (has __index__), np.float32 */
  PyObject *dt = PyObject_GetAttrString(o, "dtype");
  if (dt) {
    PyObject *kind = PyObject_GetAttrString(dt, "kind");
    Py_DECREF(dt);
    int r = NUM_NONE;
    if (kind && PyUnicode_Check(kind)) {
      if (!PyUnicode_CompareWithASCIIString(kind, "b")) r = NUM_BOOL;
      else if (!PyUnicode_CompareWithASCIIString(kind, "i") || !PyUnicode_CompareWithASCIIString(kind, "u")) r = NUM_INT;
      else if (!PyUnicode_CompareWithASCIIString(kind, "f")) r = NUM_FLOAT;
    }
    Py_XDECREF(kind);
    PyErr_Clear();
    if (r != NUM_NONE) return r;
  } else {
    PyErr_Clear();
  }
  if (PyIndex_Check(o)) return NUM_INT;
  return NUM_NONE;
}

/* A one-element tensor's value, as the number kind its dtype has. */
static PyObject *tensor_scalar(PyObject *o, const char *what) {
  if (tc_tensor_numel(TT(o)) != 1) {
    PyErr_Format(PyExc_TypeError, "%s must be a number, not a Tensor with %lld elements", what,
                 (long long)tc_tensor_numel(TT(o)));
    return NULL;
  }
  if (!tcpy_check_thread((tcpy_tensor *)o)) return NULL;
  return tcpy_item((tcpy_tensor *)o);
}

bool tcpy_to_int(PyObject *o, const char *what, int64_t *out) {
  if (tcpy_is_tensor(o)) {
    if (tc_dtype_is_floating(tc_tensor_dtype(TT(o)))) {
      PyErr_Format(PyExc_TypeError, "%s must be int, not Tensor", what);
      return false;
    }
    PyObject *v = tensor_scalar(o, what);
    if (!v) return false;
    bool ok = tcpy_to_int(v, what, out);
    Py_DECREF(v);
    return ok;
  }
  if (!PyLong_Check(o) && !PyIndex_Check(o)) {
    PyObject *n = type_name(o);
    PyErr_Format(PyExc_TypeError, "%s must be int, not %U", what, n);
    Py_XDECREF(n);
    return false;
  }
  long long v = PyLong_AsLongLong(o);
  if (v == -1 && PyErr_Occurred()) return false;
  *out = v;
  return true;
}

bool tcpy_to_double(PyObject *o, const char *what, double *out) {
  if (tcpy_is_tensor(o)) {
    PyObject *v = tensor_scalar(o, what);
    if (!v) return false;
    bool ok = tcpy_to_double(v, what, out);
    Py_DECREF(v);
    return ok;
  }
  if (tcpy_number_kind(o) == NUM_NONE) {
    PyObject *n = type_name(o);
    PyErr_Format(PyExc_TypeError, "%s must be a number, not %U", what, n);
    Py_XDECREF(n);
    return false;
  }
  double v = PyFloat_AsDouble(o);
  if (v == -1 && PyErr_Occurred()) return false;
  *out = v;
  return true;
}

bool tcpy_to_bool(PyObject *o, const char *what, bool *out) {
  (void)what;
  int r = PyObject_IsTrue(o);
  if (r < 0) return false;
  *out = r;
  return true;
}

bool tcpy_to_dim(PyObject *o, int *out) {
  int64_t d;
  if (!tcpy_to_int(o, "dim", &d)) return false;
  *out = (int)(d < -100000 ? -100000 : d > 100000 ? 100000 : d);
  return true;
}

bool tcpy_to_dims(PyObject *o, int *n, int *dims) {
  if (PyList_Check(o) || PyTuple_Check(o)) {
    Py_ssize_t k = PySequence_Size(o);
    if (k > TC_MAX_DIMS) {
      PyErr_SetString(PyExc_RuntimeError, "too many dims");
      return false;
    }
    for (Py_ssize_t i = 0; i < k; i++) {
      PyObject *x = PySequence_GetItem(o, i);
      bool ok = x && tcpy_to_dim(x, &dims[i]);
      Py_XDECREF(x);
      if (!ok) return false;
    }
    *n = (int)k;
    return true;
  }
  *n = 1;
  return tcpy_to_dim(o, &dims[0]);
}

bool tcpy_to_shape(PyObject *o, const char *fn, int *n, int64_t *shape) {
  if (!PyList_Check(o) && !PyTuple_Check(o)) {
    if (tcpy_number_kind(o) == NUM_INT) { /* a single int: a 1-D shape */
      *n = 1;
      return tcpy_to_int(o, "size", &shape[0]);
    }
    PyObject *tn = type_name(o);
    PyErr_Format(PyExc_TypeError, "%s(): argument 'size' must be tuple of ints, but found element of type %U", fn, tn);
    Py_XDECREF(tn);
    return false;
  }
  Py_ssize_t k = PySequence_Size(o);
  if (k > TC_MAX_DIMS) {
    PyErr_Format(PyExc_RuntimeError, "tensorc supports at most %d dimensions", TC_MAX_DIMS);
    return false;
  }
  for (Py_ssize_t i = 0; i < k; i++) {
    PyObject *x = PySequence_GetItem(o, i);
    if (!x) return false;
    if (tcpy_number_kind(x) != NUM_INT && !tcpy_is_tensor(x)) {
      PyObject *tn = type_name(x);
      PyErr_Format(PyExc_TypeError, "%s(): argument 'size' must be tuple of ints, but found element of type %U at pos %zd",
                   fn, tn, i);
      Py_XDECREF(tn);
      Py_DECREF(x);
      return false;
    }
    bool ok = tcpy_to_int(x, "size", &shape[i]);
    Py_DECREF(x);
    if (!ok) return false;
  }
  *n = (int)k;
  return true;
}

bool tcpy_shape_args(PyObject *args, Py_ssize_t first, const char *fn, int *n, int64_t *shape) {
  Py_ssize_t na = PyTuple_Size(args) - first;
  if (na == 1) {
    PyObject *x = PyTuple_GetItem(args, first);
    if (PyList_Check(x) || PyTuple_Check(x)) return tcpy_to_shape(x, fn, n, shape);
  }
  if (na > TC_MAX_DIMS) {
    PyErr_Format(PyExc_RuntimeError, "tensorc supports at most %d dimensions", TC_MAX_DIMS);
    return false;
  }
  for (Py_ssize_t i = 0; i < na; i++) {
    PyObject *x = PyTuple_GetItem(args, first + i);
    if (tcpy_number_kind(x) != NUM_INT && !tcpy_is_tensor(x)) {
      PyObject *tn = type_name(x);
      PyErr_Format(PyExc_TypeError, "%s(): argument 'size' (position %zd) must be tuple of ints, but found element of type %U at pos %zd",
                   fn, i + 1, tn, i);
      Py_XDECREF(tn);
      return false;
    }
    if (!tcpy_to_int(x, "size", &shape[i])) return false;
  }
  *n = (int)(na < 0 ? 0 : na);
  return true;
}

bool tcpy_to_dtype(PyObject *o, tc_dtype *out) {
  for (int i = 0; i < TC_NUM_DTYPES; i++)
    if (o == S.dtypes[i]) {
      *out = (tc_dtype)i;
      return true;
    }
  /* Python's types, as PyTorch accepts them: bool, int, float */
  if (o == (PyObject *)&PyBool_Type) return *out = TC_BOOL, true;
  if (o == (PyObject *)&PyLong_Type) return *out = TC_I64, true;
  if (o == (PyObject *)&PyFloat_Type) return *out = TC_F64, true;
  PyObject *tn = type_name(o);
  PyErr_Format(PyExc_TypeError, "dtype must be torch.dtype, not %U", tn);
  Py_XDECREF(tn);
  return false;
}

bool tcpy_to_memory_format(PyObject *o, const char *fn, tc_memory_format dflt, bool none_ok, tc_memory_format *out) {
  if (!o || (o == Py_None && none_ok)) return *out = dflt, true;
  for (int i = 0; i < 4; i++)
    if (o == S.formats[i]) return *out = (tc_memory_format)i, true;
  PyObject *tn = type_name(o);
  PyErr_Format(PyExc_TypeError, "%s(): argument 'memory_format' must be torch.memory_format, not %U", fn, tn);
  Py_XDECREF(tn);
  return false;
}

bool tcpy_to_device(PyObject *o, tc_device *out) {
  if (Py_TYPE(o) == S.Device || PyUnicode_Check(o)) {
    PyObject *s = PyObject_Str(o);
    PyObject *b = s ? PyUnicode_AsUTF8String(s) : NULL;
    Py_XDECREF(s);
    if (!b) return false;
    const char *str = PyBytes_AsString(b);
    tc_status st = tc_parse_device(str, out);
    if (st != TC_OK) {
      if (!strncmp(str, "cuda", 4) || !strncmp(str, "cpu", 3))
        PyErr_Format(PyExc_RuntimeError, "Invalid device string: '%s'", str);
      else
        PyErr_Format(PyExc_RuntimeError,
                     "Expected one of cpu, cuda, ipu, xpu, mkldnn, opengl, opencl, ideep, hip, ve, fpga, maia, "
                     "xla, lazy, vulkan, mps, meta, hpu, mtia, privateuseone device type at start of device "
                     "string: %s", str);
      Py_DECREF(b);
      return false;
    }
    Py_DECREF(b);
    return true;
  }
  if (PyLong_Check(o)) {
    long k = PyLong_AsLong(o);
    if (k < 0) {
      PyErr_SetString(PyExc_RuntimeError, "Device index must not be negative");
      return false;
    }
    *out = (tc_device){TC_CUDA, (int)k};
    return true;
  }
  PyObject *tn = type_name(o);
  PyErr_Format(PyExc_TypeError, "device must be torch.device, str or int, not %U", tn);
  Py_XDECREF(tn);
  return false;
}

tc_tensor *tcpy_operand(tcpy_ctx *c, PyObject *o, const char *fn, const char *arg) {
  if (tcpy_is_tensor(o)) {
    if (!tcpy_check_thread((tcpy_tensor *)o)) return NULL;
    return tc_tensor_retain(TT(o));
  }
  tc_tensor *t = NULL;
  switch (tcpy_number_kind(o)) {
  case NUM_BOOL: t = tc_scalar(c->ctx, PyObject_IsTrue(o), TC_BOOL); break;
  case NUM_INT: {
    long long v = PyLong_AsLongLong(o);
    if (v == -1 && PyErr_Occurred()) return NULL;
    t = tc_scalar(c->ctx, (double)v, TC_I64);
    break;
  }
  case NUM_FLOAT: {
    double v = PyFloat_AsDouble(o);
    if (v == -1 && PyErr_Occurred()) return NULL;
    t = tc_scalar(c->ctx, v, S.default_dtype);
    break;
  }
  default:
    if (tcpy_is_array(o)) {
      PyObject *x = tcpy_from_numpy(c, o);
      if (!x) return NULL;
      t = tc_tensor_retain(TT(x));
      Py_DECREF(x);
      return t;
    }
    {
      PyObject *tn = type_name(o);
      PyErr_Format(PyExc_TypeError, "%s(): argument '%s' must be Tensor, not %U", fn, arg, tn);
      Py_XDECREF(tn);
    }
    return NULL;
  }
  if (!t) tcpy_raise(c->ctx);
  return t;
}

/* ---- tensors in and out ------------------------------------------------ */

tcpy_tensor *tcpy_tensor_arg(PyObject *o, const char *fn, const char *arg, int pos) {
  if (o && tcpy_is_tensor(o)) return tcpy_check_thread((tcpy_tensor *)o) ? (tcpy_tensor *)o : NULL;
  if (!o) {
    PyErr_Format(PyExc_TypeError, "%s() missing 1 required positional arguments: \"%s\"", fn, arg);
    return NULL;
  }
  PyObject *n = type_name(o);
  PyErr_Format(PyExc_TypeError, "%s(): argument '%s' (position %d) must be Tensor, not %U", fn, arg, pos, n);
  Py_XDECREF(n);
  return NULL;
}

int tcpy_tensor_list(PyObject *seq, const char *fn, tc_tensor **out, int cap) {
  if (!seq || (!PyTuple_Check(seq) && !PyList_Check(seq))) {
    PyObject *n = seq ? type_name(seq) : PyUnicode_FromString("NoneType");
    PyErr_Format(PyExc_TypeError, "%s(): argument 'tensors' (position 1) must be tuple of Tensors, not %U", fn, n);
    Py_XDECREF(n);
    return -1;
  }
  Py_ssize_t n = PySequence_Size(seq);
  if (n > cap) {
    PyErr_Format(PyExc_NotImplementedError, "tensorc: %s() of more than %d tensors", fn, cap);
    return -1;
  }
  for (Py_ssize_t i = 0; i < n; i++) {
    PyObject *x = PyList_Check(seq) ? PyList_GetItem(seq, i) : PyTuple_GetItem(seq, i);
    if (!tcpy_is_tensor(x)) {
      PyObject *tn = type_name(x);
      PyErr_Format(PyExc_TypeError, "expected Tensor as element %zd in argument 0, but got %U", i, tn);
      Py_XDECREF(tn);
      return -1;
    }
    if (!tcpy_check_thread((tcpy_tensor *)x)) return -1;
    out[i] = TT(x);
  }
  return (int)n;
}

PyObject *tcpy_tuple(tcpy_ctx *c, tc_tensor **ts, int n) {
  PyObject *t = PyTuple_New(n);
  for (int i = 0; i < n; i++) {
    if (!t) {
      tc_tensor_release(ts[i]);
      continue;
    }
    PyObject *x = tcpy_wrap(c, ts[i]);
    if (!x) Py_CLEAR(t);
    else PyTuple_SetItem(t, i, x);
  }
  return t;
}

PyObject *tcpy_pair_result(tcpy_ctx *c, const char *name, tc_status st, tc_tensor *values, tc_tensor *indices) {
  if (st != TC_OK || !values || !indices) {
    tc_tensor_release(values);
    tc_tensor_release(indices);
    return tcpy_raise(c->ctx);
  }
  PyObject *v = tcpy_wrap(c, values), *i = tcpy_wrap(c, indices);
  return tcpy_return_pair(name, v, i);
}
