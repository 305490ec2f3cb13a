/*
 * module.c — the `tensorc` module and its submodules, and the per-thread
 * contexts.
 *
 * `import tensorc` makes every module at once and registers them in
 * sys.modules: tensorc.torch (PyTorch's names: dtypes, creation functions,
 * the Tensor type, torch.NAME for every Tensor op), tensorc.torch.nn and
 * .nn.functional, .cuda, .backends (.cudnn, .mps) and .return_types.
 * tensorc.array_api is the Python array API standard's namespace: the text
 * of python/array_api.py, embedded at build time (array_api_py.h, made by
 * cmake/embed_text.cmake), compiled and run into its module here, with
 * `_torch` (tensorc.torch) in its globals.
 * tensorc.install_as_torch() also registers them as `torch`, `torch.nn`...
 * so that a script's `import torch` runs on tensorc (what `tensorc run`
 * does). tensorc itself has the binding's own calls: live_tensors(),
 * stats(), set_debug(), set_eager(), set_index_check(), realize().
 *
 * Contexts: each Python thread gets its own tc_ctx, made on first use with
 * the options tcpy_set_context_options gave (an embedding program, e.g.
 * the CLI, sets a debug sink or flags there; TC_DEBUG and the other
 * environment variables work as for any context), kept in the thread's
 * state dict. A Tensor holds a reference to its context, so a context
 * outlives its thread while its tensors live.
 */
#include <string.h>
#include "tcpy.h"
#include "tensorc_python.h"
#include "array_api_py.h"

tcpy_state S;

/* ---- contexts ----------------------------------------------------------- */

static void ctx_dealloc(PyObject *o) {
  tcpy_ctx *c = (tcpy_ctx *)o;
  PyTypeObject *tp = Py_TYPE(o);
  tc_ctx_free(c->ctx); /* may give NumPy arrays back: we hold the GIL */
  PyObject_Free(o);
  Py_DECREF(tp);
}

static PyObject *ctx_repr(PyObject *o) {
  tcpy_ctx *c = (tcpy_ctx *)o;
  return PyUnicode_FromFormat("<tensorc context of thread %lu, %d threads>", c->thread, tc_num_threads(c->ctx));
}

static PyType_Slot ctx_slots[] = {{Py_tp_dealloc, ctx_dealloc}, {Py_tp_repr, ctx_repr}, {0, NULL}};
static PyType_Spec ctx_spec = {"tensorc.Context", sizeof(tcpy_ctx), 0, Py_TPFLAGS_DEFAULT, ctx_slots};

tcpy_ctx *tcpy_current(void) {
  PyObject *d = PyThreadState_GetDict();
  if (!d) {
    PyErr_SetString(PyExc_RuntimeError, "tensorc: no thread state");
    return NULL;
  }
  PyObject *c = PyDict_GetItemWithError(d, S.ctx_key);
  if (c) return (tcpy_ctx *)c;
  if (PyErr_Occurred()) return NULL;
  tcpy_ctx *n = PyObject_New(tcpy_ctx, S.Context);
  if (!n) return NULL;
  n->ctx = tc_ctx_new(&S.opts);
  n->thread = PyThread_get_thread_ident();
  if (!n->ctx) {
    PyObject_Free(n);
    Py_DECREF(S.Context);
    PyErr_SetString(PyExc_MemoryError, "tensorc: cannot make a context");
    return NULL;
  }
  if (PyDict_SetItem(d, S.ctx_key, (PyObject *)n) < 0) {
    Py_DECREF(n);
    return NULL;
  }
  Py_DECREF(n); /* the thread's dict holds it */
  return n;
}

bool tcpy_check_thread(tcpy_tensor *t) {
  unsigned long me = PyThread_get_thread_ident();
  if (t->ctx->thread == me) return true;
  PyErr_Format(PyExc_RuntimeError,
               "tensorc: this tensor belongs to the context of thread %lu and cannot be used from thread %lu "
               "(each Python thread has its own tensorc context; pass values between threads as data, e.g. "
               "t.tolist() or a NumPy copy made in the thread that owns the tensor)",
               t->ctx->thread, me);
  return false;
}

