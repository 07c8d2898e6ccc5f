#!/usr/bin/env node
// Kafka's kafka-acls.sh, served by Gregor: the same as `gregor kafka-acls ...` (docs/tools.md).
require('./launch.cjs')('kafka-acls');
