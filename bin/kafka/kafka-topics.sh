#!/bin/sh
# Kafka's kafka-topics.sh, served by Gregor: the same as `gregor kafka-topics ...` (docs/tools.md).
exec node "$(dirname "$0")/../gregor.js" kafka-topics "$@"
