/*
 * test_errors.c — every public entry point given bad input returns an error
 * (NULL, false, NaN or a tc_status) and sets a message; nothing crashes or
 * aborts.
 *
 * Each check looks at the returned value, the status (TC_ERR_ARG for bad
 * arguments), the message's prefix (the C function's name and ": ") and the
 * PyTorch part of the message (found with strstr; the messages were taken
 * from PyTorch 2.x, the version installed next to this tree), then clears the
 * error and checks that the context still computes right. Also covered: NULL
 * handles everywhere, NULL propagation through whole expressions without a
 * new message, and the sticky error (the first one stays until cleared).
 *
 * Checks that crash the process when the library is wrong (signed overflow
 * under UBSan, use after free) run in a child process (run_isolated), so a
 * crash fails that one test instead of the whole file.
 */
#define _GNU_SOURCE
#include <math.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "tensorc.h"

#define TEST(name) static void name(void **state __attribute__((unused)))
#define COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* ---- the context every test uses ---------------------------------------- */

static tc_ctx *C;

static int setup(void **state) {
  (void)state;
  tc_ctx_options o = {0};
  o.num_threads = 2;
  C = tc_ctx_new(&o);
  return C ? 0 : -1;
}

static int teardown(void **state) {
  (void)state;
  tc_ctx_free(C);
  C = NULL;
  return 0;
}

/* ---- helpers ------------------------------------------------------------ */

static const float f6[] = {1, 2, 3, 4, 5, 6};
static const int64_t s3[] = {3}, s4[] = {4}, s6[] = {6}, s23[] = {2, 3}, s32[] = {3, 2},
                     s44[] = {4, 4}, s24[] = {2, 4};

/* [[1, 2, 3], [4, 5, 6]] as float32 */
static tc_tensor *m23(void) {
  tc_tensor *t = tc_from_data(C, f6, TC_F32, 2, s23);
  assert_non_null(t);
  return t;
}

static tc_tensor *ones(tc_dtype dt, int ndim, const int64_t *shape) {
  tc_tensor *t = tc_ones(C, dt, ndim, shape);
  assert_non_null(t);
  return t;
}

/* A fresh computation must work and be right: sum((x + 1) * 2) = 18. */
static void assert_still_works_at(const char *file, int line) {
  tc_scope_begin(C);
  tc_tensor *x = tc_from_data(C, f6, TC_F32, 1, s3);
  tc_tensor *r = tc_sum(tc_mul_scalar(tc_add_scalar(x, 1.0), 2.0), NULL, 0, false);
  double got = r ? tc_item(r) : NAN;
  tc_scope_end(C);
  if (!r || got != 18.0 || tc_last_status(C) != TC_OK)
    fail_msg("%s:%d: after tc_clear_error the context computed %g (status %d, \"%s\"), want 18", file,
             line, got, (int)tc_last_status(C), tc_last_error(C));
}

/* strstr, allowing the first letter of `want` in either case (messages after
 * the "tc_fn: " prefix may start in lower case). */
static bool has_text(const char *msg, const char *want) {
  if (strstr(msg, want)) return true;
  char alt[512];
  snprintf(alt, sizeof alt, "%s", want);
  if (alt[0] >= 'a' && alt[0] <= 'z') alt[0] = (char)(alt[0] - 'a' + 'A');
  else if (alt[0] >= 'A' && alt[0] <= 'Z') alt[0] = (char)(alt[0] - 'A' + 'a');
  return strstr(msg, alt) != NULL;
}

/* The context's error is `st`, from function `fn`, containing `torch` (when
 * not NULL) or `torch2` (when not NULL); then clears it and checks that the
 * context still works. */
static void expect_error_at(const char *file, int line, tc_status st, const char *fn,
                            const char *torch, const char *torch2) {
  const char *e = tc_last_error(C);
  assert_non_null(e);
  if (tc_last_status(C) != st)
    fail_msg("%s:%d: status %d, want %d (message \"%s\")", file, line, (int)tc_last_status(C), (int)st, e);
  size_t n = strlen(fn);
  if (strncmp(e, fn, n) != 0 || e[n] != ':' || e[n + 1] != ' ')
    fail_msg("%s:%d: message \"%s\" does not start with \"%s: \"", file, line, e, fn);
  if (torch && !has_text(e, torch) && !(torch2 && has_text(e, torch2)))
    fail_msg("%s:%d: message \"%s\" lacks PyTorch's \"%s\"", file, line, e, torch);
  tc_clear_error(C);
  if (tc_last_status(C) != TC_OK || strcmp(tc_last_error(C), "") != 0)
    fail_msg("%s:%d: tc_clear_error left status %d, \"%s\"", file, line, (int)tc_last_status(C),
             tc_last_error(C));
  assert_still_works_at(file, line);
}

#define EXPECT_ERR(fn, torch) expect_error_at(__FILE__, __LINE__, TC_ERR_ARG, fn, torch, NULL)

/* expr returns NULL, with error `fn: ...torch...` */
#define EXPECT_NULL(expr, fn, torch)                                                             \
  do {                                                                                         \
    tc_tensor *r_ = (expr);                                                                    \
    if (r_)                                                                                    \
      fail_msg("%s:%d: %s returned a tensor, want NULL (status %d, \"%s\")", __FILE__, __LINE__, \
               #expr, (int)tc_last_status(C), tc_last_error(C));                              \
    EXPECT_ERR(fn, torch);                                                                     \
  } while (0)

/* expr returns TC_ERR_ARG, with error `fn: ...torch...` */
#define EXPECT_FAIL(expr, fn, torch)                                                             \
  do {                                                                                         \
    tc_status s_ = (expr);                                                                     \
    if (s_ != TC_ERR_ARG)                                                                      \
      fail_msg("%s:%d: %s returned %d, want TC_ERR_ARG (\"%s\")", __FILE__, __LINE__, #expr,   \
               (int)s_, tc_last_error(C));                                                     \
    EXPECT_ERR(fn, torch);                                                                     \
  } while (0)

/* no error is pending */
#define EXPECT_NO_ERROR()                                                                        \
  do {                                                                                         \
    if (tc_last_status(C) != TC_OK || strcmp(tc_last_error(C), "") != 0)                       \
      fail_msg("%s:%d: unexpected error %d \"%s\"", __FILE__, __LINE__, (int)tc_last_status(C), \
               tc_last_error(C));                                                              \
  } while (0)

static void expect_values(tc_tensor *t, const float *want, int n) {
  float got[64];
  assert_non_null(t);
  assert_int_equal(tc_tensor_numel(t), n);
  assert_int_equal(tc_tensor_dtype(t), TC_F32);
  if (tc_copy_to_host(t, got, sizeof got) != TC_OK) fail_msg("read back: %s", tc_last_error(C));
  for (int i = 0; i < n; i++)
    if (got[i] != want[i]) fail_msg("element %d = %g, want %g", i, got[i], want[i]);
}

/* ---- running a check in a child process --------------------------------- */

typedef int (*isolated_fn)(char *msg, size_t cap);

/* Runs fn in a forked child with a fresh context in C; fails the test with
 * fn's message when it returns nonzero, or with the signal that killed it. */
static void run_isolated(const char *what, isolated_fn fn) {
  int fds[2];
  assert_int_equal(pipe(fds), 0);
  fflush(stdout);
  fflush(stderr);
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    /* cmocka's handlers would resume the test runner in the child */
    static const int sigs[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGSYS, SIGABRT};
    for (int i = 0; i < COUNT(sigs); i++) signal(sigs[i], SIG_DFL);
    close(fds[0]);
    alarm(60);
    char msg[1024] = "";
    int rc = fn(msg, sizeof msg);
    if (rc) {
      ssize_t w = write(fds[1], msg, strlen(msg));
      (void)w;
    }
    close(fds[1]);
    _exit(rc ? 1 : 0);
  }
  close(fds[1]);
  char msg[1024];
  size_t n = 0;
  ssize_t r;
  while (n < sizeof msg - 1 && (r = read(fds[0], msg + n, sizeof msg - 1 - n)) > 0) n += (size_t)r;
  msg[n] = 0;
  close(fds[0]);
  int status = 0;
  assert_int_equal(waitpid(pid, &status, 0), pid);
  if (WIFSIGNALED(status))
    fail_msg("%s: the child process died of signal %d (%s)%s%s", what, WTERMSIG(status),
             strsignal(WTERMSIG(status)), n ? ": " : "", msg);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    fail_msg("%s: %s", what, n ? msg : "the child process failed (a sanitizer report is above)");
}

#define CHECK(cond, ...)                 \
  do {                                   \
    if (!(cond)) {                       \
      snprintf(msg, cap, __VA_ARGS__);   \
      return 1;                          \
    }                                    \
  } while (0)

/* In a child: the context has error `fn: ...torch...` (torch may be NULL). */
#define CHECK_ERR(fn, torch)                                                                   \
  do {                                                                                       \
    const char *e_ = tc_last_error(ctx);                                                     \
    CHECK(tc_last_status(ctx) == TC_ERR_ARG, "status %d, want TC_ERR_ARG (\"%s\")",          \
          (int)tc_last_status(ctx), e_);                                                     \
    CHECK(!strncmp(e_, fn ": ", strlen(fn ": ")), "message \"%s\" does not start with \"%s: \"", \
          e_, fn);                                                                           \
    CHECK(!(torch) || has_text(e_, (torch) ? (torch) : ""), "message \"%s\" lacks \"%s\"", e_, \
          (torch) ? (torch) : "");                                                           \
    tc_clear_error(ctx);                                                                     \
  } while (0)

/* ---- the op tables ------------------------------------------------------ */

typedef tc_tensor *(*unary_fn)(tc_tensor *);
typedef tc_tensor *(*binary_fn)(tc_tensor *, tc_tensor *);

static const struct { const char *name; unary_fn f; } unary_ops[] = {
    {"tc_neg", tc_neg},         {"tc_abs", tc_abs},
    {"tc_sign", tc_sign},       {"tc_exp", tc_exp},
    {"tc_exp2", tc_exp2},       {"tc_log", tc_log},
    {"tc_log2", tc_log2},       {"tc_log1p", tc_log1p},
    {"tc_expm1", tc_expm1},     {"tc_sqrt", tc_sqrt},
    {"tc_rsqrt", tc_rsqrt},     {"tc_sin", tc_sin},
    {"tc_cos", tc_cos},         {"tc_tan", tc_tan},
    {"tc_tanh", tc_tanh},       {"tc_sigmoid", tc_sigmoid},
    {"tc_relu", tc_relu},       {"tc_gelu", tc_gelu},
    {"tc_floor", tc_floor},     {"tc_ceil", tc_ceil},
    {"tc_round", tc_round},     {"tc_trunc", tc_trunc},
    {"tc_reciprocal", tc_reciprocal}, {"tc_square", tc_square},
    {"tc_logical_not", tc_logical_not}, {"tc_bitwise_not", tc_bitwise_not},
    {"tc_isnan", tc_isnan},     {"tc_isinf", tc_isinf},
    {"tc_isfinite", tc_isfinite}, {"tc_max_all", tc_max_all},
    {"tc_min_all", tc_min_all}, {"tc_squeeze_all", tc_squeeze_all},
    {"tc_t", tc_t},             {"tc_contiguous", tc_contiguous},
    {"tc_clone", tc_clone},
};

