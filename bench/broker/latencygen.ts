/**
 * End-to-end latency, produce to consume, with a producer that can drive the broker to its maximum
 * (issue 20), the project's own replacement for bench/broker/latency.py:
 *
 *   node --import tsx bench/broker/latencygen.ts --bootstrap 127.0.0.1:9092 --topic t --rate 500000
 *        [--seconds 5] [--record-bytes 1023] [--batch-records <rate / 1000>] [--in-flight 5] [--acks 1]
 *        [--max-wait-ms 100] [--timeout-ms 120000] [--timeline <file>]
 *
 * One process, one clock (performance.now()). The producer sends partition 0 a prebuilt batch of
 * `--batch-records` records (by default what arrives in 1 ms at the rate, as a producer with linger.ms=1
 * batches) on a fixed schedule: batch k is due at start + k x batch-records / rate, and is sent at once
 * when due, unless `--in-flight` requests are unanswered (then it goes when one is answered). The
 * consumer (bench/broker/fetch-stream.ts: Fetch v12 from offset 0, one in flight, `--max-wait-ms`,
 * min bytes 1) learns from each batch header which batch arrived (base offset ÷ batch-records: a log
 * keeps a produced batch whole). A batch's latency is its arrival minus its due time, so a producer held
 * back by unanswered requests counts that wait too (no coordinated omission). Every record of a batch
 * has its batch's latency, so the percentiles over batches are the records' percentiles.
 *
 * Prints one JSON line: {"batches", "batchRecords", "rate" (records/s sent), "received" (batches
 * measured), "p50", "p99", "p999", "max" (ms, over all but the first 10% of the batches), "maxSendLagMs"
 * (how late the producer sent a batch at worst), "cpuUser", "cpuSystem"}. `--timeline <file>` also writes one line per
 * batch, "<due time, s since the epoch> <latency ms>", and to <file>.fetches one per fetch answer, "<sent,
 * s since the epoch> <round trip ms> <record bytes>", to line stalls up with what the broker and the
 * kernel did at that moment. Leaves out: several partitions,
 * keys, compression, retries (an error ends the run with exit 1).
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { fetchRange } from './fetch-stream.js';
import {
  CORRELATION_OFFSET,
  onFrames,
  open,
  prebuiltBatch,
  produceAnswerError,
  produceFrame,
  topicLeaders,
} from './loadgen-wire.js';

const { values: args } = parseArgs({
  options: {
    bootstrap: { type: 'string' },
    topic: { type: 'string' },
    rate: { type: 'string' },
    seconds: { type: 'string', default: '5' },
    'record-bytes': { type: 'string', default: '1023' },
    'batch-records': { type: 'string' },
    'in-flight': { type: 'string', default: '5' },
    acks: { type: 'string', default: '1' },
    'max-wait-ms': { type: 'string', default: '100' },
    'timeout-ms': { type: 'string', default: '120000' },
    timeline: { type: 'string' },
  },
});
if (!args.bootstrap || !args.topic || !args.rate) throw new Error('--bootstrap, --topic and --rate are required');
const TOPIC = args.topic;
const RATE = Number(args.rate);
const BATCH_RECORDS = Number(args['batch-records'] ?? Math.max(1, Math.round(RATE / 1000)));
const BATCHES = Math.ceil((RATE * Number(args.seconds)) / BATCH_RECORDS);
const INTERVAL_MS = (BATCH_RECORDS / RATE) * 1000;
const IN_FLIGHT = Number(args['in-flight']);
/** Batches left out at the start (connections, JIT, the consumer's first long poll). */
const WARMUP_BATCHES = Math.floor(BATCHES / 10);

