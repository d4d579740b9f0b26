/* test_sim_world.c — the simulated cluster through sim_handle: the rollout controller, the
 * progress deadline, watches, errors, pagination, faults and determinism. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sim.h"
#include "sim_util.h"
#include "test_sim_fx.h"

#define DEP "/apis/apps/v1/namespaces/greenlang/deployments/gl-001-process-heat-orchestrator"
#define RSS "/apis/apps/v1/namespaces/greenlang/replicasets"

/* Returns the rollback patch kubectl sends to go back to the ReplicaSet with that revision. */
static char *undo_patch(sim_world *w, const char *revision) {
  int st;
  json_t *list = tsim_call(w, "GET", RSS, "labelSelector=app%3Dgl-001-process-heat-orchestrator", NULL, NULL, &st), *rs;
  size_t i;
  char *patch = NULL;
  json_array_foreach(json_object_get(list, "items"), i, rs) {
    if (strcmp(json_string_value(json_object_get(sim_util_jpath(rs, "metadata.annotations"), "deployment.kubernetes.io/revision")), revision)) continue;
    json_t *t = json_deep_copy(sim_util_jpath(rs, "spec.template"));
    json_object_del(sim_util_jpath(t, "metadata.labels"), "pod-template-hash");
    json_t *ops = json_pack("[{s:s,s:s,s:o},{s:s,s:s,s:{s:s}}]", "op", "replace", "path", "/spec/template", "value", t, "op",
                            "replace", "path", "/metadata/annotations", "value", "deployment.kubernetes.io/revision", "13");
    patch = json_dumps(ops, JSON_COMPACT);
    json_decref(ops);
  }
  json_decref(list);
  assert_non_null(patch);
  return patch;
}

/* Returns the deployment's annotation. */
static const char *dep_annotation(const json_t *d, const char *key) {
  return json_string_value(json_object_get(sim_util_jpath(d, "metadata.annotations"), key));
}

static void rollout__undo_to_older_revision__reuses_its_replicaset(void **state) {
  (void)state;
  sim_world *w = tsim_world("bad-release", 1);
  int st;
  char *patch = undo_patch(w, "12");
  json_decref(tsim_call(w, "PATCH", DEP, NULL, "application/json-patch+json", patch, &st));
  assert_int_equal(st, 200);
  free(patch);
  tsim_run_until(w, 120000);
  json_t *d = tsim_call(w, "GET", DEP, NULL, NULL, NULL, &st);
  assert_string_equal(dep_annotation(d, "deployment.kubernetes.io/revision"), "14");
  assert_int_equal(sim_util_jint(d, "status.observedGeneration", 0), sim_util_jint(d, "metadata.generation", -1));
  assert_int_equal(sim_util_jint(d, "status.updatedReplicas", 0), 3);
  assert_int_equal(sim_util_jint(d, "status.availableReplicas", 0), 3);
  json_decref(d);
  json_t *list = tsim_call(w, "GET", RSS, "labelSelector=app%3Dgl-001-process-heat-orchestrator", NULL, NULL, &st), *rs;
  assert_int_equal(json_array_size(json_object_get(list, "items")), 4);
  size_t i, found = 0;
  json_array_foreach(json_object_get(list, "items"), i, rs) {
    const char *rev = dep_annotation(rs, "deployment.kubernetes.io/revision");
    if (!strcmp(rev, "14")) {
      found++;
      assert_string_equal(dep_annotation(rs, "deployment.kubernetes.io/revision-history"), "12");
      assert_int_equal(sim_util_jint(rs, "spec.replicas", 0), 3);
    } else {
      assert_int_equal(sim_util_jint(rs, "spec.replicas", -1), 0);
    }
  }
  assert_int_equal(found, 1);
  json_decref(list);
  sim_free(w);
}

