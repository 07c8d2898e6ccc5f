/**
 * kafka-console-consumer.sh (Kafka 3.9's ConsoleConsumer) over Gregor's client: --topic or
 * --include (a regular expression, matched once at start), --partition with --offset
 * (earliest, latest or a number; assigned, no group membership: --from-beginning picks earliest,
 * auto.offset.reset plays no part), --from-beginning, --group.
 * Without --partition the consumer is a classic consumer group member of --group, or, as in
 * Kafka 3.9, of a generated console-consumer-<0..99999> group (auto commit off unless
 * enable.auto.commit is set): committed offsets, else auto.offset.reset (none: Kafka's
 * NoOffsetForPartitionException logged, and the consumer stops); commits every
 * auto.commit.interval.ms and on exit when auto commit is on. --max-messages, --timeout-ms,
 * --isolation-level, --consumer-property / --consumer.config, --property for the
 * DefaultMessageFormatter. Prints records as that formatter and "Processed a total of N
 * messages" on stderr. A broker that does not answer (nothing listening, gone away) is tried again
 * until a signal or --timeout-ms, as Kafka's poll() never fails for it. Differs from Kafka: --include's pattern is matched once at start (Kafka's
 * consumer re-matches on metadata refreshes); only the default formatter.
 */
import { nodeCrypto } from '../../common/node-crypto.js';
import type { Cluster } from '../../client/cluster.js';
import { AdminCallTimeoutError, BrokerUnreachableError, UnknownPartitionFetchError } from '../../client/errors.js';
import { Fetcher, type ConsumedRecord } from '../../client/consumer.js';
import { GroupMember, partitionCountOrNull } from '../../client/group-member.js';
import { commitOffsets, fetchCommittedOffsets } from '../../client/group-offsets.js';
import { EARLIEST, LATEST, listOffsets } from '../../client/offsets.js';
import { listTopics } from '../../client/topics.js';
import { cliIo } from '../io.js';

import { clientFor, loadProperties } from './client-config.js';
import { formatRecord, formatterSettings, type FormatterSettings } from './message-formatter.js';
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
import { javaRefusal, log4jDate, type ClientLogContext } from './messages.js';
import { includeListMatcher, isInternalTopic } from './topic-filter.js';
import { KAFKA_VERSION } from './version.js';

const DEFAULT_FORMATTERS = [
  'org.apache.kafka.tools.consumer.DefaultMessageFormatter',
  'kafka.tools.DefaultMessageFormatter',
];
/** The consumer settings the consumer tools take (--consumer-property, --consumer.config). */
export const CONSUMER_KEYS = [
  'group.id',
  'auto.offset.reset',
  'isolation.level',
  'enable.auto.commit',
  'auto.commit.interval.ms',
  'session.timeout.ms',
  'heartbeat.interval.ms',
  'key.deserializer',
  'value.deserializer',
  'partition.assignment.strategy',
  'exclude.internal.topics',
  'allow.auto.create.topics',
];

