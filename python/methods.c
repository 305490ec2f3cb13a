/*
 * methods.c — the Tensor methods that are not math: item/tolist, sizes
 * and strides, casts and .to()/.cpu()/.cuda(), views and movement (view,
 * reshape, permute, expand, squeeze...), clone/contiguous, and the
 * in-place writes fill_, zero_, copy_, and resize_. Entries of the op table (tcpy.h):
 * each is a method, and those PyTorch also has as torch.NAME are that too.
 */
#include <stdlib.h>
#include <string.h>
#include "tcpy.h"

#define OPFN(name) static PyObject *name(tcpy_tensor *self, PyObject *args, PyObject *kw, int tag, const char *fn)
#define WRAP(x) tcpy_wrap(self->ctx, (x))
#define CTX (self->ctx->ctx)

static const char *const no_names[] = {NULL};
static bool no_args(const char *fn, PyObject *args, PyObject *kw) {
  PyObject *unused[1];
  return tcpy_parse(fn, args, kw, 0, no_names, unused);
}

/* ---- item and tolist ----------------------------------------------------------- */

PyObject *tcpy_item(tcpy_tensor *t) {
  tc_dtype dt = tc_tensor_dtype(t->t);
  if (tc_tensor_numel(t->t) != 1) {
    PyErr_Format(PyExc_RuntimeError, "a Tensor with %lld elements cannot be converted to Scalar",
                 (long long)tc_tensor_numel(t->t));
    return NULL;
  }
  if (tc_dtype_is_floating(dt)) {
    double x = tc_item(t->t);
    if (tc_last_status(t->ctx->ctx) != TC_OK) return tcpy_raise(t->ctx->ctx);
    return PyFloat_FromDouble(x);
  }
  int64_t x = tc_item_int(t->t);
  if (tc_last_status(t->ctx->ctx) != TC_OK) return tcpy_raise(t->ctx->ctx);
  return dt == TC_BOOL ? PyBool_FromLong(x != 0) : PyLong_FromLongLong(x);
}

static PyObject *build_list(const void *data, tc_dtype kind, const int64_t *shape, int ndim, int64_t *pos) {
  if (ndim == 0) {
    int64_t k = (*pos)++;
    if (kind == TC_F64) return PyFloat_FromDouble(((const double *)data)[k]);
    if (kind == TC_BOOL) return PyBool_FromLong(((const bool *)data)[k]);
    return PyLong_FromLongLong(((const int64_t *)data)[k]);
  }
  PyObject *l = PyList_New((Py_ssize_t)shape[0]);
  for (int64_t i = 0; l && i < shape[0]; i++) {
    PyObject *x = build_list(data, kind, shape + 1, ndim - 1, pos);
    if (!x) Py_CLEAR(l);
    else PyList_SetItem(l, (Py_ssize_t)i, x);
  }
  return l;
}

PyObject *tcpy_tolist(tcpy_tensor *t) {
  tc_dtype dt = tc_tensor_dtype(t->t);
  tc_dtype kind = dt == TC_BOOL ? TC_BOOL : tc_dtype_is_floating(dt) ? TC_F64 : TC_I64;
  int64_t n = tc_tensor_numel(t->t);
  tc_tensor *c = dt == kind ? tc_tensor_retain(t->t) : tc_to_dtype(t->t, kind);
  if (!c) return tcpy_raise(t->ctx->ctx);
  size_t bytes = (size_t)(n ? n : 1) * tc_dtype_size(kind);
  void *buf = PyMem_Malloc(bytes);
  if (!buf) {
    tc_tensor_release(c);
    return PyErr_NoMemory();
  }
  tc_status st = tc_copy_to_host(c, buf, bytes);
  tc_tensor_release(c);
  PyObject *r = NULL;
  if (st != TC_OK) {
    tcpy_raise(t->ctx->ctx);
  } else {
    int64_t shape[TC_MAX_DIMS], pos = 0;
    int nd = tc_tensor_shape(t->t, shape);
    r = build_list(buf, kind, shape, nd, &pos);
  }
  PyMem_Free(buf);
  return r;
}

