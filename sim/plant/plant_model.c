/* plant_model.c — the plant model's state in time: heat lost and restored, agents disconnecting
 * and reconnecting, integrations progressing; and the derived answers (status, efficiency, alarms). */
#include <string.h>

#include "plant_internal.h"

/* Every integration state's name, once (from PLANT_INTEGRATION_STATES). */
static const char *const integration_names[] = {
#define X(e, name) name,
    PLANT_INTEGRATION_STATES(X)
#undef X
};

/* Returns the name of integration state st (static). */
const char *plant_integration_name(plant_integration st) {
  return integration_names[st];
}

/* Records whether a cause is active now; a cause that just ended remembers when: at the cluster's
 * latest change (change_ms) if that came after it was last seen active, else now. */
static void cause_set(plant_cause *c, bool active, int64_t change_ms, int64_t now_ms) {
  if (active) {
    c->active = c->ever = true;
    c->seen_ms = now_ms;
  } else if (c->active) {
    c->active = false;
    c->cleared_ms = change_ms > c->seen_ms && change_ms <= now_ms ? change_ms : now_ms;
  }
}

/* Returns true when the cause's effect lasts at now_ms (active, or within `lag` after it ended). */
static bool cause_holds(const plant_cause *c, int64_t lag_ms, int64_t now_ms) {
  return c->active || (c->ever && now_ms < c->cleared_ms + lag_ms);
}

/* Returns the time the cause's effect ends, if that is after now_ms; else INT64_MAX. */
static int64_t cause_ends(const plant_cause *c, int64_t lag_ms, int64_t now_ms) {
  if (c->active || !c->ever || c->cleared_ms + lag_ms <= now_ms) return INT64_MAX;
  return c->cleared_ms + lag_ms;
}

/* Returns how many integration steps (of 25 %) have passed for plant p at now_ms. */
static int64_t integration_steps(const plant_world *w, int p, int64_t now_ms) {
  return (now_ms - w->plants[p].integrate_ms) / w->s.integrate_step_ms;
}

/* Moves a gradual integration on: done after four steps, unless verification fails at 75 %. */
static void integration_advance(plant_world *w, int p, int64_t now_ms) {
  plant_state *st = &w->plants[p];
  if (st->integration != PLANT_INT_INTEGRATING || integration_steps(w, p, now_ms) < 4) return;
  if (st->verify_before_full && strcmp(plant_heat_status(w, p), "normal") != 0) {
    st->integration = PLANT_INT_VERIFY_FAILED;
    return;
  }
  st->integration = PLANT_INT_INTEGRATED;
  st->integrated_ms = st->integrate_ms + 4 * w->s.integrate_step_ms;
}

/* Advances the causes and the integrations from the effects computed for now. */
void plant_model_advance(plant_world *w, int64_t now_ms) {
  for (int p = 0; p < PLANT_COUNT; p++)
    cause_set(&w->plants[p].heat, w->plants[p].effects & PLANT_BIT(PLANT_EFFECT_HEAT_LOSS),
              w->change_ms, now_ms);
  unsigned down = PLANT_BIT(PLANT_EFFECT_HEAT_LOSS) | PLANT_BIT(PLANT_EFFECT_DISCONNECT);
  for (size_t i = 0; i < w->s.nagents; i++) {
    const plant_agent_state *a = &w->agents[i];
    bool cause = (w->plants[w->s.agents[i].plant].effects & down) || (a->in_cluster && !a->has_ready);
    cause_set(&w->agents[i].down, cause, w->change_ms, now_ms);
  }
  for (int p = 0; p < PLANT_COUNT; p++) integration_advance(w, p, now_ms);
}

/* Returns the next time after now_ms at which the model changes by itself, or INT64_MAX. */
int64_t plant_model_next_change(const plant_world *w, int64_t now_ms) {
  int64_t next = INT64_MAX, t;
  for (int p = 0; p < PLANT_COUNT; p++) {
    if ((t = cause_ends(&w->plants[p].heat, w->s.heat_restore_ms, now_ms)) < next) next = t;
    if (w->plants[p].integration != PLANT_INT_INTEGRATING) continue;
    t = w->plants[p].integrate_ms + (integration_steps(w, p, now_ms) + 1) * w->s.integrate_step_ms;
    if (t < next) next = t;
  }
  for (size_t i = 0; i < w->s.nagents; i++)
    if ((t = cause_ends(&w->agents[i].down, w->agents[i].delay_ms, now_ms)) < next) next = t;
  return next;
}

/* Returns true when plant p has lost heat now. */
bool plant_heat_lost(const plant_world *w, int p) {
  return cause_holds(&w->plants[p].heat, w->s.heat_restore_ms, w->now_ms);
}

