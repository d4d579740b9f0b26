/* test_plant_fake.h — a fake cluster for the plant model's unit tests: a plant_cluster_view over
 * JSON the test builds (pods in an array; other objects by resource and name; one namespace).
 *
 * Ownership: a fake_cluster owns its JSON; fake_free releases it. Helpers that take json_t *
 * "(takes)" consume the reference.
 */
#ifndef RBK_TEST_PLANT_FAKE_H
#define RBK_TEST_PLANT_FAKE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "plant.h"

#define T0_MS 1763391600000LL /* 2025-11-17T15:00:00Z */
#define NS "greenlang"
#define MASTER "gl-001-process-heat-orchestrator"
#define IMG(v) "gcr.io/greenlang/gl-001:" v

typedef struct {
  json_t *pods;  /* array of pod objects */
  json_t *objs;  /* {resource: {name: object}} */
  int serial;    /* for unique pod names */
  plant_cluster_view view;
} fake_cluster;

/* Returns the object (borrowed) or NULL. */
static inline const json_t *fake_get(void *ctx, const char *resource, const char *ns, const char *name) {
  fake_cluster *fc = ctx;
  (void)ns;
  if (strcmp(resource, "pods") == 0) {
    size_t i;
    json_t *p;
    json_array_foreach(fc->pods, i, p) {
      if (strcmp(json_string_value(json_object_get(json_object_get(p, "metadata"), "name")), name) == 0)
        return p;
    }
    return NULL;
  }
  return json_object_get(json_object_get(fc->objs, resource), name);
}

/* Returns a new reference to the array of objects (pods only; the selector is not used). */
static inline json_t *fake_list(void *ctx, const char *resource, const char *ns, const char *selector) {
  fake_cluster *fc = ctx;
  (void)ns, (void)selector;
  if (strcmp(resource, "pods") == 0) return json_incref(fc->pods);
  json_t *arr = json_array(), *o;
  const char *k;
  json_object_foreach(json_object_get(fc->objs, resource), k, o) json_array_append(arr, o);
  return arr;
}

/* Initialises an empty cluster. */
static inline void fake_init(fake_cluster *fc) {
  fc->pods = json_array();
  fc->objs = json_object();
  fc->serial = 0;
  fc->view = (plant_cluster_view){fc, fake_get, fake_list};
}

/* Releases the cluster. */
static inline void fake_free(fake_cluster *fc) {
  json_decref(fc->pods);
  json_decref(fc->objs);
}

/* Stores obj (takes) as resource/name. */
static inline void fake_put(fake_cluster *fc, const char *resource, const char *name, json_t *obj) {
  json_t *r = json_object_get(fc->objs, resource);
  if (!r) json_object_set_new(fc->objs, resource, r = json_object());
  json_object_set_new(r, name, obj);
}

/* Removes resource/name. */
static inline void fake_del(fake_cluster *fc, const char *resource, const char *name) {
  json_object_del(json_object_get(fc->objs, resource), name);
}

