/*
 * gpu.c — the CUDA device layer (gpu.h): the driver API through dlopen, or
 * an emulated device for machines without a GPU (TC_CUDA_EMULATE=1).
 *
 * Execution model: asynchronous and stream-ordered, as PyTorch's. Each
 * device has one stream (G.stream[dev]) and everything that touches its
 * memory is queued there (cuLaunchKernel, cuMemcpy{HtoD,DtoH,DtoD}Async_v2),
 * so a device's work runs in issue order and a call returns once its work
 * is queued. The host waits for the stream (cuStreamSynchronize, wait())
 * only where it needs a result or must give memory back:
 *   - device->host copies (read-back, .cpu()): queued, then waited for;
 *   - host->device copies, unless non_blocking from pinned memory: queued,
 *     then waited for, so the (pageable) source may be reused at once —
 *     PyTorch's memcpy_and_sync; a non_blocking copy from pinned memory is
 *     only queued, and its source range is *fenced*: rt_gpu_host_fence
 *     (before a CPU kernel overwrites a pinned buffer) and rt_gpu_host_free
 *     wait for the stream first when a queued copy still reads the range;
 *   - copies between two devices (both streams);
 *   - tc_synchronize (rt_gpu_sync) and context teardown (rt_gpu_quiesce);
 *   - before device memory goes back to the driver (below).
 * Device memory comes from a caching allocator per device (alloc.c's size
 * classes, the records on the host): a released block is cached at once and
 * handed to the next allocation of its class, which is safe because its
 * new owner's work is queued on the same stream after the old owner's. A
 * block leaves for cuMemFree only through the deferred list, which a wait
 * empties of the blocks released before the wait began (every command that
 * used them was queued before their release): a free never races a queued
 * kernel. Blocks are deferred when the cache passes its cap (half the
 * device memory) and when an allocation fails (the cache is trimmed, then
 * the allocation retried). Each queued command bumps the device's sequence
 * number; fences and deferred blocks remember it, so a wait releases only
 * what the commands it waited for used, whatever other threads queue.
 *
 * Errors: what cuLaunchKernel and the copy calls return is reported where
 * they are called; errors of the asynchronous work surface at the next wait
 * as "CUDA error: <string> (<NAME>)" on the context that waits (the driver
 * keeps them sticky). Nothing aborts.
 *
 * Timing: since a launch returns before its kernel runs, tc_stats'
 * run_seconds is device time: the first kernel a context queues on a
 * device in a realization opens a span (an event recorded before it), the
 * end of the realization closes it (an event after its last command), and
 * a wait by that context adds the finished spans' elapsed time.
 *
 * Emulated, the stream is a FIFO of kernels and copies run only when a wait
 * drains it (or when it holds EMU_MAX_QUEUED commands, as a driver's queue
 * fills; CUDA_LAUNCH_BLOCKING=1 drains after each), so a missing wait
 * shows up in tests as wrong values or, under ASan, a use after free; a
 * test can make the next launch fault (rt_gpu_emu_fault_next_launch) to see
 * the error surface at the wait. Emulated errors are reported once, not
 * sticky like a real device's.
 *
 * Kernels are compiled by gpu_kernels.c (NVRTC PTX loaded here by
 * load_ptx, or emulated entries) and launched by rt_gpu_run.
 */
#include "gpu.h"
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "../codegen/cuda.h"
#include "alloc.h"

#if defined(__SANITIZE_ADDRESS__)
#define TC_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TC_ASAN 1
#endif
#endif
#ifdef TC_ASAN
#include <sanitizer/asan_interface.h>
#define POISON(p, n) ASAN_POISON_MEMORY_REGION(p, n)
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION(p, n)
#else
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

typedef int CUresult;
typedef unsigned long long CUdeviceptr;
typedef struct cu_api {
  CUresult (*Init)(unsigned);
  CUresult (*DeviceGetCount)(int *);
  CUresult (*DeviceGet)(int *, int);
  CUresult (*DeviceGetName)(char *, int, int);
  CUresult (*DeviceGetAttribute)(int *, int, int);
  CUresult (*DeviceTotalMem)(size_t *, int);
  CUresult (*PrimaryCtxRetain)(void **, int);
  CUresult (*CtxSetCurrent)(void *);
  CUresult (*MemAlloc)(CUdeviceptr *, size_t);
  CUresult (*MemFree)(CUdeviceptr);
  CUresult (*MemHostAlloc)(void **, size_t, unsigned);
  CUresult (*MemFreeHost)(void *);
  CUresult (*MemcpyHtoDAsync)(CUdeviceptr, const void *, size_t, void *);
  CUresult (*MemcpyDtoHAsync)(void *, CUdeviceptr, size_t, void *);
  CUresult (*MemcpyDtoDAsync)(CUdeviceptr, CUdeviceptr, size_t, void *);
  CUresult (*StreamCreate)(void **, unsigned);
  CUresult (*StreamSynchronize)(void *);
  CUresult (*ModuleLoadData)(void **, const void *);
  CUresult (*ModuleGetFunction)(void **, void *, const char *);
  CUresult (*LaunchKernel)(void *, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned,
                           unsigned, void *, void **, void **);
  CUresult (*GetErrorString)(CUresult, const char **);
  CUresult (*GetErrorName)(CUresult, const char **);
  /* optional (timing only) */
  CUresult (*EventCreate)(void **, unsigned);
  CUresult (*EventRecord)(void *, void *);
  CUresult (*EventQuery)(void *);
  CUresult (*EventElapsedTime)(float *, void *, void *);
  CUresult (*EventDestroy)(void *);
} cu_api;

