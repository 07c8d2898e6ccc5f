/**
 * kafka-console-producer.sh (Kafka 3.9's ConsoleProducer) over Gregor's client: one record per
 * stdin line (the LineMessageReader and its --property settings), --sync (each record
 * acknowledged before the next line is read), --compression-codec, --request-required-acks,
 * --timeout (linger), --producer-property / --producer.config (acks, compression.type, client.id,
 * request.timeout.ms, linger.ms; tuning settings accepted), a `>` prompt on a terminal.
 * Without --sync, requests are pipelined (up to 5 a partition unanswered, in order: client/send-lane.ts);
 * records are gathered up to linger.ms (default 1000, as the tool's --timeout), cut
 * into batches of batch.size bytes a partition (--batch-size, --max-partition-memory-bytes), and each
 * failed record is logged and the tool goes on, as Kafka's ErrorLoggingCallback does; with
 * --sync a failure ends the tool with exit code 1. Each record waits for the topic's metadata
 * max.block.ms (--max-block-ms, 60000) as the Java producer's send() blocks ("Topic t not present in
 * metadata after N ms."); a batch is tried for delivery.timeout.ms (120000; refused below linger.ms +
 * request.timeout.ms when given, raised to it when not) from when it was made ("Expiring N record(s)
 * for t-p:M ms has passed since batch creation"). A record above max.request.size (1048576) or
 * buffer.memory (--max-memory-bytes) fails before any request, with the Java producer's
 * RecordTooLargeException, in both modes.
 * The producer is idempotent, as the Java producer is by default since Kafka 3.0 (enable.idempotence;
 * turned off without a word by acks other than all, retries=0 or max.in.flight.requests.per.connection
 * above 5, refused with ProducerConfig's ConfigException when enable.idempotence=true is given with them).
 * Differs from Kafka: keyless records go round robin, not sticky.
 */
import { createInterface } from 'node:readline';
import { Producer, type OutgoingRecord } from '../../client/producer.js';
import { cliIo } from '../io.js';
import { clientFor, loadProperties } from './client-config.js';
import { isHostPort } from './bootstrap-addresses.js';
import { recordTooLarge } from './record-size.js';
import { estimatedRecordSize } from '../../client/record-size.js';
import { LineReaderError, lineReaderSettings, readLine, type LineReaderSettings } from './line-reader.js';
import { javaException, javaMessage, javaRecordException, javaRefusal } from './messages.js';
import {
  DEFAULT_OPTIONS,
  KafkaToolExit,
  keyValueArgs,
  maybeHelpOrVersion,
  parseOptionsOrUsage,
  requireOptions,
  usageExit,
  type OptionSpec,
  type ParsedOptions,
} from './options.js';
import { KAFKA_VERSION } from './version.js';
import { idempotenceSetting, timeSetting } from './producer-settings.js';

const CODECS: Record<string, number> = { none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 };
const LINE_READERS = ['kafka.tools.ConsoleProducer$LineMessageReader', 'org.apache.kafka.tools.LineMessageReader'];
const PRODUCER_KEYS = [
  'acks',
  'compression.type',
  'enable.idempotence',
  'key.serializer',
  'value.serializer',
  'retries',
  'linger.ms',
  'max.block.ms',
  'delivery.timeout.ms',
];
const BYTE_SERIALIZERS = [
  'org.apache.kafka.common.serialization.ByteArraySerializer',
  'org.apache.kafka.common.serialization.StringSerializer',
];
const BATCH_RECORDS = 1000;
/** The bytes of records gathered before they are handed to the producer (which cuts them by batch.size). */
const GATHER_BYTES = 1024 * 1024;

