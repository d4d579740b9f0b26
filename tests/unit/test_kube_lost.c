/* test_kube_lost.c — writes whose answer is lost (the simulator's faults.lost_response: applied,
 * then the connection breaks), in process and in virtual time: every Kubernetes write is read
 * back and taken as done without being sent again; a write that was not applied (a 409 whose
 * answer was lost) is sent once more, the decision logged, and a second time ends in "outcome
 * unknown"; an endpoint write is never repeated unless the call says it is idempotent or keyed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#include <cmocka.h>

#include "actions_kube.h"
#include "actions_kube_int.h"
#include "http_sim.h"
#include "proc_sim.h"
#include "sim.h"
#include "test_kube_fake.h"
#include "test_kube_simfx.h"
#include "test_value_fx.h"

#define DEP "deployment/gl-001-process-heat-orchestrator"
#define DEP_PATH "/apis/apps/v1/namespaces/greenlang/deployments/gl-001-process-heat-orchestrator"
#define ORCH "gl-001-process-heat-orchestrator"

/* A transport that records the writes sent over another. */
typedef struct {
  http_transport iface;
  http_transport *inner;
  char *writes[32];   /* "METHOD path?query" */
  bool keyed[32];     /* sent with an Idempotency-Key header */
  size_t n;
} rec_tr;

/* Records a write, then starts the request over the inner transport. */
static uint64_t rec_start(void *self, const http_request *req, int64_t now, const http_callbacks *cb, char **err) {
  rec_tr *t = self;
  if (strcmp(req->method, "GET") && t->n < 32) {
    const char *path = strstr(req->url, "://");
    path = path ? strchr(path + 3, '/') : req->url;
    t->writes[t->n] = strutil_printf("%s %s", req->method, path ? path : "");
    for (size_t i = 0; i < req->n_headers; i++)
      if (!strncmp(req->headers[i], "Idempotency-Key: ", 17)) t->keyed[t->n] = true;
    t->n++;
  }
  return t->inner->start(t->inner->self, req, now, cb, err);
}
static void rec_cancel(void *self, uint64_t id) { ((rec_tr *)self)->inner->cancel(((rec_tr *)self)->inner->self, id); }
static int64_t rec_next(void *self, int64_t now) { return ((rec_tr *)self)->inner->next_event(((rec_tr *)self)->inner->self, now); }
static void rec_poll(void *self, int64_t now, int64_t max_wait, const int *fds, size_t nfds) {
  ((rec_tr *)self)->inner->poll(((rec_tr *)self)->inner->self, now, max_wait, fds, nfds);
}
static size_t rec_pending(void *self) { return ((rec_tr *)self)->inner->pending(((rec_tr *)self)->inner->self); }
static void rec_free(void *self) {
  rec_tr *t = self;
  t->inner->free(t->inner->self);
  for (size_t i = 0; i < t->n; i++) free(t->writes[i]);
  free(t);
}

typedef struct {
  sim_world *w;
  rbk_actions *a;
  rbk_value *cluster;
  rec_tr *rec;
  FILE *log;
} fx;

/* Returns bad-release with faults (a JSON text merged into "faults"). */
static json_t *scenario(const char *faults) {
  char *err = NULL;
  json_t *sc = sim_load_scenario("bad-release", &err);
  json_t *f = json_loads(faults, 0, NULL);
  assert_non_null(sc);
  assert_non_null(f);
  json_object_set_new(sc, "faults", f);
  return sc;
}

/* Returns a fixture over scenario sc (taken), its writes recorded and its decisions logged. */
static fx *fx_from(json_t *sc) {
  fx *f = calloc(1, sizeof *f);
  char *err = NULL;
  f->w = sim_new(sc, 7, &err);
  json_decref(sc);
  assert_non_null(f->w);
  f->log = tmpfile();
  f->a = tk_sim_actions(f->w, NULL, NULL, f->log, 0);
  assert_non_null(f->a);
  akube *ak = actions_kube_of(f->a);
  f->rec = calloc(1, sizeof *f->rec);
  f->rec->inner = ak->rt.tr;
  f->rec->iface = (http_transport){f->rec, rec_start, rec_cancel, rec_next, rec_poll, rec_pending, rec_free};
  ak->rt.tr = &f->rec->iface;
  f->cluster = tk_sim_cluster(f->a, "greenlang");
  assert_non_null(f->cluster);
  return f;
}

