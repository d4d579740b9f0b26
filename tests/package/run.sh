#!/usr/bin/env bash
# tests/package/run.sh RBK SOURCE_DIR [FILTER] — the install rules and the Debian package
# (packaging/install.cmake, packaging/cpack.cmake): `cmake --install` of RBK's build directory
# into a scratch DESTDIR puts exactly the expected files in place, the installed rbk checks and
# rehearses an installed example plan, the man pages render without warnings, the completion
# scripts parse and complete param names, the Vim files and the TextMate grammar load, and
# `cpack -G DEB` makes a package that lintian accepts without errors and whose rbk runs.
source "$(dirname "${BASH_SOURCE[0]}")/../lib/suite.sh" "$@"

build=$(dirname "$rbk")
root=$tmp/root
prefix=/usr
ex=$root$prefix/share/doc/rbk/examples
[ -f "$build/CMakeCache.txt" ] || { echo "FAIL: no CMakeCache.txt next to $rbk"; exit 1; }
# The network module's directory, relative to the prefix (lib/rbk, or lib/<triplet>/rbk when
# configured with the prefix /usr).
netdir=$(sed -n 's/^RBK_NET_DIR:[A-Z]*=//p' "$build/CMakeCache.txt")
# The dynamic rbk: rbk-full beside a static front (docs/architecture.md "The static front"), else rbk.
full=$rbk
readelf -l "$rbk" | grep -q INTERP || full=$build/rbk-full

# Prints the files the install must hold, relative to the prefix, sorted.
expected_files() {
  [ "$full" = "$rbk" ] || printf '%s\n' "$netdir/rbk-full" share/lintian/overrides/rbk
  printf '%s\n' bin/rbk "$netdir/rbk-net.so" \
    share/man/man1/rbk.1 share/man/man7/rbk-language.7 \
    share/bash-completion/completions/rbk share/zsh/vendor-completions/_rbk \
    share/fish/vendor_completions.d/rbk.fish \
    share/vim/vimfiles/syntax/rbk.vim share/vim/vimfiles/ftdetect/rbk.vim \
    share/rbk/editors/rbk.tmLanguage.json \
    share/doc/rbk/README.md share/doc/rbk/copyright
  (cd "$src/plans" && find . -name '*.rbk' -o -name '*.test.json' -o -path './scenarios/*.json') |
    sed 's|^\./|share/doc/rbk/examples/|'
}

install_tree() {
  local out
  if ! out=$(DESTDIR=$root cmake --install "$build" --prefix "$prefix" 2>&1); then
    bad install "cmake --install failed: $out"
    return
  fi
  local got
  got=$(cd "$root$prefix" && find . -type f -o -type l | sed 's|^\./||' | sort)
  if [ "$got" = "$(expected_files | sort)" ]; then ok install; else
    bad install "installed files differ from the expected list: $(diff <(expected_files | sort) <(echo "$got"))"
  fi
  [ -x "$root$prefix/bin/rbk" ] && ok install-exec || bad install-exec "bin/rbk is not executable"
}

