/*
 * index.c — t[index] and t[index] = value with PyTorch's rules.
 *
 * The index becomes one index specification for the library (an array of
 * tc_idx: ints, slices, None, Ellipsis, Python bools, index tensors and
 * masks) and goes to tc_index or tc_index_set_ in one call, which has all
 * of PyTorch's rules: basic indexing gives views, advanced indexing copies
 * (one gather), index dims placed as NumPy places them, int32 and int64
 * index tensors, bool scalars, `M[[]]`, PyTorch's messages. Here only the
 * Python objects are turned into items:
 *   - a tuple is the list of items; so is a short list that holds a
 *     sequence, tensor, slice, None or Ellipsis (PyTorch's legacy rule:
 *     M[[[0, 1], [2, 2]]] is M[[0, 1], [2, 2]]);
 *   - a list or tuple inside is an index tensor made from its data (int64
 *     when empty or of floats, truncated, as PyTorch makes it);
 *   - NumPy arrays act as the tensors sharing their memory; NumPy ints and
 *     bools as Python's.
 * Assignment: the value is a tensor (a number becomes a 0-d tensor; lists
 * are refused, as PyTorch refuses them) that the library casts to the
 * destination's dtype and broadcasts to the indexed shape.
 */
#include <string.h>

#include "tcpy.h"

#define MAX_ITEMS (2 * TC_MAX_DIMS + 8)

typedef struct ix_spec {
  tc_idx items[MAX_ITEMS];
  tc_tensor *own[MAX_ITEMS]; /* tensors made here (released at the end) */
  int n, nown;
} ix_spec;

static void spec_free(ix_spec *s) {
  for (int i = 0; i < s->nown; i++) tc_tensor_release(s->own[i]);
  s->nown = 0;
}

/* An index tensor made from a (nested) list or tuple of ints or bools. */
static tc_tensor *list_index(tcpy_ctx *C, PyObject *x) {
  PyObject *t = tcpy_tensor_from_data(C, x, false, TC_I64);
  if (!t) return NULL;
  tc_tensor *r;
  if (tc_dtype_is_floating(tc_tensor_dtype(TT(t))))
    r = tc_to_dtype(TT(t), TC_I64); /* M[[]], M[[1.5]]: PyTorch makes a long index of a list */
  else
    r = tc_tensor_retain(TT(t));
  Py_DECREF(t);
  if (!r) tcpy_raise(C->ctx);
  return r;
}

/* PyTorch's index dtypes. (The library accepts int8/int16 and says
 * RuntimeError for floats: checked here until it refuses them with
 * IndexError as PyTorch does.) */
static bool index_dtype(tc_tensor *t) {
  tc_dtype dt = tc_tensor_dtype(t);
  if (dt == TC_I64 || dt == TC_I32 || dt == TC_BOOL || dt == TC_U8) return true;
  PyErr_SetString(PyExc_IndexError, "tensors used as indices must be long, int, byte or bool tensors");
  return false;
}

/* One Python index item into the spec. */
static bool add_item(tcpy_ctx *C, PyObject *x, ix_spec *s) {
  if (s->n >= MAX_ITEMS) {
    PyErr_SetString(PyExc_IndexError, "too many indices for tensor");
    return false;
  }
  tc_idx *it = &s->items[s->n];
  memset(it, 0, sizeof *it);
  if (x == Py_None) {
    it->kind = TC_IDX_NONE;
  } else if (x == Py_Ellipsis) {
    it->kind = TC_IDX_ELLIPSIS;
  } else if (PySlice_Check(x)) {
    Py_ssize_t lo, hi, step;
    if (PySlice_Unpack(x, &lo, &hi, &step) < 0) return false; /* step 0: ValueError */
    if (step < 0) {
      PyErr_SetString(PyExc_ValueError, "step must be greater than zero");
      return false;
    }
    it->kind = TC_IDX_SLICE;
    it->start = lo;
    it->stop = hi == PY_SSIZE_T_MAX ? TC_SLICE_END : hi;
    it->step = step;
  } else if (tcpy_is_tensor(x)) {
    if (!tcpy_check_thread((tcpy_tensor *)x) || !index_dtype(TT(x))) return false;
    it->kind = TC_IDX_TENSOR;
    it->t = TT(x);
  } else if (PyList_Check(x) || PyTuple_Check(x) || tcpy_is_array(x)) {
    tc_tensor *t = PyList_Check(x) || PyTuple_Check(x) ? list_index(C, x) : tcpy_operand(C, x, "index", "indices");
    if (!t) return false;
    s->own[s->nown++] = t;
    if (!index_dtype(t)) return false;
    it->kind = TC_IDX_TENSOR;
    it->t = t;
  } else if (PyUnicode_Check(x)) {
    PyErr_SetString(PyExc_TypeError, "new(): invalid data type 'str'");
    return false;
  } else {
    int k = tcpy_number_kind(x);
    if (k == NUM_BOOL && !PyBool_Check(x)) k = NUM_NONE; /* PyTorch refuses numpy.bool_ */
    if (k == NUM_BOOL || k == NUM_INT) {
      int64_t v;
      if (k == NUM_BOOL) {
        int b = PyObject_IsTrue(x);
        if (b < 0) return false;
        v = b;
      } else if (!tcpy_to_int(x, "index", &v)) {
        return false;
      }
      it->kind = k == NUM_BOOL ? TC_IDX_BOOL : TC_IDX_INT;
      it->i = v;
    } else {
      PyObject *mod = PyObject_GetAttrString((PyObject *)Py_TYPE(x), "__module__");
      PyObject *q = PyObject_GetAttrString((PyObject *)Py_TYPE(x), "__qualname__");
      PyObject *n = mod && q && PyUnicode_Check(mod) && PyUnicode_CompareWithASCIIString(mod, "builtins")
                        ? PyUnicode_FromFormat("%U.%U", mod, q)
                        : (Py_XINCREF(q), q);
      Py_XDECREF(mod);
      Py_XDECREF(q);
      PyErr_Format(PyExc_IndexError,
                   "only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are valid "
                   "indices (got %U)", n);
      Py_XDECREF(n);
      return false;
    }
  }
  s->n++;
  return true;
}

