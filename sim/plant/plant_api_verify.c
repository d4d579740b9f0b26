/* plant_api_verify.c — the orchestrator's rollback verifications: the emergency summary and the
 * post-rollback suite of eight checks (the seed's verify-rollback.sh). */
#include <string.h>

#include "plant_internal.h"

/* Returns how many plants have lost heat now. */
static int heat_loss_count(const plant_world *w) {
  int n = 0;
  for (int p = 0; p < PLANT_COUNT; p++) n += plant_heat_lost(w, p);
  return n;
}

/* Returns true when some plant's heat-loss cause is still active (not merely recovering). */
static bool heat_cause_active(const plant_world *w) {
  for (int p = 0; p < PLANT_COUNT; p++)
    if (w->plants[p].heat.active) return true;
  return false;
}

/* Returns true when every plant's heat status is normal. */
static bool all_plants_ok(const plant_world *w) {
  for (int p = 0; p < PLANT_COUNT; p++)
    if (strcmp(plant_heat_status(w, p), "normal") != 0) return false;
  return true;
}

/* Returns true when at least 95 % of the agents are connected. */
static bool coordination_ok(const plant_world *w) {
  return plant_agents_connected(w) * 100 >= w->s.nagents * 95;
}

/* Returns true when the optimization status is optimal or converged. */
static bool optimization_ok(const plant_world *w) {
  const char *st = plant_optimization_status(w);
  return strcmp(st, "optimal") == 0 || strcmp(st, "converged") == 0;
}

/* Returns "successful", "failed" (a cause is still active) or "in_progress" (recovering). */
static const char *rollback_status(const plant_world *w, bool healthy, size_t alarms) {
  if (!healthy || heat_cause_active(w)) return "failed";
  if (all_plants_ok(w) && coordination_ok(w) && optimization_ok(w) && alarms == 0)
    return "successful";
  return "in_progress";
}

/* GET emergency/rollback-verification: the seed's summary, field for field. */
int plant_api_rollback_verification(const plant_request *rq, json_t **resp) {
  const plant_world *w = rq->w;
  bool healthy = !(plant_answerer_effects(w, rq->who) & PLANT_BIT(PLANT_EFFECT_UNHEALTHY));
  json_t *alarms = plant_alarms(w);
  size_t nalarms = json_array_size(alarms), critical = plant_critical_alarms(alarms);
  json_decref(alarms);
  int lost = heat_loss_count(w);
  *resp = json_pack(
      "{s:s s:{s:b s:b s:i} s:{s:I s:s s:s} s:{s:I s:I s:b} s:{s:s s:f} s:{s:I s:b}}",
      "rollback_status", rollback_status(w, healthy, nalarms), "heat_status", "all_plants_ok",
      all_plants_ok(w), "critical_heat_restored", lost == 0, "heat_loss_count", lost,
      "master_orchestrator", "pods_running", (json_int_t)rq->who->pods.len, "health",
      healthy ? "healthy" : "unhealthy", "version", plant_answer_version(rq->who), "sub_agents",
      "total", (json_int_t)w->s.nagents, "connected", (json_int_t)plant_agents_connected(w),
      "coordination_ok", coordination_ok(w), "optimization", "heat_distribution",
      plant_optimization_status(w), "efficiency", plant_mean_efficiency(w), "safety",
      "alarms_active", (json_int_t)nalarms, "safety_systems_ok", critical == 0);
  return 200;
}

/* The eight checks of the post-rollback suite, once: X(name, title, fails the suite?). */
#define PLANT_CHECKS(X)                                                                           \
  X(master_health, "master orchestrator health", true)                                          \
  X(pods_running, "all master pods running", true)                                              \
  X(heat_status, "no heat loss at any plant", true)                                             \
  X(agent_coordination, "sub-agents connected (at least 94 of 99)", false)                                    \
  X(heat_optimization, "heat distribution optimization optimal/converged", false)               \
  X(database, "database connectivity", true)                                                    \
  X(message_bus, "message bus health", true)                                                    \
  X(safety_alarms, "no active safety alarms", false)

enum {
#define X(n, t, c) CHECK_##n,
  PLANT_CHECKS(X)
#undef X
  CHECK_COUNT
};

/* Fills ok[] and detail[] (new strings) with the result of every check, in PLANT_CHECKS order. */
static void run_checks(const plant_request *rq, bool ok[CHECK_COUNT], json_t *detail[CHECK_COUNT]) {
  const plant_world *w = rq->w;
  unsigned fx = plant_answerer_effects(w, rq->who);
  const char *why = "ok";
  json_t *alarms = plant_alarms(w);
  size_t connected = plant_agents_connected(w), nalarms = json_array_size(alarms);
  json_decref(alarms);
  ok[CHECK_master_health] = !(fx & PLANT_BIT(PLANT_EFFECT_UNHEALTHY));
  ok[CHECK_pods_running] = (int64_t)rq->who->pods.len >= w->s.expected_replicas;
  ok[CHECK_heat_status] = heat_loss_count(w) == 0;
  ok[CHECK_agent_coordination] = connected * 99 >= 94 * w->s.nagents; /* 94 of 99 */
  ok[CHECK_heat_optimization] = optimization_ok(w);
  ok[CHECK_database] = plant_db_ok(w, rq->who, &why);
  ok[CHECK_message_bus] = !(fx & PLANT_BIT(PLANT_EFFECT_MESSAGE_BUS));
  ok[CHECK_safety_alarms] = nalarms == 0;
  detail[CHECK_master_health] = json_string(ok[CHECK_master_health] ? "healthy" : "unhealthy");
  detail[CHECK_pods_running] = json_sprintf("%zu/%lld pods running", rq->who->pods.len,
                           (long long)w->s.expected_replicas);
  detail[CHECK_heat_status] = json_sprintf("%d plants with heat loss", heat_loss_count(w));
  detail[CHECK_agent_coordination] = json_sprintf("%zu/%zu agents connected", connected, w->s.nagents);
  detail[CHECK_heat_optimization] = json_sprintf("optimization %s", plant_optimization_status(w));
  detail[CHECK_database] = json_string(ok[CHECK_database] ? "connected" : why);
  detail[CHECK_message_bus] = json_string(ok[CHECK_message_bus] ? "healthy" : "unhealthy");
  detail[CHECK_safety_alarms] = json_sprintf("%zu active safety alarms", nalarms);
}

/* POST test/post-rollback-verification: 200 when every critical check passes, else 500. */
int plant_api_post_rollback(const plant_request *rq, json_t **resp) {
  static const struct {
    const char *name, *title;
    bool critical;
  } checks[] = {
#define X(n, t, c) {#n, t, c},
      PLANT_CHECKS(X)
#undef X
  };
  bool ok[CHECK_COUNT];
  json_t *detail[CHECK_COUNT];
  run_checks(rq, ok, detail);
  json_t *results = json_array(), *failures = json_array(), *warnings = json_array();
  for (size_t i = 0; i < CHECK_COUNT; i++) {
    json_array_append_new(results, json_pack("{s:s s:s s:b s:s s:o}", "check", checks[i].name,
                                             "title", checks[i].title, "passed", ok[i], "severity",
                                             checks[i].critical ? "critical" : "warning", "detail",
                                             detail[i]));
    if (!ok[i]) json_array_append_new(checks[i].critical ? failures : warnings,
                                      json_string(checks[i].name));
  }
  bool passed = json_array_size(failures) == 0;
  *resp = json_pack("{s:s s:o s:o s:o}", "status", passed ? "passed" : "failed", "checks", results,
                    "failures", failures, "warnings", warnings);
  return passed ? 200 : 500;
}
