/**
 * Which partitions of a coordinator's internal topic (`__consumer_offsets`,
 * `__transaction_state`) this broker coordinates, as Kafka's coordinators follow their
 * partitions' leadership: on becoming leader of a partition (or a new leader epoch of it) the
 * partition is loaded (COORDINATOR_LOAD_IN_PROGRESS until it is), on losing leadership, or the
 * topic, it is unloaded (NOT_COORDINATOR afterwards). The coordinator epoch of a partition is
 * its leader epoch.
 *
 * Driven only by the partition states the replica manager passes on (`onPartitionState`), at
 * any time, not only at start. A load runs through the injected `schedule` (the broker: the next
 * I/O turn), so the loading state is observable and a burst of leadership changes does not load
 * inside the metadata apply; a load whose leadership moved on meanwhile is dropped. An empty
 * partition is loaded at once (nothing to read), so a freshly created topic is served at once.
 */
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import type { Partition } from './partition.js';

export interface CoordinatorPartitionHooks {
  /** Reads the partition back into the coordinator's state; it is led here at `epoch`. */
  load(partition: Partition, epoch: number): void;
  /** Drops the partition's keys from the coordinator's state (answering any waiter NOT_COORDINATOR). */
  unload(index: number): void;
  /** Runs `fn` later (the broker: setImmediate; tests: by hand). */
  schedule(fn: () => void): void;
  /** A load threw: the partition is not coordinated here (clients get NOT_COORDINATOR and look again). */
  loadFailed(index: number, error: unknown): void;
}

type Status = { state: 'loading' | 'active'; epoch: number };

export class CoordinatorPartitions {
  private readonly partitions = new Map<number, Status>();

  constructor(
    readonly topic: string,
    private readonly hooks: CoordinatorPartitionHooks,
  ) {}

  /** Takes a hosted partition's new state (or its removal) from the replica manager; `loadNow`: load it in this call (start-up). */
  onPartitionState(partition: Partition, removed: boolean, options: { loadNow?: boolean } = {}): void {
    if (partition.topic !== this.topic) return;
    const index = partition.index;
    const known = this.partitions.get(index);
    const leads = !removed && partition.isLeader();
    if (known && (!leads || known.epoch !== partition.leaderEpoch)) {
      this.partitions.delete(index);
      this.hooks.unload(index);
    }
    if (!leads || this.partitions.has(index)) return;
    const epoch = partition.leaderEpoch;
    const status: Status = { state: 'loading', epoch };
    this.partitions.set(index, status);
    const load = (): void => {
      if (this.partitions.get(index) !== status || !partition.isLeader() || partition.leaderEpoch !== epoch) return;
      try {
        this.hooks.load(partition, epoch);
        status.state = 'active';
      } catch (error) {
        this.partitions.delete(index);
        this.hooks.unload(index);
        this.hooks.loadFailed(index, error);
      }
    };
    if (options.loadNow || partition.log.logEndOffset <= partition.log.logStartOffset) load();
    else this.hooks.schedule(load);
  }

  /** 0 when the partition is coordinated here, else COORDINATOR_LOAD_IN_PROGRESS or NOT_COORDINATOR. */
  errorFor(index: number): number {
    const status = this.partitions.get(index);
    if (!status) return ErrorCode.NOT_COORDINATOR;
    return status.state === 'active' ? ErrorCode.NONE : ErrorCode.COORDINATOR_LOAD_IN_PROGRESS;
  }

  /** The coordinator epoch (the partition's leader epoch) while the partition is coordinated here, else -1. */
  epochOf(index: number): number {
    return this.partitions.get(index)?.epoch ?? -1;
  }

  /** Whether a partition led here is still loading (ListGroups/ListTransactions answer COORDINATOR_LOAD_IN_PROGRESS). */
  loading(): boolean {
    for (const s of this.partitions.values()) if (s.state === 'loading') return true;
    return false;
  }

  /** The partitions coordinated here (loaded), ascending. */
  active(): number[] {
    return [...this.partitions].filter(([, s]) => s.state === 'active').map(([i]) => i);
  }
}
