/*
 * nvrtc.c — CUDA C to PTX with NVRTC, opened at run time (DESIGN.md: never
 * linked, so the library builds and runs without the CUDA toolkit).
 *
 * The first call loads libnvrtc.so.13 with dlopen under a mutex and resolves
 * the nine entry points it uses with dlsym, through function pointer types
 * declared here (no CUDA header is included). The outcome, success or the
 * reason for failure, is kept for the life of the process: every later call
 * reports the same "CUDA is not available: <reason>". Where the soname is
 * not on the loader's path, the toolkit's own directories are tried:
 * $CUDA_HOME, $CUDA_PATH and /usr/local/cuda, each with lib64 and
 * targets/x86_64-linux/lib. After loading, compiles share no state of ours
 * and NVRTC programs are independent, so they run concurrently.
 *
 * Options: the architecture, -fmad=false (no contraction: kernel.h forbids
 * it; the generated source also spells its roundings), -ftz=false,
 * -prec-div=true, -prec-sqrt=true (IEEE division and square root, which
 * NVRTC defaults to but a cache key should not rely on), --std=c++17 (hex
 * float literals).
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cuda.h"

typedef int nvrtc_result;                /* nvrtcResult; 0 is success */
typedef struct nvrtc_prog_ *nvrtc_prog;  /* nvrtcProgram */

typedef nvrtc_result (*create_fn)(nvrtc_prog *, const char *, const char *, int,
                                  const char *const *, const char *const *);
typedef nvrtc_result (*compile_fn)(nvrtc_prog, int, const char *const *);
typedef nvrtc_result (*size_fn)(nvrtc_prog, size_t *);
typedef nvrtc_result (*text_fn)(nvrtc_prog, char *);
typedef nvrtc_result (*destroy_fn)(nvrtc_prog *);
typedef nvrtc_result (*version_fn)(int *, int *);
typedef const char *(*errstr_fn)(nvrtc_result);

static struct {
  pthread_mutex_t mu;
  int state; /* 0: not tried, 1: loaded, -1: unavailable */
  void *lib;
  create_fn create;
  compile_fn compile;
  size_fn ptx_size, log_size;
  text_fn ptx, log;
  destroy_fn destroy;
  version_fn version;
  errstr_fn errstr;
  char version_text[32];
  char reason[384];
} N = {.mu = PTHREAD_MUTEX_INITIALIZER};

static void set_err(char *err, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void set_err(char *err, size_t cap, const char *fmt, ...) {
  if (!err || !cap) return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err, cap, fmt, ap);
  va_end(ap);
}

static void *try_open(const char *dir, const char *sub) {
  char path[512];
  snprintf(path, sizeof path, "%s/%s/libnvrtc.so.13", dir, sub);
  return dlopen(path, RTLD_NOW | RTLD_LOCAL);
}

static void *open_lib(void) {
  void *h = dlopen("libnvrtc.so.13", RTLD_NOW | RTLD_LOCAL);
  const char *dirs[3] = {getenv("CUDA_HOME"), getenv("CUDA_PATH"), "/usr/local/cuda"};
  static const char *const subs[2] = {"lib64", "targets/x86_64-linux/lib"};
  for (int d = 0; d < 3 && !h; d++)
    for (int s = 0; s < 2 && !h && dirs[d] && *dirs[d]; s++) h = try_open(dirs[d], subs[s]);
  return h;
}

/* Loads NVRTC once; returns 1 when usable. Caller holds N.mu. */
static int load_locked(void) {
  if (N.state) return N.state > 0;
  N.state = -1;
  dlerror();
  void *h = open_lib();
  if (!h) {
    const char *e = dlerror();
    snprintf(N.reason, sizeof N.reason, "cannot load libnvrtc.so.13 (%s)",
             e ? e : "not found");
    return 0;
  }
  struct {
    const char *sym;
    void **slot;
  } syms[] = {
      {"nvrtcCreateProgram", (void **)&N.create},
      {"nvrtcCompileProgram", (void **)&N.compile},
      {"nvrtcGetPTXSize", (void **)&N.ptx_size},
      {"nvrtcGetPTX", (void **)&N.ptx},
      {"nvrtcGetProgramLogSize", (void **)&N.log_size},
      {"nvrtcGetProgramLog", (void **)&N.log},
      {"nvrtcDestroyProgram", (void **)&N.destroy},
      {"nvrtcVersion", (void **)&N.version},
      {"nvrtcGetErrorString", (void **)&N.errstr},
  };
  for (size_t i = 0; i < sizeof syms / sizeof *syms; i++) {
    void *p = dlsym(h, syms[i].sym);
    if (!p) {
      snprintf(N.reason, sizeof N.reason, "libnvrtc.so.13 has no %s", syms[i].sym);
      dlclose(h);
      return 0;
    }
    memcpy(syms[i].slot, &p, sizeof p); /* object -> function pointer */
  }
  int maj = 0, min = 0;
  if (N.version(&maj, &min) != 0) {
    snprintf(N.reason, sizeof N.reason, "nvrtcVersion failed");
    dlclose(h);
    return 0;
  }
  snprintf(N.version_text, sizeof N.version_text, "nvrtc %d.%d", maj, min);
  N.lib = h;
  N.state = 1;
  return 1;
}

