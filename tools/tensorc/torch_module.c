/*
 * torch_module.c — the modules a script can import: torch (dtypes,
 * constants, creation functions from torch_create.c, every Tensor function
 * that PyTorch also offers as torch.NAME, seeding and determinism
 * switches), torch.cuda (no CUDA backend yet: is_available() is False),
 * torch.backends.cudnn (settable flags), torch.nn.functional, math, and
 * numpy (numpy_module.c); torch.from_numpy shares the array's storage.
 */
#include <math.h>
#include <string.h>

#include "numpy.h"
#include "tensor_api.h"

extern const builtin_def torch_create_table[];

static const module_def torch_mod, cuda_mod, backends_mod, cudnn_mod, nn_mod, functional_mod, numpy_mod, math_mod,
    mps_mod;

static value *table_lookup(interp *I, const builtin_def *table, const char *name) {
  for (const builtin_def *d = table; d->name; d++)
    if (!strcmp(d->name, name)) return v_builtin(d, NULL) ?: ex_nomem(I);
  return NULL;
}

/* ---- torch --------------------------------------------------------------------- */

static const struct {
  const char *name;
  tc_dtype dt;
} dtype_names[] = {
    {"float32", TC_F32}, {"float", TC_F32}, {"float64", TC_F64}, {"double", TC_F64},
    {"float16", TC_F16}, {"half", TC_F16}, {"bfloat16", TC_BF16}, {"int8", TC_I8},
    {"int16", TC_I16}, {"short", TC_I16}, {"int32", TC_I32}, {"int", TC_I32},
    {"int64", TC_I64}, {"long", TC_I64}, {"uint8", TC_U8}, {"bool", TC_BOOL}};

static value *f_manual_seed(interp *I, value *self, call_args *a) {
  int64_t s;
  if (a->nargs != 1 || a->nkw) return ex_raise(I, X_TYPE, "manual_seed() takes exactly one argument (%d given)", a->nargs);
  if (!to_int(I, a->args[0], "seed", &s)) return NULL;
  if (I->calling->tag == 0) tc_manual_seed(I->ctx, (uint64_t)s);
  return v_none();
}

static value *f_deterministic(interp *I, value *self, call_args *a) {
  static const char *const kw[] = {"mode", "warn_only", NULL};
  value *m = NULL;
  bool on;
  if (!args_check(I, a, "use_deterministic_algorithms", 1, kw) ||
      !arg_get(I, a, "use_deterministic_algorithms", 0, "mode", &m))
    return NULL;
  if (!m) return ex_raise(I, X_TYPE, "use_deterministic_algorithms() missing 1 required positional argument: 'mode'");
  if (!to_bool(I, m, &on)) return NULL;
  I->deterministic = on; /* tensorc is always deterministic; the flag is kept for scripts */
  return v_none();
}

static value *f_are_deterministic(interp *I, value *self, call_args *a) {
  return args_check(I, a, "are_deterministic_algorithms_enabled", 0, NULL) ? v_bool(I->deterministic) : NULL;
}

static value *f_is_tensor(interp *I, value *self, call_args *a) {
  if (a->nargs != 1) return ex_raise(I, X_TYPE, "is_tensor() takes exactly one argument");
  return v_bool(a->args[0]->kind == V_TENSOR);
}

static value *f_default_dtype(interp *I, value *self, call_args *a) {
  if (I->calling->tag == 0) return args_check(I, a, "get_default_dtype", 0, NULL) ? v_dtype(I->default_dtype) : NULL;
  if (a->nargs != 1 || a->args[0]->kind != V_DTYPE) return ex_raise(I, X_TYPE, "set_default_dtype() expects a dtype");
  tc_dtype dt = a->args[0]->dt;
  if (dt != TC_F32 && dt != TC_F64 && dt != TC_F16 && dt != TC_BF16)
    return ex_raise(I, X_TYPE, "only floating-point types are supported as the default type");
  I->default_dtype = dt;
  return v_none();
}

static value *f_promote_types(interp *I, value *self, call_args *a) {
  if (a->nargs != 2 || a->args[0]->kind != V_DTYPE || a->args[1]->kind != V_DTYPE)
    return ex_raise(I, X_TYPE, "promote_types() expects two dtypes");
  return v_dtype(tc_promote_types(a->args[0]->dt, a->args[1]->dt));
}

