/**
 * Test helpers (not used by the log itself): builds uncompressed v2 record batches with a
 * correct CRC-32C, and a seeded random source, so storage tests need nothing from the
 * records code being written elsewhere.
 */
import { crc32c } from '../protocol/records/crc32c.js';
import { ATTRIBUTES_OFFSET, CRC_OFFSET } from '../protocol/records/batch-header.js';

export interface TestRecord {
  key?: string | Buffer | null;
  value?: string | Buffer | null;
  timestamp?: number;
}

export interface TestBatchOptions {
  baseOffset?: number;
  baseTimestamp?: number;
  partitionLeaderEpoch?: number;
  /** Compression codec bits to set (the payload stays uncompressed: for "opaque batch" tests). */
  codec?: number;
  control?: boolean;
}

function zigzagVarint(value: number): number[] {
  let v = value >= 0 ? value * 2 : -value * 2 - 1;
  const out: number[] = [];
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return out;
}

function bytesOf(value: string | Buffer | null | undefined): Buffer | null {
  if (value === null || value === undefined) return null;
  return typeof value === 'string' ? Buffer.from(value) : value;
}

export function buildBatch(records: readonly TestRecord[], options: TestBatchOptions = {}): Buffer {
  const baseTimestamp = options.baseTimestamp ?? records[0]?.timestamp ?? 1_700_000_000_000;
  const bodies: Buffer[] = [];
  let maxTimestamp = -1;
  records.forEach((record, i) => {
    const timestamp = record.timestamp ?? baseTimestamp;
    maxTimestamp = Math.max(maxTimestamp, timestamp);
    const key = bytesOf(record.key);
    const value = record.value === undefined ? Buffer.from(`v${i}`) : bytesOf(record.value);
    const body = Buffer.concat([
      Buffer.from([0]),
      Buffer.from(zigzagVarint(timestamp - baseTimestamp)),
      Buffer.from(zigzagVarint(i)),
      Buffer.from(zigzagVarint(key ? key.length : -1)),
      key ?? Buffer.alloc(0),
      Buffer.from(zigzagVarint(value ? value.length : -1)),
      value ?? Buffer.alloc(0),
      Buffer.from(zigzagVarint(0)),
    ]);
    bodies.push(Buffer.from(zigzagVarint(body.length)), body);
  });
  const payload = Buffer.concat(bodies);
  const batch = Buffer.alloc(61 + payload.length);
  batch.writeBigInt64BE(BigInt(options.baseOffset ?? 0), 0);
  batch.writeInt32BE(batch.length - 12, 8);
  batch.writeInt32BE(options.partitionLeaderEpoch ?? 0, 12);
  batch.writeInt8(2, 16);
  batch.writeInt16BE((options.codec ?? 0) | (options.control ? 0x20 : 0), ATTRIBUTES_OFFSET);
  batch.writeInt32BE(Math.max(0, records.length - 1), 23);
  batch.writeBigInt64BE(BigInt(baseTimestamp), 27);
  batch.writeBigInt64BE(BigInt(maxTimestamp), 35);
  batch.writeBigInt64BE(-1n, 43);
  batch.writeInt16BE(-1, 51);
  batch.writeInt32BE(-1, 53);
  batch.writeInt32BE(records.length, 57);
  payload.copy(batch, 61);
  batch.writeUInt32BE(crc32c(batch.subarray(ATTRIBUTES_OFFSET)) >>> 0, CRC_OFFSET);
  return batch;
}

/** A batch of `count` records whose values fill it to about `bytes` bytes. */
export function batchOfSize(bytes: number, count = 1, timestamp = 1_700_000_000_000): Buffer {
  const each = Math.max(1, Math.floor((bytes - 61) / count) - 12);
  const records: TestRecord[] = [];
  for (let i = 0; i < count; i++) records.push({ key: null, value: Buffer.alloc(each, 97 + (i % 26)), timestamp });
  return buildBatch(records);
}

/** Mulberry32: a small seeded PRNG returning [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class ManualClock {
  constructor(public time = 1_700_000_000_000) {}
  now(): number {
    return this.time;
  }
  advance(ms: number): void {
    this.time += ms;
  }
}

/** Splits a buffer of whole batches into [baseOffset, lastOffset, bytes] triples. */
export function splitBatches(data: Buffer): { baseOffset: number; lastOffset: number; bytes: Buffer }[] {
  const out: { baseOffset: number; lastOffset: number; bytes: Buffer }[] = [];
  for (let at = 0; at < data.length;) {
    const size = data.readInt32BE(at + 8) + 12;
    const baseOffset = Number(data.readBigInt64BE(at));
    out.push({ baseOffset, lastOffset: baseOffset + data.readInt32BE(at + 23), bytes: data.subarray(at, at + size) });
    at += size;
  }
  return out;
}

/** The Kafka error code a call fails with, or undefined when it does not fail with a StorageError. */
export function errorCodeOf(work: () => unknown): number | undefined {
  try {
    work();
  } catch (error) {
    if (error instanceof Error && 'errorCode' in error && typeof error.errorCode === 'number') return error.errorCode;
  }
  return undefined;
}
