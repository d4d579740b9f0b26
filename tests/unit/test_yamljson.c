/* test_yamljson.c — YAML text <-> jansson values. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "yamljson.h"

/* What a case does with its text. */
typedef enum { YJ_PARSE, YJ_FAILS, YJ_EMIT } yj_mode;

/* One case: its mode, what it shows, the text given and the text wanted. */
typedef struct {
  yj_mode mode;
  const char *about, *in, *want;
} yj_case;

/* Fails the test naming the case when got is not c->want. */
static void assert_want(const yj_case *c, const char *got) {
  if (!got || strcmp(got, c->want)) fail_msg("%s: got \"%s\", want \"%s\"", c->about, got ? got : "(null)", c->want);
}

/* Asserts that the YAML text c->in parses to the JSON text c->want (compact). */
static void assert_yaml(const yj_case *c) {
  char *err = NULL;
  json_t *j = yamljson_parse(c->in, strlen(c->in), &err);
  if (!j) fail_msg("%s: parse failed: %s", c->about, err);
  char *got = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
  assert_want(c, got);
  free(got);
  json_decref(j);
}

/* Asserts that the YAML text c->in fails to parse with the message c->want. */
static void assert_yaml_fails(const yj_case *c) {
  char *err = NULL;
  json_t *j = yamljson_parse(c->in, strlen(c->in), &err);
  if (j) fail_msg("%s: parsed, want an error", c->about);
  assert_want(c, err);
  free(err);
}

/* Asserts that the JSON text c->in emits as the YAML text c->want. */
static void assert_emit(const yj_case *c) {
  json_error_t e;
  json_t *j = json_loads(c->in, JSON_DECODE_ANY, &e);
  if (!j) fail_msg("%s: bad JSON: %s", c->about, e.text);
  char *err = NULL, *got = yamljson_emit(j, &err);
  if (!got) fail_msg("%s: emit failed: %s", c->about, err);
  assert_want(c, got);
  free(got);
  json_decref(j);
}

/* The cases: YAML texts parsed to compact JSON (YJ_PARSE), YAML texts refused with a message
 * (YJ_FAILS), JSON texts emitted as YAML (YJ_EMIT). */
static const yj_case cases[] = {
    {YJ_PARSE, "plain scalars follow the core schema",
     "[~, null, Null, true, False, 12, -3, 0o17, 0x1F, 1.5, .5, 1e3, -2.5E-1, yes, on, 1.5.0, 012]",
     "[null,null,null,true,false,12,-3,15,31,1.5,0.5,1000.0,-0.25,\"yes\",\"on\",\"1.5.0\",12]"},
    {YJ_PARSE, "quoted scalars stay strings",
     "a: '12'\nb: \"true\"\nc: 'null'\nd: |\n  x\n  y\n",
     "{\"a\":\"12\",\"b\":\"true\",\"c\":\"null\",\"d\":\"x\\ny\\n\"}"},
    {YJ_PARSE, "empty value is null", "a:\nb: ~\n", "{\"a\":null,\"b\":null}"},
    {YJ_PARSE, "empty value is null", "", "null"},
    {YJ_PARSE, "mapping keeps key order",
     "zeta: 1\nalpha: 2\nmid: {x: [1, 2]}\n",
     "{\"zeta\":1,\"alpha\":2,\"mid\":{\"x\":[1,2]}}"},
    {YJ_PARSE, "standard tags force a type",
     "[!!str 12, !!float 3, !!int '7', !!bool 'true', !!null '']",
     "[\"12\",3.0,7,true,null]"},
    {YJ_PARSE, "anchors and aliases are resolved",
     "base: &b {image: nginx, port: 80}\ncopy: *b\nname: &n web\nagain: *n\n",
     "{\"base\":{\"image\":\"nginx\",\"port\":80},\"copy\":{\"image\":\"nginx\",\"port\":80},"
     "\"name\":\"web\",\"again\":\"web\"}"},
    {YJ_FAILS, "alias to enclosing node is an error",
     "a: &x [1, *x]\n",
     "invalid YAML at line 1 column 11: alias to a node that contains it: \"x\""},
    {YJ_FAILS, "undefined alias is an error", "a: 1\nb: *nope\n", "invalid YAML at line 2 column 4: undefined alias \"nope\""},
    {YJ_FAILS, "duplicate key is an error", "a: 1\nb: 2\na: 3\n", "invalid YAML at line 3 column 1: duplicate key \"a\""},
    {YJ_FAILS, "syntax error names line and column",
     "a: b: c\n",
     "invalid YAML at line 1 column 5: mapping values are not allowed in this context"},
    {YJ_FAILS, "syntax error names line and column",
     "a: [1, 2\n",
     "invalid YAML at line 2 column 1: did not find expected ',' or ']' (while parsing a flow sequence)"},
    {YJ_FAILS, "unrepresentable numbers are errors",
     "x: .inf\n",
     "invalid YAML at line 1 column 4: infinity and NaN cannot be represented in JSON \".inf\""},
    {YJ_FAILS, "unrepresentable numbers are errors",
     "x: 99999999999999999999\n",
     "invalid YAML at line 1 column 4: integer out of range (int64) \"99999999999999999999\""},
    {YJ_FAILS, "unknown tag is an error", "x: !Ref thing\n", "invalid YAML at line 1 column 4: unsupported tag \"!Ref\""},
    {YJ_FAILS, "complex key is an error", "? [a, b]\n: 1\n", "invalid YAML at line 1 column 3: mapping keys must be scalars"},
    {YJ_FAILS, "several documents single parse refuses", "---\na: 1\n---\nb: 2\n", "expected one YAML document, found 2"},
    {YJ_EMIT, "emit mapping is block style",
     "{\"metadata\":{\"name\":\"web\",\"labels\":{\"app\":\"web\"}},\"ports\":[80,443],\"on\":true}",
     "metadata:\n  name: web\n  labels:\n    app: web\nports:\n- 80\n- 443\n'on': true\n"},
    {YJ_EMIT, "emit ambiguous strings are quoted",
     "[\"true\",\"12\",\"1.5\",\"null\",\"yes\",\"\",\"1.5.0\",\"012\",\"plain\",\"~\"]",
     "- 'true'\n- '12'\n- '1.5'\n- 'null'\n- 'yes'\n- ''\n- '1.5.0'\n- '012'\n- plain\n- '~'\n"},
    {YJ_EMIT, "emit multiline string uses literal style",
     "{\"script\":\"set -e\\necho hi\\n\"}",
     "script: |\n  set -e\n  echo hi\n"},
    {YJ_EMIT, "emit numbers keep their type",
     "[1, 2.0, 85.3, 1e300, null, false]",
     "- 1\n- 2.0\n- 85.3\n- 1.0e+300\n- null\n- false\n"},
    {YJ_EMIT, "emit empty collections use flow style", "{\"a\":[],\"b\":{}}", "a: []\nb: {}\n"},
};

