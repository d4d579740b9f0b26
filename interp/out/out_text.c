/* out_text.c — events as timestamped text lines (see out.h; docs/run.md lists the forms). */
#include <stdlib.h>
#include <string.h>

#include "out.h"
#include "valbuf.h"
#include "value.h"

/* ANSI colours, once: X(name, escape). */
#define OUT_COLORS(X) X(OK, "\033[32m") X(BAD, "\033[31m") X(WARN, "\033[33m") X(RUN, "\033[36m") X(DIM, "\033[2m")

typedef enum {
#define X(k, esc) C_##k,
  OUT_COLORS(X)
#undef X
} sym_color;

static const char *const color_codes[] = {
#define X(k, esc) esc,
    OUT_COLORS(X)
#undef X
};

/* Appends sym in colour c (when color is on) and a space. */
static void put_sym(valbuf *b, bool color, sym_color c, const char *sym) {
  if (color) valbuf_printf(b, "%s%s\033[0m ", color_codes[c], sym);
  else valbuf_printf(b, "%s ", sym);
}

/* Appends a duration as people read it: "450ms", "12.3s", "1m23s". */
static void put_dur(valbuf *b, int64_t ms) {
  if (ms < 1000) {
    valbuf_printf(b, "%lldms", (long long)ms);
    return;
  }
  if (ms < 60000 && ms % 1000) {
    valbuf_printf(b, "%lld.%llds", (long long)(ms / 1000), (long long)(ms % 1000 / 100));
    return;
  }
  char *s = value_format_duration(ms / 1000 * 1000);
  valbuf_puts(b, s ? s : "?");
  free(s);
}

/* Appends " (DURATION)" in dim colour when the event has a duration. */
static void put_took(valbuf *b, bool color, const rbk_event *ev) {
  if (ev->duration_ms < 0) return;
  valbuf_puts(b, color ? " \033[2m(" : " (");
  put_dur(b, ev->duration_ms);
  valbuf_puts(b, color ? ")\033[0m" : ")");
}

/* Appends ": message" when there is one. */
static void put_msg(valbuf *b, const char *msg) {
  if (msg && *msg) valbuf_printf(b, ": %s", msg);
}

/* Appends the symbol for an ending status. */
static void put_end_sym(valbuf *b, bool color, rbk_status st) {
  if (st == RBK_STATUS_OK) put_sym(b, color, C_OK, "✓");
  else if (st == RBK_STATUS_FAILED) put_sym(b, color, C_BAD, "✗");
  else if (st == RBK_STATUS_SKIPPED) put_sym(b, color, C_DIM, "↷");
  else if (st == RBK_STATUS_RETRYING) put_sym(b, color, C_WARN, "↻");
  else put_sym(b, color, C_WARN, "⊘");
}

/* step_start / step_end. */
static void fmt_step(valbuf *b, bool color, const rbk_event *ev) {
  if (ev->kind == RBK_EV_STEP_START) {
    put_sym(b, color, C_RUN, "▶");
    valbuf_printf(b, "step \"%s\"", ev->step ? ev->step : "");
    return;
  }
  put_end_sym(b, color, ev->status);
  valbuf_printf(b, "step \"%s\"", ev->step ? ev->step : "");
  if (ev->status == RBK_STATUS_SKIPPED) {
    valbuf_printf(b, " skipped: %s", ev->message ? ev->message : "");
    return;
  }
  if (ev->status == RBK_STATUS_FAILED) valbuf_puts(b, " failed");
  if (ev->status == RBK_STATUS_CANCELLED) valbuf_puts(b, " cancelled");
  put_took(b, color, ev);
  if (ev->status != RBK_STATUS_OK) put_msg(b, ev->message);
}