enum { ATTR_SMS = 16, ATTR_CC_MAJOR = 75, ATTR_CC_MINOR = 76, MAX_DEV = 16 };
enum { CU_OOM = 2, CU_ILLEGAL_ADDRESS = 700 }; /* CUDA_ERROR_* */
enum { EMU_MAX_QUEUED = 1024 }; /* commands an emulated stream holds before a launch blocks */

static struct {
  pthread_once_t once;
  bool ok, emulated, launch_blocking, timing;
  int started; /* set (atomically) once a device is usable */
  char why[256];
  cu_api cu;
  int count;
  void *ctx[MAX_DEV];
  void *stream[MAX_DEV];
  int sms[MAX_DEV], major[MAX_DEV], minor[MAX_DEV];
} G = {PTHREAD_ONCE_INIT};

/* ---- per-device stream state ------------------------------------------- */

typedef struct dblk { /* host-side record of a device block not in use */
  void *p;
  size_t cls;    /* its size class (bytes) */
  unsigned idx;  /* class index */
  uint64_t seq;  /* the device's sequence number when it was released */
  struct dblk *next;
} dblk;

typedef struct fence { /* pinned host bytes a queued copy reads */
  const char *p;
  size_t n;
  uint64_t seq;
} fence;

typedef struct span { /* one realization's device work, for its context's run_seconds */
  tc_ctx *ctx;
  void *ev0, *ev1;  /* driver: events before its first and after its last command */
  double secs;      /* emulated: time its commands ran */
  uint64_t end_seq; /* the device's sequence number when it closed; 0 while open */
  struct span *next;
} span;

typedef struct emu_op { /* a command of the emulated stream */
  struct emu_op *next;
  uint64_t seq;
  span *sp; /* a kernel's realization, timed */
  emu_entry fn; /* a kernel; NULL: a copy */
  void *bufs[KC_MAX_BUFS + 1]; /* and the param block (params, copied) */
  kc_param params[KC_MAX_PARAMS];
  long long begin, end;
  unsigned grid, block;
  bool fault; /* rt_gpu_emu_fault_next_launch */
  void *dst;
  const void *src;
  size_t n;
} emu_op;

static struct dstate {
  uint64_t seq;                       /* commands queued so far */
  dblk *cache[RT_ALLOC_NCLASSES];     /* released blocks, reusable in stream order */
  size_t cached, cache_limit;         /* bytes in cache; its cap */
  dblk *deferred;                     /* blocks for cuMemFree after a wait */
  fence *fences;                      /* pinned sources of queued copies */
  int nfences, capfences;
  emu_op *head, *tail;                /* emulated: the stream */
  long queued;                        /* emulated: commands in it */
  uint64_t done_seq;                  /* emulated: the last command run */
  CUresult err;                       /* emulated: an error of queued work, until reported */
  bool fault_next;                    /* emulated: the next launch faults */
  span *spans;                        /* realizations not yet counted */
  size_t in_use, reserved;            /* bytes of blocks held by buffers; obtained from the driver */
  void *events[64];                   /* driver: spare events */
  int nevents;
} D[MAX_DEV];
static pthread_mutex_t smu = PTHREAD_MUTEX_INITIALIZER; /* guards D */

/* "an illegal memory access was encountered (CUDA_ERROR_ILLEGAL_ADDRESS)" */
static const char *cu_err(CUresult r, char *buf, size_t cap) {
  const char *s = NULL, *name = NULL;
  if (G.emulated) {
    if (r == CU_ILLEGAL_ADDRESS) s = "an illegal memory access was encountered", name = "CUDA_ERROR_ILLEGAL_ADDRESS";
    if (r == CU_OOM) s = "out of memory", name = "CUDA_ERROR_OUT_OF_MEMORY";
  } else {
    if (G.cu.GetErrorString) G.cu.GetErrorString(r, &s);
    if (G.cu.GetErrorName) G.cu.GetErrorName(r, &name);
  }
  if (name) snprintf(buf, cap, "%s (%s)", s ? s : "unknown error", name);
  else snprintf(buf, cap, "%s (CUDA error %d)", s ? s : "unknown error", r);
  return buf;
}

