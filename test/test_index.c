/*
 * test_index.c — the IR arena (ir/arena.h) and index expressions
 * (ir/index.h).
 *
 * Arena: zeroed 16-byte aligned blocks across chunks, big requests, every
 * chunk handed back on reset, NULL + oom when the hook fails (and builders
 * passing the NULL on). Index expressions: the folds the header promises (the
 * reshape flatten-then-split round trip above all, checked for every pair of
 * shapes factorizing 24, 36, 60 and 64, with and without an offset), ranges,
 * floor semantics on negative values, canonical printing, substitution,
 * affine decomposition.
 * Finally a differential fuzzer: random trees (depth 5, 2-3 variables with
 * small, sometimes negative ranges, negative constants, reshape-shaped
 * sub-patterns) are built through the smart constructors and, in parallel, as
 * plain unsimplified trees; for every assignment of the variables ix_eval
 * must match a brute-force evaluation of the plain tree, every node's value
 * must lie in its [lo, hi], substituting constants must fold to the value,
 * and rebuilding the simplified tree must reproduce it exactly.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ir/index.h"

/* ---- helpers ------------------------------------------------------------ */

static ir_arena A;

static int setup(void **state) {
  (void)state;
  ir_arena_init(&A, NULL);
  return 0;
}

static int teardown(void **state) {
  (void)state;
  ir_arena_reset(&A);
  return 0;
}

/* Builders on the shared arena, to keep the expressions readable. */
static const ix *var(int v, int64_t lo, int64_t hi) {
  return ix_var(&A, v, lo, hi);
}
static const ix *num(int64_t c) { return ix_const(&A, c); }
static const ix *add(const ix *a, const ix *b) { return ix_add(&A, a, b); }
static const ix *addc(const ix *a, int64_t c) { return ix_addc(&A, a, c); }
static const ix *mulc(const ix *a, int64_t c) { return ix_mulc(&A, a, c); }
static const ix *divc(const ix *a, int64_t c) { return ix_divc(&A, a, c); }
static const ix *modc(const ix *a, int64_t c) { return ix_modc(&A, a, c); }
/* a*ka + b*kb + c */
static const ix *lin(const ix *a, int64_t ka, const ix *b, int64_t kb) {
  return add(mulc(a, ka), mulc(b, kb));
}

static char pbuf[4096];
static const char *str(const ix *e) {
  ix_print(e, pbuf, sizeof pbuf);
  return pbuf;
}

static void assert_prints(const ix *e, const char *want) {
  assert_non_null(e);
  assert_string_equal(str(e), want);
}

/* Python's floor modulo and division, written differently from index.c
 * (x // 0 == x % 0 == 0; -1 handled apart to stay clear of INT64_MIN / -1). */
static int64_t ref_mod(int64_t a, int64_t b) {
  return b == 0 || b == -1 ? 0 : ((a % b) + b) % b;
}
static int64_t ref_div(int64_t a, int64_t b) {
  if (b == -1) return (int64_t)(0 - (uint64_t)a);
  return b == 0 ? 0 : (a - ref_mod(a, b)) / b;
}

/* A counting allocator that fails once `budget` calls have succeeded. */
typedef struct counting {
  int calls, live, budget;
} counting;

static void *count_alloc(size_t size, void *user) {
  counting *c = user;
  if (c->budget >= 0 && c->calls >= c->budget) return NULL;
  c->calls++;
  c->live++;
  return malloc(size);
}

static void count_free(void *p, void *user) {
  counting *c = user;
  c->live--;
  free(p);
}

/* ---- arena -------------------------------------------------------------- */

static void arena_hands_out_zeroed_aligned_blocks_across_chunks(void **state) {
  (void)state;
  ir_arena a;
  ir_arena_init(&a, NULL);
  assert_ptr_equal(a.al, &ir_default_allocator);
  unsigned char *prev = NULL;
  for (int i = 0; i < 5000; i++) {
    size_t n = (size_t)(i % 37) + 1;
    unsigned char *p = ir_arena_alloc(&a, n);
    assert_non_null(p);
    assert_int_equal((uintptr_t)p % 16, 0);
    for (size_t j = 0; j < n; j++) assert_int_equal(p[j], 0);
    memset(p, 0xAB, n);
    assert_true(p != prev);
    prev = p;
  }
  assert_true(a.total > 64 * 1024);
  assert_int_equal(a.oom, 0);
  ir_arena_reset(&a);
  assert_null(a.head);
  assert_non_null(ir_arena_alloc(&a, 8)); /* usable again */
  ir_arena_reset(&a);
}

