/**
 * The broker side of transactions: gives the pure TransactionCoordinator
 * `__transaction_state` as its log (created on first use; records go in as v2 batches
 * through the partition's PartitionLog and are replayed on start), producer ids in
 * blocks from the metadata controller (ProducerIdsRecord), markers sent to the partitions'
 * leaders by the marker sender (marker-sender.ts: WriteTxnMarkers to other brokers, written in
 * place by markers.ts where this broker leads), and a real timer at the coordinator's next
 * deadline (transaction timeouts, id expiry, completion retries). Handlers reach the
 * coordinator through `run`, which passes the clock's now and re-arms the timer afterwards.
 * On every broker, whether it coordinates or not: the produce path's hooks and KIP-890
 * verification (verification.ts), the WriteTxnMarkers side (`writeMarkersHere`), and the
 * transactional offsets of the groups it coordinates, appended to `__consumer_offsets` as they
 * come (offsets-log.ts) and held per producer until their marker arrives there.
 *
 * A transactional id lives on the leader of its `__transaction_state` partition: partitions
 * are loaded when this broker becomes their leader (replayed, then half-done commits/aborts
 * finished by sending their markers again) and unloaded when leadership moves
 * (`CoordinatorPartitions`; their marker sends stop); `coordinatorError` gives handlers
 * NOT_COORDINATOR / COORDINATOR_LOAD_IN_PROGRESS. Appends need the leadership and
 * `min.insync.replicas` in-sync replicas; `whenCommitted` lets handlers answer only once the high
 * watermark passed them.
 */
import { buildRecordBatch } from '../../protocol/records/index.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { DeadlineTimer, replayInternalPartition } from '../broker/internal-topic-log.js';
import { CoordinatorPartitions } from '../broker/coordinator-partitions.js';
import { checkCoordinatorAppend, realTimer, waitForCommitted, type SetTimer } from '../broker/coordinator-writes.js';
import { effectiveTopicConfig } from '../metadata/topic-configs.js';
import type { Partition } from '../broker/partition.js';
import type { BrokerConfig } from '../common/config.js';
import type { Transport } from '../common/transport.js';
import type { Clock } from '../common/clock.js';
import type { Logger } from '../common/logger.js';
import type { MetadataController } from '../metadata/controller.js';
import type { ReplicaManager } from '../broker/replica-manager.js';
import type { GroupCoordinatorService } from '../groups/service.js';
import type { GroupRecord } from '../groups/records.js';
import { TRANSACTION_STATE_TOPIC } from '../broker/internal-topics.js';
import {
  ensureInternalTopic,
  InternalTopicShortageLog,
  type TopicCreationForwarder,
} from '../groups/internal-topic.js';
import { createIdempotenceHooks, type IdempotenceHooks } from '../broker/idempotence.js';
import { TransactionCoordinator } from './coordinator.js';
import { writeMarkersHere, type MarkerWriteOutcome } from './markers.js';
import {
  decodeTxnRecord,
  encodeTxnRecord,
  partitionForTransactionalId,
  type TxnLogRecord,
  type TxnMetadata,
} from './txn-log.js';
import { PendingOffsets, type PendingOffset } from './pending-offsets.js';
import { appendTransactionalOffsets, offsetRecords, pendingFromRecords } from './offsets-log.js';
import { TxnMarkerSender, type MarkerResult, type MarkerTarget, type TxnMarker } from './marker-sender.js';
import { BrokerChannel } from './broker-channel.js';
import { transactionCoordinatorOf, verifyWithCoordinator, type VerifyQuestion } from './verification.js';
import { WriteTxnMarkersApi } from '../../protocol/generated/messages/27-write-txn-markers.js';
import { RECORD_BATCH_OVERHEAD, isTransactional, magicAt, readBatchHeader } from '../../protocol/records/index.js';
import { producerStateOf } from '../broker/producer-state-registry.js';
import { awaitReplication } from '../broker/delayed-produce.js';
import type { FetchPurgatory } from '../broker/delayed-fetch.js';
import { partitionForGroup } from '../groups/records.js';

