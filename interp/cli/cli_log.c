/* cli_log.c — `rbk log JOURNAL [--output text|json]`: prints a run's journal readably.
 *
 * Text: a header per attempt (run start or resume: when, who, where, plan revision), the events
 * as `rbk run` prints them (with the UTC time of day), then the outcome, the approvals and the
 * warnings. JSON: one object summarising the run (docs/run.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "events.h"
#include "out.h"
#include "resume.h"
#include "scrub.h"

static const char *const kind_names[] = {
#define X(k, name) name,
    RBK_EVENT_KINDS(X)
#undef X
};

/* Returns the kind of an event name, or RBK_EV_COUNT. */
static rbk_event_kind kind_of(const char *name) {
  if (name && !strcmp(name, "resume")) return RBK_EV_RUN_START;
  for (int k = 0; name && k < RBK_EV_COUNT; k++)
    if (!strcmp(kind_names[k], name)) return (rbk_event_kind)k;
  return RBK_EV_COUNT;
}

/* Returns the status of a status name (NONE when absent or unknown). */
static rbk_status status_of(const char *name) {
#define X(k, n) \
  if (name && !strcmp(name, n)) return RBK_STATUS_##k;
  RBK_STATUSES(X)
#undef X
  return RBK_STATUS_NONE;
}

/* Returns an integer field, or dflt. */
static int64_t int_of(const json_t *rec, const char *key, int64_t dflt) {
  json_t *v = json_object_get(rec, key);
  return json_is_integer(v) ? (int64_t)json_integer_value(v) : dflt;
}

/* Returns the event a record holds (its texts borrowed from the record). */
static rbk_event event_of(const json_t *rec) {
  return (rbk_event){.t_ms = int_of(rec, "t_ms", 0), .kind = kind_of(resume_str(rec, "event")),
                     .node = resume_str(rec, "node"), .step = resume_str(rec, "step"),
                     .action = resume_str(rec, "action"), .target = resume_str(rec, "target"),
                     .mutating = json_is_true(json_object_get(rec, "mutating")),
                     .status = status_of(resume_str(rec, "status")), .message = resume_str(rec, "message"),
                     .key = resume_str(rec, "key"), .duration_ms = int_of(rec, "duration_ms", -1),
                     .who = resume_str(rec, "who"), .how = resume_str(rec, "how"),
                     .repeat = (int)int_of(rec, "repeat", 0), .exit_code = (int)int_of(rec, "exit_code", 0)};
}

/* Returns a field's text or a dash. */
static const char *or_dash(const json_t *rec, const char *key) {
  const char *s = resume_str(rec, key);
  return s ? s : "-";
}

/* Prints the header of an attempt (a run_start or resume record). */
static void print_attempt(const json_t *rec, int n) {
  bool resume = !strcmp(or_dash(rec, "event"), "resume");
  printf("%s── attempt %d: %s %s by %s on %s", n > 1 ? "\n" : "", n, resume ? "resumed" : "started", or_dash(rec, "time"),
         or_dash(rec, "operator"), or_dash(rec, "host"));
  if (resume_str(rec, "git_revision")) printf(", git %.12s", resume_str(rec, "git_revision"));
  if (resume) {
    printf(", %lld completed steps skipped, %zu actions re-checked", (long long)int_of(rec, "skipping", 0),
           json_array_size(json_object_get(rec, "rechecking")));
  }
  printf(" ──\n");
}

/* Prints one record as a timeline line. */
static void print_line(const json_t *rec) {
  rbk_event ev = event_of(rec);
  if (ev.kind == RBK_EV_COUNT) return;
  char *text = out_text_event(&ev, false);
  if (!text && ev.kind == RBK_EV_ACTION_START) return;
  const char *time = resume_str(rec, "time");
  int depth = out_text_depth(ev.step) - (ev.kind == RBK_EV_STEP_START || ev.kind == RBK_EV_STEP_END);
  printf("[%.12s] %*s%s\n", time && strlen(time) > 11 ? time + 11 : "--:--:--.---", 2 * (depth > 0 ? depth : 0), "",
         text ? text : "");
  free(text);
}

/* Prints the outcome, approvals and warnings after the timeline. */
static void print_summary(const journal_state *s) {
  size_t i;
  json_t *rec;
  printf("\noutcome: ");
  if (!s->end) printf("interrupted (no run_end: the process stopped; rbk resume continues it)\n");
  else printf("%s, exit %lld%s%s\n", or_dash(s->end, "status"), (long long)int_of(s->end, "exit_code", -1),
              resume_str(s->end, "message") ? ": " : "", resume_str(s->end, "message") ? resume_str(s->end, "message") : "");
  json_array_foreach(s->records, i, rec) {
    if (strcmp(or_dash(rec, "event"), "approval") || !resume_str(rec, "status")) continue;
    printf("approval: \"%s\" %s by %s (%s) at %s\n", or_dash(rec, "message"),
           !strcmp(or_dash(rec, "status"), "ok") ? "granted" : "not granted", or_dash(rec, "who"), or_dash(rec, "how"),
           or_dash(rec, "time"));
  }
  json_array_foreach(s->records, i, rec) if (!strcmp(or_dash(rec, "event"), "warning"))
      printf("warning: %s\n", or_dash(rec, "message"));
  if (s->truncated) printf("note: the last record was incomplete and is not shown\n");
}

