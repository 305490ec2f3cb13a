/*
 * dump.c — `tensorc ir`, `kernels`, `codegen` and `dot`: the script runs
 * with the library's debug dumps turned on and a sink that filters them
 * onto stdout.
 *
 * The library prints "--- graph IR after build ---" when a realization
 * starts, so graph IR dumps are always requested: that header marks each
 * realization, which the sink announces with the script line that caused
 * it ("=== realization 2 at x.py:7 ===", the line CPython is running in the
 * script's file), and then drops the IR unless the
 * command shows it. Each header is one sink call and its text the next, so
 * a one-chunk lookahead filters whole dumps. `dot` collects one digraph per
 * realization and prints one graph: each realization a cluster (ids
 * prefixed so they stay distinct), or one realization with --realization.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#include "cli.h"
#include "sbuf.h"

typedef struct dump_state {
  const dump_opts *o;
  const char *path;
  int realization;      /* realizations seen */
  int announced;        /* last realization whose header was printed */
  bool skip_next;       /* drop the next chunk (the body of a dropped dump) */
  bool any_after;       /* ir --after matched at least once */
  char **dots;          /* DUMP_DOT: one digraph per realization */
  int *dot_lines;
  int ndots, capdots;
} dump_state;

static bool starts(const char *s, const char *p) { return !strncmp(s, p, strlen(p)); }

static void announce(dump_state *st) {
  if (st->announced == st->realization) return;
  st->announced = st->realization;
  const char *c = st->o->mode == DUMP_LLVM ? "; " : st->o->mode == DUMP_ASM ? "# " : st->o->mode == DUMP_CUDA || st->o->mode == DUMP_PTX ? "// " : "";
  printf("%s=== realization %d at %s:%d ===\n", c, st->realization, st->path, py_script_line());
}

static void keep_dot(dump_state *st, const char *text) {
  if (st->ndots == st->capdots) {
    int cap = st->capdots ? st->capdots * 2 : 8;
    char **d = realloc(st->dots, sizeof(char *) * (size_t)cap);
    int *l = realloc(st->dot_lines, sizeof(int) * (size_t)cap);
    if (d) st->dots = d;
    if (l) st->dot_lines = l;
    if (!d || !l) return;
    st->capdots = cap;
  }
  char *copy = strdup(text);
  if (!copy) return;
  st->dot_lines[st->ndots] = py_script_line();
  st->dots[st->ndots++] = copy;
}

static void filter(dump_state *st, const char *text);

/* The script's print() output, when shown, goes through Python's buffered
 * sys.stdout: flush it first, so the two stay in order. */
static void sink(const char *text, void *user) {
  dump_state *st = user;
  if (st->o->show_output) py_flush_stdout();
  filter(st, text);
  fflush(stdout);
}

static void filter(dump_state *st, const char *text) {
  if (st->skip_next) {
    st->skip_next = false;
    return;
  }
  if (starts(text, "--- graph IR after ")) {
    char pass[64] = "";
    sscanf(text, "--- graph IR after %63s", pass);
    if (!strcmp(pass, "build")) st->realization++;
    bool show = st->o->mode == DUMP_IR && (!st->o->after || !strcmp(st->o->after, pass));
    if (!show) {
      st->skip_next = true;
      return;
    }
    st->any_after = true;
    announce(st);
    fputs(text, stdout);
    return;
  }
  switch (st->o->mode) {
  case DUMP_IR: announce(st); fputs(text, stdout); break;
  case DUMP_KERNELS:
    if (starts(text, "fuse:") || starts(text, "--- kernel ---")) {
      announce(st);
      fputs(text, stdout);
    }
    break;
  case DUMP_LLVM: case DUMP_ASM:
    if (starts(text, "--- optimized LLVM IR of ") || starts(text, "--- assembly of ")) {
      announce(st);
      printf("%s%s", st->o->mode == DUMP_LLVM ? "; " : "# ", text);
    } else if (!starts(text, "fuse:") && !starts(text, "cache:") && !starts(text, "time:") &&
               !starts(text, "digraph") && !starts(text, "--- kernel")) {
      fputs(text, stdout);
    }
    break;
  case DUMP_CUDA: case DUMP_PTX: {
    /* "--- CUDA C ---" (a CPU kernel as the GPU backend would run it), "---
       CUDA C of NAME ---" (a GPU kernel), "--- PTX (sm_90) ---", each
       followed by its text; "--- PTX: why ---" when NVRTC cannot run */
    bool header = starts(text, "--- CUDA C") || starts(text, "--- NVRTC log") || starts(text, "--- PTX");
    if (header) {
      announce(st);
      printf("// %s", text);
    } else if (!starts(text, "fuse:") && !starts(text, "cache:") && !starts(text, "time:") &&
               !starts(text, "digraph") && !starts(text, "--- ")) {
      fputs(text, stdout);
    }
    break;
  }
  case DUMP_DOT:
    if (starts(text, "digraph")) keep_dot(st, text);
    break;
  }
}

/* Copies one digraph's body with ids prefixed by "rN_" (clusters renamed
 * cluster_rN_K; r = 0: no prefix), dropping its graph-level attribute
 * lines. An edge from a buffer (n...) written inside a kernel's cluster
 * would make Graphviz draw the buffer inside that kernel; such edges move
 * after the clusters, so buffers stay between the kernels. */
