/* plant_config.c — reading a scenario's "plant" section over the defaults (format: docs/plant.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plant_internal.h"
#include "grow.h"
#include "sim_util.h"

/* Sets *err from a jansson error under `where`; returns -1. */
static int fail_json(char **err, const char *where, const json_error_t *je) {
  *err = strutil_printf("plant section: %s: %s", where, je->text);
  return -1;
}

/* Replaces *dst with a copy of src when src is set; returns 0, or -1 when out of memory. */
static int set_str(char **dst, const char *src) {
  if (!src) return 0;
  char *c = strdup(src);
  if (!c) return -1;
  free(*dst);
  *dst = c;
  return 0;
}

/* Returns the plant mask of an array of plant ids (all plants when NULL), or -1 with *err set. */
static long plants_mask(const plant_settings *s, const json_t *ids, char **err) {
  if (!ids) return (1L << PLANT_COUNT) - 1;
  long mask = 0;
  size_t i;
  json_t *id;
  json_array_foreach(ids, i, id) {
    int p = plant_index(s, json_string_value(id));
    if (p < 0) {
      *err = strutil_printf("plant section: unknown plant %s", json_is_string(id) ? json_string_value(id)
                                                                             : "(not a string)");
      return -1;
    }
    mask |= 1L << p;
  }
  return mask;
}

/* Returns the effect named name, or -1 with *err set. */
static int effect_of(const char *name, char **err) {
  int e = plant_effect_by_name(name);
  if (e < 0) *err = strutil_printf("plant section: unknown effect \"%s\"", name);
  return e;
}

/* Reads the names and the timing; returns 0, or -1 with *err set. */
static int load_top(plant_settings *s, const json_t *j, char **err) {
  const char *ns = NULL, *svc = NULL, *repo = NULL, *prefix = NULL, *db = NULL;
  double restore = -1, after = -1, window = -1, step = -1;
  json_int_t replicas = s->expected_replicas, conns = s->connections_per_pod;
  json_error_t je;
  if (json_unpack_ex((json_t *)j, &je, 0,
                     "{s?s s?s s?s s?s s?s s?I s?I s?{s?F s?F s?F s?F !}}", "namespace", &ns,
                     "service", &svc, "image_repo", &repo, "app_pod_prefix", &prefix,
                     "db_pod_prefix", &db, "expected_replicas", &replicas, "connections_per_pod",
                     &conns, "timing", "heat_restore_s", &restore, "reconnect_after_s", &after,
                     "reconnect_window_s", &window, "integrate_step_s", &step))
    return fail_json(err, "top level", &je);
  if (set_str(&s->ns, ns) || set_str(&s->service, svc) || set_str(&s->image_repo, repo) ||
      set_str(&s->app_pod_prefix, prefix ? prefix : svc) || set_str(&s->db_pod_prefix, db))
    return *err = strutil_printf("out of memory"), -1;
  double *in[] = {&restore, &after, &window, &step};
  int64_t *out[] = {&s->heat_restore_ms, &s->reconnect_after_ms, &s->reconnect_window_ms,
                    &s->integrate_step_ms};
  for (size_t i = 0; i < 4; i++) { /* checked before the conversion: past an int64 it is undefined */
    if (*in[i] > (double)(SIM_UTIL_DURATION_MAX_MS / 1000))
      return *err = strutil_printf("plant section: timing values are at most a century (in seconds)"), -1;
    if (*in[i] >= 0) *out[i] = (int64_t)(*in[i] * 1000.0);
  }
  if (s->integrate_step_ms <= 0 || replicas < 0 || conns < 0)
    return *err = strutil_printf("plant section: timing and counts must be positive"), -1;
  s->expected_replicas = replicas;
  s->connections_per_pod = conns;
  return 0;
}

