/* cli_sim.c — `rbk sim`: serve a scenario's simulated cluster over HTTP(S) until SIGINT/SIGTERM.
 * docs/simulator.md describes the options. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "sim.h"
#include "sim_http.h"
#include "sim_util.h"

/* The command line. */
typedef struct {
  const char *listen, *scenario, *cert, *key, *ca, *start_time, *request_log;
  double speed;
  bool has_seed;
  uint64_t seed;
  const char *tokens[32];
  int ntokens;
  const char *token_sa[32]; /* "TOKEN=ns/name" */
  int ntoken_sa;
  bool quiet, list;
} sim_args;

/* The options, once: X(ID, long name, short name, value, help). */
#define SIM_OPTS(X)                                                                                          \
  X(SIM_LISTEN, "listen", 0, "HOST:PORT", "IPv4 address and port; port 0 picks a free one (default 127.0.0.1:0)") \
  X(SIM_SCENARIO, "scenario", 0, "NAME|FILE", "a built-in scenario or a JSON file (default bad-release)")    \
  X(SIM_SPEED, "speed", 0, "X", "virtual time runs X times faster than the wall clock (default 1)")          \
  X(SIM_SEED, "seed", 0, "N", "seeds names, uids and fault draws (default: the scenario's, else 1)")         \
  X(SIM_TLS_CERT, "tls-cert", 0, "FILE", "serve HTTPS with this PEM certificate (with --tls-key)")          \
  X(SIM_TLS_KEY, "tls-key", 0, "FILE", "the PEM key of --tls-cert")                                         \
  X(SIM_CLIENT_CA, "client-ca", 0, "FILE", "accept client certificates that verify against this CA")        \
  X(SIM_TOKEN, "token", 0, "T", "accept only Authorization: Bearer T (repeatable)")                          \
  X(SIM_TOKEN_SA, "token-sa", 0, "T=NS/NAME", "accept Bearer T as ServiceAccount NS/NAME, under RBAC (repeatable)") \
  X(SIM_START_TIME, "start-time", 0, "RFC3339|scenario", "where virtual time 0 sits (default now)")         \
  X(SIM_REQUEST_LOG, "request-log", 0, "FILE", "append every request (METHOD path?query body-sha256) to FILE")  \
  X(SIM_QUIET, "quiet", 0, NULL, "no per-request log on stderr")                                             \
  X(SIM_LIST, "list-scenarios", 0, NULL, "print the built-in scenario names and exit")

enum { SIM_OPTS(CLI_OPTS_ENUM) };
static const cli_opt sim_opts[] = {SIM_OPTS(CLI_OPTS_ROW)};

const cli_opts_spec cli_sim_spec = {
    .name = "sim",
    .operands = "",
    .about = "Serves the simulated cluster over HTTP(S) until SIGINT or SIGTERM; prints its URL on the\n"
             "first line of stdout (docs/simulator.md).",
    .footer = "Exit 0 when stopped, 2 for usage errors, a scenario that cannot be loaded or an address\n"
              "that cannot be served.",
    .opts = sim_opts,
    .nopts = sizeof sim_opts / sizeof *sim_opts,
};

/* The range of `--speed`: at 1,000,000 a day of wall time is 2,700 years of virtual time, and at
 * 0.001 a virtual delay of a century (the longest a scenario gives) is 100,000 centuries of wall
 * time, both far inside an int64 of ms (sim_httpd.c converts them; past them it would overflow). */
#define SIM_SPEED_MIN 1e-3
#define SIM_SPEED_MAX 1e6

/* Reads `--speed X` (all of X: a number from SIM_SPEED_MIN to SIM_SPEED_MAX) into *out; returns
 * CLI_GO_ON or the usage exit code. */
static int take_speed(const char *v, double *out) {
  char *end = NULL;
  errno = 0;
  double x = strtod(v, &end);
  if (end == v || *end || errno || !(x >= SIM_SPEED_MIN && x <= SIM_SPEED_MAX))
    return cli_usage_error("--speed expects a number from 0.001 to 1000000, got", v);
  *out = x;
  return CLI_GO_ON;
}

