/**
 * kafka-consumer-perf-test.sh (Kafka 3.9's ConsumerPerformance) over Gregor's client: a classic
 * group member (--group, default perf-consumer-<0..99999>) of --topic (or --include) reads
 * --messages records from the committed offsets, else the earliest (--from-latest: the latest),
 * commits as Kafka's auto commit does (every auto.commit.interval.ms and on exit, unless
 * enable.auto.commit=false), and prints Kafka's CSV: the header (unless --hide-header) and the
 * total line, or with --show-detailed-stats a line every --reporting-interval ms. A poll counts
 * at most max.poll.records (500) records, as Kafka's, so the total may pass --messages; --timeout
 * (ms between records, default 10000) ends it with Kafka's WARNING. --date-format takes
 * SimpleDateFormat's y M d H h m s S letters and quoted text. rebalance.time.ms is the first
 * join's time (a rejoin while reading is not added).
 * Left out: --print-metrics (refused: the client keeps no Kafka metrics); --fetch-size and
 * --socket-buffer-size are accepted and change nothing (Gregor fetches 1 MiB a partition).
 */
import { nodeCrypto } from '../../common/node-crypto.js';
import type { ConsumedRecord } from '../../client/consumer.js';
import { EARLIEST, LATEST } from '../../client/offsets.js';
import { cliIo } from '../io.js';
import { clientFor, loadProperties } from './client-config.js';
import { CONSUMER_KEYS, Reader } from './console-consumer.js';
import { javaMessage } from './messages.js';
import {
  DEFAULT_OPTIONS,
  KafkaToolExit,
  maybeHelpOrVersion,
  parseOptionsOrUsage,
  requireOptions,
  usageExit,
  type OptionSpec,
} from './options.js';
import { KAFKA_VERSION } from './version.js';

const SPECS: readonly OptionSpec[] = [
  ...DEFAULT_OPTIONS,
  {
    name: 'bootstrap-server',
    arg: 'required',
    help: 'REQUIRED: The server(s) to connect to.',
    describedAs: 'server to connect to',
  },
  { name: 'topic', arg: 'required', help: 'The topic to consume from.', describedAs: 'topic' },
  {
    name: 'include',
    arg: 'required',
    help: 'Regular expression specifying list of topics to include for consumption.',
    describedAs: 'Java regex (String)',
  },
  { name: 'group', arg: 'required', help: 'The group id to consume on.', describedAs: 'gid' },
  {
    name: 'fetch-size',
    arg: 'required',
    type: 'Integer',
    help: 'The amount of data to fetch in a single request.',
    describedAs: 'size',
    defaultValue: '1048576',
  },
  {
    name: 'from-latest',
    arg: 'none',
    help: 'If the consumer does not already have an established offset to consume from, start with the latest message present in the log rather than the earliest message.',
  },
  {
    name: 'socket-buffer-size',
    arg: 'required',
    type: 'Integer',
    help: 'The size of the tcp RECV size.',
    describedAs: 'size',
    defaultValue: '2097152',
  },
  { name: 'consumer.config', arg: 'required', help: 'Consumer config properties file.', describedAs: 'config file' },
  { name: 'print-metrics', arg: 'none', help: 'Print out the metrics.' },
  {
    name: 'show-detailed-stats',
    arg: 'none',
    help: 'If set, stats are reported for each reporting interval as configured by reporting-interval',
  },
  {
    name: 'timeout',
    arg: 'optional',
    type: 'Long',
    help: 'The maximum allowed time in milliseconds between returned records.',
    describedAs: 'milliseconds',
    defaultValue: '10000',
  },
  {
    name: 'messages',
    arg: 'required',
    type: 'Long',
    help: 'REQUIRED: The number of messages to consume.',
    describedAs: 'count',
  },
  {
    name: 'reporting-interval',
    arg: 'required',
    type: 'Long',
    help: 'Interval in milliseconds at which to print progress info.',
    describedAs: 'interval_ms',
    defaultValue: '5000',
  },
  {
    name: 'date-format',
    arg: 'required',
    help: 'The date format to use for formatting the time field. See java.text.SimpleDateFormat for options.',
    describedAs: 'date format',
    defaultValue: 'yyyy-MM-dd HH:mm:ss:SSS',
  },
  { name: 'hide-header', arg: 'none', help: 'If set, skips printing the header for the stats' },
];

