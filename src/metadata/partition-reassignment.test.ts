/**
 * The controller's reassignment decisions, on a real MetadataController (records committed and
 * replayed into the image, snapshots included): a move adds the target replicas (adding /
 * removing), the ISR change that brings in the last target completes it (removed replicas out,
 * leader moved when removed, leader epoch up), a reorder applies at once, a pure removal
 * completes at once, a cancel reverts (refused when it needs an unclean election the topic does
 * not allow), a new target replaces the one in flight.
 */
import t from 'tap';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { defaultPartitionChangeRecord } from '../../protocol/generated/records/metadata/PartitionChangeRecord.js';
import { defaultRegisterBrokerRecord } from '../../protocol/generated/records/metadata/RegisterBrokerRecord.js';
import { MetadataController } from './controller.js';
import { MetadataImage } from './image.js';
import { imageToRecords } from './image-records.js';
import { MemoryMetadataLog } from './metadata-log.js';
import { alterPartition, fenceBroker } from './partition-leadership.js';
import {
  cancelReassignment,
  completedReassignment,
  isReassigning,
  originalReplicas,
  startReassignment,
} from './partition-reassignment.js';

function cluster(replicas: number[], brokers = [1, 2, 3, 4]): MetadataController {
  const c = new MetadataController(new MemoryMetadataLog());
  for (const brokerId of brokers)
    c.commit([{ type: 'RegisterBrokerRecord', data: { ...defaultRegisterBrokerRecord(), brokerId, fenced: false } }]);
  const created = c.createTopic({
    name: 't',
    numPartitions: -1,
    replicationFactor: -1,
    assignments: new Map([[0, replicas]]),
  });
  if (!created.ok) throw new Error(created.error.errorMessage);
  c.commit(created.records);
  return c;
}

const topic = (c: MetadataController) => c.image.topicsByName.get('t')!;
const state = (c: MetadataController) => topic(c).partitions.get(0)!;

function reassign(c: MetadataController, target: number[]): void {
  const record = startReassignment(c.image, topic(c), state(c), target);
  if (record) c.commit([record]);
}

/** The leader proposes an ISR (AlterPartition); returns the error code. */
function proposeIsr(c: MetadataController, isr: number[]): number {
  const s = state(c);
  const out = alterPartition(c.image, {
    brokerId: s.leader,
    topic: topic(c),
    partitionIndex: 0,
    leaderEpoch: s.leaderEpoch,
    partitionEpoch: s.partitionEpoch,
    newIsr: isr,
  });
  if (out.record) c.commit([out.record]);
  return out.errorCode;
}

const view = (c: MetadataController) => {
  const s = state(c);
  return {
    leader: s.leader,
    replicas: s.replicas,
    isr: s.isr,
    adding: s.addingReplicas ?? [],
    removing: s.removingReplicas ?? [],
  };
};

t.test('a move from [1] to [2, 3]: added, caught up, completed with the leader moved', async (t) => {
  const c = cluster([1]);
  const epoch0 = state(c).leaderEpoch;
  reassign(c, [2, 3]);
  t.same(view(c), { leader: 1, replicas: [2, 3, 1], isr: [1], adding: [2, 3], removing: [1] }, 'targets added');
  t.equal(state(c).leaderEpoch, epoch0, 'the leader and its epoch stay while the new replicas catch up');
  t.ok(isReassigning(state(c)));
  t.same(originalReplicas(state(c)), [1]);

  t.equal(proposeIsr(c, [1, 2]), ErrorCode.NONE, 'the first new replica joins the ISR');
  t.same(view(c), { leader: 1, replicas: [2, 3, 1], isr: [1, 2], adding: [2, 3], removing: [1] }, 'still in flight');

  t.equal(
    proposeIsr(c, [1, 2, 3]),
    ErrorCode.NEW_LEADER_ELECTED,
    "the last one joins; the leader moved off the requester: Kafka's NEW_LEADER_ELECTED, the change made",
  );
  t.same(view(c), { leader: 2, replicas: [2, 3], isr: [2, 3], adding: [], removing: [] }, 'completed, 2 leads');
  t.equal(state(c).leaderEpoch, epoch0 + 1, 'a new leader epoch');
  t.notOk(isReassigning(state(c)));
});

t.test('removing a follower under the same leader bumps the leader epoch', async (t) => {
  const c = cluster([1, 2]);
  proposeIsr(c, [1, 2]);
  const epoch0 = state(c).leaderEpoch;
  reassign(c, [1, 3]);
  t.same(view(c), { leader: 1, replicas: [1, 3, 2], isr: [1, 2], adding: [3], removing: [2] });
  t.equal(proposeIsr(c, [1, 2, 3]), ErrorCode.NONE, 'the requester still leads: no error');
  t.same(view(c), { leader: 1, replicas: [1, 3], isr: [1, 3], adding: [], removing: [] });
  t.equal(state(c).leaderEpoch, epoch0 + 1, 'the removed replica is fenced by the new epoch');
});

