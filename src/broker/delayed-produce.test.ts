/**
 * acks=-1 waits for the high watermark: NONE once the in-sync followers have the write,
 * NOT_ENOUGH_REPLICAS_AFTER_APPEND when the ISR shrank below min.insync.replicas meanwhile,
 * REQUEST_TIMED_OUT at the deadline, NOT_LEADER_OR_FOLLOWER after losing leadership; nothing
 * waits (no timer) with the leader alone in sync.
 */
import t from 'tap';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { FetchPurgatory, type Schedule } from './delayed-fetch.js';
import { awaitReplication, type ReplicatedWrite } from './delayed-produce.js';
import { Partition } from './partition.js';
import { MemoryPartitionLog } from './memory-log.js';
import { batchOf } from '../../test/helpers/data-path.js';
import type { PartitionState } from '../metadata/image.js';

function manualTimers(): { schedule: Schedule; fireAll(): void; pending(): number } {
  const timers = new Set<() => void>();
  return {
    schedule: (_ms, fire) => {
      timers.add(fire);
      return () => timers.delete(fire);
    },
    fireAll: () => {
      for (const fire of [...timers]) {
        timers.delete(fire);
        fire();
      }
    },
    pending: () => timers.size,
  };
}

const state = (over: Partial<PartitionState> = {}): PartitionState => ({
  partition: 0,
  leader: 1,
  leaderEpoch: 0,
  partitionEpoch: 0,
  replicas: [1, 2, 3],
  isr: [1, 2, 3],
  ...over,
});

function written(
  p: Partition,
  minInsyncReplicas: number,
  leading: () => boolean = () => p.isLeader(),
): ReplicatedWrite {
  p.appendAsLeader(batchOf(['x']));
  return { partition: p, requiredOffset: p.log.logEndOffset, minInsyncReplicas, stillLeader: leading, errorCode: null };
}

const settled = () => new Promise((r) => setImmediate(r));

t.test('completes when the in-sync followers have fetched past the write', async (t) => {
  const timers = manualTimers();
  const p = new Partition('t', 'id', 0, state(), new MemoryPartitionLog(), 1);
  const write = written(p, 2);
  let done = false;
  const waiting = awaitReplication(new FetchPurgatory(timers.schedule), 30000, [write]).then(() => (done = true));
  await settled();
  t.equal(done, false, 'waits for the followers');
  p.recordFollowerFetch(2, 1, 0);
  await settled();
  t.equal(done, false, 'one of two followers is not enough: the high watermark is the ISR minimum');
  p.recordFollowerFetch(3, 1, 0);
  await waiting;
  t.equal(write.errorCode, ErrorCode.NONE);
  t.equal(timers.pending(), 0, 'its timer cancelled');
});

t.test('NOT_ENOUGH_REPLICAS_AFTER_APPEND when the ISR shrank below min.insync.replicas', async (t) => {
  const timers = manualTimers();
  const p = new Partition('t', 'id', 0, state(), new MemoryPartitionLog(), 1);
  const write = written(p, 2);
  const waiting = awaitReplication(new FetchPurgatory(timers.schedule), 30000, [write]);
  p.state = state({ isr: [1], partitionEpoch: 1 });
  await waiting;
  t.equal(write.errorCode, ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND);
});

t.test('REQUEST_TIMED_OUT at the deadline; NOT_LEADER_OR_FOLLOWER after leadership moves', async (t) => {
  const timers = manualTimers();
  const purgatory = new FetchPurgatory(timers.schedule);
  const slow = new Partition('t', 'id', 0, state(), new MemoryPartitionLog(), 1);
  const slowWrite = written(slow, 1);
  const moved = new Partition('u', 'id2', 0, state(), new MemoryPartitionLog(), 1);
  const movedWrite = written(moved, 1);
  const waiting = awaitReplication(purgatory, 30000, [slowWrite, movedWrite]);
  moved.state = state({ leader: 2, leaderEpoch: 1, partitionEpoch: 1 });
  await settled();
  t.equal(movedWrite.errorCode, ErrorCode.NOT_LEADER_OR_FOLLOWER, 'answered as soon as leadership moved');
  t.equal(slowWrite.errorCode, null, 'the other still waits');
  timers.fireAll();
  await waiting;
  t.equal(slowWrite.errorCode, ErrorCode.REQUEST_TIMED_OUT);
});

t.test('the leader alone in sync: answered at once, no timer', async (t) => {
  const timers = manualTimers();
  const p = new Partition('t', 'id', 0, state({ isr: [1] }), new MemoryPartitionLog(), 1);
  const write = written(p, 1);
  await awaitReplication(new FetchPurgatory(timers.schedule), 30000, [write]);
  t.equal(write.errorCode, ErrorCode.NONE);
  t.equal(timers.pending(), 0);
});
