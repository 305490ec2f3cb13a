/*
 * test_host.c — memory shared with the host, and what a language binding
 * needs besides (tensorc.h):
 *
 * (a) tc_from_host_memory wraps the caller's memory without copying: the
 *     caller's writes are seen by the next op, an op reads the memory when
 *     it is called (a later write does not change its result, as in eager
 *     PyTorch), tensorc's writes (fill_, copy_ through a view, add_,
 *     index_put_, masked_fill_) land in the memory before they return,
 *     strided and expanded layouts are read as the strides say, negative
 *     strides fail with PyTorch's message (and the memory stays the
 *     caller's), and `release` is called exactly once, when the last
 *     handle goes or at tc_ctx_free.
 * (b) tc_share_host gives a writable pointer to a tensor's memory: writes
 *     through it are seen by tensorc and tensorc's writes are seen through
 *     it; lazy work pending before the call keeps the old values; a write
 *     whose value reads the old values of its own storage (x[1:] = x[:-1])
 *     is right and lands in the memory; a CUDA tensor is refused.
 * (c) DLPack both ways (tc_from_dlpack/_legacy, tc_to_dlpack/_legacy), with
 *     structs made by hand as a producer makes them: no copy, the deleter
 *     called once, the read-only flag refusing writes, host memory only.
 * (d) tc_last_error_kind names the exception PyTorch raises;
 *     tc_ctx_live_tensors and tc_ctx_live_nodes count what is alive.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tensorc.h"
#include "api/dlpack.h" /* the DLPack structs, from the specification */

static tc_ctx *ctx;

static int setup(void **state) {
  (void)state;
  ctx = tc_ctx_new(NULL);
  return ctx ? 0 : -1;
}
static int teardown(void **state) {
  (void)state;
  tc_ctx_free(ctx);
  return 0;
}

static int releases;
static void count_release(void *user) {
  releases++;
  *(int *)user += 1;
}

static void read_all(tc_tensor *t, float *out, int n) {
  assert_int_equal(tc_copy_to_host(t, out, sizeof(float) * (size_t)n), TC_OK);
}

static void the_callers_memory_is_read_without_a_copy_and_released_once(void **state) {
  (void)state;
  float mem[4] = {1, 2, 3, 4};
  int released = 0;
  int64_t shape[] = {4};
  tc_tensor *t = tc_from_host_memory(ctx, mem, TC_F32, 1, shape, NULL, count_release, &released);
  assert_non_null(t);
  assert_true(tc_is_shared(t));
  assert_ptr_equal(tc_data_ptr(t), mem);
  mem[0] = 99; /* the caller writes: the next op sees it */
  tc_tensor *y = tc_add_scalar(t, 1);
  mem[1] = -5; /* after the op was called: y does not change */
  float out[4];
  read_all(y, out, 4);
  assert_true(out[0] == 100 && out[1] == 3 && out[3] == 5);
  tc_tensor *v = tc_slice(t, 0, 1, 3, 1); /* a view shares the memory too */
  tc_tensor_release(t);
  assert_int_equal(released, 0);
  read_all(v, out, 2);
  assert_true(out[0] == -5 && out[1] == 3);
  tc_tensor_release(y);
  tc_tensor_release(v);
  assert_int_equal(released, 1);
}

