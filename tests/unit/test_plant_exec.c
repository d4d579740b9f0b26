/* test_plant_exec.c — commands answered in the simulated pods: psql and pg_dump on postgresql-0,
 * curl against localhost:8000 in the app pods, and unknown commands. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "test_plant_fake.h"

#define SEC 1000LL
#define APP_POD MASTER "-00000"

typedef struct {
  fake_cluster fc;
  plant_world *w;
  char *out, *err;
} fixture;

/* Sets up the bad-release world. */
static int setup(void **state) {
  fixture *f = calloc(1, sizeof *f);
  fake_seed_world(&f->fc, IMG("1.5.0"));
  char *err = NULL;
  f->w = plant_new(NULL, 42, &err);
  *state = f;
  return f->w ? 0 : -1;
}

/* Releases the fixture. */
static int teardown(void **state) {
  fixture *f = *state;
  free(f->out), free(f->err);
  plant_free(f->w);
  fake_free(&f->fc);
  free(f);
  return 0;
}

/* Runs argv in pod at t; returns the exit status, keeps the output in f. */
static int run(fixture *f, long long t, const char *pod, const char *const *argv) {
  free(f->out), free(f->err);
  return plant_exec(f->w, &f->fc.view, t, NS, pod, argv, &f->out, &f->err);
}

static void exec__psql_counts_connections_that_follow_the_pods(void **state) {
  fixture *f = *state;
  const char *argv[] = {"psql", "-U", "postgres", "-c",
                        "SELECT COUNT(*) FROM pg_stat_activity WHERE datname='gl001_production' "
                        "AND state='active';", NULL};
  assert_int_equal(run(f, T0_MS, "postgresql-0", argv), 0);
  assert_string_equal(f->out, " count \n-------\n 6     \n(1 row)\n\n");
  fake_remove_pods(&f->fc, MASTER);
  assert_int_equal(run(f, T0_MS + 60 * SEC, "postgresql-0", argv), 0);
  assert_non_null(strstr(f->out, "\n 0     \n"));
}

static void exec__psql_lists_schema_migrations_newest_first(void **state) {
  fixture *f = *state;
  const char *argv[] = {"psql", "-U", "gl001_user", "-d", "gl001_production", "-c",
                        "SELECT * FROM schema_migrations ORDER BY version DESC LIMIT 2;", NULL};
  assert_int_equal(run(f, T0_MS, "postgresql-0", argv), 0);
  const char *first = strstr(f->out, "20251117143000"), *second = strstr(f->out, "20251116120000");
  assert_non_null(first);
  assert_non_null(second);
  assert_true(first < second);
  assert_null(strstr(f->out, "20251103164500"));
  assert_non_null(strstr(f->out, "(2 rows)"));
  const char *wrongdb[] = {"psql", "-U", "gl001_user", "-d", "nope", "-c", "SELECT 1", NULL};
  assert_int_equal(run(f, T0_MS, "postgresql-0", wrongdb), 2);
  assert_non_null(strstr(f->err, "database \"nope\" does not exist"));
  const char *other[] = {"psql", "-c", "DROP TABLE plants", NULL};
  assert_int_equal(run(f, T0_MS, "postgresql-0", other), 1);
  assert_non_null(strstr(f->err, "ERROR:"));
}

static void exec__pg_dump_writes_a_dump(void **state) {
  fixture *f = *state;
  const char *argv[] = {"pg_dump", "-U", "gl001_user", "gl001_production", NULL};
  assert_int_equal(run(f, T0_MS, "postgresql-0", argv), 0);
  assert_int_equal(strncmp(f->out, "--\n-- PostgreSQL database dump\n", 31), 0);
  assert_non_null(strstr(f->out, "COPY public.schema_migrations (version, name, applied_at) FROM stdin;\n"
                                 "20251020090000\tinitial_schema\t"));
  assert_non_null(strstr(f->out, "Plant-005\tWestgate CHP\t60\t40\n"));
  assert_non_null(strstr(f->out, "-- PostgreSQL database dump complete"));
}

static void exec__curl_in_app_pod_answers_like_http(void **state) {
  fixture *f = *state;
  const char *argv[] = {"curl", "-s", "http://localhost:8000/api/v1/plants/critical-heat-status", NULL};
  assert_int_equal(run(f, T0_MS, APP_POD, argv), 0);
  json_t *j = json_loads(f->out, 0, NULL);
  assert_non_null(j);
  assert_int_equal(json_array_size(json_object_get(j, "plants")), 5);
  json_decref(j);
  const char *post[] = {"curl", "-X", "POST", "http://localhost:8000/api/v1/plants/Plant-003/isolate",
                        "-H", "Content-Type: application/json", "-d",
                        "{\"reason\": \"partial_rollback\", \"maintain_heat\": true}", NULL};
  assert_int_equal(run(f, T0_MS, APP_POD, post), 0);
  assert_non_null(strstr(f->out, "\"status\":\"isolated\""));
  const char *verify[] = {"curl", "-sf", "-X", "POST",
                          "http://localhost:8000/api/v1/test/post-rollback-verification", NULL};
  assert_int_equal(run(f, T0_MS, APP_POD, verify), 22);
  assert_string_equal(f->out, "");
  assert_string_equal(f->err, "curl: (22) The requested URL returned error: 500\n");
  const char *away[] = {"curl", "-s", "http://example.com/", NULL};
  assert_int_equal(run(f, T0_MS, APP_POD, away), 7);
  const char *opt[] = {"curl", "--compressed", "http://localhost:8000/api/v1/health", NULL};
  assert_int_equal(run(f, T0_MS, APP_POD, opt), 2);
}

static void exec__unknown_commands_are_127(void **state) {
  fixture *f = *state;
  const char *ls[] = {"ls", "-l", NULL};
  assert_int_equal(run(f, T0_MS, APP_POD, ls), 127);
  assert_string_equal(f->err, "ls: command not found\n");
  const char *sh[] = {"sh", "-c", "curl -s http://localhost:8000/api/v1/health", NULL};
  assert_int_equal(run(f, T0_MS, APP_POD, sh), 127);
  assert_non_null(strstr(f->err, "without a shell"));
  const char *psql[] = {"psql", "-c", "SELECT 1", NULL};
  assert_int_equal(run(f, T0_MS, APP_POD, psql), 127); /* not on the app pod */
  const char *curl[] = {"curl", "http://localhost:8000/api/v1/health", NULL};
  assert_int_equal(run(f, T0_MS, "postgresql-0", curl), 127);
  const char *manage[] = {"python", "manage.py", "migrate", "nope", NULL};
  assert_int_equal(run(f, T0_MS, APP_POD, manage), 1);
  assert_string_equal(f->err, "CommandError: No installed app with label 'nope'.\n");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(exec__psql_counts_connections_that_follow_the_pods, setup, teardown),
      cmocka_unit_test_setup_teardown(exec__psql_lists_schema_migrations_newest_first, setup, teardown),
      cmocka_unit_test_setup_teardown(exec__pg_dump_writes_a_dump, setup, teardown),
      cmocka_unit_test_setup_teardown(exec__curl_in_app_pod_answers_like_http, setup, teardown),
      cmocka_unit_test_setup_teardown(exec__unknown_commands_are_127, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
