/*
 * llvm_ops.c — kernel values and index expressions to LLVM IR, with the
 * exact scalar semantics of kernel.h (the header is the specification; the
 * interpreter, interp.c, is the oracle the tests compare against bitwise).
 *
 * Everything here emits straight-line code at the builder's position and
 * never creates a basic block, so llvm.c can put an evaluation inside any
 * loop. Rules that keep the results bitwise fixed:
 *   - no fast-math flags anywhere (no contraction, no reassociation);
 *   - integer division, remainder and shifts are guarded with selects so no
 *     instruction can trap or be poison (divisor 0 -> 0, MIN / -1 wraps,
 *     out-of-range shift counts give 0 / the sign fill);
 *   - float -> int goes through llvm.fptosi.sat.i64 then truncates;
 *   - float FLOORDIV is PyTorch's div_floor_floating, every branch computed
 *     and selected; float16/bfloat16 arithmetic (reduction accumulators) is
 *     float32 arithmetic rounded back per op, as interp.c pins down;
 *   - float MAX/MIN order -0.0 below +0.0 and return the NaN operand (a's
 *     first), exactly interp.c's formula;
 *   - casts to float16/bfloat16 go through float32 first (as kc_f32_to_f16
 *     and kc_f32_to_bf16 do), bfloat16 is rounded with integer ops;
 *   - libm calls (expf, logf, ...) carry `nobuiltin` at the call site, so
 *     LLVM never rewrites them into something that rounds differently (it
 *     would turn powf(x, 2) into x*x); the declarations are memory(none) so
 *     they can still be hoisted and CSE'd.
 * Values are memoized per evaluation (cg_memo_clear between evaluations),
 * so a DAG shared inside one stage value is emitted once.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "llvm_gen.h"

/* ---- errors and memo ---- */

void cg_fail(cg_gen *g, const char *fmt, ...) {
  if (g->failed) return;
  g->failed = 1;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(g->err, g->errcap, fmt, ap);
  va_end(ap);
}

void cg_memo_clear(cg_gen *g) {
  if (g->memo_n && g->memo) memset(g->memo, 0, g->memo_cap * sizeof *g->memo);
  g->memo_n = 0;
}

static size_t memo_hash(const void *p, size_t cap) {
  uint64_t h = (uint64_t)(uintptr_t)p * 0x9E3779B97F4A7C15ull;
  return (size_t)(h >> 20) & (cap - 1);
}

static LLVMValueRef memo_get(cg_gen *g, const void *key) {
  if (!g->memo_cap) return NULL;
  for (size_t i = memo_hash(key, g->memo_cap);; i = (i + 1) & (g->memo_cap - 1)) {
    if (g->memo[i].key == key) return g->memo[i].val;
    if (!g->memo[i].key) return NULL;
  }
}

static void memo_put(cg_gen *g, const void *key, LLVMValueRef v) {
  if (2 * (g->memo_n + 1) > g->memo_cap) {
    size_t ncap = g->memo_cap ? 2 * g->memo_cap : 256;
    cg_memo_ent *n = calloc(ncap, sizeof *n);
    if (!n) {
      cg_fail(g, "out of memory");
      return;
    }
    for (size_t i = 0; i < g->memo_cap; i++) {
      if (!g->memo[i].key) continue;
      size_t j = memo_hash(g->memo[i].key, ncap);
      while (n[j].key) j = (j + 1) & (ncap - 1);
      n[j] = g->memo[i];
    }
    free(g->memo);
    g->memo = n;
    g->memo_cap = ncap;
  }
  size_t i = memo_hash(key, g->memo_cap);
  while (g->memo[i].key) i = (i + 1) & (g->memo_cap - 1);
  g->memo[i].key = key;
  g->memo[i].val = v;
  g->memo_n++;
}

/* ---- types and small helpers ---- */

static bool dt_float(tc_dtype dt) {
  return dt == TC_F16 || dt == TC_BF16 || dt == TC_F32 || dt == TC_F64;
}
static unsigned dt_bits(tc_dtype dt) {
  switch (dt) {
  case TC_BOOL: return 1;
  case TC_U8: case TC_I8: return 8;
  case TC_I16: case TC_F16: case TC_BF16: return 16;
  case TC_I32: case TC_F32: return 32;
  default: return 64;
  }
}

static const char *dt_name(tc_dtype dt) {
  static const char *n[] = {"bool", "uint8", "int8", "int16", "int32",
                            "int64", "float16", "bfloat16", "float32",
                            "float64"};
  return (unsigned)dt < TC_NUM_DTYPES ? n[dt] : "?";
}

static const char *op_name(int op) {
  static const char *n[] = {
#define X(e, nm, ar, kind) nm,
#include "../ir/ops.def"
#undef X
  };
  return op >= 0 && op < OP_COUNT ? n[op] : "?";
}

LLVMTypeRef cg_reg_type(cg_gen *g, tc_dtype dt) {
  switch (dt) {
  case TC_BOOL: return g->t_i1;
  case TC_U8: case TC_I8: return g->t_i8;
  case TC_I16: case TC_BF16: return g->t_i16;
  case TC_I32: return g->t_i32;
  case TC_I64: return g->t_i64;
  case TC_F16: return g->t_f16;
  case TC_F32: return g->t_f32;
  default: return g->t_f64;
  }
}

LLVMTypeRef cg_mem_type(cg_gen *g, tc_dtype dt) {
  return dt == TC_BOOL ? g->t_i8 : cg_reg_type(g, dt);
}


LLVMValueRef cg_intrinsic(cg_gen *g, const char *name, LLVMTypeRef *tys,
                          int ntys, LLVMValueRef *args, int nargs) {
  unsigned id = LLVMLookupIntrinsicID(name, strlen(name));
  if (!id) {
    cg_fail(g, "LLVM has no intrinsic %s", name);
    return LLVMGetUndef(LLVMTypeOf(args[0]));
  }
  LLVMValueRef f = LLVMGetIntrinsicDeclaration(g->M, id, tys, (size_t)ntys);
  LLVMTypeRef ft = LLVMIntrinsicGetType(g->C, id, tys, (size_t)ntys);
  return LLVMBuildCall2(g->B, ft, f, args, (unsigned)nargs, "");
}

static LLVMValueRef intrin1(cg_gen *g, const char *name, LLVMValueRef x) {
  LLVMTypeRef t = LLVMTypeOf(x);
  return cg_intrinsic(g, name, &t, 1, &x, 1);
}

static LLVMValueRef intrin2(cg_gen *g, const char *name, LLVMValueRef x,
                            LLVMValueRef y) {
  LLVMTypeRef t = LLVMTypeOf(x);
  LLVMValueRef args[2] = {x, y};
  return cg_intrinsic(g, name, &t, 1, args, 2);
}

