#!/usr/bin/env bash
# The example programs against kasio-mock-broker (registered with ctest by CMakeLists.txt):
#   examples_test.sh <kasio-mock-broker> <produce_coro> <produce_callbacks> <io_context_integration>
#                    <group_member> <consume_coro>
# produce_coro and produce_callbacks must deliver every record and exit 0;
# io_context_integration must consume exactly what it produced while its heartbeat timer
# keeps running on the same context; group_member must consume and commit what produce_coro
# wrote, and a second run in the same group must start at those commits; consume_coro must read
# what a topic holds (to its end offsets), commit it in its rebalance listener at close, and a
# second run must find nothing new.
set -euo pipefail
mock=$1 coro=$2 callbacks=$3 integration=$4 member=$5 drain=$6
work=$(mktemp -d)
broker_pid=""
cleanup() {
  if [[ -n "$broker_pid" ]]; then
    exec 3>&-   # EOF on its stdin: the mock broker exits
    wait "$broker_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "examples_test: $*" >&2; exit 1; }

mkfifo "$work/stdin" "$work/stdout"
exec 3<>"$work/stdin" 4<>"$work/stdout"
"$mock" --brokers 3 --topic keyed:4 --topic shared:1 --topic grouped:3 --topic drained:2 <"$work/stdin" >"$work/stdout" 3>&- 4>&- &
broker_pid=$!
line=""
read -r -t 60 line <&4 || true
brokers=${line#BOOTSTRAP }
[[ $line == BOOTSTRAP\ * && -n $brokers ]] || fail "mock broker did not start"

out=$("$coro" "$brokers" keyed 20) || fail "produce_coro exited non-zero"
[[ $(grep -c '^record .* -> partition [0-3] offset [0-9]' <<<"$out") == 20 ]] ||
  fail "produce_coro did not report 20 deliveries: $out"

out=$("$callbacks" "$brokers" keyed 50000) || fail "produce_callbacks exited non-zero: $out"
grep -q '^delivered=50000 failed=0 flushed=yes$' <<<"$out" || fail "produce_callbacks: $out"

out=$("$integration" "$brokers" shared 2000) || fail "io_context_integration exited non-zero: $out"
grep -q '^produced=2000 consumed=2000$' <<<"$out" || fail "io_context_integration: $out"
grep -q '^heartbeat: ' <<<"$out" || fail "io_context_integration: no heartbeat ran"

# The mock elects a group's leader session.timeout.ms - 1 s after a member joins: keep it short.
group_opts=(-X session.timeout.ms=2000 -X heartbeat.interval.ms=100)
"$coro" "$brokers" grouped 20 >/dev/null || fail "produce_coro (grouped) exited non-zero"
out=$("$member" "$brokers" grouped g1 20 "${group_opts[@]}") || fail "group_member exited non-zero: $out"
grep -q '^consumed=20 committed=yes$' <<<"$out" || fail "group_member: $out"
first=$(grep '^record ' <<<"$out" | sort)
[[ $(wc -l <<<"$first") == 20 ]] || fail "group_member printed $(wc -l <<<"$first") records: $out"
# 20 more; the group's next member starts at the commits, so it reads only the new ones.
"$coro" "$brokers" grouped 20 >/dev/null || fail "produce_coro (grouped) exited non-zero"
out=$("$member" "$brokers" grouped g1 20 "${group_opts[@]}") || fail "group_member (second run) exited non-zero: $out"
grep -q '^consumed=20 committed=yes$' <<<"$out" || fail "group_member (second run): $out"
second=$(grep '^record ' <<<"$out" | sort)
again=$(comm -12 <(echo "$first") <(echo "$second"))
[[ -z $again ]] || fail "group_member's second run read committed records again: $again"
"$coro" "$brokers" drained 30 >/dev/null || fail "produce_coro (drained) exited non-zero"
out=$("$drain" "$brokers" drained d1 "${group_opts[@]}") || fail "consume_coro exited non-zero: $out"
grep -q '^consumed=30 committed=yes$' <<<"$out" || fail "consume_coro: $out"
[[ $(grep -c '^record ' <<<"$out") == 30 ]] || fail "consume_coro printed the wrong records: $out"
grep -q '^revoked 2 partitions, commit: ok$' <<<"$out" || fail "consume_coro did not commit on revoke: $out"
out=$("$drain" "$brokers" drained d1 "${group_opts[@]}") || fail "consume_coro (second run) exited non-zero: $out"
grep -q '^consumed=0 committed=yes$' <<<"$out" || fail "consume_coro (second run) read records again: $out"
echo "examples_test: ok"
