import t from 'tap';
import {
  buildTxnMarkerBatch,
  decodeControlKey,
  decodeEndTxnMarker,
  encodeControlKey,
  encodeEndTxnMarker,
  readTxnMarker,
  ControlRecordType,
} from './control.js';
import { decodeRecordBatch } from './batch-decode.js';
import { validateRecordBatches } from './validate.js';
import { throwsRecordsError } from './test-helpers.js';

t.test('control keys and end-transaction markers round-trip', async (t) => {
  t.same(encodeControlKey(ControlRecordType.COMMIT), Buffer.from([0, 0, 0, 1]));
  t.same(decodeControlKey(encodeControlKey(ControlRecordType.ABORT)), { version: 0, type: 0 });
  t.same(encodeEndTxnMarker(7), Buffer.from([0, 0, 0, 0, 0, 7]));
  t.same(decodeEndTxnMarker(encodeEndTxnMarker(-1)), { version: 0, coordinatorEpoch: -1 });
  throwsRecordsError(t, () => decodeControlKey(Buffer.from([0, 0])), 'record');
  throwsRecordsError(t, () => decodeControlKey(null), 'record');
  throwsRecordsError(t, () => decodeEndTxnMarker(Buffer.from([0, 0, 0])), 'record');
});

t.test('a marker batch carries control + transactional attributes and one marker', async (t) => {
  for (const commit of [true, false]) {
    const bytes = buildTxnMarkerBatch({
      producerId: 99n,
      producerEpoch: 4,
      coordinatorEpoch: 12,
      commit,
      timestamp: 1234n,
      baseOffset: 77n,
    });
    const batch = decodeRecordBatch(bytes);
    t.equal(batch.control, true);
    t.equal(batch.transactional, true);
    t.equal(batch.producerId, 99n);
    t.equal(batch.producerEpoch, 4);
    t.equal(batch.baseSequence, -1);
    t.equal(batch.records.length, 1);
    t.equal(batch.records[0]!.offset, 77n);
    t.equal(batch.records[0]!.timestamp, 1234n);
    t.same(readTxnMarker(batch.records[0]!), { commit, coordinatorEpoch: 12, type: commit ? 1 : 0 });
    t.equal(validateRecordBatches(bytes, { origin: 'replication' }).length, 1);
    throwsRecordsError(t, () => validateRecordBatches(bytes), 'not-allowed');
  }
});

t.test('non-marker control types read as null markers', async (t) => {
  const record = {
    offset: 0n,
    offsetDelta: 0,
    timestamp: 0n,
    timestampDelta: 0n,
    attributes: 0,
    key: encodeControlKey(ControlRecordType.LEADER_CHANGE),
    value: null,
    headers: [],
  };
  t.equal(readTxnMarker(record), null);
});
