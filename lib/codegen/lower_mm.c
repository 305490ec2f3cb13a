/*
 * lower_mm.c — a matrix product's kernel: one KS_MATMUL stage over the
 * output's points, its operands strided views of stored buffers (the CPU
 * driver, runtime/matmul.c, and the CUDA kernel read them through these
 * strides). lower.c also puts such a stage before an elementwise epilogue.
 */
#include <string.h>
#include "lower.h"

/* Stage `st` computes MATMUL node x into buffer c from buffers a and b (the
 * kernel's outer dims are x's shape). */
void cg_mm_stage(kernel *k, kstage *st, const ir_node *x, int c, int a, int b) {
  int nd = x->ndim, nb = x->p.mm.nb;
  memset(st, 0, sizeof *st);
  st->kind = KS_MATMUL;
  st->n = x->p.mm.k;
  st->buf = c;
  st->acc_dt = x->dt;
  kmm *mm = &st->mm;
  mm->a = a;
  mm->b = b;
  mm->a_off = x->p.mm.a_off;
  mm->b_off = x->p.mm.b_off;
  for (int d = 0; d < nb; d++) mm->a_str[d] = x->p.mm.a_str[d], mm->b_str[d] = x->p.mm.b_str[d];
  mm->a_str[nb] = x->p.mm.a_str[nb], mm->a_str[nb + 1] = 0; /* m, n */
  mm->b_str[nb] = 0, mm->b_str[nb + 1] = x->p.mm.b_str[nb + 1];
  mm->a_k = x->p.mm.a_str[nb + 1];
  mm->b_k = x->p.mm.b_str[nb];
  for (int d = 0; d < nd; d++) /* a dim of size 1 contributes nothing */
    if (x->shape[d] == 1) mm->a_str[d] = mm->b_str[d] = 0;
  int64_t cs[TC_MAX_DIMS];
  ir_contig_strides(nd, x->shape, cs);
  const ix *f = ix_const(&k->arena, 0);
  for (int d = 0; d < nd; d++)
    if (x->shape[d] != 1)
      f = ix_add(&k->arena, f, ix_mulc(&k->arena, ix_var(&k->arena, d, 0, x->shape[d] - 1), cs[d]));
  st->index = f;
}

/* A MATMUL node: one KS_MATMUL stage over the output's points, reading its
 * operands (materialized by the fuse pass) as strided views. */
int cg_lower_matmul(tc_ctx *ctx, ir_node *root, cg_lowered *L) {
  memset(L, 0, sizeof *L);
  kc_init(&L->k, &ctx->al);
  kernel *k = &L->k;
  k->nbufs = 3;
  for (int i = 0; i < 3; i++) {
    ir_node *n = i == 0 ? root : root->in[i - 1];
    k->bufs[i] = (kbuf){n->dt, ir_numel(n->ndim, n->shape), i == 0};
    L->bufnode[i] = n;
  }
  k->nouter = root->ndim;
  memcpy(k->outer, root->shape, sizeof(int64_t) * (size_t)root->ndim);
  k->nstages = 1;
  cg_mm_stage(k, &k->stages[0], root, 0, 1, 2);
  if (k->arena.oom) {
    ir_error(ctx, TC_ERR_OOM, "out of memory lowering a kernel");
    return -1;
  }
  return 0;
}
