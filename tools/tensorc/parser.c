/*
 * parser.c — statements, blocks and the parser's plumbing (arena, token
 * helpers, errors). A program is a linked list of statements; compound
 * statements own nested lists. Errors follow CPython 3.11's wording where
 * the same input fails there ("expected ':'", "expected an indented block
 * after 'if' statement on line 3", "cannot assign to function call here.
 * Maybe you meant '==' instead of '='?").
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parser.h"

/* ---- arena --------------------------------------------------------------- */

typedef struct block {
  struct block *next;
  size_t used, cap;
  _Alignas(16) unsigned char data[];
} block;

struct ast_arena {
  block *head;
};

void *p_alloc(parser *P, size_t n) {
  n = (n + 15) & ~(size_t)15;
  block *b = P->A->head;
  if (!b || b->cap - b->used < n) {
    size_t cap = n > 16384 ? n : 16384;
    b = malloc(sizeof(block) + cap);
    if (!b) {
      p_error(P, p_peek(P), "out of memory");
      return NULL;
    }
    b->cap = cap;
    b->used = 0;
    b->next = P->A->head;
    P->A->head = b;
  }
  void *p = b->data + b->used;
  b->used += n;
  memset(p, 0, n);
  return p;
}

char *p_strndup(parser *P, const char *s, size_t n) {
  char *d = p_alloc(P, n + 1);
  if (!d) return NULL;
  memcpy(d, s, n);
  d[n] = 0;
  return d;
}

bool p_push(parser *P, void *arr_ptr, int *n, int *cap, void *x) {
  void ***arr = arr_ptr;
  if (*n == *cap) {
    int nc = *cap ? *cap * 2 : 4;
    void **a = p_alloc(P, sizeof(void *) * (size_t)nc);
    if (!a) return false;
    if (*n) memcpy(a, *arr, sizeof(void *) * (size_t)*n);
    *arr = a;
    *cap = nc;
  }
  (*arr)[(*n)++] = x;
  return true;
}

void program_free(program *p) {
  if (!p || !p->arena) return;
  for (block *b = p->arena->head, *nb; b; b = nb) {
    nb = b->next;
    free(b);
  }
  free(p->arena);
  p->arena = NULL;
  p->body = NULL;
}

/* ---- tokens and errors --------------------------------------------------- */

bool p_accept_op(parser *P, op_kind op) {
  if (!p_is_op(P, op)) return false;
  p_next(P);
  return true;
}

bool p_accept_kw(parser *P, kw_kind kw) {
  if (!p_is_kw(P, kw)) return false;
  p_next(P);
  return true;
}

static void *verror(parser *P, span sp, const char *type, const char *fmt, va_list ap) {
  if (P->failed) return NULL;
  P->failed = true;
  P->err->type = type;
  P->err->line = sp.line;
  P->err->col = sp.col;
  P->err->end_col = sp.end_line == sp.line ? sp.end_col : 0;
  vsnprintf(P->err->msg, sizeof P->err->msg, fmt, ap);
  return NULL;
}

void *p_error(parser *P, const token *t, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  span sp = p_tok_span(t);
  sp.end_col = 0; /* one caret at the token */
  const char *type = t->kind == T_INDENT ? "IndentationError" : "SyntaxError";
  if (t->kind == T_INDENT && !strcmp(fmt, "invalid syntax")) fmt = "unexpected indent";
  verror(P, sp, type, fmt, ap);
  va_end(ap);
  return NULL;
}

void *p_error_span(parser *P, span sp, const char *type, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  verror(P, sp, type, fmt, ap);
  va_end(ap);
  return NULL;
}

span p_tok_span(const token *t) { return (span){t->line, t->col, t->end_line, t->end_col}; }

span p_join(span a, span b) {
  span s = a;
  if (b.end_line > s.end_line || (b.end_line == s.end_line && b.end_col > s.end_col)) {
    s.end_line = b.end_line;
    s.end_col = b.end_col;
  }
  return s;
}

expr *p_new_expr(parser *P, expr_kind k, span sp) {
  expr *e = p_alloc(P, sizeof *e);
  if (!e) return NULL;
  e->kind = k;
  e->sp = sp;
  e->depth = 1;
  return e;
}

static int dmax(int a, expr *e) { return e && e->depth > a ? e->depth : a; }