static void init_driver(void) {
  const char *off = getenv("TC_CUDA_DISABLE");
  if (off && atoi(off) > 0) {
    snprintf(G.why, sizeof G.why, "CUDA is not available: disabled by TC_CUDA_DISABLE");
    return;
  }
  const char *emu = getenv("TC_CUDA_EMULATE");
  if (emu && atoi(emu) > 0 && !tensorc_cuda_emu_compile) {
    snprintf(G.why, sizeof G.why,
             "CUDA is not available: TC_CUDA_EMULATE=1 needs tensorc's test emulator "
             "(libtensorc_cuda_emu.so, preloaded)");
    return;
  }
  if (emu && atoi(emu) > 0) {
    G.ok = G.emulated = true;
    const char *lb = getenv("CUDA_LAUNCH_BLOCKING");
    G.launch_blocking = lb && atoi(lb) > 0;
    G.count = 1;
    G.sms[0] = 2;
    G.major[0] = 9;
    G.minor[0] = 0;
    D[0].cache_limit = (size_t)1 << 29; /* half the 1 GiB rt_gpu_props reports */
    G.timing = true;
    __atomic_store_n(&G.started, 1, __ATOMIC_RELEASE);
    return;
  }
  void *h = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
  if (!h) {
    snprintf(G.why, sizeof G.why, "CUDA is not available: cannot load libcuda.so.1 (no NVIDIA driver)");
    return;
  }
#define SYM(field, name)                                                              \
  do {                                                                                \
    *(void **)&G.cu.field = dlsym(h, name);                                           \
    if (!G.cu.field) {                                                                \
      snprintf(G.why, sizeof G.why, "CUDA is not available: libcuda.so.1 lacks %s", name); \
      return;                                                                         \
    }                                                                                 \
  } while (0)
  SYM(Init, "cuInit");
  SYM(DeviceGetCount, "cuDeviceGetCount");
  SYM(DeviceGet, "cuDeviceGet");
  SYM(DeviceGetName, "cuDeviceGetName");
  SYM(DeviceGetAttribute, "cuDeviceGetAttribute");
  SYM(DeviceTotalMem, "cuDeviceTotalMem_v2");
  SYM(PrimaryCtxRetain, "cuDevicePrimaryCtxRetain");
  SYM(CtxSetCurrent, "cuCtxSetCurrent");
  SYM(MemAlloc, "cuMemAlloc_v2");
  SYM(MemFree, "cuMemFree_v2");
  SYM(MemHostAlloc, "cuMemHostAlloc");
  SYM(MemFreeHost, "cuMemFreeHost");
  SYM(MemcpyHtoDAsync, "cuMemcpyHtoDAsync_v2");
  SYM(MemcpyDtoHAsync, "cuMemcpyDtoHAsync_v2");
  SYM(MemcpyDtoDAsync, "cuMemcpyDtoDAsync_v2");
  SYM(StreamCreate, "cuStreamCreate");
  SYM(StreamSynchronize, "cuStreamSynchronize");
  SYM(ModuleLoadData, "cuModuleLoadData");
  SYM(ModuleGetFunction, "cuModuleGetFunction");
  SYM(LaunchKernel, "cuLaunchKernel");
  SYM(GetErrorString, "cuGetErrorString");
  SYM(GetErrorName, "cuGetErrorName");
#undef SYM
  /* events time each realization's device work (tc_stats.run_seconds);
   * without them the time is not counted */
  *(void **)&G.cu.EventCreate = dlsym(h, "cuEventCreate");
  *(void **)&G.cu.EventRecord = dlsym(h, "cuEventRecord");
  *(void **)&G.cu.EventQuery = dlsym(h, "cuEventQuery");
  *(void **)&G.cu.EventElapsedTime = dlsym(h, "cuEventElapsedTime_v2");
  if (!G.cu.EventElapsedTime) *(void **)&G.cu.EventElapsedTime = dlsym(h, "cuEventElapsedTime");
  *(void **)&G.cu.EventDestroy = dlsym(h, "cuEventDestroy_v2");
  G.timing = G.cu.EventCreate && G.cu.EventRecord && G.cu.EventQuery && G.cu.EventElapsedTime &&
             G.cu.EventDestroy;
  char e[256];
  CUresult r = G.cu.Init(0);
  if (r != 0) {
    snprintf(G.why, sizeof G.why, "CUDA is not available: cuInit failed: %s", cu_err(r, e, sizeof e));
    return;
  }
  int n = 0;
  if (G.cu.DeviceGetCount(&n) != 0 || n <= 0) {
    snprintf(G.why, sizeof G.why, "CUDA is not available: no CUDA device found");
    return;
  }
  if (n > MAX_DEV) n = MAX_DEV;
  for (int i = 0; i < n; i++) {
    int d;
    size_t mem = 0;
    if (G.cu.DeviceGet(&d, i) || G.cu.PrimaryCtxRetain(&G.ctx[i], d) ||
        G.cu.CtxSetCurrent(G.ctx[i]) || (r = G.cu.StreamCreate(&G.stream[i], 0))) {
      snprintf(G.why, sizeof G.why, "CUDA is not available: cannot open device %d", i);
      return;
    }
    G.cu.DeviceGetAttribute(&G.sms[i], ATTR_SMS, d);
    G.cu.DeviceGetAttribute(&G.major[i], ATTR_CC_MAJOR, d);
    G.cu.DeviceGetAttribute(&G.minor[i], ATTR_CC_MINOR, d);
    G.cu.DeviceTotalMem(&mem, d);
    D[i].cache_limit = mem ? mem / 2 : (size_t)1 << 30;
  }
  G.count = n;
  G.ok = true;
  __atomic_store_n(&G.started, 1, __ATOMIC_RELEASE);
}

