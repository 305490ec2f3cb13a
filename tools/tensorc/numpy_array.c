/*
 * numpy_array.c — numpy.ndarray and NumPy scalars in scripts.
 *
 * An array is a V_NDARRAY holding a CPU tc_tensor; views (indexing,
 * reshape, .T) are tensor views, so writes through them (a[0] = 99, a += 1)
 * reach every alias — other arrays and the tensors of torch.from_numpy(a)
 * and t.numpy(), as in PyTorch. Indexing follows PyTorch's rules (NumPy's
 * for the cases scripts use), with NumPy's messages; an index down to one
 * element gives a NumPy scalar.
 *
 * Operators (numpy_ops.c) follow NumPy 2's promotion (NEP 50): arrays and NumPy scalars
 * keep their dtype, Python ints and floats take the other operand's dtype
 * when they fit its kind (int64 array * 2 stays int64, int array * 2.5 and
 * int / int are float64, float32 array + 1.5 stays float32); both operands
 * are cast to the result dtype before the tensorc op. A 0-d result is a
 * scalar, as NumPy's ufuncs return. Reductions follow NumPy's dtypes (sum
 * of ints is int64, mean of ints float64, std/var with ddof=0).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "numpy.h"
#include "tensor_api.h"

static const char *fname(interp *I) { return I->calling ? I->calling->name : "method"; }

/* ---- wrapping ------------------------------------------------------------------------ */

value *ndarray_result(interp *I, tc_tensor *t) {
  if (!t) return ex_from_ctx(I);
  value *v = v_ndarray(t);
  return v ? v : ex_nomem(I);
}

value *np_scalar_of(interp *I, tc_tensor *t) {
  tc_dtype dt = tc_tensor_dtype(t);
  value *v;
  if (tc_dtype_is_floating(dt)) {
    double x = tc_item(t);
    if (tc_last_status(I->ctx) != TC_OK) return ex_from_ctx(I);
    v = v_npscalar(dt, x, 0);
  } else {
    int64_t x = tc_item_int(t);
    if (tc_last_status(I->ctx) != TC_OK) return ex_from_ctx(I);
    v = v_npscalar(dt, 0, x);
  }
  return v ? v : ex_nomem(I);
}

value *np_result(interp *I, tc_tensor *t) {
  if (!t) return ex_from_ctx(I);
  if (tc_tensor_ndim(t)) return ndarray_result(I, t);
  value *s = np_scalar_of(I, t);
  tc_tensor_release(t);
  return s;
}

bool np_is_numpy(const value *v) {
  tc_dtype dt;
  return v->kind == V_NDARRAY || v_npscalar_dtype(v, &dt);
}

tc_tensor *np_cast(interp *I, tc_tensor *t, tc_dtype dt) {
  if (dt != TC_F16 || tc_tensor_dtype(t) != TC_F64) return tc_to_dtype(t, dt);
  /* float64 -> float16 rounds once, as NumPy does (not through float32) */
  int64_t shape[TC_MAX_DIMS], n = tc_tensor_numel(t);
  int nd = tc_tensor_shape(t, shape);
  double *x = malloc(sizeof(double) * (size_t)(n ? n : 1));
  if (!x) return ex_nomem(I);
  tc_tensor *r = NULL;
  if (!n || tc_copy_to_host(t, x, sizeof(double) * (size_t)n) == TC_OK) {
    for (int64_t k = 0; k < n; k++) x[k] = np_round_to(TC_F16, x[k]);
    tc_device saved = tc_get_default_device(I->ctx);
    tc_set_default_device(I->ctx, (tc_device){TC_CPU, 0});
    tc_tensor *h = tc_from_data(I->ctx, x, TC_F64, nd, shape);
    tc_set_default_device(I->ctx, saved);
    r = tc_to_dtype(h, TC_F16);
    tc_tensor_release(h);
  }
  free(x);
  return r;
}

value *ndarray_as_tensor(interp *I, value *arr) {
  return tensor_result(I, tc_to_dtype(arr->t, tc_tensor_dtype(arr->t)));
}

value *np_coerce(interp *I, value *v) {
  if (v->kind == V_NDARRAY) return v_incref(v);
  return np_array_from(I, v, false, TC_F64, false);
}

/* A tensor value aliasing an array (for the tensor indexing code). */
static value *alias_tensor(interp *I, value *arr) {
  value *t = v_tensor(tc_tensor_retain(arr->t));
  return t ? t : ex_nomem(I);
}

/* ---- conversions with torch ---------------------------------------------------------- */

value *torch_from_numpy(interp *I, value *x) {
  if (x->kind != V_NDARRAY) return ex_raise(I, X_TYPE, "expected np.ndarray (got %s)", v_type_name(x));
  return ndarray_as_tensor(I, x);
}

value *tensor_numpy(interp *I, value *tv, bool force) {
  tc_tensor *t = tv->t;
  tc_device d = tc_tensor_device(t);
  tc_dtype dt = tc_tensor_dtype(t);
  if (d.type != TC_CPU && !force) {
    char dev[32];
    tc_device_str(d, dev, sizeof dev);
    return ex_raise(I, X_TYPE, "can't convert %s device type tensor to numpy. Use Tensor.cpu() to copy the tensor to "
                               "host memory first.", dev);
  }
  if (!np_dtype_ok(dt)) return ex_raise(I, X_TYPE, "Got unsupported ScalarType %s", dtype_torch_name(dt));
  if (d.type != TC_CPU) return ndarray_result(I, tc_cpu(t));
  return ndarray_result(I, tc_to_dtype(t, dt));
}

