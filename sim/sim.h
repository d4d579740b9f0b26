/* sim.h — the simulated Kubernetes cluster: one model, two front doors.
 *
 * The model (a sim_world) holds a small cluster — namespaces, Deployments, ReplicaSets, Pods,
 * Services, ConfigMaps, Secrets, Jobs, Events, Leases — as JSON documents (jansson), runs the
 * controllers in virtual time, and answers Kubernetes API requests. Both front doors drive it the
 * same way: the in-process transport (rbk test, rehearsals) and `rbk sim` (libmicrohttpd) each call
 * sim_advance() to move time forward and sim_handle() for every request.
 *
 * Threads: a sim_world is not thread-safe. Callers serialise every call on one world (one lock or
 * one thread); different worlds are independent.
 *
 * Determinism: for the same scenario, seed and sequence of calls (requests and sim_advance times),
 * every answer is byte-identical.
 *
 * Ownership: functions returning `char *` or `json_t *` give the caller a new string/reference unless
 * the comment says "borrowed". Request fields are borrowed for the duration of the call. A
 * sim_response owns its headers and body: release them with sim_response_clear().
 */
#ifndef RBK_SIM_H
#define RBK_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "plant.h"

typedef struct sim_world sim_world;
typedef struct sim_watch sim_watch;

/* One HTTP header (name compared case-insensitively). */
typedef struct {
  const char *name;
  const char *value;
} sim_header;

/* One request as the API server sees it. All fields are borrowed. */
typedef struct {
  const char *method;         /* "GET", "POST", "PUT", "PATCH", "DELETE" */
  const char *path;           /* "/apis/apps/v1/namespaces/greenlang/deployments/x": no query */
  const char *query;          /* raw, percent-encoded, without '?'; NULL or "" when none */
  const sim_header *headers;  /* Content-Type, Accept, Authorization, … */
  size_t n_headers;
  const char *body;           /* may be NULL when body_len is 0; need not be NUL-terminated */
  size_t body_len;
} sim_request;

/* Owned response header. */
typedef struct {
  char *name;
  char *value;
} sim_resp_header;

/* What a pods/exec request upgraded to a WebSocket carries back: the command's output on the
 * channels it asked for and the Status of channel 3 (owned by the response). */
typedef struct {
  char *out, *err;           /* channel 1 and 2 bytes (NUL-terminated, never NULL) */
  bool want_out, want_err;   /* the request asked for stdout / stderr */
  char *status;              /* channel 3: the JSON Status ("Success", or "Failure" with reason
                                NonZeroExitCode and the exit code as the cause ExitCode) */
  int exit_code;             /* the command's exit status (what the Status says) */
  const char *protocol;      /* the subprotocol chosen ("v5.channel.k8s.io", static) */
} sim_exec_answer;

/* One answer. Everything here is owned by the response; sim_response_clear() frees it. */
typedef struct {
  int status;                /* HTTP status code */
  sim_resp_header *headers;  /* at least Content-Type when there is a body */
  size_t n_headers, headers_cap;
  char *body;                /* NUL-terminated; body_len excludes the NUL */
  size_t body_len;
  json_t *json;              /* a JSON body of stored (immutable) objects not written out yet:
                                sim_handle_deferred() leaves it for sim_response_render() to write
                                into body outside the world's lock (NULL otherwise) */
  sim_watch *watch;          /* set for a watch request: stream it with sim_watch_poll(), then
                                free it with sim_watch_free() (sim_response_clear() does not) */
  int64_t delay_ms;          /* injected latency: deliver the answer this many virtual ms later */
  bool drop;                 /* injected fault: close the connection without answering (drop_rate:
                                the request was not processed; lost_response: it was) */
  sim_exec_answer *exec;     /* status 101: a pods/exec request with a WebSocket upgrade, already
                                run; the front door streams it on the channels (sim_http_ws.c) */
} sim_response;

/* Watch stream states returned by sim_watch_poll(). */
typedef enum {
  SIM_WATCH_OPEN,   /* more events may come: poll again after time advances */
  SIM_WATCH_CLOSED  /* the stream has ended (timeoutSeconds reached, or an ERROR event was sent) */
} sim_watch_state;

/* Returns the scenario document for a built-in scenario name ("bad-release", …) or a path to a JSON
 * file (anything containing '/' or ending in ".json"); NULL with *err set (caller frees) when
 * unknown or malformed. */
json_t *sim_load_scenario(const char *name_or_path, char **err);

/* Returns the names of the built-in scenarios as a NULL-terminated array (static; do not free). */
const char *const *sim_builtin_scenarios(void);

/* Returns a new world built from the scenario (borrowed; copied as needed), with the seeded PRNG;
 * NULL with *err set (caller frees) when the scenario is invalid. Virtual time starts at 0 ms, which
 * is the scenario's "start_time" on the wall clock. */
sim_world *sim_new(const json_t *scenario, uint64_t seed, char **err);

/* Frees the world (NULL is fine). Watches must be freed separately, before or after. */
void sim_free(sim_world *w);

/* Returns a new world that is an exact copy of w (borrowed; not changed): the same state — store,
 * watch history, indexes, the controllers' memos and timers, PRNGs, clocks, settings, tokens, plant
 * model — so the same calls get the same answers from the copy as from w, and nothing mutable is
 * shared, so each changes independently of the other (the stored objects, which are never changed
 * in place, and JSON scalars are shared, each holder with its own reference: docs/simulator.md). The copy writes to the same request log
 * (borrowed) as w. NULL with *err set (caller frees) when out of memory. The caller frees it with
 * sim_free. Watches are not part of a world and are not copied. */
sim_world *sim_clone(const sim_world *w, char **err);

