/* kubeconfig.c — resolving a context from kubeconfig files, KUBECONFIG lists or in-cluster
 * config (see kubeconfig.h). Files are parsed by libyaml through yamljson; the merge keeps the
 * first definition of every named cluster, context and user, and the first current-context. */
#include "kubeconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "kube_op.h"
#include "scrub.h"
#include "valbuf.h"
#include "yamljson.h"

/* The merged view of several files: name → {"v": entry, "dir": its file's directory}. */
typedef struct {
  json_t *clusters, *contexts, *users;
  char *current;
  char *files;   /* the files read, for messages */
} merged;

/* Returns the decoded bytes of base64 text (caller frees), or NULL on bad input. */
static char *unbase64(const char *s, size_t *out_len) {
  size_t n = strlen(s);
  char *o = malloc(n / 4 * 3 + 4);
  if (!o) return NULL;
  unsigned v = 0;
  int bits = 0;
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    int d = c >= 'A' && c <= 'Z' ? c - 'A' : c >= 'a' && c <= 'z' ? c - 'a' + 26 : c >= '0' && c <= '9' ? c - '0' + 52
          : c == '+' || c == '-' ? 62 : c == '/' || c == '_' ? 63 : -1;
    if (c == '=' || c == '\n' || c == '\r' || c == ' ') continue;
    if (d < 0) return free(o), NULL;
    v = (v << 6) | (unsigned)d, bits += 6;
    if (bits >= 8) bits -= 8, o[k++] = (char)((v >> bits) & 0xff);
  }
  o[k] = '\0';
  *out_len = k;
  return o;
}

/* Returns the directory of path (caller frees). */
static char *dir_of(const char *path) {
  const char *slash = strrchr(path, '/');
  return slash ? strndup(path, (size_t)(slash - path)) : strdup(".");
}

/* Returns path resolved against dir when relative (caller frees); NULL stays NULL. */
static char *resolve(const char *dir, const char *path) {
  if (!path || !*path) return NULL;
  if (path[0] == '/' || !dir) return strdup(path);
  return strutil_printf("%s/%s", dir, path);
}

/* Adds the named entries of list (key "field") to map unless already there. */
static void merge_named(json_t *map, json_t *list, const char *field, const char *dir) {
  size_t i;
  json_t *e;
  json_array_foreach(list, i, e) {
    const char *name = json_string_value(json_object_get(e, "name"));
    json_t *v = json_object_get(e, field);
    if (!name || json_object_get(map, name)) continue;
    json_object_set_new(map, name, json_pack("{sOss}", "v", v ? v : json_null(), "dir", dir));
  }
}

/* Returns true after merging one kubeconfig document named `path` in messages, whose relative
 * paths resolve against dir (taken: freed here); false with *err on a YAML error. */
static bool merge_text(merged *m, const char *text, size_t len, const char *path, char *dir, char **err) {
  char *yerr = NULL;
  json_t *doc = yamljson_parse(text, len, &yerr);
  if (!doc) {
    *err = strutil_printf("kubeconfig %s: %s", path, yerr ? yerr : "invalid YAML");
    free(yerr);
    free(dir);
    return false;
  }
  merge_named(m->clusters, json_object_get(doc, "clusters"), "cluster", dir);
  merge_named(m->contexts, json_object_get(doc, "contexts"), "context", dir);
  merge_named(m->users, json_object_get(doc, "users"), "user", dir);
  const char *cur = json_string_value(json_object_get(doc, "current-context"));
  if (!m->current && cur && *cur) m->current = strdup(cur);
  char *files = strutil_printf("%s%s%s", m->files ? m->files : "", m->files ? ", " : "", path);
  free(m->files), m->files = files;
  free(dir);
  json_decref(doc);
  return true;
}

/* Returns true after merging one kubeconfig file (false with *err on a YAML error; a missing
 * file is skipped unless `must`). */
