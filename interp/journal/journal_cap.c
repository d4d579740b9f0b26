/* journal_cap.c — keeps journal records small: a value whose JSON passes the cap is replaced by
 * its size, its sha256 digest and its head (see journal.h, journal_cap_value). */
#include "journal.h"

#include <stdio.h>
#include <string.h>

#include <nettle/sha2.h>

/* What one pass over a value's JSON text collects. */
typedef struct {
  struct sha256_ctx *md; /* NULL on the first pass (size only) */
  size_t bytes;
  char head[JOURNAL_CAP_HEAD + 1];
  size_t head_len;
  bool ok;
} cap_scan;

/* Returns 0 after adding one chunk of the JSON text to the scan (json_dump_callback). */
static int scan_chunk(const char *buf, size_t n, void *data) {
  cap_scan *s = data;
  if (s->head_len < JOURNAL_CAP_HEAD) {
    size_t k = JOURNAL_CAP_HEAD - s->head_len < n ? JOURNAL_CAP_HEAD - s->head_len : n;
    memcpy(s->head + s->head_len, buf, k);
    s->head_len += k;
  }
  s->bytes += n;
  if (s->md) sha256_update(s->md, n, (const uint8_t *)buf);
  return 0;
}

/* Returns the length of the longest prefix of s[0..n) that ends on a whole UTF-8 character. */
static size_t utf8_cut(const char *s, size_t n) {
  size_t i = n;
  while (i > 0 && ((unsigned char)s[i - 1] & 0xC0) == 0x80) i--;
  if (i == 0) return n;
  unsigned char lead = (unsigned char)s[i - 1];
  size_t want = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
  return n - (i - 1) >= want ? n : i - 1;
}

/* Returns false when out of memory; replaces rec[key] by rec[key + "_truncated"] past max. */
bool journal_cap_value(json_t *rec, const char *key, size_t max) {
  json_t *v = json_object_get(rec, key);
  if (!v || json_is_null(v) || json_is_boolean(v) || json_is_number(v)) return true;
  cap_scan s = {.md = NULL, .ok = true};
  if (json_dump_callback(v, scan_chunk, &s, JSON_COMPACT | JSON_ENCODE_ANY) != 0) return false;
  if (s.bytes <= max) return true;
  struct sha256_ctx ctx;
  sha256_init(&ctx);
  s = (cap_scan){.md = &ctx, .ok = true};
  if (json_dump_callback(v, scan_chunk, &s, JSON_COMPACT | JSON_ENCODE_ANY) != 0 || !s.ok) return false;
  uint8_t md[SHA256_DIGEST_SIZE];
  sha256_digest(&ctx, sizeof md, md);
  char hex[7 + 2 * SHA256_DIGEST_SIZE + 1] = "sha256:";
  for (unsigned i = 0; i < sizeof md; i++) snprintf(hex + 7 + 2 * i, 3, "%02x", md[i]);
  char name[64];
  snprintf(name, sizeof name, "%s_truncated", key);
  json_t *t = json_pack("{s:I, s:s, s:s%}", "bytes", (json_int_t)s.bytes, "sha256", hex, "head", s.head,
                        utf8_cut(s.head, s.head_len));
  if (!t || json_object_set_new(rec, name, t)) return false;
  return json_object_del(rec, key) == 0;
}
