/*
 * interp.h — the interpreter: its state, exceptions, and the entry points
 * shared by the evaluator, the builtins, the torch module and the tensor
 * methods.
 *
 * Error convention (CPython's): a function that returns `value *` returns a
 * new reference, or NULL with an exception set on the interpreter (ex_*);
 * a `bool` function returns false with an exception set. Library errors are
 * sticky on the tc_ctx; ex_from_ctx turns the context's message into the
 * Python exception PyTorch raises and clears it.
 */
#ifndef TCLI_INTERP_H
#define TCLI_INTERP_H

#include <stdio.h>

#include "value.h"

/* A name -> value map (open addressing; keys are not copied: they live in
 * the program's arena or are static). */
typedef struct env {
  const char **keys;
  value **vals;
  int n, cap;
} env;

value *env_get(const env *e, const char *name); /* borrowed, or NULL */
bool env_set(env *e, const char *name, value *v); /* takes a new reference */
bool env_del(env *e, const char *name);
void env_free(env *e);

/* A local scope (a function call or a comprehension); lookups walk the
 * parent chain, then the globals, then the builtins. */
typedef struct scope {
  env vars;
  struct scope *parent;
  const char **globals; /* names declared `global` here */
  int nglobals, capglobals;
} scope;

typedef void (*write_fn)(void *user, const char *s, size_t n);

struct interp {
  tc_ctx *ctx;
  const char *filename;
  const char *src;
  size_t srclen;
  env globals;
  scope *locals;         /* the innermost local scope, or NULL at top level */
  /* the exception in flight */
  bool has_exc;
  value *exc;            /* a V_EXC */
  span exc_sp;           /* where it was raised (line 0: not yet known) */
  /* output of print() */
  write_fn write;
  void *write_user;
  /* the statement being run, for debug headers */
  int cur_line;
  int call_depth;        /* user function calls in progress */
  int depth;             /* eval/exec recursion depth (stack guard) */
  int64_t steps, max_steps; /* statements run; a limit (0: none) for fuzzing */
  value *handling;       /* the exception an `except` block is handling */
  const builtin_def *calling; /* the builtin being called (for its tag) */
  value *retval;         /* return value in flight (S_RETURN) */
  /* settings scripts can change */
  bool deterministic, cudnn_deterministic, cudnn_benchmark;
  tc_dtype default_dtype;
};

/* ---- exceptions ---------------------------------------------------------- */

/* Raise: set the exception (the first one wins until cleared). All return
 * NULL so that `return ex_type(I, ...)` reads naturally. */
