#!/bin/bash
# Runs confluent-kafka-python 1.7.0's own integration tests against Gregor, with Debian's
# python3-confluent-kafka (1.7.0 on librdkafka 2.0.2) and Debian's pytest.
# Usage: compat-tests/confluent-kafka-python-suite/run.sh <confluent-kafka-python 1.7.0 tree> [parts...]
# Parts (default: all of them, in this order):
#   script   tests/integration/integration_test.py, the "old way": one run of the modes producer,
#            performance, consumer, throttle and admin (in the script's order; the consumer checks
#            read what the producer performance check wrote), against a single node laid out like the suite's
#            tests/docker compose file (one broker, offsets.topic.replication.factor=1, the
#            quota producer_byte_rate=1,consumer_byte_rate=1,request_percentage=001 on client id
#            throttled_client, set with kafka-configs as cluster_up.sh does). Left out: the avro
#            modes (they need Confluent Schema Registry).
#   pytest1  the pytest tests of tests/integration (the suite's "bring your own cluster" fixture,
#            BROKERS=...) against the single node. Left out: tests/integration/schema_registry
#            (Schema Registry).
#   pytest3  the same tests against three nodes, like the trivup cluster the suite makes without
#            BROKERS (broker_cnt 3, transaction.state.log.replication.factor=1, min.isr 1).
# Gregor runs from this checkout's bin/gregor.cjs (npm run build first). Ports: 24200-24201
# (single node), 24210-24212 and 24220-24222 (three nodes). The summary goes to $OUT (default
# /tmp/gregor-ckp-results.txt), each part's log beside it; KEEP=1 keeps the node logs.
set -euo pipefail
export PYTHONDONTWRITEBYTECODE=1 # no __pycache__ in this tree (the plugin, the trivup stand-in)
src=$(realpath "${1:?usage: run.sh <confluent-kafka-python tree> [script|pytest1|pytest3...]}")
shift
[ $# -gt 0 ] || set -- script pytest1 pytest3
here=$(cd "$(dirname "$0")" && pwd)
gregor=$(realpath "$here/../../bin/gregor.cjs")
tools=$(dirname "$gregor")/kafka
work=$(mktemp -d /tmp/gregor-ckp-XXXXXX)
out=${OUT:-/tmp/gregor-ckp-results.txt}
py=/usr/bin/python3
pids=()
stop_nodes() {
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  pids=()
}
cleanup() { stop_nodes; [ -n "${KEEP:-}" ] || rm -rf "$work"; }
trap cleanup EXIT

start_node() { # name node.id port controller-port voters extra-properties...
  local name=$1 id=$2 port=$3 cport=$4 voters=$5
  shift 5
  {
    echo "process.roles=broker,controller"
    echo "node.id=$id"
    echo "controller.quorum.voters=$voters"
    echo "listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport"
    echo "controller.listener.names=CONTROLLER"
    echo "inter.broker.listener.name=PLAINTEXT"
    echo "log.dirs=$work/data-$name"
    printf '%s\n' "$@"
  } > "$work/$name.properties"
  CLUSTER_ID=ckpSuiteGregor00000000 node "$gregor" start --config "$work/$name.properties" > "$work/$name.log" 2>&1 &
  pids+=($!)
}
await_nodes() {
  for name in "$@"; do
    for _ in $(seq 1 300); do grep -q "caught up with the metadata log and unfenced" "$work/$name.log" && break; sleep 0.1; done
    grep -q "caught up with the metadata log and unfenced" "$work/$name.log" || { echo "node $name did not start:"; tail -5 "$work/$name.log"; exit 1; }
  done
}

single=127.0.0.1:24200
start_single() {
  rm -rf "$work/data-single"
  start_node single 1 24200 24201 1@127.0.0.1:24201 offsets.topic.replication.factor=1 \
    transaction.state.log.replication.factor=1 transaction.state.log.min.isr=1
  await_nodes single
  "$tools/kafka-configs.sh" --bootstrap-server $single --alter --entity-type clients --entity-name throttled_client \
    --add-config 'producer_byte_rate=1,consumer_byte_rate=1,request_percentage=001' > /dev/null
  # The script produces to partition 1 of its topic: made with two partitions beforehand.
  "$tools/kafka-topics.sh" --bootstrap-server $single --create --topic test --partitions 2 > /dev/null
  printf '{"topic": "test", "bootstrap.servers": "%s"}\n' $single > "$work/testconf.json"
}
cluster=127.0.0.1:24210,127.0.0.1:24211,127.0.0.1:24212
start_cluster() {
  local voters=1@127.0.0.1:24220,2@127.0.0.1:24221,3@127.0.0.1:24222
  for i in 1 2 3; do
    rm -rf "$work/data-n$i"
    start_node n$i $i 2421$((i - 1)) 2422$((i - 1)) $voters transaction.state.log.replication.factor=1 \
      transaction.state.log.min.isr=1
  done
  await_nodes n1 n2 n3
}

: > "$out"
passed=0 failed=0 skipped=0
script_mode() { # name integration_test.py options...
  local name=$1 log="$out.script-$1.log"
  shift
  set +e
  (cd "$src" && timeout -k 5 "${TIMEOUT:-900}" $py tests/integration/integration_test.py "$@" "$work/testconf.json") > "$log" 2>&1
  local rc=$?
  set -e
  if [ $rc -eq 0 ]; then
    passed=$((passed + 1))
    echo "PASSED integration_test.py $*" | tee -a "$out"
  else
    failed=$((failed + 1))
    echo "FAILED integration_test.py $* (rc=$rc): $(grep -aE 'Error|Exception|assert' "$log" | tail -1)" | tee -a "$out"
  fi
}
pytest_part() { # name bootstrap
  local log="$out.$1.log"
  set +e
  (cd "$src" && BROKERS=$2 PYTHONPATH="$here/stub" timeout -k 5 "${TIMEOUT:-900}" $py -m pytest -p no:cacheprovider \
    -rfEs -v --ignore=tests/integration/schema_registry tests/integration) > "$log" 2>&1
  set -e
  grep -aE '^tests/.*(PASSED|FAILED|ERROR|SKIPPED)' "$log" | sed -E "s/^(tests[^ ]*) (PASSED|FAILED|ERROR|SKIPPED).*/\2 $1 \1/" | tee -a "$out" || true
  local line
  line=$(tail -1 "$log")
  echo "$1: $line" | tee -a "$out"
  n() { echo "$line" | { grep -oE "[0-9]+ $1" || true; } | awk '{ s += $1 } END { print s + 0 }'; }
  passed=$((passed + $(n passed)))
  failed=$((failed + $(n failed) + $(n error)))
  skipped=$((skipped + $(n skipped)))
}

for part in "$@"; do
  case $part in
    script)
      # One run with every mode but the avro ones, as `integration_test.py testconf.json` runs
      # them: the consumer checks read what the producer performance check wrote.
      start_single
      script_mode all --producer --consumer --performance --admin --throttle
      stop_nodes
      ;;
    pytest1)
      start_single
      pytest_part pytest1 $single
      stop_nodes
      ;;
    pytest3)
      start_cluster
      pytest_part pytest3 $cluster
      stop_nodes
      ;;
    *) echo "unknown part $part"; exit 2 ;;
  esac
done
echo "$passed passed, $failed failed, $skipped skipped" | tee -a "$out"
[ -z "${KEEP:-}" ] || echo "node logs: $work"
