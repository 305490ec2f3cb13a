/*
 * parse_expr.c — expressions, by precedence climbing down Python's grammar:
 * test (a if c else b, lambda) > or > and > not > comparison > | > ^ > & >
 * shifts > + - > * / // % @ > unary > ** > primary (calls, subscripts,
 * attributes) > atom. String literals and f-strings are in parse_fstring.c.
 */
#include <stdlib.h>
#include <string.h>

#include "parser.h"

static expr *parse_atom(parser *P);
static expr *parse_factor(parser *P);

static expr *binary(parser *P, op_kind op, expr *l, expr *r) {
  expr *e = p_new_expr(P, E_BINARY, p_join(l->sp, r->sp));
  if (!e) return NULL;
  e->bin.op = op;
  e->bin.l = l;
  e->bin.r = r;
  return p_finish(P, e) ? e : NULL;
}

/* Enters one level of recursion; false (with an error) when too deep. */
static bool enter(parser *P) {
  if (++P->depth > PARSE_MAX_NESTING) {
    p_error(P, p_peek(P), "too many nested parentheses");
    return false;
  }
  return true;
}

/* ---- comprehensions and call arguments ---------------------------------- */

static expr *parse_comp(parser *P, expr *elt, span start, op_kind close) {
  expr *e = p_new_expr(P, E_LISTCOMP, start);
  if (!e) return NULL;
  e->comp.elt = elt;
  int cap = 0;
  while (p_accept_kw(P, KW_FOR)) {
    comp_for f = {0};
    f.target = parse_target_list(P);
    if (!f.target) return NULL;
    if (!p_accept_kw(P, KW_IN)) return p_error(P, p_peek(P), "invalid syntax");
    f.iter = parse_or_test(P);
    if (!f.iter) return NULL;
    int ccap = 0;
    while (p_accept_kw(P, KW_IF)) {
      expr *c = parse_or_test(P);
      if (!c || !p_push(P, &f.conds, &f.nconds, &ccap, c)) return NULL;
    }
    if (e->comp.nfors == cap) {
      int nc = cap ? cap * 2 : 2;
      comp_for *a = p_alloc(P, sizeof(comp_for) * (size_t)nc);
      if (!a) return NULL;
      if (e->comp.nfors) memcpy(a, e->comp.fors, sizeof(comp_for) * (size_t)e->comp.nfors);
      e->comp.fors = a;
      cap = nc;
    }
    e->comp.fors[e->comp.nfors++] = f;
  }
  token *t = p_peek(P);
  if (!p_accept_op(P, close)) return p_error(P, t, "invalid syntax");
  e->sp = p_join(start, p_tok_span(t));
  return p_finish(P, e) ? e : NULL;
}