bool rt_gpu_available(char *why, size_t cap) {
  pthread_once(&G.once, init_driver);
  if (!G.ok && why) snprintf(why, cap, "%s", G.why);
  return G.ok;
}

int rt_gpu_count(void) { return rt_gpu_available(NULL, 0) ? G.count : 0; }

/* Whether a device was opened, without opening one. */
static bool started(void) { return __atomic_load_n(&G.started, __ATOMIC_ACQUIRE) != 0; }

static bool use(tc_ctx *ctx, int dev) {
  char why[256];
  if (!rt_gpu_available(why, sizeof why)) {
    if (ctx) ir_error(ctx, TC_ERR_UNSUPPORTED, "%s", why);
    return false;
  }
  if (dev < 0 || dev >= G.count) {
    if (ctx)
      ir_error(ctx, TC_ERR_ARG, "CUDA error: invalid device ordinal %d (%d device%s)", dev, G.count,
               G.count == 1 ? "" : "s");
    return false;
  }
  if (!G.emulated) G.cu.CtxSetCurrent(G.ctx[dev]);
  return true;
}

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Emulated: runs the queued commands in order. A faulting launch sets the
 * device's error; while one is pending, commands are dropped (a real
 * context is unusable after a fault). Returns the pending error. */
static CUresult emu_drain(int dev) {
  struct dstate *d = &D[dev];
  pthread_mutex_lock(&smu); /* held throughout: one drain at a time, in order */
  while (d->head) {
    emu_op *op = d->head;
    d->head = op->next;
    if (!d->head) d->tail = NULL;
    d->queued--;
    if (!d->err) {
      double t0 = now();
      if (op->fault) d->err = CU_ILLEGAL_ADDRESS;
      else if (op->fn) op->fn(op->bufs, op->begin, op->end, op->grid, op->block);
      else memmove(op->dst, op->src, op->n);
      if (op->sp) op->sp->secs += now() - t0;
    }
    d->done_seq = op->seq;
    free(op);
  }
  CUresult r = d->err;
  pthread_mutex_unlock(&smu);
  return r;
}

static void raw_free(int dev, void *p, size_t cls) {
  if (G.emulated) {
    UNPOISON(p, cls);
    free(p);
  } else {
    G.cu.CtxSetCurrent(G.ctx[dev]);
    G.cu.MemFree((CUdeviceptr)(uintptr_t)p);
  }
}

/* Waits until everything queued on dev so far has run; then gives the
 * driver the deferred blocks released before the wait began and drops the
 * fences of the copies waited for. Returns the stream's error (emulated:
 * the pending one, left pending). */
static CUresult wait_covering(int dev, uint64_t *covered) {
  struct dstate *d = &D[dev];
  pthread_mutex_lock(&smu);
  uint64_t s = d->seq;
  pthread_mutex_unlock(&smu);
  if (covered) *covered = s;
  CUresult r = G.emulated ? emu_drain(dev) : G.cu.StreamSynchronize(G.stream[dev]);
  dblk *done = NULL;
  pthread_mutex_lock(&smu);
  for (dblk **pp = &d->deferred; *pp;) {
    dblk *b = *pp;
    if (b->seq <= s) {
      *pp = b->next;
      b->next = done;
      done = b;
    } else {
      pp = &b->next;
    }
  }
  int k = 0;
  for (int i = 0; i < d->nfences; i++)
    if (d->fences[i].seq > s) d->fences[k++] = d->fences[i];
  d->nfences = k;
  pthread_mutex_unlock(&smu);
  while (done) {
    dblk *b = done;
    done = b->next;
    raw_free(dev, b->p, b->cls);
    pthread_mutex_lock(&smu);
    d->reserved -= b->cls;
    pthread_mutex_unlock(&smu);
    free(b);
  }
  return r;
}

static CUresult wait(int dev) { return wait_covering(dev, NULL); }

static void *event_get(int dev) { /* smu held */
  void *e = NULL;
  if (D[dev].nevents) return D[dev].events[--D[dev].nevents];
  if (G.cu.EventCreate(&e, 0)) e = NULL; /* CU_EVENT_DEFAULT: timed */
  return e;
}

static void event_put(int dev, void *e) { /* smu held */
  if (!e) return;
  if (D[dev].nevents < (int)(sizeof D[dev].events / sizeof D[dev].events[0])) D[dev].events[D[dev].nevents++] = e;
  else G.cu.EventDestroy(e);
}

/* Adds to ctx's run_seconds the spans of ctx on dev that have finished
 * (all, when all is set: after a wait covering up to seq `covered`, or to
 * drop them) and frees them. smu held. */
