/* test_sim_scenarios.c — every built-in scenario end to end, in process: the cluster and the plant
 * model together, driven as a plan drives them (rollout undo/restart patches, ConfigMap and Secret
 * writes, exec, Jobs) in virtual time, and judged only through the service proxy's answers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sim.h"
#include "sim_util.h"
#include "test_sim_fx.h"

#define NS "/api/v1/namespaces/greenlang"
#define APPS "/apis/apps/v1/namespaces/greenlang"
#define MASTER "gl-001-process-heat-orchestrator"
#define PROXY NS "/services/" MASTER ":8000/proxy/api/v1/"
#define SEC 1000LL

/* Returns the orchestrator's answer to METHOD api/v1/<api> (body may be NULL) through the master
 * Service's proxy (new), its status in *status. */
static json_t *api(sim_world *w, const char *method, const char *api_path, const char *body, int *status) {
  char *path = strutil_printf("%s%s", PROXY, api_path);
  json_t *j = tsim_req(w, method, path, NULL, NULL, body, status, NULL);
  free(path);
  return j;
}

/* Returns the orchestrator's answer to GET api/v1/<api>, asserting a 200 (new). */
static json_t *get200(sim_world *w, const char *api_path) {
  int st;
  json_t *j = api(w, "GET", api_path, NULL, &st);
  if (st != 200) fail_msg("GET %s: %d", api_path, st);
  return j;
}

/* Returns true when text has a number with more than `digits` digits after its decimal point. */
static bool long_fraction(const char *text, int digits) {
  for (const char *t = text; (t = strchr(t, '.')) != NULL; t++) {
    int n = 0;
    while (t[1 + n] >= '0' && t[1 + n] <= '9') n++;
    if (n > digits && t > text && t[-1] >= '0' && t[-1] <= '9') return true;
  }
  return false;
}

/* Asserts that every number in the answers to these API paths prints short (37.9, not
 * 37.899999999999999). */
static void assert_short_numbers(sim_world *w) {
  static const char *const paths[] = {"plants/heat-status", "plants/critical-heat-status", "plants/Plant-001/status",
                                      "optimization/heat-distribution/status", "emergency/rollback-verification"};
  for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
    char *path = strutil_printf("%s%s", PROXY, paths[i]), *text = NULL;
    int st;
    json_decref(tsim_req(w, "GET", path, NULL, NULL, NULL, &st, &text));
    assert_int_equal(st, 200);
    if (long_fraction(text, 6)) fail_msg("%s: long number in %s", paths[i], text);
    free(text), free(path);
  }
}

/* Returns a new world for the built-in scenario, with the scenario's seed. */
static sim_world *world(const char *name) {
  char *err = NULL;
  json_t *sc = sim_load_scenario(name, &err);
  if (!sc) fail_msg("scenario %s: %s", name, err);
  sim_world *w = sim_new(sc, (uint64_t)sim_util_jint(sc, "seed", 1), &err);
  if (!w) fail_msg("sim_new %s: %s", name, err);
  json_decref(sc);
  return w;
}

/* Returns how many plants report heat_loss in plants/heat-status. */
static int heat_lost(sim_world *w) {
  json_t *j = get200(w, "plants/heat-status"), *p;
  size_t i;
  int n = 0;
  json_array_foreach(json_object_get(j, "plants"), i, p) n += json_is_true(json_object_get(p, "heat_loss"));
  json_decref(j);
  return n;
}

/* Returns the string field of plant id in plants/heat-status (static copy). */
static const char *plant_str(sim_world *w, const char *id, const char *field) {
  static char buf[64];
  json_t *j = get200(w, "plants/heat-status"), *p;
  size_t i;
  buf[0] = '\0';
  json_array_foreach(json_object_get(j, "plants"), i, p)
    if (!strcmp(sim_util_jstr(p, "plant_id", ""), id)) snprintf(buf, sizeof buf, "%s", sim_util_jstr(p, field, ""));
  json_decref(j);
  return buf;
}

/* Returns agents/status's connected count. */
static int connected(sim_world *w) {
  json_t *j = get200(w, "agents/status");
  int n = (int)sim_util_jint(j, "connected", -1);
  json_decref(j);
  return n;
}

/* Returns the string at dotted path of GET api/v1/<api> (static copy). */
static const char *api_str(sim_world *w, const char *api_path, const char *dotted) {
  static char buf[128];
  json_t *j = get200(w, api_path);
  snprintf(buf, sizeof buf, "%s", sim_util_jstr(j, dotted, ""));
  json_decref(j);
  return buf;
}

