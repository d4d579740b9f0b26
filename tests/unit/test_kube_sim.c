/* test_kube_sim.c — every cluster action of actions_kube against the simulator in-process, in
 * virtual time (the bad-release and stuck-rollout scenarios; a world whose watch history is so
 * short that watches expire mid-stream). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "actions_kube.h"
#include "actions_kube_int.h"
#include "http_sim.h"
#include "lease.h"
#include "procid.h"
#include "proc_sim.h"
#include "sim.h"
#include "test_kube_fake.h"
#include "test_kube_simfx.h"

#define DEP "deployment/gl-001-process-heat-orchestrator"

typedef struct {
  sim_world *w;
  rbk_actions *a;
  rbk_value *cluster;
} fx;

/* The next fixture's actions_kube_config.max_response (0: the default). */
static size_t f_max_response;

/* Returns the actions of a rehearsal over w (stubs and scratch borrowed). */
static rbk_actions *sim_actions(sim_world *w, const json_t *stubs, const char *scratch) {
  rbk_actions *a = tk_sim_actions(w, stubs, scratch, NULL, f_max_response);
  assert_non_null(a);
  return a;
}

/* Returns a fixture over the scenario document `sc` (taken). */
static fx *fx_from(json_t *sc) {
  fx *f = calloc(1, sizeof *f);
  char *err = NULL;
  assert_non_null(sc);
  f->w = sim_new(sc, 7, &err);
  json_decref(sc);
  assert_non_null(f->w);
  f->a = sim_actions(f->w, NULL, NULL);
  f->cluster = tk_sim_cluster(f->a, "greenlang");
  assert_non_null(f->cluster);
  return f;
}

/* Returns a fixture over the built-in scenario or scenario file `name`. */
static fx *fx_new(const char *name) {
  char *err = NULL;
  json_t *sc = sim_load_scenario(name, &err);
  free(err);
  return fx_from(sc);
}

/* A transport that counts the watches started over another and the ERROR events they stream. */
typedef struct {
  http_transport iface;
  http_transport *inner;
  int watches, expired;
  struct seen {
    http_callbacks cb;  /* the watch owner's */
  } *calls[64];
  size_t ncalls;
} counting_tr;

static counting_tr *counting; /* the one of the running test */

/* Counts an expired watch's ERROR line, then hands the line on. */
static void count_line(void *user, const char *line, size_t len) {
  struct seen *c = user;
  char *text = strndup(line, len);
  if (text && strstr(text, "\"ERROR\"") && strstr(text, "Expired")) counting->expired++;
  free(text);
  c->cb.on_line(c->cb.user, line, len);
}

/* Hands the outcome on. */
static void count_done(void *user, const http_response *resp, const char *error) {
  struct seen *c = user;
  c->cb.on_done(c->cb.user, resp, error);
}

/* Starts a request over the inner transport, counting watches. */
static uint64_t count_start(void *self, const http_request *req, int64_t now, const http_callbacks *cb, char **err) {
  counting_tr *t = self;
  if (!req->stream || t->ncalls == 64) return t->inner->start(t->inner->self, req, now, cb, err);
  t->watches++;
  struct seen *c = calloc(1, sizeof *c);
  c->cb = *cb;
  t->calls[t->ncalls++] = c;
  http_callbacks mine = {c, count_line, count_done};
  return t->inner->start(t->inner->self, req, now, &mine, err);
}

static void count_cancel(void *self, uint64_t id) { ((counting_tr *)self)->inner->cancel(((counting_tr *)self)->inner->self, id); }
static int64_t count_next(void *self, int64_t now) {
  return ((counting_tr *)self)->inner->next_event(((counting_tr *)self)->inner->self, now);
}
static void count_poll(void *self, int64_t now, int64_t max_wait, const int *fds, size_t nfds) {
  ((counting_tr *)self)->inner->poll(((counting_tr *)self)->inner->self, now, max_wait, fds, nfds);
}
static size_t count_pending(void *self) { return ((counting_tr *)self)->inner->pending(((counting_tr *)self)->inner->self); }

/* Frees the wrapper and the inner transport. */
static void count_free(void *self) {
  counting_tr *t = self;
  t->inner->free(t->inner->self);
  for (size_t i = 0; i < t->ncalls; i++) free(t->calls[i]);
  free(t);
}