/** Sends BATCHES batches on schedule (due[k]); resolves the worst lateness of a send and the last send's time, in ms. */
async function produce(host: string, port: number, due: Float64Array): Promise<{ maxLag: number; lastSentAt: number }> {
  const socket = await open(host, port);
  const template = produceFrame(
    TOPIC,
    [0],
    prebuiltBatch(BATCH_RECORDS, Number(args['record-bytes'])),
    Number(args.acks),
  );
  // A frame handed to socket.write must not change until written: copy k % IN_FLIGHT is used again only
  // IN_FLIGHT answers later.
  const copies = Array.from({ length: IN_FLIGHT }, () => Buffer.from(template));
  let sent = 0;
  let answered = 0;
  let maxLag = 0;
  let lastSentAt = 0;
  let timer: NodeJS.Timeout | null = null;
  return new Promise((resolve, reject) => {
    const pump = (): void => {
      const now = performance.now();
      while (sent < BATCHES && sent - answered < IN_FLIGHT && due[sent]! <= now) {
        maxLag = Math.max(maxLag, now - due[sent]!);
        const frame = copies[sent % IN_FLIGHT]!;
        frame.writeInt32BE(sent, CORRELATION_OFFSET);
        socket.write(frame);
        sent++;
        lastSentAt = now;
      }
      if (timer === null && sent < BATCHES && sent - answered < IN_FLIGHT) {
        timer = setTimeout(
          () => {
            timer = null;
            pump();
          },
          Math.max(0, due[sent]! - now),
        );
      }
    };
    socket.once('error', reject);
    socket.once('close', () => {
      if (answered < BATCHES) reject(new Error(`producer connection to ${host}:${port} closed`));
    });
    onFrames(socket, (answer) => {
      const error = produceAnswerError(answer, answered);
      if (error !== null) return reject(new Error(error));
      answered++;
      if (answered === BATCHES) {
        socket.end();
        resolve({ maxLag, lastSentAt });
      } else pump();
    });
    pump();
  });
}

/** A performance.now() time as seconds since the epoch, to 0.1 ms. */
const toEpochSeconds = (at: number): string => ((performance.timeOrigin + at) / 1000).toFixed(4);

function percentiles(latencies: Float64Array): { p50: number; p99: number; p999: number; max: number; n: number } {
  const kept = Float64Array.from(latencies.subarray(WARMUP_BATCHES).filter((x) => !Number.isNaN(x))).sort();
  const pick = (q: number): number =>
    kept.length ? kept[Math.min(kept.length - 1, Math.floor(q * kept.length))]! : -1;
  return { p50: pick(0.5), p99: pick(0.99), p999: pick(0.999), max: pick(1), n: kept.length };
}

async function main(): Promise<void> {
  const [host, port] = args.bootstrap!.split(':') as [string, string];
  const { topicId, leaders } = await topicLeaders(host, Number(port), TOPIC);
  const leader = leaders.find((l) => l.partitions.includes(0));
  if (!leader) throw new Error(`${TOPIC}-0: no leader`);
  const deadline = setTimeout(() => {
    console.error(`latencygen: not done within ${args['timeout-ms']} ms`);
    process.exit(1);
  }, Number(args['timeout-ms']));
  const latency = new Float64Array(BATCHES).fill(Number.NaN);
  const due = new Float64Array(BATCHES);
  const cpuBefore = process.cpuUsage();
  const fetches: string[] = [];
  const consumed = fetchRange({
    host: leader.host,
    port: leader.port,
    topic: TOPIC,
    topicId,
    partition: 0,
    from: 0,
    to: BATCHES * BATCH_RECORDS,
    maxBytes: 52_428_800,
    partitionMaxBytes: 1_048_576,
    maxWaitMs: Number(args['max-wait-ms']),
    minBytes: 1,
    version: 12,
    onAnswer: args.timeline
      ? (sentAt, readAt, bytes) => fetches.push(`${toEpochSeconds(sentAt)} ${(readAt - sentAt).toFixed(3)} ${bytes}`)
      : undefined,
    onBatch: (base) => {
      const k = Math.floor(base / BATCH_RECORDS);
      if (k < BATCHES && Number.isNaN(latency[k]!)) latency[k] = performance.now() - due[k]!;
    },
  });
  // The consumer's first fetch is on its way before the first batch is due.
  const start = performance.now() + 50;
  for (let k = 0; k < BATCHES; k++) due[k] = start + k * INTERVAL_MS;
  const [sends] = await Promise.all([produce(leader.host, leader.port, due), consumed]);
  const sendSeconds = (sends.lastSentAt - start + INTERVAL_MS) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  clearTimeout(deadline);
  const { n, ...p } = percentiles(latency);
  if (args.timeline) {
    const lines = Array.from(due, (d, k) => `${toEpochSeconds(d)} ${latency[k]!.toFixed(2)}`);
    writeFileSync(args.timeline, `${lines.join('\n')}\n`);
    writeFileSync(`${args.timeline}.fetches`, `${fetches.join('\n')}\n`);
  }
  console.log(
    JSON.stringify({
      batches: BATCHES,
      batchRecords: BATCH_RECORDS,
      rate: (BATCHES * BATCH_RECORDS) / sendSeconds,
      received: n,
      ...p,
      maxSendLagMs: sends.maxLag,
      cpuUser: cpu.user / 1e6,
      cpuSystem: cpu.system / 1e6,
    }),
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
