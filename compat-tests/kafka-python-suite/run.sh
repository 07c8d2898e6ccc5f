#!/bin/bash
# Runs kafka-python 2.0.2's own test suite (its test/, pytest) against Gregor.
# Usage: compat-tests/kafka-python-suite/run.sh <python-kafka 2.0.2 source tree> [pytest args...]
# The tree is Debian's source package (`apt-get source python-kafka`, see README.md). The suite
# runs against Debian's installed python3-kafka (test/ is copied into a work dir without the tree's
# kafka/), with /usr/bin/python3 and Debian's pytest. gregor_fixture.py (a pytest plugin) makes
# the suite's broker fixture start a Gregor node (bin/gregor.cjs from this checkout: npm run build
# first) where it started ZooKeeper and a Java broker: one node per test module, as the suite
# does, on ports from PORT_BASE (default 24100) upward. KAFKA_VERSION (default 2.5.0, the newest
# broker the suite knows) is what the suite's version gates compare with.
# The summary goes to $OUT (default /tmp/gregor-kpy-results.txt); KEEP=1 keeps the nodes' logs.
set -euo pipefail
export PYTHONDONTWRITEBYTECODE=1 # no __pycache__ in this tree (the plugin, the trivup stand-in)
src=$(realpath "${1:?usage: run.sh <python-kafka source tree> [pytest args...]}")
shift
here=$(cd "$(dirname "$0")" && pwd)
gregor=$(realpath "$here/../../bin/gregor.cjs")
work=$(mktemp -d /tmp/gregor-kpy-XXXXXX)
out=${OUT:-/tmp/gregor-kpy-results.txt}
cleanup() { [ -n "${KEEP:-}" ] || rm -rf "$work"; }
trap cleanup EXIT

# The tests only, so that `import kafka` is Debian's package, not the tree's copy.
cp -a "$src/test" "$src/servers" "$src/tox.ini" "$work/"
mkdir -p "$work/logs"
[ $# -gt 0 ] || set -- test
set +e
(cd "$work" && PYTHONPATH="$here" KAFKA_VERSION=${KAFKA_VERSION:-2.5.0} GREGOR_BIN="$gregor" \
  GREGOR_PORT_BASE=${PORT_BASE:-24100} GREGOR_LOG_DIR="$work/logs" PROJECT_ROOT="$work" \
  /usr/bin/python3 -m pytest -p gregor_fixture -p no:cacheprovider -rfEsxX -o addopts= "$@") > "$work/pytest.log" 2>&1
rc=$?
set -e
cp "$work/pytest.log" "$out"
grep -aE '^(FAILED|ERROR|SKIPPED) ' "$work/pytest.log" || true
tail -1 "$work/pytest.log"
[ -z "${KEEP:-}" ] || echo "node logs: $work/logs"
exit $rc
