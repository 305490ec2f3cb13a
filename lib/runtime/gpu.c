/*
 * gpu.c — the CUDA device layer (gpu.h): the driver API through dlopen, or
 * an emulated device for machines without a GPU (TC_CUDA_EMULATE=1).
 *
 * Kernels: kernel IR -> CUDA C (codegen/cuda.c) -> PTX (NVRTC, opened with
 * dlopen) -> a module loaded by the driver; or, emulated, the same CUDA C
 * compiled by the host C++ compiler against test/cuda_emu.h into a shared
 * object. Compiled kernels live in a process-wide table keyed by the kernel
 * text plus the target (architecture and NVRTC version); PTX also lives in a
 * disk cache, so another process skips NVRTC.
 */
#include "gpu.h"
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "../codegen/cuda.h"

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
  CUresult (*CtxSynchronize)(void);
  CUresult (*MemAlloc)(CUdeviceptr *, size_t);
  CUresult (*MemFree)(CUdeviceptr);
  CUresult (*MemHostAlloc)(void **, size_t, unsigned);
  CUresult (*MemFreeHost)(void *);
  CUresult (*MemcpyHtoD)(CUdeviceptr, const void *, size_t);
  CUresult (*MemcpyDtoH)(void *, CUdeviceptr, size_t);
  CUresult (*MemcpyDtoD)(CUdeviceptr, CUdeviceptr, size_t);
  CUresult (*MemcpyHtoDAsync)(CUdeviceptr, const void *, size_t, void *);
  CUresult (*MemcpyDtoHAsync)(void *, CUdeviceptr, size_t, void *);
  CUresult (*StreamCreate)(void **, unsigned);
  CUresult (*ModuleLoadData)(void **, const void *);
  CUresult (*ModuleGetFunction)(void **, void *, const char *);
  CUresult (*LaunchKernel)(void *, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned,
                           unsigned, void *, void **, void **);
  CUresult (*GetErrorString)(CUresult, const char **);
} cu_api;

enum { ATTR_SMS = 16, ATTR_CC_MAJOR = 75, ATTR_CC_MINOR = 76, MAX_DEV = 16 };

static struct {
  pthread_once_t once;
  pthread_mutex_t mu;
  bool ok, emulated;
  char why[256];
  cu_api cu;
  int count;
  void *ctx[MAX_DEV];
  void *stream[MAX_DEV];
  int sms[MAX_DEV], major[MAX_DEV], minor[MAX_DEV];
} G = {PTHREAD_ONCE_INIT, PTHREAD_MUTEX_INITIALIZER};

static const char *cu_err(CUresult r) {
  const char *s = NULL;
  if (G.cu.GetErrorString) G.cu.GetErrorString(r, &s);
  return s ? s : "unknown CUDA error";
}

