/* sim_scenario.c — finding scenarios (built in or files), "extends", and the world's settings
 * (timing, image faults, jobs, API faults, watch history, service backends). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_patch.h"
#include "sim_scenario.h"
#include "sim_valid.h"

typedef struct {
  const char *name;
  const unsigned char *text;
  size_t len;
} sim_embedded;
extern const sim_embedded sim_embedded_scenarios[];

/* Returns the names of the built-in scenarios as a NULL-terminated array (static; do not free). */
const char *const *sim_builtin_scenarios(void) {
  static const char *names[64];
  size_t n = 0;
  for (const sim_embedded *e = sim_embedded_scenarios; e->name && n < 63; e++) names[n++] = e->name;
  names[n] = NULL;
  return names;
}

/* Returns the parsed built-in scenario or file (new), or NULL with *err. */
static json_t *load_one(const char *name_or_path, char **err) {
  json_error_t je;
  bool is_path = strchr(name_or_path, '/') || strstr(name_or_path, ".json");
  if (is_path) {
    json_t *j = json_load_file(name_or_path, 0, &je);
    if (!j) *err = strutil_printf("%s:%d:%d: %s", name_or_path, je.line, je.column, je.text);
    return j;
  }
  for (const sim_embedded *e = sim_embedded_scenarios; e->name; e++) {
    if (strcmp(e->name, name_or_path)) continue;
    json_t *j = json_loadb((const char *)e->text, e->len, 0, &je);
    if (!j) *err = strutil_printf("built-in scenario %s:%d:%d: %s", e->name, je.line, je.column, je.text);
    return j;
  }
  valbuf b = {0};
  for (const sim_embedded *e = sim_embedded_scenarios; e->name; e++) valbuf_printf(&b, "%s%s", b.len ? ", " : "", e->name);
  char *names = valbuf_take(&b, NULL);
  *err = strutil_printf("unknown scenario \"%s\" (built in: %s; or give a path to a .json file)", name_or_path, names);
  free(names);
  return NULL;
}

/* Returns an entry's name ("name", else metadata.name), or "". */
static const char *entry_name(const json_t *e) {
  return sim_util_jstr(e, "name", sim_util_jstr(e, "metadata.name", ""));
}

/* Merges a list of named entries: an entry with the name of a base entry is merge-patched over it
 * ("$delete": true removes it); others are appended. Returns a new array. */
static json_t *merge_named(const json_t *base, const json_t *patch) {
  json_t *out = json_is_array(base) ? json_deep_copy(base) : json_array();
  size_t i, j;
  json_t *p, *b;
  json_array_foreach(patch, i, p) {
    long at = -1;
    json_array_foreach(out, j, b) if (at < 0 && !strcmp(entry_name(b), entry_name(p))) at = (long)j;
    json_t *clean = json_deep_copy(p);
    json_object_del(clean, "$delete");
    if (json_is_true(json_object_get(p, "$delete"))) {
      if (at >= 0) json_array_remove(out, (size_t)at);
    } else if (at >= 0) {
      json_array_set_new(out, (size_t)at, sim_patch_merge(json_array_get(out, (size_t)at), clean));
    } else {
      json_array_append(out, clean);
    }
    json_decref(clean);
  }
  return out;
}

/* Merges a derived scenario's "cluster" over the base's: lists of named objects merge by name,
 * everything else as a JSON merge patch. Returns a new object. */
static json_t *merge_cluster(const json_t *base, const json_t *patch) {
  static const char *const named[] = {"deployments", "services", "configmaps", "secrets", "pods", "objects"};
  json_t *out = json_is_object(base) ? json_deep_copy(base) : json_object();
  const char *k;
  json_t *v;
  json_object_foreach((json_t *)patch, k, v) {
    bool is_named = false;
    for (size_t i = 0; i < sizeof named / sizeof *named; i++) is_named |= !strcmp(named[i], k);
    if (json_is_null(v)) json_object_del(out, k);
    else if (is_named && json_is_array(v)) json_object_set_new(out, k, merge_named(json_object_get(out, k), v));
    else json_object_set_new(out, k, sim_patch_merge(json_object_get(out, k), v));
  }
  return out;
}

/* Returns the scenario with its "extends" chain resolved (new), or NULL with *err. "plant" is taken
 * whole from the most derived scenario that has one; "cluster" merges with merge_cluster; the rest
 * merges as a JSON merge patch. */
