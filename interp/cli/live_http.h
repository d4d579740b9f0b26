/* live_http.h — the transport of `rbk plan --live`: reads go to the cluster, writes only as the
 * API server's dry runs, and nothing else is sent.
 *
 * Wraps a real transport (libcurl). GET and HEAD pass through. A write (any other method) to a
 * Kubernetes API path (/api/… or /apis/…) is sent with dryRun=All added to its query, so the API
 * server decodes, defaults, validates, admits and authorizes it without persisting anything; for
 * PATCH, PUT and DELETE the object is read (GET of the same path) at the same time, and the pair
 * (before, dry-run answer) is handed to the record callback before the caller's on_done sees the
 * answer. Any other write — to a path outside the API, or a notification — is refused by start()
 * with nothing sent. This is the last line of defence: the preview's actions (live_actions.h)
 * never even start endpoint writes, but no bug above can make this transport mutate anything.
 *
 * Ownership: the inner transport is taken (freed with this one, also when live_http_new fails).
 * The record callback's strings are borrowed for the duration of the call.
 */
#ifndef RBK_LIVE_HTTP_H
#define RBK_LIVE_HTTP_H

#include "http.h"

/* One dry-run write, as recorded. */
typedef struct {
  const char *method;   /* "PATCH", "POST", … */
  const char *path;     /* the URL's path, without the query */
  const char *before;   /* the object read at the same time (PATCH/PUT/DELETE), or NULL: none
                           (a POST, or the read failed) */
  int before_status;    /* the read's HTTP status, 0 when there was none */
  int status;           /* the dry run's HTTP status, 0 when it got no answer */
  const char *after;    /* the dry run's answer body ("" when none) */
} live_http_write;

typedef void (*live_http_record_fn)(void *user, const live_http_write *w);

/* Returns the wrapping transport, or NULL with *err set (caller frees). */
http_transport *live_http_new(http_transport *inner, live_http_record_fn record, void *user, char **err);

#endif
