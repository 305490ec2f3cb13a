/*
 * lower.c — one fusion group to kernel IR.
 *
 * The group's root is a materialized node: an elementwise/view/source node
 * (stored at every point of its shape), a reduction (a REDUCE stage and a
 * store), or a WRITE (the value stored through the destination view). Its
 * value is built by walking the graph from the root at a symbolic point:
 * a point is a multi-index of index expressions or, lazily, a flat row-major
 * index; views turn their point into the input's point (offset + sum of
 * index * stride, split back with div/mod only where a multi-index is
 * needed), so a chain of movement ops never copies and a view of a buffer is
 * a single affine load. Materialized nodes and buffers are loads.
 *
 * Reductions that are not materialized become stages of the group: a first
 * walk numbers them in post order (nested ones first), so stage s's inner
 * variable is known before its value is built. A staged reduction must be
 * read at one point that depends only on the outer loop variables, and must
 * not do more work per outer point than the group's own inner loop;
 * otherwise the lowering asks for it to be materialized (a new kernel
 * boundary, with the reason). Softmax-like groups thus become one kernel: the
 * outer loops run over all dims but the last, each reduction is a loop over
 * the last dim, and the store is a final loop over it.
 *
 * Scratch in the output. In such a kernel, an expensive elementwise value
 * (a transcendental in it) that a reduction's input and the stored value
 * both compute at the same element (softmax's exp(x - max)) is computed
 * once: a stage before the reduction stores it into the output buffer at
 * the very elements the final store will overwrite (checked: the same
 * index, the stage's variable renamed), and the reduction and the store
 * load it back. On rows of up to SCRATCH_ROW_BYTES the same is done for
 * such a value only the reduction computes (log_softmax's exp): the store
 * stage's loop vectorizes it fully, the reduction then sums loads, and
 * the row stays in cache. Only where the value has the output's dtype and
 * shape and the root is a plain store; otherwise the lowering runs again
 * without. Of several such values (each for its own reduction), the store
 * reads back only the one stored last: it overwrote the others.
 */
#include <stdio.h>
#include <string.h>
#include "../passes/passes.h"
#include "lower_walk.h"


static void fail(lw *w, ir_node *n, const char *why) {
  if (w->failed) return;
  w->failed = true;
  w->L->fail = n;
  snprintf(w->L->why, sizeof w->L->why, "%s", why);
}

/* ---- points ------------------------------------------------------------- */

static const ix *flat_of(lw *w, const point *p) {
  if (p->flat) return p->flat;
  int64_t cs[TC_MAX_DIMS];
  ir_contig_strides(p->ndim, p->shape, cs);
  const ix *f = ix_const(AR(w), 0);
  for (int d = 0; d < p->ndim; d++)
    if (p->shape[d] != 1) f = ix_add(AR(w), f, ix_mulc(AR(w), p->idx[d], cs[d]));
  return f;
}

static void to_multi(lw *w, point *p) {
  if (!p->flat) return;
  int64_t cs[TC_MAX_DIMS];
  ir_contig_strides(p->ndim, p->shape, cs);
  for (int d = 0; d < p->ndim; d++) {
    if (p->shape[d] == 1) {
      p->idx[d] = ix_const(AR(w), 0);
      continue;
    }
    const ix *q = ix_divc(AR(w), p->flat, cs[d]);
    p->idx[d] = d == 0 ? q : ix_modc(AR(w), q, p->shape[d]);
  }
  p->flat = NULL;
}

static bool point_equal(lw *w, point *a, point *b) {
  if (a->ndim != b->ndim) return false;
  if (a->flat && b->flat) return ix_equal(a->flat, b->flat);
  if (a->flat || b->flat) return ix_equal(flat_of(w, a), flat_of(w, b));
  for (int d = 0; d < a->ndim; d++)
    if (!ix_equal(a->idx[d], b->idx[d])) return false;
  return true;
}

static bool point_uses_inner(lw *w, point *p) {
  int nv = w->k->nouter + KC_MAX_STAGES + 1;
  for (int v = w->k->nouter; v < nv; v++) {
    if (p->flat) {
      if (ix_uses_var(p->flat, v)) return true;
    } else {
      for (int d = 0; d < p->ndim; d++)
        if (ix_uses_var(p->idx[d], v)) return true;
    }
  }
  return false;
}

/* p with variable `from` replaced by variable `to` (over [0, n)) */
static point rename_var(lw *w, point p, int from, int to, int64_t n) {
  const ix *vals[TC_MAX_DIMS + KC_MAX_STAGES + 1] = {0};
  int nv = w->k->nouter + KC_MAX_STAGES + 1;
  vals[from] = ix_var(AR(w), to, 0, n > 0 ? n - 1 : 0);
  if (p.flat) p.flat = ix_subst(AR(w), p.flat, vals, nv);
  else
    for (int d = 0; d < p.ndim; d++) p.idx[d] = ix_subst(AR(w), p.idx[d], vals, nv);
  return p;
}

/* ---- values ------------------------------------------------------------- */

