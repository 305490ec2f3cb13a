/*
 * plan.c — the plan: which further nodes get a buffer of their own, and why.
 *
 * fuse.c marked the boundaries a realization cannot do without (results,
 * writes, transfers, shared expensive nodes). The plan adds three kinds,
 * each printed with its reason under TC_DEBUG=plan, in one post-order walk
 * (a node is decided after its inputs, so costs seen by a consumer are
 * final):
 *
 *  - store or recompute. A node that something outside this realization
 *    still holds (a live tensor's storage, or a pending node realized
 *    later) will be read again. Storing it costs STORE_OPS per element (one
 *    write now and one read later) and KERNEL_OPS for its kernel;
 *    recomputing it costs its expression's ops per element, and NODE_OPS
 *    per node (each realization walks and evaluates what it inlines), for
 *    each later use. When a caller holds it (not just a scope's temporary
 *    handle: lib/api sets node->user) and some stage computes it at each of
 *    its elements anyway (full[]), storing costs only SIDE_OPS per element:
 *    it becomes a side output of that kernel (PM_SIDE; the lowering adds a
 *    side stage). A node whose recomputation costs at least a store is stored, so a loop like `y = y + 1; y.sum().item()`
 *    does bounded work per step instead of recomputing the whole chain (the
 *    chain is cut every few steps, however many steps run).
 *  - no expensive producer in an inner loop. A view that broadcasts a
 *    computed (not stored) node y reads each element of y R times (R =
 *    elements of the view / elements of y): in a matmul's reduction over k,
 *    R is the other operand's size. When y reads memory (outside
 *    reductions) and the extra (R - 1) reads' ops reach a store, y is stored
 *    first and the consumer loads it. Reductions count as one op: the
 *    lowering computes a reduction once per outer point, however it is
 *    broadcast, so `x - x.mean(1, keepdim=True)` and layernorm stay one
 *    kernel.
 *  - limits. A kernel takes at most KC_MAX_BUFS buffers, KC_MAX_PARAMS
 *    scalar arguments and KC_MAX_STAGES stages. Each node's need (an upper
 *    bound: inputs' needs added, a repeated input counted once) is checked
 *    as it is decided; a node that needs too much stores its largest inputs
 *    first until it fits. No program is refused for a limit of a backend.
 *
 * Requires: pass_fuse ran (s->all, uses, PM_MAT). Guarantees: every group
 * fits the kernel limits; marks only (call pass_order after).
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "../ir/limits.h"
#include "passes.h"

#define STORE_OPS 8     /* a write and a later read of one element, in ops */
#define SIDE_OPS 2       /* a side output's write of one element, in ops (a
                            later read replaces the reads a recomputation
                            would do) */
#define KERNEL_OPS 1024 /* a kernel's own cost (launch, loop set-up), in ops */
#define SIDE_POINTS 64  /* outer points a kernel needs to take on a side
                           output's work in parallel */
#define SIDE_SERIAL_OPS (1 << 15) /* work a side output may add to a kernel
                                     with fewer points */
#define NODE_OPS 256    /* a node's cost to every realization that inlines it
                           (walked, keyed, evaluated), in ops */
#define RNG_OPS 16      /* a Philox draw, in ops */
#define OPS_CAP ((int64_t)1 << 40)
/* room left in each limit: the output buffer, a WRITE's old version, the
 * store stage */
#define MAX_LOADS (KC_MAX_BUFS - 2 - KC_MAX_SIDE)
#define MAX_PARAMS KC_MAX_PARAMS
#define MAX_REDS (KC_MAX_STAGES - 3 - KC_MAX_SIDE)

typedef struct need {
  int64_t ops; /* per element of the node, its inlined expression */
  int64_t nodes; /* nodes of the inlined expression (an upper bound) */
  int64_t ew;  /* the same with each staged reduction counted as one op:
                  the cost of a read inside a consumer's loop, where the
                  lowering computes a reduction once per outer point */
  int ewloads; /* loads outside reductions */
  int loads, params, reds;
} need;

typedef struct planner {
  tc_ctx *ctx;
  pass_sched *s;
  need *inner; /* by index in s->all: what the node's own expression needs */
  int64_t *full; /* by index in s->all: computed at every one of its
                    elements, once, by some kernel's stage (see covered()):
                    the most parallel such kernel's outer points, else 0 */
} planner;

static int64_t add_ops(int64_t a, int64_t b) { return a + b > OPS_CAP ? OPS_CAP : a + b; }
static int64_t mul_ops(int64_t a, int64_t b) {
  if (a == 0 || b == 0) return 0;
  return a > OPS_CAP / b ? OPS_CAP : a * b;
}

