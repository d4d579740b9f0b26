/* netmod_front.c — the static front's side of the network module (see netmod.h): it loads no
 * module; the commands that need one run in the full rbk, which netmod_handoff puts in this
 * process's place. Linked into bin/rbk instead of netmod.c when it is built static. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "netmod.h"
#include "strutil.h"

#define FRONT_FULL "rbk-full"
#define FRONT_NEEDED "; run, resume, sim and version run in it: reinstall rbk"

static char **args; /* main's argv */

/* Keeps argv for netmod_handoff. */
void netmod_set_argv(char **argv) {
  args = argv;
}

/* Runs rbk-full with this process's arguments; returns -1 with *err set when it cannot. */
int netmod_handoff(char **err) {
  char *full = netmod_find(FRONT_FULL, "RBK_FULL", "the full rbk", FRONT_NEEDED, err);
  if (!full) return -1;
  execv(full, args);
  *err = strutil_printf("cannot run the full rbk %s: %s", full, strerror(errno));
  free(full);
  return -1;
}

/* Returns NULL with *err set: the front never loads the module (its callers run in rbk-full). */
netmod_fn netmod_sym(const char *name, char **err) {
  *err = strutil_printf("the static rbk cannot load the network module (for %s): run the full rbk", name);
  return NULL;
}
