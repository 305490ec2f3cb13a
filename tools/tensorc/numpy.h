/*
 * numpy.h — NumPy in the interpreter: `import numpy as np` gives a module
 * whose arrays are V_NDARRAY values wrapping a CPU tc_tensor, so that
 * torch.from_numpy(a) and t.numpy() are aliases of the same storage (a
 * write through either is seen by the other, as in PyTorch). Indexing an
 * array down to one element gives a NumPy scalar: a number tagged with its
 * dtype (value.npdt), printed as NumPy prints it (np.int64(3)).
 *
 * numpy_module.c: the module (creation functions, dtype and scalar type
 * objects, a few functions); numpy_array.c: array attributes, methods,
 * indexing, operators with NumPy's result dtypes, conversions to and from
 * tensors; numpy_print.c: NumPy's array2string, repr and scalar printing.
 */
#ifndef TCLI_NUMPY_H
#define TCLI_NUMPY_H

#include "interp.h"
#include "sbuf.h"

/* ---- numpy_module.c ------------------------------------------------------- */

/* numpy.NAME: a new reference; NotImplementedError for NumPy names tensorc
 * lacks. */
value *numpy_getattr(interp *I, const char *name);
/* A dtype from what NumPy accepts as one: np.int64, np.dtype('int64'),
 * 'int64', 'f4', int, float, bool. False with TypeError otherwise. */
bool np_dtype_from_value(interp *I, value *v, tc_dtype *out);
/* The same without raising (false: not a dtype). */
bool np_dtype_try(const value *v, tc_dtype *out);
/* Attributes of a numpy.dtype (name, itemsize, kind, char, str, type);
 * NULL without an exception when it has none. */
value *npdtype_getattr(interp *I, value *self, const char *name);
/* true when dt is one of NumPy's dtypes (not bfloat16). */
bool np_dtype_ok(tc_dtype dt);
/* NumPy's name of a dtype ("int64", "float32", "bool"). */
const char *np_dtype_name(tc_dtype dt);
/* The scalar type object np.NAME of a dtype (<class 'numpy.int64'>). */
value *np_type_object(interp *I, tc_dtype dt);
/* The dtype of a type object made by np_type_object; false otherwise. */
bool np_type_dtype(const value *v, tc_dtype *out);
/* np.ndarray, the array class (for type() and isinstance()). */
value *np_ndarray_type(interp *I);
bool np_is_ndarray_type(const value *v);
/* np.array(obj, dtype) / np.asarray: nested lists and tuples of numbers
 * (NumPy's dtype inference), arrays, tensors, scalars. `copy` false shares
 * an array or CPU tensor of the wanted dtype. */
value *np_array_from(interp *I, value *obj, bool has_dt, tc_dtype dt, bool copy);

/* ---- numpy_array.c -------------------------------------------------------- */

/* A library result as an array (NULL: the context's exception). */
value *ndarray_result(interp *I, tc_tensor *t);
/* As NumPy's ufuncs and reductions return: a 0-d result as a scalar. */
value *np_result(interp *I, tc_tensor *t);
/* The one element of t as a NumPy scalar of t's dtype. */
value *np_scalar_of(interp *I, tc_tensor *t);
/* tc_to_dtype, but float64 -> float16 rounded once as NumPy does (the
 * library goes through float32). NULL: the context's error or MemoryError. */
tc_tensor *np_cast(interp *I, tc_tensor *t, tc_dtype dt);
/* An ndarray or a NumPy scalar. */
bool np_is_numpy(const value *v);
/* Array-likes as an array (a new reference to an array; lists, numbers and
 * CPU tensors converted; an array itself returned). */
value *np_coerce(interp *I, value *v);

value *ndarray_getattr(interp *I, value *self, const char *name);
value *npscalar_getattr(interp *I, value *self, const char *name);
value *ndarray_index(interp *I, value *self, value *index);
bool ndarray_setitem(interp *I, value *self, value *index, value *v);
int ndarray_truthy(interp *I, value *self);
value *ndarray_iter(interp *I, value *self);
value *ndarray_len(interp *I, value *self);

/* NumPy's promote_types. */
tc_dtype np_promote(tc_dtype a, tc_dtype b);
/* Operators where an operand is NumPy (and none is a tensor). */
value *np_binary(interp *I, op_kind op, value *a, value *b);
value *np_inplace(interp *I, op_kind op, value *a, value *b);
value *np_unary(interp *I, op_kind op, value *a);
value *np_compare(interp *I, cmp_kind op, value *a, value *b);
value *np_abs(interp *I, value *a);
/* A binary ufunc without operator rules (np.maximum): promotion only. */
value *np_ufunc2(interp *I, tc_binop bop, const char *ufunc, value *a, value *b);

/* torch.from_numpy(x), t.numpy(force=False), and the tensor (an alias)
 * that a tensor op with an array operand uses. */
value *torch_from_numpy(interp *I, value *x);
value *tensor_numpy(interp *I, value *t, bool force);
value *ndarray_as_tensor(interp *I, value *arr);

/* ---- numpy_print.c -------------------------------------------------------- */

/* repr(a) ("array([1, 2], dtype=int32)") or str(a) ("[1 2]"). */
bool ndarray_print(interp *I, sbuf *b, tc_tensor *t, bool as_repr);
/* str or repr of a NumPy scalar ("0.1", "np.float32(0.1)"). */
void npscalar_print(sbuf *b, const value *v, bool as_repr);
/* The value as dtype dt stores it (float32 and float16 rounding). */
double np_round_to(tc_dtype dt, double x);

#endif
