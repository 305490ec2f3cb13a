/*
 * sort.c — scans, sorting and order statistics, and searching: cumsum,
 * cumprod (and their in-place forms), logcumsumexp, cummax, cummin; sort,
 * argsort, msort, topk, kthvalue, median, nanmedian, mode, unique,
 * unique_consecutive; searchsorted, bucketize, histc. The results PyTorch
 * gives as torch.return_types (values, indices) come as those; the rest
 * as tensors or plain tuples (unique's). Each is one library call, but
 * for what the library lacks, composed here from its calls: unique along
 * a dim (stable argsorts of the slices' columns), searchsorted's sorter (a
 * gather of the sequence).
 */
#include <string.h>
#include "tcpy.h"

#define OPFN(name) static PyObject *name(tcpy_tensor *self, PyObject *args, PyObject *kw, int tag, const char *fn)
#define WRAP(x) tcpy_wrap(self->ctx, (x))
#define CTX (self->ctx->ctx)
/* the return_types pair of a call that fills v and i (called first) */
static PyObject *pair(tcpy_tensor *self, const char *name, tc_status st, tc_tensor *v, tc_tensor *i) {
  return tcpy_pair_result(self->ctx, name, st, v, i);
}
#define PAIR(name, call) (st = (call), pair(self, name, st, v, i))

static PyObject *missing(const char *fn, const char *arg) {
  PyErr_Format(PyExc_TypeError, "%s() missing 1 required positional arguments: \"%s\"", fn, arg);
  return NULL;
}

/* ---- scans ----------------------------------------------------------------------- */

/* cumsum(dim, *, dtype=None) (0), cumprod (1), logcumsumexp(dim) (2) */
OPFN(m_cumulative) {
  static const char *const names[] = {"dim", "dtype", NULL};
  PyObject *a[2];
  int d;
  tc_dtype dt;
  if (!tcpy_parse(fn, args, kw, 1, names, a)) return NULL;
  if (!a[0]) return missing(fn, "dim");
  bool has_dt = a[1] && a[1] != Py_None;
  if (!tcpy_to_dim(a[0], &d) || (has_dt && !tcpy_to_dtype(a[1], &dt))) return NULL;
  if (tag == 2) {
    if (a[1]) {
      PyErr_Format(PyExc_TypeError, "%s() got an unexpected keyword argument 'dtype'", fn);
      return NULL;
    }
    return WRAP(tc_logcumsumexp(self->t, d));
  }
  return WRAP((tag ? tc_cumprod : tc_cumsum)(self->t, d, has_dt ? &dt : NULL));
}

/* cummax(dim) (1), cummin(dim) (0) */
OPFN(m_cumext) {
  static const char *const names[] = {"dim", NULL};
  PyObject *a[1];
  int d;
  if (!tcpy_parse(fn, args, kw, 1, names, a)) return NULL;
  if (!a[0]) return missing(fn, "dim");
  if (!tcpy_to_dim(a[0], &d)) return NULL;
  tc_tensor *v = NULL, *i = NULL;
  tc_status st;
  return tag ? PAIR("cummax", tc_cummax(self->t, d, &v, &i)) : PAIR("cummin", tc_cummin(self->t, d, &v, &i));
}

/* ---- sorting ---------------------------------------------------------------------- */

/* sort(dim=-1, descending=False, stable=False) (0), argsort (1) */
OPFN(m_sort) {
  static const char *const names[] = {"dim", "descending", "stable", NULL};
  PyObject *a[3];
  int d = -1;
  bool desc = false, stable = false;
  if (!tcpy_parse(fn, args, kw, 2, names, a)) return NULL;
  if (a[0] && PyBool_Check(a[0]) && !a[2] && tag == 0) { /* sort(stable, dim, descending): sort(True) */
    PyErr_Format(PyExc_TypeError, "%s(): argument 'dim' must be int, not bool", fn);
    return NULL;
  }
  if ((a[0] && a[0] != Py_None && !tcpy_to_dim(a[0], &d)) || (a[1] && !tcpy_to_bool(a[1], "descending", &desc)) ||
      (a[2] && a[2] != Py_None && !tcpy_to_bool(a[2], "stable", &stable)))
    return NULL;
  (void)stable; /* the library's sort is always stable */
  if (tag) return WRAP(tc_argsort(self->t, d, desc));
  tc_tensor *v = NULL, *i = NULL;
  tc_status st;
  return PAIR("sort", tc_sort(self->t, d, desc, &v, &i));
}

