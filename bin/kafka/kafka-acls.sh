#!/bin/sh
# Kafka's kafka-acls.sh, served by Gregor: the same as `gregor kafka-acls ...` (docs/tools.md).
exec node "$(dirname "$0")/../gregor.js" kafka-acls "$@"
