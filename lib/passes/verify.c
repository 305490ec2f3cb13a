/*
 * verify.c — ir_verify: the graph invariants every pass may rely on (ir.h):
 * EW inputs share the node's shape; VIEW/WRITE index inside their input;
 * RED nodes keep reduced dims as 1. A violation is a library bug: it is
 * reported as an error, never an abort.
 */
#include <string.h>
#include "passes.h"

static bool same_shape(const ir_node *a, const ir_node *b) {
  if (a->ndim != b->ndim) return false;
  for (int d = 0; d < a->ndim; d++)
    if (a->shape[d] != b->shape[d]) return false;
  return true;
}

/* Smallest and largest flat index a strided view touches. */
static bool view_in_bounds(int ndim, const int64_t *shape, const int64_t *st, int64_t off,
                           int64_t limit) {
  int64_t lo = off, hi = off;
  for (int d = 0; d < ndim; d++) {
    if (shape[d] == 0) return true;
    int64_t span = (shape[d] - 1) * st[d];
    if (span < 0) lo += span;
    else hi += span;
  }
  return lo >= 0 && hi < limit;
}

bool ir_verify(tc_ctx *ctx, pass_sched *s) {
  for (int i = 0; i < s->nall; i++) {
    ir_node *n = s->all[i];
    if (n->op < 0 || n->op >= OP_COUNT || (n->nin != ir_op_arity[n->op] && !(n->op == OP_SCAN && n->nin == 2)))
      return ir_error(ctx, TC_ERR_RUNTIME, "ir_verify: node #%llu is malformed", (unsigned long long)n->id), false;
    switch (ir_op_kind[n->op]) {
    case K_EW:
      for (int j = 0; j < n->nin; j++)
        if (!same_shape(n, n->in[j]))
          return ir_error(ctx, TC_ERR_RUNTIME, "ir_verify: %s #%llu input %d has another shape",
                          ir_op_name[n->op], (unsigned long long)n->id, j), false;
      break;
    case K_MOVE:
      if (ir_numel(n->ndim, n->shape) &&
          !view_in_bounds(n->ndim, n->shape, n->p.v.strides, n->p.v.offset,
                          ir_numel(n->in[0]->ndim, n->in[0]->shape)))
        return ir_error(ctx, TC_ERR_RUNTIME, "ir_verify: view #%llu reads outside its input",
                        (unsigned long long)n->id), false;
      break;
    case K_WRITE:
      if (n->op == OP_SCATTER) {
        if (!same_shape(n->in[1], n->in[2]) || n->in[2]->dt != TC_I64 || n->in[1]->dt != n->dt)
          return ir_error(ctx, TC_ERR_RUNTIME, "ir_verify: scatter #%llu has malformed inputs",
                          (unsigned long long)n->id), false;
        break;
      }
      if (n->op == OP_COMPACT) {
        ir_node *v = n->in[1], *b = n->in[2];
        bool rows = v->ndim >= 1 && b->ndim == v->ndim && b->shape[v->ndim - 1] == 1;
        for (int d = 0; rows && d < v->ndim - 1; d++) rows = b->shape[d] == v->shape[d];
        if (!rows || !same_shape(v, n->in[3]) || b->dt != TC_I64 || n->in[3]->dt != TC_BOOL || v->dt != n->dt)
          return ir_error(ctx, TC_ERR_RUNTIME, "ir_verify: compaction #%llu has malformed inputs",
                          (unsigned long long)n->id), false;
        break;
      }
      if (ir_numel(n->in[1]->ndim, n->in[1]->shape) &&
          !view_in_bounds(n->in[1]->ndim, n->in[1]->shape, n->p.v.strides, n->p.v.offset,
                          ir_numel(n->ndim, n->shape)))
        return ir_error(ctx, TC_ERR_RUNTIME, "ir_verify: write #%llu writes outside its storage",
                        (unsigned long long)n->id), false;
      break;
    case K_MM: {
      int nd = n->ndim; /* (batch..., m, n): A is (batch..., m, k), B (batch..., k, n) */
      int64_t as[TC_MAX_DIMS], bs[TC_MAX_DIMS];
      memcpy(as, n->shape, sizeof(int64_t) * (size_t)nd);
      memcpy(bs, n->shape, sizeof(int64_t) * (size_t)nd);
      as[nd - 1] = n->p.mm.k;
      bs[nd - 2] = n->p.mm.k;
      if (ir_numel(nd, n->shape) && n->p.mm.k &&
          (!view_in_bounds(nd, as, n->p.mm.a_str, n->p.mm.a_off, ir_numel(n->in[0]->ndim, n->in[0]->shape)) ||
           !view_in_bounds(nd, bs, n->p.mm.b_str, n->p.mm.b_off, ir_numel(n->in[1]->ndim, n->in[1]->shape))))
        return ir_error(ctx, TC_ERR_RUNTIME, "ir_verify: matmul #%llu reads outside its operands",
                        (unsigned long long)n->id), false;
      break;
    }
    case K_SCAN:
      if (n->p.scan.dim < 0 || n->p.scan.dim >= n->ndim || n->in[0]->ndim != n->ndim ||
          memcmp(n->in[0]->shape, n->shape, sizeof(int64_t) * (size_t)n->ndim) ||
          (n->nin == 2 && (n->in[1]->ndim != n->ndim || n->in[1]->dt != n->dt || n->in[1]->shape[n->p.scan.dim] != 1)))
        return ir_error(ctx, TC_ERR_RUNTIME, "ir_verify: scan #%llu has malformed inputs", (unsigned long long)n->id),
               false;
      break;
    case K_GATHER:
      if (n->nin != 2 || n->in[1]->dt != TC_I64 || n->dt != n->in[0]->dt || n->in[1]->ndim != n->ndim ||
          memcmp(n->in[1]->shape, n->shape, sizeof(int64_t) * (size_t)n->ndim))
        return ir_error(ctx, TC_ERR_RUNTIME, "ir_verify: gather #%llu has malformed inputs", (unsigned long long)n->id),
               false;
      break;
    case K_CAT: {
      int c = n->p.cat.dim;
      bool ok = n->in[0]->ndim == n->ndim && n->in[1]->ndim == n->ndim && c >= 0 && c < n->ndim &&
                n->in[0]->dt == n->dt && n->in[1]->dt == n->dt && n->in[0]->shape[c] == n->p.cat.split &&
                n->p.cat.split + n->in[1]->shape[c] == n->shape[c];
      for (int d = 0; ok && d < n->ndim; d++)
        ok = d == c || (n->in[0]->shape[d] == n->shape[d] && n->in[1]->shape[d] == n->shape[d]);
      if (!ok)
        return ir_error(ctx, TC_ERR_RUNTIME, "ir_verify: cat #%llu has malformed inputs", (unsigned long long)n->id),
               false;
      break;
    }
    case K_RED:
      for (int d = 0; d < n->ndim; d++)
        if ((n->p.red.axes >> d & 1) && n->shape[d] != 1)
          return ir_error(ctx, TC_ERR_RUNTIME, "ir_verify: reduction #%llu keeps a reduced dim",
                          (unsigned long long)n->id), false;
      break;
    default:
      break;
    }
  }
  return true;
}
