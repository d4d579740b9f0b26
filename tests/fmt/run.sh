#!/usr/bin/env bash
# `rbk fmt` as a command: printing, -w (atomic, mode kept, only when the text changes), --check,
# stdin, and files with syntax errors left untouched. Usage: run.sh RBK SOURCE_DIR
set -u
rbk=$(realpath "$1")
pass=0
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 2
export NO_COLOR=1 LC_ALL=C.UTF-8

# Records one result: ok NAME CONDITION-EXIT-STATUS.
ok() {
  if [ "$2" = 0 ]; then
    pass=$((pass + 1))
  else
    echo "FAIL $1"
    fail=$((fail + 1))
  fi
}

# Runs rbk with the given arguments; sets $out, $err and $code.
run() {
  out=$("$rbk" "$@" 2>"$tmp/.err")
  code=$?
  err=$(cat "$tmp/.err")
}

printf 'let  x=1;let y = [1,2]\nstep "a" {\n\n  wait 1s\n\n\n}\n' > messy.rbk
printf 'let x = 1\nlet y = [1, 2]\nstep "a" {\n  wait 1s\n}\n' > want.txt
cp want.txt tidy.rbk
printf 'let x = (1 +\nstep "a" {\n' > broken.rbk
cp broken.rbk broken.orig
cp messy.rbk messy.orig

run fmt messy.rbk
ok "fmt prints the canonical text" $([ "$code" = 0 ] && [ "$out" = "$(cat want.txt)" ]; echo $?)
ok "fmt without -w leaves the file alone" $(cmp -s messy.rbk messy.orig; echo $?)

run fmt - < messy.rbk
ok "fmt - reads stdin" $([ "$code" = 0 ] && [ "$out" = "$(cat want.txt)" ]; echo $?)

run fmt --check tidy.rbk
ok "--check on a formatted file: silent, exit 0" $([ "$code" = 0 ] && [ -z "$out" ]; echo $?)
run fmt --check tidy.rbk messy.rbk
ok "--check names the file to reformat and exits 1" $([ "$code" = 1 ] && [ "$out" = messy.rbk ]; echo $?)
ok "--check does not write" $(cmp -s messy.rbk messy.orig; echo $?)

chmod 640 messy.rbk
run fmt -w messy.rbk
ok "-w exits 0 and prints nothing" $([ "$code" = 0 ] && [ -z "$out" ]; echo $?)
ok "-w rewrites the file" $(cmp -s messy.rbk want.txt; echo $?)
ok "-w keeps the file's mode" $([ "$(stat -c %a messy.rbk)" = 640 ]; echo $?)
ok "-w leaves no temporary file" $([ -z "$(ls -A | grep -v -e '^\.err$' -e '\.rbk$' -e '\.orig$' -e '^want.txt$')" ]; echo $?)

inode=$(stat -c %i tidy.rbk)
run fmt -w tidy.rbk
ok "-w does not touch a formatted file" $([ "$code" = 0 ] && [ "$(stat -c %i tidy.rbk)" = "$inode" ]; echo $?)

cp messy.orig linked.rbk
ln -s linked.rbk link.rbk
run fmt -w link.rbk
ok "-w through a symlink rewrites the target and keeps the link" \
  $([ "$code" = 0 ] && [ -L link.rbk ] && cmp -s linked.rbk want.txt; echo $?)

run fmt -w broken.rbk
ok "syntax error: exit 2 with file:line:col diagnostics" $([ "$code" = 2 ] && [[ "$err" == *"broken.rbk:"*"error:"* ]]; echo $?)
ok "syntax error: the file is untouched" $(cmp -s broken.rbk broken.orig; echo $?)
run fmt --check broken.rbk tidy.rbk
ok "--check with a syntax error exits 2" $([ "$code" = 2 ]; echo $?)
run fmt broken.rbk
ok "printing a file with a syntax error prints no text" $([ "$code" = 2 ] && [ -z "$out" ]; echo $?)

mkdir -p tree/sub tree/.hidden
cp messy.orig tree/sub/b.rbk
cp messy.orig tree/.hidden/c.rbk
cp tidy.rbk tree/a.rbk
echo 'not a plan' > tree/notes.txt
run fmt --check tree
ok "--check on a directory lists the .rbk files below it (not hidden ones)" \
  $([ "$code" = 1 ] && [ "$out" = tree/sub/b.rbk ]; echo $?)
run fmt -w tree/
ok "-w on a directory rewrites its plans" $([ "$code" = 0 ] && cmp -s tree/sub/b.rbk want.txt && cmp -s tree/.hidden/c.rbk messy.orig; echo $?)

run fmt missing.rbk
ok "a missing file is exit 2 with its name" $([ "$code" = 2 ] && [[ "$err" == *missing.rbk* ]]; echo $?)
run fmt --help
ok "--help prints usage, exit 0" $([ "$code" = 0 ] && [[ "$out" == usage:* ]]; echo $?)
run fmt
ok "no file is a usage error" $([ "$code" = 2 ] && [[ "$err" == usage:* ]]; echo $?)
run fmt --frobnicate tidy.rbk
ok "an unknown option is a usage error" $([ "$code" = 2 ]; echo $?)
run fmt -w --check tidy.rbk
ok "-w with --check is a usage error" $([ "$code" = 2 ]; echo $?)
run fmt -w - < tidy.rbk
ok "-w cannot rewrite stdin" $([ "$code" = 2 ]; echo $?)

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
