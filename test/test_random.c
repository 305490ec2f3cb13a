/*
 * test_random.c — generators and random ops: the same seed gives the same
 * numbers (literal values here, checked on the CPU and, in
 * test_random_cuda, on cuda:0: the same bits on both), state save and
 * restore, generators independent of the context's stream, the ranges and
 * statistics of uniform_, normal_, random_, bernoulli(_), randperm and
 * multinomial (with and without replacement) at fixed seeds, and errors.
 */
#include "tc_expect.h"

static double mean_of(tc_tensor *t) { return tc_item(tc_mean(tc_to_dtype(t, TC_F64), NULL, 0, false)); }

TC_CASE(a_seed_gives_the_same_numbers_and_states_restore_them) {
  tc_generator *g = tc_generator_new(ctx);
  tc_generator_manual_seed(g, 42);
  assert_true(tc_generator_initial_seed(g) == 42);
  tc_tensor *a = tc_zeros(ctx, TC_F32, 1, (const int64_t[]){5});
  assert_int_equal(tc_uniform_(a, 0, 1, g), TC_OK);
  double *x = tc_test_read(a, __FILE__, __LINE__);
  tc_tensor *st = tc_generator_get_state(g);
  tc_tensor *b = tc_zeros(ctx, TC_F32, 1, (const int64_t[]){5}), *c = tc_zeros(ctx, TC_F32, 1, (const int64_t[]){5});
  assert_int_equal(tc_uniform_(b, 0, 1, g), TC_OK);
  assert_int_equal(tc_generator_set_state(g, st), TC_OK);
  assert_int_equal(tc_uniform_(c, 0, 1, g), TC_OK);
  double *y = tc_test_read(b, __FILE__, __LINE__), *z = tc_test_read(c, __FILE__, __LINE__);
  for (int i = 0; i < 5; i++) {
    assert_true(x[i] >= 0 && x[i] < 1);
    assert_true(y[i] == z[i]); /* restored */
    assert_true(x[i] != y[i]); /* the stream moved on */
  }
  /* re-seeding gives the first numbers again */
  tc_generator_manual_seed(g, 42);
  tc_tensor *d = tc_zeros(ctx, TC_F32, 1, (const int64_t[]){5});
  assert_int_equal(tc_uniform_(d, 0, 1, g), TC_OK);
  double *w = tc_test_read(d, __FILE__, __LINE__);
  for (int i = 0; i < 5; i++) assert_true(w[i] == x[i]);
  free(x), free(y), free(z), free(w);
  /* the context's stream: get/set_rng_state; a generator leaves it alone */
  tc_manual_seed(ctx, 7);
  assert_true(tc_initial_seed(ctx) == 7);
  tc_tensor *s0 = tc_get_rng_state(ctx);
  tc_tensor *r1 = tc_rand(ctx, TC_F32, 1, (const int64_t[]){4});
  assert_int_equal(tc_uniform_(d, 0, 1, g), TC_OK);
  tc_tensor *r2 = tc_rand(ctx, TC_F32, 1, (const int64_t[]){4});
  assert_int_equal(tc_set_rng_state(ctx, s0), TC_OK);
  tc_tensor *r3 = tc_rand(ctx, TC_F32, 1, (const int64_t[]){4});
  tc_tensor *r4 = tc_rand(ctx, TC_F32, 1, (const int64_t[]){4});
  assert_true(tc_allclose(r1, r3, 0, 0, false) && tc_allclose(r2, r4, 0, 0, false));
  /* the same bits on every backend: seed 0's first draws */
  tc_manual_seed(ctx, 0);
  double *v = tc_test_read(tc_rand(ctx, TC_F32, 1, (const int64_t[]){3}), __FILE__, __LINE__);
  assert_true((float)v[0] == 0.399046421f && (float)v[1] == 0.972241163f && (float)v[2] == 0.0194494128f);
  free(v);
  expect_status_err(ctx, tc_generator_set_state(g, tc_zeros(ctx, TC_U8, 1, (const int64_t[]){3})),
                    "RNG state must be a torch.ByteTensor of 16 bytes");
  tc_generator_free(g);
}

