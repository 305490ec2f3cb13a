/*
 * builders.h — the ops on tensor handles, as lib/api's tc_* entry points
 * call them (and as composite ops call each other).
 *
 * Each builder checks its arguments' shapes and dtypes (PyTorch's rules and
 * messages, prefixed by the public function's name), records nodes, and
 * returns a NEW handle with one reference, the caller's, recorded in no
 * scope; or NULL with the context error set. A NULL tensor argument gives
 * NULL (or TC_ERR_ARG) without a new message. Nothing here realizes or
 * reads values: eager mode, scopes, read-back and the check that tensors
 * share a context are lib/api's, which calls these only with tensors of one
 * context.
 */
#ifndef TC_IR_BUILDERS_H
#define TC_IR_BUILDERS_H
#include "ir.h"

/* ---- shared checks ---- */
/* Wraps a negative dim d of a tensor of `ndim` dims (0-d: [-1, 0]); false
 * with PyTorch's "Dimension out of range" message. */
bool ir_wrap_dim(tc_ctx *ctx, const char *fn, int *d, int ndim);
/* PyTorch's device rule for the operands of an op: one device, except that
 * a 0-d CPU tensor may join an op on another; false with its message. */
bool ir_same_device_operands(tc_ctx *ctx, const char *fn, tc_tensor *const *ts, int n);
/* The dtype an elementwise op computes in (float16/bfloat16: float32). */
tc_dtype ir_compute_dt(tc_dtype dt);

/* ---- elementwise (build.c) ---- */
/* The public name of a binary op ("tc_add"...); NULL for a bad code. */
const char *ir_binop_fn(tc_binop bop);
tc_tensor *ir_op_binary(tc_binop bop, tc_tensor *a, tc_tensor *b);
tc_tensor *ir_op_binary_scalar(tc_binop bop, tc_tensor *a, double s, bool is_float,
                               bool scalar_first);
/* A unary op (OP_EXP, OP_RELU...; `fn` names it in messages). */
tc_tensor *ir_op_unary(tc_tensor *a, int op, const char *fn);
/* float32 -> int32, float64 -> int64 with the same bits (BITCAST). */
tc_tensor *ir_op_bitcast(tc_tensor *a);
tc_tensor *ir_op_square(tc_tensor *a);
/* A bounds check (CHECK) of idx (flat int64, held by the node to word a
 * failure) whose count `left` (0-d int64) is the number of idx's elements
 * from its first one out of b's bounds to its end, 0 when none. */
tc_tensor *ir_op_check(tc_tensor *left, tc_tensor *idx, const ir_bounds *b);
tc_tensor *ir_op_to_dtype(tc_tensor *a, tc_dtype dt);
tc_tensor *ir_op_where(tc_tensor *cond, tc_tensor *a, tc_tensor *b);
tc_tensor *ir_op_clamp(tc_tensor *a, tc_tensor *lo, tc_tensor *hi);
tc_tensor *ir_op_clamp_scalar(tc_tensor *a, double lo, double hi);
/* one bound: max (lo) or min (hi) with a scalar, laid out as a unary op */
tc_tensor *ir_op_clamp_bound(tc_tensor *a, double bound, bool is_max);

/* ---- creation (create.c) ---- */
/* Checks a dtype and a shape for a new tensor (PyTorch's messages); the
 * element count goes to *numel. */
bool ir_check_shape(tc_ctx *ctx, const char *fn, tc_dtype dt, int ndim,
                    const int64_t *shape, int64_t *numel);
/* full() under the name `fn` (tc_full, tc_zeros, tc_ones, tc_empty...). */
/* A tensor of a's shape, device and layout (PyTorch's preserve_format)
 * filled with value, in dtype dt (*_like). */
tc_tensor *ir_op_full_like(tc_tensor *a, const char *fn, double value, tc_dtype dt);
/* Storage of that shape on the context's device whose elements the caller
 * writes, every one, before anything reads them (OP_EMPTY): allocated at
 * realization, no kernel. Not for users: tc_empty is zeros. */
tc_tensor *ir_op_uninit(tc_ctx *ctx, tc_dtype dt, int ndim, const int64_t *shape);
/* clone(memory_format=preserve_format): a copy laid out as ir_result_strides'
 * IR_LAYOUT_LIKE says (ir_op_clone's copy is contiguous). */
