/*
 * pool.c — the persistent CPU thread pool behind pool.h.
 *
 * Design. A pool of size S has S-1 worker threads, created once in
 * rt_pool_new; the caller of rt_pool_run is thread 0. Each worker owns a
 * cache-line-sized slot holding its next chunk (fn, arg, begin, end) and a
 * sequence number `seq`. rt_pool_run splits [0, n) into k = min(S,
 * max(1, n / grain)) contiguous chunks whose boundaries are a pure function
 * of n and k (chunk i starts at i*(n/k) + min(i, n%k), so every chunk holds
 * at least `grain` items whenever n >= grain), fills the slots of workers
 * 1..k-1, publishes each with a release store of seq+1, runs chunk 0 itself
 * and then waits for the atomic `pending` counter to reach zero. When k == 1
 * the chunk runs inline and no worker is touched.
 *
 * Waiting is spin-then-sleep on both sides: a worker that finished a chunk
 * spins for a short while on its slot's seq (briefly with CPU pauses, then
 * with sched_yield, so back-to-back runs cost no futex wake), then sleeps on its own mutex/condition variable with a
 * `sleeping` flag set under that mutex; the caller, after publishing seq,
 * takes that mutex and signals only if the flag is set. Because the worker
 * re-checks seq under the mutex before waiting, a wake-up is never lost. The
 * caller waits for `pending` the same way (pool-wide done mutex/condvar,
 * signalled by the worker that drops `pending` to zero). A worker reads its
 * slot only between seeing the new seq and decrementing `pending` (acq_rel),
 * and the caller rewrites a slot only after `pending` reached zero, so the
 * slots need no lock. rt_pool_free sets `stop`, wakes every worker and joins
 * them.
 */
#define _POSIX_C_SOURCE 200809L
#include "runtime/pool.h"

#include <pthread.h>
#include <sched.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Spin budget before sleeping: SPIN_PAUSES CPU pauses (a microsecond or
 * so), then SPIN_YIELDS sched_yield calls (a few hundred microseconds). The
 * early yields matter when the pool has more threads than free CPUs: a pure
 * pause loop then holds the CPU a descheduled worker needs for a whole time
 * slice (measured ~200 us per run for 3 threads on 2 CPUs, ~5 us with
 * yields). */
enum { SPIN_PAUSES = 64, SPIN_YIELDS = 1024 };

typedef struct rt_slot {
  alignas(64) _Atomic uint64_t seq; /* bumped by the caller per job */
  _Atomic bool stop;
  bool sleeping; /* under mu */
  rt_pool_fn fn;
  void *arg;
  int64_t begin, end;
  pthread_mutex_t mu;
  pthread_cond_t cv;
  pthread_t thread;
  struct rt_pool *pool;
} rt_slot;

struct rt_pool {
  alignas(64) _Atomic int pending; /* worker chunks of the current run */
  int size;
  int nworkers;
  bool caller_sleeping; /* under done_mu */
  pthread_mutex_t done_mu;
  pthread_cond_t done_cv;
  rt_slot *slots; /* nworkers entries; worker w runs chunk w+1 */
};

static inline void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  __asm__ __volatile__("yield");
#endif
}

static bool slot_ready(rt_slot *s, uint64_t last) {
  return atomic_load_explicit(&s->seq, memory_order_acquire) != last ||
         atomic_load_explicit(&s->stop, memory_order_acquire);
}

static bool spin_slot(rt_slot *s, uint64_t last) {
  for (int i = 0; i < SPIN_PAUSES + SPIN_YIELDS; i++) {
    if (slot_ready(s, last)) return true;
    if (i < SPIN_PAUSES)
      cpu_relax();
    else
      sched_yield();
  }
  return false;
}

static bool spin_pending(rt_pool *p) {
  for (int i = 0; i < SPIN_PAUSES + SPIN_YIELDS; i++) {
    if (atomic_load_explicit(&p->pending, memory_order_acquire) == 0)
      return true;
    if (i < SPIN_PAUSES)
      cpu_relax();
    else
      sched_yield();
  }
  return false;
}

static void chunk_bounds(int64_t n, int k, int i, int64_t *begin,
                         int64_t *end) {
  int64_t base = n / k, rem = n % k;
  *begin = (int64_t)i * base + (i < rem ? i : rem);
  *end = *begin + base + (i < rem ? 1 : 0);
}

static void *worker_main(void *varg) {
  rt_slot *s = varg;
  rt_pool *p = s->pool;
  uint64_t last = 0;
  for (;;) {
    if (!spin_slot(s, last)) {
      pthread_mutex_lock(&s->mu);
      s->sleeping = true;
      while (!slot_ready(s, last)) pthread_cond_wait(&s->cv, &s->mu);
      s->sleeping = false;
      pthread_mutex_unlock(&s->mu);
    }
    if (atomic_load_explicit(&s->stop, memory_order_acquire)) break;
    last = atomic_load_explicit(&s->seq, memory_order_acquire);
    s->fn(s->arg, s->begin, s->end);
    if (atomic_fetch_sub_explicit(&p->pending, 1, memory_order_acq_rel) ==
        1) {
      pthread_mutex_lock(&p->done_mu);
      if (p->caller_sleeping) pthread_cond_signal(&p->done_cv);
      pthread_mutex_unlock(&p->done_mu);
    }
  }
  return NULL;
}

