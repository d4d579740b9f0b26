/* test_sim_clone.c — sim_clone: a copied world answers every request, watch and later state byte for
 * byte as a freshly built one does (the simreq fuzz corpus, through the fuzz target's own request
 * code), a copy taken mid-life evolves as its original under the same calls, and the copy and the
 * original are independent (each freed, changed or read without the other). */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../fuzz/simreq_input.h"
#include "sim.h"
#include "test_sim_fx.h"

#define NS "/api/v1/namespaces/greenlang"
#define DEP "/apis/apps/v1/namespaces/greenlang/deployments/gl-001-process-heat-orchestrator"
#define PROXY NS "/services/gl-001-process-heat-orchestrator:8000/proxy/api/v1/"

/* Fails the test, naming what and where, when two transcripts differ. */
static void same_text(const char *what, const char *a, const char *b) {
  if (!strcmp(a, b)) return;
  size_t i = 0;
  while (a[i] && a[i] == b[i]) i++;
  size_t from = i > 80 ? i - 80 : 0;
  fail_msg("%s: the transcripts differ at byte %zu:\n  fresh: %.200s\n  copy:  %.200s", what, i, a + from, b + from);
}

/* Returns the transcript of an input sent to w, then of the probe of w's final state (new string;
 * w is changed). */
static char *run_input(sim_world *w, const char *data, size_t size) {
  simreq_log lg = {0};
  simreq_run(w, data, size, &lg);
  simreq_probe(w, &lg);
  return lg.p;
}

/* Returns the file's bytes (new), *n their count; fails the test when it cannot be read. */
static char *slurp(const char *path, size_t *n) {
  FILE *f = fopen(path, "rb");
  if (!f) fail_msg("cannot open %s", path);
  char *buf = NULL;
  size_t cap = 0;
  *n = 0;
  for (;;) {
    if (*n + 4096 > cap && !(buf = realloc(buf, cap = cap * 2 + 4096))) fail_msg("out of memory");
    size_t k = fread(buf + *n, 1, cap - *n, f);
    if (!k) break;
    *n += k;
  }
  fclose(f);
  return buf;
}

