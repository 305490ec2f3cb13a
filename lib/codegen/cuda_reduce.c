/*
 * cuda_reduce.c — reduction stages in CUDA C (codegen/cuda.h describes the
 * code shapes). Every result is kernel.h's fixed tree: lane l folds the
 * elements l, l+8, ... as perfect binary subtrees with a binary counter,
 * then the lanes combine ((L0 L1)(L2 L3))((L4 L5)(L6 L7)). Thread mode
 * runs it a lane at a time on one thread; cooperative mode spreads a point
 * over 32 W threads (tiles of 64, warp shuffles, a shared-memory tree over
 * the warps). cu_choose_warps picks W for a kernel.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cuda_cgen.h"
#include "cuda_gen.h"
#include "../ir/index.h"

static bool is_arg(int rop) { return rop == OP_RARGMAX || rop == OP_RARGMIN; }

/* ---- stages ---- */

/* __shfl_xor_sync of x (register type dt) from the thread at distance w */
static void shfl(char *out, size_t cap, tc_dtype dt, const char *x, int w) {
  if (dt_bits(dt) < 32 && !dt_float(dt))
    snprintf(out, cap, "(%s)__shfl_xor_sync(tc_mask, (int)%s, %d)", cg_cu_ctype(dt), x, w);
  else
    snprintf(out, cap, "__shfl_xor_sync(tc_mask, %s, %d)", x, w);
}

/* The C types of a tree node of stage st: the value (RLSE: m) and the
 * second half (ARG*: the index, RLSE: s; NULL: none). */
static const char *node_vt(const kstage *st) { return cg_cu_ctype(st->acc_dt); }
static const char *node_it(const kstage *st) {
  return is_arg(st->rop) ? "long long" : st->rop == OP_RLSE ? cg_cu_ctype(st->acc_dt) : NULL;
}

/* (ov, oi) = the identity */
static void emit_ident(cgen *g, const kstage *st, const char *ov, const char *oi) {
  char id[64];
  if (st->rop == OP_RLSE) {
    cu_line(g, "%s = -tc_inf_%c(); %s = 0;", ov, st->acc_dt == TC_F64 ? 'd' : 'f', oi);
    return;
  }
  cg_cu_identity(id, sizeof id, st->rop, st->acc_dt);
  if (is_arg(st->rop)) cu_line(g, "%s = %s; %s = TC_I64_MAX;", ov, id, oi);
  else cu_line(g, "%s = %s;", ov, id);
}

/* (ov, oi) = the leaf of value x (acc dtype) at element r */
static void emit_leaf(cgen *g, const kstage *st, const char *x, const char *r, const char *ov,
                      const char *oi) {
  char id[64], ex[512];
  if (st->rop == OP_RLSE) {
    cu_line(g, "if (%s != %s) { %s = -tc_inf_%c(); %s = %s; } else { %s = %s; %s = 1; }", x, x, ov,
         st->acc_dt == TC_F64 ? 'd' : 'f', oi, x, ov, x, oi);
  } else if (is_arg(st->rop)) {
    cu_line(g, "%s = %s; %s = (long long)%s;", ov, x, oi, r);
  } else if (st->rop == OP_RSUM && dt_float(st->acc_dt)) { /* 0 + x: -0.0 becomes +0.0 */
    cg_cu_identity(id, sizeof id, st->rop, st->acc_dt);
    if (!cg_cu_binop(ex, sizeof ex, OP_ADD, st->acc_dt, id, x))
      cu_fail(g, "sum is not defined on %s", cu_dtn(st->acc_dt));
    cu_line(g, "%s = %s;", ov, ex);
  } else { /* identity op x == x exactly for the other folds */
    cu_line(g, "%s = %s;", ov, x);
  }
}

/* (ov, oi) = (lv, li) (+) (rv, ri), left (+) right; the outputs may be
 * the operands. */
