/*
 * interop.c — memory shared with NumPy and any DLPack producer or consumer,
 * without copies, as PyTorch shares it.
 *
 *   torch.from_numpy(a), torch.as_tensor(a): a tensor over a's memory
 *     (read through a.__array_interface__; tc_from_host_memory), holding a
 *     reference to `a` until tensorc no longer uses the memory.
 *   t.numpy(), np.asarray(t): an array over t's memory. t's storage is
 *     shared with the host from then on (tc_share_host): NumPy's writes are
 *     seen by the next op, tensorc's writes land in the array at once. The
 *     array's base is the Tensor, whose handle keeps the memory alive.
 *   t.__dlpack__(), t.__dlpack_device__(), torch.from_dlpack(x): DLPack
 *     capsules both ways (legacy "dltensor" and, when the consumer asks for
 *     max_version >= (1, 0), "dltensor_versioned"); np.from_dlpack(t) works.
 *     CUDA tensors too: the export waits for tensorc's stream (the consumer
 *     may read on any stream); the import of a CUDA producer asks it for
 *     stream=1 (the legacy default stream, which tensorc's blocking stream
 *     is ordered after).
 *
 * The stable ABI (3.9) has no buffer protocol; __array_interface__ (v3) is
 * what NumPy reads instead. A release callback may run wherever the last
 * reference goes; it takes the GIL itself.
 */
#include <stdlib.h>
#include <string.h>
#include "../lib/api/dlpack.h"
#include "tcpy.h"

/* ---- dtypes -------------------------------------------------------------- */

static const struct { const char *typestr, *name; tc_dtype dt; } np_types[] = {
    {"|b1", "bool", TC_BOOL},   {"|u1", "uint8", TC_U8},    {"|i1", "int8", TC_I8},
    {"<i2", "int16", TC_I16},   {"<i4", "int32", TC_I32},   {"<i8", "int64", TC_I64},
    {"<f2", "float16", TC_F16}, {"<f4", "float32", TC_F32}, {"<f8", "float64", TC_F64}};

static bool typestr_dtype(const char *s, tc_dtype *dt) {
  char t[8];
  snprintf(t, sizeof t, "%s", s);
  if (t[0] == '=') t[0] = '<';
  if (t[0] == '<' && (t[1] == 'u' || t[1] == 'i' || t[1] == 'b') && t[2] == '1') t[0] = '|';
  for (size_t i = 0; i < sizeof np_types / sizeof np_types[0]; i++)
    if (!strcmp(np_types[i].typestr, t)) return *dt = np_types[i].dt, true;
  return false;
}

bool tcpy_np_scalar_dtype(PyObject *o, tc_dtype *dt) {
  PyObject *d = PyObject_GetAttrString(o, "dtype");
  PyObject *name = d ? PyObject_GetAttrString(d, "name") : NULL;
  Py_XDECREF(d);
  bool ok = false;
  if (name && PyUnicode_Check(name))
    for (size_t i = 0; !ok && i < sizeof np_types / sizeof np_types[0]; i++)
      if (!PyUnicode_CompareWithASCIIString(name, np_types[i].name)) *dt = np_types[i].dt, ok = true;
  Py_XDECREF(name);
  PyErr_Clear();
  return ok;
}

static const char *typestr_of(tc_dtype dt) {
  for (size_t i = 0; i < sizeof np_types / sizeof np_types[0]; i++)
    if (np_types[i].dt == dt) return np_types[i].typestr;
  return NULL;
}

/* ---- NumPy -> tensor ---------------------------------------------------------- */

static void release_pyobject(void *user) {
  PyGILState_STATE g = PyGILState_Ensure();
  Py_DECREF((PyObject *)user);
  PyGILState_Release(g);
}

static bool is_ndarray(PyObject *o) {
  PyObject *tp = (PyObject *)Py_TYPE(o);
  PyObject *mod = PyObject_GetAttrString(tp, "__module__"), *name = PyObject_GetAttrString(tp, "__name__");
  bool r = mod && name && PyUnicode_Check(mod) && PyUnicode_Check(name) &&
           !PyUnicode_CompareWithASCIIString(mod, "numpy") && !PyUnicode_CompareWithASCIIString(name, "ndarray");
  Py_XDECREF(mod);
  Py_XDECREF(name);
  PyErr_Clear();
  return r || (tcpy_is_array(o) && !tcpy_is_tensor(o));
}

