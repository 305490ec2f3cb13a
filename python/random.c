/*
 * random.c — torch.Generator, the global generator's functions
 * (manual_seed, seed, initial_seed, get_rng_state, set_rng_state, in
 * torch and torch.random; torch.default_generator), and the random ops that take a generator=:
 * randperm, bernoulli (and bernoulli_), multinomial, and the in-place
 * fills uniform_, normal_, random_.
 *
 * A Generator wraps a tc_generator of the context of the thread that made
 * it (as tensors do: used from another thread it raises RuntimeError).
 * torch.default_generator holds no tc_generator: it stands for the calling
 * thread's context's own generator, so `torch.manual_seed(0)` (which
 * returns it, as PyTorch returns its default generator) seeds the stream
 * that torch.rand and the rest use. States are the library's: a 16-byte
 * uint8 CPU tensor (seed and offset), not PyTorch's 5056 bytes.
 */
#include <string.h>
#include "tcpy.h"

typedef struct gen_obj {
  PyObject_HEAD
  tc_generator *g; /* NULL: the calling thread's context's generator */
  tcpy_ctx *ctx;   /* strong; NULL for the default generator */
  tc_device dev;   /* Generator(device=): what .device says (one stream serves every device) */
} gen_obj;

static PyTypeObject *Generator;

static void gen_dealloc(PyObject *o) {
  gen_obj *g = (gen_obj *)o;
  PyTypeObject *tp = Py_TYPE(o);
  tc_generator_free(g->g);
  Py_XDECREF(g->ctx);
  PyObject_Free(o);
  Py_DECREF(tp);
}

/* The generator's context (borrowed), checking the thread. */
static tcpy_ctx *gen_ctx(gen_obj *g) {
  if (!g->ctx) return tcpy_current();
  unsigned long me = PyThread_get_thread_ident();
  if (g->ctx->thread != me) {
    PyErr_SetString(PyExc_RuntimeError, "tensorc: this Generator belongs to another thread's context");
    return NULL;
  }
  return g->ctx;
}

/* torch.Generator(device='cpu') */
static PyObject *gen_new(PyTypeObject *tp, PyObject *args, PyObject *kw) {
  static const char *const names[] = {"device", NULL};
  PyObject *a[1];
  if (!tcpy_parse("Generator", args, kw, 1, names, a)) return NULL;
  tc_device d = {TC_CPU, 0};
  if (a[0] && a[0] != Py_None && !tcpy_to_device(a[0], &d)) return NULL;
  tcpy_ctx *c = tcpy_current();
  if (!c) return NULL;
  tc_generator *tg = tc_generator_new(c->ctx);
  if (!tg) return tcpy_raise(c->ctx);
  gen_obj *g = PyObject_New(gen_obj, tp);
  if (!g) {
    tc_generator_free(tg);
    return NULL;
  }
  g->g = tg;
  g->ctx = c;
  g->dev = d;
  Py_INCREF(c);
  return (PyObject *)g;
}

/* PyTorch's int(seed): "5" and 5.0 work, "a" is int()'s ValueError */
static bool seed_arg(PyObject *o, uint64_t *out) {
  PyObject *i = PyNumber_Long(o);
  if (!i) return false;
  unsigned long long v = PyLong_AsUnsignedLongLongMask(i); /* negatives wrap, as PyTorch's */
  Py_DECREF(i);
  if (v == (unsigned long long)-1 && PyErr_Occurred()) return false;
  *out = v;
  return true;
}

static PyObject *gen_manual_seed(PyObject *o, PyObject *seed) {
  gen_obj *g = (gen_obj *)o;
  tcpy_ctx *c = gen_ctx(g);
  uint64_t s;
  if (!c || !seed_arg(seed, &s)) return NULL;
  if (g->g) tc_generator_manual_seed(g->g, s);
  else tc_manual_seed(c->ctx, s);
  Py_INCREF(o);
  return o;
}

static PyObject *gen_initial_seed(PyObject *o, PyObject *unused) {
  gen_obj *g = (gen_obj *)o;
  tcpy_ctx *c = gen_ctx(g);
  if (!c) return NULL;
  return PyLong_FromUnsignedLongLong(g->g ? tc_generator_initial_seed(g->g) : tc_initial_seed(c->ctx));
}

static PyObject *gen_seed(PyObject *o, PyObject *unused) {
  gen_obj *g = (gen_obj *)o;
  tcpy_ctx *c = gen_ctx(g);
  if (!c) return NULL;
  return PyLong_FromUnsignedLongLong(g->g ? tc_generator_seed(g->g) : tc_seed(c->ctx));
}

