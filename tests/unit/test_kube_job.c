/* test_kube_job.c — job() and logs() against the simulator in-process, in virtual time: the Job
 * sent (generateName, env with a Secret key reference, backoffLimit, deadlines, TTL, service
 * account, resources), the controller's answers (BackoffLimitExceeded, DeadlineExceeded after a
 * missing Secret's CreateContainerConfigError, no pod for a missing ServiceAccount, deletion after
 * the TTL) and the logs read back (tail, container and since, filtered as the kubelet does). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#include <cmocka.h>

#include "actions_kube.h"
#include "http_sim.h"
#include "proc_sim.h"
#include "sim.h"
#include "test_kube_fake.h"
#include "test_kube_simfx.h"

typedef struct {
  sim_world *w;
  rbk_actions *a;
  rbk_value *cluster;
} fx;

/* The next fixture's scenario faults (borrowed; NULL: none). */
static json_t *f_faults;

/* Returns a fixture over the bad-release scenario with three more job rules: "fail-now" exits 1
 * printing two lines, "quick" runs for 2 s, "say-hi" prints one line; and f_faults. */
static fx *fx_new(void) {
  char *err = NULL;
  json_t *sc = sim_load_scenario("bad-release", &err);
  assert_non_null(sc);
  if (f_faults) json_object_set(sc, "faults", f_faults);
  json_t *jobs = json_object_get(json_object_get(sc, "cluster"), "jobs");
  json_array_append_new(jobs, json_pack("{s:s,s:i,s:s}", "match", "fail-now", "exit", 1, "logs", "connecting\nboom: no such table\n"));
  json_array_append_new(jobs, json_pack("{s:s,s:s}", "match", "quick", "duration", "2s"));
  json_array_append_new(jobs, json_pack("{s:s,s:s}", "match", "say-hi", "logs", "hello from the job\n"));
  fx *f = calloc(1, sizeof *f);
  f->w = sim_new(sc, 7, &err);
  json_decref(sc);
  assert_non_null(f->w);
  f->a = tk_sim_actions(f->w, NULL, NULL, NULL, 0);
  assert_non_null(f->a);
  f->cluster = tk_sim_cluster(f->a, "greenlang");
  assert_non_null(f->cluster);
  return f;
}

/* Frees a fixture. */
static void fx_free(fx *f) {
  value_unref(f->cluster);
  f->a->free(f->a->self);
  sim_free(f->w);
  free(f);
}

/* Returns a list value of the NULL-terminated strings. */
static rbk_value *strings(const char *first, ...) {
  rbk_value *l = value_list(4);
  va_list ap;
  va_start(ap, first);
  for (const char *s = first; s; s = va_arg(ap, const char *)) value_list_push(l, value_cstring(s));
  va_end(ap);
  return l;
}

/* Returns the value at a dotted path of nested objects, list indices as numbers (borrowed), or NULL. */
static const rbk_value *at(const rbk_value *v, const char *path) {
  char buf[256];
  snprintf(buf, sizeof buf, "%s", path);
  for (char *save = NULL, *k = strtok_r(buf, ".", &save); v && k; k = strtok_r(NULL, ".", &save)) {
    if (v->kind == VAL_LIST) {
      size_t i = (size_t)strtoul(k, NULL, 10);
      v = i < v->u.list.len ? v->u.list.items[i] : NULL;
    } else
      v = v->kind == VAL_OBJECT ? value_object_get(v, k) : NULL;
  }
  return v;
}

/* Returns the string at a dotted path, or "". */
static const char *at_str(const rbk_value *v, const char *path) {
  v = at(v, path);
  return v && v->kind == VAL_STRING ? v->u.str.s : "";
}

/* Returns the int at a dotted path, or -1. */
static int64_t at_int(const rbk_value *v, const char *path) {
  v = at(v, path);
  return v && v->kind == VAL_INT ? v->u.i : -1;
}

