/* sim_api_dryrun.c — the request options every write shares: dryRun (the API server's check of its
 * values, and keeping a dry run from consuming the world's random streams) and the decoder's
 * field-type checks. */
#include <stdlib.h>
#include <string.h>

#include "sim_api.h"
#include "sim_schema.h"
#include "sim_valid.h"

/* Returns the options kind the API server names in its errors for this method. */
static const char *options_kind(const char *method) {
  if (!strcmp(method, "POST")) return "CreateOptions.meta.k8s.io";
  if (!strcmp(method, "PUT")) return "UpdateOptions.meta.k8s.io";
  if (!strcmp(method, "PATCH")) return "PatchOptions.meta.k8s.io";
  return "DeleteOptions.meta.k8s.io";
}

/* Reads the dryRun option: 1 for "All", 0 when absent, -1 after answering 422 for another value. */
int sim_api_dry_run(api_call *c, const json_t *opts) {
  json_t *vals = json_array();
  char *q = sim_api_query(c, "dryRun");
  if (q) json_array_append_new(vals, json_string(q));
  free(q);
  json_t *body = json_object_get(opts, "dryRun");
  size_t i;
  json_t *v;
  json_array_foreach(body, i, v) json_array_append(vals, v);
  bool bad = false;
  json_array_foreach(vals, i, v) bad |= !json_is_string(v) || strcmp(json_string_value(v), "All");
  int r = json_array_size(vals) ? 1 : 0;
  if (bad) {
    json_t *errs = json_array();
    sim_valid_unsupported(errs, "dryRun", vals, SIMV_STRINGS, "\"All\"");
    sim_api_status(c->resp, sim_valid_status((simr_kind)c->res, options_kind(c->req->method), "", errs));
    r = -1;
  }
  json_decref(vals);
  return r;
}

/* Restores what a dry run must not consume (the uid and name streams) from a saved world. */
void sim_api_dry_restore(api_call *c, const sim_rng *rng, const sim_rng *uid_rng) {
  c->w->rng = *rng;
  c->w->st.uid_rng = *uid_rng;
}

/* Checks an object's field types like the decoder: a request body (body true; also unknown fields
 * under fieldValidation=Strict) fails with 400 `K in version "v1" cannot be handled as a K: …`, the
 * result of a patch with 422 `"" is invalid: patch: Invalid value: "<patched JSON>": …`. Answers
 * and returns false when it fails. */
bool sim_api_decodes(api_call *c, const json_t *obj, bool body) {
  char *fv = sim_api_query(c, "fieldValidation");
  bool strict = body && fv && !strcmp(fv, "Strict");
  free(fv);
  char *err = sim_schema_check((simr_kind)c->res, obj, strict);
  if (!err) return true;
  const simr_info *i = sim_res_info_of((simr_kind)c->res);
  if (body) {
    char *m = strutil_printf("%s in version \"%s\" cannot be handled as a %s: %s", i->kind, i->version, i->kind, err);
    sim_api_fail(c->resp, SIMST_BAD_REQUEST, m);
    free(m);
  } else {
    json_t *errs = json_array(), *text = json_string_nocheck("");
    char *js = json_dumps(obj, JSON_COMPACT);
    json_string_set(text, js ? js : "");
    sim_valid_invalid(errs, "patch", text, SIMV_PLAIN, err);
    sim_api_status(c->resp, sim_valid_status((simr_kind)c->res, "", "", errs));
    free(js), json_decref(text);
  }
  free(err);
  return false;
}
