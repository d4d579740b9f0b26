/* fuzz_journal.c — libFuzzer target: arbitrary bytes as a run journal, read as `rbk log` reads it
 * (interp/journal/resume.c: the JSON lines, a cut last line, what a resume would skip, re-check
 * and replay; then the text and the JSON summaries of interp/cli/cli_log.c, into /dev/null).
 * Nothing may crash, leak, hang or read out of bounds. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cli.h"
#include "fuzz_util.h"
#include "resume.h"
#include "scrub.h"

/* Sends stdout to /dev/null once (unless FUZZ_TRACE is set): the summaries are printed there. Returns 0. */
int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc, (void)argv;
  if (!getenv("FUZZ_TRACE") && !freopen("/dev/null", "w", stdout)) abort();
  return 0;
}

/* Returns 0 always (libFuzzer's contract). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *path = fuzz_file(data, size, ".jsonl");
  char *text_argv[] = {"log", (char *)path, NULL};
  char *json_argv[] = {"log", "--output", "json", (char *)path, NULL};
  FILE *saved = stderr;
  if (!getenv("FUZZ_TRACE")) stderr = fuzz_null(); /* the "cannot read" messages */
  (void)cli_log(2, text_argv);
  (void)cli_log(4, json_argv);
  stderr = saved;
  scrub_reset();
  return 0;
}
