/* sim_sel.c — parsing and matching label and field selectors. */
#include "sim_sel.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "grow.h"
#include "sim_util.h"

typedef struct {
  const char *p;
  char *err;
} cursor;

/* Skips spaces. */
static void skip_ws(cursor *c) {
  while (*c->p == ' ' || *c->p == '\t') c->p++;
}

/* Returns true for characters allowed in label keys and values. */
static bool is_word(char ch) {
  return isalnum((unsigned char)ch) || ch == '-' || ch == '_' || ch == '.' || ch == '/';
}

/* Returns the next word (new string, possibly empty). */
static char *read_word(cursor *c) {
  skip_ws(c);
  const char *s = c->p;
  while (is_word(*c->p)) c->p++;
  return strndup(s, (size_t)(c->p - s));
}

/* Appends a value to a requirement (takes v). */
static bool add_value(simsel_req *r, char *v) {
  if (!v || !GROW(r->values, r->cap, r->n + 1)) {
    free(v);
    return false;
  }
  r->values[r->n++] = v;
  return true;
}

/* Appends a requirement (takes its contents). */
static bool add_req(simsel *s, simsel_req r) {
  if (!GROW(s->reqs, s->cap, s->n + 1)) return false;
  s->reqs[s->n++] = r;
  return true;
}

/* Releases one requirement. */
static void req_free(simsel_req *r) {
  free(r->key);
  for (size_t i = 0; i < r->n; i++) free(r->values[i]);
  free(r->values);
}

/* Parses "(a, b)" into r's values; returns false on a syntax error. */
static bool parse_set(cursor *c, simsel_req *r) {
  skip_ws(c);
  if (*c->p != '(') return false;
  c->p++;
  for (;;) {
    if (!add_value(r, read_word(c))) return false;
    skip_ws(c);
    if (*c->p == ',') c->p++;
    else if (*c->p == ')') return c->p++, true;
    else return false;
  }
}

/* Parses the operator and value(s) after a key; returns false on a syntax error. */
static bool parse_op(cursor *c, simsel_req *r, bool fields) {
  skip_ws(c);
  if (!*c->p || *c->p == ',') {
    r->op = SIMSEL_EXISTS;
    return !fields;
  }
  if (!strncmp(c->p, "==", 2) || *c->p == '=' || !strncmp(c->p, "!=", 2)) {
    r->op = *c->p == '!' ? SIMSEL_NEQ : SIMSEL_EQ;
    c->p += (*c->p == '=' && c->p[1] != '=') ? 1 : 2;
    if (fields) {
      const char *s = c->p;
      while (*c->p && *c->p != ',') c->p++;
      return add_value(r, strndup(s, (size_t)(c->p - s)));
    }
    return add_value(r, read_word(c));
  }
  if (fields) return false;
  char *word = read_word(c);
  bool in = word && !strcmp(word, "in"), notin = word && !strcmp(word, "notin");
  free(word);
  if (!in && !notin) return false;
  r->op = in ? SIMSEL_IN : SIMSEL_NOTIN;
  return parse_set(c, r);
}

/* Parses a selector of either flavour. */
static bool parse(const char *text, simsel *out, bool fields, char **err) {
  memset(out, 0, sizeof *out);
  cursor c = {text ? text : "", NULL};
  skip_ws(&c);
  while (*c.p) {
    simsel_req r = {0};
    if (!fields && *c.p == '!') {
      c.p++;
      r.op = SIMSEL_NOTEXISTS;
      r.key = read_word(&c);
    } else {
      r.key = read_word(&c);
      if (r.key && *r.key && !parse_op(&c, &r, fields)) r.key[0] = 0;
    }
    skip_ws(&c);
    if (!r.key || !*r.key || (*c.p && *c.p != ',') || !add_req(out, r)) {
      req_free(&r);
      sim_sel_free(out);
      if (err) *err = strutil_printf("unable to parse requirement: found '%s', expected: identifier", c.p);
      return false;
    }
    if (*c.p == ',') c.p++;
    skip_ws(&c);
  }
  return true;
}