const SPECS: readonly OptionSpec[] = [
  ...DEFAULT_OPTIONS,
  { name: 'topic', arg: 'required', help: 'REQUIRED: The topic id to produce messages to.', describedAs: 'topic' },
  {
    name: 'broker-list',
    arg: 'required',
    help: 'DEPRECATED, use --bootstrap-server instead; ignored if --bootstrap-server is specified.',
    describedAs: 'broker-list',
  },
  {
    name: 'bootstrap-server',
    arg: 'required',
    help: 'REQUIRED unless --broker-list(deprecated) is specified. The server(s) to connect to.',
    describedAs: 'server to connect to',
  },
  {
    name: 'sync',
    arg: 'none',
    help: 'If set message send requests to the brokers are synchronously, one at a time as they arrive.',
  },
  {
    name: 'compression-codec',
    arg: 'optional',
    help: "The compression codec: either 'none', 'gzip', 'snappy', 'lz4', or 'zstd'.If specified without value, then it defaults to 'gzip'",
    describedAs: 'compression-codec',
  },
  {
    name: 'batch-size',
    arg: 'required',
    type: 'Integer',
    help: 'Number of messages to send in a single batch if they are not being sent synchronously.',
    describedAs: 'size',
    defaultValue: '16384',
  },
  {
    name: 'message-send-max-retries',
    arg: 'required',
    type: 'Integer',
    help: 'The number of retries before the producer gives up and drops a message.',
    describedAs: 'Integer',
    defaultValue: '3',
  },
  {
    name: 'retry-backoff-ms',
    arg: 'required',
    type: 'Long',
    help: 'Wait before each retry.',
    describedAs: 'Long',
    defaultValue: '100',
  },
  {
    name: 'timeout',
    arg: 'required',
    type: 'Long',
    help: 'In asynchronous mode, the maximum time a message will queue awaiting sufficient batch size (linger.ms).',
    describedAs: 'timeout_ms',
    defaultValue: '1000',
  },
  {
    name: 'request-required-acks',
    arg: 'required',
    help: 'The required `acks` of the producer requests',
    describedAs: 'request required acks',
    defaultValue: '-1',
  },
  {
    name: 'request-timeout-ms',
    arg: 'required',
    type: 'Integer',
    help: 'The ack timeout of the producer requests. Value must be non-negative and non-zero.',
    describedAs: 'request timeout ms',
    defaultValue: '1500',
  },
  {
    name: 'metadata-expiry-ms',
    arg: 'required',
    type: 'Long',
    help: 'metadata.max.age.ms of the producer.',
    describedAs: 'metadata expiration interval',
    defaultValue: '300000',
  },
  {
    name: 'max-block-ms',
    arg: 'required',
    type: 'Long',
    help: 'The max time that the producer will block for during a send request.',
    describedAs: 'max block on send',
    defaultValue: '60000',
  },
  {
    name: 'max-memory-bytes',
    arg: 'required',
    type: 'Long',
    help: 'buffer.memory of the producer.',
    describedAs: 'total memory in bytes',
    defaultValue: '33554432',
  },
  {
    name: 'max-partition-memory-bytes',
    arg: 'required',
    type: 'Integer',
    help: 'batch.size of the producer.',
    describedAs: 'memory in bytes per partition',
    defaultValue: '16384',
  },
  {
    name: 'line-reader',
    arg: 'required',
    help: 'The class name of the class to use for reading lines from standard in.',
    describedAs: 'reader_class',
    defaultValue: LINE_READERS[0]!,
  },
  {
    name: 'socket-buffer-size',
    arg: 'required',
    type: 'Integer',
    help: 'send.buffer.bytes of the producer.',
    describedAs: 'size',
    defaultValue: '102400',
  },
  {
    name: 'property',
    arg: 'required',
    help: 'Properties of the message reader: parse.key, parse.headers, ignore.error, key.separator, headers.delimiter, headers.separator, headers.key.separator, null.marker.',
    describedAs: 'prop',
  },
  {
    name: 'reader-config',
    arg: 'required',
    help: 'Config properties file for the message reader. Note that [property] takes precedence over this config.',
    describedAs: 'config file',
  },
  {
    name: 'producer-property',
    arg: 'required',
    help: 'A mechanism to pass user-defined properties in the form key=value to the producer. ',
    describedAs: 'producer_prop',
  },
  {
    name: 'producer.config',
    arg: 'required',
    help: 'Producer config properties file. Note that [producer-property] takes precedence over this config.',
    describedAs: 'config file',
  },
];

