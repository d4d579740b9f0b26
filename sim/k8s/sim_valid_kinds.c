/* sim_valid_kinds.c — what the API server validates per kind (k8s.io/kubernetes/pkg/apis/…/validation),
 * for the kinds the simulator models; docs/simulator.md lists what is and is not checked. */
#include <stdlib.h>
#include <string.h>

#include "sim_sel.h"
#include "sim_util.h"
#include "sim_valid.h"

/* Returns a new "path.child" (or "path[i]" when child is NULL). */
static char *at(const char *path, const char *child, size_t i) {
  return child ? strutil_printf("%s.%s", path, child) : strutil_printf("%s[%zu]", path, i);
}

/* Adds `must be greater than or equal to 0` when the integer at key is negative. */
static void nonnegative(json_t *errs, const json_t *spec, const char *path, const char *key) {
  json_t *v = json_object_get(spec, key);
  if (!json_is_integer(v) || json_integer_value(v) >= 0) return;
  char *f = at(path, key, 0);
  sim_valid_invalid(errs, f, v, SIMV_PLAIN, "must be greater than or equal to 0");
  free(f);
}

/* Adds `must be less than or equal to MAX` when the integer at key asks for more pods than the world holds. */
static void pods_at_most(json_t *errs, const json_t *spec, const char *path, const char *key, int max) {
  json_t *v = json_object_get(spec, key);
  if (!json_is_integer(v) || json_integer_value(v) <= max) return;
  char *f = at(path, key, 0), *m = strutil_printf("must be less than or equal to %d (the simulator's limit)", max);
  sim_valid_invalid(errs, f, v, SIMV_PLAIN, m);
  free(m), free(f);
}

/* Adds the errors of metadata: the name's syntax (rule) and the labels. */
static void meta(json_t *errs, const json_t *obj, simv_name_rule rule) {
  const char *name = sim_util_jstr(obj, "metadata.name", "");
  if (!*name) sim_valid_required(errs, "metadata.name", "name or generateName is required");
  else sim_valid_name(errs, "metadata.name", name, rule);
  json_t *labels = sim_util_jpath(obj, "metadata.labels");
  if (json_is_object(labels)) sim_valid_labels(errs, "metadata.labels", labels);
}

/* Adds the errors of one container at path. */
static void container(json_t *errs, const json_t *c, const char *path, json_t *seen) {
  char *f = at(path, "name", 0);
  const char *name = sim_util_jstr(c, "name", "");
  if (!*name) sim_valid_required(errs, f, NULL);
  else if (json_object_get(seen, name)) sim_valid_duplicate(errs, f, json_object_get(c, "name"));
  else sim_valid_name(errs, f, name, SIMV_LABEL), json_object_set_new(seen, name, json_true());
  free(f);
  if (!*sim_util_jstr(c, "image", "")) f = at(path, "image", 0), sim_valid_required(errs, f, NULL), free(f);
  size_t i;
  json_t *p;
  json_array_foreach(json_object_get(c, "ports"), i, p) {
    json_t *cp = json_object_get(p, "containerPort");
    char *pp = at(path, "ports", 0), *ip = at(pp, NULL, i);
    f = at(ip, "containerPort", 0);
    if (!cp || (json_is_integer(cp) && json_integer_value(cp) == 0)) sim_valid_required(errs, f, NULL);
    else if (json_integer_value(cp) < 1 || json_integer_value(cp) > 65535)
      sim_valid_invalid(errs, f, cp, SIMV_PLAIN, "must be between 1 and 65535, inclusive");
    free(pp), free(ip), free(f);
  }
  json_array_foreach(json_object_get(c, "env"), i, p) {
    char *ep = at(path, "env", 0), *ip = at(ep, NULL, i);
    f = at(ip, "name", 0);
    if (!*sim_util_jstr(p, "name", "")) sim_valid_required(errs, f, NULL);
    free(ep), free(ip), free(f);
  }
}

/* Adds the errors of a pod spec at path; restart lists the allowed restartPolicy values (quoted,
 * comma-separated); an absent one defaults to "Always", as the pod defaults do. */
