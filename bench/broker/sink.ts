/**
 * The baseline for the broker benchmark: a tiny Kafka server that answers ApiVersions,
 * Metadata and Produce with success and stores nothing ("produce" mode), or also serves
 * Fetch and ListOffsets from one prebuilt batch ("fetch" mode: any offset below
 * `--messages` gets copies of that batch with their base offsets patched, up to the
 * partition's byte budget). It decodes requests and encodes responses with the
 * project's generated codecs and protocol/frame.ts, as the broker does, so the ratio
 * broker/sink measures what the broker adds: validation, storage, bookkeeping. Kept as cheap as a
 * server can be: frames are read by the kernel into one reused buffer per connection, and a Produce
 * is answered from its header and topic/partition names (the records are not looked at, beyond the
 * first batch's last offset delta, for the base offsets it answers).
 *
 *   node --import tsx bench/broker/sink.ts --port 0 --mode fetch --partitions 1 \
 *        --messages 100000 --size 1024 --batch-records 100
 *
 * Prints `listening <port>` once bound. Leaves out: everything else (no groups, no
 * errors, no topic existence: every topic asked for exists, with N partitions when its
 * name ends in `-p<N>`, else --partitions).
 */
import { createServer, type Socket } from 'node:net';
import { parseArgs } from 'node:util';
import { encodeFrame, readRequestHeader, writeResponseHeader } from '../../protocol/frame.js';
import { Reader, type Writer } from '../../protocol/primitives/index.js';
import { ZERO_UUID } from '../../protocol/primitives/uuid.js';
import { ApiVersionsApi } from '../../protocol/generated/messages/18-api-versions.js';
import { MetadataApi } from '../../protocol/generated/messages/03-metadata.js';
import {
  ProduceApi,
  type ProduceResponsePartitionProduceResponse,
  type ProduceResponseTopicProduceResponse,
} from '../../protocol/generated/messages/00-produce.js';
import { FetchApi, type FetchResponseFetchableTopicResponse } from '../../protocol/generated/messages/01-fetch.js';
import { ListOffsetsApi } from '../../protocol/generated/messages/02-list-offsets.js';
import { LAST_OFFSET_DELTA_OFFSET, patchBaseOffset } from '../../protocol/records/batch-header.js';
import { buildRecordBatch } from '../../protocol/records/index.js';
import { FrameReader } from '../../src/common/frame-reader.js';
import { readIntoUserBuffers } from '../../src/server/user-buffer-reads.js';
import { EchoLog } from './sink-echo.js';

const { values: args } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    mode: { type: 'string', default: 'produce' },
    partitions: { type: 'string', default: '1' },
    messages: { type: 'string', default: '0' },
    size: { type: 'string', default: '1024' },
    'batch-records': { type: 'string', default: '100' },
  },
});
const echoMode = args.mode === 'echo';
const fetchMode = args.mode === 'fetch' || echoMode;
const echo = new EchoLog(echoMode);
const defaultPartitions = Number(args.partitions);
/** A topic named `...-p<N>` has N partitions; any other has --partitions. */
function partitionsOf(topic: string): number {
  const match = /-p(\d+)$/.exec(topic);
  return match ? Number(match[1]) : defaultPartitions;
}
const totalMessages = Number(args.messages);
const NODE_ID = 1;
const MAX_FRAME = 100 * 1024 * 1024;

/** The broker's own ranges for these APIs (src/handlers), so clients pick the same versions. */
const API_RANGES = [
  { apiKey: ProduceApi.apiKey, minVersion: 0, maxVersion: 11 },
  { apiKey: MetadataApi.apiKey, minVersion: 0, maxVersion: 12 },
  { apiKey: ApiVersionsApi.apiKey, minVersion: 0, maxVersion: 4 },
  ...(fetchMode
    ? [
        { apiKey: FetchApi.apiKey, minVersion: 0, maxVersion: 17 },
        { apiKey: ListOffsetsApi.apiKey, minVersion: 0, maxVersion: 9 },
      ]
    : []),
];

/**
 * The fetch data set, prebuilt once: `--messages` records of `--size` bytes in batches of
 * `--batch-records`, uncompressed, CreateTime, base offsets already set. A fetch gets
 * zero-copy views of whole batches from the one holding its offset.
 */
const batchRecords = Number(args['batch-records']);
const value = Buffer.alloc(Number(args.size), 0x61);
const template = buildRecordBatch({
  records: Array.from({ length: batchRecords }, (_, i) => ({
    key: null,
    value,
    timestamp: 1_700_000_000_000n + BigInt(i),
  })),
});
const batchCount = fetchMode ? Math.ceil(totalMessages / batchRecords) : 0;
const dataSet = Buffer.allocUnsafe(batchCount * template.length);
for (let i = 0; i < batchCount; i++) {
  template.copy(dataSet, i * template.length);
  patchBaseOffset(dataSet, i * template.length, BigInt(i * batchRecords));
}
const dataEnd = batchCount * batchRecords;

