/* kube_write.c — scale, patch, apply, create, delete with kubectl's requests. A mutation that
 * fails transiently or whose answer is lost is resolved by reading the object back
 * (KRETRY_VERIFY): taken as done when the read shows the intended change (scale: spec.replicas;
 * patch, apply: the patch's fields present; create: the object exists with what was sent;
 * delete: gone or going), repeated when it shows nothing changed (resourceVersion as first
 * read), else the op fails with "outcome unknown: …" (docs/actions.md). With recheck (a resumed
 * run), the world is read first and an action that already took effect is not sent again. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kube.h"

typedef struct {
  kube_ref ref;
  const kube_kind *kind;
  char *name, *ns;
  char *path, *url;       /* the object; the mutation's URL */
  char *ctype;
  json_t *body;           /* patch or object */
  json_t *cur;            /* the object as first read */
  long replicas;
  bool merge_like;        /* patch: merge or strategic (verifiable) */
} wr_state;

/* Frees the state. */
static void wr_free(void *p) {
  wr_state *s = p;
  kube_kinds_ref_clear(&s->ref);
  free(s->name), free(s->ns), free(s->path), free(s->url), free(s->ctype);
  json_decref(s->body), json_decref(s->cur);
  free(s);
}

/* Returns the op's state. */
static wr_state *wr(kube_op *op) { return kube_state(op, sizeof(wr_state), wr_free); }

/* Returns true when merge or strategic patch p is already reflected in o: every field of p is
 * in o with its value (null: absent), list elements matched by "name", else as a subset. */
static bool kube_applied(const json_t *o, const json_t *p) {
  if (!json_is_object(p)) return json_equal(o, p);
  if (!json_is_object(o)) return false;
  const char *k;
  json_t *v;
  json_object_foreach((json_t *)p, k, v) {
    if (k[0] == '$') continue;
    json_t *ov = json_object_get(o, k);
    if (json_is_null(v) ? ov != NULL : !ov) return false;
    if (json_is_null(v)) continue;
    if (json_is_array(v) && json_is_array(ov)) {
      size_t i;
      json_t *e;
      json_array_foreach(v, i, e) {
        const char *name = json_string_value(json_object_get(e, "name"));
        bool found = false;
        size_t j;
        json_t *oe;
        json_array_foreach(ov, j, oe) {
          const char *oname = json_string_value(json_object_get(oe, "name"));
          if (name ? oname && !strcmp(oname, name) && kube_applied(oe, e) : json_is_object(e) ? kube_applied(oe, e) : json_equal(oe, e))
            found = true;
        }
        if (!found) return false;
      }
    } else if (!kube_applied(ov, v)) return false;
  }
  return true;
}

/* Returns the member of o at RFC 6901 pointer ptr (borrowed), or NULL. */
static json_t *at_pointer(json_t *o, const char *ptr) {
  if (*ptr && *ptr != '/') return NULL;
  while (o && *ptr == '/') {
    const char *end = strchr(ptr + 1, '/');
    size_t n = end ? (size_t)(end - ptr - 1) : strlen(ptr + 1);
    char key[256];
    size_t k = 0;
    for (size_t i = 0; i < n && k + 1 < sizeof key; i++) {
      char c = ptr[1 + i];
      if (c == '~' && i + 1 < n) c = ptr[2 + i] == '1' ? '/' : '~', i++;
      key[k++] = c;
    }
    key[k] = '\0';
    if (json_is_array(o)) {
      char *e = NULL;
      long idx = strtol(key, &e, 10);
      o = *key && !*e && idx >= 0 ? json_array_get(o, (size_t)idx) : NULL;
    } else o = json_object_get(o, key);
    ptr += 1 + n;
  }
  return o;
}

/* Returns true when every operation of json patch p is reflected in o: add and replace put their
 * value at the path, remove left nothing there, test is ignored; copy, move and appends ("-")
 * cannot be read back. */
