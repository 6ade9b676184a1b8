#!/usr/bin/env bash
# The whole test suite under AddressSanitizer and UndefinedBehaviorSanitizer (gcc, FIELDREPAIR_SANITIZE=ON) in its
# own build folder: any report stops the program that made it and fails the run. Too slow for tests/run.sh; see
# docs/testing-hardening.md. Arguments go to ctest, e.g. tests/sanitize.sh -R 'sync_tests|mobile_tests'.
#   FIELDREPAIR_SANITIZE_BUILD_DIR  the build folder (default build-asan)
#   FIELDREPAIR_SANITIZE_PG_PORT    the port of the suite's private PostgreSQL cluster (default 55433)
#   FIELDREPAIR_SANITIZE_TARGETS    build only these targets (default: everything), e.g. "sync_tests mobile_tests"
set -euo pipefail
cd "$(dirname "$0")/.."

build="${FIELDREPAIR_SANITIZE_BUILD_DIR:-build-asan}"
port="${FIELDREPAIR_SANITIZE_PG_PORT:-55433}"
launcher=()
if command -v ccache >/dev/null; then
  launcher=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
fi
# The browser tests need playwright-core and axe-core, exactly as tests/run.sh installs them.
npm ci --prefix tests/browser --no-audit --no-fund >/dev/null
started=$(date +%s)
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFIELDREPAIR_TESTS=ON -DFIELDREPAIR_SANITIZE=ON \
  -DFIELDREPAIR_TEST_PG_DIR="/tmp/fieldrepair-asan-pg-$port" -DFIELDREPAIR_TEST_PG_PORT="$port" "${launcher[@]}" >/dev/null
read -r -a targets <<<"${FIELDREPAIR_SANITIZE_TARGETS:-all}"
cmake --build "$build" --target "${targets[@]}"
built=$(date +%s)
echo "sanitize build: $((built - started)) s"

# Reports also go to files, so one from a server the integration tests started (whose output they do not show)
# still fails the run.
logs="$PWD/$build/sanitizer-logs"
rm -rf "$logs"
mkdir -p "$logs"
export ASAN_OPTIONS="halt_on_error=1:abort_on_error=1:detect_leaks=1:check_initialization_order=1:log_path=$logs/asan"
export UBSAN_OPTIONS="halt_on_error=1:abort_on_error=1:print_stacktrace=1:log_path=$logs/ubsan"
if [[ -f tests/sanitize.supp ]]; then export LSAN_OPTIONS="suppressions=$PWD/tests/sanitize.supp:print_suppressions=0"; fi
status=0
# fuzz_smoke is left out: the fuzz targets are built with both sanitizers already.
ctest --test-dir "$build" --output-on-failure --timeout 3000 -E '^fuzz_smoke$' "$@" || status=$?
echo "sanitize tests: $(($(date +%s) - built)) s"
if compgen -G "$logs/*" >/dev/null; then
  echo "sanitizer reports:"
  for report in "$logs"/*; do
    echo "--- $report"
    head -80 "$report"
  done
  status=1
fi
exit $status