tc_tensor *ir_op_clone_preserve(tc_tensor *a);
/* A copy of a in a new storage with the given strides (a dense layout of
 * a's shape: a permutation of a contiguous one; size-1 dims' strides are
 * taken as given), stored in that memory order by the kernel computing it. */
tc_tensor *ir_op_clone_strided(tc_tensor *a, const int64_t *strides);
tc_tensor *ir_op_full(tc_ctx *ctx, const char *fn, double value, tc_dtype dt, int ndim,
                      const int64_t *shape);
tc_tensor *ir_op_arange(tc_ctx *ctx, double start, double end, double step, tc_dtype dt);
tc_tensor *ir_op_linspace(tc_ctx *ctx, double start, double end, int64_t steps, tc_dtype dt);
tc_tensor *ir_op_eye(tc_ctx *ctx, int64_t n, int64_t m, tc_dtype dt);
void ir_manual_seed(tc_ctx *ctx, uint64_t seed);
/* rand (op OP_RAND) or randn (OP_RANDN) under the name `fn`. */
tc_tensor *ir_op_random(tc_ctx *ctx, int op, const char *fn, tc_dtype dt, int ndim,
                        const int64_t *shape);
/* random_(from, to)'s checks in dtype dt: from < to, and from and to - 1
 * within dt's values ("to - 1 is out of bounds for unsigned char"). */
bool ir_check_random_range(tc_ctx *ctx, const char *fn, int64_t from, int64_t to, tc_dtype dt);
tc_tensor *ir_op_randint(tc_ctx *ctx, int64_t low, int64_t high, tc_dtype dt, int ndim,
                         const int64_t *shape);

/* ---- movement (movement.c): views of the same storage ---- */
tc_tensor *ir_op_view(tc_tensor *a, int ndim, const int64_t *shape);
tc_tensor *ir_op_reshape(tc_tensor *a, int ndim, const int64_t *shape);
tc_tensor *ir_op_permute(tc_tensor *a, const int *perm);
tc_tensor *ir_op_transpose(tc_tensor *a, int d0, int d1);
tc_tensor *ir_op_t(tc_tensor *a);
tc_tensor *ir_op_expand(tc_tensor *a, int ndim, const int64_t *shape);
tc_tensor *ir_op_squeeze(tc_tensor *a, int dim);
tc_tensor *ir_op_squeeze_all(tc_tensor *a);
tc_tensor *ir_op_unsqueeze(tc_tensor *a, int dim);
tc_tensor *ir_op_flatten(tc_tensor *a, int start, int end);
tc_tensor *ir_op_narrow(tc_tensor *a, int dim, int64_t start, int64_t length);
tc_tensor *ir_op_slice(tc_tensor *a, int dim, int64_t start, int64_t stop, int64_t step);
tc_tensor *ir_op_select(tc_tensor *a, int dim, int64_t index);
tc_tensor *ir_op_unfold(tc_tensor *a, int dim, int64_t size, int64_t step);
tc_tensor *ir_op_as_strided(tc_tensor *a, int ndim, const int64_t *shape, const int64_t *strides,
                            int64_t offset);
tc_tensor *ir_op_clone(tc_tensor *a);
tc_tensor *ir_op_contiguous(tc_tensor *a);
/* a on dev (a COPY node; a view of a when already there). The device is
 * not checked here (lib/api checks that it exists). */
tc_tensor *ir_op_to(tc_tensor *a, tc_device dev, bool non_blocking);

/* ---- reductions and the ops made of them (reduce.c) ---- */
tc_tensor *ir_op_sum(tc_tensor *a, const int *dims, int ndims, bool keepdim);
tc_tensor *ir_op_prod(tc_tensor *a, const int *dims, int ndims, bool keepdim);
tc_tensor *ir_op_mean(tc_tensor *a, const int *dims, int ndims, bool keepdim);
tc_tensor *ir_op_reduce_dtype(tc_tensor *a, bool prod, const int *dims, int ndims, bool keepdim, tc_dtype dt);
tc_tensor *ir_op_amax(tc_tensor *a, const int *dims, int ndims, bool keepdim);
tc_tensor *ir_op_amin(tc_tensor *a, const int *dims, int ndims, bool keepdim);
tc_tensor *ir_op_all(tc_tensor *a, const int *dims, int ndims, bool keepdim);
tc_tensor *ir_op_any(tc_tensor *a, const int *dims, int ndims, bool keepdim);
tc_tensor *ir_op_var(tc_tensor *a, const int *dims, int ndims, double correction,
                     bool keepdim);
