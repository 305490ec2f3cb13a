/*
 * llvm_colred.c — column-shaped kernels on the CPU: reductions whose
 * elements lie far apart in memory (the reduction's stride is a row) while
 * neighbouring outer points are neighbours in memory (x.sum(0), a mean
 * over the first dim). The row path (llvm_reduce.c) would gather each lane
 * from eight rows; here a panel of P adjacent points of the last outer dim
 * is computed at once, every step a loop over the panel's columns that
 * LLVM's loop vectorizer widens (contiguous loads across points), and the
 * rows of the input are read in order, four at a time.
 *
 * The bits are kernel.h's, exactly: each point keeps its 8 lanes and each
 * lane its own binary counter of perfect subtrees, only held in memory for
 * the whole panel instead of in registers for one point. Lane l of a point
 * takes the elements r = l + 8k; a unit is 4 groups (32 elements, a
 * level-2 subtree of each lane: leaves k = 4u .. 4u+3). For unit u and lane
 * l, one loop over the columns computes the unit's subtree
 * ((x0 x1)(x2 x3)) of every column and merges it into the lane's stack:
 * with d = the trailing ones of u, it is stored at level 0 (d == 0) or
 * becomes S[d] = S[d-1] (+) (... (S[0] (+) t)): one loop over the
 * columns for the subtree and the first combine, one per further level
 * (the lane loop around them is not unrolled: code size). The stack lives
 * in an alloca of 8 lanes x LV levels x P columns (LV: the bit length of
 * the number of full units; P chosen so that it stays under
 * COL_STACK_BYTES). A final
 * loop over the columns does what is static (n is a constant): the last,
 * partial unit, its carries, the fold of the set bits of the unit count
 * (smaller subtrees first, as the right operand), and the lane tree
 * ((L0 L1)(L2 L3))((L4 L5)(L6 L7)); the KV_ACC value of each column goes
 * to an array later stages read. STORE stages (one element each) are loops
 * over the columns too. Stages run one after another over the whole panel,
 * which equals running them point by point because outer points are
 * independent.
 */
#include <llvm-c/DebugInfo.h>
#include <llvm-c/Target.h>

#include "llvm.h"
#include "llvm_gen.h"

enum {
  COL_UNIT = 4,                /* groups of 8 elements per unit */
  COL_MIN_WIDTH = 16,          /* the last outer dim must be at least this */
  COL_MAX_PANEL = 1024,        /* columns per panel at most */
  COL_STACK_BYTES = 256 << 10, /* the stacks of a panel at most */
  COL_WALK = 4096              /* kval nodes looked at to decide */
};

/* ---- which kernels ---- */

typedef struct shape_walk {
  int nvars, last, rvar;
  int col, row, budget;
} shape_walk;

static void walk_loads(shape_walk *w, const kval *v) {
  if (!v || w->budget <= 0) return;
  w->budget--;
  if (v->kind == KV_LOAD && v->index && ix_uses_var(v->index, w->rvar)) {
    int64_t coef[TC_MAX_DIMS + KC_MAX_STAGES], c0;
    if (!ix_affine(v->index, w->nvars, coef, &c0)) return;
    int64_t cl = coef[w->last], cr = coef[w->rvar];
    if (cl == 0) return; /* the same for every point: a broadcast either way */
    if (cr == 1 || cr == -1) w->row++;
    else if (cl >= -4 && cl <= 4) w->col++;
    return;
  }
  walk_loads(w, v->a);
  walk_loads(w, v->b);
  walk_loads(w, v->c);
}

bool cg_llvm_columns(const kernel *k) {
  if (k->nouter < 1 || k->serial || k->nstages < 1) return false;
  int last = k->nouter - 1;
  if (k->outer[last] < COL_MIN_WIDTH) return false;
  shape_walk w = {.nvars = k->nouter + k->nstages, .last = last, .budget = COL_WALK};
  int nred = 0;
  for (int s = 0; s < k->nstages; s++) {
    const kstage *st = &k->stages[s];
    if (st->kind == KS_STORE) {
      if (st->n != 1) return false;
      continue;
    }
    if (st->kind != KS_REDUCE || st->rop < OP_RSUM || st->rop > OP_RLSE) return false;
    if (st->rop == OP_RLSE && st->acc_dt != TC_F32 && st->acc_dt != TC_F64) return false;
    if (st->n < 2) continue;
    nred++;
    w.rvar = kc_stage_var(k, s);
    walk_loads(&w, st->val);
  }
  return w.budget > 0 && nred > 0 && w.col > 0 && w.row == 0;
}

