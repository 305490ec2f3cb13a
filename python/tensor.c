/*
 * tensor.c — the Tensor type: lifetime, printing, Python's operators
 * (arithmetic with Python scalars kept as scalars, in-place operators that
 * write through every alias, comparisons), conversions (bool, int, float,
 * index), len and iteration, indexing (index.c), and the properties
 * (shape, dtype, device, T, ...). The methods are the op table's (ops.c,
 * methods.c), bound by the Op type.
 *
 * A Tensor owns one reference to its handle and one to its context
 * (tcpy.h); dealloc gives both back, the handle first.
 */
#include <string.h>
#include "tcpy.h"
#include <structmember.h>

static void tensor_dealloc(PyObject *o) {
  tcpy_tensor *t = (tcpy_tensor *)o;
  PyTypeObject *tp = Py_TYPE(o);
  if (t->weakrefs) PyObject_ClearWeakRefs(o);
  if (tc_tensor_user(t->t) == o) tc_tensor_set_user(t->t, NULL);
  tc_tensor_release(t->t); /* may give a NumPy array back (we hold the GIL) */
  Py_XDECREF(t->base);
  Py_XDECREF(t->ctx);
  PyObject_Free(o);
  Py_DECREF(tp);
}

static PyObject *tensor_repr(PyObject *o) {
  tcpy_tensor *t = (tcpy_tensor *)o;
  if (!tcpy_check_thread(t)) return NULL;
  char *s = tc_format(t->t);
  if (!s) return tcpy_raise(t->ctx->ctx);
  PyObject *r = PyUnicode_FromString(s);
  tc_free_string(s);
  return r;
}

static Py_hash_t tensor_hash(PyObject *o) {
  Py_hash_t h = (Py_hash_t)((uintptr_t)o >> 4);
  return h == -1 ? -2 : h;
}

/* ---- operators ------------------------------------------------------------- */

PyObject *tcpy_binary(tc_binop op, PyObject *a, PyObject *b) {
  bool ta = tcpy_is_tensor(a), tb = tcpy_is_tensor(b);
  if (ta && tb) {
    if (!tcpy_check_thread((tcpy_tensor *)a) || !tcpy_check_thread((tcpy_tensor *)b)) return NULL;
    tcpy_tensor *x = (tcpy_tensor *)a;
    return tcpy_wrap(x->ctx, tc_binary(op, x->t, TT(b)));
  }
  if (!ta && !tb) Py_RETURN_NOTIMPLEMENTED;
  bool first = !ta; /* the scalar comes first */
  tcpy_tensor *t = (tcpy_tensor *)(ta ? a : b);
  PyObject *s = ta ? b : a;
  if (!tcpy_check_thread(t)) return NULL;
  int kind = tcpy_number_kind(s);
  if (kind == NUM_NONE) {
    if (!tcpy_is_array(s)) Py_RETURN_NOTIMPLEMENTED;
    tc_tensor *x = tcpy_operand(t->ctx, s, "binary", "other"); /* an array: the tensor sharing it */
    if (!x) return NULL;
    tc_tensor *r = first ? tc_binary(op, x, t->t) : tc_binary(op, t->t, x);
    tc_tensor_release(x);
    return tcpy_wrap(t->ctx, r);
  }
  if (kind == NUM_BOOL) {
    tc_tensor *x = tc_scalar(t->ctx->ctx, PyObject_IsTrue(s), TC_BOOL);
    if (!x) return tcpy_raise(t->ctx->ctx);
    tc_tensor *r = first ? tc_binary(op, x, t->t) : tc_binary(op, t->t, x);
    tc_tensor_release(x);
    return tcpy_wrap(t->ctx, r);
  }
  double v;
  if (kind == NUM_INT) {
    long long i = PyLong_AsLongLong(s);
    if (i == -1 && PyErr_Occurred()) return NULL;
    v = (double)i;
  } else {
    v = PyFloat_AsDouble(s);
    if (v == -1 && PyErr_Occurred()) return NULL;
  }
  return tcpy_wrap(t->ctx, tc_binary_scalar(op, t->t, v, kind == NUM_FLOAT, first));
}

#define BINOP(name, op) \
  static PyObject *name(PyObject *a, PyObject *b) { return tcpy_binary(op, a, b); }