static expr *parse_call(parser *P, expr *fn) {
  expr *e = p_new_expr(P, E_CALL, fn->sp);
  if (!e) return NULL;
  e->call.fn = fn;
  int acap = 0, kcap = 0;
  while (!p_is_op(P, OP_RPAR)) {
    token *t = p_peek(P);
    if (p_accept_op(P, OP_MUL)) {
      expr *v = parse_test(P);
      if (!v) return NULL;
      expr *s = p_new_expr(P, E_STARRED, p_join(p_tok_span(t), v->sp));
      if (!s) return NULL;
      s->unary.operand = v;
      if (!p_finish(P, s) || !p_push(P, &e->call.args, &e->call.nargs, &acap, s)) return NULL;
    } else if (p_accept_op(P, OP_POW) ||
               (t->kind == T_NAME && !t->kw && p_peek_at(P, 1)->kind == T_OP &&
                p_peek_at(P, 1)->op == OP_ASSIGN)) {
      bool dstar = t->kind == T_OP;
      if (!dstar) P->pos += 2;
      expr *v = parse_test(P);
      if (!v) return NULL;
      if (e->call.nkws == kcap) {
        int nc = kcap ? kcap * 2 : 4;
        keyword *a = p_alloc(P, sizeof(keyword) * (size_t)nc);
        if (!a) return NULL;
        if (e->call.nkws) memcpy(a, e->call.kws, sizeof(keyword) * (size_t)e->call.nkws);
        e->call.kws = a;
        kcap = nc;
      }
      keyword *k = &e->call.kws[e->call.nkws++];
      k->name = dstar ? NULL : p_strndup(P, t->text, (size_t)t->len);
      k->value = v;
      k->sp = p_join(p_tok_span(t), v->sp);
      if (!dstar && !k->name) return NULL;
    } else {
      expr *v = parse_test(P);
      if (!v) return NULL;
      if (p_is_kw(P, KW_FOR)) {
        if (e->call.nargs || e->call.nkws) return p_error(P, p_peek(P), "Generator expression must be parenthesized");
        v = parse_comp(P, v, v->sp, OP_RPAR);
        if (!v) return NULL;
        P->pos--; /* leave the ')' for the loop below */
      } else if (e->call.nkws) {
        for (int i = 0; i < e->call.nkws; i++)
          if (e->call.kws[i].name)
            return p_error_span(P, v->sp, "SyntaxError", "positional argument follows keyword argument");
        return p_error_span(P, v->sp, "SyntaxError",
                            "positional argument follows keyword argument unpacking");
      }
      if (!p_push(P, &e->call.args, &e->call.nargs, &acap, v)) return NULL;
    }
    if (!p_accept_op(P, OP_COMMA)) break;
  }
  token *t = p_peek(P);
  if (!p_accept_op(P, OP_RPAR)) {
    if (t->kind == T_NAME || t->kind == T_INT || t->kind == T_FLOAT || t->kind == T_STRING)
      return p_error(P, t, "invalid syntax. Perhaps you forgot a comma?");
    return p_error(P, t, "invalid syntax");
  }
  e->sp = p_join(fn->sp, p_tok_span(t));
  return p_finish(P, e) ? e : NULL;
}

static expr *parse_subscript_item(parser *P) {
  token *t = p_peek(P);
  expr *lo = NULL;
  if (!p_is_op(P, OP_COLON)) {
    lo = parse_test(P);
    if (!lo) return NULL;
    if (!p_is_op(P, OP_COLON)) return lo;
  }
  expr *e = p_new_expr(P, E_SLICE, lo ? lo->sp : p_tok_span(t));
  if (!e) return NULL;
  e->slice.lo = lo;
  e->sp = p_join(e->sp, p_tok_span(p_next(P))); /* the ':' */
  if (!p_is_op(P, OP_COLON) && !p_is_op(P, OP_COMMA) && !p_is_op(P, OP_RSQB)) {
    if (!(e->slice.hi = parse_test(P))) return NULL;
    e->sp = p_join(e->sp, e->slice.hi->sp);
  }
  if (p_is_op(P, OP_COLON)) {
    e->sp = p_join(e->sp, p_tok_span(p_next(P)));
    if (!p_is_op(P, OP_COMMA) && !p_is_op(P, OP_RSQB)) {
      if (!(e->slice.step = parse_test(P))) return NULL;
      e->sp = p_join(e->sp, e->slice.step->sp);
    }
  }
  return p_finish(P, e) ? e : NULL;
}

static expr *parse_subscript(parser *P, expr *obj) {
  token *open = p_peek(P);
  expr *first = parse_subscript_item(P);
  if (!first) return NULL;
  expr *index = first;
  if (p_is_op(P, OP_COMMA)) {
    index = p_new_expr(P, E_TUPLE, first->sp);
    if (!index) return NULL;
    int cap = 0;
    if (!p_push(P, &index->seq.items, &index->seq.n, &cap, first)) return NULL;
    while (p_accept_op(P, OP_COMMA) && !p_is_op(P, OP_RSQB)) {
      expr *x = parse_subscript_item(P);
      if (!x || !p_push(P, &index->seq.items, &index->seq.n, &cap, x)) return NULL;
      index->sp = p_join(index->sp, x->sp);
    }
    if (!p_finish(P, index)) return NULL;
  }
  token *t = p_peek(P);
  if (!p_accept_op(P, OP_RSQB)) return p_error(P, t, "invalid syntax");
  (void)open;
  expr *e = p_new_expr(P, E_SUBSCRIPT, p_join(obj->sp, p_tok_span(t)));
  if (!e) return NULL;
  e->sub.obj = obj;
  e->sub.index = index;
  return p_finish(P, e) ? e : NULL;
}