/* ---- the panel ---- */

typedef struct colgen {
  cg_gen *g;
  int last;
  int64_t P;               /* columns per panel (static) */
  LLVMValueRef p0, pw;     /* this panel's first column and width */
  LLVMValueRef stk;        /* the stacks: an i8 alloca shared by the stages */
  LLVMValueRef res[KC_MAX_STAGES]; /* REDUCE results, one per column */
} colgen;

static bool two_halves(const kstage *st) {
  return st->rop == OP_RARGMAX || st->rop == OP_RARGMIN || st->rop == OP_RLSE;
}

/* register types of the two halves of a lane value, and of the result */
static LLVMTypeRef half_v(cg_gen *g, const kstage *st) { return cg_reg_type(g, st->acc_dt); }
static LLVMTypeRef half_i(cg_gen *g, const kstage *st) {
  return st->rop == OP_RLSE ? cg_reg_type(g, st->acc_dt) : g->t_i64;
}
static LLVMTypeRef res_type(cg_gen *g, const kstage *st) {
  if (st->rop == OP_RARGMAX || st->rop == OP_RARGMIN) return g->t_i64;
  if (st->rop == OP_RLSE) return g->t_f64;
  return cg_reg_type(g, st->acc_dt);
}

/* memory holds bool as i8 */
static LLVMTypeRef mem_of(cg_gen *g, LLVMTypeRef t) { return t == g->t_i1 ? g->t_i8 : t; }

static LLVMValueRef ld(cg_gen *g, LLVMTypeRef t, LLVMValueRef base, LLVMValueRef idx) {
  LLVMTypeRef mt = mem_of(g, t);
  LLVMValueRef p = LLVMBuildInBoundsGEP2(g->B, mt, base, &idx, 1, "");
  LLVMValueRef v = LLVMBuildLoad2(g->B, mt, p, "");
  return mt != t ? LLVMBuildTrunc(g->B, v, t, "") : v;
}

static void st_(cg_gen *g, LLVMTypeRef t, LLVMValueRef base, LLVMValueRef idx, LLVMValueRef v) {
  LLVMTypeRef mt = mem_of(g, t);
  if (mt != t) v = LLVMBuildZExt(g->B, v, mt, "");
  LLVMValueRef p = LLVMBuildInBoundsGEP2(g->B, mt, base, &idx, 1, "");
  LLVMBuildStore(g->B, v, p);
}

static int64_t type_bytes(cg_gen *g, LLVMTypeRef t) {
  LLVMTargetDataRef td = LLVMGetModuleDataLayout(g->M);
  return (int64_t)LLVMABISizeOfType(td, mem_of(g, t));
}

static LLVMValueRef entry_alloca(cg_gen *g, LLVMTypeRef t, int64_t n, const char *name) {
  LLVMBuilderRef eb = LLVMCreateBuilderInContext(g->C);
  LLVMBasicBlockRef entry = LLVMGetEntryBasicBlock(g->fn);
  LLVMValueRef first = LLVMGetFirstInstruction(entry);
  if (first) LLVMPositionBuilderBefore(eb, first);
  else LLVMPositionBuilderAtEnd(eb, entry);
  LLVMValueRef a = LLVMBuildAlloca(eb, LLVMArrayType2(t, (uint64_t)(n > 0 ? n : 1)), name);
  LLVMSetAlignment(a, 64);
  LLVMDisposeBuilder(eb);
  return a;
}

/* full units of stage st, and its stack levels */
static int64_t units(const kstage *st) { return (st->n > 0 ? st->n : 0) / KC_LANES / COL_UNIT; }
static int levels(int64_t I) {
  int b = 0;
  while (I >> b) b++;
  return b;
}

/* ---- loops over the panel's columns ---- */

/* Opens the loop over columns c in [0, pw): the last outer variable is
 * p0 + c and the results of REDUCE stages before `upto` are loaded. */
static void cols_begin(colgen *G, cg_loop *L, int upto) {
  cg_gen *g = G->g;
  cg_loop_begin(g, L, cg_c64(g, 0), "col");
  g->var[G->last] = LLVMBuildAdd(g->B, G->p0, L->iv, "");
  for (int s = 0; s < upto; s++)
    g->acc[s] = G->res[s] ? ld(g, res_type(g, &g->k->stages[s]), G->res[s], L->iv) : NULL;
}

static void cols_end(colgen *G, cg_loop *L) {
  cg_gen *g = G->g;
  cg_loop_end(g, L, 1, G->pw, "col.end");
  for (int s = 0; s < KC_MAX_STAGES; s++) g->acc[s] = NULL;
  g->var[G->last] = NULL;
  cg_memo_clear(g);
}

