import t from 'tap';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { buildRecordBatch, buildTxnMarkerBatch } from '../../protocol/records/index.js';
import { PartitionProducerState, type ProducerBatch } from './producer-state.js';
import { rebuildProducerState } from './producer-state-registry.js';
import { MemoryPartitionLog } from './memory-log.js';

const batch = (pid: bigint, epoch: number, seq: number, count = 1, transactional = false): ProducerBatch => ({
  producerId: pid,
  producerEpoch: epoch,
  baseSequence: seq,
  lastOffsetDelta: count - 1,
  transactional,
});

t.test('a new producer is accepted with any sequence, then sequences must follow', (t) => {
  const s = new PartitionProducerState();
  t.same(s.check(batch(1n, 0, 7, 3), 0), { kind: 'append' });
  s.appended(batch(1n, 0, 7, 3), 100, 0);
  t.same(s.check(batch(1n, 0, 10), 0), { kind: 'append' }, 'next in sequence');
  const gap = s.check(batch(1n, 0, 12), 0);
  t.equal(gap.kind === 'error' && gap.errorCode, ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, 'gap');
  const back = s.check(batch(1n, 0, 5), 0);
  t.equal(back.kind === 'error' && back.errorCode, ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, 'older, not cached');
  t.end();
});

t.test('a retried batch among the last five is a duplicate answered with its offsets', (t) => {
  const s = new PartitionProducerState();
  let offset = 0;
  for (let seq = 0; seq < 12; seq += 2) {
    s.appended(batch(1n, 0, seq, 2), offset, 0);
    offset += 2;
  }
  t.same(s.check(batch(1n, 0, 10, 2), 0), { kind: 'duplicate', firstOffset: 10, lastOffset: 11 });
  t.same(s.check(batch(1n, 0, 2, 2), 0), { kind: 'duplicate', firstOffset: 2, lastOffset: 3 }, 'fifth most recent');
  const evicted = s.check(batch(1n, 0, 0, 2), 0);
  t.equal(evicted.kind, 'error', 'the sixth most recent is no longer known');
  t.end();
});