static int buf_slot(lw *w, ir_node *n) {
  for (int i = 1; i < w->k->nbufs; i++)
    if (w->L->bufnode[i] == n) return i;
  if (w->k->nbufs == KC_MAX_BUFS) {
    fail(w, n, "too many buffers for one kernel");
    return -1;
  }
  int i = w->k->nbufs++;
  w->L->bufnode[i] = n;
  w->k->bufs[i].dt = n->dt;
  w->k->bufs[i].nelem = ir_numel(n->ndim, n->shape);
  w->k->bufs[i].written = false;
  return i;
}

static const kval *expr(lw *w, ir_node *n, point p);

/* The KV_PARAM for (n, kind): scalars are launch arguments, so the same
 * computation with another value reuses the compiled kernel. */
static const kval *param(lw *w, ir_node *n, cg_param_kind kind, tc_dtype dt) {
  kernel *k = w->k;
  for (int i = 0; i < k->nparams; i++)
    if (w->L->param[i].node == n && w->L->param[i].kind == kind && k->params[i] == dt)
      return w->paramv[i];
  if (k->nparams == KC_MAX_PARAMS) {
    fail(w, n, "too many scalar arguments for one kernel");
    return NULL;
  }
  const kval *v = kc_param_new(k, dt);
  if (!v) return NULL;
  w->L->param[v->param] = (cg_param_src){n, kind};
  w->paramv[v->param] = v;
  return v;
}

kc_param cg_param_value(const ir_node *n, cg_param_kind kind, tc_dtype dt) {
  kc_param p;
  switch (kind) {
  case CG_PARAM_RNG_SEED: p.i = (int64_t)n->p.rng.seed; break;
  case CG_PARAM_RNG_BASE: p.i = (int64_t)n->p.rng.offset; break;
  default:
    if (dt == TC_F32 || dt == TC_F64) p.f = n->p.k.f;
    else p.i = n->p.k.i;
  }
  return p;
}

static const kval *cast(lw *w, const kval *v, tc_dtype dt) {
  if (!v || v->dt == dt) return v;
  return kc_op(w->k, OP_CAST, dt, v, NULL, NULL);
}

static tc_dtype acc_dtype(int rop, tc_dtype dt) {
  (void)rop; /* float32 sums stay float32: the pairwise tree keeps them accurate */
  return dt;
}

/* The point of reduction r's input at outer point q (multi-index) and
 * inner variable `var`; returns the reduction's length. */
static int64_t red_point(lw *w, ir_node *r, const point *q, int var, point *p) {
  ir_node *in = r->in[0];
  int64_t n = 1, ext[TC_MAX_DIMS];
  int nred = 0;
  for (int d = 0; d < in->ndim; d++)
    if (r->p.red.axes >> d & 1) ext[nred++] = in->shape[d], n *= in->shape[d];
  *p = (point){.ndim = in->ndim, .shape = in->shape};
  const ix *rv = ix_var(AR(w), var, 0, n > 0 ? n - 1 : 0);
  int64_t below = n;
  for (int d = 0, j = 0; d < in->ndim; d++) {
    if (r->p.red.axes >> d & 1) {
      below /= ext[j] ? ext[j] : 1;
      const ix *c = ix_divc(AR(w), rv, below ? below : 1);
      p->idx[d] = j == 0 ? c : ix_modc(AR(w), c, ext[j]);
      j++;
    } else {
      p->idx[d] = q->idx[d];
    }
  }
  return n;
}

/* Builds side stage j at point p (its own variable): stores the node's
 * value at each of its elements; `at` is the owner stage's point of it. */
static void build_side(lw *w, int j, point p, int64_t n, int owner_stage, point at) {
  struct side *sd = &w->side[j];
  int saved = w->cur_stage;
  w->cur_stage = sd->stage;
  const kval *v = expr(w, sd->n, p);
  w->cur_stage = saved;
  kstage *st = &w->k->stages[sd->stage];
  st->kind = KS_STORE;
  st->n = n;
  st->buf = sd->buf;
  st->index = flat_of(w, &p);
  st->val = cast(w, v, sd->n->dt);
  sd->owner_stage = owner_stage;
  sd->at = at;
  sd->done = true;
  if (sd->scratch && !w->failed) {
    /* it must store exactly the elements the final store overwrites */
    int sv = kc_stage_var(w->k, w->store_stage);
    point ps = rename_var(w, p, kc_stage_var(w->k, sd->stage), sv, n);
    if (!ix_equal(flat_of(w, &ps), flat_of(w, &w->store_at))) {
      w->scratch_bad = true;
      fail(w, sd->n, "scratch output at other elements than the store's");
      return;
    }
    sd->at_store = rename_var(w, at, kc_stage_var(w->k, owner_stage), sv, n);
  }
}

