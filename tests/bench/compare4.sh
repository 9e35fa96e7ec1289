#!/usr/bin/env bash
# Four Kafka clients side by side against the same local broker in one run: kasio (kasio-perf),
# librdkafka 2.14 (rdkafka-perf), the Java client 4.4 (java-perf) and franz-go 1.22 (franz-perf).
# The four share one command line, one payload and one RESULT line (examples/perf_common.hpp).
# Not part of ./tests/run.sh or CI: it builds the Java twin with Maven and the Go twin with the
# Go toolchain.
#
#   tests/bench/compare4.sh [--count N] [--rounds R] [--only CASE] [--tables own,aligned]
#                           [--clients kasio,librdkafka,java,franz] [--out FILE] [--cluster DIR]
#
#   --count N     records per 100-byte case (default 1000000); the 1 KB case uses N/4
#   --rounds R    rounds per case and table (default 3); the tables show medians
#   --only LIST   run these cases (comma-separated): 100b, 1kb, lowrate, 10b, 100kb, p6,
#                 p1000, gzip, snappy, lz4, zstd, acks1; without it the first three
#   --tables T    own (each client with its own defaults), aligned (acks=all, idempotence,
#                 linger.ms=5, batch.size=16384, 5 requests in flight but 1 in franz-go, which
#                 allows no more with idempotence, no compression), or both
#   --clients L   a subset, in the order of the first round
#   --out FILE    keep the RESULT lines there (default <build>/compare4/results-<time>.txt);
#                 tests/bench/plot_results.py reads them
#   --cluster DIR against a running tests/support/kafka/cluster.sh cluster in DIR (start and
#                 stop it yourself) instead of kasio-mock-broker; topics are created through the
#                 Java peer, named per run, and left behind
#   KASIO_BUILD_DIR  C++ build directory (default build-release), as compare.sh
#
# On kasio-mock-broker (librdkafka's mock) the Java client cannot run: the mock's reply to the
# Java client's ApiVersions request parses as a throttle of about 20 minutes, so java is dropped
# there and measured only with --cluster.
#
# Cases (64 partitions unless said, 8-byte keys, so murmur2 spreads them alike in every client):
#   100b     100-byte values, produced then consumed back
#   1kb      1000-byte values, produced then consumed back
#   lowrate  1,000 records/s, linger 0 (both tables): delivery p50/p99 at low load; every twin
#            paces its sends with --rate (record i due at start + i/rate)
#   10b      10-byte values (N records); 100kb: 100,000-byte values (N/1000 records)
#   p6, p1000  100-byte values on 6 and 1,000 partitions (N/5 and N/2 records)
# (kasio-mock-broker keeps about 5 MiB per partition and drops the oldest records beyond it:
# the counts keep every partition under that, or consumers would wait for records it dropped.)
#   gzip, snappy, lz4, zstd  100-byte values with that codec in both tables (N/2 records)
#   acks1    100-byte values, acks=1 in both tables (idempotence off: it needs acks=all)
#
# A round starts a fresh kasio-mock-broker (3 brokers), then every client produces to its own
# topic, the order rotating from round to round, then every client consumes the topic of the
# round's first producer (the same records for every consumer).
# Each run is wrapped in /usr/bin/time: the whole process's CPU (user + system, every thread,
# start-up, the JVM's JIT and GC and the Go runtime included) and its peak RSS are appended to
# the RESULT line as ext_cpu_s, ext_cpu_us_per_msg and ext_rss_mb; the tables use those.
# Everything shares this machine's cores, so the figures are noisy: read ratios, not digits.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${KASIO_BUILD_DIR:-$root/build-release}
# Absolute: the Go twin is built from its own directory, where a relative path would put the
# binary inside the source tree.
mkdir -p "$build" && build=$(cd "$build" && pwd)
count=1000000
rounds=3
only=""
tables="own,aligned"
clients="kasio,librdkafka,java,franz"
out=""
cluster=""
while (($#)); do
  case "$1" in
    --count) count=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --only) only=$2; shift 2 ;;
    --tables) tables=$2; shift 2 ;;
    --clients) clients=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --cluster) cluster=$2; shift 2 ;;
    -h|--help) sed -n '2,35p' "$0"; exit 0 ;;
    *) echo "compare4: unknown argument $1" >&2; exit 2 ;;
  esac
done
IFS=, read -r -a client_list <<<"$clients"
broker_kind=mock
if [[ -n $cluster ]]; then
  broker_kind=kafka
  # shellcheck disable=SC1091
  source "$cluster/cluster.env"
else
  kept=()
  for c in "${client_list[@]}"; do
    if [[ $c == java ]]; then echo "compare4: java left out: it cannot talk to the mock (see --help)" >&2
    else kept+=("$c"); fi
  done
  client_list=("${kept[@]}")
fi