static bool json_patch_applied(json_t *o, const json_t *p) {
  if (!json_is_array(p)) return false;
  size_t i;
  json_t *e;
  json_array_foreach(p, i, e) {
    const char *op = json_string_value(json_object_get(e, "op")), *path = json_string_value(json_object_get(e, "path"));
    if (!op || !path) return false;
    const char *last = strrchr(path, '/');
    if (!strcmp(op, "test")) continue;
    if (!strcmp(op, "remove") ? at_pointer(o, path) != NULL
                              : strcmp(op, "add") && strcmp(op, "replace") ? true
                              : (last && !strcmp(last, "/-")) || !json_equal(at_pointer(o, path), json_object_get(e, "value")))
      return false;
  }
  return true;
}

/* Returns the base64 text of a string (RFC 4648, padded; caller frees), or NULL. */
static char *b64(const char *in) {
  static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  size_t n = strlen(in), k = 0;
  char *out = malloc((n + 2) / 3 * 4 + 1);
  if (!out) return NULL;
  for (size_t i = 0; i < n; i += 3) {
    unsigned v = (unsigned char)in[i] << 16 | (i + 1 < n ? (unsigned char)in[i + 1] << 8 : 0) | (i + 2 < n ? (unsigned char)in[i + 2] : 0);
    out[k++] = abc[v >> 18 & 63], out[k++] = abc[v >> 12 & 63];
    out[k++] = i + 1 < n ? abc[v >> 6 & 63] : '=', out[k++] = i + 2 < n ? abc[v & 63] : '=';
  }
  out[k] = '\0';
  return out;
}

/* Returns a merge patch as a Secret stores it (caller owns): its write-only stringData moved into
 * data, base64-encoded, as the API server does. */
static json_t *as_stored(const json_t *p) {
  json_t *c = json_deep_copy(p), *sd = json_object_get(c, "stringData");
  if (!json_is_object(sd)) return c;
  json_t *data = json_object_get(c, "data");
  if (!json_is_object(data)) json_object_set_new(c, "data", data = json_object());
  const char *k;
  json_t *v;
  json_object_foreach(sd, k, v) {
    char *e = json_is_string(v) ? b64(json_string_value(v)) : NULL;
    json_object_set_new(data, k, e ? json_string(e) : json_null());
    free(e);
  }
  json_object_del(c, "stringData");
  return c;
}

/* Returns true when the patch of s is reflected in o. */
static bool patch_applied(const wr_state *s, json_t *o) {
  if (!s->merge_like) return json_patch_applied(o, s->body);
  json_t *p = as_stored(s->body);
  bool yes = kube_applied(o, p);
  json_decref(p);
  return yes;
}

/* Finishes with the answer's object on 2xx, else fails. */
static void finish_obj(kube_op *op, const kube_resp *r, const char *method) {
  if (r->status < 200 || r->status > 299) return kube_op_fail_resp(op, method, wr(op)->path, r);
  kube_finish_json(op, r->json);
}

/* ---- scale ---- */

/* The Scale answer. */
static void scaled(kube_op *op, const kube_resp *r) { finish_obj(op, r, "PATCH"); }

/* Verify hook's answer (the Scale read back): scaled, unchanged (repeat), or unknown. */
static void scale_verified(kube_op *op, const kube_resp *r) {
  wr_state *s = wr(op);
  if (r->status != 200) return kube_op_fail_resp(op, "GET", s->url, r);
  json_t *n = kube_at2(r->json, "spec", "replicas");
  if (json_is_integer(n) && json_integer_value(n) == s->replicas) return kube_finish_json(op, r->json);
  if (!strcmp(kube_rv(r->json), kube_rv(s->cur))) return kube_op_repeat(op);
  kube_op_unknown(op, "spec.replicas is %lld, not %ld, and the %s changed meanwhile (resourceVersion %s → %s)",
                  (long long)json_integer_value(n), s->replicas, s->ref.kind->singular, kube_rv(s->cur), kube_rv(r->json));
}

/* Verify hook: re-reads the scale subresource. */
static void scale_verify(kube_op *op) { kube_op_request(op, "GET", wr(op)->url, NULL, NULL, KRETRY_READ, scale_verified); }