static void arena_gives_big_requests_their_own_chunk(void **state) {
  (void)state;
  counting c = {0, 0, -1};
  tc_allocator al = {count_alloc, count_free, &c};
  ir_arena a;
  ir_arena_init(&a, &al);
  char *small = ir_arena_alloc(&a, 100);
  assert_non_null(small);
  size_t used = a.used;
  char *big = ir_arena_alloc(&a, 1 << 20);
  assert_non_null(big);
  assert_int_equal((uintptr_t)big % 16, 0);
  for (int i = 0; i < (1 << 20); i += 4096) assert_int_equal(big[i], 0);
  assert_int_equal(c.calls, 2);
  /* the head chunk keeps serving small requests */
  assert_int_equal(a.used, used);
  assert_non_null(ir_arena_alloc(&a, 100));
  assert_int_equal(c.calls, 2);
  ir_arena_reset(&a);
  assert_int_equal(c.live, 0);
}

static void arena_reports_oom_and_builders_pass_null_on(void **state) {
  (void)state;
  counting c = {0, 0, 0};
  tc_allocator al = {count_alloc, count_free, &c};
  ir_arena a;
  ir_arena_init(&a, &al);
  assert_null(ir_arena_alloc(&a, 16));
  assert_int_equal(a.oom, 1);
  assert_null(ix_var(&a, 0, 0, 9));
  assert_null(ix_const(&a, 3));
  assert_null(ix_add(&a, NULL, NULL));
  ir_arena_reset(&a);

  /* One chunk, then failure: building keeps going and ends in NULL. */
  c.budget = 1;
  ir_arena_init(&a, &al);
  const ix *e = ix_var(&a, 0, 0, 1000);
  for (int i = 0; i < 100000 && e; i++)
    e = ix_add(&a, ix_mulc(&a, e, 3), ix_modc(&a, ix_var(&a, i % 3, 0, 9), 4));
  assert_null(e);
  assert_int_equal(a.oom, 1);
  ir_arena_reset(&a);
  assert_int_equal(c.live, 0);
}

/* ---- basic folds -------------------------------------------------------- */

static void folds_constants_and_identities(void **state) {
  (void)state;
  const ix *x = var(0, 0, 9);
  int64_t v;
  assert_true(ix_is_const(add(num(2), num(5)), &v) && v == 7);
  assert_ptr_equal(addc(x, 0), x);
  assert_ptr_equal(mulc(x, 1), x);
  assert_true(ix_is_const(mulc(x, 0), &v) && v == 0);
  assert_ptr_equal(divc(x, 1), x);
  assert_true(ix_is_const(modc(var(1, -50, 50), 1), &v) && v == 0);
  assert_true(ix_is_const(divc(num(-7), 2), &v) && v == -4);
  assert_true(ix_is_const(modc(num(-7), 2), &v) && v == 1);
  assert_true(ix_is_const(modc(num(7), -2), &v) && v == -1);
  /* x // c -> 0 and x % c -> x when 0 <= x < c */
  assert_true(ix_is_const(divc(x, 10), &v) && v == 0);
  assert_ptr_equal(modc(x, 10), x);
  /* a size-1 dimension's variable acts as its only value */
  assert_prints(add(mulc(var(1, 0, 0), 7), x), "v0");
  /* a size-0 dimension's variable (the loop never runs) is still built */
  assert_non_null(var(1, 0, -1));
}

static void divides_and_mods_by_zero_without_crashing(void **state) {
  (void)state;
  const ix *x = var(0, -5, 5), *z = var(1, -2, 2);
  int64_t v, vals[2] = {4, 0};
  assert_true(ix_is_const(divc(x, 0), &v) && v == 0);
  assert_true(ix_is_const(modc(x, 0), &v) && v == 0);
  const ix *d = ix_div(&A, x, z), *m = ix_mod(&A, x, z);
  assert_int_equal(ix_eval(d, vals), 0);
  assert_int_equal(ix_eval(m, vals), 0);
  /* ranges include the 0 of the zero divisor and the extremes x // +-1 */
  assert_true(d->lo == -5 && d->hi == 5);
  assert_true(m->lo == -1 && m->hi == 1);
}

static void keeps_sums_flat_and_canonical(void **state) {
  (void)state;
  const ix *x = var(0, 0, 9), *y = var(1, 0, 9), *z = var(2, 0, 9);
  const ix *a = add(addc(z, 3), add(mulc(y, 2), x));
  const ix *b = add(add(x, num(3)), add(z, add(y, y)));
  assert_prints(a, "v0 + v1*2 + v2 + 3");
  assert_prints(b, "v0 + v1*2 + v2 + 3");
  assert_true(ix_equal(a, b));
  assert_int_equal(ix_size(a), 9);
  /* like terms: x*2 + x*3 -> x*5; x - x -> 0 */
  assert_prints(lin(x, 2, x, 3), "v0*5");
  int64_t v;
  assert_true(ix_is_const(lin(x, 1, x, -1), &v) && v == 0);
  /* constants distribute over sums and merge with coefficients */
  assert_prints(mulc(addc(mulc(x, 3), 1), 4), "v0*12 + 4");
  /* products of non-constants: operands ordered, constants pulled out */
  assert_prints(ix_mul(&A, mulc(y, 2), mulc(x, 3)), "v0*v1*6");
  assert_true(ix_equal(ix_mul(&A, x, y), ix_mul(&A, y, x)));
}

/* ---- reshape folds ------------------------------------------------------ */