tc_tensor *ir_op_std(tc_tensor *a, const int *dims, int ndims, double correction,
                     bool keepdim);
tc_tensor *ir_op_logsumexp(tc_tensor *a, const int *dims, int ndims, bool keepdim);
tc_tensor *ir_op_max_all(tc_tensor *a);
tc_tensor *ir_op_min_all(tc_tensor *a);
/* max/min along dim: values and indices (new handles; either output may be
 * NULL). On failure both outputs are NULL. */
tc_status ir_op_max_dim(tc_tensor *a, int dim, bool keepdim, tc_tensor **values,
                        tc_tensor **indices);
tc_status ir_op_min_dim(tc_tensor *a, int dim, bool keepdim, tc_tensor **values,
                        tc_tensor **indices);
tc_tensor *ir_op_argmax(tc_tensor *a, bool has_dim, int dim, bool keepdim);
tc_tensor *ir_op_argmin(tc_tensor *a, bool has_dim, int dim, bool keepdim);
tc_tensor *ir_op_softmax(tc_tensor *a, int dim);
tc_tensor *ir_op_log_softmax(tc_tensor *a, int dim);
tc_tensor *ir_op_matmul(tc_tensor *a, tc_tensor *b);

/* ---- in-place writes and lazy comparisons (inplace.c) ---- */
/* Sets PyTorch's error and returns true when dst has an expanded dim
 * (several elements share one memory location: no write through it). */
bool ir_write_overlaps(tc_tensor *dst, const char *fn);
/* How two views' memory overlaps, by PyTorch's rule (get_overlap_status):
 * decided from shapes, strides and offsets alone. */
typedef enum { IR_OVERLAP_NO, IR_OVERLAP_FULL, IR_OVERLAP_PARTIAL, IR_OVERLAP_TOO_HARD } ir_overlap;
ir_overlap ir_overlap_status(const tc_tensor *a, const tc_tensor *b);
/* PyTorch's checks of a write's inputs (false with its error set): an
 * elementwise in-place op refuses a partial overlap of dst with src; an
 * indexed write (index_put_, scatter_, index_add_...) any overlap with its
 * source or index tensors. src may be NULL (nothing to check). */
bool ir_no_partial_overlap(tc_tensor *dst, const tc_tensor *src, const char *fn);
bool ir_no_overlap(tc_tensor *dst, const tc_tensor *src, const char *fn);
/* These replace dst's storage version with a WRITE node; realizing it (in
 * eager mode) is the caller's. */
tc_status ir_op_copy_(tc_tensor *dst, tc_tensor *src);
tc_status ir_op_fill_(tc_tensor *dst, double value);
tc_status ir_op_add_(tc_tensor *dst, tc_tensor *src);
/* t's handle takes shape (and strides; NULL: contiguous, and nothing
 * changes when the shape is t's) at its offset in its storage, which
 * grows (a new version) when the view would reach past its end. */
tc_status ir_op_resize_(tc_tensor *t, int ndim, const int64_t *shape, const int64_t *strides);
/* SCATTER(dst's version, values, offsets): values (dst's dtype) written at
 * the int64 element offsets of dst's storage (acc 0), or combined with
 * what is there by acc (OP_ADD, OP_MUL, OP_MAX, OP_MIN); offsets already on dst's
 * device (lib/api's scatter.c makes them and checks the indices). */
tc_status ir_op_scatter(tc_tensor *dst, tc_tensor *values, tc_tensor *offsets, int acc,
                        bool unique);
/* COMPACT(dst's version, values, base, keep) (ops.def): each row of values
 * (every dim but the last) where keep holds, side by side from dst's
 * element base[row, 0]. base int64 and keep bool (values' shape), on
 * dst's device; the caller sizes dst and base so that the rows' kept
 * elements fit without overlapping (lib/api's gather.c). base is values'
 * shape but 1 along the last dim: one position a row. */
tc_status ir_op_compact(tc_tensor *dst, tc_tensor *values, tc_tensor *base, tc_tensor *keep);
/* The WRITE of value into storage version old through the view of value's
 * shape with these strides at offset: a new version of old's storage
 * (old's user flag kept). old and value stay the caller's (the node takes
 * references of its own). */