/* Builds staged reduction s (node r) at its outer point q. */
static void build_stage(lw *w, int s, point q) {
  ir_node *r = w->red[s];
  ir_node *in = r->in[0];
  to_multi(w, &q);
  point p;
  int64_t n = red_point(w, r, &q, kc_stage_var(w->k, s), &p);
  for (int j = 0; j < w->nside; j++)
    if (w->side[j].owner == r && !w->side[j].done) {
      point ps;
      red_point(w, r, &q, kc_stage_var(w->k, w->side[j].stage), &ps);
      build_side(w, j, ps, n, s, p);
    }
  int saved = w->cur_stage;
  w->cur_stage = s;
  tc_dtype adt = acc_dtype(r->op, in->dt);
  const kval *v = expr(w, in, p);
  if (r->op != OP_RARGMAX && r->op != OP_RARGMIN) v = cast(w, v, adt);
  w->cur_stage = saved;
  kstage *st = &w->k->stages[s];
  st->kind = KS_REDUCE;
  st->n = n;
  st->val = v;
  st->rop = r->op;
  st->acc_dt = adt;
  w->built[s] = true;
  w->redq[s] = q;
}

static const kval *reduced_value(lw *w, ir_node *n, point p) {
  int s = (int)(intptr_t)n->aux - 1;
  if (s < 0) {
    fail(w, n, "reduction could not be placed in this kernel");
    return NULL;
  }
  if (point_uses_inner(w, &p)) {
    fail(w, n, "reduction read at points that vary inside the inner loop");
    return NULL;
  }
  if (!w->built[s]) {
    int64_t n_red = ir_numel(n->in[0]->ndim, n->in[0]->shape) / (ir_numel(n->ndim, n->shape) ?: 1);
    if (n_red > w->inner_work) {
      fail(w, n, "reduction does more work per point than the consumer's inner loop");
      return NULL;
    }
    build_stage(w, s, p);
  } else if (!point_equal(w, &w->redq[s], &p)) {
    fail(w, n, "reduction read at two different points");
    return NULL;
  }
  const kval *acc = kc_acc(w->k, s);
  return cast(w, acc, n->dt);
}

static const kval *expr_uncached(lw *w, ir_node *n, point p) {
  kernel *k = w->k;
  for (int j = 0; j < w->nside; j++) { /* a side output, read back where it was stored */
    struct side *sd = &w->side[j];
    if (sd->n != n || !sd->done) continue;
    if ((w->cur_stage == sd->owner_stage && point_equal(w, &p, &sd->at)) ||
        (j == w->last_scratch && w->cur_stage == w->store_stage && point_equal(w, &p, &sd->at_store)))
      return kc_load(k, sd->buf, flat_of(w, &p));
  }
  if (n->op == OP_BUFFER || (n != w->root && (n->mark & (PM_MAT | PM_SIDE_TAKEN)))) {
    int slot = buf_slot(w, n);
    if (slot < 0) return NULL;
    return kc_load(k, slot, flat_of(w, &p));
  }
  switch (ir_op_kind[n->op]) {
  case K_SRC:
    if (n->op == OP_CONST) {
      if (ir_dtype_is_floating(n->dt)) {
        tc_dtype cdt = n->dt == TC_F64 ? TC_F64 : TC_F32;
        return cast(w, param(w, n, CG_PARAM_CONST, cdt), n->dt);
      }
      return param(w, n, CG_PARAM_CONST, n->dt);
    }
    if (n->op == OP_IOTA) {
      to_multi(w, &p);
      return kc_index(k, p.idx[n->p.axis]);
    }
    if (n->op == OP_EMPTY) /* never read before written; 0 if it is */
      return ir_dtype_is_floating(n->dt) ? kc_const_f(k, n->dt, 0) : kc_const_i(k, n->dt, 0);
    {
      const kval *seed = param(w, n, CG_PARAM_RNG_SEED, TC_I64); /* seed first: p_i in order */
      const kval *base = param(w, n, CG_PARAM_RNG_BASE, TC_I64);
      return kc_rng_dyn(k, n->op, seed, base, flat_of(w, &p));
    }
  case K_EW: {
    if (n->op == OP_CHECK) return expr(w, n->in[0], p); /* the runtime reads it */
    const kval *a[3] = {NULL, NULL, NULL};
    for (int i = 0; i < n->nin; i++) {
      a[i] = expr(w, n->in[i], p);
      if (!a[i]) return NULL;
    }
    return kc_op(k, n->op, n->dt, a[0], a[1], a[2]);
  }
  case K_MOVE: {
    ir_node *in = n->in[0];
    const ix *f = ix_const(AR(w), n->p.v.offset);
    if (!p.flat || n->ndim == 0) {
      for (int d = 0; d < n->ndim; d++)
        if (n->p.v.strides[d] && n->shape[d] != 1)
          f = ix_add(AR(w), f, ix_mulc(AR(w), p.idx[d], n->p.v.strides[d]));
    } else {
      point m = p;
      to_multi(w, &m);
      for (int d = 0; d < n->ndim; d++)
        if (n->p.v.strides[d] && n->shape[d] != 1)
          f = ix_add(AR(w), f, ix_mulc(AR(w), m.idx[d], n->p.v.strides[d]));
    }
    point q = {.ndim = in->ndim, .flat = f, .shape = in->shape};
    return expr(w, in, q);
  }
  case K_RED:
    return reduced_value(w, n, p);
  case K_GATHER: {
    /* in[0] is in memory (fuse.c); the offset is data, kept within the
     * buffer (the API checked the indices; this keeps any read in bounds) */
    ir_node *src = n->in[0];
    if (src->op != OP_BUFFER && !(src->mark & PM_MAT)) {
      fail(w, n, "a gather's source is not in memory");
      return NULL;
    }
    int slot = buf_slot(w, src);
    if (slot < 0) return NULL;
    if (ir_op_kind[w->root->op] == K_WRITE && src == w->root->in[0]) w->gathers_root_old = true;
    const kval *off = expr(w, n->in[1], p);
    if (!off) return NULL;
    int64_t last = ir_numel(src->ndim, src->shape) - 1;
    off = kc_op(k, OP_MAX, TC_I64, off, kc_const_i(k, TC_I64, 0), NULL);
    off = kc_op(k, OP_MIN, TC_I64, off, kc_const_i(k, TC_I64, last > 0 ? last : 0), NULL);
    return kc_load_at(k, slot, ix_const(AR(w), 0), off);
  }
  case K_CAT: {
    /* in[0] where the joined dim's index is below split, else in[1] at
     * index - split; a side the index range rules out is not read, and
     * where both may be read each is read at a clamped (in-bounds) index */
    ir_node *a = n->in[0], *b = n->in[1];
    int c = n->p.cat.dim;
    int64_t split = n->p.cat.split;
    to_multi(w, &p);
    const ix *q = p.idx[c];
    point pa = p, pb = p;
    pa.shape = a->shape;
    pb.shape = b->shape;
    pb.idx[c] = ix_addc(AR(w), q, -split);
    if (q->hi < split) return expr(w, a, pa);
    if (q->lo >= split) return expr(w, b, pb);
    pa.idx[c] = ix_min(AR(w), q, ix_const(AR(w), split - 1));
    pb.idx[c] = ix_max(AR(w), pb.idx[c], ix_const(AR(w), 0));
    tc_dtype cdt = n->dt == TC_F16 || n->dt == TC_BF16 ? TC_F32 : n->dt;
    const kval *va = cast(w, expr(w, a, pa), cdt);
    const kval *vb = va ? cast(w, expr(w, b, pb), cdt) : NULL;
    if (!vb) return NULL;
    const kval *lt = kc_op(k, OP_LT, TC_BOOL, kc_index(k, q), kc_const_i(k, TC_I64, split), NULL);
    return cast(w, kc_op(k, OP_WHERE, cdt, lt, va, vb), n->dt);
  }
  default:
    fail(w, n, "a write read inside another kernel");
    return NULL;
  }
}

