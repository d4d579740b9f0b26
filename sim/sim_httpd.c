/* sim_httpd.c — `rbk sim`'s HTTP(S) server: libmicrohttpd, a thread per connection, the model under
 * one mutex, real time × speed as the model's virtual time, chunked watch streams that notice
 * disconnected clients. Built into the network module rbk-net.so (base/netmod.h), not into
 * rbk_sim: the rbk binary reaches it through sim_http.h (sim_http.c).
 *
 * A clock thread moves the model through its timers as their wall-clock time comes, one instant
 * at a time (so a request waits for at most one instant's work, not for everything since the
 * previous request), and otherwise sleeps until the next timer or until a request changes the
 * world. Watch streams sleep until the world changes or their own next instant (a bookmark, the
 * end of timeoutSeconds), checking for a client that hung up every WATCH_CHECK_MS. */
#define _GNU_SOURCE /* POLLRDHUP */
#include "sim_httpd.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <gnutls/gnutls.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#include "sim_http_ws.h"
#include "sim_util.h"

#define MAX_UPLOAD (10 * 1024 * 1024)
#define WATCH_CHECK_MS 250
#define LAG_MS 250
#define CATCH_UP_MS 2

struct sim_server {
  sim_world *w;
  pthread_mutex_t lock;
  pthread_cond_t tick;     /* wakes the clock thread: a request was answered, or stopping */
  pthread_cond_t changed;  /* wakes the watch streams: the world was written, or stopping */
  pthread_t clock;
  bool clock_running;
  struct MHD_Daemon *d;
  double speed;
  int64_t start_real_ms, start_virtual_ms;
  atomic_bool stopping;
  atomic_int ws_sessions;  /* upgraded exec connections libmicrohttpd has not closed yet (sim_http_ws.c) */
  atomic_int waiting;      /* requests waiting for the lock: the clock thread lets them in first */
  FILE *log;
  char url[96];
  char *cert, *key, *ca;
};

/* One request's upload buffer. */
typedef struct {
  valbuf body;
  bool too_large;
} upload;

/* A watch being streamed. */
typedef struct {
  sim_server *s;
  sim_watch *wt;
  struct MHD_Connection *conn;
  char *pending;
  size_t len, off;
  bool closed;
} stream;

/* Returns CLOCK_MONOTONIC in ms. */
static int64_t mono_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Returns the virtual time of the wall clock now. */
static int64_t virtual_now(const sim_server *s) {
  return s->start_virtual_ms + (int64_t)((double)(mono_ms() - s->start_real_ms) * s->speed);
}

/* Advances the world for a request or a watch (call with the lock held) to the virtual time of
 * now, leaving the controllers' work to the clock thread as the API server leaves it to the
 * controller-manager: while the clock thread is less than LAG_MS (real) behind a due timer, only
 * to just before that timer; further behind, the caller helps, one instant at a time for at most
 * CATCH_UP_MS, and stops just before the next instant it did not reach. Wakes the watch streams
 * when the world was written. */
static void advance(sim_server *s) {
  uint64_t rv = sim_resource_version(s->w);
  int64_t v = virtual_now(s), t0 = mono_ms();
  for (;;) {
    int64_t next = sim_next_change(s->w), now = sim_now(s->w);
    bool behind = next <= v && (double)(v - next) > LAG_MS * s->speed && mono_ms() - t0 < CATCH_UP_MS;
    if (!behind) {
      sim_advance(s->w, next <= v ? (next - 1 > now ? next - 1 : now) : v);
      break;
    }
    sim_advance(s->w, next > now ? next : now);
    if (sim_next_change(s->w) == next && sim_now(s->w) >= next) break; /* nothing moved: done */
  }
  if (sim_resource_version(s->w) != rv) pthread_cond_broadcast(&s->changed);
}

/* Releases the world's lock, then the objects its history evicted meanwhile (taken under the lock:
 * freeing them is a large share of a write's cost and needs no lock, reference counts being atomic). */
static void unlock_world(sim_server *s) {
  size_t n;
  json_t **dead = sim_take_garbage(s->w, &n);
  pthread_mutex_unlock(&s->lock);
  for (size_t i = 0; i < n; i++) json_decref(dead[i]);
  free(dead);
}

