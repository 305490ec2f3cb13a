/*
 * llvm.c — the CPU backend's driver: one process-wide ORC LLJIT, and the
 * loop structure of a compiled kernel (llvm_reduce.c emits the reductions,
 * llvm_ops.c the values).
 *
 * JIT. Created lazily under a mutex: a target machine for the host triple,
 * CPU name and features at CodeGenOptLevel Aggressive is handed to LLJIT
 * (through a JITTargetMachineBuilder), and a second identical one is kept
 * for LLVMRunPasses("default<O3>") and for printing assembly — without a
 * host target machine the vectorizer assumes plain SSE. The main JITDylib
 * gets a process symbol generator so expf, logf, fmodf, ... resolve to the
 * C library the process already has. Each compile makes its own context,
 * module (ThreadSafeContext) and target machine, so building and
 * optimizing kernels runs in parallel across threads; only adding the
 * module to the JIT and its code generation are serialized by a mutex.
 *
 * Code shape of `void name(ptr bufs, i64 begin, i64 end)`:
 *   entry:    buffer bases loaded once from bufs[]; return if begin >= end;
 *             begin decomposed once into outer coordinates (div/mod by the
 *             constant outer dims);
 *   row:      one row segment: the last outer dim runs as a plain counted
 *             loop i = start .. start + min(outer[last] - start, end - pos)
 *             with no div/mod in it, then the coordinates carry into the
 *             next dims with selects, until end;
 *             (a kernel with an access strided along the last dim runs
 *             in 2-D tiles instead: llvm_tile.c);
 *   point:    the stages in order. A STORE with n > 1 is a counted loop; a
 *             REDUCE keeps 8 lane accumulators and runs over groups of 8
 *             (lane l takes r = l, l+8, ...): the 8 values of a group are
 *             computed as scalars and gathered into one <8 x T> vector that
 *             is combined with the lanes by one vector op — the scalar
 *             semantics per lane, so no reassociation, while contiguous
 *             loads become one vector load. The n % 8 tail elements go to
 *             lanes 0.. in order (scalars), and the lanes are combined by
 *             the fixed tree ((L0 L1)(L2 L3))((L4 L5)(L6 L7)) — kernel.h's
 *             order, which no fast-math flag may change. argmax/argmin lanes
 *             carry (value, r) pairs with the identity pair (identity,
 *             INT64_MAX); logsumexp lanes carry (m, s); those two-part lanes
 *             of RLSE and the float16/bfloat16 accumulators (float32 op,
 *             rounded back per op) stay 8 scalars.
 * Buffers may alias (in-place writes), so no pointer is noalias; LLVM's
 * vectorizer adds runtime alias checks, and every evaluation reads memory
 * afresh, in the interpreter's order. Functions carry "target-cpu",
 * "target-features" and prefer-vector-width=512, so a contiguous float32
 * elementwise loop becomes <16 x float> on AVX-512 hosts (<8 x float> on
 * AVX2 ones).
 */
#include "../ir/ir.h"
#include "llvm.h"

#include <llvm-c/Analysis.h>
#include <llvm-c/Core.h>
#include <llvm-c/DebugInfo.h>
#include <llvm-c/Error.h>
#include <llvm-c/LLJIT.h>
#include <llvm-c/Orc.h>
#include <llvm-c/Target.h>
#include <llvm-c/TargetMachine.h>
#include <llvm-c/Transforms/PassBuilder.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "llvm_gen.h"

/* The revision of the code this backend emits, part of the target string
 * and so of every kernel's cache key: object code in the disk cache made
 * by an older backend (same kernel, same CPU and LLVM) must not be loaded
 * once the emitted code changes. Bump it with any change to what
 * llvm*.c emit. */
#define CG_LLVM_REVISION "cg-26"

struct cg_llvm {
  LLVMOrcLLJITRef jit;
  LLVMOrcJITDylibRef dylib;
  LLVMTargetMachineRef tm; /* for the O3 pipeline and assembly */
  char *triple, *cpu, *features, *target;
  pthread_mutex_t mu;  /* serializes compiles */
  char **names;        /* symbols defined so far (duplicates are errors) */
  size_t nnames, capnames;
};

static pthread_mutex_t g_init_mu = PTHREAD_MUTEX_INITIALIZER;
static cg_llvm *g_jit;

static void set_err(char *err, size_t cap, const char *fmt, ...) {
  if (!err || !cap) return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err, cap, fmt, ap);
  va_end(ap);
}

/* Copies an LLVMErrorRef's message into err and consumes the error. */
static void take_error(LLVMErrorRef e, const char *what, char *err, size_t cap) {
  char *m = LLVMGetErrorMessage(e);
  set_err(err, cap, "%s: %s", what, m);
  LLVMDisposeErrorMessage(m);
}

static char *xstrdup(const char *s) {
  size_t n = strlen(s) + 1;
  char *d = malloc(n);
  if (d) memcpy(d, s, n);
  return d;
}

static void jit_free(cg_llvm *J) {
  if (!J) return;
  if (J->jit) {
    LLVMErrorRef e = LLVMOrcDisposeLLJIT(J->jit);
    if (e) LLVMConsumeError(e);
  }
  if (J->tm) LLVMDisposeTargetMachine(J->tm);
  free(J->triple);
  free(J->cpu);
  free(J->features);
  free(J->target);
  for (size_t i = 0; i < J->nnames; i++) free(J->names[i]);
  free(J->names);
  pthread_mutex_destroy(&J->mu);
  free(J);
}

static LLVMTargetMachineRef host_tm(cg_llvm *J, char *err, size_t cap) {
  LLVMTargetRef T;
  char *msg = NULL;
  if (LLVMGetTargetFromTriple(J->triple, &T, &msg)) {
    set_err(err, cap, "LLVM cannot target %s: %s", J->triple, msg ? msg : "");
    LLVMDisposeMessage(msg);
    return NULL;
  }
  LLVMTargetMachineRef tm = LLVMCreateTargetMachine(
      T, J->triple, J->cpu, J->features, LLVMCodeGenLevelAggressive,
      LLVMRelocDefault, LLVMCodeModelJITDefault);
  if (!tm) set_err(err, cap, "LLVM cannot make a target machine for %s", J->cpu);
  return tm;
}

