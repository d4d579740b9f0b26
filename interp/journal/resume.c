/* resume.c — reading a journal back and working out what a resumed run skips and re-checks
 * (see resume.h). */
#include "resume.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grow.h"
#include "valbuf.h"

/* Returns a string field of a record (borrowed), or NULL. */
const char *resume_str(const json_t *record, const char *key) {
  return json_string_value(json_object_get(record, key));
}

/* Parses the lines of text into s->records; returns true, or false with *err set. */
static bool parse_lines(const char *path, const char *text, size_t len, journal_state *s, char **err) {
  size_t lineno = 0;
  for (size_t pos = 0; pos < len;) {
    const char *nl = memchr(text + pos, '\n', len - pos);
    lineno++;
    if (!nl) {
      s->truncated = true;
      break;
    }
    size_t n = (size_t)(nl - (text + pos));
    json_error_t je;
    json_t *rec = n ? json_loadb(text + pos, n, 0, &je) : NULL;
    if (n && (!rec || !json_is_object(rec))) {
      char where[64];
      snprintf(where, sizeof where, "%zu", lineno);
      *err = strutil_printf("%s:%s: not a journal record", path, where);
      json_decref(rec);
      return false;
    }
    if (rec) json_array_append_new(s->records, rec);
    pos += n + 1;
    s->valid_len = pos;
  }
  return true;
}

/* Adds a copy of key to a NULL-terminated list unless it is there; returns false when out of memory. */
static bool list_add(char ***list, size_t *n, size_t *cap, const char *key) {
  for (size_t i = 0; i < *n; i++)
    if (!strcmp((*list)[i], key)) return true;
  if (!grow_array(list, cap, *n + 2, sizeof **list)) return false;
  if (!((*list)[*n] = strdup(key))) return false;
  (*list)[++*n] = NULL;
  return true;
}

/* Returns true when the action (key "CTX|node", step path) ran inside a step that completed. */
static bool in_done_step(const journal_state *s, const char *akey, const char *path) {
  const char *abar = strchr(akey, '|');
  if (!path || !abar) return false;
  for (size_t i = 0; i < s->ndone; i++) {
    const char *bar = strchr(s->done[i], '|');
    size_t clen = bar ? (size_t)(bar - s->done[i]) : 0;
    if (bar && !strcmp(bar + 1, path) && clen <= (size_t)(abar - akey) && !strncmp(akey, s->done[i], clen))
      return true;
  }
  return false;
}

/* Notes what record rec (at index i) says about runs, steps and gates; returns false when out of
 * memory. gate_first: gate key → index of its first pass; *last_mut: index of the latest mutating
 * action that started for real. */
static bool scan_record(journal_state *s, json_t *rec, size_t i, json_t *gate_first, size_t *last_mut) {
  const char *ev = resume_str(rec, "event"), *st = resume_str(rec, "status"), *key = resume_str(rec, "key");
  if (!ev) return true;
  bool passed = st && (!strcmp(st, "ok") || !strcmp(st, "skipped"));
  if (!strcmp(ev, "run_start") || !strcmp(ev, "resume")) {
    if (!s->start && !strcmp(ev, "run_start")) s->start = rec;
    s->last_start = rec;
    s->end = NULL;
    s->attempts++;
  } else if (!strcmp(ev, "run_end")) {
    s->end = rec;
  } else if (!strcmp(ev, "gate") && key && passed && !json_object_get(gate_first, key)) {
    return !json_object_set_new(gate_first, key, json_integer((json_int_t)i));
  } else if (!strcmp(ev, "action_start") && json_is_true(json_object_get(rec, "mutating")) && !(st && !strcmp(st, "skipped"))) {
    *last_mut = i + 1;
  } else if (!strcmp(ev, "step_end") && key && passed) {
    bool returned = json_is_true(json_object_get(rec, "returned"));
    json_t *value = json_object_get(rec, "result");
    if (returned && !value) return true; /* its value was not journaled: it runs again */
    if (returned && json_object_set(s->returns, key, value)) return false;
    return list_add(&s->done, &s->ndone, &s->done_cap, key);
  }
  return true;
}

/* Returns, per record, whether it belongs to a handler that finished in its attempt (see
 * resume.h): its owner's step_end or the attempt's run_end follows it. NULL when out of memory. */
static bool *finished_handlers(const journal_state *s) {
  size_t n = json_array_size(s->records);
  bool *done = calloc(n + 1, sizeof *done), all = false;
  json_t *ended = json_object();
  for (size_t i = n; done && ended && i-- > 0;) {
    json_t *rec = json_array_get(s->records, i);
    const char *ev = resume_str(rec, "event"), *key = resume_str(rec, "key"), *owner = resume_str(rec, "handler");
    if (!ev) continue;
    if (!strcmp(ev, "run_start") || !strcmp(ev, "resume")) {
      json_object_clear(ended);
      all = false;
    } else if (!strcmp(ev, "run_end")) {
      all = true;
    }
    if (owner && (all || json_object_get(ended, owner))) done[i] = true;
    if (!strcmp(ev, "step_end") && key) json_object_set_new(ended, key, json_true());
  }
  json_decref(ended);
  return done;
}

