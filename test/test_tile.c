/*
 * test_tile.c — the CPU backend's 2-D tiles (codegen/llvm_tile.c) for
 * kernels with a large stride along the last outer dim: transposes and
 * permutes of ranks 2 to 4 on 1-, 2-, 4- and 8-byte dtypes, sizes that are
 * not multiples of the tile, elementwise ops fused on a transposed read,
 * strided slices, multi-stage and in-place kernels, and [begin, end)
 * ranges cut at odd points. Every kernel runs compiled and through the
 * reference interpreter (kc_interp) from the same inputs, over the same
 * ranges, and every byte of every buffer must be equal: tiling changes only
 * the order of the points. Each case also checks the plan (cg_tile_plan):
 * that it is tiled where it should be, streamed (scratch tiles and
 * non-temporal stores) where it may be — forced on small kernels with
 * TC_STREAM=1, by size on a 2048^2 one — and never tiled when serial.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "codegen/kernel.h"
#include "codegen/llvm.h"
#include "ir/index.h"

static cg_llvm *J;
static int name_counter;

static size_t dt_size(tc_dtype dt) {
  switch (dt) {
  case TC_BOOL: case TC_U8: case TC_I8: return 1;
  case TC_I16: case TC_F16: case TC_BF16: return 2;
  case TC_I32: case TC_F32: return 4;
  default: return 8;
  }
}

static uint64_t rnd(uint64_t *s) { /* splitmix64 */
  uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

/* Random bits for copies (no NaNs: the interpreter may quiet them on the
 * way, and kernel.h leaves NaN payloads open); for kernels that compute
 * (`values`), small integers in the buffer's dtype. */
static void fill(void *p, tc_dtype dt, int64_t n, uint64_t *s, bool values) {
  size_t sz = dt_size(dt);
  unsigned char *b = p;
  for (int64_t i = 0; i < n; i++) {
    uint64_t r = rnd(s);
    if (dt == TC_BOOL) {
      b[i] = r & 1;
    } else if (!values) {
      if (dt == TC_F16) r &= ~0x4000ull;                 /* exponent never all ones */
      else if (dt == TC_BF16) r &= ~0x4000ull;
      else if (dt == TC_F32) r &= ~0x40000000ull;
      else if (dt == TC_F64) r &= ~0x4000000000000000ull;
      memcpy(b + i * sz, &r, sz);
    } else {
      int v = (int)(r % 41) - 20;
      switch (dt) {
      case TC_F32: ((float *)p)[i] = (float)v * 0.25f; break;
      case TC_F64: ((double *)p)[i] = v * 0.25; break;
      case TC_F16: ((uint16_t *)p)[i] = kc_f32_to_f16((float)v); break;
      case TC_BF16: ((uint16_t *)p)[i] = kc_f32_to_bf16((float)v); break;
      default: memcpy(b + i * sz, &(int64_t){v}, sz); break; /* little-endian */
      }
    }
  }
}

static kc_fn compile(const kernel *k, char **ir) {
  char name[64], err[1024] = "";
  snprintf(name, sizeof name, "tile_%d", name_counter++);
  kc_fn fn = NULL;
  if (cg_llvm_compile(J, k, name, &fn, ir, NULL, err, sizeof err)) {
    char *text = kc_print(k);
    fprintf(stderr, "compile failed: %s\nkernel:\n%s\n", err, text ? text : "?");
    free(text);
    fail_msg("compile failed");
  }
  return fn;
}

static void fail_diff(const kernel *k, const char *what, int b, int64_t i, int64_t lo, int64_t hi) {
  char *text = kc_print(k);
  cg_tile t;
  bool tiled = cg_tile_plan(k, &t);
  fprintf(stderr, "%s: buffer %d element %lld differs from the interpreter after running [%lld, %lld)\n"
          "plan: %s p=%d last=%d %lldx%lld%s\nkernel:\n%s\n",
          what, b, (long long)i, (long long)lo, (long long)hi, tiled ? "tiled" : "rows", t.p, t.last,
          (long long)t.tp, (long long)t.tl, t.stream ? " streamed" : "", text ? text : "?");
  free(text);
  fail_msg("%s: compiled kernel differs from the interpreter", what);
}