static const kval *expr(lw *w, ir_node *n, point p) {
  if (w->failed) return NULL;
  for (int i = 0; i < w->nmemo; i++) {
    memo *m = &w->memo[i];
    if (m->n == n && m->stage == w->cur_stage && point_equal(w, &m->p, &p)) return m->v;
  }
  const kval *v = expr_uncached(w, n, p);
  if (!v) {
    if (!w->failed) {
      w->oom = true;
      fail(w, n, "out of memory building the kernel");
    }
    return NULL;
  }
  if (w->nmemo == w->memocap) {
    int cap = w->memocap ? w->memocap * 2 : 64;
    memo *nm = ir_alloc(w->ctx, sizeof(memo) * cap);
    if (!nm) { /* the memo decides in-place writes: an error, not a guess */
      w->oom = true;
      fail(w, n, "out of memory");
      return NULL;
    }
    if (w->memo) memcpy(nm, w->memo, sizeof(memo) * w->nmemo);
    ir_free(w->ctx, w->memo);
    w->memo = nm;
    w->memocap = cap;
  }
  w->memo[w->nmemo++] = (memo){n, w->cur_stage, p, v};
  return v;
}

/* ---- stage discovery ---------------------------------------------------- */

static bool same_shape(const ir_node *a, const ir_node *b) {
  if (a->ndim != b->ndim) return false;
  for (int d = 0; d < a->ndim; d++)
    if (a->shape[d] != b->shape[d]) return false;
  return true;
}

/* Post-order over the group (not into materialized nodes): staged
 * reductions get stage numbers, nested ones first (renumbered once side
 * stages are known); side outputs are found with their owner: the
 * reduction whose input reaches them through elementwise ops, or the root
 * when its stored value does (owner NULL: neither). Uses PM_WALK. */
