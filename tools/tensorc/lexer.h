/*
 * lexer.h — tokens of the script language (a subset of Python 3).
 *
 * The lexer turns a whole source file into an array of tokens up front, the
 * way CPython's tokenizer does: NEWLINE ends a logical line, INDENT/DEDENT
 * bracket blocks, newlines inside (), [] and {} are ignored, and a backslash
 * joins lines. Keywords are NAME tokens with `kw` set. String literals are
 * decoded (escapes resolved); an f-string keeps its raw body for the parser,
 * which parses the replacement fields itself. Every token carries its span
 * (1-based line, 0-based byte column, end exclusive) for error carets.
 */
#ifndef TCLI_LEXER_H
#define TCLI_LEXER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum tok_kind {
  T_EOF,
  T_NEWLINE,
  T_INDENT,
  T_DEDENT,
  T_NAME,
  T_INT,
  T_FLOAT,
  T_STRING,
  T_OP
} tok_kind;

/* Punctuators. The order of the augmented ones mirrors their plain ones. */
typedef enum op_kind {
  OP_LPAR, OP_RPAR, OP_LSQB, OP_RSQB, OP_LBRACE, OP_RBRACE, OP_COMMA,
  OP_COLON, OP_DOT, OP_SEMI, OP_ASSIGN, OP_ARROW, OP_ELLIPSIS, OP_WALRUS,
  /* binary operators (kept in this order: see binop tables) */
  OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_FLOORDIV, OP_MOD, OP_POW, OP_MATMUL,
  OP_AND, OP_OR, OP_XOR, OP_LSHIFT, OP_RSHIFT,
  /* augmented assignments, same order as the binary operators */
  OP_IADD, OP_ISUB, OP_IMUL, OP_IDIV, OP_IFLOORDIV, OP_IMOD, OP_IPOW,
  OP_IMATMUL, OP_IAND, OP_IOR, OP_IXOR, OP_ILSHIFT, OP_IRSHIFT,
  OP_INVERT,
  /* comparisons */
  OP_LT, OP_GT, OP_LE, OP_GE, OP_EQ, OP_NE,
  OP_NUM_OPS
} op_kind;

typedef enum kw_kind {
  KW_NONE_, /* not a keyword */
  KW_FALSE, KW_NONE, KW_TRUE, KW_AND, KW_AS, KW_ASSERT, KW_ASYNC, KW_AWAIT,
  KW_BREAK, KW_CLASS, KW_CONTINUE, KW_DEF, KW_DEL, KW_ELIF, KW_ELSE,
  KW_EXCEPT, KW_FINALLY, KW_FOR, KW_FROM, KW_GLOBAL, KW_IF, KW_IMPORT, KW_IN,
  KW_IS, KW_LAMBDA, KW_NONLOCAL, KW_NOT, KW_OR, KW_PASS, KW_RAISE, KW_RETURN,
  KW_TRY, KW_WHILE, KW_WITH, KW_YIELD
} kw_kind;

typedef struct token {
  tok_kind kind;
  int line, col;         /* start: 1-based line, 0-based byte column */
  int end_line, end_col; /* end, exclusive */
  const char *text;      /* the source bytes of the token */
  int len;
  op_kind op;    /* T_OP */
  kw_kind kw;    /* T_NAME: the keyword, or KW_NONE_ */
  int64_t ival;  /* T_INT */
  double fval;   /* T_FLOAT */
  char *str;     /* T_STRING: decoded bytes (NUL-terminated), or the raw
                    body of an f-string */
  size_t slen;
  bool fstring;  /* T_STRING: an f-string (str holds the raw body) */
  bool raw;      /* T_STRING: an r-prefixed string */
  int body_col;  /* T_STRING: column where the body starts (f-strings) */
} token;

/* A syntax error: where, which class, and Python's message. */
typedef struct syntax_error {
  int line, col, end_col; /* col 0-based; end_col exclusive (0: one caret) */
  const char *type;       /* "SyntaxError", "IndentationError", "TabError" */
  char msg[200];
} syntax_error;

typedef struct token_list {
  token *toks;
  int n, cap;
} token_list;

/* Tokenizes `src` (`n` bytes; need not be NUL-terminated). On success fills
 * `out` and returns true; on failure fills `err` and returns false (tokens
 * made so far are still in `out` and must be freed). `line_base` and
 * `col_base` shift the reported positions (f-string fields); `fragment`
 * lexes an expression: no INDENT/DEDENT and no final NEWLINE. */
bool lex(const char *src, size_t n, int line_base, int col_base, bool fragment,
         token_list *out, syntax_error *err);
void token_list_free(token_list *tl);

/* Resolves the escapes of a string body (`raw`: none). Returns a malloc'd
 * NUL-terminated string and its length in *outn; NULL when out of memory. */
char *lex_decode_string(const char *s, size_t n, bool raw, size_t *outn);

const char *op_text(op_kind op);

#endif