/* Takes one option (cli_opts_take); returns CLI_GO_ON or the usage exit code. */
static int take_arg(void *ctx, int id, const char *v) {
  sim_args *a = ctx;
  switch (id) {
    case SIM_LISTEN: a->listen = v; break;
    case SIM_SCENARIO: a->scenario = v; break;
    case SIM_SPEED: return take_speed(v, &a->speed);
    case SIM_SEED: return a->has_seed = true, cli_take_seed(v, &a->seed);
    case SIM_TLS_CERT: a->cert = v; break;
    case SIM_TLS_KEY: a->key = v; break;
    case SIM_CLIENT_CA: a->ca = v; break;
    case SIM_TOKEN:
      if (a->ntokens == 32) return cli_usage_error("at most 32 --token options", NULL);
      a->tokens[a->ntokens++] = v;
      break;
    case SIM_TOKEN_SA:
      /* the value is a token: never shown */
      if (!strchr(v, '=')) return cli_usage_error("--token-sa expects TOKEN=NAMESPACE/NAME (its value is not shown)", NULL);
      if (a->ntoken_sa == 32) return cli_usage_error("at most 32 --token-sa options", NULL);
      a->token_sa[a->ntoken_sa++] = v;
      break;
    case SIM_START_TIME: a->start_time = v; break;
    case SIM_REQUEST_LOG: a->request_log = v; break;
    case SIM_QUIET: a->quiet = true; break;
    case SIM_LIST: a->list = true; break;
    case CLI_OPERAND: return cli_usage_error("sim takes no arguments; extra argument", v);
  }
  return CLI_GO_ON;
}

/* Parses the arguments; returns CLI_GO_ON, or the exit code after the help or a usage error. */
static int parse_args(int argc, char **argv, sim_args *a) {
  return cli_opts_parse(&cli_sim_spec, argc, argv, take_arg, a);
}

/* Sets the scenario's start_time: the wall clock now, unless pinned. Returns false on bad input. */
static bool set_start(json_t *scenario, const char *start_time) {
  if (start_time && !strcmp(start_time, "scenario")) return true;
  int64_t ms;
  char buf[32];
  if (start_time && !sim_util_time_parse(start_time, &ms)) return false;
  if (!start_time) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ms = (int64_t)ts.tv_sec * 1000;
  }
  sim_util_time_rfc3339(ms, buf);
  json_object_set_new(scenario, "start_time", json_string(buf));
  return true;
}

/* Builds the world from the arguments; NULL after printing why. */
static sim_world *make_world(const sim_args *a) {
  char *err = NULL;
  json_t *sc = sim_load_scenario(a->scenario ? a->scenario : "bad-release", &err);
  if (sc && !set_start(sc, a->start_time)) err = strutil_printf("--start-time %s: expected RFC 3339 or 'scenario'", a->start_time);
  uint64_t seed = a->has_seed ? a->seed : (uint64_t)sim_util_jint(sc, "seed", 1);
  sim_world *w = sc && !err ? sim_new(sc, seed, &err) : NULL;
  for (int i = 0; w && i < a->ntokens; i++) sim_add_token(w, a->tokens[i]);
  for (int i = 0; w && i < a->ntoken_sa; i++) {
    const char *eq = strchr(a->token_sa[i], '=');
    char *tok = strndup(a->token_sa[i], (size_t)(eq - a->token_sa[i]));
    bool ok = tok && sim_add_token_sa(w, tok, eq + 1);
    free(tok);
    if (!ok && !err) err = strutil_printf("--token-sa …=%s: expected TOKEN=NAMESPACE/NAME", eq + 1); /* not the token */
    if (!ok) sim_free(w), w = NULL;
  }
  if (!w) fprintf(stderr, "rbk sim: %s\n", err ? err : "cannot build the scenario");
  free(err);
  json_decref(sc);
  return w;
}

/* rbk sim: serves the simulated cluster over HTTP(S) until stopped; returns the exit code. */
int cli_sim(int argc, char **argv) {
  sim_args a = {.speed = 1};
  int code = parse_args(argc, argv, &a);
  if (code != CLI_GO_ON) return code;
  if (a.list) {
    for (const char *const *n = sim_builtin_scenarios(); *n; n++) puts(*n);
    return RBK_EXIT_OK;
  }
  sim_world *w = make_world(&a);
  if (!w) return RBK_EXIT_USAGE;
  FILE *reqlog = a.request_log ? fopen(a.request_log, "w") : NULL;
  if (a.request_log && !reqlog) {
    fprintf(stderr, "rbk sim: --request-log %s: cannot open it\n", a.request_log);
    sim_free(w);
    return RBK_EXIT_USAGE;
  }
  sim_set_request_log(w, reqlog);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &set, NULL);
  char *err = NULL;
  sim_server_opts o = {a.listen, a.speed, a.cert, a.key, a.ca, a.quiet ? NULL : stderr};
  sim_server *s = sim_http_start(w, &o, &err);
  if (!s) {
    fprintf(stderr, "rbk sim: %s\n", err);
    free(err);
    if (reqlog) fclose(reqlog);
    return RBK_EXIT_USAGE;
  }
  printf("%s\n", sim_http_url(s));
  fflush(stdout);
  int sig = 0;
  sigdelset(&set, SIGPIPE);
  while (sigwait(&set, &sig) == 0 && sig != SIGINT && sig != SIGTERM) {
  }
  fprintf(stderr, "rbk sim: stopping (%s)\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
  sim_http_stop(s);
  if (reqlog) fclose(reqlog);
  return RBK_EXIT_OK;
}