# The C++ side, as compare.sh builds it.
rdkafka_prefix=$("$root/tests/support/build_librdkafka.sh" | tail -n 1)
export CCACHE_BASEDIR="$root" CCACHE_NOHASHDIR=true
if [[ ! -f "$build/CMakeCache.txt" ]]; then
  echo "compare4: configuring $build (Release)" >&2
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DKASIO_BUILD_TESTS=ON -DKASIO_BUILD_BENCH=OFF \
    -DKASIO_RDKAFKA_PREFIX="$rdkafka_prefix" >/dev/null
fi
cmake --build "$build" -j2 --target kasio-mock-broker rdkafka-perf kasio-perf >&2
kasio_bin=$build/examples/kasio-perf
rdkafka_bin=$build/tests/bench/rdkafka-perf
mock_bin=$build/tests/support/kasio-mock-broker
# The Java twin (Maven, once per source change) and the Go twin (go build caches).
java_cp=$("$root/tests/bench/java-perf/build.sh" "$build/java-perf" | tail -n 1)
(cd "$root/tests/bench/franz-perf" && go build -o "$build/franz-perf/franz-perf" .) >&2
franz_bin=$build/franz-perf/franz-perf
for b in "$kasio_bin" "$rdkafka_bin" "$mock_bin" "$franz_bin"; do
  [[ -x "$b" ]] || { echo "compare4: $b is missing" >&2; exit 1; }
done
[[ -x /usr/bin/time ]] || { echo "compare4: /usr/bin/time is missing (apt-get install time)" >&2; exit 1; }

mkdir -p "$build/compare4"
out=${out:-$build/compare4/results-$(date -u +%Y%m%dT%H%M%SZ).txt}
: >"$out"
work=$(mktemp -d)
broker_pid=""
stop_broker() {
  # A real cluster keeps every topic: the round's are deleted, so that rounds of the 1,000-
  # partition case do not pile up tens of thousands of partitions on the brokers.
  local t
  for t in "${cluster_topics[@]}"; do
    java -cp "$KASIO_KAFKA_PEER_CP" kasio.peer.Main delete-topic --topic "$t-$stamp" --if-exists \
      --bootstrap "$KASIO_KAFKA_BOOTSTRAP" >/dev/null || echo "compare4: could not delete topic $t-$stamp" >&2
  done
  cluster_topics=()
  if [[ -n "$broker_pid" ]]; then
    exec 3>&-                      # EOF on its stdin: the mock broker exits
    wait "$broker_pid" 2>/dev/null || true
    exec 4<&-
    broker_pid=""
  fi
}
cluster_topics=()
trap 'stop_broker; rm -rf "$work"' EXIT

# start_broker topic...: a fresh 3-broker mock cluster with $partitions-partition topics (64
# unless a case says); sets $brokers.
# With --cluster: creates the topics there instead.
start_broker() {
  if [[ -n $cluster ]]; then
    local t
    cluster_topics=("$@")
    for t in "$@"; do
      # The peer directly, at this cluster's address: `cluster.sh DIR peer` would take the
      # port base from the environment, not from DIR.
      java -cp "$KASIO_KAFKA_PEER_CP" kasio.peer.Main create-topic --topic "$t-$stamp" \
        --partitions "${partitions:-64}" --replication 3 --bootstrap "$KASIO_KAFKA_BOOTSTRAP" >/dev/null
    done
    brokers=$KASIO_KAFKA_BOOTSTRAP
    return 0
  fi
  local args=(--brokers 3) t line=""
  for t in "$@"; do args+=(--topic "$t:${partitions:-64}:3"); done
  rm -f "$work/stdin" "$work/stdout"
  mkfifo "$work/stdin" "$work/stdout"
  exec 3<>"$work/stdin" 4<>"$work/stdout"
  "$mock_bin" "${args[@]}" <"$work/stdin" >"$work/stdout" 3>&- 4>&- &
  broker_pid=$!
  read -r -t 60 line <&4 || true
  brokers=${line#BOOTSTRAP }
  [[ $line == BOOTSTRAP\ * && -n $brokers ]] || { echo "compare4: mock broker did not start" >&2; exit 1; }
}

# client_cmd client: the command line that starts that client's twin.
client_cmd() {
  case "$1" in
    kasio) cmd=("$kasio_bin") ;;
    librdkafka) cmd=("$rdkafka_bin") ;;
    java) cmd=(java -cp "$java_cp" kasio.perf.Main) ;;
    franz) cmd=("$franz_bin") ;;
  esac
}

# table_args client table: the producer options that make a table.
#   aligned: the same five settings in every client, named as each twin takes them.
#   own: nothing for java and franz (their twins then leave the client's defaults alone) and
#        kasio (perf_common.hpp's defaults are the Java client's, which are kasio's own);
#        librdkafka's twin starts from the Java defaults too, so -X puts librdkafka's back:
#        1 MB batches, consistent_random partitioner, no idempotence, its queue limits.
table_args() {
  local client=$1 table=$2
  targs=()
  if [[ $table == aligned ]]; then
    targs=(--codec none --acks all --linger-ms 5 --batch-size 16384)
    case "$client" in
      kasio|librdkafka) targs+=(-X max.in.flight.requests.per.connection=5) ;;
      java) targs+=(--max-in-flight 5) ;;
      # franz-go's idempotent producer keeps one produce request in flight per broker and
      # refuses MaxProduceRequestsInflightPerBroker: the one setting not aligned.
    esac
  elif [[ $client == librdkafka ]]; then
    targs=(-X batch.size=1000000 -X partitioner=consistent_random -X enable.idempotence=false
           -X queue.buffering.max.kbytes=1048576 -X queue.buffering.max.messages=100000)
  fi
}