BINOP(nb_add, TC_OP_ADD)
BINOP(nb_sub, TC_OP_SUB)
BINOP(nb_mul, TC_OP_MUL)
BINOP(nb_truediv, TC_OP_DIV)
BINOP(nb_floordiv, TC_OP_FLOOR_DIVIDE)
BINOP(nb_rem, TC_OP_REMAINDER)
BINOP(nb_and, TC_OP_BITWISE_AND)
BINOP(nb_or, TC_OP_BITWISE_OR)
BINOP(nb_xor, TC_OP_BITWISE_XOR)
BINOP(nb_lshift, TC_OP_LSHIFT)
BINOP(nb_rshift, TC_OP_RSHIFT)

static PyObject *nb_pow(PyObject *a, PyObject *b, PyObject *mod) {
  if (mod != Py_None) Py_RETURN_NOTIMPLEMENTED;
  return tcpy_binary(TC_OP_POW, a, b);
}

static PyObject *nb_matmul(PyObject *a, PyObject *b) {
  if (!tcpy_is_tensor(a) || !tcpy_is_tensor(b)) {
    PyObject *o = tcpy_is_tensor(a) ? b : a;
    if (tcpy_is_array(o)) {
      tcpy_tensor *t = (tcpy_tensor *)(tcpy_is_tensor(a) ? a : b);
      tc_tensor *x = tcpy_operand(t->ctx, o, "matmul", "other");
      if (!x) return NULL;
      tc_tensor *r = tcpy_is_tensor(a) ? tc_matmul(t->t, x) : tc_matmul(x, t->t);
      tc_tensor_release(x);
      return tcpy_wrap(t->ctx, r);
    }
    Py_RETURN_NOTIMPLEMENTED; /* Python: "unsupported operand type(s) for @" */
  }
  if (!tcpy_check_thread((tcpy_tensor *)a) || !tcpy_check_thread((tcpy_tensor *)b)) return NULL;
  return tcpy_wrap(((tcpy_tensor *)a)->ctx, tc_matmul(TT(a), TT(b)));
}

bool tcpy_write_back(tcpy_tensor *dst, tc_tensor *src) {
  tc_dtype want = tc_tensor_dtype(dst->t), got = tc_tensor_dtype(src);
  if ((tc_dtype_is_floating(got) && !tc_dtype_is_floating(want)) || (got != TC_BOOL && want == TC_BOOL)) {
    PyErr_Format(PyExc_RuntimeError, "result type %s can't be cast to the desired output type %s",
                 tcpy_dtype_torch_name(got), tcpy_dtype_torch_name(want));
    return false;
  }
  if (tc_copy_(dst->t, src) != TC_OK) return tcpy_raise(dst->ctx->ctx), false;
  return true;
}

/* PyTorch's overlap rule for dst.op_(...): each tensor operand (in args
 * and the values of kw) may not partially overlap dst (tc_check_inplace). */
bool tcpy_check_inplace(tcpy_tensor *dst, PyObject *args, PyObject *kw) {
  Py_ssize_t n = args ? PyTuple_Size(args) : 0;
  for (Py_ssize_t i = 0; i < n; i++) {
    PyObject *o = PyTuple_GetItem(args, i);
    if (tcpy_is_tensor(o) && tc_check_inplace(dst->t, TT(o)) != TC_OK) return tcpy_raise(dst->ctx->ctx), false;
  }
  PyObject *key, *val;
  Py_ssize_t pos = 0;
  while (kw && PyDict_Next(kw, &pos, &key, &val))
    if (tcpy_is_tensor(val) && tc_check_inplace(dst->t, TT(val)) != TC_OK) return tcpy_raise(dst->ctx->ctx), false;
  return true;
}

/* a OP= b: the result written into a's elements (every alias sees it). */
static PyObject *inplace(tc_binop op, bool matmul, PyObject *a, PyObject *b) {
  if (!tcpy_is_tensor(a)) Py_RETURN_NOTIMPLEMENTED;
  if (tcpy_is_tensor(b) && !matmul && tc_check_inplace(TT(a), TT(b)) != TC_OK)
    return tcpy_raise(((tcpy_tensor *)a)->ctx->ctx), NULL;
  PyObject *r = matmul ? nb_matmul(a, b) : tcpy_binary(op, a, b);
  if (!r || r == Py_NotImplemented) return r;
  bool ok = tcpy_write_back((tcpy_tensor *)a, TT(r));
  Py_DECREF(r);
  if (!ok) return NULL;
  Py_INCREF(a);
  return a;
}

