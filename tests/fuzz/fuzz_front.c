/* fuzz_front.c — libFuzzer target: arbitrary bytes through the lexer, parser, checker and formatter.
 * Nothing may crash, leak, hang or read out of bounds; the formatter's output of a clean parse must
 * parse again. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "fmt.h"
#include "parse.h"
#include "program.h"

/* Returns 0 always (libFuzzer's contract); aborts when formatted output no longer parses. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  diag_list diags = {0};
  rbk_program *prog = program_load_string("fuzz.rbk", (const char *)data, size, &diags);
  if (prog) {
    bool parsed = !diags.errors;
    check_program(prog, &diags); /* the checker also runs on trees left by syntax errors */
    if (parsed && prog->units[0].ast) {
      char *text = fmt_file(prog->units[0].ast);
      if (text) {
        diag_list again = {0};
        rbk_source *src = source_from_string("fmt.rbk", text, strlen(text));
        ast_file *file = parse_source(src, &again);
        if (again.errors) abort(); /* the formatter produced something that does not parse */
        ast_file_free(file);
        source_free(src);
        diag_free(&again);
        free(text);
      }
    }
    program_free(prog);
  }
  diag_free(&diags);
  return 0;
}
