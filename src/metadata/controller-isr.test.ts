/**
 * A new partition's ISR, as Kafka's controller builds it: every replica that is active (unfenced, not
 * in controlled shutdown), the first of them leading; a fenced replica is left out and catches up
 * before it joins. None active: refused (INVALID_REPLICATION_FACTOR, or INVALID_REPLICA_ASSIGNMENT for
 * a manual assignment). A leader-alone ISR would lose the partition for good if that leader died
 * before its followers first fetched.
 */
import t from 'tap';
import { MetadataController } from './controller.js';
import { MemoryMetadataLog } from './metadata-log.js';
import { defaultRegisterBrokerRecord } from '../../protocol/generated/records/metadata/RegisterBrokerRecord.js';

function threeBrokers(): MetadataController {
  const c = new MetadataController(new MemoryMetadataLog());
  for (const brokerId of [1, 2, 3])
    c.commit([{ type: 'RegisterBrokerRecord', data: { ...defaultRegisterBrokerRecord(), brokerId, fenced: false } }]);
  return c;
}

t.test('a new partition has every active replica in its ISR', async (t) => {
  const c = threeBrokers();
  const created = c.createTopic({ name: 'rf3', numPartitions: 3, replicationFactor: 3 });
  if (!created.ok) throw new Error(created.error.errorMessage);
  c.commit(created.records);
  const partitions = [...c.image.topicsByName.get('rf3')!.partitions.values()];
  t.equal(partitions.length, 3);
  for (const p of partitions) {
    t.equal(p.replicas.length, 3, `partition ${p.partition} has three replicas`);
    t.same(p.isr, p.replicas, `partition ${p.partition}: the ISR is the three active replicas`);
    t.equal(p.leader, p.replicas[0], 'the first replica leads');
  }

  const grown = c.createPartitions('rf3', 5, null);
  if (!grown.ok) throw new Error(grown.error.errorMessage);
  c.commit(grown.records);
  const added = c.image.topicsByName.get('rf3')!.partitions.get(4)!;
  t.same(added.isr, added.replicas, 'an added partition too');

  c.commit([{ type: 'FenceBrokerRecord', data: { id: 3, epoch: -1n } }]);
  const manual = c.createTopic({
    name: 'manual',
    numPartitions: -1,
    replicationFactor: -1,
    assignments: new Map([[0, [3, 1, 2]]]),
  });
  if (!manual.ok) throw new Error(manual.error.errorMessage);
  c.commit(manual.records);
  const p0 = c.image.topicsByName.get('manual')!.partitions.get(0)!;
  t.same(
    [p0.replicas, p0.leader, p0.isr],
    [[3, 1, 2], 1, [1, 2]],
    'a manual assignment naming a fenced broker first: the first active one leads, the fenced one is out of sync',
  );
  const onlyFenced = c.createTopic({
    name: 'fenced-only',
    numPartitions: -1,
    replicationFactor: -1,
    assignments: new Map([[0, [3]]]),
  });
  t.match(onlyFenced, { ok: false, error: { errorCode: 39 } }, 'only fenced brokers: INVALID_REPLICA_ASSIGNMENT');
});

t.test('placement: round robin over the unfenced brokers from a random start, fenced ones last', async (t) => {
  const c = threeBrokers();
  const created = c.createTopic({ name: 'spread', numPartitions: 6, replicationFactor: 2 });
  if (!created.ok) throw new Error(created.error.errorMessage);
  c.commit(created.records);
  const partitions = [...c.image.topicsByName.get('spread')!.partitions.values()];
  const leaders = new Map<number, number>();
  for (const p of partitions) {
    t.equal(new Set(p.replicas).size, 2, `partition ${p.partition}: two distinct replicas`);
    leaders.set(p.leader, (leaders.get(p.leader) ?? 0) + 1);
  }
  t.same([...leaders.values()], [2, 2, 2], 'each broker leads two of six partitions');

  const starts = new Set<number>();
  for (let i = 0; i < 30; i++) {
    const r = threeBrokers().createTopic({ name: `s${i}`, numPartitions: 1, replicationFactor: 1 });
    if (r.ok) starts.add((r.records.find((x) => x.type === 'PartitionRecord')!.data as { leader: number }).leader);
  }
  t.ok(starts.size > 1, `the first partition's leader varies (${[...starts].join(',')})`);

  c.commit([{ type: 'FenceBrokerRecord', data: { id: 3, epoch: -1n } }]);
  const onTwo = c.createTopic({ name: 'two', numPartitions: 4, replicationFactor: 2 });
  if (!onTwo.ok) throw new Error(onTwo.error.errorMessage);
  t.ok(
    onTwo.records.every(
      (r) => r.type !== 'PartitionRecord' || !(r.data as { replicas: number[] }).replicas.includes(3),
    ),
    'a fenced broker gets no replica',
  );
  const onThree = c.createTopic({ name: 'three', numPartitions: 3, replicationFactor: 3 });
  if (!onThree.ok) throw new Error(onThree.error.errorMessage);
  for (const r of onThree.records) {
    if (r.type !== 'PartitionRecord') continue;
    const data = r.data as { replicas: number[]; isr: number[]; leader: number };
    t.same(new Set(data.replicas), new Set([1, 2, 3]), 'as Kafka: a fenced registered broker gets the third replica');
    t.equal(data.replicas[2], 3, 'after the unfenced ones');
    t.same(data.isr, data.replicas.slice(0, 2), 'out of the ISR');
    t.not(data.leader, 3, 'never the leader');
  }
  const tooMany = c.createTopic({ name: 'four', numPartitions: 1, replicationFactor: 4 });
  t.match(
    tooMany,
    {
      ok: false,
      error: {
        errorCode: 38,
        errorMessage:
          'Unable to replicate the partition 4 time(s): The target replication factor of 4 cannot be reached because only 3 broker(s) are registered.',
      },
    },
    'INVALID_REPLICATION_FACTOR above the registered brokers, fenced ones counted',
  );
  c.commit([
    { type: 'FenceBrokerRecord', data: { id: 1, epoch: -1n } },
    { type: 'FenceBrokerRecord', data: { id: 2, epoch: -1n } },
  ]);
  t.match(
    c.createTopic({ name: 'none', numPartitions: 1, replicationFactor: 1 }),
    {
      ok: false,
      error: {
        errorCode: 38,
        errorMessage: 'Unable to replicate the partition 1 time(s): All brokers are currently fenced.',
      },
    },
    "every broker fenced: refused with Kafka's message",
  );
});