static cg_llvm *jit_new(char *err, size_t cap) {
  if (LLVMInitializeNativeTarget() || LLVMInitializeNativeAsmPrinter()) {
    set_err(err, cap, "LLVM has no native target for this host");
    return NULL;
  }
  cg_llvm *J = calloc(1, sizeof *J);
  if (!J) {
    set_err(err, cap, "out of memory");
    return NULL;
  }
  pthread_mutex_init(&J->mu, NULL);
  char *t = LLVMGetDefaultTargetTriple(), *c = LLVMGetHostCPUName(),
       *f = LLVMGetHostCPUFeatures();
  char *nt = LLVMNormalizeTargetTriple(t);
  J->triple = xstrdup(nt);
  J->cpu = xstrdup(c);
  /* AVX-512's scatter stores cost several cycles an element (Zen 4 and 5,
     Intel since the GDS microcode fix): a strided store (t[::2] = v) is
     faster as scalar stores of the vector's lanes */
  if (f && strstr(f, "+avx512f")) {
    size_t nf = strlen(f) + sizeof ",+prefer-no-scatter";
    J->features = malloc(nf);
    if (J->features) snprintf(J->features, nf, "%s,+prefer-no-scatter", f);
  } else {
    J->features = xstrdup(f);
  }
  LLVMDisposeMessage(t);
  LLVMDisposeMessage(nt);
  LLVMDisposeMessage(c);
  LLVMDisposeMessage(f);
  unsigned maj, min, pat;
  LLVMGetVersion(&maj, &min, &pat);
  size_t n = strlen(J->triple ? J->triple : "") + strlen(J->cpu ? J->cpu : "") +
             strlen(J->features ? J->features : "") + 64;
  J->target = malloc(n);
  if (!J->triple || !J->cpu || !J->features || !J->target) {
    set_err(err, cap, "out of memory");
    jit_free(J);
    return NULL;
  }
  snprintf(J->target, n, "%s %s %s llvm-%u.%u.%u %s", J->triple, J->cpu,
           J->features, maj, min, pat, CG_LLVM_REVISION);
  J->tm = host_tm(J, err, cap);
  LLVMTargetMachineRef jtm = J->tm ? host_tm(J, err, cap) : NULL;
  if (!jtm) {
    jit_free(J);
    return NULL;
  }
  LLVMOrcJITTargetMachineBuilderRef jtmb =
      LLVMOrcJITTargetMachineBuilderCreateFromTargetMachine(jtm);
  LLVMOrcLLJITBuilderRef jb = LLVMOrcCreateLLJITBuilder();
  LLVMOrcLLJITBuilderSetJITTargetMachineBuilder(jb, jtmb);
  LLVMErrorRef e = LLVMOrcCreateLLJIT(&J->jit, jb);
  if (e) {
    J->jit = NULL;
    take_error(e, "LLVM cannot create the JIT", err, cap);
    jit_free(J);
    return NULL;
  }
  J->dylib = LLVMOrcLLJITGetMainJITDylib(J->jit);
  LLVMOrcDefinitionGeneratorRef gen;
  e = LLVMOrcCreateDynamicLibrarySearchGeneratorForProcess(
      &gen, LLVMOrcLLJITGetGlobalPrefix(J->jit), NULL, NULL);
  if (e) {
    take_error(e, "LLVM cannot search the process for symbols", err, cap);
    jit_free(J);
    return NULL;
  }
  LLVMOrcJITDylibAddGenerator(J->dylib, gen);
  return J;
}

cg_llvm *cg_llvm_get(char *err, size_t errcap) {
  pthread_mutex_lock(&g_init_mu);
  if (!g_jit) g_jit = jit_new(err, errcap);
  cg_llvm *J = g_jit;
  pthread_mutex_unlock(&g_init_mu);
  return J;
}

void cg_llvm_shutdown(void) {
  pthread_mutex_lock(&g_init_mu);
  jit_free(g_jit);
  g_jit = NULL;
  pthread_mutex_unlock(&g_init_mu);
}

const char *cg_llvm_target(cg_llvm *J) { return J ? J->target : ""; }

/* ---- function attributes ---- */

void cg_fn_attrs(cg_gen *g, LLVMValueRef fn) {
  static const char *const kv[][2] = {
      {"target-cpu", NULL}, {"target-features", NULL},
      {"prefer-vector-width", "512"}};
  for (int i = 0; i < 3; i++) {
    const char *v = i == 0 ? g->cpu : i == 1 ? g->features : kv[i][1];
    LLVMAttributeRef a = LLVMCreateStringAttribute(
        g->C, kv[i][0], (unsigned)strlen(kv[i][0]), v, (unsigned)strlen(v));
    LLVMAddAttributeAtIndex(fn, LLVMAttributeFunctionIndex, a);
  }
}

static void add_attr(cg_gen *g, LLVMValueRef fn, LLVMAttributeIndex idx,
                     const char *name) {
  unsigned kind = LLVMGetEnumAttributeKindForName(name, strlen(name));
  LLVMAddAttributeAtIndex(fn, idx, LLVMCreateEnumAttribute(g->C, kind, 0));
}

/* ---- loops ---- */

LLVMValueRef cg_c64(cg_gen *g, int64_t v) {
  return LLVMConstInt(g->t_i64, (unsigned long long)v, 1);
}

LLVMBasicBlockRef cg_block(cg_gen *g, const char *name) {
  return LLVMAppendBasicBlockInContext(g->C, g->fn, name);
}

void cg_loop_begin(cg_gen *g, cg_loop *L, LLVMValueRef start, const char *name) {
  L->pre = LLVMGetInsertBlock(g->B);
  L->head = cg_block(g, name);
  LLVMBuildBr(g->B, L->head);
  LLVMPositionBuilderAtEnd(g->B, L->head);
  L->iv = LLVMBuildPhi(g->B, g->t_i64, name);
  LLVMAddIncoming(L->iv, &start, &L->pre, 1);
}

LLVMBasicBlockRef cg_loop_end(cg_gen *g, cg_loop *L, int64_t step,
                              LLVMValueRef stop, const char *name) {
  LLVMValueRef next = LLVMBuildAdd(g->B, L->iv, cg_c64(g, step), "");
  LLVMBasicBlockRef latch = LLVMGetInsertBlock(g->B);
  LLVMBasicBlockRef exit = cg_block(g, name);
  LLVMBuildCondBr(g->B, LLVMBuildICmp(g->B, LLVMIntSLT, next, stop, ""),
                  L->head, exit);
  LLVMAddIncoming(L->iv, &next, &latch, 1);
  LLVMPositionBuilderAtEnd(g->B, exit);
  return latch;
}

/* The stage's value at the current point, cast to dtype dt. */
LLVMValueRef cg_stage_value(cg_gen *g, const kstage *st, tc_dtype dt) {
  cg_memo_clear(g);
  LLVMValueRef v = cg_val(g, st->val);
  return st->val ? cg_cast(g, v, st->val->dt, dt) : v;
}