/** WriteTxnMarkers version the coordinator sends (v1: flexible). */
const WRITE_TXN_MARKERS_VERSION = 1;
const MARKER_RETRY_BACKOFF_MS = 100;

/** One partition's produced data, as the produce handler passes it for verification. */
export interface TransactionalWrite {
  topic: string;
  partition: number;
  records: Buffer | null;
}

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
  /** The other brokers' listener to reach (node-links.ts); default: inter.broker.listener.name, else PLAINTEXT. */
  interBrokerListenerName?: string;
  /** How other brokers are reached (TLS/SASL per the inter-broker listener); default: plain TCP. */
  transport?: Transport;
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

  /** Transactional offsets of the groups coordinated here, per producer, until their marker. */
  readonly pendingOffsets = new PendingOffsets();
  readonly markerSender: TxnMarkerSender;
  private readonly channel: BrokerChannel;
  /** acks=-1 waits of marker writes (set by the broker once its data path exists). */
  producePurgatory: FetchPurgatory | null = null;
  private readonly topicShortage: InternalTopicShortageLog;

  constructor(private readonly deps: TxnServiceDeps) {
    const c = deps.config;
    this.topicShortage = new InternalTopicShortageLog(deps.log, deps.clock);
    this.partitions = new CoordinatorPartitions(TRANSACTION_STATE_TOPIC, {
      load: (partition) => this.loadPartition(partition),
      unload: (index) =>
        this.run((co) => {
          for (const id of co.unloadPartition(index)) this.markerSender.cancel(id);
        }),
      schedule: deps.schedule ?? ((fn) => void setImmediate(fn)),
      loadFailed: (index, error) =>
        deps.log.error({ partition: index, err: error }, `${TRANSACTION_STATE_TOPIC}-${index} could not be loaded`),
    });
    this.channel = new BrokerChannel(
      () => deps.controller.image,
      deps.interBrokerListenerName ?? (c.raw('inter.broker.listener.name') ?? 'PLAINTEXT').toUpperCase(),
      deps.clock,
      `gregor-txn-${deps.nodeId}`,
      c.int('request.timeout.ms'),
      deps.transport,
    );
    this.markerSender = new TxnMarkerSender({
      leaderOf: (topic, partition) => {
        const image = deps.controller.image.topicsByName.get(topic)?.partitions.get(partition);
        return image ? image.leader : null;
      },
      write: (brokerId, marker, targets) => this.writeMarkersTo(brokerId, marker, targets),
      schedule: (ms, fn) => {
        const timer = setTimeout(fn, ms);
        timer.unref();
        return () => clearTimeout(timer);
      },
      retryBackoffMs: MARKER_RETRY_BACKOFF_MS,
      onRetry: (transactionalId, attempt, waiting) => {
        if (attempt === 1 || attempt % 50 === 0)
          deps.log.info(
            { transactionalId, attempt, waiting: waiting.map((w) => `${w.topic}-${w.partition}:${w.errorCode}`) },
            'transaction markers not all written yet; retrying',
          );
      },
    });
    this.deadline = new DeadlineTimer(deps.clock, () => this.run((co, now) => co.poll(now)));
    this.coordinator = new TransactionCoordinator(
      {
        maxTimeoutMs: c.int('transaction.max.timeout.ms'),
        transactionalIdExpirationMs: c.int('transactional.id.expiration.ms'),
        abortTimedOutIntervalMs: c.int('transaction.abort.timed.out.transaction.cleanup.interval.ms'),
      },
      {
        append: (partition, record) => this.append(partition, record),
        numPartitions: () => this.numPartitions(),
        nextProducerId: () => this.nextProducerId(),
        sendMarkers: (txn, commit, done) => this.sendMarkers(txn, commit, done),
        sendingMarkers: (transactionalId) => this.markerSender.isSending(transactionalId),
      },
    );
    this.hooks = createIdempotenceHooks(
      deps.clock,
      () => c.int('producer.id.expiration.ms'),
      () => c.bool('transaction.partition.verification.enable'),
    );
  }

  /** The coordinator epoch markers carry: the leader epoch of the transactional id's partition. */
  private coordinatorEpochOf(transactionalId: string): number {
    const topic = this.deps.controller.image.topicsByName.get(TRANSACTION_STATE_TOPIC);
    if (!topic || topic.partitions.size === 0) return 0;
    const partition = topic.partitions.get(partitionForTransactionalId(transactionalId, topic.partitions.size));
    return Math.max(0, partition?.leaderEpoch ?? 0);
  }

  private sendMarkers(txn: TxnMetadata, commit: boolean, done: (now: number) => void): void {
    const targets: MarkerTarget[] = [];
    for (const [topic, partitions] of txn.partitions)
      for (const partition of partitions) targets.push({ topic, partition });
    const marker: TxnMarker = {
      producerId: txn.producerId,
      producerEpoch: txn.producerEpoch,
      coordinatorEpoch: this.coordinatorEpochOf(txn.transactionalId),
      commit,
    };
    this.markerSender.send(txn.transactionalId, marker, targets, {
      done: () => this.run((_c, now) => done(now)),
      abandoned: (errorCode) => {
        this.deps.log.warn(
          { transactionalId: txn.transactionalId, errorCode },
          'a partition leader refused the transaction markers (newer coordinator); sending stopped',
        );
        this.run((c, now) => c.markersAbandoned(txn.transactionalId, now));
      },
    });
  }

  /** The marker sender's write: in place when `brokerId` is this broker, else WriteTxnMarkers. */
  private writeMarkersTo(
    brokerId: number,
    marker: TxnMarker,
    targets: readonly MarkerTarget[],
  ): readonly MarkerResult[] | Promise<readonly MarkerResult[]> {
    if (brokerId === this.deps.nodeId) {
      const outcome = this.writeMarkersHere(marker, targets);
      return outcome.replicated.length === 0 ? outcome.results : this.confirmMarkers(outcome);
    }
    return this.channel
      .request(brokerId, WriteTxnMarkersApi, WRITE_TXN_MARKERS_VERSION, {
        markers: [
          {
            producerId: marker.producerId,
            producerEpoch: marker.producerEpoch,
            transactionResult: marker.commit,
            coordinatorEpoch: marker.coordinatorEpoch,
            topics: groupByTopic(targets),
          },
        ],
      })
      .then((response) => {
        const results: MarkerResult[] = [];
        for (const m of response.markers)
          for (const t of m.topics)
            for (const p of t.partitions)
              results.push({ topic: t.name, partition: p.partitionIndex, errorCode: p.errorCode });
        return results;
      });
  }

  /** Writes markers into partitions led here (the WriteTxnMarkers handler and the local sender). */
  writeMarkersHere(marker: TxnMarker, targets: readonly MarkerTarget[]): MarkerWriteOutcome {
    return writeMarkersHere(
      {
        replicas: this.deps.replicas,
        image: () => this.deps.controller.image,
        config: this.deps.config,
        onOffsetsMarker: (partition, producerId, commit, now) => this.settleOffsets(partition, producerId, commit, now),
      },
      marker,
      targets,
      this.deps.clock.now(),
    );
  }

  /** Waits until the high watermark passes the markers that were not yet replicated (or request.timeout.ms). */
  async confirmMarkers(outcome: MarkerWriteOutcome): Promise<MarkerResult[]> {
    const purgatory = this.producePurgatory;
    if (!purgatory) return outcome.results;
    const writes = outcome.replicated.map((r) => r.write);
    await awaitReplication(purgatory, this.deps.config.int('request.timeout.ms'), writes);
    for (const { result, write } of outcome.replicated)
      result.errorCode = write.errorCode ?? ErrorCode.REQUEST_TIMED_OUT;
    return outcome.results;
  }

  /** A marker reached `__consumer_offsets`-`partition`: its producer's offsets there are committed or dropped. */
  private settleOffsets(partition: number, producerId: bigint, commit: boolean, now: number): void {
    const groups = this.deps.groups;
    const numPartitions = groups.numPartitions();
    const offsets = this.pendingOffsets.take(producerId, (g) => partitionForGroup(g, numPartitions) === partition);
    if (commit) for (const [group, list] of offsets) this.commitOffsets(group, list, now);
  }

  /**
   * KIP-890 part 1 for one produce request: asks the transaction coordinator about each
   * partition this producer has no open transaction in yet, and marks the verified ones in
   * the partition's producer state. Answers the refused partitions (`topic\0partition` ->
   * error code); partitions not led here or not transactional are left to the produce path.
   */
  async verifyTransactionalWrites(
    transactionalId: string | null,
    writes: readonly TransactionalWrite[],
    addPartitions = false,
  ): Promise<Map<string, number>> {
    const refused = new Map<string, number>();
    if (transactionalId === null) return refused;
    // Transaction version 2 needs the add whatever the setting: the client sends no AddPartitionsToTxn.
    if (!addPartitions && !this.deps.config.bool('transaction.partition.verification.enable')) return refused;
    const now = this.deps.clock.now();
    const checks: Array<Promise<void>> = [];
    for (const w of writes) {
      const records = w.records;
      if (records === null || records.length < RECORD_BATCH_OVERHEAD || magicAt(records, 0) !== 2) continue;
      const header = readBatchHeader(records, 0);
      if (header.producerId < 0n || !isTransactional(header.attributes)) continue;
      const partition = this.deps.replicas.get(w.topic, w.partition);
      if (!partition?.isLeader()) continue;
      const state = producerStateOf(partition, now);
      if (state.inTransaction(header.producerId, header.producerEpoch)) continue;
      if (state.isVerified(header.producerId, header.producerEpoch)) continue;
      checks.push(
        verifyWithCoordinator(this.verifierDeps(), {
          transactionalId,
          producerId: header.producerId,
          producerEpoch: header.producerEpoch,
          topic: w.topic,
          partition: w.partition,
          add: addPartitions,
        }).then((code) => {
          if (code === ErrorCode.NONE)
            producerStateOf(partition, this.deps.clock.now()).markVerified(header.producerId, header.producerEpoch);
          else refused.set(`${w.topic}\0${w.partition}`, code);
        }),
      );
    }
    await Promise.all(checks);
    return refused;
  }

  /**
   * Asks the transaction coordinator (here or remote) whether a partition is in the producer's
   * ongoing transaction, or (`add`, transaction version 2) has it added.
   */
  verifyPartition(
    transactionalId: string,
    producerId: bigint,
    epoch: number,
    topic: string,
    partition: number,
    add = false,
  ): Promise<number> {
    return verifyWithCoordinator(this.verifierDeps(), {
      transactionalId,
      producerId,
      producerEpoch: epoch,
      topic,
      partition,
      add,
    });
  }

  /** Whether this broker leads the transactional id's `__transaction_state` partition. */
  coordinatesHere(transactionalId: string): boolean {
    return transactionCoordinatorOf(this.deps.controller.image, transactionalId) === this.deps.nodeId;
  }

  private verifierDeps() {
    return {
      nodeId: this.deps.nodeId,
      image: () => this.deps.controller.image,
      channel: this.channel,
      verifyLocally: (txnId: string, pid: bigint, epoch: number, topic: string, partition: number) =>
        this.coordinator.verifyPartition(txnId, pid, epoch, topic, partition),
      addLocally: async (q: VerifyQuestion): Promise<number> => {
        const code = this.run((c, now) =>
          c.addPartitions(
            q.transactionalId,
            q.producerId,
            q.producerEpoch,
            [{ topic: q.topic, partitions: [q.partition] }],
            now,
            2,
          ),
        );
        return code === ErrorCode.NONE ? await this.whenCommitted(q.transactionalId) : code;
      },
    };
  }

  /**
   * Loads the `__transaction_state` partitions led here now (replayed, half-done commits/aborts
   * finished) and follows leadership from then on; takes back the transactional offsets the
   * group coordinator found in `__consumer_offsets` without their marker (it starts first, and
   * hands over those of later loads as they come).
   */
  start(): void {
    this.deps.groups.pendingTransactionalOffset = (g, t, p) => this.pendingOffsets.has(g, t, p);
    this.deps.groups.dropPendingTransactionalOffsets = (topic) => this.pendingOffsets.dropTopic(topic);
    this.deps.groups.run((c) => {
      c.store.onOffsetTombstone = (groupId, topic, partition) => this.pendingOffsets.drop(groupId, topic, partition);
    });
    this.deps.replicas.onPartitionState((p, removed) => this.partitions.onPartitionState(p, removed));
    for (const p of this.deps.replicas.all()) this.partitions.onPartitionState(p, false, { loadNow: true });
    for (const open of this.deps.groups.openTransactionalOffsets.splice(0))
      this.takeOpenOffsets(open.producerId, open.records);
    this.deps.groups.onOpenTransactionalOffsets = (producerId, records) => this.takeOpenOffsets(producerId, records);
    this.rearm();
  }

  /** Transactional offsets found in `__consumer_offsets` without their marker wait for their producer's marker. */
  private takeOpenOffsets(producerId: bigint, records: GroupRecord[]): void {
    const recordOrder = this.deps.groups.run((c) => c.store.nextRecordOrder());
    for (const [groupId, offsets] of pendingFromRecords(records))
      this.pendingOffsets.add(producerId, groupId, offsets, recordOrder);
  }

  private loadPartition(partition: Partition): void {
    const index = partition.index;
    const records = replayInternalPartition(partition, this.deps.log, decodeTxnRecord);
    this.run((c) => {
      for (const record of records) c.replay(record);
      c.recover((id) => partitionForTransactionalId(id, this.numPartitions()) === index);
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
   * partition as a transactional batch, then held pending until the producer's marker
   * reaches that partition. Throws when the append fails (nothing is then pending).
   */
  addOffsets(producer: { producerId: bigint; producerEpoch: number }, groupId: string, offsets: PendingOffset[]): void {
    if (offsets.length === 0) return;
    const groups = this.deps.groups;
    const recordOrder = groups.run((c, now) => {
      const partition = groups.offsetsPartition(c.store.partitionFor(groupId));
      checkCoordinatorAppend(partition, groups.minInsyncReplicas());
      appendTransactionalOffsets(partition, producer, groupId, offsets, now);
      return c.store.nextRecordOrder();
    });
    this.pendingOffsets.add(producer.producerId, groupId, offsets, recordOrder);
  }

  stop(): void {
    this.stopped = true;
    this.deadline.cancel();
    this.markerSender.cancelAll();
    this.channel.close();
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
    return ensureInternalTopic(this.deps.controller, this.deps.config, {
      name: TRANSACTION_STATE_TOPIC,
      partitionsConfig: 'transaction.state.log.num.partitions',
      replicationConfig: 'transaction.state.log.replication.factor',
      minInsyncReplicasConfig: 'transaction.state.log.min.isr',
      segmentBytesConfig: 'transaction.state.log.segment.bytes',
      forward: this.deps.forwardTopicCreation,
      shortage: this.topicShortage,
    });
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
  /** A committed transaction's offsets: each replaces the committed one unless that was written after it. */
  private commitOffsets(groupId: string, offsets: PendingOffset[], now: number): void {
    this.deps.groups.run((c) => {
      offsetRecords(groupId, offsets, now).forEach((record, i) =>
        c.store.replayTransactional(record, now, offsets[i]!.recordOrder ?? c.store.nextRecordOrder()),
      );
    });
  }

  private rearm(): void {
    if (this.stopped) return;
    this.deadline.arm(this.coordinator.nextDeadline());
  }
}

function groupByTopic(targets: readonly MarkerTarget[]): Array<{ name: string; partitionIndexes: number[] }> {
  const byTopic = new Map<string, number[]>();
  for (const t of targets) {
    let list = byTopic.get(t.topic);
    if (!list) byTopic.set(t.topic, (list = []));
    list.push(t.partition);
  }
  return [...byTopic].map(([name, partitionIndexes]) => ({ name, partitionIndexes }));
}
