/*
 * fuse.c — decide kernel boundaries.
 *
 * Every materialized node (PM_MAT) becomes one kernel that writes its buffer;
 * everything else is inlined into the kernels that read it: elementwise ops,
 * views (as index expressions), sources, and reductions (as stages of the
 * consumer's loop nest, when the lowering can place them; otherwise it marks
 * them PM_MAT and the schedule is re-ordered).
 *
 * Requires: targets are not BUFFER nodes. Guarantees: targets, WRITE nodes
 * and the old version under each WRITE, COPY nodes and their sources,
 * MATMUL nodes and their operands are materialized; a node read by
 * several consumers is recomputed by each unless its inlined expression is
 * large (then materialized, reason "shared and expensive"); s->nodes lists
 * the materialized nodes so that each comes after the ones it reads.
 *
 * Epilogues (pass_epilogues, after the plan): a MATMUL read only by a chain
 * of elementwise nodes of its shape, each read once, up to a materialized
 * root, is marked PM_EPI: the root's kernel computes the product (a
 * KS_MATMUL stage) and then its own store (lower.c checks the rest and may
 * hand the product back its own kernel).
 */
#include <stdint.h>
#include <string.h>
#include "passes.h"

#define SHARED_COST_LIMIT 48
#define MAX_INLINE_DEPTH 128 /* bounds the recursion of later passes */

static bool push(tc_ctx *ctx, ir_node ***arr, int *n, int *cap, ir_node *x) {
  if (*n == *cap) {
    int nc = *cap ? *cap * 2 : 64;
    ir_node **a = ir_alloc(ctx, sizeof(ir_node *) * nc);
    if (!a) {
      ir_error(ctx, TC_ERR_OOM, "out of memory scheduling kernels");
      return false;
    }
    if (*arr) memcpy(a, *arr, sizeof(ir_node *) * *n);
    ir_free(ctx, *arr);
    *arr = a;
    *cap = nc;
  }
  (*arr)[(*n)++] = x;
  return true;
}

/* Reaches every unrealized node, counting consumers (iterative DFS). */
static bool reach(tc_ctx *ctx, ir_node *const *targets, int n, pass_sched *s) {
  ir_node **stack = NULL;
  int sn = 0, scap = 0;
  bool ok = true;
  /* a node is marked only once it is in s->all, so a failure here leaves no
   * stale mark behind (pass_sched_free clears exactly s->all) */
  for (int i = 0; i < n && ok; i++) {
    ir_node *t = targets[i];
    if (!(t->mark & PM_SEEN)) {
      ok = push(ctx, &s->all, &s->nall, &s->allcap, t) && push(ctx, &stack, &sn, &scap, t);
      if (!ok) break;
      t->mark |= PM_SEEN;
      t->uses = 0;
      t->aux = NULL;
    }
    t->mark |= PM_TARGET;
    while (ok && sn) {
      ir_node *x = stack[--sn];
      for (int j = 0; j < x->nin; j++) {
        ir_node *in = x->in[j];
        if (!(in->mark & PM_SEEN)) {
          ok = push(ctx, &s->all, &s->nall, &s->allcap, in) && push(ctx, &stack, &sn, &scap, in);
          if (!ok) break;
          in->mark |= PM_SEEN;
          in->uses = 0;
          in->aux = NULL;
        }
        in->uses++;
      }
    }
  }
  ir_free(ctx, stack);
  return ok;
}

/* Size of n's inlined expression (recomputed sharing counted again), capped. */
static intptr_t cost(ir_node *n) {
  if (n->op == OP_BUFFER || (n->mark & PM_MAT)) return 1;
  if (n->aux) return (intptr_t)n->aux;
  intptr_t c = 1;
  for (int i = 0; i < n->nin && c < 1 << 20; i++) c += cost(n->in[i]);
  if (ir_op_kind[n->op] == K_RED) c *= 4;
  n->aux = (void *)c;
  return c;
}

/* Visits every unrealized node reachable from the targets after all its
 * inputs (an explicit stack: graphs can be deep). Uses and then clears the
 * PM_WALK and PM_ORDERED marks. */