/** SimpleDateFormat in the local time zone, for the letters y M d H h m s S and 'quoted' text. */
export function dateFormatter(pattern: string): (ms: number) => string {
  const parts: Array<string | ((d: Date) => string)> = [];
  const pad = (n: number, width: number): string => String(n).padStart(width, '0');
  for (let i = 0; i < pattern.length;) {
    const c = pattern[i]!;
    if (c === "'") {
      const end = pattern.indexOf("'", i + 1);
      if (end < 0) throw new KafkaToolExit(1, `java.lang.IllegalArgumentException: Unterminated quote`);
      parts.push(end === i + 1 ? "'" : pattern.slice(i + 1, end));
      i = end + 1;
      continue;
    }
    if (!/[a-zA-Z]/.test(c)) {
      parts.push(c);
      i++;
      continue;
    }
    let n = 1;
    while (pattern[i + n] === c) n++;
    i += n;
    const fields: Record<string, (d: Date) => number> = {
      y: (d) => d.getFullYear(),
      M: (d) => d.getMonth() + 1,
      d: (d) => d.getDate(),
      H: (d) => d.getHours(),
      h: (d) => d.getHours() % 12 || 12,
      m: (d) => d.getMinutes(),
      s: (d) => d.getSeconds(),
      S: (d) => d.getMilliseconds(),
    };
    const field = fields[c];
    if (!field)
      throw new KafkaToolExit(
        1,
        `--date-format ${pattern}: Gregor's kafka-consumer-perf-test knows only the letters y M d H h m s S of SimpleDateFormat`,
      );
    parts.push(c === 'y' && n === 2 ? (d) => pad(field(d) % 100, 2) : (d) => pad(field(d), n));
  }
  return (ms) => {
    const d = new Date(ms);
    return parts.map((p) => (typeof p === 'string' ? p : p(d))).join('');
  };
}

/** Java's `%.4f`, NaN and Infinity as Java prints them. */
function f4(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity';
  return value.toFixed(4);
}

const MIB = 1024 * 1024;
const EXTRA_HEADER = ', rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec';

