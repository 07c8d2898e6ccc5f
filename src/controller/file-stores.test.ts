/** File-backed quorum-state and Raft log: durable across reopen, torn tails cut, snapshots and truncation kept on disk. */
import t from 'tap';
import { appendFileSync, existsSync, readdirSync, readFileSync, writeFileSync, truncateSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { FileQuorumStateStore, QuorumStateFileError } from './file-quorum-state-store.js';
import { FileRaftLog, checkpointName } from './file-raft-log.js';
import type { RaftEntry } from './raft/types.js';
import { decodeRecordBatches } from '../../protocol/records/index.js';

const entry = (offset: number, epoch: number, text = `e${offset}`, control = false): RaftEntry => ({
  offset,
  epoch,
  payload: Buffer.from(text),
  control,
});

t.test('quorum-state is Kafka JSON, survives reopen, and a corrupt file is refused', async (t) => {
  const dir = t.testdir();
  const store = new FileQuorumStateStore(dir);
  t.equal(store.read(), undefined);
  store.write({
    clusterId: 'abc',
    leaderId: 2,
    leaderEpoch: 7,
    votedId: 2,
    appliedOffset: 5,
    currentVoters: [1, 2, 3],
  });
  const json = JSON.parse(readFileSync(join(dir, 'quorum-state'), 'utf8')) as Record<string, unknown>;
  t.same(json, {
    clusterId: 'abc',
    leaderId: 2,
    leaderEpoch: 7,
    votedId: 2,
    appliedOffset: 5,
    currentVoters: [{ voterId: 1 }, { voterId: 2 }, { voterId: 3 }],
    data_version: 0,
  });
  t.same(new FileQuorumStateStore(dir).read(), {
    clusterId: 'abc',
    leaderId: 2,
    leaderEpoch: 7,
    votedId: 2,
    appliedOffset: 5,
    currentVoters: [1, 2, 3],
  });
  t.notOk(existsSync(join(dir, 'quorum-state.tmp')), 'no temp file left');
  writeFileSync(join(dir, 'quorum-state'), '{"leaderId": 1');
  t.throws(() => new FileQuorumStateStore(dir), QuorumStateFileError);
});

t.test('raft log: append, flush, reopen, truncate', async (t) => {
  const dir = t.testdir();
  const log = new FileRaftLog(dir);
  log.append([entry(0, 1, 'leader', true), entry(1, 1), entry(2, 1), entry(3, 2)]);
  t.equal(log.endOffset(), 4);
  t.equal(log.flushedOffset(), 0);
  log.flush();
  t.equal(log.flushedOffset(), 4);
  log.truncateTo(3);
  log.append([entry(3, 3, 'x')]);
  log.flush();
  log.close();
  const again = new FileRaftLog(dir);
  t.equal(again.endOffset(), 4);
  t.same(again.read(0, 1 << 20), [entry(0, 1, 'leader', true), entry(1, 1), entry(2, 1), entry(3, 3, 'x')]);
  t.same(again.endOffsetForEpoch(2), { epoch: 1, endOffset: 3 });
  t.equal(again.recoveredTailBytes, 0);
  again.close();
});

t.test('raft log: a torn or corrupt tail is cut on open, earlier entries kept', async (t) => {
  const dir = t.testdir();
  const log = new FileRaftLog(dir);
  for (let i = 0; i < 3; i++) {
    log.append([entry(i, 1)]);
    log.flush(); // one batch per flush
  }
  log.close();
  const segment = join(dir, '00000000000000000000.log');
  const size = statSync(segment).size;
  truncateSync(segment, size - 5); // torn last batch
  const torn = new FileRaftLog(dir);
  t.equal(torn.endOffset(), 2);
  t.ok(torn.recoveredTailBytes > 0);
  torn.append([entry(2, 1, 'again')]);
  torn.flush();
  torn.close();
  appendFileSync(segment, Buffer.from('garbage that is not a batch at all, long enough to look like one........'));
  const data = readFileSync(segment);
  data[data.length - 100] = (data[data.length - 100] ?? 0) ^ 0xff; // flip a byte inside the last real batch
  writeFileSync(segment, data);
  const corrupt = new FileRaftLog(dir);
  t.equal(corrupt.endOffset(), 2, 'corrupt batch and everything after it dropped');
  t.same(corrupt.read(0, 1 << 20), [entry(0, 1), entry(1, 1)]);
  corrupt.close();
});

t.test('raft log: snapshots are checkpoint files and drop the covered prefix', async (t) => {
  const dir = t.testdir();
  const log = new FileRaftLog(dir);
  log.append([entry(0, 1), entry(1, 1), entry(2, 2), entry(3, 2)]);
  log.flush();
  log.createSnapshot({ endOffset: 3, epoch: 2 }, Buffer.from('state@3'));
  t.ok(existsSync(join(dir, checkpointName({ endOffset: 3, epoch: 2 }))));
  t.equal(checkpointName({ endOffset: 3, epoch: 2 }), '00000000000000000003-0000000002.checkpoint');
  t.equal(log.startOffset(), 3);
  log.append([entry(4, 2)]);
  log.flush();
  log.close();
  const again = new FileRaftLog(dir);
  t.equal(again.startOffset(), 3);
  t.equal(again.endOffset(), 5);
  t.same(again.latestSnapshotId(), { endOffset: 3, epoch: 2 });
  t.equal(again.readSnapshot({ endOffset: 3, epoch: 2 })?.toString(), 'state@3');
  t.equal(again.epochOf(2), 2);
  t.same(
    readdirSync(dir).filter((n) => n.endsWith('.log')),
    ['00000000000000000003.log'],
  );
  again.installSnapshot({ endOffset: 10, epoch: 4 }, Buffer.from('state@10'));
  again.close();
  const installed = new FileRaftLog(dir);
  t.equal(installed.startOffset(), 10);
  t.equal(installed.endOffset(), 10);
  t.same(installed.lastFetched(), { offset: 10, epoch: 4 });
  installed.close();
});

t.test('raft log: a flush writes one batch of many records; truncation inside a batch keeps its head', async (t) => {
  const dir = t.testdir();
  const log = new FileRaftLog(dir);
  log.append([entry(0, 1), entry(1, 1)]);
  log.append([entry(2, 1), entry(3, 2), entry(4, 2), entry(5, 2)]);
  t.equal(statSync(join(dir, '00000000000000000000.log')).size, 0, 'nothing written before the flush');
  log.flush();
  const batches = decodeRecordBatches(readFileSync(join(dir, '00000000000000000000.log')), {
    allowPartialTrailing: false,
  });
  t.same(
    batches.map((b) => b.records.length),
    [3, 3],
    'one batch per epoch run',
  );
  log.truncateTo(4); // inside the second batch
  t.equal(log.endOffset(), 4);
  log.append([entry(4, 3, 'new')]);
  log.truncateTo(5); // an unwritten entry stays
  t.equal(log.endOffset(), 5);
  log.flush();
  log.close();
  const again = new FileRaftLog(dir);
  t.equal(again.recoveredTailBytes, 0);
  t.same(again.read(0, 1 << 20), [entry(0, 1), entry(1, 1), entry(2, 1), entry(3, 2), entry(4, 3, 'new')]);
  again.close();
});

t.test('raft log: written payloads are read back from the file; bounded reads span written and pending', async (t) => {
  const dir = t.testdir();
  const log = new FileRaftLog(dir);
  const sized = (offset: number, epoch: number, bytes: number, control = false): RaftEntry => ({
    offset,
    epoch,
    payload: Buffer.alloc(bytes, offset),
    control,
  });
  log.append([sized(0, 1, 10, true), sized(1, 1, 10), sized(2, 2, 10), sized(3, 2, 10)]);
  log.flush();
  log.append([sized(4, 2, 10), sized(5, 3, 10)]); // pending: not in the file yet
  t.same(log.read(1, 25), [sized(1, 1, 10), sized(2, 2, 10)], 'as many as fit in maxBytes, across batches');
  t.same(log.read(3, 25), [sized(3, 2, 10), sized(4, 2, 10)], 'a written entry, then a pending one');
  t.same(log.read(5, 1), [sized(5, 3, 10)], 'at least one entry even past maxBytes');
  t.same(log.read(0, 5), [sized(0, 1, 10, true)], 'a control entry keeps its kind');
  t.same(log.read(6, 100), [], 'nothing at the end');
  t.same(log.endOffsetForEpoch(2), { epoch: 2, endOffset: 5 });
  t.same(log.endOffsetForEpoch(1), { epoch: 1, endOffset: 2 });
  log.flush();
  // Cut the file under the log: a read of a written entry must fail, never answer other bytes.
  truncateSync(join(dir, '00000000000000000000.log'), 0);
  t.throws(() => log.read(0, 100), /metadata log read/);
  log.close();
});

t.test('raft log: a snapshot inside a batch keeps the rest of it, read back after reopen', async (t) => {
  const dir = t.testdir();
  const log = new FileRaftLog(dir);
  log.append([entry(0, 1), entry(1, 1), entry(2, 1), entry(3, 1), entry(4, 2)]);
  log.flush(); // batches [0-3] and [4]
  log.append([entry(5, 2, 'pending')]);
  log.createSnapshot({ endOffset: 2, epoch: 1 }, Buffer.from('state@2'));
  t.same(log.read(2, 1 << 20), [entry(2, 1), entry(3, 1), entry(4, 2), entry(5, 2, 'pending')]);
  log.truncateTo(3); // inside the rewritten first batch
  t.same(log.read(2, 1 << 20), [entry(2, 1)]);
  log.append([entry(3, 3, 'after')]);
  log.flush();
  log.close();
  const again = new FileRaftLog(dir);
  t.equal(again.startOffset(), 2);
  t.same(again.read(2, 1 << 20), [entry(2, 1), entry(3, 3, 'after')]);
  t.equal(again.epochOf(1), 1, 'the snapshot epoch just below the start');
  again.close();
});
