#!/usr/bin/env bash
# kasio-perf side by side with librdkafka 2.14 (rdkafka-perf: same command line, same payload,
# same RESULT line; see examples/perf_common.hpp), against the same local broker in one run.
#
#   tests/bench/compare.sh [--count N] [--only CASE] [--kasio-bin P] [--rdkafka-bin P]
#
# Cases: 100-byte records with codec none, lz4 and zstd; 1 KB records; acks=1 and acks=all;
# each produced by both clients (each to a fresh 64-partition topic) then consumed back. A
# case gets its own kasio-mock-broker (3 brokers), which both clients share.
#   --count N        records per 100-byte case (default 500000); the 1 KB case uses N/10. The
#                    mock keeps 5 MiB per partition and drops older data beyond it; librdkafka
#                    moves null-key records to another partition every 10 ms rather than per full
#                    batch, so its partitions fill unevenly (up to ~3x the mean): at 1000000
#                    it loses records; 500000 keeps the mean under 1 MiB per partition.
#   --only CASE      run one case: none, lz4, zstd, 1kb, acks1
#   --kasio-bin P    the kasio side (default: <build>/examples/kasio-perf)
#   --rdkafka-bin P  the librdkafka side (default: <build>/tests/bench/rdkafka-perf)
#   KASIO_BUILD_DIR  build directory (default build-release), configured Release if new
#
# Prints every RESULT line, then one table: each figure for both clients and the ratio
# kasio/librdkafka (msgs/s: higher is better; CPU per record, RSS, p99: lower is better).
# Both clients and the broker share this machine's cores, so run it on a quiet machine.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${KASIO_BUILD_DIR:-$root/build-release}
count=500000
only=""
kasio_bin=""
rdkafka_bin=""
while (($#)); do
  case "$1" in
    --count) count=$2; shift 2 ;;
    --only) only=$2; shift 2 ;;
    --kasio-bin) kasio_bin=$2; shift 2 ;;
    --rdkafka-bin) rdkafka_bin=$2; shift 2 ;;
    -h|--help) sed -n '2,22p' "$0"; exit 0 ;;
    *) echo "compare: unknown argument $1" >&2; exit 2 ;;
  esac
done

if [[ -z "$kasio_bin" || -z "$rdkafka_bin" ]]; then
  rdkafka_prefix=$("$root/tests/support/build_librdkafka.sh" | tail -n 1)
  export CCACHE_BASEDIR="$root" CCACHE_NOHASHDIR=true
  if [[ ! -f "$build/CMakeCache.txt" ]]; then
    echo "compare: configuring $build (Release)" >&2
    cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
      -DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DKASIO_BUILD_TESTS=ON -DKASIO_BUILD_BENCH=OFF \
      -DKASIO_RDKAFKA_PREFIX="$rdkafka_prefix" >/dev/null
  fi
  targets=(kasio-mock-broker rdkafka-perf)
  [[ -z "$kasio_bin" ]] && targets+=(kasio-perf)
  cmake --build "$build" -j2 --target "${targets[@]}" >&2
fi
kasio_bin=${kasio_bin:-$build/examples/kasio-perf}
rdkafka_bin=${rdkafka_bin:-$build/tests/bench/rdkafka-perf}
mock_bin=$build/tests/support/kasio-mock-broker
for b in "$kasio_bin" "$rdkafka_bin" "$mock_bin"; do
  [[ -x "$b" ]] || { echo "compare: $b is missing" >&2; exit 1; }
done

work=$(mktemp -d)
broker_pid=""
stop_broker() {
  if [[ -n "$broker_pid" ]]; then
    exec 3>&-                      # EOF on its stdin: the mock broker exits
    wait "$broker_pid" 2>/dev/null || true
    exec 4<&-
    broker_pid=""
  fi
}
trap 'stop_broker; rm -rf "$work"' EXIT