/* Returns the objects of a kind matching a label selector. */
static tk_outcome list(fx *f, const char *kind, const char *selector) {
  const char *names[] = {"kind", "selector"};
  rbk_value *vals[] = {value_cstring(kind), value_cstring(selector)};
  return tk_call(f->a, FN_K_LIST, f->cluster, 0, 2, names, vals);
}

/* Creates the object doc (takes it) with create(). */
static void create_object(fx *f, json_t *doc) {
  const char *cn[] = {"object"};
  rbk_value *cv[] = {value_from_json(doc)};
  json_decref(doc);
  tk_outcome o = tk_call(f->a, FN_K_CREATE, f->cluster, 0, 1, cn, cv);
  assert_null(o.err);
  tk_clear(&o);
}

/* Creates the ServiceAccount `name` in greenlang. */
static void create_sa(fx *f, const char *name) {
  create_object(f, json_pack("{s:s,s:s,s:{s:s}}", "apiVersion", "v1", "kind", "ServiceAccount", "metadata", "name", name));
}

static void job__options__sent_as_a_job_spec(void **state) {
  (void)state;
  fx *f = fx_new();
  create_sa(f, "migrator");
  rbk_value *env = value_object(2), *ref = value_object(2), *res = value_object(1), *lim = value_object(1);
  value_object_set(env, "APP_LABEL", value_cstring("orchestrator"));
  value_object_set(ref, "secret", value_cstring("gl-001-db-credentials"));
  value_object_set(ref, "key", value_cstring("password"));
  value_object_set(env, "PGPASSWORD", ref);
  value_object_set(lim, "memory", value_cstring("256Mi"));
  value_object_set(res, "limits", lim);
  const char *names[] = {"name", "image", "command", "args", "env", "backoff_limit", "active_deadline",
                         "ttl_after_finished", "service_account", "resources"};
  rbk_value *vals[] = {value_cstring("rb-migrate"), value_cstring("gcr.io/greenlang/gl-001:1.4.2"),
                       strings("python", "manage.py", NULL), strings("showmigrations", "--plan", NULL), env,
                       value_int(2), value_duration(600000), value_duration(3600000), value_cstring("migrator"), res};
  tk_outcome o = tk_call(f->a, FN_K_JOB, f->cluster, 0, 10, names, vals);
  assert_null(o.err);
  assert_int_equal(o.res->kind, VAL_STRING);
  assert_non_null(strstr(o.res->u.str.s, "[X]")); /* what the plant's manage.py printed */
  tk_clear(&o);
  o = list(f, "job", "rbk.dev/job=rb-migrate");
  assert_null(o.err);
  assert_int_equal(o.res->u.list.len, 1);
  const rbk_value *job = o.res->u.list.items[0];
  assert_string_equal(at_str(job, "metadata.generateName"), "rb-migrate-");
  assert_int_equal(strlen(at_str(job, "metadata.name")), strlen("rb-migrate-") + 5);
  assert_int_equal(at_int(job, "spec.backoffLimit"), 2);
  assert_int_equal(at_int(job, "spec.activeDeadlineSeconds"), 600);
  assert_int_equal(at_int(job, "spec.ttlSecondsAfterFinished"), 3600);
  assert_string_equal(at_str(job, "spec.template.spec.serviceAccountName"), "migrator");
  assert_string_equal(at_str(job, "spec.template.spec.restartPolicy"), "Never");
  const rbk_value *c = at(job, "spec.template.spec.containers.0");
  assert_string_equal(at_str(c, "command.1"), "manage.py");
  assert_string_equal(at_str(c, "args.1"), "--plan");
  assert_string_equal(at_str(c, "env.0.name"), "APP_LABEL");
  assert_string_equal(at_str(c, "env.0.value"), "orchestrator");
  assert_string_equal(at_str(c, "env.1.valueFrom.secretKeyRef.name"), "gl-001-db-credentials");
  assert_string_equal(at_str(c, "env.1.valueFrom.secretKeyRef.key"), "password");
  assert_null(at(c, "env.1.value"));
  assert_string_equal(at_str(c, "resources.limits.memory"), "256Mi");
  assert_string_equal(at_str(job, "status.conditions.1.type"), "Complete");
  tk_clear(&o);
  /* a second run of the same step gets a Job of its own instead of AlreadyExists */
  const char *n2[] = {"name", "image", "command"};
  rbk_value *v2[] = {value_cstring("rb-migrate"), value_cstring("gcr.io/greenlang/gl-001:1.4.2"), strings("python", "migrate", NULL)};
  o = tk_call(f->a, FN_K_JOB, f->cluster, 0, 3, n2, v2);
  assert_null(o.err);
  tk_clear(&o);
  o = list(f, "job", "rbk.dev/job=rb-migrate");
  assert_int_equal(o.res->u.list.len, 2);
  tk_clear(&o);
  fx_free(f);
}