static PyObject *gen_get_state(PyObject *o, PyObject *unused) {
  gen_obj *g = (gen_obj *)o;
  tcpy_ctx *c = gen_ctx(g);
  if (!c) return NULL;
  return tcpy_wrap(c, g->g ? tc_generator_get_state(g->g) : tc_get_rng_state(c->ctx));
}

static bool set_state(tcpy_ctx *c, tc_generator *g, PyObject *state) {
  if (!tcpy_is_tensor(state)) {
    PyObject *n = PyObject_GetAttrString((PyObject *)Py_TYPE(state), "__name__");
    PyErr_Format(PyExc_TypeError, "expected a torch.ByteTensor, but got %U", n);
    Py_XDECREF(n);
    return false;
  }
  tcpy_tensor *t = (tcpy_tensor *)state;
  if (!tcpy_check_thread(t)) return false;
  tc_status st = g ? tc_generator_set_state(g, t->t) : tc_set_rng_state(c->ctx, t->t);
  return st == TC_OK || tcpy_raise(c->ctx);
}

static PyObject *gen_set_state(PyObject *o, PyObject *state) {
  gen_obj *g = (gen_obj *)o;
  tcpy_ctx *c = gen_ctx(g);
  if (!c || !set_state(c, g->g, state)) return NULL;
  Py_INCREF(o);
  return o;
}

static PyObject *gen_device(PyObject *o, void *unused) { return tcpy_device_obj(((gen_obj *)o)->dev, false); }

static PyObject *gen_repr(PyObject *o) { return PyUnicode_FromFormat("<torch.Generator object at %p>", o); }

static PyMethodDef gen_methods[] = {
    {"manual_seed", gen_manual_seed, METH_O, NULL},   {"initial_seed", gen_initial_seed, METH_NOARGS, NULL},
    {"seed", gen_seed, METH_NOARGS, NULL},             {"get_state", gen_get_state, METH_NOARGS, NULL},
    {"set_state", gen_set_state, METH_O, NULL},       {NULL, NULL, 0, NULL}};
static PyGetSetDef gen_getset[] = {{"device", gen_device, NULL, NULL, NULL}, {NULL, NULL, NULL, NULL, NULL}};
static PyType_Slot gen_slots[] = {{Py_tp_dealloc, gen_dealloc}, {Py_tp_new, gen_new},         {Py_tp_repr, gen_repr},
                                  {Py_tp_methods, gen_methods}, {Py_tp_getset, gen_getset}, {0, NULL}};
static PyType_Spec gen_spec = {"torch.Generator", sizeof(gen_obj), 0, Py_TPFLAGS_DEFAULT, gen_slots};

bool tcpy_generator_arg(PyObject *o, tcpy_ctx *c, tc_generator **out) {
  *out = NULL;
  if (!o || o == Py_None) return true;
  if (Py_TYPE(o) != Generator) {
    PyObject *n = PyObject_GetAttrString((PyObject *)Py_TYPE(o), "__name__");
    PyErr_Format(PyExc_TypeError, "argument 'generator' must be torch.Generator, not %U", n);
    Py_XDECREF(n);
    return false;
  }
  gen_obj *g = (gen_obj *)o;
  if (g->ctx && g->ctx != c) {
    PyErr_SetString(PyExc_RuntimeError, "tensorc: this Generator belongs to another thread's context");
    return false;
  }
  *out = g->g;
  return true;
}

/* ---- torch functions ------------------------------------------------------------ */

static PyObject *default_generator;

static PyObject *f_manual_seed(PyObject *m, PyObject *seed) { return gen_manual_seed(default_generator, seed); }
static PyObject *f_seed(PyObject *m, PyObject *unused) { return gen_seed(default_generator, NULL); }
static PyObject *f_initial_seed(PyObject *m, PyObject *unused) { return gen_initial_seed(default_generator, NULL); }
static PyObject *f_get_rng_state(PyObject *m, PyObject *unused) { return gen_get_state(default_generator, NULL); }
static PyObject *f_set_rng_state(PyObject *m, PyObject *state) {
  tcpy_ctx *c = tcpy_current();
  if (!c || !set_state(c, NULL, state)) return NULL;
  Py_RETURN_NONE;
}

