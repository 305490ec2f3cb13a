/*
 * select.c — gathers, scatters and counts: gather, take, take_along_dim,
 * index_select, masked_select, nonzero (as_tuple), argwhere,
 * count_nonzero, bincount; and the indexed writes scatter, scatter_add,
 * scatter_reduce, index_add, index_copy, index_fill, index_put
 * (accumulate), masked_scatter and put, each in place (NAME_, on self)
 * and out of place (NAME, on a clone), as PyTorch has them. One library
 * call each: the library checks the indices (PyTorch's messages) and
 * writes with one scatter kernel. (index_put's bool masks become their
 * nonzero() columns here: tc_index_put_ takes integer indices.)
 */
#include <stdio.h>
#include <string.h>
#include "tcpy.h"

#define OPFN(name) static PyObject *name(tcpy_tensor *self, PyObject *args, PyObject *kw, int tag, const char *fn)
#define WRAP(x) tcpy_wrap(self->ctx, (x))
#define CTX (self->ctx->ctx)
#define tensor_arg tcpy_tensor_arg
#define INPLACE 0x100 /* tag bit: write into self, else into a clone */

static PyObject *missing(const char *fn, const char *arg) {
  PyErr_Format(PyExc_TypeError, "%s() missing 1 required positional arguments: \"%s\"", fn, arg);
  return NULL;
}

/* ---- reads ------------------------------------------------------------------------ */

/* gather(dim, index, *, sparse_grad=False) */
OPFN(m_gather) {
  static const char *const names[] = {"dim", "index", "sparse_grad", NULL};
  PyObject *a[3];
  int d;
  if (!tcpy_parse(fn, args, kw, 2, names, a)) return NULL;
  if (!a[0]) return missing(fn, "dim");
  tcpy_tensor *i = tensor_arg(a[1], fn, "index", 2);
  if (!i || !tcpy_to_dim(a[0], &d)) return NULL;
  return WRAP(tc_gather(self->t, d, i->t));
}

/* take(index) */
OPFN(m_take) {
  static const char *const names[] = {"index", NULL};
  PyObject *a[1];
  if (!tcpy_parse(fn, args, kw, 1, names, a)) return NULL;
  tcpy_tensor *i = tensor_arg(a[0], fn, "index", 1);
  return i ? WRAP(tc_take(self->t, i->t)) : NULL;
}

/* take_along_dim(indices, dim=None) */
OPFN(m_take_along_dim) {
  static const char *const names[] = {"indices", "dim", NULL};
  PyObject *a[2];
  int d;
  if (!tcpy_parse(fn, args, kw, 2, names, a)) return NULL;
  tcpy_tensor *i = tensor_arg(a[0], fn, "indices", 1);
  bool has = a[1] && a[1] != Py_None;
  if (!i || (has && !tcpy_to_dim(a[1], &d))) return NULL;
  return WRAP(tc_take_along_dim(self->t, i->t, has ? &d : NULL));
}

/* index_select(dim, index) */
OPFN(m_index_select) {
  static const char *const names[] = {"dim", "index", NULL};
  PyObject *a[2];
  int d;
  if (!tcpy_parse(fn, args, kw, 2, names, a)) return NULL;
  if (!a[0]) return missing(fn, "dim");
  tcpy_tensor *i = tensor_arg(a[1], fn, "index", 2);
  if (!i || !tcpy_to_dim(a[0], &d)) return NULL;
  return WRAP(tc_index_select(self->t, d, i->t));
}

/* masked_select(mask) */
OPFN(m_masked_select) {
  static const char *const names[] = {"mask", NULL};
  PyObject *a[1];
  if (!tcpy_parse(fn, args, kw, 1, names, a)) return NULL;
  tcpy_tensor *m = tensor_arg(a[0], fn, "mask", 1);
  return m ? WRAP(tc_masked_select(self->t, m->t)) : NULL;
}

