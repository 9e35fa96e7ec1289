#!/usr/bin/env bash
# The command line tools against kasio-mock-broker (registered with ctest by CMakeLists.txt):
#   cli_test.sh <kasio-cli> <kasio-perf> <kasio-mock-broker> <case>
# Cases:
#   round_trip    kasio-cli produce (keys, headers) then consume --count: every record comes
#                 back once, with its key, value and headers, as the JSON the contract names
#   partition     produce to one partition, consume it from an offset: offsets in order
#   bad_property  -X with an unknown name or a bad value fails (exit 2) with a message naming it
#   help          --help / -h on the tools and every command: usage on stdout, exit 0
#   bad_usage     no command, an unknown command or option: usage on stderr, exit 2
#   debug_log     -X debug=broker puts debug lines on stderr for every command's clients; none
#                 without it
#   unreachable   no broker listening: exit 1 with the error's message
#   perf          kasio-perf produce then consume: RESULT lines, nothing failed, nothing lost;
#                 produce --api coro too; --rate paces the sends
#   stats         --stats-interval: statistics JSON lines on stderr during and after produce and
#                 consume (records counted right, brokers listed, consumer lag 0 at the end);
#                 kasio-perf --progress prints a line per second from the metrics, --hooks counts
#   admin_usage   the admin commands' usage errors (missing or unknown subcommand, missing
#                 --group, conflicting or missing offsets reset targets; acls: missing or two
#                 resources, a bad operation, --allow with --deny): exit 2 with usage on
#                 stderr; --help of each: exit 0
#   admin_mock    what the mock answers: topics list/describe (an unknown topic: its error
#                 item, exit 1), cluster, offsets reset (plan, clamping, --shift-by without a
#                 committed offset, --execute) and a group consumer starting where it was put
# Volumes scale with KASIO_TEST_SCALE (default 1.0).
set -euo pipefail
cli=$1 perf=$2 mock=$3 case=$4
scale=${KASIO_TEST_SCALE:-1.0}
scaled() { awk -v n="$1" -v s="$scale" 'BEGIN { v = int(n * s); print (v < 10 ? 10 : v) }'; }

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
fail() { echo "cli_test($case): $*" >&2; exit 1; }

# start_broker args...: a 3-broker mock cluster; sets $brokers from its first stdout line.
start_broker() {
  mkfifo "$work/stdin" "$work/stdout"
  exec 3<>"$work/stdin" 4<>"$work/stdout"   # read-write: neither open waits for the other end
  "$mock" --brokers 3 "$@" <"$work/stdin" >"$work/stdout" 3>&- 4>&- &
  broker_pid=$!
  local line=""
  read -r -t 60 line <&4 || true
  brokers=${line#BOOTSTRAP }
  [[ $line == BOOTSTRAP\ * && -n $brokers ]] || fail "mock broker did not start"
}

case $case in
round_trip)
  n=$(scaled 2000)
  start_broker --topic rt:8:3
  for ((i = 0; i < n; i++)); do printf 'key-%d\tvalue "%d"\n' "$i" "$i"; done >"$work/in"
  "$cli" produce --brokers "$brokers" --topic rt --key-delimiter $'\t' \
    --header source=cli_test --header trace=1 --codec lz4 <"$work/in" || fail "produce failed"
  timeout 60 "$cli" consume --brokers "$brokers" --topic rt --count "$n" >"$work/out" ||
    fail "consume failed"
  [[ $(wc -l <"$work/out") -eq $n ]] || fail "expected $n lines, got $(wc -l <"$work/out")"
  # Each line is one record in the contract's shape; compare the record payloads as a set.
  re='^\{"topic":"rt","partition":[0-7],"offset":[0-9]+,"timestamp":[0-9]+,"key":"key-[0-9]+","value":"value \\"[0-9]+\\"","headers":\{"source":"cli_test","trace":"1"\}\}$'
  bad=$(grep -cvE "$re" "$work/out" || true)
  [[ $bad -eq 0 ]] || fail "$bad lines not in the expected shape, e.g. $(grep -vE "$re" "$work/out" | head -1)"
  sed -E 's/.*"key":"([^"]*)","value":"(.*)","headers".*/\1\t\2/; s/\\"/"/g' "$work/out" | sort >"$work/got"
  sort "$work/in" >"$work/want"
  cmp -s "$work/got" "$work/want" || fail "records differ: $(diff "$work/want" "$work/got" | head -5)"
  ;;
