/* sim_api_write.c — changing resources: create, update (PUT), patch and the status subresource, with
 * optimistic concurrency, decoding and validation (sim_valid.h), and dry runs that answer without
 * storing. */
#include <stdlib.h>
#include <string.h>

#include "sim_api.h"
#include "sim_patch.h"
#include "sim_valid.h"

/* Kinds whose status is written only through the status subresource (or by controllers). */
static bool has_status_sub(int res) {
  return res == SIMR_DEPLOYMENTS || res == SIMR_REPLICASETS || res == SIMR_JOBS || res == SIMR_PODS ||
         res == SIMR_NAMESPACES;
}

/* Converts a Secret's stringData into base64 data, as the API server does. */
static void secret_string_data(json_t *obj) {
  json_t *sd = json_object_get(obj, "stringData");
  if (!json_is_object(sd)) return;
  json_t *data = sim_util_jobj(obj, "data");
  const char *k;
  json_t *v;
  json_object_foreach(sd, k, v) {
    const char *s = json_string_value(v) ? json_string_value(v) : "";
    char *b = sim_util_base64(s, strlen(s));
    sim_util_jset_str(data, k, b);
    free(b);
  }
  json_object_del(obj, "stringData");
}

/* Checks a body against the URL (kind, name, namespace); answers and returns false when wrong. */
static bool body_matches_url(api_call *c, json_t *obj) {
  const char *kind = sim_util_jstr(obj, "kind", NULL), *ns = sim_util_jstr(obj, "metadata.namespace", NULL);
  if (!json_is_object(obj)) return sim_api_fail(c->resp, SIMST_BAD_REQUEST, "the body must be a JSON object"), false;
  if (kind && strcmp(kind, sim_res_info_of((simr_kind)c->res)->kind)) {
    char *m = strutil_printf("the kind \"%s\" of the body does not match the resource %s", kind, sim_res_qualified((simr_kind)c->res));
    sim_api_fail(c->resp, SIMST_BAD_REQUEST, m);
    return free(m), false;
  }
  if (ns && c->ns && strcmp(ns, c->ns))
    return sim_api_fail(c->resp, SIMST_BAD_REQUEST,
                        "the namespace of the provided object does not match the namespace sent on the request"), false;
  if (!sim_res_info_of((simr_kind)c->res)->namespaced) json_object_del(sim_util_jobj(obj, "metadata"), "namespace");
  else if (c->ns) sim_util_jset_str(sim_util_jobj(obj, "metadata"), "namespace", c->ns);
  return true;
}

/* Fills in a Job's defaults as the API server does: counts and policies, and (unless
 * spec.manualSelector) its uid now, the selector on it and the matching template labels, so that
 * `kubectl logs job/x` finds exactly its pods. */
static void job_defaults(api_call *c, json_t *obj) {
  json_t *spec = sim_util_jobj(obj, "spec"), *uid = sim_store_new_uid(&c->w->st);
  static const char *const ints[] = {"completions", "parallelism", "backoffLimit"};
  static const int vals[] = {1, 1, 6};
  for (size_t i = 0; i < 3; i++)
    if (!json_object_get(spec, ints[i])) json_object_set_new(spec, ints[i], json_integer(vals[i]));
  if (!json_object_get(spec, "completionMode")) sim_util_jset_str(spec, "completionMode", "NonIndexed");
  if (!json_object_get(spec, "suspend")) json_object_set_new(spec, "suspend", json_false());
  json_object_set_new(sim_util_jobj(obj, "metadata"), "uid", uid);
  if (json_is_true(json_object_get(spec, "manualSelector"))) return;
  const char *u = json_string_value(uid), *name = sim_util_jstr(obj, "metadata.name", "");
  json_object_set_new(spec, "selector", json_pack("{s:{s:s}}", "matchLabels", "batch.kubernetes.io/controller-uid", u));
  json_t *labels = sim_util_jobj(sim_util_jobj(sim_util_jobj(spec, "template"), "metadata"), "labels");
  sim_util_jset_str(labels, "batch.kubernetes.io/controller-uid", u);
  sim_util_jset_str(labels, "batch.kubernetes.io/job-name", name);
  sim_util_jset_str(labels, "controller-uid", u);
  sim_util_jset_str(labels, "job-name", name);
}

