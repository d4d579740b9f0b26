/* builtins_base64.c — base64 and unbase64 (RFC 4648 standard alphabet, with padding). */
#include <stdlib.h>
#include <string.h>

#include "builtins_impl.h"

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Returns the text of a string or secret argument (borrowed) and its length, or NULL. */
static const char *text_arg(const bi_call *c, size_t *len, bool *secret) {
  const rbk_value *v = builtins_arg(c, 0);
  *secret = v->kind == VAL_SECRET;
  if (v->kind != VAL_STRING && v->kind != VAL_SECRET) {
    builtins_want(c, 0, "a string");
    return NULL;
  }
  const char *s = *secret ? v->u.secret.plain : v->u.str.s;
  *len = *secret ? strlen(s) : v->u.str.len;
  return s;
}

/* Returns out (taken, len bytes) as a string, or as a secret named like the argument. */
static rbk_value *result(const bi_call *c, char *out, size_t len, bool secret) {
  if (!out) return builtins_oom(c);
  if (!secret) return value_string_take(out, len);
  rbk_value *v = value_secret(builtins_arg(c, 0)->u.secret.name, out);
  memset(out, 0, len);
  free(out);
  return v ? v : builtins_oom(c);
}

/* Returns the base64 encoding of s[0..n) (caller frees), or NULL; *len gets its length. */
static char *encode(const unsigned char *s, size_t n, size_t *len) {
  char *out = malloc((n + 2) / 3 * 4 + 1), *p = out;
  if (!out) return NULL;
  for (size_t i = 0; i < n; i += 3) {
    unsigned long w = (unsigned long)s[i] << 16 | (i + 1 < n ? (unsigned long)s[i + 1] << 8 : 0) | (i + 2 < n ? s[i + 2] : 0);
    *p++ = alphabet[w >> 18 & 63];
    *p++ = alphabet[w >> 12 & 63];
    *p++ = i + 1 < n ? alphabet[w >> 6 & 63] : '=';
    *p++ = i + 2 < n ? alphabet[w & 63] : '=';
  }
  *p = '\0';
  *len = (size_t)(p - out);
  return out;
}

/* base64(s): s encoded with the standard alphabet and padding; secrets stay secret. */
rbk_value *builtins_base64(const bi_call *c) {
  size_t n, len = 0;
  bool secret;
  const char *s = text_arg(c, &n, &secret);
  if (!s) return NULL;
  char *out = encode((const unsigned char *)s, n, &len); /* before result(): it reads len */
  return result(c, out, len, secret);
}

/* Returns the 6-bit value of a base64 character, or -1. */
static int sextet(char ch) {
  const char *at = ch ? strchr(alphabet, ch) : NULL;
  return at ? (int)(at - alphabet) : -1;
}

/* Returns a copy of s without ASCII white space (line breaks in wrapped base64), or NULL. */
static char *strip_space(const char *s, size_t n, size_t *len) {
  char *out = malloc(n + 1);
  size_t k = 0;
  for (size_t i = 0; out && i < n; i++)
    if (!strchr(" \t\r\n", s[i]) || !s[i]) out[k++] = s[i];
  if (out) out[k] = '\0';
  *len = k;
  return out;
}

/* Returns the decoded bytes of padded base64 in s[0..n) (caller frees), or NULL with *bad set to
 * the offset of the first invalid character (n when the length is wrong, SIZE_MAX out of memory). */
static char *decode(const char *s, size_t n, size_t *len, size_t *bad) {
  char *out = n % 4 == 0 ? malloc(n / 4 * 3 + 1) : NULL;
  *bad = n % 4 ? n : SIZE_MAX;
  if (!out) return NULL;
  size_t k = 0;
  for (size_t i = 0; i < n; i += 4) {
    bool last = i + 4 == n;
    int pad = last ? (s[i + 3] == '=') + (s[i + 2] == '=' && s[i + 3] == '=') : 0;
    unsigned long w = 0;
    for (int j = 0; j < 4; j++) {
      int v = j >= 4 - pad ? 0 : sextet(s[i + j]);
      if (v < 0) {
        free(out);
        *bad = i + (size_t)j;
        return NULL;
      }
      w = w << 6 | (unsigned long)v;
    }
    out[k++] = (char)(w >> 16);
    if (pad < 2) out[k++] = (char)(w >> 8 & 255);
    if (pad < 1) out[k++] = (char)(w & 255);
  }
  out[k] = '\0';
  *len = k;
  return out;
}

/* unbase64(s): the text that padded standard base64 encodes (white space ignored); it must be
 * UTF-8. Secrets stay secret. */
rbk_value *builtins_unbase64(const bi_call *c) {
  size_t n, clean_len, len = 0, bad = 0;
  bool secret;
  const char *s = text_arg(c, &n, &secret);
  char *clean = s ? strip_space(s, n, &clean_len) : NULL;
  if (!clean) return s ? builtins_oom(c) : NULL;
  char *out = decode(clean, clean_len, &len, &bad);
  memset(clean, 0, clean_len);
  free(clean);
  if (!out && bad == SIZE_MAX) return builtins_oom(c);
  if (!out && bad == clean_len) return builtins_fail(c, "invalid base64: length %zu is not a multiple of 4", clean_len);
  if (!out) return builtins_fail(c, "invalid base64 character at offset %zu", bad);
  if (!builtins_utf8_valid(out, len) || (secret && memchr(out, 0, len))) {
    free(out);
    return builtins_fail(c, "the decoded bytes are not UTF-8 text");
  }
  return result(c, out, len, secret);
}
