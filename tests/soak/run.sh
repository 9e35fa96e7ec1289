#!/usr/bin/env bash
# Soak test (issue 9): builds kasio-soak in Release and runs it for the given number of seconds.
#
#   tests/soak/run.sh <seconds> [kasio-soak options: --seed N --rate R --partitions P --consumers C --log]
#
# A producer (idempotent, acks=all) and a group of consumers run against librdkafka's mock
# cluster (3 brokers, in a child process) while brokers go down and up, partition leaders move and
# requests fail with retriable errors at random (the seed is printed; pass --seed to replay the
# same fault choices, though timing still differs). At the end every acknowledged record must be
# in the log once, in send order per partition, and handed to a consumer at least once; resident
# memory must not grow more than 20 % from the first to the last minute (runs of 60 s or more).
# Progress goes to stderr every 10 s; the last stdout line is `RESULT key=value ...`; exit 0 =
# PASS. The mock keeps 5 MiB per partition: at the default rate, runs up to about 20 minutes.
#
# Environment: BUILD_DIR (default build-soak), KASIO_RDKAFKA_PREFIX (default: what
# tests/support/build_librdkafka.sh installs), JOBS (default 2).
set -euo pipefail

if [[ $# -lt 1 || ! $1 =~ ^[0-9]+$ ]]; then
  sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
fi
seconds=$1
shift

root=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD_DIR:-$root/build-soak}
prefix=${KASIO_RDKAFKA_PREFIX:-$("$root/tests/support/build_librdkafka.sh" | tail -1)}
launcher=()
if command -v ccache > /dev/null; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi

cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DKASIO_RDKAFKA_PREFIX="$prefix" \
  "${launcher[@]}" > /dev/null
cmake --build "$build" -j "${JOBS:-2}" --target kasio-soak
exec "$build/tests/soak/kasio-soak" --seconds "$seconds" "$@"