static const struct { const char *name; binary_fn f; } binary_ops[] = {
    {"tc_add", tc_add},
    {"tc_sub", tc_sub},
    {"tc_mul", tc_mul},
    {"tc_div", tc_div},
    {"tc_floor_divide", tc_floor_divide},
    {"tc_remainder", tc_remainder},
    {"tc_pow", tc_pow},
    {"tc_maximum", tc_maximum},
    {"tc_minimum", tc_minimum},
    {"tc_logical_and", tc_logical_and},
    {"tc_logical_or", tc_logical_or},
    {"tc_logical_xor", tc_logical_xor},
    {"tc_bitwise_and", tc_bitwise_and},
    {"tc_bitwise_or", tc_bitwise_or},
    {"tc_bitwise_xor", tc_bitwise_xor},
    {"tc_bitwise_left_shift", tc_bitwise_left_shift},
    {"tc_bitwise_right_shift", tc_bitwise_right_shift},
    {"tc_eq", tc_eq},
    {"tc_ne", tc_ne},
    {"tc_lt", tc_lt},
    {"tc_le", tc_le},
    {"tc_gt", tc_gt},
    {"tc_ge", tc_ge},
    {"tc_matmul", tc_matmul},
};

/* ---- NULL handles ------------------------------------------------------- */

TEST(releasing_or_retaining_a_null_tensor_does_nothing) {
  tc_tensor_release(NULL);
  assert_null(tc_tensor_retain(NULL));
  assert_null(tc_keep(NULL));
  tc_free_string(NULL);
  EXPECT_NO_ERROR();
  assert_still_works_at(__FILE__, __LINE__);
}

TEST(accessors_of_a_null_tensor_return_neutral_values) {
  int64_t buf[TC_MAX_DIMS] = {0};
  assert_null(tc_tensor_ctx(NULL));
  assert_int_equal(tc_tensor_ndim(NULL), 0);
  assert_int_equal(tc_tensor_size(NULL, 0), -1);
  assert_int_equal(tc_tensor_shape(NULL, buf), 0);
  assert_int_equal(tc_tensor_strides(NULL, buf), 0);
  assert_int_equal(tc_tensor_numel(NULL), 0);
  assert_false(tc_tensor_is_contiguous(NULL));
  assert_int_equal(tc_tensor_storage_offset(NULL), 0);
  (void)tc_tensor_dtype(NULL);
  (void)tc_tensor_device(NULL);
  /* a real tensor's out-of-range dim */
  tc_tensor *a = m23();
  assert_int_equal(tc_tensor_size(a, 2), -1);
  assert_int_equal(tc_tensor_size(a, -3), -1);
  assert_int_equal(tc_tensor_size(a, -1), 3);
  assert_string_equal(tc_dtype_name((tc_dtype)99), "invalid");
  assert_int_equal(tc_dtype_size((tc_dtype)-1), 0);
  EXPECT_NO_ERROR();
}

TEST(context_functions_accept_a_null_context) {
  tc_ctx_free(NULL);
  assert_non_null(tc_last_error(NULL));
  (void)tc_last_status(NULL);
  tc_clear_error(NULL);
  tc_set_eager(NULL, 1);
  tc_set_debug(NULL, 0);
  (void)tc_num_threads(NULL);
  tc_stats st = tc_get_stats(NULL);
  assert_int_equal(st.kernels_launched, 0);
  tc_reset_stats(NULL);
  tc_scope_begin(NULL);
  tc_scope_end(NULL);
  tc_manual_seed(NULL, 7);
  assert_string_equal(tc_last_error(C), "");
  assert_still_works_at(__FILE__, __LINE__);
}

TEST(creation_functions_return_null_for_a_null_context) {
  assert_null(tc_from_data(NULL, f6, TC_F32, 1, s6));
  assert_null(tc_empty(NULL, TC_F32, 1, s3));
  assert_null(tc_zeros(NULL, TC_F32, 1, s3));
  assert_null(tc_ones(NULL, TC_F32, 1, s3));
  assert_null(tc_full(NULL, 2.0, TC_F32, 1, s3));
  assert_null(tc_scalar(NULL, 2.0, TC_F32));
  assert_null(tc_arange(NULL, 0, 3, 1, TC_F32));
  assert_null(tc_arange_int(NULL, 0, 3, 1));
  assert_null(tc_linspace(NULL, 0, 1, 5, TC_F32));
  assert_null(tc_eye(NULL, 3, 3, TC_F32));
  assert_null(tc_rand(NULL, TC_F32, 1, s3));
  assert_null(tc_randn(NULL, TC_F32, 1, s3));
  assert_null(tc_randint(NULL, 0, 5, TC_I64, 1, s3));
  EXPECT_NO_ERROR();
}

TEST(every_unary_op_returns_null_for_a_null_tensor_without_a_message) {
  for (int i = 0; i < COUNT(unary_ops); i++) {
    if (unary_ops[i].f(NULL)) fail_msg("%s(NULL) returned a tensor", unary_ops[i].name);
    EXPECT_NO_ERROR();
  }
  assert_null(tc_to_dtype(NULL, TC_F64));
  assert_null(tc_add_scalar(NULL, 1.0));
  assert_null(tc_mul_scalar(NULL, 1.0));
  assert_null(tc_binary_scalar(TC_OP_ADD, NULL, 1.0, true, false));
  assert_null(tc_clamp_scalar(NULL, 0, 1));
  EXPECT_NO_ERROR();
}

TEST(every_binary_op_returns_null_when_either_operand_is_null_without_a_message) {
  tc_tensor *a = m23();
  for (int i = 0; i < COUNT(binary_ops); i++) {
    if (binary_ops[i].f(NULL, a)) fail_msg("%s(NULL, a) returned a tensor", binary_ops[i].name);
    if (binary_ops[i].f(a, NULL)) fail_msg("%s(a, NULL) returned a tensor", binary_ops[i].name);
    if (binary_ops[i].f(NULL, NULL)) fail_msg("%s(NULL, NULL) returned a tensor", binary_ops[i].name);
    EXPECT_NO_ERROR();
  }
  for (int op = TC_OP_ADD; op <= TC_OP_GE; op++) {
    assert_null(tc_binary((tc_binop)op, a, NULL));
    assert_null(tc_binary((tc_binop)op, NULL, a));
  }
  assert_null(tc_where(NULL, a, a));
  assert_null(tc_where(a, NULL, a));
  assert_null(tc_where(a, a, NULL));
  assert_null(tc_clamp(NULL, a, a));
  assert_null(tc_isclose(a, NULL, 1e-5, 1e-8, false));
  assert_null(tc_isclose(NULL, a, 1e-5, 1e-8, false));
  assert_false(tc_equal(a, NULL));
  assert_false(tc_equal(NULL, a));
  assert_false(tc_allclose(NULL, a, 1e-5, 1e-8, false));
  assert_false(tc_allclose(a, NULL, 1e-5, 1e-8, false));
  EXPECT_NO_ERROR();
}

TEST(reductions_return_null_for_a_null_tensor_without_a_message) {
  int d = 0;
  assert_null(tc_sum(NULL, &d, 1, false));
  assert_null(tc_prod(NULL, NULL, 0, false));
  assert_null(tc_mean(NULL, NULL, 0, false));
  assert_null(tc_amax(NULL, NULL, 0, false));
  assert_null(tc_amin(NULL, NULL, 0, false));
  assert_null(tc_all(NULL, NULL, 0, false));
  assert_null(tc_any(NULL, NULL, 0, false));
  assert_null(tc_var(NULL, NULL, 0, 1.0, false));
  assert_null(tc_std(NULL, NULL, 0, 1.0, false));
  assert_null(tc_logsumexp(NULL, &d, 1, false));
  assert_null(tc_argmax(NULL, false, 0, false));
  assert_null(tc_argmin(NULL, true, 0, false));
  assert_null(tc_softmax(NULL, 0));
  assert_null(tc_log_softmax(NULL, 0));
  tc_tensor *v = m23(), *i = m23();
  assert_int_not_equal(tc_max_dim(NULL, 0, false, &v, &i), TC_OK);
  assert_null(v);
  assert_null(i);
  v = i = m23();
  assert_int_not_equal(tc_min_dim(NULL, 0, false, &v, &i), TC_OK);
  assert_null(v);
  assert_null(i);
  tc_tensor *out[2] = {m23(), m23()};
  assert_int_not_equal(tc_unravel_index(NULL, 2, s23, out), TC_OK);
  EXPECT_NO_ERROR();
}

TEST(movement_ops_return_null_for_a_null_tensor_without_a_message) {
  static const int perm[] = {1, 0};
  assert_null(tc_view(NULL, 1, s6));
  assert_null(tc_reshape(NULL, 1, s6));
  assert_null(tc_permute(NULL, perm));
  assert_null(tc_transpose(NULL, 0, 1));
  assert_null(tc_expand(NULL, 2, s23));
  assert_null(tc_squeeze(NULL, 0));
  assert_null(tc_unsqueeze(NULL, 0));
  assert_null(tc_flatten(NULL, 0, -1));
  assert_null(tc_narrow(NULL, 0, 0, 1));
  assert_null(tc_slice(NULL, 0, 0, 1, 1));
  assert_null(tc_select(NULL, 0, 0));
  EXPECT_NO_ERROR();
}

TEST(in_place_ops_return_an_error_for_a_null_tensor_without_a_message) {
  tc_tensor *a = m23();
  assert_int_not_equal(tc_copy_(NULL, a), TC_OK);
  assert_int_not_equal(tc_copy_(a, NULL), TC_OK);
  assert_int_not_equal(tc_fill_(NULL, 1.0), TC_OK);
  assert_int_not_equal(tc_add_(NULL, a), TC_OK);
  assert_int_not_equal(tc_add_(a, NULL), TC_OK);
  EXPECT_NO_ERROR();
  /* and a is untouched */
  expect_values(a, f6, 6);
}

TEST(read_back_functions_handle_a_null_tensor) {
  float buf[8];
  tc_tensor *a = m23();
  tc_tensor *with_null[] = {a, NULL};
  assert_int_equal(tc_realize(NULL), TC_ERR_ARG);
  assert_int_not_equal(tc_realize_many(NULL, 1), TC_OK);
  assert_int_not_equal(tc_realize_many(with_null, 2), TC_OK);
  assert_int_not_equal(tc_copy_to_host(NULL, buf, sizeof buf), TC_OK);
  assert_true(isnan(tc_item(NULL)));
  assert_int_equal(tc_item_int(NULL), 0);
  assert_null(tc_data_ptr(NULL));
  assert_null(tc_format(NULL));
  EXPECT_NO_ERROR();
  assert_still_works_at(__FILE__, __LINE__);
}