/* Frees a fixture. */
static void fx_free(fx *f) {
  value_unref(f->cluster);
  f->a->free(f->a->self);
  sim_free(f->w);
  fclose(f->log);
  free(f);
}

/* Returns how many recorded writes start with prefix. */
static size_t sent(const fx *f, const char *prefix) {
  size_t k = 0;
  for (size_t i = 0; i < f->rec->n; i++) k += !strncmp(f->rec->writes[i], prefix, strlen(prefix));
  return k;
}

/* Returns the decision log so far (caller frees). */
static char *logged(fx *f) {
  fflush(f->log);
  long n = ftell(f->log);
  char *s = calloc(1, (size_t)n + 1);
  rewind(f->log);
  if (n > 0 && fread(s, 1, (size_t)n, f->log) != (size_t)n) s[0] = '\0';
  fseek(f->log, 0, SEEK_END);
  return s;
}

/* Returns the image of the deployment's pod template in the world (borrowed). */
static const char *template_image(fx *f) {
  const json_t *d = sim_get(f->w, "deployments", "greenlang", ORCH);
  json_t *c = json_array_get(json_object_get(json_object_get(json_object_get(json_object_get(d, "spec"), "template"), "spec"),
                                             "containers"), 0);
  return json_string_value(json_object_get(c, "image"));
}

static void undo__answer_lost__read_back_sent_once(void **state) {
  (void)state;
  fx *f = fx_from(scenario("{\"lost_response\": [{\"method\": \"PATCH\", \"path\": \"/deployments/" ORCH "\"}]}"));
  tk_outcome o = tk_call(f->a, FN_K_ROLLOUT_UNDO, f->cluster, 0, 1, (const char *[]){"ref"}, (rbk_value *[]){value_cstring(DEP)});
  assert_null(o.err);
  assert_int_equal(tk_int(o.res, "revision"), 12);
  assert_int_equal(sent(f, "PATCH " DEP_PATH), 1);
  assert_string_equal(template_image(f), "gcr.io/greenlang/gl-001:1.4.2");
  char *log = logged(f);
  assert_string_equal(log, "");
  free(log);
  tk_clear(&o);
  fx_free(f);
}

static void undo__lost_and_not_applied__sent_again_once_logged(void **state) {
  (void)state;
  fx *f = fx_from(scenario("{\"lost_response\": [{\"method\": \"PATCH\"}], \"conflict_on_patch\": [{\"resource\": \"deployments\", "
                           "\"name\": \"" ORCH "\", \"times\": 1}]}"));
  tk_outcome o = tk_call(f->a, FN_K_ROLLOUT_UNDO, f->cluster, 0, 1, (const char *[]){"ref"}, (rbk_value *[]){value_cstring(DEP)});
  assert_null(o.err);
  assert_int_equal(sent(f, "PATCH " DEP_PATH), 2);
  assert_string_equal(template_image(f), "gcr.io/greenlang/gl-001:1.4.2");
  char *log = logged(f);
  assert_non_null(strstr(log, "PATCH " DEP_PATH " was sent and its answer was lost; read back, it was not applied"));
  assert_non_null(strstr(log, "sending it once more"));
  free(log);
  tk_clear(&o);
  fx_free(f);
}

static void undo__lost_twice_not_applied__outcome_unknown(void **state) {
  (void)state;
  fx *f = fx_from(scenario("{\"lost_response\": [{\"method\": \"PATCH\", \"times\": -1}], \"conflict_on_patch\": [{\"resource\": "
                           "\"deployments\", \"name\": \"" ORCH "\", \"times\": 5}]}"));
  tk_outcome o = tk_call(f->a, FN_K_ROLLOUT_UNDO, f->cluster, 0, 1, (const char *[]){"ref"}, (rbk_value *[]){value_cstring(DEP)});
  assert_non_null(o.err);
  assert_non_null(strstr(o.err, "outcome unknown: PATCH " DEP_PATH " was sent and its answer was lost; read back after it was "
                                "sent again, it is still not applied; check " DEP " before retrying"));
  assert_int_equal(sent(f, "PATCH " DEP_PATH), 2);
  assert_string_equal(template_image(f), "gcr.io/greenlang/gl-001:1.5.0");
  tk_clear(&o);
  fx_free(f);
}

