/* sim_api_exec.c — the pods/exec subresource as the API server answers it to a client that asks
 * for a WebSocket (kubectl 1.32, rbk's exec): the query names the command (`command=` repeated),
 * the container and the streams; the command runs in the simulated pod at once (sim_exec) and the
 * answer is 101 with what the front door streams on the channel.k8s.io channels. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "grow.h"
#include "sim_api.h"
#include "sim_util.h"

/* The subprotocols served, preferred first (v4 frames like v5, without the close signal). */
static const char *const protocols[] = {"v5.channel.k8s.io", "v4.channel.k8s.io"};

/* Returns the subprotocol to answer from the Sec-WebSocket-Protocol header (static), or NULL. */
static const char *pick_protocol(const char *offered) {
  for (size_t p = 0; offered && p < sizeof protocols / sizeof *protocols; p++) {
    size_t n = strlen(protocols[p]);
    for (const char *s = offered; (s = strstr(s, protocols[p])); s += n)
      if ((s == offered || s[-1] == ' ' || s[-1] == ',') && (!s[n] || s[n] == ',' || s[n] == ' ')) return protocols[p];
  }
  return NULL;
}

/* Returns every decoded `command` value of the query, NULL-terminated (caller frees each and the
 * array); *n gets the count. */
static char **commands(const char *query, size_t *n) {
  char **v = NULL;
  size_t cap = 0;
  *n = 0;
  for (const char *p = query ? query : ""; *p;) {
    size_t len = strcspn(p, "&");
    if (len > 8 && !strncmp(p, "command=", 8) && GROW(v, cap, *n + 2)) v[(*n)++] = sim_util_url_decode(p + 8, len - 8);
    p += len + (p[len] == '&');
  }
  if (!v) v = calloc(1, sizeof *v);
  else v[*n] = NULL;
  return v;
}

/* Returns the channel 3 Status for an exit code (caller frees), as the kubelet writes it. */
static char *exit_status(int status, char *const *argv) {
  json_t *st;
  if (!status) {
    st = json_pack("{s{}ss}", "metadata", "status", "Success");
  } else {
    json_t *cmd = json_array();
    for (size_t i = 0; argv[i]; i++) json_array_append_new(cmd, json_string(argv[i]));
    char *shown = json_dumps(cmd, JSON_COMPACT), code[16];
    json_decref(cmd);
    snprintf(code, sizeof code, "%d", status);
    char *msg = strutil_printf("command terminated with non-zero exit code: error executing command %s, exit code %d",
                               shown ? shown : "[]", status);
    st = json_pack("{s{}sssssss{s[{ssss}]}}", "metadata", "status", "Failure", "message", msg ? msg : "", "reason",
                   "NonZeroExitCode", "details", "causes", "reason", "ExitCode", "message", code);
    free(shown), free(msg);
  }
  char *text = json_dumps(st, JSON_COMPACT);
  json_decref(st);
  return text;
}

/* Returns true when the query's boolean option is set ("true" or "1"); dflt when absent. */
static bool flag(const api_call *c, const char *key, bool dflt) {
  char *v = sim_api_query(c, key);
  bool on = v ? !strcmp(v, "true") || !strcmp(v, "1") : dflt;
  free(v);
  return on;
}

/* Answers pods/x/exec. */
void sim_api_exec(api_call *c) {
  const char *upgrade = sim_api_header(c->req, "Upgrade");
  const char *proto = pick_protocol(sim_api_header(c->req, "Sec-WebSocket-Protocol"));
  size_t argc;
  char **argv = commands(c->req->query, &argc), *container = sim_api_query(c, "container");
  char *out = NULL, *err = NULL;
  sim_exec_answer *a = NULL;
  if (!argc) {
    sim_api_fail(c->resp, SIMST_BAD_REQUEST, "you must specify at least 1 command");
  } else if (!sim_store_get(&c->w->st, SIMR_PODS, c->ns, c->name)) {
    sim_api_status(c->resp, sim_status_not_found(SIMR_PODS, c->name));
  } else if (!upgrade || strcasecmp(upgrade, "websocket") || !proto) {
    /* as the API server's proxy to the kubelet: the pod is found first, and a request that is not
     * an upgrade runs nothing */
    sim_api_fail(c->resp, SIMST_BAD_REQUEST, "Upgrade request required");
  } else {
    int status = sim_exec(c->w, c->ns, c->name, container, (const char *const *)argv, &out, &err);
    if (status < 0) sim_api_fail(c->resp, SIMST_BAD_REQUEST, err ? err : "cannot exec in the pod");
    else if ((a = calloc(1, sizeof *a))) {
      *a = (sim_exec_answer){out, err, flag(c, "stdout", true), flag(c, "stderr", true), exit_status(status, argv), status, proto};
      out = err = NULL;
      c->resp->status = 101, c->resp->exec = a;
    } else {
      sim_api_fail(c->resp, SIMST_INTERNAL, "out of memory");
    }
  }
  free(out), free(err), free(container);
  for (size_t i = 0; i < argc; i++) free(argv[i]);
  free(argv);
}
