/**
 * The partition owns its appends and high watermark: alone in sync the leader's high watermark is
 * its log end; with followers in the ISR it is the smallest of their log ends and never goes back;
 * a shrunk ISR lets it move on; a follower keeps the leader's offsets and takes the leader's high
 * watermark up to its own log end, and truncation pulls it back to the log end.
 */
import t from 'tap';
import { Partition } from './partition.js';
import { MemoryPartitionLog } from './memory-log.js';
import type { PartitionLog } from './partition-log.js';
import { batchOf } from '../../test/helpers/data-path.js';
import type { PartitionState } from '../metadata/image.js';

const state = (over: Partial<PartitionState> = {}): PartitionState => ({
  partition: 0,
  leader: 1,
  leaderEpoch: 0,
  partitionEpoch: 0,
  replicas: [1, 2, 3],
  isr: [1],
  ...over,
});

t.test('a leader alone in sync: the high watermark is the log end', async (t) => {
  const p = new Partition('t', 'id', 0, state(), new MemoryPartitionLog(), 1);
  let woken = 0;
  p.waitForChange(() => woken++);
  const info = p.appendAsLeader(batchOf(['a', 'b']));
  t.same([info.baseOffset, info.lastOffset], [0, 1]);
  t.equal(p.highWatermark, 2);
  t.equal(woken, 1, 'waiters woken by the append');
});

t.test('with followers in the ISR the high watermark is their smallest log end', async (t) => {
  const p = new Partition('t', 'id', 0, state({ isr: [1, 2, 3] }), new MemoryPartitionLog(), 1);
  p.appendAsLeader(batchOf(['a', 'b', 'c']));
  t.equal(p.highWatermark, 0, 'no follower has fetched: nothing is committed');
  p.recordFollowerFetch(2, 3, 100);
  t.equal(p.highWatermark, 0, 'replica 3 has not fetched yet');
  let woken = 0;
  p.waitForChange(() => woken++);
  p.recordFollowerFetch(3, 1, 100);
  t.equal(p.highWatermark, 1, 'the slowest in-sync follower holds it');
  t.equal(woken, 1, 'a high-watermark move wakes waiters');
  p.recordFollowerFetch(3, 0, 110);
  t.equal(p.highWatermark, 1, 'never goes back');
  t.equal(p.followerPosition(3)?.lastCaughtUpTimeMs, -1, 'replica 3 never caught up');
  p.recordFollowerFetch(3, 3, 120);
  t.equal(p.highWatermark, 3);
  t.equal(p.followerPosition(3)?.lastCaughtUpTimeMs, 120);
  p.appendAsLeader(batchOf(['x']));
  p.recordFollowerFetch(3, 3, 125);
  t.equal(
    p.followerPosition(3)?.lastCaughtUpTimeMs,
    120,
    'at the log end of the previous answer: caught up as of then',
  );
  p.truncateTo(3);

  p.appendAsLeader(batchOf(['d']));
  t.equal(p.highWatermark, 3, 'the new record waits for the followers');
  p.recordFollowerFetch(2, 4, 130);
  t.equal(p.highWatermark, 3);
  p.state = state({ isr: [1, 2], partitionEpoch: 1 });
  t.equal(p.highWatermark, 4, 'replica 3 left the ISR: the high watermark moves on');
});

t.test('a follower proposed for the ISR counts for the high watermark until the metadata answers', async (t) => {
  const p = new Partition('t', 'id', 0, state({ isr: [1, 2] }), new MemoryPartitionLog(), 1);
  p.appendAsLeader(batchOf(['a', 'b']));
  p.recordFollowerFetch(2, 2, 0);
  p.recordFollowerFetch(3, 2, 0);
  t.equal(p.highWatermark, 2);
  p.expectIsrJoins([1, 2, 3]);
  p.appendAsLeader(batchOf(['c']));
  p.recordFollowerFetch(2, 3, 1);
  t.equal(p.highWatermark, 2, 'replica 3 (joining) has not fetched offset 2 yet: held');
  p.clearIsrJoins();
  t.equal(p.highWatermark, 3, 'the proposal failed: replica 3 no longer holds it');
});