static void rollout__bad_image__progress_deadline_exceeded(void **state) {
  (void)state;
  sim_world *w = tsim_world("stuck-rollout", 1);
  int st;
  char *patch = undo_patch(w, "12");
  json_decref(tsim_call(w, "PATCH", DEP, NULL, "application/json-patch+json", patch, &st));
  free(patch);
  tsim_run_until(w, 599000);
  json_t *d = tsim_call(w, "GET", DEP, NULL, NULL, NULL, &st), *c;
  size_t i;
  json_array_foreach(sim_util_jpath(d, "status.conditions"), i, c)
    if (!strcmp(sim_util_jstr(c, "type", ""), "Progressing")) assert_string_equal(sim_util_jstr(c, "reason", ""), "ReplicaSetUpdated");
  assert_int_equal(sim_util_jint(d, "status.availableReplicas", 0), 3);
  json_decref(d);
  tsim_run_until(w, 700000);
  d = tsim_call(w, "GET", DEP, NULL, NULL, NULL, &st);
  json_array_foreach(sim_util_jpath(d, "status.conditions"), i, c)
    if (!strcmp(sim_util_jstr(c, "type", ""), "Progressing")) {
      assert_string_equal(sim_util_jstr(c, "reason", ""), "ProgressDeadlineExceeded");
      assert_string_equal(sim_util_jstr(c, "status", ""), "False");
    }
  json_decref(d);
  json_t *pods = tsim_call(w, "GET", "/api/v1/namespaces/greenlang/pods", "fieldSelector=status.phase%3DPending", NULL, NULL, &st);
  json_t *p = json_array_get(json_object_get(pods, "items"), 0);
  assert_string_equal(sim_util_jstr(json_array_get(sim_util_jpath(p, "status.containerStatuses"), 0), "state.waiting.reason", ""),
                      "ImagePullBackOff");
  json_decref(pods);
  sim_free(w);
}

static void errors__status_objects__as_the_api_server_words_them(void **state) {
  (void)state;
  sim_world *w = tsim_world("bad-release", 1);
  int st;
  json_t *j = tsim_call(w, "GET", "/apis/apps/v1/namespaces/greenlang/deployments/nope", NULL, NULL, NULL, &st);
  assert_int_equal(st, 404);
  assert_string_equal(sim_util_jstr(j, "message", ""), "deployments.apps \"nope\" not found");
  assert_string_equal(sim_util_jstr(j, "reason", ""), "NotFound");
  json_decref(j);
  const char *cm = "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"x\"},\"data\":{\"a\":\"1\"}}";
  json_decref(tsim_call(w, "POST", "/api/v1/namespaces/greenlang/configmaps", NULL, NULL, cm, &st));
  assert_int_equal(st, 201);
  j = tsim_call(w, "POST", "/api/v1/namespaces/greenlang/configmaps", NULL, NULL, cm, &st);
  assert_int_equal(st, 409);
  assert_string_equal(sim_util_jstr(j, "reason", ""), "AlreadyExists");
  json_decref(j);
  const char *stale = "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"x\",\"resourceVersion\":\"1\"}}";
  j = tsim_call(w, "PUT", "/api/v1/namespaces/greenlang/configmaps/x", NULL, NULL, stale, &st);
  assert_int_equal(st, 409);
  assert_string_equal(sim_util_jstr(j, "reason", ""), "Conflict");
  json_decref(j);
  j = tsim_call(w, "PATCH", DEP, NULL, "application/merge-patch+json", "{\"metadata\":{\"name\":\"other\"}}", &st);
  assert_int_equal(st, 422);
  assert_string_equal(sim_util_jstr(j, "message", ""),
                      "Deployment.apps \"gl-001-process-heat-orchestrator\" is invalid: metadata.name: Invalid value: "
                      "\"other\": field is immutable");
  json_decref(j);
  j = tsim_call(w, "POST", "/api/v1/namespaces/greenlang/configmaps", NULL, NULL, "{not json", &st);
  assert_int_equal(st, 400);
  json_decref(j);
  j = tsim_call(w, "GET", "/apis/apps/v1/namespaces/greenlang/widgets", NULL, NULL, NULL, &st);
  assert_int_equal(st, 404);
  json_decref(j);
  sim_free(w);
}

static void list__pagination__continue_and_expiry(void **state) {
  (void)state;
  sim_world *w = tsim_world("{\"cluster\":{\"namespace\":\"ns\",\"watch\":{\"history\":4},\"configmaps\":[{\"name\":\"a\"},"
                      "{\"name\":\"b\"},{\"name\":\"c\"}]}}", 1);
  int st;
  json_t *p1 = tsim_call(w, "GET", "/api/v1/namespaces/ns/configmaps", "limit=2", NULL, NULL, &st);
  assert_int_equal(json_array_size(json_object_get(p1, "items")), 2);
  assert_int_equal(sim_util_jint(p1, "metadata.remainingItemCount", 0), 1);
  char *q = strutil_printf("limit=2&continue=%s", sim_util_jstr(p1, "metadata.continue", ""));
  json_t *p2 = tsim_call(w, "GET", "/api/v1/namespaces/ns/configmaps", q, NULL, NULL, &st);
  assert_int_equal(json_array_size(json_object_get(p2, "items")), 1);
  assert_string_equal(sim_util_jstr(json_array_get(json_object_get(p2, "items"), 0), "metadata.name", ""), "c");
  json_decref(p2);
  for (int i = 0; i < 6; i++) {
    char body[200];
    snprintf(body, sizeof body, "{\"metadata\":{\"name\":\"n%d\"}}", i);
    json_decref(tsim_call(w, "POST", "/api/v1/namespaces/ns/configmaps", NULL, NULL, body, &st));
  }
  p2 = tsim_call(w, "GET", "/api/v1/namespaces/ns/configmaps", q, NULL, NULL, &st);
  assert_int_equal(st, 410);
  assert_string_equal(sim_util_jstr(p2, "reason", ""), "Expired");
  json_decref(p2), json_decref(p1);
  free(q);
  sim_free(w);
}