/* Parses a label selector ("app=web,tier in (a,b),!canary"). */
bool sim_sel_parse_labels(const char *text, simsel *out, char **err) { return parse(text, out, false, err); }

/* Returns true when the resource supports the field in field selectors. */
static bool field_supported(simr_kind res, const char *f) {
  static const char *const pods[] = {"spec.nodeName", "spec.restartPolicy", "spec.schedulerName",
                                     "spec.serviceAccountName", "status.phase", "status.podIP",
                                     "status.nominatedNodeName", NULL};
  static const char *const events[] = {"involvedObject.kind", "involvedObject.namespace",
                                       "involvedObject.name", "involvedObject.uid",
                                       "involvedObject.apiVersion", "involvedObject.resourceVersion",
                                       "involvedObject.fieldPath", "reason", "reportingComponent",
                                       "source", "type", NULL};
  static const char *const secrets[] = {"type", NULL};
  static const char *const namespaces[] = {"status.phase", NULL};
  static const char *const replicasets[] = {"status.replicas", NULL};
  static const char *const jobs[] = {"status.successful", NULL};
  const char *const *extra = res == SIMR_PODS ? pods : res == SIMR_EVENTS ? events
                           : res == SIMR_SECRETS ? secrets : res == SIMR_NAMESPACES ? namespaces
                           : res == SIMR_REPLICASETS ? replicasets : res == SIMR_JOBS ? jobs : NULL;
  if (!strcmp(f, "metadata.name") || !strcmp(f, "metadata.namespace")) return true;
  for (size_t i = 0; extra && extra[i]; i++)
    if (!strcmp(extra[i], f)) return true;
  return false;
}

/* Parses a field selector ("metadata.name=x,status.phase!=Running"), checking that the resource supports
 * each field as the real API server does. */
bool sim_sel_parse_fields(const char *text, simr_kind res, simsel *out, char **err) {
  if (!parse(text, out, true, err)) return false;
  for (size_t i = 0; i < out->n; i++)
    if (!field_supported(res, out->reqs[i].key)) {
      if (err) *err = strutil_printf("field label not supported: %s", out->reqs[i].key);
      sim_sel_free(out);
      return false;
    }
  return true;
}

/* Adds one matchExpressions entry; returns false when it is malformed. */
static bool add_expression(simsel *out, const json_t *e) {
  static const struct { const char *name; simsel_op op; } ops[] = {
      {"In", SIMSEL_IN}, {"NotIn", SIMSEL_NOTIN}, {"Exists", SIMSEL_EXISTS}, {"DoesNotExist", SIMSEL_NOTEXISTS}};
  const char *key = sim_util_jstr(e, "key", NULL), *op = sim_util_jstr(e, "operator", "");
  for (size_t i = 0; key && i < sizeof ops / sizeof *ops; i++) {
    if (strcmp(ops[i].name, op)) continue;
    simsel_req r = {strdup(key), ops[i].op, NULL, 0, 0};
    size_t j;
    json_t *v;
    json_array_foreach(json_object_get(e, "values"), j, v)
      if (json_is_string(v)) add_value(&r, strdup(json_string_value(v)));
    if (add_req(out, r)) return true;
    req_free(&r);
    return false;
  }
  return false;
}

/* Adds key=value requirements for every member of a label map. */
static bool add_map(simsel *out, const json_t *map) {
  const char *k;
  json_t *v;
  json_object_foreach((json_t *)map, k, v) {
    simsel_req r = {strdup(k), SIMSEL_EQ, NULL, 0, 0};
    if (!json_is_string(v) || !add_value(&r, strdup(json_string_value(v))) || !add_req(out, r)) {
      req_free(&r);
      return false;
    }
  }
  return true;
}

/* Builds a selector from a LabelSelector object (matchLabels, matchExpressions) or from a plain label map
 * (a Service's spec.selector). */