export async function kafkaConsumerPerfTest(args: readonly string[]): Promise<number> {
  const o = parseOptionsOrUsage(SPECS, args);
  maybeHelpOrVersion(o, 'This tool is used to verify the consumer performance.', KAFKA_VERSION);
  requireOptions(o, 'bootstrap-server', 'messages');
  if (o.has('topic') === o.has('include'))
    throw usageExit(SPECS, 'Exactly one of the following arguments is required: [topic], [include]');
  const reportingInterval = Number(o.value('reporting-interval'));
  if (!/^\d+$/.test(o.value('reporting-interval')!))
    throw usageExit(SPECS, `Cannot parse argument '${o.value('reporting-interval')}' of option reporting-interval`);
  if (reportingInterval <= 0)
    throw new KafkaToolExit(
      1,
      'Reporting interval must be greater than 0.\njava.lang.IllegalArgumentException: Reporting interval must be greater than 0.',
    );
  if (o.has('print-metrics'))
    throw new KafkaToolExit(
      1,
      "--print-metrics: Gregor's client keeps no Kafka consumer metrics to print (see docs/tools.md)",
    );
  const format = dateFormatter(o.value('date-format')!);
  const props = o.has('consumer.config') ? loadProperties(o.value('consumer.config')!) : {};
  const group = o.value('group') ?? `perf-consumer-${nodeCrypto().randomInt(100_000)}`;
  const number = (key: string, fallback: number): number => {
    const text = props[key];
    const n = text === undefined ? fallback : Number(text.trim());
    if (!Number.isSafeInteger(n) || n <= 0)
      throw new KafkaToolExit(
        1,
        `org.apache.kafka.common.config.ConfigException: Invalid value ${text} for configuration ${key}`,
      );
    return n;
  };
  const maxPollRecords = number('max.poll.records', 500);
  const isolation = (props['isolation.level'] ?? 'read_uncommitted').trim().toLowerCase();
  const plan = {
    topics: o.has('topic') ? [o.value('topic')!] : null,
    include: o.value('include') ?? null,
    partition: null,
    // The tool sets auto.offset.reset itself: earliest, or latest with --from-latest.
    start: o.has('from-latest') ? LATEST : EARLIEST,
    group,
    isolationLevel: isolation === 'read_committed' ? 1 : 0,
    autoCommit: (props['enable.auto.commit'] ?? 'true').trim().toLowerCase() === 'true',
    commitIntervalMs: number('auto.commit.interval.ms', 5000),
    sessionTimeoutMs: number('session.timeout.ms', 45_000),
    heartbeatMs: number('heartbeat.interval.ms', 3000),
  };
  const numMessages = Number(o.value('messages'));
  const timeoutMs = Number(o.value('timeout'));
  const detailed = o.has('show-detailed-stats');
  const out = cliIo().stdout;
  if (!o.has('hide-header'))
    out.write(
      detailed
        ? `time, threadId, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec${EXTRA_HEADER}\n`
        : `start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec${EXTRA_HEADER}\n`,
    );
  const { cluster } = await clientFor(
    o.value('bootstrap-server')!,
    { ...props, 'group.id': group },
    CONSUMER_KEYS,
    'perf-consumer-client',
    undefined,
    'consumer',
  );
  const reader = new Reader(cluster, plan);
  try {
    const startMs = Date.now();
    await reader.open();
    const joinMs = Date.now() - startMs;
    let roundJoinMs = joinMs;
    let messages = 0;
    let bytes = 0;
    let lastMessages = 0;
    let lastBytes = 0;
    // Kafka's loop starts its clocks before the first poll, which is where its consumer joins.
    let now = Date.now();
    let lastReport = startMs;
    let lastConsumed = startMs;
    let buffered: ConsumedRecord[] = [];
    while (messages < numMessages && now - lastConsumed <= timeoutMs) {
      // A poll returns at most max.poll.records; the rest of a fetch waits for the next poll.
      if (buffered.length === 0) buffered = await reader.poll();
      now = Date.now();
      const records = buffered.slice(0, maxPollRecords);
      buffered = buffered.slice(maxPollRecords);
      if (records.length > 0) lastConsumed = now;
      for (const record of records) {
        messages++;
        bytes += (record.key?.length ?? 0) + (record.value?.length ?? 0);
        if (now - lastReport >= reportingInterval) {
          if (detailed) {
            const elapsed = now - lastReport;
            const fetchMs = elapsed - roundJoinMs;
            const intervalMb = (bytes - lastBytes) / MIB;
            out.write(
              `${format(now)}, 0, ${f4(bytes / MIB)}, ${f4((1000 * intervalMb) / elapsed)}, ${messages}, ${f4(((messages - lastMessages) / elapsed) * 1000)}` +
                `, ${roundJoinMs}, ${fetchMs}, ${f4(fetchMs <= 0 ? 0 : (1000 * intervalMb) / fetchMs)}, ${f4(fetchMs <= 0 ? 0 : (1000 * (messages - lastMessages)) / fetchMs)}\n`,
            );
          }
          roundJoinMs = 0;
          lastReport = now;
          lastMessages = messages;
          lastBytes = bytes;
        }
      }
    }
    if (messages < numMessages)
      out.write(
        `WARNING: Exiting before consuming the expected number of messages: timeout (${timeoutMs} ms) exceeded. You can use the --timeout option to increase the timeout.\n`,
      );
    const endMs = Date.now();
    // The committed positions follow the records counted, not those fetched and left over.
    for (const extra of buffered) reader.rewind(extra);
    await reader.commit();
    await reader.member?.leave().catch(() => undefined);
    if (!detailed) {
      const elapsedSec = (endMs - startMs) / 1000;
      const fetchMs = endMs - startMs - joinMs;
      const mb = bytes / MIB;
      out.write(
        `${format(startMs)}, ${format(endMs)}, ${f4(mb)}, ${f4(mb / elapsedSec)}, ${messages}, ${f4(messages / elapsedSec)}, ` +
          `${joinMs}, ${fetchMs}, ${f4(mb / (fetchMs / 1000))}, ${f4(messages / (fetchMs / 1000))}\n`,
      );
    }
    return 0;
  } catch (err) {
    if (err instanceof KafkaToolExit) throw err;
    await reader.member?.leave().catch(() => undefined);
    cliIo().stderr.write(`${javaMessage(err)}\n`);
    return 1;
  } finally {
    cluster.close();
  }
}
