/*
 * cli.h — what the subcommands share: the embedded CPython that runs a
 * script (embed.c), and the command implementations of dump.c (ir,
 * kernels, codegen, dot) and bench.c.
 *
 * A script is a Python program; CPython runs it, with `import torch`
 * giving tensorc.torch (the extension in python/, linked into this
 * program). The library's dumps reach the commands through the debug sink
 * of the contexts the extension makes (python/tensorc_python.h).
 *
 * Exit codes: 0 success, 1 the script failed (an uncaught exception or a
 * syntax error, reported by CPython on stderr), 2 usage error (bad
 * options, unreadable file); a script's SystemExit gives its own code, as
 * with python3.
 */
#ifndef TCLI_CLI_H
#define TCLI_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include "tensorc.h"

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

/* Starts CPython for scripts: sys.argv is argv[0..argc) (argv[0] the FILE
 * as given), sys.path[0] the script's folder, the contexts the tensorc
 * module makes get `opts` (debug flags and sink, eager), and `import torch`
 * gives tensorc.torch. Returns EXIT_OK, or prints why and returns
 * EXIT_SCRIPT. */
int py_start(const script *s, int argc, char **argv, const tc_ctx_options *opts);
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
int py_script_line(const script *s);
/* Flushes Python's sys.stdout (before the dumps write to the C stdout). */
void py_flush_stdout(void);
/* The calling thread's tensorc context (made now if needed), or NULL. */
tc_ctx *py_context(void);

/* What a dump command shows. */
typedef enum dump_mode { DUMP_IR, DUMP_KERNELS, DUMP_LLVM, DUMP_ASM, DUMP_CUDA, DUMP_PTX, DUMP_DOT } dump_mode;

typedef struct dump_opts {
  dump_mode mode;
  const char *after;  /* ir --after PASS, or NULL */
  int realization;    /* dot --realization N (1-based), or 0 for all */
  bool eager;
  bool show_output;   /* let the script's print() through */
} dump_opts;

int cmd_run(script *s, int argc, char **argv, bool eager);
int cmd_dump(script *s, int argc, char **argv, const dump_opts *o);
int cmd_bench(script *s, int argc, char **argv, bool json, int repeat, int warmup);

#endif
