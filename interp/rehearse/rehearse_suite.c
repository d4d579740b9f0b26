/* rehearse_suite.c — running every rehearsal case of a set of plans and reporting pass/fail (see
 * rehearse_suite.h). */
#include "rehearse_suite.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dirwalk.h"
#include "grow.h"
#include "out.h"
#include "plan.h"
#include "rehearse_case.h"
#include "strutil.h"

/* How many lines of a failed case's output the report shows. */
#define REHEARSE_TAIL_LINES 15

/* One line of the report: a plan's header or note (text), or a case to rehearse. */
typedef struct {
  char *text;              /* printed first (header or note); owned */
  rehearse_cases *cases;   /* a header owns its plan's cases */
  const char *plan;        /* case: the plan */
  const rehearse_case *c;  /* case: borrowed from its header's cases */
  FILE *report;            /* case: its report (a temporary file when run in a child) */
  pid_t pid;               /* case: the child running it, or -1 */
  bool done, ok, counts;   /* finished; passed; counts as a case (or a malformed sidecar) */
} suite_item;

/* The items of a suite run and their tallies. */
typedef struct {
  const rehearse_suite_opts *o;
  suite_item *items;
  size_t len, cap;
  int running;
  int passed, failed;
} suite;

/* Returns the plans named by paths, or NULL with *err (see rehearse_suite.h). */
char **rehearse_suite_collect_plans(char *const *paths, size_t n, char **err) {
  struct stat st;
  for (size_t i = 0; i < n; i++)
    if (stat(paths[i], &st)) return *err = strutil_printf("%s: %s", paths[i], strerror(errno)), NULL;
  return dirwalk_plans(paths, n, err);
}

/* Prints the last REHEARSE_TAIL_LINES lines of text, indented. */
static void print_tail(FILE *out, const char *text, size_t len) {
  size_t lines = 0, start = len;
  while (start > 0 && lines <= REHEARSE_TAIL_LINES) if (text[--start] == '\n') lines++;
  if (lines > REHEARSE_TAIL_LINES) start++;
  fprintf(out, "      ── the end of its output (--verbose shows all of it and the final world) ──\n      ");
  for (size_t i = start; i < len; i++) {
    fputc(text[i], out);
    if (text[i] == '\n' && i + 1 < len) fputs("      ", out);
  }
  if (len && text[len - 1] != '\n') fputc('\n', out);
}

/* Returns the JSON report of one case (new). */
static json_t *case_json(const char *plan, const rehearse_case *c, const rehearse_result *r, json_t *fails) {
  return json_pack("{s:s, s:s, s:s?, s:I, s:b, s:i, s:i, s:i, s:i, s:s?, s:s?, s:s?, s:I, s:O}", "plan", plan, "case",
                   c->name, "scenario", r->scenario, "seed", (json_int_t)r->seed, "passed", json_array_size(fails) == 0,
                   "exit_code", r->exit_code, "mutating_actions", r->mutating, "actions", r->actions, "warnings",
                   r->warnings, "failed_step", r->failed_step, "failed_gate", r->failed_gate, "error", r->error,
                   "virtual_ms", (json_int_t)r->elapsed_ms, "failures", fails);
}

/* Prints the text report of one case to out. */
static void case_text(const suite *s, FILE *out, const rehearse_case *c, const rehearse_result *r, json_t *fails,
                      const char *transcript, size_t len) {
  bool ok = json_array_size(fails) == 0, color = s->o->color;
  char took[32];
  const char *sc = r->scenario ? r->scenario : "?";
  bool named = strstr(c->name, sc) != NULL;
  fprintf(out, "  %s%s%s %s (%s%s%sexit %d, %d mutating action%s, %s virtual)\n", color ? (ok ? "\033[32m" : "\033[31m") : "",
          ok ? "✓" : "✗", color ? "\033[0m" : "", c->name, named ? "" : "scenario ", named ? "" : sc, named ? "" : ", ",
          r->exit_code, r->mutating, r->mutating == 1 ? "" : "s", plan_duration_text(r->elapsed_ms, took, sizeof took));
  size_t i;
  json_t *f;
  json_array_foreach(fails, i, f) fprintf(out, "      %s\n", json_string_value(f));
  if (s->o->verbose) fwrite(transcript, 1, len, out);
  else if (!ok) print_tail(out, transcript, len);
}

/* Rehearses one case and writes its report to out; returns true when it passed. */
static bool run_case(const suite *s, const char *plan, const rehearse_case *c, FILE *out) {
  char *transcript = NULL;
  size_t len = 0;
  FILE *t = open_memstream(&transcript, &len);
  out_text text = {t ? t : stderr, false, 0};
  rehearse_opts o = {.out = out_text_sink(&text), .console = text.f, .diag = text.f};
  rehearse_case_opts(c, plan, &o);
  o.ignore_deadline = s->o->ignore_deadline;
  o.max_virtual_ms = s->o->max_virtual_ms;
  rehearse_result r;
  rehearse_run(&o, &r);
  if (r.world && s->o->verbose) rehearse_world_print(r.world, &r, text.f, false);
  if (t) fclose(t);
  json_t *fails = rehearse_case_check(c, &r);
  bool ok = fails && json_array_size(fails) == 0;
  if (s->o->json) {
    json_t *j = fails ? case_json(plan, c, &r, fails) : NULL;
    if (j) json_dumpf(j, out, JSON_COMPACT | JSON_PRESERVE_ORDER), fputc('\n', out);
    json_decref(j);
  } else if (fails) {
    case_text(s, out, c, &r, fails, transcript ? transcript : "", transcript ? len : 0);
  }
  fflush(out);
  json_decref(fails);
  free(transcript);
  rehearse_result_free(&r);
  return ok;
}

