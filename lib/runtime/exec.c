/*
 * exec.c — the kernel cache and kernel launches.
 *
 * Cache key: the kernel's canonical text (kc_print) plus the backend's target
 * string (CPU name, features, LLVM version). The table is process-wide and
 * guarded by a mutex, so contexts in different threads share compiled
 * kernels; entries live as long as the process (their code lives in the one
 * LLJIT). A launch splits the kernel's outer space over the context's thread
 * pool; every outer point is computed by exactly one thread with a fixed
 * reduction order, so results do not depend on the thread count.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "../codegen/cuda.h"
#include "../codegen/llvm.h"
#include "diskcache.h"
#include "pool.h"
#include "runtime.h"

struct rt_code {
  uint8_t *key; /* kc_key bytes, then the target string */
  size_t len;
  uint64_t hash;
  _Atomic(kc_fn) fn;          /* NULL until compiled */
  _Atomic uint64_t interp;    /* value evaluations interpreted so far */
  uint64_t vals;              /* values the kernel computes per element */
  _Atomic bool on_disk;       /* an earlier process left its object code */
  struct rt_code *next;
};

#define NBUCKETS 4096
static rt_code *table[NBUCKETS];
static pthread_mutex_t table_mu = PTHREAD_MUTEX_INITIALIZER;
static _Atomic uint64_t next_kernel_id;

/* The interpreter runs a kernel until it has spent about what a compile
 * costs (ctx->interp_budget, by default 2^18 value evaluations, a few ms;
 * TC_INTERP_BUDGET=0 compiles every kernel at once): a kernel seen once or twice on
 * small tensors (a slice whose bounds change every step) is never compiled,
 * one that keeps coming back is compiled once; one whose object code an
 * earlier process left on disk is loaded after 1/64 of that. Results are
 * the same bits either way (the interpreter is the reference the backends
 * match). */

static uint64_t fnv1a(const uint8_t *s, size_t n) {
  uint64_t h = 1469598103934665603ull;
  for (size_t i = 0; i < n; i++) h = (h ^ s[i]) * 1099511628211ull;
  return h;
}

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* The cache key: the kernel's binary form (kc_key) and the target. */
static uint8_t *make_key(const kernel *k, const char *target, size_t *len) {
  size_t n;
  uint8_t *kb = kc_key(k, &n);
  if (!kb) return NULL;
  size_t t = strlen(target);
  uint8_t *key = realloc(kb, n + t);
  if (!key) {
    free(kb);
    return NULL;
  }
  memcpy(key + n, target, t);
  *len = n + t;
  return key;
}

static void dump_kernel(tc_ctx *ctx, const kernel *k) {
  if (ctx->debug & TC_DEBUG_KERNELS) {
    char *text = kc_print(k);
    if (text) {
      ir_debug(ctx, "--- kernel ---\n%s", text);
      free(text);
    }
  }
  if (ctx->debug & (TC_DEBUG_CUDA | TC_DEBUG_PTX)) { /* what the GPU backend would run */
    char err[512];
    char *src = cg_cuda_source(k, "tc_kernel", err, sizeof err);
    if (!src) {
      ir_debug(ctx, "--- CUDA C: codegen failed: %s ---\n", err);
    } else {
      if (ctx->debug & TC_DEBUG_CUDA) {
        ir_debug(ctx, "--- CUDA C ---\n");
        ir_debug_text(ctx, src);
      }
      if (ctx->debug & TC_DEBUG_PTX) {
        char *ptx = NULL, *log = NULL;
        if (cg_nvrtc_compile(src, "tc_kernel", "sm_90", &ptx, &log, err, sizeof err) == 0) {
          ir_debug(ctx, "--- PTX (sm_90) ---\n");
          ir_debug_text(ctx, ptx);
        } else {
          ir_debug(ctx, "--- PTX: %s ---\n", err);
        }
        free(ptx);
        free(log);
      }
      free(src);
    }
  }
}

/* One compile (or load from the disk cache) of kernel k into code c. A job
 * touches no context, so several run on the context's threads at once. */
typedef struct cjob {
  const kernel *k;
  rt_code *c;
  unsigned debug; /* the context's TC_DEBUG flags */
  kc_fn fn;
  bool disk;      /* loaded from the disk cache */
  double secs;
  char *ir, *as;  /* dumps asked for */
  char name[64];
  char err[512];
} cjob;

