/* cli_sim.c — `rbk sim`: serve a scenario's simulated cluster over HTTP(S) until SIGINT/SIGTERM.
 * docs/simulator.md describes the options. */
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
  const char *listen, *scenario, *cert, *key, *ca, *start_time, *seed;
  double speed;
  const char *tokens[32];
  int ntokens;
  bool quiet, list;
} sim_args;

static const char usage_text[] =
    "usage: rbk sim [--listen HOST:PORT] [--scenario NAME|FILE] [--speed X] [--seed N]\n"
    "               [--tls-cert FILE --tls-key FILE [--client-ca FILE]] [--token T]...\n"
    "               [--start-time RFC3339|scenario] [--quiet] [--list-scenarios]\n"
    "Serves the simulated cluster; prints its URL on the first line of stdout.\n";

/* Returns the value of option `name` at argv[*i] ("--name v" or "--name=v"), advancing *i; NULL
 * when argv[*i] is not that option. Sets *missing when the value is absent. */
static const char *opt_value(int argc, char **argv, int *i, const char *name, bool *missing) {
  size_t n = strlen(name);
  if (strncmp(argv[*i], name, n)) return NULL;
  if (argv[*i][n] == '=') return argv[*i] + n + 1;
  if (argv[*i][n]) return NULL;
  if (*i + 1 >= argc) return *missing = true, NULL;
  return argv[++*i];
}

/* Parses the arguments; returns false (after printing why) on a usage error. */
static bool parse_args(int argc, char **argv, sim_args *a) {
  static const char *const names[] = {"--listen", "--scenario", "--tls-cert", "--tls-key", "--client-ca",
                                      "--start-time", "--seed", "--speed", "--token"};
  for (int i = 1; i < argc; i++) {
    bool missing = false, matched = false;
    if (!strcmp(argv[i], "--quiet")) a->quiet = matched = true;
    if (!strcmp(argv[i], "--list-scenarios")) a->list = matched = true;
    for (size_t k = 0; k < sizeof names / sizeof *names && !matched && !missing; k++) {
      const char *v = opt_value(argc, argv, &i, names[k], &missing);
      if (!v) continue;
      matched = true;
      const char **slots[] = {&a->listen, &a->scenario, &a->cert, &a->key, &a->ca, &a->start_time, &a->seed};
      if (k < 7) *slots[k] = v;
      else if (k == 7) a->speed = strtod(v, NULL);
      else if (a->ntokens < 32) a->tokens[a->ntokens++] = v;
    }
    if (missing || !matched) {
      fprintf(stderr, "rbk sim: %s '%s'\n%s", missing ? "missing value for" : "unknown argument", argv[i], usage_text);
      return false;
    }
  }
  if (a->speed <= 0) return fprintf(stderr, "rbk sim: --speed must be a positive number\n"), false;
  return true;
}

/* Sets the scenario's start_time: the wall clock now, unless pinned. Returns false on bad input. */
static bool set_start(json_t *scenario, const char *start_time) {
  if (start_time && !strcmp(start_time, "scenario")) return true;
  int64_t ms;
  char buf[32];
  if (start_time && !simu_time_parse(start_time, &ms)) return false;
  if (!start_time) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ms = (int64_t)ts.tv_sec * 1000;
  }
  simu_time_rfc3339(ms, buf);
  json_object_set_new(scenario, "start_time", json_string(buf));
  return true;
}

/* Builds the world from the arguments; NULL after printing why. */
static sim_world *make_world(const sim_args *a) {
  char *err = NULL;
  json_t *sc = sim_load_scenario(a->scenario ? a->scenario : "bad-release", &err);
  if (sc && !set_start(sc, a->start_time)) err = strutil_printf("--start-time %s: expected RFC 3339 or 'scenario'", a->start_time);
  uint64_t seed = a->seed ? strtoull(a->seed, NULL, 10) : (uint64_t)simu_jint(sc, "seed", 1);
  sim_world *w = sc && !err ? sim_new(sc, seed, &err) : NULL;
  for (int i = 0; w && i < a->ntokens; i++) sim_add_token(w, a->tokens[i]);
  if (!w) fprintf(stderr, "rbk sim: %s\n", err ? err : "cannot build the scenario");
  free(err);
  json_decref(sc);
  return w;
}

/* rbk sim: serves the simulated cluster over HTTP(S) until stopped; returns the exit code. */
int cli_sim(int argc, char **argv) {
  sim_args a = {.speed = 1};
  if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) return fputs(usage_text, stdout), RBK_EXIT_OK;
  if (!parse_args(argc, argv, &a)) return RBK_EXIT_USAGE;
  if (a.list) {
    for (const char *const *n = sim_builtin_scenarios(); *n; n++) puts(*n);
    return RBK_EXIT_OK;
  }
  sim_world *w = make_world(&a);
  if (!w) return RBK_EXIT_USAGE;
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &set, NULL);
  char *err = NULL;
  sim_server_opts o = {a.listen, a.speed, a.cert, a.key, a.ca, a.quiet ? NULL : stderr};
  sim_server *s = sim_server_start(w, &o, &err);
  if (!s) {
    fprintf(stderr, "rbk sim: %s\n", err);
    free(err);
    return RBK_EXIT_USAGE;
  }
  printf("%s\n", sim_server_url(s));
  fflush(stdout);
  int sig = 0;
  sigdelset(&set, SIGPIPE);
  while (sigwait(&set, &sig) == 0 && sig != SIGINT && sig != SIGTERM) {
  }
  fprintf(stderr, "rbk sim: stopping (%s)\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
  sim_server_stop(s);
  return RBK_EXIT_OK;
}
