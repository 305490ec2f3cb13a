/*
 * realize.c — turning pending graph into data.
 *
 * rt_realize_nodes runs the pass pipeline over the nodes asked for, lowers
 * each materialized node's group to a kernel (when a lowering asks for
 * another node to be materialized first, that node is marked and the
 * schedule re-ordered), compiles (or finds in the cache) and runs the
 * kernels in order, and turns every materialized node into a BUFFER node.
 * CUDA kernels and copies are queued on the device's stream and not waited
 * for (gpu.h); reading back (readback.c; a copy to the CPU) waits, and so
 * does writing in place into a pinned buffer that a queued non_blocking
 * copy may still read. The public realization and read-back calls are
 * lib/api's (api/realize.c).
 *
 * Writes: a WRITE's kernel stores into its old version's buffer in place
 * when nothing else can still read that version (its only holders are the
 * WRITE and private nodes of the value being written) and the value reads
 * the old version only at the element being stored; otherwise it stores
 * into a copy.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "../codegen/lower.h"
#include "../passes/passes.h"
#include "format.h"
#include "gpu.h"
#include "runtime.h"
#include "schedule.h"

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* True when old (the version under WRITE or SCATTER w) has no holder but w
 * and the nodes of w's value (and offsets), and each of those is held only
 * from inside it. */
static bool write_is_private(tc_ctx *ctx, ir_node *w) {
  ir_node *old = w->in[0];
  ir_node *stack[256];
  ir_node *seen[256];
  int nseen = 0, sn = 0, edges_to_old = 0;
  bool ok = true;
  /* count, for each node of the value, its references from the value */
  int counts[256];
  for (int r = 1; r < w->nin; r++) { /* the value (a scatter's offsets, a compaction's keeps) */
    ir_node *in = w->in[r];
    if (in == old) {
      edges_to_old++;
      continue;
    }
    int j;
    for (j = 0; j < nseen; j++)
      if (seen[j] == in) break;
    if (j < nseen) {
      counts[j]++;
      continue;
    }
    stack[sn++] = in;
    seen[nseen] = in;
    counts[nseen++] = 1;
  }
  while (sn && ok) {
    ir_node *x = stack[--sn];
    if (x == old || x->op == OP_BUFFER || (x->mark & PM_MAT)) continue;
    for (int i = 0; i < x->nin; i++) {
      ir_node *in = x->in[i];
      if (in == old) {
        edges_to_old++;
        continue;
      }
      int j;
      for (j = 0; j < nseen; j++)
        if (seen[j] == in) break;
      if (j < nseen) {
        counts[j]++;
        continue;
      }
      if (nseen == 256 || sn == 256) {
        ok = false;
        break;
      }
      seen[nseen] = in;
      counts[nseen++] = 1;
      stack[sn++] = in;
    }
  }
  (void)ctx;
  if (!ok) return false;
  /* a buffer shared with the host has one more holder: its storage */
  if (old->refs != 1 + edges_to_old || !old->buf || old->buf->refs != 1 + old->buf->shared) return false;
  if (edges_to_old == 0) return true;
  for (int j = 0; j < nseen; j++) {
    ir_node *x = seen[j];
    if (x->op == OP_BUFFER || (x->mark & PM_MAT)) continue;
    if (x->refs != counts[j]) return false;
  }
  return true;
}

/* Runs step st of a schedule, node = the walk's node st->root: a transfer,
 * or the kernel with its buffers and scalar arguments bound. The node then
 * becomes a BUFFER node holding the result. */
