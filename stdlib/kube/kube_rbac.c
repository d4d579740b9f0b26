/* kube_rbac.c — the action → requests table as RBAC rules, merged per namespace and written as
 * ServiceAccount, Role(s), ClusterRole and bindings. */
#include "kube_rbac.h"

#include <stdlib.h>
#include <string.h>

#include "grow.h"

static const kube_rbac_row rows[] = {
#define X(sig, kind, sub, verbs, named, doc) {FN_##sig, kind, sub, verbs, named, doc},
    KUBE_RBAC_REQUESTS(X)
#undef X
};

static const struct {
  unsigned verbs;
  bool named;
} lease_rows[] = {
#define X(verbs, named, doc) {verbs, named},
    KUBE_RBAC_LEASE(X)
#undef X
};

static const char *const verb_names[] = {
#define X(id, name) name,
    KUBE_RBAC_VERBS(X)
#undef X
};

/* One granted request: verbs on kind/sub in ns (NULL: unknown; "" cluster-scoped), name or any. */
typedef struct {
  char *ns;
  const kube_kind *kind;
  const char *sub;
  char *name;
  unsigned verbs;
} krb_entry;

struct kube_rbac {
  krb_entry *e;
  size_t len, cap;
  char **notes; /* "ns\tline" */
  size_t nnotes, notes_cap;
};

/* Returns the rows of KUBE_RBAC_REQUESTS and their count in *n. */
const kube_rbac_row *kube_rbac_rows(size_t *n) {
  *n = sizeof rows / sizeof rows[0];
  return rows;
}

/* Returns the verb's name for a KRB_BIT_ index ("?" out of range). */
const char *kube_rbac_verb_name(int bit) { return bit >= 0 && bit < KRB_NVERBS ? verb_names[bit] : "?"; }

/* Returns an empty set, or NULL when out of memory. */
kube_rbac *kube_rbac_new(void) { return calloc(1, sizeof(kube_rbac)); }

/* Frees the set and everything it owns. */
void kube_rbac_free(kube_rbac *r) {
  if (!r) return;
  for (size_t i = 0; i < r->len; i++) free(r->e[i].ns), free(r->e[i].name);
  for (size_t i = 0; i < r->nnotes; i++) free(r->notes[i]);
  free(r->e);
  free(r->notes);
  free(r);
}

/* Returns true when two optional strings are equal (NULL equals only NULL). */
static bool same(const char *a, const char *b) { return a == b || (a && b && !strcmp(a, b)); }

/* Adds verbs on (ns, kind, sub, name), merging with an equal entry; returns false out of memory. */
static bool add_entry(kube_rbac *r, const char *ns, const kube_kind *kind, const char *sub, const char *name,
                      unsigned verbs) {
  const char *scope = kind->namespaced ? ns : "";
  for (size_t i = 0; i < r->len; i++) {
    krb_entry *e = &r->e[i];
    if (e->kind == kind && !strcmp(e->sub, sub) && same(e->ns, scope) && same(e->name, name)) {
      e->verbs |= verbs;
      return true;
    }
  }
  if (!GROW(r->e, r->cap, r->len + 1)) return false;
  krb_entry *e = &r->e[r->len];
  *e = (krb_entry){scope ? strdup(scope) : NULL, kind, sub, name ? strdup(name) : NULL, verbs};
  if ((scope && !e->ns) || (name && !e->name)) return free(e->ns), free(e->name), false;
  r->len++;
  return true;
}

/* Adds a note line for the scope of ns (NULL: unknown namespace); returns false out of memory. */
static bool add_note(kube_rbac *r, const char *ns, const char *note) {
  if (!note) return true;
  for (size_t i = 0; i < r->nnotes; i++) {
    const char *tab = strchr(r->notes[i], '\t');
    if (!strcmp(tab + 1, note) && (size_t)(tab - r->notes[i]) == strlen(ns ? ns : "\x01") &&
        !strncmp(r->notes[i], ns ? ns : "\x01", (size_t)(tab - r->notes[i])))
      return true;
  }
  if (!GROW(r->notes, r->notes_cap, r->nnotes + 1)) return false;
  size_t n = strlen(ns ? ns : "\x01") + strlen(note) + 2;
  char *s = malloc(n);
  if (!s) return false;
  snprintf(s, n, "%s\t%s", ns ? ns : "\x01", note);
  for (char *p = s; *p; p++)
    if (*p == '\n' || *p == '\r') *p = ' ';
  r->notes[r->nnotes++] = s;
  return true;
}

