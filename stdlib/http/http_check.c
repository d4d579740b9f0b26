/* http_check.c — what the transports refuse to send (see http.h): header and URL injection
 * (CR, LF, NUL), malformed header lines, and credentials over plain http://. */
#include "http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "strutil.h"

/* Returns true when the n bytes at s hold a CR, LF or NUL. */
bool http_has_ctl(const char *s, size_t n) {
  return s && (memchr(s, '\r', n) || memchr(s, '\n', n) || memchr(s, '\0', n));
}

/* Returns true when c may appear in a header name or a method (an RFC 9110 token). */
static bool tchar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || strchr("!#$%&'*+-.^_`|~", c);
}

/* Returns the length of the token at the start of s. */
static size_t token_len(const char *s) {
  size_t n = 0;
  while (s[n] && tchar(s[n])) n++;
  return n;
}

/* Returns true when the header line names a credential (Authorization, Proxy-Authorization). */
static bool is_credential(const char *line, size_t name_len) {
  return (name_len == 13 && strncasecmp(line, "Authorization", 13) == 0) ||
         (name_len == 19 && strncasecmp(line, "Proxy-Authorization", 19) == 0);
}

/* Returns true when url's authority holds user-info ("user:pass@host"). */
static bool has_userinfo(const char *url) {
  const char *p = strstr(url, "://");
  if (!p) return false;
  p += 3;
  size_t auth = strcspn(p, "/?#");
  const char *at = memchr(p, '@', auth);
  return at != NULL;
}

/* Returns the origin of url without user-info, for messages. Caller frees. */
static char *safe_origin(const char *url) {
  const char *p = strstr(url, "://");
  if (!p) return strdup("?");
  size_t auth = strcspn(p + 3, "/?#");
  const char *at = memchr(p + 3, '@', auth);
  const char *host = at ? at + 1 : p + 3;
  size_t hlen = auth - (size_t)(host - (p + 3));
  return strutil_printf("%.*s://%s%.*s", (int)(p - url), url, at ? "***@" : "", (int)hlen, host);
}

/* Returns NULL when the request may be sent, else the one-line reason (caller frees). */
char *http_check_request(const http_request *req) {
  const char *url = req->url ? req->url : "";
  if (!req->method || !*req->method || req->method[token_len(req->method)]) return strdup("refused: the HTTP method is not a token");
  if (http_has_ctl(url, strlen(url)) || strpbrk(url, " \t"))
    return strdup("refused: the URL holds a space, CR, LF or NUL (nothing was sent)");
  bool plain = strncasecmp(url, "http://", 7) == 0;
  if (!plain && strncasecmp(url, "https://", 8) != 0)
    return strdup("refused: only http:// and https:// URLs are allowed");
  bool creds = has_userinfo(url);
  for (size_t i = 0; i < req->n_headers; i++) {
    const char *h = req->headers[i];
    size_t name = token_len(h);
    if (!name || h[name] != ':')
      return strutil_printf("refused: header %zu is not \"Name: value\" (nothing was sent)", i + 1);
    if (http_has_ctl(h, strlen(h)))
      return strutil_printf("refused: header \"%.*s\" holds a CR, LF or NUL (nothing was sent)", (int)name, h);
    if (is_credential(h, name)) creds = true;
  }
  const http_tls *t = req->tls;
  if (t && (t->cert_file || t->cert_data || t->key_file || t->key_data)) creds = true;
  if (plain && creds) {
    char *o = safe_origin(url);
    char *s = strutil_printf("refused: credentials are never sent over plain http:// (%s): use https://", o ? o : "?");
    free(o);
    return s;
  }
  return NULL;
}