TEST(a_null_operand_propagates_through_a_whole_expression_without_a_message) {
  tc_tensor *a = m23();
  int d = 1;
  tc_tensor *r = tc_sum(tc_softmax(tc_relu(tc_mul(tc_add(a, NULL), a)), 1), &d, 1, false);
  assert_null(r);
  assert_null(tc_format(r));
  assert_true(isnan(tc_item(r)));
  EXPECT_NO_ERROR();
}

/* ---- the sticky error --------------------------------------------------- */

TEST(a_fresh_context_has_no_error) {
  assert_int_equal(tc_last_status(C), TC_OK);
  assert_string_equal(tc_last_error(C), "");
}

TEST(the_first_error_sticks_until_it_is_cleared) {
  tc_tensor *a = m23(), *b = ones(TC_F32, 1, s4);
  assert_null(tc_add(a, b));
  char first[1024];
  snprintf(first, sizeof first, "%s", tc_last_error(C));
  assert_true(strstr(first, "tc_add: ") == first);
  /* a second, different error does not replace it */
  int d = 5;
  assert_null(tc_sum(a, &d, 1, false));
  assert_string_equal(tc_last_error(C), first);
  assert_null(tc_slice(a, 0, 0, 1, 0));
  assert_string_equal(tc_last_error(C), first);
  /* nor does NULL propagation, nor a valid op */
  assert_null(tc_relu(NULL));
  tc_tensor *ok = tc_mul(a, a);
  assert_non_null(ok);
  assert_string_equal(tc_last_error(C), first);
  assert_int_equal(tc_last_status(C), TC_ERR_ARG);
  EXPECT_ERR("tc_add", "The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 1");
  /* now a new error is reported */
  assert_null(tc_sum(a, &d, 1, false));
  EXPECT_ERR("tc_sum", "Dimension out of range (expected to be in range of [-2, 1], but got 5)");
  static const float sq[] = {1, 4, 9, 16, 25, 36};
  expect_values(ok, sq, 6);
}

TEST(an_error_deep_inside_an_expression_is_reported_once_at_the_end) {
  tc_tensor *a = m23(), *b = ones(TC_F32, 1, s4);
  int d = 0;
  tc_tensor *r = tc_logsumexp(tc_exp(tc_sub(tc_mul_scalar(a, 2.0), tc_add(a, b))), &d, 1, false);
  assert_null(r);
  EXPECT_ERR("tc_add", "The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 1");
}

TEST(clear_error_resets_the_message_and_the_status) {
  tc_tensor *a = m23();
  assert_null(tc_view(a, 2, s44));
  assert_int_equal(tc_last_status(C), TC_ERR_ARG);
  assert_true(strlen(tc_last_error(C)) > 0);
  tc_clear_error(C);
  assert_int_equal(tc_last_status(C), TC_OK);
  assert_string_equal(tc_last_error(C), "");
  tc_clear_error(C); /* twice is fine */
  assert_string_equal(tc_last_error(C), "");
  assert_still_works_at(__FILE__, __LINE__);
}

/* ---- broadcasting ------------------------------------------------------- */

TEST(adding_unbroadcastable_shapes_fails_with_pytorchs_message) {
  tc_tensor *a = m23(), *b = ones(TC_F32, 1, s4);
  EXPECT_NULL(tc_add(a, b), "tc_add",
              "The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 1");
  EXPECT_NULL(tc_add(b, a), "tc_add",
              "The size of tensor a (4) must match the size of tensor b (3) at non-singleton dimension 1");
}

TEST(every_binary_op_on_unbroadcastable_shapes_fails_under_its_own_name) {
  tc_tensor *a = tc_from_data(C, (const int32_t[]){1, 2, 3, 4, 5, 6}, TC_I32, 2, s23);
  tc_tensor *b = ones(TC_I32, 1, s4);
  for (int i = 0; i < COUNT(binary_ops); i++) {
    if (!strcmp(binary_ops[i].name, "tc_matmul")) continue;
    EXPECT_NULL(binary_ops[i].f(a, b), binary_ops[i].name,
                "The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 1");
  }
}

TEST(where_with_unbroadcastable_operands_fails) {
  tc_tensor *a = m23(), *c = ones(TC_BOOL, 1, s4);
  EXPECT_NULL(tc_where(c, a, a), "tc_where",
              "The size of tensor a (4) must match the size of tensor b (3) at non-singleton dimension 1");
  EXPECT_NULL(tc_where(ones(TC_BOOL, 2, s23), a, ones(TC_F32, 1, s4)), "tc_where",
              "The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 1");
}

TEST(copying_an_unbroadcastable_source_in_place_fails_and_leaves_the_destination) {
  tc_tensor *a = m23();
  EXPECT_FAIL(tc_copy_(a, ones(TC_F32, 1, s4)), "tc_copy_",
              "The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 1");
  expect_values(a, f6, 6);
}

TEST(adding_in_place_a_source_that_broadcasts_wider_than_the_destination_fails) {
  tc_tensor *a = ones(TC_F32, 1, s3);
  EXPECT_FAIL(tc_add_(a, m23()), "tc_add_", "output with shape [3] doesn't match the broadcast shape [2, 3]");
  static const float one3[] = {1, 1, 1};
  expect_values(a, one3, 3);
}

/* ---- dims --------------------------------------------------------------- */

TEST(reducing_over_an_out_of_range_dim_fails) {
  tc_tensor *a = m23();
  int d2 = 2, dm3 = -3;
  const char *msg2 = "Dimension out of range (expected to be in range of [-2, 1], but got 2)";
  const char *msgm3 = "Dimension out of range (expected to be in range of [-2, 1], but got -3)";
  EXPECT_NULL(tc_sum(a, &d2, 1, false), "tc_sum", msg2);
  EXPECT_NULL(tc_sum(a, &dm3, 1, true), "tc_sum", msgm3);
  EXPECT_NULL(tc_prod(a, &dm3, 1, false), "tc_prod", msgm3);
  EXPECT_NULL(tc_mean(a, &d2, 1, false), "tc_mean", msg2);
  EXPECT_NULL(tc_amax(a, &d2, 1, false), "tc_amax", msg2);
  EXPECT_NULL(tc_amin(a, &d2, 1, false), "tc_amin", msg2);
  EXPECT_NULL(tc_all(a, &d2, 1, false), "tc_all", msg2);
  EXPECT_NULL(tc_any(a, &d2, 1, false), "tc_any", msg2);
  EXPECT_NULL(tc_var(a, &d2, 1, 1.0, false), "tc_var", msg2);
  EXPECT_NULL(tc_argmax(a, true, 2, false), "tc_argmax", msg2);
  EXPECT_NULL(tc_argmin(a, true, -3, false), "tc_argmin", msgm3);
  int d1 = 1;
  EXPECT_NULL(tc_sum(tc_scalar(C, 1, TC_F32), &d1, 1, false), "tc_sum",
              "Dimension out of range (expected to be in range of [-1, 0], but got 1)");
}

TEST(reducing_over_a_repeated_dim_fails) {
  tc_tensor *a = m23();
  int dup[] = {1, 1}, dupneg[] = {1, -1}, dup0[] = {0, 0};
  EXPECT_NULL(tc_sum(a, dup, 2, false), "tc_sum", "dim 1 appears multiple times in the list of dims");
  EXPECT_NULL(tc_sum(a, dupneg, 2, false), "tc_sum", "dim 1 appears multiple times in the list of dims");
  EXPECT_NULL(tc_amax(a, dup0, 2, false), "tc_amax", "dim 0 appears multiple times in the list of dims");
  EXPECT_NULL(tc_mean(a, dupneg, 2, true), "tc_mean", "dim 1 appears multiple times in the list of dims");
}

TEST(a_negative_number_of_reduction_dims_is_rejected) {
  tc_tensor *a = m23();
  int d = 0;
  EXPECT_NULL(tc_sum(a, &d, -1, false), "tc_sum", NULL);
}

/* The message names the function called, whichever op inside it failed. */
TEST(softmax_and_logsumexp_over_an_out_of_range_dim_fail_under_their_own_names) {
  tc_tensor *a = m23();
  EXPECT_NULL(tc_softmax(a, 2), "tc_softmax", "Dimension out of range (expected to be in range of [-2, 1], but got 2)");
  EXPECT_NULL(tc_log_softmax(a, -3), "tc_log_softmax",
              "Dimension out of range (expected to be in range of [-2, 1], but got -3)");
  int d = 2;
  EXPECT_NULL(tc_logsumexp(a, &d, 1, false), "tc_logsumexp",
              "Dimension out of range (expected to be in range of [-2, 1], but got 2)");
  EXPECT_NULL(tc_std(a, &d, 1, 1.0, false), "tc_std", "Dimension out of range (expected to be in range of [-2, 1], but got 2)");
}

TEST(max_dim_and_min_dim_with_an_out_of_range_dim_fail_and_return_no_tensors) {
  tc_tensor *a = m23();
  tc_tensor *v = a, *i = a;
  EXPECT_FAIL(tc_max_dim(a, 2, false, &v, &i), "tc_max_dim",
              "Dimension out of range (expected to be in range of [-2, 1], but got 2)");
  assert_null(v);
  assert_null(i);
  v = i = a;
  EXPECT_FAIL(tc_min_dim(a, -3, true, &v, &i), "tc_min_dim",
              "Dimension out of range (expected to be in range of [-2, 1], but got -3)");
  assert_null(v);
  assert_null(i);
}

TEST(movement_ops_with_an_out_of_range_dim_fail) {
  tc_tensor *a = m23();
  const char *msg2 = "Dimension out of range (expected to be in range of [-2, 1], but got 2)";
  EXPECT_NULL(tc_transpose(a, 0, 2), "tc_transpose", msg2);
  EXPECT_NULL(tc_transpose(a, -3, 0), "tc_transpose",
              "Dimension out of range (expected to be in range of [-2, 1], but got -3)");
  EXPECT_NULL(tc_squeeze(a, 2), "tc_squeeze", msg2);
  EXPECT_NULL(tc_unsqueeze(a, 3), "tc_unsqueeze", "Dimension out of range (expected to be in range of [-3, 2], but got 3)");
  EXPECT_NULL(tc_unsqueeze(a, -4), "tc_unsqueeze",
              "Dimension out of range (expected to be in range of [-3, 2], but got -4)");
  EXPECT_NULL(tc_select(a, 2, 0), "tc_select", msg2);
  EXPECT_NULL(tc_slice(a, 2, 0, 1, 1), "tc_slice", msg2);
  EXPECT_NULL(tc_narrow(a, 2, 0, 1), "tc_narrow", msg2);
  EXPECT_NULL(tc_flatten(a, 0, 2), "tc_flatten", msg2);
  static const int perm[] = {0, 2};
  EXPECT_NULL(tc_permute(a, perm), "tc_permute", msg2);
}

TEST(flatten_with_start_after_end_fails) {
  tc_tensor *a = ones(TC_F32, 3, (const int64_t[]){2, 3, 4});
  EXPECT_NULL(tc_flatten(a, 2, 1), "tc_flatten", "flatten() has invalid args: start_dim cannot come after end_dim");
}

