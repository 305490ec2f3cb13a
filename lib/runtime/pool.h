/*
 * pool.h — a persistent CPU thread pool. Workers are created once (with the
 * context) and sleep on a condition variable between jobs; rt_pool_run wakes
 * them, runs fn(arg, begin, end) over a split of [0, n) into contiguous
 * chunks of at least `grain` items, takes one chunk itself, and returns when
 * every chunk is done. No thread is created per job.
 */
#ifndef TC_RUNTIME_POOL_H
#define TC_RUNTIME_POOL_H
#include <stdint.h>

typedef struct rt_pool rt_pool;
typedef void (*rt_pool_fn)(void *arg, int64_t begin, int64_t end);

/* nthreads >= 1 (1: no workers, everything runs on the caller). NULL when
 * threads or memory cannot be had. */
rt_pool *rt_pool_new(int nthreads);
void rt_pool_free(rt_pool *p); /* joins the workers; NULL ok */
int rt_pool_size(const rt_pool *p);
/* Runs fn over [0, n) split into at most rt_pool_size(p) chunks of at least
 * `grain` (>= 1) items. Chunk boundaries depend only on n, grain and the pool
 * size. Not reentrant: one rt_pool_run at a time per pool. */
void rt_pool_run(rt_pool *p, int64_t n, int64_t grain, rt_pool_fn fn,
                 void *arg);

#endif
