/* sim_api.h — the API server inside sim_handle: routes, verbs, watches, discovery, proxy
 * (internal to the simulator).
 *
 * Ownership: an api_call borrows the world, request and response; its parsed strings are owned by
 * the call and freed by simapi_call_free(). Functions writing answers fill call->resp. */
#ifndef RBK_SIM_API_H
#define RBK_SIM_API_H

#include "sim_sel.h"
#include "sim_status.h"
#include "sim_world.h"

/* One request being answered. */
typedef struct {
  sim_world *w;
  const sim_request *req;
  sim_response *resp;
  char *group, *version; /* from /api/v1 or /apis/G/V */
  int res;               /* simr_kind or -1 */
  char *ns, *name, *sub; /* NULL when absent */
  const char *rest;      /* for proxy: the path after ".../proxy" (points into req->path) */
  const char *user;      /* authenticated by the front door (client certificate), or NULL */
  const char *sa;        /* "ns/name": a ServiceAccount token's (sim_add_token_sa), RBAC applies; or NULL */
} api_call;

/* Returns the request header's value (borrowed) or NULL. */
const char *sim_api_header(const sim_request *req, const char *name);
/* Returns a decoded query parameter (caller frees) or NULL. */
char *sim_api_query(const api_call *c, const char *key);
/* Returns true when the query parameter is "true" or "1". */
bool sim_api_query_true(const api_call *c, const char *key);

/* Adds a response header (copies both). */
void sim_api_add_header(sim_response *resp, const char *name, const char *value);
/* Answers with a JSON body (takes body). */
void sim_api_json(sim_response *resp, int code, json_t *body);
/* Answers with a JSON body made only of stored objects and new containers of them (takes body):
 * its writing may be left to sim_response_render(), outside the world's lock. */
void sim_api_json_stored(sim_response *resp, int code, json_t *body);
/* Answers with a JSON body and an explicit Content-Type (takes body). */
void sim_api_json_ct(sim_response *resp, int code, json_t *body, const char *content_type);
/* Answers with a Status object (takes st); the HTTP code is the Status' code. */
void sim_api_status(sim_response *resp, json_t *st);
/* Answers with a plain Status of the given reason and message. */
void sim_api_fail(sim_response *resp, simst_reason r, const char *message);
/* Answers with text (copies it). */
void sim_api_text(sim_response *resp, int code, const char *content_type, const char *text, size_t len);

/* Reads the dryRun option (query, or the DeleteOptions body's `dryRun`): returns 1 for "All", 0
 * when absent, -1 after answering the API server's 422 for any other value. (sim_api_dryrun.c) */
int sim_api_dry_run(api_call *c, const json_t *opts);
/* Restores what a dry run must not consume (the uid and name streams) from a saved world. */
void sim_api_dry_restore(api_call *c, const sim_rng *rng, const sim_rng *uid_rng);
/* Checks an object's field types like the decoder: a request body (body true; also unknown fields
 * under fieldValidation=Strict) fails with 400 `K in version "v1" cannot be handled as a K: …`, the
 * result of a patch with 422 `"" is invalid: patch: Invalid value: "<patched JSON>": …`. Answers
 * and returns false when it fails. */
bool sim_api_decodes(api_call *c, const json_t *obj, bool body);

/* Parses the request body as JSON (new reference) or answers 400/415 and returns NULL. */
json_t *sim_api_body(api_call *c);

/* Parses the call's labelSelector and fieldSelector; answers 400 and returns false when bad. */
bool sim_api_selectors(api_call *c, simsel *labels, simsel *fields);
/* Returns true when the object matches both selectors. */
bool sim_api_matches(const simsel *labels, const simsel *fields, const json_t *o);

/* The verbs on resources (sim_api_verbs.c, sim_api_write.c). */
void sim_api_get(api_call *c);
void sim_api_list(api_call *c);
void sim_api_create(api_call *c);
void sim_api_update(api_call *c);
void sim_api_patch(api_call *c);
void sim_api_delete(api_call *c);
void sim_api_delete_collection(api_call *c);
/* The scale subresource: GET, PUT, PATCH. */
void sim_api_scale(api_call *c);
/* The status subresource: GET, PUT, PATCH. */
void sim_api_status_sub(api_call *c);

/* The exec subresource (GET or POST pods/x/exec with "Upgrade: websocket" and a channel.k8s.io
 * subprotocol): runs the command now and answers 101 with resp->exec; 400 without the upgrade
 * (sim_api_exec.c). */
void sim_api_exec(api_call *c);

/* The eviction subresource (POST pods/x/eviction): deletes the pod gracefully. */
void sim_api_evict(api_call *c);

/* Starts a watch for a list request with watch=true (sim_api_watch.c). */
void sim_api_watch(api_call *c);

/* Answers discovery, /version and OpenAPI paths; returns false when the path is not one of them. */
bool sim_api_discovery(api_call *c);

/* The OpenAPI documents, built, written and hashed once per process (sim_api_openapi.c): the
 * texts are borrowed and live as long as the process; NULL when out of memory. */
/* Returns the OpenAPI v3 document of an API group ("" = core) written as JSON, *len its length. */
const char *sim_api_openapi_text(const char *group, size_t *len);
/* Returns the stable hash of the group's OpenAPI v3 document (16 hex digits). */
const char *sim_api_openapi_hash(const char *group);
/* Returns the Swagger 2.0 document of every group (what /openapi/v2 serves) written as protobuf
 * when pb, else as JSON, *len its length. */
const char *sim_api_openapi_v2_text(bool pb, size_t *len);
/* Returns the document encoded as the gnostic openapi_v2.Document protobuf kubectl asks for
 * (caller frees; *len its length), or NULL. (sim_api_openapi_pb.c) */
char *sim_api_openapi_v2_pb(const json_t *doc, size_t *len);

/* The service proxy, pod logs and exec-by-HTTP (sim_api_proxy.c). */
void sim_api_proxy(api_call *c);
void sim_api_logs(api_call *c);

/* Applies the scenario's API faults; returns true when the request was answered by a fault. */
bool sim_api_fault(api_call *c);
/* After a write was handled: drops its answer (resp->drop) when a faults.lost_response rule
 * matches it (counting down its times); returns true then. */
bool sim_api_fault_lost(api_call *c);
/* Returns true (and consumes one) when the scenario injects a 409 on this patch. */
bool sim_api_fault_conflict(api_call *c);

/* Returns the object named by the call, or answers 404 and returns NULL. */
const json_t *sim_api_existing(api_call *c);
/* Answers 404 unless the call's namespace exists; returns true when it does. */
bool sim_api_namespace_exists(api_call *c);

#endif
