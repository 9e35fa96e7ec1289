#!/usr/bin/env bash
# Builds java-perf (kasio-perf's twin on the Java client) into OUT_DIR, once per source change,
# and prints as the LAST stdout line a classpath for: java -cp "$cp" kasio.perf.Main ...
#
#   tests/bench/java-perf/build.sh OUT_DIR
#
# As tests/support/kafka/peer/build.sh: Maven runs only when pom.xml or src/ changed (a hash of
# them is kept in OUT_DIR), its output goes to stderr, and MVN / KASIO_PEER_MVN_ARGS (e.g. -o for
# offline, when ~/.m2 already holds kafka-clients 4.4.0 and the plugins) are honoured.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out=${1:?usage: build.sh OUT_DIR}
mvn_cmd=${MVN:-mvn}
hash=$(cd "$here" && find pom.xml src -type f -print | LC_ALL=C sort | while IFS= read -r f; do
  printf '%s\n' "$f"; sha256sum <"$f"; done | sha256sum | cut -c1-12)

classpath() {
  local cp="$out/java-perf.jar" jar
  for jar in "$out"/lib/*.jar; do cp="$cp:$jar"; done
  printf '%s\n' "$cp"
}
if [[ -f "$out/.complete-$hash" ]]; then classpath; exit 0; fi

command -v "$mvn_cmd" >/dev/null || { echo "java-perf build: maven ('$mvn_cmd') not found" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -R "$here/pom.xml" "$here/src" "$work/"
echo "java-perf build: running Maven into $out" >&2
# shellcheck disable=SC2086
(cd "$work" && "$mvn_cmd" -q -B -Dstyle.color=never ${KASIO_PEER_MVN_ARGS:-} package \
  dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$work/target/lib") 2>&1 \
  | sed 's/\x1b\[[0-9;]*m//g' >&2
rm -rf "$out"
mkdir -p "$out/lib"
cp "$work/target/java-perf.jar" "$out/"
cp "$work/target/lib/"*.jar "$out/lib/"
touch "$out/.complete-$hash"
classpath