static void folds_a_reshape_split_back_into_the_flat_index(void **state) {
  (void)state;
  /* shape (2, 3, 4), flat f in [0, 24) */
  const ix *f = var(0, 0, 23);
  const ix *i = modc(divc(f, 12), 2), *j = modc(divc(f, 4), 3), *k = modc(f, 4);
  assert_ptr_equal(add(lin(i, 12, j, 4), k), f);
  /* any order of the terms */
  assert_prints(add(k, lin(j, 4, i, 12)), "v0");
  /* a flat index over a larger range: the top dim keeps its quotient */
  const ix *g = var(0, 0, 999);
  const ix *gi = divc(g, 12), *gj = modc(divc(g, 4), 3);
  assert_prints(add(lin(gi, 12, gj, 4), modc(g, 4)), "v0");
  /* only the inner two dims: ((g//4)%3)*4 + g%4 -> g % 12 */
  assert_prints(lin(gj, 4, modc(g, 4), 1), "v0 % 12");
  /* scaled by a common stride, plus an offset */
  assert_prints(addc(lin(gi, 36, modc(g, 12), 3), 5), "v0*3 + 5");
}

/* Every ordered factorization of n into factors >= 2 (n itself included). */
enum { MAXSHAPES = 256, MAXDIMS = 6 };
typedef struct shapes {
  int count;
  int ndim[MAXSHAPES];
  int64_t dim[MAXSHAPES][MAXDIMS];
} shapes;

static void factorize(shapes *s, int64_t n, int64_t *cur, int k) {
  if (n == 1) {
    if (k > 0 && s->count < MAXSHAPES) {
      s->ndim[s->count] = k;
      memcpy(s->dim[s->count++], cur, sizeof(int64_t) * (size_t)k);
    }
    return;
  }
  if (k == MAXDIMS) return;
  for (int64_t d = 2; d <= n; d++)
    if (n % d == 0) {
      cur[k] = d;
      factorize(s, n / d, cur, k + 1);
    }
}

/* The address of flat element f of a contiguous tensor of shape `in`, the
 * way a lowering computes it: the sum over dims of ((f // stride) % dim) *
 * stride (`mod_outer`: the outermost dim gets its % too). */
static const ix *split_flatten(const ix *f, int nd, const int64_t *in,
                               bool mod_outer) {
  const ix *addr = num(0);
  int64_t stride = 1;
  for (int d = nd - 1; d >= 0; d--) {
    const ix *u = divc(f, stride);
    if (d > 0 || mod_outer) u = modc(u, in[d]);
    addr = add(addr, mulc(u, stride));
    stride *= in[d];
  }
  return addr;
}

static void folds_every_reshape_between_factorizations_of_a_size(void **st) {
  (void)st;
  static const int64_t sizes[] = {24, 36, 60, 64};
  static shapes sh;
  int pairs = 0;
  for (size_t z = 0; z < sizeof sizes / sizeof sizes[0]; z++) {
    int64_t cur[MAXDIMS], n = sizes[z];
    sh.count = 0;
    factorize(&sh, n, cur, 0);
    for (int o = 0; o < sh.count; o++) {
      /* the output's coordinates, flattened */
      const ix *flat = num(0);
      int64_t stride = 1;
      for (int d = sh.ndim[o] - 1; d >= 0; d--) {
        flat = add(flat, mulc(var(d, 0, sh.dim[o][d] - 1), stride));
        stride *= sh.dim[o][d];
      }
      char want[256];
      ix_print(flat, want, sizeof want);
      for (int i = 0; i < sh.count; i++)
        for (int m = 0; m < 2; m++, pairs++) {
          const ix *addr = split_flatten(flat, sh.ndim[i], sh.dim[i], m);
          if (strcmp(str(addr), want) != 0)
            fail_msg("size %lld, shape %d -> shape %d: %s, want %s",
                     (long long)n, o, i, str(addr), want);
        }
      ir_arena_reset(&A);
    }
    /* a flat index shifted by an offset (a slice of the flat view) */
    for (int i = 0; i < sh.count; i++)
      for (int64_t off = 1; off + 1 < n; off += 5) {
        const ix *f = addc(var(0, 0, n - off - 1), off);
        const ix *addr = split_flatten(f, sh.ndim[i], sh.dim[i], true);
        char want[64];
        snprintf(want, sizeof want, "v0 + %lld", (long long)off);
        if (strcmp(str(addr), want) != 0)
          fail_msg("size %lld, shape %d, offset %lld: %s", (long long)n, i,
                   (long long)off, str(addr));
        ir_arena_reset(&A);
      }
  }
  assert_true(pairs > 1000);
}

