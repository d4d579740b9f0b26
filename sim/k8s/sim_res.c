/* sim_res.c — the resource table and its lookups. */
#include "sim_res.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

static const simr_info table[SIMR_COUNT] = {
#define X(e, pl, sg, grp, ver, kind, ns, shortn, gen, all) {pl, sg, grp, ver, kind, ns, shortn, gen, all},
    SIM_RESOURCES(X)
#undef X
};

static const char *const api_versions[SIMR_COUNT] = {
#define X(e, pl, sg, grp, ver, ...) sizeof(grp) > 1 ? grp "/" ver : ver,
    SIM_RESOURCES(X)
#undef X
};

static const char *const qualified[SIMR_COUNT] = {
#define X(e, pl, sg, grp, ...) sizeof(grp) > 1 ? pl "." grp : pl,
    SIM_RESOURCES(X)
#undef X
};

/* Returns the description of a resource kind (borrowed, static). */
const simr_info *sim_res_info_of(simr_kind k) { return &table[k]; }

/* Returns the kind served as `plural` in group/version, or -1. */
int sim_res_find(const char *group, const char *version, const char *plural) {
  for (int i = 0; i < SIMR_COUNT; i++)
    if (!strcmp(table[i].group, group) && !strcmp(table[i].version, version) &&
        !strcmp(table[i].plural, plural))
      return i;
  return -1;
}

/* Returns the kind whose Kind or plural/singular/short name is `name` (case-insensitive), or -1. */
int sim_res_find_name(const char *name) {
  for (int i = 0; i < SIMR_COUNT; i++)
    if (!strcasecmp(table[i].plural, name) || !strcasecmp(table[i].singular, name) ||
        !strcasecmp(table[i].kind, name) || (table[i].short_name[0] && !strcasecmp(table[i].short_name, name)))
      return i;
  return -1;
}

/* Returns "apps/v1" or "v1" (static). */
const char *sim_res_api_version(simr_kind k) { return api_versions[k]; }

/* Returns "deployments.apps" or "configmaps" — the name used in Status messages (static). */
const char *sim_res_qualified(simr_kind k) { return qualified[k]; }
