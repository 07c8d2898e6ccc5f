/**
 * The broker side of the group coordinator: builds the pure GroupCoordinator from the
 * broker config, gives it `__consumer_offsets` as its log (records go in as v2 record
 * batches through the partition's PartitionLog), creates `__consumer_offsets` on first use
 * through the metadata controller, and drives the coordinator's deadlines with one real timer
 * set at `nextDeadline()` after every call. Handlers reach the coordinator through
 * `run`, which passes the clock's `now` and re-arms the timer afterwards.
 *
 * A group lives on the leader of its `__consumer_offsets` partition (Kafka's placement):
 * `CoordinatorPartitions` loads a partition when this broker becomes its leader and unloads it
 * when leadership moves, at any time; `coordinatorError` gives handlers NOT_COORDINATOR or
 * COORDINATOR_LOAD_IN_PROGRESS for groups not served here. Appends need the leadership and
 * `min.insync.replicas` in-sync replicas, and answers wait for the high watermark to pass
 * them (`whenCommitted`, `offsets.commit.timeout.ms`), as Kafka's acks=all coordinator writes.
 *
 * When a topic is deleted, the groups coordinated here lose their committed offsets on it
 * (tombstones, as Kafka's onPartitionsDeleted).
 *
 * Offset commits are batched ("group commit"): `commit` validates at once, queues the
 * records, and answers after one append per `__consumer_offsets` partition made at
 * the end of the current I/O turn (setImmediate), so a burst of commits from many
 * connections costs one record batch and one write. Every other call (`run`, the
 * deadline timer, `stop`) first flushes the queue, so the log keeps the order in
 * which decisions were made and reads (OffsetFetch) see every answered commit.
 */
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { DeadlineTimer, replayInternalPartition } from '../broker/internal-topic-log.js';
import { CoordinatorPartitions } from '../broker/coordinator-partitions.js';
import {
  checkCoordinatorAppend,
  CoordinatorWriteError,
  realTimer,
  waitForCommitted,
  type SetTimer,
} from '../broker/coordinator-writes.js';
import { effectiveTopicConfig } from '../metadata/topic-configs.js';
import { schedulerFor, type Scheduler } from '../common/scheduler.js';
import type { BrokerConfig } from '../common/config.js';
import type { Clock } from '../common/clock.js';
import type { Logger } from '../common/logger.js';
import type { MetadataController } from '../metadata/controller.js';
import type { Partition, ReplicaManager } from '../broker/replica-manager.js';
import { CONSUMER_OFFSETS_TOPIC } from '../broker/internal-topics.js';
import { GroupCoordinator } from './coordinator.js';
import { consumerGroupConfigFrom, topicInfo } from './consumer/broker-config.js';
import { failCommit, type CommitRequest, type PartitionErrors, type PreparedCommit } from './offsets.js';
import { ensureInternalTopic, InternalTopicShortageLog, type TopicCreationForwarder } from './internal-topic.js';
import { decodeGroupRecord, type GroupRecord } from './records.js';
import { encodeGroupBatch } from './group-batch.js';

/** Batched commits are split so one append stays well under the default max.message.bytes (1 MiB). */
const MAX_BATCHED_BYTES = 256 * 1024;

interface QueuedCommit {
  prepared: PreparedCommit;
  bytes: number;
  answer(results: PartitionErrors): void;
}

export interface GroupServiceDeps {
  config: BrokerConfig;
  controller: MetadataController;
  replicas: ReplicaManager;
  clock: Clock;
  log: Logger;
  /** Creates `__consumer_offsets` through the active controller when this node is not it (the broker forwards a CreateTopics). */
  forwardTopicCreation?: TopicCreationForwarder;
  /** Runs a partition load later (default: setImmediate); tests run it by hand. */
  schedule?: (fn: () => void) => void;
  /** The timer of the wait for the high watermark (default: a real unref'd timeout). */
  setTimer?: SetTimer;
}

