/*
 * demo.c — tensorc embedded in a C program: build a lazy expression, let
 * tensorc fuse and compile it, print the results the way PyTorch does, and
 * show what the compiler did (the fusion decisions and the kernel IR).
 */
#include <stdio.h>
#include <tensorc.h>

static void show(const char *label, tc_tensor *t) {
  char *s = tc_format(t);
  printf("%s\n%s\n\n", label, s ? s : tc_last_error(tc_tensor_ctx(t)));
  tc_free_string(s);
}

/* the compiler's dumps, sent to stdout so they interleave with our output */
static void to_stdout(const char *text, void *user) {
  (void)user;
  fputs(text, stdout);
}

int main(void) {
  tc_ctx_options opts = {0};
  opts.debug_sink = to_stdout;
  tc_ctx *ctx = tc_ctx_new(&opts);
  if (!ctx) return 1;
  tc_scope_begin(ctx); /* every handle made below is released at scope end */

  /* broadcasting: (3,1) + (4,) -> (3,4) */
  float col[] = {1, 2, 3};
  int64_t s31[] = {3, 1};
  tc_tensor *a = tc_from_data(ctx, col, TC_F32, 2, s31);
  tc_tensor *b = tc_arange(ctx, 0, 4, 1, TC_F32);
  show("a + b  (broadcast (3,1) with (4,)):", tc_add(a, b));

  /* a fused chain: relu(a*b + c) * 0.5 - d runs as one kernel */
  tc_manual_seed(ctx, 42);
  int64_t s34[] = {3, 4};
  tc_tensor *x = tc_randn(ctx, TC_F32, 2, s34);
  tc_tensor *y = tc_sub(tc_mul_scalar(tc_relu(tc_add(tc_mul(x, b), a)), 0.5), b);
  tc_set_debug(ctx, TC_DEBUG_FUSE | TC_DEBUG_KERNELS);
  printf("--- what tensorc does to realize relu(x*b + a) * 0.5 - b ---\n");
  tc_realize(y);
  tc_set_debug(ctx, 0);
  show("\nresult:", y);

  /* views share memory: writing through a view is seen by the base */
  tc_tensor *t = tc_arange_int(ctx, 0, 6, 1);
  int64_t s23[] = {2, 3};
  tc_tensor *v = tc_view(t, 2, s23);
  tc_tensor *corner = tc_select(tc_select(v, 0, 0), 0, 0);
  tc_fill_(corner, 99);
  show("t after v[0,0] = 99:", t);

  /* reductions and argmax -> coordinates */
  int64_t data[] = {1, 9, 3, 4, 6, 2};
  tc_tensor *res = tc_from_data(ctx, data, TC_I64, 2, s23);
  int64_t flat = tc_item_int(tc_argmax(res, false, 0, false));
  printf("argmax flat index %lld -> (row, col) = (%lld, %lld)\n\n", (long long)flat,
         (long long)(flat / 3), (long long)(flat % 3));
  int dim1 = 1;
  show("softmax over dim 1:", tc_softmax(tc_to_dtype(res, TC_F32), dim1));

  tc_stats st = tc_get_stats(ctx);
  printf("kernels compiled: %llu, launched: %llu, cache hits: %llu\n",
         (unsigned long long)st.kernels_compiled, (unsigned long long)st.kernels_launched,
         (unsigned long long)st.cache_hits);
  int rc = tc_last_status(ctx) == TC_OK ? 0 : 1;
  if (rc) fprintf(stderr, "error: %s\n", tc_last_error(ctx));
  tc_scope_end(ctx);
  tc_ctx_free(ctx);
  return rc;
}
