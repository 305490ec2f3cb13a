/*
 * llvm_reduce.c — REDUCE stages as LLVM IR, in kernel.h's fixed order:
 * lane l holds the elements r = l + 8k; each lane is the perfect pairwise
 * tree over k (padded with the identity, which changes nothing); then the
 * lane tree ((L0 L1)(L2 L3))((L4 L5)(L6 L7)).
 *
 * The 8 lanes live in one <8 x T> vector (argmax: plus an <8 x i64> of
 * indices; RLSE: an <8 x T> of s): a "group" r0 .. r0+7 of 8 values is
 * computed as scalars and gathered with insertelement (the SLP vectorizer
 * turns 8 contiguous scalar loads into one vector load) and becomes 8
 * leaves at once, so combining two groups is one vector op per lane with
 * exactly the scalar semantics (no reassociation, no fast-math); RLSE's
 * combine too, its exp being inline vector code (cg_exp). Where a combine
 * is not a plain instruction (the half types' per-op rounding) it runs on
 * the extracted lanes.
 *
 * The tree over k is built with a binary counter: the loop takes 4 or 8
 * groups an iteration (a level-2 or level-3 subtree in registers), then
 * merges it into a stack of subtrees (an alloca of 64 lane vectors, level
 * i holding a perfect subtree of unit * 2^i groups) while the iteration
 * count's low bits are set. The last partial unit (fewer groups, the last
 * maybe partial: missing lanes are the identity) and the final fold of
 * the stack (the set bits of the unit count, smaller subtrees first as the
 * right operand) are straight-line code: n is a constant of the kernel.
 * Identities: sum 0, prod 1, max -inf / the type's minimum, min +inf / the
 * maximum; argmax/argmin (identity, INT64_MAX), RLSE (-inf, 0). A leaf is
 * its value as is (a float sum adds its + 0.0 once, at the end:
 * sum_fixup).
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

/* (m1, s1) (+) (m2, s2): swapped so that m1 >= m2 (when m2 > m1), then
 * s = m1 == m2 ? s1 + s2 : s1 + s2 * exp(m2 - m1), m = m1. */
static void lse_combine(cg_gen *g, tc_dtype dt, LLVMValueRef *m1,
                        LLVMValueRef *s1, LLVMValueRef m2, LLVMValueRef s2) {
  LLVMBuilderRef B = g->B;
  LLVMValueRef sw = fcmp(g, LLVMRealOGT, m2, *m1);
  LLVMValueRef M1 = sel(g, sw, m2, *m1), S1 = sel(g, sw, s2, *s1);
  LLVMValueRef M2 = sel(g, sw, *m1, m2), S2 = sel(g, sw, *s1, s2);
  LLVMValueRef d = LLVMBuildFSub(B, M2, M1, "");
  LLVMValueRef e = cg_exp(g, dt, d);
  LLVMValueRef sum = LLVMBuildFAdd(B, S1, S2, "");
  LLVMValueRef wsum = LLVMBuildFAdd(B, S1, LLVMBuildFMul(B, S2, e, ""), "");
  *s1 = sel(g, fcmp(g, LLVMRealOEQ, M1, M2), sum, wsum);
  *m1 = M1;
}

/* m + log(s) in float64 (kernel.h: RLSE's KV_ACC is float64) */
static LLVMValueRef lse_result(cg_gen *g, tc_dtype dt, LLVMValueRef m,
                               LLVMValueRef s) {
  if (dt != TC_F64) {
    m = LLVMBuildFPExt(g->B, m, g->t_f64, "");
    s = LLVMBuildFPExt(g->B, s, g->t_f64, "");
  }
  return LLVMBuildFAdd(g->B, m, cg_libm1(g, "log", TC_F64, s), "");
}

/* ---- lane sets ---- */

/* The 8 lanes of a reduction: v holds the values (RLSE: m) as <8 x T>, i
 * the second half where there is one (ARG*: <8 x i64> indices, RLSE:
 * <8 x T> s). */
typedef struct lset {
  LLVMValueRef v, i;
} lset;

static const int red_comb[] = {OP_ADD, OP_MUL, OP_MAX, OP_MIN};

