/* test_plant.c — the plant model's core: heat lost while a bad release runs and restored after a
 * rollback, agents reconnecting over time, determinism by seed, and every endpoint's JSON shape. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "test_plant_fake.h"

#define SEC 1000LL

typedef struct {
  fake_cluster fc;
  plant_world *w;
} fixture;

/* Sets up the seed's bad-release world (1.5.0 running) with seed 42. */
static int setup_bad_release(void **state) {
  fixture *f = calloc(1, sizeof *f);
  fake_seed_world(&f->fc, IMG("1.5.0"));
  char *err = NULL;
  f->w = plant_new(NULL, 42, &err);
  assert_null(err);
  assert_non_null(f->w);
  *state = f;
  return 0;
}

/* Releases the fixture. */
static int teardown(void **state) {
  fixture *f = *state;
  plant_free(f->w);
  fake_free(&f->fc);
  free(f);
  return 0;
}

static void plant__bad_release__heat_lost_and_agents_disconnected(void **state) {
  fixture *f = *state;
  assert_int_equal(fake_heat_lost(f->w, &f->fc, T0_MS), 5);
  assert_int_equal(fake_connected(f->w, &f->fc, T0_MS), 0);
  json_t *body;
  assert_int_equal(fake_get_api(f->w, &f->fc, T0_MS, "/api/v1/plants/heat-status", &body), 200);
  json_t *p = json_array_get(json_object_get(body, "plants"), 0);
  assert_string_equal(json_string_value(json_object_get(p, "heat_status")), "critical");
  assert_true(json_is_false(json_object_get(p, "critical_systems_ok")));
  assert_true(json_array_size(json_object_get(p, "alarms")) > 0);
  json_decref(body);
  assert_int_equal(fake_get_api(f->w, &f->fc, T0_MS, "/api/v1/safety/alarms", &body), 200);
  assert_int_equal(json_array_size(json_object_get(body, "active_alarms")), 5);
  json_decref(body);
}

static void plant__rollback__heat_restored_within_a_minute(void **state) {
  fixture *f = *state;
  long long fix = T0_MS + 90 * SEC;
  assert_int_equal(fake_heat_lost(f->w, &f->fc, T0_MS + 60 * SEC), 5);
  fake_roll(&f->fc, MASTER, IMG("1.4.2"), 3, fix);
  assert_int_equal(fake_heat_lost(f->w, &f->fc, fix), 5); /* restoration takes a while */
  assert_int_equal(plant_next_change(f->w, fix), fix + 45 * SEC);
  assert_int_equal(fake_heat_lost(f->w, &f->fc, fix + 44 * SEC), 5);
  assert_int_equal(fake_heat_lost(f->w, &f->fc, fix + 60 * SEC), 0);
}

static void plant__mixed_rollout__heat_lost_while_any_ready_pod_is_bad(void **state) {
  fixture *f = *state;
  fake_add_pod(&f->fc, MASTER, IMG("1.4.2"), 1, T0_MS);
  assert_int_equal(fake_heat_lost(f->w, &f->fc, T0_MS + 120 * SEC), 5);
  fake_remove_pods(&f->fc, MASTER);
  fake_add_pod(&f->fc, MASTER, IMG("1.4.2"), 1, T0_MS);
  fake_add_pod(&f->fc, MASTER, IMG("1.5.0"), 0, T0_MS); /* not ready: does not count */
  assert_int_equal(fake_heat_lost(f->w, &f->fc, T0_MS + 130 * SEC), 5);
  assert_int_equal(fake_heat_lost(f->w, &f->fc, T0_MS + 175 * SEC), 0);
}