static void tensorc_writes_land_in_the_callers_memory_at_once(void **state) {
  (void)state;
  int64_t mem[6] = {0, 1, 2, 3, 4, 5};
  int released = 0;
  int64_t shape[] = {2, 3};
  tc_tensor *t = tc_from_host_memory(ctx, mem, TC_I64, 2, shape, NULL, count_release, &released);
  assert_non_null(t);
  tc_tensor *row = tc_select(t, 0, 1);
  assert_int_equal(tc_fill_(row, 7), TC_OK);
  assert_true(mem[3] == 7 && mem[4] == 7 && mem[5] == 7 && mem[0] == 0);
  tc_tensor *col = tc_select(t, 1, 0);
  tc_tensor *src = tc_arange_int(ctx, 10, 12, 1);
  assert_int_equal(tc_copy_(col, src), TC_OK);
  assert_true(mem[0] == 10 && mem[3] == 11);
  assert_int_equal(tc_add_(t, tc_scalar(ctx, 1, TC_I64)), TC_OK);
  assert_true(mem[0] == 11 && mem[1] == 2 && mem[5] == 8);
  int64_t ix[] = {2, 0};
  tc_tensor *idx = tc_from_data(ctx, ix, TC_I64, 1, (int64_t[]){2});
  tc_tensor *vals = tc_full(ctx, -1, TC_I64, 1, (int64_t[]){2});
  tc_tensor *flat = tc_view(t, 1, (int64_t[]){6});
  assert_int_equal(tc_index_put_(flat, 1, &idx, vals, false), TC_OK);
  assert_true(mem[2] == -1 && mem[0] == -1);
  tc_tensor *mask = tc_binary_scalar(TC_OP_GT, t, 7, false, false);
  assert_int_equal(tc_masked_fill_(t, mask, 0), TC_OK);
  assert_true(mem[3] == 0 && mem[5] == 0 && mem[1] == 2);
  assert_int_equal(tc_last_status(ctx), TC_OK);
  tc_tensor *all[] = {t, row, col, src, idx, vals, flat, mask};
  for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) tc_tensor_release(all[i]);
  assert_int_equal(released, 1);
}

static void strided_memory_is_read_as_its_strides_say(void **state) {
  (void)state;
  float mem[6] = {0, 1, 2, 3, 4, 5}; /* a (2, 3) array seen transposed: (3, 2) */
  int released = 0;
  tc_tensor *t = tc_from_host_memory(ctx, mem, TC_F32, 2, (int64_t[]){3, 2}, (int64_t[]){1, 3},
                                     count_release, &released);
  assert_non_null(t);
  assert_false(tc_tensor_is_contiguous(t));
  float out[6];
  read_all(t, out, 6);
  float want[] = {0, 3, 1, 4, 2, 5};
  assert_memory_equal(out, want, sizeof want);
  /* stride 0: one element read many times */
  tc_tensor *e = tc_from_host_memory(ctx, mem + 2, TC_F32, 2, (int64_t[]){2, 3}, (int64_t[]){0, 1}, NULL, NULL);
  read_all(e, out, 6);
  float want2[] = {2, 3, 4, 2, 3, 4};
  assert_memory_equal(out, want2, sizeof want2);
  tc_tensor_release(t);
  tc_tensor_release(e);
  assert_int_equal(released, 1);
}

static void negative_strides_fail_and_leave_the_memory_with_the_caller(void **state) {
  (void)state;
  float mem[3] = {0};
  int released = 0;
  tc_tensor *t = tc_from_host_memory(ctx, mem + 2, TC_F32, 1, (int64_t[]){3}, (int64_t[]){-1},
                                     count_release, &released);
  assert_null(t);
  assert_non_null(strstr(tc_last_error(ctx), "negative strides are not currently supported"));
  assert_int_equal(tc_last_error_kind(ctx), TC_KIND_VALUE);
  tc_clear_error(ctx);
  assert_int_equal(released, 0);
  assert_null(tc_from_host_memory(ctx, NULL, TC_F32, 1, (int64_t[]){3}, NULL, NULL, NULL));
  tc_clear_error(ctx);
}

static void ctx_free_releases_memory_a_forgotten_handle_holds(void **state) {
  (void)state;
  tc_ctx *c = tc_ctx_new(NULL);
  double mem[2] = {1, 2};
  int released = 0;
  tc_tensor *t = tc_from_host_memory(c, mem, TC_F64, 1, (int64_t[]){2}, NULL, count_release, &released);
  tc_tensor *y = tc_mul_scalar(t, 2);
  (void)y;
  tc_ctx_free(c);
  assert_int_equal(released, 1);
}

