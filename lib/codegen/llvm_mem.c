/*
 * llvm_mem.c — loads and stores of kernel buffers, and the alias scopes
 * that let LLVM vectorize loops whose addresses are data (gathers and
 * scatters) without a runtime overlap check it cannot build.
 */
#include <string.h>

#include "../ir/ir.h"
#include "llvm_gen.h"

static LLVMValueRef elem_ptr(cg_gen *g, int buf, LLVMValueRef index) {
  LLVMTypeRef mt = cg_mem_type(g, g->k->bufs[buf].dt);
  return LLVMBuildInBoundsGEP2(g->B, mt, g->bufp[buf], &index, 1, "");
}

/* Two alias scopes, for accesses at data-dependent positions LLVM cannot
 * bound (without them it could not emit a runtime overlap check, and would
 * not vectorize the loop at all):
 * - G: loads at data positions (gathers) from a buffer the kernel does not
 *   write. Such a buffer is never memory the kernel writes (a gather from
 *   the version a write replaces sends the write to a copy, lower.c), and
 *   loads commute with loads: every other access is outside G.
 * - S: stores at data positions (scatters) that do not read what is there.
 *   A scatter goes in place only when nothing in its kernel reads the old
 *   version (else into a copy), so no load of its kernel reads its buffer:
 *   every load is outside S. */
enum { MD_G, MD_S, MD_GS };

static LLVMValueRef scope_list(cg_gen *g, int which) {
  if (!g->scopes[0]) {
    LLVMMetadataRef dom_name = LLVMMDStringInContext2(g->C, "tc.domain", 9);
    LLVMMetadataRef dom = LLVMMDNodeInContext2(g->C, &dom_name, 1);
    LLVMMetadataRef gs[2] = {LLVMMDStringInContext2(g->C, "tc.gather", 9), dom};
    LLVMMetadataRef ss[2] = {LLVMMDStringInContext2(g->C, "tc.scatter", 10), dom};
    LLVMMetadataRef sc[2] = {LLVMMDNodeInContext2(g->C, gs, 2), LLVMMDNodeInContext2(g->C, ss, 2)};
    g->scopes[MD_G] = LLVMMetadataAsValue(g->C, LLVMMDNodeInContext2(g->C, &sc[0], 1));
    g->scopes[MD_S] = LLVMMetadataAsValue(g->C, LLVMMDNodeInContext2(g->C, &sc[1], 1));
    g->scopes[MD_GS] = LLVMMetadataAsValue(g->C, LLVMMDNodeInContext2(g->C, sc, 2));
  }
  return g->scopes[which];
}

static void set_md(cg_gen *g, LLVMValueRef inst, const char *kind, LLVMValueRef md) {
  LLVMSetMetadata(inst, LLVMGetMDKindIDInContext(g->C, kind, (unsigned)strlen(kind)), md);
}

LLVMValueRef cg_load(cg_gen *g, int buf, LLVMValueRef index) {
  tc_dtype dt = g->k->bufs[buf].dt;
  LLVMTypeRef mt = cg_mem_type(g, dt);
  LLVMValueRef v = LLVMBuildLoad2(g->B, mt, elem_ptr(g, buf, index), "");
  LLVMSetAlignment(v, (unsigned)ir_dtype_size(dt));
  if (!g->gathering) {
    set_md(g, v, "noalias", scope_list(g, MD_GS));
  } else if (!g->k->bufs[buf].written) {
    set_md(g, v, "alias.scope", scope_list(g, MD_G));
    set_md(g, v, "noalias", scope_list(g, MD_S));
  }
  if (dt == TC_BOOL) v = icmp(g, LLVMIntNE, v, ci(g->t_i8, 0));
  return v;
}

void cg_store(cg_gen *g, int buf, LLVMValueRef index, LLVMValueRef v) {
  tc_dtype dt = g->k->bufs[buf].dt;
  if (dt == TC_BOOL) v = LLVMBuildZExt(g->B, v, g->t_i8, "");
  LLVMValueRef p = g->tile_buf[buf]
                       ? LLVMBuildInBoundsGEP2(g->B, cg_mem_type(g, dt), g->tile_buf[buf], &g->tile_at, 1, "")
                       : elem_ptr(g, buf, index);
  LLVMValueRef st = LLVMBuildStore(g->B, v, p);
  LLVMSetAlignment(st, (unsigned)ir_dtype_size(dt));
  if (g->scattering) set_md(g, st, "alias.scope", scope_list(g, MD_S));
  set_md(g, st, "noalias", scope_list(g, MD_G));
}

