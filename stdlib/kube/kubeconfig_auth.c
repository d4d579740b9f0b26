/* kubeconfig_auth.c — credentials of a connection: static tokens, token files re-read at most
 * once a minute, exec credential plugins (client.authentication.k8s.io/v1) cached until their
 * expirationTimestamp and refreshed after a 401 (see kubeconfig.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kube_op.h"
#include "kubeconfig.h"
#include "proc.h"
#include "scrub.h"
#include "valbuf.h"

struct kube_auth {
  char *user;             /* the user's name, for messages */
  char *token;            /* static token */
  char *token_file;
  kube_exec_cfg *exec;    /* borrowed copy owned here */
  char *cached;           /* token from the file or the plugin */
  int64_t cached_at;      /* monotonic ms when the file was read */
  int64_t expires;        /* wall ms when the plugin's credential expires; INT64_MAX never */
  bool have_exec_cred;
  char *cert, *key;       /* PEM from the plugin */
  size_t cert_len, key_len;
  char *header;           /* the last header line */
};

/* Returns a deep copy of an exec config. */
static kube_exec_cfg *exec_copy(const kube_exec_cfg *x) {
  kube_exec_cfg *e = calloc(1, sizeof *e);
  if (!e) return NULL;
  size_t na = 0, ne = 0;
  while (x->args && x->args[na]) na++;
  while (x->env && x->env[ne]) ne++;
  e->command = strdup(x->command), e->api_version = strdup(x->api_version);
  e->args = calloc(na + 1, sizeof *e->args), e->env = calloc(ne + 1, sizeof *e->env);
  for (size_t i = 0; e->args && i < na; i++) e->args[i] = strdup(x->args[i]);
  for (size_t i = 0; e->env && i < ne; i++) e->env[i] = strdup(x->env[i]);
  e->provide_cluster_info = x->provide_cluster_info;
  e->cluster_info = x->cluster_info ? json_deep_copy(x->cluster_info) : NULL;
  return e;
}

/* Returns the credentials of kc, or NULL when it has none. */
kube_auth *kubeconfig_auth_new(const kubeconfig *kc) {
  if (!kc->token && !kc->token_file && !kc->exec) return NULL;
  kube_auth *a = calloc(1, sizeof *a);
  if (!a) return NULL;
  a->user = strdup(kc->user_name ? kc->user_name : "");
  a->token = kc->token ? strdup(kc->token) : NULL;
  a->token_file = kc->token_file ? strdup(kc->token_file) : NULL;
  a->exec = kc->exec ? exec_copy(kc->exec) : NULL;
  a->cached_at = INT64_MIN;
  return a;
}

/* Forgets a cached credential. */
static void forget(kube_auth *a) {
  free(a->cached), free(a->cert), free(a->key);
  a->cached = a->cert = a->key = NULL;
  a->have_exec_cred = false;
}

/* Frees credentials. */
void kubeconfig_auth_free(kube_auth *a) {
  if (!a) return;
  forget(a);
  free(a->user), free(a->token), free(a->token_file), free(a->header);
  kubeconfig_exec_free(a->exec);
  free(a);
}

/* Returns epoch ms of an RFC 3339 UTC time, or INT64_MAX when it cannot be read. */
static int64_t parse_rfc3339(const char *s) {
  struct tm tm = {0};
  int y, mo, d, h, mi;
  double sec;
  char tz[16] = "";
  if (!s || sscanf(s, "%d-%d-%dT%d:%d:%lf%15s", &y, &mo, &d, &h, &mi, &sec, tz) < 6) return INT64_MAX;
  tm.tm_year = y - 1900, tm.tm_mon = mo - 1, tm.tm_mday = d, tm.tm_hour = h, tm.tm_min = mi, tm.tm_sec = (int)sec;
  int64_t t = (int64_t)timegm(&tm) * 1000;
  int oh = 0, om = 0;
  if ((tz[0] == '+' || tz[0] == '-') && sscanf(tz + 1, "%d:%d", &oh, &om) >= 1)
    t -= (tz[0] == '+' ? 1 : -1) * ((int64_t)oh * 3600 + om * 60) * 1000;
  return t;
}

/* Returns KUBERNETES_EXEC_INFO's value (caller frees). */
static char *exec_info(const kube_exec_cfg *x) {
  json_t *spec = json_pack("{sb}", "interactive", 0);
  if (x->provide_cluster_info && x->cluster_info) json_object_set(spec, "cluster", x->cluster_info);
  json_t *info = json_pack("{ssssso}", "kind", "ExecCredential", "apiVersion", x->api_version, "spec", spec);
  char *s = json_dumps(info, JSON_COMPACT);
  json_decref(info);
  return s;
}

/* Returns the first line of s, at most 200 bytes (caller frees). */
static char *first_line(const char *s) {
  size_t n = strcspn(s, "\n");
  return strndup(s, n > 200 ? 200 : n);
}