/* Returns the CLOCK_MONOTONIC deadline of virtual time t (at the latest `cap_ms` from now). */
static struct timespec deadline_of(const sim_server *s, int64_t t, int64_t cap_ms) {
  int64_t now = mono_ms(), ms = now + cap_ms;
  if (t < INT64_MAX) {
    double real = (double)s->start_real_ms + (double)(t - s->start_virtual_ms) / s->speed + 1;
    if (real < (double)ms) ms = real < (double)now ? now : (int64_t)real;
  }
  return (struct timespec){ms / 1000, (ms % 1000) * 1000000};
}

/* The clock thread: moves the world through each timer as its time comes, one instant per hold
 * of the lock, and sleeps until the next one or a request. */
static void *clock_main(void *arg) {
  sim_server *s = arg;
  int64_t done = INT64_MIN; /* the instant last moved to, and the world's version after it: */
  uint64_t done_rv = 0;     /* a next change that stays there is not retried until a write */
  pthread_mutex_lock(&s->lock);
  while (!atomic_load(&s->stopping)) {
    int64_t next = sim_next_change(s->w);
    bool stuck = next == done && sim_resource_version(s->w) == done_rv;
    if (next <= virtual_now(s) && !stuck) {
      uint64_t rv = sim_resource_version(s->w);
      sim_advance(s->w, next > sim_now(s->w) ? next : sim_now(s->w));
      done = next, done_rv = sim_resource_version(s->w);
      if (done_rv != rv) pthread_cond_broadcast(&s->changed);
      unlock_world(s); /* let waiting requests in between two instants */
      for (int i = 0; i < 100 && atomic_load(&s->waiting) > 0; i++) sched_yield();
      pthread_mutex_lock(&s->lock);
      continue;
    }
    struct timespec until = deadline_of(s, stuck ? INT64_MAX : next, 3600 * 1000);
    pthread_cond_timedwait(&s->tick, &s->lock, &until);
  }
  pthread_mutex_unlock(&s->lock);
  return NULL;
}

/* Sleeps ms milliseconds. */
static void sleep_ms(int64_t ms) {
  if (ms <= 0) return;
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};
  while (nanosleep(&ts, &ts) && errno == EINTR) {
  }
}

/* Returns true when the client has closed its side of the connection. */
static bool client_gone(struct MHD_Connection *conn) {
  const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
  if (!ci) return true;
  struct pollfd p = {ci->connect_fd, POLLRDHUP, 0};
  return poll(&p, 1, 0) > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR));
}

/* libmicrohttpd's content reader for a watch: waits for lines, ends on close or disconnect. */
static ssize_t watch_read(void *cls, uint64_t pos, char *buf, size_t max) {
  (void)pos;
  stream *st = cls;
  for (;;) {
    if (st->off < st->len) {
      size_t n = st->len - st->off < max ? st->len - st->off : max;
      memcpy(buf, st->pending + st->off, n);
      st->off += n;
      return (ssize_t)n;
    }
    if (st->closed || atomic_load(&st->s->stopping)) return MHD_CONTENT_READER_END_OF_STREAM;
    free(st->pending);
    st->pending = NULL, st->len = st->off = 0;
    pthread_mutex_lock(&st->s->lock);
    advance(st->s);
    st->closed = sim_watch_poll(st->s->w, st->wt, &st->pending, &st->len) == SIM_WATCH_CLOSED;
    if (!st->len && !st->closed && !atomic_load(&st->s->stopping)) {
      uint64_t rv = sim_resource_version(st->s->w);
      struct timespec until = deadline_of(st->s, sim_watch_next(st->wt), WATCH_CHECK_MS);
      while (sim_resource_version(st->s->w) == rv && !atomic_load(&st->s->stopping) &&
             pthread_cond_timedwait(&st->s->changed, &st->s->lock, &until) == 0) {
      }
    }
    unlock_world(st->s);
    if (st->len || st->closed) continue;
    if (client_gone(st->conn)) return MHD_CONTENT_READER_END_WITH_ERROR;
  }
}

/* Frees a watch stream. */
static void watch_done(void *cls) {
  stream *st = cls;
  pthread_mutex_lock(&st->s->lock);
  sim_watch_free(st->wt);
  pthread_mutex_unlock(&st->s->lock);
  free(st->pending);
  free(st);
}

/* Collected request headers. */
typedef struct {
  sim_header h[64];
  size_t n;
} headers;

/* Adds one header (libmicrohttpd iterator). */
static enum MHD_Result add_header(void *cls, enum MHD_ValueKind kind, const char *key, const char *value) {
  (void)kind;
  headers *hs = cls;
  if (hs->n < 64) hs->h[hs->n++] = (sim_header){key, value ? value : ""};
  return MHD_YES;
}