/* Adds the rows of `action` (see kube_rbac.h); returns false out of memory. */
bool kube_rbac_add_action(kube_rbac *r, sig_id action, const char *ns, const kube_kind *kind, const char *name,
                          const char *note) {
  bool any = false;
  for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
    const kube_rbac_row *w = &rows[i];
    if (w->action != action) continue;
    const kube_kind *k = w->kind == KRB_TARGET ? kind : kube_kinds_get((kube_kind_id)w->kind);
    if (!k) continue;
    bool named = w->named && name && (w->kind == KRB_TARGET || (kind && kind->id == (kube_kind_id)w->kind) ||
                                      (w->kind == KK_SERVICE && !kind));
    if (!add_entry(r, ns, k, w->sub, named ? name : NULL, w->verbs)) return false;
    any = true;
  }
  return !any || add_note(r, ns, note);
}

/* Adds the run lock's Lease rows; returns false out of memory. */
bool kube_rbac_add_lease(kube_rbac *r, const char *ns, const char *lease) {
  const kube_kind *k = kube_kinds_get(KK_LEASE);
  for (size_t i = 0; i < sizeof lease_rows / sizeof lease_rows[0]; i++)
    if (!add_entry(r, ns, k, "", lease_rows[i].named ? lease : NULL, lease_rows[i].verbs)) return false;
  return true;
}

/* Returns the API group of a kind ("" for the core group, "apps" for "apps/v1"); into buf. */
static const char *group_of(const kube_kind *k, char *buf, size_t size) {
  const char *slash = strchr(k->group_version, '/');
  size_t n = slash ? (size_t)(slash - k->group_version) : 0;
  if (n >= size) n = size - 1;
  memcpy(buf, k->group_version, n);
  buf[n] = 0;
  return buf;
}

/* Writes one verbs list ("[get, patch]"). */
static void write_verbs(unsigned verbs, FILE *out) {
  fputs("[", out);
  const char *sep = "";
  for (int b = 0; b < KRB_NVERBS; b++)
    if (verbs & (1u << b)) fprintf(out, "%s%s", sep, verb_names[b]), sep = ", ";
  fputs("]", out);
}

/* Returns true when entry e belongs to the scope: ns, or (cluster) cluster-scoped or unknown ns. */
static bool in_scope(const krb_entry *e, const char *ns) {
  if (ns) return e->ns && *e->ns && !strcmp(e->ns, ns);
  return !e->ns || !*e->ns;
}

/* Returns -1/0/1 ordering entries by group, resource, subresource, then name. */
static int entry_cmp(const void *a, const void *b) {
  const krb_entry *x = a, *y = b;
  char gx[64], gy[64];
  int c = strcmp(group_of(x->kind, gx, sizeof gx), group_of(y->kind, gy, sizeof gy));
  if (!c) c = strcmp(x->kind->plural, y->kind->plural);
  if (!c) c = strcmp(x->sub, y->sub);
  if (!c) c = (x->name != NULL) - (y->name != NULL);
  if (!c && x->name) c = strcmp(x->name, y->name);
  return c;
}

/* Writes one rule's head: apiGroups and resources of entry e. */
static void write_rule_head(const krb_entry *e, FILE *out) {
  char g[64];
  fprintf(out, "- apiGroups: [\"%s\"]\n  resources: [\"%s%s%s\"]\n", group_of(e->kind, g, sizeof g), e->kind->plural,
          *e->sub ? "/" : "", e->sub);
}

/* Writes the rules of one scope (entries sorted; done: scratch of n flags): per resource, the
 * unnamed verbs, then the named ones not already granted, names with the same verbs in one rule. */