static void restart_and_scale__answers_lost__sent_once(void **state) {
  (void)state;
  fx *f = fx_from(scenario("{\"lost_response\": [{\"method\": \"PATCH\", \"times\": -1}]}"));
  tk_outcome o = tk_call(f->a, FN_K_ROLLOUT_RESTART, f->cluster, 0, 1, (const char *[]){"ref"}, (rbk_value *[]){value_cstring(DEP)});
  assert_null(o.err);
  assert_int_equal(sent(f, "PATCH " DEP_PATH), 1);
  tk_clear(&o);
  o = tk_call(f->a, FN_K_SCALE, f->cluster, 0, 2, (const char *[]){"ref", "replicas"},
              (rbk_value *[]){value_cstring("deployment/gl-002-boiler-efficiency"), value_int(0)});
  assert_null(o.err);
  assert_int_equal(sent(f, "PATCH /apis/apps/v1/namespaces/greenlang/deployments/gl-002-boiler-efficiency/scale"), 1);
  assert_int_equal(tk_int(value_object_get(o.res, "spec"), "replicas"), 0);
  tk_clear(&o);
  fx_free(f);
}

/* Returns a ConfigMap object value {name, data: {k: v}}. */
static rbk_value *configmap(const char *name, const char *v) {
  json_t *j = json_pack("{sssss{ss}s{ss}}", "apiVersion", "v1", "kind", "ConfigMap", "metadata", "name", name, "data", "k", v);
  rbk_value *out = value_from_json(j);
  json_decref(j);
  assert_non_null(out);
  return out;
}

static void create_patch_apply_delete__answers_lost__sent_once(void **state) {
  (void)state;
  fx *f = fx_from(scenario("{\"lost_response\": [{\"path\": \"/configmaps\", \"times\": -1}]}"));
  const char *cm = "POST /api/v1/namespaces/greenlang/configmaps";
  tk_outcome o = tk_call(f->a, FN_K_CREATE, f->cluster, 0, 1, (const char *[]){"object"}, (rbk_value *[]){configmap("lost-a", "1")});
  assert_null(o.err);
  assert_int_equal(sent(f, cm), 1);
  tk_clear(&o);
  o = tk_call(f->a, FN_K_PATCH, f->cluster, 0, 2, (const char *[]){"ref", "patch"},
              (rbk_value *[]){value_cstring("configmap/lost-a"), tv_json("{\"data\": {\"k\": \"2\"}}")});
  assert_null(o.err);
  tk_clear(&o);
  o = tk_call(f->a, FN_K_PATCH, f->cluster, 0, 3, (const char *[]){"ref", "patch", "type"},
              (rbk_value *[]){value_cstring("configmap/lost-a"), tv_json("[{\"op\": \"replace\", \"path\": \"/data/k\", \"value\": \"3\"}]"),
                              value_cstring("json")});
  assert_null(o.err);
  tk_clear(&o);
  assert_int_equal(sent(f, "PATCH /api/v1/namespaces/greenlang/configmaps/lost-a"), 2);
  o = tk_call(f->a, FN_K_APPLY, f->cluster, 0, 1, (const char *[]){"object"}, (rbk_value *[]){configmap("lost-a", "4")});
  assert_null(o.err);
  tk_clear(&o);
  o = tk_call(f->a, FN_K_APPLY, f->cluster, 0, 1, (const char *[]){"object"}, (rbk_value *[]){configmap("lost-b", "5")});
  assert_null(o.err);
  tk_clear(&o);
  assert_int_equal(sent(f, "PATCH /api/v1/namespaces/greenlang/configmaps/lost-a"), 3);
  assert_int_equal(sent(f, cm), 2);
  assert_string_equal(json_string_value(json_object_get(json_object_get(sim_get(f->w, "configmaps", "greenlang", "lost-a"), "data"), "k")), "4");
  o = tk_call(f->a, FN_K_DELETE, f->cluster, 0, 1, (const char *[]){"ref"}, (rbk_value *[]){value_cstring("configmap/lost-a")});
  assert_null(o.err);
  tk_clear(&o);
  assert_int_equal(sent(f, "DELETE /api/v1/namespaces/greenlang/configmaps/lost-a"), 1);
  assert_null(sim_get(f->w, "configmaps", "greenlang", "lost-a"));
  fx_free(f);
}

