import t from 'tap';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { ManualClock } from '../common/clock.js';
import { MAX_PRODUCER_EPOCH, TransactionCoordinator, type TxnEnvironment } from './coordinator.js';
import {
  decodeTxnRecord,
  encodeTxnRecord,
  partitionForTransactionalId,
  type TxnLogRecord,
  type TxnMetadata,
} from './txn-log.js';
import { TXN_TRANSITIONS, TxnState, checkTxnTransition, type TxnStateId } from './txn-state.js';
import { PendingOffsets } from './pending-offsets.js';

interface Harness {
  c: TransactionCoordinator;
  clock: ManualClock;
  log: TxnLogRecord[];
  markers: Array<{ id: string; pid: bigint; epoch: number; commit: boolean; partitions: string[] }>;
  failAppends: { on: boolean };
  /** When on, markers are not confirmed until `release` runs the held callbacks. */
  holdMarkers: { on: boolean; held: Map<string, (now: number) => void> };
  release(now: number): void;
}

function harness(maxTimeoutMs = 60_000, abortTimedOutIntervalMs = 10_000): Harness {
  const clock = new ManualClock(1_000);
  const log: TxnLogRecord[] = [];
  const markers: Harness['markers'] = [];
  const failAppends = { on: false };
  const holdMarkers: Harness['holdMarkers'] = { on: false, held: new Map() };
  let nextPid = 1000n;
  const env: TxnEnvironment = {
    append: (_p, record) => {
      if (failAppends.on) throw new Error('log down');
      // Round-trip through the stored format, as the broker does.
      const { key, value } = encodeTxnRecord(record);
      const back = decodeTxnRecord(key, value)!;
      log.push(back);
    },
    numPartitions: () => 50,
    nextProducerId: () => nextPid++,
    sendMarkers: (txn: TxnMetadata, commit, done) => {
      if (holdMarkers.held.has(txn.transactionalId)) return;
      markers.push({
        id: txn.transactionalId,
        pid: txn.producerId,
        epoch: txn.producerEpoch,
        commit,
        partitions: [...txn.partitions].flatMap(([topic, ps]) => [...ps].map((p) => `${topic}-${p}`)),
      });
      if (holdMarkers.on) holdMarkers.held.set(txn.transactionalId, done);
      else done(clock.now());
    },
    sendingMarkers: (id) => holdMarkers.held.has(id),
  };
  const c = new TransactionCoordinator(
    { maxTimeoutMs, transactionalIdExpirationMs: 3_600_000, abortTimedOutIntervalMs },
    env,
  );
  const release = (now: number): void => {
    const held = [...holdMarkers.held.values()];
    holdMarkers.held.clear();
    for (const done of held) done(now);
  };
  return { c, clock, log, markers, failAppends, holdMarkers, release };
}

const tp = (topic: string, ...partitions: number[]) => ({ topic, partitions });

t.test('the transition table matches Kafka and rejects illegal moves', (t) => {
  t.doesNotThrow(() => checkTxnTransition('x', TxnState.Ongoing, TxnState.PrepareCommit));
  t.throws(() => checkTxnTransition('x', TxnState.Empty, TxnState.PrepareCommit), {
    name: 'IllegalTxnTransitionError',
  });
  t.throws(() => checkTxnTransition('x', TxnState.PrepareCommit, TxnState.CompleteAbort));
  t.same(TXN_TRANSITIONS[TxnState.Dead], []);
  for (const [from, tos] of Object.entries(TXN_TRANSITIONS)) {
    for (const to of tos) t.doesNotThrow(() => checkTxnTransition('x', Number(from) as TxnStateId, to));
  }
  t.end();
});

