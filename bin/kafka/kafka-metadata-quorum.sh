#!/bin/sh
# Kafka's kafka-metadata-quorum.sh, served by Gregor: the same as `gregor kafka-metadata-quorum ...` (docs/tools.md).
exec node "$(dirname "$0")/../gregor.js" kafka-metadata-quorum "$@"
