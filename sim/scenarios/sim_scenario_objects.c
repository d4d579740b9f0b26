/* sim_scenario_objects.c — the scenario's starting objects: compact deployments (with their
 * revision history expanded into ReplicaSets), services, configmaps, secrets, pods, and full
 * Kubernetes objects. Format: docs/simulator.md. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_deploy.h"
#include "sim_scenario.h"
#include "sim_valid.h"

/* What expanding one compact deployment needs. */
typedef struct {
  sim_world *w;
  const json_t *spec; /* the compact entry */
  const char *name, *ns;
  json_t *pod_labels;
  int replicas;
} dexp;

/* Returns the creationTimestamp text for an entry's "age" (default dflt) as a new JSON string. */
static json_t *created(sim_world *w, const json_t *entry, const char *dflt) {
  int64_t age = 0;
  const char *a = sim_util_jstr(entry, "age", dflt);
  if (!sim_util_duration_parse(a, &age)) age = 0;
  char ts[32];
  sim_util_time_rfc3339(w->epoch_ms - age, ts);
  return json_string(ts);
}

/* Returns the pod template of a compact deployment running image (new). */
static json_t *pod_template(const dexp *x, const char *image) {
  const json_t *given = json_object_get(x->spec, "template");
  if (given) {
    json_t *t = json_deep_copy(given);
    json_t *c0 = json_array_get(sim_util_jpath(t, "spec.containers"), 0);
    if (c0 && image) sim_util_jset_str(c0, "image", image);
    return t;
  }
  json_t *c = json_pack("{s:s,s:s,s:s,s:{},s:s,s:s}", "name", sim_util_jstr(x->spec, "container", x->name), "image",
                        image ? image : "", "imagePullPolicy", "IfNotPresent", "resources", "terminationMessagePath",
                        "/dev/termination-log", "terminationMessagePolicy", "File");
  json_t *port = json_object_get(x->spec, "port");
  if (json_is_integer(port))
    json_object_set_new(c, "ports", json_pack("[{s:O,s:s}]", "containerPort", port, "protocol", "TCP"));
  const char *keys[] = {"env", "envFrom", "resources", "readinessProbe", "command", "args"};
  for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
    if (json_object_get(x->spec, keys[i])) json_object_set(c, keys[i], json_object_get(x->spec, keys[i]));
  return json_pack("{s:{s:o},s:{s:[o],s:s,s:i,s:s,s:s,s:{}}}", "metadata", "labels", json_deep_copy(x->pod_labels), "spec",
                   "containers", c, "restartPolicy", "Always", "terminationGracePeriodSeconds", 30, "dnsPolicy",
                   "ClusterFirst", "schedulerName", "default-scheduler", "securityContext");
}

/* Returns the compact entry's revisions (new array), or one revision from "image". */
static json_t *revisions(const json_t *spec) {
  json_t *r = json_object_get(spec, "revisions");
  if (json_is_array(r) && json_array_size(r)) return json_incref(r);
  return json_pack("[{s:i,s:s}]", "revision", 1, "image", sim_util_jstr(spec, "image", "busybox:latest"));
}

/* Creates the deployment object itself for the current revision; returns it (stored) or NULL. */
static const json_t *make_deployment(dexp *x, const json_t *cur, size_t nrev) {
  json_t *labels = json_object_get(x->spec, "labels");
  json_t *ann = json_object_get(x->spec, "annotations");
  ann = json_is_object(ann) ? json_deep_copy(ann) : json_object();
  char buf[32];
  snprintf(buf, sizeof buf, "%lld", (long long)sim_util_jint(cur, "revision", 1));
  sim_util_jset_str(ann, ANN_REVISION, buf);
  if (sim_util_jstr(cur, "change_cause", NULL)) sim_util_jset_str(ann, "kubernetes.io/change-cause", sim_util_jstr(cur, "change_cause", ""));
  json_t *strategy = json_object_get(x->spec, "strategy");
  strategy = strategy ? json_deep_copy(strategy)
                      : json_pack("{s:s,s:{s:s,s:s}}", "type", "RollingUpdate", "rollingUpdate", "maxSurge", "25%",
                                  "maxUnavailable", "25%");
  json_t *d = json_pack(
      "{s:s,s:s,s:{s:s,s:s,s:o,s:o,s:o,s:I},s:{s:i,s:{s:o},s:o,s:o,s:I,s:I}}", "apiVersion", "apps/v1", "kind",
      "Deployment", "metadata", "name", x->name, "namespace", x->ns, "labels", json_deep_copy(labels ? labels : x->pod_labels),
      "annotations", ann, "creationTimestamp", created(x->w, x->spec, "30d"), "generation", (json_int_t)nrev, "spec",
      "replicas", x->replicas, "selector", "matchLabels", json_deep_copy(x->pod_labels), "template",
      pod_template(x, sim_util_jstr(cur, "image", NULL)), "strategy", strategy,
      "revisionHistoryLimit", (json_int_t)sim_util_jint(x->spec, "revision_history_limit", 10), "progressDeadlineSeconds",
      (json_int_t)sim_util_jint(x->spec, "progress_deadline_s", 600));
  if (json_is_true(json_object_get(x->spec, "paused"))) json_object_set_new(json_object_get(d, "spec"), "paused", json_true());
  return sim_store_create(&x->w->st, SIMR_DEPLOYMENTS, d, x->w->epoch_ms);
}