/* ---- errors in NumPy's words --------------------------------------------------------- */

/* Rewrites the message of the IndexError in flight from PyTorch's words. */
static void index_error_words(interp *I, value *index, int ndim) {
  if (!I->has_exc || I->exc->kind != V_EXC || I->exc->exc.type != X_INDEX || I->exc->exc.args->seq.n != 1) return;
  value *m = I->exc->exc.args->seq.items[0];
  if (m->kind != V_STR) return;
  char msg[1024];
  const char *at = strstr(m->str.s, "for dimension");
  if (at) {
    snprintf(msg, sizeof msg, "%.*sfor axis%s", (int)(at - m->str.s), m->str.s, at + strlen("for dimension"));
  } else if (!strncmp(m->str.s, "too many indices", 16)) {
    int n = 0;
    if (index->kind == V_TUPLE)
      for (int i = 0; i < index->seq.n; i++) {
        vkind k = index->seq.items[i]->kind;
        n += k != V_NONE && k != V_ELLIPSIS;
      }
    else n = 1;
    snprintf(msg, sizeof msg, "too many indices for array: array is %d-dimensional, but %d were indexed", ndim, n);
  } else {
    return;
  }
  ex_clear(I);
  ex_raise(I, X_INDEX, "%s", msg);
}

/* ---- indexing ------------------------------------------------------------------------ */

static bool has_ellipsis(value *index) {
  if (index->kind == V_ELLIPSIS) return true;
  if (index->kind == V_TUPLE)
    for (int i = 0; i < index->seq.n; i++)
      if (index->seq.items[i]->kind == V_ELLIPSIS) return true;
  return false;
}

/* ---- negative steps (a[::-1]): NumPy has them, PyTorch's views do not ---- */

/* The step of a slice with a negative step, else 0. */
static int64_t negative_step(value *x) {
  if (x->kind != V_SLICE || (x->slice.step->kind != V_INT && x->slice.step->kind != V_BOOL)) return 0;
  int64_t st = v_as_int(x->slice.step);
  return st < 0 ? st : 0;
}

static bool is_advanced(value *x) {
  return x->kind == V_LIST || x->kind == V_TUPLE || x->kind == V_NDARRAY || x->kind == V_TENSOR;
}

/* The positions a[lo:hi:step] (step < 0) picks from a dim of size len, as
 * Python's slice.indices; a new int64 CPU tensor. */
static tc_tensor *negative_positions(interp *I, value *sl, int64_t step, int64_t len) {
  int64_t lo = len - 1, hi = -1;
  if (sl->slice.lo->kind != V_NONE && !to_int(I, sl->slice.lo, "slice index", &lo)) return NULL;
  if (sl->slice.hi->kind != V_NONE && !to_int(I, sl->slice.hi, "slice index", &hi)) return NULL;
  if (sl->slice.lo->kind != V_NONE) {
    if (lo < 0) lo += len;
    lo = lo < 0 ? -1 : lo >= len ? len - 1 : lo;
  }
  if (sl->slice.hi->kind != V_NONE) {
    if (hi < 0) hi += len;
    hi = hi < 0 ? -1 : hi >= len ? len - 1 : hi;
  }
  int64_t n = lo > hi ? (lo - hi - 1) / -step + 1 : 0;
  int64_t *pos = malloc(sizeof(int64_t) * (size_t)(n ? n : 1));
  if (!pos) return ex_nomem(I);
  for (int64_t k = 0; k < n; k++) pos[k] = lo + k * step;
  tc_device saved = tc_get_default_device(I->ctx);
  tc_set_default_device(I->ctx, (tc_device){TC_CPU, 0});
  tc_tensor *t = tc_from_data(I->ctx, pos, TC_I64, 1, &n);
  tc_set_default_device(I->ctx, saved);
  free(pos);
  return t ? t : ex_from_ctx(I);
}

/* a[index] where some slice has a negative step: the index with those
 * slices as `:`, then each reversed dim picked by index_select (a copy, where
 * NumPy has a view). NULL without an exception when no step is negative. */
