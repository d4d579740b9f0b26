/* plant_exec.c — commands run in the simulated pods (kubectl exec): which pod knows which program,
 * and curl against the orchestrator's API on localhost:8000. No shell: argv[0] is the program. */
#include <stdlib.h>
#include <string.h>

#include "plant_internal.h"
#include "sim_util.h"

/* What curl was asked to do. */
typedef struct {
  const char *url, *method, *data;
  bool fail;          /* -f: HTTP errors give exit 22 and no body */
  const char *bad;    /* an option the model does not know */
} curl_args;

/* Returns true when s is a cluster of single-letter curl flags the model accepts ("-sf", "-sS"). */
static bool curl_flags(const char *s, bool *fail) {
  if (s[0] != '-' || s[1] == '-' || s[1] == '\0') return false;
  for (const char *c = s + 1; *c; c++)
    if (!strchr("sSfLkv", *c)) return false;
  *fail |= strchr(s, 'f') != NULL;
  return true;
}

/* Parses curl's arguments. */
static curl_args parse_curl(const char *const *argv) {
  curl_args a = {NULL, NULL, NULL, false, NULL};
  for (size_t i = 1; argv[i] && !a.bad; i++) {
    const char *s = argv[i], *next = argv[i + 1];
    bool method = !strcmp(s, "-X") || !strcmp(s, "--request");
    bool header = !strcmp(s, "-H") || !strcmp(s, "--header");
    bool data = !strcmp(s, "-d") || !strcmp(s, "--data") || !strcmp(s, "--data-raw") ||
                !strcmp(s, "--data-binary");
    if ((method || header || data) && !next) a.bad = s;
    else if (method) a.method = argv[++i];
    else if (header) i++; /* headers do not change the model's answers */
    else if (data) a.data = argv[++i];
    else if (!strcmp(s, "--fail") || !strcmp(s, "--silent") || !strcmp(s, "--show-error"))
      a.fail |= !strcmp(s, "--fail");
    else if (curl_flags(s, &a.fail)) continue;
    else if (s[0] == '-') a.bad = s;
    else a.url = s;
  }
  if (!a.method) a.method = a.data ? "POST" : "GET";
  return a;
}

/* Returns the path of a URL on the pod's own port 8000 ("/api/v1/…"), or NULL for another host. */
static const char *local_path(const char *url) {
  static const char *const bases[] = {"http://localhost:8000", "http://127.0.0.1:8000"};
  for (size_t i = 0; i < 2; i++) {
    size_t n = strlen(bases[i]);
    if (strncmp(url, bases[i], n) == 0 && (url[n] == '/' || url[n] == '\0'))
      return url[n] ? url + n : "/";
  }
  return NULL;
}

/* Runs curl in app pod `pod` (the answering pod); returns curl's exit status. */
static int run_curl(plant_world *w, const plant_cluster_view *v, const json_t *pod,
                    const char *const *argv, valbuf *o, valbuf *e) {
  curl_args a = parse_curl(argv);
  if (a.bad) return valbuf_printf(e, "curl: option %s: is unknown\n", a.bad), 2;
  if (!a.url) return valbuf_printf(e, "curl: no URL specified\n"), 2;
  const char *path = local_path(a.url);
  if (!path) return valbuf_printf(e, "curl: (7) Failed to connect to %s: Connection refused\n",
                                    a.url), 7;
  plant_answerer who = {.view = v};
  who.pods.items = calloc(1, sizeof *who.pods.items);
  if (!who.pods.items || plant_pod_from_json(pod, &who.pods.items[0]))
    return free(who.pods.items), valbuf_printf(e, "curl: out of memory\n"), 2;
  who.pods.len = 1;
  who.pod = &who.pods.items[0];
  json_t *resp = NULL;
  int status = plant_answer(w, &who, a.method, path, a.data, a.data ? strlen(a.data) : 0, &resp);
  plant_pods_free(&who.pods);
  char *text = json_dumps(resp, SIMU_JSON_FLAGS);
  json_decref(resp);
  int rc = 0;
  if (a.fail && status >= 400)
    valbuf_printf(e, "curl: (22) The requested URL returned error: %d\n", status), rc = 22;
  else if (text)
    valbuf_printf(o, "%s", text);
  free(text);
  return rc;
}

/* Returns true when the pod is a GL-001 app pod (by name prefix or by its image). */
static bool is_app_pod(const plant_world *w, const char *name, const json_t *pod) {
  const char *image = json_string_value(json_object_get(json_array_get(
      sim_util_jpath(pod, "spec.containers"), 0), "image"));
  size_t n = strlen(w->s.image_repo);
  return strncmp(name, w->s.app_pod_prefix, strlen(w->s.app_pod_prefix)) == 0 ||
         (image && strncmp(image, w->s.image_repo, n) == 0 && image[n] == ':');
}

/* Returns the program name of argv[0] (its last path component). */
static const char *program(const char *arg0) {
  const char *slash = strrchr(arg0, '/');
  return slash ? slash + 1 : arg0;
}

/* Runs argv in an app pod; returns the exit status, or -1 when the pod does not know it. */
static int app_exec(plant_world *w, const plant_cluster_view *v, const json_t *pod,
                    const char *const *argv, char **out, char **err) {
  const char *prog = program(argv[0]);
  bool python = !strcmp(prog, "python") || !strcmp(prog, "python3");
  if (python && argv[1] && !strcmp(program(argv[1]), "manage.py"))
    return plant_manage_exec(w, argv + 2, out, err);
  if (strcmp(prog, "curl") != 0 || !pod) return -1;
  valbuf o = {0}, e = {0};
  int rc = run_curl(w, v, pod, argv, &o, &e);
  *out = valbuf_take(&o, NULL);
  *err = valbuf_take(&e, NULL);
  return rc;
}

/* Runs argv in pod `pod` of ns; returns the exit status (127 for an unknown command). */
int plant_exec(plant_world *w, const plant_cluster_view *view, int64_t now_ms, const char *ns,
               const char *pod, const char *const *argv, char **out, char **err_out) {
  plant_tick(w, view, now_ms);
  *out = *err_out = NULL;
  const char *prog = argv && argv[0] ? program(argv[0]) : "";
  bool ours = ns && strcmp(ns, w->s.ns) == 0;
  int rc = -1;
  if (ours && strncmp(pod, w->s.db_pod_prefix, strlen(w->s.db_pod_prefix)) == 0 &&
      (!strcmp(prog, "psql") || !strcmp(prog, "pg_dump")))
    rc = plant_db_exec(w, view, argv, out, err_out);
  const json_t *obj = ours ? view->get(view->ctx, "pods", ns, pod) : NULL;
  if (rc < 0 && ours && is_app_pod(w, pod, obj) && *prog)
    rc = app_exec(w, view, obj, argv, out, err_out);
  if (rc >= 0) return rc;
  bool shell = !strcmp(prog, "sh") || !strcmp(prog, "bash");
  *out = strdup("");
  *err_out = strutil_printf("%s: command not found%s\n", *prog ? prog : "(empty argv)",
                         shell ? " (the simulator runs argv directly, without a shell)" : "");
  return 127;
}
