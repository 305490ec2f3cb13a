/*
 * types.c — PyTorch's small types: torch.dtype (one object per dtype,
 * compared by identity, printed "torch.float32"), torch.device
 * ("device(type='cuda', index=0)", str "cuda:0"), torch.Size (a tuple
 * printed "torch.Size([2, 3])") and torch.return_types.max/min (a pair with
 * .values and .indices, printed as PyTorch prints it), and
 * torch.UntypedStorage (what untyped_storage() returns: a Tensor's
 * storage as bytes), torch.memory_format (four objects, compared by identity, printed
 * "torch.channels_last"; no constructor, as PyTorch's).
 */
#include <string.h>
#include "tcpy.h"

/* ---- dtype ---------------------------------------------------------------- */

typedef struct {
  PyObject_HEAD
  tc_dtype dt;
} dtype_obj;

static const char *const torch_word[TC_NUM_DTYPES] = {"Bool", "Byte", "Char", "Short", "Int",
                                                      "Long", "Half", "BFloat16", "Float", "Double"};
const char *tcpy_dtype_torch_name(tc_dtype dt) { return (unsigned)dt < TC_NUM_DTYPES ? torch_word[dt] : "?"; }

static PyObject *dtype_repr(PyObject *o) {
  return PyUnicode_FromFormat("torch.%s", tc_dtype_name(((dtype_obj *)o)->dt));
}

static PyObject *dtype_get(PyObject *o, void *what) {
  tc_dtype dt = ((dtype_obj *)o)->dt;
  switch ((int)(intptr_t)what) {
  case 0: return PyBool_FromLong(tc_dtype_is_floating(dt));
  case 1: return PyBool_FromLong(dt != TC_BOOL && dt != TC_U8);
  case 2: return PyLong_FromSize_t(tc_dtype_size(dt));
  default: Py_RETURN_FALSE; /* is_complex */
  }
}

static PyGetSetDef dtype_getset[] = {{"is_floating_point", dtype_get, NULL, NULL, (void *)0},
                                     {"is_signed", dtype_get, NULL, NULL, (void *)1},
                                     {"itemsize", dtype_get, NULL, NULL, (void *)2},
                                     {"is_complex", dtype_get, NULL, NULL, (void *)3},
                                     {NULL, NULL, NULL, NULL, NULL}};

static void plain_dealloc(PyObject *o) {
  PyTypeObject *tp = Py_TYPE(o);
  PyObject_Free(o);
  Py_DECREF(tp);
}

static PyType_Slot dtype_slots[] = {{Py_tp_repr, dtype_repr}, {Py_tp_getset, dtype_getset},
                                    {Py_tp_dealloc, plain_dealloc}, {0, NULL}};
static PyType_Spec dtype_spec = {"torch.dtype", sizeof(dtype_obj), 0, Py_TPFLAGS_DEFAULT, dtype_slots};

PyObject *tcpy_dtype_obj(tc_dtype dt) {
  PyObject *o = S.dtypes[(unsigned)dt < TC_NUM_DTYPES ? dt : TC_F32];
  Py_INCREF(o);
  return o;
}

/* ---- memory_format ------------------------------------------------------------ */

typedef struct {
  PyObject_HEAD
  tc_memory_format fmt;
} format_obj;

static const char *const format_names[4] = {"preserve_format", "contiguous_format", "channels_last",
                                            "channels_last_3d"}; /* by tc_memory_format */

static PyObject *format_repr(PyObject *o) {
  return PyUnicode_FromFormat("torch.%s", format_names[((format_obj *)o)->fmt]);
}

static PyObject *format_new(PyTypeObject *tp, PyObject *args, PyObject *kw) {
  (void)tp, (void)args, (void)kw;
  PyErr_SetString(PyExc_TypeError, "cannot create 'torch.memory_format' instances");
  return NULL;
}

/* pickle and copy: the object's name in its module (torch), as a global */
static PyObject *format_reduce(PyObject *o, PyObject *unused) {
  (void)unused;
  return PyUnicode_FromString(format_names[((format_obj *)o)->fmt]);
}

