/* kube_read.c — the reading cluster actions: get, exists, list, events, history. Every request
 * retries transient failures (KRETRY_READ). */
#include <stdlib.h>
#include <string.h>

#include "kube.h"

/* The state of a read. */
typedef struct {
  kube_ref ref;
  const kube_kind *kind;
  char *path, *query;   /* collection path and its selector query (without limit/continue) */
  json_t *items, *deployment;
  int restarts;
  bool events;
} rd_state;

/* Frees a read's state. */
static void rd_free(void *p) {
  rd_state *s = p;
  kube_kinds_ref_clear(&s->ref);
  free(s->path), free(s->query);
  json_decref(s->items), json_decref(s->deployment);
  free(s);
}

/* Returns the read state of op. */
static rd_state *rd(kube_op *op) { return kube_state(op, sizeof(rd_state), rd_free); }

/* Sets apiVersion and kind on an object that lacks them. */
static void stamp(json_t *o, const kube_kind *k) {
  if (!json_object_get(o, "apiVersion")) json_object_set_new(o, "apiVersion", json_string(k->group_version));
  if (!json_object_get(o, "kind")) json_object_set_new(o, "kind", json_string(k->kind));
}

/* ---- get / exists ---- */

/* Finishes get with the object. */
static void got(kube_op *op, const kube_resp *r) {
  if (r->status != 200 || !json_is_object(r->json)) return kube_op_fail_resp(op, "GET", rd(op)->path, r);
  stamp(r->json, rd(op)->ref.kind);
  kube_finish_json(op, r->json);
}

/* Starts get(ref). */
bool kube_get(kube_op *op, const rbk_action_req *req) {
  rd_state *s = rd(op);
  if (!s || !kube_arg_ref(op, req, "ref", &s->ref)) return false;
  s->path = kube_kinds_path(s->ref.kind, op->conn->ns, s->ref.name);
  return kube_op_request(op, "GET", s->path, NULL, NULL, KRETRY_READ, got);
}

/* Finishes exists with true (200) or false (404). */
static void existed(kube_op *op, const kube_resp *r) {
  if (r->status == 200) kube_op_finish(op, value_bool(true));
  else if (r->status == 404) kube_op_finish(op, value_bool(false));
  else kube_op_fail_resp(op, "GET", rd(op)->path, r);
}

/* Starts exists(ref). */
bool kube_exists(kube_op *op, const rbk_action_req *req) {
  rd_state *s = rd(op);
  if (!s || !kube_arg_ref(op, req, "ref", &s->ref)) return false;
  s->path = kube_kinds_path(s->ref.kind, op->conn->ns, s->ref.name);
  return kube_op_request(op, "GET", s->path, NULL, NULL, KRETRY_READ, existed);
}

/* ---- list / events ---- */

static void listed(kube_op *op, const kube_resp *r);

/* Returns true after requesting a page (cont: the continue token, or NULL). */
static bool list_page(kube_op *op, const char *cont) {
  rd_state *s = rd(op);
  char *c = cont ? kube_kinds_query_escape(cont) : NULL;
  char *url = strutil_printf("%s?%s%slimit=500%s%s", s->path, s->query ? s->query : "", s->query && *s->query ? "&" : "",
                        c ? "&continue=" : "", c ? c : "");
  free(c);
  bool ok = url && kube_op_request(op, "GET", url, NULL, NULL, KRETRY_READ, listed);
  free(url);
  return ok;
}

/* Returns the time an event last happened, for sorting. */
static const char *event_time(const json_t *e) {
  const char *keys[] = {"lastTimestamp", "eventTime", "firstTimestamp"};
  for (int i = 0; i < 3; i++) {
    const char *t = json_string_value(json_object_get(e, keys[i]));
    if (t && *t) return t;
  }
  const char *c = json_string_value(json_object_get(json_object_get(e, "metadata"), "creationTimestamp"));
  return c ? c : "";
}

/* Orders events oldest first. */
static int by_time(const void *a, const void *b) {
  return strcmp(event_time(*(json_t *const *)a), event_time(*(json_t *const *)b));
}

/* Finishes a listing: items (events sorted oldest first). */
static void list_done(kube_op *op) {
  rd_state *s = rd(op);
  if (s->events) {
    size_t n = json_array_size(s->items);
    json_t **a = calloc(n + 1, sizeof *a), *sorted = json_array();
    for (size_t i = 0; a && i < n; i++) a[i] = json_array_get(s->items, i);
    if (a) qsort(a, n, sizeof *a, by_time);
    for (size_t i = 0; a && i < n; i++) json_array_append(sorted, a[i]);
    free(a);
    json_decref(s->items);
    s->items = sorted;
  }
  kube_finish_json(op, s->items);
}

/* Collects a page; asks for the next, restarts after an expired continue token (410). */
static void listed(kube_op *op, const kube_resp *r) {
  rd_state *s = rd(op);
  if (r->status == 410 && s->restarts < 3) {
    s->restarts++;
    json_array_clear(s->items);
    list_page(op, NULL);
    return;
  }
  if (r->status != 200 || !json_is_object(r->json)) return kube_op_fail_resp(op, "GET", s->path, r);
  size_t i;
  json_t *it;
  json_array_foreach(json_object_get(r->json, "items"), i, it) {
    stamp(it, s->kind);
    json_array_append(s->items, it);
  }
  const char *cont = json_string_value(json_object_get(json_object_get(r->json, "metadata"), "continue"));
  if (cont && *cont) list_page(op, cont);
  else list_done(op);
}

