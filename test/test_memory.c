/*
 * test_memory.c — memory, scopes, threads and determinism through the public
 * API (tensorc.h).
 *
 * (a) A counting tc_allocator (a header in front of every block records its
 *     size and a magic word, so a foreign or double free is caught) gets back
 *     every block and every byte at tc_ctx_free, after a workload that
 *     creates, realizes, writes in place, formats and releases tensors, and
 *     forgets some handles (and open scopes) on purpose; releasing every
 *     handle also frees every graph node.
 * (b) Out-of-memory injection: the same allocator fails exactly its Nth call,
 *     for N = 1, 2, ... until a run makes fewer than N calls. Every run either
 *     succeeds with the right values or reports TC_ERR_OOM (a NULL with a
 *     message, or the status), never crashes, and returns every byte; a
 *     context that saw a failure computes right after tc_clear_error.
 * (c) Scopes: tc_scope_end releases the handles made in the scope, tc_keep
 *     moves one to the enclosing scope or to the caller, scopes nest, a
 *     handle released inside its scope is freed once (the release gives the
 *     scope's reference back), and the composite ops (softmax, matmul, var,
 *     ...) leave no temporary behind.
 *     Live handles are counted on the context's handle list (ir/ir.h).
 * (d) Two contexts in two threads, on the same and on different
 *     computations (new shapes each round, so both threads compile the same
 *     new kernels at once through the shared cache), compute right.
 * (e) Determinism: sums over 1M floats, row/column sums and softmax are
 *     bitwise identical with 1 and 2 threads, and elementwise chains (and
 *     reductions over them) are bitwise identical eager and fused.
 *
 * Checks that crash the process when the library is wrong (use after free,
 * stack overflow, OOM paths) run in a child process (run_isolated), so a
 * crash fails that one test instead of the whole file.
 */
#define _GNU_SOURCE
#include <math.h>
#include <pthread.h>
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
#include "ir/ir.h" /* only to count a context's live handles and nodes */

#define TEST(name) static void name(void **state __attribute__((unused)))
#define COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* ---- a counting allocator with failure injection ------------------------ */

#define BLOCK_LIVE 0x746d656d6c697665ull /* "tmemlive" */
#define BLOCK_DEAD 0x746d656d64656164ull /* "tmemdead" */

typedef struct block_hdr {
  uint64_t magic;
  size_t size;
  uint64_t pad[2]; /* keeps the user block 16-byte aligned, as malloc's */
} block_hdr;

typedef struct counter {
  pthread_mutex_t mu;
  int64_t calls;       /* alloc calls, failed ones included */
  int64_t fail_at;     /* fail this call (1-based); 0: never */
  bool fail_after;     /* and every call after it too */
  int64_t failed;      /* calls failed on purpose */
  int64_t live_blocks; /* blocks handed out and not yet freed */
  int64_t live_bytes;
  int64_t bad_frees;   /* frees of a block this allocator did not hand out */
} counter;

static void *count_alloc(size_t size, void *user) {
  counter *c = user;
  pthread_mutex_lock(&c->mu);
  int64_t call = ++c->calls;
  bool fail = c->fail_at > 0 && (call == c->fail_at || (c->fail_after && call > c->fail_at));
  if (fail) c->failed++;
  pthread_mutex_unlock(&c->mu);
  if (fail || size > SIZE_MAX - sizeof(block_hdr)) return NULL;
  block_hdr *h = malloc(sizeof *h + size);
  if (!h) return NULL;
  h->magic = BLOCK_LIVE;
  h->size = size;
  pthread_mutex_lock(&c->mu);
  c->live_blocks++;
  c->live_bytes += (int64_t)size;
  pthread_mutex_unlock(&c->mu);
  return h + 1;
}

static void count_free(void *p, void *user) {
  counter *c = user;
  if (!p) return;
  block_hdr *h = (block_hdr *)p - 1;
  pthread_mutex_lock(&c->mu);
  if (h->magic != BLOCK_LIVE) {
    c->bad_frees++;
    pthread_mutex_unlock(&c->mu);
    return; /* not ours (or freed twice): leak it rather than crash */
  }
  c->live_blocks--;
  c->live_bytes -= (int64_t)h->size;
  pthread_mutex_unlock(&c->mu);
  h->magic = BLOCK_DEAD;
  free(h);
}

static void counter_init(counter *c, int64_t fail_at) {
  memset(c, 0, sizeof *c);
  pthread_mutex_init(&c->mu, NULL);
  c->fail_at = fail_at;
}

static tc_allocator counting_allocator(counter *c) {
  return (tc_allocator){count_alloc, count_free, c};
}

static tc_ctx *new_counted_ctx(counter *c, const tc_allocator *al, int eager, int threads) {
  tc_ctx_options o = {0};
  o.allocator = al;
  o.eager = eager;
  o.num_threads = threads;
  (void)c;
  return tc_ctx_new(&o);
}

static tc_ctx *new_ctx(int eager, int threads) {
  tc_ctx_options o = {0};
  o.eager = eager;
  o.num_threads = threads;
  tc_ctx *ctx = tc_ctx_new(&o);
  assert_non_null(ctx);
  return ctx;
}

/* ---- running a check in a child process --------------------------------- */

typedef int (*isolated_fn)(char *msg, size_t cap);

/* Runs fn in a forked child with a time limit; fails the test with fn's
 * message when it returns nonzero, or with the signal that killed it. */
