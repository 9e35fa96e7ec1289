#!/usr/bin/env bash
# What metrics, hooks and statistics cost (issue 19): kasio-perf produces the same records with
# them all on (the default metrics, --hooks counting every hook call, statistics JSON every
# second) and all off (-X metrics.enabled=false, no hooks, no statistics), alternating which goes
# first, a fresh kasio-mock-broker (librdkafka's mock, 3 brokers, one 64-partition topic) per
# run; prints CPU µs per record of each run and the medians. Not run by CI (timings).
#
#   tests/bench/observability_overhead.sh [--count N] [--rounds R] [--size S]
#   KASIO_BUILD_DIR   build directory with kasio-perf and kasio-mock-broker (default build/)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${KASIO_BUILD_DIR:-$root/build}
count=1000000 rounds=5 size=100
while (($#)); do
  case "$1" in
    --count) count=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --size) size=$2; shift 2 ;;
    *) echo "usage: $0 [--count N] [--rounds R] [--size S]" >&2; exit 2 ;;
  esac
done
cmake --build "$build" -j2 --target kasio-perf kasio-mock-broker >&2
perf_bin=$build/examples/kasio-perf mock_bin=$build/tests/support/kasio-mock-broker

work=$(mktemp -d)
broker_pid=""
stop_broker() {
  if [[ -n "$broker_pid" ]]; then
    exec 3>&-
    wait "$broker_pid" 2>/dev/null || true
    exec 4<&-
    broker_pid=""
  fi
}
trap 'stop_broker; rm -rf "$work"' EXIT
start_broker() {
  local line=""
  rm -f "$work/stdin" "$work/stdout"
  mkfifo "$work/stdin" "$work/stdout"
  exec 3<>"$work/stdin" 4<>"$work/stdout"
  "$mock_bin" --brokers 3 --topic obs:64:3 <"$work/stdin" >"$work/stdout" 3>&- 4>&- &
  broker_pid=$!
  read -r -t 60 line <&4 || true
  brokers=${line#BOOTSTRAP }
  [[ $line == BOOTSTRAP\ * && -n $brokers ]] || { echo "observability_overhead: mock broker did not start" >&2; exit 1; }
}

# run on|off: one produce run on a fresh mock; prints its cpu_us_per_msg.
run() {
  local extra=()
  if [[ $1 == on ]]; then extra=(--hooks -X statistics.interval.ms=1000)
  else extra=(-X metrics.enabled=false); fi
  start_broker
  local result
  result=$("$perf_bin" produce --brokers "$brokers" --topic obs --count "$count" --size "$size" --key-size 8 \
    "${extra[@]}" 2>"$work/err" | tail -n 1) || { cat "$work/err" >&2; exit 1; }
  stop_broker
  [[ $result =~ failed=0\  ]] || { echo "observability_overhead: $1: $result" >&2; exit 1; }
  [[ $result =~ cpu_us_per_msg=([0-9.]+) ]] && echo "${BASH_REMATCH[1]}"
}

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

on=() off=()
for ((r = 1; r <= rounds; r++)); do
  if ((r % 2)); then order=(on off); else order=(off on); fi
  for mode in "${order[@]}"; do
    v=$(run "$mode")
    if [[ $mode == on ]]; then on+=("$v"); else off+=("$v"); fi
    echo "round $r $mode: $v µs CPU per record" >&2
  done
done
m_on=$(printf '%s\n' "${on[@]}" | median)
m_off=$(printf '%s\n' "${off[@]}" | median)
echo "metrics+hooks+statistics on:  ${on[*]} -> median $m_on µs/record"
echo "metrics off:                  ${off[*]} -> median $m_off µs/record"
awk -v a="$m_on" -v b="$m_off" 'BEGIN { printf "difference: %+.2f %%\n", (a - b) / b * 100 }'
