/*
 * schedule.h — a realization's schedule, and the cache that lets a graph of
 * a structure seen before skip the passes, the lowering and the compiles.
 *
 * The walk numbers the nodes a realization needs (the unrealized nodes
 * reachable from the targets, and the buffers they read) in a fixed order
 * and writes the graph's structure as bytes: ops, dtypes, shapes, devices,
 * views, reduction axes, which nodes are targets and which are held outside
 * the realization (the plan's store decisions depend on it), with buffers,
 * scalar values and random seeds left out (they are placeholders: kernel
 * buffers and arguments bound at launch). Equal bytes mean the passes would
 * plan the same kernels, so a schedule is keyed by them.
 *
 * A schedule is the list of steps the realization runs, in order: each
 * computes one node (by its walk number) with a lowered kernel whose buffers
 * and scalar arguments are walk numbers too, and its compiled code. Each
 * context keeps its schedules (at most RT_SCHED_MAX, least recently used
 * dropped first); the compiled code is shared process-wide (exec.c).
 */
#ifndef TC_RUNTIME_SCHEDULE_H
#define TC_RUNTIME_SCHEDULE_H
#include "../codegen/lower.h"
#include "runtime.h"

#define RT_SCHED_MAX 512

typedef struct rt_walk {
  ir_node **nodes; /* by walk number; nodes[i]->sid == i + 1 while numbered */
  int n, cap;
  ir_node **stack; /* scratch */
  int scap;
  uint8_t *key;    /* the structure */
  size_t len, kcap;
  uint64_t hash;
  bool oom;
} rt_walk;

typedef struct rt_step {
  int root;                 /* the node computed (walk number) */
  bool copy;                /* a transfer between devices: no kernel */
  bool alloc;               /* an EMPTY node: allocated, no kernel */
  kernel k;                 /* the lowered kernel (not for a copy) */
  bool reads_output_elsewhere;
  int buf[KC_MAX_BUFS];     /* walk number bound to kernel buffer i (0: root) */
  int param[KC_MAX_PARAMS]; /* walk number of param i's source */
  cg_param_kind pkind[KC_MAX_PARAMS];
  rt_code *code;            /* CPU code (NULL: TC_BACKEND=interp) */
  void *gfn;                /* CUDA function (a CUDA step) */
} rt_step;

typedef struct rt_sched {
  uint64_t hash;
  uint8_t *key;
  size_t len;
  int nsteps;
  rt_step *steps;
  struct rt_sched *next;             /* bucket chain */
  struct rt_sched *older, *newer;    /* recency list */
} rt_sched;

/* Numbers the nodes targets[0..n) need and writes their structure into w
 * (whose arrays are kept from one realization to the next: the context's
 * scratch). Sets each node's uses to its consumers among them. Returns
 * false on out of memory (context error set). */
bool rt_walk_build(tc_ctx *ctx, ir_node *const *targets, int n, rt_walk *w);
/* Clears the walk numbers (before nodes may be freed). */
void rt_walk_unnumber(rt_walk *w);
/* The context's walk (made on first use; NULL on out of memory). */
rt_walk *rt_walk_scratch(tc_ctx *ctx);
void rt_walk_free(tc_ctx *ctx);

/* The cached schedule of this structure, or NULL. */
rt_sched *rt_sched_find(tc_ctx *ctx, const rt_walk *w);
/* A schedule from the pipeline's output (nodes numbered by w): the
 * scheduled nodes in order with their lowered kernels (moved out of L).
 * NULL on out of memory (context error set). */
rt_sched *rt_sched_make(tc_ctx *ctx, const rt_walk *w, ir_node *const *nodes, cg_lowered *L,
                        int n);
/* Keeps s in the context's cache (which owns it from then on). */
void rt_sched_keep(tc_ctx *ctx, rt_sched *s);
void rt_sched_free(tc_ctx *ctx, rt_sched *s);
/* Drops every cached schedule of ctx (at tc_ctx_free). */
void rt_sched_cache_free(tc_ctx *ctx);

#endif
