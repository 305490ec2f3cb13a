/*
 * llvm_reduce.c — REDUCE stages (kernel.h's fixed reduction order) as LLVM
 * IR: 8 lane accumulators, element r going to lane r % 8 in increasing r,
 * then the pairwise tree ((L0 L1)(L2 L3))((L4 L5)(L6 L7)).
 *
 * The loop runs over groups of 8 elements. Where every fold is one plain
 * instruction (sum, prod, max, min, argmax, argmin on bool, ints, float32,
 * float64) the lanes live in one <8 x T> vector (argmax: plus an <8 x i64>
 * of indices): the group's 8 values are computed as scalars, gathered with
 * insertelement and folded by one vector op. That is exactly the scalar
 * semantics per lane (no reassociation, no fast-math), and the SLP
 * vectorizer turns 8 contiguous scalar loads into one vector load. RLSE
 * lanes (m, s) and float16/bfloat16 accumulators (float32 op rounded back
 * per op) stay 8 scalars. The n % 8 tail elements fold into lanes 0.. as
 * scalars after the loop, and the tree runs on scalars (extracted lanes).
 * Identities: sum 0, prod 1, max -inf / the type's minimum, min +inf / the
 * maximum; argmax/argmin lanes start as (identity, INT64_MAX), so any
 * element beats an empty lane and n == 0 gives 0 (interp.c's choice).
 */
#include <math.h>

#include "llvm_gen.h"


/* ---- lane values: identities, argmax pairs, logsumexp ---- */

static LLVMValueRef red_identity(cg_gen *g, int rop, tc_dtype dt) {
  LLVMTypeRef t = cg_reg_type(g, dt);
  bool max = rop == OP_RMAX || rop == OP_RARGMAX;
  bool min = rop == OP_RMIN || rop == OP_RARGMIN;
  if (dt == TC_F32 || dt == TC_F64) {
    if (max) return cf(t, -INFINITY);
    if (min) return cf(t, INFINITY);
    return cf(t, rop == OP_RPROD ? 1.0 : 0.0);
  }
  if (dt == TC_F16 || dt == TC_BF16) {
    float v = max ? -INFINITY : min ? INFINITY : rop == OP_RPROD ? 1.0f : 0.0f;
    if (dt == TC_BF16) return ci(t, kc_f32_to_bf16(v));
    return LLVMConstBitCast(ci(g->t_i16, kc_f32_to_f16(v)), t);
  }
  if (rop == OP_RSUM) return ci(t, 0);
  if (rop == OP_RPROD) return ci(t, 1);
  if (dt == TC_BOOL) return LLVMConstInt(t, min, 0);
  if (dt == TC_U8) return ci(t, min ? 255 : 0);
  unsigned w = dt == TC_I8 ? 8 : dt == TC_I16 ? 16 : dt == TC_I32 ? 32 : 64;
  int64_t mx = (int64_t)(UINT64_MAX >> (65 - w));
  return ci(t, max ? -mx - 1 : mx);
}

/* argmax/argmin: does pair (vb, ib) beat (va, ia)? Greater (smaller) value,
 * or equal with a smaller index, or NaN (NaN beats numbers; between NaNs the
 * smaller index). Operands may be <8 x T> vectors. */
static LLVMValueRef arg_wins(cg_gen *g, int rop, tc_dtype dt, LLVMValueRef va,
                             LLVMValueRef ia, LLVMValueRef vb, LLVMValueRef ib) {
  LLVMBuilderRef B = g->B;
  bool max = rop == OP_RARGMAX;
  LLVMValueRef first = icmp(g, LLVMIntSLT, ib, ia);
  if (dt == TC_F16 || dt == TC_BF16) { /* compare exactly in float32 */
    va = cg_cast(g, va, dt, TC_F32);
    vb = cg_cast(g, vb, dt, TC_F32);
    dt = TC_F32;
  }
  if (dt == TC_F32 || dt == TC_F64) {
    LLVMValueRef na = fcmp(g, LLVMRealUNO, va, va);
    LLVMValueRef nb = fcmp(g, LLVMRealUNO, vb, vb);
    LLVMValueRef better = fcmp(g, max ? LLVMRealOGT : LLVMRealOLT, vb, va);
    LLVMValueRef eq = fcmp(g, LLVMRealOEQ, vb, va);
    LLVMValueRef num = LLVMBuildOr(B, better, LLVMBuildAnd(B, eq, first, ""), "");
    num = LLVMBuildAnd(B, LLVMBuildNot(B, na, ""), num, "");
    LLVMValueRef nanw = LLVMBuildOr(B, LLVMBuildNot(B, na, ""), first, "");
    return sel(g, nb, nanw, num);
  }
  bool s = dt_signed(dt);
  LLVMValueRef better =
      icmp(g, max ? (s ? LLVMIntSGT : LLVMIntUGT) : (s ? LLVMIntSLT : LLVMIntULT),
           vb, va);
  LLVMValueRef eq = icmp(g, LLVMIntEQ, vb, va);
  return LLVMBuildOr(B, better, LLVMBuildAnd(B, eq, first, ""), "");
}

