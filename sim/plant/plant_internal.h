/* plant_internal.h — the plant model's private types, shared by sim/plant_*.c only.
 *
 * Ownership: a plant_settings owns every string and json_t it points to (plant_settings_free).
 * A plant_world owns its settings and its state. plant_pods own the strings they hold.
 */
#ifndef RBK_SIM_PLANT_INTERNAL_H
#define RBK_SIM_PLANT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "plant.h"

#define PLANT_COUNT 5

/* Every effect a bad image or a fault can have, once: X(ENUM, "name in the plant section", doc). */
#define PLANT_EFFECTS(X)                                                                          \
  X(HEAT_LOSS, "heat_loss", "the plants lose heat; their agents disconnect")                    \
  X(DEGRADED, "degraded", "the plants run below demand (heat_status degraded)")                 \
  X(OPTIMIZATION, "optimization", "heat-distribution optimization fails")                       \
  X(DISCONNECT, "disconnect", "the plants' agents disconnect")                                  \
  X(UNHEALTHY, "unhealthy", "/api/v1/health answers 503")                                       \
  X(DATABASE, "database", "/api/v1/health/database answers 503")                                \
  X(MESSAGE_BUS, "message_bus", "/api/v1/message-bus/health answers 503")

typedef enum {
#define X(e, name, doc) PLANT_EFFECT_##e,
  PLANT_EFFECTS(X)
#undef X
  PLANT_EFFECT_COUNT
} plant_effect;

#define PLANT_BIT(e) (1u << (e))

/* Returns the effect named `name`, or -1 when there is none. */
int plant_effect_by_name(const char *name);

/* An image that, while any ready pod runs it, has an effect on some plants. */
typedef struct {
  char *image;        /* "gcr.io/greenlang/gl-001:1.5.0" */
  plant_effect effect;
  unsigned plants;    /* bit i = plant i; all plants when the section names none */
} plant_bad_image;

/* Build facts of one orchestrator version (what /api/v1/version answers). */
typedef struct {
  char *version;      /* "1.4.2" */
  int64_t revision;   /* the application's own revision number (12) */
  char *build_time;   /* RFC 3339 */
} plant_version;

/* A release that deployed several agents together. */
typedef struct {
  char *id;           /* "release-2025-11-17-1430" */
  json_t *agents;     /* array of "gl-001", "gl-002", … */
  int64_t time_s;     /* absolute epoch seconds, or … */
  int64_t age_s;      /* … seconds before the start when relative */
  bool relative;
} plant_group;

/* One plant's fixed facts. */
typedef struct {
  char *id;           /* "Plant-001" */
  char *name;
  double heat_demand_mw, backup_capacity_mw, critical_load_mw, efficiency;
  bool backup_available;
  char *backup_type;
} plant_spec;

/* One sub-agent. */
typedef struct {
  char id[8];         /* "GL-002" */
  char *deployment;   /* its Deployment in the cluster, or NULL */
  int plant;          /* index of the plant it serves */
} plant_agent_spec;

/* A ConfigMap entry whose loaded value, while any field equals a bad value, has an effect. */
typedef struct {
  int plant;          /* the plant affected */
  char *key;          /* data key, "plant-003.yaml" (YAML or JSON text) */
  json_t *bad;        /* object: field -> bad value */
  plant_effect effect;
} plant_entry_fault;

/* A database migration (known to the app image). */
typedef struct {
  char *version;      /* "20251117143000" */
  char *name;         /* "multi_plant_optimization" */
  bool applied;
  bool bad;           /* breaks health/database while applied */
  int64_t age_s;      /* applied this long before the start (section) */
  int64_t applied_s;  /* epoch seconds (state: set at the start, moved by migrate) */
} plant_migration;

