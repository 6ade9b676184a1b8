#!/usr/bin/env bash
# Installs the Debian packages fieldrepair needs, only those missing. Usage: deploy/install-deps.sh [--tests]
# --tests adds what the test suite needs (PostgreSQL server, Chromium, Python's YAML and JSON Schema, clang-15 and
# libFuzzer, nginx).
set -euo pipefail

# libzxcvbn-dev: the password strength check of new passwords (server/util/src/password_strength.cpp).
packages=(build-essential cmake ninja-build pkg-config libpoco-dev libsqlite3-dev libssl-dev libpq-dev libzxcvbn-dev
  openssl curl jq)
# The technician app's device core in WebAssembly (cmake/WasmCore.cmake, README "How the app's core is built"):
# emscripten compiles it, its optimizer needs node-acorn, dpkg-dev unpacks Debian's Poco and zlib sources and npm
# fetches the SQLite amalgamation (deploy/fetch-wasm-sources.sh, run at the end).
packages+=(emscripten node-acorn dpkg-dev)
command -v npm >/dev/null || packages+=(nodejs npm)
if [[ "${1:-}" == "--tests" ]]; then
  # fonts-wqy-microhei: a Chinese font, so the browser tests' screenshots show Chinese text instead of boxes.
  packages+=(catch2 postgresql chromium fonts-wqy-microhei python3 python3-yaml python3-jsonschema sqlite3)
  # clang-format-15: the formatting check; clang-15 and libFuzzer: the fuzz targets of tests/fuzz.
  packages+=(clang-format-15 clang-15 libfuzzer-15-dev)
  # nginx: the balancer in front of two instances in the cross-instance test (ctest balancer_postgresql).
  packages+=(nginx)
  # Node runs the browser tests (Playwright) and the WebAssembly core's unit tests (added above for all builds).
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
sudo=()
[[ $(id -u) -eq 0 ]] || sudo=(sudo)
if [[ ${#missing[@]} -eq 0 ]]; then
  echo "dependencies: all ${#packages[@]} packages present"
else
  echo "dependencies: installing ${missing[*]}"
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  echo "dependencies: installed ${#missing[@]} packages"
fi
"${sudo[@]}" "$(dirname "$0")/fetch-wasm-sources.sh"