/* a (op) b for a scan (kernel.h: OP_RLSE is m + log1p(exp(d))) */
static LLVMValueRef scan_comb(cg_gen *g, int op, tc_dtype dt, LLVMValueRef a, LLVMValueRef b) {
  if (op != OP_RLSE) return cg_binop(g, op, dt, a, b);
  LLVMValueRef mx = cg_binop(g, OP_MAX, dt, a, b), mn = cg_binop(g, OP_MIN, dt, a, b);
  LLVMTypeRef t = cg_reg_type(g, dt);
  LLVMValueRef d = sel(g, fcmp(g, LLVMRealOEQ, mx, mn), LLVMConstReal(t, 0), LLVMBuildFSub(g->B, mn, mx, ""));
  return LLVMBuildFAdd(g->B, mx, cg_libm1(g, "log1p", dt, cg_exp(g, dt, d)), "");
}

/* An alloca in the entry block (mem2reg makes it a register). */
LLVMValueRef cg_entry_alloca(cg_gen *g, LLVMTypeRef t, const char *name) {
  LLVMBuilderRef eb = LLVMCreateBuilderInContext(g->C);
  LLVMBasicBlockRef entry = LLVMGetEntryBasicBlock(g->fn);
  LLVMValueRef first = LLVMGetFirstInstruction(entry);
  if (first) LLVMPositionBuilderBefore(eb, first);
  else LLVMPositionBuilderAtEnd(eb, entry);
  LLVMValueRef a = LLVMBuildAlloca(eb, t, name);
  LLVMDisposeBuilder(eb);
  return a;
}

/* One step j of a scan stage at the point g->var holds: its value
 * combined into acc (the value itself at j = 0), stored. */
static void scan_step(cg_gen *g, const kstage *st, LLVMValueRef acc, LLVMValueRef j) {
  tc_dtype dt = g->k->bufs[st->buf].dt, vdt = st->val->dt;
  LLVMValueRef v = cg_stage_value(g, st, vdt);
  LLVMValueRef old = LLVMBuildLoad2(g->B, cg_reg_type(g, vdt), acc, "");
  LLVMValueRef first = icmp(g, LLVMIntEQ, j, cg_c64(g, 0)), r;
  if (st->init) { /* the row's start before step 0 (loop-invariant: hoisted) */
    cg_memo_clear(g);
    LLVMValueRef s0 = cg_cast(g, cg_val(g, st->init), st->init->dt, vdt);
    cg_memo_clear(g);
    r = scan_comb(g, st->scan, vdt, sel(g, first, s0, old), v);
  } else {
    r = sel(g, first, v, scan_comb(g, st->scan, vdt, old, v));
  }
  LLVMBuildStore(g->B, r, acc);
  cg_store(g, st->buf, cg_ix(g, st->index), cg_cast(g, r, vdt, dt));
}

/* A scan stage: the running combine in an alloca, one step per j in
 * order, each stored. */
static void emit_scan(cg_gen *g, int s) {
  const kstage *st = &g->k->stages[s];
  int var = kc_stage_var(g->k, s);
  LLVMValueRef acc = cg_entry_alloca(g, cg_reg_type(g, st->val->dt), "scan");
  cg_loop L;
  cg_loop_begin(g, &L, cg_c64(g, 0), "scan");
  g->var[var] = L.iv;
  scan_step(g, st, acc, L.iv);
  cg_loop_end(g, &L, 1, cg_c64(g, st->n), "scan.end");
  g->var[var] = NULL;
  cg_memo_clear(g);
}

/* An integer sum scan (exact in any order: wrapping adds associate) runs
 * SCAN_VEC steps at a time: their values in one vector, its running sums
 * by log2(SCAN_VEC) shifted adds, plus the carry of the steps before; the
 * steps past the last whole vector one by one. */
enum { SCAN_VEC = 16 };

static bool scan_vec(const kstage *st) {
  return st->scan == OP_ADD && st->val && st->n >= 2 * SCAN_VEC && st->val->dt != TC_BOOL &&
         !ir_dtype_is_floating(st->val->dt);
}

static unsigned int_bits(tc_dtype d) {
  return d == TC_BOOL ? 1 : d == TC_I8 || d == TC_U8 ? 8 : d == TC_I16 ? 16 : d == TC_I32 ? 32 : 64;
}

/* Whether index e steps by one element per step of variable var (affine). */
bool cg_unit_step(const kernel *k, const ix *e, int var) {
  int64_t coef[TC_MAX_DIMS + KC_MAX_STAGES + 1], c;
  int nv = k->nouter + k->nstages;
  return nv <= TC_MAX_DIMS + KC_MAX_STAGES + 1 && ix_affine(e, nv, coef, &c) && coef[var] == 1;
}

/* The scan's values at the SCAN_VEC steps from g->var[var] as one vector
 * load, when the value is integer casts of a load that steps by one
 * element (a mask's running count); NULL otherwise. */
static LLVMValueRef vec_values(cg_gen *g, const kstage *st, int var) {
  const kval *v = st->val;
  int ncast = 0;
  const kval *casts[8];
  while (v->kind == KV_OP && v->op == OP_CAST && ncast < 8) casts[ncast++] = v, v = v->a;
  if (v->kind != KV_LOAD || v->a || !cg_unit_step(g->k, v->index, var)) return NULL;
  tc_dtype from = g->k->bufs[v->buf].dt;
  if (ir_dtype_is_floating(from)) return NULL;
  for (int i = 0; i < ncast; i++)
    if (ir_dtype_is_floating(casts[i]->dt)) return NULL;
  LLVMBuilderRef B = g->B;
  LLVMValueRef at = cg_ix(g, v->index);
  LLVMTypeRef mt = cg_mem_type(g, from);
  LLVMValueRef p = LLVMBuildInBoundsGEP2(B, mt, g->bufp[v->buf], &at, 1, "");
  LLVMValueRef x = LLVMBuildLoad2(B, LLVMVectorType(mt, SCAN_VEC), p, "");
  LLVMSetAlignment(x, int_bits(from) < 8 ? 1 : int_bits(from) / 8);
  if (from == TC_BOOL) x = LLVMBuildICmp(B, LLVMIntNE, x, LLVMConstNull(LLVMTypeOf(x)), "");
  tc_dtype cur = from;
  for (int i = ncast - 1; i >= -1; i--) { /* the casts, innermost first, then to the value's dtype */
    tc_dtype to = i >= 0 ? casts[i]->dt : st->val->dt;
    unsigned fb = int_bits(cur), tb = int_bits(to);
    LLVMTypeRef vt = LLVMVectorType(to == TC_BOOL ? g->t_i1 : cg_reg_type(g, to), SCAN_VEC);
    if (to == TC_BOOL) x = LLVMBuildICmp(B, LLVMIntNE, x, LLVMConstNull(LLVMTypeOf(x)), "");
    else if (tb > fb) x = dt_signed(cur) ? LLVMBuildSExt(B, x, vt, "") : LLVMBuildZExt(B, x, vt, "");
    else if (tb < fb) x = LLVMBuildTrunc(B, x, vt, "");
    cur = to;
  }
  return x;
}

