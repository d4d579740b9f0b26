/* sim_http_ws.h — `rbk sim`'s WebSocket side of pods/exec: the 101 response for an exec that the
 * model already ran, and the session that streams it on the channel.k8s.io channels (1 stdout,
 * 2 stderr, 3 the Status with the exit code) over the upgraded socket, then closes normally.
 *
 * Ownership: sim_http_ws_response takes the answer (also on failure); the sessions counter is
 * borrowed and must outlive every session (sim_http_stop waits for it to reach zero). The
 * connection's socket context must be an atomic_bool "upgraded" flag owned by the server: the
 * upgrade sets it and adds one session; the server subtracts it when libmicrohttpd reports that
 * connection closed. */
#ifndef RBK_SIM_HTTP_WS_H
#define RBK_SIM_HTTP_WS_H

#include <stdatomic.h>

#include <microhttpd.h>

#include "sim.h"

/* Returns the 101 Switching Protocols response for a request with Sec-WebSocket-Key key, whose
 * upgrade handler streams the answer in a thread of its own; NULL when the key is bad or out of
 * memory. *sessions counts the upgraded connections not yet closed by libmicrohttpd. */
struct MHD_Response *sim_http_ws_response(sim_exec_answer *answer, const char *key, atomic_int *sessions);

#endif