enum { GUARD = 4096 }; /* bytes checked on each side of every buffer */

/* Runs k compiled over each range [cuts[i], cuts[i+1]) (ranges[] pairs when
 * `pairs`: each run alone from fresh inputs) and the interpreter likewise;
 * alias[b] >= 0 makes buffer b share buffer alias[b]'s memory. */
static void check_ranges(const kernel *k, const char *what, const int64_t *cuts, int ncuts, bool pairs,
                         const int *alias, bool values) {
  kc_fn fn = compile(k, NULL);
  int nb = k->nbufs;
  void *orig[KC_MAX_BUFS], *want[KC_MAX_BUFS];
  unsigned char *got[KC_MAX_BUFS], *mem[KC_MAX_BUFS]; /* got: GUARD bytes inside mem */
  size_t bytes[KC_MAX_BUFS];
  uint64_t seed = 12345 + (uint64_t)name_counter;
  for (int b = 0; b < nb; b++) {
    bytes[b] = (size_t)(k->bufs[b].nelem > 0 ? k->bufs[b].nelem : 1) * dt_size(k->bufs[b].dt);
    orig[b] = malloc(bytes[b]), want[b] = malloc(bytes[b]), mem[b] = malloc(bytes[b] + 2 * GUARD);
    assert_true(orig[b] && want[b] && mem[b]);
    got[b] = mem[b] + GUARD;
    memset(mem[b], 0xA5, GUARD), memset(got[b] + bytes[b], 0xA5, GUARD);
    fill(orig[b], k->bufs[b].dt, (int64_t)(bytes[b] / dt_size(k->bufs[b].dt)), &seed, values);
  }
  int step = pairs ? 2 : 1;
  for (int c = 0; c + 1 < ncuts; c += step) {
    if (pairs || c == 0)
      for (int b = 0; b < nb; b++) memcpy(want[b], orig[b], bytes[b]), memcpy(got[b], orig[b], bytes[b]);
    void *wp[KC_MAX_BUFS], *gp[KC_MAX_BUFS];
    for (int b = 0; b < nb; b++) {
      int a = alias && alias[b] >= 0 ? alias[b] : b;
      wp[b] = want[a], gp[b] = got[a];
    }
    int64_t lo = cuts[c], hi = cuts[c + 1];
    kc_interp(k, wp, lo, hi);
    fn(gp, lo, hi);
    if (pairs || c + 2 == ncuts)
      for (int b = 0; b < nb; b++) {
        size_t sz = dt_size(k->bufs[b].dt);
        if (memcmp(want[b], got[b], bytes[b]))
          for (size_t i = 0; i < bytes[b]; i += sz)
            if (memcmp((char *)want[b] + i, (char *)got[b] + i, sz))
              fail_diff(k, what, b, (int64_t)(i / sz), lo, hi);
        for (size_t i = 0; i < GUARD; i++)
          if (mem[b][i] != 0xA5 || got[b][bytes[b] + i] != 0xA5)
            fail_diff(k, what, b, /* a store outside the buffer */
                      mem[b][i] != 0xA5 ? -1 - (int64_t)((GUARD - i) / sz) : (int64_t)((bytes[b] + i) / sz), lo, hi);
      }
  }
  for (int b = 0; b < nb; b++) free(orig[b]), free(want[b]), free(mem[b]);
}

