#!/usr/bin/env bash
# Transactional produce throughput and CPU: kasio-perf against the Java client's own tool
# (org.apache.kafka.tools.ProducerPerformance, i.e. kafka-producer-perf-test), on a running
# cluster (tests/support/kafka/cluster.sh DIR start; the mock broker has no transactions).
#
#   tests/bench/txn_perf.sh BOOTSTRAP [--count N] [--size S] [--rounds R] [--txn-records K]
#                           [--java-txn-ms MS] [--partitions P] [--replication F] [--no-verify]
#                           [--kasio-bin P]
#
#   --count N        records per run (default 500000), values of S bytes (default 100), no key
#   --rounds R       runs per client, alternating kasio, Java, kasio, ... (default 3)
#   --txn-records K  kasio: records per transaction (default 1000)
#   --java-txn-ms MS Java's tool commits by time (--transaction-duration-ms), not by count. By
#                    default two short calibration runs (N/5 records each) measure its rate and
#                    set MS to K records at that rate; the table shows the records per
#                    transaction each Java run actually reached (rate x MS).
#   --partitions P, --replication F   each run writes to a fresh topic (default 3 and 3)
#   --no-verify      skip reading each topic back (read_committed, the Java peer's count-values)
#   --kasio-bin P    default: $KASIO_BUILD_DIR/examples/kasio-perf (build-release), built
#                    (Release) if missing
#
# Both clients run with the Java defaults kasio keeps (acks=all, idempotence, linger.ms=5,
# batch.size=16384). CPU is user+system of the whole process from /usr/bin/time: for Java that
# includes the JVM's start-up, JIT and garbage collector, for kasio everything (one thread).
# records/s is each tool's own figure, from its first send to its last acknowledgement (both
# leave init_transactions out). Clients and brokers share this machine's cores: the figures
# move between runs; compare medians of several rounds on a quiet machine.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

(($# >= 1)) && [[ $1 != -* ]] || { sed -n '2,28p' "$0" >&2; exit 2; }
bootstrap=$1
shift
count=500000 size=100 rounds=3 txn_records=1000 java_txn_ms="" partitions=3 replication=3 verify=1
kasio_bin=""
while (($#)); do
  case "$1" in
    --count) count=$2; shift 2 ;;
    --size) size=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --txn-records) txn_records=$2; shift 2 ;;
    --java-txn-ms) java_txn_ms=$2; shift 2 ;;
    --partitions) partitions=$2; shift 2 ;;
    --replication) replication=$2; shift 2 ;;
    --no-verify) verify=0; shift ;;
    --kasio-bin) kasio_bin=$2; shift 2 ;;
    -h|--help) sed -n '2,28p' "$0"; exit 0 ;;
    *) echo "txn_perf: unknown argument $1" >&2; exit 2 ;;
  esac
done
log() { printf 'txn_perf: %s\n' "$*" >&2; }
[[ -x /usr/bin/time ]] || { log "/usr/bin/time is missing (apt-get install time)"; exit 1; }

if [[ -z $kasio_bin ]]; then
  build=${KASIO_BUILD_DIR:-$root/build-release}
  kasio_bin=$build/examples/kasio-perf
  if [[ ! -x $kasio_bin ]]; then
    export CCACHE_BASEDIR="$root" CCACHE_NOHASHDIR=true
    [[ -f $build/CMakeCache.txt ]] || cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
      -DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DKASIO_BUILD_TESTS=OFF -DKASIO_BUILD_BENCH=OFF >&2
    cmake --build "$build" -j2 --target kasio-perf >&2
  fi
fi
[[ -x $kasio_bin ]] || { log "$kasio_bin is missing"; exit 1; }

# The Java side: kafka-tools (ProducerPerformance) is not among the broker's libraries that
# tests/support/kafka/fetch_kafka.sh fetches, so it is fetched the same way, once, beside them.
kafka_version=4.4.0
cache_root=${KASIO_CACHE_DIR:-$HOME/.cache/kasio}
tools=$cache_root/kafka-tools-$kafka_version
if [[ ! -f $tools/.complete ]]; then
  "$root/tests/support/kafka/fetch_kafka.sh" >/dev/null   # installs Java and Maven when missing
  log "fetching kafka-tools $kafka_version with Maven into $tools"
  pom_dir=$(mktemp -d)
  cat >"$pom_dir/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>kasio.test</groupId><artifactId>kafka-tools-fetch</artifactId><version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka-tools</artifactId>
      <version>$kafka_version</version></dependency>
  </dependencies>