static void discover(lw *w, ir_node *n, ir_node *owner, ir_node ***visited, int *nv, int *cap) {
  if (n->op == OP_BUFFER || (n != w->root && (n->mark & (PM_MAT | PM_SIDE_TAKEN))) ||
      (n->mark & PM_WALK))
    return;
  n->mark |= PM_WALK;
  if (*nv == *cap) {
    int c = *cap ? *cap * 2 : 64;
    ir_node **a = ir_alloc(w->ctx, sizeof(ir_node *) * c);
    if (!a) {
      n->mark &= ~PM_WALK;
      w->oom = true;
      fail(w, n, "out of memory");
      return;
    }
    if (*visited) memcpy(a, *visited, sizeof(ir_node *) * *nv);
    ir_free(w->ctx, *visited);
    *visited = a;
    *cap = c;
  }
  (*visited)[(*nv)++] = n;
  if ((n->mark & PM_SIDE) && owner && ir_op_kind[n->op] == K_EW && w->nside < KC_MAX_SIDE)
    w->side[w->nside++] = (struct side){.n = n, .owner = owner};
  ir_node *below = ir_op_kind[n->op] == K_RED ? n : ir_op_kind[n->op] == K_EW ? owner : NULL;
  for (int i = 0; i < n->nin; i++) discover(w, n->in[i], below, visited, nv, cap);
  if (ir_op_kind[n->op] == K_RED && n != w->root) {
    /* the same reduction of the same node (layernorm's mean and its
     * variance's): one stage */
    for (int j = 0; j < w->nred && w->ndup < 2 * KC_MAX_STAGES; j++) {
      ir_node *o = w->red[j];
      if (o->op == n->op && o->dt == n->dt && o->in[0] == n->in[0] && o->p.red.axes == n->p.red.axes &&
          same_shape(o, n)) { /* keepdim or not: read at points of one shape */
        w->dup[w->ndup++] = (struct dup){n, o};
        n->aux = o->aux;
        for (int k = 0; k < w->nside; k++)
          if (w->side[k].owner == n) w->side[k].owner = o;
        return;
      }
    }
    if (w->nred >= KC_MAX_STAGES - 2 - KC_MAX_SIDE) {
      fail(w, n, "too many reductions in one kernel");
      return;
    }
    w->red[w->nred] = n;
    n->aux = (void *)(intptr_t)(++w->nred);
  }
}

/* ---- scratch outputs ---------------------------------------------------- */

/* an elementwise node computed inside this kernel */
static bool inlined_ew(lw *w, ir_node *n) {
  return ir_op_kind[n->op] == K_EW && !(n != w->root && (n->mark & (PM_MAT | PM_SIDE_TAKEN)));
}

/* The elementwise nodes reachable from n through elementwise ops only. */
static void ew_reach(lw *w, ir_node *n, ir_node **list, int *cnt, int cap) {
  if (*cnt >= cap || !inlined_ew(w, n)) return;
  for (int i = 0; i < *cnt; i++)
    if (list[i] == n) return;
  list[(*cnt)++] = n;
  for (int i = 0; i < n->nin; i++) ew_reach(w, n->in[i], list, cnt, cap);
}

/* Whether n's elementwise expression has a transcendental in it. */
static bool costly(lw *w, ir_node *n, int depth) {
  if (depth > 24 || !inlined_ew(w, n)) return false;
  switch (n->op) {
  case OP_EXP: case OP_EXP2: case OP_LOG: case OP_LOG2: case OP_LOG1P: case OP_EXPM1:
  case OP_SIN: case OP_COS: case OP_TAN: case OP_TANH: case OP_SIGMOID: case OP_GELU:
  case OP_ERF: case OP_POW:
    return true;
  default:
    break;
  }
  for (int i = 0; i < n->nin; i++)
    if (costly(w, n->in[i], depth + 1)) return true;
  return false;
}

/* The first node (pre-order, elementwise only) of reduction r's input
 * worth storing: one the stored value computes too (in `shared`), or any
 * when `any` (short rows: the store loop's vectorized transcendental and a
 * reduction of loads beat the reduction's own evaluation, and the row
 * stays in cache); NULL if none. */
static ir_node *scratch_in(lw *w, ir_node *n, ir_node **shared, int nshared, bool any, int depth) {
  if (depth > 24 || !inlined_ew(w, n) || (n->mark & PM_SIDE)) return NULL;
  bool in_shared = any;
  for (int i = 0; i < nshared; i++) in_shared |= shared[i] == n;
  if (in_shared && n->dt == w->root->dt && same_shape(n, w->root) && costly(w, n, 0)) return n;
  for (int i = 0; i < n->nin; i++) {
    ir_node *c = scratch_in(w, n->in[i], shared, nshared, any, depth + 1);
    if (c) return c;
  }
  return NULL;
}

/* Scratch outputs of a mode-1 group whose root is a plain store (see the
 * file comment): at most one per staged reduction over the last dim. */
enum { SCRATCH_ROW_BYTES = 64 << 10 }; /* a row that stays in cache */

static void find_scratch(lw *w) {
  ir_node *root = w->root, *shared[256];
  int nshared = 0;
  if (!root->ndim || ir_op_kind[root->op] != K_EW) return;
  ew_reach(w, root, shared, &nshared, 256);
  bool any = root->shape[root->ndim - 1] * (int64_t)ir_dtype_size(root->dt) <= SCRATCH_ROW_BYTES;
  for (int i = 0; i < w->nred && w->nside < KC_MAX_SIDE; i++) {
    ir_node *r = w->red[i];
    if (r->p.red.axes != 1u << (root->ndim - 1) || !same_shape(r->in[0], root)) continue;
    ir_node *n = scratch_in(w, r->in[0], shared, nshared, any, 0);
    bool dup = false;
    for (int j = 0; j < w->nside; j++) dup |= w->side[j].n == n;
    if (n && !dup) w->side[w->nside++] = (struct side){.n = n, .owner = r, .scratch = true};
  }
}

/* ---- matrix products ---------------------------------------------------- */