/* ---- embedding ---------------------------------------------------------- */

void tcpy_set_context_options(const tc_ctx_options *opts) {
  if (opts) S.opts = *opts;
  else memset(&S.opts, 0, sizeof S.opts);
}

tc_ctx *tcpy_thread_context(void) {
  tcpy_ctx *c = tcpy_current();
  return c ? c->ctx : NULL;
}

/* ---- tensorc's own functions ---------------------------------------------- */

static PyObject *f_live_tensors(PyObject *m, PyObject *noargs) {
  tcpy_ctx *c = tcpy_current();
  return c ? PyLong_FromLongLong(tc_ctx_live_tensors(c->ctx)) : NULL;
}

static PyObject *f_live_nodes(PyObject *m, PyObject *noargs) {
  tcpy_ctx *c = tcpy_current();
  return c ? PyLong_FromLongLong(tc_ctx_live_nodes(c->ctx)) : NULL;
}

static PyObject *f_stats(PyObject *m, PyObject *noargs) {
  tcpy_ctx *c = tcpy_current();
  if (!c) return NULL;
  tc_stats s = tc_get_stats(c->ctx);
  return Py_BuildValue("{s:K,s:K,s:K,s:K,s:K,s:K,s:d,s:d,s:K,s:K,s:K,s:K}", "kernels_launched",
                       (unsigned long long)s.kernels_launched, "kernels_compiled", (unsigned long long)s.kernels_compiled,
                       "cache_hits", (unsigned long long)s.cache_hits, "realizations", (unsigned long long)s.realizations,
                       "bytes_allocated", (unsigned long long)s.bytes_allocated, "buffer_reuses",
                       (unsigned long long)s.buffer_reuses, "compile_seconds", s.compile_seconds, "run_seconds",
                       s.run_seconds, "bytes_moved", (unsigned long long)s.bytes_moved, "schedule_hits",
                       (unsigned long long)s.schedule_hits, "elements_computed",
                       (unsigned long long)s.elements_computed, "disk_hits", (unsigned long long)s.disk_hits);
}

static PyObject *f_reset_stats(PyObject *m, PyObject *noargs) {
  tcpy_ctx *c = tcpy_current();
  if (!c) return NULL;
  tc_reset_stats(c->ctx);
  Py_RETURN_NONE;
}

static PyObject *f_set_debug(PyObject *m, PyObject *arg) {
  static const struct { const char *name; unsigned flag; } names[] = {
      {"ir", TC_DEBUG_IR},     {"fuse", TC_DEBUG_FUSE},   {"kernels", TC_DEBUG_KERNELS}, {"llvm", TC_DEBUG_LLVM},
      {"cache", TC_DEBUG_CACHE}, {"time", TC_DEBUG_TIME}, {"cuda", TC_DEBUG_CUDA},       {"asm", TC_DEBUG_ASM},
      {"dot", TC_DEBUG_DOT},   {"ptx", TC_DEBUG_PTX},     {"plan", TC_DEBUG_PLAN},       {"all", ~0u}};
  tcpy_ctx *c = tcpy_current();
  if (!c) return NULL;
  unsigned flags = 0;
  if (PyLong_Check(arg)) {
    flags = (unsigned)PyLong_AsUnsignedLongMask(arg);
  } else if (PyUnicode_Check(arg)) {
    PyObject *b = PyUnicode_AsUTF8String(arg);
    if (!b) return NULL;
    const char *s = PyBytes_AsString(b);
    while (*s) {
      size_t n = strcspn(s, ",");
      size_t i = 0;
      for (; i < sizeof names / sizeof names[0]; i++)
        if (strlen(names[i].name) == n && !strncmp(s, names[i].name, n)) break;
      if (i == sizeof names / sizeof names[0] && n) {
        PyErr_Format(PyExc_ValueError, "tensorc.set_debug: unknown dump '%.*s' (ir, fuse, plan, kernels, llvm, asm, cuda, ptx, dot, cache, time, all)", (int)n, s);
        Py_DECREF(b);
        return NULL;
      }
      if (n) flags |= names[i].flag;
      s += n;
      if (*s == ',') s++;
    }
    Py_DECREF(b);
  } else if (arg != Py_None) {
    PyErr_SetString(PyExc_TypeError, "tensorc.set_debug() takes a string like 'ir,fuse' or an int");
    return NULL;
  }
  tc_set_debug(c->ctx, flags);
  Py_RETURN_NONE;
}