/* c, or a vector of w copies of it (w > 0) */
static LLVMValueRef splat(unsigned w, LLVMValueRef c) {
  if (!w) return c;
  LLVMValueRef v[64];
  for (unsigned i = 0; i < w && i < 64; i++) v[i] = c;
  return LLVMConstVector(v, w);
}

static void add_enum_attr(cg_gen *g, LLVMValueRef f, const char *name,
                          uint64_t val) {
  unsigned kind = LLVMGetEnumAttributeKindForName(name, strlen(name));
  LLVMAddAttributeAtIndex(f, LLVMAttributeFunctionIndex,
                          LLVMCreateEnumAttribute(g->C, kind, val));
}

/* A call to the C library's `base` (float: base + "f"). */
static LLVMValueRef libm(cg_gen *g, const char *base, tc_dtype dt,
                         LLVMValueRef *args, int nargs) {
  char name[32];
  snprintf(name, sizeof name, "%s%s", base, dt == TC_F32 ? "f" : "");
  LLVMTypeRef t = cg_reg_type(g, dt);
  LLVMTypeRef params[2] = {t, t};
  LLVMTypeRef ft = LLVMFunctionType(t, params, (unsigned)nargs, 0);
  LLVMValueRef f = LLVMGetNamedFunction(g->M, name);
  if (!f) {
    f = LLVMAddFunction(g->M, name, ft);
    add_enum_attr(g, f, "nounwind", 0);
    add_enum_attr(g, f, "willreturn", 0);
    add_enum_attr(g, f, "memory", 0); /* memory(none): errno is unused */
  }
  LLVMValueRef call = LLVMBuildCall2(g->B, ft, f, args, (unsigned)nargs, "");
  unsigned nb = LLVMGetEnumAttributeKindForName("nobuiltin", 9);
  LLVMAddCallSiteAttribute(call, LLVMAttributeFunctionIndex,
                           LLVMCreateEnumAttribute(g->C, nb, 0));
  return call;
}

LLVMValueRef cg_libm1(cg_gen *g, const char *base, tc_dtype dt,
                      LLVMValueRef x) {
  return libm(g, base, dt, &x, 1);
}

/* kc_expf / kc_exp (kernel.h) on a float (double) or a vector of them,
 * step for step, and branch-free so the loop vectorizer widens it (a libm
 * call stays scalar). The core runs on x clamped into the finite range
 * (NaN -> 0) so that no conversion sees NaN or inf; the selects at the end
 * put the special results back. */
/* a * b + c rounded once (llvm.fma: one instruction where the CPU has it) */
static LLVMValueRef fma3(cg_gen *g, LLVMValueRef a, LLVMValueRef b, LLVMValueRef c) {
  LLVMValueRef args[3] = {a, b, c};
  LLVMTypeRef t = LLVMTypeOf(a);
  return cg_intrinsic(g, "llvm.fma", &t, 1, args, 3);
}

LLVMValueRef cg_exp(cg_gen *g, tc_dtype dt, LLVMValueRef x) {
  LLVMBuilderRef B = g->B;
  bool d = dt == TC_F64;
  LLVMTypeRef t = LLVMTypeOf(x), ft = d ? g->t_f64 : g->t_f32, ie = d ? g->t_i64 : g->t_i32;
  LLVMTypeRef it = ie;
  unsigned w = 0;
  if (LLVMGetTypeKind(t) == LLVMVectorTypeKind) {
    w = LLVMGetVectorSize(t);
    it = LLVMVectorType(ie, w);
  }
#define KF(v) splat(w, cf(ft, (v)))
#define KI(v) splat(w, ci(ie, (v)))
  /* clamped where the formula itself gives +0 and +inf (a NaN becomes LO;
     the last select gives it back): a max and a min */
  const double HI = d ? 710.0 : 89.0, LO = d ? -760.0 : -110.0;
  LLVMValueRef nan = fcmp(g, LLVMRealUNO, x, x);
  LLVMValueRef xc = sel(g, fcmp(g, LLVMRealOGT, x, KF(LO)), x, KF(LO));
  xc = sel(g, fcmp(g, LLVMRealOLT, xc, KF(HI)), xc, KF(HI));
  LLVMValueRef n = intrin1(g, "llvm.roundeven",
                           LLVMBuildFMul(B, xc, KF(d ? 0x1.71547652b82fep+0 : 0x1.715476p+0), ""));
  LLVMValueRef r = fma3(g, n, KF(d ? -0x1.62e42feep-1 : -0x1.62e4p-1), xc);
  r = fma3(g, n, KF(d ? -0x1.a39ef35793c76p-33 : -0x1.7f7d1cp-20), r);
  static const float cf32[] = {1.9875691500e-4f, 1.3981999507e-3f, 8.3334519073e-3f,
                               4.1665795894e-2f, 1.6666665459e-1f, 5.0000001201e-1f};
  int nc = d ? 12 : 6;
  LLVMValueRef p = KF(d ? kc_exp_poly[0] : cf32[0]);
  for (int i = 1; i < nc; i++) p = fma3(g, p, r, KF(d ? kc_exp_poly[i] : cf32[i]));
  LLVMValueRef y = fma3(g, p, LLVMBuildFMul(B, r, r, ""), r);
  y = LLVMBuildFAdd(B, y, KF(1.0), "");
  LLVMValueRef i = LLVMBuildFPToSI(B, n, it, "");
  LLVMValueRef i1 = LLVMBuildAShr(B, i, KI(1), ""); /* any split keeps both scales normal: the same bits */
  LLVMValueRef i2 = LLVMBuildSub(B, i, i1, "");
  int bias = d ? 1023 : 127, mant = d ? 52 : 23;
  LLVMValueRef s1 = LLVMBuildBitCast(B, LLVMBuildShl(B, LLVMBuildAdd(B, i1, KI(bias), ""), KI(mant), ""), t, "");
  LLVMValueRef s2 = LLVMBuildBitCast(B, LLVMBuildShl(B, LLVMBuildAdd(B, i2, KI(bias), ""), KI(mant), ""), t, "");
  LLVMValueRef res = LLVMBuildFMul(B, LLVMBuildFMul(B, y, s1, ""), s2, "");
  return sel(g, nan, LLVMBuildFAdd(B, x, x, ""), res);
#undef KF
#undef KI
}

/* ---- index expressions ---- */

/* floor division / floor modulo of i64 values with the ranges of the ix
 * nodes; a zero divisor gives 0 and INT64_MIN // -1 wraps. */
