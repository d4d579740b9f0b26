/* proc_sim.h — the simulator's backend of the process transport (stdlib/proc/proc_transport.h):
 * run() answered by the scenario's process stubs, exec() run in the simulated pod (sim_exec) at
 * the request's virtual time. Wired by the rehearsal layer, never by the actions.
 *
 * Ownership: the world and the stubs are borrowed and must outlive the transport. */
#ifndef RBK_PROC_SIM_H
#define RBK_PROC_SIM_H

#include <stdint.h>

#include <jansson.h>

#include "proc_transport.h"
#include "sim.h"

/* Returns a transport answering from w, whose clock reads now_ms - base_ms as the world's
 * virtual time; stubs is [{"argv": [glob…], "status", "stdout", "stderr"}] (NULL: none, every
 * run() fails with "no stub for argv … in the rehearsal's scenario"). NULL with *err set. */
proc_transport *proc_sim_new(sim_world *w, int64_t base_ms, const json_t *stubs, char **err);

#endif
