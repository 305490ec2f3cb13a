/*
 * kernel.c — building kernel IR (kernel.h), its canonical text, Philox and
 * the half/bfloat16 conversions every backend shares.
 *
 * Builders allocate in the kernel's arena and return NULL when a required
 * argument is NULL, the arena is out of memory, or the node would break the
 * rules of kernel.h: kc_load needs 0 <= buf < k->nbufs (its dtype is the
 * buffer's, so declare buffers first); kc_acc needs a KS_REDUCE stage below
 * k->nstages; kc_op checks arity and dtypes (inputs of the node's dtype
 * except comparisons/is* -> bool, CAST, WHERE's bool condition; float16/
 * bfloat16 only on CAST; DIV and transcendentals on floats only; NOT/AND/OR/
 * XOR on bool only; bitwise ops and shifts not on floats, shifts not on bool;
 * NEG/SUB/FLOORDIV/REM/POW not on bool; ABS, SIGN, RELU, FLOOR, CEIL, ROUND
 * and TRUNC of a bool or an integer are the value itself). Constants are
 * canonicalized to their dtype (ints wrapped, floats rounded to the dtype's
 * precision) and stored in k.i for bool/integers, k.f for floats, whichever
 * builder is used.
 *
 * kc_print numbers values %0, %1, ... in first-use order (a post-order walk
 * of each stage's value in stage order), so a value shared by several uses
 * prints once and the text stays linear in the kernel's size. Floats print as
 * the shortest decimal that round-trips in their dtype (NaN with its bits).
 */
#include "kernel.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { K_SRC_, K_EW_, K_RED_, K_MOVE_, K_WRITE_, K_MM_, K_XFER_, K_CAT_, K_GATHER_, K_SCAN_ };

static const char *const op_name[OP_COUNT] = {
#define X(e, n, ar, kind) n,
#include "../ir/ops.def"
#undef X
};
static const int op_arity[OP_COUNT] = {
#define X(e, n, ar, kind) ar,
#include "../ir/ops.def"
#undef X
};
static const int op_kind[OP_COUNT] = {
#define X(e, n, ar, kind) K_##kind##_,
#include "../ir/ops.def"
#undef X
};

static const char *const dt_name[TC_NUM_DTYPES] = {
    "bool",    "uint8",    "int8",    "int16",   "int32",
    "int64",   "float16",  "bfloat16", "float32", "float64"};

/* ---- small dtype helpers ---- */

static bool dt_valid(tc_dtype dt) { return (unsigned)dt < TC_NUM_DTYPES; }
static bool dt_float(tc_dtype dt) { return dt >= TC_F16 && dt <= TC_F64; }
static bool dt_half(tc_dtype dt) { return dt == TC_F16 || dt == TC_BF16; }

static uint32_t f32_bits(float f) {
  uint32_t u;
  memcpy(&u, &f, 4);
  return u;
}
static float bits_f32(uint32_t u) {
  float f;
  memcpy(&f, &u, 4);
  return f;
}

/* An int64 wrapped to an integer dtype's width (bool: != 0). */
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

/* A double rounded to a float dtype's precision (half types via float). */
static double round_float(double v, tc_dtype dt) {
  switch (dt) {
  case TC_F32: return (float)v;
  case TC_F16: return kc_f16_to_f32(kc_f32_to_f16((float)v));
  case TC_BF16: return kc_bf16_to_f32(kc_f32_to_bf16((float)v));
  default: return v;
  }
}

/* ---- kernel lifetime ---- */

void kc_init(kernel *k, const tc_allocator *al) {
  memset(k, 0, sizeof *k);
  ir_arena_init(&k->arena, al ? al : &ir_default_allocator);
}

void kc_free(kernel *k) {
  if (!k) return;
  ir_arena_reset(&k->arena);
  k->nbufs = k->nouter = k->nstages = k->nparams = 0;
  k->serial = false;
}

int64_t kc_outer_numel(const kernel *k) {
  int64_t n = 1;
  for (int d = 0; d < k->nouter; d++) n *= k->outer[d];
  return n;
}

/* ---- value builders ---- */

