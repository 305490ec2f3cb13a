/*
 * test_device.c — CUDA devices end to end. Without a GPU (CI) this runs on
 * the emulated device (TC_CUDA_EMULATE=1: host memory, the generated CUDA C
 * built by the host C++ compiler), so the CUDA code path's kernels,
 * transfers and device rules are checked against the CPU backend; with a
 * real GPU (TC_TEST_REAL_CUDA=1) the same tests run on it. A forked child
 * checks the no-driver path.
 *
 * Execution is asynchronous: the emulated stream runs its kernels and
 * copies only when the host waits, so the ordering tests below fail if a
 * synchronization point is missing; they also count what is queued
 * (rt_gpu_queued, emulated only) to show that launches do not wait.
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
#include "runtime/gpu.h" /* rt_gpu_queued, rt_gpu_emu_fault_next_launch */
#include "api/dlpack.h"   /* the DLPack structs, from the specification */

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
  /* a realized 0-d CPU tensor too, in eager mode, in binary ops and where */
  tc_set_eager(ctx, 1);
  tc_tensor *s2 = tc_full(ctx, 2, TC_F32, 0, NULL);
  expect_repr(tc_lt(g, s2), "tensor([True, True, True], device='cuda:0')");
  expect_repr(tc_sub(s2, g), "tensor([1., 1., 1.], device='cuda:0')");
  expect_repr(tc_where(tc_gt(g, s2), s2, g), "tensor([1., 1., 1.], device='cuda:0')");
  tc_set_eager(ctx, 0);
  /* an op of constants only stays where a constant was made on the GPU
   * (torch.full((), 4.0, device="cuda").sqrt() is on cuda:0) */
  assert_int_equal(tc_set_default_device(ctx, (tc_device){TC_CUDA, 0}), TC_OK);
  tc_tensor *k = tc_full(ctx, 4, TC_F32, 0, NULL);
  assert_int_equal(tc_set_default_device(ctx, (tc_device){TC_CPU, 0}), TC_OK);
  expect_repr(tc_sqrt(k), "tensor(2., device='cuda:0')");
  expect_repr(tc_add(tc_scalar(ctx, 1, TC_F32), k), "tensor(5., device='cuda:0')");
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

static void indexed_and_masked_writes_on_cuda_are_one_scatter_kernel(void **state) {
  (void)state;
  tc_tensor *x = tc_cuda(tc_zeros(ctx, TC_F32, 1, (const int64_t[]){6}));
  tc_tensor *idx = tc_from_data(ctx, (const int64_t[]){0, 2, -1, 2}, TC_I64, 1, (const int64_t[]){4});
  tc_tensor *v = tc_cuda(tc_arange(ctx, 1, 5, 1, TC_F32));
  assert_int_equal(tc_index_put_(x, 1, &idx, v, false), TC_OK); /* the last 2 wins */
  expect_repr(x, "tensor([1., 0., 4., 0., 0., 3.], device='cuda:0')");
  assert_int_equal(tc_index_put_(x, 1, &idx, v, true), TC_OK); /* repeated ones add up */
  expect_repr(x, "tensor([ 2.,  0., 10.,  0.,  0.,  6.], device='cuda:0')");
  tc_tensor *mask = tc_gt(x, tc_scalar(ctx, 5, TC_F32));
  assert_int_equal(tc_masked_scatter_(x, mask, tc_cuda(tc_arange(ctx, 100, 110, 1, TC_F32))), TC_OK);
  expect_repr(x, "tensor([  2.,   0., 100.,   0.,   0., 101.], device='cuda:0')");
}

/* The indexing, join, scan, sort and counting ops keep CUDA results on
 * cuda:0, with CPU index tensors accepted as PyTorch accepts them. */
