/* yamljson_scalar.c — core-schema typing of plain scalars, and the emitter's quoting rule. */
#include "yamljson_scalar.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Returns true when s (len bytes) equals one of the NULL-terminated words. */
static bool is_word(const char *s, size_t len, const char *const *words) {
  for (; *words; words++)
    if (strlen(*words) == len && memcmp(*words, s, len) == 0) return true;
  return false;
}

/* Returns the number of leading bytes of s[0..len) that satisfy accept. */
static size_t span(const char *s, size_t len, int (*accept)(int)) {
  size_t i = 0;
  while (i < len && accept((unsigned char)s[i])) i++;
  return i;
}

static int is_digit(int c) { return c >= '0' && c <= '9'; }
static int is_octal(int c) { return c >= '0' && c <= '7'; }
static int is_hex(int c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

/* Returns true when s is [-+]?[0-9]+, 0o[0-7]+ or 0x[0-9a-fA-F]+. */
static bool is_int(const char *s, size_t len) {
  if (len > 2 && s[0] == '0' && s[1] == 'o') return span(s + 2, len - 2, is_octal) == len - 2;
  if (len > 2 && s[0] == '0' && s[1] == 'x') return span(s + 2, len - 2, is_hex) == len - 2;
  size_t i = (len > 0 && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
  return len > i && span(s + i, len - i, is_digit) == len - i;
}

/* Returns true when s is [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)? or .inf/.nan. */
static bool is_float(const char *s, size_t len) {
  static const char *const special[] = {".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf",
                                        "-.Inf", "-.INF", ".nan", ".NaN", ".NAN", NULL};
  if (is_word(s, len, special)) return true;
  size_t i = (len > 0 && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
  size_t whole = span(s + i, len - i, is_digit), frac = 0;
  i += whole;
  if (i < len && s[i] == '.') {
    frac = span(s + i + 1, len - i - 1, is_digit);
    i += 1 + frac;
    if (whole == 0 && frac == 0) return false;
  } else if (whole == 0) {
    return false;
  }
  if (i < len && (s[i] == 'e' || s[i] == 'E')) {
    i++;
    if (i < len && (s[i] == '-' || s[i] == '+')) i++;
    size_t exp = span(s + i, len - i, is_digit);
    if (exp == 0) return false;
    i += exp;
  }
  return i == len;
}

/* Returns the core-schema type of a plain scalar's text. */
yjs_type yamljson_scalar_classify(const char *s, size_t len) {
  static const char *const nulls[] = {"", "~", "null", "Null", "NULL", NULL};
  static const char *const bools[] = {"true", "True", "TRUE", "false", "False", "FALSE", NULL};
  if (is_word(s, len, nulls)) return YJS_NULL;
  if (is_word(s, len, bools)) return YJS_BOOL;
  if (is_int(s, len)) return YJS_INT;
  if (is_float(s, len)) return YJS_FLOAT;
  return YJS_STR;
}

/* Returns the integer value of s (validated by is_int), or NULL with *why set. */
static json_t *convert_int(const char *s, const char **why) {
  int base = 10;
  const char *digits = s;
  if (s[0] == '0' && (s[1] == 'o' || s[1] == 'x')) {
    base = s[1] == 'o' ? 8 : 16;
    digits = s + 2;
  }
  errno = 0;
  long long v = strtoll(digits, NULL, base);
  if (errno == ERANGE) {
    *why = "integer out of range (int64)";
    return NULL;
  }
  return json_integer(v);
}

/* Returns the float value of s (validated by is_float), or NULL with *why set. */
static json_t *convert_float(const char *s, const char **why) {
  const char *p = (s[0] == '-' || s[0] == '+') ? s + 1 : s;
  if (p[0] == '.' && (p[1] == 'i' || p[1] == 'I' || p[1] == 'n' || p[1] == 'N')) {
    *why = "infinity and NaN cannot be represented in JSON";
    return NULL;
  }
  double d = strtod(s, NULL);
  if (!isfinite(d)) {
    *why = "float out of range";
    return NULL;
  }
  return json_real(d);
}

/* Returns the static message for text that is not of the `type` its tag demands. */
static const char *not_a(yjs_type type) {
  switch (type) {
  case YJS_NULL: return "not null";
  case YJS_BOOL: return "not a bool";
  case YJS_INT: return "not an integer";
  case YJS_FLOAT: return "not a float";
  case YJS_STR: return "not a string";
  }
  return "not a scalar";
}

/* Returns the value of text s (NUL-terminated) read as `type`, or NULL with *why set. */
json_t *yamljson_scalar_convert(yjs_type type, const char *s, size_t len, const char **why) {
  yjs_type actual = yamljson_scalar_classify(s, len);
  if (type == YJS_FLOAT && actual == YJS_INT) {
    json_t *i = convert_int(s, why);
    json_t *r = i ? json_real((double)json_integer_value(i)) : NULL;
    json_decref(i);
    return r;
  }
  if (type != YJS_STR && actual != type) {
    *why = not_a(type);
    return NULL;
  }
  switch (type) {
  case YJS_NULL: return json_null();
  case YJS_BOOL: return json_boolean(s[0] == 't' || s[0] == 'T');
  case YJS_INT: return convert_int(s, why);
  case YJS_FLOAT: return convert_float(s, why);
  case YJS_STR: return json_stringn(s, len);
  }
  return NULL;
}

/* Returns true for characters that can make up YAML 1.1 numbers, times and sexagesimals. */
static int is_numberish(int c) {
  return is_hex(c) || c == '_' || c == '.' || c == ':' || c == '+' || c == '-' || c == 'x' ||
         c == 'X' || c == 'o' || c == 'O' || c == 'b' || c == 'B' || c == 'e' || c == 'E';
}

/* Returns true when a string with this text must be quoted to read back as a string. */
bool yamljson_scalar_needs_quotes(const char *s, size_t len) {
  static const char *const yaml11[] = {"y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO",
                                       "on", "On", "ON", "off", "Off", "OFF", NULL};
  if (len == 0 || yamljson_scalar_classify(s, len) != YJS_STR || is_word(s, len, yaml11)) return true;
  unsigned char c = (unsigned char)s[0];
  bool numeric_start = is_digit(c) || c == '+' || c == '-' || c == '.';
  return numeric_start && span(s, len, is_numberish) == len;
}
