#!/usr/bin/env bash
# Fails on any C or C++ file of the repository that .clang-format would change, naming the files; fix them with
#   git ls-files '*.cpp' '*.hpp' '*.h' '*.c' | xargs clang-format-15 -i
set -euo pipefail
root="${1:-$(cd "$(dirname "$0")/../.." && pwd)}"
cd "$root"
tool="${CLANG_FORMAT:-clang-format-15}"
command -v "$tool" >/dev/null || { echo "format: $tool is missing (deploy/install-deps.sh --tests installs it)"; exit 1; }
mapfile -t files < <(git ls-files '*.cpp' '*.hpp' '*.h' '*.c' 2>/dev/null || find sync server mobile-core tests \
  -name '*.cpp' -o -name '*.hpp' -o -name '*.h' -o -name '*.c')
bad=()
for f in "${files[@]}"; do
  [[ -f "$f" ]] || continue
  "$tool" --dry-run -Werror "$f" >/dev/null 2>&1 || bad+=("$f")
done
if [[ ${#bad[@]} -gt 0 ]]; then
  printf 'format: not formatted by %s (.clang-format):\n' "$tool"
  printf '  %s\n' "${bad[@]}"
  exit 1
fi
echo "format: ${#files[@]} files formatted as .clang-format says"
