/* harness.h: the in-tree unit test harness. A test file defines functions
 * `static void test_xxx(void)`, lists them with WG_TEST_LIST, and ends with
 * WG_TEST_MAIN(). CHECK* record a failure and go on; REQUIRE* stop the test.
 * The binary prints one line per failure and ends with `N passed, M failed`;
 * it exits non-zero if anything failed. Run with a test name as argument to
 * run only that test. */
#ifndef WASMGATE_TEST_HARNESS_H
#define WASMGATE_TEST_HARNESS_H

#include <inttypes.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct wg_test_case {
  const char *name;
  void (*fn)(void);
} wg_test_case;

typedef struct wg_test_state {
  int failures_in_test;
  jmp_buf abort_test;
} wg_test_state;

static wg_test_state wg_test_state_;

#define WG_TEST_FAIL_(...)                                           \
  do {                                                               \
    fprintf(stderr, "%s:%d: ", __FILE__, __LINE__);                 \
    fprintf(stderr, __VA_ARGS__);                                    \
    fputc('\n', stderr);                                             \
    wg_test_state_.failures_in_test++;                               \
  } while (0)

#define CHECK(cond)                                                  \
  do {                                                               \
    if (!(cond)) WG_TEST_FAIL_("CHECK failed: %s", #cond);          \
  } while (0)

#define REQUIRE(cond)                                                \
  do {                                                               \
    if (!(cond)) {                                                   \
      WG_TEST_FAIL_("REQUIRE failed: %s", #cond);                   \
      longjmp(wg_test_state_.abort_test, 1);                         \
    }                                                                \
  } while (0)

#define CHECK_INT(a, b)                                                   \
  do {                                                                    \
    long long wg_a_ = (long long)(a), wg_b_ = (long long)(b);             \
    if (wg_a_ != wg_b_)                                                   \
      WG_TEST_FAIL_("CHECK_INT failed: %s == %lld, expected %s == %lld", \
                    #a, wg_a_, #b, wg_b_);                                \
  } while (0)

#define CHECK_U64(a, b)                                                     \
  do {                                                                      \
    uint64_t wg_a_ = (uint64_t)(a), wg_b_ = (uint64_t)(b);                  \
    if (wg_a_ != wg_b_)                                                     \
      WG_TEST_FAIL_("CHECK_U64 failed: %s == %" PRIu64 ", expected %" PRIu64, \
                    #a, wg_a_, wg_b_);                                      \
  } while (0)

#define CHECK_STR(a, b)                                                   \
  do {                                                                    \
    const char *wg_a_ = (a), *wg_b_ = (b);                                \
    if (!wg_a_ || !wg_b_ || strcmp(wg_a_, wg_b_) != 0)                    \
      WG_TEST_FAIL_("CHECK_STR failed: %s == \"%s\", expected \"%s\"", #a, \
                    wg_a_ ? wg_a_ : "(null)", wg_b_ ? wg_b_ : "(null)");  \
  } while (0)

/* Checks that haystack contains needle. */
#define CHECK_CONTAINS(hay, needle)                                         \
  do {                                                                      \
    const char *wg_h_ = (hay), *wg_n_ = (needle);                           \
    if (!wg_h_ || !strstr(wg_h_, wg_n_))                                    \
      WG_TEST_FAIL_("CHECK_CONTAINS failed: \"%s\" does not contain \"%s\"", \
                    wg_h_ ? wg_h_ : "(null)", wg_n_);                       \
  } while (0)

#define WG_TEST(fn) {#fn, fn}
#define WG_TEST_LIST static const wg_test_case wg_tests_[] =

/* setjmp lives in its own function so no caller local can be clobbered. */
static int wg_test_run_one_(void (*fn)(void)) {
  wg_test_state_.failures_in_test = 0;
  if (setjmp(wg_test_state_.abort_test) == 0) fn();
  return wg_test_state_.failures_in_test;
}

/* Whether test `name` is selected by the arguments: none selects all; else
 * an argument selects the test of that exact name. */
static inline int wg_test_selected_(const char *name, int argc, char **argv) {
  if (argc < 2) return 1;
  for (int k = 1; k < argc; k++)
    if (strcmp(argv[k], name) == 0) return 1;
  return 0;
}

/* `prog` runs every test; `prog NAME...` the tests so named (exit 2 when a
 * name matches no test, so a typo never passes); `prog --list` prints the
 * names, one per line. */
static inline int wg_test_main_(int argc, char **argv, const wg_test_case *tests, size_t n) {
  if (argc == 2 && strcmp(argv[1], "--list") == 0) {
    for (size_t i = 0; i < n; i++) printf("%s\n", tests[i].name);
    return 0;
  }
  for (int k = 1; k < argc; k++) {
    size_t i = 0;
    while (i < n && strcmp(argv[k], tests[i].name) != 0) i++;
    if (i == n) {
      fprintf(stderr, "no test is named '%s' (--list shows them)\n", argv[k]);
      return 2;
    }
  }
  int passed = 0, failed = 0;
  for (size_t i = 0; i < n; i++) {
    if (!wg_test_selected_(tests[i].name, argc, argv)) continue;
    if (wg_test_run_one_(tests[i].fn)) {
      fprintf(stderr, "FAIL %s\n", tests[i].name);
      failed++;
    } else {
      passed++;
    }
  }
  printf("%d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}

#define WG_TEST_MAIN()                                                      \
  int main(int argc, char **argv) {                                         \
    return wg_test_main_(argc, argv, wg_tests_, sizeof wg_tests_ / sizeof wg_tests_[0]); \
  }

#endif
