/* fuzz_answer.c — libFuzzer target: the answers of the API server and of endpoints, as the actions
 * decode them. The real actions (stdlib/kube, as a run wires them) talk to a scripted transport that
 * answers every request with the next part of the input, in virtual time; nothing else is faked.
 *
 * Input: a first line naming the action ("rollout_status", "get", … see `actions` below; an unknown
 * name picks one by its first byte), optionally followed by " recheck" (a resumed run re-checking a
 * mutation in flight); then answers separated by "\n--\n", each "STATUS[ CONTENT-TYPE]\nBODY". A
 * streaming request (watch) gets the body's lines as events. STATUS 0 or a non-number is a
 * connection reset; when the answers run out, requests are refused (nothing was sent).
 * Nothing may crash, leak, hang or read out of bounds. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "actions_kube.h"
#include "fuzz_util.h"
#include "scrub.h"
#include "sig.h"
#include "value.h"

/* The actions and their arguments (JSON object: parameter name → value). */
static const struct {
  const char *name;
  sig_id id;
  bool endpoint;
  const char *args;
} actions[] = {
    {"get", FN_K_GET, false, "{\"ref\":\"deployment/web\"}"},
    {"get_pod", FN_K_GET, false, "{\"ref\":\"pod/web-1\"}"},
    {"list", FN_K_LIST, false, "{\"kind\":\"pods\",\"selector\":\"app=web\"}"},
    {"exists", FN_K_EXISTS, false, "{\"ref\":\"configmap/cfg\"}"},
    {"history", FN_K_HISTORY, false, "{\"ref\":\"deployment/web\"}"},
    {"rollout_status", FN_K_ROLLOUT_STATUS, false, "{\"ref\":\"deployment/web\"}"},
    {"rollout_status_sts", FN_K_ROLLOUT_STATUS, false, "{\"ref\":\"statefulset/db\"}"},
    {"wait_deleted", FN_K_WAIT_DELETED, false, "{\"kind\":\"pods\",\"selector\":\"app=web\"}"},
    {"wait_ready", FN_K_WAIT_READY, false, "{\"kind\":\"pods\",\"selector\":\"app=web\"}"},
    {"events", FN_K_EVENTS, false, "{\"selector\":\"involvedObject.name=web\"}"},
    {"rollout_undo", FN_K_ROLLOUT_UNDO, false, "{\"ref\":\"deployment/web\"}"},
    {"rollout_undo_to", FN_K_ROLLOUT_UNDO, false, "{\"ref\":\"deployment/web\",\"to_revision\":2}"},
    {"rollout_restart", FN_K_ROLLOUT_RESTART, false, "{\"ref\":\"deployment/web\"}"},
    {"scale", FN_K_SCALE, false, "{\"ref\":\"deployment/web\",\"replicas\":3}"},
    {"patch", FN_K_PATCH, false, "{\"ref\":\"deployment/web\",\"patch\":{\"spec\":{\"paused\":true}}}"},
    {"patch_json", FN_K_PATCH, false,
     "{\"ref\":\"configmap/cfg\",\"patch\":[{\"op\":\"add\",\"path\":\"/data/k\",\"value\":\"v\"}],\"type\":\"json\"}"},
    {"apply", FN_K_APPLY, false,
     "{\"object\":{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"cfg\"},\"data\":{\"k\":\"v\"}}}"},
    {"create", FN_K_CREATE, false,
     "{\"object\":{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"cfg\"},\"data\":{\"k\":\"v\"}}}"},
    {"delete", FN_K_DELETE, false, "{\"ref\":\"pod/web-1\"}"},
    {"job", FN_K_JOB, false, "{\"name\":\"migrate\",\"image\":\"busybox\",\"command\":[\"sh\",\"-c\",\"true\"]}"},
    {"logs", FN_K_LOGS, false, "{\"ref\":\"pod/web-1\",\"tail\":10}"},
    {"logs_job", FN_K_LOGS, false, "{\"ref\":\"job/migrate\"}"},
    {"e_get", FN_E_GET, true, "{\"path\":\"/health\"}"},
    {"e_post", FN_E_POST, true, "{\"path\":\"/flags\",\"body\":{\"on\":false}}"},
    {"e_post_key", FN_E_POST, true, "{\"path\":\"/flags\",\"body\":{\"on\":false},\"idempotency_key\":\"k1\"}"},
    {"e_put", FN_E_PUT, true, "{\"path\":\"/flags/x\",\"body\":{\"on\":true}}"},
    {"e_delete", FN_E_DELETE, true, "{\"path\":\"/flags/x\"}"},
};
#define N_ACTIONS (sizeof actions / sizeof *actions)

