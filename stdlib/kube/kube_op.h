/* kube_op.h — the machinery under every action of actions_kube: connections (where requests go
 * and with which credentials), operations (one per started action: a small state machine whose
 * states are continuations), requests with retries, watches, timers and child processes, all
 * driven from one poll loop over an http_transport and a proc_transport.
 *
 * An operation ends exactly once through kube_op_finish/kube_op_fail; its `done` callback then runs from
 * kube_op_rt_poll (never from start). Continuations run only from kube_op_rt_poll.
 *
 * Retries: KRETRY_READ repeats on connection failures, timeouts, 429 (after Retry-After) and
 * 500/502/503/504, with jittered exponential backoff (a seeded PRNG: deterministic in the
 * simulator) inside the operation's deadline. KRETRY_UNSENT repeats only when the request cannot
 * have been processed (connection refused, 429). KRETRY_VERIFY hands the failure to the
 * operation's verify hook, which re-reads the world to decide whether to repeat. A 401 with
 * refreshable credentials (exec plugin, token file) is repeated once with new credentials.
 *
 * Lost answers. A write (any method but GET) whose answer was lost — the connection broke after
 * it was sent, or its time ran out — may have been applied. It is never repeated blindly:
 * KRETRY_VERIFY hands it at once to the verify hook, which reads the world and either takes the
 * write as done, repeats it (kube_op_repeat: at most once after a lost answer, the decision written
 * to the runtime's log), or ends the op with kube_op_unknown ("outcome unknown: …"). A KRETRY_UNSENT
 * or KRETRY_NONE write's lost answer reaches its continuation (kube_lost() is true there). A
 * write's HTTP timeout leaves a quarter of the op's time (at most 5 s) for that read; an op whose
 * deadline passes while a write awaits its answer or its read-back fails with "outcome unknown".
 *
 * Ownership: the runtime owns its operations; a connection is reference-counted (kube_op_conn_ref /
 * kube_op_conn_unref); strings passed in are copied. */
#ifndef RBK_KUBE_OP_H
#define RBK_KUBE_OP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "actions.h"
#include "http.h"
#include "kube_due.h"
#include "kubeconfig.h"
#include "proc_transport.h"
#include "valbuf.h"

/* Where requests go. */
typedef struct kube_conn {
  unsigned refs;
  char *origin;       /* "https://host:port" */
  char *base;         /* path prefix for endpoints ("" for the API itself) */
  char *ns;           /* the namespace of a cluster, NULL for plain endpoints */
  char *desc;         /* "cluster greenlang", "endpoint https://x", "service NAME" */
  kubeconfig *kc;     /* the cluster's config (TLS, kubectl exec), or NULL */
  kube_auth *auth;    /* credentials, or NULL */
  http_tls tls;       /* points into kc */
  char **headers;     /* extra "Name: value" lines (endpoint headers; may hold secrets) */
  size_t n_headers;
  bool kube;          /* answers are Kubernetes Status objects */
  char *svc_name;     /* service endpoints: the service's name, else NULL */
  struct kube_conn *parent; /* service endpoints: the cluster whose credentials and TLS they use */
} kube_conn;

/* Returns c with one more reference. */
kube_conn *kube_op_conn_ref(kube_conn *c);
/* Drops a reference; frees at zero (NULL is fine). */
void kube_op_conn_unref(kube_conn *c);
/* Returns a new connection (one reference) with copies of origin, base, ns and desc. */
kube_conn *kube_op_conn_new(const char *origin, const char *base, const char *ns, const char *desc);

typedef struct kube_rt kube_rt;
typedef struct kube_op kube_op;
typedef struct kube_req kube_req;

/* A request's final answer as the continuation sees it. */
typedef struct {
  int status;             /* 0 when the request failed without an answer */
  http_fail fail;         /* why there is no answer (HTTP_FAIL_NONE when status is set) */
  const char *error;      /* transport error (one line), else NULL */
  json_t *json;           /* the parsed body (borrowed), or NULL when it is not JSON */
  const char *body;       /* the raw body */
  size_t body_len;
  const char *content_type;
} kube_resp;

