/* sim_world_job.c — the Job controller: pods until completions succeed, backoffLimit failures
 * (BackoffLimitExceeded) or activeDeadlineSeconds (DeadlineExceeded); ttlSecondsAfterFinished
 * deletes a finished Job with its pods. */
#include <stdlib.h>
#include <string.h>

#include "sim_pod.h"

/* Counts of a job's pods. */
typedef struct {
  int active, ready, succeeded, failed;
} jcounts;

/* Returns the counts over the job's pods. */
static jcounts count_pods(const json_t *pods) {
  jcounts c = {0};
  size_t i;
  json_t *p;
  json_array_foreach(pods, i, p) {
    const char *phase = sim_util_jstr(p, "status.phase", "");
    if (!strcmp(phase, "Succeeded")) c.succeeded++;
    else if (!strcmp(phase, "Failed")) c.failed++;
    else if (!sim_pod_terminating(p)) c.active++, c.ready += sim_pod_ready(p);
  }
  return c;
}

/* Creates one pod for the job, labelled as the job controller does; returns false when refused. */
static bool create_pod(sim_world *w, const json_t *job) {
  json_t *tmpl = json_deep_copy(sim_util_jpath(job, "spec.template"));
  if (!json_is_object(tmpl)) tmpl = json_object();
  json_t *labels = sim_util_jobj(sim_util_jobj(tmpl, "metadata"), "labels");
  const char *name = sim_util_jstr(job, "metadata.name", ""), *uid = sim_util_jstr(job, "metadata.uid", "");
  sim_util_jset_str(labels, "batch.kubernetes.io/job-name", name);
  sim_util_jset_str(labels, "job-name", name);
  sim_util_jset_str(labels, "batch.kubernetes.io/controller-uid", uid);
  sim_util_jset_str(labels, "controller-uid", uid);
  json_t *spec = sim_util_jobj(tmpl, "spec");
  if (!json_object_get(spec, "restartPolicy")) sim_util_jset_str(spec, "restartPolicy", "Never");
  const json_t *pod = sim_pod_create(w, SIMR_JOBS, job, tmpl);
  if (pod)
    sim_world_event(w, SIMR_JOBS, job, "Normal", "SuccessfulCreate", "job-controller", "Created pod: %s",
                    sim_util_jstr(pod, "metadata.name", ""));
  json_decref(tmpl);
  return pod != NULL;
}

/* Returns a Job condition. */
static json_t *condition(const char *type, const char *reason, const char *msg, const char *now) {
  return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "type", type, "status", "True", "lastProbeTime", now,
                   "lastTransitionTime", now, "reason", reason, "message", msg);
}

/* Returns true when the job has a finished condition. */
static bool finished(const json_t *job) {
  size_t i;
  json_t *c;
  json_array_foreach(sim_util_jpath(job, "status.conditions"), i, c) {
    const char *t = sim_util_jstr(c, "type", "");
    if ((!strcmp(t, "Complete") || !strcmp(t, "Failed")) && !strcmp(sim_util_jstr(c, "status", ""), "True")) return true;
  }
  return false;
}

/* Sets status[key] to n, or removes it when zero. */
static void set_count(json_t *st, const char *key, int n) {
  if (n) json_object_set_new(st, key, json_integer(n));
  else json_object_del(st, key);
}

/* Returns the virtual time of a job's RFC 3339 field (dotted path), or -1 when absent. */
static int64_t job_time(const sim_world *w, const json_t *job, const char *path) {
  int64_t t;
  const char *s = sim_util_jstr(job, path, NULL);
  return s && sim_util_time_parse(s, &t) ? t - w->epoch_ms : -1;
}

/* Deletes the job's pods that still run (the controller's answer to a deadline). */
static void kill_active(sim_world *w, const json_t *job) {
  json_t *pods = sim_world_owned(w, SIMR_PODS, sim_util_jstr(job, "metadata.namespace", "default"), sim_util_jstr(job, "metadata.uid", ""));
  size_t i;
  json_t *p;
  json_array_foreach(pods, i, p) {
    const char *phase = sim_util_jstr(p, "status.phase", "");
    if (strcmp(phase, "Succeeded") && strcmp(phase, "Failed") && !sim_pod_terminating(p)) sim_pod_delete(w, p, -1);
  }
  json_decref(pods);
}

/* Returns true when the job's activeDeadlineSeconds passed (else sets a wake-up at it). */
static bool deadline_passed(sim_world *w, const json_t *job) {
  json_int_t ads = sim_util_jint(job, "spec.activeDeadlineSeconds", 0);
  int64_t start = job_time(w, job, "status.startTime");
  if (ads <= 0 || start < 0) return false;
  if (w->now >= start + sim_util_secs_to_ms(ads)) return true;
  simw_wake_at(w, start + sim_util_secs_to_ms(ads));
  return false;
}

