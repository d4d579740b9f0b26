/* rehearse_suite.c — running every rehearsal case of a set of plans and reporting pass/fail (see
 * rehearse_suite.h). */
#include "rehearse_suite.h"

#include <dirent.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "out.h"
#include "plan.h"
#include "rehearse_case.h"

/* How many lines of a failed case's output the report shows. */
#define REHEARSE_TAIL_LINES 15

/* Tallies of a suite run. */
typedef struct {
  const rehearse_suite_opts *o;
  int passed, failed;
} suite;

/* qsort comparator for strings. */
static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Appends s (taken) to the growing NULL-terminated list; returns false when out of memory. */
static bool push(char ***list, size_t *n, char *s) {
  char **grown = s ? realloc(*list, (*n + 2) * sizeof **list) : NULL;
  if (!grown) return free(s), false;
  *list = grown;
  grown[(*n)++] = s;
  grown[*n] = NULL;
  return true;
}

/* Appends dir's *.rbk files in name order; returns false with *err set. */
static bool collect_dir(const char *dir, char ***list, size_t *n, char **err) {
  DIR *d = opendir(dir);
  if (!d) return *err = strdup(dir), false;
  size_t first = *n;
  struct dirent *e;
  bool ok = true;
  while (ok && (e = readdir(d))) {
    size_t len = strlen(e->d_name);
    if (len <= 4 || strcmp(e->d_name + len - 4, ".rbk") || e->d_name[0] == '.') continue;
    size_t size = strlen(dir) + len + 2;
    char *p = malloc(size);
    if (p) snprintf(p, size, "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", e->d_name);
    ok = push(list, n, p);
  }
  closedir(d);
  if (ok && *n > first) qsort(*list + first, *n - first, sizeof **list, cmp_str);
  if (!ok) *err = strdup("out of memory");
  return ok;
}

char **rehearse_collect_plans(char *const *paths, size_t n, char **err) {
  char **list = calloc(1, sizeof *list);
  size_t len = 0;
  bool ok = list != NULL;
  for (size_t i = 0; ok && i < n; i++) {
    struct stat st;
    if (stat(paths[i], &st)) ok = false, *err = strdup(paths[i]);
    else if (S_ISDIR(st.st_mode)) ok = collect_dir(paths[i], &list, &len, err);
    else ok = push(&list, &len, strdup(paths[i]));
  }
  if (ok) return list;
  for (size_t i = 0; list && list[i]; i++) free(list[i]);
  free(list);
  return NULL;
}

/* Prints the last REHEARSE_TAIL_LINES lines of text, indented. */
static void print_tail(FILE *out, const char *text, size_t len) {
  size_t lines = 0, start = len;
  while (start > 0 && lines <= REHEARSE_TAIL_LINES) if (text[--start] == '\n') lines++;
  if (lines > REHEARSE_TAIL_LINES) start++;
  fprintf(out, "      ── the end of its output ──\n      ");
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

/* Prints the text report of one case. */
static void case_text(suite *s, const rehearse_case *c, const rehearse_result *r, json_t *fails, const char *transcript,
                      size_t len) {
  FILE *out = s->o->out;
  bool ok = json_array_size(fails) == 0, color = s->o->color;
  char took[32];
  fprintf(out, "  %s%s%s %s: %s, exit %d, %d mutating action%s, %s virtual\n", color ? (ok ? "\033[32m" : "\033[31m") : "",
          ok ? "✓" : "✗", color ? "\033[0m" : "", c->name, r->scenario ? r->scenario : "?", r->exit_code, r->mutating,
          r->mutating == 1 ? "" : "s", plan_duration_text(r->elapsed_ms, took, sizeof took));
  size_t i;
  json_t *f;
  json_array_foreach(fails, i, f) fprintf(out, "      %s\n", json_string_value(f));
  if (s->o->verbose) fwrite(transcript, 1, len, out);
  else if (!ok) print_tail(out, transcript, len);
}

/* Rehearses one case and reports it. */
static void run_case(suite *s, const char *plan, const rehearse_case *c) {
  char *transcript = NULL;
  size_t len = 0;
  FILE *t = open_memstream(&transcript, &len);
  out_text text = {t ? t : stderr, false, 0};
  rehearse_opts o = {.out = out_text_sink(&text), .console = text.f, .diag = text.f};
  rehearse_case_opts(c, plan, &o);
  rehearse_result r;
  rehearse_run(&o, &r);
  if (r.world) rehearse_world_print(r.world, &r, text.f, false);
  if (t) fclose(t);
  json_t *fails = rehearse_case_check(c, &r);
  bool ok = fails && json_array_size(fails) == 0;
  ok ? s->passed++ : s->failed++;
  if (s->o->json) {
    json_t *j = fails ? case_json(plan, c, &r, fails) : NULL;
    if (j) json_dumpf(j, s->o->out, JSON_COMPACT | JSON_PRESERVE_ORDER), fputc('\n', s->o->out);
    json_decref(j);
  } else if (fails) {
    case_text(s, c, &r, fails, transcript ? transcript : "", transcript ? len : 0);
  }
  fflush(s->o->out);
  json_decref(fails);
  free(transcript);
  rehearse_result_free(&r);
}

/* Reports a plan-level problem (no sidecar, a malformed one) in the chosen format. */
static void plan_note(suite *s, const char *plan, const char *note, bool failure) {
  if (failure) s->failed++;
  if (s->o->json) {
    json_t *j = json_pack("{s:s, s:s, s:b}", "plan", plan, failure ? "error" : "note", note, "passed", !failure);
    if (j) json_dumpf(j, s->o->out, JSON_COMPACT | JSON_PRESERVE_ORDER), fputc('\n', s->o->out);
    json_decref(j);
  } else {
    fprintf(s->o->out, "%s\n  %s %s\n", plan, failure ? "✗" : "-", note);
  }
}

/* Rehearses every (selected) case of one plan. */
static void run_plan_cases(suite *s, const char *plan) {
  char *sidecar = rehearse_sidecar_path(plan), *err = NULL;
  rehearse_cases cases;
  if (!sidecar) {
    plan_note(s, plan, "not rehearsed: no sidecar file (docs/rehearsal.md)", false);
    return;
  }
  if (!rehearse_cases_load(sidecar, &cases, &err)) {
    plan_note(s, plan, err ? err : "out of memory", true);
    free(err), free(sidecar);
    return;
  }
  if (!s->o->json) fprintf(s->o->out, "%s (%s)\n", plan, sidecar);
  for (size_t i = 0; i < cases.len; i++)
    if (!s->o->case_glob || !fnmatch(s->o->case_glob, cases.items[i].name, 0)) run_case(s, plan, &cases.items[i]);
  rehearse_cases_free(&cases);
  free(sidecar);
}

int rehearse_suite_run(char *const *plans, const rehearse_suite_opts *o) {
  suite s = {.o = o};
  for (size_t i = 0; plans[i]; i++) run_plan_cases(&s, plans[i]);
  if (o->json) fprintf(o->out, "{\"passed\":%d,\"failed\":%d}\n", s.passed, s.failed);
  else fprintf(o->out, "%d passed, %d failed\n", s.passed, s.failed);
  fflush(o->out);
  return s.failed ? 1 : s.passed ? 0 : 2;
}
