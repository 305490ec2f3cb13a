/*
 * cuda.c — kernel IR (kernel.h) to CUDA C source with the ABI and the code
 * shapes described in cuda.h (thread mode: a thread per outer point, or 4
 * points a thread with 16-byte accesses; cooperative mode: 32 W threads per
 * point for long reductions). Reduction stages are cuda_reduce.c's, the
 * 4-points-a-thread vector mode cuda_vec.c's; the generator state they
 * share is in cuda_cgen.h.
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
#include "cuda_cgen.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


/* ---- a growing string ---- */

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

static const char *const dt_names[TC_NUM_DTYPES] = {
    "bool", "uint8", "int8", "int16", "int32", "int64",
    "float16", "bfloat16", "float32", "float64"};
static const char *const op_names[OP_COUNT] = {
#define X(e, n, ar, kind) n,
#include "../ir/ops.def"
#undef X
};

const char *cu_dtn(tc_dtype dt) {
  return (unsigned)dt < TC_NUM_DTYPES ? dt_names[dt] : "?";
}
const char *cu_opn(int op) {
  return op >= 0 && op < OP_COUNT ? op_names[op] : "?";
}

void cu_fail(cgen *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void cu_fail(cgen *g, const char *fmt, ...) {
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

void cu_line(cgen *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void cu_line(cgen *g, const char *fmt, ...) {
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

void cu_memo_clear(cgen *g) {
  if (g->memo_n) memset(g->memo, 0, g->memo_cap * sizeof *g->memo);
  g->memo_n = 0;
}

/* ---- index expressions ---- */

name cu_ix_emit(cgen *g, const ix *e) {
  name r = {{0}};
  if (!e) {
    cu_fail(g, "missing index expression");
    snprintf(r.s, sizeof r.s, "0");
    return r;
  }
  if (e->op == IX_CONST) {
    cg_cu_int_lit(r.s, sizeof r.s, e->c, !g->i32);
    return r;
  }
  if (e->op == IX_VAR) {
    if (e->var < 0 || e->var >= NVARS || !g->var_live[e->var]) {
      cu_fail(g, "an index uses variable v%d outside its loop", e->var);
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
  name a = cu_ix_emit(g, e->a), b = cu_ix_emit(g, e->b);
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
    cu_fail(g, "unknown index op %d", (int)e->op);
    snprintf(ex, sizeof ex, "0");
  }
  num = g->ntemp++;
  cu_line(g, "%s x%d = %s;", I, num, ex);
  memo_put(g, e, num);
  snprintf(r.s, sizeof r.s, "x%d", num);
  return r;
}

/* ---- values ---- */

static int val_emit(cgen *g, const kval *v);

void cu_load_expr(cgen *g, char *out, size_t cap, int buf, const char *idx) {
  tc_dtype dt = g->k->bufs[buf].dt;
  const char *mt = cg_cu_mtype(dt);
  if (dt == TC_BOOL) snprintf(out, cap, "(((const %s *)b%d)[%s] != 0)", mt, buf, idx);
  else if (dt_half(dt))
    snprintf(out, cap, "%s(((const %s *)b%d)[%s])", dt == TC_F16 ? "tc_h2f" : "tc_bf2f",
             mt, buf, idx);
  else snprintf(out, cap, "((const %s *)b%d)[%s]", mt, buf, idx);
}

/* Whether v's value depends on its operands: isnan/isinf/isfinite of a
 * bool or an integer is a constant (and an unused local would make NVRTC
 * warn). */
static bool operands_used(const kval *v) {
  if (v->kind == KV_RNG || v->kind == KV_LOAD) return true; /* a, b: the seed and counter base, or a gather's offset, when set */
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
  if (op < OP_NEG || op > OP_FMA || ar < 1) return false;
  for (int i = 0; i < ar && operands_used(v); i++) {
    if (!in[i] || (unsigned)in[i]->dt >= TC_NUM_DTYPES) return false;
    snprintf(nm[i].s, sizeof nm[i].s, "t%d", val_emit(g, in[i]));
  }
  tc_dtype t = in[0]->dt;
  const char *a = nm[0].s, *b = nm[1].s, *c = nm[2].s;
  switch (op) {
  case OP_CAST: cg_cu_cast(out, cap, t, dt, a); return true;
  case OP_BITCAST:
    if (!((t == TC_F32 && dt == TC_I32) || (t == TC_F64 && dt == TC_I64))) return false;
    snprintf(out, cap, "%s(%s)", t == TC_F32 ? "__float_as_int" : "__double_as_longlong", a);
    return true;
  case OP_WHERE:
    if (t != TC_BOOL || in[1]->dt != dt || in[2]->dt != dt || dt_half(dt)) return false;
    snprintf(out, cap, "(%s ? %s : %s)", a, b, c);
    return true;
  case OP_FMA:
    if ((dt != TC_F32 && dt != TC_F64) || t != dt || in[1]->dt != dt || in[2]->dt != dt) return false;
    snprintf(out, cap, "%s(%s, %s, %s)", dt == TC_F64 ? "fma" : "fmaf", a, b, c);
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
    cu_fail(g, "missing kernel value");
    return 0;
  }
  int num = memo_get(g, v);
  if (num >= 0) return num;
  char ex[1024];
  snprintf(ex, sizeof ex, "0");
  tc_dtype dt = v->dt;
  if ((unsigned)dt >= TC_NUM_DTYPES) {
    cu_fail(g, "a value of unknown dtype %d", (int)dt);
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
      cu_fail(g, "a load from buffer %d of %d (or of the wrong dtype)", v->buf, g->k->nbufs);
      break;
    }
    if (g->vec_lane >= 0 && cu_vec_load_num(g, v) >= 0) {
      cu_vec_extract(ex, sizeof ex, dt, cu_vec_load_num(g, v), g->vec_lane);
      break;
    }
    if (v->a) { /* a gather: index + an int64 value */
      char at[600];
      int d = val_emit(g, v->a);
      snprintf(at, sizeof at, "(%s) + t%d", cu_ix_emit(g, v->index).s, d);
      cu_load_expr(g, ex, sizeof ex, v->buf, at);
      break;
    }
    cu_load_expr(g, ex, sizeof ex, v->buf, cu_ix_emit(g, v->index).s);
    break;
  case KV_ACC:
    if (v->stage < 0 || v->stage >= KC_MAX_STAGES || !g->acc_live[v->stage]) {
      cu_fail(g, "a value reads stage %d's accumulator outside the stages after it", v->stage);
      break;
    }
    snprintf(ex, sizeof ex, "a%d", v->stage);
    break;
  case KV_INDEX:
    snprintf(ex, sizeof ex, "(%s)(%s)", cg_cu_ctype(dt), cu_ix_emit(g, v->index).s);
    break;
  case KV_RNG: {
    const char *f = v->op == OP_RAND ? "tc_rand" : v->op == OP_RANDN ? "tc_randn"
                    : v->op == OP_RANDBITS ? "tc_randbits" : NULL;
    tc_dtype nat = v->op == OP_RANDBITS ? TC_I64 : TC_F32;
    if (!f) {
      cu_fail(g, "unknown RNG op %s", cu_opn(v->op));
      break;
    }
    char call[512], seed[48], base[48] = "0ull";
    if (v->a) snprintf(seed, sizeof seed, "(unsigned long long)t%d", val_emit(g, v->a));
    else snprintf(seed, sizeof seed, "0x%llxull", (unsigned long long)v->seed);
    if (v->b) snprintf(base, sizeof base, "(unsigned long long)t%d", val_emit(g, v->b));
    snprintf(call, sizeof call, "%s(%s, (long long)((unsigned long long)(%s) + %s))", f, seed,
             cu_ix_emit(g, v->index).s, base);
    cg_cu_cast(ex, sizeof ex, nat, dt, call);
    break;
  }
  case KV_PARAM: {
    if (v->param < 0 || v->param >= g->k->nparams || g->k->params[v->param] != dt) {
      cu_fail(g, "scalar argument %d of %d (or of the wrong dtype)", v->param, g->k->nparams);
      break;
    }
    char p[32];
    snprintf(p, sizeof p, "tc_arg%d", v->param);
    cg_cu_cast(ex, sizeof ex, dt_float(dt) ? TC_F64 : TC_I64, dt, p);
    break;
  }
  case KV_OP:
    if (!op_expr(g, v, ex, sizeof ex))
      cu_fail(g, "%s is not defined on %s (operands %s, %s)", cu_opn(v->op), cu_dtn(dt),
           v->a ? cu_dtn(v->a->dt) : "-", v->b ? cu_dtn(v->b->dt) : "-");
    break;
  default: cu_fail(g, "unknown kernel value kind %d", (int)v->kind);
  }
  num = g->ntemp++;
  cu_line(g, "%s t%d = %s;", cg_cu_ctype(dt), num, ex);
  memo_put(g, v, num);
  return num;
}

/* The stage's value at the current point, cast to dtype `to`, in a fresh
 * evaluation; writes the expression to out. */
/* Emits root's operands before root with an explicit stack (value DAGs can
 * be thousands deep), so val_emit itself never recurses more than a level. */
int cu_dag_emit(cgen *g, const kval *root) {
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

void cu_stage_value(cgen *g, const kstage *st, tc_dtype to, char *out, size_t cap) {
  cu_memo_clear(g);
  char t[32];
  snprintf(t, sizeof t, "t%d", cu_dag_emit(g, st->val));
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
bool cu_walk(cgen *g, const kval *root, bool (*visit)(cgen *, const kval *)) {
  size_t cap = 64, n = 0;
  const kval **st = malloc(cap * sizeof *st);
  bool ok = st != NULL;
  cu_memo_clear(g);
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
  cu_memo_clear(g);
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

static bool val_fits32(cgen *g, const kval *v) {
  if (v->kind == KV_LOAD && v->a) return false; /* a gather's offsets are int64 */
  return !has_index(v) || ix_fits32(g, v->index);
}

/* Whether the kernel's index arithmetic provably fits in int32. */
static bool fits32(cgen *g) {
  const kernel *k = g->k;
  if (kc_outer_numel(k) > INT32_MAX) return false;
  for (int d = 0; d < k->nouter; d++)
    if (k->outer[d] > INT32_MAX) return false;
  for (int s = 0; s < k->nstages; s++) {
    const kstage *st = &k->stages[s];
    if (st->n > INT32_MAX - 2 * KC_LANES) return false;
    cu_memo_clear(g);
    if (st->kind == KS_STORE && !ix_fits32(g, st->index)) return false;
    if (!cu_walk(g, st->val, val_fits32)) return false;
  }
  return true;
}

/* The outer variables the kernel reads, decoded from the flat point tc_p. */
void cu_emit_decode(cgen *g) {
  const kernel *k = g->k;
  const char *I = g->I, *UI = g->UI, *us = g->i32 ? "u" : "ull";
  int dmin = -1;
  for (int d = 0; d < k->nouter; d++) {
    if (!g->var_used[d]) continue;
    if (k->outer[d] == 1) cu_line(g, "const %s v%d = 0;", I, d);
    else if (dmin < 0) dmin = d;
  }
  if (dmin < 0) return;
  cu_line(g, "%s tc_q = (%s)tc_p;", I, I);
  for (int d = k->nouter - 1; d >= dmin; d--) {
    if (k->outer[d] == 1) continue;
    if (d == dmin) {
      bool rest1 = true; /* dims before d all of size 1: q < outer[d] */
      for (int e = 0; e < d; e++) rest1 = rest1 && k->outer[e] == 1;
      if (rest1) cu_line(g, "const %s v%d = tc_q;", I, d);
      else cu_line(g, "const %s v%d = (%s)((%s)tc_q %% %lld%s);", I, d, I, UI,
                (long long)k->outer[d], us);
      break;
    }
    if (g->var_used[d])
      cu_line(g, "const %s v%d = (%s)((%s)tc_q %% %lld%s);", I, d, I, UI, (long long)k->outer[d], us);
    cu_line(g, "tc_q = (%s)((%s)tc_q / %lld%s);", I, UI, (long long)k->outer[d], us);
  }
}

/* Liveness and the code shape; false on a malformed kernel or OOM. */
static bool analyze(cgen *g) {
  const kernel *k = g->k;
  if (k->nbufs < 0 || k->nbufs > KC_MAX_BUFS || k->nouter < 0 || k->nouter > TC_MAX_DIMS ||
      k->nstages < 0 || k->nstages > KC_MAX_STAGES) {
    cu_fail(g, "malformed kernel (%d buffers, %d outer dims, %d stages)", k->nbufs, k->nouter,
         k->nstages);
    return false;
  }
  for (int b = 0; b < k->nbufs; b++)
    if ((unsigned)k->bufs[b].dt >= TC_NUM_DTYPES) {
      cu_fail(g, "buffer %d has unknown dtype %d", b, (int)k->bufs[b].dt);
      return false;
    }
  /* backwards: a stage reads only earlier stages' results, so a reduction
     is live once a live stage after it reads it (stores are live) */
  for (int s = k->nstages - 1; s >= 0; s--) {
    const kstage *st = &k->stages[s];
    if (!st->val || (st->kind == KS_STORE && !st->index)) {
      cu_fail(g, "stage %d has no value or index", s);
      return false;
    }
    if (st->kind == KS_REDUCE && !g->acc_used[s]) continue;
    if (!cu_walk(g, st->val, mark_val) || (st->kind == KS_STORE && (!cu_walk(g, st->dyn, mark_val) || !cu_walk(g, st->keep, mark_val) ||
                                                  !cu_walk(g, st->init, mark_val)))) {
      cu_fail(g, "out of memory");
      return false;
    }
    if (st->kind == KS_STORE) mark_ix(g, st->index);
  }
  /* a serial kernel runs on one thread (rt_gpu_launch), in thread mode */
  g->W = k->serial ? 0 : cu_choose_warps(g);
  g->vec = cu_choose_vec(g);
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
  cu_emit_decode(g);
  int prev = -1;
  for (int s = 0; s < k->nstages && !g->failed; s++) {
    const kstage *st = &k->stages[s];
    if (st->kind == KS_REDUCE && !g->acc_used[s]) continue; /* no effect */
    if (g->W && prev >= 0 && !(prev == KS_REDUCE && st->kind == KS_REDUCE)) {
      /* a stage sees what the point's threads stored before it */
      if (g->W > 1) cu_line(g, "__syncthreads();");
      else cu_line(g, "__syncwarp();");
    }
    if (st->kind == KS_REDUCE) cu_emit_reduce(g, s);
    else cu_emit_store(g, s);
    prev = st->kind;
  }
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
    cu_line(g, "const long long tc_ppb = blockDim.x / %du; /* points a block */", P);
    cu_line(g, "for (long long tc_b = tc_begin + (long long)blockIdx.x * tc_ppb; tc_b < tc_end; "
            "tc_b += (long long)gridDim.x * tc_ppb) {");
    cu_line(g, "  const long long tc_p0 = tc_b + threadIdx.x / %du;", P);
    cu_line(g, "  const bool tc_on = tc_p0 < tc_end; /* else a duplicate of point tc_b, not stored */");
    cu_line(g, "  const long long tc_p = tc_on ? tc_p0 : tc_b;");
    cu_line(g, "  (void)tc_p;");
    g->ind++;
    emit_point(g);
    g->ind--;
    cu_line(g, "}");
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
    cu_line(g, "const long long tc_g0 = (tc_begin + 3) / 4, tc_g1 = tc_end / 4;");
    cu_line(g, "const bool tc_al = ((%s) & 15ull) == 0ull && tc_g0 < tc_g1;", al);
    cu_line(g, "const long long tc_vlo = tc_al ? tc_g0 : 0, tc_vhi = tc_al ? tc_g1 : 0;");
    cu_line(g, "for (long long tc_g = tc_vlo + (long long)blockIdx.x * blockDim.x + threadIdx.x; "
            "tc_g < tc_vhi; tc_g += (long long)gridDim.x * blockDim.x) {");
    g->ind++;
    cu_line(g, "const long long tc_p = tc_g * 4;");
    cu_emit_vec_group(g);
    g->ind--;
    cu_line(g, "}");
    cu_line(g, "for (int tc_r = 0; tc_r < 2; ++tc_r) { /* the points before and after the groups */");
    g->ind++;
    cu_line(g, "const long long tc_lo = tc_r ? (tc_al ? tc_vhi * 4 : tc_end) : tc_begin;");
    cu_line(g, "const long long tc_hi = tc_r ? tc_end : (tc_al ? tc_vlo * 4 : tc_end);");
    cu_line(g, "for (long long tc_p = tc_lo + (long long)blockIdx.x * blockDim.x + threadIdx.x; "
            "tc_p < tc_hi; tc_p += (long long)gridDim.x * blockDim.x) {");
  } else {
    cu_line(g, "for (long long tc_p = tc_begin + (long long)blockIdx.x * blockDim.x + "
            "threadIdx.x; tc_p < tc_end; tc_p += (long long)gridDim.x * blockDim.x) {");
  }
  g->ind++;
  emit_point(g);
  g->ind--;
  cu_line(g, "}");
  if (g->vec) {
    g->ind--;
    cu_line(g, "}");
  }
}

/* A matmul kernel's later stages (its epilogue, kernel.h) as a device
 * function of one point, <name>_epi(buffers, params, tc_p), in thread mode;
 * malloc'd, NULL with err set. */
static char *matmul_epilogue(const kernel *k, const char *name, char *err, size_t errcap) {
  kernel *e = malloc(sizeof *e);
  if (!e) {
    snprintf(err, errcap, "out of memory");
    return NULL;
  }
  *e = *k; /* shares k's values: never freed */
  e->nstages = k->nstages - 1;
  memmove(e->stages, k->stages + 1, sizeof(kstage) * (size_t)e->nstages);
  for (int s = 0; s < e->nstages; s++)
    if (e->stages[s].kind != KS_STORE || e->stages[s].n != 1) {
      snprintf(err, errcap, "a matmul's epilogue stage %d is not a store at its point", s + 1);
      free(e);
      return NULL;
    }
  cgen g;
  memset(&g, 0, sizeof g);
  g.k = e;
  g.vec_lane = -1;
  g.err = err;
  g.errcap = errcap;
  char *res = NULL;
  if (analyze(&g)) {
    g.W = 0; /* one thread a point */
    g.vec = false;
    g.ind = 1;
    emit_point(&g);
  }
  if (!g.failed && !g.out.oom) {
    sbuf s = {0};
    sb_put(&s, "TC_D void %s_epi(", name);
    for (int b = 0; b < k->nbufs; b++) sb_put(&s, "void *b%d, ", b);
    for (int i = 0; i < k->nparams; i++) sb_put(&s, "%s tc_arg%d, ", dt_float(k->params[i]) ? "double" : "long long", i);
    sb_put(&s, "long long tc_p) {\n%s}\n", g.out.p ? g.out.p : "");
    if (s.oom) free(s.p);
    else res = s.p;
  }
  if (!res && !g.failed) cu_fail(&g, "out of memory");
  free(g.out.p);
  free(g.memo);
  free(e);
  return res;
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
    cu_fail(&g, "bad argument (kernel %p, name '%s')", (const void *)k, name ? name : "(null)");
    return NULL;
  }
  char *res = NULL;
  if (cg_cuda_is_matmul(k)) { /* its own code shape (cuda_matmul.c) */
    char *epi = NULL;
    if (k->nstages > 1 && !(epi = matmul_epilogue(k, name, err, errcap))) return NULL;
    char *body = cg_cuda_matmul_body(k, name, epi != NULL, err, errcap);
    if (!body) {
      free(epi);
      return NULL;
    }
    sbuf all = {0}, s = {0};
    sb_put(&all, "%s%s", epi ? epi : "", body);
    emit_prelude(&s, all.p ? all.p : "");
    sb_put(&s, "%s", all.p ? all.p : "");
    free(all.p);
    free(epi);
    free(body);
    if (s.oom) {
      free(s.p);
      cu_fail(&g, "out of memory");
      return NULL;
    }
    return s.p;
  }
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
    for (int i = 0; i < k->nparams; i++)
      sb_put(&s, "%s tc_arg%d, ", dt_float(k->params[i]) ? "double" : "long long", i);
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
  if (!res && !g.failed) cu_fail(&g, "out of memory");
  free(g.out.p);
  free(g.memo);
  return res;
}

int cg_cuda_threads_per_point(const kernel *k) {
  if (cg_cuda_is_matmul(k)) return 256; /* a block a tile */
  cgen g;
  memset(&g, 0, sizeof g);
  g.k = k;
  int r = k && analyze(&g) && g.W ? 32 * g.W : 1;
  free(g.memo);
  return r;
}

void cg_cuda_launch_dims(const kernel *k, int64_t npoints, int64_t max_blocks,
                         unsigned *grid, unsigned *block) {
  if (k && k->serial) { /* points in order: one thread */
    *grid = *block = 1;
    return;
  }
  if (cg_cuda_is_matmul(k)) { /* 256 threads a tile, the tiles grid-stride */
    int64_t t = cg_cuda_matmul_tiles(k);
    if (max_blocks > 0 && t > max_blocks) t = max_blocks;
    *grid = (unsigned)(t < 1 ? 1 : t > INT32_MAX ? INT32_MAX : t);
    *block = 256;
    return;
  }
  const int64_t B = 256;
  int64_t threads = (npoints > 0 ? npoints : 1) * cg_cuda_threads_per_point(k);
  int64_t blocks = (threads + B - 1) / B;
  if (max_blocks > 0 && blocks > max_blocks) blocks = max_blocks;
  if (blocks > INT32_MAX) blocks = INT32_MAX;
  if (blocks < 1) blocks = 1;
  *grid = (unsigned)blocks;
  *block = (unsigned)B;
}

char *cg_cuda_call_args(const kernel *k, const char *bufs) {
  sbuf s = {0};
  for (int b = 0; b < k->nbufs; b++) sb_put(&s, "%s[%d], ", bufs, b);
  for (int i = 0; i < k->nparams; i++)
    sb_put(&s, "((const %s *)%s[%d])[%d], ", dt_float(k->params[i]) ? "double" : "long long", bufs,
           k->nbufs, i);
  if (s.oom) {
    free(s.p);
    return NULL;
  }
  return s.p ? s.p : calloc(1, 1);
}
