/* netmod_find.c — where the network module and the full rbk are looked for (see netmod.h). */
#define _GNU_SOURCE /* secure_getenv */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "netmod.h"
#include "strutil.h"

#ifndef RBK_NET_RELDIR
#define RBK_NET_RELDIR "../lib/rbk"
#endif

/* Returns the directory of the running executable (new string), or NULL. */
static char *exe_dir(void) {
  char path[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
  if (n <= 0) return NULL;
  path[n] = '\0';
  char *slash = strrchr(path, '/');
  if (!slash) return NULL;
  *slash = '\0';
  return strdup(path);
}

/* Returns the path of file (see netmod.h), or NULL with *err set. */
char *netmod_find(const char *file, const char *env, const char *what, const char *needed, char **err) {
  const char *given = secure_getenv(env);
  if (given && *given) {
    if (access(given, F_OK) == 0) return strdup(given);
    return *err = strutil_printf("%s is missing: no %s (%s)%s", what, given, env, needed), NULL;
  }
  char *dir = exe_dir();
  if (!dir) return *err = strutil_printf("%s %s is missing: cannot find the executable's directory", what, file), NULL;
  char *installed = strutil_printf("%s/%s/%s", dir, RBK_NET_RELDIR, file);
  char *beside = strutil_printf("%s/%s", dir, file);
  free(dir);
  char *which = NULL;
  if (!installed || !beside) *err = strdup("out of memory");
  else if (access(installed, F_OK) == 0) which = installed, installed = NULL;
  else if (access(beside, F_OK) == 0) which = beside, beside = NULL;
  else *err = strutil_printf("%s is missing: no %s (nor %s)%s", what, installed, beside, needed);
  free(installed), free(beside);
  return which;
}