t.test('epochs: older is INVALID_PRODUCER_EPOCH, newer must restart at 0', (t) => {
  const s = new PartitionProducerState();
  s.appended(batch(1n, 3, 0, 5), 0, 0);
  const old = s.check(batch(1n, 2, 5), 0);
  t.equal(old.kind === 'error' && old.errorCode, ErrorCode.INVALID_PRODUCER_EPOCH);
  const bad = s.check(batch(1n, 4, 5), 0);
  t.equal(bad.kind === 'error' && bad.errorCode, ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
  t.same(s.check(batch(1n, 4, 0), 0), { kind: 'append' });
  s.appended(batch(1n, 4, 0), 5, 0);
  t.equal(s.producers.get(1n)!.epoch, 4);
  t.end();
});

t.test('sequence wraps at int32 max', (t) => {
  const s = new PartitionProducerState();
  s.appended(batch(1n, 0, 0x7ffffffe, 2), 0, 0);
  t.same(s.check(batch(1n, 0, 0), 0), { kind: 'append' });
  t.end();
});

t.test('producer.id.expiration.ms forgets idle producers without an open transaction', (t) => {
  const s = new PartitionProducerState(1000);
  s.appended(batch(1n, 0, 0), 0, 0);
  s.appended(batch(2n, 0, 0, 1, true), 1, 0);
  t.equal(s.check(batch(1n, 0, 9), 999).kind, 'error', 'still known before expiry');
  t.same(s.check(batch(1n, 0, 9), 1000), { kind: 'append' }, 'forgotten: any sequence');
  t.equal(s.expire(5000), 0, 'the transactional producer stays while its transaction is open');
  t.ok(s.producers.has(2n));
  t.end();
});

t.test('transactions: LSO, markers, aborted index', (t) => {
  const s = new PartitionProducerState();
  s.appended(batch(1n, 0, 0, 2), 0, 0);
  t.equal(s.lastStableOffset(2), 2, 'non-transactional data is stable');
  s.appended(batch(2n, 0, 0, 3, true), 2, 0);
  s.appended(batch(3n, 0, 0, 1, true), 5, 0);
  t.equal(s.lastStableOffset(6), 2, 'held at the first open transaction');
  const plain = s.check(batch(2n, 0, 3), 0);
  t.equal(
    plain.kind === 'error' && plain.errorCode,
    ErrorCode.INVALID_TXN_STATE,
    'no plain batch inside an open transaction',
  );
  t.equal(s.marker(2n, 0, false, 0, 6, 0)?.firstOffset, 2, 'abort recorded');
  t.equal(s.lastStableOffset(7), 5, 'moves to the next open transaction');
  t.equal(s.marker(3n, 0, true, 0, 7, 0), null, 'commit not recorded');
  t.equal(s.lastStableOffset(8), 8);
  t.same(
    s.abortedOverlapping(0, 8).map((a) => [a.producerId, a.firstOffset, a.lastOffset]),
    [[2n, 2, 6]],
  );
  t.same(s.abortedOverlapping(7, 8), [], 'none past the abort');
  t.equal(s.marker(2n, 1, false, 0, 8, 0), null, 'a marker with nothing open records nothing');
  t.equal(s.producers.get(2n)!.epoch, 1, 'but bumps the epoch');
  const zombie = s.check(batch(2n, 0, 3, 1, true), 0);
  t.equal(zombie.kind === 'error' && zombie.errorCode, ErrorCode.INVALID_PRODUCER_EPOCH);
  s.trimBefore(7);
  t.same(s.abortedOverlapping(0, 100), []);
  t.end();
});

t.test('rebuild from the log replays batches and markers', (t) => {
  const log = new MemoryPartitionLog();
  const records = (n: number) => Array.from({ length: n }, (_, i) => ({ value: Buffer.from(`v${i}`), timestamp: 1n }));
  log.append(buildRecordBatch({ records: records(2), producerId: 5n, producerEpoch: 0, baseSequence: 0 }), {
    leaderEpoch: 0,
  });
  log.append(
    buildRecordBatch({ records: records(3), producerId: 6n, producerEpoch: 1, baseSequence: 0, transactional: true }),
    { leaderEpoch: 0 },
  );
  log.append(buildTxnMarkerBatch({ producerId: 6n, producerEpoch: 1, coordinatorEpoch: 0, commit: false }), {
    leaderEpoch: 0,
  });
  log.append(
    buildRecordBatch({ records: records(1), producerId: 7n, producerEpoch: 0, baseSequence: 0, transactional: true }),
    { leaderEpoch: 0 },
  );
  log.append(buildRecordBatch({ records: records(1) }), { leaderEpoch: 0 });
  const s = rebuildProducerState(log, 0);
  t.same(s.check({ producerId: 5n, producerEpoch: 0, baseSequence: 0, lastOffsetDelta: 1, transactional: false }, 0), {
    kind: 'duplicate',
    firstOffset: 0,
    lastOffset: 1,
  });
  t.equal(s.lastStableOffset(log.logEndOffset), 6, 'producer 7 still open at 6');
  t.same(
    s.abortedOverlapping(0, 10).map((a) => [a.producerId, a.firstOffset, a.lastOffset]),
    [[6n, 2, 5]],
  );
  t.end();
});

t.test('KIP-890 verification guard: kept until the first append or a marker', (t) => {
  const s = new PartitionProducerState();
  t.notOk(s.inTransaction(4n, 0));
  s.markVerified(4n, 0);
  t.ok(s.isVerified(4n, 0));
  t.notOk(s.isVerified(4n, 1), 'another epoch is not verified');
  s.appended(batch(4n, 0, 0, 1, true), 0, 0);
  t.ok(s.inTransaction(4n, 0), 'the first append opens the transaction');
  t.notOk(s.isVerified(4n, 0), 'and uses up the guard');
  s.marker(4n, 0, true, 0, 1, 0);
  t.notOk(s.inTransaction(4n, 0));
  s.markVerified(4n, 0);
  s.marker(4n, 0, false, 0, 2, 0);
  t.notOk(s.isVerified(4n, 0), 'a marker after the verification drops the guard: the write must verify again');
  t.end();
});
