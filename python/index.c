/*
 * index.c — t[index] and t[index] = value with PyTorch's rules.
 *
 * Basic indexing (ints, slices, None, ...) is a chain of views (select,
 * slice, unsqueeze), so writes through it reach the original. Advanced
 * indices (int lists or tensors, bool masks, a mask counting as its
 * nonzero() columns) are applied after the basic ones: they are checked and
 * normalized on the host (so errors name the values the script used, with
 * PyTorch's messages), broadcast together, and turned into one linear index
 * over the indexed dims for index_select. A mask over every dim is
 * masked_select. As in PyTorch, when the index tensors are not adjacent the
 * indexed dims move to the front of the result.
 *
 * NumPy arrays as indices or values act as the tensors sharing their
 * memory. (The code is the CLI's tools/tensorc/tensor_index.c over Python
 * objects.)
 *
 * Assignment: through views with copy_/fill_; masks and scalars with
 * masked_fill_; everything else with the library's index_put_ (one
 * scatter kernel, any number of positions).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tcpy.h"

/* Raises exc with a formatted message; NULL (false through `, false`). */
static void *ex_raise(tcpy_ctx *C, PyObject *exc, const char *fmt, ...) {
  (void)C;
  char msg[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  PyErr_SetString(exc, msg);
  return NULL;
}
#define X_INDEX PyExc_IndexError
#define X_TYPE PyExc_TypeError
#define X_VALUE PyExc_ValueError
#define X_RUNTIME PyExc_RuntimeError
#define X_NOTIMPL PyExc_NotImplementedError

enum { IX_INT, IX_SLICE, IX_NONE, IX_ELLIPSIS, IX_ADV, IX_MASK };

typedef struct ix_item {
  int kind;
  int64_t i;     /* IX_INT */
  int64_t lo, hi, step; /* IX_SLICE */
  tc_tensor *t;  /* IX_ADV / IX_MASK: owned */
  int pos;       /* dim of the working tensor it applies to */
  int orig_dim;  /* the dim PyTorch names in messages about an int index:
                    items before it, None included, ellipsis expanded */
  int tdim;      /* the dim of the indexed tensor (messages about index
                    tensors, which do not count None) */
} ix_item;

typedef struct ix_plan {
  ix_item items[2 * TC_MAX_DIMS + 4];
  int n;
  int nadv;
} ix_plan;

static void plan_free(ix_plan *p) {
  for (int i = 0; i < p->n; i++) tc_tensor_release(p->items[i].t);
}

static bool classify(tcpy_ctx *C, PyObject *x, ix_item *it) {
  memset(it, 0, sizeof *it);
  if (x == Py_None) return it->kind = IX_NONE, true;
  if (x == Py_Ellipsis) return it->kind = IX_ELLIPSIS, true;
  if (PyBool_Check(x))
    return ex_raise(C, X_NOTIMPL, "tensorc does not support indexing with a Python bool yet"), false;
  if (PySlice_Check(x)) {
    Py_ssize_t lo, hi, step;
    if (PySlice_Unpack(x, &lo, &hi, &step) < 0) return false; /* step 0: ValueError */
    if (step < 0) return ex_raise(C, X_VALUE, "step must be greater than zero"), false;
    it->kind = IX_SLICE;
    it->lo = lo;
    it->hi = hi == PY_SSIZE_T_MAX ? TC_SLICE_END : hi;
    it->step = step;
    return true;
  }
  bool array = !tcpy_is_tensor(x) && tcpy_is_array(x);
  if (tcpy_is_tensor(x) || array) { /* an array index: the tensor sharing it */
    tc_tensor *xt = tcpy_operand(C, x, "index", "indices");
    if (!xt) return false;
    tc_dtype dt = tc_tensor_dtype(xt);
    bool ok = true;
    if (dt == TC_BOOL || dt == TC_U8) {
      it->kind = IX_MASK;
      it->t = dt == TC_BOOL ? tc_tensor_retain(xt) : tc_to_dtype(xt, TC_BOOL);
      ok = it->t || tcpy_raise(C->ctx);
    } else if (tc_dtype_is_floating(dt)) {
      ok = ex_raise(C, X_INDEX, "tensors used as indices must be long, int, byte or bool tensors") != NULL;
    } else if (tc_tensor_ndim(xt) == 0) {
      it->kind = IX_INT;
      it->i = tc_item_int(xt);
      ok = tc_last_status(C->ctx) == TC_OK || tcpy_raise(C->ctx);
    } else {
      it->kind = IX_ADV;
      it->t = tc_tensor_retain(xt);
    }
    tc_tensor_release(xt);
    return ok;
  }
  if (PyLong_Check(x) || (tcpy_number_kind(x) == NUM_INT)) {
    long long v = PyLong_AsLongLong(x);
    if (v == -1 && PyErr_Occurred()) return false;
    it->kind = IX_INT;
    it->i = v;
    return true;
  }
  if (PyList_Check(x) || PyTuple_Check(x)) {
    PyObject *t = tcpy_tensor_from_data(C, x, false, TC_I64);
    if (!t) return false;
    tc_dtype dt = tc_tensor_dtype(TT(t));
    if (tc_dtype_is_floating(dt)) {
      Py_DECREF(t);
      return ex_raise(C, X_INDEX, "tensors used as indices must be long, int, byte or bool tensors"), false;
    }
    it->kind = dt == TC_BOOL ? IX_MASK : IX_ADV;
    it->t = tc_tensor_retain(TT(t));
    Py_DECREF(t);
    return true;
  }
  PyObject *n = PyObject_GetAttrString((PyObject *)Py_TYPE(x), "__name__");
  PyErr_Format(PyExc_IndexError,
               "only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are valid indices (got %U)", n);
  Py_XDECREF(n);
  return false;
}

/* Splits the index into items and checks the dim count. */
static bool make_plan(tcpy_ctx *C, tc_tensor *t, PyObject *index, ix_plan *p) {
  p->n = p->nadv = 0;
  bool tuple = PyTuple_Check(index);
  /* PyTorch's legacy rule: a short list holding a sequence, tensor, slice,
     None or Ellipsis is a tuple of indices (M[[[0, 1], [2, 2]]]) */
  if (PyList_Check(index) && PyList_Size(index) < 32)
    for (Py_ssize_t i = 0; i < PyList_Size(index); i++) {
      PyObject *k = PyList_GetItem(index, i);
      if (PyList_Check(k) || PyTuple_Check(k) || tcpy_is_tensor(k) || PySlice_Check(k) || k == Py_None ||
          k == Py_Ellipsis)
        tuple = true;
    }
  int n = tuple ? (int)PySequence_Size(index) : 1;
  if (n > (int)(sizeof p->items / sizeof p->items[0]) - 1)
    return ex_raise(C, X_INDEX, "too many indices for tensor of dimension %d", tc_tensor_ndim(t)), false;
  int consumed = 0, ellipsis = -1;
  for (int i = 0; i < n; i++) {
    PyObject *x = tuple ? PySequence_GetItem(index, i) : (Py_INCREF(index), index);
    bool ok = x && classify(C, x, &p->items[p->n]);
    Py_XDECREF(x);
    if (!ok) return false;
    ix_item *it = &p->items[p->n++];
    if (it->kind == IX_INT || it->kind == IX_SLICE || it->kind == IX_ADV) consumed++;
    if (it->kind == IX_MASK) consumed += tc_tensor_ndim(it->t);
    if (it->kind == IX_ADV || it->kind == IX_MASK) p->nadv++;
    if (it->kind == IX_ELLIPSIS && ellipsis < 0) ellipsis = i;
  }
  int nd = tc_tensor_ndim(t);
  if (consumed > nd) return ex_raise(C, X_INDEX, "too many indices for tensor of dimension %d", nd), false;
  /* positions: dims of the working tensor after the basic items */
  int pos = 0, orig = 0, tdim = 0;
  for (int i = 0; i < p->n; i++) {
    ix_item *it = &p->items[i];
    it->pos = pos;
    it->orig_dim = orig;
    it->tdim = tdim;
    switch (it->kind) {
    case IX_INT: orig++, tdim++; break;
    case IX_SLICE: case IX_ADV: pos++, orig++, tdim++; break;
    case IX_NONE: pos++, orig++; break;
    case IX_MASK: {
      int k = tc_tensor_ndim(it->t);
      pos += k, orig += k, tdim += k;
      break;
    }
    case IX_ELLIPSIS:
      if (i == ellipsis) {
        pos += nd - consumed;
        orig += nd - consumed;
        tdim += nd - consumed;
      }
      break;
    }
  }
  return true;
}

/* Applies the basic items: the result is a view of t. */
static tc_tensor *apply_basic(tcpy_ctx *C, tc_tensor *t, ix_plan *p) {
  tc_tensor *cur = tc_tensor_retain(t);
  for (int i = 0; i < p->n && cur; i++) {
    ix_item *it = &p->items[i];
    tc_tensor *next = NULL;
    if (it->kind == IX_INT) {
      int64_t size = tc_tensor_size(cur, it->pos);
      if (it->i < -size || it->i >= size) {
        tc_tensor_release(cur);
        return ex_raise(C, X_INDEX, "index %lld is out of bounds for dimension %d with size %lld", (long long)it->i,
                        it->orig_dim, (long long)size);
      }
      next = tc_select(cur, it->pos, it->i);
    } else if (it->kind == IX_SLICE) {
      next = tc_slice(cur, it->pos, it->lo, it->hi, it->step);
    } else if (it->kind == IX_NONE) {
      next = tc_unsqueeze(cur, it->pos);
    } else {
      continue;
    }
    tc_tensor_release(cur);
    cur = next;
    if (!cur) return tcpy_raise(C->ctx), (tc_tensor *)NULL;
  }
  return cur;
}

/* Host copy of an int index tensor, checked against `size` and made
 * non-negative; returns a new int64 tensor of the same shape. */
static tc_tensor *normalized_index(tcpy_ctx *C, tc_tensor *idx, int64_t size, int orig_dim, bool lenient) {
  int64_t n = tc_tensor_numel(idx);
  int64_t shape[TC_MAX_DIMS];
  int nd = tc_tensor_shape(idx, shape);
  tc_tensor *c = tc_to_dtype(idx, TC_I64);
  int64_t *buf = malloc(sizeof(int64_t) * (size_t)(n ? n : 1));
  if (!c || !buf) {
    tc_tensor_release(c);
    free(buf);
    return c ? (void *)PyErr_NoMemory() : tcpy_raise(C->ctx);
  }
  tc_tensor *r = NULL;
  if (n && tc_copy_to_host(c, buf, sizeof(int64_t) * (size_t)n) != TC_OK) {
    tcpy_raise(C->ctx);
  } else {
    int64_t k = 0;
    for (; k < n; k++) {
      if (buf[k] < -size || buf[k] >= size) {
        if (!lenient) break;
        buf[k] = 0; /* the result is empty: PyTorch does not check */
      }
      if (buf[k] < 0) buf[k] += size;
    }
    if (k < n) ex_raise(C, X_INDEX, "index %lld is out of bounds for dimension %d with size %lld", (long long)buf[k],
                        orig_dim, (long long)size);
    else if (!(r = tc_from_data(C->ctx, buf, TC_I64, nd, shape))) tcpy_raise(C->ctx);
  }
  tc_tensor_release(c);
  free(buf);
  return r;
}

static void shape_str(char *out, size_t n, const int64_t *s, int nd) {
  out[0] = 0;
  for (int j = 0; j < nd; j++) snprintf(out + strlen(out), n - strlen(out), "%s%lld", j ? ", " : "", (long long)s[j]);
}

/* Broadcasts shape b into a (in place); false when they do not broadcast. */
static bool broadcast_into(int64_t *a, int *an, const int64_t *b, int bn) {
  int n = *an > bn ? *an : bn;
  if (n > TC_MAX_DIMS) return false;
  int64_t out[TC_MAX_DIMS];
  for (int i = 0; i < n; i++) {
    int ia = *an - n + i, ib = bn - n + i;
    int64_t x = ia >= 0 ? a[ia] : 1, y = ib >= 0 ? b[ib] : 1;
    if (x != y && x != 1 && y != 1) return false;
    out[i] = x == 1 ? y : x;
  }
  memcpy(a, out, sizeof(int64_t) * (size_t)n);
  *an = n;
  return true;
}

/* The advanced indices: one checked, non-negative int64 index tensor per
 * indexed dim (a mask contributes its nonzero() columns, as in PyTorch). */
typedef struct adv_set {
  int n;
  int pos[TC_MAX_DIMS];
  int orig[TC_MAX_DIMS];       /* the dims messages name */
  tc_tensor *idx[TC_MAX_DIMS]; /* raw, then checked and normalized */
  int64_t bshape[TC_MAX_DIMS]; /* the indices broadcast together */
  int bnd;
  bool front; /* not adjacent: the result's indexed dims come first */
} adv_set;

static void adv_free(adv_set *a) {
  for (int i = 0; i < a->n; i++) tc_tensor_release(a->idx[i]);
  a->n = 0;
}

/* Collects the index tensors (raw: normalize_adv checks and normalizes
 * them) and their broadcast shape. */
static bool collect_adv(tcpy_ctx *C, tc_tensor *cur, ix_plan *p, adv_set *a) {
  memset(a, 0, sizeof *a);
  int64_t cs[TC_MAX_DIMS];
  int cn = tc_tensor_shape(cur, cs);
  tc_tensor **raw = a->idx;
  bool ok = true;
  for (int i = 0; ok && i < p->n; i++) {
    ix_item *it = &p->items[i];
    if (it->kind == IX_ADV) {
      if (a->n >= TC_MAX_DIMS) break;
      a->pos[a->n] = it->pos;
      a->orig[a->n] = it->tdim;
      raw[a->n++] = tc_tensor_retain(it->t);
    } else if (it->kind == IX_MASK) {
      int64_t ms[TC_MAX_DIMS];
      int k = tc_tensor_shape(it->t, ms);
      for (int d = 0; ok && d < k; d++)
        if (it->pos + d >= cn || ms[d] != cs[it->pos + d]) {
          char m[160], c[160];
          shape_str(m, sizeof m, ms, k);
          shape_str(c, sizeof c, cs, cn);
          ex_raise(C, X_INDEX, "The shape of the mask [%s] at index %d does not match the shape of the indexed "
                               "tensor [%s] at index %d", m, d, c, it->pos + d);
          ok = false;
        }
      tc_tensor *nz = ok ? tc_nonzero(it->t) : NULL;
      if (ok && !nz) ok = tcpy_raise(C->ctx) != NULL;
      for (int d = 0; ok && d < k && a->n < TC_MAX_DIMS; d++) {
        a->pos[a->n] = it->pos + d;
        a->orig[a->n] = it->tdim + d;
        if (!(raw[a->n++] = tc_select(nz, 1, d))) ok = tcpy_raise(C->ctx) != NULL;
      }
      tc_tensor_release(nz);
    }
  }
  /* broadcast the index shapes together, as PyTorch checks first */
  for (int j = 0; ok && j < a->n; j++) {
    int64_t s[TC_MAX_DIMS];
    int sn = tc_tensor_shape(raw[j], s);
    if (!broadcast_into(a->bshape, &a->bnd, s, sn)) {
      char msg[512] = "";
      for (int k = 0; k < a->n; k++) {
        char one[96];
        int64_t ks[TC_MAX_DIMS];
        int kn = tc_tensor_shape(raw[k], ks);
        shape_str(one, sizeof one, ks, kn);
        snprintf(msg + strlen(msg), sizeof msg - strlen(msg), "%s[%s]", k ? ", " : "", one);
      }
      ex_raise(C, X_INDEX, "shape mismatch: indexing tensors could not be broadcast together with shapes %s", msg);
      ok = false;
    }
  }
  for (int j = 1; ok && j < a->n; j++)
    if (a->pos[j] != a->pos[0] + j) a->front = true;
  if (!ok) adv_free(a);
  return ok;
}

/* Checks the indices against their dims and makes them non-negative. An
 * empty result (a dim of size 0 besides the indexed ones) skips the bounds
 * check, as PyTorch does. */
static bool normalize_adv(tcpy_ctx *C, tc_tensor *cur, adv_set *a) {
  int64_t cs[TC_MAX_DIMS];
  int cn = tc_tensor_shape(cur, cs);
  bool empty = false;
  for (int d = 0; d < cn; d++) {
    bool indexed = false;
    for (int j = 0; j < a->n; j++) indexed |= a->pos[j] == d;
    if (!indexed && cs[d] == 0) empty = true;
  }
  for (int j = 0; j < a->n; j++) {
    int64_t size = cs[a->pos[j]];
    tc_tensor *norm = normalized_index(C, a->idx[j], size ? size : 1, a->orig[j], empty || !size);
    if (!norm) {
      adv_free(a);
      return false;
    }
    tc_tensor_release(a->idx[j]);
    a->idx[j] = norm;
  }
  return true;
}

/* The tensor with the indexed dims moved to the front when they are not
 * adjacent (a view); *p0 is where the indexed dims start. */
static tc_tensor *adv_work(tcpy_ctx *C, tc_tensor *cur, const adv_set *a, int *p0) {
  if (!a->front) {
    *p0 = a->pos[0];
    return tc_tensor_retain(cur);
  }
  int nd = tc_tensor_ndim(cur), perm[TC_MAX_DIMS], k = 0;
  for (int j = 0; j < a->n; j++) perm[k++] = a->pos[j];
  for (int d = 0; d < nd; d++) {
    bool used = false;
    for (int j = 0; j < a->n; j++) used |= a->pos[j] == d;
    if (!used) perm[k++] = d;
  }
  *p0 = 0;
  tc_tensor *w = tc_permute(cur, perm);
  if (!w) tcpy_raise(C->ctx);
  return w;
}

/* The shape of the indexing result: work[:p0] + bshape + work[p0+m:]. */
static int result_shape(tcpy_ctx *C, tc_tensor *work, const adv_set *a, int p0, int64_t *out) {
  int64_t ws[TC_MAX_DIMS];
  int wn = tc_tensor_shape(work, ws), on = 0;
  if (wn - a->n + a->bnd > TC_MAX_DIMS) {
    ex_raise(C, X_RUNTIME, "tensorc supports at most %d dims", TC_MAX_DIMS);
    return -1;
  }
  for (int d = 0; d < p0; d++) out[on++] = ws[d];
  for (int d = 0; d < a->bnd; d++) out[on++] = a->bshape[d];
  for (int d = p0 + a->n; d < wn; d++) out[on++] = ws[d];
  return on;
}

PyObject *tcpy_getitem(tcpy_tensor *self, PyObject *index) {
  tcpy_ctx *C = self->ctx;
  if (!tcpy_check_thread(self)) return NULL;
  if (PyLong_CheckExact(index)) { /* the common t[i]: one select */
    long long i = PyLong_AsLongLong(index);
    if (i == -1 && PyErr_Occurred()) return NULL;
    int nd = tc_tensor_ndim(self->t);
    if (nd == 0) return ex_raise(C, X_INDEX, "invalid index of a 0-dim tensor. Use `tensor.item()` in Python or `tensor.item<T>()` in C++ to convert a 0-dim tensor to a number");
    int64_t size = tc_tensor_size(self->t, 0);
    if (i < -size || i >= size)
      return ex_raise(C, X_INDEX, "index %lld is out of bounds for dimension 0 with size %lld", i, (long long)size);
    return tcpy_wrap(C, tc_select(self->t, 0, i));
  }
  ix_plan p;
  if (!make_plan(C, self->t, index, &p)) {
    plan_free(&p);
    return NULL;
  }
  tc_tensor *cur = apply_basic(C, self->t, &p);
  if (!cur || !p.nadv) {
    plan_free(&p);
    return cur ? tcpy_wrap(C, cur) : NULL;
  }
  PyObject *r = NULL;
  ix_item *first = NULL;
  for (int i = 0; i < p.n && !first; i++)
    if (p.items[i].kind == IX_ADV || p.items[i].kind == IX_MASK) first = &p.items[i];
  adv_set a;
  if (p.nadv == 1 && first->kind == IX_MASK && first->pos == 0 && tc_tensor_ndim(first->t) == tc_tensor_ndim(cur)) {
    /* x[mask] over every dim */
    int64_t ms[TC_MAX_DIMS], cs[TC_MAX_DIMS];
    int k = tc_tensor_shape(first->t, ms);
    tc_tensor_shape(cur, cs);
    bool same = true;
    for (int d = 0; d < k; d++) same &= ms[d] == cs[d];
    if (same) r = tcpy_wrap(C, tc_masked_select(cur, first->t));
  }
  if (!r && !PyErr_Occurred() && collect_adv(C, cur, &p, &a) && normalize_adv(C, cur, &a)) {
    int p0;
    int64_t out[TC_MAX_DIMS];
    tc_tensor *work = adv_work(C, cur, &a, &p0);
    int on = work ? result_shape(C, work, &a, p0, out) : -1;
    if (on >= 0) {
      /* one linear index over the flattened indexed dims */
      tc_tensor *lin = NULL;
      int64_t stride = 1;
      for (int j = a.n - 1; j >= 0; j--) {
        tc_tensor *term = stride == 1 ? tc_tensor_retain(a.idx[j]) : tc_mul_scalar(a.idx[j], (double)stride);
        tc_tensor *sum = lin ? tc_add(lin, term) : tc_tensor_retain(term);
        tc_tensor_release(term);
        tc_tensor_release(lin);
        lin = sum;
        stride *= tc_tensor_size(work, p0 + j);
      }
      int64_t n = 1;
      for (int d = 0; d < a.bnd; d++) n *= a.bshape[d];
      tc_tensor *full = lin && tc_tensor_numel(lin) != n ? tc_expand(lin, a.bnd, a.bshape) : tc_tensor_retain(lin);
      tc_tensor *flat = tc_flatten(work, p0, p0 + a.n - 1);
      tc_tensor *l1 = tc_reshape(full, 1, &n);
      tc_tensor *sel = tc_index_select(flat, p0, l1);
      r = tcpy_wrap(C, tc_reshape(sel, on, out));
      tc_tensor_release(lin);
      tc_tensor_release(full);
      tc_tensor_release(flat);
      tc_tensor_release(l1);
      tc_tensor_release(sel);
    }
    tc_tensor_release(work);
    adv_free(&a);
  }
  tc_tensor_release(cur);
  plan_free(&p);
  return r;
}

/* The value of an indexed assignment: a number, or a tensor (a Tensor, an
 * array sharing its memory, or a nested list made a tensor). */
typedef struct ix_value {
  bool scalar;
  double x;
  tc_tensor *t; /* owned */
} ix_value;

static bool value_of(tcpy_ctx *C, PyObject *v, tc_dtype dt, ix_value *out) {
  memset(out, 0, sizeof *out);
  if (tcpy_number_kind(v) != NUM_NONE) {
    out->scalar = true;
    return tcpy_to_double(v, "value", &out->x);
  }
  if (tcpy_is_tensor(v) || tcpy_is_array(v)) {
    if (!(out->t = tcpy_operand(C, v, "setitem", "value"))) return false;
    if (tc_tensor_ndim(out->t) == 0) { /* a 0-d tensor acts as its number */
      out->scalar = true;
      out->x = tc_item(out->t);
      if (tc_last_status(C->ctx) != TC_OK) return tcpy_raise(C->ctx), false;
    }
    return true;
  }
  if (PyList_Check(v) || PyTuple_Check(v)) {
    PyObject *t = tcpy_tensor_from_data(C, v, true, dt);
    if (!t) return false;
    out->t = tc_tensor_retain(TT(t));
    Py_DECREF(t);
    return true;
  }
  PyObject *n = PyObject_GetAttrString((PyObject *)Py_TYPE(v), "__name__");
  PyErr_Format(PyExc_TypeError, "can't assign a %U to a Tensor", n);
  Py_XDECREF(n);
  return false;
}

/* Writes `v` into the view `dst`. */
static bool write_into(tcpy_ctx *C, tc_tensor *dst, ix_value *v) {
  if (!v->scalar) {
    /* PyTorch expands the value to the slice first (leading 1s dropped),
       so a mismatch fails with expand's message */
    int64_t vs[TC_MAX_DIMS], ds[TC_MAX_DIMS];
    int vn = tc_tensor_shape(v->t, vs), dn = tc_tensor_shape(dst, ds), k = 0;
    while (k < vn - dn && vs[k] == 1) k++;
    tc_tensor *v1 = tc_reshape(v->t, vn - k, vs + k);
    tc_tensor *e = v1 ? tc_expand(v1, dn, ds) : NULL;
    bool ok = e && tc_copy_(dst, e) == TC_OK;
    tc_tensor_release(v1);
    tc_tensor_release(e);
    return ok || tcpy_raise(C->ctx);
  }
  return tc_fill_(dst, v->x) == TC_OK || tcpy_raise(C->ctx);
}

/* x[indices] = v: the library's index_put_ (one scatter kernel), with the
 * indexed dims moved to the front of the destination and the broadcast
 * index dims to the front of the value. */
static bool index_put(tcpy_ctx *C, tc_tensor *cur, adv_set *a, ix_value *v) {
  int p0;
  int64_t out[TC_MAX_DIMS];
  if (!normalize_adv(C, cur, a)) return false;
  tc_tensor *work = adv_work(C, cur, a, &p0);
  int on = work ? result_shape(C, work, a, p0, out) : -1;
  if (on < 0) {
    tc_tensor_release(work);
    return false;
  }
  tc_ctx *ctx = tc_tensor_ctx(cur);
  tc_dtype dt = tc_tensor_dtype(cur);
  bool scalar = v->scalar;
  tc_tensor *vt = NULL;
  bool ok = true;
  if (scalar) {
    if (!(vt = tc_full(ctx, v->x, dt, on, out))) ok = tcpy_raise(C->ctx) != NULL;
  } else {
    int64_t vs[TC_MAX_DIMS], bs[TC_MAX_DIMS];
    int vn = tc_tensor_shape(v->t, vs), k = 0;
    while (k < vn - on && vs[k] == 1) k++; /* leading 1s of a larger value drop */
    int bn = on;
    memcpy(bs, out, sizeof(int64_t) * (size_t)on);
    if (!broadcast_into(bs, &bn, vs + k, vn - k) || bn != on || memcmp(bs, out, sizeof(int64_t) * (size_t)on)) {
      char vstr[160], rstr[160];
      shape_str(vstr, sizeof vstr, vs, vn);
      shape_str(rstr, sizeof rstr, out, on);
      ex_raise(C, X_RUNTIME, "shape mismatch: value tensor of shape [%s] cannot be broadcast to indexing result of "
                             "shape [%s]", vstr, rstr);
      ok = false;
    } else {
      tc_tensor *v1 = tc_reshape(v->t, vn - k, vs + k);
      tc_tensor *vb = v1 ? tc_expand(v1, on, out) : NULL;
      vt = vb ? tc_to_dtype(vb, dt) : NULL;
      tc_tensor_release(v1);
      tc_tensor_release(vb);
      if (!vt) ok = tcpy_raise(C->ctx) != NULL;
    }
  }
  if (ok) {
    int wn = tc_tensor_ndim(work), pw[TC_MAX_DIMS], pv[TC_MAX_DIMS], k = 0, m = 0;
    for (int j = 0; j < a->n; j++) pw[k++] = p0 + j;
    for (int d = 0; d < wn; d++)
      if (d < p0 || d >= p0 + a->n) pw[k++] = d;
    for (int j = 0; j < a->bnd; j++) pv[m++] = p0 + j;
    for (int d = 0; d < on; d++)
      if (d < p0 || d >= p0 + a->bnd) pv[m++] = d;
    tc_tensor *w2 = tc_permute(work, pw), *v2 = tc_permute(vt, pv);
    ok = w2 && v2 && tc_index_put_(w2, a->n, a->idx, v2, false) == TC_OK;
    if (!ok) tcpy_raise(C->ctx);
    tc_tensor_release(w2);
    tc_tensor_release(v2);
  }
  tc_tensor_release(vt);
  tc_tensor_release(work);
  return ok;
}

int tcpy_setitem(tcpy_tensor *self, PyObject *index, PyObject *value) {
  tcpy_ctx *C = self->ctx;
  if (!tcpy_check_thread(self)) return -1;
  ix_value vv, *v = &vv;
  if (!value_of(C, value, tc_tensor_dtype(self->t), v)) return -1;
  ix_plan p;
  if (!make_plan(C, self->t, index, &p)) {
    plan_free(&p);
    tc_tensor_release(v->t);
    return -1;
  }
  tc_tensor *cur = apply_basic(C, self->t, &p);
  bool ok = false;
  ix_item *first = NULL;
  for (int i = 0; i < p.n && !first; i++)
    if (p.items[i].kind == IX_ADV || p.items[i].kind == IX_MASK) first = &p.items[i];
  bool scalar = v->scalar;
  adv_set a;
  if (!cur) {
    /* error set */
  } else if (!p.nadv) {
    ok = write_into(C, cur, v);
  } else if (p.nadv == 1 && first->kind == IX_MASK && scalar) {
    /* x[mask] = value: masked_fill_, the mask with trailing dims of size 1
       broadcasting against cur (its shape checked like PyTorch first) */
    if (collect_adv(C, cur, &p, &a) && normalize_adv(C, cur, &a)) {
      adv_free(&a);
      int64_t ms[TC_MAX_DIMS];
      int k = tc_tensor_shape(first->t, ms), nd = tc_tensor_ndim(cur);
      for (int d = k; d < nd - first->pos; d++) ms[d] = 1;
      tc_tensor *m = tc_reshape(first->t, nd - first->pos, ms);
      ok = m && (tc_masked_fill_(cur, m, v->x) == TC_OK || tcpy_raise(C->ctx));
      if (!m) tcpy_raise(C->ctx);
      tc_tensor_release(m);
    }
  } else if (collect_adv(C, cur, &p, &a)) {
    ok = index_put(C, cur, &a, v);
    adv_free(&a);
  }
  tc_tensor_release(cur);
  plan_free(&p);
  tc_tensor_release(v->t);
  return ok ? 0 : -1;
}
