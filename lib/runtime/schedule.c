/*
 * schedule.c — the walk that numbers a realization's nodes and writes their
 * structure, schedules made from the pipeline's output, and the per-context
 * cache of schedules (schedule.h).
 *
 * The walk is a depth-first pre-order from the targets in order, inputs in
 * order, stopping at buffers: the same structure always gets the same
 * numbers, so a cached schedule's walk numbers name the same roles in a new
 * graph. Each node's record holds what the plan and the lowering read:
 * op, dtype, shape, device, input numbers, the view (strides, offset), the
 * reduction axes, the iota axis, a transfer's flag, whether it is a target
 * (and which) and whether something outside the realization holds it; a
 * buffer's record holds its dtype, shape, device and whether it is pinned.
 * Scalar values and random seeds are not in it: they are kernel arguments.
 */
#include <stdlib.h>
#include <string.h>
#include "schedule.h"

#define NBUCKETS 256

typedef struct rt_sched_cache {
  rt_sched *bucket[NBUCKETS];
  rt_sched *newest, *oldest;
  int n;
} rt_sched_cache;

/* ---- the walk ------------------------------------------------------------ */

static bool grow(tc_ctx *ctx, void **p, int elem, int n, int *cap) {
  if (n < *cap) return true;
  int c = *cap ? *cap * 2 : 64;
  void *q = ir_alloc(ctx, (size_t)elem * (size_t)c);
  if (!q) return false;
  if (*p) memcpy(q, *p, (size_t)elem * (size_t)n);
  ir_free(ctx, *p);
  *p = q;
  *cap = c;
  return true;
}

static void put(tc_ctx *ctx, rt_walk *w, const void *p, size_t n) {
  if (w->oom) return;
  if (w->len + n > w->kcap) {
    size_t c = w->kcap ? w->kcap * 2 : 1024;
    while (c < w->len + n) c *= 2;
    uint8_t *k = ir_alloc(ctx, c);
    if (!k) {
      w->oom = true;
      return;
    }
    if (w->key) memcpy(k, w->key, w->len);
    ir_free(ctx, w->key);
    w->key = k;
    w->kcap = c;
  }
  memcpy(w->key + w->len, p, n);
  w->len += n;
}

static void put64(tc_ctx *ctx, rt_walk *w, int64_t v) { put(ctx, w, &v, sizeof v); }

static uint64_t hash_bytes(const uint8_t *s, size_t n) { /* records are 8-byte words */
  uint64_t h = 1469598103934665603ull;
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t v;
    memcpy(&v, s + i, 8);
    h = (h ^ v) * 0x9E3779B97F4A7C15ull;
    h ^= h >> 29;
  }
  for (; i < n; i++) h = (h ^ s[i]) * 1099511628211ull;
  return h;
}

/* One node's record: at most RECORD_WORDS words. */
#define RECORD_WORDS (8 + 4 * TC_MAX_DIMS + 3 + 2 + 3)

static void record(tc_ctx *ctx, rt_walk *w, ir_node *x, int target, int uses) {
  int64_t r[RECORD_WORDS];
  int n = 0;
  r[n++] = x->op | (int64_t)x->dt << 16 | (int64_t)x->ndim << 24 | (int64_t)x->nin << 32 |
           (int64_t)x->dev.type << 40;
  r[n++] = x->dev.index;
  for (int d = 0; d < x->ndim; d++) r[n++] = x->shape[d];
  if (x->op == OP_BUFFER) {
    r[n++] = x->buf && x->buf->pinned;
  } else {
    for (int j = 0; j < x->nin; j++) r[n++] = x->in[j]->sid;
    /* the plan stores a node something outside the realization holds */
    int inside = uses + (target >= 0 ? 1 : 0);
    r[n++] = target;
    r[n++] = (x->refs > inside) | x->user << 1;
    switch (ir_op_kind[x->op]) {
    case K_MOVE:
    case K_WRITE: {
      if (x->op == OP_SCATTER) {
        r[n++] = x->p.sc.acc | x->p.sc.unique << 16;
        break;
      }
      if (x->op == OP_COMPACT) break; /* no parameters */
      int nd = x->op == OP_WRITE ? x->in[1]->ndim : x->ndim;
      for (int d = 0; d < nd; d++) r[n++] = x->p.v.strides[d];
      r[n++] = x->p.v.offset;
      break;
    }
    case K_RED: r[n++] = x->p.red.axes; break;
    case K_MM:
      r[n++] = x->p.mm.k;
      r[n++] = x->p.mm.a_off;
      r[n++] = x->p.mm.b_off;
      for (int d = 0; d < x->ndim; d++) r[n++] = x->p.mm.a_str[d];
      for (int d = 0; d < x->ndim; d++) r[n++] = x->p.mm.b_str[d];
      break;
    case K_XFER: r[n++] = x->p.xfer.non_blocking; break;
    case K_SCAN:
      r[n++] = x->p.scan.dim;
      r[n++] = x->p.scan.op;
      r[n++] = x->p.scan.wide;
      break;
    case K_CAT:
      r[n++] = x->p.cat.dim;
      r[n++] = x->p.cat.split;
      break;
    default:
      if (x->op == OP_IOTA) r[n++] = x->p.axis;
      break;
    }
  }
  put(ctx, w, r, sizeof(int64_t) * (size_t)n);
}