/* Loads the object code an earlier process compiled (diskcache.c), else
 * compiles (outside every tensorc lock but LLVM's linking: contexts in
 * different threads compile at once, and a debug sink may call tensorc)
 * and stores it there. The symbol is named by the kernel's hash, the same
 * in every process. */
static void cjob_run(cjob *j) {
  cg_llvm *J = cg_llvm_get(j->err, sizeof j->err);
  if (!J) return;
  rt_code *c = j->c;
  snprintf(j->name, sizeof j->name, "tc_k%016llx", (unsigned long long)c->hash);
  bool dumps = j->debug & (TC_DEBUG_LLVM | TC_DEBUG_ASM); /* they need a compile */
  size_t olen = 0;
  void *obj = dumps ? NULL : rt_disk_get("o", c->hash, c->key, c->len, &olen);
  if (obj) {
    int rc = cg_llvm_load(J, j->name, obj, olen, &j->fn, j->err, sizeof j->err);
    free(obj);
    obj = NULL;
    if (rc == 0) {
      j->disk = true;
      return;
    }
    j->fn = NULL; /* unusable: compile it again */
  }
  if (dumps) /* a name of its own: the code shown may already be linked under the hash */
    snprintf(j->name, sizeof j->name, "tc_kernel_%llu", (unsigned long long)atomic_fetch_add(&next_kernel_id, 1));
  double t0 = now();
  int rc = cg_llvm_compile_obj(J, j->k, j->name, &j->fn, (j->debug & TC_DEBUG_LLVM) ? &j->ir : NULL,
                               (j->debug & TC_DEBUG_ASM) ? &j->as : NULL, dumps ? NULL : &obj, &olen, j->err,
                               sizeof j->err);
  if (rc != 0 && !dumps) { /* the hash's name taken (a collision): a name of its own */
    snprintf(j->name, sizeof j->name, "tc_kernel_%llu", (unsigned long long)atomic_fetch_add(&next_kernel_id, 1));
    rc = cg_llvm_compile_obj(J, j->k, j->name, &j->fn, NULL, NULL, NULL, NULL, j->err, sizeof j->err);
  } else if (rc == 0 && obj) {
    rt_disk_put("o", c->hash, c->key, c->len, obj, olen);
  }
  free(obj);
  j->secs = now() - t0;
  if (rc != 0) j->fn = NULL;
}

/* The job's result into its code entry and the context (stats, dumps, the
 * error). */
static kc_fn cjob_finish(tc_ctx *ctx, cjob *j) {
  if (!j->fn) {
    free(j->ir);
    free(j->as);
    return ir_error(ctx, TC_ERR_COMPILE, "kernel compilation failed: %s", j->err);
  }
  kc_fn fn = j->fn, none = NULL; /* a thread that made it meanwhile wins: the same code */
  if (!atomic_compare_exchange_strong(&j->c->fn, &none, fn)) fn = none;
  if (j->disk) {
    ctx->stats.disk_hits++;
    if (ctx->debug & TC_DEBUG_CACHE)
      ir_debug(ctx, "cache: disk hit %016llx (object code)\n", (unsigned long long)j->c->hash);
    return fn;
  }
  ctx->stats.kernels_compiled++;
  ctx->stats.compile_seconds += j->secs;
  if (ctx->debug & TC_DEBUG_TIME) ir_debug(ctx, "time: compiled %s in %.2f ms\n", j->name, j->secs * 1e3);
  if (j->ir) {
    ir_debug(ctx, "--- optimized LLVM IR of %s ---\n", j->name);
    ir_debug_text(ctx, j->ir);
    free(j->ir);
  }
  if (j->as) {
    ir_debug(ctx, "--- assembly of %s ---\n", j->name);
    ir_debug_text(ctx, j->as);
    free(j->as);
  }
  return fn;
}

static kc_fn compile(tc_ctx *ctx, const kernel *k, rt_code *c) {
  cjob j = {.k = k, .c = c, .debug = ctx->debug};
  cjob_run(&j);
  return cjob_finish(ctx, &j);
}

static void cjob_chunk(void *arg, int64_t begin, int64_t end) {
  cjob *jobs = arg;
  for (int64_t i = begin; i < end; i++) cjob_run(&jobs[i]);
}

