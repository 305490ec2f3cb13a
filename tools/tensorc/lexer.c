/*
 * lexer.c — source text to tokens, following CPython's tokenizer closely
 * enough that the same inputs fail with the same messages: indentation is a
 * stack of column widths (a tab advances to the next multiple of 8), blank
 * and comment-only lines are skipped, and bracket depth suppresses NEWLINE.
 * Limits protect the later recursive stages: at most 100 indentation levels
 * and 200 open brackets, as CPython. Decoded strings are malloc'd per token
 * and freed by token_list_free.
 */
#include "lexer.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_INDENT 100
#define MAX_PARENS 200

typedef struct lexer {
  const char *src;
  size_t n, pos;
  int line;       /* 1-based line of src[pos] */
  size_t line_at; /* offset of the start of the current line */
  int line_base, col_base;
  bool fragment;
  int indents[MAX_INDENT + 1]; /* widths with tabs to multiples of 8 */
  int alt[MAX_INDENT + 1];     /* widths with tabs as 1 column (TabError) */
  int nindent;
  char parens[MAX_PARENS];
  int paren_line[MAX_PARENS], paren_col[MAX_PARENS];
  int nparen;
  token_list *out;
  syntax_error *err;
} lexer;

static const char *op_texts[OP_NUM_OPS] = {
    "(", ")", "[", "]", "{", "}", ",", ":", ".", ";", "=", "->", "...", ":=",
    "+", "-", "*", "/", "//", "%", "**", "@", "&", "|", "^", "<<", ">>",
    "+=", "-=", "*=", "/=", "//=", "%=", "**=", "@=", "&=", "|=", "^=", "<<=", ">>=",
    "~", "<", ">", "<=", ">=", "==", "!="};

const char *op_text(op_kind op) { return op >= 0 && op < OP_NUM_OPS ? op_texts[op] : "?"; }

static const char *kw_names[] = {
    "", "False", "None", "True", "and", "as", "assert", "async", "await", "break",
    "class", "continue", "def", "del", "elif", "else", "except", "finally", "for",
    "from", "global", "if", "import", "in", "is", "lambda", "nonlocal", "not", "or",
    "pass", "raise", "return", "try", "while", "with", "yield"};

static int col_of(lexer *L, size_t at) { return (int)(at - L->line_at) + (L->line == 1 ? L->col_base : 0); }
static int line_of(lexer *L) { return L->line + L->line_base; }

static bool fail(lexer *L, const char *type, int line, int col, int end_col, const char *fmt, ...) {
  L->err->type = type;
  L->err->line = line;
  L->err->col = col;
  L->err->end_col = end_col;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(L->err->msg, sizeof L->err->msg, fmt, ap);
  va_end(ap);
  return false;
}

static token *push(lexer *L, tok_kind k, size_t start, size_t end) {
  token_list *tl = L->out;
  if (tl->n == tl->cap) {
    int cap = tl->cap ? tl->cap * 2 : 256;
    token *t = realloc(tl->toks, sizeof(token) * (size_t)cap);
    if (!t) return NULL;
    tl->toks = t;
    tl->cap = cap;
  }
  token *t = &tl->toks[tl->n++];
  memset(t, 0, sizeof *t);
  t->kind = k;
  t->line = t->end_line = line_of(L);
  t->col = col_of(L, start);
  t->end_col = col_of(L, end);
  t->text = L->src + start;
  t->len = (int)(end - start);
  return t;
}

static bool oom(lexer *L) { return fail(L, "MemoryError", line_of(L), 0, 0, "out of memory"); }