/* ---- one REDUCE stage over the panel ---- */

typedef struct colred {
  colgen *G;
  int s;
  const kstage *st;
  int LV;
  LLVMTypeRef tv, ti;
  LLVMValueRef sv, si; /* the stacks' two halves: [8][LV][P] */
} colred;

/* the stack slot (lane l, level lvl) at column c: ((l * LV) + lvl) * P + c */
static LLVMValueRef slot(colred *R, LLVMValueRef l, LLVMValueRef lvl, LLVMValueRef c) {
  cg_gen *g = R->G->g;
  LLVMBuilderRef B = g->B;
  LLVMValueRef row = LLVMBuildAdd(B, LLVMBuildMul(B, l, cg_c64(g, R->LV), ""), lvl, "");
  return LLVMBuildAdd(B, LLVMBuildMul(B, row, cg_c64(g, R->G->P), ""), c, "");
}

static void sget(colred *R, LLVMValueRef at, LLVMValueRef *v, LLVMValueRef *i) {
  cg_gen *g = R->G->g;
  *v = ld(g, R->tv, R->sv, at);
  if (two_halves(R->st)) *i = ld(g, R->ti, R->si, at);
  else *i = cg_c64(g, INT64_MAX);
}

static void sput(colred *R, LLVMValueRef at, LLVMValueRef v, LLVMValueRef i) {
  cg_gen *g = R->G->g;
  st_(g, R->tv, R->sv, at, v);
  if (two_halves(R->st)) st_(g, R->ti, R->si, at, i);
}

/* element r's leaf at the current column */
static void leaf(colred *R, LLVMValueRef r, LLVMValueRef *v, LLVMValueRef *i) {
  cg_gen *g = R->G->g;
  g->var[kc_stage_var(g->k, R->s)] = r;
  LLVMValueRef x = cg_stage_value(g, R->st, R->st->acc_dt);
  cg_red_leaf(g, R->st, x, r, v, i);
}

/* the full unit's subtree ((x0 x1)(x2 x3)) of lane rows rbase + 8j */
static void unit_tree(colred *R, LLVMValueRef rbase, LLVMValueRef *v, LLVMValueRef *i) {
  cg_gen *g = R->G->g;
  LLVMValueRef lv[COL_UNIT], li[COL_UNIT];
  for (int j = 0; j < COL_UNIT; j++)
    leaf(R, j ? LLVMBuildAdd(g->B, rbase, cg_c64(g, j * KC_LANES), "") : rbase, &lv[j], &li[j]);
  cg_red_comb(g, R->st, &lv[0], &li[0], lv[1], li[1]);
  cg_red_comb(g, R->st, &lv[2], &li[2], lv[3], li[3]);
  cg_red_comb(g, R->st, &lv[0], &li[0], lv[2], li[2]);
  *v = lv[0];
  *i = li[0];
}

static LLVMValueRef trailing_ones(cg_gen *g, LLVMValueRef u) {
  const char *name = "llvm.cttz";
  unsigned id = LLVMLookupIntrinsicID(name, 9);
  LLVMTypeRef t = g->t_i64;
  LLVMValueRef f = LLVMGetIntrinsicDeclaration(g->M, id, &t, 1);
  LLVMTypeRef ft = LLVMIntrinsicGetType(g->C, id, &t, 1);
  LLVMValueRef args[2] = {LLVMBuildNot(g->B, u, ""), LLVMConstInt(g->t_i1, 0, 0)};
  return LLVMBuildCall2(g->B, ft, f, args, 2, "");
}

/* Marks the loop whose latch is `latch` not to be unrolled: the lane
 * loop's body is a vectorized loop already (code size, compile time). */
static void no_unroll(cg_gen *g, LLVMBasicBlockRef latch) {
  LLVMMetadataRef dis = LLVMMDStringInContext2(g->C, "llvm.loop.unroll.disable", 24);
  LLVMMetadataRef dn = LLVMMDNodeInContext2(g->C, &dis, 1);
  LLVMMetadataRef tmp = LLVMTemporaryMDNode(g->C, NULL, 0);
  LLVMMetadataRef ops[2] = {tmp, dn};
  LLVMMetadataRef loop = LLVMMDNodeInContext2(g->C, ops, 2);
  LLVMMetadataReplaceAllUsesWith(tmp, loop);
  unsigned kind = LLVMGetMDKindIDInContext(g->C, "llvm.loop", 9);
  LLVMSetMetadata(LLVMGetBasicBlockTerminator(latch), kind, LLVMMetadataAsValue(g->C, loop));
}

