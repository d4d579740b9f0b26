/* plant.h — the simulator's GL-001 plant and orchestrator model (five plants, 99 sub-agents, the
 * orchestrator's /api/v1 HTTP API, the database and the commands the seed runs in pods).
 *
 * The model follows the cluster: on every call it reads the cluster through a plant_cluster_view
 * (which images the *ready* pods of each deployment run, the Service's selector, ConfigMaps,
 * Secrets) and advances its own state (heat loss and restoration, agents reconnecting, plant
 * integration, the migration state) in virtual time. It is deterministic: the same plant section,
 * seed and sequence of calls with the same now_ms give the same answers.
 *
 * Time: now_ms is the cluster's clock in milliseconds since the Unix epoch (the same clock that
 * stamps metadata.creationTimestamp). It must never go backwards between calls. Times in the plant
 * section that are relative ("age_s") count back from the first now_ms the model sees.
 *
 * Ownership: plant_new returns a world that the caller releases with plant_free. The view and
 * everything it returns from get() are borrowed; list() returns a new reference that the model
 * releases. Output parameters (*resp_body, *out, *err_out, *err) become the caller's: json_decref
 * or free them. The model never keeps a pointer into the view's objects after a call returns.
 * The format of the plant section is documented in docs/plant.md.
 */
#ifndef RBK_SIM_PLANT_H
#define RBK_SIM_PLANT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

typedef struct plant_world plant_world;

/* The model's window on the cluster; the cluster model implements it over its store. */
typedef struct {
  void *ctx;
  /* Returns the object (borrowed, valid until the next call into the cluster) or NULL.
   * resource is the plural lower-case resource name: "pods", "services", "configmaps",
   * "secrets", "deployments", "replicasets". */
  const json_t *(*get)(void *ctx, const char *resource, const char *ns, const char *name);
  /* Returns a new reference to a JSON array of the matching objects (never NULL; empty when
   * none). label_selector is Kubernetes syntax ("app=x,tier=y"); NULL or "" selects all. */
  json_t *(*list)(void *ctx, const char *resource, const char *ns, const char *label_selector);
} plant_cluster_view;

/* Returns a new world built from the scenario's "plant" section (NULL = the defaults: the seed's
 * bad-release world) and the scenario's seed; NULL with *err set (caller frees) when the section is
 * malformed (unknown key, wrong type, unknown plant or effect name). */
plant_world *plant_new(const json_t *plant_section, uint64_t seed, char **err)
    __attribute__((warn_unused_result));

/* Releases the world and everything it owns; NULL is ignored. */
void plant_free(plant_world *w);

struct sim_jcopy;
/* Returns a new world that is an exact copy of w (borrowed): its settings and state, nothing mutable
 * shared with w; its JSON is copied with m (sim_jcopy.h), which keeps the sharing between the model's
 * values and the cluster's (loaded config entries are the ConfigMap's own strings) when the
 * cluster is copied with the same map. NULL with *err set (caller frees) when out of memory. The
 * caller releases it with plant_free. */
plant_world *plant_clone(const plant_world *w, struct sim_jcopy *m, char **err)
    __attribute__((warn_unused_result));

/* Advances the model to now_ms, reading the cluster through view. Cheap (a few list() calls) and
 * deterministic; call it whenever the cluster changed or time advanced. plant_http and plant_exec
 * call it themselves first. */
void plant_tick(plant_world *w, const plant_cluster_view *view, int64_t now_ms);

/* Returns the earliest time after now_ms at which an answer will change by itself (heat restored,
 * an agent reconnecting, an integration step), or INT64_MAX when nothing is pending. The answer
 * assumes the cluster does not change meanwhile. */
int64_t plant_next_change(plant_world *w, int64_t now_ms);

/* Answers one HTTP request to the orchestrator that arrived through the API server's service proxy
 * of `service` (e.g. "gl-001-process-heat-orchestrator", "...-blue", "...-green"; the Service's
 * selector picks the pods that answer). path_and_query is the path after ".../proxy", e.g.
 * "/api/v1/plants/heat-status?x=1". body may be NULL. Returns the HTTP status and sets *resp_body to
 * a new JSON value (always set: an object with "error" for 4xx/5xx). Unknown path: 404; wrong
 * method: 405; malformed body: 400; no ready pod behind the service: 503. */
int plant_http(plant_world *w, const plant_cluster_view *view, int64_t now_ms, const char *service,
               const char *method, const char *path_and_query, const char *body, size_t body_len,
               json_t **resp_body);
/* plant_http for a request that may carry an Idempotency-Key header (key, or NULL): the
 * orchestrator remembers the answer (below 500) of each write sent with a key, at most
 * PLANT_IDEM_MAX keys (the oldest forgotten first); the same key again with the same method and
 * path is answered as the first time and not applied again; with another request, 422. */
int plant_http_keyed(plant_world *w, const plant_cluster_view *view, int64_t now_ms, const char *service,
                     const char *method, const char *path_and_query, const char *body, size_t body_len,
                     const char *key, json_t **resp_body);
#define PLANT_IDEM_MAX 256

/* Runs argv (NULL-terminated; no shell: argv[0] is the program) in pod `pod` of namespace `ns`:
 * psql / pg_dump on the database pod, python manage.py showmigrations|migrate and curl against
 * http://localhost:8000/api/v1/... in GL-001 app pods. Returns the exit status (127 and "command
 * not found" on stderr for anything else) and sets *out and *err_out to new NUL-terminated strings
 * (possibly empty; caller frees). */
int plant_exec(plant_world *w, const plant_cluster_view *view, int64_t now_ms, const char *ns,
               const char *pod, const char *const *argv, char **out, char **err_out);

/* Records a notification sent to a webhook (Slack or generic) at the model's current time; body is
 * kept as JSON when it parses, else as a string. Returns 0, or -1 when out of memory. */
int plant_record_webhook(plant_world *w, const char *url, const char *body);

/* Returns a new reference to the array of recorded webhooks, oldest first:
 * [{"time_ms": int, "time": "RFC 3339", "url": "...", "body": <json or string>}]. */
json_t *plant_webhooks(plant_world *w);

#endif
