/**
 * Coordinators follow their partitions' leadership (deterministic, no timers): a partition
 * becoming led here is loaded (COORDINATOR_LOAD_IN_PROGRESS until the scheduled load runs; an
 * empty one at once), its coordinator epoch is the leader epoch, losing leadership or the topic
 * unloads it (NOT_COORDINATOR), a new leader epoch reloads, a load overtaken by a leadership
 * change is dropped. Coordinator writes need leadership and min.insync.replicas and complete only
 * when the high watermark passes them.
 */
import t from 'tap';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { Partition } from './partition.js';
import { MemoryPartitionLog } from './memory-log.js';
import { batchOf } from '../../test/helpers/data-path.js';
import type { PartitionState } from '../metadata/image.js';
import { CoordinatorPartitions } from './coordinator-partitions.js';
import {
  checkCoordinatorAppend,
  CoordinatorWriteError,
  waitForCommitted,
  type SetTimer,
} from './coordinator-writes.js';
import { partitionForGroup } from '../groups/records.js';

const TOPIC = '__consumer_offsets';
const SELF = 1;

const state = (over: Partial<PartitionState> = {}): PartitionState => ({
  partition: 0,
  leader: SELF,
  leaderEpoch: 0,
  partitionEpoch: 0,
  replicas: [1, 2, 3],
  isr: [1, 2, 3],
  ...over,
});

function harness(): {
  placement: CoordinatorPartitions;
  events: string[];
  runScheduled: () => number;
} {
  const events: string[] = [];
  const scheduled: Array<() => void> = [];
  const placement = new CoordinatorPartitions(TOPIC, {
    load: (p, epoch) => events.push(`load ${p.index}@${epoch}`),
    unload: (index) => events.push(`unload ${index}`),
    schedule: (fn) => scheduled.push(fn),
    loadFailed: (index) => events.push(`failed ${index}`),
  });
  return {
    placement,
    events,
    runScheduled: () => {
      const n = scheduled.length;
      for (const fn of scheduled.splice(0)) fn();
      return n;
    },
  };
}

function partitionWithRecords(index: number, over: Partial<PartitionState> = {}): Partition {
  const p = new Partition(
    TOPIC,
    'id',
    index,
    state({ partition: index, isr: [SELF], ...over }),
    new MemoryPartitionLog(),
    SELF,
  );
  if (p.isLeader()) p.appendAsLeader(batchOf(['a', 'b']));
  return p;
}

t.test('placement is Kafka’s: abs(String.hashCode) % partitions', async (t) => {
  t.equal(partitionForGroup('my-group', 50), 12, 'hash -1906497762 → 12 (Math.abs, not a mask)');
  t.equal(partitionForGroup('group-1', 50), 49);
  t.equal(partitionForGroup('polygenelubricants', 50), 0, 'Integer.MIN_VALUE → 0');
  t.equal(partitionForGroup('my-group', 1), 0, 'one partition: everything on it');
});

t.test('a partition led here loads (load in progress meanwhile), is unloaded when leadership moves', async (t) => {
  const { placement, events, runScheduled } = harness();
  const p = partitionWithRecords(7, { leaderEpoch: 4 });
  t.equal(placement.errorFor(7), ErrorCode.NOT_COORDINATOR, 'not led: not coordinated');
  placement.onPartitionState(p, false);
  t.equal(placement.errorFor(7), ErrorCode.COORDINATOR_LOAD_IN_PROGRESS, 'loading');
  t.equal(placement.epochOf(7), 4, 'coordinator epoch = leader epoch');
  t.same(events, [], 'the load waits for the scheduler');
  t.equal(runScheduled(), 1);
  t.same(events, ['load 7@4']);
  t.equal(placement.errorFor(7), ErrorCode.NONE, 'loaded: coordinated here');
  t.same(placement.active(), [7]);

  placement.onPartitionState(p, false);
  t.equal(runScheduled(), 0, 'the same state again (an ISR change) does not reload');

  p.state = state({ partition: 7, leader: 2, leaderEpoch: 5 });
  placement.onPartitionState(p, false);
  t.same(events, ['load 7@4', 'unload 7']);
  t.equal(placement.errorFor(7), ErrorCode.NOT_COORDINATOR, 'another broker leads: NOT_COORDINATOR');
  t.equal(placement.epochOf(7), -1);

  p.state = state({ partition: 7, leader: SELF, leaderEpoch: 6, isr: [SELF] });
  placement.onPartitionState(p, false);
  runScheduled();
  t.same(events, ['load 7@4', 'unload 7', 'load 7@6'], 'leadership back: loaded again at the new epoch');

  placement.onPartitionState(p, true);
  t.same(events.at(-1), 'unload 7', 'the topic deleted: unloaded');
  t.equal(placement.errorFor(7), ErrorCode.NOT_COORDINATOR);
});

t.test('a new leader epoch while still leader reloads; a load overtaken by a change is dropped', async (t) => {
  const { placement, events, runScheduled } = harness();
  const p = partitionWithRecords(3, { leaderEpoch: 1 });
  placement.onPartitionState(p, false);
  runScheduled();
  p.state = state({ partition: 3, leaderEpoch: 2, isr: [SELF] });
  placement.onPartitionState(p, false);
  runScheduled();
  t.same(events, ['load 3@1', 'unload 3', 'load 3@2']);

  const q = partitionWithRecords(4, { leaderEpoch: 0 });
  placement.onPartitionState(q, false);
  q.state = state({ partition: 4, leader: 2, leaderEpoch: 1 });
  placement.onPartitionState(q, false);
  runScheduled();
  t.same(events.slice(3), ['unload 4'], 'the pending load is never run for a lost leadership');
  t.equal(placement.errorFor(4), ErrorCode.NOT_COORDINATOR);
});

