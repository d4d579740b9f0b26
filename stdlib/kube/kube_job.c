/* kube_job.c — job (create a batch/v1 Job, wait for Complete or Failed through list + watch,
 * return its pod's logs) and exec (a command in a pod, handed to the process transport with the
 * cluster's server, credentials and TLS: the API server's pods/exec over WebSocket in real runs,
 * the simulated pod in rehearsals). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kube.h"

typedef struct {
  char *name, *path, *coll, *name_q;
  json_t *job;            /* the Job document sent */
  bool failed;
  char *reason;
  char **argv;            /* exec: the command */
  size_t argc;
  char *container;        /* exec: the container, or NULL */
} jb_state;

/* Frees the state. */
static void jb_free(void *p) {
  jb_state *s = p;
  free(s->name), free(s->path), free(s->coll), free(s->name_q), free(s->reason), free(s->container);
  json_decref(s->job);
  for (size_t i = 0; i < s->argc; i++) free(s->argv[i]);
  free(s->argv);
  free(s);
}

/* Returns the op's state. */
static jb_state *jb(kube_op *op) { return kube_state(op, sizeof(jb_state), jb_free); }

/* Returns the status of a Job's condition type ("True", …) or NULL; *reason gets its reason. */
static const char *cond(const json_t *job, const char *type, const char **reason) {
  size_t i;
  json_t *c;
  json_array_foreach(kube_at2(job, "status", "conditions"), i, c) {
    const char *t = json_string_value(json_object_get(c, "type"));
    if (t && !strcmp(t, type)) {
      if (reason) *reason = json_string_value(json_object_get(c, "reason"));
      return json_string_value(json_object_get(c, "status"));
    }
  }
  return NULL;
}

/* Finishes with the logs (or fails naming the reason and the last log line). */
static void logs_read(kube_op *op, const kube_resp *r) {
  jb_state *s = jb(op);
  const char *text = r->status == 200 && r->body ? r->body : "";
  if (!s->failed) return kube_op_finish(op, value_string(text, r->status == 200 ? r->body_len : 0));
  const char *end = text + strlen(text);
  while (end > text && end[-1] == '\n') end--;
  const char *last = end;
  while (last > text && last[-1] != '\n') last--;
  kube_op_fail(op, "job \"%s\" failed (%s)%s%.*s", s->name, s->reason ? s->reason : "Failed", end > last ? ": " : "",
               (int)(end - last), last);
}

/* Picks the job's newest pod and reads its logs. */
static void pods_listed(kube_op *op, const kube_resp *r) {
  jb_state *s = jb(op);
  json_t *best = NULL, *p;
  size_t i;
  json_array_foreach(json_object_get(r->json, "items"), i, p) {
    const char *c = json_string_value(kube_at2(p, "metadata", "creationTimestamp"));
    const char *b = best ? json_string_value(kube_at2(best, "metadata", "creationTimestamp")) : NULL;
    if (!best || (c && b && strcmp(c, b) >= 0)) best = p;
  }
  if (!best) {
    if (s->failed) return kube_op_fail(op, "job \"%s\" failed (%s)", s->name, s->reason ? s->reason : "Failed");
    return kube_op_finish(op, value_cstring(""));
  }
  char *pods = kube_kinds_path(kube_kinds_get(KK_POD), op->conn->ns, json_string_value(kube_at2(best, "metadata", "name")));
  char *url = strutil_printf("%s/log", pods);
  if (url) kube_op_request(op, "GET", url, NULL, NULL, KRETRY_READ, logs_read);
  free(pods), free(url);
}

/* Returns true when the job ended (then its pods are listed). */
static bool job_ended(kube_op *op, const json_t *job) {
  jb_state *s = jb(op);
  const char *reason = NULL, *ok = cond(job, "Complete", NULL), *bad = cond(job, "Failed", &reason);
  if (!(ok && !strcmp(ok, "True")) && !(bad && !strcmp(bad, "True"))) return false;
  s->failed = bad && !strcmp(bad, "True");
  if (reason) s->reason = strdup(reason);
  kube_op_cancel_requests(op);
  char *sel = strutil_printf("job-name=%s", s->name), *esc = sel ? kube_kinds_query_escape(sel) : NULL;
  char *pods = kube_kinds_path(kube_kinds_get(KK_POD), op->conn->ns, NULL);
  char *url = strutil_printf("%s?labelSelector=%s", pods, esc ? esc : "");
  if (url) kube_op_request(op, "GET", url, NULL, NULL, KRETRY_READ, pods_listed);
  free(sel), free(esc), free(pods), free(url);
  return true;
}

