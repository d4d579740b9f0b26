#!/usr/bin/env bash
# The command line as a whole, for every command that `rbk help` lists: `rbk help X`, `rbk X
# --help` and `rbk X -h` print the same text; the options that help lists (its option table) are
# exactly those docs/cli.md documents in the command's section, so the docs cannot drift; an
# unknown option and an option without its value are one line on stderr and exit 2; `rbk
# --version` prints rbk's version and its libraries'.
#   tests/cli/run.sh RBK SOURCE_DIR [FILTER]
source "$(dirname "${BASH_SOURCE[0]}")/../lib/suite.sh" "$@"
docs=$src/docs/cli.md

# Prints the commands `rbk help` lists, one per line.
commands() { "$rbk" help | awk '/^commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 } on && /^$/ { exit }'; }

# Prints the left column of the option lines of a help text on stdin ("-p, --param name=value"),
# one per line: what precedes the two spaces before the help.
help_left() {
  awk '/^options:/ { on = 1; next } on && /^$/ { exit }
       on && /^  -/ { s = substr($0, 3); print substr(s, 1, index(s, "  ") - 1) }'
}

# Prints the options of a help text on stdin (-c and --name, one per line; not -h/--help).
help_options() {
  help_left | tr ' ' '\n' | sed 's/,$//' | grep -E '^(-[A-Za-z]|--[a-z][a-z-]*)$' | grep -vx -e -h -e --help | sort -u
}

