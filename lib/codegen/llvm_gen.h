/*
 * llvm_gen.h — state shared by the three parts of the LLVM backend (internal
 * to lib/codegen): llvm.c builds the JIT, the function and its loops (outer
 * row segments, store loops); llvm_tile.c the outer loops of kernels tiled
 * over two dims; llvm_reduce.c the 8-lane reductions;
 * llvm_ops.c turns one kernel value (kval tree) or index expression (ix
 * tree) into straight-line LLVM IR at the builder's position, with
 * kernel.h's exact scalar semantics.
 *
 * Register representation of each dtype: BOOL i1 (i8 0/1 in memory), U8/I8
 * i8, I16 i16, I32 i32, I64 i64, F16 half, BF16 i16 (raw bits), F32 float,
 * F64 double. Value emission never creates basic blocks (integer POW calls
 * an internal helper function), so callers may wrap it in any loop.
 */
#ifndef TC_CODEGEN_LLVM_GEN_H
#define TC_CODEGEN_LLVM_GEN_H
#include <llvm-c/Core.h>
#include <stddef.h>
#include "kernel.h"
#include "llvm.h"

typedef struct cg_memo_ent {
  const void *key; /* a kval* or ix* (NULL: empty slot) */
  LLVMValueRef val;
} cg_memo_ent;

typedef struct cg_gen {
  const kernel *k;
  LLVMContextRef C;
  LLVMModuleRef M;
  LLVMBuilderRef B;
  LLVMValueRef fn;
  const char *cpu, *features; /* host CPU, for function attributes */
  LLVMTypeRef t_i1, t_i8, t_i16, t_i32, t_i64, t_f16, t_f32, t_f64, t_ptr;
  LLVMValueRef bufp[KC_MAX_BUFS];                /* buffer bases (entry) */
  LLVMValueRef parp[KC_MAX_PARAMS];              /* scalar arguments (entry) */
  LLVMValueRef var[TC_MAX_DIMS + KC_MAX_STAGES]; /* loop variables (i64) */
  LLVMValueRef acc[KC_MAX_STAGES];               /* REDUCE results so far */
  /* Values already emitted for the current evaluation of a stage's value
   * at one point (cleared between evaluations: each evaluation is a fresh
   * read of memory, as the interpreter does). */
  cg_memo_ent *memo;
  size_t memo_cap, memo_n;
  char *err;
  size_t errcap;
  int failed; /* an error was recorded in err */
  /* llvm_tile.c's streamed tiles: a store to buffer b goes to element
   * tile_at of the scratch tile tile_buf[b] instead, when that is set */
  LLVMValueRef tile_buf[KC_MAX_BUFS], tile_at;
  LLVMValueRef scopes[3];    /* alias scope lists (llvm_mem.c, lazy) */
  bool gathering;            /* cg_load: the load is a gather's */
  bool scattering;           /* cg_store: a scatter's store, nothing read there */
} cg_gen;

/* llvm.c */
void cg_fn_attrs(cg_gen *g, LLVMValueRef fn);
LLVMValueRef cg_c64(cg_gen *g, int64_t v);
LLVMBasicBlockRef cg_block(cg_gen *g, const char *name); /* appended to fn */
/* All stages at the outer point g->var[0 .. nouter-1]. */
void cg_emit_point(cg_gen *g);
/* A counted loop in do-while form (at least one iteration): begin makes
 * the header with the i64 induction variable iv starting at `start`; end
 * closes it with iv + step < stop and returns the latch block. */
typedef struct cg_loop {
  LLVMBasicBlockRef pre, head;
  LLVMValueRef iv;
} cg_loop;
void cg_loop_begin(cg_gen *g, cg_loop *L, LLVMValueRef start, const char *name);
LLVMBasicBlockRef cg_loop_end(cg_gen *g, cg_loop *L, int64_t step,
                              LLVMValueRef stop, const char *name);
/* An alloca in the entry block (mem2reg makes it a register). */
LLVMValueRef cg_entry_alloca(cg_gen *g, LLVMTypeRef t, const char *name);
/* Whether index e steps by one element per step of variable var (affine). */
bool cg_unit_step(const kernel *k, const ix *e, int var);
/* The stage's value at the current variables, cast to dt (memo cleared). */
LLVMValueRef cg_stage_value(cg_gen *g, const kstage *st, tc_dtype dt);

/* llvm.c: STORE stage s at the current point (a loop over its variable
 * when n > 1). */
void cg_emit_store(cg_gen *g, int s);
/* llvm_tile.c (its plan, cg_tile_plan, is in llvm.h): the function body
 * for [begin, end) in the tiles t describes; branches to exit at the end. */
