/*
 * index.c — index expressions built by smart constructors.
 *
 * Every builder computes the node's inclusive value range from its operands'
 * ranges and simplifies before allocating. Ranges are sound even under the
 * wrap-around evaluation ix_eval uses: an endpoint computation that would
 * overflow int64 widens the range to [INT64_MIN, INT64_MAX] (never UB), and a
 * non-variable node whose range is a single value becomes that constant.
 *
 * Canonical forms (so structurally equal means equal text):
 *  - a sum is a left-leaning chain of terms `base*k` (k == 1 prints as
 *    `base`), sorted by a total structural order on the bases (variables
 *    first, by number), like terms merged, zero terms dropped, the constant
 *    last. Multiplication by a constant distributes over sums and merges
 *    with an existing coefficient; a product of two non-constants has its
 *    operands ordered and its constant factors pulled out as a coefficient.
 *  - x // c and x % c with a positive constant c: the constant is folded when
 *    x's range lies in one period (x // c is then constant, x % c is x
 *    shifted); (x//a)//b -> x//(a*b); (x % (a*b))//b -> (x//b) % a;
 *    (x % (a*c)) % c -> x % c; for a sum x, terms whose coefficient is a
 *    multiple of c (and the part of the constant outside [0, c)) move out of
 *    the division / drop out of the modulo; then for the largest g dividing
 *    c (and some coefficient) whose non-multiples r lie in [0, g):
 *    (g*s + r)//(g*c) -> s//c and (g*s + r)%(g*c) -> (s%c)*g + r (common
 *    factors cancel; (i*4 + j)//12 -> i//3 with j in [0, 4)).
 *  - reshape folds, applied to every sum, with any common coefficient k:
 *    k*(x//c)*c + k*(x%c) -> k*x, k*((x//c)%a)*c + k*(x%c) -> k*(x%(a*c))
 *    (also k*((x//c + t)%a)*c + k*(x%c) -> k*((x + t*c)%(a*c)) for any t,
 *    the shape left when the modulo dropped multiples of c from x, or an
 *    offset moved out of x // c), and k*x - k*(x//c)*c -> k*(x%c). The
 *    partner term is matched against the canonical form of x//c built on the
 *    spot, so the folds still fire when x//c itself was rewritten (a sum
 *    split, a nested division merged).
 *  Division and modulo by zero evaluate to 0 (x // 0 and x % 0 fold to 0);
 *  divisors other than positive constants only get constant and range folds.
 *  The rewrites are exact integer identities; they assume the values do not
 *  wrap, which index arithmetic never does.
 */
#include "index.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- integer helpers (no UB) ------------------------------------------- */

static int64_t wadd(int64_t a, int64_t b) {
  return (int64_t)((uint64_t)a + (uint64_t)b);
}
static int64_t wmul(int64_t a, int64_t b) {
  return (int64_t)((uint64_t)a * (uint64_t)b);
}
static int64_t wneg(int64_t a) { return (int64_t)(0 - (uint64_t)a); }

/* true on overflow (GCC/Clang builtins: exact, never UB) */
static bool add_ovf(int64_t a, int64_t b, int64_t *r) {
  return __builtin_add_overflow(a, b, r);
}
static bool mul_ovf(int64_t a, int64_t b, int64_t *r) {
  return __builtin_mul_overflow(a, b, r);
}

/* Floor division and modulo; x // 0 == x % 0 == 0, MIN // -1 wraps. */
static int64_t floordiv(int64_t a, int64_t b) {
  if (b == 0) return 0;
  if (b == -1) return wneg(a);
  int64_t q = a / b;
  if (a % b != 0 && ((a < 0) != (b < 0))) q--;
  return q;
}

static int64_t floormod(int64_t a, int64_t b) {
  if (b == 0 || b == -1) return 0;
  int64_t r = a % b;
  if (r != 0 && ((r < 0) != (b < 0))) r += b;
  return r;
}

static uint64_t uabs(int64_t a) {
  return a < 0 ? 0 - (uint64_t)a : (uint64_t)a;
}

static uint64_t gcd_u(uint64_t a, uint64_t b) {
  while (b) {
    uint64_t t = a % b;
    a = b;
    b = t;
  }
  return a;
}

static int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }
static int64_t max64(int64_t a, int64_t b) { return a > b ? a : b; }

/* ---- structural order -------------------------------------------------- */