/* An elementwise kernel that loads a PM_EPI product (fuse.c) at its own
 * points computes it first: a KS_MATMUL stage stores the product into that
 * buffer (written: the product's node becomes it), then the store stage
 * reads it back at each point — the epilogue runs on a tile while it is in
 * cache (CPU) or straight after the tile's registers (CUDA). Anything else
 * hands the product its own kernel. */
static void absorb_matmul(lw *w) {
  kernel *k = w->k;
  int xb = -1;
  for (int b = 1; b < k->nbufs && !w->failed; b++) {
    ir_node *x = w->L->bufnode[b];
    if (x->op != OP_MATMUL || !(x->mark & PM_EPI)) continue;
    bool ok = xb < 0 && k->nstages == 1 && k->stages[0].kind == KS_STORE && k->stages[0].n == 1 &&
              !k->serial && k->nouter == x->ndim;
    for (int d = 0; ok && d < x->ndim; d++) ok = k->outer[d] == x->shape[d];
    if (ok) {
      point id = {.ndim = x->ndim, .shape = x->shape};
      for (int d = 0; d < x->ndim; d++) id.idx[d] = ix_var(AR(w), d, 0, x->shape[d] - 1);
      const ix *f = flat_of(w, &id);
      for (int i = 0; ok && i < w->nmemo; i++)
        if (w->memo[i].n == x) ok = ix_equal(flat_of(w, &w->memo[i].p), f);
    }
    if (!ok) {
      fail(w, x, "a matrix product its consumer cannot compute as it stores (not an epilogue)");
      return;
    }
    xb = b;
  }
  if (xb < 0) return;
  ir_node *x = w->L->bufnode[xb];
  int a = buf_slot(w, x->in[0]), b = buf_slot(w, x->in[1]);
  if (a < 0 || b < 0) return; /* too many buffers: failed, the product gets its own kernel */
  k->stages[1] = k->stages[0];
  k->nstages = 2;
  k->bufs[xb].written = true;
  cg_mm_stage(k, &k->stages[0], x, xb, a, b);
}

/* ---- entry -------------------------------------------------------------- */

/* The node a realized reshape computes: a view of the row-major layout of
 * a node computed in this kernel (same elements, contiguous strides,
 * offset 0) stores that node's elements in its own order, so the kernel
 * runs over that node's shape: its loads keep their own index form (a
 * blocked scan's [nb, 4096] result flattened would otherwise divide every
 * index by 4096, and no loop over it would vectorize). */
static ir_node *reshaped(ir_node *root) {
  ir_node *n = root;
  while (n->op == OP_VIEW) {
    ir_node *in = n->in[0];
    if (in->op == OP_BUFFER || (in->mark & (PM_MAT | PM_SIDE_TAKEN)) || ir_op_kind[in->op] == K_WRITE ||
        ir_numel(in->ndim, in->shape) != ir_numel(n->ndim, n->shape) || n->p.v.offset)
      break;
    int64_t cs[TC_MAX_DIMS];
    ir_contig_strides(n->ndim, n->shape, cs);
    bool contig = true;
    for (int d = 0; d < n->ndim; d++) contig &= n->shape[d] == 1 || n->p.v.strides[d] == cs[d];
    if (!contig) break;
    n = in;
  }
  return n;
}

/* mode 0: every dim of the root is an outer loop and each staged reduction
 * runs once per output point (an epilogue after a reduction); mode 1: the
 * last dim is an inner loop shared by the stages (softmax-like groups). */