/* Whole, split in 3 and in 7 pieces at odd points (as threads would). */
static void check(const kernel *k, const char *what, const int *alias, bool values) {
  int64_t N = kc_outer_numel(k);
  int64_t whole[2] = {0, N};
  int64_t three[4] = {0, N / 3 + 1, 2 * N / 3 - 5, N};
  int64_t seven[8];
  for (int i = 0; i < 8; i++) seven[i] = i * N / 7 + (i % 2 && i < 7 ? 3 : 0);
  check_ranges(k, what, whole, 2, false, alias, values);
  check_ranges(k, what, three, 4, false, alias, values);
  check_ranges(k, what, seven, 8, false, alias, values);
}

/* ---- kernels ---- */

static int add_buf(kernel *k, tc_dtype dt, int64_t nelem) {
  int b = k->nbufs++;
  k->bufs[b] = (kbuf){dt, nelem, false};
  return b;
}

static void add_store(kernel *k, int buf, const ix *index, const kval *v) {
  kstage *s = &k->stages[k->nstages++];
  memset(s, 0, sizeof *s);
  s->kind = KS_STORE;
  s->n = 1;
  s->val = v;
  s->buf = buf;
  s->index = index;
  k->bufs[buf].written = true;
}

/* Outer space = shape permuted by perm; *src = the index of a row-major
 * tensor of `shape` read at the permuted point, *dst = the row-major index
 * of the point (the contiguous output). */
static void permute_space(kernel *k, int nd, const int64_t *shape, const int *perm, const ix **src,
                          const ix **dst) {
  ir_arena *A = &k->arena;
  int64_t st[TC_MAX_DIMS], n = 1;
  for (int d = nd - 1; d >= 0; d--) st[d] = n, n *= shape[d];
  k->nouter = nd;
  for (int j = 0; j < nd; j++) k->outer[j] = shape[perm[j]];
  *src = ix_const(A, 0), *dst = ix_const(A, 0);
  int64_t os = 1;
  for (int j = nd - 1; j >= 0; j--) {
    const ix *v = ix_var(A, j, 0, k->outer[j] - 1);
    *src = ix_add(A, *src, ix_mulc(A, v, st[perm[j]]));
    *dst = ix_add(A, *dst, ix_mulc(A, v, os));
    os *= k->outer[j];
  }
}

/* out = in.permute(perm).contiguous() */
static void build_permute(kernel *k, tc_dtype dt, int nd, const int64_t *shape, const int *perm) {
  kc_init(k, NULL);
  const ix *src, *dst;
  permute_space(k, nd, shape, perm, &src, &dst);
  int64_t n = kc_outer_numel(k);
  int bo = add_buf(k, dt, n), bi = add_buf(k, dt, n);
  add_store(k, bo, dst, kc_load(k, bi, src));
}

static void expect_plan(const kernel *k, const char *what, bool tiled, bool stream) {
  cg_tile t;
  bool got = cg_tile_plan(k, &t);
  if (got != tiled || (got && t.stream != stream)) {
    char *text = kc_print(k);
    fprintf(stderr, "%s: plan %s%s, expected %s%s\nkernel:\n%s\n", what, got ? "tiled" : "rows",
            got && t.stream ? " streamed" : "", tiled ? "tiled" : "rows", stream ? " streamed" : "",
            text ? text : "?");
    free(text);
    fail_msg("%s: unexpected loop plan", what);
  }
}

/* ---- tests ---- */

static const struct {
  int nd;
  int64_t shape[4];
  int perm[4];
} cases[] = {
    {2, {300, 257}, {1, 0}},          /* x.t() */
    {2, {131, 300}, {1, 0}},
    {3, {3, 130, 150}, {2, 0, 1}},    /* permute(2, 0, 1) */
    {3, {5, 131, 140}, {0, 2, 1}},    /* batched transpose */
    {4, {2, 5, 17, 200}, {3, 1, 0, 2}},
    {4, {4, 70, 9, 17}, {0, 3, 2, 1}},
};
#define NCASES (int)(sizeof cases / sizeof cases[0])