/* Total order: by op, then constant / variable number, then operands. */
static int cmp(const ix *a, const ix *b) {
  if (a == b) return 0;
  if (!a || !b) return a ? 1 : -1;
  if (a->op != b->op) return a->op < b->op ? -1 : 1;
  if (a->op == IX_CONST) return a->c < b->c ? -1 : a->c > b->c;
  if (a->op == IX_VAR) return a->var < b->var ? -1 : a->var > b->var;
  int r = cmp(a->a, b->a);
  return r ? r : cmp(a->b, b->b);
}

bool ix_equal(const ix *a, const ix *b) { return cmp(a, b) == 0; }

/* ---- ranges and raw nodes ---------------------------------------------- */

static void range_div(ix *n, const ix *a, const ix *b) {
  int64_t lo = INT64_MAX, hi = INT64_MIN;
  int64_t xs[2] = {a->lo, a->hi};
  /* floor(x / y) is monotone in x and in y on each sign of y: corners. */
  for (int side = 0; side < 2; side++) {
    int64_t y0 = side ? max64(b->lo, 1) : b->lo;
    int64_t y1 = side ? b->hi : min64(b->hi, -1);
    if (y0 > y1) continue;
    int64_t ys[2] = {y0, y1};
    for (int i = 0; i < 2; i++)
      for (int j = 0; j < 2; j++) {
        if (xs[i] == INT64_MIN && ys[j] == -1) {
          n->lo = INT64_MIN, n->hi = INT64_MAX;
          return;
        }
        int64_t q = floordiv(xs[i], ys[j]);
        lo = min64(lo, q), hi = max64(hi, q);
      }
  }
  if (b->lo <= 0 && b->hi >= 0) lo = min64(lo, 0), hi = max64(hi, 0);
  n->lo = lo, n->hi = hi;
}

static void range_mod(ix *n, const ix *a, const ix *b) {
  int64_t lo = 0, hi = 0;
  if (b->hi > 0) {
    hi = b->hi - 1;
    if (a->lo >= 0) hi = min64(hi, a->hi);
  }
  if (b->lo < 0) {
    lo = b->lo + 1;
    if (a->hi <= 0) lo = max64(lo, a->lo);
  }
  if (b->lo == b->hi && (b->lo == 1 || b->lo == -1)) lo = hi = 0;
  n->lo = lo, n->hi = hi;
}

static void set_range(ix *n) {
  const ix *a = n->a, *b = n->b;
  switch (n->op) {
  case IX_ADD:
    if (add_ovf(a->lo, b->lo, &n->lo) || add_ovf(a->hi, b->hi, &n->hi))
      n->lo = INT64_MIN, n->hi = INT64_MAX;
    break;
  case IX_MUL: {
    int64_t p[4];
    if (mul_ovf(a->lo, b->lo, &p[0]) || mul_ovf(a->lo, b->hi, &p[1]) ||
        mul_ovf(a->hi, b->lo, &p[2]) || mul_ovf(a->hi, b->hi, &p[3])) {
      n->lo = INT64_MIN, n->hi = INT64_MAX;
      break;
    }
    n->lo = min64(min64(p[0], p[1]), min64(p[2], p[3]));
    n->hi = max64(max64(p[0], p[1]), max64(p[2], p[3]));
    break;
  }
  case IX_DIV: range_div(n, a, b); break;
  case IX_MOD: range_mod(n, a, b); break;
  case IX_MIN: n->lo = min64(a->lo, b->lo), n->hi = min64(a->hi, b->hi); break;
  case IX_MAX: n->lo = max64(a->lo, b->lo), n->hi = max64(a->hi, b->hi); break;
  case IX_LT:
    n->lo = a->hi < b->lo, n->hi = !(a->lo >= b->hi);
    break;
  case IX_AND: {
    bool az = a->lo == 0 && a->hi == 0, bz = b->lo == 0 && b->hi == 0;
    bool an = a->lo > 0 || a->hi < 0, bn = b->lo > 0 || b->hi < 0;
    n->lo = an && bn, n->hi = !(az || bz);
    break;
  }
  default: break;
  }
}

/* A node without simplification (range from its operands). */
static const ix *mk(ir_arena *A, ix_op op, const ix *a, const ix *b) {
  if (!a || !b) return NULL;
  ix *n = ir_arena_alloc(A, sizeof *n);
  if (!n) return NULL;
  n->op = op, n->a = a, n->b = b;
  set_range(n);
  return n;
}

