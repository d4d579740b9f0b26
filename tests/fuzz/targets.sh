# tests/fuzz/targets.sh — the libFuzzer targets and how each is run, sourced by fuzz.sh and
# campaign.sh (tests/fuzz/README.md). One line per target: NAME MAX_LEN; the seed corpus of NAME is
# tests/fuzz/corpus/NAME (front and plan also take every .rbk of plans/ and tests/golden/).
# MAX_LEN bounds the inputs: long enough for the seeds that must stay whole (programs that pass
# the checker, scenario files, journals, answers of a rollout), short elsewhere (speed).
FUZZ_TARGETS="front 4096
kubeconfig 4096
answer 32768
simreq 4096
scenario 16384
journal 16384
plan 16384"

# fuzz_build BUILD_DIR: configures and builds every target with clang, ASan and UBSan: a Debug
# build (asserts stay on) optimised with -O2, which halves the time of an execution of front and
# plan against -O0 (README.md, Speed).
fuzz_build() {
  CC=clang cmake -S . -B "$1" -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_FLAGS_DEBUG="-g -O2" -DRBK_FUZZ=ON \
    -DRBK_SANITIZE=ON >/dev/null
  local t names=()
  while read -r t _; do names+=("fuzz_$t"); done <<<"$FUZZ_TARGETS"
  cmake --build "$1" -j"$(nproc)" --target "${names[@]}" >/dev/null
}

# fuzz_seed NAME DIR: copies NAME's seed corpus into DIR (created; files already there are kept).
fuzz_seed() {
  mkdir -p "$2"
  cp tests/fuzz/corpus/"$1"/* "$2"/ 2>/dev/null || true
  if [ "$1" = front ] || [ "$1" = plan ]; then
    find plans tests/golden -name '*.rbk' -exec cp {} "$2"/ \; 2>/dev/null || true
  fi
}

# fuzz_stat LOG KEY: prints libFuzzer's final stat::KEY from LOG (0 when absent).
fuzz_stat() {
  local v
  v=$(grep -a "^stat::$2:" "$1" 2>/dev/null | tail -1 | awk '{print $2}')
  echo "${v:-0}"
}