t.test('InitProducerId: idempotent, new transactional id, epoch bumps, timeout bounds', (t) => {
  const h = harness();
  t.same(h.c.initProducerId(null, 0, null, h.clock.now()), { errorCode: 0, producerId: 1000n, producerEpoch: 0 });
  t.equal(h.c.initProducerId('', 1000, null, 0).errorCode, ErrorCode.INVALID_REQUEST);
  t.equal(h.c.initProducerId('a', 0, null, 0).errorCode, ErrorCode.INVALID_TRANSACTION_TIMEOUT);
  t.equal(h.c.initProducerId('a', 60_001, null, 0).errorCode, ErrorCode.INVALID_TRANSACTION_TIMEOUT);
  const first = h.c.initProducerId('a', 10_000, null, h.clock.now());
  t.same(first, { errorCode: 0, producerId: 1001n, producerEpoch: 0 });
  const again = h.c.initProducerId('a', 10_000, null, h.clock.now());
  t.same(again, { errorCode: 0, producerId: 1001n, producerEpoch: 1 }, 're-init bumps the epoch');
  t.equal(h.c.stateOf('a'), TxnState.Empty);
  t.equal(h.log.length, 2, 'each change is written to the log');
  // KIP-360: a client naming its producer id and epoch.
  t.same(h.c.initProducerId('a', 10_000, { producerId: 1001n, epoch: 1 }, 0), {
    errorCode: 0,
    producerId: 1001n,
    producerEpoch: 2,
  });
  t.same(
    h.c.initProducerId('a', 10_000, { producerId: 1001n, epoch: 1 }, 0),
    { errorCode: 0, producerId: 1001n, producerEpoch: 2 },
    'a retried bump gets the same answer',
  );
  t.equal(h.c.initProducerId('a', 10_000, { producerId: 1001n, epoch: 0 }, 0).errorCode, ErrorCode.PRODUCER_FENCED);
  t.equal(h.c.initProducerId('a', 10_000, { producerId: 77n, epoch: 2 }, 0).errorCode, ErrorCode.PRODUCER_FENCED);
  t.end();
});

t.test('epoch exhaustion moves to a new producer id', (t) => {
  const h = harness();
  h.c.initProducerId('a', 1000, null, 0);
  h.c.txns.get('a')!.producerEpoch = MAX_PRODUCER_EPOCH;
  const r = h.c.initProducerId('a', 1000, null, 0);
  t.same(r, { errorCode: 0, producerId: 1001n, producerEpoch: 0 });
  t.end();
});

t.test('commit: partitions, offsets, markers, retries and wrong decisions', (t) => {
  const h = harness();
  const { producerId: pid, producerEpoch: epoch } = h.c.initProducerId('a', 10_000, null, h.clock.now());
  t.equal(h.c.endTxn('a', pid, epoch, true, 0), ErrorCode.INVALID_TXN_STATE, 'nothing to commit');
  t.equal(h.c.addPartitions('a', pid, epoch, [tp('t', 0, 1)], h.clock.now()), 0);
  t.equal(h.c.stateOf('a'), TxnState.Ongoing);
  const writes = h.log.length;
  t.equal(h.c.addPartitions('a', pid, epoch, [tp('t', 1)], h.clock.now()), 0);
  t.equal(h.log.length, writes, 'adding a partition already in the transaction writes nothing');
  t.equal(h.c.addPartitions('a', pid, epoch, [tp('__consumer_offsets', 3)], h.clock.now()), 0);
  t.equal(h.c.verifyPartition('a', pid, epoch, 't', 1), 0);
  t.equal(h.c.verifyPartition('a', pid, epoch, 't', 2), ErrorCode.INVALID_TXN_STATE);
  t.equal(h.c.checkOffsetCommit('a', pid, epoch, '__consumer_offsets', 3), 0);
  t.equal(h.c.checkOffsetCommit('a', pid, epoch, '__consumer_offsets', 4), ErrorCode.INVALID_TXN_STATE);
  t.equal(h.c.endTxn('a', pid, epoch + 1, true, 0), ErrorCode.PRODUCER_FENCED);
  t.equal(h.c.endTxn('a', 5n, epoch, true, 0), ErrorCode.INVALID_PRODUCER_ID_MAPPING);
  t.equal(h.c.endTxn('a', pid, epoch, true, h.clock.now()), 0);
  t.equal(h.c.stateOf('a'), TxnState.CompleteCommit);
  t.same(h.markers, [{ id: 'a', pid, epoch, commit: true, partitions: ['t-0', 't-1', '__consumer_offsets-3'] }]);
  const states = h.log.slice(-2).map((r) => r.value!.state);
  t.same(states, [TxnState.PrepareCommit, TxnState.CompleteCommit]);
  t.equal(h.c.endTxn('a', pid, epoch, true, 0), 0, 'a retried commit succeeds');
  t.equal(h.c.endTxn('a', pid, epoch, false, 0), ErrorCode.INVALID_TXN_STATE, 'abort after commit is refused');
  t.end();
});

