/* sim_http_ws.c — the exec session over an upgraded connection (see sim_http_ws.h). The upgrade
 * handler must return for libmicrohttpd to start forwarding TLS, so each session runs in a
 * detached thread: it writes the channels, a normal close (1000), then reads the client's frames
 * (answering pings) until its close frame, the end of the connection or 5 s. An upgraded
 * connection counts as a session from the upgrade until libmicrohttpd reports the connection
 * closed (its socket context, set by sim_http.c, is the connection's "upgraded" flag): stopping
 * the daemon while libmicrohttpd still forwards an upgraded TLS connection is a race inside
 * libmicrohttpd 0.9.75 (a crash on SIGTERM, seen in tests/wsexec). */
#include "sim_http_ws.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "sim_ws.h"

#define CLOSE_WAIT_MS 5000

/* One session. */
typedef struct {
  sim_exec_answer *a;
  atomic_int *sessions;
  MHD_socket sock;
  struct MHD_UpgradeResponseHandle *urh;
  unsigned char in[4096];
  size_t in_len;
} session;

/* Frees a session's answer and the session. */
static void session_free(session *s) {
  if (s->a) free(s->a->out), free(s->a->err), free(s->a->status), free(s->a);
  free(s);
}

/* Returns true after sending all n bytes. */
static bool send_all(int fd, const void *data, size_t n) {
  const char *p = data;
  while (n) {
    ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    p += w, n -= (size_t)w;
  }
  return true;
}

/* Returns true after sending one frame: opcode, an optional channel byte (< 0: none), data. */
static bool send_frame(int fd, int opcode, int channel, const void *data, size_t n) {
  unsigned char head[11];
  size_t h = sim_ws_header(head, opcode, n + (channel >= 0));
  if (channel >= 0) head[h++] = (unsigned char)channel;
  return send_all(fd, head, h) && (!n || send_all(fd, data, n));
}

/* Returns CLOCK_MONOTONIC in ms. */
static int64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Reads the client's frames until its close, the end of the connection or the time limit. */
static void drain(session *s) {
  int64_t until = now_ms() + CLOSE_WAIT_MS;
  for (;;) {
    sim_ws_frame f;
    ssize_t used;
    while ((used = sim_ws_parse(s->in, s->in_len, sizeof s->in - 14, &f)) > 0) {
      if (f.opcode == SIM_WS_CLOSE) return;
      if (f.opcode == SIM_WS_PING && !send_frame(s->sock, SIM_WS_PONG, -1, f.payload, f.len)) return;
      memmove(s->in, s->in + used, s->in_len - (size_t)used);
      s->in_len -= (size_t)used;
    }
    int64_t left = until - now_ms();
    if (used < 0 || left <= 0 || s->in_len == sizeof s->in) return;
    struct pollfd p = {s->sock, POLLIN, 0};
    if (poll(&p, 1, (int)left) <= 0) return;
    ssize_t r = recv(s->sock, s->in + s->in_len, sizeof s->in - s->in_len, 0);
    if (r <= 0) return;
    s->in_len += (size_t)r;
  }
}

/* The session's thread: streams the answer, closes, waits for the client's close. */
static void *run(void *arg) {
  session *s = arg;
  const sim_exec_answer *a = s->a;
  int fl = fcntl(s->sock, F_GETFL);
  if (fl >= 0) fcntl(s->sock, F_SETFL, fl & ~O_NONBLOCK);
  bool ok = true;
  if (a->want_out && *a->out) ok = send_frame(s->sock, SIM_WS_BINARY, 1, a->out, strlen(a->out));
  if (ok && a->want_err && *a->err) ok = send_frame(s->sock, SIM_WS_BINARY, 2, a->err, strlen(a->err));
  if (ok) ok = send_frame(s->sock, SIM_WS_BINARY, 3, a->status, strlen(a->status));
  static const unsigned char normal[2] = {0x03, 0xe8};
  if (ok && send_frame(s->sock, SIM_WS_CLOSE, -1, normal, 2)) drain(s);
  MHD_upgrade_action(s->urh, MHD_UPGRADE_ACTION_CLOSE);
  session_free(s);
  return NULL;
}

/* libmicrohttpd's upgrade handler: hands the socket to the session's thread (the response serves
 * one connection, so the session is its closure). */
static void upgraded(void *cls, struct MHD_Connection *conn, void *con_cls, const char *extra_in, size_t extra_in_size,
                     MHD_socket sock, struct MHD_UpgradeResponseHandle *urh) {
  (void)con_cls;
  session *s = cls;
  const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
  atomic_bool *upgraded_flag = ci ? ci->socket_context : NULL;
  if (upgraded_flag && !atomic_exchange(upgraded_flag, true)) atomic_fetch_add(s->sessions, 1);
  s->sock = sock, s->urh = urh;
  s->in_len = extra_in_size < sizeof s->in ? extra_in_size : sizeof s->in;
  if (s->in_len) memcpy(s->in, extra_in, s->in_len);
  pthread_t t;
  if (pthread_create(&t, NULL, run, s) == 0) {
    pthread_detach(t);
    return;
  }
  session_free(s);
  MHD_upgrade_action(urh, MHD_UPGRADE_ACTION_CLOSE);
}

/* Returns the 101 response streaming the answer. */
struct MHD_Response *sim_http_ws_response(sim_exec_answer *answer, const char *key, atomic_int *sessions) {
  char accept[29];
  session *s = calloc(1, sizeof *s);
  if (!s) {
    free(answer->out), free(answer->err), free(answer->status), free(answer);
    return NULL;
  }
  s->a = answer, s->sessions = sessions;
  struct MHD_Response *m = sim_ws_accept(key, accept) ? MHD_create_response_for_upgrade(upgraded, s) : NULL;
  if (!m) return session_free(s), NULL;
  MHD_add_response_header(m, "Upgrade", "websocket");
  MHD_add_response_header(m, "Sec-WebSocket-Accept", accept);
  MHD_add_response_header(m, "Sec-WebSocket-Protocol", answer->protocol);
  return m;
}