installed_rbk_runs() {
  local out
  if out=$("$root$prefix/bin/rbk" check "$ex"/*.rbk 2>&1); then ok installed-check; else
    bad installed-check "rbk check of the installed examples: $out"
  fi
  # The rehearsal cases name scenario files next to the plan: they must be installed too.
  out=$("$root$prefix/bin/rbk" test "$ex/emergency-rollback.rbk" -j 2 2>&1)
  if [ $? = 0 ] && [[ $out == *" 0 failed"* ]]; then ok installed-test; else
    bad installed-test "rbk test of the installed emergency rollback: $out"
  fi
  # The network module is found in its private directory, relative to the installed binary.
  out=$("$root$prefix/bin/rbk" --version 2>&1)
  [[ $out == *"libcurl "* && $out != *"missing"* ]] && ok installed-module ||
    bad installed-module "the installed rbk does not load $netdir/rbk-net.so: $out"
}

man_pages_render() {
  local page out
  # man -l renders as man would (groff -mandoc when man-db is missing), with groff's warnings.
  render() {
    if command -v man >/dev/null; then MANWIDTH=80 man --warnings -l "$@"
    else groff -mandoc -Tutf8 -ww "$@"; fi
  }
  for page in man1/rbk.1 man7/rbk-language.7; do
    out=$(render "$root$prefix/share/man/$page" 2>&1 >/dev/null)
    [ -z "$out" ] && ok "man $page" || bad "man $page" "warnings: $out"
    out=$(render "$root$prefix/share/man/$page" 2>/dev/null | grep -c .)
    [ "$out" -gt 50 ] && ok "man $page text" || bad "man $page text" "only $out lines rendered"
    if command -v mandoc >/dev/null; then
      out=$(mandoc -T lint -W warning "$root$prefix/share/man/$page" 2>&1)
      [ -z "$out" ] && ok "mandoc $page" || bad "mandoc $page" "$out"
    else
      echo "note: mandoc is not installed: $page checked with groff's warnings only"
    fi
  done
  # rbk(1) names every command and every long option that `rbk CMD --help` lists.
  local cmd opt missing=
  for cmd in check fmt plan ast run resume log test sim; do
    grep -q "^\.Cm $cmd\$" "$src/man/rbk.1" || missing+=" $cmd"
    for opt in $("$rbk" "$cmd" --help 2>&1 | grep -o -- '--[a-z][a-z-]*' | sort -u); do
      grep -q -- "Fl -${opt#--}\b" "$src/man/rbk.1" || missing+=" $cmd:$opt"
    done
  done
  [ -z "$missing" ] && ok man-coverage || bad man-coverage "rbk(1) does not describe:$missing"
}

# Runs the installed bash completion on the words "$@" (the last one is being completed) and
# prints the candidates on one line.
bash_complete() {
  PATH="$root$prefix/bin:$PATH" bash -c '
    source "$0"
    COMP_WORDS=("${@}"); COMP_CWORD=$(($# - 1))
    _rbk
    echo "${COMPREPLY[*]}"' "$root$prefix/share/bash-completion/completions/rbk" "$@"
}

completions() {
  local bc=$root$prefix/share/bash-completion/completions/rbk out
  bash -n "$bc" && ok bash-n || bad bash-n "the bash completion does not parse"
  out=$(bash_complete rbk pl)
  [ "$out" = plan ] && ok bash-commands || bad bash-commands "rbk pl<TAB> gave '$out'"
  out=$(bash_complete rbk plan "$ex/emergency-rollback.rbk" -p '')
  [ "$out" = reason= ] && ok bash-required-param || bad bash-required-param "-p<TAB> gave '$out'"
  out=$(bash_complete rbk plan "$ex/emergency-rollback.rbk" -p reason=x -p so)
  [ "$out" = soak= ] && ok bash-params || bad bash-params "-p so<TAB> gave '$out'"
  out=$(bash_complete rbk test --scenario stuck-)
  [ "$out" = stuck-rollout ] && ok bash-scenarios || bad bash-scenarios "--scenario stuck-<TAB> gave '$out'"

  if command -v zsh >/dev/null; then
    zsh -n "$root$prefix/share/zsh/vendor-completions/_rbk" && ok zsh-n || bad zsh-n "_rbk does not parse"
  else
    echo "note: zsh is not installed: the zsh completion was not parsed"
  fi
  if command -v fish >/dev/null; then
    local fc=$root$prefix/share/fish/vendor_completions.d/rbk.fish
    fish -n "$fc" && ok fish-n || bad fish-n "rbk.fish does not parse"
    out=$(PATH="$root$prefix/bin:$PATH" fish -c "source $fc; complete -C 'rbk plan $ex/emergency-rollback.rbk -p reason=x -p so'" | cut -f1)
    [ "$out" = soak= ] && ok fish-params || bad fish-params "-p so<TAB> gave '$out'"
  else
    echo "note: fish is not installed: the fish completion was not parsed"
  fi
}

editors() {
  local out
  if command -v vim >/dev/null; then
    printf 'step "a" {\n  wait 5s\n}\n' > "$tmp/a.rbk"
    out=$(vim -u NONE -N -es -c "set rtp^=$root$prefix/share/vim/vimfiles" -c 'filetype on' \
      -c 'syntax on' -c "edit $tmp/a.rbk" \
      -c 'call writefile([&filetype, synIDattr(synID(1, 1, 1), "name"), synIDattr(synID(2, 8, 1), "name"), v:errmsg], "/dev/stdout")' \
      -c 'qa!' </dev/null 2>&1)
    [ "$out" = $'rbk\nrbkStatement\nrbkDuration' ] && ok vim || bad vim "filetype, step, 5s, errors: $(echo "$out" | tr '\n' '|')"
  else
    echo "note: vim is not installed: the Vim files were not loaded"
  fi
  if command -v python3 >/dev/null; then
    out=$(python3 - "$root$prefix/share/rbk/editors/rbk.tmLanguage.json" 2>&1 <<'PY'
import json, re, sys
g = json.load(open(sys.argv[1]))
assert g["scopeName"] == "source.rbk" and "rbk" in g["fileTypes"]
def walk(o):
    if isinstance(o, dict):
        for k, v in o.items():
            if k in ("match", "begin", "end"):
                re.compile(v)
            elif k == "include" and v.startswith("#"):
                assert v[1:] in g["repository"], v
            else:
                walk(v)
    elif isinstance(o, list):
        for x in o:
            walk(x)
walk(g)
PY
    )
    [ -z "$out" ] && ok textmate || bad textmate "rbk.tmLanguage.json: $out"
  else
    echo "note: python3 is not installed: the TextMate grammar was not loaded"
  fi
}

debian_package() {
  if ! command -v cpack >/dev/null || ! command -v dpkg-shlibdeps >/dev/null; then
    echo "note: cpack or dpkg-shlibdeps is missing: no Debian package built"
    return
  fi
  local out deb
  if ! out=$(cd "$tmp" && cpack -G DEB --config "$build/CPackConfig.cmake" -B "$tmp/deb" 2>&1); then
    bad cpack "cpack -G DEB failed: $out"
    return
  fi
  deb=$(ls "$tmp"/deb/rbk_*.deb)
  ok cpack
  out=$(dpkg-deb -f "$deb" Depends)
  # The module's libraries count too: dpkg-shlibdeps reads every ELF file of the package. jansson
  # is a dependency only where it is linked as a shared library (RBK_STATIC_DEPS, CMakeLists.txt).
  local jansson=yes
  readelf -d "$full" | grep -q 'NEEDED.*libjansson' || jansson=no
  [[ $out == *libc6* && $out == *libcurl* && $out == *libyaml* && $out == *libmicrohttpd* && $out == *libwebsockets* ]] &&
    { [ $jansson = no ] || [[ $out == *libjansson* ]]; } &&
    ok deb-depends ||
    bad deb-depends "Depends: $out"
  dpkg-deb -x "$deb" "$tmp/debroot"
  out=$("$tmp/debroot/usr/bin/rbk" check "$tmp/debroot/usr/share/doc/rbk/examples/emergency-rollback.rbk" 2>&1) &&
    ok deb-rbk || bad deb-rbk "the packaged rbk: $out"
  out=$("$tmp/debroot/usr/bin/rbk" --version 2>&1)
  [ -f "$tmp/debroot/usr/$netdir/rbk-net.so" ] && [[ $out == *"libmicrohttpd "* && $out != *"missing"* ]] &&
    ok deb-module || bad deb-module "the packaged rbk (module at /usr/$netdir/rbk-net.so?): $out"
  [ -f "$tmp/debroot/usr/share/doc/rbk/changelog.Debian.gz" ] && [ -f "$tmp/debroot/usr/share/man/man1/rbk.1.gz" ] &&
    ok deb-gz || bad deb-gz "no changelog.Debian.gz or rbk.1.gz"
  if command -v lintian >/dev/null; then
    out=$(lintian "$deb" 2>&1 | grep -v 'running with root privileges')
    [ -n "$out" ] && echo "lintian: $out"
    [[ $out != *"E: "* ]] && ok lintian || bad lintian "lintian found errors"
  else
    echo "note: lintian is not installed: the package was not linted"
  fi
}

install_tree  # always: the other checks look at the installed tree
t installed_rbk_runs
t man_pages_render
t completions
t editors
t debian_package
finish package
