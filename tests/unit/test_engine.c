/* test_engine.c — the engine through its API: determinism, 1,000 parallel branches, resume,
 * in-flight re-checks, a failing event sink, cancellation, slugs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "actions_script.h"
#include "cli.h"
#include "engine.h"
#include "valbuf.h"

/* What a test run recorded. */
typedef struct {
  valbuf lines;          /* one JSON line per event */
  int fail_at;           /* the sink fails at this event (1-based), 0 never */
  int seen;
  engine *cancel_engine; /* cancel this engine at the first action_start */
  int cancels;           /* how many times */
} recorder;

/* Records an event as a JSON line; fails or cancels as the recorder says. */
static int record(void *user, const rbk_event *ev, char **err) {
  recorder *r = user;
  r->seen++;
  char *line = event_to_line(ev, true);
  valbuf_puts(&r->lines, line);
  valbuf_puts(&r->lines, "\n");
  free(line);
  if (r->cancel_engine && ev->kind == RBK_EV_ACTION_START)
    for (int i = 0; i < r->cancels; i++) engine_cancel(r->cancel_engine, "test cancel");
  if (r->fail_at && r->seen >= r->fail_at) {
    *err = strdup("disk full");
    return -1;
  }
  return 0;
}

/* One run's inputs and outputs. */
typedef struct {
  const char *plan, *script;
  const char *const *resume_done, *const *resume_inflight;
  recorder rec;
  int code;
  char *log;   /* the scripted actions' call log */
  size_t calls;
} run_case;

/* Runs c->plan against c->script on a virtual clock; fills code, events, log. */
static void run(run_case *c) {
  diag_list diags = {0};
  rbk_program *prog = program_load_string("t.rbk", c->plan, strlen(c->plan), &diags);
  assert_non_null(prog);
  assert_int_equal(diags.errors, 0);
  json_error_t je;
  json_t *script = json_loads(c->script, 0, &je);
  assert_non_null(script);
  char *err = NULL;
  rbk_actions *act = actions_script_new(script, &err);
  assert_non_null(act);
  rbk_clock *clock = clock_virtual(CLOCK_VIRTUAL_EPOCH_MS);
  engine_config cfg = {.clock = clock, .actions = act, .sink = {&c->rec, record}, .operator_name = "tester",
                       .resume_done = c->resume_done, .resume_inflight = c->resume_inflight};
  engine *e = engine_new(prog, &cfg, &err);
  assert_non_null(e);
  if (c->rec.cancels) c->rec.cancel_engine = e;
  c->code = engine_run(e);
  c->log = strdup(actions_script_log(act));
  c->calls = actions_script_calls(act);
  engine_free(e);
  clock_free(clock);
  act->free(act->self);
  json_decref(script);
  program_free(prog);
  diag_free(&diags);
}

/* Frees what a run recorded. */
static void run_free(run_case *c) {
  valbuf_free(&c->rec.lines);
  free(c->log);
}

/* Returns the recorded events (borrowed). */
static const char *events(run_case *c) {
  if (!c->rec.lines.s) valbuf_puts(&c->rec.lines, "");
  return c->rec.lines.s;
}

static const char *plan_basic =
    "runbook \"t\" {\n  title = \"t\"\n}\n"
    "let plant = kube(namespace: \"ns\")\n"
    "let out = console()\n"
    "step \"first\" {\n  plant.rollout_undo(\"deployment/x\")\n  wait 10s\n}\n"
    "step \"second\" {\n  parallel {\n    plant.get(\"deployment/a\")\n    plant.get(\"deployment/b\")\n  }\n}\n"
    "finally {\n  notify out \"done ${run.elapsed}\"\n}\n";

static const char *script_basic =
    "{\"default_delay\": \"1s\", \"answers\": [{\"action\": \"get\", \"target\": \"deployment/b\", "
    "\"results\": [{\"value\": {}, \"delay\": \"3s\"}]}, {\"results\": [{\"value\": {}}]}]}";

/* The same plan and script give a byte-identical event stream. */
static void engine__two_runs__identical_events(void **state) {
  (void)state;
  run_case a = {.plan = plan_basic, .script = script_basic}, b = a;
  run(&a);
  run(&b);
  assert_int_equal(a.code, RBK_EXIT_OK);
  assert_string_equal(events(&a), events(&b));
  assert_non_null(strstr(events(&a), "\"message\":\"done 14s\""));
  run_free(&a);
  run_free(&b);
}