static void put_utf8(char *d, size_t *k, unsigned long c) {
  if (c < 0x80) {
    d[(*k)++] = (char)c;
  } else if (c < 0x800) {
    d[(*k)++] = (char)(0xC0 | (c >> 6));
    d[(*k)++] = (char)(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    d[(*k)++] = (char)(0xE0 | (c >> 12));
    d[(*k)++] = (char)(0x80 | ((c >> 6) & 0x3F));
    d[(*k)++] = (char)(0x80 | (c & 0x3F));
  } else {
    d[(*k)++] = (char)(0xF0 | ((c >> 18) & 0x07));
    d[(*k)++] = (char)(0x80 | ((c >> 12) & 0x3F));
    d[(*k)++] = (char)(0x80 | ((c >> 6) & 0x3F));
    d[(*k)++] = (char)(0x80 | (c & 0x3F));
  }
}

static int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

char *lex_decode_string(const char *s, size_t n, bool raw, size_t *outn) {
  char *d = malloc(n + 1);
  if (!d) return NULL;
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if (c != '\\' || raw || i + 1 >= n) {
      d[k++] = c;
      if (c == '\\' && raw && i + 1 < n) d[k++] = s[++i]; /* r"\"" keeps both */
      continue;
    }
    char e = s[++i];
    switch (e) {
    case '\n': break;
    case '\\': d[k++] = '\\'; break;
    case '\'': d[k++] = '\''; break;
    case '"': d[k++] = '"'; break;
    case 'a': d[k++] = '\a'; break;
    case 'b': d[k++] = '\b'; break;
    case 'f': d[k++] = '\f'; break;
    case 'n': d[k++] = '\n'; break;
    case 'r': d[k++] = '\r'; break;
    case 't': d[k++] = '\t'; break;
    case 'v': d[k++] = '\v'; break;
    case 'x': case 'u': case 'U': {
      int digits = e == 'x' ? 2 : e == 'u' ? 4 : 8;
      unsigned long v = 0;
      int j = 0;
      for (; j < digits && i + 1 + j < n && hexval(s[i + 1 + j]) >= 0; j++)
        v = v * 16 + (unsigned long)hexval(s[i + 1 + j]);
      if (j < digits || v > 0x10FFFF) { /* malformed: keep it literally */
        d[k++] = '\\';
        d[k++] = e;
        break;
      }
      i += (size_t)digits;
      put_utf8(d, &k, v);
      break;
    }
    default:
      if (e >= '0' && e <= '7') {
        unsigned v = 0;
        int j = 0;
        for (; j < 3 && i + j < n && s[i + j] >= '0' && s[i + j] <= '7'; j++) v = v * 8 + (unsigned)(s[i + j] - '0');
        i += (size_t)j - 1;
        put_utf8(d, &k, v);
      } else {
        d[k++] = '\\';
        d[k++] = e;
      }
    }
  }
  d[k] = 0;
  *outn = k;
  return d;
}

static bool is_name_start(unsigned char c) { return isalpha(c) || c == '_' || c >= 0x80; }
static bool is_name_char(unsigned char c) { return isalnum(c) || c == '_' || c >= 0x80; }

static bool lex_string(lexer *L, size_t start, size_t q, bool raw, bool fstr) {
  const char *s = L->src;
  char quote = s[q];
  bool triple = q + 2 < L->n && s[q + 1] == quote && s[q + 2] == quote;
  size_t body = q + (triple ? 3 : 1), i = body;
  int start_line = line_of(L), start_col = col_of(L, start);
  size_t start_line_at = L->line_at;
  int line = L->line;
  size_t line_at = L->line_at;
  for (;;) {
    if (i >= L->n || (!triple && s[i] == '\n')) {
      return fail(L, "SyntaxError", start_line, start_col, 0,
                  triple ? "unterminated triple-quoted string literal (detected at line %d)"
                         : "unterminated string literal (detected at line %d)",
                  line + L->line_base);
    }
    if (s[i] == '\\' && i + 1 < L->n) {
      if (s[i + 1] == '\n') {
        line++;
        line_at = i + 2;
      }
      i += 2;
      continue;
    }
    if (s[i] == '\n') {
      line++;
      line_at = i + 1;
    }
    if (s[i] == quote && (!triple || (i + 2 < L->n && s[i + 1] == quote && s[i + 2] == quote))) break;
    i++;
  }
  size_t body_end = i, end = i + (triple ? 3 : 1);
  token *t = push(L, T_STRING, start, end);
  if (!t) return oom(L);
  t->line = start_line;
  t->col = start_col;
  t->end_line = line + L->line_base;
  t->end_col = (int)(end - line_at) + (line == 1 ? L->col_base : 0);
  t->body_col = start_col + (int)(body - start);
  (void)start_line_at;
  t->fstring = fstr;
  t->raw = raw;
  if (fstr) {
    t->str = malloc(body_end - body + 1);
    if (!t->str) return oom(L);
    memcpy(t->str, s + body, body_end - body);
    t->str[body_end - body] = 0;
    t->slen = body_end - body;
  } else {
    t->str = lex_decode_string(s + body, body_end - body, raw, &t->slen);
    if (!t->str) return oom(L);
  }
  L->line = line;
  L->line_at = line_at;
  L->pos = end;
  return true;
}

