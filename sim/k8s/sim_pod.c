/* sim_pod.c — pods: creation from templates, graceful deletion, and the kubelet's view of their
 * status over time. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_pod.h"

/* Returns true when the pod is Ready. */
bool sim_pod_ready(const json_t *pod) {
  size_t i;
  json_t *c;
  json_array_foreach(sim_util_jpath(pod, "status.conditions"), i, c)
    if (!strcmp(sim_util_jstr(c, "type", ""), "Ready")) return !strcmp(sim_util_jstr(c, "status", ""), "True");
  return false;
}

/* Returns true when the pod is being deleted. */
bool sim_pod_terminating(const json_t *pod) { return sim_util_jpath(pod, "metadata.deletionTimestamp") != NULL; }

/* Returns true when the pod belongs to a deployment whose new pods are stuck by a fault. */
static bool stuck(sim_world *w, simr_kind owner_res, const json_t *owner) {
  if (owner_res != SIMR_REPLICASETS || !owner) return false;
  const char *rs = sim_util_jstr(owner, "metadata.name", "");
  size_t i;
  json_t *d;
  json_array_foreach(w->faults.stuck, i, d) {
    size_t n = strlen(json_string_value(d) ? json_string_value(d) : "");
    if (n && !strncmp(rs, json_string_value(d), n) && rs[n] == '-' && strlen(rs + n + 1) == 10) return true;
  }
  return false;
}

/* Returns the job rule matching the pod template's command/args/image, or NULL. */
static const json_t *job_rule(sim_world *w, const json_t *tmpl) {
  char *text = sim_util_canonical(sim_util_jpath(tmpl, "spec.containers"));
  const json_t *found = NULL;
  size_t i;
  json_t *r;
  json_array_foreach(w->job_rules, i, r) {
    const char *m = sim_util_jstr(r, "match", "");
    if (text && strstr(text, m)) {
      found = r;
      break;
    }
  }
  free(text);
  return found;
}

/* Builds the runtime record of a new pod. */
static json_t *new_rt(sim_world *w, simr_kind owner_res, const json_t *owner, const json_t *tmpl) {
  int64_t created = w->now, born;
  const char *since = sim_util_jstr(owner_res == SIMR_PODS || !owner ? tmpl : owner, "metadata.creationTimestamp", NULL);
  if (w->booting) created = since && sim_util_time_parse(since, &born) && born - w->epoch_ms < w->now ? born - w->epoch_ms : w->now - 3600000;
  json_t *rt = json_pack("{s:I,s:I}", "created", (json_int_t)created, "ip", (json_int_t)(json_object_size(w->pod_rt) % 250 + 2));
  if (!w->booting && stuck(w, owner_res, owner)) json_object_set_new(rt, "never_ready", json_true());
  if (owner_res == SIMR_JOBS) {
    const json_t *rule = job_rule(w, tmpl);
    json_object_set_new(rt, "job", json_true());
    json_object_set_new(rt, "duration", json_integer(sim_util_json_duration(json_object_get(rule, "duration"), w->timing.job_duration)));
    if (rule && json_object_get(rule, "exit")) json_object_set(rt, "preset_exit", json_object_get(rule, "exit"));
    if (rule && json_object_get(rule, "logs")) json_object_set(rt, "preset_logs", json_object_get(rule, "logs"));
  }
  return rt;
}

/* The ServiceAccount admission plugin: returns true when the template's serviceAccountName exists
 * in ns ("default", which every namespace has, and none always pass); else records the owner's
 * controller's FailedCreate event with the API server's 403 words, retries in 10 s (as the
 * controllers requeue) and returns false. */