static void job__failing__backoff_limit_exceeded_and_logs(void **state) {
  (void)state;
  fx *f = fx_new();
  const char *names[] = {"name", "image", "command", "backoff_limit"};
  rbk_value *vals[] = {value_cstring("rb-fail"), value_cstring("busybox:1.36"), strings("sh", "-c", "fail-now", NULL), value_int(2)};
  tk_outcome o = tk_call(f->a, FN_K_JOB, f->cluster, 0, 4, names, vals);
  assert_non_null(o.err);
  assert_non_null(strstr(o.err, "job \"rb-fail-"));
  assert_non_null(strstr(o.err, "failed (BackoffLimitExceeded): boom: no such table"));
  tk_clear(&o);
  o = list(f, "pod", "rbk.dev/job=rb-fail");
  assert_int_equal(o.res->u.list.len, 3); /* the first try and backoffLimit retries */
  tk_clear(&o);
  o = list(f, "job", "rbk.dev/job=rb-fail");
  char ref[96];
  snprintf(ref, sizeof ref, "job/%s", at_str(o.res->u.list.items[0], "metadata.name"));
  tk_clear(&o);
  const char *ln[] = {"ref", "tail"};
  rbk_value *lv[] = {value_cstring(ref), value_int(1)};
  o = tk_call(f->a, FN_K_LOGS, f->cluster, 0, 2, ln, lv);
  assert_null(o.err);
  const char *text = o.res->u.str.s, *p = text;
  int heads = 0;
  while ((p = strstr(p, "==> pod/rb-fail-")) != NULL) heads++, p++;
  assert_int_equal(heads, 3);
  assert_non_null(strstr(text, "boom: no such table\n"));
  assert_null(strstr(text, "connecting")); /* tail: 1 */
  tk_clear(&o);
  const char *bn[] = {"ref"};
  rbk_value *bv[] = {value_cstring("deployment/gl-001-process-heat-orchestrator")};
  o = tk_call(f->a, FN_K_LOGS, f->cluster, 0, 1, bn, bv);
  assert_non_null(o.err);
  assert_non_null(strstr(o.err, "neither a pod nor a job"));
  tk_clear(&o);
  fx_free(f);
}

/* Runs job(name, command: ["quick"], OPTION: value, active_deadline:) and checks that it fails by
 * its deadline (value taken). */
static void job_past_deadline(fx *f, const char *name, const char *option, rbk_value *value, int64_t deadline_ms) {
  const char *names[] = {"name", "image", "command", option, "active_deadline"};
  rbk_value *vals[] = {value_cstring(name), value_cstring("busybox:1.36"), strings("quick", NULL), value,
                       value_duration(deadline_ms)};
  tk_outcome o = tk_call(f->a, FN_K_JOB, f->cluster, 0, 5, names, vals);
  assert_non_null(o.err);
  assert_non_null(strstr(o.err, "failed (DeadlineExceeded)"));
  tk_clear(&o);
}

