/*
 * cuda_check.h — the harness of test_cuda.c: the kernels of a test are
 * collected in a batch (kernel IR built with the kc_* builders), then
 * batch_run generates each one's CUDA C and
 *   (a) compiles every source with NVRTC for sm_90 on E.jobs threads (a
 *       nonempty log fails) and assembles each PTX with `ptxas -arch=sm_90`
 *       (E.jobs at a time), which must print nothing;
 *   (b) writes the sources, each followed by an `emu_<name>` launcher, into
 *       E.jobs C++ files built in parallel by g++ with cuda_emu.h into
 *       shared objects, dlopens them and runs every kernel on random inputs
 *       under two launch geometries, comparing every buffer with
 *       kc_interp's: bitwise, NaN payloads aside, and within DESIGN.md's
 *       tolerances for kernels with transcendentals.
 * The environment (E) says which of the tools exist; a missing one skips
 * its half. Counters and timings accumulate in E for the summary.
 */
#ifndef TC_TEST_CUDA_CHECK_H
#define TC_TEST_CUDA_CHECK_H
#include <dlfcn.h>
#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "codegen/cuda.h"
#include "codegen/kernel.h"
#include "ir/index.h"

#ifndef TC_SOURCE_DIR
#define TC_SOURCE_DIR "."
#endif
#ifndef TC_CUDA_HOME
#define TC_CUDA_HOME "/usr/local/cuda"
#endif
#ifndef TC_EMU_CXX
#define TC_EMU_CXX "g++"
#endif

static const int op_arity[OP_COUNT] = {
#define X(e, n, ar, kind) ar,
#include "ir/ops.def"
#undef X
};
static const char *const op_names[OP_COUNT] = {
#define X(e, n, ar, kind) n,
#include "ir/ops.def"
#undef X
};

static size_t dt_size(tc_dtype dt) {
  static const size_t sz[TC_NUM_DTYPES] = {1, 1, 1, 2, 4, 8, 2, 2, 4, 8};
  return sz[dt];
}
static const char *dt_name(tc_dtype dt) {
  static const char *const n[TC_NUM_DTYPES] = {"bool", "uint8", "int8", "int16", "int32",
                                               "int64", "float16", "bfloat16", "float32",
                                               "float64"};
  return n[dt];
}

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* ---- the environment ------------------------------------------------------ */

static struct {
  bool nvrtc, ptxas, cxx;
  bool no_ptx; /* TEST_CUDA_NO_PTX: the batch NVRTC + ptxas checks are skipped */
  char why_nvrtc[256];
  char ptxas_path[512];
  char tmp[256];
  int jobs;
  long kernels, runs, approx_diffs, nan_payload_diffs;
  double nvrtc_ms, nvrtc_max_ms, ptxas_ms, cxx_ms, run_ms;
  long nvrtc_n, ptxas_files, cxx_n;
} E;

static int name_counter;

/* ---- random inputs (as test_llvm.c) --------------------------------------- */

typedef struct rng64 {
  uint64_t s;
} rng64;

