/*
 * tcpy.h — what the files of the CPython extension share.
 *
 * The extension (`tensorc`, with the submodule `tensorc.torch`) is C over
 * tensorc's public API and CPython's stable ABI (Py_LIMITED_API 3.9: heap
 * types from PyType_FromSpec, no struct access to CPython's objects), so
 * one build loads in any CPython 3.9 or later.
 *
 * Objects and ownership:
 *   - Context (tcpy_ctx): one tc_ctx per Python thread, made on first use
 *     and kept in the thread's state dict, so it lives as long as the
 *     thread, or longer while tensors of it live.
 *   - Tensor: owns exactly one reference to its tc_tensor handle and one
 *     reference to its Context; dealloc releases both (handle first), so
 *     Python objects may die in any order. The module never opens a tensorc
 *     scope: every handle it gets back is the caller's.
 *   - A tensor's context belongs to the thread that made it; an op given a
 *     tensor of another thread's context raises RuntimeError (never runs
 *     it), since a tc_ctx is used by one thread at a time. The GIL is held
 *     while tensorc computes.
 * Errors: tensorc's sticky error becomes the exception PyTorch raises
 * (tc_last_error_kind) with PyTorch's words (the "tc_add: " prefix
 * dropped), and is cleared.
 */
#ifndef TCPY_H
#define TCPY_H
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdbool.h>
#include "tensorc.h"

/* ---- contexts (module.c) ---- */
typedef struct tcpy_ctx {
  PyObject_HEAD
  tc_ctx *ctx;
  unsigned long thread; /* PyThread_get_thread_ident() of its thread */
} tcpy_ctx;

typedef struct tcpy_tensor {
  PyObject_HEAD
  tc_tensor *t;   /* one reference, ours */
  tcpy_ctx *ctx;  /* strong reference */
  PyObject *weakrefs;
  PyObject *base; /* _base: the Tensor of tc_tensor_base(t) (strong), or NULL */
} tcpy_tensor;

/* Process-wide state (the module is single-phase; one interpreter). */
typedef struct tcpy_state {
  PyTypeObject *Tensor, *Context, *Dtype, *Device, *Size, *Op, *Finfo, *MemoryFormat;
  PyObject *dtypes[TC_NUM_DTYPES]; /* torch.float32 ... (strong) */
  PyObject *formats[4];            /* torch.preserve_format ... by tc_memory_format (strong) */
  PyObject *ctx_key;               /* thread-dict key of the context */
  PyObject *torch;                 /* tensorc.torch */
  PyObject *array_api;             /* tensorc.array_api (python/array_api.py) */
  tc_dtype default_dtype;          /* torch.get_default_dtype() */
  bool deterministic;              /* torch.use_deterministic_algorithms */
  tc_ctx_options opts;             /* options of new contexts */
} tcpy_state;
extern tcpy_state S;

/* The calling thread's context (borrowed; made on first use). NULL with an
 * exception set when it cannot be made. */
tcpy_ctx *tcpy_current(void);
/* Whether t may be used from this thread; else RuntimeError, false. */
bool tcpy_check_thread(tcpy_tensor *t);

/* ---- errors and arguments (errors.c) ---- */
/* Raises the sticky error of ctx as PyTorch's exception, clears it; NULL. */
PyObject *tcpy_raise(tc_ctx *ctx);
/* A Tensor over t (steals it; NULL t: raises ctx's error). The handle's
 * user pointer (tc_tensor_set_user) names its first Tensor, so a view's
 * _base is the Tensor of its base handle: that object when it lives, else
 * a new Tensor over the base handle. */
PyObject *tcpy_wrap(tcpy_ctx *c, tc_tensor *t);
/* The positional and keyword arguments of `fn` against `names` (NULL-
 * ended; the first `npos` may be positional): out[i] borrowed or NULL.
 * TypeError with Python's words for extra or unknown arguments. */
bool tcpy_parse(const char *fn, PyObject *args, PyObject *kw, int npos, const char *const *names,
                PyObject **out);
static inline bool tcpy_is_tensor(PyObject *o) { return Py_TYPE(o) == S.Tensor; }
#define TT(o) (((tcpy_tensor *)(o))->t)
/* A Python number: bool, int (anything with __index__) or float (anything
 * with __float__); Tensors and other objects are not. */
enum { NUM_NONE, NUM_BOOL, NUM_INT, NUM_FLOAT };
int tcpy_number_kind(PyObject *o);
bool tcpy_to_int(PyObject *o, const char *what, int64_t *out);
bool tcpy_to_double(PyObject *o, const char *what, double *out);
bool tcpy_to_bool(PyObject *o, const char *what, bool *out);
/* A dim (clamped to int range so tensorc reports it). */
bool tcpy_to_dim(PyObject *o, int *out);
/* dims: an int or a sequence of ints. */
bool tcpy_to_dims(PyObject *o, int *n, int *dims);
/* A shape: a sequence (list, tuple, Size) of ints. */
bool tcpy_to_shape(PyObject *o, const char *fn, int *n, int64_t *shape);
/* A shape given as varargs (ints) or as one sequence: args[first:]. */
bool tcpy_shape_args(PyObject *args, Py_ssize_t first, const char *fn, int *n, int64_t *shape);
/* Any object a dtype= accepts (torch.float32...). */
bool tcpy_to_dtype(PyObject *o, tc_dtype *out);
/* memory_format= of `fn`: a torch.memory_format object (None, when
 * none_ok, and a missing argument give dflt); else TypeError in PyTorch's
 * words ("clone(): argument 'memory_format' must be torch.memory_format,
 * not str"). */
