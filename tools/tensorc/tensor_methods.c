/*
 * tensor_methods.c — Tensor attributes (shape, dtype, device, T, ndim...)
 * and the methods that are not math: sizes and strides, item/tolist, casts
 * and .to(), numpy() (an array sharing memory; numpy_array.c), views and
 * movement (view, reshape, permute, expand, repeat, squeeze...),
 * clone/contiguous, in-place writes (fill_, zero_, copy_, and NAME_ for
 * every elementwise NAME), and the lookup that makes one table
 * serve as both `t.NAME(...)` and `torch.NAME(t, ...)`.
 */
#include <stdlib.h>
#include <string.h>

#include "numpy.h"
#include "tensor_api.h"

static const char *fname(interp *I) { return I->calling ? I->calling->name : "method"; }

static bool no_args(interp *I, call_args *a) { return args_check(I, a, fname(I), 0, NULL); }

static int clamp_dim(int64_t d) { return (int)(d < -1000 ? -1000 : d > 1000 ? 1000 : d); }

/* ---- item and tolist --------------------------------------------------------- */

value *tensor_item(interp *I, tc_tensor *t) {
  tc_dtype dt = tc_tensor_dtype(t);
  if (tc_dtype_is_floating(dt)) {
    double x = tc_item(t);
    if (tc_last_status(I->ctx) != TC_OK) return ex_from_ctx(I);
    return v_float(x);
  }
  int64_t x = tc_item_int(t);
  if (tc_last_status(I->ctx) != TC_OK) return ex_from_ctx(I);
  return dt == TC_BOOL ? v_bool(x != 0) : v_int(x);
}

static value *build_list(interp *I, const void *data, tc_dtype kind, const int64_t *shape, int ndim, int64_t *pos) {
  if (ndim == 0) {
    int64_t k = (*pos)++;
    if (kind == TC_F64) return v_float(((const double *)data)[k]);
    if (kind == TC_BOOL) return v_bool(((const bool *)data)[k]);
    return v_int(((const int64_t *)data)[k]);
  }
  value *l = v_seq_new(V_LIST, (int)shape[0]);
  if (!l) return NULL;
  for (int64_t i = 0; i < shape[0]; i++) {
    value *x = build_list(I, data, kind, shape + 1, ndim - 1, pos);
    if (!x) {
      v_decref(l);
      return NULL;
    }
    v_seq_set(l, (int)i, x);
  }
  return l;
}

value *tensor_tolist(interp *I, tc_tensor *t) {
  tc_dtype dt = tc_tensor_dtype(t);
  tc_dtype kind = dt == TC_BOOL ? TC_BOOL : tc_dtype_is_floating(dt) ? TC_F64 : TC_I64;
  int64_t n = tc_tensor_numel(t);
  if (n > (1 << 26)) return ex_raise(I, X_MEMORY, "tensor is too large for tolist()");
  tc_tensor *c = dt == kind ? tc_tensor_retain(t) : tc_to_dtype(t, kind);
  if (!c) return ex_from_ctx(I);
  size_t bytes = (size_t)(n ? n : 1) * tc_dtype_size(kind);
  void *buf = malloc(bytes);
  if (!buf) {
    tc_tensor_release(c);
    return ex_nomem(I);
  }
  tc_status st = tc_copy_to_host(c, buf, bytes);
  tc_tensor_release(c);
  value *r = NULL;
  if (st != TC_OK) {
    ex_from_ctx(I);
  } else {
    int64_t shape[TC_MAX_DIMS], pos = 0;
    int nd = tc_tensor_shape(t, shape);
    r = build_list(I, buf, kind, shape, nd, &pos);
    if (!r) ex_nomem(I);
  }
  free(buf);
  return r;
}

static value *m_item(interp *I, value *self, call_args *a) { return no_args(I, a) ? tensor_item(I, self->t) : NULL; }
static value *m_tolist(interp *I, value *self, call_args *a) { return no_args(I, a) ? tensor_tolist(I, self->t) : NULL; }

/* ---- sizes ------------------------------------------------------------------- */