static void transposes_and_permutes_of_every_rank_and_dtype_are_tiled_and_match_the_interpreter(void **state) {
  (void)state;
  static const tc_dtype dts[] = {TC_U8, TC_BOOL, TC_I16, TC_BF16, TC_F32, TC_I32, TC_F64, TC_I64};
  for (int force = 0; force <= 1; force++) {
    if (force) setenv("TC_STREAM", "1", 1);
    for (int c = 0; c < NCASES; c++)
      for (size_t d = 0; d < sizeof dts / sizeof dts[0]; d++) {
        if (c >= 2 && d % 2) continue; /* every dtype size on each case */
        kernel k;
        build_permute(&k, dts[d], cases[c].nd, cases[c].shape, cases[c].perm);
        char what[96];
        snprintf(what, sizeof what, "permute case %d, dtype %d%s", c, (int)dts[d], force ? ", streamed" : "");
        expect_plan(&k, what, true, force);
        check(&k, what, NULL, false);
        kc_free(&k);
      }
    unsetenv("TC_STREAM");
  }
}

static void a_transposed_read_fused_with_elementwise_ops_matches_the_interpreter(void **state) {
  (void)state;
  /* out = x.t().float() * p + y, x float16 and y float32 */
  int64_t shape[2] = {77, 203};
  int perm[2] = {1, 0};
  for (int force = 0; force <= 1; force++) {
    if (force) setenv("TC_STREAM", "1", 1);
    kernel k;
    kc_init(&k, NULL);
    const ix *src, *dst;
    permute_space(&k, 2, shape, perm, &src, &dst);
    int64_t n = kc_outer_numel(&k);
    int bo = add_buf(&k, TC_F32, n), bx = add_buf(&k, TC_F16, n), by = add_buf(&k, TC_F32, n);
    const kval *x = kc_op(&k, OP_CAST, TC_F32, kc_load(&k, bx, src), NULL, NULL);
    const kval *v = kc_op(&k, OP_MUL, TC_F32, x, kc_const_f(&k, TC_F32, 2), NULL);
    add_store(&k, bo, dst, kc_op(&k, OP_ADD, TC_F32, v, kc_load(&k, by, dst), NULL));
    expect_plan(&k, "x.t() * 2 + y", true, force);
    check(&k, "x.t() * 2 + y", NULL, true);
    kc_free(&k);

    /* two stages, the second reading what the first stored (a side
     * output): tiled, never streamed */
    kc_init(&k, NULL);
    permute_space(&k, 2, shape, perm, &src, &dst);
    int bs = add_buf(&k, TC_F64, n), bo2 = add_buf(&k, TC_F64, n), bi = add_buf(&k, TC_F64, n);
    add_store(&k, bs, dst, kc_op(&k, OP_NEG, TC_F64, kc_load(&k, bi, src), NULL, NULL));
    add_store(&k, bo2, dst, kc_op(&k, OP_MUL, TC_F64, kc_load(&k, bs, dst), kc_load(&k, bi, src), NULL));
    expect_plan(&k, "side output", true, false);
    check(&k, "side output", NULL, true);
    kc_free(&k);

    /* y.add_(x.t()) in place: y read and written at the same element */
    kc_init(&k, NULL);
    permute_space(&k, 2, shape, perm, &src, &dst);
    int bw = add_buf(&k, TC_I32, n), byy = add_buf(&k, TC_I32, n), bxx = add_buf(&k, TC_I32, n);
    add_store(&k, bw, dst, kc_op(&k, OP_ADD, TC_I32, kc_load(&k, byy, dst), kc_load(&k, bxx, src), NULL));
    int alias[3] = {-1, 0, -1};
    /* (streamed when asked: y is read only at the element stored, which
     * the planner requires of every in-place write) */
    expect_plan(&k, "in-place add of a transpose", true, force);
    check(&k, "in-place add of a transpose", alias, true);
    kc_free(&k);
    unsetenv("TC_STREAM");
  }
}