static PyObject *f_set_eager(PyObject *m, PyObject *arg) {
  tcpy_ctx *c = tcpy_current();
  int on = PyObject_IsTrue(arg);
  if (!c || on < 0) return NULL;
  tc_set_eager(c->ctx, on);
  Py_RETURN_NONE;
}

static const char *const check_modes[] = {"auto", "call", "deferred", NULL}; /* tc_index_check's order */

static PyObject *f_set_index_check(PyObject *m, PyObject *arg) {
  tcpy_ctx *c = tcpy_current();
  if (!c) return NULL;
  for (int i = 0; PyUnicode_Check(arg) && check_modes[i]; i++)
    if (!PyUnicode_CompareWithASCIIString(arg, check_modes[i])) {
      tc_set_index_check(c->ctx, (tc_index_check)i);
      Py_RETURN_NONE;
    }
  if (!PyErr_Occurred())
    PyErr_SetString(PyExc_ValueError, "tensorc.set_index_check() takes 'auto', 'call' or 'deferred'");
  return NULL;
}

static PyObject *f_get_index_check(PyObject *m, PyObject *noargs) {
  tcpy_ctx *c = tcpy_current();
  if (!c) return NULL;
  return PyUnicode_FromString(check_modes[tc_get_index_check(c->ctx)]);
}

static PyObject *f_realize(PyObject *m, PyObject *args) {
  Py_ssize_t n = PyTuple_Size(args);
  if (n == 0) Py_RETURN_NONE;
  tc_tensor *small[16], **ts = n <= 16 ? small : PyMem_Malloc(sizeof(tc_tensor *) * (size_t)n);
  if (!ts) return PyErr_NoMemory();
  tcpy_tensor *first = NULL;
  for (Py_ssize_t i = 0; i < n; i++) {
    PyObject *x = PyTuple_GetItem(args, i);
    if (!tcpy_is_tensor(x) || !tcpy_check_thread((tcpy_tensor *)x)) {
      if (!PyErr_Occurred()) PyErr_SetString(PyExc_TypeError, "tensorc.realize() takes tensors");
      if (ts != small) PyMem_Free(ts);
      return NULL;
    }
    if (!first) first = (tcpy_tensor *)x;
    ts[i] = TT(x);
  }
  tc_status st = tc_realize_many(ts, (int)n);
  if (ts != small) PyMem_Free(ts);
  if (st != TC_OK) return tcpy_raise(first->ctx->ctx);
  Py_RETURN_NONE;
}

static const char *const torch_names[] = {"", ".nn", ".nn.functional", ".cuda", ".backends", ".backends.cudnn",
                                          ".backends.mps", ".return_types", ".linalg", ".random", NULL};

static PyObject *f_install_as_torch(PyObject *m, PyObject *noargs) {
  PyObject *mods = PyImport_GetModuleDict();
  for (int i = 0; torch_names[i]; i++) {
    char from[64], to[64];
    snprintf(from, sizeof from, "tensorc.torch%s", torch_names[i]);
    snprintf(to, sizeof to, "torch%s", torch_names[i]);
    PyObject *mod = PyDict_GetItemString(mods, from);
    if (mod && PyDict_SetItemString(mods, to, mod) < 0) return NULL;
  }
  Py_RETURN_NONE;
}

