/* http_pool.c — per-origin admission to a bounded connection pool (see http_pool.h). */
#include <stdlib.h>
#include <string.h>

#include "http_pool.h"
#include "grow.h"

/* Returns the origin's entry, added when new; NULL when out of memory. */
http_pool_origin *http_pool_origin_of(http_pool *p, const char *origin) {
  for (size_t i = 0; i < p->n; i++)
    if (!strcmp(p->o[i]->origin, origin)) return p->o[i];
  if (!GROW(p->o, p->cap, p->n + 1)) return NULL;
  http_pool_origin *o = calloc(1, sizeof *o);
  if (o) o->origin = strdup(origin);
  if (!o || !o->origin) return free(o), NULL;
  return p->o[p->n++] = o;
}

/* Returns true after queueing item at the end of the origin's waiting line. */
bool http_pool_wait(http_pool_origin *o, void *item) {
  if (o->head && o->n == o->cap) { /* slide the live part to the front before growing */
    memmove(o->waiting, o->waiting + o->head, (o->n - o->head) * sizeof *o->waiting);
    o->n -= o->head, o->head = 0;
  }
  if (!GROW(o->waiting, o->cap, o->n + 1)) return false;
  o->waiting[o->n++] = item;
  return true;
}

/* Returns the next waiting item when the origin has room (it is then counted in flight), else NULL. */
void *http_pool_admit(http_pool_origin *o) {
  if (o->head == o->n || o->active >= (o->h2 ? HTTP_POOL_H2 : HTTP_POOL_H1)) return NULL;
  void *item = o->waiting[o->head++];
  if (o->head == o->n) o->head = o->n = 0;
  o->active++;
  return item;
}

/* Counts one admitted request of the origin as done. */
void http_pool_done(http_pool_origin *o) {
  if (o->active) o->active--;
}

/* Removes a waiting item; unknown items are ignored. */
void http_pool_unwait(http_pool_origin *o, const void *item) {
  for (size_t i = o->head; i < o->n; i++)
    if (o->waiting[i] == item) {
      memmove(o->waiting + i, o->waiting + i + 1, (o->n - i - 1) * sizeof *o->waiting);
      if (--o->n == o->head) o->head = o->n = 0;
      return;
    }
}

/* Removes the waiting items for which gone() returns true, keeping the others in order. */
void http_pool_drop(http_pool_origin *o, bool (*gone)(void *item, void *user), void *user) {
  size_t k = o->head;
  for (size_t i = o->head; i < o->n; i++)
    if (!gone(o->waiting[i], user)) o->waiting[k++] = o->waiting[i];
  o->n = k;
  if (o->n == o->head) o->head = o->n = 0;
}

/* Returns the number of items waiting in all origins. */
size_t http_pool_waiting(const http_pool *p) {
  size_t k = 0;
  for (size_t i = 0; i < p->n; i++) k += p->o[i]->n - p->o[i]->head;
  return k;
}

/* Frees the pool (not the items). */
void http_pool_free(http_pool *p) {
  for (size_t i = 0; i < p->n; i++) free(p->o[i]->waiting), free(p->o[i]->origin), free(p->o[i]);
  free(p->o);
  *p = (http_pool){0};
}
