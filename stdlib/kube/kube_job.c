/* kube_job.c — job (create a batch/v1 Job with generateName, wait for Complete or Failed through
 * list + watch, return its pod's logs) and exec (a command in a pod, handed to the process
 * transport with the cluster's server, credentials and TLS: the API server's pods/exec over
 * WebSocket in real runs, the simulated pod in rehearsals). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kube.h"
#include "proc_ws.h"

typedef struct {
  char *base;             /* job: the name argument (generateName is "<base>-") */
  char *name, *path, *coll, *name_q, *token;
  json_t *job;            /* the Job document sent */
  bool failed;
  char *reason;
  char **argv;            /* exec: the command */
  size_t argc;
  char *container;        /* exec: the container, or NULL */
  char *log_path;         /* job: the pod log read at the end; exec: the pod's exec path */
} jb_state;

/* Frees the state. */
static void jb_free(void *p) {
  jb_state *s = p;
  free(s->base), free(s->name), free(s->path), free(s->coll), free(s->name_q), free(s->token), free(s->reason),
      free(s->container), free(s->log_path);
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

/* Finishes with the logs (or fails naming the reason and the last log line). A log that cannot be
 * read (403, 500, …) fails the call saying whether the Job completed; a pod already gone (404: its
 * Job's ttl_after_finished) leaves the log empty. */
static void logs_read(kube_op *op, const kube_resp *r) {
  jb_state *s = jb(op);
  if (r->status != 200 && r->status != 404) {
    char *e = kube_op_error_text(op, "GET", s->log_path, r);
    kube_op_fail(op, "job \"%s\" %s, but its log could not be read: %s", s->name, s->failed ? "failed" : "completed",
                 e ? e : "?");
    free(e);
    return;
  }
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
  free(s->log_path);
  s->log_path = strutil_printf("%s/log", pods);
  if (s->log_path) kube_op_request(op, "GET", s->log_path, NULL, NULL, KRETRY_READ, logs_read);
  free(pods);
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

/* Takes `job` (the created or found one) as the op's job: its generated name; then waits for it. */
static void adopt(kube_op *op, const json_t *job) {
  jb_state *s = jb(op);
  free(s->name), free(s->name_q);
  s->name = strdup(json_string_value(kube_at2(job, "metadata", "name")) ? json_string_value(kube_at2(job, "metadata", "name")) : "");
  char *sel = strutil_printf("metadata.name=%s", s->name), *esc = sel ? kube_kinds_query_escape(sel) : NULL;
  s->name_q = strutil_printf("fieldSelector=%s", esc ? esc : "");
  free(sel), free(esc);
  relist(op);
}

/* The POST answer: wait for the job it created. */
static void created(kube_op *op, const kube_resp *r) {
  if (r->status < 200 || r->status > 299) return kube_op_fail_resp(op, "POST", jb(op)->coll, r);
  adopt(op, r->json);
}

/* Lists the jobs carrying label `key`=`value`, continuing with cont. */
static void list_labelled(kube_op *op, const char *key, const char *value, kube_retry retry, kube_cont cont) {
  char *sel = strutil_printf("%s=%s", key, value), *esc = sel ? kube_kinds_query_escape(sel) : NULL;
  char *url = strutil_printf("%s?labelSelector=%s", jb(op)->coll, esc ? esc : "");
  if (url) kube_op_request(op, "GET", url, NULL, NULL, retry, cont);
  free(sel), free(esc), free(url);
}

/* Verify hook's answer after a failed or unanswered POST: the job this attempt created (found by
 * its attempt label), or repeat (none). */
static void create_verified(kube_op *op, const kube_resp *r) {
  if (r->status != 200) return kube_op_fail_resp(op, "GET", jb(op)->coll, r);
  json_t *job = json_array_get(json_object_get(r->json, "items"), 0);
  if (!job) return kube_op_repeat(op);
  kube_op_cancel_requests(op);
  adopt(op, job);
}

/* Verify hook: was the job created? */
static void create_verify(kube_op *op) { list_labelled(op, "rbk.dev/attempt", jb(op)->token, KRETRY_READ, create_verified); }

/* Sends the POST. */
static void create(kube_op *op) {
  jb_state *s = jb(op);
  char *body = json_dumps(s->job, JSON_COMPACT);
  char *url = strutil_printf("%s?fieldManager=rbk&fieldValidation=Strict", s->coll);
  op->verify = create_verify;
  if (body && url) kube_op_request(op, "POST", url, "application/json", body, KRETRY_VERIFY, created);
  free(body), free(url);
}

/* Resumed: wait for the newest unfinished job of this name instead of creating another. */
static void rechecked(kube_op *op, const kube_resp *r) {
  if (r->status != 200) return kube_op_fail_resp(op, "GET", jb(op)->coll, r);
  const json_t *best = NULL, *j;
  size_t i;
  json_array_foreach(json_object_get(r->json, "items"), i, j) {
    const char *c = json_string_value(kube_at2(j, "metadata", "creationTimestamp"));
    const char *b = best ? json_string_value(kube_at2(best, "metadata", "creationTimestamp")) : NULL;
    if (!cond(j, "Complete", NULL) && !cond(j, "Failed", NULL) && (!best || (c && b && strcmp(c, b) >= 0))) best = j;
  }
  if (best) return adopt(op, best);
  create(op);
}

/* Returns a list-of-strings argument as a JSON array; NULL (with *bad set) when it is not one. */
static json_t *strings_json(const rbk_value *v, bool *bad) {
  if (!v) return NULL;
  if (v->kind != VAL_LIST) return *bad = true, NULL;
  json_t *a = json_array();
  for (size_t i = 0; i < v->u.list.len; i++) {
    const rbk_value *e = v->u.list.items[i];
    if (e->kind != VAL_STRING && e->kind != VAL_SECRET) *bad = true;
    char *t = kube_text(e);
    json_array_append_new(a, json_string(t ? t : ""));
    free(t);
  }
  return a;
}

/* Returns the container's env list for the `env` object (NULL when absent); fails op and returns
 * NULL with *bad set for a secret value or a malformed secret reference. */
static json_t *env_json(kube_op *op, const rbk_value *v, bool *bad) {
  if (!v) return NULL;
  if (v->kind != VAL_OBJECT) return *bad = true, kube_op_fail(op, "job: env must be an object"), NULL;
  json_t *a = json_array();
  for (size_t i = 0; i < v->u.obj.len && !*bad; i++) {
    const char *k = v->u.obj.keys[i];
    const rbk_value *e = v->u.obj.vals[i];
    if (e->kind == VAL_OBJECT) {
      const rbk_value *sec = value_object_get(e, "secret"), *key = value_object_get(e, "key");
      if (!sec || !key || sec->kind != VAL_STRING || key->kind != VAL_STRING || e->u.obj.len != 2) {
        *bad = true;
        kube_op_fail(op, "job: env %s must be a value or {secret: \"name\", key: \"key\"}", k);
        break;
      }
      json_array_append_new(a, json_pack("{sss{s{ssss}}}", "name", k, "valueFrom", "secretKeyRef", "name", sec->u.str.s,
                                          "key", key->u.str.s));
    } else if (e->kind == VAL_SECRET) {
      *bad = true;
      kube_op_fail(op, "job: env %s holds a secret: its text is never put in a Job; refer to a Secret with "
                       "{secret: \"name\", key: \"key\"}", k);
    } else if (e->kind == VAL_LIST || e->kind == VAL_HANDLE || e->kind == VAL_LAMBDA) {
      *bad = true;
      kube_op_fail(op, "job: env %s must be a string, number, bool or {secret:, key:}", k);
    } else {
      char *t = kube_text(e);
      json_array_append_new(a, json_pack("{ssss}", "name", k, "value", t ? t : ""));
      free(t);
    }
  }
  if (*bad) json_decref(a), a = NULL;
  return a;
}

/* Sets spec[key] to a duration argument in whole seconds (rounded up) when given. */
static void set_seconds(json_t *spec, const char *key, const rbk_value *v) {
  if (v && v->kind == VAL_DURATION) json_object_set_new(spec, key, json_integer((v->u.i + 999) / 1000));
}

/* Returns true when the optional argument `name` is absent or a duration above (or, with zero,
 * at) 0s; else fails op. */
static bool duration_ok(kube_op *op, const rbk_action_req *req, const char *name, bool zero) {
  const rbk_value *v = kube_arg(req, name);
  if (!v || (v->kind == VAL_DURATION && (v->u.i > 0 || (zero && v->u.i == 0)))) return true;
  kube_op_fail(op, "job: %s must be a %s duration", name, zero ? "non-negative" : "positive");
  return false;
}

/* Builds the Job document into s->job; returns false after failing op. */
static bool build(kube_op *op, const rbk_action_req *req, jb_state *s) {
  bool bad = false;
  json_t *cmd = strings_json(kube_arg(req, "command"), &bad), *args = strings_json(kube_arg(req, "args"), &bad);
  char *image = kube_text(kube_arg(req, "image")), *sa = kube_text(kube_arg(req, "service_account"));
  if (bad) kube_op_fail(op, "job: command and args must be lists of strings");
  json_t *env = bad ? NULL : env_json(op, kube_arg(req, "env"), &bad);
  const rbk_value *res = kube_arg(req, "resources"), *bl = kube_arg(req, "backoff_limit");
  if (!bad && (!image || !*image || !cmd || !json_array_size(cmd)))
    bad = true, kube_op_fail(op, "job: name, image and command are required");
  if (!bad && res && res->kind != VAL_OBJECT) bad = true, kube_op_fail(op, "job: resources must be an object {requests:, limits:}");
  if (!bad && bl && (bl->kind != VAL_INT || bl->u.i < 0)) bad = true, kube_op_fail(op, "job: backoff_limit must be an int >= 0");
  if (!bad && (!duration_ok(op, req, "active_deadline", false) || !duration_ok(op, req, "ttl_after_finished", true))) bad = true;
  if (!bad) {
    json_t *ctr = json_pack("{sssssO}", "name", "job", "image", image, "command", cmd);
    if (args) json_object_set(ctr, "args", args);
    if (env) json_object_set(ctr, "env", env);
    if (res) json_object_set_new(ctr, "resources", kube_json(res));
    json_t *labels = json_pack("{ssssss}", "app.kubernetes.io/managed-by", "rbk", "rbk.dev/job", s->base, "rbk.dev/attempt", s->token);
    json_t *pspec = json_pack("{sss[o]}", "restartPolicy", "Never", "containers", ctr);
    if (sa && *sa) json_object_set_new(pspec, "serviceAccountName", json_string(sa));
    json_t *spec = json_pack("{sIs{s{sO}so}}", "backoffLimit", (json_int_t)(bl ? bl->u.i : 0), "template", "metadata",
                             "labels", labels, "spec", pspec);
    set_seconds(spec, "activeDeadlineSeconds", kube_arg(req, "active_deadline"));
    set_seconds(spec, "ttlSecondsAfterFinished", kube_arg(req, "ttl_after_finished"));
    char *gen = strutil_printf("%s-", s->base);
    s->job = json_pack("{sssss{sssO}so}", "apiVersion", "batch/v1", "kind", "Job", "metadata", "generateName", gen ? gen : "",
                       "labels", labels, "spec", spec);
    json_decref(labels);
    free(gen);
  }
  free(image), free(sa), json_decref(cmd), json_decref(args), json_decref(env);
  return !bad;
}

/* At the deadline. */
static void job_timed_out(kube_op *op) {
  jb_state *s = jb(op);
  kube_op_fail(op, "timed out waiting for job \"%s\" to complete", s->name ? s->name : s->base);
}

/* Starts job(name:, image:, command:, args:, env:, backoff_limit:, active_deadline:,
 * ttl_after_finished:, service_account:, resources:, timeout:). */
bool kube_job(kube_op *op, const rbk_action_req *req) {
  jb_state *s = jb(op);
  s->base = kube_text(kube_arg(req, "name"));
  if (!s->base || !*s->base) return kube_op_fail(op, "job: name, image and command are required"), false;
  s->token = strutil_printf("%llx-%llx", (unsigned long long)kube_op_rt_wall(op->rt), (unsigned long long)op->id);
  if (!build(op, req, s)) return false;
  s->coll = kube_kinds_path(kube_kinds_get(KK_JOB), op->conn->ns, NULL);
  op->on_deadline = job_timed_out;
  if (op->recheck) return list_labelled(op, "rbk.dev/job", s->base, KRETRY_READ, rechecked), true;
  create(op);
  return true;
}

/* ---- exec ---- */

/* Fails the exec with the server's own words for a refused upgrade: the Status of the same path
 * read without an upgrade (libwebsockets keeps no body of a refused handshake; a GET that is not
 * an upgrade runs nothing), or the transport's words when that read says nothing more. */
static void exec_refusal_read(kube_op *op, const kube_resp *r) {
  jb_state *s = jb(op);
  if (r->status > 400 && r->json) return kube_op_fail_resp(op, "GET", s->log_path, r);
  kube_op_fail(op, "%s", s->reason ? s->reason : "exec: the API server refused the WebSocket upgrade");
}

/* The command ended. */
static void exec_done(kube_op *op, const proc_outcome *res) {
  jb_state *s = jb(op);
  if (res->refused && s->log_path) { /* nothing ran: read why */
    free(s->reason);
    s->reason = res->error ? strdup(res->error) : NULL;
    kube_op_request(op, "GET", s->log_path, NULL, NULL, KRETRY_READ, exec_refusal_read);
    return;
  }
  if (res->timed_out) return kube_op_fail(op, "timed out: %s", op->what);
  if (res->error && res->lost) /* never repeated, not even by a step's retry (docs/actions.md) */
    return kube_op_fail(op, RBK_OUTCOME_UNKNOWN "the command was sent and its answer was lost (%s); check what it did before retrying",
                        res->error);
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
  free(s->log_path); /* the same target, read without an upgrade when the upgrade is refused */
  s->log_path = proc_ws_exec_target(pr.ns, pod, s->container, (const char *const *)s->argv);
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
  else if (op->recheck) /* a resumed run found it in flight: it may have run, and nothing tells */
    ok = (kube_op_fail(op, RBK_OUTCOME_UNKNOWN "the command was in flight when the previous run stopped and may have run; "
                           "check what it did before retrying"),
          false);
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
