import t from 'tap';
import { CommitState } from './commit-state.js';
import { RaftInvariantError } from './errors.js';
import { InMemoryRaftLog } from './in-memory-raft-log.js';
import { ListStateMachine } from './test-harness.js';

function logWith(payloads: (string | null)[]): InMemoryRaftLog {
  const log = new InMemoryRaftLog();
  log.append(
    payloads.map((p, offset) => ({ offset, epoch: 1, payload: Buffer.from(p ?? 'control'), control: p === null })),
  );
  return log;
}

t.test(
  'the high watermark only rises, and committed entries are applied in order without control records',
  async (t) => {
    const log = logWith([null, 'a', 'b', 'c']);
    const machine = new ListStateMachine();
    const commit = new CommitState(log, machine, 1);
    t.ok(commit.advanceHighWatermark(3));
    t.equal(commit.highWatermark(), 3);
    t.equal(commit.appliedOffset(), 3, 'applied through several reads of maxBytes 1');
    t.same(machine.items, ['a', 'b']);
    t.notOk(commit.advanceHighWatermark(2), 'never lowered');
    t.notOk(commit.advanceHighWatermark(3));
    t.equal(commit.highWatermark(), 3);
    t.throws(() => commit.advanceHighWatermark(5), RaftInvariantError, 'never past the log end');
    t.ok(commit.advanceHighWatermark(4));
    t.same(machine.items, ['a', 'b', 'c']);
  },
);

t.test('restoredTo moves applied to a snapshot end and never lowers the high watermark', async (t) => {
  const log = logWith(['a', 'b', 'c', 'd']);
  const commit = new CommitState(log, new ListStateMachine(), 1024);
  commit.advanceHighWatermark(4);
  commit.restoredTo(2);
  t.equal(commit.appliedOffset(), 2);
  t.equal(commit.highWatermark(), 4);
  commit.restoredTo(10);
  t.equal(commit.highWatermark(), 10);
});