static void run_isolated(const char *what, isolated_fn fn, int seconds) {
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
    alarm((unsigned)seconds);
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

#define CHECK(cond, ...)                                 \
  do {                                                   \
    if (!(cond)) {                                       \
      snprintf(msg, cap, __VA_ARGS__);                   \
      return 1;                                          \
    }                                                    \
  } while (0)

/* ---- a workload that touches every kind of memory ----------------------- */

enum { WL_OK = 0, WL_OOM = 1, WL_BROKEN = 2 };

typedef struct wl {
  tc_ctx *ctx;
  char *msg;
  size_t cap;
} wl;

/* A step failed: fine when the context reports an allocation failure, a
 * contract violation otherwise. */
static int wl_failed(wl *w, const char *step) {
  tc_status st = tc_last_status(w->ctx);
  const char *e = tc_last_error(w->ctx);
  if (st != TC_ERR_OOM || !e || !*e) {
    snprintf(w->msg, w->cap, "%s failed with status %d and message \"%s\" (want TC_ERR_OOM and a message)",
             step, (int)st, e ? e : "(null)");
    return WL_BROKEN;
  }
  return WL_OOM;
}

#define T(var, expr)                                          \
  do {                                                        \
    var = (expr);                                             \
    if (!var) return wl_failed(w, #expr);                     \
  } while (0)
#define S(expr)                                               \
  do {                                                        \
    tc_status s_ = (expr);                                    \
    if (s_ != TC_OK) {                                        \
      if (s_ != TC_ERR_OOM) {                                 \
        snprintf(w->msg, w->cap, "%s returned %d (\"%s\"), want TC_ERR_OOM", #expr, \
                 (int)s_, tc_last_error(w->ctx));                \
        return WL_BROKEN;                                     \
      }                                                       \
      return wl_failed(w, #expr);                             \
    }                                                         \
  } while (0)
#define BAD(...)                                              \
  do {                                                        \
    snprintf(w->msg, w->cap, __VA_ARGS__);                    \
    return WL_BROKEN;                                         \
  } while (0)

static int expect_f32(wl *w, tc_tensor *t, const float *want, int n, const char *what) {
  float got[64];
  if (tc_tensor_numel(t) != n) BAD("%s: %lld elements, want %d", what, (long long)tc_tensor_numel(t), n);
  S(tc_copy_to_host(t, got, sizeof got));
  for (int i = 0; i < n; i++)
    if (!(fabsf(got[i] - want[i]) <= 1e-5f * fmaxf(1.0f, fabsf(want[i]))))
      BAD("%s[%d] = %.9g, want %.9g", what, i, got[i], want[i]);
  return WL_OK;
}

/* Creates, realizes, writes in place, formats and releases tensors; leaves
 * some handles unreleased and one scope open on purpose (tc_ctx_free must
 * free them). Returns WL_OK with every value checked, WL_OOM when a step
 * reported an allocation failure properly, WL_BROKEN (with a message)
 * otherwise. */
static int workload(tc_ctx *ctx, char *msg, size_t cap) {
  wl W = {ctx, msg, cap}, *w = &W;
  int rc;
  static const float d6[] = {1, 2, 3, 4, 5, 6};
  static const int64_t s23[] = {2, 3}, s6[] = {6};
  tc_tensor *a, *b6, *b, *bf, *t1, *t2, *t3, *c, *rows, *mean, *sm, *d, *row1, *s, *m, *at;

  T(a, tc_from_data(ctx, d6, TC_F32, 2, s23));
  T(b6, tc_arange_int(ctx, 0, 6, 1));
  T(b, tc_view(b6, 2, s23));
  T(bf, tc_to_dtype(b, TC_F32));
  /* c = relu(2a - b) = {2, 3, 4, 5, 6, 7} */
  T(t1, tc_mul_scalar(a, 2.0));
  T(t2, tc_neg(bf));
  T(t3, tc_add(t1, t2));
  T(c, tc_relu(t3));
  S(tc_realize(c));
  tc_tensor_release(t1);
  tc_tensor_release(t2);
  tc_tensor_release(t3);
  static const float want_c[] = {2, 3, 4, 5, 6, 7};
  if ((rc = expect_f32(w, c, want_c, 6, "relu(2a - b)"))) return rc;

  int dim1 = 1;
  T(rows, tc_sum(c, &dim1, 1, false));
  static const float want_rows[] = {9, 18};
  if ((rc = expect_f32(w, rows, want_rows, 2, "row sums"))) return rc;

  T(mean, tc_mean(a, NULL, 0, false));
  double mv = tc_item(mean);
  if (tc_last_status(ctx) != TC_OK) return wl_failed(w, "tc_item(mean)");
  if (mv != 3.5) BAD("mean = %g, want 3.5", mv);

  T(sm, tc_softmax(a, 1));
  float want_sm[6];
  for (int r = 0; r < 2; r++) {
    float e0 = expf(d6[r * 3] - d6[r * 3 + 2]), e1 = expf(d6[r * 3 + 1] - d6[r * 3 + 2]), e2 = 1;
    float z = e0 + e1 + e2;
    want_sm[r * 3] = e0 / z;
    want_sm[r * 3 + 1] = e1 / z;
    want_sm[r * 3 + 2] = e2 / z;
  }
  if ((rc = expect_f32(w, sm, want_sm, 6, "softmax"))) return rc;

  /* in place: d = clone(a); d[1] = 100; d += c; s = d[:, ::2] */
  T(d, tc_clone(a));
  T(row1, tc_select(d, 0, 1));
  S(tc_fill_(row1, 100));
  S(tc_add_(d, c));
  T(s, tc_slice(d, 1, 0, TC_SLICE_END, 2));
  static const float want_s[] = {3, 7, 105, 107};
  if ((rc = expect_f32(w, s, want_s, 4, "d[:, ::2]"))) return rc;
  static const float want_a[] = {1, 2, 3, 4, 5, 6};
  if ((rc = expect_f32(w, a, want_a, 6, "a after writing its clone"))) return rc;

  /* formatting */
  char *text = tc_format(rows);
  if (!text) return wl_failed(w, "tc_format(rows)");
  bool same = !strcmp(text, "tensor([ 9., 18.])");
  if (!same) {
    snprintf(msg, cap, "tc_format(rows) = \"%s\"", text);
    tc_free_string(text);
    return WL_BROKEN;
  }
  tc_free_string(text);

  /* a scope with temporaries, and a kept result */
  tc_scope_begin(ctx);
  if (tc_last_status(ctx) != TC_OK) return wl_failed(w, "tc_scope_begin");
  T(at, tc_t(a));
  T(m, tc_matmul(a, at));
  tc_tensor *kept;
  T(kept, tc_keep(tc_mul_scalar(m, 0.5)));
  tc_scope_end(ctx);
  static const float want_m[] = {7, 16, 16, 38.5f};
  if ((rc = expect_f32(w, kept, want_m, 4, "(a @ a.T) / 2"))) return rc;
  tc_tensor_release(kept);

  /* a long fused chain: one kernel with well over a hundred nodes, whose
   * lowering grows its work arrays */
  tc_scope_begin(ctx);
  if (tc_last_status(ctx) != TC_OK) return wl_failed(w, "tc_scope_begin");
  tc_tensor *x = a, *chain;
  for (int i = 0; i < 40; i++) {
    T(x, tc_add_scalar(x, 1.0));
    T(x, tc_mul_scalar(x, 1.0));
  }
  T(x, tc_softmax(x, 0));
  T(chain, tc_keep(tc_sum(x, NULL, 0, false)));
  tc_scope_end(ctx);
  double cv = tc_item(chain);
  if (tc_last_status(ctx) != TC_OK) return wl_failed(w, "tc_item(chain)");
  if (fabs(cv - 3.0) > 1e-5) BAD("sum(softmax(chain, 0)) = %.9g, want 3", cv);
  tc_tensor_release(chain);

  /* integers and random numbers */
  tc_tensor *ints, *isum, *rnd, *rsum;
  T(ints, tc_arange_int(ctx, 0, 10, 1));
  T(isum, tc_sum(ints, NULL, 0, false));
  int64_t iv = tc_item_int(isum);
  if (tc_last_status(ctx) != TC_OK) return wl_failed(w, "tc_item_int(sum)");
  if (iv != 45) BAD("sum(arange(10)) = %lld, want 45", (long long)iv);
  tc_manual_seed(ctx, 1234);
  static const int64_t s1000[] = {1000};
  T(rnd, tc_rand(ctx, TC_F32, 1, s1000));
  T(rsum, tc_sum(rnd, NULL, 0, false));
  double rv = tc_item(rsum);
  if (tc_last_status(ctx) != TC_OK) return wl_failed(w, "tc_item(sum(rand))");
  if (!(rv > 400 && rv < 600)) BAD("sum of 1000 uniform numbers = %g", rv);

  /* a bigger buffer, realized and dropped, and one reused */
  static const int64_t big[] = {256, 1024};
  tc_tensor *z, *z1, *zs;
  T(z, tc_full(ctx, 0.5, TC_F32, 2, big));
  T(z1, tc_add_scalar(z, 1.0));
  T(zs, tc_sum(z1, NULL, 0, false));
  double zv = tc_item(zs);
  if (tc_last_status(ctx) != TC_OK) return wl_failed(w, "tc_item(sum(z + 1))");
  if (zv != 1.5 * 256 * 1024) BAD("sum(z + 1) = %g", zv);
  tc_tensor_release(z1);
  tc_tensor_release(zs);

  /* released on purpose */
  tc_tensor_release(b6);
  tc_tensor_release(b);
  tc_tensor_release(bf);
  tc_tensor_release(mean);
  tc_tensor_release(row1);
  tc_tensor_release(ints);
  /* forgotten on purpose: a, c, rows, sm, d, s, isum, rnd, rsum, z, and an
   * open scope with a handle in it */
  tc_scope_begin(ctx);
  if (tc_last_status(ctx) != TC_OK) return wl_failed(w, "tc_scope_begin");
  tc_tensor *leak;
  T(leak, tc_exp(a));
  S(tc_realize(leak));
  (void)s6;
  return WL_OK;
}

/* ---- (a) every byte back ----------------------------------------------- */

static void run_counted_workload(int eager, int threads) {
  counter c;
  counter_init(&c, 0);
  tc_allocator al = counting_allocator(&c);
  tc_ctx *ctx = new_counted_ctx(&c, &al, eager, threads);
  assert_non_null(ctx);
  char msg[1024] = "";
  int rc = workload(ctx, msg, sizeof msg);
  if (rc != WL_OK) fail_msg("workload: %s", rc == WL_OOM ? tc_last_error(ctx) : msg);
  assert_true(c.calls > 0); /* the hook is used */
  assert_true(c.live_blocks > 0);
  tc_ctx_free(ctx);
  assert_int_equal(c.bad_frees, 0);
  assert_int_equal(c.live_blocks, 0);
  assert_int_equal(c.live_bytes, 0);
  pthread_mutex_destroy(&c.mu);
}

TEST(every_byte_comes_back_after_ctx_free_even_with_forgotten_handles) {
  run_counted_workload(0, 2);
}

TEST(every_byte_comes_back_after_ctx_free_in_eager_mode) {
  run_counted_workload(1, 2);
}

TEST(every_byte_comes_back_after_ctx_free_with_one_thread) {
  run_counted_workload(0, 1);
}

TEST(an_unused_context_returns_every_byte) {
  counter c;
  counter_init(&c, 0);
  tc_allocator al = counting_allocator(&c);
  tc_ctx *ctx = new_counted_ctx(&c, &al, 0, 1);
  assert_non_null(ctx);
  tc_ctx_free(ctx);
  assert_int_equal(c.bad_frees, 0);
  assert_int_equal(c.live_blocks, 0);
  assert_int_equal(c.live_bytes, 0);
}

TEST(ctx_free_releases_handles_left_in_nested_open_scopes) {
  counter c;
  counter_init(&c, 0);
  tc_allocator al = counting_allocator(&c);
  tc_ctx *ctx = new_counted_ctx(&c, &al, 0, 1);
  assert_non_null(ctx);
  static const int64_t s[] = {4, 5};
  tc_tensor *x = tc_ones(ctx, TC_F32, 2, s);
  tc_scope_begin(ctx);
  tc_tensor *y = tc_exp(x);
  tc_scope_begin(ctx);
  tc_tensor *z = tc_add(x, y);
  tc_tensor_retain(z); /* an extra reference, never dropped */
  tc_scope_begin(ctx);
  assert_int_equal(tc_realize(tc_sum(z, NULL, 0, false)), TC_OK);
  tc_ctx_free(ctx);
  assert_int_equal(c.bad_frees, 0);
  assert_int_equal(c.live_blocks, 0);
  assert_int_equal(c.live_bytes, 0);
}

TEST(releasing_every_handle_frees_every_graph_node) {
  tc_ctx *ctx = new_ctx(0, 2);
  char msg[1024] = "";
  int rc = workload(ctx, msg, sizeof msg);
  if (rc != WL_OK) fail_msg("workload: %s", rc == WL_OOM ? tc_last_error(ctx) : msg);
  /* close the scope the workload left open, then drop every handle */
  tc_scope_end(ctx);
  while (ctx->handles) tc_tensor_release(ctx->handles);
  assert_int_equal(ctx->live_nodes, 0);
  tc_ctx_free(ctx);
}

TEST(releasing_every_handle_after_in_place_writes_frees_every_graph_node) {
  tc_ctx *ctx = new_ctx(0, 1);
  static const int64_t s[] = {3, 4};
  tc_tensor *x = tc_zeros(ctx, TC_F32, 2, s);
  tc_tensor *col = tc_select(x, 1, 2);
  tc_tensor *one = tc_ones(ctx, TC_F32, 2, s);
  assert_int_equal(tc_fill_(col, 7), TC_OK);
  assert_int_equal(tc_add_(x, one), TC_OK);
  tc_tensor *snapshot = tc_mul_scalar(x, 2.0); /* holds the written version */
  assert_int_equal(tc_copy_(col, tc_select(one, 1, 0)), TC_OK);
  assert_int_equal(tc_realize(snapshot), TC_OK);
  assert_int_equal(tc_realize(x), TC_OK);
  assert_true(tc_item(tc_sum(snapshot, NULL, 0, false)) == 2.0 * (12 + 3 * 7));
  while (ctx->handles) tc_tensor_release(ctx->handles);
  assert_int_equal(ctx->live_nodes, 0);
  tc_ctx_free(ctx);
}

/* A lazy chain far deeper than any expression a person writes; building it
 * and realizing it must neither overflow the stack nor take long. */
static int deep_chain(char *msg, size_t cap) {
  tc_ctx *ctx = tc_ctx_new(NULL);
  CHECK(ctx, "tc_ctx_new failed");
  static const int64_t s[] = {3};
  tc_tensor *x = tc_ones(ctx, TC_F32, 1, s);
  for (int i = 0; i < 50000; i++) {
    tc_tensor *y = tc_add_scalar(x, 1.0);
    tc_tensor_release(x);
    x = y;
    CHECK(x, "step %d: %s", i, tc_last_error(ctx));
  }
  float got[3] = {0};
  tc_status st = tc_copy_to_host(x, got, sizeof got);
  CHECK(st == TC_OK, "realizing the chain: status %d, %s", (int)st, tc_last_error(ctx));
  CHECK(got[0] == 50001.0f && got[2] == 50001.0f, "chain value %g, want 50001", got[0]);
  tc_tensor_release(x);
  tc_ctx_free(ctx);
  return 0;
}

TEST(a_lazy_chain_of_50000_ops_realizes_without_overflowing_the_stack) {
  run_isolated("a 50000-op chain", deep_chain, 120);
}

static int deep_chain_release(char *msg, size_t cap) {
  tc_ctx *ctx = tc_ctx_new(NULL);
  CHECK(ctx, "tc_ctx_new failed");
  static const int64_t s[] = {3};
  tc_tensor *x = tc_ones(ctx, TC_F32, 1, s);
  for (int i = 0; i < 200000 && x; i++) {
    tc_tensor *y = tc_add_scalar(x, 1.0);
    tc_tensor_release(x);
    x = y;
  }
  CHECK(x, "building the chain: %s", tc_last_error(ctx));
  tc_tensor_release(x);
  CHECK(ctx->live_nodes == 0, "%lld nodes left", (long long)ctx->live_nodes);
  tc_ctx_free(ctx);
  return 0;
}

TEST(releasing_a_lazy_chain_of_200000_ops_does_not_overflow_the_stack) {
  run_isolated("releasing a 200000-op chain", deep_chain_release, 120);
}

/* ---- (b) out-of-memory injection ---------------------------------------- */

static int oom_eager;      /* run the workload eagerly */
static bool oom_persistent; /* fail every allocation from the Nth on */

/* Fails the Nth allocation for N = 1, 2, ... until a run does not reach N. */
static int oom_sweep(char *msg, size_t cap) {
  int64_t runs = 0, oom_runs = 0;
  for (int64_t n = 1; n <= 100000; n++) {
    counter c;
    counter_init(&c, n);
    c.fail_after = oom_persistent;
    tc_allocator al = counting_allocator(&c);
    tc_ctx *ctx = new_counted_ctx(&c, &al, oom_eager, 2);
    if (!ctx) {
      CHECK(c.failed >= 1, "N=%lld: tc_ctx_new returned NULL without an allocation failure", (long long)n);
    } else {
      char wmsg[768] = "";
      int rc = workload(ctx, wmsg, sizeof wmsg);
      CHECK(rc != WL_BROKEN, "N=%lld: %s", (long long)n, wmsg);
      if (rc == WL_OOM) {
        oom_runs++;
        CHECK(c.failed >= 1, "N=%lld: TC_ERR_OOM without an allocation failure: %s", (long long)n,
              tc_last_error(ctx));
      }
      tc_ctx_free(ctx);
    }
    runs++;
    CHECK(c.bad_frees == 0, "N=%lld: %lld frees of blocks the allocator did not hand out", (long long)n,
          (long long)c.bad_frees);
    CHECK(c.live_blocks == 0 && c.live_bytes == 0,
          "N=%lld: %lld blocks (%lld bytes) not returned after tc_ctx_free", (long long)n,
          (long long)c.live_blocks, (long long)c.live_bytes);
    pthread_mutex_destroy(&c.mu);
    if (c.failed == 0) {
      /* this run made fewer than N calls: every allocation was tried */
      CHECK(oom_runs > 0, "no run reported TC_ERR_OOM");
      fprintf(stderr, "[ oom      ] %s%s: %lld runs, %lld reported TC_ERR_OOM\n",
              oom_eager ? "eager" : "lazy", oom_persistent ? ", persistent" : "", (long long)runs,
              (long long)oom_runs);
      return 0;
    }
  }
  CHECK(0, "the workload never finished without an injected failure");
  return 1;
}

TEST(every_single_allocation_failure_is_reported_and_leaks_nothing) {
  oom_eager = 0;
  oom_persistent = false;
  run_isolated("OOM injection (lazy)", oom_sweep, 280);
}

TEST(every_single_allocation_failure_is_reported_and_leaks_nothing_in_eager_mode) {
  oom_eager = 1;
  oom_persistent = false;
  run_isolated("OOM injection (eager)", oom_sweep, 280);
}

TEST(running_out_of_memory_for_good_at_any_point_is_reported_and_leaks_nothing) {
  oom_eager = 0;
  oom_persistent = true;
  run_isolated("OOM injection (every allocation from the Nth on fails)", oom_sweep, 280);
}

/* Out of memory while lowering is an error, never a kernel boundary: with
 * every single allocation failing in turn, a softmax either realizes as one
 * kernel or reports TC_ERR_OOM, and no boundary's reason is memory. */
static char oom_dump[1 << 16];
static size_t oom_dump_n;
static void oom_sink(const char *text, void *user) {
  (void)user;
  size_t k = strlen(text);
  if (oom_dump_n + k < sizeof oom_dump) {
    memcpy(oom_dump + oom_dump_n, text, k + 1);
    oom_dump_n += k;
  }
}

static int oom_in_lowering(char *msg, size_t cap) {
  for (int64_t n = 1; n <= 100000; n++) {
    counter c;
    counter_init(&c, n);
    tc_allocator al = counting_allocator(&c);
    tc_ctx_options o = {0};
    o.allocator = &al;
    o.num_threads = 1;
    o.debug = TC_DEBUG_FUSE | TC_DEBUG_PLAN;
    o.debug_sink = oom_sink;
    tc_ctx *ctx = tc_ctx_new(&o);
    oom_dump_n = 0;
    oom_dump[0] = 0;
    if (ctx) {
      tc_scope_begin(ctx);
      int64_t s[2] = {4, 40};
      tc_tensor *x = tc_arange(ctx, 0, 160, 1, TC_F32);
      tc_tensor *y = tc_softmax(tc_reshape(x, 2, s), 1);
      tc_status st = y ? tc_realize(y) : tc_last_status(ctx);
      CHECK(st == TC_OK || st == TC_ERR_OOM, "N=%lld: status %d: %s", (long long)n, (int)st,
            tc_last_error(ctx));
      CHECK(!strstr(oom_dump, "out of memory"), "N=%lld: a boundary for want of memory:\n%s",
            (long long)n, oom_dump);
      if (st == TC_OK) {
        tc_stats stats = tc_get_stats(ctx);
        CHECK(stats.kernels_launched <= 2, "N=%lld: %llu kernels", (long long)n,
              (unsigned long long)stats.kernels_launched);
      }
      tc_scope_end(ctx);
      tc_ctx_free(ctx);
    }
    CHECK(c.live_blocks == 0, "N=%lld: %lld blocks leaked", (long long)n, (long long)c.live_blocks);
    pthread_mutex_destroy(&c.mu);
    if (c.failed == 0) return 0;
  }
  CHECK(0, "the softmax never finished without an injected failure");
  return 1;
}

TEST(running_out_of_memory_while_lowering_is_an_error_not_a_kernel_boundary) {
  run_isolated("OOM while lowering", oom_in_lowering, 120);
}

/* After a failed allocation and tc_clear_error, the same context must give
 * the right values when memory is available again. */
static int oom_recovery(char *msg, size_t cap) {
  int64_t checked = 0;
  for (int64_t n = 1; n <= 100000; n++) {
    counter c;
    counter_init(&c, n);
    tc_allocator al = counting_allocator(&c);
    tc_ctx *ctx = new_counted_ctx(&c, &al, 0, 2);
    if (!ctx) continue;
    char wmsg[768] = "";
    int rc = workload(ctx, wmsg, sizeof wmsg);
    CHECK(rc != WL_BROKEN, "N=%lld: %s", (long long)n, wmsg);
    bool reached = c.failed > 0;
    if (rc == WL_OOM) {
      /* the workload keeps results with tc_keep and then releases them,
       * which is right only with no scope open: close what it left open */
      while (ctx->nscopes > 0) tc_scope_end(ctx);
      tc_clear_error(ctx);
      pthread_mutex_lock(&c.mu);
      c.fail_at = 0;
      pthread_mutex_unlock(&c.mu);
      rc = workload(ctx, wmsg, sizeof wmsg);
      CHECK(rc == WL_OK, "N=%lld: after an allocation failure and tc_clear_error, the workload %s",
            (long long)n, rc == WL_OOM ? tc_last_error(ctx) : wmsg);
      checked++;
    }
    tc_ctx_free(ctx);
    CHECK(c.live_blocks == 0 && c.live_bytes == 0, "N=%lld: %lld blocks not returned", (long long)n,
          (long long)c.live_blocks);
    pthread_mutex_destroy(&c.mu);
    if (!reached) {
      CHECK(checked > 0, "no run failed");
      return 0;
    }
  }
  CHECK(0, "the workload never finished without an injected failure");
  return 1;
}

TEST(a_context_computes_right_after_an_allocation_failure_is_cleared) {
  run_isolated("OOM recovery", oom_recovery, 280);
}

TEST(ctx_new_returns_null_when_its_allocations_fail_and_leaks_nothing) {
  for (int64_t n = 1; n <= 8; n++) {
    counter c;
    counter_init(&c, n);
    tc_allocator al = counting_allocator(&c);
    tc_ctx *ctx = new_counted_ctx(&c, &al, 0, 2);
    if (ctx) {
      /* the failure may come later; the context must still work */
      static const int64_t s[] = {3};
      tc_tensor *x = tc_ones(ctx, TC_F32, 1, s);
      if (x) tc_realize(x);
      tc_ctx_free(ctx);
    } else {
      assert_int_equal(c.failed, 1);
    }
    assert_int_equal(c.bad_frees, 0);
    assert_int_equal(c.live_blocks, 0);
    assert_int_equal(c.live_bytes, 0);
  }
}

TEST(a_realization_that_runs_out_of_memory_can_be_retried_after_clearing) {
  /* fail the first allocation the read-back makes */
  counter c;
  counter_init(&c, 0);
  tc_allocator al = counting_allocator(&c);
  tc_ctx *ctx = new_counted_ctx(&c, &al, 0, 1);
  assert_non_null(ctx);
  static const int64_t s[] = {1000};
  tc_tensor *x = tc_exp(tc_ones(ctx, TC_F32, 1, s));
  tc_tensor *y = tc_sum(tc_exp(tc_ones(ctx, TC_F32, 1, s)), NULL, 0, false);
  assert_non_null(x);
  assert_non_null(y);
  pthread_mutex_lock(&c.mu);
  c.fail_at = c.calls + 1;
  pthread_mutex_unlock(&c.mu);
  float buf[1000];
  tc_status st = tc_copy_to_host(x, buf, sizeof buf);
  if (c.failed) {
    assert_int_equal(st, TC_ERR_OOM);
    assert_int_equal(tc_last_status(ctx), TC_ERR_OOM);
    assert_true(strlen(tc_last_error(ctx)) > 0);
  } else {
    assert_int_equal(st, TC_OK);
  }
  tc_clear_error(ctx);
  assert_int_equal(tc_copy_to_host(x, buf, sizeof buf), TC_OK);
  assert_true(fabsf(buf[0] - expf(1.0f)) < 1e-6f && fabsf(buf[999] - expf(1.0f)) < 1e-6f);
  assert_true(fabs(tc_item(y) - 1000 * exp(1.0)) < 1e-2);
  tc_ctx_free(ctx);
  assert_int_equal(c.live_blocks, 0);
  assert_int_equal(c.live_bytes, 0);
}

/* tc_realize_many of more than 64 tensors allocates an array first; when
 * that fails it reports TC_ERR_OOM with a message, and works once memory is
 * back. */
TEST(realize_many_reports_a_failed_allocation_with_a_message) {
  counter c;
  counter_init(&c, 0);
  tc_allocator al = counting_allocator(&c);
  tc_ctx *ctx = new_counted_ctx(&c, &al, 0, 1);
  assert_non_null(ctx);
  static const int64_t s[] = {4};
  tc_tensor *a = tc_ones(ctx, TC_F32, 1, s);
  tc_tensor *ts[65];
  for (int i = 0; i < 65; i++) {
    ts[i] = tc_add_scalar(a, (double)i);
    assert_non_null(ts[i]);
  }
  pthread_mutex_lock(&c.mu);
  c.fail_at = c.calls + 1;
  pthread_mutex_unlock(&c.mu);
  assert_int_equal(tc_realize_many(ts, 65), TC_ERR_OOM);
  assert_int_equal(c.failed, 1);
  assert_int_equal(tc_last_status(ctx), TC_ERR_OOM);
  assert_string_equal(tc_last_error(ctx), "tc_realize_many: out of memory");
  tc_clear_error(ctx);
  assert_int_equal(tc_realize_many(ts, 65), TC_OK);
  assert_true(tc_item(tc_sum(ts[64], NULL, 0, false)) == 4 * 65.0);
  tc_ctx_free(ctx);
  assert_int_equal(c.bad_frees, 0);
  assert_int_equal(c.live_blocks, 0);
  assert_int_equal(c.live_bytes, 0);
  pthread_mutex_destroy(&c.mu);
}

/* ---- (c) scopes --------------------------------------------------------- */

static int live_handles(const tc_ctx *ctx) {
  int n = 0;
  for (const tc_tensor *t = ctx->handles; t; t = t->next) n++;
  return n;
}

static float item_f(tc_tensor *t) {
  assert_non_null(t);
  double v = tc_item(t);
  assert_int_equal(tc_last_status(tc_tensor_ctx(t)), TC_OK);
  return (float)v;
}

TEST(scope_end_releases_every_handle_made_inside_the_scope) {
  tc_ctx *ctx = new_ctx(0, 1);
  static const int64_t s[] = {2, 3};
  tc_tensor *a = tc_ones(ctx, TC_F32, 2, s);
  int base = live_handles(ctx);
  tc_scope_begin(ctx);
  tc_tensor *r = tc_relu(tc_add(tc_exp(a), tc_neg(a)));
  assert_non_null(r);
  assert_int_equal(live_handles(ctx), base + 4);
  assert_int_equal(tc_realize(tc_sum(r, NULL, 0, false)), TC_OK);
  tc_scope_end(ctx);
  assert_int_equal(live_handles(ctx), base);
  assert_true(item_f(tc_sum(a, NULL, 0, false)) == 6.0f);
  tc_ctx_free(ctx);
}

TEST(keep_hands_a_result_to_the_caller_when_no_scope_encloses_it) {
  tc_ctx *ctx = new_ctx(0, 1);
  static const int64_t s[] = {2, 3};
  tc_tensor *a = tc_full(ctx, 2.0, TC_F32, 2, s);
  int base = live_handles(ctx);
  tc_scope_begin(ctx);
  tc_tensor *r = tc_keep(tc_sum(tc_mul(tc_add_scalar(a, 1.0), a), NULL, 0, false));
  assert_non_null(r);
  tc_scope_end(ctx);
  /* the temporaries are gone, the lazy result still computes */
  assert_int_equal(live_handles(ctx), base + 1);
  assert_true(item_f(r) == 36.0f);
  tc_tensor_release(r);
  assert_int_equal(live_handles(ctx), base);
  tc_ctx_free(ctx);
}

TEST(keep_moves_a_handle_to_the_enclosing_scope) {
  tc_ctx *ctx = new_ctx(0, 1);
  static const int64_t s[] = {4};
  tc_tensor *a = tc_arange(ctx, 0, 4, 1, TC_F32);
  int base = live_handles(ctx);
  tc_scope_begin(ctx);
  tc_tensor *outer_tmp = tc_mul_scalar(a, 3.0);
  tc_scope_begin(ctx);
  tc_tensor *inner = tc_keep(tc_add(outer_tmp, tc_ones(ctx, TC_F32, 1, s)));
  tc_scope_end(ctx);
  /* outer_tmp and the kept handle are the outer scope's now */
  assert_int_equal(live_handles(ctx), base + 2);
  assert_true(item_f(tc_sum(inner, NULL, 0, false)) == 22.0f);
  assert_int_equal(live_handles(ctx), base + 3);
  tc_scope_end(ctx);
  assert_int_equal(live_handles(ctx), base);
  tc_ctx_free(ctx);
}

TEST(keep_in_each_of_two_nested_scopes_hands_the_result_to_the_caller) {
  tc_ctx *ctx = new_ctx(0, 1);
  tc_tensor *a = tc_arange(ctx, 1, 5, 1, TC_F32);
  int base = live_handles(ctx);
  tc_scope_begin(ctx);
  tc_scope_begin(ctx);
  tc_tensor *r = tc_keep(tc_mul(a, a));
  tc_scope_end(ctx);
  tc_keep(r);
  tc_tensor *tmp = tc_exp(r);
  assert_non_null(tmp);
  tc_scope_end(ctx);
  assert_int_equal(live_handles(ctx), base + 1);
  assert_true(item_f(tc_sum(r, NULL, 0, false)) == 30.0f);
  tc_tensor_release(r);
  tc_tensor_release(a);
  assert_int_equal(live_handles(ctx), 1); /* the sum's handle */
  tc_ctx_free(ctx);
}

TEST(scopes_nest_three_deep_and_release_in_order) {
  tc_ctx *ctx = new_ctx(0, 1);
  tc_tensor *a = tc_arange(ctx, 0, 8, 1, TC_F32);
  int base = live_handles(ctx);
  tc_scope_begin(ctx);
  tc_tensor *x1 = tc_add_scalar(a, 1.0);
  tc_scope_begin(ctx);
  tc_tensor *x2 = tc_mul(x1, x1);
  tc_scope_begin(ctx);
  tc_tensor *x3 = tc_keep(tc_sum(x2, NULL, 0, false));
  tc_tensor *junk = tc_exp(x2);
  assert_non_null(junk);
  assert_int_equal(live_handles(ctx), base + 4);
  tc_scope_end(ctx); /* junk goes; x3 is the middle scope's now */
  assert_int_equal(live_handles(ctx), base + 3);
  tc_keep(x3); /* on to the outer scope */
  tc_scope_end(ctx); /* x2 goes */
  assert_int_equal(live_handles(ctx), base + 2);
  assert_true(item_f(x3) == 204.0f);
  tc_scope_end(ctx);
  assert_int_equal(live_handles(ctx), base);
  tc_ctx_free(ctx);
}

TEST(handles_made_before_a_scope_survive_it) {
  tc_ctx *ctx = new_ctx(0, 1);
  tc_tensor *a = tc_arange(ctx, 0, 4, 1, TC_F32);
  tc_tensor *b = tc_mul_scalar(a, 2.0);
  tc_scope_begin(ctx);
  tc_tensor *t = tc_add(a, b);
  assert_non_null(t);
  assert_int_equal(tc_realize(t), TC_OK);
  tc_scope_end(ctx);
  assert_int_equal(live_handles(ctx), 2);
  assert_true(item_f(tc_sum(b, NULL, 0, false)) == 12.0f);
  tc_ctx_free(ctx);
}

TEST(a_retained_scope_handle_outlives_the_scope) {
  tc_ctx *ctx = new_ctx(0, 1);
  tc_tensor *a = tc_arange(ctx, 0, 4, 1, TC_F32);
  int base = live_handles(ctx);
  tc_scope_begin(ctx);
  tc_tensor *t = tc_tensor_retain(tc_mul(a, a));
  tc_scope_end(ctx);
  assert_int_equal(live_handles(ctx), base + 1);
  assert_true(item_f(tc_sum(t, NULL, 0, false)) == 14.0f);
  tc_tensor_release(t);
  assert_int_equal(live_handles(ctx), base + 1); /* the sum's handle */
  tc_ctx_free(ctx);
}

/* A handle made in a scope and released there by the caller: the release
 * gives the scope's reference back, so tc_scope_end must not free it again
 * (a use after free and a double free before the fix). Every block comes
 * back exactly once. */
static int release_inside_scope(char *msg, size_t cap) {
  counter c;
  counter_init(&c, 0);
  tc_allocator al = counting_allocator(&c);
  tc_ctx *ctx = new_counted_ctx(&c, &al, 0, 1);
  CHECK(ctx, "tc_ctx_new failed");
  static const int64_t s[] = {3};
  tc_tensor *a = tc_ones(ctx, TC_F32, 1, s);
  int base = live_handles(ctx);
  tc_scope_begin(ctx);
  tc_tensor *t = tc_add(a, a);
  tc_tensor *u = tc_exp(t);
  tc_tensor *v = tc_mul(a, a);
  CHECK(t && u && v, "an op failed: %s", tc_last_error(ctx));
  tc_tensor_release(t); /* freed now: nothing else holds it */
  CHECK(live_handles(ctx) == base + 2, "%d live handles after releasing one of 3, want %d",
        live_handles(ctx), base + 2);
  tc_tensor *su = tc_keep(tc_sum(u, NULL, 0, false)); /* the caller's */
  double uv = tc_item(su);
  CHECK(fabs(uv - 3 * exp(2.0)) < 1e-3, "sum(exp(a + a)) = %g after releasing a + a", uv);
  tc_tensor_release(u);
  tc_scope_end(ctx); /* releases v only */
  CHECK(live_handles(ctx) == base + 1, "%d live handles after tc_scope_end, want %d (the kept sum)",
        live_handles(ctx), base + 1);
  CHECK(c.bad_frees == 0, "%lld blocks freed twice (or not ours)", (long long)c.bad_frees);
  tc_tensor_release(su);
  double av = tc_item(tc_sum(a, NULL, 0, false));
  CHECK(av == 3.0, "sum(a) = %g", av);
  tc_ctx_free(ctx);
  CHECK(c.bad_frees == 0, "%lld blocks freed twice (or not ours)", (long long)c.bad_frees);
  CHECK(c.live_blocks == 0 && c.live_bytes == 0, "%lld blocks not returned", (long long)c.live_blocks);
  pthread_mutex_destroy(&c.mu);
  return 0;
}

TEST(a_handle_released_inside_its_scope_is_freed_once) {
  run_isolated("tc_tensor_release inside a scope, then tc_scope_end", release_inside_scope, 60);
}

/* A retained handle: the first release inside the scope takes the scope's
 * reference, the retained one stays the caller's past tc_scope_end. */
static int retain_then_release_inside_scope(char *msg, size_t cap) {
  tc_ctx *ctx = tc_ctx_new(NULL);
  CHECK(ctx, "tc_ctx_new failed");
  tc_tensor *a = tc_arange(ctx, 0, 4, 1, TC_F32);
  int base = live_handles(ctx);
  tc_scope_begin(ctx);
  tc_tensor *t = tc_tensor_retain(tc_mul(a, a));
  CHECK(t, "tc_mul failed: %s", tc_last_error(ctx));
  tc_tensor_release(t); /* the scope's reference */
  CHECK(live_handles(ctx) == base + 1, "a retained handle was freed by its first release");
  tc_scope_end(ctx);
  CHECK(live_handles(ctx) == base + 1, "tc_scope_end released a handle given back to it");
  tc_tensor *sum = tc_sum(t, NULL, 0, false);
  double v = tc_item(sum);
  CHECK(v == 14.0, "sum(a * a) = %g, want 14", v);
  tc_tensor_release(sum);
  tc_tensor_release(t); /* the caller's */
  CHECK(live_handles(ctx) == base, "%d live handles, want %d", live_handles(ctx), base);
  tc_ctx_free(ctx);
  return 0;
}

TEST(a_retained_handle_released_inside_its_scope_stays_the_callers) {
  run_isolated("retain, release inside the scope, tc_scope_end", retain_then_release_inside_scope, 60);
}

/* A kept handle belongs to the enclosing scope; released there, that scope
 * must not release it again. So must a handle of an outer scope released
 * while an inner scope is open. */
static int release_kept_handle(char *msg, size_t cap) {
  counter c;
  counter_init(&c, 0);
  tc_allocator al = counting_allocator(&c);
  tc_ctx *ctx = new_counted_ctx(&c, &al, 0, 1);
  CHECK(ctx, "tc_ctx_new failed");
  tc_tensor *a = tc_arange(ctx, 0, 4, 1, TC_F32);
  int base = live_handles(ctx);
  tc_scope_begin(ctx);
  tc_tensor *outer = tc_add_scalar(a, 1.0);
  tc_scope_begin(ctx);
  tc_tensor *kept = tc_keep(tc_mul(a, a));
  tc_tensor *junk = tc_neg(a);
  CHECK(outer && kept && junk, "an op failed: %s", tc_last_error(ctx));
  tc_tensor_release(outer); /* the outer scope's, released from the inner */
  tc_scope_end(ctx);
  CHECK(live_handles(ctx) == base + 1, "%d live handles after the inner scope, want %d",
        live_handles(ctx), base + 1);
  tc_tensor_release(kept); /* now the outer scope's */
  CHECK(live_handles(ctx) == base, "%d live handles, want %d", live_handles(ctx), base);
  tc_scope_end(ctx);
  CHECK(live_handles(ctx) == base, "%d live handles after the outer scope, want %d",
        live_handles(ctx), base);
  CHECK(c.bad_frees == 0, "%lld blocks freed twice (or not ours)", (long long)c.bad_frees);
  double v = tc_item(tc_sum(a, NULL, 0, false));
  CHECK(v == 6.0, "sum(a) = %g", v);
  tc_ctx_free(ctx);
  CHECK(c.bad_frees == 0, "%lld blocks freed twice (or not ours)", (long long)c.bad_frees);
  CHECK(c.live_blocks == 0 && c.live_bytes == 0, "%lld blocks not returned", (long long)c.live_blocks);
  pthread_mutex_destroy(&c.mu);
  return 0;
}

TEST(kept_and_outer_handles_released_early_are_freed_once) {
  run_isolated("releasing kept and outer-scope handles early", release_kept_handle, 60);
}

TEST(scope_end_without_a_scope_and_keep_of_null_do_nothing) {
  tc_ctx *ctx = new_ctx(0, 1);
  tc_tensor *a = tc_arange(ctx, 0, 4, 1, TC_F32);
  tc_scope_end(ctx);
  tc_scope_end(ctx);
  assert_null(tc_keep(NULL));
  assert_int_equal(live_handles(ctx), 1);
  assert_ptr_equal(tc_keep(a), a); /* no scope: already the caller's */
  assert_int_equal(live_handles(ctx), 1);
  assert_true(item_f(tc_sum(a, NULL, 0, false)) == 6.0f);
  assert_string_equal(tc_last_error(ctx), "");
  tc_ctx_free(ctx);
}

TEST(a_failed_op_inside_a_scope_leaves_nothing_behind) {
  tc_ctx *ctx = new_ctx(0, 1);
  static const int64_t s2[] = {2}, s3[] = {3};
  tc_tensor *a = tc_ones(ctx, TC_F32, 1, s2), *b = tc_ones(ctx, TC_F32, 1, s3);
  int base = live_handles(ctx);
  tc_scope_begin(ctx);
  tc_tensor *r = tc_keep(tc_relu(tc_add(tc_exp(a), b)));
  assert_null(r);
  tc_scope_end(ctx);
  assert_int_equal(live_handles(ctx), base);
  assert_int_equal(tc_last_status(ctx), TC_ERR_ARG);
  tc_clear_error(ctx);
  tc_ctx_free(ctx);
}

/* keep of a handle made outside every scope must not give it to a scope */
static int keep_outside_handle(char *msg, size_t cap) {
  tc_ctx *ctx = tc_ctx_new(NULL);
  CHECK(ctx, "tc_ctx_new failed");
  static const int64_t s[] = {3};
  tc_tensor *a = tc_ones(ctx, TC_F32, 1, s);
  tc_scope_begin(ctx);
  tc_scope_begin(ctx);
  tc_keep(a); /* a is the caller's already */
  tc_scope_end(ctx);
  tc_scope_end(ctx);
  CHECK(live_handles(ctx) == 1, "a handle made outside every scope was released by a scope (%d live)",
        live_handles(ctx));
  double v = tc_item(tc_sum(a, NULL, 0, false));
  CHECK(v == 3.0, "sum = %g", v);
  tc_tensor_release(a);
  tc_ctx_free(ctx);
  return 0;
}

TEST(keep_of_a_handle_made_outside_every_scope_leaves_it_with_the_caller) {
  run_isolated("tc_keep of an outside handle in nested scopes", keep_outside_handle, 60);
}

/* An op given tensors of two contexts fails before it makes anything: no
 * handle is left behind in either context, inside a scope or not. */
TEST(ops_on_tensors_of_two_contexts_fail_and_leave_nothing_behind) {
  tc_ctx *ctx = new_ctx(0, 1), *other = new_ctx(0, 1);
  static const int64_t s[] = {3};
  tc_tensor *x = tc_ones(ctx, TC_F32, 1, s), *y = tc_ones(other, TC_F32, 1, s);
  tc_tensor *ymask = tc_ones(other, TC_BOOL, 1, s), *yidx = tc_arange_int(other, 0, 2, 1);
  tc_tensor *xmask = tc_ones(ctx, TC_BOOL, 1, s);
  int base = live_handles(ctx), obase = live_handles(other);
  for (int scoped = 0; scoped < 2; scoped++) {
    if (scoped) tc_scope_begin(ctx);
    assert_null(tc_add(x, y));
    assert_null(tc_where(xmask, x, y));
    assert_null(tc_clamp(x, NULL, y));
    assert_null(tc_matmul(x, y));
    assert_null(tc_isclose(x, y, 1e-5, 1e-8, false));
    assert_false(tc_equal(x, y));
    assert_false(tc_allclose(x, y, 1e-5, 1e-8, false));
    assert_null(tc_masked_select(x, ymask));
    assert_null(tc_index_select(x, 0, yidx));
    assert_null(tc_masked_fill(x, ymask, 1.0));
    assert_int_equal(tc_masked_fill_(x, ymask, 1.0), TC_ERR_ARG);
    assert_int_equal(tc_copy_(x, y), TC_ERR_ARG);
    assert_int_equal(tc_add_(x, y), TC_ERR_ARG);
    assert_int_equal(live_handles(ctx), base);
    assert_int_equal(live_handles(other), obase);
    if (scoped) tc_scope_end(ctx);
    assert_int_equal(tc_last_status(ctx), TC_ERR_ARG);
    assert_int_equal(tc_last_status(other), TC_OK);
    tc_clear_error(ctx);
  }
  assert_true(item_f(tc_sum(x, NULL, 0, false)) == 3.0f);
  tc_ctx_free(other);
  tc_ctx_free(ctx);
}

/* Each composite op (built from other ops in an internal scope) must hand
 * back exactly its results, as a caller-owned handle or into the caller's
 * scope, and release its temporaries. */
TEST(composite_ops_leave_only_their_results_behind) {
  tc_ctx *ctx = new_ctx(0, 2);
  static const int64_t s23[] = {2, 3}, s32[] = {3, 2}, s6[] = {6};
  tc_tensor *a = tc_rand(ctx, TC_F32, 2, s23);
  tc_tensor *b = tc_rand(ctx, TC_F32, 2, s32);
  tc_tensor *ai = tc_arange_int(ctx, 0, 6, 1);
  tc_tensor *at = tc_t(a);
  int base = live_handles(ctx);
  int dim1 = 1;
  struct {
    const char *name;
    tc_tensor *r;
  } ops[] = {
      {"tc_softmax", tc_softmax(a, 1)},
      {"tc_log_softmax", tc_log_softmax(a, 0)},
      {"tc_mean", tc_mean(a, &dim1, 1, false)},
      {"tc_var", tc_var(a, NULL, 0, 1.0, false)},
      {"tc_std", tc_std(a, &dim1, 1, 1.0, true)},
      {"tc_logsumexp", tc_logsumexp(a, &dim1, 1, false)},
      {"tc_matmul", tc_matmul(a, b)},
      {"tc_clamp", tc_clamp(a, tc_scalar(ctx, 0.25, TC_F32), NULL)},
      {"tc_clamp_scalar", tc_clamp_scalar(a, 0.25, 0.75)},
      {"tc_argmax", tc_argmax(a, false, 0, false)},
      {"tc_argmin", tc_argmin(a, false, 0, true)},
      {"tc_isclose", tc_isclose(a, a, 1e-5, 1e-8, false)},
      {"tc_reshape (copy)", tc_reshape(at, 1, s6)},
      {"tc_flatten (copy)", tc_flatten(at, 0, 1)},
  };
  /* tc_clamp above made one scalar handle of ours */
  int made = COUNT(ops) + 1;
  for (int i = 0; i < COUNT(ops); i++)
    if (!ops[i].r) fail_msg("%s failed: %s", ops[i].name, tc_last_error(ctx));
  assert_int_equal(live_handles(ctx), base + made);
  assert_true(tc_equal(a, a));
  assert_true(tc_allclose(a, a, 1e-5, 1e-8, false));
  tc_tensor *vals = NULL, *idx = NULL;
  assert_int_equal(tc_max_dim(a, 1, false, &vals, &idx), TC_OK);
  tc_tensor *outs[2] = {NULL, NULL};
  static const int64_t shape23[] = {2, 3};
  assert_int_equal(tc_unravel_index(ai, 2, shape23, outs), TC_OK);
  assert_int_equal(tc_add_(a, tc_t(b)), TC_OK);
  made += 2 + 2 + 1; /* max_dim's two, unravel's two, the tc_t */
  assert_int_equal(live_handles(ctx), base + made);
  for (int i = 0; i < COUNT(ops); i++) assert_int_equal(tc_realize(ops[i].r), TC_OK);
  assert_int_equal(tc_realize(outs[1]), TC_OK);
  assert_int_equal(live_handles(ctx), base + made);
  /* inside a scope, everything goes to the scope */
  tc_scope_begin(ctx);
  tc_tensor *k = tc_softmax(tc_matmul(a, b), -1);
  assert_non_null(tc_var(a, NULL, 0, 0.0, true));
  assert_non_null(tc_logsumexp(a, NULL, 0, false));
  assert_true(tc_allclose(k, k, 1e-5, 1e-8, false));
  assert_non_null(k);
  tc_scope_end(ctx);
  assert_int_equal(live_handles(ctx), base + made);
  tc_ctx_free(ctx);
}

/* ---- (d) threads -------------------------------------------------------- */

typedef struct job {
  int kind;   /* 0: softmax/row sums, 1: matmul and integer ops */
  int rounds;
  pthread_barrier_t *start;
  char err[512];
  counter mem;
} job;

static void job_fail(job *j, const char *fmt, ...) {
  if (j->err[0]) return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(j->err, sizeof j->err, fmt, ap);
  va_end(ap);
}

/* softmax rows of x[r][c] = sin(r * 7 + c), and row sums, for n x 33 */
static void job_softmax(job *j, tc_ctx *ctx, int n) {
  int64_t shape[2] = {n, 33};
  float *x = malloc(sizeof(float) * (size_t)n * 33), *got = malloc(sizeof(float) * (size_t)n * 33);
  for (int i = 0; i < n * 33; i++) x[i] = sinf((float)((i / 33) * 7 + i % 33));
  tc_scope_begin(ctx);
  tc_tensor *t = tc_from_data(ctx, x, TC_F32, 2, shape);
  tc_tensor *sm = tc_softmax(tc_mul_scalar(t, 3.0), 1);
  int d1 = 1;
  tc_tensor *rs = tc_sum(sm, &d1, 1, false);
  if (!sm || !rs || tc_copy_to_host(sm, got, sizeof(float) * (size_t)n * 33) != TC_OK) {
    job_fail(j, "softmax n=%d: %s", n, tc_last_error(ctx));
  } else {
    for (int r = 0; r < n && !j->err[0]; r++) {
      double m = -INFINITY, z = 0;
      for (int c = 0; c < 33; c++) m = fmax(m, 3.0 * x[r * 33 + c]);
      for (int c = 0; c < 33; c++) z += exp(3.0 * x[r * 33 + c] - m);
      for (int c = 0; c < 33; c++) {
        double want = exp(3.0 * x[r * 33 + c] - m) / z;
        if (fabs(got[r * 33 + c] - want) > 1e-5) {
          job_fail(j, "softmax n=%d [%d][%d] = %.9g, want %.9g", n, r, c, got[r * 33 + c], want);
          break;
        }
      }
    }
    float *sums = malloc(sizeof(float) * (size_t)n);
    if (tc_copy_to_host(rs, sums, sizeof(float) * (size_t)n) != TC_OK)
      job_fail(j, "row sums n=%d: %s", n, tc_last_error(ctx));
    for (int r = 0; r < n && !j->err[0]; r++)
      if (fabsf(sums[r] - 1.0f) > 1e-5f) job_fail(j, "softmax row %d sums to %.9g", r, sums[r]);
    free(sums);
  }
  tc_scope_end(ctx);
  free(x);
  free(got);
}

/* (n x 5) @ (5 x 4) in float64 and an integer expression, checked exactly */
static void job_matmul(job *j, tc_ctx *ctx, int n) {
  int64_t sa[2] = {n, 5}, sb[2] = {5, 4};
  double *A = malloc(sizeof(double) * (size_t)n * 5), B[20], *got = malloc(sizeof(double) * (size_t)n * 4);
  for (int i = 0; i < n * 5; i++) A[i] = (double)((i * 37) % 11) - 5;
  for (int i = 0; i < 20; i++) B[i] = (double)((i * 13) % 7) - 3;
  tc_scope_begin(ctx);
  tc_tensor *a = tc_from_data(ctx, A, TC_F64, 2, sa), *b = tc_from_data(ctx, B, TC_F64, 2, sb);
  tc_tensor *m = tc_matmul(a, b);
  if (!m || tc_copy_to_host(m, got, sizeof(double) * (size_t)n * 4) != TC_OK) {
    job_fail(j, "matmul n=%d: %s", n, tc_last_error(ctx));
  } else {
    for (int r = 0; r < n && !j->err[0]; r++)
      for (int c = 0; c < 4; c++) {
        double want = 0;
        for (int k = 0; k < 5; k++) want += A[r * 5 + k] * B[k * 4 + c];
        if (got[r * 4 + c] != want) {
          job_fail(j, "matmul n=%d [%d][%d] = %g, want %g", n, r, c, got[r * 4 + c], want);
          break;
        }
      }
  }
  /* sum((i * 3) % 7 for i in range(n * 10)) */
  tc_tensor *i = tc_arange_int(ctx, 0, n * 10, 1);
  tc_tensor *s = tc_sum(tc_binary_scalar(TC_OP_REMAINDER, tc_mul_scalar(i, 3), 7, false, false), NULL, 0, false);
  int64_t want = 0;
  for (int64_t k = 0; k < n * 10; k++) want += (k * 3) % 7;
  int64_t v = s ? tc_item_int(s) : -1;
  if (!s || tc_last_status(ctx) != TC_OK) job_fail(j, "integer sum n=%d: %s", n, tc_last_error(ctx));
  else if (v != want) job_fail(j, "integer sum n=%d = %lld, want %lld", n, (long long)v, (long long)want);
  tc_scope_end(ctx);
  free(A);
  free(got);
}

static void *job_main(void *arg) {
  job *j = arg;
  counter_init(&j->mem, 0);
  tc_allocator al = counting_allocator(&j->mem);
  tc_ctx_options o = {0};
  o.allocator = &al;
  o.num_threads = 2;
  tc_ctx *ctx = tc_ctx_new(&o);
  pthread_barrier_wait(j->start);
  if (!ctx) {
    job_fail(j, "tc_ctx_new failed");
    return NULL;
  }
  for (int r = 0; r < j->rounds && !j->err[0]; r++) {
    int n = 17 + r; /* a new shape, so new kernels, every round */
    if (j->kind == 0) job_softmax(j, ctx, n);
    else job_matmul(j, ctx, n);
    if (!j->err[0] && tc_last_status(ctx) != TC_OK) job_fail(j, "sticky error: %s", tc_last_error(ctx));
  }
  tc_ctx_free(ctx);
  if (!j->err[0] && (j->mem.live_blocks || j->mem.live_bytes))
    job_fail(j, "%lld blocks not returned", (long long)j->mem.live_blocks);
  return NULL;
}

static void run_two_threads(int kind0, int kind1, int rounds) {
  pthread_barrier_t start;
  pthread_barrier_init(&start, NULL, 2);
  job jobs[2] = {{.kind = kind0, .rounds = rounds, .start = &start},
                 {.kind = kind1, .rounds = rounds, .start = &start}};
  pthread_t th[2];
  for (int i = 0; i < 2; i++) assert_int_equal(pthread_create(&th[i], NULL, job_main, &jobs[i]), 0);
  for (int i = 0; i < 2; i++) pthread_join(th[i], NULL);
  pthread_barrier_destroy(&start);
  for (int i = 0; i < 2; i++) {
    if (jobs[i].err[0]) fail_msg("thread %d: %s", i, jobs[i].err);
    pthread_mutex_destroy(&jobs[i].mem.mu);
  }
}

/* The debug sink runs outside every tensorc lock: a sink that uses
 * tensorc (another context, compiling a kernel of its own) does not
 * deadlock, and two threads can each be in their sink (so in their
 * realizations, compiling) at the same time. */
static tc_ctx *sink_other;
static int sink_depth;
static void sink_using_tensorc(const char *text, void *user) {
  (void)user;
  if (sink_depth++ == 0 && strstr(text, "cache: miss")) { /* said while compiling */
    int64_t n = 77;
    tc_tensor *t = tc_sigmoid(tc_mul_scalar(tc_arange(sink_other, 0, (double)n, 1, TC_F32), 0.01));
    tc_realize(t); /* compiles while the first context is in its own compile */
    tc_tensor_release(t);
  }
  sink_depth--;
}

static int sink_calls_tensorc(char *msg, size_t cap) {
  tc_ctx_options o = {0};
  o.debug = TC_DEBUG_KERNELS | TC_DEBUG_LLVM | TC_DEBUG_CACHE;
  o.debug_sink = sink_using_tensorc;
  setenv("TC_INTERP_BUDGET", "0", 1);
  tc_ctx *ctx = tc_ctx_new(&o);
  sink_other = tc_ctx_new(NULL);
  unsetenv("TC_INTERP_BUDGET");
  CHECK(ctx && sink_other, "tc_ctx_new failed");
  int64_t n = 100;
  tc_tensor *y = tc_tanh(tc_add_scalar(tc_arange(ctx, 0, (double)n, 1, TC_F32), 0.5));
  CHECK(tc_realize(y) == TC_OK, "%s", tc_last_error(ctx));
  CHECK(tc_last_status(sink_other) == TC_OK, "%s", tc_last_error(sink_other));
  tc_tensor_release(y);
  tc_ctx_free(sink_other);
  tc_ctx_free(ctx);
  return 0;
}

TEST(a_debug_sink_that_calls_tensorc_does_not_deadlock) {
  run_isolated("a sink calling tensorc", sink_calls_tensorc, 60);
}

static pthread_barrier_t sink_barrier;
static void sink_meets_the_other_thread(const char *text, void *user) {
  bool *met = user;
  if (!*met && strstr(text, "--- kernel ---")) {
    pthread_barrier_wait(&sink_barrier); /* both threads in their sinks at once */
    *met = true;
  }
}

static void *compile_in_thread(void *arg) {
  bool *met = arg;
  tc_ctx_options o = {0};
  o.debug = TC_DEBUG_KERNELS | TC_DEBUG_LLVM;
  o.debug_sink = sink_meets_the_other_thread;
  o.debug_user = met;
  tc_ctx *ctx = tc_ctx_new(&o);
  int64_t n = 1000;
  tc_tensor *y = tc_exp(tc_mul_scalar(tc_arange(ctx, 0, (double)n, 1, TC_F32), 0.001));
  tc_status st = tc_realize(y);
  tc_tensor_release(y);
  tc_ctx_free(ctx);
  return (void *)(intptr_t)st;
}

static int threads_meet_in_their_sinks(char *msg, size_t cap) {
  pthread_barrier_init(&sink_barrier, NULL, 2);
  pthread_t th[2];
  bool met[2] = {false, false};
  for (int i = 0; i < 2; i++) CHECK(pthread_create(&th[i], NULL, compile_in_thread, &met[i]) == 0, "thread");
  for (int i = 0; i < 2; i++) {
    void *r;
    pthread_join(th[i], &r);
    CHECK((intptr_t)r == TC_OK, "thread %d failed", i);
  }
  CHECK(met[0] && met[1], "the threads did not meet");
  pthread_barrier_destroy(&sink_barrier);
  return 0;
}

TEST(two_threads_are_in_their_debug_sinks_at_the_same_time) {
  run_isolated("two threads in their sinks", threads_meet_in_their_sinks, 60);
}

TEST(two_contexts_in_two_threads_compute_the_same_softmax_correctly) {
  run_two_threads(0, 0, 12);
}

TEST(two_contexts_in_two_threads_compute_the_same_matmul_correctly) {
  run_two_threads(1, 1, 12);
}

TEST(two_contexts_in_two_threads_compute_different_things_correctly) {
  run_two_threads(0, 1, 12);
}

/* ---- (e) determinism ---------------------------------------------------- */

enum { BIG = 1 << 20, SIDE = 1024 };

/* Uniform floats in [-1, 1) from a fixed LCG, with a wide dynamic range. */
static float *test_floats(int n, uint32_t seed) {
  float *x = malloc(sizeof(float) * (size_t)n);
  assert_non_null(x);
  uint32_t s = seed;
  for (int i = 0; i < n; i++) {
    s = s * 1664525u + 1013904223u;
    float u = (float)(s >> 8) / 16777216.0f * 2.0f - 1.0f;
    x[i] = (i % 97 == 0) ? u * 1000.0f : u;
  }
  return x;
}

typedef enum { R_SUM_ALL, R_ROW_SUMS, R_COL_SUMS, R_SOFTMAX_ROWS, R_SOFTMAX_COLS, R_CHAIN,
               R_CHAIN_SUM, R_CHAIN_F16, R_CHAIN_F64, R_CHAIN_INT, R_MEAN_VAR } recipe;

/* Runs `rp` on the test data in a fresh context; the result's bytes in out
 * (malloc'd), their count in *nbytes. */
static void *compute(recipe rp, int eager, int threads, size_t *nbytes) {
  tc_ctx *ctx = new_ctx(eager, threads);
  assert_int_equal(tc_num_threads(ctx), threads);
  float *x = test_floats(BIG, 12345);
  int64_t flat[1] = {BIG}, sq[2] = {SIDE, SIDE};
  tc_tensor *t = tc_from_data(ctx, x, TC_F32, 1, flat);
  tc_tensor *m = tc_view(t, 2, sq);
  assert_non_null(m);
  int d0 = 0, d1 = 1;
  tc_tensor *r = NULL;
  tc_scope_begin(ctx);
  switch (rp) {
  case R_SUM_ALL: r = tc_sum(t, NULL, 0, false); break;
  case R_ROW_SUMS: r = tc_sum(m, &d1, 1, false); break;
  case R_COL_SUMS: r = tc_sum(m, &d0, 1, false); break;
  case R_SOFTMAX_ROWS: r = tc_softmax(m, 1); break;
  case R_SOFTMAX_COLS: r = tc_softmax(m, 0); break;
  case R_CHAIN:
  case R_CHAIN_SUM: {
    /* tanh(1.5x + 0.25) * sigmoid(x) - exp(-x*x) / (1 + |x|) + sqrt(|x|) */
    tc_tensor *c = tc_sub(tc_mul(tc_tanh(tc_add_scalar(tc_mul_scalar(t, 1.5), 0.25)), tc_sigmoid(t)),
                          tc_div(tc_exp(tc_neg(tc_mul(t, t))), tc_add_scalar(tc_abs(t), 1.0)));
    c = tc_add(c, tc_sqrt(tc_abs(t)));
    r = rp == R_CHAIN ? c : tc_sum(c, NULL, 0, false);
    break;
  }
  case R_CHAIN_F16:
  case R_CHAIN_F64: {
    tc_tensor *h = tc_to_dtype(t, rp == R_CHAIN_F16 ? TC_F16 : TC_F64);
    r = tc_add(tc_mul(tc_exp(tc_mul_scalar(h, 0.125)), h), tc_div(h, tc_add_scalar(tc_mul(h, h), 3.0)));
    break;
  }
  case R_CHAIN_INT: {
    tc_tensor *i = tc_to_dtype(tc_mul_scalar(tc_clamp_scalar(t, -1.0, 1.0), 30000.0), TC_I32);
    r = tc_bitwise_xor(tc_floor_divide(tc_mul(i, i), tc_add_scalar(tc_abs(i), 1)),
                       tc_binary_scalar(TC_OP_REMAINDER, i, 7, false, false));
    break;
  }
  case R_MEAN_VAR: {
    tc_tensor *v = tc_var(m, &d1, 1, 1.0, false);
    r = tc_add(v, tc_mean(m, &d1, 1, false));
    break;
  }
  }
  assert_non_null(r);
  tc_keep(r);
  tc_scope_end(ctx);
  size_t n = (size_t)tc_tensor_numel(r) * tc_dtype_size(tc_tensor_dtype(r));
  void *out = malloc(n ? n : 1);
  assert_non_null(out);
  if (tc_copy_to_host(r, out, n) != TC_OK) fail_msg("recipe %d: %s", (int)rp, tc_last_error(ctx));
  *nbytes = n;
  free(x);
  tc_ctx_free(ctx);
  return out;
}

static void assert_same_bits(const void *a, const void *b, size_t n, const char *what) {
  if (memcmp(a, b, n) == 0) return;
  const unsigned char *p = a, *q = b;
  size_t i = 0;
  while (p[i] == q[i]) i++;
  fail_msg("%s: results differ from byte %zu of %zu", what, i, n);
}

static void assert_deterministic(recipe rp, const char *what, bool eager_too) {
  size_t n1, n2, n3;
  void *one = compute(rp, 0, 1, &n1);
  void *two = compute(rp, 0, 2, &n2);
  assert_int_equal(n1, n2);
  assert_same_bits(one, two, n1, what);
  void *again = compute(rp, 0, 2, &n3);
  assert_same_bits(two, again, n1, what);
  free(again);
  if (eager_too) {
    size_t n4, n5;
    void *e1 = compute(rp, 1, 1, &n4), *e2 = compute(rp, 1, 2, &n5);
    assert_int_equal(n4, n1);
    assert_same_bits(one, e1, n1, what);
    assert_same_bits(one, e2, n1, what);
    free(e1);
    free(e2);
  }
  free(one);
  free(two);
}

TEST(a_sum_of_a_million_floats_is_bitwise_identical_with_one_and_two_threads) {
  assert_deterministic(R_SUM_ALL, "sum of 1M floats", true);
  /* and it is a good sum */
  size_t n;
  float *s = compute(R_SUM_ALL, 0, 2, &n);
  float *x = test_floats(BIG, 12345);
  double ref = 0, mag = 0;
  for (int i = 0; i < BIG; i++) {
    ref += x[i];
    mag += fabs(x[i]);
  }
  assert_true(fabs(*s - ref) <= 1e-6 * mag);
  free(s);
  free(x);
}

TEST(row_and_column_sums_are_bitwise_identical_with_one_and_two_threads) {
  assert_deterministic(R_ROW_SUMS, "row sums of 1024x1024", true);
  assert_deterministic(R_COL_SUMS, "column sums of 1024x1024", true);
}

TEST(softmax_is_bitwise_identical_with_one_and_two_threads_and_eager) {
  assert_deterministic(R_SOFTMAX_ROWS, "softmax over rows", true);
  assert_deterministic(R_SOFTMAX_COLS, "softmax over columns", true);
}

TEST(mean_and_var_are_bitwise_identical_with_one_and_two_threads_and_eager) {
  assert_deterministic(R_MEAN_VAR, "var + mean over rows", true);
}

TEST(elementwise_chains_are_bitwise_identical_eager_and_fused) {
  assert_deterministic(R_CHAIN, "a float32 chain", true);
  assert_deterministic(R_CHAIN_F16, "a float16 chain", true);
  assert_deterministic(R_CHAIN_F64, "a float64 chain", true);
  assert_deterministic(R_CHAIN_INT, "an int32 chain", true);
}

TEST(a_sum_over_a_fused_chain_is_bitwise_identical_to_the_eager_one) {
  assert_deterministic(R_CHAIN_SUM, "sum of a chain", true);
}

TEST(random_numbers_do_not_depend_on_threads_or_eager_mode) {
  void *res[4];
  size_t n = 0;
  for (int k = 0; k < 4; k++) {
    tc_ctx *ctx = new_ctx(k >= 2, 1 + (k & 1));
    tc_manual_seed(ctx, 99);
    static const int64_t s[] = {512, 256};
    tc_tensor *u = tc_rand(ctx, TC_F32, 2, s);
    tc_tensor *g = tc_randn(ctx, TC_F32, 2, s);
    tc_tensor *r = tc_add(tc_mul(u, g), tc_sum(g, (int[]){1}, 1, true));
    n = (size_t)tc_tensor_numel(r) * 4;
    res[k] = malloc(n);
    assert_int_equal(tc_copy_to_host(r, res[k], n), TC_OK);
    tc_ctx_free(ctx);
  }
  for (int k = 1; k < 4; k++) assert_same_bits(res[0], res[k], n, "rand * randn + sum(randn)");
  for (int k = 0; k < 4; k++) free(res[k]);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(every_byte_comes_back_after_ctx_free_even_with_forgotten_handles),
      cmocka_unit_test(every_byte_comes_back_after_ctx_free_in_eager_mode),
      cmocka_unit_test(every_byte_comes_back_after_ctx_free_with_one_thread),
      cmocka_unit_test(an_unused_context_returns_every_byte),
      cmocka_unit_test(ctx_free_releases_handles_left_in_nested_open_scopes),
      cmocka_unit_test(releasing_every_handle_frees_every_graph_node),
      cmocka_unit_test(releasing_every_handle_after_in_place_writes_frees_every_graph_node),
      cmocka_unit_test(a_lazy_chain_of_50000_ops_realizes_without_overflowing_the_stack),
      cmocka_unit_test(releasing_a_lazy_chain_of_200000_ops_does_not_overflow_the_stack),
      cmocka_unit_test(every_single_allocation_failure_is_reported_and_leaks_nothing),
      cmocka_unit_test(every_single_allocation_failure_is_reported_and_leaks_nothing_in_eager_mode),
      cmocka_unit_test(running_out_of_memory_for_good_at_any_point_is_reported_and_leaks_nothing),
      cmocka_unit_test(running_out_of_memory_while_lowering_is_an_error_not_a_kernel_boundary),
      cmocka_unit_test(a_context_computes_right_after_an_allocation_failure_is_cleared),
      cmocka_unit_test(ctx_new_returns_null_when_its_allocations_fail_and_leaks_nothing),
      cmocka_unit_test(a_realization_that_runs_out_of_memory_can_be_retried_after_clearing),
      cmocka_unit_test(realize_many_reports_a_failed_allocation_with_a_message),
      cmocka_unit_test(scope_end_releases_every_handle_made_inside_the_scope),
      cmocka_unit_test(keep_hands_a_result_to_the_caller_when_no_scope_encloses_it),
      cmocka_unit_test(keep_moves_a_handle_to_the_enclosing_scope),
      cmocka_unit_test(keep_in_each_of_two_nested_scopes_hands_the_result_to_the_caller),
      cmocka_unit_test(scopes_nest_three_deep_and_release_in_order),
      cmocka_unit_test(handles_made_before_a_scope_survive_it),
      cmocka_unit_test(a_retained_scope_handle_outlives_the_scope),
      cmocka_unit_test(a_handle_released_inside_its_scope_is_freed_once),
      cmocka_unit_test(a_retained_handle_released_inside_its_scope_stays_the_callers),
      cmocka_unit_test(kept_and_outer_handles_released_early_are_freed_once),
      cmocka_unit_test(scope_end_without_a_scope_and_keep_of_null_do_nothing),
      cmocka_unit_test(a_failed_op_inside_a_scope_leaves_nothing_behind),
      cmocka_unit_test(keep_of_a_handle_made_outside_every_scope_leaves_it_with_the_caller),
      cmocka_unit_test(ops_on_tensors_of_two_contexts_fail_and_leave_nothing_behind),
      cmocka_unit_test(composite_ops_leave_only_their_results_behind),
      cmocka_unit_test(a_debug_sink_that_calls_tensorc_does_not_deadlock),
      cmocka_unit_test(two_threads_are_in_their_debug_sinks_at_the_same_time),
      cmocka_unit_test(two_contexts_in_two_threads_compute_the_same_softmax_correctly),
      cmocka_unit_test(two_contexts_in_two_threads_compute_the_same_matmul_correctly),
      cmocka_unit_test(two_contexts_in_two_threads_compute_different_things_correctly),
      cmocka_unit_test(a_sum_of_a_million_floats_is_bitwise_identical_with_one_and_two_threads),
      cmocka_unit_test(row_and_column_sums_are_bitwise_identical_with_one_and_two_threads),
      cmocka_unit_test(softmax_is_bitwise_identical_with_one_and_two_threads_and_eager),
      cmocka_unit_test(mean_and_var_are_bitwise_identical_with_one_and_two_threads_and_eager),
      cmocka_unit_test(elementwise_chains_are_bitwise_identical_eager_and_fused),
      cmocka_unit_test(a_sum_over_a_fused_chain_is_bitwise_identical_to_the_eager_one),
      cmocka_unit_test(random_numbers_do_not_depend_on_threads_or_eager_mode),
  };
  /* only the tests matching a pattern (scripts/test's ThreadSanitizer run) */
  if (getenv("TC_TEST_FILTER")) cmocka_set_test_filter(getenv("TC_TEST_FILTER"));
  return cmocka_run_group_tests(tests, NULL, NULL);
}
