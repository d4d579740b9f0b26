/* plant_manage.c — Django's `python manage.py showmigrations|migrate` in the GL-001 app image,
 * reading and moving the model's migration state. */
#include <stdlib.h>
#include <string.h>

#include "plant_internal.h"
#include "sim_util.h"

/* Appends showmigrations' output: with plan, "[X]  app.version_name" lines; else grouped by app. */
static int show(const plant_world *w, bool plan, valbuf *o) {
  if (!plan) valbuf_printf(o, "%s\n", w->s.mig_app);
  for (size_t i = 0; i < w->s.nmigs; i++) {
    const plant_migration *m = &w->s.migs[i];
    if (plan)
      valbuf_printf(o, "[%c]  %s.%s_%s\n", m->applied ? 'X' : ' ', w->s.mig_app, m->version,
                      m->name);
    else
      valbuf_printf(o, " [%c] %s_%s\n", m->applied ? 'X' : ' ', m->version, m->name);
  }
  return 0;
}

/* Returns the index of the migration that target names ("20251116120000", its full name, or a
 * unique prefix of the name), -1 for "zero", or -2 when none does. */
static long find_target(const plant_world *w, const char *target) {
  if (strcmp(target, "zero") == 0) return -1;
  long found = -2;
  for (size_t i = 0; i < w->s.nmigs; i++) {
    const plant_migration *m = &w->s.migs[i];
    size_t vn = strlen(m->version);
    bool full = strncmp(target, m->version, vn) == 0 &&
                (target[vn] == '\0' || (target[vn] == '_' && strcmp(target + vn + 1, m->name) == 0));
    if (full) return (long)i;
    if (strncmp(m->name, target, strlen(target)) == 0) found = found == -2 ? (long)i : -3;
  }
  return found == -3 ? -2 : found;
}

/* Applies or unapplies migrations so that exactly those up to index `upto` are applied. */
static void move_to(plant_world *w, long upto, valbuf *o) {
  bool any = false;
  for (size_t i = w->s.nmigs; i-- > 0;) {
    plant_migration *m = &w->s.migs[i];
    if ((long)i <= upto || !m->applied) continue;
    if (!any) valbuf_printf(o, "  Rendering model states... DONE\n");
    valbuf_printf(o, "  Unapplying %s.%s_%s... OK\n", w->s.mig_app, m->version, m->name);
    m->applied = false, any = true;
  }
  for (size_t i = 0; i < w->s.nmigs && (long)i <= upto; i++) {
    plant_migration *m = &w->s.migs[i];
    if (m->applied) continue;
    valbuf_printf(o, "  Applying %s.%s_%s... OK\n", w->s.mig_app, m->version, m->name);
    m->applied = true, m->applied_s = plant_now_s(w), any = true;
  }
  if (!any) valbuf_printf(o, "  No migrations to apply.\n");
}

/* Runs `migrate [app [target]]`; returns the exit status. */
static int migrate(plant_world *w, const char *app, const char *target, valbuf *o, valbuf *e) {
  if (app && strcmp(app, w->s.mig_app) != 0) {
    valbuf_printf(e, "CommandError: No installed app with label '%s'.\n", app);
    return 1;
  }
  long upto = target ? find_target(w, target) : (long)w->s.nmigs - 1;
  if (upto == -2) {
    valbuf_printf(e, "CommandError: Cannot find a migration matching '%s' from app '%s'.\n",
                    target, w->s.mig_app);
    return 1;
  }
  valbuf_printf(o, "Operations to perform:\n");
  if (!target)
    valbuf_printf(o, "  Apply all migrations: %s\n", w->s.mig_app);
  else if (upto < 0)
    valbuf_printf(o, "  Unapply all migrations: %s\n", w->s.mig_app);
  else
    valbuf_printf(o, "  Target specific migration: %s_%s, from %s\n", w->s.migs[upto].version,
                    w->s.migs[upto].name, w->s.mig_app);
  valbuf_printf(o, "Running migrations:\n");
  move_to(w, upto, o);
  return 0;
}

/* Runs manage.py's arguments (argv[0] is the subcommand); returns the exit status. */
int plant_manage_exec(plant_world *w, const char *const *argv, char **out, char **err) {
  valbuf o = {0}, e = {0};
  int status = 0;
  const char *cmd = argv[0];
  size_t n = 0;
  const char *pos[3] = {NULL, NULL, NULL};
  bool plan = false;
  for (size_t i = cmd ? 1 : 0; cmd && argv[i]; i++) {
    if (strcmp(argv[i], "--plan") == 0 || strcmp(argv[i], "-p") == 0) plan = true;
    else if (argv[i][0] != '-' && n < 3) pos[n++] = argv[i];
  }
  if (!cmd) {
    status = 1, valbuf_printf(&e, "Type 'manage.py help <subcommand>' for help.\n");
  } else if (strcmp(cmd, "showmigrations") == 0 && (!pos[0] || !strcmp(pos[0], w->s.mig_app))) {
    status = show(w, plan, &o);
  } else if (strcmp(cmd, "showmigrations") == 0) {
    status = 1, valbuf_printf(&e, "CommandError: No installed app with label '%s'.\n", pos[0]);
  } else if (strcmp(cmd, "migrate") == 0 && n <= 2) {
    status = migrate(w, pos[0], pos[1], &o, &e);
  } else {
    status = 1, valbuf_printf(&e, "Unknown command: '%s'\nType 'manage.py help' for usage.\n", cmd);
  }
  *out = valbuf_take(&o, NULL);
  *err = valbuf_take(&e, NULL);
  return status;
}