ir_node *ir_write_node(tc_ctx *ctx, ir_node *old, ir_node *value, const int64_t *strides, int64_t offset);
/* A reduction node by RED op `op` over the dims in mask of in (kept as size
 * 1), of dtype dt (in borrowed, already of a dtype the op takes). */
ir_node *ir_red_node(tc_ctx *ctx, int op, tc_dtype dt, ir_node *in, uint32_t mask);
tc_tensor *ir_op_isclose(tc_tensor *a, tc_tensor *b, double rtol, double atol,
                         bool equal_nan);
/* out receives ndim new handles; on failure all NULL. */
tc_status ir_op_unravel_index(tc_tensor *indices, int ndim, const int64_t *shape,
                              tc_tensor **out);


/* ---- joins, splits and rearrangements (join.c) ---- */
/* cat of ts[0..n) along dim under the name `fn` (PyTorch's rules: dtypes
 * promoted, 1-D empty tensors skipped, one device); a lazy CAT tree. */
tc_tensor *ir_op_cat(tc_ctx *ctx, const char *fn, tc_tensor *const *ts, int n, int dim);
tc_tensor *ir_op_stack(tc_ctx *ctx, const char *fn, tc_tensor *const *ts, int n, int dim);
/* hstack (which 1), vstack (2), dstack (3). */
tc_tensor *ir_op_xstack(tc_ctx *ctx, int which, tc_tensor *const *ts, int n);
/* Pieces (views): the number of pieces, -1 on error; the first min(count,
 * cap) go to out (new handles; on error none). */
int ir_op_split(tc_tensor *a, int64_t size, int dim, tc_tensor **out, int cap);
int ir_op_split_sizes(tc_tensor *a, const int64_t *sizes, int n, int dim, tc_tensor **out);
int ir_op_chunk(tc_tensor *a, int chunks, int dim, tc_tensor **out, int cap);
int ir_op_unbind(tc_tensor *a, int dim, tc_tensor **out, int cap);
tc_tensor *ir_op_flip(tc_tensor *a, const int *dims, int ndims, const char *fn);
tc_tensor *ir_op_fliplr(tc_tensor *a);
tc_tensor *ir_op_flipud(tc_tensor *a);
tc_tensor *ir_op_roll(tc_tensor *a, const int64_t *shifts, int nshifts, const int *dims, int ndims);
/* tril (lower) / triu over the last two dims, diagonal k. */
tc_tensor *ir_op_tri(tc_tensor *a, int64_t k, bool lower);
tc_tensor *ir_op_diagonal(tc_tensor *a, int64_t offset, int d1, int d2);
tc_tensor *ir_op_diag(tc_tensor *a, int64_t k);
tc_tensor *ir_op_diag_embed(tc_tensor *a, int64_t offset, int d1, int d2);
tc_tensor *ir_op_repeat(tc_tensor *a, int nreps, const int64_t *reps, const char *fn);
tc_tensor *ir_op_tile(tc_tensor *a, int nreps, const int64_t *reps);
tc_tensor *ir_op_repeat_interleave(tc_tensor *a, int64_t repeats, bool has_dim, int dim);
/* out receives n views (indexing "ij", NULL = "ij", or "xy"); n or -1. */
int ir_op_meshgrid(tc_ctx *ctx, tc_tensor *const *ts, int n, const char *indexing, tc_tensor **out);
/* A GATHER: a's storage elements at `offsets` (int64, on a's device, every
 * one within the storage: the caller checks), in offsets' shape. */
tc_tensor *ir_op_gather_at(tc_tensor *a, tc_tensor *offsets);
/* A running combine along dim (op OP_ADD: cumsum, OP_MUL: cumprod, OP_RLSE:
 * logcumsumexp) under the name fn; the result dtype is dtype when given,
 * else int64 for integer/bool sums and products, else a's. */
tc_tensor *ir_op_scan(tc_tensor *a, int dim, int op, bool has_dtype, tc_dtype dtype, const char *fn);
/* cummax (max) / cummin: values and int64 indices (PyTorch's: the last
 * position that set or tied the extreme; NaN propagates). */
tc_status ir_op_cum_extreme(tc_tensor *a, int dim, bool max, tc_tensor **values, tc_tensor **indices);

#endif
