/**
 * The broker side of the transaction coordinator: gives the pure TransactionCoordinator
 * `__transaction_state` as its log (created on first use; records go in as v2 batches
 * through the partition's PartitionLog and are replayed on start), producer ids in
 * blocks from the metadata controller (ProducerIdsRecord), markers written straight
 * into the data partitions and `__consumer_offsets` (markers.ts), transactional offsets
 * appended to `__consumer_offsets` as they come (offsets-log.ts) and handed to the group
 * coordinator's cache on commit, and a real timer at the coordinator's next deadline (transaction
 * timeouts, id expiry). Handlers reach the coordinator through `run`, which passes the
 * clock's now and re-arms the timer afterwards. Also the produce path's hooks.
 *
 * A transactional id lives on the leader of its `__transaction_state` partition: partitions
 * are loaded when this broker becomes their leader (replayed, then half-done commits/aborts
 * finished) and unloaded when leadership moves (`CoordinatorPartitions`); `coordinatorError`
 * gives handlers NOT_COORDINATOR / COORDINATOR_LOAD_IN_PROGRESS. Appends need the leadership
 * and `min.insync.replicas` in-sync replicas; `whenCommitted` lets handlers answer only once
 * the high watermark passed them.
 */
import { buildRecordBatch } from '../../protocol/records/index.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { DeadlineTimer, replayInternalPartition } from '../broker/internal-topic-log.js';
import { CoordinatorPartitions } from '../broker/coordinator-partitions.js';
import { checkCoordinatorAppend, realTimer, waitForCommitted, type SetTimer } from '../broker/coordinator-writes.js';
import { effectiveTopicConfig } from '../metadata/topic-configs.js';
import type { Partition } from '../broker/partition.js';
import type { BrokerConfig } from '../common/config.js';
import type { Clock } from '../common/clock.js';
import type { Logger } from '../common/logger.js';
import type { MetadataController } from '../metadata/controller.js';
import type { ReplicaManager } from '../broker/replica-manager.js';
import type { GroupCoordinatorService } from '../groups/service.js';
import type { GroupRecord } from '../groups/records.js';
import { TRANSACTION_STATE_TOPIC } from '../broker/internal-topics.js';
import { ensureInternalTopic, type TopicCreationForwarder } from '../groups/internal-topic.js';
import { createIdempotenceHooks, type IdempotenceHooks } from '../broker/idempotence.js';
import { TransactionCoordinator } from './coordinator.js';
import { writeTxnMarkers } from './markers.js';
import { decodeTxnRecord, encodeTxnRecord, partitionForTransactionalId, type TxnLogRecord } from './txn-log.js';
import type { PendingOffset } from './pending-offsets.js';
import { appendTransactionalOffsets, offsetRecords, pendingFromRecords } from './offsets-log.js';

export interface TxnServiceDeps {
  config: BrokerConfig;
  nodeId: number;
  controller: MetadataController;
  replicas: ReplicaManager;
  groups: GroupCoordinatorService;
  clock: Clock;
  log: Logger;
  /** Creates `__transaction_state` through the active controller when this node is not it (the broker forwards a CreateTopics). */
  forwardTopicCreation?: TopicCreationForwarder;
  /** Runs a partition load later (default: setImmediate); tests run it by hand. */
  schedule?: (fn: () => void) => void;
  /** The timer of the wait for the high watermark (default: a real unref'd timeout). */
  setTimer?: SetTimer;
}

export class TransactionService {
  readonly coordinator: TransactionCoordinator;
  readonly hooks: IdempotenceHooks;
  private readonly deadline: DeadlineTimer;
  private stopped = false;
  private nextId = 0n;
  private blockEnd = 0n;
  /** The `__transaction_state` partitions coordinated here (loaded on leadership, unloaded on its loss). */
  readonly partitions: CoordinatorPartitions;

  constructor(private readonly deps: TxnServiceDeps) {
    const c = deps.config;
    this.partitions = new CoordinatorPartitions(TRANSACTION_STATE_TOPIC, {
      load: (partition) => this.loadPartition(partition),
      unload: (index) => this.run((co) => co.unloadPartition(index)),
      schedule: deps.schedule ?? ((fn) => void setImmediate(fn)),
      loadFailed: (index, error) =>
        deps.log.error({ partition: index, err: error }, `${TRANSACTION_STATE_TOPIC}-${index} could not be loaded`),
    });
    this.deadline = new DeadlineTimer(deps.clock, () => this.run((co, now) => co.poll(now)));
    this.coordinator = new TransactionCoordinator(
      {
        maxTimeoutMs: c.int('transaction.max.timeout.ms'),
        transactionalIdExpirationMs: c.int('transactional.id.expiration.ms'),
      },
      {
        append: (partition, record) => this.append(partition, record),
        numPartitions: () => this.numPartitions(),
        nextProducerId: () => this.nextProducerId(),
        writeMarkers: (txn, commit, now) => writeTxnMarkers(deps.replicas, txn, commit, now),
        commitOffsets: (groupId, offsets, now) => this.commitOffsets(groupId, offsets, now),
      },
    );
    this.hooks = createIdempotenceHooks(
      deps.clock,
      () => c.int('producer.id.expiration.ms'),
      (txnId, pid, epoch, topic, partition) => this.coordinator.verifyPartition(txnId, pid, epoch, topic, partition),
    );
  }