static void emit_scan_vec(cg_gen *g, int s) {
  const kstage *st = &g->k->stages[s];
  int var = kc_stage_var(g->k, s);
  tc_dtype dt = g->k->bufs[st->buf].dt, vdt = st->val->dt;
  LLVMBuilderRef B = g->B;
  LLVMTypeRef t = cg_reg_type(g, vdt), vt = LLVMVectorType(t, SCAN_VEC);
  LLVMValueRef carry = cg_entry_alloca(g, t, "carry"), zero = LLVMConstNull(vt);
  LLVMValueRef c0 = LLVMConstNull(t);
  if (st->init) { /* the row's start */
    g->var[var] = cg_c64(g, 0);
    cg_memo_clear(g);
    c0 = cg_cast(g, cg_val(g, st->init), st->init->dt, vdt);
    cg_memo_clear(g);
  }
  LLVMBuildStore(B, c0, carry);
  int64_t nv = st->n / SCAN_VEC * SCAN_VEC;
  cg_loop J;
  cg_loop_begin(g, &J, cg_c64(g, 0), "vscan");
  g->var[var] = J.iv;
  cg_memo_clear(g);
  LLVMValueRef x = vec_values(g, st, var);
  for (int l = 0, direct = x != NULL; !direct && l < SCAN_VEC; l++) { /* the values one by one */
    if (!l) x = LLVMGetPoison(vt);
    g->var[var] = LLVMBuildAdd(B, J.iv, cg_c64(g, l), "");
    x = LLVMBuildInsertElement(B, x, cg_stage_value(g, st, vdt), LLVMConstInt(g->t_i32, (unsigned)l, 0), "");
  }
  for (int sh = 1; sh < SCAN_VEC; sh *= 2) {
    LLVMValueRef m[SCAN_VEC];
    for (int l = 0; l < SCAN_VEC; l++) m[l] = LLVMConstInt(g->t_i32, (unsigned)(l >= sh ? l - sh : SCAN_VEC), 0);
    x = LLVMBuildAdd(B, x, LLVMBuildShuffleVector(B, x, zero, LLVMConstVector(m, SCAN_VEC), ""), "");
  }
  LLVMValueRef c = LLVMBuildLoad2(B, t, carry, "");
  LLVMValueRef cv = LLVMBuildInsertElement(B, LLVMGetPoison(vt), c, LLVMConstInt(g->t_i32, 0, 0), "");
  LLVMValueRef zm[SCAN_VEC];
  for (int l = 0; l < SCAN_VEC; l++) zm[l] = LLVMConstInt(g->t_i32, 0, 0);
  x = LLVMBuildAdd(B, x, LLVMBuildShuffleVector(B, cv, LLVMGetPoison(vt), LLVMConstVector(zm, SCAN_VEC), ""), "");
  if (cg_unit_step(g->k, st->index, var) && dt != TC_BOOL && !ir_dtype_is_floating(dt)) { /* one vector store */
    g->var[var] = J.iv;
    cg_memo_clear(g);
    LLVMValueRef at = cg_ix(g, st->index);
    LLVMTypeRef mt = cg_mem_type(g, dt), vmt = LLVMVectorType(mt, SCAN_VEC);
    LLVMValueRef o = int_bits(dt) > int_bits(vdt) ? (dt_signed(vdt) ? LLVMBuildSExt(B, x, vmt, "") : LLVMBuildZExt(B, x, vmt, ""))
                     : int_bits(dt) < int_bits(vdt) ? LLVMBuildTrunc(B, x, vmt, "") : x;
    LLVMValueRef w = LLVMBuildStore(B, o, LLVMBuildInBoundsGEP2(B, mt, g->bufp[st->buf], &at, 1, ""));
    LLVMSetAlignment(w, int_bits(dt) / 8);
  } else {
    for (int l = 0; l < SCAN_VEC; l++) {
      g->var[var] = LLVMBuildAdd(B, J.iv, cg_c64(g, l), "");
      cg_memo_clear(g);
      LLVMValueRef e = LLVMBuildExtractElement(B, x, LLVMConstInt(g->t_i32, (unsigned)l, 0), "");
      cg_store(g, st->buf, cg_ix(g, st->index), cg_cast(g, e, vdt, dt));
    }
  }
  LLVMBuildStore(B, LLVMBuildExtractElement(B, x, LLVMConstInt(g->t_i32, SCAN_VEC - 1, 0), ""), carry);
  cg_loop_end(g, &J, SCAN_VEC, cg_c64(g, nv), "vscan.end");
  if (nv < st->n) {
    cg_loop T;
    cg_loop_begin(g, &T, cg_c64(g, nv), "scan");
    g->var[var] = T.iv;
    LLVMValueRef v = cg_stage_value(g, st, vdt);
    LLVMValueRef r = LLVMBuildAdd(B, LLVMBuildLoad2(B, t, carry, ""), v, "");
    LLVMBuildStore(B, r, carry);
    cg_store(g, st->buf, cg_ix(g, st->index), cg_cast(g, r, vdt, dt));
    cg_loop_end(g, &T, 1, cg_c64(g, st->n), "scan.end");
  }
  g->var[var] = NULL;
  cg_memo_clear(g);
}

/* A kernel that is one scan stage over long rows runs SCAN_LANES outer
 * points at a time: their running combines are independent chains,
 * interleaved in one loop over j, so the loop runs at the combine's
 * throughput rather than its latency. Each chain combines in its own
 * order as before: the bits are the same. */
enum { SCAN_LANES = 4, SCAN_LANES_MIN_N = 16 };

static bool scan_panels(const kernel *k) {
  return k->nouter > 0 && k->nstages == 1 && k->stages[0].kind == KS_STORE && k->stages[0].scan &&
         k->stages[0].val && k->stages[0].n >= SCAN_LANES_MIN_N && !k->stages[0].dyn &&
         !k->stages[0].accumulate && !scan_vec(&k->stages[0]) && kc_outer_numel(k) >= SCAN_LANES;
}

/* g->var[0 .. nouter-1] for flat outer point q (computed values in c). */
static void outer_coords(cg_gen *g, LLVMValueRef q, LLVMValueRef *c) {
  const kernel *k = g->k;
  for (int d = k->nouter - 1; d >= 0; d--) {
    if (d == 0) {
      c[0] = q;
    } else {
      LLVMValueRef od = cg_c64(g, k->outer[d]);
      c[d] = LLVMBuildURem(g->B, q, od, "");
      q = LLVMBuildUDiv(g->B, q, od, "");
    }
  }
}