const SPECS: readonly OptionSpec[] = [
  ...DEFAULT_OPTIONS,
  { name: 'topic', arg: 'required', help: 'The topic to consume on.', describedAs: 'topic' },
  {
    name: 'whitelist',
    arg: 'required',
    help: 'DEPRECATED, use --include instead; ignored if --include specified.',
    describedAs: 'Java regex (String)',
  },
  {
    name: 'include',
    arg: 'required',
    help: 'Regular expression specifying list of topics to include for consumption.',
    describedAs: 'Java regex (String)',
  },
  {
    name: 'partition',
    arg: 'required',
    type: 'Integer',
    help: "The partition to consume from. Consumption starts from the end of the partition unless '--offset' is specified.",
    describedAs: 'partition',
  },
  {
    name: 'offset',
    arg: 'required',
    help: "The offset to consume from (a non-negative number), or 'earliest' which means from beginning, or 'latest' which means from end",
    describedAs: 'consume offset',
    defaultValue: 'latest',
  },
  {
    name: 'consumer-property',
    arg: 'required',
    help: 'A mechanism to pass user-defined properties in the form key=value to the consumer.',
    describedAs: 'consumer_prop',
  },
  {
    name: 'consumer.config',
    arg: 'required',
    help: 'Consumer config properties file. Note that [consumer-property] takes precedence over this config.',
    describedAs: 'config file',
  },
  {
    name: 'formatter',
    arg: 'required',
    help: 'The name of a class to use for formatting kafka messages for display.',
    describedAs: 'class',
    defaultValue: DEFAULT_FORMATTERS[0]!,
  },
  {
    name: 'property',
    arg: 'required',
    help: 'The properties to initialize the message formatter: print.timestamp, print.key, print.offset, print.partition, print.headers, print.value (true|false), key.separator, line.separator, headers.separator, null.literal.',
    describedAs: 'prop',
  },
  {
    name: 'formatter-config',
    arg: 'required',
    help: 'Config properties file to initialize the message formatter. Note that [property] takes precedence over this config.',
    describedAs: 'config file',
  },
  {
    name: 'from-beginning',
    arg: 'none',
    help: 'If the consumer does not already have an established offset to consume from, start with the earliest message present in the log rather than the latest message.',
  },
  {
    name: 'max-messages',
    arg: 'required',
    type: 'Integer',
    help: 'The maximum number of messages to consume before exiting. If not set, consumption is continual.',
    describedAs: 'num_messages',
  },
  {
    name: 'timeout-ms',
    arg: 'required',
    type: 'Long',
    help: 'If specified, exit if no message is available for consumption for the specified interval.',
    describedAs: 'timeout_ms',
  },
  {
    name: 'skip-message-on-error',
    arg: 'none',
    help: 'If there is an error when processing a message, skip it instead of halt.',
  },
  {
    name: 'bootstrap-server',
    arg: 'required',
    help: 'REQUIRED: The server(s) to connect to.',
    describedAs: 'server to connect to',
  },
  { name: 'key-deserializer', arg: 'required', help: 'deserializer for key', describedAs: 'deserializer for key' },
  {
    name: 'value-deserializer',
    arg: 'required',
    help: 'deserializer for values',
    describedAs: 'deserializer for values',
  },
  {
    name: 'enable-systest-events',
    arg: 'none',
    help: 'Log lifecycle events of the consumer in addition to logging consumed messages. (This is specific for system tests.)',
  },
  {
    name: 'isolation-level',
    arg: 'required',
    help: 'Set to read_committed in order to filter out transactional messages which are not committed. Set to read_uncommitted to read all messages.',
    describedAs: 'isolation level',
    defaultValue: 'read_uncommitted',
  },
  { name: 'group', arg: 'required', help: 'The consumer group id of the consumer.', describedAs: 'consumer group id' },
];

interface Plan {
  topics: string[] | null;
  include: string | null;
  partition: number | null;
  /** -2 earliest, -1 latest, else an offset (with --partition). */
  start: bigint;
  /** The group given, or console-consumer-<0..99999> (joined only without --partition). */
  group: string;
  maxMessages: number;
  timeoutMs: number;
  isolationLevel: number;
  autoCommit: boolean;
  commitIntervalMs: number;
  sessionTimeoutMs: number;
  heartbeatMs: number;
  /** allow.auto.create.topics (default true, as the Java consumer's): a missing subscribed topic is auto-created. */
  autoCreateTopics?: boolean;
  formatter: FormatterSettings;
}

function fail(message: string): never {
  throw usageExit(SPECS, message);
}

/** auto.offset.reset=none: a group member without a committed offset fails instead of resetting. */
const NO_RESET = -100n;

/** With no committed offset and auto.offset.reset=none (Kafka's NoOffsetForPartitionException). */
class NoResetPolicyError extends Error {}