partition)
  start_broker --topic p:4:1
  seq 0 99 | "$cli" produce --brokers "$brokers" --topic p --partition 2 --acks 1 || fail "produce failed"
  timeout 60 "$cli" consume --brokers "$brokers" --topic p --partition 2 --offset 90 --count 10 >"$work/out" ||
    fail "consume failed"
  got=$(sed -E 's/.*"partition":([0-9]+),"offset":([0-9]+),.*"key":null,"value":"([0-9]+)".*/\1 \2 \3/' "$work/out" | tr '\n' ' ')
  want=$(for i in $(seq 90 99); do printf '2 %d %d ' "$i" "$i"; done)
  [[ $got == "$want" ]] || fail "got '$got', want '$want'"
  ;;
group)
  # Two runs in one group: the second reads exactly what the first left (it commits what it printed).
  start_broker --topic g:3:1
  seq 0 59 | "$cli" produce --brokers "$brokers" --topic g || fail "produce failed"
  fast=(-X session.timeout.ms=2000 -X heartbeat.interval.ms=100)  # the mock elects after session - 1 s
  timeout 60 "$cli" consume --brokers "$brokers" --topic g --group cg --count 40 "${fast[@]}" >"$work/first" ||
    fail "first consume failed"
  timeout 60 "$cli" consume --brokers "$brokers" --topic g --group cg --count 20 "${fast[@]}" >"$work/second" ||
    fail "second consume failed"
  got=$(cat "$work/first" "$work/second" | sed -E 's/.*"value":"([0-9]+)".*/\1/' | sort -n | tr '\n' ' ')
  want=$(seq 0 59 | tr '\n' ' ')
  [[ $got == "$want" ]] || fail "the two runs read '$got', want each of 0-59 once"
  ;;
bad_property)
  start_broker --topic b:1:1
  for cmd in produce consume metadata; do
    args=(--brokers "$brokers")
    [[ $cmd != metadata ]] && args+=(--topic b)
    status=0
    "$cli" "$cmd" "${args[@]}" -X no.such.property=1 </dev/null 2>"$work/err" >/dev/null || status=$?
    [[ $status -eq 2 ]] || fail "$cmd: exit $status, want 2"
    grep -q '^kasio-cli: -X no.such.property=1: ' "$work/err" ||
      fail "$cmd: message does not name the property: $(cat "$work/err")"
  done
  status=0
  "$cli" produce --brokers "$brokers" --topic b -X linger.ms=soon </dev/null 2>"$work/err" >/dev/null || status=$?
  [[ $status -eq 2 ]] || fail "bad value: exit $status, want 2"
  grep -q '^kasio-cli: -X linger.ms=soon: ' "$work/err" || fail "bad value not named: $(cat "$work/err")"
  status=0
  "$cli" produce --brokers "$brokers" --topic b --codec brotli </dev/null 2>"$work/err" >/dev/null || status=$?
  [[ $status -eq 2 ]] || fail "bad --codec: exit $status, want 2"
  grep -q '^kasio-cli: --codec brotli: ' "$work/err" || fail "bad --codec not named: $(cat "$work/err")"
  ;;