</project>
POM
  rm -rf "$tools/libs"
  (cd "$pom_dir" && mvn -q -B dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$tools/libs") >&2
  rm -rf "$pom_dir"
  touch "$tools/.complete"
fi
peer_cp=$("$root/tests/support/kafka/peer/build.sh" | tail -n 1)
peer() { java -Xshare:auto -cp "$peer_cp" kasio.peer.Main "$@" --bootstrap "$bootstrap"; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
stamp=$(date +%s)

# new_topic NAME: a fresh topic for one run.
new_topic() {
  peer create-topic --topic "$1" --partitions "$partitions" --replication "$replication" >/dev/null
}

# java_run TOPIC RECORDS MS: prints records/s from the tool's summary line; $work/time gets
# the JVM's "wall user sys".
java_run() {
  local out=$work/java.out
  /usr/bin/time -f '%e %U %S' -o "$work/time" \
    java -cp "$tools/libs/*" org.apache.kafka.tools.ProducerPerformance --bootstrap-server "$bootstrap" \
    --topic "$1" --num-records "$2" --record-size "$size" --throughput -1 \
    --transactional-id "txn-perf-java-$1" --transaction-duration-ms "$3" \
    --command-property acks=all linger.ms=5 batch.size=16384 >"$out" 2>"$work/java.err" || {
      log "ProducerPerformance failed:"; tail -n 5 "$work/java.err" >&2; return 1; }
  # The summary: "N records sent, R records/sec (X MB/sec), ..."
  awk '/records sent,/ && /records\/sec/ { for (i = 1; i <= NF; i++) if ($i == "records/sec") r = $(i - 1) } END { print r }' "$out"
}

# Longer transactions raise the rate (fewer commits), so the duration for K records is found in
# two steps: from 20 ms, then from the first estimate.
if [[ -z $java_txn_ms ]]; then
  java_txn_ms=20
  for step in 1 2; do
    calib=txnperf-calib-$stamp-$step
    new_topic "$calib"
    rate=$(java_run "$calib" $((count / 5)) "$java_txn_ms")
    [[ -n $rate ]] || { log "calibration run failed"; exit 1; }
    log "calibration $step: Java at $rate records/s with $java_txn_ms ms transactions"
    java_txn_ms=$(awk -v k="$txn_records" -v r="$rate" 'BEGIN { ms = int(k * 1000 / r + 0.5); print (ms < 1 ? 1 : ms) }')
  done
  log "Java runs use --transaction-duration-ms $java_txn_ms"
fi

results=$work/results
: >"$results"
# committed TOPIC: records a read_committed reader finds ("-" with --no-verify).
committed() {
  if ((verify)); then peer count-values --topic "$1" --isolation read_committed | sed -n 's/.*"records":\([0-9]*\).*/\1/p'
  else echo -; fi
}

for ((r = 1; r <= rounds; r++)); do
  topic=txnperf-kasio-$stamp-$r
  new_topic "$topic"
  log "round $r: kasio-perf"
  line=$(/usr/bin/time -f '%e %U %S' -o "$work/time" "$kasio_bin" produce --brokers "$bootstrap" --topic "$topic" \
           --count "$count" --size "$size" --transactional-id "txn-perf-kasio-$topic" --txn-records "$txn_records" |
         tail -n 1) || log "kasio-perf exited non-zero: $line"
  read -r wall user sys <"$work/time"
  rate=$(sed -n 's/.* msgs_per_s=\([0-9.]*\).*/\1/p' <<<"$line")
  txns=$(sed -n 's/.* txns=\([0-9]*\).*/\1/p' <<<"$line")
  echo "kasio $r ${rate:-0} $wall $user $sys ${txns:-0} $(committed "$topic")" | tee -a "$results" >&2

  topic=txnperf-java-$stamp-$r
  new_topic "$topic"
  log "round $r: Java ProducerPerformance"
  rate=$(java_run "$topic" "$count" "$java_txn_ms") || rate=0
  read -r wall user sys <"$work/time"
  txns=$(awk -v r="${rate:-0}" -v ms="$java_txn_ms" -v n="$count" 'BEGIN { print (r > 0 ? int(n / r * 1000 / ms + 0.5) : 0) }')
  echo "java $r ${rate:-0} $wall $user $sys ~$txns $(committed "$topic")" | tee -a "$results" >&2
done

# The table: every run, then the medians and kasio/Java.
awk -v n="$count" -v k="$txn_records" -v ms="$java_txn_ms" '
  function median(a, m,   i, j, t) {
    for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
    return m % 2 ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2
  }
  {
    cpu = $5 + $6
    us = cpu * 1e6 / n
    sub(/^~/, "", $7)
    per = $7 > 0 ? sprintf("%.0f", n / $7) : "-"
    printf "%-6s %5d | %10.0f | %7.2f | %7.2f | %10.3f | %6s | %8s | %9s\n", $1, $2, $3, $4, cpu, us, $7, per, $8
    c = $1; cnt[c]++; rate[c, cnt[c]] = $3; cpus[c, cnt[c]] = us
  }
  BEGIN {
    printf "%-6s %5s | %10s | %7s | %7s | %10s | %6s | %8s | %9s\n", "client", "round", "records/s", "wall s",
           "cpu s", "cpu us/rec", "txns", "rec/txn", "committed"
  }
  END {
    for (c in cnt) {
      for (i = 1; i <= cnt[c]; i++) { ra[i] = rate[c, i]; ca[i] = cpus[c, i] }
      mr[c] = median(ra, cnt[c]); mc[c] = median(ca, cnt[c])
    }
    printf "\nmedians: kasio %.0f records/s, %.3f cpu us/record (%d per transaction);", mr["kasio"], mc["kasio"], k
    printf " Java %.0f records/s, %.3f cpu us/record (%d ms transactions)\n", mr["java"], mc["java"], ms
    printf "ratio kasio/Java: records/s %.2f (higher is better), cpu us/record %.2f (lower is better)\n",
           (mr["java"] > 0 ? mr["kasio"] / mr["java"] : 0), (mc["java"] > 0 ? mc["kasio"] / mc["java"] : 0)
    printf "(Java txns are estimated: its run time / transaction duration)\n"
  }' "$results"