static PyMethodDef format_methods[] = {{"__reduce__", format_reduce, METH_NOARGS, NULL},
                                       {NULL, NULL, 0, NULL}};
static PyType_Slot format_slots[] = {{Py_tp_repr, format_repr}, {Py_tp_dealloc, plain_dealloc},
                                     {Py_tp_new, format_new}, {Py_tp_methods, format_methods}, {0, NULL}};
static PyType_Spec format_spec = {"torch.memory_format", sizeof(format_obj), 0, Py_TPFLAGS_DEFAULT, format_slots};

/* ---- UntypedStorage --------------------------------------------------------- */

typedef struct {
  PyObject_HEAD
  tcpy_tensor *t; /* strong */
} storage_obj;

static void storage_dealloc(PyObject *o) {
  PyTypeObject *tp = Py_TYPE(o);
  Py_XDECREF(((storage_obj *)o)->t);
  PyObject_Free(o);
  Py_DECREF(tp);
}

static int64_t storage_nbytes(PyObject *o) {
  tc_tensor *t = ((storage_obj *)o)->t->t;
  return tc_tensor_storage_numel(t) * (int64_t)tc_dtype_size(tc_tensor_dtype(t));
}

static PyObject *storage_nbytes_m(PyObject *o, PyObject *unused) {
  (void)unused;
  return PyLong_FromLongLong(storage_nbytes(o));
}

static Py_ssize_t storage_len(PyObject *o) { return (Py_ssize_t)storage_nbytes(o); }

/* data_ptr(): the storage's first byte (the tensor's first element less
 * its offset); 0 for an empty storage; a device address for a CUDA
 * tensor, as the tensor's data_ptr() gives */
static PyObject *storage_data_ptr(PyObject *o, PyObject *unused) {
  (void)unused;
  tcpy_tensor *tt = ((storage_obj *)o)->t;
  tc_tensor *t = tt->t;
  if (storage_nbytes(o) == 0) return PyLong_FromLong(0);
  const char *p = tc_tensor_device(t).type == TC_CUDA ? tc_share(t) : tc_data_ptr(t);
  if (!p) return tcpy_raise(tt->ctx->ctx);
  return PyLong_FromVoidPtr((void *)(p - tc_tensor_storage_offset(t) * (int64_t)tc_dtype_size(tc_tensor_dtype(t))));
}

static PyObject *storage_device(PyObject *o, void *unused) {
  (void)unused;
  return tcpy_device_obj(tc_tensor_device(((storage_obj *)o)->t->t), false);
}

static PyObject *storage_repr(PyObject *o) {
  return PyUnicode_FromFormat("torch.UntypedStorage of %lld bytes", (long long)storage_nbytes(o));
}

static PyObject *storage_new(PyTypeObject *tp, PyObject *args, PyObject *kw) {
  (void)tp, (void)args, (void)kw;
  PyErr_SetString(PyExc_NotImplementedError, "tensorc makes no storage by itself: use Tensor.untyped_storage()");
  return NULL;
}

static PyMethodDef storage_methods[] = {{"data_ptr", storage_data_ptr, METH_NOARGS, NULL},
                                        {"nbytes", storage_nbytes_m, METH_NOARGS, NULL},
                                        {"size", storage_nbytes_m, METH_NOARGS, NULL},
                                        {NULL, NULL, 0, NULL}};
static PyGetSetDef storage_getset[] = {{"device", storage_device, NULL, NULL, NULL}, {NULL, NULL, NULL, NULL, NULL}};
static PyType_Slot storage_slots[] = {{Py_tp_dealloc, storage_dealloc}, {Py_tp_methods, storage_methods},
                                      {Py_tp_getset, storage_getset}, {Py_sq_length, storage_len},
                                      {Py_tp_repr, storage_repr}, {Py_tp_new, storage_new}, {0, NULL}};
