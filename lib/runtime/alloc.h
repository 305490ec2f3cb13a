/*
 * alloc.h — the caching allocator for tensor buffers. Blocks are 64-byte
 * aligned and rounded up to a size class (multiples of 64 bytes up to 4 KiB,
 * then 4 classes per power of two); a block given back with rt_alloc_put is
 * kept and handed out again for a request of the same class. Every byte
 * comes from the context's allocator hook. Not thread-safe: one thread at a
 * time, like the context that owns it.
 */
#ifndef TC_RUNTIME_ALLOC_H
#define TC_RUNTIME_ALLOC_H
#include <stdbool.h>
#include <stddef.h>
#include "tensorc.h"

typedef struct rt_alloc rt_alloc;

/* Default cap on the bytes kept cached (1 GiB). */
#define RT_ALLOC_DEFAULT_CACHE_LIMIT ((size_t)1 << 30)

/* `al` NULL: malloc/free. The hook is copied. NULL when allocation fails. */
rt_alloc *rt_alloc_new(const tc_allocator *al);
/* A 64-byte aligned block of at least `bytes` bytes (bytes == 0 gives a valid
 * minimal block), or NULL when the hook fails (after the cache was trimmed
 * and the hook tried again). *reused (when `reused` is not NULL) is set to 1
 * when the block came from the cache, else 0. */
void *rt_alloc_get(rt_alloc *A, size_t bytes, int *reused);
/* Gives a block from rt_alloc_get back: cached, or returned to the hook when
 * the cache would exceed its limit. NULL is a no-op. */
void rt_alloc_put(rt_alloc *A, void *p);
/* Returns every cached block to the hook. */
void rt_alloc_trim(rt_alloc *A);
/* Returns the cached blocks and the allocator itself to the hook. Blocks
 * still out are not tracked and stay the caller's. NULL is a no-op. */
void rt_alloc_free(rt_alloc *A);
/* Bytes obtained from the hook for blocks since rt_alloc_new (cumulative;
 * includes the per-block header and alignment slack). */
size_t rt_alloc_bytes_obtained(const rt_alloc *A);
/* Usable bytes currently cached. */
size_t rt_alloc_bytes_cached(const rt_alloc *A);
/* Caps the cached bytes (0: cache nothing); trims blocks beyond the cap. */
void rt_alloc_set_cache_limit(rt_alloc *A, size_t bytes);

/* The size classes, for other caches (gpu.c's device blocks): rounds bytes
 * up to its class size *cls with index *idx < RT_ALLOC_NCLASSES; false when
 * bytes is too large for any class. */
#define RT_ALLOC_NCLASSES 264
bool rt_alloc_class(size_t bytes, size_t *cls, unsigned *idx);

#endif
