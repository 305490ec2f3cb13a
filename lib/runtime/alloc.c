/*
 * alloc.c — the caching allocator behind alloc.h.
 *
 * Design. A request is rounded up to a size class: multiples of 64 bytes up
 * to 4 KiB (classes 0..63), then 4 classes per power of two (for
 * 2^b < size <= 2^(b+1), steps of 2^(b-2): 1.25, 1.5, 1.75, 2 x 2^b). Each
 * class maps to a fixed index, so the cache is a plain array of singly
 * linked LIFO free lists — no hashing, O(1) get and put. A block is obtained
 * from the hook as class + 127 bytes; the returned address is the first
 * 64-byte boundary at least 64 bytes past the raw pointer, and the 64 bytes
 * just before it hold a header (raw pointer, raw size, class size and index,
 * the free-list link and a magic word that tells a block that is out from
 * one that is cached, so a double put trips an assert). rt_alloc_put caches
 * the block unless the cached bytes would pass the cap (1 GiB by default),
 * in which case the block goes straight back to the hook. When the hook
 * fails, the cache is trimmed and the hook is tried once more before
 * rt_alloc_get reports NULL.
 */
#include "runtime/alloc.h"

#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum {
  ALIGN = 64,
  HDR = 64,
  SMALL_MAX = 4096,   /* classes are multiples of 64 up to here */
  SMALL_CLASSES = SMALL_MAX / ALIGN,
  SMALL_LOG2 = 12,    /* log2(SMALL_MAX) */
  MAX_LOG2 = 61,      /* largest class is 2^(MAX_LOG2 + 1) */
  NCLASSES = SMALL_CLASSES + (MAX_LOG2 - SMALL_LOG2 + 1) * 4
};

#define MAGIC_OUT 0x74634f55u    /* "tcOU" */
#define MAGIC_CACHED 0x7463434bu /* "tcCK" */
/* Requests above this fail (the class and slack must fit in size_t). */
#define MAX_REQUEST (SIZE_MAX / 4)

typedef struct blk_hdr {
  void *raw;            /* what the hook returned */
  size_t raw_size;      /* what was asked of the hook */
  size_t cls;           /* usable bytes (the class size) */
  struct blk_hdr *next; /* free-list link while cached */
  uint32_t idx;         /* class index */
  uint32_t magic;       /* MAGIC_OUT or MAGIC_CACHED */
} blk_hdr;
_Static_assert(sizeof(blk_hdr) <= HDR, "block header must fit in 64 bytes");
_Static_assert(NCLASSES == RT_ALLOC_NCLASSES, "alloc.h names the number of classes");

struct rt_alloc {
  tc_allocator al;
  size_t obtained; /* cumulative bytes obtained for blocks */
  size_t cached;   /* usable bytes in the free lists */
  size_t limit;    /* cap on `cached` */
  blk_hdr *free_list[NCLASSES];
};

static void *default_alloc(size_t size, void *user) {
  (void)user;
  return malloc(size);
}

static void default_free(void *ptr, void *user) {
  (void)user;
  free(ptr);
}

static int floor_log2(size_t x) {
  return 63 - __builtin_clzll((unsigned long long)x);
}

/* Rounds `bytes` up to its class; false when it is too large. */
static int size_class(size_t bytes, size_t *cls, uint32_t *idx) {
  if (bytes == 0) bytes = 1;
  if (bytes > MAX_REQUEST) return 0;
  if (bytes <= SMALL_MAX) {
    *cls = (bytes + ALIGN - 1) / ALIGN * ALIGN;
    *idx = (uint32_t)(*cls / ALIGN - 1);
    return 1;
  }
  int b = floor_log2(bytes - 1); /* 2^b < bytes <= 2^(b+1), b >= 12 */
  size_t step = (size_t)1 << (b - 2);
  size_t q = (bytes + step - 1) / step; /* 5..8 */
  *cls = q * step;
  *idx = (uint32_t)(SMALL_CLASSES + (b - SMALL_LOG2) * 4 + (int)(q - 5));
  return 1;
}

