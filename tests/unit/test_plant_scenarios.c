/* test_plant_scenarios.c — each built-in scenario's plant behaviour, over a fake cluster:
 * no-backup-heat, sub-agents-bad, single-plant (isolate, config reload, gradual integration),
 * blue-green, bad-config, bad-secret, bad-migration. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "test_plant_fake.h"

#define SEC 1000LL

/* Returns a world for the plant section given as JSON text (NULL = defaults). */
static plant_world *world(const char *section) {
  json_error_t je;
  json_t *sec = section ? json_loads(section, 0, &je) : NULL;
  if (section && !sec) fail_msg("bad test JSON: %s", je.text);
  char *err = NULL;
  plant_world *w = plant_new(sec, 42, &err);
  if (!w) fail_msg("plant_new: %s", err);
  json_decref(sec);
  return w;
}

/* Sends a request through the master Service; returns the status, frees the answer unless *out. */
static int call(plant_world *w, fake_cluster *fc, long long t, const char *method, const char *path,
                const char *body, json_t **out) {
  json_t *b = NULL;
  int st = plant_http(w, &fc->view, t, MASTER, method, path, body, body ? strlen(body) : 0, &b);
  if (out) *out = b;
  else json_decref(b);
  return st;
}

/* Returns the string field `field` of plant id in plants/heat-status at t (static copy). */
static const char *plant_field(plant_world *w, fake_cluster *fc, long long t, const char *id,
                               const char *field) {
  static char buf[64];
  json_t *b;
  call(w, fc, t, "GET", "/api/v1/plants/heat-status", NULL, &b);
  size_t i;
  json_t *p;
  buf[0] = '\0';
  json_array_foreach(json_object_get(b, "plants"), i, p) {
    if (strcmp(json_string_value(json_object_get(p, "plant_id")), id) == 0)
      snprintf(buf, sizeof buf, "%s", json_string_value(json_object_get(p, field)));
  }
  json_decref(b);
  return buf;
}

static void no_backup_heat__plant_002_has_no_backup(void **state) {
  (void)state;
  fake_cluster fc;
  fake_seed_world(&fc, IMG("1.5.0"));
  plant_world *w = world("{\"plants\": [{\"plant_id\": \"Plant-002\", \"backup_available\": false}]}");
  json_t *b;
  assert_int_equal(call(w, &fc, T0_MS, "GET", "/api/v1/plants/backup-heat-status", NULL, &b), 200);
  size_t i;
  json_t *p;
  json_array_foreach(json_object_get(b, "plants"), i, p) {
    bool want = strcmp(json_string_value(json_object_get(p, "plant_id")), "Plant-002") != 0;
    assert_int_equal(json_is_true(json_object_get(p, "backup_available")), want);
  }
  json_decref(b);
  plant_free(w);
  fake_free(&fc);
}

#define SUB_BAD                                                                                   \
  "{\"bad_images\": [{\"image\": \"gcr.io/greenlang/gl-001:1.5.0\"},"                            \
  " {\"image\": \"gcr.io/greenlang/gl-002:2.4.0\", \"plants\": [\"Plant-001\", \"Plant-002\"]},"  \
  " {\"image\": \"gcr.io/greenlang/gl-003:2.4.0\", \"plants\": [\"Plant-003\"]}]}"

