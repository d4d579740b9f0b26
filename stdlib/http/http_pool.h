/* http_pool.h — admission of requests to a bounded connection pool, per origin.
 *
 * An origin ("scheme://host:port") admits at most `limit` requests in flight at once; the others
 * wait in the order they were started and are admitted as earlier ones finish. The limit is
 * HTTP_POOL_H1 until a request to the origin came back over HTTP/2 (the server offers it:
 * requests are multiplexed as streams of a few connections), then HTTP_POOL_H2. Streams (watches)
 * hold a connection for their whole life and are never queued (http_curl.c starts them at once):
 * a plan may wait on more watches than the pool has room for, and they must not starve.
 *
 * Ownership: the pool owns its origins (their names are copied); items are borrowed — the caller
 * removes an item before freeing it. */
#ifndef RBK_HTTP_POOL_H
#define RBK_HTTP_POOL_H

#include <stdbool.h>
#include <stddef.h>

/* Requests in flight per origin over HTTP/1.1: one connection each. */
#define HTTP_POOL_H1 32
/* Requests in flight per origin once it answered over HTTP/2 (streams of shared connections). */
#define HTTP_POOL_H2 256

typedef struct {
  char *origin;
  void **waiting;        /* FIFO: waiting[head .. n) */
  size_t head, n, cap;
  size_t active;         /* admitted and not done */
  bool h2;               /* the origin answered over HTTP/2 */
} http_pool_origin;

typedef struct {
  http_pool_origin **o;
  size_t n, cap;
} http_pool;

/* Returns the origin's entry, added when new; NULL when out of memory. */
http_pool_origin *http_pool_origin_of(http_pool *p, const char *origin);

/* Returns true after queueing item at the end of the origin's waiting line. */
bool http_pool_wait(http_pool_origin *o, void *item);

/* Returns the next waiting item when the origin has room (it is then counted in flight), else NULL. */
void *http_pool_admit(http_pool_origin *o);

/* Counts one admitted request of the origin as done (its room goes to the next waiting one). */
void http_pool_done(http_pool_origin *o);

/* Removes a waiting item (a request cancelled before it was admitted); unknown items are ignored. */
void http_pool_unwait(http_pool_origin *o, const void *item);

/* Removes the waiting items for which gone(item, user) returns true (it may take them over),
 * keeping the others in order. */
void http_pool_drop(http_pool_origin *o, bool (*gone)(void *item, void *user), void *user);

/* Returns the number of items waiting in all origins. */
size_t http_pool_waiting(const http_pool *p);

/* Frees the pool (not the items). */
void http_pool_free(http_pool *p);

#endif