/* ---- compactions (kernel.h: a store stage with `keep`) ----
 * CV steps at a time: the values and the keeps as vectors, the kept
 * values moved to the vector's front (AVX-512's register compress, or
 * LLVM's generic vector.compress elsewhere), stored by a masked store of
 * their count at index + dyn + the count so far: no branch on the data
 * and nothing written past the kept values, so rows on other threads stay
 * untouched. The steps past the last whole vector one by one. */

/* Whether the comma-separated feature list f has +name. */
static bool has_feature(const char *f, const char *name) {
  size_t n = strlen(name);
  for (const char *p = f ? strstr(f, name) : NULL; p; p = strstr(p + 1, name))
    if (p > f && p[-1] == '+' && (p[n] == ',' || p[n] == '\0')) return true;
  return false;
}

/* The values of kv at the lanes steps of variable var from iv, cast to dt,
 * as one vector (of dt's memory type for BOOL: i8): one vector load when
 * kv is a load of a dt buffer stepping by one element, else lane by lane. */
static LLVMValueRef lanes(cg_gen *g, const kval *kv, int var, LLVMValueRef iv, tc_dtype dt, unsigned nl) {
  LLVMBuilderRef B = g->B;
  g->var[var] = iv;
  cg_memo_clear(g);
  if (kv->kind == KV_LOAD && !kv->a && g->k->bufs[kv->buf].dt == dt && cg_unit_step(g->k, kv->index, var)) {
    LLVMTypeRef vt = LLVMVectorType(cg_mem_type(g, dt), nl);
    LLVMValueRef at = cg_ix(g, kv->index);
    LLVMValueRef x = LLVMBuildLoad2(B, vt, elem_ptr(g, kv->buf, at), "");
    LLVMSetAlignment(x, (unsigned)ir_dtype_size(dt));
    set_md(g, x, "noalias", scope_list(g, MD_GS));
    return x;
  }
  LLVMTypeRef et = dt == TC_BOOL ? g->t_i8 : cg_reg_type(g, dt);
  LLVMValueRef x = LLVMGetPoison(LLVMVectorType(et, nl));
  for (unsigned l = 0; l < nl; l++) {
    g->var[var] = LLVMBuildAdd(B, iv, cg_c64(g, l), "");
    cg_memo_clear(g);
    LLVMValueRef e = cg_cast(g, cg_val(g, kv), kv->dt, dt);
    if (dt == TC_BOOL) e = LLVMBuildZExt(B, e, g->t_i8, "");
    x = LLVMBuildInsertElement(B, x, e, LLVMConstInt(g->t_i32, l, 0), "");
  }
  return x;
}

