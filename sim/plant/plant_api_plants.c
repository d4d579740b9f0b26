/* plant_api_plants.c — the plants' endpoints: heat status, backup heat, one plant's status,
 * isolation and gradual re-integration. */
#include <stdlib.h>
#include <string.h>

#include "plant_internal.h"
#include "sim_util.h"

/* Returns epoch ms t as a new JSON string in RFC 3339. */
static json_t *time_json(int64_t t_ms) {
  char ts[32];
  sim_util_time_rfc3339(t_ms, ts);
  return json_string(ts);
}

/* Returns the heat plant p delivers now in MW. */
static double heat_supply(const plant_world *w, int p) {
  const plant_spec *ps = &w->s.plants[p];
  if (plant_heat_lost(w, p))
    return ps->backup_available ? (ps->backup_capacity_mw < ps->critical_load_mw
                                       ? ps->backup_capacity_mw : ps->critical_load_mw) : 0.0;
  double demand = plant_heat_demand(w, p);
  return w->plants[p].effects & PLANT_BIT(PLANT_EFFECT_DEGRADED) ? plant_round1(demand * 0.82)
                                                                 : demand;
}

/* Returns a new array of plant p's alarms. */
static json_t *alarms_of(const plant_world *w, int p) {
  json_t *arr = json_array();
  plant_alarms_append(w, p, arr);
  return arr;
}

/* Returns a new object describing plant p (the fields of plants/heat-status). */
static json_t *plant_json(const plant_world *w, int p) {
  const plant_spec *ps = &w->s.plants[p];
  const plant_state *st = &w->plants[p];
  bool lost = plant_heat_lost(w, p);
  const json_t *opt = json_object_get(plant_entry(w, p), "optimization_enabled");
  return json_pack("{s:s s:s s:s s:b s:b s:f s:o s:f s:f s:f s:b s:f s:s s:s s:O}", "plant_id",
                   ps->id, "name", ps->name, "heat_status", plant_heat_status(w, p), "heat_loss",
                   lost, "critical_systems_ok", !lost, "efficiency", plant_efficiency(w, p),
                   "alarms", alarms_of(w, p), "heat_demand_mw", plant_heat_demand(w, p),
                   "heat_supply_mw", heat_supply(w, p), "critical_load_mw", ps->critical_load_mw,
                   "backup_available", ps->backup_available, "backup_capacity_mw",
                   ps->backup_capacity_mw, "isolation_state",
                   plant_integration_name(st->integration), "control_mode",
                   st->integration == PLANT_INT_INTEGRATED ? "orchestrated" : "local",
                   "optimization_enabled", opt ? (json_t *)opt : json_false());
}

/* Returns a new {"timestamp", "plants": [f(p)…]} answer. */
static json_t *plants_answer(const plant_world *w, json_t *(*f)(const plant_world *, int)) {
  json_t *arr = json_array();
  for (int p = 0; p < PLANT_COUNT; p++) json_array_append_new(arr, f(w, p));
  return json_pack("{s:o s:o}", "timestamp", time_json(w->now_ms), "plants", arr);
}

/* GET plants/heat-status: every plant's full status. */
int plant_api_heat_status(const plant_request *rq, json_t **resp) {
  *resp = plants_answer(rq->w, plant_json);
  return 200;
}

/* Returns plant p's critical-heat fields. */
static json_t *critical_json(const plant_world *w, int p) {
  bool lost = plant_heat_lost(w, p);
  double supply = heat_supply(w, p), crit = w->s.plants[p].critical_load_mw;
  return json_pack("{s:s s:s s:b s:b s:f s:f}", "plant_id", w->s.plants[p].id, "heat_status",
                   plant_heat_status(w, p), "heat_loss", lost, "critical_systems_ok", !lost,
                   "critical_load_mw", crit, "critical_supply_mw", supply < crit ? supply : crit);
}

/* GET plants/critical-heat-status: heat to the critical systems of every plant. */
int plant_api_critical_heat(const plant_request *rq, json_t **resp) {
  *resp = plants_answer(rq->w, critical_json);
  return 200;
}

/* Returns plant p's backup-heat fields. */
static json_t *backup_json(const plant_world *w, int p) {
  const plant_spec *ps = &w->s.plants[p];
  return json_pack("{s:s s:b s:f s:s s:b}", "plant_id", ps->id, "backup_available",
                   ps->backup_available, "backup_capacity_mw",
                   ps->backup_available ? ps->backup_capacity_mw : 0.0, "backup_type",
                   ps->backup_type, "backup_active", ps->backup_available && plant_heat_lost(w, p));
}

/* GET plants/backup-heat-status: backup heat of every plant. */
int plant_api_backup_heat(const plant_request *rq, json_t **resp) {
  *resp = plants_answer(rq->w, backup_json);
  return 200;
}

/* Returns the plant index of the request's {id}, or -1 with a 404 answer in *resp. */
static int plant_arg(const plant_request *rq, json_t **resp) {
  int p = plant_index(&rq->w->s, rq->arg);
  if (p < 0) *resp = plant_error("unknown plant \"%s\"", rq->arg);
  return p;
}