export class GroupCoordinatorService {
  readonly coordinator: GroupCoordinator;
  private readonly deadline: DeadlineTimer;
  /** The clock's own timers when it is a Scheduler (the simulation), else Node's (ref'd, as setImmediate was). */
  private readonly scheduler: Scheduler;
  private stopped = false;
  /** Set by the transaction coordinator: whether an open transaction holds an offset (OffsetFetch requireStable). */
  pendingTransactionalOffset: ((groupId: string, topic: string, partition: number) => boolean) | null = null;
  /** Set by the transaction coordinator: drops open transactions' offsets on a deleted topic, returns where they were. */
  dropPendingTransactionalOffsets: ((topic: string) => Array<{ groupId: string; partition: number }>) | null = null;
  /** Transactional offsets found on load without their marker; the transaction coordinator takes them at its start. */
  readonly openTransactionalOffsets: Array<{ producerId: bigint; records: GroupRecord[] }> = [];
  /** Set by the transaction coordinator once started: takes the open transactional offsets of each later load. */
  onOpenTransactionalOffsets: ((producerId: bigint, records: GroupRecord[]) => void) | null = null;
  /** The `__consumer_offsets` partitions coordinated here (loaded on leadership, unloaded on its loss). */
  readonly partitions: CoordinatorPartitions;
  /** Commits waiting for the end-of-turn append, by `__consumer_offsets` partition. */
  private queued = new Map<number, QueuedCommit[]>();
  private flushScheduled = false;
  private readonly topicShortage: InternalTopicShortageLog;

  constructor(private readonly deps: GroupServiceDeps) {
    const c = deps.config;
    this.topicShortage = new InternalTopicShortageLog(deps.log, deps.clock);
    this.partitions = new CoordinatorPartitions(CONSUMER_OFFSETS_TOPIC, {
      load: (partition) => this.loadPartition(partition),
      unload: (index) => this.run((co) => co.unloadPartition(index)),
      schedule: deps.schedule ?? ((fn) => void setImmediate(fn)),
      loadFailed: (index, error) =>
        deps.log.error({ partition: index, err: error }, `${CONSUMER_OFFSETS_TOPIC}-${index} could not be loaded`),
    });
    this.deadline = new DeadlineTimer(deps.clock, () => this.run((co, now) => co.poll(now)));
    this.scheduler = schedulerFor(deps.clock, undefined, { keepAlive: true });
    this.coordinator = new GroupCoordinator({
      config: {
        initialRebalanceDelayMs: c.int('group.initial.rebalance.delay.ms'),
        minSessionTimeoutMs: c.int('group.min.session.timeout.ms'),
        maxSessionTimeoutMs: c.int('group.max.session.timeout.ms'),
        maxGroupSize: c.int('group.max.size'),
        offsetsRetentionMs: c.int('offsets.retention.minutes') * 60_000,
        offsetsRetentionCheckIntervalMs: c.int('offsets.retention.check.interval.ms'),
        offsetMetadataMaxBytes: c.int('offset.metadata.max.bytes'),
      },
      consumerConfig: consumerGroupConfigFrom(c),
      topics: {
        byName: (name) => topicInfo(deps.controller.image.topicsByName.get(name)),
        byId: (id) => topicInfo(deps.controller.image.topicsById.get(id)),
        names: () => deps.controller.image.topicsByName.keys(),
      },
      writer: { append: (partition, records) => this.append(partition, records) },
      numPartitions: () => this.numPartitions(),
      env: {
        partitionExists: (topic, partition) =>
          deps.controller.image.topicsByName.get(topic)?.partitions.has(partition) ?? false,
        hasPendingTransactionalOffset: (groupId, topic, partition) =>
          this.pendingTransactionalOffset?.(groupId, topic, partition) ?? false,
      },
    });
  }

  /**
   * Loads the `__consumer_offsets` partitions led here now (at once: a single node serves at
   * once after start), follows leadership from then on, and starts offset expiry.
   */
  start(): void {
    this.deps.replicas.onPartitionState((p, removed) => this.partitions.onPartitionState(p, removed));
    this.deps.controller.onChange((change) => {
      if (change.kind === 'topic-deleted') this.onTopicDeleted(change.topic.name);
    });
    for (const p of this.deps.replicas.all()) this.partitions.onPartitionState(p, false, { loadNow: true });
    this.coordinator.startRetention(this.deps.clock.now());
    this.rearm();
  }