static void sub_agents_bad__master_rollback_alone_keeps_heat_lost(void **state) {
  (void)state;
  fake_cluster fc;
  fake_seed_world(&fc, IMG("1.5.0"));
  fake_roll(&fc, "gl-002-boiler-efficiency", "gcr.io/greenlang/gl-002:2.4.0", 1, T0_MS - 3600 * SEC);
  fake_roll(&fc, "gl-003-combustion-optimizer", "gcr.io/greenlang/gl-003:2.4.0", 1, T0_MS - 3600 * SEC);
  plant_world *w = world(SUB_BAD);
  assert_int_equal(fake_heat_lost(w, &fc, T0_MS), 5);
  fake_roll(&fc, MASTER, IMG("1.4.2"), 3, T0_MS + 10 * SEC);
  assert_int_equal(fake_heat_lost(w, &fc, T0_MS + 120 * SEC), 3); /* Plants 001–003 still out */
  assert_string_equal(plant_field(w, &fc, T0_MS + 120 * SEC, "Plant-004", "heat_status"), "normal");
  json_t *b;
  call(w, &fc, T0_MS + 120 * SEC, "GET", "/api/v1/agents/versions", NULL, &b);
  assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(b, "agents"), 0),
                                                        "version")), "2.4.0");
  json_decref(b);
  fake_roll(&fc, "gl-002-boiler-efficiency", "gcr.io/greenlang/gl-002:2.3.1", 1, T0_MS + 130 * SEC);
  fake_roll(&fc, "gl-003-combustion-optimizer", "gcr.io/greenlang/gl-003:2.3.1", 1, T0_MS + 130 * SEC);
  assert_int_equal(fake_heat_lost(w, &fc, T0_MS + 131 * SEC), 3);
  assert_int_equal(fake_heat_lost(w, &fc, T0_MS + 180 * SEC), 0);
  call(w, &fc, T0_MS + 180 * SEC, "GET", "/api/v1/agents/versions", NULL, &b);
  json_t *a = json_array_get(json_object_get(b, "agents"), 0);
  assert_string_equal(json_string_value(json_object_get(a, "version")), "2.3.1");
  assert_int_equal(json_integer_value(json_object_get(a, "deployment_time")), T0_MS / 1000 + 130);
  json_decref(b);
  plant_free(w);
  fake_free(&fc);
}

#define SINGLE_PLANT                                                                              \
  "{\"bad_images\": [], \"plant_configs\": {\"faults\": [{\"plant_id\": \"Plant-003\","          \
  " \"key\": \"plant-003.yaml\", \"bad\": {\"heat_demand_mw\": 50,"                              \
  " \"optimization_enabled\": true}}]}}"

/* Puts the plant configs with Plant-003's entry at demand/optimization. */
static void put_plant_configs(fake_cluster *fc, int demand, const char *opt) {
  char entry[160];
  snprintf(entry, sizeof entry, "plant_id: \"Plant-003\"\nheat_demand_mw: %d\noptimization_enabled: %s\n",
           demand, opt);
  fake_put(fc, "configmaps", "gl-001-plant-configs",
           json_pack("{s:{s:s} s:{s:s s:s}}", "metadata", "name", "gl-001-plant-configs", "data",
                     "plant-003.yaml", entry, "plant-001.yaml",
                     "plant_id: \"Plant-001\"\nheat_demand_mw: 120\n"));
}

static void single_plant__degraded_until_reverted_and_reloaded(void **state) {
  (void)state;
  fake_cluster fc;
  fake_seed_world(&fc, IMG("1.5.0"));
  put_plant_configs(&fc, 50, "true");
  plant_world *w = world(SINGLE_PLANT);
  assert_int_equal(fake_heat_lost(w, &fc, T0_MS), 0);
  assert_string_equal(plant_field(w, &fc, T0_MS, "Plant-003", "heat_status"), "degraded");
  assert_string_equal(plant_field(w, &fc, T0_MS, "Plant-002", "heat_status"), "normal");
  const char *iso = "{\"reason\": \"partial_rollback\", \"maintain_heat\": true, \"use_local_control\": true}";
  json_t *b;
  assert_int_equal(call(w, &fc, T0_MS + SEC, "POST", "/api/v1/plants/Plant-003/isolate", iso, &b), 200);
  assert_string_equal(json_string_value(json_object_get(b, "status")), "isolated");
  json_decref(b);
  put_plant_configs(&fc, 45, "false");
  assert_string_equal(plant_field(w, &fc, T0_MS + 2 * SEC, "Plant-003", "heat_status"), "degraded");
  assert_int_equal(call(w, &fc, T0_MS + 3 * SEC, "POST", "/api/v1/config/reload",
                        "{\"plants\": [\"Plant-003\"]}", &b), 200);
  assert_string_equal(json_string_value(json_array_get(json_object_get(b, "reloaded"), 0)),
                      "gl-001-plant-configs/plant-003.yaml");
  json_decref(b);
  assert_int_equal(call(w, &fc, T0_MS + 4 * SEC, "GET", "/api/v1/plants/Plant-003/status", NULL, &b), 200);
  assert_string_equal(json_string_value(json_object_get(b, "heat_status")), "normal");
  assert_int_equal(json_number_value(json_object_get(b, "heat_demand_mw")), 45);
  assert_string_equal(json_string_value(json_object_get(b, "isolation_state")), "isolated");
  json_decref(b);
  plant_free(w);
  fake_free(&fc);
}

