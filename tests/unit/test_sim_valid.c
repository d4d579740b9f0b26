/* test_sim_valid.c — the simulator's dry runs and validation through sim_handle: a dry run leaves
 * the world exactly as it was (resourceVersion, uid and name streams), validation errors carry the
 * API server's causes, the decoder's and Go's value formatting, and every scenario's objects pass
 * both (a patch of an invalid seed object would otherwise be refused). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sim.h"
#include "sim_res.h"
#include "sim_schema.h"
#include "sim_util.h"
#include "sim_valid.h"
#include "test_sim_fx.h"

#define JOBS "/apis/batch/v1/namespaces/greenlang/jobs"
#define DEP "/apis/apps/v1/namespaces/greenlang/deployments/gl-001-process-heat-orchestrator"
#define JOB_BODY                                                                                       \
  "{\"metadata\":{\"generateName\":\"m-\"},\"spec\":{\"template\":{\"spec\":{\"restartPolicy\":\"Never\"," \
  "\"containers\":[{\"name\":\"m\",\"image\":\"busybox\",\"command\":[\"true\"]}]}}}}"

/* Returns "name uid" of a created Job (caller frees). */
static char *name_and_uid(const json_t *job) {
  return strutil_printf("%s %s", sim_util_jstr(job, "metadata.name", "?"), sim_util_jstr(job, "metadata.uid", "?"));
}

static void dry_run__create_job__consumes_nothing(void **state) {
  (void)state;
  sim_world *a = tsim_world("bad-release", 7), *b = tsim_world("bad-release", 7);
  int st;
  json_t *dry = tsim_call(a, "POST", JOBS, "dryRun=All", NULL, JOB_BODY, &st);
  assert_int_equal(st, 201);
  assert_null(sim_util_jpath(dry, "metadata.resourceVersion"));
  assert_non_null(sim_util_jpath(dry, "metadata.uid"));
  json_t *list = tsim_call(a, "GET", JOBS, NULL, NULL, NULL, &st);
  assert_int_equal(json_array_size(json_object_get(list, "items")), 0);
  /* the real create after a dry run gets the name and uid it would have got without it */
  json_t *ja = tsim_call(a, "POST", JOBS, NULL, NULL, JOB_BODY, &st), *jb = tsim_call(b, "POST", JOBS, NULL, NULL, JOB_BODY, &st);
  char *na = name_and_uid(ja), *nb = name_and_uid(jb);
  assert_string_equal(na, nb);
  assert_string_equal(sim_util_jstr(ja, "metadata.resourceVersion", "a"), sim_util_jstr(jb, "metadata.resourceVersion", "b"));
  free(na), free(nb);
  json_decref(dry), json_decref(list), json_decref(ja), json_decref(jb);
  sim_free(a), sim_free(b);
}

static void dry_run__patch_scale_delete__change_nothing(void **state) {
  (void)state;
  sim_world *w = tsim_world("bad-release", 7);
  int st;
  json_t *before = tsim_call(w, "GET", DEP, NULL, NULL, NULL, &st);
  json_t *events = tsim_call(w, "GET", "/api/v1/events", NULL, NULL, NULL, &st);
  json_t *p = tsim_call(w, "PATCH", DEP, "dryRun=All", "application/merge-patch+json", "{\"spec\":{\"replicas\":5}}", &st);
  assert_int_equal(st, 200);
  assert_int_equal(sim_util_jint(p, "spec.replicas", 0), 5);
  assert_string_equal(sim_util_jstr(p, "metadata.resourceVersion", "p"), sim_util_jstr(before, "metadata.resourceVersion", "b"));
  json_t *s = tsim_call(w, "PATCH", DEP "/scale", "dryRun=All", "application/merge-patch+json", "{\"spec\":{\"replicas\":0}}", &st);
  assert_int_equal(st, 200);
  assert_int_equal(sim_util_jint(s, "spec.replicas", 1), 0);
  json_t *d = tsim_call(w, "DELETE", DEP, NULL, NULL, "{\"dryRun\":[\"All\"]}", &st);
  assert_int_equal(st, 200);
  assert_string_equal(sim_util_jstr(d, "status", ""), "Success");
  json_t *after = tsim_call(w, "GET", DEP, NULL, NULL, NULL, &st);
  assert_int_equal(st, 200);
  assert_true(json_equal(before, after));
  json_t *events_after = tsim_call(w, "GET", "/api/v1/events", NULL, NULL, NULL, &st);
  assert_true(json_equal(events, events_after)); /* the list's resourceVersion too: no write, no event */
  json_decref(events), json_decref(events_after);
  json_t *bad = tsim_call(w, "DELETE", DEP, "dryRun=Maybe", NULL, NULL, &st);
  assert_int_equal(st, 422);
  assert_string_equal(sim_util_jstr(bad, "message", ""), "DeleteOptions.meta.k8s.io \"\" is invalid: dryRun: Unsupported value: "
                                                         "[]string{\"Maybe\"}: supported values: \"All\"");
  json_decref(before), json_decref(p), json_decref(s), json_decref(d), json_decref(after), json_decref(bad);
  sim_free(w);
}

