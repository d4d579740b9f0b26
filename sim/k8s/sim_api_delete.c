/* sim_api_delete.c — deletions (propagation, grace periods, preconditions, dry runs), evictions and the
 * scale subresource. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_api.h"
#include "sim_patch.h"
#include "sim_pod.h"
#include "sim_valid.h"

/* The delete options from the body (DeleteOptions) and the query. */
typedef struct {
  int64_t grace_ms; /* -1: the object's own */
  const char *policy;
  json_t *opts;     /* the parsed body, or NULL */
} delopts;

/* Reads the delete options; answers 400 and returns false when the body is malformed. */
static bool read_opts(api_call *c, delopts *o) {
  o->grace_ms = -1, o->policy = "Background", o->opts = NULL;
  if (c->req->body_len) {
    json_error_t je;
    o->opts = json_loadb(c->req->body, c->req->body_len, 0, &je);
    if (!json_is_object(o->opts)) {
      json_decref(o->opts);
      sim_api_fail(c->resp, SIMST_BAD_REQUEST, "the body of a DELETE must be DeleteOptions");
      return false;
    }
  }
  json_t *g = json_object_get(o->opts, "gracePeriodSeconds");
  char *q = sim_api_query(c, "gracePeriodSeconds");
  if (json_is_integer(g)) o->grace_ms = sim_util_secs_to_ms(json_integer_value(g));
  else if (q) o->grace_ms = sim_util_secs_to_ms(strtoll(q, NULL, 10));
  free(q);
  o->policy = sim_util_jstr(o->opts, "propagationPolicy", "Background");
  return true;
}

/* Returns true when the preconditions (uid, resourceVersion) hold. */
static bool preconditions_hold(const delopts *o, const json_t *obj) {
  const char *uid = sim_util_jstr(o->opts, "preconditions.uid", NULL), *rv = sim_util_jstr(o->opts, "preconditions.resourceVersion", NULL);
  return (!uid || !strcmp(uid, sim_util_jstr(obj, "metadata.uid", ""))) &&
         (!rv || !strcmp(rv, sim_util_jstr(obj, "metadata.resourceVersion", "")));
}

/* Removes the ownerReferences to uid from the dependents of kind res (the Orphan policy). */
static void orphan(sim_world *w, simr_kind res, const char *ns, const char *uid) {
  json_t *deps = sim_world_owned(w, res, ns, uid);
  size_t i;
  json_t *d;
  json_array_foreach(deps, i, d) {
    json_t *c = json_deep_copy(d);
    json_object_del(json_object_get(c, "metadata"), "ownerReferences");
    sim_store_update(&w->st, res, c);
  }
  json_decref(deps);
}

/* Deletes every namespaced object in a namespace. */
static void empty_namespace(sim_world *w, const char *ns) {
  for (int r = 0; r < SIMR_COUNT; r++) {
    if (!sim_res_info_of((simr_kind)r)->namespaced) continue;
    json_t *all = sim_store_list(&w->st, (simr_kind)r, ns);
    size_t i;
    json_t *o;
    json_array_foreach(all, i, o) sim_store_delete(&w->st, (simr_kind)r, ns, sim_util_jstr(o, "metadata.name", ""));
    json_decref(all);
  }
}

/* Deletes one object (borrowed obj) with the options; returns the answer body (new). */
static json_t *delete_one(api_call *c, const json_t *obj, const delopts *o) {
  sim_world *w = c->w;
  simr_kind res = (simr_kind)c->res;
  const char *ns = sim_util_jstr(obj, "metadata.namespace", NULL), *name = sim_util_jstr(obj, "metadata.name", "");
  json_t *last = json_deep_copy(obj);
  if (res == SIMR_PODS) {
    const json_t *p = sim_pod_delete(w, obj, o->grace_ms);
    if (p) return json_decref(last), json_incref((json_t *)p);
    return last;
  }
  if (!strcmp(o->policy, "Orphan")) {
    if (res == SIMR_DEPLOYMENTS) orphan(w, SIMR_REPLICASETS, ns, sim_util_jstr(obj, "metadata.uid", ""));
    if (res == SIMR_REPLICASETS || res == SIMR_JOBS) orphan(w, SIMR_PODS, ns, sim_util_jstr(obj, "metadata.uid", ""));
  }
  if (res == SIMR_NAMESPACES) empty_namespace(w, name);
  json_t *st = sim_status_success(res, name, sim_util_jstr(obj, "metadata.uid", ""));
  sim_store_delete(&w->st, res, ns, name);
  json_decref(last);
  return st;
}

/* Returns the answer a deletion would give without deleting (new): a pod that would terminate
 * gracefully with its deletionTimestamp set, else the Success Status. */
