/* test_plan.c — the dry-run graph: node ids and their lookup by (AST node, context), unrolling,
 * decisions, the worst case, and secrets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "plan.h"
#include "program.h"

/* A plan built from text, with its program and diagnostics. */
typedef struct {
  rbk_program *prog;
  diag_list diags;
  plan_graph *g;
} built;

/* Builds the graph of `text` (named plan.rbk) with params from `assigns` (NULL-terminated or NULL). */
static built build(const char *text, const char *const *assigns) {
  built b = {0};
  b.prog = program_load_string("plan.rbk", text, strlen(text), &b.diags);
  assert_non_null(b.prog);
  assert_int_equal(b.diags.errors, 0);
  size_t n = 0;
  while (assigns && assigns[n]) n++;
  param_set ps = {0};
  char *err = NULL;
  assert_true(params_bind(b.prog->units[0].ast, (char *const *)assigns, n, true, NULL, NULL, &ps, &err));
  b.g = plan_build(b.prog, &ps, &b.diags, &err);
  assert_non_null(b.g);
  params_free(&ps);
  return b;
}

/* Frees what build() made. */
static void unbuild(built *b) {
  plan_free(b->g);
  diag_free(&b->diags);
  program_free(b->prog);
}

/* Returns the first node whose label contains `text`, or fails the test. */
static const plan_node *node_with(const plan_graph *g, const char *text) {
  for (size_t i = 0; i < g->len; i++)
    if (g->nodes[i].label && strstr(g->nodes[i].label, text)) return &g->nodes[i];
  fail_msg("no node labelled like '%s'", text);
  return NULL;
}

/* Returns the number of nodes whose label contains `text`. */
static size_t count_with(const plan_graph *g, const char *text) {
  size_t n = 0;
  for (size_t i = 0; i < g->len; i++) n += g->nodes[i].label && strstr(g->nodes[i].label, text) != NULL;
  return n;
}

static const char *const loops_plan =
    "runbook \"t\" {\n  title = \"t\"\n}\n"
    "param plants: list = [\"a\", \"b\"]\n"
    "let plant = kube(namespace: \"ns\")\n"
    "let orch = plant.service(\"o\", port: 80)\n"
    "proc isolate(p) {\n  orch.post(\"/plants/${p}/isolate\")\n}\n"
    "for p in plants {\n  isolate(p)\n}\n"
    "let agents = orch.get(\"/agents\").agents\n"
    "for a in agents {\n  plant.rollout_restart(\"deployment/${a}\")\n}\n";

static void plan__node_id__known_loop_and_proc_context(void **state) {
  (void)state;
  built b = build(loops_plan, NULL);
  const plan_node *second = node_with(b.g, "/plants/b/isolate");
  assert_string_equal(second->ctx, "[1]@11:3");
  assert_string_equal(plan_node_id(b.g, second->ast, "[1]@11:3"), second->id);
  const plan_node *first = node_with(b.g, "/plants/a/isolate");
  assert_ptr_equal(first->ast, second->ast);
  assert_string_equal(plan_node_id(b.g, first->ast, "[0]@11:3"), first->id);
  assert_string_not_equal(first->id, second->id);
  assert_null(plan_node_id(b.g, first->ast, "[2]@11:3"));
  assert_null(plan_node_id(b.g, first->ast, ""));
  unbuild(&b);
}

static void plan__node_id__unknown_loop_uses_star(void **state) {
  (void)state;
  built b = build(loops_plan, NULL);
  const plan_node *restart = node_with(b.g, "rollout_restart");
  assert_string_equal(restart->ctx, "[*]");
  assert_true(restart->conditional);
  assert_string_equal(plan_node_id(b.g, restart->ast, "[*]"), restart->id);
  assert_int_equal(count_with(b.g, "rollout_restart"), 1);
  const plan_node *get = node_with(b.g, "orch.get");
  assert_string_equal(plan_node_id(b.g, get->ast, ""), get->id);
  assert_string_equal(plan_node_id(b.g, get->ast, NULL), get->id);
  unbuild(&b);
}

