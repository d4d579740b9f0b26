/* rehearse_record.h — the rehearsal's event recorder: an rbk_sink that notes what a rehearsal
 * case checks (rehearse_result) and forwards every event to the run's output sink.
 *
 * It also checks that the dry-run cannot lie: every action_start must name a node of the plan's
 * graph as `rbk plan --format json` prints it (plan_to_json), and that node must be an action
 * node with the same action name and mutating mark. Each violation is one line in r->lies.
 *
 * Ownership: the recorder borrows the graph (only during init), the result and the output sink;
 * it owns its index, released with rehearse_record_free. */
#ifndef RBK_REHEARSE_RECORD_H
#define RBK_REHEARSE_RECORD_H

#include <stdbool.h>

#include <jansson.h>

#include "events.h"
#include "plan.h"
#include "rehearse.h"

typedef struct {
  rehearse_result *r;
  rbk_sink out;       /* forwarded to after recording */
  json_t *nodes;      /* node id → node object of plan_to_json */
  json_t *gates;      /* gate node id → its title (from the gate's start event) */
} rehearse_recorder;

/* Prepares the recorder for graph g and result r (its lists are created here); returns false
 * when out of memory. */
bool rehearse_record_init(rehearse_recorder *rec, const plan_graph *g, rehearse_result *r, rbk_sink out);

/* Returns the sink that records into rec (borrowed). */
rbk_sink rehearse_record_sink(rehearse_recorder *rec);

/* Frees the recorder's index (not the result). */
void rehearse_record_free(rehearse_recorder *rec);

#endif