enum { SCAN_UNROLL = 16, SCAN_PREFETCH = 512 }; /* steps an iteration; elements ahead */

/* A prefetch of what the stage's value loads SCAN_PREFETCH steps ahead
 * (loads that step by one element: a block's input). */
static void prefetch_ahead(cg_gen *g, const kstage *st, int var, LLVMValueRef j) {
  const kval *stack[16], *v;
  int n = 0;
  stack[n++] = st->val;
  while (n) {
    v = stack[--n];
    if (!v) continue;
    if (v->kind == KV_OP) {
      if (n < 13) stack[n++] = v->a, stack[n++] = v->b, stack[n++] = v->c;
      continue;
    }
    if (v->kind != KV_LOAD || v->a || !cg_unit_step(g->k, v->index, var)) continue;
    g->var[var] = LLVMBuildAdd(g->B, j, cg_c64(g, SCAN_PREFETCH), "");
    cg_memo_clear(g);
    LLVMValueRef at = cg_ix(g, v->index);
    cg_memo_clear(g);
    LLVMValueRef p = LLVMBuildGEP2(g->B, cg_mem_type(g, g->k->bufs[v->buf].dt), g->bufp[v->buf], &at, 1, "");
    LLVMTypeRef pt = g->t_ptr;
    unsigned id = LLVMLookupIntrinsicID("llvm.prefetch", 13);
    LLVMValueRef args[4] = {p, LLVMConstInt(g->t_i32, 0, 0), LLVMConstInt(g->t_i32, 3, 0),
                            LLVMConstInt(g->t_i32, 1, 0)};
    LLVMBuildCall2(g->B, LLVMIntrinsicGetType(g->C, id, &pt, 1), LLVMGetIntrinsicDeclaration(g->M, id, &pt, 1),
                   args, 4, "");
  }
}

static void emit_scan_panels(cg_gen *g, LLVMValueRef begin, LLVMValueRef end, LLVMBasicBlockRef exit) {
  const kernel *k = g->k;
  const kstage *st = &k->stages[0];
  int var = kc_stage_var(k, 0), D = k->nouter;
  LLVMBuilderRef B = g->B;
  LLVMValueRef acc[SCAN_LANES];
  for (int p = 0; p < SCAN_LANES; p++) acc[p] = cg_entry_alloca(g, cg_reg_type(g, st->val->dt), "scan");
  LLVMValueRef span = LLVMBuildSub(B, end, begin, "");
  LLVMValueRef pend = LLVMBuildAdd(
      B, begin, LLVMBuildMul(B, LLVMBuildUDiv(B, span, cg_c64(g, SCAN_LANES), ""), cg_c64(g, SCAN_LANES), ""),
      "pend");
  LLVMBasicBlockRef panels = cg_block(g, "panels"), tail = cg_block(g, "tail");
  LLVMBuildCondBr(B, icmp(g, LLVMIntSLT, begin, pend), panels, tail);
  LLVMPositionBuilderAtEnd(B, panels);
  cg_loop P;
  cg_loop_begin(g, &P, begin, "panel");
  LLVMValueRef c[SCAN_LANES][TC_MAX_DIMS];
  for (int p = 0; p < SCAN_LANES; p++) outer_coords(g, LLVMBuildAdd(B, P.iv, cg_c64(g, p), ""), c[p]);
  cg_loop J;
  int unroll = st->n % SCAN_UNROLL == 0 ? SCAN_UNROLL : 1;
  cg_loop_begin(g, &J, cg_c64(g, 0), "scan");
  if (unroll > 1) /* the lanes' next rows of input, a cache line a lane an unrolled step */
    for (int p = 0; p < SCAN_LANES; p++) {
      for (int d = 0; d < D; d++) g->var[d] = c[p][d];
      prefetch_ahead(g, st, var, J.iv);
    }
  for (int u = 0; u < unroll; u++) {
    LLVMValueRef j = u ? LLVMBuildAdd(B, J.iv, cg_c64(g, u), "") : J.iv;
    g->var[var] = j;
    for (int p = 0; p < SCAN_LANES; p++) {
      for (int d = 0; d < D; d++) g->var[d] = c[p][d];
      scan_step(g, st, acc[p], j);
    }
  }
  cg_loop_end(g, &J, unroll, cg_c64(g, st->n), "scan.end");
  cg_loop_end(g, &P, SCAN_LANES, pend, "panels.end");
  LLVMBuildBr(B, tail);
  /* the points past the last whole panel, one at a time */
  LLVMPositionBuilderAtEnd(B, tail);
  LLVMBasicBlockRef one = cg_block(g, "one");
  LLVMBuildCondBr(B, icmp(g, LLVMIntSLT, pend, end), one, exit);
  LLVMPositionBuilderAtEnd(B, one);
  cg_loop T;
  cg_loop_begin(g, &T, pend, "rest");
  LLVMValueRef c1[TC_MAX_DIMS];
  outer_coords(g, T.iv, c1);
  for (int d = 0; d < D; d++) g->var[d] = c1[d];
  emit_scan(g, 0);
  cg_loop_end(g, &T, 1, end, "rest.end");
  LLVMBuildBr(B, exit);
  for (int d = 0; d < D; d++) g->var[d] = NULL;
  g->var[var] = NULL;
  cg_memo_clear(g);
}

void cg_emit_store(cg_gen *g, int s) {
  const kstage *st = &g->k->stages[s];
  if (st->keep) {
    if (st->n > 0 && st->val) cg_emit_compact(g, s);
    return;
  }
  if (st->scan && st->n > 0 && st->val) {
    if (scan_vec(st)) emit_scan_vec(g, s);
    else emit_scan(g, s);
    return;
  }
  int var = kc_stage_var(g->k, s);
  if (st->buf < 0 || st->buf >= g->k->nbufs) {
    cg_fail(g, "stage %d stores to buffer %d of %d", s, st->buf, g->k->nbufs);
    return;
  }
  tc_dtype dt = g->k->bufs[st->buf].dt;
  if (st->n <= 0) return; /* stores nothing (as the interpreter) */
  cg_loop L;
  if (st->n == 1) {
    g->var[var] = cg_c64(g, 0);
  } else {
    cg_loop_begin(g, &L, cg_c64(g, 0), "store");
    g->var[var] = L.iv;
  }
  /* accumulate: ADD in the buffer's compute dtype (float16/bfloat16 in float32) */
  tc_dtype cdt = dt == TC_F16 || dt == TC_BF16 ? TC_F32 : dt;
  LLVMValueRef v = cg_stage_value(g, st, st->accumulate ? cdt : dt);
  LLVMValueRef at = cg_ix(g, st->index);
  if (st->dyn) at = LLVMBuildAdd(g->B, at, cg_cast(g, cg_val(g, st->dyn), st->dyn->dt, TC_I64), "");
  if (st->accumulate) {
    LLVMValueRef old = cg_cast(g, cg_load(g, st->buf, at), dt, cdt);
    v = cg_cast(g, cg_binop(g, st->acc_op ? st->acc_op : OP_ADD, cdt, old, v), cdt, dt);
  }
  g->scattering = st->dyn && !st->accumulate;
  cg_store(g, st->buf, at, v);
  g->scattering = false;
  if (st->n != 1) cg_loop_end(g, &L, 1, cg_c64(g, st->n), "store.end");
  g->var[var] = NULL;
  cg_memo_clear(g);
}