static value *index_negative(interp *I, value *self, value *index, bool *used) {
  bool tuple = index->kind == V_TUPLE;
  int n = tuple ? index->seq.n : 1, consumed = 0, neg = 0;
  value **items = tuple ? index->seq.items : &index;
  for (int i = 0; i < n; i++) {
    neg += negative_step(items[i]) != 0;
    consumed += items[i]->kind == V_INT || items[i]->kind == V_SLICE || items[i]->kind == V_BOOL;
  }
  *used = neg > 0;
  if (!neg) return NULL;
  for (int i = 0; i < n; i++)
    if (is_advanced(items[i]))
      return ex_raise(I, X_NOTIMPL, "tensorc does not support negative slice steps with array indices yet");
  value *plain = v_seq_new(V_TUPLE, n), *all = v_slice(v_none(), v_none(), v_none());
  if (!plain || !all) {
    v_decref(plain);
    v_decref(all);
    return ex_nomem(I);
  }
  int od[2 * TC_MAX_DIMS + 4], k = 0, dim = 0;
  for (int i = 0; i < n; i++) {
    bool rev = negative_step(items[i]) != 0;
    v_seq_set(plain, i, v_incref(rev ? all : items[i]));
    if (rev && k < (int)(sizeof od / sizeof od[0])) od[k++] = dim;
    vkind kd = items[i]->kind;
    dim += kd == V_SLICE || kd == V_NONE ? 1 : kd == V_ELLIPSIS ? tc_tensor_ndim(self->t) - consumed : 0;
  }
  v_decref(all);
  value *cur = ndarray_index(I, self, plain);
  v_decref(plain);
  for (int i = 0, j = 0; cur && i < n; i++) {
    int64_t step = negative_step(items[i]);
    if (!step) continue;
    int d = od[j++];
    tc_tensor *pos = negative_positions(I, items[i], step, tc_tensor_size(cur->t, d));
    value *next = pos ? ndarray_result(I, tc_index_select(cur->t, d, pos)) : NULL;
    tc_tensor_release(pos);
    v_decref(cur);
    cur = next;
  }
  return cur;
}

value *ndarray_index(interp *I, value *self, value *index) {
  bool neg;
  value *nr = index_negative(I, self, index, &neg);
  if (neg) return nr;
  value *tv = alias_tensor(I, self);
  value *r = tv ? tensor_index(I, tv, index) : NULL;
  v_decref(tv);
  if (!r) {
    index_error_words(I, index, tc_tensor_ndim(self->t));
    return NULL;
  }
  value *out;
  if (tc_tensor_ndim(r->t) == 0 && !has_ellipsis(index)) out = np_scalar_of(I, r->t);
  else out = ndarray_result(I, tc_tensor_retain(r->t));
  v_decref(r);
  return out;
}

bool ndarray_setitem(interp *I, value *self, value *index, value *v) {
  if (!v) return ex_raise(I, X_VALUE, "cannot delete array elements"), false;
  for (int i = 0; i < (index->kind == V_TUPLE ? index->seq.n : 1); i++)
    if (negative_step(index->kind == V_TUPLE ? index->seq.items[i] : index))
      return ex_raise(I, X_NOTIMPL, "tensorc does not support assignment through negative slice steps yet"), false;
  value *tv = alias_tensor(I, self), *src = NULL;
  if (v->kind == V_NDARRAY) src = ndarray_as_tensor(I, v);
  else if (v->kind == V_LIST || v->kind == V_TUPLE) {
    value *arr = np_array_from(I, v, false, TC_F64, false);
    src = arr ? ndarray_as_tensor(I, arr) : NULL;
    v_decref(arr);
  } else src = v_incref(v);
  bool ok = tv && src && tensor_setitem(I, tv, index, src);
  v_decref(tv);
  v_decref(src);
  if (!ok) index_error_words(I, index, tc_tensor_ndim(self->t));
  return ok;
}

int ndarray_truthy(interp *I, value *self) {
  int64_t n = tc_tensor_numel(self->t);
  if (n == 0) {
    ex_raise(I, X_VALUE, "The truth value of an empty array is ambiguous. Use `array.size > 0` to check that an "
                         "array is not empty.");
    return -1;
  }
  if (n > 1) {
    ex_raise(I, X_VALUE, "The truth value of an array with more than one element is ambiguous. Use a.any() or a.all()");
    return -1;
  }
  double x = tc_item(self->t);
  if (tc_last_status(I->ctx) != TC_OK) return ex_from_ctx(I), -1;
  return x != 0;
}

value *ndarray_iter(interp *I, value *self) {
  if (tc_tensor_ndim(self->t) == 0) return ex_raise(I, X_TYPE, "iteration over a 0-d array");
  int64_t n = tc_tensor_size(self->t, 0);
  if (n > (1 << 26)) return ex_raise(I, X_MEMORY, "array is too long to iterate");
  value *out = v_seq_new(V_LIST, (int)n);
  if (!out) return ex_nomem(I);
  for (int64_t i = 0; i < n; i++) {
    value *x = np_result(I, tc_select(self->t, 0, i));
    if (!x) {
      v_decref(out);
      return NULL;
    }
    v_seq_set(out, (int)i, x);
  }
  return out;
}

value *ndarray_len(interp *I, value *self) {
  if (tc_tensor_ndim(self->t) == 0) return ex_raise(I, X_TYPE, "len() of unsized object");
  return v_int(tc_tensor_size(self->t, 0)) ?: ex_nomem(I);
}

/* ---- reductions ------------------------------------------------------------------------ */

enum { R_SUM, R_PROD, R_MEAN, R_MAX, R_MIN, R_STD, R_VAR, R_ALL, R_ANY, R_ARGMAX, R_ARGMIN };

