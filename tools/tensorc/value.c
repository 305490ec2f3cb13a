/*
 * value.c — constructors, reference counting and the type names of script
 * values. Freeing is iterative: v_decref pushes dying values on a worklist
 * and releases their children from a loop, so freeing a list nested a
 * million deep uses no stack. Lists are kept on a doubly linked registry;
 * v_collect_cycles empties every live list at exit, which frees any cycle
 * a script made (`a = []; a.append(a)`).
 */
#include "value.h"

#include <stdlib.h>
#include <string.h>

value v_none_ = {.refs = 1 << 30, .kind = V_NONE};
value v_true_ = {.refs = 1 << 30, .kind = V_BOOL, .b = true};
value v_false_ = {.refs = 1 << 30, .kind = V_BOOL, .b = false};
value v_ellipsis_ = {.refs = 1 << 30, .kind = V_ELLIPSIS};

static value *lists; /* registry of live lists */

static bool immortal(const value *v) {
  return v == &v_none_ || v == &v_true_ || v == &v_false_ || v == &v_ellipsis_;
}

static value *alloc(vkind k) {
  value *v = calloc(1, sizeof *v);
  if (v) {
    v->refs = 1;
    v->kind = k;
  }
  return v;
}

value *v_none(void) { return &v_none_; }
value *v_bool(bool b) { return b ? &v_true_ : &v_false_; }

value *v_int(int64_t i) {
  value *v = alloc(V_INT);
  if (v) v->i = i;
  return v;
}

value *v_float(double f) {
  value *v = alloc(V_FLOAT);
  if (v) v->f = f;
  return v;
}

value *v_str_take(char *s, size_t n) {
  if (!s) return NULL;
  value *v = alloc(V_STR);
  if (!v) {
    free(s);
    return NULL;
  }
  v->str.s = s;
  v->str.n = n;
  return v;
}

value *v_str(const char *s, size_t n) {
  char *d = malloc(n + 1);
  if (!d) return NULL;
  if (n) memcpy(d, s, n);
  d[n] = 0;
  return v_str_take(d, n);
}

value *v_cstr(const char *s) { return v_str(s, strlen(s)); }

value *v_seq_new(vkind kind, int n) {
  value *v = alloc(kind);
  if (!v) return NULL;
  int cap = n > 4 ? n : 4;
  v->seq.items = malloc(sizeof(value *) * (size_t)cap);
  if (!v->seq.items) {
    free(v);
    return NULL;
  }
  for (int i = 0; i < n; i++) v->seq.items[i] = &v_none_;
  v->seq.n = n;
  v->seq.cap = cap;
  if (kind == V_LIST) {
    v->seq.next = lists;
    if (lists) lists->seq.prev = v;
    lists = v;
  }
  return v;
}

value *v_tuple2(value *a, value *b) {
  value *t = (a && b) ? v_seq_new(V_TUPLE, 2) : NULL;
  if (!t) {
    v_decref(a);
    v_decref(b);
    return NULL;
  }
  t->seq.items[0] = a;
  t->seq.items[1] = b;
  return t;
}

bool v_list_append(value *list, value *x) {
  if (list->seq.n == list->seq.cap) {
    if (list->seq.cap > (1 << 28)) return false;
    int cap = list->seq.cap * 2;
    value **a = realloc(list->seq.items, sizeof(value *) * (size_t)cap);
    if (!a) return false;
    list->seq.items = a;
    list->seq.cap = cap;
  }
  list->seq.items[list->seq.n++] = v_incref(x);
  return true;
}

value *v_size_from(const int64_t *dims, int n) {
  value *s = v_seq_new(V_SIZE, n);
  if (!s) return NULL;
  for (int i = 0; i < n; i++) {
    value *d = v_int(dims[i]);
    if (!d) {
      v_decref(s);
      return NULL;
    }
    s->seq.items[i] = d;
  }
  return s;
}

value *v_tensor(tc_tensor *t) {
  if (!t) return NULL;
  value *v = alloc(V_TENSOR);
  if (!v) {
    tc_tensor_release(t);
    return NULL;
  }
  v->t = t;
  return v;
}

value *v_ndarray(tc_tensor *t) {
  value *v = v_tensor(t);
  if (v) v->kind = V_NDARRAY;
  return v;
}

value *v_npdtype(tc_dtype dt) {
  value *v = alloc(V_NPDTYPE);
  if (v) v->dt = dt;
  return v;
}