static void reads_one_coordinate_out_of_a_flat_sum(void **state) {
  (void)state;
  const ix *i = var(0, 0, 1), *j = var(1, 0, 2), *k = var(2, 0, 3);
  const ix *flat = add(lin(i, 12, j, 4), k);
  assert_ptr_equal(modc(divc(flat, 4), 3), j);
  assert_ptr_equal(divc(flat, 12), i);
  assert_ptr_equal(modc(flat, 4), k);
  assert_prints(modc(flat, 12), "v1*4 + v2");
  /* (i*4 + j) // 4 -> i and (i*4 + j) % 4 -> j with j in [0, 4) */
  const ix *ii = var(0, 0, 99), *jj = var(1, 0, 3);
  const ix *s = lin(ii, 4, jj, 1);
  assert_ptr_equal(divc(s, 4), ii);
  assert_ptr_equal(modc(s, 4), jj);
  /* (x*c + y) // c -> x for any y in [0, c), whatever y is */
  const ix *y = addc(divc(var(2, 0, 20), 7), 1);
  assert_ptr_equal(divc(lin(ii, 5, y, 1), 5), ii);
  /* (i*4 + j) // 12 -> i // 3: j cannot carry into the next multiple */
  assert_prints(divc(s, 12), "v0 // 3");
  assert_prints(modc(s, 12), "v1 + (v0 % 3)*4");
  /* split-then-flatten composed with a transpose-like reorder */
  assert_prints(lin(modc(s, 4), 100, divc(s, 4), 1), "v0 + v1*100");
}

static void moves_multiples_out_of_division_and_modulo(void **state) {
  (void)state;
  const ix *x = var(0, 0, 99), *y = var(1, 0, 99);
  const ix *s = lin(x, 8, y, 1);
  assert_prints(divc(s, 4), "v0*2 + v1 // 4");
  assert_prints(modc(s, 4), "v1 % 4");
  /* the constant is reduced into [0, c) */
  assert_prints(divc(addc(y, 9), 4), "(v1 + 1) // 4 + 2");
  assert_prints(modc(addc(y, 9), 4), "(v1 + 1) % 4");
  /* a common factor cancels */
  const ix *t = lin(x, 6, y, 4);
  assert_prints(divc(t, 8), "(v0*3 + v1*2) // 4");
  assert_prints(modc(t, 8), "((v0*3 + v1*2) % 4)*2");
  assert_prints(modc(addc(t, 1), 8), "((v0*3 + v1*2) % 4)*2 + 1");
}

static void merges_nested_divisions_and_modulos(void **state) {
  (void)state;
  const ix *x = var(0, 0, 10000);
  assert_prints(divc(divc(x, 4), 3), "v0 // 12");
  assert_prints(divc(modc(x, 12), 4), "(v0 // 4) % 3");
  assert_prints(modc(modc(x, 12), 4), "v0 % 4");
  assert_prints(modc(modc(x, 4), 12), "v0 % 4");
  /* k*x - k*(x//c)*c -> k*(x % c) */
  assert_prints(lin(x, 3, divc(x, 6), -18), "(v0 % 6)*3");
}

static void respects_floor_semantics_on_negative_values(void **state) {
  (void)state;
  const ix *x = var(0, -8, 8), *y = var(1, -3, 3);
  /* y may be negative: (x*4 + y) // 4 is not x */
  const ix *s = lin(x, 4, y, 1);
  const ix *d = divc(s, 4), *m = modc(s, 4);
  assert_prints(d, "v0 + v1 // 4");
  assert_prints(m, "v1 % 4");
  for (int64_t a = -8; a <= 8; a++)
    for (int64_t b = -3; b <= 3; b++) {
      int64_t p[2] = {a, b};
      assert_int_equal(ix_eval(d, p), ref_div(4 * a + b, 4));
      assert_int_equal(ix_eval(m, p), ref_mod(4 * a + b, 4));
    }
  int64_t v[2] = {0, -1};
  assert_int_equal(ix_eval(d, v), -1);
  assert_int_equal(ix_eval(m, v), 3);
  /* a negative range inside one period still folds */
  const ix *n = var(2, -8, -5);
  int64_t c;
  assert_true(ix_is_const(divc(n, 4), &c) && c == -2);
  assert_prints(modc(n, 4), "v2 + 8");
  /* negative divisors: only folded when provably constant */
  const ix *q = divc(x, -3);
  assert_prints(q, "v0 // -3");
  assert_true(q->lo == -3 && q->hi == 2);
  assert_prints(divc(x, -1), "v0*-1");
  /* the reshape fold holds for negative flat indices too */
  assert_ptr_equal(lin(divc(x, 3), 3, modc(x, 3), 1), x);
}

/* ---- ranges -------------------------------------------------------------- */

static void assert_range(const ix *e, int64_t lo, int64_t hi) {
  assert_non_null(e);
  if (e->lo != lo || e->hi != hi)
    fail_msg("%s: [%lld, %lld], want [%lld, %lld]", str(e), (long long)e->lo,
             (long long)e->hi, (long long)lo, (long long)hi);
}