/* Puts a counting transport under the fixture's actions; returns it (freed with the actions). */
static counting_tr *count_watches(fx *f) {
  akube *ak = actions_kube_of(f->a);
  counting_tr *t = calloc(1, sizeof *t);
  assert_non_null(ak);
  assert_non_null(t);
  t->inner = ak->rt.tr;
  t->iface = (http_transport){t, count_start, count_cancel, count_next, count_poll, count_pending, count_free};
  ak->rt.tr = &t->iface;
  return counting = t;
}

/* Frees a fixture. */
static void fx_free(fx *f) {
  value_unref(f->cluster);
  f->a->free(f->a->self);
  sim_free(f->w);
  free(f);
}

/* Sets up the bad-release fixture as the test's state. */
static int bad_release(void **state) {
  *state = fx_new("bad-release");
  return 0;
}

/* Frees the test's fixture. */
static int fx_done(void **state) {
  fx_free(*state);
  return 0;
}

/* Runs a one-ref action. */
static tk_outcome ref_call(fx *f, sig_id id, const char *ref) {
  const char *names[] = {"ref"};
  rbk_value *vals[] = {value_cstring(ref)};
  return tk_call(f->a, id, f->cluster, 0, 1, names, vals);
}

static void get__answer_past_max_response__fails_bounded(void **state) {
  (void)state;
  f_max_response = 1024;
  fx *f = fx_new("bad-release");
  f_max_response = 0;
  tk_outcome o = ref_call(f, FN_K_GET, DEP);
  assert_string_equal(o.err, "response larger than 1 KiB: https://kubernetes.default.svc");
  tk_clear(&o);
  o = ref_call(f, FN_K_GET, "configmap/nope");
  assert_non_null(strstr(o.err, "not found")); /* a small answer still arrives */
  tk_clear(&o);
  fx_free(f);
}

static void get__name_with_cr_lf_or_nul__refused_before_sending(void **state) {
  fx *f = *state;
  tk_outcome o = ref_call(f, FN_K_GET, "configmap/x\r\nX-Injected: yes");
  assert_string_equal(o.err, "get(): ref holds a CR, LF or NUL: refused (nothing was sent)");
  tk_clear(&o);
  const char *names[] = {"ref"};
  rbk_value *vals[] = {value_string("configmap/x\0y", 13)};
  o = tk_call(f->a, FN_K_GET, f->cluster, 0, 1, names, vals);
  assert_string_equal(o.err, "get(): ref holds a CR, LF or NUL: refused (nothing was sent)");
  tk_clear(&o);
}

static void get__deployment__returns_object(void **state) {
  fx *f = *state;
  tk_outcome o = ref_call(f, FN_K_GET, DEP);
  assert_null(o.err);
  assert_string_equal(tk_str(o.res, "kind"), "Deployment");
  tk_clear(&o);
  o = ref_call(f, FN_K_GET, "deployment/nope");
  assert_string_equal(o.err, "Error from server (NotFound): deployments.apps \"nope\" not found");
  tk_clear(&o);
  o = ref_call(f, FN_K_EXISTS, "deployment/nope");
  assert_null(o.err);
  assert_true(o.res->kind == VAL_BOOL && !o.res->u.b);
  tk_clear(&o);
  o = ref_call(f, FN_K_GET, "deploymnt/x");
  assert_string_equal(o.err, "unknown kind \"deploymnt\" in ref \"deploymnt/x\"");
  tk_clear(&o);
}

static void history__revisions__sorted_with_images(void **state) {
  fx *f = *state;
  tk_outcome o = ref_call(f, FN_K_HISTORY, DEP);
  assert_null(o.err);
  assert_int_equal(o.res->u.list.len, 4);
  assert_int_equal(tk_int(o.res->u.list.items[0], "revision"), 10);
  assert_string_equal(tk_str(o.res->u.list.items[3], "image"), "gcr.io/greenlang/gl-001:1.5.0");
  assert_string_equal(tk_str(o.res->u.list.items[2], "change_cause"), "Version 1.4.2 - Performance improvements");
  tk_clear(&o);
}

static void undo__previous__rolls_back_and_status_succeeds(void **state) {
  fx *f = *state;
  tk_outcome o = ref_call(f, FN_K_ROLLOUT_UNDO, DEP);
  assert_null(o.err);
  assert_false(value_object_get(o.res, "skipped")->u.b);
  assert_int_equal(tk_int(o.res, "revision"), 12);
  assert_string_equal(tk_str(o.res, "message"), "deployment.apps/gl-001-process-heat-orchestrator rolled back");
  tk_clear(&o);
  o = ref_call(f, FN_K_ROLLOUT_STATUS, DEP);
  assert_null(o.err);
  assert_string_equal(tk_str(o.res, "message"), "deployment \"gl-001-process-heat-orchestrator\" successfully rolled out");
  assert_int_equal(tk_int(o.res, "revision"), 14);
  tk_clear(&o);
  o = ref_call(f, FN_K_HISTORY, DEP);
  const rbk_value *last = o.res->u.list.items[o.res->u.list.len - 1];
  assert_int_equal(tk_int(last, "revision"), 14);
  assert_string_equal(tk_str(last, "image"), "gcr.io/greenlang/gl-001:1.4.2");
  tk_clear(&o);
}