static void job__missing_secret__deadline_exceeded(void **state) {
  (void)state;
  fx *f = fx_new();
  rbk_value *env = value_object(1), *ref = value_object(2);
  value_object_set(ref, "secret", value_cstring("no-such-secret"));
  value_object_set(ref, "key", value_cstring("password"));
  value_object_set(env, "PGPASSWORD", ref);
  job_past_deadline(f, "rb-secret", "env", env, 30000);
  tk_outcome o = list(f, "event", "");
  bool config_error = false;
  for (size_t i = 0; i < o.res->u.list.len; i++)
    config_error |= !strcmp(at_str(o.res->u.list.items[i], "message"), "Error: CreateContainerConfigError");
  assert_true(config_error);
  tk_clear(&o);
  fx_free(f);
}

static void job__missing_service_account__no_pod_deadline_exceeded(void **state) {
  (void)state;
  fx *f = fx_new();
  job_past_deadline(f, "rb-nosa", "service_account", value_cstring("nobody"), 60000);
  tk_outcome o = list(f, "pod", "rbk.dev/job=rb-nosa");
  assert_int_equal(o.res->u.list.len, 0); /* the admission plugin refused every pod */
  tk_clear(&o);
  o = list(f, "event", "");
  bool refused = false;
  for (size_t i = 0; i < o.res->u.list.len; i++) {
    const char *m = at_str(o.res->u.list.items[i], "message");
    refused |= !strcmp(at_str(o.res->u.list.items[i], "reason"), "FailedCreate") && strstr(m, "Error creating: pods \"rb-nosa-") &&
               strstr(m, "-\" is forbidden: error looking up service account greenlang/nobody: serviceaccount \"nobody\" not found");
  }
  assert_true(refused);
  tk_clear(&o);
  /* once the ServiceAccount exists, the same Job runs */
  create_sa(f, "nobody");
  const char *n2[] = {"name", "image", "command", "service_account"};
  rbk_value *v2[] = {value_cstring("rb-nosa"), value_cstring("busybox:1.36"), strings("quick", NULL), value_cstring("nobody")};
  o = tk_call(f->a, FN_K_JOB, f->cluster, 0, 4, n2, v2);
  assert_null(o.err);
  tk_clear(&o);
  fx_free(f);
}

static void job__ttl_after_finished__deletes_the_job(void **state) {
  (void)state;
  fx *f = fx_new();
  const char *names[] = {"name", "image", "command", "ttl_after_finished"};
  rbk_value *vals[] = {value_cstring("rb-ttl"), value_cstring("busybox:1.36"), strings("quick", NULL), value_duration(10000)};
  tk_outcome o = tk_call(f->a, FN_K_JOB, f->cluster, 0, 4, names, vals);
  assert_null(o.err);
  tk_clear(&o);
  o = list(f, "job", "rbk.dev/job=rb-ttl");
  assert_int_equal(o.res->u.list.len, 1);
  tk_clear(&o);
  int64_t before = tk_now;
  const char *wn[] = {"kind", "selector"};
  rbk_value *wv[] = {value_cstring("job"), value_cstring("rbk.dev/job=rb-ttl")};
  o = tk_call(f->a, FN_K_WAIT_DELETED, f->cluster, 60000, 2, wn, wv);
  assert_null(o.err);
  assert_true(tk_now - before <= 11000);
  tk_clear(&o);
  o = list(f, "pod", "rbk.dev/job=rb-ttl");
  assert_int_equal(o.res->u.list.len, 0);
  tk_clear(&o);
  fx_free(f);
}

