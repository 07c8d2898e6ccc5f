/**
 * kafka-dump-log.sh (Kafka 3.9's DumpLogSegments) for log segments (`.log`, Kafka's on-disk format,
 * which Gregor's storage writes): `--files a.log,b.log`, `--deep-iteration`, `--print-data-log`
 * (which implies it; keys and values as UTF-8 text, as its default StringDecoder),
 * `--skip-record-metadata`, `--max-bytes`. Kafka's lines: `Dumping <file>`, `Log starting offset:
 * N`, a line a batch (`baseOffset: ... isvalid: true`), with deep iteration a `| offset: ...` line a
 * record (`endTxnMarker: COMMIT coordinatorEpoch: N` for transaction markers), `Found N invalid bytes
 * at the end of <file>` for a partial last batch, and on stderr the non-consecutive offsets.
 *
 * Refused, saying so: the other files (`.index`, `.timeindex`, `.txnindex`, `.snapshot`,
 * checkpoints), the decoder options, batches of magic 0 and 1; KRaft control records other than
 * transaction markers print as `controlType: <NAME>(<id>)` without their JSON.
 */
import { readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { decodeBatchRecords } from '../../../protocol/records/batch-decode.js';
import { computeBatchCrc } from '../../../protocol/records/batch-frame.js';
import {
  LOG_OVERHEAD,
  MAGIC_OFFSET,
  RECORD_BATCH_OVERHEAD,
  TimestampType,
  parseBatchAttributes,
  readBatchHeader,
} from '../../../protocol/records/batch-header.js';
import type { DecodedRecord } from '../../../protocol/records/record.js';
import { cliIo } from '../io.js';
import {
  DEFAULT_OPTIONS,
  KafkaToolExit,
  maybeHelpOrVersion,
  parseOptionsOrUsage,
  requireOptions,
  type OptionSpec,
} from './options.js';
import { KAFKA_VERSION } from './version.js';

const SPECS: readonly OptionSpec[] = [
  ...DEFAULT_OPTIONS,
  {
    name: 'files',
    arg: 'required',
    help: 'REQUIRED: the log segments to dump, comma separated.',
    describedAs: 'file1, file2, ...',
  },
  { name: 'print-data-log', arg: 'none', help: 'Print the keys and values (implies --deep-iteration).' },
  { name: 'deep-iteration', arg: 'none', help: 'Print each record, not only each batch.' },
  { name: 'skip-record-metadata', arg: 'none', help: 'Leave out the metadata of each record.' },
  {
    name: 'max-bytes',
    arg: 'required',
    type: 'Integer',
    help: 'Read at most this many bytes of batches from each file.',
    describedAs: 'size',
    defaultValue: '2147483647',
  },
  { name: 'verify-index-only', arg: 'none', help: 'Check an index only (refused: .log files only).' },
  { name: 'index-sanity-check', arg: 'none', help: 'Check an index only (refused: .log files only).' },
  { name: 'value-decoder-class', arg: 'required', help: 'Refused: values print as UTF-8 text.' },
  { name: 'key-decoder-class', arg: 'required', help: 'Refused: keys print as UTF-8 text.' },
  { name: 'offsets-decoder', arg: 'none', help: 'Refused: no __consumer_offsets decoding.' },
  { name: 'transaction-log-decoder', arg: 'none', help: 'Refused: no __transaction_state decoding.' },
  { name: 'cluster-metadata-decoder', arg: 'none', help: 'Refused: no metadata record decoding.' },
  { name: 'remote-log-metadata-decoder', arg: 'none', help: 'Refused: no remote log metadata decoding.' },
];

const REFUSED_OPTIONS = [
  'verify-index-only',
  'index-sanity-check',
  'value-decoder-class',
  'key-decoder-class',
  'offsets-decoder',
  'transaction-log-decoder',
  'cluster-metadata-decoder',
  'remote-log-metadata-decoder',
];
const COMPRESSION = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];
const CONTROL_TYPES = [
  'ABORT',
  'COMMIT',
  'SNAPSHOT_HEADER',
  'SNAPSHOT_FOOTER',
  'LEADER_CHANGE',
  'KRAFT_VERSION',
  'KRAFT_VOTERS',
];

interface DumpPlan {
  deep: boolean;
  printData: boolean;
  skipMetadata: boolean;
  maxBytes: number;
}

function controlText(record: DecodedRecord): string {
  const typeId = record.key && record.key.length >= 4 ? record.key.readInt16BE(2) : -1;
  const type = CONTROL_TYPES[typeId] ?? 'UNKNOWN';
  if ((typeId === 0 || typeId === 1) && record.value && record.value.length >= 6)
    return ` endTxnMarker: ${type} coordinatorEpoch: ${record.value.readInt32BE(2)}`;
  return ` controlType: ${type}(${typeId})`;
}

/** DefaultRecord.sequence: the batch's base sequence plus the record's offset delta, wrapping at 2^31. */
function sequenceOf(baseSequence: number, offsetDelta: number): number {
  return baseSequence < 0 ? -1 : (baseSequence + offsetDelta) % 2147483648;
}

