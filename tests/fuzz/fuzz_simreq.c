/* fuzz_simreq.c — libFuzzer target: the simulator's HTTP request handling, in-process through its
 * entry point sim_handle (the path both front doors take), against a small fresh world per input.
 *
 * Input: up to 8 requests separated by "\n===\n", each written like HTTP/1.1 without the version:
 * "METHOD PATH[?QUERY]\n" then "Name: value" header lines, an empty line, and the body. The query
 * reaches the API server raw (labelSelector, fieldSelector, dryRun, fieldManager, watch, …); the
 * headers too (Content-Type picks json-patch, merge-patch or strategic-merge-patch for PATCH). After
 * each request the world moves 500 virtual ms on (the controllers run); a watch is polled over that
 * time, then dropped. Nothing may crash, leak, hang or read out of bounds, and the world stays
 * small: every input starts from the same one, and ends once the world holds more than MAX_PODS pods. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "sim.h"

/* The world every input starts from: one namespace with a Deployment, a Service, a ConfigMap and a Secret. */
static const char scenario_text[] =
    "{\"name\":\"fuzz\",\"start_time\":\"2025-11-17T15:00:00Z\",\"seed\":1,\"cluster\":{"
    "\"namespace\":\"prod\",\"namespaces\":[\"prod\"],"
    "\"deployments\":[{\"name\":\"web\",\"replicas\":2,\"labels\":{\"app\":\"web\"},\"pod_labels\":{\"app\":\"web\"},"
    "\"container\":\"web\",\"port\":8080,\"age\":\"2d\",\"image\":\"registry.test/web:1.0\"}],"
    "\"services\":[{\"name\":\"web\",\"labels\":{\"app\":\"web\"},\"selector\":{\"app\":\"web\"},"
    "\"ports\":[{\"name\":\"http\",\"port\":8080}]}],"
    "\"configmaps\":[{\"name\":\"cfg\",\"data\":{\"mode\":\"on\"}}],"
    "\"secrets\":[{\"name\":\"db\",\"stringData\":{\"password\":\"fuzz-secret\"}}]}}";

static json_t *scenario;

/* The most pods a world may hold before the input's next request. */
#define MAX_PODS 200

/* Sends one request; returns nothing (crashes are the finding). */
static void send_one(sim_world *w, fuzz_part req, int64_t *now) {
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
  int64_t until = *now + 500;
  for (int i = 0; resp.watch && i < 4; i++) {
    *now += 125;
    sim_advance(w, *now);
    char *out = NULL;
    size_t len = 0;
    sim_watch_state st = sim_watch_poll(w, resp.watch, &out, &len);
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

/* Returns the number of pods in the world, asked as a client would (a LIST of one and its
 * remainingItemCount). The answer is read without parsing it (a tenth of an input's time): the
 * list is written {"kind",…,"metadata":{…,"remainingItemCount":N},"items":[…]} in that order, and
 * no text inside a JSON string can hold an unescaped quote, so the first "items": is the list's own
 * and a "remainingItemCount": before it is the metadata's. */
static json_int_t pods_in(sim_world *w) {
  sim_request r = {"GET", "/api/v1/pods", "limit=1", NULL, 0, NULL, 0};
  sim_response resp = {0};
  sim_handle(w, &r, &resp);
  const char *body = resp.body ? resp.body : "", *items = strstr(body, "\"items\":");
  const char *rem = items ? strstr(body, "\"remainingItemCount\":") : NULL;
  json_int_t n = (items && items[8] == '[' && items[9] != ']') +
                 (rem && rem < items ? strtoll(rem + 21, NULL, 10) : 0);
  sim_response_clear(&resp);
  if (getenv("FUZZ_TRACE")) fprintf(stderr, "fuzz_simreq: %lld pods\n", (long long)n);
  return n;
}

/* Returns 0 always (libFuzzer's contract). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (!scenario && !(scenario = json_loads(scenario_text, 0, NULL))) abort();
  char *err = NULL;
  sim_world *w = sim_new(scenario, 1, &err);
  if (!w) abort(); /* the fixed scenario is valid */
  fuzz_part in = {(const char *)data, size}, req;
  int64_t now = 0;
  /* A world past MAX_PODS pods ends the input: up to 1,000 per workload are legitimate, but eight
   * such requests would make every later one slow without reaching new code. */
  for (int i = 0; i < 8 && fuzz_next(&in, "\n===\n", &req) && pods_in(w) <= MAX_PODS; i++) send_one(w, req, &now);
  sim_free(w);
  return 0;
}