/* nonzero(*, as_tuple=False) */
OPFN(m_nonzero) {
  static const char *const names[] = {"as_tuple", NULL};
  PyObject *a[1];
  bool as_tuple = false;
  if (!tcpy_parse(fn, args, kw, 0, names, a) || (a[0] && !tcpy_to_bool(a[0], "as_tuple", &as_tuple))) return NULL;
  if (!as_tuple) return WRAP(tc_nonzero(self->t));
  tc_tensor *out[TC_MAX_DIMS] = {0};
  int n = tc_nonzero_tuple(self->t, out, TC_MAX_DIMS);
  if (n < 0) return tcpy_raise(CTX);
  return tcpy_tuple(self->ctx, out, n);
}

OPFN(m_argwhere) {
  static const char *const names[] = {NULL};
  PyObject *unused[1];
  if (!tcpy_parse(fn, args, kw, 0, names, unused)) return NULL;
  return WRAP(tc_argwhere(self->t));
}

/* count_nonzero(dim=None) */
OPFN(m_count_nonzero) {
  static const char *const names[] = {"dim", NULL};
  PyObject *a[1];
  if (!tcpy_parse(fn, args, kw, 1, names, a)) return NULL;
  int dims[TC_MAX_DIMS], nd = 0;
  if (a[0] && a[0] != Py_None && !tcpy_to_dims(a[0], &nd, dims)) return NULL;
  return WRAP(tc_count_nonzero(self->t, nd ? dims : NULL, nd));
}

/* bincount(weights=None, minlength=0) */
OPFN(m_bincount) {
  static const char *const names[] = {"weights", "minlength", NULL};
  PyObject *a[2];
  int64_t minlength = 0;
  if (!tcpy_parse(fn, args, kw, 2, names, a) || (a[1] && !tcpy_to_int(a[1], "minlength", &minlength))) return NULL;
  tcpy_tensor *w = NULL;
  if (a[0] && a[0] != Py_None && !(w = tensor_arg(a[0], fn, "weights", 1))) return NULL;
  return WRAP(tc_bincount(self->t, w ? w->t : NULL, minlength));
}

/* ---- writes ----------------------------------------------------------------------- */

/* self (in place) or a clone of it: a new reference */
static PyObject *dest(tcpy_tensor *self, int tag) {
  if (tag & INPLACE) {
    Py_INCREF(self);
    return (PyObject *)self;
  }
  return WRAP(tc_clone(self->t));
}

/* the write's result: dst, or NULL with the library's error */
static PyObject *done(tcpy_tensor *self, PyObject *dst, tc_status st) {
  if (st == TC_OK) return dst;
  Py_DECREF(dst);
  return tcpy_raise(CTX);
}

static bool str_arg(PyObject *o, const char *fn, const char *arg, char *out, size_t cap) {
  if (!PyUnicode_Check(o)) {
    PyErr_Format(PyExc_TypeError, "%s(): argument '%s' must be str", fn, arg);
    return false;
  }
  PyObject *b = PyUnicode_AsUTF8String(o);
  if (!b) return false;
  snprintf(out, cap, "%s", PyBytes_AsString(b));
  Py_DECREF(b);
  return true;
}

/* scatter(dim, index, src | value, *, reduce=None) (tag 0),
 * scatter_add(dim, index, src) (tag 1) */
