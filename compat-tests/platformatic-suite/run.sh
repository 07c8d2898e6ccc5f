#!/bin/bash
# Runs @platformatic/kafka's own test suite (its test/**/*.test.ts, node:test) against Gregor.
# Usage: compat-tests/platformatic-suite/run.sh <platformatic/kafka checkout> [test files...]
# The checkout needs its dependencies installed (see README.md). Gregor runs from this checkout's
# bin/gregor.cjs (npm run build first), laid out like the suite's docker-compose.yml, in a private
# network namespace (unshare -n, as root) so the suite's fixed ports are free (192.0.2.0/24, which a
# test expects a connect to time out on, is routed into lo, where it is dropped):
#   broker-single  PLAINTEXT localhost:9001                      (node 1, its own cluster)
#   broker-sasl    SASL_PLAINTEXT localhost:9002, PLAINTEXT 19002 (PLAIN admin/admin, SCRAM, OAUTHBEARER)
#   broker-cluster PLAINTEXT localhost:9011-9013                 (nodes 1-3, StandardAuthorizer, super.users=User:ANONYMOUS)
# Left out: the Kerberos broker (9003: Gregor has no GSSAPI) and the schema registries (8004-8006).
# Each test file runs on its own (node --test, one file at a time, TIMEOUT seconds each, default 300);
# the summary goes to $OUT (default /tmp/gregor-plat-results.txt). KEEP=1 keeps node logs.
set -euo pipefail
if [ -z "${GREGOR_PLAT_NETNS:-}" ]; then
  exec unshare -n env GREGOR_PLAT_NETNS=1 bash -c 'ip link set lo up && ip route add 192.0.2.0/24 dev lo && exec "$0" "$@"' "$0" "$@"
fi
src=$(realpath "${1:?usage: run.sh <platformatic/kafka checkout> [test files...]}")
shift
here=$(cd "$(dirname "$0")" && pwd)
gregor=$(realpath "$here/../../bin/gregor.cjs")
work=$(mktemp -d /tmp/gregor-plat-XXXXXX)
out=${OUT:-/tmp/gregor-plat-results.txt}
timeout_s=${TIMEOUT:-300}
pids=()
stop() { for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done; [ -n "${KEEP:-}" ] || rm -rf "$work"; }
trap stop EXIT

# Settings every broker of the compose file shares (its common_config; the cluster's KAFKA_CFG_*
# variables are Bitnami names the cp-kafka image ignores, so the cluster has the same values).
common="process.roles=broker,controller
controller.listener.names=CONTROLLER
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.replication.factor=1
group.coordinator.rebalance.protocols=classic,consumer
group.initial.rebalance.delay.ms=0
group.consumer.heartbeat.interval.ms=200
group.consumer.min.heartbeat.interval.ms=100"

start_node() { # name node.id properties...
  local name=$1 id=$2
  shift 2
  { echo "$common"; echo "node.id=$id"; echo "log.dirs=/var/lib/kafka/data"; printf '%s\n' "$@"; } > "$work/$name.properties"
  mkdir -p "$work/data-$name"
  # Each node in its own mount namespace with its data dir at the cp-kafka image's log.dirs path,
  # which admin.test.ts's describeLogDirs test expects (the node's data lives in $work/data-<name>).
  CLUSTER_ID=gPJsB-TJE9oxCMwjUbji7Q unshare -m sh -c 'mount -t tmpfs tmpfs /var/lib && mkdir -p /var/lib/kafka/data &&
    mount --bind "$1" /var/lib/kafka/data && exec node "$2" start --config "$3"' sh "$work/data-$name" "$gregor" \
    "$work/$name.properties" > "$work/$name.log" 2>&1 &
  pids+=($!)
}

start_node single 1 \
  "listeners=PLAINTEXT://127.0.0.1:9001,DOCKER://127.0.0.1:19001,CONTROLLER://127.0.0.1:29001" \
  "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,DOCKER:PLAINTEXT,CONTROLLER:PLAINTEXT" \
  "advertised.listeners=PLAINTEXT://localhost:9001,DOCKER://127.0.0.1:19001" \
  "inter.broker.listener.name=DOCKER" "controller.quorum.voters=1@127.0.0.1:29001"