static void merge_body(sbuf *b, const char *text, int r) {
  const char *body = strchr(text, '{');
  if (!body) return;
  body++;
  const char *end = strrchr(text, '}');
  if (!end || end < body) end = text + strlen(text);
  sbuf later = {0};
  int depth = 0;
  for (const char *line = body; line < end;) {
    const char *nl = memchr(line, '\n', (size_t)(end - line));
    const char *le = nl ? nl : end;
    const char *p = line;
    while (p < le && (*p == ' ' || *p == '\t')) p++;
    bool drop = starts(p, "rankdir=") || starts(p, "node [") || p == le;
    bool buffer_edge = depth > 0 && p[0] == 'n' && isdigit((unsigned char)p[1]) && strstr(p, " -> ") &&
                       (size_t)(strstr(p, " -> ") - p) < (size_t)(le - p);
    sbuf *o = buffer_edge ? &later : b;
    if (!drop) {
      sb_add(o, "  ");
      bool quote = false;
      for (const char *c = line; c < le;) {
        if (*c == '"') quote = !quote;
        if (!quote && *c == '{') depth++;
        if (!quote && *c == '}') depth--;
        if (!quote && (isalpha((unsigned char)*c) || *c == '_') &&
            (c == line || !(isalnum((unsigned char)c[-1]) || c[-1] == '_'))) {
          const char *s = c;
          while (c < le && (isalnum((unsigned char)*c) || *c == '_')) c++;
          size_t n = (size_t)(c - s);
          bool node = (s[0] == 'n' || s[0] == 'k') && n > 1 && isdigit((unsigned char)s[1]);
          if (r && n > 8 && starts(s, "cluster_") && isdigit((unsigned char)s[8])) sb_printf(o, "cluster_r%d_%.*s", r, (int)(n - 8), s + 8);
          else if (r && node) sb_printf(o, "r%d_%.*s", r, (int)n, s);
          else sb_addn(o, s, n);
          continue;
        }
        sb_addc(o, *c++);
      }
      sb_addc(o, '\n');
    }
    line = nl ? nl + 1 : end;
  }
  if (later.n) sb_addn(b, later.s, later.n);
  sb_free(&later);
}

static int print_dot(dump_state *st) {
  const dump_opts *o = st->o;
  if (o->realization > st->ndots) {
    fprintf(stderr, "tensorc dot: --realization %d: the script made %d realization%s\n", o->realization,
            st->ndots, st->ndots == 1 ? "" : "s");
    return EXIT_USAGE;
  }
  sbuf b = {0};
  sb_add(&b, "digraph tensorc {\n  rankdir=BT;\n  compound=true;\n"
             "  node [shape=ellipse, fontname=\"monospace\", fontsize=10];\n");
  if (o->realization) merge_body(&b, st->dots[o->realization - 1], 0);
  for (int i = 0; i < st->ndots && !o->realization; i++) {
    sb_printf(&b, "  subgraph cluster_r%d {\n    label=\"realization %d (%s:%d)\";\n    style=dashed;\n", i + 1, i + 1,
              st->path, st->dot_lines[i]);
    merge_body(&b, st->dots[i], i + 1);
    sb_add(&b, "  }\n");
  }
  sb_add(&b, "}\n");
  if (b.oom) {
    sb_free(&b);
    fprintf(stderr, "tensorc dot: out of memory\n");
    return EXIT_SCRIPT;
  }
  fputs(b.s, stdout);
  sb_free(&b);
  if (!st->ndots) fprintf(stderr, "tensorc dot: the script realized nothing\n");
  return EXIT_OK;
}

int cmd_dump(const tcli_request *r) {
  const dump_opts *o = &r->dump;
  const script *s = r->s;
  dump_state st = {.o = o, .path = s->path};
  tc_ctx_options opts = {0};
  opts.eager = r->eager;
  opts.debug = TC_DEBUG_IR;
  switch (o->mode) {
  case DUMP_IR: break;
  case DUMP_KERNELS: opts.debug |= TC_DEBUG_FUSE | TC_DEBUG_KERNELS; break;
  case DUMP_LLVM: opts.debug |= TC_DEBUG_LLVM; break;
  case DUMP_ASM: opts.debug |= TC_DEBUG_ASM; break;
  case DUMP_CUDA: opts.debug |= TC_DEBUG_CUDA; break;
  case DUMP_PTX: opts.debug |= TC_DEBUG_PTX; break;
  case DUMP_DOT: opts.debug |= TC_DEBUG_DOT; break;
  }
  opts.debug_sink = sink;
  opts.debug_user = &st;
  int rc = py_start(r, &opts);
  if (rc != EXIT_OK) return rc;
  rc = py_run(s, !o->show_output, NULL, NULL);
  py_flush_stdout();
  if (o->mode == DUMP_DOT && rc == EXIT_OK) rc = print_dot(&st);
  if (o->mode == DUMP_IR && o->after && !st.any_after && rc == EXIT_OK && st.realization) {
    fprintf(stderr, "tensorc ir: --after %s: no pass of that name ran (passes: build, fuse)\n", o->after);
    rc = EXIT_USAGE;
  }
  fflush(stdout);
  rc = py_finish(rc);
  for (int i = 0; i < st.ndots; i++) free(st.dots[i]);
  free(st.dots);
  free(st.dot_lines);
  return rc;
}