static json_t *dry_delete_one(api_call *c, const json_t *obj, const delopts *o) {
  const char *phase = sim_util_jstr(obj, "status.phase", "");
  if (c->res == SIMR_PODS && o->grace_ms != 0 && !strcmp(phase, "Running")) {
    json_t *p = json_deep_copy(obj);
    char ts[32];
    int64_t grace = o->grace_ms > 0 ? o->grace_ms / 1000 : sim_util_jint(obj, "spec.terminationGracePeriodSeconds", 30);
    sim_util_time_rfc3339(simw_wall(c->w, c->w->now) + sim_util_secs_to_ms(grace), ts);
    json_t *meta = sim_util_jobj(p, "metadata");
    if (!json_object_get(meta, "deletionTimestamp")) sim_util_jset_str(meta, "deletionTimestamp", ts);
    json_object_set_new(meta, "deletionGracePeriodSeconds", json_integer(grace));
    return p;
  }
  if (c->res == SIMR_PODS) return json_deep_copy(obj);
  return sim_status_success((simr_kind)c->res, sim_util_jstr(obj, "metadata.name", ""), sim_util_jstr(obj, "metadata.uid", ""));
}

/* DELETE of one object: answers the deleted (or now terminating) object, or a Status. */
void sim_api_delete(api_call *c) {
  const json_t *obj = sim_api_existing(c);
  delopts o;
  int dry;
  if (!obj || !read_opts(c, &o)) return;
  if ((dry = sim_api_dry_run(c, o.opts)) < 0) {
  } else if (!preconditions_hold(&o, obj)) {
    sim_api_status(c->resp, sim_status_conflict((simr_kind)c->res, c->name));
  } else {
    json_t *body = dry ? dry_delete_one(c, obj, &o) : delete_one(c, obj, &o);
    sim_api_json(c->resp, 200, body);
  }
  json_decref(o.opts);
}

/* The eviction subresource (POST pods/x/eviction): deletes the pod gracefully with the Eviction's
 * deleteOptions; answers 201 with a Success Status (nothing changes on a dry run). */
void sim_api_evict(api_call *c) {
  const json_t *pod = sim_api_existing(c);
  json_t *ev = pod ? sim_api_body(c) : NULL;
  if (!ev) return;
  delopts o = {.grace_ms = -1, .policy = "Background", .opts = json_incref(json_object_get(ev, "deleteOptions"))};
  json_t *g = json_object_get(o.opts, "gracePeriodSeconds");
  if (json_is_integer(g)) o.grace_ms = sim_util_secs_to_ms(json_integer_value(g));
  int dry = sim_api_dry_run(c, o.opts);
  if (dry >= 0 && !preconditions_hold(&o, pod)) sim_api_status(c->resp, sim_status_conflict(SIMR_PODS, c->name));
  else if (dry >= 0) {
    if (!dry) json_decref(delete_one(c, pod, &o));
    sim_api_json(c->resp, 201, json_pack("{s:s,s:s,s:{},s:s,s:i}", "kind", "Status", "apiVersion", "v1", "metadata",
                                         "status", "Success", "code", 201));
  }
  json_decref(o.opts), json_decref(ev);
}

/* DELETE of a collection: deletes the objects the selectors match; answers them as a list. */
void sim_api_delete_collection(api_call *c) {
  simsel labels, fields;
  delopts o;
  int dry = 0;
  if (!sim_api_selectors(c, &labels, &fields)) return;
  bool ok = read_opts(c, &o);
  if (ok && (dry = sim_api_dry_run(c, o.opts)) < 0) json_decref(o.opts), ok = false;
  if (ok) {
    json_t *all = sim_store_list(&c->w->st, (simr_kind)c->res, c->ns), *items = json_array();
    size_t i;
    json_t *obj;
    json_array_foreach(all, i, obj) {
      if (!sim_api_matches(&labels, &fields, obj)) continue;
      json_array_append(items, obj);
      if (!dry) json_decref(delete_one(c, obj, &o));
    }
    char kind[64], rv[32];
    snprintf(kind, sizeof kind, "%sList", sim_res_info_of((simr_kind)c->res)->kind);
    snprintf(rv, sizeof rv, "%" PRIu64, c->w->st.rv);
    sim_api_json(c->resp, 200, json_pack("{s:s,s:s,s:{s:s},s:o}", "kind", kind, "apiVersion",
                                         sim_res_api_version((simr_kind)c->res), "metadata", "resourceVersion", rv, "items", items));
    json_decref(all);
    json_decref(o.opts);
  }
  sim_sel_free(&labels), sim_sel_free(&fields);
}

