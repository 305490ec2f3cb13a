/*
 * kernel.h — kernel IR: what one fused kernel computes, in a form every
 * backend (LLVM for the CPU, CUDA C, the reference interpreter) turns into
 * code with exactly the same results.
 *
 * Shape of a kernel. An "outer" iteration space of `nouter` dims (loop
 * variables 0..nouter-1, variable d ranging over [0, outer[d])) whose points
 * are independent: backends split the row-major flattening of that space
 * across threads/blocks however they like. At each outer point the stages run
 * in order:
 *   KS_REDUCE  loops its single inner variable r (variable number
 *              nouter + stage index) over [0, n) and combines `val` into an
 *              accumulator; later stages read the result as KV_ACC.
 *   KS_STORE   loops its inner variable over [0, n) (n == 1 for a plain
 *              store at the outer point; the variable is then always 0) and
 *              stores `val` into buffer `buf` at element `index` (plus the
 *              int64 value `dyn` when set: a scatter, whose positions are
 *              data; with `accumulate`, combines val with what is there by
 *              acc_op: add, multiply, max or min). Outer
 *              points are independent unless the kernel is `serial`.
 *   KS_MATMUL  (a kernel's only stage) stores at `index` (of buffer `buf`,
 *              whose dtype acc_dt is the compute dtype) the product of a
 *              row of A and a column of B: with pa = a_off + sum_d var_d *
 *              a_str[d] and pb likewise, acc = 0, then for k = 0 .. n-1 in
 *              order acc = fma(A[pa + k a_k], B[pb + k b_k], acc) — one
 *              rounding a step (floats; loads converted to acc_dt, so
 *              float16 operands are exact in float32), or acc + a * b
 *              wrapping (integers). A fixed sequential order per element:
 *              the same bits whatever the tiling, thread count or backend.
 * Index expressions (index.h) may use the outer variables and the variable of
 * the stage they are in (and only those).
 *
 * Reduction order (part of the IR's meaning, so results are bitwise fixed
 * whatever the thread count or backend): KC_LANES (8) lanes; lane l holds
 * the elements r = l + 8k (k = 0, 1, ...). Each element first becomes a
 * leaf: its value cast to acc_dt and folded into the identity (sum: 0 + x,
 * so -0.0 becomes +0.0; argmax/argmin: the pair (x, r); RLSE: (x, 1), or
 * (-inf, x) when x is NaN). A lane's value is the perfect binary tree over
 * k: level 1 combines the leaves k = 2i and 2i+1 (left, right), level 2
 * those results pairwise, and so on, positions past the lane's last element
 * being the identity. Combining with the identity is exact (x op identity
 * == x for every op and every value a leaf or a node can hold), so those
 * positions may be skipped: a lane of K leaves is the binary-counter fold
 * (perfect subtrees of the set bits of K, the later, smaller ones combined
 * first as the right operand). The 8 lane values then combine as
 *   ((L0 op L1) op (L2 op L3)) op ((L4 op L5) op (L6 op L7)).
 * The tree over k is what lets a GPU spread one reduction over many
 * threads (aligned blocks of k are subtrees) and a CPU keep 8 lanes in a
 * vector; its rounding error grows with log n, not n.
 * Identities: sum 0, prod 1, max -inf (integers: the type's minimum),
 * min +inf (integers: maximum). NaN propagates through max/min (a NaN lane
 * makes the result NaN). argmax/argmin keep (value, r) pairs: a pair wins if
 * its value is greater (smaller), or equal with a smaller r, or NaN (NaN beats
 * every number; between NaNs the smaller r wins); their KV_ACC value is the
 * winning r as int64 (0 when n == 0); the identity pair is (identity,
 * INT64_MAX), which every element beats. The accumulator dtype is `acc_dt`.
 * RLSE (floats only, acc_dt F32 or F64, computed in that precision) is
 * log-sum-exp over (m, s) pairs (m + log(s) is the partial result), the
 * identity (-inf, 0). Two combine as (m1, s1) (+) (m2, s2): swapped first
 * when m2 > m1, then s = m1 == m2 ? s1 + s2 : s1 + s2 * exp(m2 - m1),
 * m = m1. KV_ACC is m + log(s) computed in float64 ((double)m +
 * log((double)s), dtype TC_F64 whatever acc_dt): m is exact, so a float32
 * accumulator loses nothing to rounding m + log(s) to float32.
 *
 * Scalar semantics of KV_OP (op from ops.def; EW ops only). Inputs have the
 * node's dtype `dt` except: comparisons, ISNAN/ISINF/ISFINITE (inputs any
 * dtype `a->dt`, result TC_BOOL), CAST and BITCAST (input a->dt, result dt), WHERE (a is
 * TC_BOOL). TC_F16/TC_BF16 appear only as the dtype of a load, a store value
 * and the two sides of a CAST; every other op sees BOOL, ints, F32 or F64.
 *   bool values are 0/1 (stored as one byte). On BOOL: ADD, MAX, OR -> or;
 *     MUL, MIN, AND -> and; XOR, NE -> xor; BITNOT, NOT -> not.
 *   integers wrap (two's complement): ADD SUB MUL NEG ABS. FLOORDIV is floor
 *     division, REM has the sign of the divisor (Python); both give 0 when the
 *     divisor is 0, and MIN/-1 wraps. POW on integers: repeated squaring,
 *     wrapping; a negative exponent gives 1 for base 1, +-1 for base -1 (odd
 *     exponent: -1), else 0. SHL: shift count < 0 or >= bit width gives 0.
 *     SHR: arithmetic for signed types; a count < 0 or >= width gives 0 (or
 *     -1 for a negative signed value). SIGN: -1/0/1.
 *   floats: IEEE, no contraction to FMA, no reassociation. DIV true division;
 *     FLOORDIV as PyTorch's div_floor_floating: b == 0 -> a/b; else
 *     m = fmod(a,b), d = (a-m)/b, d -= 1 when m != 0 and sign(m) != sign(b);
 *     d == 0 -> copysign(0, a/b); else f = floor(d), f + 1 when d-f > 0.5; REM a - floor(a/b)*b, with the result's sign fixed
 *     to b's (fmod(a,b), then + b when it is nonzero and its sign differs from
 *     b's). MAX/MIN propagate NaN. RELU: x < 0 ? 0 : x (NaN and -0.0 pass through).
 *     SIGN: x > 0 ? 1 : x < 0 ? -1 : 0 (NaN -> 0, -0.0 -> 0). SIGMOID
 *     1/(1+exp(-x)). GELU float64: 0.5*x*(1+erf(x*M_SQRT1_2)); float32:
 *     0.5*(x + x*erf(x*M_SQRT1_2)) (PyTorch's CPU kernels differ in the sign
 *     of zero results). RSQRT 1/sqrt(x). RECIP
 *     1/x. ROUND half to even. EXP (and the exp inside SIGMOID and RLSE)
 *     is kc_expf / kc_exp below, bitwise on every backend. Other
 *     transcendentals as the C library's (logf, log, ...), within
 *     DESIGN.md's tolerances on other backends.
 *   comparisons: ordered (NaN compares false), NE is true when either is NaN.
 *   CAST: int->float rounds to nearest; float->int truncates toward zero as
 *     x86 PyTorch does: to int64, NaN or out of range gives INT64_MIN; to a
 *     narrower type the value goes through int32 (NaN or out of range gives
 *     INT32_MIN) and then wraps; float->bool and int->bool: x != 0 (NaN -> true); bool->x: 0/1;
 *     int->int: truncate or sign/zero-extend;
 *   BITCAST: float32 -> int32 or float64 -> int64, the same bits; f32->f16 IEEE round to nearest
 *     even; f32->bf16 round to nearest even on the upper 16 bits (NaN stays a
 *     quiet NaN); f16/bf16->f32 exact.
 * KV_RNG: Philox4x32-10 (see kc_philox below) keyed by `seed` (or, when
 * `a` is set, by the int64 value a), counter = the 64-bit value of `index`
 * (plus the int64 value b when set, wrapping): RAND -> float32 (x0 >> 8) * 2^-24; RANDN ->
 * float32 sqrt(-2 ln u1) * cos(2 pi u2) with u1 = ((x0 >> 8) + 1) * 2^-24,
 * u2 = (x1 >> 8) * 2^-24 (computed in float32); RANDBITS -> int64
 * (((uint64)x2 << 32) | x3) >> 1.
 *
 * Memory: a kernel owns an arena holding its values and index expressions.
 */