  /** A topic was deleted: the groups coordinated here lose their committed offsets on it. */
  private onTopicDeleted(topic: string): void {
    if (this.stopped) return;
    const pending = this.dropPendingTransactionalOffsets?.(topic) ?? [];
    const deleted = this.run((co, now) => co.offsets.deleteTopicOffsets(topic, now, pending));
    if (deleted > 0) this.deps.log.info({ topic, offsets: deleted }, 'committed offsets of a deleted topic removed');
  }

  /**
   * 0 when `groupId` is coordinated here; else COORDINATOR_NOT_AVAILABLE (no `__consumer_offsets`
   * yet: its creation starts), COORDINATOR_LOAD_IN_PROGRESS or NOT_COORDINATOR.
   */
  coordinatorError(groupId: string): number {
    if (this.ensureOffsetsTopic() !== 0 || !this.deps.controller.image.topicsByName.has(CONSUMER_OFFSETS_TOPIC))
      return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    return this.partitions.errorFor(this.coordinator.store.partitionFor(groupId));
  }

  /** The coordinator epoch of a group coordinated here (its partition's leader epoch), else -1. */
  coordinatorEpoch(groupId: string): number {
    return this.partitions.epochOf(this.coordinator.store.partitionFor(groupId));
  }

  /**
   * Resolves 0 once everything appended so far to the group's partition is committed (the high
   * watermark passed it); NOT_COORDINATOR when leadership moved first, COORDINATOR_NOT_AVAILABLE
   * after `offsets.commit.timeout.ms`. Handlers answer a write only after it.
   */
  whenCommitted(groupId: string): Promise<number> {
    const index = this.coordinator.store.partitionFor(groupId);
    const partition = this.deps.replicas.get(CONSUMER_OFFSETS_TOPIC, index);
    if (!partition) return Promise.resolve(ErrorCode.NONE);
    return this.waitForPartition(partition, partition.log.logEndOffset);
  }

  private waitForPartition(partition: Partition, offset: number): Promise<number> {
    return waitForCommitted(
      partition,
      offset,
      partition.leaderEpoch,
      this.deps.config.int('offsets.commit.timeout.ms'),
      this.deps.setTimer ?? realTimer,
    );
  }

  private loadPartition(partition: Partition): void {
    const records = replayInternalPartition(partition, this.deps.log, decodeGroupRecord, (producerId, _epoch, open) => {
      if (this.onOpenTransactionalOffsets) this.onOpenTransactionalOffsets(producerId, open);
      else this.openTransactionalOffsets.push({ producerId, records: open });
    });
    this.run((c, now) => c.loadPartition(partition.index, records, now));
    this.deps.log.info(
      { partition: partition.index, epoch: partition.leaderEpoch },
      `${CONSUMER_OFFSETS_TOPIC}-${partition.index} loaded: this broker coordinates its groups`,
    );
  }

  stop(): void {
    this.flushCommits();
    this.stopped = true;
    this.deadline.cancel();
  }

  /** Runs a coordinator call at the clock's now, then re-arms the deadline timer. */
  run<T>(fn: (coordinator: GroupCoordinator, now: number) => T): T {
    this.flushCommits();
    try {
      return fn(this.coordinator, this.deps.clock.now());
    } finally {
      this.rearm();
    }
  }