static void undo__to_current__skipped_with_note(void **state) {
  fx *f = *state;
  const char *names[] = {"ref", "to_revision"};
  rbk_value *vals[] = {value_cstring(DEP), value_int(13)};
  tk_outcome o = tk_call(f->a, FN_K_ROLLOUT_UNDO, f->cluster, 0, 2, names, vals);
  assert_null(o.err);
  assert_true(value_object_get(o.res, "skipped")->u.b);
  assert_string_equal(tk_str(o.res, "message"), "skipped rollback (current template already matches revision 13)");
  tk_clear(&o);
  rbk_value *vals2[] = {value_cstring(DEP), value_int(99)};
  o = tk_call(f->a, FN_K_ROLLOUT_UNDO, f->cluster, 0, 2, names, vals2);
  assert_string_equal(o.err, "unable to find specified revision 99 in history");
  tk_clear(&o);
}

static void undo__recheck_after_applied__not_repeated(void **state) {
  fx *f = *state;
  tk_outcome o = ref_call(f, FN_K_ROLLOUT_UNDO, DEP);
  assert_null(o.err);
  tk_clear(&o);
  const sig_info *sig = sig_get(FN_K_ROLLOUT_UNDO);
  size_t n = 0;
  const char *names[] = {"ref"};
  rbk_value *vals[] = {value_cstring(DEP)};
  rbk_value **args = tk_args(sig, &n, names, vals, 1);
  rbk_action_req req = {sig, f->cluster, args, n, 30000, tk_now, true, NULL};
  char *err = NULL;
  assert_true(f->a->start(f->a->self, &req, tk_done, &o, &err) != 0);
  tk_drive(f->a, &o);
  assert_null(o.err);
  assert_true(value_object_get(o.res, "skipped")->u.b);
  tk_clear(&o);
  tk_args_free(args, n);
  o = ref_call(f, FN_K_HISTORY, DEP);
  assert_string_equal(tk_str(o.res->u.list.items[o.res->u.list.len - 1], "image"), "gcr.io/greenlang/gl-001:1.4.2");
  tk_clear(&o);
}

static void status__image_pull_backoff__fails_fast_naming_pod(void **state) {
  (void)state;
  fx *f = fx_new("stuck-rollout");
  tk_outcome o = ref_call(f, FN_K_ROLLOUT_UNDO, DEP);
  assert_null(o.err);
  tk_clear(&o);
  o = ref_call(f, FN_K_ROLLOUT_STATUS, DEP);
  assert_non_null(o.err);
  assert_non_null(strstr(o.err, "rollout failed: pod gl-001-process-heat-orchestrator-"));
  assert_non_null(strstr(o.err, "ImagePullBackOff"));
  assert_true(tk_now < 60000);
  tk_clear(&o);
  fx_free(f);
}

/* Returns bad-release where the rollback target 1.4.2 fails with `fault` (new reference). */
static json_t *fault_scenario(const char *fault) {
  char *err = NULL;
  json_t *sc = sim_load_scenario("bad-release", &err);
  assert_non_null(sc);
  json_t *cluster = json_object_get(sc, "cluster");
  if (!json_is_object(json_object_get(cluster, "images"))) json_object_set_new(cluster, "images", json_object());
  json_object_set_new(json_object_get(cluster, "images"), "gcr.io/greenlang/gl-001:1.4.2",
                      json_pack("{s:s}", "fault", fault));
  return sc;
}

static void status__config_errors__fail_fast_naming_reason(void **state) {
  (void)state;
  const char *faults[] = {"InvalidImageName", "CreateContainerConfigError"};
  for (size_t i = 0; i < 2; i++) {
    fx *f = fx_from(fault_scenario(faults[i]));
    tk_outcome o = ref_call(f, FN_K_ROLLOUT_UNDO, DEP);
    assert_null(o.err);
    tk_clear(&o);
    o = ref_call(f, FN_K_ROLLOUT_STATUS, DEP);
    assert_non_null(o.err);
    assert_non_null(strstr(o.err, "rollout failed: pod gl-001-process-heat-orchestrator-"));
    assert_non_null(strstr(o.err, faults[i]));
    assert_true(tk_now < 60000);
    tk_clear(&o);
    fx_free(f);
  }
}