static void plant__rollback__agents_reconnect_over_two_minutes(void **state) {
  fixture *f = *state;
  long long fix = T0_MS + 10 * SEC;
  assert_int_equal(fake_connected(f->w, &f->fc, T0_MS), 0);
  fake_roll(&f->fc, MASTER, IMG("1.4.2"), 3, fix);
  int last = fake_connected(f->w, &f->fc, fix), distinct = 0;
  assert_int_equal(last, 0);
  for (long long t = fix; t <= fix + 180 * SEC; t += 10 * SEC) {
    int n = fake_connected(f->w, &f->fc, t);
    assert_true(n >= last);
    distinct += n != last;
    last = n;
  }
  assert_int_equal(last, 99);
  assert_true(distinct >= 6); /* staggered, not all at once */
  assert_true(fake_connected(f->w, &f->fc, fix + 170 * SEC) == 99);
  assert_int_equal(plant_next_change(f->w, fix + 180 * SEC), INT64_MAX);
}

/* Returns the agents/status text at a few times after a rollback at T0+5s, for a seed. */
static char *run_story(uint64_t seed) {
  fake_cluster fc;
  fake_seed_world(&fc, IMG("1.5.0"));
  char *err = NULL;
  plant_world *w = plant_new(NULL, seed, &err);
  json_t *all = json_array(), *body;
  fake_get_api(w, &fc, T0_MS, "/api/v1/plants/heat-status", &body);
  json_array_append_new(all, body);
  fake_roll(&fc, MASTER, IMG("1.4.2"), 3, T0_MS + 5 * SEC);
  for (long long t = T0_MS + 5 * SEC; t < T0_MS + 200 * SEC; t += 20 * SEC) {
    fake_get_api(w, &fc, t, "/api/v1/agents/status", &body);
    json_array_append_new(all, body);
    fake_get_api(w, &fc, t, "/api/v1/emergency/rollback-verification", &body);
    json_array_append_new(all, body);
  }
  char *text = json_dumps(all, JSON_SORT_KEYS);
  json_decref(all);
  plant_free(w);
  fake_free(&fc);
  return text;
}

static void plant__seed__same_seed_same_answers_other_seed_other_schedule(void **state) {
  (void)state;
  char *a = run_story(7), *b = run_story(7), *c = run_story(8);
  assert_string_equal(a, b);
  assert_string_not_equal(a, c);
  free(a), free(b), free(c);
}

/* Asserts that obj has every named field. */
static void assert_fields(const json_t *obj, const char *const *names) {
  for (; *names; names++) {
    if (!json_object_get(obj, *names)) fail_msg("missing field %s", *names);
  }
}