static void write_rules(const krb_entry *e, size_t n, bool *done, const char *ns, FILE *out) {
  fputs("rules:\n", out);
  memset(done, 0, n * sizeof *done);
  for (size_t i = 0; i < n;) {
    size_t j = i;
    unsigned any = 0;
    for (; j < n && e[j].kind == e[i].kind && !strcmp(e[j].sub, e[i].sub); j++)
      if (in_scope(&e[j], ns) && !e[j].name) any |= e[j].verbs;
    if (any) {
      write_rule_head(&e[i], out);
      fputs("  verbs: ", out);
      write_verbs(any, out);
      fputc('\n', out);
    }
    for (size_t k = i; k < j; k++) {
      unsigned verbs = e[k].verbs & ~any;
      if (!e[k].name || !in_scope(&e[k], ns) || done[k] || !verbs) continue;
      write_rule_head(&e[k], out);
      fputs("  resourceNames: [", out);
      const char *sep = "";
      for (size_t m = k; m < j; m++)
        if (e[m].name && in_scope(&e[m], ns) && !done[m] && (e[m].verbs & ~any) == verbs)
          fprintf(out, "%s\"%s\"", sep, e[m].name), sep = ", ", done[m] = true;
      fputs("]\n  verbs: ", out);
      write_verbs(verbs, out);
      fputc('\n', out);
    }
    i = j;
  }
}

/* Writes the notes of one scope as comments. */
static void write_notes(const kube_rbac *r, const char *ns, FILE *out) {
  for (size_t i = 0; i < r->nnotes; i++) {
    const char *tab = strchr(r->notes[i], '\t');
    bool unknown = r->notes[i][0] == '\x01';
    if (ns ? (!unknown && (size_t)(tab - r->notes[i]) == strlen(ns) && !strncmp(r->notes[i], ns, strlen(ns))) : unknown)
      fprintf(out, "# %s\n", tab + 1);
  }
}

/* Writes a binding of role (kind Role or ClusterRole) to the service account. */
static void write_binding(const char *kind, const char *ns, const char *role_kind, const char *sa_ns,
                          const char *sa_name, FILE *out) {
  fprintf(out, "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: %s\nmetadata:\n  name: %s\n", kind, sa_name);
  if (ns) fprintf(out, "  namespace: %s\n", ns);
  fprintf(out, "subjects:\n- kind: ServiceAccount\n  name: %s\n  namespace: %s\n", sa_name, sa_ns);
  fprintf(out, "roleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: %s\n  name: %s\n", role_kind, sa_name);
}

/* Writes ServiceAccount, Roles, ClusterRole and bindings (see kube_rbac.h). */
void kube_rbac_write_yaml(const kube_rbac *r, const char *sa_ns, const char *sa_name, const char *header, FILE *out) {
  if (header) {
    for (const char *p = header; *p;) {
      const char *nl = strchr(p, '\n');
      size_t n = nl ? (size_t)(nl - p) : strlen(p);
      fprintf(out, "# %.*s\n", (int)n, p);
      p += n + (nl ? 1 : 0);
    }
  }
  fprintf(out, "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: %s\n  namespace: %s\n", sa_name, sa_ns);
  krb_entry *e = malloc((r->len + 1) * sizeof *e);
  bool *done = malloc(r->len + 1);
  if (!e || !done) return free(e), free(done);
  if (r->len) memcpy(e, r->e, r->len * sizeof *e);
  qsort(e, r->len, sizeof *e, entry_cmp);
  bool cluster = false;
  for (size_t i = 0; i < r->len; i++) {
    if (!e[i].ns || !*e[i].ns) {
      cluster = true;
      continue;
    }
    bool seen = false;
    for (size_t k = 0; k < i && !seen; k++) seen = e[k].ns && !strcmp(e[k].ns, e[i].ns);
    if (seen) continue;
    fprintf(out, "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: %s\n  namespace: %s\n",
            sa_name, e[i].ns);
    write_notes(r, e[i].ns, out);
    write_rules(e, r->len, done, e[i].ns, out);
    write_binding("RoleBinding", e[i].ns, "Role", sa_ns, sa_name, out);
  }
  if (cluster) {
    fprintf(out, "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: %s\n", sa_name);
    fputs("# cluster-scoped kinds, and namespaced ones whose namespace is unknown before the run\n", out);
    write_notes(r, NULL, out);
    write_rules(e, r->len, done, NULL, out);
    write_binding("ClusterRoleBinding", NULL, "ClusterRole", sa_ns, sa_name, out);
  }
  free(e);
  free(done);
}
