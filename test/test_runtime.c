/*
 * test_runtime.c — the persistent thread pool (runtime/pool.h) and the
 * caching buffer allocator (runtime/alloc.h).
 *
 * Pool: every index of [0, n) is visited exactly once (an atomic counter per
 * index) for many n / grain / pool-size combinations; the split is exactly
 * min(size, max(1, n / grain)) contiguous chunks of at least `grain` items
 * whose boundaries repeat across runs and pools; single-chunk runs happen on
 * the caller; 100k back-to-back runs finish (and the per-run overhead is
 * printed, not asserted); rt_pool_free leaves no thread behind.
 * Allocator: 64-byte alignment, reuse within a size class, the reuse flag,
 * NULL when the hook fails, the cache cap, and a counting hook that gets
 * every byte back after rt_alloc_free.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <math.h>
#include <sys/wait.h>
#include <unistd.h>
#include <tensorc.h>

#include <cmocka.h>

#include "runtime/alloc.h"
#include "runtime/pool.h"

/* ---- pool helpers ------------------------------------------------------- */

enum { MAX_N = 5000, MAX_CHUNKS = 64 };

typedef struct cover {
  atomic_int hits[MAX_N];
  atomic_int nchunks;
  int64_t begins[MAX_CHUNKS], ends[MAX_CHUNKS];
  pthread_t threads[MAX_CHUNKS];
} cover;

static void cover_reset(cover *c) {
  for (int i = 0; i < MAX_N; i++) atomic_store(&c->hits[i], 0);
  atomic_store(&c->nchunks, 0);
}

static void cover_fn(void *arg, int64_t begin, int64_t end) {
  cover *c = arg;
  int slot = atomic_fetch_add(&c->nchunks, 1);
  if (slot < MAX_CHUNKS) {
    c->begins[slot] = begin;
    c->ends[slot] = end;
    c->threads[slot] = pthread_self();
  }
  for (int64_t i = begin; i < end; i++) atomic_fetch_add(&c->hits[i], 1);
}

/* The chunks of the last run, sorted by begin, into b/e; returns the count. */
static int sorted_chunks(const cover *c, int64_t *b, int64_t *e) {
  int k = atomic_load(&c->nchunks);
  for (int i = 0; i < k; i++) {
    b[i] = c->begins[i];
    e[i] = c->ends[i];
  }
  for (int i = 1; i < k; i++)
    for (int j = i; j > 0 && b[j - 1] > b[j]; j--) {
      int64_t t = b[j];
      b[j] = b[j - 1];
      b[j - 1] = t;
      t = e[j];
      e[j] = e[j - 1];
      e[j - 1] = t;
    }
  return k;
}

static int expected_chunks(int64_t n, int64_t grain, int size) {
  int64_t most = n / grain;
  if (most < 1) most = 1;
  return most < size ? (int)most : size;
}

static int count_threads(void) {
  DIR *d = opendir("/proc/self/task");
  if (!d) return -1;
  int count = 0;
  struct dirent *de;
  while ((de = readdir(d)))
    if (de->d_name[0] != '.') count++;
  closedir(d);
  return count;
}

/* The thread count once it reaches `want` (or what it is after ~2 s): a
 * joined thread can stay listed in /proc for a moment while the kernel
 * reaps it, longer on a loaded machine. */
static int threads_settled_at(int want) {
  int n = count_threads();
  for (int i = 0; i < 400 && n != want; i++) {
    nanosleep(&(struct timespec){0, 5000000}, NULL);
    n = count_threads();
  }
  return n;
}

static double now_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static const int64_t ns[] = {0, 1, 2, 3, 5, 7, 8, 63, 64, 65, 100, 1000, 4097};
static const int64_t grains[] = {1, 2, 3, 7, 16, 64, 1000, 100000};
static const int sizes[] = {1, 2, 3, 4, 8};
#define COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* ---- pool tests --------------------------------------------------------- */