t.test('abort sends ABORT markers', (t) => {
  const h = harness();
  const { producerId: pid, producerEpoch: epoch } = h.c.initProducerId('a', 10_000, null, 0);
  h.c.addPartitions('a', pid, epoch, [tp('t', 0), tp('__consumer_offsets', 0)], 0);
  t.equal(h.c.endTxn('a', pid, epoch, false, 0), 0);
  t.equal(h.c.stateOf('a'), TxnState.CompleteAbort);
  t.equal(h.markers[0]!.commit, false);
  t.end();
});

t.test('pending transactional offsets wait per producer and group partition', (t) => {
  const pending = new PendingOffsets();
  const o = (offset: bigint) => [{ topic: 'in', partition: 0, offset, leaderEpoch: -1, metadata: '' }];
  pending.add(7n, 'g1', o(1n), 1);
  pending.add(7n, 'g2', o(2n), 2);
  pending.add(8n, 'g1', o(3n), 3);
  t.ok(pending.has('g1', 'in', 0));
  const taken = pending.take(7n, (g) => g === 'g1');
  t.same([...taken.keys()], ['g1']);
  t.equal(taken.get('g1')![0]!.offset, 1n);
  t.ok(pending.has('g2', 'in', 0), 'the other group (another partition) still waits for its marker');
  t.same([...pending.take(7n).keys()], ['g2']);
  t.same([...pending.take(7n).keys()], []);
  t.ok(pending.has('g1', 'in', 0), "another producer's offsets stay");
  t.end();
});

t.test('markers written later: Prepare* until every marker is written, then Complete*', (t) => {
  const h = harness();
  h.holdMarkers.on = true;
  const { producerId: pid, producerEpoch: epoch } = h.c.initProducerId('a', 10_000, null, 0);
  h.c.addPartitions('a', pid, epoch, [tp('t', 0)], 0);
  t.equal(h.c.endTxn('a', pid, epoch, true, 0), 0, 'EndTxn answers once PrepareCommit is written');
  t.equal(h.c.stateOf('a'), TxnState.PrepareCommit);
  t.equal(h.c.endTxn('a', pid, epoch, true, 0), ErrorCode.CONCURRENT_TRANSACTIONS);
  t.equal(h.c.addPartitions('a', pid, epoch, [tp('t', 1)], 0), ErrorCode.CONCURRENT_TRANSACTIONS);
  t.equal(h.c.initProducerId('a', 10_000, null, 0).errorCode, ErrorCode.CONCURRENT_TRANSACTIONS);
  t.equal(h.c.nextDeadline(), null, 'no retry deadline while the sender works');
  h.c.poll(5_000);
  t.equal(h.markers.length, 1, 'poll does not send again while markers are in flight');
  h.release(6_000);
  t.equal(h.c.stateOf('a'), TxnState.CompleteCommit);
  t.equal(h.c.endTxn('a', pid, epoch, true, 0), 0);

  // An abandoned send (a newer coordinator epoch somewhere) is tried again after a pause.
  h.c.addPartitions('a', pid, epoch, [tp('t', 0)], 7_000);
  h.c.endTxn('a', pid, epoch, false, 7_000);
  h.holdMarkers.held.clear();
  h.c.markersAbandoned('a', 7_000);
  t.equal(h.c.nextDeadline(), 8_000);
  h.holdMarkers.on = false;
  h.c.poll(8_000);
  t.equal(h.c.stateOf('a'), TxnState.CompleteAbort);
  t.equal(h.markers.length, 3);

  // Fencing an open transaction whose markers are slow: InitProducerId is retried.
  h.holdMarkers.on = true;
  h.c.addPartitions('a', pid, epoch, [tp('t', 0)], 9_000);
  const first = h.c.initProducerId('a', 10_000, null, 9_000);
  t.equal(first.errorCode, ErrorCode.CONCURRENT_TRANSACTIONS);
  t.equal(h.c.stateOf('a'), TxnState.PrepareAbort);
  h.release(9_500);
  const second = h.c.initProducerId('a', 10_000, null, 9_600);
  t.equal(second.errorCode, 0);
  t.equal(second.producerEpoch, epoch + 2, 'the fence bumped once, the new producer once more');
  t.end();
});