static void harvest(tc_ctx *ctx, int dev, uint64_t covered, bool all) {
  struct dstate *d = &D[dev];
  if (!G.emulated) G.cu.CtxSetCurrent(G.ctx[dev]);
  for (span **pp = &d->spans; *pp;) {
    span *sp = *pp;
    bool done = false;
    if (sp->ctx == ctx && (sp->end_seq || all)) {
      if (G.emulated) done = all || sp->end_seq <= d->done_seq;
      else done = all || sp->end_seq <= covered || (sp->ev1 && G.cu.EventQuery(sp->ev1) == 0);
    }
    if (!done) {
      pp = &sp->next;
      continue;
    }
    if (G.emulated) {
      ctx->stats.run_seconds += sp->secs;
    } else {
      float ms = 0;
      if (sp->end_seq && sp->ev0 && sp->ev1 && G.cu.EventElapsedTime(&ms, sp->ev0, sp->ev1) == 0)
        ctx->stats.run_seconds += ms * 1e-3;
      event_put(dev, sp->ev0);
      event_put(dev, sp->ev1);
    }
    *pp = sp->next;
    free(sp);
  }
}

/* The open span of ctx on dev (opened now, its start recorded, when none);
 * NULL when timing is off or memory is short. Before a launch. */
static span *span_open(tc_ctx *ctx, int dev) {
  if (!G.timing) return NULL;
  pthread_mutex_lock(&smu);
  span *sp = D[dev].spans;
  while (sp && !(sp->ctx == ctx && !sp->end_seq)) sp = sp->next;
  if (!sp && (sp = calloc(1, sizeof *sp))) {
    sp->ctx = ctx;
    if (!G.emulated) {
      sp->ev0 = event_get(dev);
      sp->ev1 = event_get(dev);
      if (sp->ev0 && G.cu.EventRecord(sp->ev0, G.stream[dev])) {
        event_put(dev, sp->ev0);
        sp->ev0 = NULL;
      }
    }
    sp->next = D[dev].spans;
    D[dev].spans = sp;
  }
  pthread_mutex_unlock(&smu);
  return sp;
}

void rt_gpu_span_close(tc_ctx *ctx) {
  if (!started() || !G.timing) return;
  for (int dev = 0; dev < G.count; dev++) {
    int pending = 0;
    pthread_mutex_lock(&smu);
    for (span *sp = D[dev].spans; sp; sp = sp->next) {
      if (sp->ctx != ctx) continue;
      pending++;
      if (sp->end_seq) continue;
      if (!G.emulated) {
        G.cu.CtxSetCurrent(G.ctx[dev]);
        if (sp->ev1 && G.cu.EventRecord(sp->ev1, G.stream[dev])) {
          event_put(dev, sp->ev1);
          sp->ev1 = NULL;
        }
      }
      sp->end_seq = D[dev].seq ? D[dev].seq : 1;
    }
    /* a context that never waits: count what has finished */
    if (pending > 32) harvest(ctx, dev, 0, false);
    pthread_mutex_unlock(&smu);
  }
}

/* wait(), reporting an error on ctx (which takes an emulated one). */
static tc_status wait_report(tc_ctx *ctx, int dev) {
  uint64_t covered;
  CUresult r = wait_covering(dev, &covered);
  if (ctx && G.timing) {
    pthread_mutex_lock(&smu);
    harvest(ctx, dev, covered, false);
    pthread_mutex_unlock(&smu);
  }
  if (!r) return TC_OK;
  if (!ctx) return TC_ERR_RUNTIME;
  char e[256];
  ir_error(ctx, TC_ERR_RUNTIME,
           "CUDA error: %s. CUDA kernel errors are reported asynchronously, at the next "
           "synchronization, so the call that reports one may not be the one that caused it; "
           "for debugging consider passing CUDA_LAUNCH_BLOCKING=1",
           cu_err(r, e, sizeof e));
  if (G.emulated) {
    pthread_mutex_lock(&smu);
    D[dev].err = 0;
    pthread_mutex_unlock(&smu);
  }
  return TC_ERR_RUNTIME;
}

/* Records that a command was queued on dev (smu held); fences [p, p+n)
 * when p. False when the fence could not be recorded. */
static bool note_queued(int dev, const void *p, size_t n) {
  struct dstate *d = &D[dev];
  d->seq++;
  if (!p) return true;
  if (d->nfences == d->capfences) {
    int cap = d->capfences ? 2 * d->capfences : 16;
    fence *f = realloc(d->fences, sizeof *f * (size_t)cap);
    if (!f) return false;
    d->fences = f;
    d->capfences = cap;
  }
  d->fences[d->nfences++] = (fence){p, n, d->seq};
  return true;
}

/* Emulated: appends op to dev's stream (op->src fenced when fence_src).
 * True when the caller must wait now: the queue is full (a launch blocks
 * then, as the driver's does), CUDA_LAUNCH_BLOCKING, or no fence. */
static bool emu_enqueue(int dev, emu_op *op, bool fence_src) {
  struct dstate *d = &D[dev];
  pthread_mutex_lock(&smu);
  op->next = NULL;
  if (d->tail) d->tail->next = op;
  else d->head = op;
  d->tail = op;
  d->queued++;
  if (op->fn && d->fault_next) {
    op->fault = true;
    d->fault_next = false;
  }
  bool fenced = note_queued(dev, fence_src ? op->src : NULL, op->n);
  op->seq = d->seq;
  bool full = d->queued > EMU_MAX_QUEUED;
  pthread_mutex_unlock(&smu);
  return !fenced || full || G.launch_blocking;
}

