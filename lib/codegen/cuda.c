/*
 * cuda.c — kernel IR (kernel.h) to CUDA C source with the ABI and the two
 * code shapes described in cuda.h (thread mode: a thread per outer point;
 * group mode: 8 threads per point, one per reduction lane, combined with
 * xor shuffles in kernel.h's fixed tree order).
 *
 * Generation: a first walk finds which accumulators and variables are read
 * (dead reductions, the code shape, the index width); then the body: a
 * grid-stride loop over the outer points, the flat point decoded into the
 * outer variables the kernel uses, each stage in order. The device helpers
 * the body names (cuda_ops.c) and the signature go in front of it.
 *
 * Every kval and every non-leaf ix node becomes one local (t<N> values,
 * x<N> indices) of its C type, memoized per evaluation of a stage's value:
 * a DAG shared inside one evaluation is computed once, and each evaluation
 * reads memory afresh, as kc_interp does. The locals are not `const`:
 * NVRTC's front end takes time quadratic in a chain of const locals (20 s
 * for 3000, against 0.7 s). C types follow interp.c: bool, unsigned char,
 * signed char, short, int, long long; float16 and bfloat16 are held as the
 * float they convert to exactly (only loads, stores and casts see them);
 * float32 float, float64 double. Integer ops wrap through unsigned
 * arithmetic (no UB for the compiler to exploit); float ops are spelled
 * with __f*_rn intrinsics so no contraction can happen. A reduction whose
 * result no value reads is not emitted (it has no effect), and a kernel
 * with no live reduction uses thread mode.
 *
 * The kernel is checked while it is emitted (dtype rules of kernel.h,
 * variables in scope, accumulators of earlier REDUCE stages, buffers in
 * range); the first problem becomes the error message.
 */
#include "cuda.h"
#include "cuda_gen.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NVARS (TC_MAX_DIMS + KC_MAX_STAGES)

/* ---- a growing string ---- */

typedef struct sbuf {
  char *p;
  size_t n, cap;
  bool oom;
} sbuf;

static void sb_vput(sbuf *s, const char *fmt, va_list ap) {
  if (s->oom) return;
  va_list aq;
  va_copy(aq, ap);
  int len = vsnprintf(NULL, 0, fmt, aq);
  va_end(aq);
  if (len < 0) {
    s->oom = true;
    return;
  }
  if (s->n + (size_t)len + 1 > s->cap) {
    size_t cap = s->cap ? s->cap : 4096;
    while (cap < s->n + (size_t)len + 1) cap *= 2;
    char *p = realloc(s->p, cap);
    if (!p) {
      s->oom = true;
      return;
    }
    s->p = p;
    s->cap = cap;
  }
  vsnprintf(s->p + s->n, (size_t)len + 1, fmt, ap);
  s->n += (size_t)len;
}