static LLVMValueRef ix_divmod(cg_gen *g, const ix *e, LLVMValueRef a,
                              LLVMValueRef b) {
  LLVMBuilderRef B = g->B;
  LLVMTypeRef t = g->t_i64;
  bool div = e->op == IX_DIV;
  int64_t c;
  LLVMValueRef zero = ci(t, 0);
  if (ix_is_const(e->b, &c)) {
    b = ci(t, c);
    if (c == 0) return zero;
    if (c == -1) return div ? LLVMBuildSub(B, zero, a, "") : zero;
    if (c > 0 && e->a->lo >= 0)
      return div ? LLVMBuildUDiv(B, a, b, "") : LLVMBuildURem(B, a, b, "");
    LLVMValueRef q = LLVMBuildSDiv(B, a, b, "");
    LLVMValueRef r = LLVMBuildSRem(B, a, b, "");
    /* remainder's sign differs from c's and it is nonzero */
    LLVMValueRef adj = c > 0 ? icmp(g, LLVMIntSLT, r, zero)
                             : icmp(g, LLVMIntSGT, r, zero);
    if (div) return LLVMBuildSub(B, q, LLVMBuildZExt(B, adj, t, ""), "");
    return LLVMBuildAdd(B, r, sel(g, adj, b, zero), "");
  }
  if (e->b->lo > 0) {
    if (e->a->lo >= 0)
      return div ? LLVMBuildUDiv(B, a, b, "") : LLVMBuildURem(B, a, b, "");
    LLVMValueRef q = LLVMBuildSDiv(B, a, b, "");
    LLVMValueRef r = LLVMBuildSRem(B, a, b, "");
    LLVMValueRef adj = icmp(g, LLVMIntSLT, r, zero);
    if (div) return LLVMBuildSub(B, q, LLVMBuildZExt(B, adj, t, ""), "");
    return LLVMBuildAdd(B, r, sel(g, adj, b, zero), "");
  }
  LLVMValueRef one = ci(t, 1);
  LLVMValueRef bz = icmp(g, LLVMIntEQ, b, zero);
  LLVMValueRef bm1 = icmp(g, LLVMIntEQ, b, ci(t, -1));
  LLVMValueRef bs = sel(g, LLVMBuildOr(B, bz, bm1, ""), one, b);
  LLVMValueRef q = LLVMBuildSDiv(B, a, bs, "");
  LLVMValueRef r = LLVMBuildSRem(B, a, bs, "");
  LLVMValueRef adj = LLVMBuildAnd(
      B, icmp(g, LLVMIntNE, r, zero),
      icmp(g, LLVMIntSLT, LLVMBuildXor(B, r, b, ""), zero), "");
  if (!div) return LLVMBuildAdd(B, r, sel(g, adj, b, zero), ""); /* bz,bm1: 0 */
  q = LLVMBuildSub(B, q, LLVMBuildZExt(B, adj, t, ""), "");
  q = sel(g, bm1, LLVMBuildSub(B, zero, a, ""), q);
  return sel(g, bz, zero, q);
}

LLVMValueRef cg_ix(cg_gen *g, const ix *e) {
  if (!e) {
    cg_fail(g, "missing index expression");
    return ci(g->t_i64, 0);
  }
  LLVMValueRef v = memo_get(g, e);
  if (v) return v;
  LLVMBuilderRef B = g->B;
  LLVMTypeRef t = g->t_i64;
  LLVMValueRef a = NULL, b = NULL;
  if (e->op != IX_CONST && e->op != IX_VAR) {
    a = cg_ix(g, e->a);
    b = cg_ix(g, e->b);
  }
  switch (e->op) {
  case IX_CONST: v = ci(t, e->c); break;
  case IX_VAR:
    if (e->var < 0 || e->var >= TC_MAX_DIMS + KC_MAX_STAGES || !g->var[e->var]) {
      cg_fail(g, "index uses variable v%d outside its loop", e->var);
      v = ci(t, 0);
    } else {
      v = g->var[e->var];
    }
    break;
  case IX_ADD: v = LLVMBuildAdd(B, a, b, ""); break;
  case IX_MUL: v = LLVMBuildMul(B, a, b, ""); break;
  case IX_DIV:
  case IX_MOD: v = ix_divmod(g, e, a, b); break;
  case IX_MIN: v = intrin2(g, "llvm.smin", a, b); break;
  case IX_MAX: v = intrin2(g, "llvm.smax", a, b); break;
  case IX_LT: v = LLVMBuildZExt(B, icmp(g, LLVMIntSLT, a, b), t, ""); break;
  case IX_AND: {
    LLVMValueRef z = ci(t, 0);
    v = LLVMBuildAnd(B, icmp(g, LLVMIntNE, a, z), icmp(g, LLVMIntNE, b, z), "");
    v = LLVMBuildZExt(B, v, t, "");
    break;
  }
  default:
    cg_fail(g, "unknown index op %d", (int)e->op);
    v = ci(t, 0);
  }
  memo_put(g, e, v);
  return v;
}

/* ---- memory ---- */

/* ---- casts ---- */

/* float32 -> bfloat16 bits, round to nearest even on the upper half; NaN
 * stays a quiet NaN (kc_f32_to_bf16). */
static LLVMValueRef f32_to_bf16(cg_gen *g, LLVMValueRef f) {
  LLVMBuilderRef B = g->B;
  LLVMTypeRef t = g->t_i32;
  LLVMValueRef u = LLVMBuildBitCast(B, f, t, "");
  LLVMValueRef hi = LLVMBuildLShr(B, u, ci(t, 16), "");
  LLVMValueRef lsb = LLVMBuildAnd(B, hi, ci(t, 1), "");
  LLVMValueRef r = LLVMBuildAdd(B, u, LLVMBuildAdd(B, lsb, ci(t, 0x7fff), ""), "");
  r = LLVMBuildLShr(B, r, ci(t, 16), "");
  LLVMValueRef qnan = LLVMBuildOr(B, hi, ci(t, 0x40), "");
  r = sel(g, fcmp(g, LLVMRealUNO, f, f), qnan, r);
  return LLVMBuildTrunc(B, r, g->t_i16, "");
}

static LLVMValueRef bf16_to_f32(cg_gen *g, LLVMValueRef h) {
  LLVMValueRef u = LLVMBuildZExt(g->B, h, g->t_i32, "");
  u = LLVMBuildShl(g->B, u, ci(g->t_i32, 16), "");
  return LLVMBuildBitCast(g->B, u, g->t_f32, "");
}