/* Returns GET of a cluster object (new), asserting a 200. */
static json_t *kget(sim_world *w, const char *path) {
  int st;
  json_t *j = tsim_req(w, "GET", path, NULL, NULL, NULL, &st, NULL);
  if (st != 200) fail_msg("GET %s: %d", path, st);
  return j;
}

/* PATCHes a cluster object with the content type, asserting a 200. */
static void kpatch(sim_world *w, const char *path, const char *ct, const char *body) {
  int st;
  json_decref(tsim_req(w, "PATCH", path, NULL, ct, body, &st, NULL));
  if (st != 200) fail_msg("PATCH %s: %d", path, st);
}

/* Returns the annotations kubectl's undo writes: the deployment's revision annotation, then the
 * ReplicaSet's own annotations except the controller's bookkeeping (new). */
static json_t *undo_annotations(const json_t *d, const json_t *rs) {
  static const char *const skip[] = {"deployment.kubernetes.io/revision", "deployment.kubernetes.io/revision-history",
                                     "deployment.kubernetes.io/desired-replicas", "deployment.kubernetes.io/max-replicas",
                                     "kubectl.kubernetes.io/last-applied-configuration"};
  json_t *a = json_object(), *v;
  json_t *rev = json_object_get(sim_util_jpath(d, "metadata.annotations"), skip[0]);
  if (rev) json_object_set(a, skip[0], rev);
  const char *k;
  json_object_foreach(sim_util_jpath(rs, "metadata.annotations"), k, v) {
    bool skipped = false;
    for (size_t i = 0; i < sizeof skip / sizeof skip[0]; i++) skipped |= !strcmp(k, skip[i]);
    if (!skipped) json_object_set(a, k, v);
  }
  return a;
}

/* Returns the patch `kubectl rollout undo --to-revision=rev` sends for the deployment (caller frees). */
static char *undo_patch(sim_world *w, const char *dep, const char *rev) {
  char *dpath = strutil_printf(APPS "/deployments/%s", dep);
  json_t *d = kget(w, dpath), *list = kget(w, APPS "/replicasets"), *rs, *out = NULL;
  size_t i;
  json_array_foreach(json_object_get(list, "items"), i, rs) {
    const char *owner = sim_util_jstr(json_array_get(sim_util_jpath(rs, "metadata.ownerReferences"), 0), "name", "");
    const char *r = json_string_value(json_object_get(sim_util_jpath(rs, "metadata.annotations"), "deployment.kubernetes.io/revision"));
    if (strcmp(owner, dep) || !r || strcmp(r, rev)) continue;
    json_t *t = json_deep_copy(sim_util_jpath(rs, "spec.template"));
    json_object_del(sim_util_jpath(t, "metadata.labels"), "pod-template-hash");
    out = json_pack("[{s:s,s:s,s:o},{s:s,s:s,s:o}]", "op", "replace", "path", "/spec/template", "value", t, "op",
                    "replace", "path", "/metadata/annotations", "value", undo_annotations(d, rs));
  }
  if (!out) fail_msg("%s has no revision %s", dep, rev);
  char *patch = json_dumps(out, JSON_COMPACT);
  json_decref(out), json_decref(list), json_decref(d), free(dpath);
  return patch;
}

/* Rolls the deployment back to revision rev as `kubectl rollout undo` does. */
static void undo(sim_world *w, const char *dep, const char *rev) {
  char *patch = undo_patch(w, dep, rev), *path = strutil_printf(APPS "/deployments/%s", dep);
  kpatch(w, path, "application/json-patch+json", patch);
  free(patch), free(path);
}

/* Restarts the deployment's pods as `kubectl rollout restart` does. */
static void restart(sim_world *w, const char *dep) {
  char *path = strutil_printf(APPS "/deployments/%s", dep), tm[32];
  sim_util_time_rfc3339(sim_now(w) + 1763391600000LL, tm);
  char *body = strutil_printf("{\"spec\":{\"template\":{\"metadata\":{\"annotations\":"
                           "{\"kubectl.kubernetes.io/restartedAt\":\"%s\"}}}}}", tm);
  kpatch(w, path, "application/strategic-merge-patch+json", body);
  free(path), free(body);
}

