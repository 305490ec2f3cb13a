/*
 * parse_fstring.c — string literals: adjacent literals concatenated, and
 * f-strings split into literal parts and replacement fields
 * ({expr!conv:spec}, with nested fields in the spec and the {expr=} debug
 * form). Each field's expression is lexed and parsed as a fragment with its
 * true line and column in the file, so carets inside f-strings point at
 * the right place; errors inside a field read "f-string: ..." as in Python.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parser.h"

/* ---- f-strings ---------------------------------------------------------- */

static expr *fstring_body(parser *P, const char *s, size_t n, int line, int col, bool raw);

/* Line and column of offset `k` of a body that starts at (line, col). */
static void body_pos(const char *s, size_t k, int line, int col, int *ol, int *oc) {
  int l = line, c = col;
  for (size_t i = 0; i < k; i++) {
    if (s[i] == '\n') {
      l++;
      c = 0;
    } else {
      c++;
    }
  }
  *ol = l;
  *oc = c;
}

static bool add_part(parser *P, expr *e, int *cap, fpart part) {
  if (e->fstr.n == *cap) {
    int nc = *cap ? *cap * 2 : 4;
    fpart *a = p_alloc(P, sizeof(fpart) * (size_t)nc);
    if (!a) return false;
    if (e->fstr.n) memcpy(a, e->fstr.parts, sizeof(fpart) * (size_t)e->fstr.n);
    e->fstr.parts = a;
    *cap = nc;
  }
  e->fstr.parts[e->fstr.n++] = part;
  return true;
}

static bool add_literal(parser *P, expr *e, int *cap, const char *s, size_t n, bool raw) {
  if (!n) return true;
  size_t dn;
  char *d = lex_decode_string(s, n, raw, &dn);
  if (!d) return p_error(P, p_peek(P), "out of memory"), false;
  char *a = p_strndup(P, d, dn);
  free(d);
  return a && add_part(P, e, cap, (fpart){.lit = a, .litn = dn});
}

/* Parses the expression text of one field as a fragment. */
static expr *field_expr(parser *P, const char *s, size_t n, int line, int col) {
  token_list tl;
  syntax_error err = {0};
  if (!lex(s, n, line - 1, col, true, &tl, &err)) {
    token_list_free(&tl);
    if (!P->failed) {
      *P->err = err;
      P->failed = true;
    }
    return NULL;
  }
  parser sub = *P;
  sub.t = tl.toks;
  sub.n = tl.n;
  sub.pos = 0;
  expr *e = NULL;
  if (tl.toks[0].kind == T_EOF) {
    p_error(&sub, &tl.toks[0], "f-string: valid expression required before '}'");
  } else {
    e = parse_testlist(&sub, false);
    if (e && p_peek(&sub)->kind != T_EOF) e = p_error(&sub, p_peek(&sub), "f-string: invalid syntax");
  }
  P->failed = sub.failed;
  P->depth = sub.depth;
  token_list_free(&tl);
  if (!e && P->failed && strncmp(P->err->msg, "f-string", 8) && !strcmp(P->err->type, "SyntaxError")) {
    char msg[sizeof P->err->msg + 16];
    snprintf(msg, sizeof msg, "f-string: %s", P->err->msg);
    snprintf(P->err->msg, sizeof P->err->msg, "%.*s", (int)sizeof P->err->msg - 1, msg);
  }
  return e;
}