/* A non-variable node with a single possible value is that constant. */
static const ix *fin(ir_arena *A, const ix *n) {
  if (n && n->op != IX_CONST && n->op != IX_VAR && n->lo == n->hi)
    return ix_const(A, n->lo);
  return n;
}

/* Operands with a single possible value (e.g. a size-1 loop) as constants. */
static const ix *opnd(ir_arena *A, const ix *e) {
  if (e && e->op != IX_CONST && e->lo == e->hi) return ix_const(A, e->lo);
  return e;
}

static bool is_c(const ix *e) { return e->op == IX_CONST; }
static bool is_posc_op(const ix *e, ix_op op) {
  return e->op == op && is_c(e->b) && e->b->c > 0;
}

const ix *ix_const(ir_arena *A, int64_t c) {
  ix *n = ir_arena_alloc(A, sizeof *n);
  if (!n) return NULL;
  n->op = IX_CONST, n->c = c, n->lo = n->hi = c;
  return n;
}

/* An empty range (hi < lo: a loop that never runs, e.g. over a size-0 dim)
 * is kept as [lo, lo]; whatever it simplifies to is never evaluated. */
const ix *ix_var(ir_arena *A, int var, int64_t lo, int64_t hi) {
  if (var < 0) return NULL;
  if (hi < lo) hi = lo;
  ix *n = ir_arena_alloc(A, sizeof *n);
  if (!n) return NULL;
  n->op = IX_VAR, n->var = var, n->lo = lo, n->hi = hi;
  return n;
}

/* ---- sums -------------------------------------------------------------- */

typedef struct term {
  const ix *base;
  int64_t k;
} term;

typedef struct sumb {
  ir_arena *A;
  term *t;
  int n, cap;
  int64_t c;
  bool oom;
  term local[16];
} sumb;

static void sb_init(sumb *s, ir_arena *A) {
  s->A = A, s->t = s->local, s->n = 0, s->cap = 16, s->c = 0, s->oom = false;
}

static void sb_push(sumb *s, const ix *base, int64_t k) {
  if (s->n == s->cap) {
    term *nt = ir_arena_alloc(s->A, sizeof(term) * 2 * (size_t)s->cap);
    if (!nt) {
      s->oom = true;
      return;
    }
    memcpy(nt, s->t, sizeof(term) * (size_t)s->n);
    s->t = nt, s->cap *= 2;
  }
  s->t[s->n++] = (term){base, k};
}

/* Adds k*e, flattening sums and constant factors. */
static void sb_collect(sumb *s, const ix *e, int64_t k) {
  if (!e) {
    s->oom = true;
    return;
  }
  if (k == 0) return;
  if (e->op == IX_CONST || e->lo == e->hi) {
    s->c = wadd(s->c, wmul(e->lo, k));
  } else if (e->op == IX_ADD) {
    sb_collect(s, e->a, k);
    sb_collect(s, e->b, k);
  } else if (e->op == IX_MUL && is_c(e->b)) {
    sb_collect(s, e->a, wmul(k, e->b->c));
  } else {
    sb_push(s, e, k);
  }
}

static void sb_copy(sumb *d, const sumb *s) {
  sb_init(d, s->A);
  for (int i = 0; i < s->n; i++) sb_push(d, s->t[i].base, s->t[i].k);
  d->c = s->c, d->oom |= s->oom;
}

static int term_cmp(const void *x, const void *y) {
  return cmp(((const term *)x)->base, ((const term *)y)->base);
}

/* Sorts, merges like terms, drops zero terms. */
static void sb_norm(sumb *s) {
  if (s->n > 1) qsort(s->t, (size_t)s->n, sizeof(term), term_cmp);
  int m = 0;
  for (int i = 0; i < s->n; i++) {
    if (m > 0 && cmp(s->t[m - 1].base, s->t[i].base) == 0)
      s->t[m - 1].k = wadd(s->t[m - 1].k, s->t[i].k);
    else
      s->t[m++] = s->t[i];
  }
  int z = 0;
  for (int i = 0; i < m; i++)
    if (s->t[i].k != 0) s->t[z++] = s->t[i];
  s->n = z;
}