TEST(t_of_a_3d_tensor_fails) {
  tc_tensor *a = ones(TC_F32, 3, (const int64_t[]){2, 3, 4});
  EXPECT_NULL(tc_t(a), "tc_t", "t() expects a tensor with <= 2 dimensions, but self is 3D");
}

/* ---- reshape and view --------------------------------------------------- */

TEST(viewing_as_a_wrong_number_of_elements_fails) {
  tc_tensor *a = m23();
  EXPECT_NULL(tc_view(a, 2, s44), "tc_view", "shape '[4, 4]' is invalid for input of size 6");
  EXPECT_NULL(tc_view(a, 1, s4), "tc_view", "shape '[4]' is invalid for input of size 6");
  EXPECT_NULL(tc_view(a, 2, (const int64_t[]){0, -1}), "tc_view", "shape '[0, -1]' is invalid for input of size 6");
  EXPECT_NULL(tc_view(a, 2, (const int64_t[]){4, -1}), "tc_view", "shape '[4, -1]' is invalid for input of size 6");
}

TEST(reshaping_to_a_wrong_number_of_elements_fails) {
  tc_tensor *a = m23();
  EXPECT_NULL(tc_reshape(a, 2, s44), "tc_reshape", "shape '[4, 4]' is invalid for input of size 6");
  EXPECT_NULL(tc_reshape(tc_t(a), 2, s44), "tc_reshape", "shape '[4, 4]' is invalid for input of size 6");
  EXPECT_NULL(tc_reshape(a, 0, NULL), "tc_reshape", "shape '[]' is invalid for input of size 6");
}

TEST(viewing_with_two_inferred_dims_or_a_negative_size_fails) {
  tc_tensor *a = m23();
  EXPECT_NULL(tc_view(a, 2, (const int64_t[]){-1, -1}), "tc_view", "only one dimension can be inferred");
  EXPECT_NULL(tc_reshape(a, 2, (const int64_t[]){-2, 3}), "tc_reshape", "invalid shape dimension -2");
}

TEST(viewing_a_transposed_tensor_fails_with_pytorchs_stride_message) {
  tc_tensor *at = tc_t(m23());
  assert_non_null(at);
  EXPECT_NULL(tc_view(at, 1, s6), "tc_view",
              "view size is not compatible with input tensor's size and stride (at least one dimension "
              "spans across two contiguous subspaces). Use .reshape(...) instead.");
  /* reshape copies instead */
  static const float want[] = {1, 4, 2, 5, 3, 6};
  expect_values(tc_reshape(at, 1, s6), want, 6);
  /* a view that keeps the transposed layout is fine */
  tc_tensor *v = tc_view(at, 3, (const int64_t[]){3, 1, 2});
  assert_non_null(v);
  EXPECT_NO_ERROR();
  expect_values(v, want, 6);
}

/* ---- sizes in creation functions ---------------------------------------- */

TEST(creation_sizes_whose_element_count_overflows_int64_fail) {
  static const int64_t huge[] = {INT64_C(1) << 62, 4};
  const char *want = "Storage size calculation overflowed with sizes=[4611686018427387904, 4]";
  EXPECT_NULL(tc_full(C, 1.0, TC_F32, 2, huge), "tc_full", want);
  EXPECT_NULL(tc_rand(C, TC_F32, 2, huge), "tc_rand", want);
  EXPECT_NULL(tc_randn(C, TC_F32, 2, huge), "tc_randn", want);
  EXPECT_NULL(tc_randint(C, 0, 5, TC_I64, 2, huge), "tc_randint", want);
  EXPECT_NULL(tc_from_data(C, f6, TC_F32, 2, huge), "tc_from_data", want);
  static const int64_t three[] = {INT64_C(1) << 31, INT64_C(1) << 31, 4};
  EXPECT_NULL(tc_full(C, 0.0, TC_F64, 3, three), "tc_full",
              "Storage size calculation overflowed with sizes=[2147483648, 2147483648, 4]");
}

static int eye_overflow(char *msg, size_t cap) {
  tc_ctx *ctx = tc_ctx_new(NULL);
  CHECK(ctx, "tc_ctx_new failed");
  tc_tensor *e = tc_eye(ctx, INT64_C(1) << 32, INT64_C(1) << 32, TC_F32);
  CHECK(!e, "tc_eye(2^32, 2^32) returned a tensor (status %d, \"%s\")", (int)tc_last_status(ctx),
        tc_last_error(ctx));
  CHECK_ERR("tc_eye", NULL);
  tc_ctx_free(ctx);
  return 0;
}

TEST(eye_whose_element_count_overflows_int64_fails) {
  run_isolated("tc_eye(2^32, 2^32)", eye_overflow);
}

static int expand_overflow(char *msg, size_t cap) {
  tc_ctx *ctx = tc_ctx_new(NULL);
  CHECK(ctx, "tc_ctx_new failed");
  static const int64_t huge[] = {INT64_C(1) << 40, INT64_C(1) << 40};
  tc_tensor *e = tc_expand(tc_scalar(ctx, 1, TC_F32), 2, huge);
  CHECK(!e, "expanding to [2^40, 2^40] returned a tensor (status %d, \"%s\")", (int)tc_last_status(ctx),
        tc_last_error(ctx));
  CHECK_ERR("tc_expand", NULL);
  tc_ctx_free(ctx);
  return 0;
}

TEST(expanding_to_a_size_whose_element_count_overflows_int64_fails) {
  run_isolated("tc_expand to [2^40, 2^40]", expand_overflow);
}

TEST(linspace_with_more_steps_than_can_be_stored_fails) {
  /* 2^62 float32 elements need 2^64 bytes */
  EXPECT_NULL(tc_linspace(C, 0, 1, INT64_C(1) << 62, TC_F32), "tc_linspace",
              "Storage size calculation overflowed with sizes=[4611686018427387904]");
}

TEST(negative_sizes_fail_in_every_creation_function) {
  static const int64_t neg[] = {2, -3};
  const char *want = "Trying to create tensor with negative dimension -3: [2, -3]";
  EXPECT_NULL(tc_full(C, 2.0, TC_F32, 2, neg), "tc_full", want);
  EXPECT_NULL(tc_rand(C, TC_F32, 2, neg), "tc_rand", want);
  EXPECT_NULL(tc_randn(C, TC_F32, 2, neg), "tc_randn", want);
  EXPECT_NULL(tc_randint(C, 0, 3, TC_I64, 2, neg), "tc_randint", want);
  EXPECT_NULL(tc_from_data(C, f6, TC_F32, 2, neg), "tc_from_data", want);
  EXPECT_NULL(tc_eye(C, -1, 3, TC_F32), "tc_eye", "n must be greater or equal to 0, got -1");
  EXPECT_NULL(tc_linspace(C, 0, 1, -1, TC_F32), "tc_linspace", "number of steps must be non-negative");
}

TEST(more_than_max_dims_fail_in_creation_functions) {
  int64_t nine[TC_MAX_DIMS + 1]; /* one too many dims: 1, ..., 1, 2, 3 */
  for (int d = 0; d < TC_MAX_DIMS + 1; d++) nine[d] = d == TC_MAX_DIMS - 1 ? 2 : d == TC_MAX_DIMS ? 3 : 1;
  EXPECT_NULL(tc_full(C, 1, TC_F32, TC_MAX_DIMS + 1, nine), "tc_full", NULL);
  EXPECT_NULL(tc_rand(C, TC_F32, TC_MAX_DIMS + 1, nine), "tc_rand", NULL);
  EXPECT_NULL(tc_randint(C, 0, 3, TC_I32, TC_MAX_DIMS + 1, nine), "tc_randint", NULL);
  EXPECT_NULL(tc_from_data(C, f6, TC_F32, TC_MAX_DIMS + 1, nine), "tc_from_data", NULL);
  EXPECT_NULL(tc_full(C, 1, TC_F32, -1, nine), "tc_full", NULL);
  /* exactly TC_MAX_DIMS is fine */
  tc_tensor *t = tc_from_data(C, f6, TC_F32, TC_MAX_DIMS, nine + 1);
  assert_non_null(t);
  assert_int_equal(tc_tensor_ndim(t), TC_MAX_DIMS);
  expect_values(t, f6, 6);
}

TEST(more_than_max_dims_fail_in_view_reshape_expand_and_unsqueeze) {
  int64_t nine[TC_MAX_DIMS + 1]; /* one too many dims: 1, ..., 1, 2, 3 */
  for (int d = 0; d < TC_MAX_DIMS + 1; d++) nine[d] = d == TC_MAX_DIMS - 1 ? 2 : d == TC_MAX_DIMS ? 3 : 1;
  tc_tensor *a = m23();
  EXPECT_NULL(tc_view(a, TC_MAX_DIMS + 1, nine), "tc_view", NULL);
  EXPECT_NULL(tc_reshape(a, TC_MAX_DIMS + 1, nine), "tc_reshape", NULL);
  EXPECT_NULL(tc_expand(a, TC_MAX_DIMS + 1, nine), "tc_expand", NULL);
  EXPECT_NULL(tc_view(a, -1, nine), "tc_view", NULL);
  tc_tensor *t8 = tc_view(a, TC_MAX_DIMS, nine + 1);
  assert_non_null(t8);
  EXPECT_NULL(tc_unsqueeze(t8, 0), "tc_unsqueeze", NULL);
}

TEST(a_null_shape_or_null_data_is_rejected) {
  tc_tensor *a = m23();
  EXPECT_NULL(tc_full(C, 0, TC_F32, 2, NULL), "tc_full", NULL);
  EXPECT_NULL(tc_from_data(C, f6, TC_F32, 2, NULL), "tc_from_data", NULL);
  EXPECT_NULL(tc_from_data(C, NULL, TC_F32, 2, s23), "tc_from_data", NULL);
  EXPECT_NULL(tc_view(a, 2, NULL), "tc_view", NULL);
  EXPECT_NULL(tc_reshape(a, 2, NULL), "tc_reshape", NULL);
  EXPECT_NULL(tc_expand(a, 2, NULL), "tc_expand", NULL);
  EXPECT_NULL(tc_permute(a, NULL), "tc_permute", NULL);
  /* NULL data is fine for no elements */
  tc_tensor *e = tc_from_data(C, NULL, TC_F32, 1, (const int64_t[]){0});
  assert_non_null(e);
  EXPECT_NO_ERROR();
}

TEST(invalid_dtype_values_are_rejected) {
  tc_tensor *a = m23();
  EXPECT_NULL(tc_full(C, 1.0, (tc_dtype)-1, 1, s3), "tc_full", NULL);
  EXPECT_NULL(tc_from_data(C, f6, TC_NUM_DTYPES, 1, s3), "tc_from_data", NULL);
  EXPECT_NULL(tc_arange(C, 0, 3, 1, (tc_dtype)99), "tc_arange", NULL);
  EXPECT_NULL(tc_linspace(C, 0, 3, 4, (tc_dtype)99), "tc_linspace", NULL);
  EXPECT_NULL(tc_eye(C, 3, 3, (tc_dtype)99), "tc_eye", NULL);
  EXPECT_NULL(tc_rand(C, (tc_dtype)99, 1, s3), "tc_rand", NULL);
  EXPECT_NULL(tc_randint(C, 0, 3, (tc_dtype)99, 1, s3), "tc_randint", NULL);
  EXPECT_NULL(tc_to_dtype(a, (tc_dtype)99), "tc_to_dtype", NULL);
}