static bool rop_arg(int rop) { return rop == OP_RARGMAX || rop == OP_RARGMIN; }

/* Whether a combine is a few vector ops per lane set (RLSE's exp is inline,
 * cg_exp; not the half types' per-op conversions). */
static bool vector_lanes(const kstage *st) {
  return st->acc_dt != TC_F16 && st->acc_dt != TC_BF16;
}

static LLVMValueRef splat(LLVMValueRef c) {
  LLVMValueRef v[KC_LANES];
  for (int l = 0; l < KC_LANES; l++) v[l] = c;
  return LLVMConstVector(v, KC_LANES);
}

static LLVMValueRef lane_at(cg_gen *g, LLVMValueRef vec, int l) {
  return LLVMBuildExtractElement(g->B, vec, LLVMConstInt(g->t_i32, (unsigned)l, 0), "");
}

static LLVMValueRef lane_put(cg_gen *g, LLVMValueRef vec, LLVMValueRef x, int l) {
  return LLVMBuildInsertElement(g->B, vec, x, LLVMConstInt(g->t_i32, (unsigned)l, 0), "");
}

/* the identity of stage st as scalars (v, i) */
void cg_red_ident(cg_gen *g, const kstage *st, LLVMValueRef *v, LLVMValueRef *i) {
  LLVMTypeRef at = cg_reg_type(g, st->acc_dt);
  bool lse = st->rop == OP_RLSE;
  *v = lse ? LLVMConstReal(at, -INFINITY) : red_identity(g, st->rop, st->acc_dt);
  *i = lse ? LLVMConstReal(at, 0.0) : cg_c64(g, INT64_MAX);
}

static lset ident_set(cg_gen *g, const kstage *st) {
  LLVMValueRef v, i;
  cg_red_ident(g, st, &v, &i);
  lset o = {splat(v), splat(i)};
  return o;
}

/* Scalar lanes: (v1, i1) = (v1, i1) (+) (v2, i2), left (+) right. */
void cg_red_comb(cg_gen *g, const kstage *st, LLVMValueRef *v1, LLVMValueRef *i1,
                  LLVMValueRef v2, LLVMValueRef i2) {
  if (rop_arg(st->rop)) {
    LLVMValueRef win = arg_wins(g, st->rop, st->acc_dt, *v1, *i1, v2, i2);
    *v1 = sel(g, win, v2, *v1);
    *i1 = sel(g, win, i2, *i1);
  } else if (st->rop == OP_RLSE) {
    lse_combine(g, st->acc_dt, v1, i1, v2, i2);
  } else {
    *v1 = cg_binop(g, red_comb[st->rop - OP_RSUM], st->acc_dt, *v1, v2);
  }
}

/* Element r's leaf (v, i) from its value x (acc_dt; ARG*: the element's
 * dtype): sum 0 + x (and likewise for the other ops), ARG* (x, r), RLSE
 * (x, 1) or (-inf, x) for NaN. Scalars. */
void cg_red_leaf(cg_gen *g, const kstage *st, LLVMValueRef x, LLVMValueRef r,
                 LLVMValueRef *v, LLVMValueRef *i) {
  LLVMValueRef idv, idi;
  cg_red_ident(g, st, &idv, &idi);
  if (st->rop == OP_RLSE) {
    LLVMValueRef nan = fcmp(g, LLVMRealUNO, x, x);
    *v = sel(g, nan, idv, x);
    *i = sel(g, nan, x, LLVMConstReal(cg_reg_type(g, st->acc_dt), 1.0));
  } else if (rop_arg(st->rop)) {
    *v = x;
    *i = r;
  } else {
    *v = cg_binop(g, red_comb[st->rop - OP_RSUM], st->acc_dt, idv, x);
    *i = idi;
  }
}

/* The KV_ACC value of a reduction of n > 0 elements whose lanes combined
 * to (v, i); n == 0 gives ARG*'s 0 */
LLVMValueRef cg_red_result(cg_gen *g, const kstage *st, LLVMValueRef v, LLVMValueRef i) {
  if (rop_arg(st->rop)) return st->n <= 0 ? cg_c64(g, 0) : i;
  if (st->rop == OP_RLSE) return lse_result(g, st->acc_dt, v, i);
  return v;
}

