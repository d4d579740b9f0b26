/* sim_scenario.h — loading a scenario into a world (sim_scenario.c, sim_scenario_objects.c).
 *
 * Ownership: the scenario's JSON is borrowed; the world owns what is created from it.
 */
#ifndef RBK_SIM_SCENARIO_H
#define RBK_SIM_SCENARIO_H

#include "sim_world.h"

/* Creates the scenario's objects in the world; false with *err on malformed input. */
bool sim_scenario_load_objects(sim_world *w, const json_t *cluster, char **err);
/* Reads timing, images, faults and jobs from the scenario; false with *err. */
bool sim_scenario_load_settings(sim_world *w, const json_t *scenario, char **err);

#endif
