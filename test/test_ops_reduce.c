/*
 * test_ops_reduce.c — reductions (sum, prod, mean, amax/amin, all/any,
 * var/std with a correction, logsumexp, softmax/log_softmax, argmax/argmin,
 * max/min along a dim) over every dim, single dims, several dims, negative
 * dims and keepdim, on contiguous and non-contiguous inputs (permuted,
 * sliced with steps, expanded), and matmul (1-D, 2-D, batched with
 * broadcast batch dims). Expected values were produced by PyTorch 2.x on the
 * same data (x: a 2x3x4 float32 tensor with ties and negative values, xi: an
 * int32 one, x6: a 3x4 one with NaN and -inf).
 */
#include "tc_expect.h"

/* a dim list: D(0, 2) is (pointer, count); ALL reduces every dim */
#define D(...) (const int[]){__VA_ARGS__}, (int)(sizeof((const int[]){__VA_ARGS__}) / sizeof(int))
#define ALL NULL, 0

static tc_tensor *X(tc_ctx *ctx) {
  return mk(ctx, TC_F32, SH(2, 3, 4), (const double[]){-2.5, 1.0, -1.0, 2.5, 0.5, -1.5, 2.0, 0.0, -2.0, 1.5, -0.5, -2.5, 1.0, -1.0, 2.5, 0.5, -1.5, 2.0, 0.0, -2.0, 1.5, -0.5, -2.5, 1.0}, 24);
}
static tc_tensor *XI(tc_ctx *ctx) {
  return mk(ctx, TC_I32, SH(2, 3, 4), (const double[]){-6, -1, 4, -4, 1, 6, -2, 3, -5, 0, 5, -3, 2, -6, -1, 4, -4, 1, 6, -2, 3, -5, 0, 5}, 24);
}
static tc_tensor *X6(tc_ctx *ctx) {
  return mk(ctx, TC_F32, SH(3, 4), (const double[]){1.0, 5.0, 5.0, 2.0, NAN, 3.0, -1.0, NAN, -INFINITY, -INFINITY, 0.0, 7.0}, 12);
}

/* ---- sum, prod, mean ---------------------------------------------------------- */

TC_CASE(sum_reduces_all_dims_one_dim_or_several_with_or_without_keepdim) {
  tc_tensor *x = X(ctx);
  expect(tc_sum(x, ALL, false), TC_F32, SH0, V(-1.5));
  expect(tc_sum(x, D(0), false), TC_F32, SH(3, 4), V(-1.5, 0.0, 1.5, 3.0, -1.0, 0.5, 2.0, -2.0, -0.5, 1.0, -3.0, -1.5));
  expect(tc_sum(x, D(1), true), TC_F32, SH(2, 1, 4), V(-4.0, 1.0, 0.5, 0.0, 1.0, 0.5, 0.0, -0.5));
  expect(tc_sum(x, D(-1), false), TC_F32, SH(2, 3), V(0.0, 1.0, -3.5, 3.0, -1.5, -0.5));
  expect(tc_sum(x, D(0, 2), false), TC_F32, SH(3), V(3.0, -0.5, -4.0));
  expect(tc_sum(x, D(-1, -3), true), TC_F32, SH(1, 3, 1), V(3.0, -0.5, -4.0));
  expect(tc_sum(x, D(0, 1, 2), true), TC_F32, SH(1, 1, 1), V(-1.5));
  expect(tc_sum(x, ALL, true), TC_F32, SH(1, 1, 1), V(-1.5));
  expect_repr(tc_sum(x, D(2), false), "tensor([[ 0.0000,  1.0000, -3.5000],\n"
              "        [ 3.0000, -1.5000, -0.5000]])");
}

TC_CASE(sum_of_integers_and_bools_accumulates_in_int64) {
  tc_tensor *xi = XI(ctx);
  expect(tc_sum(xi, ALL, false), TC_I64, SH0, V(1));
  expect(tc_sum(xi, D(1), false), TC_I64, SH(2, 4), V(-10, 5, 7, -4, 1, -10, 5, 7));
  tc_tensor *b = tc_gt(xi, tc_scalar(ctx, 0, TC_I32));
  expect(tc_sum(b, ALL, false), TC_I64, SH0, V(11));
  expect(tc_sum(b, D(2), false), TC_I64, SH(2, 3), V(1, 3, 1, 2, 2, 2));
  tc_tensor *u = mk(ctx, TC_U8, SH(3), V(255, 255, 7));
  expect_repr(tc_sum(u, ALL, false), "tensor(517)");
  expect_i64(tc_sum(mk(ctx, TC_I8, SH(2), V(100, 100)), ALL, false), SH0, I64(200));
}

/* x.sum(dtype=...) and x.prod(dtype=...): the input cast first, the sum
 * wrapped in the dtype (torch.tensor([200, 100], dtype=torch.uint8)) */
TC_CASE(sum_and_prod_with_a_dtype_cast_first_and_wrap_in_it) {
  tc_tensor *u = mk(ctx, TC_U8, SH(2), V(200, 100));
  expect(tc_sum_dtype(u, ALL, false, TC_U8), TC_U8, SH0, V(44));
  expect(tc_sum_dtype(tc_to_dtype(u, TC_I64), D(0), true, TC_I8), TC_I8, SH(1), V(44));
  expect(tc_prod_dtype(tc_to_dtype(u, TC_I64), ALL, false, TC_U8), TC_U8, SH0, V(32));
  expect(tc_prod_dtype(mk(ctx, TC_F32, SH(2), V(1.5, 2.5)), ALL, false, TC_I32), TC_I32, SH0, V(2));
  expect(tc_sum_dtype(mk(ctx, TC_F32, SH(2), V(0.5, 0.25)), ALL, false, TC_BOOL), TC_BOOL, SH0, V(1));
  expect(tc_sum_dtype(XI(ctx), D(1), false, TC_F16), TC_F16, SH(2, 4), V(-10, 5, 7, -4, 1, -10, 5, 7));
  expect_err(ctx, tc_sum_dtype(u, D(1), false, TC_U8), "Dimension out of range (expected to be in range of [-1, 0], but got 1)");
}

