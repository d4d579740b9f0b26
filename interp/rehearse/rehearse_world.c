/* rehearse_world.c — what the simulated world looks like at the end of a rehearsal: the images of
 * each deployment's ready pods, the plants' heat, the agents connected and the notifications
 * the simulator recorded (see rehearse_world in rehearse.h). Reads bypass the API's faults. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "out.h"
#include "rehearse.h"
#include "sim.h"
#include "valbuf.h"
#include "valtime.h"

/* The orchestrator's Service, which answers for the plants (the plant model's default). */
#define REHEARSE_ORCH_SERVICE "gl-001-process-heat-orchestrator"

/* Returns the "k=v,…" label selector of a deployment's spec.selector.matchLabels (caller frees). */
static char *selector_text(const json_t *dep) {
  json_t *labels = json_object_get(json_object_get(json_object_get(dep, "spec"), "selector"), "matchLabels");
  valbuf b = {0};
  const char *k;
  json_t *v;
  json_object_foreach(labels, k, v) valbuf_printf(&b, "%s%s=%s", b.len ? "," : "", k, json_string_value(v) ? json_string_value(v) : "");
  return valbuf_take(&b, NULL);
}

/* Returns true when the pod is Ready and not being deleted. */
static bool pod_ready(const json_t *pod) {
  if (json_object_get(json_object_get(pod, "metadata"), "deletionTimestamp")) return false;
  json_t *conds = json_object_get(json_object_get(pod, "status"), "conditions"), *c;
  size_t i;
  json_array_foreach(conds, i, c) {
    const char *type = json_string_value(json_object_get(c, "type"));
    const char *st = json_string_value(json_object_get(c, "status"));
    if (type && st && !strcmp(type, "Ready")) return !strcmp(st, "True");
  }
  return false;
}

/* Returns the image of the pod's first container, or "". */
static const char *pod_image(const json_t *pod) {
  json_t *c = json_array_get(json_object_get(json_object_get(pod, "spec"), "containers"), 0);
  const char *img = json_string_value(json_object_get(c, "image"));
  return img ? img : "";
}

/* Returns {"namespace", "replicas", "ready", "images": {IMAGE: n}} of one deployment (new). */
static json_t *deployment_state(const plant_cluster_view *v, const json_t *dep) {
  const char *ns = json_string_value(json_object_get(json_object_get(dep, "metadata"), "namespace"));
  char *sel = selector_text(dep);
  json_t *pods = v->list(v->ctx, "pods", ns, sel ? sel : ""), *images = json_object(), *p;
  size_t i;
  json_int_t ready = 0;
  json_array_foreach(pods, i, p) {
    if (!pod_ready(p)) continue;
    ready++;
    json_t *n = json_object_get(images, pod_image(p));
    json_object_set_new(images, pod_image(p), json_integer(n ? json_integer_value(n) + 1 : 1));
  }
  json_decref(pods);
  free(sel);
  json_t *replicas = json_object_get(json_object_get(dep, "spec"), "replicas");
  return json_pack("{s:s, s:I, s:I, s:o}", "namespace", ns ? ns : "", "replicas",
                   (json_int_t)(json_is_integer(replicas) ? json_integer_value(replicas) : 1), "ready", ready,
                   "images", images);
}

/* Adds "deployments" and "images" to world. */
static void add_deployments(json_t *world, const plant_cluster_view *v) {
  json_t *deps = v->list(v->ctx, "deployments", NULL, NULL), *d;
  json_t *states = json_object(), *images = json_object();
  size_t i;
  json_array_foreach(deps, i, d) {
    const char *name = json_string_value(json_object_get(json_object_get(d, "metadata"), "name"));
    if (!name) continue;
    json_t *st = deployment_state(v, d);
    json_t *imgs = json_object_get(st, "images");
    const char *only = json_object_size(imgs) == 1 ? json_object_iter_key(json_object_iter(imgs)) : NULL;
    json_object_set_new(images, name, only ? json_string(only) : json_null());
    json_object_set_new(states, name, st);
  }
  json_decref(deps);
  json_object_set_new(world, "deployments", states);
  json_object_set_new(world, "images", images);
}

