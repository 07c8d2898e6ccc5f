#!/usr/bin/env node
// Kafka's kafka-console-producer.sh, served by Gregor: the same as `gregor kafka-console-producer ...` (docs/tools.md).
require('./launch.cjs')('kafka-console-producer');
