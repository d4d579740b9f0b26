/* cli_run_exec.c — running a plan for `rbk run` and `rbk resume`: the plan, params, transport,
 * journal, output, approver and signals around the engine (see cli_run.h). */
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "actions_script.h"
#include "approve_tty.h"
#include "check.h"
#include "cli.h"
#include "cli_run.h"
#include "engine.h"
#include "journal.h"
#include "out.h"
#include "plan.h"
#include "procid.h"
#include "run_actions.h"
#include "run_signals.h"
#include "scrub.h"

/* Everything one run holds; freed by ctx_free. */
typedef struct {
  const run_opts *o;
  const journal_state *resumed;
  rbk_program *prog;
  char *hash, *run_id, *operator_name, *journal_file;
  char **assigns;          /* borrowed from o, or from the journal's "assigns" */
  size_t nassigns;
  param_set params;
  rbk_actions *script, *real, *calls, *live_actions, *act;
  plan_graph *graph;
  rbk_clock *clock;
  journal *journal;
  out_json json;
  out_text text;
  out_live *live;
  out_tee tee;
  rbk_approver *approver;
} run_ctx;

/* Prints "rbk: msg" (and frees msg); returns code. */
static int fail(int code, char *msg) {
  char *shown = scrub_line(msg);
  fprintf(stderr, "rbk: %s\n", shown ? shown : "out of memory");
  free(shown);
  free(msg);
  return code;
}

/* Loads and checks the plan; returns -1, or 2 after printing the errors. */
static int load_plan(run_ctx *c, const char *file) {
  diag_list diags = {0};
  c->prog = program_load(file, &diags);
  if (c->prog && !diags.errors) check_program(c->prog, &diags);
  bool bad = !c->prog || diags.errors;
  if (bad) {
    diag_sort(&diags);
    diag_print(&diags, stderr, isatty(STDERR_FILENO) && !getenv("NO_COLOR"));
  }
  diag_free(&diags);
  if (bad) return RBK_EXIT_USAGE;
  c->hash = journal_plan_hash(c->prog);
  return c->hash ? -1 : fail(RBK_EXIT_USAGE, NULL);
}

/* Resume: refuses a plan whose text changed since the journal (unless --force); returns -1 or 2. */
static int check_hash(run_ctx *c) {
  const char *was = resume_str(c->resumed->last_start, "plan_hash");
  if (!was || !strcmp(was, c->hash) || c->o->force) return -1;
  fprintf(stderr, "rbk: plan %s changed since the journal was written (%.19s… now %.19s…); --force resumes anyway\n",
          c->o->file ? c->prog->units[0].path : "", was, c->hash);
  return RBK_EXIT_USAGE;
}

/* Takes the -p assignments from the options or the journal; returns false when out of memory. */
static bool pick_assigns(run_ctx *c) {
  if (!c->resumed) {
    c->assigns = c->o->assigns;
    c->nassigns = c->o->nassigns;
    return true;
  }
  json_t *list = json_object_get(c->resumed->start, "assigns");
  c->assigns = calloc(json_array_size(list) + 1, sizeof *c->assigns);
  for (size_t i = 0; c->assigns && i < json_array_size(list); i++)
    if (json_is_string(json_array_get(list, i))) c->assigns[c->nassigns++] = (char *)json_string_value(json_array_get(list, i));
  return c->assigns != NULL;
}

/* Binds params; makes the transport, the call log and the graph. Returns -1 or an exit code. */
static int prepare(run_ctx *c) {
  char *err = NULL;
  if (!pick_assigns(c)) return fail(RBK_EXIT_USAGE, NULL);
  if (!params_bind(c->prog->units[0].ast, c->assigns, c->nassigns, true, NULL, NULL, &c->params, &err))
    return fail(RBK_EXIT_USAGE, err);
  if (c->o->script && !(c->act = c->script = actions_script_load(c->o->script, &err))) return fail(RBK_EXIT_USAGE, err);
  diag_list diags = {0};
  c->graph = plan_build(c->prog, &c->params, &diags, &err);
  diag_free(&diags);
  free(err);
  c->clock = c->o->virt ? clock_virtual(c->o->epoch) : clock_real();
  return c->clock ? -1 : fail(RBK_EXIT_USAGE, NULL);
}

/* Returns "operator@host/run-id pid=PID boot=BOOT_ID", the run lock's holder (caller frees). */
static char *lock_holder(const run_ctx *c) { return procid_holder_new(c->operator_name, c->run_id); }