/* Reads one plant override; returns 0, or -1 with *err set. */
static int load_plant(plant_settings *s, const json_t *j, char **err) {
  const char *id = NULL, *name = NULL, *btype = NULL;
  json_error_t je;
  if (json_unpack_ex((json_t *)j, &je, 0, "{s:s}", "plant_id", &id))
    return fail_json(err, "plants[]", &je);
  int p = plant_index(s, id);
  if (p < 0) return *err = strutil_printf("plant section: unknown plant %s", id), -1;
  plant_spec *ps = &s->plants[p];
  int backup = ps->backup_available;
  if (json_unpack_ex((json_t *)j, &je, JSON_STRICT, "{s:s s?s s?F s?F s?F s?F s?b s?s}",
                     "plant_id", &id, "name", &name, "heat_demand_mw", &ps->heat_demand_mw,
                     "backup_capacity_mw", &ps->backup_capacity_mw, "critical_load_mw",
                     &ps->critical_load_mw, "efficiency", &ps->efficiency, "backup_available",
                     &backup, "backup_type", &btype))
    return fail_json(err, id, &je);
  ps->backup_available = backup;
  if (set_str(&ps->name, name) || set_str(&ps->backup_type, btype))
    return *err = strutil_printf("out of memory"), -1;
  return 0;
}

/* Reads the agents: count, version, age and Deployments; returns 0, or -1 with *err set. */
static int load_agents(plant_settings *s, const json_t *j, char **err) {
  json_int_t count = (json_int_t)s->nagents, age = s->agent_age_s;
  const char *version = NULL;
  json_t *deps = NULL;
  json_error_t je;
  if (json_unpack_ex((json_t *)j, &je, JSON_STRICT, "{s?I s?s s?I s?o}", "count", &count,
                     "version", &version, "age_s", &age, "deployments", &deps))
    return fail_json(err, "agents", &je);
  if (count < 1 || count > 999) return *err = strutil_printf("plant section: agents.count 1–999"), -1;
  if (age < 0 || age > SIM_UTIL_DURATION_MAX_MS / 1000)
    return *err = strutil_printf("plant section: agents.age_s from 0 to a century (in seconds)"), -1;
  if ((size_t)count != s->nagents && plant_defaults_agents(s, (size_t)count))
    return *err = strutil_printf("out of memory"), -1;
  s->agent_age_s = age;
  if (set_str(&s->agent_version, version)) return *err = strutil_printf("out of memory"), -1;
  const char *id;
  json_t *dep;
  json_object_foreach(deps, id, dep) {
    size_t i = 0;
    while (i < s->nagents && strcmp(s->agents[i].id, id) != 0) i++;
    if (i == s->nagents || !(json_is_string(dep) || json_is_null(dep)))
      return *err = strutil_printf("plant section: agents.deployments: bad entry %s", id), -1;
    free(s->agents[i].deployment);
    s->agents[i].deployment = json_is_string(dep) ? strdup(json_string_value(dep)) : NULL;
  }
  return 0;
}

/* Reads the bad images (replacing the defaults); returns 0, or -1 with *err set. */
static int load_bad_images(plant_settings *s, const json_t *arr, char **err) {
  size_t n = json_array_size(arr), i;
  plant_bad_image *bad = calloc(n ? n : 1, sizeof *bad);
  if (!bad) return *err = strutil_printf("out of memory"), -1;
  for (size_t k = 0; k < s->nbad; k++) free(s->bad[k].image);
  free(s->bad);
  s->bad = bad;
  s->nbad = 0;
  json_t *it;
  json_array_foreach(arr, i, it) {
    const char *image, *effect = "heat_loss";
    json_t *plants = NULL;
    json_error_t je;
    if (json_unpack_ex(it, &je, JSON_STRICT, "{s:s s?s s?o}", "image", &image, "effect", &effect,
                       "plants", &plants))
      return fail_json(err, "bad_images[]", &je);
    int e = effect_of(effect, err);
    long mask = e < 0 ? -1 : plants_mask(s, plants, err);
    if (mask < 0) return -1;
    if (!(bad[i].image = strdup(image))) return *err = strutil_printf("out of memory"), -1;
    bad[i].effect = (plant_effect)e;
    bad[i].plants = (unsigned)mask;
    s->nbad = i + 1;
  }
  return 0;
}