/* Returns a new object: plant p's integration state and progress. */
static json_t *integration_json(const plant_world *w, int p) {
  static const char *const phases[] = {"connecting", "syncing_setpoints", "partial_control",
                                       "full_control", "complete"};
  const plant_state *st = &w->plants[p];
  int progress = plant_integration_progress(w, p);
  const char *phase = st->integration == PLANT_INT_ISOLATED ? "isolated" : phases[progress / 25];
  if (progress == 75 && st->verify_before_full) phase = "verifying";
  json_t *j = json_pack("{s:s s:s s:i s:s s:b s:b}", "plant_id", w->s.plants[p].id, "state",
                        plant_integration_name(st->integration), "progress_percent", progress,
                        "phase", phase, "gradual", st->gradual, "verify_before_full",
                        st->verify_before_full);
  if (st->integration != PLANT_INT_ISOLATED && st->integrate_ms)
    json_object_set_new(j, "started_at", time_json(st->integrate_ms));
  if (st->integration == PLANT_INT_INTEGRATED && st->integrated_ms)
    json_object_set_new(j, "completed_at", time_json(st->integrated_ms));
  if (st->integration == PLANT_INT_VERIFY_FAILED)
    json_object_set_new(j, "message", json_string("verification before full control failed: "
                                                  "plant heat status is not normal"));
  return j;
}

/* GET plants/{id}/status: one plant with its agents, integration and loaded config. */
int plant_api_plant_status(const plant_request *rq, json_t **resp) {
  int p = plant_arg(rq, resp);
  if (p < 0) return 404;
  size_t total = 0, connected = 0;
  for (size_t i = 0; i < rq->w->s.nagents; i++)
    if (rq->w->s.agents[i].plant == p) total++, connected += plant_agent_connected(rq->w, i);
  const json_t *entry = plant_entry(rq->w, p);
  *resp = plant_json(rq->w, p);
  json_object_set_new(*resp, "agents", json_pack("{s:I s:I}", "total", (json_int_t)total,
                                                 "connected", (json_int_t)connected));
  json_object_set_new(*resp, "integration", integration_json(rq->w, p));
  json_object_set_new(*resp, "config", entry ? json_deep_copy(entry) : json_null());
  return 200;
}

/* POST plants/{id}/isolate {"reason", "maintain_heat", "use_local_control"}: local control. */
int plant_api_isolate(const plant_request *rq, json_t **resp) {
  int p = plant_arg(rq, resp);
  if (p < 0) return 404;
  const char *reason = NULL;
  int maintain = 1, local = 1;
  json_error_t je;
  if (!rq->body || json_unpack_ex((json_t *)rq->body, &je, JSON_STRICT, "{s:s s?b s?b}", "reason",
                                  &reason, "maintain_heat", &maintain, "use_local_control", &local)) {
    *resp = plant_error("body must be {\"reason\": string, \"maintain_heat\": bool, "
                        "\"use_local_control\": bool}: %s", rq->body ? je.text : "no body");
    return 400;
  }
  plant_state *st = &rq->w->plants[p];
  if (st->integration != PLANT_INT_ISOLATED) {
    free(st->isolate_reason);
    st->isolate_reason = strdup(reason);
    st->maintain_heat = maintain, st->local_control = local;
    st->isolated_ms = rq->w->now_ms;
    st->integration = PLANT_INT_ISOLATED;
  }
  *resp = json_pack("{s:s s:s s:s s:b s:b s:o}", "plant_id", rq->w->s.plants[p].id, "status",
                    "isolated", "reason", st->isolate_reason, "maintain_heat", st->maintain_heat,
                    "use_local_control", st->local_control, "isolated_at",
                    time_json(st->isolated_ms));
  return 200;
}

/* POST plants/{id}/integrate {"gradual", "verify_before_full"}: back under the orchestrator. */
int plant_api_integrate(const plant_request *rq, json_t **resp) {
  int p = plant_arg(rq, resp);
  if (p < 0) return 404;
  int gradual = 1, verify = 0;
  json_error_t je;
  if (rq->body && json_unpack_ex((json_t *)rq->body, &je, JSON_STRICT, "{s?b s?b}", "gradual",
                                 &gradual, "verify_before_full", &verify)) {
    *resp = plant_error("body must be {\"gradual\": bool, \"verify_before_full\": bool}: %s",
                        je.text);
    return 400;
  }
  plant_state *st = &rq->w->plants[p];
  if (st->integration == PLANT_INT_INTEGRATED || st->integration == PLANT_INT_INTEGRATING) {
    *resp = plant_error("%s is not isolated (state %s)", rq->w->s.plants[p].id,
                        plant_integration_name(st->integration));
    return 409;
  }
  st->gradual = gradual, st->verify_before_full = verify;
  st->integrate_ms = rq->w->now_ms;
  st->integration = gradual ? PLANT_INT_INTEGRATING : PLANT_INT_INTEGRATED;
  if (!gradual) st->integrated_ms = rq->w->now_ms;
  *resp = integration_json(rq->w, p);
  return gradual ? 202 : 200;
}

/* GET plants/{id}/integration-status: the integration's progress. */
int plant_api_integration_status(const plant_request *rq, json_t **resp) {
  int p = plant_arg(rq, resp);
  if (p < 0) return 404;
  *resp = integration_json(rq->w, p);
  return 200;
}