void cg_emit_point(cg_gen *g) {
  for (int s = 0; s < KC_MAX_STAGES; s++) g->acc[s] = NULL;
  for (int s = 0; s < g->k->nstages && !g->failed; s++) {
    if (g->k->stages[s].kind == KS_REDUCE)
      cg_emit_reduce(g, s);
    else if (g->k->stages[s].kind == KS_STORE)
      cg_emit_store(g, s);
    /* KS_MATMUL: the driver's (runtime/matmul.c); this code is its epilogue */
  }
}

/* A kernel whose one stage stores at data positions, one element a point
 * (a compaction's or an index_put's scatter): LLVM's cost model keeps such
 * a loop scalar where scatters are slow, computing the positions and the
 * values one element at a time as well; vectorized, the values and
 * positions are computed in vectors and stored lane by lane. */
static bool scatters(const kernel *k) {
  return k->nstages == 1 && k->stages[0].kind == KS_STORE && k->stages[0].dyn && k->stages[0].n == 1 &&
         !k->stages[0].accumulate && !k->stages[0].keep && !k->serial;
}

static void force_vectorize(cg_gen *g, LLVMBasicBlockRef latch) {
  LLVMValueRef br = LLVMGetBasicBlockTerminator(latch);
  if (!br) return;
  LLVMMetadataRef tmp = LLVMTemporaryMDNode(g->C, NULL, 0);
  LLVMMetadataRef en[2] = {LLVMMDStringInContext2(g->C, "llvm.loop.vectorize.enable", 26),
                           LLVMValueAsMetadata(LLVMConstInt(g->t_i1, 1, 0))};
  LLVMMetadataRef ops[2] = {tmp, LLVMMDNodeInContext2(g->C, en, 2)};
  LLVMMetadataRef loop = LLVMMDNodeInContext2(g->C, ops, 2);
  LLVMMetadataReplaceAllUsesWith(tmp, loop);
  LLVMSetMetadata(br, LLVMGetMDKindIDInContext(g->C, "llvm.loop", 9), LLVMMetadataAsValue(g->C, loop));
}

/* The body of the function: [begin, end) as row segments of the last outer
 * dim (see the file comment). */
static void emit_body(cg_gen *g, LLVMValueRef begin, LLVMValueRef end,
                      LLVMBasicBlockRef exit) {
  const kernel *k = g->k;
  LLVMBuilderRef B = g->B;
  int D = k->nouter;
  if (D == 0) { /* a single point; loop anyway so [0, 1) is all it sees */
    cg_loop L;
    cg_loop_begin(g, &L, begin, "point");
    cg_emit_point(g);
    cg_loop_end(g, &L, 1, end, "point.end");
    LLVMBuildBr(B, exit);
    return;
  }
  if (scan_panels(k)) {
    emit_scan_panels(g, begin, end, exit);
    return;
  }
  cg_tile t;
  if (cg_tile_plan(k, &t)) {
    cg_emit_tiled(g, &t, begin, end, exit);
    return;
  }
  int last = D - 1;
  /* decompose begin: c[d] for d < last, start = c[last] */
  LLVMValueRef c[TC_MAX_DIMS], rest = begin;
  for (int d = last; d >= 0; d--) {
    if (d == 0) {
      c[0] = rest;
    } else {
      LLVMValueRef od = cg_c64(g, k->outer[d]);
      c[d] = LLVMBuildURem(B, rest, od, "");
      rest = LLVMBuildUDiv(B, rest, od, "");
    }
  }
  LLVMBasicBlockRef pre = LLVMGetInsertBlock(B);
  LLVMBasicBlockRef row = cg_block(g, "row");
  LLVMBuildBr(B, row);
  LLVMPositionBuilderAtEnd(B, row);
  LLVMValueRef pc[TC_MAX_DIMS], pos;
  for (int d = 0; d < D; d++) {
    pc[d] = LLVMBuildPhi(B, g->t_i64, d == last ? "start" : "c");
    LLVMAddIncoming(pc[d], &c[d], &pre, 1);
  }
  pos = LLVMBuildPhi(B, g->t_i64, "pos");
  LLVMAddIncoming(pos, &begin, &pre, 1);
  LLVMValueRef avail = LLVMBuildSub(B, cg_c64(g, k->outer[last]), pc[last], "");
  LLVMValueRef left = LLVMBuildSub(B, end, pos, "");
  LLVMValueRef len = LLVMBuildSelect(
      B, LLVMBuildICmp(B, LLVMIntSLT, avail, left, ""), avail, left, "len");
  LLVMValueRef stop = LLVMBuildAdd(B, pc[last], len, "stop");
  for (int d = 0; d < last; d++) g->var[d] = pc[d];
  if (cg_llvm_columns(k)) { /* panels of points at once (llvm_colred.c) */
    cg_emit_columns(g, pc[last], stop);
  } else {
    cg_loop L;
    cg_loop_begin(g, &L, pc[last], "i");
    g->var[last] = L.iv;
    cg_emit_point(g);
    LLVMBasicBlockRef latch = cg_loop_end(g, &L, 1, stop, "row.end");
    if (scatters(k)) force_vectorize(g, latch);
  }
  g->var[last] = NULL;
  LLVMValueRef npos = LLVMBuildAdd(B, pos, len, "");
  LLVMBasicBlockRef carry = cg_block(g, "carry");
  LLVMBuildCondBr(B, LLVMBuildICmp(B, LLVMIntSLT, npos, end, ""), carry, exit);
  LLVMPositionBuilderAtEnd(B, carry);
  LLVMValueRef nc[TC_MAX_DIMS], inc = LLVMConstInt(g->t_i1, 1, 0);
  nc[last] = cg_c64(g, 0);
  for (int d = last - 1; d >= 0; d--) {
    LLVMValueRef x = LLVMBuildAdd(B, pc[d], LLVMBuildZExt(B, inc, g->t_i64, ""), "");
    if (d > 0) {
      LLVMValueRef wrap = LLVMBuildICmp(B, LLVMIntEQ, x, cg_c64(g, k->outer[d]), "");
      x = LLVMBuildSelect(B, wrap, cg_c64(g, 0), x, "");
      inc = wrap;
    }
    nc[d] = x;
  }
  for (int d = 0; d < D; d++) LLVMAddIncoming(pc[d], &nc[d], &carry, 1);
  LLVMAddIncoming(pos, &npos, &carry, 1);
  LLVMBuildBr(B, row);
  for (int d = 0; d < D; d++) g->var[d] = NULL;
}