static void status__timeout__names_last_status(void **state) {
  fx *f = *state;
  tk_outcome o = ref_call(f, FN_K_ROLLOUT_RESTART, DEP);
  assert_null(o.err);
  tk_clear(&o);
  const char *names[] = {"ref"};
  rbk_value *vals[] = {value_cstring(DEP)};
  o = tk_call(f->a, FN_K_ROLLOUT_STATUS, f->cluster, 500, 1, names, vals);
  assert_non_null(o.err);
  assert_non_null(strstr(o.err, "timed out waiting for the condition (last status: Waiting for deployment"));
  tk_clear(&o);
}

static void writes__scale_patch_create_delete(void **state) {
  fx *f = *state;
  const char *sn[] = {"ref", "replicas"};
  rbk_value *sv[] = {value_cstring("deployment/gl-002-boiler-efficiency"), value_int(0)};
  tk_outcome o = tk_call(f->a, FN_K_SCALE, f->cluster, 0, 2, sn, sv);
  assert_null(o.err);
  assert_string_equal(tk_str(o.res, "kind"), "Scale");
  tk_clear(&o);
  json_t *patch = json_pack("{s{s{ss}}}", "metadata", "annotations", "runbook/owner", "ops");
  const char *pn[] = {"ref", "patch", "type"};
  rbk_value *pv[] = {value_cstring("service/gl-001-process-heat-orchestrator"), value_from_json(patch), value_cstring("merge")};
  json_decref(patch);
  o = tk_call(f->a, FN_K_PATCH, f->cluster, 0, 3, pn, pv);
  assert_null(o.err);
  tk_clear(&o);
  json_t *cm = json_pack("{sssss{ss}s{ss}}", "apiVersion", "v1", "kind", "ConfigMap", "metadata", "name", "rb-cfg", "data", "a", "1");
  const char *cn[] = {"object"};
  rbk_value *cv[] = {value_from_json(cm)};
  o = tk_call(f->a, FN_K_CREATE, f->cluster, 0, 1, cn, cv);
  assert_null(o.err);
  tk_clear(&o);
  rbk_value *cv2[] = {value_from_json(cm)};
  o = tk_call(f->a, FN_K_CREATE, f->cluster, 0, 1, cn, cv2);
  assert_string_equal(o.err, "Error from server (AlreadyExists): configmaps \"rb-cfg\" already exists");
  tk_clear(&o);
  json_decref(cm);
  o = ref_call(f, FN_K_DELETE, "configmap/rb-cfg");
  assert_null(o.err);
  tk_clear(&o);
  o = ref_call(f, FN_K_EXISTS, "configmap/rb-cfg");
  assert_false(o.res->u.b);
  tk_clear(&o);
}

static void list__selector__pods_of_app(void **state) {
  fx *f = *state;
  const char *names[] = {"kind", "selector", "field"};
  rbk_value *vals[] = {value_cstring("pod"), value_cstring("app=gl-001-process-heat-orchestrator"), value_cstring("status.phase=Running")};
  tk_outcome o = tk_call(f->a, FN_K_LIST, f->cluster, 0, 3, names, vals);
  assert_null(o.err);
  assert_int_equal(o.res->u.list.len, 3);
  assert_string_equal(tk_str(o.res->u.list.items[0], "kind"), "Pod");
  tk_clear(&o);
}

static void service__proxy__orchestrator_health(void **state) {
  fx *f = *state;
  const char *names[] = {"name", "port"};
  rbk_value *vals[] = {value_cstring("gl-001-process-heat-orchestrator"), value_int(8000)};
  char *err = NULL;
  rbk_value *svc = tk_make(f->a, FN_K_SERVICE, f->cluster, 2, names, vals, &err);
  assert_non_null(svc);
  const char *pn[] = {"path"};
  rbk_value *pv[] = {value_cstring("/api/v1/plants/backup-heat-status")};
  tk_outcome o = tk_call(f->a, FN_E_GET, svc, 0, 1, pn, pv);
  assert_null(o.err);
  assert_non_null(value_object_get(o.res, "plants"));
  tk_clear(&o);
  rbk_value *pv2[] = {value_cstring("/api/v1/nope")};
  o = tk_call(f->a, FN_E_GET, svc, 0, 1, pn, pv2);
  assert_non_null(o.err);
  /* the engine's message names the call ("get GET /api/v1/nope: …"): the error does not repeat it */
  assert_true(!strncmp(o.err, "404 Not Found", 13));
  assert_null(strstr(o.err, "GET /api/v1/nope"));
  tk_clear(&o);
  value_unref(svc);
}