OPFN(m_item) { return no_args(fn, args, kw) ? tcpy_item(self) : NULL; }
OPFN(m_tolist) { return no_args(fn, args, kw) ? tcpy_tolist(self) : NULL; }

/* ---- sizes ---------------------------------------------------------------------- */

static PyObject *dim_error(int nd, int d) {
  int lo = nd ? -nd : -1, hi = nd ? nd - 1 : 0;
  PyErr_Format(PyExc_IndexError, "Dimension out of range (expected to be in range of [%d, %d], but got %d)", lo, hi, d);
  return NULL;
}

/* size(dim=None) and stride(dim=None) */
OPFN(m_size) {
  static const char *const names[] = {"dim", NULL};
  PyObject *a[1];
  if (!tcpy_parse(fn, args, kw, 1, names, a)) return NULL;
  int64_t v[TC_MAX_DIMS];
  int nd = tag ? tc_tensor_strides(self->t, v) : tc_tensor_shape(self->t, v);
  if (!a[0] || a[0] == Py_None) {
    if (!tag) return tcpy_size(v, nd);
    PyObject *t = PyTuple_New(nd);
    for (int i = 0; t && i < nd; i++) PyTuple_SetItem(t, i, PyLong_FromLongLong(v[i]));
    return t;
  }
  int d;
  if (!tcpy_to_dim(a[0], &d)) return NULL;
  if (nd == 0 || d < -nd || d >= nd) return dim_error(nd, d);
  return PyLong_FromLongLong(v[d < 0 ? d + nd : d]);
}

OPFN(m_is_contiguous) {
  static const char *const names[] = {"memory_format", NULL};
  PyObject *a[1];
  tc_memory_format f;
  (void)tag;
  if (!tcpy_parse(fn, args, kw, 0, names, a) ||
      !tcpy_to_memory_format(a[0], fn, TC_CONTIGUOUS_FORMAT, false, &f))
    return NULL;
  return PyBool_FromLong(tc_tensor_is_contiguous_format(self->t, f));
}

OPFN(m_info) {
  if (!no_args(fn, args, kw)) return NULL;
  tc_tensor *t = self->t;
  switch (tag) {
  case 0: return PyLong_FromLong(tc_tensor_ndim(t));
  case 1: return PyLong_FromLongLong(tc_tensor_numel(t));
  case 2: return PyLong_FromSize_t(tc_dtype_size(tc_tensor_dtype(t)));
  case 3: return PyBool_FromLong(tc_tensor_is_contiguous(t));
  case 4: return PyLong_FromLongLong(tc_tensor_storage_offset(t));
  case 5: return PyBool_FromLong(tc_dtype_is_floating(tc_tensor_dtype(t)));
  case 6: return PyLong_FromLong(tc_tensor_device(t).type == TC_CUDA ? tc_tensor_device(t).index : -1);
  case 7: {
    static const char *const legacy[TC_NUM_DTYPES] = {"Bool", "Byte", "Char", "Short", "Int",
                                                      "Long", "Half", "BFloat16", "Float", "Double"};
    return PyUnicode_FromFormat("torch.%s%sTensor", tc_tensor_device(t).type == TC_CUDA ? "cuda." : "",
                                legacy[tc_tensor_dtype(t)]);
  }
  default: Py_RETURN_NONE;
  }
}

/* ---- casts and devices ------------------------------------------------------------- */

OPFN(m_cast) {
  static const char *const names[] = {"memory_format", NULL};
  PyObject *a[1];
  if (!tcpy_parse(fn, args, kw, 0, names, a)) return NULL;
  if (tc_tensor_dtype(self->t) == (tc_dtype)tag) { /* PyTorch returns self */
    Py_INCREF(self);
    return (PyObject *)self;
  }
  return WRAP(tc_to_dtype(self->t, (tc_dtype)tag));
}

/* x (taken) in memory format f: itself when already so (or f is
 * preserve), else a copy in f's layout. */
static tc_tensor *in_format(tc_tensor *x, tc_memory_format f) {
  if (!x || f == TC_PRESERVE_FORMAT || tc_tensor_is_contiguous_format(x, f)) return x;
  tc_tensor *c = tc_clone_format(x, f);
  tc_tensor_release(x);
  return c;
}

