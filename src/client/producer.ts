/**
 * Sends records to a topic: each record goes to its partition (given, or from Kafka's
 * default partitioner), a partition's records are cut into v2 batches of batch.size bytes as the
 * Java producer's (one batch a request, in order), and each batch goes to the partition's leader
 * with the chosen acks and codec.
 * With `autoCreateTopic` a missing topic is auto-created if the broker allows it (the first
 * Metadata request asks for it, as the Java producer's does; UNKNOWN_TOPIC_OR_PARTITION is
 * retried meanwhile).
 * A partition's batches are pipelined as the Java producer's (max.in.flight.requests.per.connection,
 * 5 by default: send-lane.ts), written in order, retried one at a time in order.
 * Retries on leadership changes. With `idempotent` (and acks=-1) the batches carry a producer id,
 * epoch and sequence (producer-identity.ts), so a retried batch the broker already wrote is not written
 * twice; without, a retried batch may be, as with any producer without enable.idempotence.
 */
import type { ApiDefinition } from '../../protocol/generated/api-definition.js';
import { ProduceApi, defaultProduceRequest } from '../../protocol/generated/messages/00-produce.js';
import { ZERO_UUID } from '../../protocol/primitives/index.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { buildRecordBatch, type RecordInput } from '../../protocol/records/index.js';
import type { Cluster } from './cluster.js';
import { AdminCallTimeoutError, KafkaClientError, ProduceRefusedError, ProducerTimeoutError } from './errors.js';
import { RECORD_BATCH_OVERHEAD, recordSizeInBatch } from './record-size.js';
import { Partitioner } from './partitioner.js';
import { IdempotentSequences } from './producer-identity.js';
import { SendLane, type LaneTurn } from './send-lane.js';
import type { BrokerConnection } from './connection.js';

/** The last Produce version that names topics (v13, Kafka 4.1, names them by id only). */
const PRODUCE_VERSION_BY_NAME = 12;

export interface OutgoingRecord {
  key: Buffer | null;
  value: Buffer | null;
  headers: Array<{ key: string; value: Buffer | null }>;
  partition?: number;
}

export interface ProducerOptions {
  acks: number;
  compression: number;
  timeoutMs?: number;
  /**
   * max.block.ms: how long a send waits for the topic's metadata, then fails with Kafka's
   * TimeoutException "Topic t not present in metadata after N ms." (the cluster's call budget when absent).
   */
  maxBlockMs?: number;
  /**
   * delivery.timeout.ms: how long after a batch is made its delivery is tried, then it fails with
   * "Expiring N record(s) for t-p:M ms has passed since batch creation" (the cluster's budget when absent).
   */
  deliveryTimeoutMs?: number;
  /** Ask the broker to auto-create a missing topic (auto.create.topics.enable decides). */
  autoCreateTopic?: boolean;
  /**
   * batch.size: the bytes of one partition's batch, as the Java producer cuts them (Kafka's 16384
   * when absent); a record larger than it goes in a batch of its own.
   */
  batchSize?: number;
  /** enable.idempotence: the batches carry a producer id and sequences (only with acks=-1). */
  idempotent?: boolean;
  /** max.in.flight.requests.per.connection: a partition's batches unanswered at once (5 when absent). */
  maxInFlight?: number;
}

/** The Java producer's default max.in.flight.requests.per.connection. */
const DEFAULT_MAX_IN_FLIGHT = 5;

/** The Java producer's default batch.size. */
const DEFAULT_BATCH_SIZE = 16384;

/** How one record of a sendEach fared: its partition and offset, or its batch's error. */
export type RecordOutcome =
  | { ok: true; partition: number; offset: bigint; batchIndex: number; batchCount: number }
  | { ok: false; partition: number; error: unknown; batchIndex: number };

export interface SendResult {
  partition: number;
  baseOffset: bigint;
  count: number;
}

export class Producer {
  private readonly partitioner = new Partitioner();
  private partitionCount = 0;
  /**
   * Each partition's leader from the last Metadata answer, as the Java producer keeps its metadata:
   * asked again only when an attempt is retried (NOT_LEADER_OR_FOLLOWER, a leader gone) or a
   * partition's leader is not known, not before every batch (a Metadata round trip per 16 KiB batch
   * halved a piped console producer's rate).
   */
  private leaderCache: Map<number, number> | null = null;
  private readonly sequences: IdempotentSequences | null;
  private readonly lanes = new Map<number, SendLane>();
  /** The first Metadata call, shared by the sends made meanwhile (so they go on in the order they were made). */
  private metadata: Promise<void> | null = null;

  constructor(
    private readonly cluster: Cluster,
    private readonly topic: string,
    private readonly options: ProducerOptions,
  ) {
    this.sequences = options.idempotent === true && options.acks === -1 ? new IdempotentSequences(cluster) : null;
  }

  /** Waits (up to max.block.ms when set) for the topic's partition count, as the Java producer's send blocks. */
  async awaitMetadata(): Promise<void> {
    if (this.partitionCount !== 0) return;
    if (this.metadata === null) {
      const asked = this.fetchMetadata();
      this.metadata = asked;
      asked.catch(() => {
        if (this.metadata === asked) this.metadata = null;
      });
    }
    return this.metadata;
  }