LLVMValueRef cg_cast(cg_gen *g, LLVMValueRef v, tc_dtype from, tc_dtype to) {
  LLVMBuilderRef B = g->B;
  if (from == to) return v;
  if (from == TC_F16) {
    v = LLVMBuildFPExt(B, v, g->t_f32, "");
    from = TC_F32;
  } else if (from == TC_BF16) {
    v = bf16_to_f32(g, v);
    from = TC_F32;
  }
  if (from == to) return v;
  if (to == TC_F16) {
    v = cg_cast(g, v, from, TC_F32);
    return LLVMBuildFPTrunc(B, v, g->t_f16, "");
  }
  if (to == TC_BF16) return f32_to_bf16(g, cg_cast(g, v, from, TC_F32));
  LLVMTypeRef tt = cg_reg_type(g, to);
  bool ff = dt_float(from), tf = dt_float(to);
  if (to == TC_BOOL) {
    if (ff) return fcmp(g, LLVMRealUNE, v, cf(LLVMTypeOf(v), 0.0));
    return icmp(g, LLVMIntNE, v, ci(LLVMTypeOf(v), 0));
  }
  if (ff && tf) {
    return dt_bits(to) > dt_bits(from) ? LLVMBuildFPExt(B, v, tt, "")
                                       : LLVMBuildFPTrunc(B, v, tt, "");
  }
  if (ff) { /* float -> int as x86 PyTorch: out of range or NaN gives the
               minimum of int64 (to int64) or of int32 (narrower, then wrap) */
    bool wide = to == TC_I64;
    LLVMTypeRef it = wide ? g->t_i64 : LLVMInt32TypeInContext(LLVMGetTypeContext(tt));
    double lim = wide ? 9223372036854775808.0 : 2147483648.0;
    LLVMValueRef ok = LLVMBuildAnd(B, fcmp(g, LLVMRealOGE, v, cf(LLVMTypeOf(v), -lim)),
                                   fcmp(g, LLVMRealOLT, v, cf(LLVMTypeOf(v), lim)), "");
    LLVMValueRef r = LLVMBuildFPToSI(B, v, it, "");
    r = LLVMBuildSelect(B, ok, r, LLVMConstInt(it, wide ? (1ull << 63) : (1ull << 31), 0), "");
    if (wide || to == TC_I32) return r;
    return LLVMBuildTrunc(B, r, tt, "");
  }
  bool us = !dt_signed(from); /* BOOL, U8 */
  if (tf) return us ? LLVMBuildUIToFP(B, v, tt, "") : LLVMBuildSIToFP(B, v, tt, "");
  unsigned fb = dt_bits(from), tb = dt_bits(to);
  if (tb == fb) return v; /* U8 <-> I8 */
  if (tb < fb) return LLVMBuildTrunc(B, v, tt, "");
  return us ? LLVMBuildZExt(B, v, tt, "") : LLVMBuildSExt(B, v, tt, "");
}

/* ---- integer helpers ---- */

/* tc_ipow_<dt>(base, exp): repeated squaring with wrapping; a negative
 * exponent gives 1 for base 1, +-1 for base -1, else 0. An internal
 * function so value emission stays block-free. */
static LLVMValueRef ipow_fn(cg_gen *g, tc_dtype dt) {
  char name[32];
  snprintf(name, sizeof name, "tc_ipow_%s", dt_name(dt));
  LLVMValueRef f = LLVMGetNamedFunction(g->M, name);
  if (f) return f;
  LLVMTypeRef t = cg_reg_type(g, dt);
  LLVMTypeRef params[2] = {t, t};
  f = LLVMAddFunction(g->M, name, LLVMFunctionType(t, params, 2, 0));
  LLVMSetLinkage(f, LLVMInternalLinkage);
  add_enum_attr(g, f, "nounwind", 0);
  add_enum_attr(g, f, "willreturn", 0);
  add_enum_attr(g, f, "memory", 0);
  cg_fn_attrs(g, f);
  LLVMBuilderRef B = LLVMCreateBuilderInContext(g->C);
  LLVMBasicBlockRef entry = LLVMAppendBasicBlockInContext(g->C, f, "entry");
  LLVMBasicBlockRef neg = LLVMAppendBasicBlockInContext(g->C, f, "neg");
  LLVMBasicBlockRef loop = LLVMAppendBasicBlockInContext(g->C, f, "loop");
  LLVMBasicBlockRef done = LLVMAppendBasicBlockInContext(g->C, f, "done");
  LLVMValueRef base = LLVMGetParam(f, 0), ex = LLVMGetParam(f, 1);
  LLVMValueRef zero = ci(t, 0), one = ci(t, 1), m1 = ci(t, -1);
  LLVMPositionBuilderAtEnd(B, entry);
  if (dt_signed(dt))
    LLVMBuildCondBr(B, LLVMBuildICmp(B, LLVMIntSLT, ex, zero, ""), neg, loop);
  else
    LLVMBuildBr(B, loop);
  LLVMPositionBuilderAtEnd(B, neg);
  {
    LLVMValueRef odd = LLVMBuildTrunc(B, ex, g->t_i1, "");
    LLVMValueRef r = LLVMBuildSelect(B, odd, m1, one, "");
    r = LLVMBuildSelect(B, LLVMBuildICmp(B, LLVMIntEQ, base, m1, ""), r, zero, "");
    r = LLVMBuildSelect(B, LLVMBuildICmp(B, LLVMIntEQ, base, one, ""), one, r, "");
    LLVMBuildRet(B, r);
  }
  LLVMPositionBuilderAtEnd(B, loop);
  LLVMValueRef pr = LLVMBuildPhi(B, t, "r");
  LLVMValueRef pb = LLVMBuildPhi(B, t, "b");
  LLVMValueRef pe = LLVMBuildPhi(B, t, "e");
  LLVMValueRef odd = LLVMBuildTrunc(B, pe, g->t_i1, "");
  LLVMValueRef r1 = LLVMBuildSelect(B, odd, LLVMBuildMul(B, pr, pb, ""), pr, "");
  LLVMValueRef e1 = LLVMBuildLShr(B, pe, one, "");
  LLVMValueRef b1 = LLVMBuildMul(B, pb, pb, "");
  LLVMBuildCondBr(B, LLVMBuildICmp(B, LLVMIntNE, e1, zero, ""), loop, done);
  LLVMValueRef ir[2] = {one, r1}, ib[2] = {base, b1}, ie[2] = {ex, e1};
  LLVMBasicBlockRef from[2] = {entry, loop};
  LLVMAddIncoming(pr, ir, from, 2);
  LLVMAddIncoming(pb, ib, from, 2);
  LLVMAddIncoming(pe, ie, from, 2);
  LLVMPositionBuilderAtEnd(B, done);
  LLVMBuildRet(B, r1);
  LLVMDisposeBuilder(B);
  return f;
}

