/* out_color.c — whether a terminal gets colour: one rule for every command and output. */
#include "out.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Returns true when output to fd may be coloured: a terminal, NO_COLOR unset, TERM not "dumb". */
bool out_color_on(int fd) {
  const char *term = getenv("TERM");
  return isatty(fd) && !getenv("NO_COLOR") && !(term && !strcmp(term, "dumb"));
}