# Prints the options documented in the option table (first column "option") of the section
# "## rbk NAME" of docs/cli.md. A row "every option of `rbk X` except `-a`/`--b`" stands for
# X's documented options without those.
doc_options() {
  local name=$1 rows
  rows=$(awk -v h="## rbk $name" '
    $0 == h { sec = 1; next } /^## / { sec = 0 }
    sec && /^\| option \|/ { tab = 1; next }
    sec && tab && /^\|/ { gsub(/\\\|/, "/"); split($0, cell, "|"); print cell[2]; next }
    { tab = 0 }' "$docs")
  while IFS= read -r cell; do
    [ -n "$cell" ] || continue
    local words
    words=$(grep -o '`[^`]*`' <<< "$cell" | tr -d '`' | tr ' /' '\n\n' | sed 's/=.*//' |
      grep -E '^(-[A-Za-z]|--[a-z][a-z-]*)$')
    if [[ "$cell" == *"every option of"* ]]; then
      local other except
      other=$(grep -o '`rbk [a-z]*`' <<< "$cell" | head -1 | tr -d '`' | cut -d' ' -f2)
      except=$(sed 's/.*except//' <<< "$cell" | grep -o -- '-[-a-z]*' | sed 's/^/-e /')
      doc_options "$other" | grep -v -x -e '^$' $except
    else
      printf '%s\n' "$words"
    fi
  done <<< "$rows" | grep -v '^$' | sort -u
}

test_help_lists_commands() {
  local list
  list=$(commands)
  [ "$(wc -l <<< "$list")" -ge 9 ] || { bad help_lists_commands "rbk help lists: $list"; return; }
  cmp -s <("$rbk" help) <("$rbk" --help) && cmp -s <("$rbk" help) <("$rbk" -h) ||
    { bad help_lists_commands "rbk help, --help and -h differ"; return; }
  "$rbk" > /dev/null 2> "$tmp/none.err"
  [ $? = 2 ] && cmp -s "$tmp/none.err" <("$rbk" help) || { bad help_lists_commands "rbk alone: not the list on stderr, exit 2"; return; }
  "$rbk" help frobnicate > /dev/null 2> "$tmp/unknown.err"
  [ $? = 2 ] && [ "$(head -1 "$tmp/unknown.err")" = "rbk: unknown command 'frobnicate'" ] ||
    { bad help_lists_commands "rbk help frobnicate: $(head -1 "$tmp/unknown.err")"; return; }
  ok
}

test_help_command_is_command_help() {
  local c
  for c in $(commands); do
    "$rbk" "$c" --help > "$tmp/$c.help" 2> "$tmp/$c.err" || { bad help_command "rbk $c --help: exit $?"; return; }
    [ -s "$tmp/$c.err" ] && { bad help_command "rbk $c --help wrote on stderr"; return; }
    head -1 "$tmp/$c.help" | grep -q "^usage: rbk $c" || { bad help_command "rbk $c --help: $(head -1 "$tmp/$c.help")"; return; }
    cmp -s "$tmp/$c.help" <("$rbk" help "$c") || { bad help_command "rbk help $c differs from rbk $c --help"; return; }
    cmp -s "$tmp/$c.help" <("$rbk" "$c" -h) || { bad help_command "rbk $c -h differs from rbk $c --help"; return; }
  done
  ok
}

test_docs_match_option_tables() {
  local c
  for c in $(commands); do
    grep -qx "## rbk $c" "$docs" || { bad docs_match "docs/cli.md has no section '## rbk $c'"; continue; }
    local diffs
    diffs=$(diff <("$rbk" "$c" --help | help_options) <(doc_options "$c"))
    [ -z "$diffs" ] || bad docs_match "rbk $c: < in --help only, > in docs/cli.md only: $(tr '\n' ' ' <<< "$diffs")"
  done
  # The check itself must see options: run has more than fifteen in both.
  [ "$(doc_options run | wc -l)" -gt 15 ] && [ "$(doc_options resume | grep -c -e --force -e --yes)" = 2 ] &&
    [ "$(doc_options resume | grep -c -x -e -p -e --param)" = 0 ] || { bad docs_match "docs parsing found too little"; return; }
  ok
}

test_unknown_option_and_missing_value() {
  local c o err code
  for c in $(commands); do
    err=$("$rbk" "$c" --no-such-option 2>&1 > /dev/null); code=$?
    [ $code = 2 ] && [ "$err" = "rbk: unknown option '--no-such-option'" ] ||
      { bad usage_errors "rbk $c --no-such-option: exit $code: $err"; return; }
    err=$("$rbk" "$c" -Z 2>&1 > /dev/null); code=$?
    [ $code = 2 ] && [ "$err" = "rbk: unknown option '-Z'" ] || { bad usage_errors "rbk $c -Z: exit $code: $err"; return; }
    # Every option that takes a value, given last without one.
    for o in $("$rbk" "$c" --help | help_left | awk '$NF !~ /^-/ { for (i = 1; i <= NF; i++) if ($i ~ /^--/) print $i }'); do
      err=$("$rbk" "$c" "$o" 2>&1 > /dev/null); code=$?
      [ $code = 2 ] && [ "$err" = "rbk: missing value after '$o'" ] ||
        { bad usage_errors "rbk $c $o (no value): exit $code: $err"; return; }
    done
  done
  err=$("$rbk" run x.rbk --yes=please 2>&1 > /dev/null); code=$?
  [ $code = 2 ] && [ "$(wc -l <<< "$err")" = 1 ] || { bad usage_errors "a flag with a value: exit $code: $err"; return; }
  err=$("$rbk" run x.rbk --outp json 2>&1 > /dev/null); code=$?
  [ $code = 2 ] && [ "$err" = "rbk: unknown option '--outp'" ] || { bad usage_errors "abbreviation: exit $code: $err"; return; }
  # A number that is not all of the value, or out of 0.001–1000000 (past those the virtual clock
  # or a delay would overflow), is refused before the simulator starts.
  local v
  for v in 5x 0 -3 abc inf nan 1e300 1000001 0.0001 1e-300; do
    err=$("$rbk" sim --speed "$v" 2>&1 > /dev/null); code=$?
    [ $code = 2 ] && [ "$err" = "rbk: --speed expects a number from 0.001 to 1000000, got '$v'" ] ||
      { bad usage_errors "rbk sim --speed $v: exit $code: $err"; return; }
  done
  err=$("$rbk" sim --seed 12x 2>&1 > /dev/null); code=$?
  [ $code = 2 ] && [ "$err" = "rbk: --seed expects a non-negative integer, got '12x'" ] ||
    { bad usage_errors "rbk sim --seed 12x: exit $code: $err"; return; }
  # A --token-sa value holds a token: its errors never show it.
  for v in sekrit-token sekrit-token=no-slash; do
    err=$(timeout 10 "$rbk" sim --token-sa "$v" 2>&1 > /dev/null); code=$?
    [ $code = 2 ] && [ "$(wc -l <<< "$err")" = 1 ] && ! grep -q sekrit <<< "$err" ||
      { bad usage_errors "rbk sim --token-sa $v: exit $code: $err"; return; }
  done
  ok
}

test_version() {
  local out
  out=$("$rbk" --version) || { bad version "exit $?"; return; }
  head -1 <<< "$out" | grep -Eqx 'rbk [0-9]+\.[0-9]+\.[0-9]+' || { bad version "first line: $(head -1 <<< "$out")"; return; }
  local lib
  for lib in jansson libcurl libyaml libmicrohttpd libwebsockets nettle GnuTLS; do
    grep -Eq "^  $lib [0-9A-Za-z]" <<< "$out" || { bad version "no $lib line in: $out"; return; }
  done
  [ "$out" = "$("$rbk" version)" ] || { bad version "rbk version differs from rbk --version"; return; }
  grep -q "VERSION $(head -1 <<< "$out" | cut -d' ' -f2)" "$src/CMakeLists.txt" ||
    { bad version "not the version of CMakeLists.txt's project()"; return; }
  ok
}

# check, fmt and test walk a directory alike (dirwalk.h): every *.rbk below it, recursively,
# hidden entries skipped, in name order; other files ignored.
test_directories_alike() {
  local d=$tmp/tree f
  mkdir -p "$d/b" "$d/b/deep" "$d/.hidden" "$d/lib"
  for f in a.rbk b/x.rbk b/deep/y.rbk c.rbk lib/z.rbk .hidden/h.rbk b/.h.rbk; do
    printf 'runbook "t" {\n  title   = "%s"\n}\nlet unused = 1\n' "$f" > "$d/$f"
  done
  echo 'not a plan' > "$d/b/notes.txt"
  local want
  want=$(printf '%s\n' "$d/a.rbk" "$d/b/deep/y.rbk" "$d/b/x.rbk" "$d/c.rbk" "$d/lib/z.rbk")
  local fmt check test
  fmt=$("$rbk" fmt --check "$d")
  check=$("$rbk" check "$d" 2>&1 | sed -n 's/^\([^ ]*\.rbk\):[0-9]*:[0-9]*: warning: .*unused.*/\1/p')
  test=$("$rbk" test "$d" -j 1 | sed -n 's/^\([^ ]*\.rbk\)$/\1/p')
  [ "$fmt" = "$want" ] || { bad directories_alike "fmt saw: $fmt"; return; }
  [ "$check" = "$want" ] || { bad directories_alike "check saw: $check"; return; }
  [ "$test" = "$want" ] || { bad directories_alike "test saw: $test"; return; }
  "$rbk" check "$tmp/no-such-dir" 2> /dev/null && { bad directories_alike "a missing path passed check"; return; }
  ok
}

t test_help_lists_commands
t test_help_command_is_command_help
t test_docs_match_option_tables
t test_unknown_option_and_missing_value
t test_version
t test_directories_alike
finish cli
