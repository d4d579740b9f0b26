/* sim_valid.c — field errors worded like k8s.io/apimachinery's field.Error, the 422 Status that
 * aggregates them, and the name and label syntax rules (k8s.io/apimachinery/pkg/util/validation). */
#include "sim_valid.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "sim_status.h"
#include "sim_util.h"

/* Appends s as Go's %q prints it. */
static void go_quote(valbuf *b, const char *s) {
  json_t *j = json_string(s ? s : "");
  char *t = json_dumps(j, JSON_ENCODE_ANY);
  valbuf_puts(b, t ? t : "\"\"");
  free(t);
  json_decref(j);
}

/* Appends a map[string]string as %#v prints it (keys sorted). */
static void go_map(valbuf *b, const json_t *m) {
  if (!json_is_object(m)) return valbuf_puts(b, "map[string]string(nil)");
  valbuf_puts(b, "map[string]string{");
  size_t n = json_object_size(m), i = 0;
  const char **keys = calloc(n ? n : 1, sizeof *keys);
  const char *k;
  json_t *v;
  json_object_foreach((json_t *)m, k, v) keys[i++] = k;
  for (size_t a = 1; a < n; a++)
    for (size_t z = a; z > 0 && strcmp(keys[z - 1], keys[z]) > 0; z--) {
      const char *t = keys[z];
      keys[z] = keys[z - 1], keys[z - 1] = t;
    }
  for (i = 0; i < n; i++) {
    if (i) valbuf_puts(b, ", ");
    go_quote(b, keys[i]);
    valbuf_puts(b, ":");
    go_quote(b, json_string_value(json_object_get(m, keys[i])));
  }
  free(keys);
  valbuf_puts(b, "}");
}

/* Appends a []string as %#v prints it. */
static void go_strings(valbuf *b, const json_t *a) {
  if (!json_is_array(a)) return valbuf_puts(b, "[]string(nil)");
  valbuf_puts(b, "[]string{");
  size_t i;
  json_t *v;
  json_array_foreach((json_t *)a, i, v) {
    if (i) valbuf_puts(b, ", ");
    go_quote(b, json_string_value(v));
  }
  valbuf_puts(b, "}");
}

/* Appends a v1.LabelSelector as %#v prints it. */
static void go_selector(valbuf *b, const json_t *s) {
  valbuf_puts(b, "v1.LabelSelector{MatchLabels:");
  go_map(b, json_object_get(s, "matchLabels"));
  const json_t *ex = json_object_get(s, "matchExpressions");
  valbuf_puts(b, ", MatchExpressions:[]v1.LabelSelectorRequirement");
  if (!json_array_size(ex)) valbuf_puts(b, json_is_array(ex) ? "{}" : "(nil)");
  else {
    valbuf_puts(b, "{");
    size_t i;
    json_t *r;
    json_array_foreach((json_t *)ex, i, r) {
      if (i) valbuf_puts(b, ", ");
      valbuf_puts(b, "v1.LabelSelectorRequirement{Key:");
      go_quote(b, sim_util_jstr(r, "key", ""));
      valbuf_puts(b, ", Operator:");
      go_quote(b, sim_util_jstr(r, "operator", ""));
      valbuf_puts(b, ", Values:");
      go_strings(b, json_object_get(r, "values"));
      valbuf_puts(b, "}");
    }
    valbuf_puts(b, "}");
  }
  valbuf_puts(b, "}");
}

/* Returns the value as field.Error prints it (caller frees). */
char *sim_valid_go(const json_t *v, simv_hint hint) {
  valbuf b = {0};
  
  if (!v || json_is_null(v)) valbuf_puts(&b, hint == SIMV_MAP ? "map[string]string(nil)" : "null");
  else if (hint == SIMV_MAP) go_map(&b, v);
  else if (hint == SIMV_SELECTOR) go_selector(&b, v);
  else if (hint == SIMV_STRINGS) go_strings(&b, v);
  else if (json_is_string(v)) go_quote(&b, json_string_value(v));
  else {
    char *t = json_dumps(v, SIMU_JSON_FLAGS);
    valbuf_puts(&b, t ? t : "null");
    free(t);
  }
  return valbuf_take(&b, NULL);
}

/* Adds one cause (takes body). */
static void add(json_t *errs, const char *reason, const char *field, char *body) {
  json_array_append_new(errs, json_pack("{s:s,s:s,s:s}", "reason", reason, "message", body ? body : "", "field", field));
  free(body);
}

