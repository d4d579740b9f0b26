/* builtins_env.c — env, secret, file: what the plan reads from the machine it runs on. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "builtins_impl.h"
#include "valbuf.h"

/* The largest file that file() reads. */
#define BI_FILE_MAX (16u << 20)

/* Returns the name argument (a string without NUL bytes), or NULL after reporting. */
static const char *name_arg(const bi_call *c) {
  const rbk_value *v = builtins_arg(c, 0);
  if (v->kind != VAL_STRING) {
    builtins_want(c, 0, "a string");
    return NULL;
  }
  if (v->u.str.len == 0 || strlen(v->u.str.s) != v->u.str.len) {
    builtins_fail(c, "invalid name \"%s\"", v->u.str.s);
    return NULL;
  }
  return v->u.str.s;
}

/* env(name[, default]): the environment variable's text; default (any value) when unset. */
rbk_value *builtins_env(const bi_call *c) {
  const char *name = name_arg(c);
  if (!name) return NULL;
  if (!c->ctx || !c->ctx->getenv) return builtins_fail(c, "the environment cannot be read here");
  const char *text = c->ctx->getenv(c->ctx->user, name);
  if (text) {
    rbk_value *v = value_cstring(text);
    return v ? v : builtins_oom(c);
  }
  if (builtins_arg(c, 1)) return value_ref((rbk_value *)builtins_arg(c, 1));
  return builtins_fail(c, "environment variable %s is not set", name);
}

/* secret(name): the --secret override, else the environment variable, as a masked secret. */
rbk_value *builtins_secret(const bi_call *c) {
  const char *name = name_arg(c);
  if (!name) return NULL;
  if (!c->ctx || (!c->ctx->getsecret && !c->ctx->getenv)) return builtins_fail(c, "secrets cannot be read here");
  const char *plain = c->ctx->getsecret ? c->ctx->getsecret(c->ctx->user, name) : NULL;
  if (!plain && c->ctx->getenv) plain = c->ctx->getenv(c->ctx->user, name);
  if (!plain) return builtins_fail(c, "%s is not set (pass --secret %s=@file or set the environment variable)", name, name);
  rbk_value *v = value_secret(name, plain);
  return v ? v : builtins_oom(c);
}

/* Returns path resolved against base (unless absolute or base is NULL); caller frees. */
static char *resolve(const char *base, const char *path) {
  valbuf b = {0};
  if (path[0] != '/' && base && base[0]) {
    valbuf_puts(&b, base);
    if (base[strlen(base) - 1] != '/') valbuf_puts(&b, "/");
  }
  valbuf_puts(&b, path);
  return valbuf_take(&b, NULL);
}

/* file(path): the UTF-8 text of a file, path relative to the plan's folder. */
rbk_value *builtins_file(const bi_call *c) {
  const char *path = name_arg(c);
  if (!path) return NULL;
  char *full = resolve(c->ctx ? c->ctx->base_dir : NULL, path), *text = NULL;
  if (!full) return builtins_oom(c);
  errno = 0;
  FILE *f = fopen(full, "rb");
  size_t len = 0;
  int err = f ? strutil_read_stream(f, BI_FILE_MAX, &text, &len) : errno;
  if (f) fclose(f);
  rbk_value *v = NULL;
  if (err == EFBIG) {
    builtins_fail(c, "%s is larger than 16 MiB", full);
  } else if (err) {
    builtins_fail(c, "cannot read %s: %s", full, strerror(err));
  } else if (!builtins_utf8_valid(text, len)) {
    builtins_fail(c, "%s is not UTF-8 text", full);
    free(text);
  } else {
    v = value_string_take(text, len);
    if (!v) builtins_oom(c);
  }
  free(full);
  return v;
}
