/* cli_plan_live.c — `rbk plan FILE --live [--kubeconfig F] [--context C]`: the plan run against
 * the real cluster with nothing changed (live_actions.h: reads sent, Kubernetes writes as dry runs,
 * the rest not sent; the engine in preview mode on a virtual clock), printed as it goes. docs/plan.md
 * "Live preview" describes the output and the exit codes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "cli_plan.h"
#include "engine.h"
#include "grow.h"
#include "live_actions.h"
#include "run_signals.h"
#include "scrub.h"

/* What the printer keeps between events. */
typedef struct {
  FILE *out;
  bool wrote;          /* a mutating action ended (previewed or not sent): later reads show the
                          state before it */
  char *skipped;       /* the node of the gate or wait until just reported as skipped (its
                          closing event is not printed) */
  char **placeholders; /* the stand-ins of unset secrets (owned) */
  size_t nplaceholders, cap;
  size_t stale;        /* gates and asserts that failed on the state before the dry-run writes */
} live_view;

/* Prints one line, masked, with the graph node id when there is one. */
static void put(live_view *v, const char *node, const char *indent, const char *text) {
  char *shown = scrub_line(text);
  fprintf(v->out, "%s%s%s%s%s\n", indent, node ? "[" : "", node ? node : "", node ? "] " : "", shown ? shown : "");
  free(shown);
}

/* live_actions' report lines: under the action they belong to. */
static void note(void *user, const char *node, const char *text) {
  live_view *v = user;
  (void)node;
  put(v, NULL, "      ", text);
}

/* Returns the suffix of a read judged after a previewed write. */
static const char *before_writes(const live_view *v) {
  return v->wrote ? "  [state before the dry-run writes]" : "";
}

/* Prints an action's start. */
static void show_action(live_view *v, const rbk_event *ev) {
  char line[900];
  snprintf(line, sizeof line, "%s %s %s%s", ev->mutating ? "✎" : "·", ev->action ? ev->action : "?", ev->target ? ev->target : "",
           ev->mutating ? "" : before_writes(v));
  put(v, ev->node, "  ", line);
}

/* Returns true for the closing event of a gate or wait until that was just reported as skipped
 * (the preview judged it once and went on); forgets the skipped one. */
static bool closes_skipped(live_view *v, const rbk_event *ev) {
  bool same = v->skipped && ev->status == RBK_STATUS_OK && ev->node && !strcmp(v->skipped, ev->node);
  free(v->skipped);
  v->skipped = NULL;
  return same;
}

/* Prints a gate or wait event. */
static void show_poll(live_view *v, const rbk_event *ev) {
  char line[900];
  const char *m = ev->message ? ev->message : "";
  bool until = ev->kind == RBK_EV_WAIT && !strncmp(m, "until ", 6);
  if (ev->status == RBK_STATUS_NONE && (until || ev->kind == RBK_EV_GATE)) return;
  if (closes_skipped(v, ev)) return;
  if (ev->status == RBK_STATUS_SKIPPED) {
    v->skipped = ev->node ? strdup(ev->node) : NULL;
    v->stale += ev->kind == RBK_EV_GATE;
    snprintf(line, sizeof line, "%s %s", ev->kind == RBK_EV_GATE ? "⚠" : "⏳", m);
  } else if (ev->kind == RBK_EV_WAIT && ev->status == RBK_STATUS_NONE) {
    snprintf(line, sizeof line, "⏳ wait %s: not waited", m);
  } else if (ev->status == RBK_STATUS_OK) {
    snprintf(line, sizeof line, ev->kind == RBK_EV_GATE ? "✓ gate \"%s\" passes now%s" : "✓ wait %s: passes now%s", m,
             before_writes(v));
  } else {
    snprintf(line, sizeof line, "✗ %s%s", m, before_writes(v));
  }
  put(v, ev->node, "  ", line);
}

/* Prints an approval or assert event. */
static void show_check(live_view *v, const rbk_event *ev) {
  char line[900];
  const char *m = ev->message ? ev->message : "";
  if (ev->kind == RBK_EV_APPROVAL) {
    if (ev->status != RBK_STATUS_NONE) return;
    snprintf(line, sizeof line, "? approve \"%s\"%s%s: not asked (a run asks here)", m, ev->target ? " from " : "",
             ev->target ? ev->target : "");
  } else if (ev->status == RBK_STATUS_SKIPPED) {
    v->stale++;
    snprintf(line, sizeof line, "⚠ %s  [fails on the state before the dry-run writes: a run judges it after them]", m);
  } else if (ev->status != RBK_STATUS_OK) {
    snprintf(line, sizeof line, "✗ %s%s", m, before_writes(v));
  } else {
    return;
  }
  put(v, ev->node, "  ", line);
}

