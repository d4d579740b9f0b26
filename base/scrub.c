/* scrub.c — the registry of secret values and the masking of their forms in text (see scrub.h). */
#define _GNU_SOURCE /* memmem */
#include "scrub.h"

#include <stdlib.h>
#include <string.h>

#include "grow.h"
#include "valbuf.h"

typedef struct {
  char *s;
  size_t len;
} scrub_form;

static scrub_form *forms;  /* every form to mask, longest first */
static size_t nforms, cap_forms;
static size_t nvalues;     /* values registered */

static const char b64_std[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char b64_url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* Returns the unpadded base64 of s[0..n) in `alphabet` (caller frees), or NULL. */
static char *b64(const unsigned char *s, size_t n, const char *alphabet, size_t *len) {
  char *out = malloc((n + 2) / 3 * 4 + 1), *p = out;
  if (!out) return NULL;
  for (size_t i = 0; i < n; i += 3) {
    unsigned long w = (unsigned long)s[i] << 16 | (i + 1 < n ? (unsigned long)s[i + 1] << 8 : 0) | (i + 2 < n ? s[i + 2] : 0);
    *p++ = alphabet[w >> 18 & 63];
    *p++ = alphabet[w >> 12 & 63];
    if (i + 1 < n) *p++ = alphabet[w >> 6 & 63];
    if (i + 2 < n) *p++ = alphabet[w & 63];
  }
  *p = '\0';
  *len = (size_t)(p - out);
  return out;
}

/* Returns true when c needs no percent-encoding in a URL (RFC 3986 unreserved). */
static bool unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || strchr("-._~", c);
}

/* Returns the percent-encoded form of s[0..n) with upper- or lower-case hex digits (caller
 * frees), or NULL. */
static char *pct(const unsigned char *s, size_t n, bool lower, size_t *len) {
  valbuf b = {0};
  for (size_t i = 0; i < n; i++) {
    if (s[i] && unreserved(s[i])) valbuf_put(&b, (const char *)s + i, 1);
    else valbuf_printf(&b, lower ? "%%%02x" : "%%%02X", s[i]);
  }
  return valbuf_take(&b, len);
}

/* Returns true when s[0..len) is already a form. */
static bool known(const char *s, size_t len) {
  for (size_t i = 0; i < nforms; i++)
    if (forms[i].len == len && memcmp(forms[i].s, s, len) == 0) return true;
  return false;
}

/* Adds s (taken, len bytes) as a form, keeping the longest first; returns false when out of memory
 * (s is freed). Short and known forms are dropped (true). */
static bool add_form(char *s, size_t len) {
  if (!s) return false;
  if (len < SCRUB_MIN_LEN || known(s, len)) {
    free(s);
    return true;
  }
  if (!GROW(forms, cap_forms, nforms + 1)) {
    free(s);
    return false;
  }
  size_t at = 0;
  while (at < nforms && forms[at].len >= len) at++;
  memmove(forms + at + 1, forms + at, (nforms - at) * sizeof *forms);
  forms[at] = (scrub_form){s, len};
  nforms++;
  return true;
}

/* Returns a copy of s[0..n) (caller frees), or NULL. */
static char *dup_bytes(const char *s, size_t n) {
  char *d = malloc(n + 1);
  if (d) memcpy(d, s, n), d[n] = '\0';
  return d;
}

/* Registers s[0..len) and its forms (see scrub.h). */
bool scrub_add(const char *s, size_t len) {
  if (!s || len < SCRUB_MIN_LEN || len > SCRUB_MAX_LEN || nvalues >= SCRUB_MAX_VALUES || known(s, len)) return true;
  const unsigned char *u = (const unsigned char *)s;
  size_t n = 0;
  bool ok = add_form(dup_bytes(s, len), len);
  char *f = b64(u, len, b64_std, &n);
  ok = ok && add_form(f, n);
  f = ok ? b64(u, len, b64_url, &n) : NULL;
  ok = ok && add_form(f, n);
  f = ok ? pct(u, len, false, &n) : NULL;
  ok = ok && add_form(f, n);
  f = ok ? pct(u, len, true, &n) : NULL;
  ok = ok && add_form(f, n);
  if (ok) nvalues++;
  return ok;
}

/* Returns the 6-bit value of a base64 character of either alphabet, -1 for anything else. */
static int sextet(char c) {
  if (!c) return -1;
  const char *at = strchr(b64_std, c);
  if (at) return (int)(at - b64_std);
  at = strchr(b64_url, c); /* '-' and '_' */
  return at ? (int)(at - b64_url) : -1;
}

