/*
 * joins.c — joins, splits and rearrangements: torch.cat/concat/stack,
 * hstack/vstack/dstack, meshgrid (torch functions over a list of
 * tensors), and the Tensor ops split, chunk, unbind, tril/triu, diag,
 * diagonal, diag_embed, flip/fliplr/flipud, roll, repeat, tile,
 * repeat_interleave. Each is one library call (lazy: a cat of elementwise
 * expressions is one kernel), but repeat_interleave with a tensor of
 * counts: an index_select by the interleaving index (bucketize of the
 * output positions into the counts' running sums). Arguments are parsed
 * with PyTorch's names and defaults, and the library's errors are
 * PyTorch's.
 */
#include <stdlib.h>
#include <string.h>
#include "tcpy.h"

#define OPFN(name) static PyObject *name(tcpy_tensor *self, PyObject *args, PyObject *kw, int tag, const char *fn)
#define WRAP(x) tcpy_wrap(self->ctx, (x))
#define MAX_LIST 1024

/* ---- torch functions over a list of tensors --------------------------------------- */

enum { J_CAT, J_STACK, J_HSTACK, J_VSTACK, J_DSTACK };

static PyObject *join(PyObject *args, PyObject *kw, int kind, const char *fn) {
  static const char *const names[] = {"tensors", "dim", "axis", "out", NULL};
  PyObject *a[4];
  tcpy_ctx *c = tcpy_current();
  if (!c || !tcpy_parse(fn, args, kw, kind <= J_STACK ? 2 : 1, names, a)) return NULL;
  if (kind > J_STACK && (a[1] || a[2])) {
    PyErr_Format(PyExc_TypeError, "%s() got an unexpected keyword argument 'dim'", fn);
    return NULL;
  }
  tc_tensor *ts[MAX_LIST];
  int n = tcpy_tensor_list(a[0], fn, ts, MAX_LIST);
  int d = 0;
  PyObject *dimv = a[1] ? a[1] : a[2];
  if (n < 0 || (dimv && !tcpy_to_dim(dimv, &d))) return NULL;
  tc_tensor *r;
  switch (kind) {
  case J_CAT: r = tc_cat(c->ctx, ts, n, d); break;
  case J_STACK: r = tc_stack(c->ctx, ts, n, d); break;
  case J_HSTACK: r = tc_hstack(c->ctx, ts, n); break;
  case J_VSTACK: r = tc_vstack(c->ctx, ts, n); break;
  default: r = tc_dstack(c->ctx, ts, n); break;
  }
  if (a[3] && a[3] != Py_None) return tcpy_out(a[3], tcpy_wrap(c, r), OUT_CAT | OUT_APART, fn, a[0], NULL, NULL);
  return tcpy_wrap(c, r);
}

#define FN(name) static PyObject *name(PyObject *m, PyObject *args, PyObject *kw)
FN(f_cat) { return join(args, kw, J_CAT, "cat"); }
FN(f_concat) { return join(args, kw, J_CAT, "concat"); }
FN(f_stack) { return join(args, kw, J_STACK, "stack"); }
FN(f_hstack) { return join(args, kw, J_HSTACK, "hstack"); }
FN(f_vstack) { return join(args, kw, J_VSTACK, "vstack"); }
FN(f_dstack) { return join(args, kw, J_DSTACK, "dstack"); }