OPFN(m_to) {
  static const char *const names[] = {"dtype", "device", "non_blocking", "copy", "memory_format", NULL};
  PyObject *a[5];
  PyObject *kwonly = kw;
  (void)kwonly;
  tc_dtype dt = tc_tensor_dtype(self->t);
  tc_device dev = tc_tensor_device(self->t);
  bool has_dt = false, has_dev = false, copy = false, nb = false;
  int nbools = 0;
  Py_ssize_t na = PyTuple_Size(args);
  for (Py_ssize_t i = 0; i < na; i++) { /* to(dtype), to(device, dtype), to(other), to(..., non_blocking, copy) */
    PyObject *v = PyTuple_GetItem(args, i);
    if (Py_TYPE(v) == S.Dtype) {
      tcpy_to_dtype(v, &dt);
      has_dt = true;
    } else if (tcpy_is_tensor(v)) {
      dt = tc_tensor_dtype(TT(v));
      dev = tc_tensor_device(TT(v));
      has_dt = has_dev = true;
    } else if (PyUnicode_Check(v) || Py_TYPE(v) == S.Device || (PyLong_Check(v) && !PyBool_Check(v) && i == 0)) {
      if (!tcpy_to_device(v, &dev)) return NULL;
      has_dev = true;
    } else if (PyBool_Check(v)) {
      if (nbools++) copy = v == Py_True;
      else nb = v == Py_True;
    } else {
      PyObject *n = PyObject_GetAttrString((PyObject *)Py_TYPE(v), "__name__");
      PyErr_Format(PyExc_TypeError, "to() received an invalid combination of arguments - got (%U)", n);
      Py_XDECREF(n);
      return NULL;
    }
  }
  if (!tcpy_parse("to", NULL, kw, 0, names, a)) return NULL;
  if (a[0] && a[0] != Py_None) {
    if (!tcpy_to_dtype(a[0], &dt)) return NULL;
    has_dt = true;
  }
  if (a[1] && a[1] != Py_None) {
    if (!tcpy_to_device(a[1], &dev)) return NULL;
    has_dev = true;
  }
  if ((a[2] && !tcpy_to_bool(a[2], "non_blocking", &nb)) || (a[3] && !tcpy_to_bool(a[3], "copy", &copy))) return NULL;
  tc_memory_format f;
  if (!tcpy_to_memory_format(a[4], "to", TC_PRESERVE_FORMAT, true, &f)) return NULL;
  tc_device cur = tc_tensor_device(self->t);
  bool move = has_dev && (dev.type != cur.type || dev.index != cur.index);
  bool cast = has_dt && dt != tc_tensor_dtype(self->t);
  if (!move && !cast && !copy && (f == TC_PRESERVE_FORMAT || tc_tensor_is_contiguous_format(self->t, f))) {
    Py_INCREF(self);
    return (PyObject *)self;
  }
  tc_tensor *x = move ? tc_to(self->t, dev, nb) : copy ? tc_clone(self->t) : tc_tensor_retain(self->t);
  if (x && cast) {
    tc_tensor *c = tc_to_dtype(x, dt);
    tc_tensor_release(x);
    x = c;
  }
  return WRAP(in_format(x, f));
}

OPFN(m_cpu) {
  static const char *const names[] = {"memory_format", NULL};
  PyObject *a[1];
  tc_memory_format f;
  if (!tcpy_parse(fn, args, kw, 0, names, a) || !tcpy_to_memory_format(a[0], fn, TC_PRESERVE_FORMAT, true, &f))
    return NULL;
  bool here = tc_tensor_device(self->t).type == TC_CPU;
  if (here && (f == TC_PRESERVE_FORMAT || tc_tensor_is_contiguous_format(self->t, f))) {
    Py_INCREF(self);
    return (PyObject *)self;
  }
  return WRAP(in_format(here ? tc_tensor_retain(self->t) : tc_cpu(self->t), f));
}