static void indexing_joins_scans_and_sorts_keep_cuda_results_on_cuda(void **state) {
  (void)state;
  tc_tensor *x = tc_cuda(tc_reshape(tc_arange(ctx, 0, 12, 1, TC_F32), 2, (const int64_t[]){3, 4}));
  tc_tensor *cpu_idx = tc_from_data(ctx, (const int64_t[]){2, 0}, TC_I64, 1, (const int64_t[]){2});
  expect_repr(tc_index(x, (const tc_idx[]){TC_T(cpu_idx), TC_I(1)}, 2), "tensor([9., 1.], device='cuda:0')");
  tc_tensor *mask = tc_gt(x, tc_scalar(ctx, 8, TC_F32));
  expect_repr(tc_masked_select(x, mask), "tensor([ 9., 10., 11.], device='cuda:0')");
  expect_repr(tc_nonzero(tc_narrow(mask, 0, 2, 1)),
              "tensor([[0, 1],\n        [0, 2],\n        [0, 3]], device='cuda:0')");
  expect_repr(tc_index_select(x, 1, cpu_idx),
              "tensor([[ 2.,  0.],\n        [ 6.,  4.],\n        [10.,  8.]], device='cuda:0')");
  tc_tensor *g = tc_gather(x, 1, tc_cuda(tc_from_data(ctx, (const int64_t[]){3, 2, 1}, TC_I64, 2, (const int64_t[]){3, 1})));
  expect_repr(g, "tensor([[3.],\n        [6.],\n        [9.]], device='cuda:0')");
  expect_repr(tc_cumsum(tc_select(x, 0, 1), 0, NULL), "tensor([ 4.,  9., 15., 22.], device='cuda:0')");
  tc_tensor *v = NULL, *i = NULL;
  assert_int_equal(tc_sort(tc_neg(tc_select(x, 0, 2)), 0, false, &v, &i), TC_OK);
  expect_repr(v, "tensor([-11., -10.,  -9.,  -8.], device='cuda:0')");
  expect_repr(i, "tensor([3, 2, 1, 0], device='cuda:0')");
  expect_repr(tc_cat(ctx, (tc_tensor *[]){tc_select(x, 0, 0), tc_select(x, 1, 3)}, 2, 0),
              "tensor([ 0.,  1.,  2.,  3.,  3.,  7., 11.], device='cuda:0')");
  tc_tensor *y = tc_cuda(tc_zeros(ctx, TC_F32, 1, (const int64_t[]){4}));
  assert_int_equal(tc_index_set_(y, (const tc_idx[]){TC_T(cpu_idx)}, 1, tc_scalar(ctx, 5, TC_F32)), TC_OK);
  expect_repr(y, "tensor([5., 0., 5., 0.], device='cuda:0')");
  assert_int_equal(tc_index_add_(y, 0, cpu_idx, tc_cuda(tc_ones(ctx, TC_F32, 1, (const int64_t[]){2})), 2), TC_OK);
  expect_repr(y, "tensor([7., 0., 7., 0.], device='cuda:0')");
  tc_tensor *u = NULL;
  assert_int_equal(tc_unique(y, true, &u, NULL, NULL), TC_OK);
  expect_repr(u, "tensor([0., 7.], device='cuda:0')");
  expect_repr(tc_bincount(tc_cuda(tc_from_data(ctx, (const int64_t[]){1, 1, 3}, TC_I64, 1, (const int64_t[]){3})), NULL, 0),
              "tensor([0, 2, 0, 1], device='cuda:0')");
}

/* A matmul on cuda:0 gives the CPU's bits: the same sequential fma chain
 * per element (kernel.h), whatever the tiles. */