static void job__bad_arguments__refused_before_sending(void **state) {
  (void)state;
  fx *f = fx_new();
  const char *names[] = {"name", "image", "command"};
  rbk_value *vals[] = {value_cstring("rb-str"), value_cstring("busybox:1.36"), value_cstring("echo hi")};
  tk_outcome o = tk_call(f->a, FN_K_JOB, f->cluster, 0, 3, names, vals);
  assert_string_equal(o.err, "job: command and args must be lists of strings");
  tk_clear(&o);
  rbk_value *env = value_object(1);
  value_object_set(env, "PGPASSWORD", value_secret("DB_PASSWORD", "hunter2"));
  const char *n2[] = {"name", "image", "command", "env"};
  rbk_value *v2[] = {value_cstring("rb-sec"), value_cstring("busybox:1.36"), strings("true", NULL), env};
  o = tk_call(f->a, FN_K_JOB, f->cluster, 0, 4, n2, v2);
  assert_non_null(o.err);
  assert_non_null(strstr(o.err, "env PGPASSWORD holds a secret"));
  assert_null(strstr(o.err, "hunter2"));
  tk_clear(&o);
  o = list(f, "job", "app.kubernetes.io/managed-by=rbk");
  assert_int_equal(o.res->u.list.len, 0);
  tk_clear(&o);
  fx_free(f);
}

static void job__lost_post_answer__found_by_its_attempt_label_not_created_twice(void **state) {
  (void)state;
  f_faults = json_pack("{s:[{s:s,s:s,s:i}]}", "lost_response", "method", "POST", "path", "/jobs", "times", 1);
  fx *f = fx_new();
  json_decref(f_faults);
  f_faults = NULL;
  const char *names[] = {"name", "image", "command"};
  rbk_value *vals[] = {value_cstring("rb-lost"), value_cstring("busybox:1.36"), strings("quick", NULL)};
  tk_outcome o = tk_call(f->a, FN_K_JOB, f->cluster, 0, 3, names, vals);
  assert_null(o.err);
  tk_clear(&o);
  o = list(f, "job", "rbk.dev/job=rb-lost");
  assert_int_equal(o.res->u.list.len, 1);
  assert_string_equal(at_str(o.res->u.list.items[0], "status.conditions.1.type"), "Complete");
  tk_clear(&o);
  fx_free(f);
}

static void job__resumed__waits_for_the_unfinished_job_of_that_name(void **state) {
  (void)state;
  fx *f = fx_new();
  /* the Job an interrupted run created: still running */
  json_t *doc = json_pack("{s:s,s:s,s:{s:s,s:{s:s}},s:{s:i,s:{s:{s:{s:s}},s:{s:s,s:[{s:s,s:s,s:[s]}]}}}}", "apiVersion",
                          "batch/v1", "kind", "Job", "metadata", "name", "rb-resume-abcde", "labels", "rbk.dev/job",
                          "rb-resume", "spec", "backoffLimit", 0, "template", "metadata", "labels", "rbk.dev/job",
                          "rb-resume", "spec", "restartPolicy", "Never", "containers", "name", "job", "image",
                          "busybox:1.36", "command", "quick");
  create_object(f, doc);
  tk_outcome o;
  const char *names[] = {"name", "image", "command"};
  rbk_value *vals[] = {value_cstring("rb-resume"), value_cstring("busybox:1.36"), strings("quick", NULL)};
  const sig_info *sig = sig_get(FN_K_JOB);
  size_t n = 0;
  rbk_value **args = tk_args(sig, &n, names, vals, 3);
  rbk_action_req req = {sig, f->cluster, args, n, sig->timeout_ms, tk_clock(), true, NULL};
  char *err = NULL;
  o = (tk_outcome){0};
  assert_true(f->a->start(f->a->self, &req, tk_done, &o, &err) != 0);
  tk_drive(f->a, &o);
  tk_args_free(args, n);
  assert_null(o.err);
  tk_clear(&o);
  o = list(f, "job", "rbk.dev/job=rb-resume");
  assert_int_equal(o.res->u.list.len, 1);
  assert_string_equal(at_str(o.res->u.list.items[0], "metadata.name"), "rb-resume-abcde");
  assert_string_equal(at_str(o.res->u.list.items[0], "status.conditions.1.type"), "Complete");
  tk_clear(&o);
  fx_free(f);
}