typedef enum { KRETRY_NONE, KRETRY_READ, KRETRY_UNSENT, KRETRY_VERIFY } kube_retry;

/* Continues an operation with a request's outcome. */
typedef void (*kube_cont)(kube_op *op, const kube_resp *r);
/* Receives one watch event (type "ADDED", …; object borrowed). */
typedef void (*kube_event_fn)(kube_op *op, const char *type, json_t *object);
/* Runs at a timer or a deadline. */
typedef void (*kube_timer_fn)(kube_op *op);

/* One started action. */
struct kube_op {
  kube_rt *rt;
  uint64_t id;
  act_done_fn done;
  void *user;
  kube_conn *conn;         /* the handle's connection (a reference), or NULL */
  const sig_info *sig;
  bool recheck;
  int64_t started, deadline;  /* caller's clock; deadline INT64_MAX when none */
  char *what;              /* describe() text, for messages */
  kube_req *reqs[4];       /* requests in flight */
  int64_t timer_at;        /* INT64_MAX when unset */
  kube_timer_fn timer_fn;
  kube_timer_fn on_deadline;  /* NULL: fail with "timed out after D: WHAT" */
  kube_timer_fn verify;       /* for KRETRY_VERIFY requests */
  uint64_t proc_id;        /* a process in flight (proc transport id), or 0 */
  void (*on_proc)(kube_op *op, const proc_outcome *res);
  void *st;                /* the action's state */
  void (*st_free)(void *st);
  bool finished, dead;
  uint32_t slot;           /* in rt->due */
  uint64_t fired;          /* the last poll (rt->npoll) that fired it */
  size_t idx;              /* in rt->ops */
  kube_op *next_dead;      /* rt->dead: dead, to be freed */
  rbk_value *result;
  char *error;
  int64_t seq;             /* completion order */
};

/* The shared runtime of one actions instance. */
struct kube_rt {
  http_transport *tr;
  proc_transport *pt;
  bool virtual_time;
  int64_t now;             /* the latest clock reading */
  int64_t wall_base;       /* wall-clock ms at now == 0 (virtual runs); < 0: use the real clock */
  uint64_t rng;
  kube_op **ops;
  size_t n, cap;
  uint64_t next_id;
  int64_t next_seq;
  int in_poll;
  size_t max_body;          /* the longest answer accepted (http_request.max_body; 0: default) */
  void (*extra_poll)(kube_rt *rt);   /* runs after transport callbacks (the lease renewer) */
  int64_t (*extra_next)(kube_rt *rt);
  void (*extra_free)(kube_rt *rt);  /* releases extra when the runtime is cleared */
  void *extra;
  FILE *log;                /* decisions taken after lost answers, one line each; NULL: stderr */
  kube_due due;              /* what a poll must look at: due times, finished ops */
  kube_op *dead;             /* ops to free outside callbacks */
  uint64_t npoll;
};

/* Initialises a runtime over tr and pt (taken: freed by kube_op_rt_clear). */
void kube_op_rt_init(kube_rt *rt, http_transport *tr, proc_transport *pt, bool virtual_time, uint64_t seed,
                     int64_t wall_base);
/* Cancels every operation and frees the transports. */
void kube_op_rt_clear(kube_rt *rt);
/* Returns the next due time of any timer, deadline, process or transport callback. */
int64_t kube_op_rt_next(kube_rt *rt, int64_t now);
/* Runs everything due by now and delivers finished operations' `done` callbacks. */
void kube_op_rt_poll(kube_rt *rt, int64_t now, int64_t max_wait);
/* Returns the wall-clock time in ms for now. */
int64_t kube_op_rt_wall(const kube_rt *rt);

/* Returns a new operation (registered in rt) or NULL; conn is referenced, what copied. */
kube_op *kube_op_new(kube_rt *rt, kube_conn *conn, const sig_info *sig, int64_t timeout_ms, const char *what,
                     act_done_fn done, void *user);
