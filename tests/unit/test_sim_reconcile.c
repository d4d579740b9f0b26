/* test_sim_reconcile.c — the controllers' shortcuts: skipping quiet objects gives the same answers
 * as syncing every object on every pass, the store's index of dependents by owner, the semantic
 * template comparison without copies, and the memo tables. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "sim_memo.h"
#include "sim_world.h"

#define APPS "/apis/apps/v1/namespaces/greenlang"
#define MASTER APPS "/deployments/gl-001-process-heat-orchestrator"
#define HEALTH "/api/v1/namespaces/greenlang/services/gl-001-process-heat-orchestrator:8000/proxy/api/v1/health/database"

/* A scenario with every kind of timer: crash loops, pull failures, readiness that never comes, a
 * job that fails by rule, and a stuck rollout. */
static const char *const EDGES =
    "{\"extends\": \"bad-migration\", \"cluster\": {\"images\": {\"nginx:2\": {\"fault\": \"CrashLoopBackOff\"},"
    " \"busybox\": {\"fault\": \"ErrImagePull\"}, \"gcr.io/greenlang/gl-001:1.4.1\": {\"fault\": \"NeverReady\"}},"
    " \"jobs\": [{\"match\": \"nosuchcmd\", \"duration\": \"3s\", \"exit\": 1}], \"timing\": {\"backoff_max\": \"40s\"}},"
    " \"faults\": {\"stuck_rollout\": [\"web\"]}}";

/* Appends one request's status and body to the transcript. */
static void call(sim_world *w, valbuf *b, const char *method, const char *path, const char *ct, const char *body) {
  sim_header h[1] = {{"Content-Type", ct ? ct : "application/json"}};
  sim_request r = {method, path, NULL, h, 1, body, body ? strlen(body) : 0};
  sim_response resp;
  sim_handle(w, &r, &resp);
  valbuf_printf(b, "@%lld %s %s %d %s\n", (long long)sim_now(w), method, path, resp.status, resp.body ? resp.body : "");
  sim_watch_free(resp.watch);
  sim_response_clear(&resp);
}

/* Appends the logs of the pod behind ref ("job/m") to the transcript, when there is one. */
static void job_logs(sim_world *w, valbuf *b, const char *ref) {
  char *err = NULL, *pod = sim_ref_to_pod(w, "greenlang", ref, &err);
  if (pod) {
    char *path = strutil_printf("/api/v1/namespaces/greenlang/pods/%s/log", pod);
    call(w, b, "GET", path, NULL, NULL);
    free(path);
  }
  free(pod), free(err);
}

/* Follows the world's own timers up to `until`, noting each step and the pods in the transcript. */
static void run_until(sim_world *w, valbuf *b, int64_t until) {
  for (int i = 0; i < 10000 && sim_next_change(w) <= until; i++) {
    sim_advance(w, sim_next_change(w));
    valbuf_printf(b, "-- %lld rv %llu\n", (long long)sim_now(w), (unsigned long long)sim_resource_version(w));
    call(w, b, "GET", HEALTH, NULL, NULL);
    job_logs(w, b, "job/m");
  }
  sim_advance(w, until);
  call(w, b, "GET", "/api/v1/namespaces/greenlang/pods", NULL, NULL);
}

/* Returns the scenario: a built-in name, or JSON text resolved through a temporary file (new). */
static json_t *load(const char *scenario) {
  char path[] = "/tmp/rbk-test-scenario-XXXXXX", *err = NULL;
  if (scenario[0] != '{') return sim_load_scenario(scenario, &err);
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  assert_int_equal(write(fd, scenario, strlen(scenario)), (ssize_t)strlen(scenario));
  close(fd);
  json_t *sc = sim_load_scenario(path, &err);
  unlink(path);
  if (!sc) fail_msg("%s", err);
  return sc;
}

/* Returns the transcript of a fixed script against the scenario (built-in name or JSON text): a
 * rollout, scaling, jobs, a paused Recreate deployment, deletions. *syncs gets the objects synced. */
