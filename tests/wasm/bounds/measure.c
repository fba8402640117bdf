/* measure.c: runs a command and writes its wall time, peak RSS and exit
 * status to a file: `bounds_measure OUT CMD [ARG...]` writes
 * "WALL_NS MAXRSS_KB EXIT\n" to OUT (EXIT: the exit code, or 128 + the
 * signal). The command inherits stdin/stdout/stderr.
 *
 * Why a helper: Linux starts a child's peak RSS at the RSS of the process
 * that forked it (the high-water mark survives fork and exec), so a child
 * of the Python test driver would report at least the driver's own size.
 * This process is small, and its children report their own peak. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static unsigned long long now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (unsigned long long)ts.tv_sec * 1000000000ull + (unsigned long long)ts.tv_nsec;
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: bounds_measure OUT CMD [ARG...]\n");
    return 2;
  }
  unsigned long long t0 = now_ns();
  pid_t pid = fork();
  if (pid < 0) {
    perror("bounds_measure: fork");
    return 2;
  }
  if (pid == 0) {
    execv(argv[2], argv + 2);
    perror("bounds_measure: exec");
    _exit(127);
  }
  int status;
  struct rusage ru;
  if (wait4(pid, &status, 0, &ru) != pid) {
    perror("bounds_measure: wait4");
    return 2;
  }
  unsigned long long wall = now_ns() - t0;
  int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  FILE *f = fopen(argv[1], "w");
  if (!f || fprintf(f, "%llu %ld %d\n", wall, ru.ru_maxrss, code) < 0 || fclose(f) != 0) {
    perror("bounds_measure: write");
    return 2;
  }
  return 0;
}