/** Whole batches from the one holding `offset`, within `limit` bytes (at least one). */
function readDataSet(offset: number, limit: number): Buffer {
  if (offset >= dataEnd) return Buffer.alloc(0);
  const first = Math.floor(offset / batchRecords);
  const count = Math.max(1, Math.min(batchCount - first, Math.floor(limit / template.length)));
  return dataSet.subarray(first * template.length, (first + count) * template.length);
}

let port = 0;
const produceOffsets = new Map<string, number>();

type Answer = ((w: Writer) => void) | null;

function produced(index: number, base: number, version: number): ProduceResponsePartitionProduceResponse {
  return {
    index,
    errorCode: 0,
    baseOffset: BigInt(base),
    logAppendTimeMs: -1n,
    logStartOffset: version >= 5 ? 0n : -1n,
    recordErrors: [],
    errorMessage: null,
    currentLeader: { leaderId: -1, leaderEpoch: -1 },
  };
}
/** An echo-mode Fetch that found nothing: asked again at the next Produce or after `waitMs`. */
interface Deferred {
  waitMs: number;
  again: () => Answer;
}

function answer(apiKey: number, version: number, body: Reader, mayWait = true): Answer | Deferred {
  switch (apiKey) {
    case ApiVersionsApi.apiKey:
      return (w) =>
        ApiVersionsApi.encodeResponse(w, version, {
          errorCode: 0,
          apiKeys: API_RANGES,
          throttleTimeMs: 0,
          supportedFeatures: [],
          finalizedFeaturesEpoch: -1n,
          finalizedFeatures: [],
          zkMigrationReady: false,
        });
    case MetadataApi.apiKey: {
      const request = MetadataApi.decodeRequest(body, version);
      const names =
        request.topics === null || request.topics.length === 0 ? [] : request.topics.map((t) => t.name ?? '');
      return (w) =>
        MetadataApi.encodeResponse(w, version, {
          throttleTimeMs: 0,
          brokers: [{ nodeId: NODE_ID, host: '127.0.0.1', port, rack: null }],
          clusterId: 'bench-sink',
          controllerId: NODE_ID,
          topics: names.map((name) => ({
            errorCode: 0,
            name,
            topicId: ZERO_UUID,
            isInternal: false,
            partitions: Array.from({ length: partitionsOf(name) }, (_, p) => ({
              errorCode: 0,
              partitionIndex: p,
              leaderId: NODE_ID,
              leaderEpoch: version >= 7 ? 0 : -1,
              replicaNodes: [NODE_ID],
              isrNodes: [NODE_ID],
              offlineReplicas: [],
            })),
            topicAuthorizedOperations: -2147483648,
          })),
          clusterAuthorizedOperations: -2147483648,
          errorCode: 0,
        });
    }
    case ProduceApi.apiKey: {
      const request = ProduceApi.decodeRequest(body, version);
      const responses: ProduceResponseTopicProduceResponse[] = request.topicData.map((topic) => ({
        name: topic.name,
        topicId: topic.topicId,
        partitionResponses: topic.partitionData.map((p) => {
          const key = `${topic.name}:${p.index}`;
          if (echoMode && p.records) {
            const echoed = echo.append(key, p.records);
            produceOffsets.set(key, echo.end(key) - 1);
            return produced(p.index, echoed, version);
          }
          const base = produceOffsets.get(key) ?? 0;
          const count =
            p.records && p.records.length > LAST_OFFSET_DELTA_OFFSET + 4
              ? p.records.readInt32BE(LAST_OFFSET_DELTA_OFFSET) + 1
              : 0;
          produceOffsets.set(key, base + count);
          return produced(p.index, base, version);
        }),
      }));
      if (request.acks === 0) return null;
      return (w) => ProduceApi.encodeResponse(w, version, { responses, throttleTimeMs: 0, nodeEndpoints: [] });
    }
    case FetchApi.apiKey: {
      const start = body.offset;
      const request = FetchApi.decodeRequest(body, version);
      let budget = request.maxBytes;
      const read = (topic: string, p: { partition: number; fetchOffset: bigint }, limit: number): Buffer =>
        echoMode
          ? echo.read(`${topic}:${p.partition}`, Number(p.fetchOffset), limit)
          : readDataSet(Number(p.fetchOffset), limit);
      const end = (topic: string, partition: number): bigint =>
        BigInt(echoMode ? echo.end(`${topic}:${partition}`) : dataEnd);
      const responses: FetchResponseFetchableTopicResponse[] = request.topics.map((topic) => ({
        topic: topic.topic,
        topicId: topic.topicId,
        partitions: topic.partitions.map((p) => {
          const records = read(topic.topic, p, Math.min(p.partitionMaxBytes, budget));
          budget -= records.length;
          return {
            partitionIndex: p.partition,
            errorCode: 0,
            highWatermark: end(topic.topic, p.partition),
            lastStableOffset: end(topic.topic, p.partition),
            logStartOffset: 0n,
            divergingEpoch: { epoch: -1, endOffset: -1n },
            currentLeader: { leaderId: -1, leaderEpoch: -1 },
            snapshotId: { endOffset: -1n, epoch: -1 },
            abortedTransactions: version >= 4 ? [] : null,
            preferredReadReplica: -1,
            records,
          };
        }),
      }));
      if (echoMode && mayWait && budget === request.maxBytes && request.maxWaitMs > 0) {
        const frame = body.buffer.subarray(start);
        return { waitMs: request.maxWaitMs, again: () => answer(apiKey, version, new Reader(frame), false) as Answer };
      }
      return (w) =>
        FetchApi.encodeResponse(w, version, {
          throttleTimeMs: 0,
          errorCode: 0,
          sessionId: 0,
          responses,
          nodeEndpoints: [],
        });
    }
    case ListOffsetsApi.apiKey: {
      const request = ListOffsetsApi.decodeRequest(body, version);
      return (w) =>
        ListOffsetsApi.encodeResponse(w, version, {
          throttleTimeMs: 0,
          topics: request.topics.map((t) => ({
            name: t.name,
            partitions: t.partitions.map((p) => {
              const latest = echoMode ? echo.end(`${t.name}:${p.partitionIndex}`) : dataEnd;
              const offset = p.timestamp === -2n ? 0n : BigInt(latest);
              return {
                partitionIndex: p.partitionIndex,
                errorCode: 0,
                oldStyleOffsets: version === 0 ? [offset] : [],
                timestamp: -1n,
                offset: version === 0 ? -1n : offset,
                leaderEpoch: version >= 4 ? 0 : -1,
              };
            }),
          })),
        });
    }
    default:
      throw new Error(`API key ${apiKey} is not served by the sink`);
  }
}