OPFN(m_msort) {
  static const char *const names[] = {NULL};
  PyObject *unused[1];
  if (!tcpy_parse(fn, args, kw, 0, names, unused)) return NULL;
  return WRAP(tc_msort(self->t));
}

/* topk(k, dim=-1, largest=True, sorted=True) */
OPFN(m_topk) {
  static const char *const names[] = {"k", "dim", "largest", "sorted", NULL};
  PyObject *a[4];
  int64_t k;
  int d = -1;
  bool largest = true, sorted = true;
  if (!tcpy_parse(fn, args, kw, 4, names, a)) return NULL;
  if (!a[0]) return missing(fn, "k");
  if (!tcpy_to_int(a[0], "k", &k) || (a[1] && !tcpy_to_dim(a[1], &d)) ||
      (a[2] && !tcpy_to_bool(a[2], "largest", &largest)) || (a[3] && !tcpy_to_bool(a[3], "sorted", &sorted)))
    return NULL;
  tc_tensor *v = NULL, *i = NULL;
  tc_status st;
  return PAIR("topk", tc_topk(self->t, k, d, largest, &v, &i));
}

/* kthvalue(k, dim=-1, keepdim=False) */
OPFN(m_kthvalue) {
  static const char *const names[] = {"k", "dim", "keepdim", NULL};
  PyObject *a[3];
  int64_t k;
  int d = -1;
  bool keep = false;
  if (!tcpy_parse(fn, args, kw, 3, names, a)) return NULL;
  if (!a[0]) return missing(fn, "k");
  if (!tcpy_to_int(a[0], "k", &k) || (a[1] && !tcpy_to_dim(a[1], &d)) || (a[2] && !tcpy_to_bool(a[2], "keepdim", &keep)))
    return NULL;
  tc_tensor *v = NULL, *i = NULL;
  tc_status st;
  return PAIR("kthvalue", tc_kthvalue(self->t, k, d, keep, &v, &i));
}

/* median(dim=None, keepdim=False) (0), nanmedian (1), mode(dim=-1, keepdim=False) (2) */
OPFN(m_median) {
  static const char *const names[] = {"dim", "keepdim", NULL};
  PyObject *a[2];
  int d = -1;
  bool keep = false;
  if (!tcpy_parse(fn, args, kw, 2, names, a) || (a[1] && !tcpy_to_bool(a[1], "keepdim", &keep))) return NULL;
  bool has_dim = a[0] && a[0] != Py_None;
  if (a[0] == Py_None) { /* PyTorch: dim is absent or an int */
    PyErr_Format(PyExc_TypeError, "%s(): argument 'dim' (position 1) must be int, not NoneType", fn);
    return NULL;
  }
  if (has_dim && !tcpy_to_dim(a[0], &d)) return NULL;
  tc_tensor *v = NULL, *i = NULL;
  tc_status st;
  if (tag == 2) return PAIR("mode", tc_mode(self->t, d, keep, &v, &i));
  if (!has_dim) {
    if (a[1]) {
      return missing(fn, "dim");
    }
    return WRAP(tag ? tc_nanmedian(self->t) : tc_median(self->t));
  }
  return tag ? PAIR("nanmedian", tc_nanmedian_dim(self->t, d, keep, &v, &i))
             : PAIR("median", tc_median_dim(self->t, d, keep, &v, &i));
}

/* unique(dim=d) and unique_consecutive(dim=d): the distinct slices along
 * d (sorted lexicographically unless consecutive), from library calls:
 * the slices as rows, ordered by stable argsorts of their columns from the
 * last to the first, a row kept where it differs from the one before; the
 * inverse scattered back through that order, counts by bincount. TC_OK,
 * or an error status with a Python error set (PyErr_Occurred) or the
 * library's sticky error. */