bool rt_walk_build(tc_ctx *ctx, ir_node *const *targets, int n, rt_walk *w) {
  bool ok = true;
  w->n = 0;
  w->len = 0;
  w->oom = false;
  /* numbered when first met (targets, then inputs depth first), so the
   * consumers among the walked nodes can be counted as edges are met */
  for (int i = 0; i < n && ok; i++) {
    ir_node *t = targets[i];
    if (!t->sid) {
      ok = grow(ctx, (void **)&w->nodes, sizeof *w->nodes, w->n, &w->cap);
      if (!ok) break;
      w->nodes[w->n++] = t;
      t->sid = w->n;
      t->uses = 0;
    }
    int sn = 0;
    if (!(ok = grow(ctx, (void **)&w->stack, sizeof *w->stack, sn, &w->scap))) break;
    w->stack[sn++] = t;
    while (ok && sn) {
      ir_node *x = w->stack[--sn];
      for (int j = x->nin - 1; j >= 0; j--) {
        ir_node *in = x->in[j];
        if (!in->sid) {
          if (!grow(ctx, (void **)&w->nodes, sizeof *w->nodes, w->n, &w->cap) ||
              !grow(ctx, (void **)&w->stack, sizeof *w->stack, sn, &w->scap)) {
            ok = false;
            break;
          }
          w->nodes[w->n++] = in;
          in->sid = w->n;
          in->uses = 0;
          w->stack[sn++] = in;
        }
        in->uses++;
      }
    }
  }
  if (ok) {
    for (int t = n - 1; t >= 0; t--) targets[t]->aux = (void *)(intptr_t)(t + 1);
    put64(ctx, w, n);
    for (int i = 0; i < w->n; i++) {
      ir_node *x = w->nodes[i];
      record(ctx, w, x, (int)(intptr_t)x->aux - 1, x->uses);
    }
    for (int t = 0; t < n; t++) targets[t]->aux = NULL;
    ok = !w->oom;
  }
  if (!ok) {
    rt_walk_unnumber(w);
    ir_error(ctx, TC_ERR_OOM, "out of memory walking the graph");
    return false;
  }
  w->hash = hash_bytes(w->key, w->len);
  return true;
}

void rt_walk_unnumber(rt_walk *w) {
  for (int i = 0; i < w->n; i++) w->nodes[i]->sid = 0;
}

rt_walk *rt_walk_scratch(tc_ctx *ctx) {
  if (!ctx->walk) {
    ctx->walk = ir_alloc(ctx, sizeof(rt_walk));
    if (!ctx->walk) return ir_error(ctx, TC_ERR_OOM, "out of memory walking the graph");
    memset(ctx->walk, 0, sizeof(rt_walk));
  }
  return ctx->walk;
}

void rt_walk_free(tc_ctx *ctx) {
  rt_walk *w = ctx->walk;
  if (!w) return;
  ir_free(ctx, w->nodes);
  ir_free(ctx, w->stack);
  ir_free(ctx, w->key);
  ir_free(ctx, w);
  ctx->walk = NULL;
}

/* ---- schedules ------------------------------------------------------------- */

