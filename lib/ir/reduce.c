/*
 * reduce.c — reductions and the ops composed from them: sum, prod, mean,
 * amax/amin, all/any, argmax/argmin, max/min along a dim, var/std,
 * logsumexp, softmax/log_softmax, matmul.
 *
 * A RED node keeps its reduced dims as size 1; without keepdim a view drops
 * them. Composite ops are built from the other ops' builders, their
 * temporary handles released once the result is made (ir_temps), so their
 * graph is fused like user code.
 */
#include <math.h>
#include <string.h>
#include "builders.h"


/* Normalizes a dim list into a bitmask; NULL/0 dims means every dim. */
static bool dim_mask(tc_ctx *ctx, const char *fn, int ndim, const int *dims, int ndims,
                     uint32_t *mask) {
  *mask = 0;
  if (ndims < 0) {
    ir_error(ctx, TC_ERR_ARG, "%s: the number of dims must be non-negative (got %d)", fn, ndims);
    return false;
  }
  if (!dims || ndims == 0) {
    *mask = ndim ? (uint32_t)((1u << ndim) - 1) : 0;
    return true;
  }
  for (int i = 0; i < ndims; i++) {
    int d = dims[i], lo = ndim ? -ndim : -1, hi = ndim ? ndim - 1 : 0;
    if (d < lo || d > hi) {
      ir_error(ctx, TC_ERR_ARG,
               "%s: Dimension out of range (expected to be in range of [%d, %d], but got %d)",
               fn, lo, hi, d);
      return false;
    }
    if (d < 0) d += ndim ? ndim : 1;
    if (ndim == 0) continue;
    if (*mask >> d & 1) {
      ir_error(ctx, TC_ERR_ARG, "%s: dim %d appears multiple times in the list of dims", fn, d);
      return false;
    }
    *mask |= 1u << d;
  }
  return true;
}

ir_node *ir_red_node(tc_ctx *ctx, int op, tc_dtype dt, ir_node *in, uint32_t mask) {
  int64_t ks[TC_MAX_DIMS];
  for (int d = 0; d < in->ndim; d++) ks[d] = (mask >> d & 1) ? 1 : in->shape[d];
  ir_node *r = ir_node_new(ctx, op, dt, in->ndim, ks);
  if (!r) return NULL;
  r->nin = 1;
  r->in[0] = in;
  r->dev = in->dev;
  ir_node_retain(in);
  r->p.red.axes = mask;
  return r;
}

/* A reduction of every element of a large tensor has one output point,
 * which one thread would compute alone. Split it in two fixed steps: SPLIT
 * partial results over contiguous chunks (one kernel, its points spread
 * over the threads), then the reduction of the partials. The split depends
 * only on the size, so results stay the same for any thread count. Sums of
 * float32 keep float64 partials. */
#define SPLIT 256
#define SPLIT_MIN ((int64_t)1 << 18)

static ir_node *split_reduce(tc_ctx *ctx, int op, ir_node *in, int64_t numel) {
  int64_t shape2[2] = {SPLIT, numel / SPLIT}, st2[2] = {numel / SPLIT, 1};
  tc_dtype pdt = (op == OP_RSUM || op == OP_RPROD) && in->dt == TC_F32 ? TC_F64 : in->dt;
  ir_node *c = ir_cast(ctx, in, pdt);
  ir_node *v = c ? ir_view(ctx, c, 2, shape2, st2, 0) : NULL;
  tc_dtype rdt = op == OP_RLSE ? TC_F64 : pdt; /* logsumexp's result is float64 */
  ir_node *part = v ? ir_red_node(ctx, op, rdt, v, 2u) : NULL; /* [SPLIT, 1] */
  int64_t ones[TC_MAX_DIMS];
  for (int d = 0; d < in->ndim; d++) ones[d] = 1;
  ir_node *all = part ? ir_red_node(ctx, op, rdt, part, 3u) : NULL; /* [1, 1] */
  int64_t one_st[TC_MAX_DIMS] = {0};
  ir_node *back = all ? ir_view(ctx, all, in->ndim, ones, one_st, 0) : NULL;
  ir_node *r = ir_cast(ctx, back, op == OP_RLSE ? TC_F64 : in->dt);
  ir_node *tmp[] = {c, v, part, all, back};
  for (int i = 0; i < 5; i++) ir_node_release(ctx, tmp[i]);
  return r;
}

