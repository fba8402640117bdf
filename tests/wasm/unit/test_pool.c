/* test_pool.c: the per-thread pool of linear memories. A pooled memory is
 * handed to the next instance only after every page the last one touched
 * reads zero again; the pool finds those pages through /proc/self/pagemap
 * (or mincore), so these tests check the cases where that could look at
 * the wrong page tables or keep something after its thread: a forked
 * child, whose inherited pagemap descriptor would describe the parent, and
 * a thread that exits, which must give back its descriptor and its
 * reservations. */
#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../harness.h"
#include "wasmgate/wasm.h"
#include "unit_helpers.h"

/* One fresh instance of limits.wasm (one page of memory): returns how many
 * of the 4 KiB pages listed in `check` did not read zero, then writes 0xff
 * at offset 100 of each page in `dirty` (< 0 on a setup failure). */
static int round_trip(wg_module *m, const int *check, int nc, const int *dirty,
                      int nd) {
  wg_store *s = wg_store_new(NULL);
  wg_instance *inst;
  wg_wasm_error err;
  wg_extern mem;
  if (!s || wg_instance_new(s, m, NULL, 0, &inst, &err) != WG_WASM_OK ||
      !wg_instance_export(inst, "memory", 6, &mem)) {
    wg_store_free(s);
    return -1;
  }
  int bad = 0;
  for (int i = 0; i < nc; i++) {
    uint8_t b = 1;
    if (!wg_memory_read(mem.of.memory, (uint64_t)check[i] * 4096 + 100, &b, 1) ||
        b != 0)
      bad++;
  }
  uint8_t ff = 0xff;
  for (int i = 0; i < nd; i++)
    if (!wg_memory_write(mem.of.memory, (uint64_t)dirty[i] * 4096 + 100, &ff, 1))
      bad++;
  wg_store_free(s);
  return bad;
}

static const int all_pages[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};

/* The parent touches only page 0; the child writes pages the parent never
 * touched. Were the child to read the parent's pagemap, those pages would
 * look untouched, stay dirty, and the child's next instance would see
 * 0xff. */
static void test_forked_child_scrubs_its_own_pages(void) {
  wg_module *m = load("limits.wasm");
  REQUIRE(m);
  const int page0[] = {0};
  /* (reading a page maps it too, so the parent reads only page 0) */
  CHECK_INT(round_trip(m, page0, 1, page0, 1), 0);
  CHECK_INT(round_trip(m, page0, 1, NULL, 0), 0);
  fflush(NULL);
  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    const int child_pages[] = {5, 9, 13};
    int bad = 0;
    for (int i = 0; i < 20; i++)
      bad += round_trip(m, all_pages, 16, child_pages, 3) != 0;
    bad += round_trip(m, all_pages, 16, NULL, 0) != 0;
    _exit(bad ? 1 : 0);
  }
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  CHECK(WIFEXITED(status));
  CHECK_INT(WEXITSTATUS(status), 0);
  /* and the parent's own pool still works after the fork */
  const int page7[] = {7};
  CHECK_INT(round_trip(m, page0, 1, page7, 1), 0);
  CHECK_INT(round_trip(m, all_pages, 16, NULL, 0), 0);
  wg_module_release(m);
}

static int count_fds(void) {
  DIR *d = opendir("/proc/self/fd");
  if (!d) return -1;
  int n = 0;
  while (readdir(d)) n++;
  closedir(d);
  return n;
}

typedef struct thread_arg {
  wg_module *mod;
  int bad;
} thread_arg;

static void *instances_in_thread(void *p) {
  thread_arg *a = p;
  const int pages[] = {1, 2};
  for (int i = 0; i < 10; i++)
    a->bad += round_trip(a->mod, all_pages, 16, pages, 2) != 0;
  return NULL;
}

/* A thread that made instances leaves no descriptor open when it exits
 * (its pagemap descriptor is closed with its pool), however many threads
 * come and go. */
static void test_exited_thread_gives_back_its_pool(void) {
  wg_module *m = load("limits.wasm");
  REQUIRE(m);
  int fds = count_fds();
  REQUIRE(fds > 0);
  for (int t = 0; t < 8; t++) {
    thread_arg a = {m, 0};
    pthread_t th;
    REQUIRE(pthread_create(&th, NULL, instances_in_thread, &a) == 0);
    pthread_join(th, NULL);
    CHECK_INT(a.bad, 0);
  }
  CHECK_INT(count_fds(), fds);
  wg_module_release(m);
}

WG_TEST_LIST {
  WG_TEST(test_forked_child_scrubs_its_own_pages),
  WG_TEST(test_exited_thread_gives_back_its_pool),
};

WG_TEST_MAIN()
