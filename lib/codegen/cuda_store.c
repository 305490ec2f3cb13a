/*
 * cuda_store.c — the CUDA generator's store stages (cuda.c emits the
 * rest): a plain store, a store loop (split over the point's threads when
 * its index is injective in the loop variable), a scan (on the point's
 * thread 0, in order), a scatter (a data position) with or without
 * accumulation, and a compaction (kernel.h's keep): on one thread a row,
 * or on the point's first warp with __ballot_sync.
 */
#include <stdio.h>
#include <string.h>
#include "cuda_cgen.h"
#include "cuda_gen.h"

/* Whether index e takes a different value for each value of variable var
 * (affine in it with a nonzero coefficient), the other variables fixed. */
static bool injective(const ix *e, int var) {
  int64_t coef[NVARS], c0;
  return e && ix_affine(e, NVARS, coef, &c0) && coef[var] != 0;
}

/* A compaction (kernel.h's keep) on the point's first warp, 32 steps at a
 * time: each lane tests its step, __ballot_sync gathers the keeps, and a
 * kept lane stores at the row's base + the count so far + the kept lanes
 * below it; the order is the steps', as one thread would store them. */
static void emit_compact_warp(cgen *g, int s) {
  const kstage *st = &g->k->stages[s];
  int var = kc_stage_var(g->k, s);
  tc_dtype bdt = g->k->bufs[st->buf].dt;
  long long n = (long long)st->n;
  cu_line(g, "{ /* stage %d: compaction into buf%d, n = %lld, on the point's first warp */", s, st->buf, n);
  g->ind++;
  cu_line(g, "if (tc_on && tc_t < 32u) {");
  g->ind++;
  cu_line(g, "long long tc_c%d = 0; /* kept so far */", s);
  cu_line(g, "for (%s tc_ch%d = 0; tc_ch%d < %lld; tc_ch%d += 32) {", g->I, s, s, n, s);
  g->ind++;
  cu_line(g, "const %s v%d = tc_ch%d + (%s)tc_t;", g->I, var, s, g->I);
  g->var_live[var] = true;
  cu_line(g, "bool tc_k%d = false;", s);
  cu_line(g, "if (v%d < %lld) {", var, n);
  g->ind++;
  cu_memo_clear(g);
  int kt = cu_dag_emit(g, st->keep);
  cu_line(g, "tc_k%d = t%d;", s, kt);
  g->ind--;
  cu_line(g, "}");
  cu_line(g, "const unsigned tc_m%d = __ballot_sync(0xffffffffu, tc_k%d);", s, s);
  cu_line(g, "if (tc_k%d) {", s);
  g->ind++;
  char ex[1200];
  cu_stage_value(g, st, bdt, ex, sizeof ex);
  name idx = cu_ix_emit(g, st->index);
  char dyn[64] = "0";
  if (st->dyn) snprintf(dyn, sizeof dyn, "(long long)t%d", cu_dag_emit(g, st->dyn));
  cu_line(g, "const long long tc_ak%d = (long long)(%s) + %s + tc_c%d + __popc(tc_m%d & ((1u << tc_t) - 1u));", s,
          idx.s, dyn, s, s);
  const char *mt = cg_cu_mtype(bdt);
  if (bdt == TC_BOOL) cu_line(g, "((%s *)b%d)[tc_ak%d] = (unsigned char)%s;", mt, st->buf, s, ex);
  else if (dt_half(bdt)) cu_line(g, "((%s *)b%d)[tc_ak%d] = %s(%s);", mt, st->buf, s, bdt == TC_F16 ? "tc_f2h" : "tc_f2bf", ex);
  else cu_line(g, "((%s *)b%d)[tc_ak%d] = %s;", mt, st->buf, s, ex);
  g->ind--;
  cu_line(g, "}");
  cu_line(g, "tc_c%d += __popc(tc_m%d);", s, s);
  g->var_live[var] = false;
  cu_memo_clear(g);
  g->ind--;
  cu_line(g, "}");
  g->ind--;
  cu_line(g, "}");
  g->ind--;
  cu_line(g, "}");
}