/* Appends one query argument, percent-encoded (libmicrohttpd iterator). */
static enum MHD_Result add_arg(void *cls, enum MHD_ValueKind kind, const char *key, const char *value) {
  (void)kind;
  valbuf *b = cls;
  const char *parts[2] = {key, value};
  if (b->len) valbuf_put(b, "&", 1);
  for (int i = 0; i < 2 && parts[i]; i++) {
    if (i) valbuf_put(b, "=", 1);
    for (const unsigned char *p = (const unsigned char *)parts[i]; *p; p++) {
      if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || strchr("-_.~", *p))
        valbuf_put(b, (const char *)p, 1);
      else
        valbuf_printf(b, "%%%02X", *p);
    }
  }
  return MHD_YES;
}

/* Builds the libmicrohttpd response for a model response (takes its body). */
static struct MHD_Response *to_mhd(sim_server *s, struct MHD_Connection *conn, sim_response *r) {
  struct MHD_Response *m;
  if (r->exec) {
    m = sim_http_ws_response(r->exec, MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Sec-WebSocket-Key"), &s->ws_sessions);
    r->exec = NULL;
    return m;
  } else if (r->watch) {
    stream *st = calloc(1, sizeof *st);
    if (!st) return NULL;
    *st = (stream){s, r->watch, conn, NULL, 0, 0, false};
    r->watch = NULL;
    m = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 16384, watch_read, st, watch_done);
  } else {
    m = MHD_create_response_from_buffer(r->body_len, r->body ? r->body : (char *)"", r->body ? MHD_RESPMEM_MUST_FREE
                                                                                           : MHD_RESPMEM_PERSISTENT);
    r->body = NULL;
  }
  for (size_t i = 0; m && i < r->n_headers; i++)
    if (strcasecmp(r->headers[i].name, "Transfer-Encoding")) MHD_add_response_header(m, r->headers[i].name, r->headers[i].value);
  if (m) MHD_add_response_header(m, "Cache-Control", "no-cache, private");
  return m;
}

/* Logs one request line. */
static void log_request(sim_server *s, const char *method, const char *url, const char *query, int status, int64_t ms) {
  if (!s->log) return;
  fprintf(s->log, "%s %s%s%s %d %" PRId64 "ms\n", method, url, query && *query ? "?" : "", query ? query : "", status, ms);
  fflush(s->log);
}

/* Returns "x509" when the client presented a certificate that verifies against --client-ca. */
static const char *cert_user(sim_server *s, struct MHD_Connection *conn) {
  if (!s->ca) return NULL;
  const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_GNUTLS_SESSION);
  unsigned status = 1, n = 0;
  if (!ci || !ci->tls_session) return NULL;
  gnutls_session_t session = (gnutls_session_t)ci->tls_session;
  if (!gnutls_certificate_get_peers(session, &n) || !n) return NULL;
  return gnutls_certificate_verify_peers2(session, &status) == 0 && status == 0 ? "x509" : NULL;
}

/* Answers a complete request. */
static enum MHD_Result answer(sim_server *s, struct MHD_Connection *conn, const char *url, const char *method, upload *up) {
  int64_t t0 = mono_ms();
  headers hs = {.n = 0};
  valbuf q = {0};
  MHD_get_connection_values(conn, MHD_HEADER_KIND, add_header, &hs);
  MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, add_arg, &q);
  sim_response r = {0};
  if (up->too_large) {
    const char *msg = "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"message\":\"the request is too large\",\"reason\":\"RequestEntityTooLarge\",\"code\":413}";
    r.status = 413, r.body = strdup(msg), r.body_len = strlen(msg);
  } else {
    sim_request req = {method, url, q.s ? q.s : "", hs.h, hs.n, up->body.s, up->body.len};
    const char *user = cert_user(s, conn);
    atomic_fetch_add(&s->waiting, 1);
    pthread_mutex_lock(&s->lock);
    atomic_fetch_sub(&s->waiting, 1);
    advance(s);
    uint64_t rv = sim_resource_version(s->w);
    sim_handle_deferred(s->w, &req, user, &r);
    if (sim_resource_version(s->w) != rv) pthread_cond_broadcast(&s->changed);
    pthread_cond_signal(&s->tick); /* the request may have set an earlier timer */
    unlock_world(s);
    sim_response_render(&r); /* stored objects: written out without the lock */
  }
  if (r.delay_ms > 0) sleep_ms((int64_t)((double)r.delay_ms / s->speed));
  log_request(s, method, url, q.s, r.drop ? 0 : r.status, mono_ms() - t0);
  free(q.s);
  if (r.drop) {
    sim_watch_free(r.watch);
    sim_response_clear(&r);
    return MHD_NO;
  }
  int status = r.status;
  struct MHD_Response *m = to_mhd(s, conn, &r);
  if (r.status == 413 && !r.n_headers && m) MHD_add_response_header(m, "Content-Type", "application/json");
  sim_response_clear(&r);
  if (!m) return MHD_NO;
  enum MHD_Result ret = MHD_queue_response(conn, (unsigned)status, m);
  MHD_destroy_response(m);
  return ret;
}

