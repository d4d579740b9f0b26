/* cli_resume.c — `rbk resume JOURNAL [options]`: continues an interrupted run (see cli_run.h and
 * docs/run.md). The plan is reloaded from the journal's path and must have the same hash unless
 * --force; params come from the journal, secrets from the environment and --secret again. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "cli_run.h"
#include "journal.h"
#include "resume.h"
#include "run_signals.h"

/* Returns the plan file of the journal: its canonical path when readable, else as given. */
static const char *plan_of(const journal_state *s) {
  const char *real = resume_str(s->start, "plan_real"), *given = resume_str(s->start, "plan");
  return real && access(real, R_OK) == 0 ? real : given;
}

/* Returns a usage error when the journal cannot be resumed, else -1. */
static int check_resumable(const journal_state *s, const char *file) {
  const char *st = s->end ? resume_str(s->end, "status") : NULL;
  if (st && !strcmp(st, "ok")) {
    fprintf(stderr, "rbk: the run in %s succeeded; there is nothing to resume\n", file);
    return RBK_EXIT_USAGE;
  }
  if (!plan_of(s)) {
    fprintf(stderr, "rbk: %s does not name its plan\n", file);
    return RBK_EXIT_USAGE;
  }
  return -1;
}

/* Cuts an incomplete last record off the journal; returns -1, or 1 after an error. */
static int repair(const journal_state *s, const char *file) {
  if (!s->truncated || truncate(file, (off_t)s->valid_len) == 0) return -1;
  perror("rbk: cannot repair the journal's incomplete last record");
  return RBK_EXIT_FAILED;
}

/* Prints why the journal cannot be taken (a live writer is named from its last start record);
 * returns the exit code. */
static int refuse_open(const char *file, char *err, bool busy) {
  journal_state s = {0};
  char *ignored = NULL;
  if (busy && resume_load(file, &s, &ignored) && s.last_start) {
    json_int_t pid = json_integer_value(json_object_get(s.last_start, "pid"));
    const char *host = resume_str(s.last_start, "host");
    fprintf(stderr, "rbk: run %s is still running (pid %lld on %s) and writing %s; it cannot be resumed while it runs\n",
            resume_str(s.start, "run_id") ? resume_str(s.start, "run_id") : "?", (long long)pid, host ? host : "?", file);
  } else {
    fprintf(stderr, "rbk: %s\n", err ? err : "out of memory");
  }
  free(ignored);
  resume_free(&s);
  free(err);
  return busy ? RBK_EXIT_USAGE : RBK_EXIT_FAILED;
}

/* Takes the journal (one writer: an exclusive lock, refused while its run lives), loads it and
 * resumes its run; returns the exit code. */
static int resume_journal(const run_opts *o) {
  journal_state s;
  char *err = NULL;
  struct stat st;
  run_signals_install(); /* a signal from now on cancels the resumed run (exit 3) */
  if (stat(o->file, &st) != 0) {
    int e = errno;
    /* a run creates its journal before it does anything (docs/run.md, "Nothing was done") */
    fprintf(stderr, "rbk: cannot read journal %s: %s%s\n", o->file, strerror(e),
            e == ENOENT ? "; a run started with this journal stopped before its first record, so nothing was done" : "");
    return RBK_EXIT_USAGE;
  }
  journal *j = journal_open(o->file, false, &err);
  if (!j) return refuse_open(o->file, err, errno == EWOULDBLOCK);
  if (!resume_load(o->file, &s, &err)) {
    fprintf(stderr, "rbk: %s\n", err ? err : "out of memory");
    free(err);
    resume_free(&s);
    journal_close(j);
    return RBK_EXIT_USAGE;
  }
  int code = check_resumable(&s, o->file);
  if (code < 0) code = repair(&s, o->file);
  if (code < 0) {
    fprintf(stderr,
            "rbk: resuming run %s: %zu step%s done, %zu gate%s passed, %zu completed mutating action%s to replay, %zu to re-check\n",
            resume_str(s.start, "run_id") ? resume_str(s.start, "run_id") : "?", s.ndone, s.ndone == 1 ? "" : "s",
            s.ngates, s.ngates == 1 ? "" : "s", s.nresults, s.nresults == 1 ? "" : "s", s.ninflight);
    run_opts plan = *o;
    plan.file = plan_of(&s);
    code = cli_run_plan(&plan, &s, j);
    j = NULL;
  }
  journal_close(j);
  resume_free(&s);
  return code;
}

/* Entry point of `rbk resume`. */
int cli_resume(int argc, char **argv) {
  run_opts o;
  int code = cli_run_opts_parse(argc, argv, true, &o);
  if (code < 0) code = resume_journal(&o);
  cli_run_opts_free(&o);
  return code;
}
