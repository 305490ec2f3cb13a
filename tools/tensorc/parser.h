/*
 * parser.h — internals shared by the parser's files: parser.c (arena,
 * tokens, statements) and parse_expr.c (expressions, f-strings). The parser
 * is recursive descent over the token array, one function per grammar rule
 * of Python's grammar (simplified), stopping at the first error.
 */
#ifndef TCLI_PARSER_H
#define TCLI_PARSER_H

#include "ast.h"

#define PARSE_MAX_NESTING 220 /* recursion guard for nested expressions */

typedef struct parser {
  token *t;
  int n, pos;
  ast_arena *A;
  syntax_error *err;
  bool failed;
  int depth;      /* expression recursion depth */
  int loop_depth; /* enclosing loops (for break/continue) */
  int func_depth; /* enclosing defs (for return) */
  int fdepth;     /* f-string nesting */
} parser;

void *p_alloc(parser *P, size_t n); /* zeroed arena memory, NULL on OOM */
char *p_strndup(parser *P, const char *s, size_t n);
/* Appends `x` to an arena-grown pointer array. */
bool p_push(parser *P, void *arr_ptr, int *n, int *cap, void *x);

static inline token *p_peek(parser *P) { return &P->t[P->pos]; }
static inline token *p_peek_at(parser *P, int k) {
  return P->pos + k < P->n ? &P->t[P->pos + k] : &P->t[P->n - 1];
}
static inline token *p_next(parser *P) {
  token *t = &P->t[P->pos];
  if (t->kind != T_EOF) P->pos++;
  return t;
}
static inline bool p_is_op(parser *P, op_kind op) {
  return p_peek(P)->kind == T_OP && p_peek(P)->op == op;
}
static inline bool p_is_kw(parser *P, kw_kind kw) {
  return p_peek(P)->kind == T_NAME && p_peek(P)->kw == kw;
}
bool p_accept_op(parser *P, op_kind op);
bool p_accept_kw(parser *P, kw_kind kw);
/* Records the first error (at token `t`) and returns NULL. */
void *p_error(parser *P, const token *t, const char *fmt, ...);
void *p_error_span(parser *P, span sp, const char *type, const char *fmt, ...);

span p_tok_span(const token *t);
span p_join(span a, span b);
expr *p_new_expr(parser *P, expr_kind k, span sp);
/* Sets e->depth from its children; fails when the tree is too deep. */
bool p_finish(parser *P, expr *e);

expr *parse_test(parser *P);
expr *parse_or_test(parser *P);
expr *parse_bitor(parser *P);
/* test (',' test)* [','] — a tuple when there is a comma. `star` allows
 * starred items. */
expr *parse_testlist(parser *P, bool star);
/* Assignment targets of `for` and comprehensions (no comparisons). */
expr *parse_target_list(parser *P);
params parse_params(parser *P, op_kind close);
/* One or more adjacent string literals (parse_fstring.c). */
expr *parse_strings(parser *P);

#endif