static kval *new_val(kernel *k, kv_kind kind, tc_dtype dt) {
  kval *v = ir_arena_alloc(&k->arena, sizeof *v);
  if (!v) return NULL;
  v->kind = kind;
  v->dt = dt;
  v->op = -1;
  v->buf = -1;
  v->stage = -1;
  return v;
}

const kval *kc_const_f(kernel *k, tc_dtype dt, double x) {
  if (!dt_valid(dt)) return NULL;
  kval *v = new_val(k, KV_CONST, dt);
  if (!v) return NULL;
  if (dt_float(dt)) {
    v->k.f = round_float(x, dt);
  } else if (dt == TC_BOOL) {
    v->k.i = x != 0; /* NaN -> true */
  } else {
    int64_t i;
    if (isnan(x)) i = 0;
    else if (x >= 9223372036854775808.0) i = INT64_MAX;
    else if (x <= -9223372036854775808.0) i = INT64_MIN;
    else i = (int64_t)x;
    v->k.i = wrap_int(i, dt);
  }
  return v;
}

const kval *kc_const_i(kernel *k, tc_dtype dt, int64_t x) {
  if (!dt_valid(dt)) return NULL;
  kval *v = new_val(k, KV_CONST, dt);
  if (!v) return NULL;
  if (dt == TC_F64) v->k.f = (double)x;
  else if (dt_float(dt)) v->k.f = round_float((float)x, dt);
  else v->k.i = wrap_int(x, dt);
  return v;
}

const kval *kc_load(kernel *k, int buf, const ix *index) {
  if (!index || buf < 0 || buf >= k->nbufs || buf >= KC_MAX_BUFS) return NULL;
  if (!dt_valid(k->bufs[buf].dt)) return NULL;
  kval *v = new_val(k, KV_LOAD, k->bufs[buf].dt);
  if (!v) return NULL;
  v->buf = buf;
  v->index = index;
  return v;
}

const kval *kc_load_at(kernel *k, int buf, const ix *index, const kval *dyn) {
  if (!dyn || dyn->dt != TC_I64) return NULL;
  kval *v = (kval *)kc_load(k, buf, index);
  if (v) v->a = dyn;
  return v;
}

const kval *kc_acc(kernel *k, int stage) {
  if (stage < 0 || stage >= k->nstages || stage >= KC_MAX_STAGES) return NULL;
  const kstage *s = &k->stages[stage];
  if (s->kind != KS_REDUCE) return NULL;
  bool arg = s->rop == OP_RARGMAX || s->rop == OP_RARGMIN;
  if (!arg && !dt_valid(s->acc_dt)) return NULL;
  /* RLSE's result m + log(s) is float64 for either accumulator */
  kval *v = new_val(k, KV_ACC, arg ? TC_I64 : s->rop == OP_RLSE ? TC_F64 : s->acc_dt);
  if (!v) return NULL;
  v->stage = stage;
  return v;
}

const kval *kc_index(kernel *k, const ix *index) {
  if (!index) return NULL;
  kval *v = new_val(k, KV_INDEX, TC_I64);
  if (!v) return NULL;
  v->index = index;
  return v;
}