/* Every case of the table, each by its mode. */
static void yamljson__cases__give_their_output(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    const yj_case *c = &cases[i];
    if (c->mode == YJ_PARSE) assert_yaml(c);
    else if (c->mode == YJ_FAILS) assert_yaml_fails(c);
    else assert_emit(c);
  }
}

static void yamljson__alias_bomb__is_refused(void **state) {
  (void)state;
  char text[1024] = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
  for (char c = 'b'; c <= 'h'; c++) {
    char line[128];
    snprintf(line, sizeof line, "%c: &%c [*%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c]\n", c, c, c - 1, c - 1,
             c - 1, c - 1, c - 1, c - 1, c - 1, c - 1, c - 1, c - 1);
    strcat(text, line);
  }
  char *err = NULL;
  json_t *j = yamljson_parse(text, strlen(text), &err);
  assert_null(j);
  assert_non_null(strstr(err, "expands to more than 1000000 nodes"));
  free(err);
}

static void yamljson__parse_all__returns_every_document(void **state) {
  (void)state;
  const char *text = "kind: Deployment\n---\nkind: Service\n---\n";
  char *err = NULL;
  json_t *docs = yamljson_parse_all(text, strlen(text), &err);
  assert_non_null(docs);
  char *got = json_dumps(docs, JSON_COMPACT);
  assert_string_equal(got, "[{\"kind\":\"Deployment\"},{\"kind\":\"Service\"},null]");
  free(got);
  json_decref(docs);
}

static void yamljson__anchors__do_not_cross_documents(void **state) {
  (void)state;
  const char *text = "a: &x 1\n---\nb: *x\n";
  char *err = NULL;
  assert_null(yamljson_parse_all(text, strlen(text), &err));
  assert_string_equal(err, "invalid YAML at line 3 column 4: undefined alias \"x\"");
  free(err);
}

static void yamljson__emit_then_parse__round_trips(void **state) {
  (void)state;
  const char *json = "{\"s\":[\"true\",\"0x10\",\"a: b\",\"- x\",\"#c\",\"line\\nbreak\",\"tab\\there\",\"ünïcode\"],"
                     "\"n\":[0,-1,1.25,1e-7],\"o\":{\"nested\":{\"deep\":[{\"k\":null}]}}}";
  json_error_t e;
  json_t *j = json_loads(json, 0, &e);
  char *err = NULL, *yaml = yamljson_emit(j, &err);
  assert_non_null(yaml);
  json_t *back = yamljson_parse(yaml, strlen(yaml), &err);
  if (!back) fail_msg("reparse failed: %s\n%s", err, yaml);
  assert_true(json_equal(j, back));
  free(yaml);
  json_decref(j);
  json_decref(back);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(yamljson__cases__give_their_output),
      cmocka_unit_test(yamljson__alias_bomb__is_refused),
      cmocka_unit_test(yamljson__parse_all__returns_every_document),
      cmocka_unit_test(yamljson__anchors__do_not_cross_documents),
      cmocka_unit_test(yamljson__emit_then_parse__round_trips),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