static void relist(kube_op *op);

/* A watch event on the job. */
static void on_event(kube_op *op, const char *type, json_t *obj) {
  if (!strcmp(type, "DELETED")) kube_op_fail(op, "job \"%s\" was deleted while waiting for it", jb(op)->name);
  else if (!strcmp(type, "ADDED") || !strcmp(type, "MODIFIED")) job_ended(op, obj);
}

/* The watch ended: list again. */
static void ended(kube_op *op, const kube_resp *r) {
  (void)r;
  relist(op);
}

/* The job as listed: ended, or watch it. */
static void listed(kube_op *op, const kube_resp *r) {
  jb_state *s = jb(op);
  if (r->status != 200) return kube_op_fail_resp(op, "GET", s->coll, r);
  json_t *job = json_array_get(json_object_get(r->json, "items"), 0);
  if (!job) return kube_op_fail(op, "Error from server (NotFound): jobs.batch \"%s\" not found", s->name);
  if (job_ended(op, job)) return;
  const char *rv = json_string_value(kube_at2(r->json, "metadata", "resourceVersion"));
  int64_t left = kube_op_left(op) / 1000;
  if (left > 300 || left <= 0) left = 300;
  char *url = strutil_printf("%s?allowWatchBookmarks=true&%s&resourceVersion=%s&timeoutSeconds=%lld&watch=true", s->coll,
                        s->name_q, rv ? rv : "", (long long)left);
  if (url) kube_op_watch(op, url, on_event, ended);
  free(url);
}

/* Lists the job by name. */
static void relist(kube_op *op) {
  jb_state *s = jb(op);
  char *url = strutil_printf("%s?%s", s->coll, s->name_q);
  if (url) kube_op_request(op, "GET", url, NULL, NULL, KRETRY_READ, listed);
  free(url);
}

/* The POST answer (or the verify hook's re-read): wait for the job. */
static void created(kube_op *op, const kube_resp *r) {
  if (r->status < 200 || r->status > 299) return kube_op_fail_resp(op, "POST", jb(op)->coll, r);
  relist(op);
}

/* Verify hook's answer after a failed or unanswered POST: created (a job of that name with what
 * was sent), repeat (none), or unknown (one that differs). */
static void create_verified(kube_op *op, const kube_resp *r) {
  if (r->status == 404) return kube_op_repeat(op);
  if (r->status != 200) return kube_op_fail_resp(op, "GET", jb(op)->path, r);
  if (!kube_applied(r->json, jb(op)->job)) return kube_op_unknown(op, "a job of that name exists but differs from what was sent");
  kube_op_cancel_requests(op);
  relist(op);
}

/* Verify hook: was the job created? */
static void create_verify(kube_op *op) { kube_op_request(op, "GET", jb(op)->path, NULL, NULL, KRETRY_READ, create_verified); }

/* Sends the POST. */
static void create(kube_op *op) {
  jb_state *s = jb(op);
  char *body = json_dumps(s->job, JSON_COMPACT);
  char *url = strutil_printf("%s?fieldManager=rbk&fieldValidation=Strict", s->coll);
  op->verify = create_verify;
  if (body && url) kube_op_request(op, "POST", url, "application/json", body, KRETRY_VERIFY, created);
  free(body), free(url);
}

/* Resumed: wait for an existing job instead of creating it again. */
static void rechecked(kube_op *op, const kube_resp *r) {
  if (r->status == 200) return relist(op);
  if (r->status == 404) return create(op);
  kube_op_fail_resp(op, "GET", jb(op)->path, r);
}