/* The chain ((t0 + t1) + ...) + c of a normalized sum. */
static const ix *sb_build(sumb *s) {
  ir_arena *A = s->A;
  if (s->oom) return NULL;
  const ix *acc = NULL;
  for (int i = 0; i < s->n; i++) {
    const ix *t = s->t[i].base;
    if (s->t[i].k != 1) t = mk(A, IX_MUL, t, ix_const(A, s->t[i].k));
    acc = acc ? mk(A, IX_ADD, acc, t) : t;
    if (!acc) return NULL;
  }
  if (s->c != 0 || !acc) {
    const ix *cn = ix_const(A, s->c);
    acc = acc ? mk(A, IX_ADD, acc, cn) : cn;
  }
  return fin(A, acc);
}

static const ix *sb_finish(sumb *s);

/* Removes from the normalized s the terms of the normalized d, which must
 * all be present with the same coefficients (else false, s unchanged), and
 * subtracts d's constant. */
static bool sb_take(sumb *s, const sumb *d) {
  if (s->oom || d->oom) return false;
  for (int pass = 0; pass < 2; pass++)
    for (int l = 0, j = 0; l < d->n; l++, j++) {
      while (j < s->n && cmp(s->t[j].base, d->t[l].base) < 0) j++;
      if (pass) s->t[j].k = 0;
      else if (j == s->n || s->t[j].k != d->t[l].k ||
               cmp(s->t[j].base, d->t[l].base))
        return false;
    }
  s->c = wadd(s->c, wneg(d->c));
  return true;
}

/* s - d when s contains every term of d, else NULL. */
static const ix *sum_minus(ir_arena *A, const ix *s, const ix *d) {
  sumb ss, ds;
  sb_init(&ss, A), sb_init(&ds, A);
  sb_collect(&ss, s, 1), sb_collect(&ds, d, 1);
  sb_norm(&ss), sb_norm(&ds);
  return sb_take(&ss, &ds) ? sb_finish(&ss) : NULL;
}

/* k*(x//c)*c + k*(x%c) -> k*x and k*((x//c + t)%a)*c + k*(x%c) ->
 * k*((x + t*c) % (a*c)), for the MOD(x, c) term i. */
static const ix *fold_split(sumb *s, int i) {
  ir_arena *A = s->A;
  const ix *m = s->t[i].base, *x = m->a, *d = NULL;
  int64_t c = m->b->c, kc;
  if (c < 2 || mul_ovf(s->t[i].k, c, &kc)) return NULL;
  for (int j = 0; j < s->n; j++) {
    if (j == i || s->t[j].k != kc) continue;
    if (!d && !(d = ix_divc(A, x, c))) return NULL;
    const ix *bj = s->t[j].base, *e = NULL;
    if (ix_equal(bj, d)) {
      e = x;
    } else if (is_posc_op(bj, IX_MOD)) {
      /* ((x//c + t) % a)*c + x%c == (x + t*c) % (a*c) for any t: x%c stands
       * for every x + t*c, whose multiples of c the modulo dropped. */
      const ix *t = sum_minus(A, bj->a, d);
      int64_t ac;
      if (!t || mul_ovf(bj->b->c, c, &ac)) continue;
      e = ix_modc(A, ix_add(A, x, ix_mulc(A, t, c)), ac);
    } else {
      continue;
    }
    sumb r;
    sb_copy(&r, s);
    r.t[i].k = r.t[j].k = 0;
    sb_collect(&r, e, s->t[i].k);
    return sb_finish(&r);
  }
  return NULL;
}

/* k*x - k*(x//c)*c -> k*(x%c) for the DIV(x, c) term i: every term of k*x
 * must be present. */
static const ix *fold_rem(sumb *s, int i) {
  const ix *x = s->t[i].base->a;
  int64_t c = s->t[i].base->b->c, ki = s->t[i].k;
  if (c < 2 || ki % c != 0) return NULL;
  int64_t k = -(ki / c);
  sumb xs, r;
  sb_init(&xs, s->A);
  sb_collect(&xs, x, k);
  sb_norm(&xs);
  sb_copy(&r, s);
  if (!sb_take(&r, &xs)) return NULL;
  r.t[i].k = 0;
  sb_collect(&r, ix_modc(s->A, x, c), k);
  return sb_finish(&r);
}

/* Normalizes, applies the reshape folds, builds. */
static const ix *sb_finish(sumb *s) {
  if (s->oom) return NULL;
  sb_norm(s);
  for (int i = 0; i < s->n; i++) {
    const ix *b = s->t[i].base, *r = NULL;
    if (is_posc_op(b, IX_MOD)) r = fold_split(s, i);
    else if (is_posc_op(b, IX_DIV)) r = fold_rem(s, i);
    if (r) return r;
  }
  return sb_build(s);
}