static void pod_spec(json_t *errs, const json_t *spec, const char *path, const char *restart) {
  json_t *cs = json_object_get(spec, "containers"), *seen = json_object();
  char *f = at(path, "containers", 0);
  if (!json_array_size(cs)) sim_valid_required(errs, f, NULL);
  size_t i;
  json_t *c;
  json_array_foreach(cs, i, c) {
    char *cp = at(f, NULL, i);
    container(errs, c, cp, seen);
    free(cp);
  }
  free(f);
  f = at(path, "initContainers", 0);
  json_array_foreach(json_object_get(spec, "initContainers"), i, c) {
    char *cp = at(f, NULL, i);
    container(errs, c, cp, seen);
    free(cp);
  }
  free(f);
  json_decref(seen);
  json_t *rp = json_object_get(spec, "restartPolicy"), *always = json_string("Always");
  char *quoted = strutil_printf("\"%s\"", json_string_value(rp) ? json_string_value(rp) : "Always");
  if (!strstr(restart, quoted)) f = at(path, "restartPolicy", 0), sim_valid_unsupported(errs, f, rp ? rp : always, SIMV_PLAIN, restart), free(f);
  free(quoted), json_decref(always);
}

/* Adds the errors of a workload (Deployment, ReplicaSet, manual-selector Job): a selector that
 * is required, not empty and matches the template's labels. */
static void selector_matches(json_t *errs, const json_t *spec, const char *kind_word) {
  json_t *sel = json_object_get(spec, "selector");
  json_t *labels = sim_util_jpath(spec, "template.metadata.labels");
  if (!json_is_object(sel)) return sim_valid_required(errs, "spec.selector", NULL);
  simsel s;
  char *err = NULL;
  if (!sim_sel_from_json(sel, &s, &err)) {
    sim_valid_invalid(errs, "spec.selector", sel, SIMV_SELECTOR, err ? err : "invalid label selector");
    return free(err);
  }
  if (!json_object_size(json_object_get(sel, "matchLabels")) && !json_array_size(json_object_get(sel, "matchExpressions"))) {
    char *m = strutil_printf("empty selector is invalid for %s", kind_word);
    sim_valid_invalid(errs, "spec.selector", sel, SIMV_SELECTOR, m);
    free(m);
  } else if (!sim_sel_match_labels(&s, labels)) {
    sim_valid_invalid(errs, "spec.template.metadata.labels", labels, SIMV_MAP, "`selector` does not match template `labels`");
  }
  sim_sel_free(&s);
  json_t *ml = json_object_get(sel, "matchLabels");
  if (json_is_object(ml)) sim_valid_labels(errs, "spec.selector.matchLabels", ml);
}

/* Adds the errors of a Deployment or ReplicaSet spec. */
static void workload(json_t *errs, const json_t *obj, const char *kind_word, int max_pods) {
  const json_t *spec = json_object_get(obj, "spec");
  nonnegative(errs, spec, "spec", "replicas");
  pods_at_most(errs, spec, "spec", "replicas", max_pods);
  nonnegative(errs, spec, "spec", "minReadySeconds");
  nonnegative(errs, spec, "spec", "revisionHistoryLimit");
  selector_matches(errs, spec, kind_word);
  json_t *labels = sim_util_jpath(spec, "template.metadata.labels");
  if (json_is_object(labels)) sim_valid_labels(errs, "spec.template.metadata.labels", labels);
  pod_spec(errs, sim_util_jpath(spec, "template.spec"), "spec.template.spec", "\"Always\"");
}

/* Adds the errors of a Job. */
static void job(json_t *errs, const json_t *obj, int max_pods) {
  const json_t *spec = json_object_get(obj, "spec");
  static const char *const counts[] = {"parallelism", "completions", "activeDeadlineSeconds", "backoffLimit",
                                       "ttlSecondsAfterFinished"};
  for (size_t i = 0; i < sizeof counts / sizeof *counts; i++) nonnegative(errs, spec, "spec", counts[i]);
  pods_at_most(errs, spec, "spec", "parallelism", max_pods);
  pods_at_most(errs, spec, "spec", "completions", max_pods);
  if (!json_is_object(json_object_get(spec, "template"))) sim_valid_required(errs, "spec.template", NULL);
  if (json_is_true(json_object_get(spec, "manualSelector"))) selector_matches(errs, spec, "job");
  pod_spec(errs, sim_util_jpath(spec, "template.spec"), "spec.template.spec", "\"OnFailure\", \"Never\"");
}