TC_CASE(sum_of_half_precision_floats_keeps_their_dtype) {
  tc_tensor *x = X(ctx);
  expect(tc_sum(tc_to_dtype(x, TC_F16), D(1), false), TC_F16, SH(2, 4), V(-4.0, 1.0, 0.5, 0.0, 1.0, 0.5, 0.0, -0.5));
  expect(tc_sum(tc_to_dtype(x, TC_BF16), D(0, 2), true), TC_BF16, SH(1, 3, 1), V(3.0, -0.5, -4.0));
  expect(tc_sum(tc_to_dtype(x, TC_F64), ALL, false), TC_F64, SH0, V(-1.5));
  /* float16 sums accumulate in float32: 2048 + 1 + 1 is 2050, not 2048 */
  expect(tc_sum(mk(ctx, TC_F16, SH(3), V(2048, 1, 1)), ALL, false), TC_F16, SH0, V(2050.0));
}

TC_CASE(prod_multiplies_along_dims_and_promotes_integers_to_int64) {
  tc_tensor *x = X(ctx), *xi = XI(ctx);
  expect(tc_prod(x, D(2), false), TC_F32, SH(2, 3), V(6.25, -0.0, -3.75, -1.25, 0.0, 1.875));
  expect(tc_prod(x, D(0), true), TC_F32, SH(1, 3, 4), V(-2.5, -1.0, -2.5, 1.25, -0.75, -3.0, 0.0, -0.0, -3.0, -0.75, 1.25, -2.5));
  expect(tc_prod(xi, D(-1), false), TC_I64, SH(2, 3), V(-96, -36, 0, 48, 48, 0));
  expect(tc_prod(mk(ctx, TC_BOOL, SH(2, 2), V(1, 1, 0, 1)), D(1), false), TC_I64, SH(2), V(1, 0));
  expect(tc_prod(xi, ALL, false), TC_I64, SH0, V(0));
}

TC_CASE(mean_averages_over_all_dims_or_the_given_ones) {
  tc_tensor *x = X(ctx);
  expect(tc_mean(x, ALL, false), TC_F32, SH0, V(-0.0625));
  expect(tc_mean(x, D(1, 2), false), TC_F32, SH(2), V(-0.2083333283662796, 0.0833333358168602));
  expect(tc_mean(x, D(-2), true), TC_F32, SH(2, 1, 4), V(-1.3333333730697632, 0.3333333432674408, 0.1666666716337204, 0.0, 0.3333333432674408, 0.1666666716337204, 0.0, -0.1666666716337204));
  expect(tc_mean(tc_to_dtype(x, TC_F16), D(0), false), TC_F16, SH(3, 4), V(-0.75, 0.0, 0.75, 1.5, -0.5, 0.25, 1.0, -1.0, -0.25, 0.5, -1.5, -0.75));
  expect(tc_mean(tc_to_dtype(x, TC_F64), D(2), false), TC_F64, SH(2, 3), V(0.0, 0.25, -0.875, 0.75, -0.375, -0.125));
  expect_repr(tc_mean(x, D(0), false), "tensor([[-0.7500,  0.0000,  0.7500,  1.5000],\n"
              "        [-0.5000,  0.2500,  1.0000, -1.0000],\n"
              "        [-0.2500,  0.5000, -1.5000, -0.7500]])");
}

/* ---- amax, amin, max/min over everything ------------------------------------------ */

TC_CASE(amax_and_amin_reduce_several_dims_and_keep_the_input_dtype) {
  tc_tensor *x = X(ctx), *xi = XI(ctx);
  expect(tc_amax(x, D(0, 2), false), TC_F32, SH(3), V(2.5, 2.0, 1.5));
  expect(tc_amin(x, D(-1), true), TC_F32, SH(2, 3, 1), V(-2.5, -1.5, -2.5, -1.0, -2.0, -2.5));
  expect(tc_amax(x, ALL, false), TC_F32, SH0, V(2.5));
  expect(tc_amax(xi, D(1), false), TC_I32, SH(2, 4), V(1, 6, 5, 3, 3, 1, 6, 5));
  expect(tc_amin(xi, ALL, false), TC_I32, SH0, V(-6));
  expect(tc_amax(mk(ctx, TC_U8, SH(3), V(3, 250, 7)), ALL, false), TC_U8, SH0, V(250));
  expect(tc_amin(mk(ctx, TC_I8, SH(3), V(-128, 5, 127)), ALL, false), TC_I8, SH0, V(-128));
  expect(tc_amax(mk(ctx, TC_BOOL, SH(2, 2), V(0, 0, 0, 1)), D(1), false), TC_BOOL, SH(2), V(0, 1));
  expect(tc_max_all(x), TC_F32, SH0, V(2.5));
  expect(tc_min_all(xi), TC_I32, SH0, V(-6));
}

TC_CASE(amax_and_amin_propagate_nan_and_handle_infinities) {
  tc_tensor *x6 = X6(ctx);
  expect(tc_amax(x6, D(1), false), TC_F32, SH(3), V(5.0, NAN, 7.0));
  expect(tc_amin(x6, D(1), false), TC_F32, SH(3), V(1.0, NAN, -INFINITY));
  expect(tc_amax(x6, D(0), false), TC_F32, SH(4), V(NAN, 5.0, 5.0, NAN));
  expect(tc_amin(x6, D(0), false), TC_F32, SH(4), V(NAN, -INFINITY, -1.0, NAN));
  expect(tc_max_all(x6), TC_F32, SH0, V(NAN));
  expect_repr(tc_amin(x6, D(0), false), "tensor([nan, -inf, -1., nan])");
}

/* ---- all, any ------------------------------------------------------------------------- */