/* meshgrid(*tensors, indexing=None) or meshgrid([tensors], indexing=) */
FN(f_meshgrid) {
  static const char *const names[] = {"indexing", NULL};
  PyObject *a[1];
  tcpy_ctx *c = tcpy_current();
  if (!c || !tcpy_parse("meshgrid", NULL, kw, 0, names, a)) return NULL;
  PyObject *seq = args;
  if (PyTuple_Size(args) == 1 && (PyList_Check(PyTuple_GetItem(args, 0)) || PyTuple_Check(PyTuple_GetItem(args, 0))))
    seq = PyTuple_GetItem(args, 0);
  tc_tensor *ts[MAX_LIST], *out[MAX_LIST];
  int n = tcpy_tensor_list(seq, "meshgrid", ts, MAX_LIST);
  if (n < 0) return NULL;
  const char *indexing = NULL;
  PyObject *bytes = NULL;
  if (a[0] && a[0] != Py_None) {
    if (!PyUnicode_Check(a[0])) {
      PyErr_SetString(PyExc_TypeError, "meshgrid(): argument 'indexing' must be str");
      return NULL;
    }
    if (!(bytes = PyUnicode_AsUTF8String(a[0]))) return NULL;
    indexing = PyBytes_AsString(bytes);
  }
  memset(out, 0, sizeof(tc_tensor *) * (size_t)n);
  tc_status st = tc_meshgrid(c->ctx, ts, n, indexing, out);
  Py_XDECREF(bytes);
  if (st != TC_OK) {
    for (int i = 0; i < n; i++) tc_tensor_release(out[i]);
    return tcpy_raise(c->ctx);
  }
  return tcpy_tuple(c, out, n);
}

#define DEF(name, f) {name, (PyCFunction)(void (*)(void))f, METH_VARARGS | METH_KEYWORDS, NULL}
PyMethodDef tcpy_join_functions[] = {
    DEF("cat", f_cat), DEF("concat", f_concat), DEF("concatenate", f_concat), DEF("stack", f_stack),
    DEF("hstack", f_hstack), DEF("vstack", f_vstack), DEF("row_stack", f_vstack), DEF("dstack", f_dstack),
    DEF("meshgrid", f_meshgrid), {NULL, NULL, 0, NULL}};

/* ---- splits: tuples of views ------------------------------------------------------- */

/* The pieces of a call that reports its count first (out NULL, cap 0). */
typedef int (*count_fn)(tc_tensor *a, int64_t k, int dim, tc_tensor **out, int cap);
static int split_fn(tc_tensor *a, int64_t k, int dim, tc_tensor **out, int cap) { return tc_split(a, k, dim, out, cap); }
static int chunk_fn(tc_tensor *a, int64_t k, int dim, tc_tensor **out, int cap) {
  return tc_chunk(a, k > 1 << 30 ? 1 << 30 : k < -(1 << 30) ? -(1 << 30) : (int)k, dim, out, cap);
}
static int unbind_fn(tc_tensor *a, int64_t k, int dim, tc_tensor **out, int cap) {
  (void)k;
  return tc_unbind(a, dim, out, cap);
}

static PyObject *pieces(tcpy_tensor *self, count_fn f, int64_t k, int dim) {
  int n = f(self->t, k, dim, NULL, 0);
  if (n < 0) return tcpy_raise(self->ctx->ctx);
  tc_tensor **out = calloc((size_t)(n ? n : 1), sizeof *out);
  if (!out) return PyErr_NoMemory();
  int m = f(self->t, k, dim, out, n);
  PyObject *r = m < 0 ? tcpy_raise(self->ctx->ctx) : tcpy_tuple(self->ctx, out, n);
  free(out);
  return r;
}

/* split(split_size_or_sections, dim=0) (Tensor.split names it split_size;
 * either is taken), chunk(chunks, dim=0) (tag 1) */