function recordLine(
  record: DecodedRecord,
  batch: { control: boolean; timestampType: string; baseSequence: number },
  plan: DumpPlan,
): string {
  const { control, timestampType } = batch;
  let line = '';
  let prefix = '| ';
  if (!plan.skipMetadata) {
    line +=
      `${prefix}offset: ${record.offset} ${timestampType}: ${record.timestamp} ` +
      `keySize: ${record.key?.length ?? -1} valueSize: ${record.value?.length ?? -1}` +
      ` sequence: ${sequenceOf(batch.baseSequence, record.offsetDelta)} headerKeys: [${record.headers.map((h) => h.key).join(',')}]`;
    prefix = ' ';
    if (control) line += controlText(record);
  }
  if (plan.printData && !control && record.value !== null) {
    // The payload always follows a space (Kafka's own quirk: ` payload:` even with metadata skipped).
    if (record.key !== null) line += `${prefix}key: ${record.key.toString('utf8')}`;
    line += ` payload: ${record.value.toString('utf8')}`;
  }
  return line;
}

/** DumpLogSegments.dumpLog for one segment; returns the non-consecutive offset pairs. */
function dumpSegment(path: string, plan: DumpPlan): Array<[bigint, bigint]> {
  const out = cliIo().stdout;
  const name = basename(path);
  out.write(`Log starting offset: ${BigInt(name.split('.')[0]!)}\n`);
  const whole = readFileSync(path);
  const data = whole.subarray(0, Math.min(whole.length, plan.maxBytes));
  const gaps: Array<[bigint, bigint]> = [];
  let lastOffset = -1n;
  let at = 0;
  while (data.length - at >= LOG_OVERHEAD) {
    const size = data.readInt32BE(at + 8) + LOG_OVERHEAD;
    if (size < RECORD_BATCH_OVERHEAD || at + size > data.length) break;
    const magic = data.readInt8(at + MAGIC_OFFSET);
    if (magic !== 2)
      throw new KafkaToolExit(
        1,
        `Gregor's kafka-dump-log.sh reads batches of magic 2 only: ${name} has one of magic ${magic} at position ${at}`,
      );
    const header = readBatchHeader(data, at);
    const attributes = parseBatchAttributes(header.attributes);
    const timestampType = attributes.timestampType === TimestampType.LOG_APPEND_TIME ? 'LogAppendTime' : 'CreateTime';
    const lastSequence = sequenceOf(header.baseSequence, header.lastOffsetDelta);
    const deleteHorizon = attributes.deleteHorizon ? `OptionalLong[${header.baseTimestamp}]` : 'OptionalLong.empty';
    out.write(
      `baseOffset: ${header.baseOffset} lastOffset: ${header.baseOffset + BigInt(header.lastOffsetDelta)} count: ${header.recordCount}` +
        ` baseSequence: ${header.baseSequence} lastSequence: ${lastSequence}` +
        ` producerId: ${header.producerId} producerEpoch: ${header.producerEpoch}` +
        ` partitionLeaderEpoch: ${header.partitionLeaderEpoch} isTransactional: ${attributes.transactional}` +
        ` isControl: ${attributes.control} deleteHorizonMs: ${deleteHorizon}` +
        ` position: ${at} ${timestampType}: ${header.maxTimestamp} size: ${size} magic: ${magic}` +
        ` compresscodec: ${COMPRESSION[attributes.compression] ?? 'unknown'} crc: ${header.crc}` +
        ` isvalid: ${computeBatchCrc(data, at, size) === header.crc}\n`,
    );
    if (plan.deep) {
      for (const record of decodeBatchRecords(data, at, size, header)) {
        if (lastOffset !== -1n && record.offset !== lastOffset + 1n) gaps.push([lastOffset, record.offset]);
        lastOffset = record.offset;
        out.write(
          `${recordLine(record, { control: attributes.control, timestampType, baseSequence: header.baseSequence }, plan)}\n`,
        );
      }
    }
    at += size;
  }
  if (whole.length > at && plan.maxBytes >= 2147483647)
    out.write(`Found ${whole.length - at} invalid bytes at the end of ${name}\n`);
  return gaps;
}

export async function kafkaDumpLog(args: readonly string[]): Promise<number> {
  const o = parseOptionsOrUsage(SPECS, args);
  maybeHelpOrVersion(
    o,
    'This tool helps to parse a log file and dump its contents to the console, useful for debugging a seemingly corrupt log segment.',
    KAFKA_VERSION,
  );
  requireOptions(o, 'files');
  const refused = REFUSED_OPTIONS.find((r) => o.has(r));
  if (refused)
    throw new KafkaToolExit(
      1,
      `Gregor's kafka-dump-log.sh does not support --${refused}: it dumps .log segments, keys and values as UTF-8 text`,
    );
  const printData = o.has('print-data-log');
  const plan: DumpPlan = {
    printData,
    deep: printData || o.has('deep-iteration'),
    skipMetadata: o.has('skip-record-metadata'),
    maxBytes: Number(o.value('max-bytes')),
  };
  const files = o.value('files')!.split(',');
  const unsupported = files.find((f) => !f.endsWith('.log'));
  if (unsupported)
    throw new KafkaToolExit(1, `Gregor's kafka-dump-log.sh reads log segments (.log) only, not ${unsupported}`);
  const gaps = new Map<string, Array<[bigint, bigint]>>();
  for (const file of files) {
    cliIo().stdout.write(`Dumping ${file}\n`);
    const found = dumpSegment(file, plan);
    if (found.length > 0) gaps.set(resolve(file), found);
  }
  for (const [file, pairs] of gaps) {
    cliIo().stderr.write(`Non-consecutive offsets in ${file}\n`);
    for (const [first, second] of pairs) cliIo().stderr.write(`  ${first} is followed by ${second}\n`);
  }
  return 0;
}