/* Returns a plan-level line (a header, no sidecar, a malformed one) in the chosen format (new). */
static char *plan_note(const suite *s, const char *plan, const char *note, bool failure) {
  char *text = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&text, &len);
  if (!f) return NULL;
  if (s->o->json) {
    json_t *j = json_pack("{s:s, s:s, s:b}", "plan", plan, failure ? "error" : "note", note, "passed", !failure);
    if (j) json_dumpf(j, f, JSON_COMPACT | JSON_PRESERVE_ORDER), fputc('\n', f);
    json_decref(j);
  } else {
    fprintf(f, "%s\n  %s %s\n", plan, failure ? "✗" : "-", note);
  }
  fclose(f);
  return text;
}

/* Adds an item to the suite's list; returns it, or NULL when out of memory. */
static suite_item *add_item(suite *s) {
  if (!GROW(s->items, s->cap, s->len + 1)) return NULL;
  suite_item *it = &s->items[s->len++];
  *it = (suite_item){.pid = -1};
  return it;
}

/* Adds a plan-level line; a failure counts as a failed case. */
static void add_note(suite *s, char *text, bool failure) {
  suite_item *it = add_item(s);
  if (!it) {
    free(text);
    return;
  }
  it->text = text, it->done = true, it->ok = !failure, it->counts = failure;
}

/* Lists one plan's header and its (selected) cases. */
static void add_plan(suite *s, const char *plan) {
  char *sidecar = rehearse_case_sidecar_path(plan), *err = NULL;
  rehearse_cases *cases = calloc(1, sizeof *cases);
  if (!sidecar || !cases) {
    add_note(s, plan_note(s, plan, "not rehearsed: no sidecar file (docs/rehearsal.md)", false), false);
    free(cases);
    return;
  }
  if (!rehearse_case_load_all(sidecar, cases, &err)) {
    add_note(s, plan_note(s, plan, err ? err : "out of memory", true), true);
    free(err), free(sidecar), free(cases);
    return;
  }
  suite_item *head = add_item(s);
  if (head) {
    head->done = true, head->cases = cases;
    size_t n = strlen(plan) + strlen(sidecar) + 8;
    if (!s->o->json && (head->text = malloc(n))) snprintf(head->text, n, "%s (%s)\n", plan, sidecar);
  }
  for (size_t i = 0; head && i < cases->len; i++) {
    if (s->o->case_glob && fnmatch(s->o->case_glob, cases->items[i].name, 0)) continue;
    suite_item *it = add_item(s);
    if (it) it->plan = plan, it->c = &cases->items[i], it->counts = true;
  }
  if (!head) rehearse_case_free_all(cases), free(cases);
  free(sidecar);
}

/* Starts case item it in a child process writing its report to a temporary file; runs it here
 * when it cannot fork. */
static void start_case(suite *s, suite_item *it) {
  fflush(NULL);
  it->report = tmpfile();
  it->pid = it->report ? fork() : -1;
  if (it->pid == 0) _exit(run_case(s, it->plan, it->c, it->report) ? 0 : 1);
  if (it->pid > 0) return;
  if (!it->report) it->report = stdout;
  it->ok = run_case(s, it->plan, it->c, it->report), it->done = true;
}

/* Prints a finished item and counts it. */
static void print_item(suite *s, suite_item *it) {
  if (it->text) fputs(it->text, s->o->out);
  if (it->report && it->report != stdout && it->report != s->o->out) {
    char buf[4096];
    size_t n;
    rewind(it->report);
    while ((n = fread(buf, 1, sizeof buf, it->report)) > 0) fwrite(buf, 1, n, s->o->out);
    fclose(it->report);
    it->report = NULL;
  }
  if (it->counts) it->ok ? s->passed++ : s->failed++;
  fflush(s->o->out);
}

/* Waits for one child and marks its item done. */
static void reap(suite *s) {
  int status;
  pid_t pid = waitpid(-1, &status, 0);
  for (size_t i = 0; pid > 0 && i < s->len; i++)
    if (s->items[i].pid == pid) {
      s->items[i].done = true, s->items[i].pid = -1;
      s->items[i].ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
      s->running--;
    }
}

/* Runs the case items, at most s->o->jobs at once, printing every item in list order. */
static void run_items(suite *s) {
  size_t next_start = 0, next_print = 0;
  while (next_print < s->len) {
    for (; next_start < s->len && (s->o->jobs <= 1 ? next_start <= next_print : s->running < s->o->jobs); next_start++) {
      suite_item *it = &s->items[next_start];
      if (it->done) continue;
      if (s->o->jobs <= 1) {
        it->report = s->o->out, it->ok = run_case(s, it->plan, it->c, s->o->out), it->done = true;
        continue;
      }
      start_case(s, it);
      if (it->pid > 0) s->running++;
    }
    while (next_print < s->len && s->items[next_print].done) print_item(s, &s->items[next_print++]);
    if (s->running > 0) reap(s);
  }
}

/* Runs every case of the plans; returns the exit code (see rehearse_suite.h). */
int rehearse_suite_run(char *const *plans, const rehearse_suite_opts *o) {
  suite s = {.o = o};
  for (size_t i = 0; plans[i]; i++) add_plan(&s, plans[i]);
  run_items(&s);
  for (size_t i = 0; i < s.len; i++) {
    free(s.items[i].text);
    if (s.items[i].cases) rehearse_case_free_all(s.items[i].cases), free(s.items[i].cases);
  }
  free(s.items);
  if (o->json) fprintf(o->out, "{\"passed\":%d,\"failed\":%d}\n", s.passed, s.failed);
  else fprintf(o->out, "%d passed, %d failed\n", s.passed, s.failed);
  fflush(o->out);
  return s.failed ? 1 : s.passed ? 0 : 2;
}
