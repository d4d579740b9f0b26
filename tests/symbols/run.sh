#!/usr/bin/env bash
# Names (docs/architecture.md, "Names"): every global symbol that the libraries (librbk_*.a, beside
# the rbk binary) define carries the prefix `<module>_` of a module, and is defined in that module's
# file (<module>.c or <module>_*.c). The modules come from the header names: foo.h, foo_int.h,
# foo_impl.h and foo_internal.h are module foo; a symbol belongs to the longest module its name
# starts with. Usage: run.sh RBK SOURCE_DIR [FILTER]
source "$(dirname "${BASH_SOURCE[0]}")/../lib/suite.sh" "$@"
build=$(dirname "$rbk")

# The exceptions, as "prefix object": the generated parsers and scanner (grammar/parser.y, also
# generated without lookahead correction as parser_fast.c, and lexer.l) export bison's and flex's
# functions under their api.prefix / prefix.
exceptions='rbk_yy parser
rbk_yy parser_fast
rbk_yy lexer'

# Prints the modules, one a line, from the headers under the library folders.
modules() {
  find "$src/base" "$src/grammar" "$src/interp" "$src/stdlib" "$src/sim" -name '*.h' -printf '%f\n' |
    sed -E 's/\.h$//; s/_(int|impl|internal)$//' | sort -u
}

