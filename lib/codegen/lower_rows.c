/*
 * lower_rows.c — row kernels (a scan's, a compaction's): the outer points
 * are a shape's with dim c taken out (size 1), and one store stage walks
 * dim c in order, its input built where it is read like any stored value
 * (casts, views, a blocked scan's padding, a mask's comparison: no copy);
 * a reduction in it cannot be placed and comes back as a boundary.
 */
#include <string.h>
#include "lower_walk.h"

/* The lowering state of a row kernel storing into buffer 0, out. */
static lw row_lw(tc_ctx *ctx, cg_lowered *L, ir_node *out) {
  memset(L, 0, sizeof *L);
  kc_init(&L->k, &ctx->al);
  L->k.nbufs = 1;
  L->k.bufs[0] = (kbuf){out->dt, ir_numel(out->ndim, out->shape), true};
  L->bufnode[0] = out;
  return (lw){.ctx = ctx, .L = L, .k = &L->k, .root = out, .cur_stage = 0, .store_stage = 0,
              .last_scratch = -1, .inner_work = 1};
}

/* The stage over dim c of shape (nd dims); *p its point (dim c the stage's
 * variable). */
static kstage *row_stage(lw *w, int nd, const int64_t *shape, int c, point *p) {
  kernel *k = w->k;
  ir_arena *A = &k->arena;
  k->nouter = nd;
  for (int d = 0; d < nd; d++) k->outer[d] = d == c ? 1 : shape[d];
  k->nstages = 1;
  *p = (point){.ndim = nd, .shape = shape};
  for (int d = 0; d < nd; d++)
    p->idx[d] = d == c ? ix_var(A, kc_stage_var(k, 0), 0, shape[c] - 1)
                : shape[d] == 1 ? ix_const(A, 0)
                                : ix_var(A, d, 0, shape[d] - 1);
  w->store_at = *p;
  kstage *st = &k->stages[0];
  st->kind = KS_STORE;
  st->n = shape[c];
  st->buf = 0;
  return st;
}

/* p at its row's first element, over shape s (1 along c): a row's start
 * or base. */
static point row_first(lw *w, point p, const int64_t *s, int c) {
  p.shape = s;
  p.idx[c] = ix_const(AR(w), 0);
  return p;
}

/* Whether the kernel's values read old (the version the kernel's write
 * replaces): then the write goes into a copy. */
static bool reads_old(lw *w, const ir_node *old) {
  for (int i = 0; i < w->nmemo; i++)
    if (w->memo[i].n == old) return true;
  return w->gathers_root_old;
}

/* The end of a row kernel's lowering (built: every value it needs made). */
static int row_done(lw *w, bool built) {
  ir_free(w->ctx, w->memo);
  if (w->oom || w->k->arena.oom || (!w->failed && !built)) {
    ir_error(w->ctx, TC_ERR_OOM, "out of memory lowering a kernel");
    return -1;
  }
  return w->failed ? 1 : 0;
}

/* A SCAN node, or a WRITE wr whose value it is (then it stores through
 * wr's view of wr's storage): the running combine of its input over the
 * scanned dim, kept in PyTorch's CPU accumulator dtype: float32 for
 * float16/bfloat16, float64 for a float32 sum, product or logaddexp (a
 * running max or min is exact in its own dtype), except in a blocked
 * scan's blocks (not wide: float32, for speed). */
int cg_lower_scan(tc_ctx *ctx, ir_node *root, cg_lowered *L, ir_node *wr) {
  lw w = row_lw(ctx, L, wr ? wr : root);
  int c = root->p.scan.dim, sop = root->p.scan.op;
  point p;
  kstage *st = row_stage(&w, root->ndim, root->shape, c, &p);
  ir_arena *A = AR(&w);
  tc_dtype cdt = root->dt == TC_F16 || root->dt == TC_BF16 ? TC_F32
                 : root->dt == TC_F32 && root->p.scan.wide && (sop == OP_ADD || sop == OP_MUL || sop == OP_RLSE)
                     ? TC_F64
                     : root->dt;
  if (wr) { /* stored through the write's view of its storage */
    const ix *f = ix_const(A, wr->p.v.offset);
    for (int d = 0; d < root->ndim; d++)
      if (wr->p.v.strides[d] && root->shape[d] != 1) f = ix_add(A, f, ix_mulc(A, p.idx[d], wr->p.v.strides[d]));
    st->index = f;
  } else {
    st->index = lw_flat(&w, &p);
  }
  st->val = lw_cast(&w, lw_expr(&w, root->in[0], p), cdt);
  st->scan = sop;
  if (root->nin == 2) /* each row's start, at the row's first element */
    st->init = lw_cast(&w, lw_expr(&w, root->in[1], row_first(&w, p, root->in[1]->shape, c)), cdt);
  else if (sop == OP_ADD && ir_dtype_is_floating(cdt)) /* PyTorch's sum starts from +0.0: -0.0 becomes 0.0 */
    st->init = kc_const_f(w.k, cdt, 0.0);
  if (wr && reads_old(&w, wr->in[0])) L->reads_output_elsewhere = true;
  return row_done(&w, st->val && st->index && (root->nin == 1 || st->init));
}

/* A COMPACT node: the rows of its values (every dim but the last), each
 * walked by one compaction stage (kernel.h's keep) from its base position
 * (at the row's first element). The old version is not read (the
 * compaction writes only where it keeps), so the write goes in place
 * unless the values read it. */
int cg_lower_compact(tc_ctx *ctx, ir_node *root, cg_lowered *L) {
  lw w = row_lw(ctx, L, root);
  ir_node *v = root->in[1];
  int c = v->ndim - 1;
  point p;
  kstage *st = row_stage(&w, v->ndim, v->shape, c, &p);
  st->index = ix_const(AR(&w), 0);
  st->keep = lw_cast(&w, lw_expr(&w, root->in[3], p), TC_BOOL);
  st->val = lw_cast(&w, lw_expr(&w, v, p), root->dt);
  st->dyn = lw_cast(&w, lw_expr(&w, root->in[2], row_first(&w, p, root->in[2]->shape, c)), TC_I64);
  if (reads_old(&w, root->in[0])) L->reads_output_elsewhere = true;
  return row_done(&w, st->val && st->index && st->keep && st->dyn);
}

