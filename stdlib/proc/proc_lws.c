/* proc_lws.c — exec over the API server's WebSocket protocol with libwebsockets (see proc_ws.h).
 * Each exec has its own lws context (its own TLS material) and is serviced from poll() with
 * lws_service(ctx, -1), which never waits. Debian's libwebsockets is built without external-poll
 * callbacks, so fds() hands the caller's loop the connection's socket (lws_get_socket_fd) for
 * POLLIN, and until the WebSocket is established (connect, TLS and HTTP handshakes, which also
 * wait to write) keeps the loop's wait to a couple of milliseconds, then to 50 ms (lws may wait
 * to write a pong). The exec ends with the channel 3 Status, without waiting for the close.
 *
 * This file is built into the network module rbk-net.so (base/netmod.h), not into rbk_proc: the
 * rbk binary reaches it through proc_ws_new (proc_ws.c). */
#include "proc_lws.h"
#include "proc_ws.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <libwebsockets.h>

#include "grow.h"
#include "strutil.h"
#include "valbuf.h"

#define PROTOCOL "v5.channel.k8s.io"

/* One exec. */
typedef struct {
  uint64_t id;
  struct lws_context *ctx;
  struct lws *wsi;           /* the connection while it lives, else NULL */
  bool sent;                 /* the upgrade request was composed and sent: the command may run */
  bool established;          /* the upgrade was answered 101 */
  bool lost;                 /* sent, and the connection ended without an answer or exit status */
  proc_callbacks cb;
  int64_t deadline;          /* caller's clock; INT64_MAX: none */
  char **headers;
  size_t n_headers;
  char *host, *path;
  int port;
  valbuf out, err, status;
  size_t max;
  int channel;               /* the channel of the message being received, -1 before one */
  char *error;
  int http_status;           /* the answer to the upgrade when it was refused */
  bool ended, dead;
} wsexec;

typedef struct {
  proc_transport iface;
  wsexec **xs;
  size_t n, cap;
  uint64_t next_id;
  int in_poll;
} wstr;

/* Frees an exec (its context closes its connection). */
static void x_free(wsexec *x) {
  if (!x) return;
  if (x->ctx) lws_context_destroy(x->ctx);
  for (size_t i = 0; i < x->n_headers; i++) free(x->headers[i]);
  free(x->headers), free(x->host), free(x->path), free(x->error);
  valbuf_free(&x->out), valbuf_free(&x->err), valbuf_free(&x->status);
  free(x);
}

/* Removes delivered or cancelled execs (outside callbacks only). */
static void sweep(wstr *t) {
  size_t k = 0;
  for (size_t i = 0; i < t->n; i++) {
    if (t->xs[i]->dead) x_free(t->xs[i]);
    else t->xs[k++] = t->xs[i];
  }
  t->n = k;
}

/* Ends the exec with an error (the first one wins). */
static void x_fail(wsexec *x, const char *msg) {
  if (!x->error) x->error = strdup(msg);
  x->ended = true;
}

/* Adds the exec's header lines to the upgrade request; false when they do not fit. */
static bool append_headers(struct lws *wsi, const wsexec *x, unsigned char **p, unsigned char *end) {
  for (size_t i = 0; i < x->n_headers; i++) {
    const char *colon = strchr(x->headers[i], ':');
    if (!colon) continue;
    char name[64];
    size_t n = (size_t)(colon - x->headers[i]);
    if (n + 2 > sizeof name) continue;
    for (size_t k = 0; k < n; k++) name[k] = (char)(x->headers[i][k] >= 'A' && x->headers[i][k] <= 'Z' ? x->headers[i][k] + 32 : x->headers[i][k]);
    name[n] = ':', name[n + 1] = 0;
    const char *v = colon + 1 + strspn(colon + 1, " ");
    if (lws_add_http_header_by_name(wsi, (const unsigned char *)name, (const unsigned char *)v, (int)strlen(v), p, end))
      return false;
  }
  return true;
}

/* Stores one received fragment on its channel; false when the output passes the cap. */
static bool receive(struct lws *wsi, wsexec *x, const unsigned char *in, size_t len) {
  if (lws_is_first_fragment(wsi)) {
    x->channel = len ? in[0] : -1;
    in++, len = len ? len - 1 : 0;
  }
  valbuf *b = x->channel == 1 ? &x->out : x->channel == 2 ? &x->err : x->channel == 3 ? &x->status : NULL;
  if (!b || !len) return true;
  if (x->out.len + x->err.len + x->status.len + len > x->max) {
    char *msg = strutil_printf("the command's output passed %zu bytes (the limit of exec)", x->max);
    x_fail(x, msg ? msg : "output too large");
    free(msg);
    return false;
  }
  valbuf_put(b, (const char *)in, len);
  if (x->channel == 3 && lws_is_final_fragment(wsi)) x->ended = true; /* the Status is the last word */
  return true;
}