static value *dim_arg(interp *I, call_args *a, int *d, bool *has) {
  static const char *const kw[] = {"dim", NULL};
  value *dim = NULL;
  *has = false;
  if (!args_check(I, a, fname(I), 1, kw) || !arg_get(I, a, fname(I), 0, "dim", &dim)) return NULL;
  if (dim && dim->kind != V_NONE) {
    int64_t x;
    if (!to_int(I, dim, "dim", &x)) return NULL;
    *d = clamp_dim(x);
    *has = true;
  }
  return v_none();
}

static value *dim_error(interp *I, int nd, int d) {
  int lo = nd ? -nd : -1, hi = nd ? nd - 1 : 0;
  return ex_raise(I, X_INDEX, "Dimension out of range (expected to be in range of [%d, %d], but got %d)", lo, hi, d);
}

static value *m_size(interp *I, value *self, call_args *a) {
  int d;
  bool has;
  if (!dim_arg(I, a, &d, &has)) return NULL;
  int64_t shape[TC_MAX_DIMS];
  int nd = tc_tensor_shape(self->t, shape);
  if (!has) return v_size_from(shape, nd);
  if (d < -(nd ? nd : 1) || d >= (nd ? nd : 1)) return dim_error(I, nd, d);
  if (nd == 0) return dim_error(I, nd, d);
  return v_int(shape[d < 0 ? d + nd : d]);
}

static value *m_stride(interp *I, value *self, call_args *a) {
  int d;
  bool has;
  if (!dim_arg(I, a, &d, &has)) return NULL;
  int64_t st[TC_MAX_DIMS];
  int nd = tc_tensor_strides(self->t, st);
  if (has) {
    if (d < -nd || d >= nd || nd == 0) return dim_error(I, nd, d);
    return v_int(st[d < 0 ? d + nd : d]);
  }
  value *t = v_seq_new(V_TUPLE, nd);
  for (int i = 0; t && i < nd; i++) v_seq_set(t, i, v_int(st[i]));
  return t;
}

static value *m_info(interp *I, value *self, call_args *a) {
  if (!no_args(I, a)) return NULL;
  tc_tensor *t = self->t;
  switch (I->calling->tag) {
  case 0: return v_int(tc_tensor_ndim(t));
  case 1: return v_int(tc_tensor_numel(t));
  case 2: return v_int((int64_t)tc_dtype_size(tc_tensor_dtype(t)));
  case 3: return v_bool(tc_tensor_is_contiguous(t));
  case 4: return v_int(tc_tensor_storage_offset(t));
  case 5: return v_bool(tc_dtype_is_floating(tc_tensor_dtype(t)));
  default: return v_none();
  }
}

/* ---- casts and devices ---------------------------------------------------------- */

static value *m_cast(interp *I, value *self, call_args *a) {
  static const char *const kw[] = {"memory_format", NULL};
  if (!args_check(I, a, fname(I), 0, kw)) return NULL;
  return tensor_result(I, tc_to_dtype(self->t, (tc_dtype)I->calling->tag));
}

