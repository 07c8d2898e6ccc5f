/**
 * The records layer of the Kafka wire protocol: record batches (magic 2), legacy
 * message sets (magic 0/1), control records, format conversion and compression.
 * Pure functions over Buffers; no I/O, no clock.
 */
export * from './batch-header.js';
export { checkBatchFrame, computeBatchCrc, magicAt, type FrameCheckOptions } from './batch-frame.js';
export { buildRecordBatch, encodeRecords, type BuildBatchOptions } from './batch-encode.js';
export {
  decodeRecordBatch,
  decodeRecordBatches,
  decodeBatchRecords,
  type RecordBatch,
  type DecodeBatchOptions,
  type DecodeBatchesOptions,
} from './batch-decode.js';
export { validateRecordBatch, validateRecordBatches, type BatchSummary, type ValidateOptions } from './validate.js';
export {
  readRecord,
  writeRecord,
  sizeOfVarint,
  sizeOfVarlong,
  MIN_RECORD_SIZE,
  type RecordInput,
  type DecodedRecord,
  type RecordHeader,
} from './record.js';
export {
  ControlRecordType,
  buildTxnMarkerBatch,
  decodeControlKey,
  decodeEndTxnMarker,
  encodeControlKey,
  encodeEndTxnMarker,
  readTxnMarker,
  type ControlRecordKey,
  type EndTxnMarker,
  type TxnMarker,
  type TxnMarkerBatchOptions,
} from './control.js';
export * from './legacy-format.js';
export {
  decodeLegacyEntry,
  decodeLegacyMessageSet,
  expandLegacyWrapper,
  type LegacyMessage,
  type LegacyDecodeOptions,
} from './legacy-decode.js';
export {
  buildLegacyMessageSet,
  encodeLegacyEntry,
  type BuildLegacyOptions,
  type LegacyMessageInput,
} from './legacy-encode.js';
export {
  batchesToLegacy,
  convertLegacyMessageSet,
  downConvertBatches,
  legacyMessagesToBatch,
  type DownConvertOptions,
  type UpConvertOptions,
} from './convert.js';
export * from './errors.js';
export {
  CODEC_NAMES,
  CompressionCodec,
  DEFAULT_MAX_DECOMPRESSED_BYTES,
  compress,
  decompress,
  isCompressionCodec,
  type CompressOptions,
  type CompressionCodecId,
  type DecompressOptions,
} from './compression/index.js';
