/**
 * Deleting internal topics, as Kafka 3.9 answers it (kafkajs admin): the KRaft controller
 * (ControllerApis.deleteTopics / ReplicationControlManager.deleteTopic) has no internal-topic
 * check, so an authorized client deletes `__consumer_offsets` (only kafka-topics.sh refuses,
 * client-side), and `__cluster_metadata` is no topic of the image: UNKNOWN_TOPIC_OR_PARTITION.
 * What must hold: offsets committed after `__consumer_offsets` was deleted (it is created
 * again on the next commit) survive a restart.
 */
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { startBroker } from '../index.js';

t.test('__consumer_offsets deleted: later commits survive a restart; __cluster_metadata is unknown', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'gregor-offsets-delete-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const first = await startBroker({ dataDir });
  const admin = new Kafka({ brokers: [first.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 2 } }).admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'events', numPartitions: 1 }], waitForLeaders: true });
  await admin.setOffsets({ groupId: 'before', topic: 'events', partitions: [{ partition: 0, offset: '2' }] });
  await admin.deleteTopics({ topics: ['__consumer_offsets'] });
  t.notOk((await admin.listTopics()).includes('__consumer_offsets'), 'deleted, as Kafka 3.9 deletes it');
  const refused = await admin.deleteTopics({ topics: ['__cluster_metadata'] }).then(
    () => null,
    (error: unknown) => error as { errors?: Array<{ type?: string }> } & Error,
  );
  t.ok(refused, '__cluster_metadata is not deleted');
  t.match(
    JSON.stringify(refused?.errors ?? refused?.message),
    /UNKNOWN_TOPIC_OR_PARTITION|does not host this topic-partition/,
  );
  await admin.setOffsets({ groupId: 'after', topic: 'events', partitions: [{ partition: 0, offset: '4' }] });
  t.ok((await admin.listTopics()).includes('__consumer_offsets'), 'created again by the next commit');
  await admin.disconnect();
  await first.stop();

  const second = await startBroker({ dataDir });
  t.teardown(() => second.stop());
  const admin2 = new Kafka({ brokers: [second.bootstrap], logLevel: logLevel.NOTHING }).admin();
  await admin2.connect();
  const after = await admin2.fetchOffsets({ groupId: 'after', topics: ['events'] });
  t.equal(after[0]!.partitions[0]!.offset, '4', 'the offset committed after the deletion survives the restart');
  const before = await admin2.fetchOffsets({ groupId: 'before', topics: ['events'] });
  t.equal(before[0]!.partitions[0]!.offset, '-1', 'the one committed before went with the deleted topic (as on Kafka)');
  await admin2.disconnect();
});
