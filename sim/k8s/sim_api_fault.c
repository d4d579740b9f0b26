/* sim_api_fault.c — faults injected into API requests from the scenario, driven by the seeded PRNG:
 * latency, 5xx/429 answers with Retry-After, dropped connections (the request not processed),
 * 409s on named patches, and lost responses (a named write applied, its answer dropped). */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "sim_api.h"

/* Answers with an injected error code. */
static void inject_error(api_call *c, int code) {
  char ra[32];
  snprintf(ra, sizeof ra, "%lld", (long long)c->w->faults.retry_after_s);
  if (code == 429) {
    json_t *st = sim_status_status(SIMST_TOO_MANY_REQUESTS, "Too many requests, please try again later.",
                                   json_pack("{s:I}", "retryAfterSeconds", (json_int_t)c->w->faults.retry_after_s));
    sim_api_status(c->resp, st);
    sim_api_add_header(c->resp, "Retry-After", ra);
  } else if (code == 503) {
    sim_api_fail(c->resp, SIMST_SERVICE_UNAVAILABLE, "the server is currently unable to handle the request");
    sim_api_add_header(c->resp, "Retry-After", ra);
  } else if (code == 504) {
    sim_api_fail(c->resp, SIMST_TIMEOUT, "the server was unable to return a response in the time allotted");
  } else {
    sim_api_fail(c->resp, SIMST_INTERNAL, "Internal error occurred: injected fault");
    c->resp->status = code;
  }
}

/* Applies the scenario's API faults; returns true when the request was answered by a fault. */
bool sim_api_fault(api_call *c) {
  simw_faults *f = &c->w->faults;
  if (f->latency_max > 0) c->resp->delay_ms = sim_util_rng_range(&c->w->rng, f->latency_min, f->latency_max);
  if (f->drop_rate > 0 && sim_util_rng_unit(&c->w->rng) < f->drop_rate) {
    c->resp->drop = true;
    c->resp->status = 0;
    return true;
  }
  if (f->error_rate > 0 && sim_util_rng_unit(&c->w->rng) < f->error_rate && json_array_size(f->error_codes)) {
    size_t i = (size_t)sim_util_rng_range(&c->w->rng, 0, (int64_t)json_array_size(f->error_codes) - 1);
    inject_error(c, (int)json_integer_value(json_array_get(f->error_codes, i)));
    return true;
  }
  return false;
}

/* Returns true (and consumes one) when the scenario drops the answer of this write: it is applied
 * and its answer lost. */
bool sim_api_fault_lost(api_call *c) {
  const char *m = c->req->method;
  if (!strcmp(m, "GET") || !strcmp(m, "HEAD") || !strcmp(m, "OPTIONS")) return false;
  size_t i;
  json_t *r;
  json_array_foreach(c->w->faults.lost, i, r) {
    const char *rm = sim_util_jstr(r, "method", NULL), *rp = sim_util_jstr(r, "path", NULL);
    json_int_t times = sim_util_jint(r, "times", 1);
    if (!times || (rm && strcasecmp(rm, m)) || (rp && !strstr(c->req->path, rp))) continue;
    if (times > 0) json_object_set_new(r, "times", json_integer(times - 1));
    c->resp->drop = true; /* applied; the answer is dropped (the HTTP door closes the connection) */
    return true;
  }
  return false;
}

/* Returns true (and consumes one) when the scenario injects a 409 on this patch. */
bool sim_api_fault_conflict(api_call *c) {
  size_t i;
  json_t *r;
  json_array_foreach(c->w->faults.conflicts, i, r) {
    const char *res = sim_util_jstr(r, "resource", "deployments"), *ns = sim_util_jstr(r, "namespace", NULL);
    json_int_t times = sim_util_jint(r, "times", 1);
    if (times <= 0 || strcmp(res, sim_res_info_of((simr_kind)c->res)->plural) || strcmp(sim_util_jstr(r, "name", ""), c->name) ||
        (ns && c->ns && strcmp(ns, c->ns)))
      continue;
    json_object_set_new(r, "times", json_integer(times - 1));
    return true;
  }
  return false;
}