help)
  # expect_help <usage line start> <command line...>
  expect_help() {
    local want=$1 status=0
    shift
    "$@" >"$work/out" 2>"$work/err" || status=$?
    [[ $status -eq 0 ]] || fail "$*: exit $status, want 0"
    grep -q "^$want" "$work/out" || fail "$*: no '$want' on stdout: $(head -3 "$work/out")"
    [[ ! -s $work/err ]] || fail "$*: stderr not empty: $(cat "$work/err")"
  }
  for flag in --help -h; do
    expect_help "usage: kasio-cli <command>" "$cli" "$flag"
    for cmd in metadata produce consume; do
      expect_help "usage: kasio-cli $cmd" "$cli" "$cmd" "$flag"
    done
    expect_help "usage: kasio-cli produce" "$cli" produce --topic t "$flag"  # after other options
    expect_help "usage: kasio-perf" "$perf" "$flag"
    expect_help "usage: kasio-perf" "$perf" produce --topic t "$flag"
  done
  "$cli" --help | grep -q '^Exit status: 0 success; 1 runtime' || fail "kasio-cli --help documents no exit status"
  "$perf" --help | grep -q '^Exit status: 0' || fail "kasio-perf --help documents no exit status"
  ;;
bad_usage)
  # expect_usage_error <what stderr names> <command line...>
  expect_usage_error() {
    local want=$1 status=0
    shift
    "$@" </dev/null >"$work/out" 2>"$work/err" || status=$?
    [[ $status -eq 2 ]] || fail "$*: exit $status, want 2"
    grep -qF -- "$want" "$work/err" || fail "$*: stderr does not say '$want': $(cat "$work/err")"
    grep -q '^usage: ' "$work/err" || fail "$*: no usage on stderr"
    [[ ! -s $work/out ]] || fail "$*: stdout not empty: $(cat "$work/out")"
  }
  expect_usage_error "missing command" "$cli"
  expect_usage_error "unknown command frobnicate" "$cli" frobnicate
  expect_usage_error "unknown option --bogus for produce" "$cli" produce --brokers 127.0.0.1:1 --topic t --bogus 1
  expect_usage_error "unknown option --topic for metadata" "$cli" metadata --brokers 127.0.0.1:1 --topic t
  expect_usage_error "missing value after --count" "$cli" consume --brokers 127.0.0.1:1 --topic t --count
  expect_usage_error "--brokers is required" "$cli" metadata
  expect_usage_error "unknown option '--bogus'" "$perf" produce --bogus 1
  ;;
debug_log)
  start_broker --topic d:2:1
  "$cli" metadata --brokers "$brokers" >/dev/null 2>"$work/err" || fail "metadata failed: $(cat "$work/err")"
  [[ ! -s $work/err ]] || fail "log lines without -X debug: $(cat "$work/err")"
  "$cli" metadata --brokers "$brokers" -X debug=broker >/dev/null 2>"$work/err" ||
    fail "metadata -X debug=broker failed: $(cat "$work/err")"
  grep -q '^kasio-cli: debug: .*connected to ' "$work/err" || fail "metadata: no debug line: $(cat "$work/err")"
  echo hello | "$cli" produce --brokers "$brokers" --topic d -X debug=broker,protocol 2>"$work/err" ||
    fail "produce failed: $(cat "$work/err")"
  grep -q '^kasio-cli: debug: .*connected to ' "$work/err" || fail "produce: no broker debug line: $(cat "$work/err")"
  grep -q '^kasio-cli: debug: .*send produce ' "$work/err" || fail "produce: no protocol debug line: $(cat "$work/err")"
  timeout 60 "$cli" consume --brokers "$brokers" --topic d --count 1 -X debug=broker >/dev/null 2>"$work/err" ||
    fail "consume failed: $(cat "$work/err")"
  grep -q '^kasio-cli: debug: .*connected to ' "$work/err" || fail "consume: no debug line: $(cat "$work/err")"
  ;;
unreachable)
  # A port nothing listens on: bound, then closed, by python if there is one, else port 1.
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null || echo 1)
  status=0
  "$cli" metadata --brokers "127.0.0.1:$port" >/dev/null 2>"$work/err" || status=$?
  [[ $status -eq 1 ]] || fail "exit $status, want 1: $(cat "$work/err")"
  grep -q '^kasio-cli: no bootstrap broker answered: ' "$work/err" || fail "no error line: $(cat "$work/err")"
  ;;