static void wake_slot(rt_slot *s) {
  pthread_mutex_lock(&s->mu);
  if (s->sleeping) pthread_cond_signal(&s->cv);
  pthread_mutex_unlock(&s->mu);
}

static void destroy_slot(rt_slot *s) {
  pthread_mutex_destroy(&s->mu);
  pthread_cond_destroy(&s->cv);
}

/* Stops and joins workers [0, count). */
static void stop_workers(rt_pool *p, int count) {
  for (int w = 0; w < count; w++) {
    rt_slot *s = &p->slots[w];
    pthread_mutex_lock(&s->mu);
    atomic_store_explicit(&s->stop, true, memory_order_release);
    pthread_cond_signal(&s->cv);
    pthread_mutex_unlock(&s->mu);
  }
  for (int w = 0; w < count; w++) pthread_join(p->slots[w].thread, NULL);
}

rt_pool *rt_pool_new(int nthreads) {
  if (nthreads < 1) nthreads = 1;
  rt_pool *p = aligned_alloc(alignof(rt_pool), sizeof *p);
  if (!p) return NULL;
  memset(p, 0, sizeof *p);
  p->size = nthreads;
  p->nworkers = nthreads - 1;
  atomic_init(&p->pending, 0);
  if (pthread_mutex_init(&p->done_mu, NULL) != 0) {
    free(p);
    return NULL;
  }
  if (pthread_cond_init(&p->done_cv, NULL) != 0) {
    pthread_mutex_destroy(&p->done_mu);
    free(p);
    return NULL;
  }
  if (p->nworkers == 0) return p;

  size_t bytes = (size_t)p->nworkers * sizeof(rt_slot);
  p->slots = aligned_alloc(alignof(rt_slot), bytes); /* size is a multiple */
  if (!p->slots) goto fail_slots;
  memset(p->slots, 0, bytes);
  int inited = 0, started = 0;
  for (; inited < p->nworkers; inited++) {
    rt_slot *s = &p->slots[inited];
    atomic_init(&s->seq, 0);
    atomic_init(&s->stop, false);
    s->pool = p;
    if (pthread_mutex_init(&s->mu, NULL) != 0) break;
    if (pthread_cond_init(&s->cv, NULL) != 0) {
      pthread_mutex_destroy(&s->mu);
      break;
    }
  }
  if (inited == p->nworkers) {
    for (; started < p->nworkers; started++) {
      rt_slot *s = &p->slots[started];
      if (pthread_create(&s->thread, NULL, worker_main, s) != 0) break;
    }
  }
  if (started == p->nworkers) return p;
  stop_workers(p, started);
  for (int w = 0; w < inited; w++) destroy_slot(&p->slots[w]);
  free(p->slots);
fail_slots:
  pthread_cond_destroy(&p->done_cv);
  pthread_mutex_destroy(&p->done_mu);
  free(p);
  return NULL;
}

void rt_pool_free(rt_pool *p) {
  if (!p) return;
  stop_workers(p, p->nworkers);
  for (int w = 0; w < p->nworkers; w++) destroy_slot(&p->slots[w]);
  free(p->slots);
  pthread_cond_destroy(&p->done_cv);
  pthread_mutex_destroy(&p->done_mu);
  free(p);
}

int rt_pool_size(const rt_pool *p) { return p ? p->size : 1; }

void rt_pool_run(rt_pool *p, int64_t n, int64_t grain, rt_pool_fn fn,
                 void *arg) {
  if (n <= 0 || !fn) return;
  if (grain < 1) grain = 1;
  int64_t most = n / grain;
  int size = p ? p->size : 1;
  int k = most < size ? (int)(most < 1 ? 1 : most) : size;
  if (k == 1) {
    fn(arg, 0, n);
    return;
  }
  atomic_store_explicit(&p->pending, k - 1, memory_order_relaxed);
  for (int i = 1; i < k; i++) {
    rt_slot *s = &p->slots[i - 1];
    s->fn = fn;
    s->arg = arg;
    chunk_bounds(n, k, i, &s->begin, &s->end);
    /* seq_cst: also orders the pending store above before the worker runs */
    atomic_fetch_add_explicit(&s->seq, 1, memory_order_seq_cst);
  }
  for (int i = 1; i < k; i++) wake_slot(&p->slots[i - 1]);
  int64_t b0, e0;
  chunk_bounds(n, k, 0, &b0, &e0);
  fn(arg, b0, e0);
  if (!spin_pending(p)) {
    pthread_mutex_lock(&p->done_mu);
    p->caller_sleeping = true;
    while (atomic_load_explicit(&p->pending, memory_order_acquire) != 0)
      pthread_cond_wait(&p->done_cv, &p->done_mu);
    p->caller_sleeping = false;
    pthread_mutex_unlock(&p->done_mu);
  }
}
