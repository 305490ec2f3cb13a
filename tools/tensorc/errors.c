/*
 * errors.c — exceptions: raising them, turning the library's sticky errors
 * into the exceptions PyTorch raises, and printing tracebacks.
 *
 * Library messages name the C function ("tc_add: the size of tensor a (3)
 * must match ..."). ex_translate drops that prefix, restores PyTorch's
 * wording where it differs (a small table: capitalization, the "mm: "
 * prefix of matmul) and picks the exception class from the message
 * (IndexError for out-of-range indices and dims, NotImplementedError where
 * PyTorch raises it, RuntimeError otherwise).
 *
 * A traceback is printed like Python's, with the location as
 * FILE:LINE:COLUMN (1-based column) and carets under the failing
 * expression; the last line is Python's "Type: message".
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "interp.h"
#include "sbuf.h"

void ex_clear(interp *I) {
  v_decref(I->exc);
  I->exc = NULL;
  I->has_exc = false;
  I->exc_sp = (span){0};
}

void *ex_raise_value(interp *I, value *exc) {
  if (I->has_exc) { /* the first exception wins */
    v_decref(exc);
    return NULL;
  }
  I->has_exc = true;
  I->exc = exc;
  I->exc_sp = (span){0};
  return NULL;
}

void *ex_raise(interp *I, exc_type t, const char *fmt, ...) {
  char msg[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  value *e = v_exc(t, msg);
  if (!e) return ex_nomem(I);
  return ex_raise_value(I, e);
}

void *ex_nomem(interp *I) {
  static value oom_args = {.refs = 1 << 30, .kind = V_TUPLE};
  static value oom = {.refs = 1 << 30, .kind = V_EXC, .exc = {X_MEMORY, &oom_args}};
  if (!I->has_exc) {
    oom.refs = 1 << 30; /* never freed: decref only counts down */
    I->has_exc = true;
    I->exc = &oom;
    I->exc_sp = (span){0};
  }
  return NULL;
}

static bool starts(const char *s, const char *p) { return !strncmp(s, p, strlen(p)); }

exc_type ex_translate(const char *msg, char *out, size_t outn) {
  const char *m = msg;
  char fn[64] = "";
  if (starts(m, "tc_")) {
    size_t k = strspn(m, "abcdefghijklmnopqrstuvwxyz_0123456789");
    if (m[k] == ':' && m[k + 1] == ' ' && k < sizeof fn) {
      memcpy(fn, m, k);
      fn[k] = 0;
      m += k + 2;
    }
  }
  static const struct {
    const char *from, *to;
  } rewrite[] = {
      {"the size of tensor", "The size of tensor"},
      {"the expanded size", "The expanded size"},
  };
  const char *prefix = "";
  char body[1024];
  snprintf(body, sizeof body, "%s", m);
  for (size_t i = 0; i < sizeof rewrite / sizeof rewrite[0]; i++)
    if (starts(body, rewrite[i].from)) memcpy(body, rewrite[i].to, strlen(rewrite[i].to));
  if (!strcmp(fn, "tc_matmul") && starts(body, "mat1 and mat2 shapes")) prefix = "mm: ";
  snprintf(out, outn, "%s%s", prefix, body);

  if ((starts(body, "index ") && strstr(body, "out of bounds")) || starts(body, "Dimension out of range") ||
      starts(body, "too many indices") || starts(body, "invalid index of a 0-dim tensor") ||
      starts(body, "index_select(): Index is supposed to be a vector") || starts(body, "start out of range"))
    return X_INDEX;
  if (starts(body, "Negation, the `-`") || starts(body, "Subtraction, the `-`") ||
      strstr(body, "could not infer output dtype") || strstr(body, " not implemented for ") ||
      starts(body, "Boolean inputs not supported") || starts(body, "std and var only support") ||
      strstr(body, "does not support bool input"))
    return X_NOTIMPL;
  return X_RUNTIME;
}

void *ex_from_ctx(interp *I) {
  const char *msg = tc_last_error(I->ctx);
  tc_status st = tc_last_status(I->ctx);
  char out[1200];
  exc_type t;
  if (st == TC_OK || !*msg) {
    t = X_RUNTIME;
    snprintf(out, sizeof out, "tensorc: an operation failed without a message");
  } else {
    t = ex_translate(msg, out, sizeof out);
  }
  tc_clear_error(I->ctx);
  if (st == TC_ERR_OOM && !strstr(out, "out of memory")) t = X_RUNTIME;
  return ex_raise(I, t, "%s", out);
}

/* ---- printing ---------------------------------------------------------------- */

/* The text of line `line` (1-based) of src, without its newline. */
static const char *src_line(const char *src, size_t n, int line, size_t *len) {
  const char *p = src, *end = src + n;
  for (int l = 1; l < line && p < end; l++) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    if (!nl) return NULL;
    p = nl + 1;
  }
  if (p > end || (p == end && line > 1 && (p == src || p[-1] != '\n'))) return NULL;
  const char *nl = memchr(p, '\n', (size_t)(end - p));
  *len = (size_t)((nl ? nl : end) - p);
  if (*len && p[*len - 1] == '\r') (*len)--;
  return p;
}

/* "    source" and "    ^^^" lines, leading whitespace stripped. */
static void show_line(FILE *f, const char *src, size_t n, int line, int col, int end_col) {
  size_t len;
  const char *p = src ? src_line(src, n, line, &len) : NULL;
  if (!p) return;
  size_t ind = 0;
  while (ind < len && (p[ind] == ' ' || p[ind] == '\t' || p[ind] == '\f')) ind++;
  if (ind == len) return;
  fprintf(f, "    %.*s\n", (int)(len - ind), p + ind);
  if (col < (int)ind) col = (int)ind;
  if (col > (int)len) col = (int)len;
  if (end_col <= col || end_col > (int)len) end_col = end_col > (int)len ? (int)len : col + 1;
  if (end_col <= col) end_col = col + 1;
  fputs("    ", f);
  for (int i = (int)ind; i < col; i++) fputc(p[i] == '\t' ? '\t' : ' ', f);
  for (int i = col; i < end_col; i++) fputc('^', f);
  fputc('\n', f);
}

void ex_print(interp *I, FILE *f) {
  if (!I->has_exc) return;
  span sp = I->exc_sp;
  fputs("Traceback (most recent call last):\n", f);
  if (sp.line > 0) {
    fprintf(f, "  %s:%d:%d\n", I->filename, sp.line, sp.col + 1);
    show_line(f, I->src, I->srclen, sp.line, sp.col, sp.end_line == sp.line ? sp.end_col : 1 << 30);
  }
  value *s = v_to_str(I, I->exc); /* may replace nothing: has_exc is set */
  const char *name = exc_name(I->exc->exc.type);
  if (s && s->str.n) fprintf(f, "%s: %s\n", name, s->str.s);
  else fprintf(f, "%s\n", name);
  v_decref(s);
}

void ex_print_syntax(const char *filename, const char *src, size_t n, const syntax_error *e, FILE *f) {
  fprintf(f, "  %s:%d:%d\n", filename, e->line, e->col + 1);
  show_line(f, src, n, e->line, e->col, e->end_col);
  fprintf(f, "%s: %s\n", e->type ? e->type : "SyntaxError", e->msg);
}