OPFN(m_split) {
  static const char *const split_names[] = {"split_size_or_sections", "dim", "split_size", NULL};
  static const char *const chunk_names[] = {"chunks", "dim", NULL};
  PyObject *a[3];
  int d = 0;
  if (!tcpy_parse(fn, args, kw, 2, tag ? chunk_names : split_names, a) || (a[1] && !tcpy_to_dim(a[1], &d))) return NULL;
  if (!tag && a[2]) {
    if (a[0]) {
      PyErr_Format(PyExc_TypeError, "%s() got multiple values for argument 'split_size'", fn);
      return NULL;
    }
    a[0] = a[2];
  }
  if (!a[0]) {
    PyErr_Format(PyExc_TypeError, "%s() missing 1 required positional argument: \"%s\"", fn,
                 tag ? "chunks" : "split_size_or_sections");
    return NULL;
  }
  if (!tag && (PyList_Check(a[0]) || PyTuple_Check(a[0]))) {
    Py_ssize_t n = PySequence_Size(a[0]);
    int64_t *sizes = malloc(sizeof(int64_t) * (size_t)(n ? n : 1));
    tc_tensor **out = calloc((size_t)(n ? n : 1), sizeof *out);
    PyObject *r = NULL;
    bool ok = sizes && out;
    if (!ok) PyErr_NoMemory();
    for (Py_ssize_t i = 0; ok && i < n; i++) {
      PyObject *x = PySequence_GetItem(a[0], i);
      ok = x && tcpy_to_int(x, "split_size", &sizes[i]);
      Py_XDECREF(x);
    }
    if (ok) r = tc_split_sizes(self->t, sizes, (int)n, d, out) < 0 ? tcpy_raise(self->ctx->ctx)
                                                                 : tcpy_tuple(self->ctx, out, (int)n);
    free(sizes);
    free(out);
    return r;
  }
  int64_t k;
  if (!tcpy_to_int(a[0], tag ? "chunks" : "split_size", &k)) return NULL;
  return pieces(self, tag ? chunk_fn : split_fn, k, d);
}

OPFN(m_unbind) {
  static const char *const names[] = {"dim", NULL};
  PyObject *a[1];
  int d = 0;
  if (!tcpy_parse(fn, args, kw, 1, names, a) || (a[0] && !tcpy_to_dim(a[0], &d))) return NULL;
  return pieces(self, unbind_fn, 0, d);
}

/* ---- triangles and diagonals ------------------------------------------------------- */

/* tril(diagonal=0), triu (tag 1), diag(diagonal=0) (tag 2) */
OPFN(m_tri) {
  static const char *const names[] = {"diagonal", NULL};
  PyObject *a[1];
  int64_t k = 0;
  if (!tcpy_parse(fn, args, kw, 1, names, a) || (a[0] && !tcpy_to_int(a[0], "diagonal", &k))) return NULL;
  return WRAP(tag == 0 ? tc_tril(self->t, k) : tag == 1 ? tc_triu(self->t, k) : tc_diag(self->t, k));
}

/* diagonal(offset=0, dim1=0, dim2=1), diag_embed(offset=0, dim1=-2, dim2=-1) (tag 1) */
OPFN(m_diagonal) {
  static const char *const names[] = {"offset", "dim1", "dim2", NULL};
  PyObject *a[3];
  int64_t off = 0;
  int d1 = tag ? -2 : 0, d2 = tag ? -1 : 1;
  if (!tcpy_parse(fn, args, kw, 3, names, a) || (a[0] && !tcpy_to_int(a[0], "offset", &off)) ||
      (a[1] && !tcpy_to_dim(a[1], &d1)) || (a[2] && !tcpy_to_dim(a[2], &d2)))
    return NULL;
  return WRAP(tag ? tc_diag_embed(self->t, off, d1, d2) : tc_diagonal(self->t, off, d1, d2));
}

/* ---- flips, rolls, repeats ------------------------------------------------------- */