enum { HTOD, DTOH, DTOD };

static tc_status copy_error(tc_ctx *ctx, CUresult r) {
  char e[256];
  ir_error(ctx, TC_ERR_RUNTIME, "CUDA error: %s in a copy", cu_err(r, e, sizeof e));
  return TC_ERR_RUNTIME;
}

/* Queues a copy on dev's stream. With fence_src (a pinned host source the
 * caller does not wait for) the source range is fenced. */
static tc_status queue_copy(tc_ctx *ctx, int dev, int kind, void *dst, const void *src, size_t n,
                            bool fence_src) {
  if (G.emulated) {
    emu_op *op = calloc(1, sizeof *op);
    if (!op) return ir_error(ctx, TC_ERR_OOM, "out of memory queuing a copy"), TC_ERR_OOM;
    op->dst = dst;
    op->src = src;
    op->n = n;
    return emu_enqueue(dev, op, fence_src) ? wait_report(ctx, dev) : TC_OK;
  }
  void *st = G.stream[dev];
  CUresult r = kind == HTOD   ? G.cu.MemcpyHtoDAsync((CUdeviceptr)(uintptr_t)dst, src, n, st)
               : kind == DTOH ? G.cu.MemcpyDtoHAsync(dst, (CUdeviceptr)(uintptr_t)src, n, st)
                              : G.cu.MemcpyDtoDAsync((CUdeviceptr)(uintptr_t)dst,
                                                     (CUdeviceptr)(uintptr_t)src, n, st);
  if (r) return copy_error(ctx, r);
  pthread_mutex_lock(&smu);
  bool fenced = note_queued(dev, fence_src ? src : NULL, n);
  pthread_mutex_unlock(&smu);
  return fenced ? TC_OK : wait_report(ctx, dev);
}

long rt_gpu_queued(int dev) {
  if (!started() || !G.emulated || dev < 0 || dev >= G.count) return -1;
  pthread_mutex_lock(&smu);
  long n = D[dev].queued;
  pthread_mutex_unlock(&smu);
  return n;
}

void rt_gpu_emu_fault_next_launch(int dev) {
  if (!started() || !G.emulated || dev < 0 || dev >= G.count) return;
  pthread_mutex_lock(&smu);
  D[dev].fault_next = true;
  pthread_mutex_unlock(&smu);
}

/* ---- memory --------------------------------------------------------------- */

/* Moves dev's cached blocks to the deferred list and waits, so they go back
 * to the driver. */
static void trim(int dev) {
  struct dstate *d = &D[dev];
  pthread_mutex_lock(&smu);
  for (int i = 0; i < RT_ALLOC_NCLASSES; i++) {
    while (d->cache[i]) {
      dblk *b = d->cache[i];
      d->cache[i] = b->next;
      b->next = d->deferred;
      d->deferred = b;
    }
  }
  d->cached = 0;
  pthread_mutex_unlock(&smu);
  wait(dev);
}

void *rt_gpu_alloc(tc_ctx *ctx, int dev, size_t bytes) {
  if (!use(ctx, dev)) return NULL;
  size_t cls;
  unsigned idx;
  if (!rt_alloc_class(bytes, &cls, &idx))
    return ir_error(ctx, TC_ERR_OOM, "CUDA out of memory allocating %zu bytes", bytes);
  struct dstate *d = &D[dev];
  void *p = NULL;
  pthread_mutex_lock(&smu);
  dblk *b = d->cache[idx];
  if (b) {
    d->cache[idx] = b->next;
    d->cached -= cls;
  }
  if (b) d->in_use += cls;
  pthread_mutex_unlock(&smu);
  if (b) {
    p = b->p;
    free(b);
    /* emulated: the new owner's bytes are addressable; the old owner's stay
     * so too, as commands queued before the release may still touch them */
    if (G.emulated) UNPOISON(p, bytes);
  } else {
    CUresult r = 0;
    for (int attempt = 0; attempt < 2; attempt++) {
      if (G.emulated) {
        p = malloc(cls);
        r = p ? 0 : CU_OOM;
      } else {
        CUdeviceptr dp = 0;
        r = G.cu.MemAlloc(&dp, cls);
        p = r ? NULL : (void *)(uintptr_t)dp;
      }
      if (r != CU_OOM) break;
      trim(dev);
    }
    char e[256];
    if (r == CU_OOM) return ir_error(ctx, TC_ERR_OOM, "CUDA out of memory allocating %zu bytes", bytes);
    if (r) return ir_error(ctx, TC_ERR_RUNTIME, "CUDA error: %s allocating %zu bytes", cu_err(r, e, sizeof e), bytes);
    if (G.emulated) POISON((char *)p + bytes, cls - bytes); /* ASan: the slack is out of bounds */
    pthread_mutex_lock(&smu);
    d->in_use += cls;
    d->reserved += cls;
    pthread_mutex_unlock(&smu);
  }
  return p;
}