static void plan__node_id__every_indexed_node_finds_itself(void **state) {
  (void)state;
  built b = build(loops_plan, NULL);
  for (size_t i = 0; i < b.g->len; i++) {
    const plan_node *n = &b.g->nodes[i];
    if (n->kind == PLAN_BRANCH || n->kind == PLAN_JOIN || n->run_lock) continue;
    assert_string_equal(plan_node_id(b.g, n->ast, n->ctx), n->id);
  }
  unbuild(&b);
}

static void plan__ids__same_plan_same_ids(void **state) {
  (void)state;
  built a = build(loops_plan, NULL), b = build(loops_plan, NULL);
  assert_int_equal(a.g->len, b.g->len);
  for (size_t i = 0; i < a.g->len; i++) {
    assert_string_equal(a.g->nodes[i].id, b.g->nodes[i].id);
    assert_string_equal(a.g->nodes[i].label, b.g->nodes[i].label);
    assert_string_equal(a.g->nodes[i].ctx, b.g->nodes[i].ctx);
  }
  unbuild(&a);
  unbuild(&b);
}

static void plan__params__given_value_unrolls(void **state) {
  (void)state;
  static const char *const assigns[] = {"plants=[\"x\", \"y\", \"z\"]", NULL};
  built b = build(loops_plan, assigns);
  assert_int_equal(count_with(b.g, "/isolate"), 3);
  assert_string_equal(node_with(b.g, "/plants/z/isolate")->ctx, "[2]@11:3");
  unbuild(&b);
}

static const char *const branch_plan =
    "runbook \"t\" {\n  title = \"t\"\n}\n"
    "param fast: bool = true\n"
    "let api = http(\"https://x\")\n"
    "if fast {\n  api.post(\"/fast\")\n} else {\n  api.post(\"/slow\")\n}\n"
    "if api.get(\"/health\").ok {\n  api.post(\"/yes\")\n} else {\n  wait 2m\n}\n";

static void plan__if__known_keeps_taken_unknown_keeps_both(void **state) {
  (void)state;
  built b = build(branch_plan, NULL);
  assert_int_equal(count_with(b.g, "/fast"), 1);
  assert_int_equal(count_with(b.g, "/slow"), 0);
  const plan_node *d = node_with(b.g, "if api.get");
  assert_int_equal(d->kind, PLAN_DECISION);
  assert_int_equal(count_with(b.g, "/yes"), 1);
  assert_int_equal(node_with(b.g, "/yes")->kind, PLAN_ACTION);
  assert_true(node_with(b.g, "/yes")->conditional);
  assert_int_equal(node_with(b.g, "wait 2m")->kind, PLAN_WAIT);
  /* /fast 30s + /health 30s + the longer branch (wait 2m) */
  assert_int_equal(b.g->critical.worst_ms, 30000 + 30000 + 120000);
  unbuild(&b);
}

static const char *const timing_plan =
    "runbook \"t\" {\n  title = \"t\"\n  deadline = 5m\n}\n"
    "let plant = kube(namespace: \"ns\")\n"
    "step \"s\" timeout 1m retry 2 backoff 10s {\n  plant.scale(\"deployment/x\", 2)\n"
    "  plant.rollout_status(\"deployment/x\")\n}\n"
    "parallel max 2 {\n  plant.delete(\"pod/a\")\n  plant.delete(\"pod/b\")\n  plant.delete(\"pod/c\")\n}\n"
    "on failure {\n  wait 20s\n}\n"
    "finally {\n  wait 5s\n}\n";

static void plan__worst_case__retry_parallel_and_handlers(void **state) {
  (void)state;
  built b = build(timing_plan, NULL);
  const plan_critical *c = &b.g->critical;
  /* step: 3 × min(1m, 30s + 5m) + 10s × (2² − 1); parallel: ceil(3/2) × 30s */
  assert_int_equal(c->main_ms, 3 * 60000 + 30000 + 60000);
  assert_int_equal(c->finally_ms, 5000);
  assert_int_equal(c->on_failure_ms, 20000);
  assert_int_equal(c->deadline_ms, 300000);
  assert_int_equal(c->failure_ms, 270000 + 20000 + 5000);
  assert_int_equal(c->worst_ms, 295000);
  assert_false(c->exceeds);
  assert_int_equal(node_with(b.g, "on failure")->kind, PLAN_HANDLER);
  assert_int_equal(node_with(b.g, "wait 20s")->when, PLAN_WHEN_FAILURE);
  assert_int_equal(node_with(b.g, "wait 5s")->when, PLAN_WHEN_ALWAYS);
  unbuild(&b);
}

