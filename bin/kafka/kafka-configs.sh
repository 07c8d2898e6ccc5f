#!/usr/bin/env node
// Kafka's kafka-configs.sh, served by Gregor: the same as `gregor kafka-configs ...` (docs/tools.md).
require('./launch.cjs')('kafka-configs');