static void matmul_on_cuda_gives_the_cpus_bits(void **state) {
  (void)state;
  static const int64_t shapes[][6] = {{70, 130, 45, 0, 0, 1}, {5, 300, 140, 1, 0, 1}, {33, 17, 9, 0, 1, 3}};
  for (int i = 0; i < 3; i++) {
    const int64_t *s = shapes[i];
    int64_t as[3] = {s[5], s[0], s[1]}, bs[3] = {s[5], s[1], s[2]};
    if (s[3]) as[1] = s[1], as[2] = s[0];
    if (s[4]) bs[1] = s[2], bs[2] = s[1];
    tc_manual_seed(ctx, 9 + i);
    tc_tensor *a = tc_randn(ctx, TC_F32, 3, as), *b = tc_randn(ctx, TC_F32, 3, bs);
    if (s[3]) a = tc_transpose(a, -1, -2);
    if (s[4]) b = tc_transpose(b, -1, -2);
    tc_tensor *cpu = tc_matmul(a, b), *gpu = tc_matmul(tc_cuda(a), tc_cuda(b));
    assert_non_null(gpu);
    assert_true(tc_equal(tc_cpu(gpu), cpu));
    tc_tensor *g64 = tc_matmul(tc_cuda(tc_to_dtype(a, TC_F64)), tc_cuda(tc_to_dtype(b, TC_F64)));
    assert_true(tc_equal(tc_cpu(g64), tc_matmul(tc_to_dtype(a, TC_F64), tc_to_dtype(b, TC_F64))));
  }
}

/* An elementwise epilogue runs in the product's kernel on cuda:0 too (bias,
 * activation, a scalar argument, a dtype change), with the CPU's bits. */