static char *transcript(const char *scenario, bool sync_all, uint64_t *syncs) {
  char *err = NULL;
  json_t *sc = load(scenario);
  assert_non_null(sc);
  sim_world *w = sim_new(sc, 3, &err);
  json_decref(sc);
  if (!w) fail_msg("sim_new: %s", err);
  w->sync_all = sync_all;
  valbuf b = {0};
  call(w, &b, "PATCH", MASTER, "application/strategic-merge-patch+json",
       "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"orchestrator\",\"image\":\"gcr.io/greenlang/gl-001:1.4.1\"}]}}}}");
  for (int64_t t = 300; t < 12000; t += 1700) sim_advance(w, t), call(w, &b, "GET", MASTER, NULL, NULL);
  call(w, &b, "PATCH", APPS "/deployments/gl-002-boiler-efficiency/scale", "application/merge-patch+json",
       "{\"spec\":{\"replicas\":4}}");
  run_until(w, &b, 30000);
  call(w, &b, "POST", "/apis/batch/v1/namespaces/greenlang/jobs", NULL,
       "{\"metadata\":{\"name\":\"m\"},\"spec\":{\"template\":{\"spec\":{\"restartPolicy\":\"Never\",\"containers\":[{\"name\":\"m\",\"image\":"
       "\"busybox\",\"command\":[\"python\",\"manage.py\",\"migrate\",\"heat\",\"20251116120000\"]}]}}}}");
  call(w, &b, "POST", "/apis/batch/v1/namespaces/greenlang/jobs", NULL,
       "{\"metadata\":{\"name\":\"f\"},\"spec\":{\"backoffLimit\":1,\"template\":{\"spec\":{\"restartPolicy\":\"Never\",\"containers\":[{\"name\":\"f\","
       "\"image\":\"gcr.io/greenlang/gl-001:1.4.2\",\"command\":[\"nosuchcmd\"]}]}}}}");
  call(w, &b, "POST", APPS "/deployments", NULL,
       "{\"metadata\":{\"name\":\"web\"},\"spec\":{\"replicas\":2,\"selector\":{\"matchLabels\":{\"app\":\"web\"}},"
       "\"strategy\":{\"type\":\"Recreate\"},\"template\":{\"metadata\":{\"labels\":{\"app\":\"web\"}},\"spec\":"
       "{\"containers\":[{\"name\":\"web\",\"image\":\"nginx:2\"}]}}}}");
  run_until(w, &b, 90000);
  call(w, &b, "PATCH", APPS "/deployments/web", "application/merge-patch+json", "{\"spec\":{\"paused\":true,\"replicas\":3}}");
  call(w, &b, "DELETE", APPS "/deployments/gl-003-combustion-optimizer", NULL, "{\"propagationPolicy\":\"Orphan\"}");
  call(w, &b, "DELETE", APPS "/deployments/gl-004-emissions-control", NULL, NULL);
  run_until(w, &b, 200000);
  call(w, &b, "PATCH", APPS "/deployments/web", "application/merge-patch+json", "{\"spec\":{\"paused\":false}}");
  run_until(w, &b, 900000);
  call(w, &b, "GET", "/apis/apps/v1/replicasets", NULL, NULL);
  call(w, &b, "GET", "/apis/batch/v1/jobs", NULL, NULL);
  call(w, &b, "GET", "/api/v1/events", NULL, NULL);
  *syncs = w->syncs;
  sim_free(w);
  return valbuf_take(&b, NULL);
}

static void reconcile__skipping_quiet_objects__same_answers_as_syncing_all(void **state) {
  (void)state;
  const char *const scenarios[] = {"bad-release", "stuck-rollout", "flaky-api", EDGES};
  for (size_t i = 0; i < sizeof scenarios / sizeof *scenarios; i++) {
    uint64_t fast_syncs, all_syncs;
    char *fast = transcript(scenarios[i], false, &fast_syncs), *all = transcript(scenarios[i], true, &all_syncs);
    assert_string_equal(fast, all);
    assert_non_null(strstr(fast, "\"kind\":\"ReplicaSet\""));
    assert_true(fast_syncs * 3 < all_syncs); /* most syncs were skipped */
    free(fast), free(all);
  }
}

static void reconcile__edge_scenario__exercises_every_timer(void **state) {
  (void)state;
  uint64_t syncs;
  char *t = transcript(EDGES, false, &syncs);
  assert_non_null(strstr(t, "CrashLoopBackOff"));
  assert_non_null(strstr(t, "ErrImagePull"));
  assert_non_null(strstr(t, "BackoffLimitExceeded"));
  free(t);
}