static LLVMValueRef int_divrem(cg_gen *g, int op, tc_dtype dt, LLVMValueRef a,
                               LLVMValueRef b) {
  LLVMBuilderRef B = g->B;
  LLVMTypeRef t = LLVMTypeOf(a);
  LLVMValueRef zero = ci(t, 0), one = ci(t, 1);
  LLVMValueRef bz = icmp(g, LLVMIntEQ, b, zero);
  if (!dt_signed(dt)) {
    LLVMValueRef bs = sel(g, bz, one, b);
    LLVMValueRef r = op == OP_FLOORDIV ? LLVMBuildUDiv(B, a, bs, "")
                                       : LLVMBuildURem(B, a, bs, "");
    return sel(g, bz, zero, r);
  }
  LLVMValueRef bm1 = icmp(g, LLVMIntEQ, b, ci(t, -1));
  LLVMValueRef bs = sel(g, LLVMBuildOr(B, bz, bm1, ""), one, b);
  LLVMValueRef q = LLVMBuildSDiv(B, a, bs, "");
  LLVMValueRef r = LLVMBuildSRem(B, a, bs, "");
  LLVMValueRef adj = LLVMBuildAnd(
      B, icmp(g, LLVMIntNE, r, zero),
      icmp(g, LLVMIntSLT, LLVMBuildXor(B, r, b, ""), zero), "");
  if (op == OP_REM) return LLVMBuildAdd(B, r, sel(g, adj, b, zero), "");
  q = LLVMBuildSub(B, q, LLVMBuildZExt(B, adj, t, ""), "");
  q = sel(g, bm1, LLVMBuildSub(B, zero, a, ""), q);
  return sel(g, bz, zero, q);
}

static LLVMValueRef int_shift(cg_gen *g, int op, tc_dtype dt, LLVMValueRef a,
                              LLVMValueRef b) {
  LLVMBuilderRef B = g->B;
  LLVMTypeRef t = LLVMTypeOf(a);
  unsigned w = dt_bits(dt);
  /* unsigned compare: a negative count is huge */
  LLVMValueRef ok = icmp(g, LLVMIntULT, b, ci(t, (int64_t)w));
  if (op == OP_SHL) {
    LLVMValueRef s = LLVMBuildShl(B, a, sel(g, ok, b, ci(t, 0)), "");
    return sel(g, ok, s, ci(t, 0));
  }
  if (dt_signed(dt)) /* a count out of range fills with the sign */
    return LLVMBuildAShr(B, a, sel(g, ok, b, ci(t, (int64_t)w - 1)), "");
  LLVMValueRef s = LLVMBuildLShr(B, a, sel(g, ok, b, ci(t, 0)), "");
  return sel(g, ok, s, ci(t, 0));
}

/* ---- float helpers ---- */

/* MAX/MIN of floats (kernel.h: NaN propagates; of equal values the one
 * whose sign is +0.0 for max, -0.0 for min, else either) is IEEE 754-2019
 * maximum/minimum, which LLVM lowers to a few vector instructions (vmaxps
 * with the NaN and signed-zero fix-ups) on scalars and on reduction lanes
 * alike. Only a NaN's payload may differ from the interpreter's choice. */
static LLVMValueRef fmaxmin(cg_gen *g, bool max, LLVMValueRef a,
                            LLVMValueRef b) {
  return intrin2(g, max ? "llvm.maximum" : "llvm.minimum", a, b);
}

static LLVMValueRef frem_py(cg_gen *g, LLVMValueRef a, LLVMValueRef b) {
  LLVMBuilderRef B = g->B;
  LLVMTypeRef t = LLVMTypeOf(a);
  LLVMValueRef r = LLVMBuildFRem(B, a, b, "");
  LLVMValueRef nz = fcmp(g, LLVMRealUNE, r, cf(t, 0.0));
  LLVMValueRef rn = fcmp(g, LLVMRealOLT, r, cf(t, 0.0));
  LLVMValueRef bn = fcmp(g, LLVMRealOLT, b, cf(t, 0.0));
  LLVMValueRef fix = LLVMBuildAnd(B, nz, LLVMBuildXor(B, rn, bn, ""), "");
  return sel(g, fix, LLVMBuildFAdd(B, r, b, ""), r);
}

/* PyTorch's div_floor_floating, as kernel.h spells it: b == 0 -> a/b; else
 * m = fmod(a,b), d = (a-m)/b, d -= 1 when m != 0 and sign(m) != sign(b);
 * d == 0 -> copysign(0, a/b); else f = floor(d), f + 1 when d-f > 0.5.
 * Every branch is computed and selected (none can trap). */
static LLVMValueRef ffloordiv(cg_gen *g, LLVMValueRef a, LLVMValueRef b) {
  LLVMBuilderRef B = g->B;
  LLVMTypeRef t = LLVMTypeOf(a);
  LLVMValueRef zero = cf(t, 0.0), one = cf(t, 1.0);
  LLVMValueRef q = LLVMBuildFDiv(B, a, b, "");
  LLVMValueRef m = LLVMBuildFRem(B, a, b, "");
  LLVMValueRef d = LLVMBuildFDiv(B, LLVMBuildFSub(B, a, m, ""), b, "");
  LLVMValueRef adj = LLVMBuildAnd(
      B, fcmp(g, LLVMRealUNE, m, zero),
      LLVMBuildXor(B, fcmp(g, LLVMRealOLT, b, zero),
                   fcmp(g, LLVMRealOLT, m, zero), ""), "");
  d = sel(g, adj, LLVMBuildFSub(B, d, one, ""), d);
  LLVMValueRef f = intrin1(g, "llvm.floor", d);
  LLVMValueRef up = fcmp(g, LLVMRealOGT, LLVMBuildFSub(B, d, f, ""), cf(t, 0.5));
  LLVMValueRef r = sel(g, up, LLVMBuildFAdd(B, f, one, ""), f);
  r = sel(g, fcmp(g, LLVMRealOEQ, d, zero), intrin2(g, "llvm.copysign", zero, q), r);
  return sel(g, fcmp(g, LLVMRealOEQ, b, zero), q, r);
}

/* ---- binary ops ---- */