static void matmul_epilogues_on_cuda_give_the_cpus_bits(void **state) {
  (void)state;
  int64_t as[3] = {2, 70, 45}, bs[2] = {45, 130}, cs[1] = {130};
  tc_manual_seed(ctx, 21);
  tc_tensor *a = tc_randn(ctx, TC_F32, 3, as), *b = tc_randn(ctx, TC_F32, 2, bs), *c = tc_randn(ctx, TC_F32, 1, cs);
  tc_tensor *ga = tc_cuda(a), *gb = tc_cuda(b), *gc = tc_cuda(c);
  assert_int_equal(tc_realize_many((tc_tensor *[]){ga, gb, gc}, 3), TC_OK);
  tc_reset_stats(ctx);
  tc_tensor *g = tc_mul_scalar(tc_relu(tc_add(tc_matmul(ga, gb), gc)), 0.25);
  tc_tensor *h = tc_binary_scalar(TC_OP_GT, tc_matmul(ga, gb), 0.5, true, false);
  assert_int_equal(tc_realize_many((tc_tensor *[]){g, h}, 2), TC_OK);
  assert_int_equal(tc_get_stats(ctx).kernels_launched, 2); /* a kernel each, products included */
  assert_true(tc_equal(tc_cpu(g), tc_mul_scalar(tc_relu(tc_add(tc_matmul(a, b), c)), 0.25)));
  assert_true(tc_equal(tc_cpu(h), tc_binary_scalar(TC_OP_GT, tc_matmul(a, b), 0.5, true, false)));
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

/* Commands queued on cuda:0 and not yet run; -1 on a real GPU. */
static long queued(void) { return rt_gpu_queued(0); }

static void a_chain_of_kernels_is_queued_and_read_back_in_order(void **state) {
  (void)state;
  tc_tensor *x = tc_arange(ctx, 0, 100, 1, TC_F32);
  tc_tensor *g = tc_cuda(x); /* from pageable memory: waited for */
  assert_int_equal(tc_realize(g), TC_OK);
  if (queued() >= 0) assert_int_equal(queued(), 0);
  /* one kernel each: every realization queues and returns */
  tc_tensor *a = tc_mul_scalar(g, 2), *b = tc_add_scalar(a, 1), *c = tc_relu(tc_add_scalar(b, -50));
  tc_tensor *d = tc_mul(c, a);
  assert_int_equal(tc_realize(a), TC_OK);
  assert_int_equal(tc_realize(b), TC_OK);
  assert_int_equal(tc_realize(c), TC_OK);
  assert_int_equal(tc_realize(d), TC_OK);
  if (queued() >= 0) assert_true(queued() >= 4);
  tc_tensor *xa = tc_mul_scalar(x, 2);
  tc_tensor *want = tc_mul(tc_relu(tc_add_scalar(tc_add_scalar(xa, 1), -50)), xa);
  float out[100];
  assert_int_equal(tc_copy_to_host(d, out, sizeof out), TC_OK); /* waits */
  if (queued() >= 0) assert_int_equal(queued(), 0);
  const float *w = tc_data_ptr(want);
  assert_non_null(w);
  assert_memory_equal(out, w, sizeof out);
  assert_true(tc_item(tc_sum(b, NULL, 0, false)) == 100 * 99 + 100);
}

static void buffers_released_while_their_kernels_are_queued_are_reused_in_order(void **state) {
  (void)state;
  tc_scope_begin(ctx);
  tc_tensor *acc = tc_tensor_retain(tc_cuda(tc_arange(ctx, 0, 4096, 1, TC_F32)));
  assert_int_equal(tc_realize(acc), TC_OK);
  tc_scope_end(ctx);
  for (int i = 0; i < 12; i++) { /* each step frees the last one's buffer */
    tc_scope_begin(ctx);
    tc_tensor *next = tc_tensor_retain(tc_add_scalar(tc_mul_scalar(acc, 1), 1));
    assert_int_equal(tc_realize(next), TC_OK);
    tc_scope_end(ctx);
    tc_tensor_release(acc);
    acc = next;
  }
  if (queued() >= 0) assert_true(queued() >= 12);
  expect_close(acc, tc_add_scalar(tc_arange(ctx, 0, 4096, 1, TC_F32), 12), 0, 0);
  tc_tensor_release(acc);
}

/* memory_allocated counts the blocks tensors hold; a freed tensor's block
 * stays reserved (cached) until empty_cache gives it back. */
static void memory_stats_count_held_and_cached_blocks_and_empty_cache_frees(void **state) {
  (void)state;
  assert_int_equal(tc_synchronize(ctx), TC_OK);
  tc_cuda_empty_cache();
  size_t a0, r0, a1, r1, a2, r2, a3, r3;
  assert_int_equal(tc_cuda_memory_stats(ctx, 0, &a0, &r0), TC_OK);
  assert_true(r0 >= a0);
  assert_true(r0 == a0); /* nothing cached after empty_cache */
  const int64_t n = 1 << 20;
  tc_scope_begin(ctx);
  tc_tensor *x = tc_tensor_retain(tc_cuda(tc_ones(ctx, TC_F32, 1, &n)));
  assert_int_equal(tc_realize(x), TC_OK);
  tc_scope_end(ctx);
  assert_int_equal(tc_cuda_memory_stats(ctx, 0, &a1, &r1), TC_OK);
  assert_true(a1 >= a0 + 4 * (size_t)n);
  assert_true(r1 >= a1);
  tc_tensor_release(x);
  assert_int_equal(tc_cuda_memory_stats(ctx, 0, &a2, &r2), TC_OK);
  assert_true(a2 == a0);  /* the block went back to the cache */
  assert_true(r2 == r1);  /* still reserved */
  tc_cuda_empty_cache();
  assert_int_equal(tc_cuda_memory_stats(ctx, 0, &a3, &r3), TC_OK);
  assert_true(a3 == a0 && r3 == a3);
  assert_int_equal(tc_cuda_memory_stats(NULL, 0, NULL, NULL), TC_OK);
  assert_int_not_equal(tc_cuda_memory_stats(ctx, 7, &a3, &r3), TC_OK);
  assert_non_null(strstr(tc_last_error(ctx), "invalid device ordinal"));
  tc_clear_error(ctx);
}

static void a_pinned_non_blocking_copy_is_queued_before_the_kernel_that_reads_it(void **state) {
  (void)state;
  tc_tensor *t = tc_arange(ctx, 0, 1000, 1, TC_F32);
  tc_tensor *p = tc_pin_memory(t);
  assert_true(tc_is_pinned(p));
  tc_tensor *g = tc_to(p, CUDA0, true);
  tc_tensor *y = tc_add_scalar(tc_mul_scalar(g, 3), 1);
  assert_int_equal(tc_realize(y), TC_OK); /* the copy and the kernel: queued */
  if (queued() >= 0) assert_true(queued() >= 2);
  expect_close(y, tc_add_scalar(tc_mul_scalar(t, 3), 1), 0, 0);
  if (queued() >= 0) assert_int_equal(queued(), 0);
}

static void overwriting_a_pinned_source_waits_for_the_copy_that_reads_it(void **state) {
  (void)state;
  tc_tensor *t = tc_arange(ctx, 0, 1000, 1, TC_F32);
  tc_tensor *p = tc_pin_memory(t);
  const void *before = tc_data_ptr(p);
  /* written in place by tensorc with the copy still queued: fenced */
  tc_tensor *g = tc_to(p, CUDA0, true);
  assert_int_equal(tc_realize(g), TC_OK);
  if (queued() >= 0) assert_true(queued() >= 1);
  assert_int_equal(tc_fill_(p, 7), TC_OK);
  assert_int_equal(tc_realize(p), TC_OK);
  assert_ptr_equal(tc_data_ptr(p), before); /* the same pinned buffer */
  assert_true(tc_is_pinned(p));
  expect_close(g, t, 0, 0);
  /* after tc_synchronize the source is free to change */
  tc_tensor *g2 = tc_to(p, CUDA0, true);
  assert_int_equal(tc_realize(g2), TC_OK);
  assert_int_equal(tc_synchronize(ctx), TC_OK);
  if (queued() >= 0) assert_int_equal(queued(), 0);
  assert_int_equal(tc_fill_(p, -1), TC_OK);
  assert_int_equal(tc_realize(p), TC_OK);
  expect_close(g2, tc_full(ctx, 7, TC_F32, 1, (const int64_t[]){1000}), 0, 0);
  expect_close(tc_cpu(p), tc_full(ctx, -1, TC_F32, 1, (const int64_t[]){1000}), 0, 0);
  /* and releasing a pinned source with its copy queued waits for it */
  tc_scope_begin(ctx);
  tc_tensor *g3 = tc_keep(tc_to(tc_pin_memory(t), CUDA0, true));
  assert_int_equal(tc_realize(g3), TC_OK);
  if (queued() >= 0) assert_true(queued() >= 1);
  tc_scope_end(ctx); /* frees the pinned tensor */
  expect_close(g3, t, 0, 0);
}

static void synchronize_drains_every_queued_kernel_and_copy(void **state) {
  (void)state;
  tc_tensor *g = tc_cuda(tc_ones(ctx, TC_F32, 2, (const int64_t[]){8, 8}));
  assert_int_equal(tc_realize(g), TC_OK);
  assert_int_equal(tc_synchronize(ctx), TC_OK);
  tc_reset_stats(ctx);
  tc_tensor *s = tc_clone(g);
  for (int i = 0; i < 5; i++) {
    assert_int_equal(tc_add_(s, g), TC_OK);
    assert_int_equal(tc_realize(s), TC_OK);
  }
  if (queued() >= 0) assert_true(queued() >= 5);
  /* the kernels' device time counts once they ran, when the context waits */
  if (queued() >= 0) assert_true(tc_get_stats(ctx).run_seconds == 0);
  assert_int_equal(tc_synchronize(ctx), TC_OK);
  if (queued() >= 0) assert_int_equal(queued(), 0);
  assert_true(tc_get_stats(ctx).run_seconds > 0);
  assert_true(tc_item(tc_sum(s, NULL, 0, false)) == 6 * 64);
  assert_int_equal(tc_synchronize(ctx), TC_OK); /* nothing queued: returns */
}

static void a_round_trip_through_the_cpu_keeps_the_values(void **state) {
  (void)state;
  tc_manual_seed(ctx, 11);
  tc_tensor *x = tc_randn(ctx, TC_F32, 2, (const int64_t[]){16, 33});
  tc_tensor *h = tc_mul_scalar(tc_cuda(x), 3);   /* queued */
  tc_tensor *c = tc_cpu(h);                       /* waits */
  tc_tensor *back = tc_add_scalar(tc_cuda(c), 1); /* pageable: waited for */
  tc_tensor *pinned_back = tc_add_scalar(tc_to(tc_pin_memory(c), CUDA0, true), 1);
  tc_tensor *want = tc_add_scalar(tc_mul_scalar(x, 3), 1);
  expect_close(back, want, 0, 0);
  expect_close(pinned_back, want, 0, 0);
  assert_int_equal(tc_tensor_device(c).type, TC_CPU);
}

static void an_error_in_a_queued_kernel_surfaces_at_the_next_synchronization(void **state) {
  (void)state;
  if (queued() < 0) skip(); /* a real fault would leave the device unusable */
  tc_tensor *g = tc_cuda(tc_ones(ctx, TC_F32, 1, (const int64_t[]){32}));
  assert_int_equal(tc_realize(g), TC_OK);
  rt_gpu_emu_fault_next_launch(0);
  tc_tensor *y = tc_mul_scalar(g, 2);
  assert_int_equal(tc_realize(y), TC_OK); /* the launch itself succeeds */
  assert_int_equal(tc_last_status(ctx), TC_OK);
  assert_int_equal(tc_synchronize(ctx), TC_ERR_RUNTIME);
  assert_non_null(strstr(tc_last_error(ctx), "CUDA error: an illegal memory access was encountered "
                                             "(CUDA_ERROR_ILLEGAL_ADDRESS)"));
  tc_clear_error(ctx);
  /* at a read-back too, as a value rather than an abort */
  rt_gpu_emu_fault_next_launch(0);
  tc_tensor *z = tc_add_scalar(g, 1);
  assert_null(tc_format(z));
  assert_non_null(strstr(tc_last_error(ctx), "CUDA error: "));
  tc_clear_error(ctx);
  /* the emulated device reports an error once; later work runs */
  expect_repr(tc_add_scalar(tc_sum(g, NULL, 0, false), 1), "tensor(33., device='cuda:0')");
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
    tc_clear_error(c);
    size_t al = 1;
    if (tc_cuda_memory_stats(c, 0, &al, NULL) == TC_OK || al != 1) bad |= 32;
    if (!strstr(tc_last_error(c), "CUDA is not available: ")) bad |= 64;
    tc_cuda_empty_cache(); /* nothing to do */
    tc_tensor_release(a);
    tc_ctx_free(c);
    _exit(bad);
  }
  int st = 0;
  waitpid(pid, &st, 0);
  assert_true(WIFEXITED(st));
  assert_int_equal(WEXITSTATUS(st), 0);
}