static void computes_ranges_from_the_operands(void **state) {
  (void)state;
  const ix *x = var(0, -3, 5), *y = var(1, 2, 4), *w = var(2, 0, 1);
  assert_range(add(x, y), -1, 9);
  assert_range(ix_mul(&A, x, y), -12, 20);
  assert_range(mulc(x, -2), -10, 6);
  assert_range(divc(x, 2), -2, 2);
  assert_range(modc(x, 4), 0, 3);
  assert_range(modc(var(2, 0, 100), -7), -6, 0);
  assert_range(ix_div(&A, x, y), -2, 2);
  assert_range(ix_mod(&A, x, y), 0, 3);
  assert_ptr_equal(ix_mod(&A, w, y), w); /* 0 <= w < y: unchanged */
  assert_range(ix_min(&A, x, y), -3, 4);
  assert_range(ix_max(&A, x, y), 2, 5);
  assert_range(ix_lt(&A, x, y), 0, 1);
  assert_range(ix_and(&A, x, y), 0, 1);
  /* decided by ranges */
  int64_t v;
  assert_true(ix_is_const(ix_lt(&A, y, num(5)), &v) && v == 1);
  assert_true(ix_is_const(ix_lt(&A, y, num(2)), &v) && v == 0);
  assert_true(ix_is_const(ix_and(&A, y, num(-1)), &v) && v == 1);
  assert_ptr_equal(ix_min(&A, y, num(9)), y);
  assert_ptr_equal(ix_max(&A, y, num(1)), y);
  const ix *lt = ix_lt(&A, x, y);
  assert_ptr_equal(ix_and(&A, num(3), lt), lt);
}

static void widens_ranges_instead_of_overflowing(void **state) {
  (void)state;
  const ix *big = var(0, 0, INT64_MAX / 2 + 10);
  assert_range(add(big, big), INT64_MIN, INT64_MAX);
  assert_range(mulc(var(1, -5, 5), INT64_MAX), INT64_MIN, INT64_MAX);
  const ix *all = var(2, INT64_MIN, INT64_MAX), *pm1 = var(3, -1, 1);
  assert_range(divc(all, -1), INT64_MIN, INT64_MAX);
  assert_range(ix_div(&A, all, pm1), INT64_MIN, INT64_MAX);
  assert_range(modc(all, 7), 0, 6);
  assert_range(divc(all, 7), INT64_MIN / 7 - 1, INT64_MAX / 7);
  /* evaluation wraps instead of trapping */
  int64_t vals[4] = {0, 0, INT64_MIN, -1};
  assert_int_equal(ix_eval(ix_div(&A, all, pm1), vals), INT64_MIN);
  assert_int_equal(ix_eval(ix_mod(&A, all, pm1), vals), 0);
  assert_int_equal(ix_eval(addc(all, -1), vals), INT64_MAX);
}

/* ---- printing, substitution, queries ------------------------------------ */

static void prints_a_canonical_text(void **state) {
  (void)state;
  const ix *x = var(0, 0, 99), *y = var(1, 0, 99), *s = lin(x, 4, y, 1);
  assert_prints(divc(s, 3), "(v0*4 + v1) // 3");
  assert_prints(addc(mulc(x, -1), -2), "v0*-1 - 2");
  assert_prints(lin(y, 1, x, -3), "v0*-3 + v1");
  assert_prints(lin(x, 1, y, -1), "v0 - v1");
  assert_prints(lin(x, 1, divc(y, 7), -2), "v0 - (v1 // 7)*2");
  assert_prints(mulc(modc(divc(x, 5), 3), 2), "((v0 // 5) % 3)*2");
  assert_prints(ix_mul(&A, s, y), "v1*(v0*4 + v1)");
  assert_prints(ix_min(&A, num(7), s), "min(v0*4 + v1, 7)");
  assert_prints(ix_max(&A, y, x), "max(v0, v1)");
  const ix *a = ix_lt(&A, x, y), *b = ix_lt(&A, y, num(50));
  assert_prints(ix_and(&A, b, a), "v0 < v1 && v1 < 50");
  assert_prints(ix_lt(&A, a, b), "(v0 < v1) < (v1 < 50)");
  assert_prints(add(a, x), "v0 + (v0 < v1)");
  assert_prints(num(-42), "-42");
}

static void print_truncates_and_reports_the_full_length(void **state) {
  (void)state;
  const ix *e = divc(lin(var(0, 0, 9), 4, var(1, 0, 9), 1), 3);
  char b[8];
  memset(b, 'x', sizeof b);
  assert_int_equal(ix_print(e, b, sizeof b), strlen("(v0*4 + v1) // 3"));
  assert_string_equal(b, "(v0*4 +");
  assert_int_equal(ix_print(e, NULL, 0), 16);
  b[0] = 'x';
  assert_int_equal(ix_print(e, b, 1), 16);
  assert_int_equal(b[0], '\0');
}