static PyType_Spec storage_spec = {"torch.UntypedStorage", sizeof(storage_obj), 0, Py_TPFLAGS_DEFAULT, storage_slots};
static PyTypeObject *StorageType;

PyObject *tcpy_storage_obj(tcpy_tensor *t) {
  storage_obj *o = PyObject_New(storage_obj, StorageType);
  if (!o) return NULL;
  Py_INCREF(t);
  o->t = t;
  return (PyObject *)o;
}

/* ---- device ------------------------------------------------------------------ */

typedef struct {
  PyObject_HEAD
  tc_device d;
  bool has_index;
} device_obj;

PyObject *tcpy_device_obj(tc_device d, bool cpu_index) {
  device_obj *o = PyObject_New(device_obj, S.Device);
  if (!o) return NULL;
  o->d = d;
  o->has_index = d.type != TC_CPU || cpu_index;
  return (PyObject *)o;
}

static PyObject *device_new(PyTypeObject *tp, PyObject *args, PyObject *kw) {
  static const char *const names[] = {"type", "index", NULL};
  PyObject *a[2];
  if (!tcpy_parse("device", args, kw, 2, names, a)) return NULL;
  if (!a[0]) {
    PyErr_SetString(PyExc_TypeError, "device() received an invalid combination of arguments - got ()");
    return NULL;
  }
  if (Py_TYPE(a[0]) == S.Device && !a[1]) {
    Py_INCREF(a[0]);
    return a[0];
  }
  tc_device d;
  if (!tcpy_to_device(a[0], &d)) return NULL;
  bool has = PyLong_Check(a[0]);
  if (PyUnicode_Check(a[0])) {
    PyObject *colon = PyUnicode_FromString(":");
    has = colon && PyUnicode_Contains(a[0], colon) == 1;
    Py_XDECREF(colon);
  }
  if (a[1] && a[1] != Py_None) {
    if (has) {
      PyErr_Format(PyExc_RuntimeError,
                   "type (string) must not include an index because index was passed explicitly: %S", a[0]);
      return NULL;
    }
    int64_t k;
    if (!tcpy_to_int(a[1], "index", &k)) return NULL;
    if (k < 0) {
      PyErr_SetString(PyExc_RuntimeError, "Device index must not be negative");
      return NULL;
    }
    d.index = (int)k;
    has = true;
  }
  device_obj *o = (device_obj *)tcpy_device_obj(d, has);
  if (o) o->has_index = has;
  return (PyObject *)o;
}

static PyObject *device_str(PyObject *o) {
  device_obj *d = (device_obj *)o;
  const char *type = d->d.type == TC_CUDA ? "cuda" : "cpu";
  if (!d->has_index) return PyUnicode_FromString(type);
  return PyUnicode_FromFormat("%s:%d", type, d->d.index);
}

static PyObject *device_repr(PyObject *o) {
  device_obj *d = (device_obj *)o;
  const char *type = d->d.type == TC_CUDA ? "cuda" : "cpu";
  if (!d->has_index) return PyUnicode_FromFormat("device(type='%s')", type);
  return PyUnicode_FromFormat("device(type='%s', index=%d)", type, d->d.index);
}

static PyObject *device_get(PyObject *o, void *what) {
  device_obj *d = (device_obj *)o;
  if (what) {
    if (!d->has_index) Py_RETURN_NONE;
    return PyLong_FromLong(d->d.index);
  }
  return PyUnicode_FromString(d->d.type == TC_CUDA ? "cuda" : "cpu");
}

static PyObject *device_richcompare(PyObject *a, PyObject *b, int op) {
  if ((op != Py_EQ && op != Py_NE) || Py_TYPE(b) != S.Device) Py_RETURN_NOTIMPLEMENTED;
  device_obj *x = (device_obj *)a, *y = (device_obj *)b;
  bool eq = x->d.type == y->d.type && x->has_index == y->has_index && (!x->has_index || x->d.index == y->d.index);
  return PyBool_FromLong(op == Py_EQ ? eq : !eq);
}