static void sb_put(sbuf *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_put(sbuf *s, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  sb_vput(s, fmt, ap);
  va_end(ap);
}

/* ---- generator state ---- */

typedef struct memo_ent {
  const void *key; /* a kval* or ix* (NULL: empty) */
  int num;
} memo_ent;

typedef struct cgen {
  const kernel *k;
  sbuf out;
  bool i32;                  /* 32-bit index arithmetic */
  int W;                     /* cooperative mode: warps per point (0: thread mode) */
  bool used_sync;            /* __syncthreads is called */
  const char *I, *UI;        /* index type and its unsigned twin */
  int ind;                   /* indentation depth */
  memo_ent *memo;            /* current evaluation's locals */
  size_t memo_cap, memo_n;
  int ntemp;
  bool var_live[NVARS];      /* variables in scope */
  bool acc_live[KC_MAX_STAGES];
  bool acc_used[KC_MAX_STAGES]; /* some value reads the stage's result */
  bool var_used[NVARS];      /* some index expression reads the variable */
  bool used_lane, used_mask;
  int probe_var;             /* choose_warps' walk */
  /* vector mode: 4 consecutive points a thread, 4 * size-byte accesses */
  bool vec;
  int vec_lane;              /* the lane being emitted (-1: scalar code) */
  int nvl;                   /* vectorized loads */
  const kval *vl[KC_MAX_BUFS * 4];
  bool probe_hit;
  char *err;
  size_t errcap;
  bool failed;
} cgen;

static const char *const dt_names[TC_NUM_DTYPES] = {
    "bool", "uint8", "int8", "int16", "int32", "int64",
    "float16", "bfloat16", "float32", "float64"};
static const char *const op_names[OP_COUNT] = {
#define X(e, n, ar, kind) n,
#include "../ir/ops.def"
#undef X
};

static const char *dtn(tc_dtype dt) {
  return (unsigned)dt < TC_NUM_DTYPES ? dt_names[dt] : "?";
}
static const char *opn(int op) {
  return op >= 0 && op < OP_COUNT ? op_names[op] : "?";
}

static void fail(cgen *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(cgen *g, const char *fmt, ...) {
  if (g->failed) return;
  g->failed = true;
  if (!g->err || !g->errcap) return;
  int n = snprintf(g->err, g->errcap, "cg_cuda_source: ");
  if (n < 0 || (size_t)n >= g->errcap) return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(g->err + n, g->errcap - (size_t)n, fmt, ap);
  va_end(ap);
}

static void line(cgen *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void line(cgen *g, const char *fmt, ...) {
  sb_put(&g->out, "%*s", 2 * g->ind, "");
  va_list ap;
  va_start(ap, fmt);
  sb_vput(&g->out, fmt, ap);
  va_end(ap);
  sb_put(&g->out, "\n");
}

static size_t memo_hash(const void *p, size_t cap) {
  uint64_t h = (uint64_t)(uintptr_t)p * 0x9E3779B97F4A7C15ull;
  return (size_t)(h >> 17) & (cap - 1);
}

static int memo_get(cgen *g, const void *key) {
  if (!g->memo_cap) return -1;
  for (size_t i = memo_hash(key, g->memo_cap);; i = (i + 1) & (g->memo_cap - 1)) {
    if (g->memo[i].key == key) return g->memo[i].num;
    if (!g->memo[i].key) return -1;
  }
}

static void memo_put(cgen *g, const void *key, int num) {
  if (2 * (g->memo_n + 1) > g->memo_cap) {
    size_t cap = g->memo_cap ? 2 * g->memo_cap : 256;
    memo_ent *m = calloc(cap, sizeof *m);
    if (!m) {
      g->out.oom = true;
      return;
    }
    for (size_t i = 0; i < g->memo_cap; i++) {
      if (!g->memo[i].key) continue;
      size_t j = memo_hash(g->memo[i].key, cap);
      while (m[j].key) j = (j + 1) & (cap - 1);
      m[j] = g->memo[i];
    }
    free(g->memo);
    g->memo = m;
    g->memo_cap = cap;
  }
  size_t i = memo_hash(key, g->memo_cap);
  while (g->memo[i].key) i = (i + 1) & (g->memo_cap - 1);
  g->memo[i].key = key;
  g->memo[i].num = num;
  g->memo_n++;
}

static void memo_clear(cgen *g) {
  if (g->memo_n) memset(g->memo, 0, g->memo_cap * sizeof *g->memo);
  g->memo_n = 0;
}

typedef struct name {
  char s[48];
} name;

/* ---- index expressions ---- */

static name ix_emit(cgen *g, const ix *e) {
  name r = {{0}};
  if (!e) {
    fail(g, "missing index expression");
    snprintf(r.s, sizeof r.s, "0");
    return r;
  }
  if (e->op == IX_CONST) {
    cg_cu_int_lit(r.s, sizeof r.s, e->c, !g->i32);
    return r;
  }
  if (e->op == IX_VAR) {
    if (e->var < 0 || e->var >= NVARS || !g->var_live[e->var]) {
      fail(g, "an index uses variable v%d outside its loop", e->var);
      snprintf(r.s, sizeof r.s, "0");
    } else {
      snprintf(r.s, sizeof r.s, "v%d", e->var);
    }
    return r;
  }
  int num = memo_get(g, e);
  if (num >= 0) {
    snprintf(r.s, sizeof r.s, "x%d", num);
    return r;
  }
  name a = ix_emit(g, e->a), b = ix_emit(g, e->b);
  const char *I = g->I, *U = g->UI;
  char ex[320];
  bool wrap = !g->i32 && e->lo == INT64_MIN && e->hi == INT64_MAX;
  switch (e->op) {
  case IX_ADD:
  case IX_MUL: {
    char o = e->op == IX_ADD ? '+' : '*';
    if (wrap) snprintf(ex, sizeof ex, "(%s)((%s)%s %c (%s)%s)", I, U, a.s, o, U, b.s);
    else snprintf(ex, sizeof ex, "%s %c %s", a.s, o, b.s);
    break;
  }
  case IX_DIV:
  case IX_MOD: {
    bool div = e->op == IX_DIV;
    int64_t c = 0;
    bool cst = e->b->op == IX_CONST;
    if (cst) c = e->b->c;
    if (cst && c == 0) {
      snprintf(ex, sizeof ex, "0");
    } else if (cst && c == -1) {
      if (div) snprintf(ex, sizeof ex, "(%s)(0u - (%s)%s)", I, U, a.s);
      else snprintf(ex, sizeof ex, "0");
    } else if (e->b->lo > 0 && e->a->lo >= 0) { /* both nonnegative */
      snprintf(ex, sizeof ex, "(%s)((%s)%s %c (%s)%s)", I, U, a.s, div ? '/' : '%', U, b.s);
    } else if (cst && c > 0) { /* floor: fix the truncated result */
      if (div) snprintf(ex, sizeof ex, "%s / %s - (%s %% %s < 0)", a.s, b.s, a.s, b.s);
      else snprintf(ex, sizeof ex, "%s %% %s + (%s %% %s < 0 ? %s : 0)", a.s, b.s, a.s, b.s, b.s);
    } else {
      snprintf(ex, sizeof ex, "tc_%s_s<%s>(%s, %s)", div ? "fdiv" : "frem", I, a.s, b.s);
    }
    break;
  }
  case IX_MIN: snprintf(ex, sizeof ex, "%s < %s ? %s : %s", a.s, b.s, a.s, b.s); break;
  case IX_MAX: snprintf(ex, sizeof ex, "%s > %s ? %s : %s", a.s, b.s, a.s, b.s); break;
  case IX_LT: snprintf(ex, sizeof ex, "(%s)(%s < %s)", I, a.s, b.s); break;
  case IX_AND: snprintf(ex, sizeof ex, "(%s)(%s != 0 && %s != 0)", I, a.s, b.s); break;
  default:
    fail(g, "unknown index op %d", (int)e->op);
    snprintf(ex, sizeof ex, "0");
  }
  num = g->ntemp++;
  line(g, "%s x%d = %s;", I, num, ex);
  memo_put(g, e, num);
  snprintf(r.s, sizeof r.s, "x%d", num);
  return r;
}

/* ---- values ---- */

static int val_emit(cgen *g, const kval *v);

static void load_expr(cgen *g, char *out, size_t cap, int buf, const char *idx) {
  tc_dtype dt = g->k->bufs[buf].dt;
  const char *mt = cg_cu_mtype(dt);
  if (dt == TC_BOOL) snprintf(out, cap, "(((const %s *)b%d)[%s] != 0)", mt, buf, idx);
  else if (dt_half(dt))
    snprintf(out, cap, "%s(((const %s *)b%d)[%s])", dt == TC_F16 ? "tc_h2f" : "tc_bf2f",
             mt, buf, idx);
  else snprintf(out, cap, "((const %s *)b%d)[%s]", mt, buf, idx);
}

/* ---- vector mode's loads ---- */

static int vec_load_num(const cgen *g, const kval *v) {
  for (int i = 0; i < g->nvl; i++)
    if (g->vl[i] == v) return i;
  return -1;
}

static const char comp[] = "xyzw";

/* Lane j of vector load i (dtype dt, 4 elements in words of tc_vl<i>) as
 * the value load_expr would give. */
static void vec_extract(char *out, size_t cap, tc_dtype dt, int i, int j) {
  switch (dt_bits(dt)) {
  case 64:
    snprintf(out, cap, "%s(((unsigned long long)tc_vl%d_%d.%c << 32) | tc_vl%d_%d.%c))",
             dt == TC_F64 ? "__longlong_as_double((long long)" : "(long long)(", i, j / 2,
             comp[2 * (j % 2) + 1], i, j / 2, comp[2 * (j % 2)]);
    break;
  case 32:
    if (dt == TC_F32) snprintf(out, cap, "__uint_as_float(tc_vl%d.%c)", i, comp[j]);
    else snprintf(out, cap, "(int)tc_vl%d.%c", i, comp[j]);
    break;
  case 16:
    snprintf(out, cap, "%s(unsigned short)(tc_vl%d.%c >> %d))",
             dt == TC_F16 ? "tc_h2f(" : dt == TC_BF16 ? "tc_bf2f(" : "(short)(", i, comp[j / 2],
             16 * (j % 2));
    break;
  default:
    if (dt == TC_BOOL) snprintf(out, cap, "(((tc_vl%d >> %d) & 0xffu) != 0u)", i, 8 * j);
    else snprintf(out, cap, "(%s)(tc_vl%d >> %d)", dt == TC_U8 ? "unsigned char" : "signed char",
                  i, 8 * j);
  }
}

/* Whether v's value depends on its operands: isnan/isinf/isfinite of a
 * bool or an integer is a constant (and an unused local would make NVRTC
 * warn). */
static bool operands_used(const kval *v) {
  if (v->kind != KV_OP) return false;
  bool is = v->op == OP_ISNAN || v->op == OP_ISINF || v->op == OP_ISFINITE;
  return !(is && v->a && !dt_float(v->a->dt));
}

/* the expression of a KV_OP, after its operands are emitted */
static bool op_expr(cgen *g, const kval *v, char *out, size_t cap) {
  int op = v->op;
  tc_dtype dt = v->dt;
  int ar = 0;
  switch (op) {
#define X(e, n, a, kind) case OP_##e: ar = a; break;
#include "../ir/ops.def"
#undef X
  default: return false;
  }
  const kval *in[3] = {v->a, v->b, v->c};
  name nm[3] = {{{0}}};
  if (op < OP_NEG || op > OP_WHERE || ar < 1) return false;
  for (int i = 0; i < ar && operands_used(v); i++) {
    if (!in[i] || (unsigned)in[i]->dt >= TC_NUM_DTYPES) return false;
    snprintf(nm[i].s, sizeof nm[i].s, "t%d", val_emit(g, in[i]));
  }
  tc_dtype t = in[0]->dt;
  const char *a = nm[0].s, *b = nm[1].s, *c = nm[2].s;
  switch (op) {
  case OP_CAST: cg_cu_cast(out, cap, t, dt, a); return true;
  case OP_WHERE:
    if (t != TC_BOOL || in[1]->dt != dt || in[2]->dt != dt || dt_half(dt)) return false;
    snprintf(out, cap, "(%s ? %s : %s)", a, b, c);
    return true;
  case OP_ISNAN: case OP_ISINF: case OP_ISFINITE:
    if (dt != TC_BOOL || dt_half(t)) return false;
    if (!dt_float(t)) {
      snprintf(out, cap, "%s", op == OP_ISFINITE ? "true" : "false");
    } else {
      const char *abs = t == TC_F64 ? "fabs" : "fabsf", *inf = t == TC_F64 ? "tc_inf_d()" : "tc_inf_f()";
      if (op == OP_ISNAN) snprintf(out, cap, "(%s != %s)", a, a);
      else snprintf(out, cap, "(%s(%s) %s %s)", abs, a, op == OP_ISINF ? "==" : "<", inf);
    }
    return true;
  case OP_EQ: case OP_NE: case OP_LT: case OP_LE: case OP_GT: case OP_GE: {
    static const char *const cmp[] = {"==", "!=", "<", "<=", ">", ">="};
    if (dt != TC_BOOL || in[1]->dt != t || dt_half(t)) return false;
    snprintf(out, cap, "(%s %s %s)", a, cmp[op - OP_EQ], b);
    return true;
  }
  default: break;
  }
  if (!cg_cu_op_defined(op, dt, t, ar >= 2 ? in[1]->dt : dt)) return false;
  return ar == 1 ? cg_cu_unop(out, cap, op, dt, a) : cg_cu_binop(out, cap, op, dt, a, b);
}

/* Emits v (and what it needs) as a local; returns its number. */
static int val_emit(cgen *g, const kval *v) {
  if (!v) {
    fail(g, "missing kernel value");
    return 0;
  }
  int num = memo_get(g, v);
  if (num >= 0) return num;
  char ex[1024];
  snprintf(ex, sizeof ex, "0");
  tc_dtype dt = v->dt;
  if ((unsigned)dt >= TC_NUM_DTYPES) {
    fail(g, "a value of unknown dtype %d", (int)dt);
    dt = TC_I64;
  }
  switch (v->kind) {
  case KV_CONST:
    if (dt_float(dt)) cg_cu_float_lit(ex, sizeof ex, v->k.f, dt != TC_F64);
    else if (dt == TC_BOOL) snprintf(ex, sizeof ex, "%s", v->k.i ? "true" : "false");
    else cg_cu_int_lit(ex, sizeof ex, v->k.i, dt == TC_I64);
    break;
  case KV_LOAD:
    if (v->buf < 0 || v->buf >= g->k->nbufs || g->k->bufs[v->buf].dt != dt) {
      fail(g, "a load from buffer %d of %d (or of the wrong dtype)", v->buf, g->k->nbufs);
      break;
    }
    if (g->vec_lane >= 0 && vec_load_num(g, v) >= 0) {
      vec_extract(ex, sizeof ex, dt, vec_load_num(g, v), g->vec_lane);
      break;
    }
    load_expr(g, ex, sizeof ex, v->buf, ix_emit(g, v->index).s);
    break;
  case KV_ACC:
    if (v->stage < 0 || v->stage >= KC_MAX_STAGES || !g->acc_live[v->stage]) {
      fail(g, "a value reads stage %d's accumulator outside the stages after it", v->stage);
      break;
    }
    snprintf(ex, sizeof ex, "a%d", v->stage);
    break;
  case KV_INDEX:
    snprintf(ex, sizeof ex, "(%s)(%s)", cg_cu_ctype(dt), ix_emit(g, v->index).s);
    break;
  case KV_RNG: {
    const char *f = v->op == OP_RAND ? "tc_rand" : v->op == OP_RANDN ? "tc_randn"
                    : v->op == OP_RANDBITS ? "tc_randbits" : NULL;
    tc_dtype nat = v->op == OP_RANDBITS ? TC_I64 : TC_F32;
    if (!f) {
      fail(g, "unknown RNG op %s", opn(v->op));
      break;
    }
    char call[256];
    snprintf(call, sizeof call, "%s(0x%llxull, (long long)%s)", f,
             (unsigned long long)v->seed, ix_emit(g, v->index).s);
    cg_cu_cast(ex, sizeof ex, nat, dt, call);
    break;
  }
  case KV_OP:
    if (!op_expr(g, v, ex, sizeof ex))
      fail(g, "%s is not defined on %s (operands %s, %s)", opn(v->op), dtn(dt),
           v->a ? dtn(v->a->dt) : "-", v->b ? dtn(v->b->dt) : "-");
    break;
  default: fail(g, "unknown kernel value kind %d", (int)v->kind);
  }
  num = g->ntemp++;
  line(g, "%s t%d = %s;", cg_cu_ctype(dt), num, ex);
  memo_put(g, v, num);
  return num;
}

/* The stage's value at the current point, cast to dtype `to`, in a fresh
 * evaluation; writes the expression to out. */
/* Emits root's operands before root with an explicit stack (value DAGs can
 * be thousands deep), so val_emit itself never recurses more than a level. */
static int dag_emit(cgen *g, const kval *root) {
  size_t cap = 64, n = 0;
  const kval **st = malloc(cap * sizeof *st);
  if (!st) {
    g->out.oom = true;
    return 0;
  }
  if (root) st[n++] = root;
  while (n && !g->failed && !g->out.oom) {
    const kval *v = st[n - 1];
    if (memo_get(g, v) >= 0) {
      n--;
      continue;
    }
    const kval *in[3] = {v->a, v->b, v->c};
    bool ready = true;
    for (int i = 0; operands_used(v) && i < 3; i++) {
      if (!in[i] || memo_get(g, in[i]) >= 0) continue;
      if (n == cap) {
        const kval **p = realloc(st, 2 * cap * sizeof *st);
        if (!p) {
          g->out.oom = true;
          break;
        }
        st = p;
        cap *= 2;
      }
      st[n++] = in[i];
      ready = false;
    }
    if (ready) {
      n--;
      val_emit(g, v);
    }
  }
  free(st);
  return val_emit(g, root);
}

static void stage_value(cgen *g, const kstage *st, tc_dtype to, char *out, size_t cap) {
  memo_clear(g);
  char t[32];
  snprintf(t, sizeof t, "t%d", dag_emit(g, st->val));
  cg_cu_cast(out, cap, st->val && (unsigned)st->val->dt < TC_NUM_DTYPES ? st->val->dt : to,
            to, t);
}

/* ---- analysis ---- */

/* (ix nodes may be shared: visited ones are kept in the memo, next to the
 * walk's values) */
static void mark_ix(cgen *g, const ix *e) {
  if (!e || e->op == IX_CONST || memo_get(g, e) >= 0) return;
  memo_put(g, e, 0);
  if (e->op == IX_VAR) {
    if (e->var >= 0 && e->var < NVARS) g->var_used[e->var] = true;
    return;
  }
  mark_ix(g, e->a);
  mark_ix(g, e->b);
}

/* Calls visit on every value root depends on (once each, operands a value
 * ignores skipped) until it returns false; an explicit stack, since value
 * DAGs can be deep. Returns false when stopped or out of memory. */
static bool walk(cgen *g, const kval *root, bool (*visit)(cgen *, const kval *)) {
  size_t cap = 64, n = 0;
  const kval **st = malloc(cap * sizeof *st);
  bool ok = st != NULL;
  memo_clear(g);
  if (ok && root) st[n++] = root;
  while (ok && n) {
    const kval *v = st[--n];
    if (memo_get(g, v) >= 0) continue;
    memo_put(g, v, 0);
    ok = visit(g, v) && !g->out.oom;
    const kval *in[3] = {v->a, v->b, v->c};
    for (int i = 0; ok && operands_used(v) && i < 3; i++) {
      if (!in[i]) continue;
      if (n == cap) {
        const kval **p = realloc(st, 2 * cap * sizeof *st);
        if (!p) {
          ok = false;
          break;
        }
        st = p;
        cap *= 2;
      }
      st[n++] = in[i];
    }
  }
  free(st);
  memo_clear(g);
  return ok;
}

static bool has_index(const kval *v) {
  return v->kind == KV_LOAD || v->kind == KV_INDEX || v->kind == KV_RNG;
}

/* the accumulators and variables v reads */
static bool mark_val(cgen *g, const kval *v) {
  if (v->kind == KV_ACC && v->stage >= 0 && v->stage < KC_MAX_STAGES)
    g->acc_used[v->stage] = true;
  if (has_index(v)) mark_ix(g, v->index);
  return true;
}

static bool ix_fits32(cgen *g, const ix *e) {
  if (!e || memo_get(g, e) >= 0) return true;
  memo_put(g, e, 0);
  if (e->lo < INT32_MIN || e->hi > INT32_MAX) return false;
  if (e->op == IX_CONST || e->op == IX_VAR) return true;
  return ix_fits32(g, e->a) && ix_fits32(g, e->b);
}

static bool val_fits32(cgen *g, const kval *v) { return !has_index(v) || ix_fits32(g, v->index); }

/* Whether the kernel's index arithmetic provably fits in int32. */
static bool fits32(cgen *g) {
  const kernel *k = g->k;
  if (kc_outer_numel(k) > INT32_MAX) return false;
  for (int d = 0; d < k->nouter; d++)
    if (k->outer[d] > INT32_MAX) return false;
  for (int s = 0; s < k->nstages; s++) {
    const kstage *st = &k->stages[s];
    if (st->n > INT32_MAX - 2 * KC_LANES) return false;
    memo_clear(g);
    if (st->kind == KS_STORE && !ix_fits32(g, st->index)) return false;
    if (!walk(g, st->val, val_fits32)) return false;
  }
  return true;
}

static bool is_arg(int rop) { return rop == OP_RARGMAX || rop == OP_RARGMIN; }

/* ---- stages ---- */

/* __shfl_xor_sync of x (register type dt) from the thread at distance w */
static void shfl(char *out, size_t cap, tc_dtype dt, const char *x, int w) {
  if (dt_bits(dt) < 32 && !dt_float(dt))
    snprintf(out, cap, "(%s)__shfl_xor_sync(tc_mask, (int)%s, %d)", cg_cu_ctype(dt), x, w);
  else
    snprintf(out, cap, "__shfl_xor_sync(tc_mask, %s, %d)", x, w);
}

/* The C types of a tree node of stage st: the value (RLSE: m) and the
 * second half (ARG*: the index, RLSE: s; NULL: none). */
static const char *node_vt(const kstage *st) { return cg_cu_ctype(st->acc_dt); }
static const char *node_it(const kstage *st) {
  return is_arg(st->rop) ? "long long" : st->rop == OP_RLSE ? cg_cu_ctype(st->acc_dt) : NULL;
}

/* (ov, oi) = the identity */
static void emit_ident(cgen *g, const kstage *st, const char *ov, const char *oi) {
  char id[64];
  if (st->rop == OP_RLSE) {
    line(g, "%s = -tc_inf_%c(); %s = 0;", ov, st->acc_dt == TC_F64 ? 'd' : 'f', oi);
    return;
  }
  cg_cu_identity(id, sizeof id, st->rop, st->acc_dt);
  if (is_arg(st->rop)) line(g, "%s = %s; %s = TC_I64_MAX;", ov, id, oi);
  else line(g, "%s = %s;", ov, id);
}

/* (ov, oi) = the leaf of value x (acc dtype) at element r */
static void emit_leaf(cgen *g, const kstage *st, const char *x, const char *r, const char *ov,
                      const char *oi) {
  char id[64], ex[512];
  if (st->rop == OP_RLSE) {
    line(g, "if (%s != %s) { %s = -tc_inf_%c(); %s = %s; } else { %s = %s; %s = 1; }", x, x, ov,
         st->acc_dt == TC_F64 ? 'd' : 'f', oi, x, ov, x, oi);
  } else if (is_arg(st->rop)) {
    line(g, "%s = %s; %s = (long long)%s;", ov, x, oi, r);
  } else if (st->rop == OP_RSUM && dt_float(st->acc_dt)) { /* 0 + x: -0.0 becomes +0.0 */
    cg_cu_identity(id, sizeof id, st->rop, st->acc_dt);
    if (!cg_cu_binop(ex, sizeof ex, OP_ADD, st->acc_dt, id, x))
      fail(g, "sum is not defined on %s", dtn(st->acc_dt));
    line(g, "%s = %s;", ov, ex);
  } else { /* identity op x == x exactly for the other folds */
    line(g, "%s = %s;", ov, x);
  }
}

/* (ov, oi) = (lv, li) (+) (rv, ri), left (+) right; the outputs may be
 * the operands. */
static void emit_comb(cgen *g, const kstage *st, const char *ov, const char *oi, const char *lv,
                      const char *li, const char *rv, const char *ri) {
  const char *VT = node_vt(st), *IT = node_it(st);
  char cb[600], beats[48];
  line(g, "{");
  g->ind++;
  line(g, "%s tc_ca = %s, tc_cb = %s;", VT, lv, rv);
  if (IT) line(g, "%s tc_cai = %s, tc_cbi = %s;", IT, li, ri);
  if (is_arg(st->rop)) {
    snprintf(beats, sizeof beats, "tc_beats_%c%s<%s>", dt_float(st->acc_dt) ? 'f' : 'i',
             st->rop == OP_RARGMAX ? "max" : "min", VT);
    line(g, "const bool tc_left = %s(tc_ca, tc_cai, tc_cb, tc_cbi);", beats);
    line(g, "%s = tc_left ? tc_ca : tc_cb; %s = tc_left ? tc_cai : tc_cbi;", ov, oi);
  } else if (st->rop == OP_RLSE) {
    line(g, "tc_lse_comb_%c(tc_ca, tc_cai, tc_cb, tc_cbi);", st->acc_dt == TC_F64 ? 'd' : 'f');
    line(g, "%s = tc_ca; %s = tc_cai;", ov, oi);
  } else {
    static const int comb_op[] = {OP_ADD, OP_MUL, OP_MAX, OP_MIN};
    if (!cg_cu_binop(cb, sizeof cb, comb_op[st->rop - OP_RSUM], st->acc_dt, "tc_ca", "tc_cb"))
      fail(g, "%s is not defined on %s", opn(st->rop), dtn(st->acc_dt));
    line(g, "%s = %s;", ov, cb);
  }
  g->ind--;
  line(g, "}");
}

/* The stage's result from the final node (v, i) into a<s>. */
static void emit_result(cgen *g, int s, const char *v, const char *i) {
  const kstage *st = &g->k->stages[s];
  if (is_arg(st->rop)) line(g, "a%d = %s == TC_I64_MAX ? 0 : %s;", s, i, i);
  else if (st->rop == OP_RLSE)
    line(g, "a%d = __dadd_rn((double)%s, log((double)%s)); /* float64 */", s, v, i);
  else line(g, "a%d = %s;", s, v);
}

static int levels_for(int64_t count) { /* stack slots for a counter up to count */
  int lv = 1;
  while (lv < 63 && (count >> lv) > 0) lv++;
  return lv;
}

/* names "p[i]" / "p[i][j]" for node arrays */
static const char *nm(char *buf, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static const char *nm(char *buf, size_t cap, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, cap, fmt, ap);
  va_end(ap);
  return buf;
}

/* Thread mode: one thread runs kernel.h's tree for the point, a lane at a
 * time (lane l: elements l, l+8, ...; a binary counter over them keeps a
 * stack of perfect subtrees in local memory), then the lane tree. One copy
 * of the value's code; the point's row is L1-resident across the 8 lane
 * passes when it is short, and a reduction over a strided dim reads each
 * element once, coalesced across the threads of consecutive points. */
static void emit_reduce_seq(cgen *g, int s) {
  const kstage *st = &g->k->stages[s];
  int var = kc_stage_var(g->k, s);
  const char *VT = node_vt(st), *IT = node_it(st), *I = g->I;
  int64_t n = st->n, K = (n + KC_LANES - 1) / KC_LANES;
  char ex[1200], b1[64], b2[64], b3[64], b4[64], b5[64], b6[64];
  line(g, "%s a%d; /* stage %d: %s, acc %s, n = %lld, one thread */",
       is_arg(st->rop) ? "long long" : st->rop == OP_RLSE ? "double" : VT, s, s, opn(st->rop), dtn(st->acc_dt), (long long)n);
  line(g, "{");
  g->ind++;
  line(g, "%s tc_rv[8];", VT);
  if (IT) line(g, "%s tc_ri[8];", IT);
  if (K > 0) {
    int LV = levels_for(K);
    line(g, "for (int tc_j = 0; tc_j < 8; ++tc_j) {");
    g->ind++;
    line(g, "%s tc_sv[%d];", VT, LV);
    if (IT) line(g, "%s tc_si[%d];", IT, LV);
    line(g, "const %s tc_n = %lld > tc_j ? (%lld - tc_j + 7) / 8 : 0; /* the lane's leaves */", I,
         (long long)n, (long long)n);
    line(g, "for (%s tc_k = 0; tc_k < tc_n; ++tc_k) {", I);
    g->ind++;
    if (g->var_used[var] || is_arg(st->rop)) line(g, "const %s v%d = tc_k * 8 + tc_j;", I, var);
    g->var_live[var] = true;
    stage_value(g, st, st->acc_dt, ex, sizeof ex);
    line(g, "const %s tc_x = %s;", VT, ex);
    line(g, "%s tc_tv;", VT);
    if (IT) line(g, "%s tc_ti;", IT);
    char vs[16];
    snprintf(vs, sizeof vs, "v%d", var);
    emit_leaf(g, st, "tc_x", vs, "tc_tv", "tc_ti");
    g->var_live[var] = false;
    line(g, "%s tc_c = tc_k;", I);
    line(g, "int tc_lv = 0;");
    line(g, "for (; tc_c & 1; tc_c >>= 1, ++tc_lv)");
    g->ind++;
    emit_comb(g, st, "tc_tv", "tc_ti", "tc_sv[tc_lv]", "tc_si[tc_lv]", "tc_tv", "tc_ti");
    g->ind--;
    line(g, "tc_sv[tc_lv] = tc_tv;%s", IT ? " tc_si[tc_lv] = tc_ti;" : "");
    g->ind--;
    line(g, "}");
    /* the fold of the leaf count's set bits, smaller subtrees first on the right */
    line(g, "bool tc_have = false;");
    line(g, "for (int tc_b = 0; tc_b < %d; ++tc_b) {", LV);
    g->ind++;
    line(g, "if (!((tc_n >> tc_b) & 1)) continue;");
    line(g, "if (tc_have) {");
    g->ind++;
    emit_comb(g, st, "tc_rv[tc_j]", "tc_ri[tc_j]", "tc_sv[tc_b]", "tc_si[tc_b]", "tc_rv[tc_j]",
              "tc_ri[tc_j]");
    g->ind--;
    line(g, "} else {");
    line(g, "  tc_rv[tc_j] = tc_sv[tc_b];%s", IT ? " tc_ri[tc_j] = tc_si[tc_b];" : "");
    line(g, "}");
    line(g, "tc_have = true;");
    g->ind--;
    line(g, "}");
    line(g, "if (!tc_have) {");
    g->ind++;
    emit_ident(g, st, "tc_rv[tc_j]", "tc_ri[tc_j]");
    g->ind--;
    line(g, "}");
    g->ind--;
    line(g, "}");
  } else {
    for (int l = 0; l < KC_LANES; l++)
      emit_ident(g, st, nm(b1, sizeof b1, "tc_rv[%d]", l), nm(b2, sizeof b2, "tc_ri[%d]", l));
  }
  for (int w = 1; w < KC_LANES; w *= 2)
    for (int l = 0; l < KC_LANES; l += 2 * w)
      emit_comb(g, st, nm(b1, sizeof b1, "tc_rv[%d]", l), nm(b2, sizeof b2, "tc_ri[%d]", l),
                nm(b3, sizeof b3, "tc_rv[%d]", l), nm(b4, sizeof b4, "tc_ri[%d]", l),
                nm(b5, sizeof b5, "tc_rv[%d]", l + w), nm(b6, sizeof b6, "tc_ri[%d]", l + w));
  emit_result(g, s, "tc_rv[0]", "tc_ri[0]");
  g->ind--;
  line(g, "}");
  g->acc_live[s] = true;
}

/* One level of the tree across threads: (v, i) combined with the thread
 * at xor distance w, the one whose bit w is clear on the left. */
static void emit_xor_level(cgen *g, const kstage *st, const char *v, const char *i, int w,
                           const char *bitsrc) {
  const char *VT = node_vt(st), *IT = node_it(st);
  char sh[200], sh2[200];
  line(g, "{");
  g->ind++;
  line(g, "const bool tc_hi = (%s & %du) != 0;", bitsrc, w);
  shfl(sh, sizeof sh, st->acc_dt, v, w);
  line(g, "const %s tc_ov = %s;", VT, sh);
  if (IT) {
    if (is_arg(st->rop)) snprintf(sh2, sizeof sh2, "__shfl_xor_sync(tc_mask, %s, %d)", i, w);
    else shfl(sh2, sizeof sh2, st->acc_dt, i, w);
    line(g, "const %s tc_oi = %s;", IT, sh2);
  }
  char lv[64], li[64], rv[64], ri[64];
  snprintf(lv, sizeof lv, "(tc_hi ? tc_ov : %s)", v);
  snprintf(rv, sizeof rv, "(tc_hi ? %s : tc_ov)", v);
  snprintf(li, sizeof li, "(tc_hi ? tc_oi : %s)", i);
  snprintf(ri, sizeof ri, "(tc_hi ? %s : tc_oi)", i);
  emit_comb(g, st, v, i, lv, li, rv, ri);
  g->ind--;
  line(g, "}");
}

/* Cooperative mode: the point's P = 32 W threads share the tree. A warp
 * takes tiles of 64 elements (8 groups k): thread u loads elements 64q + u
 * and 64q + 32 + u (lane u % 8, k = 8q + u / 8 and that + 4, coalesced),
 * and the tile's 8 k of each lane combine in the order of the tree: xor 8
 * (k bit 0), xor 16 (k bit 1), then the thread's two halves (k bit 2).
 * Warp w takes the aligned block of S tiles [wS, wS + S) (an aligned
 * subtree), folding its tiles with a binary counter; the W warps' subtrees
 * combine through shared memory in the tree over w; then the lane tree by
 * xor 1, 2, 4. Every thread of the point ends with the result. */
static void emit_reduce_coop(cgen *g, int s) {
  const kstage *st = &g->k->stages[s];
  int var = kc_stage_var(g->k, s), W = g->W;
  const char *VT = node_vt(st), *IT = node_it(st), *I = g->I;
  int64_t n = st->n, T = (n + 63) / 64, S = 1;
  while (S * W < T) S *= 2;
  int LV = levels_for(S);
  char ex[1200], b1[64], b2[64], b3[64], b4[64], b5[64], b6[64];
  g->used_lane = g->used_mask = true;
  line(g, "%s a%d; /* stage %d: %s, acc %s, n = %lld, %d threads, %lld tiles a warp */",
       is_arg(st->rop) ? "long long" : st->rop == OP_RLSE ? "double" : VT, s, s, opn(st->rop), dtn(st->acc_dt), (long long)n,
       32 * W, (long long)S);
  line(g, "{");
  g->ind++;
  line(g, "%s tc_rv;", VT);
  if (IT) line(g, "%s tc_ri;", IT);
  emit_ident(g, st, "tc_rv", "tc_ri");
  if (T > 0) {
    line(g, "%s tc_sv[%d];", VT, LV);
    if (IT) line(g, "%s tc_si[%d];", IT, LV);
    if (W > 1) {
      line(g, "const %s tc_q0 = (%s)tc_w * %lld;", I, I, (long long)S);
      line(g, "const %s tc_q1 = tc_q0 + %lld < %lld ? tc_q0 + %lld : %lld;", I, (long long)S,
           (long long)T, (long long)S, (long long)T);
    } else {
      line(g, "const %s tc_q0 = 0, tc_q1 = %lld;", I, (long long)T);
    }
    line(g, "for (%s tc_q = tc_q0; tc_q < tc_q1; ++tc_q) {", I);
    g->ind++;
    line(g, "%s tc_xv[2];", VT);
    if (IT) line(g, "%s tc_xi[2];", IT);
    for (int h = 0; h < 2; h++) {
      line(g, "{");
      g->ind++;
      bool guard = n % 64 != 0;
      if (g->var_used[var] || is_arg(st->rop) || guard)
        line(g, "const %s v%d = tc_q * 64 + %d + (%s)tc_u;", I, var, 32 * h, I);
      if (guard) {
        line(g, "if (v%d < %lld) {", var, (long long)n);
        g->ind++;
      }
      g->var_live[var] = true;
      stage_value(g, st, st->acc_dt, ex, sizeof ex);
      line(g, "const %s tc_x = %s;", VT, ex);
      char vs[16];
      snprintf(vs, sizeof vs, "v%d", var);
      emit_leaf(g, st, "tc_x", vs, nm(b1, sizeof b1, "tc_xv[%d]", h), nm(b2, sizeof b2, "tc_xi[%d]", h));
      g->var_live[var] = false;
      if (guard) {
        g->ind--;
        line(g, "} else {");
        g->ind++;
        emit_ident(g, st, b1, b2);
        g->ind--;
        line(g, "}");
      }
      g->ind--;
      line(g, "}");
    }
    for (int w = 8; w <= 16; w *= 2)
      for (int h = 0; h < 2; h++)
        emit_xor_level(g, st, nm(b1, sizeof b1, "tc_xv[%d]", h), nm(b2, sizeof b2, "tc_xi[%d]", h), w,
                       "tc_u");
    emit_comb(g, st, "tc_xv[0]", "tc_xi[0]", "tc_xv[0]", "tc_xi[0]", "tc_xv[1]", "tc_xi[1]");
    line(g, "%s tc_c = tc_q - tc_q0;", I);
    line(g, "int tc_lv = 0;");
    line(g, "for (; tc_c & 1; tc_c >>= 1, ++tc_lv)");
    g->ind++;
    emit_comb(g, st, "tc_xv[0]", "tc_xi[0]", "tc_sv[tc_lv]", "tc_si[tc_lv]", "tc_xv[0]", "tc_xi[0]");
    g->ind--;
    line(g, "tc_sv[tc_lv] = tc_xv[0];%s", IT ? " tc_si[tc_lv] = tc_xi[0];" : "");
    g->ind--;
    line(g, "}");
    /* the fold of the warp's tile count, smaller subtrees first on the right */
    line(g, "const %s tc_cnt = tc_q1 > tc_q0 ? tc_q1 - tc_q0 : 0;", I);
    line(g, "bool tc_have = false;");
    line(g, "for (int tc_b = 0; tc_b < %d; ++tc_b) {", LV);
    g->ind++;
    line(g, "if (!((tc_cnt >> tc_b) & 1)) continue;");
    line(g, "if (tc_have) {");
    g->ind++;
    emit_comb(g, st, "tc_rv", "tc_ri", "tc_sv[tc_b]", "tc_si[tc_b]", "tc_rv", "tc_ri");
    g->ind--;
    line(g, "} else {");
    line(g, "  tc_rv = tc_sv[tc_b];%s", IT ? " tc_ri = tc_si[tc_b];" : "");
    line(g, "}");
    line(g, "tc_have = true;");
    g->ind--;
    line(g, "}");
  }
  if (W > 1) { /* the tree over the warps, through shared memory */
    g->used_sync = true;
    line(g, "__shared__ %s tc_shv%d[256];", VT, s);
    if (IT) line(g, "__shared__ %s tc_shi%d[256];", IT, s);
    line(g, "const unsigned tc_slot = (threadIdx.x / %du * %du + tc_w) * 8u + (tc_u & 7u);", 32 * W,
         W);
    line(g, "if (tc_u < 8u) {");
    line(g, "  tc_shv%d[tc_slot] = tc_rv;%s", s, IT ? nm(b1, sizeof b1, " tc_shi%d[tc_slot] = tc_ri;", s) : "");
    line(g, "}");
    line(g, "__syncthreads();");
    line(g, "{");
    g->ind++;
    line(g, "const unsigned tc_base = tc_slot - tc_w * 8u;");
    line(g, "%s tc_wv[%d];", VT, W);
    if (IT) line(g, "%s tc_wi[%d];", IT, W);
    line(g, "TC_UNROLL");
    line(g, "for (int tc_j = 0; tc_j < %d; ++tc_j) {", W);
    line(g, "  tc_wv[tc_j] = tc_shv%d[tc_base + tc_j * 8];%s", s,
         IT ? nm(b1, sizeof b1, " tc_wi[tc_j] = tc_shi%d[tc_base + tc_j * 8];", s) : "");
    line(g, "}");
    for (int w = 1; w < W; w *= 2)
      for (int j = 0; j < W; j += 2 * w)
        emit_comb(g, st, nm(b1, sizeof b1, "tc_wv[%d]", j), nm(b2, sizeof b2, "tc_wi[%d]", j),
                  nm(b3, sizeof b3, "tc_wv[%d]", j), nm(b4, sizeof b4, "tc_wi[%d]", j),
                  nm(b5, sizeof b5, "tc_wv[%d]", j + w), nm(b6, sizeof b6, "tc_wi[%d]", j + w));
    line(g, "tc_rv = tc_wv[0];%s", IT ? " tc_ri = tc_wi[0];" : "");
    g->ind--;
    line(g, "}");
    line(g, "__syncthreads();");
  }
  for (int w = 1; w < KC_LANES; w *= 2) emit_xor_level(g, st, "tc_rv", "tc_ri", w, "tc_u");
  emit_result(g, s, "tc_rv", "tc_ri");
  g->ind--;
  line(g, "}");
  g->acc_live[s] = true;
}

static void emit_reduce(cgen *g, int s) {
  const kstage *st = &g->k->stages[s];
  int rop = st->rop;
  tc_dtype adt = st->acc_dt;
  if (rop < OP_RSUM || rop > OP_RLSE || (unsigned)adt >= TC_NUM_DTYPES ||
      (rop == OP_RLSE && adt != TC_F32 && adt != TC_F64)) {
    fail(g, "stage %d: reduction %s with accumulator %s", s, opn(rop), dtn(adt));
    return;
  }
  if (g->W > 0) emit_reduce_coop(g, s);
  else emit_reduce_seq(g, s);
}

/* Whether index e takes a different value for each value of variable var
 * (affine in it with a nonzero coefficient), the other variables fixed. */
static bool injective(const ix *e, int var) {
  int64_t coef[NVARS], c0;
  return e && ix_affine(e, NVARS, coef, &c0) && coef[var] != 0;
}

static void emit_store(cgen *g, int s) {
  const kstage *st = &g->k->stages[s];
  int var = kc_stage_var(g->k, s);
  if (st->buf < 0 || st->buf >= g->k->nbufs) {
    fail(g, "stage %d stores to buffer %d of %d", s, st->buf, g->k->nbufs);
    return;
  }
  if (st->n <= 0) return;
  tc_dtype bdt = g->k->bufs[st->buf].dt;
  int P = 32 * g->W;
  bool split = g->W && st->n > 1 && injective(st->index, var);
  bool lane0 = g->W && !split;
  char ex[1200];
  line(g, "{ /* stage %d: store buf%d, n = %lld%s */", s, st->buf, (long long)st->n,
       split ? ", split over the point's threads" : lane0 ? ", on the point's thread 0" : "");
  g->ind++;
  if (g->W) {
    line(g, "if (tc_on%s) {", lane0 ? " && tc_t == 0u" : "");
    g->ind++;
  }
  bool loop = st->n > 1;
  if (split) {
    line(g, "for (%s v%d = (%s)tc_t; v%d < %lld; v%d += %d) {", g->I, var, g->I, var,
         (long long)st->n, var, P);
  } else if (loop) {
    line(g, "for (%s v%d = 0; v%d < %lld; ++v%d) {", g->I, var, var, (long long)st->n, var);
  } else if (g->var_used[var]) {
    line(g, "const %s v%d = 0;", g->I, var);
  }
  if (loop) g->ind++;
  g->var_live[var] = true;
  stage_value(g, st, bdt, ex, sizeof ex);
  name idx = ix_emit(g, st->index);
  const char *mt = cg_cu_mtype(bdt);
  if (bdt == TC_BOOL)
    line(g, "((%s *)b%d)[%s] = (unsigned char)%s;", mt, st->buf, idx.s, ex);
  else if (dt_half(bdt))
    line(g, "((%s *)b%d)[%s] = %s(%s);", mt, st->buf, idx.s,
         bdt == TC_F16 ? "tc_f2h" : "tc_f2bf", ex);
  else
    line(g, "((%s *)b%d)[%s] = %s;", mt, st->buf, idx.s, ex);
  g->var_live[var] = false;
  if (loop) {
    g->ind--;
    line(g, "}");
  }
  if (g->W) {
    g->ind--;
    line(g, "}");
  }
  g->ind--;
  line(g, "}");
}

/* The outer variables the kernel reads, decoded from the flat point tc_p. */
static void emit_decode(cgen *g) {
  const kernel *k = g->k;
  const char *I = g->I, *UI = g->UI, *us = g->i32 ? "u" : "ull";
  int dmin = -1;
  for (int d = 0; d < k->nouter; d++) {
    if (!g->var_used[d]) continue;
    if (k->outer[d] == 1) line(g, "const %s v%d = 0;", I, d);
    else if (dmin < 0) dmin = d;
  }
  if (dmin < 0) return;
  line(g, "%s tc_q = (%s)tc_p;", I, I);
  for (int d = k->nouter - 1; d >= dmin; d--) {
    if (k->outer[d] == 1) continue;
    if (d == dmin) {
      bool rest1 = true; /* dims before d all of size 1: q < outer[d] */
      for (int e = 0; e < d; e++) rest1 = rest1 && k->outer[e] == 1;
      if (rest1) line(g, "const %s v%d = tc_q;", I, d);
      else line(g, "const %s v%d = (%s)((%s)tc_q %% %lld%s);", I, d, I, UI,
                (long long)k->outer[d], us);
      break;
    }
    if (g->var_used[d])
      line(g, "const %s v%d = (%s)((%s)tc_q %% %lld%s);", I, d, I, UI, (long long)k->outer[d], us);
    line(g, "tc_q = (%s)((%s)tc_q / %lld%s);", I, UI, (long long)k->outer[d], us);
  }
}

/* Whether some load of v's DAG reads consecutive elements for consecutive
 * values of the variable g->probe_var (affine with coefficient 1). */
static bool unit_stride_load(cgen *g, const kval *v) {
  int64_t coef[NVARS], c0;
  if (v->kind == KV_LOAD && v->index && ix_affine(v->index, NVARS, coef, &c0) &&
      coef[g->probe_var] == 1)
    g->probe_hit = true;
  return !g->probe_hit;
}

/* The code shape: cooperative (W warps a point) when a live reduction is
 * long (>= 64 elements) and reads memory along its own variable, so that
 * the point's threads read consecutive elements; W grows with the longest
 * reduction (about 4 tiles of 64 a warp, at most 8 warps). Otherwise one
 * thread a point (0), which reads coalesced when consecutive points are
 * consecutive in memory (a reduction over a strided dim). */
static int dt_bytes(tc_dtype dt) { return dt_bits(dt) < 8 ? 1 : dt_bits(dt) / 8; }

static int choose_warps(cgen *g) {
  const kernel *k = g->k;
  int64_t tiles = 0;
  bool along = false;
  for (int s = 0; s < k->nstages; s++) {
    const kstage *st = &k->stages[s];
    if (st->kind != KS_REDUCE || !g->acc_used[s] || st->n < 64) continue;
    int64_t t = (st->n + 63) / 64;
    if (t > tiles) tiles = t;
    g->probe_var = kc_stage_var(k, s);
    g->probe_hit = false;
    walk(g, st->val, unit_stride_load);
    along = along || g->probe_hit;
  }
  if (!tiles || !along) return 0;
  int W = 1;
  while (W < 8 && 4 * W < tiles) W *= 2;
  /* several warps share their subtrees through static shared memory, 256
   * values (and indices) a reduction; past 40 KiB (the limit is 48) the
   * kernel keeps one warp a point, which needs none */
  int64_t shared = 0;
  for (int s = 0; s < k->nstages; s++) {
    const kstage *st = &k->stages[s];
    if (st->kind != KS_REDUCE || !g->acc_used[s]) continue;
    int it = is_arg(st->rop) ? 8 : st->rop == OP_RLSE ? dt_bytes(st->acc_dt) : 0;
    shared += 256 * (dt_bytes(st->acc_dt) + it);
  }
  if (shared > 40 * 1024) W = 1;
  return W;
}

/* ---- vector mode: the analysis ---- */

/* Whether index e moves by one element per step of the innermost outer
 * variable and starts each group of 4 points (that variable a multiple of
 * 4) at a multiple of 4: a 4-element access aligned to 4 elements. */
static bool vec_index(const cgen *g, const ix *e) {
  int64_t coef[NVARS], c0;
  int D = g->k->nouter - 1;
  if (!e || !ix_affine(e, NVARS, coef, &c0) || coef[D] != 1 || c0 % 4 != 0) return false;
  for (int d = 0; d < D; d++)
    if (coef[d] % 4 != 0) return false;
  return true;
}

static bool collect_vec_load(cgen *g, const kval *v) {
  if (v->kind == KV_LOAD && v->buf >= 0 && v->buf < g->k->nbufs && vec_index(g, v->index) &&
      g->nvl < (int)(sizeof g->vl / sizeof *g->vl))
    g->vl[g->nvl++] = v;
  return true;
}

/* Vector mode: an elementwise kernel (no live reduction; one plain store
 * stage) whose innermost outer dim is a multiple of 4 and whose store is a
 * 4-element aligned access: each thread takes 4 consecutive points, the
 * store and every load of that shape become one access of 4 * size bytes
 * (16 for float32: ld.global.v4), other loads stay scalar per point. All of
 * a group's loads come before its store, which keeps in-place kernels (a
 * point reading the element it writes) exact. */
static bool choose_vec(cgen *g) {
  const kernel *k = g->k;
  if (g->W || k->nouter < 1 || k->nstages != 1) return false;
  const kstage *st = &k->stages[0];
  int64_t inner = k->outer[k->nouter - 1];
  if (st->kind != KS_STORE || st->n != 1 || inner < 4 || inner % 4 != 0) return false;
  if (st->buf < 0 || st->buf >= k->nbufs || !vec_index(g, st->index)) return false;
  g->nvl = 0;
  walk(g, st->val, collect_vec_load);
  return true;
}

/* Liveness and the code shape; false on a malformed kernel or OOM. */
static bool analyze(cgen *g) {
  const kernel *k = g->k;
  if (k->nbufs < 0 || k->nbufs > KC_MAX_BUFS || k->nouter < 0 || k->nouter > TC_MAX_DIMS ||
      k->nstages < 0 || k->nstages > KC_MAX_STAGES) {
    fail(g, "malformed kernel (%d buffers, %d outer dims, %d stages)", k->nbufs, k->nouter,
         k->nstages);
    return false;
  }
  for (int b = 0; b < k->nbufs; b++)
    if ((unsigned)k->bufs[b].dt >= TC_NUM_DTYPES) {
      fail(g, "buffer %d has unknown dtype %d", b, (int)k->bufs[b].dt);
      return false;
    }
  /* backwards: a stage reads only earlier stages' results, so a reduction
     is live once a live stage after it reads it (stores are live) */
  for (int s = k->nstages - 1; s >= 0; s--) {
    const kstage *st = &k->stages[s];
    if (!st->val || (st->kind == KS_STORE && !st->index)) {
      fail(g, "stage %d has no value or index", s);
      return false;
    }
    if (st->kind == KS_REDUCE && !g->acc_used[s]) continue;
    if (!walk(g, st->val, mark_val)) {
      fail(g, "out of memory");
      return false;
    }
    if (st->kind == KS_STORE) mark_ix(g, st->index);
  }
  g->W = choose_warps(g);
  g->vec = choose_vec(g);
  g->i32 = fits32(g);
  g->I = g->i32 ? "int" : "long long";
  g->UI = g->i32 ? "unsigned" : "unsigned long long";
  return true;
}

/* Whether text calls helper `name` (name followed by '(' or '<'). */
static bool calls(const char *text, const char *name) {
  size_t n = strlen(name);
  for (const char *p = strstr(text, name); p; p = strstr(p + 1, name))
    if ((p == text || !(p[-1] == '_' || (p[-1] >= 'a' && p[-1] <= 'z'))) &&
        (p[n] == '(' || p[n] == '<'))
      return true;
  return false;
}

/* The prelude's head and the helpers `body` needs, each guarded so that
 * several kernels' sources can share a program. */
static void emit_prelude(sbuf *s, const char *body) {
  enum { MAXH = 64 };
  bool sel[MAXH] = {false};
  int n = 0;
  while (cg_cuda_helpers[n].name && n < MAXH) n++;
  for (int i = n - 1; i >= 0; i--) { /* helpers call only earlier ones */
    sel[i] = calls(body, cg_cuda_helpers[i].name);
    for (int j = i + 1; j < n && !sel[i]; j++)
      sel[i] = sel[j] && calls(cg_cuda_helpers[j].text, cg_cuda_helpers[i].name);
  }
  sb_put(s, "%s", cg_cuda_prelude_head);
  for (int i = 0; i < n; i++)
    if (sel[i])
      sb_put(s, "#ifndef TC_HAVE_%s\n#define TC_HAVE_%s\n%s#endif\n", cg_cuda_helpers[i].name,
             cg_cuda_helpers[i].name, cg_cuda_helpers[i].text);
  sb_put(s, "\n");
}

static bool ident_ok(const char *s) {
  if (!s || !((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_')) return false;
  for (; *s; s++)
    if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
          *s == '_'))
      return false;
  return true;
}

/* The stages at the current point (decoded outer variables first). */
static void emit_point(cgen *g) {
  const kernel *k = g->k;
  for (int d = 0; d < k->nouter; d++) g->var_live[d] = true;
  emit_decode(g);
  int prev = -1;
  for (int s = 0; s < k->nstages && !g->failed; s++) {
    const kstage *st = &k->stages[s];
    if (st->kind == KS_REDUCE && !g->acc_used[s]) continue; /* no effect */
    if (g->W && prev >= 0 && !(prev == KS_REDUCE && st->kind == KS_REDUCE)) {
      /* a stage sees what the point's threads stored before it */
      if (g->W > 1) line(g, "__syncthreads();");
      else line(g, "__syncwarp();");
    }
    if (st->kind == KS_REDUCE) emit_reduce(g, s);
    else emit_store(g, s);
    prev = st->kind;
  }
  for (int d = 0; d < k->nouter; d++) g->var_live[d] = false;
}

/* Vector mode's group of 4 points tc_p .. tc_p + 3 (see choose_vec). */
static void emit_vec_group(cgen *g) {
  const kernel *k = g->k;
  const kstage *st = &k->stages[0];
  int D = k->nouter - 1, sv = kc_stage_var(k, 0);
  tc_dtype bdt = k->bufs[st->buf].dt;
  for (int d = 0; d < k->nouter; d++) g->var_live[d] = true;
  emit_decode(g);
  memo_clear(g);
  for (int i = 0; i < g->nvl; i++) { /* the group's 4-element loads */
    const kval *v = g->vl[i];
    int e = dt_bytes(v->dt);
    name idx = ix_emit(g, v->index);
    const char *base = "const unsigned char *";
    if (e == 8) {
      for (int h = 0; h < 2; h++)
        line(g, "const uint4 tc_vl%d_%d = *(const uint4 *)((%s)b%d + (size_t)%s * 8u + %du);", i, h,
             base, v->buf, idx.s, 16 * h);
    } else {
      line(g, "const %s tc_vl%d = *(const %s *)((%s)b%d + (size_t)%s * %du);",
           e == 4 ? "uint4" : e == 2 ? "uint2" : "unsigned", i,
           e == 4 ? "uint4" : e == 2 ? "uint2" : "unsigned", base, v->buf, idx.s, e);
    }
  }
  int e = dt_bytes(bdt), words = e; /* 4 elements of e bytes: e words */
  line(g, "unsigned tc_sw[%d] = {0u};", words);
  if (g->var_used[sv]) line(g, "const %s v%d = 0;", g->I, sv);
  g->var_live[sv] = true;
  char ex[1200];
  for (int j = 0; j < 4; j++) {
    line(g, "{");
    g->ind++;
    if (g->var_used[D]) {
      line(g, "const %s tc_vj = v%d + %d;", g->I, D, j);
      line(g, "const %s v%d = tc_vj; (void)v%d;", g->I, D, D);
    }
    g->vec_lane = j;
    stage_value(g, st, bdt, ex, sizeof ex);
    g->vec_lane = -1;
    switch (e) {
    case 8:
      line(g, "const unsigned long long tc_bits = (unsigned long long)%s(%s);",
           bdt == TC_F64 ? "__double_as_longlong" : "", ex);
      line(g, "tc_sw[%d] = (unsigned)tc_bits;", 2 * j);
      line(g, "tc_sw[%d] = (unsigned)(tc_bits >> 32);", 2 * j + 1);
      break;
    case 4:
      line(g, "tc_sw[%d] = %s(%s);", j, bdt == TC_F32 ? "__float_as_uint" : "(unsigned)", ex);
      break;
    case 2:
      line(g, "tc_sw[%d] |= (unsigned)%s(%s) << %d;", j / 2,
           bdt == TC_F16 ? "tc_f2h" : bdt == TC_BF16 ? "tc_f2bf" : "(unsigned short)", ex,
           16 * (j % 2));
      break;
    default:
      line(g, "tc_sw[0] |= (unsigned)(unsigned char)(%s) << %d;", ex, 8 * j);
    }
    g->ind--;
    line(g, "}");
  }
  memo_clear(g);
  name idx = ix_emit(g, st->index);
  const char *b = "unsigned char *";
  if (e == 8) {
    for (int h = 0; h < 2; h++)
      line(g, "*(uint4 *)((%s)b%d + (size_t)%s * 8u + %du) = make_uint4(tc_sw[%d], tc_sw[%d], "
              "tc_sw[%d], tc_sw[%d]);", b, st->buf, idx.s, 16 * h, 4 * h, 4 * h + 1, 4 * h + 2,
           4 * h + 3);
  } else if (e == 4) {
    line(g, "*(uint4 *)((%s)b%d + (size_t)%s * 4u) = make_uint4(tc_sw[0], tc_sw[1], tc_sw[2], "
            "tc_sw[3]);", b, st->buf, idx.s);
  } else if (e == 2) {
    line(g, "*(uint2 *)((%s)b%d + (size_t)%s * 2u) = make_uint2(tc_sw[0], tc_sw[1]);", b,
         st->buf, idx.s);
  } else {
    line(g, "*(unsigned *)((%s)b%d + (size_t)%s) = tc_sw[0];", b, st->buf, idx.s);
  }
  g->var_live[sv] = false;
  for (int d = 0; d < k->nouter; d++) g->var_live[d] = false;
}

static void emit_body(cgen *g) {
  const kernel *k = g->k;
  bool empty = k->nstages == 0;
  for (int d = 0; d < k->nouter; d++) empty = empty || k->outer[d] <= 0;
  if (empty) return;
  g->ind = 1;
  if (g->W) {
    int P = 32 * g->W;
    line(g, "const long long tc_ppb = blockDim.x / %du; /* points a block */", P);
    line(g, "for (long long tc_b = tc_begin + (long long)blockIdx.x * tc_ppb; tc_b < tc_end; "
            "tc_b += (long long)gridDim.x * tc_ppb) {");
    line(g, "  const long long tc_p0 = tc_b + threadIdx.x / %du;", P);
    line(g, "  const bool tc_on = tc_p0 < tc_end; /* else a duplicate of point tc_b, not stored */");
    line(g, "  const long long tc_p = tc_on ? tc_p0 : tc_b;");
    line(g, "  (void)tc_p;");
    g->ind++;
    emit_point(g);
    g->ind--;
    line(g, "}");
    return;
  }
  if (g->vec) {
    /* full groups of 4 points [4 tc_vlo, 4 tc_vhi) when every vector
       buffer is 16-byte aligned; the rest of [tc_begin, tc_end) below */
    char al[512] = "0ull";
    size_t n = strlen(al);
    bool used[KC_MAX_BUFS] = {false};
    used[k->stages[0].buf] = true;
    for (int i = 0; i < g->nvl; i++) used[g->vl[i]->buf] = true;
    for (int b = 0; b < k->nbufs && n + 40 < sizeof al; b++)
      if (used[b]) n += (size_t)snprintf(al + n, sizeof al - n, " | (unsigned long long)b%d", b);
    line(g, "const long long tc_g0 = (tc_begin + 3) / 4, tc_g1 = tc_end / 4;");
    line(g, "const bool tc_al = ((%s) & 15ull) == 0ull && tc_g0 < tc_g1;", al);
    line(g, "const long long tc_vlo = tc_al ? tc_g0 : 0, tc_vhi = tc_al ? tc_g1 : 0;");
    line(g, "for (long long tc_g = tc_vlo + (long long)blockIdx.x * blockDim.x + threadIdx.x; "
            "tc_g < tc_vhi; tc_g += (long long)gridDim.x * blockDim.x) {");
    g->ind++;
    line(g, "const long long tc_p = tc_g * 4;");
    emit_vec_group(g);
    g->ind--;
    line(g, "}");
    line(g, "for (int tc_r = 0; tc_r < 2; ++tc_r) { /* the points before and after the groups */");
    g->ind++;
    line(g, "const long long tc_lo = tc_r ? (tc_al ? tc_vhi * 4 : tc_end) : tc_begin;");
    line(g, "const long long tc_hi = tc_r ? tc_end : (tc_al ? tc_vlo * 4 : tc_end);");
    line(g, "for (long long tc_p = tc_lo + (long long)blockIdx.x * blockDim.x + threadIdx.x; "
            "tc_p < tc_hi; tc_p += (long long)gridDim.x * blockDim.x) {");
  } else {
    line(g, "for (long long tc_p = tc_begin + (long long)blockIdx.x * blockDim.x + "
            "threadIdx.x; tc_p < tc_end; tc_p += (long long)gridDim.x * blockDim.x) {");
  }
  g->ind++;
  emit_point(g);
  g->ind--;
  line(g, "}");
  if (g->vec) {
    g->ind--;
    line(g, "}");
  }
}

char *cg_cuda_source(const kernel *k, const char *name, char *err, size_t errcap) {
  cgen g;
  memset(&g, 0, sizeof g);
  g.k = k;
  g.vec_lane = -1;
  g.err = err;
  g.errcap = errcap;
  if (err && errcap) err[0] = '\0';
  if (!k || !ident_ok(name)) {
    fail(&g, "bad argument (kernel %p, name '%s')", (const void *)k, name ? name : "(null)");
    return NULL;
  }
  char *res = NULL;
  if (analyze(&g)) emit_body(&g);
  if (!g.failed && !g.out.oom) {
    sbuf s = {0};
    emit_prelude(&s, g.out.p ? g.out.p : "");
    if (g.W)
      sb_put(&s, "/* %s: cooperative (%d threads a point) mode, %d-bit indices */\n", name,
             32 * g.W, g.i32 ? 32 : 64);
    else
      sb_put(&s, "/* %s: thread (a thread a point) mode%s, %d-bit indices */\n", name,
             g.vec ? ", 4 points a thread with 4-element accesses" : "", g.i32 ? 32 : 64);
    sb_put(&s, "extern \"C\" __global__ void %s(", name);
    for (int b = 0; b < k->nbufs; b++) sb_put(&s, "void *b%d, ", b);
    sb_put(&s, "long long tc_begin, long long tc_end) {\n");
    if (g.W) {
      sb_put(&s, "  const unsigned tc_t = threadIdx.x %% %du; /* thread of the point */\n", 32 * g.W);
      sb_put(&s, "  (void)tc_t;\n");
    }
    if (g.used_lane) sb_put(&s, "  const unsigned tc_u = threadIdx.x & 31u; /* lane of the warp */\n");
    if (g.used_lane && g.W > 1) sb_put(&s, "  const unsigned tc_w = tc_t >> 5; /* warp of the point */\n");
    if (g.used_mask) sb_put(&s, "  const unsigned tc_mask = 0xffffffffu;\n");
    if (g.out.p) sb_put(&s, "%s", g.out.p);
    sb_put(&s, "}\n");
    if (s.oom) free(s.p);
    else res = s.p;
  }
  if (!res && !g.failed) fail(&g, "out of memory");
  free(g.out.p);
  free(g.memo);
  return res;
}

int cg_cuda_threads_per_point(const kernel *k) {
  cgen g;
  memset(&g, 0, sizeof g);
  g.k = k;
  int r = k && analyze(&g) && g.W ? 32 * g.W : 1;
  free(g.memo);
  return r;
}

void cg_cuda_launch_dims(const kernel *k, int64_t npoints, int64_t max_blocks,
                         unsigned *grid, unsigned *block) {
  const int64_t B = 256;
  int64_t threads = (npoints > 0 ? npoints : 1) * cg_cuda_threads_per_point(k);
  int64_t blocks = (threads + B - 1) / B;
  if (max_blocks > 0 && blocks > max_blocks) blocks = max_blocks;
  if (blocks > INT32_MAX) blocks = INT32_MAX;
  if (blocks < 1) blocks = 1;
  *grid = (unsigned)blocks;
  *block = (unsigned)B;
}
