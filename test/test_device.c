/*
 * test_device.c — CUDA devices end to end. Without a GPU (CI) this runs on
 * the emulated device (TC_CUDA_EMULATE=1: host memory, the generated CUDA C
 * built by the host C++ compiler), so the CUDA code path's kernels,
 * transfers and device rules are checked against the CPU backend; with a
 * real GPU (TC_TEST_REAL_CUDA=1) the same tests run on it. A forked child
 * checks the no-driver path.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include <tensorc.h>

static const tc_device CUDA0 = {TC_CUDA, 0}, CPU = {TC_CPU, 0};
static tc_ctx *ctx;

static int setup(void **state) {
  (void)state;
  ctx = tc_ctx_new(NULL);
  tc_scope_begin(ctx);
  return 0;
}
static int teardown(void **state) {
  (void)state;
  tc_scope_end(ctx);
  tc_ctx_free(ctx);
  return 0;
}

static void expect_repr(tc_tensor *t, const char *want) {
  char *s = tc_format(t);
  if (!s || strcmp(s, want)) fprintf(stderr, "got  %s\nwant %s\n(%s)\n", s ? s : "NULL", want, tc_last_error(ctx));
  assert_non_null(s);
  assert_string_equal(s, want);
  tc_free_string(s);
}

/* t (on any device) equals the CPU tensor ref within tolerance. */
static void expect_close(tc_tensor *t, tc_tensor *ref, double rtol, double atol) {
  assert_non_null(t);
  assert_non_null(ref);
  tc_tensor *c = tc_cpu(t);
  assert_non_null(c);
  if (!tc_allclose(c, ref, rtol, atol, true)) {
    char *a = tc_format(c), *b = tc_format(ref);
    fprintf(stderr, "cuda: %s\ncpu:  %s\n", a, b);
    tc_free_string(a);
    tc_free_string(b);
    fail();
  }
}

static void cuda_reports_one_device_with_properties(void **state) {
  (void)state;
  assert_true(tc_cuda_is_available());
  assert_true(tc_cuda_device_count() >= 1);
  tc_device_props p;
  assert_int_equal(tc_cuda_device_props(0, &p), TC_OK);
  assert_true(p.major >= 5 && p.multiprocessors >= 1 && strlen(p.name) > 0);
  char buf[16];
  assert_string_equal(tc_device_str(CUDA0, buf, sizeof buf), "cuda:0");
  tc_device d;
  assert_int_equal(tc_parse_device("cuda:0", &d), TC_OK);
  assert_true(d.type == TC_CUDA && d.index == 0);
  assert_int_equal(tc_parse_device("cuda", &d), TC_OK);
  assert_int_equal(tc_parse_device("cpu", &d), TC_OK);
  assert_true(d.type == TC_CPU);
  assert_int_equal(tc_parse_device("gpu:0", &d), TC_ERR_ARG);
  assert_int_equal(tc_parse_device("cuda:x", &d), TC_ERR_ARG);
}

static void tensors_move_to_cuda_and_back_and_print_their_device(void **state) {
  (void)state;
  float v[] = {1, 2, 3};
  tc_tensor *t = tc_from_data(ctx, v, TC_F32, 1, (const int64_t[]){3});
  tc_tensor *g = tc_to(t, CUDA0, false);
  assert_non_null(g);
  assert_int_equal(tc_tensor_device(g).type, TC_CUDA);
  expect_repr(g, "tensor([1., 2., 3.], device='cuda:0')");
  expect_repr(tc_to_dtype(g, TC_F16), "tensor([1., 2., 3.], device='cuda:0', dtype=torch.float16)");
  tc_tensor *back = tc_cpu(g);
  assert_int_equal(tc_tensor_device(back).type, TC_CPU);
  expect_repr(back, "tensor([1., 2., 3.])");
  /* moving to where it is already returns a view */
  assert_non_null(tc_to(g, CUDA0, false));
  float out[3];
  assert_int_equal(tc_copy_to_host(g, out, sizeof out), TC_OK);
  assert_true(out[0] == 1 && out[2] == 3);
  assert_true(tc_item(tc_sum(g, NULL, 0, false)) == 6);
  /* no host pointer into device memory */
  assert_null(tc_data_ptr(g));
  assert_non_null(strstr(tc_last_error(ctx), "cuda:0"));
  tc_clear_error(ctx);
}

