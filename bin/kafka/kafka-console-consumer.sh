#!/usr/bin/env node
// Kafka's kafka-console-consumer.sh, served by Gregor: the same as `gregor kafka-console-consumer ...` (docs/tools.md).
require('./launch.cjs')('kafka-console-consumer');