/* Makes the real actions (without --script) inside the run lock, then the call log; returns -1
 * or an exit code. */
static int make_actions(run_ctx *c) {
  char *err = NULL;
  if (!c->script) {
    const char *given = NULL;
    const ast_node *rb = program_runbook(c->prog);
    if (rb) ast_string_is_plain(rb->u.runbook.id, &given);
    char *id = run_actions_runbook_id(given, c->o->file), *holder = lock_holder(c);
    run_actions_opts ro = {c->o->kubeconfig, c->o->context, !c->o->no_lock, c->o->steal_lock, id, holder, c->clock,
                           NULL, NULL, c->o->max_response};
    c->act = c->real = id && holder ? run_actions_new(&ro, &err) : NULL;
    free(id), free(holder);
    if (!c->real) return fail(RBK_EXIT_USAGE, err);
  }
  if (c->o->call_log && !(c->act = c->calls = out_calls_wrap(c->act, c->o->call_log, &err)))
    return fail(RBK_EXIT_USAGE, err);
  return -1;
}

/* Returns the operator: --operator, $USER, the passwd entry, else "unknown" (caller frees). */
static char *find_operator(const run_opts *o) {
  if (o->operator_name) return strdup(o->operator_name);
  const char *u = getenv("USER");
  struct passwd *pw = u && *u ? NULL : getpwuid(getuid());
  return strdup(u && *u ? u : pw ? pw->pw_name : "unknown");
}

/* Returns the journal's metadata record fields for this run. */
static bool begin_journal(run_ctx *c) {
  char real[PATH_MAX], *host = journal_host(), *git = journal_git_revision(c->o->file);
  json_t *extra = json_object();
  json_t *secrets = json_array();
  for (size_t i = 0; i < c->o->nsecrets; i++) json_array_append_new(secrets, json_string(c->o->secret_names[i]));
  json_object_set_new(extra, "secret_overrides", secrets);
  char *boot = procid_boot_id();
  if (boot) json_object_set_new(extra, "boot_id", json_string(boot));
  free(boot);
  if (c->resumed) {
    json_object_set_new(extra, "skipping", json_integer((json_int_t)c->resumed->ndone));
    json_t *inflight = json_array();
    for (size_t i = 0; i < c->resumed->ninflight; i++) json_array_append_new(inflight, json_string(c->resumed->inflight[i]));
    json_object_set_new(extra, "rechecking", inflight);
  }
  const char *const *assigns = (const char *const *)c->assigns;
  journal_meta m = {c->run_id, c->o->file, realpath(c->o->file, real) ? real : NULL, c->hash, c->operator_name,
                    host, git, NULL, assigns, extra};
  bool ok = journal_begin(c->journal, &m, c->resumed != NULL, c->clock,
                          c->resumed ? (int64_t)json_array_size(c->resumed->records) : 0);
  json_decref(extra);
  free(host);
  free(git);
  return ok;
}

/* Opens the journal (not in --script mode without --journal; a resume's is open already) and
 * sets its first record; returns -1 or an exit code. */
static int open_journal(run_ctx *c) {
  if (!c->journal && c->o->script && !c->o->journal) return -1;
  char *err = NULL;
  c->journal_file = c->journal ? strdup(journal_path(c->journal)) : journal_path_for(c->o->journal, c->run_id);
  if (!c->journal_file) return fail(RBK_EXIT_FAILED, NULL);
  if (!c->journal && !(c->journal = journal_open(c->journal_file, true, &err))) return fail(RBK_EXIT_FAILED, err);
  return begin_journal(c) ? -1 : fail(RBK_EXIT_FAILED, NULL);
}

/* out_live_prompt as an approve_draw_fn. */
static void draw_prompt(void *user, const char *line) { out_live_prompt(user, line); }

/* Sets up the output sink and the terminal approver; returns the sink for the engine. */
static rbk_sink setup_output(run_ctx *c) {
  bool tty = isatty(STDOUT_FILENO), color = !getenv("NO_COLOR") && !(getenv("TERM") && !strcmp(getenv("TERM"), "dumb"));
  rbk_sink out;
  if (!strcmp(c->o->output, "json")) {
    c->json = (out_json){stdout, c->o->details};
    out = out_json_sink(&c->json);
  } else if (tty && (c->live = out_live_new(stdout, color, c->clock)) &&
             (c->live_actions = out_live_wrap_actions(c->act, c->live))) {
    c->act = c->live_actions;
    out = out_live_sink(c->live);
  } else {
    c->text = (out_text){stdout, false, 0};
    out = out_text_sink(&c->text);
  }
  if (!c->o->no_prompt && !c->o->yes && isatty(STDIN_FILENO)) {
    char *err = NULL;
    c->approver = approve_tty_new("/dev/tty", c->operator_name, c->clock, c->live ? draw_prompt : NULL, c->live, &err);
    free(err);
  }
  if (!c->journal) return out;
  c->tee = (out_tee){journal_sink(c->journal), out};
  return out_tee_sink(&c->tee);
}

