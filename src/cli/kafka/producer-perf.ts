/**
 * kafka-producer-perf-test.sh (Kafka 3.9's ProducerPerformance) over Gregor's client: --topic,
 * --num-records, --record-size | --payload-file (--payload-delimiter) | --payload-monotonic,
 * --throughput (-1: no throttling), --producer-props k=v ..., --producer.config. It prints Kafka's
 * window line every 5 s ("N records sent, X records/sec (Y MB/sec), Z ms avg latency, W ms max
 * latency.") and the total with the 50th/95th/99th/99.9th latency percentiles, as Kafka prints.
 * The producer honours acks, compression.type, linger.ms, batch.size (bytes a partition's batch
 * collects before it is sent), max.in.flight.requests.per.connection (Produce requests in flight),
 * client.id, request.timeout.ms; the other tuning settings of docs/tools.md are accepted and have
 * no effect; any other setting is refused naming it. Records go round robin over the partitions.
 * The producer is idempotent by default, as Kafka's since 3.0 (enable.idempotence: off without a word
 * with acks other than all, retries=0 or more than 5 requests in flight; refused when given true with them).
 * Left out (refused with a message, exit 1): --print-metrics (the client keeps no Kafka metrics),
 * --transactional-id / --transaction-duration-ms / transactional.id (Gregor's client has no
 * transactional producer).
 * The options are argparse4j's in Kafka: parsed here by hand, with its usage/error layout.
 */
import { nodeCrypto } from '../../common/node-crypto.js';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import type { Cluster } from '../../client/cluster.js';
import { Producer, type OutgoingRecord } from '../../client/producer.js';
import { cliIo } from '../io.js';
import { clientFor, loadProperties } from './client-config.js';
import { javaMessage } from './messages.js';
import { KafkaToolExit } from './options.js';
import { LatencyStats } from './perf-stats.js';
import { idempotenceSetting } from './producer-settings.js';

const PROG = 'producer-performance';
const USAGE =
  `usage: ${PROG} [-h] --topic TOPIC --num-records NUM-RECORDS\n` +
  '                            (--record-size RECORD-SIZE | --payload-file PAYLOAD-FILE | --payload-monotonic)\n' +
  '                            [--payload-delimiter PAYLOAD-DELIMITER] --throughput THROUGHPUT\n' +
  '                            [--producer-props PROP-NAME=PROP-VALUE [PROP-NAME=PROP-VALUE ...]]\n' +
  '                            [--producer.config CONFIG-FILE] [--print-metrics]\n' +
  '                            [--transactional-id TRANSACTIONAL-ID]\n' +
  '                            [--transaction-duration-ms TRANSACTION-DURATION]';
const HELP = `${USAGE}

This tool is used to verify the producer performance. To enable transactions, you can specify a transaction id or set a transaction duration using --transaction-duration-ms. There are three ways to specify the transaction id: set transaction.id=<id> via --producer-props, set transaction.id=<id> in the config file via --producer.config, or use --transactional-id <id>.
(Gregor: transactions and --print-metrics are refused; see docs/tools.md.)
`;

/** The arguments: name, whether it takes a value ('one', 'many' for nargs "+", 'none'). */
const ARGS: ReadonlyArray<[string, 'one' | 'many' | 'none']> = [
  ['--topic', 'one'],
  ['--num-records', 'one'],
  ['--record-size', 'one'],
  ['--payload-file', 'one'],
  ['--payload-monotonic', 'none'],
  ['--payload-delimiter', 'one'],
  ['--throughput', 'one'],
  ['--producer-props', 'many'],
  ['--producer.config', 'one'],
  ['--print-metrics', 'none'],
  ['--transactional-id', 'one'],
  ['--transaction-duration-ms', 'one'],
];

const PRODUCER_KEYS = [
  'acks',
  'compression.type',
  'enable.idempotence',
  'key.serializer',
  'value.serializer',
  'retries',
  'linger.ms',
  'batch.size',
  'max.in.flight.requests.per.connection',
  'transactional.id',
];
const CODECS: Record<string, number> = { none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 };

/** argparse4j's handleError: the usage and `prog: error: message` on stderr, exit 1. */
function argError(message: string): KafkaToolExit {
  return new KafkaToolExit(1, `${USAGE}\n${PROG}: error: ${message}`);
}

