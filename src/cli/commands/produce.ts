/**
 * `gregor produce TOPIC`: one message per input line (stdin or --file), optionally
 * `key<sep>value`, with headers, a fixed partition, a codec and acks. Lines are sent in
 * batches; a progress line (messages, bytes, rate) is drawn on stderr when reading a
 * file with stderr on a terminal; a summary is printed at the end. A missing topic is
 * auto-created when the broker allows it, as kcat and kafka-console-producer.sh do.
 */
import { Command } from 'commander';
import { createReadStream, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { Producer, type OutgoingRecord } from '../../client/producer.js';
import { UsageError } from '../output.js';
import { collect, keyValues, withCluster, withClusterOptions, type ClusterFlags } from './common.js';
import { ProgressLine } from './progress.js';
import { cliIo } from '../io.js';

const CODECS: Record<string, number> = { none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 };
const BATCH_RECORDS = 1000;
const BATCH_BYTES = 1024 * 1024;

interface ProduceFlags extends ClusterFlags {
  file?: string;
  keySeparator?: string;
  header: string[];
  partition?: string;
  compression: string;
  acks: string;
}

function parseAcks(value: string): number {
  if (value === 'all' || value === '-1') return -1;
  if (value === '0' || value === '1') return Number(value);
  throw new UsageError(`--acks takes all, -1, 0 or 1, not "${value}"`);
}

export function produceCommand(): Command {
  return withClusterOptions(
    new Command('produce').description('send lines from stdin or a file as messages').argument('<topic>'),
  )
    .option('-f, --file <path>', 'read messages from a file instead of stdin')
    .option('-k, --key-separator <sep>', 'split each line into key<sep>value')
    .option('-H, --header <key=value>', 'a header on every message (repeatable)', collect, [])
    .option('-p, --partition <n>', 'send every message to this partition')
    .option('-z, --compression <codec>', 'none, gzip, snappy, lz4 or zstd', 'none')
    .option('--acks <acks>', 'all (-1), 1 or 0', 'all')
    .action(async (topic: string, flags: ProduceFlags) => {
      const codec = CODECS[flags.compression];
      if (codec === undefined)
        throw new UsageError(`--compression takes none, gzip, snappy, lz4 or zstd, not "${flags.compression}"`);
      const acks = parseAcks(flags.acks);
      const partition = flags.partition === undefined ? undefined : Number(flags.partition);
      if (partition !== undefined && (!Number.isInteger(partition) || partition < 0))
        throw new UsageError(`--partition takes a partition number, not "${flags.partition}"`);
      if (flags.keySeparator === '') throw new UsageError('--key-separator must not be empty');
      const headers = Object.entries(keyValues('--header', flags.header)).map(([key, value]) => ({
        key,
        value: Buffer.from(value),
      }));
      const input = flags.file ? createReadStream(flags.file) : cliIo().stdin;
      const totalBytes = flags.file ? statSync(flags.file).size : 0;
      const progress =
        flags.file && cliIo().stderr === process.stderr && process.stderr.isTTY
          ? new ProgressLine(process.stderr, totalBytes)
          : null;
      const started = Date.now();
      let messages = 0;
      let bytes = 0;
      await withCluster(flags, async (cluster) => {
        const producer = new Producer(cluster, topic, { acks, compression: codec, autoCreateTopic: true });
        let batch: OutgoingRecord[] = [];
        let batchBytes = 0;
        const flush = async (): Promise<void> => {
          if (batch.length === 0) return;
          await producer.send(batch);
          messages += batch.length;
          bytes += batchBytes;
          batch = [];
          batchBytes = 0;
          progress?.update(messages, bytes);
        };
        const lines = createInterface({ input, crlfDelay: Infinity });
        for await (const line of lines) {
          let key: Buffer | null = null;
          let value = line;
          if (flags.keySeparator !== undefined) {
            const at = line.indexOf(flags.keySeparator);
            if (at >= 0) {
              key = Buffer.from(line.slice(0, at));
              value = line.slice(at + flags.keySeparator.length);
            }
          }
          const record: OutgoingRecord = { key, value: Buffer.from(value), headers };
          if (partition !== undefined) record.partition = partition;
          batch.push(record);
          batchBytes += Buffer.byteLength(line) + 1;
          if (batch.length >= BATCH_RECORDS || batchBytes >= BATCH_BYTES) await flush();
        }
        await flush();
      });
      progress?.update(messages, bytes, true);
      progress?.finish();
      const seconds = Math.max(0.001, (Date.now() - started) / 1000);
      cliIo().stderr.write(
        `produced ${messages} message(s), ${bytes} bytes to ${topic} in ${seconds.toFixed(2)} s (${Math.round(messages / seconds)} msg/s)\n`,
      );
    });
}