/* ---- online log-sum-exp (RLSE) ---- */

/* Adds x to a lane (m, s): x > m: s = s*exp(m-x) + 1, m = x; x == m:
 * s += 1; otherwise (NaN included) s += exp(x-m). One exp per element: its
 * argument is m-x or x-m as the branch needs. */
static void lse_add(cg_gen *g, tc_dtype dt, LLVMValueRef *m, LLVMValueRef *s,
                    LLVMValueRef x) {
  LLVMBuilderRef B = g->B;
  LLVMValueRef one = cf(LLVMTypeOf(x), 1.0);
  LLVMValueRef gt = fcmp(g, LLVMRealOGT, x, *m);
  LLVMValueRef eq = fcmp(g, LLVMRealOEQ, x, *m);
  LLVMValueRef arg = sel(g, gt, LLVMBuildFSub(B, *m, x, ""),
                         LLVMBuildFSub(B, x, *m, ""));
  LLVMValueRef e = cg_libm1(g, "exp", dt, arg);
  LLVMValueRef s_gt = LLVMBuildFAdd(B, LLVMBuildFMul(B, *s, e, ""), one, "");
  LLVMValueRef s_eq = LLVMBuildFAdd(B, *s, one, "");
  LLVMValueRef s_lt = LLVMBuildFAdd(B, *s, e, "");
  *s = sel(g, gt, s_gt, sel(g, eq, s_eq, s_lt));
  *m = sel(g, gt, x, *m);
}

/* (m1, s1) (+) (m2, s2): swapped so that m1 >= m2 (when m2 > m1), then
 * s = m1 == m2 ? s1 + s2 : s1 + s2 * exp(m2 - m1), m = m1. */
static void lse_combine(cg_gen *g, tc_dtype dt, LLVMValueRef *m1,
                        LLVMValueRef *s1, LLVMValueRef m2, LLVMValueRef s2) {
  LLVMBuilderRef B = g->B;
  LLVMValueRef sw = fcmp(g, LLVMRealOGT, m2, *m1);
  LLVMValueRef M1 = sel(g, sw, m2, *m1), S1 = sel(g, sw, s2, *s1);
  LLVMValueRef M2 = sel(g, sw, *m1, m2), S2 = sel(g, sw, *s1, s2);
  LLVMValueRef e = cg_libm1(g, "exp", dt, LLVMBuildFSub(B, M2, M1, ""));
  LLVMValueRef sum = LLVMBuildFAdd(B, S1, S2, "");
  LLVMValueRef wsum = LLVMBuildFAdd(B, S1, LLVMBuildFMul(B, S2, e, ""), "");
  *s1 = sel(g, fcmp(g, LLVMRealOEQ, M1, M2), sum, wsum);
  *m1 = M1;
}

static LLVMValueRef lse_result(cg_gen *g, tc_dtype dt, LLVMValueRef m,
                               LLVMValueRef s) {
  return LLVMBuildFAdd(g->B, m, cg_libm1(g, "log", dt, s), "");
}

/* ---- the reduction loop ---- */

/* The 8 lanes of a reduction as scalars: v is the value (RLSE: m), i the
 * second half of the lane where there is one (ARG*: the index r, RLSE: s). */
typedef struct lanes {
  LLVMValueRef v[KC_LANES], i[KC_LANES];
} lanes;

static const int red_comb[] = {OP_ADD, OP_MUL, OP_MAX, OP_MIN};

static bool rop_arg(int rop) { return rop == OP_RARGMAX || rop == OP_RARGMIN; }

/* Folds x, element r (i64) of stage st, into the lane (*v, *i). */
static void lane_fold(cg_gen *g, const kstage *st, LLVMValueRef *v,
                      LLVMValueRef *i, LLVMValueRef x, LLVMValueRef r) {
  if (rop_arg(st->rop)) {
    LLVMValueRef w = arg_wins(g, st->rop, st->acc_dt, *v, *i, x, r);
    *v = LLVMBuildSelect(g->B, w, x, *v, "");
    *i = LLVMBuildSelect(g->B, w, r, *i, "");
  } else if (st->rop == OP_RLSE) {
    lse_add(g, st->acc_dt, v, i, x);
  } else {
    *v = cg_binop(g, red_comb[st->rop - OP_RSUM], st->acc_dt, *v, x);
  }
}