function parseArgs(args: readonly string[]): Map<string, string[]> {
  const given = new Map<string, string[]>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '-h' || arg === '--help') {
      cliIo().stdout.write(HELP);
      throw new KafkaToolExit(0, '');
    }
    const eq = arg.indexOf('=');
    const written = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    const matches = ARGS.filter(([name]) => name === written || (written.startsWith('--') && name.startsWith(written)));
    const exact = matches.find(([name]) => name === written);
    const spec = exact ?? (matches.length === 1 ? matches[0] : undefined);
    if (!spec)
      throw argError(
        matches.length > 1
          ? `ambiguous option: ${written} could match ${matches.map(([n]) => n).join(', ')}`
          : `unrecognized arguments: '${arg}'`,
      );
    const [name, kind] = spec;
    if (kind === 'none') {
      given.set(name, []);
      continue;
    }
    const values: string[] = written !== arg ? [arg.slice(eq + 1)] : [];
    // As argparse4j: a word starting with '-' is an option unless it looks like a negative number.
    const isValue = (w: string): boolean => !w.startsWith('-') || /^-\d/.test(w);
    while (i + 1 < args.length && isValue(args[i + 1]!) && (kind === 'many' || values.length === 0))
      values.push(args[++i]!);
    if (values.length === 0)
      throw argError(`argument ${name}: expected ${kind === 'many' ? 'at least one' : 'one'} argument`);
    given.set(name, kind === 'many' ? [...(given.get(name) ?? []), ...values] : values);
  }
  return given;
}

function numberArg(
  given: Map<string, string[]>,
  name: string,
  metavar: string,
  type: 'Long' | 'Integer' | 'Double',
): number | undefined {
  const text = given.get(name)?.[0];
  if (text === undefined) return undefined;
  const n = Number(text);
  const ok =
    type === 'Double' ? text.trim() !== '' && Number.isFinite(n) : /^[-+]?\d+$/.test(text) && Number.isSafeInteger(n);
  if (!ok) throw argError(`argument ${name}: could not convert '${text}' to ${type} (${metavar})`);
  return n;
}

interface PerfPlan {
  topic: string;
  numRecords: number;
  recordSize?: number;
  payloads: Buffer[];
  monotonic: boolean;
  throughput: number;
  bootstrap: string;
  props: Record<string, string>;
  acks: number;
  compression: number;
  lingerMs: number;
  batchSize: number;
  inFlight: number;
  /** enable.idempotence, after ProducerConfig's checks (true by default, as Kafka's). */
  idempotent: boolean;
}