static void pool_reports_the_size_it_was_created_with(void **state) {
  (void)state;
  for (int s = 1; s <= 6; s++) {
    rt_pool *p = rt_pool_new(s);
    assert_non_null(p);
    assert_int_equal(rt_pool_size(p), s);
    rt_pool_free(p);
  }
  rt_pool_free(NULL);
}

static void pool_covers_every_index_exactly_once(void **state) {
  (void)state;
  cover *c = calloc(1, sizeof *c);
  assert_non_null(c);
  for (int si = 0; si < COUNT(sizes); si++) {
    rt_pool *p = rt_pool_new(sizes[si]);
    assert_non_null(p);
    for (int ni = 0; ni < COUNT(ns); ni++)
      for (int gi = 0; gi < COUNT(grains); gi++) {
        int64_t n = ns[ni], grain = grains[gi];
        cover_reset(c);
        rt_pool_run(p, n, grain, cover_fn, c);
        for (int64_t i = 0; i < n; i++)
          assert_int_equal(atomic_load(&c->hits[i]), 1);
        for (int64_t i = n; i < MAX_N; i++)
          assert_int_equal(atomic_load(&c->hits[i]), 0);
        int k = atomic_load(&c->nchunks);
        if (n == 0) {
          assert_int_equal(k, 0);
          continue;
        }
        assert_int_equal(k, expected_chunks(n, grain, sizes[si]));
        int64_t b[MAX_CHUNKS], e[MAX_CHUNKS];
        sorted_chunks(c, b, e);
        assert_int_equal(b[0], 0);
        assert_int_equal(e[k - 1], n);
        for (int i = 0; i < k; i++) {
          if (i > 0) assert_int_equal(b[i], e[i - 1]);
          if (n >= grain) assert_true(e[i] - b[i] >= grain);
        }
      }
    rt_pool_free(p);
  }
  free(c);
}

static void pool_chunk_boundaries_are_deterministic(void **state) {
  (void)state;
  cover *c = calloc(1, sizeof *c);
  assert_non_null(c);
  for (int si = 0; si < COUNT(sizes); si++) {
    rt_pool *p1 = rt_pool_new(sizes[si]), *p2 = rt_pool_new(sizes[si]);
    assert_non_null(p1);
    assert_non_null(p2);
    for (int ni = 0; ni < COUNT(ns); ni++)
      for (int gi = 0; gi < COUNT(grains); gi++) {
        int64_t n = ns[ni], grain = grains[gi];
        int64_t b0[MAX_CHUNKS], e0[MAX_CHUNKS];
        cover_reset(c);
        rt_pool_run(p1, n, grain, cover_fn, c);
        int k0 = sorted_chunks(c, b0, e0);
        for (int rep = 0; rep < 6; rep++) {
          int64_t b[MAX_CHUNKS], e[MAX_CHUNKS];
          cover_reset(c);
          rt_pool_run(rep % 2 ? p2 : p1, n, grain, cover_fn, c);
          int k = sorted_chunks(c, b, e);
          assert_int_equal(k, k0);
          for (int i = 0; i < k; i++) {
            assert_int_equal(b[i], b0[i]);
            assert_int_equal(e[i], e0[i]);
          }
        }
      }
    rt_pool_free(p1);
    rt_pool_free(p2);
  }
  free(c);
}

/* Records the chunk without visiting its items. */
static void record_fn(void *arg, int64_t begin, int64_t end) {
  cover *c = arg;
  int slot = atomic_fetch_add(&c->nchunks, 1);
  if (slot < MAX_CHUNKS) {
    c->begins[slot] = begin;
    c->ends[slot] = end;
  }
}