/* Returns every stored object of the world, kind by kind, with each list's resourceVersion (new). */
static json_t *everything(sim_world *w) {
  json_t *all = json_object();
  for (int r = 0; r < SIMR_COUNT; r++) {
    const simr_info *i = sim_res_info_of((simr_kind)r);
    char *path = i->group[0] ? strutil_printf("/apis/%s/%s/%s", i->group, i->version, i->plural)
                             : strutil_printf("/api/%s/%s", i->version, i->plural);
    int st;
    json_t *list = tsim_call(w, "GET", path, NULL, NULL, NULL, &st);
    if (list) json_object_set_new(all, path, list);
    free(path);
  }
  return all;
}

/* Sends a request (a dry-run write when the query says so) to w and checks its status; returns the answer (new). */
static json_t *dry(sim_world *w, const char *method, const char *path, const char *query, const char *ct, const char *body,
                   int want) {
  int st;
  json_t *r = tsim_call(w, method, path, query, ct, body, &st);
  if (st != want) fail_msg("%s %s?%s: %d, wanted %d: %s", method, path, query ? query : "", st, want, sim_util_jstr(r, "message", ""));
  return r;
}

#define PODS "/api/v1/namespaces/greenlang/pods"
#define MERGE "application/merge-patch+json"

/* Log options the API server refuses (ValidatePodLogOptions) get its 422, whatever the pod. */
static void validation__log_options__422_like_the_api_server(void **state) {
  (void)state;
  sim_world *w = tsim_world("bad-release", 7);
  int st;
  json_t *r = tsim_call(w, "GET", "/api/v1/namespaces/greenlang/pods/any/log", "sinceSeconds=0&tailLines=-2", NULL, NULL, &st);
  assert_int_equal(st, 422);
  assert_string_equal(sim_util_jstr(r, "message", ""),
                      "PodLogOptions \"any\" is invalid: [tailLines: Invalid value: -2: must be greater than or equal to 0, "
                      "sinceSeconds: Invalid value: 0: must be greater than 0]");
  json_decref(r);
  r = tsim_call(w, "GET", "/api/v1/namespaces/greenlang/pods/any/log", "sinceSeconds=1", NULL, NULL, &st);
  assert_int_equal(st, 404);
  json_decref(r);
  sim_free(w);
}

/* Every write kind the simulator serves, as a dry run, in world a; world b, its twin, gets none.
 * Both must then hold the same objects and resourceVersion, and still do after a minute of
 * controllers (nothing stored, no resourceVersion consumed, no controller reacting). */
