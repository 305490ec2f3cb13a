/*
 * cuda_emu.h — just enough CUDA for the host C++ compiler to build and run
 * the CUDA C that lib/codegen/cuda.c generates, for tests on machines with
 * no GPU: `g++ -std=c++17 -include test/cuda_emu.h kernel.cu`.
 *
 * Execution model. tc_emu_launch(grid, block, body, arg) runs the blocks one
 * after another; the threads of a block are ucontext fibers on the calling
 * OS thread, scheduled round robin, each calling body(arg) with its own
 * threadIdx. A fiber runs until it reaches a synchronizing intrinsic
 * (__syncthreads, __syncwarp, __shfl*_sync) whose partners have not all
 * arrived; then it yields, so barriers and warp shuffles behave as on a GPU
 * (every thread named in the mask must arrive before any leaves). Warps are
 * 32 consecutive threads of the (1-D) block, lanes numbered within them.
 *
 * A warp-level operation with mask M is a rendezvous of exactly the lanes
 * of M: a thread joins the oldest open rendezvous of its warp with the same
 * mask that it has not joined yet (or opens one), deposits its value,
 * waits until every lane of M has joined, reads its source lane's value and
 * leaves; the rendezvous closes when all have left. So the k-th operation
 * with mask M of one lane meets the k-th with mask M of the others, however
 * other masks interleave, as on the hardware. Misuse is reported and
 * aborts: a mask without the caller's lane or with lanes the block lacks, a
 * source lane outside the mask, a partner that exited, or a deadlock (no
 * fiber can make progress).
 *
 * Floating point: the __f*_rn intrinsics are the host's IEEE operations
 * (compile with -ffp-contract=off so none becomes an FMA) and the math
 * functions are the C library's, the same ones kc_interp calls.
 * Single-threaded: one launch at a time per process.
 */
#ifndef TC_CUDA_EMU_H
#define TC_CUDA_EMU_H
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ucontext.h>


#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __noinline__ __attribute__((noinline))
#define __launch_bounds__(...)
#define __shared__ static /* blocks run one at a time */

struct dim3 {
  unsigned x, y, z;
};

