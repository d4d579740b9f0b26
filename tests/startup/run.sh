#!/usr/bin/env bash
# tests/startup/run.sh RBK SOURCE_DIR [FILTER] — start-up (docs/architecture.md "The network
# module"): the commands that never talk to a network (check, fmt, plan, ast, eval, test, help)
# map no network or TLS library — the dynamic loader (LD_DEBUG=libs) initialises no libcurl,
# libmicrohttpd, libwebsockets, GnuTLS, libssl or libcrypto — while `rbk --version` does load them
# from the network module rbk-net.so; without the module (or with RBK_NET_MODULE naming a missing
# or foreign file) those commands still work and the networked ones fail with one line and exit 2.
source "$(dirname "${BASH_SOURCE[0]}")/../lib/suite.sh" "$@"
plans=$src/plans
netlibs='libcurl|libmicrohttpd|libwebsockets|libgnutls|libssl|libcrypto'

# Prints the shared objects the loader initialised while running rbk "$@" (one path a line).
loaded() {
  LD_DEBUG=libs LD_DEBUG_OUTPUT=$tmp/ld "$rbk" "$@" >/dev/null 2>&1
  cat "$tmp"/ld.* 2>/dev/null | sed -n 's/.*calling init: //p' | sort -u
  rm -f "$tmp"/ld.*
}

test_offline_commands_map_no_network_library() {
  local cmd libs
  for cmd in "check $plans/emergency-rollback.rbk" "fmt $plans/emergency-rollback.rbk" \
             "plan $plans/emergency-rollback.rbk" "ast $plans/triage.rbk" "eval 1+2" \
             "test $plans/triage.rbk" "help" "--help" "check --help"; do
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
  needed=$(objdump -p "$rbk" 2>/dev/null | awk '$1 == "NEEDED" { print $2 }')
  [ -n "$needed" ] || { bad needed "objdump -p found no NEEDED entries"; return; }
  grep -Eq "$netlibs|libcrypto" <<< "$needed" && bad needed "rbk links $(tr '\n' ' ' <<< "$needed")" || ok needed
}

test_missing_module() {
  mkdir -p "$tmp/bin"
  cp "$rbk" "$tmp/bin/rbk"
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
  mkdir -p "$tmp/alone"
  cp "$rbk" "$tmp/alone/rbk"
  local out code
  out=$(RBK_NET_MODULE=$(dirname "$rbk")/rbk-net.so "$tmp/alone/rbk" --version 2>&1); code=$?
  [ $code = 0 ] && [[ $out == *"libwebsockets "* && $out != *missing* ]] &&
    ok override || bad override "exit $code: $out"
  out=$(RBK_NET_MODULE=$tmp/none.so "$rbk" sim --quiet 2>&1 </dev/null); code=$?
  [ $code = 2 ] && [[ $out == *"network module is missing: no $tmp/none.so (RBK_NET_MODULE)"* ]] &&
    ok override-missing || bad override-missing "exit $code: $out"
  local foreign
  foreign=$(LD_DEBUG=libs "$rbk" help 2>&1 >/dev/null | sed -n 's/.*calling init: \(.*libyaml.*\)/\1/p' | head -1)
  out=$(RBK_NET_MODULE=$foreign "$rbk" sim --quiet 2>&1 </dev/null); code=$?
  [ $code = 2 ] && [[ $out == *"is not rbk's network module"* ]] &&
    ok override-foreign || bad override-foreign "exit $code ($foreign): $out"
}

t test_offline_commands_map_no_network_library
t test_version_loads_the_module
t test_binary_links_no_network_library
t test_missing_module
t test_module_override
finish startup