/* a (+) b lane by lane: vector ops where they are plain, else per lane */
static lset comb(cg_gen *g, const kstage *st, lset a, lset b) {
  if (vector_lanes(st)) {
    cg_red_comb(g, st, &a.v, &a.i, b.v, b.i); /* the scalar builders take vectors */
    return a;
  }
  for (int l = 0; l < KC_LANES; l++) {
    LLVMValueRef v = lane_at(g, a.v, l), i = lane_at(g, a.i, l);
    cg_red_comb(g, st, &v, &i, lane_at(g, b.v, l), lane_at(g, b.i, l));
    a.v = lane_put(g, a.v, v, l);
    a.i = lane_put(g, a.i, i, l);
  }
  return a;
}

/* The leaves of the group r0 .. r0+7 (lanes >= nvalid: the identity). */
static lset group_leaves(cg_gen *g, int s, LLVMValueRef r0, int nvalid) {
  const kstage *st = &g->k->stages[s];
  LLVMBuilderRef B = g->B;
  LLVMTypeRef at = cg_reg_type(g, st->acc_dt);
  LLVMValueRef idv, idi;
  cg_red_ident(g, st, &idv, &idi);
  lset o = ident_set(g, st);
  LLVMValueRef X = splat(idv);
  for (int l = 0; l < nvalid; l++) {
    LLVMValueRef r = l ? LLVMBuildAdd(B, r0, cg_c64(g, l), "") : r0;
    g->var[kc_stage_var(g->k, s)] = r;
    LLVMValueRef x = cg_stage_value(g, st, st->acc_dt);
    if (st->rop == OP_RLSE) { /* (x, 1), or (-inf, x) for NaN */
      LLVMValueRef nan = fcmp(g, LLVMRealUNO, x, x);
      o.v = lane_put(g, o.v, sel(g, nan, idv, x), l);
      o.i = lane_put(g, o.i, sel(g, nan, x, LLVMConstReal(at, 1.0)), l);
      continue;
    }
    if (rop_arg(st->rop)) o.i = lane_put(g, o.i, r, l);
    if (!vector_lanes(st) && !rop_arg(st->rop)) /* half accumulators: fold into the identity */
      x = cg_binop(g, red_comb[st->rop - OP_RSUM], st->acc_dt, idv, x);
    X = lane_put(g, X, x, l);
  }
  if (st->rop == OP_RLSE) return o;
  /* identity op x is x itself except a float sum's -0.0 (see sum_fixup) */
  o.v = X;
  /* the identity lanes of a partial group stay the identity: id op id */
  return o;
}

/* A float sum's leaves skip 0 + x: a tree of additions over the raw
 * values differs from the one over 0 + x only when its result is -0.0
 * (no node of the latter is ever -0.0, and wherever both are zeros or
 * both the same nonzero value, so are their sums), so one + 0.0 on the
 * result gives the same bits. Other identities (max's -inf, min's +inf,
 * prod's 1, integer sums) give x exactly. Half accumulators fold each
 * leaf (group_leaves). */
static bool sum_fixup(const kstage *st) {
  return st->rop == OP_RSUM && (st->acc_dt == TC_F32 || st->acc_dt == TC_F64);
}

/* Groups per loop iteration: 8 (a level-3 subtree, half the stack
 * merges) when the value is a few ops, else 4 (code size). */
static int value_nodes(const kval *v, int cap) {
  if (!v || cap <= 0) return 0;
  int n = 1;
  n += value_nodes(v->a, cap - n);
  n += value_nodes(v->b, cap - n);
  n += value_nodes(v->c, cap - n);
  return n;
}

static int unit_groups(const kstage *st) { return value_nodes(st->val, 12) <= 6 ? 8 : 4; }

/* The padded subtree of groups lo .. lo+w-1 of u, only the first `have`
 * existing (the others are the identity, which changes nothing);
 * false when none exists. */
