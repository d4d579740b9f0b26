#!/usr/bin/env bash
# tests/startup/run.sh RBK SOURCE_DIR [FILTER] — start-up (docs/architecture.md "The network
# module", "The static front"): the commands that never talk to a network (check, fmt, plan, ast,
# eval, test, help) map no network or TLS library — RBK is static (no program interpreter, no
# NEEDED entry) and runs them itself, or the dynamic loader (LD_DEBUG=libs) initialises no libcurl,
# libmicrohttpd, libwebsockets, GnuTLS, libssl or libcrypto — while `rbk --version` does load them
# from the network module rbk-net.so (through rbk-full beside a static RBK); without the module (or
# with RBK_NET_MODULE naming a missing or foreign file), or without rbk-full, those commands still
# work and the networked ones fail with one line and exit 2. A static RBK hands the networked
# commands to rbk-full with their arguments, stdin and exit code.
source "$(dirname "${BASH_SOURCE[0]}")/../lib/suite.sh" "$@"
plans=$src/plans
netlibs='libcurl|libmicrohttpd|libwebsockets|libgnutls|libssl|libcrypto'
# The dynamic rbk: rbk-full beside a static RBK (which has no program interpreter), else RBK.
full=$rbk static=no
if ! readelf -l "$rbk" | grep -q INTERP; then full=$(dirname "$rbk")/rbk-full static=yes; fi

# Copies RBK (with rbk-full beside it when RBK is static) into the directory $1.
copy_rbk() {
  mkdir -p "$1"
  cp "$rbk" "$1/rbk"
  [ $static = no ] || cp "$full" "$1/rbk-full"
}

# Prints the shared objects the loader initialised while running rbk "$@" (one path a line).
loaded() {
  LD_DEBUG=libs LD_DEBUG_OUTPUT=$tmp/ld "$rbk" "$@" >/dev/null 2>&1
  cat "$tmp"/ld.* 2>/dev/null | sed -n 's/.*calling init: //p' | sort -u
  rm -f "$tmp"/ld.*
}

test_offline_commands_map_no_network_library() {
  local cmd libs out
  if [ $static = yes ]; then
    if readelf -d "$rbk" | grep -q NEEDED; then bad offline "the static rbk has NEEDED entries"; return; fi
  fi
  for cmd in "check $plans/emergency-rollback.rbk" "fmt $plans/emergency-rollback.rbk" \
             "plan $plans/emergency-rollback.rbk -p reason=x" "ast $plans/triage.rbk" "eval 1+2" \
             "test $plans/triage.rbk" "help" "--help" "check --help"; do
    # Without rbk-full to hand them to, they still work: the front runs them itself.
    # shellcheck disable=SC2086 # the command's words
    out=$(RBK_FULL=$tmp/no-rbk-full "$rbk" $cmd 2>&1) || { bad offline "rbk $cmd without rbk-full: $out"; return; }
    [ $static = yes ] && continue
    # shellcheck disable=SC2086 # the command's words
    libs=$(loaded $cmd)
    [ -n "$libs" ] || { bad offline "rbk $cmd: LD_DEBUG=libs reported nothing"; return; }
    if grep -Eq "$netlibs" <<< "$libs"; then
      bad offline "rbk $cmd maps a network library: $(grep -E "$netlibs" <<< "$libs" | tr '\n' ' ')"
      return
    fi
  done
  ok offline
}

test_version_loads_the_module() {
  local libs
  libs=$(loaded --version)
  grep -q 'rbk-net\.so' <<< "$libs" && grep -q libcurl <<< "$libs" && grep -q libmicrohttpd <<< "$libs" &&
    grep -q libwebsockets <<< "$libs" && ok version-module ||
    bad version-module "rbk --version did not load rbk-net.so with libcurl, libmicrohttpd and libwebsockets: $libs"
}

test_binary_links_no_network_library() {
  local needed
  needed=$(objdump -p "$full" 2>/dev/null | awk '$1 == "NEEDED" { print $2 }')
  [ -n "$needed" ] || { bad needed "objdump -p found no NEEDED entries in $full"; return; }
  grep -Eq "$netlibs|libcrypto" <<< "$needed" && bad needed "$full links $(tr '\n' ' ' <<< "$needed")" || ok needed
}

