/**
 * The Produce path's wait for its appends to be in their files (storage/write-behind.ts): a large
 * append of a Produce frame may be written by the write-behind worker after `appendAsLeader` has
 * returned. The handler awaits this before it answers, so an answer still means "in the page cache"
 * (and the frame goes back to its pool only then); an append whose write failed after all answers
 * KAFKA_STORAGE_ERROR, as a synchronous failure would, and its log dir is offline by then.
 */
import { writeBehind } from '../../storage/write-behind.js';
import { isStorageError } from './disk-log.js';
import type { Partition } from './partition.js';

/** One partition's append in a Produce request and the answer to give for it. */
export interface ProduceAppend {
  partition: Partition;
  response: { errorCode: number; errorMessage: string | null };
}

/** Resolves once every write-behind write so far is done; failed appends get their storage error code. */
export async function settleProduceAppends(appended: readonly ProduceAppend[]): Promise<void> {
  const settled = writeBehind.settled();
  if (settled === null || !(await settled)) return;
  for (const { partition, response } of appended) {
    try {
      partition.log.checkWrites?.();
    } catch (error) {
      if (!isStorageError(error)) throw error;
      // KAFKA_STORAGE_ERROR with its code alone, as Kafka's ReplicaManager answers a KafkaStorageException.
      response.errorCode = error.errorCode;
      response.errorMessage = null;
    }
  }
}