static value *m_to(interp *I, value *self, call_args *a) {
  static const char *const kw[] = {"dtype", "device", "non_blocking", "copy", "memory_format", NULL};
  if (!args_check(I, a, "to", 4, kw)) return NULL;
  bool has_dt = false, has_dev = false, copy = false, nb = false;
  tc_dtype dt = tc_tensor_dtype(self->t);
  tc_device dev = tc_tensor_device(self->t);
  tc_device_type type;
  int index, nbools = 0;
  value *v;
  for (int i = 0; i < a->nargs; i++) {
    v = a->args[i];
    if (v->kind == V_DTYPE) {
      dt = v->dt;
      has_dt = true;
    } else if (v->kind == V_TENSOR) { /* to(other): other's dtype and device */
      dt = tc_tensor_dtype(v->t);
      dev = tc_tensor_device(v->t);
      has_dt = has_dev = true;
    } else if (v->kind == V_STR || v->kind == V_DEVICE || (v->kind == V_INT && i == 0)) {
      if (!device_from_value(I, v, &type, &index)) return NULL;
      dev = device_of(type, index);
      has_dev = true;
    } else if (v->kind == V_BOOL) { /* non_blocking, copy */
      if (nbools++) copy = v->b;
      else nb = v->b;
    } else {
      return ex_raise(I, X_TYPE, "to() received an invalid combination of arguments - got (%s)", v_type_name(v));
    }
  }
  if (!arg_get(I, a, "to", -1, "dtype", &v)) return NULL;
  if (v && v->kind != V_NONE) {
    if (!dtype_from_value(I, v, &dt)) return NULL;
    has_dt = true;
  }
  if (!arg_get(I, a, "to", -1, "device", &v)) return NULL;
  if (v && v->kind != V_NONE) {
    if (!device_from_value(I, v, &type, &index)) return NULL;
    dev = device_of(type, index);
    has_dev = true;
  }
  if (!arg_get(I, a, "to", -1, "copy", &v) || (v && !to_bool(I, v, &copy))) return NULL;
  if (!arg_get(I, a, "to", -1, "non_blocking", &v) || (v && !to_bool(I, v, &nb))) return NULL;
  tc_device cur = tc_tensor_device(self->t);
  bool move = has_dev && (dev.type != cur.type || dev.index != cur.index);
  bool cast = has_dt && dt != tc_tensor_dtype(self->t);
  if (!move && !cast && !copy) return v_incref(self); /* PyTorch returns self */
  tc_tensor *x = move ? tc_to(self->t, dev, nb) : copy ? tc_clone(self->t) : tc_tensor_retain(self->t);
  if (x && cast) {
    tc_tensor *c = tc_to_dtype(x, dt);
    tc_tensor_release(x);
    x = c;
  }
  return tensor_result(I, x);
}

static value *m_cpu(interp *I, value *self, call_args *a) {
  static const char *const kw[] = {"memory_format", NULL};
  if (!args_check(I, a, "cpu", 0, kw)) return NULL;
  if (tc_tensor_device(self->t).type == TC_CPU) return v_incref(self);
  return tensor_result(I, tc_cpu(self->t));
}

static value *m_cuda(interp *I, value *self, call_args *a) {
  static const char *const kw[] = {"device", "non_blocking", "memory_format", NULL};
  value *d = NULL, *n = NULL;
  bool nb = false;
  if (!args_check(I, a, "cuda", 2, kw) || !arg_get(I, a, "cuda", 0, "device", &d) ||
      !arg_get(I, a, "cuda", 1, "non_blocking", &n) || (n && !to_bool(I, n, &nb)))
    return NULL;
  tc_device dev = {TC_CUDA, 0};
  if (d && d->kind != V_NONE) {
    tc_device_type type;
    int index;
    if (!device_from_value(I, d, &type, &index)) return NULL;
    if (type != TC_CUDA) return ex_raise(I, X_RUNTIME, "Invalid device, must be cuda device");
    dev = device_of(type, index);
  }
  tc_device cur = tc_tensor_device(self->t);
  if (cur.type == dev.type && cur.index == dev.index) return v_incref(self);
  return tensor_result(I, tc_to(self->t, dev, nb));
}

static value *m_pin(interp *I, value *self, call_args *a) {
  if (!no_args(I, a)) return NULL;
  if (I->calling->tag) return v_bool(tc_is_pinned(self->t));
  return tensor_result(I, tc_pin_memory(self->t));
}

static value *m_numpy(interp *I, value *self, call_args *a) {
  static const char *const kw[] = {"force", NULL};
  value *f = NULL;
  bool force = false;
  if (!args_check(I, a, "numpy", 0, kw) || !arg_get(I, a, "numpy", -1, "force", &f) || (f && !to_bool(I, f, &force)))
    return NULL;
  return tensor_numpy(I, self, force);
}

static value *m_type_as(interp *I, value *self, call_args *a) {
  if (a->nargs != 1 || a->args[0]->kind != V_TENSOR) return ex_raise(I, X_TYPE, "type_as() expects one tensor");
  return tensor_result(I, tc_to_dtype(self->t, tc_tensor_dtype(a->args[0]->t)));
}

/* ---- movement ------------------------------------------------------------------- */

