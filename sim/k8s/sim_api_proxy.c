/* sim_api_proxy.c — the service proxy to simulated backends (the GL-001 orchestrator), pod logs, and
 * exec in pods (answered by the plant model). */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_api.h"
#include "sim_pod.h"
#include "sim_valid.h"

/* Splits "[scheme:]name[:port]" into name and port (new strings; port may be NULL). */
static void split_service(const char *spec, char **name, char **port) {
  char *copy = strdup(spec), *parts[3] = {0};
  size_t n = 0;
  for (char *p = copy, *save = NULL, *tok; n < 3 && (tok = strtok_r(p, ":", &save)); p = NULL) parts[n++] = tok;
  size_t base = n == 3 || (n == 2 && (!strcmp(parts[0], "http") || !strcmp(parts[0], "https"))) ? 1 : 0;
  *name = strdup(n > base ? parts[base] : "");
  *port = n > base + 1 ? strdup(parts[base + 1]) : NULL;
  free(copy);
}

/* Returns true when the service has a ready pod behind its selector. */
static bool has_endpoints(sim_world *w, const json_t *svc) {
  json_t *sel = sim_util_jpath(svc, "spec.selector");
  if (!json_is_object(sel) || !json_object_size(sel)) return false;
  json_t *pods = sim_store_list(&w->st, SIMR_PODS, sim_util_jstr(svc, "metadata.namespace", ""));
  bool found = false;
  size_t i;
  json_t *p;
  json_array_foreach(pods, i, p) if (!found && sim_sel_json_matches(sel, p) && sim_pod_ready(p) && !sim_pod_terminating(p)) found = true;
  json_decref(pods);
  return found;
}

/* Returns true when the service exposes the port (by number or name; NULL = the first). */
static bool has_port(const json_t *svc, const char *port) {
  size_t i;
  json_t *p;
  if (!port) return json_array_size(sim_util_jpath(svc, "spec.ports")) > 0;
  json_array_foreach(sim_util_jpath(svc, "spec.ports"), i, p) {
    char num[32];
    snprintf(num, sizeof num, "%lld", (long long)sim_util_jint(p, "port", -1));
    if (!strcmp(num, port) || !strcmp(sim_util_jstr(p, "name", ""), port)) return true;
  }
  return false;
}

/* The service proxy, pod logs and exec-by-HTTP (sim_api_proxy.c). */
void sim_api_proxy(api_call *c) {
  char *name, *port;
  split_service(c->name, &name, &port);
  const json_t *svc = sim_store_get(&c->w->st, SIMR_SERVICES, c->ns, name);
  char *msg = NULL;
  if (!svc) {
    sim_api_status(c->resp, sim_status_not_found(SIMR_SERVICES, name));
  } else if (!has_port(svc, port)) {
    msg = strutil_printf("no service port \"%s\" found for service \"%s\"", port ? port : "", name);
    sim_api_fail(c->resp, SIMST_SERVICE_UNAVAILABLE, msg);
  } else if (!has_endpoints(c->w, svc)) {
    msg = strutil_printf("no endpoints available for service \"%s\"", name);
    sim_api_fail(c->resp, SIMST_SERVICE_UNAVAILABLE, msg);
  } else if (!c->w->plant || strcmp(sim_util_jstr(c->w->backends, name, ""), "plant")) {
    msg = strutil_printf("error trying to reach service: dial tcp %s:%s: connect: connection refused",
                      sim_util_jstr(svc, "spec.clusterIP", "10.96.0.1"), port ? port : "80");
    sim_api_fail(c->resp, SIMST_SERVICE_UNAVAILABLE, msg);
  } else {
    const char *q = c->req->query;
    char *pq = strutil_printf("%s%s%s", *c->rest ? c->rest : "/", q && *q ? "?" : "", q && *q ? q : "");
    json_t *body = NULL;
    int code = plant_http_keyed(c->w->plant, &c->w->view, simw_wall(c->w, c->w->now), name, c->req->method, pq,
                                c->req->body, c->req->body_len, sim_api_header(c->req, "Idempotency-Key"), &body);
    sim_api_json(c->resp, code, body ? body : json_object());
    free(pq);
  }
  free(msg), free(name), free(port);
}

/* Returns the container named (or the only one), or NULL with *msg set. */
static const json_t *pick_container(const json_t *pod, const char *name, char **msg) {
  json_t *cs = sim_util_jpath(pod, "spec.containers"), *c;
  size_t i;
  if (!name && json_array_size(cs) == 1) return json_array_get(cs, 0);
  json_array_foreach(cs, i, c) if (name && !strcmp(sim_util_jstr(c, "name", ""), name)) return c;
  valbuf b = {0};
  json_array_foreach(cs, i, c) valbuf_printf(&b, "%s%s", i ? " " : "", sim_util_jstr(c, "name", ""));
  char *names = valbuf_take(&b, NULL);
  const char *pn = sim_util_jstr(pod, "metadata.name", "");
  *msg = name ? strutil_printf("container %s is not valid for pod %s", name, pn)
              : strutil_printf("a container name must be specified for pod %s, choose one of: [%s]", pn, names);
  free(names);
  return NULL;
}