tc_status rt_kernels_compile(tc_ctx *ctx, const kernel *const *ks, rt_code *const *cs, int n) {
  if (n <= 0) return TC_OK;
  cjob *jobs = ir_alloc(ctx, sizeof(cjob) * (size_t)n);
  if (!jobs) return ir_error(ctx, TC_ERR_OOM, "out of memory compiling kernels"), TC_ERR_OOM;
  for (int i = 0; i < n; i++) jobs[i] = (cjob){.k = ks[i], .c = cs[i], .debug = ctx->debug};
  /* one a thread; the dumps stay in order on this thread */
  if (n > 1 && !ctx->debug) rt_pool_run(ctx->pool, n, 1, cjob_chunk, jobs);
  else cjob_chunk(jobs, 0, n);
  tc_status st = TC_OK;
  for (int i = 0; i < n; i++)
    if (!cjob_finish(ctx, &jobs[i]) && st == TC_OK) st = ctx->status ? ctx->status : TC_ERR_COMPILE;
  ir_free(ctx, jobs);
  return st;
}

/* Value evaluations one run of k (of `vals` values) costs the interpreter:
 * the values it computes, plus what it spends setting a launch up (about
 * a microsecond more than compiled code, measured on a 2-element kernel),
 * so a tiny kernel launched thousands of times is compiled too. */
enum { INTERP_LAUNCH_COST = 64 };

static uint64_t interp_cost(const kernel *k, uint64_t vals) {
  uint64_t work = 0;
  for (int s = 0; s < k->nstages; s++) work += (uint64_t)(k->stages[s].n > 0 ? k->stages[s].n : 1);
  uint64_t n = (uint64_t)kc_outer_numel(k);
  if (n && work > UINT64_MAX / n) return UINT64_MAX;
  n *= work;
  if (vals && n > (UINT64_MAX - INTERP_LAUNCH_COST) / vals) return UINT64_MAX;
  return n * vals + INTERP_LAUNCH_COST;
}

rt_code *rt_kernel_get(tc_ctx *ctx, const kernel *k) {
  dump_kernel(ctx, k);
  char err[512];
  cg_llvm *J = cg_llvm_get(err, sizeof err);
  if (!J) return ir_error(ctx, TC_ERR_COMPILE, "LLVM is not available: %s", err);
  size_t klen;
  uint8_t *key = make_key(k, cg_llvm_target(J), &klen);
  if (!key) return ir_error(ctx, TC_ERR_OOM, "out of memory making a kernel key");
  uint64_t h = fnv1a(key, klen);
  rt_code *c = NULL;
  pthread_mutex_lock(&table_mu);
  for (rt_code *e = table[h % NBUCKETS]; e && !c; e = e->next)
    if (e->hash == h && e->len == klen && !memcmp(e->key, key, klen)) c = e;
  bool fresh = !c;
  if (fresh && (c = malloc(sizeof *c))) {
    c->key = key;
    c->len = klen;
    c->hash = h;
    atomic_init(&c->fn, NULL);
    atomic_init(&c->interp, 0);
    c->vals = (uint64_t)kc_count_values(k) + 1;
    atomic_init(&c->on_disk, false);
    c->next = table[h % NBUCKETS];
    table[h % NBUCKETS] = c;
    key = NULL;
  }
  pthread_mutex_unlock(&table_mu);
  free(key);
  if (!c) return ir_error(ctx, TC_ERR_OOM, "out of memory keeping a kernel");
  if (fresh && !ctx->use_interp) atomic_store(&c->on_disk, rt_disk_has("o", h));
  if (!fresh) {
    ctx->stats.cache_hits++;
    if (ctx->debug & TC_DEBUG_CACHE) ir_debug(ctx, "cache: hit %016llx\n", (unsigned long long)h);
  } else if (ctx->debug & TC_DEBUG_CACHE) {
    ir_debug(ctx, "cache: miss %016llx (kernel text not seen in this process)\n", (unsigned long long)h);
  }
  return c;
}

/* The interpretation a kernel gets before it is compiled: about what a
 * compile costs, or 1/64 of that when its object code is on disk (a load
 * costs a fraction of a compile: a kernel an earlier process used is
 * loaded at its first sizeable run). */
static uint64_t budget(const tc_ctx *ctx, rt_code *c) {
  return atomic_load(&c->on_disk) ? ctx->interp_budget / 64 : ctx->interp_budget;
}