void *ex_raise(interp *I, exc_type t, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void *ex_raise_value(interp *I, value *exc); /* steals a V_EXC */
void *ex_nomem(interp *I);
/* The context's sticky error as PyTorch's exception; clears it. */
void *ex_from_ctx(interp *I);
/* Clears the exception in flight. */
void ex_clear(interp *I);
/* Translates a library message ("tc_add: the size ...") into PyTorch's
 * words and exception type. Writes the message into `out`. */
exc_type ex_translate(const char *msg, char *out, size_t outn);
/* Writes the traceback of the exception in flight to `f`. */
void ex_print(interp *I, FILE *f);
/* Writes a syntax error the way Python does. */
void ex_print_syntax(const char *filename, const char *src, size_t n, const syntax_error *e, FILE *f);

/* ---- running ------------------------------------------------------------- */

bool interp_init(interp *I, tc_ctx *ctx, const char *filename, const char *src, size_t n);
void interp_free(interp *I);
/* How a block ended. */
enum { EX_OK, EX_ERR, EX_BREAK, EX_CONTINUE, EX_RETURN };
int exec_block(interp *I, stmt *s);
/* Runs a program; false when an exception escaped (it stays set). */
bool interp_run(interp *I, const program *p);

value *eval(interp *I, expr *e);
/* Binds a value to an assignment target (names, tuples, attributes,
 * subscripts). */
bool assign(interp *I, expr *target, value *v);
value *lookup_name(interp *I, const char *name);
bool bind_name(interp *I, const char *name, value *v);
/* Calls a callable value. */
value *call_value(interp *I, value *fn, call_args *a);
/* Python's truth value; -1 with an exception set. */
int truthy(interp *I, value *v);
/* Iteration: fills a new list with the items of an iterable. */
value *iter_to_list(interp *I, value *v);
/* Attribute lookup and assignment on any value. */
value *get_attr(interp *I, value *obj, const char *name);
bool set_attr(interp *I, value *obj, const char *name, value *v);
/* obj[index] and obj[index] = v. */
value *get_item(interp *I, value *obj, value *index);
bool set_item(interp *I, value *obj, value *index, value *v);

/* ---- operators (ops.c) ---------------------------------------------------- */

value *binary_op(interp *I, op_kind op, value *a, value *b);
/* a op= b: in place for tensors (PyTorch's add_, mul_ ...), else binary_op. */
value *inplace_op(interp *I, op_kind op, value *a, value *b);
value *unary_op(interp *I, op_kind op, value *a);
/* dst[...] = src for an in-place op: fails as PyTorch does when src's dtype
 * cannot be cast to dst's ("result type Float can't be cast to ..."). */
bool write_back(interp *I, value *dst, value *src);
value *compare_op(interp *I, cmp_kind op, value *a, value *b);
/* Python equality of two values (not elementwise); -1 on error. */
int values_equal(interp *I, value *a, value *b);

/* ---- printing (pyrepr.c) --------------------------------------------------- */

/* str() and repr(): new V_STR values, or NULL with an exception. */
value *v_to_str(interp *I, value *v);
value *v_to_repr(interp *I, value *v);
/* format(v, spec) as f-strings use it. */
value *v_format(interp *I, value *v, const char *spec);
/* Python's repr of a float ("0.1", "1e+16", "inf"). */
void float_repr(double f, char *buf, size_t n);

/* ---- arguments (args.c) ---------------------------------------------------- */

/* Looks up argument `pos` (positional index, or -1 for keyword-only) or
 * keyword `name`; NULL when absent (no exception). Fails with TypeError
 * when both are given. */
bool arg_get(interp *I, call_args *a, const char *fname, int pos, const char *name, value **out);
/* Fails with TypeError on keywords not in the NULL-terminated `names`, or
 * more than `maxpos` positional arguments. */
bool args_check(interp *I, call_args *a, const char *fname, int maxpos, const char *const *names);
bool to_int(interp *I, value *v, const char *what, int64_t *out);
bool to_double(interp *I, value *v, const char *what, double *out);
bool to_bool(interp *I, value *v, bool *out);
/* A shape from `*sizes` (positional from `first`) or one sequence/Size. */
bool shape_from_args(interp *I, call_args *a, int first, const char *fname, int *ndim, int64_t *shape);
bool shape_from_value(interp *I, value *v, const char *fname, int *ndim, int64_t *shape);
/* dims from an int or a tuple/list of ints. */
bool dims_from_value(interp *I, value *v, int *ndims, int *dims);
bool dtype_from_value(interp *I, value *v, tc_dtype *out);
/* A device from a torch.device, a string ("cpu", "cuda:0") or an int. */
bool device_from_value(interp *I, value *v, tc_device_type *type, int *index);
/* The library's device for a script device (no index: 0). */
tc_device device_of(tc_device_type type, int index);
/* Wraps a library result: NULL -> the context's exception. */
value *tensor_result(interp *I, tc_tensor *t);

/* ---- builtins, torch and tensors ------------------------------------------- */

value *builtin_lookup(interp *I, const char *name); /* NULL if none */
value *module_import(interp *I, const char *dotted); /* NULL + ModuleNotFoundError */
value *tensor_getattr(interp *I, value *self, const char *name);
value *tensor_index(interp *I, value *self, value *index);
bool tensor_setitem(interp *I, value *self, value *index, value *v);
/* torch.tensor(data, dtype) from nested lists/tuples/scalars. */
value *tensor_from_data(interp *I, value *data, bool has_dtype, tc_dtype dt);
/* A Python scalar or 0-d tensor as a tensor of dtype like the other operand. */
tc_tensor *as_tensor_operand(interp *I, value *v);
/* For each element of a tensor: tolist(), item(). */
value *tensor_tolist(interp *I, tc_tensor *t);
value *tensor_item(interp *I, tc_tensor *t);

#endif