static PyMethodDef tensorc_functions[] = {
    {"live_tensors", f_live_tensors, METH_NOARGS,
     "live_tensors() -> int: tensor handles alive in this thread's context (a leak check)"},
    {"live_nodes", f_live_nodes, METH_NOARGS, "live_nodes() -> int: graph nodes alive in this thread's context"},
    {"stats", f_stats, METH_NOARGS, "stats() -> dict: this thread's context's counters (tc_stats)"},
    {"reset_stats", f_reset_stats, METH_NOARGS, "reset_stats(): zero the counters"},
    {"set_debug", f_set_debug, METH_O, "set_debug('ir,fuse,plan,...'): dumps to stderr, as TC_DEBUG"},
    {"set_eager", f_set_eager, METH_O, "set_eager(bool): realize after every op (TC_EAGER)"},
    {"set_index_check", f_set_index_check, METH_O,
     "set_index_check('auto'|'call'|'deferred'): when index bounds are checked (tc_set_index_check)"},
    {"get_index_check", f_get_index_check, METH_NOARGS, "get_index_check() -> 'auto', 'call' or 'deferred'"},
    {"realize", f_realize, METH_VARARGS, "realize(*tensors): compute them now, in one schedule"},
    {"install_as_torch", f_install_as_torch, METH_NOARGS,
     "install_as_torch(): make `import torch` (and torch.nn.functional, torch.cuda...) give tensorc.torch"},
    {NULL, NULL, 0, NULL}};

/* ---- torch's own functions ------------------------------------------------- */

static PyObject *f_deterministic(PyObject *m, PyObject *args, PyObject *kw) {
  static const char *const names[] = {"mode", "warn_only", NULL};
  PyObject *a[2];
  if (!tcpy_parse("use_deterministic_algorithms", args, kw, 1, names, a)) return NULL;
  if (!a[0]) {
    PyErr_SetString(PyExc_TypeError, "use_deterministic_algorithms() missing 1 required positional argument: 'mode'");
    return NULL;
  }
  int on = PyObject_IsTrue(a[0]);
  if (on < 0) return NULL;
  S.deterministic = on; /* tensorc is always deterministic; the flag reads back */
  Py_RETURN_NONE;
}

static PyObject *f_are_deterministic(PyObject *m, PyObject *noargs) { return PyBool_FromLong(S.deterministic); }

static PyObject *f_is_tensor(PyObject *m, PyObject *o) { return PyBool_FromLong(tcpy_is_tensor(o)); }

static PyObject *f_get_default_dtype(PyObject *m, PyObject *noargs) { return tcpy_dtype_obj(S.default_dtype); }

static PyObject *f_set_default_dtype(PyObject *m, PyObject *o) {
  tc_dtype dt;
  if (!tcpy_to_dtype(o, &dt)) return NULL;
  if (!tc_dtype_is_floating(dt)) {
    PyErr_SetString(PyExc_TypeError, "only floating-point types are supported as the default type");
    return NULL;
  }
  S.default_dtype = dt;
  Py_RETURN_NONE;
}

static PyObject *f_promote_types(PyObject *m, PyObject *args) {
  PyObject *a, *b;
  tc_dtype x, y;
  if (!PyArg_UnpackTuple(args, "promote_types", 2, 2, &a, &b) || !tcpy_to_dtype(a, &x) || !tcpy_to_dtype(b, &y))
    return NULL;
  return tcpy_dtype_obj(tc_promote_types(x, y));
}

static PyObject *f_set_default_device(PyObject *m, PyObject *o) {
  tcpy_ctx *c = tcpy_current();
  tc_device d = {TC_CPU, 0};
  if (!c || (o != Py_None && !tcpy_to_device(o, &d))) return NULL;
  if (tc_set_default_device(c->ctx, d) != TC_OK) return tcpy_raise(c->ctx);
  Py_RETURN_NONE;
}

static PyObject *f_get_default_device(PyObject *m, PyObject *noargs) {
  tcpy_ctx *c = tcpy_current();
  return c ? tcpy_device_obj(tc_get_default_device(c->ctx), false) : NULL;
}