t.test('a new producer with the same id fences the old one and aborts its transaction', (t) => {
  const h = harness();
  const old = h.c.initProducerId('a', 10_000, null, 0);
  h.c.addPartitions('a', old.producerId, old.producerEpoch, [tp('t', 0)], 0);
  const fresh = h.c.initProducerId('a', 10_000, null, 0);
  t.equal(fresh.producerEpoch, old.producerEpoch + 2, 'one bump for the fencing abort, one for the new producer');
  t.same(h.markers, [
    { id: 'a', pid: old.producerId, epoch: old.producerEpoch + 1, commit: false, partitions: ['t-0'] },
  ]);
  t.equal(h.c.addPartitions('a', old.producerId, old.producerEpoch, [tp('t', 1)], 0), ErrorCode.PRODUCER_FENCED);
  t.equal(h.c.endTxn('a', old.producerId, old.producerEpoch, true, 0), ErrorCode.PRODUCER_FENCED);
  t.equal(h.c.verifyPartition('a', old.producerId, old.producerEpoch, 't', 0), ErrorCode.INVALID_PRODUCER_EPOCH);
  t.equal(
    h.c.checkOffsetCommit('a', old.producerId, old.producerEpoch, '__consumer_offsets', 0),
    ErrorCode.INVALID_PRODUCER_EPOCH,
  );
  t.end();
});

t.test('transactions past their timeout are aborted by the next scan, with an epoch bump', (t) => {
  const h = harness();
  const p = h.c.initProducerId('a', 5_000, null, h.clock.now());
  t.equal(h.c.addPartitions('a', p.producerId, p.producerEpoch, [tp('t', 0)], h.clock.now()), 0);
  // Started at 1 000 with a 5 s timeout: past it from 6 000; the scans run every 10 s (Kafka's default).
  t.equal(h.c.nextDeadline(), 10_000, 'the first scan after the timeout');
  h.clock.advance(5_500);
  h.c.poll(h.clock.now());
  t.equal(h.c.stateOf('a'), TxnState.Ongoing, 'past its timeout but no scan yet: not aborted (as Kafka)');
  h.clock.advance(10_000 - 1 - h.clock.now());
  h.c.poll(h.clock.now());
  t.equal(h.c.stateOf('a'), TxnState.Ongoing);
  h.clock.advance(1);
  h.c.poll(h.clock.now());
  t.equal(h.c.stateOf('a'), TxnState.CompleteAbort, 'aborted by the scan at 10 000');
  t.equal(h.markers[0]!.epoch, p.producerEpoch + 1);
  t.equal(
    h.c.endTxn('a', p.producerId, p.producerEpoch, true, h.clock.now()),
    ErrorCode.PRODUCER_FENCED,
    'the timed-out producer is fenced',
  );
  t.end();
});

t.test('a scan finds only transactions whose timeout passed strictly before it', (t) => {
  const h = harness(60_000, 1_000);
  const p = h.c.initProducerId('a', 5_000, null, h.clock.now());
  t.equal(h.c.addPartitions('a', p.producerId, p.producerEpoch, [tp('t', 0)], h.clock.now()), 0);
  // past the timeout at 6 000; the scan at 6 000 does not count it (start + timeout < scan), the one at 7 000 does
  t.equal(h.c.nextDeadline(), 7_000);
  h.clock.advance(5_000);
  h.c.poll(h.clock.now());
  t.equal(h.c.stateOf('a'), TxnState.Ongoing, 'the scan at 6 000 leaves it');
  h.clock.advance(1_000);
  h.c.poll(h.clock.now());
  t.equal(h.c.stateOf('a'), TxnState.CompleteAbort, 'the scan at 7 000 aborts it');
  t.end();
});

t.test('idle transactional ids expire into tombstones', (t) => {
  const h = harness();
  h.c.initProducerId('a', 5_000, null, h.clock.now());
  h.clock.advance(3_600_000);
  h.c.poll(h.clock.now());
  t.equal(h.c.stateOf('a'), undefined);
  t.equal(h.log[h.log.length - 1]!.value, null);
  t.end();
});

t.test('replay restores state; recover finishes a transaction caught in PrepareCommit', (t) => {
  const h = harness();
  const p = h.c.initProducerId('a', 10_000, null, 0);
  h.c.addPartitions('a', p.producerId, p.producerEpoch, [tp('t', 0)], 0);
  const prepared: TxnLogRecord = {
    transactionalId: 'a',
    value: { ...h.log[h.log.length - 1]!.value!, state: TxnState.PrepareCommit },
  };
  const h2 = harness();
  for (const r of [...h.log, prepared]) h2.c.replay(r);
  t.equal(h2.c.stateOf('a'), TxnState.PrepareCommit);
  t.equal(h2.c.initProducerId('a', 10_000, null, 0).errorCode, ErrorCode.CONCURRENT_TRANSACTIONS);
  h2.c.recover();
  t.equal(h2.c.stateOf('a'), TxnState.CompleteCommit);
  t.same(
    h2.markers.map((m) => [m.commit, m.partitions]),
    [[true, ['t-0']]],
  );
  t.end();
});

