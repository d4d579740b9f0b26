/* out_wrap.c — fitting a line to the terminal: its width, and word wrapping (see out.h). */
#include "out.h"

#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "valbuf.h"

/* Returns the width of the terminal on fd: TIOCGWINSZ, else $COLUMNS, else 80. */
int out_term_width(int fd) {
  struct winsize ws;
  if (ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
  const char *cols = getenv("COLUMNS");
  char *end;
  long n = cols ? strtol(cols, &end, 10) : 0;
  return cols && *cols && !*end && n > 0 && n < 10000 ? (int)n : 80;
}

/* Returns the length in bytes of the ANSI escape sequence at p (through its final letter), or 0. */
static size_t escape_len(const char *p) {
  if (p[0] != '\033' || p[1] != '[') return 0;
  size_t i = 2;
  while (p[i] && !((p[i] >= 'A' && p[i] <= 'Z') || (p[i] >= 'a' && p[i] <= 'z'))) i++;
  return p[i] ? i + 1 : i;
}

/* Returns s word-wrapped to width columns (see out.h). */
char *out_wrap(const char *s, int width) {
  if (width < 10) width = 10;
  valbuf b = {0};
  const char *line = s;
  while (*line) {
    int cols = 0;
    const char *p = line, *space = NULL, *cut = NULL;
    while (*p && *p != '\n') {
      size_t esc = escape_len(p);
      if (esc) {
        p += esc;
        continue;
      }
      bool starts = ((unsigned char)*p & 0xc0) != 0x80;
      if (starts && cols == width) {
        cut = p;
        break;
      }
      if (*p == ' ') space = p;
      if (starts) cols++;
      p++;
    }
    if (!cut) { /* the rest fits */
      valbuf_put(&b, line, (size_t)(p - line));
      if (!*p) break;
      valbuf_puts(&b, "\n");
      line = p + 1;
      continue;
    }
    /* at a space just past the width, else at the last space that fits, else inside a word */
    const char *end = *cut == ' ' ? cut : space && space > line ? space : cut;
    valbuf_put(&b, line, (size_t)(end - line));
    valbuf_puts(&b, "\n");
    line = *end == ' ' ? end + 1 : end;
  }
  char *out = valbuf_take(&b, NULL);
  return out ? out : strdup("");
}