static PyMethodDef torch_functions[] = {
    {"use_deterministic_algorithms", (PyCFunction)(void (*)(void))f_deterministic, METH_VARARGS | METH_KEYWORDS, NULL},
    {"are_deterministic_algorithms_enabled", f_are_deterministic, METH_NOARGS, NULL},
    {"is_tensor", f_is_tensor, METH_O, NULL},
    {"get_default_dtype", f_get_default_dtype, METH_NOARGS, NULL},
    {"set_default_dtype", f_set_default_dtype, METH_O, NULL},
    {"promote_types", f_promote_types, METH_VARARGS, NULL},
    {"set_default_device", f_set_default_device, METH_O, NULL},
    {"get_default_device", f_get_default_device, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL}};

/* ---- torch.cuda ---------------------------------------------------------------- */

static PyObject *cuda_is_available(PyObject *m, PyObject *noargs) { return PyBool_FromLong(tc_cuda_is_available()); }
static PyObject *cuda_device_count(PyObject *m, PyObject *noargs) { return PyLong_FromLong(tc_cuda_device_count()); }

static PyObject *cuda_manual_seed(PyObject *m, PyObject *arg) {
  int64_t s;
  tcpy_ctx *c = tcpy_current();
  if (!c || !tcpy_to_int(arg, "seed", &s)) return NULL;
  tc_cuda_manual_seed_all(c->ctx, (uint64_t)s);
  Py_RETURN_NONE;
}

static PyObject *cuda_synchronize(PyObject *m, PyObject *args) {
  tcpy_ctx *c = tcpy_current();
  if (!c) return NULL;
  if (tc_synchronize(c->ctx) != TC_OK) return tcpy_raise(c->ctx);
  Py_RETURN_NONE;
}

static bool cuda_index(PyObject *args, int *index) {
  PyObject *d = NULL;
  *index = 0;
  if (!PyArg_UnpackTuple(args, "cuda", 0, 1, &d)) return false;
  if (d && d != Py_None) {
    tc_device dev;
    if (!tcpy_to_device(d, &dev)) return false;
    *index = dev.index;
  }
  return true;
}

static PyObject *cuda_device_name(PyObject *m, PyObject *args) {
  int index;
  if (!cuda_index(args, &index)) return NULL;
  tc_device_props p;
  if (tc_cuda_device_props(index, &p) != TC_OK) {
    tcpy_ctx *c = tcpy_current();
    if (c && tc_set_default_device(c->ctx, (tc_device){TC_CUDA, index}) != TC_OK) return tcpy_raise(c->ctx);
    PyErr_Format(PyExc_RuntimeError, "CUDA is not available: no device %d", index);
    return NULL;
  }
  return PyUnicode_FromString(p.name);
}

static PyObject *cuda_current_device(PyObject *m, PyObject *noargs) {
  if (!tc_cuda_is_available()) {
    tcpy_ctx *c = tcpy_current();
    if (c && tc_set_default_device(c->ctx, (tc_device){TC_CUDA, 0}) != TC_OK) return tcpy_raise(c->ctx);
  }
  return PyLong_FromLong(0);
}

static PyObject *cuda_empty_cache(PyObject *m, PyObject *noargs) {
  tc_cuda_empty_cache();
  Py_RETURN_NONE;
}

static PyObject *cuda_memory(PyObject *m, PyObject *args, bool reserved) {
  int index;
  tcpy_ctx *c = tcpy_current();
  if (!c || !cuda_index(args, &index)) return NULL;
  size_t al = 0, re = 0;
  if (tc_cuda_memory_stats(c->ctx, index, &al, &re) != TC_OK) return tcpy_raise(c->ctx);
  return PyLong_FromSize_t(reserved ? re : al);
}
static PyObject *cuda_memory_allocated(PyObject *m, PyObject *args) { return cuda_memory(m, args, false); }
static PyObject *cuda_memory_reserved(PyObject *m, PyObject *args) { return cuda_memory(m, args, true); }

