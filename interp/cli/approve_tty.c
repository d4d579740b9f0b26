/* approve_tty.c — approvals asked on the terminal (see approve_tty.h). */
#include "approve_tty.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <termios.h>
#include <unistd.h>

#include "out.h"
#include "valbuf.h"
#include "value.h"

typedef struct question {
  uint64_t id;
  char *text, *role;
  int64_t deadline; /* clock ms, -1 without timeout */
  approve_done_fn done;
  void *user;
  struct question *next;
} question;

typedef struct {
  rbk_approver iface;
  int fd;
  const char *who;
  rbk_clock *clock;
  approve_draw_fn draw;
  void *draw_user;
  question *queue;      /* the head is being asked */
  uint64_t next_id;
  char input[64];
  size_t ninput;
  struct termios saved; /* the terminal's mode before the first question */
  bool raw;             /* the terminal is in our mode */
  char *shown;          /* the prompt last drawn */
  int lines;            /* the terminal lines it took, less one (the cursor is on its last) */
} tty_approver;

/* Puts the terminal in non-canonical, no-echo mode (once). */
static void enter_raw(tty_approver *a) {
  if (a->raw || tcgetattr(a->fd, &a->saved) != 0) return;
  struct termios t = a->saved;
  t.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
  t.c_cc[VMIN] = 0;
  t.c_cc[VTIME] = 0;
  a->raw = tcsetattr(a->fd, TCSANOW, &t) == 0;
}

/* Restores the terminal's mode. */
static void leave_raw(tty_approver *a) {
  if (a->raw) tcsetattr(a->fd, TCSANOW, &a->saved);
  a->raw = false;
}