  private async fetchMetadata(): Promise<void> {
    const maxBlockMs = this.options.maxBlockMs;
    try {
      const leaders = await this.cluster.withRetries(
        'Metadata',
        () => this.cluster.leaders(this.topic, this.options.autoCreateTopic === true),
        maxBlockMs,
      );
      this.partitionCount = leaders.size;
      this.leaderCache = leaders;
    } catch (err) {
      if (maxBlockMs === undefined || !(err instanceof AdminCallTimeoutError)) throw err;
      throw new ProducerTimeoutError(`Topic ${this.topic} not present in metadata after ${maxBlockMs} ms.`);
    }
  }

  /**
   * Sends one group of records made at `createdMs`; resolves when every batch is acknowledged (or at
   * once for acks=0), one result per batch; rejects with the first batch's error when any fails.
   */
  async send(records: OutgoingRecord[], createdMs = Date.now()): Promise<SendResult[]> {
    const outcomes = await this.sendEach(records, createdMs);
    const failed = outcomes.find((o) => !o.ok);
    if (failed && !failed.ok) throw failed.error;
    const results: SendResult[] = [];
    for (const o of outcomes) {
      if (!o.ok || o.batchIndex !== 0) continue;
      results.push({ partition: o.partition, baseOffset: o.offset, count: o.batchCount });
    }
    return results;
  }

  /**
   * Sends one group of records made at `createdMs` and settles each record on its own, in input
   * order, as the Java producer's per-record callbacks: each partition's records go in batches of at
   * most batch.size bytes (a record larger than that alone), one after another; a refused batch fails
   * its records only, the partition's next batches and the other partitions are still sent.
   */
  async sendEach(records: OutgoingRecord[], createdMs = Date.now()): Promise<RecordOutcome[]> {
    await this.awaitMetadata();
    const byPartition = new Map<number, number[]>();
    records.forEach((record, i) => {
      const partition = record.partition ?? this.partitioner.partitionFor(record.key, this.partitionCount);
      if (partition < 0 || partition >= this.partitionCount)
        throw new KafkaClientError(3, `${this.topic}-${partition}`, `the topic has ${this.partitionCount} partitions`);
      const list = byPartition.get(partition) ?? [];
      list.push(i);
      byPartition.set(partition, list);
    });
    const outcomes = new Array<RecordOutcome>(records.length);
    const now = BigInt(Date.now());
    // Every batch enters its partition's lane now, in order; the lanes pipeline them.
    const sends: Array<Promise<void>> = [];
    for (const [partition, indexes] of byPartition) {
      for (const batch of this.cutBatches(records, indexes)) {
        const inputs = batch.map((i) => {
          const { key, value, headers } = records[i]!;
          return { key, value, headers, timestamp: now };
        });
        const sending = this.deliver(partition, inputs, createdMs).then(
          (sent) =>
            batch.forEach((i, n) => {
              const offset = sent.baseOffset < 0n ? -1n : sent.baseOffset + BigInt(n);
              outcomes[i] = { ok: true, partition, offset, batchIndex: n, batchCount: batch.length };
            }),
          (error: unknown) => batch.forEach((i, n) => (outcomes[i] = { ok: false, partition, error, batchIndex: n })),
        );
        sends.push(sending);
      }
    }
    await Promise.all(sends);
    return outcomes;
  }

  /** The Java accumulator's cut: a batch takes records while they fit in max(batch.size, its first record). */
  private cutBatches(records: OutgoingRecord[], indexes: number[]): number[][] {
    const limit = this.options.batchSize ?? DEFAULT_BATCH_SIZE;
    const batches: number[][] = [];
    let current: number[] = [];
    let used = 0;
    let room = 0;
    for (const i of indexes) {
      const size = recordSizeInBatch(records[i]!);
      if (current.length > 0 && used + size > room) {
        batches.push(current);
        current = [];
      }
      if (current.length === 0) {
        used = RECORD_BATCH_OVERHEAD;
        room = Math.max(limit, RECORD_BATCH_OVERHEAD + size);
      }
      current.push(i);
      used += size;
    }
    if (current.length > 0) batches.push(current);
    return batches;
  }

  /** Sends one batch through its partition's lane (entered before this returns its promise). */
  private async deliver(partition: number, records: RecordInput[], createdMs: number): Promise<SendResult> {
    const deliveryTimeoutMs = this.options.deliveryTimeoutMs;
    const sending = this.laneOf(partition).run((turn) =>
      this.sendBatch(
        partition,
        records,
        turn,
        deliveryTimeoutMs === undefined ? undefined : Math.max(0, createdMs + deliveryTimeoutMs - Date.now()),
      ),
    );
    if (deliveryTimeoutMs === undefined) return sending;
    try {
      return await sending;
    } catch (err) {
      if (!(err instanceof AdminCallTimeoutError)) throw err;
      throw new ProducerTimeoutError(
        `Expiring ${records.length} record(s) for ${this.topic}-${partition}:${Date.now() - createdMs} ms has passed since batch creation`,
      );
    }
  }