namespace tc_emu {

enum { WARP = 32, MAXT = 1024, STACK = 128 * 1024 };

struct thread {
  ucontext_t ctx;
  dim3 idx;
  unsigned lane, warp;
  bool started, done;
  unsigned long long bseq; /* __syncthreads executed */
};

struct meeting { /* one open warp-level rendezvous */
  bool open;
  unsigned mask, joined, left;
  unsigned long long order; /* opening order within the warp */
  unsigned long long val[WARP];
};

struct warp_slots {
  meeting m[64];
  unsigned long long opened;
};

struct state {
  thread th[MAXT];
  warp_slots warps[MAXT / WARP];
  char *stacks[MAXT];
  ucontext_t sched;
  thread *volatile cur;
  dim3 block_idx, block_dim, grid_dim;
  void (*body)(void *);
  void *arg;
  unsigned long long progress;
};

static state S;

[[noreturn]] static void die(const char *what) {
  thread *t = S.cur;
  fprintf(stderr, "cuda_emu: %s (block %u, thread %u)\n", what, S.block_idx.x,
          t ? t->idx.x : 0u);
  abort();
}

static thread *self() { return S.cur; }

/* back to the scheduler; returns when resumed */
static void yield() { swapcontext(&self()->ctx, &S.sched); }

static void entry() {
  thread *t = self();
  S.body(S.arg);
  t->done = true;
  S.progress++;
  /* returning switches to uc_link, the scheduler */
}

static unsigned lanes_in_warp(unsigned w) {
  unsigned n = S.block_dim.x - w * WARP;
  return n > WARP ? WARP : n;
}

/* The warp-level rendezvous of the calling thread with the lanes of mask:
 * deposits v, waits for all of them, and returns lane src's value (src < 0:
 * v itself). */
static unsigned long long rendezvous(unsigned mask, unsigned long long v, int src) {
  thread *t = self();
  unsigned bit = 1u << t->lane, n = lanes_in_warp(t->warp);
  if (!(mask & bit)) die("sync mask does not include the calling lane");
  if (n < WARP && (mask >> n)) die("sync mask names a lane the block does not have");
  warp_slots &w = S.warps[t->warp];
  meeting *m = nullptr;
  for (meeting &c : w.m)
    if (c.open && c.mask == mask && !(c.joined & bit) && (!m || c.order < m->order)) m = &c;
  if (!m) {
    for (meeting &c : w.m)
      if (!c.open) {
        m = &c;
        break;
      }
    if (!m) die("too many open warp rendezvous");
    *m = meeting();
    m->open = true;
    m->mask = mask;
    m->order = ++w.opened;
  }
  m->val[t->lane] = v;
  m->joined |= bit;
  S.progress++;
  while (m->joined != mask) {
    for (unsigned l = 0; l < WARP; l++)
      if ((mask & ~m->joined) >> l & 1u && S.th[t->warp * WARP + l].done) die("sync partner exited");
    yield();
  }
  S.progress++;
  unsigned long long r = v;
  if (src == -2) { /* a ballot: the lanes whose value is nonzero */
    r = 0;
    for (unsigned l = 0; l < WARP; l++)
      if ((mask >> l & 1u) && m->val[l]) r |= 1ull << l;
  } else if (src >= 0) {
    if (!(mask >> src & 1u)) die("shuffle source lane is not in the mask");
    r = m->val[src];
  }
  m->left |= bit;
  if (m->left == mask) m->open = false;
  return r;
}

template <class T> static T exchange(unsigned mask, T v, int src) {
  static_assert(sizeof(T) <= 8, "shuffled values are at most 8 bytes");
  unsigned long long u = 0;
  memcpy(&u, &v, sizeof v);
  u = rendezvous(mask, u, src);
  T r;
  memcpy(&r, &u, sizeof r);
  return r;
}

static void run_block() {
  unsigned n = S.block_dim.x;
  memset(S.th, 0, n * sizeof *S.th);
  memset(S.warps, 0, sizeof S.warps);
  for (unsigned i = 0; i < n; i++) {
    if (!S.stacks[i] && !(S.stacks[i] = static_cast<char *>(malloc(STACK)))) die("out of memory");
    thread &t = S.th[i];
    t.idx = dim3{i, 0, 0};
    t.lane = i % WARP;
    t.warp = i / WARP;
    getcontext(&t.ctx);
    t.ctx.uc_stack.ss_sp = S.stacks[i];
    t.ctx.uc_stack.ss_size = STACK;
    t.ctx.uc_link = &S.sched;
    makecontext(&t.ctx, entry, 0);
  }
  unsigned live = n;
  while (live) {
    unsigned long long before = S.progress;
    for (unsigned i = 0; i < n; i++) {
      thread &t = S.th[i];
      if (t.done) continue;
      if (!t.started) {
        t.started = true;
        S.progress++;
      }
      S.cur = &t;
      swapcontext(&S.sched, &t.ctx);
      S.cur = nullptr;
      if (t.done) live--;
    }
    if (live && S.progress == before) die("deadlock: every live thread waits at a barrier");
  }
}

} // namespace tc_emu

#define threadIdx (tc_emu::self()->idx)
#define blockIdx (tc_emu::S.block_idx)
#define blockDim (tc_emu::S.block_dim)
#define gridDim (tc_emu::S.grid_dim)
#define warpSize 32

/* Runs body(arg) as a 1-D grid of `grid` blocks of `block` threads. */
static inline void tc_emu_launch(unsigned grid, unsigned block, void (*body)(void *), void *arg) {
  if (!grid || !block || block > 1024) tc_emu::die("bad launch geometry");
  tc_emu::S.body = body;
  tc_emu::S.arg = arg;
  tc_emu::S.grid_dim = dim3{grid, 1, 1};
  tc_emu::S.block_dim = dim3{block, 1, 1};
  for (unsigned b = 0; b < grid; b++) {
    tc_emu::S.block_idx = dim3{b, 0, 0};
    tc_emu::run_block();
  }
  for (char *&st : tc_emu::S.stacks) { /* the .so may be unloaded next */
    free(st);
    st = nullptr;
  }
}

/* ---- synchronization ---- */

static inline void __syncwarp(unsigned mask = 0xffffffffu) { tc_emu::rendezvous(mask, 0, -1); }

static inline void __syncthreads() {
  using namespace tc_emu;
  thread *t = self();
  unsigned long long k = ++t->bseq;
  S.progress++;
  for (;;) {
    bool all = true;
    for (unsigned i = 0; i < S.block_dim.x; i++)
      if (!S.th[i].done && S.th[i].bseq < k) all = false;
    if (all) break;
    yield();
  }
  S.progress++;
}