static ir_node *reduce_node(tc_ctx *ctx, int op, ir_node *in, uint32_t mask, bool keepdim) {
  /* logsumexp's node is float64 whatever its accumulator (kernel.h's RLSE) */
  tc_dtype dt = (op == OP_RARGMAX || op == OP_RARGMIN) ? TC_I64 : op == OP_RLSE ? TC_F64 : in->dt;
  int64_t numel = ir_numel(in->ndim, in->shape);
  uint32_t all = in->ndim ? (uint32_t)((1u << in->ndim) - 1) : 0;
  bool split = mask == all && numel >= SPLIT_MIN && numel % SPLIT == 0 &&
               (op == OP_RSUM || op == OP_RPROD || op == OP_RMAX || op == OP_RMIN || op == OP_RLSE);
  ir_node *r = split ? split_reduce(ctx, op, in, numel) : ir_red_node(ctx, op, dt, in, mask);
  if (!r) return NULL;
  if (keepdim) return r;
  int64_t ks[TC_MAX_DIMS];
  for (int d = 0; d < in->ndim; d++) ks[d] = (mask >> d & 1) ? 1 : in->shape[d];
  int64_t ns[TC_MAX_DIMS], st[TC_MAX_DIMS];
  int n = 0;
  for (int d = 0; d < in->ndim; d++)
    if (!(mask >> d & 1)) {
      ns[n] = ks[d];
      st[n++] = 1;
    }
  ir_contig_strides(n, ns, st);
  ir_node *v = ir_view(ctx, r, n, ns, st, 0);
  ir_node_release(ctx, r);
  return v;
}

static tc_tensor *reduce(tc_tensor *a, int op, const char *fn, const int *dims, int ndims,
                         bool keepdim, tc_dtype in_dt, tc_dtype out_dt) {
  if (!a) return NULL;
  tc_ctx *ctx = a->ctx;
  uint32_t mask;
  if (!dim_mask(ctx, fn, a->ndim, dims, ndims, &mask)) return NULL;
  bool picks = op == OP_RMAX || op == OP_RMIN || op == OP_RARGMAX || op == OP_RARGMIN;
  if (picks && in_dt != TC_BOOL && ir_tensor_numel(a) == 0) { /* all/any (bool) may be empty */
    if (!dims || ndims == 0)
      return ir_error(ctx, TC_ERR_ARG,
                      "%s: Expected reduction dim to be specified for input.numel() == 0. "
                      "Specify the reduction dim with the 'dim' argument.", fn);
    /* PyTorch names the op: "max()" for tc_max_dim */
    size_t wn = strlen(fn + 3);
    if (wn > 4 && !strcmp(fn + 3 + wn - 4, "_dim")) wn -= 4;
    for (int d = 0; d < a->ndim; d++)
      if ((mask >> d & 1) && a->shape[d] == 0)
        return ir_error(ctx, TC_ERR_ARG, "%s: %.*s(): Expected reduction dim %d to have non-zero size.",
                        fn, (int)wn, fn + 3, d);
  }
  ir_node *na = ir_tensor_node(a);
  ir_node *ca = ir_cast(ctx, na, in_dt);
  ir_node *r = ca ? reduce_node(ctx, op, ca, mask, keepdim) : NULL;
  ir_node *o = ir_cast(ctx, r, out_dt);
  ir_node_release(ctx, na);
  ir_node_release(ctx, ca);
  ir_node_release(ctx, r);
  return ir_tensor_from_node(ctx, o);
}

static tc_dtype sum_dtype(tc_dtype dt) {
  return ir_dtype_is_floating(dt) ? dt : TC_I64;
}
static tc_dtype compute_dt(tc_dtype dt) {
  return (dt == TC_F16 || dt == TC_BF16) ? TC_F32 : dt;
}

tc_tensor *ir_op_sum(tc_tensor *a, const int *dims, int ndims, bool keepdim) {
  if (!a) return NULL;
  tc_dtype o = sum_dtype(a->dt);
  return reduce(a, OP_RSUM, "tc_sum", dims, ndims, keepdim, compute_dt(o), o);
}
tc_tensor *ir_op_prod(tc_tensor *a, const int *dims, int ndims, bool keepdim) {
  if (!a) return NULL;
  tc_dtype o = sum_dtype(a->dt);
  return reduce(a, OP_RPROD, "tc_prod", dims, ndims, keepdim, compute_dt(o), o);
}
/* sum/prod with PyTorch's dtype=: the input cast to dt first (its
 * iterator's cast), reduced as a tensor of dt is, returned in dt. An
 * integer dt accumulates in int64 and keeps dt's low bits, which are those
 * of a sum or product wrapped in dt all along (uint8 [200, 100] -> 44). */
