/*
 * gpu_kernels.c — CUDA kernels for gpu.c: kernel IR -> CUDA C
 * (codegen/cuda.c) -> PTX (NVRTC, opened with dlopen), which gpu.c's loader
 * turns into a CUfunction; or, emulated, the same CUDA C handed to the
 * test-only emulator (test/cuda_emu_compile.c: the host C++ compiler
 * against test/cuda_emu.h) for an entry that runs the whole grid. Compiled kernels live in a process-wide table
 * keyed by the kernel text plus the target (architecture and NVRTC
 * version); PTX also lives in a disk cache, so another process skips NVRTC.
 * Compiling only: launching, and when, is gpu.c's business.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "../codegen/cuda.h"
#include "diskcache.h"
#include "gpu.h"

typedef struct gk {
  char *key;
  uint64_t hash;
  int dev;
  void *fn; /* CUfunction, or an emu_entry */
  struct gk *next;
} gk;
static gk *kernels;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER; /* guards kernels */

static uint64_t fnv(const char *s) {
  uint64_t h = 1469598103934665603ull;
  for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ull;
  return h;
}

static char *cache_dir(char *buf, size_t cap) { return rt_disk_dir(buf, cap) ? buf : NULL; }

static char *slurp(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *s = n >= 0 ? malloc((size_t)n + 1) : NULL;
  if (s && fread(s, 1, (size_t)n, f) != (size_t)n) {
    free(s);
    s = NULL;
  }
  if (s) s[n] = 0;
  fclose(f);
  return s;
}

static void spill(const char *path, const char *text) {
  char tmp[1100];
  snprintf(tmp, sizeof tmp, "%s.%d.tmp", path, (int)getpid());
  FILE *f = fopen(tmp, "wb");
  if (!f) return;
  bool ok = fwrite(text, 1, strlen(text), f) == strlen(text);
  ok = fclose(f) == 0 && ok;
  if (ok) rename(tmp, path);
  else unlink(tmp);
}

/* PTX for src: from the disk cache or NVRTC (stored back). */
static char *ptx_for(tc_ctx *ctx, const char *src, const char *name, const char *arch) {
  char dir[1024], kpath[1100], ppath[1100];
  /* the disk key: the source (which names the kernel), the options, the
   * NVRTC version and the architecture */
  const char *ver = cg_nvrtc_version();
  size_t klen = strlen(src) + strlen(CG_NVRTC_OPTIONS) + 160;
  char *key = malloc(klen);
  if (!key) return ir_error(ctx, TC_ERR_OOM, "out of memory");
  snprintf(key, klen, "%s\n// nvrtc --gpu-architecture=%s %s (%s)\n", src, arch, CG_NVRTC_OPTIONS,
           ver ? ver : "none");
  uint64_t h = fnv(key);
  bool disk = cache_dir(dir, sizeof dir) != NULL;
  if (disk) {
    snprintf(kpath, sizeof kpath, "%s/%016llx.key", dir, (unsigned long long)h);
    snprintf(ppath, sizeof ppath, "%s/%016llx.ptx", dir, (unsigned long long)h);
    char *k = slurp(kpath);
    if (k && !strcmp(k, key)) {
      free(k);
      char *p = slurp(ppath);
      if (p) {
        if (ctx->debug & TC_DEBUG_CACHE) ir_debug(ctx, "cache: disk hit %s\n", ppath);
        free(key);
        return p;
      }
    } else {
      free(k);
    }
  }
  char *ptx = NULL, *log = NULL, err[512];
  if (cg_nvrtc_compile(src, name, arch, &ptx, &log, err, sizeof err)) {
    if (ctx->debug & TC_DEBUG_CUDA) ir_debug(ctx, "--- CUDA C ---\n%s\n--- NVRTC log ---\n%s\n", src, log ? log : "");
    free(log);
    free(key);
    return ir_error(ctx, TC_ERR_COMPILE, "NVRTC failed: %s", err);
  }
  if (ctx->debug & TC_DEBUG_CUDA) {
    ir_debug(ctx, "--- CUDA C of %s ---\n", name);
    ir_debug_text(ctx, src);
    if (log && *log) ir_debug(ctx, "--- NVRTC log ---\n%s\n", log);
  }
  free(log);
  if (disk) {
    spill(ppath, ptx);
    spill(kpath, key);
  }
  free(key);
  return ptx;
}