static Py_hash_t device_hash(PyObject *o) {
  device_obj *d = (device_obj *)o;
  return (Py_hash_t)(d->d.type * 1000003 + (d->has_index ? d->d.index + 1 : 0));
}

static PyGetSetDef device_getset[] = {{"type", device_get, NULL, NULL, NULL},
                                      {"index", device_get, NULL, NULL, (void *)1},
                                      {NULL, NULL, NULL, NULL, NULL}};
static PyType_Slot device_slots[] = {{Py_tp_new, device_new},         {Py_tp_repr, device_repr},
                                     {Py_tp_str, device_str},         {Py_tp_getset, device_getset},
                                     {Py_tp_richcompare, device_richcompare}, {Py_tp_hash, device_hash},
                                     {Py_tp_dealloc, plain_dealloc},  {0, NULL}};
static PyType_Spec device_spec = {"torch.device", sizeof(device_obj), 0, Py_TPFLAGS_DEFAULT, device_slots};

/* ---- Size ----------------------------------------------------------------------- */

static PyObject *size_repr(PyObject *o) {
  PyObject *l = PySequence_List(o);
  if (!l) return NULL;
  PyObject *r = PyUnicode_FromFormat("torch.Size(%R)", l);
  Py_DECREF(l);
  return r;
}

static PyObject *size_numel(PyObject *o, PyObject *noargs) {
  Py_ssize_t n = PyTuple_Size(o);
  long long p = 1;
  for (Py_ssize_t i = 0; i < n; i++) p *= PyLong_AsLongLong(PyTuple_GetItem(o, i));
  if (PyErr_Occurred()) return NULL;
  return PyLong_FromLongLong(p);
}

/* A new Size from r (a tuple; the reference is stolen). */
static PyObject *to_size(PyObject *r) {
  if (!r) return NULL;
  PyObject *s = PyObject_CallFunctionObjArgs((PyObject *)S.Size, r, NULL);
  Py_DECREF(r);
  return s;
}

/* size[1:] is a Size too, as in PyTorch (tuple's own __getitem__, wrapped;
 * the limited API has no tuple slots to call directly) */
static PyObject *size_subscript(PyObject *o, PyObject *key) {
  static PyObject *getitem;
  if (!getitem && !(getitem = PyObject_GetAttrString((PyObject *)&PyTuple_Type, "__getitem__"))) return NULL;
  PyObject *r = PyObject_CallFunctionObjArgs(getitem, o, key, NULL);
  return r && PySlice_Check(key) ? to_size(r) : r;
}

/* a + b and a * n with a Size on either side are Sizes, as in PyTorch:
 * size + (1,), (1,) + size, size * 2, 2 * size. Other operands fall back to
 * tuple's own rules and messages. */
static PyObject *concat(PyObject *a, PyObject *b) {
  PyObject *x = PySequence_Tuple(a), *y = x ? PySequence_Tuple(b) : NULL;
  PyObject *r = y ? PySequence_Concat(x, y) : NULL; /* plain tuples: tuple's concat */
  Py_XDECREF(x);
  Py_XDECREF(y);
  return r;
}

static PyObject *size_add(PyObject *a, PyObject *b) {
  if (!PyTuple_Check(a) || !PyTuple_Check(b)) Py_RETURN_NOTIMPLEMENTED;
  return to_size(concat(a, b));
}

/* size + [1]: PyTorch's message */
static PyObject *size_concat(PyObject *a, PyObject *b) {
  if (PyTuple_Check(b)) return to_size(concat(a, b));
  PyObject *n = PyObject_GetAttrString((PyObject *)Py_TYPE(b), "__name__");
  if (n) PyErr_Format(PyExc_TypeError, "can only concatenate tuple (not %U) to torch.Size", n);
  Py_XDECREF(n);
  return NULL;
}