const ix *ix_add(ir_arena *A, const ix *a, const ix *b) {
  if (!a || !b) return NULL;
  if (is_c(a) && is_c(b)) return ix_const(A, wadd(a->c, b->c));
  sumb s;
  sb_init(&s, A);
  sb_collect(&s, a, 1);
  sb_collect(&s, b, 1);
  return sb_finish(&s);
}

/* ---- products, division, modulo ----------------------------------------- */

const ix *ix_mul(ir_arena *A, const ix *a, const ix *b) {
  a = opnd(A, a), b = opnd(A, b);
  if (!a || !b) return NULL;
  if (is_c(a) && is_c(b)) return ix_const(A, wmul(a->c, b->c));
  if (is_c(a)) {
    const ix *t = a;
    a = b, b = t;
  }
  if (is_c(b)) {
    if (b->c == 0) return ix_const(A, 0);
    if (b->c == 1) return a;
    sumb s;
    sb_init(&s, A);
    sb_collect(&s, a, b->c);
    return sb_finish(&s);
  }
  int64_t k = 1;
  if (a->op == IX_MUL && is_c(a->b)) k = wmul(k, a->b->c), a = a->a;
  if (b->op == IX_MUL && is_c(b->b)) k = wmul(k, b->b->c), b = b->a;
  if (cmp(a, b) > 0) {
    const ix *t = a;
    a = b, b = t;
  }
  const ix *m = fin(A, mk(A, IX_MUL, a, b));
  return k == 1 ? m : ix_mul(A, m, ix_const(A, k));
}

/* Splits a sum for x // c or x % c (c > 1): terms whose coefficient c
 * divides go to q (divided), the others to r; the constant splits into
 * floor(const / c) and const mod c. Returns whether q got anything. */
static bool split_by(const ix *a, int64_t c, sumb *q, sumb *r) {
  sumb s;
  sb_init(&s, r->A);
  sb_collect(&s, a, 1);
  sb_norm(&s);
  for (int i = 0; i < s.n; i++) {
    if (s.t[i].k % c == 0) sb_push(q, s.t[i].base, s.t[i].k / c);
    else sb_push(r, s.t[i].base, s.t[i].k);
  }
  q->c = floordiv(s.c, c), r->c = floormod(s.c, c);
  q->oom |= s.oom, r->oom |= s.oom;
  return q->n > 0 || q->c != 0;
}

/* For a sum r with no term divisible by c (c > 1) and its constant in
 * [0, c): the largest g dividing c, 1 < g < c, such that r = g*hi + lo with
 * lo (the terms g does not divide, plus the constant mod g) in [0, g). Then
 * r // c == hi // (c/g) and r % c == (hi % (c/g))*g + lo. Returns g (hi and
 * lo filled) or 0. */
static int64_t small_rest(const sumb *r, int64_t c, sumb *hi, sumb *lo) {
  int64_t best = 0;
  for (int i = 0; i < r->n; i++) {
    int64_t g = (int64_t)gcd_u((uint64_t)c, uabs(r->t[i].k));
    if (g <= 1 || g >= c || g <= best) continue;
    int64_t rlo = r->c % g, rhi = rlo, p, q;
    bool ok = true;
    for (int j = 0; j < r->n && ok; j++) {
      const term *t = &r->t[j];
      if (t->k % g == 0) continue;
      ok = !mul_ovf(t->base->lo, t->k, &p) && !mul_ovf(t->base->hi, t->k, &q) &&
           !add_ovf(rlo, min64(p, q), &rlo) && !add_ovf(rhi, max64(p, q), &rhi);
    }
    if (ok && rlo >= 0 && rhi < g) best = g;
  }
  if (!best) return 0;
  for (int i = 0; i < r->n; i++) {
    if (r->t[i].k % best == 0) sb_push(hi, r->t[i].base, r->t[i].k / best);
    else sb_push(lo, r->t[i].base, r->t[i].k);
  }
  hi->c = r->c / best, lo->c = r->c % best;
  return best;
}