function plan(args: readonly string[]): PerfPlan {
  if (args.length === 0) {
    cliIo().stdout.write(HELP);
    throw new KafkaToolExit(0, '');
  }
  const given = parseArgs(args);
  const payloadChoices = ['--record-size', '--payload-file', '--payload-monotonic'].filter((n) => given.has(n));
  if (payloadChoices.length > 1)
    throw argError(`argument ${payloadChoices[1]}: not allowed with argument ${payloadChoices[0]}`);
  for (const name of ['--topic', '--num-records', '--throughput'])
    if (!given.has(name)) throw argError(`argument ${name} is required`);
  if (payloadChoices.length === 0)
    throw argError('one of the arguments --record-size --payload-file --payload-monotonic is required');
  const numRecords = numberArg(given, '--num-records', 'NUM-RECORDS', 'Long')!;
  const recordSize = numberArg(given, '--record-size', 'RECORD-SIZE', 'Integer');
  const throughput = numberArg(given, '--throughput', 'THROUGHPUT', 'Double')!;
  const duration = numberArg(given, '--transaction-duration-ms', 'TRANSACTION-DURATION', 'Long');
  if (throughput === 0)
    throw argError(
      "--throughput 0 sends nothing (Kafka's tool waits forever): give a positive rate, or -1 for no throttling",
    );
  if (numRecords <= 0) throw argError('--num-records should be greater than zero');
  if (recordSize !== undefined && recordSize <= 0) throw argError('--record-size should be greater than zero');
  if (!given.has('--producer-props') && !given.has('--producer.config'))
    throw argError('Either --producer-props or --producer.config must be specified.');
  if (duration !== undefined && duration <= 0) throw argError('--transaction-duration-ms should be greater than zero');
  const delimiterText = given.get('--payload-delimiter')?.[0] ?? '\\n';
  const payloads = readPayloads(given.get('--payload-file')?.[0], delimiterText === '\\n' ? '\n' : delimiterText);
  const props: Record<string, string> = given.has('--producer.config')
    ? loadProperties(given.get('--producer.config')![0]!)
    : {};
  for (const prop of given.get('--producer-props') ?? []) {
    const pieces = prop.split('=');
    if (pieces.length !== 2)
      throw new KafkaToolExit(1, `java.lang.IllegalArgumentException: Invalid property: ${prop}`);
    props[pieces[0]!] = pieces[1]!;
  }
  if (given.has('--print-metrics'))
    throw new KafkaToolExit(
      1,
      "--print-metrics: Gregor's client keeps no Kafka producer metrics to print (see docs/tools.md)",
    );
  if (given.has('--transactional-id') || duration !== undefined || props['transactional.id'] !== undefined)
    throw new KafkaToolExit(
      1,
      "Transactions (--transactional-id, --transaction-duration-ms, transactional.id): Gregor's client has no transactional producer (see docs/tools.md)",
    );
  const bootstrap = props['bootstrap.servers'];
  if (bootstrap === undefined || bootstrap.trim() === '')
    throw new KafkaToolExit(
      1,
      'org.apache.kafka.common.config.ConfigException: Missing required configuration "bootstrap.servers" which has no default value.',
    );
  const acksText = (props['acks'] ?? 'all').trim();
  const acks = acksText === 'all' ? -1 : Number(acksText);
  if (![-1, 0, 1].includes(acks) || acksText === '')
    throw new KafkaToolExit(
      1,
      `org.apache.kafka.common.config.ConfigException: Invalid value ${acksText} for configuration acks: String must be one of: all, -1, 0, 1`,
    );
  const codec = (props['compression.type'] ?? 'none').trim().toLowerCase();
  const compression = CODECS[codec];
  if (compression === undefined)
    throw new KafkaToolExit(
      1,
      `org.apache.kafka.common.config.ConfigException: Invalid value ${codec} for configuration compression.type: String must be one of: none, gzip, snappy, lz4, zstd`,
    );
  const int = (key: string, fallback: number, min: number): number => {
    const text = props[key];
    if (text === undefined) return fallback;
    const n = Number(text.trim());
    if (!Number.isSafeInteger(n) || n < min || text.trim() === '')
      throw new KafkaToolExit(
        1,
        `org.apache.kafka.common.config.ConfigException: Invalid value ${text} for configuration ${key}`,
      );
    return n;
  };
  return {
    topic: given.get('--topic')![0]!,
    numRecords,
    ...(recordSize === undefined ? {} : { recordSize }),
    payloads,
    monotonic: given.has('--payload-monotonic'),
    throughput,
    bootstrap,
    props,
    acks,
    compression,
    lingerMs: int('linger.ms', 0, 0),
    batchSize: int('batch.size', 16384, 0),
    inFlight: int('max.in.flight.requests.per.connection', 5, 1),
    // The Java producer's default retries (Integer.MAX_VALUE) leave idempotence on.
    idempotent: idempotenceSetting(props, acks, props['retries'] ?? '2147483647'),
  };
}

function readPayloads(path: string | undefined, delimiter: string): Buffer[] {
  if (path === undefined) return [];
  const out = cliIo().stdout;
  out.write(`Reading payloads from: ${resolvePath(path)}\n`);
  if (!existsSync(path) || statSync(path).size === 0)
    throw new KafkaToolExit(1, 'java.lang.IllegalArgumentException: File does not exist or empty file provided.');
  const payloads = readFileSync(path, 'utf8')
    .split(delimiter)
    .filter((p) => p !== '')
    .map((p) => Buffer.from(p, 'utf8'));
  out.write(`Number of messages read: ${payloads.length}\n`);
  return payloads;
}

/** Random uppercase letters (Kafka fills each record with them), sliced from one pool. */
function letterPool(size: number): Buffer {
  const pool = nodeCrypto().randomBytes(size);
  for (let i = 0; i < pool.length; i++) pool[i] = 65 + (pool[i]! % 26);
  return pool;
}

/** Groups records into Produce requests (batch.size a partition, or linger.ms), at most `inFlight` at once. */
class PerfSender {
  private pending: OutgoingRecord[] = [];
  private pendingStarts: number[] = [];
  private pendingBytes = 0;
  private timer: NodeJS.Timeout | null = null;
  private immediate: NodeJS.Immediate | null = null;
  private readonly inFlight = new Set<Promise<void>>();
  failures = 0;