/* Whether op(a, b, c) -> dt follows kernel.h's dtype rules. */
static bool op_ok(int op, tc_dtype dt, const kval *a, const kval *b,
                  const kval *c) {
  if (op < 0 || op >= OP_COUNT || op_kind[op] != K_EW_ || !dt_valid(dt))
    return false;
  int ar = op_arity[op];
  if (!a || (ar >= 2 && !b) || (ar >= 3 && !c)) return false;
  if (op == OP_CAST) return dt_valid(a->dt);
  if (op == OP_BITCAST) return (a->dt == TC_F32 && dt == TC_I32) || (a->dt == TC_F64 && dt == TC_I64);
  switch (op) {
  case OP_EQ: case OP_NE: case OP_LT: case OP_LE: case OP_GT: case OP_GE:
    return dt == TC_BOOL && a->dt == b->dt && dt_valid(a->dt) &&
           !dt_half(a->dt);
  case OP_ISNAN: case OP_ISINF: case OP_ISFINITE:
    return dt == TC_BOOL && dt_valid(a->dt) && !dt_half(a->dt);
  case OP_WHERE:
    return a->dt == TC_BOOL && b->dt == dt && c->dt == dt && !dt_half(dt);
  case OP_FMA:
    return (dt == TC_F32 || dt == TC_F64) && a->dt == dt && b->dt == dt && c->dt == dt;
  default: break;
  }
  if (dt_half(dt) || a->dt != dt || (ar >= 2 && b->dt != dt)) return false;
  switch (op) {
  case OP_DIV: case OP_EXP: case OP_EXP2: case OP_LOG: case OP_LOG2:
  case OP_LOG1P: case OP_EXPM1: case OP_SQRT: case OP_RSQRT: case OP_SIN:
  case OP_COS: case OP_TAN: case OP_TANH: case OP_SIGMOID: case OP_GELU:
  case OP_ERF: case OP_RECIP:
    return dt_float(dt);
  case OP_NOT: case OP_AND: case OP_OR: case OP_XOR:
    return dt == TC_BOOL;
  case OP_BITAND: case OP_BITOR: case OP_BITXOR: case OP_BITNOT:
    return !dt_float(dt);
  case OP_SHL: case OP_SHR:
    return !dt_float(dt) && dt != TC_BOOL;
  case OP_NEG: case OP_SUB: case OP_FLOORDIV: case OP_REM: case OP_POW:
    return dt != TC_BOOL;
  default: return true;
  }
}

const kval *kc_op(kernel *k, int op, tc_dtype dt, const kval *a,
                  const kval *b, const kval *c) {
  if (!op_ok(op, dt, a, b, c)) return NULL;
  kval *v = new_val(k, KV_OP, dt);
  if (!v) return NULL;
  int ar = op_arity[op];
  v->op = op;
  v->a = a;
  v->b = ar >= 2 ? b : NULL;
  v->c = ar >= 3 ? c : NULL;
  return v;
}

const kval *kc_rng(kernel *k, int op, uint64_t seed, const ix *counter) {
  if (!counter) return NULL;
  tc_dtype dt;
  if (op == OP_RAND || op == OP_RANDN) dt = TC_F32;
  else if (op == OP_RANDBITS) dt = TC_I64;
  else return NULL;
  kval *v = new_val(k, KV_RNG, dt);
  if (!v) return NULL;
  v->op = op;
  v->seed = seed;
  v->index = counter;
  return v;
}

const kval *kc_rng_dyn(kernel *k, int op, const kval *seed, const kval *base,
                       const ix *counter) {
  if (!seed || seed->dt != TC_I64 || (base && base->dt != TC_I64)) return NULL;
  kval *v = (kval *)kc_rng(k, op, 0, counter);
  if (!v) return NULL;
  v->a = seed;
  v->b = base;
  return v;
}

const kval *kc_param_new(kernel *k, tc_dtype dt) {
  if (!dt_valid(dt) || dt_half(dt) || k->nparams >= KC_MAX_PARAMS) return NULL;
  kval *v = new_val(k, KV_PARAM, dt);
  if (!v) return NULL;
  v->param = k->nparams;
  k->params[k->nparams++] = dt;
  return v;
}

/* ---- Philox4x32-10 ---- */

/* The full 4-word form (for known-answer tests; not in kernel.h). */
void kc_philox4x32_10(const uint32_t ctr[4], const uint32_t key[2],
                      uint32_t out[4]);
void kc_philox4x32_10(const uint32_t ctr[4], const uint32_t key[2],
                      uint32_t out[4]) {
  uint32_t c0 = ctr[0], c1 = ctr[1], c2 = ctr[2], c3 = ctr[3];
  uint32_t k0 = key[0], k1 = key[1];
  for (int r = 0; r < 10; r++) {
    uint64_t p0 = (uint64_t)0xD2511F53u * c0;
    uint64_t p1 = (uint64_t)0xCD9E8D57u * c2;
    uint32_t hi0 = (uint32_t)(p0 >> 32), lo0 = (uint32_t)p0;
    uint32_t hi1 = (uint32_t)(p1 >> 32), lo1 = (uint32_t)p1;
    c0 = hi1 ^ c1 ^ k0;
    c1 = lo1;
    c2 = hi0 ^ c3 ^ k1;
    c3 = lo0;
    if (r < 9) {
      k0 += 0x9E3779B9u;
      k1 += 0xBB67AE85u;
    }
  }
  out[0] = c0;
  out[1] = c1;
  out[2] = c2;
  out[3] = c3;
}