static value *f_device(interp *I, value *self, call_args *a) {
  static const char *const kw[] = {"type", "index", NULL};
  value *t = NULL, *ix = NULL;
  if (!args_check(I, a, "device", 2, kw) || !arg_get(I, a, "device", 0, "type", &t) || !arg_get(I, a, "device", 1, "index", &ix))
    return NULL;
  if (!t) return ex_raise(I, X_TYPE, "device() received an invalid combination of arguments - got ()");
  tc_device_type type;
  int index;
  if (!device_from_value(I, t, &type, &index)) return NULL;
  if (ix && ix->kind != V_NONE) {
    int64_t k;
    if (index >= 0) return ex_raise(I, X_RUNTIME, "type (string) must not include an index because index was passed explicitly: %s", t->kind == V_STR ? t->str.s : "?");
    if (!to_int(I, ix, "index", &k)) return NULL;
    if (k < 0) return ex_raise(I, X_RUNTIME, "Device index must not be negative");
    index = (int)(k > 1000 ? 1000 : k);
  }
  return v_device(type, index);
}

static value *f_size(interp *I, value *self, call_args *a) {
  int nd = 0;
  int64_t shape[TC_MAX_DIMS];
  if (a->nargs > 1 || a->nkw) return ex_raise(I, X_TYPE, "Size() takes at most 1 argument");
  if (a->nargs && !shape_from_value(I, a->args[0], "Size", &nd, shape)) return NULL;
  return v_size_from(shape, nd);
}

static value *f_Tensor(interp *I, value *self, call_args *a) {
  if (a->nargs != 1 || a->nkw) return ex_raise(I, X_TYPE, "tensorc's torch.Tensor() takes one data argument");
  return tensor_from_data(I, a->args[0], true, TC_F32);
}

static value *f_set_default_device(interp *I, value *self, call_args *a) {
  tc_device_type type;
  int index;
  if (a->nargs != 1 || a->nkw) return ex_raise(I, X_TYPE, "set_default_device() takes exactly one argument");
  if (a->args[0]->kind == V_NONE) type = TC_CPU, index = -1;
  else if (!device_from_value(I, a->args[0], &type, &index)) return NULL;
  if (tc_set_default_device(I->ctx, device_of(type, index)) != TC_OK) return ex_from_ctx(I);
  return v_none();
}

static value *f_from_numpy(interp *I, value *self, call_args *a) {
  if (a->nargs != 1 || a->nkw) return ex_raise(I, X_TYPE, "from_numpy() takes exactly one argument (%d given)", a->nargs);
  return torch_from_numpy(I, a->args[0]);
}

static value *f_unsupported(interp *I, value *self, call_args *a) {
  return ex_raise(I, X_NOTIMPL, "tensorc does not support torch.%s yet", I->calling->name);
}

static const builtin_def torch_misc[] = {
    {"manual_seed", f_manual_seed, 0, 0}, {"use_deterministic_algorithms", f_deterministic, 0, 0},
    {"are_deterministic_algorithms_enabled", f_are_deterministic, 0, 0}, {"is_tensor", f_is_tensor, 0, 0},
    {"get_default_dtype", f_default_dtype, 0, 0}, {"set_default_dtype", f_default_dtype, 1, 0},
    {"promote_types", f_promote_types, 0, 0}, {"device", f_device, (intptr_t)"torch.device", BF_TYPE}, {"Size", f_size, (intptr_t)"torch.Size", BF_TYPE},
    {"Tensor", f_Tensor, (intptr_t)"torch.Tensor", BF_TYPE}, {"set_default_device", f_set_default_device, 0, 0}, {"set_printoptions", f_unsupported, 0, 0}, {"from_numpy", f_from_numpy, 0, 0},
    {"no_grad", f_unsupported, 0, 0}, {"compile", f_unsupported, 0, 0}, {NULL, NULL, 0, 0}};

static value *torch_getattr(interp *I, const char *name) {
  for (size_t i = 0; i < sizeof dtype_names / sizeof dtype_names[0]; i++)
    if (!strcmp(dtype_names[i].name, name)) return v_dtype(dtype_names[i].dt) ?: ex_nomem(I);
  if (!strcmp(name, "pi")) return v_float(M_PI);
  if (!strcmp(name, "e")) return v_float(M_E);
  if (!strcmp(name, "inf")) return v_float(INFINITY);
  if (!strcmp(name, "nan")) return v_float(NAN);
  if (!strcmp(name, "cuda")) return v_module(&cuda_mod);
  if (!strcmp(name, "backends")) return v_module(&backends_mod);
  if (!strcmp(name, "nn")) return v_module(&nn_mod);
  if (!strcmp(name, "__version__")) return v_cstr("2.0.0+tensorc");
  value *r = table_lookup(I, torch_create_table, name);
  if (!r && !I->has_exc) r = table_lookup(I, torch_misc, name);
  if (!r && !I->has_exc) r = tensor_fn_as_function(I, name, TF_TORCH);
  return r;
}