static void emit_function(cg_gen *g, const char *name) {
  const kernel *k = g->k;
  LLVMTypeRef params[3] = {g->t_ptr, g->t_i64, g->t_i64};
  LLVMTypeRef fty = LLVMFunctionType(LLVMVoidTypeInContext(g->C), params, 3, 0);
  g->fn = LLVMAddFunction(g->M, name, fty);
  cg_fn_attrs(g, g->fn);
  add_attr(g, g->fn, LLVMAttributeFunctionIndex, "nounwind");
  add_attr(g, g->fn, 1, "nocapture");
  add_attr(g, g->fn, 1, "readonly");
  LLVMValueRef bufs = LLVMGetParam(g->fn, 0);
  LLVMValueRef begin = LLVMGetParam(g->fn, 1), end = LLVMGetParam(g->fn, 2);
  LLVMSetValueName2(bufs, "bufs", 4);
  LLVMSetValueName2(begin, "begin", 5);
  LLVMSetValueName2(end, "end", 3);
  LLVMBasicBlockRef entry = cg_block(g, "entry");
  LLVMBasicBlockRef body = cg_block(g, "body");
  LLVMBasicBlockRef exit = cg_block(g, "exit");
  LLVMPositionBuilderAtEnd(g->B, exit);
  LLVMBuildRetVoid(g->B);
  LLVMPositionBuilderAtEnd(g->B, entry);
  for (int b = 0; b < k->nbufs; b++) {
    LLVMValueRef idx = cg_c64(g, b);
    LLVMValueRef p = LLVMBuildInBoundsGEP2(g->B, g->t_ptr, bufs, &idx, 1, "");
    g->bufp[b] = LLVMBuildLoad2(g->B, g->t_ptr, p, "buf");
    LLVMSetAlignment(g->bufp[b], 8);
  }
  if (k->nparams > 0) { /* bufs[nbufs]: the kc_param block, read once */
    LLVMValueRef idx = cg_c64(g, k->nbufs);
    LLVMValueRef pp = LLVMBuildInBoundsGEP2(g->B, g->t_ptr, bufs, &idx, 1, "");
    LLVMValueRef block = LLVMBuildLoad2(g->B, g->t_ptr, pp, "params");
    LLVMSetAlignment(block, 8);
    for (int i = 0; i < k->nparams; i++) {
      tc_dtype dt = k->params[i];
      bool fl = dt == TC_F32 || dt == TC_F64;
      LLVMValueRef at = cg_c64(g, i);
      LLVMValueRef slot = LLVMBuildInBoundsGEP2(g->B, fl ? g->t_f64 : g->t_i64, block, &at, 1, "");
      LLVMValueRef raw = LLVMBuildLoad2(g->B, fl ? g->t_f64 : g->t_i64, slot, "param");
      LLVMSetAlignment(raw, 8);
      /* as kernel.h defines KV_PARAM: (float)d, or the int64 wrapped */
      g->parp[i] = cg_cast(g, raw, fl ? TC_F64 : TC_I64, dt);
    }
  }
  bool empty = kc_outer_numel(k) <= 0;
  LLVMValueRef go = LLVMBuildICmp(g->B, LLVMIntSLT, begin, end, "");
  if (empty) go = LLVMConstInt(g->t_i1, 0, 0);
  LLVMBuildCondBr(g->B, go, body, exit);
  LLVMPositionBuilderAtEnd(g->B, body);
  if (empty)
    LLVMBuildUnreachable(g->B);
  else
    emit_body(g, begin, end, exit);
}

/* ---- compile ---- */

static int name_known(cg_llvm *J, const char *name) {
  for (size_t i = 0; i < J->nnames; i++)
    if (!strcmp(J->names[i], name)) return 1;
  return 0;
}

static int name_add(cg_llvm *J, const char *name) {
  if (J->nnames == J->capnames) {
    size_t nc = J->capnames ? 2 * J->capnames : 64;
    char **n = realloc(J->names, nc * sizeof *n);
    if (!n) return -1;
    J->names = n;
    J->capnames = nc;
  }
  if (!(J->names[J->nnames] = xstrdup(name))) return -1;
  J->nnames++;
  return 0;
}

static char *take_message(char *m) {
  char *r = xstrdup(m ? m : "");
  LLVMDisposeMessage(m);
  return r;
}

/* Builds, verifies and optimizes the module with a target machine of its
 * own, so compiles in different threads overlap; only handing the module
 * to the JIT (and the JIT's code generation) holds J->mu. */
/* Adds object code defining `name` to the JIT and looks it up. */
static int load_object(cg_llvm *J, const char *name, const void *obj, size_t len, kc_fn *fn, char *err,
                       size_t errcap) {
  LLVMMemoryBufferRef mb = LLVMCreateMemoryBufferWithMemoryRangeCopy(obj, len, name);
  if (!mb) {
    set_err(err, errcap, "out of memory");
    return -1;
  }
  pthread_mutex_lock(&J->mu); /* the JIT's linking is not concurrent */
  if (name_known(J, name) || name_add(J, name)) {
    pthread_mutex_unlock(&J->mu);
    LLVMDisposeMemoryBuffer(mb);
    set_err(err, errcap, "cg_llvm_compile: cannot define '%s' (already defined, or out of memory)", name);
    return -1;
  }
  LLVMErrorRef e = LLVMOrcLLJITAddObjectFile(J->jit, J->dylib, mb); /* takes mb */
  LLVMOrcExecutorAddress addr = 0;
  if (!e) {
    e = LLVMOrcLLJITLookup(J->jit, &addr, name);
    if (e) take_error(e, "cg_llvm_compile: the JIT cannot link the kernel", err, errcap);
  } else {
    take_error(e, "cg_llvm_compile: JIT rejected the object", err, errcap);
  }
  pthread_mutex_unlock(&J->mu);
  if (e) return -1;
  *fn = (kc_fn)(uintptr_t)addr;
  return 0;
}