static void pool_chunks_are_balanced_for_huge_ranges(void **state) {
  (void)state;
  cover *c = calloc(1, sizeof *c);
  assert_non_null(c);
  rt_pool *p = rt_pool_new(3);
  assert_non_null(p);
  cover_reset(c);
  rt_pool_run(p, INT64_MAX, 1, record_fn, c); /* bounds only, no iteration */
  int64_t b[MAX_CHUNKS], e[MAX_CHUNKS];
  int k = sorted_chunks(c, b, e);
  assert_int_equal(k, 3);
  assert_int_equal(b[0], 0);
  assert_int_equal(e[2], INT64_MAX);
  for (int i = 0; i < k; i++) {
    if (i > 0) assert_int_equal(b[i], e[i - 1]);
    int64_t len = e[i] - b[i];
    assert_true(len == INT64_MAX / 3 || len == INT64_MAX / 3 + 1);
  }
  rt_pool_free(p);
  free(c);
}

static void pool_of_one_thread_runs_everything_on_the_caller(void **state) {
  (void)state;
  cover *c = calloc(1, sizeof *c);
  assert_non_null(c);
  int before = count_threads();
  rt_pool *p = rt_pool_new(1);
  assert_non_null(p);
  assert_int_equal(count_threads(), before); /* no worker was started */
  for (int ni = 1; ni < COUNT(ns); ni++) {
    cover_reset(c);
    rt_pool_run(p, ns[ni], 1, cover_fn, c);
    assert_int_equal(atomic_load(&c->nchunks), 1);
    assert_true(pthread_equal(c->threads[0], pthread_self()));
  }
  rt_pool_free(p);
  free(c);
}

static void pool_runs_a_single_chunk_inline(void **state) {
  (void)state;
  cover *c = calloc(1, sizeof *c);
  assert_non_null(c);
  rt_pool *p = rt_pool_new(4);
  assert_non_null(p);
  /* n < 2 * grain: one chunk, on the calling thread */
  const int64_t cases[][2] = {{1, 1}, {5, 3}, {99, 50}, {1000, 1000},
                              {1999, 1000}, {7, 100000}};
  for (int i = 0; i < COUNT(cases); i++) {
    cover_reset(c);
    rt_pool_run(p, cases[i][0], cases[i][1], cover_fn, c);
    assert_int_equal(atomic_load(&c->nchunks), 1);
    assert_true(pthread_equal(c->threads[0], pthread_self()));
  }
  /* more than one chunk: chunk 0 is the caller's, the rest are not */
  cover_reset(c);
  rt_pool_run(p, 4000, 1, cover_fn, c);
  int k = atomic_load(&c->nchunks);
  assert_int_equal(k, 4);
  int on_caller = 0;
  for (int i = 0; i < k; i++) {
    if (pthread_equal(c->threads[i], pthread_self())) {
      on_caller++;
      assert_int_equal(c->begins[i], 0);
    }
  }
  assert_int_equal(on_caller, 1);
  rt_pool_free(p);
  free(c);
}

static void sum_fn(void *arg, int64_t begin, int64_t end) {
  atomic_fetch_add_explicit((_Atomic int64_t *)arg, end - begin,
                            memory_order_relaxed);
}

static void noop_fn(void *arg, int64_t begin, int64_t end) {
  (void)arg;
  (void)begin;
  (void)end;
}

static void pool_survives_many_back_to_back_runs(void **state) {
  (void)state;
  const int runs = 100000;
  rt_pool *p = rt_pool_new(2);
  assert_non_null(p);
  _Atomic int64_t total = 0;
  for (int r = 0; r < runs; r++) rt_pool_run(p, 2, 1, sum_fn, &total);
  assert_int_equal(atomic_load(&total), 2 * (int64_t)runs);

  /* per-run overhead of an empty 2-chunk job (best of a few batches) */
  double best = 1e30;
  for (int batch = 0; batch < 5; batch++) {
    const int reps = 20000;
    double t0 = now_seconds();
    for (int r = 0; r < reps; r++) rt_pool_run(p, 2, 1, noop_fn, NULL);
    double dt = (now_seconds() - t0) / reps;
    if (dt < best) best = dt;
  }
  double t0 = now_seconds();
  for (int r = 0; r < 100000; r++) rt_pool_run(p, 1, 1, noop_fn, NULL);
  double inline_dt = (now_seconds() - t0) / 100000;
  print_message("pool(2) overhead: %.3f us per 2-chunk run, %.4f us inline\n",
                best * 1e6, inline_dt * 1e6);
  rt_pool_free(p);

  /* wider pools, with runs of varying width */
  for (int s = 3; s <= 8; s += 5) {
    p = rt_pool_new(s);
    assert_non_null(p);
    atomic_store(&total, 0);
    int64_t want = 0;
    for (int r = 0; r < runs / 4; r++) {
      int64_t n = 1 + r % 17;
      rt_pool_run(p, n, 1 + r % 3, sum_fn, &total);
      want += n;
    }
    assert_int_equal(atomic_load(&total), want);
    rt_pool_free(p);
  }
}

