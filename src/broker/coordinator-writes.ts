/**
 * Coordinator writes are acknowledged when they are committed, not at the local append (as
 * Kafka's coordinators append with acks=all): `checkCoordinatorAppend` refuses an append while
 * the partition is not led here or its ISR is smaller than `min.insync.replicas` (the topic's,
 * else the broker's), and `waitForCommitted` waits until the partition's high watermark passes
 * an offset. Errors are Kafka's coordinator codes: NOT_COORDINATOR when leadership moved,
 * COORDINATOR_NOT_AVAILABLE when the ISR is too small or the wait timed out.
 * Timers are injected so the wait is tested deterministically.
 */
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import type { Partition } from './partition.js';
import { CoordinatorWriteError } from './errors.js';
export { CoordinatorWriteError };

/** A one-shot timer: returns a canceller. */
export type SetTimer = (fire: () => void, delayMs: number) => () => void;

export const realTimer: SetTimer = (fire, delayMs) => {
  const timer = setTimeout(fire, delayMs);
  timer.unref();
  return () => clearTimeout(timer);
};

/** Throws a CoordinatorWriteError unless the partition may take a coordinator append now. */
export function checkCoordinatorAppend(partition: Partition, minInsyncReplicas: number): void {
  if (!partition.isLeader())
    throw new CoordinatorWriteError(
      ErrorCode.NOT_COORDINATOR,
      `${partition.topic}-${partition.index} is not led by this broker`,
    );
  const minIsr = partition.effectiveMinIsr(minInsyncReplicas);
  if (partition.state.isr.length < minIsr)
    throw new CoordinatorWriteError(
      ErrorCode.COORDINATOR_NOT_AVAILABLE,
      `${partition.topic}-${partition.index} has ${partition.state.isr.length} in-sync replicas, fewer than min.insync.replicas ${minIsr}`,
    );
}

/**
 * Resolves 0 once the high watermark of `partition` reaches `offset` while it is still led here
 * at `leaderEpoch`; NOT_COORDINATOR when leadership moves first; COORDINATOR_NOT_AVAILABLE after
 * `timeoutMs`. Resolves at once when the offset is already committed.
 */
export function waitForCommitted(
  partition: Partition,
  offset: number,
  leaderEpoch: number,
  timeoutMs: number,
  setTimer: SetTimer = realTimer,
): Promise<number> {
  const check = (): number | null => {
    if (!partition.isLeader() || partition.leaderEpoch !== leaderEpoch) return ErrorCode.NOT_COORDINATOR;
    return partition.highWatermark >= offset ? ErrorCode.NONE : null;
  };
  const now = check();
  if (now !== null) return Promise.resolve(now);
  return new Promise((resolve) => {
    let cancelWait: () => void = () => {};
    const cancelTimer = setTimer(() => {
      cancelWait();
      resolve(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    }, timeoutMs);
    const wake = (): void => {
      const outcome = check();
      if (outcome === null) {
        cancelWait = partition.waitForChange(wake);
        return;
      }
      cancelTimer();
      resolve(outcome);
    };
    cancelWait = partition.waitForChange(wake);
  });
}