static expr *parse_primary(parser *P) {
  expr *e = parse_atom(P);
  while (e) {
    if (p_accept_op(P, OP_LPAR)) {
      e = parse_call(P, e);
    } else if (p_accept_op(P, OP_LSQB)) {
      e = parse_subscript(P, e);
    } else if (p_accept_op(P, OP_DOT)) {
      token *t = p_peek(P);
      if (t->kind != T_NAME || t->kw) return p_error(P, t, "invalid syntax");
      p_next(P);
      expr *a = p_new_expr(P, E_ATTR, p_join(e->sp, p_tok_span(t)));
      if (!a) return NULL;
      a->attr.obj = e;
      a->attr.name = p_strndup(P, t->text, (size_t)t->len);
      a->attr.name_sp = p_tok_span(t);
      if (!a->attr.name || !p_finish(P, a)) return NULL;
      e = a;
    } else {
      break;
    }
  }
  return e;
}

static expr *parse_power(parser *P) {
  expr *base = parse_primary(P);
  if (!base) return NULL;
  if (!p_accept_op(P, OP_POW)) return base;
  expr *ex = parse_factor(P);
  return ex ? binary(P, OP_POW, base, ex) : NULL;
}

static expr *parse_factor(parser *P) {
  token *t = p_peek(P);
  if (t->kind == T_OP && (t->op == OP_ADD || t->op == OP_SUB || t->op == OP_INVERT)) {
    if (!enter(P)) return NULL;
    p_next(P);
    expr *x = parse_factor(P);
    P->depth--;
    if (!x) return NULL;
    expr *e = p_new_expr(P, E_UNARY, p_join(p_tok_span(t), x->sp));
    if (!e) return NULL;
    e->unary.op = t->op;
    e->unary.operand = x;
    return p_finish(P, e) ? e : NULL;
  }
  return parse_power(P);
}

/* One left-associative binary level: operators in `ops` (OP_NUM_OPS ends). */
static expr *binary_level(parser *P, expr *(*sub)(parser *), const op_kind *ops) {
  expr *l = sub(P);
  while (l) {
    token *t = p_peek(P);
    if (t->kind != T_OP) break;
    bool hit = false;
    for (const op_kind *o = ops; *o != OP_NUM_OPS; o++) hit |= t->op == *o;
    if (!hit) break;
    p_next(P);
    expr *r = sub(P);
    if (!r) return NULL;
    l = binary(P, t->op, l, r);
  }
  return l;
}

static expr *parse_term(parser *P) {
  static const op_kind ops[] = {OP_MUL, OP_DIV, OP_FLOORDIV, OP_MOD, OP_MATMUL, OP_NUM_OPS};
  return binary_level(P, parse_factor, ops);
}
static expr *parse_arith(parser *P) {
  static const op_kind ops[] = {OP_ADD, OP_SUB, OP_NUM_OPS};
  return binary_level(P, parse_term, ops);
}
static expr *parse_shift(parser *P) {
  static const op_kind ops[] = {OP_LSHIFT, OP_RSHIFT, OP_NUM_OPS};
  return binary_level(P, parse_arith, ops);
}
static expr *parse_bitand(parser *P) {
  static const op_kind ops[] = {OP_AND, OP_NUM_OPS};
  return binary_level(P, parse_shift, ops);
}
static expr *parse_bitxor(parser *P) {
  static const op_kind ops[] = {OP_XOR, OP_NUM_OPS};
  return binary_level(P, parse_bitand, ops);
}
expr *parse_bitor(parser *P) {
  static const op_kind ops[] = {OP_OR, OP_NUM_OPS};
  return binary_level(P, parse_bitxor, ops);
}

