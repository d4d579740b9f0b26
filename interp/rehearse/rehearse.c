/* rehearse.c — one rehearsal: the plan, its params and dry-run graph, the simulated world, the
 * actions over it, a virtual clock and the engine (see rehearse.h). */
#define _XOPEN_SOURCE 700
#include "rehearse.h"

#include <ftw.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "actions_kube.h"
#include "check.h"
#include "exitcode.h"
#include "http_sim.h"
#include "out.h"
#include "engine.h"
#include "plan.h"
#include "proc_sim.h"
#include "rehearse_record.h"
#include "sim.h"
#include "strutil.h"
#include "valtime.h"

/* Everything one rehearsal holds; released by ctx_free. */
typedef struct {
  const rehearse_opts *o;
  rehearse_result *r;
  rbk_program *prog;
  param_set params;
  plan_graph *graph;
  json_t *scenario;
  const json_t *plan_secrets; /* borrowed from scenario */
  sim_world *world;
  rbk_actions *act;
  rbk_clock *clock;
  int64_t epoch_ms;
  char scratch[64];
  rehearse_recorder rec;
} rh_ctx;

/* Records the setup error `msg` (taken) in the result, prints it; returns RBK_EXIT_USAGE. */
static int setup_fail(rh_ctx *c, char *msg) {
  FILE *d = c->o->diag ? c->o->diag : stderr;
  fprintf(d, "rbk: %s\n", msg ? msg : "out of memory");
  free(c->r->error);
  c->r->error = msg ? msg : strdup("out of memory");
  return RBK_EXIT_USAGE;
}

/* Returns a new string "fmt…" (printf-like); NULL when out of memory. */
static char *fmt_text(const char *fmt, const char *a, const char *b) {
  size_t n = strlen(fmt) + strlen(a) + strlen(b) + 1;
  char *s = malloc(n);
  if (s) snprintf(s, n, fmt, a, b);
  return s;
}

/* Loads and checks the plan; returns -1, or 2 after printing the diagnostics. */
static int load_plan(rh_ctx *c) {
  diag_list diags = {0};
  FILE *d = c->o->diag ? c->o->diag : stderr;
  c->prog = program_load(c->o->plan, &diags);
  if (c->prog && !diags.errors) check_program(c->prog, &diags);
  bool bad = !c->prog || diags.errors;
  if (bad) {
    diag_sort(&diags);
    diag_print(&diags, d, d == stderr && out_color_on(STDERR_FILENO));
  }
  diag_free(&diags);
  if (!bad) return -1;
  c->r->error = fmt_text("%s: %s", c->o->plan, "the plan has errors (printed above); nothing ran");
  return RBK_EXIT_USAGE;
}

/* Binds the params and builds the dry-run graph as `rbk plan` does; returns -1 or 2. */
static int bind_and_plan(rh_ctx *c) {
  char *err = NULL;
  if (!params_bind(c->prog->units[0].ast, c->o->assigns, c->o->nassigns, true, plan_eval_const, c->prog,
                   &c->params, &err))
    return setup_fail(c, err);
  diag_list diags = {0};
  c->graph = plan_build(c->prog, &c->params, &diags, &err);
  diag_free(&diags);
  if (!c->graph) return setup_fail(c, err);
  return rehearse_record_init(&c->rec, c->graph, c->r, c->o->out) ? -1 : setup_fail(c, NULL);
}

/* Loads the scenario, its epoch, seed and secrets, and builds the world; returns -1 or 2. */
static int make_world(rh_ctx *c) {
  char *err = NULL;
  const char *name = c->o->scenario ? c->o->scenario : REHEARSE_DEFAULT_SCENARIO;
  if (!(c->scenario = sim_load_scenario(name, &err))) return setup_fail(c, err);
  const char *sname = json_string_value(json_object_get(c->scenario, "name"));
  c->r->scenario = strdup(sname ? sname : name);
  const char *start = json_string_value(json_object_get(c->scenario, "start_time"));
  const char *why = NULL;
  if (!start) start = "2025-11-17T15:00:00Z";
  if (!valtime_parse(start, strlen(start), &c->epoch_ms, &why))
    return setup_fail(c, fmt_text("scenario %s: bad start_time: %s", name, why));
  json_t *seed = json_object_get(c->scenario, "seed");
  c->r->seed = c->o->has_seed ? c->o->seed : json_is_integer(seed) ? (uint64_t)json_integer_value(seed) : 1;
  c->plan_secrets = json_object_get(c->scenario, "plan_secrets");
  if (!(c->world = sim_new(c->scenario, c->r->seed, &err))) return setup_fail(c, err);
  sim_set_request_log(c->world, c->o->request_log);
  return -1;
}

