/*
 * reduce.c — the entry points of reductions, softmax, matmul, and the
 * comparisons of whole tensors. tc_equal and tc_allclose read their result
 * on the host (they realize), so they are composed here from public ops in
 * a scope; the rest are lib/ir's reduce.c and inplace.c.
 */
#include <string.h>
#include "api.h"

#define RED(name) \
  tc_tensor *tc_##name(tc_tensor *a, const int *dims, int ndims, bool keepdim) { \
    return api_eager(ir_op_##name(a, dims, ndims, keepdim)); \
  }
RED(sum)
RED(prod)
RED(mean)
RED(amax)
RED(amin)
RED(all)
RED(any)
RED(logsumexp)
#undef RED

tc_tensor *tc_sum_dtype(tc_tensor *a, const int *dims, int ndims, bool keepdim, tc_dtype dt) {
  return api_eager(ir_op_reduce_dtype(a, false, dims, ndims, keepdim, dt));
}
tc_tensor *tc_prod_dtype(tc_tensor *a, const int *dims, int ndims, bool keepdim, tc_dtype dt) {
  return api_eager(ir_op_reduce_dtype(a, true, dims, ndims, keepdim, dt));
}

tc_tensor *tc_var(tc_tensor *a, const int *dims, int ndims, double correction, bool keepdim) {
  return api_eager(ir_op_var(a, dims, ndims, correction, keepdim));
}
tc_tensor *tc_std(tc_tensor *a, const int *dims, int ndims, double correction, bool keepdim) {
  tc_tensor *r = api_eager(ir_op_std(a, dims, ndims, correction, keepdim));
  if (!r && a) ir_error_rename(a->ctx, "tc_std");
  return r;
}

tc_tensor *tc_max_all(tc_tensor *a) {
  tc_tensor *r = api_eager(ir_op_max_all(a));
  if (!r && a) ir_error_rename(a->ctx, "tc_max_all");
  return r;
}
tc_tensor *tc_min_all(tc_tensor *a) {
  tc_tensor *r = api_eager(ir_op_min_all(a));
  if (!r && a) ir_error_rename(a->ctx, "tc_min_all");
  return r;
}

/* Both outputs, or neither: the eager realization of one may fail. */
static tc_status outputs(tc_status st, tc_tensor **values, tc_tensor **indices, tc_tensor *v,
                         tc_tensor *i) {
  if (st != TC_OK) return st;
  tc_tensor *outs[2] = {v, i};
  tc_ctx *ctx = v ? v->ctx : i ? i->ctx : NULL;
  if (ctx && ctx->eager) {
    ir_node *nodes[2];
    int n = 0;
    for (int k = 0; k < 2; k++)
      if (outs[k]) nodes[n++] = outs[k]->st->version;
    st = rt_realize_nodes(ctx, nodes, n);
    if (st != TC_OK) {
      ir_tensor_release(v);
      ir_tensor_release(i);
      return st;
    }
  }
  if (values) *values = api_record(v);
  if (indices) *indices = api_record(i);
  return TC_OK;
}

tc_status tc_max_dim(tc_tensor *a, int dim, bool keepdim, tc_tensor **values,
                     tc_tensor **indices) {
  tc_tensor *v = NULL, *i = NULL;
  tc_status st = ir_op_max_dim(a, dim, keepdim, values ? &v : NULL, indices ? &i : NULL);
  if (values) *values = NULL;
  if (indices) *indices = NULL;
  return outputs(st, values, indices, v, i);
}
tc_status tc_min_dim(tc_tensor *a, int dim, bool keepdim, tc_tensor **values,
                     tc_tensor **indices) {
  tc_tensor *v = NULL, *i = NULL;
  tc_status st = ir_op_min_dim(a, dim, keepdim, values ? &v : NULL, indices ? &i : NULL);
  if (values) *values = NULL;
  if (indices) *indices = NULL;
  return outputs(st, values, indices, v, i);
}

tc_tensor *tc_argmax(tc_tensor *a, bool has_dim, int dim, bool keepdim) {
  return api_eager(ir_op_argmax(a, has_dim, dim, keepdim));
}
tc_tensor *tc_argmin(tc_tensor *a, bool has_dim, int dim, bool keepdim) {
  return api_eager(ir_op_argmin(a, has_dim, dim, keepdim));
}
tc_tensor *tc_softmax(tc_tensor *a, int dim) { return api_eager(ir_op_softmax(a, dim)); }
tc_tensor *tc_log_softmax(tc_tensor *a, int dim) { return api_eager(ir_op_log_softmax(a, dim)); }

