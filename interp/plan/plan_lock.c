/* plan_lock.c — the run lock in the graph: `rbk run` takes a Lease "rbk-<runbook id>" in the
 * namespace of the plan's first kube() cluster (stdlib/kube/lease.h), renews it every 20 s and
 * deletes it at the end. Three mutating action nodes, appended after the plan's own nodes so the
 * other node ids do not move. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "strutil.h"

#include "plan_int.h"

/* The lease operations' request timeout and renewal period (stdlib/kube/lease.c). */
#define LOCK_TIMEOUT_MS 30000
#define LOCK_RENEW_MS 20000

/* Returns the lease name for a runbook id, as lease.c spells it. Caller frees. */
static char *lock_name(const char *id) {
  char *s = strutil_printf("rbk-%.59s", id);
  for (char *p = s ? s + 4 : NULL; p && *p; p++)
    *p = isalnum((unsigned char)*p) || *p == '.' ? (char)tolower((unsigned char)*p) : '-';
  return s;
}

/* Appends one run-lock node; returns its index, or -1 after setting w->err. */
static long lock_node(plan_walker *w, const char *verb, const char *label, const char *target, plan_when when,
                      int64_t every_ms) {
  long i = plan_graph_add(w->g, PLAN_ACTION);
  if (i < 0) return plan_walk_fail(w, "out of memory"), -1;
  plan_node *n = &w->g->nodes[i];
  n->label = strdup(label);
  n->target = strdup(target);
  n->run_lock = strdup(verb);
  n->step = strdup("");
  n->ctx = strdup("");
  n->mutating = true;
  n->when = when;
  n->timeout_ms = n->worst_ms = LOCK_TIMEOUT_MS;
  n->every_ms = every_ms;
  if (!n->label || !n->target || !n->run_lock || !n->step || !n->ctx) return plan_walk_fail(w, "out of memory"), -1;
  return i;
}

/* Adds the run lock's acquire, renew and release nodes when the plan has a runbook id and a kube()
 * cluster; the acquire node leads to the first node, the plan's ends lead to the release. */
void plan_lock_add(plan_walker *w) {
  plan_graph *g = w->g;
  if (!w->lock_ns || !g->runbook.id || w->err) return;
  size_t first = g->len;
  bool *has_out = calloc(first + 1, sizeof *has_out);
  char *name = lock_name(g->runbook.id);
  char *target = name ? strutil_printf("lease/%s -n %s", name, w->lock_ns) : NULL;
  if (!has_out || !target) {
    free(has_out), free(name), free(target);
    plan_walk_fail(w, "out of memory");
    return;
  }
  for (size_t e = 0; e < g->nedges; e++) has_out[g->edges[e].from] = true;
  long take = lock_node(w, "acquire", "run lock: create the Lease (or take over a dead holder's)", target,
                        PLAN_WHEN_SUCCESS, PLAN_NONE);
  long renew = take < 0 ? -1 : lock_node(w, "renew", "run lock: renew the Lease while the run lasts", target,
                                         PLAN_WHEN_SUCCESS, LOCK_RENEW_MS);
  long drop = renew < 0 ? -1 : lock_node(w, "release", "run lock: delete the Lease at the end", target,
                                         PLAN_WHEN_ALWAYS, PLAN_NONE);
  if (drop >= 0) {
    bool ok = plan_graph_edge(g, (size_t)take, (size_t)renew, PLAN_EDGE_FORK) &&
              plan_graph_edge(g, (size_t)renew, (size_t)renew, PLAN_EDGE_REPEAT) &&
              (first == 0 || plan_graph_edge(g, (size_t)take, 0, PLAN_EDGE_NEXT));
    for (size_t i = 0; ok && i < first; i++)
      if (!has_out[i]) ok = plan_graph_edge(g, i, (size_t)drop, PLAN_EDGE_NEXT);
    if (!ok) plan_walk_fail(w, "out of memory");
  }
  free(has_out), free(name), free(target);
}