static void a_shared_pointer_sees_both_ways(void **state) {
  (void)state;
  tc_tensor *t = tc_arange(ctx, 0, 6, 1, TC_F32);
  tc_tensor *m = tc_view(t, 2, (int64_t[]){2, 3});
  float *p = tc_share_host(m);
  assert_non_null(p);
  assert_true(tc_is_shared(t)); /* the storage is shared, so every view is */
  assert_true(p[4] == 4);
  p[0] = 42; /* the host writes: tensorc reads it */
  assert_true(tc_item(tc_select(t, 0, 0)) == 42);
  tc_tensor *twice = tc_mul_scalar(t, 2);
  p[1] = 100; /* after the op was called */
  float out[6];
  read_all(twice, out, 6);
  assert_true(out[0] == 84 && out[1] == 2);
  assert_int_equal(tc_fill_(tc_select(m, 0, 1), -3), TC_OK); /* tensorc writes: the host sees it */
  assert_true(p[3] == -3 && p[5] == -3 && p[2] == 2);
  assert_ptr_equal(tc_share_host(t), p); /* sharing again: the same memory */
  tc_tensor_release(twice);
  tc_tensor_release(m);
  tc_tensor_release(t);
}

static void lazy_work_pending_before_sharing_keeps_the_old_values(void **state) {
  (void)state;
  tc_tensor *t = tc_arange(ctx, 0, 4, 1, TC_F32);
  assert_int_equal(tc_realize(t), TC_OK);
  tc_tensor *y = tc_add_scalar(t, 10); /* lazy: reads t's value now */
  float *p = tc_share_host(t);
  assert_non_null(p);
  p[0] = 1000;
  float out[4];
  read_all(y, out, 4);
  assert_true(out[0] == 10 && out[3] == 13);
  read_all(t, out, 4);
  assert_true(out[0] == 1000);
  tc_tensor_release(y);
  tc_tensor_release(t);
}

static void a_write_reading_its_own_storage_lands_in_the_memory(void **state) {
  (void)state;
  int32_t mem[5] = {1, 2, 3, 4, 5};
  tc_tensor *x = tc_from_host_memory(ctx, mem, TC_I32, 1, (int64_t[]){5}, NULL, NULL, NULL);
  tc_tensor *dst = tc_slice(x, 0, 1, TC_SLICE_END, 1), *src = tc_slice(x, 0, 0, 4, 1);
  assert_int_not_equal(tc_copy_(dst, src), TC_OK); /* a partial overlap: refused, as PyTorch */
  assert_non_null(strstr(tc_last_error(ctx), "refer to a single memory location"));
  tc_clear_error(ctx);
  tc_tensor *cl = tc_clone(src);
  assert_int_equal(tc_copy_(dst, cl), TC_OK);
  tc_tensor_release(cl);
  int32_t want[] = {1, 1, 2, 3, 4};
  assert_memory_equal(mem, want, sizeof want);
  tc_tensor *rev = tc_from_data(ctx, (int32_t[]){5, 4, 3, 2, 1}, TC_I32, 1, (int64_t[]){5});
  assert_int_equal(tc_copy_(x, rev), TC_OK);
  assert_int_equal(tc_add_(x, x), TC_OK);
  int32_t want2[] = {10, 8, 6, 4, 2};
  assert_memory_equal(mem, want2, sizeof want2);
  tc_tensor_release(dst);
  tc_tensor_release(src);
  tc_tensor_release(rev);
  tc_tensor_release(x);
}