/* Returns true when the deployment's rollout is complete (as `kubectl rollout status` judges). */
static bool rolled_out(sim_world *w, const char *dep) {
  char *path = strutil_printf(APPS "/deployments/%s", dep);
  json_t *d = kget(w, path);
  json_int_t want = sim_util_jint(d, "spec.replicas", 1);
  bool done = sim_util_jint(d, "status.observedGeneration", 0) >= sim_util_jint(d, "metadata.generation", 1) &&
              sim_util_jint(d, "status.updatedReplicas", 0) == want && sim_util_jint(d, "status.replicas", 0) == want &&
              sim_util_jint(d, "status.availableReplicas", 0) == want;
  json_decref(d), free(path);
  return done;
}

/* Runs time until the deployment has rolled out (at most 10 minutes); returns that time. */
static int64_t wait_rollout(sim_world *w, const char *dep) {
  int64_t limit = sim_now(w) + 600 * SEC;
  while (!rolled_out(w, dep)) {
    int64_t next = sim_next_change(w);
    if (next > limit) fail_msg("%s did not roll out", dep);
    sim_advance(w, next);
  }
  return sim_now(w);
}

static void bad_release__undo_restores_heat_then_agents(void **state) {
  (void)state;
  sim_world *w = world("bad-release");
  assert_int_equal(heat_lost(w), 5);
  assert_int_equal(connected(w), 0);
  assert_string_equal(api_str(w, "version", "version"), "1.5.0");
  assert_string_equal(api_str(w, "emergency/rollback-verification", "rollback_status"), "failed");
  assert_short_numbers(w);
  tsim_run_until(w, 10 * SEC);
  undo(w, MASTER, "12");
  tsim_run_until(w, 12 * SEC);
  assert_int_equal(heat_lost(w), 5); /* 1.5.0 still runs while the rollout proceeds */
  int64_t done = wait_rollout(w, MASTER);
  assert_string_equal(api_str(w, "version", "version"), "1.4.2");
  assert_int_equal(heat_lost(w), 5);
  tsim_run_until(w, done + 60 * SEC);
  assert_int_equal(heat_lost(w), 0);
  int half = connected(w);
  assert_true(half > 0 && half < 99);
  assert_short_numbers(w);
  tsim_run_until(w, done + 180 * SEC);
  assert_int_equal(connected(w), 99);
  assert_string_equal(api_str(w, "emergency/rollback-verification", "rollback_status"), "successful");
  int st;
  json_decref(api(w, "POST", "test/post-rollback-verification", NULL, &st));
  assert_int_equal(st, 200);
  sim_free(w);
}

static void no_backup_heat__plant_002_has_none(void **state) {
  (void)state;
  sim_world *w = world("no-backup-heat");
  json_t *j = get200(w, "plants/backup-heat-status"), *p;
  size_t i;
  assert_int_equal(json_array_size(json_object_get(j, "plants")), 5);
  json_array_foreach(json_object_get(j, "plants"), i, p) {
    bool p2 = !strcmp(sim_util_jstr(p, "plant_id", ""), "Plant-002");
    assert_int_equal(json_is_true(json_object_get(p, "backup_available")), !p2);
    if (p2) assert_true(json_number_value(json_object_get(p, "backup_capacity_mw")) == 0.0);
  }
  json_decref(j);
  assert_int_equal(heat_lost(w), 5); /* otherwise the bad release */
  sim_free(w);
}

/* Returns the Progressing condition's reason of the deployment (static copy). */
static const char *progressing(sim_world *w, const char *dep) {
  static char buf[64];
  char *path = strutil_printf(APPS "/deployments/%s", dep);
  json_t *d = kget(w, path), *c;
  size_t i;
  buf[0] = '\0';
  json_array_foreach(sim_util_jpath(d, "status.conditions"), i, c)
    if (!strcmp(sim_util_jstr(c, "type", ""), "Progressing")) snprintf(buf, sizeof buf, "%s", sim_util_jstr(c, "reason", ""));
  json_decref(d), free(path);
  return buf;
}