static value *m_view_reshape(interp *I, value *self, call_args *a) {
  static const char *const kw[] = {"shape", "size", NULL};
  const char *name = fname(I);
  int nd;
  int64_t shape[TC_MAX_DIMS];
  if (!args_check(I, a, name, TC_MAX_DIMS, kw)) return NULL;
  if (a->nargs == 1 && a->args[0]->kind == V_DTYPE)
    return ex_raise(I, X_NOTIMPL, "tensorc does not support view(dtype) yet");
  if (a->nkw && !a->nargs) {
    if (!shape_from_value(I, a->kwvals[0], name, &nd, shape)) return NULL;
  } else if (!shape_from_args(I, a, 0, name, &nd, shape)) {
    return NULL;
  }
  bool view = I->calling->tag == 0;
  return tensor_result(I, (view ? tc_view : tc_reshape)(self->t, nd, shape));
}

static value *m_as(interp *I, value *self, call_args *a) {
  if (a->nargs != 1 || a->nkw || a->args[0]->kind != V_TENSOR)
    return ex_raise(I, X_TYPE, "%s(): argument 'other' (position 1) must be Tensor", fname(I));
  int64_t shape[TC_MAX_DIMS];
  int nd = tc_tensor_shape(a->args[0]->t, shape);
  switch (I->calling->tag) {
  case 0: return tensor_result(I, tc_view(self->t, nd, shape));
  case 1: return tensor_result(I, tc_reshape(self->t, nd, shape));
  default: return tensor_result(I, tc_expand(self->t, nd, shape));
  }
}

static value *m_expand(interp *I, value *self, call_args *a) {
  static const char *const kw[] = {"size", NULL};
  int nd;
  int64_t shape[TC_MAX_DIMS];
  if (!args_check(I, a, "expand", TC_MAX_DIMS, kw)) return NULL;
  if (a->nkw && !a->nargs) {
    if (!shape_from_value(I, a->kwvals[0], "expand", &nd, shape)) return NULL;
  } else if (!shape_from_args(I, a, 0, "expand", &nd, shape)) {
    return NULL;
  }
  return tensor_result(I, tc_expand(self->t, nd, shape));
}

static value *m_permute(interp *I, value *self, call_args *a) {
  static const char *const kw[] = {"dims", NULL};
  int nd = tc_tensor_ndim(self->t), n, perm[TC_MAX_DIMS];
  if (!args_check(I, a, "permute", TC_MAX_DIMS, kw)) return NULL;
  value *v = a->nargs == 1 ? a->args[0] : a->nkw ? a->kwvals[0] : NULL;
  if (v && v_is_seq(v)) {
    if (!dims_from_value(I, v, &n, perm)) return NULL;
  } else {
    n = a->nargs;
    if (n > TC_MAX_DIMS) return ex_raise(I, X_RUNTIME, "too many dims");
    for (int i = 0; i < n; i++) {
      int64_t d;
      if (!to_int(I, a->args[i], "dim", &d)) return NULL;
      perm[i] = clamp_dim(d);
    }
  }
  if (n != nd)
    return ex_raise(I, X_RUNTIME,
                    "permute(sparse_coo): number of dimensions in the tensor input does not match the length of "
                    "the desired ordering of dimensions i.e. input.dim() = %d is not equal to len(dims) = %d",
                    nd, n);
  return tensor_result(I, tc_permute(self->t, perm));
}

static value *m_two_dims(interp *I, value *self, call_args *a) {
  static const char *const kw[] = {"dim0", "dim1", NULL};
  value *x = NULL, *y = NULL;
  int64_t d0, d1;
  if (!args_check(I, a, fname(I), 2, kw) || !arg_get(I, a, fname(I), 0, "dim0", &x) ||
      !arg_get(I, a, fname(I), 1, "dim1", &y))
    return NULL;
  if (!x || !y) return ex_raise(I, X_TYPE, "%s() missing required arguments 'dim0' and 'dim1'", fname(I));
  if (!to_int(I, x, "dim0", &d0) || !to_int(I, y, "dim1", &d1)) return NULL;
  return tensor_result(I, tc_transpose(self->t, clamp_dim(d0), clamp_dim(d1)));
}

static value *m_t(interp *I, value *self, call_args *a) { return no_args(I, a) ? tensor_result(I, tc_t(self->t)) : NULL; }