value *v_npscalar(tc_dtype dt, double f, int64_t i) {
  value *v = alloc(dt == TC_BOOL ? V_BOOL : tc_dtype_is_floating(dt) ? V_FLOAT : V_INT);
  if (!v) return NULL;
  v->npdt = (unsigned char)(dt + 1);
  if (v->kind == V_BOOL) v->b = i != 0;
  else if (v->kind == V_INT) v->i = i;
  else v->f = f;
  return v;
}

value *v_dtype(tc_dtype dt) {
  value *v = alloc(V_DTYPE);
  if (v) v->dt = dt;
  return v;
}

value *v_device(tc_device_type type, int index) {
  value *v = alloc(V_DEVICE);
  if (v) {
    v->dev.type = type;
    v->dev.index = index;
  }
  return v;
}

value *v_module(const module_def *m) {
  value *v = alloc(V_MODULE);
  if (v) v->mod = m;
  return v;
}

value *v_builtin(const builtin_def *d, value *self) {
  value *v = alloc(V_BUILTIN);
  if (v) {
    v->fn.def = d;
    v->fn.self = v_incref(self);
  }
  return v;
}

value *v_exc(exc_type type, const char *msg) {
  value *v = alloc(V_EXC);
  if (!v) return NULL;
  v->exc.type = type;
  v->exc.args = v_seq_new(V_TUPLE, msg ? 1 : 0);
  if (!v->exc.args || (msg && !(v->exc.args->seq.items[0] = v_cstr(msg)))) {
    if (v->exc.args && msg) v->exc.args->seq.items[0] = &v_none_;
    v_decref(v);
    return NULL;
  }
  return v;
}

value *v_exctype(exc_type type) {
  value *v = alloc(V_EXCTYPE);
  if (v) v->exct = type;
  return v;
}

value *v_range(int64_t start, int64_t stop, int64_t step) {
  value *v = alloc(V_RANGE);
  if (v) {
    v->range.start = start;
    v->range.stop = stop;
    v->range.step = step;
  }
  return v;
}

value *v_slice(value *lo, value *hi, value *step) {
  value *v = (lo && hi && step) ? alloc(V_SLICE) : NULL;
  if (!v) {
    v_decref(lo);
    v_decref(hi);
    v_decref(step);
    return NULL;
  }
  v->slice.lo = lo;
  v->slice.hi = hi;
  v->slice.step = step;
  return v;
}

/* ---- freeing ------------------------------------------------------------- */

static value **work;
static int nwork, capwork;
static bool draining;

static void release_children(value *v) {
  switch (v->kind) {
  case V_STR: free(v->str.s); break;
  case V_LIST:
    if (v->seq.prev) v->seq.prev->seq.next = v->seq.next;
    else if (lists == v) lists = v->seq.next;
    if (v->seq.next) v->seq.next->seq.prev = v->seq.prev;
    /* fall through */
  case V_TUPLE: case V_SIZE: case V_STRUCTSEQ:
    for (int i = 0; i < v->seq.n; i++) v_decref(v->seq.items[i]);
    free(v->seq.items);
    break;
  case V_TENSOR: case V_NDARRAY: tc_tensor_release(v->t); break;
  case V_BUILTIN: v_decref(v->fn.self); break;
  case V_FUNC:
    if (v->func.defaults) {
      for (int i = 0; i < v->func.p->n; i++) v_decref(v->func.defaults[i]);
      free(v->func.defaults);
    }
    break;
  case V_EXC: v_decref(v->exc.args); break;
  case V_SLICE:
    v_decref(v->slice.lo);
    v_decref(v->slice.hi);
    v_decref(v->slice.step);
    break;
  default: break;
  }
  free(v);
}

void v_decref(value *v) {
  if (!v || immortal(v)) return;
  if (--v->refs > 0) return;
  if (nwork == capwork) {
    int cap = capwork ? capwork * 2 : 256;
    value **w = realloc(work, sizeof(value *) * (size_t)cap);
    if (!w) { /* no worklist: free recursively */
      release_children(v);
      return;
    }
    work = w;
    capwork = cap;
  }
  work[nwork++] = v;
  if (draining) return;
  draining = true;
  while (nwork) release_children(work[--nwork]);
  draining = false;
}

void v_collect_cycles(void) {
  /* hold every live list, empty them all, then let go */
  int n = 0;
  for (value *l = lists; l; l = l->seq.next) n++;
  value **held = malloc(sizeof(value *) * (size_t)(n ? n : 1));
  if (held) {
    int k = 0;
    for (value *l = lists; l; l = l->seq.next) held[k++] = v_incref(l);
    for (int i = 0; i < k; i++) {
      value *l = held[i];
      int m = l->seq.n;
      l->seq.n = 0;
      for (int j = 0; j < m; j++) v_decref(l->seq.items[j]);
    }
    for (int i = 0; i < k; i++) v_decref(held[i]);
    free(held);
  }
  free(work);
  work = NULL;
  nwork = capwork = 0;
}

