/*
 * gpu_kernels.c — CUDA kernels for gpu.c: kernel IR -> CUDA C
 * (codegen/cuda.c) -> PTX (NVRTC, opened with dlopen), which gpu.c's loader
 * turns into a CUfunction; or, emulated, the same CUDA C compiled by the
 * host C++ compiler against test/cuda_emu.h into a shared object whose
 * entry runs the whole grid. Compiled kernels live in a process-wide table
 * keyed by the kernel text plus the target (architecture and NVRTC
 * version); PTX also lives in a disk cache, so another process skips NVRTC.
 * Compiling only: launching, and when, is gpu.c's business.
 */
#include <dlfcn.h>
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

static const char *emu_header(void) {
  const char *h = getenv("TC_CUDA_EMU_HEADER");
#ifdef TC_CUDA_EMU_HEADER_PATH
  if (!h) h = TC_CUDA_EMU_HEADER_PATH;
#endif
  return h;
}

#define EMU_FLAGS "-std=c++17 -O1 -fPIC -ffp-contract=off -w"

/* The emulation header precompiled once per process (parsing it is most of
 * a small kernel's build time): a copy of it next to its .gch in a private
 * temp dir, removed at exit. The C++ compiler takes the .gch when it was
 * made with the same flags, else the copy itself. */
static struct {
  pthread_once_t once;
  char dir[64], hdr[128], gch[136];
  bool ok;
  pid_t owner; /* a forked child that exits leaves the files alone */
} PCH = {PTHREAD_ONCE_INIT};

static void pch_remove(void) {
  if (getpid() != PCH.owner) return;
  unlink(PCH.gch);
  unlink(PCH.hdr);
  rmdir(PCH.dir);
}

static void pch_build(void) {
  const char *src = emu_header();
  char *text = src ? slurp(src) : NULL;
  PCH.owner = getpid();
  snprintf(PCH.dir, sizeof PCH.dir, "/tmp/tensorc-pch-XXXXXX");
  if (!text || !mkdtemp(PCH.dir)) {
    free(text);
    return;
  }
  snprintf(PCH.hdr, sizeof PCH.hdr, "%s/cuda_emu.h", PCH.dir);
  snprintf(PCH.gch, sizeof PCH.gch, "%s/cuda_emu.h.gch", PCH.dir);
  FILE *f = fopen(PCH.hdr, "w");
  bool ok = f && fputs(text, f) >= 0;
  if (f) ok = fclose(f) == 0 && ok;
  free(text);
  char cmd[512];
  snprintf(cmd, sizeof cmd, "c++ " EMU_FLAGS " -x c++-header '%s' -o '%s' > /dev/null 2>&1", PCH.hdr,
           PCH.gch);
  if (ok && system(cmd) == 0) {
    PCH.ok = true;
    atexit(pch_remove);
  } else {
    pch_remove();
  }
}

/* Builds src with the host C++ compiler and the emulation header. */
static void *emu_compile(tc_ctx *ctx, const kernel *k, const char *src, const char *name) {
  const char *hdr = emu_header();
  if (!hdr) return ir_error(ctx, TC_ERR_UNSUPPORTED, "CUDA emulation needs TC_CUDA_EMU_HEADER");
  pthread_once(&PCH.once, pch_build);
  if (PCH.ok) hdr = PCH.hdr;
  char dir[] = "/tmp/tensorc-emu-XXXXXX";
  if (!mkdtemp(dir)) return ir_error(ctx, TC_ERR_RUNTIME, "CUDA emulation: cannot make a temp dir");
  char cu[512], so[512], cmd[2048];
  snprintf(cu, sizeof cu, "%s/k.cc", dir);
  snprintf(so, sizeof so, "%s/k.so", dir);
  FILE *f = fopen(cu, "w");
  if (!f) {
    rmdir(dir);
    return ir_error(ctx, TC_ERR_RUNTIME, "CUDA emulation: cannot write %s", cu);
  }
  fputs(src, f);
  char *args = cg_cuda_call_args(k, "x->b");
  fprintf(f, "\nextern \"C\" void tc_emu_entry(void *const *b, long long s, long long e, unsigned g, unsigned t) {\n"
             "  struct A { void *const *b; long long s, e; } a = {b, s, e};\n"
             "  tc_emu_launch(g, t, [](void *p) { A *x = (A *)p; %s(%sx->s, x->e); }, &a);\n}\n",
          name, args ? args : "");
  free(args);
  fclose(f);
  snprintf(cmd, sizeof cmd, "c++ " EMU_FLAGS " -shared -include '%s' -x c++ '%s' -o '%s' 2>&1", hdr,
           cu, so);
  FILE *p = popen(cmd, "r");
  char out[2048] = "";
  size_t n = p ? fread(out, 1, sizeof out - 1, p) : 0;
  out[n] = 0;
  int rc = p ? pclose(p) : -1;
  void *fn = NULL;
  if (rc == 0) {
    void *h = dlopen(so, RTLD_NOW | RTLD_LOCAL);
    fn = h ? dlsym(h, "tc_emu_entry") : NULL;
  }
  unlink(cu);
  unlink(so);
  rmdir(dir);
  if (!fn) return ir_error(ctx, TC_ERR_COMPILE, "CUDA emulation: compiling %s failed: %s", name, out);
  return fn;
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