static value *m_squeeze(interp *I, value *self, call_args *a) {
  int d;
  bool has;
  if (!dim_arg(I, a, &d, &has)) return NULL;
  return tensor_result(I, has ? tc_squeeze(self->t, d) : tc_squeeze_all(self->t));
}

static value *m_unsqueeze(interp *I, value *self, call_args *a) {
  int d;
  bool has;
  if (!dim_arg(I, a, &d, &has)) return NULL;
  if (!has) return ex_raise(I, X_TYPE, "unsqueeze() missing 1 required positional arguments: \"dim\"");
  return tensor_result(I, tc_unsqueeze(self->t, d));
}

static value *m_flatten(interp *I, value *self, call_args *a) {
  static const char *const kw[] = {"start_dim", "end_dim", NULL};
  value *s = NULL, *e = NULL;
  int64_t sd = 0, ed = -1;
  if (!args_check(I, a, "flatten", 2, kw) || !arg_get(I, a, "flatten", 0, "start_dim", &s) ||
      !arg_get(I, a, "flatten", 1, "end_dim", &e))
    return NULL;
  if ((s && !to_int(I, s, "start_dim", &sd)) || (e && !to_int(I, e, "end_dim", &ed))) return NULL;
  return tensor_result(I, tc_flatten(self->t, clamp_dim(sd), clamp_dim(ed)));
}

static value *m_narrow(interp *I, value *self, call_args *a) {
  static const char *const kw[] = {"dim", "start", "length", NULL};
  value *v[3] = {0};
  int64_t x[3];
  for (int i = 0; i < 3; i++)
    if (!arg_get(I, a, "narrow", i, kw[i], &v[i])) return NULL;
  if (!args_check(I, a, "narrow", 3, kw)) return NULL;
  for (int i = 0; i < 3; i++) {
    if (!v[i]) return ex_raise(I, X_TYPE, "narrow() missing required argument '%s'", kw[i]);
    if (!to_int(I, v[i], kw[i], &x[i])) return NULL;
  }
  return tensor_result(I, tc_narrow(self->t, clamp_dim(x[0]), x[1], x[2]));
}

static value *m_repeat(interp *I, value *self, call_args *a) {
  int n, nd = tc_tensor_ndim(self->t);
  int64_t reps[TC_MAX_DIMS], shape[TC_MAX_DIMS];
  if (!args_check(I, a, "repeat", TC_MAX_DIMS, NULL) || !shape_from_args(I, a, 0, "repeat", &n, reps)) return NULL;
  if (n < nd)
    return ex_raise(I, X_RUNTIME, "Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor");
  if (2 * n > TC_MAX_DIMS) return ex_raise(I, X_NOTIMPL, "tensorc: repeat() supports at most %d dims", TC_MAX_DIMS / 2);
  for (int i = 0; i < n; i++)
    if (reps[i] < 0) return ex_raise(I, X_RUNTIME, "Trying to create tensor with negative dimension %lld", (long long)reps[i]);
  tc_tensor_shape(self->t, shape + (n - nd));
  for (int i = 0; i < n - nd; i++) shape[i] = 1;
  /* (s0, s1...) -> (1, s0, 1, s1, ...) -> expand (r0, s0, r1, s1...) -> (r0*s0, ...) */
  int64_t inter[TC_MAX_DIMS], big[TC_MAX_DIMS], out[TC_MAX_DIMS];
  for (int i = 0; i < n; i++) {
    inter[2 * i] = 1;
    inter[2 * i + 1] = shape[i];
    big[2 * i] = reps[i];
    big[2 * i + 1] = shape[i];
    out[i] = reps[i] * shape[i];
  }
  tc_tensor *x = tc_reshape(self->t, 2 * n, inter);
  tc_tensor *e = tc_expand(x, 2 * n, big);
  tc_tensor *c = tc_contiguous(e);
  tc_tensor *r = tc_reshape(c, n, out);
  tc_tensor_release(x);
  tc_tensor_release(e);
  tc_tensor_release(c);
  return tensor_result(I, r);
}

/* clone() with PyTorch's preserve_format: a dense, non-overlapping tensor
 * keeps its strides (a transposed tensor's clone is transposed too). The
 * library's tc_clone always makes a contiguous copy, so clone the permuted,
 * contiguous-order view and permute back. */