static void plant__endpoints__answer_the_seed_jq_shapes(void **state) {
  fixture *f = *state;
  json_t *b;
  assert_int_equal(fake_get_api(f->w, &f->fc, T0_MS, "/api/v1/plants/critical-heat-status", &b), 200);
  assert_fields(json_array_get(json_object_get(b, "plants"), 4),
                (const char *[]){"plant_id", "heat_status", "critical_systems_ok", "heat_loss", NULL});
  json_decref(b);
  assert_int_equal(fake_get_api(f->w, &f->fc, T0_MS, "/api/v1/plants/backup-heat-status", &b), 200);
  assert_fields(json_array_get(json_object_get(b, "plants"), 1),
                (const char *[]){"plant_id", "backup_available", "backup_capacity_mw", NULL});
  json_decref(b);
  assert_int_equal(fake_get_api(f->w, &f->fc, T0_MS, "/api/v1/plants/heat-status", &b), 200);
  assert_fields(json_array_get(json_object_get(b, "plants"), 2),
                (const char *[]){"plant_id", "heat_status", "efficiency", "alarms", "heat_loss", NULL});
  json_decref(b);
  assert_int_equal(fake_get_api(f->w, &f->fc, T0_MS, "/api/v1/agents/versions", &b), 200);
  json_t *agents = json_object_get(b, "agents");
  assert_int_equal(json_array_size(agents), 99);
  json_t *a0 = json_array_get(agents, 0);
  assert_fields(a0, (const char *[]){"agent_id", "version", "deployment_time", NULL});
  assert_string_equal(json_string_value(json_object_get(a0, "agent_id")), "GL-002");
  assert_true(json_is_integer(json_object_get(a0, "deployment_time")));
  size_t i, recent = 0;
  json_array_foreach(agents, i, a0) /* jq: select(.deployment_time > (now - 7200)) */
    recent += json_integer_value(json_object_get(a0, "deployment_time")) > T0_MS / 1000 - 7200;
  assert_int_equal(recent, 8);
  json_decref(b);
  assert_int_equal(fake_get_api(f->w, &f->fc, T0_MS, "/api/v1/agents/deployment-groups", &b), 200);
  json_t *g = json_array_get(json_object_get(b, "deployment_groups"), 0);
  assert_fields(g, (const char *[]){"deployment_id", "agents", "deployment_time", NULL});
  assert_int_equal(json_integer_value(json_object_get(g, "deployment_time")), T0_MS / 1000 - 1800);
  assert_string_equal(json_string_value(json_array_get(json_object_get(g, "agents"), 0)), "gl-001");
  json_decref(b);
  assert_int_equal(fake_get_api(f->w, &f->fc, T0_MS, "/api/v1/agents/status", &b), 200);
  assert_fields(json_array_get(json_object_get(b, "agents"), 1),
                (const char *[]){"agent_id", "plant_id", "status", NULL});
  assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(b, "agents"), 1),
                                                        "plant_id")), "Plant-002");
  json_decref(b);
  assert_int_equal(fake_get_api(f->w, &f->fc, T0_MS,
                                "/api/v1/optimization/heat-distribution/status", &b), 200);
  assert_string_equal(json_string_value(json_object_get(b, "optimization_status")), "degraded");
  json_decref(b);
  assert_int_equal(fake_get_api(f->w, &f->fc, T0_MS, "/api/v1/safety/alarms", &b), 200);
  assert_true(json_is_array(json_object_get(b, "active_alarms")));
  json_decref(b);
  assert_int_equal(fake_get_api(f->w, &f->fc, T0_MS, "/api/v1/health", &b), 200);
  json_decref(b);
  assert_int_equal(fake_get_api(f->w, &f->fc, T0_MS, "/api/v1/health/database", &b), 200);
  json_decref(b);
  assert_int_equal(fake_get_api(f->w, &f->fc, T0_MS, "/api/v1/message-bus/health", &b), 200);
  json_decref(b);
  assert_int_equal(fake_get_api(f->w, &f->fc, T0_MS, "/api/v1/config/current", &b), 200);
  assert_fields(b, (const char *[]){"config", "plant_configs", "loaded_at", NULL});
  json_decref(b);
}

static void plant__version__answers_the_ready_pods_release(void **state) {
  fixture *f = *state;
  json_t *b;
  assert_int_equal(fake_get_api(f->w, &f->fc, T0_MS, "/api/v1/version", &b), 200);
  assert_string_equal(json_string_value(json_object_get(b, "version")), "1.5.0");
  assert_int_equal(json_integer_value(json_object_get(b, "revision")), 13);
  json_decref(b);
  fake_roll(&f->fc, MASTER, IMG("1.4.2"), 3, T0_MS + SEC);
  assert_int_equal(fake_get_api(f->w, &f->fc, T0_MS + SEC, "/api/v1/version", &b), 200);
  json_t *want = json_pack("{s:s s:s s:i s:s}", "agent_id", "GL-001", "version", "1.4.2",
                           "revision", 12, "build_time", "2025-11-10T10:30:00Z");
  assert_true(json_equal(b, want));
  json_decref(want);
  json_decref(b);
}

