/*
 * tc_expect.h — helpers shared by the public-API conformance tests
 * (test_seed.c, test_ops_*.c, test_views.c). Every expected value in those
 * tests was produced by PyTorch on the same inputs and is embedded as a
 * literal; comparisons use PyTorch's assert_close tolerances per dtype:
 *   float32 rtol 1.3e-6 atol 1e-5, float64 1e-7/1e-7, float16 1e-3/1e-5,
 *   bfloat16 1.6e-2/1e-5, integers and bool exact;
 * NaN matches NaN, infinities match exactly and so does the sign of a zero
 * (PyTorch prints -0. and 0. differently).
 *
 * Each test gets a fresh context with one scope open (ctx_setup) that is
 * closed and freed after the test (ctx_teardown), so no handle outlives it.
 * Write tests as
 *   TC_CASE(int_tensor_times_python_float_promotes_to_float32) { ...ctx... }
 * and list them with TC_TEST(name).
 *
 * Literals: SH(2, 3) is a shape (pointer, ndim), SH0 the shape of a 0-d
 * tensor, V(1, 2, 3) a list of doubles (pointer, count), I64(...) a list of
 * int64 (pointer, count).
 */
#ifndef TC_EXPECT_H
#define TC_EXPECT_H

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tensorc.h"

#define SH(...) (const int64_t[]){__VA_ARGS__}, \
    (int)(sizeof((const int64_t[]){__VA_ARGS__}) / sizeof(int64_t))
#define SH0 NULL, 0
#define V(...) (const double[]){__VA_ARGS__}, \
    (int)(sizeof((const double[]){__VA_ARGS__}) / sizeof(double))
#define I64(...) (const int64_t[]){__VA_ARGS__}, \
    (int)(sizeof((const int64_t[]){__VA_ARGS__}) / sizeof(int64_t))

/* TC_TEST_DEVICE=cuda:0 makes new tensors of every test's context start on
 * that device (tc_set_default_device), so the conformance suite runs on the
 * CUDA code path (the emulated device, or the GPU with TC_TEST_REAL_CUDA=1)
 * against the same PyTorch values; read-back copies to the host as it does
 * on the CPU. */
static inline tc_ctx *tc_test_ctx_new(const tc_ctx_options *opts) {
  tc_ctx *ctx = tc_ctx_new(opts);
  const char *dev = getenv("TC_TEST_DEVICE");
  tc_device d;
  if (ctx && dev && *dev) {
    /* the emulated device unless asked for the real one (as test_device) */
    if (!getenv("TC_TEST_REAL_CUDA")) setenv("TC_CUDA_EMULATE", "1", 0);
    if (tc_parse_device(dev, &d) != TC_OK) {
      fprintf(stderr, "TC_TEST_DEVICE=%s: not a device\n", dev);
      tc_ctx_free(ctx);
      return NULL;
    }
    if (tc_set_default_device(ctx, d) != TC_OK) {
      fprintf(stderr, "TC_TEST_DEVICE=%s: %s\n", dev, tc_last_error(ctx));
      tc_ctx_free(ctx);
      return NULL;
    }
  }
  return ctx;
}

static inline int tc_test_setup(void **state) {
  tc_ctx *ctx = tc_test_ctx_new(NULL);
  if (!ctx) return -1;
  tc_scope_begin(ctx);
  *state = ctx;
  return 0;
}

static inline int tc_test_teardown(void **state) {
  tc_ctx *ctx = *state;
  tc_scope_end(ctx);
  tc_ctx_free(ctx);
  return 0;
}