/* Element r of stage s into scalar lane l. */
static void lane_step(cg_gen *g, int s, lanes *L, int l, LLVMValueRef r) {
  const kstage *st = &g->k->stages[s];
  g->var[kc_stage_var(g->k, s)] = r;
  LLVMValueRef x = cg_stage_value(g, st, st->acc_dt);
  lane_fold(g, st, &L->v[l], &L->i[l], x, r);
}

static LLVMValueRef splat(LLVMValueRef c) {
  LLVMValueRef v[KC_LANES];
  for (int l = 0; l < KC_LANES; l++) v[l] = c;
  return LLVMConstVector(v, KC_LANES);
}

/* Folds the group r0 .. r0+7 into lanes kept as <8 x T> vectors (lane l in
 * element l): the 8 values are computed as scalars and gathered, so the
 * combine is one vector op per group with exactly the scalar semantics per
 * lane, and contiguous loads become one vector load (SLP). */
static void group_step(cg_gen *g, int s, LLVMValueRef r0, LLVMValueRef *acc,
                       LLVMValueRef *idx) {
  const kstage *st = &g->k->stages[s];
  LLVMBuilderRef B = g->B;
  LLVMTypeRef t32 = g->t_i32;
  LLVMValueRef X = LLVMGetPoison(LLVMTypeOf(*acc));
  for (int l = 0; l < KC_LANES; l++) {
    LLVMValueRef r = l ? LLVMBuildAdd(B, r0, cg_c64(g, l), "") : r0;
    g->var[kc_stage_var(g->k, s)] = r;
    LLVMValueRef x = cg_stage_value(g, st, st->acc_dt);
    X = LLVMBuildInsertElement(B, X, x, LLVMConstInt(t32, (unsigned)l, 0), "");
  }
  LLVMValueRef R = NULL;
  if (rop_arg(st->rop)) {
    LLVMValueRef iota[KC_LANES], zero[KC_LANES];
    for (int l = 0; l < KC_LANES; l++) {
      iota[l] = cg_c64(g, l);
      zero[l] = LLVMConstInt(t32, 0, 0);
    }
    LLVMValueRef p = LLVMGetPoison(LLVMTypeOf(*idx));
    R = LLVMBuildInsertElement(B, p, r0, LLVMConstInt(t32, 0, 0), "");
    R = LLVMBuildShuffleVector(B, R, p, LLVMConstVector(zero, KC_LANES), "");
    R = LLVMBuildAdd(B, R, LLVMConstVector(iota, KC_LANES), "");
  }
  lane_fold(g, st, acc, idx, X, R);
}

/* Whether the lanes can live in one <8 x T> vector: every op of the fold
 * is a plain vector instruction (not RLSE's exp, not the half types'
 * per-op conversions). */
static bool vector_lanes(const kstage *st) {
  return st->rop != OP_RLSE && st->acc_dt != TC_F16 && st->acc_dt != TC_BF16;
}