/* Read the object: PATCH its scale subresource. */
static void scale_got(kube_op *op, const kube_resp *r) {
  wr_state *s = wr(op);
  if (r->status != 200) return kube_op_fail_resp(op, "GET", s->path, r);
  s->cur = json_incref(r->json);
  char *body = strutil_printf("{\"spec\":{\"replicas\":%ld}}", s->replicas);
  op->verify = scale_verify;
  kube_op_request(op, "PATCH", s->url, "application/merge-patch+json", body, KRETRY_VERIFY, scaled);
  free(body);
}

/* Starts scale(ref, replicas). */
bool kube_scale(kube_op *op, const rbk_action_req *req) {
  wr_state *s = wr(op);
  if (!s || !kube_arg_ref(op, req, "ref", &s->ref)) return false;
  const rbk_value *n = kube_arg(req, "replicas");
  if (!n || n->kind != VAL_INT || n->u.i < 0) return kube_op_fail(op, "scale: replicas must be an int >= 0"), false;
  s->replicas = (long)n->u.i;
  s->path = kube_kinds_path(s->ref.kind, op->conn->ns, s->ref.name);
  s->url = strutil_printf("%s/scale", s->path);
  return kube_op_request(op, "GET", s->path, NULL, NULL, KRETRY_READ, scale_got);
}

/* ---- patch ---- */

/* The PATCH answer. */
static void patched(kube_op *op, const kube_resp *r) { finish_obj(op, r, "PATCH"); }

/* Verify hook's answer: applied, unchanged (repeat), or unknown. */
static void patch_verified(kube_op *op, const kube_resp *r) {
  wr_state *s = wr(op);
  if (r->status != 200) return kube_op_fail_resp(op, "GET", s->path, r);
  if (!strcmp(kube_rv(r->json), kube_rv(s->cur))) return kube_op_repeat(op);
  if (patch_applied(s, r->json)) return kube_finish_json(op, r->json);
  kube_op_unknown(op, "the patch's fields are not all present and the %s changed meanwhile (resourceVersion %s → %s)",
                  s->ref.kind->singular, kube_rv(s->cur), kube_rv(r->json));
}

/* Verify hook: re-reads the object. */
static void patch_verify(kube_op *op) { kube_op_request(op, "GET", wr(op)->path, NULL, NULL, KRETRY_READ, patch_verified); }

/* Read the object: send the patch (or, resumed, skip it when it already took effect). */
static void patch_got(kube_op *op, const kube_resp *r) {
  wr_state *s = wr(op);
  if (r->status != 200) return kube_op_fail_resp(op, "GET", s->path, r);
  s->cur = json_incref(r->json);
  if (op->recheck && s->merge_like && kube_applied(r->json, s->body)) return kube_finish_json(op, r->json);
  if (op->recheck && !s->merge_like)
    return kube_op_fail(op, "patch of %s/%s was in flight when the run stopped, and a json patch cannot be verified: check it by hand",
                        s->ref.kind->singular, s->ref.name);
  char *body = json_dumps(s->body, JSON_COMPACT | JSON_ENCODE_ANY);
  op->verify = patch_verify;
  kube_op_request(op, "PATCH", s->url, s->ctype, body, KRETRY_VERIFY, patched);
  free(body);
}

/* Starts patch(ref, patch, type:). */
bool kube_patch(kube_op *op, const rbk_action_req *req) {
  wr_state *s = wr(op);
  if (!s || !kube_arg_ref(op, req, "ref", &s->ref)) return false;
  char *type = kube_text(kube_arg(req, "type"));
  const char *t = type ? type : "strategic";
  s->ctype = strdup(!strcmp(t, "merge") ? "application/merge-patch+json"
                    : !strcmp(t, "json") ? "application/json-patch+json" : "application/strategic-merge-patch+json");
  bool known = !strcmp(t, "merge") || !strcmp(t, "json") || !strcmp(t, "strategic");
  s->merge_like = strcmp(t, "json") != 0;
  free(type);
  if (!known) return kube_op_fail(op, "patch: type must be strategic, merge or json"), false;
  const rbk_value *p = kube_arg(req, "patch");
  if (p && p->kind == VAL_STRING) s->body = json_loads(p->u.str.s, JSON_DECODE_ANY, NULL);
  else s->body = p ? kube_json(p) : NULL;
  if (!s->body) return kube_op_fail(op, "patch: the patch is not valid JSON"), false;
  s->path = kube_kinds_path(s->ref.kind, op->conn->ns, s->ref.name);
  s->url = strutil_printf("%s?fieldManager=kubectl-patch", s->path);
  return kube_op_request(op, "GET", s->path, NULL, NULL, KRETRY_READ, patch_got);
}

