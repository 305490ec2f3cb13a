/*
 * args.c — argument handling for builtins and torch functions: positional
 * or keyword lookup, unknown-keyword checks, and conversions from script
 * values to what the C API takes (int64 sizes, dim lists, dtypes, devices).
 * Messages follow Python's and PyTorch's where they have one.
 */
#include <string.h>

#include "interp.h"

bool arg_get(interp *I, call_args *a, const char *fname, int pos, const char *name, value **out) {
  value *p = pos >= 0 && pos < a->nargs ? a->args[pos] : NULL;
  value *k = NULL;
  for (int i = 0; name && i < a->nkw; i++)
    if (!strcmp(a->kwnames[i], name)) k = a->kwvals[i];
  if (p && k) {
    ex_raise(I, X_TYPE, "%s() got multiple values for argument '%s'", fname, name);
    return false;
  }
  *out = p ? p : k;
  return true;
}

bool args_check(interp *I, call_args *a, const char *fname, int maxpos, const char *const *names) {
  if (a->nargs > maxpos) {
    ex_raise(I, X_TYPE, "%s() takes at most %d positional argument%s (%d given)", fname, maxpos,
             maxpos == 1 ? "" : "s", a->nargs);
    return false;
  }
  for (int i = 0; i < a->nkw; i++) {
    bool ok = false;
    for (int k = 0; names && names[k]; k++) ok |= !strcmp(names[k], a->kwnames[i]);
    if (!ok) {
      ex_raise(I, X_TYPE, "%s() got an unexpected keyword argument '%s'", fname, a->kwnames[i]);
      return false;
    }
  }
  return true;
}

bool to_int(interp *I, value *v, const char *what, int64_t *out) {
  if (v->kind == V_INT || v->kind == V_BOOL) {
    *out = v_as_int(v);
    return true;
  }
  if (v->kind == V_TENSOR && tc_tensor_numel(v->t) == 1 && !tc_dtype_is_floating(tc_tensor_dtype(v->t))) {
    *out = tc_item_int(v->t);
    if (tc_last_status(I->ctx) != TC_OK) return ex_from_ctx(I), false;
    return true;
  }
  if (v->kind == V_FLOAT) ex_raise(I, X_TYPE, "'float' object cannot be interpreted as an integer");
  else ex_raise(I, X_TYPE, "%s must be an int, not %s", what, v_type_name(v));
  return false;
}

bool to_double(interp *I, value *v, const char *what, double *out) {
  if (v_is_number(v)) {
    *out = v_as_double(v);
    return true;
  }
  if (v->kind == V_TENSOR && tc_tensor_numel(v->t) == 1) {
    *out = tc_item(v->t);
    if (tc_last_status(I->ctx) != TC_OK) return ex_from_ctx(I), false;
    return true;
  }
  ex_raise(I, X_TYPE, "%s must be a number, not %s", what, v_type_name(v));
  return false;
}

bool to_bool(interp *I, value *v, bool *out) {
  int t = truthy(I, v);
  if (t < 0) return false;
  *out = t;
  return true;
}

bool shape_from_value(interp *I, value *v, const char *fname, int *ndim, int64_t *shape) {
  if (v->kind == V_INT || v->kind == V_BOOL) {
    *ndim = 1;
    shape[0] = v_as_int(v);
    return true;
  }
  if (!v_is_seq(v)) {
    ex_raise(I, X_TYPE, "%s(): argument 'size' must be tuple of ints, but found element of type %s", fname,
             v_type_name(v));
    return false;
  }
  if (v->seq.n > TC_MAX_DIMS) {
    ex_raise(I, X_RUNTIME, "tensorc supports at most %d dimensions (got %d)", TC_MAX_DIMS, v->seq.n);
    return false;
  }
  *ndim = v->seq.n;
  for (int i = 0; i < v->seq.n; i++) {
    value *x = v->seq.items[i];
    if (x->kind != V_INT && x->kind != V_BOOL && !(x->kind == V_TENSOR)) {
      ex_raise(I, X_TYPE, "%s(): argument 'size' must be tuple of ints, but found element of type %s at pos %d",
               fname, v_type_name(x), i);
      return false;
    }
    if (!to_int(I, x, "size", &shape[i])) return false;
  }
  return true;
}

