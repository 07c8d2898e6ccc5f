#!/bin/sh
# Kafka's kafka-consumer-groups.sh, served by Gregor: the same as `gregor kafka-consumer-groups ...` (docs/tools.md).
exec node "$(dirname "$0")/../gregor.js" kafka-consumer-groups "$@"