/* Pods that exist at the start with a faulty image are in that fault's state, never Ready: the
 * pull failure Pending, the crash loop Running (it ran before) in its back-off (docs/simulator.md). */
static void boot__faulty_current_images__pods_start_in_the_fault(void **state) {
  (void)state;
  char *err = NULL;
  json_t *sc = load("{\"extends\": \"bad-release\", \"cluster\": {\"images\": {\"gcr.io/greenlang/gl-002:2.3.1\": "
                    "{\"fault\": \"ImagePullBackOff\"}, \"gcr.io/greenlang/gl-003:2.3.1\": {\"fault\": \"CrashLoopBackOff\"}}}}");
  sim_world *w = sim_new(sc, 1, &err);
  json_decref(sc);
  if (!w) fail_msg("sim_new: %s", err);
  static const struct {
    const char *app, *phase, *reason;
  } want[] = {{"gl-002-boiler-efficiency", "Pending", "ImagePullBackOff"},
              {"gl-003-combustion-optimizer", "Running", "CrashLoopBackOff"},
              {"gl-004-emissions-control", "Running", NULL}};
  for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
    char *query = strutil_printf("labelSelector=app%%3D%s", want[i].app);
    sim_request r = {"GET", "/api/v1/namespaces/greenlang/pods", query, NULL, 0, NULL, 0};
    sim_response resp;
    sim_handle(w, &r, &resp);
    json_t *list = json_loads(resp.body, 0, NULL), *pod;
    size_t k;
    assert_true(json_array_size(json_object_get(list, "items")) > 0);
    json_array_foreach(json_object_get(list, "items"), k, pod) {
      json_t *st = json_object_get(pod, "status"), *cs = json_array_get(json_object_get(st, "containerStatuses"), 0);
      assert_string_equal(json_string_value(json_object_get(st, "phase")), want[i].phase);
      assert_true(json_is_true(json_object_get(cs, "ready")) == (want[i].reason == NULL));
      const char *reason = json_string_value(json_object_get(json_object_get(json_object_get(cs, "state"), "waiting"), "reason"));
      if (want[i].reason) assert_string_equal(reason, want[i].reason);
    }
    json_decref(list);
    sim_response_clear(&resp);
    free(query);
  }
  sim_free(w);
}

/* Returns a pod named name in ns owned by uid (none when uid is NULL). */
static json_t *pod(const char *ns, const char *name, const char *uid) {
  json_t *p = json_pack("{s:{s:s,s:s}}", "metadata", "name", name, "namespace", ns);
  if (uid)
    json_object_set_new(json_object_get(p, "metadata"), "ownerReferences",
                        json_pack("[{s:s,s:s,s:b}]", "kind", "ReplicaSet", "uid", uid, "controller", 1));
  return p;
}

/* Returns the names of uid's pods in ns (NULL: all namespaces), comma-separated (caller frees). */
static char *dependents(sims_store *st, const char *ns, const char *uid) {
  json_t *deps = sim_store_dependents(st, SIMR_PODS, ns, uid), *d;
  valbuf b = {0};
  size_t i;
  json_array_foreach(deps, i, d) valbuf_printf(&b, "%s%s", i ? "," : "", sim_util_jstr(d, "metadata.name", ""));
  json_decref(deps);
  return valbuf_take(&b, NULL);
}

