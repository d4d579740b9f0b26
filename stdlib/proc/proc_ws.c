/* proc_ws.c — the WebSocket exec as the rbk binary sees it: the request target (which the
 * simulator's in-process exec logs too) and the transport itself, loaded on first use from the
 * network module (base/netmod.h, proc_lws.c), so that commands that never exec never map
 * libwebsockets and its TLS library. */
#include "proc_ws.h"

#include <stddef.h>
#include <string.h>

#include "netmod.h"
#include "proc_lws.h"
#include "valbuf.h"

/* Appends s percent-encoded (unreserved characters kept) to b. */
static void put_escaped(valbuf *b, const char *s) {
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || strchr("-_.~", *p))
      valbuf_put(b, (const char *)p, 1);
    else
      valbuf_printf(b, "%%%02X", *p);
  }
}

/* Returns the exec request target (caller frees; NULL when out of memory). */
char *proc_ws_exec_target(const char *ns, const char *pod, const char *container, const char *const *argv) {
  valbuf b = {0};
  valbuf_puts(&b, "/api/v1/namespaces/");
  put_escaped(&b, ns);
  valbuf_puts(&b, "/pods/");
  put_escaped(&b, pod);
  valbuf_puts(&b, "/exec?");
  for (size_t i = 0; argv[i]; i++) {
    valbuf_puts(&b, i ? "&command=" : "command=");
    put_escaped(&b, argv[i]);
  }
  if (container) {
    valbuf_puts(&b, "&container=");
    put_escaped(&b, container);
  }
  valbuf_puts(&b, "&stderr=true&stdout=true");
  if (b.oom) return valbuf_free(&b), NULL;
  return valbuf_take(&b, NULL);
}

/* Returns the module's WebSocket exec transport, or NULL with *err set (caller frees). */
proc_transport *proc_ws_new(char **err) {
  proc_transport *(*create)(char **) = (proc_transport * (*)(char **)) netmod_sym("proc_lws_create", err);
  return create ? create(err) : NULL;
}

/* Returns libwebsockets' version (static), or NULL with *err set when the module is missing. */
const char *proc_ws_version(char **err) {
  const char *(*describe)(void) = (const char *(*)(void))netmod_sym("proc_lws_describe", err);
  return describe ? describe() : NULL;
}
