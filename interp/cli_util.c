/* cli_util.c — small helpers shared by the commands. */
#include "cli.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

bool cli_color(int fd) {
  const char *term = getenv("TERM");
  return isatty(fd) && !getenv("NO_COLOR") && !(term && !strcmp(term, "dumb"));
}