static bool merge_file(merged *m, const char *path, bool must, char **err) {
  size_t len = 0;
  char *text = valbuf_read_file(path, &len);
  if (!text) {
    if (must) *err = strutil_printf("cannot read kubeconfig %s", path);
    return !must;
  }
  bool ok = merge_text(m, text, len, path, dir_of(path), err);
  free(text);
  return ok;
}

/* Returns the value of an environment variable through opts. */
static const char *env(const kubeconfig_opts *o, const char *name) {
  return o && o->getenv ? o->getenv(o->env_user, name) : getenv(name);
}

/* Returns true after merging the files opts points at; *any is set when some file was named. */
static bool merge_all(merged *m, const kubeconfig_opts *o, bool *any, char **err) {
  *any = true;
  if (o && o->data) return merge_text(m, o->data, strlen(o->data), "the in-memory kubeconfig", strdup("."), err);
  if (o && o->path && *o->path) return merge_file(m, o->path, true, err);
  const char *list = env(o, "KUBECONFIG");
  if (list && *list) {
    char *copy = strdup(list), *save = NULL;
    bool ok = copy != NULL;
    for (char *p = copy ? strtok_r(copy, ":", &save) : NULL; ok && p; p = strtok_r(NULL, ":", &save))
      ok = merge_file(m, p, false, err);
    free(copy);
    return ok;
  }
  const char *home = env(o, "HOME");
  char *path = home ? strutil_printf("%s/.kube/config", home) : NULL;
  *any = path && access(path, R_OK) == 0;
  bool ok = !*any || merge_file(m, path, true, err);
  free(path);
  return ok;
}

/* Returns a field's string (borrowed) or NULL. */
static const char *str(const json_t *o, const char *key) { return json_string_value(json_object_get(o, key)); }

/* Returns true after reading a "-data" field (base64) or a file field into dst. */
static bool load_pem(const json_t *o, const char *data_key, const char *file_key, const char *dir, char **file,
                     char **data, size_t *len, const char *what, char **err) {
  const char *d = str(o, data_key);
  if (d) {
    *data = unbase64(d, len);
    if (!*data) *err = strutil_printf("%s: %s is not valid base64", what, data_key);
    return *data != NULL;
  }
  *file = resolve(dir, str(o, file_key));
  return true;
}

/* Returns the exec plugin config of a user entry, or NULL. */
static kube_exec_cfg *exec_cfg(const json_t *x, const char *dir, const json_t *cluster) {
  kube_exec_cfg *e = calloc(1, sizeof *e);
  if (!e) return NULL;
  const char *cmd = str(x, "command");
  e->command = cmd && strchr(cmd, '/') ? resolve(dir, cmd) : strdup(cmd ? cmd : "");
  e->api_version = strdup(str(x, "apiVersion") ? str(x, "apiVersion") : "client.authentication.k8s.io/v1");
  json_t *args = json_object_get(x, "args"), *envs = json_object_get(x, "env"), *v;
  size_t i;
  e->args = calloc(json_array_size(args) + 1, sizeof *e->args);
  e->env = calloc(json_array_size(envs) + 1, sizeof *e->env);
  json_array_foreach(args, i, v) e->args[i] = strdup(json_string_value(v) ? json_string_value(v) : "");
  json_array_foreach(envs, i, v) e->env[i] = strutil_printf("%s=%s", str(v, "name") ? str(v, "name") : "", str(v, "value") ? str(v, "value") : "");
  e->provide_cluster_info = json_is_true(json_object_get(x, "provideClusterInfo"));
  if (e->provide_cluster_info && cluster) e->cluster_info = json_deep_copy(cluster);
  return e;
}

/* Frees an exec config. */
void kubeconfig_exec_free(kube_exec_cfg *e) {
  if (!e) return;
  for (size_t i = 0; e->args && e->args[i]; i++) free(e->args[i]);
  for (size_t i = 0; e->env && e->env[i]; i++) free(e->env[i]);
  free(e->args), free(e->env), free(e->command), free(e->api_version);
  json_decref(e->cluster_info);
  free(e);
}