static PyMethodDef cuda_functions[] = {
    {"is_available", cuda_is_available, METH_NOARGS, NULL},
    {"device_count", cuda_device_count, METH_NOARGS, NULL},
    {"manual_seed", cuda_manual_seed, METH_O, NULL},
    {"manual_seed_all", cuda_manual_seed, METH_O, NULL},
    {"synchronize", cuda_synchronize, METH_VARARGS, NULL},
    {"get_device_name", cuda_device_name, METH_VARARGS, NULL},
    {"current_device", cuda_current_device, METH_NOARGS, NULL},
    {"empty_cache", cuda_empty_cache, METH_NOARGS, NULL},
    {"memory_allocated", cuda_memory_allocated, METH_VARARGS, NULL},
    {"memory_reserved", cuda_memory_reserved, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL}};

static PyObject *not_available(PyObject *m, PyObject *noargs) { Py_RETURN_FALSE; }
static PyMethodDef avail_functions[] = {{"is_available", not_available, METH_NOARGS, NULL}, {NULL, NULL, 0, NULL}};

/* ---- no_grad: a context manager (and decorator) that does nothing ---- */

static PyObject *ng_enter(PyObject *self, PyObject *noargs) { Py_RETURN_NONE; }
static PyObject *ng_exit(PyObject *self, PyObject *args) { Py_RETURN_FALSE; }
static PyObject *ng_call(PyObject *self, PyObject *args, PyObject *kw) {
  if (PyTuple_Size(args) == 1 && PyCallable_Check(PyTuple_GetItem(args, 0))) { /* @torch.no_grad() */
    PyObject *f = PyTuple_GetItem(args, 0);
    Py_INCREF(f);
    return f;
  }
  PyErr_SetString(PyExc_TypeError, "no_grad() takes a function to decorate");
  return NULL;
}
static PyMethodDef ng_methods[] = {{"__enter__", ng_enter, METH_NOARGS, NULL},
                                   {"__exit__", ng_exit, METH_VARARGS, NULL},
                                   {NULL, NULL, 0, NULL}};
static PyType_Slot ng_slots[] = {{Py_tp_methods, ng_methods}, {Py_tp_call, ng_call}, {0, NULL}};
static PyType_Spec ng_spec = {"torch.no_grad", sizeof(PyObject), 0, Py_TPFLAGS_DEFAULT, ng_slots};

/* ---- the modules --------------------------------------------------------------- */

static PyObject *new_module(const char *name, PyMethodDef *fns, PyObject *parent, const char *attr) {
  PyObject *m = PyModule_New(name);
  if (!m) return NULL;
  if (fns && PyModule_AddFunctions(m, fns) < 0) goto fail;
  PyObject *mods = PyImport_GetModuleDict();
  if (PyDict_SetItemString(mods, name, m) < 0) goto fail;
  if (parent && PyModule_AddObject(parent, attr, m) < 0) goto fail;
  if (!parent) Py_DECREF(m);
  return m; /* borrowed: sys.modules and the parent hold it */
fail:
  Py_DECREF(m);
  return NULL;
}

static bool add_package_path(PyObject *m) {
  PyObject *p = PyList_New(0);
  return p && PyModule_AddObject(m, "__path__", p) == 0;
}

static bool add_flag(PyObject *m, const char *name, bool v) {
  PyObject *b = PyBool_FromLong(v);
  return PyModule_AddObject(m, name, b) == 0;
}