void cg_emit_compact(cg_gen *g, int s) {
  const kstage *st = &g->k->stages[s];
  int var = kc_stage_var(g->k, s);
  tc_dtype dt = g->k->bufs[st->buf].dt;
  LLVMBuilderRef B = g->B;
  unsigned es = (unsigned)ir_dtype_size(dt), nl = es == 8 ? 8 : 16;
  /* index and dyn do not use the stage's variable: the row's first position */
  g->var[var] = cg_c64(g, 0);
  cg_memo_clear(g);
  LLVMValueRef base = cg_ix(g, st->index);
  if (st->dyn) base = LLVMBuildAdd(B, base, cg_cast(g, cg_val(g, st->dyn), st->dyn->dt, TC_I64), "");
  LLVMValueRef cnt = cg_entry_alloca(g, g->t_i64, "kept");
  LLVMBuildStore(B, cg_c64(g, 0), cnt);
  int64_t nv = st->n / nl * nl;
  g->scattering = true; /* stored where data says, nothing read there (llvm_mem.c's S) */
  if (nv > 0) {
    LLVMTypeRef it = LLVMIntTypeInContext(g->C, es * 8), vit = LLVMVectorType(it, nl);
    LLVMTypeRef mt = LLVMIntTypeInContext(g->C, nl), vmt = LLVMVectorType(g->t_i1, nl);
    bool hw = has_feature(g->features, "avx512f") && (es >= 4 || has_feature(g->features, "avx512vbmi2"));
    cg_loop J;
    cg_loop_begin(g, &J, cg_c64(g, 0), "compact");
    LLVMValueRef v = lanes(g, st->val, var, J.iv, dt, nl);
    LLVMValueRef kb = lanes(g, st->keep, var, J.iv, TC_BOOL, nl);
    LLVMValueRef k = LLVMBuildICmp(B, LLVMIntNE, kb, LLVMConstNull(LLVMTypeOf(kb)), "");
    if (dt == TC_BOOL && LLVMGetElementType(LLVMTypeOf(v)) == g->t_i1) v = LLVMBuildZExt(B, v, vit, "");
    v = LLVMBuildBitCast(B, v, vit, "");
    LLVMValueRef c;
    if (hw) {
      LLVMValueRef a[3] = {v, LLVMGetPoison(vit), k};
      c = cg_intrinsic(g, "llvm.x86.avx512.mask.compress", &vit, 1, a, 3);
    } else {
      LLVMValueRef a[3] = {v, k, LLVMGetPoison(vit)};
      c = cg_intrinsic(g, "llvm.experimental.vector.compress", &vit, 1, a, 3);
    }
    LLVMValueRef bits = LLVMBuildBitCast(B, k, mt, "");
    LLVMValueRef pop = LLVMBuildZExt(B, cg_intrinsic(g, "llvm.ctpop", &mt, 1, &bits, 1), g->t_i64, "");
    /* the first pop lanes: (1 << pop) - 1, in 64 bits (pop may be nl) */
    LLVMValueRef sm = LLVMBuildSub(B, LLVMBuildShl(B, cg_c64(g, 1), pop, ""), cg_c64(g, 1), "");
    sm = LLVMBuildBitCast(B, LLVMBuildTrunc(B, sm, mt, ""), vmt, "");
    LLVMValueRef old = LLVMBuildLoad2(B, g->t_i64, cnt, "");
    LLVMValueRef at = LLVMBuildAdd(B, base, old, "");
    LLVMValueRef p = LLVMBuildInBoundsGEP2(B, it, g->bufp[st->buf], &at, 1, "");
    LLVMTypeRef sty[2] = {vit, g->t_ptr};
    LLVMValueRef sa[4] = {c, p, LLVMConstInt(g->t_i32, es, 0), sm};
    LLVMValueRef w = cg_intrinsic(g, "llvm.masked.store", sty, 2, sa, 4);
    set_md(g, w, "alias.scope", scope_list(g, MD_S));
    set_md(g, w, "noalias", scope_list(g, MD_G));
    LLVMBuildStore(B, LLVMBuildAdd(B, old, pop, ""), cnt);
    cg_loop_end(g, &J, nl, cg_c64(g, nv), "compact.end");
  }
  if (nv < st->n) {
    cg_loop T;
    cg_loop_begin(g, &T, cg_c64(g, nv), "compact.rest");
    g->var[var] = T.iv;
    cg_memo_clear(g);
    LLVMValueRef k = cg_cast(g, cg_val(g, st->keep), st->keep->dt, TC_BOOL);
    LLVMBasicBlockRef yes = cg_block(g, "kept"), next = cg_block(g, "kept.end");
    LLVMBuildCondBr(B, k, yes, next);
    LLVMPositionBuilderAtEnd(B, yes);
    LLVMValueRef v = cg_stage_value(g, st, dt);
    LLVMValueRef old = LLVMBuildLoad2(B, g->t_i64, cnt, "");
    cg_store(g, st->buf, LLVMBuildAdd(B, base, old, ""), v);
    LLVMBuildStore(B, LLVMBuildAdd(B, old, cg_c64(g, 1), ""), cnt);
    LLVMBuildBr(B, next);
    LLVMPositionBuilderAtEnd(B, next);
    cg_loop_end(g, &T, 1, cg_c64(g, st->n), "compact.rest.end");
  }
  g->scattering = false;
  g->var[var] = NULL;
  cg_memo_clear(g);
}
