/* inflight.c: the table of tools/call jobs in flight (queued or running).
 *
 * It bounds their number (max_in_flight: past it a request is refused,
 * never queued) and maps each cancellable job's key (stdio: the request id;
 * HTTP: the session id and the request id) to the job, so that
 * `notifications/cancelled` can set its wg_cancel. A key is unique while
 * its job is in flight; the list is short (<= max_in_flight). */
#include "mcp_internal.h"

#include <string.h>

bool mcp_inflight_add(mcp_server *s, mcp_job *job, bool *busy) {
  *busy = false;
  pthread_mutex_lock(&s->lock);
  bool ok = false;
  if (s->stopping || s->in_flight >= s->opt->max_in_flight) {
    *busy = true;
  } else {
    bool dup = false;
    if (job->key[0])
      for (mcp_job *j = s->inflight; j && !dup; j = j->inflight_next)
        dup = strcmp(j->key, job->key) == 0;
    if (!dup) {
      job->inflight_next = s->inflight;
      s->inflight = job;
      s->in_flight++;
      job->registered = true;
      ok = true;
    }
  }
  pthread_mutex_unlock(&s->lock);
  return ok;
}

void mcp_inflight_remove(mcp_server *s, mcp_job *job) {
  pthread_mutex_lock(&s->lock);
  if (job->registered) {
    for (mcp_job **p = &s->inflight; *p; p = &(*p)->inflight_next) {
      if (*p == job) {
        *p = job->inflight_next;
        break;
      }
    }
    job->registered = false;
    s->in_flight--;
    pthread_cond_broadcast(&s->idle);
  }
  pthread_mutex_unlock(&s->lock);
}

bool mcp_inflight_cancel(mcp_server *s, const char *key) {
  if (!key[0]) return false;
  bool found = false;
  pthread_mutex_lock(&s->lock);
  for (mcp_job *j = s->inflight; j; j = j->inflight_next) {
    if (j->key[0] && strcmp(j->key, key) == 0) {
      atomic_store(&j->client_cancelled, true);
      wg_cancel_request(&j->cancel);
      found = true;
      break;
    }
  }
  pthread_mutex_unlock(&s->lock);
  return found;
}

void mcp_server_cancel_all(mcp_server *s) {
  pthread_mutex_lock(&s->lock);
  s->stopping = true;
  for (mcp_job *j = s->inflight; j; j = j->inflight_next) wg_cancel_request(&j->cancel);
  pthread_mutex_unlock(&s->lock);
}

void mcp_server_wait_idle(mcp_server *s) {
  pthread_mutex_lock(&s->lock);
  while (s->in_flight > 0) pthread_cond_wait(&s->idle, &s->lock);
  pthread_mutex_unlock(&s->lock);
}