static void single_plant__integration_progresses_gradually(void **state) {
  (void)state;
  fake_cluster fc;
  fake_seed_world(&fc, IMG("1.4.2"));
  plant_world *w = world("{\"bad_images\": []}");
  const char *iso = "{\"reason\": \"partial_rollback\"}";
  assert_int_equal(call(w, &fc, T0_MS, "POST", "/api/v1/plants/Plant-003/integrate", NULL, NULL), 409);
  assert_int_equal(call(w, &fc, T0_MS, "POST", "/api/v1/plants/Plant-003/isolate", iso, NULL), 200);
  const char *integ = "{\"gradual\": true, \"verify_before_full\": true}";
  assert_int_equal(call(w, &fc, T0_MS + SEC, "POST", "/api/v1/plants/Plant-003/integrate", integ, NULL), 202);
  int last = -1;
  json_t *b;
  for (long long t = T0_MS + SEC; t <= T0_MS + 130 * SEC; t += 30 * SEC) {
    assert_int_equal(call(w, &fc, t, "GET", "/api/v1/plants/Plant-003/integration-status", NULL, &b), 200);
    int progress = (int)json_integer_value(json_object_get(b, "progress_percent"));
    assert_true(progress > last);
    last = progress;
    json_decref(b);
  }
  call(w, &fc, T0_MS + 130 * SEC, "GET", "/api/v1/plants/Plant-003/integration-status", NULL, &b);
  assert_string_equal(json_string_value(json_object_get(b, "state")), "integrated");
  assert_int_equal(json_integer_value(json_object_get(b, "progress_percent")), 100);
  json_decref(b);
  plant_free(w);
  fake_free(&fc);
}

static void blue_green__service_picks_the_answering_deployment(void **state) {
  (void)state;
  fake_cluster fc;
  fake_init(&fc);
  for (int i = 0; i < 3; i++) {
    fake_add_pod_labels(&fc, MASTER "-blue", IMG("1.4.2"), 1, T0_MS - 7200 * SEC, "deployment", "gl-001-blue");
    fake_add_pod_labels(&fc, MASTER "-green", IMG("1.5.0"), 1, T0_MS - 1800 * SEC, "deployment", "gl-001-green");
  }
  fake_put(&fc, "services", MASTER, json_pack("{s:{s:{s:s}}}", "spec", "selector", "deployment", "gl-001-green"));
  plant_world *w = world(NULL);
  json_t *b;
  assert_int_equal(plant_http(w, &fc.view, T0_MS, MASTER "-blue", "GET", "/api/v1/version", NULL, 0, &b), 200);
  assert_string_equal(json_string_value(json_object_get(b, "version")), "1.4.2");
  json_decref(b);
  assert_int_equal(plant_http(w, &fc.view, T0_MS, MASTER, "GET", "/api/v1/version", NULL, 0, &b), 200);
  assert_string_equal(json_string_value(json_object_get(b, "version")), "1.5.0");
  json_decref(b);
  assert_int_equal(fake_heat_lost(w, &fc, T0_MS), 5);
  fake_put(&fc, "services", MASTER, json_pack("{s:{s:{s:s}}}", "spec", "selector", "deployment", "gl-001-blue"));
  assert_int_equal(fake_heat_lost(w, &fc, T0_MS + 10 * SEC), 5);
  assert_int_equal(fake_heat_lost(w, &fc, T0_MS + 60 * SEC), 0);
  plant_free(w);
  fake_free(&fc);
}

/* Puts gl-001-config with the given optimizer setting. */
static void put_config(fake_cluster *fc, const char *optimizer) {
  fake_put(fc, "configmaps", "gl-001-config",
           json_pack("{s:{s:s} s:{s:s s:s}}", "metadata", "name", "gl-001-config", "data",
                     "optimizer", optimizer, "log_level", "info"));
}

