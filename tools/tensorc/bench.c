/*
 * bench.c — `tensorc bench`: the script fused and eager, run again and
 * again by the embedded CPython in one process, each run in a fresh
 * __main__ with its output discarded, on the thread's one tensorc context
 * (eager switched with tc_set_eager, the counters reset before each run).
 * The first `warmup` runs pay for compilation (the kernel cache is
 * process-wide, so later runs hit it); the first run's counters give the
 * compile numbers. The reported time is the median
 * of the `repeat` runs after them, over the script's run alone (context
 * setup excluded), divided by the realizations for the time per
 * realization. Kernel counts, kernel time and bytes moved come from the
 * measured run closest to the median.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

typedef struct mode_result {
  double median, per_realization;
  tc_stats median_stats; /* counters of a measured run */
  uint64_t compiled;     /* first run */
  double compile_seconds;
} mode_result;

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static int bench_mode(const script *s, bool eager, int repeat, int warmup, mode_result *out) {
  tc_ctx *ctx = py_context();
  if (!ctx) {
    fprintf(stderr, "tensorc bench: cannot make a tensorc context\n");
    return EXIT_SCRIPT;
  }
  tc_set_eager(ctx, eager);
  double *times = calloc((size_t)repeat, sizeof(double)), *sorted = calloc((size_t)repeat, sizeof(double));
  tc_stats *stats = calloc((size_t)repeat, sizeof(tc_stats));
  int rc = EXIT_OK;
  if (!times || !sorted || !stats) rc = EXIT_SCRIPT;
  memset(out, 0, sizeof *out);
  for (int r = 0; rc == EXIT_OK && r < warmup + repeat; r++) {
    tc_stats st;
    double secs;
    rc = py_run(s, true, &st, &secs);
    py_forget_main();
    if (r == 0) {
      out->compiled = st.kernels_compiled;
      out->compile_seconds = st.compile_seconds;
    }
    if (r >= warmup) {
      times[r - warmup] = sorted[r - warmup] = secs;
      stats[r - warmup] = st;
    }
  }
  if (rc == EXIT_OK) {
    qsort(sorted, (size_t)repeat, sizeof(double), cmp_double);
    out->median = repeat % 2 ? sorted[repeat / 2] : (sorted[repeat / 2 - 1] + sorted[repeat / 2]) / 2;
    /* the counters of the run closest to the median */
    int best = 0;
    for (int i = 1; i < repeat; i++)
      if (fabs(times[i] - out->median) < fabs(times[best] - out->median)) best = i;
    out->median_stats = stats[best];
    uint64_t nr = out->median_stats.realizations;
    out->per_realization = nr ? out->median / (double)nr : out->median;
  }
  free(times);
  free(sorted);
  free(stats);
  return rc;
}

static void json_mode(const char *name, const mode_result *m, bool last) {
  const tc_stats *st = &m->median_stats;
  printf("  \"%s\": {\"median_seconds\": %.9g, \"per_realization_seconds\": %.9g, \"realizations\": %llu, "
         "\"kernels_launched\": %llu, \"kernels_compiled\": %llu, \"compile_seconds\": %.9g, "
         "\"kernel_seconds\": %.9g, \"bytes_moved\": %llu, \"cache_hits\": %llu}%s\n",
         name, m->median, m->per_realization, (unsigned long long)st->realizations,
         (unsigned long long)st->kernels_launched, (unsigned long long)m->compiled, m->compile_seconds,
         st->run_seconds, (unsigned long long)st->bytes_moved, (unsigned long long)st->cache_hits, last ? "" : ",");
}

static const char *human_bytes(uint64_t b, char *buf, size_t n) {
  if (b >= 1000000000ull) snprintf(buf, n, "%.2f GB", b / 1e9);
  else if (b >= 1000000ull) snprintf(buf, n, "%.2f MB", b / 1e6);
  else if (b >= 1000ull) snprintf(buf, n, "%.2f kB", b / 1e3);
  else snprintf(buf, n, "%llu B", (unsigned long long)b);
  return buf;
}

static const char *human_time(double s, char *buf, size_t n) {
  if (s >= 1) snprintf(buf, n, "%.3f s", s);
  else if (s >= 1e-3) snprintf(buf, n, "%.3f ms", s * 1e3);
  else snprintf(buf, n, "%.3f us", s * 1e6);
  return buf;
}

int cmd_bench(const tcli_request *r) {
  const script *s = r->s;
  bool json = r->json;
  int repeat = r->repeat, warmup = r->warmup;
  mode_result fused, eager;
  tc_ctx_options opts = {0};
  int rc = py_start(r, &opts);
  if (rc != EXIT_OK) return rc;
  rc = bench_mode(s, false, repeat, warmup, &fused);
  if (rc == EXIT_OK) rc = bench_mode(s, true, repeat, warmup, &eager);
  rc = py_finish(rc);
  if (rc != EXIT_OK) return rc;
  double ratio = eager.median > 0 ? fused.median / eager.median : 0;
  if (json) {
    printf("{\n  \"file\": \"");
    for (const char *c = s->path; *c; c++) {
      if (*c == '"' || *c == '\\') putchar('\\');
      if ((unsigned char)*c < 0x20) printf("\\u%04x", *c);
      else putchar(*c);
    }
    printf("\",\n  \"runs\": %d,\n  \"warmup\": %d,\n", repeat, warmup);
    json_mode("fused", &fused, false);
    json_mode("eager", &eager, false);
    printf("  \"fused_over_eager\": %.6g\n}\n", ratio);
    return EXIT_OK;
  }
  char a[32], b[32];
  printf("tensorc bench %s: median of %d run%s after %d warm-up\n\n", s->path, repeat, repeat == 1 ? "" : "s", warmup);
  printf("%-26s %14s %14s\n", "", "fused", "eager");
  printf("%-26s %14s %14s\n", "time per run", human_time(fused.median, a, sizeof a), human_time(eager.median, b, sizeof b));
  printf("%-26s %14llu %14llu\n", "realizations", (unsigned long long)fused.median_stats.realizations,
         (unsigned long long)eager.median_stats.realizations);
  printf("%-26s %14s %14s\n", "time per realization", human_time(fused.per_realization, a, sizeof a),
         human_time(eager.per_realization, b, sizeof b));
  printf("%-26s %14llu %14llu\n", "kernels launched", (unsigned long long)fused.median_stats.kernels_launched,
         (unsigned long long)eager.median_stats.kernels_launched);
  printf("%-26s %14llu %14llu\n", "kernels compiled (1st run)", (unsigned long long)fused.compiled,
         (unsigned long long)eager.compiled);
  printf("%-26s %14s %14s\n", "compile time (1st run)", human_time(fused.compile_seconds, a, sizeof a),
         human_time(eager.compile_seconds, b, sizeof b));
  printf("%-26s %14s %14s\n", "time in kernels", human_time(fused.median_stats.run_seconds, a, sizeof a),
         human_time(eager.median_stats.run_seconds, b, sizeof b));
  printf("%-26s %14s %14s\n", "bytes moved", human_bytes(fused.median_stats.bytes_moved, a, sizeof a),
         human_bytes(eager.median_stats.bytes_moved, b, sizeof b));
  printf("\nfused/eager time: %.3f", ratio);
  if (ratio > 0) printf(" (eager takes %.2fx as long)", 1 / ratio);
  printf("\n");
  return EXIT_OK;
}