OPFN(m_cuda) {
  static const char *const names[] = {"device", "non_blocking", "memory_format", NULL};
  PyObject *a[3];
  bool nb = false;
  if (!tcpy_parse(fn, args, kw, 2, names, a) || (a[1] && !tcpy_to_bool(a[1], "non_blocking", &nb))) return NULL;
  tc_device dev = {TC_CUDA, 0};
  if (a[0] && a[0] != Py_None) {
    if (!tcpy_to_device(a[0], &dev)) return NULL;
    if (dev.type != TC_CUDA) {
      PyErr_SetString(PyExc_RuntimeError, "Invalid device, must be cuda device");
      return NULL;
    }
  }
  tc_memory_format f;
  if (!tcpy_to_memory_format(a[2], fn, TC_PRESERVE_FORMAT, true, &f)) return NULL;
  tc_device cur = tc_tensor_device(self->t);
  bool here = cur.type == dev.type && cur.index == dev.index;
  if (here && (f == TC_PRESERVE_FORMAT || tc_tensor_is_contiguous_format(self->t, f))) {
    Py_INCREF(self);
    return (PyObject *)self;
  }
  return WRAP(in_format(here ? tc_tensor_retain(self->t) : tc_to(self->t, dev, nb), f));
}

OPFN(m_pin) {
  if (!no_args(fn, args, kw)) return NULL;
  if (tag) return PyBool_FromLong(tc_is_pinned(self->t));
  return WRAP(tc_pin_memory(self->t));
}

OPFN(m_type_as) {
  if (PyTuple_Size(args) != 1 || kw || !tcpy_is_tensor(PyTuple_GetItem(args, 0))) {
    PyErr_SetString(PyExc_TypeError, "type_as(): argument 'other' (position 1) must be Tensor");
    return NULL;
  }
  return WRAP(tc_to_dtype(self->t, tc_tensor_dtype(TT(PyTuple_GetItem(args, 0)))));
}

/* ---- movement ------------------------------------------------------------------------ */

/* the shape of view/reshape/expand: varargs, one sequence, or shape=/size= */
static bool shape_of(const char *fn, PyObject *args, PyObject *kw, int *nd, int64_t *shape) {
  static const char *const names[] = {"shape", "size", NULL};
  PyObject *a[2];
  if (kw) {
    if (PyTuple_Size(args) || !tcpy_parse(fn, NULL, kw, 0, names, a)) {
      if (!PyErr_Occurred()) PyErr_Format(PyExc_TypeError, "%s() received an invalid combination of arguments", fn);
      return false;
    }
    return tcpy_to_shape(a[0] ? a[0] : a[1], fn, nd, shape);
  }
  return tcpy_shape_args(args, 0, fn, nd, shape);
}

OPFN(m_view_reshape) {
  int nd;
  int64_t shape[TC_MAX_DIMS];
  if (PyTuple_Size(args) == 1 && Py_TYPE(PyTuple_GetItem(args, 0)) == S.Dtype) {
    PyErr_SetString(PyExc_NotImplementedError, "tensorc does not support view(dtype) yet");
    return NULL;
  }
  if (!shape_of(fn, args, kw, &nd, shape)) return NULL;
  return WRAP((tag == 0 ? tc_view : tag == 1 ? tc_reshape : tc_expand)(self->t, nd, shape));
}

OPFN(m_as) {
  if (PyTuple_Size(args) != 1 || kw || !tcpy_is_tensor(PyTuple_GetItem(args, 0))) {
    PyErr_Format(PyExc_TypeError, "%s(): argument 'other' (position 1) must be Tensor", fn);
    return NULL;
  }
  int64_t shape[TC_MAX_DIMS];
  int nd = tc_tensor_shape(TT(PyTuple_GetItem(args, 0)), shape);
  return WRAP((tag == 0 ? tc_view : tag == 1 ? tc_reshape : tc_expand)(self->t, nd, shape));
}