static void strided_slices_copy_like_the_interpreter(void **state) {
  (void)state;
  ir_arena *A;
  kernel k;
  /* x[::3, ::40] of a 300 x 1000 float32: strided both ways, nothing to
   * tile against */
  kc_init(&k, NULL);
  A = &k.arena;
  k.nouter = 2, k.outer[0] = 100, k.outer[1] = 25;
  const ix *v0 = ix_var(A, 0, 0, 99), *v1 = ix_var(A, 1, 0, 24);
  int bo = add_buf(&k, TC_F32, 2500), bi = add_buf(&k, TC_F32, 300000);
  add_store(&k, bo, ix_add(A, ix_mulc(A, v0, 25), v1),
            kc_load(&k, bi, ix_add(A, ix_mulc(A, v0, 3000), ix_mulc(A, v1, 40))));
  expect_plan(&k, "x[::3, ::40]", false, false);
  check(&k, "x[::3, ::40]", NULL, false);
  kc_free(&k);
  /* x.t()[::2, 1::3] of a 200 x 150 int64: out (75, 67) */
  for (int force = 0; force <= 1; force++) {
    if (force) setenv("TC_STREAM", "1", 1);
    kc_init(&k, NULL);
    A = &k.arena;
    k.nouter = 2, k.outer[0] = 75, k.outer[1] = 67;
    v0 = ix_var(A, 0, 0, 74), v1 = ix_var(A, 1, 0, 66);
    bo = add_buf(&k, TC_I64, 75 * 67), bi = add_buf(&k, TC_I64, 30000);
    const ix *src = ix_add(A, ix_mulc(A, v0, 2), ix_mulc(A, ix_addc(A, ix_mulc(A, v1, 3), 1), 150));
    add_store(&k, bo, ix_add(A, ix_mulc(A, v0, 67), v1), kc_load(&k, bi, src));
    expect_plan(&k, "x.t()[::2, 1::3]", true, force);
    check(&k, "x.t()[::2, 1::3]", NULL, false);
    kc_free(&k);
    unsetenv("TC_STREAM");
  }
  /* a transposed read whose index wraps (mod: strides from a finite
   * difference): out (70, 60) = x[((v1*70 + v0)*7) % 4200], int16 */
  kc_init(&k, NULL);
  A = &k.arena;
  k.nouter = 2, k.outer[0] = 70, k.outer[1] = 60;
  v0 = ix_var(A, 0, 0, 69), v1 = ix_var(A, 1, 0, 59);
  const ix *wrap = ix_modc(A, ix_mulc(A, ix_add(A, ix_mulc(A, v1, 70), v0), 7), 4200);
  bo = add_buf(&k, TC_I16, 4200), bi = add_buf(&k, TC_I16, 4200);
  add_store(&k, bo, ix_add(A, ix_mulc(A, v0, 60), v1), kc_load(&k, bi, wrap));
  expect_plan(&k, "wrapped transpose", true, false);
  check(&k, "wrapped transpose", NULL, false);
  kc_free(&k);
}

/* Each range alone from fresh buffers: every point in [lo, hi) stored
 * exactly once (an accumulating store counts the visits), none outside. */