/* One request waiting for its answer. */
typedef struct {
  uint64_t id;
  int64_t due;
  bool stream;
  http_callbacks cb;
} pending_req;

/* The scripted transport: answers come from the input's parts, in order. */
static struct {
  fuzz_part rest;     /* the answers not yet given */
  pending_req q[16];
  size_t n;
  uint64_t next_id;
  size_t started;
  uint64_t streaming;     /* the stream being answered, 0 once it was cancelled */
} tr;

/* Starts a request: answered 1 virtual ms later. */
static uint64_t tr_start(void *self, const http_request *req, int64_t now, const http_callbacks *cb, char **err) {
  (void)self;
  char *why = http_check_request(req);
  if (why) return *err = why, 0;
  if (tr.n == sizeof tr.q / sizeof *tr.q || ++tr.started > 200) return *err = strdup("fuzz: too many requests"), 0;
  if (getenv("FUZZ_TRACE")) fprintf(stderr, "fuzz_answer: %s %s%s\n", req->method, req->url, req->stream ? " (stream)" : "");
  tr.q[tr.n++] = (pending_req){++tr.next_id, now + 1, req->stream, *cb};
  return tr.next_id;
}

/* Drops a request. */
static void tr_cancel(void *self, uint64_t id) {
  (void)self;
  if (id == tr.streaming) tr.streaming = 0;
  for (size_t i = 0; i < tr.n; i++)
    if (tr.q[i].id == id) {
      memmove(&tr.q[i], &tr.q[i + 1], (tr.n - i - 1) * sizeof *tr.q);
      tr.n--;
      return;
    }
}

/* Returns the earliest due time. */
static int64_t tr_next(void *self, int64_t now) {
  (void)self, (void)now;
  int64_t t = INT64_MAX;
  for (size_t i = 0; i < tr.n; i++)
    if (tr.q[i].due < t) t = tr.q[i].due;
  return t;
}

/* Answers one request with the next part of the input (or a refusal when none is left). */
static void answer(pending_req *p) {
  fuzz_part part, head, body;
  http_response r = {.retry_after_ms = -1};
  if (!fuzz_next(&tr.rest, "\n--\n", &part)) {
    r.fail = HTTP_FAIL_CONNECT, r.body = "";
    p->cb.on_done(p->cb.user, &r, "connection refused: fuzz");
    return;
  }
  if (!fuzz_next(&part, "\n", &head)) head = (fuzz_part){"", 0};
  body = part;
  char *line = fuzz_cstr(head.p, head.n), *text = fuzz_cstr(body.p, body.n);
  char *sp = strchr(line, ' ');
  if (sp) *sp++ = '\0';
  r.status = atoi(line);
  r.content_type = sp;
  if (r.status < 100 || r.status > 599) {
    r.status = 0, r.fail = HTTP_FAIL_RESET, r.body = "";
    p->cb.on_done(p->cb.user, &r, "connection reset: fuzz");
  } else if (p->stream && r.status / 100 == 2) {
    fuzz_part lines = body, l;
    tr.streaming = p->id; /* an event's callback may cancel the stream */
    while (tr.streaming && fuzz_next(&lines, "\n", &l))
      if (p->cb.on_line) p->cb.on_line(p->cb.user, l.p, l.n);
    r.body = "";
    if (tr.streaming) p->cb.on_done(p->cb.user, &r, NULL);
    tr.streaming = 0;
  } else {
    r.body = text, r.body_len = body.n;
    p->cb.on_done(p->cb.user, &r, NULL);
  }
  free(line), free(text);
}

/* Answers every request due by now, oldest first. */
static void tr_poll(void *self, int64_t now, int64_t max_wait, const int *fds, size_t nfds) {
  (void)self, (void)max_wait, (void)fds, (void)nfds;
  for (;;) {
    size_t k = tr.n;
    for (size_t i = 0; i < tr.n; i++)
      if (tr.q[i].due <= now && (k == tr.n || tr.q[i].id < tr.q[k].id)) k = i;
    if (k == tr.n) return;
    pending_req p = tr.q[k];
    memmove(&tr.q[k], &tr.q[k + 1], (tr.n - k - 1) * sizeof *tr.q);
    tr.n--;
    answer(&p);
  }
}

/* Returns the requests in flight. */
static size_t tr_pending(void *self) {
  (void)self;
  return tr.n;
}

/* Forgets every request. */
static void tr_free(void *self) {
  (void)self;
  tr.n = 0;
}

