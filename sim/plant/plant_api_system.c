/* plant_api_system.c — the orchestrator's own endpoints: health, database, message bus, version,
 * configuration. */
#include <stdlib.h>
#include <string.h>

#include "plant_internal.h"
#include "sim_util.h"

/* Returns the effect bits of the bad images that the answering pods run. */
unsigned plant_answerer_effects(const plant_world *w, const plant_answerer *who) {
  unsigned bits = 0;
  for (size_t i = 0; i < who->pods.len; i++)
    for (size_t b = 0; b < w->s.nbad; b++)
      if (strcmp(who->pods.items[i].image, w->s.bad[b].image) == 0) bits |= PLANT_BIT(w->s.bad[b].effect);
  return bits;
}

/* Returns the version answered by the answerer's pod ("1.4.2"), or NULL when none. */
const char *plant_answer_version(const plant_answerer *who) {
  return who->pod ? plant_image_tag(who->pod->image) : NULL;
}

/* Returns the newest applied migration, or NULL. */
static const plant_migration *plant_latest_migration(const plant_world *w) {
  for (size_t i = w->s.nmigs; i-- > 0;)
    if (w->s.migs[i].applied) return &w->s.migs[i];
  return NULL;
}

/* Returns true when the database answers the answerer's pods; else sets *why (static text). */
bool plant_db_ok(const plant_world *w, const plant_answerer *who, const char **why) {
  if (plant_answerer_effects(w, who) & PLANT_BIT(PLANT_EFFECT_DATABASE))
    return *why = "database queries failing: connection pool exhausted", false;
  bool stale = !w->secret_ok;
  for (size_t i = 0; i < who->pods.len; i++) stale |= who->pods.items[i].created_s < w->secret_fixed_s;
  if (stale) return *why = "FATAL: password authentication failed for the application user", false;
  for (size_t i = 0; i < w->s.nmigs; i++)
    if (w->s.migs[i].applied && w->s.migs[i].bad)
      return *why = "schema check failed: an applied migration left the schema inconsistent", false;
  return true;
}

/* GET health: 200 while the answering pods are healthy, else 503. */
int plant_api_health(const plant_request *rq, json_t **resp) {
  bool ok = !(plant_answerer_effects(rq->w, rq->who) & PLANT_BIT(PLANT_EFFECT_UNHEALTHY));
  *resp = json_pack("{s:s s:s s:s s:s s:I}", "status", ok ? "healthy" : "unhealthy", "agent_id",
                    "GL-001", "version", plant_answer_version(rq->who), "pod", rq->who->pod->name,
                    "pods_ready", (json_int_t)rq->who->pods.len);
  return ok ? 200 : 503;
}

/* GET health/database: 200 when the database answers, else 503 with the error. */
int plant_api_health_database(const plant_request *rq, json_t **resp) {
  const char *why = NULL;
  bool ok = plant_db_ok(rq->w, rq->who, &why);
  const plant_migration *m = plant_latest_migration(rq->w);
  *resp = json_pack("{s:s s:s s:b s:I s:s?}", "status", ok ? "healthy" : "unhealthy", "database",
                    rq->w->s.db_name, "connected", ok, "active_connections",
                    (json_int_t)plant_db_connections(rq->w, rq->who->view), "latest_migration",
                    m ? m->version : NULL);
  if (!ok) json_object_set_new(*resp, "error", json_string(why));
  return ok ? 200 : 503;
}

/* GET message-bus/health: 200 unless the answering pods break the bus. */
int plant_api_message_bus(const plant_request *rq, json_t **resp) {
  bool ok = !(plant_answerer_effects(rq->w, rq->who) & PLANT_BIT(PLANT_EFFECT_MESSAGE_BUS));
  size_t connected = plant_agents_connected(rq->w), total = rq->w->s.nagents;
  *resp = json_pack("{s:s s:s s:I s:I s:I}", "status", ok ? "healthy" : "unhealthy", "broker",
                    "nats://gl-001-message-bus:4222", "connected_agents", (json_int_t)connected,
                    "total_agents", (json_int_t)total, "queue_depth",
                    (json_int_t)((total - connected) * 12));
  return ok ? 200 : 503;
}

/* GET version: {agent_id, version, revision, build_time} of the answering pod's image. */
int plant_api_version(const plant_request *rq, json_t **resp) {
  const char *version = plant_answer_version(rq->who);
  for (size_t i = 0; i < rq->w->s.nversions; i++) {
    const plant_version *v = &rq->w->s.versions[i];
    if (strcmp(v->version, version) != 0) continue;
    *resp = json_pack("{s:s s:s s:I s:s}", "agent_id", "GL-001", "version", version, "revision",
                      (json_int_t)v->revision, "build_time", v->build_time);
    return 200;
  }
  int64_t rev = plant_pod_rs_revision(rq->who->view, rq->w->s.ns, rq->who->pod);
  *resp = json_pack("{s:s s:s s:o s:n}", "agent_id", "GL-001", "version", version, "revision",
                    rev >= 0 ? json_integer(rev) : json_null(), "build_time");
  return 200;
}

/* Returns true when the loaded configuration equals what the ConfigMaps hold now. */
static bool config_in_sync(const plant_world *w, const plant_cluster_view *v) {
  const json_t *cfg = plant_configmap_data(v, w->s.ns, w->s.config_map);
  const json_t *pcfg = plant_configmap_data(v, w->s.ns, w->s.plant_config_map);
  json_t *empty = json_object();
  bool same = json_equal(w->config, cfg ? (json_t *)cfg : empty) &&
              json_equal(w->plant_configs, pcfg ? (json_t *)pcfg : empty);
  json_decref(empty);
  return same;
}

/* GET config/current: the configuration the orchestrator has loaded. */
int plant_api_config_current(const plant_request *rq, json_t **resp) {
  char ts[32];
  sim_util_time_rfc3339(rq->w->config_loaded_ms, ts);
  *resp = json_pack("{s:O s:O s:s s:b}", "config", rq->w->config, "plant_configs",
                    rq->w->plant_entries, "loaded_at", ts, "in_sync",
                    config_in_sync(rq->w, rq->who->view));
  return 200;
}

/* Returns true when plants is NULL or an array of known plant ids. */
static bool valid_plants(const plant_world *w, const json_t *plants) {
  if (!plants) return true;
  if (!json_is_array(plants)) return false;
  size_t i;
  json_t *id;
  json_array_foreach(plants, i, id) {
    if (plant_index(&w->s, json_string_value(id)) < 0) return false;
  }
  return true;
}

/* POST config/reload: reloads everything, or only the plants of {"plants": [...]}. */
int plant_api_config_reload(const plant_request *rq, json_t **resp) {
  const json_t *plants = json_object_get(rq->body, "plants");
  if ((rq->body && !json_is_object(rq->body)) || !valid_plants(rq->w, plants)) {
    *resp = plant_error("body must be {\"plants\": [plant ids]} (known ids) or empty");
    return 400;
  }
  json_t *keys = plant_reload_config(rq->w, rq->who->view, plants);
  plant_observe(rq->w, rq->who->view);
  plant_model_advance(rq->w, rq->w->now_ms);
  *resp = json_pack("{s:s s:o s:o}", "status", "reloaded", "reloaded", keys, "plants",
                    plants ? json_deep_copy(plants) : json_string("all"));
  return 200;
}