void cu_emit_store(cgen *g, int s) {
  const kstage *st = &g->k->stages[s];
  int var = kc_stage_var(g->k, s);
  if (st->keep && g->W && st->n > 0 && st->buf >= 0 && st->buf < g->k->nbufs) {
    emit_compact_warp(g, s);
    return;
  }
  if (st->buf < 0 || st->buf >= g->k->nbufs) {
    cu_fail(g, "stage %d stores to buffer %d of %d", s, st->buf, g->k->nbufs);
    return;
  }
  if (st->n <= 0) return;
  tc_dtype bdt = g->k->bufs[st->buf].dt;
  int P = 32 * g->W;
  bool split = g->W && st->n > 1 && !st->scan && !st->keep && injective(st->index, var);
  bool lane0 = g->W && !split;
  char ex[1200];
  cu_line(g, "{ /* stage %d: store buf%d, n = %lld%s */", s, st->buf, (long long)st->n,
       split ? ", split over the point's threads" : lane0 ? ", on the point's thread 0" : "");
  g->ind++;
  if (g->W) {
    cu_line(g, "if (tc_on%s) {", lane0 ? " && tc_t == 0u" : "");
    g->ind++;
  }
  bool loop = st->n > 1;
  tc_dtype vdt = st->val ? st->val->dt : bdt;
  if (st->scan && st->init) { /* the row's start */
    int it = cu_dag_emit(g, st->init);
    char c0[400], tn[32];
    snprintf(tn, sizeof tn, "t%d", it);
    cg_cu_cast(c0, sizeof c0, st->init->dt, vdt, tn);
    cu_line(g, "%s tc_s%d = %s;", cg_cu_ctype(vdt), s, c0);
  } else if (st->scan) {
    cu_line(g, "%s tc_s%d = 0;", cg_cu_ctype(vdt), s);
  }
  if (st->keep) cu_line(g, "long long tc_c%d = 0; /* kept so far (a compaction) */", s);
  if (split) {
    cu_line(g, "for (%s v%d = (%s)tc_t; v%d < %lld; v%d += %d) {", g->I, var, g->I, var,
         (long long)st->n, var, P);
  } else if (loop) {
    cu_line(g, "for (%s v%d = 0; v%d < %lld; ++v%d) {", g->I, var, var, (long long)st->n, var);
  } else if (g->var_used[var]) {
    cu_line(g, "const %s v%d = 0;", g->I, var);
  }
  if (loop) g->ind++;
  g->var_live[var] = true;
  /* accumulate: ADD in the buffer's compute dtype (float16/bfloat16 in float32) */
  tc_dtype cdt = dt_half(bdt) ? TC_F32 : bdt;
  cu_stage_value(g, st, st->scan ? vdt : st->accumulate ? cdt : bdt, ex, sizeof ex);
  if (st->scan) { /* the running combine (kernel.h), then stored as bdt */
    const char *ct = cg_cu_ctype(vdt);
    char a[32], b[32], comb[1200];
    snprintf(a, sizeof a, "tc_s%d", s);
    snprintf(b, sizeof b, "tc_v%d", s);
    cu_line(g, "const %s %s = %s;", ct, b, ex);
    bool ok;
    if (st->scan != OP_RLSE) {
      ok = cg_cu_binop(comb, sizeof comb, st->scan, vdt, a, b);
    } else {
      char mx[300], mn[300], e[300];
      ok = cg_cu_binop(mx, sizeof mx, OP_MAX, vdt, a, b) && cg_cu_binop(mn, sizeof mn, OP_MIN, vdt, a, b);
      if (ok) {
        cu_line(g, "const %s tc_mx%d = %s, tc_mn%d = %s;", ct, s, mx, s, mn);
        cu_line(g, "const %s tc_d%d = tc_mx%d == tc_mn%d ? (%s)0 : tc_mn%d - tc_mx%d;", ct, s, s, s, ct, s, s);
        char d[32], ed[400];
        snprintf(d, sizeof d, "tc_d%d", s);
        ok = cg_cu_unop(ed, sizeof ed, OP_EXP, vdt, d) && cg_cu_unop(e, sizeof e, OP_LOG1P, vdt, ed);
        snprintf(comb, sizeof comb, "tc_mx%d + %s", s, e);
      }
    }
    if (!ok) {
      cu_fail(g, "a scan of %s", cu_dtn(vdt));
      return;
    }
    char first[64];
    if (st->init) snprintf(first, sizeof first, "false"); /* every step combines */
    else if (loop) snprintf(first, sizeof first, "v%d == 0", var);
    else snprintf(first, sizeof first, "true");
    cu_line(g, "%s = %s ? %s : (%s);", a, first, b, comb);
    cg_cu_cast(ex, sizeof ex, vdt, dt_half(bdt) ? TC_F32 : bdt, a);
  }
  name idx = cu_ix_emit(g, st->index);
  if (st->dyn) { /* a scatter: the position is data */
    int d = cu_dag_emit(g, st->dyn);
    cu_line(g, "const long long tc_at%d = (long long)(%s) + (long long)t%d;", s, idx.s, d);
    snprintf(idx.s, sizeof idx.s, "tc_at%d", s);
  }
  if (st->keep) { /* a compaction: stored after the kept steps before, where kept */
    int kt = cu_dag_emit(g, st->keep);
    cu_line(g, "if (t%d) {", kt);
    g->ind++;
    cu_line(g, "const long long tc_ak%d = (long long)(%s) + tc_c%d++;", s, idx.s, s);
    snprintf(idx.s, sizeof idx.s, "tc_ak%d", s);
  }
  const char *mt = cg_cu_mtype(bdt);
  if (st->accumulate) {
    char old[300], sum[1200];
    cu_load_expr(g, old, sizeof old, st->buf, idx.s);
    char oc[400];
    cg_cu_cast(oc, sizeof oc, bdt, cdt, old);
    if (!cg_cu_binop(sum, sizeof sum, st->acc_op ? st->acc_op : OP_ADD, cdt, oc, ex)) {
      cu_fail(g, "an accumulating store of %s", cu_dtn(bdt));
      return;
    }
    snprintf(ex, sizeof ex, "%s", sum);
  }
  if (bdt == TC_BOOL)
    cu_line(g, "((%s *)b%d)[%s] = (unsigned char)%s;", mt, st->buf, idx.s, ex);
  else if (dt_half(bdt))
    cu_line(g, "((%s *)b%d)[%s] = %s(%s);", mt, st->buf, idx.s,
         bdt == TC_F16 ? "tc_f2h" : "tc_f2bf", ex);
  else
    cu_line(g, "((%s *)b%d)[%s] = %s;", mt, st->buf, idx.s, ex);
  if (st->keep) {
    g->ind--;
    cu_line(g, "}");
  }
  g->var_live[var] = false;
  if (loop) {
    g->ind--;
    cu_line(g, "}");
  }
  if (g->W) {
    g->ind--;
    cu_line(g, "}");
  }
  g->ind--;
  cu_line(g, "}");
}