/* libwebsockets' callback for every exec connection. */
static int on_lws(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len) {
  (void)user;
  struct lws_context *ctx = lws_get_context(wsi);
  wsexec *x = ctx ? lws_context_user(ctx) : NULL;
  if (!x) return 0;
  switch (reason) {
  case LWS_CALLBACK_CLIENT_ESTABLISHED: x->established = true; break;
  case LWS_CALLBACK_WSI_DESTROY: x->wsi = NULL, x->ended = true; break;
  case LWS_CALLBACK_CLIENT_APPEND_HANDSHAKE_HEADER:
    if (!append_headers(wsi, x, (unsigned char **)in, *(unsigned char **)in + len)) return -1;
    x->sent = true;
    break;
  case LWS_CALLBACK_CLIENT_RECEIVE:
    if (!receive(wsi, x, in, len)) return -1;
    break;
  case LWS_CALLBACK_CLIENT_CONNECTION_ERROR: {
    x->http_status = (int)lws_http_client_http_response(wsi);
    const char *why = in ? (const char *)in : "connection failed";
    char *msg = x->http_status > 0 && x->http_status != 101
                    ? strutil_printf("exec: the API server answered %d to the WebSocket upgrade", x->http_status)
                : strstr(why, "SSL") ? strutil_printf("exec: TLS handshake with %s:%d failed (is the server's certificate "
                                                      "signed by the cluster's CA?): %s", x->host, x->port, why)
                                     : strutil_printf("exec: cannot connect to %s:%d: %s", x->host, x->port, why);
    /* a connection that broke after the upgrade went out and before any answer: the command may run */
    if (x->sent && x->http_status <= 0 && !x->error) {
      free(msg);
      msg = strutil_printf("the exec connection to %s:%d closed after the request was sent, before any answer", x->host,
                           x->port);
      x->lost = true;
    }
    x_fail(x, msg ? msg : "exec failed");
    free(msg);
    break;
  }
  case LWS_CALLBACK_CLIENT_CLOSED:
  case LWS_CALLBACK_CLOSED_CLIENT_HTTP: x->ended = true; break;
  default: break;
  }
  return 0;
}

static const struct lws_protocols protocols[] = {{PROTOCOL, on_lws, 0, 65536, 0, NULL, 0}, {NULL, NULL, 0, 0, 0, NULL, 0}};

/* Returns true after splitting "scheme://host[:port][/prefix]" (port defaults by scheme). */
static bool split_server(const char *url, bool *tls, char **host, int *port, char **prefix) {
  const char *rest = !strncmp(url, "https://", 8) ? url + 8 : !strncmp(url, "http://", 7) ? url + 7 : NULL;
  if (!rest) return false;
  *tls = url[4] == 's';
  size_t hl = strcspn(rest, "/");
  char *hp = strndup(rest, hl);
  if (!hp) return false;
  char *colon = hp[0] == '[' ? strstr(hp, "]:") : strrchr(hp, ':');
  if (colon && hp[0] == '[') colon++;
  *port = colon ? atoi(colon + 1) : *tls ? 443 : 80;
  if (colon) *colon = 0;
  *host = hp;
  *prefix = strdup(rest + hl);
  return *port > 0 && *prefix;
}

/* Returns the exec's lws context with its TLS material, or NULL. */
static struct lws_context *make_context(wsexec *x, const proc_tls *tls) {
  struct lws_context_creation_info info;
  memset(&info, 0, sizeof info);
  info.port = CONTEXT_PORT_NO_LISTEN;
  info.protocols = protocols;
  info.gid = (gid_t)-1, info.uid = (uid_t)-1;
  info.options = LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
  info.fd_limit_per_thread = 16;
  info.user = x;
  if (tls) {
    info.client_ssl_ca_filepath = tls->ca_data ? NULL : tls->ca_file;
    info.client_ssl_ca_mem = tls->ca_data, info.client_ssl_ca_mem_len = (unsigned)tls->ca_len;
    info.client_ssl_cert_filepath = tls->cert_data ? NULL : tls->cert_file;
    info.client_ssl_cert_mem = tls->cert_data, info.client_ssl_cert_mem_len = (unsigned)tls->cert_len;
    info.client_ssl_private_key_filepath = tls->key_data ? NULL : tls->key_file;
    info.client_ssl_key_mem = tls->key_data, info.client_ssl_key_mem_len = (unsigned)tls->key_len;
  }
  return lws_create_context(&info);
}