  private laneOf(partition: number): SendLane {
    let lane = this.lanes.get(partition);
    if (lane === undefined) {
      lane = new SendLane(this.options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT);
      this.lanes.set(partition, lane);
    }
    return lane;
  }

  /** The partition's leader: from the cache, unless `refresh` (a retry) or it is not known there. */
  private async leaderOf(partition: number, refresh: boolean): Promise<number | undefined> {
    const cached = this.leaderCache?.get(partition);
    if (!refresh && cached !== undefined && cached >= 0) return cached;
    this.leaderCache = await this.cluster.leaders(this.topic);
    return this.leaderCache.get(partition);
  }

  private async sendBatch(
    partition: number,
    records: RecordInput[],
    turn: LaneTurn,
    budgetMs?: number,
  ): Promise<SendResult> {
    const sequences = this.sequences;
    if (sequences === null)
      return this.sendBuilt(partition, records, buildRecordBatch(this.batchOptions(records)), turn, budgetMs);
    // The sequence is taken in the same turn the identity is known current.
    const identity = await sequences.settledIdentity();
    const batch = buildRecordBatch({
      ...this.batchOptions(records),
      producerId: identity.producerId,
      producerEpoch: identity.producerEpoch,
      baseSequence: sequences.take(partition, records.length),
    });
    try {
      return await this.sendBuilt(partition, records, batch, turn, budgetMs);
    } catch (err) {
      sequences.failed(identity);
      throw err;
    }
  }

  private batchOptions(records: RecordInput[]): { records: RecordInput[]; compression: number } {
    return { records, compression: this.options.compression };
  }

  /**
   * Sends one built batch to the partition's leader, tried again (the same bytes) on retriable
   * failures; a failure while the lane's previous batch was unanswered waits for that one first, and
   * OUT_OF_ORDER_SEQUENCE_NUMBER then (the previous batch was not written yet) is sent again at once.
   */
  private sendBuilt(
    partition: number,
    records: RecordInput[],
    batch: Buffer,
    turn: LaneTurn,
    budgetMs?: number,
  ): Promise<SendResult> {
    let attempts = 0;
    return this.cluster.withRetries(
      `Produce ${this.topic}-${partition}`,
      async () => {
        const leader = await this.leaderOf(partition, attempts++ > 0);
        if (leader === undefined || leader < 0) throw new KafkaClientError(5, `${this.topic}-${partition}`);
        const connection = await this.cluster.toNode(leader);
        for (let resent = false; ; resent = true) {
          const predecessorWasOpen = turn.predecessorOpen();
          try {
            return await this.produceOnce(connection, partition, records, batch, turn);
          } catch (err) {
            if (!predecessorWasOpen) throw err;
            const delivered = await turn.predecessorSettled();
            const outOfOrder = err instanceof KafkaClientError && err.code === ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER;
            if (!delivered || !outOfOrder || resent) throw err;
          }
        }
      },
      budgetMs,
    );
  }

  /** One Produce request of the batch on `connection`, its answer read. */
  private async produceOnce(
    connection: BrokerConnection,
    partition: number,
    records: RecordInput[],
    batch: Buffer,
    turn: LaneTurn,
  ): Promise<SendResult> {
    const request = defaultProduceRequest();
    request.acks = this.options.acks;
    request.timeoutMs = this.options.timeoutMs ?? 30_000;
    request.topicData = [
      { name: this.topic, topicId: ZERO_UUID, partitionData: [{ index: partition, records: batch }] },
    ];
    if (this.options.acks === 0) {
      const sent = connection.sendWithoutResponse(ProduceApi, request, PRODUCE_VERSION_BY_NAME);
      turn.written();
      await sent;
      return { partition, baseOffset: -1n, count: records.length };
    }
    // The request is written when send is called: the lane's next batch may write its own.
    const answered = connection.send(
      ProduceApi,
      request,
      connection.versionFor(ProduceApi as ApiDefinition<unknown, unknown>, PRODUCE_VERSION_BY_NAME),
    );
    turn.written();
    const response = await answered;
    const answer = response.responses[0]?.partitionResponses[0];
    if (!answer) throw new KafkaClientError(-1, `Produce ${this.topic}-${partition}`, 'empty answer');
    // A retry of a batch the broker had written (an idempotent producer's): written once, as the Java producer takes it.
    if (answer.errorCode === ErrorCode.DUPLICATE_SEQUENCE_NUMBER && this.sequences !== null)
      return { partition, baseOffset: -1n, count: records.length };
    if (answer.errorCode !== 0) {
      throw new ProduceRefusedError(
        answer.errorCode,
        `produce to ${this.topic}-${partition}`,
        answer.errorMessage,
        answer.recordErrors.map((e) => ({ batchIndex: e.batchIndex, message: e.batchIndexErrorMessage })),
      );
    }
    return { partition, baseOffset: answer.baseOffset, count: records.length };
  }
}