/* axis=None (every dim: *n = 0), an int or a tuple of ints, checked. */
static bool axes_arg(interp *I, value *v, int nd, int *dims, int *n) {
  *n = 0;
  if (!v || v->kind == V_NONE) return true;
  int64_t d;
  int k = v_is_seq(v) ? v->seq.n : 1;
  if (k > TC_MAX_DIMS) return ex_raise(I, X_VALUE, "too many axes"), false;
  for (int i = 0; i < k; i++) {
    if (!to_int(I, v_is_seq(v) ? v->seq.items[i] : v, "axis", &d)) return false;
    if (d < -nd || d >= nd || nd == 0)
      return ex_raise(I, X_VALUE, "axis %lld is out of bounds for array of dimension %d", (long long)d, nd), false;
    dims[(*n)++] = (int)(d < 0 ? d + nd : d);
  }
  return true;
}

/* Float reductions (sum, prod, mean, std, var; of ints too for the last
 * three) over every element or one axis run on the host in NumPy's order,
 * so that results match to the last bit. Every step is computed in double
 * and rounded to the dtype NumPy computes it in (exact for + - * / sqrt):
 *  - a sum along a contiguous run (the last axis, or everything) is NumPy's
 *    pairwise summation: blocks of 8 lanes up to 128 elements, halves above;
 *    along another axis the rows are added one after another; float16
 *    accumulates in float along a run and rounds at its end, and rounds
 *    every step across rows; an input cast to another
 *    dtype (ints to float64 for mean) is summed per 8192-element buffer;
 *  - mean divides in float64 (the count is an intp) and casts back; float16
 *    mean works in float32; var/std as numpy._methods._var: mean, x - mean,
 *    x * x, sum, / max(n - ddof, 0), sqrt, each step in the array's dtype. */
typedef struct lanes {
  int64_t outer, len, inner; /* the data as (outer, len, inner), reduced over len */
} lanes;

static double pairwise(const double *a, int64_t n, int64_t step, tc_dtype acc) {
  if (n < 8) {
    double r = 0;
    for (int64_t i = 0; i < n; i++) r = np_round_to(acc, r + a[i * step]);
    return r;
  }
  if (n <= 128) {
    double r[8], res;
    int64_t i;
    for (int j = 0; j < 8; j++) r[j] = a[j * step];
    for (i = 8; i < n - n % 8; i += 8)
      for (int j = 0; j < 8; j++) r[j] = np_round_to(acc, r[j] + a[(i + j) * step]);
    res = np_round_to(acc, np_round_to(acc, np_round_to(acc, r[0] + r[1]) + np_round_to(acc, r[2] + r[3])) +
                               np_round_to(acc, np_round_to(acc, r[4] + r[5]) + np_round_to(acc, r[6] + r[7])));
    for (; i < n; i++) res = np_round_to(acc, res + a[i * step]);
    return res;
  }
  int64_t n2 = n / 2;
  n2 -= n2 % 8;
  return np_round_to(acc, pairwise(a, n2, step, acc) + pairwise(a + n2 * step, n - n2, step, acc));
}

/* Sums (or multiplies) each lane of x into out[outer * inner], in the loop
 * dtype `dt` (float16 accumulating in float); `cast`: buffered input. */
static void lane_reduce(const double *x, const lanes *l, tc_dtype dt, bool cast, bool prod, double *out) {
  tc_dtype acc = dt == TC_F16 ? TC_F32 : dt;
  for (int64_t o = 0; o < l->outer; o++)
    for (int64_t j = 0; j < l->inner; j++) {
      const double *p = x + o * l->len * l->inner + j;
      double r = prod ? 1 : 0;
      if (prod || l->inner > 1) { /* across rows NumPy stores each step: float16 rounds every time */
        tc_dtype st = l->inner > 1 ? dt : acc;
        for (int64_t i = 0; i < l->len; i++) r = np_round_to(st, prod ? r * p[i * l->inner] : r + p[i * l->inner]);
      } else {
        int64_t chunk = cast ? 8192 : (l->len ? l->len : 1);
        for (int64_t k = 0; k < l->len; k += chunk)
          r = np_round_to(acc, r + pairwise(p + k, l->len - k < chunk ? l->len - k : chunk, 1, acc));
      }
      out[o * l->inner + j] = np_round_to(dt, r);
    }
}

/* The reduction of x (n values of dtype src) into out (outer * inner). */
static void host_reduce(double *x, int64_t n, tc_dtype src, const lanes *l, int tag, tc_dtype want, double ddof,
                        double *out) {
  int64_t m = l->outer * l->inner;
  if (tag == R_SUM || tag == R_PROD) {
    for (int64_t k = 0; k < n; k++) x[k] = np_round_to(want, x[k]);
    lane_reduce(x, l, want, src != want, tag == R_PROD, out);
    return;
  }
  tc_dtype mdt = tag == R_MEAN && want == TC_F16 ? TC_F32 : want; /* the mean's sum */
  if (tag == R_MEAN)
    for (int64_t k = 0; k < n; k++) x[k] = np_round_to(mdt, x[k]);
  lane_reduce(x, l, mdt, src != mdt, false, out);
  for (int64_t k = 0; k < m; k++) out[k] = np_round_to(want, out[k] / (double)l->len);
  if (tag == R_MEAN) return;
  for (int64_t o = 0; o < l->outer; o++) /* x = (x - mean) ** 2 */
    for (int64_t i = 0; i < l->len; i++)
      for (int64_t j = 0; j < l->inner; j++) {
        double *p = x + (o * l->len + i) * l->inner + j;
        double d = np_round_to(want, *p - out[o * l->inner + j]);
        *p = np_round_to(want, d * d);
      }
  lane_reduce(x, l, want, false, false, out);
  double div = (double)l->len - ddof > 0 ? (double)l->len - ddof : 0;
  for (int64_t k = 0; k < m; k++) {
    out[k] = np_round_to(want, out[k] / div);
    if (tag == R_STD) out[k] = np_round_to(want, sqrt(out[k]));
  }
}

