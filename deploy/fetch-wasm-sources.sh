#!/usr/bin/env bash
# Fetches the C sources the WebAssembly build of the device core compiles with emscripten (cmake/WasmCore.cmake):
# Debian's source packages of Poco 1.11 (Foundation and JSON) and zlib, and the SQLite amalgamation from the npm
# package better-sqlite3. Every download is checked against the SHA-256 pinned here. Usage:
#   deploy/fetch-wasm-sources.sh [DIR]     (default /usr/local/src/fieldrepair-wasm; the build's FIELDREPAIR_WASM_SOURCES)
set -euo pipefail

dir="${1:-${FIELDREPAIR_WASM_SOURCES:-/usr/local/src/fieldrepair-wasm}}"
stamp="$dir/.fetched-poco-1.11.0-3+deb12u1-zlib-1.2.13.dfsg-1-sqlite-better-sqlite3-12.11.1"
if [[ -f "$stamp" ]]; then
  echo "wasm sources: present in $dir"
  exit 0
fi

# The exact files, as Debian bookworm and npm serve them; a different byte anywhere stops the script.
declare -A sha256=(
  [poco_1.11.0-3+deb12u1.dsc]=0e1e3b77a77df9fb849bffa59637fb94a8e81464bca6d1dd35d199aad7ffd56b
  [poco_1.11.0.orig.tar.bz2]=b08cf73926fa92a6c8f3c712e8fb217d5d0c2fa5248ec0281f251fe1e925d2f1
  [poco_1.11.0-3+deb12u1.debian.tar.xz]=c701cd905c7e8a9d21530189ab962789eefb98e976e4f861a6ef90866488edf7
  [zlib_1.2.13.dfsg-1.dsc]=3fa1e6b2fc525062aa88207dda52fed8e045373c809d362fe8a2bfbf7cf515a8
  [zlib_1.2.13.dfsg.orig.tar.bz2]=71feb7947e3c00ef125f83b79a4e529bde31171e5babe48b391f06758d1ab0a1
  [zlib_1.2.13.dfsg-1.debian.tar.xz]=f66cf3d4f2d7defcd4d1fd1fb0a11ee39f1e01b42ec7d059c9dc5c1695133c44
  [better-sqlite3-12.11.1.tgz]=ebf0ed75a7a59dbcb3b24bbd014ef49d9f15bc328e4adcbf516f2a8fadfa2835
)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

# A private apt configuration with deb-src entries for this machine's suite, so the system's sources stay as they are.
apt_dir="$work/apt"
mkdir -p "$apt_dir/lists/partial" "$apt_dir/parts" "$apt_dir/cache/archives/partial"
cat >"$apt_dir/sources.list" <<'EOF'
deb-src http://deb.debian.org/debian bookworm main
deb-src http://deb.debian.org/debian-security bookworm-security main
EOF
apt_opts=(-o "Dir::Etc::SourceList=$apt_dir/sources.list" -o "Dir::Etc::SourceParts=$apt_dir/parts"
  -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache" -o "APT::Sandbox::User=root")
apt-get "${apt_opts[@]}" update -qq
apt-get "${apt_opts[@]}" source --download-only -qq poco=1.11.0-3+deb12u1 zlib=1:1.2.13.dfsg-1 >/dev/null
npm pack --silent better-sqlite3@12.11.1 >/dev/null

for file in "${!sha256[@]}"; do
  echo "${sha256[$file]}  $file"
done | sha256sum --check --quiet

# dpkg-source applies Debian's patches (among them the CVE fixes) the way Debian's own build does.
dpkg-source --no-check -x poco_1.11.0-3+deb12u1.dsc poco >/dev/null
dpkg-source --no-check -x zlib_1.2.13.dfsg-1.dsc zlib >/dev/null
mkdir sqlite
tar -xzf better-sqlite3-12.11.1.tgz --strip-components=3 -C sqlite package/deps/sqlite3/sqlite3.c \
  package/deps/sqlite3/sqlite3.h

mkdir -p "$dir"
rm -rf "$dir/poco" "$dir/zlib" "$dir/sqlite"
# Only the parts the build compiles: Poco's Foundation and JSON, zlib's C files, SQLite's amalgamation.
mkdir -p "$dir/poco"
cp -r poco/Foundation poco/JSON poco/LICENSE "$dir/poco/"
cp -r zlib sqlite "$dir/"
touch "$stamp"
version=$(sed -n 's/^#define SQLITE_VERSION  *"\(.*\)"/\1/p' sqlite/sqlite3.h)
echo "wasm sources: Poco 1.11.0, zlib 1.2.13 and SQLite $version in $dir"