TC_CASE(random_fills_have_their_ranges_and_moments) {
  tc_generator *g = tc_generator_new(ctx);
  tc_generator_manual_seed(g, 1);
  int64_t n = 20000;
  tc_tensor *u = tc_empty(ctx, TC_F64, 1, &n);
  assert_int_equal(tc_uniform_(u, -2, 4, g), TC_OK);
  assert_true(tc_item(tc_min_all(u)) >= -2 && tc_item(tc_max_all(u)) < 4);
  assert_true(fabs(mean_of(u) - 1) < 0.06);
  tc_tensor *nn = tc_empty(ctx, TC_F32, 1, &n);
  assert_int_equal(tc_normal_(nn, 3, 2, g), TC_OK);
  assert_true(fabs(mean_of(nn) - 3) < 0.06);
  assert_true(fabs(tc_item(tc_std(tc_to_dtype(nn, TC_F64), NULL, 0, 1, false)) - 2) < 0.06);
  tc_tensor *ri = tc_empty(ctx, TC_I32, 1, &n);
  assert_int_equal(tc_random_(ri, 5, 9, g), TC_OK);
  assert_true(tc_item(tc_min_all(ri)) == 5 && tc_item(tc_max_all(ri)) == 8);
  tc_tensor *bb = tc_empty(ctx, TC_F32, 1, &n);
  assert_int_equal(tc_bernoulli_(bb, 0.3, g), TC_OK);
  assert_true(fabs(mean_of(bb) - 0.3) < 0.02);
  tc_tensor *pr = tc_full(ctx, 0.8, TC_F32, 1, &n);
  tc_tensor *bs = tc_bernoulli(pr, g);
  assert_true(tc_tensor_dtype(bs) == TC_F32 && fabs(mean_of(bs) - 0.8) < 0.02);
  expect_status_err(ctx, tc_normal_(nn, 0, -1, g), "normal expects std >= 0.0");
  expect_status_err(ctx, tc_uniform_(ri, 0, 1, g), "\"check_uniform_bounds\" not implemented for 'Int'");
  expect_status_err(ctx, tc_bernoulli_(bb, 1.5, g), "bernoulli_ expects p to be in [0, 1]");
  /* from and to - 1 must be values of the dtype (its C++ name in the message) */
  expect_err(ctx, tc_randint(ctx, 0, 300, TC_U8, 1, &n), "tc_randint: to - 1 is out of bounds for unsigned char");
  expect_err(ctx, tc_randint(ctx, -1, 3, TC_U8, 1, &n), "tc_randint: from is out of bounds for unsigned char");
  expect_err(ctx, tc_randint(ctx, 0, 3, TC_BOOL, 1, &n), "to - 1 is out of bounds for bool");
  expect_err(ctx, tc_randint(ctx, 0, INT64_C(1) << 40, TC_I32, 1, &n), "to - 1 is out of bounds for int");
  expect_err(ctx, tc_randint(ctx, 0, 65506, TC_F16, 1, &n), "to - 1 is out of bounds for c10::Half");
  expect_status_err(ctx, tc_random_(tc_empty(ctx, TC_I8, 1, &n), 0, 200, g), "tc_random_: to - 1 is out of bounds for signed char");
  tc_tensor *u8 = tc_randint(ctx, 0, 256, TC_U8, 1, &n); /* the whole range is fine */
  assert_true(u8 && tc_item(tc_max_all(u8)) == 255 && tc_item(tc_min_all(u8)) == 0);
  /* every probability is checked (NaN fails too); an integer one is not implemented */
  tc_tensor *bad = tc_from_data(ctx, (const float[]){0.5f, 2}, TC_F32, 1, (const int64_t[]){2});
  expect_err(ctx, tc_bernoulli(bad, g), "Expected p_in >= 0 && p_in <= 1 to be true, but got false.");
  tc_tensor *nan = tc_from_data(ctx, (const double[]){NAN}, TC_F64, 1, (const int64_t[]){1});
  expect_err(ctx, tc_bernoulli(nan, g), "Expected p_in >= 0 && p_in <= 1 to be true, but got false.");
  expect_err(ctx, tc_bernoulli(tc_ones(ctx, TC_I64, 1, (const int64_t[]){2}), g),
             "\"bernoulli_tensor_cpu_p_\" not implemented for 'Long'");
  tc_generator_free(g);
}