tc_tensor *ir_op_reduce_dtype(tc_tensor *a, bool prod, const int *dims, int ndims, bool keepdim, tc_dtype dt) {
  if (!a) return NULL;
  if ((unsigned)dt >= TC_NUM_DTYPES)
    return ir_error(a->ctx, TC_ERR_ARG, "%s: invalid dtype %d", prod ? "tc_prod_dtype" : "tc_sum_dtype", (int)dt);
  ir_temps T = {0};
  tc_tensor *c = ir_temp(&T, ir_op_to_dtype(a, dt));
  tc_tensor *r = ir_temp(&T, (prod ? ir_op_prod : ir_op_sum)(c, dims, ndims, keepdim));
  if (!r && c) ir_error_rename(a->ctx, prod ? "tc_prod_dtype" : "tc_sum_dtype");
  tc_tensor *o = r ? ir_op_to_dtype(r, dt) : NULL;
  ir_temps_release(&T);
  return o;
}
tc_tensor *ir_op_amax(tc_tensor *a, const int *dims, int ndims, bool keepdim) {
  if (!a) return NULL;
  return reduce(a, OP_RMAX, "tc_amax", dims, ndims, keepdim, compute_dt(a->dt), a->dt);
}
tc_tensor *ir_op_amin(tc_tensor *a, const int *dims, int ndims, bool keepdim) {
  if (!a) return NULL;
  return reduce(a, OP_RMIN, "tc_amin", dims, ndims, keepdim, compute_dt(a->dt), a->dt);
}
/* all/any return uint8 for uint8 input, bool otherwise (PyTorch). */
tc_tensor *ir_op_all(tc_tensor *a, const int *dims, int ndims, bool keepdim) {
  if (!a) return NULL;
  return reduce(a, OP_RMIN, "tc_all", dims, ndims, keepdim, TC_BOOL, a->dt == TC_U8 ? TC_U8 : TC_BOOL);
}
tc_tensor *ir_op_any(tc_tensor *a, const int *dims, int ndims, bool keepdim) {
  if (!a) return NULL;
  return reduce(a, OP_RMAX, "tc_any", dims, ndims, keepdim, TC_BOOL, a->dt == TC_U8 ? TC_U8 : TC_BOOL);
}
tc_tensor *ir_op_max_all(tc_tensor *a) {
  tc_tensor *r = ir_op_amax(a, NULL, 0, false);
  if (!r && a) ir_error_rename(a->ctx, "tc_max_all");
  return r;
}
tc_tensor *ir_op_min_all(tc_tensor *a) {
  tc_tensor *r = ir_op_amin(a, NULL, 0, false);
  if (!r && a) ir_error_rename(a->ctx, "tc_min_all");
  return r;
}

tc_tensor *ir_op_mean(tc_tensor *a, const int *dims, int ndims, bool keepdim) {
  if (!a) return NULL;
  tc_ctx *ctx = a->ctx;
  if (!ir_dtype_is_floating(a->dt))
    return ir_error(ctx, TC_ERR_ARG,
                    "tc_mean: mean(): could not infer output dtype. Input dtype must be either "
                    "a floating point or complex dtype. Got: %s", ir_torch_word(a->dt));
  uint32_t mask;
  if (!dim_mask(ctx, "tc_mean", a->ndim, dims, ndims, &mask)) return NULL;
  int64_t n = 1;
  for (int d = 0; d < a->ndim; d++)
    if (mask >> d & 1) n *= a->shape[d];
  ir_temps T = {0};
  tc_tensor *s = ir_temp(&T, reduce(a, OP_RSUM, "tc_mean", dims, ndims, keepdim, compute_dt(a->dt),
                                    compute_dt(a->dt)));
  tc_tensor *m = ir_temp(&T, ir_op_binary_scalar(TC_OP_DIV, s, (double)n, true, false));
  tc_tensor *r = ir_op_to_dtype(m, a->dt);
  ir_temps_release(&T);
  return r;
}

