/*
 * main.c — the `tensorc` command: option parsing, help texts, reading the
 * script; load.c then finds CPython and hands the command to the runner.
 *
 *   tensorc run FILE [-- ARGS...]          run a script on CPython
 *   tensorc ir FILE [--after PASS]         graph IR of every realization
 *   tensorc kernels FILE                   fusion groups, boundaries, kernel IR
 *   tensorc codegen FILE [--target cpu|cuda] [--asm|--ptx]
 *   tensorc dot FILE [--realization N]     Graphviz, one cluster per kernel
 *   tensorc bench FILE [--json] [--repeat N] [--warmup N]
 *
 * A script is a Python program using PyTorch's API (see README.md), run
 * by the embedded CPython (embed.c) with `import torch` giving tensorc.torch;
 * FILE "-" reads standard input, and arguments after "--" are the script's
 * (sys.argv[1:]). The script's own output goes to stdout, errors to stderr;
 * exit codes are in cli.h.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static const char *usage_text =
    "usage: tensorc COMMAND FILE [options]\n"
    "\n"
    "Run a tensor script (a Python program using PyTorch's tensor API) with\n"
    "tensorc's lazy fusing compiler, and look at what it compiles.\n"
    "\n"
    "commands:\n"
    "  run FILE          run the script on CPython, `import torch` being tensorc\n"
    "  ir FILE           graph IR of every realization, after each pass\n"
    "  kernels FILE      fusion groups, why each kernel boundary is there, kernel IR\n"
    "  codegen FILE      LLVM IR or assembly of every kernel; CUDA C or PTX\n"
    "  dot FILE          Graphviz source of the graphs, one cluster per kernel\n"
    "  bench FILE        time the script fused and eager, and compare\n"
    "\n"
    "FILE may be - for standard input; arguments after -- go to the script\n"
    "(sys.argv). 'tensorc COMMAND --help' describes a command. Exit status: 0\n"
    "success, 1 script error, 2 usage error, or the script's sys.exit code.\n"
    "Scripts run on CPython 3.9 or later: see 'tensorc run --help'.\n";

static const struct {
  const char *name, *help;
} commands[] = {
    {"run", "usage: tensorc run FILE [--eager] [-- ARGS...]\n\n"
            "Runs the script as python3 FILE ARGS... would, on the embedded CPython,\n"
            "with `import torch` giving tensorc.torch (NumPy and every other module\n"
            "are the real ones). An uncaught exception prints CPython's traceback and\n"
            "the exit status is 1; sys.exit(n) exits with n.\n\n"
            "options:\n"
            "  --eager    realize after every operation (one kernel per op)\n\n"
            "Python: CPython 3.9 or later with its shared library (libpython3.X.so), the\n"
            "first of: $TENSORC_PYTHON (a python3 executable), the active virtual\n"
            "environment's python3 ($VIRTUAL_ENV), the Python tensorc was built with,\n"
            "python3 on PATH. Its site-packages are the script's (NumPy...).\n"},
    {"ir", "usage: tensorc ir FILE [--after PASS] [--eager] [--show-output] [-- ARGS...]\n\n"
           "Runs the script and prints the graph IR of every realization after each\n"
           "compiler pass (passes: build, fuse), headed by the script line that caused\n"
           "the realization.\n\n"
           "options:\n"
           "  --after PASS    only the IR after PASS\n"
           "  --eager         realize after every operation\n"
           "  --show-output   also print the script's own output\n"},
    {"kernels", "usage: tensorc kernels FILE [--eager] [--show-output] [-- ARGS...]\n\n"
                "Runs the script and prints, for every realization, the fusion decisions\n"
                "(each kernel boundary with its reason) and the IR of each kernel.\n\n"
                "options:\n"
                "  --eager         realize after every operation\n"
                "  --show-output   also print the script's own output\n"},
    {"codegen", "usage: tensorc codegen FILE [--target cpu|cuda] [--asm|--ptx] [--eager] [-- ARGS...]\n\n"
                "Runs the script and prints the optimized LLVM IR of every kernel it\n"
                "compiles (each distinct kernel once), or its host assembly with --asm.\n"
                "With --target cuda: the CUDA C of every kernel, as the GPU backend runs\n"
                "it (no GPU needed), or its PTX for sm_90 with --ptx (needs NVRTC,\n"
                "libnvrtc.so.13).\n\n"
                "options:\n"
                "  --target T      cpu (default) or cuda\n"
                "  --asm           host assembly instead of LLVM IR\n"
                "  --ptx           PTX instead of CUDA C (with --target cuda)\n"
                "  --eager         realize after every operation\n"},
    {"dot", "usage: tensorc dot FILE [--realization N] [--eager] [-- ARGS...]\n\n"
            "Runs the script and prints Graphviz source of its graphs: each realization\n"
            "is a cluster, each kernel a cluster inside it, buffers are boxes. Render\n"
            "with: tensorc dot FILE | dot -Tsvg -o graph.svg\n\n"
            "options:\n"
            "  --realization N   only the N-th realization (1-based), as its own graph\n"
            "  --eager           realize after every operation\n"},
    {"bench", "usage: tensorc bench FILE [--json] [--repeat N] [--warmup N] [-- ARGS...]\n\n"
              "Runs the script fused and eager (output discarded): the median time of N\n"
              "runs after the warm-up runs, the time per realization, kernels launched,\n"
              "compilations and compile time (first run), bytes moved by kernels, and\n"
              "the fused/eager time ratio.\n\n"
              "options:\n"
              "  --json       one JSON object instead of a table\n"
              "  --repeat N   measured runs per mode (default 5)\n"
              "  --warmup N   warm-up runs per mode (default 1)\n"},
};

static int usage_error(const char *cmd, const char *fmt, const char *arg) {
  fprintf(stderr, "tensorc%s%s: ", cmd ? " " : "", cmd ? cmd : "");
  fprintf(stderr, fmt, arg);
  fprintf(stderr, "\nTry 'tensorc %s--help'.\n", cmd ? cmd : "");
  if (cmd) fprintf(stderr, "%s", "");
  return EXIT_USAGE;
}

/* ---- the script ----------------------------------------------------------------------- */

