/* sim_pod_state.c — a container's state as a function of time: starting, running, ready, image
 * pull failures, crash loops with back-off, and job containers that finish. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_pod.h"

/* Returns the pod's runtime record (borrowed) or NULL. */
json_t *sim_pod_rt(sim_world *w, const json_t *pod) {
  char *key = sim_store_key(SIMR_PODS, sim_util_jstr(pod, "metadata.namespace", "default"), sim_util_jstr(pod, "metadata.name", ""));
  json_t *rt = key ? json_object_get(w->pod_rt, key) : NULL;
  free(key);
  return rt;
}

/* Returns the fault that applies to an image in this pod ("" when none). */
static const char *sim_pod_fault(sim_world *w, const json_t *rt, const char *image) {
  const char *f = sim_util_jstr(json_object_get(w->images, image ? image : ""), "fault", NULL);
  if (f) return f;
  return json_is_true(json_object_get(rt, "never_ready")) ? "NeverReady" : "";
}

/* Returns the RFC 3339 text of virtual time t as a new JSON string. */
static json_t *when(sim_world *w, int64_t t) {
  char buf[32];
  sim_util_time_rfc3339(simw_wall(w, t), buf);
  return json_string(buf);
}

/* Sets a waiting state. */
static void waiting(simpod_cstate *cs, const char *reason, const char *msg) {
  cs->state = msg ? json_pack("{s:{s:s,s:s}}", "waiting", "reason", reason, "message", msg)
                  : json_pack("{s:{s:s}}", "waiting", "reason", reason);
  cs->stage = reason;
}

/* A container that can never be created (a bad image reference or a missing ConfigMap/Secret key):
 * ContainerCreating, then waiting with `reason` for ever. */
static void config_failure(sim_world *w, const char *image, const char *reason, const char *why, int64_t at,
                           int64_t t, simpod_cstate *cs) {
  (void)w;
  if (t < at) {
    cs->next = at;
    waiting(cs, "ContainerCreating", NULL);
    cs->stage = "Creating";
    return;
  }
  char *msg = why                               ? strdup(why)
              : !strcmp(reason, "InvalidImageName")
                  ? strutil_printf("Failed to apply default image tag \"%s\": couldn't parse image name", image)
                  : strutil_printf("couldn't find key in ConfigMap for image \"%s\"", image);
  waiting(cs, reason, msg);
  free(msg);
}

/* Returns the kubelet's message for the first env secretKeyRef of container c whose Secret or key
 * is missing (caller frees), or NULL when every one resolves. */
static char *missing_secret(sim_world *w, const json_t *pod, const json_t *c) {
  const char *ns = sim_util_jstr(pod, "metadata.namespace", "default");
  size_t i;
  json_t *e;
  json_array_foreach(json_object_get(c, "env"), i, e) {
    const json_t *ref = sim_util_jpath(e, "valueFrom.secretKeyRef");
    if (!ref || json_is_true(json_object_get(ref, "optional"))) continue;
    const char *name = sim_util_jstr(ref, "name", ""), *key = sim_util_jstr(ref, "key", "");
    const json_t *sec = sim_store_get(&w->st, SIMR_SECRETS, ns, name);
    if (!sec) return strutil_printf("secret \"%s\" not found", name);
    if (!sim_util_jpath(sec, "data") || !json_object_get(sim_util_jpath(sec, "data"), key))
      return strutil_printf("couldn't find key %s in Secret %s/%s", key, ns, name);
  }
  return NULL;
}

/* The image-pull failure: ContainerCreating, ErrImagePull, then ImagePullBackOff for ever. */
static void pull_failure(sim_world *w, const char *image, int64_t pulled, int64_t t, simpod_cstate *cs) {
  char msg[600];
  if (t < pulled) return cs->next = pulled, waiting(cs, "ContainerCreating", NULL), (void)(cs->stage = "Creating");
  if (t < pulled + w->timing.backoff_base) {
    snprintf(msg, sizeof msg, "failed to pull and unpack image \"%s\": failed to resolve reference \"%s\": %s: not found",
             image, image, image);
    cs->next = pulled + w->timing.backoff_base;
    return waiting(cs, "ErrImagePull", msg);
  }
  snprintf(msg, sizeof msg, "Back-off pulling image \"%s\"", image);
  waiting(cs, "ImagePullBackOff", msg);
}

/* The crash loop: run for crash_after, exit 1, back off 10s, 20s, … (capped), restart. */
static void crash_loop(sim_world *w, const json_t *pod, const char *name, int64_t start, int64_t t, simpod_cstate *cs) {
  int64_t run = start;
  for (int restarts = 0;; restarts++) {
    int64_t crash = run + w->timing.crash_after;
    if (t < crash) {
      cs->state = json_pack("{s:{s:o}}", "running", "startedAt", when(w, run));
      cs->restarts = restarts, cs->next = crash, cs->stage = "Unready", cs->started = true;
      return;
    }
    int64_t backoff = w->timing.backoff_base;
    for (int i = 0; i < restarts && backoff < w->timing.backoff_max; i++) backoff *= 2;
    if (backoff > w->timing.backoff_max) backoff = w->timing.backoff_max;
    json_decref(cs->last_state);
    cs->last_state = json_pack("{s:{s:i,s:s,s:o,s:o}}", "terminated", "exitCode", 1, "reason", "Error", "startedAt",
                               when(w, run), "finishedAt", when(w, crash));
    if (t < crash + backoff) {
      char msg[400];
      snprintf(msg, sizeof msg, "back-off %llds restarting failed container=%s pod=%s_%s(%s)",
               (long long)(backoff / 1000), name, sim_util_jstr(pod, "metadata.name", ""),
               sim_util_jstr(pod, "metadata.namespace", ""), sim_util_jstr(pod, "metadata.uid", ""));
      waiting(cs, "CrashLoopBackOff", msg);
      cs->restarts = restarts + 1, cs->next = crash + backoff;
      return;
    }
    run = crash + backoff;
  }
}