static http_transport scripted = {NULL, tr_start, tr_cancel, tr_next, tr_poll, tr_pending, tr_free};

/* An action's outcome. */
typedef struct {
  bool done;
} outcome;

/* Records the end of the action. */
static void on_done(void *user, rbk_value *result, const char *error) {
  if (getenv("FUZZ_TRACE")) fprintf(stderr, "fuzz_answer: %s\n", error ? error : "ok");
  ((outcome *)user)->done = true;
  value_unref(result);
}

/* Returns a handle built by constructor id with the JSON object of arguments, or NULL. */
static rbk_value *construct(rbk_actions *a, sig_id id, const char *args_json) {
  const sig_info *sig = sig_get(id);
  sig_param p[16];
  size_t n = sig_params(sig, p, 16);
  rbk_value *args[16] = {0};
  json_t *j = json_loads(args_json, 0, NULL);
  const char *k;
  json_t *v;
  json_object_foreach(j, k, v) {
    int i = sig_param_index(p, n, k);
    if (i >= 0) args[i] = value_from_json(v);
  }
  json_decref(j);
  char *err = NULL;
  rbk_value *h = a->construct(a->self, sig, NULL, args, &err);
  free(err);
  for (size_t i = 0; i < n; i++) value_unref(args[i]);
  return h;
}

/* Runs the action to its end in virtual time (or until nothing is due). */
static void run(rbk_actions *a, size_t which, bool recheck) {
  const sig_info *sig = sig_get(actions[which].id);
  rbk_value *recv = actions[which].endpoint ? construct(a, FN_HTTP, "{\"base_url\":\"https://api.fuzz.test\"}")
                                            : construct(a, FN_KUBE, "{\"namespace\":\"prod\"}");
  if (!recv) abort();
  sig_param p[16];
  size_t n = sig_params(sig, p, 16);
  rbk_value *args[16] = {0};
  json_t *j = json_loads(actions[which].args, 0, NULL);
  if (!j) abort();
  const char *k;
  json_t *v;
  json_object_foreach(j, k, v) {
    int i = sig_param_index(p, n, k);
    if (i < 0) abort();
    args[i] = value_from_json(v);
  }
  json_decref(j);
  rbk_action_req req = {sig, recv, args, n, 20000, 0, recheck, NULL};
  outcome o = {0};
  char *err = NULL;
  char *what = a->describe(a->self, &req);
  free(what);
  uint64_t id = a->start(a->self, &req, on_done, &o, &err);
  free(err);
  int64_t now = 0;
  for (int i = 0; id && i < 10000 && !o.done; i++) {
    int64_t t = a->next_event(a->self, now);
    if (t == INT64_MAX) break;
    if (t > now) now = t;
    a->poll(a->self, now, 0);
  }
  if (id && !o.done) a->cancel(a->self, id);
  for (size_t i = 0; i < n; i++) value_unref(args[i]);
  value_unref(recv);
}

/* Returns 0 always (libFuzzer's contract). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz_part in = {(const char *)data, size}, first;
  if (!fuzz_next(&in, "\n", &first)) return 0;
  size_t which = first.n ? (unsigned char)first.p[0] % N_ACTIONS : 0;
  bool recheck = first.n >= 8 && !memcmp(first.p + first.n - 8, " recheck", 8);
  size_t name_len = recheck ? first.n - 8 : first.n;
  for (size_t i = 0; i < N_ACTIONS; i++)
    if (strlen(actions[i].name) == name_len && !memcmp(actions[i].name, first.p, name_len)) which = i;
  tr.rest = in, tr.n = 0, tr.next_id = 0, tr.started = 0, tr.streaming = 0;
  actions_kube_config cfg = {.http = &scripted, .procs = NULL, .virtual_time = true, .wall_base_ms = 1767225600000,
                             .kubeconfig_doc = "apiVersion: v1\nkind: Config\ncurrent-context: c\n"
                                               "clusters:\n- name: k\n  cluster:\n    server: https://k8s.fuzz.test\n"
                                               "contexts:\n- name: c\n  context:\n    cluster: k\n    user: u\n"
                                               "users:\n- name: u\n  user: {}\n",
                             .scratch_dir = "/nonexistent/rbk-fuzz", .seed = 1, .console = fuzz_null(), .log = fuzz_null()};
  char *err = NULL;
  rbk_actions *a = actions_kube_new(&cfg, &err);
  if (!a) abort();
  run(a, which, recheck);
  a->free(a->self);
  scrub_reset();
  return 0;
}