static bool comparison_op(parser *P, cmp_kind *out) {
  token *t = p_peek(P);
  if (t->kind == T_OP) {
    switch (t->op) {
    case OP_LT: *out = CMP_LT; break;
    case OP_GT: *out = CMP_GT; break;
    case OP_LE: *out = CMP_LE; break;
    case OP_GE: *out = CMP_GE; break;
    case OP_EQ: *out = CMP_EQ; break;
    case OP_NE: *out = CMP_NE; break;
    default: return false;
    }
    p_next(P);
    return true;
  }
  if (t->kind != T_NAME) return false;
  if (t->kw == KW_IN) {
    p_next(P);
    *out = CMP_IN;
    return true;
  }
  if (t->kw == KW_NOT && p_peek_at(P, 1)->kw == KW_IN && p_peek_at(P, 1)->kind == T_NAME) {
    P->pos += 2;
    *out = CMP_NOT_IN;
    return true;
  }
  if (t->kw == KW_IS) {
    p_next(P);
    *out = p_accept_kw(P, KW_NOT) ? CMP_IS_NOT : CMP_IS;
    return true;
  }
  return false;
}

static expr *parse_comparison(parser *P) {
  expr *first = parse_bitor(P);
  if (!first) return NULL;
  cmp_kind op;
  if (!comparison_op(P, &op)) return first;
  expr *e = p_new_expr(P, E_COMPARE, first->sp);
  if (!e) return NULL;
  e->cmp.first = first;
  int cap = 0, ocap = 0, nops = 0;
  do {
    expr *r = parse_bitor(P);
    if (!r || !p_push(P, &e->cmp.rest, &e->cmp.n, &cap, r)) return NULL;
    if (nops == ocap) {
      int nc = ocap ? ocap * 2 : 4;
      cmp_kind *a = p_alloc(P, sizeof(cmp_kind) * (size_t)nc);
      if (!a) return NULL;
      if (nops) memcpy(a, e->cmp.ops, sizeof(cmp_kind) * (size_t)nops);
      e->cmp.ops = a;
      ocap = nc;
    }
    e->cmp.ops[nops++] = op;
    e->sp = p_join(e->sp, r->sp);
  } while (comparison_op(P, &op));
  return p_finish(P, e) ? e : NULL;
}

static expr *parse_not(parser *P) {
  token *t = p_peek(P);
  if (!p_is_kw(P, KW_NOT)) return parse_comparison(P);
  if (!enter(P)) return NULL;
  p_next(P);
  expr *x = parse_not(P);
  P->depth--;
  if (!x) return NULL;
  expr *e = p_new_expr(P, E_NOT, p_join(p_tok_span(t), x->sp));
  if (!e) return NULL;
  e->unary.operand = x;
  return p_finish(P, e) ? e : NULL;
}

static expr *bool_level(parser *P, bool is_and) {
  expr *first = is_and ? parse_not(P) : bool_level(P, true);
  if (!first || !p_is_kw(P, is_and ? KW_AND : KW_OR)) return first;
  expr *e = p_new_expr(P, E_BOOLOP, first->sp);
  if (!e) return NULL;
  e->boolop.is_and = is_and;
  int cap = 0;
  if (!p_push(P, &e->boolop.items, &e->boolop.n, &cap, first)) return NULL;
  while (p_accept_kw(P, is_and ? KW_AND : KW_OR)) {
    expr *x = is_and ? parse_not(P) : bool_level(P, true);
    if (!x || !p_push(P, &e->boolop.items, &e->boolop.n, &cap, x)) return NULL;
    e->sp = p_join(e->sp, x->sp);
  }
  return p_finish(P, e) ? e : NULL;
}

expr *parse_or_test(parser *P) { return bool_level(P, false); }