/* Returns how many pods labelled app=<app> run image and are Ready. */
static int ready_pods(sim_world *w, const char *app, const char *image) {
  char *path = strutil_printf(NS "/pods?labelSelector=app%%3D%s", app);
  sim_header h[1] = {{"Accept", "application/json"}};
  char *q = strchr(path, '?');
  *q = '\0';
  sim_request r = {"GET", path, q + 1, h, 1, NULL, 0};
  sim_response resp;
  sim_handle(w, &r, &resp);
  json_t *list = json_loads(resp.body, 0, NULL), *p, *c;
  sim_response_clear(&resp);
  size_t i, k;
  int n = 0;
  json_array_foreach(json_object_get(list, "items"), i, p) {
    if (strcmp(sim_util_jstr(json_array_get(sim_util_jpath(p, "spec.containers"), 0), "image", ""), image)) continue;
    json_array_foreach(sim_util_jpath(p, "status.conditions"), k, c)
      n += !strcmp(sim_util_jstr(c, "type", ""), "Ready") && !strcmp(sim_util_jstr(c, "status", ""), "True");
  }
  json_decref(list), free(path);
  return n;
}

static void stuck_rollout__undo_target_never_ready__deadline_exceeded(void **state) {
  (void)state;
  sim_world *w = world("stuck-rollout");
  undo(w, MASTER, "12");
  tsim_run_until(w, 300 * SEC);
  assert_string_equal(progressing(w, MASTER), "ReplicaSetUpdated");
  assert_int_equal(ready_pods(w, MASTER, "gcr.io/greenlang/gl-001:1.4.2"), 0);
  tsim_run_until(w, 700 * SEC);
  assert_string_equal(progressing(w, MASTER), "ProgressDeadlineExceeded");
  assert_int_equal(ready_pods(w, MASTER, "gcr.io/greenlang/gl-001:1.4.2"), 0);
  assert_int_equal(ready_pods(w, MASTER, "gcr.io/greenlang/gl-001:1.5.0"), 3);
  assert_string_equal(api_str(w, "version", "version"), "1.5.0");
  assert_int_equal(heat_lost(w), 5);
  sim_free(w);
}

/* Returns the version agents/versions reports for agent id (static copy). */
static const char *agent_version(sim_world *w, const char *id) {
  static char buf[32];
  json_t *j = get200(w, "agents/versions"), *a;
  size_t i;
  buf[0] = '\0';
  json_array_foreach(json_object_get(j, "agents"), i, a)
    if (!strcmp(sim_util_jstr(a, "agent_id", ""), id)) snprintf(buf, sizeof buf, "%s", sim_util_jstr(a, "version", ""));
  json_decref(j);
  return buf;
}

static void sub_agents_bad__heat_needs_the_four_sub_agents_rolled_back(void **state) {
  (void)state;
  static const char *const subs[] = {"gl-002-boiler-efficiency", "gl-003-combustion-optimizer",
                                     "gl-004-emissions-control", "gl-005-heat-recovery"};
  sim_world *w = world("sub-agents-bad");
  assert_int_equal(heat_lost(w), 5);
  assert_string_equal(agent_version(w, "GL-002"), "2.4.0");
  undo(w, MASTER, "12");
  tsim_run_until(w, wait_rollout(w, MASTER) + 120 * SEC);
  assert_int_equal(heat_lost(w), 4); /* the plants that GL-002…GL-005 serve */
  assert_string_equal(plant_str(w, "Plant-005", "heat_status"), "normal");
  for (size_t i = 0; i < 3; i++) undo(w, subs[i], "8");
  for (size_t i = 0; i < 3; i++) wait_rollout(w, subs[i]);
  tsim_run_until(w, sim_now(w) + 120 * SEC);
  assert_int_equal(heat_lost(w), 1);
  assert_string_equal(plant_str(w, "Plant-004", "heat_status"), "critical");
  assert_string_equal(agent_version(w, "GL-002"), "2.3.1");
  undo(w, subs[3], "8");
  int64_t done = wait_rollout(w, subs[3]);
  tsim_run_until(w, done + 60 * SEC);
  assert_int_equal(heat_lost(w), 0);
  tsim_run_until(w, done + 180 * SEC);
  assert_string_equal(api_str(w, "emergency/rollback-verification", "rollback_status"), "successful");
  sim_free(w);
}

/* Returns the JSON object in the ConfigMap's annotation rbk.dev/previous-data (new). */
static json_t *previous_data(sim_world *w, const char *cm) {
  char *path = strutil_printf(NS "/configmaps/%s", cm);
  json_t *c = kget(w, path);
  json_t *prev = json_loads(json_string_value(json_object_get(sim_util_jpath(c, "metadata.annotations"), "rbk.dev/previous-data")),
                            0, NULL);
  assert_true(json_is_object(prev));
  json_decref(c), free(path);
  return prev;
}