/* The engine's events, printed as they come. */
static int emit(void *user, const rbk_event *ev, char **err) {
  (void)err;
  live_view *v = user;
  char line[900];
  switch (ev->kind) {
    case RBK_EV_STEP_START: snprintf(line, sizeof line, "step %s", ev->step ? ev->step : ev->message ? ev->message : ""); break;
    case RBK_EV_STEP_END:
      if (ev->status != RBK_STATUS_FAILED) return 0;
      snprintf(line, sizeof line, "  ✗ step %s fails: %s", ev->step ? ev->step : "", ev->message ? ev->message : "");
      break;
    case RBK_EV_ACTION_START: show_action(v, ev); return 0;
    case RBK_EV_ACTION_END:
      v->wrote = v->wrote || (ev->mutating && ev->status == RBK_STATUS_OK);
      if (ev->status != RBK_STATUS_FAILED) return 0;
      snprintf(line, sizeof line, "✗ %s", ev->message ? ev->message : "failed");
      put(v, NULL, "      ", line);
      return 0;
    case RBK_EV_GATE: case RBK_EV_WAIT: show_poll(v, ev); return 0;
    case RBK_EV_APPROVAL: case RBK_EV_ASSERT: show_check(v, ev); return 0;
    case RBK_EV_NOTIFY:
      snprintf(line, sizeof line, "✉ not sent: notify %s: %.200s", ev->target ? ev->target : "", ev->message ? ev->message : "");
      for (char *p = line; *p; p++)
        if (*p == '\n') *p = ' ';
      put(v, ev->node, "  ", line);
      return 0;
    case RBK_EV_WARNING: snprintf(line, sizeof line, "  ! %s", ev->message ? ev->message : ""); break;
    default: return 0;
  }
  put(v, NULL, "", line);
  return 0;
}

/* engine_lookup_fn for secret(): an unset secret is a stand-in "unset-secret-NAME" (said once),
 * since nothing a preview sends with it is kept; a set one (the environment) is used. */
static const char *get_secret(void *user, const char *name) {
  live_view *v = user;
  if (getenv(name)) return NULL;
  char buf[300];
  snprintf(buf, sizeof buf, "unset-secret-%s", name);
  for (size_t i = 0; i < v->nplaceholders; i++)
    if (!strcmp(v->placeholders[i], buf)) return v->placeholders[i];
  char *kept = strdup(buf);
  if (!kept || !GROW(v->placeholders, v->cap, v->nplaceholders + 1)) return free(kept), NULL;
  v->placeholders[v->nplaceholders++] = kept;
  snprintf(buf, sizeof buf, "secret %s is not set: the preview uses a stand-in (a run needs it)", name);
  put(v, NULL, "  ! ", buf);
  return kept;
}

/* engine_node_fn over the dry-run graph. */
static const char *node_id(void *user, const ast_node *node, const char *ctx) { return plan_node_id(user, node, ctx); }

/* Returns the wall-clock time in ms. */
static int64_t wall_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Runs the preview of a loaded plan; returns the exit code. */
static int preview(const rbk_program *prog, plan_graph *g, const cli_plan_live_opts *o) {
  param_set params = {0};
  char *err = NULL;
  if (!params_bind(prog->units[0].ast, o->assigns, o->nassigns, true, NULL, NULL, &params, &err)) {
    fprintf(stderr, "rbk: %s\n", err ? err : "out of memory");
    return free(err), RBK_EXIT_USAGE;
  }
  live_view v = {stdout, false, NULL, NULL, 0, 0, 0};
  live_actions_opts lo = {o->kubeconfig, o->context, 0, note, &v};
  rbk_actions *act = live_actions_new(&lo, &err);
  rbk_clock *clock = act ? clock_virtual(wall_now()) : NULL;
  engine_config cfg = {.params = &params, .clock = clock, .actions = act, .sink = {&v, emit, NULL}, .yes = true,
                       .node_id = node_id, .node_user = g, .operator_name = "rbk-plan-live", .run_id = "preview",
                       .getsecret = get_secret, .lookup_user = &v, .preview = true};
  engine *e = clock ? engine_new(prog, &cfg, &err) : NULL;
  int code = RBK_EXIT_USAGE;
  if (e) {
    printf("Live preview of %s: reads are sent, Kubernetes writes only as dry runs (dryRun=All), nothing else;\n"
           "approvals are not asked, waits not waited, no run lock is taken.\n",
           prog->units[0].path);
    run_signals_attach(e);
    code = engine_run(e);
    run_signals_detach();
    const char *why = engine_error(e);
    size_t writes = live_actions_writes(act);
    if (code == RBK_EXIT_OK && v.stale)
      printf("The run would proceed, as far as the preview can tell: %zu dry-run write%s accepted, %zu check%s failed on the\n"
             "state before them (⚠ above; a run judges them after its writes). The cluster is unchanged.\n",
             writes, writes == 1 ? "" : "s", v.stale, v.stale == 1 ? "" : "s");
    else if (code == RBK_EXIT_OK)
      printf("The run would proceed (%zu dry-run write%s accepted; the cluster is unchanged).\n", writes, writes == 1 ? "" : "s");
    else {
      char *shown = scrub_line(why ? why : "interrupted");
      printf("The run would stop: %s\n", shown ? shown : "");
      if (v.wrote && code == RBK_EXIT_FAILED)
        printf("(This comes after mutating actions the preview did not make: its reads show the state before\n"
               "them and the results of actions not sent are null. A run may get past it.)\n");
      free(shown);
    }
  } else {
    fprintf(stderr, "rbk: %s\n", err ? err : "out of memory");
  }
  free(err);
  engine_free(e);
  if (act) act->free(act->self);
  clock_free(clock);
  params_free(&params);
  for (size_t i = 0; i < v.nplaceholders; i++) free(v.placeholders[i]);
  free(v.placeholders);
  free(v.skipped);
  return code;
}

/* rbk plan --live (see cli_plan.h). */
int cli_plan_live(const cli_plan_live_opts *o) {
  run_signals_install();
  rbk_program *prog = cli_load_checked(o->file, NULL);
  if (!prog) return RBK_EXIT_USAGE;
  plan_graph *g = cli_plan_build(prog, o->assigns, o->nassigns, false);
  int code = g ? preview(prog, g, o) : RBK_EXIT_USAGE;
  fflush(stdout);
  plan_free(g);
  program_free(prog);
  return code;
}
