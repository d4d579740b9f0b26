/* test_kube_rbac.c — the action → requests table as RBAC rules: docs/actions.md lists exactly its
 * rows; rules merge per resource, name known targets, never grant "*", and split namespaces into
 * Roles and cluster-scoped kinds or unknown namespaces into a ClusterRole. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kube_rbac.h"
#include "strutil.h"

/* Returns the text of a file under the repository's root (caller frees), failing the test if absent. */
static char *slurp(const char *rel) {
  const char *root = getenv("RBK_SOURCE_DIR") ? getenv("RBK_SOURCE_DIR") : ".";
  char *path = strutil_printf("%s/%s", root, rel);
  FILE *f = fopen(path, "rb");
  if (!f) fail_msg("cannot open %s", path);
  free(path);
  char *buf = malloc(1 << 20);
  assert_non_null(buf);
  size_t n = fread(buf, 1, (1 << 20) - 1, f);
  buf[n] = 0;
  fclose(f);
  return buf;
}

/* Returns the docs line of one row (caller frees): | `recv.action` | group | `resource` | verbs | named | doc |. */
static char *doc_line(const kube_rbac_row *w) {
  const sig_info *s = sig_get(w->action);
  char group[64] = "the target’s", res[96], verbs[128] = "";
  if (w->kind == KRB_TARGET) snprintf(res, sizeof res, "TARGET%s%s", *w->sub ? "/" : "", w->sub);
  else {
    const kube_kind *k = kube_kinds_get((kube_kind_id)w->kind);
    const char *slash = strchr(k->group_version, '/');
    if (slash) snprintf(group, sizeof group, "`%.*s`", (int)(slash - k->group_version), k->group_version);
    else snprintf(group, sizeof group, "core");
    snprintf(res, sizeof res, "%s%s%s", k->plural, *w->sub ? "/" : "", w->sub);
  }
  for (int b = 0; b < KRB_NVERBS; b++)
    if (w->verbs & (1u << b))
      snprintf(verbs + strlen(verbs), sizeof verbs - strlen(verbs), "%s`%s`", *verbs ? ", " : "", kube_rbac_verb_name(b));
  return strutil_printf("| `%s.%s` | %s | `%s` | %s | %s | %s |", s->recv == RECV_ENDPOINT ? "endpoint" : "cluster",
                        s->name, group, res, verbs, w->named ? "yes" : "no", w->doc);
}

static void docs__list_every_row__and_no_other(void **state) {
  (void)state;
  char *doc = slurp("docs/actions.md");
  size_t n;
  const kube_rbac_row *rows = kube_rbac_rows(&n);
  assert_true(n > 20);
  for (size_t i = 0; i < n; i++) {
    char *line = doc_line(&rows[i]);
    if (!strstr(doc, line)) fail_msg("docs/actions.md lacks the row\n%s", line);
    free(line);
  }
  size_t rows_in_doc = 0;
  for (const char *p = doc; (p = strstr(p, "\n| `")); p++)
    if (!strncmp(p + 4, "cluster.", 8) || !strncmp(p + 4, "endpoint.", 9)) rows_in_doc++;
  assert_int_equal(rows_in_doc, n);
  free(doc);
}

/* Returns the YAML of r (caller frees). Not inlined: gcc's -O3 then takes the text for a pointer
 * into the local `buf` (a false -Wdangling-pointer in Release builds). */
__attribute__((noinline)) static char *yaml_of(const kube_rbac *r) {
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  assert_non_null(f);
  kube_rbac_write_yaml(r, "ops", "rbk-x", NULL, f);
  fclose(f);
  return buf;
}

