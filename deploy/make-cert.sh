#!/usr/bin/env bash
# Makes a self-signed TLS certificate and key for fieldrepair-server with openssl.
# Usage: deploy/make-cert.sh [out-dir] [host-name]   (defaults: var/tls, this machine's name)
set -euo pipefail
out="${1:-var/tls}"
host="${2:-$(hostname -f 2>/dev/null || hostname)}"
mkdir -p "$out"
umask 077
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -sha256 -days 825 -nodes \
  -keyout "$out/server.key" -out "$out/server.crt" -subj "/O=fieldrepair/CN=$host" \
  -addext "subjectAltName=DNS:$host,DNS:localhost,IP:127.0.0.1,IP:::1" 2>/dev/null
chmod 644 "$out/server.crt"
echo "wrote $out/server.crt and $out/server.key (CN=$host); set FIELDREPAIR_TLS_CERT and FIELDREPAIR_TLS_KEY to use them"