/* Starts a watch; returns it. */
static sim_watch *watch(sim_world *w, const char *path, const char *query) {
  sim_request r = {"GET", path, query, NULL, 0, NULL, 0};
  sim_response resp;
  sim_handle(w, &r, &resp);
  assert_int_equal(resp.status, 200);
  sim_watch *wt = resp.watch;
  assert_non_null(wt);
  sim_response_clear(&resp);
  return wt;
}

/* Polls a watch; returns its text (new, "" when nothing) and the state. */
static char *poll_text(sim_world *w, sim_watch *wt, sim_watch_state *s) {
  char *out;
  size_t len;
  *s = sim_watch_poll(w, wt, &out, &len);
  return out ? out : strdup("");
}

static void watch__events_bookmarks_timeout_and_410(void **state) {
  (void)state;
  sim_world *w = tsim_world("{\"cluster\":{\"namespace\":\"ns\",\"watch\":{\"history\":3,\"bookmark_every\":\"10s\"},"
                      "\"configmaps\":[{\"name\":\"a\",\"labels\":{\"t\":\"x\"}},{\"name\":\"b\"}]}}", 1);
  int st;
  sim_watch_state s;
  sim_watch *all = watch(w, "/api/v1/namespaces/ns/configmaps", "watch=true&resourceVersion=0&labelSelector=t%3Dx&timeoutSeconds=30&allowWatchBookmarks=true");
  char *t = poll_text(w, all, &s);
  assert_non_null(strstr(t, "{\"type\":\"ADDED\""));
  assert_null(strstr(t, "\"name\":\"b\""));
  free(t);
  json_decref(tsim_call(w, "PATCH", "/api/v1/namespaces/ns/configmaps/a", NULL, "application/merge-patch+json", "{\"data\":{\"k\":\"v\"}}", &st));
  json_decref(tsim_call(w, "PATCH", "/api/v1/namespaces/ns/configmaps/b", NULL, "application/merge-patch+json", "{\"data\":{\"k\":\"v\"}}", &st));
  json_decref(tsim_call(w, "PATCH", "/api/v1/namespaces/ns/configmaps/a", NULL, "application/merge-patch+json", "{\"metadata\":{\"labels\":{\"t\":null}}}", &st));
  t = poll_text(w, all, &s);
  assert_non_null(strstr(t, "{\"type\":\"MODIFIED\""));
  assert_non_null(strstr(t, "{\"type\":\"DELETED\""));
  assert_int_equal(s, SIM_WATCH_OPEN);
  free(t);
  sim_advance(w, 10000);
  t = poll_text(w, all, &s);
  assert_non_null(strstr(t, "{\"type\":\"BOOKMARK\",\"object\":{\"kind\":\"ConfigMap\",\"apiVersion\":\"v1\",\"metadata\":{\"resourceVersion\":"));
  free(t);
  sim_advance(w, 30000);
  free(poll_text(w, all, &s));
  assert_int_equal(s, SIM_WATCH_CLOSED);
  sim_watch_free(all);
  sim_watch *old = watch(w, "/api/v1/namespaces/ns/configmaps", "watch=1&resourceVersion=1");
  t = poll_text(w, old, &s);
  assert_non_null(strstr(t, "{\"type\":\"ERROR\""));
  assert_non_null(strstr(t, "\"code\":410"));
  assert_int_equal(s, SIM_WATCH_CLOSED);
  free(t);
  sim_watch_free(old);
  sim_free(w);
}