OPFN(m_scatter) {
  static const char *const names[] = {"dim", "index", "src", "value", "reduce", NULL};
  PyObject *a[5];
  int d;
  if (!tcpy_parse(fn, args, kw, 3, names, a)) return NULL;
  if (!a[0]) return missing(fn, "dim");
  tcpy_tensor *i = tensor_arg(a[1], fn, "index", 2);
  if (!i || !tcpy_to_dim(a[0], &d)) return NULL;
  if (a[2] && a[3]) {
    PyErr_Format(PyExc_TypeError, "%s() received an invalid combination of arguments - got both src and value", fn);
    return NULL;
  }
  PyObject *src = a[2] ? a[2] : a[3];
  if (!src) return missing(fn, "src");
  char reduce[16] = "";
  if (a[4] && a[4] != Py_None) {
    if ((tag & 0xff) == 1) {
      PyErr_Format(PyExc_TypeError, "%s() got an unexpected keyword argument 'reduce'", fn);
      return NULL;
    }
    if (!str_arg(a[4], fn, "reduce", reduce, sizeof reduce)) return NULL;
    if (strcmp(reduce, "add") && strcmp(reduce, "multiply")) {
      PyErr_SetString(PyExc_RuntimeError, "reduce argument must be either add or multiply.");
      return NULL;
    }
  }
  bool number = !tcpy_is_tensor(src);
  double x = 0;
  tc_tensor *st = NULL;
  if (number) {
    if ((tag & 0xff) == 1) return tensor_arg(src, fn, "src", 3), NULL;
    if (!tcpy_to_double(src, "value", &x)) return NULL;
  } else if (!tensor_arg(src, fn, "src", 3)) {
    return NULL;
  }
  PyObject *dst = dest(self, tag);
  if (!dst) return NULL;
  tc_status s;
  if ((tag & 0xff) == 1) {
    s = tc_scatter_add_(TT(dst), d, i->t, TT(src));
  } else if (*reduce) {
    const char *r = reduce[0] == 'a' ? "sum" : "prod";
    if (number) { /* the value as a src of index's shape */
      int64_t shape[TC_MAX_DIMS];
      int n = tc_tensor_shape(i->t, shape);
      st = tc_full(CTX, x, tc_tensor_dtype(TT(dst)), n, shape);
    }
    s = (number && !st) ? TC_ERR_ARG : tc_scatter_reduce_(TT(dst), d, i->t, number ? st : TT(src), r, true);
  } else {
    s = number ? tc_scatter_value_(TT(dst), d, i->t, x) : tc_scatter_(TT(dst), d, i->t, TT(src));
  }
  tc_tensor_release(st);
  return done(self, dst, s);
}

/* scatter_reduce(dim, index, src, reduce, *, include_self=True) */
OPFN(m_scatter_reduce) {
  static const char *const names[] = {"dim", "index", "src", "reduce", "include_self", NULL};
  PyObject *a[5];
  int d;
  bool self_too = true;
  char reduce[16];
  if (!tcpy_parse(fn, args, kw, 4, names, a)) return NULL;
  if (!a[0]) return missing(fn, "dim");
  tcpy_tensor *i = tensor_arg(a[1], fn, "index", 2), *s = i ? tensor_arg(a[2], fn, "src", 3) : NULL;
  if (!s || !tcpy_to_dim(a[0], &d) || (a[4] && !tcpy_to_bool(a[4], "include_self", &self_too))) return NULL;
  if (!a[3]) return missing(fn, "reduce");
  if (!str_arg(a[3], fn, "reduce", reduce, sizeof reduce)) return NULL;
  PyObject *dst = dest(self, tag);
  return dst ? done(self, dst, tc_scatter_reduce_(TT(dst), d, i->t, s->t, reduce, self_too)) : NULL;
}

/* index_add(dim, index, source, *, alpha=1) (0), index_copy(dim, index,
 * source) (1), index_fill(dim, index, value) (2) */
OPFN(m_index_write) {
  static const char *const names[] = {"dim", "index", "source", "alpha", NULL};
  static const char *const fill_names[] = {"dim", "index", "value", NULL};
  PyObject *a[4];
  int d, kind = tag & 0xff;
  double alpha = 1, value = 0;
  if (!tcpy_parse(fn, args, kw, 3, kind == 2 ? fill_names : names, a)) return NULL;
  if (!a[0]) return missing(fn, "dim");
  tcpy_tensor *i = tensor_arg(a[1], fn, "index", 2), *s = NULL;
  if (!i || !tcpy_to_dim(a[0], &d)) return NULL;
  if (kind == 2) {
    if (!a[2]) return missing(fn, "value");
    if (tcpy_is_tensor(a[2]) && tc_tensor_ndim(TT(a[2])) != 0) {
      PyErr_Format(PyExc_RuntimeError,
                   "index_fill_ only supports a 0-dimensional value tensor, but got tensor with %d dimension(s).",
                   tc_tensor_ndim(TT(a[2])));
      return NULL;
    }
    if (!tcpy_to_double(a[2], "value", &value)) return NULL;
  } else {
    if (!(s = tensor_arg(a[2], fn, "source", 3))) return NULL;
    if (a[3] && (kind != 0 || !tcpy_to_double(a[3], "alpha", &alpha))) {
      if (!PyErr_Occurred()) PyErr_Format(PyExc_TypeError, "%s() got an unexpected keyword argument 'alpha'", fn);
      return NULL;
    }
  }
  PyObject *dst = dest(self, tag);
  if (!dst) return NULL;
  tc_status st = kind == 0   ? tc_index_add_(TT(dst), d, i->t, s->t, alpha)
                 : kind == 1 ? tc_index_copy_(TT(dst), d, i->t, s->t)
                             : tc_index_fill_(TT(dst), d, i->t, value);
  return done(self, dst, st);
}

