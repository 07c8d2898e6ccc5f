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
 */
import { buildRecordBatch } from '../../protocol/records/index.js';
import { DeadlineTimer, replayInternalTopic } from '../broker/internal-topic-log.js';
import type { BrokerConfig } from '../common/config.js';
import type { Clock } from '../common/clock.js';
import type { Logger } from '../common/logger.js';
import type { MetadataController } from '../metadata/controller.js';
import type { ReplicaManager } from '../broker/replica-manager.js';
import type { GroupCoordinatorService } from '../groups/service.js';
import { TRANSACTION_STATE_TOPIC } from '../broker/internal-topics.js';
import { ensureInternalTopic, type TopicCreationForwarder } from '../groups/internal-topic.js';
import { createIdempotenceHooks, type IdempotenceHooks } from '../broker/idempotence.js';
import { TransactionCoordinator } from './coordinator.js';
import { writeTxnMarkers } from './markers.js';
import { decodeTxnRecord, encodeTxnRecord, type TxnLogRecord } from './txn-log.js';
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
}

export class TransactionService {
  readonly coordinator: TransactionCoordinator;
  readonly hooks: IdempotenceHooks;
  private readonly deadline: DeadlineTimer;
  private stopped = false;
  private nextId = 0n;
  private blockEnd = 0n;

  constructor(private readonly deps: TxnServiceDeps) {
    const c = deps.config;
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
   * Replays `__transaction_state`, takes back the transactional offsets the group
   * coordinator found in `__consumer_offsets` without their marker (it starts first),
   * finishes half-done commits/aborts, and arms the timer.
   */
  start(): void {
    this.deps.groups.pendingTransactionalOffset = (g, t, p) => this.coordinator.pendingOffsets.has(g, t, p);
    for (const record of this.readAll()) this.coordinator.replay(record);
    for (const open of this.deps.groups.openTransactionalOffsets.splice(0)) {
      const txn = [...this.coordinator.txns.values()].find((m) => m.producerId === open.producerId);
      if (!txn) {
        this.deps.log.warn(
          { producerId: String(open.producerId) },
          'transactional offsets of an unknown producer are dropped',
        );
        continue;
      }
      for (const [groupId, offsets] of pendingFromRecords(open.records))
        this.coordinator.pendingOffsets.add(txn.transactionalId, groupId, offsets);
    }
    this.run((c, now) => c.recover(now));
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
    groups.run((c, now) =>
      appendTransactionalOffsets(
        groups.offsetsPartition(c.store.partitionFor(groupId)),
        producer,
        groupId,
        offsets,
        now,
      ),
    );
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

  private readAll(): Iterable<TxnLogRecord> {
    return replayInternalTopic(this.deps, TRANSACTION_STATE_TOPIC, decodeTxnRecord);
  }

  private rearm(): void {
    if (this.stopped) return;
    this.deadline.arm(this.coordinator.nextDeadline());
  }
}
