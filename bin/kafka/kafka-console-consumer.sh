#!/bin/sh
# Kafka's kafka-console-consumer.sh, served by Gregor: the same as `gregor kafka-console-consumer ...` (docs/tools.md).
exec node "$(dirname "$0")/../gregor.js" kafka-console-consumer "$@"