static int load(char *err, size_t errcap) {
  pthread_mutex_lock(&N.mu);
  int ok = load_locked();
  pthread_mutex_unlock(&N.mu);
  if (!ok) set_err(err, errcap, "CUDA is not available: %s", N.reason);
  return ok;
}

int cg_nvrtc_available(char *err, size_t errcap) { return load(err, errcap); }

const char *cg_nvrtc_version(void) {
  return load(NULL, 0) ? N.version_text : NULL;
}

static char *take_text(nvrtc_prog p, size_fn size, text_fn text) {
  size_t n = 0;
  if (size(p, &n) != 0) return NULL;
  char *s = malloc(n + 1);
  if (!s) return NULL;
  if (n && text(p, s) != 0) {
    free(s);
    return NULL;
  }
  s[n] = '\0';
  return s;
}

static bool arch_ok(const char *a) {
  if (!a || (strncmp(a, "sm_", 3) && strncmp(a, "compute_", 8))) return false;
  a += a[0] == 's' ? 3 : 8;
  if (*a < '0' || *a > '9') return false;
  for (; *a; a++)
    if (!((*a >= '0' && *a <= '9') || *a == 'a' || *a == 'f')) return false;
  return true;
}

int cg_nvrtc_compile(const char *src, const char *name, const char *arch,
                     char **ptx, char **log, char *err, size_t errcap) {
  if (log) *log = NULL;
  if (!src || !name || !ptx || !arch_ok(arch)) {
    set_err(err, errcap, "cg_nvrtc_compile: bad argument (arch '%s')", arch ? arch : "(null)");
    return -1;
  }
  if (!load(err, errcap)) return -1;
  char prog_name[160], arch_opt[64];
  snprintf(prog_name, sizeof prog_name, "%s.cu", name);
  snprintf(arch_opt, sizeof arch_opt, "--gpu-architecture=%s", arch);
  /* CG_NVRTC_OPTIONS, split at spaces (the cache key uses the string) */
  char optbuf[sizeof CG_NVRTC_OPTIONS];
  const char *opts[16] = {arch_opt};
  int nopts = 1;
  memcpy(optbuf, CG_NVRTC_OPTIONS, sizeof optbuf);
  for (char *o = strtok(optbuf, " "); o && nopts < 16; o = strtok(NULL, " ")) opts[nopts++] = o;
  nvrtc_prog p = NULL;
  nvrtc_result r = N.create(&p, src, prog_name, 0, NULL, NULL);
  if (r != 0) {
    set_err(err, errcap, "cg_nvrtc_compile: %s: nvrtcCreateProgram: %s", name, N.errstr(r));
    return -1;
  }
  r = N.compile(p, nopts, opts);
  char *lg = take_text(p, N.log_size, N.log);
  int rc = -1;
  if (r != 0) {
    /* the first line of the log says what went wrong */
    const char *first = lg && *lg ? lg : "";
    size_t len = strcspn(first, "\n");
    set_err(err, errcap, "cg_nvrtc_compile: %s: %s%s%.*s", name, N.errstr(r),
            len ? ": " : "", (int)(len > 300 ? 300 : len), first);
  } else {
    char *text = take_text(p, N.ptx_size, N.ptx);
    if (!text) {
      set_err(err, errcap, "cg_nvrtc_compile: %s: cannot read the PTX", name);
    } else {
      *ptx = text;
      rc = 0;
    }
  }
  if (log && lg) {
    *log = lg;
    lg = NULL;
  }
  free(lg);
  N.destroy(&p);
  return rc;
}
