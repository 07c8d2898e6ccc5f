#!/usr/bin/env node
// Kafka's kafka-get-offsets.sh, served by Gregor: the same as `gregor kafka-get-offsets ...` (docs/tools.md).
require('./launch.cjs')('kafka-get-offsets');
