/**
 * The records the transaction coordinator writes to `__transaction_state`, in Kafka's
 * formats: key = int16 version (0) + TransactionLogKey; value = int16 version + TransactionLogValue,
 * or null (a tombstone for an expired transactional id). The value is v0 while the transaction
 * version 2 fields (KIP-890 part 2: PreviousProducerId, NextProducerId, ClientTransactionVersion,
 * tagged fields of v1) hold their defaults, v1 otherwise, as Kafka 4 writes them. Also the
 * in-memory form of a transactional id's state and which partition holds it.
 */
import { Reader, Writer } from '../../protocol/primitives/index.js';
import {
  decodeTransactionLogKey,
  encodeTransactionLogKey,
} from '../../protocol/generated/records/transaction-coordinator/TransactionLogKey.js';
import {
  decodeTransactionLogValue,
  defaultTransactionLogValue,
  encodeTransactionLogValue,
} from '../../protocol/generated/records/transaction-coordinator/TransactionLogValue.js';
import { partitionForGroup } from '../groups/records.js';
import { isTxnStateId, type TxnStateId } from './txn-state.js';

export const TXN_KEY_VERSION = 0;
export const TXN_VALUE_VERSION = 0;
/** The first TransactionLogValue version with the transaction version 2 tagged fields. */
export const TXN_VALUE_TV2_VERSION = 1;

/** One transactional id's state, as stored. */
export interface TxnMetadata {
  transactionalId: string;
  producerId: bigint;
  /** The epoch before the last bump, -1 when none (lets a retried InitProducerId through). */
  lastProducerEpoch: number;
  producerEpoch: number;
  timeoutMs: number;
  state: TxnStateId;
  /** Partitions in the transaction, as `topic` -> partition ids. */
  partitions: Map<string, Set<number>>;
  startTimestamp: number;
  lastUpdateTimestamp: number;
  /** The transaction version the client used (0 or 1: transaction version 1; 2: KIP-890 part 2). */
  clientTransactionVersion: number;
  /** TV2: the producer id before an epoch overflow moved to a new one (lets a retried EndTxn through), else -1. */
  previousProducerId: bigint;
  /** TV2: the producer id to move to when the prepared transaction completes (the epoch overflowed), else -1. */
  nextProducerId: bigint;
}

export interface TxnLogRecord {
  transactionalId: string;
  /** null: a tombstone. */
  value: TxnMetadata | null;
}

/** The `__transaction_state` partition of a transactional id (same hash as groups). */
export function partitionForTransactionalId(transactionalId: string, numPartitions: number): number {
  return partitionForGroup(transactionalId, numPartitions);
}

export function encodeTxnRecord(record: TxnLogRecord): { key: Buffer; value: Buffer | null } {
  const k = new Writer(64);
  k.int16(TXN_KEY_VERSION);
  encodeTransactionLogKey(k, TXN_KEY_VERSION, { transactionalId: record.transactionalId });
  const m = record.value;
  if (m === null) return { key: k.toBuffer(), value: null };
  const v = new Writer(128);
  const tv2 = m.clientTransactionVersion !== 0 || m.previousProducerId !== -1n || m.nextProducerId !== -1n;
  const version = tv2 ? TXN_VALUE_TV2_VERSION : TXN_VALUE_VERSION;
  v.int16(version);
  encodeTransactionLogValue(v, version, {
    ...defaultTransactionLogValue(),
    producerId: m.producerId,
    previousProducerId: m.previousProducerId,
    nextProducerId: m.nextProducerId,
    clientTransactionVersion: m.clientTransactionVersion,
    producerEpoch: m.producerEpoch,
    transactionTimeoutMs: m.timeoutMs,
    transactionStatus: m.state,
    transactionPartitions: [...m.partitions].map(([topic, ids]) => ({
      topic,
      partitionIds: [...ids].sort((a, b) => a - b),
    })),
    transactionLastUpdateTimestampMs: BigInt(m.lastUpdateTimestamp),
    transactionStartTimestampMs: BigInt(m.startTimestamp),
  });
  return { key: k.toBuffer(), value: v.toBuffer() };
}

/** Decodes one record; null for key versions this coordinator does not know. Throws on corrupt bytes. */
export function decodeTxnRecord(key: Buffer, value: Buffer | null): TxnLogRecord | null {
  const k = new Reader(key);
  const keyVersion = k.int16();
  if (keyVersion !== TXN_KEY_VERSION) return null;
  const { transactionalId } = decodeTransactionLogKey(k, keyVersion);
  if (value === null) return { transactionalId, value: null };
  const r = new Reader(value);
  const valueVersion = r.int16();
  const v = decodeTransactionLogValue(r, valueVersion);
  if (!isTxnStateId(v.transactionStatus))
    throw new RangeError(`transaction ${transactionalId} has unknown state ${v.transactionStatus}`);
  const partitions = new Map<string, Set<number>>();
  for (const t of v.transactionPartitions ?? []) partitions.set(t.topic, new Set(t.partitionIds));
  return {
    transactionalId,
    value: {
      transactionalId,
      producerId: v.producerId,
      lastProducerEpoch: -1,
      producerEpoch: v.producerEpoch,
      timeoutMs: v.transactionTimeoutMs,
      state: v.transactionStatus,
      partitions,
      startTimestamp: Number(v.transactionStartTimestampMs),
      lastUpdateTimestamp: Number(v.transactionLastUpdateTimestampMs),
      clientTransactionVersion: v.clientTransactionVersion,
      previousProducerId: v.previousProducerId,
      nextProducerId: v.nextProducerId,
    },
  };
}

export function cloneTxn(m: TxnMetadata): TxnMetadata {
  return { ...m, partitions: new Map([...m.partitions].map(([t, s]) => [t, new Set(s)])) };
}