static int try_lower(tc_ctx *ctx, ir_node *root, cg_lowered *L, int mode, bool *broadcast,
                     bool scratch) {
  memset(L, 0, sizeof *L);
  kc_init(&L->k, &ctx->al);
  lw w = {.ctx = ctx, .L = L, .k = &L->k, .root = root, .cur_stage = -1, .store_stage = -1,
          .last_scratch = -1};
  kernel *k = &L->k;

  bool is_red = ir_op_kind[root->op] == K_RED;
  bool is_write = ir_op_kind[root->op] == K_WRITE;
  bool is_scatter = root->op == OP_SCATTER;
  ir_node *value = is_write ? root->in[1] : reshaped(root);
  ir_node **visited = NULL;
  int nv = 0, cap = 0;
  if (is_write) root->mark |= PM_WALK; /* the old version is a load */
  discover(&w, is_red ? root->in[0] : value, root, &visited, &nv, &cap);
  if (is_scatter) discover(&w, root->in[2], NULL, &visited, &nv, &cap);
  root->mark &= ~PM_WALK;
  for (int i = 0; i < nv; i++) visited[i]->mark &= ~PM_WALK;
  ir_free(ctx, visited);
  if (scratch && mode == 1 && !is_red && !is_write && !w.failed) find_scratch(&w);

  /* output buffer 0, then the side outputs' buffers */
  k->nbufs = 1;
  k->bufs[0].dt = root->dt;
  k->bufs[0].nelem = ir_numel(root->ndim, root->shape);
  k->bufs[0].written = true;
  L->bufnode[0] = root;
  for (int j = 0; j < w.nside; j++) {
    if (w.side[j].scratch) { /* the output itself */
      w.side[j].buf = 0;
      continue;
    }
    int b = k->nbufs++;
    k->bufs[b] = (kbuf){w.side[j].n->dt, ir_numel(w.side[j].n->ndim, w.side[j].n->shape), true};
    L->bufnode[b] = w.side[j].n;
    w.side[j].buf = b;
  }
  /* final stage numbers: each reduction after its side stages, then the
   * store's side stages and the store (a reduction root's own reduction
   * is numbered like the others, last) */
  if (is_red && !w.failed) {
    w.red[w.nred++] = root;
    root->aux = (void *)(intptr_t)w.nred;
  }
  int nst = 0;
  {
    ir_node *order[KC_MAX_STAGES];
    int nr = w.nred;
    memcpy(order, w.red, sizeof(ir_node *) * (size_t)nr);
    memset(w.red, 0, sizeof w.red);
    for (int i = 0; i < nr; i++) {
      for (int j = 0; j < w.nside; j++)
        if (w.side[j].owner == order[i]) w.side[j].stage = nst++;
      w.red[nst] = order[i];
      order[i]->aux = (void *)(intptr_t)(nst + 1);
      nst++;
    }
    for (int j = 0; j < w.ndup; j++) w.dup[j].n->aux = w.dup[j].same->aux;
    if (!is_red)
      for (int j = 0; j < w.nside; j++)
        if (w.side[j].owner == root) w.side[j].stage = nst++;
    for (int j = 0; j < w.nside; j++)
      if (w.side[j].scratch && (w.last_scratch < 0 || w.side[j].stage > w.side[w.last_scratch].stage))
        w.last_scratch = j;
  }
  int store_stage = nst; /* stages 0 .. nst-1, then the store */

  int vnd = value->ndim;
  const int64_t *vshape = value->shape;
  if (!w.failed) {
    if (is_red) {
      ir_node *in = root->in[0];
      int64_t n = 1;
      for (int d = 0; d < in->ndim; d++)
        if (root->p.red.axes >> d & 1) n *= in->shape[d];
      k->nouter = root->ndim;
      for (int d = 0; d < root->ndim; d++) k->outer[d] = root->shape[d];
      w.inner_work = n > 0 ? n : 1;
      int rs = (int)(intptr_t)root->aux - 1;
      k->nstages = store_stage + 1;
      point q = {.ndim = root->ndim, .shape = root->shape};
      for (int d = 0; d < root->ndim; d++)
        q.idx[d] = ix_var(&k->arena, d, 0, root->shape[d] - 1);
      build_stage(&w, rs, q);
      root->aux = NULL;
      w.cur_stage = k->nstages - 1;
      kstage *st = &k->stages[k->nstages - 1];
      st->kind = KS_STORE;
      st->n = 1;
      st->buf = 0;
      point o = q;
      st->index = flat_of(&w, &o);
      st->val = w.failed ? NULL : cast(&w, kc_acc(k, rs), root->dt);
    } else {
      int m = store_stage;
      bool inner = w.nred && mode == 1 && vnd;
      int nouter = inner ? vnd - 1 : vnd;
      int64_t n_in = inner ? vshape[vnd - 1] : 1;
      k->nouter = nouter;
      for (int d = 0; d < nouter; d++) k->outer[d] = vshape[d];
      k->nstages = m + 1;
      w.inner_work = inner ? n_in : INT64_MAX;
      point p = {.ndim = vnd, .shape = vshape};
      for (int d = 0; d < nouter; d++) p.idx[d] = ix_var(&k->arena, d, 0, vshape[d] - 1);
      if (nouter < vnd)
        p.idx[vnd - 1] = ix_var(&k->arena, kc_stage_var(k, m), 0, n_in - 1);
      w.cur_stage = m;
      w.store_stage = m;
      w.store_at = p;
      for (int j = 0; j < w.nside; j++) /* the stored value's side outputs first */
        if (w.side[j].owner == root && !w.failed) {
          point ps = p;
          if (nouter < vnd)
            ps.idx[vnd - 1] = ix_var(&k->arena, kc_stage_var(k, w.side[j].stage), 0, n_in - 1);
          build_side(&w, j, ps, n_in, m, p);
        }
      kstage *st = &k->stages[m];
      st->kind = KS_STORE;
      st->n = n_in;
      st->buf = 0;
      const kval *v = expr(&w, value, p);
      bool scratch_used = false;
      for (int j = 0; j < w.nside; j++) scratch_used |= w.side[j].scratch;
      if (scratch_used && !w.failed) {
        /* again, now that the reductions (and the scratch stores before
         * them) are built: the store loads what they stored */
        for (int j = 0; j < w.nside; j++)
          if (w.side[j].scratch && !w.side[j].done) w.scratch_bad = true;
        int keep = 0;
        for (int i = 0; i < w.nmemo; i++)
          if (w.memo[i].stage != m) w.memo[keep++] = w.memo[i];
        w.nmemo = keep;
        if (!w.scratch_bad) v = expr(&w, value, p);
        else fail(&w, root, "a scratch output's reduction was not built");
      }
      st->val = v ? cast(&w, v, root->dt) : NULL;
      if (is_scatter) {
        /* positions are data: in[2]'s offsets at the point; in place only
         * when nothing reads the old version */
        st->index = ix_const(&k->arena, 0);
        st->dyn = expr(&w, root->in[2], p);
        st->accumulate = root->p.sc.acc != 0;
        st->acc_op = root->p.sc.acc;
        k->serial = !root->p.sc.unique;
        for (int i = 0; i < w.nmemo; i++)
          if (w.memo[i].n == root->in[0]) L->reads_output_elsewhere = true;
        if (w.gathers_root_old) L->reads_output_elsewhere = true; /* at data positions */
      } else if (is_write) {
        const ix *f = ix_const(&k->arena, root->p.v.offset);
        for (int d = 0; d < vnd; d++)
          if (root->p.v.strides[d] && vshape[d] != 1)
            f = ix_add(&k->arena, f, ix_mulc(&k->arena, p.idx[d], root->p.v.strides[d]));
        st->index = f;
        /* loads of the old version at another index forbid writing in
           place, unless no element they read is one written */
        for (int i = 0; i < w.nmemo; i++) {
          memo *mm = &w.memo[i];
          if (mm->n != root->in[0]) continue;
          const ix *r = flat_of(&w, &mm->p);
          if (!ix_equal(r, f) && !kc_disjoint(k, m, r, f)) L->reads_output_elsewhere = true;
          /* the old element where it is written: from buffer 0 itself, which
           * holds the old version until the store (it is the old version's
           * memory in place, a copy of it otherwise), so a backend sees one
           * buffer read and written at one index, not two that may overlap */
          kval *lv = (kval *)mm->v;
          if (ix_equal(r, f) && lv && lv->kind == KV_LOAD && !lv->a && lv->dt == k->bufs[0].dt) lv->buf = 0;
        }
        if (w.gathers_root_old) L->reads_output_elsewhere = true;
      } else {
        st->index = flat_of(&w, &p);
      }
      /* a staged reduction broadcast along an outer dim would be recomputed
       * for every point of it: the caller retries in mode 1 */
      for (int s = 0; !inner && !w.failed && s < m; s++) {
        if (!w.built[s]) continue;
        for (int d = 0; d < nouter; d++) {
          if (k->outer[d] == 1) continue;
          bool uses = false;
          for (int e = 0; e < w.redq[s].ndim && !uses; e++)
            uses = ix_uses_var(w.redq[s].idx[e], d);
          if (!uses) *broadcast = true;
        }
      }
    }
  }
  if (!w.failed && !w.oom && !is_red && !is_write && !is_scatter) absorb_matmul(&w);
  for (int i = 0; i < KC_MAX_STAGES; i++)
    if (w.red[i]) w.red[i]->aux = NULL;
  for (int j = 0; j < w.ndup; j++) w.dup[j].n->aux = NULL;
  ir_free(ctx, w.memo);
  if (w.oom || k->arena.oom) {
    ir_error(ctx, TC_ERR_OOM, "out of memory lowering a kernel");
    return -1;
  }
  if (w.failed) return w.scratch_bad ? 2 : 1;
  for (int s = 0; s < k->nstages; s++)
    if ((!k->stages[s].val && k->stages[s].kind != KS_MATMUL) || (k->stages[s].kind != KS_REDUCE && !k->stages[s].index) ||
        (is_scatter && s == k->nstages - 1 && !k->stages[s].dyn)) {
      ir_error(ctx, TC_ERR_OOM, "out of memory lowering a kernel");
      return -1;
    }
  if (k->arena.oom) {
    ir_error(ctx, TC_ERR_OOM, "out of memory lowering a kernel");
    return -1;
  }
  return 0;
}