static void emit_comb(cgen *g, const kstage *st, const char *ov, const char *oi, const char *lv,
                      const char *li, const char *rv, const char *ri) {
  const char *VT = node_vt(st), *IT = node_it(st);
  char cb[600], beats[48];
  cu_line(g, "{");
  g->ind++;
  cu_line(g, "%s tc_ca = %s, tc_cb = %s;", VT, lv, rv);
  if (IT) cu_line(g, "%s tc_cai = %s, tc_cbi = %s;", IT, li, ri);
  if (is_arg(st->rop)) {
    snprintf(beats, sizeof beats, "tc_beats_%c%s<%s>", dt_float(st->acc_dt) ? 'f' : 'i',
             st->rop == OP_RARGMAX ? "max" : "min", VT);
    cu_line(g, "const bool tc_left = %s(tc_ca, tc_cai, tc_cb, tc_cbi);", beats);
    cu_line(g, "%s = tc_left ? tc_ca : tc_cb; %s = tc_left ? tc_cai : tc_cbi;", ov, oi);
  } else if (st->rop == OP_RLSE) {
    cu_line(g, "tc_lse_comb_%c(tc_ca, tc_cai, tc_cb, tc_cbi);", st->acc_dt == TC_F64 ? 'd' : 'f');
    cu_line(g, "%s = tc_ca; %s = tc_cai;", ov, oi);
  } else {
    static const int comb_op[] = {OP_ADD, OP_MUL, OP_MAX, OP_MIN};
    if (!cg_cu_binop(cb, sizeof cb, comb_op[st->rop - OP_RSUM], st->acc_dt, "tc_ca", "tc_cb"))
      cu_fail(g, "%s is not defined on %s", cu_opn(st->rop), cu_dtn(st->acc_dt));
    cu_line(g, "%s = %s;", ov, cb);
  }
  g->ind--;
  cu_line(g, "}");
}

/* The stage's result from the final node (v, i) into a<s>. */
static void emit_result(cgen *g, int s, const char *v, const char *i) {
  const kstage *st = &g->k->stages[s];
  if (is_arg(st->rop)) cu_line(g, "a%d = %s == TC_I64_MAX ? 0 : %s;", s, i, i);
  else if (st->rop == OP_RLSE)
    cu_line(g, "a%d = __dadd_rn((double)%s, log((double)%s)); /* float64 */", s, v, i);
  else cu_line(g, "a%d = %s;", s, v);
}

static int levels_for(int64_t count) { /* stack slots for a counter up to count */
  int lv = 1;
  while (lv < 63 && (count >> lv) > 0) lv++;
  return lv;
}

/* names "p[i]" / "p[i][j]" for node arrays */
static const char *nm(char *buf, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static const char *nm(char *buf, size_t cap, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, cap, fmt, ap);
  va_end(ap);
  return buf;
}

/* Thread mode: one thread runs kernel.h's tree for the point, a lane at a
 * time (lane l: elements l, l+8, ...; a binary counter over them keeps a
 * stack of perfect subtrees in local memory), then the lane tree. One copy
 * of the value's code; the point's row is L1-resident across the 8 lane
 * passes when it is short, and a reduction over a strided dim reads each
 * element once, coalesced across the threads of consecutive points. */