/* ---- create / apply ---- */

/* Returns true after reading kind, name and namespace of the object argument. */
static bool object_target(kube_op *op, const rbk_action_req *req) {
  wr_state *s = wr(op);
  s->body = kube_json(kube_arg(req, "object"));
  const char *av = json_string_value(json_object_get(s->body, "apiVersion"));
  const char *kind = json_string_value(json_object_get(s->body, "kind"));
  const char *name = json_string_value(kube_at2(s->body, "metadata", "name"));
  const char *ns = json_string_value(kube_at2(s->body, "metadata", "namespace"));
  s->kind = kind ? kube_kinds_of(av, kind) : NULL;
  if (!s->kind) return kube_op_fail(op, "%s: unknown object kind %s%s%s", op->sig->name, av ? av : "", av ? " " : "", kind ? kind : "(no kind)"), false;
  if (!name) return kube_op_fail(op, "%s: the object has no metadata.name", op->sig->name), false;
  s->name = strdup(name), s->ns = strdup(ns ? ns : op->conn->ns ? op->conn->ns : "default");
  s->path = kube_kinds_path(s->kind, s->ns, s->name);
  return s->name && s->ns && s->path;
}

/* The POST answer. */
static void created(kube_op *op, const kube_resp *r) { finish_obj(op, r, "POST"); }

/* Returns the object as sent and stored (a Secret's stringData as data), without status and
 * resourceVersion (for comparing). Caller owns. */
static json_t *sent_doc(const wr_state *s) {
  json_t *doc = as_stored(s->body);
  json_object_del(doc, "status");
  json_object_del(json_object_get(doc, "metadata"), "resourceVersion");
  return doc;
}

/* Verify hook's answer after a failed POST: created (exists with what was sent), repeat, or
 * unknown (an object of that name differs). */
static void create_verified(kube_op *op, const kube_resp *r) {
  if (r->status == 404) return kube_op_repeat(op);
  if (r->status != 200) return kube_op_fail_resp(op, "GET", wr(op)->path, r);
  json_t *doc = sent_doc(wr(op));
  bool ours = kube_applied(r->json, doc);
  json_decref(doc);
  if (ours) return kube_finish_json(op, r->json);
  kube_op_unknown(op, "an object of that name exists but differs from what was sent");
}

/* Verify hook: does the object exist now? */
static void create_verify(kube_op *op) { kube_op_request(op, "GET", wr(op)->path, NULL, NULL, KRETRY_READ, create_verified); }

/* Sends the POST. */
static void create_send(kube_op *op, const char *manager) {
  wr_state *s = wr(op);
  char *coll = kube_kinds_path(s->kind, s->ns, NULL);
  char *url = strutil_printf("%s?fieldManager=%s&fieldValidation=Strict", coll, manager);
  char *body = json_dumps(s->body, JSON_COMPACT);
  op->verify = create_verify;
  if (url && body) kube_op_request(op, "POST", url, "application/json", body, KRETRY_VERIFY, created);
  else kube_op_fail(op, "out of memory");
  free(coll), free(url), free(body);
}

/* Resumed create: skip when the object exists. */
static void create_rechecked(kube_op *op, const kube_resp *r) {
  if (r->status == 200) return kube_finish_json(op, r->json);
  if (r->status == 404) return create_send(op, "rbk");
  kube_op_fail_resp(op, "GET", wr(op)->path, r);
}

/* Starts create(object). */
bool kube_create(kube_op *op, const rbk_action_req *req) {
  if (!wr(op) || !object_target(op, req)) return false;
  if (op->recheck) return kube_op_request(op, "GET", wr(op)->path, NULL, NULL, KRETRY_READ, create_rechecked);
  create_send(op, "rbk");
  return !op->finished || !op->error;
}

/* The merge PATCH of apply. */
static void apply_patched(kube_op *op, const kube_resp *r) { finish_obj(op, r, "PATCH"); }