void kc_philox(uint64_t seed, uint64_t ctr, uint32_t out[4]) {
  const uint32_t c[4] = {(uint32_t)ctr, (uint32_t)(ctr >> 32), 0, 0};
  const uint32_t key[2] = {(uint32_t)seed, (uint32_t)(seed >> 32)};
  kc_philox4x32_10(c, key, out);
}

/* ---- half / bfloat16 ---- */

float kc_expf(float x) {
  if (x != x) return x + x;
  x = x > -110.0f ? x : -110.0f; /* gives +0, as any x < -0x1.9fe36ap+6 */
  x = x < 89.0f ? x : 89.0f;     /* gives +inf, as any x > 0x1.62e42ep+6 */
  float n = rintf(x * 0x1.715476p+0f);
  float r = fmaf(n, -0x1.62e4p-1f, x);
  r = fmaf(n, -0x1.7f7d1cp-20f, r);
  float p = 1.9875691500e-4f;
  p = fmaf(p, r, 1.3981999507e-3f);
  p = fmaf(p, r, 8.3334519073e-3f);
  p = fmaf(p, r, 4.1665795894e-2f);
  p = fmaf(p, r, 1.6666665459e-1f);
  p = fmaf(p, r, 5.0000001201e-1f);
  float rr = r * r;
  float y = fmaf(p, rr, r) + 1.0f;
  int i = (int)n, i1 = i / 2, i2 = i - i1;
  float s1 = bits_f32((uint32_t)(i1 + 127) << 23), s2 = bits_f32((uint32_t)(i2 + 127) << 23);
  return y * s1 * s2;
}

/* 1/k! for k = 13 down to 2, kc_exp's polynomial */
const double kc_exp_poly[12] = {1.0 / 6227020800.0, 1.0 / 479001600.0, 1.0 / 39916800.0,
                                1.0 / 3628800.0,    1.0 / 362880.0,    1.0 / 40320.0,
                                1.0 / 5040.0,       1.0 / 720.0,       1.0 / 120.0,
                                1.0 / 24.0,         1.0 / 6.0,         0.5};

double kc_exp(double x) {
  if (x != x) return x + x;
  x = x > -760.0 ? x : -760.0; /* gives +0, as any x < -0x1.74910d52d3052p+9 */
  x = x < 710.0 ? x : 710.0;   /* gives +inf, as any x > 0x1.62e42fefa39efp+9 */
  double n = rint(x * 0x1.71547652b82fep+0);
  double r = fma(n, -0x1.62e42feep-1, x);
  r = fma(n, -0x1.a39ef35793c76p-33, r);
  double p = kc_exp_poly[0];
  for (int i = 1; i < 12; i++) p = fma(p, r, kc_exp_poly[i]);
  double rr = r * r;
  double y = fma(p, rr, r) + 1.0;
  int64_t i = (int64_t)n, i1 = i / 2, i2 = i - i1;
  uint64_t b1 = (uint64_t)(i1 + 1023) << 52, b2 = (uint64_t)(i2 + 1023) << 52;
  double s1, s2;
  memcpy(&s1, &b1, 8);
  memcpy(&s2, &b2, 8);
  return y * s1 * s2;
}

float kc_f16_to_f32(uint16_t h) {
  uint32_t sign = (uint32_t)(h & 0x8000) << 16;
  uint32_t e = (h >> 10) & 0x1f, m = h & 0x3ff;
  if (e == 0) { /* zero or subnormal: m * 2^-24, exact in float */
    float f = (float)m * 0x1p-24f;
    return bits_f32(f32_bits(f) | sign);
  }
  if (e == 31) /* inf, or NaN (payload kept, made quiet) */
    return bits_f32(sign | 0x7f800000u | (m ? 0x400000u | (m << 13) : 0));
  return bits_f32(sign | ((e + 112) << 23) | (m << 13));
}