/* ---- torch.cuda, torch.backends ------------------------------------------------------ */

static value *cuda_fn(interp *I, value *self, call_args *a) {
  const char *name = I->calling->name;
  int64_t x = 0;
  if (a->nkw || a->nargs > 1) return ex_raise(I, X_TYPE, "torch.cuda.%s() takes at most one argument", name);
  if (a->nargs && !to_int(I, a->args[0], "argument", &x)) return NULL;
  switch (I->calling->tag) {
  case 0: return v_bool(tc_cuda_is_available());
  case 1: return v_int(tc_cuda_device_count());
  case 2:
    if (!a->nargs) return ex_raise(I, X_TYPE, "%s() missing 1 required positional argument: 'seed'", name);
    if (!strcmp(name, "manual_seed")) tc_cuda_manual_seed(I->ctx, (uint64_t)x);
    else tc_cuda_manual_seed_all(I->ctx, (uint64_t)x);
    return v_none();
  case 3:
    if (tc_synchronize(I->ctx) != TC_OK) return ex_from_ctx(I);
    return v_none();
  case 4: case 5: {
    tc_device_props p;
    if (tc_cuda_device_props((int)x, &p) != TC_OK) {
      /* the library's reason, through a device request */
      if (tc_set_default_device(I->ctx, (tc_device){TC_CUDA, (int)x}) != TC_OK) return ex_from_ctx(I);
      return ex_raise(I, X_RUNTIME, "CUDA is not available: no device %lld", (long long)x);
    }
    return I->calling->tag == 4 ? v_cstr(p.name) : v_int(0);
  }
  case 6:
    tc_cuda_empty_cache();
    return v_none();
  case 7: case 8: {
    size_t al = 0, re = 0;
    if (tc_cuda_memory_stats(I->ctx, (int)x, &al, &re) != TC_OK) return ex_from_ctx(I);
    return v_int((int64_t)(I->calling->tag == 7 ? al : re));
  }
  default: return v_none();
  }
}

static const builtin_def cuda_fns[] = {
    {"is_available", cuda_fn, 0, 0}, {"device_count", cuda_fn, 1, 0}, {"manual_seed", cuda_fn, 2, 0},
    {"manual_seed_all", cuda_fn, 2, 0}, {"synchronize", cuda_fn, 3, 0}, {"get_device_name", cuda_fn, 4, 0},
    {"current_device", cuda_fn, 5, 0}, {"empty_cache", cuda_fn, 6, 0}, {"memory_allocated", cuda_fn, 7, 0},
    {"memory_reserved", cuda_fn, 8, 0}, {NULL, NULL, 0, 0}};

static value *cuda_getattr(interp *I, const char *name) { return table_lookup(I, cuda_fns, name); }

static value *backends_getattr(interp *I, const char *name) {
  if (!strcmp(name, "cudnn")) return v_module(&cudnn_mod);
  if (!strcmp(name, "mps")) return v_module(&mps_mod);
  return NULL;
}

static value *not_available(interp *I, value *self, call_args *a) { return I->calling->tag ? v_none() : v_bool(false); }
static const builtin_def avail_fns[] = {{"is_available", not_available, 0, 0}, {"version", not_available, 1, 0}, {NULL, NULL, 0, 0}};

static value *cudnn_getattr(interp *I, const char *name) {
  if (!strcmp(name, "deterministic")) return v_bool(I->cudnn_deterministic);
  if (!strcmp(name, "benchmark")) return v_bool(I->cudnn_benchmark);
  if (!strcmp(name, "enabled")) return v_bool(true);
  return table_lookup(I, avail_fns, name);
}

static bool cudnn_setattr(interp *I, const char *name, value *v) {
  bool b;
  if (!to_bool(I, v, &b)) return false;
  if (!strcmp(name, "deterministic")) I->cudnn_deterministic = b;
  else if (!strcmp(name, "benchmark")) I->cudnn_benchmark = b;
  else if (strcmp(name, "enabled")) {
    ex_raise(I, X_ATTRIBUTE, "tensorc: torch.backends.cudnn has no setting '%s'", name);
    return false;
  }
  return true;
}

static value *mps_getattr(interp *I, const char *name) { return table_lookup(I, avail_fns, name); }

static value *nn_getattr(interp *I, const char *name) {
  if (!strcmp(name, "functional")) return v_module(&functional_mod);
  return NULL;
}

static value *functional_getattr(interp *I, const char *name) { return tensor_fn_as_function(I, name, TF_FUNCTIONAL); }

