#!/usr/bin/env bash
# Captures golden frames of the Java Admin client against a real Kafka broker:
#
#   capture_admin_frames.sh CAPTURE_BINARY OUT_DIR [capture options, e.g. --verbose --only-cap N]
#
# CAPTURE_BINARY is kasio-capture-java-frames (tests/support/capture_java_frames.cpp). This
# script starts one KRaft node (broker and controller in one JVM) in a temporary directory, runs
# the capture, then stops the node and deletes the directory.
#
# One node, because the capture proxy must see every connection: the node's CLIENT listener
# advertises the proxy's port (a client connects to the advertised address of each broker, so
# with several brokers it would bypass the proxy). The node's own inter-broker traffic (e.g.
# transaction markers to itself) uses the INTERNAL listener, so it is neither captured nor capped.
#
# Ports: KASIO_CAPTURE_PORT_BASE (default 19600, clear of cluster.sh's 19000-19400): base = the
# proxy, base+1 CLIENT, base+2 INTERNAL, base+3 CONTROLLER. Heap: KASIO_KAFKA_HEAP (default 768m).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
(($# >= 2)) || { echo "usage: capture_admin_frames.sh CAPTURE_BINARY OUT_DIR [capture options]" >&2; exit 2; }
capture=$1
out=$2
shift 2

base=${KASIO_CAPTURE_PORT_BASE:-19600}
readonly proxy=$base client=$((base + 1)) internal=$((base + 2)) controller=$((base + 3))
heap=${KASIO_KAFKA_HEAP:-768m}

log() { printf 'capture-admin-frames: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

for p in $proxy $client $internal $controller; do
  (exec 8<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null && die "port $p is in use (set KASIO_CAPTURE_PORT_BASE)"
done

libs=$("$here/fetch_kafka.sh" | tail -n 1)
peer_cp=$("$here/peer/build.sh" | tail -n 1)

dir=$(mktemp -d "${TMPDIR:-/tmp}/kasio-capture-admin.XXXXXX")
pid=
cleanup() {
  if [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for ((t = 0; t < 200; t++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -rf "$dir"
}
trap cleanup EXIT

cat >"$dir/server.properties" <<CFG
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$controller
controller.listener.names=CONTROLLER
listeners=CLIENT://127.0.0.1:$client,INTERNAL://127.0.0.1:$internal,CONTROLLER://127.0.0.1:$controller
advertised.listeners=CLIENT://127.0.0.1:$proxy,INTERNAL://127.0.0.1:$internal
listener.security.protocol.map=CLIENT:PLAINTEXT,INTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=INTERNAL
log.dirs=$dir/data
# ACL APIs answer only with an authorizer; ANONYMOUS (PLAINTEXT) may do everything.
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
super.users=User:ANONYMOUS
num.partitions=1
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=1
group.initial.rebalance.delay.ms=0
# The exercise writes records with fixed 2023 timestamps; no time-based retention may drop them.
log.retention.ms=-1
CFG
cat >"$dir/log4j2.properties" <<'CFG'
appender.out.type=Console
appender.out.name=out
appender.out.layout.type=PatternLayout
appender.out.layout.pattern=[%d] %p %m (%c)%n
rootLogger.level=WARN
rootLogger.appenderRef.out.ref=out
CFG

cp="$libs/*"
log "formatting and starting Kafka in $dir (ports $proxy-$controller)"
java -cp "$cp" -Dlog4j2.configurationFile="$dir/log4j2.properties" kafka.tools.StorageTool format \
  -t "$(java -cp "$cp" kafka.tools.StorageTool random-uuid)" -c "$dir/server.properties" \
  >"$dir/format.log" 2>&1 || die "formatting failed: $(tail -n 3 "$dir/format.log")"
nohup java -Xms128m -Xmx"$heap" -XX:+UseG1GC -Djava.awt.headless=true \
  -Dlog4j2.configurationFile="$dir/log4j2.properties" -cp "$cp" kafka.Kafka "$dir/server.properties" \
  >"$dir/server.log" 2>&1 </dev/null &
pid=$!
# Ready check through INTERNAL, which advertises itself (CLIENT advertises the proxy, not up yet).
java -cp "$peer_cp" kasio.peer.Main wait-brokers --count 1 --timeout-ms 120000 \
  --bootstrap "127.0.0.1:$internal" >/dev/null \
  || die "Kafka did not start: $(tail -n 20 "$dir/server.log")"

log "capturing into $out"
mkdir -p "$out"
"$capture" --upstream "127.0.0.1:$client" --listen-port "$proxy" --peer-cp "$peer_cp" --out "$out" "$@" \
  || die "capture failed; broker log tail: $(tail -n 20 "$dir/server.log")"