static json_t *resolve(json_t *j, int depth, char **err) {
  const char *base_name = sim_util_jstr(j, "extends", NULL);
  if (!base_name) return j;
  if (depth > 8) return json_decref(j), *err = strdup("scenario \"extends\" chain is too deep"), NULL;
  json_t *base = load_one(base_name, err);
  base = base ? resolve(base, depth + 1, err) : NULL;
  if (!base) return json_decref(j), NULL;
  json_t *patch = json_deep_copy(j);
  json_object_del(patch, "extends");
  json_t *plant = json_object_get(j, "plant");
  json_object_del(patch, "plant");
  json_t *cluster = json_incref(json_object_get(patch, "cluster"));
  json_object_del(patch, "cluster");
  json_t *out = sim_patch_merge(base, patch);
  if (cluster) json_object_set_new(out, "cluster", merge_cluster(json_object_get(base, "cluster"), cluster));
  json_decref(cluster);
  if (plant) json_object_set(out, "plant", plant);
  json_decref(base), json_decref(patch), json_decref(j);
  return out;
}

/* Returns the scenario document for a built-in scenario name ("bad-release", …) or a path to a JSON file
 * (anything containing '/' or ending in ".json"); NULL with *err set (caller frees) when unknown or
 * malformed. */
json_t *sim_load_scenario(const char *name_or_path, char **err) {
  *err = NULL;
  json_t *j = load_one(name_or_path, err);
  if (j && !json_is_object(j)) {
    json_decref(j);
    *err = strutil_printf("%s: a scenario must be a JSON object", name_or_path);
    return NULL;
  }
  return j ? resolve(j, 0, err) : NULL;
}

/* Returns false with *err when obj has a key outside the allowed list. */
static bool known_keys(const json_t *obj, const char *where, const char *const *allowed, char **err) {
  const char *k;
  json_t *v;
  json_object_foreach((json_t *)obj, k, v) {
    bool ok = false;
    for (size_t i = 0; allowed[i] && !ok; i++) ok = !strcmp(allowed[i], k);
    if (!ok) return *err = strutil_printf("scenario: unknown key \"%s\" in %s", k, where), false;
  }
  return true;
}

/* Reads cluster.timing. */
static void load_timing(sim_world *w, const json_t *t) {
  simw_timing *tm = &w->timing;
  tm->schedule = sim_util_json_duration(json_object_get(t, "schedule"), 200);
  tm->pull = sim_util_json_duration(json_object_get(t, "pull"), 1000);
  tm->start = sim_util_json_duration(json_object_get(t, "start"), 1000);
  tm->ready = sim_util_json_duration(json_object_get(t, "ready"), 3000);
  tm->stop = sim_util_json_duration(json_object_get(t, "stop"), 2000);
  tm->crash_after = sim_util_json_duration(json_object_get(t, "crash_after"), 5000);
  tm->backoff_base = sim_util_json_duration(json_object_get(t, "backoff"), 10000);
  tm->backoff_max = sim_util_json_duration(json_object_get(t, "backoff_max"), 300000);
  tm->job_duration = sim_util_json_duration(json_object_get(t, "job"), 5000);
}

/* Reads cluster.max_replicas (an integer from 1 to SIM_VALID_MAX_REPLICAS, that by default): the most
 * pods one workload of this world may ask for; false with *err when malformed. */
static bool load_max_replicas(sim_world *w, const json_t *v, char **err) {
  w->max_replicas = SIM_VALID_MAX_REPLICAS;
  if (!v) return true;
  if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > SIM_VALID_MAX_REPLICAS)
    return *err = strutil_printf("scenario: cluster.max_replicas must be an integer from 1 to %d", SIM_VALID_MAX_REPLICAS), false;
  w->max_replicas = (int)json_integer_value(v);
  return true;
}

/* Reads "faults"."lost_response": [{"method"?: "POST", "path"?: "text in the path", "times"?: n}]
 * (times: 1 by default, -1 for every match); false with *err when malformed. */
static bool load_lost(simw_faults *ft, const json_t *lost, char **err) {
  static const char *const keys[] = {"method", "path", "times", NULL};
  if (!lost) return (ft->lost = json_array()) != NULL;
  if (!json_is_array(lost)) return *err = strdup("scenario: faults.lost_response must be a list"), false;
  size_t i;
  json_t *r;
  json_array_foreach(lost, i, r) {
    char where[64];
    snprintf(where, sizeof where, "faults.lost_response[%zu]", i);
    if (!json_is_object(r)) return *err = strutil_printf("scenario: %s must be an object", where), false;
    if (!known_keys(r, where, keys, err)) return false;
    json_t *m = json_object_get(r, "method"), *p = json_object_get(r, "path"), *t = json_object_get(r, "times");
    if ((m && !json_is_string(m)) || (p && !json_is_string(p)) || (t && !json_is_integer(t)))
      return *err = strutil_printf("scenario: %s: method and path are texts, times an integer", where), false;
    if (m && !strcmp(json_string_value(m), "GET"))
      return *err = strutil_printf("scenario: %s: only writes can lose their answer, not GET", where), false;
  }
  ft->lost = json_deep_copy(lost);
  return ft->lost != NULL;
}