/* Returns logs(ref, container:, since:) (container NULL: not given; since_ms < 0: not given). */
static tk_outcome logs(fx *f, const char *ref, const char *container, int64_t since_ms) {
  const char *names[3] = {"ref"};
  rbk_value *vals[3] = {value_cstring(ref)};
  size_t k = 1;
  if (container) names[k] = "container", vals[k++] = value_cstring(container);
  if (since_ms >= 0) names[k] = "since", vals[k++] = value_duration(since_ms);
  return tk_call(f->a, FN_K_LOGS, f->cluster, 0, k, names, vals);
}

static void logs__container_and_since__the_kubelets_filters(void **state) {
  (void)state;
  fx *f = fx_new();
  const char *names[] = {"name", "image", "command"};
  rbk_value *vals[] = {value_cstring("rb-hello"), value_cstring("busybox:1.36"), strings("say-hi", NULL)};
  tk_outcome o = tk_call(f->a, FN_K_JOB, f->cluster, 0, 3, names, vals);
  assert_null(o.err);
  assert_string_equal(o.res->u.str.s, "hello from the job\n");
  tk_clear(&o);
  o = list(f, "job", "rbk.dev/job=rb-hello");
  char ref[96];
  snprintf(ref, sizeof ref, "job/%s", at_str(o.res->u.list.items[0], "metadata.name"));
  tk_clear(&o);
  o = list(f, "pod", "app=gl-001-process-heat-orchestrator");
  char app[160];
  snprintf(app, sizeof app, "pod/%s", at_str(o.res->u.list.items[0], "metadata.name"));
  tk_clear(&o);
  /* just after the Job: its line is within the last minute */
  o = logs(f, ref, "job", 60000);
  assert_null(o.err);
  assert_string_equal(o.res->u.str.s, "hello from the job\n");
  tk_clear(&o);
  tk_now += 300000; /* five minutes later */
  o = logs(f, ref, "job", 60000);
  assert_null(o.err);
  assert_string_equal(o.res->u.str.s, "");
  tk_clear(&o);
  o = logs(f, ref, NULL, 600000);
  assert_string_equal(o.res->u.str.s, "hello from the job\n");
  tk_clear(&o);
  /* the app's lines were written when it started and became ready, long before */
  o = logs(f, app, NULL, -1);
  assert_null(o.err);
  assert_non_null(strstr(o.res->u.str.s, " INFO ready\n"));
  tk_clear(&o);
  o = logs(f, app, NULL, 1000);
  assert_null(o.err);
  assert_string_equal(o.res->u.str.s, "");
  tk_clear(&o);
  o = logs(f, app, NULL, 0); /* sinceSeconds=0: the API server's 422, refused before sending */
  assert_non_null(o.err);
  assert_non_null(strstr(o.err, "since must be at least 1s"));
  tk_clear(&o);
  o = logs(f, app, "no-such-container", -1);
  assert_non_null(o.err);
  assert_non_null(strstr(o.err, "no-such-container"));
  tk_clear(&o);
  fx_free(f);
}

/* Runs the tests. */
int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(job__options__sent_as_a_job_spec),
      cmocka_unit_test(job__failing__backoff_limit_exceeded_and_logs),
      cmocka_unit_test(job__missing_secret__deadline_exceeded),
      cmocka_unit_test(job__missing_service_account__no_pod_deadline_exceeded),
      cmocka_unit_test(job__ttl_after_finished__deletes_the_job),
      cmocka_unit_test(job__bad_arguments__refused_before_sending),
      cmocka_unit_test(job__lost_post_answer__found_by_its_attempt_label_not_created_twice),
      cmocka_unit_test(job__resumed__waits_for_the_unfinished_job_of_that_name),
      cmocka_unit_test(logs__container_and_since__the_kubelets_filters),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