static tc_tensor *clone_preserving(tc_tensor *t) {
  int64_t shape[TC_MAX_DIMS], st[TC_MAX_DIMS];
  int nd = tc_tensor_shape(t, shape);
  tc_tensor_strides(t, st);
  int perm[TC_MAX_DIMS], inv[TC_MAX_DIMS];
  for (int i = 0; i < nd; i++) perm[i] = i;
  for (int i = 1; i < nd; i++) /* stable sort by stride, largest first */
    for (int j = i; j > 0 && st[perm[j]] > st[perm[j - 1]]; j--) {
      int x = perm[j];
      perm[j] = perm[j - 1];
      perm[j - 1] = x;
    }
  int64_t expect = 1;
  bool dense = true, identity = true;
  for (int k = nd - 1; k >= 0; k--) {
    int d = perm[k];
    if (shape[d] != 1 && st[d] != expect) dense = false;
    expect *= shape[d];
    identity &= perm[k] == k;
  }
  if (!dense || identity || tc_tensor_is_contiguous(t)) return tc_clone(t);
  for (int i = 0; i < nd; i++) inv[perm[i]] = i;
  tc_tensor *p = tc_permute(t, perm);
  tc_tensor *c = tc_clone(p);
  tc_tensor *r = tc_permute(c, inv);
  tc_tensor_release(p);
  tc_tensor_release(c);
  return r;
}

static value *m_clone(interp *I, value *self, call_args *a) {
  static const char *const kw[] = {"memory_format", NULL};
  if (!args_check(I, a, fname(I), 0, kw)) return NULL;
  switch (I->calling->tag) {
  case 0: return tensor_result(I, clone_preserving(self->t));
  case 1: return tensor_result(I, tc_contiguous(self->t));
  default: return tensor_result(I, tc_to_dtype(self->t, tc_tensor_dtype(self->t))); /* detach: same data */
  }
}

/* ---- in place ------------------------------------------------------------------- */

static value *m_fill_(interp *I, value *self, call_args *a) {
  static const char *const kw[] = {"value", NULL};
  value *v = NULL;
  if (I->calling->tag == 0) {
    if (!args_check(I, a, "fill_", 1, kw) || !arg_get(I, a, "fill_", 0, "value", &v)) return NULL;
    if (!v) return ex_raise(I, X_TYPE, "fill_() missing 1 required positional argument: 'value'");
  } else if (!no_args(I, a)) {
    return NULL;
  }
  double x = 0;
  if (v && !to_double(I, v, "value", &x)) return NULL;
  if (tc_fill_(self->t, x) != TC_OK) return ex_from_ctx(I);
  return v_incref(self);
}

static value *m_copy_(interp *I, value *self, call_args *a) {
  static const char *const kw[] = {"src", "non_blocking", NULL};
  value *src = NULL;
  if (!args_check(I, a, "copy_", 2, kw) || !arg_get(I, a, "copy_", 0, "src", &src)) return NULL;
  if (!src || src->kind != V_TENSOR) return ex_raise(I, X_TYPE, "copy_(): argument 'src' (position 1) must be Tensor");
  if (tc_copy_(self->t, src->t) != TC_OK) return ex_from_ctx(I);
  return v_incref(self);
}

/* NAME_: the elementwise NAME computed out of place, written back. */
static value *m_inplace(interp *I, value *self, call_args *a) {
  const builtin_def *base = (const builtin_def *)I->calling->tag;
  value *r = tensor_fn_call(I, base, self, a);
  if (!r) return NULL;
  bool ok = write_back(I, self, r);
  v_decref(r);
  return ok ? v_incref(self) : NULL;
}

#define M(name, fn, tag) {name, fn, tag, TF_METHOD}
#define MT(name, fn, tag) {name, fn, tag, TF_METHOD | TF_TORCH}