/* index_put(indices, values, accumulate=False) */
OPFN(m_index_put) {
  static const char *const names[] = {"indices", "values", "accumulate", NULL};
  PyObject *a[3];
  bool acc = false;
  if (!tcpy_parse(fn, args, kw, 3, names, a) || (a[2] && !tcpy_to_bool(a[2], "accumulate", &acc))) return NULL;
  tc_tensor *idx[TC_MAX_DIMS];
  if (!a[0] || (!PyTuple_Check(a[0]) && !PyList_Check(a[0]))) {
    PyObject *n = a[0] ? PyObject_GetAttrString((PyObject *)Py_TYPE(a[0]), "__name__") : NULL;
    if (n) PyErr_Format(PyExc_TypeError, "%s(): argument 'indices' (position 1) must be tuple of Tensors, not %U", fn, n);
    else PyErr_Format(PyExc_TypeError, "%s() missing 2 required positional argument: \"indices\", \"values\"", fn);
    Py_XDECREF(n);
    return NULL;
  }
  if (PySequence_Size(a[0]) > TC_MAX_DIMS) {
    PyErr_Format(PyExc_IndexError, "too many indices for tensor of dimension %d (got %zd)", tc_tensor_ndim(self->t),
                 PySequence_Size(a[0]));
    return NULL;
  }
  int n = tcpy_tensor_list(a[0], fn, idx, TC_MAX_DIMS);
  tcpy_tensor *v = n >= 0 ? tensor_arg(a[1], fn, "values", 2) : NULL;
  if (!v) return NULL;
  /* PyTorch fills through masked_fill_ when one byte mask meets a 0-d
     value (which takes bool masks only, so this fails in its words) */
  if (n == 1 && !acc && tc_tensor_dtype(idx[0]) == TC_U8 && tc_tensor_ndim(v->t) == 0) {
    PyObject *dst = dest(self, tag);
    return dst ? done(self, dst, tc_masked_fill_(TT(dst), idx[0], tc_item(v->t))) : NULL;
  }
  /* a bool (or, deprecated, byte) mask stands for its nonzero() columns,
     one per dim it covers, as PyTorch reads it (tc_index_put_ takes
     integer indices) */
  tc_tensor *cols[TC_MAX_DIMS] = {0}, *all[TC_MAX_DIMS];
  int m = 0, nc = 0;
  bool ok = true;
  for (int j = 0; ok && j < n; j++) {
    tc_dtype dt = tc_tensor_dtype(idx[j]);
    if (dt != TC_BOOL && dt != TC_U8) {
      if (!(ok = m < TC_MAX_DIMS)) {
        PyErr_Format(PyExc_IndexError, "too many indices for tensor of dimension %d", tc_tensor_ndim(self->t));
        break;
      }
      all[m++] = idx[j];
      continue;
    }
    int64_t ms[TC_MAX_DIMS], ts[TC_MAX_DIMS];
    int mn = tc_tensor_shape(idx[j], ms), tn = tc_tensor_shape(self->t, ts);
    for (int i = 0; ok && i < mn; i++)
      if (m + i >= tn || ms[i] != ts[m + i]) {
        char a1[160] = "[", a2[160] = "[";
        for (int q = 0; q < mn; q++) snprintf(a1 + strlen(a1), sizeof a1 - strlen(a1), "%s%lld", q ? ", " : "", (long long)ms[q]);
        for (int q = 0; q < tn; q++) snprintf(a2 + strlen(a2), sizeof a2 - strlen(a2), "%s%lld", q ? ", " : "", (long long)ts[q]);
        PyErr_Format(PyExc_IndexError, "The shape of the mask %s] at index %d does not match the shape of the indexed "
                     "tensor %s] at index %d", a1, i, a2, m + i);
        ok = false;
      }
    if (!ok) break;
    int k = tc_nonzero_tuple(idx[j], cols + nc, TC_MAX_DIMS - nc);
    if (k < 0 || nc + k > TC_MAX_DIMS || m + k > TC_MAX_DIMS) {
      ok = false;
      if (k >= 0) PyErr_Format(PyExc_IndexError, "too many indices for tensor of dimension %d", tc_tensor_ndim(self->t));
      else tcpy_raise(CTX);
      break;
    }
    for (int i = 0; i < k; i++) all[m++] = cols[nc + i];
    nc += k;
  }
  PyObject *dst = ok ? dest(self, tag) : NULL;
  PyObject *r = dst ? done(self, dst, tc_index_put_(TT(dst), m, all, v->t, acc)) : NULL;
  for (int i = 0; i < nc; i++) tc_tensor_release(cols[i]);
  return r;
}

