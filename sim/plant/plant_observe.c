/* plant_observe.c — reading the cluster into the plant model's causes: which images the ready pods
 * run, the loaded configuration, the database credentials. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "plant_internal.h"
#include "sim_util.h"
#include "yamljson.h"

/* The effects that belong to the whole orchestrator rather than to plants. */
#define GLOBAL_EFFECTS                                                                            \
  (PLANT_BIT(PLANT_EFFECT_UNHEALTHY) | PLANT_BIT(PLANT_EFFECT_DATABASE) |                        \
   PLANT_BIT(PLANT_EFFECT_MESSAGE_BUS))

/* Adds effect e on the plants of mask to effects (per plant) or to *global. */
static void add_effect(plant_effect e, unsigned mask, unsigned effects[PLANT_COUNT],
                       unsigned *global) {
  if (PLANT_BIT(e) & GLOBAL_EFFECTS) {
    *global |= PLANT_BIT(e);
    return;
  }
  for (int p = 0; p < PLANT_COUNT; p++)
    if (mask & (1u << p)) effects[p] |= PLANT_BIT(e);
}

/* Adds the effects of the bad images that the ready pods run; notes their latest Ready change. */
static void image_effects(plant_world *w, const plant_pods *pods, unsigned effects[PLANT_COUNT],
                          unsigned *global) {
  const plant_settings *s = &w->s;
  for (size_t i = 0; i < pods->len; i++) {
    if (!pods->items[i].ready) continue;
    if (pods->items[i].ready_ms > w->change_ms) w->change_ms = pods->items[i].ready_ms;
    for (size_t b = 0; b < s->nbad; b++)
      if (strcmp(pods->items[i].image, s->bad[b].image) == 0)
        add_effect(s->bad[b].effect, s->bad[b].plants, effects, global);
  }
}

/* Returns a new object {key: parsed entry} of the plant-config entries (YAML or JSON text). */
static json_t *parse_entries(const json_t *data) {
  json_t *out = json_object();
  const char *key;
  json_t *val;
  json_object_foreach((json_t *)data, key, val) {
    char *err = NULL;
    const char *text = json_string_value(val);
    json_t *parsed = text ? yamljson_parse(text, strlen(text), &err) : NULL;
    free(err);
    if (json_is_object(parsed)) json_object_set(out, key, parsed);
    json_decref(parsed);
  }
  return out;
}

/* Returns true when ConfigMap key `key` belongs to one of the plants in ids (its key starts with
 * the lower-cased plant id, as "plant-003.yaml" does for "Plant-003"). */
static bool key_of_plants(const char *key, const json_t *ids) {
  size_t i;
  json_t *id;
  json_array_foreach(ids, i, id) {
    const char *s = json_string_value(id);
    size_t n = s ? strlen(s) : 0, k = 0;
    while (k < n && key[k] && tolower((unsigned char)key[k]) == tolower((unsigned char)s[k])) k++;
    if (n && k == n) return true;
  }
  return false;
}

/* Returns plant p's loaded plant-config entry, parsed (borrowed), or NULL. */
const json_t *plant_entry(const plant_world *w, int p) {
  json_t *ids = json_pack("[s]", w->s.plants[p].id);
  const char *key;
  json_t *val, *found = NULL;
  json_object_foreach(w->plant_entries, key, val) {
    if (!found && key_of_plants(key, ids)) found = val;
  }
  json_decref(ids);
  return found;
}

/* Reloads the loaded configs (all, or only the plants' entries); returns the reloaded keys. */
json_t *plant_reload_config(plant_world *w, const plant_cluster_view *v, const json_t *plants) {
  const plant_settings *s = &w->s;
  const json_t *cfg = plant_configmap_data(v, s->ns, s->config_map);
  const json_t *pcfg = plant_configmap_data(v, s->ns, s->plant_config_map);
  json_t *keys = json_array();
  if (!plants) {
    json_decref(w->config);
    w->config = cfg ? json_deep_copy(cfg) : json_object();
    json_array_append_new(keys, json_string(s->config_map));
  }
  const char *key;
  json_t *val, *tmp;
  json_object_foreach_safe(w->plant_configs, tmp, key, val) {
    if (!plants || key_of_plants(key, plants)) json_object_del(w->plant_configs, key);
  }
  json_object_foreach((json_t *)pcfg, key, val) {
    if (plants && !key_of_plants(key, plants)) continue;
    json_object_set(w->plant_configs, key, val);
    json_array_append_new(keys, json_sprintf("%s/%s", s->plant_config_map, key));
  }
  json_decref(w->plant_entries);
  w->plant_entries = parse_entries(w->plant_configs);
  w->config_loaded_ms = w->now_ms;
  return keys;
}

/* Returns true when the secret holds the expected password (data base64, or stringData). */
static bool secret_ok(const plant_settings *s, const json_t *secret) {
  const char *key = s->db_password_key;
  const char *plain = json_string_value(json_object_get(json_object_get(secret, "stringData"), key));
  if (plain) return strcmp(plain, s->db_password) == 0;
  const char *enc = json_string_value(json_object_get(json_object_get(secret, "data"), key));
  char *want = plant_base64(s->db_password, strlen(s->db_password));
  bool ok = enc && want && strcmp(enc, want) == 0;
  free(want);
  return ok;
}

