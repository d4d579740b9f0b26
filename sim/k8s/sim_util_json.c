/* sim_util_json.c — JSON path helpers, semantic template equality and query strings. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "sim_util.h"

/* Returns the value at a dotted path ("metadata.labels") in obj (borrowed), or NULL. */
json_t *sim_util_jpath(const json_t *obj, const char *dotted) {
  const json_t *cur = obj;
  const char *p = dotted;
  char key[256];
  while (cur && *p) {
    const char *dot = strchr(p, '.');
    size_t n = dot ? (size_t)(dot - p) : strlen(p);
    if (n >= sizeof key) return NULL;
    memcpy(key, p, n);
    key[n] = 0;
    cur = json_object_get(cur, key);
    p += n + (dot ? 1 : 0);
  }
  return (json_t *)cur;
}

/* Returns the string at a dotted path, or dflt. */
const char *sim_util_jstr(const json_t *obj, const char *dotted, const char *dflt) {
  const char *s = json_string_value(sim_util_jpath(obj, dotted));
  return s ? s : dflt;
}

/* Returns the integer at a dotted path, or dflt. */
json_int_t sim_util_jint(const json_t *obj, const char *dotted, json_int_t dflt) {
  json_t *v = sim_util_jpath(obj, dotted);
  return json_is_integer(v) ? json_integer_value(v) : dflt;
}

/* Returns the object at `key` in obj, creating an empty one when missing (borrowed). */
json_t *sim_util_jobj(json_t *obj, const char *key) {
  json_t *v = json_object_get(obj, key);
  if (json_is_object(v)) return v;
  v = json_object();
  json_object_set_new(obj, key, v);
  return v;
}

/* Sets obj[key] to a new string. */
void sim_util_jset_str(json_t *obj, const char *key, const char *val) {
  json_object_set_new(obj, key, json_string(val));
}

/* Where a walk over a template is: its top, its metadata, its labels (whose pod-template-hash
 * does not count), or anywhere below. */
typedef enum { AT_TOP, AT_META, AT_LABELS, AT_BELOW } tmpl_at;

/* Returns where the member `key` of an object at `at` is. */
static tmpl_at member_at(tmpl_at at, const char *key) {
  if (at == AT_TOP && !strcmp(key, "metadata")) return AT_META;
  if (at == AT_META && !strcmp(key, "labels")) return AT_LABELS;
  return AT_BELOW;
}

/* Returns true when the member `key` of an object at `at` is ignored (the pod-template-hash). */
static bool ignored(tmpl_at at, const char *key) { return at == AT_LABELS && !strcmp(key, "pod-template-hash"); }

/* Returns true when v (at `at`) prunes to nothing: null, [], or an object of such members. */
static bool prunes_away(const json_t *v, tmpl_at at) {
  if (json_is_null(v)) return true;
  if (json_is_array(v)) return json_array_size(v) == 0;
  if (!json_is_object(v)) return false;
  const char *k;
  json_t *m;
  json_object_foreach((json_t *)v, k, m) if (!ignored(at, k) && !prunes_away(m, member_at(at, k))) return false;
  return true;
}

static bool semantic_equal(const json_t *a, const json_t *b, tmpl_at at);

/* Returns true when every member of a that survives pruning is in b, semantically equal. */
static bool members_in(const json_t *a, const json_t *b, tmpl_at at, bool compare) {
  const char *k;
  json_t *m;
  json_object_foreach((json_t *)a, k, m) {
    if (ignored(at, k)) continue;
    tmpl_at below = member_at(at, k);
    json_t *o = json_object_get(b, k);
    bool gone = prunes_away(m, below);
    if (gone != (!o || prunes_away(o, below))) return false;
    if (!gone && compare && !semantic_equal(m, o, below)) return false;
  }
  return true;
}

/* Returns true when prune(a) equals prune(b), as sim_util_semantic would compare them, without
 * copying either. */