/* libmicrohttpd's access handler: collects the body, then answers. */
static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                                  const char *version, const char *data, size_t *size, void **con_cls) {
  (void)version;
  sim_server *s = cls;
  upload *up = *con_cls;
  if (!up) {
    if (!(up = calloc(1, sizeof *up))) return MHD_NO;
    *con_cls = up;
    return MHD_YES;
  }
  if (*size) {
    if (up->body.len + *size > MAX_UPLOAD) up->too_large = true;
    else if (valbuf_put(&up->body, data, *size), up->body.oom) return MHD_NO;
    *size = 0;
    return MHD_YES;
  }
  return answer(s, conn, url, method, up);
}

/* Frees a request's upload buffer when libmicrohttpd is done with it. */
static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls, enum MHD_RequestTerminationCode toe) {
  (void)cls, (void)conn, (void)toe;
  upload *up = *con_cls;
  if (up) free(up->body.s), free(up);
  *con_cls = NULL;
}

/* Gives each connection an "upgraded" flag as its socket context (set by sim_http_ws.c); when an
 * upgraded connection is closed, one exec session fewer is open. */
static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context, enum MHD_ConnectionNotificationCode code) {
  (void)conn;
  sim_server *s = cls;
  if (code == MHD_CONNECTION_NOTIFY_STARTED) {
    atomic_bool *flag = malloc(sizeof *flag);
    if (flag) atomic_init(flag, false);
    *socket_context = flag;
    return;
  }
  atomic_bool *flag = *socket_context;
  if (flag && atomic_load(flag)) atomic_fetch_sub(&s->ws_sessions, 1);
  free(flag);
  *socket_context = NULL;
}

/* Returns a file's contents (new string) or NULL with *err set. */
static char *read_file(const char *path, char **err) {
  FILE *f = fopen(path, "rb");
  valbuf b = {0};
  char chunk[4096];
  size_t n;
  if (!f) return *err = strutil_printf("%s: %s", path, strerror(errno)), NULL;
  while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) valbuf_put(&b, chunk, n);
  fclose(f);
  return valbuf_take(&b, NULL);
}

/* Parses "host:port" into an IPv4 socket address; false when malformed. */
static bool parse_listen(const char *listen, struct sockaddr_in *sa) {
  memset(sa, 0, sizeof *sa);
  sa->sin_family = AF_INET;
  const char *colon = strrchr(listen, ':');
  char host[64] = "127.0.0.1";
  if (colon) {
    size_t n = (size_t)(colon - listen);
    if (n >= sizeof host) return false;
    if (n) memcpy(host, listen, n), host[n] = 0;
  }
  char *end;
  long port = strtol(colon ? colon + 1 : listen, &end, 10);
  if (*end || port < 0 || port > 65535) return false;
  if (!strcmp(host, "localhost")) strcpy(host, "127.0.0.1");
  sa->sin_port = htons((uint16_t)port);
  return inet_pton(AF_INET, host, &sa->sin_addr) == 1;
}

/* Frees the server's memory (not the daemon). */
static void server_free(sim_server *s) {
  sim_free(s->w);
  free(s->cert), free(s->key), free(s->ca);
  pthread_cond_destroy(&s->tick);
  pthread_cond_destroy(&s->changed);
  pthread_mutex_destroy(&s->lock);
  free(s);
}

/* Reads the TLS files; false with *err. */
static bool load_tls(sim_server *s, const sim_server_opts *o, char **err) {
  if (!o->tls_cert && !o->tls_key) return !o->client_ca || (*err = strdup("--client-ca needs --tls-cert and --tls-key"), false);
  if (!o->tls_cert || !o->tls_key) return *err = strdup("--tls-cert and --tls-key go together"), false;
  if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) return *err = strdup("libmicrohttpd was built without TLS"), false;
  s->cert = read_file(o->tls_cert, err);
  s->key = s->cert ? read_file(o->tls_key, err) : NULL;
  s->ca = s->key && o->client_ca ? read_file(o->client_ca, err) : NULL;
  return s->key && (!o->client_ca || s->ca);
}