expr *parse_test(parser *P) {
  if (!enter(P)) return NULL;
  expr *e;
  token *t = p_peek(P);
  if (p_accept_kw(P, KW_LAMBDA)) {
    e = p_new_expr(P, E_LAMBDA, p_tok_span(t));
    if (e) {
      e->lambda.p = parse_params(P, OP_COLON);
      if (!P->failed && !p_accept_op(P, OP_COLON)) p_error(P, p_peek(P), "expected ':'");
      P->func_depth++;
      e->lambda.body = P->failed ? NULL : parse_test(P);
      P->func_depth--;
      if (e->lambda.body) e->sp = p_join(e->sp, e->lambda.body->sp);
      if (!e->lambda.body || !p_finish(P, e)) e = NULL;
    }
  } else {
    e = parse_or_test(P);
    if (e && p_is_kw(P, KW_IF)) {
      p_next(P);
      expr *cond = parse_or_test(P);
      if (!cond) e = NULL;
      else if (!p_accept_kw(P, KW_ELSE)) e = p_error(P, p_peek(P), "expected 'else' after 'if' expression");
      else {
        expr *orelse = parse_test(P);
        expr *x = orelse ? p_new_expr(P, E_IFEXP, p_join(e->sp, orelse->sp)) : NULL;
        if (x) {
          x->ifexp.cond = cond;
          x->ifexp.then = e;
          x->ifexp.orelse = orelse;
        }
        e = x && p_finish(P, x) ? x : NULL;
      }
    }
  }
  P->depth--;
  return e;
}

static bool starts_test(parser *P) {
  token *t = p_peek(P);
  if (t->kind == T_NAME) {
    return !t->kw || t->kw == KW_NOT || t->kw == KW_LAMBDA || t->kw == KW_NONE ||
           t->kw == KW_TRUE || t->kw == KW_FALSE || t->kw == KW_AWAIT;
  }
  if (t->kind == T_INT || t->kind == T_FLOAT || t->kind == T_STRING) return true;
  if (t->kind != T_OP) return false;
  switch (t->op) {
  case OP_LPAR: case OP_LSQB: case OP_LBRACE: case OP_SUB: case OP_ADD: case OP_INVERT:
  case OP_ELLIPSIS: case OP_MUL:
    return true;
  default:
    return false;
  }
}

static expr *list_item(parser *P, bool star, bool target) {
  token *t = p_peek(P);
  if (star && p_accept_op(P, OP_MUL)) {
    expr *v = target ? parse_bitor(P) : parse_bitor(P);
    if (!v) return NULL;
    expr *s = p_new_expr(P, E_STARRED, p_join(p_tok_span(t), v->sp));
    if (!s) return NULL;
    s->unary.operand = v;
    return p_finish(P, s) ? s : NULL;
  }
  return target ? parse_bitor(P) : parse_test(P);
}

static expr *item_list(parser *P, bool star, bool target) {
  expr *first = list_item(P, star, target);
  if (!first) return NULL;
  if (!p_is_op(P, OP_COMMA)) {
    if (first->kind == E_STARRED && !target)
      return p_error_span(P, first->sp, "SyntaxError", "can't use starred expression here");
    return first;
  }
  expr *e = p_new_expr(P, E_TUPLE, first->sp);
  if (!e) return NULL;
  int cap = 0;
  if (!p_push(P, &e->seq.items, &e->seq.n, &cap, first)) return NULL;
  while (p_accept_op(P, OP_COMMA)) {
    if (!starts_test(P)) break;
    expr *x = list_item(P, star, target);
    if (!x || !p_push(P, &e->seq.items, &e->seq.n, &cap, x)) return NULL;
    e->sp = p_join(e->sp, x->sp);
  }
  return p_finish(P, e) ? e : NULL;
}

expr *parse_testlist(parser *P, bool star) { return item_list(P, star, false); }
expr *parse_target_list(parser *P) { return item_list(P, true, true); }