/* Replaces the ConfigMap's data with `data` (borrowed) by a JSON patch, as a plan reverting it does. */
static void put_data(sim_world *w, const char *cm, json_t *data) {
  json_t *ops = json_pack("[{s:s,s:s,s:O}]", "op", "replace", "path", "/data", "value", data);
  char *body = json_dumps(ops, JSON_COMPACT), *path = strutil_printf(NS "/configmaps/%s", cm);
  kpatch(w, path, "application/json-patch+json", body);
  json_decref(ops), free(body), free(path);
}

static void single_plant__only_plant_003_until_reverted_and_reloaded(void **state) {
  (void)state;
  sim_world *w = world("single-plant");
  assert_int_equal(heat_lost(w), 0);
  assert_string_equal(plant_str(w, "Plant-003", "heat_status"), "degraded");
  for (const char *const *p = (const char *const[]){"Plant-001", "Plant-002", "Plant-004", "Plant-005", NULL}; *p; p++)
    assert_string_equal(plant_str(w, *p, "heat_status"), "normal");
  json_t *prev = previous_data(w, "gl-001-plant-configs"), *half = json_deep_copy(prev);
  json_object_set_new(half, "plant-003.yaml",
                      json_string("plant_id: \"Plant-003\"\nheat_demand_mw: 45\noptimization_enabled: true\n"));
  put_data(w, "gl-001-plant-configs", half);
  int st;
  json_decref(api(w, "POST", "config/reload", "{\"plants\": [\"Plant-003\"]}", &st));
  assert_int_equal(st, 200);
  assert_string_equal(plant_str(w, "Plant-003", "heat_status"), "degraded"); /* one field still bad */
  put_data(w, "gl-001-plant-configs", prev);
  tsim_run_until(w, 30 * SEC);
  assert_string_equal(plant_str(w, "Plant-003", "heat_status"), "degraded"); /* not reloaded yet */
  json_decref(api(w, "POST", "config/reload", "{\"plants\": [\"Plant-003\"]}", &st));
  assert_int_equal(st, 200);
  json_t *p3 = get200(w, "plants/Plant-003/status");
  assert_string_equal(sim_util_jstr(p3, "heat_status", ""), "normal");
  assert_true(json_number_value(json_object_get(p3, "heat_demand_mw")) == 45.0);
  json_decref(p3), json_decref(prev), json_decref(half);
  sim_free(w);
}

/* Points the master Service's selector at deployment=<which>. */
static void select_color(sim_world *w, const char *which) {
  char *body = strutil_printf("{\"spec\":{\"selector\":{\"deployment\":\"%s\"}}}", which);
  kpatch(w, NS "/services/" MASTER, "application/merge-patch+json", body);
  free(body);
}

static void blue_green__switching_the_selector_to_blue_restores_heat(void **state) {
  (void)state;
  sim_world *w = world("blue-green");
  assert_int_equal(heat_lost(w), 5);
  assert_string_equal(api_str(w, "version", "version"), "1.5.0");
  tsim_run_until(w, 5 * SEC);
  select_color(w, "gl-001-blue");
  assert_string_equal(api_str(w, "version", "version"), "1.4.2");
  tsim_run_until(w, 15 * SEC);
  assert_int_equal(heat_lost(w), 5); /* heat takes time to come back */
  tsim_run_until(w, 65 * SEC);
  assert_int_equal(heat_lost(w), 0);
  tsim_run_until(w, 5 * SEC + 240 * SEC);
  assert_string_equal(api_str(w, "emergency/rollback-verification", "rollback_status"), "successful");
  sim_free(w);
}

/* Returns optimization/heat-distribution/status's optimization_status (static copy). */
static const char *optimization(sim_world *w) { return api_str(w, "optimization/heat-distribution/status", "optimization_status"); }

static void bad_config__broken_until_reverted_and_reloaded_or_restarted(void **state) {
  (void)state;
  for (int restart_pods = 0; restart_pods < 2; restart_pods++) {
    sim_world *w = world("bad-config");
    assert_int_equal(heat_lost(w), 0);
    assert_string_equal(optimization(w), "failed");
    json_t *prev = previous_data(w, "gl-001-config");
    put_data(w, "gl-001-config", prev);
    json_decref(prev);
    tsim_run_until(w, 30 * SEC);
    assert_string_equal(optimization(w), "failed"); /* still the loaded config */
    if (restart_pods) {
      restart(w, MASTER);
      wait_rollout(w, MASTER);
    } else {
      int st;
      json_decref(api(w, "POST", "config/reload", NULL, &st));
      assert_int_equal(st, 200);
    }
    assert_string_not_equal(optimization(w), "failed");
    tsim_run_until(w, sim_now(w) + 10 * SEC);
    assert_string_equal(optimization(w), "optimal");
    sim_free(w);
  }
}