interface ProducerPlan {
  topic: string;
  bootstrap: string;
  sync: boolean;
  acks: number;
  compression: number;
  lingerMs: number;
  /** max.block.ms (--max-block-ms): how long a record waits for the topic's metadata. */
  maxBlockMs: number;
  /** delivery.timeout.ms: how long a batch is tried after it is made. */
  deliveryTimeoutMs: number;
  /** buffer.memory (--max-memory-bytes): a record larger than this fails at once, as in the Java producer. */
  bufferMemory: number;
  /** batch.size: --max-partition-memory-bytes, else --batch-size, else the property, else 16384. */
  batchSize: number;
  /** enable.idempotence, after ProducerConfig's checks. */
  idempotent: boolean;
  reader: LineReaderSettings;
  props: Record<string, string>;
}

function plan(o: ParsedOptions): ProducerPlan {
  if (!o.has('bootstrap-server') && !o.has('broker-list'))
    throw usageExit(SPECS, 'Missing required option(s) [bootstrap-server]');
  maybeHelpOrVersion(o, 'This tool helps to read data from standard input and publish it to Kafka.', KAFKA_VERSION);
  requireOptions(o, 'topic');
  // ToolsUtils.validatePortOrDie: every entry of the server list has a port.
  if (!(o.value('bootstrap-server') ?? o.value('broker-list')!).split(',').every(isHostPort))
    throw usageExit(SPECS, 'Please provide valid host:port like host1:9091,host2:9092\n ');
  const props: Record<string, string> = {
    ...(o.has('producer.config') ? loadProperties(o.value('producer.config')!) : {}),
    ...keyValueArgs(o.values('producer-property')),
  };
  // maybeMergeOptions: the flag when given, else the property, else the flag's default.
  const merged = (key: string, option: string): string =>
    o.has(option) || props[key] === undefined ? o.value(option)! : props[key];
  const codecName = o.has('compression-codec') ? o.value('compression-codec') || 'gzip' : 'none';
  const compression = CODECS[codecName.toLowerCase()];
  if (compression === undefined)
    throw new KafkaToolExit(
      1,
      `org.apache.kafka.common.config.ConfigException: Invalid value ${codecName} for configuration compression.type: String must be one of: none, gzip, snappy, lz4, zstd`,
    );
  const acksText = merged('acks', 'request-required-acks');
  const acks = acksText === 'all' ? -1 : Number(acksText);
  if (![-1, 0, 1].includes(acks))
    throw new KafkaToolExit(
      1,
      `org.apache.kafka.common.config.ConfigException: Invalid value ${acksText} for configuration acks: String must be one of: all, -1, 0, 1`,
    );
  for (const key of ['key.serializer', 'value.serializer'])
    if (props[key] !== undefined && !BYTE_SERIALIZERS.includes(props[key]))
      throw new KafkaToolExit(
        1,
        `${key}=${props[key]}: the console producer sends the line's bytes (${BYTE_SERIALIZERS[0]})`,
      );
  if (!LINE_READERS.includes(o.value('line-reader')!))
    throw new KafkaToolExit(
      1,
      `--line-reader ${o.value('line-reader')}: Gregor's kafka-console-producer has only ${LINE_READERS[0]}`,
    );
  const lingerMs = Number(merged('linger.ms', 'timeout'));
  const readerProps = {
    ...(o.has('reader-config') ? loadProperties(o.value('reader-config')!) : {}),
    ...keyValueArgs(o.values('property')),
  };
  let reader: LineReaderSettings;
  try {
    reader = lineReaderSettings(readerProps);
  } catch (err) {
    throw new KafkaToolExit(1, `org.apache.kafka.common.KafkaException: ${javaMessage(err)}`);
  }
  delete props['compression.type'];
  delete props['acks'];
  const linger = Number.isFinite(lingerMs) && lingerMs >= 0 ? lingerMs : 1000;
  const requestTimeoutMs = merged('request.timeout.ms', 'request-timeout-ms');
  return {
    topic: o.value('topic')!,
    bootstrap: o.value('bootstrap-server') ?? o.value('broker-list')!,
    sync: o.has('sync'),
    acks,
    compression,
    lingerMs: linger,
    maxBlockMs: timeSetting('max.block.ms', merged('max.block.ms', 'max-block-ms')),
    deliveryTimeoutMs: deliveryTimeout(props['delivery.timeout.ms'], linger + Number(requestTimeoutMs)),
    bufferMemory: timeSetting('buffer.memory', merged('buffer.memory', 'max-memory-bytes')),
    batchSize: batchSizeSetting(o, props),
    idempotent: idempotenceSetting(props, acks, merged('retries', 'message-send-max-retries')),
    reader,
    props: { ...props, 'request.timeout.ms': requestTimeoutMs },
  };
}

