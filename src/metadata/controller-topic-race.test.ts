/**
 * Two creations of one topic name while the first is still on its way through Raft (a coordinator's
 * internal topic created by the active controller and, at the same moment, forwarded from another
 * broker): only the first is proposed; the second is dropped (`commit`) or answered
 * TOPIC_ALREADY_EXISTS (`commitAndWait`), so the name never gets two topic ids. Once the first is
 * applied, or its proposal fails, the name is free for the normal checks again.
 * Issue #14: the commands themselves (topic creation, CreatePartitions, config changes) are checked
 * against the controller's latest state, as Kafka's controller checks them, so the second of two
 * quick operations sees the first before it commits.
 */
import t from 'tap';
import { AlterConfigOp, MetadataController } from './controller.js';
import { MemoryMetadataLog } from './metadata-log.js';
import { decodeMetadataRecord } from './records.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { defaultRegisterBrokerRecord } from '../../protocol/generated/records/metadata/RegisterBrokerRecord.js';
import type { MetadataQuorumPort } from './quorum-port.js';
import { ConfigResourceType } from './image.js';

/** A quorum whose proposals wait until the test commits (applies) or fails them. */
class HeldQuorum implements MetadataQuorumPort {
  readonly proposals: Array<{ payloads: readonly Buffer[]; resolve: () => void; reject: (e: Error) => void }> = [];
  private offset = 100;
  constructor(private readonly controller: () => MetadataController) {}
  isLeader(): boolean {
    return true;
  }
  leaderId(): number {
    return 1;
  }
  lastProposedOffset(): number {
    return this.offset + this.proposals.reduce((n, p) => n + p.payloads.length, 0) - 1;
  }
  propose(payloads: readonly Buffer[]): Promise<void> {
    return new Promise((resolve, reject) => this.proposals.push({ payloads, resolve, reject }));
  }
  applyNext(): void {
    const p = this.proposals.shift()!;
    for (const payload of p.payloads) this.controller().applyCommitted(payload, this.offset++);
    p.resolve();
  }
  failNext(): void {
    this.proposals.shift()!.reject(new Error('leadership lost'));
  }
  topicNames(): string[] {
    return this.proposals.flatMap((p) =>
      p.payloads.map(decodeMetadataRecord).flatMap((r) => (r.type === 'TopicRecord' ? [r.data.name] : [])),
    );
  }
}

function controllerWithHeldQuorum(): { c: MetadataController; quorum: HeldQuorum } {
  const c = new MetadataController(new MemoryMetadataLog());
  for (const brokerId of [1, 2, 3])
    c.commit([{ type: 'RegisterBrokerRecord', data: { ...defaultRegisterBrokerRecord(), brokerId, fenced: false } }]);
  const quorum = new HeldQuorum(() => c);
  c.attachQuorum(quorum);
  return { c, quorum };
}

function create(c: MetadataController, name: string) {
  const result = c.createTopic({ name, numPartitions: 1, replicationFactor: 3 });
  if (!result.ok) throw new Error(result.error.errorMessage);
  return result.records;
}

t.test('a second creation of a name in flight is not proposed', async (t) => {
  const { c, quorum } = controllerWithHeldQuorum();
  // Computed before any was proposed (the controller's own creation and a forwarded one), so the
  // command checks passed for each: the proposal step still lets only the first through.
  const [first, second, third] = [1, 2, 3].map(() => create(c, '__consumer_offsets'));
  c.commit(first!);
  c.commit(second!);
  const waited = c.commitAndWait(third!);
  t.same(quorum.topicNames(), ['__consumer_offsets'], 'one TopicRecord proposed');
  t.equal(await waited, ErrorCode.TOPIC_ALREADY_EXISTS, 'a waiting creation is answered TOPIC_ALREADY_EXISTS');
  quorum.applyNext();
  t.equal(c.image.topicsByName.size, 1, 'one topic');
  const again = c.createTopic({ name: '__consumer_offsets', numPartitions: 1, replicationFactor: 3 });
  t.equal(again.ok ? 0 : again.error.errorCode, ErrorCode.TOPIC_ALREADY_EXISTS, 'then the image answers');
});

t.test('a failed proposal frees the name', async (t) => {
  const { c, quorum } = controllerWithHeldQuorum();
  const first = c.commitAndWait(create(c, 'orders'));
  quorum.failNext();
  await first.catch(() => {});
  const second = c.commitAndWait(create(c, 'orders'));
  t.same(quorum.topicNames(), ['orders'], 'the name is proposed again');
  quorum.applyNext();
  t.equal(await second, ErrorCode.NONE);
  t.ok(c.image.topicsByName.has('orders'));
});

t.test('commands are checked against the latest state, before the earlier ones commit', async (t) => {
  const { c, quorum } = controllerWithHeldQuorum();
  void c.commitAndWait(create(c, 'orders'));
  const again = c.createTopic({ name: 'orders', numPartitions: 1, replicationFactor: 3 });
  t.equal(again.ok ? 0 : again.error.errorCode, ErrorCode.TOPIC_ALREADY_EXISTS, 'the same name: TOPIC_ALREADY_EXISTS');
  t.equal(again.ok ? '' : again.error.errorMessage, "Topic 'orders' already exists.");
  void c.commitAndWait(create(c, 'a.b'));
  const colliding = c.createTopic({ name: 'a_b', numPartitions: 1, replicationFactor: 3 });
  t.equal(
    colliding.ok ? 0 : colliding.error.errorCode,
    ErrorCode.INVALID_TOPIC_EXCEPTION,
    "a name colliding with one in flight ('.' vs '_'): INVALID_TOPIC_EXCEPTION",
  );
  const configs = c.incrementalAlterConfigs(
    ConfigResourceType.TOPIC,
    'orders',
    [{ name: 'retention.ms', op: AlterConfigOp.SET, value: '1000' }],
    () => ({ isList: false, value: null }),
  );
  t.ok(configs.ok, 'configs of a topic whose creation is in flight can be set');
  if (configs.ok) void c.commitAndWait(configs.records);
  const grown = c.createPartitions('orders', 3, null);
  t.ok(grown.ok, 'partitions of a topic whose creation is in flight can be added');
  if (grown.ok) void c.commitAndWait(grown.records);
  const twice = c.createPartitions('orders', 3, null);
  t.equal(
    twice.ok ? 0 : twice.error.errorCode,
    ErrorCode.INVALID_PARTITIONS,
    'the same increase again while the first is in flight: INVALID_PARTITIONS, never partitions 1-2 twice',
  );
  while (quorum.proposals.length > 0) quorum.applyNext();
  await new Promise((resolve) => setImmediate(resolve));
  t.equal(c.image.topicsByName.get('orders')?.partitions.size, 3);
  t.equal(c.image.topicsByName.get('orders')?.configs.get('retention.ms'), '1000');
  t.notOk(c.image.topicsByName.has('a_b'));
});