bool p_finish(parser *P, expr *e) {
  int d = 0;
  switch (e->kind) {
  case E_TUPLE: case E_LIST:
    for (int i = 0; i < e->seq.n; i++) d = dmax(d, e->seq.items[i]);
    break;
  case E_UNARY: case E_NOT: case E_STARRED: d = dmax(d, e->unary.operand); break;
  case E_BINARY: d = dmax(dmax(d, e->bin.l), e->bin.r); break;
  case E_BOOLOP:
    for (int i = 0; i < e->boolop.n; i++) d = dmax(d, e->boolop.items[i]);
    break;
  case E_COMPARE:
    d = dmax(d, e->cmp.first);
    for (int i = 0; i < e->cmp.n; i++) d = dmax(d, e->cmp.rest[i]);
    break;
  case E_CALL:
    d = dmax(d, e->call.fn);
    for (int i = 0; i < e->call.nargs; i++) d = dmax(d, e->call.args[i]);
    for (int i = 0; i < e->call.nkws; i++) d = dmax(d, e->call.kws[i].value);
    break;
  case E_ATTR: d = dmax(d, e->attr.obj); break;
  case E_SUBSCRIPT: d = dmax(dmax(d, e->sub.obj), e->sub.index); break;
  case E_SLICE: d = dmax(dmax(dmax(d, e->slice.lo), e->slice.hi), e->slice.step); break;
  case E_IFEXP: d = dmax(dmax(dmax(d, e->ifexp.cond), e->ifexp.then), e->ifexp.orelse); break;
  case E_FSTRING:
    for (int i = 0; i < e->fstr.n; i++) d = dmax(dmax(d, e->fstr.parts[i].value), e->fstr.parts[i].spec);
    break;
  case E_LISTCOMP:
    d = dmax(d, e->comp.elt);
    for (int i = 0; i < e->comp.nfors; i++) {
      d = dmax(dmax(d, e->comp.fors[i].target), e->comp.fors[i].iter);
      for (int k = 0; k < e->comp.fors[i].nconds; k++) d = dmax(d, e->comp.fors[i].conds[k]);
    }
    break;
  case E_LAMBDA:
    d = dmax(d, e->lambda.body);
    for (int i = 0; i < e->lambda.p.n; i++) d = dmax(d, e->lambda.p.defaults[i]);
    break;
  default: break;
  }
  e->depth = d + 1;
  if (e->depth > AST_MAX_DEPTH) {
    p_error_span(P, e->sp, "SyntaxError", "expression too complex (more than %d levels)", AST_MAX_DEPTH);
    return false;
  }
  return true;
}

/* ---- statements ---------------------------------------------------------- */

static stmt *parse_stmt(parser *P, stmt **tail);

static stmt *new_stmt(parser *P, stmt_kind k, span sp) {
  stmt *s = p_alloc(P, sizeof *s);
  if (s) {
    s->kind = k;
    s->sp = sp;
  }
  return s;
}

static const char *target_kind(expr *e) {
  switch (e->kind) {
  case E_CALL: return "function call";
  case E_INT: case E_FLOAT: case E_STR: case E_FSTRING: case E_ELLIPSIS: return "literal";
  case E_NONE: return "None";
  case E_BOOL: return e->bval ? "True" : "False";
  case E_COMPARE: return "comparison";
  case E_LISTCOMP: return "list comprehension";
  case E_IFEXP: return "conditional expression";
  case E_LAMBDA: return "lambda";
  default: return "expression";
  }
}

/* Checks that `e` can be assigned to; `how` 0: '=', 1: augmented, 2: for/del. */
static bool check_target(parser *P, expr *e, int how) {
  switch (e->kind) {
  case E_NAME: case E_ATTR: case E_SUBSCRIPT: return true;
  case E_TUPLE: case E_LIST:
    if (how == 1) break;
    for (int i = 0; i < e->seq.n; i++)
      if (!check_target(P, e->seq.items[i], how)) return false;
    return true;
  case E_STARRED:
    if (how == 1) break;
    return check_target(P, e->unary.operand, how);
  default: break;
  }
  const char *k = target_kind(e);
  if (how == 1)
    p_error_span(P, e->sp, "SyntaxError", "'%s' is an illegal expression for augmented assignment",
                 e->kind == E_TUPLE ? "tuple" : e->kind == E_LIST ? "list" : k);
  else if (e->kind == E_NONE || e->kind == E_BOOL)
    p_error_span(P, e->sp, "SyntaxError", "cannot assign to %s", k);
  else if (how == 0)
    p_error_span(P, e->sp, "SyntaxError", "cannot assign to %s here. Maybe you meant '==' instead of '='?", k);
  else
    p_error_span(P, e->sp, "SyntaxError", "cannot %s %s", how == 3 ? "delete" : "assign to", k);
  return false;
}

