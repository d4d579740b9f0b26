/* bench_engine.c — the engine's cost: 1,000 parallel branches × 3 actions against an instant
 * scripted transport (CPU µs per action, peak RSS), and a plan whose waits and timeouts add up to
 * 10 virtual minutes (wall time). Targets: < 50 µs/action, < 64 MiB, < 20 ms. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "actions_script.h"
#include "engine.h"
#include "valbuf.h"

/* Counts events. */
static int count_event(void *user, const rbk_event *ev, char **err) {
  (void)ev;
  (void)err;
  ++*(long *)user;
  return 0;
}

/* Returns the reading of clock id in seconds. */
static double seconds(clockid_t id) {
  struct timespec ts;
  clock_gettime(id, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Runs plan against script on a virtual clock; returns the exit code (events counted). */
static int run_plan(const char *plan, const char *script_text, long *events, size_t *calls) {
  diag_list diags = {0};
  rbk_program *prog = program_load_string("bench.rbk", plan, strlen(plan), &diags);
  json_t *script = json_loads(script_text, 0, NULL);
  char *err = NULL;
  rbk_actions *act = script ? actions_script_new(script, &err) : NULL;
  rbk_clock *clock = clock_virtual(CLOCK_VIRTUAL_EPOCH_MS);
  engine_config cfg = {.clock = clock, .actions = act, .sink = {events, count_event, NULL}};
  engine *e = prog && act && !diags.errors ? engine_new(prog, &cfg, &err) : NULL;
  int code = e ? engine_run(e) : -1;
  if (!e) fprintf(stderr, "bench: %s\n", err ? err : "setup failed");
  *calls = act ? actions_script_calls(act) : 0;
  free(err);
  engine_free(e);
  clock_free(clock);
  if (act) act->free(act->self);
  json_decref(script);
  program_free(prog);
  diag_free(&diags);
  return code;
}

/* 1,000 branches × 3 actions: CPU per action and peak memory. */
static int bench_parallel(void) {
  valbuf p = {0};
  valbuf_puts(&p, "runbook \"bench\" {\n  title = \"bench\"\n}\nlet plant = kube(namespace: \"ns\")\nlet xs = [");
  for (int i = 0; i < 1000; i++) valbuf_printf(&p, "%s%d", i ? ", " : "", i);
  valbuf_puts(&p, "]\nparallel for i in xs {\n  let d = plant.get(\"deployment/a${i}\")\n"
                  "  plant.patch(\"deployment/b${i}\", {spec: {replicas: 2}})\n  plant.scale(\"deployment/c${i}\", 3)\n}\n");
  long events = 0;
  size_t calls = 0;
  double c0 = seconds(CLOCK_PROCESS_CPUTIME_ID), w0 = seconds(CLOCK_MONOTONIC);
  int code = run_plan(p.s, "{\"answers\": [{\"results\": [{\"value\": {\"ok\": true}}]}]}", &events, &calls);
  double cpu = seconds(CLOCK_PROCESS_CPUTIME_ID) - c0, wall = seconds(CLOCK_MONOTONIC) - w0;
  valbuf_free(&p);
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  double us = calls ? cpu * 1e6 / (double)calls : 0;
  double mib = (double)ru.ru_maxrss / 1024.0;
  printf("parallel: exit %d, %zu actions, %ld events, cpu %.1f ms, wall %.1f ms, %.2f us/action, peak RSS %.1f MiB\n",
         code, calls, events, cpu * 1e3, wall * 1e3, us, mib);
  return code == 0 && calls == 3000 && us < 50 && mib < 64 ? 0 : 1;
}

/* Waits and timeouts adding up to 10 virtual minutes: wall time. */
static int bench_virtual_time(void) {
  const char *plan =
      "runbook \"long\" {\n  title = \"ten minutes\"\n}\n"
      "let orch = http(\"http://orch\")\nlet out = console()\n"
      "step \"waits\" {\n  notify out every 30s \"still waiting\"\n  wait 2m\n"
      "  wait until orch.get(\"/ready\").ok every 5s timeout 3m\n  wait 1m\n}\n"
      "step \"timeout\" timeout 4m {\n  orch.get(\"/slow\")\n}\n"
      "finally {\n  notify out \"done in ${run.elapsed}\"\n}\n";
  const char *script =
      "{\"answers\": [{\"target\": \"GET /ready\", \"results\": [{\"value\": {\"ok\": false}}]},"
      " {\"target\": \"GET /slow\", \"results\": [{\"value\": {}, \"delay\": \"1h\"}]}]}";
  long events = 0;
  size_t calls = 0;
  double w0 = seconds(CLOCK_MONOTONIC);
  int code = run_plan(plan, script, &events, &calls);
  double wall = (seconds(CLOCK_MONOTONIC) - w0) * 1e3;
  printf("virtual time: exit %d (the plan fails by design), %zu actions, %ld events, wall %.2f ms for 10m virtual\n",
         code, calls, events, wall);
  return code == 1 && wall < 20 ? 0 : 1;
}

int main(void) {
  int bad = bench_virtual_time();
  bad |= bench_parallel();
  printf(bad ? "bench_engine: a target was missed\n" : "bench_engine: all targets met\n");
  return bad;
}