bool pass_postorder(tc_ctx *ctx, ir_node *const *targets, int n, pass_sched *s, pass_visit_fn visit,
                    void *user) {
  for (int i = 0; i < s->nall; i++) s->all[i]->mark &= ~(PM_ORDERED | PM_WALK);
  ir_node **stack = NULL;
  int sn = 0, scap = 0;
  bool ok = true;
  for (int i = 0; i < n && ok; i++) {
    if (targets[i]->mark & PM_ORDERED) continue;
    ok = push(ctx, &stack, &sn, &scap, targets[i]);
    while (ok && sn) {
      ir_node *x = stack[sn - 1];
      if (x->mark & PM_ORDERED) {
        sn--;
        continue;
      }
      if (!(x->mark & PM_WALK)) {
        x->mark |= PM_WALK;
        /* inputs in order, except that storage allocated for the node to
         * write (EMPTY) comes last, just before it: a chain of writes into
         * new storages allocates each when it runs, so the storage of a
         * step run before is free again for it */
        for (int pass = 0; pass < 2; pass++)
          for (int j = x->nin - 1; j >= 0 && ok; j--)
            if ((x->in[j]->op == OP_EMPTY) == (pass == 0) && !(x->in[j]->mark & PM_ORDERED) &&
                x->in[j]->op != OP_BUFFER)
              ok = push(ctx, &stack, &sn, &scap, x->in[j]);
        continue;
      }
      sn--;
      x->mark |= PM_ORDERED;
      ok = visit(ctx, x, s, user);
    }
  }
  ir_free(ctx, stack);
  for (int i = 0; i < s->nall; i++) s->all[i]->mark &= ~(PM_WALK | PM_ORDERED);
  return ok;
}

static bool emit_kernel(tc_ctx *ctx, ir_node *x, pass_sched *s, void *user) {
  (void)user;
  if (!(x->mark & PM_MAT) || (x->mark & PM_EPI) || x->op == OP_BUFFER) return true;
  return push(ctx, &s->nodes, &s->n, &s->cap, x);
}

bool pass_order(tc_ctx *ctx, ir_node *const *targets, int n, pass_sched *s) {
  s->n = 0;
  return pass_postorder(ctx, targets, n, s, emit_kernel, NULL);
}

static void mat(tc_ctx *ctx, ir_node *n, const char *why) {
  if (n->op == OP_BUFFER || (n->mark & PM_MAT)) return;
  n->mark |= PM_MAT;
  if (ctx->debug & TC_DEBUG_FUSE)
    ir_debug(ctx, "fuse: kernel boundary at %s #%llu: %s\n", ir_op_name[n->op],
             (unsigned long long)n->id, why);
  if (ctx->debug & TC_DEBUG_PLAN)
    ir_debug(ctx, "plan: boundary at %s #%llu: %s\n", ir_op_name[n->op], (unsigned long long)n->id,
             why);
}

/* Materializes nodes whose inlined expression would be deeper than
 * MAX_INLINE_DEPTH, so a long lazy chain becomes several kernels and no
 * later recursion goes deep. The depth is kept in aux. */
static bool limit_depth_at(tc_ctx *ctx, ir_node *x, pass_sched *s, void *user) {
  (void)s;
  (void)user;
  intptr_t depth = 0;
  for (int j = 0; j < x->nin; j++) {
    ir_node *in = x->in[j];
    if (in->op == OP_BUFFER || (in->mark & PM_MAT)) continue;
    if ((intptr_t)in->aux > depth) depth = (intptr_t)in->aux;
  }
  depth++;
  if (depth > MAX_INLINE_DEPTH) {
    mat(ctx, x, "expression too deep to inline");
    depth = 0;
  }
  x->aux = (void *)depth;
  return true;
}

static bool limit_depth(tc_ctx *ctx, ir_node *const *targets, int n, pass_sched *s) {
  bool ok = pass_postorder(ctx, targets, n, s, limit_depth_at, NULL);
  for (int i = 0; i < s->nall; i++) s->all[i]->aux = NULL;
  return ok;
}

static bool same_shape(const ir_node *a, const ir_node *b) {
  if (a->ndim != b->ndim) return false;
  for (int d = 0; d < a->ndim; d++)
    if (a->shape[d] != b->shape[d]) return false;
  return true;
}

/* Marks PM_EPI the products whose elementwise consumers can compute them
 * (aux: a node's only consumer, for the nodes read once). After the plan:
 * its stores end chains too. */