static bool lex_number(lexer *L, size_t start) {
  const char *s = L->src;
  size_t i = start;
  bool is_float = false;
  int base = 10;
  if (s[i] == '0' && i + 1 < L->n && strchr("xXoObB", s[i + 1])) {
    base = strchr("xX", s[i + 1]) ? 16 : strchr("oO", s[i + 1]) ? 8 : 2;
    i += 2;
    while (i < L->n && (isalnum((unsigned char)s[i]) || s[i] == '_')) i++;
  } else {
    while (i < L->n && (isdigit((unsigned char)s[i]) || s[i] == '_')) i++;
    if (i < L->n && s[i] == '.') {
      is_float = true;
      i++;
      while (i < L->n && (isdigit((unsigned char)s[i]) || s[i] == '_')) i++;
    }
    if (i < L->n && (s[i] == 'e' || s[i] == 'E')) {
      size_t j = i + 1;
      if (j < L->n && (s[j] == '+' || s[j] == '-')) j++;
      if (j < L->n && isdigit((unsigned char)s[j])) {
        is_float = true;
        i = j;
        while (i < L->n && (isdigit((unsigned char)s[i]) || s[i] == '_')) i++;
      }
    }
  }
  int line = line_of(L), col = col_of(L, start);
  if (i < L->n && (s[i] == 'j' || s[i] == 'J'))
    return fail(L, "SyntaxError", line, col, col_of(L, i + 1), "complex numbers are not supported by tensorc");
  if (i < L->n && is_name_char((unsigned char)s[i]))
    return fail(L, "SyntaxError", line, col, 0,
                base == 10 ? "invalid decimal literal" : base == 16 ? "invalid hexadecimal literal"
                : base == 8 ? "invalid octal literal" : "invalid binary literal");
  /* copy without underscores */
  char buf[128];
  size_t k = 0;
  for (size_t j = start + (base == 10 ? 0 : 2); j < i && k < sizeof buf - 1; j++)
    if (s[j] != '_') buf[k++] = s[j];
  buf[k] = 0;
  if (s[i - 1] == '_' || strstr(buf, "__") || k == 0)
    return fail(L, "SyntaxError", line, col, 0, "invalid %s literal", base == 10 ? "decimal" : "number");
  token *t = push(L, is_float ? T_FLOAT : T_INT, start, i);
  if (!t) return oom(L);
  if (is_float) {
    t->fval = strtod(buf, NULL);
  } else {
    if (base == 10 && buf[0] == '0' && strspn(buf, "0") != k)
      return fail(L, "SyntaxError", line, col, col_of(L, i),
                  "leading zeros in decimal integer literals are not permitted; use an 0o prefix for octal integers");
    errno = 0;
    char *end;
    unsigned long long v = strtoull(buf, &end, base);
    if (*end) return fail(L, "SyntaxError", line, col, 0, "invalid digit in number literal");
    if (errno || v > (unsigned long long)INT64_MAX)
      return fail(L, "SyntaxError", line, col, col_of(L, i),
                  "integer literal too large (tensorc's ints are 64-bit)");
    t->ival = (int64_t)v;
  }
  L->pos = i;
  return true;
}

static const struct { const char *text; op_kind op; } ops3[] = {
    {"**=", OP_IPOW}, {"//=", OP_IFLOORDIV}, {"<<=", OP_ILSHIFT}, {">>=", OP_IRSHIFT},
    {"...", OP_ELLIPSIS}}, ops2[] = {
    {"**", OP_POW}, {"//", OP_FLOORDIV}, {"<<", OP_LSHIFT}, {">>", OP_RSHIFT}, {"<=", OP_LE},
    {">=", OP_GE}, {"==", OP_EQ}, {"!=", OP_NE}, {"->", OP_ARROW}, {":=", OP_WALRUS},
    {"+=", OP_IADD}, {"-=", OP_ISUB}, {"*=", OP_IMUL}, {"/=", OP_IDIV}, {"%=", OP_IMOD},
    {"@=", OP_IMATMUL}, {"&=", OP_IAND}, {"|=", OP_IOR}, {"^=", OP_IXOR}};
static const char ops1_chars[] = "()[]{},:.;=+-*/%@&|^~<>";
static const op_kind ops1[] = {OP_LPAR, OP_RPAR, OP_LSQB, OP_RSQB, OP_LBRACE, OP_RBRACE,
                               OP_COMMA, OP_COLON, OP_DOT, OP_SEMI, OP_ASSIGN, OP_ADD,
                               OP_SUB, OP_MUL, OP_DIV, OP_MOD, OP_MATMUL, OP_AND, OP_OR,
                               OP_XOR, OP_INVERT, OP_LT, OP_GT};