TEST(argmax_and_argmin_refuse_bool_input_as_pytorch_does) {
  tc_tensor *b = tc_ones(C, TC_BOOL, 1, s3);
  EXPECT_NULL(tc_argmax(b, false, 0, false), "tc_argmax", "argmax(): does not support bool input");
  EXPECT_NULL(tc_argmin(b, true, 0, false), "tc_argmin", "argmin(): does not support bool input");
}

TEST(an_invalid_binop_code_is_rejected_with_a_message) {
  tc_tensor *a = m23();
  EXPECT_NULL(tc_binary((tc_binop)99, a, a), "tc_binary", NULL);
  EXPECT_NULL(tc_binary_scalar((tc_binop)-1, a, 1.0, true, false), "tc_binary_scalar", NULL);
}

/* ---- dtypes an op does not take ---------------------------------------- */

TEST(bitwise_ops_on_floats_fail) {
  tc_tensor *f = m23(), *d = ones(TC_F64, 1, s3), *h = ones(TC_F16, 1, s3);
  EXPECT_NULL(tc_bitwise_and(f, f), "tc_bitwise_and", "\"bitwise_and_cpu\" not implemented for 'Float'");
  EXPECT_NULL(tc_bitwise_or(d, d), "tc_bitwise_or", "\"bitwise_or_cpu\" not implemented for 'Double'");
  EXPECT_NULL(tc_bitwise_xor(h, h), "tc_bitwise_xor", "\"bitwise_xor_cpu\" not implemented for 'Half'");
  EXPECT_NULL(tc_bitwise_left_shift(f, f), "tc_bitwise_left_shift", "\"lshift_cpu\" not implemented for 'Float'");
  EXPECT_NULL(tc_bitwise_right_shift(f, f), "tc_bitwise_right_shift", "\"rshift_cpu\" not implemented for 'Float'");
  EXPECT_NULL(tc_bitwise_not(f), "tc_bitwise_not", "\"bitwise_not_cpu\" not implemented for 'Float'");
  /* an int tensor and a float tensor promote to float */
  EXPECT_NULL(tc_bitwise_and(ones(TC_I32, 1, s3), d), "tc_bitwise_and", "\"bitwise_and_cpu\" not implemented for 'Double'");
  /* and so does a float scalar */
  EXPECT_NULL(tc_binary_scalar(TC_OP_BITWISE_XOR, f, 1, false, false), "tc_bitwise_xor",
              "\"bitwise_xor_cpu\" not implemented for 'Float'");
  EXPECT_NULL(tc_binary_scalar(TC_OP_RSHIFT, f, 1, false, false), "tc_bitwise_right_shift",
              "\"rshift_cpu\" not implemented for 'Float'");
}

TEST(shifting_bools_fails) {
  tc_tensor *b = ones(TC_BOOL, 1, s3);
  EXPECT_NULL(tc_bitwise_left_shift(b, b), "tc_bitwise_left_shift", "\"lshift_cpu\" not implemented for 'Bool'");
  EXPECT_NULL(tc_bitwise_right_shift(b, b), "tc_bitwise_right_shift", "\"rshift_cpu\" not implemented for 'Bool'");
}

TEST(subtracting_bools_fails) {
  tc_tensor *b = ones(TC_BOOL, 1, s3);
  EXPECT_NULL(tc_sub(b, b), "tc_sub",
              "Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or "
              "`logical_xor()` operator instead.");
}

TEST(negating_a_bool_tensor_fails) {
  tc_tensor *b = ones(TC_BOOL, 1, s3);
  EXPECT_NULL(tc_neg(b), "tc_neg",
              "Negation, the `-` operator, on a bool tensor is not supported. If you are trying to "
              "invert a mask, use the `~` or `logical_not()` operator instead.");
}

TEST(the_mean_of_integers_fails) {
  const char *head = "mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: ";
  char want[256];
  snprintf(want, sizeof want, "%sLong", head);
  EXPECT_NULL(tc_mean(tc_arange_int(C, 0, 6, 1), NULL, 0, false), "tc_mean", want);
  snprintf(want, sizeof want, "%sInt", head);
  int d = 0;
  EXPECT_NULL(tc_mean(ones(TC_I32, 1, s3), &d, 1, true), "tc_mean", want);
  snprintf(want, sizeof want, "%sBool", head);
  EXPECT_NULL(tc_mean(ones(TC_BOOL, 1, s3), NULL, 0, false), "tc_mean", want);
  snprintf(want, sizeof want, "%sByte", head);
  EXPECT_NULL(tc_mean(ones(TC_U8, 1, s3), NULL, 0, false), "tc_mean", want);
}

TEST(var_of_integers_fails) {
  EXPECT_NULL(tc_var(tc_arange_int(C, 0, 6, 1), NULL, 0, 1.0, false), "tc_var",
              "std and var only support floating point and complex dtypes");
}

TEST(rand_and_randn_of_non_float_dtypes_fail) {
  EXPECT_NULL(tc_rand(C, TC_I32, 1, s3), "tc_rand", "\"check_uniform_bounds\" not implemented for 'Int'");
  EXPECT_NULL(tc_rand(C, TC_BOOL, 1, s3), "tc_rand", "\"check_uniform_bounds\" not implemented for 'Bool'");
  EXPECT_NULL(tc_randn(C, TC_I64, 1, s3), "tc_randn", "\"normal_kernel_cpu\" not implemented for 'Long'");
}

TEST(isclose_of_different_dtypes_fails) {
  EXPECT_NULL(tc_isclose(m23(), ones(TC_F64, 2, s23), 1e-5, 1e-8, false), "tc_isclose", "Float did not match Double");
  EXPECT_NULL(tc_isclose(m23(), m23(), -1.0, 1e-8, false), "tc_isclose", NULL);
}

/* ---- slicing and indexing ----------------------------------------------- */

TEST(slicing_with_step_zero_fails) {
  EXPECT_NULL(tc_slice(m23(), 1, 0, 3, 0), "tc_slice", "slice step must be positive");
}

TEST(slicing_with_a_negative_step_fails) {
  EXPECT_NULL(tc_slice(m23(), 1, 2, 0, -1), "tc_slice", "slice step must be positive");
  EXPECT_NULL(tc_slice(m23(), 0, 0, TC_SLICE_END, INT64_MIN), "tc_slice", "slice step must be positive");
}

TEST(slicing_a_0d_tensor_fails) {
  EXPECT_NULL(tc_slice(tc_scalar(C, 1, TC_F32), 0, 0, 1, 1), "tc_slice", "slice() cannot be applied to a 0-dim tensor.");
}

static int slice_huge_step(char *msg, size_t cap) {
  tc_ctx *ctx = tc_ctx_new(NULL);
  CHECK(ctx, "tc_ctx_new failed");
  tc_tensor *a = tc_arange_int(ctx, 0, 3, 1);
  /* a[0::2^63-1] and a[1::2^62]: one element each (Python's rules) */
  tc_tensor *r = tc_slice(a, 0, 0, TC_SLICE_END, INT64_MAX);
  if (r) {
    CHECK(tc_tensor_numel(r) == 1, "a[0::2^63-1] has %lld elements", (long long)tc_tensor_numel(r));
    CHECK(tc_item_int(r) == 0, "a[0::2^63-1] = [%lld]", (long long)tc_item_int(r));
  } else {
    CHECK(tc_last_status(ctx) == TC_ERR_ARG && *tc_last_error(ctx), "NULL without a message");
    tc_clear_error(ctx);
  }
  r = tc_slice(a, 0, 1, TC_SLICE_END, INT64_C(1) << 62);
  CHECK(r, "a[1::2^62]: %s", tc_last_error(ctx));
  CHECK(tc_tensor_numel(r) == 1 && tc_item_int(r) == 1, "a[1::2^62] is not [1]");
  r = tc_slice(a, 0, -INT64_MAX, INT64_MAX - 1, INT64_MAX - 2);
  CHECK(r, "a[-(2^63-1):2^63-2:2^63-3]: %s", tc_last_error(ctx));
  CHECK(tc_tensor_numel(r) == 1 && tc_item_int(r) == 0, "a[-(2^63-1):2^63-2:2^63-3] is not [0]");
  tc_ctx_free(ctx);
  return 0;
}

TEST(slicing_with_a_huge_step_takes_one_element_without_overflow) {
  run_isolated("slices with steps near INT64_MAX", slice_huge_step);
}

TEST(selecting_an_index_out_of_range_fails) {
  tc_tensor *a = m23();
  EXPECT_NULL(tc_select(a, 0, 2), "tc_select", "index 2 is out of bounds for dimension 0 with size 2");
  EXPECT_NULL(tc_select(a, 1, -4), "tc_select", "index -4 is out of bounds for dimension 1 with size 3");
  EXPECT_NULL(tc_select(a, 0, INT64_MIN), "tc_select", NULL);
  /* the edges are fine */
  static const float last[] = {4, 5, 6}, first_col[] = {1, 4};
  expect_values(tc_select(a, 0, -1), last, 3);
  expect_values(tc_select(a, 1, -3), first_col, 2);
}

TEST(selecting_from_a_0d_tensor_fails) {
  tc_tensor *r = tc_select(tc_scalar(C, 1, TC_F32), 0, 0);
  assert_null(r);
  expect_error_at(__FILE__, __LINE__, TC_ERR_ARG, "tc_select", "select() cannot be applied to a 0-dim tensor.",
                  "invalid index of a 0-dim tensor");
}

TEST(narrowing_out_of_range_fails) {
  tc_tensor *a = ones(TC_F32, 1, s3);
  EXPECT_NULL(tc_narrow(a, 0, 4, 1), "tc_narrow", "start out of range (expected to be in range of [-3, 3], but got 4)");
  EXPECT_NULL(tc_narrow(a, 0, 1, 3), "tc_narrow", "start (1) + length (3) exceeds dimension size (3).");
}

TEST(narrowing_with_a_negative_length_fails) {
  EXPECT_NULL(tc_narrow(ones(TC_F32, 1, s3), 0, 1, -1), "tc_narrow", "narrow(): length must be non-negative.");
}

TEST(narrowing_a_0d_tensor_fails) {
  EXPECT_NULL(tc_narrow(tc_scalar(C, 1, TC_F32), 0, 0, 1), "tc_narrow", "narrow() cannot be applied to a 0-dim tensor.");
}

static int narrow_huge_length(char *msg, size_t cap) {
  tc_ctx *ctx = tc_ctx_new(NULL);
  CHECK(ctx, "tc_ctx_new failed");
  tc_tensor *a = tc_ones(ctx, TC_F32, 1, s3);
  tc_tensor *r = tc_narrow(a, 0, 1, INT64_MAX);
  CHECK(!r, "narrow(0, 1, 2^63-1) returned a tensor");
  CHECK_ERR("tc_narrow", "start (1) + length (9223372036854775807) exceeds dimension size (3).");
  tc_ctx_free(ctx);
  return 0;
}