/**
 * ConsoleProducer's two merges into batch.size: --batch-size when given (or when the property is not),
 * then --max-partition-memory-bytes when given.
 */
function batchSizeSetting(o: ParsedOptions, props: Record<string, string>): number {
  let text = props['batch.size'];
  if (o.has('batch-size') || text === undefined) text = o.value('batch-size')!;
  if (o.has('max-partition-memory-bytes')) text = o.value('max-partition-memory-bytes')!;
  const value = Number(text.trim());
  if (text.trim() === '' || !Number.isInteger(value) || value < 0 || value > 2147483647)
    throw new KafkaToolExit(1, `Invalid value ${text} for configuration batch.size`);
  return value;
}

/**
 * KafkaProducer.configureDeliveryTimeout: at least linger.ms + request.timeout.ms; a smaller value
 * given is refused, the default (120 s) below it is raised to it with a warning.
 */
function deliveryTimeout(given: string | undefined, lingerAndRequestMs: number): number {
  const value = given === undefined ? 120_000 : timeSetting('delivery.timeout.ms', given);
  if (value >= lingerAndRequestMs) return value;
  if (given !== undefined)
    throw new KafkaToolExit(
      1,
      'org.apache.kafka.common.KafkaException: Failed to construct kafka producer\nCaused by: org.apache.kafka.common.config.ConfigException: delivery.timeout.ms should be equal to or larger than linger.ms + request.timeout.ms',
    );
  cliIo().stderr.write(
    `WARN delivery.timeout.ms should be equal to or larger than linger.ms + request.timeout.ms. Setting it to ${lingerAndRequestMs}. (org.apache.kafka.clients.producer.KafkaProducer)\n`,
  );
  return lingerAndRequestMs;
}

/**
 * Gathers records and hands them to the producer, which pipelines them (up to 5 requests in flight a
 * partition, in order); logs (async mode) or throws (sync mode) failures. Reading waits while the
 * records handed over and not yet answered pass buffer.memory, as the Java producer's send() blocks.
 */