TC_CASE(all_and_any_test_nonzero_along_dims_and_return_bool) {
  tc_tensor *x = X(ctx);
  expect(tc_all(x, ALL, false), TC_BOOL, SH0, V(0));
  expect(tc_any(x, ALL, false), TC_BOOL, SH0, V(1));
  expect(tc_all(x, D(2), false), TC_BOOL, SH(2, 3), V(1, 0, 1, 1, 0, 1));
  expect(tc_any(tc_eq(x, tc_scalar(ctx, 2.5, TC_F32)), D(0, 2), true), TC_BOOL, SH(1, 3, 1), V(1, 0, 0));
  expect(tc_all(mk(ctx, TC_F32, SH(3), V(NAN, -0.0, 1)), ALL, false), TC_BOOL, SH0, V(0));
  expect(tc_any(mk(ctx, TC_F32, SH(2), V(NAN, 0)), ALL, false), TC_BOOL, SH0, V(1));
  /* the empty product / sum of truth values */
  expect(tc_all(tc_zeros(ctx, TC_F32, 1, (const int64_t[]){0}), ALL, false), TC_BOOL, SH0, V(1));
  expect(tc_any(tc_zeros(ctx, TC_F32, 1, (const int64_t[]){0}), ALL, false), TC_BOOL, SH0, V(0));
}

/* torch.all / torch.any of a uint8 tensor return uint8 (a legacy rule kept
 * by PyTorch 2.x) */
TC_CASE(all_and_any_of_uint8_return_uint8) {
  tc_tensor *u = mk(ctx, TC_U8, SH(3), V(1, 0, 2));
  expect_repr(tc_all(u, ALL, false), "tensor(0, dtype=torch.uint8)");
  expect_repr(tc_any(u, D(0), false), "tensor(1, dtype=torch.uint8)");
}

/* ---- var, std -------------------------------------------------------------------------- */

TC_CASE(var_and_std_use_the_given_correction) {
  tc_tensor *x = X(ctx);
  expect(tc_var(x, ALL, 1, false), TC_F32, SH0, V(2.7024457454681396));
  expect(tc_var(x, ALL, 0, false), TC_F32, SH0, V(2.58984375));
  expect(tc_var(x, D(0, 2), 2, false), TC_F32, SH(3), V(3.6458332538604736, 2.7864582538604736, 3.4166667461395264));
  expect(tc_std(x, D(-1), 1, true), TC_F32, SH(2, 3, 1), V(2.198484420776367, 1.4433757066726685, 1.7969882488250732, 1.4433757066726685, 1.7969882488250732, 1.7969882488250732));
  expect(tc_std(x, D(1), 0, false), TC_F32, SH(2, 4), V(1.312334656715393, 1.312334656715393, 1.312334656715393, 2.041241407394409, 1.312334656715393, 1.312334656715393, 2.041241407394409, 1.312334656715393));
  expect(tc_var(tc_to_dtype(x, TC_F64), D(2), 1, false), TC_F64, SH(2, 3), V(4.833333333333333, 2.083333333333333, 3.2291666666666665, 2.083333333333333, 3.2291666666666665, 3.2291666666666665));
  expect(tc_std(tc_to_dtype(x, TC_F16), D(0), 1, false), TC_F16, SH(3, 4), V(2.474609375, 1.4140625, 2.474609375, 1.4140625, 1.4140625, 2.474609375, 1.4140625, 1.4140625, 2.474609375, 1.4140625, 1.4140625, 2.474609375));
}

TC_CASE(var_with_no_degrees_of_freedom_left_is_nan_or_inf) {
  /* torch.tensor([1.]).var() is nan; var over 2 values with correction 2 is inf */
  expect(tc_var(mk(ctx, TC_F32, SH(1), V(1)), ALL, 1, false), TC_F32, SH0, V(NAN));
  expect(tc_var(mk(ctx, TC_F32, SH(2), V(1, 3)), ALL, 2, false), TC_F32, SH0, V(INFINITY));
  expect(tc_std(mk(ctx, TC_F32, SH(2, 1), V(1, 3)), D(1), 1, false), TC_F32, SH(2), V(NAN, NAN));
}

TC_CASE(var_and_std_refuse_integer_tensors_with_pytorchs_message) {
  expect_err(ctx, tc_var(XI(ctx), ALL, 1, false), "std and var only support floating point and complex dtypes");
  expect_err(ctx, tc_std(XI(ctx), D(0), 1, false), "std and var only support floating point and complex dtypes");
}

/* ---- logsumexp, softmax, log_softmax ------------------------------------------------------ */

TC_CASE(logsumexp_is_stable_for_large_values_and_infinities) {
  tc_tensor *x = X(ctx);
  expect(tc_logsumexp(x, D(2), false), TC_F32, SH(2, 3), V(2.731163740158081, 2.328341484069824, 1.668770432472229, 2.828341484069824, 2.1687705516815186, 2.0654170513153076));
  expect(tc_logsumexp(x, D(0, 1), true), TC_F32, SH(1, 1, 4), V(2.2288570404052734, 2.7591593265533447, 3.073990821838379, 2.877338171005249));
  expect(tc_logsumexp(mk(ctx, TC_F32, SH(2), V(1000, 1000)), D(0), false), TC_F32, SH0, V(1000.6931762695312));
  expect(tc_logsumexp(mk(ctx, TC_F32, SH(2, 2), V(-INFINITY, -INFINITY, INFINITY, 1)), D(1), false),
         TC_F32, SH(2), V(-INFINITY, INFINITY));
  expect(tc_logsumexp(XI(ctx), D(-1), false), TC_F32, SH(2, 3), V(4.00709342956543, 6.055302619934082, 5.00709342956543, 4.132884979248047, 6.00709342956543, 5.132884979248047));
  expect(tc_logsumexp(tc_to_dtype(x, TC_F64), D(1), false), TC_F64, SH(2, 4), V(0.6238729583693673, 2.0045969023422834, 2.1238729583693674, 2.58509724636431, 2.0045969023422834, 2.1238729583693674, 2.58509724636431, 1.5045969023422834));
}

