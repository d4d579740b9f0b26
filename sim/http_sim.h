/* http_sim.h — the simulator's backend of the HTTP transport (stdlib/http/http.h), in virtual
 * time: sim_handle at the request's start time, the answer delivered resp.delay_ms later, watches
 * streamed as time advances. Wired by the rehearsal layer, never by the actions.
 *
 * It receives the requests exactly as libcurl would send them and routes them by URL, as the
 * network would:
 *  - HTTP_SIM_SERVER (the API server named by HTTP_SIM_KUBECONFIG): the path and query go to
 *    sim_handle;
 *  - a cluster-service host ("name", "name.ns", "name.ns.svc…", with an optional port): the
 *    simulated service proxy, /api/v1/namespaces/NS/services/NAME[:PORT]/proxy/PATH (NS
 *    "default" when the host has none);
 *  - any other host: a notification (http_request.notification) is recorded in the world's plant
 *    model (plant_record_webhook) and answered 200; anything else fails (HTTP_FAIL_OTHER, not
 *    repeated) with "http(): ORIGIN is outside the simulated cluster: not reachable in a
 *    rehearsal".
 *
 * Ownership: the world is borrowed and must outlive the transport. */
#ifndef RBK_HTTP_SIM_H
#define RBK_HTTP_SIM_H

#include <stdint.h>

#include "http.h"
#include "sim.h"

/* The simulated API server's address (the in-cluster name of the kubernetes Service). */
#define HTTP_SIM_SERVER "https://kubernetes.default.svc"

/* A kubeconfig document naming the simulated API server (no credentials, namespace "default"),
 * which a rehearsal hands its actions so that kube() takes the kubeconfig path of a real run. */
#define HTTP_SIM_KUBECONFIG                                                                    \
  "apiVersion: v1\nkind: Config\ncurrent-context: rehearsal\n"                                \
  "clusters:\n- name: simulator\n  cluster:\n    server: " HTTP_SIM_SERVER "\n"               \
  "contexts:\n- name: rehearsal\n  context:\n    cluster: simulator\n    user: rehearsal\n"   \
  "users:\n- name: rehearsal\n  user: {}\n"

/* Returns a transport answering from the simulator `w`, whose clock reads now_ms - base_ms as
 * the world's virtual time, or NULL with *err set (caller frees). */
http_transport *http_sim_new(sim_world *w, int64_t base_ms, char **err);

#endif