/* Reads the versions table (adding to or replacing the defaults); returns 0, or -1 with *err set. */
static int load_versions(plant_settings *s, const json_t *arr, char **err) {
  size_t i;
  json_t *it;
  json_array_foreach(arr, i, it) {
    const char *version, *build;
    json_int_t rev;
    json_error_t je;
    if (json_unpack_ex(it, &je, JSON_STRICT, "{s:s s:I s:s}", "version", &version, "revision",
                       &rev, "build_time", &build))
      return fail_json(err, "versions[]", &je);
    size_t k = 0;
    while (k < s->nversions && strcmp(s->versions[k].version, version) != 0) k++;
    if (k == s->nversions) {
      if (!GROW(s->versions, s->versions_cap, k + 1)) return *err = strutil_printf("out of memory"), -1;
      s->versions[k] = (plant_version){NULL, 0, NULL};
      s->nversions++;
    }
    s->versions[k].revision = rev;
    if (set_str(&s->versions[k].version, version) || set_str(&s->versions[k].build_time, build))
      return *err = strutil_printf("out of memory"), -1;
  }
  return 0;
}

/* Reads the deployment groups (replacing the defaults); returns 0, or -1 with *err set. */
static int load_groups(plant_settings *s, const json_t *arr, char **err) {
  size_t n = json_array_size(arr), i;
  plant_group *g = calloc(n ? n : 1, sizeof *g);
  if (!g) return *err = strutil_printf("out of memory"), -1;
  for (size_t k = 0; k < s->ngroups; k++) free(s->groups[k].id), json_decref(s->groups[k].agents);
  free(s->groups);
  s->groups = g;
  s->ngroups = 0;
  json_t *it;
  json_array_foreach(arr, i, it) {
    const char *id, *time = NULL;
    json_t *agents;
    json_int_t age = -1;
    json_error_t je;
    if (json_unpack_ex(it, &je, JSON_STRICT, "{s:s s:o s?s s?I}", "deployment_id", &id, "agents",
                       &agents, "deployment_time", &time, "age_s", &age))
      return fail_json(err, "deployment_groups[]", &je);
    int64_t t_ms = 0;
    bool time_ok = time && sim_util_time_parse(time, &t_ms);
    g[i].time_s = t_ms / 1000;
    if (!json_is_array(agents) || (time && !time_ok) || (!time && age < 0))
      return *err = strutil_printf("plant section: group %s needs agents and a time or age_s", id), -1;
    g[i].relative = !time;
    g[i].age_s = age;
    g[i].agents = json_incref(agents);
    if (!(g[i].id = strdup(id))) return *err = strutil_printf("out of memory"), -1;
    s->ngroups = i + 1;
  }
  return 0;
}

/* Reads the gl-001-config fault; returns 0, or -1 with *err set. */
static int load_config(plant_settings *s, const json_t *j, char **err) {
  const char *cm = NULL, *effect = NULL, *annotation = NULL;
  json_t *good = NULL;
  json_error_t je;
  if (json_unpack_ex((json_t *)j, &je, JSON_STRICT, "{s?s s?o s?s s?s}", "configmap", &cm,
                     "good_data", &good, "good_annotation", &annotation, "effect", &effect))
    return fail_json(err, "config", &je);
  int e = effect ? effect_of(effect, err) : (int)s->config_effect;
  if (e < 0) return -1;
  if (good && !json_is_object(good))
    return *err = strutil_printf("plant section: config.good_data must be an object"), -1;
  s->config_effect = (plant_effect)e;
  json_decref(s->config_good);
  s->config_good = json_incref(good);
  if (set_str(&s->config_map, cm) || set_str(&s->config_annotation, annotation))
    return *err = strutil_printf("out of memory"), -1;
  return 0;
}