/* The plant section, with defaults filled in. */
typedef struct {
  char *ns, *service, *image_repo, *app_pod_prefix, *db_pod_prefix;
  int64_t heat_restore_ms, reconnect_after_ms, reconnect_window_ms, integrate_step_ms;
  int64_t expected_replicas, connections_per_pod;
  plant_spec plants[PLANT_COUNT];
  plant_agent_spec *agents;
  size_t nagents;
  char *agent_version;          /* version of agents without a Deployment */
  int64_t agent_age_s;          /* their deployment age */
  plant_bad_image *bad;
  size_t nbad;
  plant_version *versions;
  size_t nversions, versions_cap;
  plant_group *groups;
  size_t ngroups;
  char *config_map;             /* "gl-001-config" */
  json_t *config_good;          /* its good data, or NULL: then no config fault … */
  char *config_annotation;      /* … unless this annotation of it holds the good data (JSON) */
  plant_effect config_effect;
  char *plant_config_map;       /* "gl-001-plant-configs" */
  plant_entry_fault *entry_faults;
  size_t nentry_faults;
  char *db_name, *db_user, *db_secret, *db_password_key;
  char *db_password;            /* expected password, or NULL: no credential check */
  char *mig_app;                /* Django app label of the migrations ("heat") */
  plant_migration *migs;        /* oldest first */
  size_t nmigs;
} plant_settings;

/* Fills s with the seed's world (the bad-release defaults); returns 0, or -1 when out of memory. */
int plant_settings_defaults(plant_settings *s);

/* Replaces s's agents with count agents GL-002…, spread over the plants, the seed's named ones
 * bound to their Deployments; returns 0, or -1 when out of memory. */
int plant_defaults_agents(plant_settings *s, size_t count);

/* Parses section (NULL = defaults) into s; returns 0, or -1 with *err set (caller frees). */
int plant_settings_load(plant_settings *s, const json_t *section, char **err);

/* Releases what s owns. */
void plant_settings_free(plant_settings *s);

/* Returns the index of the plant called id ("Plant-003"), or -1. */
int plant_index(const plant_settings *s, const char *id);

/* A pod as the model sees it. */
typedef struct {
  char *name, *image;
  bool ready, running;
  int64_t created_s;
  int64_t ready_ms;   /* when its Ready condition last changed (else its creation), epoch ms */
  char *owner;        /* ReplicaSet name or NULL */
} plant_pod;

typedef struct {
  plant_pod *items;
  size_t len;
} plant_pods;

/* Integration states of a plant, once. */
#define PLANT_INTEGRATION_STATES(X)                                                               \
  X(INTEGRATED, "integrated") X(ISOLATED, "isolated") X(INTEGRATING, "integrating")             \
  X(VERIFY_FAILED, "verification_failed")

typedef enum {
#define X(e, name) PLANT_INT_##e,
  PLANT_INTEGRATION_STATES(X)
#undef X
} plant_integration;

/* Returns the name of integration state st (static). */
const char *plant_integration_name(plant_integration st);

/* A cause that comes and goes; its effect ends some time after it clears. */
typedef struct {
  bool active, ever;
  int64_t seen_ms;    /* when it was last seen active */
  int64_t cleared_ms; /* when it cleared (valid when ever && !active) */
} plant_cause;

/* One plant's changing state. */
typedef struct {
  unsigned effects;   /* active effect bits */
  plant_cause heat;   /* heat-loss cause */
  plant_integration integration;
  char *isolate_reason;
  bool maintain_heat, local_control, gradual, verify_before_full;
  int64_t isolated_ms, integrate_ms, integrated_ms;
} plant_state;

/* One agent's changing state. */
typedef struct {
  plant_cause down;   /* disconnect cause */
  int64_t delay_ms;   /* reconnect delay after the cause clears (by seed) */
  char *version;      /* running version (deployment agents: from ready pods) */
  int64_t changed_s;  /* when its version last changed, or -1 */
  bool in_cluster;    /* its Deployment has had pods */
  bool has_ready;
} plant_agent_state;

struct plant_world {
  plant_settings s;
  uint64_t seed;
  bool started;
  int64_t start_ms, now_ms;
  plant_state plants[PLANT_COUNT];
  plant_agent_state *agents;
  int64_t change_ms;        /* the latest Ready transition of the pods that matter: when a cause
                               cleared between two ticks, it cleared then (or at the later tick) */
  json_t *seen_pods;        /* object: names of the master pods ready at the last tick */
  json_t *config;           /* loaded gl-001-config data (object) */
  json_t *plant_configs;    /* loaded gl-001-plant-configs data (object) */
  json_t *plant_entries;    /* the same, each entry parsed (object of objects) */
  json_t *config_good;      /* good gl-001-config data read from its annotation, or NULL */
  int64_t config_loaded_ms;
  bool secret_ok;           /* the Secret's password is the expected one */
  int64_t secret_fixed_s;   /* pods created before this hold the old password */
  int64_t secret_bad_seen_ms;
  json_t *webhooks;         /* array */
  json_t *idem;             /* Idempotency-Key → {request: "METHOD path", status, body} (plant_http.c) */
};

