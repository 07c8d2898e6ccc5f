/**
 * Sends records to a topic: each record goes to its partition (given, or from Kafka's
 * default partitioner), records are grouped into one v2 batch per partition per flush,
 * and each batch goes to the partition's leader with the chosen acks and codec.
 * With `autoCreateTopic` a missing topic is auto-created if the broker allows it (the first
 * Metadata request asks for it, as the Java producer's does; UNKNOWN_TOPIC_OR_PARTITION is
 * retried meanwhile).
 * Retries on leadership changes; not idempotent (a retried batch may be written twice,
 * as with any producer without enable.idempotence).
 */
import type { ApiDefinition } from '../../protocol/generated/api-definition.js';
import { ProduceApi, defaultProduceRequest } from '../../protocol/generated/messages/00-produce.js';
import { ZERO_UUID } from '../../protocol/primitives/index.js';
import { buildRecordBatch, type RecordInput } from '../../protocol/records/index.js';
import type { Cluster } from './cluster.js';
import { AdminCallTimeoutError, KafkaClientError, ProducerTimeoutError } from './errors.js';
import { Partitioner } from './partitioner.js';

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
}

export interface SendResult {
  partition: number;
  baseOffset: bigint;
  count: number;
}

export class Producer {
  private readonly partitioner = new Partitioner();
  private partitionCount = 0;

  constructor(
    private readonly cluster: Cluster,
    private readonly topic: string,
    private readonly options: ProducerOptions,
  ) {}

  /** Waits (up to max.block.ms when set) for the topic's partition count, as the Java producer's send blocks. */
  async awaitMetadata(): Promise<void> {
    if (this.partitionCount !== 0) return;
    const maxBlockMs = this.options.maxBlockMs;
    try {
      this.partitionCount = (
        await this.cluster.withRetries(
          'Metadata',
          () => this.cluster.leaders(this.topic, this.options.autoCreateTopic === true),
          maxBlockMs,
        )
      ).size;
    } catch (err) {
      if (maxBlockMs === undefined || !(err instanceof AdminCallTimeoutError)) throw err;
      throw new ProducerTimeoutError(`Topic ${this.topic} not present in metadata after ${maxBlockMs} ms.`);
    }
  }

  /**
   * Sends one group of records made at `createdMs`; resolves when every batch is acknowledged (or at
   * once for acks=0).
   */
  async send(records: OutgoingRecord[], createdMs = Date.now()): Promise<SendResult[]> {
    await this.awaitMetadata();
    const byPartition = new Map<number, RecordInput[]>();
    const now = BigInt(Date.now());
    for (const record of records) {
      const partition = record.partition ?? this.partitioner.partitionFor(record.key, this.partitionCount);
      if (partition < 0 || partition >= this.partitionCount)
        throw new KafkaClientError(3, `${this.topic}-${partition}`, `the topic has ${this.partitionCount} partitions`);
      const list = byPartition.get(partition) ?? [];
      list.push({ key: record.key, value: record.value, headers: record.headers, timestamp: now });
      byPartition.set(partition, list);
    }
    const results = await Promise.all(
      [...byPartition].map(([partition, batch]) => this.deliver(partition, batch, createdMs)),
    );
    return results;
  }

  private async deliver(partition: number, records: RecordInput[], createdMs: number): Promise<SendResult> {
    const deliveryTimeoutMs = this.options.deliveryTimeoutMs;
    if (deliveryTimeoutMs === undefined) return this.sendBatch(partition, records);
    try {
      return await this.sendBatch(partition, records, Math.max(0, createdMs + deliveryTimeoutMs - Date.now()));
    } catch (err) {
      if (!(err instanceof AdminCallTimeoutError)) throw err;
      throw new ProducerTimeoutError(
        `Expiring ${records.length} record(s) for ${this.topic}-${partition}:${Date.now() - createdMs} ms has passed since batch creation`,
      );
    }
  }

  private sendBatch(partition: number, records: RecordInput[], budgetMs?: number): Promise<SendResult> {
    const batch = buildRecordBatch({ records, compression: this.options.compression });
    return this.cluster.withRetries(
      `Produce ${this.topic}-${partition}`,
      async () => {
        const leader = (await this.cluster.leaders(this.topic)).get(partition);
        if (leader === undefined || leader < 0) throw new KafkaClientError(5, `${this.topic}-${partition}`);
        const connection = await this.cluster.toNode(leader);
        const request = defaultProduceRequest();
        request.acks = this.options.acks;
        request.timeoutMs = this.options.timeoutMs ?? 30_000;
        request.topicData = [
          { name: this.topic, topicId: ZERO_UUID, partitionData: [{ index: partition, records: batch }] },
        ];
        if (this.options.acks === 0) {
          await connection.sendWithoutResponse(ProduceApi, request, PRODUCE_VERSION_BY_NAME);
          return { partition, baseOffset: -1n, count: records.length };
        }
        const response = await connection.send(
          ProduceApi,
          request,
          connection.versionFor(ProduceApi as ApiDefinition<unknown, unknown>, PRODUCE_VERSION_BY_NAME),
        );
        const answer = response.responses[0]?.partitionResponses[0];
        if (!answer) throw new KafkaClientError(-1, `Produce ${this.topic}-${partition}`, 'empty answer');
        if (answer.errorCode !== 0) {
          const detail = answer.recordErrors
            .map((e) => `record ${e.batchIndex}: ${e.batchIndexErrorMessage ?? ''}`)
            .join('; ');
          throw new KafkaClientError(
            answer.errorCode,
            `produce to ${this.topic}-${partition}`,
            answer.errorMessage ?? (detail || null),
          );
        }
        return { partition, baseOffset: answer.baseOffset, count: records.length };
      },
      budgetMs,
    );
  }
}