  /** Validates an offset commit now and answers once its records are appended (batched with this turn's other commits). */
  commit(req: CommitRequest): Promise<PartitionErrors> {
    let prepared: PreparedCommit;
    try {
      prepared = this.coordinator.offsets.prepareCommit(req, this.deps.clock.now());
    } finally {
      this.rearm();
    }
    if (prepared.records.length === 0) return Promise.resolve(prepared.results);
    const partition = this.coordinator.store.partitionFor(req.groupId);
    let bytes = 0;
    for (const r of prepared.records) bytes += estimatedRecordBytes(r);
    return new Promise((answer) => {
      let queue = this.queued.get(partition);
      if (!queue) this.queued.set(partition, (queue = []));
      queue.push({ prepared, bytes, answer });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        this.scheduler.soon(() => this.flushCommits());
      }
    });
  }

  /** Appends every queued commit (one append per partition and size chunk), then answers them. */
  private flushCommits(): void {
    this.flushScheduled = false;
    if (this.queued.size === 0) return;
    const queued = this.queued;
    this.queued = new Map();
    const now = this.deps.clock.now();
    for (const [partition, commits] of queued) {
      for (let start = 0; start < commits.length;) {
        let end = start;
        let bytes = 0;
        const records: GroupRecord[] = [];
        while (end < commits.length && (end === start || bytes + commits[end]!.bytes <= MAX_BATCHED_BYTES)) {
          const c = commits[end++]!;
          bytes += c.bytes;
          for (const r of c.prepared.records) records.push(r);
        }
        let failed: number = ErrorCode.NONE;
        try {
          this.coordinator.store.writeToPartition(partition, records, now);
        } catch (error) {
          failed = error instanceof CoordinatorWriteError ? error.errorCode : ErrorCode.COORDINATOR_NOT_AVAILABLE;
        }
        const answered = commits.slice(start, end);
        const settle = (code: number): void => {
          for (const c of answered) {
            if (code !== ErrorCode.NONE) failCommit(c.prepared, code);
            c.answer(c.prepared.results);
          }
        };
        const written =
          failed === ErrorCode.NONE ? this.deps.replicas.get(CONSUMER_OFFSETS_TOPIC, partition) : undefined;
        if (written) void this.waitForPartition(written, written.log.logEndOffset).then(settle);
        else settle(failed);
        start = end;
      }
    }
  }

  numPartitions(): number {
    const topic = this.deps.controller.image.topicsByName.get(CONSUMER_OFFSETS_TOPIC);
    return topic ? topic.partitions.size : this.deps.config.int('offsets.topic.num.partitions');
  }

  /** Creates `__consumer_offsets` if it is missing; returns a Kafka error code (0 when it exists). */
  ensureOffsetsTopic(): number {
    return ensureInternalTopic(this.deps.controller, this.deps.config, {
      name: CONSUMER_OFFSETS_TOPIC,
      partitionsConfig: 'offsets.topic.num.partitions',
      replicationConfig: 'offsets.topic.replication.factor',
      segmentBytesConfig: 'offsets.topic.segment.bytes',
      forward: this.deps.forwardTopicCreation,
      shortage: this.topicShortage,
    });
  }

  /** The hosted `__consumer_offsets` partition, creating the topic on first use; throws when it cannot. */
  offsetsPartition(partitionIndex: number): Partition {
    if (this.ensureOffsetsTopic() !== 0) throw new Error(`${CONSUMER_OFFSETS_TOPIC} cannot be created`);
    const partition = this.deps.replicas.get(CONSUMER_OFFSETS_TOPIC, partitionIndex);
    if (!partition) throw new Error(`${CONSUMER_OFFSETS_TOPIC}-${partitionIndex} is not hosted here`);
    return partition;
  }

  private append(partitionIndex: number, records: readonly GroupRecord[]): void {
    const partition = this.offsetsPartition(partitionIndex);
    checkCoordinatorAppend(partition, this.minInsyncReplicas());
    const batch = encodeGroupBatch(records, BigInt(this.deps.clock.now()));
    partition.appendAsLeader(batch);
  }

  /** `min.insync.replicas` of `__consumer_offsets`: its own config, else the broker's. */
  minInsyncReplicas(): number {
    const topic = this.deps.controller.image.topicsByName.get(CONSUMER_OFFSETS_TOPIC);
    return Number(effectiveTopicConfig('min.insync.replicas', topic?.configs ?? new Map(), this.deps.config));
  }

  private rearm(): void {
    if (this.stopped) return;
    this.deadline.arm(this.coordinator.nextDeadline());
  }
}

/** An upper bound on an offset record's encoded size in a batch (key, value, record framing). */
function estimatedRecordBytes(record: GroupRecord): number {
  const strings =
    record.kind === 'offset'
      ? record.groupId.length + record.topic.length + (record.value?.metadata.length ?? 0)
      : record.groupId.length;
  return 64 + 3 * strings;
}
