#!/usr/bin/env bash
# kasio's main job: install what is missing, build (Release), start a local 3-broker
# Kafka-protocol cluster (librdkafka 2.14's mock cluster, wrapped by tests/support), and run
# kasio against it.
#
#   ./examples/quickstart.sh                      # local mock cluster
#   ./examples/quickstart.sh --brokers h:p,...    # a real cluster instead
#
# Today the run is: connect, negotiate API versions, print the cluster's metadata
# (kasio-cli metadata). The produce-and-consume run arrives with the producer and consumer.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${KASIO_BUILD_DIR:-$root/build-release}
topic=${KASIO_QUICKSTART_TOPIC:-quickstart}
partitions=64   # the mock keeps 5 MiB per partition: enough of them that nothing is dropped

brokers=""
while (($#)); do
  case "$1" in
    --brokers) brokers=$2; shift 2 ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "quickstart: unknown argument $1" >&2; exit 2 ;;
  esac
done

"$root/tests/support/install_deps.sh"
rdkafka_prefix=$("$root/tests/support/build_librdkafka.sh" | tail -n 1)

echo "quickstart: building kasio (Release) in $build" >&2
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DKASIO_BUILD_TESTS=ON -DKASIO_BUILD_BENCH=OFF \
  -DKASIO_RDKAFKA_PREFIX="$rdkafka_prefix" >/dev/null
cmake --build "$build" -j2 --target kasio-cli kasio-mock-broker

broker_pid=""
cleanup() { [[ -n "$broker_pid" ]] && kill "$broker_pid" 2>/dev/null || true; }
trap cleanup EXIT

if [[ -z "$brokers" ]]; then
  # The mock broker prints "BOOTSTRAP host:port,..." first, then serves until stdin closes.
  fifo=$(mktemp -u); mkfifo "$fifo"
  exec 3<> "$fifo"; rm -f "$fifo"
  out=$(mktemp)
  "$build/tests/support/kasio-mock-broker" --brokers 3 --topic "$topic:$partitions:3" <&3 >"$out" &
  broker_pid=$!
  for _ in $(seq 1 100); do
    brokers=$(sed -n 's/^BOOTSTRAP //p' "$out")
    [[ -n "$brokers" ]] && break
    kill -0 "$broker_pid" 2>/dev/null || { echo "quickstart: mock broker exited" >&2; cat "$out" >&2; exit 1; }
    sleep 0.1   # bounded: 100 polls for the broker's first line
  done
  [[ -n "$brokers" ]] || { echo "quickstart: mock broker did not start" >&2; exit 1; }
  echo "quickstart: local cluster at $brokers (topic $topic, $partitions partitions)" >&2
fi

"$build/examples/kasio-cli" metadata --brokers "$brokers"
echo "quickstart: ok" >&2
