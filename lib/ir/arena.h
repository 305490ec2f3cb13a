/*
 * arena.h — bump allocation for IR that lives and dies together (a graph's
 * index expressions, a kernel's IR). Chunks come from the context's
 * allocator hook; ir_arena_alloc returns NULL when it fails (callers
 * propagate NULL: builders given NULL return NULL).
 */
#ifndef TC_IR_ARENA_H
#define TC_IR_ARENA_H
#include <stddef.h>
#include "tensorc.h"

typedef struct ir_chunk ir_chunk;
typedef struct ir_arena {
  const tc_allocator *al; /* never NULL once initialized */
  ir_chunk *head;         /* newest chunk first */
  size_t used, cap;       /* bytes used/available in head */
  size_t total;           /* bytes obtained, for stats */
  int oom;                /* set when an allocation failed */
} ir_arena;

void ir_arena_init(ir_arena *a, const tc_allocator *al);
/* Zeroed, 16-byte aligned memory, or NULL (and a->oom = 1). */
void *ir_arena_alloc(ir_arena *a, size_t size);
/* Releases every chunk; the arena may be used again. */
void ir_arena_reset(ir_arena *a);

/* The default allocator (malloc/free). */
extern const tc_allocator ir_default_allocator;

#endif
