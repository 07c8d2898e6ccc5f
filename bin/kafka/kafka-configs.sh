#!/bin/sh
# Kafka's kafka-configs.sh, served by Gregor: the same as `gregor kafka-configs ...` (docs/tools.md).
exec node "$(dirname "$0")/../gregor.js" kafka-configs "$@"
