/**
 * One consumer's fetch loop of the project's own load generators (bench/broker/fetchgen.ts for catch-up
 * fetch, bench/broker/latencygen.ts for end-to-end latency): Fetch v12+ for one partition from an offset,
 * one request in flight on its connection (as a consumer has per broker), each answer walked only as far
 * as the next offset needs (the batch headers: base offset, length, last offset delta), the data dropped.
 * The answers are read by the kernel straight into one buffer the connection reuses, so a 1 MB answer costs
 * the client one copy and no garbage.
 *
 * Leaves out: fetch sessions (every request is a full sessionless fetch, session id 0 and epoch -1, as
 * librdkafka 2.0 sends them), read_committed, leader changes and retries (any error code ends the run).
 */
import type { Socket } from 'node:net';
import { readResponseHeader } from '../../protocol/frame.js';
import { Reader } from '../../protocol/primitives/index.js';
import { FetchApi } from '../../protocol/generated/messages/01-fetch.js';
import {
  BASE_OFFSET_OFFSET,
  BATCH_LENGTH_OFFSET,
  LAST_OFFSET_DELTA_OFFSET,
  LOG_OVERHEAD,
} from '../../protocol/records/batch-header.js';
import { PipelinedClient } from '../groups/pipelined-client.js';
import { ZERO_UUID } from '../../protocol/primitives/uuid.js';
import { CORRELATION_OFFSET, openForLargeFrames } from './loadgen-wire.js';

export interface FetchStreamOptions {
  host: string;
  port: number;
  topic: string;
  /** Used from Fetch v13 on (the zero UUID when the server has none). */
  topicId: string;
  partition: number;
  /** Fetch from here... */
  from: number;
  /** ...until the next offset is at or past this one. */
  to: number;
  /** librdkafka's and the Java client's default: fetch.max.bytes 52428800, max.partition.fetch.bytes 1048576. */
  maxBytes: number;
  partitionMaxBytes: number;
  maxWaitMs: number;
  minBytes: number;
  /** Fetch version, 12 to 17. */
  version: number;
  /** Each whole batch received, as its header says, at the moment its answer was read. */
  onBatch?: (baseOffset: number, lastOffset: number) => void;
  /** Each answer: when its request was written and its answer read (performance.now()), its record bytes. */
  onAnswer?: (sentAt: number, readAt: number, bytes: number) => void;
}

export interface FetchStreamResult {
  /** Offsets advanced (the records read, for a log without gaps). */
  records: number;
  /** Record-batch bytes received. */
  bytes: number;
  fetches: number;
}

/** Whole batches' headers in `records`: calls `each` per batch; returns the offset after the last one, or -1. */
function walkBatches(records: Buffer, each?: (base: number, last: number) => void): number {
  let next = -1;
  let at = 0;
  while (at + LAST_OFFSET_DELTA_OFFSET + 4 <= records.length) {
    const size = records.readInt32BE(at + BATCH_LENGTH_OFFSET) + LOG_OVERHEAD;
    if (at + size > records.length) break; // a partial trailing batch, as Kafka may send one
    const base = Number(records.readBigInt64BE(at + BASE_OFFSET_OFFSET));
    const last = base + records.readInt32BE(at + LAST_OFFSET_DELTA_OFFSET);
    each?.(base, last);
    next = last + 1;
    at += size;
  }
  return next;
}

/** Reads [from, to) of the partition; rejects on any error code or a closed connection. */
export async function fetchRange(options: FetchStreamOptions): Promise<FetchStreamResult> {
  const { version } = options;
  if (version < 12 || version > 17) throw new Error(`fetch version ${version}: 12 to 17 only`);
  const result: FetchStreamResult = { records: 0, bytes: 0, fetches: 0 };
  let offset = options.from;
  let socket: Socket | null = null;
  let sentAt = 0;
  const frame = (): Buffer => {
    const request = PipelinedClient.encode(FetchApi, version, {
      clusterId: null,
      replicaId: -1,
      replicaState: { replicaId: -1, replicaEpoch: -1n },
      maxWaitMs: options.maxWaitMs,
      minBytes: options.minBytes,
      maxBytes: options.maxBytes,
      isolationLevel: 0,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [
        {
          topic: options.topic,
          topicId: options.topicId,
          partitions: [
            {
              partition: options.partition,
              currentLeaderEpoch: -1,
              fetchOffset: BigInt(offset),
              lastFetchedEpoch: -1,
              logStartOffset: -1n,
              partitionMaxBytes: options.partitionMaxBytes,
              replicaDirectoryId: ZERO_UUID,
              highWatermark: 9223372036854775807n,
            },
          ],
        },
      ],
      forgottenTopicsData: [],
      rackId: '',
    });
    request.writeInt32BE(result.fetches, CORRELATION_OFFSET);
    return request;
  };
  if (offset >= options.to) return result;
  await new Promise<void>((resolve, reject) => {
    const onAnswer = (answer: Buffer): void => {
      const r = new Reader(answer);
      const header = readResponseHeader(r, FetchApi.apiKey, version);
      if (header.correlationId !== result.fetches) {
        reject(new Error(`answer ${header.correlationId} to fetch ${result.fetches}`));
        return;
      }
      const response = FetchApi.decodeResponse(r, version);
      if (response.errorCode !== 0) return reject(new Error(`fetch: error ${response.errorCode}`));
      const partition = response.responses[0]?.partitions[0];
      if (!partition || partition.errorCode !== 0) {
        reject(new Error(`partition ${options.partition}: error ${partition?.errorCode ?? 'missing'}`));
        return;
      }
      const records = partition.records ?? Buffer.alloc(0);
      options.onAnswer?.(sentAt, performance.now(), records.length);
      const next = walkBatches(records, options.onBatch);
      if (next > offset) {
        result.records += next - offset;
        offset = next;
      }
      result.bytes += records.length;
      if (offset >= options.to) {
        socket!.end();
        resolve();
        return;
      }
      result.fetches++;
      sentAt = performance.now();
      socket!.write(frame());
    };
    openForLargeFrames(options.host, options.port, onAnswer).then((opened) => {
      socket = opened;
      opened.once('error', reject);
      opened.once('close', () => {
        if (offset < options.to) reject(new Error(`connection to ${options.host}:${options.port} closed`));
      });
      result.fetches++;
      sentAt = performance.now();
      opened.write(frame());
    }, reject);
  });
  return result;
}