/* randperm(n, *, generator=None, dtype=torch.int64, device=None, ...) */
static PyObject *f_randperm(PyObject *m, PyObject *args, PyObject *kw) {
  static const char *const names[] = {"n", "generator", "dtype", "device", "requires_grad", "layout", "pin_memory",
                                      "out", NULL};
  PyObject *a[8];
  tcpy_ctx *c = tcpy_current();
  if (!c || !tcpy_parse("randperm", args, kw, 1, names, a)) return NULL;
  if (!a[0]) {
    PyErr_SetString(PyExc_TypeError, "randperm() missing 1 required positional arguments: \"n\"");
    return NULL;
  }
  int64_t n;
  tc_dtype dt = TC_I64;
  tc_generator *g;
  tc_device dev = {TC_CPU, 0}, saved = tc_get_default_device(c->ctx);
  bool has_dev = a[3] && a[3] != Py_None;
  bool has_dt = a[2] && a[2] != Py_None, with_out = a[7] && a[7] != Py_None;
  if (!tcpy_to_int(a[0], "n", &n) || !tcpy_generator_arg(a[1], c, &g) || (has_dt && !tcpy_to_dtype(a[2], &dt)) ||
      (has_dev && !tcpy_to_device(a[3], &dev)) || !tcpy_out_dtype(a[7], "randperm", &has_dt, &dt))
    return NULL;
  if (with_out && !has_dev) { /* out's device */
    has_dev = true;
    dev = tc_tensor_device(TT(a[7]));
  }
  if (has_dev && tc_set_default_device(c->ctx, dev) != TC_OK) return tcpy_raise(c->ctx);
  tc_tensor *r = tc_randperm(c->ctx, n, dt, g);
  if (has_dev) tc_set_default_device(c->ctx, saved);
  return with_out ? tcpy_out(a[7], tcpy_wrap(c, r), OUT_MADE, "randperm", NULL, NULL, NULL) : tcpy_wrap(c, r);
}

#define DEF(name, f) {name, (PyCFunction)(void (*)(void))f, METH_VARARGS | METH_KEYWORDS, NULL}
PyMethodDef tcpy_random_functions[] = {
    {"manual_seed", f_manual_seed, METH_O, NULL},   {"seed", f_seed, METH_NOARGS, NULL},
    {"initial_seed", f_initial_seed, METH_NOARGS, NULL}, {"get_rng_state", f_get_rng_state, METH_NOARGS, NULL},
    {"set_rng_state", f_set_rng_state, METH_O, NULL}, DEF("randperm", f_randperm), {NULL, NULL, 0, NULL}};

/* torch.random: the global generator's functions */
PyMethodDef tcpy_random_module_functions[] = {
    {"manual_seed", f_manual_seed, METH_O, NULL},   {"seed", f_seed, METH_NOARGS, NULL},
    {"initial_seed", f_initial_seed, METH_NOARGS, NULL}, {"get_rng_state", f_get_rng_state, METH_NOARGS, NULL},
    {"set_rng_state", f_set_rng_state, METH_O, NULL}, {NULL, NULL, 0, NULL}};

bool tcpy_random_init(PyObject *torch) {
  Generator = (PyTypeObject *)PyType_FromSpec(&gen_spec);
  if (!Generator) return false;
  gen_obj *d = PyObject_New(gen_obj, Generator);
  if (!d) return false;
  d->g = NULL;
  d->ctx = NULL;
  d->dev = (tc_device){TC_CPU, 0};
  default_generator = (PyObject *)d;
  Py_INCREF(default_generator);
  Py_INCREF(Generator);
  return PyModule_AddObject(torch, "Generator", (PyObject *)Generator) == 0 &&
         PyModule_AddObject(torch, "default_generator", default_generator) == 0 &&
         PyModule_AddFunctions(torch, tcpy_random_functions) == 0;
}

/* ---- Tensor ops ------------------------------------------------------------------ */

#define OPFN(name) static PyObject *name(tcpy_tensor *self, PyObject *args, PyObject *kw, int tag, const char *fn)
#define WRAP(x) tcpy_wrap(self->ctx, (x))
#define CTX (self->ctx->ctx)

static PyObject *self_or_raise(tcpy_tensor *self, tc_status st) {
  if (st != TC_OK) return tcpy_raise(CTX);
  Py_INCREF(self);
  return (PyObject *)self;
}

/* uniform_(from=0, to=1, *, generator=None) (0), normal_(mean=0, std=1, *, generator=None) (1) */
OPFN(m_fill_random) {
  static const char *const unames[] = {"from", "to", "generator", NULL};
  static const char *const nnames[] = {"mean", "std", "generator", NULL};
  PyObject *a[3];
  double x = 0, y = 1;
  tc_generator *g;
  if (!tcpy_parse(fn, args, kw, 2, tag ? nnames : unames, a) || (a[0] && !tcpy_to_double(a[0], tag ? "mean" : "from", &x)) ||
      (a[1] && !tcpy_to_double(a[1], tag ? "std" : "to", &y)) || !tcpy_generator_arg(a[2], self->ctx, &g))
    return NULL;
  return self_or_raise(self, tag ? tc_normal_(self->t, x, y, g) : tc_uniform_(self->t, x, y, g));
}