#define IOP(name, op) \
  static PyObject *name(PyObject *a, PyObject *b) { return inplace(op, false, a, b); }
IOP(nb_iadd, TC_OP_ADD)
IOP(nb_isub, TC_OP_SUB)
IOP(nb_imul, TC_OP_MUL)
IOP(nb_itruediv, TC_OP_DIV)
IOP(nb_ifloordiv, TC_OP_FLOOR_DIVIDE)
IOP(nb_irem, TC_OP_REMAINDER)
IOP(nb_iand, TC_OP_BITWISE_AND)
IOP(nb_ior, TC_OP_BITWISE_OR)
IOP(nb_ixor, TC_OP_BITWISE_XOR)
IOP(nb_ilshift, TC_OP_LSHIFT)
IOP(nb_irshift, TC_OP_RSHIFT)
static PyObject *nb_ipow(PyObject *a, PyObject *b, PyObject *mod) { return inplace(TC_OP_POW, false, a, b); }
static PyObject *nb_imatmul(PyObject *a, PyObject *b) { return inplace(TC_OP_ADD, true, a, b); }

static PyObject *unary(PyObject *a, tc_tensor *(*fn)(tc_tensor *)) {
  tcpy_tensor *t = (tcpy_tensor *)a;
  if (!tcpy_check_thread(t)) return NULL;
  return tcpy_wrap(t->ctx, fn(t->t));
}
static PyObject *nb_neg(PyObject *a) { return unary(a, tc_neg); }
static PyObject *nb_abs(PyObject *a) { return unary(a, tc_abs); }
static PyObject *nb_invert(PyObject *a) { return unary(a, tc_bitwise_not); }
static PyObject *nb_pos(PyObject *a) {
  Py_INCREF(a);
  return a;
}

static PyObject *richcompare(PyObject *a, PyObject *b, int op) {
  static const tc_binop map[] = {TC_OP_LT, TC_OP_LE, TC_OP_EQ, TC_OP_NE, TC_OP_GT, TC_OP_GE};
  if (tcpy_is_tensor(b) || tcpy_number_kind(b) != NUM_NONE || tcpy_is_array(b)) return tcpy_binary(map[op], a, b);
  if (op == Py_EQ) Py_RETURN_FALSE;
  if (op == Py_NE) Py_RETURN_TRUE;
  Py_RETURN_NOTIMPLEMENTED;
}

/* ---- conversions ---------------------------------------------------------------- */

static PyObject *one_element(PyObject *a, const char *msg, PyObject *exc) {
  tcpy_tensor *t = (tcpy_tensor *)a;
  if (!tcpy_check_thread(t)) return NULL;
  if (tc_tensor_numel(t->t) != 1) {
    PyErr_SetString(exc, msg);
    return NULL;
  }
  return tcpy_item(t);
}

static int nb_bool(PyObject *a) {
  tcpy_tensor *t = (tcpy_tensor *)a;
  if (tc_tensor_numel(t->t) == 0 && tcpy_check_thread(t)) {
    PyErr_SetString(PyExc_RuntimeError, "Boolean value of Tensor with no values is ambiguous");
    return -1;
  }
  PyObject *v = one_element(a, "Boolean value of Tensor with more than one value is ambiguous", PyExc_RuntimeError);
  if (!v) return -1;
  int r = PyObject_IsTrue(v);
  Py_DECREF(v);
  return r;
}

static PyObject *nb_int(PyObject *a) {
  PyObject *v = one_element(a, "only one element tensors can be converted to Python scalars", PyExc_ValueError);
  if (!v || PyLong_Check(v)) return v;
  PyObject *r = PyNumber_Long(v);
  Py_DECREF(v);
  return r;
}