bool rt_kernel_compile_now(const tc_ctx *ctx, const kernel *k, rt_code *c) {
  /* what the dumps show, or too big for the interpreter (a matmul has its
   * own code: matmul.c) */
  if (!c || atomic_load(&c->fn) || ctx->use_interp) return false;
  if (rt_matmul_kernel(k)) return k->nstages > 1; /* the epilogue's code */
  return (ctx->debug & (TC_DEBUG_LLVM | TC_DEBUG_ASM)) || interp_cost(k, c->vals) > budget(ctx, c);
}

kc_fn rt_code_fn(const rt_code *c) { return c ? atomic_load(&((rt_code *)c)->fn) : NULL; }

char *rt_kernel_code(tc_ctx *ctx, const kernel *k, bool assembly) {
  char err[512], name[64];
  cg_llvm *J = cg_llvm_get(err, sizeof err);
  if (!J) return ir_error(ctx, TC_ERR_COMPILE, "LLVM is not available: %s", err);
  snprintf(name, sizeof name, "tc_kernel_%llu", (unsigned long long)atomic_fetch_add(&next_kernel_id, 1));
  kc_fn fn;
  char *ir = NULL, *as = NULL;
  if (cg_llvm_compile(J, k, name, &fn, assembly ? NULL : &ir, assembly ? &as : NULL, err,
                      sizeof err))
    return ir_error(ctx, TC_ERR_COMPILE, "kernel compilation failed: %s", err);
  return assembly ? as : ir;
}

void rt_kernel_cache_clear(void) {
  pthread_mutex_lock(&table_mu);
  for (int i = 0; i < NBUCKETS; i++) {
    rt_code *e = table[i];
    while (e) {
      rt_code *n = e->next;
      free(e->key);
      free(e);
      e = n;
    }
    table[i] = NULL;
  }
  pthread_mutex_unlock(&table_mu);
}

typedef struct launch {
  const kernel *k;
  kc_fn fn;
  void *const *bufs;
} launch;

static void run_chunk(void *arg, int64_t begin, int64_t end) {
  launch *l = arg;
  if (l->fn) l->fn(l->bufs, begin, end);
  else kc_interp(l->k, l->bufs, begin, end);
}

tc_status rt_kernel_run(tc_ctx *ctx, const kernel *k, rt_code *c, void *const *bufs) {
  int64_t n = kc_outer_numel(k);
  if (n <= 0) return TC_OK;
  if (rt_matmul_kernel(k) && c) { /* c NULL: TC_BACKEND=interp, the reference */
    kc_fn epi = NULL;
    if (k->nstages > 1 && !(epi = rt_code_fn(c)) && !(epi = compile(ctx, k, c)))
      return ctx->status ? ctx->status : TC_ERR_COMPILE;
    rt_matmul_run(ctx, k, bufs, epi);
    ctx->stats.kernels_launched++;
    ctx->stats.elements_computed += (uint64_t)n * (uint64_t)(k->stages[0].n > 0 ? k->stages[0].n : 1);
    for (int b = 0; b < k->nbufs; b++)
      ctx->stats.bytes_moved += (uint64_t)k->bufs[b].nelem * ir_dtype_size(k->bufs[b].dt);
    return TC_OK;
  }
  kc_fn fn = rt_code_fn(c);
  if (!fn && c && !ctx->use_interp) { /* interpreted until it has cost a compile */
    uint64_t cost = interp_cost(k, c->vals);
    if (atomic_fetch_add(&c->interp, cost) + cost > budget(ctx, c) && !(fn = compile(ctx, k, c)))
      return ctx->status ? ctx->status : TC_ERR_COMPILE;
  }
  int64_t work = 0;
  for (int s = 0; s < k->nstages; s++) work += k->stages[s].n > 0 ? k->stages[s].n : 1;
  if (work < 1) work = 1;
  int64_t grain = (1 << 15) / work;
  if (grain < 1) grain = 1;
  if (k->serial) grain = n; /* points in order, on this thread */
  launch l = {k, fn, bufs};
  rt_pool_run(ctx->pool, n, grain, run_chunk, &l);
  ctx->stats.kernels_launched++;
  ctx->stats.elements_computed += (uint64_t)n * (uint64_t)work;
  for (int b = 0; b < k->nbufs; b++)
    ctx->stats.bytes_moved += (uint64_t)k->bufs[b].nelem * ir_dtype_size(k->bufs[b].dt);
  return TC_OK;
}