static void sleepy_fn(void *arg, int64_t begin, int64_t end) {
  struct timespec ts = {0, 2000000}; /* 2 ms: let the workers fall asleep */
  if (begin == 0) nanosleep(&ts, NULL);
  sum_fn(arg, begin, end);
}

static void pool_wakes_workers_that_fell_asleep(void **state) {
  (void)state;
  rt_pool *p = rt_pool_new(3);
  assert_non_null(p);
  _Atomic int64_t total = 0;
  struct timespec ts = {0, 5000000};
  for (int r = 0; r < 20; r++) {
    nanosleep(&ts, NULL); /* idle: workers go to sleep */
    rt_pool_run(p, 30, 1, sleepy_fn, &total);
  }
  assert_int_equal(atomic_load(&total), 20 * 30);
  double best = 1e30; /* a 3-chunk run after the workers went to sleep */
  for (int r = 0; r < 10; r++) {
    nanosleep(&ts, NULL);
    double t0 = now_seconds();
    rt_pool_run(p, 3, 1, noop_fn, NULL);
    double dt = now_seconds() - t0;
    if (dt < best) best = dt;
  }
  print_message("pool(3) run after idle (workers asleep): %.1f us\n",
                best * 1e6);
  rt_pool_free(p);
}

static void pool_free_joins_every_worker(void **state) {
  (void)state;
  int before = count_threads();
  assert_true(before >= 1);
  rt_pool *p = rt_pool_new(5);
  assert_non_null(p);
  assert_int_equal(count_threads(), before + 4);
  _Atomic int64_t total = 0;
  rt_pool_run(p, 100, 1, sum_fn, &total);
  rt_pool_free(p);
  assert_int_equal(threads_settled_at(before), before);
  for (int i = 0; i < 50; i++) { /* create/free churn, with and without use */
    p = rt_pool_new(1 + i % 4);
    assert_non_null(p);
    if (i % 2) rt_pool_run(p, 10, 1, sum_fn, &total);
    rt_pool_free(p);
  }
  assert_int_equal(threads_settled_at(before), before);
}

/* ---- allocator helpers -------------------------------------------------- */

typedef struct counting {
  size_t live_bytes, live_blocks, total_bytes, calls;
  int fail; /* >0: fail that many next calls; <0: fail every call */
} counting;

typedef union prefix {
  size_t size;
  max_align_t align;
} prefix;

static void *counting_alloc(size_t size, void *user) {
  counting *c = user;
  c->calls++;
  if (c->fail < 0) return NULL;
  if (c->fail > 0) {
    c->fail--;
    return NULL;
  }
  prefix *p = malloc(sizeof(prefix) + size);
  if (!p) return NULL;
  p->size = size;
  c->live_bytes += size;
  c->live_blocks++;
  c->total_bytes += size;
  return p + 1;
}

static void counting_free(void *ptr, void *user) {
  counting *c = user;
  if (!ptr) return;
  prefix *p = (prefix *)ptr - 1;
  assert_true(c->live_blocks > 0 && c->live_bytes >= p->size);
  c->live_bytes -= p->size;
  c->live_blocks--;
  free(p);
}