#ifndef TC_CODEGEN_KERNEL_H
#define TC_CODEGEN_KERNEL_H
#include <stdbool.h>
#include <stdint.h>
#include "../ir/index.h"
#include "tensorc.h"

#include "../ir/ops.h"

#include "../ir/limits.h"

typedef enum kv_kind {
  KV_CONST, /* c (as dt) */
  KV_LOAD,  /* bufs[buf][index (+ the int64 value a, when set: a gather,
               whose lowering keeps it within the buffer)], dtype dt == the
               buffer's dtype */
  KV_ACC,   /* result of REDUCE stage `stage` */
  KV_INDEX, /* the int64 value of `index` */
  KV_OP,    /* op(a, b, c) */
  KV_RNG,   /* Philox value: op is OP_RAND, OP_RANDN or OP_RANDBITS */
  KV_PARAM  /* scalar argument `param` of the launch, as dt (see below) */
} kv_kind;

typedef struct kval {
  kv_kind kind;
  int op;      /* KV_OP / KV_RNG: an OP_* */
  tc_dtype dt; /* result dtype */
  const struct kval *a, *b, *c; /* KV_OP operands; KV_RNG seed and base */
  union {
    double f;  /* KV_CONST of a float dtype */
    int64_t i; /* KV_CONST of an integer or bool dtype */
  } k;
  int buf;         /* KV_LOAD */
  const ix *index; /* KV_LOAD, KV_INDEX, KV_RNG (the counter) */
  int stage;       /* KV_ACC */
  uint64_t seed;   /* KV_RNG */
  int param;       /* KV_PARAM */
} kval;