/* Returns "labelSelector=…&fieldSelector=…" (caller frees). */
static char *selector_query(const char *labels, const char *fields) {
  char *l = labels && *labels ? kube_kinds_query_escape(labels) : NULL, *f = fields && *fields ? kube_kinds_query_escape(fields) : NULL;
  char *q = strutil_printf("%s%s%s%s%s", l ? "labelSelector=" : "", l ? l : "", l && f ? "&" : "", f ? "fieldSelector=" : "",
                      f ? f : "");
  free(l), free(f);
  return q;
}

/* Starts list(kind, selector:, field:). */
bool kube_list(kube_op *op, const rbk_action_req *req) {
  rd_state *s = rd(op);
  if (!(s->kind = kube_arg_kind(op, req))) return false;
  char *sel = kube_selector(kube_arg(req, "selector")), *field = kube_selector(kube_arg(req, "field"));
  s->query = selector_query(sel, field);
  free(sel), free(field);
  s->path = kube_kinds_path(s->kind, op->conn->ns, NULL);
  s->items = json_array();
  return list_page(op, NULL);
}

/* Starts events(selector:): a ref selects the events of that object, other text is a field
 * selector. */
bool kube_events(kube_op *op, const rbk_action_req *req) {
  rd_state *s = rd(op);
  s->kind = kube_kinds_get(KK_EVENT), s->events = true;
  char *sel = kube_selector(kube_arg(req, "selector")), *field = NULL;
  kube_ref ref;
  char *err = NULL;
  if (sel && !strchr(sel, '=') && kube_kinds_ref_parse(sel, &ref, &err)) {
    field = strutil_printf("involvedObject.kind=%s,involvedObject.name=%s", ref.kind->kind, ref.name);
    kube_kinds_ref_clear(&ref);
  } else field = sel ? strdup(sel) : NULL;
  free(err), free(sel);
  s->query = selector_query(NULL, field);
  free(field);
  s->path = kube_kinds_path(s->kind, op->conn->ns, NULL);
  s->items = json_array();
  return list_page(op, NULL);
}

/* ---- history ---- */

/* Returns one history entry of a ReplicaSet. */
static json_t *history_entry(const json_t *rs) {
  const json_t *meta = json_object_get(rs, "metadata");
  const char *cause = json_string_value(json_object_get(json_object_get(meta, "annotations"), "kubernetes.io/change-cause"));
  json_t *containers = json_object_get(json_object_get(json_object_get(json_object_get(rs, "spec"), "template"), "spec"), "containers");
  const char *image = json_string_value(json_object_get(json_array_get(containers, 0), "image"));
  return json_pack("{sIsososO?}", "revision", (json_int_t)kube_revision(rs), "change_cause",
                   cause ? json_string(cause) : json_null(), "image", image ? json_string(image) : json_null(),
                   "replicaset", json_object_get(meta, "name"));
}

/* Finishes history from the ReplicaSet list. */
static void history_rs(kube_op *op, const kube_resp *r) {
  rd_state *s = rd(op);
  if (r->status != 200) return kube_op_fail_resp(op, "GET", "replicasets", r);
  const char *uid = json_string_value(json_object_get(json_object_get(s->deployment, "metadata"), "uid"));
  json_t *owned = kube_owned_sorted(json_object_get(r->json, "items"), uid), *out = json_array(), *rs;
  size_t i;
  json_array_foreach(owned, i, rs) json_array_append_new(out, history_entry(rs));
  json_decref(owned);
  kube_finish_json(op, out);
  json_decref(out);
}

/* Lists the deployment's ReplicaSets by its selector. */
static void history_dep(kube_op *op, const kube_resp *r) {
  rd_state *s = rd(op);
  if (r->status != 200 || !json_is_object(r->json)) return kube_op_fail_resp(op, "GET", s->path, r);
  s->deployment = json_incref(r->json);
  char *sel = kube_label_selector(json_object_get(json_object_get(r->json, "spec"), "selector"));
  char *q = selector_query(sel, NULL);
  char *rs = kube_kinds_path(kube_kinds_get(KK_REPLICASET), op->conn->ns, NULL);
  char *url = strutil_printf("%s?%s", rs, q ? q : "");
  if (url) kube_op_request(op, "GET", url, NULL, NULL, KRETRY_READ, history_rs);
  else kube_op_fail(op, "out of memory");
  free(sel), free(q), free(rs), free(url);
}

/* Starts history(ref). */
bool kube_history(kube_op *op, const rbk_action_req *req) {
  rd_state *s = rd(op);
  if (!s || !kube_arg_ref(op, req, "ref", &s->ref)) return false;
  if (s->ref.kind->id != KK_DEPLOYMENT) return kube_op_fail(op, "history: only deployments have a rollout history here, not %s", s->ref.kind->plural), false;
  s->path = kube_kinds_path(s->ref.kind, op->conn->ns, s->ref.name);
  return kube_op_request(op, "GET", s->path, NULL, NULL, KRETRY_READ, history_dep);
}
