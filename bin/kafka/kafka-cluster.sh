#!/bin/sh
# Kafka's kafka-cluster.sh, served by Gregor: the same as `gregor kafka-cluster ...` (docs/tools.md).
exec node "$(dirname "$0")/../gregor.js" kafka-cluster "$@"