/* ---- allocator tests ---------------------------------------------------- */

static void allocator_aligns_every_block_to_64_bytes(void **state) {
  (void)state;
  rt_alloc *A = rt_alloc_new(NULL);
  assert_non_null(A);
  const size_t sizes_[] = {0,    1,    17,   63,    64,     65,     1000,
                           4095, 4096, 4097, 12345, 65536, 1 << 20};
  void *blocks[COUNT(sizes_)];
  for (int i = 0; i < COUNT(sizes_); i++) {
    blocks[i] = rt_alloc_get(A, sizes_[i], NULL);
    assert_non_null(blocks[i]);
    assert_int_equal((uintptr_t)blocks[i] % 64, 0);
    memset(blocks[i], 0xab, sizes_[i] ? sizes_[i] : 1); /* usable */
  }
  for (int i = 0; i < COUNT(sizes_); i++) rt_alloc_put(A, blocks[i]);
  rt_alloc_put(A, NULL);
  rt_alloc_free(A);
  rt_alloc_free(NULL);
}

static void allocator_gives_a_valid_block_for_zero_bytes(void **state) {
  (void)state;
  rt_alloc *A = rt_alloc_new(NULL);
  assert_non_null(A);
  void *a = rt_alloc_get(A, 0, NULL), *b = rt_alloc_get(A, 0, NULL);
  assert_non_null(a);
  assert_non_null(b);
  assert_ptr_not_equal(a, b);
  memset(a, 1, 64);
  memset(b, 2, 64);
  rt_alloc_put(A, a);
  rt_alloc_put(A, b);
  rt_alloc_free(A);
}

static void allocator_reuses_a_freed_block_of_the_same_class(void **state) {
  (void)state;
  rt_alloc *A = rt_alloc_new(NULL);
  assert_non_null(A);
  int reused = -1;
  void *a = rt_alloc_get(A, 1000, &reused);
  assert_non_null(a);
  assert_int_equal(reused, 0);
  rt_alloc_put(A, a);
  assert_int_equal(rt_alloc_bytes_cached(A), 1024);
  void *b = rt_alloc_get(A, 1000, &reused); /* same size */
  assert_ptr_equal(a, b);
  assert_int_equal(reused, 1);
  assert_int_equal(rt_alloc_bytes_cached(A), 0);
  rt_alloc_put(A, b);
  b = rt_alloc_get(A, 1024, &reused); /* same class, 961..1024 */
  assert_ptr_equal(a, b);
  assert_int_equal(reused, 1);
  rt_alloc_put(A, b);
  b = rt_alloc_get(A, 1025, &reused); /* next class */
  assert_ptr_not_equal(a, b);
  assert_int_equal(reused, 0);
  rt_alloc_put(A, b);

  /* above 4 KiB: 4 classes per power of two (4097..5120 share a class) */
  void *c = rt_alloc_get(A, 4097, &reused);
  assert_int_equal(reused, 0);
  rt_alloc_put(A, c);
  void *d = rt_alloc_get(A, 5120, &reused);
  assert_ptr_equal(c, d);
  assert_int_equal(reused, 1);
  memset(d, 0, 5120);
  rt_alloc_put(A, d);
  d = rt_alloc_get(A, 5121, &reused);
  assert_int_equal(reused, 0);
  rt_alloc_put(A, d);

  /* LIFO within a class; a NULL reuse flag is fine */
  void *x = rt_alloc_get(A, 300, NULL), *y = rt_alloc_get(A, 300, NULL);
  rt_alloc_put(A, x);
  rt_alloc_put(A, y);
  assert_ptr_equal(rt_alloc_get(A, 300, NULL), y);
  assert_ptr_equal(rt_alloc_get(A, 300, NULL), x);
  rt_alloc_put(A, x);
  rt_alloc_put(A, y);
  rt_alloc_free(A);
}