static void a_cuda_tensor_is_not_shared_with_the_host(void **state) {
  (void)state;
  tc_tensor *t = tc_ones(ctx, TC_F32, 1, (int64_t[]){2});
  tc_tensor *g = tc_to(t, (tc_device){TC_CUDA, 0}, false);
  if (!g) { /* no CUDA here: the request itself fails */
    assert_non_null(strstr(tc_last_error(ctx), "CUDA is not available"));
  } else {
    assert_null(tc_share_host(g));
    assert_non_null(strstr(tc_last_error(ctx), "copy it to the CPU first"));
  }
  tc_clear_error(ctx);
  tc_tensor_release(g);
  tc_tensor_release(t);
}

static void error_kinds_name_the_exception_pytorch_raises(void **state) {
  (void)state;
  assert_int_equal(tc_last_error_kind(ctx), TC_KIND_NONE);
  tc_tensor *t = tc_zeros(ctx, TC_F32, 2, (int64_t[]){2, 3});
  tc_tensor_release(tc_select(t, 0, 5));
  assert_int_equal(tc_last_error_kind(ctx), TC_KIND_INDEX);
  tc_clear_error(ctx);
  tc_tensor_release(tc_sum(t, (int[]){4}, 1, false));
  assert_int_equal(tc_last_error_kind(ctx), TC_KIND_INDEX);
  tc_clear_error(ctx);
  tc_tensor *u = tc_zeros(ctx, TC_F32, 2, (int64_t[]){3, 2});
  tc_tensor_release(tc_add(t, u));
  assert_int_equal(tc_last_error_kind(ctx), TC_KIND_RUNTIME);
  tc_clear_error(ctx);
  tc_tensor *b = tc_ones(ctx, TC_BOOL, 1, (int64_t[]){2});
  tc_tensor_release(tc_neg(b));
  assert_int_equal(tc_last_error_kind(ctx), TC_KIND_NOT_IMPLEMENTED);
  tc_clear_error(ctx);
  tc_tensor_release(t);
  tc_tensor_release(u);
  tc_tensor_release(b);
}

static void live_counts_return_to_where_they_were(void **state) {
  (void)state;
  int64_t h0 = tc_ctx_live_tensors(ctx), n0 = tc_ctx_live_nodes(ctx);
  tc_tensor *a = tc_ones(ctx, TC_F32, 1, (int64_t[]){8});
  tc_tensor *b = tc_add_scalar(a, 1);
  tc_tensor *v = tc_slice(b, 0, 0, 4, 1);
  assert_int_equal(tc_ctx_live_tensors(ctx), h0 + 3);
  assert_true(tc_ctx_live_nodes(ctx) > n0);
  for (int i = 0; i < 1000; i++) tc_tensor_release(tc_mul(a, b));
  assert_int_equal(tc_ctx_live_tensors(ctx), h0 + 3);
  tc_tensor_release(a);
  tc_tensor_release(b);
  tc_tensor_release(v);
  assert_int_equal(tc_ctx_live_tensors(ctx), h0);
  assert_int_equal(tc_ctx_live_nodes(ctx), n0);
}

/* ---- DLPack ----------------------------------------------------------------- */

static int dl_deleted;
static void dl_versioned_deleter(DLManagedTensorVersioned *m) {
  dl_deleted++;
  m->deleter = NULL; /* called once */
}
static void dl_legacy_deleter(DLManagedTensor *m) {
  dl_deleted++;
  m->deleter = NULL;
}

