/*
 * bench_loops.c — programs that are loops, fused and eager, beside PyTorch
 * eager on the same loops when a `torch` is importable (bench/torch_loops.py
 * runs them; it is optional).
 *
 * Each loop runs a fixed number of steps; the figure is the time per step,
 * the best of 3 timed runs after two warm-up runs (which compile), with
 * tc_stats' kernels, compilations and elements computed per step beside it.
 * Targets: every loop at least as fast as PyTorch eager on this machine,
 * and fused never slower than tensorc's own eager mode. Prints a table and
 * one JSON object per figure (lines starting with '{'); asserts nothing.
 *   usage: tensorc_bench_loops [--no-torch] [LOOP...]
 * (LOOPs: run only the loops whose names start with one of them)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tensorc.h>
#include <time.h>

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

typedef double (*loop_fn)(tc_ctx *ctx, int steps); /* returns a checksum */

/* w = ones(2); s = w.sum(); w = w - 0.25 * s; s.item() */
static double gd_item(tc_ctx *ctx, int steps) {
  int64_t two = 2;
  tc_tensor *w = tc_ones(ctx, TC_F32, 1, &two);
  double v = 0;
  for (int i = 0; i < steps; i++) {
    tc_tensor *s = tc_sum(w, NULL, 0, false);
    tc_tensor *step = tc_mul_scalar(s, 0.25), *w2 = tc_sub(w, step);
    tc_tensor_release(step); /* (a handle kept would be stored at every read) */
    v = tc_item(s);
    tc_tensor_release(s);
    tc_tensor_release(w);
    w = w2;
  }
  tc_tensor_release(w);
  return v;
}

/* linear regression, manual gradients, a learning rate that changes every
 * step, loss.item() every step: x (1024, 16) */
static double regression(tc_ctx *ctx, int steps) {
  int64_t xs[2] = {1024, 16}, ws[2] = {16, 1};
  tc_manual_seed(ctx, 1);
  tc_scope_begin(ctx);
  tc_tensor *x = tc_keep(tc_randn(ctx, TC_F32, 2, xs));
  tc_tensor *y = tc_keep(tc_matmul(x, tc_reshape(tc_arange(ctx, 0, 16, 1, TC_F32), 2, ws)));
  tc_scope_end(ctx);
  tc_realize_many((tc_tensor *[]){x, y}, 2);
  tc_tensor *w = tc_zeros(ctx, TC_F32, 2, ws);
  double loss = 0;
  for (int i = 0; i < steps; i++) {
    tc_scope_begin(ctx);
    double lr = 0.1 / (1 + 0.001 * i);
    tc_tensor *err = tc_sub(tc_matmul(x, w), y);
    tc_tensor *l = tc_mean(tc_mul(err, err), NULL, 0, false);
    tc_tensor *g = tc_mul_scalar(tc_matmul(tc_t(x), err), 2.0 / 1024);
    tc_tensor *w2 = tc_keep(tc_sub(w, tc_mul_scalar(g, lr)));
    loss = tc_item(l);
    tc_scope_end(ctx);
    tc_tensor_release(w);
    w = w2;
  }
  tc_tensor_release(w);
  tc_tensor_release(x);
  tc_tensor_release(y);
  return loss;
}

/* y = y + i; y.sum().item(): a new Python scalar every step */
static double scalar_schedule(tc_ctx *ctx, int steps) {
  int64_t n = 1000;
  tc_tensor *y = tc_zeros(ctx, TC_F32, 1, &n);
  double v = 0;
  for (int i = 0; i < steps; i++) {
    tc_tensor *y2 = tc_add_scalar(y, (double)i);
    tc_tensor_release(y);
    y = y2;
    tc_tensor *s = tc_sum(y, NULL, 0, false);
    v = tc_item(s);
    tc_tensor_release(s);
  }
  tc_tensor_release(y);
  return v;
}

/* x[1:-1] = (x[:-2] + x[2:]) * 0.5 in place, 4096 elements, read every 50 */
static double stencil(tc_ctx *ctx, int steps) {
  int64_t n = 4096;
  tc_tensor *x = tc_zeros(ctx, TC_F32, 1, &n);
  tc_fill_(tc_slice(x, 0, 0, 1, 1), 1.0);
  double v = 0;
  for (int i = 0; i < steps; i++) {
    tc_scope_begin(ctx);
    tc_tensor *avg = tc_mul_scalar(tc_add(tc_slice(x, 0, 0, n - 2, 1), tc_slice(x, 0, 2, n, 1)), 0.5);
    tc_copy_(tc_slice(x, 0, 1, n - 1, 1), avg);
    if (i % 50 == 49) v = tc_item(tc_sum(x, NULL, 0, false));
    tc_scope_end(ctx);
  }
  tc_tensor_release(x);
  return v;
}