#define R(x) tc_tensor_release(x)
static tc_status unique_dim(tcpy_tensor *self, int d, bool consecutive, tc_tensor **values, tc_tensor **inverse,
                            tc_tensor **counts) {
  tc_ctx *ctx = CTX;
  int64_t sh[TC_MAX_DIMS];
  int nd = tc_tensor_shape(self->t, sh);
  if (nd == 0) {
    PyErr_Format(PyExc_IndexError, "Dimension specified as %d but tensor has no dimensions", d);
    return TC_ERR_ARG;
  }
  if (d < -nd || d >= nd) {
    PyErr_Format(PyExc_IndexError, "Dimension out of range (expected to be in range of [%d, %d], but got %d)", -nd,
                 nd - 1, d);
    return TC_ERR_ARG;
  }
  if (d < 0) d += nd;
  int64_t n = sh[d], m = 1;
  for (int i = 0; i < nd; i++)
    if (i != d) {
      if (sh[i] == 0) {
        PyErr_SetString(PyExc_RuntimeError, "There are 0 sized dimensions, and they aren't selected, so unique cannot be applied");
        return TC_ERR_ARG;
      }
      m *= sh[i];
    }
  int perm[TC_MAX_DIMS], back[TC_MAX_DIMS], k = 0;
  perm[k++] = d;
  for (int i = 0; i < nd; i++)
    if (i != d) perm[k++] = i;
  for (int i = 0; i < nd; i++) back[perm[i]] = i;
  int64_t rs[2] = {n, m};
  tc_tensor *moved = tc_permute(self->t, perm), *rows = tc_reshape(moved, 2, rs);
  tc_device saved = tc_get_default_device(ctx);
  tc_set_default_device(ctx, tc_tensor_device(self->t));
  tc_tensor *order = tc_arange_int(ctx, 0, n, 1);
  tc_set_default_device(ctx, saved);
  for (int64_t col = m - 1; !consecutive && n > 1 && col >= 0 && order; col--) {
    tc_tensor *column = tc_select(rows, 1, col), *key = tc_index_select(column, 0, order);
    tc_tensor *p = tc_argsort(key, 0, false), *o = tc_index_select(order, 0, p); /* stable */
    R(column), R(key), R(p), R(order);
    order = o;
  }
  tc_tensor *srt = tc_index_select(rows, 0, order), *keep = NULL;
  if (srt && n > 0) { /* keep[0] = True; keep[i] = any(srt[i] != srt[i-1]) */
    tc_idx lo = TC_S(1, TC_SLICE_END, 1), hi = TC_S(0, n - 1, 1);
    tc_tensor *b = tc_index(srt, &lo, 1), *a = tc_index(srt, &hi, 1), *ne = tc_ne(b, a);
    int one = 1;
    tc_tensor *diff = tc_any(ne, &one, 1, false), *first = tc_ones(ctx, TC_BOOL, 1, (int64_t[]){1});
    tc_tensor *first_d = first ? tc_to(first, tc_tensor_device(self->t), false) : NULL;
    tc_tensor *parts[2] = {first_d, diff};
    keep = diff && first_d ? tc_cat(ctx, parts, 2, 0) : NULL;
    R(b), R(a), R(ne), R(diff), R(first), R(first_d);
  } else if (srt) {
    keep = tc_zeros(ctx, TC_BOOL, 1, (int64_t[]){0});
  }
  tc_idx mk = TC_T(keep);
  tc_tensor *urows = keep ? tc_index(srt, &mk, 1) : NULL;
  int64_t ush[TC_MAX_DIMS];
  for (int i = 0; i < nd; i++) ush[i] = sh[perm[i]];
  ush[0] = urows ? tc_tensor_size(urows, 0) : 0;
  tc_tensor *ushaped = urows ? tc_reshape(urows, nd, ush) : NULL;
  *values = ushaped ? tc_permute(ushaped, back) : NULL;
  tc_tensor *group = NULL;
  if (keep && (inverse || counts)) {
    tc_dtype i64 = TC_I64;
    tc_tensor *cs = tc_cumsum(keep, 0, &i64);
    group = cs ? tc_add_scalar(cs, -1) : NULL;
    R(cs);
  }
  if (inverse && group) {
    tc_tensor *z = tc_zeros(ctx, TC_I64, 1, &n), *zd = z ? tc_to(z, tc_tensor_device(self->t), false) : NULL;
    tc_tensor *inv = zd ? tc_clone(zd) : NULL;
    if (inv && tc_scatter_(inv, 0, order, group) != TC_OK) R(inv), inv = NULL;
    *inverse = inv;
    R(z), R(zd);
  }
  if (counts && group) *counts = tc_bincount(group, NULL, 0);
  R(moved), R(rows), R(order), R(srt), R(keep), R(urows), R(ushaped), R(group);
  bool bad = !*values || (inverse && !*inverse) || (counts && !*counts);
  return bad ? (tc_last_status(ctx) != TC_OK ? tc_last_status(ctx) : TC_ERR_ARG) : TC_OK;
}
#undef R