static void ops_of_a_cuda_and_a_cpu_tensor_fail_with_pytorchs_message(void **state) {
  (void)state;
  tc_tensor *a = tc_ones(ctx, TC_F32, 1, (const int64_t[]){3});
  tc_tensor *g = tc_cuda(a);
  assert_null(tc_add(g, a));
  assert_non_null(strstr(tc_last_error(ctx),
                         "Expected all tensors to be on the same device, but found at least two "
                         "devices, cuda:0 and cpu!"));
  tc_clear_error(ctx);
  assert_null(tc_mul(a, g));
  assert_non_null(strstr(tc_last_error(ctx), "cuda:0 and cpu!"));
  tc_clear_error(ctx);
  /* Python scalars and 0-d CPU tensors may join a CUDA op, as in PyTorch */
  tc_tensor *s = tc_scalar(ctx, 2, TC_F32);
  expect_repr(tc_mul(g, s), "tensor([2., 2., 2.], device='cuda:0')");
  expect_repr(tc_add_scalar(g, 1), "tensor([2., 2., 2.], device='cuda:0')");
  /* copy_ across devices is a transfer */
  tc_tensor *h = tc_zeros(ctx, TC_F32, 1, (const int64_t[]){3});
  assert_int_equal(tc_copy_(h, tc_mul_scalar(g, 4)), TC_OK);
  expect_repr(h, "tensor([4., 4., 4.])");
}

static void fused_chains_reductions_and_softmax_match_the_cpu(void **state) {
  (void)state;
  tc_manual_seed(ctx, 3);
  int64_t s[2] = {37, 53};
  tc_tensor *x = tc_randn(ctx, TC_F32, 2, s), *y = tc_rand(ctx, TC_F32, 2, s);
  tc_tensor *gx = tc_cuda(x), *gy = tc_cuda(y);
  expect_close(tc_sub(tc_mul_scalar(tc_relu(tc_add(tc_mul(gx, gy), gx)), 0.5), gy),
               tc_sub(tc_mul_scalar(tc_relu(tc_add(tc_mul(x, y), x)), 0.5), y), 1.3e-6, 1e-5);
  int d1 = 1, d0 = 0;
  expect_close(tc_softmax(gx, 1), tc_softmax(x, 1), 1.3e-6, 1e-5);
  expect_close(tc_sum(gx, &d0, 1, false), tc_sum(x, &d0, 1, false), 1.3e-6, 1e-5);
  expect_close(tc_mean(gx, &d1, 1, true), tc_mean(x, &d1, 1, true), 1.3e-6, 1e-5);
  expect_close(tc_argmax(gx, true, 1, false), tc_argmax(x, true, 1, false), 0, 0);
  expect_close(tc_amax(gx, NULL, 0, false), tc_amax(x, NULL, 0, false), 0, 0);
  expect_close(tc_matmul(gx, tc_t(gy)), tc_matmul(x, tc_t(y)), 1e-5, 1e-4);
  expect_close(tc_transpose(gx, 0, 1), tc_transpose(x, 0, 1), 0, 0);
  expect_close(tc_var(gx, &d1, 1, 1.0, false), tc_var(x, &d1, 1, 1.0, false), 1e-5, 1e-5);
  /* integer ops are bitwise the CPU's */
  tc_tensor *i = tc_randint(ctx, -50, 50, TC_I32, 2, s);
  tc_tensor *gi = tc_cuda(i);
  expect_close(tc_remainder(gi, tc_add_scalar(tc_abs(gi), 1)), tc_remainder(i, tc_add_scalar(tc_abs(i), 1)),
               0, 0);
  expect_close(tc_floor_divide(gi, tc_full(ctx, -7, TC_I32, 0, NULL)),
               tc_floor_divide(i, tc_full(ctx, -7, TC_I32, 0, NULL)), 0, 0);
}

static void the_same_seed_gives_the_same_numbers_on_cpu_and_cuda(void **state) {
  (void)state;
  int64_t s[2] = {3, 3};
  tc_manual_seed(ctx, 42);
  tc_tensor *a = tc_rand(ctx, TC_F32, 2, s);
  tc_cuda_manual_seed_all(ctx, 42);
  tc_set_default_device(ctx, CUDA0);
  tc_tensor *b = tc_rand(ctx, TC_F32, 2, s); /* torch.rand(3, 3, device='cuda') */
  tc_set_default_device(ctx, CPU);
  assert_int_equal(tc_tensor_device(b).type, TC_CUDA);
  assert_true(tc_equal(a, tc_cpu(b)));
}

