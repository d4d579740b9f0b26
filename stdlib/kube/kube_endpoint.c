/* kube_endpoint.c — the endpoint verbs get/post/put/delete on http(base_url, headers:) handles
 * and cluster.service() handles: JSON in and out; a non-2xx answer fails with
 * "POST /api/v1/x: 500 Internal Server Error: <body excerpt>". GET retries transient failures;
 * POST, PUT and DELETE are repeated only when they cannot have been processed (connection
 * refused, 429). */
#include <stdlib.h>
#include <string.h>

#include "kube_act.h"

typedef struct {
  char *method, *path;
} ep_state;

/* Frees the state. */
static void ep_free(void *p) {
  ep_state *s = p;
  free(s->method), free(s->path);
  free(s);
}

/* Finishes with the answer: its JSON, its text when it is not JSON, null when empty. */
static void answered(kube_op *op, const kube_resp *r) {
  ep_state *s = op->st;
  if (r->status < 200 || r->status > 299) return kop_fail_resp(op, s->method, s->path, r);
  if (r->json) return kact_finish_json(op, r->json);
  if (!r->body_len) return kop_finish(op, NULL);
  kop_finish(op, val_string(r->body, r->body_len));
}

/* Returns the HTTP method of an endpoint action. */
static const char *method_of(sig_id id) {
  switch (id) {
    case FN_E_POST: return "POST";
    case FN_E_PUT: return "PUT";
    case FN_E_DELETE: return "DELETE";
    default: return "GET";
  }
}

/* Starts an endpoint verb. */
bool kact_endpoint(kube_op *op, const rbk_action_req *req) {
  ep_state *s = kact_state(op, sizeof(ep_state), ep_free);
  s->method = strdup(method_of(req->sig->id));
  s->path = kact_text(kact_arg(req, "path"));
  if (!s->method || !s->path) return kop_fail(op, "out of memory"), false;
  const rbk_value *b = kact_arg(req, "body");
  char *body = NULL;
  if (b) {
    json_t *j = kact_json(b);
    body = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
    json_decref(j);
  }
  const char *path = s->path[0] == '/' || !*s->path ? s->path : NULL;
  char *fixed = path ? NULL : strutil_printf("/%s", s->path);
  bool get = req->sig->id == FN_E_GET;
  bool ok = kop_request(op, s->method, path ? path : fixed, body ? "application/json" : NULL, body,
                        get ? KRETRY_READ : KRETRY_UNSENT, answered);
  free(fixed), free(body);
  return ok;
}