void cg_emit_tiled(cg_gen *g, const cg_tile *t, LLVMValueRef begin, LLVMValueRef end,
                   LLVMBasicBlockRef exit);

/* llvm_reduce.c: REDUCE stage s at the current point; sets g->acc[s]. */
void cg_emit_reduce(cg_gen *g, int s);
/* Scalar pieces of stage st's reduction (kernel.h's order): the identity
 * pair; (v1, i1) = (v1, i1) (+) (v2, i2); element r's leaf from its value
 * x; the KV_ACC value of the combined lanes. The i half is ARG*'s index
 * (int64) or RLSE's s; other reductions ignore it. */
void cg_red_ident(cg_gen *g, const kstage *st, LLVMValueRef *v, LLVMValueRef *i);
void cg_red_comb(cg_gen *g, const kstage *st, LLVMValueRef *v1, LLVMValueRef *i1,
                 LLVMValueRef v2, LLVMValueRef i2);
void cg_red_leaf(cg_gen *g, const kstage *st, LLVMValueRef x, LLVMValueRef r,
                 LLVMValueRef *v, LLVMValueRef *i);
LLVMValueRef cg_red_result(cg_gen *g, const kstage *st, LLVMValueRef v, LLVMValueRef i);

/* llvm_colred.c: a column-shaped kernel's (cg_llvm_columns, llvm.h) row
 * segment [start, stop) of the last outer dim (the other outer variables
 * set, start < stop), computed panel by panel, vectorized across points. */
void cg_emit_columns(cg_gen *g, LLVMValueRef start, LLVMValueRef stop);

/* llvm_ops.c */
void cg_fail(cg_gen *g, const char *fmt, ...);
void cg_memo_clear(cg_gen *g);
LLVMTypeRef cg_reg_type(cg_gen *g, tc_dtype dt);
LLVMTypeRef cg_mem_type(cg_gen *g, tc_dtype dt);
LLVMValueRef cg_ix(cg_gen *g, const ix *e);
LLVMValueRef cg_val(cg_gen *g, const kval *v);
LLVMValueRef cg_cast(cg_gen *g, LLVMValueRef v, tc_dtype from, tc_dtype to);
/* a (op) b on dtype dt (EW binary op, both operands of dt). */
LLVMValueRef cg_binop(cg_gen *g, int op, tc_dtype dt, LLVMValueRef a,
                      LLVMValueRef b);
LLVMValueRef cg_libm1(cg_gen *g, const char *base, tc_dtype dt,
                      LLVMValueRef x); /* base + "f" for float32 */
/* kc_expf / kc_exp (dt F32 / F64) of a scalar or a vector, inline and
 * branch-free */
LLVMValueRef cg_exp(cg_gen *g, tc_dtype dt, LLVMValueRef x);
/* llvm_mem.c: buffer element loads and stores (with their alias scopes) */
LLVMValueRef cg_load(cg_gen *g, int buf, LLVMValueRef index);
void cg_store(cg_gen *g, int buf, LLVMValueRef index, LLVMValueRef v);
/* A call of LLVM intrinsic `name` overloaded on tys (llvm_ops.c). */
LLVMValueRef cg_intrinsic(cg_gen *g, const char *name, LLVMTypeRef *tys, int ntys, LLVMValueRef *args,
                          int nargs);
/* A compaction stage (kernel.h's keep) at the current outer point. */
void cg_emit_compact(cg_gen *g, int s);

/* ---- small builders shared by llvm_ops.c and llvm_reduce.c ---- */
static inline LLVMValueRef ci(LLVMTypeRef t, int64_t v) {
  return LLVMConstInt(t, (unsigned long long)v, 1);
}
static inline LLVMValueRef cf(LLVMTypeRef t, double v) { return LLVMConstReal(t, v); }
static inline LLVMValueRef sel(cg_gen *g, LLVMValueRef c, LLVMValueRef a, LLVMValueRef b) {
  return LLVMBuildSelect(g->B, c, a, b, "");
}
static inline LLVMValueRef icmp(cg_gen *g, LLVMIntPredicate p, LLVMValueRef a, LLVMValueRef b) {
  return LLVMBuildICmp(g->B, p, a, b, "");
}
static inline LLVMValueRef fcmp(cg_gen *g, LLVMRealPredicate p, LLVMValueRef a, LLVMValueRef b) {
  return LLVMBuildFCmp(g->B, p, a, b, "");
}
static inline bool dt_signed(tc_dtype dt) {
  return dt == TC_I8 || dt == TC_I16 || dt == TC_I32 || dt == TC_I64;
}

#endif
