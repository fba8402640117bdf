/* pool.c: a fixed pool of worker threads running jobs from one FIFO queue.
 *
 * The queue itself is unbounded here on purpose: its bound is the server's
 * in-flight limit, taken (mcp_inflight_add) before a job is submitted, so a
 * submit never fails and never blocks the transport's reader. Shutdown
 * drains the queue: every submitted job runs (a cancelled one stops at its
 * first check) and reaches its completion callback exactly once. */
#include "mcp_internal.h"

#include <stdlib.h>

struct mcp_pool {
  pthread_mutex_t lock;
  pthread_cond_t more;
  mcp_job *head, *tail;
  bool closing;
  void (*run)(mcp_job *);
  pthread_t *threads;
  uint32_t count;
};

static void *worker(void *arg) {
  mcp_pool *p = arg;
  for (;;) {
    pthread_mutex_lock(&p->lock);
    while (!p->head && !p->closing) pthread_cond_wait(&p->more, &p->lock);
    mcp_job *job = p->head;
    if (job) {
      p->head = job->next;
      if (!p->head) p->tail = NULL;
    }
    pthread_mutex_unlock(&p->lock);
    if (!job) return NULL; /* closing and drained */
    job->next = NULL;
    p->run(job);
  }
}

mcp_pool *mcp_pool_new(uint32_t workers, void (*run)(mcp_job *)) {
  mcp_pool *p = calloc(1, sizeof *p);
  if (!p) return NULL;
  p->threads = calloc(workers, sizeof *p->threads);
  if (!p->threads) {
    free(p);
    return NULL;
  }
  pthread_mutex_init(&p->lock, NULL);
  pthread_cond_init(&p->more, NULL);
  p->run = run;
  for (; p->count < workers; p->count++)
    if (pthread_create(&p->threads[p->count], NULL, worker, p) != 0) break;
  if (p->count == 0) {
    mcp_pool_free(p);
    return NULL;
  }
  return p;
}

void mcp_pool_submit(mcp_pool *p, mcp_job *job) {
  job->next = NULL;
  pthread_mutex_lock(&p->lock);
  if (p->tail) p->tail->next = job;
  else p->head = job;
  p->tail = job;
  pthread_cond_signal(&p->more);
  pthread_mutex_unlock(&p->lock);
}

void mcp_pool_free(mcp_pool *p) {
  if (!p) return;
  pthread_mutex_lock(&p->lock);
  p->closing = true;
  pthread_cond_broadcast(&p->more);
  pthread_mutex_unlock(&p->lock);
  for (uint32_t i = 0; i < p->count; i++) pthread_join(p->threads[i], NULL);
  pthread_cond_destroy(&p->more);
  pthread_mutex_destroy(&p->lock);
  free(p->threads);
  free(p);
}