static PyObject *nb_float(PyObject *a) {
  PyObject *v = one_element(a, "only one element tensors can be converted to Python scalars", PyExc_ValueError);
  if (!v || PyFloat_Check(v)) return v;
  PyObject *r = PyNumber_Float(v);
  Py_DECREF(v);
  return r;
}

static PyObject *nb_index(PyObject *a) {
  tc_dtype dt = tc_tensor_dtype(TT(a));
  if (tc_dtype_is_floating(dt) || dt == TC_BOOL || tc_tensor_numel(TT(a)) != 1) {
    PyErr_SetString(PyExc_TypeError, "only integer tensors of a single element can be converted to an index");
    return NULL;
  }
  return one_element(a, "", PyExc_TypeError);
}

static PyObject *tensor_format(PyObject *a, PyObject *spec) {
  if (tc_tensor_ndim(TT(a)) == 0) { /* as PyTorch: a 0-d tensor formats as its number */
    PyObject *v = one_element(a, "", PyExc_RuntimeError);
    if (!v) return NULL;
    PyObject *r = PyObject_Format(v, spec);
    Py_DECREF(v);
    return r;
  }
  return PyObject_Str(a);
}

/* ---- len, iteration, containment ------------------------------------------------- */

static Py_ssize_t tensor_len(PyObject *a) {
  if (tc_tensor_ndim(TT(a)) == 0) {
    PyErr_SetString(PyExc_TypeError, "len() of a 0-d tensor");
    return -1;
  }
  return (Py_ssize_t)tc_tensor_size(TT(a), 0);
}

typedef struct {
  PyObject_HEAD
  PyObject *t;
  int64_t i, n;
} iter_obj;
static PyTypeObject *Iter;

static void iter_dealloc(PyObject *o) {
  PyTypeObject *tp = Py_TYPE(o);
  Py_XDECREF(((iter_obj *)o)->t);
  PyObject_Free(o);
  Py_DECREF(tp);
}

static PyObject *iter_next(PyObject *o) {
  iter_obj *it = (iter_obj *)o;
  if (it->i >= it->n) return NULL;
  tcpy_tensor *t = (tcpy_tensor *)it->t;
  if (!tcpy_check_thread(t)) return NULL;
  return tcpy_wrap(t->ctx, tc_select(t->t, 0, it->i++));
}

static PyObject *iter_self(PyObject *o) {
  Py_INCREF(o);
  return o;
}

static PyType_Slot iter_slots[] = {{Py_tp_dealloc, iter_dealloc}, {Py_tp_iternext, iter_next},
                                   {Py_tp_iter, iter_self}, {0, NULL}};
static PyType_Spec iter_spec = {"tensorc.TensorIterator", sizeof(iter_obj), 0, Py_TPFLAGS_DEFAULT, iter_slots};

static PyObject *tensor_iter(PyObject *a) {
  if (tc_tensor_ndim(TT(a)) == 0) {
    PyErr_SetString(PyExc_TypeError, "iteration over a 0-d tensor");
    return NULL;
  }
  iter_obj *it = PyObject_New(iter_obj, Iter);
  if (!it) return NULL;
  Py_INCREF(a);
  it->t = a;
  it->i = 0;
  it->n = tc_tensor_size(TT(a), 0);
  return (PyObject *)it;
}

static int tensor_contains(PyObject *a, PyObject *x) {
  PyObject *eq = tcpy_binary(TC_OP_EQ, a, x);
  if (!eq) return -1;
  if (eq == Py_NotImplemented) {
    Py_DECREF(eq);
    PyErr_SetString(PyExc_RuntimeError, "Tensor.__contains__ only supports Tensor or scalar, but you passed in a different type");
    return -1;
  }
  tcpy_tensor *t = (tcpy_tensor *)eq;
  tc_tensor *any = tc_any(t->t, NULL, 0, false);
  int64_t r = any ? tc_item_int(any) : 0;
  tc_tensor_release(any);
  bool bad = tc_last_status(t->ctx->ctx) != TC_OK;
  if (bad) tcpy_raise(t->ctx->ctx);
  Py_DECREF(eq);
  return bad ? -1 : r != 0;
}