static void plan__worst_case__unbounded_wait_exceeds_deadline(void **state) {
  (void)state;
  built b = build("runbook \"t\" {\n  deadline = 1m\n}\nlet api = http(\"https://x\")\n"
                  "wait until api.get(\"/h\").ok\n",
                  NULL);
  assert_int_equal(b.g->critical.worst_ms, PLAN_UNBOUNDED);
  assert_true(b.g->critical.exceeds);
  assert_int_equal(b.g->critical.nunbounded, 1);
  assert_non_null(strstr(b.g->critical.unbounded[0], "wait until without timeout"));
  unbuild(&b);
}

static void plan__secrets__never_in_json(void **state) {
  (void)state;
  setenv("RBK_TEST_PLAN_SECRET", "hunter2", 1);
  built b = build("runbook \"t\" {\n  title = \"t\"\n}\n"
                  "let api = http(\"https://x\", headers: {auth: secret(\"RBK_TEST_PLAN_SECRET\")})\n"
                  "let url = \"https://u:${secret(\"RBK_TEST_PLAN_SECRET\")}@db\"\n"
                  "api.post(\"/login\", {password: secret(\"RBK_TEST_PLAN_SECRET\"), url: url})\n"
                  "let chat = console()\nnotify chat \"using ${url}\"\n",
                  NULL);
  json_t *j = plan_to_json(b.g, false);
  char *text = json_dumps(j, 0);
  assert_null(strstr(text, "hunter2"));
  assert_non_null(strstr(text, "***"));
  assert_string_equal(node_with(b.g, "notify")->text, "using https://***@db"); /* the span, not the message */
  free(text);
  json_decref(j);
  unsetenv("RBK_TEST_PLAN_SECRET");
  unbuild(&b);
}

/* Asserts that the plan shows the notification of `expr` (a secret T, U in scope) as `want`. */
static void notify_shows(const char *expr, const char *want) {
  char *text = strutil_printf("runbook \"t\" {\n  title = \"t\"\n}\nlet tok = secret(\"T\")\nlet u = secret(\"U\")\n"
                              "let chat = console()\nnotify chat %s\n",
                              expr);
  built b = build(text, NULL);
  assert_string_equal(node_with(b.g, "notify")->text, want);
  unbuild(&b);
  free(text);
}

static void plan__secrets__mask_the_span(void **state) {
  (void)state;
  notify_shows("\"token is ${tok} and ${[1, 2, 3]}\"", "token is *** and [1,2,3]");
  notify_shows("\"token is \" + tok", "token is ***");
  notify_shows("\"${tok}${u}\"", "***");           /* built from secrets only: a plain secret */
  notify_shows("tok + u", "***");
  notify_shows("\"a ${tok}\" + \"b\"", "a ***b");
  notify_shows("upper(\"a ${tok}\")", "***");      /* mixing the text: all of it */
}

static void plan__env__unset_is_unknown_not_error(void **state) {
  (void)state;
  unsetenv("RBK_TEST_PLAN_UNSET");
  built b = build("runbook \"t\" {\n  title = \"t\"\n}\nlet plant = kube(namespace: \"ns\")\n"
                  "plant.delete(\"deployment/${env(\"RBK_TEST_PLAN_UNSET\")}\")\n",
                  NULL);
  assert_string_equal(node_with(b.g, "delete")->target, "deployment/${env(\"RBK_TEST_PLAN_UNSET\")}");
  assert_int_equal(b.diags.warnings, 0);
  unbuild(&b);
}