/* ':' then a block: simple statements on the line, or NEWLINE INDENT ... */
static stmt *parse_suite(parser *P, const char *what, int line) {
  if (!p_accept_op(P, OP_COLON)) return p_error(P, p_peek(P), "expected ':'");
  if (p_peek(P)->kind != T_NEWLINE) {
    stmt *tail;
    return parse_stmt(P, &tail);
  }
  p_next(P);
  if (p_peek(P)->kind != T_INDENT) {
    span sp = p_tok_span(p_peek(P));
    sp.end_col = 0; /* one caret, as Python */
    return p_error_span(P, sp, "IndentationError", "expected an indented block after %s on line %d", what, line);
  }
  p_next(P);
  stmt *head = NULL, **link = &head;
  while (p_peek(P)->kind != T_DEDENT && p_peek(P)->kind != T_EOF) {
    stmt *tail;
    stmt *s = parse_stmt(P, &tail);
    if (!s) return NULL;
    *link = s;
    link = &tail->next;
  }
  p_next(P);
  return head;
}

static const char *dotted_name(parser *P) {
  token *t = p_peek(P);
  if (t->kind != T_NAME || t->kw) return p_error(P, t, "invalid syntax");
  const char *start = t->text;
  const char *end = t->text + t->len;
  p_next(P);
  while (p_is_op(P, OP_DOT)) {
    p_next(P);
    token *u = p_peek(P);
    if (u->kind != T_NAME || u->kw) return p_error(P, u, "invalid syntax");
    p_next(P);
    end = u->text + u->len;
  }
  /* rebuild without whitespace */
  char *d = p_strndup(P, start, (size_t)(end - start));
  if (!d) return NULL;
  size_t k = 0;
  for (const char *c = start; c < end; c++)
    if (*c != ' ' && *c != '\t' && *c != '\\' && *c != '\n' && *c != '\r') d[k++] = *c;
  d[k] = 0;
  return d;
}

static const char *name_tok(parser *P) {
  token *t = p_peek(P);
  if (t->kind != T_NAME || t->kw) return p_error(P, t, "invalid syntax");
  p_next(P);
  return p_strndup(P, t->text, (size_t)t->len);
}

params parse_params(parser *P, op_kind close) {
  params p = {0};
  int cap = 0, dcap = 0, nd = 0;
  bool seen_default = false;
  while (!p_is_op(P, close)) {
    token *t = p_peek(P);
    const char *name = name_tok(P);
    if (!name) return p;
    for (int i = 0; i < p.n; i++)
      if (!strcmp(p.names[i], name)) {
        p_error_span(P, p_tok_span(t), "SyntaxError", "duplicate argument '%s' in function definition", name);
        return p;
      }
    expr *def = NULL;
    if (p_accept_op(P, OP_ASSIGN)) {
      if (!(def = parse_test(P))) return p;
      seen_default = true;
    } else if (seen_default) {
      p_error_span(P, p_tok_span(t), "SyntaxError", "non-default argument follows default argument");
      return p;
    }
    if (!p_push(P, &p.names, &p.n, &cap, (void *)name) || !p_push(P, &p.defaults, &nd, &dcap, def))
      return p;
    if (!p_accept_op(P, OP_COMMA)) break;
  }
  return p;
}

