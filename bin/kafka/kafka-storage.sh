#!/usr/bin/env node
// Kafka's kafka-storage.sh, served by Gregor: the same as `gregor kafka-storage ...` (docs/tools.md).
require('./launch.cjs')('kafka-storage');