OPFN(m_permute) {
  int nd = tc_tensor_ndim(self->t), n, perm[TC_MAX_DIMS];
  PyObject *dims = kw ? PyDict_GetItemString(kw, "dims") : NULL;
  if (!dims && PyTuple_Size(args) == 1 && (PyTuple_Check(PyTuple_GetItem(args, 0)) || PyList_Check(PyTuple_GetItem(args, 0))))
    dims = PyTuple_GetItem(args, 0);
  if (!dims) dims = args;
  if (!tcpy_to_dims(dims, &n, perm)) return NULL;
  if (n != nd) {
    PyErr_Format(PyExc_RuntimeError,
                 "permute(sparse_coo): number of dimensions in the tensor input does not match the length of the "
                 "desired ordering of dimensions i.e. input.dim() = %d is not equal to len(dims) = %d", nd, n);
    return NULL;
  }
  return WRAP(tc_permute(self->t, perm));
}

OPFN(m_transpose) {
  static const char *const names[] = {"dim0", "dim1", NULL};
  PyObject *a[2];
  int d0, d1;
  if (!tcpy_parse(fn, args, kw, 2, names, a)) return NULL;
  if (!a[0] || !a[1]) {
    PyErr_Format(PyExc_TypeError, "%s() missing required arguments 'dim0' and 'dim1'", fn);
    return NULL;
  }
  if (!tcpy_to_dim(a[0], &d0) || !tcpy_to_dim(a[1], &d1)) return NULL;
  return WRAP(tc_transpose(self->t, d0, d1));
}

OPFN(m_t) { return no_args(fn, args, kw) ? WRAP(tc_t(self->t)) : NULL; }

OPFN(m_squeeze) {
  static const char *const names[] = {"dim", NULL};
  PyObject *a[1];
  int d;
  if (!tcpy_parse(fn, args, kw, 1, names, a)) return NULL;
  if (!a[0] || a[0] == Py_None) {
    if (tag) {
      PyErr_SetString(PyExc_TypeError, "unsqueeze() missing 1 required positional arguments: \"dim\"");
      return NULL;
    }
    return WRAP(tc_squeeze_all(self->t));
  }
  if (!tag && (PyTuple_Check(a[0]) || PyList_Check(a[0]))) { /* squeeze((0, 2)) */
    int dims[TC_MAX_DIMS], n, nd = tc_tensor_ndim(self->t);
    if (!tcpy_to_dims(a[0], &n, dims)) return NULL;
    for (int i = 0; i < n; i++) {
      if (dims[i] < -nd || dims[i] >= (nd ? nd : 1)) return dim_error(nd, dims[i]);
      if (dims[i] < 0) dims[i] += nd;
    }
    tc_tensor *x = tc_tensor_retain(self->t);
    for (int k = nd - 1; k >= 0 && x; k--) /* from the last dim, so the others keep their numbers */
      for (int i = 0; i < n; i++)
        if (dims[i] == k && tc_tensor_size(x, k) == 1) {
          tc_tensor *y = tc_squeeze(x, k);
          tc_tensor_release(x);
          x = y;
          break;
        }
    return WRAP(x);
  }
  if (!tcpy_to_dim(a[0], &d)) return NULL;
  return WRAP(tag ? tc_unsqueeze(self->t, d) : tc_squeeze(self->t, d));
}

OPFN(m_flatten) {
  static const char *const names[] = {"start_dim", "end_dim", NULL};
  PyObject *a[2];
  int s = 0, e = -1;
  if (!tcpy_parse(fn, args, kw, 2, names, a) || (a[0] && !tcpy_to_dim(a[0], &s)) || (a[1] && !tcpy_to_dim(a[1], &e)))
    return NULL;
  int nd = tc_tensor_ndim(self->t);
  if (nd > 0 && s >= -nd && s < nd && e >= -nd && e < nd && (s + nd) % nd == (e + nd) % nd) {
    Py_INCREF(self); /* PyTorch returns self when there is nothing to flatten */
    return (PyObject *)self;
  }
  return WRAP(tc_flatten(self->t, s, e));
}

OPFN(m_select) {
  static const char *const names[] = {"dim", "index", NULL};
  PyObject *a[2];
  int d;
  int64_t i;
  if (!tcpy_parse(fn, args, kw, 2, names, a)) return NULL;
  if (!a[0] || !a[1]) {
    PyErr_SetString(PyExc_TypeError, "select() missing required arguments 'dim' and 'index'");
    return NULL;
  }
  if (!tcpy_to_dim(a[0], &d) || !tcpy_to_int(a[1], "index", &i)) return NULL;
  return WRAP(tc_select(self->t, d, i));
}

