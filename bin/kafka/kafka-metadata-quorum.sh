#!/usr/bin/env node
// Kafka's kafka-metadata-quorum.sh, served by Gregor: the same as `gregor kafka-metadata-quorum ...` (docs/tools.md).
require('./launch.cjs')('kafka-metadata-quorum');
