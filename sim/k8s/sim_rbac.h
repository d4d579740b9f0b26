/* sim_rbac.h — the API server's RBAC authoriser, for requests made with a ServiceAccount token
 * (sim_add_token_sa): the Roles, ClusterRoles, RoleBindings and ClusterRoleBindings the simulator
 * stores decide; a request no rule allows gets 403 Forbidden with the API server's message.
 *
 * Ownership: arguments are borrowed; nothing is kept.
 */
#ifndef RBK_SIM_RBAC_H
#define RBK_SIM_RBAC_H

#include <stdbool.h>

#include "sim_api.h"

/* Returns true when the call may go on (no ServiceAccount, or a rule allows it); false after
 * answering 403 Forbidden: `deployments.apps "x" is forbidden: User
 * "system:serviceaccount:ns:name" cannot patch resource "deployments" in API group "apps" in the
 * namespace "ns"`. */
bool sim_rbac_allowed(api_call *c);

#endif
