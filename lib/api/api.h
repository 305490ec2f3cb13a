/*
 * api.h — what lib/api's files share. lib/api holds every public tc_*
 * entry point of include/tensorc.h: the checks that belong to an entry
 * point (NULL handles, tensors of one context, devices that exist), scopes,
 * eager mode, creation from host data, read-back, contexts and devices, and
 * the ops that read values on the host (gather.c). The graph is built by
 * lib/ir's builders (ir/builders.h); realization and memory are lib/runtime's.
 * Calls go down only: api -> runtime -> codegen -> passes -> ir
 * (scripts/check-layers checks it).
 *
 * A typical entry point is one line:
 *   tc_tensor *tc_exp(tc_tensor *a) { return api_eager(ir_op_unary(a, OP_EXP, "tc_exp")); }
 */
#ifndef TC_API_API_H
#define TC_API_API_H
#include "ir/builders.h"
#include "runtime/runtime.h"

/* The handle an entry point returns: in eager mode its storage is realized
 * first (on failure t is released and NULL returned), then it is recorded in
 * the innermost open scope. NULL stays NULL. */
tc_tensor *api_eager(tc_tensor *t);
/* The status an in-place entry point returns: after a write to dst's
 * storage succeeded (st == TC_OK), realizes it in eager mode. */
tc_status api_eager_write(tc_tensor *dst, tc_status st);
/* Realizes a write just recorded on dst's storage, which is shared with
 * the host (tc_share_host), so that it lands in the host's memory. */
tc_status api_shared_write(tc_tensor *dst);
/* Undoes the writes on st that a failed realization did not run: its
 * version goes back to the last realized one (realize.c). */
void api_undo_writes(tc_ctx *ctx, ir_storage *st);
/* tc_share_host on either device: pins t's storage to the memory that
 * holds its value now and returns its first element's address there (a
 * device address for a CUDA tensor); NULL with the error set. */
void *api_share(tc_tensor *t);
/* True when dev can hold tensors (a known type; for CUDA, a device that is
 * there); else false with fn's error set. (device.c) */
bool api_check_device(tc_ctx *ctx, const char *fn, tc_device dev);
/* Records t (a new handle the caller owns) in the innermost open scope, if
 * any, and returns it; on failure releases t and returns NULL (TC_ERR_OOM
 * set). */
tc_tensor *api_record(tc_tensor *t);
/* True when every non-NULL tensor of ts[0..n) belongs to ts[0]'s context
 * (ts[0] must not be NULL); else false with "fn: expected all tensors to
 * belong to the same context" set on ts[0]'s context. */
bool api_same_ctx(const char *fn, tc_tensor *const *ts, int n);
/* tc_binary without its read-back of a divisor (tc_floor_divide and
 * tc_remainder check for zeros): for divisors the caller knows nonzero. */
tc_tensor *api_binary_unchecked(tc_binop bop, tc_tensor *a, tc_tensor *b);
/* The stable sort permutation of x's rows (its last dim), ascending or
 * descending (NaN the largest), as int64 positions of x's shape: the
 * device radix sort of radix.c, lazy, on x's device. In a scope. */
tc_tensor *api_sort_rows(tc_tensor *x, bool desc);
/* The elements of each vs[a] (1-D, n elements) where the bool m (the
 * same) holds, in order, into out[a]: new 1-D tensors of their count, which
 * is read back once (gather.c: a count on the device, then one compaction
 * kernel per array). In a scope. */
tc_status api_compact(tc_ctx *ctx, tc_tensor *m, int64_t n, tc_tensor *const *vs, int nv, tc_tensor **out);
/* Checks idx (an integer tensor, any shape) against b's bounds and returns
 * the index to use from then on: idx itself, checked at the call (one fused
 * reduction read back), or, when the check is deferred (tc_set_index_check;
 * api_check_deferred), idx guarded by a CHECK node, which the realization
 * that reads it checks in a kernel of its own before anything it guards
 * runs. NULL with b's error (PyTorch's words) when checked at the call and
 * out of bounds. In a scope. (scatter.c) */
tc_tensor *api_checked(tc_ctx *ctx, tc_tensor *idx, const ir_bounds *b);
bool api_check_deferred(tc_ctx *ctx, tc_device dev);
/* api_checked for a dim of `size` (-size <= i < size), IR_BOUNDS_DIM. */
tc_tensor *api_in_bounds(tc_ctx *ctx, tc_tensor *idx, int64_t size, int dim, const char *fn);
/* The same for ops that take no negative index (0 <= i < size): gather. */
tc_tensor *api_in_bounds_nonneg(tc_ctx *ctx, tc_tensor *idx, int64_t size, int dim, const char *fn);
/* The storage offsets of a's elements at index idx (int32/int64, negative
 * counted from the end; broadcast to R) along dim and at the position of
 * shape R (nd dims, a's) along every other dim. Handles in the open scope.
 * (gather.c) */
tc_tensor *api_dim_offsets(tc_tensor *a, int dim, tc_tensor *idx, int nd, const int64_t *R);
/* a's elements at offs (int64 offsets into a's storage, any shape), on
 * a's device; the offsets must be in range (nothing checks them). */
tc_tensor *api_gather_at(tc_tensor *a, tc_tensor *offs);
/* Inside an entry point made of other ops: creation functions put their
 * tensors on dev (the operands' device) until api_on_end gives the caller's
 * default back. api_to moves t there (in the open scope) unless it is. */
static inline tc_device api_on(tc_ctx *ctx, tc_device dev) {
  tc_device old = ctx->default_dev;
  ctx->default_dev = dev;
  return old;
}
static inline void api_on_end(tc_ctx *ctx, tc_device old) { ctx->default_dev = old; }
static inline tc_tensor *api_to(tc_tensor *t, tc_device dev) {
  return t && !ir_same_device(ir_tensor_device(t), dev) ? tc_to(t, dev, false) : t;
}
/* t (a handle the caller made for itself, in the open scope) laid out with
 * exactly `strides` (a dense layout of t's shape) and offset 0, as PyTorch
 * reports a new result's layout: t itself when it already is at every dim
 * of size 2+ (its size-1 dims' strides are then set), else a copy in that memory order
 * (in the open scope). NULL stays NULL. (movement.c) */
tc_tensor *api_relayout(tc_tensor *t, const int64_t *strides);
/* api_relayout to the contiguous strides. */
tc_tensor *api_contiguous_exact(tc_tensor *t);
/* Gives up every scope of ctx (tc_ctx_free), releasing their handles. */
void api_scopes_free(tc_ctx *ctx);

#endif