t.test('a log that cannot be written answers COORDINATOR_NOT_AVAILABLE and changes nothing', (t) => {
  const h = harness();
  const p = h.c.initProducerId('a', 10_000, null, 0);
  h.failAppends.on = true;
  t.equal(h.c.addPartitions('a', p.producerId, p.producerEpoch, [tp('t', 0)], 0), ErrorCode.COORDINATOR_NOT_AVAILABLE);
  t.equal(h.c.stateOf('a'), TxnState.Empty);
  t.equal(h.c.initProducerId('b', 10_000, null, 0).errorCode, ErrorCode.COORDINATOR_NOT_AVAILABLE);
  t.end();
});

t.test('a __transaction_state partition unloads its ids only; a reload finishes its half-done commits only', (t) => {
  const h = harness();
  const now = h.clock.now();
  const ids = ['txn-a', 'txn-b', 'txn-c', 'txn-d', 'txn-e'];
  for (const id of ids) h.c.initProducerId(id, 10_000, null, now);
  const byPartition = new Map<number, string[]>();
  for (const id of ids) {
    const p = partitionForTransactionalId(id, 50);
    byPartition.set(p, [...(byPartition.get(p) ?? []), id]);
  }
  const [moved, kept] = [...byPartition.entries()];
  t.ok(moved && kept, 'ids on at least two partitions');
  const [movedPartition, movedIds] = moved!;
  const movedId = movedIds[0]!;
  const m = h.c.txns.get(movedId)!;
  t.equal(h.c.addPartitions(movedId, m.producerId, m.producerEpoch, [tp('t', 0)], now), 0);
  // Its record in PrepareCommit, as a coordinator that died between Prepare and Complete left it.
  const preparing = { ...h.c.txns.get(movedId)!, state: TxnState.PrepareCommit };

  h.c.unloadPartition(movedPartition);
  for (const id of movedIds) t.notOk(h.c.txns.has(id), `${id} unloaded`);
  for (const id of kept![1]) t.ok(h.c.txns.has(id), `${id} (another partition) stays`);

  h.c.replay({ transactionalId: movedId, value: preparing });
  h.c.recover((id) => partitionForTransactionalId(id, 50) === movedPartition);
  t.equal(h.c.stateOf(movedId), TxnState.CompleteCommit, 'the reloaded PrepareCommit is completed');
  t.same(
    h.markers.map((k) => [k.id, k.commit]),
    [[movedId, true]],
    'its markers are written',
  );
  t.end();
});