LLVMValueRef cg_binop(cg_gen *g, int op, tc_dtype dt, LLVMValueRef a,
                      LLVMValueRef b) {
  LLVMBuilderRef B = g->B;
  if ((dt == TC_F16 || dt == TC_BF16) && (op == OP_MAX || op == OP_MIN)) {
    /* spelled out: LLVM 19 shrinks maximum(fpext a, fpext b) to
     * maximum.f16, which x86 without native half lowers dropping NaNs */
    LLVMValueRef x = cg_cast(g, a, dt, TC_F32), y = cg_cast(g, b, dt, TC_F32);
    LLVMValueRef r = sel(g, fcmp(g, op == OP_MAX ? LLVMRealOGT : LLVMRealOLT, x, y), x, y);
    LLVMTypeRef ft = LLVMTypeOf(x), it = LLVMInt32TypeInContext(g->C);
    if (LLVMGetTypeKind(ft) == LLVMVectorTypeKind) it = LLVMVectorType(it, LLVMGetVectorSize(ft));
    LLVMValueRef neg = icmp(g, LLVMIntSLT, LLVMBuildBitCast(B, x, it, ""), LLVMConstNull(it));
    r = sel(g, fcmp(g, LLVMRealOEQ, x, y), sel(g, neg, op == OP_MAX ? y : x, op == OP_MAX ? x : y), r);
    r = sel(g, fcmp(g, LLVMRealUNO, y, y), y, r);
    r = sel(g, fcmp(g, LLVMRealUNO, x, x), x, r);
    return cg_cast(g, r, TC_F32, dt);
  }
  if (dt == TC_F16 || dt == TC_BF16) { /* float32 op, rounded back per op */
    LLVMValueRef r = cg_binop(g, op, TC_F32, cg_cast(g, a, dt, TC_F32),
                              cg_cast(g, b, dt, TC_F32));
    return cg_cast(g, r, TC_F32, dt);
  }
  if (dt == TC_BOOL) {
    switch (op) {
    case OP_ADD: case OP_MAX: case OP_OR: case OP_BITOR:
      return LLVMBuildOr(B, a, b, "");
    case OP_MUL: case OP_MIN: case OP_AND: case OP_BITAND:
      return LLVMBuildAnd(B, a, b, "");
    case OP_XOR: case OP_BITXOR: case OP_SUB:
      return LLVMBuildXor(B, a, b, "");
    default: break;
    }
  } else if (dt == TC_F32 || dt == TC_F64) {
    switch (op) {
    case OP_ADD: return LLVMBuildFAdd(B, a, b, "");
    case OP_SUB: return LLVMBuildFSub(B, a, b, "");
    case OP_MUL: return LLVMBuildFMul(B, a, b, "");
    case OP_DIV: return LLVMBuildFDiv(B, a, b, "");
    case OP_FLOORDIV: return ffloordiv(g, a, b);
    case OP_REM: return frem_py(g, a, b);
    case OP_POW: {
      LLVMValueRef args[2] = {a, b};
      return libm(g, "pow", dt, args, 2);
    }
    case OP_MAX: return fmaxmin(g, true, a, b);
    case OP_MIN: return fmaxmin(g, false, a, b);
    default: break;
    }
  } else if (!dt_float(dt)) {
    bool s = dt_signed(dt);
    switch (op) {
    case OP_ADD: return LLVMBuildAdd(B, a, b, "");
    case OP_SUB: return LLVMBuildSub(B, a, b, "");
    case OP_MUL: return LLVMBuildMul(B, a, b, "");
    case OP_FLOORDIV: case OP_REM: return int_divrem(g, op, dt, a, b);
    case OP_POW: {
      LLVMValueRef f = ipow_fn(g, dt);
      LLVMValueRef args[2] = {a, b};
      return LLVMBuildCall2(B, LLVMGlobalGetValueType(f), f, args, 2, "");
    }
    case OP_MAX: return intrin2(g, s ? "llvm.smax" : "llvm.umax", a, b);
    case OP_MIN: return intrin2(g, s ? "llvm.smin" : "llvm.umin", a, b);
    case OP_BITAND: return LLVMBuildAnd(B, a, b, "");
    case OP_BITOR: return LLVMBuildOr(B, a, b, "");
    case OP_BITXOR: return LLVMBuildXor(B, a, b, "");
    case OP_SHL: case OP_SHR: return int_shift(g, op, dt, a, b);
    default: break;
    }
  }
  cg_fail(g, "%s is not defined on %s", op_name(op), dt_name(dt));
  return a;
}

/* comparisons: inputs of dtype dt, result bool */
static LLVMValueRef compare(cg_gen *g, int op, tc_dtype dt, LLVMValueRef a,
                            LLVMValueRef b) {
  if (dt == TC_F16 || dt == TC_BF16) {
    a = cg_cast(g, a, dt, TC_F32);
    b = cg_cast(g, b, dt, TC_F32);
    dt = TC_F32;
  }
  if (dt_float(dt)) {
    static const LLVMRealPredicate fp[] = {LLVMRealOEQ, LLVMRealUNE, LLVMRealOLT,
                                           LLVMRealOLE, LLVMRealOGT, LLVMRealOGE};
    return fcmp(g, fp[op - OP_EQ], a, b);
  }
  bool s = dt_signed(dt);
  static const LLVMIntPredicate sp[] = {LLVMIntEQ, LLVMIntNE, LLVMIntSLT,
                                        LLVMIntSLE, LLVMIntSGT, LLVMIntSGE};
  static const LLVMIntPredicate up[] = {LLVMIntEQ, LLVMIntNE, LLVMIntULT,
                                        LLVMIntULE, LLVMIntUGT, LLVMIntUGE};
  return icmp(g, s ? sp[op - OP_EQ] : up[op - OP_EQ], a, b);
}

/* isnan / isinf / isfinite of a value of dtype dt */
static LLVMValueRef classify(cg_gen *g, int op, tc_dtype dt, LLVMValueRef a) {
  if (!dt_float(dt))
    return LLVMConstInt(g->t_i1, op == OP_ISFINITE, 0);
  if (dt == TC_F16 || dt == TC_BF16) {
    a = cg_cast(g, a, dt, TC_F32);
    dt = TC_F32;
  }
  if (op == OP_ISNAN) return fcmp(g, LLVMRealUNO, a, a);
  LLVMValueRef m = intrin1(g, "llvm.fabs", a);
  LLVMValueRef inf = cf(LLVMTypeOf(a), INFINITY);
  return fcmp(g, op == OP_ISINF ? LLVMRealOEQ : LLVMRealONE, m, inf);
}

/* ---- unary ops ---- */