static bool subtree(cg_gen *g, const kstage *st, const lset *u, int lo, int w, int have, lset *out) {
  if (lo >= have) return false;
  if (w == 1) {
    *out = u[lo];
    return true;
  }
  lset a, b;
  subtree(g, st, u, lo, w / 2, have, &a);
  *out = subtree(g, st, u, lo + w / 2, w / 2, have, &b) ? comb(g, st, a, b) : a;
  return true;
}

/* ---- the stack of subtrees ---- */

typedef struct stack {
  bool two; /* the i half is carried (ARG*, RLSE) */
  LLVMTypeRef arr_v, arr_i;
  LLVMValueRef v, i; /* allocas of [64 x <8 x T>] */
} stack;

static stack stack_new(cg_gen *g, const kstage *st) {
  stack S;
  LLVMTypeRef at = cg_reg_type(g, st->acc_dt);
  LLVMTypeRef it = st->rop == OP_RLSE ? at : g->t_i64;
  S.arr_v = LLVMArrayType2(LLVMVectorType(at, KC_LANES), 64);
  S.arr_i = LLVMArrayType2(LLVMVectorType(it, KC_LANES), 64);
  LLVMBuilderRef eb = LLVMCreateBuilderInContext(g->C);
  LLVMBasicBlockRef entry = LLVMGetEntryBasicBlock(g->fn);
  LLVMValueRef first = LLVMGetFirstInstruction(entry);
  if (first) LLVMPositionBuilderBefore(eb, first);
  else LLVMPositionBuilderAtEnd(eb, entry);
  S.two = rop_arg(st->rop) || st->rop == OP_RLSE;
  S.v = LLVMBuildAlloca(eb, S.arr_v, "stk.v");
  S.i = S.two ? LLVMBuildAlloca(eb, S.arr_i, "stk.i") : NULL;
  LLVMDisposeBuilder(eb);
  return S;
}

static LLVMValueRef slot(cg_gen *g, LLVMTypeRef arr, LLVMValueRef base, LLVMValueRef lvl) {
  LLVMValueRef idx[2] = {cg_c64(g, 0), lvl};
  return LLVMBuildInBoundsGEP2(g->B, arr, base, idx, 2, "");
}

static lset stack_get(cg_gen *g, const stack *S, LLVMValueRef lvl) {
  lset o;
  o.v = LLVMBuildLoad2(g->B, LLVMGetElementType(S->arr_v), slot(g, S->arr_v, S->v, lvl), "");
  o.i = S->two ? LLVMBuildLoad2(g->B, LLVMGetElementType(S->arr_i),
                                slot(g, S->arr_i, S->i, lvl), "")
              : LLVMGetUndef(LLVMGetElementType(S->arr_i));
  return o;
}

static void stack_put(cg_gen *g, const stack *S, LLVMValueRef lvl, lset x) {
  LLVMBuildStore(g->B, x.v, slot(g, S->arr_v, S->v, lvl));
  if (S->two) LLVMBuildStore(g->B, x.i, slot(g, S->arr_i, S->i, lvl));
}

/* Merges subtree t, unit number c (i64, the units before it), into the
 * stack: while c's low bit is set, t = stack[lvl] (+) t, c >>= 1, lvl++;
 * then stack[lvl] = t. A loop in the IR. */