bool shape_from_args(interp *I, call_args *a, int first, const char *fname, int *ndim, int64_t *shape) {
  int n = a->nargs - first;
  if (n == 1 && v_is_seq(a->args[first])) return shape_from_value(I, a->args[first], fname, ndim, shape);
  if (n > TC_MAX_DIMS) {
    ex_raise(I, X_RUNTIME, "tensorc supports at most %d dimensions (got %d)", TC_MAX_DIMS, n);
    return false;
  }
  *ndim = n < 0 ? 0 : n;
  for (int i = 0; i < n; i++) {
    value *x = a->args[first + i];
    if (x->kind != V_INT && x->kind != V_BOOL && x->kind != V_TENSOR) {
      ex_raise(I, X_TYPE, "%s(): argument 'size' must be tuple of ints, but found element of type %s at pos %d",
               fname, v_type_name(x), i);
      return false;
    }
    if (!to_int(I, x, "size", &shape[i])) return false;
  }
  return true;
}

bool dims_from_value(interp *I, value *v, int *ndims, int *dims) {
  int64_t d;
  if (!v_is_seq(v)) {
    if (!to_int(I, v, "dim", &d)) return false;
    *ndims = 1;
    dims[0] = d < -1000 ? -1000 : d > 1000 ? 1000 : (int)d;
    return true;
  }
  if (v->seq.n > TC_MAX_DIMS) {
    ex_raise(I, X_RUNTIME, "too many dims (%d)", v->seq.n);
    return false;
  }
  *ndims = v->seq.n;
  for (int i = 0; i < v->seq.n; i++) {
    if (!to_int(I, v->seq.items[i], "dim", &d)) return false;
    dims[i] = d < -1000 ? -1000 : d > 1000 ? 1000 : (int)d;
  }
  return true;
}

bool dtype_from_value(interp *I, value *v, tc_dtype *out) {
  if (v->kind == V_DTYPE) {
    *out = v->dt;
    return true;
  }
  ex_raise(I, X_TYPE, "expected a torch.dtype, but got %s", v_type_name(v));
  return false;
}

bool device_from_value(interp *I, value *v, tc_device_type *type, int *index) {
  if (v->kind == V_DEVICE) {
    *type = v->dev.type;
    *index = v->dev.index;
    return true;
  }
  if (v->kind == V_INT) {
    if (v->i < 0) {
      ex_raise(I, X_RUNTIME, "Device index must not be negative");
      return false;
    }
    *type = TC_CUDA;
    *index = (int)(v->i > 1000 ? 1000 : v->i);
    return true;
  }
  if (v->kind != V_STR) {
    ex_raise(I, X_TYPE, "expected a torch.device or a string, but got %s", v_type_name(v));
    return false;
  }
  const char *s = v->str.s;
  size_t n = strcspn(s, ":");
  if (n == 3 && !strncmp(s, "cpu", 3)) *type = TC_CPU;
  else if (n == 4 && !strncmp(s, "cuda", 4)) *type = TC_CUDA;
  else {
    ex_raise(I, X_RUNTIME,
             "Expected one of cpu, cuda, ipu, xpu, mkldnn, opengl, opencl, ideep, hip, ve, fpga, maia, "
             "xla, lazy, vulkan, mps, meta, hpu, mtia, privateuseone device type at start of device string: %s",
             s);
    return false;
  }
  *index = -1;
  if (s[n] == ':') {
    const char *d = s + n + 1;
    int k = 0;
    if (!*d || strspn(d, "0123456789") != strlen(d) || strlen(d) > 6) {
      ex_raise(I, X_RUNTIME, "Invalid device string: '%s'", s);
      return false;
    }
    for (; *d; d++) k = k * 10 + (*d - '0');
    *index = k;
  }
  return true;
}

tc_device device_of(tc_device_type type, int index) {
  tc_device d = {type, type == TC_CPU || index < 0 ? 0 : index};
  return d;
}

value *tensor_result(interp *I, tc_tensor *t) {
  if (!t) return ex_from_ctx(I);
  value *v = v_tensor(t);
  return v ? v : ex_nomem(I);
}
