/* sim_api.c — sim_handle: authentication, routing of API paths, response helpers. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "grow.h"
#include <nettle/sha2.h>

#include "sim_api.h"
#include "sim_rbac.h"

#define SIM_MAX_BODY (3 * 1024 * 1024)

/* Returns the request header's value (borrowed) or NULL. */
const char *sim_api_header(const sim_request *req, const char *name) {
  for (size_t i = 0; i < req->n_headers; i++)
    if (req->headers[i].name && !strcasecmp(req->headers[i].name, name)) return req->headers[i].value;
  return NULL;
}

/* Returns a decoded query parameter (caller frees) or NULL. */
char *sim_api_query(const api_call *c, const char *key) { return sim_util_query_get(c->req->query, key); }

/* Returns true when the query parameter is "true" or "1". */
bool sim_api_query_true(const api_call *c, const char *key) {
  char *v = sim_api_query(c, key);
  bool t = v && (!strcmp(v, "true") || !strcmp(v, "1"));
  free(v);
  return t;
}

/* Adds a response header (copies both). */
void sim_api_add_header(sim_response *resp, const char *name, const char *value) {
  if (!GROW(resp->headers, resp->headers_cap, resp->n_headers + 1)) return;
  resp->headers[resp->n_headers++] = (sim_resp_header){strdup(name), strdup(value)};
}

/* Answers with text (copies it). */
void sim_api_text(sim_response *resp, int code, const char *content_type, const char *text, size_t len) {
  resp->status = code;
  free(resp->body);
  json_decref(resp->json), resp->json = NULL;
  resp->body = malloc(len + 1);
  if (resp->body) memcpy(resp->body, text, len), resp->body[len] = 0;
  resp->body_len = resp->body ? len : 0;
  sim_api_add_header(resp, "Content-Type", content_type);
}

/* Answers with a JSON body and an explicit Content-Type (takes body). */
void sim_api_json_ct(sim_response *resp, int code, json_t *body, const char *content_type) {
  char *text = json_dumps(body, SIMU_JSON_FLAGS);
  json_decref(body);
  resp->status = code;
  free(resp->body);
  json_decref(resp->json), resp->json = NULL;
  resp->body = text;
  resp->body_len = text ? strlen(text) : 0;
  sim_api_add_header(resp, "Content-Type", content_type);
}

/* Answers with a JSON body of stored objects whose writing may be deferred (takes body). */
void sim_api_json_stored(sim_response *resp, int code, json_t *body) {
  resp->status = code;
  free(resp->body), resp->body = NULL, resp->body_len = 0;
  json_decref(resp->json);
  resp->json = body;
  sim_api_add_header(resp, "Content-Type", "application/json");
}

/* Writes resp->json (if any) into resp->body and releases it. */
void sim_response_render(sim_response *resp) {
  if (!resp->json) return;
  char *text = json_dumps(resp->json, SIMU_JSON_FLAGS);
  json_decref(resp->json), resp->json = NULL;
  free(resp->body);
  resp->body = text;
  resp->body_len = text ? strlen(text) : 0;
}

/* Answers with a JSON body (takes body). */
void sim_api_json(sim_response *resp, int code, json_t *body) { sim_api_json_ct(resp, code, body, "application/json"); }

/* Answers with a Status object (takes st); the HTTP code is the Status' code. */
void sim_api_status(sim_response *resp, json_t *st) { sim_api_json(resp, (int)sim_util_jint(st, "code", 500), st); }

/* Answers with a plain Status of the given reason and message. */
void sim_api_fail(sim_response *resp, simst_reason r, const char *message) {
  sim_api_status(resp, sim_status_status(r, message, NULL));
}

/* Frees what a response owns and zeroes it (the watch, if any, is left to the caller). */
void sim_response_clear(sim_response *resp) {
  for (size_t i = 0; i < resp->n_headers; i++) free(resp->headers[i].name), free(resp->headers[i].value);
  free(resp->headers);
  free(resp->body);
  json_decref(resp->json);
  if (resp->exec) free(resp->exec->out), free(resp->exec->err), free(resp->exec->status), free(resp->exec);
  memset(resp, 0, sizeof *resp);
}

/* Returns the value of the response header `name` (borrowed), or NULL. */
const char *sim_response_header(const sim_response *resp, const char *name) {
  for (size_t i = 0; i < resp->n_headers; i++)
    if (!strcasecmp(resp->headers[i].name, name)) return resp->headers[i].value;
  return NULL;
}

/* Parses the request body as JSON (new reference) or answers 400/415 and returns NULL. */
json_t *sim_api_body(api_call *c) {
  const char *ct = sim_api_header(c->req, "Content-Type");
  if (ct && strstr(ct, "protobuf")) {
    sim_api_fail(c->resp, SIMST_UNSUPPORTED_MEDIA,
                 "the body of the request was in an unknown format - accepted media types include: application/json, "
                 "application/yaml");
    return NULL;
  }
  if (c->req->body_len > SIM_MAX_BODY) {
    sim_api_fail(c->resp, SIMST_TOO_LARGE, "the request is too large");
    return NULL;
  }
  json_error_t je;
  json_t *j = c->req->body_len ? json_loadb(c->req->body, c->req->body_len, 0, &je) : NULL;
  if (!j) {
    char *msg = strutil_printf("couldn't get version/kind; json parse error: %s",
                            c->req->body_len ? je.text : "unexpected end of JSON input");
    sim_api_fail(c->resp, SIMST_BAD_REQUEST, msg);
    free(msg);
  }
  return j;
}

