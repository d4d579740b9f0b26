/* kube_logs.c — logs(ref, container:, tail:, since:): GET pods/NAME/log for a pod, or for every
 * pod of a Job (oldest first, each headed "==> pod/NAME <==" when there are several), with
 * container, tailLines and sinceSeconds. Each answer is bounded by the runtime's response cap. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kube.h"

typedef struct {
  char *query;      /* "?container=…&tailLines=…&sinceSeconds=…" or "" */
  char *job;        /* the Job's name, NULL for a pod */
  json_t *pods;     /* the Job's pods' names, oldest first */
  size_t next;      /* the next pod to read */
  valbuf out;
} lg_state;

/* Frees the state. */
static void lg_free(void *p) {
  lg_state *s = p;
  free(s->query), free(s->job), json_decref(s->pods), valbuf_free(&s->out);
  free(s);
}

/* Returns the op's state. */
static lg_state *lg(kube_op *op) { return kube_state(op, sizeof(lg_state), lg_free); }

static void read_next(kube_op *op);

/* One pod's log answer: appended; then the next pod, or the text. */
static void log_read(kube_op *op, const kube_resp *r) {
  lg_state *s = lg(op);
  const char *pod = s->job ? json_string_value(json_array_get(s->pods, s->next - 1)) : NULL;
  if (r->status != 200) {
    char *path = strutil_printf("pods/%s/log", pod ? pod : op->what);
    kube_op_fail_resp(op, "GET", path ? path : "log", r);
    return free(path);
  }
  if (pod && json_array_size(s->pods) > 1) valbuf_printf(&s->out, "==> pod/%s <==\n", pod);
  if (r->body) valbuf_put(&s->out, r->body, r->body_len);
  if (s->job && s->next < json_array_size(s->pods)) return read_next(op);
  size_t n = 0;
  char *text = valbuf_take(&s->out, &n);
  kube_op_finish(op, value_string_take(text ? text : strdup(""), text ? n : 0));
}

/* Sends GET pods/NAME/log for `pod`. */
static void read_pod(kube_op *op, const char *pod) {
  char *path = kube_kinds_path(kube_kinds_get(KK_POD), op->conn->ns, pod);
  char *url = strutil_printf("%s/log%s", path ? path : "", lg(op)->query);
  if (url) kube_op_request(op, "GET", url, NULL, NULL, KRETRY_READ, log_read);
  free(path), free(url);
}

/* Reads the next pod of the Job. */
static void read_next(kube_op *op) {
  lg_state *s = lg(op);
  read_pod(op, json_string_value(json_array_get(s->pods, s->next++)));
}

/* Returns a pod's creation time order against another (for qsort-free insertion). */
static int older(const json_t *a, const json_t *b) {
  const char *x = json_string_value(kube_at2(a, "metadata", "creationTimestamp"));
  const char *y = json_string_value(kube_at2(b, "metadata", "creationTimestamp"));
  int c = strcmp(x ? x : "", y ? y : "");
  if (c) return c;
  x = json_string_value(kube_at2(a, "metadata", "name")), y = json_string_value(kube_at2(b, "metadata", "name"));
  return strcmp(x ? x : "", y ? y : "");
}

/* The Job's pods as listed: read each one's log, oldest first. */
static void pods_listed(kube_op *op, const kube_resp *r) {
  lg_state *s = lg(op);
  if (r->status != 200) return kube_op_fail_resp(op, "GET", "pods", r);
  json_t *items = json_object_get(r->json, "items");
  size_t n = json_array_size(items);
  if (!n) return kube_op_fail(op, "job \"%s\" has no pods", s->job);
  json_t *sorted = json_array();
  for (size_t i = 0; i < n; i++) {
    json_t *p = json_array_get(items, i);
    size_t at = json_array_size(sorted);
    while (at > 0 && older(p, json_array_get(sorted, at - 1)) < 0) at--;
    json_array_insert(sorted, at, p);
  }
  s->pods = json_array();
  for (size_t i = 0; i < n; i++)
    json_array_append_new(s->pods, json_string(json_string_value(kube_at2(json_array_get(sorted, i), "metadata", "name"))));
  json_decref(sorted);
  read_next(op);
}

/* Returns "?container=…&tailLines=…&sinceSeconds=…" for the call's options (caller frees). */
static char *log_query(const rbk_action_req *req) {
  valbuf b = {0};
  char *c = kube_text(kube_arg(req, "container"));
  const rbk_value *tail = kube_arg(req, "tail"), *since = kube_arg(req, "since");
  if (c && *c) {
    char *esc = kube_kinds_query_escape(c);
    valbuf_printf(&b, "&container=%s", esc ? esc : "");
    free(esc);
  }
  if (tail && tail->kind == VAL_INT) valbuf_printf(&b, "&tailLines=%lld", (long long)tail->u.i);
  if (since && since->kind == VAL_DURATION) valbuf_printf(&b, "&sinceSeconds=%lld", (long long)((since->u.i + 999) / 1000));
  free(c);
  char *q = valbuf_take(&b, NULL);
  if (q && *q) *q = '?';
  return q ? q : strdup("");
}

/* Starts logs(ref, container:, tail:, since:). */
bool kube_logs(kube_op *op, const rbk_action_req *req) {
  lg_state *s = lg(op);
  const rbk_value *tail = kube_arg(req, "tail"), *since = kube_arg(req, "since");
  if (tail && (tail->kind != VAL_INT || tail->u.i < 0)) return kube_op_fail(op, "logs: tail must be an int >= 0"), false;
  if (since && since->kind != VAL_DURATION) return kube_op_fail(op, "logs: since must be a duration"), false;
  if (since && since->u.i < 1) /* the API server refuses sinceSeconds below 1 (422) */
    return kube_op_fail(op, "logs: since must be at least 1s"), false;
  kube_ref r;
  if (!kube_arg_ref(op, req, "ref", &r)) return false;
  s->query = log_query(req);
  bool ok = true;
  if (r.kind->id == KK_POD) read_pod(op, r.name);
  else if (r.kind->id == KK_JOB) {
    s->job = strdup(r.name);
    char *sel = strutil_printf("job-name=%s", r.name), *esc = sel ? kube_kinds_query_escape(sel) : NULL;
    char *pods = kube_kinds_path(kube_kinds_get(KK_POD), op->conn->ns, NULL);
    char *url = strutil_printf("%s?labelSelector=%s", pods ? pods : "", esc ? esc : "");
    if (url) kube_op_request(op, "GET", url, NULL, NULL, KRETRY_READ, pods_listed);
    free(sel), free(esc), free(pods), free(url);
  } else
    ok = (kube_op_fail(op, "logs: %s/%s is neither a pod nor a job", r.kind->singular, r.name), false);
  kube_kinds_ref_clear(&r);
  return ok;
}