TEST(narrowing_with_a_length_near_int64_max_fails_without_overflow) {
  run_isolated("tc_narrow(a, 0, 1, INT64_MAX)", narrow_huge_length);
}

/* ---- read-back ---------------------------------------------------------- */

TEST(item_of_a_multi_element_tensor_fails) {
  tc_tensor *a = m23();
  assert_true(isnan(tc_item(a)));
  EXPECT_ERR("tc_item", "a Tensor with 6 elements cannot be converted to Scalar");
  assert_int_equal(tc_item_int(tc_arange_int(C, 0, 6, 1)), 0);
  EXPECT_ERR("tc_item_int", "a Tensor with 6 elements cannot be converted to Scalar");
  assert_true(isnan(tc_item(tc_zeros(C, TC_F32, 1, (const int64_t[]){0}))));
  EXPECT_ERR("tc_item", "a Tensor with 0 elements cannot be converted to Scalar");
  /* one element of any rank is fine */
  assert_true(tc_item(tc_view(tc_select(tc_select(a, 0, 1), 0, 2), 3, (const int64_t[]){1, 1, 1})) == 6.0);
  EXPECT_NO_ERROR();
}

TEST(copying_to_host_into_a_too_small_or_null_buffer_fails) {
  float buf[6] = {0};
  tc_tensor *a = m23();
  EXPECT_FAIL(tc_copy_to_host(a, buf, sizeof buf - 1), "tc_copy_to_host", NULL);
  EXPECT_FAIL(tc_copy_to_host(a, buf, 0), "tc_copy_to_host", NULL);
  EXPECT_FAIL(tc_copy_to_host(a, NULL, sizeof buf), "tc_copy_to_host", NULL);
  for (int i = 0; i < 6; i++) assert_true(buf[i] == 0); /* nothing written */
  assert_int_equal(tc_copy_to_host(a, buf, sizeof buf), TC_OK);
  for (int i = 0; i < 6; i++) assert_true(buf[i] == f6[i]);
}

TEST(empty_tensors_realize_and_read_back_without_an_error) {
  static const int64_t s0[] = {0}, s03[] = {0, 3};
  tc_tensor *z = tc_zeros(C, TC_F32, 1, s0);
  assert_int_equal(tc_realize(z), TC_OK);
  EXPECT_NO_ERROR();
  assert_int_equal(tc_copy_to_host(z, NULL, 0), TC_OK);
  EXPECT_NO_ERROR();
  char *s = tc_format(tc_add_scalar(z, 1.0));
  if (!s) fail_msg("tc_format of an empty tensor: %s", tc_last_error(C));
  assert_string_equal(s, "tensor([])");
  tc_free_string(s);
  tc_tensor *e = tc_exp(tc_ones(C, TC_F32, 2, s03));
  assert_int_equal(tc_copy_to_host(e, NULL, 0), TC_OK);
  int d = 0;
  double v = tc_item(tc_sum(tc_zeros(C, TC_F32, 1, s0), &d, 1, false));
  EXPECT_NO_ERROR();
  assert_true(v == 0.0);
}

/* ---- matmul ------------------------------------------------------------- */

TEST(matmul_of_mismatched_matrices_fails) {
  EXPECT_NULL(tc_matmul(m23(), ones(TC_F32, 2, s24)), "tc_matmul", "mat1 and mat2 shapes cannot be multiplied (2x3 and 2x4)");
  EXPECT_NULL(tc_matmul(ones(TC_F32, 1, s4), ones(TC_F32, 2, s32)), "tc_matmul",
              "mat1 and mat2 shapes cannot be multiplied (1x4 and 3x2)");
  /* the right product works */
  static const float want[] = {14, 32, 32, 77};
  expect_values(tc_matmul(m23(), tc_t(m23())), want, 4);
}

TEST(matmul_of_mismatched_vectors_fails) {
  EXPECT_NULL(tc_matmul(ones(TC_F32, 1, s4), ones(TC_F32, 1, s3)), "tc_matmul",
              "inconsistent tensor size, expected tensor [4] and src [3] to have the same number of elements, "
              "but got 4 and 3 elements respectively");
}

TEST(matmul_of_a_matrix_and_a_mismatched_vector_fails) {
  EXPECT_NULL(tc_matmul(ones(TC_F32, 2, s24), ones(TC_F32, 1, s3)), "tc_matmul",
              "size mismatch, got input (2), mat (2x4), vec (3)");
}

TEST(matmul_of_mismatched_batches_fails) {
  static const int64_t a223[] = {2, 2, 3}, b245[] = {2, 4, 5};
  EXPECT_NULL(tc_matmul(ones(TC_F32, 3, a223), ones(TC_F32, 3, b245)), "tc_matmul",
              "Expected size for first two dimensions of batch2 tensor to be: [2, 3] but got: [2, 4].");
}

TEST(matmul_of_a_0d_tensor_or_of_different_dtypes_fails) {
  EXPECT_NULL(tc_matmul(tc_scalar(C, 1, TC_F32), ones(TC_F32, 1, s3)), "tc_matmul",
              "both arguments to matmul need to be at least 1D, but they are 0D and 1D");
  EXPECT_NULL(tc_matmul(m23(), ones(TC_F64, 2, s32)), "tc_matmul",
              "expected m1 and m2 to have the same dtype, but got: float != double");
}

/* ---- arange, linspace, randint ------------------------------------------ */

TEST(arange_with_a_zero_step_fails) {
  EXPECT_NULL(tc_arange(C, 0, 10, 0, TC_F32), "tc_arange", "step must be nonzero");
  EXPECT_NULL(tc_arange(C, 0, 10, 0, TC_I64), "tc_arange", "step must be nonzero");
}

TEST(arange_whose_step_sign_disagrees_with_the_bounds_fails) {
  EXPECT_NULL(tc_arange(C, 0, 10, -1, TC_F32), "tc_arange", "upper bound and lower bound inconsistent with step sign");
  EXPECT_NULL(tc_arange(C, 10, 0, 1, TC_I64), "tc_arange", "upper bound and lower bound inconsistent with step sign");
}

TEST(arange_with_a_non_finite_bound_or_step_fails) {
  EXPECT_NULL(tc_arange(C, 0, INFINITY, 1, TC_F32), "tc_arange", "unsupported range: 0 -> inf");
  EXPECT_NULL(tc_arange(C, 0, NAN, 1, TC_F32), "tc_arange", "unsupported range: 0 -> nan");
  EXPECT_NULL(tc_arange(C, 0, 10, NAN, TC_F32), "tc_arange", "step must be finite but got nan");
  EXPECT_NULL(tc_arange(C, 0, 10, INFINITY, TC_F64), "tc_arange", "step must be finite but got inf");
}

TEST(randint_with_high_not_above_low_fails) {
  EXPECT_NULL(tc_randint(C, 5, 5, TC_I64, 1, s3), "tc_randint",
              "random_ expects 'from' to be less than 'to', but got from=5 >= to=5");
  EXPECT_NULL(tc_randint(C, 3, 2, TC_I32, 1, s3), "tc_randint",
              "random_ expects 'from' to be less than 'to', but got from=3 >= to=2");
}

/* ---- permute and expand ------------------------------------------------- */

TEST(permuting_with_a_repeated_dim_fails) {
  tc_tensor *a = m23();
  EXPECT_NULL(tc_permute(a, (const int[]){0, 0}), "tc_permute", "permute(): duplicate dims are not allowed.");
  EXPECT_NULL(tc_permute(a, (const int[]){1, -1}), "tc_permute", "permute(): duplicate dims are not allowed.");
}

TEST(expanding_to_an_incompatible_size_fails) {
  tc_tensor *a = m23();
  EXPECT_NULL(tc_expand(a, 2, (const int64_t[]){3, 3}), "tc_expand",
              "The expanded size of the tensor (3) must match the existing size (2) at non-singleton "
              "dimension 0.  Target sizes: [3, 3].  Tensor sizes: [2, 3]");
  EXPECT_NULL(tc_expand(a, 1, s3), "tc_expand",
              "the number of sizes provided (1) must be greater or equal to the number of dimensions in the tensor (2)");
  EXPECT_NULL(tc_expand(a, 3, (const int64_t[]){-1, 2, 3}), "tc_expand",
              "The expanded size of the tensor (-1) isn't allowed in a leading, non-existing dimension 0");
  /* a valid expand */
  tc_tensor *e = tc_expand(tc_view(a, 3, (const int64_t[]){2, 1, 3}), 3, (const int64_t[]){-1, 2, 3});
  static const float want[] = {1, 2, 3, 1, 2, 3, 4, 5, 6, 4, 5, 6};
  expect_values(e, want, 12);
}

/* ---- in-place ----------------------------------------------------------- */

TEST(adding_a_float_tensor_into_an_int_tensor_in_place_fails) {
  tc_tensor *i = tc_arange_int(C, 0, 3, 1);
  EXPECT_FAIL(tc_add_(i, ones(TC_F32, 1, s3)), "tc_add_", "result type Float can't be cast to the desired output type Long");
  EXPECT_FAIL(tc_add_(ones(TC_BOOL, 1, s3), i), "tc_add_", "result type Long can't be cast to the desired output type Bool");
  /* nothing was written */
  int64_t got[3];
  assert_int_equal(tc_copy_to_host(i, got, sizeof got), TC_OK);
  for (int k = 0; k < 3; k++) assert_int_equal(got[k], k);
  /* int += int is fine */
  assert_int_equal(tc_add_(i, tc_arange_int(C, 10, 13, 1)), TC_OK);
  assert_int_equal(tc_copy_to_host(i, got, sizeof got), TC_OK);
  for (int k = 0; k < 3; k++) assert_int_equal(got[k], 10 + 2 * k);
}

TEST(writing_in_place_through_an_expanded_view_fails) {
  tc_tensor *base = ones(TC_F32, 1, (const int64_t[]){1});
  tc_tensor *e = tc_expand(base, 1, s3);
  assert_non_null(e);
  const char *want = "unsupported operation: more than one element of the written-to tensor refers to a "
                     "single memory location. Please clone() the tensor before performing the operation.";
  EXPECT_FAIL(tc_add_(e, tc_arange(C, 0, 3, 1, TC_F32)), "tc_add_", want);
  EXPECT_FAIL(tc_copy_(e, tc_arange(C, 0, 3, 1, TC_F32)), "tc_copy_", want);
  static const float one[] = {1};
  expect_values(base, one, 1);
}

TEST(filling_an_int_tensor_with_an_unrepresentable_value_fails) {
  tc_tensor *i = tc_zeros(C, TC_I64, 1, s3), *i32 = tc_zeros(C, TC_I32, 1, s3);
  EXPECT_FAIL(tc_fill_(i, NAN), "tc_fill_", "value cannot be converted to type int64_t without overflow");
  EXPECT_FAIL(tc_fill_(i, 1e30), "tc_fill_", "value cannot be converted to type int64_t without overflow");
  EXPECT_FAIL(tc_fill_(i32, 1e10), "tc_fill_", "value cannot be converted to type int without overflow");
  int64_t got[3];
  assert_int_equal(tc_copy_to_host(i, got, sizeof got), TC_OK);
  for (int k = 0; k < 3; k++) assert_int_equal(got[k], 0);
}

