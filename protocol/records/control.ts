/**
 * Control records: the transaction markers a coordinator writes into partitions.
 * Key = version int16 (0) + type int16 (0 ABORT, 1 COMMIT); the end-transaction marker
 * value = version int16 (0) + coordinatorEpoch int32. A control batch carries one such
 * record with the control and transactional attributes set. Leaves out the other
 * control types Kafka has added for KRaft (leader change, snapshot header/footer):
 * their keys parse here, their values are left to the caller.
 */
import { NO_TIMESTAMP } from './batch-header.js';
import { buildRecordBatch } from './batch-encode.js';
import { RecordsError } from './errors.js';
import type { DecodedRecord } from './record.js';

export const ControlRecordType = {
  ABORT: 0,
  COMMIT: 1,
  LEADER_CHANGE: 2,
  SNAPSHOT_HEADER: 3,
  SNAPSHOT_FOOTER: 4,
} as const;

const CONTROL_KEY_VERSION = 0;
const END_TXN_MARKER_VERSION = 0;
const CONTROL_KEY_SIZE = 4;
const END_TXN_MARKER_SIZE = 6;

export interface ControlRecordKey {
  version: number;
  type: number;
}

export interface EndTxnMarker {
  version: number;
  coordinatorEpoch: number;
}

export function encodeControlKey(type: number, version = CONTROL_KEY_VERSION): Buffer {
  const key = Buffer.alloc(CONTROL_KEY_SIZE);
  key.writeInt16BE(version, 0);
  key.writeInt16BE(type, 2);
  return key;
}

export function decodeControlKey(key: Buffer | null): ControlRecordKey {
  if (key === null || key.length < CONTROL_KEY_SIZE) {
    throw new RecordsError(
      'record',
      `control record key needs ${CONTROL_KEY_SIZE} bytes, has ${key?.length ?? 'null'}`,
    );
  }
  const version = key.readInt16BE(0);
  if (version < 0) throw new RecordsError('record', `control record key has version ${version}`);
  return { version, type: key.readInt16BE(2) };
}

export function encodeEndTxnMarker(coordinatorEpoch: number, version = END_TXN_MARKER_VERSION): Buffer {
  const value = Buffer.alloc(END_TXN_MARKER_SIZE);
  value.writeInt16BE(version, 0);
  value.writeInt32BE(coordinatorEpoch, 2);
  return value;
}

export function decodeEndTxnMarker(value: Buffer | null): EndTxnMarker {
  if (value === null || value.length < END_TXN_MARKER_SIZE) {
    throw new RecordsError(
      'record',
      `end transaction marker needs ${END_TXN_MARKER_SIZE} bytes, has ${value?.length ?? 'null'}`,
    );
  }
  const version = value.readInt16BE(0);
  if (version < 0) throw new RecordsError('record', `end transaction marker has version ${version}`);
  return { version, coordinatorEpoch: value.readInt32BE(2) };
}

export interface TxnMarkerBatchOptions {
  producerId: bigint;
  producerEpoch: number;
  coordinatorEpoch: number;
  commit: boolean;
  /** Marker timestamp in ms (the broker's clock). */
  timestamp?: bigint;
  baseOffset?: bigint;
  partitionLeaderEpoch?: number;
}

/** A complete control batch holding one COMMIT or ABORT marker. */
export function buildTxnMarkerBatch(options: TxnMarkerBatchOptions): Buffer {
  const timestamp = options.timestamp ?? NO_TIMESTAMP;
  return buildRecordBatch({
    records: [
      {
        key: encodeControlKey(options.commit ? ControlRecordType.COMMIT : ControlRecordType.ABORT),
        value: encodeEndTxnMarker(options.coordinatorEpoch),
        timestamp,
      },
    ],
    control: true,
    transactional: true,
    producerId: options.producerId,
    producerEpoch: options.producerEpoch,
    baseSequence: -1,
    ...(options.baseOffset === undefined ? {} : { baseOffset: options.baseOffset }),
    ...(options.partitionLeaderEpoch === undefined ? {} : { partitionLeaderEpoch: options.partitionLeaderEpoch }),
  });
}

export interface TxnMarker {
  commit: boolean;
  coordinatorEpoch: number;
  type: number;
}

/** Reads the marker of a decoded control record; null for control types that are not markers. */
export function readTxnMarker(record: DecodedRecord): TxnMarker | null {
  const key = decodeControlKey(record.key);
  if (key.type !== ControlRecordType.ABORT && key.type !== ControlRecordType.COMMIT) return null;
  const marker = decodeEndTxnMarker(record.value);
  return { commit: key.type === ControlRecordType.COMMIT, coordinatorEpoch: marker.coordinatorEpoch, type: key.type };
}
