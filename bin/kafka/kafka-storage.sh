#!/bin/sh
# Kafka's kafka-storage.sh, served by Gregor: the same as `gregor kafka-storage ...` (docs/tools.md).
exec node "$(dirname "$0")/../gregor.js" kafka-storage "$@"