/* Creates the ReplicaSet of one revision; false with *err on a duplicate template. */
static bool make_rs(dexp *x, const json_t *d, const json_t *rev, bool current, char **err) {
  json_t *t = pod_template(x, sim_util_jstr(rev, "image", NULL));
  char hash[11], name[300], buf[32];
  sim_deploy_template_hash(t, 0, hash);
  snprintf(name, sizeof name, "%s-%s", x->name, hash);
  if (sim_store_get(&x->w->st, SIMR_REPLICASETS, x->ns, name)) {
    json_decref(t);
    return *err = strutil_printf("scenario: deployment %s has two revisions with the same template (%s)", x->name,
                              sim_util_jstr(rev, "image", "")), false;
  }
  json_t *labels = json_deep_copy(x->pod_labels);
  sim_util_jset_str(labels, "pod-template-hash", hash);
  sim_util_jset_str(sim_util_jobj(sim_util_jobj(t, "metadata"), "labels"), "pod-template-hash", hash);
  json_t *ann = json_object();
  snprintf(buf, sizeof buf, "%lld", (long long)sim_util_jint(rev, "revision", 1));
  sim_util_jset_str(ann, ANN_REVISION, buf);
  snprintf(buf, sizeof buf, "%d", x->replicas);
  sim_util_jset_str(ann, ANN_DESIRED, buf);
  snprintf(buf, sizeof buf, "%d", x->replicas + (x->replicas * 25 + 99) / 100);
  sim_util_jset_str(ann, ANN_MAX, buf);
  if (sim_util_jstr(rev, "change_cause", NULL)) sim_util_jset_str(ann, "kubernetes.io/change-cause", sim_util_jstr(rev, "change_cause", ""));
  if (sim_util_jstr(rev, "history", NULL)) sim_util_jset_str(ann, ANN_HISTORY, sim_util_jstr(rev, "history", ""));
  json_t *rs = json_pack("{s:s,s:s,s:{s:s,s:s,s:o,s:o,s:[o],s:o},s:{s:i,s:{s:o},s:o}}", "apiVersion", "apps/v1", "kind",
                         "ReplicaSet", "metadata", "name", name, "namespace", x->ns, "labels", labels, "annotations", ann,
                         "ownerReferences", sim_world_owner_ref(SIMR_DEPLOYMENTS, d), "creationTimestamp",
                         created(x->w, rev, current ? "1h" : "30d"), "spec", "replicas", current ? x->replicas : 0,
                         "selector", "matchLabels", json_deep_copy(labels), "template", t);
  return sim_store_create(&x->w->st, SIMR_REPLICASETS, rs, x->w->epoch_ms) != NULL;
}

/* Returns false with *err when obj (a compact deployment or a Kubernetes object, named `what`) asks for
 * more pods than the world holds (w->max_replicas) or a negative count. */
static bool pods_in_range(const sim_world *w, const json_t *obj, const char *what, char **err) {
  static const char *const keys[] = {"replicas", "spec.replicas", "spec.parallelism", "spec.completions"};
  for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
    json_int_t n = sim_util_jint(obj, keys[i], 0);
    if (n < 0 || n > w->max_replicas)
      return *err = strutil_printf("scenario: %s: %s must be between 0 and %d", what, keys[i], w->max_replicas), false;
  }
  return true;
}

