/* sim_api_verbs.c — reading resources: get, list (selectors, pagination), and the shared lookups. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_api.h"

/* Answers 404 unless the call's namespace exists; returns true when it does. */
bool sim_api_namespace_exists(api_call *c) {
  if (!c->ns || sim_store_get(&c->w->st, SIMR_NAMESPACES, NULL, c->ns)) return true;
  sim_api_status(c->resp, sim_status_not_found(SIMR_NAMESPACES, c->ns));
  return false;
}

/* Returns the object named by the call, or answers 404 and returns NULL. */
const json_t *sim_api_existing(api_call *c) {
  const json_t *o = sim_store_get(&c->w->st, (simr_kind)c->res, c->ns, c->name);
  if (!o) sim_api_status(c->resp, sim_status_not_found((simr_kind)c->res, c->name));
  return o;
}

/* The verbs on resources (sim_api_verbs.c, sim_api_write.c). */
void sim_api_get(api_call *c) {
  const json_t *o = sim_api_existing(c);
  if (o) sim_api_json_stored(c->resp, 200, json_incref((json_t *)o));
}

/* A continue token: the list's resourceVersion and the last key returned. */
static char *make_continue(uint64_t rv, const char *key) {
  json_t *t = json_pack("{s:I,s:s}", "rv", (json_int_t)rv, "start", key);
  char *text = json_dumps(t, JSON_COMPACT);
  json_decref(t);
  char *b64 = sim_util_base64(text, strlen(text));
  free(text);
  return b64;
}

/* Returns the value of one base64 character, or -1. */
static int b64val(char ch) {
  static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const char *p = ch ? strchr(tbl, ch) : NULL;
  return p ? (int)(p - tbl) : -1;
}

/* Decodes a continue token into rv and start key (new); false when malformed. */
static bool parse_continue(const char *tok, uint64_t *rv, char **start) {
  size_t n = strlen(tok), j = 0;
  char *buf = malloc(n + 1);
  uint32_t acc = 0;
  int bits = 0;
  for (size_t i = 0; buf && i < n && tok[i] != '='; i++) {
    int v = b64val(tok[i]);
    if (v < 0) return free(buf), false;
    acc = acc << 6 | (uint32_t)v, bits += 6;
    if (bits >= 8) bits -= 8, buf[j++] = (char)(acc >> bits & 0xff);
  }
  if (!buf) return false;
  buf[j] = 0;
  json_t *t = json_loads(buf, 0, NULL);
  free(buf);
  bool ok = json_is_integer(json_object_get(t, "rv")) && json_is_string(json_object_get(t, "start"));
  if (ok) *rv = (uint64_t)json_integer_value(json_object_get(t, "rv")), *start = strdup(sim_util_jstr(t, "start", ""));
  json_decref(t);
  return ok;
}

/* Parses the call's labelSelector and fieldSelector; answers 400 and returns false when bad. */
bool sim_api_selectors(api_call *c, simsel *labels, simsel *fields) {
  char *ls = sim_api_query(c, "labelSelector"), *fs = sim_api_query(c, "fieldSelector"), *err = NULL;
  bool ok = sim_sel_parse_labels(ls, labels, &err);
  if (ok && !sim_sel_parse_fields(fs, (simr_kind)c->res, fields, &err)) sim_sel_free(labels), ok = false;
  if (!ok) sim_api_fail(c->resp, SIMST_BAD_REQUEST, err);
  free(ls), free(fs), free(err);
  return ok;
}

/* Returns true when the object matches both selectors. */
bool sim_api_matches(const simsel *labels, const simsel *fields, const json_t *o) {
  return sim_sel_match_labels(labels, sim_util_jpath(o, "metadata.labels")) && sim_sel_match_fields(fields, o);
}

/* Returns the list's items after the continue key, at most limit (0: all); sets *more. */
static json_t *page(api_call *c, json_t *items, const char *start, long limit, size_t *remaining) {
  json_t *out = json_array();
  size_t i, n = 0;
  json_t *o;
  *remaining = 0;
  json_array_foreach(items, i, o) {
    char *key = sim_store_key((simr_kind)c->res, sim_util_jstr(o, "metadata.namespace", ""), sim_util_jstr(o, "metadata.name", ""));
    bool after = !start || strcmp(key, start) > 0;
    free(key);
    if (!after) continue;
    if (limit > 0 && (long)n >= limit) (*remaining)++;
    else json_array_append(out, o), n++;
  }
  return out;
}

/* GET of a collection: answers the matching objects as a list, or starts a watch. */
void sim_api_list(api_call *c) {
  simsel labels, fields;
  if (!sim_api_selectors(c, &labels, &fields)) return;
  char *lim = sim_api_query(c, "limit"), *cont = sim_api_query(c, "continue"), *start = NULL;
  uint64_t rv = c->w->st.rv, crv = 0;
  if (cont && *cont && (!parse_continue(cont, &crv, &start) || crv < c->w->st.floor_rv)) {
    sim_api_fail(c->resp, SIMST_EXPIRED,
                 "The provided continue parameter is too old to display a consistent list result. You can start a new "
                 "list without the continue parameter, or use the continue token in this response to retrieve the "
                 "remainder of the results. Continuing with the provided token results in an inconsistent list - objects "
                 "that were created, modified, or deleted between the time the first chunk was returned and now may show "
                 "up in the list.");
  } else {
    json_t *all = sim_store_list(&c->w->st, (simr_kind)c->res, c->ns), *items = json_array();
    size_t i, remaining;
    json_t *o;
    json_array_foreach(all, i, o) if (sim_api_matches(&labels, &fields, o)) json_array_append(items, o);
    json_t *pg = page(c, items, start, lim ? strtol(lim, NULL, 10) : 0, &remaining);
    char rvs[32], kind[64];
    snprintf(rvs, sizeof rvs, "%" PRIu64, rv);
    snprintf(kind, sizeof kind, "%sList", sim_res_info_of((simr_kind)c->res)->kind);
    json_t *meta = json_pack("{s:s}", "resourceVersion", rvs);
    if (remaining) {
      json_t *last = json_array_get(pg, json_array_size(pg) - 1);
      char *key = sim_store_key((simr_kind)c->res, sim_util_jstr(last, "metadata.namespace", ""), sim_util_jstr(last, "metadata.name", ""));
      char *tok = make_continue(rv, key);
      sim_util_jset_str(meta, "continue", tok);
      json_object_set_new(meta, "remainingItemCount", json_integer((json_int_t)remaining));
      free(key), free(tok);
    }
    sim_api_json_stored(c->resp, 200, json_pack("{s:s,s:s,s:o,s:o}", "kind", kind, "apiVersion",
                                         sim_res_api_version((simr_kind)c->res), "metadata", meta, "items", pg));
    json_decref(all), json_decref(items);
  }
  sim_sel_free(&labels), sim_sel_free(&fields);
  free(lim), free(cont), free(start);
}
