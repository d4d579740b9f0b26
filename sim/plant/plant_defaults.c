/* plant_defaults.c — the seed's world as the plant model's defaults (the bad-release scenario). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plant_internal.h"

/* Every effect's name, once (from PLANT_EFFECTS). */
static const char *const effect_names[] = {
#define X(e, name, doc) name,
    PLANT_EFFECTS(X)
#undef X
};

/* Returns the effect named `name`, or -1 when there is none. */
int plant_effect_by_name(const char *name) {
  for (int e = 0; e < PLANT_EFFECT_COUNT; e++)
    if (strcmp(effect_names[e], name) == 0) return e;
  return -1;
}

/* The five plants: id, name, demand, backup capacity, critical load (MW). */
static const struct {
  const char *id, *name;
  double demand, backup, critical;
} default_plants[PLANT_COUNT] = {
    {"Plant-001", "Riverside Steam Plant", 120, 80, 40},
    {"Plant-002", "North Ridge District Heating", 95, 60, 35},
    {"Plant-003", "Harbor Process Heat", 45, 30, 15},
    {"Plant-004", "Eastfield Boiler House", 80, 50, 25},
    {"Plant-005", "Westgate CHP", 60, 40, 20},
};

/* The sub-agents that the seed names, with their Deployments. */
static const struct {
  const char *id, *deployment;
} default_deployments[] = {
    {"GL-002", "gl-002-boiler-efficiency"},  {"GL-003", "gl-003-combustion-optimizer"},
    {"GL-004", "gl-004-emissions-control"},  {"GL-005", "gl-005-heat-recovery"},
    {"GL-006", "gl-006-waste-heat"},         {"GL-012", "gl-012-steam-system"},
    {"GL-016", "gl-016-boiler-control"},     {"GL-017", "gl-017-feedwater"},
};

/* The orchestrator's releases (revisions 10–13 of the seed). */
static const struct {
  const char *version;
  int revision;
  const char *build_time;
} default_versions[] = {
    {"1.4.0", 10, "2025-10-20T09:00:00Z"},
    {"1.4.1", 11, "2025-11-03T16:45:00Z"},
    {"1.4.2", 12, "2025-11-10T10:30:00Z"},
    {"1.5.0", 13, "2025-11-17T13:55:00Z"},
};

