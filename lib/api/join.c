/*
 * join.c — the entry points of ir/join.c: cat and stack (lazy CAT trees),
 * splits (views), flips, rolls, triangles, diagonals, repeats, meshgrid.
 */
#include "api.h"

/* ts all of ctx (NULL entries are ir's to report). */
static bool of_ctx(tc_ctx *ctx, const char *fn, tc_tensor *const *ts, int n) {
  if (!ctx) return false;
  for (int i = 0; i < n && ts; i++)
    if (ts[i] && ts[i]->ctx != ctx) {
      ir_error(ctx, TC_ERR_ARG, "%s: expected all tensors to belong to the same context", fn);
      return false;
    }
  return true;
}

tc_tensor *tc_cat(tc_ctx *ctx, tc_tensor *const *ts, int n, int dim) {
  if (!of_ctx(ctx, "tc_cat", ts, n)) return NULL;
  return api_eager(ir_op_cat(ctx, "tc_cat", ts, n, dim));
}

tc_tensor *tc_stack(tc_ctx *ctx, tc_tensor *const *ts, int n, int dim) {
  if (!of_ctx(ctx, "tc_stack", ts, n)) return NULL;
  return api_eager(ir_op_stack(ctx, "tc_stack", ts, n, dim));
}

tc_tensor *tc_hstack(tc_ctx *ctx, tc_tensor *const *ts, int n) {
  if (!of_ctx(ctx, "tc_hstack", ts, n)) return NULL;
  return api_eager(ir_op_xstack(ctx, 1, ts, n));
}

tc_tensor *tc_vstack(tc_ctx *ctx, tc_tensor *const *ts, int n) {
  if (!of_ctx(ctx, "tc_vstack", ts, n)) return NULL;
  return api_eager(ir_op_xstack(ctx, 2, ts, n));
}

tc_tensor *tc_dstack(tc_ctx *ctx, tc_tensor *const *ts, int n) {
  if (!of_ctx(ctx, "tc_dstack", ts, n)) return NULL;
  return api_eager(ir_op_xstack(ctx, 3, ts, n));
}

/* Records the first min(count, cap) pieces; on a failure none is kept. */
static int record_pieces(int count, tc_tensor **out, int cap) {
  if (count < 0) return -1;
  int m = count < cap ? count : cap;
  for (int i = 0; i < m; i++)
    if (!(out[i] = api_record(out[i]))) {
      for (int j = 0; j < i; j++) tc_tensor_release(out[j]), out[j] = NULL;
      for (int j = i + 1; j < m; j++) ir_tensor_release(out[j]), out[j] = NULL;
      return -1;
    }
  return count;
}

int tc_split(tc_tensor *a, int64_t split_size, int dim, tc_tensor **out, int cap) {
  if (!out || cap < 0) cap = 0;
  return record_pieces(ir_op_split(a, split_size, dim, out, cap), out, cap);
}

int tc_split_sizes(tc_tensor *a, const int64_t *sizes, int n, int dim, tc_tensor **out) {
  if (a && n > 0 && !out) return ir_error(a->ctx, TC_ERR_ARG, "tc_split_sizes: out is NULL"), -1;
  return record_pieces(ir_op_split_sizes(a, sizes, n, dim, out), out, n);
}

int tc_chunk(tc_tensor *a, int chunks, int dim, tc_tensor **out, int cap) {
  if (!out || cap < 0) cap = 0;
  return record_pieces(ir_op_chunk(a, chunks, dim, out, cap), out, cap);
}

int tc_unbind(tc_tensor *a, int dim, tc_tensor **out, int cap) {
  if (!out || cap < 0) cap = 0;
  return record_pieces(ir_op_unbind(a, dim, out, cap), out, cap);
}

tc_tensor *tc_flip(tc_tensor *a, const int *dims, int ndims) {
  return api_eager(ir_op_flip(a, dims, ndims, "tc_flip"));
}
tc_tensor *tc_fliplr(tc_tensor *a) { return api_eager(ir_op_fliplr(a)); }
tc_tensor *tc_flipud(tc_tensor *a) { return api_eager(ir_op_flipud(a)); }

tc_tensor *tc_roll(tc_tensor *a, const int64_t *shifts, int nshifts, const int *dims, int ndims) {
  return api_eager(ir_op_roll(a, shifts, nshifts, dims, ndims));
}

tc_tensor *tc_tril(tc_tensor *a, int64_t k) { return api_eager(ir_op_tri(a, k, true)); }
tc_tensor *tc_triu(tc_tensor *a, int64_t k) { return api_eager(ir_op_tri(a, k, false)); }

tc_tensor *tc_diagonal(tc_tensor *a, int64_t offset, int d1, int d2) {
  return api_eager(ir_op_diagonal(a, offset, d1, d2));
}
tc_tensor *tc_diag(tc_tensor *a, int64_t k) { return api_eager(ir_op_diag(a, k)); }
tc_tensor *tc_diag_embed(tc_tensor *a, int64_t offset, int d1, int d2) {
  return api_eager(ir_op_diag_embed(a, offset, d1, d2));
}

tc_tensor *tc_repeat(tc_tensor *a, int nreps, const int64_t *reps) {
  return api_eager(ir_op_repeat(a, nreps, reps, "tc_repeat"));
}
tc_tensor *tc_tile(tc_tensor *a, int nreps, const int64_t *reps) {
  return api_eager(ir_op_tile(a, nreps, reps));
}
tc_tensor *tc_repeat_interleave(tc_tensor *a, int64_t repeats, const int *dim) {
  return api_eager(ir_op_repeat_interleave(a, repeats, dim != NULL, dim ? *dim : 0));
}

tc_status tc_meshgrid(tc_ctx *ctx, tc_tensor *const *ts, int n, const char *indexing, tc_tensor **out) {
  if (!ctx) return TC_ERR_ARG;
  if (!out) return ir_error(ctx, TC_ERR_ARG, "tc_meshgrid: out is NULL"), TC_ERR_ARG;
  if (!of_ctx(ctx, "tc_meshgrid", ts, n)) return TC_ERR_ARG;
  int r = record_pieces(ir_op_meshgrid(ctx, ts, n, indexing, out), out, n);
  return r < 0 ? (ctx->status ? ctx->status : TC_ERR_ARG) : TC_OK;
}