/* Frees a config. */
void kubeconfig_free(kubeconfig *kc) {
  if (!kc) return;
  free(kc->context), free(kc->cluster_name), free(kc->user_name), free(kc->server), free(kc->ns), free(kc->path);
  free(kc->ca_file), free(kc->ca_data), free(kc->cert_file), free(kc->cert_data), free(kc->key_file), free(kc->key_data);
  free(kc->token), free(kc->token_file);
  kubeconfig_exec_free(kc->exec);
  free(kc);
}

/* Returns true when the string at key of o (if any) holds a CR, LF or NUL. */
static bool has_ctl(const json_t *o, const char *key) {
  const json_t *v = json_object_get(o, key);
  return json_is_string(v) && http_has_ctl(json_string_value(v), json_string_length(v));
}

/* Returns true after filling kc's cluster fields. */
static bool fill_cluster(kubeconfig *kc, const json_t *c, const char *dir, char **err) {
  const char *server = str(c, "server");
  if (!server || !*server) return *err = strutil_printf("cluster \"%s\" has no server", kc->cluster_name), false;
  if (has_ctl(c, "server") || strpbrk(server, " \t"))
    return *err = strutil_printf("cluster \"%s\": server holds a space, CR, LF or NUL: refused", kc->cluster_name), false;
  kc->server = strdup(server);
  size_t n = strlen(kc->server);
  while (n && kc->server[n - 1] == '/') kc->server[--n] = '\0';
  kc->insecure = json_is_true(json_object_get(c, "insecure-skip-tls-verify"));
  char *what = strutil_printf("cluster \"%s\"", kc->cluster_name);
  bool ok = load_pem(c, "certificate-authority-data", "certificate-authority", dir, &kc->ca_file, &kc->ca_data,
                     &kc->ca_len, what, err);
  free(what);
  return ok;
}

/* Returns true after filling kc's user fields. */
static bool fill_user(kubeconfig *kc, const json_t *u, const char *dir, const json_t *cluster, char **err) {
  char *what = strutil_printf("user \"%s\"", kc->user_name);
  bool ok = load_pem(u, "client-certificate-data", "client-certificate", dir, &kc->cert_file, &kc->cert_data,
                     &kc->cert_len, what, err) &&
            load_pem(u, "client-key-data", "client-key", dir, &kc->key_file, &kc->key_data, &kc->key_len, what, err);
  free(what);
  if (has_ctl(u, "token"))
    return *err = strutil_printf("user \"%s\": token holds a CR, LF or NUL: refused (nothing was sent)", kc->user_name), false;
  if (str(u, "token")) kc->token = strdup(str(u, "token"));
  kc->token_file = resolve(dir, str(u, "tokenFile"));
  /* never shown (scrub.h); the -data forms are registered as the base64 of what they decode to */
  if (kc->token) scrub_add(kc->token, strlen(kc->token));
  if (kc->key_data) scrub_add(kc->key_data, kc->key_len);
  if (str(u, "client-key-data")) scrub_add_base64(str(u, "client-key-data"), strlen(str(u, "client-key-data")));
  json_t *x = json_object_get(u, "exec");
  if (ok && json_is_object(x)) kc->exec = exec_cfg(x, dir, cluster);
  return ok;
}