/* Makes the scratch directory, the actions over the world and the virtual clock; -1 or 2. */
static int make_actions(rh_ctx *c) {
  char *err = NULL;
  snprintf(c->scratch, sizeof c->scratch, "/tmp/rbk-rehearsal-XXXXXX");
  if (!mkdtemp(c->scratch)) {
    c->scratch[0] = '\0';
    return setup_fail(c, strdup("cannot create a scratch directory under /tmp"));
  }
  const json_t *stubs = c->o->process_stubs ? c->o->process_stubs : sim_process_stubs(c->world);
  http_transport *tr = http_sim_new(c->world, 0, &err);
  proc_transport *pt = tr ? proc_sim_new(c->world, 0, stubs, &err) : NULL;
  if (!pt) {
    if (tr) tr->free(tr->self);
    return setup_fail(c, err);
  }
  actions_kube_config cfg = {.http = tr, .procs = pt, .virtual_time = true, .wall_base_ms = c->epoch_ms,
                             .kubeconfig_doc = HTTP_SIM_KUBECONFIG, .scratch_dir = c->scratch, .seed = c->r->seed,
                             .console = c->o->console, .max_response = c->o->max_response};
  if (!(c->act = actions_kube_new(&cfg, &err))) return setup_fail(c, err);
  return (c->clock = clock_virtual(c->epoch_ms)) ? -1 : setup_fail(c, NULL);
}

/* engine_lookup_fn for secret(): --secret, then the scenario's plan_secrets; NULL → environment. */
static const char *get_secret(void *user, const char *name) {
  rh_ctx *c = user;
  for (size_t i = 0; i < c->o->nsecrets; i++)
    if (!strcmp(c->o->secret_names[i], name)) return c->o->secret_values[i];
  return json_string_value(json_object_get(c->plan_secrets, name));
}

/* engine_node_fn over the dry-run graph. */
static const char *node_id(void *user, const ast_node *node, const char *ctx) {
  return plan_node_id(user, node, ctx);
}

/* Returns the virtual-time cap: the option's, else twice the deadline, else 24 h. */
static int64_t cap_ms(const rh_ctx *c) {
  if (c->o->max_virtual_ms > 0) return c->o->max_virtual_ms;
  int64_t d = c->graph->critical.deadline_ms;
  return d > 0 ? 2 * d : REHEARSE_CAP_NO_DEADLINE_MS;
}

/* Records that the run was stopped at the cap: the error names the plan and the cap. */
static void record_cap(rh_ctx *c) {
  char *cap = value_format_duration(c->r->cap_ms);
  const char *why = c->o->max_virtual_ms > 0 ? "--max-virtual-time"
                    : c->graph->critical.deadline_ms > 0 ? "twice the deadline; --max-virtual-time sets another"
                                                         : "no deadline: 24h; --max-virtual-time sets another";
  c->r->capped = true;
  free(c->r->error);
  c->r->error = strutil_printf("%s: rehearsal stopped at the virtual-time cap of %s (%s)", c->o->plan, cap ? cap : "?", why);
  free(cap);
}

/* Runs the engine; returns its exit code. */
static int execute(rh_ctx *c) {
  char run_id[160];
  snprintf(run_id, sizeof run_id, "rehearsal-%s-%llu", c->r->scenario, (unsigned long long)c->r->seed);
  engine_config cfg = {.params = &c->params, .clock = c->clock, .actions = c->act,
                       .sink = rehearse_record_sink(&c->rec), .yes = c->o->yes, .approve = c->o->approve,
                       .ignore_deadline = c->o->ignore_deadline, .max_virtual_ms = c->r->cap_ms = cap_ms(c),
                       .node_id = node_id, .node_user = c->graph, .operator_name = "rehearsal",
                       .run_id = run_id, .getsecret = get_secret, .lookup_user = c};
  char *err = NULL;
  engine *e = engine_new(c->prog, &cfg, &err);
  if (!e) return setup_fail(c, err);
  int code = engine_run(e);
  const char *why = engine_error(e);
  if (why) c->r->error = strdup(why);
  if (engine_capped(e)) record_cap(c);
  engine_free(e);
  c->r->elapsed_ms = clock_now(c->clock);
  c->r->world = rehearse_world(c->world, clock_now(c->clock), c->epoch_ms);
  return code;
}

/* nftw callback: removes one entry. */
static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw) {
  (void)sb, (void)flag, (void)ftw;
  return remove(path) ? -1 : 0;
}

/* Frees everything the rehearsal held and removes the scratch directory. */
static void ctx_free(rh_ctx *c) {
  if (c->act) c->act->free(c->act->self);
  clock_free(c->clock);
  sim_free(c->world);
  json_decref(c->scenario);
  rehearse_record_free(&c->rec);
  plan_free(c->graph);
  params_free(&c->params);
  program_free(c->prog);
  if (c->scratch[0]) nftw(c->scratch, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Runs one rehearsal (see rehearse.h). */
int rehearse_run(const rehearse_opts *o, rehearse_result *r) {
  *r = (rehearse_result){0};
  rh_ctx c = {.o = o, .r = r};
  int code = load_plan(&c);
  if (code < 0) code = bind_and_plan(&c);
  if (code < 0) code = make_world(&c);
  if (code < 0) code = make_actions(&c);
  if (code < 0) code = execute(&c);
  ctx_free(&c);
  r->exit_code = code;
  return code;
}

/* Frees the result's contents. */
void rehearse_result_free(rehearse_result *r) {
  free(r->error), free(r->failed_step), free(r->failed_gate), free(r->scenario);
  json_decref(r->executed), json_decref(r->notifications), json_decref(r->lies), json_decref(r->world);
  *r = (rehearse_result){0};
}