const ix *ix_div(ir_arena *A, const ix *a, const ix *b) {
  a = opnd(A, a), b = opnd(A, b);
  if (!a || !b) return NULL;
  if (!is_c(b)) {
    if (is_c(a) && a->c == 0) return a;
    if (ix_equal(a, b) && (b->lo > 0 || b->hi < 0)) return ix_const(A, 1);
    return fin(A, mk(A, IX_DIV, a, b));
  }
  int64_t c = b->c;
  if (c == 0) return ix_const(A, 0);
  if (is_c(a)) return ix_const(A, floordiv(a->c, c));
  if (c == 1) return a;
  if (c == -1) return ix_mul(A, a, b);
  int64_t q0 = floordiv(a->lo, c), q1 = floordiv(a->hi, c);
  if (q0 == q1) return ix_const(A, q0);
  if (c < 0) return fin(A, mk(A, IX_DIV, a, b));
  int64_t cc;
  if (is_posc_op(a, IX_DIV) && !mul_ovf(a->b->c, c, &cc))
    return ix_divc(A, a->a, cc);
  if (is_posc_op(a, IX_MOD) && a->b->c % c == 0)
    return ix_modc(A, ix_div(A, a->a, b), a->b->c / c);
  sumb q, r;
  sb_init(&q, A), sb_init(&r, A);
  if (split_by(a, c, &q, &r))
    return ix_add(A, sb_finish(&q), ix_div(A, sb_finish(&r), b));
  sumb hi, lo;
  sb_init(&hi, A), sb_init(&lo, A);
  int64_t g = small_rest(&r, c, &hi, &lo);
  if (g) return ix_divc(A, sb_finish(&hi), c / g);
  return fin(A, mk(A, IX_DIV, a, b));
}

const ix *ix_mod(ir_arena *A, const ix *a, const ix *b) {
  a = opnd(A, a), b = opnd(A, b);
  if (!a || !b) return NULL;
  if (!is_c(b)) {
    if ((is_c(a) && a->c == 0) || ix_equal(a, b)) return ix_const(A, 0);
    if (a->lo >= 0 && b->lo > 0 && a->hi < b->lo) return a;
    return fin(A, mk(A, IX_MOD, a, b));
  }
  int64_t c = b->c;
  if (c == 0 || c == 1 || c == -1) return ix_const(A, 0);
  if (is_c(a)) return ix_const(A, floormod(a->c, c));
  if (c < 0) return fin(A, mk(A, IX_MOD, a, b));
  int64_t q0 = floordiv(a->lo, c), q1 = floordiv(a->hi, c), qc;
  if (q0 == q1 && !mul_ovf(q0, c, &qc))
    return qc == 0 ? a : ix_addc(A, a, wneg(qc));
  if (is_posc_op(a, IX_MOD) && a->b->c % c == 0) return ix_mod(A, a->a, b);
  sumb q, r;
  sb_init(&q, A), sb_init(&r, A);
  if (split_by(a, c, &q, &r)) return ix_mod(A, sb_finish(&r), b);
  sumb hi, lo;
  sb_init(&hi, A), sb_init(&lo, A);
  int64_t g = small_rest(&r, c, &hi, &lo);
  if (g)
    return ix_add(A, ix_mulc(A, ix_modc(A, sb_finish(&hi), c / g), g),
                  sb_finish(&lo));
  return fin(A, mk(A, IX_MOD, a, b));
}

/* ---- min, max, comparisons ---------------------------------------------- */

/* Commutative operands: constants last, otherwise by structural order. */
static void order2(const ix **a, const ix **b) {
  if (is_c(*a) || (!is_c(*b) && cmp(*a, *b) > 0)) {
    const ix *t = *a;
    *a = *b, *b = t;
  }
}

const ix *ix_min(ir_arena *A, const ix *a, const ix *b) {
  a = opnd(A, a), b = opnd(A, b);
  if (!a || !b) return NULL;
  if (a->hi <= b->lo) return a;
  if (b->hi <= a->lo) return b;
  if (ix_equal(a, b)) return a;
  order2(&a, &b);
  return fin(A, mk(A, IX_MIN, a, b));
}

const ix *ix_max(ir_arena *A, const ix *a, const ix *b) {
  a = opnd(A, a), b = opnd(A, b);
  if (!a || !b) return NULL;
  if (a->hi <= b->lo) return b;
  if (b->hi <= a->lo) return a;
  if (ix_equal(a, b)) return a;
  order2(&a, &b);
  return fin(A, mk(A, IX_MAX, a, b));
}