/* unique(sorted=True, return_inverse=False, return_counts=False, dim=None)
 * (0); unique_consecutive(return_inverse=False, return_counts=False,
 * dim=None) (1): the values, or a tuple with the inverse and counts asked
 * for. */
OPFN(m_unique) {
  static const char *const names[] = {"sorted", "return_inverse", "return_counts", "dim", NULL};
  static const char *const cnames[] = {"return_inverse", "return_counts", "dim", NULL};
  PyObject *a[4];
  bool sorted = true, inv = false, cnt = false;
  a[0] = NULL; /* unique_consecutive has no sorted: its names fill a[1..3] */
  if (!tcpy_parse(fn, args, kw, tag ? 3 : 4, tag ? cnames : names, tag ? a + 1 : a)) return NULL;
  if ((a[0] && !tcpy_to_bool(a[0], "sorted", &sorted)) || (a[1] && !tcpy_to_bool(a[1], "return_inverse", &inv)) ||
      (a[2] && !tcpy_to_bool(a[2], "return_counts", &cnt)))
    return NULL;
  tc_tensor *v = NULL, *iv = NULL, *c = NULL;
  tc_status st;
  if (a[3] && a[3] != Py_None) {
    int d;
    if (!tcpy_to_dim(a[3], &d)) return NULL;
    st = unique_dim(self, d, tag, &v, inv ? &iv : NULL, cnt ? &c : NULL);
    if (st != TC_OK && PyErr_Occurred()) return NULL;
  } else {
    st = tag ? tc_unique_consecutive(self->t, &v, inv ? &iv : NULL, cnt ? &c : NULL)
             : tc_unique(self->t, sorted, &v, inv ? &iv : NULL, cnt ? &c : NULL);
  }
  if (st != TC_OK) {
    tc_tensor_release(v);
    tc_tensor_release(iv);
    tc_tensor_release(c);
    return tcpy_raise(CTX);
  }
  if (!inv && !cnt) return WRAP(v);
  tc_tensor *out[3] = {v};
  int n = 1;
  if (inv) out[n++] = iv;
  if (cnt) out[n++] = c;
  return tcpy_tuple(self->ctx, out, n);
}

/* ---- searching and counting -------------------------------------------------------- */

/* "[2, 3]" */
static void shape_str(char *out, size_t n, tc_tensor *t) {
  int64_t sh[TC_MAX_DIMS];
  int nd = tc_tensor_shape(t, sh);
  size_t k = (size_t)snprintf(out, n, "[");
  for (int i = 0; i < nd && k < n; i++) k += (size_t)snprintf(out + k, n - k, "%s%lld", i ? ", " : "", (long long)sh[i]);
  if (k < n) snprintf(out + k, n - k, "]");
}

/* searchsorted's sorter: the sequence gathered in sorter's order along its
 * last dim, after PyTorch's checks (the indices read back). */