static tc_status run_step(tc_ctx *ctx, const rt_step *st, ir_node *const *W) {
  ir_node *node = W[st->root];
  size_t bytes = (size_t)ir_numel(node->ndim, node->shape) * ir_dtype_size(node->dt);
  tc_device dev = node->dev;
  bool gpu = dev.type == TC_CUDA;
  rt_buffer *out = NULL;
  if (st->alloc) { /* storage written before it is read: no kernel */
    if (!(out = rt_buffer_new_on(ctx, dev, bytes, false))) return ctx->status;
    ir_node_become_buffer(ctx, node, out);
    return TC_OK;
  }
  if (st->copy) {
    ir_node *src = node->in[0];
    if (src->op != OP_BUFFER || !src->buf)
      return ir_error(ctx, TC_ERR_RUNTIME, "internal: transfer before its source was realized"), TC_ERR_RUNTIME;
    out = rt_buffer_new_on(ctx, dev, bytes, false);
    if (!out) return ctx->status;
    /* non_blocking from pinned memory: queued only, the source fenced */
    bool async = node->p.xfer.non_blocking && src->buf->pinned && gpu;
    tc_status rc = rt_gpu_copy(ctx, out->data, dev, src->buf->data, src->buf->dev, bytes, async);
    if (rc != TC_OK) {
      rt_buffer_release(out);
      return rc;
    }
    ir_node_become_buffer(ctx, node, out);
    return TC_OK;
  }
  const kernel *k = &st->k;
  if (ir_op_kind[node->op] == K_WRITE) {
    ir_node *old = node->in[0];
    if (old->op != OP_BUFFER)
      return ir_error(ctx, TC_ERR_RUNTIME, "internal: write before its storage was realized"), TC_ERR_RUNTIME;
    bool inplace = !st->reads_output_elsewhere && write_is_private(ctx, node);
    if (ctx->debug & TC_DEBUG_PLAN)
      ir_debug(ctx, "plan: write #%llu %s\n", (unsigned long long)node->id,
               inplace ? "in place (nothing else reads the old version)"
                       : st->reads_output_elsewhere ? "into a copy (it reads the old version at other elements)"
                                                    : "into a copy (the old version is still read elsewhere)");
    if (inplace) {
      out = old->buf;
      /* a queued non_blocking copy may still read a pinned buffer */
      if (out->pinned && rt_gpu_host_fence(ctx, out->data, out->bytes) != TC_OK) return ctx->status;
      out->refs++;
    } else {
      out = rt_buffer_new_on(ctx, dev, bytes, false);
      if (!out) return ctx->status;
      if (gpu) {
        tc_status rc = rt_gpu_copy(ctx, out->data, dev, old->buf->data, dev, bytes, false);
        if (rc != TC_OK) {
          rt_buffer_release(out);
          return rc;
        }
      } else if (bytes) {
        memcpy(out->data, old->buf->data, bytes);
      }
    }
  } else {
    out = rt_buffer_new_on(ctx, dev, bytes, false);
    if (!out) return ctx->status;
  }
  void *bufs[KC_MAX_BUFS + 1];
  rt_buffer *side[KC_MAX_BUFS] = {NULL}; /* side outputs: new buffers of held nodes */
  kc_param params[KC_MAX_PARAMS];
  for (int i = 0; i < k->nparams; i++) params[i] = cg_param_value(W[st->param[i]], st->pkind[i], k->params[i]);
  bufs[0] = out->data;
  bufs[k->nbufs] = params;
  tc_status rc = TC_OK;
  for (int b = 1; b < k->nbufs && rc == TC_OK; b++) {
    ir_node *bn = W[st->buf[b]];
    if (k->bufs[b].written) {
      size_t sb = (size_t)k->bufs[b].nelem * ir_dtype_size(k->bufs[b].dt);
      if (!(side[b] = rt_buffer_new_on(ctx, dev, sb, false))) rc = ctx->status ? ctx->status : TC_ERR_OOM;
      else bufs[b] = side[b]->data;
      continue;
    }
    if (bn->op != OP_BUFFER || !bn->buf || !ir_same_device(bn->buf->dev, dev)) {
      ir_error(ctx, TC_ERR_RUNTIME, "internal: kernel input #%llu not realized", (unsigned long long)bn->id);
      rc = TC_ERR_RUNTIME;
      break;
    }
    bufs[b] = bn->buf->data;
  }
  if (rc != TC_OK) {
    rt_buffer_release(out);
    for (int b = 1; b < k->nbufs; b++) rt_buffer_release(side[b]);
    return rc;
  }
  if (ir_numel(node->ndim, node->shape) > 0) {
    if (gpu) { /* queued: its device time counts when the context waits */
      rc = rt_gpu_launch(ctx, dev.index, k, st->gfn, bufs);
    } else {
      double t0 = now();
      rc = rt_kernel_run(ctx, k, st->code, bufs);
      ctx->stats.run_seconds += now() - t0;
      if (ctx->debug & TC_DEBUG_TIME)
        ir_debug(ctx, "time: kernel for %s #%llu ran in %.3f ms\n", ir_op_name[node->op],
                 (unsigned long long)node->id, (now() - t0) * 1e3);
    }
    if (rc != TC_OK) {
      rt_buffer_release(out);
      for (int b = 1; b < k->nbufs; b++) rt_buffer_release(side[b]);
      return rc;
    }
  }
  for (int b = 1; b < k->nbufs; b++) /* a side output's node becomes its buffer too */
    if (side[b]) ir_node_become_buffer(ctx, W[st->buf[b]], side[b]);
  if (node->op == OP_CHECK) { /* read now: nothing it guards has run yet */
    int64_t left = 0;
    if (gpu) rc = rt_gpu_copy(ctx, &left, (tc_device){TC_CPU, 0}, out->data, dev, sizeof left, false);
    else memcpy(&left, out->data, sizeof left);
    if (rc == TC_OK && left != 0) { /* the node stays a check: a later realization fails again */
      ir_node_retain(node);
      ctx->chk_failed = node;
      ctx->chk_left = left;
      rc = TC_ERR_ARG;
    }
    if (rc != TC_OK) {
      rt_buffer_release(out);
      return rc;
    }
  }
  ir_node_become_buffer(ctx, node, out);
  return TC_OK;
}