  /**
   * Loads the `__transaction_state` partitions led here now (replayed, half-done commits/aborts
   * finished) and follows leadership from then on; takes back the transactional offsets the
   * group coordinator found in `__consumer_offsets` without their marker (it starts first, and
   * hands over those of later loads as they come).
   */
  start(): void {
    this.deps.groups.pendingTransactionalOffset = (g, t, p) => this.coordinator.pendingOffsets.has(g, t, p);
    this.deps.replicas.onPartitionState((p, removed) => this.partitions.onPartitionState(p, removed));
    for (const p of this.deps.replicas.all()) this.partitions.onPartitionState(p, false, { loadNow: true });
    for (const open of this.deps.groups.openTransactionalOffsets.splice(0))
      this.takeOpenOffsets(open.producerId, open.records);
    this.deps.groups.onOpenTransactionalOffsets = (producerId, records) => this.takeOpenOffsets(producerId, records);
    this.rearm();
  }

  private takeOpenOffsets(producerId: bigint, records: GroupRecord[]): void {
    const txn = [...this.coordinator.txns.values()].find((m) => m.producerId === producerId);
    if (!txn) {
      this.deps.log.warn(
        { producerId: String(producerId) },
        'transactional offsets of an unknown producer are dropped',
      );
      return;
    }
    for (const [groupId, offsets] of pendingFromRecords(records))
      this.coordinator.pendingOffsets.add(txn.transactionalId, groupId, offsets);
  }

  private loadPartition(partition: Partition): void {
    const index = partition.index;
    const records = replayInternalPartition(partition, this.deps.log, decodeTxnRecord);
    this.run((c, now) => {
      for (const record of records) c.replay(record);
      c.recover(now, (id) => partitionForTransactionalId(id, this.numPartitions()) === index);
    });
    this.deps.log.info(
      { partition: index, epoch: partition.leaderEpoch },
      `${TRANSACTION_STATE_TOPIC}-${index} loaded: this broker coordinates its transactional ids`,
    );
  }

  /**
   * 0 when `transactionalId` is coordinated here; else COORDINATOR_NOT_AVAILABLE (no
   * `__transaction_state` yet: its creation starts), COORDINATOR_LOAD_IN_PROGRESS or NOT_COORDINATOR.
   */
  coordinatorError(transactionalId: string): number {
    if (this.ensureTopic() !== 0 || !this.deps.controller.image.topicsByName.has(TRANSACTION_STATE_TOPIC))
      return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    return this.partitions.errorFor(partitionForTransactionalId(transactionalId, this.numPartitions()));
  }

  /** The coordinator epoch of a transactional id coordinated here (its partition's leader epoch), else -1. */
  coordinatorEpoch(transactionalId: string): number {
    return this.partitions.epochOf(partitionForTransactionalId(transactionalId, this.numPartitions()));
  }

  /**
   * Resolves 0 once everything appended so far to the id's `__transaction_state` partition is
   * committed; NOT_COORDINATOR when leadership moved first, COORDINATOR_NOT_AVAILABLE after
   * `offsets.commit.timeout.ms`.
   */
  whenCommitted(transactionalId: string): Promise<number> {
    const index = partitionForTransactionalId(transactionalId, this.numPartitions());
    const partition = this.deps.replicas.get(TRANSACTION_STATE_TOPIC, index);
    if (!partition) return Promise.resolve(ErrorCode.NONE);
    return waitForCommitted(
      partition,
      partition.log.logEndOffset,
      partition.leaderEpoch,
      this.deps.config.int('offsets.commit.timeout.ms'),
      this.deps.setTimer ?? realTimer,
    );
  }