/* Returns the command argument as a JSON array of strings, or NULL. */
static json_t *command_json(const rbk_value *v) {
  if (!v) return NULL;
  if (v->kind != VAL_LIST) {
    char *t = kube_text(v);
    json_t *a = t ? json_pack("[s]", t) : NULL;
    free(t);
    return a;
  }
  json_t *a = json_array();
  for (size_t i = 0; i < v->u.list.len; i++) {
    char *t = kube_text(v->u.list.items[i]);
    json_array_append_new(a, json_string(t ? t : ""));
    free(t);
  }
  return a;
}

/* At the deadline. */
static void job_timed_out(kube_op *op) { kube_op_fail(op, "timed out waiting for job \"%s\" to complete", jb(op)->name); }

/* Starts job(name:, image:, command:, timeout:). */
bool kube_job(kube_op *op, const rbk_action_req *req) {
  jb_state *s = jb(op);
  s->name = kube_text(kube_arg(req, "name"));
  char *image = kube_text(kube_arg(req, "image"));
  json_t *cmd = command_json(kube_arg(req, "command"));
  if (!s->name || !*s->name || !image || !cmd) {
    free(image), json_decref(cmd);
    return kube_op_fail(op, "job: name, image and command are required"), false;
  }
  s->job = json_pack("{sssss{sss{ss}}s{sis{s{s{ss}}s{sss[{sssssO}]}}}}", "apiVersion", "batch/v1", "kind", "Job", "metadata",
                     "name", s->name, "labels", "app.kubernetes.io/managed-by", "rbk", "spec", "backoffLimit", 0,
                     "template", "metadata", "labels", "app.kubernetes.io/managed-by", "rbk", "spec", "restartPolicy",
                     "Never", "containers", "name", "job", "image", image, "command", cmd);
  free(image), json_decref(cmd);
  const kube_kind *k = kube_kinds_get(KK_JOB);
  s->coll = kube_kinds_path(k, op->conn->ns, NULL), s->path = kube_kinds_path(k, op->conn->ns, s->name);
  char *sel = strutil_printf("metadata.name=%s", s->name), *esc = sel ? kube_kinds_query_escape(sel) : NULL;
  s->name_q = strutil_printf("fieldSelector=%s", esc ? esc : "");
  free(sel), free(esc);
  op->on_deadline = job_timed_out;
  if (op->recheck) return kube_op_request(op, "GET", s->path, NULL, NULL, KRETRY_READ, rechecked);
  create(op);
  return true;
}

/* ---- exec ---- */

/* The command ended. */
static void exec_done(kube_op *op, const proc_outcome *res) {
  if (res->timed_out) return kube_op_fail(op, "timed out: %s", op->what);
  if (res->error) return kube_op_fail(op, "%s", res->error);
  kube_finish_proc(op, res->status, res->out, res->err);
}

/* Returns the argv list as strings (NULL-terminated, caller frees each and the array). */
static char **argv_of(const rbk_value *v, size_t *n) {
  size_t len = v && v->kind == VAL_LIST ? v->u.list.len : v ? 1 : 0;
  char **a = calloc(len + 1, sizeof *a);
  for (size_t i = 0; a && i < len; i++) a[i] = kube_text(v->kind == VAL_LIST ? v->u.list.items[i] : v);
  *n = len;
  return a;
}

/* Starts the command in pod `pod` (name). Returns false after failing the op. */
static bool exec_in(kube_op *op, const char *pod) {
  jb_state *s = jb(op);
  char *ref = strutil_printf("pod/%s", pod);
  const char *sep = strstr(op->what, " -- ");
  proc_request pr = {.kind = PROC_EXEC, .argv = (const char *const *)s->argv, .shown = sep ? sep + 4 : op->what,
                     .ns = op->conn->ns ? op->conn->ns : "default", .ref = ref, .container = s->container};
  bool ok = ref ? kube_op_process(op, &pr, exec_done) : (kube_op_fail(op, "out of memory"), false);
  free(ref);
  return ok;
}

/* Returns o.a.b as a string ("" when it is not one). */
static const char *str_at(const json_t *o, const char *a, const char *b) {
  const char *v = json_string_value(kube_at2(o, a, b));
  return v ? v : "";
}