void rt_gpu_free(int dev, void *p, size_t bytes) {
  if (!p || !use(NULL, dev)) return;
  size_t cls;
  unsigned idx;
  rt_alloc_class(bytes, &cls, &idx); /* it fit when allocated */
  dblk *b = malloc(sizeof *b);
  struct dstate *d = &D[dev];
  if (!b) { /* no record: wait, then free now */
    wait(dev);
    raw_free(dev, p, cls);
    pthread_mutex_lock(&smu);
    d->in_use -= cls;
    d->reserved -= cls;
    pthread_mutex_unlock(&smu);
    return;
  }
  *b = (dblk){p, cls, idx, 0, NULL};
  pthread_mutex_lock(&smu);
  d->in_use -= cls;
  b->seq = d->seq;
  if (d->cached + cls <= d->cache_limit) {
    b->next = d->cache[idx];
    d->cache[idx] = b;
    d->cached += cls;
  } else {
    b->next = d->deferred;
    d->deferred = b;
  }
  pthread_mutex_unlock(&smu);
}

void *rt_gpu_host_alloc(tc_ctx *ctx, size_t bytes) {
  if (!use(ctx, 0)) return NULL;
  void *p = NULL;
  if (G.emulated) p = malloc(bytes ? bytes : 1);
  else if (G.cu.MemHostAlloc(&p, bytes ? bytes : 1, 0)) p = NULL;
  if (!p) ir_error(ctx, TC_ERR_OOM, "out of pinned memory allocating %zu bytes", bytes);
  return p;
}

tc_status rt_gpu_host_fence(tc_ctx *ctx, const void *p, size_t n) {
  if (!p || !started()) return TC_OK;
  const char *a = p;
  tc_status st = TC_OK;
  for (int dev = 0; dev < G.count; dev++) {
    bool hit = false;
    pthread_mutex_lock(&smu);
    for (int i = 0; i < D[dev].nfences && !hit; i++) {
      const fence *f = &D[dev].fences[i];
      hit = f->p < a + (n ? n : 1) && a < f->p + (f->n ? f->n : 1);
    }
    pthread_mutex_unlock(&smu);
    if (hit && use(NULL, dev) && wait_report(ctx, dev) != TC_OK && st == TC_OK) st = TC_ERR_RUNTIME;
  }
  return st;
}

void rt_gpu_host_free(void *p, size_t bytes) {
  if (!p) return;
  rt_gpu_host_fence(NULL, p, bytes);
  if (G.emulated) free(p);
  else G.cu.MemFreeHost(p);
}

/* ---- copies and synchronization ------------------------------------------ */

tc_status rt_gpu_copy(tc_ctx *ctx, void *dst, tc_device ddev, const void *src, tc_device sdev,
                      size_t n, bool async) {
  bool to_dev = ddev.type == TC_CUDA, from_dev = sdev.type == TC_CUDA;
  int dev = to_dev ? ddev.index : sdev.index;
  if (!use(ctx, dev)) return ctx->status;
  if (n == 0) return TC_OK;
  tc_status st;
  if (to_dev && from_dev && sdev.index != ddev.index) {
    /* between devices: the source's producers first, and done before the
     * source's block can be reused on its own stream */
    if (!use(ctx, sdev.index) || wait_report(ctx, sdev.index) != TC_OK) return ctx->status;
    use(ctx, dev);
    if ((st = queue_copy(ctx, dev, DTOD, dst, src, n, false))) return st;
    return wait_report(ctx, dev);
  }
  if (to_dev && from_dev) return queue_copy(ctx, dev, DTOD, dst, src, n, false);
  if (to_dev) {
    if ((st = queue_copy(ctx, dev, HTOD, dst, src, n, async))) return st;
    return async ? TC_OK : wait_report(ctx, dev);
  }
  if ((st = queue_copy(ctx, dev, DTOH, dst, src, n, false))) return st;
  return wait_report(ctx, dev);
}

tc_status rt_gpu_sync(tc_ctx *ctx, int dev) {
  if (!use(ctx, dev)) return ctx->status;
  return wait_report(ctx, dev);
}

void rt_gpu_wait(int dev) {
  if (use(NULL, dev)) wait(dev);
}

void rt_gpu_quiesce(tc_ctx *ctx) {
  if (!started()) return;
  for (int dev = 0; dev < G.count; dev++) {
    if (!use(NULL, dev)) continue;
    uint64_t covered;
    wait_covering(dev, &covered);
    pthread_mutex_lock(&smu);
    harvest(ctx, dev, covered, true); /* the context goes: its spans too */
    pthread_mutex_unlock(&smu);
  }
}

void rt_gpu_empty_cache(void) {
  if (!started()) return;
  for (int dev = 0; dev < G.count; dev++)
    if (use(NULL, dev)) trim(dev);
}

tc_status rt_gpu_memory(tc_ctx *ctx, int dev, size_t *in_use, size_t *reserved) {
  if (!use(ctx, dev)) return ctx ? ctx->status : TC_ERR_UNSUPPORTED;
  pthread_mutex_lock(&smu);
  *in_use = D[dev].in_use;
  *reserved = D[dev].reserved;
  pthread_mutex_unlock(&smu);
  return TC_OK;
}

