/* plant_world.c — the plant model's life cycle: creation, ticks, the webhook recorder. */
#include <stdlib.h>
#include <string.h>

#include "plant_internal.h"
#include "sim_util.h"

/* Returns a new world, or NULL with *err set (caller frees). */
plant_world *plant_new(const json_t *plant_section, uint64_t seed, char **err) {
  plant_world *w = calloc(1, sizeof *w);
  if (!w) return *err = strdup("out of memory"), NULL;
  w->seed = seed;
  if (plant_settings_load(&w->s, plant_section, err)) {
    plant_free(w);
    return NULL;
  }
  w->agents = calloc(w->s.nagents, sizeof *w->agents);
  w->seen_pods = json_object();
  w->plant_configs = json_object();
  w->webhooks = json_array();
  if (!w->agents || !w->seen_pods || !w->plant_configs || !w->webhooks) {
    plant_free(w);
    return *err = strdup("out of memory"), NULL;
  }
  for (size_t i = 0; i < w->s.nagents; i++) {
    int64_t window = w->s.reconnect_window_ms > 0 ? w->s.reconnect_window_ms : 1;
    w->agents[i].delay_ms = w->s.reconnect_after_ms + (int64_t)(plant_hash(seed, i, 1) %
                                                                 (uint64_t)window);
    w->agents[i].changed_s = -1;
    if (!w->s.agents[i].deployment) w->agents[i].version = strdup(w->s.agent_version);
  }
  for (int p = 0; p < PLANT_COUNT; p++) w->plants[p].integration = PLANT_INT_INTEGRATED;
  return w;
}

/* Releases the world and everything it owns. */
void plant_free(plant_world *w) {
  if (!w) return;
  for (size_t i = 0; w->agents && i < w->s.nagents; i++) free(w->agents[i].version);
  for (int p = 0; p < PLANT_COUNT; p++) free(w->plants[p].isolate_reason);
  free(w->agents);
  json_decref(w->seen_pods);
  json_decref(w->config);
  json_decref(w->plant_configs);
  json_decref(w->plant_entries);
  json_decref(w->config_good);
  json_decref(w->webhooks);
  json_decref(w->idem);
  plant_settings_free(&w->s);
  free(w);
}

/* Returns the epoch seconds of the model's current time. */
int64_t plant_now_s(const plant_world *w) {
  return w->now_ms / 1000;
}

/* Sets the start: absolute times of relative facts, the first configuration. */
static void start(plant_world *w, const plant_cluster_view *view, int64_t now_ms) {
  w->started = true;
  w->start_ms = w->now_ms = now_ms;
  for (size_t i = 0; i < w->s.nmigs; i++) w->s.migs[i].applied_s = now_ms / 1000 - w->s.migs[i].age_s;
  plant_observe_start(w, view);
}

/* Advances the model to now_ms. */
void plant_tick(plant_world *w, const plant_cluster_view *view, int64_t now_ms) {
  if (!w->started) start(w, view, now_ms);
  if (now_ms > w->now_ms) w->now_ms = now_ms;
  plant_observe(w, view);
  plant_model_advance(w, w->now_ms);
}

/* Returns the next time after now_ms at which something changes by itself, or INT64_MAX. */
int64_t plant_next_change(plant_world *w, int64_t now_ms) {
  return plant_model_next_change(w, now_ms);
}

/* Records a webhook notification; returns 0, or -1 when out of memory. */
int plant_record_webhook(plant_world *w, const char *url, const char *body) {
  char ts[32];
  sim_util_time_rfc3339(w->now_ms, ts);
  json_t *parsed = body ? json_loads(body, JSON_DECODE_ANY, NULL) : NULL;
  json_t *rec = json_pack("{s:I s:s s:s s:o}", "time_ms", (json_int_t)w->now_ms, "time", ts, "url",
                          url ? url : "", "body",
                          parsed ? parsed : json_string(body ? body : ""));
  if (!rec) return -1;
  return json_array_append_new(w->webhooks, rec);
}

/* Returns a new reference to the array of recorded webhooks. */
json_t *plant_webhooks(plant_world *w) {
  return json_incref(w->webhooks);
}