/* --- plant_cluster.c: reading the cluster --- */

/* Fills pods with the pods in the array `all` that match selector (object label -> value; NULL =
 * all), sorted by name; returns 0, or -1 when out of memory. */
int plant_pods_filter(const json_t *all, const json_t *selector, plant_pods *pods);

/* Fills pods with the pods of ns that match selector (object label -> value; NULL = all);
 * returns 0, or -1 when out of memory. */
int plant_pods_list(const plant_cluster_view *v, const char *ns, const json_t *selector,
                    plant_pods *pods);

/* Drops (and frees) the pods that are not ready, keeping the order of the others. */
void plant_pods_keep_ready(plant_pods *pods);

/* Releases the pods' strings. */
void plant_pods_free(plant_pods *pods);

/* Fills *pod from a pod object; returns 0, or -1 when out of memory. */
int plant_pod_from_json(const json_t *obj, plant_pod *pod);

/* Returns a new reference to the selector of Service `name` ({"app": name} when there is none). */
json_t *plant_service_selector(const plant_cluster_view *v, const char *ns, const char *name);

/* Returns the ConfigMap's data object (borrowed from the view), or NULL. */
const json_t *plant_configmap_data(const plant_cluster_view *v, const char *ns, const char *name);

/* Returns the revision annotation of the pod's ReplicaSet, or -1. */
int64_t plant_pod_rs_revision(const plant_cluster_view *v, const char *ns, const plant_pod *pod);

/* Returns the tag of image ("1.4.2" for "repo/x:1.4.2"; the whole image when untagged). */
const char *plant_image_tag(const char *image);

/* --- plant_util.c (times and strings: sim_util.h) --- */

/* Returns a deterministic 64-bit hash of (seed, a, b). */
uint64_t plant_hash(uint64_t seed, uint64_t a, uint64_t b);

/* Returns base64 of the n bytes at p (new string), or NULL when out of memory. */
char *plant_base64(const char *p, size_t n);

/* Returns a new JSON object {"error": message} (printf-style, at most 511 bytes). */
json_t *plant_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Returns round(x, 1 decimal). */
double plant_round1(double x);

/* --- plant_world.c / plant_model.c: the state --- */

/* Returns the epoch seconds of the model's current time. */
int64_t plant_now_s(const plant_world *w);

/* Returns true when plant p has lost heat now (cause active, or restoration pending). */
bool plant_heat_lost(const plant_world *w, int p);

/* Returns "normal", "degraded" or "critical" for plant p now. */
const char *plant_heat_status(const plant_world *w, int p);

/* Returns the plant's current efficiency in percent (one decimal). */
double plant_efficiency(const plant_world *w, int p);

/* Returns true when agent i is connected now. */
bool plant_agent_connected(const plant_world *w, size_t i);

/* Returns the number of connected agents. */
size_t plant_agents_connected(const plant_world *w);

/* Returns the optimization status: "optimal", "converged", "degraded" or "failed". */
const char *plant_optimization_status(const plant_world *w);

/* Appends plant p's active alarms to arr. */
void plant_alarms_append(const plant_world *w, int p, json_t *arr);

/* Returns a new array of the active alarms (every plant's, then the system's). */
json_t *plant_alarms(const plant_world *w);

/* Returns the loaded heat demand of plant p (from its loaded config entry, else its spec). */
double plant_heat_demand(const plant_world *w, int p);

/* Returns the integration progress of plant p in percent. */
int plant_integration_progress(const plant_world *w, int p);

/* Loads the configuration at the start and reads the good config data from its annotation. */
void plant_observe_start(plant_world *w, const plant_cluster_view *v);

/* Reads the cluster into w's effects for now (plant_observe.c). */
void plant_observe(plant_world *w, const plant_cluster_view *v);

/* Advances the causes and the integrations from the effects computed for now (plant_model.c). */
void plant_model_advance(plant_world *w, int64_t now_ms);

/* Returns the next time after now_ms at which the model changes by itself, or INT64_MAX. */
int64_t plant_model_next_change(const plant_world *w, int64_t now_ms);