/* Adds `FIELD: Invalid value: VALUE: DETAIL` (FieldValueInvalid). */
void sim_valid_invalid(json_t *errs, const char *field, const json_t *value, simv_hint hint, const char *detail) {
  char *v = sim_valid_go(value, hint);
  add(errs, "FieldValueInvalid", field, strutil_printf("Invalid value: %s: %s", v, detail));
  free(v);
}

/* Adds `FIELD: Required value[: DETAIL]` (FieldValueRequired; detail may be NULL). */
void sim_valid_required(json_t *errs, const char *field, const char *detail) {
  add(errs, "FieldValueRequired", field, detail ? strutil_printf("Required value: %s", detail) : strdup("Required value"));
}

/* Adds `FIELD: Unsupported value: VALUE: supported values: SUPPORTED` (FieldValueNotSupported). */
void sim_valid_unsupported(json_t *errs, const char *field, const json_t *value, simv_hint hint, const char *supported) {
  char *v = sim_valid_go(value, hint);
  add(errs, "FieldValueNotSupported", field, strutil_printf("Unsupported value: %s: supported values: %s", v, supported));
  free(v);
}

/* Adds `FIELD: Duplicate value: VALUE` (FieldValueDuplicate). */
void sim_valid_duplicate(json_t *errs, const char *field, const json_t *value) {
  char *v = sim_valid_go(value, SIMV_PLAIN);
  add(errs, "FieldValueDuplicate", field, strutil_printf("Duplicate value: %s", v));
  free(v);
}

/* Returns the 422 Status for the collected errors (takes errs), or NULL when there are none. */
json_t *sim_valid_status(simr_kind res, const char *group_kind, const char *name, json_t *errs) {
  if (!json_array_size(errs)) return json_decref(errs), NULL;
  const simr_info *info = sim_res_info_of(res);
  char *gk = group_kind ? strdup(group_kind)
                        : info->group[0] ? strutil_printf("%s.%s", info->kind, info->group) : strdup(info->kind);
  valbuf b = {0};
  
  valbuf_printf(&b, "%s \"%s\" is invalid: ", gk, name ? name : "");
  if (json_array_size(errs) > 1) valbuf_puts(&b, "[");
  size_t i;
  json_t *e;
  json_array_foreach(errs, i, e) {
    if (i) valbuf_puts(&b, ", ");
    valbuf_printf(&b, "%s: %s", sim_util_jstr(e, "field", ""), sim_util_jstr(e, "message", ""));
  }
  if (json_array_size(errs) > 1) valbuf_puts(&b, "]");
  json_t *d = json_object(); /* empty members are left out, as the API server's omitempty does */
  if (name && *name) sim_util_jset_str(d, "name", name);
  const char *dot = strchr(gk, '.');
  if (group_kind) {
    char *kind = strndup(gk, dot ? (size_t)(dot - gk) : strlen(gk));
    if (dot) sim_util_jset_str(d, "group", dot + 1);
    if (*kind) sim_util_jset_str(d, "kind", kind);
    free(kind);
  } else {
    if (info->group[0]) sim_util_jset_str(d, "group", info->group);
    sim_util_jset_str(d, "kind", info->kind);
  }
  json_object_set_new(d, "causes", errs);
  char *msg = valbuf_take(&b, NULL);
  json_t *st = sim_status_status(SIMST_INVALID, msg, d);
  free(msg), free(gk);
  return st;
}

#define RX_LABEL "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
#define MSG_LABEL                                                                                              \
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and " \
  "end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '" RX_LABEL "')"
#define MSG_SUBDOMAIN                                                                                          \
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must "  \
  "start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '" RX_LABEL \
  "(\\." RX_LABEL ")*')"
#define MSG_DNS1035                                                                                            \
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic "     \
  "character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for "        \
  "validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"
#define RX_QNAME "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
#define MSG_QNAME                                                                                              \
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric "    \
  "character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '" RX_QNAME "')"
#define MSG_LABEL_VALUE                                                                                        \
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must "   \
  "start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for " \
  "validation is '(" RX_QNAME ")?')"

/* Returns true when s[0..n) is a DNS-1123 label ([a-z0-9]([-a-z0-9]*[a-z0-9])?), or a DNS-1035 one. */
static bool is_label(const char *s, size_t n, bool dns1035) {
  if (!n || !isalnum((unsigned char)s[n - 1]) || (dns1035 ? !islower((unsigned char)s[0]) : !isalnum((unsigned char)s[0])))
    return false;
  for (size_t i = 0; i < n; i++)
    if (!(islower((unsigned char)s[i]) || isdigit((unsigned char)s[i]) || s[i] == '-')) return false;
  return true;
}