static char *read_all(FILE *f, size_t *n) {
  size_t cap = 4096, len = 0;
  char *buf = malloc(cap + 1);
  while (buf) {
    size_t k = fread(buf + len, 1, cap - len, f);
    len += k;
    if (len < cap) break;
    if (cap > ((size_t)1 << 30)) {
      free(buf);
      return NULL;
    }
    char *nb = realloc(buf, cap * 2 + 1);
    if (!nb) {
      free(buf);
      return NULL;
    }
    buf = nb;
    cap *= 2;
  }
  if (buf) buf[len] = 0;
  *n = len;
  return buf;
}

int script_load(const char *path, script *s) {
  memset(s, 0, sizeof *s);
  bool in = !strcmp(path, "-");
  s->path = in ? "<stdin>" : path;
  FILE *f = in ? stdin : fopen(path, "rb");
  if (!f) {
    fprintf(stderr, "tensorc: can't open file '%s': [Errno %d] %s\n", path, errno, strerror(errno));
    return EXIT_USAGE;
  }
  s->src = read_all(f, &s->n);
  if (!in) fclose(f);
  if (!s->src) {
    fprintf(stderr, "tensorc: can't read file '%s'\n", path);
    return EXIT_USAGE;
  }
  if (strlen(s->src) != s->n) {
    fprintf(stderr, "tensorc: file '%s' contains a NUL byte\n", path);
    return EXIT_USAGE;
  }
  /* CPython (3.9+) runs `python3 FILE` with __file__ absolute */
  if (in || path[0] == '/') {
    s->abspath = strdup(s->path);
  } else {
    char cwd[PATH_MAX];
    if (getcwd(cwd, sizeof cwd)) {
      const char *p = path;
      while (!strncmp(p, "./", 2)) p += 2;
      size_t n = strlen(cwd) + strlen(p) + 2;
      s->abspath = malloc(n);
      if (s->abspath) snprintf(s->abspath, n, "%s/%s", cwd, p);
    } else {
      s->abspath = strdup(path);
    }
  }
  if (!s->abspath) {
    fprintf(stderr, "tensorc: out of memory\n");
    return EXIT_USAGE;
  }
  return EXIT_OK;
}

void script_free(script *s) {
  free(s->src);
  free(s->abspath);
  s->src = s->abspath = NULL;
}

/* ---- commands ---------------------------------------------------------------------- */

static int find_command(const char *name) {
  for (int i = 0; i < (int)(sizeof commands / sizeof commands[0]); i++)
    if (!strcmp(commands[i].name, name)) return i;
  return -1;
}