/* The loop over the full units: each unit's subtree merged into every
 * column's stack, lane by lane: S[d] = d ? S[0] (+) t : t in one loop over
 * the columns (S[0] is read either way; when d == 0 that value is unused),
 * then S[d] = S[j] (+) S[d] for j = 1 .. d-1. */
static void full_units(colred *R, int64_t I) {
  colgen *G = R->G;
  cg_gen *g = G->g;
  LLVMBuilderRef B = g->B;
  const kstage *st = R->st;
  LLVMValueRef zero = cg_c64(g, 0);
  cg_loop U, Ln, C, J;
  cg_loop_begin(g, &U, zero, "unit");
  LLVMValueRef d = trailing_ones(g, U.iv);
  LLVMValueRef carry = icmp(g, LLVMIntNE, d, zero);
  cg_loop_begin(g, &Ln, zero, "lane");
  LLVMValueRef l = Ln.iv;
  LLVMValueRef rbase = LLVMBuildAdd(B, LLVMBuildMul(B, U.iv, cg_c64(g, COL_UNIT * KC_LANES), ""), l, "");
  cols_begin(G, &C, R->s);
  {
    LLVMValueRef v, i, sv, si;
    unit_tree(R, rbase, &v, &i);
    sget(R, slot(R, l, zero, C.iv), &sv, &si);
    cg_red_comb(g, st, &sv, &si, v, i);
    sput(R, slot(R, l, d, C.iv), sel(g, carry, sv, v), two_halves(st) ? sel(g, carry, si, i) : i);
  }
  cols_end(G, &C);
  LLVMBasicBlockRef b_chain = LLVMAppendBasicBlockInContext(g->C, g->fn, "unit.chain");
  LLVMBasicBlockRef b_join = LLVMAppendBasicBlockInContext(g->C, g->fn, "unit.join");
  LLVMBuildCondBr(B, icmp(g, LLVMIntSGT, d, cg_c64(g, 1)), b_chain, b_join);
  LLVMPositionBuilderAtEnd(B, b_chain);
  cg_loop_begin(g, &J, cg_c64(g, 1), "chain");
  cols_begin(G, &C, R->s);
  {
    LLVMValueRef av, ai, tv, ti;
    LLVMValueRef top = slot(R, l, d, C.iv);
    sget(R, slot(R, l, J.iv, C.iv), &av, &ai);
    sget(R, top, &tv, &ti);
    cg_red_comb(g, st, &av, &ai, tv, ti);
    sput(R, top, av, ai);
  }
  cols_end(G, &C);
  cg_loop_end(g, &J, 1, d, "chain.end");
  LLVMBuildBr(B, b_join);
  LLVMPositionBuilderAtEnd(B, b_join);
  no_unroll(g, cg_loop_end(g, &Ln, 1, cg_c64(g, KC_LANES), "lane.end"));
  cg_loop_end(g, &U, 1, cg_c64(g, I), "unit.end");
}

/* The static rest, one loop over the columns: the partial unit, the fold
 * of the stack, the lane tree; the result into res[s]. */