/* engine_lookup_fn over --secret: returns the override's value or NULL. */
static const char *get_secret(void *user, const char *name) {
  const run_opts *o = user;
  for (size_t i = 0; i < o->nsecrets; i++)
    if (!strcmp(o->secret_names[i], name)) return o->secret_values[i];
  return NULL;
}

/* engine_node_fn over the dry-run graph. */
static const char *node_id(void *user, const ast_node *node, const char *ctx) {
  return user ? plan_node_id(user, node, ctx) : NULL;
}

/* Runs the engine with signal handling; returns the exit code. */
static int execute(run_ctx *c, rbk_sink sink) {
  engine_config cfg = {.params = &c->params, .clock = c->clock, .actions = c->act, .sink = sink,
                       .approver = c->approver, .yes = c->o->yes, .approve = c->o->approve, .node_id = node_id,
                       .ignore_deadline = c->o->ignore_deadline,
                       .node_user = c->graph, .operator_name = c->operator_name, .run_id = c->run_id,
                       .getsecret = get_secret, .lookup_user = (void *)c->o};
  if (c->resumed) {
    cfg.resume_done = (const char *const *)c->resumed->done;
    cfg.resume_inflight = (const char *const *)c->resumed->inflight;
    cfg.resume_results = c->resumed->results;
    cfg.resume_returns = c->resumed->returns;
    cfg.resume_gates = (const char *const *)c->resumed->gates;
  }
  char *err = NULL;
  engine *e = engine_new(c->prog, &cfg, &err);
  if (!e) return fail(RBK_EXIT_USAGE, err);
  run_signals_attach(e);
  int code = engine_run(e);
  run_signals_detach();
  if (c->real && !run_actions_release(c->real, &err)) {
    char *shown = scrub_line(err);
    fprintf(stderr, "rbk: warning: %s\n", shown ? shown : "out of memory");
    free(shown);
    free(err);
  }
  if (c->live) out_live_finish(c->live);
  const char *why = c->journal && journal_error(c->journal) ? journal_error(c->journal) : engine_error(e);
  char *shown = scrub_line(why);
  if (shown) fprintf(stderr, "rbk: %s\n", shown);
  free(shown);
  engine_free(e);
  return code;
}

/* Picks the run id: --run-id, the journal's, or a new one. Returns false when out of memory. */
static bool pick_run_id(run_ctx *c) {
  const char *given = c->resumed ? resume_str(c->resumed->start, "run_id") : c->o->run_id;
  c->run_id = given ? strdup(given) : journal_new_run_id(clock_wall(c->clock));
  c->operator_name = find_operator(c->o);
  return c->run_id && c->operator_name;
}

/* Frees everything the run held. */
static void ctx_free(run_ctx *c) {
  approve_tty_free(c->approver);
  out_live_free(c->live);
  journal_close(c->journal);
  plan_free(c->graph);
  rbk_actions *layers[] = {c->live_actions, c->calls, c->script, c->real};
  for (size_t i = 0; i < 4; i++)
    if (layers[i]) layers[i]->free(layers[i]->self);
  clock_free(c->clock);
  params_free(&c->params);
  if (c->resumed) free(c->assigns);
  program_free(c->prog);
  free(c->hash), free(c->run_id), free(c->operator_name), free(c->journal_file);
}

/* Runs the plan (see cli_run.h). */
int cli_run_plan(const run_opts *o, const journal_state *resumed, journal *j) {
  run_ctx c = {.o = o, .resumed = resumed, .journal = j};
  run_signals_install(); /* from now on a signal cancels the run (exit 3), and SIGPIPE is ignored */
  int code = load_plan(&c, o->file);
  if (code < 0 && resumed) code = check_hash(&c);
  if (code < 0) code = prepare(&c);
  if (code < 0 && !pick_run_id(&c)) code = fail(RBK_EXIT_USAGE, NULL);
  if (code < 0) code = make_actions(&c);
  if (code < 0) code = open_journal(&c);
  if (code < 0) code = execute(&c, setup_output(&c));
  ctx_free(&c);
  return code;
}