/* Accepts only requests carrying "Authorization: Bearer TOKEN" for one of the added tokens (or
 * answered with sim_handle_deferred() for a user); with no token added (the default), every
 * caller is accepted. Returns false when out of memory. */
bool sim_add_token(sim_world *w, const char *token);

/* Accepts "Authorization: Bearer TOKEN" as ServiceAccount `sa` ("ns/name"): its requests are
 * authorised by the Roles, ClusterRoles and bindings the simulator stores, as the API server's RBAC
 * authoriser does, and refused with 403 Forbidden otherwise (docs/simulator.md, "RBAC"). Other
 * tokens keep full access. Returns false when out of memory or sa is not "ns/name". */
bool sim_add_token_sa(sim_world *w, const char *token, const char *sa);

/* Writes every request sim_handle()/sim_handle_deferred() answers from now on to log (borrowed; NULL
 * stops), one line each, flushed: "METHOD PATH[?QUERY] BODY" where BODY is the lowercase hex
 * SHA-256 of the request body with every RFC 3339 UTC timestamp in it replaced by "TIME" (a
 * restartedAt annotation names the clock, virtual or real), or "-" when there is none. Both front doors go through here, so
 * an in-process rehearsal and `rbk sim --request-log` write the same lines for the same requests. */
void sim_set_request_log(sim_world *w, FILE *log);

/* Runs every controller up to virtual time now_ms (ms since the start; never goes backwards). */
void sim_advance(sim_world *w, int64_t now_ms);

/* Returns the current virtual time in ms. */
int64_t sim_now(const sim_world *w);

/* Returns the virtual time at which something will next change by itself (a pod becoming ready, a
 * progress deadline, a job finishing, …), or INT64_MAX when nothing is pending. */
int64_t sim_next_change(sim_world *w);

/* Answers one request at the current virtual time. Always fills *resp (call sim_response_clear()
 * afterwards); faults from the scenario may set resp->delay_ms or resp->drop. */
void sim_handle(sim_world *w, const sim_request *req, sim_response *resp);

/* Like sim_handle(), for a caller that the front door may have authenticated itself (user
 * non-NULL: a verified client certificate, so no bearer token is needed), but an answer made of
 * stored objects (a GET, a LIST, a write's result) may be left in resp->json for
 * sim_response_render(), which needs no lock: stored objects are never changed in place and
 * jansson's reference counts and encoder are thread-safe. */
void sim_handle_deferred(sim_world *w, const sim_request *req, const char *user, sim_response *resp);

/* Writes resp->json (if any) into resp->body and releases it. */
void sim_response_render(sim_response *resp);

/* From now on, the objects the watch history evicts are kept for sim_take_garbage() rather than
 * released at once (rbk sim: released outside the world's lock). */
void sim_defer_release(sim_world *w);

/* Returns the references evicted since the last call (a new array, NULL when none; *n their
 * count); the caller json_decref()s each and frees the array — no lock needed. */
json_t **sim_take_garbage(sim_world *w, size_t *n);

/* Frees what a response owns and zeroes it (the watch, if any, is left to the caller). */
void sim_response_clear(sim_response *resp);

/* Returns the value of the response header `name` (borrowed), or NULL. */
const char *sim_response_header(const sim_response *resp, const char *name);

/* Collects the watch's new lines (each a JSON event followed by '\n') at the world's current time
 * into *out (caller frees; NULL when there is nothing new, with *out_len 0). */
sim_watch_state sim_watch_poll(sim_world *w, sim_watch *wt, char **out, size_t *out_len);

/* Returns the virtual time at which the watch will next have something to say by itself (its
 * timeout or its next bookmark); INT64_MAX when never. */
int64_t sim_watch_next(const sim_watch *wt);

/* Frees a watch (NULL is fine). */
void sim_watch_free(sim_watch *wt);

/* Runs argv in a pod's container (container may be NULL for the first one), as `kubectl exec` does.
 * Returns the command's exit status (127 when the image does not have the command) with its output
 * in *out and *err_out (caller frees both; never NULL on return), or -1 when the pod does not exist
 * or is not running (the message is in *err_out). */
int sim_exec(sim_world *w, const char *ns, const char *pod, const char *container,
             const char *const *argv, char **out, char **err_out);

/* Returns the name of the pod that `kubectl exec TYPE/NAME` would pick for a reference such as
 * "deployment/x", "pod/x", "job/x" or "service/x" (caller frees), or NULL with *err set when there is
 * none. */
char *sim_ref_to_pod(sim_world *w, const char *ns, const char *ref, char **err);

/* Returns the object (borrowed; valid until the next call on the world) or NULL. `resource` is the
 * plural name ("deployments"); ns is NULL for cluster-scoped resources. For tests and the plant. */
const json_t *sim_get(sim_world *w, const char *resource, const char *ns, const char *name);

/* Returns the scenario's "process_stubs" (borrowed; lives as long as the world): the list of
 * {"argv": [glob…], "status", "stdout", "stderr"} that answers run() in a rehearsal (docs/rehearsal.md),
 * or NULL when the scenario has none. */
const json_t *sim_process_stubs(const sim_world *w);

/* Returns the world's resourceVersion counter (the latest write). */
uint64_t sim_resource_version(const sim_world *w);

/* Returns the world's plant model (borrowed; it lives as long as the world), or NULL when the
 * world has none. Rehearsals record notifications in it (plant_record_webhook) and read the
 * plants' state for their report (plant_http with sim_plant_view). */
plant_world *sim_plant(sim_world *w);

/* Returns the world's window on its cluster, as the plant model reads it (borrowed; it lives as
 * long as the world). Reads through it bypass the API's faults; for reports and tests. */
const plant_cluster_view *sim_plant_view(sim_world *w);

#endif
