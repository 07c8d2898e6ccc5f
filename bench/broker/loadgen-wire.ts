/**
 * The wire pieces the project's own load generators share (bench/broker/loadgen.ts for Produce,
 * bench/broker/fetchgen.ts for Fetch, bench/broker/latencygen.ts for both): connections, size-prefixed
 * frame splitting, a topic's partition leaders from Metadata, the prebuilt batches and the Produce
 * frames that carry them, and the check of a Produce answer. Request frames are encoded with
 * PipelinedClient.encode (bench/groups/pipelined-client.ts).
 */
import { connect, type Socket } from 'node:net';
import { readResponseHeader } from '../../protocol/frame.js';
import { Reader } from '../../protocol/primitives/index.js';
import { MetadataApi, type MetadataResponse } from '../../protocol/generated/messages/03-metadata.js';
import { ProduceApi } from '../../protocol/generated/messages/00-produce.js';
import { buildRecordBatch } from '../../protocol/records/index.js';
import { FrameReader } from '../../src/common/frame-reader.js';
import { PipelinedClient } from '../groups/pipelined-client.js';
import { ZERO_UUID } from '../../protocol/primitives/uuid.js';

const METADATA_VERSION = 12;
const PRODUCE_VERSION = 9;
/** Offset of the correlation id in a request frame: size (4), api key (2), api version (2). */
export const CORRELATION_OFFSET = 8;
const MAX_RESPONSE_BYTES = 1024 * 1024 * 1024;

export interface Leader {
  nodeId: number;
  host: string;
  port: number;
  partitions: number[];
}

/**
 * Records per batch so the whole batch stays within `batchBytes`: the 61-byte batch header, and per
 * record its value plus at most 16 bytes of framing (length, attributes, deltas, key and header counts).
 */
export function recordsPerBatch(batchBytes: number, recordBytes: number): number {
  return Math.max(1, Math.floor((batchBytes - 61) / (recordBytes + 16)));
}

/** Reads size-prefixed frames off a socket from its 'data' events (for small answers: joining chunks is cheap). */
export function onFrames(socket: Socket, handle: (frame: Buffer) => void): void {
  let pending: Buffer = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    let at = 0;
    while (pending.length - at >= 4) {
      const size = pending.readInt32BE(at);
      if (pending.length - at - 4 < size) break;
      handle(pending.subarray(at + 4, at + 4 + size));
      at += 4 + size;
    }
    pending = at === pending.length ? Buffer.alloc(0) : pending.subarray(at);
  });
}

export function open(host: string, port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, noDelay: true });
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

/**
 * A connection whose reads go straight into one frame buffer it reuses (Node's onread with
 * FrameReader, as the broker's transport reads): a 1 MB Fetch answer is written once, by the kernel,
 * into memory already touched. `handle` must be done with each frame when it returns (the next
 * frame overwrites it).
 */
export function openForLargeFrames(host: string, port: number, handle: (frame: Buffer) => void): Promise<Socket> {
  let buffer = Buffer.allocUnsafe(0);
  const reader = new FrameReader(
    { onFrame: handle, onBadSize: () => socket.destroy() },
    MAX_RESPONSE_BYTES,
    0,
    (size) => {
      if (buffer.length < size) buffer = Buffer.allocUnsafe(size);
      return buffer.subarray(0, size);
    },
  );
  const socket = connect({
    host,
    port,
    noDelay: true,
    onread: {
      buffer: () => reader.nextBuffer(),
      callback: (bytes: number) => {
        reader.onRead(bytes);
        return true;
      },
    },
  });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** One Metadata round trip for `topic`: its id (zero UUID from servers without ids) and its leaders. */
export async function topicLeaders(
  host: string,
  port: number,
  topic: string,
): Promise<{ topicId: string; leaders: Leader[] }> {
  const socket = await open(host, port);
  const frame = PipelinedClient.encode(MetadataApi, METADATA_VERSION, {
    topics: [{ topicId: ZERO_UUID, name: topic }],
    allowAutoTopicCreation: false,
    includeClusterAuthorizedOperations: false,
    includeTopicAuthorizedOperations: false,
  });
  const response = await new Promise<MetadataResponse>((resolve) => {
    onFrames(socket, (answer) => {
      const r = new Reader(answer);
      readResponseHeader(r, MetadataApi.apiKey, METADATA_VERSION);
      resolve(MetadataApi.decodeResponse(r, METADATA_VERSION));
    });
    socket.write(frame);
  });
  socket.destroy();
  const found = response.topics[0];
  if (!found || found.errorCode !== 0) throw new Error(`topic ${topic}: error ${found?.errorCode ?? 'missing'}`);
  const leaders = new Map<number, Leader>();
  for (const partition of found.partitions) {
    const broker = response.brokers.find((b) => b.nodeId === partition.leaderId);
    if (!broker) throw new Error(`partition ${partition.partitionIndex} has no live leader (${partition.leaderId})`);
    const leader = leaders.get(broker.nodeId) ?? {
      nodeId: broker.nodeId,
      host: broker.host,
      port: broker.port,
      partitions: [],
    };
    leader.partitions.push(partition.partitionIndex);
    leaders.set(broker.nodeId, leader);
  }
  return { topicId: found.topicId, leaders: [...leaders.values()] };
}

/** One uncompressed batch of `count` records of `recordBytes` bytes each ('a's), built once. */
export function prebuiltBatch(count: number, recordBytes: number): Buffer {
  const value = Buffer.alloc(recordBytes, 0x61);
  return buildRecordBatch({
    records: Array.from({ length: count }, (_, i) => ({ key: null, value, timestamp: 1_700_000_000_000n + BigInt(i) })),
  });
}

/** A Produce v9 request frame carrying `batch` for each of `partitions` (correlation id 0: patch it per copy). */
export function produceFrame(topic: string, partitions: number[], batch: Buffer, acks: number): Buffer {
  return PipelinedClient.encode(ProduceApi, PRODUCE_VERSION, {
    transactionalId: null,
    acks,
    timeoutMs: 30_000,
    topicData: [
      { name: topic, topicId: ZERO_UUID, partitionData: partitions.map((index) => ({ index, records: batch })) },
    ],
  });
}

/** What is wrong with a Produce answer: null when it answers `correlationId` and every partition succeeded. */
export function produceAnswerError(answer: Buffer, correlationId: number): string | null {
  const r = new Reader(answer);
  const header = readResponseHeader(r, ProduceApi.apiKey, PRODUCE_VERSION);
  if (header.correlationId !== correlationId)
    return `answer ${header.correlationId} out of order (expected ${correlationId})`;
  const response = ProduceApi.decodeResponse(r, PRODUCE_VERSION);
  for (const topic of response.responses) {
    for (const p of topic.partitionResponses) {
      if (p.errorCode !== 0) return `partition ${p.index}: error ${p.errorCode} ${p.errorMessage ?? ''}`;
    }
  }
  return null;
}