/* Returns health/database's status code, and its error text in err (static copy). */
static int db_health(sim_world *w, const char **err) {
  static char buf[160];
  int st;
  json_t *j = api(w, "GET", "health/database", NULL, &st);
  snprintf(buf, sizeof buf, "%s", sim_util_jstr(j, "error", ""));
  json_decref(j);
  *err = buf;
  return st;
}

static void bad_secret__database_fails_until_previous_password_and_restart(void **state) {
  (void)state;
  char *e = NULL;
  json_t *sc = sim_load_scenario("bad-secret", &e);
  const char *pw = sim_util_jstr(sc, "plan_secrets.GL001_DB_PASSWORD_PREVIOUS", NULL);
  assert_non_null(pw);
  sim_world *w = world("bad-secret");
  const char *err;
  assert_int_equal(db_health(w, &err), 503);
  assert_non_null(strstr(err, "password authentication failed"));
  char *b64 = sim_util_base64(pw, strlen(pw)), *body = strutil_printf("{\"data\":{\"password\":\"%s\"}}", b64);
  kpatch(w, NS "/secrets/gl-001-db-credentials", "application/merge-patch+json", body);
  free(b64), free(body), json_decref(sc);
  tsim_run_until(w, 30 * SEC);
  assert_int_equal(db_health(w, &err), 503); /* the running pods keep the old password */
  restart(w, MASTER);
  wait_rollout(w, MASTER);
  assert_int_equal(db_health(w, &err), 200);
  sim_free(w);
}

/* Runs argv in the first pod of deployment/<dep> (or pod when dep is NULL); returns the exit status,
 * stdout in *out (caller frees). */
static int exec_in(sim_world *w, const char *ref, const char *const *argv, char **out) {
  char *err = NULL, *pod = sim_ref_to_pod(w, "greenlang", ref, &err);
  if (!pod) fail_msg("%s: %s", ref, err);
  int rc = sim_exec(w, "greenlang", pod, NULL, argv, out, &err);
  free(err), free(pod);
  return rc;
}

#define UNAPPLY "Unapplying heat.20251117143000_multi_plant_optimization... OK"

static void bad_migration__database_fails_until_migration_unapplied(void **state) {
  (void)state;
  sim_world *w = world("bad-migration");
  const char *err;
  assert_int_equal(db_health(w, &err), 503);
  assert_non_null(strstr(err, "schema check failed"));
  assert_int_equal(heat_lost(w), 0);
  char *out;
  const char *show[] = {"python", "manage.py", "showmigrations", "--plan", NULL};
  assert_int_equal(exec_in(w, "deployment/" MASTER, show, &out), 0);
  assert_non_null(strstr(out, "[X]  heat.20251117143000_multi_plant_optimization"));
  free(out);
  const char *migrate[] = {"python", "manage.py", "migrate", "heat", "20251116120000", NULL};
  assert_int_equal(exec_in(w, "deployment/" MASTER, migrate, &out), 0);
  assert_non_null(strstr(out, UNAPPLY));
  free(out);
  assert_int_equal(db_health(w, &err), 200);
  sim_free(w);
}

/* Returns the logs of the job's first pod (caller frees). */
static char *job_logs(sim_world *w, const char *job) {
  char *err = NULL, *ref = strutil_printf("job/%s", job), *pod = sim_ref_to_pod(w, "greenlang", ref, &err);
  if (!pod) fail_msg("%s: %s", ref, err);
  char *path = strutil_printf(NS "/pods/%s/log", pod);
  sim_header h[1] = {{"Accept", "*/*"}};
  sim_request r = {"GET", path, NULL, h, 1, NULL, 0};
  sim_response resp;
  sim_handle(w, &r, &resp);
  assert_int_equal(resp.status, 200);
  char *logs = strdup(resp.body);
  sim_response_clear(&resp);
  free(path), free(pod), free(ref);
  return logs;
}

#define MIGRATE_JOB                                                                                \
  "{\"apiVersion\":\"batch/v1\",\"kind\":\"Job\",\"metadata\":{\"name\":\"migration-rollback\"},"  \
  "\"spec\":{\"backoffLimit\":0,\"template\":{\"spec\":{\"restartPolicy\":\"Never\",\"containers\":[" \
  "{\"name\":\"job\",\"image\":\"gcr.io/greenlang/gl-001:1.4.2\","                                  \
  "\"command\":[\"python\",\"manage.py\",\"migrate\",\"heat\",\"20251116120000\"]}]}}}}"