static void create__lost_and_taken_by_another__outcome_unknown(void **state) {
  (void)state;
  fx *f = fx_from(scenario("{\"lost_response\": [{\"method\": \"POST\", \"path\": \"/configmaps\", \"times\": 2}]}"));
  /* someone else creates lost-c with other data (its answer lost too) */
  const char *body = "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"lost-c\"},\"data\":{\"k\":\"theirs\"}}";
  sim_request req = {"POST", "/api/v1/namespaces/greenlang/configmaps", NULL, NULL, 0, body, strlen(body)};
  sim_response resp;
  sim_handle(f->w, &req, &resp);
  assert_true(resp.drop);
  sim_response_clear(&resp);
  tk_outcome o = tk_call(f->a, FN_K_CREATE, f->cluster, 0, 1, (const char *[]){"object"}, (rbk_value *[]){configmap("lost-c", "ours")});
  assert_non_null(o.err);
  assert_string_equal(o.err, "outcome unknown: POST /api/v1/namespaces/greenlang/configmaps was sent and its answer was lost; an "
                             "object of that name exists but differs from what was sent; check configmap/lost-c before retrying");
  assert_int_equal(sent(f, "POST "), 1);
  tk_clear(&o);
  fx_free(f);
}

/* Returns the orchestrator's service handle. */
static rbk_value *orch(fx *f) {
  char *err = NULL;
  rbk_value *svc = tk_make(f->a, FN_K_SERVICE, f->cluster, 2, (const char *[]){"name", "port"},
                           (rbk_value *[]){value_cstring(ORCH), value_int(8000)}, &err);
  assert_non_null(svc);
  return svc;
}

static void endpoint_post__answer_lost__outcome_unknown_never_repeated(void **state) {
  (void)state;
  fx *f = fx_from(scenario("{\"lost_response\": [{\"method\": \"POST\", \"path\": \"/config/reload\", \"times\": -1}]}"));
  rbk_value *svc = orch(f);
  tk_outcome o = tk_call(f->a, FN_E_POST, svc, 0, 1, (const char *[]){"path"}, (rbk_value *[]){value_cstring("/api/v1/config/reload")});
  assert_non_null(o.err);
  assert_string_equal(o.err, "outcome unknown: the request was sent and its answer was lost; check the state of "
                             "service " ORCH ":8000 before retrying");
  assert_int_equal(sent(f, "POST "), 1);
  tk_clear(&o);
  value_unref(svc);
  fx_free(f);
}

static void endpoint_post__answer_too_late__outcome_unknown(void **state) {
  (void)state;
  fx *f = fx_from(scenario("{\"latency\": [\"20s\", \"20s\"]}"));
  rbk_value *svc = orch(f);
  tk_outcome o = tk_call(f->a, FN_E_POST, svc, 10000, 1, (const char *[]){"path"}, (rbk_value *[]){value_cstring("/api/v1/config/reload")});
  assert_non_null(o.err);
  assert_non_null(strstr(o.err, "outcome unknown: the request was sent and its answer was lost; check the state of"));
  assert_true(tk_now < 10000); /* the write's own timeout left time before the action's */
  assert_int_equal(sent(f, "POST "), 1);
  tk_clear(&o);
  value_unref(svc);
  fx_free(f);
}

static void endpoint_post__idempotent_or_keyed__repeated(void **state) {
  (void)state;
  for (int keyed = 0; keyed < 2; keyed++) {
    fx *f = fx_from(scenario("{\"lost_response\": [{\"method\": \"POST\", \"path\": \"/config/reload\"}]}"));
    rbk_value *svc = orch(f);
    tk_outcome o = tk_call(f->a, FN_E_POST, svc, 0, 2, (const char *[]){"path", keyed ? "idempotency_key" : "idempotent"},
                           (rbk_value *[]){value_cstring("/api/v1/config/reload"), keyed ? value_cstring("reload-42") : value_bool(true)});
    assert_null(o.err);
    assert_int_equal(sent(f, "POST "), 2);
    assert_int_equal(f->rec->keyed[0] + f->rec->keyed[1], keyed ? 2 : 0);
    tk_clear(&o);
    value_unref(svc);
    fx_free(f);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(undo__answer_lost__read_back_sent_once),
      cmocka_unit_test(undo__lost_and_not_applied__sent_again_once_logged),
      cmocka_unit_test(undo__lost_twice_not_applied__outcome_unknown),
      cmocka_unit_test(restart_and_scale__answers_lost__sent_once),
      cmocka_unit_test(create_patch_apply_delete__answers_lost__sent_once),
      cmocka_unit_test(create__lost_and_taken_by_another__outcome_unknown),
      cmocka_unit_test(endpoint_post__answer_lost__outcome_unknown_never_repeated),
      cmocka_unit_test(endpoint_post__answer_too_late__outcome_unknown),
      cmocka_unit_test(endpoint_post__idempotent_or_keyed__repeated),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