/* Expands one compact deployment; false with *err. */
static bool load_deployment(sim_world *w, const json_t *spec, const char *dflt_ns, char **err) {
  dexp x = {w, spec, sim_util_jstr(spec, "name", NULL), sim_util_jstr(spec, "namespace", dflt_ns), NULL,
            (int)sim_util_jint(spec, "replicas", 1)};
  if (!x.name) return *err = strdup("scenario: a deployment needs a \"name\""), false;
  if (!pods_in_range(w, spec, x.name, err)) return false;
  json_t *pl = json_object_get(spec, "pod_labels");
  x.pod_labels = json_is_object(pl) ? json_incref(pl) : json_pack("{s:s}", "app", x.name);
  json_t *revs = revisions(spec);
  size_t n = json_array_size(revs);
  const json_t *d = make_deployment(&x, json_array_get(revs, n - 1), n);
  bool ok = d != NULL;
  if (!ok) *err = strutil_printf("scenario: deployment %s/%s is defined twice", x.ns, x.name);
  for (size_t i = 0; ok && i < n; i++) ok = make_rs(&x, d, json_array_get(revs, i), i == n - 1, err);
  json_decref(revs);
  json_decref(x.pod_labels);
  return ok;
}

/* Returns the metadata of a compact entry: name, namespace, labels, annotations, age (new). */
static json_t *meta_of(sim_world *w, const json_t *e, const char *dflt_ns) {
  json_t *m = json_pack("{s:s,s:s,s:o}", "name", sim_util_jstr(e, "name", ""), "namespace", sim_util_jstr(e, "namespace", dflt_ns),
                        "creationTimestamp", created(w, e, "30d"));
  if (json_is_object(json_object_get(e, "labels"))) json_object_set(m, "labels", json_object_get(e, "labels"));
  if (json_is_object(json_object_get(e, "annotations"))) json_object_set(m, "annotations", json_object_get(e, "annotations"));
  return m;
}

/* Returns a Service from a compact entry (new). */
static json_t *service(sim_world *w, const json_t *e, const char *ns) {
  int ip = (int)sim_store_count(&w->st, SIMR_SERVICES) + 10;
  json_t *ports = json_array(), *p;
  size_t i;
  json_t *given = json_object_get(e, "ports");
  if (!given && json_is_integer(json_object_get(e, "port")))
    json_array_append_new(ports, json_pack("{s:s,s:s,s:O,s:O}", "name", "http", "protocol", "TCP", "port",
                                           json_object_get(e, "port"), "targetPort", json_object_get(e, "port")));
  json_array_foreach(given, i, p) {
    json_t *c = json_deep_copy(p);
    if (!json_object_get(c, "protocol")) sim_util_jset_str(c, "protocol", "TCP");
    if (!json_object_get(c, "targetPort")) json_object_set(c, "targetPort", json_object_get(c, "port"));
    json_array_append_new(ports, c);
  }
  char cip[32];
  snprintf(cip, sizeof cip, "10.96.%d.%d", ip / 250, ip % 250 + 1);
  json_t *sel = json_object_get(e, "selector");
  return json_pack("{s:s,s:s,s:o,s:{s:s,s:s,s:[s],s:o,s:o,s:s,s:s,s:[s],s:s},s:{s:{}}}", "apiVersion", "v1", "kind",
                   "Service", "metadata", meta_of(w, e, ns), "spec", "type", sim_util_jstr(e, "type", "ClusterIP"), "clusterIP",
                   cip, "clusterIPs", cip, "ports", ports, "selector", sel ? json_incref(sel) : json_object(), "sessionAffinity", "None",
                   "internalTrafficPolicy", "Cluster", "ipFamilies", "IPv4", "ipFamilyPolicy", "SingleStack", "status",
                   "loadBalancer");
}

/* Returns a ConfigMap or Secret from a compact entry (new). */
static json_t *config(sim_world *w, const json_t *e, const char *ns, bool secret) {
  json_t *o = json_pack("{s:s,s:s,s:o}", "apiVersion", "v1", "kind", secret ? "Secret" : "ConfigMap", "metadata",
                        meta_of(w, e, ns));
  json_t *data = json_object_get(e, "data");
  json_object_set_new(o, "data", json_is_object(data) ? json_deep_copy(data) : json_object());
  if (secret) {
    sim_util_jset_str(o, "type", sim_util_jstr(e, "type", "Opaque"));
    const char *k;
    json_t *v;
    json_object_foreach(json_object_get(e, "stringData"), k, v) {
      const char *s = json_string_value(v) ? json_string_value(v) : "";
      char *b64 = sim_util_base64(s, strlen(s));
      sim_util_jset_str(json_object_get(o, "data"), k, b64);
      free(b64);
    }
  }
  return o;
}