static void a_dlpack_tensor_is_wrapped_without_a_copy_and_deleted_once(void **state) {
  (void)state;
  float mem[8] = {-1, 0, 1, 2, 3, 4, 5, 6};
  int64_t shape[2] = {3, 2}, strides[2] = {1, 3}; /* a transposed 2x3, one float in */
  DLManagedTensorVersioned m = {.version = {1, 0}, .deleter = dl_versioned_deleter};
  m.dl_tensor = (DLTensor){.data = mem, .device = {kDLCPU, 0}, .ndim = 2, .dtype = {kDLFloat, 32, 1},
                           .shape = shape, .strides = strides, .byte_offset = sizeof(float)};
  dl_deleted = 0;
  tc_scope_begin(ctx); /* the temporaries go before the deleter is counted */
  tc_tensor *t = tc_from_dlpack(ctx, &m);
  assert_non_null(t);
  float got[6];
  read_all(t, got, 6);
  const float want[6] = {0, 3, 1, 4, 2, 5};
  for (int i = 0; i < 6; i++) assert_true(got[i] == want[i]);
  assert_int_equal(tc_fill_(tc_select(tc_select(t, 0, 0), 0, 0), 9), TC_OK); /* lands in the producer's memory */
  assert_true(mem[1] == 9);
  mem[2] = 7; /* the producer's change is seen by the next op */
  tc_tensor *s = tc_sum(t, NULL, 0, false);
  assert_true(tc_item(s) == 9 + 3 + 7 + 4 + 2 + 5);
  tc_tensor_release(s);
  assert_int_equal(dl_deleted, 0);
  tc_scope_end(ctx);
  assert_int_equal(dl_deleted, 1);
  /* the legacy struct the same way */
  int64_t l[1] = {3};
  DLManagedTensor lm = {.deleter = dl_legacy_deleter};
  lm.dl_tensor = (DLTensor){.data = mem, .device = {kDLCPU, 0}, .ndim = 1, .dtype = {kDLFloat, 32, 1}, .shape = l};
  tc_scope_begin(ctx);
  tc_tensor *u = tc_from_dlpack_legacy(ctx, &lm);
  assert_non_null(u);
  assert_true(tc_item(tc_sum(u, NULL, 0, false)) == -1 + 9 + 7);
  tc_scope_end(ctx);
  assert_int_equal(dl_deleted, 2);
}

static void a_read_only_dlpack_tensor_refuses_writes_and_bad_ones_stay_the_producers(void **state) {
  (void)state;
  int64_t mem[3] = {1, 2, 3}, shape[1] = {3};
  DLManagedTensorVersioned m = {.version = {1, 0}, .deleter = dl_versioned_deleter,
                                .flags = DLPACK_FLAG_BITMASK_READ_ONLY};
  m.dl_tensor = (DLTensor){.data = mem, .device = {kDLCPU, 0}, .ndim = 1, .dtype = {kDLInt, 64, 1}, .shape = shape};
  dl_deleted = 0;
  tc_scope_begin(ctx);
  tc_tensor *t = tc_from_dlpack(ctx, &m);
  assert_non_null(t);
  assert_int_not_equal(tc_add_(t, t), TC_OK);
  assert_non_null(strstr(tc_last_error(ctx), "read-only"));
  tc_clear_error(ctx);
  assert_int_not_equal(tc_fill_(tc_slice(t, 0, 1, 2, 1), 0), TC_OK); /* through a view too */
  tc_clear_error(ctx);
  assert_true(mem[1] == 2);
  tc_tensor *c = tc_clone(t); /* a clone is the caller's to write */
  assert_int_equal(tc_fill_(c, 0), TC_OK);
  assert_true(tc_item_int(tc_sum(tc_add(t, c), NULL, 0, false)) == 6);
  tc_scope_end(ctx);
  assert_int_equal(dl_deleted, 1);
  /* refused: device memory, vector lanes, a newer major version; the
   * deleter is not called (the producer still owns its tensor) */
  m.flags = 0;
  m.dl_tensor.device = (DLDevice){kDLOpenCL, 0};
  assert_null(tc_from_dlpack(ctx, &m));
  assert_non_null(strstr(tc_last_error(ctx), "kDLCPU"));
  m.dl_tensor.device = (DLDevice){kDLCPU, 0};
  m.dl_tensor.dtype = (DLDataType){kDLFloat, 32, 4};
  assert_null(tc_from_dlpack(ctx, &m));
  m.dl_tensor.dtype = (DLDataType){kDLInt, 64, 1};
  m.version.major = 2;
  assert_null(tc_from_dlpack(ctx, &m));
  tc_clear_error(ctx);
  assert_int_equal(dl_deleted, 1);
}