/* the dims or sizes of flip/tile/repeat: name= keyword, one sequence, or varargs */
static bool int_list(const char *fn, const char *name, PyObject *args, PyObject *kw, int *n, int64_t *out) {
  PyObject *v = kw ? PyDict_GetItemString(kw, name) : NULL;
  if (kw && (PyDict_Size(kw) > 1 || (PyDict_Size(kw) == 1 && !v))) {
    PyObject *k = NULL, *x;
    Py_ssize_t pos = 0;
    while (PyDict_Next(kw, &pos, &k, &x))
      if (PyUnicode_CompareWithASCIIString(k, name)) break;
    PyErr_Format(PyExc_TypeError, "%s() got an unexpected keyword argument '%U'", fn, k);
    return false;
  }
  if (v && PyTuple_Size(args)) {
    PyErr_Format(PyExc_TypeError, "%s() got multiple values for argument '%s'", fn, name);
    return false;
  }
  if (!v && PyTuple_Size(args) == 1) v = PyTuple_GetItem(args, 0);
  if (!v) v = args;
  if (!PyTuple_Check(v) && !PyList_Check(v) && !tcpy_is_tensor(v) && tcpy_number_kind(v) == NUM_NONE) {
    PyObject *tn = PyObject_GetAttrString((PyObject *)Py_TYPE(v), "__name__");
    PyErr_Format(PyExc_TypeError, "%s(): argument '%s' (position 1) must be tuple of ints, not %U", fn, name, tn);
    Py_XDECREF(tn);
    return false;
  }
  if (!PyTuple_Check(v) && !PyList_Check(v)) return tcpy_to_int(v, name, out) && (*n = 1, true);
  Py_ssize_t k = PySequence_Size(v);
  if (k > TC_MAX_DIMS) {
    PyErr_Format(PyExc_RuntimeError, "%s: tensorc supports at most %d dims", fn, TC_MAX_DIMS);
    return false;
  }
  for (Py_ssize_t i = 0; i < k; i++) {
    PyObject *x = PySequence_GetItem(v, i);
    bool ok = x && tcpy_to_int(x, name, &out[i]);
    Py_XDECREF(x);
    if (!ok) return false;
  }
  *n = (int)k;
  return true;
}

OPFN(m_flip) {
  if (tag) { /* fliplr, flipud */
    static const char *const names[] = {NULL};
    PyObject *unused[1];
    if (!tcpy_parse(fn, args, kw, 0, names, unused)) return NULL;
    return WRAP(tag == 1 ? tc_fliplr(self->t) : tc_flipud(self->t));
  }
  int n;
  int64_t v[TC_MAX_DIMS];
  int dims[TC_MAX_DIMS];
  if (!PyTuple_Size(args) && !kw) {
    PyErr_SetString(PyExc_TypeError, "flip() missing 1 required positional arguments: \"dims\"");
    return NULL;
  }
  if (!int_list(fn, "dims", args, kw, &n, v)) return NULL;
  for (int i = 0; i < n; i++) dims[i] = (int)(v[i] < -100000 ? -100000 : v[i] > 100000 ? 100000 : v[i]);
  return WRAP(tc_flip(self->t, dims, n));
}

/* repeat(*sizes) (tag 0), tile(dims) (tag 1) */
OPFN(m_repeat) {
  int n;
  int64_t reps[TC_MAX_DIMS];
  if (!PyTuple_Size(args) && !kw) {
    PyErr_Format(PyExc_TypeError, "%s() missing 1 required positional arguments: \"%s\"", fn, tag ? "dims" : "repeats");
    return NULL;
  }
  if (!int_list(fn, tag ? "dims" : "repeats", args, kw, &n, reps)) return NULL;
  return WRAP(tag ? tc_tile(self->t, n, reps) : tc_repeat(self->t, n, reps));
}

/* roll(shifts, dims=None) */
OPFN(m_roll) {
  static const char *const names[] = {"shifts", "dims", NULL};
  PyObject *a[2];
  if (!tcpy_parse(fn, args, kw, 2, names, a)) return NULL;
  if (!a[0]) {
    PyErr_SetString(PyExc_TypeError, "roll() missing 1 required positional arguments: \"shifts\"");
    return NULL;
  }
  int ns, nd = 0, dims[TC_MAX_DIMS];
  int64_t shifts[TC_MAX_DIMS], dv[TC_MAX_DIMS];
  PyObject *empty = PyTuple_New(0);
  PyObject *sa = PyTuple_Pack(1, a[0]);
  bool ok = empty && sa && int_list(fn, "shifts", sa, NULL, &ns, shifts);
  if (ok && a[1] && a[1] != Py_None) {
    PyObject *da = PyTuple_Pack(1, a[1]);
    ok = da && int_list(fn, "dims", da, NULL, &nd, dv);
    Py_XDECREF(da);
  }
  Py_XDECREF(empty);
  Py_XDECREF(sa);
  if (!ok) return NULL;
  for (int i = 0; i < nd; i++) dims[i] = (int)(dv[i] < -100000 ? -100000 : dv[i] > 100000 ? 100000 : dv[i]);
  return WRAP(tc_roll(self->t, shifts, ns, dims, nd));
}

