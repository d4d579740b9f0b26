/* plant_http.c — the orchestrator's HTTP API: routing /api/v1/… to the endpoint handlers. */
#include <stdlib.h>
#include <string.h>

#include "plant_internal.h"
#include "strutil.h"

/* Every endpoint, once: X(method, path under /api/v1/ with * for one segment, handler). */
#define PLANT_ROUTES(X)                                                                           \
  X("GET", "health", plant_api_health)                                                          \
  X("GET", "health/database", plant_api_health_database)                                        \
  X("GET", "message-bus/health", plant_api_message_bus)                                         \
  X("GET", "version", plant_api_version)                                                        \
  X("GET", "config/current", plant_api_config_current)                                          \
  X("POST", "config/reload", plant_api_config_reload)                                           \
  X("GET", "plants/heat-status", plant_api_heat_status)                                         \
  X("GET", "plants/critical-heat-status", plant_api_critical_heat)                              \
  X("GET", "plants/backup-heat-status", plant_api_backup_heat)                                  \
  X("GET", "plants/*/status", plant_api_plant_status)                                           \
  X("POST", "plants/*/isolate", plant_api_isolate)                                              \
  X("POST", "plants/*/integrate", plant_api_integrate)                                          \
  X("GET", "plants/*/integration-status", plant_api_integration_status)                         \
  X("GET", "agents/status", plant_api_agents_status)                                            \
  X("GET", "agents/versions", plant_api_agents_versions)                                        \
  X("GET", "agents/deployment-groups", plant_api_deployment_groups)                             \
  X("GET", "optimization/heat-distribution/status", plant_api_optimization)                     \
  X("GET", "safety/alarms", plant_api_alarms)                                                   \
  X("GET", "emergency/rollback-verification", plant_api_rollback_verification)                  \
  X("POST", "test/post-rollback-verification", plant_api_post_rollback)

static const struct {
  const char *method, *pattern;
  plant_handler handler;
} routes[] = {
#define X(m, p, h) {m, p, h},
    PLANT_ROUTES(X)
#undef X
};

/* Returns true when path matches pattern ('*' = one non-empty segment); sets *arg to the text of
 * the '*' segment (a new string, or NULL when there is none). */
static bool route_match(const char *pattern, const char *path, char **arg) {
  *arg = NULL;
  while (*pattern && *path) {
    if (*pattern == '*') {
      size_t n = strcspn(path, "/");
      if (n == 0 || *arg) return free(*arg), *arg = NULL, false;
      *arg = strndup(path, n);
      path += n;
      pattern++;
    } else if (*pattern++ != *path++) {
      return free(*arg), *arg = NULL, false;
    }
  }
  if (*pattern || *path) return free(*arg), *arg = NULL, false;
  return true;
}

/* Answers a request whose path matched route r. */
static int dispatch(plant_request *rq, size_t r, json_t **resp) {
  if (strcmp(rq->method, routes[r].method) != 0) {
    *resp = plant_error("method %s not allowed on /api/v1/%s (use %s)", rq->method, rq->path,
                        routes[r].method);
    return 405;
  }
  return routes[r].handler(rq, resp);
}

/* Returns the route index of path (sets *arg), or -1. */
static long find_route(const char *path, char **arg) {
  for (size_t r = 0; r < sizeof routes / sizeof routes[0]; r++)
    if (route_match(routes[r].pattern, path, arg)) return (long)r;
  return -1;
}

/* Answers method+path for the answerer; returns the status, sets *resp. */
int plant_answer(plant_world *w, plant_answerer *who, const char *method, const char *path_and_query,
                 const char *body, size_t body_len, json_t **resp) {
  const char *p = path_and_query ? path_and_query : "";
  while (*p == '/') p++;
  if (strncmp(p, "api/v1/", 7) != 0) {
    *resp = plant_error("not found: /%s", p);
    return 404;
  }
  char *path = strndup(p + 7, strcspn(p + 7, "?#"));
  size_t len = strlen(path);
  while (len > 0 && path[len - 1] == '/') path[--len] = '\0';
  char *arg = NULL;
  long r = find_route(path, &arg);
  int status;
  json_error_t je;
  json_t *parsed = body && body_len ? json_loadb(body, body_len, JSON_DECODE_ANY, &je) : NULL;
  if (r < 0) {
    *resp = plant_error("not found: /api/v1/%s", path), status = 404;
  } else if (body && body_len && !parsed) {
    *resp = plant_error("invalid JSON body: %s", je.text), status = 400;
  } else {
    plant_request rq = {w, who, method ? method : "GET", path, arg, parsed};
    status = dispatch(&rq, (size_t)r, resp);
  }
  json_decref(parsed);
  free(arg);
  free(path);
  return status;
}