/* A job container: runs for the job's duration, then terminates with the decided exit code. */
static void job_container(sim_world *w, const json_t *rt, int64_t start, int64_t t, simpod_cstate *cs) {
  int64_t end = start + sim_util_jint(rt, "duration", w->timing.job_duration);
  json_t *exit = json_object_get(rt, "exit");
  if (t < end || !json_is_integer(exit)) {
    cs->state = json_pack("{s:{s:o}}", "running", "startedAt", when(w, start));
    cs->next = end, cs->stage = "Running", cs->started = true;
    return;
  }
  cs->exit_code = (int)json_integer_value(exit);
  cs->state = json_pack("{s:{s:i,s:s,s:o,s:o}}", "terminated", "exitCode", cs->exit_code, "reason",
                        cs->exit_code ? "Error" : "Completed", "startedAt", when(w, start), "finishedAt", when(w, end));
  cs->terminated = true, cs->stage = cs->exit_code ? "Error" : "Completed";
}

/* Computes the state of container c (index i) of a pod at time t. */
void sim_pod_container_at(sim_world *w, const json_t *pod, const json_t *rt, const json_t *c, int64_t t,
                          simpod_cstate *cs) {
  memset(cs, 0, sizeof *cs);
  cs->next = INT64_MAX;
  const char *image = sim_util_jstr(c, "image", ""), *name = sim_util_jstr(c, "name", "");
  const char *fault = sim_pod_fault(w, rt, image);
  int64_t created = sim_util_jint(rt, "created", 0);
  int64_t pulled = created + w->timing.schedule + w->timing.pull, start = pulled + w->timing.start;
  if (!strcmp(fault, "ImagePullBackOff") || !strcmp(fault, "ErrImagePull")) return pull_failure(w, image, pulled, t, cs);
  if (!strcmp(fault, "InvalidImageName") || !strcmp(fault, "CreateContainerConfigError"))
    return config_failure(w, image, fault, NULL, pulled, t, cs);
  char *why = missing_secret(w, pod, c);
  if (why) return config_failure(w, image, "CreateContainerConfigError", why, pulled, t, cs), free(why);
  if (t < start) {
    cs->next = start;
    waiting(cs, "ContainerCreating", NULL);
    cs->stage = "Creating";
    return;
  }
  if (json_is_true(json_object_get(rt, "job"))) return job_container(w, rt, start, t, cs);
  if (!strcmp(fault, "CrashLoopBackOff")) return crash_loop(w, pod, name, start, t, cs);
  cs->state = json_pack("{s:{s:o}}", "running", "startedAt", when(w, start));
  cs->started = true;
  int64_t ready = start + w->timing.ready;
  if (!strcmp(fault, "NeverReady") || t < ready) {
    cs->stage = "Unready";
    if (strcmp(fault, "NeverReady")) cs->next = ready;
    return;
  }
  cs->ready = true, cs->ready_since = ready, cs->stage = "Ready";
}

/* Emits an event on the pod. */
#define POD_EVENT(type, reason, ...) \
  sim_world_event(w, SIMR_PODS, pod, type, reason, "kubelet", __VA_ARGS__)

/* Emits the events for a container moving from stage `from` to `to`. */
void sim_pod_events(sim_world *w, const json_t *pod, const json_t *c, const char *from, const char *to) {
  const char *image = sim_util_jstr(c, "image", ""), *name = sim_util_jstr(c, "name", "");
  if (w->booting || !strcmp(from, to)) return;
  if (!strcmp(to, "ErrImagePull")) {
    POD_EVENT("Normal", "Pulling", "Pulling image \"%s\"", image);
    POD_EVENT("Warning", "Failed", "Failed to pull image \"%s\": rpc error: code = NotFound desc = %s: not found", image, image);
    POD_EVENT("Warning", "Failed", "Error: ErrImagePull");
  } else if (!strcmp(to, "ImagePullBackOff")) {
    POD_EVENT("Normal", "BackOff", "Back-off pulling image \"%s\"", image);
    POD_EVENT("Warning", "Failed", "Error: ImagePullBackOff");
  } else if (!strcmp(to, "InvalidImageName") || !strcmp(to, "CreateContainerConfigError")) {
    POD_EVENT("Warning", "Failed", "Error: %s", to);
  } else if (!strcmp(to, "CrashLoopBackOff")) {
    POD_EVENT("Warning", "BackOff", "Back-off restarting failed container %s in pod %s_%s(%s)", name,
              sim_util_jstr(pod, "metadata.name", ""), sim_util_jstr(pod, "metadata.namespace", ""),
              sim_util_jstr(pod, "metadata.uid", ""));
  } else if ((!strcmp(to, "Unready") || !strcmp(to, "Running") || !strcmp(to, "Ready")) &&
             (!strcmp(from, "Creating") || !strcmp(from, "CrashLoopBackOff") || !*from)) {
    if (strcmp(from, "CrashLoopBackOff")) POD_EVENT("Normal", "Pulled", "Container image \"%s\" already present on machine", image);
    POD_EVENT("Normal", "Created", "Created container: %s", name);
    POD_EVENT("Normal", "Started", "Started container %s", name);
    if (!strcmp(sim_pod_fault(w, sim_pod_rt(w, pod), image), "NeverReady"))
      POD_EVENT("Warning", "Unhealthy", "Readiness probe failed: HTTP probe failed with statuscode: 503");
  }
}
