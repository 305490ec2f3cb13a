/*
 * passes.h — the graph passes, run in order by pass_pipeline (pipeline.c).
 */
#ifndef TC_PASSES_H
#define TC_PASSES_H
#include "../ir/ir.h"

/* Scratch marks on nodes during one realization. */
enum {
  PM_SEEN = 1,    /* reached from a target */
  PM_MAT = 2,     /* materialized: gets its own buffer and kernel */
  PM_TARGET = 4,  /* asked for by the caller */
  PM_ORDERED = 8, /* placed in the schedule */
  PM_WALK = 16,   /* temporary */
  PM_SIDE = 32,   /* stored by the kernel that computes it anyway (a side
                     output of its group; the plan's store decision) */
  PM_SIDE_TAKEN = 64, /* a kernel's lowering stores it (lowering scratch) */
  PM_EPI = 128        /* a MATMUL computed by the kernel of the elementwise
                         chain that alone reads it (its epilogue); no
                         kernel of its own while the mark stays */
};

/* The kernels of one realization: materialized nodes in dependency order. */
typedef struct pass_sched {
  ir_node **nodes;
  int n, cap;
  ir_node **all; /* every node reached (to clear marks) */
  int nall, allcap;
} pass_sched;

/* Checks the invariants ir.h names on every reached node; returns false and
 * sets the context error on the first violation (a library bug). */
bool ir_verify(tc_ctx *ctx, pass_sched *s);
/* fuse: decides which nodes are materialized (PM_MAT) and why, and orders
 * them. Requires: targets not BUFFER. Guarantees: every node reached is in
 * s->all with uses = its number of consumers among reached nodes; every
 * WRITE and its old version are materialized. */
bool pass_fuse(tc_ctx *ctx, ir_node *const *targets, int n, pass_sched *s);
/* plan: store-or-recompute, stores before broadcast reads, and splits for
 * the kernel limits (plan.c). Requires pass_fuse; marks only. */
bool pass_plan(tc_ctx *ctx, ir_node *const *targets, int n, pass_sched *s);
/* epilogues: marks PM_EPI each MATMUL that only an elementwise chain of its
 * shape reads, up to a materialized root (fuse.c). Marks only. */
bool pass_epilogues(tc_ctx *ctx, pass_sched *s);
/* order: s->nodes = the materialized nodes, each after the ones it reads. */
bool pass_order(tc_ctx *ctx, ir_node *const *targets, int n, pass_sched *s);
/* Visits every unrealized node reachable from the targets after all its
 * inputs (an explicit stack: graphs can be deep). */
typedef bool (*pass_visit_fn)(tc_ctx *ctx, ir_node *x, pass_sched *s, void *user);
bool pass_postorder(tc_ctx *ctx, ir_node *const *targets, int n, pass_sched *s, pass_visit_fn visit,
                    void *user);
/* The pipeline: verify, fuse, order, with dumps as TC_DEBUG asks. */
bool pass_pipeline(tc_ctx *ctx, ir_node *const *targets, int n, pass_sched *s);
void pass_sched_free(tc_ctx *ctx, pass_sched *s);
/* Graphviz source of the scheduled graph, one cluster per kernel (malloc'd;
 * NULL when out of memory). */
char *pass_dot(tc_ctx *ctx, pass_sched *s);

#endif