static void dry_run__every_write_kind__world_unchanged_and_no_controller_reacts(void **state) {
  (void)state;
  sim_world *a = tsim_world("bad-release", 7), *b = tsim_world("bad-release", 7);
  int st;
  uint64_t rv = sim_resource_version(a);
  json_t *dep = tsim_call(a, "GET", DEP, NULL, NULL, NULL, &st), *pods = tsim_call(a, "GET", PODS, "labelSelector=app%3Dgl-001-process-heat-orchestrator", NULL, NULL, &st);
  const char *pod = sim_util_jstr(json_array_get(json_object_get(pods, "items"), 0), "metadata.name", NULL);
  assert_non_null(pod);
  json_object_set_new(json_object_get(dep, "spec"), "replicas", json_integer(6));
  char *put = json_dumps(dep, JSON_COMPACT), *pod_path = strutil_printf(PODS "/%s", pod);
  char *evict_path = strutil_printf("%s/eviction", pod_path), *evict = strutil_printf(
      "{\"apiVersion\":\"policy/v1\",\"kind\":\"Eviction\",\"metadata\":{\"name\":\"%s\"}}", pod);
  json_t *r[] = {
      dry(a, "POST", "/api/v1/namespaces/greenlang/configmaps", "dryRun=All", NULL, "{\"metadata\":{\"name\":\"dry\"}}", 201),
      dry(a, "PUT", DEP, "dryRun=All", NULL, put, 200),
      dry(a, "PATCH", DEP, "dryRun=All", MERGE, "{\"spec\":{\"replicas\":7}}", 200),
      dry(a, "PATCH", DEP, "dryRun=All", "application/strategic-merge-patch+json",
          "{\"spec\":{\"template\":{\"metadata\":{\"annotations\":{\"kubectl.kubernetes.io/restartedAt\":\"now\"}}}}}", 200),
      dry(a, "PATCH", DEP, "dryRun=All", "application/json-patch+json",
          "[{\"op\":\"replace\",\"path\":\"/spec/template/spec/containers/0/image\",\"value\":\"gcr.io/x:9\"}]", 200),
      dry(a, "PATCH", DEP, "dryRun=All", MERGE, "{\"spec\":{\"replicas\":-1}}", 422), /* validated all the same */
      dry(a, "PUT", DEP "/scale", "dryRun=All", NULL,
          "{\"apiVersion\":\"autoscaling/v1\",\"kind\":\"Scale\",\"metadata\":{\"name\":\"gl-001-process-heat-orchestrator\"},"
          "\"spec\":{\"replicas\":0}}", 200),
      dry(a, "PATCH", DEP "/scale", "dryRun=All", MERGE, "{\"spec\":{\"replicas\":9}}", 200),
      dry(a, "PATCH", DEP "/status", "dryRun=All", MERGE, "{\"status\":{\"observedGeneration\":99}}", 200),
      dry(a, "DELETE", DEP, "dryRun=All", NULL, NULL, 200),
      dry(a, "DELETE", PODS, "dryRun=All&labelSelector=app%3Dgl-001-process-heat-orchestrator", NULL, NULL, 200),
      dry(a, "DELETE", pod_path, NULL, NULL, "{\"dryRun\":[\"All\"],\"gracePeriodSeconds\":0}", 200),
      dry(a, "POST", evict_path, "dryRun=All", NULL, evict, 201),
  };
  /* the answers are those of the writes */
  assert_int_equal(sim_util_jint(r[1], "spec.replicas", 0), 6);
  assert_int_equal(sim_util_jint(r[2], "spec.replicas", 0), 7);
  assert_string_equal(sim_util_jstr(json_array_get(sim_util_jpath(r[4], "spec.template.spec.containers"), 0), "image", ""),
                      "gcr.io/x:9");
  assert_int_equal(sim_util_jint(r[7], "spec.replicas", 0), 9);
  assert_int_equal(sim_util_jint(r[8], "status.observedGeneration", 0), 99);
  assert_true(json_array_size(json_object_get(r[10], "items")) > 0);
  assert_int_equal(sim_resource_version(a), rv);
  json_t *ea = everything(a), *eb = everything(b);
  assert_true(json_equal(ea, eb));
  json_decref(ea), json_decref(eb);
  /* a minute later, the controllers have done the same in both worlds */
  sim_advance(a, sim_now(a) + 60000), sim_advance(b, sim_now(b) + 60000);
  assert_int_equal(sim_resource_version(a), sim_resource_version(b));
  ea = everything(a), eb = everything(b);
  assert_true(json_equal(ea, eb));
  json_decref(ea), json_decref(eb);
  for (size_t i = 0; i < sizeof r / sizeof *r; i++) json_decref(r[i]);
  json_decref(dep), json_decref(pods);
  free(put), free(pod_path), free(evict_path), free(evict);
  sim_free(a), sim_free(b);
}

