/* journal.h — the run journal: append-only JSON lines, one record per engine event, each written
 * with one write() at once (a killed process leaves every record it emitted, whole).
 *
 * Group commit: a record is fsync'ed at once when something outside the process follows it — the
 * run's first and last records, a mutating action's action_start (the mutation is sent next; not
 * a replay's), a notify (the message is sent next); the other records are fsync'ed together when
 * the sink's sync runs (the engine calls it before it waits for anything) or with the next record
 * fsync'ed at once. So before a mutation or a notification goes out, and before the engine waits, every
 * record before it is durable; a power cut loses at most the records of the engine's last turn
 * of work, none of which a later mutation depends on (docs/run.md "The journal on disk").
 *
 * A journal is a file (default .rbk/runs/<run-id>.jsonl). Its records are the engine's events as
 * events.h's events_to_json(ev, true) renders them (secrets masked), plus "seq" (1, 2, 3… across
 * the whole file, resumes included) and "time" (UTC wall time, RFC 3339 with milliseconds). The
 * engine's run_start is written with the run's metadata merged in (journal_meta); on a resume it
 * is written as event "resume" instead. docs/run.md lists the record schema.
 *
 * Errors: every failure (open, write, fsync) is reported as one line
 * "cannot write journal PATH: REASON" (caller frees), and the sink returns -1 so that the engine
 * starts no further action. A write that is cut short (disk full) is truncated back, so the file
 * always ends with a complete record.
 *
 * Ownership: a journal owns its path, file descriptor and metadata copy; the clock is borrowed
 * and must outlive the journal's use as a sink.
 */
#ifndef RBK_JOURNAL_H
#define RBK_JOURNAL_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "clock.h"
#include "events.h"
#include "program.h"

/* What a run_start (or resume) record says about the run, besides the event itself. Every
 * field may be NULL (then it is omitted). */
typedef struct {
  const char *run_id;
  const char *plan;         /* the plan's path as given */
  const char *plan_real;    /* its canonical path (resume reloads it from there) */
  const char *plan_hash;    /* journal_plan_hash() */
  const char *operator_name;
  const char *host;
  const char *git_revision; /* journal_git_revision() */
  const char *scenario;     /* rehearsals: the scenario file */
  const char *const *assigns; /* the -p name=value texts as given; NULL-terminated */
  json_t *extra;            /* more keys to merge in (borrowed): resume's done/inflight lists */
} journal_meta;

typedef struct journal journal;

/* Returns the journal file for `where`: NULL → ".rbk/runs/RUN_ID.jsonl"; an existing directory
 * or a name ending in '/' or not ending in ".jsonl" → "WHERE/RUN_ID.jsonl"; otherwise `where`
 * itself (a file, or a device such as /dev/full). Caller frees; NULL when out of memory. */
char *journal_path_for(const char *where, const char *run_id);

/* Opens `path` for appending, creating missing parent directories (mode 0700) and the file
 * (mode 0600), and locks a regular file for this process alone (flock, LOCK_EX): one writer per
 * journal, until journal_close or the process's end. With `fresh`, a regular file that already
 * holds records is refused (a new run never appends to another run's journal). Returns the
 * journal, or NULL with *err set — and errno EWOULDBLOCK when another process holds the file
 * ("journal PATH is being written by another rbk process (it is still running)"). */
journal *journal_open(const char *path, bool fresh, char **err);

/* Sets what the next run_start record carries (copied), and whether it is a resume. `clock`
 * (borrowed) gives records their wall time. `first_seq` is the number of records already in
 * the file (0 for a new journal). Returns false when out of memory. */
bool journal_begin(journal *j, const journal_meta *meta, bool resume, rbk_clock *clock, int64_t first_seq);

/* Appends one record (one write, then fsync); returns 0, or -1 with *err set. After a failure
 * every later append fails with the same message: a journal with a gap is never written. */
int journal_append(journal *j, const json_t *record, char **err);

/* The largest value a record holds whole: an action's "args" or "result" (a step's "result")
 * whose compact JSON passes JOURNAL_CAP_VALUE bytes is replaced by "args_truncated" /
 * "result_truncated": {bytes, sha256: "sha256:HEX" over that JSON, head: its first
 * JOURNAL_CAP_HEAD bytes (cut on a character)}. Resume treats such an action as in flight (it is
 * re-checked) and such a step as one that runs again. */
#define JOURNAL_CAP_VALUE ((size_t)64 << 10)
#define JOURNAL_CAP_HEAD 1024
/* Returns false when out of memory; replaces rec[key] by its summary rec[key "_truncated"] when
 * its compact JSON is longer than max bytes (journal_cap.c). */
bool journal_cap_value(json_t *rec, const char *key, size_t max);

/* Returns the sink that journals every event (rbk_sink.user is j), with the group commit above
 * as its sync. */
rbk_sink journal_sink(journal *j);

/* Returns the journal's path (borrowed). */
const char *journal_path(const journal *j);
/* Returns the error that stopped the journal (borrowed), or NULL while it is healthy. */
const char *journal_error(const journal *j);

/* Closes the journal; NULL is fine. */
void journal_close(journal *j); /* fsyncs what is not yet durable first */

/* Metadata helpers (journal_meta.c). */

/* Returns a new run id: the UTC time as YYYYMMDDTHHMMSSZ, '-', 6 random hex digits
 * ("20250101T000000Z-3fa91c"). Caller frees; NULL when out of memory. */
char *journal_new_run_id(int64_t wall_ms);
/* Returns "sha256:HEX" over every unit's text of the program, in load order (each unit as its
 * byte length, '\n', its text). Caller frees; NULL when out of memory or a unit has no text. */
char *journal_plan_hash(const rbk_program *prog);
/* Returns the commit of the git repository holding `file` (git -C DIR rev-parse HEAD, run
 * without a shell), or NULL when it is not in a repository or git is missing. Caller frees. */
char *journal_git_revision(const char *file);
/* Returns the host name (caller frees), or NULL. */
char *journal_host(void);
/* Returns the epoch time in ms as "2025-01-01T00:00:00.000Z" into buf (at least 32 bytes). */
const char *journal_format_time(int64_t wall_ms, char *buf, size_t size);

#endif