static LLVMValueRef unop(cg_gen *g, int op, tc_dtype dt, LLVMValueRef a) {
  LLVMBuilderRef B = g->B;
  LLVMTypeRef t = LLVMTypeOf(a);
  if (op == OP_NOT || op == OP_BITNOT) {
    if (dt == TC_BOOL || op == OP_BITNOT) return LLVMBuildNot(B, a, "");
    return icmp(g, LLVMIntEQ, a, ci(t, 0));
  }
  if (dt == TC_F32 || dt == TC_F64) {
    LLVMValueRef zero = cf(t, 0.0), one = cf(t, 1.0);
    switch (op) {
    case OP_NEG: return LLVMBuildFNeg(B, a, "");
    case OP_ABS: return intrin1(g, "llvm.fabs", a);
    case OP_SIGN: {
      LLVMValueRef r = sel(g, fcmp(g, LLVMRealOLT, a, zero), cf(t, -1.0), zero);
      return sel(g, fcmp(g, LLVMRealOGT, a, zero), one, r);
    }
    case OP_EXP: return cg_exp(g, dt, a);
    case OP_EXP2: return cg_libm1(g, "exp2", dt, a);
    case OP_LOG: return cg_libm1(g, "log", dt, a);
    case OP_LOG2: return cg_libm1(g, "log2", dt, a);
    case OP_LOG1P: return cg_libm1(g, "log1p", dt, a);
    case OP_EXPM1: return cg_libm1(g, "expm1", dt, a);
    case OP_SIN: return cg_libm1(g, "sin", dt, a);
    case OP_COS: return cg_libm1(g, "cos", dt, a);
    case OP_TAN: return cg_libm1(g, "tan", dt, a);
    case OP_TANH: return cg_libm1(g, "tanh", dt, a);
    case OP_ERF: return cg_libm1(g, "erf", dt, a);
    case OP_SQRT: return intrin1(g, "llvm.sqrt", a);
    case OP_RSQRT: return LLVMBuildFDiv(B, one, intrin1(g, "llvm.sqrt", a), "");
    case OP_RECIP: return LLVMBuildFDiv(B, one, a, "");
    case OP_SIGMOID: {
      LLVMValueRef na = LLVMBuildFNeg(B, a, "");
      LLVMValueRef e = cg_exp(g, dt, na);
      return LLVMBuildFDiv(B, one, LLVMBuildFAdd(B, one, e, ""), "");
    }
    case OP_RELU: return sel(g, fcmp(g, LLVMRealOLT, a, zero), zero, a);
    case OP_GELU: {
      LLVMValueRef x = LLVMBuildFMul(B, a, cf(t, 0.70710678118654752440) /* M_SQRT1_2 */, "");
      LLVMValueRef e = cg_libm1(g, "erf", dt, x);
      if (dt == TC_F32) /* 0.5 * (x + x*erf): PyTorch's float32 sign of zero */
        return LLVMBuildFMul(B, cf(t, 0.5), LLVMBuildFAdd(B, a, LLVMBuildFMul(B, a, e, ""), ""), "");
      LLVMValueRef h = LLVMBuildFMul(B, cf(t, 0.5), a, "");
      return LLVMBuildFMul(B, h, LLVMBuildFAdd(B, one, e, ""), "");
    }
    case OP_FLOOR: return intrin1(g, "llvm.floor", a);
    case OP_CEIL: return intrin1(g, "llvm.ceil", a);
    case OP_ROUND: return intrin1(g, "llvm.roundeven", a);
    case OP_TRUNC: return intrin1(g, "llvm.trunc", a);
    default: break;
    }
  } else if (!dt_float(dt)) {
    bool s = dt_signed(dt);
    LLVMValueRef zero = ci(t, 0);
    switch (op) {
    case OP_NEG: return dt == TC_BOOL ? a : LLVMBuildSub(B, zero, a, "");
    case OP_ABS: {
      if (!s) return a;
      LLVMTypeRef tys[1] = {t};
      LLVMValueRef args[2] = {a, LLVMConstInt(g->t_i1, 0, 0)};
      return cg_intrinsic(g, "llvm.abs", tys, 1, args, 2);
    }
    case OP_SIGN:
      if (dt == TC_BOOL) return a;
      if (!s) return LLVMBuildZExt(B, icmp(g, LLVMIntNE, a, zero), t, "");
      return LLVMBuildSub(B, LLVMBuildZExt(B, icmp(g, LLVMIntSGT, a, zero), t, ""),
                          LLVMBuildZExt(B, icmp(g, LLVMIntSLT, a, zero), t, ""), "");
    case OP_RELU:
      if (!s) return a;
      return sel(g, icmp(g, LLVMIntSLT, a, zero), zero, a);
    case OP_FLOOR: case OP_CEIL: case OP_ROUND: case OP_TRUNC: return a;
    default: break;
    }
  }
  cg_fail(g, "%s is not defined on %s", op_name(op), dt_name(dt));
  return a;
}

/* ---- constants, RNG ---- */

static LLVMValueRef konst(cg_gen *g, const kval *v) {
  switch (v->dt) {
  case TC_BOOL: return LLVMConstInt(g->t_i1, v->k.i != 0, 0);
  case TC_F32: case TC_F64: return cf(cg_reg_type(g, v->dt), v->k.f);
  case TC_F16: {
    LLVMValueRef bits = ci(g->t_i16, kc_f32_to_f16((float)v->k.f));
    return LLVMBuildBitCast(g->B, bits, g->t_f16, "");
  }
  case TC_BF16: return ci(g->t_i16, kc_f32_to_bf16((float)v->k.f));
  default: return ci(cg_reg_type(g, v->dt), v->k.i);
  }
}

/* Philox4x32-10 of counter `ctr` (i64) under `seed`, exactly kc_philox. */
static void philox(cg_gen *g, LLVMValueRef seed, LLVMValueRef ctr,
                   LLVMValueRef x[4]) {
  LLVMBuilderRef B = g->B;
  LLVMTypeRef t32 = g->t_i32, t64 = g->t_i64;
  LLVMValueRef k0 = LLVMBuildTrunc(B, seed, t32, "");
  LLVMValueRef k1 = LLVMBuildTrunc(B, LLVMBuildLShr(B, seed, ci(t64, 32), ""), t32, "");
  LLVMValueRef c0 = LLVMBuildTrunc(B, ctr, t32, "");
  LLVMValueRef c1 = LLVMBuildTrunc(B, LLVMBuildLShr(B, ctr, ci(t64, 32), ""), t32, "");
  LLVMValueRef c2 = ci(t32, 0), c3 = ci(t32, 0);
  LLVMValueRef m0 = ci(t64, 0xD2511F53), m1 = ci(t64, 0xCD9E8D57);
  LLVMValueRef s32 = ci(t64, 32);
  for (int round = 0; round < 10; round++) {
    LLVMValueRef p0 = LLVMBuildMul(B, LLVMBuildZExt(B, c0, t64, ""), m0, "");
    LLVMValueRef p1 = LLVMBuildMul(B, LLVMBuildZExt(B, c2, t64, ""), m1, "");
    LLVMValueRef hi0 = LLVMBuildTrunc(B, LLVMBuildLShr(B, p0, s32, ""), t32, "");
    LLVMValueRef lo0 = LLVMBuildTrunc(B, p0, t32, "");
    LLVMValueRef hi1 = LLVMBuildTrunc(B, LLVMBuildLShr(B, p1, s32, ""), t32, "");
    LLVMValueRef lo1 = LLVMBuildTrunc(B, p1, t32, "");
    LLVMValueRef n0 = LLVMBuildXor(B, LLVMBuildXor(B, hi1, c1, ""), k0, "");
    LLVMValueRef n2 = LLVMBuildXor(B, LLVMBuildXor(B, hi0, c3, ""), k1, "");
    c0 = n0;
    c1 = lo1;
    c2 = n2;
    c3 = lo0;
    k0 = LLVMBuildAdd(B, k0, LLVMConstInt(t32, 0x9E3779B9u, 0), "");
    k1 = LLVMBuildAdd(B, k1, LLVMConstInt(t32, 0xBB67AE85u, 0), "");
  }
  x[0] = c0;
  x[1] = c1;
  x[2] = c2;
  x[3] = c3;
}

