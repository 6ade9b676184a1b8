#!/usr/bin/env bash
# Fails when a layer includes a header of a layer above it. The server's layers, lowest first, are CMake targets
# that link only downwards (server/CMakeLists.txt); this check also names the offending line, and covers the
# shared core and the mobile core: fieldsync includes neither side, fieldmobile never the server.
set -euo pipefail
root="${1:-$(cd "$(dirname "$0")/../.." && pwd)}"
cd "$root"

layers=(util storage domain sync http app)
failed=0
report() { echo "layering: $1"; failed=1; }

for i in "${!layers[@]}"; do
  layer=${layers[$i]}
  for above in "${layers[@]:$((i + 1))}"; do
    while IFS= read -r hit; do
      report "$hit includes the higher layer '$above'"
    done < <(grep -rnE "#include \"fieldserver/$above/" "server/$layer" || true)
  done
done
# The pure scheduling library knows nothing of the server's layers.
while IFS= read -r hit; do report "$hit: fielddispatch must stay pure"; done \
  < <(grep -rnE '#include "fieldserver/(util|storage|domain|sync|http|app)/' server/dispatch || true)
while IFS= read -r hit; do report "$hit: libfieldsync includes neither the server nor the mobile core"; done \
  < <(grep -rnE '#include "(fieldserver|fieldmobile)/' sync || true)
while IFS= read -r hit; do report "$hit: the mobile core never includes the server"; done \
  < <(grep -rnE '#include "fieldserver/' mobile-core || true)

if [[ $failed -ne 0 ]]; then
  echo "layering: FAILED (order, lowest first: ${layers[*]}; fieldsync below all, fieldmobile beside the server)"
  exit 1
fi
echo "layering: ok (${layers[*]}, fieldsync, fieldmobile)"