/* The host path of m_reduce for `dims` (none: every element, or one);
 * NULL with no exception when it does not apply. */
static value *host_reduction(interp *I, tc_tensor *t, int tag, tc_dtype want, const int *dims, int nd_red, bool keep,
                             double ddof) {
  tc_dtype src = tc_tensor_dtype(t);
  if (nd_red > 1 || !tc_dtype_is_floating(want) || tc_tensor_numel(t) > (1 << 26) ||
      !(tag == R_SUM || tag == R_PROD || tag == R_MEAN || tag == R_STD || tag == R_VAR))
    return NULL;
  if ((tag == R_STD || tag == R_VAR) && want != (tc_dtype_is_floating(src) ? src : TC_F64)) return NULL;
  int64_t shape[TC_MAX_DIMS], oshape[TC_MAX_DIMS], n = tc_tensor_numel(t);
  int nd = tc_tensor_shape(t, shape), ond = 0;
  lanes l = {1, n, 1};
  if (nd_red == 1) {
    l.len = shape[dims[0]];
    for (int d = 0; d < nd; d++) {
      if (d < dims[0]) l.outer *= shape[d];
      if (d > dims[0]) l.inner *= shape[d];
      if (d != dims[0] || keep) oshape[ond++] = d == dims[0] ? 1 : shape[d];
    }
  } else if (keep) {
    for (int d = 0; d < nd; d++) oshape[ond++] = 1;
  }
  int64_t m = l.outer * l.inner;
  double *x = malloc(sizeof(double) * (size_t)(n ? n : 1)), *out = malloc(sizeof(double) * (size_t)(m ? m : 1));
  tc_tensor *c = tc_to_dtype(t, TC_F64);
  bool ok = x && out && c && (!n || tc_copy_to_host(c, x, sizeof(double) * (size_t)n) == TC_OK);
  tc_tensor_release(c);
  value *r = NULL;
  if (!ok) {
    x && out ? ex_from_ctx(I) : ex_nomem(I);
  } else {
    host_reduce(x, n, src, &l, tag, want, ddof, out);
    tc_device saved = tc_get_default_device(I->ctx);
    tc_set_default_device(I->ctx, (tc_device){TC_CPU, 0});
    tc_tensor *h = tc_from_data(I->ctx, out, TC_F64, ond, oshape);
    tc_set_default_device(I->ctx, saved);
    r = np_result(I, h ? tc_to_dtype(h, want) : NULL);
    tc_tensor_release(h);
  }
  free(x);
  free(out);
  return r ? r : I->has_exc ? NULL : ex_nomem(I);
}

static value *m_reduce(interp *I, value *self, call_args *a) {
  static const char *const kw[] = {"axis", "dtype", "out", "keepdims", "ddof", NULL};
  static const char *const ufunc[] = {"add", "multiply", "mean", "maximum", "minimum"};
  int tag = (int)I->calling->tag, nd = tc_tensor_ndim(self->t), dims[TC_MAX_DIMS], n;
  value *ax = NULL, *dtv = NULL, *out = NULL, *kd = NULL, *ddofv = NULL;
  bool keep = false;
  double ddof = 0;
  if (!args_check(I, a, fname(I), 1, kw) || !arg_get(I, a, fname(I), 0, "axis", &ax) ||
      !arg_get(I, a, fname(I), -1, "dtype", &dtv) || !arg_get(I, a, fname(I), -1, "out", &out) ||
      !arg_get(I, a, fname(I), -1, "keepdims", &kd) || !arg_get(I, a, fname(I), -1, "ddof", &ddofv))
    return NULL;
  if (out && out->kind != V_NONE)
    return ex_raise(I, X_NOTIMPL, "tensorc does not support out= in numpy.ndarray.%s", fname(I));
  if ((kd && !to_bool(I, kd, &keep)) || (ddofv && !to_double(I, ddofv, "ddof", &ddof))) return NULL;
  if (!axes_arg(I, ax, nd, dims, &n)) return NULL;
  if ((tag == R_ARGMAX || tag == R_ARGMIN) && n > 1)
    return ex_raise(I, X_TYPE, "'tuple' object cannot be interpreted as an integer");
  tc_dtype dt = tc_tensor_dtype(self->t), want = dt;
  if (dtv && dtv->kind != V_NONE && !np_dtype_from_value(I, dtv, &want)) return NULL;
  if ((tag == R_MEAN || tag == R_STD || tag == R_VAR) && !tc_dtype_is_floating(want)) want = TC_F64;
  if (tc_tensor_numel(self->t) == 0 && (tag == R_MAX || tag == R_MIN))
    return ex_raise(I, X_VALUE, "zero-size array to reduction operation %s which has no identity", ufunc[tag]);
  if (tc_tensor_numel(self->t) == 0 && (tag == R_ARGMAX || tag == R_ARGMIN))
    return ex_raise(I, X_VALUE, "attempt to get %s of an empty sequence", tag == R_ARGMAX ? "argmax" : "argmin");
  value *hr = host_reduction(I, self->t, tag, want, dims, n, keep, ddof);
  if (hr || I->has_exc) return hr;
  if (tag == R_ALL || tag == R_ANY || ((tag == R_ARGMAX || tag == R_ARGMIN) && want == TC_BOOL))
    want = tag == R_ALL || tag == R_ANY ? TC_BOOL : TC_U8; /* all/any give bools; argmax of bools as uint8 */
  tc_tensor *t = tc_to_dtype(self->t, want), *r = NULL;
  const int *dp = n ? dims : NULL;
  switch (tag) {
  case R_SUM: r = tc_sum(t, dp, n, keep); break;
  case R_PROD: r = tc_prod(t, dp, n, keep); break;
  case R_MEAN: r = tc_mean(t, dp, n, keep); break;
  case R_MAX: r = tc_amax(t, dp, n, keep); break;
  case R_MIN: r = tc_amin(t, dp, n, keep); break;
  case R_STD: r = tc_std(t, dp, n, ddof, keep); break;
  case R_VAR: r = tc_var(t, dp, n, ddof, keep); break;
  case R_ALL: r = tc_all(t, dp, n, keep); break;
  case R_ANY: r = tc_any(t, dp, n, keep); break;
  default: r = (tag == R_ARGMAX ? tc_argmax : tc_argmin)(t, n > 0, n ? dims[0] : 0, keep && n > 0); break;
  }
  tc_tensor_release(t);
  return np_result(I, r);
}