static void allocator_does_not_reuse_after_trim(void **state) {
  (void)state;
  counting cnt = {0};
  tc_allocator hook = {counting_alloc, counting_free, &cnt};
  rt_alloc *A = rt_alloc_new(&hook);
  assert_non_null(A);
  size_t base_blocks = cnt.live_blocks; /* the allocator itself */
  void *a = rt_alloc_get(A, 256, NULL);
  rt_alloc_put(A, a);
  assert_int_equal(cnt.live_blocks, base_blocks + 1);
  rt_alloc_trim(A);
  assert_int_equal(cnt.live_blocks, base_blocks);
  assert_int_equal(rt_alloc_bytes_cached(A), 0);
  int reused = -1;
  a = rt_alloc_get(A, 256, &reused);
  assert_int_equal(reused, 0);
  rt_alloc_put(A, a);
  rt_alloc_free(A);
  assert_int_equal(cnt.live_blocks, 0);
}

static void allocator_returns_null_when_the_hook_fails(void **state) {
  (void)state;
  counting cnt = {.fail = -1};
  tc_allocator hook = {counting_alloc, counting_free, &cnt};
  assert_null(rt_alloc_new(&hook)); /* the allocator itself fails */

  cnt.fail = 0;
  rt_alloc *A = rt_alloc_new(&hook);
  assert_non_null(A);
  cnt.fail = -1;
  int reused = -1;
  assert_null(rt_alloc_get(A, 100, &reused));
  assert_int_equal(reused, 0);
  assert_null(rt_alloc_get(A, 0, NULL));
  assert_null(rt_alloc_get(A, 1 << 20, NULL));

  /* a request too large for any class fails without asking the hook */
  cnt.fail = 0;
  size_t calls = cnt.calls;
  assert_null(rt_alloc_get(A, SIZE_MAX, NULL));
  assert_null(rt_alloc_get(A, SIZE_MAX / 2, NULL));
  assert_int_equal(cnt.calls, calls);

  /* a cached block of the requested class is still served */
  void *a = rt_alloc_get(A, 100, NULL);
  assert_non_null(a);
  rt_alloc_put(A, a);
  cnt.fail = -1;
  assert_ptr_equal(rt_alloc_get(A, 100, &reused), a);
  assert_int_equal(reused, 1);
  rt_alloc_put(A, a);

  /* on failure the cache is trimmed and the hook asked once more */
  cnt.fail = 1;
  void *b = rt_alloc_get(A, 50000, &reused);
  assert_non_null(b);
  assert_int_equal(reused, 0);
  assert_int_equal(rt_alloc_bytes_cached(A), 0);
  rt_alloc_put(A, b);
  cnt.fail = 0;
  rt_alloc_free(A);
  assert_int_equal(cnt.live_bytes, 0);
  assert_int_equal(cnt.live_blocks, 0);
}

static void allocator_frees_instead_of_caching_beyond_the_cap(void **state) {
  (void)state;
  counting cnt = {0};
  tc_allocator hook = {counting_alloc, counting_free, &cnt};
  rt_alloc *A = rt_alloc_new(&hook);
  assert_non_null(A);
  size_t base_blocks = cnt.live_blocks;
  rt_alloc_set_cache_limit(A, 3000);
  void *a = rt_alloc_get(A, 2048, NULL), *b = rt_alloc_get(A, 2048, NULL);
  assert_int_equal(cnt.live_blocks, base_blocks + 2);
  rt_alloc_put(A, a); /* 2048 cached */
  assert_int_equal(cnt.live_blocks, base_blocks + 2);
  rt_alloc_put(A, b); /* 4096 > 3000: freed */
  assert_int_equal(cnt.live_blocks, base_blocks + 1);
  assert_int_equal(rt_alloc_bytes_cached(A), 2048);
  rt_alloc_set_cache_limit(A, 0); /* lowering the cap trims */
  assert_int_equal(cnt.live_blocks, base_blocks);
  assert_int_equal(rt_alloc_bytes_cached(A), 0);
  a = rt_alloc_get(A, 64, NULL);
  rt_alloc_put(A, a); /* nothing is cached at cap 0 */
  assert_int_equal(cnt.live_blocks, base_blocks);
  rt_alloc_free(A);
  assert_int_equal(cnt.live_blocks, 0);
}