/* Reloads the loaded configs from the cluster: all entries, or only the plants in `plants` (array
 * of plant ids; NULL = all). Returns a new array of the reloaded ConfigMap keys. */
json_t *plant_reload_config(plant_world *w, const plant_cluster_view *v, const json_t *plants);

/* Returns plant p's loaded plant-config entry, parsed (borrowed), or NULL. */
const json_t *plant_entry(const plant_world *w, int p);

/* --- answering: who answers, and the endpoint handlers (plant_api_*.c) --- */

/* The pods that answer a request and what they run. */
typedef struct {
  plant_pods pods;            /* the ready pods that answer (sorted by name) */
  const plant_pod *pod;       /* the one that answers (first), or NULL */
  const plant_cluster_view *view;
} plant_answerer;

/* A request to the orchestrator API. */
typedef struct {
  plant_world *w;
  plant_answerer *who;
  const char *method;
  const char *path;           /* after "/api/v1/", no query */
  const char *arg;            /* the {id} of plants/{id}/…, or NULL */
  const json_t *body;         /* parsed body, or NULL when empty */
} plant_request;

/* An endpoint handler: returns the HTTP status and sets *resp (new reference). */
typedef int (*plant_handler)(const plant_request *rq, json_t **resp);

/* Answers method+path for the answerer; returns the status, sets *resp (plant_http.c). */
int plant_answer(plant_world *w, plant_answerer *who, const char *method, const char *path_and_query,
                 const char *body, size_t body_len, json_t **resp);

/* Returns true when the database answers the answerer's pods (credentials and migrations); else
 * sets *why to a static message. */
bool plant_db_ok(const plant_world *w, const plant_answerer *who, const char **why);

/* Returns the database's active connections now (running GL-001 app pods × per pod). */
int64_t plant_db_connections(const plant_world *w, const plant_cluster_view *v);

/* Endpoint handlers. */
int plant_api_health(const plant_request *rq, json_t **resp);
int plant_api_health_database(const plant_request *rq, json_t **resp);
int plant_api_message_bus(const plant_request *rq, json_t **resp);
int plant_api_version(const plant_request *rq, json_t **resp);
int plant_api_config_current(const plant_request *rq, json_t **resp);
int plant_api_config_reload(const plant_request *rq, json_t **resp);
int plant_api_heat_status(const plant_request *rq, json_t **resp);
int plant_api_critical_heat(const plant_request *rq, json_t **resp);
int plant_api_backup_heat(const plant_request *rq, json_t **resp);
int plant_api_plant_status(const plant_request *rq, json_t **resp);
int plant_api_isolate(const plant_request *rq, json_t **resp);
int plant_api_integrate(const plant_request *rq, json_t **resp);
int plant_api_integration_status(const plant_request *rq, json_t **resp);
int plant_api_agents_status(const plant_request *rq, json_t **resp);
int plant_api_agents_versions(const plant_request *rq, json_t **resp);
int plant_api_deployment_groups(const plant_request *rq, json_t **resp);
int plant_api_optimization(const plant_request *rq, json_t **resp);
int plant_api_alarms(const plant_request *rq, json_t **resp);
int plant_api_rollback_verification(const plant_request *rq, json_t **resp);
int plant_api_post_rollback(const plant_request *rq, json_t **resp);

/* Returns the effect bits of the bad images that the answering pods run. */
unsigned plant_answerer_effects(const plant_world *w, const plant_answerer *who);

/* Returns the version answered by the answerer's pod ("1.4.2"), or NULL when none. */
const char *plant_answer_version(const plant_answerer *who);

/* Returns the mean efficiency of the plants (one decimal). */
double plant_mean_efficiency(const plant_world *w);

/* Returns the number of alarms of severity "critical" in arr. */
size_t plant_critical_alarms(const json_t *arr);

/* --- plant_db.c / plant_exec.c --- */

/* Runs psql/pg_dump argv on the database pod; returns the exit status. */
int plant_db_exec(plant_world *w, const plant_cluster_view *v, const char *const *argv, char **out,
                  char **err);

/* Runs python manage.py argv in an app pod; returns the exit status. */
int plant_manage_exec(plant_world *w, const char *const *argv, char **out, char **err);

#endif