/* 1,000 parallel branches of 3 actions each all run, and the run succeeds. */
static void engine__thousand_branches__all_actions_run(void **state) {
  (void)state;
  valbuf p = {0};
  valbuf_puts(&p, "runbook \"big\" {\n  title = \"big\"\n}\nlet plant = kube(namespace: \"ns\")\nlet xs = [");
  for (int i = 0; i < 1000; i++) valbuf_printf(&p, "%s%d", i ? ", " : "", i);
  valbuf_puts(&p, "]\nparallel for i in xs {\n  plant.get(\"deployment/a${i}\")\n  plant.get(\"deployment/b${i}\")\n"
                  "  plant.scale(\"deployment/c${i}\", 2)\n}\n");
  run_case c = {.plan = p.s, .script = "{\"answers\": [{\"results\": [{\"value\": {}}]}]}"};
  run(&c);
  assert_int_equal(c.code, RBK_EXIT_OK);
  assert_int_equal(c.calls, 3000);
  run_free(&c);
  valbuf_free(&p);
}

/* Steps completed by an earlier run are skipped: no action of theirs runs again. */
static void engine__resume__completed_steps_skipped(void **state) {
  (void)state;
  const char *const done[] = {"|first", NULL};
  run_case c = {.plan = plan_basic, .script = script_basic, .resume_done = done};
  run(&c);
  assert_int_equal(c.code, RBK_EXIT_OK);
  assert_null(strstr(c.log, "rollout_undo"));
  assert_non_null(strstr(events(&c), "\"status\":\"skipped\""));
  run_free(&c);
}

/* A mutating action that was in flight is started with the re-check flag and a warning. */
static void engine__resume_inflight__recheck_requested(void **state) {
  (void)state;
  const char *const inflight[] = {"|7:3", NULL};
  run_case c = {.plan = plan_basic, .script = script_basic, .resume_inflight = inflight};
  run(&c);
  assert_int_equal(c.code, RBK_EXIT_OK);
  assert_non_null(strstr(c.log, "start-recheck rollout_undo deployment/x"));
  assert_non_null(strstr(events(&c), "was in flight when the previous run stopped"));
  run_free(&c);
}

/* When the sink cannot record, no further action starts and the run fails. */
static void engine__sink_fails__no_further_action(void **state) {
  (void)state;
  run_case c = {.plan = plan_basic, .script = script_basic, .rec = {.fail_at = 3}};
  run(&c);
  assert_int_equal(c.code, RBK_EXIT_FAILED);
  assert_null(strstr(c.log, "get deployment/a"));
  assert_null(strstr(c.log, "notify"));
  run_free(&c);
}

/* engine_cancel aborts the action in flight, runs finally, and the run exits 3. */
static void engine__cancel__handlers_run_exit_3(void **state) {
  (void)state;
  run_case c = {.plan = plan_basic, .script = script_basic, .rec = {.cancels = 1}};
  run(&c);
  assert_int_equal(c.code, RBK_EXIT_ABORTED);
  assert_non_null(strstr(c.log, "cancel rollout_undo"));
  assert_non_null(strstr(c.log, "notify console"));
  assert_non_null(strstr(events(&c), "\"event\":\"run_end\",\"status\":\"cancelled\""));
  run_free(&c);
}

/* A second cancel stops at once: no handler runs. */
static void engine__second_cancel__stops_at_once(void **state) {
  (void)state;
  run_case c = {.plan = plan_basic, .script = script_basic, .rec = {.cancels = 2}};
  run(&c);
  assert_int_equal(c.code, RBK_EXIT_ABORTED);
  assert_null(strstr(c.log, "notify"));
  assert_non_null(strstr(events(&c), "stopped at once"));
  run_free(&c);
}

/* Slugs and step keys. */
static void engine__slug_and_key__as_documented(void **state) {
  (void)state;
  char *s = engine_slug("  Plant Safety Officer notified? ");
  assert_string_equal(s, "plant-safety-officer-notified");
  free(s);
  char *k = engine_step_key("@12:3[2]", "a › b");
  assert_string_equal(k, "@12:3[2]|a › b");
  free(k);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(engine__two_runs__identical_events),
      cmocka_unit_test(engine__thousand_branches__all_actions_run),
      cmocka_unit_test(engine__resume__completed_steps_skipped),
      cmocka_unit_test(engine__resume_inflight__recheck_requested),
      cmocka_unit_test(engine__sink_fails__no_further_action),
      cmocka_unit_test(engine__cancel__handlers_run_exit_3),
      cmocka_unit_test(engine__second_cancel__stops_at_once),
      cmocka_unit_test(engine__slug_and_key__as_documented),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
