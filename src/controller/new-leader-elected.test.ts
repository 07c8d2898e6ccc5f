/**
 * NEW_LEADER_ELECTED on three in-process nodes: kafkajs' admin moves a partition from node 1 to
 * nodes 2 and 3; node 1's AlterPartition that brings in the last new replica completes the
 * reassignment and moves the leadership off node 1, which Kafka 3.9's controller makes and answers
 * NEW_LEADER_ELECTED (ReplicationControlManager.alterPartition). Node 1 logs that answer and waits
 * for the metadata; the move completes and every record is still there.
 */
import { Writable } from 'node:stream';
import t from 'tap';
import { Kafka, logLevel } from 'kafkajs';
import pino from 'pino';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import type { Logger } from '../common/logger.js';
import { eventually, threeNodeCluster } from '../../test/helpers/in-process-cluster.js';

t.test('the AlterPartition that completes a move off its leader is answered NEW_LEADER_ELECTED', async (t) => {
  const refusals: Array<{ nodeId: number; errorCode: unknown }> = [];
  const logger = (nodeId: number): Logger =>
    pino(
      { level: 'info' },
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          const line = JSON.parse(chunk.toString('utf8')) as Record<string, unknown>;
          if (line['msg'] === 'ISR change refused') refusals.push({ nodeId, errorCode: line['errorCode'] });
          done();
        },
      }),
    );
  const nodes = await threeNodeCluster(t, { 'replica.fetch.wait.max.ms': 100 }, undefined, { logger });
  const kafka = new Kafka({
    clientId: 'new-leader-elected',
    brokers: nodes.map((n) => n.bootstrap),
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  await admin.createTopics({ topics: [{ topic: 'moved', replicaAssignment: [{ partition: 0, replicas: [1] }] }] });
  await eventually('node 1 leads on every node', 10000, () =>
    nodes.every((n) => n.broker.controller.image.topicsByName.get('moved')?.partitions.get(0)?.leader === 1),
  );
  const producer = kafka.producer();
  await producer.connect();
  t.teardown(() => producer.disconnect());
  await producer.send({ topic: 'moved', acks: -1, messages: [{ value: 'a' }, { value: 'b' }] });

  await admin.alterPartitionReassignments({
    topics: [{ topic: 'moved', partitionAssignment: [{ partition: 0, replicas: [2, 3] }] }],
  });
  const done = await eventually('the move completed on every node', 20000, () => {
    const states = nodes.map((n) => n.broker.controller.image.topicsByName.get('moved')?.partitions.get(0));
    return states.every((s) => s && s.replicas.join() === '2,3' && s.leader === 2) ? states[0] : null;
  });
  t.same([...done!.isr].sort(), [2, 3], 'the new replicas in sync');
  t.same(
    refusals.filter((r) => r.nodeId === 1).map((r) => r.errorCode),
    [ErrorCode.NEW_LEADER_ELECTED],
    "node 1's completing AlterPartition was answered NEW_LEADER_ELECTED, once",
  );
  const offsets = await admin.fetchTopicOffsets('moved');
  t.equal(offsets[0]?.high, '2', 'both records on the new leader');
});