/* Follows the database Secret: when it turns right, pods created before then stay wrong. */
static void observe_secret(plant_world *w, const plant_cluster_view *v) {
  if (!w->s.db_password) return;
  const json_t *secret = v->get(v->ctx, "secrets", w->s.ns, w->s.db_secret);
  bool ok = secret && secret_ok(&w->s, secret);
  if (!ok) {
    w->secret_bad_seen_ms = w->now_ms;
  } else if (!w->secret_ok) {
    int64_t created_ms = 0;
    const char *ts = sim_util_jstr(secret, "metadata.creationTimestamp", NULL);
    int64_t fixed_ms = ts && sim_util_time_parse(ts, &created_ms) && created_ms > w->secret_bad_seen_ms
                           ? created_ms : w->secret_bad_seen_ms;
    w->secret_fixed_s = fixed_ms / 1000;
  }
  w->secret_ok = ok;
}

/* Reads the master pods behind the Service; reloads the config when new ready pods appeared. */
static void observe_master(plant_world *w, const plant_cluster_view *v, const json_t *all,
                           unsigned effects[PLANT_COUNT], unsigned *global) {
  json_t *sel = plant_service_selector(v, w->s.ns, w->s.service), *seen = json_object();
  plant_pods pods;
  plant_pods_filter(all, sel, &pods);
  json_decref(sel);
  bool fresh = false;
  for (size_t i = 0; i < pods.len; i++) {
    if (!pods.items[i].ready) continue;
    fresh |= !json_object_get(w->seen_pods, pods.items[i].name);
    json_object_set_new(seen, pods.items[i].name, json_true());
  }
  json_decref(w->seen_pods);
  w->seen_pods = seen;
  image_effects(w, &pods, effects, global);
  if (json_object_size(seen) == 0) { /* no orchestrator: local control everywhere */
    add_effect(PLANT_EFFECT_DEGRADED, ~0u, effects, global);
    add_effect(PLANT_EFFECT_DISCONNECT, ~0u, effects, global);
  }
  plant_pods_free(&pods);
  if (fresh) json_decref(plant_reload_config(w, v, NULL)); /* new pods read the current config */
}

/* Reads one agent's Deployment: version, readiness and bad images. */
static void observe_agent(plant_world *w, size_t i, const json_t *all, unsigned effects[PLANT_COUNT],
                          unsigned *global) {
  plant_agent_state *a = &w->agents[i];
  json_t *sel = json_pack("{s:s}", "app", w->s.agents[i].deployment);
  plant_pods pods;
  plant_pods_filter(all, sel, &pods);
  json_decref(sel);
  a->in_cluster |= pods.len > 0;
  a->has_ready = false;
  for (size_t k = 0; k < pods.len && !a->has_ready; k++) {
    if (!pods.items[k].ready) continue;
    a->has_ready = true;
    const char *tag = plant_image_tag(pods.items[k].image);
    int64_t ready_ms = pods.items[k].ready_ms < w->now_ms ? pods.items[k].ready_ms : w->now_ms;
    if (a->version && strcmp(a->version, tag) != 0) a->changed_s = ready_ms / 1000;
    if (!a->version || strcmp(a->version, tag) != 0) free(a->version), a->version = strdup(tag);
  }
  image_effects(w, &pods, effects, global);
  plant_pods_free(&pods);
}

/* Adds the effects of the loaded configuration (gl-001-config and the plant entries). */
static void config_effects(const plant_world *w, unsigned effects[PLANT_COUNT], unsigned *global) {
  const json_t *good = w->s.config_good ? w->s.config_good : w->config_good;
  if (good && w->config && !json_equal(w->config, (json_t *)good))
    add_effect(w->s.config_effect, ~0u, effects, global);
  for (size_t i = 0; i < w->s.nentry_faults; i++) {
    const plant_entry_fault *f = &w->s.entry_faults[i];
    const json_t *entry = json_object_get(w->plant_entries, f->key);
    const char *field;
    json_t *bad;
    json_object_foreach(f->bad, field, bad) {
      if (json_equal(json_object_get(entry, field), bad)) {
        add_effect(f->effect, 1u << f->plant, effects, global);
        break;
      }
    }
  }
}

/* Loads the configuration at the start, and the good gl-001-config data from its annotation
 * (a JSON object, when the section names one). */
void plant_observe_start(plant_world *w, const plant_cluster_view *v) {
  w->secret_ok = true; /* until observe_secret sees otherwise: pods of the start are fine */
  w->secret_fixed_s = w->secret_bad_seen_ms = INT64_MIN;
  json_decref(plant_reload_config(w, v, NULL));
  if (!w->s.config_annotation || w->s.config_good) return;
  const json_t *cm = v->get(v->ctx, "configmaps", w->s.ns, w->s.config_map);
  const json_t *ann = json_object_get(sim_util_jpath(cm, "metadata.annotations"),
                                      w->s.config_annotation);
  const char *text = json_string_value(ann);
  json_t *good = text ? json_loads(text, 0, NULL) : NULL;
  if (json_is_object(good)) w->config_good = json_incref(good);
  json_decref(good);
}

/* Reads the cluster into w's effects for now. */
void plant_observe(plant_world *w, const plant_cluster_view *v) {
  unsigned effects[PLANT_COUNT] = {0}, master[PLANT_COUNT] = {0}, global = 0;
  json_t *all = v->list(v->ctx, "pods", w->s.ns, NULL);
  w->change_ms = INT64_MIN;
  observe_master(w, v, all, master, &global);
  for (int p = 0; p < PLANT_COUNT; p++) /* isolated plants run under local control */
    if (w->plants[p].integration != PLANT_INT_ISOLATED) effects[p] |= master[p];
  for (size_t i = 0; i < w->s.nagents; i++)
    if (w->s.agents[i].deployment) observe_agent(w, i, all, effects, &global);
  json_decref(all);
  config_effects(w, effects, &global);
  observe_secret(w, v);
  for (int p = 0; p < PLANT_COUNT; p++) w->plants[p].effects = effects[p];
  (void)global; /* the orchestrator-wide effects are judged per answering pod (plant_api_system.c) */
}
