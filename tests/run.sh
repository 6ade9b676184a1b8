#!/usr/bin/env bash
# The whole test suite in one command: installs what the tests need, builds everything, runs every test
# program through ctest (unit, integration against the real HTTPS server, API conformance).
set -euo pipefail
cd "$(dirname "$0")/.."

deploy/install-deps.sh --tests
# playwright-core and axe-core for the browser tests, exactly as locked in tests/browser/package-lock.json.
npm ci --prefix tests/browser --no-audit --no-fund >/dev/null

build="${FIELDREPAIR_BUILD_DIR:-build}"
started=$(date +%s)
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFIELDREPAIR_TESTS=ON -DFIELDREPAIR_WERROR=ON >/dev/null
cmake --build "$build"
built=$(date +%s)
echo "build: $((built - started)) s"

ctest --test-dir "$build" --output-on-failure --timeout 1500 "$@"
echo "tests: $(($(date +%s) - built)) s"
