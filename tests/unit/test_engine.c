/* test_engine.c — the engine through its API: determinism, 1,000 parallel branches, resume,
 * in-flight re-checks, a failing event sink, cancellation, notifications in flight, slugs. */
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
  const char *cancel_at; /* cancel at the first event whose message starts so instead */
} recorder;

/* Records an event as a JSON line; fails or cancels as the recorder says. */
static int record(void *user, const rbk_event *ev, char **err) {
  recorder *r = user;
  r->seen++;
  char *line = events_to_line(ev, true);
  valbuf_puts(&r->lines, line);
  valbuf_puts(&r->lines, "\n");
  free(line);
  bool at = r->cancel_at ? ev->message && !strncmp(ev->message, r->cancel_at, strlen(r->cancel_at))
                         : ev->kind == RBK_EV_ACTION_START;
  if (r->cancel_engine && at)
    for (int i = 0; i < r->cancels; i++) engine_cancel(r->cancel_engine, "test cancel");
  if (at) r->cancel_engine = NULL;
  if (r->fail_at && r->seen >= r->fail_at) {
    *err = strdup("disk full");
    return -1;
  }
  return 0;
}

/* One run's inputs and outputs. */
typedef struct {
  const char *plan, *script;
  const char *const *resume_done, *const *resume_inflight, *const *resume_gates;
  const char *resume_results, *resume_returns; /* JSON text, or NULL */
  char *results_left;                          /* resume_results after the run (JSON text) */
  bool ignore_deadline;
  bool preview;                                /* engine_config.preview (rbk plan --live) */
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
  json_t *results = c->resume_results ? json_loads(c->resume_results, 0, &je) : NULL;
  json_t *returns = c->resume_returns ? json_loads(c->resume_returns, 0, &je) : NULL;
  assert_true(!c->resume_results || results);
  assert_true(!c->resume_returns || returns);
  engine_config cfg = {.resume_results = results, .resume_returns = returns, .clock = clock, .actions = act, .sink = {&c->rec, record, NULL}, .operator_name = "tester",
                       .resume_done = c->resume_done, .resume_inflight = c->resume_inflight,
                       .resume_gates = c->resume_gates,
                       .ignore_deadline = c->ignore_deadline, .preview = c->preview};
  engine *e = engine_new(prog, &cfg, &err);
  assert_non_null(e);
  if (c->rec.cancels) c->rec.cancel_engine = e;
  c->code = engine_run(e);
  c->log = strdup(actions_script_log(act));
  c->calls = actions_script_calls(act);
  if (results) c->results_left = json_dumps(results, JSON_COMPACT | JSON_SORT_KEYS);
  json_decref(results);
  json_decref(returns);
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
  free(c->results_left);
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

static const char *plan_gates =
    "runbook \"t\" {\n  title = \"t\"\n}\n"
    "step \"s\" {\n"
    "  gate \"plain\" {\n    assert false, \"the world changed\"\n  }\n"
    "  gate \"window\" recheck true {\n    assert false, \"outside the window\"\n  }\n"
    "}\n";

/* On resume a gate that passed before a mutation is replayed as passed, unless it says
 * `recheck true`: that one is judged again (and here stops the run). */
static void engine__resume_gates__replayed_unless_recheck(void **state) {
  (void)state;
  const char *const gates[] = {"gate:|s › plain", "gate:|s › window", NULL};
  run_case c = {.plan = plan_gates, .script = "{\"answers\": []}", .resume_gates = gates};
  run(&c);
  assert_int_equal(c.code, RBK_EXIT_FAILED);
  const char *ev = events(&c);
  assert_non_null(strstr(ev, "plain (passed before the interruption)"));
  assert_null(strstr(ev, "the world changed"));
  assert_non_null(strstr(ev, "outside the window"));
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

static const char *plan_preview_gate =
    "runbook \"t\" {\n  title = \"t\"\n}\n"
    "gate \"backup\" every 5s timeout 1m {\n  assert false, \"no backup\"\n}\n";

static const char *plan_preview_after =
    "runbook \"t\" {\n  title = \"t\"\n}\n"
    "let plant = kube(namespace: \"ns\")\n"
    "step \"s\" {\n"
    "  wait until 1 > 2 every 1s timeout 10s\n"
    "  plant.rollout_undo(\"deployment/x\")\n"
    "  assert 1 > 2, \"not rolled back yet\"\n"
    "  gate \"healthy\" every 1s timeout 5s {\n    assert false, \"unhealthy\"\n  }\n"
    "}\n";

/* Preview: before any write, a polling gate that does not pass fails at once, without polling; a
 * wait until is judged once and goes on; after a mutating action, failed checks are reported as
 * skipped and the run goes on. */
static void engine__preview__gates_waits_and_checks(void **state) {
  (void)state;
  run_case g = {.plan = plan_preview_gate, .script = "{\"answers\": []}", .preview = true};
  run(&g);
  assert_int_equal(g.code, RBK_EXIT_FAILED);
  assert_non_null(strstr(events(&g), "gate 'backup' does not pass now (a run polls it every 5s for up to 1m): no backup"));
  assert_null(strstr(events(&g), "\"t_ms\":5000"));
  run_free(&g);
  run_case c = {.plan = plan_preview_after, .script = "{\"answers\": [{\"results\": [{\"value\": {}}]}]}", .preview = true};
  run(&c);
  assert_int_equal(c.code, RBK_EXIT_OK);
  const char *ev = events(&c);
  assert_non_null(strstr(ev, "\"status\":\"skipped\",\"message\":\"would wait up to 10s until 1 > 2 (now: false)\""));
  assert_non_null(strstr(ev, "\"status\":\"skipped\",\"message\":\"not rolled back yet\""));
  assert_non_null(strstr(ev, "\"status\":\"skipped\",\"message\":\"unhealthy\""));
  assert_null(strstr(ev, "\"status\":\"failed\""));
  run_free(&c);
}

static const char *plan_replay =
    "runbook \"t\" {\n  title = \"t\"\n}\n"
    "let plant = kube(namespace: \"ns\")\n"
    "let api = http(\"https://x\")\n"
    "proc f() {\n  step \"x\" {\n    return api.get(\"/s\")\n  }\n}\n"
    "let v = f()\n"
    "step \"s\" {\n  let job = api.post(\"/jobs\")\n  plant.scale(\"deployment/a\", 1)\n"
    "  plant.scale(\"deployment/${job.id}\", 2)\n}\n"
    "step \"r\" retry 1 {\n  plant.scale(\"deployment/r\", 1)\n  let s = plant.get(\"deployment/s\")\n  assert s.ok\n}\n"
    "step \"y\" {\n  api.put(\"/v/${v.serving}\", {})\n}\n";

static const char *script_replay =
    "{\"answers\": [{\"action\": \"get\", \"target\": \"GET /s\", \"results\": [{\"value\": {\"serving\": \"green\"}}]},"
    " {\"action\": \"get\", \"results\": [{\"value\": {\"ok\": false}}, {\"value\": {\"ok\": true}}]},"
    " {\"action\": \"post\", \"results\": [{\"value\": {\"id\": \"live\"}}]},"
    " {\"results\": [{\"value\": {}}]}]}";

/* Completed mutating actions of a step that runs again return their journaled results instead of
 * running (events skipped); each journaled result stands for one execution, so the retry of step
 * "r" sends its scale for real the second time. */
static void engine__resume_results__completed_actions_replayed(void **state) {
  (void)state;
  run_case c = {.plan = plan_replay, .script = script_replay,
                .resume_results = "{\"|13:13\": [{\"id\": \"j9\"}], \"|14:3\": [{}], \"|18:3\": [{}]}"};
  run(&c);
  assert_int_equal(c.code, RBK_EXIT_OK);
  assert_null(strstr(c.log, "post POST /jobs"));
  assert_null(strstr(c.log, "scale deployment/a"));
  assert_non_null(strstr(c.log, "start scale deployment/j9"));
  const char *once = strstr(c.log, "start scale deployment/r");
  assert_non_null(once);
  assert_null(strstr(once + 1, "start scale deployment/r"));
  assert_non_null(strstr(events(&c), "\"action\":\"post\",\"target\":\"POST /jobs\",\"mutating\":true,"
                                     "\"status\":\"skipped\",\"message\":\"completed before the interruption\""));
  assert_string_equal(c.results_left, "{\"|13:13\":[],\"|14:3\":[],\"|18:3\":[]}");
  run_free(&c);
}

/* A skipped step that returned a value returns its journaled value again; a step that returns
 * journals "returned" and the value. */
static void engine__resume_returns__skipped_step_returns_value(void **state) {
  (void)state;
  const char *const done[] = {"@11:9|x", NULL};
  run_case c = {.plan = plan_replay, .script = script_replay, .resume_done = done,
                .resume_returns = "{\"@11:9|x\": {\"serving\": \"blue\"}}"};
  run(&c);
  assert_int_equal(c.code, RBK_EXIT_OK);
  assert_null(strstr(c.log, "GET /s"));
  assert_non_null(strstr(c.log, "put PUT /v/blue"));
  assert_non_null(strstr(events(&c), "\"status\":\"skipped\",\"message\":\"completed by an earlier run\","
                                     "\"key\":\"@11:9|x\",\"duration_ms\":0,\"result\":{\"serving\":\"blue\"},"
                                     "\"returned\":true"));
  run_case plain = {.plan = plan_replay, .script = script_replay};
  run(&plain);
  assert_int_equal(plain.code, RBK_EXIT_OK);
  assert_non_null(strstr(events(&plain), "\"result\":{\"serving\":\"green\"},\"returned\":true"));
  assert_non_null(strstr(plain.log, "put PUT /v/green"));
  run_free(&c);
  run_free(&plain);
}

/* A step that returns a secret journals "returned" without the value. */
static void engine__step_returns_secret__value_not_journaled(void **state) {
  (void)state;
  run_case c = {.plan = "runbook \"t\" {\n  title = \"t\"\n}\n"
                        "proc f() {\n  step \"x\" {\n    return secret(\"HOME\")\n  }\n}\n"
                        "let v = f()\nassert v != \"\"\n",
                .script = "{\"answers\": []}"};
  run(&c);
  assert_int_equal(c.code, RBK_EXIT_OK);
  assert_non_null(strstr(events(&c), "\"key\":\"@9:9|x\",\"duration_ms\":0,\"returned\":true}"));
  run_free(&c);
}

/* A run stopped from outside: the sink failing or cancels, and what the run then shows. */
typedef struct {
  const char *about;
  const char *plan, *script;
  recorder rec;                     /* fail_at, cancels, cancel_at */
  int code;                         /* the exit code */
  const char *log_has, *log_lacks[2]; /* in the call log, or not (NULL: no check) */
  const char *events_has[3];        /* in the event lines */
} stop_case;

/* Runs c; fails naming it when the code, the call log or the events differ from what it wants. */
static void expect_stop(const stop_case *c) {
  run_case r = {.plan = c->plan, .script = c->script, .rec = c->rec};
  run(&r);
  if (r.code != c->code) fail_msg("%s: exit %d, want %d", c->about, r.code, c->code);
  if (c->log_has && !strstr(r.log, c->log_has)) fail_msg("%s: no \"%s\" in the log:\n%s", c->about, c->log_has, r.log);
  for (size_t i = 0; i < 2 && c->log_lacks[i]; i++)
    if (strstr(r.log, c->log_lacks[i])) fail_msg("%s: \"%s\" in the log:\n%s", c->about, c->log_lacks[i], r.log);
  for (size_t i = 0; i < 3 && c->events_has[i]; i++)
    if (!strstr(events(&r), c->events_has[i])) fail_msg("%s: no %s in the events:\n%s", c->about, c->events_has[i], events(&r));
  run_free(&r);
}

static const char *plan_notify =
    "runbook \"t\" {\n  title = \"t\"\n}\n"
    "let plant = kube(namespace: \"ns\")\n"
    "let slack = slack(webhook: \"https://hooks.example/x\", channel: \"#incident\")\n"
    "notify slack \"starting\"\n"
    "step \"roll back\" {\n  plant.rollout_undo(\"deployment/x\")\n}\n"
    "notify slack \"ROLLBACK COMPLETE in ${run.elapsed}\"\n";

static const char *script_notify =
    "{\"answers\": [{\"action\": \"rollout_undo\", \"results\": [{\"value\": {}, \"delay\": \"2s\"}]}, "
    "{\"action\": \"notify\", \"results\": [{\"value\": null, \"delay\": \"4s\"}]}]}";

/* Every stop case: a failing sink, one and two cancels, during the plan and after it. */
static void engine__stops__sink_failure_and_cancels(void **state) {
  (void)state;
  const stop_case cases[] = {
      {"when the sink cannot record, no further action starts and the run fails", plan_basic, script_basic,
       {.fail_at = 3}, RBK_EXIT_FAILED, NULL, {"get deployment/a", "notify"}, {NULL}},
      {"engine_cancel aborts the action in flight, runs finally, and the run exits 3", plan_basic, script_basic,
       {.cancels = 1}, RBK_EXIT_ABORTED, "cancel rollout_undo", {NULL}, {"\"event\":\"run_end\",\"status\":\"cancelled\""}},
      {"a second cancel stops at once: no handler runs", plan_basic, script_basic, {.cancels = 2}, RBK_EXIT_ABORTED,
       NULL, {"notify"}, {"stopped at once"}},
      {"a slow delivery delays neither the plan nor its duration, but run_end waits for it (4s: within the 5s "
       "grace after the plan ended)", plan_notify, script_notify, {.cancels = 0}, RBK_EXIT_OK, NULL, {"cancel"},
       {"\"t_ms\":0,\"event\":\"action_start\"", "\"message\":\"ROLLBACK COMPLETE in 2s\"",
        "{\"t_ms\":6000,\"event\":\"run_end\",\"status\":\"ok\",\"duration_ms\":2000,"}},
      {"the first cancel stops the plan but not the notification already sent: it is delivered", plan_notify,
       script_notify, {.cancels = 1}, RBK_EXIT_ABORTED, NULL, {"cancel slack"},
       {"{\"t_ms\":4000,\"event\":\"run_end\",\"status\":\"cancelled\""}},
      {"the second cancel drops the notifications in flight too, and the run ends at once", plan_notify,
       script_notify, {.cancels = 2}, RBK_EXIT_ABORTED, "cancel slack #incident starting", {NULL},
       {"notification to slack #incident dropped: stopped at once by a second interrupt",
        "{\"t_ms\":0,\"event\":\"run_end\",\"status\":\"cancelled\""}},
      {"a second cancel once the plan has ended drops the deliveries with warnings; the result stands", plan_notify,
       script_notify, {.cancels = 2, .cancel_at = "ROLLBACK"}, RBK_EXIT_OK,
       "cancel slack #incident ROLLBACK COMPLETE in 2s", {NULL},
       {"{\"t_ms\":2000,\"event\":\"warning\",\"message\":\"notification to slack "
        "#incident dropped: stopped at once by a second interrupt\"",
        "{\"t_ms\":2000,\"event\":\"run_end\",\"status\":\"ok\""}},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) expect_stop(&cases[i]);
}

/* Returns a plan (caller frees): a runbook with `fields`, an endpoint `orch`, a console `out`, the
 * typed procs h(x: float) and g(n: int = <a string at run time>), then `body` from line 12, and
 * an on failure handler that notifies "failed at <run.failed_step>: <run.error>". */
static char *plan_with(const char *fields, const char *body) {
  valbuf b = {0};
  valbuf_printf(&b, "runbook \"t\" {\n  title = \"t\"\n%s}\nlet orch = http(\"http://o\")\nlet out = console()\n"
                    "proc h(x: float) {\n  notify out \"h ${x}\"\n}\nproc g(n: int = json(\"\\\"5\\\"\")) {\n  notify out \"${n}\"\n}\n"
                    "%s\non failure {\n  notify out \"failed at ${run.failed_step}: ${run.error}\"\n}\n",
                fields, body);
  return valbuf_take(&b, NULL);
}

static const char *script_checks =
    "{\"answers\": [{\"target\": \"GET /fail\", \"results\": [{\"error\": \"503\"}]}, "
    "{\"target\": \"GET /x\", \"results\": [{\"value\": {\"ok\": false}}, {\"value\": {\"ok\": true}}]}]}";

/* Runs `body` (see plan_with), expects it to fail, and checks run.failed_step in the handler. */
static void expect_failed_at(const char *body, const char *where) {
  char *plan = plan_with("", body);
  run_case c = {.plan = plan, .script = script_checks};
  run(&c);
  assert_int_equal(c.code, RBK_EXIT_FAILED);
  char want[200];
  snprintf(want, sizeof want, "\"message\":\"failed at %s: ", where);
  if (!strstr(events(&c), want)) fail_msg("no '%s' in:\n%s", want, events(&c));
  run_free(&c);
  free(plan);
}

/* run.failed_step names a gate, the innermost step, or the statement outside any step. */
static void engine__failed_step__never_null_in_a_handler(void **state) {
  (void)state;
  expect_failed_at("assert orch.get(\"/fail\").ok", "assert at t.rbk:12");
  expect_failed_at("orch.get(\"/fail\")", "orch.get(…) at t.rbk:12");
  expect_failed_at("let n = 1\nassert n == 2", "assert at t.rbk:13");
  expect_failed_at("if true {\n  abort \"stop\"\n}", "abort at t.rbk:13");
  expect_failed_at("let v = orch.get(\"/fail\")", "let v at t.rbk:12");
  expect_failed_at("g()", "g(…) at t.rbk:12");
  expect_failed_at("gate \"g\" {\n  assert false, \"no\"\n}", "gate \\\"g\\\"");
  expect_failed_at("step \"s\" {\n  gate \"inner\" {\n    orch.get(\"/fail\")\n  }\n}", "gate \\\"inner\\\"");
  expect_failed_at("step \"outer\" {\n  step \"inner\" {\n    orch.get(\"/fail\")\n  }\n}", "inner");
  expect_failed_at("parallel {\n  wait 1m\n  orch.get(\"/fail\")\n}", "orch.get(…) at t.rbk:14");
}

/* A proc's typed parameters: float takes an int; a default of the wrong type fails the call. */
static void engine__proc_param_types__enforced_with_defaults(void **state) {
  (void)state;
  char *plan = plan_with("", "h(2)\ng()");
  run_case c = {.plan = plan, .script = script_checks};
  run(&c);
  assert_int_equal(c.code, RBK_EXIT_FAILED);
  assert_non_null(strstr(events(&c), "\"message\":\"h 2\""));
  assert_non_null(strstr(events(&c), "t.rbk:9:17: the default of 'n' of proc 'g' must be an int, got a string (\\\"5\\\")"));
  run_free(&c);
  free(plan);
}

/* A failed assert in an attempt that a step retries is "retrying", never "failed". */
static void engine__retried_assert__reported_retrying(void **state) {
  (void)state;
  char *plan = plan_with("", "step \"s\" retry 1 {\n  assert orch.get(\"/x\").ok\n}");
  run_case c = {.plan = plan, .script = script_checks};
  run(&c);
  assert_int_equal(c.code, RBK_EXIT_OK);
  assert_non_null(strstr(events(&c), "\"event\":\"assert\",\"step\":\"s\",\"status\":\"retrying\""));
  assert_null(strstr(events(&c), "\"status\":\"failed\""));
  run_free(&c);
  free(plan);
}

/* The deadline fails the run when it passes, unless ignore_deadline; deadline_left stops at 0s. */
static void engine__deadline__enforced_unless_ignored(void **state) {
  (void)state;
  char *plan = plan_with("  deadline = 1m\n", "wait 2m\nnotify out \"left ${run.deadline_left}\"");
  run_case c = {.plan = plan, .script = script_checks};
  run(&c);
  assert_int_equal(c.code, RBK_EXIT_FAILED);
  assert_non_null(strstr(events(&c), "failed at wait at t.rbk:13: deadline 1m exceeded"));
  assert_null(strstr(events(&c), "left"));
  run_free(&c);
  run_case d = {.plan = plan, .script = script_checks, .ignore_deadline = true};
  run(&d);
  assert_int_equal(d.code, RBK_EXIT_OK);
  assert_non_null(strstr(events(&d), "\"message\":\"left 0s\""));
  run_free(&d);
  free(plan);
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
      cmocka_unit_test(engine__resume_gates__replayed_unless_recheck),
      cmocka_unit_test(engine__preview__gates_waits_and_checks),
      cmocka_unit_test(engine__resume_results__completed_actions_replayed),
      cmocka_unit_test(engine__resume_returns__skipped_step_returns_value),
      cmocka_unit_test(engine__step_returns_secret__value_not_journaled),
      cmocka_unit_test(engine__stops__sink_failure_and_cancels),
      cmocka_unit_test(engine__slug_and_key__as_documented),
      cmocka_unit_test(engine__failed_step__never_null_in_a_handler),
      cmocka_unit_test(engine__proc_param_types__enforced_with_defaults),
      cmocka_unit_test(engine__retried_assert__reported_retrying),
      cmocka_unit_test(engine__deadline__enforced_unless_ignored),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