/* The index that repeats position j of a dim repeats[j] times: for each
 * output position p, the number of running totals of repeats (1-D
 * integer, checked non-negative) at or below p: bucketize(arange(total),
 * cumsum(repeats), right=True). *total is read back (the result's size).
 * NULL with a Python error. */
static tc_tensor *interleave_index(tcpy_ctx *c, tc_tensor *reps, int64_t *total) {
  tc_ctx *ctx = c->ctx;
  if (tc_dtype_is_floating(tc_tensor_dtype(reps)) || tc_tensor_dtype(reps) == TC_BOOL) {
    PyErr_Format(PyExc_NotImplementedError, "\"repeat_interleave_cpu\" not implemented for '%s'",
                 tcpy_dtype_torch_name(tc_tensor_dtype(reps)));
    return NULL;
  }
  int64_t n = tc_tensor_numel(reps);
  *total = 0;
  tc_tensor *cum = tc_cumsum(reps, 0, NULL), *idx = NULL;
  if (n && cum) {
    tc_tensor *lo = tc_amin(reps, NULL, 0, false);
    int64_t least = lo ? tc_item_int(lo) : 0;
    tc_tensor_release(lo);
    tc_idx last = TC_I(-1);
    tc_tensor *tail = least >= 0 ? tc_index(cum, &last, 1) : NULL;
    if (tail) *total = tc_item_int(tail);
    tc_tensor_release(tail);
    if (least < 0 && tc_last_status(ctx) == TC_OK) {
      tc_tensor_release(cum);
      PyErr_SetString(PyExc_RuntimeError, "repeats can not be negative");
      return NULL;
    }
  }
  if (cum && tc_last_status(ctx) == TC_OK) {
    tc_device dev = tc_tensor_device(reps), saved = tc_get_default_device(ctx);
    tc_set_default_device(ctx, dev);
    tc_tensor *pos = tc_arange_int(ctx, 0, *total, 1);
    tc_set_default_device(ctx, saved);
    idx = tc_bucketize(pos, cum, true, false);
    tc_tensor_release(pos);
  }
  tc_tensor_release(cum);
  if (!idx) tcpy_raise(ctx);
  return idx;
}

/* repeat_interleave(repeats, dim=None, *, output_size=None): repeats an
 * int, or a tensor (one count for every element, or one per position
 * along dim: an index_select of the interleaving index);
 * torch.repeat_interleave(repeats) repeats arange(len(repeats)). */