/* Returns the orchestrator's answer to GET path (new), or NULL with *why set (caller frees). */
static json_t *orch_get(sim_world *w, int64_t wall_ms, const char *path, char **why) {
  plant_world *p = sim_plant(w);
  json_t *body = NULL;
  if (!p) return *why = strdup("the scenario has no plant model"), NULL;
  int status = plant_http(p, sim_plant_view(w), wall_ms, REHEARSE_ORCH_SERVICE, "GET", path, NULL, 0, &body);
  if (status == 200) return body;
  const char *e = json_string_value(json_object_get(body, "error"));
  valbuf b = {0};
  valbuf_printf(&b, "the orchestrator answers %d%s%s", status, e ? ": " : "", e ? e : "");
  *why = valbuf_take(&b, NULL);
  json_decref(body);
  return NULL;
}

/* Adds "plants", "heat_loss_plants", "plants_not_normal" (and "plants_error") to world. */
static void add_plants(json_t *world, sim_world *w, int64_t wall_ms) {
  char *why = NULL;
  json_t *ans = orch_get(w, wall_ms, "/api/v1/plants/heat-status", &why), *plants = json_array(), *p;
  size_t i;
  json_int_t lost = 0, not_normal = 0;
  json_array_foreach(json_object_get(ans, "plants"), i, p) {
    const char *st = json_string_value(json_object_get(p, "heat_status"));
    bool loss = json_is_true(json_object_get(p, "heat_loss"));
    lost += loss, not_normal += !st || strcmp(st, "normal");
    json_array_append_new(plants, json_pack("{s:O?, s:O?, s:s, s:b, s:O?}", "plant_id", json_object_get(p, "plant_id"),
                                            "name", json_object_get(p, "name"), "heat_status", st ? st : "?", "heat_loss",
                                            loss, "isolation_state", json_object_get(p, "isolation_state")));
  }
  json_object_set_new(world, "plants", ans ? plants : (json_decref(plants), json_null()));
  json_object_set_new(world, "heat_loss_plants", ans ? json_integer(lost) : json_null());
  json_object_set_new(world, "plants_not_normal", ans ? json_integer(not_normal) : json_null());
  if (why) json_object_set_new(world, "plants_error", json_string(why));
  json_decref(ans);
  free(why);
}

/* Adds "agents": {"connected", "total"} (null when the orchestrator does not answer). */
static void add_agents(json_t *world, sim_world *w, int64_t wall_ms) {
  char *why = NULL;
  json_t *ans = orch_get(w, wall_ms, "/api/v1/agents/status", &why);
  free(why);
  json_object_set_new(world, "agents", ans ? json_pack("{s:O?, s:O?}", "connected", json_object_get(ans, "connected"),
                                                       "total", json_object_get(ans, "total"))
                                           : json_null());
  json_decref(ans);
}

/* Returns the first non-empty line of text, trimmed (caller frees). */
static char *first_line(const char *text) {
  while (*text == '\n' || *text == ' ' || *text == '\t' || *text == '\r') text++;
  size_t n = strcspn(text, "\n");
  while (n && (text[n - 1] == ' ' || text[n - 1] == '\r')) n--;
  return strndup(text, n);
}

/* Adds "notifications": [{"t_ms", "time", "channel", "first_line"}] from the plant's recorder. */
static void add_notifications(json_t *world, sim_world *w, int64_t epoch_ms) {
  plant_world *p = sim_plant(w);
  json_t *hooks = p ? plant_webhooks(p) : json_array(), *out = json_array(), *h;
  size_t i;
  json_array_foreach(hooks, i, h) {
    json_t *body = json_object_get(h, "body");
    const char *text = json_is_string(body) ? json_string_value(body) : json_string_value(json_object_get(body, "text"));
    const char *channel = json_string_value(json_object_get(body, "channel"));
    char *line = first_line(text ? text : "");
    json_array_append_new(out, json_pack("{s:I, s:O?, s:s, s:s}", "t_ms",
                                         (json_int_t)(json_integer_value(json_object_get(h, "time_ms")) - epoch_ms),
                                         "time", json_object_get(h, "time"), "channel",
                                         channel ? channel : "webhook", "first_line", line ? line : ""));
    free(line);
  }
  json_decref(hooks);
  json_object_set_new(world, "notifications", out);
}

/* Returns the world's state at now_ms (see rehearse.h). */
json_t *rehearse_world(struct sim_world *w, int64_t now_ms, int64_t epoch_ms) {
  sim_advance(w, now_ms);
  const plant_cluster_view *v = sim_plant_view(w);
  json_t *world = json_object();
  if (!world) return NULL;
  char when[48];
  valtime_format(epoch_ms + now_ms, when);
  json_object_set_new(world, "time", json_string(when));
  add_deployments(world, v);
  add_plants(world, w, epoch_ms + now_ms);
  add_agents(world, w, epoch_ms + now_ms);
  add_notifications(world, w, epoch_ms);
  return world;
}