static void validation__template_leaves_selector__422_with_cause(void **state) {
  (void)state;
  sim_world *w = tsim_world("bad-release", 7);
  int st;
  json_t *r = tsim_call(w, "PATCH", DEP, NULL, "application/json-patch+json",
                   "[{\"op\":\"replace\",\"path\":\"/spec/template/metadata/labels\",\"value\":{\"b\":\"2\",\"a\":\"1\"}}]", &st);
  assert_int_equal(st, 422);
  assert_string_equal(sim_util_jstr(r, "reason", ""), "Invalid");
  assert_string_equal(sim_util_jstr(r, "details.kind", ""), "Deployment");
  assert_string_equal(sim_util_jstr(r, "details.group", ""), "apps");
  json_t *cause = json_array_get(sim_util_jpath(r, "details.causes"), 0);
  assert_string_equal(sim_util_jstr(cause, "reason", ""), "FieldValueInvalid");
  assert_string_equal(sim_util_jstr(cause, "field", ""), "spec.template.metadata.labels");
  assert_string_equal(sim_util_jstr(cause, "message", ""),
                      "Invalid value: map[string]string{\"a\":\"1\", \"b\":\"2\"}: `selector` does not match template `labels`");
  json_decref(r);
  sim_free(w);
}

static void validation__go_values__printed_like_go(void **state) {
  (void)state;
  json_t *sel = json_loads("{\"matchExpressions\":[{\"key\":\"tier\",\"operator\":\"In\",\"values\":[\"a\",\"b\"]}]}", 0, NULL);
  char *s = sim_valid_go(sel, SIMV_SELECTOR);
  assert_string_equal(s, "v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement"
                         "{v1.LabelSelectorRequirement{Key:\"tier\", Operator:\"In\", Values:[]string{\"a\", \"b\"}}}}");
  free(s);
  json_decref(sel);
  json_t *n = json_integer(-3);
  s = sim_valid_go(n, SIMV_PLAIN);
  assert_string_equal(s, "-3");
  free(s);
  json_decref(n);
}

static void decoder__types_and_strict__the_decoders_words(void **state) {
  (void)state;
  json_t *d = json_loads("{\"spec\":{\"replicas\":3000000000}}", 0, NULL);
  char *e = sim_schema_check(SIMR_DEPLOYMENTS, d, false);
  assert_string_equal(e, "json: cannot unmarshal number 3000000000 into Go struct field DeploymentSpec.spec.replicas of type int32");
  free(e), json_decref(d);
  d = json_loads("{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"a\",\"args\":[1]}]}}}}", 0, NULL);
  e = sim_schema_check(SIMR_JOBS, d, false);
  assert_string_equal(e, "json: cannot unmarshal number into Go struct field Container.spec.template.spec.containers.args of type string");
  free(e), json_decref(d);
  d = json_loads("{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"a\"},{\"imagee\":\"x\"}]}}}}", 0, NULL);
  assert_null(sim_schema_check(SIMR_JOBS, d, false));
  e = sim_schema_check(SIMR_JOBS, d, true);
  assert_string_equal(e, "strict decoding error: unknown field \"spec.template.spec.containers[1].imagee\"");
  free(e), json_decref(d);
  d = json_loads("{\"status\":{\"anything\":[1,{\"x\":true}]},\"metadata\":{\"labels\":{\"a\":\"b\"}}}", 0, NULL);
  assert_null(sim_schema_check(SIMR_PODS, d, true));
  json_decref(d);
}

