import t from 'tap';
import { RaftInvariantError } from './errors.js';
import { truncationOffset, validateFetchPosition } from './fetch-position.js';
import { InMemoryRaftLog } from './in-memory-raft-log.js';
import type { RaftEntry } from './types.js';

const e = (offset: number, epoch: number, text = `v${offset}`): RaftEntry => ({
  offset,
  epoch,
  payload: Buffer.from(text),
  control: false,
});

function logWith(epochs: number[]): InMemoryRaftLog {
  const log = new InMemoryRaftLog();
  log.append(epochs.map((epoch, offset) => e(offset, epoch)));
  return log;
}

t.test('append checks contiguity and epoch order', async (t) => {
  const log = logWith([1, 1, 2]);
  t.equal(log.endOffset(), 3);
  t.same(log.lastFetched(), { offset: 3, epoch: 2 });
  t.throws(() => log.append([e(5, 2)]), RaftInvariantError);
  t.throws(() => log.append([e(3, 1)]), RaftInvariantError);
  t.throws(() => log.append([e(3, 2), e(5, 2)]), RaftInvariantError);
  t.equal(log.endOffset(), 3, 'a rejected append leaves the log alone');
});

t.test('endOffsetForEpoch finds the end of the largest epoch not above the one asked', async (t) => {
  const log = logWith([1, 1, 3, 3, 3, 5]);
  t.same(log.endOffsetForEpoch(1), { epoch: 1, endOffset: 2 });
  t.same(log.endOffsetForEpoch(2), { epoch: 1, endOffset: 2 });
  t.same(log.endOffsetForEpoch(3), { epoch: 3, endOffset: 5 });
  t.same(log.endOffsetForEpoch(4), { epoch: 3, endOffset: 5 });
  t.same(log.endOffsetForEpoch(9), { epoch: 5, endOffset: 6 });
  t.same(log.endOffsetForEpoch(0), { epoch: -1, endOffset: -1 });
});

t.test('crash loses only unflushed entries', async (t) => {
  const log = logWith([1, 1]);
  log.flush();
  log.append([e(2, 1), e(3, 1)]);
  t.equal(log.flushedOffset(), 2);
  log.crash();
  t.equal(log.endOffset(), 2);
});

t.test('snapshots drop the prefix and answer epoch lookups at the boundary', async (t) => {
  const log = logWith([1, 1, 2, 2, 3]);
  log.flush();
  log.createSnapshot({ endOffset: 3, epoch: 2 }, Buffer.from('snap'));
  t.equal(log.startOffset(), 3);
  t.equal(log.epochOf(2), 2);
  t.equal(log.epochOf(1), undefined);
  t.same(
    log.read(3, 100).map((x) => x.offset),
    [3, 4],
  );
  t.throws(() => log.read(2, 100), RaftInvariantError);
  t.throws(
    () => log.createSnapshot({ endOffset: 4, epoch: 9 }, Buffer.alloc(0)),
    RaftInvariantError,
    'epoch must match',
  );
  t.same(log.endOffsetForEpoch(2), { epoch: 2, endOffset: 4 });
  t.same(log.endOffsetForEpoch(1), { epoch: -1, endOffset: -1 }, 'epoch 1 lies wholly under the snapshot');
  log.installSnapshot({ endOffset: 10, epoch: 4 }, Buffer.from('other'));
  t.same(log.lastFetched(), { offset: 10, epoch: 4 });
  t.equal(log.readSnapshot({ endOffset: 10, epoch: 4 })?.toString(), 'other');
});

t.test('read honours maxBytes but returns at least one entry', async (t) => {
  const log = logWith([1, 1, 1]);
  t.equal(log.read(0, 1).length, 1);
  t.equal(log.read(0, 4).length, 2);
  t.equal(log.read(3, 100).length, 0);
});

t.test('leader-side fetch validation: valid, diverging, snapshot', async (t) => {
  const leader = logWith([1, 1, 2, 2, 4, 4]);
  t.same(validateFetchPosition(leader, 0, 0), { kind: 'valid' });
  t.same(validateFetchPosition(leader, 4, 2), { kind: 'valid' });
  t.same(validateFetchPosition(leader, 6, 4), { kind: 'valid' });
  // follower wrote more epoch-2 entries than the leader kept
  t.same(validateFetchPosition(leader, 5, 2), { kind: 'diverging', divergingEpoch: { epoch: 2, endOffset: 4 } });
  // follower has an epoch the leader never saw
  t.same(validateFetchPosition(leader, 5, 3), { kind: 'diverging', divergingEpoch: { epoch: 2, endOffset: 4 } });
  leader.flush();
  leader.createSnapshot({ endOffset: 4, epoch: 2 }, Buffer.from('s'));
  t.same(validateFetchPosition(leader, 2, 1), { kind: 'snapshot', snapshotId: { endOffset: 4, epoch: 2 } });
  t.same(validateFetchPosition(leader, 4, 2), { kind: 'valid' });
  t.same(validateFetchPosition(leader, 4, 3), { kind: 'snapshot', snapshotId: { endOffset: 4, epoch: 2 } });
});

t.test('follower truncation point', async (t) => {
  const follower = logWith([1, 1, 2, 2, 2, 3]);
  t.equal(truncationOffset(follower, { epoch: 2, endOffset: 4 }), 4);
  t.equal(truncationOffset(follower, { epoch: 1, endOffset: 9 }), 2, 'own end of that epoch is lower');
  t.equal(truncationOffset(follower, { epoch: 0, endOffset: 0 }), 0);
});