static void substitutes_and_resimplifies(void **state) {
  (void)state;
  /* The inner dims of a (2,3,4) split, then the flat index written in the
   * (2,3,4) coordinates: substitution closes the loop. */
  const ix *f = var(0, 0, 23);
  const ix *e = lin(modc(divc(f, 4), 3), 4, modc(f, 4), 1);
  assert_prints(e, "v0 % 12");
  const ix *i = var(1, 0, 1), *j = var(2, 0, 2), *k = var(3, 0, 3);
  const ix *flat = add(lin(i, 12, j, 4), k);
  const ix *vals[1] = {flat};
  assert_prints(ix_subst(&A, e, vals, 1), "v2*4 + v3");
  /* NULL keeps the variable; untouched trees come back as they are */
  const ix *keep[4] = {NULL, NULL, NULL, NULL};
  assert_ptr_equal(ix_subst(&A, e, keep, 4), e);
  const ix *c17[1] = {num(17)};
  int64_t v;
  assert_true(ix_is_const(ix_subst(&A, e, c17, 1), &v) && v == 5);
  assert_true(ix_uses_var(flat, 3));
  assert_false(ix_uses_var(flat, 0));
}

static void decomposes_affine_expressions(void **state) {
  (void)state;
  const ix *x = var(0, 0, 9), *y = var(1, 0, 9);
  int64_t coef[3], c;
  const ix *e = addc(lin(x, 5, y, -2), 7);
  assert_true(ix_affine(e, 3, coef, &c));
  assert_true(coef[0] == 5 && coef[1] == -2 && coef[2] == 0 && c == 7);
  assert_true(ix_affine(num(4), 3, coef, &c));
  assert_true(coef[0] == 0 && c == 4);
  assert_false(ix_affine(divc(e, 2), 3, coef, &c));
  assert_false(ix_affine(ix_mul(&A, x, y), 3, coef, &c));
  assert_false(ix_affine(var(5, 0, 9), 3, coef, &c));
}

/* ---- differential fuzzer ------------------------------------------------ */

enum { P_CONST, P_VAR, P_ADD, P_MUL, P_DIV, P_MOD, P_MIN, P_MAX, P_LT, P_AND };
enum { MAXP = 2048, LIM = 1 << 30 };

typedef struct pn {
  int op, var, a, b;
  int64_t c;
} pn;

typedef struct fz {
  pn n[MAXP];
  int count;
  uint64_t rng;
  int nvars;
  int64_t lo[3], hi[3];
} fz;

static uint64_t rnd(fz *f) {
  f->rng ^= f->rng << 13;
  f->rng ^= f->rng >> 7;
  f->rng ^= f->rng << 17;
  return f->rng;
}

static int64_t rint_(fz *f, int64_t lo, int64_t hi) {
  return lo + (int64_t)(rnd(f) % (uint64_t)(hi - lo + 1));
}

static int pnew(fz *f, int op, int64_t c, int a, int b) {
  if (f->count == MAXP) fail_msg("plain pool exhausted");
  pn *p = &f->n[f->count];
  p->op = op, p->c = c, p->var = (int)c, p->a = a, p->b = b;
  return f->count++;
}
static int pc(fz *f, int64_t c) { return pnew(f, P_CONST, c, -1, -1); }
static int pb(fz *f, int op, int a, int b) { return pnew(f, op, 0, a, b); }

static int leaf(fz *f) {
  if (rint_(f, 0, 9) < 8)
    return pnew(f, P_VAR, rint_(f, 0, f->nvars - 1), -1, -1);
  return pc(f, rint_(f, -4, 9));
}

/* A small constant, rarely 0 or 1 (which fold away), sometimes negative. */
static int64_t factor(fz *f) {
  int64_t k = rint_(f, -4, 8);
  return (k == 0 || k == 1) && rint_(f, 0, 7) ? k + 2 : k;
}

static int gen(fz *f, int depth) {
  if (depth <= 0 || (depth < 5 && rint_(f, 0, 9) < 2)) return leaf(f);
  int r = (int)rint_(f, 0, 99), d = depth - 1;
  int64_t c = rint_(f, 2, 5), a = rint_(f, 2, 4), k = rint_(f, -2, 3);
  k = k == 0 ? 1 : k;
  /* (one call per statement: the random stream must not depend on the
   * compiler's argument evaluation order) */
  int x = gen(f, d), y;
  if (r < 36 && rint_(f, 0, 3)) return pb(f, P_MUL, x, pc(f, factor(f)));
  if (r < 58 && r >= 36 && rint_(f, 0, 4))
    return pb(f, r < 47 ? P_DIV : P_MOD, x, pc(f, factor(f)));
  if (r < 73) {
    static const int ops[] = {P_ADD, P_MUL, P_DIV, P_MOD, P_MIN, P_MAX,
                              P_LT,  P_AND};
    static const int upto[] = {22, 36, 47, 58, 62, 66, 70, 73};
    int o = 0;
    while (r >= upto[o]) o++;
    y = gen(f, ops[o] == P_ADD || ops[o] >= P_MIN ? d : d - 1);
    return pb(f, ops[o], x, y);
  }
  /* reshape-shaped patterns over a shared sub-tree x */
  int cn = pc(f, c), kn = pc(f, k);
  int q = pb(f, P_DIV, x, cn), m = pb(f, P_MOD, x, cn);
  switch (rint_(f, 0, 4)) {
  case 0: /* k*((x//c)*c + x%c) */
    return pb(f, P_MUL, pb(f, P_ADD, pb(f, P_MUL, q, cn), m), kn);
  case 1: { /* ((x//c)%a)*c*k + (x%c)*k */
    int hi = pb(f, P_MUL, pb(f, P_MUL, pb(f, P_MOD, q, pc(f, a)), cn), kn);
    return pb(f, P_ADD, hi, pb(f, P_MUL, m, kn));
  }
  case 2: /* x*k - (x//c)*(c*k) */
    return pb(f, P_ADD, pb(f, P_MUL, x, kn), pb(f, P_MUL, q, pc(f, -c * k)));
  default: { /* (x*c + y) // c or % c */
    y = gen(f, d);
    int s = pb(f, P_ADD, pb(f, P_MUL, x, cn), y);
    return pb(f, r % 2 ? P_DIV : P_MOD, s, cn);
  }
  }
}