tc_tensor *ir_op_var(tc_tensor *a, const int *dims, int ndims, double correction, bool keepdim) {
  if (!a) return NULL;
  tc_ctx *ctx = a->ctx;
  if (!ir_dtype_is_floating(a->dt))
    return ir_error(ctx, TC_ERR_ARG, "tc_var: std and var only support floating point and complex dtypes");
  uint32_t mask;
  if (!dim_mask(ctx, "tc_var", a->ndim, dims, ndims, &mask)) return NULL;
  int64_t n = 1;
  for (int d = 0; d < a->ndim; d++)
    if (mask >> d & 1) n *= a->shape[d];
  ir_temps T = {0};
  tc_tensor *x = ir_temp(&T, ir_op_to_dtype(a, compute_dt(a->dt)));
  tc_tensor *mu = ir_temp(&T, ir_op_mean(x, dims, ndims, true));
  tc_tensor *dev = ir_temp(&T, ir_op_binary(TC_OP_SUB, x, mu));
  tc_tensor *sq = ir_temp(&T, ir_op_binary(TC_OP_MUL, dev, dev));
  tc_tensor *ss = ir_temp(&T, ir_op_sum(sq, dims, ndims, keepdim));
  double denom = (double)n - correction;
  tc_tensor *v = ir_temp(&T, ir_op_binary_scalar(TC_OP_DIV, ss, denom > 0 ? denom : 0.0, true, false));
  tc_tensor *r = ir_op_to_dtype(v, a->dt);
  ir_temps_release(&T);
  return r;
}

tc_tensor *ir_op_std(tc_tensor *a, const int *dims, int ndims, double correction, bool keepdim) {
  if (!a) return NULL;
  tc_ctx *ctx = a->ctx;
  tc_tensor *v = ir_op_var(a, dims, ndims, correction, keepdim);
  tc_tensor *r = ir_op_unary(v, OP_SQRT, "tc_sqrt");
  ir_tensor_release(v);
  if (!r) ir_error_rename(ctx, "tc_std");
  return r;
}

/* logsumexp is one online reduction (RLSE: a running max and a rescaled
 * sum, see kernel.h), so it reads its input once. */
tc_tensor *ir_op_logsumexp(tc_tensor *a, const int *dims, int ndims, bool keepdim) {
  if (!a) return NULL;
  tc_dtype o = ir_dtype_is_floating(a->dt) ? a->dt : TC_F32;
  return reduce(a, OP_RLSE, "tc_logsumexp", dims, ndims, keepdim, compute_dt(o), o);
}

/* softmax = e / sum(e) with e = exp(x - max(x)), log_softmax = (x - max(x))
 * - log(sum(e)), as PyTorch's CPU kernels, in the input's compute dtype
 * (float32 for float32, float16 and bfloat16). x - max is exact near the
 * max and both terms of log_softmax are <= 0, so nothing cancels. Dim the
 * last: one kernel (max, sum, store), softmax's e computed once (the
 * lowering keeps it in the output between the sum and the store) and
 * scaled by 1 / sum. */
/* PyTorch's softmax results are contiguous (its meta function), though
 * the elementwise ops they are made of keep a permuted input's order: r
 * (taken) with contiguous strides. Its computed node is not stored apart,
 * so the one kernel stores it in that order. */
static tc_tensor *softmax_layout(tc_tensor *r) {
  if (!r) return NULL;
  int64_t c[TC_MAX_DIMS];
  ir_contig_strides(r->ndim, r->shape, c);
  if (ir_tensor_is_contiguous(r) && r->offset == 0) { /* size-1 dims' strides at most */
    if (r->ndim) memcpy(r->strides, c, sizeof(int64_t) * (size_t)r->ndim);
    return r;
  }
  tc_tensor *t = ir_op_clone_strided(r, c);
  ir_tensor_release(r);
  return t;
}