uint16_t kc_f32_to_f16(float f) {
  uint32_t x = f32_bits(f);
  uint16_t sign = (uint16_t)((x >> 16) & 0x8000);
  uint32_t ax = x & 0x7fffffffu;
  if (ax > 0x7f800000u) /* NaN: quiet, top payload bits kept */
    return (uint16_t)(sign | 0x7e00 | ((ax >> 13) & 0x3ff));
  if (ax >= 0x477ff000u) /* >= 65520 (incl. inf) rounds to inf */
    return (uint16_t)(sign | 0x7c00);
  if (ax >= 0x38800000u) { /* normal half: rebias, round to nearest even */
    uint32_t h = (ax - 0x38000000u) >> 13, rem = ax & 0x1fff;
    if (rem > 0x1000 || (rem == 0x1000 && (h & 1))) h++;
    return (uint16_t)(sign | h);
  }
  uint32_t e = ax >> 23;
  if (e < 102) return sign; /* below 2^-25 (or exactly half of it, even) */
  /* subnormal half: value / 2^-24 = mant * 2^(e - 126) */
  uint32_t mant = (ax & 0x7fffff) | 0x800000, s = 126 - e;
  uint32_t h = mant >> s, rem = mant & ((1u << s) - 1), half = 1u << (s - 1);
  if (rem > half || (rem == half && (h & 1))) h++;
  return (uint16_t)(sign | h);
}

float kc_bf16_to_f32(uint16_t h) { return bits_f32((uint32_t)h << 16); }

uint16_t kc_f32_to_bf16(float f) {
  uint32_t x = f32_bits(f);
  if ((x & 0x7fffffffu) > 0x7f800000u) return (uint16_t)((x >> 16) | 0x40);
  x += 0x7fffu + ((x >> 16) & 1);
  return (uint16_t)(x >> 16);
}

/* ---- printing ---- */

typedef struct sbuf {
  char *p;
  size_t n, cap;
  bool oom;
} sbuf;

static void sb_reserve(sbuf *s, size_t extra) {
  if (s->oom || s->n + extra + 1 <= s->cap) return;
  size_t cap = s->cap ? s->cap : 256;
  while (cap < s->n + extra + 1) cap *= 2;
  char *p = realloc(s->p, cap);
  if (!p) {
    s->oom = true;
    return;
  }
  s->p = p;
  s->cap = cap;
}