/* masked_scatter(mask, source) */
OPFN(m_masked_scatter) {
  static const char *const names[] = {"mask", "source", NULL};
  PyObject *a[2];
  if (!tcpy_parse(fn, args, kw, 2, names, a)) return NULL;
  tcpy_tensor *m = tensor_arg(a[0], fn, "mask", 1), *s = m ? tensor_arg(a[1], fn, "source", 2) : NULL;
  if (!s) return NULL;
  PyObject *dst = dest(self, tag);
  return dst ? done(self, dst, tc_masked_scatter_(TT(dst), m->t, s->t)) : NULL;
}

/* put(index, source, accumulate=False) */
OPFN(m_put) {
  static const char *const names[] = {"index", "source", "accumulate", NULL};
  PyObject *a[3];
  bool acc = false;
  if (!tcpy_parse(fn, args, kw, 3, names, a) || (a[2] && !tcpy_to_bool(a[2], "accumulate", &acc))) return NULL;
  tcpy_tensor *i = tensor_arg(a[0], fn, "index", 1), *s = i ? tensor_arg(a[1], fn, "source", 2) : NULL;
  if (!s) return NULL;
  PyObject *dst = dest(self, tag);
  return dst ? done(self, dst, tc_put_(TT(dst), i->t, s->t, acc)) : NULL;
}

#define MT (OF_METHOD | OF_TORCH)
/* NAME (method and torch.NAME, on a clone) and NAME_ (a method, in place) */
#define W(name, f, k, out) {name, f, k, MT, out}, {name "_", f, (k) | INPLACE, OF_METHOD}
const tcpy_opdef tcpy_select_ops[] = {
    {"gather", m_gather, 0, MT, OUT_EXACT | OUT_APART}, {"take", m_take, 0, MT, OUT_TAKE},
    {"take_along_dim", m_take_along_dim, 0, MT, OUT_EXACT},
    {"index_select", m_index_select, 0, MT, OUT_SELECT | OUT_APART},
    {"masked_select", m_masked_select, 0, MT, OUT_SELECT | OUT_APART},
    {"nonzero", m_nonzero, 0, MT, OUT_NONZERO}, {"argwhere", m_argwhere, 0, MT},
    {"count_nonzero", m_count_nonzero, 0, MT}, {"bincount", m_bincount, 0, MT},
    W("scatter", m_scatter, 0, OUT_EXACT), W("scatter_add", m_scatter, 1, OUT_EXACT),
    W("scatter_reduce", m_scatter_reduce, 0, OUT_EXACT), W("index_add", m_index_write, 0, OUT_EXACT),
    W("index_copy", m_index_write, 1, OUT_EXACT), W("index_fill", m_index_write, 2, 0),
    W("index_put", m_index_put, 0, 0), W("masked_scatter", m_masked_scatter, 0, 0), W("put", m_put, 0, 0),
    {NULL, NULL, 0, 0}};