/* Returns the active connections the seed's `psql -U postgres -c "SELECT COUNT(*) …"` counts. */
static int active_connections(sim_world *w) {
  const char *argv[] = {"psql", "-U", "postgres", "-c",
                        "SELECT COUNT(*) FROM pg_stat_activity WHERE datname='gl001_production' AND state='active';", NULL};
  char *out;
  assert_int_equal(exec_in(w, "pod/postgresql-0", argv, &out), 0);
  const char *row = strstr(out, "-\n");
  assert_non_null(row);
  assert_non_null(strstr(out, "(1 row)"));
  int n = atoi(row + 2);
  free(out);
  return n;
}

/* Scales the master deployment to n replicas through the scale subresource. */
static void scale(sim_world *w, int n) {
  char *body = strutil_printf("{\"spec\":{\"replicas\":%d}}", n);
  kpatch(w, APPS "/deployments/" MASTER "/scale", "application/merge-patch+json", body);
  free(body);
}

static void bad_migration__a_migrate_job_unapplies_it(void **state) {
  (void)state;
  sim_world *w = world("bad-migration");
  int st;
  assert_int_equal(active_connections(w), 6);
  scale(w, 0);
  tsim_run_until(w, 30 * SEC);
  assert_int_equal(active_connections(w), 0);
  json_decref(tsim_req(w, "POST", "/apis/batch/v1/namespaces/greenlang/jobs", NULL, NULL, MIGRATE_JOB, &st, NULL));
  assert_int_equal(st, 201);
  const char *err;
  tsim_run_until(w, 5 * SEC);
  assert_int_equal(active_connections(w), 0); /* the job's pod is no app server */
  tsim_run_until(w, 35 * SEC);
  assert_int_equal(db_health(w, &err), 503); /* no app pod yet, and the job is still running */
  tsim_run_until(w, 90 * SEC);
  json_t *job = kget(w, "/apis/batch/v1/namespaces/greenlang/jobs/migration-rollback");
  assert_int_equal(sim_util_jint(job, "status.succeeded", 0), 1);
  /* defaulted as the API server does, so `kubectl logs job/x` finds its pod by the selector */
  const char *sel = json_string_value(json_object_get(sim_util_jpath(job, "spec.selector.matchLabels"),
                                                     "batch.kubernetes.io/controller-uid"));
  assert_non_null(sel);
  assert_string_equal(sel, sim_util_jstr(job, "metadata.uid", "?"));
  assert_string_equal(json_string_value(json_object_get(sim_util_jpath(job, "spec.template.metadata.labels"), "job-name")),
                      "migration-rollback");
  json_decref(job);
  char *logs = job_logs(w, "migration-rollback");
  assert_non_null(strstr(logs, UNAPPLY));
  free(logs);
  scale(w, 3);
  wait_rollout(w, MASTER);
  assert_int_equal(db_health(w, &err), 200);
  assert_int_equal(active_connections(w), 6);
  char *out;
  const char *sql[] = {"psql", "-U", "gl001_user", "-d", "gl001_production", "-c",
                       "SELECT * FROM schema_migrations ORDER BY version DESC LIMIT 5;", NULL};
  assert_int_equal(exec_in(w, "pod/postgresql-0", sql, &out), 0);
  assert_null(strstr(out, "20251117143000"));
  assert_non_null(strstr(out, "20251116120000"));
  free(out);
  sim_free(w);
}