static void rules__merge_name_and_scope(void **state) {
  (void)state;
  kube_rbac *r = kube_rbac_new();
  const kube_kind *dep = kube_kinds_find("deployment"), *ns = kube_kinds_find("namespace");
  assert_true(kube_rbac_add_action(r, FN_K_PATCH, "prod", dep, "web", NULL));
  assert_true(kube_rbac_add_action(r, FN_K_ROLLOUT_UNDO, "prod", dep, "api", NULL));
  assert_true(kube_rbac_add_action(r, FN_K_EXEC, "prod", kube_kinds_find("pod"), "p-1", NULL));
  assert_true(kube_rbac_add_action(r, FN_E_POST, "prod", NULL, "web:8080", NULL));
  assert_true(kube_rbac_add_action(r, FN_K_GET, "prod", ns, "prod", NULL));
  assert_true(kube_rbac_add_action(r, FN_K_LIST, NULL, kube_kinds_find("configmap"), NULL, "where: unknown namespace"));
  assert_true(kube_rbac_add_lease(r, "prod", "rbk-x"));
  char *y = yaml_of(r);
  assert_null(strstr(y, "*"));
  assert_non_null(strstr(y, "kind: Role\nmetadata:\n  name: rbk-x\n  namespace: prod\n"));
  assert_non_null(strstr(y, "  resources: [\"deployments\"]\n  resourceNames: [\"api\", \"web\"]\n  verbs: [get, patch]\n"));
  assert_non_null(strstr(y, "  resources: [\"replicasets\"]\n  verbs: [list]\n"));
  assert_non_null(strstr(y, "  resources: [\"pods/exec\"]\n  resourceNames: [\"p-1\"]\n  verbs: [get, create]\n"));
  assert_non_null(strstr(y, "  resources: [\"services/proxy\"]\n  resourceNames: [\"web:8080\"]\n  verbs: [create]\n"));
  assert_non_null(strstr(y, "  resources: [\"leases\"]\n  verbs: [create]\n"));
  assert_non_null(strstr(y, "  resources: [\"leases\"]\n  resourceNames: [\"rbk-x\"]\n  verbs: [get, update, delete]\n"));
  /* cluster-scoped and unknown-namespace targets: a ClusterRole with its binding */
  const char *cr = strstr(y, "kind: ClusterRole\n");
  assert_non_null(cr);
  assert_non_null(strstr(cr, "# where: unknown namespace\n"));
  assert_non_null(strstr(cr, "  resources: [\"namespaces\"]\n  resourceNames: [\"prod\"]\n  verbs: [get]\n"));
  assert_non_null(strstr(cr, "  resources: [\"configmaps\"]\n  verbs: [list]\n"));
  assert_non_null(strstr(cr, "kind: ClusterRoleBinding\n"));
  assert_true(strstr(y, "[\"namespaces\"]") > cr); /* not in the Role */
  free(y);
  kube_rbac_free(r);
}

static void rules__unnamed_verbs_absorb_named_ones(void **state) {
  (void)state;
  kube_rbac *r = kube_rbac_new();
  const kube_kind *dep = kube_kinds_find("deployment");
  assert_true(kube_rbac_add_action(r, FN_K_GET, "a", dep, "web", NULL));
  assert_true(kube_rbac_add_action(r, FN_K_PATCH, "a", dep, NULL, "x.rbk:1:1: patch: the target is unknown"));
  assert_true(kube_rbac_add_action(r, FN_K_PATCH, "b", dep, "web", NULL));
  char *y = yaml_of(r);
  const char *ra = strstr(y, "namespace: a\n"), *rb = strstr(y, "namespace: b\n");
  assert_non_null(ra);
  assert_non_null(rb);
  assert_non_null(strstr(ra, "# x.rbk:1:1: patch: the target is unknown\nrules:\n- apiGroups: [\"apps\"]\n  resources: [\"deployments\"]\n  verbs: [get, patch]\n---"));
  assert_non_null(strstr(rb, "  resourceNames: [\"web\"]\n  verbs: [get, patch]\n"));
  assert_null(strstr(y, "ClusterRole"));
  free(y);
  kube_rbac_free(r);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(docs__list_every_row__and_no_other),
      cmocka_unit_test(rules__merge_name_and_scope),
      cmocka_unit_test(rules__unnamed_verbs_absorb_named_ones),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
