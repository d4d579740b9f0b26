#!/usr/bin/env bash
# Installs the Debian packages rbk needs (when missing) and builds it into build/.
# Usage: scripts/bootstrap.sh [extra cmake arguments]
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(build-essential cmake pkg-config flex bison libcurl4-openssl-dev libjansson-dev
  libcmocka-dev libyaml-dev libmicrohttpd-dev libwebsockets-dev libgnutls28-dev nettle-dev graphviz valgrind clang libclang-rt-14-dev
  python3 python3-kubernetes openssl wrk jq git curl time hyperfine)
packages+=(man-db mandoc lintian zsh fish vim)  # tests/package: man pages, .deb, completions, Vim
packages+=(chromium nodejs)                      # tests/render: mermaid-cli drives Debian's chromium
command -v npm >/dev/null || packages+=(npm)      # (a nodejs from elsewhere may bring its own npm)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" = 0 ] || sudo=sudo
  echo "rbk: installing ${missing[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
cmake --build build -j"$(nproc)"

# tests/render: @mermaid-js/mermaid-cli at the version pinned in tests/render/package-lock.json,
# into build/render/node_modules (puppeteer's own browser is not downloaded: it drives
# /usr/bin/chromium, tests/render/puppeteer.json).
if ! cmp -s tests/render/package-lock.json build/render/package-lock.json || [ ! -x build/render/node_modules/.bin/mmdc ]; then
  mkdir -p build/render
  cp tests/render/package.json tests/render/package-lock.json build/render/
  (cd build/render && PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
fi