/* Words the error of the check whose kernel found an index out of bounds
 * (ctx->chk_failed): realizes the first offending element of its index. */
static tc_status word_failed_check(tc_ctx *ctx) {
  ir_node *c = ctx->chk_failed, *idx = c->p.chk.idx;
  ctx->chk_failed = NULL;
  int64_t v = 0, pos = idx->shape[0] - ctx->chk_left;
  ir_node *one = ir_view(ctx, idx, 1, (const int64_t[]){1}, (const int64_t[]){1}, pos);
  if (one && rt_realize_nodes(ctx, &one, 1) == TC_OK && one->op == OP_BUFFER) {
    if (one->buf->dev.type == TC_CUDA)
      rt_gpu_copy(ctx, &v, (tc_device){TC_CPU, 0}, one->buf->data, one->buf->dev, sizeof v, false);
    else
      memcpy(&v, one->buf->data, sizeof v);
  }
  ir_node_release(ctx, one);
  if (ctx->status == TC_OK) ir_bounds_error(ctx, &c->p.chk.b, v);
  ir_node_release(ctx, c);
  return ctx->status ? ctx->status : TC_ERR_ARG;
}

/* Runs a schedule over the walk's nodes. A step's root is marked PM_MAT
 * until it is computed, so write_is_private sees where groups end. */
static tc_status run_sched(tc_ctx *ctx, const rt_sched *sc, ir_node *const *W) {
  for (int i = 0; i < sc->nsteps; i++) W[sc->steps[i].root]->mark |= PM_MAT;
  tc_status st = TC_OK;
  int i = 0;
  for (; i < sc->nsteps && st == TC_OK; i++) {
    ir_node *root = W[sc->steps[i].root];
    st = run_step(ctx, &sc->steps[i], W);
    root->mark &= ~PM_MAT;
  }
  for (; i < sc->nsteps; i++) W[sc->steps[i].root]->mark &= ~PM_MAT;
  return st;
}

/* Lowers every scheduled node to a kernel. A lowering that cannot place a
 * reduction asks for a boundary there: the node is marked, the schedule
 * re-ordered, and the kernels lowered again (bounded by the graph's size). */