/* Returns the pod's name in "pod/NAME" (borrowed), or NULL for another kind. */
static const char *pod_of(const char *ref) {
  if (!strncmp(ref, "pod/", 4)) return ref + 4;
  if (!strncmp(ref, "pods/", 5)) return ref + 5;
  return strchr(ref, '/') ? NULL : ref;
}

/* Returns true after starting the connection; false with *err set. */
static bool x_connect(wsexec *x, const proc_request *req, char **err) {
  bool tls;
  char *prefix = NULL;
  const char *pod = pod_of(req->ref ? req->ref : "");
  if (!pod) return *err = strutil_printf("exec needs a pod, not %s", req->ref), false;
  if (!req->server || !split_server(req->server, &tls, &x->host, &x->port, &prefix))
    return *err = strutil_printf("exec: bad server URL %s", req->server ? req->server : "(none)"), false;
  char *target = proc_ws_exec_target(req->ns ? req->ns : "default", pod, req->container, req->argv);
  x->path = target ? strutil_printf("%s%s", prefix, target) : NULL;
  free(prefix), free(target);
  if (!x->path) return *err = strdup("out of memory"), false;
  x->ctx = make_context(x, tls ? req->tls : NULL);
  if (!x->ctx) return *err = strdup("exec: cannot set up the WebSocket client (TLS material?)"), false;
  char hosthdr[300];
  snprintf(hosthdr, sizeof hosthdr, "%s:%d", x->host, x->port);
  struct lws_client_connect_info ci;
  memset(&ci, 0, sizeof ci);
  ci.context = x->ctx, ci.address = x->host, ci.port = x->port, ci.path = x->path;
  ci.host = hosthdr, ci.origin = hosthdr, ci.protocol = PROTOCOL, ci.pwsi = &x->wsi;
  if (tls) ci.ssl_connection = LCCSCF_USE_SSL;
  if (tls && req->tls && req->tls->insecure)
    ci.ssl_connection |= LCCSCF_ALLOW_SELFSIGNED | LCCSCF_SKIP_SERVER_CERT_HOSTNAME_CHECK | LCCSCF_ALLOW_EXPIRED | LCCSCF_ALLOW_INSECURE;
  if (!lws_client_connect_via_info(&ci)) return *err = strutil_printf("cannot connect for exec: %s", req->server), false;
  return true;
}

/* Starts an exec. */
static uint64_t ws_start(void *self, const proc_request *req, int64_t now, const proc_callbacks *cb, char **err) {
  wstr *t = self;
  if (req->kind != PROC_EXEC) return *err = strdup("the WebSocket transport runs exec only"), 0;
  if (!GROW(t->xs, t->cap, t->n + 1)) return *err = strdup("out of memory"), 0;
  wsexec *x = calloc(1, sizeof *x);
  if (!x) return *err = strdup("out of memory"), 0;
  x->cb = *cb, x->channel = -1, x->max = req->max_output ? req->max_output : PROC_MAX_OUTPUT_DEFAULT;
  x->deadline = req->timeout_ms > 0 ? now + req->timeout_ms : INT64_MAX;
  if (req->n_headers && !(x->headers = calloc(req->n_headers, sizeof *x->headers))) return x_free(x), *err = strdup("out of memory"), 0;
  for (size_t i = 0; i < req->n_headers; i++)
    if ((x->headers[x->n_headers] = strdup(req->headers[i]))) x->n_headers++;
  if (!x_connect(x, req, err)) return x_free(x), 0;
  x->id = ++t->next_id;
  t->xs[t->n++] = x;
  return x->id;
}

/* Drops an exec (its connection is closed); no callback runs for it. */
static void ws_cancel(void *self, uint64_t id) {
  wstr *t = self;
  for (size_t i = 0; i < t->n; i++)
    if (t->xs[i]->id == id) t->xs[i]->dead = true;
  if (!t->in_poll) sweep(t);
}

/* Returns the earliest deadline: completions otherwise depend on real I/O. */
static int64_t ws_next(void *self, int64_t now) {
  wstr *t = self;
  int64_t next = INT64_MAX;
  for (size_t i = 0; i < t->n; i++)
    if (!t->xs[i]->dead && (t->xs[i]->ended ? now : t->xs[i]->deadline) < next) next = t->xs[i]->ended ? now : t->xs[i]->deadline;
  return next;
}