TC_CASE(softmax_and_log_softmax_normalize_along_one_dim) {
  tc_tensor *x = X(ctx);
  expect(tc_softmax(x, -1), TC_F32, SH(2, 3, 4), V(0.005347298923879862, 0.1770782172679901, 0.023964930325746536, 0.7936094999313354, 0.1606798619031906, 0.021745653823018074, 0.7201171517372131, 0.09745725989341736, 0.025507813319563866, 0.8447027802467346, 0.11431808769702911, 0.015471271239221096, 0.1606798619031906, 0.021745653823018074, 0.7201171517372131, 0.09745725989341736, 0.025507813319563866, 0.8447027802467346, 0.11431808769702911, 0.015471271239221096, 0.5681231617927551, 0.0768871083855629, 0.010405538603663445, 0.3445841073989868));
  expect(tc_softmax(x, 0), TC_F32, SH(2, 3, 4), V(0.02931223064661026, 0.8807970285415649, 0.02931223064661026, 0.8807970285415649, 0.8807970285415649, 0.02931223064661026, 0.8807970285415649, 0.8807970285415649, 0.02931223064661026, 0.8807970285415649, 0.8807970285415649, 0.02931223064661026, 0.970687747001648, 0.11920291930437088, 0.970687747001648, 0.11920291930437088, 0.11920291930437088, 0.970687747001648, 0.11920291930437088, 0.11920291930437088, 0.970687747001648, 0.11920291930437088, 0.11920291930437088, 0.970687747001648));
  expect(tc_log_softmax(x, 1), TC_F32, SH(2, 3, 4), V(-3.123872995376587, -1.0045969486236572, -3.123872995376587, -0.08509726077318192, -0.12387295067310333, -3.5045969486236572, -0.12387295067310333, -2.585097312927246, -2.623872995376587, -0.5045968890190125, -2.623872995376587, -5.085097312927246, -1.0045969486236572, -3.123872995376587, -0.08509726077318192, -1.0045969486236572, -3.5045969486236572, -0.12387295067310333, -2.585097312927246, -3.5045969486236572, -0.5045968890190125, -2.623872995376587, -5.085097312927246, -0.5045968890190125));
  expect(tc_softmax(tc_to_dtype(x, TC_F64), 2), TC_F64, SH(2, 3, 4), V(0.005347299048748962, 0.17707822475760737, 0.023964931702607356, 0.7936095444910363, 0.1606798683172233, 0.02174565548913305, 0.7201172096606593, 0.09745726653298453, 0.025507814878654365, 0.8447028181852956, 0.11431809514987194, 0.015471271786177956, 0.1606798683172233, 0.02174565548913305, 0.7201172096606593, 0.09745726653298453, 0.025507814878654365, 0.8447028181852956, 0.11431809514987194, 0.015471271786177956, 0.5681232040593225, 0.07688711473466033, 0.01040553944986119, 0.3445841417561559));
  expect(tc_softmax(tc_to_dtype(x, TC_F16), -1), TC_F16, SH(2, 3, 4), V(0.00534820556640625, 0.1771240234375, 0.0239715576171875, 0.79345703125, 0.16064453125, 0.0217437744140625, 0.72021484375, 0.09747314453125, 0.0255126953125, 0.8447265625, 0.11431884765625, 0.015472412109375, 0.16064453125, 0.0217437744140625, 0.72021484375, 0.09747314453125, 0.0255126953125, 0.8447265625, 0.11431884765625, 0.015472412109375, 0.568359375, 0.076904296875, 0.010406494140625, 0.344482421875));
  expect(tc_softmax(tc_to_dtype(x, TC_BF16), 1), TC_BF16, SH(2, 3, 4), V(0.0439453125, 0.365234375, 0.0439453125, 0.91796875, 0.8828125, 0.030029296875, 0.8828125, 0.0751953125, 0.072265625, 0.60546875, 0.072265625, 0.006195068359375, 0.365234375, 0.0439453125, 0.91796875, 0.365234375, 0.030029296875, 0.8828125, 0.0751953125, 0.030029296875, 0.60546875, 0.072265625, 0.006195068359375, 0.60546875));
  expect_repr(tc_softmax(mk(ctx, TC_F32, SH(3), V(1, 2, 3)), 0), "tensor([0.0900, 0.2447, 0.6652])");
}

/* PyTorch's softmax kernels are for floats: an integer tensor is refused
 * (softmax(dtype=...) casts first), the kernel named by the dim */
TC_CASE(softmax_of_an_integer_tensor_is_not_implemented) {
  tc_tensor *i = mk(ctx, TC_I64, SH(1, 2), V(1, 2));
  tc_tensor *r = tc_softmax(i, 1);
  assert_int_equal(tc_last_error_kind(ctx), TC_KIND_NOT_IMPLEMENTED);
  expect_err(ctx, r, "tc_softmax: \"softmax_lastdim_kernel_impl\" not implemented for 'Long'");
  expect_err(ctx, tc_softmax(i, 0), "\"softmax_kernel_impl\" not implemented for 'Long'");
  expect_err(ctx, tc_log_softmax(tc_to_dtype(i, TC_BOOL), -1), "\"log_softmax_lastdim_kernel_impl\" not implemented for 'Bool'");
  expect_err(ctx, tc_softmax(i, 2), "Dimension out of range (expected to be in range of [-2, 1], but got 2)");
  expect(tc_softmax(tc_to_dtype(i, TC_F32), 1), TC_F32, SH(1, 2), V(0.2689414322376251, 0.7310585975646973));
}

