/* simreq_input.h — the simreq input format and how its requests reach a world, shared by the fuzz
 * target (fuzz_simreq.c) and the test that a copied world answers as a fresh one does
 * (tests/unit/test_sim_clone.c).
 *
 * Input: up to SIMREQ_MAX requests separated by "\n===\n", each written like HTTP/1.1 without the
 * version: "METHOD PATH[?QUERY]\n" then "Name: value" header lines, an empty line, and the body.
 * After each request the world moves 500 virtual ms on (the controllers run); a watch is polled over
 * that time, then dropped. A workload asks for at most SIMREQ_MAX_REPLICAS pods (more is refused as
 * Invalid), and an input ends once the world holds more than SIMREQ_MAX_PODS pods.
 *
 * Transcript: given a simreq_log, every answer is appended to it (the request line, status,
 * headers, body, and a watch's lines), so two runs can be compared byte for byte; NULL records
 * nothing (the fuzzer).
 *
 * Ownership: a simreq_log owns its text (free(log.p)); the input is borrowed. */
#ifndef SIMREQ_INPUT_H
#define SIMREQ_INPUT_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "sim.h"
#include "sim_world.h"

/* The most requests an input sends. */
#define SIMREQ_MAX 8
/* The most pods a world may hold before the input's next request. */
#define SIMREQ_MAX_PODS 20

/* The most pods one workload of the fuzz world may ask for (cluster.max_replicas): every controller
 * path is reached with a few pods (a rollout's surge and unavailability, a Job's parallelism), while
 * a request asking for the simulator's 1,000 made its input a hundred times slower than the others,
 * and worlds of 40 to 100 pods ten times (tests/fuzz/README.md). */
#define SIMREQ_MAX_REPLICAS "5"

/* The world every input starts from: one namespace with a Deployment, a Service, a ConfigMap and a
 * Secret, and at most SIMREQ_MAX_REPLICAS pods per workload. */
#define SIMREQ_SCENARIO \
    "{\"name\":\"fuzz\",\"start_time\":\"2025-11-17T15:00:00Z\",\"seed\":1,\"cluster\":{" \
    "\"namespace\":\"prod\",\"namespaces\":[\"prod\"],\"max_replicas\":" SIMREQ_MAX_REPLICAS "," \
    "\"deployments\":[{\"name\":\"web\",\"replicas\":2,\"labels\":{\"app\":\"web\"},\"pod_labels\":{\"app\":\"web\"}," \
    "\"container\":\"web\",\"port\":8080,\"age\":\"2d\",\"image\":\"registry.test/web:1.0\"}]," \
    "\"services\":[{\"name\":\"web\",\"labels\":{\"app\":\"web\"},\"selector\":{\"app\":\"web\"}," \
    "\"ports\":[{\"name\":\"http\",\"port\":8080}]}]," \
    "\"configmaps\":[{\"name\":\"cfg\",\"data\":{\"mode\":\"on\"}}]," \
    "\"secrets\":[{\"name\":\"db\",\"stringData\":{\"password\":\"fuzz-secret\"}}]}}"

/* A growing transcript (zero-initialised is empty). */
typedef struct {
  char *p;
  size_t n, cap;
} simreq_log;

/* Appends n bytes to the transcript (nothing when lg is NULL); aborts when out of memory. */
static inline void simreq_log_add(simreq_log *lg, const char *p, size_t n) {
  if (!lg) return;
  if (lg->n + n + 1 > lg->cap) {
    size_t cap = (lg->n + n + 1) * 2;
    char *q = realloc(lg->p, cap);
    if (!q) abort();
    lg->p = q, lg->cap = cap;
  }
  memcpy(lg->p + lg->n, p, n);
  lg->n += n;
  lg->p[lg->n] = '\0';
}

/* Appends a NUL-terminated text to the transcript. */
static inline void simreq_log_str(simreq_log *lg, const char *s) { simreq_log_add(lg, s ? s : "(null)", s ? strlen(s) : 6); }