/* the lanes of mask whose pred is true, one bit each (a lane's own bit is
 * 1 << lane): one rendezvous of the lanes */
static inline unsigned __ballot_sync(unsigned mask, int pred) {
  return (unsigned)tc_emu::rendezvous(mask, pred ? 1u : 0u, -2);
}

template <class T> static inline T __shfl_sync(unsigned mask, T v, int src, int width = 32) {
  unsigned lane = tc_emu::self()->lane, base = lane & ~(unsigned)(width - 1);
  return tc_emu::exchange(mask, v, (int)(base + ((unsigned)src % (unsigned)width)));
}

template <class T> static inline T __shfl_xor_sync(unsigned mask, T v, int lane_mask, int width = 32) {
  unsigned lane = tc_emu::self()->lane, base = lane & ~(unsigned)(width - 1);
  unsigned src = lane ^ (unsigned)lane_mask;
  /* a source in a later group of width lanes gives the caller's own value */
  return tc_emu::exchange(mask, v, src >= base + (unsigned)width ? -1 : (int)src);
}

template <class T> static inline T __shfl_down_sync(unsigned mask, T v, unsigned delta, int width = 32) {
  unsigned lane = tc_emu::self()->lane;
  unsigned src = lane + delta;
  bool own = (lane % (unsigned)width) + delta >= (unsigned)width;
  return tc_emu::exchange(mask, v, own ? -1 : (int)src);
}

template <class T> static inline T __shfl_up_sync(unsigned mask, T v, unsigned delta, int width = 32) {
  unsigned lane = tc_emu::self()->lane;
  bool own = (lane % (unsigned)width) < delta;
  return tc_emu::exchange(mask, v, own ? -1 : (int)(lane - delta));
}

/* ---- arithmetic intrinsics ---- */

static inline float __fadd_rn(float a, float b) { return a + b; }
static inline float __fsub_rn(float a, float b) { return a - b; }
static inline float __fmul_rn(float a, float b) { return a * b; }
static inline float __fmaf_rn(float a, float b, float c) { return fmaf(a, b, c); }
static inline double __fma_rn(double a, double b, double c) { return fma(a, b, c); }
static inline float __fdiv_rn(float a, float b) { return a / b; }
static inline float __fsqrt_rn(float a) { return sqrtf(a); }
static inline double __dadd_rn(double a, double b) { return a + b; }
static inline double __dsub_rn(double a, double b) { return a - b; }
static inline double __dmul_rn(double a, double b) { return a * b; }
static inline double __ddiv_rn(double a, double b) { return a / b; }
static inline double __dsqrt_rn(double a) { return sqrt(a); }

static inline int __float_as_int(float f) {
  int i;
  memcpy(&i, &f, 4);
  return i;
}
static inline unsigned __float_as_uint(float f) {
  unsigned u;
  memcpy(&u, &f, 4);
  return u;
}
static inline float __int_as_float(int i) {
  float f;
  memcpy(&f, &i, 4);
  return f;
}
static inline float __uint_as_float(unsigned u) {
  float f;
  memcpy(&f, &u, 4);
  return f;
}
static inline long long __double_as_longlong(double d) {
  long long i;
  memcpy(&i, &d, 8);
  return i;
}
static inline double __longlong_as_double(long long i) {
  double d;
  memcpy(&d, &i, 8);
  return d;
}
static inline unsigned __umulhi(unsigned a, unsigned b) {
  return (unsigned)(((unsigned long long)a * b) >> 32);
}
static inline int __popc(unsigned x) { return __builtin_popcount(x); }

/* the vector types of 16-byte accesses, aligned as on the GPU */
struct __attribute__((aligned(8))) uint2 {
  unsigned x, y;
};
struct __attribute__((aligned(16))) uint4 {
  unsigned x, y, z, w;
};
struct __attribute__((aligned(16))) float4 {
  float x, y, z, w;
};
struct __attribute__((aligned(16))) double2 {
  double x, y;
};
static inline uint2 make_uint2(unsigned x, unsigned y) { return uint2{x, y}; }
static inline uint4 make_uint4(unsigned x, unsigned y, unsigned z, unsigned w) {
  return uint4{x, y, z, w};
}

#endif
