/* out_live.c — the live progress view on a terminal (see out.h). */
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "out.h"
#include "grow.h"
#include "valbuf.h"
#include "value.h"

#define REDRAW_MS 100

typedef struct {
  rbk_event_kind kind; /* STEP_START, ACTION_START, WAIT, GATE or APPROVAL */
  char *match;         /* what the end event carries: key, else node|step */
  char *label;
  char *step;          /* the enclosing step path ("" outside steps) */
  int depth;
  int retries;          /* gates and steps: attempts that failed and will be tried again */
  int64_t start, limit; /* clock ms; limit: when it times out, -1 unknown */
} live_item;

struct out_live {
  FILE *f;
  bool color;
  rbk_clock *clock;
  char *title;
  int64_t base, deadline; /* clock ms at t_ms 0; the deadline's length (-1: none) */
  live_item *items;
  size_t nitems, cap;
  int done_steps, warnings;
  char *prompt;
  int drawn;              /* lines of the running part on screen */
  bool shown, dirty;
  bool finished;          /* run_end came: the summary line is the last word */
  int64_t last_draw;      /* real ms of the last redraw */
};

/* Returns the real monotonic time in ms (for redraw pacing, whatever the run's clock). */
static int64_t real_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Returns a live view (see out.h). */
out_live *out_live_new(FILE *f, bool color, rbk_clock *clock) {
  out_live *v = calloc(1, sizeof *v);
  if (v) *v = (out_live){.f = f, .color = color, .clock = clock, .deadline = -1, .last_draw = -REDRAW_MS};
  return v;
}

