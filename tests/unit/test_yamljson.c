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

/* Asserts that the YAML text parses to the JSON text `want` (compact). */
static void assert_yaml(const char *yaml, const char *want) {
  char *err = NULL;
  json_t *j = yamljson_parse(yaml, strlen(yaml), &err);
  if (!j) fail_msg("parse failed: %s", err);
  char *got = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
  assert_string_equal(got, want);
  free(got);
  json_decref(j);
}

/* Asserts that the YAML text fails to parse with the message `want`. */
static void assert_yaml_fails(const char *yaml, const char *want) {
  char *err = NULL;
  json_t *j = yamljson_parse(yaml, strlen(yaml), &err);
  assert_null(j);
  assert_non_null(err);
  assert_string_equal(err, want);
  free(err);
}

/* Asserts that the JSON text emits as the YAML text `want`. */
static void assert_emit(const char *json, const char *want) {
  json_error_t e;
  json_t *j = json_loads(json, JSON_DECODE_ANY, &e);
  assert_non_null(j);
  char *err = NULL, *got = yamljson_emit(j, &err);
  if (!got) fail_msg("emit failed: %s", err);
  assert_string_equal(got, want);
  free(got);
  json_decref(j);
}

static void yamljson__plain_scalars__follow_the_core_schema(void **state) {
  (void)state;
  assert_yaml("[~, null, Null, true, False, 12, -3, 0o17, 0x1F, 1.5, .5, 1e3, -2.5E-1, yes, on, 1.5.0, 012]",
              "[null,null,null,true,false,12,-3,15,31,1.5,0.5,1000.0,-0.25,\"yes\",\"on\",\"1.5.0\",12]");
}

static void yamljson__quoted_scalars__stay_strings(void **state) {
  (void)state;
  assert_yaml("a: '12'\nb: \"true\"\nc: 'null'\nd: |\n  x\n  y\n", "{\"a\":\"12\",\"b\":\"true\",\"c\":\"null\",\"d\":\"x\\ny\\n\"}");
}

static void yamljson__empty_value__is_null(void **state) {
  (void)state;
  assert_yaml("a:\nb: ~\n", "{\"a\":null,\"b\":null}");
  assert_yaml("", "null");
}

static void yamljson__mapping__keeps_key_order(void **state) {
  (void)state;
  assert_yaml("zeta: 1\nalpha: 2\nmid: {x: [1, 2]}\n", "{\"zeta\":1,\"alpha\":2,\"mid\":{\"x\":[1,2]}}");
}

static void yamljson__standard_tags__force_a_type(void **state) {
  (void)state;
  assert_yaml("[!!str 12, !!float 3, !!int '7', !!bool 'true', !!null '']", "[\"12\",3.0,7,true,null]");
}

static void yamljson__anchors_and_aliases__are_resolved(void **state) {
  (void)state;
  assert_yaml("base: &b {image: nginx, port: 80}\ncopy: *b\nname: &n web\nagain: *n\n",
              "{\"base\":{\"image\":\"nginx\",\"port\":80},\"copy\":{\"image\":\"nginx\",\"port\":80},"
              "\"name\":\"web\",\"again\":\"web\"}");
}

static void yamljson__alias_to_enclosing_node__is_an_error(void **state) {
  (void)state;
  assert_yaml_fails("a: &x [1, *x]\n", "invalid YAML at line 1 column 11: alias to a node that contains it: \"x\"");
}