/* ---- device memory the caller owns: tc_from_blob, DLPack ---------------- */

static int blob_releases;
static long queued_at_release;
static void blob_release(void *user) {
  (void)user;
  blob_releases++;
  queued_at_release = rt_gpu_queued(0);
}

/* Device memory to wrap: a CUDA tensor exported through DLPack (its
 * deleter gives it back); on a real GPU a cudaMalloc'd block would do. */
static DLManagedTensorVersioned *device_block(int64_t n) {
  tc_scope_begin(ctx);
  DLManagedTensorVersioned *m = tc_to_dlpack(tc_to(tc_arange(ctx, 0, (double)n, 1, TC_F32), CUDA0, false), false);
  tc_scope_end(ctx);
  assert_non_null(m);
  assert_int_equal(m->dl_tensor.device.device_type, kDLCUDA);
  assert_int_equal(m->dl_tensor.device.device_id, 0);
  assert_int_equal(m->dl_tensor.ndim, 1);
  assert_int_equal(m->dl_tensor.shape[0], n);
  return m;
}

static void a_cuda_blob_is_wrapped_without_a_copy_and_released_after_its_work(void **state) {
  (void)state;
  DLManagedTensorVersioned *m = device_block(6);
  float *dev = m->dl_tensor.data;
  blob_releases = 0;
  tc_scope_begin(ctx);
  /* a 2x3 view of the block, and its transpose through strides */
  tc_tensor *a = tc_from_blob(ctx, dev, TC_F32, CUDA0, 2, (const int64_t[]){2, 3}, NULL, blob_release, NULL);
  tc_tensor *b = tc_from_blob(ctx, dev, TC_F32, CUDA0, 2, (const int64_t[]){3, 2}, (const int64_t[]){1, 3}, NULL,
                              NULL);
  assert_non_null(a);
  assert_non_null(b);
  assert_int_equal(tc_tensor_device(a).type, TC_CUDA);
  expect_repr(a, "tensor([[0., 1., 2.],\n        [3., 4., 5.]], device='cuda:0')");
  expect_repr(b, "tensor([[0., 3.],\n        [1., 4.],\n        [2., 5.]], device='cuda:0')");
  /* a write through one lands in the memory: the other, and the exported
     tensor's own memory, see it */
  assert_int_equal(tc_fill_(tc_select(a, 0, 1), 7), TC_OK);
  expect_repr(b, "tensor([[0., 7.],\n        [1., 7.],\n        [2., 7.]], device='cuda:0')");
  assert_int_equal(tc_synchronize(ctx), TC_OK);
  tc_tensor *c = tc_from_dlpack(ctx, m); /* owns m from here */
  assert_non_null(c);
  expect_repr(c, "tensor([0., 1., 2., 7., 7., 7.], device='cuda:0')");
  /* released while a kernel that reads it is still queued: given back only
     after that kernel ran */
  tc_tensor *r = tc_mul_scalar(a, 2);
  assert_int_equal(tc_realize(r), TC_OK);
  if (queued() >= 0) assert_true(queued() > 0); /* the emulated stream has not run it */
  tc_tensor_release(a);
  assert_int_equal(blob_releases, 0); /* b, c and the scope's handles hold the memory too */
  tc_scope_end(ctx);
  assert_int_equal(blob_releases, 1);
  if (queued_at_release >= 0) assert_int_equal(queued_at_release, 0);
}

