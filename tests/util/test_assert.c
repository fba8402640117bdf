/* test_assert.c: WG_ASSERT is on where this file says (WG_ASSERTS=1: it
 * prints the file, line and expression and aborts) and is nothing but a
 * type check when off (WG_ASSERTS=0: the expression is not evaluated).
 * Built twice, once each way. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../harness.h"
#include "wg_assert.h"

static int evaluated;
static int touch(void) {
  evaluated++;
  return 1;
}

static void test_true_assert_passes(void) {
  evaluated = 0;
  WG_ASSERT(touch() == 1);
  CHECK_INT(evaluated, WG_ASSERTS ? 1 : 0);
}

/* A broken invariant in a child: with asserts on it dies of SIGABRT after
 * naming the expression on stderr; off, it runs on and exits 0. */
static void test_false_assert(void) {
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  fflush(NULL);
  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    close(fds[0]);
    dup2(fds[1], 2);
    int broken = 2;
    WG_ASSERT(broken + 1 == 4);
    _exit(0);
  }
  close(fds[1]);
  char buf[512] = {0};
  size_t len = 0;
  ssize_t n;
  while (len < sizeof buf - 1 && (n = read(fds[0], buf + len, sizeof buf - 1 - len)) > 0)
    len += (size_t)n;
  close(fds[0]);
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  if (WG_ASSERTS) {
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
    CHECK_CONTAINS(buf, "test_assert.c:");
    CHECK_CONTAINS(buf, "invariant broken: broken + 1 == 4");
  } else {
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    CHECK_STR(buf, "");
  }
}

WG_TEST_LIST {
  WG_TEST(test_true_assert_passes),
  WG_TEST(test_false_assert),
};

WG_TEST_MAIN()