/* ---- methods ------------------------------------------------------------------------------ */

static bool no_args(interp *I, call_args *a) { return args_check(I, a, fname(I), 0, NULL); }

static value *m_copy(interp *I, value *self, call_args *a) {
  static const char *const kw[] = {"order", NULL};
  if (!args_check(I, a, "copy", 1, kw)) return NULL;
  return ndarray_result(I, tc_clone(self->t));
}

static value *m_astype(interp *I, value *self, call_args *a) {
  static const char *const kw[] = {"dtype", "order", "casting", "subok", "copy", NULL};
  value *dv = NULL, *cv = NULL;
  bool copy = true;
  tc_dtype dt;
  if (!args_check(I, a, "astype", 1, kw) || !arg_get(I, a, "astype", 0, "dtype", &dv) ||
      !arg_get(I, a, "astype", -1, "copy", &cv) || (cv && !to_bool(I, cv, &copy)))
    return NULL;
  if (!dv) return ex_raise(I, X_TYPE, "astype() missing required argument 'dtype' (pos 1)");
  if (!np_dtype_from_value(I, dv, &dt)) return NULL;
  if (dt != tc_tensor_dtype(self->t)) return ndarray_result(I, np_cast(I, self->t, dt));
  return copy ? ndarray_result(I, tc_clone(self->t)) : v_incref(self);
}

static value *m_tolist(interp *I, value *self, call_args *a) { return no_args(I, a) ? tensor_tolist(I, self->t) : NULL; }

static value *m_item(interp *I, value *self, call_args *a) {
  if (!no_args(I, a)) return NULL;
  if (tc_tensor_numel(self->t) != 1) return ex_raise(I, X_VALUE, "can only convert an array of size 1 to a Python scalar");
  return tensor_item(I, self->t);
}

static value *m_fill(interp *I, value *self, call_args *a) {
  double x;
  if (a->nargs != 1 || a->nkw) return ex_raise(I, X_TYPE, "fill() takes exactly one argument (%d given)", a->nargs);
  if (!to_double(I, a->args[0], "value", &x)) return NULL;
  if (tc_fill_(self->t, x) != TC_OK) return ex_from_ctx(I);
  return v_none();
}

/* NumPy's checks and messages for a new shape. */
static bool reshape_check(interp *I, tc_tensor *t, int nd, const int64_t *shape) {
  int64_t n = tc_tensor_numel(t), prod = 1;
  int unknown = 0;
  for (int d = 0; d < nd; d++) {
    if (shape[d] == -1) unknown++;
    else if (shape[d] < 0) return ex_raise(I, X_VALUE, "negative dimensions not allowed"), false;
    else prod *= shape[d];
  }
  if (unknown > 1) return ex_raise(I, X_VALUE, "can only specify one unknown dimension"), false;
  if (unknown ? (prod != 0 && n % prod == 0) : prod == n) return true;
  char text[256];
  size_t k = (size_t)snprintf(text, sizeof text, "(");
  for (int d = 0; d < nd && k < sizeof text; d++)
    k += shape[d] == -1 ? (size_t)snprintf(text + k, sizeof text - k, "%snewaxis", d ? "," : "")
                        : (size_t)snprintf(text + k, sizeof text - k, "%s%lld", d ? "," : "", (long long)shape[d]);
  if (k < sizeof text) snprintf(text + k, sizeof text - k, nd == 1 ? ",)" : ")");
  return ex_raise(I, X_VALUE, "cannot reshape array of size %lld into shape %s", (long long)n, text), false;
}