/* Reads "faults". */
static bool load_faults(sim_world *w, const json_t *f, char **err) {
  static const char *const keys[] = {"error_rate", "error_codes", "latency", "drop_rate", "retry_after",
                                     "conflict_on_patch", "stuck_rollout", "lost_response", "description", NULL};
  if (f && !known_keys(f, "faults", keys, err)) return false;
  simw_faults *ft = &w->faults;
  ft->error_rate = json_number_value(json_object_get(f, "error_rate"));
  ft->drop_rate = json_number_value(json_object_get(f, "drop_rate"));
  json_t *codes = json_object_get(f, "error_codes");
  ft->error_codes = json_is_array(codes) ? json_deep_copy(codes) : json_pack("[i,i,i]", 500, 503, 429);
  json_t *lat = json_object_get(f, "latency");
  ft->latency_min = sim_util_json_duration(json_array_get(lat, 0), 0);
  ft->latency_max = sim_util_json_duration(json_array_get(lat, 1), ft->latency_min);
  ft->retry_after_s = sim_util_json_duration(json_object_get(f, "retry_after"), 1000) / 1000;
  json_t *c = json_object_get(f, "conflict_on_patch"), *s = json_object_get(f, "stuck_rollout");
  ft->conflicts = json_is_array(c) ? json_deep_copy(c) : json_array();
  ft->stuck = json_is_array(s) ? json_deep_copy(s) : json_array();
  return load_lost(ft, json_object_get(f, "lost_response"), err);
}

/* Returns false with *err unless stubs is absent or a list of process stubs: {"argv": [glob…],
 * "status"?: int, "stdout"?: text, "stderr"?: text}. */
static bool check_stubs(const json_t *stubs, char **err) {
  static const char *const keys[] = {"argv", "status", "stdout", "stderr", NULL};
  if (!stubs) return true;
  if (!json_is_array(stubs)) return *err = strdup("scenario: \"process_stubs\" must be a list"), false;
  size_t i, k;
  json_t *st, *a;
  json_array_foreach(stubs, i, st) {
    char where[64];
    snprintf(where, sizeof where, "process_stubs[%zu]", i);
    if (!json_is_object(st)) return *err = strutil_printf("scenario: %s must be an object", where), false;
    if (!known_keys(st, where, keys, err)) return false;
    json_t *argv = json_object_get(st, "argv");
    bool ok = json_array_size(argv) > 0;
    json_array_foreach(argv, k, a) ok &= json_is_string(a);
    if (!ok) return *err = strutil_printf("scenario: %s.argv must be a non-empty list of texts", where), false;
    if (json_object_get(st, "status") && !json_is_integer(json_object_get(st, "status")))
      return *err = strutil_printf("scenario: %s.status must be an integer", where), false;
    for (int s = 0; s < 2; s++) {
      const char *f = s ? "stderr" : "stdout";
      if (json_object_get(st, f) && !json_is_string(json_object_get(st, f)))
        return *err = strutil_printf("scenario: %s.%s must be a text", where, f), false;
    }
  }
  return true;
}

/* Reads timing, images, faults and jobs from the scenario; false with *err. */
bool sim_scenario_load_settings(sim_world *w, const json_t *scenario, char **err) {
  static const char *const top[] = {"name", "description", "start_time", "seed", "extends", "cluster", "faults",
                                    "plant", "notes", "plan_secrets", "process_stubs", NULL};
  static const char *const cluster[] = {"namespaces", "timing", "images", "jobs", "watch", "backends", "deployments",
                                        "services", "configmaps", "secrets", "pods", "objects", "namespace",
                                        "max_replicas", NULL};
  const json_t *c = json_object_get(scenario, "cluster");
  if (!known_keys(scenario, "the scenario", top, err) || (c && !known_keys(c, "cluster", cluster, err))) return false;
  if (!check_stubs(json_object_get(scenario, "process_stubs"), err)) return false;
  const char *start = sim_util_jstr(scenario, "start_time", "2025-11-17T15:00:00Z");
  if (!sim_util_time_parse(start, &w->epoch_ms)) return *err = strutil_printf("scenario: bad start_time \"%s\"", start), false;
  load_timing(w, json_object_get(c, "timing"));
  if (!load_max_replicas(w, json_object_get(c, "max_replicas"), err)) return false;
  w->timing.bookmark_every = sim_util_json_duration(sim_util_jpath(c, "watch.bookmark_every"), 30000);
  json_t *images = json_object_get(c, "images"), *jobs = json_object_get(c, "jobs"), *be = json_object_get(c, "backends");
  w->images = json_is_object(images) ? json_deep_copy(images) : json_object();
  w->job_rules = json_is_array(jobs) ? json_deep_copy(jobs) : json_array();
  w->backends = json_is_object(be) ? json_deep_copy(be)
                                   : json_pack("{s:s,s:s,s:s}", "gl-001-process-heat-orchestrator", "plant",
                                               "gl-001-process-heat-orchestrator-blue", "plant",
                                               "gl-001-process-heat-orchestrator-green", "plant");
  return load_faults(w, json_object_get(scenario, "faults"), err);
}