static void emit_reduce_seq(cgen *g, int s) {
  const kstage *st = &g->k->stages[s];
  int var = kc_stage_var(g->k, s);
  const char *VT = node_vt(st), *IT = node_it(st), *I = g->I;
  int64_t n = st->n, K = (n + KC_LANES - 1) / KC_LANES;
  char ex[1200], b1[64], b2[64], b3[64], b4[64], b5[64], b6[64];
  cu_line(g, "%s a%d; /* stage %d: %s, acc %s, n = %lld, one thread */",
       is_arg(st->rop) ? "long long" : st->rop == OP_RLSE ? "double" : VT, s, s, cu_opn(st->rop), cu_dtn(st->acc_dt), (long long)n);
  cu_line(g, "{");
  g->ind++;
  cu_line(g, "%s tc_rv[8];", VT);
  if (IT) cu_line(g, "%s tc_ri[8];", IT);
  if (K > 0) {
    int LV = levels_for(K);
    cu_line(g, "for (int tc_j = 0; tc_j < 8; ++tc_j) {");
    g->ind++;
    cu_line(g, "%s tc_sv[%d];", VT, LV);
    if (IT) cu_line(g, "%s tc_si[%d];", IT, LV);
    cu_line(g, "const %s tc_n = %lld > tc_j ? (%lld - tc_j + 7) / 8 : 0; /* the lane's leaves */", I,
         (long long)n, (long long)n);
    cu_line(g, "for (%s tc_k = 0; tc_k < tc_n; ++tc_k) {", I);
    g->ind++;
    if (g->var_used[var] || is_arg(st->rop)) cu_line(g, "const %s v%d = tc_k * 8 + tc_j;", I, var);
    g->var_live[var] = true;
    cu_stage_value(g, st, st->acc_dt, ex, sizeof ex);
    cu_line(g, "const %s tc_x = %s;", VT, ex);
    cu_line(g, "%s tc_tv;", VT);
    if (IT) cu_line(g, "%s tc_ti;", IT);
    char vs[16];
    snprintf(vs, sizeof vs, "v%d", var);
    emit_leaf(g, st, "tc_x", vs, "tc_tv", "tc_ti");
    g->var_live[var] = false;
    cu_line(g, "%s tc_c = tc_k;", I);
    cu_line(g, "int tc_lv = 0;");
    cu_line(g, "for (; tc_c & 1; tc_c >>= 1, ++tc_lv)");
    g->ind++;
    emit_comb(g, st, "tc_tv", "tc_ti", "tc_sv[tc_lv]", "tc_si[tc_lv]", "tc_tv", "tc_ti");
    g->ind--;
    cu_line(g, "tc_sv[tc_lv] = tc_tv;%s", IT ? " tc_si[tc_lv] = tc_ti;" : "");
    g->ind--;
    cu_line(g, "}");
    /* the fold of the leaf count's set bits, smaller subtrees first on the right */
    cu_line(g, "bool tc_have = false;");
    cu_line(g, "for (int tc_b = 0; tc_b < %d; ++tc_b) {", LV);
    g->ind++;
    cu_line(g, "if (!((tc_n >> tc_b) & 1)) continue;");
    cu_line(g, "if (tc_have) {");
    g->ind++;
    emit_comb(g, st, "tc_rv[tc_j]", "tc_ri[tc_j]", "tc_sv[tc_b]", "tc_si[tc_b]", "tc_rv[tc_j]",
              "tc_ri[tc_j]");
    g->ind--;
    cu_line(g, "} else {");
    cu_line(g, "  tc_rv[tc_j] = tc_sv[tc_b];%s", IT ? " tc_ri[tc_j] = tc_si[tc_b];" : "");
    cu_line(g, "}");
    cu_line(g, "tc_have = true;");
    g->ind--;
    cu_line(g, "}");
    cu_line(g, "if (!tc_have) {");
    g->ind++;
    emit_ident(g, st, "tc_rv[tc_j]", "tc_ri[tc_j]");
    g->ind--;
    cu_line(g, "}");
    g->ind--;
    cu_line(g, "}");
  } else {
    for (int l = 0; l < KC_LANES; l++)
      emit_ident(g, st, nm(b1, sizeof b1, "tc_rv[%d]", l), nm(b2, sizeof b2, "tc_ri[%d]", l));
  }
  for (int w = 1; w < KC_LANES; w *= 2)
    for (int l = 0; l < KC_LANES; l += 2 * w)
      emit_comb(g, st, nm(b1, sizeof b1, "tc_rv[%d]", l), nm(b2, sizeof b2, "tc_ri[%d]", l),
                nm(b3, sizeof b3, "tc_rv[%d]", l), nm(b4, sizeof b4, "tc_ri[%d]", l),
                nm(b5, sizeof b5, "tc_rv[%d]", l + w), nm(b6, sizeof b6, "tc_ri[%d]", l + w));
  emit_result(g, s, "tc_rv[0]", "tc_ri[0]");
  g->ind--;
  cu_line(g, "}");
  g->acc_live[s] = true;
}

/* One level of the tree across threads: (v, i) combined with the thread
 * at xor distance w, the one whose bit w is clear on the left. */