t.test('transaction version 2: EndTxn bumps the epoch, markers carry it, retries and fencing', (t) => {
  const h = harness();
  const { producerId: pid, producerEpoch: e0 } = h.c.initProducerId('v2', 1000, null, h.clock.now());
  t.equal(h.c.addPartitions('v2', pid, e0, [tp('out', 0)], h.clock.now(), 2), 0, 'added by a partition leader');
  t.equal(h.c.txns.get('v2')!.clientTransactionVersion, 2, 'recorded as TV2');
  t.equal(h.c.endTxn('v2', pid, e0, true, h.clock.now(), 2), 0);
  t.same(h.c.producerAfterEnd('v2'), { producerId: pid, producerEpoch: e0 + 1 });
  t.same(h.markers.at(-1), { id: 'v2', pid, epoch: e0 + 1, commit: true, partitions: ['out-0'] }, 'bumped marker');
  const stored = h.log.at(-1)!.value!;
  t.same(
    [stored.state, stored.producerEpoch, stored.clientTransactionVersion],
    [TxnState.CompleteCommit, e0 + 1, 2],
    'the TV2 fields survive the stored format (TransactionLogValue v1)',
  );
  t.equal(h.c.endTxn('v2', pid, e0, true, h.clock.now(), 2), 0, 'a retry names the epoch before the bump');
  t.equal(h.c.endTxn('v2', pid, e0, false, h.clock.now(), 2), ErrorCode.INVALID_TXN_STATE);
  t.equal(h.c.endTxn('v2', pid, e0 - 1, true, h.clock.now(), 2), ErrorCode.PRODUCER_FENCED, 'older: fenced');
  t.equal(h.c.addPartitions('v2', pid, e0, [tp('out', 0)], h.clock.now(), 2), ErrorCode.PRODUCER_FENCED);

  // Held markers: Prepare* accepts only the retry.
  h.holdMarkers.on = true;
  const e1 = e0 + 1;
  t.equal(h.c.addPartitions('v2', pid, e1, [tp('out', 1)], h.clock.now(), 2), 0);
  t.equal(h.c.endTxn('v2', pid, e1, false, h.clock.now(), 2), 0);
  t.equal(h.c.stateOf('v2'), TxnState.PrepareAbort);
  t.equal(h.c.endTxn('v2', pid, e1, false, h.clock.now(), 2), ErrorCode.CONCURRENT_TRANSACTIONS, 'retry meanwhile');
  t.equal(h.c.endTxn('v2', pid, e1 + 1, false, h.clock.now(), 2), ErrorCode.PRODUCER_FENCED, 'not the bumped one');
  t.equal(
    h.c.addPartitions('v2', pid, e1 + 1, [tp('out', 0)], h.clock.now(), 2),
    ErrorCode.CONCURRENT_TRANSACTIONS,
    'the next transaction waits for the markers',
  );
  h.release(h.clock.now());
  t.equal(h.c.stateOf('v2'), TxnState.CompleteAbort);
  t.end();
});

t.test('transaction version 2: an exhausted epoch moves to a new producer id at Complete*', (t) => {
  const h = harness();
  const { producerId: pid } = h.c.initProducerId('ov', 1000, null, h.clock.now());
  const m = h.c.txns.get('ov')!;
  h.c.replay({ transactionalId: 'ov', value: { ...m, producerEpoch: MAX_PRODUCER_EPOCH } });
  t.equal(h.c.addPartitions('ov', pid, MAX_PRODUCER_EPOCH, [tp('out', 0)], h.clock.now(), 2), 0);
  h.holdMarkers.on = true;
  t.equal(h.c.endTxn('ov', pid, MAX_PRODUCER_EPOCH, true, h.clock.now(), 2), 0);
  const prepared = h.c.txns.get('ov')!;
  t.same(
    [prepared.producerId, prepared.producerEpoch, prepared.nextProducerId >= 0n],
    [pid, MAX_PRODUCER_EPOCH + 1, true],
    'markers go out with the old id at epoch 32767; the next id is recorded',
  );
  const next = prepared.nextProducerId;
  t.same(h.c.producerAfterEnd('ov'), { producerId: next, producerEpoch: 0 }, 'the client continues with the new id');
  t.equal(h.markers.at(-1)!.epoch, MAX_PRODUCER_EPOCH + 1);
  h.release(h.clock.now());
  const done = h.c.txns.get('ov')!;
  t.same(
    [done.state, done.producerId, done.producerEpoch, done.previousProducerId, done.nextProducerId],
    [TxnState.CompleteCommit, next, 0, pid, -1n],
  );
  t.equal(h.c.endTxn('ov', pid, MAX_PRODUCER_EPOCH, true, h.clock.now(), 2), 0, 'a retry with the old id goes through');
  t.same(h.c.producerAfterEnd('ov'), { producerId: next, producerEpoch: 0 });
  t.equal(h.c.addPartitions('ov', next, 0, [tp('out', 0)], h.clock.now(), 2), 0, 'the new id works');
  t.end();
});

t.test('transaction version 2: a timed-out transaction fences the client, whose old-epoch EndTxn is no retry', (t) => {
  const h = harness();
  const { producerId: pid, producerEpoch: e0 } = h.c.initProducerId('to', 1000, null, h.clock.now());
  h.c.addPartitions('to', pid, e0, [tp('out', 0)], h.clock.now(), 2);
  h.clock.advance(10_000); // the first timed-out-transaction scan after its timeout
  h.c.poll(h.clock.now());
  t.equal(h.c.stateOf('to'), TxnState.CompleteAbort);
  t.equal(h.c.endTxn('to', pid, e0, true, h.clock.now(), 2), ErrorCode.PRODUCER_FENCED);
  t.end();
});