/* fill_(Tensor): a 0-d value only, in PyTorch's words; its element fills */
TEST(filling_with_a_tensor_takes_a_0d_value_only) {
  tc_tensor *x = tc_zeros(C, TC_F32, 1, s3);
  EXPECT_FAIL(tc_fill_tensor_(x, tc_ones(C, TC_F32, 1, (const int64_t[]){1})), "tc_fill_tensor_",
              "fill_ only supports 0-dimension value tensor but got tensor with 1 dimensions.");
  assert_int_equal(tc_fill_tensor_(x, tc_scalar(C, 2.5, TC_F64)), TC_OK);
  static const float two[] = {2.5f, 2.5f, 2.5f};
  expect_values(x, two, 3);
}

TEST(full_with_an_unrepresentable_value_fails) {
  EXPECT_NULL(tc_full(C, NAN, TC_I64, 1, s3), "tc_full", "value cannot be converted to type int64_t without overflow");
  EXPECT_NULL(tc_full(C, -INFINITY, TC_I64, 1, s3), "tc_full", "value cannot be converted to type int64_t without overflow");
  EXPECT_NULL(tc_full(C, 1e10, TC_I32, 1, s3), "tc_full", "value cannot be converted to type int without overflow");
  EXPECT_NULL(tc_full(C, 300, TC_I8, 1, s3), "tc_full", "value cannot be converted to type int8_t without overflow");
}

/* ---- other composite-op errors ------------------------------------------ */

TEST(clamp_without_bounds_fails) {
  EXPECT_NULL(tc_clamp(m23(), NULL, NULL), "tc_clamp", "At least one of 'min' or 'max' must not be None");
}

TEST(argmax_and_amax_of_an_empty_tensor_fail) {
  tc_tensor *z = tc_zeros(C, TC_F32, 1, (const int64_t[]){0});
  EXPECT_NULL(tc_argmax(z, false, 0, false), "tc_argmax", "Expected reduction dim to be specified for input.numel() == 0.");
  EXPECT_NULL(tc_amax(z, NULL, 0, false), "tc_amax",
              "Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with the 'dim' argument.");
}

TEST(unravel_index_with_float_indices_or_a_negative_shape_fails) {
  tc_tensor *out[2] = {NULL, NULL};
  EXPECT_FAIL(tc_unravel_index(ones(TC_F32, 1, s3), 2, s23, out), "tc_unravel_index",
              "expected 'indices' to be integer dtype");
  assert_null(out[0]);
  assert_null(out[1]);
  EXPECT_FAIL(tc_unravel_index(tc_arange_int(C, 0, 3, 1), 2, (const int64_t[]){2, -3}, out), "tc_unravel_index",
              "'shape' cannot have negative values, but got (2, -3)");
  /* a zero-size dim holds no index: PyTorch's ValueError, the shape as a tuple */
  tc_status st = tc_unravel_index(tc_arange_int(C, 0, 2, 1), 2, (const int64_t[]){2, 0}, out);
  assert_int_equal(tc_last_error_kind(C), TC_KIND_VALUE);
  EXPECT_FAIL(st, "tc_unravel_index", "'shape' cannot have zero dimensions when 'indices' is non-empty, but got (2, 0)");
  EXPECT_FAIL(tc_unravel_index(tc_arange_int(C, 0, 2, 1), 1, (const int64_t[]){0}, out), "tc_unravel_index",
              "but got (0,)");
  /* ... which empty indices do not need */
  assert_int_equal(tc_unravel_index(tc_arange_int(C, 0, 0, 1), 2, (const int64_t[]){2, 0}, out), TC_OK);
  assert_int_equal(tc_tensor_numel(out[0]) + tc_tensor_numel(out[1]), 0);
  tc_tensor_release(out[0]);
  tc_tensor_release(out[1]);
}

/* Ops built on other ops (tc_zeros on tc_full, tc_std on tc_var, tc_add_ on
 * tc_add, ...) must name themselves in their messages. */
TEST(shorthand_and_composite_ops_report_errors_under_their_own_names) {
  EXPECT_NULL(tc_std(ones(TC_I32, 1, s3), NULL, 0, 1.0, false), "tc_std",
              "std and var only support floating point and complex dtypes");
  static const int64_t a223[] = {2, 2, 3}, b335[] = {3, 3, 5};
  EXPECT_NULL(tc_matmul(ones(TC_F32, 3, a223), ones(TC_F32, 3, b335)), "tc_matmul",
              "The size of tensor a (2) must match the size of tensor b (3) at non-singleton dimension 0");
  tc_tensor *a = m23();
  EXPECT_FAIL(tc_add_(a, ones(TC_F32, 1, s4)), "tc_add_",
              "The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 1");
  expect_values(a, f6, 6);
  EXPECT_NULL(tc_clamp(a, ones(TC_F32, 1, s4), NULL), "tc_clamp",
              "The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 1");
  static const int64_t neg[] = {2, -3};
  const char *want = "Trying to create tensor with negative dimension -3: [2, -3]";
  EXPECT_NULL(tc_zeros(C, TC_F32, 2, neg), "tc_zeros", want);
  EXPECT_NULL(tc_ones(C, TC_F32, 2, neg), "tc_ones", want);
  EXPECT_NULL(tc_empty(C, TC_F32, 2, neg), "tc_empty", want);
  EXPECT_NULL(tc_zeros(C, (tc_dtype)99, 1, s3), "tc_zeros", NULL);
  EXPECT_NULL(tc_scalar(C, NAN, TC_I64), "tc_scalar", "value cannot be converted to type int64_t without overflow");
  EXPECT_NULL(tc_arange_int(C, 0, 10, 0), "tc_arange_int", "step must be nonzero");
  EXPECT_NULL(tc_max_all(tc_zeros(C, TC_F32, 1, (const int64_t[]){0})), "tc_max_all",
              "Expected reduction dim to be specified for input.numel() == 0.");
}

/* ---- tensors of two contexts -------------------------------------------- */

/* Every op that takes several tensors checks that they belong to one
 * context, and fails with this message on the first tensor's context (the
 * other context gets no error); both contexts still work and free cleanly
 * in either order. */
#define SAME_CTX "expected all tensors to belong to the same context"

typedef enum {
  MIX_ADD, MIX_EVERY_BINARY, MIX_WHERE, MIX_CLAMP, MIX_COPY, MIX_ADD_, MIX_MATMUL,
  MIX_COMPARISONS, MIX_GATHER, MIX_SCATTER, MIX_REALIZE_MANY
} mix_kind;
static mix_kind mix;

/* In a child: ctx has error "fn: ...SAME_CTX" and other has none. */
#define CHECK_MIX(fn)                                                                         \
  do {                                                                                        \
    CHECK(!strcmp(tc_last_error(other), ""), "%s: the other context got an error: \"%s\"", fn, \
          tc_last_error(other));                                                              \
    CHECK_ERR(fn, SAME_CTX);                                                                  \
  } while (0)

static int two_contexts(char *msg, size_t cap) {
  tc_ctx *ctx = tc_ctx_new(NULL), *other = tc_ctx_new(NULL);
  CHECK(ctx && other, "tc_ctx_new failed");
  tc_tensor *x = tc_ones(ctx, TC_F32, 1, s3), *y = tc_ones(other, TC_F32, 1, s3);
  tc_tensor *cond = tc_ones(ctx, TC_BOOL, 1, s3), *ycond = tc_ones(other, TC_BOOL, 1, s3);
  tc_tensor *yidx = tc_arange_int(other, 0, 2, 1);
  CHECK(x && y && cond && ycond && yidx, "creating the operands failed");
  switch (mix) {
  case MIX_ADD:
    CHECK(!tc_add(x, y), "tc_add(x, y) returned a tensor");
    CHECK_MIX("tc_add");
    /* the error goes to the first tensor's context */
    CHECK(!tc_add(y, x), "tc_add(y, x) returned a tensor");
    CHECK(tc_last_status(ctx) == TC_OK, "tc_add(y, x) set an error on x's context");
    CHECK(tc_last_status(other) == TC_ERR_ARG && !strcmp(tc_last_error(other), "tc_add: " SAME_CTX),
          "tc_add(y, x): status %d, message \"%s\" on y's context", (int)tc_last_status(other),
          tc_last_error(other));
    tc_clear_error(other);
    break;
  case MIX_EVERY_BINARY:
    for (int i = 0; i < COUNT(binary_ops); i++) {
      const char *fn = binary_ops[i].name;
      CHECK(!binary_ops[i].f(x, y), "%s(x, y) returned a tensor", fn);
      const char *e = tc_last_error(ctx);
      size_t n = strlen(fn);
      CHECK(tc_last_status(ctx) == TC_ERR_ARG && !strncmp(e, fn, n) && !strcmp(e + n, ": " SAME_CTX),
            "%s(x, y): status %d, message \"%s\"", fn, (int)tc_last_status(ctx), e);
      CHECK(!strcmp(tc_last_error(other), ""), "%s: the other context got an error", fn);
      tc_clear_error(ctx);
    }
    CHECK(!tc_binary(TC_OP_POW, x, y), "tc_binary(TC_OP_POW, x, y) returned a tensor");
    CHECK_MIX("tc_pow");
    break;
  case MIX_WHERE:
    CHECK(!tc_where(cond, x, y), "tc_where(cond, x, y) returned a tensor");
    CHECK_MIX("tc_where");
    CHECK(!tc_where(cond, y, y), "tc_where(cond, y, y) returned a tensor");
    CHECK_MIX("tc_where");
    CHECK(tc_where(cond, x, x) != NULL, "tc_where(cond, x, x) failed: %s", tc_last_error(ctx));
    break;
  case MIX_CLAMP:
    CHECK(!tc_clamp(x, y, NULL), "tc_clamp(x, y, NULL) returned a tensor");
    CHECK_MIX("tc_clamp");
    CHECK(!tc_clamp(x, NULL, y), "tc_clamp(x, NULL, y) returned a tensor");
    CHECK_MIX("tc_clamp");
    CHECK(!tc_clamp(x, x, y), "tc_clamp(x, x, y) returned a tensor");
    CHECK_MIX("tc_clamp");
    break;
  case MIX_COPY:
    CHECK(tc_copy_(x, y) == TC_ERR_ARG, "tc_copy_(x, y) did not fail");
    CHECK_MIX("tc_copy_");
    break;
  case MIX_ADD_:
    CHECK(tc_add_(x, y) == TC_ERR_ARG, "tc_add_(x, y) did not fail");
    CHECK_MIX("tc_add_");
    break;
  case MIX_MATMUL:
    CHECK(!tc_matmul(x, y), "tc_matmul(x, y) returned a tensor");
    CHECK_MIX("tc_matmul");
    break;
  case MIX_COMPARISONS:
    CHECK(!tc_isclose(x, y, 1e-5, 1e-8, false), "tc_isclose(x, y) returned a tensor");
    CHECK_MIX("tc_isclose");
    CHECK(!tc_equal(x, y), "tc_equal(x, y) returned true");
    CHECK_MIX("tc_equal");
    CHECK(!tc_allclose(x, y, 1e-5, 1e-8, false), "tc_allclose(x, y) returned true");
    CHECK_MIX("tc_allclose");
    break;
  case MIX_GATHER:
    CHECK(!tc_masked_select(x, ycond), "tc_masked_select(x, mask) returned a tensor");
    CHECK_MIX("tc_masked_select");
    CHECK(!tc_index_select(x, 0, yidx), "tc_index_select(x, 0, index) returned a tensor");
    CHECK_MIX("tc_index_select");
    CHECK(!tc_masked_fill(x, ycond, 2.0), "tc_masked_fill(x, mask, 2) returned a tensor");
    CHECK_MIX("tc_masked_fill");
    CHECK(tc_masked_fill_(x, ycond, 2.0) == TC_ERR_ARG, "tc_masked_fill_(x, mask, 2) did not fail");
    CHECK_MIX("tc_masked_fill_");
    break;
  case MIX_SCATTER: {
    tc_tensor *xidx = tc_arange_int(ctx, 0, 2, 1);
    tc_tensor *xv = tc_ones(ctx, TC_F32, 1, (const int64_t[]){2});
    tc_tensor *yv = tc_ones(other, TC_F32, 1, (const int64_t[]){2});
    CHECK(xidx && xv && yv, "creating the operands failed");
    CHECK(tc_index_put_(x, 1, &yidx, xv, false) == TC_ERR_ARG,
          "tc_index_put_ with indices of another context did not fail");
    CHECK_MIX("tc_index_put_");
    CHECK(tc_index_put_(x, 1, &xidx, yv, false) == TC_ERR_ARG,
          "tc_index_put_ with values of another context did not fail");
    CHECK_MIX("tc_index_put_");
    CHECK(tc_masked_scatter_(x, ycond, x) == TC_ERR_ARG,
          "tc_masked_scatter_ with a mask of another context did not fail");
    CHECK_MIX("tc_masked_scatter_");
    CHECK(tc_masked_scatter_(x, cond, y) == TC_ERR_ARG,
          "tc_masked_scatter_ with a source of another context did not fail");
    CHECK_MIX("tc_masked_scatter_");
    break;
  }
  case MIX_REALIZE_MANY: {
    tc_tensor *both[] = {tc_exp(x), tc_exp(y)};
    CHECK(tc_realize_many(both, 2) == TC_ERR_ARG, "tc_realize_many of two contexts did not fail");
    CHECK_MIX("tc_realize_many");
    break;
  }
  }
  double vx = tc_item(tc_sum(x, NULL, 0, false)), vy = tc_item(tc_sum(y, NULL, 0, false));
  CHECK(vx == 3 && vy == 3, "sums %g and %g, want 3 (\"%s\", \"%s\")", vx, vy, tc_last_error(ctx),
        tc_last_error(other));
  tc_ctx_free(other);
  tc_ctx_free(ctx);
  return 0;
}