static void finish(colred *R, int64_t I) {
  colgen *G = R->G;
  cg_gen *g = G->g;
  const kstage *st = R->st;
  int64_t n = st->n > 0 ? st->n : 0;
  int64_t K = (n + KC_LANES - 1) / KC_LANES;
  int rem = (int)(K - I * COL_UNIT);
  int64_t M = I + (rem > 0);
  cg_loop C;
  cols_begin(G, &C, R->s);
  LLVMValueRef Lv[KC_LANES], Li[KC_LANES];
  for (int l = 0; l < KC_LANES; l++) {
    LLVMValueRef lc = cg_c64(g, l);
    LLVMValueRef v, i;
    cg_red_ident(g, st, &v, &i);
    int bottom = -1; /* the level t holds, once it holds something */
    if (rem > 0) {
      LLVMValueRef uv[COL_UNIT], ui[COL_UNIT];
      for (int j = 0; j < rem; j++) {
        int64_t r = (I * COL_UNIT + j) * KC_LANES + l;
        if (r < n) leaf(R, cg_c64(g, r), &uv[j], &ui[j]);
        else cg_red_ident(g, st, &uv[j], &ui[j]);
      }
      v = uv[0], i = ui[0];
      if (rem >= 2) cg_red_comb(g, st, &v, &i, uv[1], ui[1]);
      if (rem == 3) cg_red_comb(g, st, &v, &i, uv[2], ui[2]);
      if (rem == 4) {
        cg_red_comb(g, st, &uv[2], &ui[2], uv[3], ui[3]);
        cg_red_comb(g, st, &v, &i, uv[2], ui[2]);
      }
      bottom = 0;
      for (int64_t c = I; c & 1; c >>= 1, bottom++) {
        LLVMValueRef sv, si;
        sget(R, slot(R, lc, cg_c64(g, bottom), C.iv), &sv, &si);
        cg_red_comb(g, st, &sv, &si, v, i);
        v = sv, i = si;
      }
    }
    for (int b = 0; b < 63 && I > 0; b++) {
      if (!((M >> b) & 1) || b <= bottom) continue;
      LLVMValueRef sv, si;
      sget(R, slot(R, lc, cg_c64(g, b), C.iv), &sv, &si);
      if (bottom >= 0) cg_red_comb(g, st, &sv, &si, v, i);
      v = sv, i = si;
      bottom = b;
    }
    Lv[l] = v, Li[l] = i;
  }
  for (int w = 1; w < KC_LANES; w *= 2)
    for (int l = 0; l < KC_LANES; l += 2 * w) cg_red_comb(g, st, &Lv[l], &Li[l], Lv[l + w], Li[l + w]);
  st_(g, res_type(g, st), G->res[R->s], C.iv, cg_red_result(g, st, Lv[0], Li[0]));
  cols_end(G, &C);
}

static void column_reduce(colgen *G, int s) {
  cg_gen *g = G->g;
  const kstage *st = &g->k->stages[s];
  int64_t I = units(st);
  colred R = {.G = G, .s = s, .st = st, .LV = levels(I), .tv = half_v(g, st), .ti = half_i(g, st)};
  if (I > 0) {
    R.sv = G->stk;
    if (two_halves(st)) {
      LLVMValueRef off = cg_c64(g, KC_LANES * R.LV * G->P * type_bytes(g, R.tv));
      R.si = LLVMBuildInBoundsGEP2(g->B, g->t_i8, G->stk, &off, 1, "");
    }
    full_units(&R, I);
  }
  finish(&R, I);
  g->var[kc_stage_var(g->k, s)] = NULL;
}

void cg_emit_columns(cg_gen *g, LLVMValueRef start, LLVMValueRef stop) {
  const kernel *k = g->k;
  LLVMBuilderRef B = g->B;
  colgen G = {.g = g, .last = k->nouter - 1};
  /* the panel width: the largest stack's bytes per column under the budget */
  int64_t per_col = 0;
  for (int s = 0; s < k->nstages; s++) {
    const kstage *st = &k->stages[s];
    if (st->kind != KS_REDUCE) continue;
    int64_t b = type_bytes(g, half_v(g, st)) + (two_halves(st) ? type_bytes(g, half_i(g, st)) : 0);
    int64_t c = (int64_t)KC_LANES * levels(units(st)) * b;
    if (c > per_col) per_col = c;
  }
  int64_t P = per_col ? COL_STACK_BYTES / per_col : COL_MAX_PANEL;
  if (P > COL_MAX_PANEL) P = COL_MAX_PANEL;
  int64_t width = (k->outer[G.last] + 15) / 16 * 16;
  if (P > width) P = width;
  P = P / 16 * 16;
  if (P < 16) P = 16;
  G.P = P;
  if (per_col) G.stk = entry_alloca(g, g->t_i8, per_col * P, "col.stk");
  for (int s = 0; s < k->nstages; s++)
    if (k->stages[s].kind == KS_REDUCE)
      G.res[s] = entry_alloca(g, mem_of(g, res_type(g, &k->stages[s])), P, "col.res");
  cg_loop Pn;
  cg_loop_begin(g, &Pn, start, "panel");
  G.p0 = Pn.iv;
  LLVMValueRef left = LLVMBuildSub(B, stop, Pn.iv, "");
  G.pw = LLVMBuildSelect(B, icmp(g, LLVMIntSLT, left, cg_c64(g, P)), left, cg_c64(g, P), "pw");
  for (int s = 0; s < k->nstages && !g->failed; s++) {
    if (k->stages[s].kind == KS_REDUCE) {
      column_reduce(&G, s);
    } else {
      cg_loop C;
      cols_begin(&G, &C, s);
      cg_emit_store(g, s);
      cols_end(&G, &C);
    }
  }
  cg_loop_end(g, &Pn, P, stop, "panel.end");
}