/* Fills in the defaults the API server adds on create. */
static void defaults(api_call *c, json_t *obj) {
  json_t *meta = sim_util_jobj(obj, "metadata");
  static const char *const strip[] = {"uid", "resourceVersion", "generation", "creationTimestamp", "deletionTimestamp",
                                      "managedFields", "selfLink"};
  for (size_t i = 0; i < sizeof strip / sizeof *strip; i++) json_object_del(meta, strip[i]);
  sim_util_jset_str(obj, "kind", sim_res_info_of((simr_kind)c->res)->kind);
  sim_util_jset_str(obj, "apiVersion", sim_res_api_version((simr_kind)c->res));
  if (c->res == SIMR_SECRETS) {
    secret_string_data(obj);
    if (!json_object_get(obj, "type")) sim_util_jset_str(obj, "type", "Opaque");
  }
  if (has_status_sub(c->res)) json_object_del(obj, "status");
  if (c->res == SIMR_JOBS) job_defaults(c, obj);
  if (c->res == SIMR_DEPLOYMENTS) {
    json_t *spec = sim_util_jobj(obj, "spec");
    if (!json_object_get(spec, "replicas")) json_object_set_new(spec, "replicas", json_integer(1));
    if (!json_object_get(spec, "progressDeadlineSeconds")) json_object_set_new(spec, "progressDeadlineSeconds", json_integer(600));
    if (!json_object_get(spec, "revisionHistoryLimit")) json_object_set_new(spec, "revisionHistoryLimit", json_integer(10));
    if (!json_object_get(spec, "strategy"))
      json_object_set_new(spec, "strategy", json_pack("{s:s,s:{s:s,s:s}}", "type", "RollingUpdate", "rollingUpdate",
                                                      "maxSurge", "25%", "maxUnavailable", "25%"));
  }
}

/* Answers a dry-run create: the object as it would be stored (uid, creationTimestamp, generation;
 * no resourceVersion), or AlreadyExists; nothing is stored. Takes obj. */
static void dry_create(api_call *c, json_t *obj, const char *name) {
  if (sim_store_get(&c->w->st, (simr_kind)c->res, c->ns, name)) {
    sim_api_status(c->resp, sim_status_already_exists((simr_kind)c->res, name));
    return json_decref(obj);
  }
  json_t *meta = sim_util_jobj(obj, "metadata");
  char ts[32];
  if (!json_object_get(meta, "uid")) json_object_set_new(meta, "uid", sim_store_new_uid(&c->w->st));
  sim_util_time_rfc3339(simw_wall(c->w, c->w->now), ts);
  sim_util_jset_str(meta, "creationTimestamp", ts);
  if (sim_res_info_of((simr_kind)c->res)->has_generation) json_object_set_new(meta, "generation", json_integer(1));
  sim_api_json(c->resp, 201, obj);
}

/* POST: stores a new object and answers it (201), or a Status. */
void sim_api_create(api_call *c) {
  int dry = sim_api_dry_run(c, NULL);
  json_t *obj = dry < 0 ? NULL : sim_api_body(c);
  if (!obj) return;
  if (!sim_api_decodes(c, obj, true) || !body_matches_url(c, obj)) return json_decref(obj);
  sim_rng rng = c->w->rng, uid_rng = c->w->st.uid_rng;
  json_t *meta = sim_util_jobj(obj, "metadata");
  const char *gen = sim_util_jstr(obj, "metadata.generateName", NULL);
  if (!sim_util_jstr(obj, "metadata.name", NULL) && gen) {
    char suffix[6], *name;
    do {
      sim_util_safe_encode(sim_util_rng_next(&c->w->rng), suffix, 5);
      name = strutil_printf("%s%s", gen, suffix);
      if (!sim_store_get(&c->w->st, (simr_kind)c->res, c->ns, name)) break;
      free(name);
    } while (1);
    sim_util_jset_str(meta, "name", name);
    free(name);
  }
  defaults(c, obj);
  json_t *invalid = sim_valid_object((simr_kind)c->res, obj, NULL, c->w->max_replicas);
  char *name = strdup(sim_util_jstr(obj, "metadata.name", ""));
  if (invalid) sim_api_status(c->resp, invalid), json_decref(obj);
  else if (dry) dry_create(c, obj, name);
  if (invalid || dry) return sim_api_dry_restore(c, &rng, &uid_rng), free(name);
  const json_t *stored = sim_store_create(&c->w->st, (simr_kind)c->res, obj, simw_wall(c->w, c->w->now));
  if (!stored) sim_api_status(c->resp, sim_status_already_exists((simr_kind)c->res, name));
  else sim_api_json_stored(c->resp, 201, json_incref((json_t *)stored));
  free(name);
}

/* Returns a 422 Status when new changes the name or namespace of old, else NULL (the other
 * immutable fields are sim_valid_kinds.c's). */
static json_t *immutable(api_call *c, const json_t *old, const json_t *nw) {
  static const struct { int res; const char *path; } fields[] = {{-1, "metadata.name"}, {-1, "metadata.namespace"}};
  for (size_t i = 0; i < sizeof fields / sizeof *fields; i++) {
    if (fields[i].res >= 0 && fields[i].res != c->res) continue;
    json_t *a = sim_util_jpath(old, fields[i].path), *b = sim_util_jpath(nw, fields[i].path);
    if (!b && fields[i].res >= 0) continue;
    if (!json_equal(a ? a : json_null(), b ? b : json_null()))
      return sim_status_invalid((simr_kind)c->res, c->name, fields[i].path, json_deep_copy(b ? b : json_null()),
                                "field is immutable");
  }
  return NULL;
}

/* Writes nw (takes it) over old after the concurrency, immutability and validity checks; answers.
 * A dry run answers what would be stored and stores nothing. */