static PyObject *size_mul(PyObject *a, PyObject *b) {
  PyObject *seq = PyObject_TypeCheck(a, S.Size) ? a : b, *k = seq == a ? b : a;
  if (!PyIndex_Check(k)) Py_RETURN_NOTIMPLEMENTED;
  Py_ssize_t n = PyNumber_AsSsize_t(k, PyExc_OverflowError);
  if (n == -1 && PyErr_Occurred()) return NULL;
  PyObject *x = PySequence_Tuple(seq);
  if (!x) return NULL;
  PyObject *r = PySequence_Repeat(x, n);
  Py_DECREF(x);
  return to_size(r);
}

static PyMethodDef size_methods[] = {{"numel", size_numel, METH_NOARGS, NULL}, {NULL, NULL, 0, NULL}};
static PyType_Slot size_slots[] = {{Py_tp_repr, size_repr},         {Py_tp_methods, size_methods},
                                   {Py_mp_subscript, size_subscript}, {Py_nb_add, size_add},
                                   {Py_sq_concat, size_concat},       {Py_nb_multiply, size_mul},
                                   {0, NULL}};
static PyType_Spec size_spec = {"torch.Size", 0, 0, Py_TPFLAGS_DEFAULT, size_slots};

PyObject *tcpy_size(const int64_t *shape, int n) {
  PyObject *t = PyTuple_New(n);
  if (!t) return NULL;
  for (int i = 0; i < n; i++) {
    PyObject *x = PyLong_FromLongLong(shape[i]);
    if (!x) {
      Py_DECREF(t);
      return NULL;
    }
    PyTuple_SetItem(t, i, x);
  }
  PyObject *s = PyObject_CallFunctionObjArgs((PyObject *)S.Size, t, NULL);
  Py_DECREF(t);
  return s;
}

/* ---- torch.return_types ------------------------------------------------------------- */

static PyObject *pair_get(PyObject *o, void *i) {
  PyObject *x = PyTuple_GetItem(o, (Py_ssize_t)(intptr_t)i);
  Py_XINCREF(x);
  return x;
}

static PyObject *pair_repr(PyObject *o) {
  PyObject *n = PyObject_GetAttrString((PyObject *)Py_TYPE(o), "__name__");
  if (!n) return NULL;
  PyObject *r = PyUnicode_FromFormat("torch.return_types.%U(\nvalues=%R,\nindices=%R)", n, PyTuple_GetItem(o, 0),
                                     PyTuple_GetItem(o, 1));
  Py_DECREF(n);
  return r;
}

static PyGetSetDef pair_getset[] = {{"values", pair_get, NULL, NULL, (void *)0},
                                    {"indices", pair_get, NULL, NULL, (void *)1},
                                    {NULL, NULL, NULL, NULL, NULL}};
static PyType_Slot pair_slots[] = {{Py_tp_repr, pair_repr}, {Py_tp_getset, pair_getset}, {0, NULL}};

static struct {
  const char *name;
  PyObject *type;
} pairs[] = {{"max", NULL}, {"min", NULL}, {"sort", NULL}, {"topk", NULL}, {"mode", NULL}, {"median", NULL},
             {"nanmedian", NULL}, {"kthvalue", NULL}, {"cummax", NULL}, {"cummin", NULL},
             /* what out= returns (out.c) */
             {"max_out", NULL}, {"min_out", NULL}, {"sort_out", NULL}, {"topk_out", NULL}, {"mode_out", NULL},
             {"median_out", NULL}, {"nanmedian_out", NULL}, {"kthvalue_out", NULL}, {"cummax_out", NULL},
             {"cummin_out", NULL}};

PyObject *tcpy_return_pair(const char *name, PyObject *values, PyObject *indices) {
  PyObject *tp = NULL;
  for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++)
    if (!strcmp(pairs[i].name, name)) tp = pairs[i].type;
  PyObject *t = values && indices ? PyTuple_Pack(2, values, indices) : NULL;
  Py_XDECREF(values);
  Py_XDECREF(indices);
  if (!t || !tp) return t;
  PyObject *r = PyObject_CallFunctionObjArgs(tp, t, NULL);
  Py_DECREF(t);
  return r;
}