/* Syncs one job. */
static void sync_job(sim_world *w, const json_t *job) {
  const char *ns = sim_util_jstr(job, "metadata.namespace", "default");
  json_t *pods = sim_world_owned(w, SIMR_PODS, ns, sim_util_jstr(job, "metadata.uid", ""));
  jcounts c = count_pods(pods);
  json_decref(pods);
  int completions = (int)sim_util_jint(job, "spec.completions", 1), parallelism = (int)sim_util_jint(job, "spec.parallelism", 1);
  int backoff = (int)sim_util_jint(job, "spec.backoffLimit", 6);
  char now[32];
  sim_world_now_text(w, now);
  json_t *st, *cp = sim_world_edit_status(job, &st);
  if (!json_object_get(st, "startTime")) sim_util_jset_str(st, "startTime", now);
  bool done = c.succeeded >= completions, failed = c.failed > backoff;
  bool late = !done && !failed && deadline_passed(w, job);
  if (late) kill_active(w, job), failed = true;
  if (!done && !failed)
    for (int k = c.active; k < parallelism && c.succeeded + k < completions && create_pod(w, job); k++) c.active++;
  set_count(st, "active", done || failed ? 0 : c.active);
  set_count(st, "succeeded", c.succeeded);
  set_count(st, "failed", c.failed);
  json_object_set_new(st, "ready", json_integer(c.ready));
  json_object_set_new(st, "uncountedTerminatedPods", json_object());
  if (done || failed) {
    json_t *conds = json_array();
    if (done) {
      json_array_append_new(conds, condition("SuccessCriteriaMet", "CompletionsReached", "Reached expected number of succeeded pods", now));
      json_array_append_new(conds, condition("Complete", "CompletionsReached", "Reached expected number of succeeded pods", now));
      sim_util_jset_str(st, "completionTime", now);
      sim_world_event(w, SIMR_JOBS, job, "Normal", "Completed", "job-controller", "Job completed");
    } else if (late) {
      const char *why = "Job was active longer than specified deadline";
      json_array_append_new(conds, condition("FailureTarget", "DeadlineExceeded", why, now));
      json_array_append_new(conds, condition("Failed", "DeadlineExceeded", why, now));
      sim_world_event(w, SIMR_JOBS, job, "Warning", "DeadlineExceeded", "job-controller", "%s", why);
    } else {
      json_array_append_new(conds, condition("FailureTarget", "BackoffLimitExceeded", "Job has reached the specified backoff limit", now));
      json_array_append_new(conds, condition("Failed", "BackoffLimitExceeded", "Job has reached the specified backoff limit", now));
      sim_world_event(w, SIMR_JOBS, job, "Warning", "BackoffLimitExceeded", "job-controller", "Job has reached the specified backoff limit");
    }
    json_object_set_new(st, "conditions", conds);
  }
  sim_store_update(&w->st, SIMR_JOBS, cp);
}

/* ttlSecondsAfterFinished: deletes a finished job and its pods when its time is up (else wakes then). */
static void expire(sim_world *w, const json_t *job) {
  json_int_t ttl = sim_util_jint(job, "spec.ttlSecondsAfterFinished", -1);
  if (ttl < 0) return;
  int64_t end = job_time(w, job, "status.completionTime");
  size_t i;
  json_t *c;
  json_array_foreach(sim_util_jpath(job, "status.conditions"), i, c)
    if (end < 0 && !strcmp(sim_util_jstr(c, "type", ""), "Failed")) end = job_time(w, c, "lastTransitionTime");
  if (end < 0) return;
  if (w->now < end + sim_util_secs_to_ms(ttl)) return simw_wake_at(w, end + sim_util_secs_to_ms(ttl));
  const char *ns = sim_util_jstr(job, "metadata.namespace", "default");
  json_t *pods = sim_world_owned(w, SIMR_PODS, ns, sim_util_jstr(job, "metadata.uid", ""));
  json_array_foreach(pods, i, c) sim_pod_delete(w, c, 0);
  json_decref(pods);
  char *name = strdup(sim_util_jstr(job, "metadata.name", ""));
  if (name) sim_store_delete(&w->st, SIMR_JOBS, ns, name);
  free(name);
}

/* The Job controller: syncs one Job's Pods and status at w->now. */
void sim_world_sync_job(sim_world *w, const json_t *job) {
  if (finished(job)) expire(w, job);
  else if (!json_is_true(sim_util_jpath(job, "spec.suspend"))) sync_job(w, job);
}