/* Returns a standalone Pod from a compact entry (new). */
static json_t *pod(sim_world *w, const json_t *e, const char *ns) {
  json_t *c = json_pack("{s:s,s:s,s:s,s:{}}", "name", sim_util_jstr(e, "container", sim_util_jstr(e, "name", "main")), "image",
                        sim_util_jstr(e, "image", "busybox:latest"), "imagePullPolicy", "IfNotPresent", "resources");
  if (json_is_integer(json_object_get(e, "port")))
    json_object_set_new(c, "ports", json_pack("[{s:O,s:s}]", "containerPort", json_object_get(e, "port"), "protocol", "TCP"));
  return json_pack("{s:s,s:s,s:o,s:{s:[o],s:s,s:i,s:s},s:{s:s}}", "apiVersion", "v1", "kind", "Pod", "metadata",
                   meta_of(w, e, ns), "spec", "containers", c, "restartPolicy", "Always", "terminationGracePeriodSeconds",
                   30, "nodeName", "sim-node-1", "status", "phase", "Pending");
}

/* Stores one object; false with *err when it is a duplicate or of an unknown kind. */
static bool put(sim_world *w, int res, json_t *obj, char **err) {
  const char *name = sim_util_jstr(obj, "metadata.name", "");
  if (res < 0 || !*name) {
    *err = strutil_printf("scenario: object %s has an unknown kind or no name", name);
    json_decref(obj);
    return false;
  }
  char *key = strdup(name);
  bool ok = sim_store_create(&w->st, (simr_kind)res, obj, w->epoch_ms) != NULL;
  if (!ok) *err = strutil_printf("scenario: %s \"%s\" is defined twice", sim_res_info_of((simr_kind)res)->plural, key);
  free(key);
  return ok;
}

/* Creates the namespaces: the usual three plus the scenario's. */
static bool load_namespaces(sim_world *w, const json_t *list, char **err) {
  json_t *names = json_pack("[s,s,s]", "default", "kube-system", "kube-public");
  json_array_extend(names, (json_t *)list);
  size_t i;
  json_t *n;
  bool ok = true;
  json_array_foreach(names, i, n) {
    if (!json_is_string(n) || sim_store_get(&w->st, SIMR_NAMESPACES, NULL, json_string_value(n))) continue;
    json_t *o = json_pack("{s:s,s:s,s:{s:s,s:{s:s}},s:{s:[s]},s:{s:s}}", "apiVersion", "v1", "kind", "Namespace", "metadata",
                          "name", json_string_value(n), "labels", "kubernetes.io/metadata.name", json_string_value(n),
                          "spec", "finalizers", "kubernetes", "status", "phase", "Active");
    ok = ok && put(w, SIMR_NAMESPACES, o, err);
  }
  json_decref(names);
  return ok;
}

/* Creates the scenario's objects in the world; false with *err on malformed input. */
bool sim_scenario_load_objects(sim_world *w, const json_t *cluster, char **err) {
  const char *ns = sim_util_jstr(cluster, "namespace", "default");
  json_t *nss = json_deep_copy(json_object_get(cluster, "namespaces"));
  if (!json_is_array(nss)) json_decref(nss), nss = json_array();
  json_array_append_new(nss, json_string(ns));
  bool ok = load_namespaces(w, nss, err);
  json_decref(nss);
  size_t i;
  json_t *e;
  json_array_foreach(json_object_get(cluster, "deployments"), i, e) ok = ok && load_deployment(w, e, ns, err);
  json_array_foreach(json_object_get(cluster, "services"), i, e) ok = ok && put(w, SIMR_SERVICES, service(w, e, ns), err);
  json_array_foreach(json_object_get(cluster, "configmaps"), i, e) ok = ok && put(w, SIMR_CONFIGMAPS, config(w, e, ns, false), err);
  json_array_foreach(json_object_get(cluster, "secrets"), i, e) ok = ok && put(w, SIMR_SECRETS, config(w, e, ns, true), err);
  json_array_foreach(json_object_get(cluster, "pods"), i, e) ok = ok && put(w, SIMR_PODS, pod(w, e, ns), err);
  json_array_foreach(json_object_get(cluster, "objects"), i, e) {
    json_t *o = json_deep_copy(e);
    if (!json_is_string(sim_util_jpath(o, "metadata.namespace"))) sim_util_jset_str(sim_util_jobj(o, "metadata"), "namespace", ns);
    if (ok && !pods_in_range(w, o, sim_util_jstr(o, "metadata.name", "an object"), err)) ok = false;
    if (ok) ok = put(w, sim_res_find_name(sim_util_jstr(o, "kind", "")), o, err);
    else json_decref(o);
  }
  return ok;
}