static void init_driver(void) {
  const char *off = getenv("TC_CUDA_DISABLE");
  if (off && atoi(off) > 0) {
    snprintf(G.why, sizeof G.why, "CUDA is not available: disabled by TC_CUDA_DISABLE");
    return;
  }
  const char *emu = getenv("TC_CUDA_EMULATE");
  if (emu && atoi(emu) > 0) {
    G.ok = G.emulated = true;
    G.count = 1;
    G.sms[0] = 2;
    G.major[0] = 9;
    G.minor[0] = 0;
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
  SYM(CtxSynchronize, "cuCtxSynchronize");
  SYM(MemAlloc, "cuMemAlloc_v2");
  SYM(MemFree, "cuMemFree_v2");
  SYM(MemHostAlloc, "cuMemHostAlloc");
  SYM(MemFreeHost, "cuMemFreeHost");
  SYM(MemcpyHtoD, "cuMemcpyHtoD_v2");
  SYM(MemcpyDtoH, "cuMemcpyDtoH_v2");
  SYM(MemcpyDtoD, "cuMemcpyDtoD_v2");
  SYM(MemcpyHtoDAsync, "cuMemcpyHtoDAsync_v2");
  SYM(MemcpyDtoHAsync, "cuMemcpyDtoHAsync_v2");
  SYM(StreamCreate, "cuStreamCreate");
  SYM(ModuleLoadData, "cuModuleLoadData");
  SYM(ModuleGetFunction, "cuModuleGetFunction");
  SYM(LaunchKernel, "cuLaunchKernel");
  SYM(GetErrorString, "cuGetErrorString");
#undef SYM
  CUresult r = G.cu.Init(0);
  if (r != 0) {
    snprintf(G.why, sizeof G.why, "CUDA is not available: cuInit failed: %s", cu_err(r));
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
    if (G.cu.DeviceGet(&d, i) || G.cu.PrimaryCtxRetain(&G.ctx[i], d)) {
      snprintf(G.why, sizeof G.why, "CUDA is not available: cannot open device %d", i);
      return;
    }
    G.cu.DeviceGetAttribute(&G.sms[i], ATTR_SMS, d);
    G.cu.DeviceGetAttribute(&G.major[i], ATTR_CC_MAJOR, d);
    G.cu.DeviceGetAttribute(&G.minor[i], ATTR_CC_MINOR, d);
    G.cu.CtxSetCurrent(G.ctx[i]);
    G.cu.StreamCreate(&G.stream[i], 0);
  }
  G.count = n;
  G.ok = true;
}

bool rt_gpu_available(char *why, size_t cap) {
  pthread_once(&G.once, init_driver);
  if (!G.ok && why) snprintf(why, cap, "%s", G.why);
  return G.ok;
}

int rt_gpu_count(void) { return rt_gpu_available(NULL, 0) ? G.count : 0; }

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

void *rt_gpu_alloc(tc_ctx *ctx, int dev, size_t bytes) {
  if (!use(ctx, dev)) return NULL;
  if (G.emulated) {
    void *p = malloc(bytes ? bytes : 1);
    if (!p) ir_error(ctx, TC_ERR_OOM, "CUDA out of memory allocating %zu bytes", bytes);
    return p;
  }
  CUdeviceptr p = 0;
  CUresult r = G.cu.MemAlloc(&p, bytes ? bytes : 1);
  if (r) return ir_error(ctx, TC_ERR_OOM, "CUDA out of memory allocating %zu bytes: %s", bytes, cu_err(r));
  return (void *)(uintptr_t)p;
}

void rt_gpu_free(int dev, void *p) {
  if (!p || !use(NULL, dev)) return;
  if (G.emulated) free(p);
  else G.cu.MemFree((CUdeviceptr)(uintptr_t)p);
}

void *rt_gpu_host_alloc(tc_ctx *ctx, size_t bytes) {
  if (!use(ctx, 0)) return NULL;
  void *p = NULL;
  if (G.emulated) p = malloc(bytes ? bytes : 1);
  else if (G.cu.MemHostAlloc(&p, bytes ? bytes : 1, 0)) p = NULL;
  if (!p) ir_error(ctx, TC_ERR_OOM, "out of pinned memory allocating %zu bytes", bytes);
  return p;
}

void rt_gpu_host_free(void *p) {
  if (!p) return;
  if (G.emulated) free(p);
  else G.cu.MemFreeHost(p);
}

tc_status rt_gpu_copy(tc_ctx *ctx, void *dst, tc_device ddev, const void *src, tc_device sdev,
                      size_t n, bool async) {
  int dev = ddev.type == TC_CUDA ? ddev.index : sdev.index;
  if (!use(ctx, dev)) return ctx->status;
  if (n == 0) return TC_OK;
  if (G.emulated) {
    memmove(dst, src, n);
    return TC_OK;
  }
  CUresult r;
  void *st = G.stream[dev];
  if (ddev.type == TC_CUDA && sdev.type == TC_CUDA)
    r = G.cu.MemcpyDtoD((CUdeviceptr)(uintptr_t)dst, (CUdeviceptr)(uintptr_t)src, n);
  else if (ddev.type == TC_CUDA)
    r = async ? G.cu.MemcpyHtoDAsync((CUdeviceptr)(uintptr_t)dst, src, n, st)
              : G.cu.MemcpyHtoD((CUdeviceptr)(uintptr_t)dst, src, n);
  else
    r = async ? G.cu.MemcpyDtoHAsync(dst, (CUdeviceptr)(uintptr_t)src, n, st)
              : G.cu.MemcpyDtoH(dst, (CUdeviceptr)(uintptr_t)src, n);
  if (r) return ir_error(ctx, TC_ERR_RUNTIME, "CUDA error in a copy: %s", cu_err(r)), TC_ERR_RUNTIME;
  return TC_OK;
}

tc_status rt_gpu_sync(tc_ctx *ctx, int dev) {
  if (!use(ctx, dev)) return ctx->status;
  if (G.emulated) return TC_OK;
  CUresult r = G.cu.CtxSynchronize();
  if (r) return ir_error(ctx, TC_ERR_RUNTIME, "CUDA error: %s", cu_err(r)), TC_ERR_RUNTIME;
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

typedef void (*emu_entry)(void *const *bufs, long long begin, long long end, unsigned grid,
                          unsigned block);

typedef struct gk {
  char *key;
  uint64_t hash;
  int dev;
  void *fn; /* CUfunction, or an emu_entry */
  struct gk *next;
} gk;
static gk *kernels;
static unsigned long long next_id;

static uint64_t fnv(const char *s) {
  uint64_t h = 1469598103934665603ull;
  for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ull;
  return h;
}

static char *cache_dir(char *buf, size_t cap) {
  const char *d = getenv("TC_CACHE_DIR");
  if (d && *d) snprintf(buf, cap, "%s", d);
  else if ((d = getenv("XDG_CACHE_HOME")) && *d) snprintf(buf, cap, "%s/tensorc", d);
  else if ((d = getenv("HOME")) && *d) snprintf(buf, cap, "%s/.cache/tensorc", d);
  else return NULL;
  mkdir(buf, 0755); /* parents: best effort */
  return buf;
}

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
static char *ptx_for(tc_ctx *ctx, const char *src, const char *name, const char *arch,
                     const char *key) {
  char dir[1024], kpath[1100], ppath[1100];
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
  return ptx;
}

static const char *emu_header(void) {
  const char *h = getenv("TC_CUDA_EMU_HEADER");
#ifdef TC_CUDA_EMU_HEADER_PATH
  if (!h) h = TC_CUDA_EMU_HEADER_PATH;
#endif
  return h;
}

/* Builds src with the host C++ compiler and the emulation header. */
static void *emu_compile(tc_ctx *ctx, const kernel *k, const char *src, const char *name) {
  const char *hdr = emu_header();
  if (!hdr) return ir_error(ctx, TC_ERR_UNSUPPORTED, "CUDA emulation needs TC_CUDA_EMU_HEADER");
  char dir[] = "/tmp/tensorc-emu-XXXXXX";
  if (!mkdtemp(dir)) return ir_error(ctx, TC_ERR_RUNTIME, "CUDA emulation: cannot make a temp dir");
  char cu[512], so[512], cmd[2048];
  snprintf(cu, sizeof cu, "%s/k.cc", dir);
  snprintf(so, sizeof so, "%s/k.so", dir);
  FILE *f = fopen(cu, "w");
  if (!f) return ir_error(ctx, TC_ERR_RUNTIME, "CUDA emulation: cannot write %s", cu);
  fputs(src, f);
  fprintf(f, "\nextern \"C\" void tc_emu_entry(void *const *b, long long s, long long e, unsigned g, unsigned t) {\n"
             "  struct A { void *const *b; long long s, e; } a = {b, s, e};\n"
             "  tc_emu_launch(g, t, [](void *p) { A *x = (A *)p; %s(", name);
  for (int i = 0; i < k->nbufs; i++) fprintf(f, "x->b[%d], ", i);
  fprintf(f, "x->s, x->e); }, &a);\n}\n");
  fclose(f);
  snprintf(cmd, sizeof cmd,
           "c++ -std=c++17 -O1 -fPIC -shared -ffp-contract=off -w -include '%s' -x c++ '%s' -o '%s' 2>&1",
           hdr, cu, so);
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

tc_status rt_gpu_run(tc_ctx *ctx, int dev, const kernel *k, void *const *bufs) {
  if (!use(ctx, dev)) return ctx->status;
  int64_t n = kc_outer_numel(k);
  if (n <= 0) return TC_OK;
  char arch[32], err[512];
  snprintf(arch, sizeof arch, "sm_%d%d", G.major[dev], G.minor[dev]);
  const char *ver = G.emulated ? "emulated" : cg_nvrtc_version();
  if (!ver) ver = "none";
  char *text = kc_print(k);
  if (!text) return ir_error(ctx, TC_ERR_OOM, "out of memory"), TC_ERR_OOM;
  size_t klen = strlen(text) + 128;
  char *key = malloc(klen);
  if (!key) {
    free(text);
    return ir_error(ctx, TC_ERR_OOM, "out of memory"), TC_ERR_OOM;
  }
  snprintf(key, klen, "%s\ntarget cuda %s %s -fmad=false", text, arch, ver);
  free(text);
  uint64_t h = fnv(key);
  pthread_mutex_lock(&G.mu);
  void *fn = NULL;
  for (gk *e = kernels; e; e = e->next)
    if (e->hash == h && e->dev == dev && !strcmp(e->key, key)) fn = e->fn;
  if (fn) {
    ctx->stats.cache_hits++;
    free(key);
  } else {
    char name[64];
    snprintf(name, sizeof name, "tc_cuda_kernel_%llu", next_id++);
    char *src = cg_cuda_source(k, name, err, sizeof err);
    if (!src) {
      pthread_mutex_unlock(&G.mu);
      free(key);
      return ir_error(ctx, TC_ERR_COMPILE, "CUDA codegen failed: %s", err), TC_ERR_COMPILE;
    }
    if (G.emulated) {
      fn = emu_compile(ctx, k, src, name);
    } else {
      char *ptx = ptx_for(ctx, src, name, arch, key);
      void *mod = NULL;
      CUresult r = ptx ? G.cu.ModuleLoadData(&mod, ptx) : 1;
      if (ptx && (r || G.cu.ModuleGetFunction(&fn, mod, name)))
        ir_error(ctx, TC_ERR_COMPILE, "CUDA error loading a kernel: %s", cu_err(r));
      free(ptx);
    }
    free(src);
    gk *e = fn ? malloc(sizeof *e) : NULL;
    if (e) {
      *e = (gk){key, h, dev, fn, kernels};
      kernels = e;
      ctx->stats.kernels_compiled++;
    } else {
      free(key);
    }
  }
  pthread_mutex_unlock(&G.mu);
  if (!fn) return ctx->status ? ctx->status : TC_ERR_COMPILE;
  unsigned grid, block;
  cg_cuda_launch_dims(k, n, G.emulated ? 2 : 32 * (int64_t)G.sms[dev], &grid, &block);
  long long begin = 0, end = n;
  if (G.emulated) {
    ((emu_entry)fn)(bufs, begin, end, grid, block);
  } else {
    CUdeviceptr d[KC_MAX_BUFS];
    void *args[KC_MAX_BUFS + 2];
    for (int i = 0; i < k->nbufs; i++) {
      d[i] = (CUdeviceptr)(uintptr_t)bufs[i];
      args[i] = &d[i];
    }
    args[k->nbufs] = &begin;
    args[k->nbufs + 1] = &end;
    CUresult r = G.cu.LaunchKernel(fn, grid, 1, 1, block, 1, 1, 0, G.stream[dev], args, NULL);
    if (!r) r = G.cu.CtxSynchronize();
    if (r) return ir_error(ctx, TC_ERR_RUNTIME, "CUDA error launching a kernel: %s", cu_err(r)), TC_ERR_RUNTIME;
  }
  ctx->stats.kernels_launched++;
  for (int b = 0; b < k->nbufs; b++)
    ctx->stats.bytes_moved += (uint64_t)k->bufs[b].nelem * tc_dtype_size(k->bufs[b].dt);
  return TC_OK;
}