/* ---- names --------------------------------------------------------------- */

const char *v_type_name(const value *v) {
  static const char *const np_names[TC_NUM_DTYPES] = {
      "numpy.bool", "numpy.uint8", "numpy.int8", "numpy.int16", "numpy.int32",
      "numpy.int64", "numpy.float16", "numpy.bfloat16", "numpy.float32", "numpy.float64"};
  tc_dtype dt;
  if (v_npscalar_dtype(v, &dt) && dt < TC_NUM_DTYPES) return np_names[dt];
  switch (v->kind) {
  case V_NONE: return "NoneType";
  case V_BOOL: return "bool";
  case V_INT: return "int";
  case V_FLOAT: return "float";
  case V_STR: return "str";
  case V_TUPLE: return "tuple";
  case V_LIST: return "list";
  case V_SIZE: return "torch.Size";
  case V_STRUCTSEQ: return v->seq.name;
  case V_TENSOR: return "Tensor";
  case V_DTYPE: return "torch.dtype";
  case V_DEVICE: return "torch.device";
  case V_MODULE: return "module";
  case V_BUILTIN: return v->fn.self ? "builtin_function_or_method" : "builtin_function_or_method";
  case V_FUNC: return "function";
  case V_EXC: return exc_name(v->exc.type);
  case V_EXCTYPE: return "type";
  case V_RANGE: return "range";
  case V_SLICE: return "slice";
  case V_ELLIPSIS: return "ellipsis";
  case V_NDARRAY: return "numpy.ndarray";
  case V_NPDTYPE: return "numpy.dtype";
  }
  return "object";
}

static const struct {
  const char *name;
  exc_type parent;
} exc_info[X_NUM_TYPES] = {
    [X_BASE] = {"BaseException", X_BASE},
    [X_EXCEPTION] = {"Exception", X_BASE},
    [X_ARITHMETIC] = {"ArithmeticError", X_EXCEPTION},
    [X_LOOKUP] = {"LookupError", X_EXCEPTION},
    [X_RUNTIME] = {"RuntimeError", X_EXCEPTION},
    [X_NOTIMPL] = {"NotImplementedError", X_RUNTIME},
    [X_INDEX] = {"IndexError", X_LOOKUP},
    [X_KEY] = {"KeyError", X_LOOKUP},
    [X_TYPE] = {"TypeError", X_EXCEPTION},
    [X_VALUE] = {"ValueError", X_EXCEPTION},
    [X_ZERODIV] = {"ZeroDivisionError", X_ARITHMETIC},
    [X_OVERFLOW] = {"OverflowError", X_ARITHMETIC},
    [X_ASSERTION] = {"AssertionError", X_EXCEPTION},
    [X_NAME] = {"NameError", X_EXCEPTION},
    [X_UNBOUNDLOCAL] = {"UnboundLocalError", X_NAME},
    [X_ATTRIBUTE] = {"AttributeError", X_EXCEPTION},
    [X_MEMORY] = {"MemoryError", X_EXCEPTION},
    [X_RECURSION] = {"RecursionError", X_RUNTIME},
    [X_IMPORT] = {"ImportError", X_EXCEPTION},
    [X_MODULENOTFOUND] = {"ModuleNotFoundError", X_IMPORT},
    [X_STOPITERATION] = {"StopIteration", X_EXCEPTION},
    [X_SYNTAX] = {"SyntaxError", X_EXCEPTION},
    [X_INDENTATION] = {"IndentationError", X_SYNTAX},
};

const char *exc_name(exc_type t) { return t < X_NUM_TYPES ? exc_info[t].name : "Exception"; }

bool exc_matches(exc_type t, exc_type base) {
  for (int guard = 0; guard < 16; guard++) {
    if (t == base) return true;
    if (t == X_BASE) return false;
    t = exc_info[t].parent;
  }
  return false;
}

const char *dtype_torch_name(tc_dtype dt) {
  static const char *names[TC_NUM_DTYPES] = {"Bool", "Byte", "Char", "Short", "Int",
                                             "Long", "Half", "BFloat16", "Float", "Double"};
  return dt < TC_NUM_DTYPES ? names[dt] : "?";
}