/* http() sends the URL as a real run would; the simulator's transport routes it: a cluster-service
 * host through the service proxy, another host refused; a webhook recorded in the plant model. */
static void http__routed_by_the_sim_transport(void **state) {
  fx *f = *state;
  char *err = NULL;
  const char *un[] = {"base_url"};
  rbk_value *uv[] = {value_cstring("http://gl-001-process-heat-orchestrator.greenlang.svc:8000/api/v1")};
  rbk_value *svc = tk_make(f->a, FN_HTTP, NULL, 1, un, uv, &err);
  assert_non_null(svc);
  const char *pn[] = {"path"};
  rbk_value *pv[] = {value_cstring("/plants/backup-heat-status")};
  tk_outcome o = tk_call(f->a, FN_E_GET, svc, 0, 1, pn, pv);
  assert_null(o.err);
  assert_non_null(value_object_get(o.res, "plants"));
  tk_clear(&o);
  rbk_value *ov[] = {value_cstring("https://status.example.com/v2")};
  rbk_value *out = tk_make(f->a, FN_HTTP, NULL, 1, un, ov, &err);
  assert_non_null(out);
  rbk_value *pv2[] = {value_cstring("/summary.json")};
  o = tk_call(f->a, FN_E_GET, out, 0, 1, pn, pv2);
  assert_string_equal(o.err, "http(): https://status.example.com is outside the simulated cluster: not reachable in a rehearsal");
  tk_clear(&o);
  const char *wn[] = {"url"};
  rbk_value *wv[] = {value_cstring("https://hooks.example.com/incident")};
  rbk_value *web = tk_make(f->a, FN_WEBHOOK, NULL, 1, wn, wv, &err);
  assert_non_null(web);
  o = (tk_outcome){0};
  assert_true(f->a->notify(f->a->self, web, "rollback started", tk_clock(), tk_done, &o, &err));
  tk_drive(f->a, &o);
  assert_null(o.err);
  tk_clear(&o);
  json_t *hooks = plant_webhooks(sim_plant(f->w));
  assert_int_equal(json_array_size(hooks), 1);
  json_t *h = json_array_get(hooks, 0);
  assert_string_equal(json_string_value(json_object_get(h, "url")), "https://hooks.example.com/incident");
  assert_string_equal(json_string_value(json_object_get(json_object_get(h, "body"), "text")), "rollback started");
  json_decref(hooks);
  value_unref(svc), value_unref(out), value_unref(web);
}

static void wait_ready__pods__done(void **state) {
  fx *f = *state;
  const char *names[] = {"kind", "selector"};
  rbk_value *vals[] = {value_cstring("pod"), value_cstring("app=gl-002-boiler-efficiency")};
  tk_outcome o = tk_call(f->a, FN_K_WAIT_READY, f->cluster, 0, 2, names, vals);
  assert_null(o.err);
  tk_clear(&o);
  const char *sn[] = {"ref", "replicas"};
  rbk_value *sv[] = {value_cstring("deployment/gl-002-boiler-efficiency"), value_int(0)};
  o = tk_call(f->a, FN_K_SCALE, f->cluster, 0, 2, sn, sv);
  tk_clear(&o);
  rbk_value *vals2[] = {value_cstring("pod"), value_cstring("app=gl-002-boiler-efficiency")};
  o = tk_call(f->a, FN_K_WAIT_DELETED, f->cluster, 0, 2, names, vals2);
  assert_null(o.err);
  tk_clear(&o);
}

static void job__migrate__returns_logs(void **state) {
  fx *f = *state;
  const char *names[] = {"name", "image", "command"};
  rbk_value *cmd = value_list(2);
  value_list_push(cmd, value_cstring("python"));
  value_list_push(cmd, value_cstring("migrate"));
  rbk_value *vals[] = {value_cstring("rb-migrate"), value_cstring("gcr.io/greenlang/gl-001:1.4.2"), cmd};
  tk_outcome o = tk_call(f->a, FN_K_JOB, f->cluster, 0, 3, names, vals);
  assert_null(o.err);
  assert_int_equal(o.res->kind, VAL_STRING);
  tk_clear(&o);
}