  constructor(
    private readonly producer: Producer,
    private readonly p: PerfPlan,
    private readonly flushBytes: number,
    private readonly stats: LatencyStats,
  ) {}

  /** Queues one record; waits while `inFlight` requests are outstanding (as buffer.memory blocks send). */
  async add(record: OutgoingRecord, startMs: number): Promise<void> {
    this.pending.push(record);
    this.pendingStarts.push(startMs);
    this.pendingBytes += record.value?.length ?? 0;
    // linger.ms=0: what the loop queued before it next waits goes out together (as the Java
    // producer's sender thread drains its accumulator).
    if (this.pendingBytes >= this.flushBytes) this.flush();
    else if (this.p.lingerMs === 0) this.immediate ??= setImmediate(() => this.flush());
    else this.timer ??= setTimeout(() => this.flush(), this.p.lingerMs);
    while (this.inFlight.size >= this.p.inFlight) await Promise.race(this.inFlight);
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = null;
    this.immediate = null;
    if (this.pending.length === 0) return;
    const records = this.pending;
    const starts = this.pendingStarts;
    this.pending = [];
    this.pendingStarts = [];
    this.pendingBytes = 0;
    const sending: Promise<void> = this.producer
      .send(records)
      .then(
        () => {
          const now = Date.now();
          for (let i = 0; i < records.length; i++)
            this.stats.record(now - starts[i]!, records[i]!.value?.length ?? 0, now);
        },
        (err: unknown) => {
          this.failures += records.length;
          cliIo().stderr.write(
            `org.apache.kafka.common.KafkaException: ${javaMessage(err)} (${records.length} records not sent)\n`,
          );
        },
      )
      .finally(() => this.inFlight.delete(sending));
    this.inFlight.add(sending);
  }

  async close(): Promise<void> {
    this.flush();
    await Promise.all([...this.inFlight]);
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function partitionCount(cluster: Cluster, topic: string): Promise<number> {
  return (await cluster.withRetries('Metadata', () => cluster.leaders(topic, true))).size;
}

export async function kafkaProducerPerfTest(args: readonly string[]): Promise<number> {
  const p = plan(args);
  const { cluster } = await clientFor(
    p.bootstrap,
    p.props,
    PRODUCER_KEYS,
    'perf-producer-client',
    undefined,
    'producer',
  );
  // PerfSender gathers batch.size a partition itself: the producer sends each partition's share as one batch.
  const producer = new Producer(cluster, p.topic, {
    acks: p.acks,
    compression: p.compression,
    autoCreateTopic: true,
    batchSize: Number.MAX_SAFE_INTEGER,
    idempotent: p.idempotent,
    maxInFlight: p.inFlight,
  });
  try {
    const partitions = await partitionCount(cluster, p.topic);
    const stats = new LatencyStats(p.numRecords, (line) => cliIo().stdout.write(line));
    const sender = new PerfSender(producer, p, Math.max(1, p.batchSize) * Math.max(1, partitions), stats);
    const pool = p.recordSize === undefined ? null : letterPool(p.recordSize + 4096);
    const start = Date.now();
    for (let i = 0; i < p.numRecords; i++) {
      const value =
        pool !== null
          ? pool.subarray(i % 4096, (i % 4096) + p.recordSize!)
          : p.payloads.length > 0
            ? p.payloads[Math.floor(Math.random() * p.payloads.length)]!
            : Buffer.from(String(i));
      const sendStart = Date.now();
      await sender.add({ key: null, value, headers: [] }, sendStart);
      // ThroughputThrottler: sleep while the rate so far is above the target.
      if (p.throughput > 0) {
        const due = start + ((i + 1) * 1000) / p.throughput;
        if (due > sendStart + 1) {
          sender.flush();
          await sleep(due - sendStart);
        }
      }
      // Let the answers in now and then when nothing else awaits.
      if (i % 1000 === 999) await new Promise((r) => setImmediate(r));
    }
    await sender.close();
    stats.printTotal();
    // Kafka's tool prints each failed send's exception and still exits 0.
    return 0;
  } catch (err) {
    if (err instanceof KafkaToolExit) throw err;
    cliIo().stderr.write(`org.apache.kafka.common.KafkaException: ${javaMessage(err)}\n`);
    return 1;
  } finally {
    cluster.close();
  }
}