bool rt_alloc_class(size_t bytes, size_t *cls, unsigned *idx) {
  uint32_t i;
  if (!size_class(bytes, cls, &i)) return false;
  *idx = i;
  return true;
}

static blk_hdr *header_of(void *p) {
  return (blk_hdr *)((unsigned char *)p - HDR);
}

static void *user_of(blk_hdr *h) { return (unsigned char *)h + HDR; }

static void release_block(rt_alloc *A, blk_hdr *h) {
  h->magic = 0;
  A->al.free(h->raw, A->al.user);
}

/* Frees cached blocks, largest classes first, until cached <= keep. */
static void trim_to(rt_alloc *A, size_t keep) {
  for (int i = NCLASSES - 1; i >= 0 && A->cached > keep; i--) {
    while (A->free_list[i] && A->cached > keep) {
      blk_hdr *h = A->free_list[i];
      A->free_list[i] = h->next;
      A->cached -= h->cls;
      release_block(A, h);
    }
  }
}

static blk_hdr *obtain(rt_alloc *A, size_t cls, uint32_t idx) {
  size_t raw_size = cls + HDR + ALIGN - 1;
  void *raw = A->al.alloc(raw_size, A->al.user);
  if (!raw && A->cached > 0) {
    trim_to(A, 0);
    raw = A->al.alloc(raw_size, A->al.user);
  }
  if (!raw) return NULL;
  uintptr_t u = ((uintptr_t)raw + HDR + ALIGN - 1) & ~(uintptr_t)(ALIGN - 1);
  blk_hdr *h = header_of((void *)u);
  h->raw = raw;
  h->raw_size = raw_size;
  h->cls = cls;
  h->next = NULL;
  h->idx = idx;
  A->obtained += raw_size;
  return h;
}

rt_alloc *rt_alloc_new(const tc_allocator *al) {
  tc_allocator hook = {default_alloc, default_free, NULL};
  if (al && al->alloc && al->free) hook = *al;
  rt_alloc *A = hook.alloc(sizeof *A, hook.user);
  if (!A) return NULL;
  memset(A, 0, sizeof *A);
  A->al = hook;
  A->limit = RT_ALLOC_DEFAULT_CACHE_LIMIT;
  return A;
}

void *rt_alloc_get(rt_alloc *A, size_t bytes, int *reused) {
  if (reused) *reused = 0;
  size_t cls;
  uint32_t idx;
  if (!A || !size_class(bytes, &cls, &idx)) return NULL;
  blk_hdr *h = A->free_list[idx];
  if (h) {
    assert(h->magic == MAGIC_CACHED && h->cls == cls);
    A->free_list[idx] = h->next;
    A->cached -= cls;
    if (reused) *reused = 1;
  } else {
    h = obtain(A, cls, idx);
    if (!h) return NULL;
  }
  h->next = NULL;
  h->magic = MAGIC_OUT;
  return user_of(h);
}

void rt_alloc_put(rt_alloc *A, void *p) {
  if (!A || !p) return;
  blk_hdr *h = header_of(p);
  assert(h->magic == MAGIC_OUT && "rt_alloc_put: not a block that is out");
  if (A->cached + h->cls > A->limit || A->cached + h->cls < A->cached) {
    release_block(A, h);
    return;
  }
  h->magic = MAGIC_CACHED;
  h->next = A->free_list[h->idx];
  A->free_list[h->idx] = h;
  A->cached += h->cls;
}

void rt_alloc_trim(rt_alloc *A) {
  if (A) trim_to(A, 0);
}

void rt_alloc_free(rt_alloc *A) {
  if (!A) return;
  trim_to(A, 0);
  tc_allocator hook = A->al;
  hook.free(A, hook.user);
}

size_t rt_alloc_bytes_obtained(const rt_alloc *A) {
  return A ? A->obtained : 0;
}

size_t rt_alloc_bytes_cached(const rt_alloc *A) { return A ? A->cached : 0; }

void rt_alloc_set_cache_limit(rt_alloc *A, size_t bytes) {
  if (!A) return;
  A->limit = bytes;
  trim_to(A, bytes);
}
