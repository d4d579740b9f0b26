/* netmod.c — finds and loads the network module rbk-net.so once (see netmod.h). */
#define _GNU_SOURCE /* secure_getenv */
#include "netmod.h"

#include <dlfcn.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "strutil.h"

#ifndef RBK_NET_RELDIR
#define RBK_NET_RELDIR "../lib/rbk"
#endif
#ifndef RBK_NET_ABI
#define RBK_NET_ABI "unknown"
#endif
#define NETMOD_FILE "rbk-net.so"
#define NETMOD_NEEDED "; run, resume and sim need it: reinstall rbk"

static void *handle;
static char *load_error; /* the first failure, repeated to every later caller */

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

/* Returns the path to load (new string), or NULL with *err set naming where it was looked for. */
static char *find(char **err) {
  const char *env = secure_getenv("RBK_NET_MODULE");
  if (env && *env) {
    if (access(env, F_OK) == 0) return strdup(env);
    return *err = strutil_printf("the network module is missing: no %s (RBK_NET_MODULE)" NETMOD_NEEDED, env), NULL;
  }
  char *dir = exe_dir();
  if (!dir) return *err = strdup("the network module " NETMOD_FILE " is missing: cannot find the executable's directory"), NULL;
  char *installed = strutil_printf("%s/%s/%s", dir, RBK_NET_RELDIR, NETMOD_FILE);
  char *beside = strutil_printf("%s/%s", dir, NETMOD_FILE);
  free(dir);
  char *which = NULL;
  if (!installed || !beside) *err = strdup("out of memory");
  else if (access(installed, F_OK) == 0) which = installed, installed = NULL;
  else if (access(beside, F_OK) == 0) which = beside, beside = NULL;
  else *err = strutil_printf("the network module is missing: no %s (nor %s)" NETMOD_NEEDED, installed, beside);
  free(installed), free(beside);
  return which;
}

/* Returns the loaded module, or NULL with *err set (the reason of the first failure). */
static void *load(char **err) {
  if (handle) return handle;
  if (load_error) return *err = strdup(load_error), NULL;
  char *which = find(&load_error);
  void *h = which ? dlopen(which, RTLD_NOW | RTLD_LOCAL) : NULL;
  if (which && !h) {
    const char *why = dlerror();
    load_error = strutil_printf("cannot load the network module %s: %s", which, why ? why : "unknown error");
  }
  const char *(*abi)(void) = NULL;
  void *p = h ? dlsym(h, "netmod_abi") : NULL;
  if (p) memcpy(&abi, &p, sizeof abi);
  if (h && (!abi || strcmp(abi(), RBK_NET_ABI) != 0)) {
    load_error = abi ? strutil_printf("the network module %s is of rbk %s, not %s" NETMOD_NEEDED, which, abi(), RBK_NET_ABI)
                     : strutil_printf("%s is not rbk's network module (no netmod_abi)" NETMOD_NEEDED, which);
    dlclose(h), h = NULL;
  }
  free(which);
  if (!h) return *err = load_error ? strdup(load_error) : strdup("out of memory"), NULL;
  return handle = h;
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
