/**
 * The controller's partition decisions: a fenced leader is replaced from the ISR (epoch up), a
 * fenced follower leaves the ISR (never emptying it), with no live ISR member the partition has no
 * leader unless unclean election lets an out-of-sync replica lead; the returning ISR member leads
 * again; AlterPartition is checked against the leader, epochs and replicas.
 */
import t from 'tap';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { defaultRegisterBrokerRecord } from '../../protocol/generated/records/metadata/RegisterBrokerRecord.js';
import { MetadataController } from './controller.js';
import { MemoryMetadataLog } from './metadata-log.js';
import {
  alterPartition,
  electPreferred,
  electUnclean,
  fenceBroker,
  rebalanceLeaders,
  unfenceBroker,
} from './partition-leadership.js';

function cluster(): MetadataController {
  const c = new MetadataController(new MemoryMetadataLog());
  for (const brokerId of [1, 2, 3])
    c.commit([
      {
        type: 'RegisterBrokerRecord',
        data: { ...defaultRegisterBrokerRecord(), brokerId, brokerEpoch: BigInt(10 * brokerId), fenced: false },
      },
    ]);
  const created = c.createTopic({
    name: 't',
    numPartitions: -1,
    replicationFactor: -1,
    assignments: new Map([[0, [1, 2, 3]]]),
  });
  if (!created.ok) throw new Error(created.error.errorMessage);
  c.commit(created.records);
  // Created with every replica in sync (all active); the cases below start from followers that have
  // fallen out: the leader alone in the ISR (partition epoch 1).
  setIsr(c, [1]);
  return c;
}

const state = (c: MetadataController) => c.image.topicsByName.get('t')!.partitions.get(0)!;
const topic = (c: MetadataController) => c.image.topicsByName.get('t')!;

function setIsr(c: MetadataController, isr: number[]): void {
  const s = state(c);
  const out = alterPartition(c.image, {
    brokerId: s.leader,
    topic: topic(c),
    partitionIndex: 0,
    leaderEpoch: s.leaderEpoch,
    partitionEpoch: s.partitionEpoch,
    newIsr: isr,
  });
  if (!out.record) throw new Error(`refused ${out.errorCode}`);
  c.commit([out.record]);
}

function fence(c: MetadataController, id: number, unclean = false): void {
  c.commit([{ type: 'FenceBrokerRecord', data: { id, epoch: -1n } }, ...fenceBroker(c.image, id, () => unclean)]);
}

t.test('a fenced leader is replaced from the ISR, a fenced follower leaves it', async (t) => {
  const c = cluster();
  setIsr(c, [1, 2, 3]);
  t.same([state(c).isr, state(c).partitionEpoch], [[1, 2, 3], 2]);
  fence(c, 1);
  t.same([state(c).leader, state(c).leaderEpoch, state(c).isr], [2, 1, [2, 3]], 'broker 2 leads in epoch 1');
  fence(c, 3);
  t.same([state(c).leader, state(c).isr], [2, [2]], 'broker 3 left the ISR');
  fence(c, 2);
  t.same([state(c).leader, state(c).isr], [-1, [2]], 'no live ISR member: no leader, the ISR keeps the last one');
  c.commit([{ type: 'UnfenceBrokerRecord', data: { id: 3, epoch: -1n } }, ...unfenceBroker(c.image, 3)]);
  t.equal(state(c).leader, -1, 'an out-of-sync replica does not lead (unclean election off)');
  c.commit([{ type: 'UnfenceBrokerRecord', data: { id: 2, epoch: -1n } }, ...unfenceBroker(c.image, 2)]);
  t.same([state(c).leader, state(c).isr], [2, [2]], 'the last in-sync replica leads again on its return');
});

t.test('unclean election lets an out-of-sync replica lead', async (t) => {
  const c = cluster();
  fence(c, 1, true);
  t.same([state(c).leader, state(c).isr], [2, [2]], 'ISR was the leader alone: replica 2 leads, alone in sync');
});