const builtin_def tensor_methods_table[] = {
    M("item", m_item, 0), M("tolist", m_tolist, 0), M("size", m_size, 0), M("stride", m_stride, 0),
    M("dim", m_info, 0), M("ndimension", m_info, 0), MT("numel", m_info, 1), M("nelement", m_info, 1),
    M("element_size", m_info, 2), M("is_contiguous", m_info, 3), M("storage_offset", m_info, 4),
    MT("is_floating_point", m_info, 5),
    M("float", m_cast, TC_F32), M("double", m_cast, TC_F64), M("half", m_cast, TC_F16),
    M("bfloat16", m_cast, TC_BF16), M("int", m_cast, TC_I32), M("long", m_cast, TC_I64),
    M("short", m_cast, TC_I16), M("char", m_cast, TC_I8), M("byte", m_cast, TC_U8), M("bool", m_cast, TC_BOOL),
    M("to", m_to, 0), M("cpu", m_cpu, 0), M("cuda", m_cuda, 0), M("pin_memory", m_pin, 0), M("is_pinned", m_pin, 1),
    M("numpy", m_numpy, 0), M("type_as", m_type_as, 0),
    M("view", m_view_reshape, 0), MT("reshape", m_view_reshape, 1), M("view_as", m_as, 0),
    M("reshape_as", m_as, 1), M("expand_as", m_as, 2), M("expand", m_expand, 0), MT("permute", m_permute, 0),
    MT("transpose", m_two_dims, 0), MT("swapaxes", m_two_dims, 0), MT("swapdims", m_two_dims, 0), MT("t", m_t, 0),
    MT("squeeze", m_squeeze, 0), MT("unsqueeze", m_unsqueeze, 0), MT("flatten", m_flatten, 0),
    MT("narrow", m_narrow, 0), M("repeat", m_repeat, 0), MT("clone", m_clone, 0), M("contiguous", m_clone, 1),
    MT("detach", m_clone, 2),
    M("fill_", m_fill_, 0), M("zero_", m_fill_, 1), M("copy_", m_copy_, 0),
    {NULL, NULL, 0, 0}};

const builtin_def *tensor_fn_find(const char *name) {
  for (const builtin_def *d = tensor_ops_table; d->name; d++)
    if (!strcmp(d->name, name)) return d;
  for (const builtin_def *d = tensor_methods_table; d->name; d++)
    if (!strcmp(d->name, name)) return d;
  return NULL;
}

value *tensor_fn_call(interp *I, const builtin_def *d, value *self, call_args *a) {
  const builtin_def *saved = I->calling;
  I->calling = d;
  value *r = d->fn(I, self, a);
  I->calling = saved;
  return r;
}

/* ---- lookup ------------------------------------------------------------------------ */

#define MAX_DYN 160
static builtin_def inplace_defs[MAX_DYN], fwd_defs[MAX_DYN];
static char inplace_names[MAX_DYN][32];
static int ninplace, nfwd;

static value *torch_forward(interp *I, value *self, call_args *a) {
  (void)self;
  const builtin_def *base = (const builtin_def *)I->calling->tag;
  value *input = a->nargs ? a->args[0] : NULL;
  call_args shifted = {a->nargs ? a->args + 1 : NULL, a->nargs ? a->nargs - 1 : 0, a->kwnames, a->kwvals, a->nkw};
  const char *kwn[16];
  value *kwv[16];
  if (!input) { /* torch.NAME(input=t, ...) */
    int k = 0;
    for (int i = 0; i < a->nkw && k < 16; i++) {
      if (!strcmp(a->kwnames[i], "input")) input = a->kwvals[i];
      else {
        kwn[k] = a->kwnames[i];
        kwv[k++] = a->kwvals[i];
      }
    }
    shifted.kwnames = kwn;
    shifted.kwvals = kwv;
    shifted.nkw = k;
  }
  if (!input) return ex_raise(I, X_TYPE, "%s() missing 1 required positional argument: 'input'", base->name);
  if (input->kind != V_TENSOR)
    return ex_raise(I, X_TYPE, "%s(): argument 'input' (position 1) must be Tensor, not %s", base->name,
                    v_type_name(input));
  return tensor_fn_call(I, base, input, &shifted);
}