function startOffset(o: ParsedOptions, props: Record<string, string>): bigint {
  // auto.offset.reset is checked in every mode (ConsoleConsumerOptions.setAutoOffsetResetValue).
  const reset = props['auto.offset.reset'];
  if (reset !== undefined) {
    if (o.has('from-beginning') && reset !== 'earliest')
      throw new KafkaToolExit(
        1,
        `Can't simultaneously specify --from-beginning and 'auto.offset.reset=${reset}', please remove one option`,
      );
    if (reset !== 'earliest' && reset !== 'latest' && reset !== 'none')
      throw new KafkaToolExit(
        1,
        `Invalid value ${reset} for configuration auto.offset.reset: String must be one of: latest, earliest, none`,
      );
  }
  if (o.has('partition')) {
    // assign(): the consumer seeks to --offset (else earliest with --from-beginning, else latest); no reset.
    if (!o.has('offset')) return o.has('from-beginning') ? EARLIEST : LATEST;
    const text = o.value('offset')!;
    if (text.toLowerCase() === 'earliest') return EARLIEST;
    if (text.toLowerCase() === 'latest') return LATEST;
    if (!/^\d+$/.test(text))
      fail(
        `The provided offset value '${text}' is incorrect. Valid values are 'earliest', 'latest', or a non-negative long.`,
      );
    return BigInt(text);
  }
  if (reset !== undefined) return reset === 'earliest' ? EARLIEST : reset === 'latest' ? LATEST : NO_RESET;
  return o.has('from-beginning') ? EARLIEST : LATEST;
}

function planFrom(o: ParsedOptions, props: Record<string, string>): Plan {
  const include = o.value('include') ?? o.value('whitelist') ?? null;
  if ([o.has('topic'), include !== null].filter(Boolean).length !== 1)
    fail(
      `Exactly one of --include/--topic is required. ${o.has('whitelist') ? '--whitelist is DEPRECATED use --include instead; ignored if --include specified.' : ''}`,
    );
  if (o.has('partition')) {
    if (!o.has('topic')) fail('The topic is required when partition is specified.');
    if (o.has('from-beginning') && o.has('offset'))
      fail('Options from-beginning and offset cannot be specified together.');
  } else if (o.has('offset')) fail('The partition is required when offset is specified.');
  requireOptions(o, 'bootstrap-server');
  const groups = new Set<string>();
  if (o.has('group')) groups.add(o.value('group')!);
  if (props['group.id'] !== undefined) groups.add(props['group.id']);
  if (groups.size > 1)
    fail(
      `The group ids provided in different places (directly using '--group', via '--consumer-property', or via '--consumer.config') do not match. Detected group ids: ${[...groups].map((g) => `'${g}'`).join(', ')}`,
    );
  if (groups.size > 0 && o.has('partition')) fail('Options group and partition cannot be specified together.');
  const group = [...groups][0] ?? `console-consumer-${nodeCrypto().randomInt(100_000)}`;
  const formatter = o.value('formatter')!;
  if (!DEFAULT_FORMATTERS.includes(formatter))
    throw new KafkaToolExit(
      1,
      `--formatter ${formatter}: Gregor's kafka-console-consumer has only ${DEFAULT_FORMATTERS[0]}`,
    );
  const strategy = props['partition.assignment.strategy'];
  if (strategy !== undefined && !/RangeAssignor|^range$/.test(strategy))
    throw new KafkaToolExit(
      1,
      `partition.assignment.strategy=${strategy}: Gregor's consumer assigns with the RangeAssignor only`,
    );
  const isolation =
    props['isolation.level'] !== undefined && !o.has('isolation-level')
      ? props['isolation.level']
      : o.value('isolation-level')!;
  if (isolation !== 'read_committed' && isolation !== 'read_uncommitted')
    throw new KafkaToolExit(
      1,
      `Invalid value ${isolation} for configuration isolation.level: String must be one of: read_committed, read_uncommitted`,
    );
  const number = (key: string, fallback: number): number => {
    const n = props[key] === undefined ? fallback : Number(props[key]);
    if (!Number.isInteger(n) || n <= 0)
      throw new KafkaToolExit(1, `Invalid value ${props[key]} for configuration ${key}`);
    return n;
  };
  let formatterProps: Record<string, string> = {};
  if (o.has('formatter-config')) formatterProps = loadProperties(o.value('formatter-config')!);
  formatterProps = { ...formatterProps, ...keyValueArgs(o.values('property')) };
  if (o.has('key-deserializer')) formatterProps['key.deserializer'] = o.value('key-deserializer')!;
  if (o.has('value-deserializer')) formatterProps['value.deserializer'] = o.value('value-deserializer')!;
  let settings: FormatterSettings;
  try {
    settings = formatterSettings(formatterProps);
  } catch (err) {
    throw new KafkaToolExit(1, err instanceof Error ? err.message : String(err));
  }
  const autoCreate = (props['allow.auto.create.topics'] ?? 'true').trim().toLowerCase();
  if (autoCreate !== 'true' && autoCreate !== 'false')
    throw new KafkaToolExit(
      1,
      `Invalid value ${props['allow.auto.create.topics']} for configuration allow.auto.create.topics: Expected value to be either true or false`,
    );
  const timeout = o.has('timeout-ms') ? Number(o.value('timeout-ms')) : -1;
  return {
    topics: o.has('topic') ? [o.value('topic')!] : null,
    include,
    partition: o.has('partition') ? o.integer('partition')! : null,
    start: startOffset(o, props),
    group,
    maxMessages: o.has('max-messages') ? o.integer('max-messages')! : -1,
    timeoutMs: timeout >= 0 ? timeout : Infinity,
    isolationLevel: isolation === 'read_committed' ? 1 : 0,
    // A generated group commits nothing unless enable.auto.commit is set: it is not meant to be reused.
    autoCommit: (props['enable.auto.commit'] ?? (groups.size > 0 ? 'true' : 'false')).trim().toLowerCase() === 'true',
    commitIntervalMs: number('auto.commit.interval.ms', 5000),
    sessionTimeoutMs: number('session.timeout.ms', 45_000),
    heartbeatMs: number('heartbeat.interval.ms', 3000),
    autoCreateTopics: autoCreate === 'true',
    formatter: settings,
  };
}