t.test('a reorder and a removal within the ISR complete at once', async (t) => {
  const c = cluster([1, 2, 3]);
  proposeIsr(c, [1, 2, 3]);
  const epoch0 = state(c).leaderEpoch;
  reassign(c, [3, 2, 1]);
  t.same(view(c), { leader: 1, replicas: [3, 2, 1], isr: [1, 2, 3], adding: [], removing: [] }, 'reordered');
  t.equal(state(c).leaderEpoch, epoch0, 'a reorder keeps the leader epoch');
  reassign(c, [3, 2]);
  t.same(view(c), { leader: 3, replicas: [3, 2], isr: [2, 3], adding: [], removing: [] }, 'the leader 1 removed');
  t.equal(state(c).leaderEpoch, epoch0 + 1);
  t.equal(startReassignment(c.image, topic(c), state(c), [3, 2]), null, 'the same replicas: nothing to do');
});

t.test('cancel reverts to the original replicas', async (t) => {
  const c = cluster([1, 2]);
  proposeIsr(c, [1, 2]);
  reassign(c, [3, 4]);
  proposeIsr(c, [1, 2, 3]);
  t.same(view(c), { leader: 1, replicas: [3, 4, 1, 2], isr: [1, 2, 3], adding: [3, 4], removing: [1, 2] });
  const epoch0 = state(c).leaderEpoch;
  const out = cancelReassignment(c.image, topic(c), state(c), false);
  t.equal(out.errorCode, ErrorCode.NONE);
  c.commit([out.record!]);
  t.same(view(c), { leader: 1, replicas: [1, 2], isr: [1, 2], adding: [], removing: [] }, 'reverted');
  t.equal(state(c).leaderEpoch, epoch0 + 1, 'the dropped new replicas are fenced');
  const again = cancelReassignment(c.image, topic(c), state(c), false);
  t.equal(again.errorCode, ErrorCode.NO_REASSIGNMENT_IN_PROGRESS, 'nothing left to cancel');
});

t.test('a cancel that would leave only new replicas in the ISR needs unclean election', async (t) => {
  const c = cluster([1]);
  reassign(c, [1, 2]);
  proposeIsr(c, [1, 2]);
  t.same(view(c), { leader: 1, replicas: [1, 2], isr: [1, 2], adding: [], removing: [] }, 'grown to two');
  reassign(c, [3]);
  proposeIsr(c, [1, 2]);
  // Fence both in-sync original replicas: the ISR keeps one, and no leader is left.
  c.commit([{ type: 'FenceBrokerRecord', data: { id: 1, epoch: -1n } }, ...fenceBroker(c.image, 1, () => false)]);
  c.commit([{ type: 'FenceBrokerRecord', data: { id: 2, epoch: -1n } }, ...fenceBroker(c.image, 2, () => false)]);
  t.equal(state(c).leader, -1);
  // Put the ISR on the adding replica alone, as an unclean election would have.
  c.commit([
    {
      type: 'PartitionChangeRecord',
      data: { ...defaultPartitionChangeRecord(), topicId: topic(c).topicId, partitionId: 0, leader: 3, isr: [3] },
    },
  ]);
  const refused = cancelReassignment(c.image, topic(c), state(c), false);
  t.equal(refused.errorCode, ErrorCode.INVALID_REPLICA_ASSIGNMENT);
  t.match(refused.errorMessage, /unclean leader election/);
  const allowed = cancelReassignment(c.image, topic(c), state(c), true);
  t.equal(allowed.errorCode, ErrorCode.NONE);
  t.ok(allowed.record);
});

t.test('a new target replaces the reassignment in flight; snapshots keep it', async (t) => {
  const c = cluster([1]);
  reassign(c, [2]);
  t.same(view(c), { leader: 1, replicas: [2, 1], isr: [1], adding: [2], removing: [1] });
  reassign(c, [3]);
  t.same(view(c), { leader: 1, replicas: [3, 1, 2], isr: [1], adding: [3], removing: [1, 2] }, 'against the merged');
  const restored = new MetadataImage();
  imageToRecords(c.image).forEach((r, i) => restored.apply(r, i));
  const p = restored.topicsByName.get('t')!.partitions.get(0)!;
  t.same([p.addingReplicas, p.removingReplicas], [[3], [1, 2]], 'a snapshot keeps the reassignment');
});

t.test('completion needs every target replica in the ISR and one of them left', async (t) => {
  const base = { replicas: [2, 3, 1], adding: [2, 3], removing: [1] };
  t.equal(completedReassignment({ ...base, isr: [1, 2] }), null);
  t.same(completedReassignment({ ...base, isr: [1, 2, 3] }), { replicas: [2, 3], isr: [2, 3] });
  t.equal(completedReassignment({ replicas: [1, 2], isr: [1, 2], adding: [], removing: [] }), null, 'none in flight');
  t.equal(completedReassignment({ replicas: [1], isr: [1], adding: [], removing: [1] }), null, 'never empty');
});
