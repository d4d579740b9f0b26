/* kube_endpoint.c — the endpoint verbs get/post/put/delete on http(base_url, headers:) handles
 * and cluster.service() handles: JSON in and out; a non-2xx answer fails with
 * "500 Internal Server Error: <body excerpt>" (the engine's message names the call: "post POST
 * /api/v1/x: 500 …"). GET retries transient failures.
 *
 * POST, PUT and DELETE are sent once: they are repeated only when they cannot have been
 * processed (connection refused, 429) — unless the call says the write is safe to repeat
 * (`idempotent: true`, or `idempotency_key: K`, sent as the `Idempotency-Key: K` header), which
 * makes them retry like a GET. A write whose answer is lost (the connection broke after it was
 * sent, or its time ran out) fails with "outcome unknown: the request was sent and its answer was
 * lost; check the state of service X before retrying": rbk cannot read an endpoint's state back.
 * So does such a write that a resumed run finds in flight (op->recheck: the earlier process may
 * have sent it), without sending it. */
#include <stdlib.h>
#include <string.h>

#include "kube.h"

typedef struct {
  char *method, *path;  /* path as the call gave it (for messages) */
  char *sent;           /* the path as sent: with a leading '/' */
} ep_state;

/* Frees the state. */
static void ep_free(void *p) {
  ep_state *s = p;
  free(s->method), free(s->path), free(s->sent);
  free(s);
}

/* Finishes with the answer: its JSON, its text when it is not JSON, null when empty. */
static void answered(kube_op *op, const kube_resp *r) {
  ep_state *s = op->st;
  if (kube_is_write(s->method) && kube_lost(r)) {
    char *check = strutil_printf("the state of %s", op->conn && op->conn->desc ? op->conn->desc : "the service");
    const char *method = kube_op_names_target(op, s->method, s->path) ? NULL : s->method;
    char *m = kube_op_unknown_text(method, s->sent, NULL, check ? check : "the service");
    kube_op_fail(op, "%s", m ? m : "outcome unknown");
    free(check), free(m);
    return;
  }
  if (r->status < 200 || r->status > 299) return kube_op_fail_resp(op, s->method, s->path, r);
  if (r->json) return kube_finish_json(op, r->json);
  if (!r->body_len) return kube_op_finish(op, NULL);
  kube_op_finish(op, value_string(r->body, r->body_len));
}

/* Fails a write that a resumed run found in flight: the earlier process may have sent it. */
static void in_flight(kube_op *op) {
  ep_state *s = op->st;
  const char *desc = op->conn && op->conn->desc ? op->conn->desc : "the service";
  if (kube_op_names_target(op, s->method, s->path))
    return kube_op_fail(op, RBK_OUTCOME_UNKNOWN "the request was in flight when the previous run stopped and may have been sent; "
                        "check the state of %s before retrying (idempotent: or idempotency_key: lets a resume send it again)", desc);
  kube_op_fail(op, RBK_OUTCOME_UNKNOWN "%s %s was in flight when the previous run stopped and may have been sent; check the "
               "state of %s before retrying (idempotent: or idempotency_key: lets a resume send it again)", s->method, s->sent, desc);
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
bool kube_endpoint(kube_op *op, const rbk_action_req *req) {
  ep_state *s = kube_state(op, sizeof(ep_state), ep_free);
  s->method = strdup(method_of(req->sig->id));
  s->path = kube_text(kube_arg(req, "path"));
  if (!s->method || !s->path) return kube_op_fail(op, "out of memory"), false;
  const rbk_value *b = kube_arg(req, "body");
  char *body = NULL;
  if (b) {
    json_t *j = kube_json(b);
    body = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
    json_decref(j);
  }
  const rbk_value *idem = kube_arg(req, "idempotent");
  char *key = kube_text(kube_arg(req, "idempotency_key"));
  if (idem && idem->kind != VAL_BOOL) return free(body), free(key), kube_op_fail(op, "%s: idempotent must be a bool", s->method), false;
  if (key && (!*key || strpbrk(key, "\r\n")))
    return free(body), free(key), kube_op_fail(op, "%s: idempotency_key must be a non-empty one-line text", s->method), false;
  char *header = key ? strutil_printf("Idempotency-Key: %s", key) : NULL;
  bool safe = req->sig->id == FN_E_GET || (idem && idem->u.b) || key;
  s->sent = s->path[0] == '/' || !*s->path ? strdup(s->path) : strutil_printf("/%s", s->path);
  if (s->sent && op->recheck && !safe) {
    free(body), free(key), free(header);
    return in_flight(op), false;
  }
  const char *hdrs[1] = {header};
  bool ok = s->sent && kube_op_request_with(op, s->method, s->sent, body ? "application/json" : NULL, body, hdrs, header ? 1 : 0,
                                            safe ? KRETRY_READ : KRETRY_UNSENT, answered);
  if (!s->sent) kube_op_fail(op, "out of memory");
  free(body), free(key), free(header);
  return ok;
}
