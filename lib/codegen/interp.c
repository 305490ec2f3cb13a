/*
 * interp.c — the reference interpreter of kernel IR: the oracle every
 * compiled backend is tested against. It follows kernel.h one scalar at a
 * time: outer points decomposed row-major over k->outer, stages in order,
 * reductions as kernel.h's trees (lane r % 8; per lane the perfect
 * pairwise tree over its elements, folded with a binary counter; then the
 * tree of the 8 lanes), argmax/argmin as (value, r) pairs.
 *
 * Scalars are held by dtype: bool and integers as a canonical int64 (the
 * value of the dtype, sign- or zero-extended), float32 in a float (every F32
 * op computed in float with the C library's f-suffixed functions), float64 in
 * a double, and float16/bfloat16 as the float they convert to exactly (they
 * only pass through loads, stores and casts). Points the header leaves open
 * are pinned down here (and should be the same in every backend):
 *   MAX/MIN of floats order -0.0 below +0.0 (as llvm.maximum/minimum do);
 *   float64 -> float16/bfloat16 casts go through float32 (as PyTorch does);
 *   a STORE whose value dtype differs from the buffer's casts it (CAST rules);
 *   float16/bfloat16 arithmetic (only a reduction with such an acc_dt can
 *   ask for it) is float32 arithmetic rounded back to the dtype per op;
 *   an argmax/argmin lane starts as (identity, INT64_MAX), so every element
 *   beats an empty lane and n == 0 gives 0.
 *
 * Each call first flattens every stage's value DAG into a list of nodes in
 * post-order (a shared kval is evaluated once per element); if that
 * allocation fails it falls back to evaluating the trees recursively.
 */
#include "../ir/ir.h"
#include "kernel.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

#define SQRT1_2 0.70710678118654752440
#define TWO_PI_F 6.28318530717958647692f

typedef union sv {
  int64_t i; /* bool, integers */
  float f;   /* float32, float16, bfloat16 */
  double d;  /* float64 */
} sv;

typedef struct ictx {
  const kernel *k;
  void *const *bufs;
  const kc_param *params; /* bufs[nbufs] */
  int64_t vars[TC_MAX_DIMS + KC_MAX_STAGES];
  sv acc[KC_MAX_STAGES];
} ictx;

/* ---- dtype helpers ---- */

static bool is_float(tc_dtype dt) { return dt >= TC_F16 && dt <= TC_F64; }

static int bit_width(tc_dtype dt) {
  switch (dt) {
  case TC_BOOL: return 1;
  case TC_U8: case TC_I8: return 8;
  case TC_I16: return 16;
  case TC_I32: return 32;
  default: return 64;
  }
}

static int64_t wrap_int(int64_t v, tc_dtype dt) {
  switch (dt) {
  case TC_BOOL: return v != 0;
  case TC_U8: return (uint8_t)v;
  case TC_I8: return (int8_t)(uint8_t)v;
  case TC_I16: return (int16_t)(uint16_t)v;
  case TC_I32: return (int32_t)(uint32_t)v;
  default: return v;
  }
}

static int64_t wrap_u(uint64_t v, tc_dtype dt) {
  return wrap_int((int64_t)v, dt);
}

/* A float value of a float dtype, widened exactly to double. */
static double fget(sv v, tc_dtype dt) { return dt == TC_F64 ? v.d : v.f; }

/* float -> int as PyTorch on x86 (cvttss2si): truncate; to int64, NaN or
 * out of range gives INT64_MIN; to narrower types the value goes through
 * int32, where NaN or out of range gives INT32_MIN, then wraps. */
static int64_t f2i(double x, bool wide) {
  if (wide) return (x >= -9223372036854775808.0 && x < 9223372036854775808.0) ? (int64_t)x : INT64_MIN;
  return (x >= -2147483648.0 && x < 2147483648.0) ? (int64_t)(int32_t)x : (int64_t)INT32_MIN;
}

static float to_half_type(float f, tc_dtype dt) {
  return dt == TC_F16 ? kc_f16_to_f32(kc_f32_to_f16(f))
                      : kc_bf16_to_f32(kc_f32_to_bf16(f));
}

static sv cast(sv v, tc_dtype from, tc_dtype to) {
  sv r;
  r.d = 0;
  if (from == to) return v;
  if (is_float(from)) {
    double x = fget(v, from);
    switch (to) {
    case TC_BOOL: r.i = x != 0; break; /* NaN -> true */
    case TC_F64: r.d = x; break;
    case TC_F32: r.f = (float)x; break;
    case TC_F16: case TC_BF16: r.f = to_half_type((float)x, to); break;
    default: r.i = wrap_int(f2i(x, to == TC_I64), to); break;
    }
  } else {
    int64_t i = v.i;
    switch (to) {
    case TC_F64: r.d = (double)i; break;
    case TC_F32: r.f = (float)i; break;
    case TC_F16: case TC_BF16: r.f = to_half_type((float)i, to); break;
    default: r.i = wrap_int(i, to); break;
    }
  }
  return r;
}

