/**
 * What the coordinators built on internal topics (`__consumer_offsets`,
 * `__transaction_state`) share: replaying every hosted partition's key/value records on
 * start, and one real timer armed at the pure state machine's next deadline.
 */
import { decodeRecordBatches } from '../../protocol/records/index.js';
import type { Logger } from '../common/logger.js';
import type { Clock } from '../common/clock.js';
import type { MetadataController } from '../metadata/controller.js';
import type { ReplicaManager } from './replica-manager.js';

const READ_CHUNK_BYTES = 1 << 20;

/**
 * Every decodable record of `topicName`'s hosted partitions, in log order per partition.
 * Control batches and records without a key are passed over; a record that does not
 * decode is logged and skipped, never fatal.
 */
export function* replayInternalTopic<T>(
  deps: { controller: MetadataController; replicas: ReplicaManager; log: Logger },
  topicName: string,
  decode: (key: Buffer, value: Buffer | null) => T | null,
): Iterable<T> {
  const topic = deps.controller.image.topicsByName.get(topicName);
  if (!topic) return;
  for (const index of topic.partitions.keys()) {
    const partition = deps.replicas.get(topicName, index);
    if (!partition) continue;
    let offset = partition.log.logStartOffset;
    while (offset < partition.log.logEndOffset) {
      const bytes = partition.log.read(offset, READ_CHUNK_BYTES);
      if (bytes.length === 0) break;
      const before = offset;
      for (const batch of decodeRecordBatches(bytes, { allowPartialTrailing: true })) {
        offset = Number(batch.baseOffset) + batch.lastOffsetDelta + 1;
        if (batch.control) continue;
        for (const record of batch.records) {
          if (record.key === null) continue;
          try {
            const decoded = decode(record.key, record.value);
            if (decoded) yield decoded;
          } catch (error) {
            deps.log.warn({ topic: topicName, partition: index, offset: String(record.offset), error: String(error) }, 'skipping an unreadable internal record');
          }
        }
      }
      if (offset === before) break;
    }
  }
}

/** One unref'd timer kept at a state machine's next deadline. */
export class DeadlineTimer {
  private timer: NodeJS.Timeout | null = null;
  private armedAt: number | null = null;

  constructor(
    private readonly clock: Clock,
    private readonly fire: () => void,
  ) {}

  /** Arms the timer for `next` (null: nothing due), unless it is armed for it already. */
  arm(next: number | null): void {
    if (next === this.armedAt) return;
    this.cancel();
    this.armedAt = next;
    if (next === null) return;
    const delay = Math.max(0, Math.min(next - this.clock.now(), 2 ** 31 - 1));
    this.timer = setTimeout(() => {
      this.timer = null;
      this.armedAt = null;
      this.fire();
    }, delay);
    this.timer.unref();
  }

  cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.armedAt = null;
  }
}