static void writes_through_views_on_cuda_are_seen_by_every_alias(void **state) {
  (void)state;
  tc_tensor *t = tc_cuda(tc_arange_int(ctx, 0, 6, 1));
  tc_tensor *v = tc_view(t, 2, (const int64_t[]){2, 3});
  tc_tensor *before = tc_mul_scalar(t, 1); /* a lazy read captured before the write */
  assert_int_equal(tc_fill_(tc_select(tc_select(v, 0, 0), 0, 0), 99), TC_OK);
  expect_repr(t, "tensor([99,  1,  2,  3,  4,  5], device='cuda:0')");
  expect_repr(before, "tensor([0, 1, 2, 3, 4, 5], device='cuda:0')");
  assert_int_equal(tc_add_(tc_select(v, 1, 2), tc_scalar(ctx, 10, TC_I64)), TC_OK);
  expect_repr(v, "tensor([[99,  1, 12],\n        [ 3,  4, 15]], device='cuda:0')");
}

static void pinned_memory_and_non_blocking_copies_round_trip(void **state) {
  (void)state;
  tc_tensor *t = tc_arange(ctx, 0, 1000, 1, TC_F32);
  tc_tensor *p = tc_pin_memory(t);
  assert_non_null(p);
  assert_true(tc_is_pinned(p));
  assert_false(tc_is_pinned(t));
  tc_tensor *g = tc_to(p, CUDA0, true);
  assert_int_equal(tc_realize(g), TC_OK);
  assert_int_equal(tc_synchronize(ctx), TC_OK);
  expect_close(g, t, 0, 0);
  assert_null(tc_pin_memory(g));
  tc_clear_error(ctx);
}

static void without_a_driver_cuda_requests_fail_and_the_cpu_works(void **state) {
  (void)state;
  pid_t pid = fork();
  if (pid == 0) {
    unsetenv("TC_CUDA_EMULATE");
    setenv("TC_CUDA_DISABLE", "1", 1); /* also on a machine with a GPU */
    int bad = 0;
    tc_ctx *c = tc_ctx_new(NULL);
    if (tc_cuda_is_available() || tc_cuda_device_count() != 0) bad |= 1;
    tc_tensor *a = tc_ones(c, TC_F32, 1, (const int64_t[]){2});
    if (tc_cuda(a)) bad |= 2;
    if (!strstr(tc_last_error(c), "CUDA is not available: ")) bad |= 4;
    tc_clear_error(c);
    if (tc_item(tc_sum(a, NULL, 0, false)) != 2) bad |= 8;
    if (tc_set_default_device(c, CUDA0) == TC_OK) bad |= 16;
    tc_tensor_release(a);
    tc_ctx_free(c);
    _exit(bad);
  }
  int st = 0;
  waitpid(pid, &st, 0);
  assert_true(WIFEXITED(st));
  assert_int_equal(WEXITSTATUS(st), 0);
}

int main(void) {
  /* the no-driver test forks before anything opens CUDA */
  const struct CMUnitTest first[] = {
      cmocka_unit_test(without_a_driver_cuda_requests_fail_and_the_cpu_works),
  };
  int rc = cmocka_run_group_tests_name("no driver", first, NULL, NULL);
  if (!getenv("TC_TEST_REAL_CUDA")) setenv("TC_CUDA_EMULATE", "1", 1);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(cuda_reports_one_device_with_properties),
      cmocka_unit_test_setup_teardown(tensors_move_to_cuda_and_back_and_print_their_device, setup, teardown),
      cmocka_unit_test_setup_teardown(ops_of_a_cuda_and_a_cpu_tensor_fail_with_pytorchs_message, setup, teardown),
      cmocka_unit_test_setup_teardown(fused_chains_reductions_and_softmax_match_the_cpu, setup, teardown),
      cmocka_unit_test_setup_teardown(the_same_seed_gives_the_same_numbers_on_cpu_and_cuda, setup, teardown),
      cmocka_unit_test_setup_teardown(writes_through_views_on_cuda_are_seen_by_every_alias, setup, teardown),
      cmocka_unit_test_setup_teardown(pinned_memory_and_non_blocking_copies_round_trip, setup, teardown),
  };
  return rc | cmocka_run_group_tests_name("cuda", tests, NULL, NULL);
}