/* Runs an exec plugin; returns its status object or NULL with *err. */
static json_t *kubeconfig_exec_run(const kube_exec_cfg *x, const char *user, char **err) {
  size_t na = 0;
  while (x->args && x->args[na]) na++;
  const char **argv = calloc(na + 2, sizeof *argv);
  size_t ne = 0;
  while (x->env && x->env[ne]) ne++;
  const char **envp = calloc(ne + 2, sizeof *envp);
  char *info = exec_info(x);
  char *info_env = info ? strutil_printf("KUBERNETES_EXEC_INFO=%s", info) : NULL;
  free(info);
  if (!argv || !envp || !info_env) return free(argv), free(envp), free(info_env), *err = strdup("out of memory"), NULL;
  argv[0] = x->command;
  for (size_t i = 0; i < na; i++) argv[i + 1] = x->args[i];
  for (size_t i = 0; i < ne; i++) envp[i] = x->env[i];
  envp[ne] = info_env;
  proc_result res = {0};
  char *perr = NULL;
  bool ran = proc_run_sync(argv, envp, NULL, 0, 60000, &res, &perr);
  free(argv), free(envp), free(info_env);
  if (!ran) {
    *err = strutil_printf("exec plugin for user \"%s\" could not start: %s", user, perr ? perr : "?");
    free(perr);
    return NULL;
  }
  json_t *doc = res.status == 0 ? json_loads(res.out, 0, NULL) : NULL;
  json_t *status = json_object_get(doc, "status");
  if (!json_is_object(status)) {
    char *line = first_line(res.err && *res.err ? res.err : "");
    *err = res.status ? strutil_printf("exec plugin for user \"%s\" failed: exit status %d%s%s", user, res.status, *line ? ": " : "", line)
                      : strutil_printf("exec plugin for user \"%s\" printed no ExecCredential status", user);
    free(line);
  } else json_incref(status);
  json_decref(doc);
  free(res.out), free(res.err);
  return json_is_object(status) ? status : NULL;
}

/* Returns true after running the plugin and caching its credential. */
static bool refresh_exec(kube_auth *a, char **err) {
  forget(a);
  json_t *st = kubeconfig_exec_run(a->exec, a->user, err);
  if (!st) return false;
  const char *tok = json_string_value(json_object_get(st, "token"));
  const char *cert = json_string_value(json_object_get(st, "clientCertificateData"));
  const char *key = json_string_value(json_object_get(st, "clientKeyData"));
  if (!tok && !(cert && key)) {
    json_decref(st);
    *err = strutil_printf("exec plugin for user \"%s\" returned neither a token nor a client certificate", a->user);
    return false;
  }
  a->cached = tok ? strdup(tok) : NULL;
  if (cert && key) a->cert = strdup(cert), a->key = strdup(key), a->cert_len = strlen(cert), a->key_len = strlen(key);
  a->expires = parse_rfc3339(json_string_value(json_object_get(st, "expirationTimestamp")));
  a->have_exec_cred = true;
  json_decref(st);
  return true;
}

/* Returns true after (re-)reading the token file when the cached copy is older than a minute. */
static bool read_token_file(kube_auth *a, int64_t mono, char **err) {
  if (a->cached && mono - a->cached_at < 60000) return true;
  char *text = valbuf_read_file(a->token_file, NULL);
  if (!text) return *err = strutil_printf("user \"%s\": cannot read tokenFile %s", a->user, a->token_file), false;
  text[strcspn(text, "\r\n")] = '\0';
  free(a->cached);
  a->cached = text;
  a->cached_at = mono;
  return true;
}

/* Returns the Authorization header line, or NULL (with *err on failure). */
const char *kubeconfig_auth_header(kube_auth *a, int64_t mono_ms, int64_t wall_ms, char **err) {
  const char *tok = NULL;
  if (a->exec) {
    if ((!a->have_exec_cred || wall_ms >= a->expires) && !refresh_exec(a, err)) return NULL;
    tok = a->cached;
  } else if (a->token) tok = a->token;
  else if (a->token_file) {
    if (!read_token_file(a, mono_ms, err)) return NULL;
    tok = a->cached;
  }
  if (!tok) return NULL;
  scrub_add(tok, strlen(tok)); /* never shown (scrub.h) */
  if (a->key) scrub_add(a->key, a->key_len);
  free(a->header);
  a->header = strutil_printf("Authorization: Bearer %s", tok);
  return a->header;
}

/* Returns true with the plugin's client certificate and key. */
bool kubeconfig_auth_client_cert(const kube_auth *a, const char **cert, size_t *cert_len, const char **key, size_t *key_len) {
  if (!a || !a->cert || !a->key) return false;
  *cert = a->cert, *cert_len = a->cert_len, *key = a->key, *key_len = a->key_len;
  return true;
}

/* Drops cached credentials after a 401; returns true when asking again may help. */
bool kubeconfig_auth_invalidate(kube_auth *a) {
  if (a->exec) {
    forget(a);
    return true;
  }
  if (a->token_file && a->cached) {
    free(a->cached);
    a->cached = NULL;
    return true;
  }
  return false;
}