static void emit_xor_level(cgen *g, const kstage *st, const char *v, const char *i, int w,
                           const char *bitsrc) {
  const char *VT = node_vt(st), *IT = node_it(st);
  char sh[200], sh2[200];
  cu_line(g, "{");
  g->ind++;
  cu_line(g, "const bool tc_hi = (%s & %du) != 0;", bitsrc, w);
  shfl(sh, sizeof sh, st->acc_dt, v, w);
  cu_line(g, "const %s tc_ov = %s;", VT, sh);
  if (IT) {
    if (is_arg(st->rop)) snprintf(sh2, sizeof sh2, "__shfl_xor_sync(tc_mask, %s, %d)", i, w);
    else shfl(sh2, sizeof sh2, st->acc_dt, i, w);
    cu_line(g, "const %s tc_oi = %s;", IT, sh2);
  }
  char lv[64], li[64], rv[64], ri[64];
  snprintf(lv, sizeof lv, "(tc_hi ? tc_ov : %s)", v);
  snprintf(rv, sizeof rv, "(tc_hi ? %s : tc_ov)", v);
  snprintf(li, sizeof li, "(tc_hi ? tc_oi : %s)", i);
  snprintf(ri, sizeof ri, "(tc_hi ? %s : tc_oi)", i);
  emit_comb(g, st, v, i, lv, li, rv, ri);
  g->ind--;
  cu_line(g, "}");
}

/* Cooperative mode: the point's P = 32 W threads share the tree. A warp
 * takes tiles of 64 elements (8 groups k): thread u loads elements 64q + u
 * and 64q + 32 + u (lane u % 8, k = 8q + u / 8 and that + 4, coalesced),
 * and the tile's 8 k of each lane combine in the order of the tree: xor 8
 * (k bit 0), xor 16 (k bit 1), then the thread's two halves (k bit 2).
 * Warp w takes the aligned block of S tiles [wS, wS + S) (an aligned
 * subtree), folding its tiles with a binary counter; the W warps' subtrees
 * combine through shared memory in the tree over w; then the lane tree by
 * xor 1, 2, 4. Every thread of the point ends with the result. */