/* Appends text, written at RFC 3339 time `at`, unless it is older than `since` (an RFC 3339 time, or
 * "" for everything): the kubelet's sinceSeconds filter, line by line. */
static void log_put(valbuf *b, const char *at, const char *since, const char *text) {
  if (*since && strcmp(at, since) < 0) return;
  valbuf_put(b, text, strlen(text));
}

/* Returns a pod's log text from `since` on (an RFC 3339 time, or "" for all of it; new string): a
 * job container's output as written when it ended, an image's given text as written when the
 * container started, else the lines the simulated kubelet writes, each at its time. */
static char *sim_api_pod_logs(sim_world *w, const json_t *pod, const char *container, const char *since) {
  json_t *rt = sim_pod_rt(w, pod);
  char *err = NULL, ts[32];
  const json_t *c = pick_container(pod, container, &err);
  free(err);
  simpod_cstate cs;
  sim_pod_container_at(w, pod, rt, c, w->now, &cs);
  const char *started = sim_util_jstr(cs.state, "running.startedAt", "");
  const char *given = sim_util_jstr(json_object_get(w->images, sim_util_jstr(c, "image", "")), "logs", NULL);
  valbuf b = {0};
  if (json_is_string(json_object_get(rt, "logs"))) {
    sim_util_time_rfc3339(simw_wall(w, sim_util_jint(rt, "logs_at", 0)), ts);
    log_put(&b, ts, since, sim_util_jstr(rt, "logs", ""));
  } else if (given) {
    log_put(&b, *started ? started : sim_util_jstr(cs.state, "terminated.startedAt", ""), since, given);
  } else if (*started) {
    char *line = strutil_printf("%s INFO starting %s (%s)\n", started, sim_util_jstr(c, "name", ""), sim_util_jstr(c, "image", ""));
    log_put(&b, started, since, line);
    free(line);
    json_t *port = json_array_get(json_object_get(c, "ports"), 0);
    line = port ? strutil_printf("%s INFO listening on :%lld\n", started, (long long)sim_util_jint(port, "containerPort", 0)) : NULL;
    if (line) log_put(&b, started, since, line);
    free(line);
  }
  if (!json_is_string(json_object_get(rt, "logs")) && !given) {
    if (cs.ready) {
      sim_util_time_rfc3339(simw_wall(w, cs.ready_since), ts);
      char *line = strutil_printf("%s INFO ready\n", ts);
      log_put(&b, ts, since, line);
      free(line);
    }
    if (cs.restarts || !strcmp(cs.stage, "CrashLoopBackOff")) {
      const char *at = sim_util_jstr(cs.last_state, "terminated.finishedAt", started);
      char *line = strutil_printf("%s ERROR fatal: startup check failed, exiting with status 1\n", at);
      log_put(&b, at, since, line);
      free(line);
    }
  }
  json_decref(cs.state), json_decref(cs.last_state);
  char *text = valbuf_take(&b, NULL);
  return text ? text : strdup("");
}

/* Returns the start of the last n lines of text (all of it when n is negative). */
static const char *last_lines(const char *text, long n) {
  const char *p = text + strlen(text);
  if (n < 0) return text;
  if (p > text && p[-1] == '\n') p--;
  for (; p > text; p--)
    if (p[-1] == '\n' && --n <= 0) break;
  return n <= 0 ? p : text;
}

/* Returns the 422 Status of the log options the API server refuses (ValidatePodLogOptions:
 * tailLines below 0, sinceSeconds below 1), or NULL when they are valid. */
static json_t *log_options_invalid(api_call *c) {
  char *tail = sim_api_query(c, "tailLines"), *since = sim_api_query(c, "sinceSeconds");
  json_t *errs = json_array(), *t = json_integer(tail ? strtoll(tail, NULL, 10) : 0);
  json_t *s = json_integer(since ? strtoll(since, NULL, 10) : 1);
  if (json_integer_value(t) < 0) sim_valid_invalid(errs, "tailLines", t, SIMV_PLAIN, "must be greater than or equal to 0");
  if (json_integer_value(s) < 1) sim_valid_invalid(errs, "sinceSeconds", s, SIMV_PLAIN, "must be greater than 0");
  json_decref(t), json_decref(s);
  free(tail), free(since);
  return sim_valid_status(SIMR_PODS, "PodLogOptions", c->name, errs);
}