typedef enum kstage_kind { KS_REDUCE, KS_STORE, KS_MATMUL } kstage_kind;

/* KS_MATMUL's operands: strided views of two buffers. */
typedef struct kmm {
  int a, b;                        /* the buffers of A and B */
  int64_t a_off, b_off;
  int64_t a_str[TC_MAX_DIMS];      /* A's stride along each outer dim (0 along n) */
  int64_t b_str[TC_MAX_DIMS];      /* B's stride along each outer dim (0 along m) */
  int64_t a_k, b_k;                /* their strides along k (extent: the stage's n) */
} kmm;

typedef struct kstage {
  kstage_kind kind;
  int64_t n;        /* extent of the inner variable (>= 1 for KS_STORE) */
  const kval *val;  /* the value reduced or stored */
  int rop;          /* KS_REDUCE: OP_RSUM, OP_RPROD, OP_RMAX, OP_RMIN,
                       OP_RARGMAX, OP_RARGMIN, OP_RLSE */
  tc_dtype acc_dt;  /* KS_REDUCE: accumulator dtype (KV_ACC's dtype, except
                       ARG*, whose KV_ACC is TC_I64) */
  int buf;          /* KS_STORE: the buffer written */
  const ix *index;  /* KS_STORE: element index stored to */
  const kval *dyn;  /* KS_STORE: an int64 value added to index (a scatter:
                       data-dependent positions), or NULL */
  bool accumulate;  /* KS_STORE: buf[i] = buf[i] (op) val in the buffer's
                       compute dtype, read when stored; op is acc_op */
  int acc_op;       /* KS_STORE with accumulate: OP_ADD (also when 0),
                       OP_MUL, OP_MAX or OP_MIN */
  int scan;         /* KS_STORE: 0, or a running combine over the inner
                       variable, in order: the value stored at step j is
                       s_j = val_0 (j == 0) or s_{j-1} (op) val_j, in val's
                       dtype; op OP_ADD, OP_MUL, OP_MAX, OP_MIN (kernel
                       semantics: NaN propagates), or OP_RLSE:
                       m + log1p(exp(d)) with m = max(a, b), d = min(a, b)
                       - m (0 when they are equal) */
  const kval *init; /* KS_STORE with scan: NULL, or the row's start, in
                       val's dtype, not using the stage's variable: then
                       s_0 = init (op) val_0 */
  const kval *keep; /* KS_STORE: NULL, or a compaction: a bool value; the
                       stage walks its variable j = 0 .. n-1 in order and
                       stores val_j at index + dyn + c_j only where keep_j
                       holds, c_j being the number of earlier j where keep
                       held (the kept values land side by side, in order).
                       index and dyn do not use the stage's variable; not
                       with scan or accumulate */
  kmm mm;           /* KS_MATMUL */
} kstage;

