/* out_color.c — whether a terminal gets colour: one rule for every command and output. */
#include "out.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

bool out_color_on(int fd) {
  const char *term = getenv("TERM");
  return isatty(fd) && !getenv("NO_COLOR") && !(term && !strcmp(term, "dumb"));
}
