#!/usr/bin/env bash
# tests/layers/run.sh RBK SOURCE_DIR [FILTER] — the layer rule of docs/architecture.md, enforced by
# the build: a file of a layer compiles an #include of a header of its own layer and of every layer
# below it, and an #include of any other layer's header does not compile ("No such file"). The
# layers, their folders and what is below each come from the table of docs/architecture.md; what
# a layer's files are compiled with comes from the build (layers/<layer>.flags beside RBK, written
# by CMakeLists.txt from each library's include directories and options). Also: the actions
# (stdlib/) name no simulator, in code or in an include.
source "$(dirname "${BASH_SOURCE[0]}")/../lib/suite.sh" "$@"
flags=$(dirname "$rbk")/layers
doc=$src/docs/architecture.md

# Prints the table of docs/architecture.md as "layer|folder folder…|lower lower…", one layer a
# line: the lower layers are the words of the third column (before any "(" or "—") that name a
# layer (rbk_<word>).
table() {
  awk -F'|' '$2 ~ /^ `rbk_[a-z]+` $/ {
      name = $2; gsub(/[ `]/, "", name)
      dirs = ""; n = split($3, w, "`")
      for (i = 2; i <= n; i += 2) if (w[i] ~ /\/$/) dirs = dirs " " substr(w[i], 1, length(w[i]) - 1)
      below = $4; sub(/[(—].*/, "", below); gsub(/,/, " ", below)
      print name "|" substr(dirs, 2) "|" below
    }' "$doc"
}

# Prints $1 and every layer below it, one a line (from the table in $tmp/table).
closure() {
  local todo=("$1") seen=" " l w
  while [ ${#todo[@]} -gt 0 ]; do
    l=${todo[0]}
    todo=("${todo[@]:1}")
    [[ $seen == *" $l "* ]] && continue
    seen+="$l "
    echo "$l"
    for w in $(awk -F'|' -v l="$l" '$1 == l { print $3 }' "$tmp/table"); do
      grep -q "^rbk_$w|" "$tmp/table" && todo+=("rbk_$w")
    done
  done
}

# Prints the probe header of each layer as "layer header": one header per folder whose name no
# other folder of the tree has (so that a lower layer's file of the same name cannot answer).
probes() {
  local layer dirs d h
  while IFS='|' read -r layer dirs _; do
    for d in $dirs; do
      for h in "$src/$d"/*.h; do
        [ -e "$h" ] || continue
        h=${h##*/}
        if [ "$(find "$src/base" "$src/grammar" "$src/interp" "$src/stdlib" "$src/sim" -name "$h" | wc -l)" = 1 ]; then
          echo "$layer $h"
          break
        fi
      done
    done
  done <"$tmp/table"
}

# Compiles "#include HEADER" as a file of LAYER would be; prints the compiler's messages.
compile_as() {
  local -a f
  mapfile -t f <"$flags/$1.flags"
  printf '#include "%s"\nint layers_probe;\n' "$2" >"$tmp/probe.c"
  "$(cat "$flags/cc")" "${f[@]}" -fsyntax-only "$tmp/probe.c" 2>&1
}

table >"$tmp/table"

# The table and the build name the same layers, and every layer has a probe header.
test_table_matches_build() {
  local doc_layers built
  doc_layers=$(cut -d'|' -f1 "$tmp/table" | sort)
  built=$(find "$flags" -name 'rbk_*.flags' -printf '%f\n' 2>/dev/null | sed 's/\.flags$//' | sort)
  [ "$(wc -l <<<"$doc_layers")" -ge 10 ] || { bad table "docs/architecture.md lists: $doc_layers"; return; }
  [ "$doc_layers" = "$built" ] || { bad table "docs/architecture.md: $(echo $doc_layers); built: $(echo $built)"; return; }
  probes >"$tmp/probes"
  for l in $doc_layers; do
    grep -q "^$l " "$tmp/probes" || { bad table "$l has no header of its own to include"; return; }
  done
  ok table
}

# Every layer compiles its own and its lower layers' headers and no other layer's.
test_includes_go_down_only() {
  local layer hl h below out n=0 down=0 up=0
  [ -s "$tmp/probes" ] || probes >"$tmp/probes"
  for layer in $(cut -d'|' -f1 "$tmp/table"); do
    below=" $(closure "$layer" | tr '\n' ' ')"
    while read -r hl h; do
      n=$((n + 1))
      if out=$(compile_as "$layer" "$h"); then
        [[ $below == *" $hl "* ]] || { bad includes "$layer compiles #include \"$h\" of $hl, which is not below it"; return; }
        down=$((down + 1))
      else
        [[ $below != *" $hl "* ]] || { bad includes "$layer cannot include \"$h\" of $hl, below it: $out"; return; }
        [[ $out == *"$h: No such file"* ]] || { bad includes "$layer including \"$h\": not a missing header: $out"; return; }
        up=$((up + 1))
      fi
    done <"$tmp/probes"
  done
  [ "$up" -gt 0 ] && [ "$down" -gt 0 ] || { bad includes "$n probes: $down compiled, $up refused"; return; }
  ok "includes ($n probes: $down down or within a layer compile, $up upward or sideways do not)"
}

# The cases the rule exists for, named, so that a change of the table cannot drop them unseen.
test_named_cases() {
  local c layer h
  for c in "rbk_kube sim.h" "rbk_kube http_sim.h" "rbk_kube proc_sim.h" "rbk_vm cli.h" "rbk_vm kube.h" \
           "rbk_value engine.h" "rbk_value opcodes.h" "rbk_plan engine.h" "rbk_check opcodes.h" "rbk_http sim.h" \
           "rbk_sim kube.h" "rbk_rehearse cli.h" "rbk_base ast.h"; do
    read -r layer h <<<"$c"
    [ -n "$(find "$src/base" "$src/grammar" "$src/interp" "$src/stdlib" "$src/sim" -name "$h")" ] ||
      { bad named "no header $h in the tree"; return; }
    if compile_as "$layer" "$h" >"$tmp/out"; then bad named "$layer compiles #include \"$h\""; return; fi
    grep -q "$h: No such file" "$tmp/out" || { bad named "$layer including \"$h\": $(head -3 "$tmp/out")"; return; }
  done
  for c in "rbk_kube http.h" "rbk_kube engine.h" "rbk_rehearse sim.h" "rbk_cli exitcode.h" "rbk_vm opcodes.h"; do
    read -r layer h <<<"$c"
    compile_as "$layer" "$h" >"$tmp/out" || { bad named "$layer cannot include \"$h\": $(head -3 "$tmp/out")"; return; }
  done
  ok named
}

# The actions and their transports (stdlib/) name no simulator outside comments: no sim_ call,
# no sim*.h include, no sim:// scheme, no `sim` field.
test_stdlib_knows_no_simulator() {
  local hits
  hits=$(python3 - "$src/stdlib" <<'EOF'
import os, re, sys
for d, _, names in os.walk(sys.argv[1]):
    for n in sorted(names):
        if not n.endswith((".c", ".h")):
            continue
        p = os.path.join(d, n)
        blank = lambda m: m.group(0) if m.group(0)[0] == '"' else re.sub(r"[^\n]", " ", m.group(0))
        text = re.sub(r'/\*.*?\*/|//[^\n]*|"(?:\\.|[^"\\\n])*"', blank, open(p).read(), flags=re.S)
        for i, line in enumerate(text.split("\n"), 1):
            if re.search(r"\bsim(_\w*|://|\b)|\w+_sim\b|\"sim\w*\.h\"", line):
                print("%s:%d: %s" % (os.path.relpath(p, sys.argv[1]), i, line.strip()))
EOF
)
  [ -z "$hits" ] && ok || bad stdlib_knows_no_simulator "$hits"
}

t test_table_matches_build
t test_includes_go_down_only
t test_named_cases
t test_stdlib_knows_no_simulator
finish layers
