/*
 * value.h — the runtime values of scripts: Python's None, bool, int, float,
 * str, tuple, list, range, slice, the torch objects (tensors, dtypes,
 * devices, torch.Size, return-type tuples), the NumPy objects (arrays,
 * dtypes, and scalars: a number tagged with its NumPy dtype), plus modules,
 * functions and exceptions.
 *
 * Values are reference counted (v_incref/v_decref); None, True, False and
 * Ellipsis are immortal statics. A tensor value owns one reference to its
 * tc_tensor handle. Freeing is iterative (a worklist), so a deeply nested
 * list cannot overflow the stack, and every live list is on a registry so
 * that v_collect_cycles can break reference cycles at exit.
 */
#ifndef TCLI_VALUE_H
#define TCLI_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <tensorc.h>

#include "ast.h"

typedef struct interp interp;
typedef struct value value;

typedef enum vkind {
  V_NONE, V_BOOL, V_INT, V_FLOAT, V_STR, V_TUPLE, V_LIST, V_SIZE, V_STRUCTSEQ,
  V_TENSOR, V_DTYPE, V_DEVICE, V_MODULE, V_BUILTIN, V_FUNC, V_EXC, V_EXCTYPE,
  V_RANGE, V_SLICE, V_ELLIPSIS, V_NDARRAY, V_NPDTYPE
} vkind;

/* Exception classes, with their Python base (see exc_parent). */
typedef enum exc_type {
  X_BASE, X_EXCEPTION, X_ARITHMETIC, X_LOOKUP, X_RUNTIME, X_NOTIMPL, X_INDEX,
  X_KEY, X_TYPE, X_VALUE, X_ZERODIV, X_OVERFLOW, X_ASSERTION, X_NAME,
  X_UNBOUNDLOCAL, X_ATTRIBUTE, X_MEMORY, X_RECURSION, X_IMPORT,
  X_MODULENOTFOUND, X_STOPITERATION, X_SYNTAX, X_INDENTATION, X_NUM_TYPES
} exc_type;

/* Positional and keyword arguments of a call. */
typedef struct call_args {
  value **args;
  int nargs;
  const char **kwnames;
  value **kwvals;
  int nkw;
} call_args;

typedef value *(*builtin_fn)(interp *I, value *self, call_args *a);

typedef struct builtin_def {
  const char *name; /* as Python names it in messages ("sum", "view") */
  builtin_fn fn;
  intptr_t tag;     /* for table-driven functions: which op (see I->calling) */
  unsigned flags;   /* table-specific; BF_TYPE marks a class (int, Tensor) */
} builtin_def;

/* A builtin that is a class: repr "<class 'NAME'>" (tag: the qualified name
 * as a const char *, or 0), the result of type(x). Outside the tensor tables,
 * whose flags mean something else. */
#define BF_TYPE 0x100u

typedef struct module_def {
  const char *name; /* "torch", "torch.cuda" ... */
  /* The attribute, a new reference; NULL without an exception when absent. */
  value *(*getattr)(interp *I, const char *attr);
  /* Sets an attribute; false with an exception when it cannot. NULL: none. */
  bool (*setattr)(interp *I, const char *attr, value *v);
} module_def;

struct value {
  int refs;
  vkind kind;
  /* V_BOOL, V_INT, V_FLOAT: 0 for a Python number; a NumPy scalar
   * (np.int64(3), what indexing an array gives) holds its dtype + 1 */
  unsigned char npdt;
  union {
    bool b;       /* V_BOOL */
    int64_t i;    /* V_INT */
    double f;     /* V_FLOAT */
    struct {
      char *s;
      size_t n;
    } str;        /* V_STR (NUL-terminated) */
    struct {
      value **items;
      int n, cap;
      const char *name;         /* V_STRUCTSEQ: "torch.return_types.max" */
      const char *const *fields; /* V_STRUCTSEQ field names */
      value *prev, *next;       /* V_LIST: the registry of live lists */
    } seq;        /* V_TUPLE, V_LIST, V_SIZE (ints), V_STRUCTSEQ */
    tc_tensor *t; /* V_TENSOR, V_NDARRAY (a CPU tensor holding the array) */
    tc_dtype dt;  /* V_DTYPE, V_NPDTYPE */
    struct {
      tc_device_type type;
      int index; /* -1: none given */
    } dev;        /* V_DEVICE */
    const module_def *mod;       /* V_MODULE */
    struct {
      const builtin_def *def;
      value *self; /* bound method receiver, or NULL */
    } fn;         /* V_BUILTIN */
    struct {
      const char *name;
      const params *p;
      value **defaults; /* evaluated defaults (NULL entries: none) */
      stmt *body;       /* def body, or NULL for a lambda */
      expr *lambda;     /* lambda body */
    } func;       /* V_FUNC */
    struct {
      exc_type type;
      value *args; /* a tuple */
    } exc;        /* V_EXC */
    exc_type exct; /* V_EXCTYPE */
    struct {
      int64_t start, stop, step;
    } range;      /* V_RANGE */
    struct {
      value *lo, *hi, *step; /* None when absent */
    } slice;      /* V_SLICE */
  };
};