/* Cancels an operation: its requests, timers and process; done is never called. */
void kube_op_cancel(kube_rt *rt, uint64_t id);
/* Ends the operation with a result (taken). */
void kube_op_finish(kube_op *op, rbk_value *result);
/* Ends the operation with an error (printf-style). */
void kube_op_fail(kube_op *op, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Ends the operation with the error of a non-2xx answer or a failed request. */
void kube_op_fail_resp(kube_op *op, const char *method, const char *path, const kube_resp *r);
/* Returns the one-line error text of a failed answer (caller frees): "Error from server
 * (NotFound): …", "You must be logged in to the server (Unauthorized)", "METHOD PATH: 500
 * Internal Server Error: <excerpt>" ("500 …" alone when METHOD PATH is the op's target:
 * kube_op_names_target), or the transport error. */
char *kube_op_error_text(const kube_op *op, const char *method, const char *path, const kube_resp *r);
/* Returns true when "METHOD PATH" is the op's describe() text (an endpoint verb's target), so an
 * error does not name it again: the engine's "ACTION TARGET: error" names it. */
bool kube_op_names_target(const kube_op *op, const char *method, const char *path);

/* Starts a request on the operation's connection: path is appended to the connection's origin
 * and base; body (may be NULL) with content type ctype. Returns false after failing the op. */
bool kube_op_request(kube_op *op, const char *method, const char *path, const char *ctype, const char *body,
                     kube_retry retry, kube_cont cont);
/* Like kube_op_request, with extra "Name: value" header lines (copied). */
bool kube_op_request_with(kube_op *op, const char *method, const char *path, const char *ctype, const char *body,
                          const char *const *headers, size_t n_headers, kube_retry retry, kube_cont cont);
/* Starts a notification request to an absolute URL (webhooks), without the connection's
 * credentials; the transport sees it marked http_request.notification. */
bool kube_op_request_url(kube_op *op, const char *method, const char *url, const char *const *headers,
                         size_t n_headers, const char *body, kube_retry retry, kube_cont cont);
/* Starts a watch (a streaming GET of path): on_event for every event, end when it closes. */
bool kube_op_watch(kube_op *op, const char *path, kube_event_fn on_event, kube_cont end);
/* Repeats the request that awaits its verify hook (for verify hooks that decided, after reading,
 * that it did not take effect). After a lost answer it is repeated once, the decision logged;
 * a second time the op ends with kube_op_unknown instead. */
void kube_op_repeat(kube_op *op);
/* Ends the op, whose write awaits its verify hook, with "outcome unknown: METHOD PATH was sent and
 * its answer was lost; DETAIL; check WHAT before retrying" (DETAIL: what the read showed, may be
 * NULL; WHAT: the op's describe() text) — "was sent and answered 503 Service Unavailable" when a
 * 5xx answer, not a lost one, sent it to its verify hook. */
void kube_op_unknown(kube_op *op, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Returns the "outcome unknown: …" text of a write whose answer was lost (caller frees): METHOD
 * and PATH as sent (no query) — METHOD NULL: "the request", when they are the action's target,
 * which the engine's message names already — DETAIL (may be NULL), CHECK what to look at before
 * retrying. */
char *kube_op_unknown_text(const char *method, const char *path, const char *detail, const char *check);
/* Cancels every request in flight. */
void kube_op_cancel_requests(kube_op *op);
/* Sets (or with fn NULL clears) the operation's timer at `at`. */
void kube_op_timer(kube_op *op, int64_t at, kube_timer_fn fn);
/* Starts a process for the op through the runtime's process transport (req->timeout_ms is set
 * from the op's time left); on_proc runs when it ends. Returns false after failing the op. */
bool kube_op_process(kube_op *op, const proc_request *req, void (*on_proc)(kube_op *op, const proc_outcome *res));
/* Returns the time left before the op's deadline (ms; INT64_MAX without one). */
int64_t kube_op_left(const kube_op *op);

/* Returns true when a sent request got no answer: the connection broke after it was sent, or
 * its time ran out (a write may have been applied). */
bool kube_lost(const kube_resp *r);
/* Returns true when the method may change the server's state (anything but GET, HEAD, OPTIONS). */
bool kube_is_write(const char *method);

#endif