static PyObject *mp_subscript(PyObject *a, PyObject *index) { return tcpy_getitem((tcpy_tensor *)a, index); }
static int mp_ass_subscript(PyObject *a, PyObject *index, PyObject *v) {
  if (!v) {
    PyErr_SetString(PyExc_TypeError, "'Tensor' object does not support item deletion");
    return -1;
  }
  return tcpy_setitem((tcpy_tensor *)a, index, v);
}

/* ---- properties ------------------------------------------------------------------- */

enum { P_SHAPE, P_DTYPE, P_DEVICE, P_NDIM, P_T, P_MT, P_IS_CUDA, P_IS_CPU, P_REQUIRES_GRAD, P_IS_LEAF, P_GRAD,
       P_DATA, P_ITEMSIZE, P_NBYTES, P_ARRAY_INTERFACE, P_GRAD_FN, P_BASE };

static PyObject *tensor_get(PyObject *a, void *what) {
  tcpy_tensor *self = (tcpy_tensor *)a;
  tc_tensor *t = self->t;
  int nd = tc_tensor_ndim(t);
  switch ((int)(intptr_t)what) {
  case P_SHAPE: {
    int64_t shape[TC_MAX_DIMS];
    tc_tensor_shape(t, shape);
    return tcpy_size(shape, nd);
  }
  case P_DTYPE: return tcpy_dtype_obj(tc_tensor_dtype(t));
  case P_DEVICE: return tcpy_device_obj(tc_tensor_device(t), false);
  case P_NDIM: return PyLong_FromLong(nd);
  case P_T: {
    if (!tcpy_check_thread(self)) return NULL;
    if (nd <= 2) return tcpy_wrap(self->ctx, tc_t(t));
    int perm[TC_MAX_DIMS];
    for (int i = 0; i < nd; i++) perm[i] = nd - 1 - i;
    return tcpy_wrap(self->ctx, tc_permute(t, perm));
  }
  case P_MT:
    if (!tcpy_check_thread(self)) return NULL;
    if (nd < 2) {
      PyErr_Format(PyExc_RuntimeError, "tensor.mT is only supported on matrices or batches of matrices. Got %d-D tensor.", nd);
      return NULL;
    }
    return tcpy_wrap(self->ctx, tc_transpose(t, -2, -1));
  case P_IS_CUDA: return PyBool_FromLong(tc_tensor_device(t).type == TC_CUDA);
  case P_IS_CPU: return PyBool_FromLong(tc_tensor_device(t).type == TC_CPU);
  case P_REQUIRES_GRAD: Py_RETURN_FALSE;
  case P_IS_LEAF: Py_RETURN_TRUE;
  case P_GRAD: case P_GRAD_FN: Py_RETURN_NONE;
  case P_DATA: Py_INCREF(a); return a;
  case P_BASE: { /* PyTorch's _base: the viewed tensor itself (tcpy_wrap) */
    PyObject *b = self->base ? self->base : Py_None;
    Py_INCREF(b);
    return b;
  }
  case P_ITEMSIZE: return PyLong_FromSize_t(tc_dtype_size(tc_tensor_dtype(t)));
  case P_NBYTES: return PyLong_FromLongLong(tc_tensor_numel(t) * (int64_t)tc_dtype_size(tc_tensor_dtype(t)));
  case P_ARRAY_INTERFACE: return tcpy_array_interface(self);
  default: Py_RETURN_NONE;
  }
}

#define PROP(name, id) {name, tensor_get, NULL, NULL, (void *)(id)}
static PyGetSetDef tensor_getset[] = {
    PROP("shape", P_SHAPE), PROP("dtype", P_DTYPE), PROP("device", P_DEVICE), PROP("ndim", P_NDIM),
    PROP("T", P_T), PROP("mT", P_MT), PROP("is_cuda", P_IS_CUDA), PROP("is_cpu", P_IS_CPU),
    PROP("requires_grad", P_REQUIRES_GRAD), PROP("is_leaf", P_IS_LEAF), PROP("grad", P_GRAD),
    PROP("grad_fn", P_GRAD_FN), PROP("data", P_DATA), PROP("itemsize", P_ITEMSIZE), PROP("nbytes", P_NBYTES),
    PROP("__array_interface__", P_ARRAY_INTERFACE), PROP("_base", P_BASE), {NULL, NULL, NULL, NULL, NULL}};