/* Reads one plant-config entry fault into f; returns 0, or -1 with *err set. */
static int load_entry_fault(plant_settings *s, const json_t *j, plant_entry_fault *f, char **err) {
  const char *id, *key, *effect = "degraded";
  json_t *bad;
  json_error_t je;
  if (json_unpack_ex((json_t *)j, &je, JSON_STRICT, "{s:s s:s s:o s?s}", "plant_id", &id, "key",
                     &key, "bad", &bad, "effect", &effect))
    return fail_json(err, "plant_configs.faults[]", &je);
  f->plant = plant_index(s, id);
  int e = effect_of(effect, err);
  if (e < 0) return -1;
  if (f->plant < 0 || !json_is_object(bad))
    return *err = strutil_printf("plant section: fault of %s: unknown plant or bad not an object", id), -1;
  f->effect = (plant_effect)e;
  f->bad = json_incref(bad);
  return (f->key = strdup(key)) ? 0 : (*err = strutil_printf("out of memory"), -1);
}

/* Reads the gl-001-plant-configs faults; returns 0, or -1 with *err set. */
static int load_plant_configs(plant_settings *s, const json_t *j, char **err) {
  const char *cm = NULL;
  json_t *faults = NULL;
  json_error_t je;
  if (json_unpack_ex((json_t *)j, &je, JSON_STRICT, "{s?s s?o}", "configmap", &cm, "faults",
                     &faults))
    return fail_json(err, "plant_configs", &je);
  if (set_str(&s->plant_config_map, cm)) return *err = strutil_printf("out of memory"), -1;
  size_t n = json_array_size(faults), i;
  if (!n) return 0;
  s->entry_faults = calloc(n, sizeof *s->entry_faults);
  if (!s->entry_faults) return *err = strutil_printf("out of memory"), -1;
  json_t *it;
  json_array_foreach(faults, i, it) {
    s->nentry_faults = i + 1;
    if (load_entry_fault(s, it, &s->entry_faults[i], err)) return -1;
  }
  return 0;
}

/* Reads the migrations list (replacing the defaults); returns 0, or -1 with *err set. */
static int load_migrations(plant_settings *s, const json_t *arr, char **err) {
  size_t n = json_array_size(arr), i;
  plant_migration *m = calloc(n ? n : 1, sizeof *m);
  if (!m) return *err = strutil_printf("out of memory"), -1;
  for (size_t k = 0; k < s->nmigs; k++) free(s->migs[k].version), free(s->migs[k].name);
  free(s->migs);
  s->migs = m;
  s->nmigs = 0;
  json_t *it;
  json_array_foreach(arr, i, it) {
    const char *version, *name;
    int applied = 1;
    json_int_t age = 0;
    json_error_t je;
    if (json_unpack_ex(it, &je, JSON_STRICT, "{s:s s:s s?b s?I}", "version", &version, "name",
                       &name, "applied", &applied, "age_s", &age))
      return fail_json(err, "database.migrations[]", &je);
    if (i > 0 && strcmp(m[i - 1].version, version) >= 0)
      return *err = strutil_printf("plant section: migrations must be in ascending order"), -1;
    m[i] = (plant_migration){strdup(version), strdup(name), applied, false, age, 0};
    s->nmigs = i + 1;
    if (!m[i].version || !m[i].name) return *err = strutil_printf("out of memory"), -1;
  }
  return 0;
}

/* Marks the bad migrations; returns 0, or -1 with *err set when one is unknown. */
static int mark_bad_migrations(plant_settings *s, const json_t *arr, char **err) {
  size_t i;
  json_t *it;
  json_array_foreach(arr, i, it) {
    size_t k = 0;
    while (k < s->nmigs && (!json_is_string(it) || strcmp(s->migs[k].version,
                                                          json_string_value(it)) != 0))
      k++;
    if (k == s->nmigs) return *err = strutil_printf("plant section: unknown bad migration"), -1;
    s->migs[k].bad = true;
  }
  return 0;
}

