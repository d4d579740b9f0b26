/* plant_api_agents.c — the sub-agents' endpoints, optimization status and safety alarms. */
#include <string.h>
#include <strings.h>

#include "plant_internal.h"
#include "sim_util.h"

/* Returns true when group g lists agent id ("GL-002" matches "gl-002"). */
static bool group_has(const plant_group *g, const char *id) {
  size_t i;
  json_t *a;
  json_array_foreach(g->agents, i, a) {
    if (json_is_string(a) && strcasecmp(json_string_value(a), id) == 0) return true;
  }
  return false;
}

/* Returns the epoch seconds of group g's deployment. */
static int64_t group_time(const plant_world *w, const plant_group *g) {
  return g->relative ? w->start_ms / 1000 - g->age_s : g->time_s;
}

/* Returns the epoch seconds at which agent i was last deployed. */
static int64_t agent_deployed_s(const plant_world *w, size_t i) {
  if (w->agents[i].changed_s >= 0) return w->agents[i].changed_s;
  int64_t best = INT64_MIN;
  for (size_t g = 0; g < w->s.ngroups; g++) {
    int64_t t = group_time(w, &w->s.groups[g]);
    if (group_has(&w->s.groups[g], w->s.agents[i].id) && t > best) best = t;
  }
  return best != INT64_MIN ? best : w->start_ms / 1000 - w->s.agent_age_s;
}

/* Returns the version agent i runs now. */
static const char *agent_version(const plant_world *w, size_t i) {
  return w->agents[i].version ? w->agents[i].version : w->s.agent_version;
}

/* GET agents/status: {total, connected, agents: [{agent_id, plant_id, status, version, …}]}. */
int plant_api_agents_status(const plant_request *rq, json_t **resp) {
  const plant_world *w = rq->w;
  json_t *arr = json_array();
  for (size_t i = 0; i < w->s.nagents; i++) {
    const plant_agent_spec *a = &w->s.agents[i];
    json_array_append_new(arr, json_pack("{s:s s:s s:s s:s s:s?}", "agent_id", a->id, "plant_id",
                                         w->s.plants[a->plant].id, "status",
                                         plant_agent_connected(w, i) ? "connected" : "disconnected",
                                         "version", agent_version(w, i), "deployment",
                                         a->deployment));
  }
  *resp = json_pack("{s:I s:I s:o}", "total", (json_int_t)w->s.nagents, "connected",
                    (json_int_t)plant_agents_connected(w), "agents", arr);
  return 200;
}

/* GET agents/versions: {agents: [{agent_id, version, deployment_time (epoch s), …}]}. */
int plant_api_agents_versions(const plant_request *rq, json_t **resp) {
  const plant_world *w = rq->w;
  json_t *arr = json_array();
  for (size_t i = 0; i < w->s.nagents; i++) {
    int64_t t = agent_deployed_s(w, i);
    char ts[32];
    sim_util_time_rfc3339(t * 1000, ts);
    json_array_append_new(arr, json_pack("{s:s s:s s:I s:s s:s s:s?}", "agent_id",
                                         w->s.agents[i].id, "version", agent_version(w, i),
                                         "deployment_time", (json_int_t)t, "deployed_at", ts,
                                         "plant_id", w->s.plants[w->s.agents[i].plant].id,
                                         "deployment", w->s.agents[i].deployment));
  }
  *resp = json_pack("{s:o}", "agents", arr);
  return 200;
}

/* GET agents/deployment-groups: {deployment_groups: [{deployment_id, agents, deployment_time}]}. */
int plant_api_deployment_groups(const plant_request *rq, json_t **resp) {
  json_t *arr = json_array();
  for (size_t g = 0; g < rq->w->s.ngroups; g++) {
    const plant_group *grp = &rq->w->s.groups[g];
    int64_t t = group_time(rq->w, grp);
    char ts[32];
    sim_util_time_rfc3339(t * 1000, ts);
    json_array_append_new(arr, json_pack("{s:s s:O s:I s:s}", "deployment_id", grp->id, "agents",
                                         grp->agents, "deployment_time", (json_int_t)t,
                                         "deployed_at", ts));
  }
  *resp = json_pack("{s:o}", "deployment_groups", arr);
  return 200;
}

/* Returns the mean efficiency of the plants (one decimal). */
double plant_mean_efficiency(const plant_world *w) {
  double sum = 0;
  for (int p = 0; p < PLANT_COUNT; p++) sum += plant_efficiency(w, p);
  return plant_round1(sum / PLANT_COUNT);
}

/* GET optimization/heat-distribution/status: {optimization_status, efficiency, …}. */
int plant_api_optimization(const plant_request *rq, json_t **resp) {
  int normal = 0;
  for (int p = 0; p < PLANT_COUNT; p++) normal += strcmp(plant_heat_status(rq->w, p), "normal") == 0;
  *resp = json_pack("{s:s s:f s:i s:i}", "optimization_status",
                    plant_optimization_status(rq->w), "efficiency", plant_mean_efficiency(rq->w),
                    "plants_optimized", normal, "total_plants", PLANT_COUNT);
  return 200;
}

/* Returns the number of critical alarms in arr. */
size_t plant_critical_alarms(const json_t *arr) {
  size_t i, n = 0;
  json_t *a;
  json_array_foreach(arr, i, a) {
    const char *sev = json_string_value(json_object_get(a, "severity"));
    n += sev && strcmp(sev, "critical") == 0;
  }
  return n;
}

/* GET safety/alarms: {active_alarms: [...], count, safety_systems_ok}. */
int plant_api_alarms(const plant_request *rq, json_t **resp) {
  json_t *alarms = plant_alarms(rq->w);
  size_t n = json_array_size(alarms);
  *resp = json_pack("{s:o s:I s:b}", "active_alarms", alarms, "count", (json_int_t)n,
                    "safety_systems_ok", plant_critical_alarms(alarms) == 0);
  return 200;
}