bool pass_epilogues(tc_ctx *ctx, pass_sched *s) {
  for (int i = 0; i < s->nall; i++) {
    ir_node *x = s->all[i];
    for (int j = 0; j < x->nin; j++)
      if (x->in[j]->uses == 1) x->in[j]->aux = x;
  }
  for (int i = 0; i < s->nall; i++) {
    ir_node *x = s->all[i], *c = x;
    if (x->op != OP_MATMUL || x->uses != 1) continue;
    for (;;) {
      ir_node *up = c->uses == 1 ? c->aux : NULL;
      if (!up || ir_op_kind[up->op] != K_EW || !same_shape(up, x)) {
        c = NULL;
        break;
      }
      c = up;
      if (c->mark & PM_MAT) break;
    }
    if (!c) continue;
    x->mark |= PM_EPI;
    if (ctx->debug & (TC_DEBUG_FUSE | TC_DEBUG_PLAN))
      ir_debug(ctx, "%s: MATMUL #%llu computed in the kernel of %s #%llu (an epilogue)\n",
               ctx->debug & TC_DEBUG_FUSE ? "fuse" : "plan", (unsigned long long)x->id,
               ir_op_name[c->op], (unsigned long long)c->id);
  }
  for (int i = 0; i < s->nall; i++) s->all[i]->aux = NULL;
  return true;
}

bool pass_fuse(tc_ctx *ctx, ir_node *const *targets, int n, pass_sched *s) {
  if (!reach(ctx, targets, n, s)) return false;
  for (int i = 0; i < n; i++) mat(ctx, targets[i], "realized result");
  /* a scan that is a write's value and nothing else's (its one consumer
   * here and its one reference) is the write's kernel: aux marks it */
  for (int i = 0; i < s->nall; i++) {
    ir_node *x = s->all[i];
    if (x->op == OP_WRITE && x->in[1]->op == OP_SCAN && x->in[1]->uses == 1 && x->in[1]->refs == 1)
      x->in[1]->aux = (void *)1;
  }
  for (int i = 0; i < s->nall; i++) {
    ir_node *x = s->all[i];
    if (ir_op_kind[x->op] == K_WRITE) {
      mat(ctx, x, "in-place write (a new storage version)");
      mat(ctx, x->in[0], "storage version overwritten in place");
    }
    if (x->op == OP_MATMUL) { /* its own kernel, reading its operands from memory */
      mat(ctx, x, "a matrix product (its own kernel)");
      mat(ctx, x->in[0], "operand of a matrix product (read from memory, packed)");
      mat(ctx, x->in[1], "operand of a matrix product (read from memory, packed)");
    }
    if (x->op == OP_GATHER) mat(ctx, x->in[0], "read at data-dependent positions (a gather)");
    /* read by the runtime before the kernels it guards run */
    if (x->op == OP_CHECK) mat(ctx, x, "a bounds check (its own kernel)");
    /* its own kernel, a sequential loop per point that computes its input
     * where it reads it (lower_rows.c); the value of a write is that
     * write's kernel instead (the scan stores through the write's view) */
    if (x->op == OP_SCAN && !x->aux) mat(ctx, x, "a scan (its own kernel)");
    if (x->op == OP_COPY) {
      mat(ctx, x, "transfer between devices");
      mat(ctx, x->in[0], "source of a transfer between devices");
    }
  }
  for (int i = 0; i < s->nall; i++) s->all[i]->aux = NULL;
  /* after the boundaries above, which cut expressions short */
  if (!limit_depth(ctx, targets, n, s)) return false;
  /* shared nodes: recompute when cheap, materialize when expensive */
  for (int i = s->nall - 1; i >= 0; i--) {
    ir_node *x = s->all[i];
    if (x->uses >= 2 && x->op != OP_BUFFER && ir_op_kind[x->op] != K_SRC &&
        !(x->mark & PM_MAT) && cost(x) > SHARED_COST_LIMIT)
      mat(ctx, x, "shared by several consumers and expensive to recompute");
  }
  for (int i = 0; i < s->nall; i++) s->all[i]->aux = NULL;
  return true;
}

void pass_sched_free(tc_ctx *ctx, pass_sched *s) {
  for (int i = 0; i < s->nall; i++) {
    s->all[i]->mark = 0;
    s->all[i]->aux = NULL;
  }
  ir_free(ctx, s->nodes);
  ir_free(ctx, s->all);
  memset(s, 0, sizeof *s);
}
