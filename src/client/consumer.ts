/**
 * Reads records from assigned partitions with Fetch (at most v12, topics by name),
 * one request per leader, long-polling. Skips control batches, and under read_committed
 * the batches of aborted transactions (from the response's aborted-transaction list,
 * as Kafka's consumers do). Leaves out: legacy (magic 0/1) message sets, fetch sessions.
 */
import type { ApiDefinition } from '../../protocol/generated/api-definition.js';
import {
  FetchApi,
  defaultFetchRequest,
  type FetchResponsePartitionData,
} from '../../protocol/generated/messages/01-fetch.js';
import { decodeRecordBatches, type DecodedRecord, type RecordBatch } from '../../protocol/records/index.js';
import type { Cluster } from './cluster.js';
import { KafkaClientError, UnknownPartitionFetchError } from './errors.js';

const MAX_FETCH_VERSION = 12;
const OFFSET_OUT_OF_RANGE = 1;

const UNKNOWN_TOPIC_OR_PARTITION = 3;
const UNKNOWN_TOPIC_ID = 100;

export interface ConsumedRecord extends DecodedRecord {
  topic: string;
  partition: number;
  /** The batch's timestamp type: 0 CreateTime, 1 LogAppendTime. */
  timestampType: number;
}

export interface FetchPosition {
  partition: number;
  offset: bigint;
}

export interface FetcherOptions {
  isolationLevel: number;
  maxWaitMs: number;
  partitionMaxBytes: number;
}

export class Fetcher {
  readonly positions = new Map<number, bigint>();

  constructor(
    private readonly cluster: Cluster,
    readonly topic: string,
    start: FetchPosition[],
    private readonly options: FetcherOptions,
  ) {
    for (const p of start) this.positions.set(p.partition, p.offset);
  }

  /** One round of fetches from every leader; returns the records in offset order per partition. */
  async poll(): Promise<ConsumedRecord[]> {
    const leaders = await this.cluster.withRetries(`Metadata ${this.topic}`, () => this.cluster.leaders(this.topic));
    const byLeader = new Map<number, number[]>();
    for (const partition of this.positions.keys()) {
      const leader = leaders.get(partition);
      if (leader === undefined) throw new KafkaClientError(3, `${this.topic}-${partition}`);
      if (leader >= 0) byLeader.set(leader, [...(byLeader.get(leader) ?? []), partition]);
    }
    const rounds = await Promise.all([...byLeader].map(([leader, partitions]) => this.fetchFrom(leader, partitions)));
    return rounds.flat();
  }

  private async fetchFrom(leader: number, partitions: number[]): Promise<ConsumedRecord[]> {
    const connection = await this.cluster.toNode(leader);
    const version = Math.min(MAX_FETCH_VERSION, connection.versionFor(FetchApi as ApiDefinition<unknown, unknown>));
    const request = defaultFetchRequest();
    request.replicaId = -1;
    request.maxWaitMs = this.options.maxWaitMs;
    request.minBytes = 1;
    request.maxBytes = 50 * 1024 * 1024;
    request.isolationLevel = version >= 4 ? this.options.isolationLevel : 0;
    request.sessionEpoch = version >= 7 ? -1 : 0;
    request.topics = [
      {
        topic: this.topic,
        topicId: 'AAAAAAAAAAAAAAAAAAAAAA',
        partitions: partitions.map((partition) => ({
          partition,
          currentLeaderEpoch: -1,
          fetchOffset: this.positions.get(partition) ?? 0n,
          lastFetchedEpoch: -1,
          logStartOffset: -1n,
          partitionMaxBytes: this.options.partitionMaxBytes,
          replicaDirectoryId: 'AAAAAAAAAAAAAAAAAAAAAA',
          highWatermark: 9223372036854775807n,
        })),
      },
    ];
    const response = await connection.send(FetchApi, request, version);
    if (response.errorCode !== 0) throw new KafkaClientError(response.errorCode, `Fetch from broker ${leader}`);
    const out: ConsumedRecord[] = [];
    for (const t of response.responses) for (const p of t.partitions) out.push(...this.take(p));
    return out;
  }

  private take(data: FetchResponsePartitionData): ConsumedRecord[] {
    const partition = data.partitionIndex;
    if (data.errorCode === OFFSET_OUT_OF_RANGE)
      throw new KafkaClientError(1, `${this.topic}-${partition} at offset ${this.positions.get(partition)}`);
    if (data.errorCode !== 0) {
      if (data.errorCode === 6 || data.errorCode === 5) return [];
      if (data.errorCode === UNKNOWN_TOPIC_OR_PARTITION || data.errorCode === UNKNOWN_TOPIC_ID)
        throw new UnknownPartitionFetchError(data.errorCode, this.topic, partition);
      throw new KafkaClientError(data.errorCode, `Fetch ${this.topic}-${partition}`);
    }
    if (!data.records || data.records.length === 0) return [];
    const position = this.positions.get(partition) ?? 0n;
    const aborted = new Map<bigint, bigint>();
    for (const a of data.abortedTransactions ?? []) aborted.set(a.producerId, a.firstOffset);
    const batches = decodeRecordBatches(data.records, { allowPartialTrailing: true });
    const out: ConsumedRecord[] = [];
    let next = position;
    for (const batch of batches) {
      const end = batch.baseOffset + BigInt(batch.lastOffsetDelta);
      if (end < position) continue;
      next = end + 1n;
      if (this.isAborted(batch, aborted)) continue;
      if (batch.control) continue;
      for (const record of batch.records)
        if (record.offset >= position)
          out.push({ ...record, topic: this.topic, partition, timestampType: batch.timestampType });
    }
    this.positions.set(partition, next);
    return out;
  }

  /** Under read_committed: true while `batch` belongs to a transaction the response lists as aborted. */
  private isAborted(batch: RecordBatch, aborted: Map<bigint, bigint>): boolean {
    if (this.options.isolationLevel !== 1 || !batch.transactional) return false;
    const first = aborted.get(batch.producerId);
    if (first === undefined || first > batch.baseOffset) return false;
    if (batch.control) aborted.delete(batch.producerId);
    return true;
  }
}
