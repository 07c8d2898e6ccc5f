#!/bin/sh
# Kafka's kafka-server-start.sh, served by Gregor: `gregor start <server.properties> [--override key=value]...`
# (docs/tools.md). -daemon is refused: run it in the background yourself or under a service manager.
if [ $# -lt 1 ]; then
  echo "USAGE: $0 [-daemon] server.properties [--override property=value]*" >&2
  exit 1
fi
if [ "$1" = "-daemon" ]; then
  echo "kafka-server-start.sh: -daemon is not supported by Gregor: start it in the background yourself (e.g. with nohup or a service manager)" >&2
  exit 1
fi
self=$(readlink -f "$0" 2>/dev/null || echo "$0")
exec node "$(dirname "$self")/../gregor.cjs" start "$@"