TC_CASE(softmax_is_stable_for_large_values_and_minus_inf_entries) {
  tc_tensor *t = mk(ctx, TC_F32, SH(2, 3), V(1000, 1001, 1002, -INFINITY, 0, -INFINITY));
  expect(tc_softmax(t, 1), TC_F32, SH(2, 3), V(0.09003057330846786, 0.2447284758090973, 0.6652409434318542, 0.0, 1.0, 0.0));
  expect(tc_log_softmax(t, 1), TC_F32, SH(2, 3), V(-2.4076058864593506, -1.4076058864593506, -0.40760594606399536, -INFINITY, 0.0, -INFINITY));
  expect(tc_softmax(mk(ctx, TC_F32, SH(2), V(-INFINITY, -INFINITY)), 0), TC_F32, SH(2), V(NAN, NAN));
  /* +inf: inf - inf is NaN, and so is the whole row (torch.softmax([inf, 1.])) */
  expect(tc_softmax(mk(ctx, TC_F32, SH(2), V(INFINITY, 1)), 0), TC_F32, SH(2), V(NAN, NAN));
  expect(tc_log_softmax(mk(ctx, TC_F32, SH(2), V(INFINITY, 1)), 0), TC_F32, SH(2), V(NAN, NAN));
  /* x - max is exact, so large offsets cost no precision */
  tc_tensor *big = mk(ctx, TC_F32, SH(3), V(10000, 10001, 10002));
  expect(tc_softmax(big, 0), TC_F32, SH(3), V(0.09003057330846786, 0.2447284758090973, 0.6652409434318542));
  expect(tc_log_softmax(big, 0), TC_F32, SH(3), V(-2.4076058864593506, -1.4076058864593506, -0.40760594606399536));
}

/* ---- argmax, argmin, max/min along a dim ------------------------------------------------------ */

TC_CASE(argmax_and_argmin_pick_the_first_of_equal_extremes) {
  tc_tensor *x = X(ctx);
  expect(tc_argmax(x, false, 0, false), TC_I64, SH0, V(3));
  expect(tc_argmin(x, false, 0, false), TC_I64, SH0, V(0));
  expect(tc_argmax(x, true, 2, false), TC_I64, SH(2, 3), V(3, 2, 1, 2, 1, 0));
  expect(tc_argmin(x, true, 1, true), TC_I64, SH(2, 1, 4), V(0, 1, 0, 2, 1, 0, 2, 1));
  expect(tc_argmax(x, true, -3, false), TC_I64, SH(3, 4), V(1, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1));
  expect(tc_argmax(XI(ctx), true, 2, false), TC_I64, SH(2, 3), V(2, 1, 2, 3, 2, 3));
  expect(tc_argmin(mk(ctx, TC_U8, SH(4), V(9, 0, 0, 200)), false, 0, false), TC_I64, SH0, V(1));
  /* argmax(keepdim=True) without a dim keeps every dim as size 1 */
  expect(tc_argmax(x, false, 0, true), TC_I64, SH(1, 1, 1), V(3));
}

TC_CASE(argmax_and_argmin_return_the_first_nan) {
  tc_tensor *x6 = X6(ctx);
  expect(tc_argmax(x6, true, 1, false), TC_I64, SH(3), V(1, 0, 3));
  expect(tc_argmin(x6, true, 1, false), TC_I64, SH(3), V(0, 0, 0));
  expect(tc_argmax(x6, false, 0, false), TC_I64, SH0, V(4));
  expect(tc_argmin(x6, true, 0, false), TC_I64, SH(4), V(1, 2, 1, 1));
}

TC_CASE(max_dim_and_min_dim_return_values_and_int64_indices) {
  tc_tensor *x = X(ctx), *v = NULL, *i = NULL;
  assert_int_equal(tc_max_dim(x, 1, false, &v, &i), TC_OK);
  expect(v, TC_F32, SH(2, 4), V(0.5, 1.5, 2.0, 2.5, 1.5, 2.0, 2.5, 1.0));
  expect(i, TC_I64, SH(2, 4), V(1, 2, 1, 0, 2, 1, 0, 2));
  assert_int_equal(tc_min_dim(x, -1, true, &v, &i), TC_OK);
  expect(v, TC_F32, SH(2, 3, 1), V(-2.5, -1.5, -2.5, -1.0, -2.0, -2.5));
  expect(i, TC_I64, SH(2, 3, 1), V(0, 1, 3, 1, 3, 2));
  assert_int_equal(tc_max_dim(X6(ctx), 1, false, &v, &i), TC_OK);
  expect(v, TC_F32, SH(3), V(5.0, NAN, 7.0));
  expect(i, TC_I64, SH(3), V(1, 0, 3));
  assert_int_equal(tc_min_dim(XI(ctx), 0, false, &v, NULL), TC_OK);
  expect(v, TC_I32, SH(3, 4), V(-6, -6, -1, -4, -4, 1, -2, -2, -5, -5, 0, -3));
  assert_int_equal(tc_max_dim(XI(ctx), 2, false, NULL, &i), TC_OK);
  expect(i, TC_I64, SH(2, 3), V(2, 1, 2, 3, 2, 3));
}

/* ---- non-contiguous inputs ------------------------------------------------------------------- */

TC_CASE(reductions_of_a_permuted_tensor_follow_its_logical_order) {
  tc_tensor *p = tc_permute(X(ctx), (const int[]){2, 0, 1}); /* x.permute(2, 0, 1) */
  expect(tc_sum(p, D(1), false), TC_F32, SH(4, 3), V(-1.5, -1.0, -0.5, 0.0, 0.5, 1.0, 1.5, 2.0, -3.0, 3.0, -2.0, -1.5));
  expect(tc_amax(p, D(0, 2), true), TC_F32, SH(1, 2, 1), V(2.5, 2.5));
  expect(tc_argmax(p, true, 2, false), TC_I64, SH(4, 2), V(1, 2, 2, 1, 1, 0, 0, 2));
  expect(tc_argmax(p, false, 0, false), TC_I64, SH0, V(15));
  expect(tc_var(p, D(-1), 1, false), TC_F32, SH(4, 2), V(2.5833332538604736, 2.5833332538604736, 2.5833332538604736, 2.5833332538604736, 2.5833332538604736, 6.25, 6.25, 2.5833332538604736));
  expect(tc_softmax(p, 0), TC_F32, SH(4, 2, 3), V(0.005347298923879862, 0.1606798619031906, 0.025507813319563866, 0.1606798619031906, 0.025507813319563866, 0.5681231617927551, 0.1770782172679901, 0.021745653823018074, 0.8447027802467346, 0.021745653823018074, 0.8447027802467346, 0.0768871083855629, 0.023964930325746536, 0.7201171517372131, 0.11431808769702911, 0.7201171517372131, 0.11431808769702911, 0.01040553953498602, 0.7936094999313354, 0.09745725989341736, 0.015471271239221096, 0.09745725989341736, 0.015471271239221096, 0.3445841372013092));
  expect(tc_mean(tc_transpose(X(ctx), 0, 2), D(0), false), TC_F32, SH(3, 2), V(0.0, 0.75, 0.25, -0.375, -0.875, -0.125));
}

