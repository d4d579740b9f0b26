/* sim_world_event.c — core/v1 Events, aggregated like the kubelet's recorder, bounded in number. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_world.h"

#define SIM_MAX_EVENTS 1000

/* Returns the RFC 3339 text of the current time into out[32]. */
void sim_world_now_text(const sim_world *w, char out[32]) { sim_util_time_rfc3339(simw_wall(w, w->now), out); }

/* Drops the oldest events beyond SIM_MAX_EVENTS. */
static void trim(sim_world *w) {
  while (json_array_size(w->event_order) > SIM_MAX_EVENTS) {
    const char *key = json_string_value(json_array_get(w->event_order, 0));
    const char *akey = json_string_value(json_object_get(w->event_akey, key));
    const char *cur = akey ? json_string_value(json_object_get(w->event_index, akey)) : NULL;
    if (cur && !strcmp(cur, key)) json_object_del(w->event_index, akey);
    json_object_del(w->event_akey, key);
    char *ns = strdup(key), *slash = strchr(ns, '/');
    if (slash) *slash = 0, sim_store_delete(&w->st, SIMR_EVENTS, ns, slash + 1);
    free(ns);
    json_array_remove(w->event_order, 0);
  }
}

/* Returns a new Event object. */
static json_t *build(sim_world *w, simr_kind res, const json_t *obj, const char *type, const char *reason,
                     const char *component, const char *msg, const char *ns) {
  char name[400], now[32];
  uint64_t x = ++w->event_seq * 0x9e3779b97f4a7c15ull;
  snprintf(name, sizeof name, "%s.%016" PRIx64, sim_util_jstr(obj, "metadata.name", "object"), x ^ (x >> 29));
  sim_world_now_text(w, now);
  json_t *inv = json_pack("{s:s,s:s,s:s,s:s,s:s}", "apiVersion", sim_res_api_version(res), "kind", sim_res_info_of(res)->kind,
                          "name", sim_util_jstr(obj, "metadata.name", ""), "uid", sim_util_jstr(obj, "metadata.uid", ""),
                          "resourceVersion", sim_util_jstr(obj, "metadata.resourceVersion", ""));
  if (sim_res_info_of(res)->namespaced) sim_util_jset_str(inv, "namespace", ns);
  json_t *src = json_pack("{s:s}", "component", component);
  if (!strcmp(component, "kubelet")) sim_util_jset_str(src, "host", "sim-node-1");
  return json_pack("{s:s,s:s,s:{s:s,s:s},s:o,s:s,s:s,s:o,s:s,s:s,s:i,s:s,s:n,s:s,s:s}", "apiVersion", "v1", "kind", "Event",
                   "metadata", "name", name, "namespace", ns, "involvedObject", inv, "reason", reason, "message", msg,
                   "source", src, "firstTimestamp", now, "lastTimestamp", now, "count", 1, "type", type, "eventTime",
                   "reportingComponent", component, "reportingInstance", strcmp(component, "kubelet") ? "" : "sim-node-1");
}

/* Records an Event about obj (kind res): aggregated by (object, reason, message). */
void sim_world_event(sim_world *w, simr_kind res, const json_t *obj, const char *type, const char *reason,
                     const char *component, const char *fmt, ...) {
  if (w->booting) return;
  char msg[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  const char *ns = sim_res_info_of(res)->namespaced ? sim_util_jstr(obj, "metadata.namespace", "default") : "default";
  char *akey = strutil_printf("%s|%s|%s", sim_util_jstr(obj, "metadata.uid", ""), reason, msg);
  const char *ekey = json_string_value(json_object_get(w->event_index, akey));
  const json_t *old = NULL;
  if (ekey) {
    const char *slash = strchr(ekey, '/');
    old = slash ? sim_store_get(&w->st, SIMR_EVENTS, ns, slash + 1) : NULL;
  }
  if (old) {
    char now[32];
    sim_world_now_text(w, now);
    json_t *c = sim_store_edit(old);
    json_object_set_new(c, "count", json_integer(sim_util_jint(old, "count", 1) + 1));
    sim_util_jset_str(c, "lastTimestamp", now);
    sim_store_update(&w->st, SIMR_EVENTS, c);
  } else {
    json_t *e = build(w, res, obj, type, reason, component, msg, ns);
    char *key = strutil_printf("%s/%s", ns, sim_util_jstr(e, "metadata.name", ""));
    if (sim_store_create(&w->st, SIMR_EVENTS, e, simw_wall(w, w->now))) {
      json_object_set_new(w->event_index, akey, json_string(key));
      json_object_set_new(w->event_akey, key, json_string(akey));
      json_array_append_new(w->event_order, json_string(key));
      trim(w);
    }
    free(key);
  }
  free(akey);
}
