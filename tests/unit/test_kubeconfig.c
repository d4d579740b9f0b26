/* test_kubeconfig.c — kubeconfig resolution: KUBECONFIG lists with first-wins merge, contexts,
 * namespaces, -data fields, missing files, errors that name the context and never a token,
 * in-cluster config. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "kubeconfig.h"
#include "test_files.h"

static char dir[64];
static const char *env_kubeconfig, *env_home, *env_host;

/* The test's environment. */
static const char *fake_env(void *user, const char *name) {
  (void)user;
  if (!strcmp(name, "KUBECONFIG")) return env_kubeconfig;
  if (!strcmp(name, "HOME")) return env_home;
  if (!strcmp(name, "KUBERNETES_SERVICE_HOST")) return env_host;
  if (!strcmp(name, "KUBERNETES_SERVICE_PORT")) return env_host ? "6443" : NULL;
  return NULL;
}

static int setup(void **state) {
  (void)state;
  snprintf(dir, sizeof dir, "/tmp/rbk-kc-XXXXXX");
  if (!mkdtemp(dir)) return -1;
  tf_write(dir, "a.yaml", "current-context: prod\nclusters:\n- name: c1\n  cluster: {server: 'https://a.example:6443/', certificate-authority: ca.pem}\n"
                "contexts:\n- name: prod\n  context: {cluster: c1, user: u1, namespace: greenlang}\n"
                "users:\n- name: u1\n  user: {token: SECRET-A}\n");
  tf_write(dir, "b.yaml", "current-context: staging\nclusters:\n- name: c1\n  cluster: {server: 'https://b.example'}\n"
                "- name: c2\n  cluster: {server: 'https://c2.example', certificate-authority-data: aGVsbG8=, insecure-skip-tls-verify: true}\n"
                "contexts:\n- name: staging\n  context: {cluster: c2, user: u2}\n- name: prod\n  context: {cluster: c2, user: u2}\n"
                "users:\n- name: u2\n  user: {client-certificate-data: Y2VydA==, client-key: /keys/k.pem}\n");
  tf_write(dir, "bad.yaml", "clusters: [\n");
  return 0;
}

static int teardown(void **state) {
  (void)state;
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  return system(cmd);
}

/* Loads with the fake environment. */
static kubeconfig *load(const char *path, const char *ctx, const char *ns, char **err) {
  kubeconfig_opts o = {path, ctx, ns, fake_env, NULL, dir, NULL};
  *err = NULL;
  return kubeconfig_load(&o, err);
}

static void merge__first_file_wins(void **state) {
  (void)state;
  char list[400], *err;
  snprintf(list, sizeof list, "%s/missing.yaml:%s/a.yaml:%s/b.yaml", dir, dir, dir);
  env_kubeconfig = list;
  kubeconfig *kc = load(NULL, NULL, NULL, &err);
  assert_non_null(kc);
  assert_string_equal(kc->context, "prod");
  assert_string_equal(kc->server, "https://a.example:6443");
  assert_string_equal(kc->ns, "greenlang");
  assert_string_equal(kc->token, "SECRET-A");
  char ca[128];
  snprintf(ca, sizeof ca, "%s/ca.pem", dir);
  assert_string_equal(kc->ca_file, ca);
  kubeconfig_free(kc);
  kc = load(NULL, "staging", "ops", &err);
  assert_non_null(kc);
  assert_string_equal(kc->server, "https://c2.example");
  assert_string_equal(kc->ns, "ops");
  assert_true(kc->insecure);
  assert_int_equal(kc->ca_len, 5);
  assert_memory_equal(kc->ca_data, "hello", 5);
  assert_memory_equal(kc->cert_data, "cert", 4);
  assert_string_equal(kc->key_file, "/keys/k.pem");
  kubeconfig_free(kc);
  env_kubeconfig = NULL;
}

static void context__unknown__named_error(void **state) {
  (void)state;
  char path[128], *err;
  snprintf(path, sizeof path, "%s/a.yaml", dir);
  kubeconfig *kc = load(path, "nope", NULL, &err);
  assert_null(kc);
  assert_non_null(strstr(err, "context \"nope\" does not exist in"));
  assert_null(strstr(err, "SECRET"));
  free(err);
  snprintf(path, sizeof path, "%s/bad.yaml", dir);
  kc = load(path, NULL, NULL, &err);
  assert_null(kc);
  assert_non_null(strstr(err, "bad.yaml: invalid YAML"));
  free(err);
}