/* Returns a pod's preference for exec, as kubectl picks one: ready and running first, then
 * older, then by name (negative: a before b). */
static int pod_cmp(const json_t *a, const json_t *b) {
  int ra = 2 * (cond(a, "Ready", NULL) && !strcmp(cond(a, "Ready", NULL), "True")) +
           !strcmp(str_at(a, "status", "phase"), "Running");
  int rb = 2 * (cond(b, "Ready", NULL) && !strcmp(cond(b, "Ready", NULL), "True")) +
           !strcmp(str_at(b, "status", "phase"), "Running");
  if (ra != rb) return rb - ra;
  int t = strcmp(str_at(a, "metadata", "creationTimestamp"), str_at(b, "metadata", "creationTimestamp"));
  return t ? t : strcmp(str_at(a, "metadata", "name"), str_at(b, "metadata", "name"));
}

/* The workload's pods: execs in the preferred one that is not terminating. */
static void exec_pods_listed(kube_op *op, const kube_resp *r) {
  if (r->status != 200) return kube_op_fail_resp(op, "GET", "pods", r);
  const json_t *best = NULL;
  size_t i;
  json_t *p;
  json_array_foreach(json_object_get(r->json, "items"), i, p)
    if (!kube_at2(p, "metadata", "deletionTimestamp") && (!best || pod_cmp(p, best) < 0)) best = p;
  if (!best) return kube_op_fail(op, "no pods found for %s", jb(op)->name);
  exec_in(op, str_at(best, "metadata", "name"));
}

/* The workload: lists the pods its selector picks. */
static void exec_owner_read(kube_op *op, const kube_resp *r) {
  if (r->status != 200) return kube_op_fail_resp(op, "GET", jb(op)->path, r);
  json_t *sel = kube_at2(r->json, "spec", "selector");
  valbuf b = {0};
  if (json_object_get(sel, "matchLabels") || json_object_get(sel, "matchExpressions")) {
    char *text = kube_label_selector(sel);
    valbuf_puts(&b, text ? text : "");
    free(text);
  } else { /* a Service's selector: a plain map */
    const char *k;
    json_t *v;
    json_object_foreach(sel, k, v) if (json_is_string(v)) valbuf_printf(&b, "%s%s=%s", b.len ? "," : "", k, json_string_value(v));
  }
  if (!b.len) return free(b.s), kube_op_fail(op, "%s has no selector to pick a pod by", jb(op)->name);
  char *esc = kube_kinds_query_escape(b.s), *path = kube_kinds_path(kube_kinds_get(KK_POD), op->conn->ns, NULL);
  char *q = strutil_printf("%s?labelSelector=%s", path ? path : "", esc ? esc : "");
  if (q) kube_op_request(op, "GET", q, NULL, NULL, KRETRY_READ, exec_pods_listed);
  else kube_op_fail(op, "out of memory");
  free(b.s), free(esc), free(path), free(q);
}

/* Starts exec(ref, argv, container:): a pod's ref runs at once; a workload's (deployment/x, job/x,
 * service/x, …) first reads it and lists its pods, as kubectl exec does. */
bool kube_exec(kube_op *op, const rbk_action_req *req) {
  jb_state *s = jb(op);
  kube_ref r;
  if (!kube_arg_ref(op, req, "ref", &r)) return false;
  s->container = kube_text(kube_arg(req, "container"));
  s->argv = argv_of(kube_arg(req, "argv"), &s->argc);
  bool ok = true;
  if (!s->argv || !s->argc) ok = (kube_op_fail(op, "exec: argv is empty"), false);
  else if (r.kind->id == KK_POD) ok = exec_in(op, r.name);
  else {
    s->name = strutil_printf("%s/%s", r.kind->singular, r.name);
    s->path = kube_kinds_path(r.kind, op->conn->ns, r.name);
    ok = s->path ? kube_op_request(op, "GET", s->path, NULL, NULL, KRETRY_READ, exec_owner_read)
                 : (kube_op_fail(op, "out of memory"), false);
  }
  kube_kinds_ref_clear(&r);
  return ok;
}