static void yamljson__undefined_alias__is_an_error(void **state) {
  (void)state;
  assert_yaml_fails("a: 1\nb: *nope\n", "invalid YAML at line 2 column 4: undefined alias \"nope\"");
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

static void yamljson__duplicate_key__is_an_error(void **state) {
  (void)state;
  assert_yaml_fails("a: 1\nb: 2\na: 3\n", "invalid YAML at line 3 column 1: duplicate key \"a\"");
}

static void yamljson__syntax_error__names_line_and_column(void **state) {
  (void)state;
  assert_yaml_fails("a: b: c\n", "invalid YAML at line 1 column 5: mapping values are not allowed in this context");
  assert_yaml_fails("a: [1, 2\n",
                    "invalid YAML at line 2 column 1: did not find expected ',' or ']' (while parsing a flow sequence)");
}

static void yamljson__unrepresentable_numbers__are_errors(void **state) {
  (void)state;
  assert_yaml_fails("x: .inf\n", "invalid YAML at line 1 column 4: infinity and NaN cannot be represented in JSON \".inf\"");
  assert_yaml_fails("x: 99999999999999999999\n",
                    "invalid YAML at line 1 column 4: integer out of range (int64) \"99999999999999999999\"");
}

static void yamljson__unknown_tag__is_an_error(void **state) {
  (void)state;
  assert_yaml_fails("x: !Ref thing\n", "invalid YAML at line 1 column 4: unsupported tag \"!Ref\"");
}

static void yamljson__complex_key__is_an_error(void **state) {
  (void)state;
  assert_yaml_fails("? [a, b]\n: 1\n", "invalid YAML at line 1 column 3: mapping keys must be scalars");
}

static void yamljson__several_documents__single_parse_refuses(void **state) {
  (void)state;
  assert_yaml_fails("---\na: 1\n---\nb: 2\n", "expected one YAML document, found 2");
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

static void yamljson__emit_mapping__is_block_style(void **state) {
  (void)state;
  assert_emit("{\"metadata\":{\"name\":\"web\",\"labels\":{\"app\":\"web\"}},\"ports\":[80,443],\"on\":true}",
              "metadata:\n  name: web\n  labels:\n    app: web\nports:\n- 80\n- 443\n'on': true\n");
}

static void yamljson__emit_ambiguous_strings__are_quoted(void **state) {
  (void)state;
  assert_emit("[\"true\",\"12\",\"1.5\",\"null\",\"yes\",\"\",\"1.5.0\",\"012\",\"plain\",\"~\"]",
              "- 'true'\n- '12'\n- '1.5'\n- 'null'\n- 'yes'\n- ''\n- '1.5.0'\n- '012'\n- plain\n- '~'\n");
}

static void yamljson__emit_multiline_string__uses_literal_style(void **state) {
  (void)state;
  assert_emit("{\"script\":\"set -e\\necho hi\\n\"}", "script: |\n  set -e\n  echo hi\n");
}

static void yamljson__emit_numbers__keep_their_type(void **state) {
  (void)state;
  assert_emit("[1, 2.0, 85.3, 1e300, null, false]", "- 1\n- 2.0\n- 85.3\n- 1.0e+300\n- null\n- false\n");
}

static void yamljson__emit_empty_collections__use_flow_style(void **state) {
  (void)state;
  assert_emit("{\"a\":[],\"b\":{}}", "a: []\nb: {}\n");
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
      cmocka_unit_test(yamljson__plain_scalars__follow_the_core_schema),
      cmocka_unit_test(yamljson__quoted_scalars__stay_strings),
      cmocka_unit_test(yamljson__empty_value__is_null),
      cmocka_unit_test(yamljson__mapping__keeps_key_order),
      cmocka_unit_test(yamljson__standard_tags__force_a_type),
      cmocka_unit_test(yamljson__anchors_and_aliases__are_resolved),
      cmocka_unit_test(yamljson__alias_to_enclosing_node__is_an_error),
      cmocka_unit_test(yamljson__undefined_alias__is_an_error),
      cmocka_unit_test(yamljson__alias_bomb__is_refused),
      cmocka_unit_test(yamljson__duplicate_key__is_an_error),
      cmocka_unit_test(yamljson__syntax_error__names_line_and_column),
      cmocka_unit_test(yamljson__unrepresentable_numbers__are_errors),
      cmocka_unit_test(yamljson__unknown_tag__is_an_error),
      cmocka_unit_test(yamljson__complex_key__is_an_error),
      cmocka_unit_test(yamljson__several_documents__single_parse_refuses),
      cmocka_unit_test(yamljson__parse_all__returns_every_document),
      cmocka_unit_test(yamljson__anchors__do_not_cross_documents),
      cmocka_unit_test(yamljson__emit_mapping__is_block_style),
      cmocka_unit_test(yamljson__emit_ambiguous_strings__are_quoted),
      cmocka_unit_test(yamljson__emit_multiline_string__uses_literal_style),
      cmocka_unit_test(yamljson__emit_numbers__keep_their_type),
      cmocka_unit_test(yamljson__emit_empty_collections__use_flow_style),
      cmocka_unit_test(yamljson__emit_then_parse__round_trips),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