static stmt *parse_compound(parser *P, token *t) {
  stmt *s;
  int line = t->line;
  switch (t->kw) {
  case KW_IF: case KW_ELIF: case KW_WHILE: {
    p_next(P);
    bool is_while = t->kw == KW_WHILE;
    s = new_stmt(P, is_while ? S_WHILE : S_IF, p_tok_span(t));
    if (!s || !(s->if_.cond = parse_test(P))) return NULL;
    P->loop_depth += is_while;
    s->if_.body = parse_suite(P, t->kw == KW_IF ? "'if' statement" : t->kw == KW_ELIF ? "'elif' statement"
                                                                     : "'while' statement", line);
    P->loop_depth -= is_while;
    if (!s->if_.body) return NULL;
    if (!is_while && p_is_kw(P, KW_ELIF)) {
      if (!(s->if_.orelse = parse_compound(P, p_peek(P)))) return NULL;
    } else if (p_is_kw(P, KW_ELSE)) {
      int eline = p_next(P)->line;
      if (!(s->if_.orelse = parse_suite(P, "'else' statement", eline))) return NULL;
    }
    return s;
  }
  case KW_FOR: {
    p_next(P);
    s = new_stmt(P, S_FOR, p_tok_span(t));
    if (!s || !(s->for_.target = parse_target_list(P)) || !check_target(P, s->for_.target, 2)) return NULL;
    if (!p_accept_kw(P, KW_IN)) return p_error(P, p_peek(P), "invalid syntax");
    if (!(s->for_.iter = parse_testlist(P, false))) return NULL;
    P->loop_depth++;
    s->for_.body = parse_suite(P, "'for' statement", line);
    P->loop_depth--;
    if (!s->for_.body) return NULL;
    if (p_is_kw(P, KW_ELSE)) {
      int eline = p_next(P)->line;
      if (!(s->for_.orelse = parse_suite(P, "'else' statement", eline))) return NULL;
    }
    return s;
  }
  case KW_TRY: {
    p_next(P);
    s = new_stmt(P, S_TRY, p_tok_span(t));
    if (!s || !(s->try_.body = parse_suite(P, "'try' statement", line))) return NULL;
    int cap = 0;
    while (p_is_kw(P, KW_EXCEPT)) {
      token *et = p_next(P);
      handler h = {.sp = p_tok_span(et)};
      if (!p_is_op(P, OP_COLON)) {
        if (!(h.type = parse_test(P))) return NULL;
        if (p_is_op(P, OP_COMMA))
          return p_error(P, p_peek(P), "multiple exception types must be parenthesized");
        if (p_accept_kw(P, KW_AS) && !(h.name = name_tok(P))) return NULL;
      }
      if (!(h.body = parse_suite(P, "'except' statement", et->line))) return NULL;
      if (s->try_.nhandlers == cap) {
        int nc = cap ? cap * 2 : 2;
        handler *a = p_alloc(P, sizeof(handler) * (size_t)nc);
        if (!a) return NULL;
        if (cap) memcpy(a, s->try_.handlers, sizeof(handler) * (size_t)cap);
        s->try_.handlers = a;
        cap = nc;
      }
      s->try_.handlers[s->try_.nhandlers++] = h;
    }
    if (s->try_.nhandlers && p_is_kw(P, KW_ELSE)) {
      int eline = p_next(P)->line;
      if (!(s->try_.orelse = parse_suite(P, "'else' statement", eline))) return NULL;
    }
    if (p_is_kw(P, KW_FINALLY)) {
      int fline = p_next(P)->line;
      if (!(s->try_.finally = parse_suite(P, "'finally' statement", fline))) return NULL;
      if (!s->try_.finally) return NULL;
    }
    if (!s->try_.nhandlers && !s->try_.finally)
      return p_error(P, p_peek(P), "expected 'except' or 'finally' block");
    return s;
  }
  case KW_DEF: {
    p_next(P);
    s = new_stmt(P, S_DEF, p_tok_span(t));
    if (!s || !(s->def.name = name_tok(P))) return NULL;
    if (!p_accept_op(P, OP_LPAR)) return p_error(P, p_peek(P), "invalid syntax");
    s->def.p = parse_params(P, OP_RPAR);
    if (P->failed) return NULL;
    if (!p_accept_op(P, OP_RPAR)) return p_error(P, p_peek(P), "invalid syntax");
    if (p_accept_op(P, OP_ARROW) && !parse_test(P)) return NULL;
    int saved = P->loop_depth;
    P->loop_depth = 0;
    P->func_depth++;
    s->def.body = parse_suite(P, "function definition", line);
    P->func_depth--;
    P->loop_depth = saved;
    return s->def.body ? s : NULL;
  }
  default:
    return p_error(P, t, "invalid syntax");
  }
}

