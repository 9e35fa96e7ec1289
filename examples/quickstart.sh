#!/usr/bin/env bash
# kasio's main job: install what is missing, build (Release), start a local 3-broker
# Kafka-protocol cluster (librdkafka 2.14's mock cluster, wrapped by tests/support), produce
# 1,000,000 records with kasio-perf, consume them back, and print a short summary.
#
#   ./examples/quickstart.sh                      # local mock cluster
#   ./examples/quickstart.sh --kafka              # a local Apache Kafka 4.4 cluster (1 controller,
#                                                 # 3 brokers; fetched with Maven once, ~30 s to start)
#   ./examples/quickstart.sh --brokers h:p,...    # a real cluster instead
#   options: --count N (default 1000000), --size S (value bytes, default 100),
#            --topic T (default: quickstart locally; on a real cluster a fresh
#            kasio-quickstart-<time>, auto-created by the broker, or an existing empty topic)
#
# The summary line: records, MB/s each way, p99 delivery latency, lost=0. Exit status 0 only
# when every record was delivered and read back.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${KASIO_BUILD_DIR:-$root/build-release}
topic=""
count=1000000
size=100
partitions=64   # the mock keeps 5 MiB per partition: enough of them that nothing is dropped

brokers=""
kafka=0
while (($#)); do
  case "$1" in
    --brokers) brokers=$2; shift 2 ;;
    --topic) topic=$2; shift 2 ;;
    --count) count=$2; shift 2 ;;
    --size) size=$2; shift 2 ;;
    --kafka) kafka=1; shift ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "quickstart: unknown argument $1" >&2; exit 2 ;;
  esac
done

"$root/tests/support/install_deps.sh"
rdkafka_prefix=$("$root/tests/support/build_librdkafka.sh" | tail -n 1)

echo "quickstart: building kasio (Release) in $build" >&2
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DKASIO_BUILD_TESTS=ON -DKASIO_BUILD_BENCH=OFF \
  -DKASIO_RDKAFKA_PREFIX="$rdkafka_prefix" >/dev/null
cmake --build "$build" -j2 --target kasio-cli kasio-perf kasio-mock-broker

broker_pid=""
kafka_dir=""
cleanup() {
  [[ -n "$broker_pid" ]] && kill "$broker_pid" 2>/dev/null
  [[ -n "$kafka_dir" ]] && "$root/tests/support/kafka/cluster.sh" "$kafka_dir" stop
  true
}
trap cleanup EXIT

if ((kafka)) && [[ -z "$brokers" ]]; then
  kafka_dir=$build/quickstart-kafka
  echo "quickstart: starting a local Apache Kafka cluster in $kafka_dir" >&2
  "$root/tests/support/kafka/cluster.sh" "$kafka_dir" start
  brokers=$(sed -n 's/^KASIO_KAFKA_BOOTSTRAP=//p' "$kafka_dir/cluster.env")
  topic=${topic:-quickstart}
  # kasio's own admin client makes the topic (an existing one from an earlier run is fine).
  if ! "$build/examples/kasio-cli" topics create --brokers "$brokers" --topic "$topic" \
      --partitions 12 --replication 3 >"$build/quickstart-topic.json"; then
    grep -q '"error":"topic_already_exists"' "$build/quickstart-topic.json" ||
      { cat "$build/quickstart-topic.json" >&2; echo "quickstart: could not create topic $topic" >&2; exit 1; }
  fi
  echo "quickstart: Kafka at $brokers (topic $topic, 12 partitions, replication 3)" >&2
elif [[ -z "$brokers" ]]; then
  topic=${topic:-quickstart}
  if (( count * (size + 70) / partitions > 5 * 1024 * 1024 )); then
    echo "quickstart: $count records of $size bytes overflow the mock's 5 MiB per partition" >&2
    exit 2
  fi
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

topic=${topic:-kasio-quickstart-$(date +%s)}

"$build/examples/kasio-cli" metadata --brokers "$brokers" >"$build/quickstart-metadata.json"
echo "quickstart: cluster metadata in $build/quickstart-metadata.json" >&2

# The last stdout line of kasio-perf is its RESULT line; progress goes to the terminal.
field() { sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<"$1"; }
echo "quickstart: producing $count records of $size bytes to $topic" >&2
produced=$("$build/examples/kasio-perf" produce --brokers "$brokers" --topic "$topic" \
  --count "$count" --size "$size" | tail -n 1) || true
echo "$produced" >&2
echo "quickstart: consuming them back" >&2
consumed=$("$build/examples/kasio-perf" consume --brokers "$brokers" --topic "$topic" \
  --count "$count" --size "$size" | tail -n 1) || true
echo "$consumed" >&2

ok_p=$(field "$produced" ok); ok_c=$(field "$consumed" ok)
if [[ -z "$ok_p" || -z "$ok_c" ]]; then
  echo "quickstart: kasio-perf did not report (see above)" >&2
  exit 1
fi
lost=$((count - ok_c))
printf 'quickstart: %d records produced (%s MB/s, p99 delivery %s ms), %d consumed (%s MB/s), lost=%d\n' \
  "$ok_p" "$(field "$produced" mb_per_s)" "$(field "$produced" p99_ms)" \
  "$ok_c" "$(field "$consumed" mb_per_s)" "$lost"
((ok_p == count && lost == 0)) || exit 1