static bool lex_op(lexer *L, size_t start) {
  const char *s = L->src + start;
  size_t left = L->n - start;
  op_kind op = OP_NUM_OPS;
  size_t len = 0;
  for (size_t i = 0; i < sizeof ops3 / sizeof ops3[0] && !len; i++)
    if (left >= 3 && !memcmp(s, ops3[i].text, 3)) op = ops3[i].op, len = 3;
  for (size_t i = 0; i < sizeof ops2 / sizeof ops2[0] && !len; i++)
    if (left >= 2 && !memcmp(s, ops2[i].text, 2)) op = ops2[i].op, len = 2;
  if (!len) {
    const char *p = *s ? strchr(ops1_chars, *s) : NULL;
    int line = line_of(L), col = col_of(L, start);
    if (!p) {
      unsigned char c = (unsigned char)*s;
      if (c == '!' ) return fail(L, "SyntaxError", line, col, 0, "invalid syntax");
      if (c < 0x20 || c == 0x7f)
        return fail(L, "SyntaxError", line, col, 0, "invalid non-printable character U+%04X", c);
      return fail(L, "SyntaxError", line, col, 0, "invalid syntax");
    }
    op = ops1[p - ops1_chars];
    len = 1;
  }
  int line = line_of(L), col = col_of(L, start);
  if (op == OP_LPAR || op == OP_LSQB || op == OP_LBRACE) {
    if (L->nparen >= MAX_PARENS) return fail(L, "SyntaxError", line, col, 0, "too many nested parentheses");
    L->parens[L->nparen] = *s;
    L->paren_line[L->nparen] = line;
    L->paren_col[L->nparen] = col;
    L->nparen++;
  } else if (op == OP_RPAR || op == OP_RSQB || op == OP_RBRACE) {
    if (!L->nparen) return fail(L, "SyntaxError", line, col, 0, "unmatched '%c'", *s);
    char open = L->parens[L->nparen - 1];
    char want = open == '(' ? ')' : open == '[' ? ']' : '}';
    if (*s != want) {
      if (L->paren_line[L->nparen - 1] != line)
        return fail(L, "SyntaxError", line, col, 0,
                    "closing parenthesis '%c' does not match opening parenthesis '%c' on line %d", *s,
                    open, L->paren_line[L->nparen - 1]);
      return fail(L, "SyntaxError", line, col, 0,
                  "closing parenthesis '%c' does not match opening parenthesis '%c'", *s, open);
    }
    L->nparen--;
  }
  token *t = push(L, T_OP, start, start + len);
  if (!t) return oom(L);
  t->op = op;
  L->pos = start + len;
  return true;
}

/* Measures the indentation of the line at L->pos and emits INDENT/DEDENT.
 * Returns false on error; sets *skip when the line is blank or a comment. */
static bool lex_indent(lexer *L, bool *skip) {
  const char *s = L->src;
  size_t i = L->pos;
  int width = 0, alt = 0;
  while (i < L->n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\f')) {
    if (s[i] == '\t') width = (width / 8 + 1) * 8, alt++;
    else if (s[i] == ' ') width++, alt++;
    else width = alt = 0;
    i++;
  }
  L->pos = i;
  *skip = i >= L->n || s[i] == '#' || s[i] == '\n' || s[i] == '\r' ||
          (s[i] == '\\' && i + 1 < L->n && s[i + 1] == '\n');
  if (*skip) return true;
  int line = line_of(L);
  /* CPython's check: the order must not depend on the tab size */
  int top = L->indents[L->nindent], atop = L->alt[L->nindent];
  if ((width > top) != (alt > atop) || (width == top) != (alt == atop))
    return fail(L, "TabError", line, 0, 0, "inconsistent use of tabs and spaces in indentation");
  if (width > top) {
    if (L->nindent >= MAX_INDENT)
      return fail(L, "IndentationError", line, width, 0, "too many levels of indentation");
    L->nindent++;
    L->indents[L->nindent] = width;
    L->alt[L->nindent] = alt;
    if (!push(L, T_INDENT, i, i)) return oom(L);
  } else {
    while (width < L->indents[L->nindent]) {
      L->nindent--;
      if (!push(L, T_DEDENT, i, i)) return oom(L);
    }
    if (width != L->indents[L->nindent])
      return fail(L, "IndentationError", line, 0, 0,
                  "unindent does not match any outer indentation level");
    if (alt != L->alt[L->nindent])
      return fail(L, "TabError", line, 0, 0, "inconsistent use of tabs and spaces in indentation");
  }
  return true;
}