static value *m_reshape(interp *I, value *self, call_args *a) {
  static const char *const kw[] = {"shape", "order", "copy", NULL};
  int nd;
  int64_t shape[TC_MAX_DIMS];
  value *sv = NULL;
  if (!args_check(I, a, "reshape", TC_MAX_DIMS, kw) || !arg_get(I, a, "reshape", -1, "shape", &sv)) return NULL;
  if (sv ? !shape_from_value(I, sv, "reshape", &nd, shape) : !shape_from_args(I, a, 0, "reshape", &nd, shape)) return NULL;
  if (!reshape_check(I, self->t, nd, shape)) return NULL;
  return ndarray_result(I, tc_reshape(self->t, nd, shape));
}

static value *m_ravel(interp *I, value *self, call_args *a) {
  static const char *const kw[] = {"order", NULL};
  int64_t all = -1;
  if (!args_check(I, a, fname(I), 1, kw)) return NULL;
  if (I->calling->tag == 0) return ndarray_result(I, tc_reshape(self->t, 1, &all));
  tc_tensor *c = tc_clone(self->t); /* flatten: always a copy */
  tc_tensor *r = tc_reshape(c, 1, &all);
  tc_tensor_release(c);
  return ndarray_result(I, r);
}

static value *m_transpose(interp *I, value *self, call_args *a) {
  int nd = tc_tensor_ndim(self->t), perm[TC_MAX_DIMS], n = 0;
  if (a->nkw) return ex_raise(I, X_TYPE, "transpose() takes no keyword arguments");
  value *axes = a->nargs == 1 && v_is_seq(a->args[0]) ? a->args[0] : NULL;
  if (a->nargs && !(a->nargs == 1 && a->args[0]->kind == V_NONE)) {
    call_args one = {axes ? axes->seq.items : a->args, axes ? axes->seq.n : a->nargs, NULL, NULL, 0};
    if (one.nargs != nd) return ex_raise(I, X_VALUE, "axes don't match array");
    for (int i = 0; i < one.nargs; i++) {
      int64_t d;
      if (!to_int(I, one.args[i], "axis", &d)) return NULL;
      if (d < -nd || d >= nd)
        return ex_raise(I, X_VALUE, "axis %lld is out of bounds for array of dimension %d", (long long)d, nd);
      perm[n++] = (int)(d < 0 ? d + nd : d);
    }
  } else {
    for (int i = 0; i < nd; i++) perm[n++] = nd - 1 - i;
  }
  return ndarray_result(I, tc_permute(self->t, perm));
}

static value *m_squeeze(interp *I, value *self, call_args *a) {
  static const char *const kw[] = {"axis", NULL};
  value *ax = NULL;
  int dims[TC_MAX_DIMS], n, nd = tc_tensor_ndim(self->t);
  if (!args_check(I, a, "squeeze", 1, kw) || !arg_get(I, a, "squeeze", 0, "axis", &ax) || !axes_arg(I, ax, nd, dims, &n))
    return NULL;
  if (!n) return ndarray_result(I, tc_squeeze_all(self->t));
  for (int i = 0; i < n; i++)
    if (tc_tensor_size(self->t, dims[i]) != 1)
      return ex_raise(I, X_VALUE, "cannot select an axis to squeeze out which has size not equal to one");
  tc_tensor *cur = tc_tensor_retain(self->t);
  for (int d = nd - 1; d >= 0 && cur; d--) { /* from the last: earlier dims keep their index */
    bool pick = false;
    for (int i = 0; i < n; i++) pick |= dims[i] == d;
    if (!pick) continue;
    tc_tensor *next = tc_squeeze(cur, d);
    tc_tensor_release(cur);
    cur = next;
  }
  return ndarray_result(I, cur);
}

static value *m_swapaxes(interp *I, value *self, call_args *a) {
  int64_t x, y;
  int nd = tc_tensor_ndim(self->t);
  if (a->nargs != 2 || a->nkw) return ex_raise(I, X_TYPE, "swapaxes() takes exactly 2 arguments (%d given)", a->nargs);
  if (!to_int(I, a->args[0], "axis1", &x) || !to_int(I, a->args[1], "axis2", &y)) return NULL;
  if (x < -nd || x >= nd || y < -nd || y >= nd)
    return ex_raise(I, X_VALUE, "axis %lld is out of bounds for array of dimension %d",
                    (long long)(x < -nd || x >= nd ? x : y), nd);
  return ndarray_result(I, tc_transpose(self->t, (int)x, (int)y));
}

