/* rehearse_case.h — rehearsal cases: the sidecar file beside a plan that lists rehearsals and
 * what each must show (docs/rehearsal.md).
 *
 * A plan `plans/NAME.rbk` has its cases in `plans/NAME.test.json` (or `.test.yaml`, `.test.yml`):
 *   {"defaults": {…case fields…},
 *    "cases": [{"name", "scenario", "params": {name: value}, "seed", "yes", "approve": [TEXT],
 *               "secrets": {NAME: VALUE}, "process_stubs": [...], "expect": {...}}]}
 * Every field but "expect" may be given in "defaults" (params and secrets merge, the case wins).
 * The expectation keys are listed once in REHEARSE_EXPECT_KEYS (rehearse_case.c); unknown keys
 * anywhere are errors, so a typo never silently passes.
 *
 * Ownership: a rehearse_cases owns everything in it (rehearse_case_free_all).
 */
#ifndef RBK_REHEARSE_CASE_H
#define RBK_REHEARSE_CASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "rehearse.h"

/* The expectations, once: X(ENUM_SUFFIX, "key", "what it checks"). */
#define REHEARSE_EXPECT_KEYS(X)                                                                  \
  X(EXIT, "exit", "the exit code (0 ok, 1 failed, 3 aborted)")                                   \
  X(MUTATING, "mutating_actions", "mutating actions started: N, or {\"min\": N, \"max\": N}")     \
  X(ACTIONS, "actions", "actions started (reads too): N or {min, max}")                          \
  X(WARNINGS, "warnings", "warnings: N or {min, max}")                                           \
  X(ELAPSED, "elapsed", "virtual time the run took: {\"min\": \"D\", \"max\": \"D\"} (durations)")     \
  X(FAILED_STEP, "failed_step", "the first step that failed: its path or one of its titles; null: none") \
  X(FAILED_GATE, "failed_gate", "the title of the first gate that failed; null: none")           \
  X(ERROR_INCLUDES, "error_includes", "text(s) the run's final error contains")                  \
  X(NOTIFY_INCLUDE, "notifications_include", "texts each found in some notification sent")      \
  X(NOTIFY_EXCLUDE, "notifications_exclude", "texts found in no notification")                  \
  X(ACTIONS_INCLUDE, "actions_include", "texts each found in some executed \"ACTION TARGET\"")   \
  X(ACTIONS_EXCLUDE, "actions_exclude", "texts found in no executed \"ACTION TARGET\"")          \
  X(FINAL, "final", "the simulated world at the end (REHEARSE_FINAL_KEYS)")

/* The keys of "final", once: X(ENUM_SUFFIX, "key", "what it checks"). */
#define REHEARSE_FINAL_KEYS(X)                                                                   \
  X(IMAGES, "images", "{DEPLOYMENT: IMAGE}: every ready pod runs IMAGE (null: no ready pod)")    \
  X(READY, "ready", "{DEPLOYMENT: N or {min, max}}: ready pods")                                 \
  X(HEAT_LOSS, "heat_loss_plants", "plants with heat loss: N or {min, max}")                     \
  X(NOT_NORMAL, "plants_not_normal", "plants whose heat status is not normal: N or {min, max}")  \
  X(AGENTS, "agents_connected", "sub-agents connected: N or {min, max}")

typedef struct {
  char *name;
  char *scenario;          /* NULL → the default scenario */
  char **assigns;          /* "name=value", NULL-terminated */
  size_t nassigns;
  char **approve;          /* NULL-terminated */
  bool yes;
  bool has_seed;
  uint64_t seed;
  char **secret_names;     /* NULL-terminated; values in secret_values */
  char **secret_values;
  size_t nsecrets;
  json_t *process_stubs;   /* or NULL */
  json_t *expect;          /* the expectations (an object; may be empty) */
} rehearse_case;

typedef struct {
  char *file;              /* the sidecar's path */
  rehearse_case *items;
  size_t len;
} rehearse_cases;

/* Returns the path of plan's sidecar if one exists (caller frees), else NULL. */
char *rehearse_case_sidecar_path(const char *plan);

/* Loads the sidecar `file` into *out. Returns true, or false with *err set (caller frees): the
 * file cannot be read or parsed, or a key or value is not what docs/rehearsal.md allows. */
bool rehearse_case_load_all(const char *file, rehearse_cases *out, char **err);

/* Frees the cases and zeroes *c. */
void rehearse_case_free_all(rehearse_cases *c);

/* Fills the run options of one case (pointers into c; o->out, console and diag are left as
 * they are). */
void rehearse_case_opts(const rehearse_case *c, const char *plan, rehearse_opts *o);

/* Returns true with *ms set when text is a duration ("90s", "1m30s", "500ms"). */
bool rehearse_case_duration(const char *text, int64_t *ms);

/* Returns the failed expectations of case c for result r as a new JSON array of one-line
 * strings (empty: the case passed). Executed actions that the dry-run graph lacks always fail
 * the case. NULL when out of memory. */
json_t *rehearse_case_check(const rehearse_case *c, const rehearse_result *r);

#endif