/* Returns a creationTimestamp for epoch ms t (static buffer). */
static inline const char *fake_ts(long long t_ms) {
  static char buf[32];
  time_t t = (time_t)(t_ms / 1000);
  struct tm tm;
  gmtime_r(&t, &tm);
  strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

/* Adds a Running pod of Deployment app with labels {app, extra_key: extra_val} (extra may be NULL). */
static inline void fake_add_pod_labels(fake_cluster *fc, const char *app, const char *image, int ready,
                                long long created_ms, const char *extra_key, const char *extra_val) {
  char name[128];
  snprintf(name, sizeof name, "%s-%05d", app, fc->serial++);
  json_t *labels = json_pack("{s:s}", "app", app);
  if (extra_key) json_object_set_new(labels, extra_key, json_string(extra_val));
  json_t *pod = json_pack(
      "{s:{s:s s:s s:s s:o s:[{s:s s:s}]} s:{s:[{s:s s:s}]} s:{s:s s:[{s:s s:s s:s}]}}", "metadata",
      "name", name, "namespace", NS, "creationTimestamp", fake_ts(created_ms), "labels", labels,
      "ownerReferences", "kind", "ReplicaSet", "name", app, "spec", "containers", "name", "app",
      "image", image, "status", "phase", "Running", "conditions", "type", "Ready", "status",
      ready ? "True" : "False", "lastTransitionTime", fake_ts(created_ms));
  json_array_append_new(fc->pods, pod);
}

/* Adds a Running pod of Deployment app. */
static inline void fake_add_pod(fake_cluster *fc, const char *app, const char *image, int ready,
                         long long created_ms) {
  fake_add_pod_labels(fc, app, image, ready, created_ms, NULL, NULL);
}

/* Removes every pod whose app label is app. */
static inline void fake_remove_pods(fake_cluster *fc, const char *app) {
  for (size_t i = json_array_size(fc->pods); i-- > 0;) {
    json_t *labels = json_object_get(json_object_get(json_array_get(fc->pods, i), "metadata"), "labels");
    if (strcmp(json_string_value(json_object_get(labels, "app")), app) == 0)
      json_array_remove(fc->pods, i);
  }
}

/* Replaces app's pods with n ready pods running image, created at created_ms. */
static inline void fake_roll(fake_cluster *fc, const char *app, const char *image, int n, long long created_ms) {
  fake_remove_pods(fc, app);
  for (int i = 0; i < n; i++) fake_add_pod(fc, app, image, 1, created_ms);
}

/* Builds the seed's world: 3 GL-001 pods on image, the sub-agents the seed names on subimage
 * versions, the master Service, a postgresql-0 pod. */
static inline void fake_seed_world(fake_cluster *fc, const char *image) {
  static const char *const subs[] = {"gl-002-boiler-efficiency", "gl-003-combustion-optimizer",
                                     "gl-004-emissions-control", "gl-005-heat-recovery",
                                     "gl-006-waste-heat",        "gl-012-steam-system",
                                     "gl-016-boiler-control",    "gl-017-feedwater"};
  fake_init(fc);
  fake_roll(fc, MASTER, image, 3, T0_MS - 1800000);
  for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++) {
    char img[128];
    snprintf(img, sizeof img, "gcr.io/greenlang/%.6s:2.3.1", subs[i]);
    fake_add_pod(fc, subs[i], img, 1, T0_MS - 1800000);
  }
  fake_add_pod(fc, "postgresql", "postgres:15.4", 1, T0_MS - 86400000LL);
  json_t *db_meta = json_object_get(json_array_get(fc->pods, json_array_size(fc->pods) - 1), "metadata");
  json_object_set_new(db_meta, "name", json_string("postgresql-0"));
  fake_put(fc, "services", MASTER, json_pack("{s:{s:s} s:{s:{s:s}}}", "metadata", "name", MASTER,
                                               "spec", "selector", "app", MASTER));
}

/* Answers GET path through the master Service at t; returns the status, *body set. */
static inline int fake_get_api(plant_world *w, fake_cluster *fc, long long t, const char *path, json_t **body) {
  return plant_http(w, &fc->view, t, MASTER, "GET", path, NULL, 0, body);
}

/* Returns the number of plants with heat_loss true at t (via plants/critical-heat-status). */
static inline int fake_heat_lost(plant_world *w, fake_cluster *fc, long long t) {
  json_t *body;
  if (fake_get_api(w, fc, t, "/api/v1/plants/critical-heat-status", &body) != 200) return -1;
  int n = 0;
  size_t i;
  json_t *p;
  json_array_foreach(json_object_get(body, "plants"), i, p) n += json_is_true(json_object_get(p, "heat_loss"));
  json_decref(body);
  return n;
}

/* Returns the number of connected agents at t (via agents/status, counting by field). */
static inline int fake_connected(plant_world *w, fake_cluster *fc, long long t) {
  json_t *body;
  if (fake_get_api(w, fc, t, "/api/v1/agents/status", &body) != 200) return -1;
  int n = 0;
  size_t i;
  json_t *a;
  json_array_foreach(json_object_get(body, "agents"), i, a) {
    n += strcmp(json_string_value(json_object_get(a, "status")), "connected") == 0;
  }
  json_decref(body);
  return n;
}

#endif