static tc_status lower_all(tc_ctx *ctx, ir_node *const *tg, int nt, pass_sched *s, cg_lowered **out) {
  cg_lowered *L = NULL;
  for (int attempt = 0;; attempt++) {
    for (int i = 0; i < s->nall; i++) s->all[i]->mark &= ~PM_SIDE_TAKEN;
    L = ir_alloc(ctx, sizeof(cg_lowered) * (s->n ? s->n : 1));
    if (!L) return ir_error(ctx, TC_ERR_OOM, "out of memory lowering kernels"), TC_ERR_OOM;
    int nlowered = 0, rc = 0;
    for (int i = 0; i < s->n && rc == 0; i++, nlowered++) {
      if (s->nodes[i]->op == OP_COPY || s->nodes[i]->op == OP_EMPTY) { /* a transfer, an allocation: no kernel */
        memset(&L[i], 0, sizeof L[i]);
        kc_init(&L[i].k, &ctx->al);
        continue;
      }
      rc = cg_lower(ctx, s->nodes[i], &L[i]);
    }
    if (rc == 0) {
      *out = L;
      return TC_OK;
    }
    ir_node *f = L[nlowered - 1].fail;
    tc_status st = TC_OK;
    if (rc < 0 || !f || attempt > s->nall + 4) {
      st = ctx->status ? ctx->status : TC_ERR_RUNTIME;
      if (!ctx->status) ir_error(ctx, st, "internal: could not schedule the graph");
    } else {
      if (f->mark & PM_EPI) f->mark &= ~PM_EPI; /* a product its consumer cannot compute */
      else f->mark |= PM_MAT;
      if (ctx->debug & TC_DEBUG_FUSE)
        ir_debug(ctx, "fuse: kernel boundary at %s #%llu: %s\n", ir_op_name[f->op],
                 (unsigned long long)f->id, L[nlowered - 1].why);
      if (ctx->debug & TC_DEBUG_PLAN)
        ir_debug(ctx, "plan: boundary at %s #%llu: %s\n", ir_op_name[f->op], (unsigned long long)f->id,
                 L[nlowered - 1].why);
    }
    for (int i = 0; i < nlowered; i++) kc_free(&L[i].k);
    ir_free(ctx, L);
    if (st != TC_OK) return st;
    if (!pass_order(ctx, tg, nt, s)) return ctx->status;
  }
}

/* Finds each step's code; compiles the ones that want it now, together
 * (in parallel on the context's threads). */
static tc_status compile_all(tc_ctx *ctx, rt_sched *sc, ir_node *const *W) {
  const kernel *ks[64];
  rt_code *cs[64];
  int n = 0;
  tc_status st = TC_OK;
  for (int i = 0; i < sc->nsteps && st == TC_OK; i++) {
    rt_step *s = &sc->steps[i];
    if (s->copy || s->alloc || kc_outer_numel(&s->k) <= 0) continue;
    ir_node *node = W[s->root];
    if (node->dev.type == TC_CUDA) {
      s->gfn = rt_gpu_function(ctx, node->dev.index, &s->k);
      if (!s->gfn) return ctx->status ? ctx->status : TC_ERR_COMPILE;
      continue;
    }
    if (ctx->use_interp) continue;
    s->code = rt_kernel_get(ctx, &s->k);
    if (!s->code) return ctx->status ? ctx->status : TC_ERR_COMPILE;
    bool again = false; /* the same kernel twice in one schedule: one compile */
    for (int j = 0; j < n; j++) again |= cs[j] == s->code;
    if (!again && rt_kernel_compile_now(ctx, &s->k, s->code)) {
      ks[n] = &s->k;
      cs[n++] = s->code;
    }
    if (n == 64) { /* a batch at a time */
      st = rt_kernels_compile(ctx, ks, cs, n);
      n = 0;
    }
  }
  if (st == TC_OK) st = rt_kernels_compile(ctx, ks, cs, n);
  return st;
}

/* A debug dump that shows every realization's passes or kernels turns the
 * schedule cache off (a cached realization has none to show). */
#define PER_REALIZATION_DUMPS                                                                 \
  (TC_DEBUG_IR | TC_DEBUG_FUSE | TC_DEBUG_KERNELS | TC_DEBUG_LLVM | TC_DEBUG_ASM | TC_DEBUG_DOT | \
   TC_DEBUG_CUDA | TC_DEBUG_PTX)

