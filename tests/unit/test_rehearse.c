/* test_rehearse.c — rehearsals: sidecar files (merging, validation), expectations and their
 * failure lines, the dry-run check of the recorder, and whole rehearsals of small plans against
 * the bad-release and stuck-rollout scenarios in virtual time. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "plan.h"
#include "program.h"
#include "rehearse.h"
#include "rehearse_case.h"
#include "rehearse_record.h"
#include "test_files.h"

/* A temporary directory per test, removed at the end. */
typedef struct {
  char dir[64];
} tmp;

/* Makes the directory. */
static int tmp_setup(void **state) {
  tmp *t = calloc(1, sizeof *t);
  snprintf(t->dir, sizeof t->dir, "/tmp/rbk-test-rehearse-XXXXXX");
  if (!mkdtemp(t->dir)) return -1;
  *state = t;
  return 0;
}

/* Removes the directory's files and itself. */
static int tmp_teardown(void **state) {
  tmp *t = *state;
  const char *names[] = {"plan.rbk", "plan.test.json", "plan.test.yaml"};
  char p[128];
  for (size_t i = 0; i < 3; i++) {
    snprintf(p, sizeof p, "%s/%s", t->dir, names[i]);
    unlink(p);
  }
  rmdir(t->dir);
  free(t);
  return 0;
}

/* Loads the sidecar text as DIR/plan.test.json; returns true or false with *err. */
static bool load_text(const tmp *t, const char *text, rehearse_cases *cs, char **err) {
  char path[128];
  tf_put(path, sizeof path, t->dir, "plan.test.json", text);
  *err = NULL;
  return rehearse_case_load_all(path, cs, err);
}

static void sidecar__defaults__merge_into_each_case(void **state) {
  tmp *t = *state;
  rehearse_cases cs;
  char *err;
  assert_true(load_text(t,
                        "{\"defaults\": {\"params\": {\"reason\": \"r\", \"n\": 4}, \"yes\": true,"
                        "  \"secrets\": {\"A\": \"1\"}},"
                        " \"cases\": [{\"scenario\": \"stuck-rollout\", \"params\": {\"n\": 5, \"l\": [1, \"x\"]},"
                        "  \"secrets\": {\"B\": \"2\"}, \"expect\": {\"exit\": 1}},"
                        "  {\"name\": \"second\", \"yes\": false, \"seed\": 9, \"approve\": [\"q\"]}]}",
                        &cs, &err));
  assert_int_equal(cs.len, 2);
  rehearse_case *a = &cs.items[0], *b = &cs.items[1];
  assert_string_equal(a->name, "stuck-rollout");
  assert_int_equal(a->nassigns, 3);
  assert_string_equal(a->assigns[0], "reason=r");
  assert_string_equal(a->assigns[1], "n=5");
  assert_string_equal(a->assigns[2], "l=[1,\"x\"]");
  assert_int_equal(a->nsecrets, 2);
  assert_true(a->yes);
  assert_false(a->has_seed);
  assert_string_equal(b->name, "second");
  assert_null(b->scenario);
  assert_false(b->yes);
  assert_true(b->has_seed);
  assert_int_equal(b->seed, 9);
  assert_string_equal(b->approve[0], "q");
  assert_null(b->approve[1]);
  assert_int_equal(json_object_size(b->expect), 0);
  rehearse_case_free_all(&cs);
}

static void sidecar__yaml__is_read_like_json_and_files_resolve_beside_it(void **state) {
  tmp *t = *state;
  char path[128], plan[128];
  tf_put(plan, sizeof plan, t->dir, "plan.rbk", "step \"x\" {\n}\n");
  tf_put(path, sizeof path, t->dir, "plan.test.yaml",
         "cases:\n  - scenario: bad-config\n    expect: {exit: 0, mutating_actions: {max: 2}}\n"
         "  - scenario: scenarios/mine.json\n");
  char *found = rehearse_case_sidecar_path(plan);
  assert_string_equal(found, path);
  rehearse_cases cs;
  char *err = NULL;
  assert_true(rehearse_case_load_all(found, &cs, &err));
  assert_string_equal(cs.items[0].scenario, "bad-config");
  char want[160];
  snprintf(want, sizeof want, "%s/scenarios/mine.json", t->dir);
  assert_string_equal(cs.items[1].scenario, want);
  assert_string_equal(cs.items[1].name, "scenarios/mine.json");
  free(found);
  rehearse_case_free_all(&cs);
}

/* Asserts that the sidecar text is refused with an error containing `want`. */
static void refused(const tmp *t, const char *text, const char *want) {
  rehearse_cases cs;
  char *err = NULL;
  assert_false(load_text(t, text, &cs, &err));
  assert_non_null(err);
  if (!strstr(err, want)) fail_msg("error \"%s\" does not contain \"%s\"", err, want);
  free(err);
}

