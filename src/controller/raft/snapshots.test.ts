import t from 'tap';
import { CommitState } from './commit-state.js';
import { ErrorCode, RaftInvariantError } from './errors.js';
import { InMemoryRaftLog } from './in-memory-raft-log.js';
import { SnapshotDownload, Snapshots } from './snapshots.js';
import { ListStateMachine } from './test-harness.js';

function setup(payloads: string[], epoch = 2) {
  const log = new InMemoryRaftLog();
  log.append(payloads.map((p, offset) => ({ offset, epoch, payload: Buffer.from(p), control: false })));
  const machine = new ListStateMachine();
  const commit = new CommitState(log, machine, 1024);
  return { log, machine, commit, snapshots: new Snapshots(log, machine, commit) };
}

t.test(
  'take() snapshots at the applied offset, flushes, drops the prefix; restoreLatest() brings it back',
  async (t) => {
    const { log, commit, snapshots } = setup(['a', 'b', 'c', 'd']);
    t.equal(snapshots.take(), undefined, 'nothing applied yet');
    commit.advanceHighWatermark(3);
    t.same(snapshots.take(), { endOffset: 3, epoch: 2 });
    t.equal(log.startOffset(), 3);
    t.ok(log.flushedOffset() >= 3, 'the covered entries were flushed first');
    t.equal(snapshots.take(), undefined, 'nothing new to cover');

    const machine = new ListStateMachine();
    const restarted = new CommitState(log, machine, 1024);
    new Snapshots(log, machine, restarted).restoreLatest();
    t.same(machine.items, ['a', 'b', 'c']);
    t.equal(restarted.appliedOffset(), 3);
    t.equal(restarted.highWatermark(), 3);
  },
);

t.test('restoreLatest() refuses a snapshot id without data', async (t) => {
  const { log, machine, commit } = setup([]);
  log.latestSnapshotId = () => ({ endOffset: 5, epoch: 1 });
  t.throws(() => new Snapshots(log, machine, commit).restoreLatest(), RaftInvariantError);
});

t.test('install() replaces log and state machine, unless the snapshot is not newer than what is applied', async (t) => {
  const { log, machine, commit, snapshots } = setup(['a', 'b']);
  commit.advanceHighWatermark(2);
  snapshots.install({ endOffset: 2, epoch: 2 }, Buffer.from(JSON.stringify(['x'])));
  t.same(machine.items, ['a', 'b'], 'ignored: covers nothing new');
  snapshots.install({ endOffset: 10, epoch: 3 }, Buffer.from(JSON.stringify(['x', 'y'])));
  t.same(machine.items, ['x', 'y']);
  t.equal(log.startOffset(), 10);
  t.equal(log.endOffset(), 10);
  t.equal(commit.appliedOffset(), 10);
  t.equal(commit.highWatermark(), 10);
});

t.test('readChunk() serves bounded chunks, SNAPSHOT_NOT_FOUND and INVALID_REQUEST past the end', async (t) => {
  const { log, commit, snapshots } = setup(['a', 'b', 'c']);
  commit.advanceHighWatermark(3);
  const id = snapshots.take();
  if (!id) throw new Error('no snapshot');
  const size = log.readSnapshot(id)?.length ?? 0;
  t.match(snapshots.readChunk(id, 0, 4), { found: true, size });
  const first = snapshots.readChunk(id, 0, 4);
  t.equal(first.found && first.bytes.length, 4);
  const last = snapshots.readChunk(id, size - 1, 100);
  t.equal(last.found && last.bytes.length, 1);
  t.same(snapshots.readChunk(id, size + 1, 4), { found: false, partitionErrorCode: ErrorCode.INVALID_REQUEST });
  t.same(snapshots.readChunk({ endOffset: 99, epoch: 1 }, 0, 4), {
    found: false,
    partitionErrorCode: ErrorCode.SNAPSHOT_NOT_FOUND,
  });
});

t.test('a download takes chunks in order for its id and aborts on anything else', async (t) => {
  const id = { endOffset: 5, epoch: 1 };
  const data = Buffer.from('0123456789');
  const download = new SnapshotDownload(id);
  const chunk = (position: number, bytes: Buffer, snapshotId = id, size = data.length) => ({
    snapshotId,
    size,
    position,
    bytes,
  });
  t.same(download.accept(chunk(0, data.subarray(0, 4))), { kind: 'more' });
  t.equal(download.position, 4);
  t.same(download.accept(chunk(4, Buffer.alloc(0))), { kind: 'more' }, 'an empty chunk: ask again');
  t.equal(download.position, 4);
  const done = download.accept(chunk(4, data.subarray(4)));
  t.equal(done.kind, 'done');
  t.same(done.kind === 'done' && done.data, data);

  t.same(new SnapshotDownload(id).accept(chunk(4, data.subarray(4))), { kind: 'abort' }, 'out of order');
  t.same(new SnapshotDownload(id).accept(chunk(0, data, { endOffset: 6, epoch: 1 })), { kind: 'abort' }, 'other id');
  t.same(new SnapshotDownload(id).accept(chunk(0, data, id, 4)), { kind: 'abort' }, 'chunk past the size');
  t.same(new SnapshotDownload(id).accept(chunk(0, data, id, Number.NaN)), { kind: 'abort' }, 'bad size');
});
