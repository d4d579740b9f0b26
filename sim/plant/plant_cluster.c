/* plant_cluster.c — what the plant model reads from the cluster: pods, selectors, ConfigMaps. */
#include <stdlib.h>
#include <string.h>

#include "plant_internal.h"
#include "sim_util.h"

/* Returns the pod's Ready condition (borrowed), or NULL. */
static const json_t *ready_condition(const json_t *obj) {
  size_t i;
  json_t *c;
  json_array_foreach(sim_util_jpath(obj, "status.conditions"), i, c) {
    const char *type = json_string_value(json_object_get(c, "type"));
    if (type && strcmp(type, "Ready") == 0) return c;
  }
  return NULL;
}

/* Returns epoch ms of the RFC 3339 time at `dotted` in obj, or dflt. */
static int64_t time_at(const json_t *obj, const char *dotted, int64_t dflt) {
  int64_t t;
  const char *s = sim_util_jstr(obj, dotted, NULL);
  return s && sim_util_time_parse(s, &t) ? t : dflt;
}

/* Returns a copy of s, or of "" when s is NULL; NULL only when out of memory. */
static char *dup_or_empty(const char *s) {
  return strdup(s ? s : "");
}

/* Fills *pod from a pod object; returns 0, or -1 when out of memory. */
int plant_pod_from_json(const json_t *obj, plant_pod *pod) {
  const json_t *meta = json_object_get(obj, "metadata");
  const json_t *c0 = json_array_get(json_object_get(json_object_get(obj, "spec"), "containers"), 0);
  const json_t *owner = json_array_get(json_object_get(meta, "ownerReferences"), 0);
  const char *phase = json_string_value(json_object_get(json_object_get(obj, "status"), "phase"));
  memset(pod, 0, sizeof *pod);
  pod->name = dup_or_empty(json_string_value(json_object_get(meta, "name")));
  pod->image = dup_or_empty(json_string_value(json_object_get(c0, "image")));
  const char *owner_name = json_string_value(json_object_get(owner, "name"));
  pod->owner = owner_name ? strdup(owner_name) : NULL;
  const json_t *ready = ready_condition(obj);
  bool deleting = json_object_get(meta, "deletionTimestamp") != NULL;
  pod->ready = !deleting && strcmp(sim_util_jstr(ready, "status", ""), "True") == 0;
  pod->running = !deleting && phase && strcmp(phase, "Running") == 0;
  int64_t created_ms = time_at(meta, "creationTimestamp", 0);
  pod->created_s = created_ms / 1000;
  pod->ready_ms = time_at(ready, "lastTransitionTime", created_ms);
  if (!pod->name || !pod->image || (owner_name && !pod->owner)) {
    free(pod->name), free(pod->image), free(pod->owner);
    return -1;
  }
  return 0;
}

/* Returns true when every label of selector has the same value among obj's labels. */
static bool labels_match(const json_t *obj, const json_t *selector) {
  const json_t *labels = json_object_get(json_object_get(obj, "metadata"), "labels");
  const char *k;
  json_t *v;
  json_object_foreach((json_t *)selector, k, v) {
    if (!json_equal(json_object_get(labels, k), v)) return false;
  }
  return true;
}

/* Returns the order of two pods by name (for qsort). */
static int pod_cmp(const void *a, const void *b) {
  return strcmp(((const plant_pod *)a)->name, ((const plant_pod *)b)->name);
}

/* Fills pods with the pods in the array `all` matching selector (NULL = all), sorted by name;
 * returns 0, or -1 when out of memory. */
int plant_pods_filter(const json_t *all, const json_t *selector, plant_pods *pods) {
  size_t n = json_array_size(all), i;
  pods->len = 0;
  pods->items = calloc(n ? n : 1, sizeof *pods->items);
  if (!pods->items) return -1;
  json_t *obj;
  json_array_foreach(all, i, obj) {
    if (selector && !labels_match(obj, selector)) continue;
    if (plant_pod_from_json(obj, &pods->items[pods->len])) return -1;
    pods->len++;
  }
  qsort(pods->items, pods->len, sizeof *pods->items, pod_cmp);
  return 0;
}

/* Fills pods with the pods of ns matching selector (NULL = all), sorted by name; returns 0 or -1. */
int plant_pods_list(const plant_cluster_view *v, const char *ns, const json_t *selector,
                    plant_pods *pods) {
  json_t *all = v->list(v->ctx, "pods", ns, NULL);
  int rc = plant_pods_filter(all, selector, pods);
  json_decref(all);
  return rc;
}

/* Releases the pods' strings. */
void plant_pods_free(plant_pods *pods) {
  for (size_t i = 0; i < pods->len; i++)
    free(pods->items[i].name), free(pods->items[i].image), free(pods->items[i].owner);
  free(pods->items);
  pods->items = NULL;
  pods->len = 0;
}

/* Drops (and frees) the pods that are not ready, keeping the order of the others. */
void plant_pods_keep_ready(plant_pods *pods) {
  size_t kept = 0;
  for (size_t i = 0; i < pods->len; i++) {
    plant_pod *pod = &pods->items[i];
    if (pod->ready)
      pods->items[kept++] = *pod;
    else
      free(pod->name), free(pod->image), free(pod->owner);
  }
  pods->len = kept;
}

/* Returns a new reference to the selector of Service `name` ({"app": name} when there is none). */
json_t *plant_service_selector(const plant_cluster_view *v, const char *ns, const char *name) {
  const json_t *svc = v->get(v->ctx, "services", ns, name);
  json_t *sel = json_object_get(json_object_get(svc, "spec"), "selector");
  if (json_is_object(sel) && json_object_size(sel) > 0) return json_deep_copy(sel);
  return json_pack("{s:s}", "app", name);
}

/* Returns the ConfigMap's data object (borrowed from the view), or NULL. */
const json_t *plant_configmap_data(const plant_cluster_view *v, const char *ns, const char *name) {
  const json_t *data = json_object_get(v->get(v->ctx, "configmaps", ns, name), "data");
  return json_is_object(data) ? data : NULL;
}

/* Returns the revision annotation of the pod's ReplicaSet, or -1. */
int64_t plant_pod_rs_revision(const plant_cluster_view *v, const char *ns, const plant_pod *pod) {
  if (!pod->owner) return -1;
  const json_t *rs = v->get(v->ctx, "replicasets", ns, pod->owner);
  const json_t *ann = json_object_get(json_object_get(rs, "metadata"), "annotations");
  const char *rev = json_string_value(json_object_get(ann, "deployment.kubernetes.io/revision"));
  return rev ? strtoll(rev, NULL, 10) : -1;
}

/* Returns the tag of image ("1.4.2" for "repo/x:1.4.2"; the whole image when untagged). */
const char *plant_image_tag(const char *image) {
  const char *colon = strrchr(image, ':'), *slash = strrchr(image, '/');
  return colon && (!slash || colon > slash) ? colon + 1 : image;
}