rt_sched *rt_sched_make(tc_ctx *ctx, const rt_walk *w, ir_node *const *nodes, cg_lowered *L,
                        int n) {
  rt_sched *s = ir_alloc(ctx, sizeof *s);
  uint8_t *key = ir_alloc(ctx, w->len ? w->len : 1);
  rt_step *steps = ir_alloc(ctx, sizeof(rt_step) * (size_t)(n ? n : 1));
  if (!s || !key || !steps) {
    ir_free(ctx, s);
    ir_free(ctx, key);
    ir_free(ctx, steps);
    return ir_error(ctx, TC_ERR_OOM, "out of memory keeping a schedule");
  }
  memset(s, 0, sizeof *s);
  memset(steps, 0, sizeof(rt_step) * (size_t)(n ? n : 1));
  memcpy(key, w->key, w->len);
  s->key = key;
  s->len = w->len;
  s->hash = w->hash;
  s->steps = steps;
  s->nsteps = n;
  for (int i = 0; i < n; i++) {
    rt_step *st = &steps[i];
    st->root = nodes[i]->sid - 1;
    st->copy = nodes[i]->op == OP_COPY;
    st->alloc = nodes[i]->op == OP_EMPTY;
    st->k = L[i].k; /* moved: the arena goes with it */
    kc_init(&L[i].k, &ctx->al);
    st->reads_output_elsewhere = L[i].reads_output_elsewhere;
    for (int b = 0; b < st->k.nbufs; b++) st->buf[b] = L[i].bufnode[b] ? L[i].bufnode[b]->sid - 1 : -1;
    for (int p = 0; p < st->k.nparams; p++) {
      st->param[p] = L[i].param[p].node->sid - 1;
      st->pkind[p] = L[i].param[p].kind;
    }
  }
  return s;
}

void rt_sched_free(tc_ctx *ctx, rt_sched *s) {
  if (!s) return;
  for (int i = 0; i < s->nsteps; i++) kc_free(&s->steps[i].k);
  ir_free(ctx, s->steps);
  ir_free(ctx, s->key);
  ir_free(ctx, s);
}

/* ---- the cache ------------------------------------------------------------- */

static void unlink_recent(rt_sched_cache *c, rt_sched *s) {
  if (s->older) s->older->newer = s->newer;
  else c->oldest = s->newer;
  if (s->newer) s->newer->older = s->older;
  else c->newest = s->older;
  s->older = s->newer = NULL;
}

static void link_newest(rt_sched_cache *c, rt_sched *s) {
  s->older = c->newest;
  s->newer = NULL;
  if (c->newest) c->newest->newer = s;
  else c->oldest = s;
  c->newest = s;
}

rt_sched *rt_sched_find(tc_ctx *ctx, const rt_walk *w) {
  rt_sched_cache *c = ctx->scache;
  if (!c) return NULL;
  for (rt_sched *s = c->bucket[w->hash % NBUCKETS]; s; s = s->next)
    if (s->hash == w->hash && s->len == w->len && !memcmp(s->key, w->key, w->len)) {
      unlink_recent(c, s);
      link_newest(c, s);
      return s;
    }
  return NULL;
}

static void drop(tc_ctx *ctx, rt_sched_cache *c, rt_sched *s) {
  rt_sched **pp = &c->bucket[s->hash % NBUCKETS];
  while (*pp != s) pp = &(*pp)->next;
  *pp = s->next;
  unlink_recent(c, s);
  c->n--;
  rt_sched_free(ctx, s);
}

void rt_sched_keep(tc_ctx *ctx, rt_sched *s) {
  rt_sched_cache *c = ctx->scache;
  if (!c) {
    c = ir_alloc(ctx, sizeof *c);
    if (!c) { /* not cached: the next realization plans again */
      rt_sched_free(ctx, s);
      return;
    }
    memset(c, 0, sizeof *c);
    ctx->scache = c;
  }
  while (c->n >= RT_SCHED_MAX) drop(ctx, c, c->oldest);
  s->next = c->bucket[s->hash % NBUCKETS];
  c->bucket[s->hash % NBUCKETS] = s;
  link_newest(c, s);
  c->n++;
}

void rt_sched_cache_free(tc_ctx *ctx) {
  rt_sched_cache *c = ctx->scache;
  if (!c) return;
  while (c->oldest) drop(ctx, c, c->oldest);
  ir_free(ctx, c);
  ctx->scache = NULL;
}
