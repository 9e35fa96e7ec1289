#!/usr/bin/env bash
# The test command: installs what is missing, builds kasio (-Werror) and runs the whole ctest
# suite, integration tests included: against librdkafka 2.14's mock cluster (built once into a
# cache outside the tree by tests/support/build_librdkafka.sh) and against a local Apache Kafka
# 4.4 cluster that ctest starts and stops (tests/support/kafka; label `kafka`).
#
#   KASIO_BUILD_DIR     build directory (default: build/ in the source tree)
#   KASIO_CMAKE_ARGS    extra CMake arguments (e.g. -DKASIO_SANITIZE=address,undefined)
#   KASIO_CTEST_ARGS    extra ctest arguments (e.g. -R protocol)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${KASIO_BUILD_DIR:-$root/build}

"$root/tests/support/install_deps.sh"
# ccache: paths relative to the tree, so a fresh clone (CI) reuses an earlier build's objects.
export CCACHE_BASEDIR="$root" CCACHE_NOHASHDIR=true
rdkafka_prefix=$("$root/tests/support/build_librdkafka.sh" | tail -n 1)
# The real Kafka broker and the Java reference peer (tests labelled `kafka`), fetched and built
# once into the same cache; KASIO_CMAKE_ARGS=-DKASIO_KAFKA_TESTS=OFF leaves them out.
if [[ ${KASIO_CMAKE_ARGS:-} != *KASIO_KAFKA_TESTS=OFF* ]]; then
  "$root/tests/support/kafka/fetch_kafka.sh" >/dev/null
  "$root/tests/support/kafka/peer/build.sh" >/dev/null
fi

# shellcheck disable=SC2086  # KASIO_CMAKE_ARGS is a list of words
cmake -S "$root" -B "$build" -G Ninja \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_COMPILER_LAUNCHER=ccache \
  -DKASIO_WERROR=ON \
  -DKASIO_RDKAFKA_PREFIX="$rdkafka_prefix" \
  ${KASIO_CMAKE_ARGS:-}
cmake --build "$build" -j2
# shellcheck disable=SC2086
ctest --test-dir "$build" --output-on-failure -j2 --timeout 300 ${KASIO_CTEST_ARGS:-}