/* Writes s to the terminal, ignoring errors. */
static void tty_write(tty_approver *a, const char *s) {
  size_t len = strlen(s);
  while (len) {
    ssize_t n = write(a->fd, s, len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    s += n;
    len -= (size_t)n;
  }
}

/* Shows line (NULL: clears the prompt) through draw or on the terminal, wrapped to its width
 * (out_wrap) so that the answer choices are always on screen. */
static void show(tty_approver *a, const char *line) {
  if (a->draw) {
    a->draw(a->draw_user, line);
    return;
  }
  char up[32] = "";
  if (a->lines > 0) snprintf(up, sizeof up, "\033[%dA", a->lines);
  tty_write(a, up);
  tty_write(a, "\r\033[J");
  a->lines = 0;
  char *wrapped = line ? out_wrap(line, out_term_width(a->fd) - 1) : NULL;
  for (char *p = wrapped, *nl; p; p = nl ? nl + 1 : NULL) {
    if ((nl = strchr(p, '\n'))) *nl = '\0';
    tty_write(a, p);
    if (nl) tty_write(a, "\r\n"), a->lines++;
  }
  free(wrapped);
}

/* Returns the prompt for the head question at now (caller frees). */
static char *prompt_text(const tty_approver *a, int64_t now) {
  const question *q = a->queue;
  valbuf b = {0};
  valbuf_printf(&b, "approve \"%s\"", q->text);
  char *left = q->deadline >= 0 ? value_format_duration((q->deadline - now + 999) / 1000 * 1000) : NULL;
  if (q->role || left) {
    valbuf_printf(&b, " (%s%s%s%s%s)", q->role ? "from " : "", q->role ? q->role : "", q->role && left ? ", " : "",
                  left ? left : "", left ? " left" : "");
  }
  free(left);
  valbuf_puts(&b, " [y/N] ");
  valbuf_put(&b, a->input, a->ninput);
  return valbuf_take(&b, NULL);
}

/* Redraws the prompt when its text changed. */
static void redraw(tty_approver *a, int64_t now) {
  char *p = a->queue ? prompt_text(a, now) : NULL;
  if ((p && a->shown && !strcmp(p, a->shown)) || (!p && !a->shown)) {
    free(p);
    return;
  }
  show(a, p);
  free(a->shown);
  a->shown = p;
}

/* Removes the head question: the next one is asked, or the terminal is restored. */
static void pop_head(tty_approver *a) {
  question *q = a->queue;
  a->queue = q->next;
  free(q->text);
  free(q->role);
  free(q);
  a->ninput = 0;
  if (!a->queue) {
    show(a, NULL);
    free(a->shown);
    a->shown = NULL;
    leave_raw(a);
  }
}

/* Returns true when the typed answer is yes. */
static bool is_yes(const char *s, size_t n) {
  while (n && isspace((unsigned char)s[n - 1])) n--;
  while (n && isspace((unsigned char)*s)) s++, n--;
  return (n == 1 && tolower((unsigned char)s[0]) == 'y') || (n == 3 && !strncasecmp(s, "yes", 3));
}

/* Answers the head question with what was typed. */
static void answer(tty_approver *a) {
  question *q = a->queue;
  bool yes = is_yes(a->input, a->ninput);
  if (!a->draw) tty_write(a, yes ? "\r\n" : "  → denied\r\n");
  a->lines = 0; /* the answered prompt stays on screen */
  free(a->shown);
  a->shown = NULL;
  approve_done_fn done = q->done;
  void *user = q->user;
  pop_head(a);
  done(user, yes, a->who, "tty");
}

/* Takes one typed byte. */
static void take_byte(tty_approver *a, unsigned char c) {
  if (c == '\r' || c == '\n') {
    answer(a);
  } else if (c == 0x7f || c == 0x08) {
    if (a->ninput) a->ninput--;
  } else if (c == 0x15) {
    a->ninput = 0;
  } else if (c >= 0x20 && a->ninput < sizeof a->input) {
    a->input[a->ninput++] = (char)c;
  }
}

/* rbk_approver.poll: reads what was typed and redraws the prompt. */
static void tty_poll(void *self, int64_t now) {
  tty_approver *a = self;
  unsigned char buf[64];
  ssize_t n;
  while (a->queue && (n = read(a->fd, buf, sizeof buf)) > 0)
    for (ssize_t i = 0; i < n && a->queue; i++) take_byte(a, buf[i]);
  redraw(a, now);
}

/* rbk_approver.ask: queues a question; returns its id. */
static uint64_t tty_ask(void *self, const rbk_approval_req *req, approve_done_fn done, void *user) {
  tty_approver *a = self;
  question *q = calloc(1, sizeof *q);
  if (!q || !(q->text = strdup(req->question ? req->question : ""))) {
    free(q);
    done(user, false, a->who, "tty (out of memory)");
    return ++a->next_id;
  }
  q->role = req->role ? strdup(req->role) : NULL;
  q->id = ++a->next_id;
  q->deadline = req->timeout_ms >= 0 ? clock_now(a->clock) + req->timeout_ms : -1;
  q->done = done;
  q->user = user;
  question **tail = &a->queue;
  while (*tail) tail = &(*tail)->next;
  *tail = q;
  enter_raw(a);
  redraw(a, clock_now(a->clock));
  return q->id;
}

/* rbk_approver.cancel: withdraws a question. */
static void tty_cancel(void *self, uint64_t id) {
  tty_approver *a = self;
  if (a->queue && a->queue->id == id) {
    pop_head(a);
    redraw(a, clock_now(a->clock));
    return;
  }
  for (question **p = &a->queue; *p; p = &(*p)->next) {
    if ((*p)->id != id) continue;
    question *q = *p;
    *p = q->next;
    free(q->text);
    free(q->role);
    free(q);
    return;
  }
}

/* Returns an approver on the terminal (see approve_tty.h). */
rbk_approver *approve_tty_new(const char *tty, const char *who, rbk_clock *clock, approve_draw_fn draw,
                              void *draw_user, char **err) {
  int fd = open(tty, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0 || !isatty(fd)) {
    size_t n = strlen(tty) + 64;
    if ((*err = malloc(n))) snprintf(*err, n, "%s is not a terminal: approvals need --yes or --approve", tty);
    if (fd >= 0) close(fd);
    return NULL;
  }
  tty_approver *a = calloc(1, sizeof *a);
  if (!a) {
    close(fd);
    *err = strdup("out of memory");
    return NULL;
  }
  *a = (tty_approver){.iface = {a, tty_ask, tty_cancel, tty_poll}, .fd = fd, .who = who ? who : "unknown",
                      .clock = clock, .draw = draw, .draw_user = draw_user};
  return &a->iface;
}

/* Frees the approver and restores the terminal. */
void approve_tty_free(rbk_approver *iface) {
  if (!iface) return;
  tty_approver *a = iface->self;
  while (a->queue) pop_head(a);
  leave_raw(a);
  free(a->shown);
  close(a->fd);
  free(a);
}
