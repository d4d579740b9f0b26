/* actions_script.h — a scripted, deterministic implementation of actions.h for tests and benches.
 *
 * A script is JSON:
 *   {"default_delay": "100ms",                      optional, for answers without "delay"
 *    "answers": [
 *      {"action": "get", "target": "GET /api/v1/health*",   globs (fnmatch), both optional
 *       "results": [{"value": {"status": "ok"}, "delay": "2s"},
 *                   {"error": "503 Service Unavailable", "delay": "100ms"}]}, …]}
 * The first answer whose action and target patterns match a call answers it; successive calls to
 * the same answer take its results in order and then repeat the last one. A result is
 * {"value": JSON} or {"error": "text"}, with an optional "delay" (a duration string or ms). A call
 * that no answer matches fails with "no scripted answer for ACTION TARGET". Notifications always
 * succeed after the default delay unless an answer with "action": "notify" and a target glob on
 * the channel's description says otherwise.
 *
 * Handles made by the constructors describe themselves as "cluster NAMESPACE", "endpoint
 * BASE_URL", "service NAME", "channel slack #x", … and actions describe their target as a real
 * transport would: the ref ("deployment/x"), "METHOD PATH" for endpoints, the argv for run(),
 * the path for write_file, the kind and selectors for list/wait_*.
 *
 * Every call is recorded as one line "T_MS start|cancel|notify ACTION TARGET" (see
 * actions_script_log); with a real clock, poll() sleeps until the next completion is due.
 *
 * Ownership: the returned interface owns its state; free it with its free() member.
 */
#ifndef RBK_ACTIONS_SCRIPT_H
#define RBK_ACTIONS_SCRIPT_H

#include <jansson.h>

#include "actions.h"

/* Returns scripted actions answering from `script` (borrowed; NULL = no answers), or NULL with
 * *err set when the script is malformed. */
rbk_actions *actions_script_new(const json_t *script, char **err);

/* Returns scripted actions loaded from the JSON file `path`, or NULL with *err set. */
rbk_actions *actions_script_load(const char *path, char **err);

/* Returns the log of calls so far, one line per call (borrowed; valid until the next call into
 * the actions). */
const char *actions_script_log(const rbk_actions *a);

/* Returns the number of operations started so far (actions and notifications). */
size_t actions_script_calls(const rbk_actions *a);

#endif