/* Adds the errors of a Service. */
static void service(json_t *errs, const json_t *obj) {
  const json_t *spec = json_object_get(obj, "spec");
  json_t *type = json_object_get(spec, "type");
  const char *t = json_string_value(type) ? json_string_value(type) : "ClusterIP";
  if (strcmp(t, "ClusterIP") && strcmp(t, "NodePort") && strcmp(t, "LoadBalancer") && strcmp(t, "ExternalName"))
    sim_valid_unsupported(errs, "spec.type", type, SIMV_PLAIN, "\"ClusterIP\", \"ExternalName\", \"LoadBalancer\", \"NodePort\"");
  json_t *ports = json_object_get(spec, "ports");
  bool headless = !strcmp(sim_util_jstr(spec, "clusterIP", ""), "None");
  if (!json_array_size(ports) && strcmp(t, "ExternalName") && !headless) sim_valid_required(errs, "spec.ports", NULL);
  size_t i;
  json_t *p;
  json_array_foreach(ports, i, p) {
    json_t *port = json_object_get(p, "port");
    char *f = strutil_printf("spec.ports[%zu].port", i);
    json_t *zero = json_integer(0);
    if (!json_is_integer(port) || json_integer_value(port) < 1 || json_integer_value(port) > 65535)
      sim_valid_invalid(errs, f, port ? port : zero, SIMV_PLAIN, "must be between 1 and 65535, inclusive");
    json_decref(zero);
    free(f);
  }
  if (json_is_object(json_object_get(spec, "selector"))) sim_valid_labels(errs, "spec.selector", json_object_get(spec, "selector"));
}

/* Adds the errors of a ConfigMap's or Secret's data keys. */
static void config_keys(json_t *errs, const json_t *obj, const char *member) {
  const char *k;
  json_t *v;
  json_object_foreach(json_object_get(obj, member), k, v) {
    bool ok = *k && strlen(k) <= 253 && strcmp(k, ".") && strcmp(k, "..");
    for (const char *p = k; ok && *p; p++) ok = strchr("-._", *p) || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9');
    if (ok) continue;
    char *f = strutil_printf("%s[%s]", member, k);
    json_t *key = json_string(k);
    sim_valid_invalid(errs, f, key, SIMV_PLAIN,
                      "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or "
                      "'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')");
    json_decref(key), free(f);
  }
}

/* Adds `field is immutable` when the value at path changed. */
static void immutable(json_t *errs, const json_t *obj, const json_t *old, const char *path, simv_hint hint) {
  json_t *a = sim_util_jpath(old, path), *b = sim_util_jpath(obj, path);
  if (!json_equal(a ? a : json_null(), b ? b : json_null())) sim_valid_invalid(errs, path, b, hint, "field is immutable");
}

/* Validates an object of kind res after defaulting; returns the 422 Status, or NULL when valid. */
json_t *sim_valid_object(simr_kind res, const json_t *obj, const json_t *old, int max_pods) {
  json_t *errs = json_array();
  meta(errs, obj, res == SIMR_SERVICES ? SIMV_DNS1035 : res == SIMR_NAMESPACES ? SIMV_LABEL : SIMV_SUBDOMAIN);
  if (res == SIMR_DEPLOYMENTS) workload(errs, obj, "deployment", max_pods);
  if (res == SIMR_REPLICASETS) workload(errs, obj, "replicaset", max_pods);
  if (res == SIMR_JOBS) job(errs, obj, max_pods);
  if (res == SIMR_PODS) pod_spec(errs, json_object_get(obj, "spec"), "spec", "\"Always\", \"OnFailure\", \"Never\"");
  if (res == SIMR_SERVICES) service(errs, obj);
  if (res == SIMR_CONFIGMAPS || res == SIMR_SECRETS) config_keys(errs, obj, "data");
  if (res == SIMR_CONFIGMAPS) config_keys(errs, obj, "binaryData");
  if (res == SIMR_LEASES) {
    json_t *d = sim_util_jpath(obj, "spec.leaseDurationSeconds");
    if (json_is_integer(d) && json_integer_value(d) <= 0)
      sim_valid_invalid(errs, "spec.leaseDurationSeconds", d, SIMV_PLAIN, "must be greater than 0");
  }
  if (old && (res == SIMR_DEPLOYMENTS || res == SIMR_REPLICASETS || res == SIMR_JOBS))
    immutable(errs, obj, old, "spec.selector", SIMV_SELECTOR);
  if (old && res == SIMR_JOBS) immutable(errs, obj, old, "spec.template", SIMV_PLAIN);
  if (old && res == SIMR_SERVICES && sim_util_jpath(obj, "spec.clusterIP")) immutable(errs, obj, old, "spec.clusterIP", SIMV_PLAIN);
  return sim_valid_status(res, NULL, sim_util_jstr(obj, "metadata.name", ""), errs);
}
