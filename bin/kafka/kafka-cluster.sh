#!/usr/bin/env node
// Kafka's kafka-cluster.sh, served by Gregor: the same as `gregor kafka-cluster ...` (docs/tools.md).
require('./launch.cjs')('kafka-cluster');
