/* rehearse_case_expect.c — judging a rehearsal against its case's expectations (rehearse_case_check
 * in rehearse_case.h). Every failed expectation is one line saying what was expected and what
 * happened. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "params.h"
#include "plan.h"
#include "rehearse_case.h"

/* Returns true with *ms set when text is a duration (see rehearse_case.h). */
bool rehearse_case_duration(const char *text, int64_t *ms) {
  char *err = NULL;
  rbk_value *v = params_parse_value(TYPE_DURATION, text, &err);
  free(err);
  if (v) *ms = v->u.i;
  value_unref(v);
  return v != NULL;
}

/* Appends a formatted failure line to fails. */
static void fail(json_t *fails, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(json_t *fails, const char *fmt, ...) {
  char line[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  json_array_append_new(fails, json_string(line));
}

/* Returns true when n matches the count expectation want (N, or {"min", "max"}). */
static bool count_ok(const json_t *want, long long n) {
  if (json_is_integer(want)) return n == json_integer_value(want);
  json_t *lo = json_object_get(want, "min"), *hi = json_object_get(want, "max");
  return (!lo || n >= json_integer_value(lo)) && (!hi || n <= json_integer_value(hi));
}

/* Writes the count expectation as text ("3", "at most 3", "3 to 5") into buf. */
static const char *count_text(const json_t *want, char *buf, size_t size) {
  json_t *lo = json_object_get(want, "min"), *hi = json_object_get(want, "max");
  if (json_is_integer(want)) snprintf(buf, size, "%lld", (long long)json_integer_value(want));
  else if (lo && hi) snprintf(buf, size, "%lld to %lld", (long long)json_integer_value(lo), (long long)json_integer_value(hi));
  else if (lo) snprintf(buf, size, "at least %lld", (long long)json_integer_value(lo));
  else snprintf(buf, size, "at most %lld", (long long)json_integer_value(hi));
  return buf;
}

/* Checks one count; `what` names it ("mutating actions"). */
static void check_count(json_t *fails, const char *what, const json_t *want, long long got) {
  char buf[64];
  if (!count_ok(want, got)) fail(fails, "expected %s %s, got %lld", count_text(want, buf, sizeof buf), what, got);
}

/* Returns the expectation as a list of texts (a string becomes a list of one); new reference. */
static json_t *texts(const json_t *v) {
  return json_is_string(v) ? json_pack("[O]", v) : json_incref((json_t *)v);
}

/* Returns true when `needle` occurs in some element of list (a string each, or key `key` of
 * objects). */
static bool found_in(const json_t *list, const char *key, const char *needle) {
  size_t i;
  json_t *x;
  json_array_foreach(list, i, x) {
    const char *s = json_string_value(key ? json_object_get(x, key) : x);
    if (s && strstr(s, needle)) return true;
  }
  return false;
}

/* Checks "…_include" (want_found) or "…_exclude" texts against list. */
static void check_texts(json_t *fails, const char *what, const json_t *want, const json_t *list, const char *key,
                        bool want_found) {
  json_t *all = texts(want), *t;
  size_t i;
  json_array_foreach(all, i, t) {
    const char *s = json_string_value(t);
    if (found_in(list, key, s) != want_found)
      fail(fails, want_found ? "no %s contains \"%s\"" : "expected no %s to contain \"%s\"", what, s);
  }
  json_decref(all);
}

/* Returns true when `want` is the step path or one of its titles. */
static bool step_matches(const char *path, const char *want) {
  static const char sep[] = " \xe2\x80\xba ";
  if (!strcmp(path, want)) return true;
  size_t n = strlen(want);
  for (const char *p = path; p; p = strstr(p, sep) ? strstr(p, sep) + strlen(sep) : NULL)
    if (!strncmp(p, want, n) && (p[n] == '\0' || !strncmp(p + n, sep, strlen(sep)))) return true;
  return false;
}

/* Checks failed_step (step) or failed_gate (gate). */
static void check_failed(json_t *fails, const char *what, const json_t *want, const char *got, bool step) {
  const char *w = json_string_value(want);
  if (!w && got) fail(fails, "expected no %s to fail, but \"%s\" failed", what, got);
  else if (w && !got) fail(fails, "expected the %s \"%s\" to fail, but no %s failed", what, w, what);
  else if (w && !(step ? step_matches(got, w) : !strcmp(got, w)))
    fail(fails, "expected the %s \"%s\" to fail first, but \"%s\" did", what, w, got);
}

/* Checks final.images: each deployment's ready pods run exactly the named image. */
static void check_images(json_t *fails, const json_t *want, const json_t *world) {
  const char *dep;
  json_t *img;
  json_object_foreach((json_t *)want, dep, img) {
    json_t *deps = json_object_get(world, "deployments");
    json_t *got = json_object_get(json_object_get(world, "images"), dep);
    json_t *imgs = json_object_get(json_object_get(deps, dep), "images");
    if (!json_object_get(deps, dep)) fail(fails, "final: no deployment %s", dep);
    else if (json_is_null(img) ? json_object_size(imgs) != 0 : !json_equal(img, got)) {
      char *have = json_dumps(imgs, JSON_COMPACT | JSON_SORT_KEYS);
      fail(fails, "final: expected %s to run %s, its ready pods run %s", dep,
           json_is_null(img) ? "no ready pod" : json_string_value(img), have ? have : "?");
      free(have);
    }
  }
}

/* Checks final.ready: ready pods per deployment. */
static void check_ready(json_t *fails, const json_t *want, const json_t *world) {
  const char *dep;
  json_t *n;
  json_object_foreach((json_t *)want, dep, n) {
    json_t *d = json_object_get(json_object_get(world, "deployments"), dep);
    char what[300];
    snprintf(what, sizeof what, "ready pods of %s at the end", dep);
    if (!d) fail(fails, "final: no deployment %s", dep);
    else check_count(fails, what, n, json_integer_value(json_object_get(d, "ready")));
  }
}

/* Checks a count of the final world that may be unknown (null: the orchestrator did not answer). */
static void check_world_count(json_t *fails, const char *what, const json_t *want, const json_t *got) {
  if (json_is_integer(got)) check_count(fails, what, want, json_integer_value(got));
  else fail(fails, "final: %s unknown (the orchestrator does not answer)", what);
}

/* Checks "final" against the world. */
static void check_final(json_t *fails, const json_t *want, const json_t *world) {
  const char *k;
  json_t *v;
  if (!world) {
    fail(fails, "final: the rehearsal did not run");
    return;
  }
  json_object_foreach((json_t *)want, k, v) {
    if (!strcmp(k, "images")) check_images(fails, v, world);
    else if (!strcmp(k, "ready")) check_ready(fails, v, world);
    else if (!strcmp(k, "heat_loss_plants")) check_world_count(fails, "plants with heat loss at the end", v, json_object_get(world, k));
    else if (!strcmp(k, "plants_not_normal")) check_world_count(fails, "plants not normal at the end", v, json_object_get(world, k));
    else check_world_count(fails, "sub-agents connected at the end", v, json_object_get(json_object_get(world, "agents"), "connected"));
  }
}

/* Checks "elapsed": the virtual time the run took, within {"min", "max"}. */
static void check_elapsed(json_t *fails, const json_t *want, int64_t got) {
  int64_t lo = 0, hi = INT64_MAX;
  const char *l = json_string_value(json_object_get(want, "min")), *h = json_string_value(json_object_get(want, "max"));
  char g[32], b[32];
  if (l) rehearse_case_duration(l, &lo);
  if (h) rehearse_case_duration(h, &hi);
  if (got < lo) fail(fails, "expected the run to take at least %s of virtual time, it took %s", l, plan_duration_text(got, g, sizeof g));
  if (got > hi) fail(fails, "expected the run to take at most %s of virtual time, it took %s", h, plan_duration_text(got, b, sizeof b));
}

/* Checks one expectation key k = v. */
static void check_key(json_t *fails, const char *k, const json_t *v, const rehearse_result *r) {
  if (!strcmp(k, "exit")) {
    if (json_integer_value(v) != r->exit_code)
      fail(fails, "expected exit %lld, got %d%s%s", (long long)json_integer_value(v), r->exit_code, r->error ? ": " : "", r->error ? r->error : "");
  } else if (!strcmp(k, "mutating_actions")) check_count(fails, "mutating actions", v, r->mutating);
  else if (!strcmp(k, "actions")) check_count(fails, "actions", v, r->actions);
  else if (!strcmp(k, "warnings")) check_count(fails, "warnings", v, r->warnings);
  else if (!strcmp(k, "failed_step")) check_failed(fails, "step", v, r->failed_step, true);
  else if (!strcmp(k, "failed_gate")) check_failed(fails, "gate", v, r->failed_gate, false);
  else if (!strcmp(k, "error_includes")) {
    json_t *err = json_pack("[s]", r->error ? r->error : "");
    check_texts(fails, "error", v, err, NULL, true);
    json_decref(err);
  } else if (!strcmp(k, "notifications_include")) check_texts(fails, "notification", v, r->notifications, "text", true);
  else if (!strcmp(k, "notifications_exclude")) check_texts(fails, "notification", v, r->notifications, "text", false);
  else if (!strcmp(k, "actions_include")) check_texts(fails, "executed action", v, r->executed, NULL, true);
  else if (!strcmp(k, "actions_exclude")) check_texts(fails, "executed action", v, r->executed, NULL, false);
  else if (!strcmp(k, "final")) check_final(fails, v, r->world);
  else if (!strcmp(k, "elapsed")) check_elapsed(fails, v, r->elapsed_ms);
}

/* Returns the failed expectations of c for r, lies first (see rehearse_case.h). */
json_t *rehearse_case_check(const rehearse_case *c, const rehearse_result *r) {
  json_t *fails = json_array(), *v;
  const char *k;
  if (!fails) return NULL;
  size_t i;
  json_array_foreach(r->lies, i, v) fail(fails, "the dry-run lied: %s", json_string_value(v));
  if (r->capped) fail(fails, "case \"%s\": %s", c->name, r->error ? r->error : "stopped at the virtual-time cap");
  json_object_foreach(c->expect, k, v) check_key(fails, k, v, r);
  return fails;
}
