/* proc_ws.h — exec in a pod over the API server's WebSocket protocol (pods/exec, subprotocol
 * v5.channel.k8s.io, as kubectl 1.32 speaks it): libwebsockets, one client context per exec
 * (its own TLS material), driven without blocking from the caller's poll loop. Messages arrive
 * on channels: 1 stdout, 2 stderr, 3 the Status that carries the exit code (cause ExitCode of
 * reason NonZeroExitCode). A process transport for PROC_EXEC requests; proc_local_new() hands
 * its exec requests to one. The transport lives in the network module rbk-net.so (proc_lws.c,
 * base/netmod.h), which proc_ws_new loads; proc_ws_exec_target is in the binary.
 *
 * Ownership: as proc_transport.h; proc_ws_exec_target returns a new string. */
#ifndef RBK_PROC_WS_H
#define RBK_PROC_WS_H

#include "proc_transport.h"

/* Returns a transport that runs PROC_EXEC requests over WebSocket, or NULL with *err set (caller
 * frees), also when the network module is missing. */
proc_transport *proc_ws_new(char **err);
/* Returns libwebsockets' version ("4.1.6") (static), or NULL with *err set (caller frees) when
 * the network module is missing. */
const char *proc_ws_version(char **err);

/* Returns the request target of an exec of argv in pod (namespace ns; container may be NULL),
 * "/api/v1/namespaces/NS/pods/POD/exec?command=A&command=B&container=C&stderr=true&stdout=true",
 * every value percent-encoded except unreserved characters (caller frees; NULL when out of
 * memory). The simulator logs the same target for the in-process exec. */
char *proc_ws_exec_target(const char *ns, const char *pod, const char *container, const char *const *argv);

#endif