static void plan__json__mutating_filter_keeps_only_mutating_actions(void **state) {
  (void)state;
  built b = build(timing_plan, NULL);
  json_t *j = plan_to_json(b.g, true);
  json_t *nodes = json_object_get(j, "nodes");
  assert_int_equal(json_array_size(nodes), 4 + 3); /* the plan's 4, the run lock's 3 */
  for (size_t i = 0; i < json_array_size(nodes); i++)
    assert_true(json_is_true(json_object_get(json_array_get(nodes, i), "mutating")));
  json_decref(j);
  unbuild(&b);
}

static void plan__run_lock__lease_nodes_after_the_plan(void **state) {
  (void)state;
  built b = build("runbook \"Lock Me\" {\n  title = \"t\"\n}\nlet plant = kube(namespace: \"ns1\")\n"
                  "let other = kube(namespace: \"ns2\")\nplant.delete(\"deployment/x\")\n",
                  NULL);
  static const char *const verbs[] = {"acquire", "renew", "release"};
  assert_true(b.g->len >= 4);
  size_t first = b.g->len - 3;
  for (size_t k = 0; k < 3; k++) {
    const plan_node *n = &b.g->nodes[first + k];
    assert_int_equal(n->kind, PLAN_ACTION);
    assert_true(n->mutating);
    assert_string_equal(n->run_lock, verbs[k]);
    assert_string_equal(n->target, "lease/rbk-lock-me -n ns1");
    assert_int_equal(n->timeout_ms, 30000);
  }
  assert_int_equal(b.g->nodes[first + 2].when, PLAN_WHEN_ALWAYS);
  assert_null(b.g->nodes[first - 1].run_lock);
  unbuild(&b);
  built none = build("runbook \"t\" {\n  title = \"t\"\n}\nlet api = http(\"https://x.example\")\napi.post(\"/a\")\n", NULL);
  for (size_t i = 0; i < none.g->len; i++) assert_null(none.g->nodes[i].run_lock);
  unbuild(&none);
}

static void plan__eval_const__types_untyped_params(void **state) {
  (void)state;
  const char *text = "runbook \"t\" {\n  title = \"t\"\n}\nparam secs = 5 * 60\nparam name = \"a\" + \"b\"\n";
  diag_list diags = {0};
  rbk_program *prog = program_load_string("plan.rbk", text, strlen(text), &diags);
  const ast_list *stmts = &prog->units[0].ast->stmts;
  rbk_value *v = plan_eval_const(prog, stmts->items[1]->u.param.def);
  assert_non_null(v);
  assert_int_equal(v->kind, VAL_INT);
  assert_int_equal(v->u.i, 300);
  value_unref(v);
  static const char *const assigns[] = {"secs=10", "name=12", NULL};
  param_set ps;
  char *err = NULL;
  assert_true(params_bind(prog->units[0].ast, (char *const *)assigns, 2, true, plan_eval_const, prog, &ps, &err));
  assert_int_equal(params_find(&ps, "secs")->value->kind, VAL_INT);
  assert_int_equal(params_find(&ps, "name")->value->kind, VAL_STRING);
  params_free(&ps);
  program_free(prog);
  diag_free(&diags);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(plan__node_id__known_loop_and_proc_context),
      cmocka_unit_test(plan__node_id__unknown_loop_uses_star),
      cmocka_unit_test(plan__node_id__every_indexed_node_finds_itself),
      cmocka_unit_test(plan__ids__same_plan_same_ids),
      cmocka_unit_test(plan__run_lock__lease_nodes_after_the_plan),
      cmocka_unit_test(plan__params__given_value_unrolls),
      cmocka_unit_test(plan__if__known_keeps_taken_unknown_keeps_both),
      cmocka_unit_test(plan__worst_case__retry_parallel_and_handlers),
      cmocka_unit_test(plan__worst_case__unbounded_wait_exceeds_deadline),
      cmocka_unit_test(plan__secrets__never_in_json),
      cmocka_unit_test(plan__secrets__mask_the_span),
      cmocka_unit_test(plan__env__unset_is_unknown_not_error),
      cmocka_unit_test(plan__json__mutating_filter_keeps_only_mutating_actions),
      cmocka_unit_test(plan__eval_const__types_untyped_params),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
