/* rehearse_suite.h — `rbk test FILE|DIR…` over rehearsal cases: every case of every plan's
 * sidecar (rehearse_case.h) is rehearsed and judged; one line per case, the reasons and the end
 * of the run's output for a failed one, and a closing line "N passed, M failed".
 *
 * Cases are independent (each builds its own world), so they may run in parallel child
 * processes (`jobs`); their reports are printed in list order.
 *
 * A directory contributes every *.rbk file below it, recursively, in name order (dirwalk.h: the
 * rule of rbk check and rbk fmt too); a plan there without a sidecar (a library in lib/, say) is
 * listed as not rehearsed and counts neither way.
 *
 * Ownership: everything is borrowed. */
#ifndef RBK_REHEARSE_SUITE_H
#define RBK_REHEARSE_SUITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct {
  bool json;              /* one JSON object per case and a closing {"passed", "failed"} */
  bool verbose;           /* print every case's whole output and final world */
  const char *case_glob;  /* only cases whose name matches (fnmatch); NULL: all */
  bool ignore_deadline;   /* every case runs with --ignore-deadline */
  int64_t max_virtual_ms; /* every case's virtual-time cap (--max-virtual-time); 0: the default */
  bool color;             /* ANSI colours in text output */
  int jobs;               /* cases rehearsed at once, each in a child process; ≤ 1: one by one
                             in this process. The report's order does not depend on it. */
  FILE *out;              /* the report */
} rehearse_suite_opts;

/* Returns the .rbk files named by paths (files as given, directories as dirwalk_plans walks them)
 * as a new NULL-terminated array (caller frees it and its strings: dirwalk_free), or NULL with
 * *err set ("PATH: reason"; caller frees) when a path does not exist or cannot be read. */
char **rehearse_suite_collect_plans(char *const *paths, size_t n, char **err);

/* Runs the cases of the plans (rehearse_suite_collect_plans); returns 0 when every case passed, 1 when
 * one failed (or a sidecar is malformed), 2 when nothing could be collected. */
int rehearse_suite_run(char *const *plans, const rehearse_suite_opts *o);

#endif