static void names__rules_per_kind(void **state) {
  (void)state;
  json_t *errs = json_array();
  sim_valid_name(errs, "metadata.name", "web-1.example", SIMV_SUBDOMAIN);
  sim_valid_name(errs, "metadata.name", "a-b", SIMV_DNS1035);
  assert_int_equal(json_array_size(errs), 0);
  sim_valid_name(errs, "metadata.name", "1abc", SIMV_DNS1035);
  sim_valid_name(errs, "metadata.name", "a.b", SIMV_LABEL);
  sim_valid_name(errs, "metadata.name", "-a", SIMV_SUBDOMAIN);
  assert_int_equal(json_array_size(errs), 3);
  json_decref(errs);
  assert_null(sim_valid_label_value_error(""));
  assert_null(sim_valid_label_value_error("v1.2_x-y"));
  assert_non_null(sim_valid_label_value_error("-x"));
}

/* Returns the world of a scenario given as JSON text whose cluster is `cluster` (NULL with *err when refused). */
static sim_world *world_of(const char *cluster, char **err) {
  char *text = strutil_printf("{\"name\":\"t\",\"cluster\":%s}", cluster);
  json_t *sc = json_loads(text, 0, NULL);
  assert_non_null(sc);
  *err = NULL;
  sim_world *w = sim_new(sc, 1, err);
  json_decref(sc), free(text);
  return w;
}

/* Asserts that the scenario with this cluster is refused with the message want. */
static void refused(const char *cluster, const char *want) {
  char *err;
  sim_world *w = world_of(cluster, &err);
  assert_null(w);
  assert_string_equal(err, want);
  free(err);
}

#define WEB "/apis/apps/v1/namespaces/prod/deployments/web"
#define WEB_DEP "{\"name\":\"web\",\"replicas\":%d,\"image\":\"registry.test/web:1\"}"

/* cluster.max_replicas lowers the simulator's limit of pods per workload for one world: what asks
 * for more is refused as Invalid through every door (PATCH, the scale subresource, a new Job, the
 * scenario's own objects), what asks for exactly the limit passes; a malformed limit is refused. */
static void validation__max_replicas__the_worlds_limit(void **state) {
  (void)state;
  char *err, *cl = strutil_printf("{\"namespace\":\"prod\",\"max_replicas\":5,\"deployments\":[" WEB_DEP "]}", 2);
  sim_world *w = world_of(cl, &err);
  free(cl);
  assert_non_null(w);
  json_t *r = dry(w, "PATCH", WEB, NULL, MERGE, "{\"spec\":{\"replicas\":6}}", 422);
  assert_string_equal(sim_util_jstr(r, "message", ""),
                      "Deployment.apps \"web\" is invalid: spec.replicas: Invalid value: 6: must be less than or equal to 5 "
                      "(the simulator's limit)");
  json_decref(r);
  r = dry(w, "PUT", WEB "/scale", NULL, "application/json",
             "{\"kind\":\"Scale\",\"apiVersion\":\"autoscaling/v1\",\"metadata\":{\"name\":\"web\",\"namespace\":\"prod\"},"
             "\"spec\":{\"replicas\":6}}", 422);
  json_decref(r);
  r = dry(w, "POST", "/apis/batch/v1/namespaces/prod/jobs", NULL, "application/json",
             "{\"metadata\":{\"name\":\"m\"},\"spec\":{\"parallelism\":6,\"template\":{\"spec\":{\"restartPolicy\":"
             "\"Never\",\"containers\":[{\"name\":\"m\",\"image\":\"busybox\"}]}}}}", 422);
  json_decref(r);
  json_decref(dry(w, "PATCH", WEB, NULL, MERGE, "{\"spec\":{\"replicas\":5}}", 200));
  sim_free(w);
  cl = strutil_printf("{\"namespace\":\"prod\",\"max_replicas\":5,\"deployments\":[" WEB_DEP "]}", 6);
  refused(cl, "scenario: web: replicas must be between 0 and 5");
  free(cl);
  static const char *const bad[] = {"0", "1001", "\"5\"", "2.5", "null"};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    cl = strutil_printf("{\"max_replicas\":%s}", bad[i]);
    refused(cl, "scenario: cluster.max_replicas must be an integer from 1 to 1000");
    free(cl);
  }
  cl = strutil_printf("{\"namespace\":\"prod\",\"deployments\":[" WEB_DEP "]}", 1000); /* the default: 1,000 */
  w = world_of(cl, &err);
  free(cl);
  assert_non_null(w);
  json_decref(dry(w, "PATCH", WEB, NULL, MERGE, "{\"spec\":{\"replicas\":1001}}", 422));
  sim_free(w);
}