static void replace(api_call *c, const json_t *old, json_t *nw, bool status_only, int dry) {
  const char *rv = sim_util_jstr(nw, "metadata.resourceVersion", NULL);
  json_t *err = NULL;
  if (rv && *rv && strcmp(rv, sim_util_jstr(old, "metadata.resourceVersion", ""))) err = sim_status_conflict((simr_kind)c->res, c->name);
  else err = immutable(c, old, nw);
  if (!err && !status_only) {
    if (c->res == SIMR_SECRETS) secret_string_data(nw);
    err = sim_valid_object((simr_kind)c->res, nw, old, c->w->max_replicas);
  }
  if (err) return json_decref(nw), sim_api_status(c->resp, err);
  if (status_only) {
    json_t *st = json_incref(json_object_get(nw, "status"));
    json_decref(nw);
    nw = json_deep_copy(old);
    if (st) json_object_set_new(nw, "status", st);
  } else if (has_status_sub(c->res)) {
    json_t *st = json_object_get(old, "status");
    if (st) json_object_set(nw, "status", st);
    else json_object_del(nw, "status");
  }
  json_t *meta = sim_util_jobj(nw, "metadata");
  if (sim_util_jpath(old, "metadata.deletionTimestamp")) json_object_set(meta, "deletionTimestamp", sim_util_jpath(old, "metadata.deletionTimestamp"));
  if (dry) return sim_api_json(c->resp, 200, sim_store_preview_update(&c->w->st, (simr_kind)c->res, nw));
  const json_t *stored = sim_store_update(&c->w->st, (simr_kind)c->res, nw);
  sim_api_json_stored(c->resp, 200, json_incref((json_t *)stored));
}

/* PUT: replaces an object (or its status/scale) and answers it, or a Status. */
void sim_api_update(api_call *c) {
  int dry = sim_api_dry_run(c, NULL);
  const json_t *old = dry < 0 ? NULL : sim_api_existing(c);
  json_t *body = old ? sim_api_body(c) : NULL;
  if (!body) return;
  if (!sim_api_decodes(c, body, true) || !body_matches_url(c, body)) return json_decref(body);
  const char *bn = sim_util_jstr(body, "metadata.name", "");
  if (strcmp(bn, c->name)) {
    char *m = strutil_printf("the name of the object (%s) does not match the name on the URL (%s)", bn, c->name);
    sim_api_fail(c->resp, SIMST_BAD_REQUEST, m);
    free(m);
    return json_decref(body);
  }
  replace(c, old, body, false, dry);
}

/* Returns the target patched by the request body (new), or answers and returns NULL. */
static json_t *apply_patch(api_call *c, const json_t *target) {
  simp_type t = sim_patch_type_of(sim_api_header(c->req, "Content-Type"));
  if (t == SIMP_NONE || t == SIMP_APPLY) {
    sim_api_fail(c->resp, SIMST_UNSUPPORTED_MEDIA,
                 "the body of the request was in an unknown format - accepted media types include: "
                 "application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json");
    return NULL;
  }
  json_t *patch = sim_api_body(c), *out = NULL;
  char *err = NULL;
  if (!patch) return NULL;
  if (t == SIMP_JSON) out = sim_patch_json(target, patch, &err);
  else if (t == SIMP_MERGE) out = json_is_object(patch) ? sim_patch_merge(target, patch) : NULL;
  else out = sim_patch_strategic(target, patch, &err);
  if (!out && t == SIMP_JSON) sim_api_status(c->resp, sim_status_status(SIMST_INVALID, err, NULL));
  else if (!out) sim_api_fail(c->resp, SIMST_BAD_REQUEST, err ? err : "a merge patch must be a JSON object");
  free(err);
  json_decref(patch);
  return out;
}

/* PATCH (merge, strategic merge, JSON patch): updates an object and answers it, or a Status. */
void sim_api_patch(api_call *c) {
  int dry = sim_api_dry_run(c, NULL);
  const json_t *old = dry < 0 ? NULL : sim_api_existing(c);
  if (!old) return;
  if (sim_api_fault_conflict(c)) return sim_api_status(c->resp, sim_status_conflict((simr_kind)c->res, c->name));
  json_t *nw = apply_patch(c, old);
  if (nw && !sim_api_decodes(c, nw, false)) return json_decref(nw);
  if (nw) replace(c, old, nw, false, dry);
}

/* The status subresource: GET, PUT, PATCH. */
void sim_api_status_sub(api_call *c) {
  int dry = strcmp(c->req->method, "GET") ? sim_api_dry_run(c, NULL) : 0;
  const json_t *old = dry < 0 ? NULL : sim_api_existing(c);
  if (!old || !strcmp(c->req->method, "GET")) {
    if (old) sim_api_json_stored(c->resp, 200, json_incref((json_t *)old));
    return;
  }
  json_t *nw = !strcmp(c->req->method, "PATCH") ? apply_patch(c, old) : sim_api_body(c);
  if (nw && !json_is_object(nw)) return json_decref(nw), sim_api_fail(c->resp, SIMST_BAD_REQUEST, "the body must be an object");
  if (nw) replace(c, old, nw, true, dry);
}