# start_broker topic...: a fresh 3-broker mock cluster with 64-partition topics; sets $brokers
# from its first stdout line.
start_broker() {
  local args=(--brokers 3) t line=""
  for t in "$@"; do args+=(--topic "$t:64:3"); done
  rm -f "$work/stdin" "$work/stdout"
  mkfifo "$work/stdin" "$work/stdout"
  exec 3<>"$work/stdin" 4<>"$work/stdout"   # read-write: neither open waits for the other end
  "$mock_bin" "${args[@]}" <"$work/stdin" >"$work/stdout" 3>&- 4>&- &
  broker_pid=$!
  read -r -t 60 line <&4 || true
  brokers=${line#BOOTSTRAP }
  [[ $line == BOOTSTRAP\ * && -n $brokers ]] || { echo "compare: mock broker did not start" >&2; exit 1; }
}

results=$work/results
: >"$results"
# run client case mode args...: one run; its RESULT line goes to the results file, tagged.
run() {
  local client=$1 case=$2 mode=$3; shift 3
  local bin=$kasio_bin; [[ $client == librdkafka ]] && bin=$rdkafka_bin
  local line status=0
  line=$("$bin" "$mode" --brokers "$brokers" "$@" | tail -n 1) || status=$?
  if [[ $line != RESULT* ]]; then
    echo "compare: $client $mode ($case) printed no RESULT line (exit $status)" >&2
    line="RESULT mode=$mode msgs=0 ok=0 failed=0 secs=0 msgs_per_s=0 mb_per_s=0 cpu_s=0 cpu_us_per_msg=0 p50_ms=0 p99_ms=0 rss_mb=0"
  fi
  ((status == 0)) || echo "compare: $client $mode ($case) exited $status" >&2
  printf '%-10s %-6s %s\n' "$client" "$case" "$line" | tee -a "$results"
}

# one_case name size count args...: both clients produce to their own topic, then consume it.
one_case() {
  local name=$1 size=$2 n=$3; shift 3
  [[ -n "$only" && "$only" != "$name" ]] && return 0
  echo "compare: case $name: $n records of $size bytes $*" >&2
  start_broker "kasio-$name" "librdkafka-$name"
  local client
  for client in librdkafka kasio; do
    run "$client" "$name" produce --topic "$client-$name" --count "$n" --size "$size" "$@"
  done
  for client in librdkafka kasio; do
    run "$client" "$name" consume --topic "$client-$name" --count "$n" --size "$size"
  done
  stop_broker
}

one_case none  100  "$count"        --codec none --acks all
one_case lz4   100  "$count"        --codec lz4  --acks all
one_case zstd  100  "$count"        --codec zstd --acks all
one_case 1kb   1000 $((count / 10)) --codec none --acks all
one_case acks1 100  "$count"        --codec none --acks 1

if grep -q 'mode=consume.* failed=[1-9]' "$results"; then
  echo "compare: a consumer read fewer records than were produced: the mock dropped data" \
       "(lower --count) or a client lost it" >&2
fi

# The table: one row per case and mode, kasio beside librdkafka, ratio kasio/librdkafka.
echo
awk '
  function field(line, name,   re) {
    re = " " name "=[^ ]*"
    if (match(line, re)) return substr(line, RSTART + length(name) + 2, RLENGTH - length(name) - 2)
    return 0
  }
  function ratio(a, b) { return b > 0 ? sprintf("%.2f", a / b) : "-" }
  {
    key = $2 " " field($0, "mode")
    if (!(key in seen)) { seen[key] = 1; order[++rows] = key }
    for (i = 1; i <= 5; i++) {
      f = (i == 1 ? "msgs_per_s" : i == 2 ? "cpu_us_per_msg" : i == 3 ? "rss_mb" : i == 4 ? "p99_ms" : "failed")
      v[key, $1, f] = field($0, f)
    }
  }
  END {
    printf "%-14s | %27s | %24s | %22s | %20s | %s\n", "case", "msgs/s kasio rdkafka ratio",
           "cpu us/msg k rd ratio", "rss MB k rd ratio", "p99 ms k rd", "failed k/rd"
    for (r = 1; r <= rows; r++) {
      k = order[r]
      printf "%-14s | %9.0f %9.0f %6s | %7.3f %7.3f %6s | %6.1f %6.1f %6s | %8.2f %8.2f | %s/%s\n", k,
        v[k, "kasio", "msgs_per_s"], v[k, "librdkafka", "msgs_per_s"],
        ratio(v[k, "kasio", "msgs_per_s"], v[k, "librdkafka", "msgs_per_s"]),
        v[k, "kasio", "cpu_us_per_msg"], v[k, "librdkafka", "cpu_us_per_msg"],
        ratio(v[k, "kasio", "cpu_us_per_msg"], v[k, "librdkafka", "cpu_us_per_msg"]),
        v[k, "kasio", "rss_mb"], v[k, "librdkafka", "rss_mb"],
        ratio(v[k, "kasio", "rss_mb"], v[k, "librdkafka", "rss_mb"]),
        v[k, "kasio", "p99_ms"], v[k, "librdkafka", "p99_ms"],
        v[k, "kasio", "failed"], v[k, "librdkafka", "failed"]
    }
  }' "$results"