/* The emulated device's compiler, test/cuda_emu_compile.c: the library
 * runs no program, so it is defined only in a process that carries tensorc's
 * test machinery (gpu.h). */
static void *emu_compile(tc_ctx *ctx, const kernel *k, const char *src, const char *name) {
  char err[2304];
  char *args = cg_cuda_call_args(k, "x->b");
  emu_entry fn = tensorc_cuda_emu_compile(src, name, args, err, sizeof err);
  free(args);
  if (!fn) return ir_error(ctx, TC_ERR_COMPILE, "%s", err);
  return (void *)fn;
}

/* The in-memory table's key of k for arch: its text and the target. */
static char *kernel_key(tc_ctx *ctx, const kernel *k, const char *arch, bool emulated) {
  const char *ver = emulated ? "emulated" : cg_nvrtc_version();
  if (!ver) ver = "none";
  char *text = kc_print(k);
  size_t klen = text ? strlen(text) + 128 : 0;
  char *key = text ? malloc(klen) : NULL;
  if (key) snprintf(key, klen, "%s\ntarget cuda %s %s", text, arch, ver);
  free(text);
  if (!key) ir_error(ctx, TC_ERR_OOM, "out of memory");
  return key;
}

/* Named by the key's hash: the same kernel has the same name, and so the
 * same source and PTX, in every process (the disk cache's PTX is looked up
 * by this name). */
static void kernel_name(uint64_t h, char *name, size_t cap) {
  snprintf(name, cap, "tc_k%016llx", (unsigned long long)h);
}

char *rt_gpu_ptx(tc_ctx *ctx, const kernel *k, const char *arch, char *name, size_t cap) {
  char err[512];
  char *key = kernel_key(ctx, k, arch, false);
  if (!key) return NULL;
  kernel_name(fnv(key), name, cap);
  free(key);
  char *src = cg_cuda_source(k, name, err, sizeof err);
  if (!src) return ir_error(ctx, TC_ERR_COMPILE, "CUDA codegen failed: %s", err);
  char *ptx = ptx_for(ctx, src, name, arch);
  free(src);
  return ptx;
}

void *rt_gpu_kernel_get(tc_ctx *ctx, int dev, const kernel *k, const char *arch, bool emulated,
                        rt_gpu_loader load) {
  char err[512];
  char *key = kernel_key(ctx, k, arch, emulated);
  if (!key) return NULL;
  uint64_t h = fnv(key);
  void *fn = NULL;
  pthread_mutex_lock(&mu);
  for (gk *e = kernels; e && !fn; e = e->next)
    if (e->hash == h && e->dev == dev && !strcmp(e->key, key)) fn = e->fn;
  pthread_mutex_unlock(&mu);
  if (fn) {
    ctx->stats.cache_hits++;
    free(key);
    return fn;
  }
  /* compiled outside the table's lock: other contexts compile meanwhile,
   * and a debug sink may call tensorc */
  char name[64];
  kernel_name(h, name, sizeof name);
  char *src = cg_cuda_source(k, name, err, sizeof err);
  if (!src) {
    free(key);
    return ir_error(ctx, TC_ERR_COMPILE, "CUDA codegen failed: %s", err);
  }
  if (emulated) {
    if (ctx->debug & TC_DEBUG_CUDA) {
      ir_debug(ctx, "--- CUDA C of %s (emulated) ---\n", name);
      ir_debug_text(ctx, src);
    }
    fn = emu_compile(ctx, k, src, name);
  } else {
    char *ptx = ptx_for(ctx, src, name, arch);
    if (ptx) fn = load(ctx, ptx, name);
    free(ptx);
  }
  free(src);
  if (!fn) {
    free(key);
    return NULL;
  }
  ctx->stats.kernels_compiled++;
  gk *e = malloc(sizeof *e);
  pthread_mutex_lock(&mu);
  void *won = NULL; /* another thread's compile of the same kernel */
  for (gk *o = kernels; o && !won; o = o->next)
    if (o->hash == h && o->dev == dev && !strcmp(o->key, key)) won = o->fn;
  if (won) {
    fn = won;
    free(e);
    free(key);
  } else if (e) {
    *e = (gk){key, h, dev, fn, kernels};
    kernels = e;
  } else {
    free(key); /* not kept: compiled again next time */
  }
  pthread_mutex_unlock(&mu);
  return fn;
}