static void exec__db_pod__answers(void **state) {
  fx *f = *state;
  const char *names[] = {"ref", "argv"};
  rbk_value *argv = value_list(2);
  value_list_push(argv, value_cstring("nosuchcommand"));
  rbk_value *vals[] = {value_cstring("pod/postgresql-0"), argv};
  tk_outcome o = tk_call(f->a, FN_K_EXEC, f->cluster, 0, 2, names, vals);
  assert_null(o.err);
  assert_int_equal(tk_int(o.res, "status"), 127);
  tk_clear(&o);
}

static void flaky__reads_survive_mutations_once(void **state) {
  (void)state;
  fx *f = fx_new("flaky-api");
  for (int i = 0; i < 20; i++) {
    tk_outcome o = ref_call(f, FN_K_GET, DEP);
    assert_null(o.err);
    tk_clear(&o);
  }
  tk_outcome o = ref_call(f, FN_K_ROLLOUT_UNDO, DEP);
  assert_null(o.err);
  tk_clear(&o);
  o = ref_call(f, FN_K_HISTORY, DEP);
  assert_null(o.err);
  /* applied exactly once: 1.4.2 is now the newest revision and 1.5.0 is still in the history */
  assert_int_equal(o.res->u.list.len, 4);
  assert_string_equal(tk_str(o.res->u.list.items[3], "image"), "gcr.io/greenlang/gl-001:1.4.2");
  assert_string_equal(tk_str(o.res->u.list.items[2], "image"), "gcr.io/greenlang/gl-001:1.5.0");
  tk_clear(&o);
  fx_free(f);
}

static void lease__second_holder__refused_until_released(void **state) {
  fx *f = *state;
  char *err = NULL;
  lease_opts a = {.runbook_id = "gl-001-emergency-rollback", .holder = "alice@h1/run-1", .duration_s = 60};
  lease_opts b = {.runbook_id = "gl-001-emergency-rollback", .holder = "bob@h2/run-2", .duration_s = 60};
  assert_true(lease_run(f->a, f->cluster, LEASE_ACQUIRE, &a, &tk_now, true, &err));
  assert_false(lease_run(f->a, f->cluster, LEASE_ACQUIRE, &b, &tk_now, true, &err));
  assert_non_null(strstr(err, "run lock rbk-gl-001-emergency-rollback is held by alice@h1/run-1 since 2026-01-01T00:00:00"));
  free(err), err = NULL;
  assert_true(lease_run(f->a, f->cluster, LEASE_RENEW, &a, &tk_now, true, &err));
  assert_true(lease_run(f->a, f->cluster, LEASE_RELEASE, &a, &tk_now, true, &err));
  assert_true(lease_run(f->a, f->cluster, LEASE_ACQUIRE, &b, &tk_now, true, &err));
  /* expired: only --steal-lock takes it */
  tk_now += 120000;
  assert_false(lease_run(f->a, f->cluster, LEASE_ACQUIRE, &a, &tk_now, true, &err));
  assert_non_null(strstr(err, "it has expired: --steal-lock takes it over"));
  free(err), err = NULL;
  a.steal = true;
  assert_true(lease_run(f->a, f->cluster, LEASE_ACQUIRE, &a, &tk_now, true, &err));
  const json_t *l = sim_get(f->w, "leases", "greenlang", "rbk-gl-001-emergency-rollback");
  assert_string_equal(json_string_value(json_object_get(json_object_get(l, "spec"), "holderIdentity")), "alice@h1/run-1");
  assert_int_equal(json_integer_value(json_object_get(json_object_get(l, "spec"), "leaseTransitions")), 1);
  assert_false(lease_run(f->a, f->cluster, LEASE_RENEW, &b, &tk_now, true, &err));
  assert_string_equal(err, "run lock rbk-gl-001-emergency-rollback was taken over by alice@h1/run-1");
  free(err);
}

/* Returns the holder the Lease rbk-gl-001-emergency-rollback names now, or NULL when it is gone. */
static const char *lease_holder_now(fx *f) {
  const json_t *l = sim_get(f->w, "leases", "greenlang", "rbk-gl-001-emergency-rollback");
  return l ? json_string_value(json_object_get(json_object_get(l, "spec"), "holderIdentity")) : NULL;
}