/* Fails when an object of the world does not pass the decoder (strictly) or validation; returns how
 * many objects were checked. */
static size_t check_world(const char *what, sim_world *w) {
  size_t checked = 0;
  for (int r = 0; r < SIMR_COUNT; r++) {
    const simr_info *i = sim_res_info_of((simr_kind)r);
    char *path = i->group[0] ? strutil_printf("/apis/%s/%s/%s", i->group, i->version, i->plural)
                             : strutil_printf("/api/%s/%s", i->version, i->plural);
    int st;
    json_t *list = tsim_call(w, "GET", path, NULL, NULL, NULL, &st), *o;
    size_t k;
    json_array_foreach(json_object_get(list, "items"), k, o) {
      char *e = sim_schema_check((simr_kind)r, o, true);
      json_t *inv = sim_valid_object((simr_kind)r, o, NULL, SIM_VALID_MAX_REPLICAS);
      if (e || inv) fail_msg("%s: %s %s: %s", what, i->kind, sim_util_jstr(o, "metadata.name", "?"), e ? e : sim_util_jstr(inv, "message", ""));
      json_decref(inv);
      checked++;
    }
    json_decref(list);
    free(path);
  }
  return checked;
}

static void scenarios__every_object__is_valid(void **state) {
  (void)state;
  const char *root = getenv("RBK_SOURCE_DIR") ? getenv("RBK_SOURCE_DIR") : ".";
  const char *plans[] = {"already-rolled-back", "orchestrator-down", "sub-agents-earlier"};
  for (const char *const *n = sim_builtin_scenarios(); *n; n++) {
    char *err = NULL;
    json_t *sc = sim_load_scenario(*n, &err);
    sim_world *w = sc ? sim_new(sc, 1, &err) : NULL;
    if (!w) fail_msg("%s: %s", *n, err);
    assert_true(check_world(*n, w) > 5);
    sim_free(w), json_decref(sc);
  }
  for (size_t i = 0; i < sizeof plans / sizeof *plans; i++) {
    char *path = strutil_printf("%s/plans/scenarios/%s.json", root, plans[i]), *err = NULL;
    json_t *sc = sim_load_scenario(path, &err);
    sim_world *w = sc ? sim_new(sc, 1, &err) : NULL;
    if (!w) fail_msg("%s: %s", path, err);
    assert_true(check_world(path, w) > 5);
    sim_free(w), json_decref(sc), free(path);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(dry_run__create_job__consumes_nothing),
      cmocka_unit_test(dry_run__patch_scale_delete__change_nothing),
      cmocka_unit_test(dry_run__every_write_kind__world_unchanged_and_no_controller_reacts),
      cmocka_unit_test(validation__template_leaves_selector__422_with_cause),
      cmocka_unit_test(validation__go_values__printed_like_go),
      cmocka_unit_test(decoder__types_and_strict__the_decoders_words),
      cmocka_unit_test(validation__log_options__422_like_the_api_server),
      cmocka_unit_test(names__rules_per_kind),
      cmocka_unit_test(scenarios__every_object__is_valid),
      cmocka_unit_test(validation__max_replicas__the_worlds_limit),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
