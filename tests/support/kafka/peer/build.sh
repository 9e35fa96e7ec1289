#!/usr/bin/env bash
# Builds the Java reference peer once into a cache outside the source tree and
# prints, as the LAST stdout line, a classpath for:
#     java -cp "$cp" kasio.peer.Main COMMAND ...
# Everything else (Maven output, progress) goes to stderr.
#
# Cache: ${KASIO_CACHE_DIR:-$HOME/.cache/kasio}/kasio-peer-<hash>/ where <hash> is
# the first 12 hex digits of the sha256 over pom.xml and src/. Unchanged sources
# reuse the cached build without running Maven. Concurrent callers serialise on a
# lock file, so only one of them builds.
#
# Environment: KASIO_CACHE_DIR (cache root), MVN (maven command, default mvn),
# KASIO_PEER_MVN_ARGS (extra maven arguments, e.g. -o for offline).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cache_root="${KASIO_CACHE_DIR:-${HOME:?HOME is not set}/.cache/kasio}"
mvn_cmd="${MVN:-mvn}"

log() { printf 'kasio-peer build: %s\n' "$*" >&2; }

# Hash of the inputs: relative path + content of pom.xml and every file under src/.
hash="$(
    cd "$here"
    find pom.xml src -type f -print | LC_ALL=C sort | while IFS= read -r f; do
        printf '%s\n' "$f"
        sha256sum < "$f"
    done | sha256sum | cut -c1-12
)"
dest="$cache_root/kasio-peer-$hash"

classpath() {
    local cp="$dest/kasio-peer.jar" jar
    for jar in "$dest"/lib/*.jar; do
        cp="$cp:$jar"
    done
    printf '%s\n' "$cp"
}

if [[ -f "$dest/.complete" ]]; then
    classpath
    exit 0
fi

mkdir -p "$cache_root"
exec 9>"$cache_root/kasio-peer.lock"
log "taking build lock $cache_root/kasio-peer.lock"
flock -w 1800 9 || { log "could not take the build lock within 30 minutes"; exit 1; }

# Another caller may have finished the build while we waited.
if [[ -f "$dest/.complete" ]]; then
    classpath
    exit 0
fi

command -v "$mvn_cmd" >/dev/null 2>&1 || { log "maven ('$mvn_cmd') not found; install maven"; exit 1; }

work="$(mktemp -d "$cache_root/.kasio-peer-build.XXXXXX")"
trap 'rm -rf "$work"' EXIT
cp -R "$here/pom.xml" "$here/src" "$work/"

log "building into $dest (this runs Maven once)"
# shellcheck disable=SC2086
(cd "$work" && "$mvn_cmd" -q -B -Dstyle.color=never ${KASIO_PEER_MVN_ARGS:-} package dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$work/target/lib") 2>&1 \
    | sed 's/\x1b\[[0-9;]*m//g' >&2 \
    || { log "maven build failed"; exit 1; }

stage="$work/out"
mkdir -p "$stage/lib"
cp "$work/target/kasio-peer.jar" "$stage/"
cp "$work/target/lib/"*.jar "$stage/lib/"
touch "$stage/.complete"
rm -rf "$dest"
mv "$stage" "$dest"
log "done"
classpath
