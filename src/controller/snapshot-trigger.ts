/**
 * When to write a metadata snapshot (KIP-630), as Kafka's controllers and brokers decide it each on
 * their own: once `metadata.log.max.record.bytes.between.snapshots` bytes of records were applied
 * since the last snapshot, or once `metadata.log.max.snapshot.interval.ms` passed since it and at
 * least one record was applied (0 turns the time trigger off). The Raft core then stores the image at
 * the applied offset and drops the log prefix it covers (the metadata log's retention); a restart
 * loads the snapshot and replays the tail, a follower behind the leader's log start fetches it.
 * Pure: the caller supplies the byte count and the time, and runs the snapshot.
 * Leaves out: Kafka's extra conditions (no snapshot while one is being written: ours are synchronous).
 */
export interface SnapshotTriggerConfig {
  readonly maxBytesBetweenSnapshots: number;
  /** 0: never by time. */
  readonly maxIntervalMs: number;
}

export class SnapshotTrigger {
  private lastSnapshotMs: number;

  constructor(
    private readonly config: SnapshotTriggerConfig,
    now: number,
  ) {
    this.lastSnapshotMs = now;
  }

  /** True when a snapshot is due, given the record bytes applied since the last one. */
  due(bytesSinceSnapshot: number, now: number): boolean {
    if (bytesSinceSnapshot <= 0) return false;
    if (bytesSinceSnapshot >= this.config.maxBytesBetweenSnapshots) return true;
    return this.config.maxIntervalMs > 0 && now - this.lastSnapshotMs >= this.config.maxIntervalMs;
  }

  /** The next time the time trigger may fire (Infinity when it is off). */
  nextCheckAt(): number {
    return this.config.maxIntervalMs > 0 ? this.lastSnapshotMs + this.config.maxIntervalMs : Number.POSITIVE_INFINITY;
  }

  taken(now: number): void {
    this.lastSnapshotMs = now;
  }
}
