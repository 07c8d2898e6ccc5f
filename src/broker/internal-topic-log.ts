/**
 * What the coordinators built on internal topics (`__consumer_offsets`,
 * `__transaction_state`) share: replaying a partition's key/value records when its
 * coordinator loads it, and one real timer armed at the pure state machine's next deadline.
 */
import { decodeRecordBatches, readTxnMarker } from '../../protocol/records/index.js';
import type { Logger } from '../common/logger.js';
import type { Clock } from '../common/clock.js';
import { schedulerFor, type Scheduler, type Timer } from '../common/scheduler.js';
import type { MetadataController } from '../metadata/controller.js';
import type { Partition, ReplicaManager } from './replica-manager.js';

const READ_CHUNK_BYTES = 1 << 20;

/** Records of a transaction still open at the end of a partition (no marker yet). */
export type OpenTransactionRecords<T> = (producerId: bigint, producerEpoch: number, records: T[]) => void;

/**
 * Every decodable record of `topicName`'s hosted partitions, in log order per partition,
 * as a read_committed reader sees them: records of transactional batches are held per
 * producer until their marker, then yielded at the marker (COMMIT) or dropped (ABORT);
 * those still open at the end of a partition go to `onOpen` (Kafka's group coordinator
 * keeps such offsets pending until the transaction ends). Records without a key are
 * passed over; a record that does not decode is logged and skipped, never fatal.
 */
export function* replayInternalTopic<T>(
  deps: { controller: MetadataController; replicas: ReplicaManager; log: Logger },
  topicName: string,
  decode: (key: Buffer, value: Buffer | null) => T | null,
  onOpen?: OpenTransactionRecords<T>,
): Iterable<T> {
  const topic = deps.controller.image.topicsByName.get(topicName);
  if (!topic) return;
  for (const index of topic.partitions.keys()) {
    const partition = deps.replicas.get(topicName, index);
    if (partition) yield* replayInternalPartition(partition, deps.log, decode, onOpen);
  }
}

/** The same for one partition (a coordinator loading the partition it now leads). */
export function* replayInternalPartition<T>(
  partition: Partition,
  log: Logger,
  decode: (key: Buffer, value: Buffer | null) => T | null,
  onOpen?: OpenTransactionRecords<T>,
): Iterable<T> {
  const open = new Map<bigint, HeldRecords<T>>();
  let offset = partition.log.logStartOffset;
  while (offset < partition.log.logEndOffset) {
    const bytes = partition.log.read(offset, READ_CHUNK_BYTES);
    if (bytes.length === 0) break;
    const before = offset;
    for (const batch of decodeRecordBatches(bytes, { allowPartialTrailing: true })) {
      offset = Number(batch.baseOffset) + batch.lastOffsetDelta + 1;
      if (batch.control) {
        const marker = batch.records[0] ? readTxnMarker(batch.records[0]) : null;
        const held = open.get(batch.producerId);
        open.delete(batch.producerId);
        if (marker?.commit && held) {
          dropOlderHeld(open, held);
          yield* held.records;
        }
        continue;
      }
      const decoded: T[] = [];
      const keys: Buffer[] = [];
      const offsets: bigint[] = [];
      for (const record of batch.records) {
        if (record.key === null) continue;
        if (!batch.transactional) dropHeld(open, record.key, record.offset);
        try {
          const value = decode(record.key, record.value);
          if (value) {
            decoded.push(value);
            keys.push(record.key);
            offsets.push(record.offset);
          }
        } catch (error) {
          log.warn(
            { topic: partition.topic, partition: partition.index, offset: String(record.offset), error: String(error) },
            'skipping an unreadable internal record',
          );
        }
      }
      if (!batch.transactional) {
        yield* decoded;
        continue;
      }
      const held = open.get(batch.producerId);
      if (held) {
        held.epoch = batch.producerEpoch;
        held.records.push(...decoded);
        held.keys.push(...keys);
        held.offsets.push(...offsets);
      } else open.set(batch.producerId, { epoch: batch.producerEpoch, records: decoded, keys, offsets });
    }
    if (offset === before) break;
  }
  for (const [producerId, held] of open) onOpen?.(producerId, held.epoch, held.records);
}

/** An open transaction's records met in the replay, with their keys and offsets. */
interface HeldRecords<T> {
  epoch: number;
  records: T[];
  keys: Buffer[];
  offsets: bigint[];
}

/**
 * A record outside a transaction removes the records of open transactions with the same key
 * written before it (`offset`): a tombstone, as Kafka's OffsetMetadataManager.replay drops the
 * pending offsets of a deleted offset (a deleted topic's, an expired or an OffsetDelete'd one), and
 * a plain commit, which Kafka keeps as the newer record when the transaction commits
 * (GroupMetadata's olderThan): the transaction's later COMMIT marker then brings nothing back for it.
 */
function dropHeld<T>(open: Map<bigint, HeldRecords<T>>, key: Buffer, offset: bigint): void {
  for (const held of open.values()) {
    for (let i = held.keys.length - 1; i >= 0; i--) {
      if (held.offsets[i]! >= offset || !held.keys[i]!.equals(key)) continue;
      held.keys.splice(i, 1);
      held.records.splice(i, 1);
      held.offsets.splice(i, 1);
    }
  }
}

/** A committed transaction's records remove the same keys' older records of the transactions still open. */
function dropOlderHeld<T>(open: Map<bigint, HeldRecords<T>>, committed: HeldRecords<T>): void {
  committed.keys.forEach((key, i) => dropHeld(open, key, committed.offsets[i]!));
}

/** One timer kept at a state machine's next deadline (on the clock's Scheduler, see common/scheduler.ts). */
export class DeadlineTimer {
  private timer: Timer | null = null;
  private armedAt: number | null = null;
  private readonly scheduler: Scheduler;

  constructor(
    clock: Clock,
    private readonly fire: () => void,
  ) {
    this.scheduler = schedulerFor(clock);
  }

  /** Arms the timer for `next` (null: nothing due), unless it is armed for it already. */
  arm(next: number | null): void {
    if (next === this.armedAt) return;
    this.cancel();
    this.armedAt = next;
    if (next === null) return;
    this.timer = this.scheduler.after(next - this.scheduler.now(), () => {
      this.timer = null;
      this.armedAt = null;
      this.fire();
    });
  }

  cancel(): void {
    this.timer?.cancel();
    this.timer = null;
    this.armedAt = null;
  }
}