static bool semantic_equal(const json_t *a, const json_t *b, tmpl_at at) {
  if (json_is_object(a) && json_is_object(b)) return members_in(a, b, at, true) && members_in(b, a, at, false);
  if (json_is_array(a) && json_is_array(b)) {
    size_t n = json_array_size(a);
    if (n != json_array_size(b)) return false;
    for (size_t i = 0; i < n; i++)
      if (!semantic_equal(json_array_get(a, i), json_array_get(b, i), AT_BELOW)) return false;
    return true;
  }
  return json_equal((json_t *)a, (json_t *)b);
}

/* Returns true when the two pod templates are semantically equal (see sim_util_semantic). */
bool sim_util_template_equal(const json_t *a, const json_t *b) {
  return semantic_equal(a ? a : json_null(), b ? b : json_null(), AT_TOP);
}

/* Returns a copy of v (at `at`) without the members that prune away, recursively (array elements
 * are kept, pruned). */
static json_t *prune(const json_t *v, tmpl_at at) {
  if (json_is_object(v)) {
    json_t *out = json_object();
    const char *k;
    json_t *m;
    json_object_foreach((json_t *)v, k, m) {
      if (!ignored(at, k) && !prunes_away(m, member_at(at, k))) json_object_set_new(out, k, prune(m, member_at(at, k)));
    }
    return out;
  }
  if (json_is_array(v)) {
    json_t *out = json_array();
    size_t i;
    json_t *m;
    json_array_foreach(v, i, m) json_array_append_new(out, prune(m, AT_BELOW));
    return out;
  }
  return json_deep_copy(v);
}

/* Returns a copy of the template with nulls, empty objects and empty arrays removed and the pod-template-
 * hash label dropped: the form in which templates are compared. */
json_t *sim_util_semantic(const json_t *v) { return prune(v ? v : json_null(), AT_TOP); }

/* Returns the canonical compact JSON text (sorted keys) of v (caller frees). */
char *sim_util_canonical(const json_t *v) {
  return json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
}

/* Returns the value of a hex digit, or -1. */
static int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = (char)tolower((unsigned char)c);
  return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Percent-decodes len bytes of s ('+' becomes a space); returns a new string. */
char *sim_util_url_decode(const char *s, size_t len) {
  char *out = malloc(len + 1);
  if (!out) return NULL;
  size_t j = 0;
  for (size_t i = 0; i < len; i++) {
    if (s[i] == '%' && i + 2 < len && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
      out[j++] = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
      i += 2;
    } else {
      out[j++] = s[i] == '+' ? ' ' : s[i];
    }
  }
  out[j] = 0;
  return out;
}

/* Returns the decoded value of query parameter `key` from a raw query string (caller frees), or NULL when
 * absent. */
char *sim_util_query_get(const char *query, const char *key) {
  if (!query) return NULL;
  size_t klen = strlen(key);
  const char *p = query;
  while (*p) {
    const char *amp = strchr(p, '&');
    size_t n = amp ? (size_t)(amp - p) : strlen(p);
    const char *eq = memchr(p, '=', n);
    size_t kn = eq ? (size_t)(eq - p) : n;
    char *k = sim_util_url_decode(p, kn);
    bool match = k && strlen(k) == klen && !memcmp(k, key, klen);
    free(k);
    if (match) return eq ? sim_util_url_decode(eq + 1, n - kn - 1) : strdup("");
    p += n + (amp ? 1 : 0);
  }
  return NULL;
}

/* Returns the standard base64 encoding of len bytes (caller frees). */
char *sim_util_base64(const void *data, size_t len) {
  static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const unsigned char *p = data;
  char *out = malloc(4 * ((len + 2) / 3) + 1), *o = out;
  if (!out) return NULL;
  for (size_t i = 0; i < len; i += 3) {
    uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < len ? (uint32_t)p[i + 1] << 8 : 0) | (i + 2 < len ? p[i + 2] : 0);
    *o++ = tbl[v >> 18 & 63];
    *o++ = tbl[v >> 12 & 63];
    *o++ = i + 1 < len ? tbl[v >> 6 & 63] : '=';
    *o++ = i + 2 < len ? tbl[v & 63] : '=';
  }
  *o = 0;
  return out;
}