static void owners__index__follows_creates_updates_deletes(void **state) {
  (void)state;
  sims_store st;
  assert_true(sim_store_init(&st, 64, 1));
  assert_int_equal(sim_store_owner_rv(&st, "A"), 0);
  sim_store_create(&st, SIMR_PODS, pod("ns", "p2", "A"), 0);
  sim_store_create(&st, SIMR_PODS, pod("ns", "p1", "A"), 0);
  sim_store_create(&st, SIMR_PODS, pod("other", "p0", "A"), 0);
  sim_store_create(&st, SIMR_PODS, pod("ns", "q", "B"), 0);
  char *names = dependents(&st, "ns", "A");
  assert_string_equal(names, "p1,p2");
  free(names);
  names = dependents(&st, NULL, "A");
  assert_string_equal(names, "p1,p2,p0"); /* "ns/…" sorts before "other/…" */
  free(names);
  assert_int_equal(sim_store_owner_rv(&st, "A"), 3);
  json_t *orphan = sim_store_edit(sim_store_get(&st, SIMR_PODS, "ns", "p1"));
  json_object_del(json_object_get(orphan, "metadata"), "ownerReferences");
  sim_store_update(&st, SIMR_PODS, orphan);
  names = dependents(&st, "ns", "A");
  assert_string_equal(names, "p2");
  free(names);
  assert_int_equal(sim_store_owner_rv(&st, "A"), 5);
  assert_int_equal(sim_store_owner_rv(&st, "B"), 4);
  json_t *relabel = sim_store_edit(sim_store_get(&st, SIMR_PODS, "ns", "q"));
  json_object_set_new(relabel, "spec", json_pack("{s:s}", "nodeName", "n"));
  sim_store_update(&st, SIMR_PODS, relabel);
  assert_int_equal(sim_store_owner_rv(&st, "B"), 6);
  assert_true(sim_store_delete(&st, SIMR_PODS, "ns", "q"));
  assert_int_equal(sim_store_owner_rv(&st, "B"), 0); /* no dependents left */
  assert_true(sim_store_delete(&st, SIMR_PODS, "ns", "p2"));
  assert_true(sim_store_delete(&st, SIMR_PODS, "other", "p0"));
  names = dependents(&st, NULL, "A");
  assert_string_equal(names, "");
  free(names);
  assert_int_equal(sim_store_owner_rv(&st, "A"), 0);
  sim_store_free(&st);
}

static void store__edit_and_delete__never_change_the_stored_object(void **state) {
  (void)state;
  sims_store st;
  assert_true(sim_store_init(&st, 64, 1));
  const json_t *p = sim_store_create(&st, SIMR_PODS, pod("ns", "p", "A"), 0);
  char *before = json_dumps(p, JSON_COMPACT);
  json_t *c = sim_store_edit(p);
  sim_util_jset_str(json_object_get(c, "metadata"), "resourceVersion", "999");
  json_object_set_new(c, "status", json_pack("{s:s}", "phase", "Running"));
  char *after = json_dumps(p, JSON_COMPACT);
  assert_string_equal(before, after);
  free(after);
  json_decref(c);
  const json_t *kept = sim_store_hist_at(&st, 0)->obj;
  assert_true(sim_store_delete(&st, SIMR_PODS, "ns", "p"));
  after = json_dumps(kept, JSON_COMPACT);
  assert_string_equal(before, after);
  assert_string_equal(sim_util_jstr(sim_store_hist_at(&st, 1)->obj, "metadata.resourceVersion", ""), "2");
  free(before), free(after);
  sim_store_free(&st);
}

/* A small deterministic generator of JSON trees for the template comparison. */
typedef struct {
  sim_rng rng;
} gen;

/* Returns a random value of at most depth levels (new). */
static json_t *random_value(gen *g, int depth) {
  static const char *const keys[] = {"a", "b", "labels", "metadata", "pod-template-hash", "spec"};
  switch (sim_util_rng_range(&g->rng, 0, depth > 0 ? 6 : 3)) {
  case 0: return json_null();
  case 1: return json_integer(sim_util_rng_range(&g->rng, 0, 2));
  case 2: return json_string(sim_util_rng_range(&g->rng, 0, 1) ? "x" : "y");
  case 3: return sim_util_rng_range(&g->rng, 0, 1) ? json_true() : json_real(1.0);
  case 4: {
    json_t *a = json_array();
    for (int64_t n = sim_util_rng_range(&g->rng, 0, 2); n > 0; n--) json_array_append_new(a, random_value(g, depth - 1));
    return a;
  }
  default: {
    json_t *o = json_object();
    for (int64_t n = sim_util_rng_range(&g->rng, 0, 3); n > 0; n--)
      json_object_set_new(o, keys[sim_util_rng_range(&g->rng, 0, 5)], random_value(g, depth - 1));
    return o;
  }
  }
}