static PyObject *dict_item(PyObject *d, const char *key) {
  PyObject *v = PyDict_GetItemString(d, key);
  if (!v) PyErr_Format(PyExc_ValueError, "__array_interface__ has no '%s'", key);
  return v;
}

PyObject *tcpy_from_numpy(tcpy_ctx *c, PyObject *arr) {
  if (!is_ndarray(arr)) { /* the type's name as C's tp_name has it: numpy.float64, list */
    PyObject *tp = (PyObject *)Py_TYPE(arr);
    PyObject *n = PyObject_GetAttrString(tp, "__name__"), *mod = PyObject_GetAttrString(tp, "__module__");
    PyErr_Clear();
    if (mod && PyUnicode_Check(mod) && PyUnicode_CompareWithASCIIString(mod, "builtins"))
      PyErr_Format(PyExc_TypeError, "expected np.ndarray (got %U.%U)", mod, n);
    else
      PyErr_Format(PyExc_TypeError, "expected np.ndarray (got %U)", n);
    Py_XDECREF(n);
    Py_XDECREF(mod);
    return NULL;
  }
  PyObject *ai = PyObject_GetAttrString(arr, "__array_interface__");
  if (!ai) return NULL;
  PyObject *r = NULL, *typestr, *shape, *data, *strides;
  if (!PyDict_Check(ai) || !(typestr = dict_item(ai, "typestr")) || !(shape = dict_item(ai, "shape")) ||
      !(data = dict_item(ai, "data")))
    goto done;
  strides = PyDict_GetItemString(ai, "strides");
  PyObject *tb = PyUnicode_AsUTF8String(typestr);
  if (!tb) goto done;
  tc_dtype dt;
  bool known = typestr_dtype(PyBytes_AsString(tb), &dt);
  Py_DECREF(tb);
  if (!known) {
    PyObject *d = PyObject_GetAttrString(arr, "dtype");
    PyObject *name = d ? PyObject_GetAttrString(d, "name") : NULL;
    PyErr_Format(PyExc_TypeError,
                 "can't convert np.ndarray of type numpy.%S. The only supported types are: float64, float32, "
                 "float16, complex64, complex128, int64, int32, int16, int8, uint8, and bool.", name ? name : Py_None);
    Py_XDECREF(d);
    Py_XDECREF(name);
    goto done;
  }
  int nd = (int)PyTuple_Size(shape);
  if (nd > TC_MAX_DIMS) {
    PyErr_Format(PyExc_RuntimeError, "tensorc supports at most %d dimensions", TC_MAX_DIMS);
    goto done;
  }
  int64_t sh[TC_MAX_DIMS], st[TC_MAX_DIMS];
  size_t size = tc_dtype_size(dt);
  for (int i = 0; i < nd; i++) {
    sh[i] = PyLong_AsLongLong(PyTuple_GetItem(shape, i));
    if (strides && strides != Py_None) {
      long long b = PyLong_AsLongLong(PyTuple_GetItem(strides, i));
      if (b % (long long)size) {
        PyErr_SetString(PyExc_ValueError, "given numpy array strides not a multiple of the element byte size. "
                                          "Copy the numpy array to reallocate the memory.");
        goto done;
      }
      st[i] = b / (long long)size;
    }
  }
  if (PyErr_Occurred()) goto done;
  void *ptr = PyLong_AsVoidPtr(PyTuple_GetItem(data, 0));
  int readonly = PyObject_IsTrue(PyTuple_GetItem(data, 1));
  if (PyErr_Occurred()) goto done;
  if (readonly &&
      PyErr_WarnEx(PyExc_UserWarning,
                   "The given NumPy array is not writable, and PyTorch does not support non-writable tensors. This "
                   "means writing to this tensor will result in undefined behavior. You may want to copy the array "
                   "to protect its data or make it writable before converting it to a tensor. This type of warning "
                   "will be suppressed for the rest of this program.", 1) < 0)
    goto done;
  Py_INCREF(arr); /* tensorc's, until it calls release_pyobject */
  tc_tensor *t = tc_from_host_memory(c->ctx, ptr, dt, nd, sh, strides && strides != Py_None ? st : NULL,
                                     release_pyobject, arr);
  if (!t) {
    Py_DECREF(arr);
    tcpy_raise(c->ctx);
    goto done;
  }
  r = tcpy_wrap(c, t);
done:
  Py_DECREF(ai);
  return r;
}

