/*
 * cli.h — the two halves of the `tensorc` command and what they share.
 *
 * The executable (main.c, load.c) parses the command line, reads the
 * script, finds a CPython (3.9 or later, with its shared library) and
 * loads its libpython, then loads the runner, libtensorc_run.so (embed.c,
 * dump.c, bench.c and python/'s extension), which resolves its CPython
 * symbols against that library. The runner uses only CPython's stable ABI,
 * so one build works with the libpython of any CPython 3.9+; the
 * executable itself needs no Python, and says which one it needs when it
 * finds none.
 *
 * In the runner a script is a Python program that CPython runs, with
 * `import torch` giving tensorc.torch. The library's dumps reach the
 * commands through the debug sink of the contexts the tensorc module makes
 * (python/tensorc_python.h).
 *
 * Exit codes: 0 success, 1 the script failed (an uncaught exception or a
 * syntax error, reported by CPython on stderr), 2 usage error (bad
 * options, unreadable file, no usable Python); a script's SystemExit
 * gives its own code, as with python3.
 */
#ifndef TCLI_CLI_H
#define TCLI_CLI_H

#include <stdbool.h>
#include <stddef.h>

enum { EXIT_OK = 0, EXIT_SCRIPT = 1, EXIT_USAGE = 2 };

typedef struct script {
  const char *path; /* as given ("<stdin>" for -): dump headers */
  char *abspath;    /* the absolute path (CPython's __file__), or "<stdin>" */
  char *src;        /* the file's bytes, NUL-terminated */
  size_t n;
} script;

/* Reads a script; returns EXIT_OK, or prints why and returns EXIT_USAGE. */
int script_load(const char *path, script *s);
void script_free(script *s);

/* What a dump command shows. */
typedef enum dump_mode { DUMP_IR, DUMP_KERNELS, DUMP_LLVM, DUMP_ASM, DUMP_CUDA, DUMP_PTX, DUMP_DOT } dump_mode;

typedef struct dump_opts {
  dump_mode mode;
  const char *after;  /* ir --after PASS, or NULL */
  int realization;    /* dot --realization N (1-based), or 0 for all */
  bool show_output;   /* let the script's print() through */
} dump_opts;

/* A parsed command, handed from the executable to the runner. */
#define TCLI_REQUEST_VERSION 1
typedef enum tcli_command { TCLI_RUN, TCLI_DUMP, TCLI_BENCH } tcli_command;
typedef struct tcli_request {
  int version;        /* TCLI_REQUEST_VERSION: both halves from one build */
  tcli_command cmd;
  const script *s;
  int argc;           /* the script's sys.argv: FILE as given, then ARGS */
  char **argv;
  const char *python; /* that Python's sys.executable (CPython computes
                         sys.prefix, so site-packages, from it), or NULL */
  bool eager;         /* --eager */
  dump_opts dump;     /* TCLI_DUMP */
  bool json;          /* TCLI_BENCH: --json, --repeat, --warmup */
  int repeat, warmup;
} tcli_request;

/* The runner's one exported function (the executable finds it with dlsym):
 * runs the command and returns the exit status. CPython's library must be
 * loaded already, RTLD_GLOBAL. */
#define TCLI_MAIN "tcli_main"
typedef int (*tcli_main_fn)(const tcli_request *r);

/* load.c: finds a Python, loads it and the runner, and runs r there. */
int load_and_run(tcli_request *r);

/* ---- the runner ------------------------------------------------------------ */
#ifdef TCLI_RUNNER
#include "tensorc.h"

/* Starts CPython for the request: sys.argv, sys.path[0] the script's
 * folder, the contexts the tensorc module makes get `opts` (debug flags
 * and sink, eager), and `import torch` gives tensorc.torch. Returns
 * EXIT_OK, or prints why and returns EXIT_SCRIPT. */
int py_start(const tcli_request *r, const tc_ctx_options *opts);
/* Finalizes CPython (flushing sys.stdout); returns rc, or 120 when rc was 0
 * and flushing failed (as python3). */
int py_finish(int rc);
/* Runs the script once as __main__ in a fresh module. With `quiet`, its
 * sys.stdout goes to os.devnull. Returns EXIT_OK, EXIT_SCRIPT with CPython's
 * traceback printed, or the code of a SystemExit. Fills *stats (the
 * counters of this run) and *seconds (the script's time) when not NULL. */
int py_run(const script *s, bool quiet, tc_stats *stats, double *seconds);
/* Clears the last run's __main__ and collects garbage, so the tensors
 * it made are freed before the next run. */
void py_forget_main(void);
/* The line of the script being run at this moment (the innermost frame
 * of the script's file; 0 outside the script). Needs the GIL, which the
 * debug sink has: the extension calls the library holding it. */
int py_script_line(void);
/* Flushes Python's sys.stdout (before the dumps write to the C stdout). */
void py_flush_stdout(void);
/* The calling thread's tensorc context (made now if needed), or NULL. */
tc_ctx *py_context(void);

int cmd_dump(const tcli_request *r);
int cmd_bench(const tcli_request *r);
#endif

#endif