static PyObject *m_numpy(PyObject *a, PyObject *args, PyObject *kw) {
  static const char *const names[] = {"force", NULL};
  PyObject *f[1];
  bool force = false;
  if (!tcpy_parse("numpy", args, kw, 0, names, f) || (f[0] && !tcpy_to_bool(f[0], "force", &force))) return NULL;
  return tcpy_numpy((tcpy_tensor *)a, force);
}
static PyObject *m_dlpack(PyObject *a, PyObject *args, PyObject *kw) { return tcpy_dlpack((tcpy_tensor *)a, args, kw); }
static PyObject *m_dlpack_device(PyObject *a, PyObject *noargs) { return tcpy_dlpack_device((tcpy_tensor *)a); }

/* The array API standard's array methods (python/array_api.py is the
 * namespace): __array_namespace__(*, api_version=None) gives
 * tensorc.array_api for the versions it serves; to_device(device, /, *,
 * stream=None) is .to(device). */
static PyObject *m_array_namespace(PyObject *a, PyObject *args, PyObject *kw) {
  static const char *const names[] = {"api_version", NULL};
  PyObject *f[1];
  if (!tcpy_parse("__array_namespace__", args, kw, 0, names, f)) return NULL;
  if (f[0] && f[0] != Py_None) {
    static const char *const versions[] = {"2024.12", "2023.12", "2022.12"};
    bool ok = false;
    for (size_t i = 0; i < sizeof versions / sizeof *versions && !ok; i++)
      ok = PyUnicode_Check(f[0]) && PyUnicode_CompareWithASCIIString(f[0], versions[i]) == 0;
    if (!ok) {
      PyErr_Format(PyExc_ValueError,
                   "Unrecognized array API version: %R (tensorc.array_api serves 2024.12, 2023.12, 2022.12)", f[0]);
      return NULL;
    }
  }
  (void)a;
  if (!S.array_api) {
    PyErr_SetString(PyExc_RuntimeError, "tensorc.array_api is not available");
    return NULL;
  }
  Py_INCREF(S.array_api);
  return S.array_api;
}

static PyObject *m_to_device(PyObject *a, PyObject *args, PyObject *kw) {
  static const char *const names[] = {"device", "stream", NULL};
  PyObject *f[2];
  if (!tcpy_parse("to_device", args, kw, 1, names, f)) return NULL;
  if (!f[0]) {
    PyErr_SetString(PyExc_TypeError, "to_device() missing required argument 'device'");
    return NULL;
  }
  if (f[1] && f[1] != Py_None) {
    PyErr_SetString(PyExc_ValueError, "to_device(): tensorc takes no stream (stream must be None)");
    return NULL;
  }
  return PyObject_CallMethod(a, "to", "O", f[0]);
}

static PyMethodDef tensor_methods[] = {
    {"__array_namespace__", (PyCFunction)(void (*)(void))m_array_namespace, METH_VARARGS | METH_KEYWORDS, NULL},
    {"to_device", (PyCFunction)(void (*)(void))m_to_device, METH_VARARGS | METH_KEYWORDS, NULL},
    {"numpy", (PyCFunction)(void (*)(void))m_numpy, METH_VARARGS | METH_KEYWORDS, NULL},
    {"__dlpack__", (PyCFunction)(void (*)(void))m_dlpack, METH_VARARGS | METH_KEYWORDS, NULL},
    {"__dlpack_device__", m_dlpack_device, METH_NOARGS, NULL},
    {"__format__", tensor_format, METH_O, NULL},
    {NULL, NULL, 0, NULL}};

static PyMemberDef tensor_members[] = {
    {"__weaklistoffset__", T_PYSSIZET, offsetof(tcpy_tensor, weakrefs), READONLY, NULL},
    {NULL, 0, 0, 0, NULL}};