# Topic names on a real cluster get the run's time, so that reruns never meet old records.
stamp=$(date -u +%H%M%S)
topic_of() { if [[ -n $cluster ]]; then echo "$1-$stamp"; else echo "$1"; fi; }

# run client table case round mode args...: one run under /usr/bin/time; its RESULT line, with
# the outside figures and tags appended, goes to $out.
run() {
  local client=$1 table=$2 case=$3 round=$4 mode=$5; shift 5
  client_cmd "$client"
  local line status=0 tf=$work/time
  line=$(/usr/bin/time -f 'TIME %U %S %M' -o "$tf" "${cmd[@]}" "$mode" --brokers "$brokers" "$@" \
         | grep '^RESULT' | tail -n 1) || status=$?
  if [[ $line != RESULT* ]]; then
    echo "compare4: $client $mode ($case, $table) printed no RESULT line (exit $status)" >&2
    line="RESULT mode=$mode msgs=0 ok=0 failed=0 secs=0 msgs_per_s=0 mb_per_s=0 cpu_s=0 cpu_us_per_msg=0 p50_ms=0 p99_ms=0 rss_mb=0"
  fi
  local user sys rss_kb ok
  read -r _ user sys rss_kb < <(grep '^TIME' "$tf" || echo "TIME 0 0 0")
  ok=$(sed -n 's/.* ok=\([0-9]*\).*/\1/p' <<<"$line")
  line+=$(awk -v u="$user" -v s="$sys" -v r="$rss_kb" -v ok="${ok:-0}" 'BEGIN {
    c = u + s; printf " ext_cpu_s=%.2f ext_cpu_us_per_msg=%.3f ext_rss_mb=%.1f", c, (ok > 0 ? c * 1e6 / ok : 0), r / 1024 }')
  line+=" client=$client table=$table case=$case round=$round broker=$broker_kind"
  echo "$line" | tee -a "$out" >&2
  last_ok=${ok:-0}
}

# one_case name size n extra...: rounds of every client producing, then consuming, per table.
one_case() {
  local name=$1 size=$2 n=$3; shift 3
  if [[ -n "$only" ]]; then
    [[ ",$only," == *",$name,"* ]] || return 0
  elif [[ $name != 100b && $name != 1kb && $name != lowrate ]]; then
    return 0
  fi
  local table round i k c order
  for table in ${tables//,/ }; do
    for ((round = 1; round <= rounds; round++)); do
      echo "compare4: case $name, table $table, round $round: $n records of $size bytes" >&2
      order=()
      for ((i = 0; i < ${#client_list[@]}; i++)); do
        k=$(((i + round - 1) % ${#client_list[@]}))
        order+=("${client_list[k]}")
      done
      local topics=()
      for c in "${order[@]}"; do topics+=("$c-$name-$table-$round"); done
      start_broker "${topics[@]}"
      local complete=()
      for c in "${order[@]}"; do
        table_args "$c" "$table"
        run "$c" "$table" "$name" "$round" produce --topic "$(topic_of "$c-$name-$table-$round")" --count "$n" \
            --size "$size" --key-size 8 "${targs[@]}" "$@"
        [[ $last_ok == "$n" ]] && complete+=("$c")
      done
      if [[ $name != lowrate ]]; then
        # Every consumer reads the same records: the topic of the round's first producer that
        # delivered them all (a different one each round). Each reading its own would compare
        # producers' batching: librdkafka's own 1 MB batches read back in a third of the
        # fetches 16 KiB ones take.
        local shared_topic
        if ((${#complete[@]} == 0)); then
          echo "compare4: no producer delivered every record ($name, $table, round $round): no consume runs" >&2
          stop_broker
          continue
        fi
        shared_topic=$(topic_of "${complete[0]}-$name-$table-$round")
        for c in "${order[@]}"; do
          run "$c" "$table" "$name" "$round" consume --topic "$shared_topic" --count "$n" \
              --size "$size" --key-size 8
        done
      fi
      stop_broker
    done
  done
}

one_case 100b 100  "$count"
one_case 1kb  1000 $((count / 4))
one_case lowrate 100 5000 --rate 1000 --linger-ms 0
one_case 10b  10 "$count"
one_case 100kb 100000 $((count / 1000))
partitions=6 one_case p6 100 $((count / 5))
partitions=1000 one_case p1000 100 $((count / 2))
for codec in gzip snappy lz4 zstd; do
  one_case "$codec" 100 $((count / 2)) --codec "$codec"
done
one_case acks1 100 "$count" --acks 1

echo "compare4: RESULT lines in $out" >&2
python3 "$root/tests/bench/plot_results.py" --tables-only "$out"