static bool parse_count(const char *s, int *out) {
  char *end;
  long v = strtol(s, &end, 10);
  if (!*s || *end || v < 0 || v > 100000) return false;
  *out = (int)v;
  return true;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fputs(usage_text, stderr);
    return EXIT_USAGE;
  }
  const char *cmd = argv[1];
  if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
    if (argc > 2 && find_command(argv[2]) >= 0) fputs(commands[find_command(argv[2])].help, stdout);
    else fputs(usage_text, stdout);
    return EXIT_OK;
  }
  if (!strcmp(cmd, "--version")) {
    puts("tensorc 0.1");
    return EXIT_OK;
  }
  int ci = find_command(cmd);
  if (ci < 0) {
    if (cmd[0] == '-') return usage_error(NULL, "unknown option '%s'", cmd);
    return usage_error(NULL, "unknown command '%s' (commands: run, ir, kernels, codegen, dot, bench)", cmd);
  }
  const char *file = NULL, *target = "cpu";
  dump_opts d = {0};
  bool json = false, asm_out = false, ptx = false, eager = false;
  int repeat = 5, warmup = 1;
  int script_args = argc; /* argv[script_args..] go to the script */
  for (int i = 2; i < argc; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "--")) {
      script_args = i + 1;
      break;
    }
    bool has_next = i + 1 < argc;
    if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
      fputs(commands[ci].help, stdout);
      return EXIT_OK;
    } else if (!strcmp(a, "--eager") && strcmp(cmd, "bench")) {
      eager = true;
    } else if (!strcmp(a, "--show-output") && (!strcmp(cmd, "ir") || !strcmp(cmd, "kernels"))) {
      d.show_output = true;
    } else if (!strcmp(a, "--after") && !strcmp(cmd, "ir")) {
      if (!has_next) return usage_error(cmd, "option '%s' needs a pass name (build, fuse)", a);
      d.after = argv[++i];
    } else if (!strcmp(a, "--target") && !strcmp(cmd, "codegen")) {
      if (!has_next) return usage_error(cmd, "option '%s' needs cpu or cuda", a);
      target = argv[++i];
      if (strcmp(target, "cpu") && strcmp(target, "cuda"))
        return usage_error(cmd, "unknown target '%s' (cpu or cuda)", target);
    } else if (!strcmp(a, "--asm") && !strcmp(cmd, "codegen")) {
      asm_out = true;
    } else if (!strcmp(a, "--ptx") && !strcmp(cmd, "codegen")) {
      ptx = true;
    } else if (!strcmp(a, "--realization") && !strcmp(cmd, "dot")) {
      if (!has_next || !parse_count(argv[i + 1], &d.realization) || d.realization < 1)
        return usage_error(cmd, "option '%s' needs a realization number (1, 2, ...)", a);
      i++;
    } else if (!strcmp(a, "--json") && !strcmp(cmd, "bench")) {
      json = true;
    } else if ((!strcmp(a, "--repeat") || !strcmp(a, "--warmup")) && !strcmp(cmd, "bench")) {
      int *dst = a[2] == 'r' ? &repeat : &warmup;
      if (!has_next || !parse_count(argv[i + 1], dst)) return usage_error(cmd, "option '%s' needs a count", a);
      i++;
    } else if (a[0] == '-' && a[1]) {
      return usage_error(cmd, "unknown option '%s'", a);
    } else if (file) {
      return usage_error(cmd, "unexpected argument '%s' (one FILE only)", a);
    } else {
      file = a;
    }
  }
  if (!file) return usage_error(cmd, "missing FILE%s", "");
  if (!strcmp(cmd, "codegen")) {
    if (ptx && strcmp(target, "cuda")) return usage_error(cmd, "%s", "--ptx needs --target cuda");
    if (asm_out && !strcmp(target, "cuda")) return usage_error(cmd, "%s", "--asm is for the CPU target (use --ptx)");
  }
  if (repeat < 1 && !strcmp(cmd, "bench")) return usage_error(cmd, "%s", "--repeat must be at least 1");
  script s;
  int rc = script_load(file, &s);
  /* the script's sys.argv: FILE as given, then what follows -- */
  int pargc = 1 + (argc - script_args);
  char **pargv = calloc((size_t)pargc + 1, sizeof(char *));
  if (rc == EXIT_OK && !pargv) {
    fprintf(stderr, "tensorc: out of memory\n");
    rc = EXIT_USAGE;
  }
  if (rc == EXIT_OK) {
    pargv[0] = (char *)file;
    for (int i = script_args; i < argc; i++) pargv[1 + i - script_args] = argv[i];
    tcli_request r = {.version = TCLI_REQUEST_VERSION, .s = &s, .argc = pargc, .argv = pargv,
                      .eager = eager, .json = json, .repeat = repeat, .warmup = warmup};
    if (!strcmp(cmd, "run")) {
      r.cmd = TCLI_RUN;
    } else if (!strcmp(cmd, "bench")) {
      r.cmd = TCLI_BENCH;
    } else {
      r.cmd = TCLI_DUMP;
      r.dump = d;
      r.dump.mode = !strcmp(cmd, "ir") ? DUMP_IR : !strcmp(cmd, "kernels") ? DUMP_KERNELS
                    : !strcmp(cmd, "dot") ? DUMP_DOT : ptx ? DUMP_PTX : !strcmp(target, "cuda") ? DUMP_CUDA
                    : asm_out ? DUMP_ASM : DUMP_LLVM;
    }
    fflush(stdout);
    rc = load_and_run(&r);
  }
  free(pargv);
  script_free(&s);
  fflush(stdout);
  return rc;
}