static void faults__errors_drops_conflicts__from_the_scenario(void **state) {
  (void)state;
  sim_world *w = tsim_world("{\"cluster\":{\"namespace\":\"ns\",\"configmaps\":[{\"name\":\"a\"}]},"
                      "\"faults\":{\"error_rate\":1,\"error_codes\":[429],\"retry_after\":\"2s\"}}", 1);
  sim_header h[1] = {{"Content-Type", "application/json"}};
  sim_request r = {"GET", "/api/v1/namespaces/ns/configmaps/a", NULL, h, 1, NULL, 0};
  sim_response resp;
  sim_handle(w, &r, &resp);
  assert_int_equal(resp.status, 429);
  assert_string_equal(sim_response_header(&resp, "Retry-After"), "2");
  sim_response_clear(&resp);
  sim_free(w);
  w = tsim_world("{\"cluster\":{\"namespace\":\"ns\",\"configmaps\":[{\"name\":\"a\"}]},\"faults\":{\"drop_rate\":1,"
            "\"latency\":[\"100ms\",\"100ms\"]}}", 1);
  sim_handle(w, &r, &resp);
  assert_true(resp.drop);
  assert_int_equal(resp.delay_ms, 100);
  sim_response_clear(&resp);
  sim_free(w);
  w = tsim_world("{\"cluster\":{\"namespace\":\"ns\",\"configmaps\":[{\"name\":\"a\"}]},\"faults\":{\"conflict_on_patch\":"
            "[{\"resource\":\"configmaps\",\"name\":\"a\",\"times\":1}]}}", 1);
  int st;
  json_decref(tsim_call(w, "PATCH", "/api/v1/namespaces/ns/configmaps/a", NULL, "application/merge-patch+json", "{\"data\":{}}", &st));
  assert_int_equal(st, 409);
  json_decref(tsim_call(w, "PATCH", "/api/v1/namespaces/ns/configmaps/a", NULL, "application/merge-patch+json", "{\"data\":{}}", &st));
  assert_int_equal(st, 200);
  sim_free(w);
}

/* Returns the text of a fixed request sequence against a fresh world with the seed. */
static char *transcript(const char *scenario, uint64_t seed) {
  sim_world *w = tsim_world(scenario, seed);
  valbuf b = {0};
  int st;
  char *patch = undo_patch(w, "12");
  json_decref(tsim_call(w, "PATCH", DEP, NULL, "application/json-patch+json", patch, &st));
  free(patch);
  for (int64_t t = 0; t <= 90000; t += 7000) {
    sim_advance(w, t);
    json_t *j = tsim_call(w, "GET", "/api/v1/namespaces/greenlang/pods", NULL, NULL, NULL, &st);
    char *text = json_dumps(j, JSON_COMPACT);
    valbuf_printf(&b, "%d %s\n", st, text);
    free(text), json_decref(j);
    j = tsim_call(w, "GET", "/api/v1/namespaces/greenlang/services/gl-001-process-heat-orchestrator:8000/proxy/api/v1/plants/heat-status",
             NULL, NULL, NULL, &st);
    text = json_dumps(j, JSON_COMPACT);
    valbuf_printf(&b, "%d %s\n", st, text);
    free(text), json_decref(j);
  }
  sim_free(w);
  return valbuf_take(&b, NULL);
}

static void determinism__same_scenario_and_seed__identical_answers(void **state) {
  (void)state;
  char *a = transcript("flaky-api", 42), *b = transcript("flaky-api", 42), *c = transcript("flaky-api", 43);
  assert_string_equal(a, b);
  assert_true(strcmp(a, c) != 0);
  free(a), free(b), free(c);
}

static void proxy_logs_exec__follow_the_pods(void **state) {
  (void)state;
  sim_world *w = tsim_world("bad-release", 1);
  int st;
  json_decref(tsim_call(w, "GET", "/api/v1/namespaces/greenlang/services/gl-001-process-heat-orchestrator:8000/proxy/api/v1/version",
                   NULL, NULL, NULL, &st));
  assert_int_equal(st, 200);
  json_decref(tsim_call(w, "PATCH", DEP "/scale", NULL, "application/merge-patch+json", "{\"spec\":{\"replicas\":0}}", &st));
  assert_int_equal(st, 200);
  tsim_run_until(w, 60000);
  json_t *j = tsim_call(w, "GET", "/api/v1/namespaces/greenlang/services/gl-001-process-heat-orchestrator:8000/proxy/api/v1/version",
                   NULL, NULL, NULL, &st);
  assert_int_equal(st, 503);
  assert_string_equal(sim_util_jstr(j, "message", ""), "no endpoints available for service \"gl-001-process-heat-orchestrator\"");
  json_decref(j);
  char *out = NULL, *err = NULL;
  const char *argv[] = {"psql", "-U", "gl001_user", "-d", "gl001_production", "-c", "SELECT COUNT(*) FROM pg_stat_activity WHERE datname='gl001_production' AND state='active';", NULL};
  int rc = sim_exec(w, "greenlang", "postgresql-0", NULL, argv, &out, &err);
  assert_int_equal(rc, 0);
  assert_non_null(strstr(out, "0"));
  free(out), free(err);
  rc = sim_exec(w, "greenlang", "nope", NULL, argv, &out, &err);
  assert_int_equal(rc, -1);
  assert_string_equal(err, "pods \"nope\" not found");
  free(out), free(err);
  char *pod = sim_ref_to_pod(w, "greenlang", "deployment/gl-002-boiler-efficiency", &err);
  assert_non_null(pod);
  char *path = strutil_printf("/api/v1/namespaces/greenlang/pods/%s/log", pod);
  sim_header h[1] = {{"Accept", "*/*"}};
  sim_request r = {"GET", path, NULL, h, 1, NULL, 0};
  sim_response resp;
  sim_handle(w, &r, &resp);
  assert_int_equal(resp.status, 200);
  assert_non_null(strstr(resp.body, "INFO starting gl-002 (gcr.io/greenlang/gl-002:2.3.1)"));
  sim_response_clear(&resp);
  free(path), free(pod);
  sim_free(w);
}