static void tiled_kernels_store_every_point_of_a_range_exactly_once(void **state) {
  (void)state;
  int64_t shape[3] = {9, 6, 13};
  int perm[3] = {2, 0, 1}; /* outer (13, 9, 6) */
  kernel k;
  for (int kind = 0; kind < 3; kind++) {
    if (kind == 2) setenv("TC_STREAM", "1", 1);
    kc_init(&k, NULL);
    const ix *src, *dst;
    const int64_t *sh = kind ? (const int64_t[]){70, 100} : shape;
    permute_space(&k, kind ? 2 : 3, sh, kind ? (const int[]){1, 0} : perm, &src, &dst);
    int64_t n = kc_outer_numel(&k);
    tc_dtype dt = kind ? TC_F32 : TC_F64;
    int bo = add_buf(&k, dt, n), bi = add_buf(&k, dt, n);
    add_store(&k, bo, dst, kc_load(&k, bi, src));
    k.stages[0].accumulate = kind == 0;
    expect_plan(&k, "ranges", true, kind == 2);
    int64_t cuts[2 * 400];
    int nc = 0;
    static const int64_t starts[] = {0, 1, 5, 31, 33, 54, 64, 100, 333, 500};
    static const int64_t lens[] = {1, 2, 6, 7, 31, 54, 55, 100, 1000, 7000};
    for (int i = 0; i < 10; i++)
      for (int j = 0; j < 10; j++) {
        int64_t lo = starts[i] < n ? starts[i] : n - 1, hi = lo + lens[j];
        cuts[nc++] = lo, cuts[nc++] = hi < n ? hi : n;
      }
    uint64_t s = 99;
    for (int i = 0; i < 100; i++) {
      int64_t a = (int64_t)(rnd(&s) % (uint64_t)n), b = (int64_t)(rnd(&s) % (uint64_t)n);
      cuts[nc++] = a < b ? a : b, cuts[nc++] = (a < b ? b : a) + 1;
    }
    cuts[nc++] = n - 1, cuts[nc++] = n;
    check_ranges(&k, kind == 0 ? "ranges, accumulating" : kind == 1 ? "ranges" : "ranges, streamed", cuts, nc,
                 true, NULL, kind == 0);
    kc_free(&k);
    unsetenv("TC_STREAM");
  }
}

static void a_serial_kernel_is_never_tiled(void **state) {
  (void)state;
  kernel k;
  int64_t shape[2] = {90, 120};
  int perm[2] = {1, 0};
  build_permute(&k, TC_F32, 2, shape, perm);
  k.serial = true;
  expect_plan(&k, "serial transpose", false, false);
  check(&k, "serial transpose", NULL, false);
  kc_free(&k);
}

/* A 2048^2 float32 transpose writes 16 MiB: streamed without being asked,
 * with non-temporal stores in the code. */
static void a_big_transpose_is_streamed_with_non_temporal_stores(void **state) {
  (void)state;
  kernel k;
  int64_t shape[2] = {2048, 2048};
  int perm[2] = {1, 0};
  build_permute(&k, TC_F32, 2, shape, perm);
  expect_plan(&k, "2048^2 transpose", true, true);
  cg_tile t;
  assert_true(cg_tile_plan(&k, &t));
  assert_true(t.regs); /* 4-byte elements: whole tiles transposed in registers */
  char *ir = NULL;
  compile(&k, &ir);
  assert_non_null(ir);
  if (!strstr(ir, "!nontemporal") || !strstr(ir, "shufflevector")) {
    fprintf(stderr, "optimized IR:\n%s\n", ir);
    fail_msg("no non-temporal store or register transpose in a streamed transpose");
  }
  free(ir);
  int64_t N = kc_outer_numel(&k);
  int64_t cuts[3] = {0, N / 2 + 77, N};
  check_ranges(&k, "2048^2 transpose", cuts, 3, false, NULL, false);
  kc_free(&k);
}

static int setup(void **state) {
  (void)state;
  char err[256];
  unsetenv("TC_STREAM");
  J = cg_llvm_get(err, sizeof err);
  if (!J) {
    fprintf(stderr, "no LLVM JIT: %s\n", err);
    return -1;
  }
  return 0;
}

static int teardown(void **state) {
  (void)state;
  cg_llvm_shutdown();
  return 0;
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(transposes_and_permutes_of_every_rank_and_dtype_are_tiled_and_match_the_interpreter),
      cmocka_unit_test(a_transposed_read_fused_with_elementwise_ops_matches_the_interpreter),
      cmocka_unit_test(strided_slices_copy_like_the_interpreter),
      cmocka_unit_test(tiled_kernels_store_every_point_of_a_range_exactly_once),
      cmocka_unit_test(a_serial_kernel_is_never_tiled),
      cmocka_unit_test(a_big_transpose_is_streamed_with_non_temporal_stores),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