static expr *fstring_body(parser *P, const char *s, size_t n, int line, int col, bool raw) {
  if (++P->fdepth > 3) {
    P->fdepth--;
    return p_error(P, p_peek(P), "f-string: expressions nested too deeply");
  }
  expr *e = p_new_expr(P, E_FSTRING, (span){line, col, line, col});
  int cap = 0;
  size_t lit = 0, i = 0;
  while (e && i < n) {
    char c = s[i];
    if (c == '}' ) {
      if (i + 1 < n && s[i + 1] == '}') {
        if (!add_literal(P, e, &cap, s + lit, i + 1 - lit, raw)) e = NULL;
        i += 2;
        lit = i;
        continue;
      }
      int l, cc;
      body_pos(s, i, line, col, &l, &cc);
      e = p_error_span(P, (span){l, cc, l, cc + 1}, "SyntaxError", "f-string: single '}' is not allowed");
      break;
    }
    if (c != '{') {
      i++;
      continue;
    }
    if (i + 1 < n && s[i + 1] == '{') {
      if (!add_literal(P, e, &cap, s + lit, i + 1 - lit, raw)) e = NULL;
      i += 2;
      lit = i;
      continue;
    }
    if (!add_literal(P, e, &cap, s + lit, i - lit, raw)) {
      e = NULL;
      break;
    }
    /* a replacement field: find the end of its expression */
    size_t a = i + 1, j = a;
    int depth = 0;
    char quote = 0;
    bool debug = false;
    for (; j < n; j++) {
      char d = s[j];
      if (quote) {
        if (d == quote) quote = 0;
        continue;
      }
      if (d == '\'' || d == '"') quote = d;
      else if (d == '(' || d == '[' || d == '{') depth++;
      else if ((d == ')' || d == ']' || d == '}') && depth > 0) depth--;
      else if (depth == 0 && (d == '}' || d == ':')) break;
      else if (depth == 0 && d == '!' && j + 1 < n && s[j + 1] != '=') break;
      else if (depth == 0 && d == '=' && j + 1 < n && s[j + 1] != '=' && j > a &&
               !strchr("=!<>", s[j - 1])) {
        debug = true;
        break;
      }
    }
    int l, cc;
    body_pos(s, a, line, col, &l, &cc);
    if (j >= n) {
      e = p_error_span(P, (span){l, cc - 1, l, cc}, "SyntaxError", "f-string: expecting '}'");
      break;
    }
    fpart part = {0};
    if (!(part.value = field_expr(P, s + a, j - a, l, cc))) {
      e = NULL;
      break;
    }
    if (debug) {
      size_t k = j + 1;
      while (k < n && s[k] == ' ') k++;
      if (!add_part(P, e, &cap, (fpart){.lit = p_strndup(P, s + a, k - a), .litn = k - a})) {
        e = NULL;
        break;
      }
      j = k;
      part.conv = 'r';
    }
    if (j < n && s[j] == '!') {
      if (j + 1 >= n || !strchr("rsa", s[j + 1])) {
        body_pos(s, j, line, col, &l, &cc);
        e = p_error_span(P, (span){l, cc, l, cc + 1}, "SyntaxError", "f-string: invalid conversion character: expected 's', 'r', or 'a'");
        break;
      }
      part.conv = s[j + 1];
      j += 2;
    }
    if (j < n && s[j] == ':') {
      size_t b = j + 1, k = b;
      int dd = 0;
      for (; k < n; k++) {
        if (s[k] == '{') dd++;
        else if (s[k] == '}' && dd-- == 0) break;
      }
      if (k >= n) {
        e = p_error_span(P, (span){l, cc - 1, l, cc}, "SyntaxError", "f-string: expecting '}'");
        break;
      }
      int sl, sc;
      body_pos(s, b, line, col, &sl, &sc);
      if (debug) part.conv = 0;
      if (!(part.spec = fstring_body(P, s + b, k - b, sl, sc, raw))) {
        e = NULL;
        break;
      }
      j = k;
    }
    if (j >= n || s[j] != '}') {
      e = p_error_span(P, (span){l, cc - 1, l, cc}, "SyntaxError", "f-string: expecting '}'");
      break;
    }
    if (!add_part(P, e, &cap, part)) {
      e = NULL;
      break;
    }
    i = j + 1;
    lit = i;
  }
  if (e && !add_literal(P, e, &cap, s + lit, n - lit, raw)) e = NULL;
  P->fdepth--;
  return e;
}

/* Adjacent string literals, plain or f-strings, concatenated. */
expr *parse_strings(parser *P) {
  token *first = p_peek(P);
  bool any_f = false;
  int count = 0;
  size_t total = 0;
  for (token *t = first; t->kind == T_STRING; t = p_peek_at(P, ++count)) {
    any_f |= t->fstring;
    total += t->slen;
  }
  token *last = p_peek_at(P, count - 1);
  span sp = p_join(p_tok_span(first), p_tok_span(last));
  if (!any_f) {
    char *buf = p_alloc(P, total + 1);
    if (!buf) return NULL;
    size_t k = 0;
    for (int i = 0; i < count; i++) {
      token *t = p_next(P);
      memcpy(buf + k, t->str, t->slen);
      k += t->slen;
    }
    expr *e = p_new_expr(P, E_STR, sp);
    if (!e) return NULL;
    e->str.s = buf;
    e->str.n = total;
    return e;
  }
  expr *e = p_new_expr(P, E_FSTRING, sp);
  if (!e) return NULL;
  int cap = 0;
  for (int i = 0; i < count; i++) {
    token *t = p_next(P);
    if (t->fstring) {
      expr *f = fstring_body(P, t->str, t->slen, t->line, t->body_col, t->raw);
      if (!f) return NULL;
      for (int k = 0; k < f->fstr.n; k++)
        if (!add_part(P, e, &cap, f->fstr.parts[k])) return NULL;
    } else if (t->slen) {
      char *a = p_strndup(P, t->str, t->slen);
      if (!a || !add_part(P, e, &cap, (fpart){.lit = a, .litn = t->slen})) return NULL;
    }
  }
  return p_finish(P, e) ? e : NULL;
}

