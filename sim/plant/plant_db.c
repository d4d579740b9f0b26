/* plant_db.c — the GL-001 database as the seed's commands see it: psql queries on the database
 * pod, pg_dump, and Django's manage.py showmigrations / migrate in the app image. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "plant_internal.h"
#include "sim_util.h"

/* Returns the database's active connections now (running GL-001 app pods × per pod). */
int64_t plant_db_connections(const plant_world *w, const plant_cluster_view *v) {
  plant_pods pods;
  if (plant_pods_list(v, w->s.ns, NULL, &pods)) return 0;
  size_t n = strlen(w->s.image_repo);
  int64_t running = 0;
  for (size_t i = 0; i < pods.len; i++)
    running += pods.items[i].running && strncmp(pods.items[i].image, w->s.image_repo, n) == 0 &&
               pods.items[i].image[n] == ':';
  plant_pods_free(&pods);
  return running * w->s.connections_per_pod;
}

/* Appends a psql-style aligned table (ncols columns, nrows rows of cells, row-major) to b. */
static void print_table(valbuf *b, const char *const *head, size_t ncols, const char *const *cells,
                        size_t nrows) {
  size_t width[8] = {0};
  for (size_t c = 0; c < ncols; c++) {
    width[c] = strlen(head[c]);
    for (size_t r = 0; r < nrows; r++)
      if (strlen(cells[r * ncols + c]) > width[c]) width[c] = strlen(cells[r * ncols + c]);
  }
  for (size_t c = 0; c < ncols; c++) {
    size_t pad = width[c] - strlen(head[c]), left = pad / 2;
    valbuf_printf(b, "%s %*s%s%*s ", c ? "|" : "", (int)left, "", head[c], (int)(pad - left), "");
  }
  valbuf_put(b, "\n", 1);
  for (size_t c = 0; c < ncols; c++) {
    valbuf_put(b, c ? "+" : "", c ? 1 : 0);
    for (size_t k = 0; k < width[c] + 2; k++) valbuf_put(b, "-", 1);
  }
  valbuf_put(b, "\n", 1);
  for (size_t r = 0; r < nrows; r++) {
    for (size_t c = 0; c < ncols; c++)
      valbuf_printf(b, "%s %-*s ", c ? "|" : "", (int)width[c], cells[r * ncols + c]);
    valbuf_put(b, "\n", 1);
  }
  valbuf_printf(b, "(%zu row%s)\n\n", nrows, nrows == 1 ? "" : "s");
}

/* Writes epoch seconds t as PostgreSQL prints a timestamptz into out[32]. */
static void pg_time(int64_t t, char out[32]) {
  sim_util_time_rfc3339(t * 1000, out);
  out[10] = ' ';
  strcpy(out + 19, "+00");
}

/* Appends the newest `limit` applied migrations as a table; returns 0. */
static int query_migrations(const plant_world *w, long limit, valbuf *b) {
  const char *head[] = {"version", "name", "applied_at"};
  char times[64][32];
  const char *cells[64 * 3];
  size_t rows = 0;
  for (size_t i = w->s.nmigs; i-- > 0 && rows < 64 && (limit < 0 || (long)rows < limit);) {
    const plant_migration *m = &w->s.migs[i];
    if (!m->applied) continue;
    pg_time(m->applied_s, times[rows]);
    cells[rows * 3] = m->version, cells[rows * 3 + 1] = m->name, cells[rows * 3 + 2] = times[rows];
    rows++;
  }
  print_table(b, head, 3, cells, rows);
  return 0;
}

/* Returns the lower-cased copy of s with runs of white space folded to one space (caller frees). */
static char *normalize_sql(const char *s) {
  char *out = malloc(strlen(s) + 1), *o = out;
  if (!out) return NULL;
  for (; *s; s++) {
    if (isspace((unsigned char)*s)) {
      if (o > out && o[-1] != ' ') *o++ = ' ';
    } else {
      *o++ = (char)tolower((unsigned char)*s);
    }
  }
  *o = '\0';
  return out;
}

/* Runs one SQL command against database db; returns psql's exit status. */
static int run_sql(plant_world *w, const plant_cluster_view *v, const char *db, const char *sql,
                   valbuf *out, valbuf *err) {
  char *q = normalize_sql(sql);
  int status = 0;
  const char *limit = q ? strstr(q, " limit ") : NULL;
  if (q && strstr(q, "from schema_migrations")) {
    if (strcmp(db, w->s.db_name) != 0)
      status = 1, valbuf_printf(err, "ERROR:  relation \"schema_migrations\" does not exist\n");
    else
      query_migrations(w, limit ? strtol(limit + 7, NULL, 10) : -1, out);
  } else if (q && strstr(q, "from pg_stat_activity") && strstr(q, "count(")) {
    char count[32];
    snprintf(count, sizeof count, "%lld", (long long)plant_db_connections(w, v));
    const char *head[] = {"count"}, *cells[] = {count};
    print_table(out, head, 1, cells, 1);
  } else if (q && strncmp(q, "select 1", 8) == 0) {
    const char *head[] = {"?column?"}, *cells[] = {"1"};
    print_table(out, head, 1, cells, 1);
  } else {
    status = 1;
    valbuf_printf(err, "ERROR:  the simulated database answers SELECT … FROM schema_migrations "
                         "[ORDER BY … LIMIT n], SELECT COUNT(*) FROM pg_stat_activity …, and "
                         "SELECT 1\n");
  }
  free(q);
  return status;
}

