/* netmod.c — finds and loads the network module rbk-net.so once (see netmod.h). */
#include "netmod.h"

#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

#include "strutil.h"

#ifndef RBK_NET_ABI
#define RBK_NET_ABI "unknown"
#endif
#define NETMOD_FILE "rbk-net.so"
#define NETMOD_NEEDED "; run, resume and sim need it: reinstall rbk"

static void *handle;
static char *load_error; /* the first failure, repeated to every later caller */

/* Returns the path to load (new string), or NULL with *err set naming where it was looked for. */
static char *find(char **err) {
  return netmod_find(NETMOD_FILE, "RBK_NET_MODULE", "the network module", NETMOD_NEEDED, err);
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

/* Keeps nothing: the full rbk needs no hand-off. */
void netmod_set_argv(char **argv) {
  (void)argv;
}

/* Returns 0: this process is the full rbk, which loads the module on demand. */
int netmod_handoff(char **err) {
  (void)err;
  return 0;
}