OPFN(m_unfold) {
  static const char *const names[] = {"dimension", "size", "step", NULL};
  PyObject *a[3];
  int d;
  int64_t sz, st;
  if (!tcpy_parse(fn, args, kw, 3, names, a)) return NULL;
  if (!a[0] || !a[1] || !a[2]) {
    PyErr_SetString(PyExc_TypeError, "unfold() missing required arguments 'dimension', 'size' and 'step'");
    return NULL;
  }
  if (!tcpy_to_dim(a[0], &d) || !tcpy_to_int(a[1], "size", &sz) || !tcpy_to_int(a[2], "step", &st)) return NULL;
  return WRAP(tc_unfold(self->t, d, sz, st));
}

OPFN(m_as_strided) {
  static const char *const names[] = {"size", "stride", "storage_offset", NULL};
  PyObject *a[3];
  int n, ns;
  int64_t shape[TC_MAX_DIMS], strides[TC_MAX_DIMS], off = -1;
  if (!tcpy_parse(fn, args, kw, 3, names, a)) return NULL;
  if (!a[0] || !a[1]) {
    PyErr_SetString(PyExc_TypeError, "as_strided() missing required arguments 'size' and 'stride'");
    return NULL;
  }
  if (!tcpy_to_shape(a[0], "as_strided", &n, shape)) return NULL;
  /* strides may be negative (refused by the library with PyTorch's words) */
  if (!PySequence_Check(a[1])) {
    PyErr_SetString(PyExc_TypeError, "as_strided(): argument 'stride' must be tuple of ints");
    return NULL;
  }
  ns = (int)PySequence_Size(a[1]);
  for (int i = 0; i < ns && i < TC_MAX_DIMS; i++) {
    PyObject *o = PySequence_GetItem(a[1], i);
    bool ok = o && tcpy_to_int(o, "stride", &strides[i]);
    Py_XDECREF(o);
    if (!ok) return NULL;
  }
  if (ns != n) {
    PyErr_SetString(PyExc_RuntimeError, "mismatch in length of strides and shape");
    return NULL;
  }
  if (a[2] && a[2] != Py_None && !tcpy_to_int(a[2], "storage_offset", &off)) return NULL;
  if (off < -1 || (a[2] && a[2] != Py_None && off < 0)) {
    PyErr_Format(PyExc_RuntimeError, "Tensor: invalid storage offset %lld", (long long)off);
    return NULL;
  }
  return WRAP(tc_as_strided(self->t, n, shape, strides, off));
}

OPFN(m_narrow) {
  static const char *const names[] = {"dim", "start", "length", NULL};
  PyObject *a[3];
  int d;
  int64_t s, l;
  if (!tcpy_parse(fn, args, kw, 3, names, a)) return NULL;
  if (!a[0] || !a[1] || !a[2]) {
    PyErr_SetString(PyExc_TypeError, "narrow() missing required arguments 'dim', 'start' and 'length'");
    return NULL;
  }
  if (!tcpy_to_dim(a[0], &d) || !tcpy_to_int(a[1], "start", &s) || !tcpy_to_int(a[2], "length", &l)) return NULL;
  return WRAP(tc_narrow(self->t, d, s, l));
}

OPFN(m_clone) {
  static const char *const names[] = {"memory_format", NULL};
  PyObject *a[1];
  tc_memory_format f = TC_PRESERVE_FORMAT;
  if (!tcpy_parse(fn, args, kw, 0, names, a)) return NULL;
  if (tag < 2 && !tcpy_to_memory_format(a[0], fn, tag ? TC_CONTIGUOUS_FORMAT : TC_PRESERVE_FORMAT, !tag, &f))
    return NULL;
  switch (tag) {
  case 0: return WRAP(tc_clone_format(self->t, f)); /* preserve_format by default, as PyTorch */
  case 1:
    if (tc_tensor_is_contiguous_format(self->t, f)) { /* PyTorch returns self */
      Py_INCREF(self);
      return (PyObject *)self;
    }
    return WRAP(tc_contiguous_format(self->t, f));
  default: return WRAP(tc_to_dtype(self->t, tc_tensor_dtype(self->t))); /* detach: the same data */
  }
}