static void merge_dyn(cg_gen *g, const kstage *st, const stack *S, lset t, LLVMValueRef c) {
  LLVMBuilderRef B = g->B;
  LLVMBasicBlockRef pre = LLVMGetInsertBlock(B);
  LLVMBasicBlockRef head = LLVMAppendBasicBlockInContext(g->C, g->fn, "merge");
  LLVMBasicBlockRef body = LLVMAppendBasicBlockInContext(g->C, g->fn, "merge.body");
  LLVMBasicBlockRef done = LLVMAppendBasicBlockInContext(g->C, g->fn, "merge.end");
  LLVMBuildBr(B, head);
  LLVMPositionBuilderAtEnd(B, head);
  LLVMValueRef pv = LLVMBuildPhi(B, LLVMTypeOf(t.v), "m.v");
  LLVMValueRef pi = LLVMBuildPhi(B, LLVMTypeOf(t.i), "m.i");
  LLVMValueRef pc = LLVMBuildPhi(B, g->t_i64, "m.c");
  LLVMValueRef pl = LLVMBuildPhi(B, g->t_i64, "m.lvl");
  LLVMValueRef zero = cg_c64(g, 0), one = cg_c64(g, 1);
  LLVMAddIncoming(pv, &t.v, &pre, 1);
  LLVMAddIncoming(pi, &t.i, &pre, 1);
  LLVMAddIncoming(pc, &c, &pre, 1);
  LLVMAddIncoming(pl, &zero, &pre, 1);
  LLVMValueRef bit = icmp(g, LLVMIntNE, LLVMBuildAnd(B, pc, one, ""), zero);
  LLVMBuildCondBr(B, bit, body, done);
  LLVMPositionBuilderAtEnd(B, body);
  lset cur = {pv, pi};
  lset m = comb(g, st, stack_get(g, S, pl), cur);
  LLVMValueRef nc = LLVMBuildLShr(B, pc, one, "");
  LLVMValueRef nl = LLVMBuildAdd(B, pl, one, "");
  LLVMBasicBlockRef body_end = LLVMGetInsertBlock(B);
  LLVMBuildBr(B, head);
  LLVMAddIncoming(pv, &m.v, &body_end, 1);
  LLVMAddIncoming(pi, &m.i, &body_end, 1);
  LLVMAddIncoming(pc, &nc, &body_end, 1);
  LLVMAddIncoming(pl, &nl, &body_end, 1);
  LLVMPositionBuilderAtEnd(B, done);
  stack_put(g, S, pl, cur);
}

/* ---- the stage ---- */

enum { UNIT_MAX = 8 };

static void emit_tree(cg_gen *g, int s) {
  const kstage *st = &g->k->stages[s];
  bool lse = st->rop == OP_RLSE;
  if (lse && st->acc_dt != TC_F32 && st->acc_dt != TC_F64) {
    cg_fail(g, "stage %d: logsumexp needs a float32/float64 accumulator", s);
    return;
  }
  int64_t n = st->n < 0 ? 0 : st->n;
  int64_t G = n / KC_LANES, K = (n + KC_LANES - 1) / KC_LANES; /* full / all groups */
  int UNIT = unit_groups(st);
  int64_t I = G / UNIT;     /* full units: loop iterations */
  int rem = (int)(K - I * UNIT); /* groups of the last, partial unit (0..UNIT) */
  int64_t M = I + (rem > 0);     /* units */
  lset acc = ident_set(g, st);
  stack S;
  bool use_stack = I > 0;
  if (use_stack) S = stack_new(g, st);
  if (I > 0) {
    cg_loop lp;
    cg_loop_begin(g, &lp, cg_c64(g, 0), "red");
    LLVMValueRef r0 = LLVMBuildMul(g->B, lp.iv, cg_c64(g, UNIT * KC_LANES), "");
    lset u[UNIT_MAX], t;
    for (int j = 0; j < UNIT; j++) {
      LLVMValueRef rj = j ? LLVMBuildAdd(g->B, r0, cg_c64(g, j * KC_LANES), "") : r0;
      u[j] = group_leaves(g, s, rj, KC_LANES);
    }
    subtree(g, st, u, 0, UNIT, UNIT, &t);
    merge_dyn(g, st, &S, t, lp.iv);
    cg_loop_end(g, &lp, 1, cg_c64(g, I), "red.end");
  }
  if (rem > 0) { /* the last unit: a padded subtree */
    lset u[UNIT_MAX], t;
    for (int j = 0; j < rem; j++) {
      int64_t r0 = (I * UNIT + j) * KC_LANES;
      int nvalid = n - r0 < KC_LANES ? (int)(n - r0) : KC_LANES;
      u[j] = group_leaves(g, s, cg_c64(g, r0), nvalid);
    }
    subtree(g, st, u, 0, UNIT, rem, &t);
    if (!use_stack) {
      acc = t;
    } else { /* unit I into the stack, then the fold of M's set bits */
      int lvl = 0;
      for (int64_t c = I; c & 1; c >>= 1) t = comb(g, st, stack_get(g, &S, cg_c64(g, lvl++)), t);
      stack_put(g, &S, cg_c64(g, lvl), t);
    }
  }
  if (use_stack) {
    bool have = false;
    for (int b = 0; b < 63; b++) {
      if (!((M >> b) & 1)) continue;
      lset e = stack_get(g, &S, cg_c64(g, b));
      acc = have ? comb(g, st, e, acc) : e;
      have = true;
    }
  }
  g->var[kc_stage_var(g->k, s)] = NULL;
  cg_memo_clear(g);
  /* ((L0 L1)(L2 L3))((L4 L5)(L6 L7)) on the extracted lanes */
  LLVMValueRef Lv[KC_LANES], Li[KC_LANES];
  for (int l = 0; l < KC_LANES; l++) {
    Lv[l] = lane_at(g, acc.v, l);
    Li[l] = lane_at(g, acc.i, l);
  }
  for (int w = 1; w < KC_LANES; w *= 2)
    for (int l = 0; l < KC_LANES; l += 2 * w) cg_red_comb(g, st, &Lv[l], &Li[l], Lv[l + w], Li[l + w]);
  g->acc[s] = cg_red_result(g, st, Lv[0], Li[0]);
  if (sum_fixup(st)) g->acc[s] = LLVMBuildFAdd(g->B, g->acc[s], cf(cg_reg_type(g, st->acc_dt), 0.0), "");
}