/* avg = 0.9 * avg + 0.1 * rand(10000); avg.mean().item() every 10 steps */
static double running_average(tc_ctx *ctx, int steps) {
  int64_t n = 10000;
  tc_manual_seed(ctx, 2);
  tc_tensor *avg = tc_zeros(ctx, TC_F32, 1, &n);
  double v = 0;
  for (int i = 0; i < steps; i++) {
    tc_scope_begin(ctx);
    tc_tensor *a2 = tc_keep(tc_add(tc_mul_scalar(avg, 0.9), tc_mul_scalar(tc_rand(ctx, TC_F32, 1, &n), 0.1)));
    if (i % 10 == 9) v = tc_item(tc_mean(a2, NULL, 0, false));
    tc_scope_end(ctx);
    tc_tensor_release(avg);
    avg = a2;
  }
  tc_tensor_release(avg);
  return v;
}

/* x[mask] = v over 10,000 of 100,000 positions, then x.sum().item() */
static double mask_write(tc_ctx *ctx, int steps) {
  int64_t n = 100000;
  tc_scope_begin(ctx);
  tc_tensor *x = tc_zeros(ctx, TC_F32, 1, &n);
  tc_tensor *mask = tc_eq(tc_remainder(tc_arange_int(ctx, 0, n, 1), tc_scalar(ctx, 10, TC_I64)),
                          tc_scalar(ctx, 0, TC_I64));
  tc_tensor *v = tc_arange(ctx, 0, 10000, 1, TC_F32);
  tc_realize_many((tc_tensor *[]){x, mask, v}, 3);
  double s = 0;
  for (int i = 0; i < steps; i++) {
    tc_scope_begin(ctx);
    tc_masked_scatter_(x, mask, tc_add_scalar(v, (double)i));
    s = tc_item(tc_sum(x, NULL, 0, false));
    tc_scope_end(ctx);
  }
  tc_scope_end(ctx);
  return s;
}

/* a @ b of cheap expressions, 256^3, read back */
static double matmul_expr(tc_ctx *ctx, int steps) {
  int64_t s[2] = {256, 256};
  tc_manual_seed(ctx, 3);
  tc_scope_begin(ctx);
  tc_tensor *x = tc_rand(ctx, TC_F32, 2, s), *y = tc_rand(ctx, TC_F32, 2, s);
  tc_realize_many((tc_tensor *[]){x, y}, 2);
  double v = 0;
  for (int i = 0; i < steps; i++) {
    tc_scope_begin(ctx);
    tc_tensor *p = tc_matmul(tc_add_scalar(tc_mul_scalar(x, 2), 1), tc_add_scalar(y, -0.5));
    v = tc_item(tc_sum(p, NULL, 0, false));
    tc_scope_end(ctx);
  }
  tc_scope_end(ctx);
  return v;
}

typedef struct loop {
  const char *name;
  loop_fn fn;
  int steps;
  const char *what;
} loop;

static const loop loops[] = {
    {"gd_item", gd_item, 1000, "w = w - 0.25 * w.sum(), sum read every step (2 elements)"},
    {"regression", regression, 200, "linear regression, manual grads, lr per step, loss.item()"},
    {"scalar_schedule", scalar_schedule, 1000, "y = y + i; y.sum().item() (1000 elements)"},
    {"stencil", stencil, 500, "x[1:-1] = (x[:-2] + x[2:]) * 0.5 in place (4096)"},
    {"running_average", running_average, 1000, "avg = 0.9 avg + 0.1 rand, mean read every 10"},
    {"mask_write", mask_write, 100, "x[mask] = v, 10,000 of 100,000 positions, sum read"},
    {"matmul_expr", matmul_expr, 10, "(2x + 1) @ (y - 0.5), 256^3, sum read"},
};
#define NLOOPS (int)(sizeof loops / sizeof loops[0])

typedef struct result {
  double us_per_step;
  double kernels, compiles, elements; /* per step, in the timed runs */
  double check;
} result;

static result measure(const loop *L, int eager) {
  tc_ctx_options o = {0};
  o.eager = eager;
  tc_ctx *ctx = tc_ctx_new(&o);
  result r = {1e30, 0, 0, 0, 0};
  r.check = L->fn(ctx, L->steps); /* warm-up: compiles (kernels are interpreted */
  L->fn(ctx, L->steps);            /* until they have cost about a compile) */
  for (int rep = 0; rep < 3; rep++) {
    tc_reset_stats(ctx);
    double t0 = now();
    L->fn(ctx, L->steps);
    double us = (now() - t0) * 1e6 / L->steps;
    if (us < r.us_per_step) {
      tc_stats st = tc_get_stats(ctx);
      r.us_per_step = us;
      r.kernels = (double)st.kernels_launched / L->steps;
      r.compiles = (double)st.kernels_compiled / L->steps;
      r.elements = (double)st.elements_computed / L->steps;
    }
  }
  tc_ctx_free(ctx);
  return r;
}