void cg_emit_reduce(cg_gen *g, int s) {
  const kstage *st = &g->k->stages[s];
  if (st->rop < OP_RSUM || st->rop > OP_RLSE) {
    cg_fail(g, "stage %d: unknown reduction op %d", s, st->rop);
    return;
  }
  bool arg = rop_arg(st->rop), lse = st->rop == OP_RLSE, two = arg || lse;
  if (lse && st->acc_dt != TC_F32 && st->acc_dt != TC_F64) {
    cg_fail(g, "stage %d: logsumexp needs a float32/float64 accumulator", s);
    return;
  }
  int64_t n = st->n < 0 ? 0 : st->n, groups = n / KC_LANES;
  int tail = (int)(n % KC_LANES);
  LLVMTypeRef at = cg_reg_type(g, st->acc_dt);
  LLVMValueRef ident = lse ? LLVMConstReal(at, -INFINITY)
                           : red_identity(g, st->rop, st->acc_dt);
  LLVMValueRef ident2 = lse ? LLVMConstReal(at, 0.0) : cg_c64(g, INT64_MAX);
  lanes L;
  for (int l = 0; l < KC_LANES; l++) {
    L.v[l] = ident;
    L.i[l] = ident2;
  }
  bool vec = vector_lanes(st);
  if (groups == 1 && vec) {
    LLVMValueRef acc = splat(ident), idx = splat(ident2);
    group_step(g, s, cg_c64(g, 0), &acc, &idx);
    for (int l = 0; l < KC_LANES; l++) {
      LLVMValueRef li = LLVMConstInt(g->t_i32, (unsigned)l, 0);
      L.v[l] = LLVMBuildExtractElement(g->B, acc, li, "");
      if (arg) L.i[l] = LLVMBuildExtractElement(g->B, idx, li, "");
    }
  } else if (groups == 1) {
    for (int l = 0; l < KC_LANES; l++) lane_step(g, s, &L, l, cg_c64(g, l));
  } else if (groups > 1) {
    /* the loop over groups carries the lanes in phis: one vector (and one
     * index vector) or 8 (16) scalars */
    int nphi = vec ? 1 : KC_LANES;
    LLVMValueRef cur[2][KC_LANES], phis[2][KC_LANES];
    if (vec) {
      cur[0][0] = splat(ident);
      cur[1][0] = splat(ident2);
    } else {
      for (int l = 0; l < KC_LANES; l++) cur[0][l] = ident, cur[1][l] = ident2;
    }
    cg_loop lp;
    cg_loop_begin(g, &lp, cg_c64(g, 0), "red");
    for (int h = 0; h < (two ? 2 : 1); h++)
      for (int l = 0; l < nphi; l++) {
        phis[h][l] = LLVMBuildPhi(g->B, LLVMTypeOf(cur[h][l]), h ? "lane.i" : "lane");
        LLVMAddIncoming(phis[h][l], &cur[h][l], &lp.pre, 1);
        cur[h][l] = phis[h][l];
      }
    if (vec) {
      group_step(g, s, lp.iv, &cur[0][0], &cur[1][0]);
    } else {
      for (int l = 0; l < KC_LANES; l++) {
        LLVMValueRef r = l ? LLVMBuildAdd(g->B, lp.iv, cg_c64(g, l), "") : lp.iv;
        g->var[kc_stage_var(g->k, s)] = r;
        LLVMValueRef x = cg_stage_value(g, st, st->acc_dt);
        lane_fold(g, st, &cur[0][l], &cur[1][l], x, r);
      }
    }
    LLVMBasicBlockRef latch =
        cg_loop_end(g, &lp, KC_LANES, cg_c64(g, groups * KC_LANES), "red.end");
    for (int h = 0; h < (two ? 2 : 1); h++)
      for (int l = 0; l < nphi; l++) LLVMAddIncoming(phis[h][l], &cur[h][l], &latch, 1);
    for (int l = 0; l < KC_LANES; l++) {
      if (!vec) {
        L.v[l] = cur[0][l];
        L.i[l] = cur[1][l];
        continue;
      }
      LLVMValueRef li = LLVMConstInt(g->t_i32, (unsigned)l, 0);
      L.v[l] = LLVMBuildExtractElement(g->B, cur[0][0], li, "");
      if (arg) L.i[l] = LLVMBuildExtractElement(g->B, cur[1][0], li, "");
    }
  }
  for (int l = 0; l < tail; l++)
    lane_step(g, s, &L, l, cg_c64(g, groups * KC_LANES + l));
  g->var[kc_stage_var(g->k, s)] = NULL;
  cg_memo_clear(g);
  /* ((L0 L1)(L2 L3))((L4 L5)(L6 L7)) */
  for (int w = 1; w < KC_LANES; w *= 2) {
    for (int l = 0; l < KC_LANES; l += 2 * w) {
      if (arg) {
        LLVMValueRef win = arg_wins(g, st->rop, st->acc_dt, L.v[l], L.i[l],
                                       L.v[l + w], L.i[l + w]);
        L.v[l] = LLVMBuildSelect(g->B, win, L.v[l + w], L.v[l], "");
        L.i[l] = LLVMBuildSelect(g->B, win, L.i[l + w], L.i[l], "");
      } else if (lse) {
        lse_combine(g, st->acc_dt, &L.v[l], &L.i[l], L.v[l + w], L.i[l + w]);
      } else {
        L.v[l] = cg_binop(g, red_comb[st->rop - OP_RSUM], st->acc_dt, L.v[l],
                          L.v[l + w]);
      }
    }
  }
  if (arg) g->acc[s] = n == 0 ? cg_c64(g, 0) : L.i[0];
  else if (lse) g->acc[s] = lse_result(g, st->acc_dt, L.v[0], L.i[0]);
  else g->acc[s] = L.v[0];
}