OPFN(m_repeat_interleave) {
  static const char *const names[] = {"repeats", "dim", "output_size", NULL};
  PyObject *a[3];
  int64_t k, out_size = -1;
  int d = 0;
  if (!tcpy_parse(fn, args, kw, 2, names, a) || (a[2] && a[2] != Py_None && !tcpy_to_int(a[2], "output_size", &out_size)))
    return NULL;
  bool has_dim = a[1] && a[1] != Py_None;
  if (has_dim && !tcpy_to_dim(a[1], &d)) return NULL;
  tc_tensor *x = self->t, *flat = NULL, *reps = NULL, *arange = NULL;
  if (!a[0]) { /* torch.repeat_interleave(repeats) */
    if (tc_tensor_ndim(self->t) != 1) {
      PyErr_SetString(PyExc_RuntimeError, "repeat_interleave only accept 1D vector as repeat");
      return NULL;
    }
    reps = tc_tensor_retain(self->t);
    tc_ctx *ctx = self->ctx->ctx;
    tc_device saved = tc_get_default_device(ctx);
    tc_set_default_device(ctx, tc_tensor_device(self->t));
    x = arange = tc_arange_int(ctx, 0, tc_tensor_numel(self->t), 1);
    tc_set_default_device(ctx, saved);
    if (!x) {
      tc_tensor_release(reps);
      return tcpy_raise(ctx);
    }
  } else if (tcpy_is_tensor(a[0])) {
    tc_tensor *r = TT(a[0]);
    if (tc_tensor_ndim(r) > 1) {
      PyErr_SetString(PyExc_RuntimeError, "repeats must be 0-dim or 1-dim tensor");
      return NULL;
    }
    if (tc_tensor_numel(r) != 1) reps = tc_tensor_retain(r);
  }
  PyObject *res = NULL;
  if (!reps) { /* one count for every element */
    if (!tcpy_to_int(a[0], "repeats", &k)) return NULL;
    tc_tensor *y = tc_repeat_interleave(x, k, has_dim ? &d : NULL);
    if (y && out_size >= 0 && tc_tensor_size(y, has_dim ? d : 0) != out_size) {
      PyErr_Format(PyExc_RuntimeError, "repeat_interleave: Invalid output_size, expected %lld but got %lld",
                   (long long)tc_tensor_size(y, has_dim ? d : 0), (long long)out_size);
      tc_tensor_release(y);
      return NULL;
    }
    return WRAP(y);
  }
  if (!has_dim) x = flat = tc_flatten(x, 0, -1);
  int64_t size = x ? tc_tensor_size(x, d) : 0, total;
  if (x && (tc_tensor_ndim(x) == 0 || size < 0)) {
    res = WRAP(tc_select(x, d, 0)); /* the library's dim error */
    Py_XDECREF(res);
    res = NULL;
  } else if (x && tc_tensor_numel(reps) != size) {
    int nd = tc_tensor_ndim(x);
    PyErr_Format(PyExc_RuntimeError, "repeats must have the same size as input along dim, but got repeats.size(0) = "
                 "%lld and input.size(%d) = %lld", (long long)tc_tensor_numel(reps), d < 0 ? d + nd : d, (long long)size);
  } else if (x) {
    tc_tensor *idx = interleave_index(self->ctx, reps, &total);
    if (idx && out_size >= 0 && out_size != total) {
      PyErr_SetString(PyExc_RuntimeError, "allocated size does not match required size");
    } else if (idx) {
      res = WRAP(tc_index_select(x, d, idx));
    }
    tc_tensor_release(idx);
  } else {
    tcpy_raise(self->ctx->ctx);
  }
  tc_tensor_release(flat);
  tc_tensor_release(reps);
  tc_tensor_release(arange);
  return res;
}

#define MT (OF_METHOD | OF_TORCH)
const tcpy_opdef tcpy_join_ops[] = {
    {"split", m_split, 0, MT}, {"chunk", m_split, 1, MT}, {"unbind", m_unbind, 0, MT},
    {"tril", m_tri, 0, MT | OF_INPLACE, OUT_EXACT}, {"triu", m_tri, 1, MT | OF_INPLACE, OUT_EXACT},
    {"diag", m_tri, 2, MT, OUT_EXACT},
    {"diagonal", m_diagonal, 0, MT}, {"diag_embed", m_diagonal, 1, MT},
    {"flip", m_flip, 0, MT}, {"fliplr", m_flip, 1, MT}, {"flipud", m_flip, 2, MT},
    {"roll", m_roll, 0, MT}, {"repeat", m_repeat, 0, OF_METHOD}, {"tile", m_repeat, 1, MT},
    {"repeat_interleave", m_repeat_interleave, 0, MT},
    {NULL, NULL, 0, 0}};