static void a_cuda_tensor_round_trips_through_dlpack_and_shares_its_memory(void **state) {
  (void)state;
  tc_tensor *x = tc_to(tc_reshape(tc_arange(ctx, 0, 6, 1, TC_F64), 2, (const int64_t[]){2, 3}), CUDA0, false);
  tc_tensor *xt = tc_t(x);
  DLManagedTensor *m = tc_to_dlpack_legacy(xt, false);
  assert_non_null(m);
  assert_int_equal(m->dl_tensor.device.device_type, kDLCUDA);
  assert_int_equal(m->dl_tensor.strides[0], 1);
  assert_int_equal(m->dl_tensor.strides[1], 3);
  tc_tensor *y = tc_from_dlpack_legacy(ctx, m);
  assert_non_null(y);
  assert_int_equal(tc_tensor_device(y).type, TC_CUDA);
  expect_repr(y, "tensor([[0., 3.],\n        [1., 4.],\n        [2., 5.]], device='cuda:0', dtype=torch.float64)");
  /* one memory: a write through the import is seen by the exporter */
  assert_int_equal(tc_fill_(y, -1), TC_OK);
  expect_repr(x, "tensor([[-1., -1., -1.],\n        [-1., -1., -1.]], device='cuda:0', dtype=torch.float64)");
  /* a copy is flagged and is not shared */
  DLManagedTensorVersioned *cp = tc_to_dlpack(x, true);
  assert_non_null(cp);
  assert_int_equal(cp->flags, DLPACK_FLAG_BITMASK_IS_COPIED);
  assert_int_equal(cp->dl_tensor.device.device_type, kDLCUDA);
  tc_tensor *z = tc_from_dlpack(ctx, cp);
  assert_int_equal(tc_fill_(x, 5), TC_OK);
  expect_repr(z, "tensor([[-1., -1., -1.],\n        [-1., -1., -1.]], device='cuda:0', dtype=torch.float64)");
}