tc_status tc_unravel_index(tc_tensor *indices, int ndim, const int64_t *shape, tc_tensor **out) {
  if (!indices || !out) return TC_ERR_ARG;
  tc_status st = ir_op_unravel_index(indices, ndim, shape, out);
  if (st != TC_OK) return st;
  tc_ctx *ctx = indices->ctx;
  if (ctx->eager) {
    for (int d = 0; d < ndim && st == TC_OK; d++) {
      ir_node *v = out[d]->st->version;
      st = rt_realize_nodes(ctx, &v, 1);
    }
    if (st != TC_OK) {
      for (int d = 0; d < ndim; d++) {
        ir_tensor_release(out[d]);
        out[d] = NULL;
      }
      return st;
    }
  }
  for (int d = 0; d < ndim; d++) out[d] = api_record(out[d]);
  return TC_OK;
}

tc_tensor *tc_matmul(tc_tensor *a, tc_tensor *b) {
  if (!a || !b) return NULL;
  if (!api_same_ctx("tc_matmul", (tc_tensor *[]){a, b}, 2)) return NULL;
  tc_tensor *r = api_eager(ir_op_matmul(a, b));
  if (!r) ir_error_rename(a->ctx, "tc_matmul");
  return r;
}

/* mm, bmm and dot: the ranks PyTorch requires, then matmul named after the call */
static tc_tensor *matmul_as(tc_tensor *a, tc_tensor *b, const char *fn) {
  if (!a || !b) return NULL;
  tc_ctx *ctx = a->ctx;
  if (!api_same_ctx(fn, (tc_tensor *[]){a, b}, 2)) return NULL;
  if (!strcmp(fn, "tc_mm")) {
    if (a->ndim != 2) return ir_error(ctx, TC_ERR_ARG, "%s: mm: self must be a matrix, got %d-D tensor", fn, a->ndim);
    if (b->ndim != 2) return ir_error(ctx, TC_ERR_ARG, "%s: mm: mat2 must be a matrix, got %d-D tensor", fn, b->ndim);
  } else if (!strcmp(fn, "tc_bmm")) {
    if (a->ndim != 3) return ir_error(ctx, TC_ERR_ARG, "%s: batch1 must be a 3D tensor", fn);
    if (b->ndim != 3) return ir_error(ctx, TC_ERR_ARG, "%s: batch2 must be a 3D tensor", fn);
    if (b->shape[0] != a->shape[0] || b->shape[1] != a->shape[2]) /* bmm does not broadcast */
      return ir_error(ctx, TC_ERR_ARG, "%s: Expected size for first two dimensions of batch2 tensor to be: "
                      "[%lld, %lld] but got: [%lld, %lld].", fn, (long long)a->shape[0], (long long)a->shape[2],
                      (long long)b->shape[0], (long long)b->shape[1]);
  } else if (a->ndim != 1 || b->ndim != 1) {
    return ir_error(ctx, TC_ERR_ARG, "%s: 1D tensors expected, but got %dD and %dD tensors", fn, a->ndim, b->ndim);
  }
  tc_tensor *r = api_eager(ir_op_matmul(a, b));
  if (!r) ir_error_rename(ctx, fn);
  return r;
}
tc_tensor *tc_mm(tc_tensor *a, tc_tensor *b) { return matmul_as(a, b, "tc_mm"); }
tc_tensor *tc_bmm(tc_tensor *a, tc_tensor *b) { return matmul_as(a, b, "tc_bmm"); }
tc_tensor *tc_dot(tc_tensor *a, tc_tensor *b) { return matmul_as(a, b, "tc_dot"); }

/* ---- comparisons -------------------------------------------------------- */

tc_tensor *tc_isclose(tc_tensor *a, tc_tensor *b, double rtol, double atol, bool equal_nan) {
  if (!a || !b) return NULL;
  if (!api_same_ctx("tc_isclose", (tc_tensor *[]){a, b}, 2)) return NULL;
  return api_eager(ir_op_isclose(a, b, rtol, atol, equal_nan));
}

bool tc_equal(tc_tensor *a, tc_tensor *b) {
  if (!a || !b) return false;
  if (!api_same_ctx("tc_equal", (tc_tensor *[]){a, b}, 2)) return false;
  if (a->ndim != b->ndim) return false;
  for (int d = 0; d < a->ndim; d++)
    if (a->shape[d] != b->shape[d]) return false;
  tc_ctx *ctx = a->ctx;
  tc_scope_begin(ctx);
  tc_tensor *all = tc_all(tc_eq(a, b), NULL, 0, false);
  double v = all ? tc_item(all) : 0;
  tc_scope_end(ctx);
  return v == 1;
}

bool tc_allclose(tc_tensor *a, tc_tensor *b, double rtol, double atol, bool equal_nan) {
  if (!a || !b) return false;
  if (!api_same_ctx("tc_allclose", (tc_tensor *[]){a, b}, 2)) return false;
  tc_ctx *ctx = a->ctx;
  tc_scope_begin(ctx);
  tc_tensor *all = tc_all(tc_isclose(a, b, rtol, atol, equal_nan), NULL, 0, false);
  double v = all ? tc_item(all) : 0;
  tc_scope_end(ctx);
  return v == 1;
}
