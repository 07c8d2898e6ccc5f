#!/usr/bin/env node
// Kafka's kafka-topics.sh, served by Gregor: the same as `gregor kafka-topics ...` (docs/tools.md).
require('./launch.cjs')('kafka-topics');