bool lex(const char *src, size_t n, int line_base, int col_base, bool fragment, token_list *out,
         syntax_error *err) {
  lexer L = {.src = src, .n = n, .line = 1, .line_base = line_base, .col_base = col_base,
             .fragment = fragment, .out = out, .err = err};
  out->toks = NULL;
  out->n = out->cap = 0;
  if (memchr(src, 0, n)) {
    size_t at = (size_t)((const char *)memchr(src, 0, n) - src);
    int line = 1;
    for (size_t i = 0; i < at; i++) line += src[i] == '\n';
    return fail(&L, "SyntaxError", line + line_base, 0, 0, "source code cannot contain null bytes");
  }
  bool at_line_start = !fragment;
  bool line_has_tokens = false;
  while (L.pos < L.n || at_line_start) {
    if (at_line_start) {
      at_line_start = false;
      if (L.nparen == 0) {
        bool skip;
        if (!lex_indent(&L, &skip)) return false;
        (void)skip;
      }
      if (L.pos >= L.n) break;
    }
    const char *s = src;
    size_t i = L.pos;
    unsigned char c = (unsigned char)s[i];
    if (c == ' ' || c == '\t' || c == '\f' || c == '\r') {
      L.pos++;
      continue;
    }
    if (c == '#') {
      while (L.pos < L.n && s[L.pos] != '\n') L.pos++;
      continue;
    }
    if (c == '\\') {
      size_t j = i + 1;
      if (j < L.n && s[j] == '\r') j++;
      if (j < L.n && s[j] == '\n') {
        L.pos = j + 1;
        L.line++;
        L.line_at = L.pos;
        continue;
      }
      return fail(&L, "SyntaxError", line_of(&L), col_of(&L, i), 0,
                  "unexpected character after line continuation character");
    }
    if (c == '\n') {
      if (L.nparen == 0 && line_has_tokens && !fragment) {
        if (!push(&L, T_NEWLINE, i, i + 1)) return oom(&L);
        line_has_tokens = false;
      }
      L.pos++;
      L.line++;
      L.line_at = L.pos;
      if (L.nparen == 0 && !fragment) at_line_start = true;
      continue;
    }
    line_has_tokens = true;
    if (is_name_start(c)) {
      size_t j = i;
      while (j < L.n && is_name_char((unsigned char)s[j])) j++;
      /* string prefixes */
      if (j < L.n && (s[j] == '\'' || s[j] == '"') && j - i <= 2) {
        bool raw = false, f = false, b = false, ok = true;
        for (size_t k = i; k < j; k++) {
          char p = (char)tolower((unsigned char)s[k]);
          if (p == 'r') raw = true;
          else if (p == 'f') f = true;
          else if (p == 'b') b = true;
          else if (p != 'u' || j - i != 1) ok = false;
        }
        if (ok) {
          if (b)
            return fail(&L, "SyntaxError", line_of(&L), col_of(&L, i), 0,
                        "bytes literals are not supported by tensorc");
          if (!lex_string(&L, i, j, raw, f)) return false;
          continue;
        }
      }
      token *t = push(&L, T_NAME, i, j);
      if (!t) return oom(&L);
      for (int k = 1; k < (int)(sizeof kw_names / sizeof kw_names[0]); k++)
        if ((size_t)t->len == strlen(kw_names[k]) && !memcmp(t->text, kw_names[k], (size_t)t->len))
          t->kw = (kw_kind)k;
      L.pos = j;
      continue;
    }
    if (isdigit(c) || (c == '.' && i + 1 < L.n && isdigit((unsigned char)s[i + 1]))) {
      if (!lex_number(&L, i)) return false;
      continue;
    }
    if (c == '\'' || c == '"') {
      if (!lex_string(&L, i, i, false, false)) return false;
      continue;
    }
    if (!lex_op(&L, i)) return false;
  }
  if (L.nparen)
    return fail(&L, "SyntaxError", L.paren_line[L.nparen - 1], L.paren_col[L.nparen - 1], 0,
                "'%c' was never closed", L.parens[L.nparen - 1]);
  if (!fragment) {
    if (line_has_tokens && !push(&L, T_NEWLINE, L.n, L.n)) return oom(&L);
    while (L.nindent > 0) {
      L.nindent--;
      if (!push(&L, T_DEDENT, L.n, L.n)) return oom(&L);
    }
  }
  if (!push(&L, T_EOF, L.n, L.n)) return oom(&L);
  return true;
}

void token_list_free(token_list *tl) {
  if (!tl) return;
  for (int i = 0; i < tl->n; i++) free(tl->toks[i].str);
  free(tl->toks);
  tl->toks = NULL;
  tl->n = tl->cap = 0;
}
