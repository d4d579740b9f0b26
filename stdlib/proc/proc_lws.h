/* proc_lws.h — the entry points of the WebSocket exec transport (libwebsockets) inside the network
 * module rbk-net.so (base/netmod.h). Only proc_ws.c reaches them, by name through netmod_sym;
 * everything else calls proc_ws_new (proc_ws.h).
 *
 * Ownership: proc_lws_create returns a transport freed through its free(); *err is a new string
 * the caller frees. proc_lws_describe returns a static string.
 */
#ifndef RBK_PROC_LWS_H
#define RBK_PROC_LWS_H

#include "proc_transport.h"

/* Returns a transport that runs PROC_EXEC requests over WebSocket, or NULL with *err set. */
proc_transport *proc_lws_create(char **err);
/* Returns libwebsockets' version ("4.1.6") (static). */
const char *proc_lws_describe(void);

#endif