/* Returns "normal", "degraded" or "critical" for plant p now. */
const char *plant_heat_status(const plant_world *w, int p) {
  if (plant_heat_lost(w, p)) return "critical";
  if (w->plants[p].effects & PLANT_BIT(PLANT_EFFECT_DEGRADED)) return "degraded";
  return "normal";
}

/* Returns plant p's efficiency when all is well (from the section, else from the seed). */
static double base_efficiency(const plant_world *w, int p) {
  if (w->s.plants[p].efficiency >= 0) return w->s.plants[p].efficiency;
  return 84.0 + (double)(plant_hash(w->seed, (uint64_t)p, 2) % 30) / 10.0;
}

/* Returns the plant's current efficiency in percent (one decimal). */
double plant_efficiency(const plant_world *w, int p) {
  double e = base_efficiency(w, p);
  if (plant_heat_lost(w, p)) e *= 0.45;
  else if (w->plants[p].effects & PLANT_BIT(PLANT_EFFECT_DEGRADED)) e -= 11.5;
  if (w->plants[p].effects & PLANT_BIT(PLANT_EFFECT_OPTIMIZATION)) e -= 6.0;
  return plant_round1(e);
}

/* Returns true when agent i is connected now. */
bool plant_agent_connected(const plant_world *w, size_t i) {
  return !cause_holds(&w->agents[i].down, w->agents[i].delay_ms, w->now_ms);
}

/* Returns the number of connected agents. */
size_t plant_agents_connected(const plant_world *w) {
  size_t n = 0;
  for (size_t i = 0; i < w->s.nagents; i++) n += plant_agent_connected(w, i);
  return n;
}

/* Returns the optimization status: "optimal", "converged", "degraded" or "failed". */
const char *plant_optimization_status(const plant_world *w) {
  bool degraded = false;
  for (int p = 0; p < PLANT_COUNT; p++) {
    if (w->plants[p].effects & PLANT_BIT(PLANT_EFFECT_OPTIMIZATION)) return "failed";
    degraded |= strcmp(plant_heat_status(w, p), "normal") != 0;
  }
  if (degraded) return "degraded";
  return plant_agents_connected(w) < w->s.nagents ? "converged" : "optimal";
}

/* Returns plant p's loaded heat demand (its loaded config entry's heat_demand_mw, else its spec). */
double plant_heat_demand(const plant_world *w, int p) {
  const json_t *d = json_object_get(plant_entry(w, p), "heat_demand_mw");
  return json_is_number(d) ? json_number_value(d) : w->s.plants[p].heat_demand_mw;
}

/* Returns the integration progress of plant p in percent. */
int plant_integration_progress(const plant_world *w, int p) {
  switch (w->plants[p].integration) {
  case PLANT_INT_INTEGRATED: return 100;
  case PLANT_INT_ISOLATED: return 0;
  case PLANT_INT_VERIFY_FAILED: return 75;
  case PLANT_INT_INTEGRATING: break;
  }
  int64_t steps = integration_steps(w, p, w->now_ms);
  return steps >= 4 ? 100 : (int)steps * 25;
}

/* Appends plant p's alarms to arr. */
void plant_alarms_append(const plant_world *w, int p, json_t *arr) {
  const char *id = w->s.plants[p].id;
  if (plant_heat_lost(w, p))
    json_array_append_new(arr, json_pack("{s:s+ s:s s:s s:s}", "alarm_id", "HEAT-LOSS-", id,
                                         "plant_id", id, "severity", "critical", "message",
                                         "heat supply lost to critical systems"));
  else if (w->plants[p].effects & PLANT_BIT(PLANT_EFFECT_DEGRADED))
    json_array_append_new(arr, json_pack("{s:s+ s:s s:s s:s}", "alarm_id", "HEAT-LOW-", id,
                                         "plant_id", id, "severity", "warning", "message",
                                         "heat output below demand"));
}

/* Returns a new array of the active alarms (every plant's, then the system's). */
json_t *plant_alarms(const plant_world *w) {
  json_t *arr = json_array();
  unsigned all = 0;
  for (int p = 0; p < PLANT_COUNT; p++) plant_alarms_append(w, p, arr), all |= w->plants[p].effects;
  if (all & PLANT_BIT(PLANT_EFFECT_OPTIMIZATION))
    json_array_append_new(arr, json_pack("{s:s s:n s:s s:s}", "alarm_id", "OPT-FAILED", "plant_id",
                                         "severity", "warning", "message",
                                         "heat distribution optimization failed"));
  return arr;
}