/* The migrations of the app image, oldest first, and how long before the start each was applied. */
static const struct {
  const char *version, *name;
  int64_t age_s;
} default_migs[] = {
    {"20251020090000", "initial_schema", 28 * 86400},
    {"20251103164500", "heat_calculation_v2", 14 * 86400},
    {"20251116120000", "add_plant_zones", 27 * 3600},
    {"20251117143000", "multi_plant_optimization", 1800},
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Returns the deployment of agent id among the defaults, or NULL. */
static const char *default_deployment(const char *id) {
  for (size_t i = 0; i < COUNT(default_deployments); i++)
    if (strcmp(default_deployments[i].id, id) == 0) return default_deployments[i].deployment;
  return NULL;
}

/* Fills the plants; returns 0, or -1 when out of memory. */
static int defaults_plants(plant_settings *s) {
  for (int p = 0; p < PLANT_COUNT; p++) {
    plant_spec *ps = &s->plants[p];
    ps->id = strdup(default_plants[p].id);
    ps->name = strdup(default_plants[p].name);
    ps->backup_type = strdup("gas-fired backup boilers");
    ps->heat_demand_mw = default_plants[p].demand;
    ps->backup_capacity_mw = default_plants[p].backup;
    ps->critical_load_mw = default_plants[p].critical;
    ps->backup_available = true;
    ps->efficiency = -1; /* derived from the seed */
    if (!ps->id || !ps->name || !ps->backup_type) return -1;
  }
  return 0;
}

/* Replaces s's agents with count agents GL-002…; returns 0, or -1 when out of memory. */
int plant_defaults_agents(plant_settings *s, size_t count) {
  for (size_t i = 0; i < s->nagents; i++) free(s->agents[i].deployment);
  free(s->agents);
  s->nagents = 0;
  s->agents = calloc(count, sizeof *s->agents);
  if (!s->agents) return -1;
  s->nagents = count;
  for (size_t i = 0; i < count; i++) {
    plant_agent_spec *a = &s->agents[i];
    snprintf(a->id, sizeof a->id, "GL-%03zu", i + 2);
    a->plant = (int)(i % PLANT_COUNT);
    const char *dep = default_deployment(a->id);
    if (dep && !(a->deployment = strdup(dep))) return -1;
  }
  return 0;
}

/* Fills the versions table; returns 0, or -1 when out of memory. */
static int defaults_versions(plant_settings *s) {
  s->versions = calloc(COUNT(default_versions), sizeof *s->versions);
  if (!s->versions) return -1;
  s->nversions = s->versions_cap = COUNT(default_versions);
  for (size_t i = 0; i < s->nversions; i++) {
    s->versions[i].version = strdup(default_versions[i].version);
    s->versions[i].build_time = strdup(default_versions[i].build_time);
    s->versions[i].revision = default_versions[i].revision;
    if (!s->versions[i].version || !s->versions[i].build_time) return -1;
  }
  return 0;
}

/* Fills the bad image, the release group and the migrations; returns 0, or -1 when out of memory. */
static int defaults_faults(plant_settings *s) {
  s->bad = calloc(1, sizeof *s->bad);
  s->groups = calloc(1, sizeof *s->groups);
  s->migs = calloc(COUNT(default_migs), sizeof *s->migs);
  if (!s->bad || !s->groups || !s->migs) return -1;
  s->nbad = s->ngroups = 1;
  s->bad[0] = (plant_bad_image){strdup("gcr.io/greenlang/gl-001:1.5.0"), PLANT_EFFECT_HEAT_LOSS,
                                (1u << PLANT_COUNT) - 1};
  s->groups[0] = (plant_group){strdup("release-2025-11-17-1430"),
                               json_pack("[sssssssss]", "gl-001", "gl-002", "gl-003", "gl-004",
                                         "gl-005", "gl-006", "gl-012", "gl-016", "gl-017"),
                               0, 1800, true};
  s->nmigs = COUNT(default_migs);
  for (size_t i = 0; i < s->nmigs; i++)
    s->migs[i] = (plant_migration){strdup(default_migs[i].version), strdup(default_migs[i].name),
                                   true, false, default_migs[i].age_s, 0};
  for (size_t i = 0; i < s->nmigs; i++)
    if (!s->migs[i].version || !s->migs[i].name) return -1;
  return s->bad[0].image && s->groups[0].id && s->groups[0].agents ? 0 : -1;
}

/* Fills the names of things; returns 0, or -1 when out of memory. */
static int defaults_names(plant_settings *s) {
  char **slots[] = {&s->ns,          &s->service,          &s->image_repo,   &s->app_pod_prefix,
                    &s->db_pod_prefix, &s->agent_version,  &s->config_map,   &s->plant_config_map,
                    &s->db_name,     &s->db_user,          &s->db_secret,    &s->db_password_key,
                    &s->mig_app};
  const char *vals[] = {"greenlang",          "gl-001-process-heat-orchestrator",
                        "gcr.io/greenlang/gl-001", "gl-001-process-heat-orchestrator",
                        "postgresql",         "2.3.1",
                        "gl-001-config",      "gl-001-plant-configs",
                        "gl001_production",   "gl001_user",
                        "gl-001-db-credentials", "password",
                        "heat"};
  for (size_t i = 0; i < COUNT(slots); i++)
    if (!(*slots[i] = strdup(vals[i]))) return -1;
  return 0;
}

/* Fills s with the seed's world; returns 0, or -1 when out of memory. */
int plant_settings_defaults(plant_settings *s) {
  memset(s, 0, sizeof *s);
  s->heat_restore_ms = 45000;
  s->reconnect_after_ms = 45000;
  s->reconnect_window_ms = 120000;
  s->integrate_step_ms = 30000;
  s->expected_replicas = 3;
  s->connections_per_pod = 2;
  s->agent_age_s = 14 * 86400;
  s->config_effect = PLANT_EFFECT_OPTIMIZATION;
  if (defaults_names(s) || defaults_plants(s) || plant_defaults_agents(s, 99) ||
      defaults_versions(s) || defaults_faults(s))
    return -1;
  return 0;
}

/* Releases what s owns. */
void plant_settings_free(plant_settings *s) {
  char *strs[] = {s->ns,         s->service,   s->image_repo, s->app_pod_prefix, s->db_pod_prefix,
                  s->agent_version, s->config_map, s->plant_config_map, s->db_name, s->db_user,
                  s->db_secret,  s->db_password_key, s->db_password, s->mig_app, s->config_annotation};
  for (size_t i = 0; i < COUNT(strs); i++) free(strs[i]);
  for (int p = 0; p < PLANT_COUNT; p++)
    free(s->plants[p].id), free(s->plants[p].name), free(s->plants[p].backup_type);
  for (size_t i = 0; i < s->nagents; i++) free(s->agents[i].deployment);
  for (size_t i = 0; i < s->nbad; i++) free(s->bad[i].image);
  for (size_t i = 0; i < s->nversions; i++)
    free(s->versions[i].version), free(s->versions[i].build_time);
  for (size_t i = 0; i < s->ngroups; i++) free(s->groups[i].id), json_decref(s->groups[i].agents);
  for (size_t i = 0; i < s->nentry_faults; i++)
    free(s->entry_faults[i].key), json_decref(s->entry_faults[i].bad);
  for (size_t i = 0; i < s->nmigs; i++) free(s->migs[i].version), free(s->migs[i].name);
  free(s->agents), free(s->bad), free(s->versions), free(s->groups), free(s->entry_faults);
  free(s->migs);
  json_decref(s->config_good);
  memset(s, 0, sizeof *s);
}

/* Returns the index of the plant called id ("Plant-003"), or -1. */
int plant_index(const plant_settings *s, const char *id) {
  for (int p = 0; p < PLANT_COUNT; p++)
    if (id && strcmp(s->plants[p].id, id) == 0) return p;
  return -1;
}