tc_status rt_gpu_props(int dev, char *name, size_t cap, int *major, int *minor, int *sms,
                       size_t *mem) {
  if (!use(NULL, dev)) return TC_ERR_UNSUPPORTED;
  if (G.emulated) {
    snprintf(name, cap, "tensorc emulated CUDA device");
    *mem = (size_t)1 << 30;
  } else {
    int d;
    G.cu.DeviceGet(&d, dev);
    G.cu.DeviceGetName(name, (int)cap, d);
    G.cu.DeviceTotalMem(mem, d);
  }
  *major = G.major[dev];
  *minor = G.minor[dev];
  *sms = G.sms[dev];
  return TC_OK;
}

/* ---- kernels ------------------------------------------------------------ */

static void *load_ptx(tc_ctx *ctx, const char *ptx, const char *name) {
  void *mod = NULL, *fn = NULL;
  CUresult r = G.cu.ModuleLoadData(&mod, ptx);
  if (!r) r = G.cu.ModuleGetFunction(&fn, mod, name);
  if (!r) return fn;
  char e[256];
  return ir_error(ctx, TC_ERR_COMPILE, "CUDA error: %s loading a kernel", cu_err(r, e, sizeof e));
}

void *rt_gpu_function(tc_ctx *ctx, int dev, const kernel *k) {
  if (!use(ctx, dev)) return NULL;
  char arch[32];
  snprintf(arch, sizeof arch, "sm_%d%d", G.major[dev], G.minor[dev]);
  void *fn = rt_gpu_kernel_get(ctx, dev, k, arch, G.emulated, load_ptx);
  if (!fn && !ctx->status) ir_error(ctx, TC_ERR_COMPILE, "CUDA: no function for a kernel");
  return fn;
}

tc_status rt_gpu_run(tc_ctx *ctx, int dev, const kernel *k, void *const *bufs) {
  if (kc_outer_numel(k) <= 0) return TC_OK;
  void *fn = rt_gpu_function(ctx, dev, k);
  if (!fn) return ctx->status ? ctx->status : TC_ERR_COMPILE;
  return rt_gpu_launch(ctx, dev, k, fn, bufs);
}

tc_status rt_gpu_launch(tc_ctx *ctx, int dev, const kernel *k, void *fn, void *const *bufs) {
  if (!use(ctx, dev)) return ctx->status;
  int64_t n = kc_outer_numel(k);
  if (n <= 0) return TC_OK;
  unsigned grid, block;
  cg_cuda_launch_dims(k, n, G.emulated ? 2 : 32 * (int64_t)G.sms[dev], &grid, &block);
  long long begin = 0, end = n;
  if (G.emulated) { /* queued; runs when a wait drains the stream */
    emu_op *op = calloc(1, sizeof *op);
    if (!op) return ir_error(ctx, TC_ERR_OOM, "out of memory queuing a kernel"), TC_ERR_OOM;
    op->fn = (emu_entry)fn;
    memcpy(op->bufs, bufs, sizeof(void *) * (size_t)k->nbufs);
    if (k->nparams) { /* the caller's block may be gone when the op runs */
      memcpy(op->params, bufs[k->nbufs], sizeof(kc_param) * (size_t)k->nparams);
      op->bufs[k->nbufs] = op->params;
    }
    op->begin = begin;
    op->end = end;
    op->grid = grid;
    op->block = block;
    op->sp = span_open(ctx, dev);
    if (emu_enqueue(dev, op, false)) { /* reports as a wait does */
      tc_status st = wait_report(ctx, dev);
      if (st != TC_OK) return st;
    }
  } else { /* queued on the stream; the driver copies the arguments now */
    CUdeviceptr d[KC_MAX_BUFS];
    void *args[KC_MAX_BUFS + KC_MAX_PARAMS + 2];
    int na = 0;
    for (int i = 0; i < k->nbufs; i++) {
      d[i] = (CUdeviceptr)(uintptr_t)bufs[i];
      args[na++] = &d[i];
    }
    kc_param *pv = k->nparams ? (kc_param *)bufs[k->nbufs] : NULL;
    for (int i = 0; i < k->nparams; i++) args[na++] = &pv[i]; /* copied by the launch */
    args[na++] = &begin;
    args[na++] = &end;
    span_open(ctx, dev);
    CUresult r = G.cu.LaunchKernel(fn, grid, 1, 1, block, 1, 1, 0, G.stream[dev], args, NULL);
    if (r) {
      char e[256];
      return ir_error(ctx, TC_ERR_RUNTIME, "CUDA error: %s launching a kernel", cu_err(r, e, sizeof e)),
             TC_ERR_RUNTIME;
    }
    pthread_mutex_lock(&smu);
    note_queued(dev, NULL, 0);
    pthread_mutex_unlock(&smu);
  }
  ctx->stats.kernels_launched++;
  int64_t work = 0;
  for (int s = 0; s < k->nstages; s++) work += k->stages[s].n > 0 ? k->stages[s].n : 1;
  ctx->stats.elements_computed += (uint64_t)n * (uint64_t)(work > 0 ? work : 1);
  for (int b = 0; b < k->nbufs; b++)
    ctx->stats.bytes_moved += (uint64_t)k->bufs[b].nelem * ir_dtype_size(k->bufs[b].dt);
  return TC_OK;
}
