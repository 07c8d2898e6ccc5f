#!/usr/bin/env node
// Kafka's kafka-consumer-groups.sh, served by Gregor: the same as `gregor kafka-consumer-groups ...` (docs/tools.md).
require('./launch.cjs')('kafka-consumer-groups');