/** Where each assigned partition starts: the given offset, earliest or latest. */
async function positions(
  cluster: Cluster,
  topic: string,
  partitions: number[],
  start: bigint,
): Promise<Map<number, bigint>> {
  if (start >= 0n) return new Map(partitions.map((p) => [p, start]));
  return listOffsets(cluster, topic, partitions, start);
}

/** What the reading side needs of a plan (kafka-consumer-perf-test builds one too). */
export type ReaderPlan = Omit<Plan, 'formatter' | 'maxMessages' | 'timeoutMs'>;

/** How often a member whose subscribed topic is missing looks for it (the Java consumer's metadata retry). */
const MISSING_TOPIC_CHECK_MS = 1000;

/** The reading side: fetchers per topic, and the group member unless a partition was assigned. */
export class Reader {
  fetchers: Fetcher[] = [];
  member: GroupMember | null = null;
  private lastHeartbeat = 0;
  private lastCommit = Date.now();
  private lastMissingCheck = 0;
  /** Assigned (--partition) a partition that does not exist yet. */
  private awaitingPartition = false;

  constructor(
    private readonly cluster: Cluster,
    private readonly plan: ReaderPlan,
  ) {}

  private async topics(): Promise<string[]> {
    if (this.plan.topics !== null) return this.plan.topics;
    const matches = includeListMatcher(this.plan.include!);
    return (await listTopics(this.cluster, true))
      .map((t) => t.name)
      .filter((t) => matches(t) && !isInternalTopic(t))
      .sort();
  }