TC_CASE(reductions_of_a_slice_with_steps_see_only_its_elements) {
  /* x[:, ::2, 1::2] and x[..., ::-1] has no C form; x[1, :, 1:] */
  tc_tensor *s = tc_slice(tc_slice(X(ctx), 1, 0, TC_SLICE_END, 2), 2, 1, TC_SLICE_END, 2);
  expect(tc_sum(s, ALL, false), TC_F32, SH0, V(2.5));
  expect(tc_prod(s, D(1), false), TC_F32, SH(2, 2), V(1.5, -6.25, 0.5, 0.5));
  expect(tc_amin(s, D(0), false), TC_F32, SH(2, 2), V(-1.0, 0.5, -0.5, -2.5));
  expect(tc_argmin(s, false, 0, false), TC_I64, SH0, V(3));
  tc_tensor *r = tc_slice(tc_select(X(ctx), 0, 1), 1, 1, TC_SLICE_END, 1);
  expect(tc_logsumexp(r, D(1), false), TC_F32, SH(3), V(2.6531782150268555, 2.1429316997528076, 1.2258020639419556));
  expect(tc_std(r, ALL, 1, false), TC_F32, SH0, V(1.6955825090408325));
}

TC_CASE(reductions_of_an_expanded_tensor_count_every_repeat) {
  /* torch.tensor([[1.], [2.], [3.]]).expand(3, 4) */
  tc_tensor *e = tc_expand(mk(ctx, TC_F32, SH(3, 1), V(1, 2, 3)), 2, (const int64_t[]){3, 4});
  expect(tc_sum(e, D(1), false), TC_F32, SH(3), V(4.0, 8.0, 12.0));
  expect(tc_sum(e, ALL, false), TC_F32, SH0, V(24.0));
  expect(tc_mean(e, D(0), false), TC_F32, SH(4), V(2.0, 2.0, 2.0, 2.0));
  expect(tc_var(e, D(0), 1, false), TC_F32, SH(4), V(1.0, 1.0, 1.0, 1.0));
  expect(tc_prod(e, D(1), true), TC_F32, SH(3, 1), V(1.0, 16.0, 81.0));
  expect(tc_argmax(e, true, 0, false), TC_I64, SH(4), V(2, 2, 2, 2));
  expect(tc_softmax(e, 1), TC_F32, SH(3, 4), V(0.25, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25));
}

/* ---- empty tensors and errors ----------------------------------------------------------------- */

TC_CASE(reductions_of_empty_tensors_give_the_identity) {
  tc_tensor *z = tc_zeros(ctx, TC_F32, 1, (const int64_t[]){0});
  expect(tc_sum(z, ALL, false), TC_F32, SH0, V(0.0));
  expect(tc_prod(z, ALL, false), TC_F32, SH0, V(1.0));
  expect(tc_mean(z, ALL, false), TC_F32, SH0, V(NAN));
  expect(tc_sum(tc_zeros(ctx, TC_F32, 2, (const int64_t[]){2, 0}), D(1), false), TC_F32, SH(2), V(0.0, 0.0));
  expect(tc_logsumexp(z, D(0), false), TC_F32, SH0, V(-INFINITY));
}

TC_CASE(reductions_name_a_bad_dim_as_pytorch_does) {
  tc_tensor *x = X(ctx);
  expect_err(ctx, tc_sum(x, D(3), false), "Dimension out of range (expected to be in range of [-3, 2], but got 3)");
  expect_err(ctx, tc_mean(x, D(-4), false), "Dimension out of range (expected to be in range of [-3, 2], but got -4)");
  expect_err(ctx, tc_sum(x, D(0, 0), false), "dim 0 appears multiple times in the list of dims");
  expect_err(ctx, tc_amax(x, D(1, -2), false), "dim 1 appears multiple times in the list of dims");
  expect_err(ctx, tc_softmax(x, 3), "Dimension out of range (expected to be in range of [-3, 2], but got 3)");
  tc_tensor *v = NULL;
  assert_int_not_equal(tc_max_dim(x, 5, false, &v, NULL), TC_OK);
  assert_null(v);
  tc_clear_error(ctx);
  /* checked with neither output asked for too */
  tc_tensor *x1 = tc_ones(ctx, TC_F32, 1, (const int64_t[]){1});
  expect_status_err(ctx, tc_max_dim(x1, 9, false, NULL, NULL),
                    "tc_max_dim: Dimension out of range (expected to be in range of [-1, 0], but got 9)");
  expect_status_err(ctx, tc_min_dim(x1, -2, true, NULL, NULL),
                    "tc_min_dim: Dimension out of range (expected to be in range of [-1, 0], but got -2)");
}