/* PyTorch eager's time per step for each loop, from bench/torch_loops.py */
static int torch_times(const char *argv0, double *us) {
  char dir[1024];
  snprintf(dir, sizeof dir, "%s", argv0);
  char *slash = strrchr(dir, '/');
  const char *script = getenv("TC_TORCH_LOOPS");
  char path[1200];
  if (!script) { /* the source tree's bench/, from build/ */
    if (slash) *slash = 0;
    else snprintf(dir, sizeof dir, ".");
    snprintf(path, sizeof path, "%s/../bench/torch_loops.py", dir);
    script = path;
  }
  char cmd[1400];
  snprintf(cmd, sizeof cmd, "python3 '%s' 2>/dev/null", script);
  FILE *p = popen(cmd, "r");
  if (!p) return 0;
  char line[512];
  int found = 0;
  while (fgets(line, sizeof line, p)) {
    char name[64];
    double v;
    if (sscanf(line, "{\"bench\": \"torch_eager\", \"loop\": \"%63[^\"]\", \"figure\": \"us_per_step\", "
                     "\"value\": %lf", name, &v) == 2)
      for (int i = 0; i < NLOOPS; i++)
        if (!strcmp(name, loops[i].name)) us[i] = v, found++;
  }
  pclose(p);
  return found;
}

static void json(const char *bench, const char *loop, const char *fig, double v, const char *unit) {
  printf("{\"bench\": \"%s\", \"loop\": \"%s\", \"figure\": \"%s\", \"value\": %.6g, \"unit\": \"%s\"}\n",
         bench, loop, fig, v, unit);
}

int main(int argc, char **argv) {
  bool use_torch = true;
  const char *only[16];
  int nonly = 0;
  for (int a = 1; a < argc; a++) {
    if (!strcmp(argv[a], "--no-torch")) use_torch = false;
    else if (nonly < 16) only[nonly++] = argv[a];
  }
  double torch_us[NLOOPS];
  for (int i = 0; i < NLOOPS; i++) torch_us[i] = -1;
  int have_torch = use_torch ? torch_times(argv[0], torch_us) : 0;
  printf("tensorc loops: time per step (best of 3 after two warm-up runs)\n");
  printf("%-16s %11s %11s %11s %8s %8s  %s\n", "loop", "fused us", "eager us", "torch us",
         "eager/f", "torch/f", "kernels/step fused (compiles/step)");
  for (int i = 0; i < NLOOPS; i++) {
    bool chosen = nonly == 0;
    for (int j = 0; j < nonly; j++) chosen |= !strncmp(loops[i].name, only[j], strlen(only[j]));
    if (!chosen) continue;
    result f = measure(&loops[i], 0), e = measure(&loops[i], 1);
    char tt[32] = "-", tr[32] = "-";
    if (torch_us[i] > 0) {
      snprintf(tt, sizeof tt, "%.1f", torch_us[i]);
      snprintf(tr, sizeof tr, "%.2fx", torch_us[i] / f.us_per_step);
    }
    printf("%-16s %11.1f %11.1f %11s %7.2fx %8s  %.1f (%.3f)\n", loops[i].name, f.us_per_step,
           e.us_per_step, tt, e.us_per_step / f.us_per_step, tr, f.kernels, f.compiles);
    json("tensorc_fused", loops[i].name, "us_per_step", f.us_per_step, "us");
    json("tensorc_eager", loops[i].name, "us_per_step", e.us_per_step, "us");
    json("tensorc_fused", loops[i].name, "kernels_per_step", f.kernels, "count");
    json("tensorc_fused", loops[i].name, "elements_per_step", f.elements, "count");
    json("tensorc_eager", loops[i].name, "elements_per_step", e.elements, "count");
    json("tensorc_fused", loops[i].name, "eager_over_fused", e.us_per_step / f.us_per_step, "ratio");
    if (torch_us[i] > 0) json("tensorc_fused", loops[i].name, "torch_over_fused", torch_us[i] / f.us_per_step, "ratio");
    if (f.check != e.check)
      printf("  (%s: fused and eager results differ: %.17g vs %.17g)\n", loops[i].name, f.check, e.check);
  }
  for (int i = 0; i < NLOOPS; i++) printf("  %-16s %s\n", loops[i].name, loops[i].what);
  printf("targets: fused at least as fast as torch eager (torch/f >= 1) and as tensorc eager (eager/f >= 1)%s\n",
         have_torch ? "" : "; no torch importable: its column is empty");
  return 0;
}