static tc_tensor *softmax(tc_tensor *a, int dim, bool log) {
  if (!a) return NULL;
  const char *fn = log ? "tc_log_softmax" : "tc_softmax";
  if (!ir_dtype_is_floating(a->dt)) { /* PyTorch's kernels are for floats: cast first (dtype=) */
    int d = dim;
    if (!ir_wrap_dim(a->ctx, fn, &d, a->ndim)) return NULL;
    return ir_error(a->ctx, TC_ERR_ARG, "%s: \"%s%s_kernel_impl\" not implemented for '%s'", fn, log ? "log_" : "",
                    d == a->ndim - 1 || a->ndim == 0 ? "softmax_lastdim" : "softmax", ir_torch_word(a->dt));
  }
  tc_dtype out = a->dt, cdt = compute_dt(out);
  if (ir_tensor_numel(a) == 0) { /* nothing to reduce: the (empty) result */
    uint32_t mask;
    if (!dim_mask(a->ctx, fn, a->ndim, &dim, 1, &mask)) return NULL;
    return softmax_layout(ir_op_to_dtype(a, out));
  }
  ir_temps T = {0};
  tc_tensor *x = ir_temp(&T, ir_op_to_dtype(a, cdt));
  tc_tensor *m = x ? ir_temp(&T, reduce(x, OP_RMAX, fn, &dim, 1, true, cdt, cdt)) : NULL;
  tc_tensor *d = ir_temp(&T, ir_op_binary(TC_OP_SUB, x, m));
  tc_tensor *e = ir_temp(&T, ir_op_unary(d, OP_EXP, "tc_exp"));
  tc_tensor *s = e ? ir_temp(&T, reduce(e, OP_RSUM, fn, &dim, 1, true, cdt, cdt)) : NULL;
  tc_tensor *r = log ? ir_op_binary(TC_OP_SUB, d, ir_temp(&T, ir_op_unary(s, OP_LOG, "tc_log")))
                     : ir_op_binary(TC_OP_MUL, e, ir_temp(&T, ir_op_unary(s, OP_RECIP, "tc_reciprocal")));
  if (r && r->dt != out) r = ir_op_to_dtype(ir_temp(&T, r), out);
  ir_temps_release(&T);
  return softmax_layout(r);
}
tc_tensor *ir_op_softmax(tc_tensor *a, int dim) { return softmax(a, dim, false); }
tc_tensor *ir_op_log_softmax(tc_tensor *a, int dim) { return softmax(a, dim, true); }

static tc_tensor *arg(tc_tensor *a, int op, const char *fn, bool has_dim, int dim, bool keepdim) {
  if (!a) return NULL;
  tc_ctx *ctx = a->ctx;
  if (a->dt == TC_BOOL)
    return ir_error(ctx, TC_ERR_ARG, "%s: %s(): does not support bool input", fn, fn + 3);
  if (!has_dim) {
    if (ir_tensor_numel(a) == 0)
      return ir_error(ctx, TC_ERR_ARG, "%s: Expected reduction dim to be specified for input.numel() == 0.", fn);
    int64_t m1 = -1;
    tc_tensor *flat = ir_op_reshape(a, 1, &m1);
    tc_tensor *r = reduce(flat, op, fn, NULL, 0, false, compute_dt(a->dt), TC_I64);
    ir_tensor_release(flat);
    if (keepdim && r) {
      int64_t ones[TC_MAX_DIMS];
      for (int d = 0; d < a->ndim; d++) ones[d] = 1;
      tc_tensor *k = ir_op_reshape(r, a->ndim, ones);
      ir_tensor_release(r);
      r = k;
    }
    return r;
  }
  return reduce(a, op, fn, &dim, 1, keepdim, compute_dt(a->dt), TC_I64);
}
tc_tensor *ir_op_argmax(tc_tensor *a, bool has_dim, int dim, bool keepdim) {
  return arg(a, OP_RARGMAX, "tc_argmax", has_dim, dim, keepdim);
}
tc_tensor *ir_op_argmin(tc_tensor *a, bool has_dim, int dim, bool keepdim) {
  return arg(a, OP_RARGMIN, "tc_argmin", has_dim, dim, keepdim);
}

static tc_status minmax_dim(tc_tensor *a, int dim, bool keepdim, tc_tensor **values,
                            tc_tensor **indices, bool max) {
  if (values) *values = NULL;
  if (indices) *indices = NULL;
  if (!a) return TC_ERR_ARG;
  tc_ctx *ctx = a->ctx;
  const char *fn = max ? "tc_max_dim" : "tc_min_dim";
  /* checked here too: with neither output asked for, nothing else would */
  if (!ir_wrap_dim(ctx, fn, &dim, a->ndim)) return TC_ERR_ARG;
  tc_tensor *v = NULL, *i = NULL;
  if (values) v = reduce(a, max ? OP_RMAX : OP_RMIN, fn, &dim, 1, keepdim, compute_dt(a->dt), a->dt);
  if (indices) i = reduce(a, max ? OP_RARGMAX : OP_RARGMIN, fn, &dim, 1, keepdim, compute_dt(a->dt), TC_I64);
  if ((values && !v) || (indices && !i)) {
    ir_tensor_release(v);
    ir_tensor_release(i);
    return ctx->status ? ctx->status : TC_ERR_ARG;
  }
  if (values) *values = v;
  if (indices) *indices = i;
  return TC_OK;
}
tc_status ir_op_max_dim(tc_tensor *a, int dim, bool keepdim, tc_tensor **v, tc_tensor **i) {
  return minmax_dim(a, dim, keepdim, v, i, true);
}
tc_status ir_op_min_dim(tc_tensor *a, int dim, bool keepdim, tc_tensor **v, tc_tensor **i) {
  return minmax_dim(a, dim, keepdim, v, i, false);
}

