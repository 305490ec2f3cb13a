/*
 * cli.h — what the subcommands share: loading and parsing a script, running
 * it in a fresh context, and the command implementations of dump.c (ir,
 * kernels, codegen, dot) and bench.c.
 *
 * Exit codes: 0 success, 1 the script failed (a syntax error or an
 * exception, reported on stderr the way Python reports it), 2 usage error
 * (bad options, unreadable file, unavailable target).
 */
#ifndef TCLI_CLI_H
#define TCLI_CLI_H

#include "interp.h"

enum { EXIT_OK = 0, EXIT_SCRIPT = 1, EXIT_USAGE = 2 };

typedef struct script {
  const char *path;
  char *src;
  size_t n;
  program prog;
} script;

/* Reads and parses a script; returns EXIT_OK, or prints the error and
 * returns EXIT_USAGE (unreadable) / EXIT_SCRIPT (syntax error). */
int script_load(const char *path, script *s);
void script_free(script *s);

/* Runs a parsed script in a new context made with `opts`; print() output
 * goes to `w` (NULL: discarded). The interpreter lives in *I for the run
 * (debug sinks may read I->cur_line). Returns EXIT_OK or EXIT_SCRIPT (the
 * traceback printed to stderr). `dev`, when not NULL, is the default device
 * of creation functions (codegen --target cuda). Fills *stats and *seconds
 * (script time, without context setup) when they are not NULL. */
int script_run(script *s, const tc_ctx_options *opts, const tc_device *dev, write_fn w, void *wu, interp *I,
               tc_stats *stats, double *seconds);

void write_stdout(void *user, const char *s, size_t n);

/* What a dump command shows. */
typedef enum dump_mode { DUMP_IR, DUMP_KERNELS, DUMP_LLVM, DUMP_ASM, DUMP_CUDA, DUMP_PTX, DUMP_DOT } dump_mode;

typedef struct dump_opts {
  dump_mode mode;
  const char *after;  /* ir --after PASS, or NULL */
  int realization;    /* dot --realization N (1-based), or 0 for all */
  bool eager;
  bool show_output;   /* let the script's print() through */
} dump_opts;

int cmd_dump(script *s, const dump_opts *o);
int cmd_bench(script *s, bool json, int repeat, int warmup);

#endif