static PyObject *tensor_new(PyTypeObject *tp, PyObject *args, PyObject *kw) {
  /* torch.Tensor(data): a float tensor of the data (the legacy constructor) */
  tcpy_ctx *c = tcpy_current();
  if (!c) return NULL;
  if (PyTuple_Size(args) == 1 && !kw) {
    PyObject *d = PyTuple_GetItem(args, 0);
    if (PyList_Check(d) || PyTuple_Check(d)) return tcpy_tensor_from_data(c, d, true, S.default_dtype);
  }
  int nd;
  int64_t shape[TC_MAX_DIMS];
  if (!tcpy_shape_args(args, 0, "Tensor", &nd, shape)) return NULL;
  return tcpy_wrap(c, tc_empty(c->ctx, S.default_dtype, nd, shape));
}

static PyType_Slot tensor_slots[] = {
    {Py_tp_dealloc, tensor_dealloc}, {Py_tp_repr, tensor_repr}, {Py_tp_str, tensor_repr},
    {Py_tp_hash, tensor_hash}, {Py_tp_richcompare, richcompare}, {Py_tp_iter, tensor_iter},
    {Py_tp_getset, tensor_getset}, {Py_tp_methods, tensor_methods}, {Py_tp_members, tensor_members},
    {Py_tp_new, tensor_new},
    {Py_nb_add, nb_add}, {Py_nb_subtract, nb_sub}, {Py_nb_multiply, nb_mul}, {Py_nb_true_divide, nb_truediv},
    {Py_nb_floor_divide, nb_floordiv}, {Py_nb_remainder, nb_rem}, {Py_nb_power, nb_pow},
    {Py_nb_matrix_multiply, nb_matmul}, {Py_nb_and, nb_and}, {Py_nb_or, nb_or}, {Py_nb_xor, nb_xor},
    {Py_nb_lshift, nb_lshift}, {Py_nb_rshift, nb_rshift}, {Py_nb_negative, nb_neg}, {Py_nb_positive, nb_pos},
    {Py_nb_absolute, nb_abs}, {Py_nb_invert, nb_invert}, {Py_nb_bool, nb_bool}, {Py_nb_int, nb_int},
    {Py_nb_float, nb_float}, {Py_nb_index, nb_index},
    {Py_nb_inplace_add, nb_iadd}, {Py_nb_inplace_subtract, nb_isub}, {Py_nb_inplace_multiply, nb_imul},
    {Py_nb_inplace_true_divide, nb_itruediv}, {Py_nb_inplace_floor_divide, nb_ifloordiv},
    {Py_nb_inplace_remainder, nb_irem}, {Py_nb_inplace_power, nb_ipow}, {Py_nb_inplace_and, nb_iand},
    {Py_nb_inplace_or, nb_ior}, {Py_nb_inplace_xor, nb_ixor}, {Py_nb_inplace_lshift, nb_ilshift},
    {Py_nb_inplace_rshift, nb_irshift}, {Py_nb_inplace_matrix_multiply, nb_imatmul},
    {Py_mp_length, tensor_len}, {Py_sq_length, tensor_len}, {Py_mp_subscript, mp_subscript},
    {Py_mp_ass_subscript, mp_ass_subscript}, {Py_sq_contains, tensor_contains},
    {0, NULL}};
static PyType_Spec tensor_spec = {"torch.Tensor", /* __name__ becomes "Tensor": messages say 'Tensor' */ sizeof(tcpy_tensor), 0, Py_TPFLAGS_DEFAULT, tensor_slots};

bool tcpy_tensor_init(PyObject *torch) {
  S.Tensor = (PyTypeObject *)PyType_FromSpec(&tensor_spec);
  Iter = (PyTypeObject *)PyType_FromSpec(&iter_spec);
  if (!S.Tensor || !Iter) return false;
  /* the type's C name (tp_name) is what Python's messages print, as
     PyTorch's: 'Tensor' (setting __name__ sets it); __module__ stays torch */
  PyObject *name = PyUnicode_FromString("Tensor");
  if (!name || PyObject_SetAttrString((PyObject *)S.Tensor, "__name__", name) < 0) return false;
  Py_DECREF(name);
  PyObject *prio = PyFloat_FromDouble(1000.0); /* NumPy defers to Tensor's reflected operators */
  if (!prio || PyObject_SetAttrString((PyObject *)S.Tensor, "__array_priority__", prio) < 0) return false;
  Py_DECREF(prio);
  Py_INCREF(S.Tensor);
  return PyModule_AddObject(torch, "Tensor", (PyObject *)S.Tensor) == 0;
}