  async open(): Promise<void> {
    const { cluster, plan } = this;
    const fetchOptions = { isolationLevel: plan.isolationLevel, maxWaitMs: 500, partitionMaxBytes: 1024 * 1024 };
    if (plan.partition === null) {
      // subscribe(): the consumer joins its group, given or generated, and reads what it is assigned.
      const topics = await this.topics();
      this.member ??= new GroupMember(cluster, {
        groupId: plan.group,
        topic: topics[0] ?? '',
        topics,
        sessionTimeoutMs: plan.sessionTimeoutMs,
        heartbeatIntervalMs: plan.heartbeatMs,
        autoCreateTopics: plan.autoCreateTopics === true,
      });
      await this.member.join();
      const assigned = [...this.member.assignment].filter(([, partitions]) => partitions.length > 0);
      const committed =
        assigned.length > 0
          ? await fetchCommittedOffsets(
              cluster,
              plan.group,
              assigned.map(([topic, partitions]) => ({ topic, partitions })),
            )
          : [];
      this.fetchers = [];
      const missing = assigned.flatMap(([topic, partitions]) =>
        partitions
          .filter((p) => !committed.some((c) => c.topic === topic && c.partition === p))
          .map((p) => `${topic}-${p}`),
      );
      if (plan.start === NO_RESET && missing.length > 0)
        throw new NoResetPolicyError(`Undefined offset with no reset policy for partitions: [${missing.join(', ')}]`);
      for (const [topic, partitions] of assigned) {
        const fallback =
          plan.start === NO_RESET ? new Map<number, bigint>() : await positions(cluster, topic, partitions, plan.start);
        const start = partitions.map((p) => ({
          partition: p,
          offset: committed.find((c) => c.topic === topic && c.partition === p)?.offset ?? fallback.get(p) ?? 0n,
        }));
        this.fetchers.push(new Fetcher(cluster, topic, start, fetchOptions));
      }
      this.lastHeartbeat = Date.now();
      return;
    }
    // assign(): one partition, no group membership. As Kafka's consumer, a topic that does not exist
    // is auto-created when allow.auto.create.topics lets the broker, and a topic or partition that
    // does not exist (yet) is waited for (poll asks again), never an error.
    const topic = plan.topics![0]!;
    const count = await partitionCountOrNull(cluster, topic, plan.autoCreateTopics === true);
    this.awaitingPartition = count === null || plan.partition >= count;
    if (this.awaitingPartition) {
      this.fetchers = [];
      this.lastMissingCheck = Date.now();
      return;
    }
    const start = await positions(cluster, topic, [plan.partition], plan.start);
    this.fetchers = [
      new Fetcher(
        cluster,
        topic,
        [...start].map(([partition, offset]) => ({ partition, offset })),
        fetchOptions,
      ),
    ];
  }

  /** One round over every fetcher, keeping up the group membership. */
  async poll(): Promise<ConsumedRecord[]> {
    const member = this.member;
    if (member && Date.now() - this.lastHeartbeat >= this.plan.heartbeatMs) {
      await member.heartbeat();
      this.lastHeartbeat = Date.now();
      if (member.needsRejoin) {
        await this.commit().catch(() => undefined);
        await this.open();
        return [];
      }
    }
    if (this.awaitingPartition && Date.now() - this.lastMissingCheck >= MISSING_TOPIC_CHECK_MS) {
      await this.open();
      return [];
    }
    if (member && member.missingTopics.length > 0 && Date.now() - this.lastMissingCheck >= MISSING_TOPIC_CHECK_MS) {
      this.lastMissingCheck = Date.now();
      if (await member.missingTopicAppeared()) {
        await this.commit().catch(() => undefined);
        await this.open();
        return [];
      }
    }
    if (this.plan.autoCommit && Date.now() - this.lastCommit >= this.plan.commitIntervalMs) await this.commit();
    if (this.fetchers.every((f) => f.positions.size === 0)) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      return [];
    }
    const rounds = await Promise.all(this.fetchers.filter((f) => f.positions.size > 0).map((f) => f.poll()));
    return rounds.flat();
  }

  /** Commits the positions when auto commit is on: as the member, or (assigned) outside any generation. */
  async commit(): Promise<void> {
    this.lastCommit = Date.now();
    const member = this.member;
    if (!this.plan.autoCommit || (member !== null && member.memberId === '')) return;
    const offsets = this.fetchers.flatMap((f) =>
      [...f.positions].map(([partition, offset]) => ({ topic: f.topic, partition, offset })),
    );
    const identity = member
      ? { generationId: member.generationId, memberId: member.memberId }
      : { generationId: -1, memberId: '' };
    if (offsets.length > 0) await commitOffsets(this.cluster, this.plan.group, identity, offsets);
  }

  /** Moves a partition's position back to a record that was fetched but not printed. */
  rewind(record: ConsumedRecord): void {
    const fetcher = this.fetchers.find((f) => f.positions.has(record.partition) && record.topic === f.topic);
    const position = fetcher?.positions.get(record.partition);
    if (fetcher && position !== undefined && record.offset < position)
      fetcher.positions.set(record.partition, record.offset);
  }
}