static void emit_reduce_coop(cgen *g, int s) {
  const kstage *st = &g->k->stages[s];
  int var = kc_stage_var(g->k, s), W = g->W;
  const char *VT = node_vt(st), *IT = node_it(st), *I = g->I;
  int64_t n = st->n, T = (n + 63) / 64, S = 1;
  while (S * W < T) S *= 2;
  int LV = levels_for(S);
  char ex[1200], b1[64], b2[64], b3[64], b4[64], b5[64], b6[64];
  g->used_lane = g->used_mask = true;
  cu_line(g, "%s a%d; /* stage %d: %s, acc %s, n = %lld, %d threads, %lld tiles a warp */",
       is_arg(st->rop) ? "long long" : st->rop == OP_RLSE ? "double" : VT, s, s, cu_opn(st->rop), cu_dtn(st->acc_dt), (long long)n,
       32 * W, (long long)S);
  cu_line(g, "{");
  g->ind++;
  cu_line(g, "%s tc_rv;", VT);
  if (IT) cu_line(g, "%s tc_ri;", IT);
  emit_ident(g, st, "tc_rv", "tc_ri");
  if (T > 0) {
    cu_line(g, "%s tc_sv[%d];", VT, LV);
    if (IT) cu_line(g, "%s tc_si[%d];", IT, LV);
    if (W > 1) {
      cu_line(g, "const %s tc_q0 = (%s)tc_w * %lld;", I, I, (long long)S);
      cu_line(g, "const %s tc_q1 = tc_q0 + %lld < %lld ? tc_q0 + %lld : %lld;", I, (long long)S,
           (long long)T, (long long)S, (long long)T);
    } else {
      cu_line(g, "const %s tc_q0 = 0, tc_q1 = %lld;", I, (long long)T);
    }
    cu_line(g, "for (%s tc_q = tc_q0; tc_q < tc_q1; ++tc_q) {", I);
    g->ind++;
    cu_line(g, "%s tc_xv[2];", VT);
    if (IT) cu_line(g, "%s tc_xi[2];", IT);
    for (int h = 0; h < 2; h++) {
      cu_line(g, "{");
      g->ind++;
      bool guard = n % 64 != 0;
      if (g->var_used[var] || is_arg(st->rop) || guard)
        cu_line(g, "const %s v%d = tc_q * 64 + %d + (%s)tc_u;", I, var, 32 * h, I);
      if (guard) {
        cu_line(g, "if (v%d < %lld) {", var, (long long)n);
        g->ind++;
      }
      g->var_live[var] = true;
      cu_stage_value(g, st, st->acc_dt, ex, sizeof ex);
      cu_line(g, "const %s tc_x = %s;", VT, ex);
      char vs[16];
      snprintf(vs, sizeof vs, "v%d", var);
      emit_leaf(g, st, "tc_x", vs, nm(b1, sizeof b1, "tc_xv[%d]", h), nm(b2, sizeof b2, "tc_xi[%d]", h));
      g->var_live[var] = false;
      if (guard) {
        g->ind--;
        cu_line(g, "} else {");
        g->ind++;
        emit_ident(g, st, b1, b2);
        g->ind--;
        cu_line(g, "}");
      }
      g->ind--;
      cu_line(g, "}");
    }
    for (int w = 8; w <= 16; w *= 2)
      for (int h = 0; h < 2; h++)
        emit_xor_level(g, st, nm(b1, sizeof b1, "tc_xv[%d]", h), nm(b2, sizeof b2, "tc_xi[%d]", h), w,
                       "tc_u");
    emit_comb(g, st, "tc_xv[0]", "tc_xi[0]", "tc_xv[0]", "tc_xi[0]", "tc_xv[1]", "tc_xi[1]");
    cu_line(g, "%s tc_c = tc_q - tc_q0;", I);
    cu_line(g, "int tc_lv = 0;");
    cu_line(g, "for (; tc_c & 1; tc_c >>= 1, ++tc_lv)");
    g->ind++;
    emit_comb(g, st, "tc_xv[0]", "tc_xi[0]", "tc_sv[tc_lv]", "tc_si[tc_lv]", "tc_xv[0]", "tc_xi[0]");
    g->ind--;
    cu_line(g, "tc_sv[tc_lv] = tc_xv[0];%s", IT ? " tc_si[tc_lv] = tc_xi[0];" : "");
    g->ind--;
    cu_line(g, "}");
    /* the fold of the warp's tile count, smaller subtrees first on the right */
    cu_line(g, "const %s tc_cnt = tc_q1 > tc_q0 ? tc_q1 - tc_q0 : 0;", I);
    cu_line(g, "bool tc_have = false;");
    cu_line(g, "for (int tc_b = 0; tc_b < %d; ++tc_b) {", LV);
    g->ind++;
    cu_line(g, "if (!((tc_cnt >> tc_b) & 1)) continue;");
    cu_line(g, "if (tc_have) {");
    g->ind++;
    emit_comb(g, st, "tc_rv", "tc_ri", "tc_sv[tc_b]", "tc_si[tc_b]", "tc_rv", "tc_ri");
    g->ind--;
    cu_line(g, "} else {");
    cu_line(g, "  tc_rv = tc_sv[tc_b];%s", IT ? " tc_ri = tc_si[tc_b];" : "");
    cu_line(g, "}");
    cu_line(g, "tc_have = true;");
    g->ind--;
    cu_line(g, "}");
  }
  if (W > 1) { /* the tree over the warps, through shared memory */
    g->used_sync = true;
    cu_line(g, "__shared__ %s tc_shv%d[256];", VT, s);
    if (IT) cu_line(g, "__shared__ %s tc_shi%d[256];", IT, s);
    cu_line(g, "const unsigned tc_slot = (threadIdx.x / %du * %du + tc_w) * 8u + (tc_u & 7u);", 32 * W,
         W);
    cu_line(g, "if (tc_u < 8u) {");
    cu_line(g, "  tc_shv%d[tc_slot] = tc_rv;%s", s, IT ? nm(b1, sizeof b1, " tc_shi%d[tc_slot] = tc_ri;", s) : "");
    cu_line(g, "}");
    cu_line(g, "__syncthreads();");
    cu_line(g, "{");
    g->ind++;
    cu_line(g, "const unsigned tc_base = tc_slot - tc_w * 8u;");
    cu_line(g, "%s tc_wv[%d];", VT, W);
    if (IT) cu_line(g, "%s tc_wi[%d];", IT, W);
    cu_line(g, "TC_UNROLL");
    cu_line(g, "for (int tc_j = 0; tc_j < %d; ++tc_j) {", W);
    cu_line(g, "  tc_wv[tc_j] = tc_shv%d[tc_base + tc_j * 8];%s", s,
         IT ? nm(b1, sizeof b1, " tc_wi[tc_j] = tc_shi%d[tc_base + tc_j * 8];", s) : "");
    cu_line(g, "}");
    for (int w = 1; w < W; w *= 2)
      for (int j = 0; j < W; j += 2 * w)
        emit_comb(g, st, nm(b1, sizeof b1, "tc_wv[%d]", j), nm(b2, sizeof b2, "tc_wi[%d]", j),
                  nm(b3, sizeof b3, "tc_wv[%d]", j), nm(b4, sizeof b4, "tc_wi[%d]", j),
                  nm(b5, sizeof b5, "tc_wv[%d]", j + w), nm(b6, sizeof b6, "tc_wi[%d]", j + w));
    cu_line(g, "tc_rv = tc_wv[0];%s", IT ? " tc_ri = tc_wi[0];" : "");
    g->ind--;
    cu_line(g, "}");
    cu_line(g, "__syncthreads();");
  }
  for (int w = 1; w < KC_LANES; w *= 2) emit_xor_level(g, st, "tc_rv", "tc_ri", w, "tc_u");
  emit_result(g, s, "tc_rv", "tc_ri");
  g->ind--;
  cu_line(g, "}");
  g->acc_live[s] = true;
}

