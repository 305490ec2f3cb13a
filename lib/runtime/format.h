/*
 * format.h — tensors printed exactly as PyTorch's repr/print does
 * (torch/_tensor_str.py): one formatter per tensor over its nonzero finite
 * values, 4 decimals (precision 4), integer-valued floats as "3.",
 * scientific notation when max/min of the absolute values > 1000 or
 * max > 1e8 (or, for non-integer values, min < 1e-4), every element padded to
 * the same width, lines wrapped at 80 columns (linewidth 80), "..."
 * summarization above 1000 elements (3 items at each edge), float16 and
 * bfloat16 formatted through float32, bool as True/False, and the suffix
 * ", dtype=torch.int32" unless the dtype is float32, int64 or bool (PyTorch's
 * defaults), ", device='cuda:0'" before it when `device` is not NULL, and
 * "size=(0, 3)" for empty tensors with more than one dim, as PyTorch does.
 */
#ifndef TC_RUNTIME_FORMAT_H
#define TC_RUNTIME_FORMAT_H
#include <stdint.h>
#include "tensorc.h"

/* `data`: numel elements of `dt`, row-major contiguous, for a tensor of
 * `ndim` dims `shape`. `device`: NULL for the CPU, else e.g. "cuda:0".
 * Returns a malloc'd NUL-terminated string, NULL when allocation fails. */
char *rt_format(const void *data, tc_dtype dt, int ndim, const int64_t *shape,
                const char *device);

#endif
