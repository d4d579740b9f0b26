/* resume.h — reading a journal back: its records, and what a resumed run must skip and re-check.
 *
 * A journal (journal.h) is read line by line with jansson. A last line without its newline (a
 * record cut short by a crash) is ignored and reported through `truncated`; any other line that
 * is not a JSON object is an error naming the file and line.
 *
 * What resuming needs, from every record of every attempt:
 *  - done: the keys of steps that ended "ok" or "skipped" (engine_config.resume_done);
 *  - inflight: the keys of mutating actions that started (action_start with "mutating": true)
 *    outside a step that later completed, whatever their outcome — in flight when the run
 *    stopped, aborted mid-request, or done inside a step that must run again. The engine
 *    re-checks each before repeating it (engine_config.resume_inflight);
 *  - results: action key → the results, in order, of mutating actions that completed ("ok") inside
 *    steps that must run again (engine_config.resume_results): the re-run returns them instead of
 *    executing those actions again. Replays (action records with status "skipped") count neither
 *    as starts nor as completions, so a key that started more often than it completed (in flight,
 *    failed, cancelled) is also in `inflight`;
 *  - returns: step key → the value a completed step returned (step_end "returned": true with a
 *    "result", typed JSON of value_typed.h; engine_config.resume_returns). A step that returned a
 *    value the journal could not hold ("returned" without "result": a secret, a handle) is not in
 *    `done`: it runs again;
 *  - gates: the keys of gates that passed (gate record with status "ok", or "skipped" when a
 *    resume replayed it) when the run started a mutating action after that pass: the world the
 *    gate judged has since been changed by the run itself, so it is replayed as passed
 *    (engine_config.resume_gates). A gate with no mutation after its pass is judged again.
 *
 * Handlers: records of an `on failure` or `finally` handler (detail "handler": the key of the
 * step it belongs to, "plan" for the plan's) whose handler finished in the same attempt — that
 * step's step_end or the attempt's run_end follows them — count for nothing above: that
 * handler's work belongs to the attempt that ended, and the resumed run runs its handlers again
 * when it gets there. A handler that was interrupted (neither follows) counts like everything
 * else, so the resumed run finishes it exactly once: its completed steps skipped, its completed
 * mutations replayed.
 *
 * Ownership: a journal_state owns its records, key lists, results and returns; `start` and `last` are borrowed
 * from `records`. resume_free releases everything.
 */
#ifndef RBK_RESUME_H
#define RBK_RESUME_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

typedef struct {
  json_t *records;     /* every complete record, in order (array) */
  json_t *start;       /* the first run_start record, or NULL */
  json_t *last_start;  /* the latest run_start or resume record, or NULL */
  json_t *end;         /* the latest run_end record when no run (re)started after it, or NULL */
  char **done;         /* NULL-terminated step keys */
  char **inflight;     /* NULL-terminated action keys */
  char **gates;        /* NULL-terminated gate keys */
  size_t ndone, ninflight, ngates;
  size_t done_cap, inflight_cap, gates_cap;
  json_t *results;     /* object: action key → array of results */
  json_t *returns;     /* object: step key → returned value */
  size_t nresults;     /* completed mutating actions to replay (sum of the arrays' sizes) */
  int attempts;        /* run_start + resume records */
  bool truncated;      /* an incomplete last line was ignored */
  bool empty;          /* not one complete record: the run stopped before its first one */
  size_t valid_len;    /* bytes of complete lines (where a resume appends) */
} journal_state;

/* Reads the journal at `path` into *out. Returns true, or false with *err set to a one-line
 * message ("cannot read journal x.jsonl: No such file or directory", "x.jsonl:3: not a journal
 * record: …", "x.jsonl: no run_start record"; with out->empty set when the file holds not one complete record).
 * Caller frees with resume_free (also on failure). */
bool resume_load(const char *path, journal_state *out, char **err);

/* Returns a string field of a record (borrowed), or NULL when absent or not a string. */
const char *resume_str(const json_t *record, const char *key);

/* Frees the state and leaves it empty. */
void resume_free(journal_state *s);

#endif
