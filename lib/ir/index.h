/*
 * index.h — integer index expressions, the language of every load and store
 * address in tensorc.
 *
 * An expression is a tree over the kernel's loop variables: constants,
 * variables, add, mul, floor division and floor modulo (by any expression,
 * though the simplifier only reasons about positive constants), min, max,
 * less-than and logical and. Every node carries an inclusive value range
 * [lo, hi] computed when it is built; the builders are smart constructors
 * that simplify as they build, using those ranges:
 *   constant folding, x+0, x*1, x*0, x//1, x%1;
 *   sums are kept flat and canonical: constants folded, like terms combined
 *     (x*2 + x*3 -> x*5), terms in a deterministic order;
 *   (x*c + y) // c -> x + y//c and (x*c + y) % c -> y % c (c > 0 constant);
 *   x // c -> 0 and x % c -> x when 0 <= x < c;
 *   (x // a) // b -> x // (a*b); (x % (a*b)) // b -> (x // b) % a;
 *   (x % (a*c)) % c -> x % c;
 *   (x // c) * c + x % c -> x, and ((x // c) % a) * c + x % c -> x % (a*c),
 *     which is what folds a reshape's flatten-then-split back together.
 * Two structurally equal expressions print identically (ix_print), which is
 * what kernel cache keys rely on.
 *
 * Memory: nodes live in an ir_arena; builders return NULL when an argument is
 * NULL or the arena is out of memory.
 */
#ifndef TC_IR_INDEX_H
#define TC_IR_INDEX_H
#include <stdbool.h>
#include <stdint.h>
#include "arena.h"

typedef enum ix_op {
  IX_CONST, /* c */
  IX_VAR,   /* variable number `var` */
  IX_ADD,   /* a + b */
  IX_MUL,   /* a * b */
  IX_DIV,   /* floor(a / b) */
  IX_MOD,   /* a - floor(a / b) * b */
  IX_MIN,   /* min(a, b) */
  IX_MAX,   /* max(a, b) */
  IX_LT,    /* a < b ? 1 : 0 */
  IX_AND    /* (a != 0 && b != 0) ? 1 : 0 */
} ix_op;

typedef struct ix {
  ix_op op;
  int var;          /* IX_VAR: variable number */
  int64_t c;        /* IX_CONST: value */
  const struct ix *a, *b;
  int64_t lo, hi;   /* every value this node can take lies in [lo, hi] */
} ix;

const ix *ix_const(ir_arena *A, int64_t c);
/* Variable `var` ranging over [lo, hi]. */
const ix *ix_var(ir_arena *A, int var, int64_t lo, int64_t hi);
const ix *ix_add(ir_arena *A, const ix *a, const ix *b);
const ix *ix_mul(ir_arena *A, const ix *a, const ix *b);
const ix *ix_div(ir_arena *A, const ix *a, const ix *b);
const ix *ix_mod(ir_arena *A, const ix *a, const ix *b);
const ix *ix_min(ir_arena *A, const ix *a, const ix *b);
const ix *ix_max(ir_arena *A, const ix *a, const ix *b);
const ix *ix_lt(ir_arena *A, const ix *a, const ix *b);
const ix *ix_and(ir_arena *A, const ix *a, const ix *b);
/* Convenience: a + c, a * c, a // c, a % c with a constant c. */
const ix *ix_addc(ir_arena *A, const ix *a, int64_t c);
const ix *ix_mulc(ir_arena *A, const ix *a, int64_t c);
const ix *ix_divc(ir_arena *A, const ix *a, int64_t c);
const ix *ix_modc(ir_arena *A, const ix *a, int64_t c);

/* Replaces variable v by vals[v] (vals[v] NULL: keep), re-simplifying. */
const ix *ix_subst(ir_arena *A, const ix *e, const ix *const *vals, int nvars);

/* Value at the given variable values (vars[v] is variable v). */
int64_t ix_eval(const ix *e, const int64_t *vars);
bool ix_is_const(const ix *e, int64_t *value);
bool ix_uses_var(const ix *e, int var);
bool ix_equal(const ix *a, const ix *b);
/* If e is affine in the variables (sum of var*const + const, no div/mod/min/
 * max/lt/and), writes the coefficient of each of the nvars variables and the
 * constant and returns true. */
bool ix_affine(const ix *e, int nvars, int64_t *coef, int64_t *constant);
/* Appends a canonical text form ("(v0*4 + v1) // 3") to buf (size cap,
 * always NUL-terminated); returns the length the full text needs. Variables
 * print as v0, v1, ... */
size_t ix_print(const ix *e, char *buf, size_t cap);
/* Number of nodes, for tests and cost estimates. */
int ix_size(const ix *e);

#endif