static uint64_t rnd(rng64 *r) { /* splitmix64 */
  uint64_t z = (r->s += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

static double unit(rng64 *r) { return (double)(rnd(r) >> 11) * 0x1p-53; }

static double random_float(rng64 *r, bool f64) {
  static const double specials[] = {0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 2.0, 3.0,
                                    -3.0, 1.5, 2.5, -2.5, INFINITY, -INFINITY, 1e-40,
                                    -1e-42, 1e30, -1e30, 65504.0, 1e-8, 100.25, 0.1};
  uint64_t k = rnd(r) % 16;
  if (k < 7) return specials[rnd(r) % (sizeof specials / sizeof *specials)];
  if (k == 7) { /* a NaN of either sign with a random payload */
    if (f64) {
      uint64_t u = 0x7ff0000000000000ull | (rnd(r) & 0x800fffffffffffffull);
      if (!(u & 0xfffffffffffffull)) u |= 1;
      double d;
      memcpy(&d, &u, 8);
      return d;
    }
    uint32_t u = 0x7f800000u | ((uint32_t)rnd(r) & 0x807fffffu);
    if (!(u & 0x7fffffu)) u |= 0x400000u;
    float f;
    memcpy(&f, &u, 4);
    return f;
  }
  if (k < 11) return unit(r) * 8.0 - 4.0;
  if (k < 13) return (double)((int64_t)(rnd(r) % 11) - 5);
  return ldexp(unit(r) * 2.0 - 1.0, (int)(rnd(r) % 61) - 30);
}

static int64_t random_int(rng64 *r) {
  static const int64_t specials[] = {0, 1, -1, 2, INT64_MIN, INT64_MAX, INT64_MIN + 1,
                                     127, -128, 255, 32767, -32768, INT32_MIN, INT32_MAX};
  uint64_t k = rnd(r) % 8;
  if (k < 2) return specials[rnd(r) % (sizeof specials / sizeof *specials)];
  if (k < 4) return (int64_t)(rnd(r) % 74) - 3; /* shift counts, exponents */
  if (k < 6) return (int64_t)(rnd(r) % 21) - 10;
  return (int64_t)rnd(r);
}

static void fill_random(void *p, tc_dtype dt, int64_t n, rng64 *r) {
  for (int64_t i = 0; i < n; i++) {
    switch (dt) {
    case TC_BOOL: ((uint8_t *)p)[i] = rnd(r) & 1; break;
    case TC_U8: case TC_I8: ((uint8_t *)p)[i] = (uint8_t)random_int(r); break;
    case TC_I16: ((int16_t *)p)[i] = (int16_t)(uint16_t)random_int(r); break;
    case TC_I32: ((int32_t *)p)[i] = (int32_t)(uint32_t)random_int(r); break;
    case TC_I64: ((int64_t *)p)[i] = random_int(r); break;
    case TC_F16: case TC_BF16: {
      uint16_t h;
      if (rnd(r) & 1) {
        h = (uint16_t)rnd(r);
      } else {
        float f = (float)random_float(r, false);
        h = dt == TC_F16 ? kc_f32_to_f16(f) : kc_f32_to_bf16(f);
      }
      ((uint16_t *)p)[i] = h;
      break;
    }
    case TC_F32: ((float *)p)[i] = (float)random_float(r, false); break;
    default: ((double *)p)[i] = random_float(r, true); break;
    }
  }
}

/* ---- comparing ------------------------------------------------------------ */

static bool is_nan_bits(tc_dtype dt, const unsigned char *p) {
  uint64_t u = 0;
  memcpy(&u, p, dt_size(dt));
  switch (dt) {
  case TC_F16: return (u & 0x7c00) == 0x7c00 && (u & 0x3ff);
  case TC_BF16: return (u & 0x7f80) == 0x7f80 && (u & 0x7f);
  case TC_F32: return (u & 0x7f800000u) == 0x7f800000u && (u & 0x7fffffu);
  case TC_F64: return (u >> 52 & 0x7ff) == 0x7ff && (u & 0xfffffffffffffull);
  default: return false;
  }
}

static double as_double(tc_dtype dt, const unsigned char *p) {
  uint64_t u = 0;
  memcpy(&u, p, dt_size(dt));
  size_t sz = dt_size(dt);
  switch (dt) {
  case TC_F16: return kc_f16_to_f32((uint16_t)u);
  case TC_BF16: return kc_bf16_to_f32((uint16_t)u);
  case TC_F32: { float f; memcpy(&f, p, 4); return f; }
  case TC_F64: { double d; memcpy(&d, p, 8); return d; }
  case TC_BOOL: case TC_U8: return (double)u;
  default: return (double)((int64_t)(u << (64 - 8 * sz)) >> (64 - 8 * sz));
  }
}

/* DESIGN.md's assert_close tolerances */
static bool close_enough(tc_dtype dt, double want, double got) {
  double rtol = 1.3e-6, atol = 1e-5;
  if (dt == TC_F64) rtol = atol = 1e-7;
  else if (dt == TC_F16) rtol = 1e-3;
  else if (dt == TC_BF16) rtol = 1.6e-2;
  if (isinf(want) || isinf(got)) return want == got;
  return fabs(want - got) <= atol + rtol * fabs(want);
}

/* ---- kernels of a test ---------------------------------------------------- */

typedef struct tk {
  kernel k;
  char name[32], what[768];
  char *src;
  bool approx;           /* has transcendentals */
  int alias[KC_MAX_BUFS]; /* >= 0: shares that buffer's memory */
  void (*emu)(void *const *, long long, long long, unsigned, unsigned);
} tk;

typedef struct batch {
  tk *v[640];
  int n;
} batch;

static kernel *batch_new(batch *B, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static kernel *batch_new(batch *B, const char *fmt, ...) {
  assert_true(B->n < (int)(sizeof B->v / sizeof *B->v));
  tk *t = calloc(1, sizeof *t);
  assert_non_null(t);
  kc_init(&t->k, NULL);
  snprintf(t->name, sizeof t->name, "tck%d", name_counter++);
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(t->what, sizeof t->what, fmt, ap);
  va_end(ap);
  for (int b = 0; b < KC_MAX_BUFS; b++) t->alias[b] = -1;
  B->v[B->n++] = t;
  return &t->k;
}

static tk *batch_last(batch *B) { return B->v[B->n - 1]; }

static void batch_free(batch *B) {
  for (int i = 0; i < B->n; i++) {
    kc_free(&B->v[i]->k);
    free(B->v[i]->src);
    free(B->v[i]);
  }
  B->n = 0;
}

static int add_buf(kernel *k, tc_dtype dt, int64_t nelem) {
  int b = k->nbufs++;
  k->bufs[b].dt = dt;
  k->bufs[b].nelem = nelem;
  k->bufs[b].written = false;
  return b;
}

static void add_store(kernel *k, int buf, int64_t n, const ix *index, const kval *v) {
  assert_non_null(index);
  assert_non_null(v);
  kstage *s = &k->stages[k->nstages++];
  memset(s, 0, sizeof *s);
  s->kind = KS_STORE;
  s->n = n;
  s->val = v;
  s->buf = buf;
  s->index = index;
  k->bufs[buf].written = true;
}

static int add_reduce(kernel *k, int rop, tc_dtype acc_dt, int64_t n, const kval *v) {
  assert_non_null(v);
  int s = k->nstages++;
  memset(&k->stages[s], 0, sizeof k->stages[s]);
  k->stages[s].kind = KS_REDUCE;
  k->stages[s].rop = rop;
  k->stages[s].acc_dt = acc_dt;
  k->stages[s].n = n;
  k->stages[s].val = v;
  return s;
}

static void set_outer(kernel *k, int nd, const int64_t *dims) {
  k->nouter = nd;
  for (int d = 0; d < nd; d++) k->outer[d] = dims[d];
}

static const ix *outer_var(kernel *k, int d) { return ix_var(&k->arena, d, 0, k->outer[d] - 1); }

static const ix *stage_var(kernel *k, int s, int64_t n) {
  return ix_var(&k->arena, kc_stage_var(k, s), 0, n > 0 ? n - 1 : 0);
}

static bool transcendental(const kval *v) {
  if (!v) return false;
  if (v->kind == KV_RNG) return v->op == OP_RANDN;
  if (v->kind != KV_OP) return false;
  switch (v->op) {
  case OP_EXP: case OP_EXP2: case OP_LOG: case OP_LOG2: case OP_LOG1P: case OP_EXPM1:
  case OP_SIN: case OP_COS: case OP_TAN: case OP_TANH: case OP_SIGMOID: case OP_GELU:
  case OP_ERF: return true;
  case OP_POW: return v->dt >= TC_F16;
  default: return transcendental(v->a) || transcendental(v->b) || transcendental(v->c);
  }
}

/* ---- (a) NVRTC and ptxas -------------------------------------------------- */

typedef struct nv_job {
  batch *B;
  int next;
  pthread_mutex_t mu;
  char fail[2048];
} nv_job;

static void *nv_worker(void *arg) {
  nv_job *J = arg;
  for (;;) {
    pthread_mutex_lock(&J->mu);
    int i = J->next++;
    bool stop = i >= J->B->n || J->fail[0];
    pthread_mutex_unlock(&J->mu);
    if (stop) return NULL;
    tk *t = J->B->v[i];
    char err[1024] = "", *ptx = NULL, *log = NULL, path[512];
    double t0 = now_ms();
    int rc = cg_nvrtc_compile(t->src, t->name, "sm_90", &ptx, &log, err, sizeof err);
    double dt = now_ms() - t0;
    pthread_mutex_lock(&J->mu);
    E.nvrtc_ms += dt;
    E.nvrtc_n++;
    if (dt > E.nvrtc_max_ms) E.nvrtc_max_ms = dt;
    if (getenv("TEST_CUDA_SLOW") && dt > atof(getenv("TEST_CUDA_SLOW")))
      fprintf(stderr, "  NVRTC %.0f ms: %s\n", dt, t->what);
    if (rc || (log && *log))
      snprintf(J->fail, sizeof J->fail, "%s (%s): NVRTC %s\n%s", t->what, t->name,
               rc ? err : "printed a log", log ? log : "");
    pthread_mutex_unlock(&J->mu);
    if (!rc) {
      snprintf(path, sizeof path, "%s/%s.ptx", E.tmp, t->name);
      FILE *f = fopen(path, "w");
      if (f) {
        fputs(ptx, f);
        fclose(f);
      }
    }
    free(ptx);
    free(log);
  }
}

static char *run_capture(const char *cmd, int *status) {
  FILE *p = popen(cmd, "r");
  assert_non_null(p);
  size_t cap = 4096, n = 0;
  char *out = malloc(cap);
  assert_non_null(out);
  size_t got;
  while ((got = fread(out + n, 1, cap - n - 1, p)) > 0) {
    n += got;
    if (n + 1 == cap) {
      out = realloc(out, cap *= 2);
      assert_non_null(out);
    }
  }
  out[n] = '\0';
  *status = pclose(p);
  return out;
}

static void check_ptx(batch *B) {
  if (!E.nvrtc || !E.ptxas || E.no_ptx) return;
  nv_job J = {.B = B, .mu = PTHREAD_MUTEX_INITIALIZER};
  pthread_t th[4];
  for (int i = 0; i < E.jobs; i++) pthread_create(&th[i], NULL, nv_worker, &J);
  for (int i = 0; i < E.jobs; i++) pthread_join(th[i], NULL);
  if (J.fail[0]) fail_msg("%s", J.fail);
  /* ptxas on each file (one run over several files can crash ptxas 13.0),
     E.jobs at a time; each run's output goes to <name>.out */
  char cmd[1024];
  snprintf(cmd, sizeof cmd,
           "cd %s && ls *.ptx | sed 's/[.]ptx$//' | xargs -P %d -I{} sh -c \"'%s' -arch=sm_90 "
           "-o /dev/null {}.ptx > {}.out 2>&1 || echo 'ptxas failed' >> {}.out\"",
           E.tmp, E.jobs, E.ptxas_path);
  double t0 = now_ms();
  int st = system(cmd);
  E.ptxas_ms += now_ms() - t0;
  E.ptxas_files += B->n;
  assert_int_equal(st, 0);
  for (int i = 0; i < B->n; i++) {
    char path[512];
    snprintf(path, sizeof path, "%s/%s.out", E.tmp, B->v[i]->name);
    struct stat sb;
    if (stat(path, &sb) != 0 || sb.st_size != 0) {
      snprintf(cmd, sizeof cmd, "cat %s", path);
      int st1;
      char *o1 = run_capture(cmd, &st1);
      fail_msg("ptxas -arch=sm_90 on %s (%s) printed:\n%s", B->v[i]->name, B->v[i]->what, o1);
    }
    unlink(path);
  }
  for (int i = 0; i < B->n; i++) {
    char path[512];
    snprintf(path, sizeof path, "%s/%s.ptx", E.tmp, B->v[i]->name);
    unlink(path);
  }
}

/* ---- (b) the emulator ----------------------------------------------------- */

/* The sources of kernels [lo, hi), each followed by its launcher
 * emu_<name>(bufs, begin, end, grid, block). */
static void write_part(batch *B, int lo, int hi, const char *path) {
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fprintf(f, "struct tc_args { void *const *b; long long begin, end; };\n");
  for (int i = lo; i < hi; i++) {
    tk *t = B->v[i];
    char *args = cg_cuda_call_args(&t->k, "a->b");
    assert_non_null(args);
    fprintf(f, "%s\nstatic void run_%s(void *p) {\n  const tc_args *a = (const tc_args *)p;\n  %s(%s",
            t->src, t->name, t->name, args);
    free(args);
    fprintf(f, "a->begin, a->end);\n}\n");
    fprintf(f, "extern \"C\" void emu_%s(void *const *b, long long begin, long long end, "
               "unsigned grid, unsigned block) {\n  tc_args a = {b, begin, end};\n"
               "  tc_emu_launch(grid, block, run_%s, &a);\n}\n", t->name, t->name);
  }
  fclose(f);
}

/* Builds the batch into shared objects (E.jobs g++ in parallel) and looks
 * up every kernel's launcher. */
static void build_emu(batch *B, void **handles, int *nhandles) {
  int parts = B->n < E.jobs ? B->n : E.jobs;
  char cmd[8192];
  size_t n = 0;
  static int batch_no;
  int id = batch_no++;
  for (int p = 0; p < parts; p++) {
    char src[512];
    snprintf(src, sizeof src, "%s/emu%d_%d.cpp", E.tmp, id, p);
    write_part(B, B->n * p / parts, B->n * (p + 1) / parts, src);
    n += (size_t)snprintf(cmd + n, sizeof cmd - n,
                          "(%s -std=c++17 -O0 -fPIC -shared -ffp-contract=off -Wall -Werror "
                          "-include %s/test/cuda_emu.h %s -o %s/emu%d_%d.so > %s/emu%d_%d.log "
                          "2>&1; echo $? > %s/emu%d_%d.rc) & ",
                          TC_EMU_CXX, TC_SOURCE_DIR, src, E.tmp, id, p, E.tmp, id, p, E.tmp,
                          id, p);
  }
  snprintf(cmd + n, sizeof cmd - n, "wait");
  double t0 = now_ms();
  int st = system(cmd);
  E.cxx_ms += now_ms() - t0;
  E.cxx_n += B->n;
  assert_int_equal(st, 0);
  *nhandles = parts;
  for (int p = 0; p < parts; p++) {
    char path[512], rc[16] = "";
    snprintf(path, sizeof path, "%s/emu%d_%d.rc", E.tmp, id, p);
    FILE *f = fopen(path, "r");
    if (f) {
      if (!fgets(rc, sizeof rc, f)) rc[0] = '\0';
      fclose(f);
    }
    if (atoi(rc) != 0 || !rc[0]) {
      snprintf(path, sizeof path, "cat %s/emu%d_%d.log | head -40", E.tmp, id, p);
      int s2;
      char *log = run_capture(path, &s2);
      fail_msg("g++ failed on the generated CUDA C:\n%s", log);
    }
    snprintf(path, sizeof path, "%s/emu%d_%d.so", E.tmp, id, p);
    handles[p] = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!handles[p]) fail_msg("dlopen %s: %s", path, dlerror());
    for (int i = B->n * p / parts; i < B->n * (p + 1) / parts; i++) {
      char sym[64];
      snprintf(sym, sizeof sym, "emu_%s", B->v[i]->name);
      void *fp = dlsym(handles[p], sym);
      assert_non_null(fp);
      memcpy(&B->v[i]->emu, &fp, sizeof fp);
    }
    const char *ext[] = {"cpp", "so", "log", "rc"};
    for (int e = 0; e < 4; e++) {
      snprintf(path, sizeof path, "%s/emu%d_%d.%s", E.tmp, id, p, ext[e]);
      unlink(path);
    }
  }
}

static void report(const tk *t, const char *how, int b, int64_t i, const void *want,
                   const void *got) {
  tc_dtype dt = t->k.bufs[b].dt;
  size_t sz = dt_size(dt);
  uint64_t w = 0, g = 0;
  memcpy(&w, (const char *)want + i * sz, sz);
  memcpy(&g, (const char *)got + i * sz, sz);
  char *text = kc_print(&t->k);
  print_error("%s (%s, %s): buffer %d element %lld: interpreter 0x%llx (%.17g), CUDA "
              "0x%llx (%.17g)\nkernel:\n%s\nCUDA C (after the prelude):\n%s\n",
              t->what, t->name, how, b, (long long)i, (unsigned long long)w,
              as_double(dt, (const unsigned char *)want + i * sz), (unsigned long long)g,
              as_double(dt, (const unsigned char *)got + i * sz), text ? text : "?",
              strstr(t->src, "extern \"C\"") ? strstr(t->src, "extern \"C\"") : t->src);
  free(text);
  fail_msg("CUDA C differs from the interpreter: %s", t->what);
}

static void run_one(tk *t, uint64_t seed) {
  const kernel *k = &t->k;
  int nb = k->nbufs;
  int64_t N = kc_outer_numel(k);
  if (N < 0) N = 0;
  rng64 r = {seed};
  void *orig[KC_MAX_BUFS], *want[KC_MAX_BUFS], *got[KC_MAX_BUFS];
  size_t bytes[KC_MAX_BUFS];
  for (int b = 0; b < nb; b++) {
    bytes[b] = (size_t)(k->bufs[b].nelem > 0 ? k->bufs[b].nelem : 1) * dt_size(k->bufs[b].dt);
    orig[b] = malloc(bytes[b]);
    want[b] = malloc(bytes[b]);
    got[b] = malloc(bytes[b]);
    assert_true(orig[b] && want[b] && got[b]);
    fill_random(orig[b], k->bufs[b].dt, (int64_t)(bytes[b] / dt_size(k->bufs[b].dt)), &r);
    memcpy(want[b], orig[b], bytes[b]);
  }
  void *wp[KC_MAX_BUFS + 1], *gp[KC_MAX_BUFS + 1];
  kc_param params[KC_MAX_PARAMS];
  for (int i = 0; i < k->nparams; i++) { /* random scalar arguments */
    if (k->params[i] == TC_F32 || k->params[i] == TC_F64) params[i].f = (double)(int64_t)(rnd(&r) % 2001) / 8 - 125;
    else params[i].i = (int64_t)(rnd(&r) % 2001) - 1000;
  }
  wp[nb] = gp[nb] = params;
  for (int b = 0; b < nb; b++) wp[b] = want[t->alias[b] >= 0 ? t->alias[b] : b];
  kc_interp(k, wp, 0, N);
  int tpp = cg_cuda_threads_per_point(k);
  for (int how = 0; how < 2; how++) {
    for (int b = 0; b < nb; b++) {
      memcpy(got[b], orig[b], bytes[b]);
      gp[b] = got[t->alias[b] >= 0 ? t->alias[b] : b];
    }
    if (k->serial) { /* points in order on one thread, as rt_gpu_launch runs it */
      t->emu(gp, 0, N, 1, 1);
    } else if (how == 0) { /* few threads: each loops over many points (cooperative
                       kernels: two points a block, so some threads idle) */
      t->emu(gp, 0, N, tpp == 1 ? 3 : 2, tpp == 1 ? 32 : tpp <= 128 ? 2 * tpp : tpp);
    } else { /* enough blocks of 40 threads (one point a block), two launches */
      int64_t half = N / 2;
      int64_t range[3] = {0, half, N};
      unsigned block = tpp == 1 ? 40 : (unsigned)tpp;
      for (int c = 0; c < 2; c++) {
        int64_t pts = range[c + 1] - range[c];
        if (pts <= 0) continue;
        unsigned grid = (unsigned)((pts * tpp + block - 1) / block + 1);
        t->emu(gp, range[c], range[c + 1], grid, block);
      }
    }
    E.runs++;
    for (int b = 0; b < nb; b++) {
      if (t->alias[b] >= 0) continue;
      tc_dtype dt = k->bufs[b].dt;
      size_t sz = dt_size(dt);
      const unsigned char *x = want[b], *y = got[b];
      for (int64_t i = 0; i < k->bufs[b].nelem; i++) {
        if (!memcmp(x + i * sz, y + i * sz, sz)) continue;
        if (is_nan_bits(dt, x + i * sz) && is_nan_bits(dt, y + i * sz)) {
          E.nan_payload_diffs += how == 0;
          if (how == 0 && getenv("TEST_CUDA_NANS")) {
            uint64_t w = 0, g = 0;
            memcpy(&w, x + i * sz, sz);
            memcpy(&g, y + i * sz, sz);
            fprintf(stderr, "  NaN payload: %s buffer %d [%lld]: %llx vs %llx\n", t->what, b,
                    (long long)i, (unsigned long long)w, (unsigned long long)g);
          }
          continue;
        }
        if (t->approx && dt >= TC_F16 &&
            close_enough(dt, as_double(dt, x + i * sz), as_double(dt, y + i * sz))) {
          E.approx_diffs += how == 0;
          continue;
        }
        report(t, how ? "blocks of 40, two launches" : "small grid", b, i, want[b], got[b]);
      }
    }
  }
  for (int b = 0; b < nb; b++) {
    free(orig[b]);
    free(want[b]);
    free(got[b]);
  }
}

/* Generates, checks (a) and (b) every kernel of the batch, then frees it. */
static void batch_run(batch *B) {
  for (int i = 0; i < B->n; i++) {
    tk *t = B->v[i];
    char err[512] = "";
    t->src = cg_cuda_source(&t->k, t->name, err, sizeof err);
    if (!t->src) {
      char *text = kc_print(&t->k);
      print_error("kernel:\n%s\n", text ? text : "?");
      free(text);
      fail_msg("%s: cg_cuda_source failed: %s", t->what, err);
    }
    for (int s = 0; s < t->k.nstages; s++)
      t->approx = t->approx || transcendental(t->k.stages[s].val) ||
                  (t->k.stages[s].kind == KS_REDUCE && t->k.stages[s].rop == OP_RLSE);
  }
  E.kernels += B->n;
  check_ptx(B);
  if (E.cxx) {
    void *h[8];
    int nh = 0;
    build_emu(B, h, &nh);
    double t0 = now_ms();
    for (int i = 0; i < B->n; i++) run_one(B->v[i], 0x5eed0000ull + (uint64_t)i * 7919u);
    E.run_ms += now_ms() - t0;
    for (int i = 0; i < nh; i++) dlclose(h[i]);
  }
  batch_free(B);
}

#endif
