/*
 * sbuf.h — a growable string buffer for building dumps (dump.c's merged
 * graph). An allocation failure sets `oom` and later appends do nothing, so
 * callers check once at the end.
 */
#ifndef TCLI_SBUF_H
#define TCLI_SBUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct sbuf {
  char *s;
  size_t n, cap;
  bool oom;
} sbuf;

static inline bool sb_reserve(sbuf *b, size_t more) {
  if (b->oom) return false;
  if (b->n + more + 1 <= b->cap) return true;
  size_t cap = b->cap ? b->cap : 64;
  while (cap < b->n + more + 1) {
    if (cap > ((size_t)1 << 40)) {
      b->oom = true;
      return false;
    }
    cap *= 2;
  }
  char *s = realloc(b->s, cap);
  if (!s) {
    b->oom = true;
    return false;
  }
  b->s = s;
  b->cap = cap;
  return true;
}

static inline void sb_addn(sbuf *b, const char *s, size_t n) {
  if (!sb_reserve(b, n)) return;
  if (n) memcpy(b->s + b->n, s, n);
  b->n += n;
  b->s[b->n] = 0;
}

static inline void sb_add(sbuf *b, const char *s) { sb_addn(b, s, strlen(s)); }
static inline void sb_addc(sbuf *b, char c) { sb_addn(b, &c, 1); }

static inline void sb_printf(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static inline void sb_printf(sbuf *b, const char *fmt, ...) {
  char tmp[512];
  va_list ap;
  va_start(ap, fmt);
  int k = vsnprintf(tmp, sizeof tmp, fmt, ap);
  va_end(ap);
  if (k < 0) return;
  if ((size_t)k < sizeof tmp) {
    sb_addn(b, tmp, (size_t)k);
    return;
  }
  if (!sb_reserve(b, (size_t)k)) return;
  va_start(ap, fmt);
  vsnprintf(b->s + b->n, (size_t)k + 1, fmt, ap);
  va_end(ap);
  b->n += (size_t)k;
}

/* Takes the string out of the buffer (never NULL unless out of memory). */
static inline char *sb_take(sbuf *b) {
  if (b->oom) {
    free(b->s);
    b->s = NULL;
    return NULL;
  }
  if (!b->s && !sb_reserve(b, 0)) return NULL;
  if (b->n == 0) b->s[0] = 0;
  char *s = b->s;
  b->s = NULL;
  b->n = b->cap = 0;
  return s;
}

static inline void sb_free(sbuf *b) {
  free(b->s);
  b->s = NULL;
  b->n = b->cap = 0;
}

#endif
