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
import { KafkaClientError } from './errors.js';
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

  /** Sends one group of records; resolves when every batch is acknowledged (or at once for acks=0). */
  async send(records: OutgoingRecord[]): Promise<SendResult[]> {
    if (this.partitionCount === 0)
      this.partitionCount = (
        await this.cluster.withRetries('Metadata', () =>
          this.cluster.leaders(this.topic, this.options.autoCreateTopic === true),
        )
      ).size;
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
    const results = await Promise.all([...byPartition].map(([partition, batch]) => this.sendBatch(partition, batch)));
    return results;
  }

  private sendBatch(partition: number, records: RecordInput[]): Promise<SendResult> {
    const batch = buildRecordBatch({ records, compression: this.options.compression });
    return this.cluster.withRetries(`Produce ${this.topic}-${partition}`, async () => {
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
    });
  }
}