/* ---- max and min: one value in any order ---- */

/* Max and min of integers are the same in any order; so are those of
 * floats (kernel.h's maximum/minimum: NaN wins, -0 < +0) except for the
 * bits of a NaN and which zero a plain compare keeps. So they skip the
 * tree: FAST_ACCS accumulators of 8 lanes, each combined with its group
 * by one compare-select (a vmaxps; integers: smax and the like), and for
 * floats a mask of the NaNs seen. The accumulators and lanes then fold
 * exactly (maximum/minimum). A float result that is a zero, or a NaN seen,
 * runs the tree instead (rows of a softmax rarely have either), so the
 * bits are always the tree's. */
enum { FAST_ACCS = 4 };

static bool order_free(const kstage *st) {
  return (st->rop == OP_RMAX || st->rop == OP_RMIN) && vector_lanes(st);
}

static bool float_acc(const kstage *st) { return st->acc_dt == TC_F32 || st->acc_dt == TC_F64; }

/* acc (+) x with a plain compare (floats: a NaN x is dropped; the mask
 * records it) */
static LLVMValueRef fast_comb(cg_gen *g, const kstage *st, LLVMValueRef acc, LLVMValueRef x) {
  if (!float_acc(st)) return cg_binop(g, red_comb[st->rop - OP_RSUM], st->acc_dt, acc, x);
  return sel(g, fcmp(g, st->rop == OP_RMAX ? LLVMRealOGT : LLVMRealOLT, x, acc), x, acc);
}

static void fast_group(cg_gen *g, const kstage *st, int s, LLVMValueRef r0, int nvalid,
                       LLVMValueRef *acc, LLVMValueRef *nan) {
  LLVMValueRef x = group_leaves(g, s, r0, nvalid).v;
  *acc = fast_comb(g, st, *acc, x);
  if (float_acc(st)) *nan = LLVMBuildOr(g->B, *nan, fcmp(g, LLVMRealUNO, x, x), "");
}