static tc_tensor *sorted_by(tcpy_tensor *self, tc_tensor *so) {
  if (tc_tensor_dtype(so) != TC_I64) {
    PyErr_Format(PyExc_RuntimeError, "torch.searchsorted(): sorter must be a tensor of long dtype but got dtype %s",
                 tcpy_dtype_torch_name(tc_tensor_dtype(so)));
    return NULL;
  }
  int64_t a[TC_MAX_DIMS], b[TC_MAX_DIMS];
  int na = tc_tensor_shape(self->t, a), nb = tc_tensor_shape(so, b);
  bool same = na == nb;
  for (int i = 0; same && i < na; i++) same = a[i] == b[i];
  if (!same) {
    char x[160], y[160];
    shape_str(x, sizeof x, self->t);
    shape_str(y, sizeof y, so);
    PyErr_Format(PyExc_RuntimeError, "torch.searchsorted(): boundary and sorter must have the same size, but got "
                 "boundary tensor %sand got sorter tensor %s", x, y); /* sic */
    return NULL;
  }
  if (tc_tensor_numel(so)) {
    tc_tensor *lo = tc_amin(so, NULL, 0, false), *hi = tc_amax(so, NULL, 0, false);
    int64_t l = lo ? tc_item_int(lo) : 0, h = hi ? tc_item_int(hi) : 0;
    tc_tensor_release(lo);
    tc_tensor_release(hi);
    if (tc_last_status(CTX) != TC_OK) return tcpy_raise(CTX), (tc_tensor *)NULL;
    if (l < 0 || (na && h >= a[na - 1])) {
      PyErr_SetString(PyExc_RuntimeError, "torch.searchsorted(): sorter index out of range");
      return NULL;
    }
  }
  tc_tensor *r = tc_gather(self->t, -1, so);
  if (!r) tcpy_raise(CTX);
  return r;
}

/* torch.searchsorted(sorted_sequence, input, *, out_int32=False,
 * right=False, side=None, sorter=None) (0); torch.bucketize(input,
 * boundaries, *, out_int32=False, right=False) (1). input may be a
 * number (a 0-d result). */
OPFN(m_search) {
  static const char *const names[] = {"input", "out_int32", "right", "side", "sorter", NULL};
  static const char *const bnames[] = {"boundaries", "out_int32", "right", NULL};
  PyObject *a[5];
  bool i32 = false, right = false;
  if (!tcpy_parse(fn, args, kw, 1, tag ? bnames : names, a)) return NULL;
  if (!a[0]) return missing(fn, tag ? "boundaries" : "input");
  if ((a[1] && !tcpy_to_bool(a[1], "out_int32", &i32)) || (a[2] && !tcpy_to_bool(a[2], "right", &right))) return NULL;
  if (!tag && a[3] && a[3] != Py_None) {
    bool is_right = PyUnicode_Check(a[3]) && !PyUnicode_CompareWithASCIIString(a[3], "right");
    bool is_left = PyUnicode_Check(a[3]) && !PyUnicode_CompareWithASCIIString(a[3], "left");
    if (!is_left && !is_right) {
      PyErr_Format(PyExc_RuntimeError, "torch.searchsorted(): side can only be 'left' or 'right' but got %S", a[3]);
      return NULL;
    }
    if (is_left && right) {
      PyErr_SetString(PyExc_RuntimeError,
                      "torch.searchsorted(): side and right can't be set to opposites, got side of left while right "
                      "was True");
      return NULL;
    }
    right = is_right;
  }
  tc_tensor *seq = NULL; /* the sequence in sorter's order */
  if (!tag && a[4] && a[4] != Py_None) {
    tcpy_tensor *so = tcpy_tensor_arg(a[4], fn, "sorter", 5);
    if (!so || !(seq = sorted_by(self, so->t))) return NULL;
  }
  if (tag && !tcpy_is_tensor(a[0])) return tcpy_tensor_arg(a[0], fn, "boundaries", 2), NULL;
  tc_tensor *x = tcpy_operand(self->ctx, a[0], fn, tag ? "boundaries" : "input");
  if (x && !tag && !tcpy_is_tensor(a[0])) { /* a number: on the sequence's device, as PyTorch's Scalar */
    tc_tensor *y = tc_to(x, tc_tensor_device(self->t), false);
    tc_tensor_release(x);
    if (!(x = y)) tcpy_raise(CTX);
  }
  if (!x) {
    tc_tensor_release(seq);
    return NULL;
  }
  PyObject *r = WRAP(tag ? tc_bucketize(self->t, x, right, i32) : tc_searchsorted(seq ? seq : self->t, x, right, i32));
  tc_tensor_release(x);
  tc_tensor_release(seq);
  return r;
}