static void plant__rollback_verification__seed_shape_failed_then_successful(void **state) {
  fixture *f = *state;
  json_t *b;
  assert_int_equal(fake_get_api(f->w, &f->fc, T0_MS, "/api/v1/emergency/rollback-verification", &b), 200);
  assert_string_equal(json_string_value(json_object_get(b, "rollback_status")), "failed");
  assert_int_equal(json_integer_value(json_object_get(json_object_get(b, "heat_status"),
                                                      "heat_loss_count")), 5);
  json_decref(b);
  fake_roll(&f->fc, MASTER, IMG("1.4.2"), 3, T0_MS + SEC);
  assert_int_equal(fake_get_api(f->w, &f->fc, T0_MS + SEC, "/api/v1/emergency/rollback-verification", &b), 200);
  assert_string_equal(json_string_value(json_object_get(b, "rollback_status")), "in_progress");
  json_decref(b);
  assert_int_equal(fake_get_api(f->w, &f->fc, T0_MS + 300 * SEC,
                                "/api/v1/emergency/rollback-verification", &b), 200);
  json_t *shape = json_pack(
      "{s:s s:{s:b s:b s:i} s:{s:i s:s s:s} s:{s:i s:i s:b} s:{s:s s:f} s:{s:i s:b}}",
      "rollback_status", "successful", "heat_status", "all_plants_ok", 1, "critical_heat_restored",
      1, "heat_loss_count", 0, "master_orchestrator", "pods_running", 3, "health", "healthy",
      "version", "1.4.2", "sub_agents", "total", 99, "connected", 99, "coordination_ok", 1,
      "optimization", "heat_distribution", "optimal", "efficiency",
      json_real_value(json_object_get(json_object_get(b, "optimization"), "efficiency")), "safety",
      "alarms_active", 0, "safety_systems_ok", 1);
  assert_true(json_equal(b, shape));
  double eff = json_real_value(json_object_get(json_object_get(b, "optimization"), "efficiency"));
  assert_true(eff > 80.0 && eff < 90.0);
  json_decref(shape);
  json_decref(b);
}

static void plant__post_rollback_verification__500_listing_failures_then_200(void **state) {
  fixture *f = *state;
  json_t *b;
  int st = plant_http(f->w, &f->fc.view, T0_MS, MASTER, "POST",
                      "/api/v1/test/post-rollback-verification", NULL, 0, &b);
  assert_int_equal(st, 500);
  assert_string_equal(json_string_value(json_array_get(json_object_get(b, "failures"), 0)), "heat_status");
  assert_int_equal(json_array_size(json_object_get(b, "checks")), 8);
  json_decref(b);
  fake_roll(&f->fc, MASTER, IMG("1.4.2"), 3, T0_MS + SEC);
  st = plant_http(f->w, &f->fc.view, T0_MS + 100 * SEC, MASTER, "POST",
                  "/api/v1/test/post-rollback-verification", NULL, 0, &b);
  if (st != 200) fail_msg("%s", json_dumps(b, 0));
  assert_string_equal(json_string_value(json_object_get(b, "status")), "passed");
  assert_true(json_array_size(json_object_get(b, "warnings")) > 0); /* agents still reconnecting */
  json_decref(b);
}

static void plant__http__errors_are_json_with_status(void **state) {
  fixture *f = *state;
  json_t *b;
  assert_int_equal(fake_get_api(f->w, &f->fc, T0_MS, "/api/v1/nope", &b), 404);
  assert_non_null(json_object_get(b, "error"));
  json_decref(b);
  assert_int_equal(fake_get_api(f->w, &f->fc, T0_MS, "/healthz", &b), 404);
  json_decref(b);
  assert_int_equal(fake_get_api(f->w, &f->fc, T0_MS, "/api/v1/plants/Plant-009/status", &b), 404);
  json_decref(b);
  assert_int_equal(fake_get_api(f->w, &f->fc, T0_MS, "/api/v1/config/reload", &b), 405);
  json_decref(b);
  const char *bad = "{\"reason\": ";
  assert_int_equal(plant_http(f->w, &f->fc.view, T0_MS, MASTER, "POST",
                              "/api/v1/plants/Plant-003/isolate", bad, strlen(bad), &b), 400);
  json_decref(b);
  const char *wrong = "{\"reason\": 3}";
  assert_int_equal(plant_http(f->w, &f->fc.view, T0_MS, MASTER, "POST",
                              "/api/v1/plants/Plant-003/isolate", wrong, strlen(wrong), &b), 400);
  json_decref(b);
  assert_int_equal(fake_get_api(f->w, &f->fc, T0_MS, "/api/v1/health?verbose=1", &b), 200);
  json_decref(b);
  fake_remove_pods(&f->fc, MASTER);
  assert_int_equal(fake_get_api(f->w, &f->fc, T0_MS, "/api/v1/health", &b), 503);
  json_decref(b);
}

