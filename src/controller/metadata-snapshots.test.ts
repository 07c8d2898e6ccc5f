/**
 * Metadata snapshots (KIP-630): the snapshot holds the image's records, a restore rebuilds an equal
 * image and tells listeners what appeared and vanished, bad bytes are refused with a typed error,
 * the trigger fires by bytes and by time; a broker with a low
 * metadata.log.max.record.bytes.between.snapshots writes checkpoints, drops the covered log prefix,
 * and after a restart (snapshot + tail) has the same image with its partitions open.
 */
import t from 'tap';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { MetadataController } from '../metadata/controller.js';
import { MemoryMetadataLog } from '../metadata/metadata-log.js';
import { encodeMetadataRecord } from '../metadata/records.js';
import type { ImageChange, MetadataImage } from '../metadata/image.js';
import { defaultRegisterBrokerRecord } from '../../protocol/generated/records/metadata/RegisterBrokerRecord.js';
import { ProtocolDecodeError } from '../../protocol/primitives/index.js';
import { MetadataStateMachine } from './metadata-state-machine.js';
import { SnapshotTrigger } from './snapshot-trigger.js';
import { startBroker } from '../index.js';

function view(image: MetadataImage): unknown {
  return {
    topics: [...image.topicsByName.values()]
      .map((topic) => ({ ...topic, partitions: [...topic.partitions.values()], configs: [...topic.configs] }))
      .sort((a, b) => a.name.localeCompare(b.name)),
    brokers: [...image.brokers.values()].sort((a, b) => a.brokerId - b.brokerId),
    brokerConfigs: [...image.brokerConfigs].map(([k, v]) => [k, [...v]]),
    nextProducerId: image.nextProducerId,
  };
}

function populated(): { controller: MetadataController; machine: MetadataStateMachine } {
  const controller = new MetadataController(new MemoryMetadataLog());
  const machine = new MetadataStateMachine(controller);
  let offset = 0;
  const apply = (records: Parameters<MetadataController['commit']>[0]): void => {
    for (const r of records)
      machine.apply({ offset: offset++, epoch: 1, payload: encodeMetadataRecord(r), control: false });
  };
  for (const id of [1, 2, 3]) {
    apply([
      {
        type: 'RegisterBrokerRecord',
        data: {
          ...defaultRegisterBrokerRecord(),
          brokerId: id,
          fenced: id === 3,
          rack: id === 1 ? 'r1' : null,
          endPoints: [{ name: 'PLAINTEXT', host: 'h', port: 9000 + id, securityProtocol: 0 }],
        },
      },
    ]);
  }
  for (const name of ['a', 'b', 'gone']) {
    const created = controller.createTopic({
      name,
      numPartitions: 3,
      replicationFactor: 2,
      configs: new Map([['retention.ms', '1000']]),
    });
    if (!created.ok) throw new Error(created.error.errorMessage);
    apply(created.records);
  }
  const more = controller.createPartitions('a', 5, null);
  if (!more.ok) throw new Error(more.error.errorMessage);
  apply(more.records);
  const gone = controller.image.topicsByName.get('gone')!;
  apply(
    controller.deleteTopic(gone.topicId).ok ? [{ type: 'RemoveTopicRecord', data: { topicId: gone.topicId } }] : [],
  );
  const alter = controller.alterConfigs(4, '', [{ name: 'log.retention.ms', value: '5' }]);
  if (alter.ok) apply(alter.records);
  const pids = controller.allocateProducerIds(1, 0n);
  if (pids.ok) apply(pids.records);
  return { controller, machine };
}

t.test('a snapshot restores an equal image, smaller than the log', async (t) => {
  const { controller, machine } = populated();
  const bytes = machine.snapshot();
  t.equal(machine.bytesSinceSnapshot, 0, 'the byte counter restarts at a snapshot');
  const other = new MetadataController(new MemoryMetadataLog());
  const changes: ImageChange[] = [];
  other.onChange((c) => changes.push(c));
  // The other image holds a topic the snapshot does not know: listeners hear it is gone.
  const stale = other.createTopic({ name: 'stale', numPartitions: 1, replicationFactor: -1 });
  t.notOk(stale.ok, 'no brokers: placement fails; register one first');
  other.applyCommitted(
    encodeMetadataRecord({ type: 'TopicRecord', data: { name: 'stale', topicId: 'AAAAAAAAAAAAAAAAAAAAAg' } }),
    0,
  );
  changes.length = 0;
  new MetadataStateMachine(other).restore(bytes);
  t.same(view(other.image), view(controller.image), 'same topics, partitions, configs, brokers and producer ids');
  t.equal(other.image.lastAppliedOffset, controller.image.lastAppliedOffset, 'the applied offset comes back');
  t.ok(
    changes.some((c) => c.kind === 'topic-deleted' && c.topic.name === 'stale'),
    'a vanished topic is reported deleted',
  );
  t.equal(changes.filter((c) => c.kind === 'topic-created').length, 2, 'each topic is reported created');
  t.equal(changes.filter((c) => c.kind === 'partition-changed').length, 8, 'each partition is reported');
  t.notOk(other.image.topicsByName.has('gone'), 'a deleted topic is not in the snapshot');
});