/* Returns "OPERATOR@HOST/RUN_ID pid=PID boot=BOOT" for a pid of this host (caller frees). */
static char *holder_here(const char *op, const char *run_id, long pid) {
  char *host = procid_host(), *boot = procid_boot_id(), *h = malloc(512);
  snprintf(h, 512, "%s@%s/%s pid=%ld boot=%s", op, host, run_id, pid, boot ? boot : "");
  free(host), free(boot);
  return h;
}

/* The holder identity names host, pid and boot id: a dead holder of this host is taken over at
 * once, a live one running the same run refuses, one of another host only once expired; a
 * release leaves a Lease someone else holds alone. */
static void lease__holder_identity__dead_taken_live_refused_release_if_held(void **state) {
  fx *f = *state;
  char *err = NULL;
  pid_t child = fork();
  if (child == 0) _exit(0);
  waitpid(child, NULL, 0); /* a pid of this host and boot that no longer lives */
  char *dead = holder_here("alice", "run-1", child), *me = procid_holder_new("bob", "run-1");
  char *twin = holder_here("bob", "run-1", 1); /* a resume of run-1 beside a live holder of it */
  lease_opts a = {.runbook_id = "gl-001-emergency-rollback", .holder = dead, .duration_s = 60};
  lease_opts b = {.runbook_id = "gl-001-emergency-rollback", .holder = me, .duration_s = 60};
  lease_opts c = {.runbook_id = "gl-001-emergency-rollback", .holder = twin, .duration_s = 60};
  lease_opts far = {.runbook_id = "gl-001-emergency-rollback", .holder = "carol@elsewhere/run-1 pid=5 boot=x", .duration_s = 60};
  assert_true(lease_run(f->a, f->cluster, LEASE_ACQUIRE, &a, &tk_now, true, &err));
  assert_true(lease_run(f->a, f->cluster, LEASE_ACQUIRE, &b, &tk_now, true, &err)); /* not expired, but dead */
  assert_string_equal(lease_holder_now(f), me);
  assert_false(lease_run(f->a, f->cluster, LEASE_ACQUIRE, &c, &tk_now, true, &err));
  assert_non_null(strstr(err, "which is still running this run: it cannot be resumed while it runs"));
  free(err), err = NULL;
  assert_true(lease_run(f->a, f->cluster, LEASE_RELEASE, &a, &tk_now, true, &err)); /* not held: left alone */
  assert_string_equal(lease_holder_now(f), me);
  assert_true(lease_run(f->a, f->cluster, LEASE_RELEASE, &b, &tk_now, true, &err));
  assert_null(lease_holder_now(f));
  /* a holder of another host: alive as far as this host can tell, until its Lease expires */
  assert_true(lease_run(f->a, f->cluster, LEASE_ACQUIRE, &far, &tk_now, true, &err));
  assert_false(lease_run(f->a, f->cluster, LEASE_ACQUIRE, &b, &tk_now, true, &err));
  assert_non_null(strstr(err, "is held by carol@elsewhere/run-1 pid=5 boot=x since"));
  free(err), err = NULL;
  tk_now += 120000;
  assert_true(lease_run(f->a, f->cluster, LEASE_ACQUIRE, &b, &tk_now, true, &err)); /* expired, same run */
  assert_string_equal(lease_holder_now(f), me);
  assert_true(lease_run(f->a, f->cluster, LEASE_RELEASE, &far, &tk_now, true, &err));
  assert_string_equal(lease_holder_now(f), me);
  free(dead), free(me), free(twin);
}

static void status__watch_expires_midstream__relists_and_succeeds(void **state) {
  (void)state;
  char *err = NULL;
  json_t *sc = sim_load_scenario("bad-release", &err);
  assert_non_null(sc);
  json_object_set_new(json_object_get(sc, "cluster"), "watch", json_pack("{s:i}", "history", 2));
  fx *f = fx_from(sc);
  counting_tr *t = count_watches(f);
  tk_outcome o = ref_call(f, FN_K_ROLLOUT_UNDO, DEP);
  assert_null(o.err);
  tk_clear(&o);
  o = ref_call(f, FN_K_ROLLOUT_STATUS, DEP);
  assert_null(o.err);
  assert_string_equal(tk_str(o.res, "message"), "deployment \"gl-001-process-heat-orchestrator\" successfully rolled out");
  tk_clear(&o);
  assert_true(t->expired >= 1); /* watches got 410 Expired mid-stream… */
  assert_true(t->watches >= 2); /* …and were followed by a list and a new watch, until the list showed success */
  fx_free(f);
}

