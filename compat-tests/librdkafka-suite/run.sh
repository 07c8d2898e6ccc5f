#!/bin/bash
# Runs librdkafka's own regression suite (tests/0xxx) against a three-node Gregor cluster.
# Usage: compat-tests/librdkafka-suite/run.sh <librdkafka source tree> [TESTS list] [classic|consumer]
# SCENARIO=noautocreate runs the tests of trivup's noautocreate scenario (auto.create.topics.enable=false)
# instead of the default scenario's (the runner starts only the tests of the scenario it is given).
# QUICK=0 runs without the runner's quick mode (-Q), which skips every sub-test not marked quick.
# The tree is built when its tests/test-runner is missing (./configure && make; needs gcc, make,
# libssl-dev, zlib1g-dev). Gregor runs from this checkout's bin/gregor.cjs (npm run build first),
# laid out like the suite's trivup default scenario: three combined nodes, num.partitions=4,
# default.replication.factor=3, StandardAuthorizer with allow.everyone.if.no.acl.found=true
# (the ACL tests need an authorizer). Ports 29091-29093 (PLAINTEXT), 29191-29193 (CONTROLLER).
set -euo pipefail
src=$(realpath "${1:?usage: run.sh <librdkafka source tree> [TESTS] [classic|consumer]}")
tests=${2:-}
protocol=${3:-classic}
scenario=${SCENARIO:-default}
quick_flag=-Q
[ "${QUICK:-1}" != 0 ] || quick_flag=
case "$scenario" in
  default) autocreate=true ;;
  noautocreate) autocreate=false ;;
  *) echo "SCENARIO must be default or noautocreate, not $scenario" >&2; exit 2 ;;
esac
here=$(cd "$(dirname "$0")" && pwd)
gregor=$(realpath "$here/../../bin/gregor.cjs")
work=$(mktemp -d /tmp/gregor-rdk-XXXXXX)
pids=()
stop() { for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done; [ -n "${KEEP:-}" ] || rm -rf "$work"; }
trap stop EXIT

if [ ! -x "$src/tests/test-runner" ]; then
  (cd "$src" && ./configure --disable-gssapi --disable-curl --disable-lz4-ext --disable-zstd --disable-sasl >/dev/null \
    && make -j2 libs >/dev/null && make -C tests -j2 test-runner >/dev/null)
fi

voters=1@127.0.0.1:29191,2@127.0.0.1:29192,3@127.0.0.1:29193
for i in 1 2 3; do
  cat > "$work/n$i.properties" <<PROPS
process.roles=broker,controller
node.id=$i
controller.quorum.voters=$voters
listeners=PLAINTEXT://127.0.0.1:2909$i,CONTROLLER://127.0.0.1:2919$i
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
log.dirs=$work/data$i
num.partitions=4
default.replication.factor=3
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
allow.everyone.if.no.acl.found=true
auto.create.topics.enable=$autocreate
PROPS
  CLUSTER_ID=MkU3OEVBNTcwNTJENDM2Qk node "$gregor" start --config "$work/n$i.properties" > "$work/n$i.log" 2>&1 &
  pids+=($!)
done
for i in 1 2 3; do
  for _ in $(seq 1 100); do grep -q "caught up with the metadata log and unfenced" "$work/n$i.log" && break; sleep 0.1; done
  grep -q "caught up with the metadata log and unfenced" "$work/n$i.log" || { echo "node $i did not start:"; tail -5 "$work/n$i.log"; exit 1; }
done

# Kafka's tools for the tests that run them ($KAFKA_PATH/bin/kafka-topics.sh, kafka-configs.sh,
# kafka-acls.sh): the package's bin/kafka/, linked where the suite looks for them.
mkdir -p "$work/kafka/bin"
for tool in "$(dirname "$gregor")"/kafka/kafka-*.sh; do ln -sf "$tool" "$work/kafka/bin/$(basename "$tool")"; done

conf="$work/test.conf"
printf 'metadata.broker.list=127.0.0.1:29091,127.0.0.1:29092,127.0.0.1:29093\ntest.timeout.multiplier=3\n' > "$conf"
log="$work/suite.log"
set +e
(cd "$src/tests" && LD_LIBRARY_PATH="$src/src:$src/src-cpp" RDKAFKA_TEST_CONF="$conf" TEST_KAFKA_VERSION=3.9.0 \
  TEST_SCENARIO="$scenario" KAFKA_PATH="$work/kafka" BROKERS=127.0.0.1:29091,127.0.0.1:29092,127.0.0.1:29093 \
  TEST_CONSUMER_GROUP_PROTOCOL="$protocol" TESTS="$tests" ./test-runner $quick_flag -E -p1) > "$log" 2>&1
set -e
clean() { sed 's/\x1b\[[0-9;]*m//g' "$log"; }
clean | grep -aE '^\[.*\] =+ Test .* (PASSED|SKIPPED) =+$' | sed -E 's/.*Test ([^ ]+) (PASSED|SKIPPED).*/\2 \1/' > "$work/done" || true
clean | grep -aE '^### Test ".*" failed at' | grep -v '"<MAIN>"' | sed -E 's/^### Test "([^"]+)" failed at ([^ ]+).*/FAILED \1 at \2/' >> "$work/done" || true
cat "$work/done"
count() { grep -c "^$1" "$work/done" || true; }
echo "$(count PASSED) passed, $(count FAILED) failed, $(count SKIPPED) skipped ($protocol groups, $scenario scenario)"