bool tcpy_to_memory_format(PyObject *o, const char *fn, tc_memory_format dflt, bool none_ok, tc_memory_format *out);
/* A device: torch.device, "cuda:0", or an int (a CUDA ordinal). */
bool tcpy_to_device(PyObject *o, tc_device *out);
/* An operand as a tensor of ctx: a Tensor (a new reference to its handle),
 * a Python number (a 0-d tensor: bool, int64, or the default float), or a
 * NumPy array (shared). NULL with TypeError naming `fn` and `arg`. */
tc_tensor *tcpy_operand(tcpy_ctx *c, PyObject *o, const char *fn, const char *arg);

/* ---- types (types.c) ---- */
bool tcpy_types_init(PyObject *torch);
PyObject *tcpy_dtype_obj(tc_dtype dt); /* new reference */
PyObject *tcpy_device_obj(tc_device d, bool cpu_index); /* new reference */
PyObject *tcpy_size(const int64_t *shape, int n);
/* torch.return_types.NAME(values, indices) (steals both). */
PyObject *tcpy_return_pair(const char *name, PyObject *values, PyObject *indices);
const char *tcpy_dtype_torch_name(tc_dtype dt); /* "Float", "Long"... */
/* Tensor.untyped_storage(): a torch.UntypedStorage over t's storage
 * (data_ptr(), nbytes(), size(), len(), device); holds t. */
PyObject *tcpy_storage_obj(tcpy_tensor *t);

/* ---- the Tensor type and its ops (tensor.c, ops.c, methods.c) ---- */
bool tcpy_tensor_init(PyObject *module);
/* The elementwise binary op on two operands, Python scalars kept as
 * scalars (they do not upcast the tensor). Py_NotImplemented (new ref) when
 * neither is a tensor or the other is not a number/array. */
PyObject *tcpy_binary(tc_binop op, PyObject *a, PyObject *b);
/* dst[...] = src after checking the result dtype can be cast back. */
bool tcpy_write_back(tcpy_tensor *dst, tc_tensor *src);
bool tcpy_check_inplace(tcpy_tensor *dst, PyObject *args, PyObject *kw);
PyObject *tcpy_item(tcpy_tensor *t);
PyObject *tcpy_tolist(tcpy_tensor *t);

/* Ops that are Tensor methods and torch functions (ops.c, methods.c): one
 * table; the Op type binds an entry to a tensor (t.add) or takes the
 * tensor as its first argument (torch.add). */
typedef PyObject *(*tcpy_opfn)(tcpy_tensor *self, PyObject *args, PyObject *kw, int tag, const char *name);
enum { OF_METHOD = 1, OF_TORCH = 2, OF_INPLACE = 4, OF_FUNCTIONAL = 8 };
typedef struct tcpy_opdef {
  const char *name;
  tcpy_opfn fn;
  int tag;
  int flags;
  int out; /* how torch.NAME takes out= (OUT_*, out.c); 0: it takes none */
} tcpy_opdef;
extern const tcpy_opdef tcpy_math_ops[];   /* ops.c */
extern const tcpy_opdef tcpy_tensor_ops[]; /* methods.c */
extern const tcpy_opdef tcpy_join_ops[];   /* joins.c */
extern const tcpy_opdef tcpy_select_ops[]; /* select.c */
extern const tcpy_opdef tcpy_sort_ops[];   /* sort.c */
extern const tcpy_opdef tcpy_random_ops[]; /* random.c */
bool tcpy_ops_install(PyObject *torch, PyObject *functional); /* ops.c */

/* A tensor argument of this thread, or NULL with PyTorch's TypeError
 * ("fn(): argument 'arg' (position pos) must be Tensor, not int"). */
tcpy_tensor *tcpy_tensor_arg(PyObject *o, const char *fn, const char *arg, int pos);
/* The tensors of a tuple or list (borrowed handles, at most cap); their
 * count, or -1 with TypeError ("expected Tensor as element 1 in argument
 * 0, but got int"). */
int tcpy_tensor_list(PyObject *seq, const char *fn, tc_tensor **out, int cap);
/* A tuple of Tensors over n new handles (stolen; NULL ones raise ctx's
 * error). */
PyObject *tcpy_tuple(tcpy_ctx *c, tc_tensor **ts, int n);
/* torch.return_types.NAME over a call's (values, indices): st not TC_OK
 * releases both and raises ctx's error. */
PyObject *tcpy_pair_result(tcpy_ctx *c, const char *name, tc_status st, tc_tensor *values, tc_tensor *indices);