static bool make_torch(PyObject *tensorc) {
  PyObject *torch = new_module("tensorc.torch", torch_functions, tensorc, "torch");
  if (!torch || !add_package_path(torch)) return false;
  S.torch = torch;
  if (PyModule_AddFunctions(torch, tcpy_create_functions) < 0 ||
      PyModule_AddFunctions(torch, tcpy_join_functions) < 0 || PyModule_AddFunctions(torch, tcpy_sort_functions) < 0 ||
      PyModule_AddFunctions(torch, tcpy_interop_functions) < 0 || !tcpy_random_init(torch))
    return false;
  if (PyModule_AddObject(torch, "pi", PyFloat_FromDouble(3.141592653589793)) < 0 ||
      PyModule_AddObject(torch, "e", PyFloat_FromDouble(2.718281828459045)) < 0 ||
      PyModule_AddObject(torch, "inf", PyFloat_FromDouble(Py_HUGE_VAL)) < 0 ||
      PyModule_AddObject(torch, "nan", PyFloat_FromDouble(Py_HUGE_VAL * 0.0)) < 0 ||
      PyModule_AddStringConstant(torch, "__version__", "2.0.0+tensorc") < 0)
    return false;
  PyObject *ng = PyType_FromSpec(&ng_spec);
  if (!ng || PyModule_AddObject(torch, "no_grad", ng) < 0) return false;
  Py_INCREF(ng);
  if (PyModule_AddObject(torch, "inference_mode", ng) < 0) return false;
  if (!tcpy_types_init(torch) || !tcpy_tensor_init(torch)) return false;

  PyObject *nn = new_module("tensorc.torch.nn", NULL, torch, "nn");
  if (!nn || !add_package_path(nn)) return false;
  PyObject *functional = new_module("tensorc.torch.nn.functional", NULL, nn, "functional");
  PyObject *cuda = new_module("tensorc.torch.cuda", cuda_functions, torch, "cuda");
  PyObject *backends = new_module("tensorc.torch.backends", NULL, torch, "backends");
  if (!functional || !cuda || !backends || !add_package_path(backends)) return false;
  PyObject *cudnn = new_module("tensorc.torch.backends.cudnn", avail_functions, backends, "cudnn");
  PyObject *mps = new_module("tensorc.torch.backends.mps", avail_functions, backends, "mps");
  if (!cudnn || !mps || !add_flag(cudnn, "deterministic", false) || !add_flag(cudnn, "benchmark", false) ||
      !add_flag(cudnn, "enabled", true))
    return false;
  PyObject *lin = new_module("tensorc.torch.linalg", NULL, torch, "linalg");
  PyObject *random = new_module("tensorc.torch.random", tcpy_random_module_functions, torch, "random");
  if (!lin || !random) return false;
  if (!tcpy_ops_install(torch, functional)) return false;
  /* torch.linalg.matmul */
  PyObject *mm = PyObject_GetAttrString(torch, "matmul");
  if (!mm || PyModule_AddObject(lin, "matmul", mm) < 0) return false;
  return true;
}

static bool make_array_api(PyObject *tensorc) {
  PyObject *m = new_module("tensorc.array_api", NULL, tensorc, "array_api");
  if (!m) return false;
  PyObject *d = PyModule_GetDict(m); /* borrowed */
  if (PyDict_SetItemString(d, "_torch", S.torch) < 0 ||
      PyDict_SetItemString(d, "__builtins__", PyEval_GetBuiltins()) < 0)
    return false;
  PyObject *code = Py_CompileString((const char *)tcpy_array_api_src, "tensorc/array_api.py", Py_file_input);
  if (!code) return false;
  PyObject *r = PyEval_EvalCode(code, d, d);
  Py_DECREF(code);
  if (!r) return false;
  Py_DECREF(r);
  Py_INCREF(m);
  S.array_api = m;
  return true;
}

static struct PyModuleDef tensorc_def = {PyModuleDef_HEAD_INIT, "tensorc",
                                         "tensorc: a lazy tensor compiler with PyTorch's semantics.\n"
                                         "import tensorc.torch as torch", -1, tensorc_functions,
                                         NULL, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit_tensorc(void) {
  if (S.Tensor) {
    PyErr_SetString(PyExc_ImportError, "tensorc can be imported once per process (no subinterpreters)");
    return NULL;
  }
  S.default_dtype = TC_F32;
  PyObject *m = PyModule_Create(&tensorc_def);
  if (!m) return NULL;
  S.ctx_key = PyUnicode_InternFromString("tensorc.context");
  S.Context = (PyTypeObject *)PyType_FromSpec(&ctx_spec);
  if (!S.ctx_key || !S.Context || !add_package_path(m) ||
      PyModule_AddStringConstant(m, "__version__", "0.1.0") < 0 || !make_torch(m) || !make_array_api(m)) {
    Py_DECREF(m);
    return NULL;
  }
  return m;
}
