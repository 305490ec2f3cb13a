/*
 * cuda_emu_compile.c — the compiler of the emulated CUDA device
 * (TC_CUDA_EMULATE=1), test-only: it builds the CUDA C that
 * lib/codegen/cuda.c generates with the host C++ compiler against
 * test/cuda_emu.h into a shared object, and hands the runtime its entry.
 *
 * It is not part of libtensorc: the shipped library runs no program and
 * knows no path of this checkout. lib/runtime/gpu_kernels.c refers to
 * tensorc_cuda_emu_compile weakly; the emulated device exists only in a
 * process that defines it:
 *   - the tests link this file (CMake's object library tensorc_cuda_emu);
 *   - a program linked with libtensorc.so (the CLI, the benchmarks) gets it
 *     from the module libtensorc_cuda_emu.so, preloaded:
 *     LD_PRELOAD=build/libtensorc_cuda_emu.so TC_CUDA_EMULATE=1 build/tensorc run x.py
 *
 * The emulation header is TC_CUDA_EMU_HEADER, else the checkout's (the path
 * is compiled in: this is a test file). It is precompiled once per process
 * (parsing it is most of a small kernel's build time): a copy of it next to
 * its .gch in a private temp dir, removed at exit. The C++ compiler takes
 * the .gch when it was made with the same flags, else the copy itself. The
 * compiler is TC_EMU_CXX, else `c++`.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

typedef void (*emu_entry)(void *const *bufs, long long begin, long long end, unsigned grid,
                          unsigned block);

/* the interface lib/runtime/gpu.h declares; visible, so the preloaded
 * module's definition binds to the library's weak reference */
__attribute__((visibility("default"))) emu_entry tensorc_cuda_emu_compile(const char *src, const char *name,
                                                                          const char *call_args, char *err,
                                                                          size_t cap);

static const char *emu_header(void) {
  const char *h = getenv("TC_CUDA_EMU_HEADER");
#ifdef TC_CUDA_EMU_HEADER_PATH
  if (!h) h = TC_CUDA_EMU_HEADER_PATH;
#endif
  return h;
}

static const char *emu_cxx(void) {
  const char *c = getenv("TC_EMU_CXX");
  return c && *c ? c : "c++";
}

#define EMU_FLAGS "-std=c++17 -O1 -fPIC -ffp-contract=off -w"

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
  char cmd[1024];
  snprintf(cmd, sizeof cmd, "%s " EMU_FLAGS " -x c++-header '%s' -o '%s' > /dev/null 2>&1", emu_cxx(),
           PCH.hdr, PCH.gch);
  if (ok && system(cmd) == 0) {
    PCH.ok = true;
    atexit(pch_remove);
  } else {
    pch_remove();
  }
}

/* Builds src, whose kernel `name` takes call_args (the buffers, through
 * x->b) then its range, into an entry that runs a whole grid. NULL with a
 * message in err. Thread-safe. */
emu_entry tensorc_cuda_emu_compile(const char *src, const char *name, const char *call_args, char *err,
                                   size_t cap) {
  const char *hdr = emu_header();
  if (!hdr) {
    snprintf(err, cap, "CUDA emulation needs TC_CUDA_EMU_HEADER");
    return NULL;
  }
  pthread_once(&PCH.once, pch_build);
  if (PCH.ok) hdr = PCH.hdr;
  char dir[] = "/tmp/tensorc-emu-XXXXXX";
  if (!mkdtemp(dir)) {
    snprintf(err, cap, "CUDA emulation: cannot make a temp dir");
    return NULL;
  }
  char cu[512], so[512], cmd[2048];
  snprintf(cu, sizeof cu, "%s/k.cc", dir);
  snprintf(so, sizeof so, "%s/k.so", dir);
  FILE *f = fopen(cu, "w");
  if (!f) {
    rmdir(dir);
    snprintf(err, cap, "CUDA emulation: cannot write %s", cu);
    return NULL;
  }
  fputs(src, f);
  fprintf(f, "\nextern \"C\" void tc_emu_entry(void *const *b, long long s, long long e, unsigned g, unsigned t) {\n"
             "  struct A { void *const *b; long long s, e; } a = {b, s, e};\n"
             "  tc_emu_launch(g, t, [](void *p) { A *x = (A *)p; %s(%sx->s, x->e); }, &a);\n}\n",
          name, call_args ? call_args : "");
  fclose(f);
  snprintf(cmd, sizeof cmd, "%s " EMU_FLAGS " -shared -include '%s' -x c++ '%s' -o '%s' 2>&1", emu_cxx(), hdr,
           cu, so);
  FILE *p = popen(cmd, "r");
  char out[2048] = "";
  size_t n = p ? fread(out, 1, sizeof out - 1, p) : 0;
  out[n] = 0;
  int rc = p ? pclose(p) : -1;
  emu_entry fn = NULL;
  if (rc == 0) {
    void *h = dlopen(so, RTLD_NOW | RTLD_LOCAL);
    *(void **)&fn = h ? dlsym(h, "tc_emu_entry") : NULL;
  }
  unlink(cu);
  unlink(so);
  rmdir(dir);
  if (!fn) snprintf(err, cap, "CUDA emulation: compiling %s failed: %s", name, out);
  return fn;
}