static void bad_config__optimization_fails_until_reverted_and_reloaded(void **state) {
  (void)state;
  fake_cluster fc;
  fake_seed_world(&fc, IMG("1.4.2"));
  put_config(&fc, "multi-plant-v2");
  plant_world *w = world("{\"bad_images\": [], \"config\": {\"good_data\": "
                         "{\"optimizer\": \"single-plant-v1\", \"log_level\": \"info\"}}}");
  json_t *b;
  call(w, &fc, T0_MS, "GET", "/api/v1/optimization/heat-distribution/status", NULL, &b);
  assert_string_equal(json_string_value(json_object_get(b, "optimization_status")), "failed");
  json_decref(b);
  put_config(&fc, "single-plant-v1");
  call(w, &fc, T0_MS + SEC, "GET", "/api/v1/config/current", NULL, &b);
  assert_true(json_is_false(json_object_get(b, "in_sync")));
  json_decref(b);
  assert_int_equal(call(w, &fc, T0_MS + 2 * SEC, "POST", "/api/v1/config/reload", NULL, NULL), 200);
  call(w, &fc, T0_MS + 3 * SEC, "GET", "/api/v1/optimization/heat-distribution/status", NULL, &b);
  assert_string_equal(json_string_value(json_object_get(b, "optimization_status")), "optimal");
  json_decref(b);
  plant_free(w);
  fake_free(&fc);
}

static void bad_config__previous_data_from_the_annotation(void **state) {
  (void)state;
  fake_cluster fc;
  fake_seed_world(&fc, IMG("1.4.2"));
  fake_put(&fc, "configmaps", "gl-001-config",
           json_pack("{s:{s:s s:{s:s}} s:{s:s}}", "metadata", "name", "gl-001-config", "annotations",
                     "rbk.dev/previous-data", "{\"optimizer\": \"single-plant-v1\"}", "data",
                     "optimizer", "multi-plant-v2"));
  plant_world *w = world("{\"bad_images\": [], \"config\": {\"good_annotation\": \"rbk.dev/previous-data\"}}");
  json_t *b;
  call(w, &fc, T0_MS, "GET", "/api/v1/optimization/heat-distribution/status", NULL, &b);
  assert_string_equal(json_string_value(json_object_get(b, "optimization_status")), "failed");
  json_decref(b);
  fake_put(&fc, "configmaps", "gl-001-config",
           json_pack("{s:{s:s} s:{s:s}}", "metadata", "name", "gl-001-config", "data", "optimizer",
                     "single-plant-v1"));
  fake_roll(&fc, MASTER, IMG("1.4.2"), 3, T0_MS + 5 * SEC); /* a rollout restart reads it too */
  call(w, &fc, T0_MS + 6 * SEC, "GET", "/api/v1/optimization/heat-distribution/status", NULL, &b);
  assert_string_equal(json_string_value(json_object_get(b, "optimization_status")), "optimal");
  json_decref(b);
  plant_free(w);
  fake_free(&fc);
}

/* Puts the database secret with password pw, created at t. */
static void put_secret(fake_cluster *fc, const char *pw_b64, long long t) {
  fake_put(fc, "secrets", "gl-001-db-credentials",
           json_pack("{s:{s:s s:s} s:{s:s s:s}}", "metadata", "name", "gl-001-db-credentials",
                     "creationTimestamp", fake_ts(t), "data", "username", "Z2wwMDFfdXNlcg==",
                     "password", pw_b64));
}