static void allocator_returns_every_byte_to_the_hook_when_freed(void **state) {
  (void)state;
  counting cnt = {0};
  tc_allocator hook = {counting_alloc, counting_free, &cnt};
  rt_alloc *A = rt_alloc_new(&hook);
  assert_non_null(A);
  size_t self_bytes = cnt.live_bytes;
  assert_int_equal(rt_alloc_bytes_obtained(A), 0);
  enum { NB = 200 };
  void *blocks[NB];
  unsigned seed = 12345;
  for (int round = 0; round < 5; round++) {
    for (int i = 0; i < NB; i++) {
      seed = seed * 1103515245u + 12345u;
      size_t sz = (seed >> 8) % (round % 2 ? 200000 : 5000);
      blocks[i] = rt_alloc_get(A, sz, NULL);
      assert_non_null(blocks[i]);
      memset(blocks[i], round, sz);
    }
    for (int i = 0; i < NB; i++) rt_alloc_put(A, blocks[i]);
    /* everything obtained is still held: cached, none out */
    assert_int_equal(cnt.live_bytes - self_bytes, cnt.total_bytes - self_bytes);
    assert_int_equal(rt_alloc_bytes_obtained(A), cnt.total_bytes - self_bytes);
  }
  size_t obtained = rt_alloc_bytes_obtained(A);
  rt_alloc_trim(A);
  assert_int_equal(cnt.live_bytes, self_bytes);
  assert_int_equal(rt_alloc_bytes_obtained(A), obtained); /* cumulative */
  void *keep = rt_alloc_get(A, 777, NULL);
  rt_alloc_put(A, keep);
  rt_alloc_free(A);
  assert_int_equal(cnt.live_bytes, 0);
  assert_int_equal(cnt.live_blocks, 0);
}

/* ---- the disk cache of object code -------------------------------------- */

/* Runs a few kernels in a child process with TC_CACHE_DIR=dir and every
 * kernel compiled at once; its exit status: compiles * 16 + disk hits (each
 * < 16), 255 on a wrong result. */
static int child_run_budget(const char *dir, const char *budget) {
  fflush(stdout);
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    setenv("TC_CACHE_DIR", dir, 1);
    if (budget) setenv("TC_INTERP_BUDGET", budget, 1);
    else unsetenv("TC_INTERP_BUDGET");
    tc_ctx *ctx = tc_ctx_new(NULL);
    int64_t n = 1000, s[2] = {10, 100};
    tc_tensor *x = tc_arange(ctx, 0, (double)n, 1, TC_F32);
    tc_tensor *y = tc_tanh(tc_add_scalar(tc_mul_scalar(x, 0.001), 1.0));
    tc_tensor *z = tc_softmax(tc_reshape(x, 2, s), 1);
    double a = tc_item(tc_sum(y, NULL, 0, false)), b = tc_item(tc_sum(z, NULL, 0, false));
    tc_stats st = tc_get_stats(ctx);
    bool ok = fabs(a - 891.12) < 0.01 && fabs(b - 10) < 1e-3 && tc_last_status(ctx) == TC_OK;
    _exit(ok ? (int)(st.kernels_compiled * 16 + st.disk_hits) : 255);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  assert_true(WIFEXITED(status));
  return WEXITSTATUS(status);
}

static int child_run(const char *dir) { return child_run_budget(dir, "0"); }

static void remove_dir(const char *dir) {
  DIR *d = opendir(dir);
  struct dirent *e;
  while (d && (e = readdir(d))) {
    if (e->d_name[0] == '.') continue;
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
    unlink(path);
  }
  if (d) closedir(d);
  rmdir(dir);
}

