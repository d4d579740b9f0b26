/* rehearse_show.c — printing the simulated world at the end of a rehearsal for people (see
 * rehearse_world_print in rehearse.h). */
#include <stdio.h>
#include <string.h>

#include "out.h"
#include "plan.h"
#include "rehearse.h"

/* Returns the ANSI code when color is on, else "". */
static const char *paint(bool color, const char *code) { return color ? code : ""; }

/* Prints "  NAME  READY/REPLICAS  IMAGE[, IMAGE…]" per deployment. */
static void print_deployments(const json_t *world, FILE *out, bool color) {
  json_t *deps = json_object_get(world, "deployments"), *d;
  const char *name;
  size_t width = 0;
  json_object_foreach(deps, name, d) if (strlen(name) > width) width = strlen(name);
  fprintf(out, "deployments (images of ready pods):\n");
  json_object_foreach(deps, name, d) {
    json_int_t ready = json_integer_value(json_object_get(d, "ready"));
    json_int_t want = json_integer_value(json_object_get(d, "replicas"));
    const char *c = ready < want ? "\033[33m" : "";
    fprintf(out, "  %-*s  %s%lld/%lld ready%s  ", (int)width, name, paint(color, c), (long long)ready, (long long)want,
            *c && color ? "\033[0m" : "");
    json_t *imgs = json_object_get(d, "images"), *n;
    const char *img;
    size_t k = 0;
    json_object_foreach(imgs, img, n) fprintf(out, "%s%s", k++ ? ", " : "", img);
    fprintf(out, "%s\n", k ? "" : "(no ready pod)");
  }
}

/* Prints one line per plant with its heat status, or why the plants cannot be read. */
static void print_plants(const json_t *world, FILE *out, bool color) {
  json_t *plants = json_object_get(world, "plants"), *p;
  size_t i;
  if (!json_is_array(plants)) {
    const char *why = json_string_value(json_object_get(world, "plants_error"));
    fprintf(out, "plants: unknown (%s)\n", why ? why : "the orchestrator does not answer");
    return;
  }
  fprintf(out, "plants (%lld with heat loss):\n", (long long)json_integer_value(json_object_get(world, "heat_loss_plants")));
  json_array_foreach(plants, i, p) {
    const char *st = json_string_value(json_object_get(p, "heat_status"));
    const char *iso = json_string_value(json_object_get(p, "isolation_state"));
    bool normal = st && !strcmp(st, "normal"), loss = json_is_true(json_object_get(p, "heat_loss"));
    const char *id = json_string_value(json_object_get(p, "plant_id")), *name = json_string_value(json_object_get(p, "name"));
    bool isolated = iso && strcmp(iso, "integrated");
    fprintf(out, "  %-10s %-28s %s%s%s%s%s%s\n", id ? id : "?", name ? name : "",
            paint(color, normal ? "\033[32m" : loss ? "\033[31m" : "\033[33m"), st ? st : "?", paint(color, "\033[0m"),
            loss ? "  HEAT LOSS" : "", isolated ? "  " : "", isolated ? iso : "");
  }
}

/* Prints "agents: C/T connected". */
static void print_agents(const json_t *world, FILE *out) {
  json_t *a = json_object_get(world, "agents");
  if (!json_is_object(a)) {
    fprintf(out, "agents: unknown (the orchestrator does not answer)\n");
    return;
  }
  fprintf(out, "agents: %lld/%lld connected\n", (long long)json_integer_value(json_object_get(a, "connected")),
          (long long)json_integer_value(json_object_get(a, "total")));
}

/* Prints the notifications the simulator recorded: time since the start, channel, first line. */
static void print_notifications(const json_t *world, FILE *out) {
  json_t *list = json_object_get(world, "notifications"), *n;
  size_t i;
  char ts[16];
  fprintf(out, "notifications sent (%zu):\n", json_array_size(list));
  json_array_foreach(list, i, n)
    fprintf(out, "  [%s] %-20s %s\n", out_text_clock(json_integer_value(json_object_get(n, "t_ms")), ts, sizeof ts),
            json_string_value(json_object_get(n, "channel")), json_string_value(json_object_get(n, "first_line")));
}

/* Prints the world report (see rehearse.h). */
void rehearse_world_print(const json_t *world, const rehearse_result *r, FILE *out, bool color) {
  if (!world) return;
  char took[32];
  fprintf(out, "\n%s── the simulated world at %s, after %s of virtual time (scenario %s, seed %llu) ──%s\n",
          paint(color, "\033[1m"), json_string_value(json_object_get(world, "time")),
          plan_duration_text(r->elapsed_ms, took, sizeof took), r->scenario ? r->scenario : "?",
          (unsigned long long)r->seed, paint(color, "\033[0m"));
  print_deployments(world, out, color);
  print_plants(world, out, color);
  print_agents(world, out);
  print_notifications(world, out);
  fflush(out);
}
