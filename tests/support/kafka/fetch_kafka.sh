#!/usr/bin/env bash
# Fetches the pinned Apache Kafka broker (org.apache.kafka:kafka_2.13 and its runtime
# dependencies, plus a log4j2 binding for its slf4j logging) with Maven, once, into
#
#   ${KASIO_CACHE_DIR:-$HOME/.cache/kasio}/kafka-<version>/libs
#
# and prints that directory as the LAST stdout line (everything else goes to stderr). A complete
# download (stamp written after Maven succeeded) is reused at once. Installs Java 17 and Maven
# from Debian when missing.
set -euo pipefail

readonly version=${KASIO_KAFKA_VERSION:-4.4.0}
readonly log4j_version=2.25.5   # the log4j-api/-core version kafka_2.13 4.4.0 depends on
cache_root=${KASIO_CACHE_DIR:-${HOME:?HOME is not set; set KASIO_CACHE_DIR}/.cache/kasio}
home=$cache_root/kafka-$version
stamp=$home/.kasio-fetch-complete

exec 3>&1 1>&2
log() { printf 'fetch_kafka: %s\n' "$*" >&2; }

if [[ -f $stamp ]]; then
  echo "$home/libs" >&3
  exit 0
fi

if ! command -v java >/dev/null || ! command -v mvn >/dev/null; then
  log "installing Java 17 and Maven"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends openjdk-17-jdk-headless maven >/dev/null
fi

mkdir -p "$home"
exec 9>"$home.lock"
flock 9
if [[ -f $stamp ]]; then
  echo "$home/libs" >&3
  exit 0
fi

log "fetching Apache Kafka $version with Maven into $home"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat >"$work/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>kasio.test</groupId><artifactId>kafka-broker-fetch</artifactId><version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId>
      <version>$version</version></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-slf4j-impl</artifactId>
      <version>$log4j_version</version></dependency>
  </dependencies>
</project>
POM
rm -rf "$home/libs"
(cd "$work" && mvn -q -B dependency:copy-dependencies -DincludeScope=runtime \
   -DoutputDirectory="$home/libs")
[[ -f $home/libs/kafka_2.13-$version.jar ]] || { log "error: kafka_2.13-$version.jar missing after Maven"; exit 1; }
touch "$stamp"
log "Apache Kafka $version ready ($(du -sh "$home/libs" | cut -f1))"
echo "$home/libs" >&3
