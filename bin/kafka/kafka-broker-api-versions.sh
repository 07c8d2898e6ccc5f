#!/bin/sh
# Kafka's kafka-broker-api-versions.sh, served by Gregor: the same as `gregor kafka-broker-api-versions ...` (docs/tools.md).
# Symbolic links to this file work: the path is resolved before bin/gregor.js is looked for.
self=$(readlink -f "$0" 2>/dev/null || echo "$0")
exec node "$(dirname "$self")/../gregor.js" kafka-broker-api-versions "$@"