/* Answers one GET both ways; asserts the deferred answer renders to the same text. */
static void same_answer(sim_world *w, const char *path, const char *query) {
  sim_request r = {"GET", path, query, NULL, 0, NULL, 0};
  sim_response now, later;
  sim_handle(w, &r, &now);
  sim_handle_deferred(w, &r, NULL, &later);
  assert_non_null(later.json);
  assert_null(later.body);
  sim_response_render(&later);
  assert_null(later.json);
  assert_int_equal(later.status, now.status);
  assert_string_equal(later.body, now.body);
  assert_string_equal(sim_response_header(&later, "Content-Type"), "application/json");
  sim_response_clear(&now), sim_response_clear(&later);
}

static void answers__deferred__render_as_in_process(void **state) {
  (void)state;
  sim_world *w = tsim_world("bad-release", 1);
  same_answer(w, DEP, "");
  same_answer(w, RSS, "");
  same_answer(w, RSS, "limit=1");
  int st;
  json_decref(tsim_call(w, "PATCH", DEP, "", "application/merge-patch+json", "{\"spec\":{\"replicas\":3}}", &st));
  assert_int_equal(st, 200);
  same_answer(w, DEP, "");
  sim_request bad = {"GET", DEP "-nope", "", NULL, 0, NULL, 0};
  sim_response r;
  sim_handle_deferred(w, &bad, NULL, &r); /* a Status is written under the lock */
  assert_int_equal(r.status, 404);
  assert_null(r.json);
  assert_non_null(r.body);
  sim_response_clear(&r);
  sim_free(w);
}

/* A scenario's durations: parts add up, one leading sign, and a count too large for an int64 (or a
 * sum past a century) is malformed, never converted (fuzz_scenario: "age": "666…62h" was undefined
 * behaviour). */
static void durations__parts_add_up__huge_counts_are_malformed(void **state) {
  (void)state;
  int64_t ms = 0;
  assert_true(sim_util_duration_parse("1h30m", &ms));
  assert_int_equal(ms, 5400000);
  assert_true(sim_util_duration_parse("-2s500ms", &ms));
  assert_int_equal(ms, -2500);
  assert_true(sim_util_duration_parse("36500d", &ms));
  const char *bad[] = {"66666666666666666666666666666666666666666666666666666662h", "1e300s", "inf", "nan",
                       "36600d1ms", "1m-5s", "--1s", "5x", "", "-"};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    ms = 7;
    assert_false(sim_util_duration_parse(bad[i], &ms));
    assert_int_equal(ms, 7);
  }
  json_t *huge = json_integer(INT64_MAX), *text = json_string("74444444444444444444444444444444d");
  assert_int_equal(sim_util_json_duration(huge, 1000), 1000);
  assert_int_equal(sim_util_json_duration(text, 1000), 1000);
  json_decref(huge);
  json_decref(text);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(rollout__undo_to_older_revision__reuses_its_replicaset),
      cmocka_unit_test(durations__parts_add_up__huge_counts_are_malformed),
      cmocka_unit_test(rollout__bad_image__progress_deadline_exceeded),
      cmocka_unit_test(errors__status_objects__as_the_api_server_words_them),
      cmocka_unit_test(answers__deferred__render_as_in_process),
      cmocka_unit_test(list__pagination__continue_and_expiry),
      cmocka_unit_test(watch__events_bookmarks_timeout_and_410),
      cmocka_unit_test(faults__errors_drops_conflicts__from_the_scenario),
      cmocka_unit_test(determinism__same_scenario_and_seed__identical_answers),
      cmocka_unit_test(proxy_logs_exec__follow_the_pods),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
