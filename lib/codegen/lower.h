/*
 * lower.h — lowering one fusion group (a materialized node and everything
 * inlined into it) to kernel IR.
 */
#ifndef TC_CODEGEN_LOWER_H
#define TC_CODEGEN_LOWER_H
#include "../ir/ir.h"
#include "kernel.h"

/* Where a scalar argument's value comes from at launch. */
typedef enum cg_param_kind {
  CG_PARAM_CONST,    /* a CONST node's value (p.k) */
  CG_PARAM_RNG_SEED, /* a RAND* node's seed */
  CG_PARAM_RNG_BASE  /* a RAND* node's counter offset */
} cg_param_kind;

typedef struct cg_param_src {
  ir_node *node;
  cg_param_kind kind;
} cg_param_src;

typedef struct cg_lowered {
  kernel k;
  /* param[i]: where kernel param i's value comes from (k.nparams of them) */
  cg_param_src param[KC_MAX_PARAMS];
  /* bufnode[i]: the node whose buffer is bound to kernel buffer i; buffer 0
   * is the output (the root's new buffer, or the written storage). */
  ir_node *bufnode[KC_MAX_BUFS];
  bool reads_output_elsewhere; /* WRITE: reads the old version at another
                                  index than it stores (no in-place) */
  ir_node *fail;               /* lowering asks for this node to be
                                  materialized first */
  char why[160];
} cg_lowered;

/* Lowers the group rooted at `root` (PM_MAT marks say where groups end).
 * Returns 0 on success, 1 when L->fail must be materialized first (reason in
 * L->why), -1 on error (context error set). L->k must be kc_free'd after a
 * 0 or 1 return. */
int cg_lower(tc_ctx *ctx, ir_node *root, cg_lowered *L);

/* lower_mm.c: stage `st` computes MATMUL node x into buffer c from buffers
 * a and b (the kernel's outer dims are x's shape); a MATMUL node's own
 * kernel (cg_lower's contract). */
void cg_mm_stage(kernel *k, kstage *st, const ir_node *x, int c, int a, int b);
int cg_lower_matmul(tc_ctx *ctx, ir_node *root, cg_lowered *L);

/* The value of a param from its source node (kernel.h's kc_param). */
kc_param cg_param_value(const ir_node *n, cg_param_kind kind, tc_dtype dt);

#endif