/* histc(bins=100, min=0, max=0) */
OPFN(m_histc) {
  static const char *const names[] = {"bins", "min", "max", NULL};
  PyObject *a[3];
  int64_t bins = 100;
  double lo = 0, hi = 0;
  if (!tcpy_parse(fn, args, kw, 3, names, a) || (a[0] && !tcpy_to_int(a[0], "bins", &bins)) ||
      (a[1] && !tcpy_to_double(a[1], "min", &lo)) || (a[2] && !tcpy_to_double(a[2], "max", &hi)))
    return NULL;
  return WRAP(tc_histc(self->t, bins, lo, hi));
}

/* torch.bucketize(input, boundaries, ...): input may be a number */
static PyObject *f_bucketize(PyObject *m, PyObject *args, PyObject *kw) {
  tcpy_ctx *c = tcpy_current();
  if (!c) return NULL;
  PyObject *in = PyTuple_Size(args) ? PyTuple_GetItem(args, 0) : kw ? PyDict_GetItemString(kw, "input") : NULL;
  if (!in) return missing("bucketize", "input");
  PyObject *rest = PyTuple_GetSlice(args, PyTuple_Size(args) ? 1 : 0, PyTuple_Size(args));
  PyObject *kw2 = kw ? PyDict_Copy(kw) : NULL;
  if (kw2 && PyDict_GetItemString(kw2, "input")) PyDict_DelItemString(kw2, "input");
  PyObject *out = kw2 ? PyDict_GetItemString(kw2, "out") : NULL; /* borrowed from kw */
  if (out) PyDict_DelItemString(kw2, "out");
  tc_tensor *x = rest && (!kw || kw2) ? tcpy_operand(c, in, "bucketize", "input") : NULL;
  PyObject *bounds = PyTuple_Size(args) > 1 ? PyTuple_GetItem(args, 1) : kw ? PyDict_GetItemString(kw, "boundaries") : NULL;
  if (x && !tcpy_is_tensor(in) && bounds && tcpy_is_tensor(bounds)) { /* a number: on the boundaries' device */
    tc_tensor *y = tc_to(x, tc_tensor_device(TT(bounds)), false);
    tc_tensor_release(x);
    if (!(x = y)) tcpy_raise(c->ctx);
  }
  PyObject *r = NULL;
  if (x) {
    tcpy_tensor *t = (tcpy_tensor *)tcpy_wrap(c, x);
    if (t) r = m_search(t, rest, kw2, 1, "bucketize");
    if (out && out != Py_None) r = tcpy_out(out, r, OUT_SEARCH, "bucketize", in, rest, kw2);
    Py_XDECREF(t);
  }
  Py_XDECREF(rest);
  Py_XDECREF(kw2);
  return r;
}

PyMethodDef tcpy_sort_functions[] = {
    {"bucketize", (PyCFunction)(void (*)(void))f_bucketize, METH_VARARGS | METH_KEYWORDS, NULL}, {NULL, NULL, 0, NULL}};

#define MT (OF_METHOD | OF_TORCH)
const tcpy_opdef tcpy_sort_ops[] = {
    {"cumsum", m_cumulative, 0, MT | OF_INPLACE, OUT_ACC | OUT_APART},
    {"cumprod", m_cumulative, 1, MT | OF_INPLACE, OUT_ACC | OUT_APART},
    {"logcumsumexp", m_cumulative, 2, MT, OUT_SCAN | OUT_APART}, {"cummax", m_cumext, 1, MT, OUT_SCAN | OUT_APART},
    {"cummin", m_cumext, 0, MT, OUT_SCAN | OUT_APART},
    {"sort", m_sort, 0, MT, OUT_EXACT | OUT_APART}, {"argsort", m_sort, 1, MT}, {"msort", m_msort, 0, MT, OUT_EXACT},
    {"topk", m_topk, 0, MT, OUT_EXACT}, {"kthvalue", m_kthvalue, 0, MT, OUT_KTH},
    {"median", m_median, 0, MT, OUT_MEDIAN}, {"nanmedian", m_median, 1, MT, OUT_MEDIAN},
    {"mode", m_median, 2, MT, OUT_MODE},
    {"unique", m_unique, 0, MT}, {"unique_consecutive", m_unique, 1, MT},
    {"searchsorted", m_search, 0, OF_TORCH, OUT_SEARCH},
    {"histc", m_histc, 0, MT, OUT_HISTC},
    {NULL, NULL, 0, 0}};