/* Returns the terminal's size in *w, *h (width: out_term_width; height 24 when unknown). */
static void term_size(const out_live *v, int *w, int *h) {
  struct winsize ws;
  bool ok = ioctl(fileno(v->f), TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0;
  *w = out_term_width(fileno(v->f));
  *h = ok ? ws.ws_row : 24;
}

/* Returns the matching text of an event: its key, else node|step. Caller frees. */
static char *match_of(const rbk_event *ev) {
  if (ev->key) return strdup(ev->key);
  valbuf b = {0};
  valbuf_printf(&b, "%d|%s|%s", ev->kind, ev->node ? ev->node : "", ev->step ? ev->step : "");
  return valbuf_take(&b, NULL);
}

/* Returns the label of a running item (caller frees). */
static char *label_of(const rbk_event *ev) {
  valbuf b = {0};
  const char *m = ev->message ? ev->message : "";
  switch (ev->kind) {
    case RBK_EV_STEP_START: valbuf_printf(&b, "▶ step \"%s\"", ev->step ? ev->step : m); break;
    case RBK_EV_ACTION_START:
      valbuf_printf(&b, "→ %s %s%s", ev->action ? ev->action : "", ev->target ? ev->target : "", ev->mutating ? " ✎" : "");
      break;
    case RBK_EV_WAIT: valbuf_printf(&b, "… wait %s", m); break;
    case RBK_EV_GATE: valbuf_printf(&b, "▶ gate %s", m); break;
    default: valbuf_printf(&b, "? approve \"%s\"%s%s", m, ev->target ? " from " : "", ev->target ? ev->target : ""); break;
  }
  return valbuf_take(&b, NULL);
}

/* Starts tracking a running item. */
static void item_add(out_live *v, const rbk_event *ev) {
  if (!GROW(v->items, v->cap, v->nitems + 1)) return;
  int64_t now = clock_now(v->clock);
  bool timed = ev->kind != RBK_EV_STEP_START && ev->kind != RBK_EV_ACTION_START && ev->duration_ms >= 0;
  bool until = ev->kind == RBK_EV_WAIT && ev->message && !strncmp(ev->message, "until", 5);
  v->items[v->nitems++] = (live_item){ev->kind, match_of(ev), label_of(ev), strdup(ev->step ? ev->step : ""),
                                      out_text_depth(ev->step) - (ev->kind == RBK_EV_STEP_START), 0, now,
                                      timed && !(until && ev->duration_ms == 0) ? now + ev->duration_ms : -1};
}

/* Stops tracking item i. */
static void item_drop(out_live *v, size_t i) {
  free(v->items[i].match);
  free(v->items[i].label);
  free(v->items[i].step);
  memmove(v->items + i, v->items + i + 1, (v->nitems - i - 1) * sizeof *v->items);
  v->nitems--;
}

/* Returns true when item it lies inside the step `path` (or is that step's own wait). */
static bool inside(const live_item *it, const char *path) {
  size_t n = strlen(path);
  return it->kind != RBK_EV_STEP_START && !strncmp(it->step, path, n) && (!it->step[n] || !strncmp(it->step + n, " › ", 5));
}

/* Drops plain waits that are over (the engine emits no event when `wait D` ends) and, when a
 * step ends, whatever was left open inside it. */
static void drop_stale(out_live *v, const char *ended_step, int64_t now) {
  for (size_t i = v->nitems; i-- > 0;) {
    const live_item *it = &v->items[i];
    bool over = it->kind == RBK_EV_WAIT && it->limit >= 0 && it->limit <= now && strncmp(it->label, "… wait until", strlen("… wait until"));
    if (over || (ended_step && inside(it, ended_step))) item_drop(v, i);
  }
}

/* Stops tracking the item that ev ends. */
static void item_end(out_live *v, const rbk_event *ev) {
  rbk_event_kind kind = ev->kind == RBK_EV_STEP_END ? RBK_EV_STEP_START : ev->kind == RBK_EV_ACTION_END ? RBK_EV_ACTION_START : ev->kind;
  char *m = match_of(&(rbk_event){.kind = kind, .key = ev->key, .node = ev->node, .step = ev->step});
  for (size_t i = v->nitems; m && i-- > 0;) {
    if (v->items[i].kind != kind || strcmp(v->items[i].match, m)) continue;
    item_drop(v, i);
    break;
  }
  free(m);
}

/* Counts a retrying assert on the innermost open gate or step it belongs to (same step path). */
static void item_retry(out_live *v, const rbk_event *ev) {
  const char *step = ev->step ? ev->step : "";
  for (size_t i = v->nitems; i-- > 0;) {
    live_item *it = &v->items[i];
    if ((it->kind != RBK_EV_GATE && it->kind != RBK_EV_STEP_START) || strcmp(it->step, step)) continue;
    it->retries++;
    return;
  }
}

/* Removes the running part from the screen. */
static void clear_area(out_live *v) {
  if (!v->shown) return;
  fputs("\r", v->f);
  if (v->drawn > 0) fprintf(v->f, "\033[%dA", v->drawn);
  fputs("\033[J", v->f);
  v->drawn = 0;
  v->shown = false;
}

/* Writes s cut to `width` columns (ANSI sequences take none; each UTF-8 character one). */
static void put_cut(FILE *f, const char *s, int width) {
  int cols = 0;
  for (const char *p = s; *p; p++) {
    if (*p == '\033') {
      const char *end = strchr(p, 'm');
      if (!end) break;
      fwrite(p, 1, (size_t)(end - p + 1), f);
      p = end;
      continue;
    }
    if (*p == '\n') break;
    if (((unsigned char)*p & 0xc0) != 0x80 && ++cols > width) break;
    fputc(*p, f);
  }
}

/* Appends the header: title, elapsed against the deadline, steps done, warnings. */
static void put_header(out_live *v, valbuf *b, int64_t now) {
  int64_t elapsed = now - v->base;
  char *el = value_format_duration(elapsed / 1000 * 1000);
  valbuf_printf(b, "%s● %s · %s", v->color ? "\033[1;36m" : "", v->title ? v->title : "run", el ? el : "");
  free(el);
  if (v->deadline > 0) {
    char *dl = value_format_duration(v->deadline);
    int64_t left = v->deadline - elapsed;
    char *lt = value_format_duration((left < 0 ? -left : left) / 1000 * 1000);
    valbuf_printf(b, " of %s (%s%s%s)", dl ? dl : "", left < 0 && v->color ? "\033[31m" : "", lt ? lt : "",
                  left < 0 ? " over" : " left");
    free(dl), free(lt);
  }
  valbuf_printf(b, " · %d step%s done", v->done_steps, v->done_steps == 1 ? "" : "s");
  if (v->warnings) valbuf_printf(b, " · %d warning%s", v->warnings, v->warnings == 1 ? "" : "s");
  if (v->color) valbuf_puts(b, "\033[0m");
}

/* Appends one running item, its failed attempts that will be retried, and its age or countdown. */
static void put_item(const out_live *v, valbuf *b, const live_item *it, int64_t now) {
  valbuf_printf(b, "%*s%s", 2 * (it->depth > 0 ? it->depth : 0), "", it->label);
  if (it->retries) valbuf_printf(b, "  ↻ %d failed, retrying", it->retries);
  bool countdown = it->limit >= 0;
  int64_t ms = countdown ? it->limit - now : now - it->start;
  char *d = value_format_duration((ms < 0 ? 0 : ms + (countdown ? 999 : 0)) / 1000 * 1000);
  valbuf_printf(b, "  %s%s%s%s", v->color ? "\033[2m" : "", d ? d : "", countdown ? " left" : "", v->color ? "\033[0m" : "");
  free(d);
}

/* Draws the running part and the prompt. */
static void draw_area(out_live *v) {
  int width, height;
  term_size(v, &width, &height);
  int64_t now = clock_now(v->clock);
  clear_area(v);
  drop_stale(v, NULL, now);
  valbuf b = {0};
  put_header(v, &b, now);
  char *line = valbuf_take(&b, NULL);
  if (line) put_cut(v->f, line, width - 1), fputc('\n', v->f), v->drawn++;
  free(line);
  size_t room = height > 6 ? (size_t)height - 4 : 2;
  for (size_t i = 0; i < v->nitems; i++) {
    if (v->prompt && v->items[i].kind == RBK_EV_APPROVAL) continue; /* the prompt shows it */
    if (i == room && v->nitems > room + 1) {
      fprintf(v->f, "  … and %zu more\n", v->nitems - room);
      v->drawn++;
      break;
    }
    put_item(v, &b, &v->items[i], now);
    line = valbuf_take(&b, NULL);
    if (line) put_cut(v->f, line, width - 1), fputc('\n', v->f), v->drawn++;
    free(line);
  }
  char *prompt = v->prompt ? out_wrap(v->prompt, width - 1) : NULL;
  if (prompt) { /* wrapped, never cut: its answer choices stay on screen */
    fputs(prompt, v->f);
    for (const char *p = prompt; *p; p++) v->drawn += *p == '\n';
  }
  free(prompt);
  v->shown = true;
  v->dirty = false;
  v->last_draw = real_ms();
  fflush(v->f);
}

/* Redraws when due. */
static void out_live_tick(out_live *v) {
  if (!v->finished && real_ms() - v->last_draw >= REDRAW_MS) draw_area(v);
}

/* Prints a finished event's line above the running part (a poll's repeats thinned out). */
static void put_log_line(out_live *v, const rbk_event *ev) {
  char *text = out_text_shown(ev) ? out_text_event(ev, v->color) : NULL;
  if (!text) return;
  clear_area(v);
  char ts[24];
  int depth = out_text_depth(ev->step) - (ev->kind == RBK_EV_STEP_START || ev->kind == RBK_EV_STEP_END);
  fprintf(v->f, "%s[%s]%s %*s%s\n", v->color ? "\033[2m" : "", out_text_clock(ev->t_ms, ts, sizeof ts),
          v->color ? "\033[0m" : "", 2 * (depth > 0 ? depth : 0), "", text);
  if (ev->kind == RBK_EV_RUN_END && v->warnings) fprintf(v->f, "  (%d warning%s)\n", v->warnings, v->warnings == 1 ? "" : "s");
  free(text);
  v->dirty = true;
}

/* Notes what ev starts or ends. */
static void track(out_live *v, const rbk_event *ev) {
  switch (ev->kind) {
    case RBK_EV_RUN_START:
      free(v->title);
      v->title = ev->message ? strdup(ev->message) : NULL;
      v->base = clock_now(v->clock) - ev->t_ms;
      v->deadline = ev->duration_ms;
      break;
    case RBK_EV_STEP_START:
    case RBK_EV_ACTION_START: item_add(v, ev); break;
    case RBK_EV_STEP_END:
      if (ev->status == RBK_STATUS_OK || ev->status == RBK_STATUS_SKIPPED) v->done_steps++;
      item_end(v, ev);
      drop_stale(v, ev->step ? ev->step : "", clock_now(v->clock));
      break;
    case RBK_EV_WAIT:
    case RBK_EV_GATE:
    case RBK_EV_APPROVAL:
      if (ev->status == RBK_STATUS_NONE) item_add(v, ev);
      else item_end(v, ev);
      break;
    case RBK_EV_ACTION_END: item_end(v, ev); break;
    case RBK_EV_ASSERT:
      if (ev->status == RBK_STATUS_RETRYING) item_retry(v, ev);
      break;
    case RBK_EV_WARNING: v->warnings++; break;
    default: break;
  }
}

/* rbk_sink.emit: logs the event and updates the running part. */
static int live_emit(void *user, const rbk_event *ev, char **err) {
  out_live *v = user;
  (void)err;
  track(v, ev);
  v->finished = ev->kind == RBK_EV_RUN_END;
  put_log_line(v, ev);
  out_live_tick(v);
  fflush(v->f);
  return 0;
}

/* Returns the live view's sink. */
rbk_sink out_live_sink(out_live *v) { return (rbk_sink){v, live_emit, NULL}; }

/* Shows the prompt line and redraws now. */
void out_live_prompt(out_live *v, const char *line) {
  free(v->prompt);
  v->prompt = line ? strdup(line) : NULL;
  draw_area(v);
}

/* Clears the running part. */
void out_live_finish(out_live *v) {
  clear_area(v);
  fflush(v->f);
}

/* Frees the view. */
void out_live_free(out_live *v) {
  if (!v) return;
  out_live_finish(v);
  while (v->nitems) item_drop(v, v->nitems - 1);
  free(v->items);
  free(v->title);
  free(v->prompt);
  free(v);
}

/* The actions wrapper that keeps the view moving. */
typedef struct {
  rbk_actions iface;
  rbk_actions *inner;
  out_live *view;
} live_actions;

/* Forwarders to the inner actions. */
static rbk_value *la_construct(void *self, const sig_info *sig, rbk_value *recv, rbk_value *const *args, char **err) {
  rbk_actions *in = ((live_actions *)self)->inner;
  return in->construct(in->self, sig, recv, args, err);
}
static char *la_describe(void *self, const rbk_action_req *req) {
  rbk_actions *in = ((live_actions *)self)->inner;
  return in->describe(in->self, req);
}
static uint64_t la_start(void *self, const rbk_action_req *req, act_done_fn done, void *user, char **err) {
  rbk_actions *in = ((live_actions *)self)->inner;
  return in->start(in->self, req, done, user, err);
}
static uint64_t la_notify(void *self, rbk_value *ch, const char *text, int64_t now, act_done_fn done, void *user,
                          char **err) {
  rbk_actions *in = ((live_actions *)self)->inner;
  return in->notify(in->self, ch, text, now, done, user, err);
}
static void la_cancel(void *self, uint64_t op) {
  rbk_actions *in = ((live_actions *)self)->inner;
  in->cancel(in->self, op);
}
static int64_t la_next_event(void *self, int64_t now) {
  rbk_actions *in = ((live_actions *)self)->inner;
  return in->next_event(in->self, now);
}

/* Polls the inner actions for at most REDRAW_MS, redrawing the view first. */
static void la_poll(void *self, int64_t now, int64_t max_wait) {
  live_actions *la = self;
  out_live_tick(la->view);
  la->inner->poll(la->inner->self, now, max_wait > REDRAW_MS ? REDRAW_MS : max_wait);
}

/* Frees the wrapper only. */
static void la_free(void *self) { free(self); }

/* Returns the wrapping actions (see out.h). */
rbk_actions *out_live_wrap_actions(rbk_actions *inner, out_live *v) {
  live_actions *la = calloc(1, sizeof *la);
  if (!la) return NULL;
  la->iface = (rbk_actions){la, la_construct, la_describe, la_start, la_notify, la_cancel, la_next_event, la_poll, la_free};
  la->inner = inner;
  la->view = v;
  return &la->iface;
}