int cg_llvm_load(cg_llvm *J, const char *name, const void *obj, size_t len, kc_fn *fn, char *err,
                 size_t errcap) {
  if (!J || !name || !obj || !fn) {
    set_err(err, errcap, "cg_llvm_load: bad argument");
    return -1;
  }
  return load_object(J, name, obj, len, fn, err, errcap);
}

static int compile_kernel(cg_llvm *J, const kernel *k, const char *name,
                          kc_fn *fn, char **ir_out, char **asm_out, void **obj_out, size_t *obj_len,
                          char *err, size_t errcap) {
  LLVMTargetMachineRef tm = host_tm(J, err, errcap);
  if (!tm) return -1;
  LLVMOrcThreadSafeContextRef tsc = LLVMOrcCreateNewThreadSafeContext();
  cg_gen g = {0};
  g.k = k;
  g.C = LLVMOrcThreadSafeContextGetContext(tsc);
  g.M = LLVMModuleCreateWithNameInContext(name, g.C);
  g.B = LLVMCreateBuilderInContext(g.C);
  g.cpu = J->cpu;
  g.features = J->features;
  g.err = err;
  g.errcap = errcap;
  g.t_i1 = LLVMInt1TypeInContext(g.C);
  g.t_i8 = LLVMInt8TypeInContext(g.C);
  g.t_i16 = LLVMInt16TypeInContext(g.C);
  g.t_i32 = LLVMInt32TypeInContext(g.C);
  g.t_i64 = LLVMInt64TypeInContext(g.C);
  g.t_f16 = LLVMHalfTypeInContext(g.C);
  g.t_f32 = LLVMFloatTypeInContext(g.C);
  g.t_f64 = LLVMDoubleTypeInContext(g.C);
  g.t_ptr = LLVMPointerTypeInContext(g.C, 0);
  LLVMSetTarget(g.M, J->triple);
  LLVMTargetDataRef td = LLVMCreateTargetDataLayout(tm);
  LLVMSetModuleDataLayout(g.M, td);
  LLVMDisposeTargetData(td);

  int rc = -1;
  char *ir = NULL, *as = NULL, *msg = NULL;
  if (k->nbufs < 0 || k->nbufs > KC_MAX_BUFS || k->nouter < 0 ||
      k->nouter > TC_MAX_DIMS || k->nstages < 0 || k->nstages > KC_MAX_STAGES) {
    set_err(err, errcap, "cg_llvm_compile: malformed kernel");
    goto out;
  }
  emit_function(&g, name);
  if (g.failed) goto out; /* message already in err */
  if (LLVMVerifyModule(g.M, LLVMReturnStatusAction, &msg)) {
    set_err(err, errcap, "cg_llvm_compile: invalid IR for %s: %s", name, msg);
    goto out;
  }
  LLVMPassBuilderOptionsRef po = LLVMCreatePassBuilderOptions();
  LLVMPassBuilderOptionsSetLoopVectorization(po, 1);
  LLVMPassBuilderOptionsSetSLPVectorization(po, 1);
  LLVMPassBuilderOptionsSetLoopInterleaving(po, 1);
  LLVMPassBuilderOptionsSetLoopUnrolling(po, 1);
  LLVMErrorRef e = LLVMRunPasses(g.M, "default<O3>", tm, po);
  LLVMDisposePassBuilderOptions(po);
  if (e) {
    take_error(e, "cg_llvm_compile: optimization failed", err, errcap);
    goto out;
  }
  if (ir_out && !(ir = take_message(LLVMPrintModuleToString(g.M)))) {
    set_err(err, errcap, "out of memory");
    goto out;
  }
  if (asm_out) {
    LLVMModuleRef clone = LLVMCloneModule(g.M); /* codegen mutates IR */
    LLVMMemoryBufferRef mb = NULL;
    char *m2 = NULL;
    if (LLVMTargetMachineEmitToMemoryBuffer(tm, clone, LLVMAssemblyFile, &m2,
                                            &mb)) {
      set_err(err, errcap, "cg_llvm_compile: assembly failed: %s", m2 ? m2 : "");
      LLVMDisposeMessage(m2);
      LLVMDisposeModule(clone);
      goto out;
    }
    LLVMDisposeModule(clone);
    size_t n = LLVMGetBufferSize(mb);
    as = malloc(n + 1);
    if (as) {
      memcpy(as, LLVMGetBufferStart(mb), n);
      as[n] = 0;
    }
    LLVMDisposeMemoryBuffer(mb);
    if (!as) {
      set_err(err, errcap, "out of memory");
      goto out;
    }
  }
  { /* machine code with our own target machine (in parallel with other
       compiles), kept for the disk cache, then linked by the JIT */
    LLVMMemoryBufferRef mb = NULL;
    char *m2 = NULL;
    if (LLVMTargetMachineEmitToMemoryBuffer(tm, g.M, LLVMObjectFile, &m2, &mb)) {
      set_err(err, errcap, "cg_llvm_compile: code generation failed: %s", m2 ? m2 : "");
      LLVMDisposeMessage(m2);
      goto out;
    }
    const char *bytes = LLVMGetBufferStart(mb);
    size_t len = LLVMGetBufferSize(mb);
    int lrc = load_object(J, name, bytes, len, fn, err, errcap);
    if (lrc == 0 && obj_out) {
      *obj_out = malloc(len ? len : 1);
      if (*obj_out) memcpy(*obj_out, bytes, len), *obj_len = len;
    }
    LLVMDisposeMemoryBuffer(mb);
    if (lrc) goto out;
  }
  if (ir_out) *ir_out = ir, ir = NULL;
  if (asm_out) *asm_out = as, as = NULL;
  rc = 0;
out:
  LLVMDisposeMessage(msg);
  free(ir);
  free(as);
  free(g.memo);
  LLVMDisposeBuilder(g.B);
  if (g.M) LLVMDisposeModule(g.M);
  LLVMOrcDisposeThreadSafeContext(tsc);
  LLVMDisposeTargetMachine(tm);
  return rc;
}

int cg_llvm_compile(cg_llvm *J, const kernel *k, const char *name, kc_fn *fn,
                    char **ir_out, char **asm_out, char *err, size_t errcap) {
  return cg_llvm_compile_obj(J, k, name, fn, ir_out, asm_out, NULL, NULL, err, errcap);
}

int cg_llvm_compile_obj(cg_llvm *J, const kernel *k, const char *name, kc_fn *fn, char **ir_out,
                        char **asm_out, void **obj_out, size_t *obj_len, char *err, size_t errcap) {
  if (!J || !k || !name || !*name || !fn) {
    set_err(err, errcap, "cg_llvm_compile: bad argument");
    return -1;
  }
  if (obj_out) *obj_out = NULL;
  return compile_kernel(J, k, name, fn, ir_out, asm_out, obj_out, obj_len, err, errcap);
}