/* Verify hook's answer after a failed apply PATCH: applied, unchanged (repeat), or unknown. */
static void apply_verified(kube_op *op, const kube_resp *r) {
  wr_state *s = wr(op);
  if (r->status != 200) return kube_op_fail_resp(op, "GET", s->path, r);
  if (!strcmp(kube_rv(r->json), kube_rv(s->cur))) return kube_op_repeat(op); /* unchanged: it was not applied */
  json_t *doc = sent_doc(s);
  bool done = kube_applied(r->json, doc);
  json_decref(doc);
  if (done) return kube_finish_json(op, r->json);
  kube_op_unknown(op, "the %s changed meanwhile (resourceVersion %s → %s)", s->kind->singular, kube_rv(s->cur), kube_rv(r->json));
}

/* Verify hook: re-reads the object. */
static void apply_verify(kube_op *op) { kube_op_request(op, "GET", wr(op)->path, NULL, NULL, KRETRY_READ, apply_verified); }

/* Read the object: create it, or merge-patch it with the document. */
static void apply_got(kube_op *op, const kube_resp *r) {
  wr_state *s = wr(op);
  if (r->status == 404) return create_send(op, "rbk");
  if (r->status != 200) return kube_op_fail_resp(op, "GET", s->path, r);
  s->cur = json_incref(r->json);
  json_t *doc = json_deep_copy(s->body);
  json_object_del(doc, "status");
  json_object_del(json_object_get(doc, "metadata"), "resourceVersion");
  char *body = json_dumps(doc, JSON_COMPACT);
  char *url = strutil_printf("%s?fieldManager=rbk", s->path);
  json_decref(doc);
  op->verify = apply_verify;
  if (body && url) kube_op_request(op, "PATCH", url, "application/merge-patch+json", body, KRETRY_VERIFY, apply_patched);
  free(body), free(url);
}

/* Starts apply(object): create-or-merge-patch. */
bool kube_apply(kube_op *op, const rbk_action_req *req) {
  if (!wr(op) || !object_target(op, req)) return false;
  return kube_op_request(op, "GET", wr(op)->path, NULL, NULL, KRETRY_READ, apply_got);
}

/* ---- delete ---- */

/* The DELETE answer. */
static void deleted(kube_op *op, const kube_resp *r) {
  if (r->status < 200 || r->status > 299) return kube_op_fail_resp(op, "DELETE", wr(op)->path, r);
  kube_op_finish(op, NULL);
}

/* Verify hook's answer after a failed DELETE. */
static void delete_verified(kube_op *op, const kube_resp *r) {
  if (r->status == 404 || (r->status == 200 && kube_at2(r->json, "metadata", "deletionTimestamp"))) return kube_op_finish(op, NULL);
  if (r->status == 200) return kube_op_repeat(op);
  kube_op_fail_resp(op, "GET", wr(op)->path, r);
}

/* Verify hook: is the object gone or going? */
static void delete_verify(kube_op *op) { kube_op_request(op, "GET", wr(op)->path, NULL, NULL, KRETRY_READ, delete_verified); }

/* Sends the DELETE. */
static void delete_send(kube_op *op) {
  op->verify = delete_verify;
  kube_op_request(op, "DELETE", wr(op)->path, "application/json", "{\"propagationPolicy\":\"Background\"}", KRETRY_VERIFY, deleted);
}

/* Resumed delete: done when the object is gone. */
static void delete_rechecked(kube_op *op, const kube_resp *r) {
  if (r->status == 404) return kube_op_finish(op, NULL);
  if (r->status == 200) return delete_send(op);
  kube_op_fail_resp(op, "GET", wr(op)->path, r);
}

/* Starts delete(ref). */
bool kube_delete(kube_op *op, const rbk_action_req *req) {
  wr_state *s = wr(op);
  if (!s || !kube_arg_ref(op, req, "ref", &s->ref)) return false;
  s->path = kube_kinds_path(s->ref.kind, op->conn->ns, s->ref.name);
  if (op->recheck) return kube_op_request(op, "GET", s->path, NULL, NULL, KRETRY_READ, delete_rechecked);
  delete_send(op);
  return true;
}