const ix *ix_lt(ir_arena *A, const ix *a, const ix *b) {
  a = opnd(A, a), b = opnd(A, b);
  if (!a || !b) return NULL;
  if (a->hi < b->lo) return ix_const(A, 1);
  if (a->lo >= b->hi || ix_equal(a, b)) return ix_const(A, 0);
  return fin(A, mk(A, IX_LT, a, b));
}

static bool nonzero(const ix *e) { return e->lo > 0 || e->hi < 0; }
static bool boolish(const ix *e) { return e->lo >= 0 && e->hi <= 1; }

const ix *ix_and(ir_arena *A, const ix *a, const ix *b) {
  a = opnd(A, a), b = opnd(A, b);
  if (!a || !b) return NULL;
  if ((is_c(a) && a->c == 0) || (is_c(b) && b->c == 0)) return ix_const(A, 0);
  if (nonzero(a) && nonzero(b)) return ix_const(A, 1);
  if (nonzero(a) && boolish(b)) return b;
  if (nonzero(b) && boolish(a)) return a;
  if (ix_equal(a, b) && boolish(a)) return a;
  order2(&a, &b);
  return fin(A, mk(A, IX_AND, a, b));
}

const ix *ix_addc(ir_arena *A, const ix *a, int64_t c) {
  return a ? ix_add(A, a, ix_const(A, c)) : NULL;
}
const ix *ix_mulc(ir_arena *A, const ix *a, int64_t c) {
  return a ? ix_mul(A, a, ix_const(A, c)) : NULL;
}
const ix *ix_divc(ir_arena *A, const ix *a, int64_t c) {
  return a ? ix_div(A, a, ix_const(A, c)) : NULL;
}
const ix *ix_modc(ir_arena *A, const ix *a, int64_t c) {
  return a ? ix_mod(A, a, ix_const(A, c)) : NULL;
}

/* ---- queries ------------------------------------------------------------ */

const ix *ix_subst(ir_arena *A, const ix *e, const ix *const *vals, int nvars) {
  if (!e) return NULL;
  if (e->op == IX_CONST) return e;
  if (e->op == IX_VAR)
    return vals && e->var < nvars && vals[e->var] ? vals[e->var] : e;
  const ix *a = ix_subst(A, e->a, vals, nvars);
  const ix *b = ix_subst(A, e->b, vals, nvars);
  if (!a || !b) return NULL;
  if (a == e->a && b == e->b) return e;
  switch (e->op) {
  case IX_ADD: return ix_add(A, a, b);
  case IX_MUL: return ix_mul(A, a, b);
  case IX_DIV: return ix_div(A, a, b);
  case IX_MOD: return ix_mod(A, a, b);
  case IX_MIN: return ix_min(A, a, b);
  case IX_MAX: return ix_max(A, a, b);
  case IX_LT: return ix_lt(A, a, b);
  case IX_AND: return ix_and(A, a, b);
  default: return NULL;
  }
}

int64_t ix_eval(const ix *e, const int64_t *vars) {
  if (!e) return 0;
  if (e->op == IX_CONST) return e->c;
  if (e->op == IX_VAR) return vars[e->var];
  int64_t a = ix_eval(e->a, vars), b = ix_eval(e->b, vars);
  switch (e->op) {
  case IX_ADD: return wadd(a, b);
  case IX_MUL: return wmul(a, b);
  case IX_DIV: return floordiv(a, b);
  case IX_MOD: return floormod(a, b);
  case IX_MIN: return min64(a, b);
  case IX_MAX: return max64(a, b);
  case IX_LT: return a < b;
  case IX_AND: return a != 0 && b != 0;
  default: return 0;
  }
}

bool ix_is_const(const ix *e, int64_t *value) {
  if (!e || e->lo != e->hi) return false;
  if (value) *value = e->lo;
  return true;
}

bool ix_uses_var(const ix *e, int var) {
  if (!e || e->op == IX_CONST) return false;
  if (e->op == IX_VAR) return e->var == var;
  return ix_uses_var(e->a, var) || ix_uses_var(e->b, var);
}