/* Appends an answer (status, headers, body, fault fields) to the transcript. */
static inline void simreq_log_resp(simreq_log *lg, const sim_request *r, const sim_response *resp) {
  if (!lg) return;
  char line[96];
  simreq_log_str(lg, "> "), simreq_log_str(lg, r->method), simreq_log_str(lg, " "), simreq_log_str(lg, r->path);
  simreq_log_str(lg, "?"), simreq_log_str(lg, r->query ? r->query : "");
  snprintf(line, sizeof line, "\n< %d delay=%lld drop=%d watch=%d exec=%d\n", resp->status, (long long)resp->delay_ms,
           (int)resp->drop, resp->watch != NULL, resp->exec != NULL);
  simreq_log_str(lg, line);
  for (size_t i = 0; i < resp->n_headers; i++)
    simreq_log_str(lg, resp->headers[i].name), simreq_log_str(lg, ": "), simreq_log_str(lg, resp->headers[i].value),
        simreq_log_str(lg, "\n");
  if (resp->body) simreq_log_add(lg, resp->body, resp->body_len);
  if (resp->exec)
    simreq_log_str(lg, resp->exec->out), simreq_log_str(lg, resp->exec->err), simreq_log_str(lg, resp->exec->status);
  simreq_log_str(lg, "\n");
}

/* Sends one request of an input and moves the world 500 virtual ms on (*now). */
static inline void simreq_send(sim_world *w, fuzz_part req, int64_t *now, simreq_log *lg) {
  fuzz_part line, hl;
  if (!fuzz_next(&req, "\n", &line)) return;
  char *first = fuzz_cstr(line.p, line.n);
  char *sp = strchr(first, ' ');
  char *target = sp ? (*sp = '\0', sp + 1) : first + strlen(first);
  char *q = strchr(target, '?');
  if (q) *q++ = '\0';
  sim_header headers[8];
  char *texts[8];
  size_t nh = 0;
  while (req.n && fuzz_next(&req, "\n", &hl) && hl.n) {
    if (nh == 8) continue;
    char *h = texts[nh] = fuzz_cstr(hl.p, hl.n);
    char *colon = strchr(h, ':');
    if (colon) *colon++ = '\0';
    while (colon && *colon == ' ') colon++;
    headers[nh++] = (sim_header){h, colon ? colon : ""};
  }
  sim_request r = {first, target, q, headers, nh, req.n ? req.p : NULL, req.n};
  sim_response resp = {0};
  sim_handle(w, &r, &resp);
  (void)sim_response_header(&resp, "Content-Type");
  simreq_log_resp(lg, &r, &resp);
  int64_t until = *now + 500;
  for (int i = 0; resp.watch && i < 4; i++) {
    *now += 125;
    sim_advance(w, *now);
    char *out = NULL;
    size_t len = 0;
    sim_watch_state st = sim_watch_poll(w, resp.watch, &out, &len);
    if (out) simreq_log_add(lg, out, len);
    simreq_log_str(lg, st == SIM_WATCH_CLOSED ? "-- closed\n" : "-- open\n");
    free(out);
    if (st == SIM_WATCH_CLOSED) break;
  }
  sim_watch_free(resp.watch);
  sim_response_clear(&resp);
  if (*now < until) *now = until;
  sim_advance(w, *now);
  for (size_t i = 0; i < nh; i++) free(texts[i]);
  free(first);
}

/* Returns the number of pods in the world, read from its store (a LIST of one, which a client
 * would send, cost a fifth of an input: the pod's JSON written out before every request). */
static inline json_int_t simreq_pods(sim_world *w, simreq_log *lg) {
  char line[64];
  json_int_t n = (json_int_t)sim_store_count(&w->st, SIMR_PODS);
  snprintf(line, sizeof line, "pods: %lld\n", (long long)n);
  simreq_log_str(lg, line);
  if (getenv("FUZZ_TRACE")) fprintf(stderr, "fuzz_simreq: %lld pods\n", (long long)n);
  return n;
}