t.test('a new leader epoch forgets the followers until they fetch again', async (t) => {
  const p = new Partition('t', 'id', 0, state({ isr: [1, 2] }), new MemoryPartitionLog(), 1);
  p.appendAsLeader(batchOf(['a']));
  p.recordFollowerFetch(2, 1, 10);
  t.equal(p.highWatermark, 1);
  p.state = state({ isr: [1, 2], leaderEpoch: 1, partitionEpoch: 1 });
  t.equal(p.followerPosition(2), undefined);
  p.appendAsLeader(batchOf(['b']));
  t.equal(p.highWatermark, 1, 'held until replica 2 fetches in the new epoch');
});

t.test('a follower keeps the leader offsets and follows its high watermark', async (t) => {
  const leader = new Partition('t', 'id', 0, state({ leaderEpoch: 4 }), new MemoryPartitionLog(), 1);
  leader.appendAsLeader(batchOf(['a', 'b']));
  leader.appendAsLeader(batchOf(['c']));
  const follower = new Partition('t', 'id', 0, state({ leaderEpoch: 4 }), new MemoryPartitionLog(), 2);
  t.notOk(follower.isLeader());
  t.equal(follower.highWatermark, 0);
  follower.appendAsFollower(leader.log.read(0, 1_000_000), 9);
  t.equal(follower.log.logEndOffset, 3, 'the leader offsets kept');
  t.equal(follower.highWatermark, 3, 'the leader high watermark, capped at the local log end');
  t.same(follower.log.read(0, 1_000_000), leader.log.read(0, 1_000_000), 'byte for byte (epochs kept)');
  t.throws(() => follower.appendAsFollower(leader.log.read(0, 1_000_000), 3), 'a batch not at the log end is refused');
  follower.truncateTo(2);
  t.equal(follower.log.logEndOffset, 2);
  t.equal(follower.highWatermark, 2, 'truncation pulls the high watermark back to the log end');
  follower.followLeaderHighWatermark(1);
  t.equal(follower.highWatermark, 2, 'an older leader high watermark does not move it back');
});

t.test('the low watermark: the smallest log start over the leader and the live followers', async (t) => {
  const p = new Partition('t', 'id', 0, state({ isr: [1, 2, 3] }), new MemoryPartitionLog(), 1);
  for (let i = 0; i < 5; i++) p.appendAsLeader(batchOf([`m${i}`]));
  const everyoneLive = () => true;
  t.equal(p.lowWatermark(everyoneLive), -1, 'followers that have not fetched hold it at -1');
  p.recordFollowerFetch(2, 5, 0, 0);
  p.recordFollowerFetch(3, 5, 0, 0);
  t.equal(p.lowWatermark(everyoneLive), 0);
  p.log.deleteRecordsBefore(3);
  t.equal(p.lowWatermark(everyoneLive), 0, 'the followers have not moved yet');
  let woken = 0;
  p.waitForChange(() => woken++);
  p.recordFollowerFetch(2, 5, 1, 3);
  t.equal(woken, 1, 'a follower log start that moves wakes waiters (a DeleteRecords waiting)');
  t.equal(p.lowWatermark(everyoneLive), 0, 'replica 3 still starts at 0');
  t.equal(
    p.lowWatermark((id) => id !== 3),
    3,
    'a replica on a dead broker does not count',
  );
  p.recordFollowerFetch(3, 5, 1, 3);
  t.equal(p.lowWatermark(everyoneLive), 3);
});

t.test('a leader asks storage to keep its appends in memory only when it has followers', async (t) => {
  const asked: Array<boolean | undefined> = [];
  const spy = (log: MemoryPartitionLog): MemoryPartitionLog => {
    const append = log.append.bind(log);
    log.append = (batches: Buffer, options: Parameters<PartitionLog['append']>[1]) => {
      asked.push(options.cacheTail);
      return append(batches, options);
    };
    return log;
  };
  new Partition('t', 'id', 0, state({ replicas: [1], isr: [1] }), spy(new MemoryPartitionLog()), 1).appendAsLeader(
    batchOf(['a']),
  );
  new Partition('t', 'id', 0, state(), spy(new MemoryPartitionLog()), 1).appendAsLeader(batchOf(['b']));
  t.same(asked, [false, true], 'no tail cache without followers; a cached tail with them');
});