/* Returns true when the bearer token is accepted. */
static bool authorized(api_call *c) {
  const char *auth = sim_api_header(c->req, "Authorization");
  bool bearer = auth && !strncasecmp(auth, "Bearer ", 7);
  json_t *sa = bearer && !c->user ? json_object_get(c->w->token_sa, auth + 7) : NULL;
  if (sa) return c->sa = json_string_value(sa), true;
  if (!json_array_size(c->w->tokens) || c->user) return true;
  if (!bearer) return false;
  size_t i;
  json_t *t;
  json_array_foreach(c->w->tokens, i, t) if (!strcmp(json_string_value(t), auth + 7)) return true;
  return false;
}

/* Splits the path into at most max segments (new strings in segs); returns the count. */
static size_t split(const char *path, char **segs, size_t max) {
  size_t n = 0;
  const char *p = path;
  while (*p && n < max) {
    while (*p == '/') p++;
    if (!*p) break;
    const char *e = strchr(p, '/');
    size_t len = e ? (size_t)(e - p) : strlen(p);
    segs[n++] = sim_util_url_decode(p, len);
    p += len;
  }
  return n;
}

/* Fills the call's resource route from the segments after /api/v1 or /apis/G/V; false when the
 * path names no known resource. */
static bool route(api_call *c, char **s, size_t n) {
  size_t i = 0;
  if (n >= 3 && !strcmp(s[0], "namespaces") && sim_res_find(c->group, c->version, s[2]) >= 0 &&
      sim_res_info_of((simr_kind)sim_res_find(c->group, c->version, s[2]))->namespaced) {
    c->ns = strdup(s[1]);
    i = 2;
  }
  if (i >= n) return false;
  c->res = sim_res_find(c->group, c->version, s[i]);
  if (c->res < 0) return false;
  if (i + 1 < n) c->name = strdup(s[i + 1]);
  if (i + 2 < n) c->sub = strdup(s[i + 2]);
  if (c->sub && !strcmp(c->sub, "proxy")) {
    const char *p = strstr(c->req->path, "/proxy");
    c->rest = p ? p + 6 : "";
    return true;
  }
  return i + 3 >= n;
}

/* Answers a request on a resource route. */
static void dispatch(api_call *c) {
  const char *m = c->req->method;
  bool get = !strcmp(m, "GET"), post = !strcmp(m, "POST"), put = !strcmp(m, "PUT");
  bool patch = !strcmp(m, "PATCH"), del = !strcmp(m, "DELETE");
  if (c->ns && c->res != SIMR_NAMESPACES && !sim_api_namespace_exists(c) && !get && !del) return;
  if (c->sub) {
    if (!strcmp(c->sub, "proxy") && c->res == SIMR_SERVICES) return sim_api_proxy(c);
    if (!strcmp(c->sub, "log") && c->res == SIMR_PODS && get) return sim_api_logs(c);
    if (!strcmp(c->sub, "scale") && (c->res == SIMR_DEPLOYMENTS || c->res == SIMR_REPLICASETS) && (get || put || patch))
      return sim_api_scale(c);
    if (!strcmp(c->sub, "status") && (get || put || patch)) return sim_api_status_sub(c);
    if (!strcmp(c->sub, "eviction") && c->res == SIMR_PODS && post) return sim_api_evict(c);
    if (c->res == SIMR_PODS && !strcmp(c->sub, "exec") && (get || post)) return sim_api_exec(c);
    if (c->res == SIMR_PODS && (!strcmp(c->sub, "exec") || !strcmp(c->sub, "attach") || !strcmp(c->sub, "portforward")))
      return sim_api_fail(c->resp, SIMST_BAD_REQUEST, "Upgrade request required");
    return sim_api_status(c->resp, sim_status_no_resource());
  }
  if (get && c->name) return sim_api_get(c);
  if (get) return sim_api_query_true(c, "watch") ? sim_api_watch(c) : sim_api_list(c);
  if (post && !c->name) return sim_api_create(c);
  if (put && c->name) return sim_api_update(c);
  if (patch && c->name) return sim_api_patch(c);
  if (del && c->name) return sim_api_delete(c);
  if (del) return sim_api_delete_collection(c);
  sim_api_fail(c->resp, SIMST_METHOD_NOT_ALLOWED, "the server does not allow this method on the requested resource");
}