/* GET pods/NAME/log: answers the container's simulated log text, or a Status. */
void sim_api_logs(api_call *c) {
  json_t *invalid = log_options_invalid(c);
  const json_t *pod = invalid ? NULL : sim_api_existing(c);
  if (invalid) sim_api_status(c->resp, invalid);
  if (!pod) return;
  char *container = sim_api_query(c, "container"), *msg = NULL, *tail = sim_api_query(c, "tailLines");
  char *since = sim_api_query(c, "sinceSeconds"), since_ts[32] = "";
  if (since) sim_util_time_rfc3339(simw_wall(c->w, c->w->now - sim_util_secs_to_ms(strtoll(since, NULL, 10))), since_ts);
  const json_t *ct = pick_container(pod, container, &msg);
  simpod_cstate cs = {0};
  if (ct) sim_pod_container_at(c->w, pod, sim_pod_rt(c->w, pod), ct, c->w->now, &cs);
  if (!ct) {
    sim_api_fail(c->resp, SIMST_BAD_REQUEST, msg);
  } else if (!cs.started && !cs.terminated) {
    msg = strutil_printf("container \"%s\" in pod \"%s\" is waiting to start: %s", sim_util_jstr(ct, "name", ""), c->name,
                      sim_util_jstr(cs.state, "waiting.reason", "ContainerCreating"));
    sim_api_fail(c->resp, SIMST_BAD_REQUEST, msg);
  } else {
    char *logs = sim_api_pod_logs(c->w, pod, sim_util_jstr(ct, "name", NULL), since_ts);
    const char *start = tail ? last_lines(logs, strtol(tail, NULL, 10)) : logs;
    sim_api_text(c->resp, 200, "text/plain", start, strlen(start));
    free(logs);
  }
  json_decref(cs.state), json_decref(cs.last_state);
  free(container), free(msg), free(tail), free(since);
}

/* Runs argv in a pod's container (container may be NULL for the first one), as `kubectl exec` does. */
int sim_exec(sim_world *w, const char *ns, const char *pod, const char *container, const char *const *argv, char **out,
             char **err_out) {
  *out = strdup("");
  const json_t *p = sim_store_get(&w->st, SIMR_PODS, ns, pod);
  char *msg = NULL;
  const json_t *ct = p ? pick_container(p, container, &msg) : NULL;
  if (!p) msg = strutil_printf("pods \"%s\" not found", pod);
  simpod_cstate cs = {0};
  if (ct) sim_pod_container_at(w, p, sim_pod_rt(w, p), ct, w->now, &cs);
  bool running = ct && json_object_get(cs.state, "running") && !sim_pod_terminating(p);
  json_decref(cs.state), json_decref(cs.last_state);
  if (!msg && !running) msg = strutil_printf("unable to upgrade connection: container not found (\"%s\")", sim_util_jstr(ct, "name", ""));
  if (msg) return *err_out = msg, -1;
  if (!w->plant) return *err_out = strutil_printf("%s: command not found\n", argv && argv[0] ? argv[0] : ""), 127;
  free(*out);
  *out = NULL;
  int status = plant_exec(w->plant, &w->view, simw_wall(w, w->now), ns, pod, argv, out, err_out);
  if (!*out) *out = strdup("");
  if (!*err_out) *err_out = strdup("");
  return status;
}

/* Returns a pod's preference for exec: ready and running first, then older, then by name. */
static int pod_cmp(const json_t *a, const json_t *b) {
  int ra = sim_pod_ready(a) * 2 + !strcmp(sim_util_jstr(a, "status.phase", ""), "Running");
  int rb = sim_pod_ready(b) * 2 + !strcmp(sim_util_jstr(b, "status.phase", ""), "Running");
  if (ra != rb) return rb - ra;
  int t = strcmp(sim_util_jstr(a, "metadata.creationTimestamp", ""), sim_util_jstr(b, "metadata.creationTimestamp", ""));
  return t ? t : strcmp(sim_util_jstr(a, "metadata.name", ""), sim_util_jstr(b, "metadata.name", ""));
}

/* Returns the name of the pod that `kubectl exec TYPE/NAME` would pick for a reference such as
 * "deployment/x", "pod/x", "job/x" or "service/x" (caller frees), or NULL with *err set when there is
 * none. */
char *sim_ref_to_pod(sim_world *w, const char *ns, const char *ref, char **err) {
  const char *slash = strchr(ref, '/');
  char *kind = slash ? strndup(ref, (size_t)(slash - ref)) : strdup("pod");
  const char *name = slash ? slash + 1 : ref;
  int res = sim_res_find_name(kind);
  char *out = NULL;
  const json_t *obj = res >= 0 ? sim_store_get(&w->st, (simr_kind)res, ns, name) : NULL;
  if (res < 0) *err = strutil_printf("error: the server doesn't have a resource type \"%s\"", kind);
  else if (!obj) *err = strutil_printf("Error from server (NotFound): %s \"%s\" not found", sim_res_qualified((simr_kind)res), name);
  else if (res == SIMR_PODS) out = strdup(name);
  else {
    json_t *sel = sim_util_jpath(obj, "spec.selector");
    json_t *pods = sim_store_list(&w->st, SIMR_PODS, ns);
    const json_t *best = NULL;
    size_t i;
    json_t *p;
    json_array_foreach(pods, i, p) {
      bool match = res == SIMR_JOBS ? sim_world_owned_by(p, sim_util_jstr(obj, "metadata.uid", "")) : sim_sel_json_matches(sel, p);
      if (match && !sim_pod_terminating(p) && (!best || pod_cmp(p, best) < 0)) best = p;
    }
    if (best) out = strdup(sim_util_jstr(best, "metadata.name", ""));
    else *err = strutil_printf("no pods found for %s/%s", kind, name);
    json_decref(pods);
  }
  free(kind);
  return out;
}