/* random_(from=0, to=None, *, generator=None); random_(to) */
OPFN(m_random_) {
  static const char *const names[] = {"from", "to", "generator", NULL};
  PyObject *a[3];
  int64_t lo = 0, hi;
  tc_generator *g;
  if (!tcpy_parse(fn, args, kw, 2, names, a) || !tcpy_generator_arg(a[2], self->ctx, &g)) return NULL;
  PyObject *from = a[0], *to = a[1] == Py_None ? NULL : a[1];
  if (from && !to && PyTuple_Size(args) == 1 && !(kw && PyDict_GetItemString(kw, "to"))) { /* random_(to) */
    to = from;
    from = NULL;
  }
  if ((from && !tcpy_to_int(from, "from", &lo)) || (to && !tcpy_to_int(to, "to", &hi))) return NULL;
  if (!to) { /* [from, the largest integer the dtype holds exactly] */
    static const int64_t top[TC_NUM_DTYPES] = {2, 256, 128, 32768, 2147483648LL, INT64_MAX, (1 << 11) + 1, (1 << 8) + 1,
                                               (1 << 24) + 1, (1LL << 53) + 1};
    hi = top[tc_tensor_dtype(self->t)];
  }
  return self_or_raise(self, tc_random_(self->t, lo, hi, g));
}

/* bernoulli(p=None, *, generator=None) (0): the tensor's values as
 * probabilities, or p (a number) for every element; bernoulli_(p=0.5, *,
 * generator=None) (1), p a number or a tensor of probabilities. */
OPFN(m_bernoulli) {
  static const char *const names[] = {"p", "generator", NULL};
  PyObject *a[2];
  tc_generator *g;
  if (!tcpy_parse(fn, args, kw, 1, names, a) || !tcpy_generator_arg(a[1], self->ctx, &g)) return NULL;
  PyObject *p = a[0] == Py_None ? NULL : a[0];
  if (p && tcpy_is_tensor(p)) { /* probabilities: bernoulli(p), written into self's shape */
    if (!tag) {
      PyErr_SetString(PyExc_TypeError, "bernoulli(): argument 'p' must be float, not Tensor");
      return NULL;
    }
    tc_tensor *b = tc_bernoulli(TT(p), g);
    tc_status st = b ? tc_copy_(self->t, b) : TC_ERR_ARG;
    tc_tensor_release(b);
    return self_or_raise(self, st);
  }
  double x = 0.5;
  if (p && !tcpy_to_double(p, "p", &x)) return NULL;
  if (tag) return self_or_raise(self, tc_bernoulli_(self->t, x, g));
  if (!p) return WRAP(tc_bernoulli(self->t, g));
  tc_tensor *r = tc_clone(self->t); /* bernoulli(input, p): input's shape and dtype */
  if (r && tc_bernoulli_(r, x, g) != TC_OK) {
    tc_tensor_release(r);
    r = NULL;
  }
  return WRAP(r);
}

/* multinomial(num_samples, replacement=False, *, generator=None) */
OPFN(m_multinomial) {
  static const char *const names[] = {"num_samples", "replacement", "generator", NULL};
  PyObject *a[3];
  int64_t n;
  bool repl = false;
  tc_generator *g;
  if (!tcpy_parse(fn, args, kw, 2, names, a)) return NULL;
  if (!a[0]) {
    PyErr_SetString(PyExc_TypeError, "multinomial() missing 1 required positional arguments: \"num_samples\"");
    return NULL;
  }
  if (!tcpy_to_int(a[0], "num_samples", &n) || (a[1] && !tcpy_to_bool(a[1], "replacement", &repl)) ||
      !tcpy_generator_arg(a[2], self->ctx, &g))
    return NULL;
  return WRAP(tc_multinomial(self->t, n, repl, g));
}

const tcpy_opdef tcpy_random_ops[] = {
    {"uniform_", m_fill_random, 0, OF_METHOD}, {"normal_", m_fill_random, 1, OF_METHOD},
    {"random_", m_random_, 0, OF_METHOD},      {"bernoulli", m_bernoulli, 0, OF_METHOD | OF_TORCH, OUT_ANY},
    {"bernoulli_", m_bernoulli, 1, OF_METHOD}, {"multinomial", m_multinomial, 0, OF_METHOD | OF_TORCH, OUT_LONG},
    {NULL, NULL, 0, 0}};
