#!/usr/bin/env bash
# One command from a fresh Debian 12 machine to a running server: installs the packages, builds, and starts
# fieldrepair-server on SQLite with a self-signed certificate and demo data. Ctrl-C stops it.
# Settings: FIELDREPAIR_LISTEN (default 0.0.0.0:8443) and the others listed by `fieldrepair-server --help`.
set -euo pipefail
cd "$(dirname "$0")/.."

deploy/install-deps.sh

echo "build: configuring and compiling fieldrepair-server (first build takes a few minutes)"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFIELDREPAIR_TESTS=OFF >/dev/null
cmake --build build --target fieldrepair-server

mkdir -p var
umask 077
# Passwords are made once per machine and kept in var/, never hard-coded.
[[ -s var/admin-password.txt ]] || head -c 18 /dev/urandom | base64 | tr -d '/+=' > var/admin-password.txt
[[ -s var/demo-password.txt ]] || head -c 12 /dev/urandom | base64 | tr -d '/+=' > var/demo-password.txt
export FIELDREPAIR_ADMIN_PASSWORD="${FIELDREPAIR_ADMIN_PASSWORD:-$(cat var/admin-password.txt)}"
export FIELDREPAIR_DEMO_PASSWORD="${FIELDREPAIR_DEMO_PASSWORD:-$(cat var/demo-password.txt)}"
export FIELDREPAIR_LISTEN="${FIELDREPAIR_LISTEN:-0.0.0.0:8443}"
port="${FIELDREPAIR_LISTEN##*:}"

cat <<MSG

fieldrepair is starting at https://localhost:${port}  (self-signed certificate: var/tls/server.crt)
  admin      password ${FIELDREPAIR_ADMIN_PASSWORD}
  demo users dispatcher, tech.li, tech.zhang, tech.chen, customer.liu — password ${FIELDREPAIR_DEMO_PASSWORD}
  try:       curl --cacert var/tls/server.crt https://localhost:${port}/healthz
MSG
exec build/server/fieldrepair-server --demo