/* Plans, lowers and compiles the walk's graph into a schedule. */
static rt_sched *plan(tc_ctx *ctx, ir_node *const *tg, int nt, const rt_walk *w) {
  pass_sched s = {0};
  cg_lowered *L = NULL;
  rt_sched *sc = NULL;
  if (!pass_pipeline(ctx, tg, nt, &s)) {                 /* fuse, plan, order */
    if (!ctx->status) ir_error(ctx, TC_ERR_RUNTIME, "internal: the passes failed");
  } else if (lower_all(ctx, tg, nt, &s, &L) == TC_OK) {   /* kernel IR */
    if (ctx->debug & TC_DEBUG_FUSE) ir_debug(ctx, "fuse: %d kernel%s\n", s.n, s.n == 1 ? "" : "s");
    if (ctx->debug & TC_DEBUG_DOT) {
      char *dot = pass_dot(ctx, &s);
      if (dot) ir_debug_text(ctx, dot);
      free(dot);
    }
    sc = rt_sched_make(ctx, w, s.nodes, L, s.n);
    if (sc && compile_all(ctx, sc, w->nodes) != TC_OK) {  /* LLVM, NVRTC */
      rt_sched_free(ctx, sc);
      sc = NULL;
    }
    for (int i = 0; i < s.n; i++) kc_free(&L[i].k);
    ir_free(ctx, L);
  }
  pass_sched_free(ctx, &s);
  return sc;
}

/* The realization pipeline: walk the graph the targets need, find its
 * schedule in the cache or make one (passes, lowering, compiles), then bind
 * buffers and scalars and run it. */
tc_status rt_realize_nodes(tc_ctx *ctx, ir_node *const *nodes, int n) {
  if (ctx->status != TC_OK) return ctx->status;
  ir_node *targets[64];
  ir_node **tg = targets;
  if (n > 64) {
    tg = ir_alloc(ctx, sizeof(ir_node *) * n);
    if (!tg) return ir_error(ctx, TC_ERR_OOM, "out of memory realizing %d tensors", n), TC_ERR_OOM;
  }
  int nt = 0;
  for (int i = 0; i < n; i++) {
    if (!nodes[i] || nodes[i]->op == OP_BUFFER) continue;
    bool dup = false;
    for (int j = 0; j < nt; j++) dup |= tg[j] == nodes[i];
    if (!dup) tg[nt++] = nodes[i];
  }
  tc_status st = TC_OK;
  if (nt == 0) goto out;
  /* the targets stay alive while we work even if realizing frees holders */
  for (int i = 0; i < nt; i++) ir_node_retain(tg[i]);
  double t0 = now();
  rt_walk *w = rt_walk_scratch(ctx); /* the context's, reused */
  rt_sched *sc = NULL;
  bool cached = false, cache = !(ctx->debug & PER_REALIZATION_DUMPS);
  if (!w || !rt_walk_build(ctx, tg, nt, w)) {
    st = ctx->status;
    goto done;
  }
  if (cache && (sc = rt_sched_find(ctx, w))) {
    cached = true;
    ctx->stats.schedule_hits++;
    ctx->stats.cache_hits += (uint64_t)sc->nsteps; /* each kernel found, with its code */
    if (ctx->debug & TC_DEBUG_CACHE)
      ir_debug(ctx, "cache: hit %016llx (the schedule of this graph's structure: %d kernel%s)\n",
               (unsigned long long)w->hash, sc->nsteps, sc->nsteps == 1 ? "" : "s");
    if (ctx->debug & TC_DEBUG_PLAN)
      ir_debug(ctx, "plan: the schedule of an earlier realization of this structure (%d kernel%s)\n",
               sc->nsteps, sc->nsteps == 1 ? "" : "s");
  } else if (!(sc = plan(ctx, tg, nt, w))) {
    st = ctx->status ? ctx->status : TC_ERR_RUNTIME;
    rt_walk_unnumber(w);
    goto done;
  }
  rt_walk_unnumber(w); /* running frees nodes */
  double t1 = now();
  st = run_sched(ctx, sc, w->nodes);
  rt_gpu_span_close(ctx);
  if (!cached) {
    if (cache) rt_sched_keep(ctx, sc);
    else rt_sched_free(ctx, sc);
  }
  if (ctx->debug & TC_DEBUG_TIME)
    ir_debug(ctx, "time: %s %.3f ms, compile+run %.3f ms\n", cached ? "cached schedule" : "passes+lowering",
             (t1 - t0) * 1e3, (now() - t1) * 1e3);
  ctx->stats.realizations++;
done:
  for (int i = 0; i < nt; i++) ir_node_release(ctx, tg[i]);
out:
  if (tg != targets) ir_free(ctx, tg);
  if (ctx->chk_failed) st = word_failed_check(ctx);
  return st;
}