t.test('an empty partition loads at once; start-up loads at once; other topics are ignored', async (t) => {
  const { placement, events, runScheduled } = harness();
  const empty = new Partition(TOPIC, 'id', 0, state({ isr: [SELF] }), new MemoryPartitionLog(), SELF);
  placement.onPartitionState(empty, false);
  t.equal(placement.errorFor(0), ErrorCode.NONE, 'nothing to read: served at once');
  const full = partitionWithRecords(1);
  placement.onPartitionState(full, false, { loadNow: true });
  t.equal(placement.errorFor(1), ErrorCode.NONE, 'loadNow: loaded in the call');
  const other = new Partition('orders', 'id', 2, state({ isr: [SELF] }), new MemoryPartitionLog(), SELF);
  placement.onPartitionState(other, false);
  t.equal(runScheduled(), 0);
  t.same(events, ['load 0@0', 'load 1@0']);
  t.equal(placement.errorFor(2), ErrorCode.NOT_COORDINATOR);
});

t.test('a load that throws leaves the partition not coordinated and is reported', async (t) => {
  const events: string[] = [];
  const placement = new CoordinatorPartitions(TOPIC, {
    load: () => {
      throw new Error('corrupt');
    },
    unload: (index) => events.push(`unload ${index}`),
    schedule: (fn) => fn(),
    loadFailed: (index, error) => events.push(`failed ${index}: ${String(error)}`),
  });
  placement.onPartitionState(partitionWithRecords(9), false);
  t.same(events, ['unload 9', 'failed 9: Error: corrupt']);
  t.equal(placement.errorFor(9), ErrorCode.NOT_COORDINATOR);
});

t.test('coordinator appends need leadership and min.insync.replicas', async (t) => {
  const p = new Partition(TOPIC, 'id', 0, state({ isr: [SELF, 2] }), new MemoryPartitionLog(), SELF);
  t.doesNotThrow(() => checkCoordinatorAppend(p, 2));
  const tooFew = t.throws(() => checkCoordinatorAppend(p, 3)) as unknown;
  t.ok(tooFew instanceof CoordinatorWriteError);
  t.equal((tooFew as CoordinatorWriteError).errorCode, ErrorCode.COORDINATOR_NOT_AVAILABLE);
  p.state = state({ leader: 2, leaderEpoch: 1 });
  const notLeader = t.throws(() => checkCoordinatorAppend(p, 1)) as unknown;
  t.equal((notLeader as CoordinatorWriteError).errorCode, ErrorCode.NOT_COORDINATOR);
});

function manualTimers(): { setTimer: SetTimer; fire: () => void; pending: () => number } {
  const timers = new Set<() => void>();
  return {
    setTimer: (fire) => {
      timers.add(fire);
      return () => timers.delete(fire);
    },
    fire: () => {
      for (const f of [...timers]) {
        timers.delete(f);
        f();
      }
    },
    pending: () => timers.size,
  };
}

t.test('a coordinator write completes when the high watermark passes it, not at the append', async (t) => {
  const timers = manualTimers();
  const p = new Partition(TOPIC, 'id', 0, state({ isr: [SELF, 2] }), new MemoryPartitionLog(), SELF);
  p.appendAsLeader(batchOf(['commit']));
  t.equal(p.highWatermark, 0, 'follower 2 has not fetched it');
  let outcome: number | null = null;
  void waitForCommitted(p, p.log.logEndOffset, p.leaderEpoch, 5000, timers.setTimer).then((c) => (outcome = c));
  await Promise.resolve();
  t.equal(outcome, null, 'not answered at the local append');
  p.recordFollowerFetch(2, 1, 10);
  await Promise.resolve();
  t.equal(outcome, ErrorCode.NONE, 'answered once the ISR holds it');
  t.equal(timers.pending(), 0, 'its timer is cancelled');

  t.equal(await waitForCommitted(p, 1, p.leaderEpoch, 5000, timers.setTimer), 0, 'already committed: at once');
});

t.test(
  'a coordinator write answers NOT_COORDINATOR when leadership moves, COORDINATOR_NOT_AVAILABLE on timeout',
  async (t) => {
    const timers = manualTimers();
    const p = new Partition(TOPIC, 'id', 0, state({ isr: [SELF, 2] }), new MemoryPartitionLog(), SELF);
    p.appendAsLeader(batchOf(['x']));
    const moved = waitForCommitted(p, 1, 0, 5000, timers.setTimer);
    p.state = state({ leader: 2, leaderEpoch: 1 });
    t.equal(await moved, ErrorCode.NOT_COORDINATOR);

    const q = new Partition(TOPIC, 'id', 1, state({ partition: 1, isr: [SELF, 2] }), new MemoryPartitionLog(), SELF);
    q.appendAsLeader(batchOf(['y']));
    const slow = waitForCommitted(q, 1, 0, 5000, timers.setTimer);
    timers.fire();
    t.equal(await slow, ErrorCode.COORDINATOR_NOT_AVAILABLE, 'offsets.commit.timeout.ms passed');
  },
);

t.test('loading() tells whether any partition led here still loads', async (t) => {
  const { placement, runScheduled } = harness();
  t.notOk(placement.loading());
  placement.onPartitionState(partitionWithRecords(1), false);
  t.ok(placement.loading(), 'one partition loading');
  runScheduled();
  t.notOk(placement.loading(), 'all loaded');
});