perf)
  n=$(scaled 20000)
  start_broker --topic perf:16:3 --topic perf-coro:16:3
  p=$("$perf" produce --brokers "$brokers" --topic perf --count "$n" --size 100 --codec zstd | tail -n 1) ||
    fail "kasio-perf produce failed: $p"
  c=$(timeout 60 "$perf" consume --brokers "$brokers" --topic perf --count "$n" --size 100 | tail -n 1) ||
    fail "kasio-perf consume failed: $c"
  [[ $p =~ ^RESULT\ mode=produce\ msgs=$n\ ok=$n\ failed=0\  ]] || fail "produce: $p"
  [[ $c =~ ^RESULT\ mode=consume\ msgs=$n\ ok=$n\ failed=0\  ]] || fail "consume: $c"
  for f in secs msgs_per_s mb_per_s cpu_s cpu_us_per_msg p50_ms p99_ms rss_mb; do
    [[ $p =~ \ $f=[0-9.]+ ]] || fail "produce RESULT lacks $f: $p"
  done
  # The same records again through coroutines (--api coro), to a topic of their own.
  p=$("$perf" produce --brokers "$brokers" --topic perf-coro --count "$n" --size 100 --api coro | tail -n 1) ||
    fail "kasio-perf produce --api coro failed: $p"
  [[ $p =~ ^RESULT\ mode=produce\ msgs=$n\ ok=$n\ failed=0\  ]] || fail "produce --api coro: $p"
  # --rate paces the sends: 200 records at 1,000/s cannot take less than 0.199 s.
  p=$("$perf" produce --brokers "$brokers" --topic perf --count 200 --size 100 --rate 1000 --linger-ms 0 | tail -n 1) ||
    fail "kasio-perf produce --rate failed: $p"
  [[ $p =~ ^RESULT\ mode=produce\ msgs=200\ ok=200\ failed=0\ secs=([0-9.]+) ]] || fail "produce --rate: $p"
  awk -v s="${BASH_REMATCH[1]}" 'BEGIN { exit !(s >= 0.199) }' || fail "--rate 1000 sent 200 records in ${BASH_REMATCH[1]} s"
  ;;
stats)
  start_broker --topic s:2:1 --topic sp:16:1
  seq 0 499 | "$cli" produce --brokers "$brokers" --topic s --stats-interval 100 2>"$work/err" ||
    fail "produce failed: $(cat "$work/err")"
  last=$(grep '^{' "$work/err" | tail -n 1)
  [[ -n $last ]] || fail "produce: no statistics line: $(cat "$work/err")"
  python3 - "$last" <<'PY' || fail "produce statistics: $last"
import json, sys
s = json.loads(sys.argv[1])
assert s["type"] == "producer", s["type"]
assert s["txmsgs"] == 500 and s["producer"]["records_delivered"] == 500, s["producer"]
assert s["msg_cnt"] == 0
assert any(b["state"] == "UP" and b["req"].get("Produce", 0) > 0 for b in s["brokers"].values())
assert s["producer"]["batchcnt"]["cnt"] == s["producer"]["batches"]
PY
  timeout 60 "$cli" consume --brokers "$brokers" --topic s --count 500 --stats-interval 100 >/dev/null 2>"$work/err" ||
    fail "consume failed: $(cat "$work/err")"
  last=$(grep '^{' "$work/err" | tail -n 1)
  python3 - "$last" <<'PY' || fail "consume statistics: $last"