typedef struct kbuf {
  tc_dtype dt;
  int64_t nelem;  /* elements in the buffer (every index stays below) */
  bool written;   /* some stage stores to it */
} kbuf;

typedef struct kernel {
  int nbufs;
  kbuf bufs[KC_MAX_BUFS];
  int nouter;
  int64_t outer[TC_MAX_DIMS];
  int nstages;
  kstage stages[KC_MAX_STAGES];
  int nparams;
  tc_dtype params[KC_MAX_PARAMS]; /* each scalar argument's dtype */
  bool serial;    /* outer points run one after another in row-major order
                     (one thread): a scatter whose positions may repeat,
                     where the last store (or the sum in order) must win */
  ir_arena arena; /* owns every kval and ix of the kernel */
} kernel;

/* A scalar argument's value at launch: 8 bytes, a double for a float dtype
 * (KV_PARAM of F32 is (float)d, of F64 d) or an int64 for an integer or bool
 * dtype (KV_PARAM wraps it to dt as CAST between integers does; bool is
 * i != 0). Scalars are arguments, not constants, so one compiled kernel
 * serves every value (a learning rate that changes every step). */
typedef union kc_param {
  double f;
  int64_t i;
} kc_param;

/* The kernel's entry point on the CPU: computes the outer points whose
 * row-major flat index is in [begin, end). bufs[i] is buffer i's base for
 * i < nbufs; bufs[nbufs] points to the nparams kc_param values. */
typedef void (*kc_fn)(void *const *bufs, int64_t begin, int64_t end);

/* ---- building (kernel.c) ---- */
void kc_init(kernel *k, const tc_allocator *al);
void kc_free(kernel *k);
const kval *kc_const_f(kernel *k, tc_dtype dt, double v);
const kval *kc_const_i(kernel *k, tc_dtype dt, int64_t v);
const kval *kc_load(kernel *k, int buf, const ix *index);
/* A load at index + dyn (an int64 value: a data-dependent position). */
const kval *kc_load_at(kernel *k, int buf, const ix *index, const kval *dyn);
const kval *kc_acc(kernel *k, int stage);
const kval *kc_index(kernel *k, const ix *index);
const kval *kc_op(kernel *k, int op, tc_dtype dt, const kval *a,
                  const kval *b, const kval *c);
const kval *kc_rng(kernel *k, int op, uint64_t seed, const ix *counter);
/* The same with the seed and a counter base as int64 values (usually
 * params): counter = index + base. */
const kval *kc_rng_dyn(kernel *k, int op, const kval *seed, const kval *base,
                       const ix *counter);
/* A new scalar argument of dtype dt (BOOL, an integer, F32 or F64): its
 * KV_PARAM value; NULL past KC_MAX_PARAMS. */
const kval *kc_param_new(kernel *k, tc_dtype dt);
/* The variable numbers: outer dim d is d; stage s's inner variable is
 * kc_stage_var(k, s) == k->nouter + s. */
static inline int kc_stage_var(const kernel *k, int s) { return k->nouter + s; }

/* Whether the elements a kernel reads at flat index r and writes at flat
 * index f (over the outer variables and those of stages 0..last) are
 * provably never the same (kernel.c): then a write may go in place. */
bool kc_disjoint(const kernel *k, int last, const ix *r, const ix *f);
int64_t kc_outer_numel(const kernel *k);

/* Canonical text of the kernel (deterministic: the cache key's core, and the
 * TC_DEBUG=kernels dump). Returns a malloc'd string. */
char *kc_print(const kernel *k);

/* The number of distinct values the stages compute (the kernel's size). */
int64_t kc_count_values(const kernel *k);