t.test('the first Raft version snapshot layout is still read', async (t) => {
  const { controller } = populated();
  const payloads = controller.snapshotRecords();
  let size = 4;
  for (const p of payloads) size += 12 + p.length;
  const legacy = Buffer.alloc(size);
  legacy.writeInt32BE(payloads.length, 0);
  let at = 4;
  payloads.forEach((p, i) => {
    legacy.writeInt32BE(p.length, at);
    legacy.writeDoubleBE(i, at + 4);
    p.copy(legacy, at + 12);
    at += 12 + p.length;
  });
  const other = new MetadataController(new MemoryMetadataLog());
  new MetadataStateMachine(other).restore(legacy);
  t.same(view(other.image), view(controller.image));
});

t.test('bad snapshot bytes are refused with ProtocolDecodeError', async (t) => {
  const { machine } = populated();
  const good = machine.snapshot();
  const target = new MetadataStateMachine(new MetadataController(new MemoryMetadataLog()));
  t.throws(() => target.restore(Buffer.alloc(2)), ProtocolDecodeError);
  t.throws(() => target.restore(good.subarray(0, good.length - 3)), ProtocolDecodeError, 'truncated');
  const huge = Buffer.from(good);
  huge.writeInt32BE(0x7fffffff, 12);
  t.throws(() => target.restore(huge), ProtocolDecodeError, 'a count past the bytes is refused before allocating');
  const badOffset = Buffer.from(good);
  badOffset.writeDoubleBE(0.5, 4);
  t.throws(() => target.restore(badOffset), ProtocolDecodeError);
});

t.test('the trigger fires by bytes, by time, and never without new records', async (t) => {
  const trigger = new SnapshotTrigger({ maxBytesBetweenSnapshots: 100, maxIntervalMs: 1000 }, 0);
  t.notOk(trigger.due(0, 5000), 'nothing applied: no snapshot however long');
  t.notOk(trigger.due(99, 10));
  t.ok(trigger.due(100, 10), 'byte threshold');
  t.ok(trigger.due(1, 1000), 'interval passed with a record applied');
  trigger.taken(1000);
  t.notOk(trigger.due(1, 1500));
  t.equal(trigger.nextCheckAt(), 2000);
  const bytesOnly = new SnapshotTrigger({ maxBytesBetweenSnapshots: 100, maxIntervalMs: 0 }, 0);
  t.notOk(bytesOnly.due(1, 1e12), 'interval 0: never by time');
  t.equal(bytesOnly.nextCheckAt(), Number.POSITIVE_INFINITY);
});

t.test('a broker snapshots automatically and restarts from snapshot + tail', async (t) => {
  const dataDir = t.testdir();
  const config = { 'metadata.log.max.record.bytes.between.snapshots': 300 };
  const first = await startBroker({ dataDir, config });
  const controller = first.broker.controller;
  for (let i = 0; i < 12; i++) {
    const created = controller.createTopic({ name: `snap-${i}`, numPartitions: 2, replicationFactor: 1 });
    if (!created.ok) throw new Error(created.error.errorMessage);
    t.equal(await controller.commitAndWait(created.records), 0);
  }
  const doomed = controller.image.topicsByName.get('snap-3')!;
  t.equal(await controller.commitAndWait([{ type: 'RemoveTopicRecord', data: { topicId: doomed.topicId } }]), 0);
  const metaDir = join(dataDir, '__cluster_metadata-0');
  const files = readdirSync(metaDir);
  const checkpoints = files.filter((f) => f.endsWith('.checkpoint'));
  t.equal(checkpoints.length, 1, `one snapshot is kept (${files.join(', ')})`);
  const segment = files.find((f) => f.endsWith('.log'))!;
  t.ok(Number(segment.slice(0, 20)) > 0, `the log prefix under the snapshot is gone (segment ${segment})`);
  const topicsOf = (image: MetadataImage): unknown => (view(image) as { topics: unknown }).topics;
  const before = topicsOf(controller.image);
  await first.stop();

  const second = await startBroker({ dataDir, config });
  t.teardown(() => second.stop());
  t.same(
    topicsOf(second.broker.controller.image),
    before,
    'the same topics after snapshot + tail (the broker re-registers on a new port)',
  );
  t.ok(second.broker.replicas.get('snap-11', 1), 'partitions from the snapshot are open');
  t.notOk(second.broker.replicas.get('snap-3', 0), 'the deleted topic stays deleted');
});