static bool service_account_admits(sim_world *w, simr_kind owner_res, const json_t *owner, const json_t *tmpl) {
  const char *sa = sim_util_jstr(tmpl, "spec.serviceAccountName", ""), *ns = sim_util_jstr(owner, "metadata.namespace", "default");
  if (!*sa || !strcmp(sa, "default") || sim_store_get(&w->st, SIMR_SERVICEACCOUNTS, ns, sa)) return true;
  sim_world_event(w, owner_res, owner, "Warning", "FailedCreate", owner_res == SIMR_JOBS ? "job-controller" : "replicaset-controller",
                  "Error creating: pods \"%s-\" is forbidden: error looking up service account %s/%s: serviceaccount \"%s\" not found",
                  sim_util_jstr(owner, "metadata.name", "pod"), ns, sa, sa);
  simw_wake_at(w, w->now + 10000);
  return false;
}

/* Creates a pod from a template for an owner (RS or Job); returns the stored pod, or NULL (a
 * ServiceAccount that does not exist: the FailedCreate event is recorded). */
const json_t *sim_pod_create(sim_world *w, simr_kind owner_res, const json_t *owner, const json_t *tmpl) {
  char suffix[6], name[300];
  const char *base = sim_util_jstr(owner, "metadata.name", "pod"), *ns = sim_util_jstr(owner, "metadata.namespace", "default");
  if (!service_account_admits(w, owner_res, owner, tmpl)) return NULL;
  do {
    sim_util_safe_encode(sim_util_rng_next(&w->rng), suffix, 5);
    snprintf(name, sizeof name, "%s-%s", base, suffix);
  } while (sim_store_get(&w->st, SIMR_PODS, ns, name));
  json_t *meta = json_deep_copy(json_object_get(tmpl, "metadata"));
  if (!json_is_object(meta)) meta = json_object();
  json_object_del(meta, "creationTimestamp");
  sim_util_jset_str(meta, "name", name);
  sim_util_jset_str(meta, "generateName", base);
  sim_util_jset_str(meta, "namespace", ns);
  json_object_set_new(meta, "ownerReferences", json_pack("[o]", sim_world_owner_ref(owner_res, owner)));
  json_t *spec = json_deep_copy(json_object_get(tmpl, "spec"));
  if (!json_is_object(spec)) spec = json_object();
  if (!json_object_get(spec, "restartPolicy")) sim_util_jset_str(spec, "restartPolicy", "Always");
  if (!json_object_get(spec, "terminationGracePeriodSeconds"))
    json_object_set_new(spec, "terminationGracePeriodSeconds", json_integer(30));
  sim_util_jset_str(spec, "nodeName", "sim-node-1");
  json_t *pod = json_pack("{s:s,s:s,s:o,s:o,s:{s:s,s:s}}", "apiVersion", "v1", "kind", "Pod", "metadata", meta, "spec",
                          spec, "status", "phase", "Pending", "qosClass", "BestEffort");
  char *key = sim_store_key(SIMR_PODS, ns, name), ts[32];
  json_t *rt = new_rt(w, owner_res, owner, tmpl);
  sim_util_time_rfc3339(simw_wall(w, sim_util_jint(rt, "created", w->now)), ts);
  sim_util_jset_str(json_object_get(pod, "metadata"), "creationTimestamp", ts);
  json_object_set_new(w->pod_rt, key, rt);
  free(key);
  const json_t *stored = sim_store_create(&w->st, SIMR_PODS, pod, simw_wall(w, w->now));
  if (stored && !w->booting)
    sim_world_event(w, SIMR_PODS, stored, "Normal", "Scheduled", "default-scheduler", "Successfully assigned %s/%s to sim-node-1",
                    ns, name);
  return stored;
}

/* Removes a pod and its runtime record. */
static void pod_remove(sim_world *w, const json_t *pod) {
  const char *ns = sim_util_jstr(pod, "metadata.namespace", "default"), *name = sim_util_jstr(pod, "metadata.name", "");
  char *key = sim_store_key(SIMR_PODS, ns, name);
  json_object_del(w->pod_rt, key);
  free(key);
  sim_store_delete(&w->st, SIMR_PODS, ns, name);
}

