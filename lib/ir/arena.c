/*
 * arena.c — a chunked bump allocator for IR that is freed all at once.
 *
 * The arena keeps a singly linked list of chunks obtained from the
 * tc_allocator hook, newest first. Small requests are carved out of the head
 * chunk (64 KiB) by bumping `used`; when the head is full a fresh chunk
 * becomes the head. Requests bigger than a quarter chunk get a dedicated
 * chunk of exactly their size that is linked in *behind* the head, so the
 * head's remaining space is not wasted. Every block is rounded up to 16 bytes
 * and starts on a 16-byte boundary (chunk data is aligned by hand, so the
 * hook need not return aligned memory), and is zeroed before it is returned.
 * A failed hook call (or a size overflow) returns NULL and sets a->oom;
 * ir_arena_reset hands every chunk back and leaves an empty, usable arena.
 */
#include "arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_ALIGN 16u
#define ARENA_CHUNK ((size_t)64 * 1024)

struct ir_chunk {
  ir_chunk *next;
  char *data; /* first aligned byte after the header */
  size_t cap; /* usable bytes from data */
};

static void *default_alloc(size_t size, void *user) {
  (void)user;
  return malloc(size);
}

static void default_free(void *ptr, void *user) {
  (void)user;
  free(ptr);
}

const tc_allocator ir_default_allocator = {default_alloc, default_free, NULL};

void ir_arena_init(ir_arena *a, const tc_allocator *al) {
  if (!a) return;
  a->al = al ? al : &ir_default_allocator;
  a->head = NULL;
  a->used = a->cap = a->total = 0;
  a->oom = 0;
}

/* A chunk with at least `usable` aligned bytes, or NULL. */
static ir_chunk *new_chunk(ir_arena *a, size_t usable) {
  size_t extra = sizeof(ir_chunk) + ARENA_ALIGN - 1;
  if (usable > SIZE_MAX - extra) return NULL;
  size_t bytes = usable + extra;
  void *mem = a->al->alloc(bytes, a->al->user);
  if (!mem) return NULL;
  ir_chunk *c = mem;
  uintptr_t p = (uintptr_t)(c + 1);
  p = (p + ARENA_ALIGN - 1) & ~(uintptr_t)(ARENA_ALIGN - 1);
  c->data = (char *)p;
  c->cap = bytes - (size_t)(c->data - (char *)mem);
  c->next = NULL;
  a->total += bytes;
  return c;
}

void *ir_arena_alloc(ir_arena *a, size_t size) {
  if (!a) return NULL;
  if (!a->al) ir_arena_init(a, NULL);
  if (size == 0) size = 1;
  if (size > SIZE_MAX - ARENA_ALIGN) {
    a->oom = 1;
    return NULL;
  }
  size = (size + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
  if (a->head && a->cap - a->used >= size) {
    char *p = a->head->data + a->used;
    a->used += size;
    memset(p, 0, size);
    return p;
  }
  if (size > ARENA_CHUNK / 4) {
    /* Dedicated chunk; keep the current head (and its free space) on top. */
    ir_chunk *c = new_chunk(a, size);
    if (!c) {
      a->oom = 1;
      return NULL;
    }
    if (a->head) {
      c->next = a->head->next;
      a->head->next = c;
    } else {
      a->head = c;
      a->used = a->cap = c->cap;
    }
    memset(c->data, 0, size);
    return c->data;
  }
  ir_chunk *c = new_chunk(a, ARENA_CHUNK);
  if (!c) {
    a->oom = 1;
    return NULL;
  }
  c->next = a->head;
  a->head = c;
  a->cap = c->cap;
  a->used = size;
  memset(c->data, 0, size);
  return c->data;
}

void ir_arena_reset(ir_arena *a) {
  if (!a) return;
  ir_chunk *c = a->head;
  while (c) {
    ir_chunk *next = c->next;
    a->al->free(c, a->al->user);
    c = next;
  }
  a->head = NULL;
  a->used = a->cap = a->total = 0;
  a->oom = 0;
}