static void a_tensor_exported_by_dlpack_shares_its_memory_until_deleted(void **state) {
  (void)state;
  int64_t h0 = tc_ctx_live_tensors(ctx);
  tc_scope_begin(ctx);
  tc_tensor *x = tc_reshape(tc_arange(ctx, 0, 6, 1, TC_F32), 2, (const int64_t[]){2, 3});
  tc_tensor *xt = tc_t(x);
  DLManagedTensorVersioned *m = tc_to_dlpack(xt, false);
  assert_non_null(m);
  assert_int_equal(m->version.major, 1);
  assert_int_equal(m->flags, 0);
  DLTensor *d = &m->dl_tensor;
  assert_int_equal(d->ndim, 2);
  assert_true(d->shape[0] == 3 && d->shape[1] == 2 && d->strides[0] == 1 && d->strides[1] == 3);
  assert_true(d->dtype.code == kDLFloat && d->dtype.bits == 32 && d->dtype.lanes == 1);
  assert_int_equal(d->device.device_type, kDLCPU);
  float *p = (float *)((char *)d->data + d->byte_offset);
  assert_true(p[1 * 3 + 0] == 3); /* xt[0, 1] = x[1, 0] */
  p[0] = 42; /* the consumer's write is seen by tensorc */
  assert_true(tc_item(tc_select(tc_select(x, 0, 0), 0, 0)) == 42);
  tc_scope_end(ctx);
  assert_int_equal(tc_ctx_live_tensors(ctx), h0 + 1); /* the struct's handle */
  m->deleter(m);
  assert_int_equal(tc_ctx_live_tensors(ctx), h0);
  /* a copy, flagged, and the legacy struct */
  tc_scope_begin(ctx);
  tc_tensor *y = tc_arange(ctx, 0, 4, 1, TC_F32);
  DLManagedTensorVersioned *mc = tc_to_dlpack(y, true);
  assert_non_null(mc);
  assert_true(mc->flags & DLPACK_FLAG_BITMASK_IS_COPIED);
  ((float *)mc->dl_tensor.data)[0] = 5; /* the copy's, not y's */
  assert_true(tc_item(tc_sum(y, NULL, 0, false)) == 6);
  mc->deleter(mc);
  DLManagedTensor *lm = tc_to_dlpack_legacy(y, false);
  assert_non_null(lm);
  ((float *)lm->dl_tensor.data)[3] = 10;
  assert_true(tc_item(tc_sum(y, NULL, 0, false)) == 13);
  lm->deleter(lm);
  tc_scope_end(ctx);
  assert_int_equal(tc_ctx_live_tensors(ctx), h0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(the_callers_memory_is_read_without_a_copy_and_released_once),
      cmocka_unit_test(tensorc_writes_land_in_the_callers_memory_at_once),
      cmocka_unit_test(strided_memory_is_read_as_its_strides_say),
      cmocka_unit_test(negative_strides_fail_and_leave_the_memory_with_the_caller),
      cmocka_unit_test(ctx_free_releases_memory_a_forgotten_handle_holds),
      cmocka_unit_test(a_shared_pointer_sees_both_ways),
      cmocka_unit_test(lazy_work_pending_before_sharing_keeps_the_old_values),
      cmocka_unit_test(a_write_reading_its_own_storage_lands_in_the_memory),
      cmocka_unit_test(a_cuda_tensor_is_not_shared_with_the_host),
      cmocka_unit_test(a_dlpack_tensor_is_wrapped_without_a_copy_and_deleted_once),
      cmocka_unit_test(a_read_only_dlpack_tensor_refuses_writes_and_bad_ones_stay_the_producers),
      cmocka_unit_test(a_tensor_exported_by_dlpack_shares_its_memory_until_deleted),
      cmocka_unit_test(error_kinds_name_the_exception_pytorch_raises),
      cmocka_unit_test(live_counts_return_to_where_they_were),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
