/*
 * fuzz_parser.c — libFuzzer target for the script front end of the tensorc
 * CLI: every input is lexed and parsed (tools/tensorc/lexer.c, parser.c,
 * parse_expr.c, parse_fstring.c) and the tree freed. Built with clang
 * -fsanitize=fuzzer,address when that works (see CMakeLists.txt); ctest runs
 * it for a bounded time on a corpus of the example scripts. A crash, a leak
 * or a hang (-timeout) fails the test.
 */
#include <stddef.h>
#include <stdint.h>

#include "ast.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  program p;
  syntax_error err = {0};
  (void)parse_program((const char *)data, size, &p, &err);
  program_free(&p);
  return 0;
}