import json, sys
s = json.loads(sys.argv[1])
assert s["type"] == "consumer" and s["rxmsgs"] == 500, s.get("rxmsgs")
parts = s["topics"]["s"]["partitions"]
assert sorted(parts) == ["0", "1"], parts
# Read to the end: a partition fetched has no lag; one never fetched yet (no records: the
# producer's sticky partitioner may have put them all in the other) says -1, unknown, and its
# position may still be unknown (-1) too.
assert sum(max(p["app_offset"], 0) for p in parts.values()) == 500, parts
fetched = [p for p in parts.values() if p["hi_offset"] >= 0]
assert fetched and all(p["consumer_lag"] == 0 and p["hi_offset"] == p["app_offset"] for p in fetched), parts
assert all(p["consumer_lag"] == -1 for p in parts.values() if p["hi_offset"] < 0), parts
assert s["consumer"]["fetch_latency"]["cnt"] >= 1
PY
  status=0
  "$cli" produce --brokers "$brokers" --topic s --stats-interval 0 </dev/null 2>"$work/err" || status=$?
  [[ $status -eq 2 ]] || fail "--stats-interval 0: exit $status, want 2"
  # kasio-perf: a progress line per second from the metrics, hooks counted.
  n=$(scaled 20000)  # the mock keeps 5 MiB per partition: all of it stays readable
  "$perf" produce --brokers "$brokers" --topic sp --count "$n" --size 100 --progress --hooks \
    -X statistics.interval.ms=200 >"$work/out" 2>"$work/err" || fail "kasio-perf failed: $(cat "$work/err")"
  grep -q '^kasio-perf: hooks called [1-9][0-9]* times' "$work/err" || fail "no hook count: $(cat "$work/err")"
  # A line a second, and one at the end however short the run.
  grep -qE '^produce: +[0-9.]+ s +[0-9]+ rec/s +[0-9.]+ MB/s +in flight +[0-9]+ req +[0-9.]+ rec/batch +p99 delivery +[0-9.]+ ms so far +'"$n"' delivered$' "$work/err" ||
    fail "no final progress line: $(grep '^produce: ' "$work/err" | tail -1)"
  timeout 60 "$perf" consume --brokers "$brokers" --topic sp --count "$n" --size 100 --progress >"$work/out" 2>"$work/err" ||
    fail "kasio-perf consume failed: $(cat "$work/err")"
  grep -qE '^consume: +[0-9.]+ s +[0-9]+ rec/s +[0-9.]+ MB/s +fetch p99 +[0-9.]+ ms' "$work/err" ||
    fail "no consume progress line: $(cat "$work/err")"
  ;;