TEST(adding_and_multiplying_tensors_of_two_contexts_fails) {
  mix = MIX_ADD;
  run_isolated("tc_add of two contexts", two_contexts);
  mix = MIX_ADD_;
  run_isolated("tc_add_ of two contexts", two_contexts);
  mix = MIX_MATMUL;
  run_isolated("tc_matmul of two contexts", two_contexts);
}

TEST(every_binary_op_on_tensors_of_two_contexts_fails_under_its_own_name) {
  mix = MIX_EVERY_BINARY;
  run_isolated("binary ops of two contexts", two_contexts);
}

TEST(where_with_tensors_of_two_contexts_fails) {
  mix = MIX_WHERE;
  run_isolated("tc_where of two contexts", two_contexts);
}

TEST(clamp_with_a_bound_of_another_context_fails) {
  mix = MIX_CLAMP;
  run_isolated("tc_clamp of two contexts", two_contexts);
}

TEST(copying_in_place_between_two_contexts_fails) {
  mix = MIX_COPY;
  run_isolated("tc_copy_ between two contexts", two_contexts);
}

TEST(comparing_tensors_of_two_contexts_fails) {
  mix = MIX_COMPARISONS;
  run_isolated("isclose, equal and allclose of two contexts", two_contexts);
}

TEST(masks_and_indices_of_another_context_fail) {
  mix = MIX_GATHER;
  run_isolated("masked_select, index_select and masked_fill of two contexts", two_contexts);
}

TEST(scattering_with_indices_masks_or_values_of_another_context_fails) {
  mix = MIX_SCATTER;
  run_isolated("index_put_ and masked_scatter_ of two contexts", two_contexts);
}

TEST(realizing_tensors_of_two_contexts_together_fails) {
  mix = MIX_REALIZE_MANY;
  run_isolated("tc_realize_many of two contexts", two_contexts);
}

/* ---- main --------------------------------------------------------------- */

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void) {
  const struct CMUnitTest tests[] = {
      T(releasing_or_retaining_a_null_tensor_does_nothing),
      T(accessors_of_a_null_tensor_return_neutral_values),
      T(context_functions_accept_a_null_context),
      T(creation_functions_return_null_for_a_null_context),
      T(every_unary_op_returns_null_for_a_null_tensor_without_a_message),
      T(every_binary_op_returns_null_when_either_operand_is_null_without_a_message),
      T(reductions_return_null_for_a_null_tensor_without_a_message),
      T(movement_ops_return_null_for_a_null_tensor_without_a_message),
      T(in_place_ops_return_an_error_for_a_null_tensor_without_a_message),
      T(read_back_functions_handle_a_null_tensor),
      T(a_null_operand_propagates_through_a_whole_expression_without_a_message),
      T(a_fresh_context_has_no_error),
      T(the_first_error_sticks_until_it_is_cleared),
      T(an_error_deep_inside_an_expression_is_reported_once_at_the_end),
      T(clear_error_resets_the_message_and_the_status),
      T(adding_unbroadcastable_shapes_fails_with_pytorchs_message),
      T(every_binary_op_on_unbroadcastable_shapes_fails_under_its_own_name),
      T(where_with_unbroadcastable_operands_fails),
      T(copying_an_unbroadcastable_source_in_place_fails_and_leaves_the_destination),
      T(adding_in_place_a_source_that_broadcasts_wider_than_the_destination_fails),
      T(reducing_over_an_out_of_range_dim_fails),
      T(reducing_over_a_repeated_dim_fails),
      T(a_negative_number_of_reduction_dims_is_rejected),
      T(softmax_and_logsumexp_over_an_out_of_range_dim_fail_under_their_own_names),
      T(max_dim_and_min_dim_with_an_out_of_range_dim_fail_and_return_no_tensors),
      T(movement_ops_with_an_out_of_range_dim_fail),
      T(flatten_with_start_after_end_fails),
      T(t_of_a_3d_tensor_fails),
      T(viewing_as_a_wrong_number_of_elements_fails),
      T(reshaping_to_a_wrong_number_of_elements_fails),
      T(viewing_with_two_inferred_dims_or_a_negative_size_fails),
      T(viewing_a_transposed_tensor_fails_with_pytorchs_stride_message),
      T(creation_sizes_whose_element_count_overflows_int64_fail),
      T(eye_whose_element_count_overflows_int64_fails),
      T(expanding_to_a_size_whose_element_count_overflows_int64_fails),
      T(linspace_with_more_steps_than_can_be_stored_fails),
      T(negative_sizes_fail_in_every_creation_function),
      T(more_than_max_dims_fail_in_creation_functions),
      T(more_than_max_dims_fail_in_view_reshape_expand_and_unsqueeze),
      T(a_null_shape_or_null_data_is_rejected),
      T(invalid_dtype_values_are_rejected),
      T(argmax_and_argmin_refuse_bool_input_as_pytorch_does),
      T(an_invalid_binop_code_is_rejected_with_a_message),
      T(bitwise_ops_on_floats_fail),
      T(shifting_bools_fails),
      T(subtracting_bools_fails),
      T(negating_a_bool_tensor_fails),
      T(the_mean_of_integers_fails),
      T(var_of_integers_fails),
      T(rand_and_randn_of_non_float_dtypes_fail),
      T(isclose_of_different_dtypes_fails),
      T(slicing_with_step_zero_fails),
      T(slicing_with_a_negative_step_fails),
      T(slicing_a_0d_tensor_fails),
      T(slicing_with_a_huge_step_takes_one_element_without_overflow),
      T(selecting_an_index_out_of_range_fails),
      T(selecting_from_a_0d_tensor_fails),
      T(narrowing_out_of_range_fails),
      T(narrowing_with_a_negative_length_fails),
      T(narrowing_a_0d_tensor_fails),
      T(narrowing_with_a_length_near_int64_max_fails_without_overflow),
      T(item_of_a_multi_element_tensor_fails),
      T(copying_to_host_into_a_too_small_or_null_buffer_fails),
      T(empty_tensors_realize_and_read_back_without_an_error),
      T(matmul_of_mismatched_matrices_fails),
      T(matmul_of_mismatched_vectors_fails),
      T(matmul_of_a_matrix_and_a_mismatched_vector_fails),
      T(matmul_of_mismatched_batches_fails),
      T(matmul_of_a_0d_tensor_or_of_different_dtypes_fails),
      T(arange_with_a_zero_step_fails),
      T(arange_whose_step_sign_disagrees_with_the_bounds_fails),
      T(arange_with_a_non_finite_bound_or_step_fails),
      T(randint_with_high_not_above_low_fails),
      T(permuting_with_a_repeated_dim_fails),
      T(expanding_to_an_incompatible_size_fails),
      T(adding_a_float_tensor_into_an_int_tensor_in_place_fails),
      T(writing_in_place_through_an_expanded_view_fails),
      T(filling_an_int_tensor_with_an_unrepresentable_value_fails),
      T(filling_with_a_tensor_takes_a_0d_value_only),
      T(full_with_an_unrepresentable_value_fails),
      T(clamp_without_bounds_fails),
      T(argmax_and_amax_of_an_empty_tensor_fail),
      T(unravel_index_with_float_indices_or_a_negative_shape_fails),
      T(shorthand_and_composite_ops_report_errors_under_their_own_names),
      T(adding_and_multiplying_tensors_of_two_contexts_fails),
      T(every_binary_op_on_tensors_of_two_contexts_fails_under_its_own_name),
      T(where_with_tensors_of_two_contexts_fails),
      T(clamp_with_a_bound_of_another_context_fails),
      T(copying_in_place_between_two_contexts_fails),
      T(comparing_tensors_of_two_contexts_fails),
      T(masks_and_indices_of_another_context_fail),
      T(scattering_with_indices_masks_or_values_of_another_context_fails),
      T(realizing_tensors_of_two_contexts_together_fails),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