static LLVMValueRef rng(cg_gen *g, const kval *v) {
  LLVMBuilderRef B = g->B;
  LLVMValueRef x[4];
  LLVMValueRef seed = v->a ? cg_val(g, v->a) : ci(g->t_i64, v->seed);
  LLVMValueRef ctr = cg_ix(g, v->index);
  if (v->b) ctr = LLVMBuildAdd(B, ctr, cg_val(g, v->b), "");
  philox(g, seed, ctr, x);
  LLVMTypeRef t32 = g->t_i32, f = g->t_f32;
  LLVMValueRef scale = cf(f, 0x1p-24);
  LLVMValueRef r;
  tc_dtype nat;
  if (v->op == OP_RAND) {
    LLVMValueRef m = LLVMBuildLShr(B, x[0], ci(t32, 8), "");
    r = LLVMBuildFMul(B, LLVMBuildUIToFP(B, m, f, ""), scale, "");
    nat = TC_F32;
  } else if (v->op == OP_RANDN) {
    LLVMValueRef m1 = LLVMBuildAdd(B, LLVMBuildLShr(B, x[0], ci(t32, 8), ""),
                                   ci(t32, 1), "");
    LLVMValueRef m2 = LLVMBuildLShr(B, x[1], ci(t32, 8), "");
    LLVMValueRef u1 = LLVMBuildFMul(B, LLVMBuildUIToFP(B, m1, f, ""), scale, "");
    LLVMValueRef u2 = LLVMBuildFMul(B, LLVMBuildUIToFP(B, m2, f, ""), scale, "");
    LLVMValueRef l = cg_libm1(g, "log", TC_F32, u1);
    LLVMValueRef rad = intrin1(g, "llvm.sqrt", LLVMBuildFMul(B, cf(f, -2.0), l, ""));
    LLVMValueRef ang = LLVMBuildFMul(B, cf(f, (double)6.28318530717958647692f), u2, "");
    r = LLVMBuildFMul(B, rad, cg_libm1(g, "cos", TC_F32, ang), "");
    nat = TC_F32;
  } else if (v->op == OP_RANDBITS) {
    LLVMTypeRef t64 = g->t_i64;
    LLVMValueRef hi = LLVMBuildShl(B, LLVMBuildZExt(B, x[2], t64, ""), ci(t64, 32), "");
    r = LLVMBuildOr(B, hi, LLVMBuildZExt(B, x[3], t64, ""), "");
    r = LLVMBuildLShr(B, r, ci(t64, 1), "");
    nat = TC_I64;
  } else {
    cg_fail(g, "unknown RNG op %s", op_name(v->op));
    return ci(g->t_i64, 0);
  }
  return cg_cast(g, r, nat, v->dt);
}

/* ---- values ---- */

static LLVMValueRef val_as(cg_gen *g, const kval *v, tc_dtype dt) {
  return cg_cast(g, cg_val(g, v), v->dt, dt);
}

static LLVMValueRef op_value(cg_gen *g, const kval *v) {
  int op = v->op;
  tc_dtype dt = v->dt;
  if (!v->a) goto bad;
  switch (op) {
  case OP_CAST: return cg_cast(g, cg_val(g, v->a), v->a->dt, dt);
  case OP_BITCAST: return LLVMBuildBitCast(g->B, cg_val(g, v->a), cg_reg_type(g, dt), "");
  case OP_ISNAN: case OP_ISINF: case OP_ISFINITE:
    return classify(g, op, v->a->dt, cg_val(g, v->a));
  case OP_EQ: case OP_NE: case OP_LT: case OP_LE: case OP_GT: case OP_GE:
    if (!v->b) goto bad;
    return compare(g, op, v->a->dt, cg_val(g, v->a), val_as(g, v->b, v->a->dt));
  case OP_WHERE: {
    if (!v->b || !v->c) goto bad;
    LLVMValueRef c = val_as(g, v->a, TC_BOOL);
    LLVMValueRef x = val_as(g, v->b, dt), y = val_as(g, v->c, dt);
    return sel(g, c, x, y);
  }
  case OP_FMA: {
    if (!v->b || !v->c) goto bad;
    return fma3(g, val_as(g, v->a, dt), val_as(g, v->b, dt), val_as(g, v->c, dt));
  }
  default: break;
  }
  if (op >= OP_NEG && op < OP_CAST) return unop(g, op, dt, val_as(g, v->a, dt));
  if (op >= OP_ADD && op < OP_EQ) {
    if (!v->b) goto bad;
    return cg_binop(g, op, dt, val_as(g, v->a, dt), val_as(g, v->b, dt));
  }
bad:
  cg_fail(g, "bad kernel op %s", op_name(op));
  return LLVMGetUndef(cg_reg_type(g, dt));
}

LLVMValueRef cg_val(cg_gen *g, const kval *v) {
  if (!v) {
    cg_fail(g, "missing kernel value");
    return LLVMGetUndef(g->t_i64);
  }
  LLVMValueRef r = memo_get(g, v);
  if (r) return r;
  switch (v->kind) {
  case KV_CONST: r = konst(g, v); break;
  case KV_LOAD:
    if (v->buf < 0 || v->buf >= g->k->nbufs) {
      cg_fail(g, "load from buffer %d of %d", v->buf, g->k->nbufs);
      return LLVMGetUndef(cg_reg_type(g, v->dt));
    }
    {
      LLVMValueRef at = cg_ix(g, v->index);
      if (v->a) at = LLVMBuildAdd(g->B, at, cg_cast(g, cg_val(g, v->a), v->a->dt, TC_I64), "");
      g->gathering = v->a != NULL;
      r = cg_load(g, v->buf, at);
      g->gathering = false;
    }
    r = cg_cast(g, r, g->k->bufs[v->buf].dt, v->dt);
    break;
  case KV_ACC:
    if (v->stage < 0 || v->stage >= KC_MAX_STAGES || !g->acc[v->stage]) {
      cg_fail(g, "value reads stage %d's accumulator before it exists", v->stage);
      return LLVMGetUndef(cg_reg_type(g, v->dt));
    }
    r = g->acc[v->stage];
    if (g->k->stages[v->stage].rop != OP_RARGMAX &&
        g->k->stages[v->stage].rop != OP_RARGMIN)
      r = cg_cast(g, r, g->k->stages[v->stage].acc_dt, v->dt);
    else
      r = cg_cast(g, r, TC_I64, v->dt);
    break;
  case KV_INDEX: r = cg_cast(g, cg_ix(g, v->index), TC_I64, v->dt); break;
  case KV_OP: r = op_value(g, v); break;
  case KV_RNG: r = rng(g, v); break;
  case KV_PARAM:
    if (v->param < 0 || v->param >= g->k->nparams || !g->parp[v->param]) {
      cg_fail(g, "scalar argument %d of %d", v->param, g->k->nparams);
      return LLVMGetUndef(cg_reg_type(g, v->dt));
    }
    r = g->parp[v->param];
    break;
  default:
    cg_fail(g, "unknown kernel value kind %d", (int)v->kind);
    return LLVMGetUndef(g->t_i64);
  }
  memo_put(g, v, r);
  return r;
}