/* ---- in place ---------------------------------------------------------------------- */

OPFN(m_fill_) {
  static const char *const names[] = {"value", NULL};
  PyObject *a[1];
  double x = 0;
  if (!tcpy_parse(fn, args, kw, tag ? 0 : 1, names, a)) return NULL;
  if (!tag) {
    if (!a[0]) {
      PyErr_SetString(PyExc_TypeError, "fill_() missing 1 required positional argument: 'value'");
      return NULL;
    }
    if (tcpy_is_tensor(a[0])) { /* a 0-d tensor, checked by the library */
      if (tc_fill_tensor_(self->t, TT(a[0])) != TC_OK) return tcpy_raise(CTX);
      Py_INCREF(self);
      return (PyObject *)self;
    }
    if (!tcpy_to_double(a[0], "value", &x)) return NULL;
  }
  if (tc_fill_(self->t, x) != TC_OK) return tcpy_raise(CTX);
  Py_INCREF(self);
  return (PyObject *)self;
}

OPFN(m_copy_) {
  static const char *const names[] = {"src", "non_blocking", NULL};
  PyObject *a[2];
  if (!tcpy_parse(fn, args, kw, 2, names, a)) return NULL;
  if (!a[0]) {
    PyErr_SetString(PyExc_TypeError, "copy_() missing 1 required positional argument: 'src'");
    return NULL;
  }
  tc_tensor *src = tcpy_operand(self->ctx, a[0], "copy_", "src");
  if (!src) return NULL;
  tc_status st = tc_copy_(self->t, src);
  tc_tensor_release(src);
  if (st != TC_OK) return tcpy_raise(CTX);
  Py_INCREF(self);
  return (PyObject *)self;
}

/* resize_(*sizes, memory_format=None): this tensor's own handle takes the
 * shape, contiguous (the same shape keeps its layout), its storage growing
 * in place when too small (tc_resize_); returns self. */
OPFN(m_resize_) {
  static const char *const names[] = {"memory_format", NULL};
  PyObject *a[1];
  int nd;
  int64_t shape[TC_MAX_DIMS];
  if (!tcpy_parse(fn, NULL, kw, 0, names, a) || !tcpy_shape_args(args, 0, fn, &nd, shape)) return NULL;
  if (tc_resize_(self->t, nd, shape, NULL) != TC_OK) return tcpy_raise(CTX);
  Py_INCREF(self);
  return (PyObject *)self;
}

/* data_ptr(): the address of the first element, as an int (realizes; 0
 * for a tensor without elements, as PyTorch). The address stays put under
 * tensorc's in-place writes, which land in the storage's buffer; memory
 * shared with the host (numpy(), from_numpy) never moves. A CUDA tensor
 * gives its device address: its storage is pinned to that memory
 * (tc_share), so the address stays put as well. */
OPFN(m_data_ptr) {
  if (!no_args(fn, args, kw)) return NULL;
  if (tc_tensor_numel(self->t) == 0) return PyLong_FromLong(0);
  const void *p = tc_tensor_device(self->t).type == TC_CUDA ? tc_share(self->t) : tc_data_ptr(self->t);
  if (!p) return tcpy_raise(CTX);
  return PyLong_FromVoidPtr((void *)p);
}

/* _is_view(): whether the tensor views another's storage (its _base) */
OPFN(m_is_view) {
  if (!no_args(fn, args, kw)) return NULL;
  return PyBool_FromLong(tc_tensor_is_view(self->t));
}

/* untyped_storage(): the storage's bytes (types.c) */
OPFN(m_untyped_storage) {
  if (!no_args(fn, args, kw)) return NULL;
  return tcpy_storage_obj(self);
}

/* is_shared(): PyTorch's meaning, whether the storage is in memory shared
 * between processes (torch.multiprocessing): False for a CPU tensor, even
 * one that shares memory with NumPy, and always True for a CUDA tensor. */