static void a_blob_on_a_device_that_is_not_there_is_refused_and_stays_the_callers(void **state) {
  (void)state;
  float mem[4] = {0};
  blob_releases = 0;
  assert_null(tc_from_blob(ctx, mem, TC_F32, (tc_device){TC_CUDA, 7}, 1, (const int64_t[]){4}, NULL, blob_release,
                           NULL));
  assert_non_null(strstr(tc_last_error(ctx), "tc_from_blob: CUDA error: invalid device ordinal"));
  tc_clear_error(ctx);
  assert_null(tc_from_blob(ctx, mem, TC_F32, (tc_device){(tc_device_type)9, 0}, 1, (const int64_t[]){4}, NULL,
                           blob_release, NULL));
  assert_non_null(strstr(tc_last_error(ctx), "unknown device type"));
  tc_clear_error(ctx);
  /* on the CPU it is tc_from_host_memory */
  tc_tensor *t = tc_from_blob(ctx, mem, TC_F32, CPU, 1, (const int64_t[]){4}, NULL, blob_release, NULL);
  assert_non_null(t);
  assert_int_equal(tc_fill_(t, 2), TC_OK);
  assert_true(mem[3] == 2);
  assert_int_equal(blob_releases, 0);
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
      cmocka_unit_test_setup_teardown(indexing_joins_scans_and_sorts_keep_cuda_results_on_cuda, setup, teardown),
      cmocka_unit_test_setup_teardown(the_same_seed_gives_the_same_numbers_on_cpu_and_cuda, setup, teardown),
      cmocka_unit_test_setup_teardown(writes_through_views_on_cuda_are_seen_by_every_alias, setup, teardown),
      cmocka_unit_test_setup_teardown(indexed_and_masked_writes_on_cuda_are_one_scatter_kernel, setup, teardown),
      cmocka_unit_test_setup_teardown(matmul_on_cuda_gives_the_cpus_bits, setup, teardown),
      cmocka_unit_test_setup_teardown(matmul_epilogues_on_cuda_give_the_cpus_bits, setup, teardown),
      cmocka_unit_test_setup_teardown(pinned_memory_and_non_blocking_copies_round_trip, setup, teardown),
      cmocka_unit_test_setup_teardown(a_chain_of_kernels_is_queued_and_read_back_in_order, setup, teardown),
      cmocka_unit_test_setup_teardown(buffers_released_while_their_kernels_are_queued_are_reused_in_order, setup, teardown),
      cmocka_unit_test_setup_teardown(memory_stats_count_held_and_cached_blocks_and_empty_cache_frees, setup, teardown),
      cmocka_unit_test_setup_teardown(a_pinned_non_blocking_copy_is_queued_before_the_kernel_that_reads_it, setup, teardown),
      cmocka_unit_test_setup_teardown(overwriting_a_pinned_source_waits_for_the_copy_that_reads_it, setup, teardown),
      cmocka_unit_test_setup_teardown(synchronize_drains_every_queued_kernel_and_copy, setup, teardown),
      cmocka_unit_test_setup_teardown(a_round_trip_through_the_cpu_keeps_the_values, setup, teardown),
      cmocka_unit_test_setup_teardown(an_error_in_a_queued_kernel_surfaces_at_the_next_synchronization, setup, teardown),
      cmocka_unit_test_setup_teardown(a_cuda_blob_is_wrapped_without_a_copy_and_released_after_its_work, setup, teardown),
      cmocka_unit_test_setup_teardown(a_cuda_tensor_round_trips_through_dlpack_and_shares_its_memory, setup, teardown),
      cmocka_unit_test_setup_teardown(a_blob_on_a_device_that_is_not_there_is_refused_and_stays_the_callers, setup,
                                      teardown),
  };
  return rc | cmocka_run_group_tests_name("cuda", tests, NULL, NULL);
}
