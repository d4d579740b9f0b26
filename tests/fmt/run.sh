#!/usr/bin/env bash
# `rbk fmt` as a command: printing, -w (atomic, mode kept, only when the text changes), --check,
# stdin, and files with syntax errors left untouched. Usage: run.sh RBK SOURCE_DIR
source "$(dirname "${BASH_SOURCE[0]}")/../lib/suite.sh" "$@"
cd "$tmp" || exit 2

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
record "fmt prints the canonical text" $([ "$code" = 0 ] && [ "$out" = "$(cat want.txt)" ]; echo $?)
record "fmt without -w leaves the file alone" $(cmp -s messy.rbk messy.orig; echo $?)

run fmt - < messy.rbk
record "fmt - reads stdin" $([ "$code" = 0 ] && [ "$out" = "$(cat want.txt)" ]; echo $?)

run fmt --check tidy.rbk
record "--check on a formatted file: silent, exit 0" $([ "$code" = 0 ] && [ -z "$out" ]; echo $?)
run fmt --check tidy.rbk messy.rbk
record "--check names the file to reformat and exits 1" $([ "$code" = 1 ] && [ "$out" = messy.rbk ]; echo $?)
record "--check does not write" $(cmp -s messy.rbk messy.orig; echo $?)

chmod 640 messy.rbk
run fmt -w messy.rbk
record "-w exits 0 and prints nothing" $([ "$code" = 0 ] && [ -z "$out" ]; echo $?)
record "-w rewrites the file" $(cmp -s messy.rbk want.txt; echo $?)
record "-w keeps the file's mode" $([ "$(stat -c %a messy.rbk)" = 640 ]; echo $?)
record "-w leaves no temporary file" $([ -z "$(ls -A | grep -v -e '^\.err$' -e '\.rbk$' -e '\.orig$' -e '^want.txt$')" ]; echo $?)

inode=$(stat -c %i tidy.rbk)
run fmt -w tidy.rbk
record "-w does not touch a formatted file" $([ "$code" = 0 ] && [ "$(stat -c %i tidy.rbk)" = "$inode" ]; echo $?)

cp messy.orig linked.rbk
ln -s linked.rbk link.rbk
run fmt -w link.rbk
record "-w through a symlink rewrites the target and keeps the link" \
  $([ "$code" = 0 ] && [ -L link.rbk ] && cmp -s linked.rbk want.txt; echo $?)

run fmt -w broken.rbk
record "syntax error: exit 2 with file:line:col diagnostics" $([ "$code" = 2 ] && [[ "$err" == *"broken.rbk:"*"error:"* ]]; echo $?)
record "syntax error: the file is untouched" $(cmp -s broken.rbk broken.orig; echo $?)
run fmt --check broken.rbk tidy.rbk
record "--check with a syntax error exits 2" $([ "$code" = 2 ]; echo $?)
run fmt broken.rbk
record "printing a file with a syntax error prints no text" $([ "$code" = 2 ] && [ -z "$out" ]; echo $?)

mkdir -p tree/sub tree/.hidden
cp messy.orig tree/sub/b.rbk
cp messy.orig tree/.hidden/c.rbk
cp tidy.rbk tree/a.rbk
echo 'not a plan' > tree/notes.txt
run fmt --check tree
record "--check on a directory lists the .rbk files below it (not hidden ones)" \
  $([ "$code" = 1 ] && [ "$out" = tree/sub/b.rbk ]; echo $?)
run fmt -w tree/
record "-w on a directory rewrites its plans" $([ "$code" = 0 ] && cmp -s tree/sub/b.rbk want.txt && cmp -s tree/.hidden/c.rbk messy.orig; echo $?)

run fmt missing.rbk
record "a missing file is exit 2 with its name" $([ "$code" = 2 ] && [[ "$err" == *missing.rbk* ]]; echo $?)
run fmt --help
record "--help prints usage, exit 0" $([ "$code" = 0 ] && [[ "$out" == usage:* ]]; echo $?)
run fmt
record "no file is a usage error" $([ "$code" = 2 ] && [[ "$err" == usage:* ]]; echo $?)
run fmt --frobnicate tidy.rbk
record "an unknown option is a usage error" $([ "$code" = 2 ]; echo $?)
run fmt -w --check tidy.rbk
record "-w with --check is a usage error" $([ "$code" = 2 ]; echo $?)
run fmt -w - < tidy.rbk
record "-w cannot rewrite stdin" $([ "$code" = 2 ]; echo $?)

finish