bool sim_sel_from_json(const json_t *selector, simsel *out, char **err) {
  memset(out, 0, sizeof *out);
  if (!selector || json_is_null(selector)) return true;
  bool structured = json_object_get(selector, "matchLabels") || json_object_get(selector, "matchExpressions");
  bool ok = json_is_object(selector);
  if (ok && structured) {
    json_t *ml = json_object_get(selector, "matchLabels");
    ok = !ml || add_map(out, ml);
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(selector, "matchExpressions"), i, e) ok = ok && add_expression(out, e);
  } else if (ok) {
    ok = add_map(out, selector);
  }
  if (!ok) {
    sim_sel_free(out);
    if (err) *err = strdup("invalid label selector");
  }
  return ok;
}

/* Returns true when value is one of the requirement's values. */
static bool in_values(const simsel_req *r, const char *value) {
  for (size_t i = 0; i < r->n; i++)
    if (!strcmp(r->values[i], value)) return true;
  return false;
}

/* Returns true when a (possibly absent) value satisfies one requirement. */
static bool req_match(const simsel_req *r, const char *value) {
  switch (r->op) {
    case SIMSEL_EQ: return value && in_values(r, value);
    case SIMSEL_NEQ: return !value || !in_values(r, value);
    case SIMSEL_IN: return value && in_values(r, value);
    case SIMSEL_NOTIN: return !value || !in_values(r, value);
    case SIMSEL_EXISTS: return value != NULL;
    case SIMSEL_NOTEXISTS: return value == NULL;
  }
  return false;
}

/* Returns true when the labels (an object, may be NULL) satisfy the selector. */
bool sim_sel_match_labels(const simsel *s, const json_t *labels) {
  for (size_t i = 0; i < s->n; i++)
    if (!req_match(&s->reqs[i], json_string_value(json_object_get(labels, s->reqs[i].key)))) return false;
  return true;
}

/* Returns true when the object's fields satisfy a field selector. */
bool sim_sel_match_fields(const simsel *s, const json_t *obj) {
  for (size_t i = 0; i < s->n; i++) {
    const char *key = s->reqs[i].key;
    json_t *v = sim_util_jpath(obj, !strcmp(key, "source") ? "source.component" : key);
    char num[32];
    const char *value = json_string_value(v);
    if (json_is_integer(v)) snprintf(num, sizeof num, "%lld", (long long)json_integer_value(v)), value = num;
    if (!req_match(&s->reqs[i], value ? value : "")) return false;
  }
  return true;
}

/* Returns true when the object's labels satisfy the selector given as JSON (see sim_sel_from_json); an
 * invalid selector matches nothing. */
bool sim_sel_json_matches(const json_t *selector, const json_t *obj) {
  simsel s;
  if (!sim_sel_from_json(selector, &s, NULL)) return false;
  bool ok = sim_sel_match_labels(&s, sim_util_jpath(obj, "metadata.labels"));
  sim_sel_free(&s);
  return ok;
}

/* Returns the selector in text form ("app=x,tier in (a,b)") (caller frees). */
char *sim_sel_format(const simsel *s) {
  valbuf b = {0};
  for (size_t i = 0; i < s->n; i++) {
    const simsel_req *r = &s->reqs[i];
    if (i) valbuf_put(&b, ",", 1);
    if (r->op == SIMSEL_NOTEXISTS) valbuf_printf(&b, "!%s", r->key);
    else if (r->op == SIMSEL_EXISTS) valbuf_printf(&b, "%s", r->key);
    else if (r->op == SIMSEL_EQ || r->op == SIMSEL_NEQ)
      valbuf_printf(&b, "%s%s%s", r->key, r->op == SIMSEL_EQ ? "=" : "!=", r->n ? r->values[0] : "");
    else {
      valbuf_printf(&b, "%s %s (", r->key, r->op == SIMSEL_IN ? "in" : "notin");
      for (size_t j = 0; j < r->n; j++) valbuf_printf(&b, "%s%s", j ? "," : "", r->values[j]);
      valbuf_put(&b, ")", 1);
    }
  }
  return valbuf_take(&b, NULL);
}

/* Releases what the selector owns and empties it. */
void sim_sel_free(simsel *s) {
  for (size_t i = 0; i < s->n; i++) req_free(&s->reqs[i]);
  free(s->reqs);
  s->reqs = NULL;
  s->n = s->cap = 0;
}