static const builtin_def ndarray_methods[] = {
    {"sum", m_reduce, R_SUM, 0}, {"prod", m_reduce, R_PROD, 0}, {"mean", m_reduce, R_MEAN, 0},
    {"max", m_reduce, R_MAX, 0}, {"min", m_reduce, R_MIN, 0}, {"std", m_reduce, R_STD, 0},
    {"var", m_reduce, R_VAR, 0}, {"all", m_reduce, R_ALL, 0}, {"any", m_reduce, R_ANY, 0},
    {"argmax", m_reduce, R_ARGMAX, 0}, {"argmin", m_reduce, R_ARGMIN, 0}, {"copy", m_copy, 0, 0},
    {"astype", m_astype, 0, 0}, {"tolist", m_tolist, 0, 0}, {"item", m_item, 0, 0}, {"fill", m_fill, 0, 0},
    {"reshape", m_reshape, 0, 0}, {"ravel", m_ravel, 0, 0}, {"flatten", m_ravel, 1, 0},
    {"transpose", m_transpose, 0, 0}, {"squeeze", m_squeeze, 0, 0}, {"swapaxes", m_swapaxes, 0, 0},
    {NULL, NULL, 0, 0}};

/* ndarray attributes NumPy has and tensorc does not (NotImplementedError
 * rather than AttributeError). `device` is not here: NumPy before 2.0 has
 * no ndarray.device, and the seed document relies on that. */
static const char *const ndarray_missing[] = {
    "argpartition", "argsort", "base", "byteswap", "choose", "clip", "compress", "conj", "conjugate", "ctypes",
    "cumprod", "cumsum", "data", "diagonal", "dot", "dump", "dumps", "flags", "flat", "getfield", "imag",
    "itemset", "mT", "newbyteorder", "nonzero", "partition", "ptp", "put", "real", "repeat", "resize", "round",
    "searchsorted", "setfield", "setflags", "sort", "take", "tobytes", "tofile", "trace", "view", "to_device",
    NULL};

value *ndarray_getattr(interp *I, value *self, const char *name) {
  tc_tensor *t = self->t;
  int64_t shape[TC_MAX_DIMS], st[TC_MAX_DIMS];
  int nd = tc_tensor_shape(t, shape);
  int64_t item = (int64_t)tc_dtype_size(tc_tensor_dtype(t));
  if (!strcmp(name, "dtype")) return v_npdtype(tc_tensor_dtype(t)) ?: ex_nomem(I);
  if (!strcmp(name, "shape") || !strcmp(name, "strides")) {
    bool strides = name[1] == 't';
    if (strides) tc_tensor_strides(t, st);
    value *r = v_seq_new(V_TUPLE, nd);
    for (int d = 0; r && d < nd; d++) {
      value *x = v_int(strides ? st[d] * item : shape[d]);
      if (!x) {
        v_decref(r);
        return ex_nomem(I);
      }
      v_seq_set(r, d, x);
    }
    return r ? r : ex_nomem(I);
  }
  if (!strcmp(name, "ndim")) return v_int(nd) ?: ex_nomem(I);
  if (!strcmp(name, "size")) return v_int(tc_tensor_numel(t)) ?: ex_nomem(I);
  if (!strcmp(name, "itemsize")) return v_int(item) ?: ex_nomem(I);
  if (!strcmp(name, "nbytes")) return v_int(item * tc_tensor_numel(t)) ?: ex_nomem(I);
  if (!strcmp(name, "T")) {
    int perm[TC_MAX_DIMS];
    for (int d = 0; d < nd; d++) perm[d] = nd - 1 - d;
    return ndarray_result(I, tc_permute(t, perm));
  }
  for (const builtin_def *d = ndarray_methods; d->name; d++)
    if (!strcmp(d->name, name)) return v_builtin(d, self) ?: ex_nomem(I);
  for (int i = 0; ndarray_missing[i]; i++)
    if (!strcmp(ndarray_missing[i], name))
      return ex_raise(I, X_NOTIMPL, "tensorc does not support numpy.ndarray.%s yet", name);
  return ex_raise(I, X_ATTRIBUTE, "'numpy.ndarray' object has no attribute '%s'", name);
}

/* ---- NumPy scalars ------------------------------------------------------------------------- */

static value *s_item(interp *I, value *self, call_args *a) {
  if (!no_args(I, a)) return NULL;
  if (self->kind == V_BOOL) return v_bool(self->b);
  return (self->kind == V_INT ? v_int(self->i) : v_float(self->f)) ?: ex_nomem(I);
}

static const builtin_def scalar_methods[] = {{"item", s_item, 0, 0}, {"tolist", s_item, 0, 0}, {NULL, NULL, 0, 0}};

value *npscalar_getattr(interp *I, value *self, const char *name) {
  tc_dtype dt;
  if (!v_npscalar_dtype(self, &dt)) return NULL;
  if (!strcmp(name, "dtype")) return v_npdtype(dt) ?: ex_nomem(I);
  if (!strcmp(name, "shape")) return v_seq_new(V_TUPLE, 0) ?: ex_nomem(I);
  if (!strcmp(name, "ndim")) return v_int(0) ?: ex_nomem(I);
  if (!strcmp(name, "size")) return v_int(1) ?: ex_nomem(I);
  if (!strcmp(name, "itemsize") || !strcmp(name, "nbytes")) return v_int((int64_t)tc_dtype_size(dt)) ?: ex_nomem(I);
  for (const builtin_def *d = scalar_methods; d->name; d++)
    if (!strcmp(d->name, name)) return v_builtin(d, self) ?: ex_nomem(I);
  return NULL;
}
