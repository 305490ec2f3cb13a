/*
 * test_version.c — the header's version macros agree with the library's
 * tc_version()/tc_version_number(). Linked against the shared library
 * (libtensorc.so.MAJOR), not the tests' static copy, so it checks the
 * library a program loads.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "tensorc.h"

static void test_macros_consistent(void **state) {
  (void)state;
  char buf[64];
  snprintf(buf, sizeof buf, "%d.%d.%d", TC_VERSION_MAJOR, TC_VERSION_MINOR, TC_VERSION_PATCH);
  assert_string_equal(buf, TC_VERSION_STRING);
  assert_int_equal(TC_VERSION_NUMBER, TC_VERSION_MAJOR * 10000 + TC_VERSION_MINOR * 100 + TC_VERSION_PATCH);
#if TC_VERSION_NUMBER < 100
#error "TC_VERSION_NUMBER must be usable in #if"
#endif
}

static void test_library_matches_header(void **state) {
  (void)state;
  assert_non_null(tc_version());
  assert_string_equal(tc_version(), TC_VERSION_STRING);
  assert_int_equal(tc_version_number(), TC_VERSION_NUMBER);
  assert_ptr_equal(tc_version(), tc_version()); /* a static string */
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_macros_consistent),
      cmocka_unit_test(test_library_matches_header),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