class Sender {
  private batch: OutgoingRecord[] = [];
  private batchBytes = 0;
  private batchCreatedMs = 0;
  private readonly sending = new Set<Promise<void>>();
  private unansweredBytes = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly producer: Producer,
    private readonly p: ProducerPlan,
  ) {}

  async add(record: OutgoingRecord): Promise<void> {
    // As the Java producer's send(): the topic's metadata first (max.block.ms), then the record's size.
    if (this.p.sync) {
      await this.producer.awaitMetadata();
      const tooLarge = recordTooLarge(record, this.p.bufferMemory);
      if (tooLarge) throw tooLarge;
      await this.producer.send([record]);
      return;
    }
    // As the Java producer's send(), a record first waits (max.block.ms) for the topic's metadata;
    // a record that cannot get it is logged and the tool reads on.
    try {
      await this.producer.awaitMetadata();
    } catch (err) {
      this.logFailure(record, err);
      return;
    }
    const tooLarge = recordTooLarge(record, this.p.bufferMemory);
    if (tooLarge) {
      this.logFailure(record, tooLarge);
      return;
    }
    if (this.batch.length === 0) this.batchCreatedMs = Date.now();
    this.batch.push(record);
    this.batchBytes += estimatedRecordSize(record);
    if (this.batch.length >= BATCH_RECORDS || this.batchBytes >= GATHER_BYTES) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.p.lingerMs);
    while (this.unansweredBytes > this.p.bufferMemory && this.sending.size > 0) await Promise.race(this.sending);
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const records = this.batch;
    this.batch = [];
    if (records.length === 0) return;
    const createdMs = this.batchCreatedMs;
    const bytes = this.batchBytes;
    this.batchBytes = 0;
    this.unansweredBytes += bytes;
    const sending: Promise<void> = this.producer
      .sendEach(records, createdMs)
      .then(
        (outcomes) =>
          outcomes.forEach((o, i) => {
            if (!o.ok) this.logFailure(records[i]!, javaRecordException(o.error, o.batchIndex, this.p.topic));
          }),
        (err: unknown) => records.forEach((r) => this.logFailure(r, err)),
      )
      .finally(() => {
        this.unansweredBytes -= bytes;
        this.sending.delete(sending);
      });
    this.sending.add(sending);
  }

  /** ErrorLoggingCallback's line for one record, then the exception as log4j prints it (class: message). */
  private logFailure(record: OutgoingRecord, err: unknown): void {
    const exception =
      typeof err === 'string' ? err : (javaRefusal(err, { topics: [this.p.topic] }) ?? javaException(err));
    cliIo().stderr.write(
      `ERROR Error when sending message to topic ${this.p.topic} with key: ${bytesText(record.key)}, value: ${bytesText(record.value)} with error: (org.apache.kafka.clients.producer.internals.ErrorLoggingCallback)\n${exception}\n`,
    );
  }

  async close(): Promise<void> {
    this.flush();
    while (this.sending.size > 0) await Promise.all([...this.sending]);
  }
}

/** ErrorLoggingCallback's text for a key or value (logAsString off): "N bytes", or "null". */
function bytesText(bytes: Buffer | null): string {
  return bytes === null ? 'null' : `${bytes.length} bytes`;
}

export async function kafkaConsoleProducer(args: readonly string[]): Promise<number> {
  const o = parseOptionsOrUsage(SPECS, args);
  const p = plan(o);
  const { cluster } = await clientFor(p.bootstrap, p.props, PRODUCER_KEYS, 'console-producer', undefined, 'producer');
  const producer = new Producer(cluster, p.topic, {
    acks: p.acks,
    compression: p.compression,
    autoCreateTopic: true,
    maxBlockMs: p.maxBlockMs,
    deliveryTimeoutMs: p.deliveryTimeoutMs,
    batchSize: p.batchSize,
    idempotent: p.idempotent,
  });
  const sender = new Sender(producer, p);
  const { stdin, stdout } = cliIo();
  const prompt = stdin.isTTY === true && stdout === process.stdout && process.stdout.isTTY;
  let lineNumber = 0;
  try {
    const lines = createInterface({ input: stdin, crlfDelay: Infinity });
    if (prompt) stdout.write('>');
    for await (const line of lines) {
      lineNumber++;
      await sender.add(readLine(line, lineNumber, p.reader));
      if (prompt) stdout.write('>');
    }
    await sender.close();
    return 0;
  } catch (err) {
    await sender.close().catch(() => undefined);
    // ConsoleProducer prints the stack trace: a reader's KafkaException, or --sync's ExecutionException.
    const thrown =
      err instanceof LineReaderError
        ? `org.apache.kafka.common.KafkaException: ${javaMessage(err)}`
        : `java.util.concurrent.ExecutionException: ${javaRecordException(err, 0, p.topic)}`;
    cliIo().stderr.write(`${thrown}\n`);
    return 1;
  } finally {
    cluster.close();
  }
}
