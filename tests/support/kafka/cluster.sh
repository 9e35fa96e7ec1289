#!/usr/bin/env bash
# A local Apache Kafka KRaft cluster for kasio's tests: one controller and three brokers, each
# its own JVM, on loopback only. Everything lives in one directory (configs, data, logs, pids,
# certificates, cluster.env).
#
#   cluster.sh DIR start             format (if new) and start every node; ready = 3 brokers in metadata
#   cluster.sh DIR stop              stop every node (SIGTERM, then SIGKILL after 20 s)
#   cluster.sh DIR kill N            SIGKILL broker N (1-3)
#   cluster.sh DIR pause N | resume N    SIGSTOP / SIGCONT broker N; returns once every thread of
#                                    its JVM is stopped / running again
# kill, pause and resume act on the JVM the pid file names only after checking that it is broker
# N's Kafka JVM and holds its port, and fail with a message otherwise.
#   cluster.sh DIR stop-broker N     controlled shutdown of broker N (SIGTERM, waits)
#   cluster.sh DIR start-broker N    start broker N again (after kill or stop), waits until it has
#                                    started (its log says so) and is registered
#   cluster.sh DIR peer ARGS...      run the Java reference peer against the PLAINTEXT listeners
#
# Ports: KASIO_KAFKA_PORT_BASE (default 19000). Controller: base+1. Broker N: base+10N + 0
# PLAINTEXT, +1 SASL_PLAINTEXT, +2 SSL, +3 SASL_SSL. SASL users (PLAIN and SCRAM-SHA-256/512):
# kasio/kasio-secret, admin/admin-secret. SASL connections must re-authenticate every
# KASIO_KAFKA_REAUTH_MS (default 5000; KIP-368). Authorizer: StandardAuthorizer, everything
# allowed where no ACL names the resource; super users User:ANONYMOUS (PLAINTEXT and SSL clients,
# brokers, controller) and User:admin, so ACLs apply to SASL user kasio. The CA is DIR/certs/ca.pem; broker
# certificates name localhost only (not 127.0.0.1). JVM heap per node: KASIO_KAFKA_HEAP (default 768m).
# cluster.env holds the addresses as shell assignments, for the tests to read.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
(($# >= 2)) || { echo "usage: cluster.sh DIR start|stop|kill N|pause N|resume N|stop-broker N|start-broker N|peer ..." >&2; exit 2; }
dir=$(mkdir -p "$1" && cd "$1" && pwd)
cmd=$2
shift 2

base=${KASIO_KAFKA_PORT_BASE:-19000}
heap=${KASIO_KAFKA_HEAP:-768m}
reauth_ms=${KASIO_KAFKA_REAUTH_MS:-5000}
readonly brokers=(1 2 3)
readonly store_pass=kasio-store

log() { printf 'kafka-cluster: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

port() { echo $((base + 10 * $1 + $2)); }   # port BROKER LISTENER_INDEX
bootstrap() { local i out=(); for i in "${brokers[@]}"; do out+=("127.0.0.1:$(port "$i" "$1")"); done; (IFS=,; echo "${out[*]}"); }

libs() { "$here/fetch_kafka.sh" | tail -n 1; }
peer_cp() { "$here/peer/build.sh" | tail -n 1; }

peer() { java -Xshare:auto -cp "$(peer_cp)" kasio.peer.Main "$@" --bootstrap "$(bootstrap 0)"; }

make_certs() {
  local c=$dir/certs
  [[ -f $c/broker.p12 ]] && return
  mkdir -p "$c"
  openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=kasio test CA" \
    -keyout "$c/ca.key" -out "$c/ca.pem" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" \
    -keyout "$c/broker.key" -out "$c/broker.csr" 2>/dev/null
  # localhost only: a client that connects to 127.0.0.1 and checks the name must refuse it.
  printf 'subjectAltName=DNS:localhost\n' >"$c/san.ext"
  openssl x509 -req -in "$c/broker.csr" -CA "$c/ca.pem" -CAkey "$c/ca.key" -CAcreateserial \
    -days 3650 -extfile "$c/san.ext" -out "$c/broker.pem" 2>/dev/null
  openssl pkcs12 -export -in "$c/broker.pem" -inkey "$c/broker.key" -name broker \
    -passout "pass:$store_pass" -out "$c/broker.p12"
  # A truststore for Java peers; kasio reads ca.pem.
  rm -f "$c/truststore.p12"
  keytool -importcert -noprompt -alias ca -file "$c/ca.pem" -keystore "$c/truststore.p12" \
    -storetype PKCS12 -storepass "$store_pass" >/dev/null 2>&1
}

common_config() {   # NODE_ID
  cat <<CFG
node.id=$1
controller.quorum.voters=0@127.0.0.1:$((base + 1))
controller.listener.names=CONTROLLER
log.dirs=$dir/node$1/data
num.network.threads=2
num.io.threads=4
default.replication.factor=3
min.insync.replicas=2
num.partitions=3
# No time-based retention: tests write records with fixed 2023 timestamps (to check that
# timestamps travel), which the default 7 days would delete at the next retention check.
log.retention.ms=-1
# ACLs, for the tests of the ACL admin calls and of refused requests. A resource without ACLs is
# open to everyone, so tests that set none are unaffected. Super users: User:ANONYMOUS, which is
# what the PLAINTEXT listeners (inter-broker, controller, the peer's default) and the SSL
# listener (no client certificates) authenticate as, and the SASL user admin. ACLs therefore
# bind only SASL users other than admin, e.g. User:kasio.
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
allow.everyone.if.no.acl.found=true
super.users=User:ANONYMOUS;User:admin
CFG
}

write_controller_config() {
  mkdir -p "$dir/node0"
  { common_config 0
    cat <<CFG
process.roles=controller
listeners=CONTROLLER://127.0.0.1:$((base + 1))
listener.security.protocol.map=CONTROLLER:PLAINTEXT
CFG
  } >"$dir/node0/server.properties"
}

write_broker_config() {   # N
  local n=$1 c=$dir/certs jaas_scram plain_users
  mkdir -p "$dir/node$n"
  jaas_scram='org.apache.kafka.common.security.scram.ScramLoginModule required;'
  plain_users='org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="admin-secret" user_admin="admin-secret" user_kasio="kasio-secret";'
  { common_config "$n"
    cat <<CFG
process.roles=broker
listeners=PLAINTEXT://127.0.0.1:$(port "$n" 0),SASL_PLAINTEXT://127.0.0.1:$(port "$n" 1),SSL://127.0.0.1:$(port "$n" 2),SASL_SSL://127.0.0.1:$(port "$n" 3)
advertised.listeners=PLAINTEXT://127.0.0.1:$(port "$n" 0),SASL_PLAINTEXT://127.0.0.1:$(port "$n" 1),SSL://localhost:$(port "$n" 2),SASL_SSL://localhost:$(port "$n" 3)
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,SSL:SSL,SASL_SSL:SASL_SSL
inter.broker.listener.name=PLAINTEXT
sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256,SCRAM-SHA-512
ssl.keystore.type=PKCS12
ssl.keystore.location=$c/broker.p12
ssl.keystore.password=$store_pass
ssl.key.password=$store_pass
CFG
    local l
    for l in sasl_plaintext sasl_ssl; do
      cat <<CFG
listener.name.$l.plain.sasl.jaas.config=$plain_users
listener.name.$l.scram-sha-256.sasl.jaas.config=$jaas_scram
listener.name.$l.scram-sha-512.sasl.jaas.config=$jaas_scram
listener.name.$l.connections.max.reauth.ms=$reauth_ms
CFG
    done
    cat <<CFG
broker.rack=rack$n
offsets.topic.replication.factor=3
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=3
transaction.state.log.min.isr=2
transaction.state.log.num.partitions=10
group.initial.rebalance.delay.ms=0
# KIP-848 consumer groups take their heartbeat interval and session timeout from the coordinator
# (defaults 5 s and 45 s, and no lower allowed): the values the classic members of the tests ask
# for instead (1 s, 10 s), so a consumer-protocol member that vanishes is dropped as quickly.
group.consumer.heartbeat.interval.ms=1000
group.consumer.min.heartbeat.interval.ms=1000
group.consumer.session.timeout.ms=10000
group.consumer.min.session.timeout.ms=6000
broker.session.timeout.ms=6000
broker.heartbeat.interval.ms=1000
log.segment.bytes=268435456
# Client quotas measure over 3 windows of 1 s (default 11): a quota test sees throttling after
# about a second of traffic instead of a 10 s burst.
quota.window.num=3
quota.window.size.seconds=1
CFG
  } >"$dir/node$n/server.properties"
}

log4j_config() {
  [[ -f $dir/log4j2.properties ]] && return
  cat >"$dir/log4j2.properties" <<'CFG'
appender.out.type=Console
appender.out.name=out
appender.out.layout.type=PatternLayout
appender.out.layout.pattern=[%d] %p %m (%c)%n
rootLogger.level=INFO
rootLogger.appenderRef.out.ref=out
logger.request.name=kafka.request.logger
logger.request.level=WARN
CFG
}

# The node's JVM, or nothing: the pid file's process, if it is still the Kafka JVM started with
# this node's configuration (not a pid reused by another process after the JVM went).
node_pid() {   # N
  local p cmdline
  p=$(cat "$dir/node$1/pid" 2>/dev/null) || return 1
  [[ $p =~ ^[0-9]+$ ]] || return 1
  cmdline=$(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null) || return 1
  [[ $cmdline == *" kafka.Kafka $dir/node$1/server.properties"* ]] || return 1
  echo "$p"
}

alive() { node_pid "$1" >/dev/null; }

# The JVM of running broker N, checked: it is the process that listens on the broker's
# PLAINTEXT port (when ss can say), so a signal meant for the broker reaches the broker.
broker_pid() {   # N
  local n=$1 p listeners
  p=$(node_pid "$n") || die "broker $n: $dir/node$n/pid does not name broker $n's running Kafka JVM (pid file: $(cat "$dir/node$n/pid" 2>/dev/null || echo none))"
  if command -v ss >/dev/null; then
    listeners=$(ss -Hltnp "sport = :$(port "$n" 0)" 2>/dev/null) || listeners=
    [[ -z $listeners || $listeners == *"pid=$p,"* ]] \
      || die "broker $n: port $(port "$n" 0) is held by another process than pid $p: $listeners"
  fi
  echo "$p"
}

# Thread states of a process, one letter each (T: stopped).
thread_states() { local t s; for t in /proc/"$1"/task/*/stat; do { s=$(<"$t"); } 2>/dev/null || continue; s=${s##*) }; printf '%s' "${s%% *}"; done; }

# Sends SIGSTOP or SIGCONT and waits (bounded) until every thread of the JVM shows it. SIGSTOP
# only starts a group stop: kill returns once the signal is queued, and each of the JVM's
# threads stops when it next runs, milliseconds later on a busy machine, while its network and
# request threads may still answer. Paused means every thread stopped; resumed, none.
signal_broker() {   # N STOP|CONT
  local n=$1 sig=$2 p s t
  p=$(broker_pid "$n")
  kill -"$sig" "$p"
  for ((t = 0; t < 1000; t++)); do
    s=$(thread_states "$p")
    if [[ $sig == STOP ]]; then
      [[ -n $s && $s =~ ^T+$ ]] && return 0
    else
      [[ $s != *T* ]] && return 0
    fi
    kill -0 "$p" 2>/dev/null || die "broker $n (pid $p) exited after SIG$sig"
    sleep 0.01
  done
  die "broker $n (pid $p): SIG$sig not in effect 10 s later: thread states $s"
}

pause_broker() { signal_broker "$1" STOP; }
resume_broker() { signal_broker "$1" CONT; }

start_node() {   # N
  local n=$1
  alive "$n" && return
  local cp; cp="$(libs)/*"
  # The JVM options of Kafka's own start script, with a smaller heap.
  nohup java -Xms128m -Xmx"$heap" -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
    -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$dir/log4j2.properties" -cp "$cp" kafka.Kafka "$dir/node$n/server.properties" \
    >>"$dir/node$n/server.log" 2>&1 </dev/null &
  echo $! >"$dir/node$n/pid"
}

stop_node() {   # N SIGNAL
  local n=$1 sig=$2 p
  if p=$(node_pid "$n"); then
    kill -CONT "$p" 2>/dev/null || true
    kill -"$sig" "$p" 2>/dev/null || true
    local t
    for ((t = 0; t < 200; t++)); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$p" 2>/dev/null && { log "node $n ignored SIG$sig for 20 s: SIGKILL"; kill -KILL "$p" 2>/dev/null || true; }
    while kill -0 "$p" 2>/dev/null; do sleep 0.1; done
  fi
  rm -f "$dir/node$n/pid"
}

# Waits (bounded) until broker N's JVM, started when its log was FROM bytes long, says it has
# started: the PLAINTEXT port may be bound before the broker serves, and wait_brokers alone does
# not show it either, as the controller lists a killed broker until its session times out.
wait_started() {   # N FROM
  local n=$1 from=$2 t
  for ((t = 0; t < 1200; t++)); do
    # (grep reads a process substitution: with pipefail, tail's SIGPIPE would fail a pipe)
    grep -q "\[BrokerServer id=$n\] Transition from STARTING to STARTED" <(tail -c +"$((from + 1))" "$dir/node$n/server.log") \
      && return 0
    alive "$n" || die "broker $n exited while starting: $(tail -n 5 "$dir/node$n/server.log")"
    sleep 0.1
  done
  die "broker $n has not started 120 s after its JVM did; log in $dir/node$n/server.log"
}

wait_brokers() {   # COUNT
  peer wait-brokers --count "$1" --timeout-ms "${2:-120000}" >/dev/null \
    || die "brokers did not register within ${2:-120000} ms; logs in $dir/node*/server.log"
}

write_env() {
  cat >"$dir/cluster.env" <<ENV
KASIO_KAFKA_DIR=$dir
KASIO_KAFKA_BOOTSTRAP=$(bootstrap 0)
KASIO_KAFKA_SASL_BOOTSTRAP=$(bootstrap 1)
KASIO_KAFKA_SSL_BOOTSTRAP=$(bootstrap 2 | sed 's/127.0.0.1/localhost/g')
KASIO_KAFKA_SASL_SSL_BOOTSTRAP=$(bootstrap 3 | sed 's/127.0.0.1/localhost/g')
KASIO_KAFKA_CA=$dir/certs/ca.pem
KASIO_KAFKA_REAUTH_MS=$reauth_ms
KASIO_KAFKA_PEER_CP=$(peer_cp)
ENV
}

case $cmd in
  start)
    for n in 0 "${brokers[@]}"; do stop_node "$n" KILL; done   # leftovers of an interrupted run
    for p in $((base + 1)) $(port 1 0) $(port 2 0) $(port 3 0); do
      (exec 8<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null \
        && die "port $p is in use (another cluster? set KASIO_KAFKA_PORT_BASE)"
    done
    # Each run starts from empty logs: tests name their topics uniquely, but a cluster that
    # carries a previous run's groups and transactions is not the one the tests describe.
    rm -rf "$dir"/node*/data "$dir/cluster.id"
    libs >/dev/null
    peer_cp >/dev/null
    make_certs
    log4j_config
    write_controller_config
    for n in "${brokers[@]}"; do write_broker_config "$n"; done
    if [[ ! -f $dir/cluster.id ]]; then
      cp="$(libs)/*"
      id=$(java -cp "$cp" kafka.tools.StorageTool random-uuid)
      pids=()
      for n in 0 "${brokers[@]}"; do   # one JVM each, in parallel: ~3 s apiece
        java -cp "$cp" -Dlog4j2.configurationFile="$dir/log4j2.properties" kafka.tools.StorageTool format \
          -t "$id" -c "$dir/node$n/server.properties" --ignore-formatted \
          --add-scram "SCRAM-SHA-256=[name=kasio,password=kasio-secret]" \
          --add-scram "SCRAM-SHA-512=[name=kasio,password=kasio-secret]" \
          --add-scram "SCRAM-SHA-256=[name=admin,password=admin-secret]" >"$dir/node$n/format.log" 2>&1 &
        pids+=($!)
      done
      for n in 0 "${brokers[@]}"; do
        wait "${pids[$n]}" || die "formatting node $n failed: $(tail -n 3 "$dir/node$n/format.log")"
      done
      echo "$id" >"$dir/cluster.id"
    fi
    start=$(date +%s%N)
    for n in 0 "${brokers[@]}"; do start_node "$n"; done
    wait_brokers 3
    write_env
    log "ready in $(( ($(date +%s%N) - start) / 1000000 )) ms: $(bootstrap 0)"
    ;;
  stop) for n in "${brokers[@]}" 0; do stop_node "$n" TERM; done ;;
  kill) broker_pid "$1" >/dev/null; stop_node "$1" KILL ;;
  stop-broker) stop_node "$1" TERM ;;
  pause) pause_broker "$1" ;;
  resume) resume_broker "$1" ;;
  start-broker)
    if alive "$1"; then wait_brokers 3; exit 0; fi
    from=$(stat -c %s "$dir/node$1/server.log" 2>/dev/null || echo 0)
    start_node "$1"
    wait_started "$1" "$from"
    wait_brokers 3
    ;;
  peer) peer "$@" ;;
  *) die "unknown command $cmd" ;;
esac