  /**
   * TxnOffsetCommit's accepted offsets: appended to the group's `__consumer_offsets`
   * partition as a transactional batch, then held pending until EndTxn. Throws when the
   * append fails (nothing is then pending).
   */
  addOffsets(
    transactionalId: string,
    producer: { producerId: bigint; producerEpoch: number },
    groupId: string,
    offsets: PendingOffset[],
  ): void {
    if (offsets.length === 0) return;
    const groups = this.deps.groups;
    groups.run((c, now) => {
      const partition = groups.offsetsPartition(c.store.partitionFor(groupId));
      checkCoordinatorAppend(partition, groups.minInsyncReplicas());
      appendTransactionalOffsets(partition, producer, groupId, offsets, now);
    });
    this.coordinator.pendingOffsets.add(transactionalId, groupId, offsets);
  }

  stop(): void {
    this.stopped = true;
    this.deadline.cancel();
  }

  run<T>(fn: (coordinator: TransactionCoordinator, now: number) => T): T {
    try {
      return fn(this.coordinator, this.deps.clock.now());
    } finally {
      this.rearm();
    }
  }

  numPartitions(): number {
    const topic = this.deps.controller.image.topicsByName.get(TRANSACTION_STATE_TOPIC);
    return topic ? topic.partitions.size : this.deps.config.int('transaction.state.log.num.partitions');
  }

  ensureTopic(): number {
    return ensureInternalTopic(
      this.deps.controller,
      this.deps.config,
      TRANSACTION_STATE_TOPIC,
      'transaction.state.log.num.partitions',
      'transaction.state.log.replication.factor',
      this.deps.forwardTopicCreation,
    );
  }

  /**
   * Makes sure a producer-id block is at hand before the coordinator runs (InitProducerId): the
   * active controller commits one here, any other node asks it with AllocateProducerIds
   * (`remoteProducerIds`, set by the broker). Answers 0 or a retriable error code.
   */
  async prepareProducerIds(): Promise<number> {
    if (this.nextId < this.blockEnd) return 0;
    const controller = this.deps.controller;
    let block: { firstProducerId: bigint; size: bigint } | number;
    if (controller.isActive() || !this.remoteProducerIds) {
      const result = controller.allocateProducerIds(this.deps.nodeId, 0n);
      if (!result.ok) return result.error.errorCode;
      const committed = await controller.commitAndWait(result.records);
      block = committed === 0 ? result.value : committed;
    } else {
      block = await this.remoteProducerIds();
    }
    if (typeof block === 'number') return block;
    if (this.nextId >= this.blockEnd) {
      this.nextId = block.firstProducerId;
      this.blockEnd = block.firstProducerId + block.size;
    }
    return 0;
  }

  /** Asks the active controller for a producer-id block (AllocateProducerIds); an error code when it cannot. */
  remoteProducerIds: (() => Promise<{ firstProducerId: bigint; size: bigint } | number>) | null = null;

  /** The next producer id, taking a new block from the controller when the current one is used up. */
  nextProducerId(): bigint {
    if (this.nextId >= this.blockEnd) {
      const result = this.deps.controller.allocateProducerIds(this.deps.nodeId, 0n);
      if (!result.ok) throw new Error(`producer id block refused: ${result.error.errorCode}`);
      this.deps.controller.commit(result.records);
      this.nextId = result.value.firstProducerId;
      this.blockEnd = result.value.firstProducerId + result.value.size;
    }
    return this.nextId++;
  }

  private append(partitionIndex: number, record: TxnLogRecord): void {
    if (this.ensureTopic() !== 0) throw new Error(`${TRANSACTION_STATE_TOPIC} cannot be created`);
    const partition = this.deps.replicas.get(TRANSACTION_STATE_TOPIC, partitionIndex);
    if (!partition) throw new Error(`${TRANSACTION_STATE_TOPIC}-${partitionIndex} is not hosted here`);
    const topic = this.deps.controller.image.topicsByName.get(TRANSACTION_STATE_TOPIC);
    checkCoordinatorAppend(
      partition,
      Number(effectiveTopicConfig('min.insync.replicas', topic?.configs ?? new Map(), this.deps.config)),
    );
    const { key, value } = encodeTxnRecord(record);
    const batch = buildRecordBatch({ records: [{ key, value, timestamp: BigInt(this.deps.clock.now()) }] });
    partition.appendAsLeader(batch);
  }

  /** A committed transaction's offsets: already in the log before its marker, so only the cache changes. */
  private commitOffsets(groupId: string, offsets: PendingOffset[], now: number): void {
    this.deps.groups.run((c) => {
      for (const record of offsetRecords(groupId, offsets, now)) c.store.replay(record, now);
    });
  }

  private rearm(): void {
    if (this.stopped) return;
    this.deadline.arm(this.coordinator.nextDeadline());
  }
}
