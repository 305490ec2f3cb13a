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