/* matmul: one MATMUL node reading both operands as strided views of their
 * storages (transposed or broadcast operands cost no copy), batch dims
 * broadcast as PyTorch's; 1-D operands become a row / a column and the
 * result drops that dim. float16 and bfloat16 are computed in float32. */
tc_tensor *ir_op_matmul(tc_tensor *a, tc_tensor *b) {
  if (!a || !b) return NULL;
  tc_ctx *ctx = a->ctx;
  if (a->ndim == 0 || b->ndim == 0)
    return ir_error(ctx, TC_ERR_ARG, "tc_matmul: both arguments to matmul need to be at least 1D, but they are %dD and %dD",
                    a->ndim, b->ndim);
  int64_t ka = a->shape[a->ndim - 1], kb = b->ndim == 1 ? b->shape[0] : b->shape[b->ndim - 2];
  if (ka != kb && a->ndim == 1 && b->ndim == 1)
    return ir_error(ctx, TC_ERR_ARG,
                    "tc_matmul: inconsistent tensor size, expected tensor [%lld] and src [%lld] to have "
                    "the same number of elements, but got %lld and %lld elements respectively",
                    (long long)ka, (long long)kb, (long long)ka, (long long)kb);
  if (ka != kb && a->ndim == 2 && b->ndim == 1)
    return ir_error(ctx, TC_ERR_ARG, "tc_matmul: size mismatch, got input (%lld), mat (%lldx%lld), vec (%lld)",
                    (long long)a->shape[0], (long long)a->shape[0], (long long)ka, (long long)kb);
  if (ka != kb && a->ndim >= 3 && b->ndim >= 3)
    return ir_error(ctx, TC_ERR_ARG,
                    "tc_matmul: Expected size for first two dimensions of batch2 tensor to be: [%lld, %lld] but got: [%lld, %lld].",
                    (long long)b->shape[b->ndim - 3], (long long)ka, (long long)b->shape[b->ndim - 3], (long long)kb);
  if (ka != kb) {
    if (a->ndim <= 2 && b->ndim <= 2)
      return ir_error(ctx, TC_ERR_ARG,
                      "tc_matmul: mat1 and mat2 shapes cannot be multiplied (%lldx%lld and %lldx%lld)",
                      (long long)(a->ndim == 2 ? a->shape[0] : 1), (long long)ka,
                      (long long)kb, (long long)(b->ndim == 2 ? b->shape[1] : 1));
    return ir_error(ctx, TC_ERR_ARG, "tc_matmul: size mismatch, got %lld and %lld for the contracted dimension",
                    (long long)ka, (long long)kb);
  }
  if (a->dt != b->dt) {
    static const char *ct[] = {"bool", "unsigned char", "signed char", "short", "int", "long int",
                               "c10::Half", "c10::BFloat16", "float", "double"};
    if (a->ndim == 1 && b->ndim == 1)
      return ir_error(ctx, TC_ERR_ARG, "tc_matmul: dot : expected both vectors to have same dtype, but found %s and %s",
                      ir_torch_word(a->dt), ir_torch_word(b->dt));
    return ir_error(ctx, TC_ERR_ARG, "tc_matmul: expected m1 and m2 to have the same dtype, but got: %s != %s",
                    ct[a->dt], ct[b->dt]);
  }
  if (a->dt == TC_BOOL)
    return ir_error(ctx, TC_ERR_ARG, "tc_matmul: \"addmm_impl_cpu_\" not implemented for 'Bool'");
  tc_device dev = a->st->version->dev;
  if (!ir_same_device(dev, b->st->version->dev)) {
    char da[16], db[16];
    return ir_error(ctx, TC_ERR_ARG,
                    "tc_matmul: Expected all tensors to be on the same device, but found at least two "
                    "devices, %s and %s!", ir_device_str(dev, da), ir_device_str(b->st->version->dev, db));
  }
  /* A as (batch..., m, k) and B as (batch..., k, n): shapes and strides */
  int an = a->ndim == 1 ? 2 : a->ndim, bn = b->ndim == 1 ? 2 : b->ndim;
  int64_t ash[TC_MAX_DIMS + 1], ast[TC_MAX_DIMS + 1], bsh[TC_MAX_DIMS + 1], bst[TC_MAX_DIMS + 1];
  if (a->ndim == 1) {
    ash[0] = 1, ast[0] = 0, ash[1] = a->shape[0], ast[1] = a->strides[0];
  } else {
    memcpy(ash, a->shape, sizeof(int64_t) * (size_t)an);
    memcpy(ast, a->strides, sizeof(int64_t) * (size_t)an);
  }
  if (b->ndim == 1) {
    bsh[0] = b->shape[0], bst[0] = b->strides[0], bsh[1] = 1, bst[1] = 0;
  } else {
    memcpy(bsh, b->shape, sizeof(int64_t) * (size_t)bn);
    memcpy(bst, b->strides, sizeof(int64_t) * (size_t)bn);
  }
  /* the batch dims broadcast together (PyTorch's rule and message) */
  int nb = (an > bn ? an : bn) - 2;
  int64_t out[TC_MAX_DIMS], as[TC_MAX_DIMS], bs[TC_MAX_DIMS];
  for (int i = 0; i < nb; i++) {
    int ia = an - 2 - nb + i, ib = bn - 2 - nb + i;
    int64_t sa = ia >= 0 ? ash[ia] : 1, sb = ib >= 0 ? bsh[ib] : 1;
    if (sa != sb && sa != 1 && sb != 1)
      return ir_error(ctx, TC_ERR_ARG,
                      "tc_matmul: The size of tensor a (%lld) must match the size of tensor b (%lld) at "
                      "non-singleton dimension %d", (long long)sa, (long long)sb, i);
    out[i] = sa == 1 ? sb : sa;
    as[i] = ia >= 0 && sa != 1 ? ast[ia] : 0;
    bs[i] = ib >= 0 && sb != 1 ? bst[ib] : 0;
  }
  int64_t m = ash[an - 2], n = bsh[bn - 1];
  if (nb + 2 > TC_MAX_DIMS)
    return ir_error(ctx, TC_ERR_ARG, "tc_matmul: the result has %d dims (at most %d)", nb + 2, TC_MAX_DIMS);
  out[nb] = m;
  out[nb + 1] = n;
  as[nb] = ast[an - 2], as[nb + 1] = ast[an - 1]; /* m, k */
  bs[nb] = bst[bn - 2], bs[nb + 1] = bst[bn - 1]; /* k, n */
  tc_dtype cdt = a->dt == TC_F16 || a->dt == TC_BF16 ? TC_F32 : a->dt;
  ir_node *mm = ir_node_new(ctx, OP_MATMUL, cdt, nb + 2, out);
  if (!mm) return NULL;
  mm->nin = 2;
  mm->dev = dev;
  mm->in[0] = a->st->version;
  mm->in[1] = b->st->version;
  ir_node_retain(mm->in[0]);
  ir_node_retain(mm->in[1]);
  mm->p.mm.nb = nb;
  mm->p.mm.k = ka;
  mm->p.mm.a_off = a->offset;
  mm->p.mm.b_off = b->offset;
  memcpy(mm->p.mm.a_str, as, sizeof(int64_t) * (size_t)(nb + 2));
  memcpy(mm->p.mm.b_str, bs, sizeof(int64_t) * (size_t)(nb + 2));
  ir_temps T = {0};
  tc_tensor *r = ir_tensor_from_node(ctx, mm);
  if (r && r->dt != a->dt) r = ir_op_to_dtype(ir_temp(&T, r), a->dt);
  if (r && a->ndim == 1) r = ir_op_squeeze(ir_temp(&T, r), -2);
  if (r && b->ndim == 1) r = ir_op_squeeze(ir_temp(&T, r), -1);
  if (!r) ir_error_rename(ctx, "tc_matmul");
  ir_temps_release(&T);
  return r;
}