test_missing_module() {
  copy_rbk "$tmp/bin"
  local out code
  out=$("$tmp/bin/rbk" check "$plans/emergency-rollback.rbk" 2>&1) &&
    ok missing-check || bad missing-check "rbk check without the module: $out"
  out=$("$tmp/bin/rbk" sim --quiet 2>&1 </dev/null); code=$?
  [ $code = 2 ] && [[ $out == *"network module is missing"*"rbk-net.so"* ]] &&
    ok missing-sim || bad missing-sim "exit $code: $out"
  out=$(cd "$tmp" && "$tmp/bin/rbk" run "$plans/triage.rbk" 2>&1 </dev/null); code=$?
  [ $code = 2 ] && [ "$(wc -l <<< "$out")" = 1 ] && [[ $out == "rbk: the network module is missing"* ]] &&
    ok missing-run || bad missing-run "exit $code: $out"
  out=$("$tmp/bin/rbk" --version 2>&1); code=$?
  [ $code = 0 ] && [[ $out == *"jansson"* && $out == *"network module is missing"* && $out != *libcurl* ]] &&
    ok missing-version || bad missing-version "exit $code: $out"
}

test_module_override() {
  copy_rbk "$tmp/alone"
  local out code
  out=$(RBK_NET_MODULE=$(dirname "$rbk")/rbk-net.so "$tmp/alone/rbk" --version 2>&1); code=$?
  [ $code = 0 ] && [[ $out == *"libwebsockets "* && $out != *missing* ]] &&
    ok override || bad override "exit $code: $out"
  out=$(RBK_NET_MODULE=$tmp/none.so "$rbk" sim --quiet 2>&1 </dev/null); code=$?
  [ $code = 2 ] && [[ $out == *"network module is missing: no $tmp/none.so (RBK_NET_MODULE)"* ]] &&
    ok override-missing || bad override-missing "exit $code: $out"
  local foreign
  foreign=$(LD_DEBUG=libs "$full" help 2>&1 >/dev/null | sed -n 's/.*calling init: \(.*libyaml.*\)/\1/p' | head -1)
  out=$(RBK_NET_MODULE=$foreign "$rbk" sim --quiet 2>&1 </dev/null); code=$?
  [ $code = 2 ] && [[ $out == *"is not rbk's network module"* ]] &&
    ok override-foreign || bad override-foreign "exit $code ($foreign): $out"
}

# A static rbk without rbk-full: the offline commands work (test_offline_…), the networked ones
# fail with one line naming where rbk-full was looked for, and exit 2.
test_missing_full() {
  [ $static = yes ] || return 0
  mkdir -p "$tmp/front"
  cp "$rbk" "$tmp/front/rbk"
  local cmd out code
  for cmd in "sim --quiet" "run $plans/triage.rbk" "--version" "help run" "plan --live $plans/triage.rbk"; do
    # shellcheck disable=SC2086 # the command's words
    out=$(cd "$tmp" && "$tmp/front/rbk" $cmd 2>&1 </dev/null); code=$?
    if [ $code != 2 ] || [ "$(wc -l <<< "$out")" != 1 ] ||
       [[ $out != "rbk: the full rbk is missing: no "*"/rbk-full (nor $tmp/front/rbk-full); "* ]]; then
      bad missing-full "rbk $cmd: exit $code: $out"
      return
    fi
  done
  out=$(RBK_FULL=$tmp/none "$tmp/front/rbk" version 2>&1); code=$?
  [ $code = 2 ] && [[ $out == "rbk: the full rbk is missing: no $tmp/none (RBK_FULL); "* ]] &&
    ok missing-full || bad missing-full "RBK_FULL=$tmp/none: exit $code: $out"
}

# A static rbk hands a networked command to rbk-full whole: its arguments (help, errors), its
# stdin (a plan read from -) and its exit code.
test_handoff() {
  [ $static = yes ] || return 0
  local out code
  [ "$("$rbk" help run 2>&1)" = "$("$full" help run 2>&1)" ] && [ "$("$rbk" run --help 2>&1)" = "$("$full" run --help 2>&1)" ] &&
    ok handoff-help || bad handoff-help "rbk help run differs from rbk-full's"
  out=$("$rbk" run --no-such-flag 2>&1); code=$?
  [ $code = 2 ] && [[ $out == *"no-such-flag"* ]] && ok handoff-usage || bad handoff-usage "exit $code: $out"
  # plan --live reads the plan on stdin and stops at the missing kubeconfig (exit 1), in rbk-full,
  # not in the front (which cannot load the network module).
  out=$(KUBECONFIG=$tmp/no-kubeconfig "$rbk" plan --live - < "$src/tests/golden/diff/same.rbk" 2>&1); code=$?
  [ $code = 1 ] && [[ $out == *"Live preview of -:"*"kube: no kubeconfig"* && $out != *"static rbk"* ]] &&
    ok handoff-live || bad handoff-live "exit $code: $out"
}

t test_offline_commands_map_no_network_library
t test_version_loads_the_module
t test_binary_links_no_network_library
t test_missing_module
t test_module_override
t test_missing_full
t test_handoff
finish startup