#define TC_CASE(name)                                  \
  static void name##_body(tc_ctx *ctx);                \
  static void name(void **state) { name##_body(*state); } \
  static void name##_body(tc_ctx *ctx)
#define TC_TEST(name) \
  cmocka_unit_test_setup_teardown(name, tc_test_setup, tc_test_teardown)

/* ---- element conversion ------------------------------------------------ */

/* float32 -> bfloat16 bits, round to nearest even (as torch's c10::BFloat16) */
static inline uint16_t tc_test_f32_to_bf16(float f) {
  uint32_t u;
  memcpy(&u, &f, 4);
  if (isnan(f)) return (uint16_t)((u >> 16) | 0x40);
  u += 0x7fff + ((u >> 16) & 1);
  return (uint16_t)(u >> 16);
}

static inline float tc_test_bf16_to_f32(uint16_t h) {
  uint32_t u = (uint32_t)h << 16;
  float f;
  memcpy(&f, &u, 4);
  return f;
}

/* Stores v at index i of a buffer of dtype dt, converted as torch.tensor(v,
 * dtype=dt) converts a Python number (floats through float32 first). */
static inline void tc_test_store(void *p, tc_dtype dt, int64_t i, double v) {
  switch (dt) {
  case TC_BOOL: ((uint8_t *)p)[i] = v != 0; break;
  case TC_U8: ((uint8_t *)p)[i] = (uint8_t)(int64_t)v; break;
  case TC_I8: ((int8_t *)p)[i] = (int8_t)(int64_t)v; break;
  case TC_I16: ((int16_t *)p)[i] = (int16_t)(int64_t)v; break;
  case TC_I32: ((int32_t *)p)[i] = (int32_t)(int64_t)v; break;
  case TC_I64: ((int64_t *)p)[i] = (int64_t)v; break;
  case TC_F16: ((_Float16 *)p)[i] = (_Float16)(float)v; break;
  case TC_BF16: ((uint16_t *)p)[i] = tc_test_f32_to_bf16((float)v); break;
  case TC_F32: ((float *)p)[i] = (float)v; break;
  case TC_F64: ((double *)p)[i] = v; break;
  default: fail_msg("bad dtype %d", (int)dt);
  }
}

static inline double tc_test_load(const void *p, tc_dtype dt, int64_t i) {
  switch (dt) {
  case TC_BOOL: return ((const uint8_t *)p)[i] != 0;
  case TC_U8: return ((const uint8_t *)p)[i];
  case TC_I8: return ((const int8_t *)p)[i];
  case TC_I16: return ((const int16_t *)p)[i];
  case TC_I32: return ((const int32_t *)p)[i];
  case TC_I64: return (double)((const int64_t *)p)[i];
  case TC_F16: return (double)((const _Float16 *)p)[i];
  case TC_BF16: return tc_test_bf16_to_f32(((const uint16_t *)p)[i]);
  case TC_F32: return ((const float *)p)[i];
  case TC_F64: return ((const double *)p)[i];
  default: return NAN;
  }
}

/* ---- construction ------------------------------------------------------ */

/* A tensor of dtype dt and shape (shape, ndim) holding the n values. */
static inline tc_tensor *mk(tc_ctx *ctx, tc_dtype dt, const int64_t *shape,
                            int ndim, const double *v, int n) {
  int64_t numel = 1;
  for (int d = 0; d < ndim; d++) numel *= shape[d];
  if (numel != n) fail_msg("mk: %d values for %lld elements", n, (long long)numel);
  void *buf = malloc((size_t)(n ? n : 1) * 8);
  assert_non_null(buf);
  for (int i = 0; i < n; i++) tc_test_store(buf, dt, i, v[i]);
  tc_tensor *t = tc_from_data(ctx, buf, dt, ndim, shape);
  free(buf);
  if (!t) fail_msg("tc_from_data failed: %s", tc_last_error(ctx));
  return t;
}

/* An int64 tensor holding exactly the given values. */
static inline tc_tensor *mk_i64(tc_ctx *ctx, const int64_t *shape, int ndim,
                                const int64_t *v, int n) {
  (void)n;
  tc_tensor *t = tc_from_data(ctx, v, TC_I64, ndim, shape);
  if (!t) fail_msg("tc_from_data failed: %s", tc_last_error(ctx));
  return t;
}

/* ---- expectations ------------------------------------------------------ */

static inline void tc_test_tol(tc_dtype dt, double *rtol, double *atol) {
  switch (dt) {
  case TC_F16: *rtol = 1e-3; *atol = 1e-5; break;
  case TC_BF16: *rtol = 1.6e-2; *atol = 1e-5; break;
  case TC_F32: *rtol = 1.3e-6; *atol = 1e-5; break;
  case TC_F64: *rtol = 1e-7; *atol = 1e-7; break;
  default: *rtol = 0; *atol = 0;
  }
}

/* assert_close on one element (plus NaN == NaN and the sign of zero). */
static inline bool tc_test_close(tc_dtype dt, double got, double want) {
  double rtol, atol;
  tc_test_tol(dt, &rtol, &atol);
  if (isnan(want) || isnan(got)) return isnan(want) && isnan(got);
  if (isinf(want) || isinf(got)) return got == want;
  if (got == 0 && want == 0) return signbit(got) == signbit(want);
  return fabs(got - want) <= atol + rtol * fabs(want);
}

/* Prints the tensor (or the context error when t is NULL). */
static inline void tc_test_show(tc_tensor *t, const char *what) {
  if (!t) return;
  char *s = tc_format(t);
  print_error("%s: %s\n", what, s ? s : tc_last_error(tc_tensor_ctx(t)));
  tc_free_string(s);
}

static inline void tc_test_print_shape(const char *what, const int64_t *shape, int ndim) {
  print_error("%s(", what);
  for (int d = 0; d < ndim; d++) print_error(d ? ", %lld" : "%lld", (long long)shape[d]);
  print_error(")\n");
}

/* Checks dtype and shape of t; false (after printing why) when they differ. */
static inline bool tc_test_meta(tc_tensor *t, tc_dtype dt, const int64_t *shape, int ndim) {
  if (!t) return false;
  bool ok = tc_tensor_dtype(t) == dt && tc_tensor_ndim(t) == ndim;
  int64_t s[TC_MAX_DIMS];
  tc_tensor_shape(t, s);
  for (int d = 0; ok && d < ndim; d++) ok = s[d] == shape[d];
  if (!ok) {
    print_error("dtype %s, expected %s\n", tc_dtype_name(tc_tensor_dtype(t)), tc_dtype_name(dt));
    tc_test_print_shape("shape ", s, tc_tensor_ndim(t));
    tc_test_print_shape("expected ", shape, ndim);
  }
  return ok;
}

static inline void tc_test_need(tc_tensor *t, const char *file, int line) {
  if (!t) {
    print_error("%s:%d: NULL tensor: %s\n", file, line, "(see context error)");
    _fail(file, line);
  }
}

/* Reads t back as doubles (malloc'd, numel entries). */
static inline double *tc_test_read(tc_tensor *t, const char *file, int line) {
  int64_t n = tc_tensor_numel(t);
  tc_dtype dt = tc_tensor_dtype(t);
  void *raw = malloc((size_t)(n ? n : 1) * 8);
  double *out = malloc((size_t)(n ? n : 1) * sizeof(double));
  if (!raw || !out) _fail(file, line);
  tc_status st = tc_copy_to_host(t, raw, (size_t)(n ? n : 1) * 8);
  if (st != TC_OK) {
    print_error("%s:%d: tc_copy_to_host failed (%d): %s\n", file, line, (int)st,
                tc_last_error(tc_tensor_ctx(t)));
    free(raw);
    free(out);
    _fail(file, line);
  }
  for (int64_t i = 0; i < n; i++) out[i] = tc_test_load(raw, dt, i);
  free(raw);
  return out;
}

static inline void tc_test_expect(tc_tensor *t, tc_dtype dt, const int64_t *shape,
                                  int ndim, const double *want, int n,
                                  const char *file, int line) {
  if (!t) {
    print_error("%s:%d: got NULL (%s)\n", file, line, "error set on the context");
    _fail(file, line);
  }
  if (!tc_test_meta(t, dt, shape, ndim)) {
    tc_test_show(t, "got");
    _fail(file, line);
  }
  if (tc_tensor_numel(t) != n) {
    print_error("%s:%d: %lld elements, expected %d\n", file, line,
                (long long)tc_tensor_numel(t), n);
    _fail(file, line);
  }
  double *got = tc_test_read(t, file, line);
  int bad = 0;
  for (int i = 0; i < n; i++)
    if (!tc_test_close(dt, got[i], want[i])) {
      if (bad++ < 8)
        print_error("%s:%d: element %d is %.17g, expected %.17g\n", file, line, i,
                    got[i], want[i]);
    }
  free(got);
  if (bad) {
    print_error("%d of %d elements differ\n", bad, n);
    tc_test_show(t, "got");
    _fail(file, line);
  }
}
/* expect(t, TC_F32, SH(2, 2), V(1, 2, 3, 4)) */
#define expect(t, dt, ...) tc_test_expect((t), (dt), __VA_ARGS__, __FILE__, __LINE__)

static inline void tc_test_expect_i64(tc_tensor *t, const int64_t *shape, int ndim,
                                      const int64_t *want, int n, const char *file,
                                      int line) {
  tc_test_need(t, file, line);
  if (!tc_test_meta(t, TC_I64, shape, ndim) || tc_tensor_numel(t) != n) {
    tc_test_show(t, "got");
    _fail(file, line);
  }
  int64_t *got = malloc((size_t)(n ? n : 1) * 8);
  if (!got || tc_copy_to_host(t, got, (size_t)(n ? n : 1) * 8) != TC_OK) {
    free(got);
    _fail(file, line);
  }
  for (int i = 0; i < n; i++)
    if (got[i] != want[i]) {
      print_error("%s:%d: element %d is %lld, expected %lld\n", file, line, i,
                  (long long)got[i], (long long)want[i]);
      free(got);
      tc_test_show(t, "got");
      _fail(file, line);
    }
  free(got);
}
/* expect_i64(t, SH(3), I64(1, 2, 3)): an int64 tensor, exactly */
#define expect_i64(t, ...) tc_test_expect_i64((t), __VA_ARGS__, __FILE__, __LINE__)

static inline void tc_test_expect_repr(tc_tensor *t, const char *want, const char *file,
                                       int line) {
  tc_test_need(t, file, line);
  /* under TC_TEST_DEVICE the expected texts are the CPU's: format the
   * values copied back (printing itself is test_device's and test_format's) */
  if (tc_tensor_device(t).type != TC_CPU && !strstr(want, "device=")) t = tc_cpu(t);
  char *s = tc_format(t);
  if (!s || strcmp(s, want) != 0) {
    print_error("%s:%d: repr\n%s\nexpected\n%s\n", file, line, s ? s : "(NULL)", want);
    if (!s) print_error("error: %s\n", tc_last_error(tc_tensor_ctx(t)));
    tc_free_string(s);
    _fail(file, line);
  }
  tc_free_string(s);
}
/* expect_repr(t, "tensor([1., 2.])"): PyTorch's repr(t), exactly */
#define expect_repr(t, want) tc_test_expect_repr((t), (want), __FILE__, __LINE__)

/* The call returned NULL and set an error containing `part`; clears it. */
static inline void tc_test_expect_err(tc_ctx *ctx, const void *result, const char *part,
                                      const char *file, int line) {
  const char *e = tc_last_error(ctx);
  if (result != NULL || tc_last_status(ctx) == TC_OK || !strstr(e, part)) {
    print_error("%s:%d: expected an error containing\n  %s\ngot %s, error \"%s\"\n", file,
                line, part, result ? "a tensor" : "NULL", e);
    tc_clear_error(ctx);
    _fail(file, line);
  }
  tc_clear_error(ctx);
}
#define expect_err(ctx, result, part) \
  tc_test_expect_err((ctx), (result), (part), __FILE__, __LINE__)

/* t realized: a deferred index check (tc_set_index_check; the default for
 * CUDA tensors) fails there. NULL, with the error set, when it fails. */
static inline tc_tensor *tc_test_realized(tc_tensor *t) { return t && tc_realize(t) == TC_OK ? t : NULL; }
/* An in-place op's status st, then dst realized when st is TC_OK. */
static inline tc_status tc_test_wrote(tc_tensor *dst, tc_status st) {
  return st == TC_OK && dst ? tc_realize(dst) : st;
}

/* A call returning tc_status failed with an error containing `part`; clears it. */
static inline void tc_test_expect_status_err(tc_ctx *ctx, tc_status st, const char *part,
                                             const char *file, int line) {
  const char *e = tc_last_error(ctx);
  if (st == TC_OK || !strstr(e, part)) {
    print_error("%s:%d: expected a failure with an error containing\n  %s\ngot status %d, "
                "error \"%s\"\n", file, line, part, (int)st, e);
    tc_clear_error(ctx);
    _fail(file, line);
  }
  tc_clear_error(ctx);
}
#define expect_status_err(ctx, status, part) \
  tc_test_expect_status_err((ctx), (status), (part), __FILE__, __LINE__)

/* No sticky error is set. */
#define expect_no_error(ctx)                                                    \
  do {                                                                          \
    if (tc_last_status(ctx) != TC_OK) {                                         \
      print_error("unexpected error: %s\n", tc_last_error(ctx));                \
      fail();                                                                   \
    }                                                                           \
  } while (0)

static inline void tc_test_expect_layout(tc_tensor *t, const int64_t *shape, int ndim,
                                         const int64_t *strides, int nstrides,
                                         int64_t offset, bool contiguous,
                                         const char *file, int line) {
  tc_test_need(t, file, line);
  int64_t s[TC_MAX_DIMS], st[TC_MAX_DIMS];
  int n = tc_tensor_shape(t, s);
  tc_tensor_strides(t, st);
  bool ok = n == ndim && nstrides == ndim;
  for (int d = 0; ok && d < n; d++) ok = s[d] == shape[d] && st[d] == strides[d];
  ok = ok && tc_tensor_storage_offset(t) == offset &&
       tc_tensor_is_contiguous(t) == contiguous;
  if (!ok) {
    tc_test_print_shape("shape ", s, n);
    tc_test_print_shape("strides ", st, n);
    print_error("offset %lld, contiguous %d\n", (long long)tc_tensor_storage_offset(t),
                (int)tc_tensor_is_contiguous(t));
    tc_test_print_shape("expected shape ", shape, ndim);
    tc_test_print_shape("expected strides ", strides, nstrides);
    print_error("expected offset %lld, contiguous %d\n", (long long)offset, (int)contiguous);
    _fail(file, line);
  }
}
/* expect_layout(t, SH(2, 3), SH(1, 2), offset, contiguous): size(), stride(),
 * storage_offset() and is_contiguous() as PyTorch reports them */
#define expect_layout(t, ...) tc_test_expect_layout((t), __VA_ARGS__, __FILE__, __LINE__)

#endif /* TC_EXPECT_H */