TC_CASE(extreme_reductions_of_empty_tensors_fail_with_pytorchs_message) {
  tc_tensor *z = tc_zeros(ctx, TC_F32, 1, (const int64_t[]){0});
  expect_err(ctx, tc_amax(z, ALL, false),
             "Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with the 'dim' argument.");
  expect_err(ctx, tc_argmax(z, false, 0, false), "Expected reduction dim to be specified for input.numel() == 0.");
  /* torch.amax(torch.zeros(2, 0), 1) */
  expect_err(ctx, tc_amax(tc_zeros(ctx, TC_F32, 2, (const int64_t[]){2, 0}), D(1), false),
             "Expected reduction dim 1 to have non-zero size.");
  /* named as PyTorch names it: torch.zeros(2, 0).max(1) is max(), an IndexError */
  tc_tensor *v = NULL;
  tc_status st = tc_max_dim(tc_zeros(ctx, TC_F32, 2, (const int64_t[]){2, 0}), 1, false, &v, NULL);
  assert_int_equal(tc_last_error_kind(ctx), TC_KIND_INDEX);
  expect_status_err(ctx, st, "tc_max_dim: max(): Expected reduction dim 1 to have non-zero size.");
}

/* ---- matmul ------------------------------------------------------------------------------------ */

TC_CASE(matmul_of_two_vectors_is_a_0d_dot_product) {
  tc_tensor *a = mk(ctx, TC_F32, SH(3), V(1, 2, 3)), *b = mk(ctx, TC_F32, SH(3), V(4, -5, 6));
  expect(tc_matmul(a, b), TC_F32, SH0, V(12.0));
  expect_repr(tc_matmul(a, b), "tensor(12.)");
  expect(tc_matmul(tc_to_dtype(a, TC_I64), tc_to_dtype(b, TC_I64)), TC_I64, SH0, V(12));
}

TC_CASE(matmul_of_matrices_and_vectors_follows_torch_matmul) {
  tc_tensor *m = tc_reshape(tc_select(X(ctx), 0, 0), 2, (const int64_t[]){3, 4}); /* x[0] */
  tc_tensor *n = tc_reshape(tc_select(X(ctx), 0, 1), 2, (const int64_t[]){4, 3}); /* x[1].reshape(4, 3) */
  tc_tensor *v4 = mk(ctx, TC_F32, SH(4), V(1, -1, 2, 0.5)), *v3 = mk(ctx, TC_F32, SH(3), V(2, 0, -1));
  expect(tc_matmul(m, n), TC_F32, SH(3, 3), V(-3.25, -3.25, -3.25, -0.25, -2.25, 1.25, 0.0, 7.0, -5.25));
  expect(tc_matmul(m, v4), TC_F32, SH(3), V(-4.25, 6.0, -5.75));
  expect(tc_matmul(v3, m), TC_F32, SH(4), V(-3.0, 0.5, -1.5, 7.5));
  expect(tc_matmul(tc_t(m), tc_t(n)), TC_F32, SH(4, 4), V(-8.0, -6.0, -4.0, -2.0, 6.25, 5.75, 5.25, 4.75, -4.25, -4.5, -4.75, -5.0, -3.75, -3.75, -3.75, -3.75));
  expect(tc_matmul(tc_to_dtype(m, TC_F64), tc_to_dtype(n, TC_F64)), TC_F64, SH(3, 3), V(-3.25, -3.25, -3.25, -0.25, -2.25, 1.25, 0.0, 7.0, -5.25));
  expect(tc_matmul(tc_to_dtype(m, TC_F16), tc_to_dtype(n, TC_F16)), TC_F16, SH(3, 3), V(-3.25, -3.25, -3.25, -0.25, -2.25, 1.25, 0.0, 7.0, -5.25));
}

TC_CASE(batched_matmul_broadcasts_the_batch_dims) {
  tc_tensor *x = X(ctx);                                              /* (2, 3, 4) */
  tc_tensor *w = tc_reshape(tc_arange(ctx, 0, 8, 1, TC_F32), 2, (const int64_t[]){4, 2}); /* (4, 2) */
  expect(tc_matmul(x, w), TC_F32, SH(2, 3, 2), V(13.0, 13.0, 5.0, 6.0, -14.0, -17.5, 11.0, 14.0, -8.0, -9.5, -5.0, -5.5));
  /* (2, 1, 3, 4) @ (5, 4, 2) -> (2, 5, 3, 2) */
  tc_tensor *a = tc_unsqueeze(x, 1);
  tc_tensor *b = tc_reshape(tc_arange(ctx, 0, 40, 1, TC_F32), 3, (const int64_t[]){5, 4, 2});
  tc_tensor *r = tc_matmul(a, tc_mul_scalar(b, 0.25));
  expect(r, TC_F32, SH(2, 5, 3, 2), V(3.25, 3.25, 1.25, 1.5, -3.5, -4.375, 3.25, 3.25, 3.25, 3.5, -10.5, -11.375, 3.25, 3.25, 5.25, 5.5, -17.5, -18.375, 3.25, 3.25, 7.25, 7.5, -24.5, -25.375, 3.25, 3.25, 9.25, 9.5, -31.5, -32.375, 2.75, 3.5, -2.0, -2.375, -1.25, -1.375, 8.75, 9.5, -5.0, -5.375, -2.25, -2.375, 14.75, 15.5, -8.0, -8.375, -3.25, -3.375, 20.75, 21.5, -11.0, -11.375, -4.25, -4.375, 26.75, 27.5, -14.0, -14.375, -5.25, -5.375));
  /* (2, 3, 4) @ (4,) -> (2, 3); (3,) @ (2, 3, 4) -> (2, 4) */
  expect(tc_matmul(x, mk(ctx, TC_F32, SH(4), V(1, 0, 0, -1))), TC_F32, SH(2, 3), V(-5.0, 0.5, 0.5, 0.5, 0.5, 0.5));
  expect(tc_matmul(mk(ctx, TC_F32, SH(3), V(1, 1, 1)), x), TC_F32, SH(2, 4), V(-4.0, 1.0, 0.5, 0.0, 1.0, 0.5, 0.0, -0.5));
  /* integer batched matmul stays integer */
  tc_tensor *xi = XI(ctx);
  expect(tc_matmul(xi, tc_transpose(xi, 1, 2)), TC_I32, SH(2, 3, 3), V(69, -32, 62, -32, 50, -24, 62, -24, 59, 57, -28, 56, -28, 57, -27, 56, -27, 59));
}

