/**
 * The broker side of the group coordinator: builds the pure GroupCoordinator from the
 * broker config, gives it `__consumer_offsets` as its log (records go in as v2 record
 * batches through the partition's PartitionLog; on start every hosted partition is
 * read back and replayed), creates `__consumer_offsets` on first use through the
 * metadata controller, and drives the coordinator's deadlines with one real timer
 * set at `nextDeadline()` after every call. Handlers reach the coordinator through
 * `run`, which passes the clock's `now` and re-arms the timer afterwards.
 */
import { buildRecordBatch } from '../../protocol/records/index.js';
import { DeadlineTimer, replayInternalTopic } from '../broker/internal-topic-log.js';
import type { BrokerConfig } from '../common/config.js';
import type { Clock } from '../common/clock.js';
import type { Logger } from '../common/logger.js';
import type { MetadataController } from '../metadata/controller.js';
import type { ReplicaManager } from '../broker/replica-manager.js';
import { CONSUMER_OFFSETS_TOPIC } from '../broker/internal-topics.js';
import { GroupCoordinator } from './coordinator.js';
import { ensureInternalTopic } from './internal-topic.js';
import { decodeGroupRecord, type GroupRecord, type RawRecord } from './records.js';


export interface GroupServiceDeps {
  config: BrokerConfig;
  controller: MetadataController;
  replicas: ReplicaManager;
  clock: Clock;
  log: Logger;
}

export class GroupCoordinatorService {
  readonly coordinator: GroupCoordinator;
  private readonly deadline: DeadlineTimer;
  private stopped = false;
  /** Set by the transaction coordinator: whether an open transaction holds an offset (OffsetFetch requireStable). */
  pendingTransactionalOffset: ((groupId: string, topic: string, partition: number) => boolean) | null = null;

  constructor(private readonly deps: GroupServiceDeps) {
    const c = deps.config;
    this.deadline = new DeadlineTimer(deps.clock, () => this.run((co, now) => co.poll(now)));
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
      writer: { append: (partition, records) => this.append(partition, records) },
      numPartitions: () => this.numPartitions(),
      env: {
        partitionExists: (topic, partition) => deps.controller.image.topicsByName.get(topic)?.partitions.has(partition) ?? false,
        hasPendingTransactionalOffset: (groupId, topic, partition) => this.pendingTransactionalOffset?.(groupId, topic, partition) ?? false,
      },
    });
  }

  /** Replays the hosted `__consumer_offsets` partitions and starts offset expiry. */
  start(): void {
    const now = this.deps.clock.now();
    this.coordinator.load(this.readAll(), now);
    this.coordinator.startRetention(now);
    this.rearm();
  }

  stop(): void {
    this.stopped = true;
    this.deadline.cancel();
  }

  /** Runs a coordinator call at the clock's now, then re-arms the deadline timer. */
  run<T>(fn: (coordinator: GroupCoordinator, now: number) => T): T {
    try {
      return fn(this.coordinator, this.deps.clock.now());
    } finally {
      this.rearm();
    }
  }

  numPartitions(): number {
    const topic = this.deps.controller.image.topicsByName.get(CONSUMER_OFFSETS_TOPIC);
    return topic ? topic.partitions.size : this.deps.config.int('offsets.topic.num.partitions');
  }

  /** Creates `__consumer_offsets` if it is missing; returns a Kafka error code (0 when it exists). */
  ensureOffsetsTopic(): number {
    return ensureInternalTopic(this.deps.controller, this.deps.config, CONSUMER_OFFSETS_TOPIC, 'offsets.topic.num.partitions', 'offsets.topic.replication.factor');
  }

  private append(partitionIndex: number, records: RawRecord[]): void {
    if (this.ensureOffsetsTopic() !== 0) throw new Error(`${CONSUMER_OFFSETS_TOPIC} cannot be created`);
    const partition = this.deps.replicas.get(CONSUMER_OFFSETS_TOPIC, partitionIndex);
    if (!partition) throw new Error(`${CONSUMER_OFFSETS_TOPIC}-${partitionIndex} is not hosted here`);
    const timestamp = BigInt(this.deps.clock.now());
    const batch = buildRecordBatch({ records: records.map((r) => ({ key: r.key, value: r.value, timestamp })) });
    partition.log.append(batch, { leaderEpoch: partition.leaderEpoch });
    partition.highWatermark = partition.log.logEndOffset;
    partition.notifyChange();
  }

  private readAll(): Iterable<GroupRecord> {
    return replayInternalTopic(this.deps, CONSUMER_OFFSETS_TOPIC, decodeGroupRecord);
  }

  private rearm(): void {
    if (this.stopped) return;
    this.deadline.arm(this.coordinator.nextDeadline());
  }
}