static void plant__new__rejects_malformed_sections(void **state) {
  (void)state;
  const char *bad[] = {"{\"heat\": 1}", "{\"plants\": [{\"plant_id\": \"Plant-009\"}]}",
                       "{\"bad_images\": [{\"image\": \"x\", \"effect\": \"explode\"}]}",
                       "{\"timing\": {\"heat_restore\": 3}}", "{\"agents\": {\"count\": 0}}",
                       "[1]", "{\"database\": {\"bad_migrations\": [\"1999\"]}}",
                       "{\"timing\": {\"heat_restore_s\": 1e300}}" /* past an int64 in ms (fuzz_scenario) */};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    json_t *sec = json_loads(bad[i], JSON_DECODE_ANY, NULL);
    char *err = NULL;
    plant_world *w = plant_new(sec, 1, &err);
    if (w) fail_msg("accepted %s", bad[i]);
    assert_non_null(err);
    assert_non_null(strstr(err, "plant section"));
    free(err);
    json_decref(sec);
  }
}

static void plant__webhooks__records_what_was_sent(void **state) {
  fixture *f = *state;
  plant_tick(f->w, &f->fc.view, T0_MS + 5 * SEC);
  assert_int_equal(plant_record_webhook(f->w, "https://hooks.slack.com/x", "{\"text\": \"hi\"}"), 0);
  assert_int_equal(plant_record_webhook(f->w, "https://example.com/hook", "plain"), 0);
  json_t *all = plant_webhooks(f->w);
  assert_int_equal(json_array_size(all), 2);
  json_t *first = json_array_get(all, 0);
  assert_string_equal(json_string_value(json_object_get(json_object_get(first, "body"), "text")), "hi");
  assert_int_equal(json_integer_value(json_object_get(first, "time_ms")), T0_MS + 5 * SEC);
  assert_string_equal(json_string_value(json_object_get(json_array_get(all, 1), "body")), "plain");
  json_decref(all);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(plant__bad_release__heat_lost_and_agents_disconnected,
                                      setup_bad_release, teardown),
      cmocka_unit_test_setup_teardown(plant__rollback__heat_restored_within_a_minute,
                                      setup_bad_release, teardown),
      cmocka_unit_test_setup_teardown(plant__mixed_rollout__heat_lost_while_any_ready_pod_is_bad,
                                      setup_bad_release, teardown),
      cmocka_unit_test_setup_teardown(plant__rollback__agents_reconnect_over_two_minutes,
                                      setup_bad_release, teardown),
      cmocka_unit_test(plant__seed__same_seed_same_answers_other_seed_other_schedule),
      cmocka_unit_test_setup_teardown(plant__endpoints__answer_the_seed_jq_shapes,
                                      setup_bad_release, teardown),
      cmocka_unit_test_setup_teardown(plant__version__answers_the_ready_pods_release,
                                      setup_bad_release, teardown),
      cmocka_unit_test_setup_teardown(plant__rollback_verification__seed_shape_failed_then_successful,
                                      setup_bad_release, teardown),
      cmocka_unit_test_setup_teardown(plant__post_rollback_verification__500_listing_failures_then_200,
                                      setup_bad_release, teardown),
      cmocka_unit_test_setup_teardown(plant__http__errors_are_json_with_status, setup_bad_release,
                                      teardown),
      cmocka_unit_test(plant__new__rejects_malformed_sections),
      cmocka_unit_test_setup_teardown(plant__webhooks__records_what_was_sent, setup_bad_release,
                                      teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