/* Returns the connections' sockets; a connection still handshaking, or with buffered TLS input,
 * lowers *wait (the loop waits for POLLIN only). */
static size_t ws_fds(void *self, int *fds, size_t max, int64_t *wait) {
  wstr *t = self;
  size_t n = 0;
  for (size_t i = 0; i < t->n; i++) {
    wsexec *x = t->xs[i];
    if (x->dead) continue;
    if (x->ended) *wait = 0;
    int fd = x->wsi ? (int)lws_get_socket_fd(x->wsi) : -1;
    if (fd >= 0 && n < max) fds[n++] = fd;
    int64_t cap = x->established ? 50 : 2;
    if (*wait > cap) *wait = cap;
    if (!x->ended && lws_service_adjust_timeout(x->ctx, 1, 0) == 0) *wait = 0;
  }
  return n;
}

/* Returns the exit status from the channel 3 Status, or -1 with x->error set. */
static int exit_code(wsexec *x) {
  json_t *st = x->status.len ? json_loadb(x->status.s, x->status.len, 0, NULL) : NULL;
  const char *s = json_string_value(json_object_get(st, "status"));
  const char *reason = json_string_value(json_object_get(st, "reason"));
  int code = -1;
  if (s && !strcmp(s, "Success")) code = 0;
  else if (reason && !strcmp(reason, "NonZeroExitCode")) {
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(json_object_get(st, "details"), "causes"), i, c) {
      const char *r = json_string_value(json_object_get(c, "reason")), *m = json_string_value(json_object_get(c, "message"));
      if (r && m && !strcmp(r, "ExitCode")) code = atoi(m);
    }
  }
  if (code < 0 && !x->error) {
    const char *m = json_string_value(json_object_get(st, "message"));
    x->lost = !m; /* the command started and its exit status was lost */
    x->error = m ? strutil_printf("exec failed: %s", m) : strdup("the exec connection closed before the command's exit status");
  }
  json_decref(st);
  return code;
}

/* Delivers an ended or timed-out exec. */
static void deliver(wsexec *x, bool timed_out) {
  x->dead = true;
  int code = timed_out ? -1 : exit_code(x);
  valbuf_put(&x->out, "", 0), valbuf_put(&x->err, "", 0);
  proc_outcome o = {code < 0 ? 0 : code, timed_out, x->out.s ? x->out.s : "", x->err.s ? x->err.s : "",
                    timed_out || code >= 0 ? NULL : x->error, !timed_out && code < 0 && x->lost,
                    !timed_out && code < 0 && x->http_status > 101 ? x->http_status : 0};
  x->cb.on_done(x->cb.user, &o);
}

/* Services every connection without waiting and delivers the execs that ended by now. */
static void ws_poll(void *self, int64_t now) {
  wstr *t = self;
  t->in_poll++;
  for (size_t i = 0; i < t->n; i++) {
    wsexec *x = t->xs[i];
    for (int k = 0; k < 8 && !x->dead && !x->ended; k++) {
      lws_service(x->ctx, -1);
      if (lws_service_adjust_timeout(x->ctx, 1, 0) != 0) break;
    }
    if (x->dead) continue;
    if (x->ended) deliver(x, false);
    else if (now >= x->deadline) deliver(x, true);
  }
  t->in_poll--;
  if (!t->in_poll) sweep(t);
}

/* Returns the number of execs in flight. */
static size_t ws_pending(void *self) {
  const wstr *t = self;
  size_t k = 0;
  for (size_t i = 0; i < t->n; i++) k += !t->xs[i]->dead;
  return k;
}

/* Closes everything and frees the transport. */
static void ws_free(void *self) {
  wstr *t = self;
  for (size_t i = 0; i < t->n; i++) x_free(t->xs[i]);
  free(t->xs);
  free(t);
}

/* Returns a WebSocket exec transport. */
proc_transport *proc_lws_create(char **err) {
  wstr *t = calloc(1, sizeof *t);
  if (!t) return *err = strdup("out of memory"), NULL;
  lws_set_log_level(0, NULL);
  t->iface = (proc_transport){t, ws_start, ws_cancel, ws_next, ws_fds, ws_poll, ws_pending, ws_free};
  return &t->iface;
}

/* Returns libwebsockets' version ("4.1.6"; Debian's trailing "-" without a git hash dropped)
 * (static). */
const char *proc_lws_describe(void) {
  static char text[64];
  snprintf(text, sizeof text, "%s", lws_get_library_version());
  size_t n = strlen(text);
  while (n && (text[n - 1] == '-' || text[n - 1] == ' ')) text[--n] = '\0';
  return text;
}