/* Starts the graceful deletion of a pod (grace_ms < 0: the pod's own grace period). */
const json_t *sim_pod_delete(sim_world *w, const json_t *pod, int64_t grace_ms) {
  if (grace_ms < 0) grace_ms = sim_util_secs_to_ms(sim_util_jint(pod, "spec.terminationGracePeriodSeconds", 30));
  json_t *rt = sim_pod_rt(w, pod);
  const char *phase = sim_util_jstr(pod, "status.phase", "");
  if (grace_ms == 0 || !rt || !strcmp(phase, "Succeeded") || !strcmp(phase, "Failed") || !strcmp(phase, "Pending")) {
    pod_remove(w, pod);
    return NULL;
  }
  if (sim_pod_terminating(pod)) return pod;
  int64_t stop = grace_ms < w->timing.stop ? grace_ms : w->timing.stop;
  json_object_set_new(rt, "remove_at", json_integer(w->now + stop));
  json_t *c = json_deep_copy(pod), *meta = sim_util_jobj(c, "metadata");
  char ts[32];
  sim_util_time_rfc3339(simw_wall(w, w->now + grace_ms), ts);
  sim_util_jset_str(meta, "deletionTimestamp", ts);
  json_object_set_new(meta, "deletionGracePeriodSeconds", json_integer(grace_ms / 1000));
  size_t i;
  json_t *ct;
  json_array_foreach(sim_util_jpath(pod, "spec.containers"), i, ct)
    sim_world_event(w, SIMR_PODS, pod, "Normal", "Killing", "kubelet", "Stopping container %s", sim_util_jstr(ct, "name", ""));
  simw_wake_at(w, w->now + stop);
  return sim_store_update(&w->st, SIMR_PODS, c);
}

/* Decides a finished job container's exit code and logs: a scenario rule, else the plant's answer
 * to the container's command, else success. */
static void decide_job(sim_world *w, const json_t *pod, json_t *rt) {
  if (json_object_get(rt, "exit") || !json_is_true(json_object_get(rt, "job"))) return;
  int64_t end = sim_util_jint(rt, "created", 0) + w->timing.schedule + w->timing.pull + w->timing.start +
                sim_util_jint(rt, "duration", w->timing.job_duration);
  if (w->now < end) {
    simw_recheck_at(w, end);
    return;
  }
  json_t *c = json_array_get(sim_util_jpath(pod, "spec.containers"), 0);
  const char *argv[64];
  size_t n = 0, i;
  json_t *a;
  json_array_foreach(json_object_get(c, "command"), i, a) if (n < 63 && json_is_string(a)) argv[n++] = json_string_value(a);
  json_array_foreach(json_object_get(c, "args"), i, a) if (n < 63 && json_is_string(a)) argv[n++] = json_string_value(a);
  argv[n] = NULL;
  char *out = NULL, *err = NULL;
  int status = 0;
  if (json_object_get(rt, "preset_exit")) status = (int)sim_util_jint(rt, "preset_exit", 0);
  else if (n && w->plant)
    status = plant_exec(w->plant, &w->view, simw_wall(w, w->now), sim_util_jstr(pod, "metadata.namespace", ""),
                        sim_util_jstr(pod, "metadata.name", ""), argv, &out, &err);
  if (status == 127 && !json_object_get(rt, "preset_exit")) status = 0;
  const char *preset = sim_util_jstr(rt, "preset_logs", NULL);
  char *logs = preset ? strdup(preset) : strutil_printf("%s%s", out ? out : "", err ? err : "");
  json_object_set_new(rt, "exit", json_integer(status));
  json_object_set_new(rt, "logs", json_string(logs ? logs : ""));
  json_object_set_new(rt, "logs_at", json_integer(end)); /* written as it ended: logs(since:) */
  free(out), free(err), free(logs);
}

/* Returns a condition object. */
static json_t *cond(sim_world *w, const char *type, bool ok, int64_t since) {
  char ts[32];
  sim_util_time_rfc3339(simw_wall(w, since), ts);
  return json_pack("{s:s,s:s,s:n,s:s}", "type", type, "status", ok ? "True" : "False", "lastProbeTime",
                   "lastTransitionTime", ts);
}

