#!/bin/sh
# Kafka's kafka-dump-log.sh, served by Gregor: the same as `gregor kafka-dump-log ...` (docs/tools.md).
# Symbolic links to this file work: the path is resolved before bin/gregor.js is looked for.
self=$(readlink -f "$0" 2>/dev/null || echo "$0")
exec node "$(dirname "$self")/../gregor.js" kafka-dump-log "$@"