static void flaky_api__some_5xx_429_drops_and_latency(void **state) {
  (void)state;
  sim_world *w = world("flaky-api");
  int ok = 0, e500 = 0, e503 = 0, e429 = 0, drops = 0, other = 0;
  int64_t max_delay = 0, sum_delay = 0;
  for (int i = 0; i < 400; i++) {
    sim_header h[1] = {{"Accept", "application/json"}};
    sim_request r = {"GET", PROXY "plants/heat-status", NULL, h, 1, NULL, 0};
    sim_response resp;
    sim_handle(w, &r, &resp);
    if (resp.drop) drops++;
    else if (resp.status == 200) ok++, assert_non_null(strstr(resp.body, "\"heat_loss\":true"));
    else if (resp.status == 500) e500++;
    else if (resp.status == 503 || resp.status == 429) {
      *(resp.status == 503 ? &e503 : &e429) += 1;
      assert_string_equal(sim_response_header(&resp, "Retry-After"), "1");
    } else other++;
    max_delay = resp.delay_ms > max_delay ? resp.delay_ms : max_delay;
    sum_delay += resp.delay_ms;
    sim_response_clear(&resp);
  }
  assert_int_equal(other, 0);
  assert_true(e500 > 0 && e503 > 0 && e429 > 0);
  assert_true(e500 + e503 + e429 > 400 / 20 && e500 + e503 + e429 < 400 / 5); /* about 10 % */
  assert_true(ok > 300);
  assert_true(drops < 20);
  assert_true(max_delay <= 300 && max_delay > 200 && sum_delay / 400 > 100 && sum_delay / 400 < 200);
  sim_free(w);
}


/* Returns the error of sim_new for bad-release with `key` set to the JSON text `value` (caller
 * frees), or NULL when the world was made. */
static char *new_with(const char *key, const char *value) {
  char *err = NULL;
  json_t *sc = sim_load_scenario("bad-release", &err);
  json_object_set_new(sc, key, json_loads(value, JSON_DECODE_ANY, NULL));
  sim_world *w = sim_new(sc, 1, &err);
  json_decref(sc);
  sim_free(w);
  return err;
}

static void scenario__process_stubs__kept_for_the_rehearsal_and_checked(void **state) {
  (void)state;
  char *err = NULL;
  json_t *sc = sim_load_scenario("bad-release", &err);
  sim_world *w = sim_new(sc, 1, &err);
  assert_null(sim_process_stubs(w));
  sim_free(w);
  json_t *stubs = json_loads("[{\"argv\": [\"kubectl\", \"vers*\"], \"status\": 0, \"stdout\": \"v1.32\", \"stderr\": \"\"},"
                             " {\"argv\": [\"true\"]}]", 0, NULL);
  json_object_set(sc, "process_stubs", stubs);
  w = sim_new(sc, 1, &err);
  assert_non_null(w);
  assert_true(json_equal((json_t *)sim_process_stubs(w), stubs));
  sim_free(w);
  json_decref(sc), json_decref(stubs);
  static const struct {
    const char *value, *error;
  } bad[] = {
      {"{}", "scenario: \"process_stubs\" must be a list"},
      {"[1]", "scenario: process_stubs[0] must be an object"},
      {"[{\"argv\": [\"a\"], \"exit\": 0}]", "scenario: unknown key \"exit\" in process_stubs[0]"},
      {"[{\"argv\": []}]", "scenario: process_stubs[0].argv must be a non-empty list of texts"},
      {"[{\"argv\": [\"a\"]}, {\"argv\": [\"a\", 2]}]", "scenario: process_stubs[1].argv must be a non-empty list of texts"},
      {"[{\"argv\": [\"a\"], \"status\": \"0\"}]", "scenario: process_stubs[0].status must be an integer"},
      {"[{\"argv\": [\"a\"], \"stderr\": 1}]", "scenario: process_stubs[0].stderr must be a text"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    err = new_with("process_stubs", bad[i].value);
    assert_non_null(err);
    assert_string_equal(err, bad[i].error);
    free(err);
  }
  err = new_with("process_stub", "[]");
  assert_string_equal(err, "scenario: unknown key \"process_stub\" in the scenario");
  free(err);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(bad_release__undo_restores_heat_then_agents),
      cmocka_unit_test(no_backup_heat__plant_002_has_none),
      cmocka_unit_test(stuck_rollout__undo_target_never_ready__deadline_exceeded),
      cmocka_unit_test(sub_agents_bad__heat_needs_the_four_sub_agents_rolled_back),
      cmocka_unit_test(single_plant__only_plant_003_until_reverted_and_reloaded),
      cmocka_unit_test(blue_green__switching_the_selector_to_blue_restores_heat),
      cmocka_unit_test(bad_config__broken_until_reverted_and_reloaded_or_restarted),
      cmocka_unit_test(bad_secret__database_fails_until_previous_password_and_restart),
      cmocka_unit_test(bad_migration__database_fails_until_migration_unapplied),
      cmocka_unit_test(bad_migration__a_migrate_job_unapplies_it),
      cmocka_unit_test(flaky_api__some_5xx_429_drops_and_latency),
      cmocka_unit_test(scenario__process_stubs__kept_for_the_rehearsal_and_checked),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
