/* kube_kinds.c — the kind table, refs and API paths (see kube_kinds.h). */
#include "kube_kinds.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const kube_kind kinds[] = {
#define X(id, s, p, k, gv, nsd, sh) {KK_##id, s, p, k, gv, nsd, sh},
    KUBE_KINDS(X)
#undef X
};

/* Returns the table entry of id. */
const kube_kind *kube_kinds_get(kube_kind_id id) { return &kinds[id]; }

/* Returns true when name is one of the comma-separated short names. */
static bool in_shorts(const char *shorts, const char *name) {
  size_t n = strlen(name);
  for (const char *p = shorts; *p;) {
    const char *e = strchr(p, ',');
    size_t len = e ? (size_t)(e - p) : strlen(p);
    if (len == n && strncasecmp(p, name, n) == 0) return true;
    if (!e) break;
    p = e + 1;
  }
  return false;
}

/* Returns the kind called name, or NULL. A "plural.group" spelling is accepted too. */
const kube_kind *kube_kinds_find(const char *name) {
  char base[128];
  snprintf(base, sizeof base, "%s", name);
  char *dot = strchr(base, '.');
  if (dot) *dot = '\0';
  for (size_t i = 0; i < KK__COUNT; i++) {
    const kube_kind *k = &kinds[i];
    if (!strcasecmp(base, k->singular) || !strcasecmp(base, k->plural) || !strcasecmp(base, k->kind) ||
        in_shorts(k->short_names, base))
      return k;
  }
  return NULL;
}

/* Returns the kind of apiVersion + kind, or NULL. */
const kube_kind *kube_kinds_of(const char *api_version, const char *kind) {
  for (size_t i = 0; i < KK__COUNT; i++)
    if (kind && !strcmp(kinds[i].kind, kind) && (!api_version || !strcmp(kinds[i].group_version, api_version)))
      return &kinds[i];
  return NULL;
}

/* Returns true after parsing text into r. */
bool kube_kinds_ref_parse(const char *text, kube_ref *r, char **err) {
  r->kind = NULL, r->name = NULL;
  const char *sep = text ? strpbrk(text, "/ ") : NULL;
  char buf[256];
  if (!sep || sep == text || !sep[1]) {
    snprintf(buf, sizeof buf, "a ref is \"kind/name\" (as in deployment/x), not \"%.100s\"", text ? text : "");
    *err = strdup(buf);
    return false;
  }
  char kind[64];
  snprintf(kind, sizeof kind, "%.*s", (int)(sep - text < 63 ? sep - text : 63), text);
  r->kind = kube_kinds_find(kind);
  if (!r->kind) {
    snprintf(buf, sizeof buf, "unknown kind \"%s\" in ref \"%.80s\"", kind, text);
    *err = strdup(buf);
    return false;
  }
  r->name = strdup(sep + 1);
  if (!r->name) return *err = strdup("out of memory"), false;
  return true;
}

/* Releases a ref's name. */
void kube_kinds_ref_clear(kube_ref *r) {
  free(r->name);
  r->name = NULL;
}

/* Returns the API path of a collection or object. */
char *kube_kinds_path(const kube_kind *k, const char *ns, const char *name) {
  size_t n = strlen(k->group_version) + strlen(k->plural) + (ns ? strlen(ns) : 0) + (name ? strlen(name) : 0) + 40;
  char *s = malloc(n);
  if (!s) return NULL;
  const char *root = strchr(k->group_version, '/') ? "/apis/" : "/api/";
  int len = snprintf(s, n, "%s%s", root, k->group_version);
  if (k->namespaced && ns) len += snprintf(s + len, n - (size_t)len, "/namespaces/%s", ns);
  len += snprintf(s + len, n - (size_t)len, "/%s", k->plural);
  if (name) snprintf(s + len, n - (size_t)len, "/%s", name);
  return s;
}

/* Returns s percent-encoded (unreserved characters kept). */
char *kube_kinds_query_escape(const char *s) {
  size_t n = strlen(s);
  char *o = malloc(n * 3 + 1), *p = o;
  if (!o) return NULL;
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || strchr("-_.~", c)) *p++ = (char)c;
    else p += sprintf(p, "%%%02X", c);
  }
  *p = '\0';
  return o;
}
