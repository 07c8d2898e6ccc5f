/**
 * The broker's view of one partition's log: the small port the replica manager uses.
 * Offsets are numbers (refused past 2^53). `storage/` provides the on-disk
 * implementation; `MemoryPartitionLog` here is a twin for unit tests.
 */
export interface AppendInfo {
  baseOffset: number;
  lastOffset: number;
  /** The LogAppendTime stamped on the batches, or -1 for CreateTime. */
  logAppendTime: number;
}

export interface PartitionLog {
  readonly logStartOffset: number;
  readonly logEndOffset: number;
  /** Appends one or more validated v2 batches as they came, assigning offsets. */
  /**
   * `cacheTail`: followers will read this append back at once (the partition has followers), so
   * storage may keep a copy in memory to serve their fetches (storage/tail-cache.ts).
   */
  append(batches: Buffer, options: { leaderEpoch: number; logAppendTime?: number; cacheTail?: boolean }): AppendInfo;
  /**
   * Appends batches fetched from the leader as they are: their offsets (the first must be the log
   * end) and leader epochs are kept. Absent on logs that cannot follow a leader.
   */
  appendReplicated?(batches: Buffer): AppendInfo;
  /**
   * Throws (a storage error) when an append this log accepted could not be written after all (a
   * write-behind failure, storage/write-behind.ts). Absent on logs whose appends are synchronous.
   */
  checkWrites?(): void;
  /**
   * Whole batches from the one holding `offset`, up to `maxBytes` (at least one batch), none at or past
   * `maxOffset`. A log that reads into new buffers takes them from `allocate` when given (the fetch path
   * lends recycled ones, storage/read-buffers.ts); a log that returns views of its own memory ignores it.
   */
  read(offset: number, maxBytes: number, maxOffset?: number, allocate?: (size: number) => Buffer): Buffer;
  /**
   * Where the segment holding `offset` ends (the next segment's base offset, or the log end): a read
   * stops there. Absent on logs that are one segment (then it is the log end).
   */
  segmentEndFor?(offset: number): number;
  /** The first offset whose batch has a timestamp >= `timestamp`. */
  offsetForTimestamp(timestamp: number): { offset: number; timestamp: number } | null;
  /** The largest timestamp in the log and its offset. */
  maxTimestamp(): { offset: number; timestamp: number } | null;
  deleteRecordsBefore(offset: number): void;
  /** Bytes the log holds (all its segments), as DescribeLogDirs reports them. */
  size(): number;
  /**
   * The segments, oldest first: base offset, size in bytes and last modification time (ms), for
   * ListOffsets v0's legacy offsets-before-a-time answer.
   */
  segmentTimes(): ReadonlyArray<{ baseOffset: number; size: number; lastModifiedMs: number }>;
  /** Records an aborted transaction in the log's `.txnindex` (storage-backed logs only). */
  recordAbortedTxn?(entry: {
    producerId: bigint;
    firstOffset: number;
    lastOffset: number;
    lastStableOffset: number;
  }): void;
  /**
   * The log's leader-epoch cache (storage-backed logs): (epoch, first offset) pairs, oldest first,
   * kept up by appends and truncation. Without it the epochs are read from the batch headers.
   */
  epochEntries?(): ReadonlyArray<{ epoch: number; startOffset: number }>;
  /** Records the partition's high watermark for the log's checkpoint (storage-backed logs only). */
  recordHighWatermark?(offset: number): void;
  /** The high watermark last recorded: on open, the checkpoint's (replication-offset-checkpoint), capped at the log end. */
  recordedHighWatermark?(): number;
  /** The log dir holding this log (absolute path); absent for logs that live in memory. */
  logDir?(): string | undefined;
  /** Whether the log's dir failed (then every call raises KAFKA_STORAGE_ERROR); absent means never. */
  isOffline?(): boolean;
  truncateTo(offset: number): void;
  /** Drops the whole log and starts it empty at `offset` (a follower behind its leader's log start). */
  truncateFullyAndStartAt(offset: number): void;
  flush(): void;
  close(): void;
  /** Deletes the log's files. */
  delete(): void;
}

export interface PartitionLogFactory {
  /**
   * Opens (creating when missing) a partition's log. With a topic id, a log that belongs to
   * another topic id is refused with an error whose errorCode is INCONSISTENT_TOPIC_ID (103).
   */
  open(topic: string, partition: number, configs: ReadonlyMap<string, string>, topicId?: string): PartitionLog;
  /** Applies changed topic configs to an open log. */
  updateConfig?(log: PartitionLog, configs: ReadonlyMap<string, string>): void;
  /** Every log dir, with whether it failed (absent for logs that live in memory). */
  logDirs?(): Array<{ path: string; offline: boolean; failure?: unknown }>;
  /**
   * Moves aside, as `-stray` folders kept on disk, the logs found at start that `isStray` names
   * (given the topic id of the folder's partition.metadata, if any); returns the moved folders.
   * Absent for logs that cannot outlive a process (memory).
   */
  moveAsideStrays?(
    isStray: (topic: string, partition: number, topicId: string | undefined) => boolean,
  ): Array<{ topic: string; partition: number; movedTo: string }>;
  /** Calls `listener` once for each log dir that fails from now on (any file-system error in it), with the cause. */
  onDirFailure?(listener: (dir: string, error: unknown) => void): void;
  close(): void;
}

/** A read or delete outside [log start, log end]: storage's error (OFFSET_OUT_OF_RANGE), for every PartitionLog. */
export { OffsetOutOfRangeError } from '../../storage/errors.js';