/* lower_rows.c's access to the walk */
const kval *lw_expr(lw *w, ir_node *n, point p) { return expr(w, n, p); }
const kval *lw_cast(lw *w, const kval *v, tc_dtype dt) { return cast(w, v, dt); }
const ix *lw_flat(lw *w, const point *p) { return flat_of(w, p); }

int cg_lower(tc_ctx *ctx, ir_node *root, cg_lowered *L) {
  if (root->op == OP_MATMUL) return cg_lower_matmul(ctx, root, L);
  if (root->op == OP_SCAN) return cg_lower_scan(ctx, root, L, NULL);
  if (root->op == OP_WRITE && root->in[1]->op == OP_SCAN && !(root->in[1]->mark & PM_MAT))
    return cg_lower_scan(ctx, root->in[1], L, root); /* the scan stores through the write's view */
  if (root->op == OP_COMPACT) return cg_lower_compact(ctx, root, L);
  bool broadcast = false;
  int rc = try_lower(ctx, root, L, 0, &broadcast, false);
  if (rc == 0 && broadcast) {
    kc_free(&L->k);
    rc = try_lower(ctx, root, L, 1, &broadcast, true);
    if (rc == 2) { /* a scratch output could not be placed: without */
      kc_free(&L->k);
      rc = try_lower(ctx, root, L, 1, &broadcast, false);
    }
  }
  if (rc == 0) /* later kernels load what this one stores on the side */
    for (int b = 1; b < L->k.nbufs; b++)
      if (L->k.bufs[b].written) L->bufnode[b]->mark |= PM_SIDE_TAKEN;
  return rc;
}