static stmt *parse_expr_stmt(parser *P) {
  token *t0 = p_peek(P);
  expr *e = parse_testlist(P, true);
  if (!e) return NULL;
  token *t = p_peek(P);
  if (t->kind == T_OP && t->op >= OP_IADD && t->op <= OP_IRSHIFT) {
    p_next(P);
    if (!check_target(P, e, 1)) return NULL;
    stmt *s = new_stmt(P, S_AUGASSIGN, e->sp);
    if (!s) return NULL;
    s->aug.target = e;
    s->aug.op = (op_kind)(t->op - OP_IADD + OP_ADD);
    if (!(s->aug.value = parse_testlist(P, false))) return NULL;
    s->sp = p_join(s->sp, s->aug.value->sp);
    return s;
  }
  if (t->kind == T_OP && t->op == OP_COLON)
    return p_error(P, t, "annotated assignments are not supported by tensorc");
  if (!(t->kind == T_OP && t->op == OP_ASSIGN)) {
    if (e->kind == E_STARRED) return p_error_span(P, e->sp, "SyntaxError", "can't use starred expression here");
    stmt *s = new_stmt(P, S_EXPR, e->sp);
    if (s) s->e = e;
    return s;
  }
  stmt *s = new_stmt(P, S_ASSIGN, e->sp);
  if (!s) return NULL;
  int cap = 0;
  expr *value = e;
  while (p_accept_op(P, OP_ASSIGN)) {
    if (!check_target(P, value, 0) || !p_push(P, &s->assign.targets, &s->assign.ntargets, &cap, value))
      return NULL;
    if (!(value = parse_testlist(P, true))) return NULL;
  }
  if (value->kind == E_STARRED) return p_error_span(P, value->sp, "SyntaxError", "can't use starred expression here");
  s->assign.value = value;
  s->sp = p_join(p_tok_span(t0), value->sp);
  return s;
}

static stmt *parse_small(parser *P) {
  token *t = p_peek(P);
  stmt *s;
  if (t->kind != T_NAME || !t->kw) return parse_expr_stmt(P);
  switch (t->kw) {
  case KW_PASS: p_next(P); return new_stmt(P, S_PASS, p_tok_span(t));
  case KW_BREAK: case KW_CONTINUE:
    p_next(P);
    if (!P->loop_depth)
      return p_error_span(P, p_tok_span(t), "SyntaxError", "'%s' %s", t->kw == KW_BREAK ? "break" : "continue",
                          t->kw == KW_BREAK ? "outside loop" : "not properly in loop");
    return new_stmt(P, t->kw == KW_BREAK ? S_BREAK : S_CONTINUE, p_tok_span(t));
  case KW_RETURN:
    p_next(P);
    if (!P->func_depth) return p_error_span(P, p_tok_span(t), "SyntaxError", "'return' outside function");
    s = new_stmt(P, S_RETURN, p_tok_span(t));
    if (s && p_peek(P)->kind != T_NEWLINE && !p_is_op(P, OP_SEMI) && !(s->e = parse_testlist(P, true))) return NULL;
    return s;
  case KW_RAISE:
    p_next(P);
    s = new_stmt(P, S_RAISE, p_tok_span(t));
    if (s && p_peek(P)->kind != T_NEWLINE && !p_is_op(P, OP_SEMI)) {
      if (!(s->e = parse_test(P))) return NULL;
      s->sp = p_join(s->sp, s->e->sp);
      if (p_accept_kw(P, KW_FROM) && !parse_test(P)) return NULL;
    }
    return s;
  case KW_ASSERT:
    p_next(P);
    s = new_stmt(P, S_ASSERT, p_tok_span(t));
    if (!s || !(s->assert_.test = parse_test(P))) return NULL;
    s->sp = p_join(s->sp, s->assert_.test->sp);
    if (p_accept_op(P, OP_COMMA) && !(s->assert_.msg = parse_test(P))) return NULL;
    return s;
  case KW_DEL: {
    p_next(P);
    s = new_stmt(P, S_DEL, p_tok_span(t));
    expr *e = s ? parse_target_list(P) : NULL;
    if (!e || !check_target(P, e, 3)) return NULL;
    int cap = 0;
    if (e->kind == E_TUPLE) {
      s->del.targets = e->seq.items;
      s->del.n = e->seq.n;
    } else if (!p_push(P, &s->del.targets, &s->del.n, &cap, e)) {
      return NULL;
    }
    return s;
  }
  case KW_GLOBAL: case KW_NONLOCAL: {
    p_next(P);
    s = new_stmt(P, S_GLOBAL, p_tok_span(t));
    int cap = 0;
    do {
      const char *n = name_tok(P);
      if (!n || !p_push(P, &s->global.names, &s->global.n, &cap, (void *)n)) return NULL;
    } while (p_accept_op(P, OP_COMMA));
    return s;
  }
  case KW_IMPORT: {
    p_next(P);
    s = new_stmt(P, S_IMPORT, p_tok_span(t));
    int cap = 0, acap = 0, na = 0;
    do {
      const char *m = dotted_name(P);
      const char *alias = NULL;
      if (!m) return NULL;
      if (p_accept_kw(P, KW_AS) && !(alias = name_tok(P))) return NULL;
      if (!p_push(P, &s->import.modules, &s->import.n, &cap, (void *)m) ||
          !p_push(P, &s->import.aliases, &na, &acap, (void *)alias))
        return NULL;
    } while (p_accept_op(P, OP_COMMA));
    return s;
  }
  case KW_FROM: {
    p_next(P);
    s = new_stmt(P, S_FROM_IMPORT, p_tok_span(t));
    if (!s || !(s->from.module = dotted_name(P))) return NULL;
    if (!p_accept_kw(P, KW_IMPORT)) return p_error(P, p_peek(P), "invalid syntax");
    bool paren = p_accept_op(P, OP_LPAR);
    int cap = 0, acap = 0, na = 0;
    if (p_is_op(P, OP_MUL)) return p_error(P, p_peek(P), "'from ... import *' is not supported by tensorc");
    do {
      if (paren && p_is_op(P, OP_RPAR)) break;
      const char *n = name_tok(P), *alias = NULL;
      if (!n) return NULL;
      if (p_accept_kw(P, KW_AS) && !(alias = name_tok(P))) return NULL;
      if (!p_push(P, &s->from.names, &s->from.n, &cap, (void *)n) ||
          !p_push(P, &s->from.aliases, &na, &acap, (void *)alias))
        return NULL;
    } while (p_accept_op(P, OP_COMMA));
    if (paren && !p_accept_op(P, OP_RPAR)) return p_error(P, p_peek(P), "invalid syntax");
    return s;
  }
  case KW_CLASS: case KW_WITH: case KW_ASYNC: case KW_YIELD:
    return p_error(P, t, "'%.*s' is not supported by tensorc", t->len, t->text);
  default:
    return parse_expr_stmt(P);
  }
}