/**
 * A failure Kafka's consumer does not raise from poll(): no broker answers (nothing listening, or it
 * went away) or a call's budget ran out on retriable errors. Its poll loop goes on trying.
 */
/** Kafka's FetchCollector WARN for a partition the leader does not know (any more). */
function unknownPartitionWarning(err: UnknownPartitionFetchError, context: ClientLogContext): string {
  const what = err.code === 100 ? 'unknown topic ID' : 'unknown topic or partition';
  const prefix = `[Consumer clientId=${context.clientId}, groupId=${context.role === 'consumer' ? (context.groupId ?? 'null') : 'null'}]`;
  return `[${log4jDate(new Date())}] WARN ${prefix} Received ${what} error in fetch for partition ${err.topic}-${err.partition} (org.apache.kafka.clients.consumer.internals.FetchCollector)
`;
}

function pollsOn(err: unknown): boolean {
  return err instanceof BrokerUnreachableError || err instanceof AdminCallTimeoutError;
}

/** Resolves after `ms`, or at once when `stop` resolves first. */
function pause(ms: number, stop: Promise<unknown>): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([new Promise((resolve) => (timer = setTimeout(resolve, ms))), stop]).finally(() =>
    clearTimeout(timer),
  );
}

/** The Java consumer's default close timeout: its commit and LeaveGroup wait at most this long. */
const CLOSE_TIMEOUT_MS = 30_000;

/** Resolves with `work`, or after CLOSE_TIMEOUT_MS when a broker that answered stops answering. */
async function withinCloseTimeout(work: Promise<unknown> | undefined): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<void>((resolve) => (timer = setTimeout(resolve, CLOSE_TIMEOUT_MS)));
  try {
    await Promise.race([work, limit]);
  } finally {
    clearTimeout(timer);
  }
}

/** How long a round left at the deadline may take to end (a fetch waits fetch.max.wait.ms, 500, at most). */
const LEFT_ROUND_GRACE_MS = 1000;