/* With the default budget these small kernels are interpreted (a compile
 * would cost more), unless an earlier process left their object code:
 * then they are loaded. */
static void kernels_on_disk_are_loaded_where_a_compile_would_not_pay(void **state) {
  (void)state;
  char dir[] = "/tmp/tensorc-test-cache-XXXXXX";
  assert_non_null(mkdtemp(dir));
  int fresh = child_run_budget(dir, NULL);
  assert_int_equal(fresh, 0); /* interpreted: no compile, nothing on disk */
  int filled = child_run(dir);
  assert_true(filled / 16 >= 3);
  int again = child_run_budget(dir, NULL);
  assert_int_not_equal(again, 255);
  assert_int_equal(again / 16, 0); /* no compile */
  assert_true(again % 16 >= 1);    /* loaded from the disk */
  remove_dir(dir);
}

static void a_second_process_loads_its_kernels_from_the_disk_cache(void **state) {
  (void)state;
  char dir[] = "/tmp/tensorc-test-cache-XXXXXX";
  assert_non_null(mkdtemp(dir));
  int first = child_run(dir);
  assert_int_not_equal(first, 255);
  assert_true(first / 16 >= 3 && first % 16 == 0); /* compiled, nothing on disk yet */
  int second = child_run(dir);
  assert_int_equal(second / 16, 0);              /* no compile */
  assert_int_equal(second % 16, first / 16);     /* every kernel from the disk */
  /* a corrupt or foreign entry is ignored and rewritten */
  DIR *d = opendir(dir);
  struct dirent *e;
  int n = 0;
  while ((e = readdir(d))) {
    if (e->d_name[0] == '.') continue;
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
    FILE *f = fopen(path, n++ % 2 ? "wb" : "r+b"); /* truncated, or its key's bytes changed */
    assert_non_null(f);
    if (n % 2) {
      fseek(f, 30, SEEK_SET);
      fputc('X', f);
    }
    fclose(f);
  }
  closedir(d);
  int third = child_run(dir);
  assert_int_not_equal(third, 255);
  assert_int_equal(third / 16, first / 16); /* every kernel compiled again */
  int fourth = child_run(dir);
  assert_int_equal(fourth / 16, 0);
  d = opendir(dir);
  while ((e = readdir(d))) {
    if (e->d_name[0] == '.') continue;
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
    unlink(path);
  }
  closedir(d);
  rmdir(dir);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(a_second_process_loads_its_kernels_from_the_disk_cache),
      cmocka_unit_test(kernels_on_disk_are_loaded_where_a_compile_would_not_pay),
      cmocka_unit_test(pool_reports_the_size_it_was_created_with),
      cmocka_unit_test(pool_covers_every_index_exactly_once),
      cmocka_unit_test(pool_chunk_boundaries_are_deterministic),
      cmocka_unit_test(pool_chunks_are_balanced_for_huge_ranges),
      cmocka_unit_test(pool_of_one_thread_runs_everything_on_the_caller),
      cmocka_unit_test(pool_runs_a_single_chunk_inline),
      cmocka_unit_test(pool_survives_many_back_to_back_runs),
      cmocka_unit_test(pool_wakes_workers_that_fell_asleep),
      cmocka_unit_test(pool_free_joins_every_worker),
      cmocka_unit_test(allocator_aligns_every_block_to_64_bytes),
      cmocka_unit_test(allocator_gives_a_valid_block_for_zero_bytes),
      cmocka_unit_test(allocator_reuses_a_freed_block_of_the_same_class),
      cmocka_unit_test(allocator_does_not_reuse_after_trim),
      cmocka_unit_test(allocator_returns_null_when_the_hook_fails),
      cmocka_unit_test(allocator_frees_instead_of_caching_beyond_the_cap),
      cmocka_unit_test(allocator_returns_every_byte_to_the_hook_when_freed),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
