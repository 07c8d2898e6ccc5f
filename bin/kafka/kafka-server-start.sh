#!/bin/sh
# Kafka's kafka-server-start.sh, served by Gregor: `gregor start <server.properties> [--override key=value]...`
# (docs/tools.md). With -daemon first, as Kafka's kafka-run-class.sh: the broker runs detached (nohup,
# stdin from /dev/null) with its console output in $LOG_DIR/kafkaServer.out (LOG_DIR defaults to logs/
# in the package's folder, as Kafka's to logs/ in its own), and the script exits 0 at once;
# kafka-server-stop.sh stops it.
if [ $# -lt 1 ]; then
  echo "USAGE: $0 [-daemon] server.properties [--override property=value]*" >&2
  exit 1
fi
self=$(readlink -f "$0" 2>/dev/null || echo "$0")
gregor="$(dirname "$self")/../gregor.cjs"
if [ "$1" = "-daemon" ]; then
  shift
  if [ $# -lt 1 ]; then
    echo "USAGE: $0 [-daemon] server.properties [--override property=value]*" >&2
    exit 1
  fi
  LOG_DIR=${LOG_DIR:-"$(dirname "$self")/../../logs"}
  mkdir -p "$LOG_DIR" || exit 1
  nohup node "$gregor" start "$@" > "$LOG_DIR/kafkaServer.out" 2>&1 < /dev/null &
  exit 0
fi
exec node "$gregor" start "$@"
