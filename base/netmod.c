/* netmod.c — finds and loads the network module rbk-net.so once (see netmod.h). */
#include "netmod.h"

#include <dlfcn.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "strutil.h"

#ifndef RBK_NET_RELDIR
#define RBK_NET_RELDIR "../libexec/rbk"
#endif
#define NETMOD_FILE "rbk-net.so"

static void *handle;

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

/* Returns the loaded module, or NULL with *err set naming where it was looked for. */
static void *load(char **err) {
  if (handle) return handle;
  char *dir = exe_dir();
  if (!dir) return *err = strdup("the network module " NETMOD_FILE " is missing: cannot find the executable's directory"), NULL;
  char *installed = strutil_printf("%s/%s/%s", dir, RBK_NET_RELDIR, NETMOD_FILE);
  char *beside = strutil_printf("%s/%s", dir, NETMOD_FILE);
  free(dir);
  if (!installed || !beside) return free(installed), free(beside), *err = strdup("out of memory"), NULL;
  const char *which = access(installed, F_OK) == 0 ? installed : access(beside, F_OK) == 0 ? beside : NULL;
  if (which) handle = dlopen(which, RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char *why = dlerror();
    *err = which ? strutil_printf("cannot load the network module %s: %s", which, why ? why : "unknown error")
                 : strutil_printf("the network module is missing: no %s (nor %s); the commands that talk to a "
                                  "network (run, resume, sim) need it: reinstall rbk",
                                  installed, beside);
  }
  free(installed);
  free(beside);
  return handle;
}

/* Returns the module's function `name`, or NULL with *err set. */
netmod_fn netmod_sym(const char *name, char **err) {
  void *h = load(err);
  if (!h) return NULL;
  void *p = dlsym(h, name);
  if (!p) return *err = strutil_printf("the network module lacks %s: it does not match this rbk; reinstall rbk", name), NULL;
  netmod_fn fn;
  memcpy(&fn, &p, sizeof fn);
  return fn;
}