/* Returns the context chosen from the merged files, or NULL with *err. */
static kubeconfig *from_merged(const merged *m, const kubeconfig_opts *o, char **err) {
  const char *name = o && o->context && *o->context ? o->context : m->current;
  if (!name) return *err = strutil_printf("no context: current-context is not set in %s (pass --context)", m->files), NULL;
  json_t *ctx = json_object_get(m->contexts, name);
  if (!ctx) return *err = strutil_printf("context \"%s\" does not exist in %s", name, m->files), NULL;
  json_t *cv = json_object_get(ctx, "v");
  const char *cl = str(cv, "cluster"), *us = str(cv, "user");
  kubeconfig *kc = calloc(1, sizeof *kc);
  if (!kc) return *err = strdup("out of memory"), NULL;
  kc->context = strdup(name), kc->cluster_name = strdup(cl ? cl : ""), kc->user_name = strdup(us ? us : "");
  kc->path = o && o->path ? strdup(o->path) : NULL;
  const char *ns = o && o->ns && *o->ns ? o->ns : str(cv, "namespace");
  kc->ns = strdup(ns && *ns ? ns : "default");
  json_t *c = cl ? json_object_get(m->clusters, cl) : NULL;
  if (!c) return *err = strutil_printf("context \"%s\": cluster \"%s\" does not exist in %s", name, cl ? cl : "", m->files),
              kubeconfig_free(kc), NULL;
  json_t *u = us ? json_object_get(m->users, us) : NULL;
  if (!fill_cluster(kc, json_object_get(c, "v"), str(c, "dir"), err) ||
      (u && !fill_user(kc, json_object_get(u, "v"), str(u, "dir"), json_object_get(c, "v"), err)))
    return kubeconfig_free(kc), NULL;
  bool creds = kc->token || kc->token_file || kc->exec || kc->cert_file || kc->cert_data || kc->key_file || kc->key_data;
  if (creds && strncasecmp(kc->server, "http://", 7) == 0)
    return *err = strutil_printf("context \"%s\": credentials are never sent over plain http:// (server %s): use https://",
                                 name, kc->server),
           kubeconfig_free(kc), NULL;
  return kc;
}

/* Returns the in-cluster config, or NULL with *err. */
static kubeconfig *in_cluster(const kubeconfig_opts *o, char **err) {
  const char *host = env(o, "KUBERNETES_SERVICE_HOST"), *port = env(o, "KUBERNETES_SERVICE_PORT");
  if (!host || !*host)
    return *err = strdup("no kubeconfig: set KUBECONFIG, pass --kubeconfig, create ~/.kube/config or run in a cluster"), NULL;
  const char *env_dir = env(o, "RBK_SERVICEACCOUNT_DIR");
  const char *dir = o && o->sa_dir ? o->sa_dir : env_dir && *env_dir ? env_dir : "/var/run/secrets/kubernetes.io/serviceaccount";
  kubeconfig *kc = calloc(1, sizeof *kc);
  if (!kc) return *err = strdup("out of memory"), NULL;
  kc->context = strdup("in-cluster"), kc->cluster_name = strdup("in-cluster"), kc->user_name = strdup("serviceaccount");
  kc->server = strchr(host, ':') ? strutil_printf("https://[%s]:%s", host, port ? port : "443")
                                 : strutil_printf("https://%s:%s", host, port ? port : "443");
  kc->token_file = strutil_printf("%s/token", dir);
  kc->ca_file = strutil_printf("%s/ca.crt", dir);
  const char *ns = o && o->ns && *o->ns ? o->ns : env(o, "POD_NAMESPACE");
  char *nsfile = strutil_printf("%s/namespace", dir);
  char *file_ns = !ns || !*ns ? valbuf_read_file(nsfile, NULL) : NULL;
  free(nsfile);
  if (file_ns) file_ns[strcspn(file_ns, "\r\n")] = '\0';
  kc->ns = strdup(ns && *ns ? ns : file_ns && *file_ns ? file_ns : "default");
  free(file_ns);
  return kc;
}

/* Returns the resolved context. */
kubeconfig *kubeconfig_load(const kubeconfig_opts *opts, char **err) {
  merged m = {json_object(), json_object(), json_object(), NULL, NULL};
  bool any = false;
  kubeconfig *kc = NULL;
  if (merge_all(&m, opts, &any, err)) {
    bool have = json_object_size(m.contexts) > 0 || m.current;
    if (have) kc = from_merged(&m, opts, err);
    else if (opts && opts->path && *opts->path) *err = strutil_printf("kubeconfig %s defines no context", opts->path);
    else kc = in_cluster(opts, err);
  }
  json_decref(m.clusters), json_decref(m.contexts), json_decref(m.users);
  free(m.current), free(m.files);
  return kc;
}