/* '(' or '[' display: tuple/parenthesized/genexp, or list/listcomp. */
static expr *parse_display(parser *P, token *open, op_kind close) {
  bool is_list = close == OP_RSQB;
  expr *e = p_new_expr(P, is_list ? E_LIST : E_TUPLE, p_tok_span(open));
  if (!e) return NULL;
  int cap = 0;
  bool comma = false;
  while (!p_is_op(P, close)) {
    token *t = p_peek(P);
    expr *x;
    if (p_accept_op(P, OP_MUL)) {
      expr *v = parse_bitor(P);
      if (!v) return NULL;
      x = p_new_expr(P, E_STARRED, p_join(p_tok_span(t), v->sp));
      if (!x) return NULL;
      x->unary.operand = v;
      if (!p_finish(P, x)) return NULL;
    } else {
      x = parse_test(P);
      if (!x) return NULL;
    }
    if (e->seq.n == 0 && !comma && p_is_kw(P, KW_FOR)) {
      if (x->kind == E_STARRED) return p_error_span(P, x->sp, "SyntaxError", "iterable unpacking cannot be used in comprehension");
      return parse_comp(P, x, p_tok_span(open), close);
    }
    if (!p_push(P, &e->seq.items, &e->seq.n, &cap, x)) return NULL;
    if (!p_accept_op(P, OP_COMMA)) break;
    comma = true;
  }
  token *t = p_peek(P);
  if (!p_accept_op(P, close)) {
    if (t->kind == T_NAME || t->kind == T_INT || t->kind == T_FLOAT || t->kind == T_STRING)
      return p_error(P, t, "invalid syntax. Perhaps you forgot a comma?");
    return p_error(P, t, "invalid syntax");
  }
  if (!is_list && e->seq.n == 1 && !comma) {
    expr *inner = e->seq.items[0];
    if (inner->kind == E_STARRED) return p_error_span(P, inner->sp, "SyntaxError", "can't use starred expression here");
    return inner; /* parenthesized expression */
  }
  e->sp = p_join(e->sp, p_tok_span(t));
  return p_finish(P, e) ? e : NULL;
}

static expr *parse_atom(parser *P) {
  token *t = p_peek(P);
  expr *e;
  switch (t->kind) {
  case T_NAME:
    switch (t->kw) {
    case KW_NONE_:
      p_next(P);
      e = p_new_expr(P, E_NAME, p_tok_span(t));
      if (e && !(e->name = p_strndup(P, t->text, (size_t)t->len))) return NULL;
      return e;
    case KW_TRUE: case KW_FALSE:
      p_next(P);
      e = p_new_expr(P, E_BOOL, p_tok_span(t));
      if (e) e->bval = t->kw == KW_TRUE;
      return e;
    case KW_NONE:
      p_next(P);
      return p_new_expr(P, E_NONE, p_tok_span(t));
    default:
      return p_error(P, t, "invalid syntax");
    }
  case T_INT:
    p_next(P);
    e = p_new_expr(P, E_INT, p_tok_span(t));
    if (e) e->ival = t->ival;
    return e;
  case T_FLOAT:
    p_next(P);
    e = p_new_expr(P, E_FLOAT, p_tok_span(t));
    if (e) e->fval = t->fval;
    return e;
  case T_STRING:
    return parse_strings(P);
  case T_OP:
    if (t->op == OP_LPAR || t->op == OP_LSQB) {
      if (!enter(P)) return NULL;
      p_next(P);
      e = parse_display(P, t, t->op == OP_LPAR ? OP_RPAR : OP_RSQB);
      P->depth--;
      return e;
    }
    if (t->op == OP_LBRACE) return p_error(P, t, "dict and set displays are not supported by tensorc");
    if (t->op == OP_ELLIPSIS) {
      p_next(P);
      return p_new_expr(P, E_ELLIPSIS, p_tok_span(t));
    }
    return p_error(P, t, "invalid syntax");
  case T_INDENT:
    return p_error_span(P, p_tok_span(t), "IndentationError", "unexpected indent");
  default:
    return p_error(P, t, "invalid syntax");
  }
}