extern value v_none_, v_true_, v_false_, v_ellipsis_;
#define V_NONE_VAL (&v_none_)

static inline value *v_incref(value *v) {
  if (v) v->refs++;
  return v;
}
void v_decref(value *v);

/* Constructors: new references, NULL when out of memory (no exception set;
 * the evaluator turns NULL into MemoryError through ex_nomem). */
value *v_none(void);
value *v_bool(bool b);
value *v_int(int64_t i);
value *v_float(double f);
value *v_str(const char *s, size_t n);
value *v_cstr(const char *s);
value *v_str_take(char *s, size_t n); /* takes a malloc'd buffer */
value *v_seq_new(vkind kind, int n);  /* n None-filled slots */
value *v_tuple2(value *a, value *b);  /* steals both */
value *v_tensor(tc_tensor *t);        /* steals the handle */
value *v_ndarray(tc_tensor *t);       /* steals the handle */
value *v_dtype(tc_dtype dt);
value *v_npdtype(tc_dtype dt);
/* A NumPy scalar of dtype dt: a bool, int or float value tagged with dt
 * (`f` for floating dtypes, `i` otherwise). */
value *v_npscalar(tc_dtype dt, double f, int64_t i);
value *v_device(tc_device_type type, int index);
value *v_module(const module_def *m);
value *v_builtin(const builtin_def *d, value *self);
value *v_exc(exc_type type, const char *msg);
value *v_exctype(exc_type type);
value *v_range(int64_t start, int64_t stop, int64_t step);
value *v_slice(value *lo, value *hi, value *step); /* steals all three */
value *v_size_from(const int64_t *dims, int n);

/* Sets slot i of a tuple/list being built (steals x). */
static inline void v_seq_set(value *s, int i, value *x) {
  v_decref(s->seq.items[i]);
  s->seq.items[i] = x;
}
bool v_list_append(value *list, value *x); /* does not steal x */

static inline bool v_is_seq(const value *v) {
  return v->kind == V_TUPLE || v->kind == V_LIST || v->kind == V_SIZE || v->kind == V_STRUCTSEQ;
}
static inline bool v_is_number(const value *v) {
  return v->kind == V_BOOL || v->kind == V_INT || v->kind == V_FLOAT;
}
static inline double v_as_double(const value *v) {
  return v->kind == V_FLOAT ? v->f : v->kind == V_INT ? (double)v->i : (double)v->b;
}
static inline int64_t v_as_int(const value *v) { return v->kind == V_INT ? v->i : (int64_t)v->b; }

/* The dtype of a NumPy scalar; false for anything else. */
static inline bool v_npscalar_dtype(const value *v, tc_dtype *dt) {
  if ((v->kind != V_BOOL && v->kind != V_INT && v->kind != V_FLOAT) || !v->npdt) return false;
  *dt = (tc_dtype)(v->npdt - 1);
  return true;
}

/* Python's type name of a value ("int", "Tensor", "torch.Size"...). */
const char *v_type_name(const value *v);
const char *exc_name(exc_type t);
/* true when `t` is `base` or derives from it. */
bool exc_matches(exc_type t, exc_type base);
/* PyTorch's name of a dtype in messages: Float, Long, Bool ... */
const char *dtype_torch_name(tc_dtype dt);

/* Breaks the cycles among lists still alive (called once at exit). */
void v_collect_cycles(void);

#endif
