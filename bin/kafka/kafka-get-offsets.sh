#!/bin/sh
# Kafka's kafka-get-offsets.sh, served by Gregor: the same as `gregor kafka-get-offsets ...` (docs/tools.md).
exec node "$(dirname "$0")/../gregor.js" kafka-get-offsets "$@"