/* action_start (mutating only) / action_end. */
static void fmt_action(valbuf *b, bool color, const rbk_event *ev) {
  if (ev->kind == RBK_EV_ACTION_START) put_sym(b, color, C_RUN, "→");
  else put_end_sym(b, color, ev->status);
  valbuf_printf(b, "%s %s%s", ev->action ? ev->action : "?", ev->target ? ev->target : "", ev->mutating ? " ✎" : "");
  if (ev->kind == RBK_EV_ACTION_START) return;
  if (ev->status == RBK_STATUS_FAILED) valbuf_puts(b, " failed");
  if (ev->status == RBK_STATUS_CANCELLED) valbuf_puts(b, " cancelled");
  put_took(b, color, ev);
  if (ev->status == RBK_STATUS_OK && ev->repeat >= 2) valbuf_printf(b, ", %d in a row", ev->repeat);
  if (ev->status != RBK_STATUS_OK) put_msg(b, ev->message);
}

/* approval start / end. */
static void fmt_approval(valbuf *b, bool color, const rbk_event *ev) {
  const char *q = ev->message ? ev->message : "";
  if (ev->status == RBK_STATUS_NONE) {
    put_sym(b, color, C_WARN, "?");
    valbuf_printf(b, "approve \"%s\"", q);
    if (ev->target) valbuf_printf(b, " from %s", ev->target);
    if (ev->duration_ms >= 0) valbuf_puts(b, " timeout "), put_dur(b, ev->duration_ms);
    return;
  }
  put_end_sym(b, color, ev->status);
  valbuf_printf(b, "%s \"%s\"", ev->status == RBK_STATUS_OK ? "approved" : ev->status == RBK_STATUS_FAILED ? "not approved" : "approval cancelled", q);
  if (ev->who) valbuf_printf(b, " by %s", ev->who);
  if (ev->how) valbuf_printf(b, " (%s)", ev->how);
}

/* gate / wait / assert: a start line, then the outcome with the engine's message; an assert that
 * failed in an attempt that will be tried again (retrying) ends "(will retry)". */
static void fmt_check(valbuf *b, bool color, const rbk_event *ev, const char *what) {
  const char *msg = ev->message ? ev->message : "";
  if (ev->status == RBK_STATUS_NONE) {
    put_sym(b, color, C_RUN, ev->kind == RBK_EV_WAIT ? "…" : "▶");
    valbuf_printf(b, "%s %s", what, msg);
    return;
  }
  put_end_sym(b, color, ev->status);
  bool retrying = ev->status == RBK_STATUS_RETRYING, failed = ev->status == RBK_STATUS_FAILED || retrying;
  bool own = failed && (!strncmp(msg, what, strlen(what)) || !strncmp(msg, "assertion", 9));
  if (own) valbuf_puts(b, msg);
  else valbuf_printf(b, "%s%s %s", what, failed ? " failed:" : ev->status == RBK_STATUS_CANCELLED ? " cancelled:" : "", msg);
  if (retrying) valbuf_puts(b, " (will retry)");
}

/* notify: the channel and the message, continuation lines indented. */
static void fmt_notify(valbuf *b, bool color, const rbk_event *ev) {
  put_sym(b, color, C_RUN, "✉");
  valbuf_printf(b, "notify %s:", ev->target ? ev->target : "");
  const char *m = ev->message ? ev->message : "";
  size_t len = strlen(m);
  while (len && (m[len - 1] == '\n' || m[len - 1] == ' ')) len--;
  valbuf_puts(b, memchr(m, '\n', len) ? "\n    " : " ");
  for (size_t i = 0; i < len; i++) {
    if (m[i] == '\n') valbuf_puts(b, "\n    ");
    else valbuf_put(b, m + i, 1);
  }
}

/* run_start / run_end. */
static void fmt_run(valbuf *b, bool color, const rbk_event *ev) {
  if (ev->kind == RBK_EV_RUN_START) {
    put_sym(b, color, C_RUN, "▶");
    valbuf_printf(b, "run \"%s\"", ev->message ? ev->message : "");
    if (ev->duration_ms > 0) valbuf_puts(b, " (deadline "), put_dur(b, ev->duration_ms), valbuf_puts(b, ")");
    return;
  }
  bool aborted = ev->exit_code == 3 || ev->status == RBK_STATUS_CANCELLED;
  put_end_sym(b, color, aborted ? RBK_STATUS_CANCELLED : ev->status);
  valbuf_puts(b, ev->status == RBK_STATUS_OK ? "run succeeded in " : aborted ? "run aborted after " : "run failed after ");
  put_dur(b, ev->duration_ms >= 0 ? ev->duration_ms : ev->t_ms);
  if (ev->status != RBK_STATUS_OK) put_msg(b, ev->message);
}