admin_usage)
  # expect_usage_error <what stderr names> <command line...>
  expect_usage_error() {
    local want=$1 status=0
    shift
    "$@" </dev/null >"$work/out" 2>"$work/err" || status=$?
    [[ $status -eq 2 ]] || fail "$*: exit $status, want 2"
    grep -qF -- "$want" "$work/err" || fail "$*: stderr does not say '$want': $(cat "$work/err")"
    grep -q '^usage: ' "$work/err" || fail "$*: no usage on stderr"
    [[ ! -s $work/out ]] || fail "$*: stdout not empty: $(cat "$work/out")"
  }
  b=(--brokers 127.0.0.1:1)
  expect_usage_error "missing subcommand for topics" "$cli" topics
  expect_usage_error "unknown subcommand frobnicate for topics" "$cli" topics frobnicate "${b[@]}"
  expect_usage_error "unknown subcommand reset for groups" "$cli" groups reset "${b[@]}"
  expect_usage_error "--group is required" "$cli" groups describe "${b[@]}"
  expect_usage_error "--group is required" "$cli" offsets reset "${b[@]}" --topic t --to-earliest
  expect_usage_error "--topic is required" "$cli" topics create "${b[@]}"
  expect_usage_error "--brokers is required" "$cli" cluster
  expect_usage_error "unknown option --execute for topics list" "$cli" topics list "${b[@]}" --execute
  expect_usage_error "--to-offset conflicts with --to-earliest" \
    "$cli" offsets reset "${b[@]}" --group g --topic t --to-earliest --to-offset 3
  expect_usage_error "--shift-by conflicts with --to-latest" \
    "$cli" offsets reset "${b[@]}" --group g --topic t --to-latest --shift-by -1
  expect_usage_error "offsets reset needs one of --to-earliest" "$cli" offsets reset "${b[@]}" --group g --topic t
  expect_usage_error "bad value 'soon' for --to-offset" "$cli" offsets reset "${b[@]}" -g g -t t --to-offset soon
  expect_usage_error "--type is required" "$cli" configs get "${b[@]}" --name t
  expect_usage_error "bad value 'group' for --type" "$cli" configs get "${b[@]}" --type group --name g
  expect_usage_error "configs set needs at least one --set or --delete" "$cli" configs set "${b[@]}" --type topic --name t
  expect_usage_error "unknown command quotas" "$cli" quotas list "${b[@]}"
  # acls: create and delete need one resource, create a real operation and one permission.
  acl=(--principal User:x --operation read --allow)
  expect_usage_error "acls create needs a resource: --topic" "$cli" acls create "${b[@]}" "${acl[@]}"
  expect_usage_error "acls delete needs a resource" "$cli" acls delete "${b[@]}" --principal User:x
  expect_usage_error "--group conflicts with --topic: give one resource" \
    "$cli" acls create "${b[@]}" --topic t --group g "${acl[@]}"
  expect_usage_error "bad value 'fly' for --operation (expected one of any, all, read," \
    "$cli" acls create "${b[@]}" --topic t --principal User:x --operation fly --allow
  expect_usage_error "acls create needs an operation, not any" \
    "$cli" acls create "${b[@]}" --topic t --principal User:x --operation any --allow
  expect_usage_error "--deny conflicts with --allow: give one of --allow, --deny" \
    "$cli" acls create "${b[@]}" --topic t "${acl[@]}" --deny
  expect_usage_error "--allow conflicts with --deny" "$cli" acls list "${b[@]}" --deny --allow
  expect_usage_error "acls create needs --allow or --deny" \
    "$cli" acls create "${b[@]}" --topic t --principal User:x --operation write
  expect_usage_error "--principal is required" "$cli" acls create "${b[@]}" --topic t --operation read --deny
  expect_usage_error "bad value 'alice' for --principal" "$cli" acls list "${b[@]}" --principal alice
  expect_usage_error "acls create takes --resource-pattern-type literal or prefixed" \
    "$cli" acls create "${b[@]}" --topic t --resource-pattern-type match "${acl[@]}"
  expect_usage_error "bad value 'glob' for --resource-pattern-type" \
    "$cli" acls list "${b[@]}" --resource-pattern-type glob
  expect_usage_error "--operation given twice" "$cli" acls list "${b[@]}" --operation read --operation write
  expect_usage_error "unknown option --partition for acls list" "$cli" acls list "${b[@]}" --partition 1
  # A refused -X property: exit 2 naming it, no usage needed.
  status=0
  "$cli" topics list "${b[@]}" -X no.such.property=1 >/dev/null 2>"$work/err" || status=$?
  [[ $status -eq 2 ]] || fail "topics list -X no.such.property: exit $status, want 2"
  grep -q '^kasio-cli: -X no.such.property=1: ' "$work/err" || fail "property not named: $(cat "$work/err")"
  for flag in --help -h; do
    for cmd in "topics list" "topics create" "topics delete" "topics describe" "configs get" "configs set" \
      "groups list" "groups describe" "groups delete" "offsets reset" "acls list" "acls create" "acls delete" \
      cluster; do
      status=0
      "$cli" $cmd "$flag" >"$work/out" 2>"$work/err" || status=$?
      [[ $status -eq 0 && ! -s $work/err ]] || fail "$cmd $flag: exit $status: $(cat "$work/err")"
      grep -q "^usage: kasio-cli $cmd " "$work/out" || fail "$cmd $flag: no usage: $(head -2 "$work/out")"
    done
    for cmd in topics configs groups offsets acls; do
      "$cli" $cmd "$flag" | grep -q "^usage: kasio-cli $cmd <subcommand>" || fail "$cmd $flag: no usage"
    done
  done
  "$cli" --help | grep -q '^  offsets ' || fail "kasio-cli --help does not list the admin commands"
  "$cli" --help | grep -q '^  acls ' || fail "kasio-cli --help does not list acls"
  ;;