/* Fills s->gates: the gates whose first pass came before the latest real mutation; returns false
 * when out of memory. */
static bool pick_gates(journal_state *s, json_t *gate_first, size_t last_mut) {
  const char *key;
  json_t *at;
  json_object_foreach(gate_first, key, at) {
    if ((size_t)json_integer_value(at) < last_mut && !list_add(&s->gates, &s->ngates, &s->gates_cap, key)) return false;
  }
  return true;
}

/* Adds n to the count under key in counts; returns false when out of memory. */
static bool count_add(json_t *counts, const char *key, json_int_t n) {
  return !json_object_set_new(counts, key, json_integer(json_integer_value(json_object_get(counts, key)) + n));
}

/* Notes a mutating action record outside completed steps: starts and ends counted per key in
 * `open`, failures in `failed`, completions' results in s->results; replays are ignored. */
static bool scan_action(journal_state *s, json_t *rec, const char *ev, const char *key, json_t *open, json_t *failed) {
  const char *st = resume_str(rec, "status");
  if (st && !strcmp(st, "skipped")) return true;
  if (!strcmp(ev, "action_start")) return count_add(open, key, 1);
  if (strcmp(ev, "action_end")) return true;
  if (!count_add(open, key, -1)) return false;
  /* a result too large for the journal cannot be replayed: the action is re-checked */
  if (!st || strcmp(st, "ok") || json_object_get(rec, "result_truncated")) return count_add(failed, key, 1);
  json_t *list = json_object_get(s->results, key), *result = json_object_get(rec, "result");
  if (!list && json_object_set_new(s->results, key, list = json_array())) return false;
  s->nresults++;
  return !json_array_append_new(list, result ? json_incref(result) : json_null());
}

/* Fills results and the in-flight list from the mutating actions outside completed steps: a key
 * is in flight when it started more often than it ended, or ended other than "ok". */
static bool scan_actions(journal_state *s, const bool *finished) {
  json_t *open = json_object(), *failed = json_object(), *rec;
  bool ok = open && failed;
  size_t i;
  json_array_foreach(s->records, i, rec) {
    const char *ev = resume_str(rec, "event"), *key = resume_str(rec, "key");
    if (finished[i]) continue;
    if (!ok || !ev || strncmp(ev, "action_", 7) || !key || !json_is_true(json_object_get(rec, "mutating"))) continue;
    if (!in_done_step(s, key, resume_str(rec, "step"))) ok = scan_action(s, rec, ev, key, open, failed);
  }
  const char *key;
  json_t *n;
  json_object_foreach(open, key, n) {
    if (ok && (json_integer_value(n) > 0 || json_object_get(failed, key))) ok = list_add(&s->inflight, &s->ninflight, &s->inflight_cap, key);
  }
  json_decref(open);
  json_decref(failed);
  return ok;
}

/* Reads the journal (see resume.h). */
bool resume_load(const char *path, journal_state *out, char **err) {
  *out = (journal_state){0};
  size_t len = 0;
  char *text = valbuf_read_file(path, &len);
  if (!text) {
    *err = strutil_printf("cannot read journal %s: %s", path, strerror(errno));
    return false;
  }
  out->records = json_array(), out->results = json_object(), out->returns = json_object();
  bool ok = out->records && out->results && out->returns && parse_lines(path, text, len, out, err);
  free(text);
  if (!ok) return false;
  size_t i, last_mut = 0;
  json_t *rec, *gate_first = json_object();
  bool *finished = finished_handlers(out);
  ok = gate_first && finished;
  json_array_foreach(out->records, i, rec) {
    if (ok && !finished[i] && !scan_record(out, rec, i, gate_first, &last_mut)) ok = false;
  }
  if (ok && !scan_actions(out, finished)) ok = false;
  if (ok && !pick_gates(out, gate_first, last_mut)) ok = false;
  json_decref(gate_first);
  free(finished);
  if (!ok) *err = strdup("out of memory");
  else if (!out->start && !(out->empty = json_array_size(out->records) == 0))
    *err = strutil_printf("%s: no run_start record (not an rbk journal?)", path);
  else if (!out->start)
    *err = strutil_printf("%s records no run: the process stopped before its first record, so nothing was done; "
                          "start the plan again with rbk run", path);
  return ok && out->start;
}

/* Frees a NULL-terminated list of strings. */
static void list_free(char **list) {
  for (size_t i = 0; list && list[i]; i++) free(list[i]);
  free(list);
}

/* Frees the state. */
void resume_free(journal_state *s) {
  json_decref(s->records);
  json_decref(s->results);
  json_decref(s->returns);
  list_free(s->done);
  list_free(s->inflight);
  list_free(s->gates);
  *s = (journal_state){0};
}
