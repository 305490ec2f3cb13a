/*
 * kernel_key.c — a compact binary form of a kernel for cache keys.
 *
 * It says exactly what kc_print says (buffers, loop extents, stages, every
 * value and index expression, constants bit for bit) but without formatting
 * text, so looking a kernel up in the cache costs a walk and a hash rather
 * than a printf per node. Shared values are written once and referred to by
 * number (first-visit order), so equal kernels give equal bytes.
 */
#include <stdlib.h>
#include <string.h>
#include "kernel.h"

typedef struct kb {
  uint8_t *p;
  size_t n, cap;
  bool oom;
  const kval **seen; /* values numbered so far */
  int nseen, capseen;
} kb;

static void put(kb *b, const void *src, size_t n) {
  if (b->oom) return;
  if (b->n + n > b->cap) {
    size_t cap = b->cap ? b->cap * 2 : 1024;
    while (cap < b->n + n) cap *= 2;
    uint8_t *p = realloc(b->p, cap);
    if (!p) {
      b->oom = true;
      return;
    }
    b->p = p;
    b->cap = cap;
  }
  memcpy(b->p + b->n, src, n);
  b->n += n;
}

static void put64(kb *b, int64_t v) { put(b, &v, sizeof v); }

static void put_ix(kb *b, const ix *e) {
  if (!e) {
    put64(b, -1);
    return;
  }
  put64(b, e->op);
  switch (e->op) {
  case IX_CONST: put64(b, e->c); break;
  case IX_VAR: put64(b, e->var); break;
  default:
    put_ix(b, e->a);
    put_ix(b, e->b);
  }
}

static void put_val(kb *b, const kval *v) {
  if (!v) {
    put64(b, -1);
    return;
  }
  for (int i = 0; i < b->nseen; i++)
    if (b->seen[i] == v) {
      put64(b, -2 - i); /* a reference to value i */
      return;
    }
  if (b->nseen == b->capseen) {
    int cap = b->capseen ? b->capseen * 2 : 64;
    const kval **s = realloc(b->seen, sizeof *s * cap);
    if (!s) {
      b->oom = true;
      return;
    }
    b->seen = s;
    b->capseen = cap;
  }
  b->seen[b->nseen++] = v;
  int64_t head[4] = {v->kind, v->op, v->dt, 0};
  put(b, head, sizeof head);
  switch (v->kind) {
  case KV_CONST: put64(b, v->k.i); break; /* the union's bits */
  case KV_LOAD:
    put64(b, v->buf);
    put_ix(b, v->index);
    put_val(b, v->a);
    break;
  case KV_ACC: put64(b, v->stage); break;
  case KV_INDEX: put_ix(b, v->index); break;
  case KV_RNG:
    put64(b, (int64_t)v->seed);
    put_ix(b, v->index);
    put_val(b, v->a);
    put_val(b, v->b);
    break;
  case KV_PARAM: put64(b, v->param); break;
  case KV_OP:
    put_val(b, v->a);
    put_val(b, v->b);
    put_val(b, v->c);
    break;
  }
}

/* A fingerprint of the op table (ops.def's names, in order): the key
 * writes ops by number, so a key made before an op was added or moved
 * must never equal one made after (the disk cache outlives builds). */
static uint64_t op_table_hash(void) {
  static const char *const names[] = {
#define X(e, n, a, k) n,
#include "../ir/ops.def"
#undef X
  };
  uint64_t h = 1469598103934665603ull; /* FNV-1a */
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    for (const char *c = names[i];; c++) {
      h = (h ^ (uint8_t)*c) * 1099511628211ull;
      if (!*c) break;
    }
  return h;
}

uint8_t *kc_key(const kernel *k, size_t *len) {
  kb b = {0};
  put64(&b, (int64_t)op_table_hash());
  put64(&b, k->nbufs);
  for (int i = 0; i < k->nbufs; i++) {
    int64_t f[3] = {k->bufs[i].dt, k->bufs[i].nelem, k->bufs[i].written};
    put(&b, f, sizeof f);
  }
  put64(&b, k->serial);
  put64(&b, k->nparams);
  for (int i = 0; i < k->nparams; i++) put64(&b, k->params[i]);
  put64(&b, k->nouter);
  put(&b, k->outer, sizeof(int64_t) * (size_t)k->nouter);
  put64(&b, k->nstages);
  for (int s = 0; s < k->nstages; s++) {
    const kstage *st = &k->stages[s];
    int64_t f[5] = {st->kind, st->n, st->rop, st->acc_dt, st->buf};
    put(&b, f, sizeof f);
    put_ix(&b, st->kind != KS_REDUCE ? st->index : NULL);
    put_val(&b, st->val);
    put_val(&b, st->kind == KS_STORE ? st->dyn : NULL);
    put_val(&b, st->kind == KS_STORE ? st->keep : NULL);
    put_val(&b, st->kind == KS_STORE ? st->init : NULL);
    put64(&b, st->kind == KS_STORE && st->accumulate ? (st->acc_op ? st->acc_op : OP_ADD) : 0);
    put64(&b, st->kind == KS_STORE ? st->scan : 0);
    if (st->kind == KS_MATMUL) {
      const kmm *mm = &st->mm;
      int64_t f2[6] = {mm->a, mm->b, mm->a_off, mm->b_off, mm->a_k, mm->b_k};
      put(&b, f2, sizeof f2);
      put(&b, mm->a_str, sizeof(int64_t) * (size_t)k->nouter);
      put(&b, mm->b_str, sizeof(int64_t) * (size_t)k->nouter);
    }
  }
  free(b.seen);
  if (b.oom) {
    free(b.p);
    return NULL;
  }
  *len = b.n;
  return b.p;
}