/* Parses /api/v1/... and /apis/G/V/...; returns true when the path was a resource route. */
static bool resource_route(api_call *c) {
  char *s[12] = {0};
  size_t n = split(c->req->path, s, 12), off = 0;
  bool ok = false;
  if (n >= 2 && !strcmp(s[0], "api")) c->group = strdup(""), c->version = strdup(s[1]), off = 2;
  else if (n >= 3 && !strcmp(s[0], "apis")) c->group = strdup(s[1]), c->version = strdup(s[2]), off = 3;
  if (off && n > off) ok = route(c, s + off, n - off);
  for (size_t i = 0; i < n; i++) free(s[i]);
  return ok;
}

/* Frees what the call parsed. */
static void call_free(api_call *c) {
  free(c->group), free(c->version), free(c->ns), free(c->name), free(c->sub);
}

/* Sets the request log. */
void sim_set_request_log(sim_world *w, FILE *log) { w->request_log = log; }

/* Returns the length of the RFC 3339 UTC timestamp at s ("2026-01-01T14:30:00Z", optional
 * fraction), or 0 when there is none. */
static size_t timestamp_at(const char *s, size_t n) {
  static const char shape[] = "dddd-dd-ddTdd:dd:dd";
  size_t i = 0;
  for (; shape[i]; i++)
    if (i >= n || (shape[i] == 'd' ? !isdigit((unsigned char)s[i]) : s[i] != shape[i])) return 0;
  if (i < n && s[i] == '.')
    for (i++; i < n && isdigit((unsigned char)s[i]); i++) {
    }
  return i < n && s[i] == 'Z' ? i + 1 : 0;
}

/* The Job label whose value rbk makes unique per call (stdlib/kube/kube_job.c: from the wall
 * clock), hashed as TOKEN so that a rehearsal and a real run log the same line. */
static const char attempt_label[] = "\"rbk.dev/attempt\":\"";

/* Returns the length of the attempt label with its quoted value at s, or 0 when there is none. */
static size_t attempt_at(const char *s, size_t n) {
  size_t k = sizeof attempt_label - 1;
  if (n < k || memcmp(s, attempt_label, k)) return 0;
  const char *end = memchr(s + k, '"', n - k);
  return end ? (size_t)(end - s) + 1 : 0;
}

/* Writes req's line to the request log. */
static void log_request(FILE *log, const sim_request *req) {
  char hex[2 * SHA256_DIGEST_SIZE + 1] = "-";
  if (req->body_len) {
    uint8_t md[SHA256_DIGEST_SIZE];
    struct sha256_ctx ctx;
    sha256_init(&ctx);
    for (size_t i = 0, from = 0; i <= req->body_len; i++) {
      size_t t = i < req->body_len ? timestamp_at(req->body + i, req->body_len - i) : 0;
      size_t a = i < req->body_len && !t ? attempt_at(req->body + i, req->body_len - i) : 0;
      if (!t && !a && i < req->body_len) continue;
      sha256_update(&ctx, i - from, (const uint8_t *)req->body + from);
      if (t) sha256_update(&ctx, 4, (const uint8_t *)"TIME"), i += t - 1, from = i + 1;
      if (a) sha256_update(&ctx, sizeof attempt_label - 1, (const uint8_t *)attempt_label),
          sha256_update(&ctx, 6, (const uint8_t *)"TOKEN\""), i += a - 1, from = i + 1;
    }
    sha256_digest(&ctx, sizeof md, md);
    for (int i = 0; i < SHA256_DIGEST_SIZE; i++) snprintf(hex + 2 * i, 3, "%02x", md[i]);
  }
  fprintf(log, "%s %s%s%s %s\n", req->method ? req->method : "?", req->path ? req->path : "",
          req->query && *req->query ? "?" : "", req->query ? req->query : "", hex);
  fflush(log);
}

/* Answers one request; an answer of stored objects stays in resp->json when defer is set. */
static void handle(sim_world *w, const sim_request *req, const char *user, sim_response *resp, bool defer) {
  memset(resp, 0, sizeof *resp);
  if (w->request_log) log_request(w->request_log, req);
  api_call c = {.w = w, .req = req, .resp = resp, .res = -1, .user = user};
  uint64_t rv = w->st.rv;
  if (!req->path || !req->method || req->path[0] != '/') {
    sim_api_fail(resp, SIMST_BAD_REQUEST, "malformed request");
  } else if (!authorized(&c)) {
    sim_api_fail(resp, SIMST_UNAUTHORIZED, "Unauthorized");
  } else if (resource_route(&c)) {
    if (sim_rbac_allowed(&c) && !sim_api_fault(&c)) {
      dispatch(&c);
      sim_api_fault_lost(&c);
    }
  } else if (!sim_api_discovery(&c)) {
    sim_api_status(resp, sim_status_no_resource());
  }
  call_free(&c);
  if (w->st.rv != rv) sim_world_reconcile(w);
  if (!defer) sim_response_render(resp);
}

/* Answers one request at the current virtual time. */
void sim_handle(sim_world *w, const sim_request *req, sim_response *resp) { handle(w, req, NULL, resp, false); }

/* Like sim_handle() for user (NULL: by its bearer token); an answer of stored objects may stay in resp->json for sim_response_render(). */
void sim_handle_deferred(sim_world *w, const sim_request *req, const char *user, sim_response *resp) {
  handle(w, req, user, resp, true);
}