/* ---- tensor -> NumPy ------------------------------------------------------------- */

static bool host_exportable(tcpy_tensor *self, PyObject *exc) {
  if (!tcpy_check_thread(self)) return false;
  tc_device d = tc_tensor_device(self->t);
  if (d.type != TC_CPU) {
    PyErr_Format(exc, "can't convert cuda:%d device type tensor to numpy. Use Tensor.cpu() to copy the tensor to "
                      "host memory first.", d.index);
    return false;
  }
  return true;
}

PyObject *tcpy_array_interface(tcpy_tensor *self) {
  if (!host_exportable(self, PyExc_TypeError)) return NULL;
  tc_dtype dt = tc_tensor_dtype(self->t);
  const char *ts = typestr_of(dt);
  if (!ts) {
    PyErr_Format(PyExc_TypeError, "Got unsupported ScalarType %s", tcpy_dtype_torch_name(dt));
    return NULL;
  }
  void *p = tc_share_host(self->t);
  if (!p && tc_tensor_numel(self->t)) return tcpy_raise(self->ctx->ctx);
  if (!p) tc_clear_error(self->ctx->ctx);
  int64_t shape[TC_MAX_DIMS], st[TC_MAX_DIMS];
  int nd = tc_tensor_shape(self->t, shape);
  tc_tensor_strides(self->t, st);
  PyObject *sh = PyTuple_New(nd), *strides = tc_tensor_is_contiguous(self->t) ? (Py_INCREF(Py_None), Py_None) : PyTuple_New(nd);
  if (!sh || !strides) {
    Py_XDECREF(sh);
    Py_XDECREF(strides);
    return NULL;
  }
  for (int i = 0; i < nd; i++) {
    PyTuple_SetItem(sh, i, PyLong_FromLongLong(shape[i]));
    if (strides != Py_None) PyTuple_SetItem(strides, i, PyLong_FromLongLong(st[i] * (int64_t)tc_dtype_size(dt)));
  }
  static char empty[8];
  return Py_BuildValue("{s:N,s:s,s:(N,O),s:N,s:i}", "shape", sh, "typestr", ts, "data",
                       PyLong_FromVoidPtr(p ? p : empty), Py_False, "strides", strides, "version", 3);
}

PyObject *tcpy_numpy(tcpy_tensor *self, bool force) {
  PyObject *src = (PyObject *)self;
  Py_INCREF(src);
  if (force && tc_tensor_device(self->t).type != TC_CPU) {
    Py_DECREF(src);
    if (!tcpy_check_thread(self) || !(src = tcpy_wrap(self->ctx, tc_cpu(self->t)))) return NULL;
  } else if (!host_exportable(self, PyExc_TypeError)) {
    Py_DECREF(src);
    return NULL;
  }
  PyObject *np = PyImport_ImportModule("numpy");
  PyObject *r = np ? PyObject_CallMethod(np, "asarray", "O", src) : NULL;
  Py_XDECREF(np);
  Py_DECREF(src);
  return r;
}

/* ---- DLPack: export ------------------------------------------------------------------ */

/* A capsule its consumer never took still owns the tensor. */
static void capsule_destructor(PyObject *cap) {
  if (PyCapsule_IsValid(cap, "dltensor")) {
    DLManagedTensor *m = PyCapsule_GetPointer(cap, "dltensor");
    if (m && m->deleter) m->deleter(m);
  } else if (PyCapsule_IsValid(cap, "dltensor_versioned")) {
    DLManagedTensorVersioned *m = PyCapsule_GetPointer(cap, "dltensor_versioned");
    if (m && m->deleter) m->deleter(m);
  }
  PyErr_Clear();
}