/* Returns the autoscaling/v1 Scale of a deployment or ReplicaSet (new). */
static json_t *scale_of(const json_t *obj) {
  simsel s;
  char *sel = NULL;
  if (sim_sel_from_json(sim_util_jpath(obj, "spec.selector"), &s, NULL)) sel = sim_sel_format(&s), sim_sel_free(&s);
  json_t *meta = json_pack("{s:s,s:s,s:s,s:s,s:s}", "name", sim_util_jstr(obj, "metadata.name", ""), "namespace",
                           sim_util_jstr(obj, "metadata.namespace", ""), "uid", sim_util_jstr(obj, "metadata.uid", ""),
                           "resourceVersion", sim_util_jstr(obj, "metadata.resourceVersion", ""), "creationTimestamp",
                           sim_util_jstr(obj, "metadata.creationTimestamp", ""));
  json_t *scale = json_pack("{s:s,s:s,s:o,s:{s:I},s:{s:I,s:s}}", "kind", "Scale", "apiVersion", "autoscaling/v1",
                            "metadata", meta, "spec", "replicas", sim_util_jint(obj, "spec.replicas", 1), "status",
                            "replicas", sim_util_jint(obj, "status.replicas", 0), "selector", sel ? sel : "");
  free(sel);
  return scale;
}

/* Returns the requested Scale: the body for PUT, the patched Scale for PATCH (new), or NULL
 * after answering. */
static json_t *wanted_scale(api_call *c, const json_t *cur) {
  if (!strcmp(c->req->method, "PUT")) return sim_api_body(c);
  simp_type t = sim_patch_type_of(sim_api_header(c->req, "Content-Type"));
  json_t *patch = sim_api_body(c), *out = NULL;
  char *err = NULL;
  if (!patch) return NULL;
  if (t == SIMP_JSON) out = sim_patch_json(cur, patch, &err);
  else if (t == SIMP_STRATEGIC) out = sim_patch_strategic(cur, patch, &err);
  else if (t == SIMP_MERGE && json_is_object(patch)) out = sim_patch_merge(cur, patch);
  if (!out) sim_api_fail(c->resp, t == SIMP_NONE ? SIMST_UNSUPPORTED_MEDIA : SIMST_BAD_REQUEST,
                         err ? err : "unsupported patch for the scale subresource");
  free(err);
  json_decref(patch);
  return out;
}

/* The scale subresource: GET, PUT, PATCH. */
void sim_api_scale(api_call *c) {
  int dry = strcmp(c->req->method, "GET") ? sim_api_dry_run(c, NULL) : 0;
  const json_t *obj = dry < 0 ? NULL : sim_api_existing(c);
  if (!obj) return;
  json_t *cur = scale_of(obj);
  if (!strcmp(c->req->method, "GET")) return sim_api_json(c->resp, 200, cur);
  json_t *want = wanted_scale(c, cur);
  json_decref(cur);
  if (!want) return;
  const char *rv = sim_util_jstr(want, "metadata.resourceVersion", NULL);
  json_t *n = sim_util_jpath(want, "spec.replicas");
  if (rv && *rv && strcmp(rv, sim_util_jstr(obj, "metadata.resourceVersion", ""))) {
    sim_api_status(c->resp, sim_status_conflict((simr_kind)c->res, c->name));
  } else if (json_is_integer(n) && json_integer_value(n) > INT32_MAX) {
    char *m = strutil_printf("Scale in version \"v1\" cannot be handled as a Scale: json: cannot unmarshal number %"
                             JSON_INTEGER_FORMAT " into Go struct field ScaleSpec.spec.replicas of type int32", json_integer_value(n));
    sim_api_fail(c->resp, SIMST_BAD_REQUEST, m);
    free(m);
  } else if (!json_is_integer(n) || json_integer_value(n) < 0) {
    sim_api_status(c->resp, sim_status_invalid((simr_kind)c->res, c->name, "spec.replicas", json_deep_copy(n ? n : json_null()),
                                               "must be greater than or equal to 0"));
  } else if (json_integer_value(n) > c->w->max_replicas) {
    char *m = strutil_printf("must be less than or equal to %d (the simulator's limit)", c->w->max_replicas);
    sim_api_status(c->resp, sim_status_invalid((simr_kind)c->res, c->name, "spec.replicas", json_deep_copy(n), m));
    free(m);
  } else {
    json_t *copy = json_deep_copy(obj);
    json_object_set(sim_util_jobj(copy, "spec"), "replicas", n);
    if (dry) {
      json_t *would = sim_store_preview_update(&c->w->st, (simr_kind)c->res, copy);
      sim_api_json(c->resp, 200, scale_of(would));
      json_decref(would);
    } else {
      sim_api_json(c->resp, 200, scale_of(sim_store_update(&c->w->st, (simr_kind)c->res, copy)));
    }
  }
  json_decref(want);
}