static void emit_minmax(cg_gen *g, int s) {
  const kstage *st = &g->k->stages[s];
  LLVMBuilderRef B = g->B;
  int64_t n = st->n < 0 ? 0 : st->n;
  int64_t G = n / KC_LANES, K = (n + KC_LANES - 1) / KC_LANES;
  int64_t I = G / FAST_ACCS;            /* loop iterations */
  int rem = (int)(K - I * FAST_ACCS);  /* groups after the loop */
  LLVMValueRef idv, idi;
  cg_red_ident(g, st, &idv, &idi);
  LLVMTypeRef mt = LLVMVectorType(LLVMInt1TypeInContext(g->C), KC_LANES);
  LLVMValueRef acc[FAST_ACCS], nan = LLVMConstNull(mt);
  for (int j = 0; j < FAST_ACCS; j++) acc[j] = splat(idv);
  if (I > 0) {
    cg_loop lp;
    cg_loop_begin(g, &lp, cg_c64(g, 0), "mm");
    LLVMValueRef pa[FAST_ACCS], pn = LLVMBuildPhi(B, mt, "mm.nan");
    LLVMAddIncoming(pn, &nan, &lp.pre, 1);
    for (int j = 0; j < FAST_ACCS; j++) {
      pa[j] = LLVMBuildPhi(B, LLVMTypeOf(acc[j]), "mm.acc");
      LLVMAddIncoming(pa[j], &acc[j], &lp.pre, 1);
      acc[j] = pa[j];
    }
    nan = pn;
    LLVMValueRef r0 = LLVMBuildMul(B, lp.iv, cg_c64(g, FAST_ACCS * KC_LANES), "");
    for (int j = 0; j < FAST_ACCS; j++)
      fast_group(g, st, s, j ? LLVMBuildAdd(B, r0, cg_c64(g, j * KC_LANES), "") : r0, KC_LANES, &acc[j], &nan);
    LLVMBasicBlockRef latch = cg_loop_end(g, &lp, 1, cg_c64(g, I), "mm.end");
    LLVMAddIncoming(pn, &nan, &latch, 1);
    for (int j = 0; j < FAST_ACCS; j++) LLVMAddIncoming(pa[j], &acc[j], &latch, 1);
  }
  for (int j = 0; j < rem; j++) {
    int64_t r0 = (I * FAST_ACCS + j) * KC_LANES;
    fast_group(g, st, s, cg_c64(g, r0), n - r0 < KC_LANES ? (int)(n - r0) : KC_LANES, &acc[j], &nan);
  }
  g->var[kc_stage_var(g->k, s)] = NULL;
  cg_memo_clear(g);
  LLVMValueRef v = acc[0], unused = LLVMGetUndef(g->t_i64);
  for (int j = 1; j < FAST_ACCS; j++) cg_red_comb(g, st, &v, &unused, acc[j], unused);
  LLVMValueRef m = lane_at(g, v, 0);
  for (int l = 1; l < KC_LANES; l++) cg_red_comb(g, st, &m, &unused, lane_at(g, v, l), unused);
  if (!float_acc(st)) {
    g->acc[s] = m;
    return;
  }
  LLVMValueRef any_nan = icmp(g, LLVMIntNE, LLVMBuildBitCast(B, nan, LLVMIntTypeInContext(g->C, KC_LANES), ""),
                              LLVMConstInt(LLVMIntTypeInContext(g->C, KC_LANES), 0, 0));
  LLVMValueRef exact = LLVMBuildOr(B, any_nan, fcmp(g, LLVMRealOEQ, m, cf(LLVMTypeOf(m), 0.0)), "");
  LLVMBasicBlockRef fast_end = LLVMGetInsertBlock(B);
  LLVMBasicBlockRef tree = cg_block(g, "mm.tree"), join = cg_block(g, "mm.join");
  LLVMBuildCondBr(B, exact, tree, join);
  LLVMPositionBuilderAtEnd(B, tree);
  emit_tree(g, s);
  LLVMValueRef tv = g->acc[s];
  LLVMBasicBlockRef tree_end = LLVMGetInsertBlock(B);
  LLVMBuildBr(B, join);
  LLVMPositionBuilderAtEnd(B, join);
  LLVMValueRef r = LLVMBuildPhi(B, LLVMTypeOf(m), "mm.r");
  LLVMAddIncoming(r, &m, &fast_end, 1);
  LLVMAddIncoming(r, &tv, &tree_end, 1);
  g->acc[s] = r;
}

void cg_emit_reduce(cg_gen *g, int s) {
  const kstage *st = &g->k->stages[s];
  if (st->rop < OP_RSUM || st->rop > OP_RLSE) {
    cg_fail(g, "stage %d: unknown reduction op %d", s, st->rop);
    return;
  }
  if (order_free(st)) emit_minmax(g, s);
  else emit_tree(g, s);
}
