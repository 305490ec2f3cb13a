/*
 * train.c — a training loop embedded in C: fit a linear regression
 * y = X w + b by gradient descent with hand-written gradients, reading the
 * loss every step (each tc_item realizes the step's graph; from the second
 * step on, the same graph structure costs a hash lookup and the kernel
 * launches, not a compile).
 *
 * It also shows the version check a program linked against the shared
 * library can make: the header it was compiled with against the library it
 * loaded.
 *
 *   cc $(pkg-config --cflags tensorc) train.c $(pkg-config --libs tensorc)
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <tensorc.h>

enum { N = 256, D = 4, STEPS = 100 };

static int fail(tc_ctx *ctx, const char *what) {
  fprintf(stderr, "train: %s: %s\n", what, tc_last_error(ctx));
  tc_ctx_free(ctx);
  return 1;
}

int main(void) {
  if (strcmp(tc_version(), TC_VERSION_STRING) != 0) {
    fprintf(stderr, "train: compiled against tensorc %s but loaded %s\n", TC_VERSION_STRING, tc_version());
    return 1;
  }
  tc_ctx *ctx = tc_ctx_new(NULL);
  if (!ctx) return 1;
  tc_manual_seed(ctx, 0);

  /* data: y = X w_true + b_true + noise */
  const float w_true[D] = {2.0f, -3.0f, 0.5f, 1.0f};
  const float b_true = 0.7f;
  int64_t xs[] = {N, D}, ws[] = {D, 1}, ys[] = {N, 1}, bs[] = {1};
  tc_tensor *X = tc_randn(ctx, TC_F32, 2, xs);
  tc_scope_begin(ctx);
  tc_tensor *y = tc_keep(tc_add(tc_add_scalar(tc_matmul(X, tc_from_data(ctx, w_true, TC_F32, 2, ws)), b_true),
                                tc_mul_scalar(tc_randn(ctx, TC_F32, 2, ys), 0.01)));
  tc_scope_end(ctx);

  /* parameters, updated in place */
  tc_tensor *w = tc_zeros(ctx, TC_F32, 2, ws);
  tc_tensor *b = tc_zeros(ctx, TC_F32, 1, bs);
  if (!X || !y || !w || !b) return fail(ctx, "setup");

  const double lr = 0.1;
  double loss = NAN;
  for (int step = 0; step < STEPS; step++) {
    tc_scope_begin(ctx); /* the step's temporaries die at its end */
    tc_tensor *err = tc_sub(tc_add(tc_matmul(X, w), b), y); /* (N, 1) */
    loss = tc_item(tc_mean(tc_square(err), NULL, 0, false));
    /* d loss / d w = 2/N X^T err,  d loss / d b = 2 mean(err) */
    tc_tensor *gw = tc_mul_scalar(tc_matmul(tc_t(X), err), 2.0 / N);
    tc_tensor *gb = tc_mul_scalar(tc_mean(err, NULL, 0, false), 2.0);
    tc_status s1 = tc_copy_(w, tc_sub(w, tc_mul_scalar(gw, lr)));
    tc_status s2 = tc_copy_(b, tc_sub(b, tc_mul_scalar(gb, lr)));
    tc_scope_end(ctx);
    if (isnan(loss) || s1 != TC_OK || s2 != TC_OK) return fail(ctx, "step");
    if (step % 10 == 0) printf("step %3d  loss %.4g\n", step, loss);
  }
  float wv[D], bv;
  if (tc_copy_to_host(w, wv, sizeof wv) != TC_OK || tc_copy_to_host(b, &bv, sizeof bv) != TC_OK)
    return fail(ctx, "read-back");
  printf("final loss %.2g\n", loss);
  printf("w = [%.3f, %.3f, %.3f, %.3f], b = %.3f\n", wv[0], wv[1], wv[2], wv[3], bv);
  int ok = fabs(bv - b_true) < 0.01;
  for (int i = 0; i < D; i++) ok = ok && fabs(wv[i] - w_true[i]) < 0.01;
  printf("%s\n", ok ? "converged" : "did not converge");
  tc_tensor_release(X);
  tc_tensor_release(y);
  tc_tensor_release(w);
  tc_tensor_release(b);
  tc_ctx_free(ctx);
  return ok ? 0 : 1;
}