bool tcpy_types_init(PyObject *torch) {
  S.Dtype = (PyTypeObject *)PyType_FromSpec(&dtype_spec);
  S.Device = (PyTypeObject *)PyType_FromSpec(&device_spec);
  PyObject *bases = PyTuple_Pack(1, (PyObject *)&PyTuple_Type);
  S.Size = bases ? (PyTypeObject *)PyType_FromSpecWithBases(&size_spec, bases) : NULL;
  if (!S.Dtype || !S.Device || !S.Size) {
    Py_XDECREF(bases);
    return false;
  }
  PyObject *rt = PyImport_AddModule("tensorc.torch.return_types"); /* borrowed */
  if (!rt) return false;
  Py_INCREF(rt);
  if (PyModule_AddObject(torch, "return_types", rt) < 0) return false;
  for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
    char full[64];
    snprintf(full, sizeof full, "torch.return_types.%s", pairs[i].name);
    char *keep = PyMem_Malloc(strlen(full) + 1); /* the spec's name must outlive the type */
    if (!keep) return false;
    strcpy(keep, full);
    PyType_Spec spec = {keep, 0, 0, Py_TPFLAGS_DEFAULT, pair_slots};
    pairs[i].type = PyType_FromSpecWithBases(&spec, bases);
    if (!pairs[i].type) return false;
    Py_INCREF(pairs[i].type);
    if (PyModule_AddObject(rt, pairs[i].name, pairs[i].type) < 0) return false;
  }
  Py_DECREF(bases);
  static const struct { const char *name; tc_dtype dt; } names[] = {
      {"float32", TC_F32}, {"float", TC_F32},  {"float64", TC_F64}, {"double", TC_F64}, {"float16", TC_F16},
      {"half", TC_F16},    {"bfloat16", TC_BF16}, {"int8", TC_I8}, {"int16", TC_I16},   {"short", TC_I16},
      {"int32", TC_I32},   {"int", TC_I32},    {"int64", TC_I64},   {"long", TC_I64},   {"uint8", TC_U8},
      {"bool", TC_BOOL}};
  for (int dt = 0; dt < TC_NUM_DTYPES; dt++) {
    dtype_obj *o = PyObject_New(dtype_obj, S.Dtype);
    if (!o) return false;
    o->dt = (tc_dtype)dt;
    S.dtypes[dt] = (PyObject *)o;
  }
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
    Py_INCREF(S.dtypes[names[i].dt]);
    if (PyModule_AddObject(torch, names[i].name, S.dtypes[names[i].dt]) < 0) return false;
  }
  S.MemoryFormat = (PyTypeObject *)PyType_FromSpec(&format_spec);
  StorageType = (PyTypeObject *)PyType_FromSpec(&storage_spec);
  if (!S.MemoryFormat || !StorageType) return false;
  Py_INCREF(StorageType);
  if (PyModule_AddObject(torch, "UntypedStorage", (PyObject *)StorageType) < 0) return false;
  for (int f = 0; f < 4; f++) {
    format_obj *o = PyObject_New(format_obj, S.MemoryFormat);
    if (!o) return false;
    o->fmt = (tc_memory_format)f;
    S.formats[f] = (PyObject *)o;
    Py_INCREF(o);
    if (PyModule_AddObject(torch, format_names[f], (PyObject *)o) < 0) return false;
  }
  Py_INCREF(S.MemoryFormat);
  Py_INCREF(S.Dtype);
  Py_INCREF(S.Device);
  Py_INCREF(S.Size);
  return PyModule_AddObject(torch, "memory_format", (PyObject *)S.MemoryFormat) == 0 &&
         PyModule_AddObject(torch, "dtype", (PyObject *)S.Dtype) == 0 &&
         PyModule_AddObject(torch, "device", (PyObject *)S.Device) == 0 &&
         PyModule_AddObject(torch, "Size", (PyObject *)S.Size) == 0;
}