/* Reads the database facts; returns 0, or -1 with *err set. */
static int load_database(plant_settings *s, const json_t *j, char **err) {
  const char *name = NULL, *user = NULL, *secret = NULL, *key = NULL, *pw = NULL, *app = NULL;
  json_t *migs = NULL, *bad = NULL;
  json_error_t je;
  if (json_unpack_ex((json_t *)j, &je, JSON_STRICT, "{s?s s?s s?s s?s s?s s?s s?o s?o}", "name",
                     &name, "user", &user, "secret", &secret, "password_key", &key,
                     "expected_password", &pw, "app", &app, "migrations", &migs,
                     "bad_migrations", &bad))
    return fail_json(err, "database", &je);
  if (set_str(&s->db_name, name) || set_str(&s->db_user, user) || set_str(&s->db_secret, secret) ||
      set_str(&s->db_password_key, key) || set_str(&s->db_password, pw) ||
      set_str(&s->mig_app, app))
    return *err = strutil_printf("out of memory"), -1;
  if (migs && load_migrations(s, migs, err)) return -1;
  return mark_bad_migrations(s, bad, err);
}

/* Reads the array-valued keys; returns 0, or -1 with *err set. */
static int load_lists(plant_settings *s, const json_t *j, char **err) {
  json_t *plants = NULL, *bad = NULL, *versions = NULL, *groups = NULL;
  json_error_t je;
  if (json_unpack_ex((json_t *)j, &je, 0, "{s?o s?o s?o s?o}", "plants", &plants, "bad_images",
                     &bad, "versions", &versions, "deployment_groups", &groups))
    return fail_json(err, "top level", &je);
  json_t *arrays[] = {plants, bad, versions, groups};
  for (size_t i = 0; i < 4; i++)
    if (arrays[i] && !json_is_array(arrays[i]))
      return *err = strutil_printf("plant section: plants, bad_images, versions and "
                              "deployment_groups must be arrays"), -1;
  size_t i;
  json_t *it;
  json_array_foreach(plants, i, it) if (load_plant(s, it, err)) return -1;
  if (bad && load_bad_images(s, bad, err)) return -1;
  if (versions && load_versions(s, versions, err)) return -1;
  return groups ? load_groups(s, groups, err) : 0;
}

/* The keys a plant section may have, and what reads the object-valued ones. */
static const struct {
  const char *key;
  int (*load)(plant_settings *, const json_t *, char **);
} sections[] = {
    {"namespace", NULL},   {"service", NULL},          {"image_repo", NULL},
    {"app_pod_prefix", NULL}, {"db_pod_prefix", NULL}, {"expected_replicas", NULL},
    {"connections_per_pod", NULL}, {"timing", NULL},   {"plants", NULL},
    {"bad_images", NULL},  {"versions", NULL},         {"deployment_groups", NULL},
    {"agents", load_agents}, {"config", load_config},  {"plant_configs", load_plant_configs},
    {"database", load_database},
};

/* Parses section (NULL = defaults) into s; returns 0, or -1 with *err set. */
int plant_settings_load(plant_settings *s, const json_t *section, char **err) {
  *err = NULL;
  if (plant_settings_defaults(s)) return *err = strutil_printf("out of memory"), -1;
  if (!section) return 0;
  if (!json_is_object(section)) return *err = strutil_printf("plant section: not an object"), -1;
  const char *key;
  json_t *val;
  json_object_foreach((json_t *)section, key, val) {
    size_t i = 0, n = sizeof sections / sizeof sections[0];
    while (i < n && strcmp(sections[i].key, key) != 0) i++;
    if (i == n) return *err = strutil_printf("plant section: unknown key \"%s\"", key), -1;
    if (sections[i].load && !json_is_object(val))
      return *err = strutil_printf("plant section: %s must be an object", key), -1;
  }
  if (load_top(s, section, err) || load_lists(s, section, err)) return -1;
  for (size_t i = 0; i < sizeof sections / sizeof sections[0]; i++) {
    json_t *sub = json_object_get(section, sections[i].key);
    if (sections[i].load && sub && sections[i].load(s, sub, err)) return -1;
  }
  return 0;
}