/* A compact binary form with the same content as kc_print (malloc'd; its
 * length in *len; NULL when out of memory): the kernel cache's key. */
uint8_t *kc_key(const kernel *k, size_t *len);

/* ---- the reference interpreter (interp.c) ----
 * Runs outer points [begin, end) with exactly the semantics above, one
 * scalar at a time. It is the oracle the compiled backends are tested
 * against. */
void kc_interp(const kernel *k, void *const *bufs, int64_t begin, int64_t end);

/* ---- Philox4x32-10 (kernel.c), the single definition every backend copies:
 * key (k0, k1) = (low, high 32 bits of seed); counter (c0, c1, c2, c3) =
 * (low, high 32 bits of ctr, 0, 0); 10 rounds, each
 *   (hi0, lo0) = 0xD2511F53 * c0 (64-bit product), (hi1, lo1) = 0xCD9E8D57 * c2
 *   c = (hi1 ^ c1 ^ k0, lo1, hi0 ^ c3 ^ k1, lo0)
 * with the key bumped (k0 += 0x9E3779B9, k1 += 0xBB67AE85) after every round
 * but the last. */
void kc_philox(uint64_t seed, uint64_t ctr, uint32_t out[4]);

/* ---- float32 exp (kernel.c): EXP, SIGMOID's and RLSE's exp on float32 ----
 * One formula for every backend, so the CPU (a branch-free form the loop
 * vectorizer widens) and CUDA give the same bits (libm's expf is a call the
 * vectorizer cannot widen). Each step is one float32 op rounded to nearest,
 * in this order, no other contraction; fma(a, b, c) is a * b + c rounded
 * once (one instruction on the CPU and the GPU):
 *   NaN -> x + x; else x clamped to [-110, 89], where the steps below give
 *   +0 and +inf (as they do for every x < -0x1.9fe36ap+6 and every
 *   x > 0x1.62e42ep+6, the largest x with a finite result), then
 *   n = roundeven(x * 0x1.715476p+0)      (log2 e)
 *   r = fma(n, -0x1.7f7d1cp-20, fma(n, -0x1.62e400p-1, x))   (ln 2, hi + lo)
 *   p = c6, then p = fma(p, r, c) for c = c5, c4, c3, c2, c1
 *     (c6..c1 = 1.9875691500e-4, 1.3981999507e-3, 8.3334519073e-3,
 *      4.1665795894e-2, 1.6666665459e-1, 5.0000001201e-1)
 *   y = fma(p, r * r, r) + 1
 *   i = (int)n, i1 = i / 2 (toward zero), i2 = i - i1;
 *   result = (y * 2^i1) * 2^i2   (both powers exact floats; y * 2^i1 is
 *   exact, so any split with normal powers gives these bits)
 * Within 1 ulp of exp over the normal range (checked against exp in double
 * by test_kernel); subnormal results round once, in the last product. */
float kc_expf(float x);

/* float64 exp (kernel.c): EXP, SIGMOID's and RLSE's exp on float64, the
 * same scheme in float64 ops: NaN -> x + x; x clamped to [-760, 710]
 * (there the steps give +0 and +inf, as for every x < -0x1.74910d52d3052p+9
 * and every x > 0x1.62e42fefa39efp+9); n = roundeven(x *
 * 0x1.71547652b82fep+0); r = fma(n, -0x1.a39ef35793c76p-33, fma(n,
 * -0x1.62e42feep-1, x)); p = 1/13!, then p = fma(p, r, 1/k!) for k = 12
 * down to 2; y = fma(p, r * r, r) + 1; i = (int64)n, i1 = i / 2, i2 = i - i1;
 * result (y * 2^i1) * 2^i2. Within 1 ulp of exp (test_kernel). */
double kc_exp(double x);
extern const double kc_exp_poly[12]; /* 1/13!, 1/12!, ..., 1/2! */

/* ---- half / bfloat16 conversions (kernel.c), as CAST defines them ---- */
float kc_f16_to_f32(uint16_t h);
uint16_t kc_f32_to_f16(float f);
float kc_bf16_to_f32(uint16_t h);
uint16_t kc_f32_to_bf16(float f);

#endif