PyObject *tcpy_dlpack(tcpy_tensor *self, PyObject *args, PyObject *kw) {
  static const char *const names[] = {"stream", "max_version", "dl_device", "copy", NULL};
  PyObject *a[4];
  if (!tcpy_parse("__dlpack__", args, kw, 1, names, a) || !tcpy_check_thread(self)) return NULL;
  tc_device dev = tc_tensor_device(self->t);
  if (a[2] && a[2] != Py_None) { /* the consumer's device must be the tensor's own */
    PyObject *t0 = PySequence_GetItem(a[2], 0), *t1 = t0 ? PySequence_GetItem(a[2], 1) : NULL;
    long type = t0 ? PyLong_AsLong(t0) : -1, id = t1 ? PyLong_AsLong(t1) : -1;
    Py_XDECREF(t0);
    Py_XDECREF(t1);
    PyErr_Clear();
    bool same = dev.type == TC_CUDA ? type == kDLCUDA && id == dev.index : type == kDLCPU;
    if (!same) {
      PyErr_Format(PyExc_BufferError, "tensorc: __dlpack__ exports to the tensor's own device only (dl_device=(%d, %d))",
                   dev.type == TC_CUDA ? kDLCUDA : kDLCPU, dev.type == TC_CUDA ? dev.index : 0);
      return NULL;
    }
  }
  bool versioned = false;
  if (a[1] && a[1] != Py_None) {
    PyObject *major = PySequence_GetItem(a[1], 0);
    long v = major ? PyLong_AsLong(major) : -1;
    Py_XDECREF(major);
    if (v == -1 && PyErr_Occurred()) return NULL;
    versioned = v >= 1;
  }
  bool copy = a[3] && PyObject_IsTrue(a[3]) == 1; /* copy=True: export a copy */
  /* the library's struct holds a handle on the storage (tc_to_dlpack); the
   * consumer's deleter runs under the GIL, as every call into tensorc here */
  PyObject *cap = NULL;
  if (versioned) {
    DLManagedTensorVersioned *m = tc_to_dlpack(self->t, copy);
    if (!m) return tcpy_raise(self->ctx->ctx);
    if (!(cap = PyCapsule_New(m, "dltensor_versioned", capsule_destructor))) m->deleter(m);
  } else {
    DLManagedTensor *m = tc_to_dlpack_legacy(self->t, copy);
    if (!m) return tcpy_raise(self->ctx->ctx);
    if (!(cap = PyCapsule_New(m, "dltensor", capsule_destructor))) m->deleter(m);
  }
  return cap;
}

PyObject *tcpy_dlpack_device(tcpy_tensor *self) {
  tc_device d = tc_tensor_device(self->t);
  return Py_BuildValue("(ii)", d.type == TC_CUDA ? kDLCUDA : kDLCPU, d.type == TC_CUDA ? d.index : 0);
}

/* ---- DLPack: import -------------------------------------------------------------------- */

/* The producer's deleter, called under the GIL (a NumPy array's deleter
 * drops Python references; tensorc calls it from whichever thread drops
 * the last reference): the consumed struct's deleter is swapped for this
 * one, which puts the producer's back and calls it. */
typedef struct gil_deleter {
  void *manager_ctx;
  void (*deleter)(void *m);
} gil_deleter;

static void versioned_gil_deleter(DLManagedTensorVersioned *m) {
  gil_deleter *g = m->manager_ctx;
  m->manager_ctx = g->manager_ctx;
  m->deleter = (void (*)(DLManagedTensorVersioned *))g->deleter;
  free(g);
  PyGILState_STATE s = PyGILState_Ensure();
  if (m->deleter) m->deleter(m);
  PyGILState_Release(s);
}

static void legacy_gil_deleter(DLManagedTensor *m) {
  gil_deleter *g = m->manager_ctx;
  m->manager_ctx = g->manager_ctx;
  m->deleter = (void (*)(DLManagedTensor *))g->deleter;
  free(g);
  PyGILState_STATE s = PyGILState_Ensure();
  if (m->deleter) m->deleter(m);
  PyGILState_Release(s);
}

