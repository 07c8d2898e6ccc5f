/**
 * Delayed produce (acks=-1), as Kafka's DelayedProduce: after the leader's append, each
 * partition's answer waits until the high watermark reaches the end of the write, then is
 * NONE when the ISR still has `min.insync.replicas` members, else
 * NOT_ENOUGH_REPLICAS_AFTER_APPEND (the records are in the leader's log but not as safe as asked).
 * A partition led elsewhere (or deleted) meanwhile answers NOT_LEADER_OR_FOLLOWER; one still
 * short of the high watermark at the request's timeout answers REQUEST_TIMED_OUT. The wait is
 * parked in a purgatory (woken by the partition's changes, no polling); with the leader alone in
 * sync the high watermark has already passed the write, so nothing waits.
 */
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import type { FetchPurgatory } from './delayed-fetch.js';
import type { Partition } from './partition.js';

export interface ReplicatedWrite {
  partition: Partition;
  /** The offset after the write's last record: the high watermark that commits it. */
  requiredOffset: number;
  minInsyncReplicas: number;
  /** Whether `partition` is still the one hosted and led here. */
  stillLeader(): boolean;
  /** The partition's answer, null while it waits. */
  errorCode: number | null;
}

/** NONE, an error code, or null while the write waits for the high watermark. */
export function replicationOutcome(write: ReplicatedWrite): number | null {
  if (!write.stillLeader()) return ErrorCode.NOT_LEADER_OR_FOLLOWER;
  if (write.partition.highWatermark < write.requiredOffset) return null;
  return write.partition.state.isr.length >= write.partition.effectiveMinIsr(write.minInsyncReplicas)
    ? ErrorCode.NONE
    : ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND;
}

/** Resolves once every write has its answer (`errorCode`), at the latest after `timeoutMs`. */
export async function awaitReplication(
  purgatory: FetchPurgatory,
  timeoutMs: number,
  writes: readonly ReplicatedWrite[],
): Promise<void> {
  if (writes.length === 0) return;
  await purgatory.run(Math.max(0, timeoutMs), {
    attempt: (final) => {
      let waiting = false;
      for (const write of writes) {
        if (write.errorCode !== null) continue;
        const outcome = replicationOutcome(write);
        if (outcome === null) {
          if (final) write.errorCode = ErrorCode.REQUEST_TIMED_OUT;
          else waiting = true;
        } else {
          write.errorCode = outcome;
        }
      }
      return waiting ? null : true;
    },
    watch: () => writes.filter((w) => w.errorCode === null).map((w) => w.partition),
  });
}
