/* spawn_time.c: cold process time of several commands, measured side by
 * side: each round runs every command once (posix_spawn, stdout and
 * stderr to /dev/null, wait), in turn, so a noisy machine slows them all
 * alike. Prints, per command, the median, p10 and p90 of its wall times.
 *   spawn_time ROUNDS NAME CMD ARG... -- NAME CMD ARG... [-- ...]
 * A command that exits non-zero fails the run (the benchmark would lie). */
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

enum { MAX_CMDS = 8 };

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int main(int argc, char **argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: spawn_time ROUNDS NAME CMD ARG... [-- NAME CMD ...]\n");
    return 2;
  }
  int rounds = atoi(argv[1]);
  char **cmd[MAX_CMDS];
  const char *name[MAX_CMDS];
  int n = 0;
  for (int i = 2; i < argc && n < MAX_CMDS;) {
    name[n] = argv[i++];
    cmd[n++] = &argv[i];
    while (i < argc && strcmp(argv[i], "--") != 0) i++;
    if (i < argc) argv[i++] = NULL;
  }
  double *t = calloc((size_t)(rounds * n), sizeof *t);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
  for (int r = 0; r < rounds; r++) {
    for (int c = 0; c < n; c++) {
      pid_t pid;
      int status;
      double t0 = now_ms();
      if (posix_spawn(&pid, cmd[c][0], &fa, NULL, cmd[c], environ) != 0 ||
          waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "spawn_time: %s failed\n", name[c]);
        return 1;
      }
      t[c * rounds + r] = now_ms() - t0;
    }
  }
  for (int c = 0; c < n; c++) {
    double *x = t + c * rounds;
    qsort(x, (size_t)rounds, sizeof *x, cmp);
    printf("%-28s median %6.2f ms  p10 %6.2f  p90 %6.2f\n", name[c], x[rounds / 2],
           x[rounds / 10], x[rounds * 9 / 10]);
  }
  free(t);
  return 0;
}