/* The whole Python index into a spec. */
static bool make_spec(tcpy_ctx *C, PyObject *index, ix_spec *s) {
  s->n = s->nown = 0;
  bool tuple = PyTuple_Check(index);
  if (PyList_Check(index) && PyList_Size(index) < 32)
    for (Py_ssize_t i = 0; i < PyList_Size(index); i++) {
      PyObject *k = PyList_GetItem(index, i);
      if (PyList_Check(k) || PyTuple_Check(k) || tcpy_is_tensor(k) || PySlice_Check(k) || k == Py_None ||
          k == Py_Ellipsis)
        tuple = true;
    }
  if (!tuple) return add_item(C, index, s);
  PyObject *items = PySequence_Tuple(index);
  if (!items) return false;
  bool ok = true;
  for (Py_ssize_t i = 0; ok && i < PyTuple_Size(items); i++) ok = add_item(C, PyTuple_GetItem(items, i), s);
  Py_DECREF(items);
  return ok;
}

PyObject *tcpy_getitem(tcpy_tensor *self, PyObject *index) {
  tcpy_ctx *C = self->ctx;
  if (!tcpy_check_thread(self)) return NULL;
  if (PyLong_CheckExact(index)) { /* the common t[i]: one select */
    long long i = PyLong_AsLongLong(index);
    if (i == -1 && PyErr_Occurred()) return NULL;
    if (tc_tensor_ndim(self->t) == 0) { /* PyTorch's words (the library says "too many indices") */
      PyErr_SetString(PyExc_IndexError, "invalid index of a 0-dim tensor. Use `tensor.item()` in Python or "
                                        "`tensor.item<T>()` in C++ to convert a 0-dim tensor to a number");
      return NULL;
    }
    tc_idx one = TC_I(i);
    return tcpy_wrap(C, tc_index(self->t, &one, 1));
  }
  ix_spec s;
  PyObject *r = NULL;
  if (make_spec(C, index, &s)) r = tcpy_wrap(C, tc_index(self->t, s.items, s.n));
  spec_free(&s);
  return r;
}

/* The value of an indexed assignment as a tensor (owned), or NULL: a
 * number, a Tensor or a NumPy array (PyTorch refuses lists too). */
static tc_tensor *value_of(tcpy_ctx *C, PyObject *v, tc_tensor *dst) {
  if (tcpy_number_kind(v) != NUM_NONE || tcpy_is_tensor(v) || tcpy_is_array(v))
    return tcpy_operand(C, v, "setitem", "value");
  static const char *const legacy[TC_NUM_DTYPES] = {"Bool", "Byte", "Char", "Short", "Int",
                                                    "Long", "Half", "BFloat16", "Float", "Double"};
  PyObject *n = PyObject_GetAttrString((PyObject *)Py_TYPE(v), "__name__");
  PyErr_Format(PyExc_TypeError, "can't assign a %U to a torch.%s%sTensor", n,
               tc_tensor_device(dst).type == TC_CUDA ? "cuda." : "", legacy[tc_tensor_dtype(dst)]);
  Py_XDECREF(n);
  return NULL;
}

int tcpy_setitem(tcpy_tensor *self, PyObject *index, PyObject *value) {
  tcpy_ctx *C = self->ctx;
  if (!tcpy_check_thread(self)) return -1;
  if (!value) {
    PyErr_SetString(PyExc_TypeError, "'Tensor' object does not support item deletion");
    return -1;
  }
  tc_tensor *v = value_of(C, value, self->t);
  if (!v) return -1;
  ix_spec s;
  int rc = -1;
  if (make_spec(C, index, &s)) {
    if (tc_index_set_(self->t, s.items, s.n, v) == TC_OK) rc = 0;
    else tcpy_raise(C->ctx);
  }
  spec_free(&s);
  tc_tensor_release(v);
  return rc;
}