/* Returns a template-like tree: {"metadata": {"labels": …}, "spec": …} with random parts (new). */
static json_t *random_template(gen *g) {
  json_t *t = json_object(), *meta = json_object(), *labels = json_object();
  if (sim_util_rng_range(&g->rng, 0, 1)) json_object_set_new(labels, "pod-template-hash", json_string("abc"));
  if (sim_util_rng_range(&g->rng, 0, 1)) json_object_set_new(labels, "app", random_value(g, 1));
  json_object_set_new(meta, "labels", sim_util_rng_range(&g->rng, 0, 4) ? labels : (json_decref(labels), random_value(g, 2)));
  json_object_set_new(t, "metadata", meta);
  json_object_set_new(t, "spec", random_value(g, 3));
  if (sim_util_rng_range(&g->rng, 0, 3) == 0) json_object_set_new(t, "extra", random_value(g, 2));
  return t;
}

/* Applies one random change to a copy of t that may or may not change its semantic form (new). */
static json_t *mutate(gen *g, const json_t *t) {
  json_t *c = json_deep_copy(t), *meta = json_object_get(c, "metadata");
  switch (sim_util_rng_range(&g->rng, 0, 4)) {
  case 0: json_object_set_new(c, "empty", sim_util_rng_range(&g->rng, 0, 1) ? json_object() : json_null()); break;
  case 1:
    if (json_is_object(json_object_get(meta, "labels")))
      json_object_set_new(json_object_get(meta, "labels"), "pod-template-hash", json_string("zzz"));
    break;
  case 2: json_object_set_new(c, "spec", random_value(g, 3)); break;
  case 3: json_object_set_new(meta, "annotations", json_pack("{s:{s:[]}}", "a", "b")); break;
  default: break;
  }
  return c;
}

static void template_equal__same_verdict_as_comparing_semantic_copies(void **state) {
  (void)state;
  gen g;
  sim_util_rng_seed(&g.rng, 7);
  int equal = 0, different = 0;
  for (int i = 0; i < 4000; i++) {
    json_t *a = random_template(&g), *b = i % 2 ? mutate(&g, a) : random_template(&g);
    json_t *x = sim_util_semantic(a), *y = sim_util_semantic(b);
    bool want = json_equal(x, y);
    assert_int_equal(sim_util_template_equal(a, b), want);
    assert_int_equal(sim_util_template_equal(b, a), want);
    equal += want, different += !want;
    json_decref(a), json_decref(b), json_decref(x), json_decref(y);
  }
  assert_true(equal > 500 && different > 500);
  assert_true(sim_util_template_equal(NULL, NULL));
  json_t *empty = json_object();
  assert_false(sim_util_template_equal(NULL, empty)); /* null and {} differ at the top */
  json_decref(empty);
}

static void memo__table__put_get_overwrite_clear(void **state) {
  (void)state;
  simm_table t = {0};
  char key[32];
  assert_null(sim_memo_get(&t, "x"));
  for (int i = 0; i < 1000; i++) {
    snprintf(key, sizeof key, "ns/pod-%d", i);
    assert_true(sim_memo_put(&t, key, (simm_entry){(uint64_t)i + 1, 0, INT64_MAX, 5}));
  }
  assert_int_equal(sim_memo_size(&t), 1000);
  assert_true(sim_memo_put(&t, "ns/pod-7", (simm_entry){99, 1, 10, 10}));
  assert_int_equal(sim_memo_size(&t), 1000);
  assert_int_equal(sim_memo_get(&t, "ns/pod-7")->rv, 99);
  assert_int_equal(sim_memo_get(&t, "ns/pod-999")->rv, 1000);
  assert_null(sim_memo_get(&t, "ns/pod-1000"));
  sim_memo_clear(&t);
  assert_int_equal(sim_memo_size(&t), 0);
  assert_null(sim_memo_get(&t, "ns/pod-7"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(reconcile__skipping_quiet_objects__same_answers_as_syncing_all),
      cmocka_unit_test(reconcile__edge_scenario__exercises_every_timer),
      cmocka_unit_test(boot__faulty_current_images__pods_start_in_the_fault),
      cmocka_unit_test(owners__index__follows_creates_updates_deletes),
      cmocka_unit_test(store__edit_and_delete__never_change_the_stored_object),
      cmocka_unit_test(template_equal__same_verdict_as_comparing_semantic_copies),
      cmocka_unit_test(memo__table__put_get_overwrite_clear),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