/* Registers s and the text it decodes to (see scrub.h). */
bool scrub_add_base64(const char *s, size_t len) {
  if (!scrub_add(s, len)) return false;
  unsigned char *out = malloc(len / 4 * 3 + 3);
  if (!out) return false;
  size_t n = 0, bits = 0;
  unsigned long w = 0;
  bool valid = true;
  for (size_t i = 0; i < len && valid; i++) {
    if (s[i] == '=' || s[i] == ' ' || s[i] == '\n' || s[i] == '\r' || s[i] == '\t') continue;
    int v = sextet(s[i]);
    valid = v >= 0;
    w = (w << 6 | (unsigned long)(v & 63)) & 0xffffff;
    if ((bits += 6) >= 8) bits -= 8, out[n++] = (unsigned char)(w >> bits & 255);
  }
  bool ok = !valid || scrub_add((const char *)out, n);
  memset(out, 0, n);
  free(out);
  return ok;
}

/* Returns the number of values registered. */
size_t scrub_count(void) { return nvalues; }

/* Forgets every form, wiping the copies. */
void scrub_reset(void) {
  for (size_t i = 0; i < nforms; i++) {
    memset(forms[i].s, 0, forms[i].len);
    free(forms[i].s);
  }
  free(forms);
  forms = NULL;
  nforms = cap_forms = nvalues = 0;
}

/* Returns true when c may appear in a URL's authority (user-info and host). */
static bool authority_char(unsigned char c) {
  return c > ' ' && c != 0x7f && !strchr("/?#\"'<>\\`{}|^[]", c);
}

/* Returns the text with each URL's user-info replaced by "***" (caller frees), or NULL when there
 * is none (or out of memory, with *oom set). */
static char *mask_userinfo(const char *s, size_t len, size_t *out_len, bool *oom) {
  const char *end = s + len, *p = s, *copied = s;
  valbuf b = {0};
  bool changed = false;
  while (p < end && (p = memmem(p, (size_t)(end - p), "://", 3)) != NULL) {
    const char *auth = p + 3, *q = auth, *at = NULL;
    while (q < end && authority_char((unsigned char)*q)) {
      if (*q == '@') at = q;
      q++;
    }
    if (at && !(at - auth == 3 && memcmp(auth, "***", 3) == 0)) {
      valbuf_put(&b, copied, (size_t)(auth - copied));
      valbuf_puts(&b, "***");
      copied = at;
      changed = true;
    }
    p = q > auth ? q : auth;
  }
  if (!changed) return NULL;
  valbuf_put(&b, copied, (size_t)(end - copied));
  char *out = valbuf_take(&b, out_len);
  if (!out) *oom = true;
  return out;
}

/* Returns text with every occurrence of form f replaced by "***" (caller frees), or NULL when
 * there is none (or out of memory, with *oom set). */
static char *mask_form(const char *s, size_t len, const scrub_form *f, size_t *out_len, bool *oom) {
  const char *end = s + len, *copied = s, *hit = memmem(s, len, f->s, f->len);
  if (!hit) return NULL;
  valbuf b = {0};
  for (; hit; hit = memmem(copied, (size_t)(end - copied), f->s, f->len)) {
    valbuf_put(&b, copied, (size_t)(hit - copied));
    valbuf_puts(&b, "***");
    copied = hit + f->len;
  }
  valbuf_put(&b, copied, (size_t)(end - copied));
  char *out = valbuf_take(&b, out_len);
  if (!out) *oom = true;
  return out;
}

/* Returns the scrubbed text (see scrub.h). */
char *scrub_text(const char *s, size_t len, size_t *out_len) {
  if (!s) return NULL;
  char *cur = NULL;
  size_t cur_len = len;
  bool oom = false;
  for (size_t i = 0; i < nforms && !oom; i++) {
    char *next = mask_form(cur ? cur : s, cur_len, &forms[i], &cur_len, &oom);
    if (next) free(cur), cur = next;
  }
  char *next = oom ? NULL : mask_userinfo(cur ? cur : s, cur_len, &cur_len, &oom);
  if (next) free(cur), cur = next;
  if (oom) { /* fail safe: the whole text is masked */
    free(cur);
    cur = strdup("***");
    cur_len = 3;
  }
  if (cur && out_len) *out_len = cur_len;
  return cur;
}

/* Returns a scrubbed copy of s (see scrub.h). */
char *scrub_line(const char *s) {
  if (!s) return NULL;
  char *out = scrub_text(s, strlen(s), NULL);
  return out ? out : strdup(s);
}

/* Scrubs the strings of j in place (see scrub.h). */
bool scrub_json(json_t *j) {
  if (json_is_string(j)) {
    size_t n = 0;
    char *out = scrub_text(json_string_value(j), json_string_length(j), &n);
    if (!out) return true;
    int rc = json_string_setn(j, out, n);
    free(out);
    return rc == 0;
  }
  bool ok = true;
  if (json_is_array(j)) {
    for (size_t i = 0; i < json_array_size(j); i++) ok = scrub_json(json_array_get(j, i)) && ok;
  } else if (json_is_object(j)) {
    const char *key;
    json_t *v;
    json_object_foreach(j, key, v) ok = scrub_json(v) && ok;
  }
  return ok;
}