/* The kubelet: moves one Pod through its phases and container states at w->now. */
void sim_pod_sync(sim_world *w, const json_t *pod) {
  json_t *rt = sim_pod_rt(w, pod);
  if (!rt) {
    char *key = sim_store_key(SIMR_PODS, sim_util_jstr(pod, "metadata.namespace", "default"), sim_util_jstr(pod, "metadata.name", ""));
    json_object_set_new(w->pod_rt, key, rt = new_rt(w, SIMR_PODS, NULL, pod));
    free(key);
  }
  if (json_is_integer(json_object_get(rt, "remove_at"))) {
    if (w->now >= sim_util_jint(rt, "remove_at", 0)) return pod_remove(w, pod);
    simw_wake_at(w, sim_util_jint(rt, "remove_at", 0));
  }
  decide_job(w, pod, rt);
  json_t *statuses = json_array(), *stages = sim_util_jobj(rt, "stages");
  bool all_ready = true, any_started = false, all_done = true, failed = false;
  int64_t created = sim_util_jint(rt, "created", 0), ready_since = created;
  size_t i;
  json_t *c;
  json_array_foreach(sim_util_jpath(pod, "spec.containers"), i, c) {
    simpod_cstate cs;
    sim_pod_container_at(w, pod, rt, c, w->now, &cs);
    if (sim_pod_terminating(pod)) cs.ready = false;
    sim_pod_events(w, pod, c, sim_util_jstr(stages, sim_util_jstr(c, "name", ""), ""), cs.stage);
    sim_util_jset_str(stages, sim_util_jstr(c, "name", ""), cs.stage);
    /* a container that ran before (a crash loop's back-off) keeps the pod Running, as the kubelet does */
    all_ready &= cs.ready, any_started |= cs.started || cs.terminated || cs.restarts > 0, all_done &= cs.terminated;
    failed |= cs.terminated && cs.exit_code;
    if (cs.ready_since > ready_since) ready_since = cs.ready_since;
    simw_wake_at(w, cs.next);
    char ip[64];
    snprintf(ip, sizeof ip, "sha256:%08x", sim_util_fnv32(sim_util_jstr(c, "image", ""), strlen(sim_util_jstr(c, "image", "")), SIMU_FNV32_INIT));
    json_t *s = json_pack("{s:s,s:o,s:s,s:s,s:b,s:i,s:b}", "name", sim_util_jstr(c, "name", ""), "state", cs.state, "image",
                          sim_util_jstr(c, "image", ""), "imageID", ip, "ready", cs.ready, "restartCount", cs.restarts,
                          "started", cs.started);
    json_object_set_new(s, "lastState", cs.last_state ? cs.last_state : json_object());
    json_array_append_new(statuses, s);
  }
  json_t *st = json_object();
  const char *phase = all_done && json_array_size(statuses) ? (failed ? "Failed" : "Succeeded") : any_started ? "Running" : "Pending";
  char ipbuf[32], start[32];
  snprintf(ipbuf, sizeof ipbuf, "10.244.0.%lld", (long long)sim_util_jint(rt, "ip", 2));
  sim_util_time_rfc3339(simw_wall(w, created + w->timing.schedule), start);
  json_object_set_new(st, "phase", json_string(phase));
  json_object_set_new(st, "conditions", json_pack("[o,o,o,o,o]", cond(w, "PodReadyToStartContainers", any_started, created),
                                                  cond(w, "Initialized", true, created), cond(w, "Ready", all_ready, ready_since),
                                                  cond(w, "ContainersReady", all_ready, ready_since),
                                                  cond(w, "PodScheduled", true, created)));
  json_object_set_new(st, "hostIP", json_string("10.0.0.10"));
  json_object_set_new(st, "podIP", json_string(ipbuf));
  json_object_set_new(st, "podIPs", json_pack("[{s:s}]", "ip", ipbuf));
  json_object_set_new(st, "startTime", json_string(start));
  json_object_set_new(st, "containerStatuses", statuses);
  json_object_set_new(st, "qosClass", json_string("BestEffort"));
  sim_world_write_status(w, SIMR_PODS, pod, st);
}