static int idx_of(const ir_node *n) { return (int)(intptr_t)n->aux - 1; }

/* What a consumer sees of n: a load when n has a buffer. */
static need seen(planner *P, const ir_node *n) {
  if (n->op == OP_BUFFER || (n->mark & PM_MAT)) return (need){.ewloads = 1, .loads = 1};
  int i = idx_of(n);
  return i >= 0 ? P->inner[i] : (need){.ewloads = 1, .loads = 1};
}

static void store(planner *P, ir_node *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void store(planner *P, ir_node *n, const char *fmt, ...) {
  n->mark |= PM_MAT;
  tc_ctx *ctx = P->ctx;
  if (!(ctx->debug & (TC_DEBUG_PLAN | TC_DEBUG_FUSE))) return;
  char why[256];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(why, sizeof why, fmt, ap);
  va_end(ap);
  if (ctx->debug & TC_DEBUG_PLAN)
    ir_debug(ctx, "plan: store %s #%llu: %s\n", ir_op_name[n->op], (unsigned long long)n->id, why);
  if (ctx->debug & TC_DEBUG_FUSE)
    ir_debug(ctx, "fuse: kernel boundary at %s #%llu: %s\n", ir_op_name[n->op],
             (unsigned long long)n->id, why);
}

/* n's own need from its inputs' (as they are now). */
static need inner_need(planner *P, const ir_node *n) {
  need r = {0};
  switch (ir_op_kind[n->op]) {
  case K_SRC:
    r.nodes = 1;
    if (n->op == OP_CONST) r.params = 1;
    else if (n->op != OP_IOTA) r.params = 2, r.ops = r.ew = RNG_OPS;
    return r;
  default: break;
  }
  for (int j = 0; j < n->nin; j++) {
    bool again = false;
    for (int i = 0; i < j; i++) again |= n->in[i] == n->in[j];
    if (again) continue;
    need c = seen(P, n->in[j]);
    r.ops = add_ops(r.ops, c.ops);
    r.nodes = add_ops(r.nodes, c.nodes);
    r.ew = add_ops(r.ew, c.ew);
    r.ewloads += c.ewloads;
    r.loads += c.loads;
    r.params += c.params;
    r.reds += c.reds;
  }
  r.nodes = add_ops(r.nodes, 1);
  if (ir_op_kind[n->op] == K_EW || ir_op_kind[n->op] == K_CAT || ir_op_kind[n->op] == K_GATHER || ir_op_kind[n->op] == K_SCAN) r.ops = add_ops(r.ops, 1), r.ew = add_ops(r.ew, 1);
  if (ir_op_kind[n->op] == K_RED) {
    ir_node *in = n->in[0];
    int64_t len = ir_numel(n->in[0]->ndim, in->shape) / (ir_numel(n->ndim, n->shape) ?: 1);
    r.ops = mul_ops(add_ops(r.ops, 1), len > 0 ? len : 1);
    r.ew = 1;
    r.ewloads = 0;
    r.reds++;
  }
  return r;
}

static bool fits(need r) {
  return r.loads <= MAX_LOADS && r.params <= MAX_PARAMS && r.reds <= MAX_REDS;
}

/* The node to store so that a consumer stops inlining `in`: the producer
 * under a chain of views (its view then folds into the load). */
static ir_node *under_views(ir_node *in) {
  while (ir_op_kind[in->op] == K_MOVE && in->in[0]->op != OP_BUFFER && !(in->in[0]->mark & PM_MAT))
    in = in->in[0];
  return in;
}

/* Stores n's inputs, largest need first, until n fits. */
static void split(planner *P, ir_node *n) {
  for (int guard = 0; guard < 8; guard++) {
    need r = inner_need(P, n);
    if (fits(r)) break;
    int best = -1;
    int64_t bestw = 0;
    for (int j = 0; j < n->nin; j++) {
      ir_node *in = under_views(n->in[j]);
      if (in->op == OP_BUFFER || (in->mark & PM_MAT)) continue;
      need c = seen(P, in);
      int64_t w = (int64_t)c.loads * 4 + c.params + (int64_t)c.reds * 16;
      if (w > bestw) best = j, bestw = w;
    }
    if (best < 0) break;
    ir_node *in = under_views(n->in[best]);
    store(P, in, "split for a kernel limit: %s #%llu would read %d buffers, %d scalars and %d "
                 "reductions (limits %d, %d, %d)",
          ir_op_name[n->op], (unsigned long long)n->id, r.loads, r.params, r.reds, MAX_LOADS,
          MAX_PARAMS, MAX_REDS);
  }
}

/* full[] for every node: a node that a stage computes at each of its
 * elements exactly once (on an elementwise path from a kernel's stored
 * value, or from a reduction's input) can be stored by that kernel as a side
 * output, for the cost of the write. Consumers first (reverse post-order). */
static bool collect(tc_ctx *ctx, ir_node *x, pass_sched *s, void *user) {
  (void)ctx;
  (void)s;
  planner *P = user;
  P->s->nodes[P->s->n++] = x; /* scratch: the post-order */
  return true;
}

static void cover(planner *P, ir_node *in, int64_t points) {
  int i = idx_of(in);
  if (i >= 0 && points > P->full[i]) P->full[i] = points;
}

/* Whether view x reads each element of its input exactly once (a reshape,
 * permutation or flip of all of it; not a narrowing or a broadcast). */
static bool view_is_bijective(const ir_node *x) {
  const ir_node *in = x->in[0];
  int64_t n = ir_numel(in->ndim, in->shape);
  if (ir_numel(x->ndim, x->shape) != n) return false;
  int64_t str[TC_MAX_DIMS], size[TC_MAX_DIMS], low = x->p.v.offset;
  int m = 0;
  for (int d = 0; d < x->ndim; d++) {
    if (x->shape[d] == 1) continue;
    int64_t st = x->p.v.strides[d];
    if (st < 0) low += (x->shape[d] - 1) * st, st = -st;
    str[m] = st, size[m++] = x->shape[d];
  }
  if (low != 0) return false;
  int64_t expect = 1;
  for (int i = 0; i < m; i++) { /* the strides, smallest first, must tile [0, n) */
    int best = i;
    for (int j = i + 1; j < m; j++)
      if (str[j] < str[best]) best = j;
    int64_t ts = str[i], tz = size[i];
    str[i] = str[best], size[i] = size[best], str[best] = ts, size[best] = tz;
    if (str[i] != expect) return false;
    expect *= size[i];
  }
  return expect == n;
}

static void cover_inputs(planner *P, ir_node *x) {
  int64_t nx = ir_numel(x->ndim, x->shape);
  if (ir_op_kind[x->op] == K_MOVE) { /* a reduction under a view of all of it (`s.sum()`'s
                                       reshape to 0-d): computed at each of its points; an
                                       elementwise node under a view is not a side output
                                       (the lowering finds those only below a reduction or
                                       the stored value) */
    ir_node *in = x->in[0];
    int64_t points = (x->mark & PM_MAT) ? nx : P->full[idx_of(x)];
    if (points && (ir_op_kind[in->op] == K_RED || ir_op_kind[in->op] == K_MOVE) && view_is_bijective(x))
      cover(P, in, points);
    return;
  }
  if (ir_op_kind[x->op] == K_RED) { /* its input, when the reduction is computed at each of
                                       its points (not only where a narrowing view reads it) */
    int64_t points = (x->mark & PM_MAT) ? nx : P->full[idx_of(x)];
    if (points) cover(P, x->in[0], points);
    return;
  }
  if (x->op == OP_COMPACT) return; /* its kernel stores nothing on the side (lower.c) */
  if (ir_op_kind[x->op] == K_WRITE) {
    cover(P, x->in[1], ir_numel(x->in[1]->ndim, x->in[1]->shape));
    return;
  }
  if (ir_op_kind[x->op] != K_EW) return;
  int64_t points = (x->mark & PM_MAT) ? nx : P->full[idx_of(x)];
  for (int j = 0; j < x->nin && points; j++) cover(P, x->in[j], points);
}

static bool covered(tc_ctx *ctx, ir_node *const *targets, int n, planner *P) {
  pass_sched *s = P->s;
  ir_node **keep = s->nodes;
  int keepn = s->n, keepcap = s->cap;
  s->nodes = ir_alloc(ctx, sizeof(ir_node *) * (size_t)(s->nall ? s->nall : 1));
  if (!s->nodes) {
    s->nodes = keep;
    return false;
  }
  s->n = 0;
  s->cap = s->nall;
  bool ok = pass_postorder(ctx, targets, n, s, collect, P);
  for (int i = s->n - 1; ok && i >= 0; i--) cover_inputs(P, s->nodes[i]);
  ir_free(ctx, s->nodes);
  s->nodes = keep;
  s->n = keepn;
  s->cap = keepcap;
  return ok;
}

/* Whether something outside this realization holds n (a live tensor's
 * storage, or a node not realized now): it will be read again. */
static bool held_outside(const ir_node *n) {
  int inside = n->uses + ((n->mark & PM_TARGET) ? 1 : 0); /* + the realization's retain */
  return n->refs > inside;
}

static bool visit(tc_ctx *ctx, ir_node *x, pass_sched *s, void *user) {
  planner *P = user;
  (void)ctx;
  (void)s;
  int i = idx_of(x);
  if (i < 0 || x->op == OP_BUFFER) return true;
  /* a broadcast view of a computed node: store the node when its elements
   * would be recomputed many times */
  if (ir_op_kind[x->op] == K_MOVE) {
    ir_node *y = x->in[0];
    while (ir_op_kind[y->op] == K_MOVE && y->op != OP_BUFFER && !(y->mark & PM_MAT)) y = y->in[0];
    if (y->op != OP_BUFFER && !(y->mark & PM_MAT) && ir_op_kind[y->op] != K_RED &&
        ir_op_kind[y->op] != K_SRC) {
      int64_t ny = ir_numel(y->ndim, y->shape), nx = ir_numel(x->ndim, x->shape);
      need c = seen(P, y);
      int64_t ops = c.ew;
      if (ny > 0 && nx / ny >= 2 && c.ewloads > 0 &&
          mul_ops(nx - ny, ops) >= add_ops(mul_ops(ny, STORE_OPS), KERNEL_OPS))
        store(P, y, "read %lld times per element through a broadcast (%s #%llu): recomputing "
                    "costs %lld ops per read, storing %d per element and %d per kernel",
              (long long)(nx / ny), ir_op_name[x->op], (unsigned long long)x->id, (long long)ops,
              STORE_OPS, KERNEL_OPS);
    }
  }
  need r = inner_need(P, x);
  if (!fits(r)) {
    split(P, x);
    r = inner_need(P, x);
  }
  P->inner[i] = r;
  int64_t nx = ir_numel(x->ndim, x->shape);
  int64_t again = add_ops(mul_ops(nx, r.ops), mul_ops(r.nodes, NODE_OPS));
  if (!(x->mark & PM_MAT) && held_outside(x) && ir_op_kind[x->op] != K_MOVE && r.ops > 0) {
    /* stored by the kernel that computes it anyway, unless that kernel has
     * too few outer points to do the node's work in parallel */
    bool side = x->user && ir_op_kind[x->op] == K_EW && P->full[i] &&
                (P->full[i] >= SIDE_POINTS || mul_ops(nx, r.ops) <= SIDE_SERIAL_OPS);
    if (side) {
      if (again >= mul_ops(nx, SIDE_OPS)) {
        x->mark |= PM_SIDE;
        if (P->ctx->debug & TC_DEBUG_PLAN)
          ir_debug(P->ctx, "plan: store %s #%llu as a side output of the kernel that computes it: "
                           "held outside this realization, recomputing it costs %lld ops per "
                           "element and %d per node (%lld nodes) for each later use, storing %d "
                           "per element\n", ir_op_name[x->op], (unsigned long long)x->id,
                   (long long)r.ops, NODE_OPS, (long long)r.nodes, SIDE_OPS);
      }
    } else if (again >= add_ops(mul_ops(nx, STORE_OPS), KERNEL_OPS)) {
      store(P, x, "held outside this realization (a live tensor or a later one): recomputing it "
                  "costs %lld ops per element and %d per node (%lld nodes) for each later use, "
                  "storing %d per element and %d per kernel",
            (long long)r.ops, NODE_OPS, (long long)r.nodes, STORE_OPS, KERNEL_OPS);
    }
  }
  return true;
}

bool pass_plan(tc_ctx *ctx, ir_node *const *targets, int n, pass_sched *s) {
  planner P = {ctx, s, NULL, NULL};
  P.inner = ir_alloc(ctx, sizeof(need) * (s->nall ? s->nall : 1));
  P.full = ir_alloc(ctx, sizeof(int64_t) * (s->nall ? s->nall : 1));
  bool ok = P.inner && P.full;
  if (ok) {
    memset(P.full, 0, sizeof(int64_t) * (s->nall ? s->nall : 1));
    for (int i = 0; i < s->nall; i++) s->all[i]->aux = (void *)(intptr_t)(i + 1);
    ok = covered(ctx, targets, n, &P) && pass_postorder(ctx, targets, n, s, visit, &P);
    for (int i = 0; i < s->nall; i++) s->all[i]->aux = NULL;
  }
  if (!ok && !ctx->status) ir_error(ctx, TC_ERR_OOM, "out of memory planning kernels");
  ir_free(ctx, P.inner);
  ir_free(ctx, P.full);
  return ok;
}
