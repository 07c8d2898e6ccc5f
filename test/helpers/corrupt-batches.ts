/**
 * Test helper: the corrupt produce batches of issue #12 item 5, each with a sound frame
 * (length and CRC-32C right) around an inside that lies: a record whose length field
 * is larger than the batch, and gzip / snappy / lz4 / zstd batches whose payload is garbage.
 */
import { CompressionCodec, buildRecordBatch, encodeRecords } from '../../protocol/records/index.js';
import { reframeBatch } from '../../protocol/records/test-helpers.js';

export interface CorruptBatch {
  name: string;
  batch: Buffer;
  /** The Kafka error code the broker answers with. */
  errorCode: number;
}

const GARBAGE = Buffer.from('definitely not a compressed record payload; '.repeat(4));

export function corruptBatches(): CorruptBatch[] {
  const records = [{ key: Buffer.from('k'), value: Buffer.from('corrupt'), timestamp: BigInt(Date.now()) }];
  const template = buildRecordBatch({ records });
  const body = encodeRecords(records, records[0]!.timestamp);
  const lying = Buffer.from(body);
  lying[0] = 0x7e; // the record declares 63 bytes; far fewer follow
  return [
    { name: 'record length lies', batch: reframeBatch(template, lying), errorCode: 87 },
    { name: 'garbage gzip', batch: reframeBatch(template, GARBAGE, CompressionCodec.GZIP), errorCode: 2 },
    { name: 'garbage snappy', batch: reframeBatch(template, GARBAGE, CompressionCodec.SNAPPY), errorCode: 2 },
    { name: 'garbage lz4', batch: reframeBatch(template, GARBAGE, CompressionCodec.LZ4), errorCode: 2 },
    { name: 'garbage zstd', batch: reframeBatch(template, GARBAGE, CompressionCodec.ZSTD), errorCode: 2 },
  ];
}