/* ---- math ----------------------------------------------------------------------------- */

static value *math_fn(interp *I, value *self, call_args *a) {
  const char *name = I->calling->name;
  int tag = (int)I->calling->tag;
  int want = tag >= 20 ? 2 : 1;
  if (a->nargs < want || a->nargs > (tag == 7 ? 2 : want) || a->nkw)
    return ex_raise(I, X_TYPE, "math.%s() takes %d argument%s (%d given)", name, want, want == 1 ? "" : "s", a->nargs);
  double x, y = 0;
  if (!to_double(I, a->args[0], "x", &x)) return NULL;
  if (a->nargs == 2 && !to_double(I, a->args[1], "y", &y)) return NULL;
  switch (tag) {
  case 0:
    if (x < 0) return ex_raise(I, X_VALUE, "math domain error");
    return v_float(sqrt(x));
  case 1: return v_float(exp(x));
  case 2: return v_float(fabs(x));
  case 3: case 4: {
    double r = tag == 3 ? floor(x) : ceil(x);
    if (!isfinite(r) || fabs(r) >= 9.2233720368547758e18) return ex_raise(I, X_OVERFLOW, "cannot convert float infinity to integer");
    return v_int((int64_t)r);
  }
  case 5: return v_bool(isnan(x));
  case 6: return v_bool(isinf(x));
  case 7:
    if (x <= 0 || (a->nargs == 2 && (y <= 0 || y == 1))) return ex_raise(I, X_VALUE, "math domain error");
    return v_float(a->nargs == 2 ? log(x) / log(y) : log(x));
  case 8: return x <= 0 ? ex_raise(I, X_VALUE, "math domain error") : v_float(log2(x));
  case 9: return x <= 0 ? ex_raise(I, X_VALUE, "math domain error") : v_float(log10(x));
  case 10: return v_float(sin(x));
  case 11: return v_float(cos(x));
  case 12: return v_float(tan(x));
  case 13: return v_float(tanh(x));
  case 14: return v_bool(isfinite(x));
  case 20: return v_float(pow(x, y));
  default: return v_none();
  }
}

static const builtin_def math_fns[] = {
    {"sqrt", math_fn, 0, 0}, {"exp", math_fn, 1, 0}, {"fabs", math_fn, 2, 0}, {"floor", math_fn, 3, 0},
    {"ceil", math_fn, 4, 0}, {"isnan", math_fn, 5, 0}, {"isinf", math_fn, 6, 0}, {"log", math_fn, 7, 0},
    {"log2", math_fn, 8, 0}, {"log10", math_fn, 9, 0}, {"sin", math_fn, 10, 0}, {"cos", math_fn, 11, 0},
    {"tan", math_fn, 12, 0}, {"tanh", math_fn, 13, 0}, {"isfinite", math_fn, 14, 0}, {"pow", math_fn, 20, 0},
    {NULL, NULL, 0, 0}};

static value *math_getattr(interp *I, const char *name) {
  if (!strcmp(name, "pi")) return v_float(M_PI);
  if (!strcmp(name, "e")) return v_float(M_E);
  if (!strcmp(name, "tau")) return v_float(2 * M_PI);
  if (!strcmp(name, "inf")) return v_float(INFINITY);
  if (!strcmp(name, "nan")) return v_float(NAN);
  return table_lookup(I, math_fns, name);
}

static const module_def torch_mod = {"torch", torch_getattr, NULL};
static const module_def cuda_mod = {"torch.cuda", cuda_getattr, NULL};
static const module_def backends_mod = {"torch.backends", backends_getattr, NULL};
static const module_def cudnn_mod = {"torch.backends.cudnn", cudnn_getattr, cudnn_setattr};
static const module_def mps_mod = {"torch.backends.mps", mps_getattr, NULL};
static const module_def nn_mod = {"torch.nn", nn_getattr, NULL};
static const module_def functional_mod = {"torch.nn.functional", functional_getattr, NULL};
static const module_def numpy_mod = {"numpy", numpy_getattr, NULL};
static const module_def math_mod = {"math", math_getattr, NULL};

value *module_import(interp *I, const char *dotted) {
  static const module_def *const all[] = {&torch_mod, &cuda_mod, &backends_mod, &cudnn_mod, &mps_mod,
                                          &nn_mod, &functional_mod, &numpy_mod, &math_mod};
  for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
    if (!strcmp(all[i]->name, dotted)) return v_module(all[i]) ?: ex_nomem(I);
  return ex_raise(I, X_MODULENOTFOUND, "No module named '%s'", dotted);
}