/* The options of psql and pg_dump that the model reads. */
typedef struct {
  const char *user, *db, *cmd;
  const char *bad; /* an option it does not know */
} pg_args;

/* Returns true when s is one of the NULL-terminated names. */
static bool one_of(const char *s, const char *const *names) {
  for (; *names; names++)
    if (strcmp(s, *names) == 0) return true;
  return false;
}

/* Parses psql/pg_dump options (-U, -d, -c, -h, -p, a few flags; a positional database name). */
static pg_args parse_pg(const char *const *argv) {
  static const char *const user[] = {"-U", "--username", NULL}, *const db[] = {"-d", "--dbname", NULL},
                           *const cmd[] = {"-c", "--command", NULL},
                           *const ignored[] = {"-h", "--host", "-p", "--port", NULL},
                           *const flags[] = {"-t", "-A", "-q", "-X", "-w", "-x", "--no-psqlrc", NULL};
  pg_args a = {NULL, NULL, NULL, NULL};
  for (size_t i = 1; argv[i] && !a.bad; i++) {
    const char *s = argv[i], *next = argv[i + 1];
    bool takes = one_of(s, user) || one_of(s, db) || one_of(s, cmd) || one_of(s, ignored);
    if (takes && !next) a.bad = s;
    else if (takes && one_of(s, user)) a.user = argv[++i];
    else if (takes && one_of(s, db)) a.db = argv[++i];
    else if (takes && one_of(s, cmd)) a.cmd = argv[++i];
    else if (takes) i++;
    else if (s[0] != '-') a.db = s;
    else if (!one_of(s, flags)) a.bad = s;
  }
  return a;
}

/* Returns true when database db exists (the app's, postgres, template1). */
static bool db_exists(const plant_world *w, const char *db) {
  return !strcmp(db, w->s.db_name) || !strcmp(db, "postgres") || !strcmp(db, "template1");
}

/* Appends a plausible dump of the app database to b. */
static void dump(const plant_world *w, valbuf *b) {
  valbuf_printf(b, "--\n-- PostgreSQL database dump\n--\n\n-- Dumped from database version "
                     "15.4\n-- Dumped by pg_dump version 15.4\n\nSET statement_timeout = 0;\n"
                     "SET client_encoding = 'UTF8';\nSET standard_conforming_strings = on;\n\n"
                     "CREATE TABLE public.schema_migrations (\n    version character varying(14) "
                     "NOT NULL,\n    name text NOT NULL,\n    applied_at timestamp with time zone "
                     "NOT NULL\n);\n\nCREATE TABLE public.plants (\n    plant_id text NOT NULL,\n"
                     "    name text NOT NULL,\n    heat_demand_mw numeric NOT NULL,\n"
                     "    backup_capacity_mw numeric NOT NULL\n);\n\n"
                     "COPY public.schema_migrations (version, name, applied_at) FROM stdin;\n");
  for (size_t i = 0; i < w->s.nmigs; i++) {
    char t[32];
    pg_time(w->s.migs[i].applied_s, t);
    if (w->s.migs[i].applied)
      valbuf_printf(b, "%s\t%s\t%s\n", w->s.migs[i].version, w->s.migs[i].name, t);
  }
  valbuf_printf(b, "\\.\n\nCOPY public.plants (plant_id, name, heat_demand_mw, "
                     "backup_capacity_mw) FROM stdin;\n");
  for (int p = 0; p < PLANT_COUNT; p++)
    valbuf_printf(b, "%s\t%s\t%g\t%g\n", w->s.plants[p].id, w->s.plants[p].name,
                    plant_heat_demand(w, p), w->s.plants[p].backup_capacity_mw);
  valbuf_printf(b, "\\.\n\n--\n-- PostgreSQL database dump complete\n--\n\n");
}

/* Runs psql/pg_dump argv on the database pod; returns the exit status. */
int plant_db_exec(plant_world *w, const plant_cluster_view *v, const char *const *argv, char **out,
                  char **err) {
  valbuf o = {0}, e = {0};
  const char *prog = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
  bool is_dump = strcmp(prog, "pg_dump") == 0;
  pg_args a = parse_pg(argv);
  const char *db = a.db ? a.db : a.user ? a.user : "postgres";
  int status = 0;
  if (a.bad) {
    status = 1, valbuf_printf(&e, "%s: error: unsupported option \"%s\"\n", prog, a.bad);
  } else if (!db_exists(w, db)) {
    status = is_dump ? 1 : 2;
    valbuf_printf(&e, "%s: error: connection to server on socket \"/var/run/postgresql/"
                        ".s.PGSQL.5432\" failed: FATAL:  database \"%s\" does not exist\n", prog, db);
  } else if (is_dump) {
    dump(w, &o);
  } else if (!a.cmd) {
    status = 1, valbuf_printf(&e, "psql: the simulated psql needs -c \"SQL\" (no terminal)\n");
  } else {
    status = run_sql(w, v, db, a.cmd, &o, &e);
  }
  *out = valbuf_take(&o, NULL);
  *err = valbuf_take(&e, NULL);
  return status;
}