static bool affine(const ix *e, int nvars, int64_t k, int64_t *coef,
                   int64_t *cst) {
  switch (e->op) {
  case IX_CONST: *cst = wadd(*cst, wmul(k, e->c)); return true;
  case IX_VAR:
    if (e->var >= nvars) return false;
    coef[e->var] = wadd(coef[e->var], k);
    return true;
  case IX_ADD:
    return affine(e->a, nvars, k, coef, cst) &&
           affine(e->b, nvars, k, coef, cst);
  case IX_MUL:
    if (is_c(e->b)) return affine(e->a, nvars, wmul(k, e->b->c), coef, cst);
    if (is_c(e->a)) return affine(e->b, nvars, wmul(k, e->a->c), coef, cst);
    return false;
  default: return false;
  }
}

bool ix_affine(const ix *e, int nvars, int64_t *coef, int64_t *constant) {
  if (!e) return false;
  for (int v = 0; v < nvars; v++) coef[v] = 0;
  *constant = 0;
  return affine(e, nvars, 1, coef, constant);
}

int ix_size(const ix *e) {
  if (!e) return 0;
  if (e->op == IX_CONST || e->op == IX_VAR) return 1;
  return 1 + ix_size(e->a) + ix_size(e->b);
}

/* ---- printing ----------------------------------------------------------- */

typedef struct pw {
  char *buf;
  size_t cap, len;
} pw;

static void put(pw *w, const char *s) {
  for (; *s; s++, w->len++)
    if (w->len + 1 < w->cap) w->buf[w->len] = *s;
}

static void put_i64(pw *w, int64_t v) {
  char tmp[32];
  snprintf(tmp, sizeof tmp, "%" PRId64, v);
  put(w, tmp);
}

/* Binding strength: && < '<' < + < * // % < atoms. */
static int prec(const ix *e) {
  switch (e->op) {
  case IX_AND: return 1;
  case IX_LT: return 2;
  case IX_ADD: return 3;
  case IX_MUL: case IX_DIV: case IX_MOD: return 4;
  default: return 5;
  }
}

static void print_e(pw *w, const ix *e);

/* Operand of parent op `op` (strength p): parenthesized when it binds
 * weaker, or equally on the right; on the left only + * && chains go bare. */
static void print_child(pw *w, const ix *e, ix_op op, int p, bool right) {
  int q = prec(e);
  bool chain = e->op == op && (op == IX_ADD || op == IX_MUL || op == IX_AND);
  bool par = q < p || (q == p && (right || !chain));
  if (par) put(w, "(");
  print_e(w, e);
  if (par) put(w, ")");
}

static void print_bin(pw *w, const ix *e, const char *sym) {
  print_child(w, e->a, e->op, prec(e), false);
  put(w, sym);
  print_child(w, e->b, e->op, prec(e), true);
}

static void print_e(pw *w, const ix *e) {
  switch (e->op) {
  case IX_CONST: put_i64(w, e->c); return;
  case IX_VAR:
    put(w, "v");
    put_i64(w, e->var);
    return;
  case IX_ADD: {
    const ix *b = e->b;
    print_child(w, e->a, IX_ADD, 3, false);
    if (is_c(b) && b->c < 0 && b->c != INT64_MIN) {
      put(w, " - ");
      put_i64(w, -b->c);
    } else if (b->op == IX_MUL && is_c(b->b) && b->b->c < 0 &&
               b->b->c != INT64_MIN) {
      /* a + x*-k prints as a - x*k */
      put(w, " - ");
      if (b->b->c == -1) {
        print_child(w, b->a, IX_ADD, 3, true);
      } else {
        print_child(w, b->a, IX_MUL, 4, false);
        put(w, "*");
        put_i64(w, -b->b->c);
      }
    } else {
      put(w, " + ");
      print_child(w, b, IX_ADD, 3, true);
    }
    return;
  }
  case IX_MUL: print_bin(w, e, "*"); return;
  case IX_DIV: print_bin(w, e, " // "); return;
  case IX_MOD: print_bin(w, e, " % "); return;
  case IX_LT: print_bin(w, e, " < "); return;
  case IX_AND: print_bin(w, e, " && "); return;
  case IX_MIN:
  case IX_MAX:
    put(w, e->op == IX_MIN ? "min(" : "max(");
    print_e(w, e->a);
    put(w, ", ");
    print_e(w, e->b);
    put(w, ")");
    return;
  }
}

size_t ix_print(const ix *e, char *buf, size_t cap) {
  pw w = {buf, buf ? cap : 0, 0};
  if (e) print_e(&w, e);
  else put(&w, "<null>");
  if (w.cap > 0) w.buf[w.len < w.cap ? w.len : w.cap - 1] = '\0';
  return w.len;
}