/* Orders two names for qsort. */
static int cmp_names(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Every input of the simreq corpus, sent to a fresh world and to a copy of a template that has
 * already served other inputs' copies: every answer, watch line and the final state are the same
 * bytes, and the template is as it was built. */
static void clone__fuzz_corpus__answers_as_fresh_world(void **state) {
  (void)state;
  const char *root = getenv("RBK_SOURCE_DIR") ? getenv("RBK_SOURCE_DIR") : ".";
  char dir[4096];
  snprintf(dir, sizeof dir, "%s/tests/fuzz/corpus/simreq", root);
  DIR *d = opendir(dir);
  if (!d) fail_msg("cannot open %s", dir);
  char *names[256];
  size_t n = 0;
  for (struct dirent *e; (e = readdir(d)) && n < 256;)
    if (e->d_name[0] != '.') names[n++] = strdup(e->d_name);
  closedir(d);
  assert_true(n >= 10);
  qsort(names, n, sizeof *names, cmp_names);
  sim_world *tmpl = tsim_world(SIMREQ_SCENARIO, 1);
  char *before = simreq_probe_copy(tmpl);
  for (size_t i = 0; i < n; i++) {
    char path[4400];
    snprintf(path, sizeof path, "%s/%s", dir, names[i]);
    size_t size;
    char *data = slurp(path, &size);
    sim_world *fresh = tsim_world(SIMREQ_SCENARIO, 1), *copy = simreq_copy(tmpl);
    char *want = run_input(fresh, data, size), *got = run_input(copy, data, size);
    same_text(names[i], want, got);
    free(want), free(got), free(data), free(names[i]);
    sim_free(fresh), sim_free(copy);
  }
  char *after = simreq_probe_copy(tmpl);
  same_text("the template after every input", before, after);
  free(before), free(after);
  sim_free(tmpl);
}

/* The calls a mid-life world gets: a bad release rolled out, the plant asked, a Job, a token's
 * requests, time; and the watch history. */
static const char *const later_calls[] = {
    "PATCH " DEP "\nContent-Type: application/strategic-merge-patch+json\n\n"
    "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"orchestrator\",\"image\":\"gcr.io/greenlang/gl-001:1.4.2\"}]}}}}",
    "GET " PROXY "plants/heat-status\n\n",
    "POST " PROXY "plants/Plant-003/isolate\nContent-Type: application/json\nIdempotency-Key: k1\n\n{\"reason\":\"test\"}",
    "POST /apis/batch/v1/namespaces/greenlang/jobs\nContent-Type: application/json\n\n"
    "{\"apiVersion\":\"batch/v1\",\"kind\":\"Job\",\"metadata\":{\"name\":\"migrate\"},\"spec\":{\"template\":{\"spec\":"
    "{\"restartPolicy\":\"Never\",\"containers\":[{\"name\":\"m\",\"image\":\"busybox\"}]}}}}",
    "GET " NS "/pods\nAuthorization: Bearer reader\n\n",
    "DELETE " NS "/configmaps/gl-001-config\nAuthorization: Bearer reader\n\n",
    "GET /api/v1/events?watch=true&resourceVersion=1&timeoutSeconds=1\n\n",
    "GET " PROXY "agents/status\n\n",
};

/* Sends the later calls to w, with the given virtual pause after each; returns the transcript
 * followed by the probe's (new string). */
static char *later_life(sim_world *w, int64_t pause) {
  simreq_log lg = {0};
  int64_t now = sim_now(w);
  for (size_t i = 0; i < sizeof later_calls / sizeof *later_calls; i++) {
    simreq_send(w, (fuzz_part){later_calls[i], strlen(later_calls[i])}, &now, &lg);
    now += pause;
    sim_advance(w, now);
    char line[64];
    snprintf(line, sizeof line, "next=%lld\n", (long long)sim_next_change(w));
    simreq_log_str(&lg, line);
  }
  size_t n = 0;
  json_t **dead = sim_take_garbage(w, &n);
  char line[64];
  snprintf(line, sizeof line, "garbage=%zu\n", n);
  simreq_log_str(&lg, line);
  for (size_t i = 0; i < n; i++) json_decref(dead[i]);
  free(dead);
  json_t *hooks = plant_webhooks(sim_plant(w));
  char *text = json_dumps(hooks, JSON_COMPACT);
  simreq_log_str(&lg, text);
  free(text), json_decref(hooks);
  simreq_probe(w, &lg);
  return lg.p;
}

/* A world with a plant and a short watch history, copied after some life (a rollout, faults'
 * PRNG, history wrapped, evicted entries kept for sim_take_garbage, a plant webhook, a token
 * bound to a ServiceAccount): the copy and the original answer the same later calls the same
 * way, and each lives on after the other is freed. */
static void clone__mid_life__copy_and_original_evolve_identically(void **state) {
  (void)state;
  char *err = NULL;
  json_t *sc = sim_load_scenario("bad-release", &err);
  assert_non_null(sc);
  json_t *cluster = json_object_get(sc, "cluster");
  if (!json_object_get(cluster, "watch")) json_object_set_new(cluster, "watch", json_object());
  json_object_set_new(json_object_get(cluster, "watch"), "history", json_integer(40));
  sim_world *w = sim_new(sc, 7, &err), *twin = sim_new(sc, 7, &err);
  json_decref(sc);
  assert_non_null(w), assert_non_null(twin);
  sim_world *both[] = {w, twin};
  for (int k = 0; k < 2; k++) {
    sim_defer_release(both[k]);
    assert_true(sim_add_token_sa(both[k], "reader", "greenlang/default"));
    assert_int_equal(plant_record_webhook(sim_plant(both[k]), "https://hooks.test/x", "{\"text\":\"hi\"}"), 0);
    free(later_life(both[k], 3000)); /* some life first: the history wraps */
    static const char scale[] = "PATCH " DEP "/scale\nContent-Type: application/merge-patch+json\n\n"
                                "{\"spec\":{\"replicas\":5}}";
    int64_t now = sim_now(both[k]);
    simreq_send(both[k], (fuzz_part){scale, strlen(scale)}, &now, NULL); /* evicted entries wait for the copy */
    sim_advance(both[k], now + 20000);
  }
  sim_world *copy = simreq_copy(w);
  char *a = later_life(w, 7000);     /* the original goes on ... */
  sim_free(w);                       /* ... and is gone before its copy moves */
  char *b = later_life(copy, 7000);
  char *c = later_life(twin, 7000);  /* a world never copied, for reference */
  same_text("original vs copy", a, b);
  same_text("twin vs copy", c, b);
  free(a), free(b), free(c);
  /* the copy is independent of the twin it matches: a copy of the copy, changed, leaves it as it was */
  char *before = simreq_probe_copy(copy);
  sim_world *again = simreq_copy(copy);
  free(later_life(again, 1000));
  sim_free(again);
  char *after = simreq_probe_copy(copy);
  same_text("a copy after its own copy changed", before, after);
  free(before), free(after);
  sim_free(copy), sim_free(twin);
}

/* Allocations jansson may still make before failing (the test's allocator). */
static long allocs_left;

/* Returns n bytes from malloc, or NULL once allocs_left is spent. */
static void *failing_malloc(size_t n) { return allocs_left-- > 0 ? malloc(n) : NULL; }

/* sim_clone out of memory at every JSON allocation in turn: NULL with a message, and nothing leaked
 * (valgrind and ASan builds check) and the original unchanged; then a copy that is whole. */
static void clone__out_of_memory__null_and_nothing_leaked(void **state) {
  (void)state;
  sim_world *w = tsim_world("bad-release", 3);
  free(later_life(w, 2000));
  char *before = simreq_probe_copy(w);
  sim_world *c = NULL;
  long n = 0;
  for (; !c && n < 100000; n++) {
    char *err = NULL;
    allocs_left = n;
    json_set_alloc_funcs(failing_malloc, free);
    c = sim_clone(w, &err);
    json_set_alloc_funcs(malloc, free);
    if (!c) assert_non_null(err), assert_string_equal(err, "out of memory");
    free(err);
  }
  assert_non_null(c);
  assert_true(n > 50); /* it failed at many points before it had enough */
  char *after = simreq_probe_copy(w), *copy = simreq_probe_copy(c);
  same_text("the original after failed copies", before, after);
  same_text("the copy that succeeded", before, copy);
  free(before), free(after), free(copy);
  sim_free(c), sim_free(w);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(clone__fuzz_corpus__answers_as_fresh_world),
      cmocka_unit_test(clone__mid_life__copy_and_original_evolve_identically),
      cmocka_unit_test(clone__out_of_memory__null_and_nothing_leaked),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
