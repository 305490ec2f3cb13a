/*
 * fuzz_interp.c — libFuzzer target for the whole script interpreter: each
 * input is parsed and, when it parses, run in a fresh context with output
 * discarded and a statement limit (so loops end). Not part of ctest (kernel
 * compilation makes it slow); test/cli/fuzz_interp.sh builds and runs it.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "interp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  program p;
  syntax_error err = {0};
  char *src = malloc(size + 1);
  if (!src) return 0;
  memcpy(src, data, size);
  src[size] = 0;
  if (parse_program(src, size, &p, &err)) {
    tc_ctx_options o = {0};
    o.num_threads = 1;
    tc_ctx *ctx = tc_ctx_new(&o);
    if (ctx) {
      interp I;
      interp_init(&I, ctx, "fuzz.py", src, size);
      I.max_steps = 2000;
      (void)interp_run(&I, &p);
      interp_free(&I);
      tc_ctx_free(ctx);
    }
  }
  program_free(&p);
  free(src);
  return 0;
}