/* ---- memory ---- */

static sv load_elem(const void *base, tc_dtype dt, int64_t i) {
  sv r;
  r.d = 0;
  const char *p = (const char *)base;
  switch (dt) {
  case TC_BOOL: r.i = p[i] != 0; break;
  case TC_U8: r.i = ((const uint8_t *)p)[i]; break;
  case TC_I8: r.i = ((const int8_t *)p)[i]; break;
  case TC_I16: { int16_t x; memcpy(&x, p + 2 * i, 2); r.i = x; break; }
  case TC_I32: { int32_t x; memcpy(&x, p + 4 * i, 4); r.i = x; break; }
  case TC_I64: memcpy(&r.i, p + 8 * i, 8); break;
  case TC_F16: case TC_BF16: {
    uint16_t h;
    memcpy(&h, p + 2 * i, 2);
    r.f = dt == TC_F16 ? kc_f16_to_f32(h) : kc_bf16_to_f32(h);
    break;
  }
  case TC_F32: memcpy(&r.f, p + 4 * i, 4); break;
  case TC_F64: memcpy(&r.d, p + 8 * i, 8); break;
  default: break;
  }
  return r;
}

static void store_elem(void *base, tc_dtype dt, int64_t i, sv v) {
  char *p = (char *)base;
  switch (dt) {
  case TC_BOOL: p[i] = (char)(v.i != 0); break;
  case TC_U8: case TC_I8: p[i] = (char)(uint8_t)v.i; break;
  case TC_I16: { int16_t x = (int16_t)v.i; memcpy(p + 2 * i, &x, 2); break; }
  case TC_I32: { int32_t x = (int32_t)v.i; memcpy(p + 4 * i, &x, 4); break; }
  case TC_I64: memcpy(p + 8 * i, &v.i, 8); break;
  case TC_F16: case TC_BF16: {
    uint16_t h = dt == TC_F16 ? kc_f32_to_f16(v.f) : kc_f32_to_bf16(v.f);
    memcpy(p + 2 * i, &h, 2);
    break;
  }
  case TC_F32: memcpy(p + 4 * i, &v.f, 4); break;
  case TC_F64: memcpy(p + 8 * i, &v.d, 8); break;
  default: break;
  }
}

/* ---- scalar ops ---- */

/* exp by precision: kc_expf, kc_exp (kernel.h) */
#define EXP_f kc_expf
#define EXP_ kc_exp