static void in_cluster__service_account(void **state) {
  (void)state;
  char *err;
  tf_write(dir, "namespace", "payments\n");
  env_home = "/nonexistent", env_host = "10.0.0.1";
  kubeconfig *kc = load(NULL, NULL, NULL, &err);
  assert_non_null(kc);
  assert_string_equal(kc->server, "https://10.0.0.1:6443");
  assert_string_equal(kc->ns, "payments");
  assert_non_null(strstr(kc->token_file, "/token"));
  kubeconfig_free(kc);
  env_host = NULL;
  kc = load(NULL, NULL, NULL, &err);
  assert_null(kc);
  assert_non_null(strstr(err, "no kubeconfig"));
  free(err);
  env_home = NULL;
}

/* An in-memory document is read instead of KUBECONFIG's files. */
static void data__in_memory__wins_over_files(void **state) {
  (void)state;
  char path[128];
  snprintf(path, sizeof path, "%s/mem-other.yaml", dir);
  tf_write(dir, "mem-other.yaml", "current-context: mem\nclusters:\n- name: m\n  cluster: {server: https://file:6443}\n"
                        "contexts:\n- name: mem\n  context: {cluster: m}\n");
  env_kubeconfig = path;
  const char *doc = "current-context: mem\nclusters:\n- name: m\n  cluster: {server: https://m.example/}\n"
                    "contexts:\n- name: mem\n  context: {cluster: m}\nusers:\n- name: u\n  user: {}\n";
  kubeconfig_opts o = {NULL, NULL, "ops", fake_env, NULL, dir, doc};
  char *err = NULL;
  kubeconfig *kc = kubeconfig_load(&o, &err);
  assert_null(err);
  assert_non_null(kc);
  assert_string_equal(kc->server, "https://m.example");
  assert_string_equal(kc->context, "mem");
  assert_string_equal(kc->ns, "ops");
  assert_null(kc->path);
  kubeconfig_free(kc);
  o.data = "contexts: [";
  assert_null(kubeconfig_load(&o, &err));
  assert_non_null(strstr(err, "kubeconfig the in-memory kubeconfig: "));
  free(err);
  env_kubeconfig = NULL;
}

/* A kubeconfig with one context whose server and user entry are given. */
static void put_single(const char *name, const char *server, const char *user) {
  char text[1024];
  snprintf(text, sizeof text,
           "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster: {server: \"%s\"}\n"
           "contexts:\n- name: x\n  context: {cluster: c, user: u}\ncurrent-context: x\n"
           "users:\n- name: u\n  user: {%s}\n",
           server, user);
  tf_write(dir, name, text);
}

static void credentials__over_plain_http__refused_naming_the_context(void **state) {
  (void)state;
  char path[128], *err;
  snprintf(path, sizeof path, "%s/plain.yaml", dir);
  put_single("plain.yaml", "http://127.0.0.1:8080", "token: PLAIN-TOKEN");
  assert_null(load(path, NULL, NULL, &err));
  assert_non_null(strstr(err, "context \"x\": credentials are never sent over plain http://"));
  assert_null(strstr(err, "PLAIN-TOKEN"));
  free(err);
  put_single("anon.yaml", "http://127.0.0.1:8080", "");
  snprintf(path, sizeof path, "%s/anon.yaml", dir);
  kubeconfig *kc = load(path, NULL, NULL, &err);
  assert_non_null(kc); /* no credentials: plain http:// is allowed */
  kubeconfig_free(kc);
}

static void token_or_server__with_cr_lf__refused(void **state) {
  (void)state;
  char path[128], *err;
  snprintf(path, sizeof path, "%s/crlf.yaml", dir);
  put_single("crlf.yaml", "https://a.example", "token: \"abc\\r\\nX-Injected: yes\"");
  assert_null(load(path, NULL, NULL, &err));
  assert_string_equal(err, "user \"u\": token holds a CR, LF or NUL: refused (nothing was sent)");
  free(err);
  put_single("crlf.yaml", "https://a.example\\r\\nX: y", "");
  assert_null(load(path, NULL, NULL, &err));
  assert_non_null(strstr(err, "server holds a space, CR, LF or NUL: refused"));
  free(err);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(merge__first_file_wins),
      cmocka_unit_test(context__unknown__named_error),
      cmocka_unit_test(in_cluster__service_account),
      cmocka_unit_test(data__in_memory__wins_over_files),
      cmocka_unit_test(credentials__over_plain_http__refused_naming_the_context),
      cmocka_unit_test(token_or_server__with_cr_lf__refused),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