/* Starts serving the world (taken, also on failure); NULL with *err set (caller frees). */
sim_server *sim_httpd_start(sim_world *w, const sim_server_opts *o, char **err) {
  sim_server *s = calloc(1, sizeof *s);
  struct sockaddr_in sa;
  if (!s) return sim_free(w), *err = strdup("out of memory"), NULL;
  s->w = w, s->speed = o->speed > 0 ? o->speed : 1, s->log = o->log;
  sim_defer_release(w);
  pthread_mutex_init(&s->lock, NULL);
  pthread_condattr_t ca;
  pthread_condattr_init(&ca);
  pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
  pthread_cond_init(&s->tick, &ca);
  pthread_cond_init(&s->changed, &ca);
  pthread_condattr_destroy(&ca);
  atomic_init(&s->stopping, false);
  atomic_init(&s->ws_sessions, 0);
  atomic_init(&s->waiting, 0);
  if (!parse_listen(o->listen ? o->listen : "127.0.0.1:0", &sa)) {
    *err = strutil_printf("--listen %s: expected HOST:PORT with an IPv4 address", o->listen);
    return server_free(s), NULL;
  }
  if (!load_tls(s, o, err)) return server_free(s), NULL;
  struct MHD_OptionItem opts[9];
  int n = 0;
  opts[n++] = (struct MHD_OptionItem){MHD_OPTION_SOCK_ADDR, 0, &sa};
  opts[n++] = (struct MHD_OptionItem){MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)on_completed, s};
  opts[n++] = (struct MHD_OptionItem){MHD_OPTION_NOTIFY_CONNECTION, (intptr_t)on_connection, s};
  opts[n++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_LIMIT, 2000, NULL};
  if (s->cert) opts[n++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_CERT, 0, s->cert};
  if (s->key) opts[n++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_KEY, 0, s->key};
  if (s->ca) opts[n++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_TRUST, 0, s->ca};
  opts[n++] = (struct MHD_OptionItem){MHD_OPTION_END, 0, NULL};
  unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_ERROR_LOG | MHD_ALLOW_UPGRADE;
  if (s->cert) flags |= MHD_USE_TLS;
  s->start_real_ms = mono_ms();
  s->start_virtual_ms = sim_now(w);
  s->d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, s, MHD_OPTION_ARRAY, opts, MHD_OPTION_END);
  if (!s->d) {
    *err = strutil_printf("cannot listen on %s (address in use, or bad TLS files)", o->listen ? o->listen : "127.0.0.1:0");
    return server_free(s), NULL;
  }
  s->clock_running = pthread_create(&s->clock, NULL, clock_main, s) == 0;
  if (!s->clock_running) {
    MHD_stop_daemon(s->d);
    *err = strdup("cannot start the simulator's clock thread");
    return server_free(s), NULL;
  }
  const union MHD_DaemonInfo *di = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
  char host[INET_ADDRSTRLEN];
  inet_ntop(AF_INET, &sa.sin_addr, host, sizeof host);
  snprintf(s->url, sizeof s->url, "%s://%s:%u", s->cert ? "https" : "http", host, di ? (unsigned)di->port : 0);
  return s;
}

/* Returns the base URL ("https://127.0.0.1:43210") (borrowed). */
const char *sim_httpd_url(const sim_server *s) { return s->url; }

/* Stops serving: ends open watches, waits for the connection threads, frees the world. */
void sim_httpd_stop(sim_server *s) {
  if (!s) return;
  pthread_mutex_lock(&s->lock);
  atomic_store(&s->stopping, true);
  pthread_cond_broadcast(&s->tick);
  pthread_cond_broadcast(&s->changed);
  pthread_mutex_unlock(&s->lock);
  if (s->clock_running) pthread_join(s->clock, NULL);
  /* exec sessions end within 5 s; libmicrohttpd then closes their connections */
  for (int i = 0; i < 1000 && atomic_load(&s->ws_sessions) > 0; i++) sleep_ms(10);
  MHD_stop_daemon(s->d);
  server_free(s);
}

/* Returns libmicrohttpd's version ("0.9.75") (static). */
const char *sim_httpd_mhd_version(void) { return MHD_get_version(); }

/* Returns GnuTLS's version ("3.7.9") (static). */
const char *sim_httpd_tls_version(void) { return gnutls_check_version(NULL); }
