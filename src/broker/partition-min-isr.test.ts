/**
 * The leader's high watermark does not move while the partition is under its minimum ISR (Kafka
 * 3.9's Partition.maybeIncrementLeaderHW returns early when isUnderMinIsr: the metadata's ISR
 * smaller than min(min.insync.replicas, replication factor)). A follower proposed for the ISR
 * does not lift it (Kafka counts the committed ISR there); the metadata's grown ISR does, as does
 * an append after min.insync.replicas was lowered. A single replica is never under it.
 */
import t from 'tap';
import type { AlterPartitionRequest } from '../../protocol/generated/messages/56-alter-partition.js';
import { createLogger } from '../common/logger.js';
import type { PartitionState } from '../metadata/image.js';
import { IsrManager } from './isr-manager.js';
import { MemoryPartitionLog } from './memory-log.js';
import { Partition } from './partition.js';
import { batchOf } from '../../test/helpers/data-path.js';

const state = (over: Partial<PartitionState> = {}): PartitionState => ({
  partition: 0,
  leader: 1,
  leaderEpoch: 3,
  partitionEpoch: 7,
  replicas: [1, 2, 3],
  isr: [1, 2, 3],
  ...over,
});

/** A leader of an RF 3 partition with min.insync.replicas `config.minIsr`, and its ISR manager on an injected clock. */
function setUp(over: Partial<PartitionState> = {}) {
  const config = { minIsr: 2 };
  const p = new Partition('t', 'id', 0, state(over), new MemoryPartitionLog(), 1, () => config.minIsr);
  const clock = { now: 1_000 };
  const sent: AlterPartitionRequest[] = [];
  const isr = new IsrManager({
    brokerId: 1,
    brokerEpoch: () => 5n,
    aliveBrokerEpoch: () => 9n,
    send: (request) => {
      sent.push(request);
      return Promise.resolve({ throttleTimeMs: 0, errorCode: 0, topics: [] });
    },
    now: () => clock.now,
    replicaLagTimeMaxMs: 30_000,
    isEligible: () => true,
    logger: createLogger({ level: 'silent' }),
  });
  p.followerFetchListener = (partition, replicaId) => isr.maybeExpand(partition, replicaId);
  p.joiningFollowerHolds = (partition, replicaId, position) => isr.holdsHighWatermark(partition, replicaId, position);
  return { p, isr, clock, sent, config };
}

t.test('an ISR shrunk below min.insync.replicas stops the high watermark until it grows back', async (t) => {
  const { p, isr, clock, sent } = setUp();
  p.appendAsLeader(batchOf(['a']));
  p.recordFollowerFetch(2, 1, clock.now);
  p.recordFollowerFetch(3, 1, clock.now);
  t.equal(p.highWatermark, 1, 'committed by the full ISR');
  t.notOk(p.isUnderMinIsr());
  isr.maybeShrink(p);

  // Both followers stop; the periodic check takes them out of the ISR, and the metadata says so.
  clock.now += 30_001;
  isr.maybeShrink(p);
  t.same(
    sent[0]?.topics[0]?.partitions[0]?.newIsrWithEpochs.map((m) => m.brokerId),
    [1],
    'shrink proposed',
  );
  await new Promise((resolve) => setImmediate(resolve));
  p.state = state({ isr: [1], partitionEpoch: 8 });
  t.ok(p.isUnderMinIsr(), 'ISR 1 < min(2, 3)');

  p.appendAsLeader(batchOf(['b', 'c']));
  t.equal(p.highWatermark, 1, 'an acks=1 append under min ISR is not committed');
  clock.now += 10;
  isr.maybeShrink(p);
  t.equal(p.highWatermark, 1, 'nor by the periodic check');

  // Follower 2 comes back and catches up: it holds as a joining follower and is proposed, but the
  // committed ISR is still the leader alone.
  let woken = 0;
  p.waitForChange(() => woken++);
  p.recordFollowerFetch(2, 3, clock.now);
  t.same(
    sent[1]?.topics[0]?.partitions[0]?.newIsrWithEpochs.map((m) => m.brokerId),
    [1, 2],
    'join proposed',
  );
  t.equal(p.highWatermark, 1, 'a proposed join does not lift it');
  t.equal(woken, 0);

  p.state = state({ isr: [1, 2], partitionEpoch: 9 });
  t.notOk(p.isUnderMinIsr());
  t.equal(p.highWatermark, 3, 'the metadata ISR back at 2 commits what follower 2 has');
  t.equal(woken, 1, 'waiting fetches are woken');
});

t.test('lowering min.insync.replicas lets the next append move the high watermark; raising it stops it', async (t) => {
  const { p, config } = setUp({ isr: [1] });
  p.appendAsLeader(batchOf(['a']));
  t.equal(p.highWatermark, 0);
  config.minIsr = 1;
  p.appendAsLeader(batchOf(['b']));
  t.equal(p.highWatermark, 2, 'min.insync.replicas=1: the leader alone commits');
  config.minIsr = 3;
  p.appendAsLeader(batchOf(['c']));
  t.equal(p.highWatermark, 2, 'min.insync.replicas=3 with ISR 1: held again');
});

t.test('min.insync.replicas above the replication factor: the effective minimum is the factor', async (t) => {
  const single = new Partition('t', 'id', 0, state({ replicas: [1], isr: [1] }), new MemoryPartitionLog(), 1, () => 2);
  single.appendAsLeader(batchOf(['a', 'b']));
  t.notOk(single.isUnderMinIsr(), 'RF 1 with min.insync.replicas=2 is not under min ISR');
  t.equal(single.highWatermark, 2, 'the single replica commits at once');

  const { p, config } = setUp({ replicas: [1, 2], isr: [1, 2] });
  config.minIsr = 5;
  p.appendAsLeader(batchOf(['a']));
  p.recordFollowerFetch(2, 1, 1_000);
  t.equal(p.highWatermark, 1, 'RF 2, ISR 2, min.insync.replicas=5: not under');
  p.state = state({ replicas: [1, 2], isr: [1], partitionEpoch: 8 });
  p.appendAsLeader(batchOf(['b']));
  t.equal(p.highWatermark, 1, 'RF 2, ISR 1: under min(5, 2)');
});

t.test('a leader opened under min ISR starts from the checkpointed high watermark, not 0', async (t) => {
  const log = new MemoryPartitionLog();
  log.append(batchOf(['a', 'b', 'c', 'd']), { leaderEpoch: 3 });
  const checkpointed = Object.assign(log, { recordedHighWatermark: () => 3 });
  const p = new Partition('t', 'id', 0, state({ isr: [1] }), checkpointed, 1, () => 2);
  t.ok(p.isUnderMinIsr());
  t.equal(p.highWatermark, 3, "Kafka's leader keeps the checkpoint's high watermark while under min ISR");
});