static void sidecar__mistakes__are_refused_with_reasons(void **state) {
  tmp *t = *state;
  refused(t, "{\"cases\": []}", "\"cases\" must be a non-empty list");
  refused(t, "{\"cases\": [{\"expect\": {\"exitt\": 0}}]}", "unknown key \"exitt\"");
  refused(t, "{\"cases\": [{\"scenaro\": \"x\"}]}", "case 1: unknown key \"scenaro\"");
  refused(t, "{\"cases\": [{\"expect\": {\"mutating_actions\": \"3\"}}]}", "expect.mutating_actions has the wrong type");
  refused(t, "{\"cases\": [{\"expect\": {\"elapsed\": {\"max\": \"soon\"}}}]}", "expect.elapsed has the wrong type");
  refused(t, "{\"cases\": [{\"expect\": {\"final\": {\"images\": {\"d\": 1}}}}]}", "final.images has the wrong type");
  refused(t, "{\"cases\": [{\"expect\": {\"final\": {\"heat\": 0}}}]}", "unknown key \"heat\"");
  refused(t, "{\"cases\": [{\"name\": \"a\"}, {\"name\": \"a\"}]}", "two cases are named \"a\"");
  refused(t, "{\"defaults\": {\"expect\": {}}, \"cases\": [{}]}", "\"defaults\" cannot hold \"expect\"");
  refused(t, "[1]", "must hold an object");
}

/* Returns a result as a rehearsal of the stuck-rollout emergency plan would leave it. */
static rehearse_result fake_result(void) {
  rehearse_result r = {.exit_code = 1, .mutating = 1, .actions = 9, .warnings = 0, .elapsed_ms = 15000};
  r.failed_step = strdup("immediate rollback \xe2\x80\xba monitor rollback status");
  r.error = strdup("the rollout cannot progress: ImagePullBackOff");
  r.executed = json_pack("[s, s]", "get deployment/x", "rollout_undo deployment/x");
  r.notifications = json_pack("[{s:s, s:s}]", "channel", "slack #a", "text", "❌ ROLLBACK FAILED at x");
  r.lies = json_array();
  r.world = json_pack("{s:{s:{s:I, s:{s:I}}}, s:{s:s}, s:I, s:I, s:{s:I, s:I}}", "deployments", "x", "ready", (json_int_t)3,
                      "images", "img:1.5.0", (json_int_t)3, "images", "x", "img:1.5.0", "heat_loss_plants", (json_int_t)5,
                      "plants_not_normal", (json_int_t)5, "agents", "connected", (json_int_t)0, "total", (json_int_t)99);
  return r;
}

/* Returns the failures of expectations `expect` (JSON text) for r; caller decrefs. */
static json_t *judge(const char *expect, const rehearse_result *r) {
  json_error_t je;
  rehearse_case c = {.name = "c", .expect = json_loads(expect, 0, &je)};
  assert_non_null(c.expect);
  json_t *fails = rehearse_case_check(&c, r);
  json_decref(c.expect);
  assert_non_null(fails);
  return fails;
}

/* Asserts that failure i of fails is `want`. */
static void failure_is(const json_t *fails, size_t i, const char *want) {
  assert_true(i < json_array_size(fails));
  assert_string_equal(json_string_value(json_array_get(fails, i)), want);
}

static void check__met_expectations__pass(void **state) {
  (void)state;
  rehearse_result r = fake_result();
  json_t *fails = judge("{\"exit\": 1, \"mutating_actions\": {\"max\": 1}, \"actions\": {\"min\": 2},"
                        " \"failed_step\": \"monitor rollback status\", \"failed_gate\": null,"
                        " \"elapsed\": {\"max\": \"30s\"}, \"error_includes\": \"ImagePullBackOff\","
                        " \"notifications_include\": [\"ROLLBACK FAILED\"], \"notifications_exclude\": \"COMPLETE\","
                        " \"actions_include\": [\"rollout_undo deployment/x\"], \"actions_exclude\": [\"scale\"],"
                        " \"final\": {\"images\": {\"x\": \"img:1.5.0\"}, \"ready\": {\"x\": 3}, \"heat_loss_plants\": 5,"
                        "  \"plants_not_normal\": {\"min\": 1}, \"agents_connected\": {\"max\": 0}}}",
                        &r);
  assert_int_equal(json_array_size(fails), 0);
  json_decref(fails);
  rehearse_result_free(&r);
}

