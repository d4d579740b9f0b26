/* fmt_str.c — string literals and quoted keys: text re-escaped, interpolations printed as
 * expressions, triple-quoted strings re-indented. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fmt_int.h"

/* Returns the text of the consecutive TEXT parts starting at parts[*i] joined (caller frees; NULL
 * when out of memory), advancing *i past them. */
static char *join_texts(const ast_list *parts, size_t *i) {
  size_t n = 0, j = *i;
  for (; j < parts->len && parts->items[j]->kind == AST_TEXT; j++)
    n += parts->items[j]->u.text.s ? strlen(parts->items[j]->u.text.s) : 0;
  char *s = malloc(n + 1);
  if (!s) return NULL;
  s[0] = '\0';
  for (; *i < j; (*i)++)
    if (parts->items[*i]->u.text.s) strcat(s, parts->items[*i]->u.text.s);
  return s;
}

/* Where string text is being written: a "…" or a """…""" literal, and (for the latter) the line
 * state that keeps the lexer's dedent from changing the text. */
typedef struct {
  bool triple;
  bool line_start;  /* no text yet on this line of the value */
  bool escape_lead; /* write the next leading space as \u{20} (see min_lead) */
} text_state;

/* Returns the escape for byte c in a string literal ("\\n", …), or NULL when c prints as itself.
 * In a triple-quoted string a newline is written as it is. */
static const char *escape_of(char c, bool triple) {
  switch (c) {
  case '\\': return "\\\\";
  case '\n': return triple ? NULL : "\\n";
  case '\t': return "\\t";
  case '\r': return "\\r";
  default: return NULL;
  }
}

/* Returns true when byte c of a triple-quoted string must be written as \u{20}: a space that would
 * end its line (trailing blanks are dropped; a blank line loses its text), or the leading space
 * that keeps the value's own indentation from being taken for the literal's. */
static bool space_escaped(text_state *st, char c, char next) {
  if (!st->triple || c != ' ') return false;
  if (st->line_start && st->escape_lead) {
    st->escape_lead = false;
    return true;
  }
  return next == '\n' || next == '\0';
}

/* Writes one byte of string text; `next` is the byte after it ('\0' at the end of the value). */
static void put_text_byte(fmt_printer *p, text_state *st, char c, char next) {
  const char *esc = escape_of(c, st->triple);
  unsigned char u = (unsigned char)c;
  if (esc) {
    fmt_put(p, esc);
  } else if (space_escaped(st, c, next)) {
    fmt_put(p, "\\u{20}");
  } else if ((u < 0x20 && c != '\n') || u == 0x7F) {
    char hex[16];
    snprintf(hex, sizeof hex, "\\u{%x}", u);
    fmt_put(p, hex);
  } else if (c == '$' && next == '{') {
    fmt_put(p, "\\$");
  } else if (c == '"' && (!st->triple || next == '"')) {
    fmt_put(p, "\\\"");
  } else if (c == '\n') {
    fmt_raw_newline(p);
  } else {
    fmt_putc(p, c);
  }
  st->line_start = c == '\n';
}

/* Writes string text re-escaped; `after` is the byte that follows it in the value ('\0': none). */
static void put_text(fmt_printer *p, text_state *st, const char *s, char after) {
  for (size_t i = 0; s[i]; i++) put_text_byte(p, st, s[i], s[i + 1] ? s[i + 1] : after);
}

/* Writes the parts of a string (texts escaped, interpolations as ${expr}). */
static void put_parts(fmt_printer *p, text_state *st, const ast_list *parts) {
  for (size_t i = 0; i < parts->len;) {
    if (parts->items[i]->kind != AST_TEXT) {
      fmt_put(p, "${");
      fmt_expr(p, parts->items[i++]);
      fmt_put(p, "}");
      st->line_start = false;
      continue;
    }
    char *text = join_texts(parts, &i);
    if (!text) {
      p->out.oom = true;
      return;
    }
    put_text(p, st, text, i < parts->len ? '$' : '\0');
    free(text);
  }
}

/* Counts the raw leading spaces of one line of a triple-quoted value as the formatter writes it
 * (a line of spaces keeps its last one escaped); *best takes the minimum over non-empty lines. */
static void end_line_lead(size_t lead, bool all_spaces, bool empty, size_t *best) {
  if (empty) return;
  if (all_spaces) lead--;
  if (lead < *best) *best = lead;
}

/* Returns the fewest leading spaces of the non-empty lines of a triple-quoted value as written:
 * when it is not 0, the lexer's dedent would remove them too, so one gets escaped. */
static size_t min_lead(const ast_list *parts) {
  size_t best = (size_t)-1, lead = 0;
  bool leading = true, empty = true;
  for (size_t i = 0; i < parts->len; i++) {
    const ast_node *n = parts->items[i];
    if (n->kind != AST_TEXT) {
      leading = empty = false;
      continue;
    }
    for (const char *c = n->u.text.s ? n->u.text.s : ""; *c; c++) {
      if (*c == '\n') {
        end_line_lead(lead, leading, empty, &best);
        lead = 0;
        leading = empty = true;
      } else {
        empty = false;
        if (leading && *c == ' ')
          lead++;
        else
          leading = false;
      }
    }
  }
  end_line_lead(lead, leading, empty, &best);
  return best == (size_t)-1 ? 0 : best;
}

/* Writes a triple-quoted string: the opening quotes, each line of text at the current indentation
 * + 2, and the closing quotes on their own line at the current indentation. */
static void put_triple(fmt_printer *p, const ast_node *n) {
  int saved = p->indent;
  text_state st = {true, true, min_lead(&n->u.str.parts) > 0};
  fmt_put(p, "\"\"\"");
  fmt_raw_newline(p);
  p->indent = saved + 2;
  if (n->u.str.parts.len) {
    put_parts(p, &st, &n->u.str.parts);
    fmt_raw_newline(p);
  }
  p->indent = saved;
  fmt_put(p, "\"\"\"");
}

/* fmt_str.c: prints a STRING node (plain or triple-quoted). */
void fmt_string(fmt_printer *p, const ast_node *n) {
  if (n->triple) {
    put_triple(p, n);
    return;
  }
  text_state st = {false, false, false};
  fmt_put(p, "\"");
  if (ast_string_text(n)) put_text(p, &st, ast_string_text(n), '\0');
  put_parts(p, &st, &n->u.str.parts);
  fmt_put(p, "\"");
}

/* Returns true when s is an identifier ([A-Za-z_][A-Za-z0-9_]*). */
static bool is_ident(const char *s) {
  if (!s[0] || !(s[0] == '_' || (s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z'))) return false;
  for (size_t i = 1; s[i]; i++)
    if (!(s[i] == '_' || (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9')))
      return false;
  return true;
}

/* fmt_str.c: prints s as a "…" literal (no interpolation). */
void fmt_quoted(fmt_printer *p, const char *s) {
  text_state st = {false, false, false};
  fmt_put(p, "\"");
  put_text(p, &st, s, '\0');
  fmt_put(p, "\"");
}

/* fmt_str.c: prints `name` bare when it is an identifier, else as a quoted string. */
void fmt_key(fmt_printer *p, const char *name) {
  if (is_ident(name))
    fmt_put(p, name);
  else
    fmt_quoted(p, name);
}
