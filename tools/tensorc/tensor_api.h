/*
 * tensor_api.h — the tables of tensor functions shared by tensor_ops.c
 * (math: elementwise, reductions, comparisons, linear algebra, masking),
 * tensor_methods.c (attributes, shapes, casts, movement, in-place) and
 * torch_module.c. Each entry is one builtin_def; `flags` says where it is
 * visible: as a Tensor method (TF_METHOD), as torch.NAME(input, ...) with
 * the tensor first (TF_TORCH), and whether NAME_ exists as the in-place
 * form (TF_INPLACE: computed out of place, then written back with copy_).
 */
#ifndef TCLI_TENSOR_API_H
#define TCLI_TENSOR_API_H

#include "interp.h"

enum { TF_METHOD = 1, TF_TORCH = 2, TF_INPLACE = 4, TF_FUNCTIONAL = 8 };

extern const builtin_def tensor_ops_table[];     /* tensor_ops.c */
extern const builtin_def tensor_methods_table[]; /* tensor_methods.c */

/* The entry named `name` in either table (any flags), or NULL. */
const builtin_def *tensor_fn_find(const char *name);
/* torch.NAME / F.NAME as a callable that takes the tensor as its first
 * argument (`flag`: TF_TORCH or TF_FUNCTIONAL), or NULL. */
value *tensor_fn_as_function(interp *I, const char *name, unsigned flag);
/* Calls a table entry with `self`. */
value *tensor_fn_call(interp *I, const builtin_def *d, value *self, call_args *a);

/* tensor (op) value where value is a tensor or a Python scalar, PyTorch's
 * way (scalars do not upcast). `name` names the function in messages. */
value *tensor_binop_values(interp *I, tc_binop op, value *a, value *b, const char *name);
/* A Python scalar or tensor as a new tensor reference (scalars as 0-d
 * tensors of their natural dtype: bool, int64, the default float). */
tc_tensor *value_as_tensor(interp *I, value *v, const char *fname, const char *argname);
/* A structseq torch.return_types.NAME(values=..., indices=...). */
value *return_pair(interp *I, const char *name, tc_tensor *values, tc_tensor *indices);

#endif