# Reads `nm -A -g --defined-only` lines on stdin; prints each offender with its object file and
# library. $1: the modules file.
offenders() {
  awk -v exc="$exceptions" '
    BEGIN { n = split(exc, e, "\n"); for (i = 1; i <= n; i++) { split(e[i], f, " "); ex[f[2]] = f[1] } }
    FNR == NR { mod[$1] = 1; next }
    NF == 3 && $2 ~ /^[A-Z]$/ && $2 != "U" {
      where = $1; sub(/:[^:]*$/, "", where)            # "dir/librbk_x.a:obj.c.o"
      lib = where; sub(/:.*/, "", lib); sub(/.*\//, "", lib)
      obj = where; sub(/.*:/, "", obj); sub(/\.c\.o$|\.o$/, "", obj)
      sym = $3
      if (sym ~ /^__(odr_asan|asan|ubsan|sancov|sanitizer)/) next  # made by -fsanitize, not by us
      if ((obj in ex) && index(sym, ex[obj]) == 1) next
      best = ""
      for (i = length(sym) - 1; i > 0; i--)
        if (substr(sym, i + 1, 1) == "_" && (substr(sym, 1, i) in mod)) { best = substr(sym, 1, i); break }
      if (best == "")
        printf "%s (%s.c in %s): no module prefix\n", sym, obj, lib
      else if (obj != best && index(obj, best "_") != 1)
        printf "%s (%s.c in %s): module %s, defined outside %s.c / %s_*.c\n", sym, obj, lib, best, best, best
    }' "$1" -
}

# Reads `nm -A -g` lines (definitions and undefined references) of the libraries and of every other
# object linked with them on stdin; prints each global the libraries define that no other object
# refers to (a helper of its own file only: it should be static). $1: a file of names used
# elsewhere all the same, one a line: the fuzz targets' words (they are built only with
# -DRBK_FUZZ=ON), and the network module's entry points, which the binary looks up by name
# (dlsym: every "identifier" string of the library sources).
only_own_file() {
  awk -v exc="$exceptions" '
    BEGIN { n = split(exc, e, "\n"); for (i = 1; i <= n; i++) { split(e[i], f, " "); ex[f[2]] = 1 } }
    FNR == NR { used[$1] = 1; next }
    NF == 3 {
      where = $1; sub(/:[^:]*$/, "", where)
      n = split(where, part, ":")
      obj = part[n]; lib = n > 1 ? part[1] : ""; sub(/.*\//, "", lib)
      if ($2 == "U") { ref[$3] = ref[$3] " " obj; next }
      if ($2 !~ /^[TDBR]$/ || lib !~ /librbk_[a-z_]+\.a$/) next
      if ($3 ~ /^__(odr_asan|asan|ubsan|sancov|sanitizer)/) next  # made by -fsanitize, not by us
      o = obj; sub(/\.c\.o$|\.o$/, "", o)
      if (o in ex) next
      def[$3] = obj; where_of[$3] = o ".c in " lib
    }
    END {
      for (s in def) {
        if (s in used) continue
        k = split(ref[s], r, " "); other = 0
        for (i = 1; i <= k; i++) if (r[i] != def[s]) other = 1
        if (!other) print s " (" where_of[s] "): used only in its own file: make it static"
      }
    }' "$1" - | sort
}

modules >"$tmp/modules"
libs=("$build"/librbk_*.a)

# The libraries as built: nothing outside the rule.
t_libraries() {
  [ -f "${libs[0]}" ] || { bad libraries "no librbk_*.a beside $rbk"; return; }
  nm -A -g --defined-only "${libs[@]}" >"$tmp/nm" || { bad libraries "nm failed"; return; }
  local count
  count=$(awk 'NF == 3 && $2 ~ /^[A-Z]$/' "$tmp/nm" | wc -l)
  offenders "$tmp/modules" <"$tmp/nm" >"$tmp/out"
  if [ -s "$tmp/out" ]; then
    bad libraries "$(wc -l <"$tmp/out") of $count global symbols break the naming rule:"
    cat "$tmp/out"
  elif [ "$count" -lt 100 ]; then
    bad libraries "only $count global symbols found"
  else
    ok libraries
  fi
}

# The checker itself flags what breaks the rule (and only that).
t_checker() {
  printf '%s\n' \
    "x/librbk_value.a:value_show.c.o:0000000000000010 T value_show" \
    "x/librbk_sim.a:sim_api_write.c.o:0000000000000010 T sim_api_create" \
    "x/librbk_grammar.a:parser.c.o:0000000000000010 T rbk_yyparse" \
    "x/librbk_value.a:value.c.o:0000000000000010 t helper" \
    "x/librbk_compile.a:compile.c.o:0000000000000010 T emit" \
    "x/librbk_grammar.a:parse.c.o:0000000000000010 T yyparse" \
    "x/librbk_sim.a:sim_write.c.o:0000000000000010 T sim_api_create" \
    "x/librbk_vm.a:vm_task.c.o:0000000000000010 T rbk_yyparse" >"$tmp/fake"
  offenders "$tmp/modules" <"$tmp/fake" >"$tmp/fake.out"
  local want='emit (compile.c in librbk_compile.a): no module prefix
yyparse (parse.c in librbk_grammar.a): no module prefix
sim_api_create (sim_write.c in librbk_sim.a): module sim_api, defined outside sim_api.c / sim_api_*.c
rbk_yyparse (vm_task.c in librbk_vm.a): no module prefix'
  if [ "$(cat "$tmp/fake.out")" = "$want" ]; then ok checker; else
    bad checker "flagged:"
    cat "$tmp/fake.out"
  fi
}

# Every global of the libraries is used outside its file (by another object of the libraries, the
# binary, a unit test, a benchmark, a fuzz target, or the network module's loader).
t_static() {
  [ -f "${libs[0]}" ] || { bad static "no librbk_*.a beside $rbk"; return; }
  local objs
  mapfile -t objs < <(find "$build/CMakeFiles" -name '*.o' ! -path '*/rbk_*.dir/*')
  { grep -hoE '"[a-z][a-z0-9_]*"' -r --include='*.c' "$src/base" "$src/stdlib" "$src/sim" "$src/interp" | tr -d '"'
    grep -hoE '\b[a-z][a-z0-9_]*\b' "$src"/tests/fuzz/*.c; } | sort -u >"$tmp/used"
  nm -A -g "${libs[@]}" "${objs[@]}" 2>/dev/null >"$tmp/nm.all"
  [ "${#objs[@]}" -gt 10 ] || { bad static "only ${#objs[@]} objects besides the libraries"; return; }
  only_own_file "$tmp/used" <"$tmp/nm.all" >"$tmp/static"
  if [ -s "$tmp/static" ]; then
    bad static "$(wc -l <"$tmp/static") globals are used only in their own file:"
    cat "$tmp/static"
  else
    ok static
  fi
}

# The static check flags a global used only in its own file, and only that.
t_static_checker() {
  printf '%s\n' \
    "x/librbk_value.a:value.c.o:0000000000000010 T value_new" \
    "x/librbk_value.a:value_show.c.o:                 U value_new" \
    "x/librbk_value.a:value.c.o:0000000000000020 T value_lonely" \
    "x/librbk_value.a:value.c.o:                 U value_lonely" \
    "x/librbk_http.a:http_curl.c.o:0000000000000010 T http_curl_create" \
    "x/librbk_grammar.a:lexer.c.o:0000000000000010 T rbk_yyget_debug" \
    "x/CMakeFiles/test_x.dir/tests/unit/test_x.c.o:0000000000000010 T main" \
    "x/librbk_vm.a:vm.c.o:0000000000000030 T vm_by_test" \
    "x/CMakeFiles/test_x.dir/tests/unit/test_x.c.o:                 U vm_by_test" >"$tmp/fake.all"
  echo http_curl_create >"$tmp/fake.used"
  local got want
  got=$(only_own_file "$tmp/fake.used" <"$tmp/fake.all")
  want='value_lonely (value.c in librbk_value.a): used only in its own file: make it static'
  if [ "$got" = "$want" ]; then ok static_checker; else bad static_checker "flagged: $got"; fi
}

t t_checker
t t_libraries
t t_static_checker
t t_static
finish symbols
