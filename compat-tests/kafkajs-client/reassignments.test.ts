/**
 * kafkajs admin alterPartitionReassignments / listPartitionReassignments against one
 * broker: unknown topics get UNKNOWN_TOPIC_OR_PARTITION, unknown brokers
 * INVALID_REPLICA_ASSIGNMENT, a same-broker reassignment succeeds and none stays in progress.
 */
import t from 'tap';
import { Kafka, logLevel } from 'kafkajs';
import { brokerFor } from '../../test/helpers/broker.js';

t.test('partition reassignments on a single broker', async (t) => {
  const { bootstrap } = await brokerFor(t);
  const admin = new Kafka({ brokers: [bootstrap], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  await admin.createTopics({ topics: [{ topic: 'moves', numPartitions: 2 }] });

  const missing = (await admin
    .alterPartitionReassignments({
      topics: [{ topic: 'nope', partitionAssignment: [{ partition: 0, replicas: [1] }] }],
    })
    .catch((e: unknown) => e)) as { type?: string; errors?: Array<{ type?: string }> };
  const missingType = missing.type ?? missing.errors?.[0]?.type;
  t.equal(missingType, 'UNKNOWN_TOPIC_OR_PARTITION', 'unknown topic');

  const badBroker = (await admin
    .alterPartitionReassignments({
      topics: [{ topic: 'moves', partitionAssignment: [{ partition: 0, replicas: [42] }] }],
    })
    .catch((e: unknown) => e)) as { type?: string; errors?: Array<{ type?: string }> };
  t.equal(badBroker.type ?? badBroker.errors?.[0]?.type, 'INVALID_REPLICA_ASSIGNMENT', 'unknown broker');

  await admin.alterPartitionReassignments({
    topics: [{ topic: 'moves', partitionAssignment: [{ partition: 1, replicas: [1] }] }],
  });
  t.pass('a reassignment to the current broker succeeds');
  const listed = await admin.listPartitionReassignments({ topics: [{ topic: 'moves', partitions: [0, 1] }] });
  t.same(listed.topics, [], 'nothing in progress');
});
