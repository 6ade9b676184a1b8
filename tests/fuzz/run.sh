#!/usr/bin/env bash
# Builds the libFuzzer targets (clang-15, ASan + UBSan, sync and mobile-core only) in their own build folder and
# runs each from its seed corpus for a bounded time; fails on any finding. ctest runs it as fuzz_smoke.
#   FIELDREPAIR_FUZZ_SECONDS    seconds per target (default 15)
#   FIELDREPAIR_FUZZ_BUILD_DIR  the build folder (default build-fuzz); findings are kept in <it>/fuzz-findings/
#   FIELDREPAIR_FUZZ_TARGETS    the targets to run (default all: wire json_scan workflow request_body device_pull
#                               http_head)
#   FIELDREPAIR_FUZZ_WORK_DIR   keep the inputs the runs add to the corpus there (default: a temporary folder)
# Further arguments go to every libFuzzer run, e.g. -fork=2 for a long run on two cores (docs/testing-hardening.md).
set -euo pipefail
cd "$(dirname "$0")/../.."

build="${FIELDREPAIR_FUZZ_BUILD_DIR:-build-fuzz}"
seconds="${FIELDREPAIR_FUZZ_SECONDS:-15}"
read -r -a targets <<<"${FIELDREPAIR_FUZZ_TARGETS:-wire json_scan workflow request_body device_pull http_head}"

if ! command -v clang++-15 >/dev/null || [[ ! -f $(clang++-15 --print-runtime-dir)/libclang_rt.fuzzer-x86_64.a ]]; then
  echo "fuzz: skipped, clang-15 and libfuzzer-15-dev are not installed (deploy/install-deps.sh --tests)"
  exit 77
fi
launcher=()
if command -v ccache >/dev/null; then
  launcher=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
fi
started=$(date +%s)
CC=clang-15 CXX=clang++-15 cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFIELDREPAIR_FUZZ=ON \
  -DFIELDREPAIR_TESTS=OFF "${launcher[@]}" >/dev/null
cmake --build "$build" --target "${targets[@]/#/fuzz_}"
echo "fuzz build: $(($(date +%s) - started)) s"

if command -v llvm-symbolizer >/dev/null; then export ASAN_SYMBOLIZER_PATH="$(command -v llvm-symbolizer)"; fi
# New inputs the runs find go to a work folder, removed at the end unless FIELDREPAIR_FUZZ_WORK_DIR names one to
# keep (to merge into the corpus, docs/testing-hardening.md); the committed corpus is only read.
scratch="${FIELDREPAIR_FUZZ_WORK_DIR:-}"
if [[ -z $scratch ]]; then
  scratch=$(mktemp -d)
  trap 'rm -rf "$scratch"' EXIT
fi
failed=()
for target in "${targets[@]}"; do
  findings="$build/fuzz-findings/$target"
  mkdir -p "$scratch/$target" "$findings"
  # Sync messages get the wire format's words, request heads HTTP's, everything else JSON's.
  dict=tests/fuzz/json.dict
  [[ $target == wire || $target == device_pull ]] && dict=tests/fuzz/wire.dict
  [[ $target == http_head ]] && dict=tests/fuzz/http.dict
  log="$scratch/$target.log"
  # -timeout: an input that runs for 10 s is a finding (a hang), not something to wait out.
  if "$build/tests/fuzz/fuzz_$target" -max_total_time="$seconds" -timeout=10 -print_final_stats=1 \
      -artifact_prefix="$findings/" -dict="$dict" "$@" "$scratch/$target" "tests/fuzz/corpus/$target" >"$log" 2>&1; then
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
    echo "fuzz_$target: ${runs:-?} runs, ${rate:-?}/s, no finding"
  else
    failed+=("$target")
    echo "fuzz_$target: FINDING (input kept in $findings/)"
    grep -v -e '^#' -e '^INFO' "$log" | head -60
  fi
done
echo "fuzz: $(($(date +%s) - started)) s"
if [[ ${#failed[@]} -gt 0 ]]; then
  echo "fuzz: findings in ${failed[*]}; reproduce with $build/tests/fuzz/fuzz_<target> <input>"
  exit 1
fi
