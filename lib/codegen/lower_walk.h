/*
 * lower_walk.h — the state of lower.c's walk of a fusion group (points,
 * the memo of values built, staged reductions, side outputs), shared with
 * lower_rows.c, whose row kernels (scans, compactions) build their values
 * with the same walk. Internal to lib/codegen's lowering.
 */
#ifndef TC_CODEGEN_LOWER_WALK_H
#define TC_CODEGEN_LOWER_WALK_H
#include "lower.h"

typedef struct point {
  int ndim;
  const ix *flat;              /* row-major flat index, or NULL */
  const ix *idx[TC_MAX_DIMS];  /* multi-index (valid when flat is NULL) */
  const int64_t *shape;
} point;

typedef struct memo {
  ir_node *n;
  int stage;
  point p;
  const kval *v;
} memo;

typedef struct lw {
  tc_ctx *ctx;
  cg_lowered *L;
  kernel *k;
  ir_node *root;
  int nred;                               /* staged reductions */
  ir_node *red[KC_MAX_STAGES];
  int ndup;                               /* reductions that are another's */
  struct dup {
    ir_node *n, *same; /* n computes what staged reduction `same` does */
  } dup[2 * KC_MAX_STAGES];
  bool built[KC_MAX_STAGES];
  point redq[KC_MAX_STAGES];
  int cur_stage;                          /* stage whose value is being built */
  int64_t inner_work;                     /* extent of the group's own inner loop */
  memo *memo;
  int nmemo, memocap;
  const kval *paramv[KC_MAX_PARAMS]; /* the KV_PARAM of each param */
  /* side outputs: nodes the plan stores (PM_SIDE) that a stage of this
   * kernel computes at each of their elements once; a side stage before
   * its owner stores them, and the owner loads them back */
  int nside;
  struct side {
    ir_node *n;
    ir_node *owner; /* the reduction whose input reaches n elementwise, or
                       the root (its stored value) */
    int stage;      /* the side stage */
    int buf;
    int owner_stage;
    point at;       /* the owner's point of n (loads there) */
    bool done;
    bool scratch;   /* stored into the output (buffer 0), not for a holder */
    point at_store; /* scratch: the store stage's point of n (loads there) */
  } side[KC_MAX_SIDE];
  bool gathers_root_old; /* a GATHER reads the root's old version (a write's) */
  bool scratch_bad; /* one could not be placed: lower again without */
  int last_scratch; /* the scratch output stored last: the one the store
                       may read back (a later one overwrites an earlier) */
  int store_stage;  /* mode 1: the final store's stage and point */
  point store_at;
  bool failed;
  bool oom; /* out of memory: an error, never a kernel boundary */
} lw;

static inline ir_arena *AR(lw *w) { return &w->k->arena; }
/* n's value at point p (built once per stage and point: the memo). */
const kval *lw_expr(lw *w, ir_node *n, point p);
/* v as dtype dt (v itself when it has it). */
const kval *lw_cast(lw *w, const kval *v, tc_dtype dt);
/* p's row-major flat index. */
const ix *lw_flat(lw *w, const point *p);

/* lower_rows.c: a SCAN node's kernel, or that of a WRITE wr whose value it
 * is (stored through wr's view), and a COMPACT node's (cg_lower's contract). */
int cg_lower_scan(tc_ctx *ctx, ir_node *root, cg_lowered *L, ir_node *wr);
int cg_lower_compact(tc_ctx *ctx, ir_node *root, cg_lowered *L);

#endif