TC_CASE(randperm_and_multinomial_sample_as_asked) {
  tc_generator *g = tc_generator_new(ctx);
  tc_generator_manual_seed(g, 3);
  tc_tensor *p = tc_randperm(ctx, 1000, TC_I64, g);
  tc_tensor *sv = NULL;
  assert_int_equal(tc_sort(p, 0, false, &sv, NULL), TC_OK);
  assert_true(tc_equal(sv, tc_arange_int(ctx, 0, 1000, 1)));
  assert_false(tc_equal(p, tc_arange_int(ctx, 0, 1000, 1)));
  expect(tc_randperm(ctx, 0, TC_I64, g), TC_I64, SH(0), NULL, 0);
  expect_err(ctx, tc_randperm(ctx, 300, TC_U8, g), "n is too large for result tensor type: 'Byte'");
  expect_err(ctx, tc_randperm(ctx, -1, TC_BOOL, g), "Trying to create tensor with negative dimension -1: [-1]");
  expect_err(ctx, tc_randperm(ctx, 3, TC_BOOL, g), "\"randperm\" not implemented for 'Bool'");
  /* with replacement: frequencies near the probabilities, zeros never */
  tc_tensor *probs = tc_from_data(ctx, (const float[]){0.2f, 0, 0.5f, 0.3f}, TC_F32, 1, (const int64_t[]){4});
  tc_tensor *s = tc_multinomial(probs, 20000, true, g);
  tc_tensor *cnt = tc_bincount(s, NULL, 4);
  double *c = tc_test_read(cnt, __FILE__, __LINE__);
  assert_true(c[1] == 0 && fabs(c[0] / 20000 - 0.2) < 0.02 && fabs(c[2] / 20000 - 0.5) < 0.02);
  free(c);
  /* without replacement: distinct, the zero category never while others remain */
  tc_tensor *rows = tc_from_data(ctx, (const float[]){1, 0, 1, 1, 5, 5, 0, 1}, TC_F32, 2, (const int64_t[]){2, 4});
  for (int rep = 0; rep < 20; rep++) {
    tc_tensor *t = tc_multinomial(rows, 3, false, g);
    double *v = tc_test_read(t, __FILE__, __LINE__);
    assert_true(v[0] != v[1] && v[0] != v[2] && v[1] != v[2] && v[0] != 1 && v[1] != 1 && v[2] != 1);
    assert_true(v[3] != v[4] && v[3] != v[5] && v[4] != v[5] && v[3] != 2 && v[4] != 2 && v[5] != 2);
    free(v);
    tc_tensor_release(t);
  }
  expect_err(ctx, tc_multinomial(rows, 4, false, g), "not enough non-negative category to sample");
  expect_err(ctx, tc_multinomial(tc_neg(probs), 2, true, g), "probability tensor contains either `inf`, `nan` or element < 0");
  expect_err(ctx, tc_multinomial(probs, 5, false, g), "cannot sample n_sample > prob_dist.size(-1) samples without replacement");
  tc_generator_free(g);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      TC_TEST(a_seed_gives_the_same_numbers_and_states_restore_them),
      TC_TEST(random_fills_have_their_ranges_and_moments),
      TC_TEST(randperm_and_multinomial_sample_as_asked),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