/* One statement; simple statements separated by ';' come back as a list
 * whose last element is stored in *tail. */
static stmt *parse_stmt(parser *P, stmt **tail) {
  token *t = p_peek(P);
  if (t->kind == T_INDENT) return p_error_span(P, p_tok_span(t), "IndentationError", "unexpected indent");
  if (t->kind == T_OP && t->op == OP_MATMUL) return p_error(P, t, "decorators are not supported by tensorc");
  if (t->kind == T_NAME && (t->kw == KW_IF || t->kw == KW_WHILE || t->kw == KW_FOR ||
                            t->kw == KW_TRY || t->kw == KW_DEF)) {
    stmt *s = parse_compound(P, t);
    *tail = s;
    return s;
  }
  if (t->kind == T_NAME && (t->kw == KW_ELSE || t->kw == KW_ELIF || t->kw == KW_EXCEPT || t->kw == KW_FINALLY))
    return p_error(P, t, "invalid syntax");
  stmt *head = NULL, **link = &head, *last = NULL;
  for (;;) {
    stmt *s = parse_small(P);
    if (!s) return NULL;
    *link = last = s;
    link = &s->next;
    if (!p_accept_op(P, OP_SEMI)) break;
    if (p_peek(P)->kind == T_NEWLINE) break;
  }
  token *e = p_peek(P);
  if (e->kind != T_NEWLINE) {
    if (e->kind == T_NAME || e->kind == T_INT || e->kind == T_FLOAT || e->kind == T_STRING)
      return p_error(P, e, "invalid syntax");
    if (e->kind == T_OP && e->op == OP_ASSIGN && last->kind == S_EXPR)
      return p_error(P, e, "invalid syntax");
    return p_error(P, e, "invalid syntax");
  }
  p_next(P);
  *tail = last;
  return head;
}

bool parse_program(const char *src, size_t n, program *out, syntax_error *err) {
  out->body = NULL;
  out->arena = calloc(1, sizeof(ast_arena));
  if (!out->arena) {
    *err = (syntax_error){.type = "MemoryError", .line = 1};
    snprintf(err->msg, sizeof err->msg, "out of memory");
    return false;
  }
  token_list tl;
  if (!lex(src, n, 0, 0, false, &tl, err)) {
    token_list_free(&tl);
    return false;
  }
  parser P = {.t = tl.toks, .n = tl.n, .A = out->arena, .err = err};
  stmt **link = &out->body;
  while (p_peek(&P)->kind != T_EOF) {
    if (p_peek(&P)->kind == T_NEWLINE) {
      p_next(&P);
      continue;
    }
    stmt *tail;
    stmt *s = parse_stmt(&P, &tail);
    if (!s) break;
    *link = s;
    link = &tail->next;
  }
  token_list_free(&tl);
  return !P.failed;
}