static void local__run_stub_and_write_file(void **state) {
  (void)state;
  char *err = NULL;
  json_t *sc = sim_load_scenario("bad-release", &err);
  sim_world *w = sim_new(sc, 7, &err);
  json_decref(sc);
  char dir[] = "/tmp/rbk-scratch-XXXXXX";
  assert_non_null(mkdtemp(dir));
  json_t *stubs = json_pack("[{s[ss]siss}]", "argv", "kubectl", "vers*", "status", 0, "stdout", "v1.32.4");
  rbk_actions *a = sim_actions(w, stubs, dir);
  tk_now = 0, tk_real = false;
  rbk_value *argv = value_list(2);
  value_list_push(argv, value_cstring("kubectl"));
  value_list_push(argv, value_cstring("version"));
  const char *rn[] = {"argv"};
  rbk_value *rv[] = {argv};
  tk_outcome o = tk_call(a, FN_RUN, NULL, 0, 1, rn, rv);
  assert_null(o.err);
  assert_string_equal(tk_str(o.res, "stdout"), "v1.32.4");
  tk_clear(&o);
  rbk_value *argv2 = value_list(1);
  value_list_push(argv2, value_cstring("psql"));
  rbk_value *rv2[] = {argv2};
  o = tk_call(a, FN_RUN, NULL, 0, 1, rn, rv2);
  assert_string_equal(o.err, "no stub for argv psql in the rehearsal's scenario");
  tk_clear(&o);
  const char *wn[] = {"path", "text"};
  rbk_value *wv[] = {value_cstring("/backups/report.txt"), value_cstring("heat ok\n")};
  char sub[64];
  snprintf(sub, sizeof sub, "mkdir -p %s/backups", dir);
  assert_int_equal(system(sub), 0);
  o = tk_call(a, FN_WRITE_FILE, NULL, 0, 2, wn, wv);
  assert_null(o.err);
  tk_clear(&o);
  char path[96], buf[32] = "";
  snprintf(path, sizeof path, "%s/backups/report.txt", dir);
  FILE *fp = fopen(path, "r");
  assert_non_null(fp);
  assert_non_null(fgets(buf, sizeof buf, fp));
  fclose(fp);
  assert_string_equal(buf, "heat ok\n");
  snprintf(sub, sizeof sub, "rm -rf %s", dir);
  assert_int_equal(system(sub), 0);
  a->free(a->self);
  json_decref(stubs);
  sim_free(w);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(get__deployment__returns_object, bad_release, fx_done),
      cmocka_unit_test_setup_teardown(http__routed_by_the_sim_transport, bad_release, fx_done),
      cmocka_unit_test(get__answer_past_max_response__fails_bounded),
      cmocka_unit_test_setup_teardown(get__name_with_cr_lf_or_nul__refused_before_sending, bad_release, fx_done),
      cmocka_unit_test_setup_teardown(history__revisions__sorted_with_images, bad_release, fx_done),
      cmocka_unit_test_setup_teardown(undo__previous__rolls_back_and_status_succeeds, bad_release, fx_done),
      cmocka_unit_test_setup_teardown(undo__to_current__skipped_with_note, bad_release, fx_done),
      cmocka_unit_test_setup_teardown(undo__recheck_after_applied__not_repeated, bad_release, fx_done),
      cmocka_unit_test(status__image_pull_backoff__fails_fast_naming_pod),
      cmocka_unit_test(status__config_errors__fail_fast_naming_reason),
      cmocka_unit_test_setup_teardown(status__timeout__names_last_status, bad_release, fx_done),
      cmocka_unit_test_setup_teardown(writes__scale_patch_create_delete, bad_release, fx_done),
      cmocka_unit_test_setup_teardown(list__selector__pods_of_app, bad_release, fx_done),
      cmocka_unit_test_setup_teardown(service__proxy__orchestrator_health, bad_release, fx_done),
      cmocka_unit_test_setup_teardown(wait_ready__pods__done, bad_release, fx_done),
      cmocka_unit_test_setup_teardown(job__migrate__returns_logs, bad_release, fx_done),
      cmocka_unit_test_setup_teardown(exec__db_pod__answers, bad_release, fx_done),
      cmocka_unit_test(flaky__reads_survive_mutations_once),
      cmocka_unit_test_setup_teardown(lease__second_holder__refused_until_released, bad_release, fx_done),
      cmocka_unit_test_setup_teardown(lease__holder_identity__dead_taken_live_refused_release_if_held, bad_release, fx_done),
      cmocka_unit_test(status__watch_expires_midstream__relists_and_succeeds),
      cmocka_unit_test(local__run_stub_and_write_file),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
