#!/bin/sh
# Kafka's kafka-console-producer.sh, served by Gregor: the same as `gregor kafka-console-producer ...` (docs/tools.md).
exec node "$(dirname "$0")/../gregor.js" kafka-console-producer "$@"