static PyObject *f_from_dlpack(PyObject *m, PyObject *ext) {
  tcpy_ctx *c = tcpy_current();
  if (!c) return NULL;
  PyObject *cap;
  if (PyCapsule_CheckExact(ext)) {
    Py_INCREF(ext);
    cap = ext;
  } else {
    PyObject *fn = PyObject_GetAttrString(ext, "__dlpack__");
    if (!fn) {
      PyErr_Clear();
      PyErr_SetString(PyExc_TypeError, "from_dlpack() expects an object with __dlpack__ (or a DLPack capsule)");
      return NULL;
    }
    /* a CUDA producer orders its work before the legacy default stream */
    long dtype = kDLCPU;
    PyObject *dd = PyObject_CallMethod(ext, "__dlpack_device__", NULL);
    if (dd) {
      PyObject *d0 = PySequence_GetItem(dd, 0);
      if (d0) dtype = PyLong_AsLong(d0);
      Py_XDECREF(d0);
      Py_DECREF(dd);
    }
    PyErr_Clear();
    PyObject *kw = dtype == kDLCUDA ? Py_BuildValue("{s:(ii),s:i}", "max_version", 1, 0, "stream", 1)
                                    : Py_BuildValue("{s:(ii)}", "max_version", 1, 0);
    PyObject *empty = PyTuple_New(0);
    cap = kw && empty ? PyObject_Call(fn, empty, kw) : NULL;
    if (!cap && PyErr_ExceptionMatches(PyExc_TypeError)) { /* a producer older than DLPack 1.0 */
      PyErr_Clear();
      PyObject *kw1 = dtype == kDLCUDA ? Py_BuildValue("{s:i}", "stream", 1) : NULL;
      cap = dtype != kDLCUDA || kw1 ? PyObject_Call(fn, empty, kw1) : NULL;
      Py_XDECREF(kw1);
    }
    Py_XDECREF(kw);
    Py_XDECREF(empty);
    Py_DECREF(fn);
    if (!cap) return NULL;
  }
  gil_deleter *g = malloc(sizeof *g);
  if (!g) {
    Py_DECREF(cap);
    return PyErr_NoMemory();
  }
  tc_tensor *t = NULL;
  bool versioned = PyCapsule_IsValid(cap, "dltensor_versioned");
  if (versioned) {
    DLManagedTensorVersioned *mt = PyCapsule_GetPointer(cap, "dltensor_versioned");
    g->manager_ctx = mt->manager_ctx, g->deleter = (void (*)(void *))mt->deleter;
    mt->manager_ctx = g, mt->deleter = versioned_gil_deleter;
    if (!(t = tc_from_dlpack(c->ctx, mt))) mt->manager_ctx = g->manager_ctx, mt->deleter = (void (*)(DLManagedTensorVersioned *))g->deleter;
  } else if (PyCapsule_IsValid(cap, "dltensor")) {
    DLManagedTensor *mt = PyCapsule_GetPointer(cap, "dltensor");
    g->manager_ctx = mt->manager_ctx, g->deleter = (void (*)(void *))mt->deleter;
    mt->manager_ctx = g, mt->deleter = legacy_gil_deleter;
    if (!(t = tc_from_dlpack_legacy(c->ctx, mt))) mt->manager_ctx = g->manager_ctx, mt->deleter = (void (*)(DLManagedTensor *))g->deleter;
  } else {
    free(g);
    Py_DECREF(cap);
    PyErr_SetString(PyExc_ValueError, "from_dlpack(): the capsule is not an unconsumed DLPack tensor "
                                      "(\"dltensor\" or \"dltensor_versioned\")");
    return NULL;
  }
  if (!t) { /* the capsule still owns the producer's tensor */
    free(g);
    Py_DECREF(cap);
    return tcpy_raise(c->ctx);
  }
  /* consumed: the tensor calls the producer's deleter when it is done */
  PyCapsule_SetName(cap, versioned ? "used_dltensor_versioned" : "used_dltensor");
  Py_DECREF(cap);
  return tcpy_wrap(c, t);
}

static PyObject *f_from_numpy(PyObject *m, PyObject *arr) {
  tcpy_ctx *c = tcpy_current();
  return c ? tcpy_from_numpy(c, arr) : NULL;
}

PyMethodDef tcpy_interop_functions[] = {
    {"from_numpy", f_from_numpy, METH_O, "from_numpy(ndarray): a tensor sharing the array's memory"},
    {"from_dlpack", f_from_dlpack, METH_O, "from_dlpack(x): a tensor sharing the memory of a DLPack producer"},
    {NULL, NULL, 0, NULL}};