admin_mock)
  start_broker --topic o:2:1 --topic other:3:1
  # expect_exit <status> <command line...>: stdout to $work/out, stderr to $work/err
  expect_exit() {
    local want=$1 status=0
    shift
    "$@" >"$work/out" 2>"$work/err" || status=$?
    [[ $status -eq $want ]] || fail "$*: exit $status, want $want: $(cat "$work/err")"
  }
  expect_exit 0 "$cli" topics list --brokers "$brokers"
  grep -q '^{"name":"o","topic_id":[^,]*,"internal":false}$' "$work/out" || fail "topics list: $(cat "$work/out")"
  grep -q '^{"name":"other",' "$work/out" || fail "topics list lacks other: $(cat "$work/out")"
  expect_exit 0 "$cli" topics describe --brokers "$brokers" --topic other
  [[ $(grep -o '"partition":' "$work/out" | wc -l) -eq 3 ]] || fail "topics describe: $(cat "$work/out")"
  expect_exit 1 "$cli" topics describe --brokers "$brokers" --topic o --topic no-such-topic
  [[ $(wc -l <"$work/out") -eq 2 ]] || fail "describe of two topics: $(cat "$work/out")"
  grep -q '^{"name":"no-such-topic","error":"unknown_topic_or_partition","message":""}$' "$work/out" ||
    fail "unknown topic's item: $(cat "$work/out")"
  grep -q '^kasio-cli: topic no-such-topic: unknown_topic_or_partition' "$work/err" ||
    fail "unknown topic's stderr line: $(cat "$work/err")"
  expect_exit 0 "$cli" cluster --brokers "$brokers"
  [[ $(grep -o '"node_id":' "$work/out" | wc -l) -eq 3 ]] || fail "cluster: $(cat "$work/out")"

  seq 0 99 | "$cli" produce --brokers "$brokers" --topic o --partition 0 || fail "produce failed"
  reset=("$cli" offsets reset --brokers "$brokers" --group og --topic o)
  # Dry run: the plan, nothing committed (partition 1 is empty: 10 is kept within [0, 0]).
  expect_exit 0 "${reset[@]}" --to-offset 10
  want=$'{"topic":"o","partition":0,"current":null,"new":10}\n{"topic":"o","partition":1,"current":null,"new":0}'
  [[ $(cat "$work/out") == "$want" ]] || fail "dry run plan: $(cat "$work/out")"
  expect_exit 1 "${reset[@]}" --shift-by 5
  grep -q '^{"topic":"o","partition":0,"current":null,"new":null,"error":"no_committed_offset",' "$work/out" ||
    fail "shift without a committed offset: $(cat "$work/out")"
  expect_exit 0 "${reset[@]}" --to-offset 10 --execute
  [[ $(cat "$work/out") == "$want" ]] || fail "executed plan: $(cat "$work/out")"
  expect_exit 0 "${reset[@]}" --shift-by -3 --partition 0
  [[ $(cat "$work/out") == '{"topic":"o","partition":0,"current":10,"new":7}' ]] || fail "shift back: $(cat "$work/out")"
  expect_exit 0 "${reset[@]}" --shift-by 1000 --partition 0
  [[ $(cat "$work/out") == '{"topic":"o","partition":0,"current":10,"new":100}' ]] || fail "shift clamped: $(cat "$work/out")"
  expect_exit 0 "${reset[@]}" --to-earliest
  grep -q '^{"topic":"o","partition":0,"current":10,"new":0}$' "$work/out" || fail "to earliest: $(cat "$work/out")"
  # A member of the group starts where --execute put it.
  timeout 60 "$cli" consume --brokers "$brokers" --topic o --group og --count 5 \
    -X session.timeout.ms=2000 -X heartbeat.interval.ms=100 >"$work/out" || fail "consume --group failed"
  got=$(sed -E 's/.*"offset":([0-9]+),.*/\1/' "$work/out" | tr '\n' ' ')
  [[ $got == "10 11 12 13 14 " ]] || fail "the group member read offsets '$got', want 10-14"
  ;;
*) fail "unknown case" ;;
esac
echo "cli_test($case): ok"