OPFN(m_is_shared) {
  if (!no_args(fn, args, kw)) return NULL;
  return PyBool_FromLong(tc_tensor_device(self->t).type == TC_CUDA);
}

/* copy.copy(t): a new Tensor on the same storage, as PyTorch's (which
 * rebuilds the tensor over the same storage); copy.deepcopy(t, memo): a
 * copy of the values, on t's device, with t's strides where they are a
 * permutation of a contiguous layout (clone's rule). copy.deepcopy keeps
 * the memo itself, so a tensor met twice is copied once. */
OPFN(m_copy) {
  if (!no_args(fn, args, kw)) return NULL;
  return WRAP(tc_to_dtype(self->t, tc_tensor_dtype(self->t)));
}

OPFN(m_deepcopy) {
  static const char *const names[] = {"memo", NULL};
  PyObject *a[1];
  Py_ssize_t na = args ? PyTuple_Size(args) : 0;
  if (na > 1) {
    PyErr_Format(PyExc_TypeError, "Tensor.__deepcopy__() takes 2 positional arguments but %zd were given", na + 1);
    return NULL;
  }
  if (!tcpy_parse(fn, args, kw, 1, names, a)) return NULL;
  if (!a[0]) {
    PyErr_SetString(PyExc_TypeError, "Tensor.__deepcopy__() missing 1 required positional argument: 'memo'");
    return NULL;
  }
  return WRAP(tc_clone(self->t));
}

#define M(name, f, tag) {name, f, tag, OF_METHOD}
#define MT(name, f, tag) {name, f, tag, OF_METHOD | OF_TORCH}

const tcpy_opdef tcpy_tensor_ops[] = {
    M("item", m_item, 0), M("tolist", m_tolist, 0), M("size", m_size, 0), M("stride", m_size, 1),
    M("dim", m_info, 0), M("ndimension", m_info, 0), MT("numel", m_info, 1), M("nelement", m_info, 1),
    M("element_size", m_info, 2), M("is_contiguous", m_is_contiguous, 0), M("storage_offset", m_info, 4),
    MT("is_floating_point", m_info, 5), M("get_device", m_info, 6), M("type", m_info, 7),
    M("float", m_cast, TC_F32), M("double", m_cast, TC_F64), M("half", m_cast, TC_F16),
    M("bfloat16", m_cast, TC_BF16), M("int", m_cast, TC_I32), M("long", m_cast, TC_I64),
    M("short", m_cast, TC_I16), M("char", m_cast, TC_I8), M("byte", m_cast, TC_U8), M("bool", m_cast, TC_BOOL),
    M("to", m_to, 0), M("cpu", m_cpu, 0), M("cuda", m_cuda, 0), M("pin_memory", m_pin, 0), M("is_pinned", m_pin, 1),
    M("type_as", m_type_as, 0), M("data_ptr", m_data_ptr, 0), M("_is_view", m_is_view, 0),
    M("untyped_storage", m_untyped_storage, 0), M("is_shared", m_is_shared, 0),
    M("__copy__", m_copy, 0), M("__deepcopy__", m_deepcopy, 0),
    M("view", m_view_reshape, 0), MT("reshape", m_view_reshape, 1), M("expand", m_view_reshape, 2),
    M("view_as", m_as, 0), M("reshape_as", m_as, 1), M("expand_as", m_as, 2), MT("permute", m_permute, 0),
    MT("transpose", m_transpose, 0), MT("swapaxes", m_transpose, 0), MT("swapdims", m_transpose, 0), MT("t", m_t, 0),
    MT("squeeze", m_squeeze, 0), MT("unsqueeze", m_squeeze, 1), MT("flatten", m_flatten, 0),
    MT("narrow", m_narrow, 0), MT("select", m_select, 0), M("unfold", m_unfold, 0),
    MT("as_strided", m_as_strided, 0), MT("clone", m_clone, 0), M("contiguous", m_clone, 1),
    MT("detach", m_clone, 2),
    M("fill_", m_fill_, 0), M("zero_", m_fill_, 1), M("copy_", m_copy_, 0), M("resize_", m_resize_, 0),
    {NULL, NULL, 0, 0}};