static void bad_secret__database_fails_until_pods_restart_after_the_fix(void **state) {
  (void)state;
  fake_cluster fc;
  fake_seed_world(&fc, IMG("1.4.2"));
  put_secret(&fc, "cm90YXRlZC1uZXc=", T0_MS - 600 * SEC); /* "rotated-new" */
  plant_world *w = world("{\"bad_images\": [], \"database\": {\"expected_password\": \"s3cret-old\"}}");
  json_t *b;
  assert_int_equal(call(w, &fc, T0_MS, "GET", "/api/v1/health/database", NULL, &b), 503);
  assert_non_null(strstr(json_string_value(json_object_get(b, "error")), "password authentication"));
  json_decref(b);
  fake_del(&fc, "secrets", "gl-001-db-credentials");
  assert_int_equal(call(w, &fc, T0_MS + 10 * SEC, "GET", "/api/v1/health/database", NULL, NULL), 503);
  put_secret(&fc, "czNjcmV0LW9sZA==", T0_MS + 20 * SEC); /* "s3cret-old" */
  assert_int_equal(call(w, &fc, T0_MS + 21 * SEC, "GET", "/api/v1/health/database", NULL, NULL), 503);
  fake_roll(&fc, MASTER, IMG("1.4.2"), 3, T0_MS + 40 * SEC); /* rollout restart */
  assert_int_equal(call(w, &fc, T0_MS + 45 * SEC, "GET", "/api/v1/health/database", NULL, NULL), 200);
  plant_free(w);
  fake_free(&fc);
}

/* Runs argv in pod at t; returns the exit status and the output (caller frees *out). */
static int run(plant_world *w, fake_cluster *fc, long long t, const char *pod, const char *const *argv,
               char **out) {
  char *err = NULL;
  int rc = plant_exec(w, &fc->view, t, NS, pod, argv, out, &err);
  free(err);
  return rc;
}

static void bad_migration__database_fails_until_migrated_back(void **state) {
  (void)state;
  fake_cluster fc;
  fake_seed_world(&fc, IMG("1.4.2"));
  plant_world *w = world("{\"bad_images\": [], \"database\": {\"bad_migrations\": [\"20251117143000\"]}}");
  assert_int_equal(call(w, &fc, T0_MS, "GET", "/api/v1/health/database", NULL, NULL), 503);
  char *out;
  const char *show[] = {"python", "manage.py", "showmigrations", "--plan", NULL};
  const char *pod = MASTER "-00000";
  assert_int_equal(run(w, &fc, T0_MS, pod, show, &out), 0);
  assert_non_null(strstr(out, "[X]  heat.20251117143000_multi_plant_optimization\n"));
  free(out);
  const char *migrate[] = {"python", "manage.py", "migrate", "heat", "20251116120000", NULL};
  assert_int_equal(run(w, &fc, T0_MS + SEC, pod, migrate, &out), 0);
  assert_non_null(strstr(out, "Unapplying heat.20251117143000_multi_plant_optimization... OK"));
  free(out);
  assert_int_equal(run(w, &fc, T0_MS + 2 * SEC, pod, show, &out), 0);
  assert_non_null(strstr(out, "[ ]  heat.20251117143000_multi_plant_optimization\n"));
  free(out);
  const char *psql[] = {"psql", "-U", "gl001_user", "-d", "gl001_production", "-c",
                        "SELECT * FROM schema_migrations ORDER BY version DESC LIMIT 5;", NULL};
  assert_int_equal(run(w, &fc, T0_MS + 3 * SEC, "postgresql-0", psql, &out), 0);
  assert_null(strstr(out, "20251117143000"));
  assert_non_null(strstr(out, " 20251116120000 | add_plant_zones"));
  free(out);
  assert_int_equal(call(w, &fc, T0_MS + 4 * SEC, "GET", "/api/v1/health/database", NULL, NULL), 200);
  plant_free(w);
  fake_free(&fc);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(no_backup_heat__plant_002_has_no_backup),
      cmocka_unit_test(sub_agents_bad__master_rollback_alone_keeps_heat_lost),
      cmocka_unit_test(single_plant__degraded_until_reverted_and_reloaded),
      cmocka_unit_test(single_plant__integration_progresses_gradually),
      cmocka_unit_test(blue_green__service_picks_the_answering_deployment),
      cmocka_unit_test(bad_config__optimization_fails_until_reverted_and_reloaded),
      cmocka_unit_test(bad_config__previous_data_from_the_annotation),
      cmocka_unit_test(bad_secret__database_fails_until_pods_restart_after_the_fix),
      cmocka_unit_test(bad_migration__database_fails_until_migrated_back),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