static const builtin_def *dyn_def(builtin_def *defs, int *n, const builtin_def *base, const char *name, builtin_fn fn) {
  for (int i = 0; i < *n; i++)
    if (defs[i].tag == (intptr_t)base && !strcmp(defs[i].name, name)) return &defs[i];
  if (*n >= MAX_DYN) return NULL;
  builtin_def *d = &defs[(*n)++];
  *d = (builtin_def){name, fn, (intptr_t)base, base->flags};
  return d;
}

value *tensor_fn_as_function(interp *I, const char *name, unsigned flag) {
  const builtin_def *base = tensor_fn_find(name);
  if (!base || !(base->flags & flag)) return NULL;
  const builtin_def *d = dyn_def(fwd_defs, &nfwd, base, base->name, torch_forward);
  if (!d) return ex_raise(I, X_RUNTIME, "tensorc: too many distinct torch functions");
  return v_builtin(d, NULL) ?: ex_nomem(I);
}

value *tensor_getattr(interp *I, value *self, const char *name) {
  tc_tensor *t = self->t;
  int nd = tc_tensor_ndim(t);
  if (!strcmp(name, "shape")) {
    int64_t shape[TC_MAX_DIMS];
    tc_tensor_shape(t, shape);
    return v_size_from(shape, nd) ?: ex_nomem(I);
  }
  if (!strcmp(name, "dtype")) return v_dtype(tc_tensor_dtype(t)) ?: ex_nomem(I);
  if (!strcmp(name, "device")) {
    tc_device dv = tc_tensor_device(t);
    return v_device(dv.type, dv.type == TC_CPU ? -1 : dv.index) ?: ex_nomem(I);
  }
  if (!strcmp(name, "ndim")) return v_int(nd) ?: ex_nomem(I);
  if (!strcmp(name, "T")) {
    if (nd <= 2) return tensor_result(I, tc_t(t));
    int perm[TC_MAX_DIMS];
    for (int i = 0; i < nd; i++) perm[i] = nd - 1 - i;
    return tensor_result(I, tc_permute(t, perm));
  }
  if (!strcmp(name, "mT")) {
    if (nd < 2) return ex_raise(I, X_RUNTIME, "tensor.mT is only supported on matrices or batches of matrices. Got %d-D tensor.", nd);
    return tensor_result(I, tc_transpose(t, -2, -1));
  }
  if (!strcmp(name, "is_cuda")) return v_bool(tc_tensor_device(t).type == TC_CUDA);
  if (!strcmp(name, "is_cpu")) return v_bool(tc_tensor_device(t).type == TC_CPU);
  if (!strcmp(name, "requires_grad")) return v_bool(false);
  if (!strcmp(name, "is_leaf")) return v_bool(true);
  if (!strcmp(name, "grad")) return v_none();
  if (!strcmp(name, "data")) return v_incref(self);
  if (!strcmp(name, "itemsize")) return v_int((int64_t)tc_dtype_size(tc_tensor_dtype(t))) ?: ex_nomem(I);
  if (!strcmp(name, "nbytes"))
    return v_int(tc_tensor_numel(t) * (int64_t)tc_dtype_size(tc_tensor_dtype(t))) ?: ex_nomem(I);
  const builtin_def *d = tensor_fn_find(name);
  if (d && (d->flags & TF_METHOD)) return v_builtin(d, self) ?: ex_nomem(I);
  size_t n = strlen(name);
  if (n > 1 && n < sizeof inplace_names[0] && name[n - 1] == '_') {
    char base[32];
    memcpy(base, name, n - 1);
    base[n - 1] = 0;
    const builtin_def *b = tensor_fn_find(base);
    if (b && (b->flags & TF_INPLACE)) {
      const builtin_def *e = NULL;
      for (int i = 0; i < ninplace && !e; i++)
        if (inplace_defs[i].tag == (intptr_t)b) e = &inplace_defs[i];
      if (!e && ninplace < MAX_DYN) {
        snprintf(inplace_names[ninplace], sizeof inplace_names[0], "%s", name);
        e = dyn_def(inplace_defs, &ninplace, b, inplace_names[ninplace], m_inplace);
      }
      if (e) return v_builtin(e, self) ?: ex_nomem(I);
    }
  }
  return ex_raise(I, X_ATTRIBUTE, "'Tensor' object has no attribute '%s'", name);
}
