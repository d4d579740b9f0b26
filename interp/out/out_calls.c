/* out_calls.c — the action call log: every call appended to a file as it starts (see out.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "out.h"
#include "grow.h"
#include "valbuf.h"

typedef struct {
  rbk_actions iface;
  rbk_actions *inner;
  int fd;
  int64_t now;            /* the latest clock reading seen */
  struct call { uint64_t op; char *what; } *ops; /* started operations, for cancel lines */
  size_t nops, cap;
} call_log;

/* Appends one line "T_MS VERB WHAT" with one write(). */
static void log_line(call_log *c, const char *verb, const char *what) {
  valbuf b = {0};
  valbuf_printf(&b, "%lld %s ", (long long)c->now, verb);
  for (const char *p = what ? what : ""; *p; p++) valbuf_puts(&b, *p == '\n' ? "\\n" : (char[]){*p, 0});
  valbuf_puts(&b, "\n");
  size_t len = 0;
  char *s = valbuf_take(&b, &len);
  if (s && write(c->fd, s, len) < 0) errno = 0;
  free(s);
}

/* Remembers op's description for its cancel line. */
static void remember(call_log *c, uint64_t op, const char *what) {
  if (!GROW(c->ops, c->cap, c->nops + 1)) return;
  char *w = strdup(what ? what : "");
  if (w) c->ops[c->nops++] = (struct call){op, w};
}

static rbk_value *cl_construct(void *self, const sig_info *sig, rbk_value *recv, rbk_value *const *args, char **err) {
  rbk_actions *in = ((call_log *)self)->inner;
  return in->construct(in->self, sig, recv, args, err);
}

static char *cl_describe(void *self, const rbk_action_req *req) {
  rbk_actions *in = ((call_log *)self)->inner;
  return in->describe(in->self, req);
}

/* Starts the call and logs it as "start" or "recheck". */
static uint64_t cl_start(void *self, const rbk_action_req *req, act_done_fn done, void *user, char **err) {
  call_log *c = self;
  c->now = req->now_ms;
  char *target = c->inner->describe(c->inner->self, req);
  valbuf b = {0};
  valbuf_printf(&b, "%s %s", req->sig->name, target ? target : "");
  free(target);
  char *what = valbuf_take(&b, NULL);
  log_line(c, req->recheck ? "recheck" : "start", what);
  uint64_t op = c->inner->start(c->inner->self, req, done, user, err);
  if (op) remember(c, op, what);
  free(what);
  return op;
}

/* Sends a notification and logs it. */
static uint64_t cl_notify(void *self, rbk_value *ch, const char *text, int64_t now, act_done_fn done, void *user,
                          char **err) {
  call_log *c = self;
  c->now = now;
  log_line(c, "notify", text);
  return c->inner->notify(c->inner->self, ch, text, now, done, user, err);
}

/* Cancels an operation and logs it. */
static void cl_cancel(void *self, uint64_t op) {
  call_log *c = self;
  for (size_t i = 0; i < c->nops; i++)
    if (c->ops[i].op == op) log_line(c, "cancel", c->ops[i].what);
  c->inner->cancel(c->inner->self, op);
}

static int64_t cl_next_event(void *self, int64_t now) {
  rbk_actions *in = ((call_log *)self)->inner;
  return in->next_event(in->self, now);
}

static void cl_poll(void *self, int64_t now, int64_t max_wait) {
  call_log *c = self;
  c->now = now;
  c->inner->poll(c->inner->self, now, max_wait);
}

/* Frees the wrapper (not the inner actions). */
static void cl_free(void *self) {
  call_log *c = self;
  for (size_t i = 0; i < c->nops; i++) free(c->ops[i].what);
  free(c->ops);
  close(c->fd);
  free(c);
}

/* Returns the logging wrapper (see out.h). */
rbk_actions *out_calls_wrap(rbk_actions *inner, const char *path, char **err) {
  call_log *c = calloc(1, sizeof *c);
  int fd = c ? open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644) : -1;
  if (fd < 0) {
    const char *why = c ? strerror(errno) : "out of memory";
    size_t n = strlen(path) + strlen(why) + 32;
    if ((*err = malloc(n))) snprintf(*err, n, "cannot open call log %s: %s", path, why);
    free(c);
    return NULL;
  }
  c->iface = (rbk_actions){c, cl_construct, cl_describe, cl_start, cl_notify, cl_cancel, cl_next_event, cl_poll, cl_free};
  c->inner = inner;
  c->fd = fd;
  return &c->iface;
}
