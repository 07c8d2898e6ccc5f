/**
 * What the log cleaner must know of transactions in the segments it cleans: which
 * transactional data batches were aborted (a later ABORT marker of their producer in
 * the same range) and which are still undecided (no marker in range: the transaction is
 * open, or its marker is in the active segment). Committed batches are ordinary data.
 * Batches are named by base offset. A marker's type is the int16 after the int16 version
 * at the start of its control record's key (0 ABORT, 1 COMMIT), as Kafka writes it.
 */
import {
  ATTRIBUTES_OFFSET,
  CONTROL_FLAG_MASK,
  PRODUCER_ID_OFFSET,
  TRANSACTIONAL_FLAG_MASK,
} from '../protocol/records/batch-header.js';
import { baseOffsetOf } from './batch-scan.js';
import { forEachRecord } from './records.js';

const ABORT = 0;

export interface TransactionOutcomes {
  aborted: Set<number>;
  undecided: Set<number>;
}

/** Folds batches, in log order, into their transactions' outcomes. */
export class TransactionOutcomeScanner {
  private readonly open = new Map<bigint, number[]>();
  private readonly aborted = new Set<number>();

  visit(batch: Buffer): void {
    const attributes = batch.readInt16BE(ATTRIBUTES_OFFSET);
    if ((attributes & TRANSACTIONAL_FLAG_MASK) === 0) return;
    const producerId = batch.readBigInt64BE(PRODUCER_ID_OFFSET);
    if ((attributes & CONTROL_FLAG_MASK) === 0) {
      const list = this.open.get(producerId);
      if (list) list.push(baseOffsetOf(batch, 0));
      else this.open.set(producerId, [baseOffsetOf(batch, 0)]);
      return;
    }
    const batches = this.open.get(producerId) ?? [];
    this.open.delete(producerId);
    if (markerType(batch) === ABORT) for (const base of batches) this.aborted.add(base);
  }

  result(): TransactionOutcomes {
    return { aborted: this.aborted, undecided: new Set([...this.open.values()].flat()) };
  }
}

/** The control type of a marker batch, or -1 when it cannot be read. */
function markerType(batch: Buffer): number {
  let type = -1;
  try {
    forEachRecord(batch, (record) => {
      if (record.key && record.key.length >= 4) type = record.key.readInt16BE(2);
      return false;
    });
  } catch {
    return -1;
  }
  return type;
}