/* Float ops of one precision T (S: the C library suffix, f or empty). */
#define DEFINE_FLOAT_OPS(NAME, T, S)                                          \
  static T NAME(int op, T a, T b) {                                           \
    switch (op) {                                                             \
    case OP_NEG: return -a;                                                   \
    case OP_ABS: return fabs##S(a);                                           \
    case OP_SIGN: return a > 0 ? (T)1 : a < 0 ? (T)-1 : (T)0;                 \
    case OP_EXP: return EXP_##S(a);                                           \
    case OP_EXP2: return exp2##S(a);                                          \
    case OP_LOG: return log##S(a);                                            \
    case OP_LOG2: return log2##S(a);                                          \
    case OP_LOG1P: return log1p##S(a);                                        \
    case OP_EXPM1: return expm1##S(a);                                        \
    case OP_SQRT: return sqrt##S(a);                                          \
    case OP_RSQRT: return (T)1 / sqrt##S(a);                                  \
    case OP_SIN: return sin##S(a);                                            \
    case OP_COS: return cos##S(a);                                            \
    case OP_TAN: return tan##S(a);                                            \
    case OP_TANH: return tanh##S(a);                                          \
    case OP_SIGMOID: return (T)1 / ((T)1 + EXP_##S(-a));                      \
    case OP_RELU: return a < 0 ? (T)0 : a;                                    \
    case OP_GELU: /* float32: 0.5*(x + x*erf), which gives +0 where */      \
      return sizeof(T) == 4 /* PyTorch's CPU float32 kernel gives +0 */       \
                 ? (T)0.5 * (a + a * erf##S(a * (T)SQRT1_2))                  \
                 : (T)0.5 * a * ((T)1 + erf##S(a * (T)SQRT1_2));              \
    case OP_ERF: return erf##S(a);                                            \
    case OP_FLOOR: return floor##S(a);                                        \
    case OP_CEIL: return ceil##S(a);                                          \
    case OP_ROUND: return nearbyint##S(a);                                    \
    case OP_TRUNC: return trunc##S(a);                                        \
    case OP_RECIP: return (T)1 / a;                                           \
    case OP_ADD: return a + b;                                                \
    case OP_SUB: return a - b;                                                \
    case OP_MUL: return a * b;                                                \
    case OP_DIV: return a / b;                                                \
    case OP_FLOORDIV: {                                                       \
      if (b == 0) return a / b;                                               \
      T m = fmod##S(a, b), d = (a - m) / b;                                   \
      if (m != 0 && ((b < 0) != (m < 0))) d -= 1;                             \
      if (d == 0) return copysign##S(0, a / b);                               \
      T f = floor##S(d);                                                      \
      return d - f > (T)0.5 ? f + 1 : f;                                      \
    }                                                                         \
    case OP_REM: {                                                            \
      T r = fmod##S(a, b);                                                    \
      if (r != 0 && ((r < 0) != (b < 0))) r += b;                             \
      return r;                                                               \
    }                                                                         \
    case OP_POW: return pow##S(a, b);                                         \
    case OP_MAX:                                                              \
      if (isnan(a)) return a;                                                 \
      if (isnan(b)) return b;                                                 \
      if (a == b) return signbit(a) ? b : a;                                  \
      return a > b ? a : b;                                                   \
    case OP_MIN:                                                              \
      if (isnan(a)) return a;                                                 \
      if (isnan(b)) return b;                                                 \
      if (a == b) return signbit(a) ? a : b;                                  \
      return a < b ? a : b;                                                   \
    default: return (T)NAN;                                                   \
    }                                                                         \
  }

DEFINE_FLOAT_OPS(fop32, float, f)
DEFINE_FLOAT_OPS(fop64, double, )

static int64_t floordiv_i(int64_t a, int64_t b) {
  if (b == 0) return 0;
  if (b == -1) return (int64_t)(0 - (uint64_t)a); /* MIN / -1 wraps */
  int64_t q = a / b;
  if (a % b != 0 && ((a < 0) != (b < 0))) q--;
  return q;
}

static int64_t rem_i(int64_t a, int64_t b) {
  if (b == 0 || b == -1) return 0;
  int64_t r = a % b;
  if (r != 0 && ((r < 0) != (b < 0))) r += b;
  return r;
}

static int64_t pow_i(int64_t a, int64_t e) {
  if (e < 0) {
    if (a == 1) return 1;
    if (a == -1) return (e & 1) ? -1 : 1;
    return 0;
  }
  uint64_t r = 1, base = (uint64_t)a, n = (uint64_t)e;
  while (n) {
    if (n & 1) r *= base;
    base *= base;
    n >>= 1;
  }
  return (int64_t)r;
}

/* Integer (and bool) ops on canonical values; the result is canonical. */
static int64_t iop(int op, tc_dtype dt, int64_t a, int64_t b) {
  uint64_t ua = (uint64_t)a, ub = (uint64_t)b;
  if (dt == TC_BOOL) {
    switch (op) {
    case OP_ADD: case OP_MAX: case OP_OR: case OP_BITOR: return a | b;
    case OP_MUL: case OP_MIN: case OP_AND: case OP_BITAND: return a & b;
    case OP_XOR: case OP_BITXOR: return a ^ b;
    case OP_NOT: case OP_BITNOT: return !a;
    default: return a; /* RELU, FLOOR, CEIL, ROUND, TRUNC */
    }
  }
  int w = bit_width(dt);
  switch (op) {
  case OP_NEG: return wrap_u(0 - ua, dt);
  case OP_ABS: return a < 0 ? wrap_u(0 - ua, dt) : a;
  case OP_SIGN: return (a > 0) - (a < 0);
  case OP_RELU: return a < 0 ? 0 : a;
  case OP_BITNOT: return wrap_u(~ua, dt);
  case OP_NOT: return a == 0;
  case OP_ADD: return wrap_u(ua + ub, dt);
  case OP_SUB: return wrap_u(ua - ub, dt);
  case OP_MUL: return wrap_u(ua * ub, dt);
  case OP_FLOORDIV: return wrap_int(floordiv_i(a, b), dt);
  case OP_REM: return wrap_int(rem_i(a, b), dt);
  case OP_POW: return wrap_int(pow_i(a, b), dt);
  case OP_MAX: return a > b ? a : b;
  case OP_MIN: return a < b ? a : b;
  case OP_AND: return a != 0 && b != 0;
  case OP_OR: return a != 0 || b != 0;
  case OP_XOR: return (a != 0) != (b != 0);
  case OP_BITAND: return a & b;
  case OP_BITOR: return a | b;
  case OP_BITXOR: return a ^ b;
  case OP_SHL: return b < 0 || b >= w ? 0 : wrap_u(ua << b, dt);
  case OP_SHR:
    if (b < 0 || b >= w) return a < 0 ? -1 : 0;
    return a >> b; /* arithmetic (canonical unsigned values are >= 0) */
  default: return a; /* FLOOR, CEIL, ROUND, TRUNC */
  }
}

static bool compare(int op, tc_dtype dt, sv a, sv b) {
  if (is_float(dt)) {
    double x = fget(a, dt), y = fget(b, dt);
    switch (op) {
    case OP_EQ: return x == y;
    case OP_NE: return x != y;
    case OP_LT: return x < y;
    case OP_LE: return x <= y;
    case OP_GT: return x > y;
    default: return x >= y;
    }
  }
  switch (op) {
  case OP_EQ: return a.i == b.i;
  case OP_NE: return a.i != b.i;
  case OP_LT: return a.i < b.i;
  case OP_LE: return a.i <= b.i;
  case OP_GT: return a.i > b.i;
  default: return a.i >= b.i;
  }
}

/* op on values of dtype dt (inputs and result of dt). */
static sv arith(int op, tc_dtype dt, sv a, sv b) {
  sv r;
  r.d = 0;
  if (dt == TC_F64) r.d = fop64(op, a.d, b.d);
  else if (dt == TC_F32) r.f = fop32(op, a.f, b.f);
  else if (is_float(dt)) r.f = to_half_type(fop32(op, a.f, b.f), dt);
  else r.i = iop(op, dt, a.i, b.i);
  return r;
}

static sv eval_op(const kval *v, const sv *in) {
  sv r;
  r.d = 0;
  tc_dtype t = v->a ? v->a->dt : v->dt;
  switch (v->op) {
  case OP_CAST: return cast(in[0], t, v->dt);
  case OP_BITCAST:
    if (t == TC_F32) {
      int32_t b32;
      memcpy(&b32, &in[0].f, 4);
      r.i = b32;
    } else {
      memcpy(&r.i, &in[0].d, 8);
    }
    return r;
  case OP_WHERE: return in[0].i ? in[1] : in[2];
  case OP_FMA:
    if (v->dt == TC_F64) r.d = fma(in[0].d, in[1].d, in[2].d);
    else r.f = fmaf(in[0].f, in[1].f, in[2].f);
    return r;
  case OP_ISNAN: case OP_ISINF: case OP_ISFINITE:
    if (!is_float(t)) {
      r.i = v->op == OP_ISFINITE;
    } else {
      double x = fget(in[0], t);
      r.i = v->op == OP_ISNAN ? isnan(x) != 0
            : v->op == OP_ISINF ? isinf(x) != 0 : isfinite(x) != 0;
    }
    return r;
  case OP_EQ: case OP_NE: case OP_LT: case OP_LE: case OP_GT: case OP_GE:
    r.i = compare(v->op, t, in[0], in[1]);
    return r;
  default: return arith(v->op, v->dt, in[0], in[1]);
  }
}

static sv eval_rng(const kval *v, int64_t ctr, const sv *in) {
  uint32_t x[4];
  sv r;
  r.d = 0;
  uint64_t seed = v->a ? (uint64_t)in[0].i : v->seed;
  if (v->b) ctr = (int64_t)((uint64_t)ctr + (uint64_t)in[1].i);
  kc_philox(seed, (uint64_t)ctr, x);
  if (v->op == OP_RAND) {
    r.f = (float)(x[0] >> 8) * 0x1p-24f;
  } else if (v->op == OP_RANDN) {
    float u1 = (float)((x[0] >> 8) + 1) * 0x1p-24f;
    float u2 = (float)(x[1] >> 8) * 0x1p-24f;
    r.f = sqrtf(-2.0f * logf(u1)) * cosf(TWO_PI_F * u2);
  } else {
    r.i = (int64_t)(((((uint64_t)x[2]) << 32) | x[3]) >> 1);
  }
  return r;
}

/* The value of v given its operands' values. */
static sv apply(const ictx *C, const kval *v, const sv *in) {
  sv r;
  r.d = 0;
  switch (v->kind) {
  case KV_CONST:
    if (v->dt == TC_F64) r.d = v->k.f;
    else if (is_float(v->dt)) r.f = (float)v->k.f;
    else r.i = wrap_int(v->k.i, v->dt);
    return r;
  case KV_LOAD:
    return load_elem(C->bufs[v->buf], v->dt,
                     (int64_t)((uint64_t)ix_eval(v->index, C->vars) + (uint64_t)(v->a ? in[0].i : 0)));
  case KV_ACC: return C->acc[v->stage];
  case KV_INDEX: r.i = ix_eval(v->index, C->vars); return r;
  case KV_RNG: return eval_rng(v, ix_eval(v->index, C->vars), in);
  case KV_PARAM: {
    kc_param p = C->params[v->param];
    if (v->dt == TC_F64) r.d = p.f;
    else if (is_float(v->dt)) r.f = (float)p.f;
    else r.i = wrap_int(p.i, v->dt);
    return r;
  }
  case KV_OP: return eval_op(v, in);
  }
  return r;
}

/* The fallback evaluator: the tree, recursively. */
static sv eval_rec(const ictx *C, const kval *v) {
  sv in[3];
  memset(in, 0, sizeof in);
  if (v->kind == KV_OP || v->kind == KV_RNG || v->kind == KV_LOAD) {
    const kval *ops[3] = {v->a, v->b, v->c};
    for (int i = 0; i < 3; i++)
      if (ops[i]) in[i] = eval_rec(C, ops[i]);
  }
  return apply(C, v, in);
}

/* ---- the flattened program ---- */

typedef struct pnode {
  const kval *v;
  int in[3]; /* node numbers of the operands, -1 when absent */
} pnode;

typedef struct prog {
  pnode *nodes;
  int n, cap;
  int *order; /* every stage's nodes in evaluation order, concatenated */
  int norder, order_cap;
  int start[KC_MAX_STAGES + 1];
  int root[KC_MAX_STAGES]; /* node of each stage's value */
  int *stamp; /* last stage whose order holds the node */
  const kval **keys;
  int *nums; /* pointer -> node number, open addressing */
  size_t hcap;
  sv *slots;
} prog;

static size_t ptr_hash(const void *p) {
  uint64_t x = (uint64_t)(uintptr_t)p;
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  return (size_t)x;
}

static int prog_find(const prog *P, const kval *v) {
  if (!P->hcap) return -1;
  for (size_t i = ptr_hash(v) & (P->hcap - 1);; i = (i + 1) & (P->hcap - 1)) {
    if (!P->keys[i]) return -1;
    if (P->keys[i] == v) return P->nums[i];
  }
}

static void hash_put(const kval **keys, int *nums, size_t cap, const kval *v,
                     int num) {
  size_t i = ptr_hash(v) & (cap - 1);
  while (keys[i]) i = (i + 1) & (cap - 1);
  keys[i] = v;
  nums[i] = num;
}

/* The node number of v, adding a node when it has none; -1 on OOM. */
static int prog_node(prog *P, const kval *v) {
  int num = prog_find(P, v);
  if (num >= 0) return num;
  if ((size_t)(P->n + 1) * 2 > P->hcap) {
    size_t cap = P->hcap ? P->hcap * 2 : 64;
    const kval **keys = calloc(cap, sizeof *keys);
    int *nums = calloc(cap, sizeof *nums);
    if (!keys || !nums) {
      free(keys);
      free(nums);
      return -1;
    }
    for (size_t j = 0; j < P->hcap; j++)
      if (P->keys[j]) hash_put(keys, nums, cap, P->keys[j], P->nums[j]);
    free(P->keys);
    free(P->nums);
    P->keys = keys;
    P->nums = nums;
    P->hcap = cap;
  }
  if (P->n == P->cap) {
    int cap = P->cap ? 2 * P->cap : 64;
    pnode *nodes = realloc(P->nodes, (size_t)cap * sizeof *nodes);
    if (!nodes) return -1;
    P->nodes = nodes;
    int *stamp = realloc(P->stamp, (size_t)cap * sizeof *stamp);
    if (!stamp) return -1;
    P->stamp = stamp;
    P->cap = cap;
  }
  num = P->n++;
  P->nodes[num].v = v;
  P->nodes[num].in[0] = P->nodes[num].in[1] = P->nodes[num].in[2] = -1;
  P->stamp[num] = -1;
  hash_put(P->keys, P->nums, P->hcap, v, num);
  return num;
}

static bool prog_emit(prog *P, int num) {
  if (P->norder == P->order_cap) {
    int cap = P->order_cap ? 2 * P->order_cap : 64;
    int *order = realloc(P->order, (size_t)cap * sizeof *order);
    if (!order) return false;
    P->order = order;
    P->order_cap = cap;
  }
  P->order[P->norder++] = num;
  return true;
}

/* Appends the nodes stage s needs (not yet in its order), operands first. */
static bool prog_stage(prog *P, int s, const kval *root) {
  size_t cap = 64, n = 0;
  const kval **stack = malloc(cap * sizeof *stack);
  if (!stack) return false;
  bool ok = true;
  stack[n++] = root;
  while (n && ok) {
    const kval *v = stack[n - 1];
    int num = prog_node(P, v);
    if (num < 0) {
      ok = false;
      break;
    }
    if (P->stamp[num] == s) {
      n--;
      continue;
    }
    const kval *ops[3] = {NULL, NULL, NULL};
    if (v->kind == KV_OP || v->kind == KV_RNG || v->kind == KV_LOAD) {
      ops[0] = v->a;
      ops[1] = v->b;
      ops[2] = v->c;
    }
    bool pushed = false;
    for (int i = 2; i >= 0 && ok; i--) {
      if (!ops[i]) continue;
      int o = prog_node(P, ops[i]);
      if (o < 0) {
        ok = false;
        break;
      }
      /* node numbers are stable; P->nodes may move, so index afresh */
      P->nodes[num].in[i] = o;
      if (P->stamp[o] == s) continue;
      if (n == cap) {
        const kval **p = realloc(stack, 2 * cap * sizeof *stack);
        if (!p) {
          ok = false;
          break;
        }
        stack = p;
        cap *= 2;
      }
      stack[n++] = ops[i];
      pushed = true;
    }
    if (!ok || pushed) continue;
    n--;
    P->stamp[num] = s;
    ok = prog_emit(P, num);
  }
  free(stack);
  return ok;
}

static void prog_free(prog *P) {
  free(P->nodes);
  free(P->order);
  free(P->stamp);
  free(P->keys);
  free(P->nums);
  free(P->slots);
}

static bool prog_build(prog *P, const kernel *k) {
  memset(P, 0, sizeof *P);
  for (int s = 0; s < k->nstages; s++) {
    P->start[s] = P->norder;
    if (k->stages[s].kind == KS_MATMUL) continue; /* no value tree */
    if (!prog_stage(P, s, k->stages[s].val)) return false;
    P->root[s] = prog_find(P, k->stages[s].val);
  }
  P->start[k->nstages] = P->norder;
  P->slots = calloc(P->n ? (size_t)P->n : 1, sizeof *P->slots);
  return P->slots != NULL;
}

/* The value of stage s's `val` at the current variables. */
static sv stage_value(const ictx *C, const prog *P, int s) {
  const kval *root = C->k->stages[s].val;
  if (!P) return eval_rec(C, root);
  for (int j = P->start[s]; j < P->start[s + 1]; j++) {
    const pnode *nd = &P->nodes[P->order[j]];
    sv in[3];
    memset(in, 0, sizeof in);
    for (int i = 0; i < 3; i++)
      if (nd->in[i] >= 0) in[i] = P->slots[nd->in[i]];
    P->slots[P->order[j]] = apply(C, nd->v, in);
  }
  return P->slots[P->root[s]];
}

/* ---- reductions ---- */

static sv identity(int rop, tc_dtype dt) {
  sv r;
  r.d = 0;
  bool big = rop == OP_RMIN || rop == OP_RARGMIN; /* +inf / max */
  if (rop == OP_RSUM || rop == OP_RPROD) {
    int one = rop == OP_RPROD;
    if (dt == TC_F64) r.d = one;
    else if (is_float(dt)) r.f = (float)one;
    else r.i = one;
  } else if (dt == TC_F64) {
    r.d = big ? INFINITY : -INFINITY;
  } else if (is_float(dt)) {
    r.f = big ? INFINITY : -INFINITY;
  } else {
    r.i = big ? ir_dtype_int_max(dt) : ir_dtype_int_min(dt);
  }
  return r;
}

static int combine_op(int rop) {
  switch (rop) {
  case OP_RSUM: return OP_ADD;
  case OP_RPROD: return OP_MUL;
  case OP_RMAX: return OP_MAX;
  default: return OP_MIN;
  }
}

/* A tree node: value v (RLSE: m), s (RLSE only), r (argmax/argmin). */
typedef struct node {
  sv v, s;
  int64_t r;
} node;

/* Whether (a) beats (b) for argmax (is_max) or argmin. */
static bool beats(bool is_max, tc_dtype dt, node a, node b) {
  if (is_float(dt)) {
    double x = fget(a.v, dt), y = fget(b.v, dt);
    bool nx = isnan(x), ny = isnan(y);
    if (nx || ny) return nx && (!ny || a.r < b.r);
    if (x != y) return is_max ? x > y : x < y;
    return a.r < b.r;
  }
  if (a.v.i != b.v.i) return is_max ? a.v.i > b.v.i : a.v.i < b.v.i;
  return a.r < b.r;
}

/* (m1, s1) (+) (m2, s2) of RLSE, in float or double (kernel.h) */
static node lse_comb(tc_dtype dt, node a, node b) {
  node o = a;
  if (dt == TC_F64) {
    double m1 = a.v.d, s1 = a.s.d, m2 = b.v.d, s2 = b.s.d;
    if (m2 > m1) {
      double t = m1; m1 = m2; m2 = t;
      t = s1; s1 = s2; s2 = t;
    }
    o.s.d = m1 == m2 ? s1 + s2 : s1 + s2 * kc_exp(m2 - m1);
    o.v.d = m1;
  } else {
    float m1 = a.v.f, s1 = a.s.f, m2 = b.v.f, s2 = b.s.f;
    if (m2 > m1) {
      float t = m1; m1 = m2; m2 = t;
      t = s1; s1 = s2; s2 = t;
    }
    o.s.f = m1 == m2 ? s1 + s2 : s1 + s2 * kc_expf(m2 - m1);
    o.v.f = m1;
  }
  return o;
}

/* left (+) right for stage st */
static node comb(const kstage *st, node a, node b) {
  tc_dtype adt = st->acc_dt;
  if (st->rop == OP_RARGMAX || st->rop == OP_RARGMIN)
    return beats(st->rop == OP_RARGMAX, adt, a, b) ? a : b;
  if (st->rop == OP_RLSE) return lse_comb(adt, a, b);
  a.v = arith(combine_op(st->rop), adt, a.v, b.v);
  return a;
}

static node ident_node(const kstage *st) {
  node o;
  memset(&o, 0, sizeof o);
  o.r = INT64_MAX;
  if (st->rop == OP_RLSE) {
    if (st->acc_dt == TC_F64) o.v.d = -INFINITY;
    else o.v.f = -INFINITY;
  } else {
    o.v = identity(st->rop, st->acc_dt);
  }
  return o;
}

/* element r's leaf: its value folded into the identity */
static node leaf(ictx *C, const prog *P, int s, int64_t r) {
  const kstage *st = &C->k->stages[s];
  tc_dtype adt = st->acc_dt;
  C->vars[kc_stage_var(C->k, s)] = r;
  sv x = cast(stage_value(C, P, s), st->val->dt, adt);
  node o = ident_node(st);
  if (st->rop == OP_RARGMAX || st->rop == OP_RARGMIN) {
    o.v = x;
    o.r = r;
  } else if (st->rop == OP_RLSE) {
    bool nan = isnan(fget(x, adt));
    if (adt == TC_F64) o.s.d = nan ? x.d : 1.0;
    else o.s.f = nan ? x.f : 1.0f;
    if (!nan) o.v = x;
  } else {
    o.v = arith(combine_op(st->rop), adt, o.v, x);
  }
  return o;
}

/* One lane: the binary-counter fold of the perfect tree over its leaves. */
static node lane_value(ictx *C, const prog *P, int s, int l) {
  const kstage *st = &C->k->stages[s];
  node stack[64];
  int64_t K = st->n > l ? (st->n - l + KC_LANES - 1) / KC_LANES : 0;
  for (int64_t k = 0; k < K; k++) {
    node t = leaf(C, P, s, l + KC_LANES * k);
    int lvl = 0;
    for (int64_t c = k; c & 1; c >>= 1) t = comb(st, stack[lvl++], t);
    stack[lvl] = t;
  }
  node acc = ident_node(st);
  bool have = false;
  for (int b = 0; b < 63; b++)
    if ((K >> b) & 1) {
      acc = have ? comb(st, stack[b], acc) : stack[b];
      have = true;
    }
  return acc;
}

static sv run_reduce(ictx *C, const prog *P, int s) {
  const kstage *st = &C->k->stages[s];
  node L[KC_LANES];
  for (int l = 0; l < KC_LANES; l++) L[l] = lane_value(C, P, s, l);
  for (int w = 1; w < KC_LANES; w *= 2)
    for (int l = 0; l < KC_LANES; l += 2 * w) L[l] = comb(st, L[l], L[l + w]);
  sv out;
  if (st->rop == OP_RARGMAX || st->rop == OP_RARGMIN) {
    out.i = L[0].r == INT64_MAX ? 0 : L[0].r;
  } else if (st->rop == OP_RLSE) {
    if (st->acc_dt == TC_F64) out.d = L[0].v.d + log(L[0].s.d);
    else out.d = (double)L[0].v.f + log((double)L[0].s.f); /* KV_ACC is float64 */
  } else {
    out = L[0].v;
  }
  return out;
}

/* a (op) b for a scan (kernel.h) */
static sv scan_comb(int op, tc_dtype dt, sv a, sv b) {
  if (op != OP_RLSE) return arith(op, dt, a, b);
  sv mx = arith(OP_MAX, dt, a, b), mn = arith(OP_MIN, dt, a, b), d;
  if (compare(OP_EQ, dt, mx, mn)) d = cast((sv){.i = 0}, TC_I64, dt);
  else d = arith(OP_SUB, dt, mn, mx);
  return arith(OP_ADD, dt, mx, arith(OP_LOG1P, dt, arith(OP_EXP, dt, d, d), d));
}

static void run_store(ictx *C, const prog *P, int s) {
  const kstage *st = &C->k->stages[s];
  if (st->scan) {
    int var = kc_stage_var(C->k, s);
    tc_dtype bdt = C->k->bufs[st->buf].dt, vdt = st->val->dt;
    sv acc = {0};
    if (st->init) acc = cast(eval_rec(C, st->init), st->init->dt, vdt);
    for (int64_t j = 0; j < st->n; j++) {
      C->vars[var] = j;
      sv v = stage_value(C, P, s);
      acc = j == 0 && !st->init ? v : scan_comb(st->scan, vdt, acc, v);
      store_elem(C->bufs[st->buf], bdt, ix_eval(st->index, C->vars), cast(acc, vdt, bdt));
    }
    return;
  }
  int var = kc_stage_var(C->k, s);
  tc_dtype bdt = C->k->bufs[st->buf].dt;
  /* accumulate: ADD in the buffer's compute dtype (float16/bfloat16 in float32) */
  tc_dtype cdt = bdt == TC_F16 || bdt == TC_BF16 ? TC_F32 : bdt;
  int64_t kept = 0; /* a compaction's count of the kept steps before j */
  for (int64_t j = 0; j < st->n; j++) {
    C->vars[var] = j;
    if (st->keep && !eval_rec(C, st->keep).i) continue;
    sv v = stage_value(C, P, s);
    int64_t at = ix_eval(st->index, C->vars);
    if (st->keep) at = (int64_t)((uint64_t)at + (uint64_t)kept++);
    if (st->dyn) at = (int64_t)((uint64_t)at + (uint64_t)eval_rec(C, st->dyn).i);
    if (st->accumulate) {
      sv old = cast(load_elem(C->bufs[st->buf], bdt, at), bdt, cdt);
      v = cast(arith(st->acc_op ? st->acc_op : OP_ADD, cdt, old, cast(v, st->val->dt, cdt)), cdt, bdt);
    } else {
      v = cast(v, st->val->dt, bdt);
    }
    store_elem(C->bufs[st->buf], bdt, at, v);
  }
}

/* KS_MATMUL at the current point: the sequential fma chain of kernel.h. */
static void run_matmul(ictx *C, int s) {
  const kstage *st = &C->k->stages[s];
  const kmm *mm = &st->mm;
  tc_dtype dt = st->acc_dt, adt = C->k->bufs[mm->a].dt, bdt = C->k->bufs[mm->b].dt;
  int64_t pa = mm->a_off, pb = mm->b_off;
  for (int d = 0; d < C->k->nouter; d++) pa += C->vars[d] * mm->a_str[d], pb += C->vars[d] * mm->b_str[d];
  sv acc;
  acc.d = 0;
  if (dt == TC_F64) acc.d = 0.0;
  else if (is_float(dt)) acc.f = 0.0f;
  else acc.i = 0;
  for (int64_t k = 0; k < st->n; k++) {
    sv a = cast(load_elem(C->bufs[mm->a], adt, pa + k * mm->a_k), adt, dt);
    sv b = cast(load_elem(C->bufs[mm->b], bdt, pb + k * mm->b_k), bdt, dt);
    if (dt == TC_F64) acc.d = fma(a.d, b.d, acc.d);
    else if (is_float(dt)) acc.f = fmaf(a.f, b.f, acc.f);
    else acc.i = wrap_int((int64_t)((uint64_t)acc.i + (uint64_t)a.i * (uint64_t)b.i), dt);
  }
  store_elem(C->bufs[st->buf], dt, ix_eval(st->index, C->vars), acc);
}

void kc_interp(const kernel *k, void *const *bufs, int64_t begin,
               int64_t end) {
  for (int d = 0; d < k->nouter; d++)
    if (k->outer[d] <= 0) return;
  for (int s = 0; s < k->nstages; s++)
    if (!k->stages[s].val && k->stages[s].kind != KS_MATMUL) return;
  prog P;
  const prog *pp = prog_build(&P, k) ? &P : NULL;
  ictx C;
  memset(&C, 0, sizeof C);
  C.k = k;
  C.bufs = bufs;
  C.params = k->nparams ? (const kc_param *)bufs[k->nbufs] : NULL;
  for (int64_t p = begin; p < end; p++) {
    int64_t q = p;
    for (int d = k->nouter - 1; d >= 0; d--) {
      C.vars[d] = q % k->outer[d];
      q /= k->outer[d];
    }
    for (int s = 0; s < k->nstages; s++) {
      if (k->stages[s].kind == KS_REDUCE) C.acc[s] = run_reduce(&C, pp, s);
      else if (k->stages[s].kind == KS_MATMUL) run_matmul(&C, s);
      else run_store(&C, pp, s);
    }
  }
  prog_free(&P);
}