static int64_t peval(const fz *f, int i, const int64_t *v, int *ovf) {
  const pn *p = &f->n[i];
  if (p->op == P_CONST) return p->c;
  if (p->op == P_VAR) return v[p->var];
  int64_t a = peval(f, p->a, v, ovf), b = peval(f, p->b, v, ovf), r = 0;
  if (a > LIM || a < -LIM || b > LIM || b < -LIM) {
    *ovf = 1;
    return 0;
  }
  switch (p->op) {
  case P_ADD: r = a + b; break;
  case P_MUL: r = a * b; break;
  case P_DIV: r = ref_div(a, b); break;
  case P_MOD: r = ref_mod(a, b); break;
  case P_MIN: r = a < b ? a : b; break;
  case P_MAX: r = a > b ? a : b; break;
  case P_LT: r = a < b; break;
  case P_AND: r = a && b; break;
  }
  return r;
}

static const ix *pbuild(const fz *f, int i, const ix **memo) {
  if (memo[i]) return memo[i];
  const pn *p = &f->n[i];
  const ix *e = NULL;
  if (p->op == P_CONST) e = num(p->c);
  else if (p->op == P_VAR) e = var(p->var, f->lo[p->var], f->hi[p->var]);
  else {
    const ix *a = pbuild(f, p->a, memo), *b = pbuild(f, p->b, memo);
    switch (p->op) {
    case P_ADD: e = add(a, b); break;
    case P_MUL: e = ix_mul(&A, a, b); break;
    case P_DIV: e = ix_div(&A, a, b); break;
    case P_MOD: e = ix_mod(&A, a, b); break;
    case P_MIN: e = ix_min(&A, a, b); break;
    case P_MAX: e = ix_max(&A, a, b); break;
    case P_LT: e = ix_lt(&A, a, b); break;
    case P_AND: e = ix_and(&A, a, b); break;
    }
  }
  assert_non_null(e);
  return memo[i] = e;
}

static int psize(const fz *f, int i) {
  const pn *p = &f->n[i];
  return p->op <= P_VAR ? 1 : 1 + psize(f, p->a) + psize(f, p->b);
}

static void pprint(const fz *f, int i) {
  static const char *sym[] = {"",    "",    "+",   "*", "//",
                              "%",   "min", "max", "<", "&&"};
  const pn *p = &f->n[i];
  if (p->op == P_CONST) printf("%lld", (long long)p->c);
  else if (p->op == P_VAR) printf("v%d", p->var);
  else {
    printf("(");
    pprint(f, p->a);
    printf(" %s ", sym[p->op]);
    pprint(f, p->b);
    printf(")");
  }
}

/* Evaluates e node by node (wrapping, floor semantics), checking ranges. */
static int64_t checked_eval(const ix *e, const int64_t *v, const ix **bad) {
  int64_t r = 0;
  if (e->op == IX_CONST) r = e->c;
  else if (e->op == IX_VAR) r = v[e->var];
  else {
    int64_t a = checked_eval(e->a, v, bad), b = checked_eval(e->b, v, bad);
    switch (e->op) {
    case IX_ADD: r = (int64_t)((uint64_t)a + (uint64_t)b); break;
    case IX_MUL: r = (int64_t)((uint64_t)a * (uint64_t)b); break;
    case IX_DIV: r = ref_div(a, b); break;
    case IX_MOD: r = ref_mod(a, b); break;
    case IX_MIN: r = a < b ? a : b; break;
    case IX_MAX: r = a > b ? a : b; break;
    case IX_LT: r = a < b; break;
    case IX_AND: r = a && b; break;
    default: break;
    }
  }
  if ((r < e->lo || r > e->hi) && !*bad) *bad = e;
  return r;
}

static void report(const fz *f, int root, const ix *e, const int64_t *v) {
  printf("plain:      ");
  pprint(f, root);
  printf("\nsimplified: %s\nvars:", str(e));
  for (int i = 0; i < f->nvars; i++)
    printf(" v%d=%lld in [%lld, %lld]", i, (long long)v[i], (long long)f->lo[i],
           (long long)f->hi[i]);
  printf("\n");
}