static void check__missed_expectations__say_what_happened(void **state) {
  (void)state;
  rehearse_result r = fake_result();
  json_t *fails = judge("{\"exit\": 0, \"mutating_actions\": 0, \"failed_step\": \"immediate\", \"elapsed\": {\"max\": \"10s\"},"
                        " \"notifications_include\": \"COMPLETE\", \"actions_exclude\": \"rollout_undo\","
                        " \"final\": {\"images\": {\"x\": \"img:1.4.2\", \"y\": null}, \"heat_loss_plants\": 0}}",
                        &r);
  failure_is(fails, 0, "expected exit 0, got 1: the rollout cannot progress: ImagePullBackOff");
  failure_is(fails, 1, "expected 0 mutating actions, got 1");
  failure_is(fails, 2, "expected the step \"immediate\" to fail first, but \"immediate rollback \xe2\x80\xba monitor rollback status\" did");
  failure_is(fails, 3, "expected the run to take at most 10s of virtual time, it took 15s");
  failure_is(fails, 4, "no notification contains \"COMPLETE\"");
  failure_is(fails, 5, "expected no executed action to contain \"rollout_undo\"");
  failure_is(fails, 6, "final: expected x to run img:1.4.2, its ready pods run {\"img:1.5.0\":3}");
  failure_is(fails, 7, "final: no deployment y");
  failure_is(fails, 8, "expected 0 plants with heat loss at the end, got 5");
  assert_int_equal(json_array_size(fails), 9);
  json_decref(fails);
  rehearse_result_free(&r);
}

static void check__a_lie__always_fails(void **state) {
  (void)state;
  rehearse_result r = fake_result();
  json_array_append_new(r.lies, json_string("n9 scale deployment/x: its node is the action get"));
  json_t *fails = judge("{}", &r);
  failure_is(fails, 0, "the dry-run lied: n9 scale deployment/x: its node is the action get");
  json_decref(fails);
  rehearse_result_free(&r);
}

/* Returns the id of the first node of kind k (borrowed). */
static const char *first_of(const plan_graph *g, plan_kind k) {
  for (size_t i = 0; i < g->len; i++)
    if (g->nodes[i].kind == k) return g->nodes[i].id;
  fail_msg("no %s node", plan_kind_name(k));
  return NULL;
}

static void recorder__actions__checked_against_the_graph(void **state) {
  (void)state;
  const char *text = "let k = kube(namespace: \"greenlang\")\n"
                     "step \"undo\" {\n  k.rollout_undo(\"deployment/x\")\n}\n";
  diag_list diags = {0};
  rbk_program *prog = program_load_string("plan.rbk", text, strlen(text), &diags);
  assert_int_equal(diags.errors, 0);
  param_set ps = {0};
  char *err = NULL;
  assert_true(params_bind(prog->units[0].ast, NULL, 0, true, NULL, NULL, &ps, &err));
  plan_graph *g = plan_build(prog, &ps, &diags, &err);
  assert_non_null(g);
  rehearse_result r = {0};
  rehearse_recorder rec;
  assert_true(rehearse_record_init(&rec, g, &r, (rbk_sink){0}));
  rbk_sink sink = rehearse_record_sink(&rec);
  const char *action = first_of(g, PLAN_ACTION), *step = first_of(g, PLAN_STEP);
  rbk_event evs[] = {
      {.kind = RBK_EV_ACTION_START, .node = action, .action = "rollout_undo", .target = "deployment/x", .mutating = true},
      {.kind = RBK_EV_ACTION_START, .node = NULL, .action = "get", .target = "deployment/x"},
      {.kind = RBK_EV_ACTION_START, .node = "n999", .action = "get", .target = "deployment/x"},
      {.kind = RBK_EV_ACTION_START, .node = step, .action = "get", .target = "deployment/x"},
      {.kind = RBK_EV_ACTION_START, .node = action, .action = "scale", .target = "deployment/x", .mutating = true},
      {.kind = RBK_EV_ACTION_START, .node = action, .action = "rollout_undo", .target = "deployment/x"},
      {.kind = RBK_EV_STEP_END, .step = "undo", .status = RBK_STATUS_FAILED},
      {.kind = RBK_EV_NOTIFY, .target = "console", .message = "hello"},
  };
  for (size_t i = 0; i < sizeof evs / sizeof *evs; i++) assert_int_equal(sink.emit(sink.user, &evs[i], &err), 0);
  assert_int_equal(r.actions, 6);
  assert_int_equal(r.mutating, 2);
  assert_string_equal(r.failed_step, "undo");
  assert_int_equal(json_array_size(r.notifications), 1);
  assert_int_equal(json_array_size(r.lies), 5);
  const char *lie1 = json_string_value(json_array_get(r.lies, 0));
  assert_string_equal(lie1, "(no node) get deployment/x: the dry-run graph has no node for it");
  assert_non_null(strstr(json_string_value(json_array_get(r.lies, 1)), "is not in `rbk plan --format json`"));
  assert_non_null(strstr(json_string_value(json_array_get(r.lies, 2)), "is a step, not an action"));
  assert_non_null(strstr(json_string_value(json_array_get(r.lies, 3)), "its node is the action rollout_undo"));
  assert_non_null(strstr(json_string_value(json_array_get(r.lies, 4)), "its node is marked mutating"));
  rehearse_record_free(&rec);
  rehearse_result_free(&r);
  plan_free(g);
  params_free(&ps);
  diag_free(&diags);
  program_free(prog);
}

