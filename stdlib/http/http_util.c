/* http_util.c — small pieces shared by the HTTP transports: names, URLs, line buffering. */
#include "http.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Returns the reason phrase of the common HTTP statuses, "" for others. */
const char *http_reason(int status) {
  switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 303: return "See Other";
    case 307: return "Temporary Redirect";
    case 308: return "Permanent Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 413: return "Payload Too Large";
    case 415: return "Unsupported Media Type";
    case 422: return "Unprocessable Entity";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "";
  }
}

/* Returns true after splitting url into origin and path+query (both new strings). */
bool http_split_url(const char *url, char **origin, char **rest) {
  *origin = *rest = NULL;
  const char *p = url ? strstr(url, "://") : NULL;
  if (!p) return false;
  const char *slash = strpbrk(p + 3, "/?");
  size_t olen = slash ? (size_t)(slash - url) : strlen(url);
  *origin = strndup(url, olen);
  if (!slash) *rest = strdup("/");
  else if (*slash == '?') {
    size_t n = strlen(slash);
    *rest = malloc(n + 2);
    if (*rest) (*rest)[0] = '/', memcpy(*rest + 1, slash, n + 1);
  } else *rest = strdup(slash);
  if (!*origin || !*rest) {
    free(*origin), free(*rest);
    *origin = *rest = NULL;
    return false;
  }
  return true;
}

/* Returns false when out of memory; calls line() for every complete line fed so far. */
bool http_linebuf_feed(http_linebuf *lb, const char *data, size_t len,
                       void (*line)(void *user, const char *s, size_t n), void *user) {
  valbuf *b = &lb->pending;
  valbuf_put(b, data, len);
  if (b->oom) return false;
  size_t start = 0;
  for (size_t i = 0; i < b->len; i++) {
    if (b->s[i] != '\n') continue;
    size_t n = i - start;
    if (n && b->s[start + n - 1] == '\r') n--;
    if (n) line(user, b->s + start, n);
    start = i + 1;
  }
  memmove(b->s, b->s + start, b->len - start + 1); /* with the NUL */
  b->len -= start;
  return true;
}

/* Releases a line buffer. */
void http_linebuf_free(http_linebuf *lb) { valbuf_free(&lb->pending); }

/* Returns buf holding n as a size for messages ("16 MiB", "1.5 GiB", "512 bytes"). */
char *http_size_text(size_t n, char *buf, size_t cap) {
  static const char *const units[] = {"KiB", "MiB", "GiB", "TiB"};
  if (n < 1024) {
    snprintf(buf, cap, "%zu bytes", n);
    return buf;
  }
  double v = (double)n;
  int u = -1;
  while (v >= 1024 && u < 3) v /= 1024, u++;
  if (v == (double)(long long)v) snprintf(buf, cap, "%lld %s", (long long)v, units[u]);
  else snprintf(buf, cap, "%.1f %s", v, units[u]);
  return buf;
}

/* Returns a Retry-After header's delay-seconds in ms, at most HTTP_RETRY_AFTER_MAX_MS, or -1. */
int64_t http_retry_after_ms(const char *v) {
  while (v && (*v == ' ' || *v == '\t')) v++;
  if (!v || !isdigit((unsigned char)*v)) return -1;
  int64_t ms = 0;
  for (; isdigit((unsigned char)*v); v++)
    if (ms < HTTP_RETRY_AFTER_MAX_MS) ms = ms * 10 + (*v - '0') * 1000; /* stops growing past the bound */
  while (*v == ' ' || *v == '\t') v++;
  if (*v) return -1;
  return ms < HTTP_RETRY_AFTER_MAX_MS ? ms : HTTP_RETRY_AFTER_MAX_MS;
}

/* Returns true after parsing a size with an optional binary unit into *out. */
bool http_parse_size(const char *s, size_t *out) {
  if (!s || !isdigit((unsigned char)*s)) return false;
  char *end = NULL;
  double v = strtod(s, &end);
  while (*end == ' ') end++;
  static const struct { const char *suffix; double mult; } units[] = {
      {"", 1},          {"b", 1},           {"bytes", 1},       {"k", 1024.0},      {"kb", 1024.0},
      {"kib", 1024.0},  {"m", 1048576.0},   {"mb", 1048576.0},  {"mib", 1048576.0}, {"g", 1073741824.0},
      {"gb", 1073741824.0}, {"gib", 1073741824.0}};
  for (size_t i = 0; i < sizeof units / sizeof *units; i++) {
    if (strcasecmp(end, units[i].suffix) != 0) continue;
    double bytes = v * units[i].mult;
    if (bytes < 1 || bytes > (double)((size_t)1 << 40)) return false;
    *out = (size_t)bytes;
    return true;
  }
  return false;
}