/* Returns true when s is a DNS-1123 subdomain (dot-separated labels; length not checked). */
static bool is_subdomain(const char *s) {
  for (const char *p = s;;) {
    const char *dot = strchr(p, '.');
    size_t n = dot ? (size_t)(dot - p) : strlen(p);
    if (!is_label(p, n, false)) return false;
    if (!dot) return true;
    p = dot + 1;
  }
}

/* Returns true when s[0..n) matches ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]. */
static bool is_qname(const char *s, size_t n) {
  if (!n || !isalnum((unsigned char)s[0]) || !isalnum((unsigned char)s[n - 1])) return false;
  for (size_t i = 0; i < n; i++)
    if (!(isalnum((unsigned char)s[i]) || s[i] == '-' || s[i] == '_' || s[i] == '.')) return false;
  return true;
}

/* Adds the errors of a name: DNS-1123 subdomain, DNS-1123 label or DNS-1035 label syntax. */
void sim_valid_name(json_t *errs, const char *field, const char *name, simv_name_rule rule) {
  size_t n = strlen(name), max = rule == SIMV_SUBDOMAIN ? 253 : 63;
  json_t *v = json_string(name);
  if (n > max) {
    char *m = strutil_printf("must be no more than %zu characters", max);
    sim_valid_invalid(errs, field, v, SIMV_PLAIN, m);
    free(m);
  }
  if (rule == SIMV_SUBDOMAIN && !is_subdomain(name)) sim_valid_invalid(errs, field, v, SIMV_PLAIN, MSG_SUBDOMAIN);
  if (rule == SIMV_LABEL && !is_label(name, n, false)) sim_valid_invalid(errs, field, v, SIMV_PLAIN, MSG_LABEL);
  if (rule == SIMV_DNS1035 && !is_label(name, n, true)) sim_valid_invalid(errs, field, v, SIMV_PLAIN, MSG_DNS1035);
  json_decref(v);
}

/* Adds the errors of a label key (a qualified name). */
static void label_key(json_t *errs, const char *field, const char *k) {
  json_t *v = json_string(k);
  const char *slash = strchr(k, '/'), *name = slash ? slash + 1 : k;
  if (slash && strchr(name, '/')) {
    sim_valid_invalid(errs, field, v, SIMV_PLAIN, "a qualified name " MSG_QNAME
                      " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')");
    return json_decref(v);
  }
  if (slash) {
    char *prefix = strndup(k, (size_t)(slash - k));
    if (!*prefix) sim_valid_invalid(errs, field, v, SIMV_PLAIN, "prefix part must be non-empty");
    else {
      if (strlen(prefix) > 253) sim_valid_invalid(errs, field, v, SIMV_PLAIN, "prefix part must be no more than 253 characters");
      if (!is_subdomain(prefix)) sim_valid_invalid(errs, field, v, SIMV_PLAIN, "prefix part " MSG_SUBDOMAIN);
    }
    free(prefix);
  }
  if (!*name) sim_valid_invalid(errs, field, v, SIMV_PLAIN, "name part must be non-empty");
  else if (strlen(name) > 63) sim_valid_invalid(errs, field, v, SIMV_PLAIN, "name part must be no more than 63 characters");
  if (!is_qname(name, strlen(name))) sim_valid_invalid(errs, field, v, SIMV_PLAIN, "name part " MSG_QNAME);
  json_decref(v);
}

/* Returns the message of a value that is not a valid label value, or NULL (static). */
const char *sim_valid_label_value_error(const char *v) {
  if (strlen(v) > 63) return "must be no more than 63 characters";
  return *v && !is_qname(v, strlen(v)) ? MSG_LABEL_VALUE : NULL;
}

/* Adds the errors of a labels map (keys: qualified names; values: label values). */
void sim_valid_labels(json_t *errs, const char *field, const json_t *labels) {
  const char *k;
  json_t *v;
  json_object_foreach((json_t *)labels, k, v) {
    label_key(errs, field, k);
    const char *s = json_string_value(v) ? json_string_value(v) : "";
    if (strlen(s) > 63) sim_valid_invalid(errs, field, v, SIMV_PLAIN, "must be no more than 63 characters");
    if (*s && !is_qname(s, strlen(s))) sim_valid_invalid(errs, field, v, SIMV_PLAIN, MSG_LABEL_VALUE);
  }
}