/* A small rollback plan: undo, wait for the rollout, announce on Slack. */
static const char *const small_plan =
    "let k = kube(namespace: \"greenlang\")\n"
    "let ch = slack(webhook: secret(\"SLACK_WEBHOOK_URL\"), channel: \"#ops\")\n"
    "step \"roll back\" timeout 5m {\n"
    "  k.rollout_undo(\"deployment/gl-001-process-heat-orchestrator\")\n"
    "  k.rollout_status(\"deployment/gl-001-process-heat-orchestrator\", timeout: 4m)\n"
    "}\n"
    "on failure {\n  notify ch \"FAILED at ${run.failed_step}\"\n}\n"
    "notify ch \"DONE\"\n";

/* Rehearses small_plan in `scenario`; fills r. */
static void rehearse_small(const tmp *t, const char *scenario, rehearse_result *r) {
  char plan[128];
  tf_put(plan, sizeof plan, t->dir, "plan.rbk", small_plan);
  FILE *devnull = fopen("/dev/null", "w");
  rehearse_opts o = {.plan = plan, .scenario = scenario, .console = devnull, .diag = devnull};
  rehearse_run(&o, r);
  fclose(devnull);
}

static void run__bad_release__rolls_back_in_virtual_time(void **state) {
  tmp *t = *state;
  rehearse_result r;
  rehearse_small(t, "bad-release", &r);
  assert_int_equal(r.exit_code, 0);
  assert_null(r.error);
  assert_int_equal(r.mutating, 1);
  assert_int_equal(json_array_size(r.lies), 0);
  assert_string_equal(r.scenario, "bad-release");
  assert_int_equal(r.seed, 1);
  assert_true(r.elapsed_ms > 0 && r.elapsed_ms < 4 * 60 * 1000);
  json_t *images = json_object_get(r.world, "images");
  assert_string_equal(json_string_value(json_object_get(images, "gl-001-process-heat-orchestrator")),
                      "gcr.io/greenlang/gl-001:1.4.2");
  json_t *notes = json_object_get(r.world, "notifications");
  assert_int_equal(json_array_size(notes), 1);
  assert_string_equal(json_string_value(json_object_get(json_array_get(notes, 0), "channel")), "#ops");
  assert_string_equal(json_string_value(json_object_get(json_array_get(notes, 0), "first_line")), "DONE");
  assert_int_equal(json_integer_value(json_object_get(json_object_get(r.world, "agents"), "total")), 99);
  rehearse_result_free(&r);
}

static void run__stuck_rollout__fails_at_the_step_and_notifies(void **state) {
  tmp *t = *state;
  rehearse_result r;
  rehearse_small(t, "stuck-rollout", &r);
  assert_int_equal(r.exit_code, 1);
  assert_string_equal(r.failed_step, "roll back");
  assert_non_null(r.error);
  assert_string_equal(json_string_value(json_object_get(json_array_get(r.notifications, 0), "text")), "FAILED at roll back");
  assert_int_equal(json_array_size(json_object_get(r.world, "notifications")), 1);
  rehearse_result_free(&r);
}

static void run__unknown_scenario__is_a_usage_error(void **state) {
  tmp *t = *state;
  rehearse_result r;
  rehearse_small(t, "no-such-scenario", &r);
  assert_int_equal(r.exit_code, 2);
  assert_non_null(strstr(r.error, "no-such-scenario"));
  assert_null(r.world);
  rehearse_result_free(&r);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(sidecar__defaults__merge_into_each_case, tmp_setup, tmp_teardown),
      cmocka_unit_test_setup_teardown(sidecar__yaml__is_read_like_json_and_files_resolve_beside_it, tmp_setup, tmp_teardown),
      cmocka_unit_test_setup_teardown(sidecar__mistakes__are_refused_with_reasons, tmp_setup, tmp_teardown),
      cmocka_unit_test(check__met_expectations__pass),
      cmocka_unit_test(check__missed_expectations__say_what_happened),
      cmocka_unit_test(check__a_lie__always_fails),
      cmocka_unit_test(recorder__actions__checked_against_the_graph),
      cmocka_unit_test_setup_teardown(run__bad_release__rolls_back_in_virtual_time, tmp_setup, tmp_teardown),
      cmocka_unit_test_setup_teardown(run__stuck_rollout__fails_at_the_step_and_notifies, tmp_setup, tmp_teardown),
      cmocka_unit_test_setup_teardown(run__unknown_scenario__is_a_usage_error, tmp_setup, tmp_teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