/**
 * One reused buffer per connection for the frames: the sink answers each frame before the next read
 * and keeps no view of it (the fetch data set is its own), so a frame's bytes may be overwritten by the
 * next one. Grows to the largest frame seen.
 */
function frameBuffers(): (size: number) => Buffer {
  let buffer = Buffer.allocUnsafe(0);
  return (size) => {
    if (buffer.length < size) buffer = Buffer.allocUnsafe(size);
    return buffer.subarray(0, size);
  };
}

function serve(socket: Socket): void {
  socket.setNoDelay(true);
  // Echo mode: while a Fetch waits for data, later requests wait behind it (answers stay in order).
  let parked: Buffer[] | null = null;
  const onFrame = (frame: Buffer): void => {
    if (parked !== null) {
      parked.push(Buffer.from(frame));
      return;
    }
    const r = new Reader(frame);
    let header: ReturnType<typeof readRequestHeader>;
    let result;
    try {
      header = readRequestHeader(r);
      result = answer(header.requestApiKey, header.requestApiVersion, r);
    } catch {
      // Kafka closes the connection on a request it cannot serve; so does the sink.
      socket.destroy();
      return;
    }
    if (result !== null && typeof result !== 'function') {
      const deferred = result;
      parked = [];
      let done = false;
      const finish = (): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        respond(header, deferred.again());
        const queued = parked ?? [];
        parked = null;
        for (const next of queued) onFrame(next);
      };
      const timer = setTimeout(finish, deferred.waitMs);
      echo.onAppend(finish);
      return;
    }
    respond(header, result);
  };
  const respond = (header: ReturnType<typeof readRequestHeader>, write: Answer): void => {
    if (write === null || socket.destroyed) return;
    const chunks = encodeFrame((w) => {
      writeResponseHeader(w, header.requestApiKey, header.requestApiVersion, header.correlationId);
      write(w);
    });
    socket.cork();
    for (const chunk of chunks) socket.write(chunk);
    socket.uncork();
  };
  // The kernel writes each frame straight into the connection's one frame buffer (as the broker's
  // listener does, server/user-buffer-reads.ts): no 64 KiB chunks joined, no fresh memory per frame.
  const reader = new FrameReader({ onFrame, onBadSize: () => socket.destroy() }, MAX_FRAME, 0, frameBuffers());
  if (!readIntoUserBuffers(socket, reader)) {
    socket.on('data', (data: Buffer) => reader.consume(data, 0, data.length));
  }
  socket.on('error', () => socket.destroy());
}

const server = createServer(serve);
server.listen({ host: '127.0.0.1', port: Number(args.port) }, () => {
  const address = server.address();
  port = typeof address === 'object' && address ? address.port : 0;
  process.stdout.write(`listening ${port}\n`);
});
process.on('SIGTERM', () => process.exit(0));