TC_CASE(matmul_rejects_mismatched_shapes_and_dtypes_with_pytorchs_message) {
  tc_tensor *a = tc_zeros(ctx, TC_F32, 2, (const int64_t[]){2, 3});
  expect_err(ctx, tc_matmul(a, tc_zeros(ctx, TC_F32, 2, (const int64_t[]){4, 5})),
             "mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)");
  expect_err(ctx, tc_matmul(tc_zeros(ctx, TC_F32, 0, NULL), tc_zeros(ctx, TC_F32, 1, (const int64_t[]){3})),
             "both arguments to matmul need to be at least 1D, but they are 0D and 1D");
  expect_err(ctx, tc_matmul(a, tc_zeros(ctx, TC_F64, 2, (const int64_t[]){3, 2})),
             "expected m1 and m2 to have the same dtype, but got: float != double");
  /* torch.zeros(3) @ torch.zeros(4) */
  expect_err(ctx, tc_matmul(tc_zeros(ctx, TC_F32, 1, (const int64_t[]){3}), tc_zeros(ctx, TC_F32, 1, (const int64_t[]){4})),
             "inconsistent tensor size, expected tensor [3] and src [4] to have the same number of elements, but got 3 and 4 elements respectively");
  /* mm, bmm and dot take their ranks only (torch.mm(torch.ones(2), ...)) */
  tc_tensor *v2 = tc_ones(ctx, TC_F32, 1, (const int64_t[]){2}), *m2 = tc_ones(ctx, TC_F32, 2, (const int64_t[]){2, 2});
  expect_err(ctx, tc_mm(v2, m2), "tc_mm: mm: self must be a matrix, got 1-D tensor");
  expect_err(ctx, tc_mm(m2, v2), "tc_mm: mm: mat2 must be a matrix, got 1-D tensor");
  expect_err(ctx, tc_mm(a, m2), "tc_mm: mat1 and mat2 shapes cannot be multiplied (2x3 and 2x2)");
  expect_err(ctx, tc_dot(m2, v2), "tc_dot: 1D tensors expected, but got 2D and 1D tensors");
  expect_err(ctx, tc_dot(v2, tc_ones(ctx, TC_F32, 1, (const int64_t[]){3})), "tc_dot: inconsistent tensor size");
  expect_err(ctx, tc_bmm(m2, tc_unsqueeze(m2, 0)), "tc_bmm: batch1 must be a 3D tensor");
  expect_err(ctx, tc_bmm(tc_ones(ctx, TC_F32, 3, (const int64_t[]){2, 2, 3}), tc_ones(ctx, TC_F32, 3, (const int64_t[]){1, 3, 2})),
             "Expected size for first two dimensions of batch2 tensor to be: [2, 3] but got: [1, 3].");
  expect(tc_mm(m2, m2), TC_F32, SH(2, 2), V(2, 2, 2, 2));
  expect(tc_dot(v2, v2), TC_F32, SH0, V(2));
  expect(tc_bmm(tc_unsqueeze(m2, 0), tc_unsqueeze(m2, 0)), TC_F32, SH(1, 2, 2), V(2, 2, 2, 2));
  /* batch dims that do not broadcast */
  expect_err(ctx, tc_matmul(tc_zeros(ctx, TC_F32, 3, (const int64_t[]){2, 2, 3}), tc_zeros(ctx, TC_F32, 3, (const int64_t[]){3, 3, 2})),
             "The size of tensor a (2) must match the size of tensor b (3) at non-singleton dimension 0");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      TC_TEST(sum_reduces_all_dims_one_dim_or_several_with_or_without_keepdim),
      TC_TEST(sum_of_integers_and_bools_accumulates_in_int64),
      TC_TEST(sum_and_prod_with_a_dtype_cast_first_and_wrap_in_it),
      TC_TEST(sum_of_half_precision_floats_keeps_their_dtype),
      TC_TEST(prod_multiplies_along_dims_and_promotes_integers_to_int64),
      TC_TEST(mean_averages_over_all_dims_or_the_given_ones),
      TC_TEST(amax_and_amin_reduce_several_dims_and_keep_the_input_dtype),
      TC_TEST(amax_and_amin_propagate_nan_and_handle_infinities),
      TC_TEST(all_and_any_test_nonzero_along_dims_and_return_bool),
      TC_TEST(all_and_any_of_uint8_return_uint8),
      TC_TEST(var_and_std_use_the_given_correction),
      TC_TEST(var_with_no_degrees_of_freedom_left_is_nan_or_inf),
      TC_TEST(var_and_std_refuse_integer_tensors_with_pytorchs_message),
      TC_TEST(logsumexp_is_stable_for_large_values_and_infinities),
      TC_TEST(softmax_and_log_softmax_normalize_along_one_dim),
      TC_TEST(softmax_of_an_integer_tensor_is_not_implemented),
      TC_TEST(softmax_is_stable_for_large_values_and_minus_inf_entries),
      TC_TEST(argmax_and_argmin_pick_the_first_of_equal_extremes),
      TC_TEST(argmax_and_argmin_return_the_first_nan),
      TC_TEST(max_dim_and_min_dim_return_values_and_int64_indices),
      TC_TEST(reductions_of_a_permuted_tensor_follow_its_logical_order),
      TC_TEST(reductions_of_a_slice_with_steps_see_only_its_elements),
      TC_TEST(reductions_of_an_expanded_tensor_count_every_repeat),
      TC_TEST(reductions_of_empty_tensors_give_the_identity),
      TC_TEST(reductions_name_a_bad_dim_as_pytorch_does),
      TC_TEST(extreme_reductions_of_empty_tensors_fail_with_pytorchs_message),
      TC_TEST(matmul_of_two_vectors_is_a_0d_dot_product),
      TC_TEST(matmul_of_matrices_and_vectors_follows_torch_matmul),
      TC_TEST(batched_matmul_broadcasts_the_batch_dims),
      TC_TEST(matmul_rejects_mismatched_shapes_and_dtypes_with_pytorchs_message),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
