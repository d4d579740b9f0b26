/* kubeconfig.h — which cluster and credentials a kube() handle uses: kubeconfig files (libyaml
 * through yamljson), KUBECONFIG lists with kubectl's first-wins merge, contexts, namespaces,
 * tokens, token files, client certificates, CAs, exec credential plugins, in-cluster config.
 *
 * Credentials are secrets: nothing here prints them, and error messages name the context, the
 * user or the file, never a token or a key.
 *
 * Ownership: kubeconfig_load returns a config the caller frees with kubeconfig_free; kubeconfig_auth_new
 * copies what it needs from the config. Returned strings are new unless marked borrowed. */
#ifndef RBK_KUBECONFIG_H
#define RBK_KUBECONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

/* An exec credential plugin (users[].user.exec). */
typedef struct {
  char *command;
  char **args;          /* NULL-terminated */
  char **env;           /* "NAME=value", NULL-terminated */
  char *api_version;
  bool provide_cluster_info;
  json_t *cluster_info; /* the cluster's fields for KUBERNETES_EXEC_INFO, or NULL */
} kube_exec_cfg;

/* One resolved context: a cluster, a user, a namespace. */
typedef struct {
  char *context, *cluster_name, *user_name; /* names, for messages ("in-cluster" when so) */
  char *server;                             /* "https://host:port" (no trailing slash) */
  char *ns;                                 /* the context's namespace, else "default" */
  char *path;                               /* the explicit kubeconfig path, or NULL */
  char *ca_file, *ca_data;                  /* CA: a file, or PEM bytes (decoded -data) */
  size_t ca_len;
  char *cert_file, *cert_data;
  size_t cert_len;
  char *key_file, *key_data;
  size_t key_len;
  bool insecure;                            /* insecure-skip-tls-verify */
  char *token, *token_file;
  kube_exec_cfg *exec;
} kubeconfig;

/* Where to look. Every field may be NULL. */
typedef struct {
  const char *path;      /* --kubeconfig or kube(kubeconfig:): only this file */
  const char *context;   /* --context or kube(context:); "" means the current context */
  const char *ns;        /* kube(namespace:): overrides the context's namespace */
  /* Returns an environment variable (KUBECONFIG, HOME, KUBERNETES_SERVICE_HOST, …); NULL → getenv. */
  const char *(*getenv)(void *user, const char *name);
  void *env_user;
  const char *sa_dir;    /* in-cluster files; NULL → $RBK_SERVICEACCOUNT_DIR, else
                          * /var/run/secrets/kubernetes.io/serviceaccount */
  const char *data;      /* a kubeconfig document in memory, read instead of any file (path,
                            KUBECONFIG and ~/.kube/config are ignored); relative paths in it
                            resolve against the working directory */
} kubeconfig_opts;

/* Returns the resolved context, or NULL with *err set (caller frees): "context \"x\" not found in
 * /path/config", "no kubeconfig: set KUBECONFIG, pass --kubeconfig or run in a cluster", a YAML
 * error with its file. Order: opts->data; opts->path; else KUBECONFIG's files merged (first wins per name and
 * for current-context; missing files skipped); else ~/.kube/config; else in-cluster. */
kubeconfig *kubeconfig_load(const kubeconfig_opts *opts, char **err);

/* Frees a config (NULL is fine). */
void kubeconfig_free(kubeconfig *kc);
/* Frees an exec plugin's config (NULL is fine). */
void kubeconfig_exec_free(kube_exec_cfg *e);

/* The credentials of a connection: a static token, a token file (re-read at most once a
 * minute), or an exec plugin (cached until its expirationTimestamp; refreshed after a 401). */
typedef struct kube_auth kube_auth;

/* Returns the credentials of kc (copied), or NULL when it has none. */
kube_auth *kubeconfig_auth_new(const kubeconfig *kc);
/* Frees them (NULL is fine). */
void kubeconfig_auth_free(kube_auth *a);

/* Returns the "Authorization: Bearer …" header line (borrowed until the next call), or NULL when
 * there is no token (client certificates only). mono_ms and wall_ms are the current monotonic and
 * wall-clock times. Runs the exec plugin when its credential is missing or expired. On failure
 * returns NULL with *err set (a message naming the user, never the token). */
const char *kubeconfig_auth_header(kube_auth *a, int64_t mono_ms, int64_t wall_ms, char **err);

/* Returns true with the client certificate and key PEM (borrowed) that an exec plugin returned. */
bool kubeconfig_auth_client_cert(const kube_auth *a, const char **cert, size_t *cert_len, const char **key,
                                 size_t *key_len);

/* After a 401: drops a cached exec credential or token file contents. Returns true when asking
 * again may help (an exec plugin or a token file). */
bool kubeconfig_auth_invalidate(kube_auth *a);

#endif