/* Sends an input's requests to w, from its current virtual time. A world past SIMREQ_MAX_PODS pods ends the
 * input: each workload holds at most SIMREQ_MAX_REPLICAS, but eight requests making workloads would
 * make every later one slow without reaching new code. */
static inline void simreq_run(sim_world *w, const char *data, size_t size, simreq_log *lg) {
  fuzz_part in = {data, size}, req;
  int64_t now = sim_now(w);
  for (int i = 0; i < SIMREQ_MAX && fuzz_next(&in, "\n===\n", &req) && simreq_pods(w, lg) <= SIMREQ_MAX_PODS; i++)
    simreq_send(w, req, &now, lg);
}

/* Records in lg what w holds and does next: a LIST of every kind, a watch of the controlled kinds'
 * and the Events' history from the first change, then the pods and Events again a minute later
 * (the controllers' timers and memos at work). It changes w: probe a copy to see a world's state. */
static inline void simreq_probe(sim_world *w, simreq_log *lg) {
  static const char *const paths[] = {
      "/api/v1/namespaces", "/api/v1/pods", "/api/v1/services", "/api/v1/configmaps", "/api/v1/secrets",
      "/api/v1/events", "/apis/apps/v1/deployments", "/apis/apps/v1/replicasets", "/apis/batch/v1/jobs",
      "/apis/coordination.k8s.io/v1/leases", "/api/v1/serviceaccounts", "/apis/rbac.authorization.k8s.io/v1/roles",
      "/apis/rbac.authorization.k8s.io/v1/rolebindings", "/apis/rbac.authorization.k8s.io/v1/clusterroles",
      "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings"};
  static const char *const watches[] = {"/api/v1/pods", "/apis/apps/v1/deployments", "/apis/apps/v1/replicasets",
                                        "/apis/batch/v1/jobs", "/api/v1/events"};
  int64_t now = sim_now(w);
  char text[160];
  for (size_t i = 0; i < sizeof paths / sizeof *paths; i++) {
    snprintf(text, sizeof text, "GET %s\n\n", paths[i]);
    simreq_send(w, (fuzz_part){text, strlen(text)}, &now, lg);
  }
  for (size_t i = 0; i < sizeof watches / sizeof *watches; i++) {
    snprintf(text, sizeof text, "GET %s?watch=true&resourceVersion=1&timeoutSeconds=1\n\n", watches[i]);
    simreq_send(w, (fuzz_part){text, strlen(text)}, &now, lg);
  }
  now += 60000;
  sim_advance(w, now);
  simreq_send(w, (fuzz_part){"GET /api/v1/pods\n\n", 18}, &now, lg);
  simreq_send(w, (fuzz_part){"GET /api/v1/events\n\n", 20}, &now, lg);
  char line[96];
  snprintf(line, sizeof line, "rv=%llu now=%lld next=%lld pods=%lld\n", (unsigned long long)sim_resource_version(w),
           (long long)sim_now(w), (long long)sim_next_change(w), (long long)simreq_pods(w, NULL));
  simreq_log_str(lg, line);
}

/* Returns a copy of w (sim_clone); aborts when there is none (out of memory). */
static inline sim_world *simreq_copy(const sim_world *w) {
  char *err = NULL;
  sim_world *c = sim_clone(w, &err);
  if (!c) fprintf(stderr, "simreq: sim_clone: %s\n", err ? err : "?"), abort();
  return c;
}

/* Returns the probe's transcript of w (new string): of a copy, so w is not changed. */
static inline char *simreq_probe_copy(const sim_world *w) {
  sim_world *c = simreq_copy(w);
  simreq_log lg = {0};
  simreq_probe(c, &lg);
  sim_free(c);
  return lg.p;
}

#endif
