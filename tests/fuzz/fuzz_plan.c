/* fuzz_plan.c — libFuzzer target: the planner (interp/plan) on arbitrary programs that pass the
 * checker: params bound to their defaults (required ones left unknown), the dry-run graph built,
 * then rendered as text (plain and verbose), JSON, Graphviz and Mermaid into /dev/null, and
 * diffed against itself. Inputs the checker refuses stop there (fuzz_front covers those).
 * Nothing may crash, leak, hang or read out of bounds. */
#include <stdint.h>
#include <stdlib.h>

#include "check.h"
#include "fuzz_util.h"
#include "params.h"
#include "plan.h"
#include "program.h"

/* Builds and renders the graph of a checked program; returns nothing. */
static void plan_one(const rbk_program *prog) {
  param_set params = {0};
  char *err = NULL;
  if (!params_bind(prog->units[0].ast, NULL, 0, false, plan_eval_const, (void *)prog, &params, &err)) {
    free(err);
    params_free(&params);
    return;
  }
  diag_list diags = {0};
  plan_graph *g = plan_build(prog, &params, &diags, &err);
  diag_free(&diags);
  free(err);
  if (g) {
    FILE *out = fuzz_null();
    json_decref(plan_to_json(g, false));
    json_decref(plan_to_json(g, true));
    plan_write_text(g, false, false, false, out);
    plan_write_text(g, false, true, true, out);
    plan_write_text(g, true, false, false, out);
    plan_write_dot(g, out);
    plan_write_mermaid(g, out);
    plan_write_diff_text(g, g, "a.rbk", "b.rbk", out);
    plan_write_diff_mermaid(g, g, out);
    plan_free(g);
  }
  params_free(&params);
}

/* Returns 0 always (libFuzzer's contract). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  diag_list diags = {0};
  rbk_program *prog = program_load_string("fuzz.rbk", (const char *)data, size, &diags);
  if (prog && !diags.errors && prog->len && prog->units[0].ast && check_program(prog, &diags) && !diags.errors)
    plan_one(prog);
  program_free(prog);
  diag_free(&diags);
  return 0;
}