/* ---- out= (out.c) ---- */
/* How a function's out= treats out's dtype, each in the words of the
 * PyTorch kernel that has the rule (out.c's table gives them): */
enum {
  OUT_NONE,    /* no out= */
  OUT_CAST,    /* cast to out's dtype where torch.can_cast allows (elementwise ops) */
  OUT_SAME,    /* out's dtype is the result's ("Found dtype Double but expected Float") */
  OUT_EXACT,   /* the same ("Expected out tensor to have dtype float, but got double instead") */
  OUT_ACC,     /* computed in out's dtype (dtype=out.dtype unless dtype= is given): sum, cumsum */
  OUT_ANY,     /* any dtype (bernoulli) */
  OUT_MAXMIN,  /* max/min: EXACT along a dim, CAST of two tensors, can_cast of all elements */
  OUT_CLAMP,   /* clamp: SAME with number bounds, CAST with tensor bounds */
  OUT_AMAX, OUT_FLOAT, OUT_BOOL, OUT_DOT, OUT_WHERE, OUT_CAT, OUT_SELECT, OUT_TAKE, OUT_NONZERO,
  OUT_SCAN, OUT_HISTC, OUT_SEARCH, OUT_LONG, OUT_KTH, OUT_MEDIAN, OUT_MODE,
  OUT_MADE,    /* creation functions: out's dtype chosen before (tcpy_out_dtype) */
  OUT_MINMAX_ALL, /* (resolved from OUT_MAXMIN) */
  OUT_RULES,
  OUT_APART = 64 /* flag: out may not partially overlap an input (TensorIterator's check) */
};
/* out= of fn: writes `result` (stolen: a Tensor, or a tuple of n for a
 * function of n results) into `out` (borrowed: a Tensor, or a tuple or
 * list of n Tensors) by `rule` — out's thread, device and dtype checked,
 * a partial overlap with the tensors among self, args and kw's values
 * refused (OUT_APART), out resized in place when its shape differs
 * (tc_resize_: silently when it has no elements, else with PyTorch's
 * UserWarning; the result's layout when dense), then the values copied
 * through out's storage (cast to its dtype) — and returns out itself (a
 * new reference; n results: torch.return_types.FN_out of out's tensors).
 * NULL with the exception set (result NULL: its exception kept). */
PyObject *tcpy_out(PyObject *out, PyObject *result, int rule, const char *fn, PyObject *self, PyObject *args,
                   PyObject *kw);
/* The op table's entry d called as torch.NAME(self, *args, out=..., **kw)
 * (kw holds out): the op without out=, then tcpy_out by d->out. */
PyObject *tcpy_out_op(const tcpy_opdef *d, tcpy_tensor *self, PyObject *args, PyObject *kw);
/* A creation function's dtype given out (None or NULL: no change): dtype=
 * when given must be out's ("dtype Float does not match dtype of out
 * parameter (Long)"), else out's is taken; *has set. False with the
 * exception (out not a Tensor: TypeError). */
bool tcpy_out_dtype(PyObject *out, const char *fn, bool *has, tc_dtype *dt);

/* ---- joins, random (joins.c, random.c) ---- */
extern PyMethodDef tcpy_join_functions[];
extern PyMethodDef tcpy_random_functions[];
extern PyMethodDef tcpy_random_module_functions[]; /* torch.random */
extern PyMethodDef tcpy_sort_functions[]; /* sort.c: bucketize */
/* torch.Generator and torch.default_generator. */
bool tcpy_random_init(PyObject *torch);
/* The generator= argument: NULL (None or absent: the context's) or its
 * tc_generator; false with TypeError. */
bool tcpy_generator_arg(PyObject *o, tcpy_ctx *c, tc_generator **out);

/* ---- indexing (index.c) ---- */
PyObject *tcpy_getitem(tcpy_tensor *self, PyObject *index);
int tcpy_setitem(tcpy_tensor *self, PyObject *index, PyObject *value);

/* ---- creation (create.c) ---- */
extern PyMethodDef tcpy_create_functions[];
/* torch.tensor(data, dtype) of nested sequences/numbers/tensors/arrays. */
PyObject *tcpy_tensor_from_data(tcpy_ctx *c, PyObject *data, bool has_dtype, tc_dtype dt);

/* ---- NumPy and DLPack (interop.c) ---- */
extern PyMethodDef tcpy_interop_functions[];
/* The tensor sharing a NumPy array's memory (torch.from_numpy); new ref. */
PyObject *tcpy_from_numpy(tcpy_ctx *c, PyObject *arr);
/* Whether o looks like a NumPy array (has __array_interface__, not a
 * Tensor). */
bool tcpy_is_array(PyObject *o);
/* A NumPy scalar's (or array's) dtype, when tensorc has it. */
bool tcpy_np_scalar_dtype(PyObject *o, tc_dtype *dt);
PyObject *tcpy_array_interface(tcpy_tensor *self);
PyObject *tcpy_numpy(tcpy_tensor *self, bool force);
PyObject *tcpy_dlpack(tcpy_tensor *self, PyObject *args, PyObject *kw);
PyObject *tcpy_dlpack_device(tcpy_tensor *self);

#endif