/* Returns the text of ev (see out.h). */
char *out_text_event(const rbk_event *ev, bool color) {
  valbuf b = {0};
  switch (ev->kind) {
    case RBK_EV_RUN_START:
    case RBK_EV_RUN_END: fmt_run(&b, color, ev); break;
    case RBK_EV_STEP_START:
    case RBK_EV_STEP_END: fmt_step(&b, color, ev); break;
    case RBK_EV_ACTION_START:
      if (!ev->mutating) return NULL;
      fmt_action(&b, color, ev);
      break;
    case RBK_EV_ACTION_END: fmt_action(&b, color, ev); break;
    case RBK_EV_GATE: fmt_check(&b, color, ev, "gate"); break;
    case RBK_EV_WAIT: fmt_check(&b, color, ev, "wait"); break;
    case RBK_EV_ASSERT: fmt_check(&b, color, ev, "assert"); break;
    case RBK_EV_APPROVAL: fmt_approval(&b, color, ev); break;
    case RBK_EV_WARNING:
      put_sym(&b, color, C_WARN, "!");
      valbuf_printf(&b, "warning: %s", ev->message ? ev->message : "");
      break;
    case RBK_EV_NOTIFY: fmt_notify(&b, color, ev); break;
    case RBK_EV_COUNT: return NULL;
  }
  return valbuf_take(&b, NULL);
}

/* Returns "HH:MM:SS.mmm" for ms. */
const char *out_text_clock(int64_t ms, char *buf, size_t size) {
  if (ms < 0) ms = 0;
  snprintf(buf, size, "%02lld:%02lld:%02lld.%03lld", (long long)(ms / 3600000), (long long)(ms / 60000 % 60),
           (long long)(ms / 1000 % 60), (long long)(ms % 1000));
  return buf;
}

/* Returns the nesting depth of a step path. */
int out_text_depth(const char *step) {
  if (!step || !*step) return 0;
  int d = 1;
  for (const char *p = strstr(step, " › "); p; p = strstr(p + 1, " › ")) d++;
  return d;
}

/* Returns true when the event gets a line (see out.h). */
bool out_text_shown(const rbk_event *ev) {
  int n = ev->repeat;
  if (n <= 3 || n == 5) return true;
  while (n % 10 == 0) n /= 10;
  return n == 1 || n == 2 || n == 5;
}

/* rbk_sink.emit: prints one timestamped line (plus a summary of warnings at the end). */
static int text_emit(void *user, const rbk_event *ev, char **err) {
  out_text *o = user;
  (void)err;
  if (ev->kind == RBK_EV_WARNING) o->warnings++;
  if (!out_text_shown(ev)) return 0;
  char *text = out_text_event(ev, o->color);
  if (!text) return 0;
  char ts[24];
  int depth = out_text_depth(ev->step) - (ev->kind == RBK_EV_STEP_START || ev->kind == RBK_EV_STEP_END);
  fprintf(o->f, "%s[%s]%s %*s%s", o->color ? "\033[2m" : "", out_text_clock(ev->t_ms, ts, sizeof ts),
          o->color ? "\033[0m" : "", 2 * (depth > 0 ? depth : 0), "", text);
  if (ev->kind == RBK_EV_RUN_END && o->warnings) fprintf(o->f, " (%d warning%s)", o->warnings, o->warnings == 1 ? "" : "s");
  fputc('\n', o->f);
  fflush(o->f);
  free(text);
  return 0;
}

/* Returns the text-lines sink. */
rbk_sink out_text_sink(out_text *o) { return (rbk_sink){o, text_emit, NULL}; }