/** Whether a round the deadline fell in ends well soon after; its records are given back, unprinted. */
async function roundEndsWell(work: Promise<ConsumedRecord[]>, reader: Reader): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), LEFT_ROUND_GRACE_MS)));
  try {
    const records = await Promise.race([work, late]);
    if (records === null) return false;
    for (const record of records) reader.rewind(record);
    return true;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

const STOPPED: unique symbol = Symbol('stopped');
const TIMED_OUT: unique symbol = Symbol('timed out');

/**
 * ConsoleConsumer.process: prints records until --max-messages, a signal (`stop`), or --timeout-ms
 * without a record (ConsumerWrapper.receive's TimeoutException). As Kafka's consumer, a broker that
 * does not answer is tried again and again, never an error: without --timeout-ms the tool waits for
 * it until stopped; the connecting counts against --timeout-ms as a poll does.
 */
async function consume(
  cluster: Cluster,
  plan: Plan,
  stop: Promise<unknown>,
  logContext: ClientLogContext,
): Promise<number> {
  const reader = new Reader(cluster, plan);
  let count = 0;
  let lastRecordAt = Date.now();
  let opened = false;
  let answering = true;
  const { stdout, stderr } = cliIo();
  const round = async (): Promise<ConsumedRecord[]> => {
    if (!opened) {
      await reader.open();
      opened = true;
    }
    return reader.poll();
  };
  try {
    while (plan.maxMessages < 0 || count < plan.maxMessages) {
      const left = plan.timeoutMs - (Date.now() - lastRecordAt);
      let timer: NodeJS.Timeout | undefined;
      const limit = Number.isFinite(left)
        ? [
            new Promise<typeof TIMED_OUT>(
              (resolve) => (timer = setTimeout(() => resolve(TIMED_OUT), Math.max(left, 0) + 1)),
            ),
          ]
        : [];
      const work = round();
      work.catch(() => undefined);
      let records: ConsumedRecord[] | typeof STOPPED | typeof TIMED_OUT;
      try {
        records = await Promise.race([work, stop.then((): typeof STOPPED => STOPPED), ...limit]);
        answering = true;
      } catch (err) {
        if (err instanceof UnknownPartitionFetchError) {
          // Kafka's FetchCollector: a WARN, a metadata update, and the consumer polls on (a deleted topic).
          stderr.write(unknownPartitionWarning(err, logContext));
        } else if (!pollsOn(err)) throw err;
        answering = false;
        records = [];
        await pause(Math.min(1000, Math.max(left, 0)), stop);
      } finally {
        clearTimeout(timer);
      }
      if (records === STOPPED) break;
      if (records !== TIMED_OUT) {
        for (const record of records) {
          if (plan.maxMessages >= 0 && count >= plan.maxMessages) {
            reader.rewind(record);
            continue;
          }
          stdout.write(formatRecord(record, plan.formatter));
          count++;
        }
        if (records.length > 0) lastRecordAt = Date.now();
      }
      if (records === TIMED_OUT || (records.length === 0 && Date.now() - lastRecordAt > plan.timeoutMs)) {
        stderr.write(
          'ERROR Error processing message, terminating consumer process:  (org.apache.kafka.tools.consumer.ConsoleConsumer)\norg.apache.kafka.common.errors.TimeoutException\n',
        );
        // The deadline mostly falls in a fetch's long poll: when that round ends well, its records go
        // back unprinted and the consumer closes (commit, LeaveGroup) as Kafka's close() does; a round
        // that fails or hangs (a broker gone) is left behind and nothing more is sent.
        // Still joining (a first JoinGroup waits out group.initial.rebalance.delay.ms): nothing to commit,
        // and close() leaves with the member id the coordinator gave, as Kafka's does.
        if (records === TIMED_OUT && opened) answering = answering && (await roundEndsWell(work, reader));
        break;
      }
    }
    if (answering && opened) await withinCloseTimeout(reader.commit());
  } catch (err) {
    const thrown =
      err instanceof NoResetPolicyError
        ? `org.apache.kafka.clients.consumer.NoOffsetForPartitionException: ${err.message}`
        : javaRefusal(err, { group: plan.group, ...(plan.topics !== null ? { topics: plan.topics } : {}) });
    if (thrown === null) throw err;
    // Kafka's consumer throws these from poll(); the console consumer logs it and exits normally.
    stderr.write(
      `ERROR Error processing message, terminating consumer process:  (org.apache.kafka.tools.consumer.ConsoleConsumer)\n${thrown}\n`,
    );
  } finally {
    // As Kafka's consumer, no LeaveGroup to a coordinator it cannot reach.
    if (answering) await withinCloseTimeout(reader.member?.leave().catch(() => undefined));
  }
  return count;
}

export async function kafkaConsoleConsumer(args: readonly string[]): Promise<number> {
  const o = parseOptionsOrUsage(SPECS, args);
  maybeHelpOrVersion(
    o,
    'This tool helps to read data from Kafka topics and outputs it to standard output.',
    KAFKA_VERSION,
  );
  const fileProps = o.has('consumer.config') ? loadProperties(o.value('consumer.config')!) : {};
  const props = { ...fileProps, ...keyValueArgs(o.values('consumer-property')) };
  const plan = planFrom(o, props);
  const { cluster, own } = await clientFor(
    o.value('bootstrap-server')!,
    props,
    CONSUMER_KEYS,
    'console-consumer',
    undefined,
    'consumer',
    plan.group,
  );
  let signal: NodeJS.Signals | null = null;
  let stopNow: () => void = () => undefined;
  const stop = new Promise<void>((resolve) => (stopNow = resolve));
  const onSignal = (s: NodeJS.Signals): void => {
    signal = s;
    stopNow();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let count = 0;
  let failed = false;
  try {
    count = await consume(cluster, plan, stop, {
      role: 'consumer',
      clientId: own['client.id'] ?? 'console-consumer',
      groupId: plan.group,
    });
  } catch (err) {
    failed = true;
    cliIo().stderr.write(
      `ERROR Unknown error when running consumer:  (org.apache.kafka.tools.consumer.ConsoleConsumer)\n${err instanceof Error ? err.message : String(err)}\n`,
    );
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    cluster.close();
  }
  cliIo().stderr.write(`Processed a total of ${count} messages\n`);
  if (failed) return 1;
  return signal === 'SIGINT' ? 130 : signal === 'SIGTERM' ? 143 : 0;
}
