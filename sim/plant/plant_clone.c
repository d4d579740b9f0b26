/* plant_clone.c — exact copies of the plant model: its settings and its state. */
#include <stdlib.h>
#include <string.h>

#include "plant_internal.h"
#include "sim_jcopy.h"

/* Returns a copy of s (NULL stays NULL), clearing *ok when out of memory. */
static char *copy_str(const char *s, bool *ok) {
  char *c = s ? strdup(s) : NULL;
  if (s && !c) *ok = false;
  return c;
}

/* Returns a zeroed array of n elements of size sz (NULL when n is 0), clearing *ok when out of
 * memory. */
static void *zeroed(size_t n, size_t sz, bool *ok) {
  void *p = n ? calloc(n, sz) : NULL;
  if (n && !p) *ok = false;
  return p;
}

/* Copies the lists of d (already a shallow copy of s, lists emptied) from s: each list is
 * counted as soon as it is allocated (zeroed), so plant_settings_free frees a partial copy. */
static void settings_lists(plant_settings *d, const plant_settings *s, sim_jcopy *m, bool *ok) {
  if ((d->agents = zeroed(s->nagents, sizeof *d->agents, ok))) d->nagents = s->nagents;
  for (size_t i = 0; i < d->nagents; i++)
    d->agents[i] = s->agents[i], d->agents[i].deployment = copy_str(s->agents[i].deployment, ok);
  if ((d->bad = zeroed(s->nbad, sizeof *d->bad, ok))) d->nbad = s->nbad;
  for (size_t i = 0; i < d->nbad; i++) d->bad[i] = s->bad[i], d->bad[i].image = copy_str(s->bad[i].image, ok);
  if ((d->versions = zeroed(s->nversions, sizeof *d->versions, ok))) d->nversions = d->versions_cap = s->nversions;
  for (size_t i = 0; i < d->nversions; i++) {
    d->versions[i] = s->versions[i];
    d->versions[i].version = copy_str(s->versions[i].version, ok), d->versions[i].build_time = copy_str(s->versions[i].build_time, ok);
  }
  if ((d->groups = zeroed(s->ngroups, sizeof *d->groups, ok))) d->ngroups = s->ngroups;
  for (size_t i = 0; i < d->ngroups; i++)
    d->groups[i] = s->groups[i], d->groups[i].id = copy_str(s->groups[i].id, ok),
    d->groups[i].agents = sim_jcopy_value(m, s->groups[i].agents);
  if ((d->entry_faults = zeroed(s->nentry_faults, sizeof *d->entry_faults, ok))) d->nentry_faults = s->nentry_faults;
  for (size_t i = 0; i < d->nentry_faults; i++)
    d->entry_faults[i] = s->entry_faults[i], d->entry_faults[i].key = copy_str(s->entry_faults[i].key, ok),
    d->entry_faults[i].bad = sim_jcopy_value(m, s->entry_faults[i].bad);
  if ((d->migs = zeroed(s->nmigs, sizeof *d->migs, ok))) d->nmigs = s->nmigs;
  for (size_t i = 0; i < d->nmigs; i++)
    d->migs[i] = s->migs[i], d->migs[i].version = copy_str(s->migs[i].version, ok), d->migs[i].name = copy_str(s->migs[i].name, ok);
}

/* Makes d an exact copy of s (every number, text, list and JSON value); false when out of memory
 * (d is then a partial copy that plant_settings_free releases). */
static bool settings_clone(plant_settings *d, const plant_settings *s, sim_jcopy *m) {
  *d = *s; /* the numbers and the plants' specs; every owning field is replaced below */
  d->nagents = d->nbad = d->nversions = d->versions_cap = d->ngroups = d->nentry_faults = d->nmigs = 0;
  bool ok = true;
  char **to[] = {&d->ns,        &d->service,       &d->image_repo, &d->app_pod_prefix,   &d->db_pod_prefix,
                 &d->agent_version, &d->config_map, &d->config_annotation, &d->plant_config_map, &d->db_name,
                 &d->db_user,   &d->db_secret,     &d->db_password_key, &d->db_password, &d->mig_app};
  const char *from[] = {s->ns,        s->service,       s->image_repo, s->app_pod_prefix,   s->db_pod_prefix,
                        s->agent_version, s->config_map, s->config_annotation, s->plant_config_map, s->db_name,
                        s->db_user,   s->db_secret,     s->db_password_key, s->db_password, s->mig_app};
  for (size_t i = 0; i < sizeof to / sizeof *to; i++) *to[i] = copy_str(from[i], &ok);
  for (int p = 0; p < PLANT_COUNT; p++) {
    d->plants[p].id = copy_str(s->plants[p].id, &ok), d->plants[p].name = copy_str(s->plants[p].name, &ok);
    d->plants[p].backup_type = copy_str(s->plants[p].backup_type, &ok);
  }
  d->config_good = sim_jcopy_value(m, s->config_good);
  settings_lists(d, s, m, &ok);
  return ok && !sim_jcopy_failed(m);
}

/* Returns a new world that is an exact copy of w, its JSON copied with m; NULL with *err set (caller
 * frees) when out of memory. */
plant_world *plant_clone(const plant_world *w, sim_jcopy *m, char **err) {
  plant_world *c = malloc(sizeof *c);
  if (!c) return *err = strdup("out of memory"), NULL;
  *c = *w; /* seed, start and clocks, causes, flags; every pointer is replaced below */
  for (int p = 0; p < PLANT_COUNT; p++) c->plants[p].isolate_reason = NULL;
  c->agents = NULL;
  bool ok = settings_clone(&c->s, &w->s, m);
  if (ok && (c->agents = zeroed(w->s.nagents, sizeof *c->agents, &ok))) /* as many as c->s.nagents */
    for (size_t i = 0; i < w->s.nagents; i++) c->agents[i] = w->agents[i], c->agents[i].version = copy_str(w->agents[i].version, &ok);
  for (int p = 0; p < PLANT_COUNT; p++) c->plants[p].isolate_reason = copy_str(w->plants[p].isolate_reason, &ok);
  c->seen_pods = sim_jcopy_value(m, w->seen_pods), c->config = sim_jcopy_value(m, w->config);
  c->plant_configs = sim_jcopy_value(m, w->plant_configs), c->plant_entries = sim_jcopy_value(m, w->plant_entries);
  c->config_good = sim_jcopy_value(m, w->config_good), c->webhooks = sim_jcopy_value(m, w->webhooks);
  c->idem = sim_jcopy_value(m, w->idem);
  if (ok && !sim_jcopy_failed(m)) return c;
  plant_free(c);
  return *err = strdup("out of memory"), NULL;
}
