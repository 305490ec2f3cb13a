/*
 * ast.h — the syntax tree of a script, and the parser's entry point.
 *
 * Expressions and statements mirror Python's `ast` module, cut down to the
 * subset tensorc runs. Every node carries its source span for carets. All
 * nodes and strings live in one arena owned by the program, so a parse is
 * freed in one call whether it succeeded or not (the fuzzer relies on it).
 * Expression trees are at most AST_MAX_DEPTH deep, so the recursive
 * evaluator cannot overflow the stack.
 */
#ifndef TCLI_AST_H
#define TCLI_AST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lexer.h"

#define AST_MAX_DEPTH 800

typedef struct span {
  int line, col, end_line, end_col; /* col 0-based, end exclusive */
} span;

typedef enum expr_kind {
  E_NAME, E_INT, E_FLOAT, E_STR, E_BOOL, E_NONE, E_ELLIPSIS,
  E_TUPLE, E_LIST, E_UNARY, E_BINARY, E_BOOLOP, E_NOT, E_COMPARE, E_CALL,
  E_ATTR, E_SUBSCRIPT, E_SLICE, E_IFEXP, E_FSTRING, E_LISTCOMP, E_STARRED,
  E_LAMBDA
} expr_kind;

typedef enum cmp_kind {
  CMP_LT, CMP_GT, CMP_LE, CMP_GE, CMP_EQ, CMP_NE, CMP_IN, CMP_NOT_IN, CMP_IS,
  CMP_IS_NOT
} cmp_kind;

typedef struct expr expr;
typedef struct stmt stmt;

typedef struct keyword {
  const char *name; /* NULL: `**value` */
  expr *value;
  span sp;
} keyword;

/* One piece of an f-string: literal text, or a replacement field. */
typedef struct fpart {
  const char *lit; /* literal text (decoded), or NULL for a field */
  size_t litn;
  expr *value;     /* the field's expression */
  char conv;       /* 0, 'r', 's' or 'a' */
  expr *spec;      /* the format spec (an E_FSTRING), or NULL */
} fpart;

typedef struct comp_for {
  expr *target, *iter;
  expr **conds;
  int nconds;
} comp_for;

typedef struct params {
  const char **names;
  expr **defaults; /* defaults[i] or NULL */
  int n;
} params;

struct expr {
  expr_kind kind;
  span sp;
  int depth; /* height of the tree below (leaves 1) */
  union {
    const char *name;   /* E_NAME */
    int64_t ival;       /* E_INT */
    double fval;        /* E_FLOAT */
    bool bval;          /* E_BOOL */
    struct {
      const char *s;
      size_t n;
    } str;              /* E_STR */
    struct {
      expr **items;
      int n;
    } seq;              /* E_TUPLE, E_LIST */
    struct {
      op_kind op; /* OP_ADD, OP_SUB, OP_INVERT */
      expr *operand;
    } unary;            /* E_UNARY, and E_NOT (operand only), E_STARRED */
    struct {
      op_kind op;
      expr *l, *r;
    } bin;              /* E_BINARY */
    struct {
      bool is_and;
      expr **items;
      int n;
    } boolop;           /* E_BOOLOP */
    struct {
      expr *first;
      cmp_kind *ops;
      expr **rest;
      int n;
    } cmp;              /* E_COMPARE: first ops[0] rest[0] ops[1] rest[1] ... */
    struct {
      expr *fn;
      expr **args; /* may include E_STARRED */
      int nargs;
      keyword *kws;
      int nkws;
    } call;             /* E_CALL */
    struct {
      expr *obj;
      const char *name;
      span name_sp;
    } attr;             /* E_ATTR */
    struct {
      expr *obj, *index;
    } sub;              /* E_SUBSCRIPT */
    struct {
      expr *lo, *hi, *step; /* each may be NULL */
    } slice;            /* E_SLICE */
    struct {
      expr *cond, *then, *orelse;
    } ifexp;            /* E_IFEXP */
    struct {
      fpart *parts;
      int n;
    } fstr;             /* E_FSTRING */
    struct {
      expr *elt;
      comp_for *fors;
      int nfors;
    } comp;             /* E_LISTCOMP */
    struct {
      params p;
      expr *body;
    } lambda;           /* E_LAMBDA */
  };
};

typedef enum stmt_kind {
  S_EXPR, S_ASSIGN, S_AUGASSIGN, S_IF, S_FOR, S_WHILE, S_BREAK, S_CONTINUE,
  S_PASS, S_ASSERT, S_TRY, S_IMPORT, S_FROM_IMPORT, S_RAISE, S_DEL, S_DEF,
  S_RETURN, S_GLOBAL
} stmt_kind;

typedef struct handler {
  expr *type;       /* NULL: bare `except:` */
  const char *name; /* `as name`, or NULL */
  stmt *body;
  span sp;
} handler;

struct stmt {
  stmt_kind kind;
  span sp;
  stmt *next; /* the next statement of the same block */
  union {
    expr *e; /* S_EXPR, S_RETURN (may be NULL), S_RAISE (may be NULL) */
    struct {
      expr **targets;
      int ntargets;
      expr *value;
    } assign;
    struct {
      expr *target;
      op_kind op; /* the binary operator (OP_ADD for +=) */
      expr *value;
    } aug;
    struct {
      expr *cond;
      stmt *body, *orelse;
    } if_;     /* S_IF and S_WHILE */
    struct {
      expr *target, *iter;
      stmt *body, *orelse;
    } for_;
    struct {
      expr *test, *msg;
    } assert_;
    struct {
      stmt *body;
      handler *handlers;
      int nhandlers;
      stmt *orelse, *finally;
    } try_;
    struct {
      const char **modules; /* dotted names */
      const char **aliases; /* NULL entries when no `as` */
      int n;
    } import;  /* S_IMPORT; S_FROM_IMPORT uses modules[0] as the source
                  module and `names` for the imported names */
    struct {
      const char *module;
      const char **names, **aliases;
      int n;
    } from;
    struct {
      expr **targets;
      int n;
    } del;
    struct {
      const char *name;
      params p;
      stmt *body;
    } def;
    struct {
      const char **names;
      int n;
    } global;
  };
};

typedef struct ast_arena ast_arena;

typedef struct program {
  ast_arena *arena;
  stmt *body;
} program;

/* Parses a whole file. Returns true and fills `out` on success; on failure
 * fills `err`. Either way `out` must be freed with program_free. */
bool parse_program(const char *src, size_t n, program *out, syntax_error *err);
void program_free(program *p);

#endif