t.test('AlterPartition is checked as Kafka checks it', async (t) => {
  const c = cluster();
  const s = state(c);
  const base = () => ({
    brokerId: 1,
    topic: topic(c),
    partitionIndex: 0,
    leaderEpoch: s.leaderEpoch,
    partitionEpoch: s.partitionEpoch,
    newIsr: [1, 2],
  });
  const ask = (over: Partial<{ brokerId: number; leaderEpoch: number; partitionEpoch: number; newIsr: number[] }>) =>
    alterPartition(c.image, { ...base(), ...over }).errorCode;
  t.equal(ask({}), ErrorCode.NONE);
  // Kafka 3.9's ReplicationControlManager.validateAlterPartitionData, in its order.
  t.equal(ask({ brokerId: 2 }), ErrorCode.INVALID_REQUEST, 'from a broker that does not lead');
  t.equal(ask({ leaderEpoch: -1 }), ErrorCode.FENCED_LEADER_EPOCH);
  t.equal(ask({ leaderEpoch: 5 }), ErrorCode.NOT_CONTROLLER, 'a leader epoch ahead of the controller');
  t.equal(ask({ partitionEpoch: 7 }), ErrorCode.NOT_CONTROLLER, 'a partition epoch ahead of the controller');
  t.equal(ask({ partitionEpoch: -1 }), ErrorCode.INVALID_UPDATE_VERSION, 'an older partition epoch');
  t.equal(ask({ newIsr: [2, 3] }), ErrorCode.INVALID_REQUEST, 'an ISR without its leader');
  t.equal(ask({ newIsr: [1, 4] }), ErrorCode.INVALID_REQUEST, 'not a replica');
  t.equal(ask({ newIsr: [1, 2, 2] }), ErrorCode.INVALID_REQUEST, 'a member twice');
  // v3's NewIsrWithEpochs: each member at its registration's epoch, or -1 (not checked).
  const epochOf = (id: number) => c.image.brokers.get(id)?.brokerEpoch ?? -1n;
  const withEpochs = (memberEpochs: bigint[]) =>
    alterPartition(c.image, { ...base(), newIsr: [1, 2], memberEpochs }).errorCode;
  t.equal(withEpochs([epochOf(1), epochOf(2)]), ErrorCode.NONE, 'members at their registrations');
  t.equal(withEpochs([-1n, -1n]), ErrorCode.NONE, '-1: not checked');
  t.equal(
    withEpochs([epochOf(1), epochOf(2) - 1n]),
    ErrorCode.INELIGIBLE_REPLICA,
    'a member from an older registration',
  );
  t.equal(withEpochs([epochOf(1), epochOf(2) + 1n]), ErrorCode.INELIGIBLE_REPLICA, 'any other epoch');
  c.commit([{ type: 'FenceBrokerRecord', data: { id: 3, epoch: -1n } }]);
  t.equal(ask({ newIsr: [1, 3] }), ErrorCode.INELIGIBLE_REPLICA, 'a fenced broker cannot join');
  t.equal(
    alterPartition(c.image, { ...base(), newIsr: [1, 3], apiVersion: 1 }).errorCode,
    ErrorCode.OPERATION_NOT_ATTEMPTED,
    'before version 2: OPERATION_NOT_ATTEMPTED',
  );
  t.equal(
    alterPartition(c.image, {
      brokerId: 1,
      topic: undefined,
      partitionIndex: 0,
      leaderEpoch: 0,
      partitionEpoch: 0,
      newIsr: [1],
    }).errorCode,
    ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  );
});

t.test('preferred and unclean elections, and the per-broker imbalance threshold', async (t) => {
  const c = cluster();
  setIsr(c, [1, 2, 3]);
  t.equal(electPreferred(c.image, topic(c), state(c)).errorCode, ErrorCode.ELECTION_NOT_NEEDED, 'broker 1 leads');
  fence(c, 1);
  t.equal(state(c).leader, 2);
  t.equal(
    electPreferred(c.image, topic(c), state(c)).errorCode,
    ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE,
    'fenced and out of the ISR: not available',
  );
  t.same(rebalanceLeaders(c.image, 10), [], 'no rebalance while the preferred replica cannot lead');
  c.commit([{ type: 'UnfenceBrokerRecord', data: { id: 1, epoch: -1n } }]);
  setIsr(c, [2, 3, 1]);
  t.same(rebalanceLeaders(c.image, 100), [], 'misled share 100% is not above a 100% threshold');
  const records = rebalanceLeaders(c.image, 10);
  t.equal(records.length, 1, 'above 10%: one preferred election');
  c.commit(records);
  t.same([state(c).leader, state(c).isr], [1, [2, 3, 1]], 'broker 1 leads again, the ISR unchanged');

  t.equal(electUnclean(c.image, topic(c), state(c)).errorCode, ErrorCode.ELECTION_NOT_NEEDED, 'it has a leader');
  setIsr(c, [1]);
  fence(c, 1);
  t.equal(state(c).leader, -1, 'the only in-sync replica is gone: no leader');
  const unclean = electUnclean(c.image, topic(c), state(c));
  t.equal(unclean.errorCode, ErrorCode.NONE);
  c.commit([unclean.record!]);
  t.same([state(c).leader, state(c).isr], [2, [2]], 'an out-of-sync live replica leads, the ISR is it alone');
  fence(c, 2);
  fence(c, 3);
  t.equal(
    electUnclean(c.image, topic(c), state(c)).errorCode,
    ErrorCode.ELIGIBLE_LEADERS_NOT_AVAILABLE,
    'no live replica',
  );
});

t.test(
  'PREFERRED for a partition without a leader whose ISR has a live member: that member leads (Kafka electPreferredLeader)',
  async (t) => {
    const c = cluster();
    setIsr(c, [1, 2, 3]);
    fence(c, 1);
    t.same([state(c).leader, state(c).isr], [2, [2, 3]]);
    // No leader while brokers 2 and 3 are live and in the ISR (a state fencing never leaves, but
    // the metadata allows it).
    const leaderless = { ...state(c), leader: -1 };
    t.same(
      electPreferred(c.image, topic(c), state(c)).errorCode,
      ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE,
      'broker 2 leads and may: no change',
    );
    const outcome = electPreferred(c.image, topic(c), leaderless);
    t.equal(outcome.errorCode, ErrorCode.NONE);
    t.equal(
      outcome.record?.type === 'PartitionChangeRecord' && outcome.record.data.leader,
      2,
      'the first able replica',
    );
    fence(c, 2);
    const leaderless3 = { ...state(c), leader: -1 };
    const third = electPreferred(c.image, topic(c), leaderless3);
    t.equal(third.record?.type === 'PartitionChangeRecord' && third.record.data.leader, 3);
    fence(c, 3);
    t.equal(
      electPreferred(c.image, topic(c), state(c)).errorCode,
      ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE,
      'no live replica in the ISR',
    );
  },
);