static int plant_http_once(plant_world *w, const plant_cluster_view *view, int64_t now_ms, const char *service,
                           const char *method, const char *path_and_query, const char *body, size_t body_len,
                           json_t **resp_body);

/* Answers one HTTP request that arrived through the service proxy of `service`. */
int plant_http(plant_world *w, const plant_cluster_view *view, int64_t now_ms, const char *service,
               const char *method, const char *path_and_query, const char *body, size_t body_len,
               json_t **resp_body) {
  return plant_http_keyed(w, view, now_ms, service, method, path_and_query, body, body_len, NULL, resp_body);
}

/* Returns the answer remembered for `key` (sets *resp, a new reference), 422 for a key reused by
 * another request, or 0 when the key is new. */
static int idem_replay(plant_world *w, const char *key, const char *request, json_t **resp) {
  json_t *seen = json_object_get(w->idem, key);
  if (!seen) return 0;
  if (strcmp(json_string_value(json_object_get(seen, "request")), request) != 0) {
    *resp = plant_error("Idempotency-Key %s was used for another request (%s)", key,
                        json_string_value(json_object_get(seen, "request")));
    return 422;
  }
  *resp = json_deep_copy(json_object_get(seen, "body"));
  return (int)json_integer_value(json_object_get(seen, "status"));
}

/* Remembers the answer to `request` sent with `key`, forgetting the oldest key past PLANT_IDEM_MAX. */
static void idem_keep(plant_world *w, const char *key, const char *request, int status, const json_t *resp) {
  if (!w->idem && !(w->idem = json_object())) return;
  if (json_object_size(w->idem) >= PLANT_IDEM_MAX) json_object_del(w->idem, json_object_iter_key(json_object_iter(w->idem)));
  json_object_set_new(w->idem, key, json_pack("{s:s s:i s:O}", "request", request, "status", status, "body", resp));
}

/* plant_http with the request's Idempotency-Key (NULL: none); see plant.h. */
int plant_http_keyed(plant_world *w, const plant_cluster_view *view, int64_t now_ms, const char *service,
                     const char *method, const char *path_and_query, const char *body, size_t body_len,
                     const char *key, json_t **resp_body) {
  bool keyed = key && *key && method && strcmp(method, "GET") != 0;
  char *request = keyed ? strutil_printf("%s %s", method, path_and_query ? path_and_query : "") : NULL;
  int replayed = request ? idem_replay(w, key, request, resp_body) : 0;
  int status = replayed ? replayed : plant_http_once(w, view, now_ms, service, method, path_and_query, body, body_len, resp_body);
  if (request && !replayed && status < 500 && *resp_body) idem_keep(w, key, request, status, *resp_body);
  free(request);
  return status;
}

/* Answers one request, applying it (plant_http without a key). */
static int plant_http_once(plant_world *w, const plant_cluster_view *view, int64_t now_ms, const char *service,
                           const char *method, const char *path_and_query, const char *body, size_t body_len,
                           json_t **resp_body) {
  plant_tick(w, view, now_ms);
  plant_answerer who = {.view = view};
  json_t *sel = plant_service_selector(view, w->s.ns, service ? service : w->s.service);
  plant_pods_list(view, w->s.ns, sel, &who.pods);
  json_decref(sel);
  plant_pods_keep_ready(&who.pods);
  int status;
  if (who.pods.len == 0) {
    *resp_body = plant_error("no endpoints available for service \"%s\"",
                             service ? service : w->s.service);
    status = 503;
  } else {
    who.pod = &who.pods.items[0];
    status = plant_answer(w, &who, method, path_and_query, body, body_len, resp_body);
  }
  plant_pods_free(&who.pods);
  return status;
}