start_node sasl 1 \
  "listeners=SASL://127.0.0.1:9002,DOCKER://127.0.0.1:19002,CONTROLLER://127.0.0.1:29002" \
  "listener.security.protocol.map=SASL:SASL_PLAINTEXT,DOCKER:PLAINTEXT,CONTROLLER:PLAINTEXT" \
  "advertised.listeners=SASL://localhost:9002,DOCKER://127.0.0.1:19002" \
  "inter.broker.listener.name=DOCKER" "controller.quorum.voters=1@127.0.0.1:29002" \
  'listener.name.sasl.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="admin" user_admin="admin";' \
  'listener.name.sasl.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="admin";' \
  'listener.name.sasl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="admin";' \
  'listener.name.sasl.oauthbearer.sasl.jaas.config=org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required;' \
  "connections.max.reauth.ms=5000" "allow.everyone.if.no.acl.found=false" "super.users=User:admin" \
  "sasl.enabled.mechanisms=PLAIN,OAUTHBEARER,SCRAM-SHA-256,SCRAM-SHA-512" \
  "sasl.oauthbearer.expected.issuer=kafka" "sasl.oauthbearer.expected.audience=users"

for i in 1 2 3; do
  start_node cluster-$i $i \
    "listeners=PLAINTEXT://127.0.0.1:901$i,DOCKER://127.0.0.1:1901$i,CONTROLLER://127.0.0.1:2901$i" \
    "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,DOCKER:PLAINTEXT,CONTROLLER:PLAINTEXT" \
    "advertised.listeners=PLAINTEXT://localhost:901$i,DOCKER://127.0.0.1:1901$i" \
    "inter.broker.listener.name=DOCKER" \
    "controller.quorum.voters=1@127.0.0.1:29011,2@127.0.0.1:29012,3@127.0.0.1:29013" \
    "authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer" "super.users=User:ANONYMOUS"
done

for name in single sasl cluster-1 cluster-2 cluster-3; do
  for _ in $(seq 1 300); do grep -q "caught up with the metadata log and unfenced" "$work/$name.log" && break; sleep 0.1; done
  grep -q "caught up with the metadata log and unfenced" "$work/$name.log" || { echo "node $name did not start:"; tail -5 "$work/$name.log"; exit 1; }
done

cd "$src"
if [ $# -eq 0 ]; then set -- $(ls test/*.test.ts test/*/*.test.ts test/*/*/*.test.ts | sort); fi
# KAFKA_VERSION: what isKafka() compares with, instead of asking docker for the image tag
# (8.1.0 is the compose file's default cp-kafka image, Apache Kafka 4.1).
export KAFKA_VERSION=${KAFKA_VERSION:-8.1.0}
: > "$out"
for f in "$@"; do
  log="$work/$(echo "$f" | tr / _).log"
  set +e
  timeout -k 5 "$timeout_s" node --import "$here/node20-shim.mjs" --import @swc-node/register/esm-register \
    --test --test-concurrency=1 --test-reporter=tap "$f" > "$log" 2>&1
  rc=$?
  set -e
  n() { grep -aE "^# $1 [0-9]+" "$log" | tail -1 | awk '{print $3}'; }
  echo "$f rc=$rc tests=$(n tests) pass=$(n pass) fail=$(n fail) cancelled=$(n cancelled) skipped=$(n skipped) todo=$(n todo)" | tee -a "$out"
  grep -aE "^ *not ok " "$log" | sed 's/^/    /' >> "$out" || true
  [ -z "${KEEP:-}" ] || cp "$log" "$out.$(echo "$f" | tr / _).log"
done
awk '{for (i = 2; i <= NF; i++) { split($i, kv, "="); s[kv[1]] += kv[2] } } /^[^ ]/ { files++ }
  END { printf "files=%d tests=%d pass=%d fail=%d cancelled=%d skipped=%d todo=%d\n", files, s["tests"], s["pass"], s["fail"], s["cancelled"], s["skipped"], s["todo"] }' \
  <(grep -v '^ ' "$out") | tee -a "$out"