void cu_emit_reduce(cgen *g, int s) {
  const kstage *st = &g->k->stages[s];
  int rop = st->rop;
  tc_dtype adt = st->acc_dt;
  if (rop < OP_RSUM || rop > OP_RLSE || (unsigned)adt >= TC_NUM_DTYPES ||
      (rop == OP_RLSE && adt != TC_F32 && adt != TC_F64)) {
    cu_fail(g, "stage %d: reduction %s with accumulator %s", s, cu_opn(rop), cu_dtn(adt));
    return;
  }
  if (g->W > 0) emit_reduce_coop(g, s);
  else emit_reduce_seq(g, s);
}

/* Whether some load of v's DAG reads consecutive elements for consecutive
 * values of the variable g->probe_var (affine with coefficient 1). */
static bool unit_stride_load(cgen *g, const kval *v) {
  int64_t coef[NVARS], c0;
  if (v->kind == KV_LOAD && !v->a && v->index && ix_affine(v->index, NVARS, coef, &c0) &&
      coef[g->probe_var] == 1)
    g->probe_hit = true;
  return !g->probe_hit;
}

/* The code shape: cooperative (W warps a point) when a live reduction is
 * long (>= 64 elements) and reads memory along its own variable, so that
 * the point's threads read consecutive elements; W grows with the longest
 * reduction (about 4 tiles of 64 a warp, at most 8 warps). Otherwise one
 * thread a point (0), which reads coalesced when consecutive points are
 * consecutive in memory (a reduction over a strided dim). */

int cu_choose_warps(cgen *g) {
  const kernel *k = g->k;
  int64_t tiles = 0;
  bool along = false;
  for (int s = 0; s < k->nstages; s++) {
    const kstage *st = &k->stages[s];
    if (st->kind != KS_REDUCE || !g->acc_used[s] || st->n < 64) continue;
    int64_t t = (st->n + 63) / 64;
    if (t > tiles) tiles = t;
    g->probe_var = kc_stage_var(k, s);
    g->probe_hit = false;
    cu_walk(g, st->val, unit_stride_load);
    along = along || g->probe_hit;
  }
  /* a long compaction walks its row 32 steps at a time on one warp */
  bool compact = false;
  for (int s = 0; s < k->nstages; s++)
    compact |= k->stages[s].kind == KS_STORE && k->stages[s].keep && k->stages[s].n >= 64;
  if (!tiles || !along) return compact ? 1 : 0;
  int W = 1;
  while (W < 8 && 4 * W < tiles) W *= 2;
  /* several warps share their subtrees through static shared memory, 256
   * values (and indices) a reduction; past 40 KiB (the limit is 48) the
   * kernel keeps one warp a point, which needs none */
  int64_t shared = 0;
  for (int s = 0; s < k->nstages; s++) {
    const kstage *st = &k->stages[s];
    if (st->kind != KS_REDUCE || !g->acc_used[s]) continue;
    int it = is_arg(st->rop) ? 8 : st->rop == OP_RLSE ? dt_bytes(st->acc_dt) : 0;
    shared += 256 * (dt_bytes(st->acc_dt) + it);
  }
  if (shared > 40 * 1024) W = 1;
  return W;
}