/* Prints the journal as a timeline. */
static void print_text(const journal_state *s) {
  printf("run %s · plan %s · %s\n", or_dash(s->start, "run_id"), or_dash(s->start, "plan"), or_dash(s->start, "plan_hash"));
  int attempt = 0;
  size_t i;
  json_t *rec;
  json_array_foreach(s->records, i, rec) {
    const char *ev = or_dash(rec, "event");
    if (!strcmp(ev, "run_start") || !strcmp(ev, "resume")) print_attempt(rec, ++attempt);
    print_line(rec);
  }
  print_summary(s);
}

/* Returns a copy of rec with only the named keys (present ones). */
static json_t *pick(const json_t *rec, const char *const *keys) {
  json_t *o = json_object();
  for (size_t i = 0; keys[i]; i++) {
    json_t *v = json_object_get(rec, keys[i]);
    if (v) json_object_set(o, keys[i], v);
  }
  return o;
}

/* Appends to the list under `name` of sum the picked fields of every record of event `ev` with a
 * status (or every one when any_status). */
static void collect(json_t *sum, const journal_state *s, const char *name, const char *ev, bool any_status,
                    const char *const *keys) {
  json_t *list = json_array();
  size_t i;
  json_t *rec;
  json_array_foreach(s->records, i, rec) {
    if (!strcmp(or_dash(rec, "event"), ev) && (any_status || resume_str(rec, "status")))
      json_array_append_new(list, pick(rec, keys));
  }
  json_object_set_new(sum, name, list);
}

/* Prints the journal as one JSON summary object. */
static void print_json(const journal_state *s) {
  static const char *const head[] = {"run_id", "plan", "plan_hash", NULL};
  static const char *const attempt[] = {"event", "time", "operator", "host", "git_revision", NULL};
  static const char *const end[] = {"status", "exit_code", "message", "time", "duration_ms", NULL};
  static const char *const step[] = {"step", "status", "duration_ms", "time", "message", NULL};
  static const char *const appr[] = {"message", "status", "who", "how", "time", NULL};
  static const char *const warn[] = {"message", "step", "time", NULL};
  json_t *sum = pick(s->start, head);
  json_t *attempts = json_array();
  size_t i;
  json_t *rec;
  json_array_foreach(s->records, i, rec) {
    const char *ev = or_dash(rec, "event");
    if (!strcmp(ev, "run_start") || !strcmp(ev, "resume")) json_array_append_new(attempts, pick(rec, attempt));
  }
  json_object_set_new(sum, "attempts", attempts);
  json_object_set_new(sum, "outcome", s->end ? pick(s->end, end) : json_null());
  collect(sum, s, "steps", "step_end", false, step);
  collect(sum, s, "approvals", "approval", false, appr);
  collect(sum, s, "warnings", "warning", true, warn);
  json_object_set_new(sum, "records", json_integer((json_int_t)json_array_size(s->records)));
  json_dumpf(sum, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
  putchar('\n');
  json_decref(sum);
}

/* The options, once: X(ID, long name, short name, value, help). */
#define LOG_OPTS(X) X(LOG_OUTPUT, "output", 0, "text|json", "a timeline (default) or one JSON object summarising the run")

enum { LOG_OPTS(CLI_OPTS_ENUM) };
static const cli_opt log_opts[] = {LOG_OPTS(CLI_OPTS_ROW)};

const cli_opts_spec cli_log_spec = {
    .name = "log",
    .operands = "JOURNAL",
    .about = "Prints a run's journal: the timeline of every attempt, the outcome, who approved what,\n"
             "and the warnings.",
    .footer = "Exit 0, or 2 for a usage error or a file that is not a readable journal.",
    .opts = log_opts,
    .nopts = sizeof log_opts / sizeof *log_opts,
};

/* The command line: the journal and the output. */
typedef struct {
  const char *file;
  bool json;
} log_args;

/* Takes --output or the journal (cli_opts_take); returns CLI_GO_ON or the usage exit code. */
static int take_arg(void *ctx, int id, const char *v) {
  log_args *a = ctx;
  if (id == CLI_OPERAND) {
    if (a->file) return cli_usage_error("log takes one journal; extra argument", v);
    a->file = v;
  } else if (id == LOG_OUTPUT) {
    if (strcmp(v, "text") && strcmp(v, "json")) return cli_usage_error("--output must be text or json, not", v);
    a->json = !strcmp(v, "json");
  }
  return CLI_GO_ON;
}

/* Parses the arguments into *a; returns CLI_GO_ON, else an exit code. */
static int parse_log_args(int argc, char **argv, log_args *a) {
  int code = cli_opts_parse(&cli_log_spec, argc, argv, take_arg, a);
  if (code != CLI_GO_ON || a->file) return code;
  return cli_usage_error("log needs a JOURNAL (see rbk log --help)", NULL);
}

/* Entry point of `rbk log`. */
int cli_log(int argc, char **argv) {
  log_args a = {0};
  int code = parse_log_args(argc, argv, &a);
  if (code != CLI_GO_ON) return code;
  const char *file = a.file;
  journal_state s;
  char *err = NULL;
  if (!resume_load(file, &s, &err)) {
    fprintf(stderr, "rbk: %s\n", err ? err : "out of memory");
    free(err);
    resume_free(&s);
    return RBK_EXIT_USAGE;
  }
  scrub_json(s.records); /* URL user-info in journals written before it was masked (scrub.h) */
  if (a.json) print_json(&s);
  else print_text(&s);
  resume_free(&s);
  return RBK_EXIT_OK;
}