static void random_trees_evaluate_like_their_unsimplified_form(void **state) {
  (void)state;
  static fz f;
  static const ix *memo[MAXP];
  f.rng = 0x9E3779B97F4A7C15ull;
  long trees = 0, skipped = 0, points = 0, smaller = 0, plain_nodes = 0,
       simple_nodes = 0, folded_to_leaf = 0;
  for (int t = 0; t < 20000; t++) {
    ir_arena_reset(&A);
    f.count = 0;
    f.nvars = (int)rint_(&f, 2, 3);
    for (int v = 0; v < f.nvars; v++) {
      f.lo[v] = rint_(&f, 0, 9) < 7 ? 0 : rint_(&f, -6, 3);
      f.hi[v] = f.lo[v] + (rint_(&f, 0, 3) ? rint_(&f, 1, 9) : rint_(&f, 0, 2));
    }
    int root = gen(&f, 5);
    memset(memo, 0, sizeof(memo[0]) * (size_t)f.count);
    const ix *e = pbuild(&f, root, memo);
    int64_t v[3], at[3];
    for (int i = 0; i < f.nvars; i++) v[i] = f.lo[i];
    int pick = (int)rint_(&f, 0, 999), seen = 0, ovf = 0;
    int64_t want_at = 0;
    for (;;) {
      int64_t want = peval(&f, root, v, &ovf);
      if (ovf) break;
      int64_t got = ix_eval(e, v);
      const ix *bad = NULL;
      int64_t chk = checked_eval(e, v, &bad);
      if (got != want || chk != want || bad) {
        report(&f, root, e, v);
        if (bad) printf("out of range: %s in [%lld, %lld]\n", str(bad),
                        (long long)bad->lo, (long long)bad->hi);
        fail_msg("tree %d: got %lld, want %lld", t, (long long)got,
                 (long long)want);
      }
      if (seen++ == 0 || pick-- == 0) {
        memcpy(at, v, sizeof v);
        want_at = want;
      }
      points++;
      int i = 0;
      while (i < f.nvars && ++v[i] > f.hi[i]) v[i] = f.lo[i], i++;
      if (i == f.nvars) break;
    }
    if (ovf) {
      skipped++;
      continue;
    }
    trees++;
    /* constants substituted everywhere fold to the value */
    const ix *cs[3], *vs[3];
    for (int i = 0; i < f.nvars; i++) {
      cs[i] = num(at[i]);
      vs[i] = var(i, f.lo[i], f.hi[i]);
    }
    int64_t c;
    const ix *s = ix_subst(&A, e, cs, f.nvars);
    if (!ix_is_const(s, &c) || c != want_at) {
      report(&f, root, e, at);
      fail_msg("tree %d: substituting constants gave %s", t, str(s));
    }
    /* rebuilding the simplified tree is a fixed point */
    char before[sizeof pbuf];
    strcpy(before, str(e));
    const ix *r = ix_subst(&A, e, vs, f.nvars);
    if (strcmp(before, str(r)) != 0 || !ix_equal(r, e)) {
      report(&f, root, e, at);
      fail_msg("tree %d: rebuilt as %s", t, str(r));
    }
    int ps = psize(&f, root), es = ix_size(e);
    plain_nodes += ps, simple_nodes += es;
    smaller += es < ps;
    folded_to_leaf += ps > 1 && es == 1;
  }
  printf("fuzz: %ld trees (%ld skipped for overflow), %ld points; %ld trees "
         "simplified (%ld to a single leaf); nodes %ld -> %ld\n",
         trees, skipped, points, smaller, folded_to_leaf, plain_nodes,
         simple_nodes);
  assert_true(trees > 15000);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(arena_hands_out_zeroed_aligned_blocks_across_chunks),
      cmocka_unit_test(arena_gives_big_requests_their_own_chunk),
      cmocka_unit_test(arena_reports_oom_and_builders_pass_null_on),
      cmocka_unit_test(folds_constants_and_identities),
      cmocka_unit_test(divides_and_mods_by_zero_without_crashing),
      cmocka_unit_test(keeps_sums_flat_and_canonical),
      cmocka_unit_test(folds_a_reshape_split_back_into_the_flat_index),
      cmocka_unit_test(folds_every_reshape_between_factorizations_of_a_size),
      cmocka_unit_test(reads_one_coordinate_out_of_a_flat_sum),
      cmocka_unit_test(moves_multiples_out_of_division_and_modulo),
      cmocka_unit_test(merges_nested_divisions_and_modulos),
      cmocka_unit_test(respects_floor_semantics_on_negative_values),
      cmocka_unit_test(computes_ranges_from_the_operands),
      cmocka_unit_test(widens_ranges_instead_of_overflowing),
      cmocka_unit_test(prints_a_canonical_text),
      cmocka_unit_test(print_truncates_and_reports_the_full_length),
      cmocka_unit_test(substitutes_and_resimplifies),
      cmocka_unit_test(decomposes_affine_expressions),
      cmocka_unit_test(random_trees_evaluate_like_their_unsimplified_form),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