static void sb_printf(sbuf *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void sb_printf(sbuf *s, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char tmp[128];
  int len = vsnprintf(tmp, sizeof tmp, fmt, ap);
  va_end(ap);
  if (len < 0) {
    s->oom = true;
    return;
  }
  sb_reserve(s, (size_t)len);
  if (s->oom) return;
  if ((size_t)len < sizeof tmp) {
    memcpy(s->p + s->n, tmp, (size_t)len + 1);
  } else {
    va_start(ap, fmt);
    vsnprintf(s->p + s->n, (size_t)len + 1, fmt, ap);
    va_end(ap);
  }
  s->n += (size_t)len;
}

static void sb_ix(sbuf *s, const ix *e) {
  if (!e) {
    sb_printf(s, "<null>");
    return;
  }
  char tmp[256];
  tmp[0] = '\0';
  size_t len = ix_print(e, tmp, sizeof tmp);
  if (len < sizeof tmp) {
    sb_printf(s, "%s", tmp);
    return;
  }
  char *big = malloc(len + 1);
  if (!big) {
    s->oom = true;
    return;
  }
  big[0] = '\0';
  ix_print(e, big, len + 1);
  sb_printf(s, "%s", big);
  free(big);
}

/* Shortest decimal that reads back as the same value of the dtype. */
static void sb_float(sbuf *s, double v, tc_dtype dt) {
  if (isnan(v)) {
    uint64_t u;
    memcpy(&u, &v, 8);
    sb_printf(s, "nan:0x%016llx", (unsigned long long)u);
    return;
  }
  char tmp[64];
  bool single = dt != TC_F64;
  for (int prec = 1; prec <= 17; prec++) {
    snprintf(tmp, sizeof tmp, "%.*g", prec, v);
    if (single ? strtof(tmp, NULL) == (float)v : strtod(tmp, NULL) == v)
      break;
  }
  sb_printf(s, "%s", tmp);
}

/* Pointer -> value number, open addressing. */
typedef struct vmap {
  const kval **keys;
  int *nums;
  size_t cap, n;
} vmap;

static size_t ptr_hash(const void *p) {
  uint64_t x = (uint64_t)(uintptr_t)p;
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  return (size_t)x;
}

static int vmap_get(const vmap *m, const kval *v) {
  if (!m->cap) return -1;
  for (size_t i = ptr_hash(v) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
    if (!m->keys[i]) return -1;
    if (m->keys[i] == v) return m->nums[i];
  }
}

static bool vmap_put(vmap *m, const kval *v, int num) {
  if ((m->n + 1) * 2 > m->cap) {
    size_t cap = m->cap ? m->cap * 2 : 64;
    const kval **keys = calloc(cap, sizeof *keys);
    int *nums = calloc(cap, sizeof *nums);
    if (!keys || !nums) {
      free(keys);
      free(nums);
      return false;
    }
    for (size_t j = 0; j < m->cap; j++) {
      if (!m->keys[j]) continue;
      size_t i = ptr_hash(m->keys[j]) & (cap - 1);
      while (keys[i]) i = (i + 1) & (cap - 1);
      keys[i] = m->keys[j];
      nums[i] = m->nums[j];
    }
    free(m->keys);
    free(m->nums);
    m->keys = keys;
    m->nums = nums;
    m->cap = cap;
  }
  size_t i = ptr_hash(v) & (m->cap - 1);
  while (m->keys[i]) i = (i + 1) & (m->cap - 1);
  m->keys[i] = v;
  m->nums[i] = num;
  m->n++;
  return true;
}

static void sb_ref(sbuf *s, const vmap *m, const kval *v) {
  int num = v ? vmap_get(m, v) : -1;
  if (num < 0) sb_printf(s, "<null>");
  else sb_printf(s, "%%%d", num);
}

static void print_line(sbuf *s, const vmap *m, const kval *v, int num) {
  const char *dn = dt_valid(v->dt) ? dt_name[v->dt] : "?";
  sb_printf(s, "  %%%d = ", num);
  switch (v->kind) {
  case KV_CONST:
    sb_printf(s, "const %s ", dn);
    if (dt_float(v->dt)) sb_float(s, v->k.f, v->dt);
    else sb_printf(s, "%lld", (long long)v->k.i);
    break;
  case KV_LOAD:
    sb_printf(s, "load %s buf%d[", dn, v->buf);
    sb_ix(s, v->index);
    if (v->a) {
      sb_printf(s, " + ");
      sb_ref(s, m, v->a);
    }
    sb_printf(s, "]");
    break;
  case KV_ACC: sb_printf(s, "acc %s stage%d", dn, v->stage); break;
  case KV_INDEX:
    sb_printf(s, "index %s ", dn);
    sb_ix(s, v->index);
    break;
  case KV_OP: {
    int op = v->op, ar = op >= 0 && op < OP_COUNT ? op_arity[op] : 0;
    sb_printf(s, "%s %s ", op >= 0 && op < OP_COUNT ? op_name[op] : "?", dn);
    const kval *in[3] = {v->a, v->b, v->c};
    for (int i = 0; i < ar; i++) {
      if (i) sb_printf(s, ", ");
      sb_ref(s, m, in[i]);
    }
    break;
  }
  case KV_RNG:
    sb_printf(s, "%s %s seed=", v->op >= 0 && v->op < OP_COUNT ? op_name[v->op] : "?", dn);
    if (v->a) sb_ref(s, m, v->a);
    else sb_printf(s, "0x%llx", (unsigned long long)v->seed);
    sb_printf(s, " ctr=");
    sb_ix(s, v->index);
    if (v->b) {
      sb_printf(s, " + ");
      sb_ref(s, m, v->b);
    }
    break;
  case KV_PARAM: sb_printf(s, "param %s p%d", dn, v->param); break;
  }
  sb_printf(s, "\n");
}

/* Numbers and prints the not yet printed values `root` depends on, operands
 * first (an explicit-stack post-order walk). */
static void print_values(sbuf *s, vmap *m, int *next, const kval *root) {
  if (!root || vmap_get(m, root) >= 0) return;
  size_t cap = 64, n = 0;
  const kval **stack = malloc(cap * sizeof *stack);
  if (!stack) {
    s->oom = true;
    return;
  }
  stack[n++] = root;
  while (n && !s->oom) {
    const kval *v = stack[n - 1];
    if (vmap_get(m, v) >= 0) {
      n--;
      continue;
    }
    const kval *in[3] = {NULL, NULL, NULL};
    if (v->kind == KV_OP || v->kind == KV_RNG || v->kind == KV_LOAD) {
      in[0] = v->a;
      in[1] = v->b;
      in[2] = v->c;
    }
    bool pushed = false;
    for (int i = 2; i >= 0; i--) { /* push so that a is visited first */
      if (!in[i] || vmap_get(m, in[i]) >= 0) continue;
      if (n == cap) {
        const kval **p = realloc(stack, 2 * cap * sizeof *stack);
        if (!p) {
          s->oom = true;
          break;
        }
        stack = p;
        cap *= 2;
      }
      stack[n++] = in[i];
      pushed = true;
    }
    if (pushed) continue;
    n--;
    if (!vmap_put(m, v, *next)) {
      s->oom = true;
      break;
    }
    print_line(s, m, v, (*next)++);
  }
  free(stack);
}

char *kc_print(const kernel *k) {
  sbuf s = {0};
  vmap m = {0};
  int next = 0;
  sb_printf(&s, "kernel outer=[");
  for (int d = 0; d < k->nouter; d++)
    sb_printf(&s, "%s%lld", d ? ", " : "", (long long)k->outer[d]);
  sb_printf(&s, "] bufs=%d stages=%d%s", k->nbufs, k->nstages, k->serial ? " serial" : "");
  if (k->nparams) {
    sb_printf(&s, " params=[");
    for (int i = 0; i < k->nparams && i < KC_MAX_PARAMS; i++)
      sb_printf(&s, "%s%s", i ? ", " : "", dt_valid(k->params[i]) ? dt_name[k->params[i]] : "?");
    sb_printf(&s, "]");
  }
  sb_printf(&s, "\n");
  for (int b = 0; b < k->nbufs && b < KC_MAX_BUFS; b++) {
    const kbuf *kb = &k->bufs[b];
    sb_printf(&s, "buf%d %s[%lld]%s\n", b,
              dt_valid(kb->dt) ? dt_name[kb->dt] : "?", (long long)kb->nelem,
              kb->written ? " written" : "");
  }
  for (int i = 0; i < k->nstages && i < KC_MAX_STAGES; i++) {
    const kstage *st = &k->stages[i];
    int var = kc_stage_var(k, i);
    if (st->kind == KS_REDUCE) {
      int rop = st->rop;
      sb_printf(&s, "stage%d reduce %s acc=%s v%d<%lld\n", i,
                rop >= 0 && rop < OP_COUNT ? op_name[rop] : "?",
                dt_valid(st->acc_dt) ? dt_name[st->acc_dt] : "?", var,
                (long long)st->n);
      print_values(&s, &m, &next, st->val);
      sb_printf(&s, "  reduce ");
      sb_ref(&s, &m, st->val);
      if (st->init) {
        sb_printf(&s, " from ");
        sb_ref(&s, &m, st->init);
      }
      sb_printf(&s, "\n");
    } else if (st->kind == KS_MATMUL) {
      const kmm *mm = &st->mm;
      sb_printf(&s, "stage%d matmul %s k<%lld\n  store buf%d[", i,
                dt_valid(st->acc_dt) ? dt_name[st->acc_dt] : "?", (long long)st->n, st->buf);
      sb_ix(&s, st->index);
      sb_printf(&s, "] = buf%d[%lld", mm->a, (long long)mm->a_off);
      for (int d = 0; d < k->nouter; d++) sb_printf(&s, " + v%d*%lld", d, (long long)mm->a_str[d]);
      sb_printf(&s, " + k*%lld] . buf%d[%lld", (long long)mm->a_k, mm->b, (long long)mm->b_off);
      for (int d = 0; d < k->nouter; d++) sb_printf(&s, " + v%d*%lld", d, (long long)mm->b_str[d]);
      sb_printf(&s, " + k*%lld]\n", (long long)mm->b_k);
    } else {
      sb_printf(&s, "stage%d store v%d<%lld\n", i, var, (long long)st->n);
      print_values(&s, &m, &next, st->val);
      if (st->dyn) print_values(&s, &m, &next, st->dyn);
      if (st->keep) print_values(&s, &m, &next, st->keep);
      if (st->init) print_values(&s, &m, &next, st->init);
      sb_printf(&s, "  store buf%d[", st->buf);
      sb_ix(&s, st->index);
      if (st->dyn) {
        sb_printf(&s, " + ");
        sb_ref(&s, &m, st->dyn);
      }
      if (st->keep) {
        sb_printf(&s, " + count] where ");
        sb_ref(&s, &m, st->keep);
        sb_printf(&s, " (compacted) = ");
      }
      if (st->scan) sb_printf(&s, "] = scan %s of", st->scan == OP_RLSE ? "logaddexp" : op_name[st->scan]);
      sb_printf(&s, "%s", st->scan ? " " : "");
      if (!st->scan && !st->keep) sb_printf(&s, "] %s ", !st->accumulate ? "=" : st->acc_op == OP_MUL ? "*=" : st->acc_op == OP_MAX ? "max=" : st->acc_op == OP_MIN ? "min=" : "+=");
      sb_ref(&s, &m, st->val);
      sb_printf(&s, "\n");
    }
  }
  free(m.keys);
  free(m.nums);
  if (s.oom || !s.p) {
    free(s.p);
    return NULL;
  }
  return s.p;
}

int64_t kc_count_values(const kernel *k) {
  vmap m = {0};
  int next = 0;
  sbuf s = {0};
  s.oom = false;
  for (int i = 0; i < k->nstages && i < KC_MAX_STAGES; i++) {
    print_values(&s, &m, &next, k->stages[i].val);
    print_values(&s, &m, &next, k->stages[i].dyn);
    print_values(&s, &m, &next, k->stages[i].keep);
    print_values(&s, &m, &next, k->stages[i].init);
  }
  free(s.p);
  free(m.keys);
  free(m.nums);
  return next;
}

/* Whether the elements a kernel reads at flat index r and writes at flat
 * index f (over the kernel's variables, the outer ones and those of stages
 * 0..last) are provably never the same: both affine, and either in
 * different residue classes modulo the gcd of their coefficients
 * (t[1::2] = t[::2]) or with spans that do not meet (t[:h] = t[h:]). Then
 * the write may go in place, whatever order the points run in. */
bool kc_disjoint(const kernel *k, int last, const ix *r, const ix *f) {
  int nv = k->nouter + last + 1;
  int64_t cr[TC_MAX_DIMS + KC_MAX_STAGES], cf[TC_MAX_DIMS + KC_MAX_STAGES], r0, f0;
  if (!ix_affine(r, nv, cr, &r0) || !ix_affine(f, nv, cf, &f0)) return false;
  int64_t g = 0, lo[2] = {r0, f0}, hi[2] = {r0, f0};
  for (int v = 0; v < nv; v++) {
    int64_t ext = v < k->nouter ? k->outer[v] : k->stages[v - k->nouter].n;
    if (ext == 1) continue; /* the variable is 0 */
    if (ext < 1) {
      if (cr[v] || cf[v]) return false;
      continue;
    }
    const int64_t c[2] = {cr[v], cf[v]};
    for (int j = 0; j < 2; j++) {
      int64_t a = c[j] < 0 ? -c[j] : c[j], b = g;
      while (b) { int64_t t = a % b; a = b; b = t; }
      g = a;
      int64_t reach;
      if (__builtin_mul_overflow(c[j], ext - 1, &reach)) return false;
      if (__builtin_add_overflow(reach < 0 ? lo[j] : hi[j], reach, reach < 0 ? &lo[j] : &hi[j])) return false;
    }
  }
  int64_t d;
  if (__builtin_sub_overflow(r0, f0, &d)) return false;
  if (g == 0) return d != 0;
  if (d % g != 0) return true;
  return hi[0] < lo[1] || hi[1] < lo[0];
}
