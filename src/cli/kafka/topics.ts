/**
 * kafka-topics.sh (Kafka 3.9's TopicCommand) over Gregor's client: --create (--partitions,
 * --replication-factor, --config, --replica-assignment, --if-not-exists), --list
 * (--exclude-internal), --describe (--topic as a regular expression, the report filters
 * --under-replicated-partitions, --under-min-isr-partitions, --at-min-isr-partitions,
 * --unavailable-partitions, --topics-with-overrides), --alter --partitions, --delete, with
 * --command-config; --describe --topic-id finds the topic by id among the listed ones. Output,
 * messages and exit codes are TopicCommand's. Left out: the partition reassignments shown while
 * one is in progress (Gregor never has one in progress).
 */
import type { Cluster } from '../../client/cluster.js';
import { describeClusterNodes } from '../../client/cluster-info.js';
import {
  addPartitions,
  createTopic,
  deleteTopic,
  describeConfigs,
  listTopics,
  RESOURCE_TOPIC,
} from '../../client/topics.js';
import { describeTopicPartitions, type PartitionInfo } from '../../client/topic-partitions.js';
import { KafkaClientError } from '../../client/errors.js';
import { cliIo } from '../io.js';
import { clientFor, loadProperties } from './client-config.js';
import { javaMessage, log4jErrorLine } from './messages.js';
import {
  DEFAULT_OPTIONS,
  KafkaOptionError,
  KafkaToolExit,
  maybeHelpOrVersion,
  parseOptions,
  refuseWith,
  requireOptions,
  usageExit,
  type OptionSpec,
  type ParsedOptions,
} from './options.js';
import { JavaError, illegalArgument, mainFailure } from './errors.js';
import { includeListMatcher, isInternalTopic } from './topic-filter.js';
import { KAFKA_VERSION } from './version.js';

const REPORTS = [
  'under-replicated-partitions',
  'under-min-isr-partitions',
  'at-min-isr-partitions',
  'unavailable-partitions',
];
const ACTIONS = ['create', 'list', 'alter', 'describe', 'delete'];

const SPECS: readonly OptionSpec[] = [
  ...DEFAULT_OPTIONS,
  {
    name: 'bootstrap-server',
    arg: 'required',
    help: 'REQUIRED: The Kafka server to connect to.',
    describedAs: 'server to connect to',
  },
  {
    name: 'command-config',
    arg: 'required',
    help: 'Property file containing configs to be passed to Admin Client.',
    describedAs: 'command config property file',
  },
  { name: 'list', arg: 'none', help: 'List all available topics.' },
  { name: 'create', arg: 'none', help: 'Create a new topic.' },
  { name: 'delete', arg: 'none', help: 'Delete a topic' },
  { name: 'alter', arg: 'none', help: 'Alter the number of partitions and replica assignment.' },
  { name: 'describe', arg: 'none', help: 'List details for the given topics.' },
  {
    name: 'topic',
    arg: 'required',
    help: 'The topic to create, alter, describe or delete. It also accepts a regular expression, except for --create option.',
    describedAs: 'topic',
  },
  { name: 'topic-id', arg: 'required', help: 'The topic-id to describe.', describedAs: 'topic-id' },
  {
    name: 'config',
    arg: 'required',
    help: 'A topic configuration override for the topic being created.',
    describedAs: 'name=value',
  },
  {
    name: 'delete-config',
    arg: 'required',
    help: 'A topic configuration override to be removed for an existing topic. Not supported with the --bootstrap-server option.',
    describedAs: 'name',
  },
  {
    name: 'partitions',
    arg: 'required',
    type: 'Integer',
    help: 'The number of partitions for the topic being created or altered. If not supplied for create, defaults to the cluster default.',
    describedAs: '# of partitions',
  },
  {
    name: 'replication-factor',
    arg: 'required',
    type: 'Integer',
    help: 'The replication factor for each partition in the topic being created. If not supplied, defaults to the cluster default.',
    describedAs: 'replication factor',
  },
  {
    name: 'replica-assignment',
    arg: 'required',
    help: 'A list of manual partition-to-broker assignments for the topic being created or altered.',
    describedAs:
      'broker_id_for_part1_replica1 : broker_id_for_part1_replica2 , broker_id_for_part2_replica1 : broker_id_for_part2_replica2 , ...',
  },
  {
    name: 'under-replicated-partitions',
    arg: 'none',
    help: 'if set when describing topics, only show under replicated partitions',
  },
  {
    name: 'unavailable-partitions',
    arg: 'none',
    help: 'if set when describing topics, only show partitions whose leader is not available',
  },
  {
    name: 'under-min-isr-partitions',
    arg: 'none',
    help: 'if set when describing topics, only show partitions whose isr count is less than the configured minimum.',
  },
  {
    name: 'at-min-isr-partitions',
    arg: 'none',
    help: 'if set when describing topics, only show partitions whose isr count is equal to the configured minimum.',
  },
  {
    name: 'topics-with-overrides',
    arg: 'none',
    help: 'if set when describing topics, only show topics that have overridden configs',
  },
  {
    name: 'if-exists',
    arg: 'none',
    help: 'if set when altering or deleting or describing topics, the action will only execute if the topic exists.',
  },
  {
    name: 'if-not-exists',
    arg: 'none',
    help: 'if set when creating topics, the action will only execute if the topic does not already exist.',
  },
  {
    name: 'exclude-internal',
    arg: 'none',
    help: 'exclude internal topics when running list or describe command. The internal topics will be listed by default',
  },
  {
    name: 'partition-size-limit-per-response',
    arg: 'required',
    type: 'Integer',
    help: 'the maximum partition size to be included in one DescribeTopicPartitions response.',
    describedAs: 'maximum number of partitions in one response.',
  },
];

/** TopicCommandOptions' checks, in its order. */
function checkArgs(o: ParsedOptions): void {
  if (o.argCount === 0) throw usageExit(SPECS, 'Create, delete, describe, or change a topic.');
  maybeHelpOrVersion(o, 'This tool helps to create, delete, describe, or change a topic.', KAFKA_VERSION);
  if (ACTIONS.filter((a) => o.has(a)).length !== 1)
    throw usageExit(
      SPECS,
      'Command must include exactly one action: --list, --describe, --create, --alter or --delete',
    );
  if (!o.has('bootstrap-server')) throw mainFailure(illegalArgument('--bootstrap-server must be specified'));
  if (o.has('describe') && o.has('if-exists') && !o.has('topic') && !o.has('topic-id'))
    throw usageExit(SPECS, '--topic or --topic-id is required to describe a topic');
  if (!o.has('list') && !o.has('describe')) requireOptions(o, 'topic');
  if (o.has('alter')) {
    if (o.has('config'))
      throw usageExit(
        SPECS,
        'Option combination "[bootstrap-server, config]" can\'t be used with option "[alter]" (the kafka-configs CLI supports altering topic configs with a --bootstrap-server option)',
      );
    requireOptions(o, 'partitions');
  }
  const others = (keep: string[], add: string[] = []): string[] => [
    ...ACTIONS.filter((a) => !keep.includes(a)),
    ...add,
  ];
  refuseWith(o, 'config', others(['alter', 'create']));
  refuseWith(o, 'delete-config', others(['alter'], ['bootstrap-server']));
  refuseWith(o, 'partitions', others(['alter', 'create']));
  refuseWith(o, 'replication-factor', others(['create']));
  refuseWith(o, 'replica-assignment', others(['alter', 'create']));
  if (o.has('create')) refuseWith(o, 'replica-assignment', ['partitions', 'replication-factor']);
  for (const report of REPORTS) refuseWith(o, report, [...others(['describe']), 'topics-with-overrides']);
  refuseWith(o, 'topics-with-overrides', [...others(['describe']), ...REPORTS]);
  refuseWith(o, 'if-exists', others(['alter', 'delete', 'describe']));
  refuseWith(o, 'if-not-exists', others(['create']));
  refuseWith(o, 'exclude-internal', others(['list', 'describe']));
}

/** TopicCommand.parseReplicaAssignment: "0:1,1:2" → [[0, 1], [1, 2]]. */
export function parseReplicaAssignment(text: string): number[][] {
  const partitions = text.split(',').map((p) => p.split(':').map((id) => Number(id.trim())));
  partitions.forEach((replicas, i) => {
    if (replicas.some((id) => !Number.isInteger(id)))
      throw new JavaError('java.lang.NumberFormatException', `For input string: "${text}"`);
    const duplicates = replicas.filter((id, j) => replicas.indexOf(id) !== j);
    if (duplicates.length > 0)
      throw new JavaError(
        'org.apache.kafka.server.common.AdminCommandFailedException',
        `Partition replica lists may not contain duplicate entries: ${duplicates.join(',')}`,
      );
    if (i > 0 && replicas.length !== partitions[0]!.length)
      throw new JavaError(
        'org.apache.kafka.server.common.AdminOperationException',
        `Partition ${i} has different replication factor: ${replicas.join(',')}`,
      );
  });
  return partitions;
}

function topicConfigs(o: ParsedOptions): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of o.values('config')) {
    const parts = kv.split(/\s*=\s*/);
    if (parts.length !== 2)
      throw illegalArgument(
        'requirement failed: Invalid topic config: all configs to be added must be in the format "key=val".',
      );
    out[parts[0]!] = parts[1]!;
  }
  return out;
}

async function matchingTopics(cluster: Cluster, o: ParsedOptions): Promise<string[]> {
  const excludeInternal = o.has('exclude-internal');
  const all = (await listTopics(cluster, true)).map((t) => t.name).sort();
  const pattern = o.value('topic');
  const matches = pattern === undefined ? () => true : includeListMatcher(pattern);
  return all.filter((t) => matches(t) && !(excludeInternal && isInternalTopic(t)));
}

/** ensureTopicExists, with 3.9's message (it formats the Optional, "Optional[name]"). */
function ensureFound(found: string[], o: ParsedOptions): void {
  const wanted = o.value('topic');
  if (wanted !== undefined && wanted !== '' && !o.has('if-exists') && found.length === 0)
    throw illegalArgument(`Topic 'Optional[${wanted}]' does not exist as expected`);
}

async function create(cluster: Cluster, o: ParsedOptions): Promise<void> {
  const name = o.value('topic')!;
  const out = cliIo().stdout;
  if (name.includes('.') || name.includes('_'))
    out.write(
      "WARNING: Due to limitations in metric names, topics with a period ('.') or underscore ('_') could collide. To avoid issues it is best to use either, but not both.\n",
    );
  const rf = o.integer('replication-factor');
  const partitions = o.integer('partitions');
  if (rf !== undefined && (rf > 32767 || rf < 1))
    throw illegalArgument('The replication factor must be between 1 and 32767 inclusive');
  if (partitions !== undefined && partitions < 1) throw illegalArgument('The partitions must be greater than 0');
  const assignmentText = o.value('replica-assignment');
  const assignments = assignmentText ? parseReplicaAssignment(assignmentText) : undefined;
  try {
    await createTopic(cluster, name, {
      partitions: assignments ? -1 : (partitions ?? -1),
      replicationFactor: assignments ? -1 : (rf ?? -1),
      configs: topicConfigs(o),
      ...(assignments ? { assignments } : {}),
    });
    out.write(`Created topic ${name}.\n`);
  } catch (err) {
    if (err instanceof KafkaClientError && err.errorName === 'TOPIC_ALREADY_EXISTS' && o.has('if-not-exists')) return;
    throw err;
  }
}

async function alter(cluster: Cluster, o: ParsedOptions): Promise<void> {
  const topics = await matchingTopics(cluster, o);
  ensureFound(topics, o);
  const total = o.integer('partitions')!;
  const assignmentText = o.value('replica-assignment');
  const assignments = assignmentText ? parseReplicaAssignment(assignmentText) : null;
  const described = assignments ? await describeTopicPartitions(cluster, topics) : [];
  for (const topic of topics) {
    const existing = described.find((d) => d.name === topic)?.partitions.length ?? 0;
    await addPartitions(cluster, topic, total, assignments ? assignments.slice(existing) : null);
  }
}

function ids(list: number[]): string {
  return list.join(',');
}

const ZERO_TOPIC_ID = 'AAAAAAAAAAAAAAAAAAAAAA';

/** Java's Uuid.fromString checks, with its messages (a base64url text of 16 bytes). */
function checkTopicId(text: string): void {
  if (text.length > 24)
    throw new Error(`Input string with prefix \`${text.slice(0, 24)}\` is too long to be decoded as a base64 UUID`);
  const illegal = [...text].find((c) => !/[A-Za-z0-9_=-]/.test(c));
  if (illegal !== undefined) throw new Error(`Illegal base64 character ${illegal.charCodeAt(0).toString(16)}`);
  const bytes = Buffer.from(text, 'base64url').length;
  if (bytes !== 16)
    throw new Error(
      `Input string \`${text}\` decoded as ${bytes} bytes, which is not equal to the expected 16 bytes of a base64-encoded UUID`,
    );
}

/**
 * --describe --topic-id: the topic with that id (a zero id means "use --topic", as in Kafka);
 * none is TopicCommand's "does not exist as expected" unless --if-exists.
 */
async function topicsById(cluster: Cluster, o: ParsedOptions): Promise<string[] | null> {
  const id = o.value('topic-id');
  if (id === undefined) return null;
  checkTopicId(id);
  if (id === ZERO_TOPIC_ID) return null;
  const found = (await listTopics(cluster, !o.has('exclude-internal'))).filter((t) => t.topicId === id);
  if (found.length === 0 && !o.has('if-exists')) throw illegalArgument(`TopicId '${id}' does not exist as expected`);
  return found.map((t) => t.name);
}

async function describe(cluster: Cluster, o: ParsedOptions): Promise<void> {
  if (o.has('if-exists') && o.has('topic') && o.has('topic-id'))
    cliIo().stdout.write(
      'Only topic id will be used when both --topic and --topic-id are specified and topicId is not Uuid.ZERO_UUID\n',
    );
  const byId = await topicsById(cluster, o);
  const topics = byId ?? (await matchingTopics(cluster, o));
  if (byId === null) ensureFound(topics, o);
  const descriptions = await describeTopicPartitions(cluster, topics);
  const configs = new Map<string, Awaited<ReturnType<typeof describeConfigs>>>();
  for (const d of descriptions) configs.set(d.name, await describeConfigs(cluster, RESOURCE_TOPIC, d.name));
  const live = new Set((await describeClusterNodes(cluster)).map((b) => b.id));
  const reportAny = REPORTS.some((r) => o.has(r));
  const out = cliIo().stdout;
  for (const d of descriptions) {
    const entries = configs.get(d.name) ?? [];
    const overridden = entries.filter((e) => e.source !== 'DEFAULT_CONFIG');
    const minIsr = Number(entries.find((e) => e.name === 'min.insync.replicas')?.value ?? '1');
    if (!reportAny && (!o.has('topics-with-overrides') || overridden.length > 0)) {
      const first = d.partitions[0];
      out.write(
        `Topic: ${d.name}${d.topicId !== 'AAAAAAAAAAAAAAAAAAAAAA' ? `\tTopicId: ${d.topicId}` : ''}` +
          `\tPartitionCount: ${d.partitions.length}\tReplicationFactor: ${first?.replicas.length ?? 0}` +
          `\tConfigs: ${overridden.map((e) => `${e.name}=${e.value ?? 'null'}`).join(',')}\n`,
      );
    }
    if (o.has('topics-with-overrides')) continue;
    for (const p of d.partitions) {
      const hasLeader = p.leader >= 0;
      const show =
        !reportAny ||
        (o.has('under-replicated-partitions') && p.replicas.length - p.isr.length > 0) ||
        (o.has('unavailable-partitions') && (!hasLeader || !live.has(p.leader))) ||
        (o.has('under-min-isr-partitions') && (!hasLeader || p.isr.length < minIsr)) ||
        (o.has('at-min-isr-partitions') && p.isr.length === minIsr);
      if (show) out.write(partitionLine(d.name, p));
    }
  }
}

/** PartitionDescription.printDescription. */
function partitionLine(topic: string, p: PartitionInfo): string {
  return (
    `\tTopic: ${topic}\tPartition: ${p.partition}\tLeader: ${p.leader >= 0 ? p.leader : 'none'}` +
    `\tReplicas: ${ids(p.replicas)}\tIsr: ${ids(p.isr)}` +
    `\tElr: ${p.elr === null ? 'N/A' : ids(p.elr)}\tLastKnownElr: ${p.lastKnownElr === null ? 'N/A' : ids(p.lastKnownElr)}\n`
  );
}

async function run(cluster: Cluster, o: ParsedOptions): Promise<void> {
  if (o.has('create')) await create(cluster, o);
  else if (o.has('alter')) await alter(cluster, o);
  else if (o.has('list')) {
    const topics = await matchingTopics(cluster, o);
    cliIo().stdout.write(`${topics.join('\n')}\n`);
  } else if (o.has('describe')) await describe(cluster, o);
  else {
    const topics = await matchingTopics(cluster, o);
    ensureFound(topics, o);
    for (const topic of topics) await deleteTopic(cluster, topic);
  }
}

/** joptsimple's exception for each of its messages. */
const JOPT_EXCEPTIONS: ReadonlyArray<[RegExp, string]> = [
  [/ is not a recognized option$/, 'joptsimple.UnrecognizedOptionException'],
  [/^Cannot parse argument /, 'joptsimple.OptionArgumentConversionException'],
  [/ requires an argument$/, 'joptsimple.OptionMissingRequiredArgumentException'],
];

export async function kafkaTopics(args: readonly string[]): Promise<number> {
  let o: ParsedOptions;
  try {
    o = parseOptions(SPECS, args);
    checkArgs(o);
  } catch (err) {
    // TopicCommand's main prints an option error's message (and its stack) on stderr, exit 1.
    if (err instanceof KafkaOptionError) {
      const javaClass = JOPT_EXCEPTIONS.find(([pattern]) => pattern.test(err.message))?.[1];
      throw javaClass ? mainFailure(new JavaError(javaClass, err.message)) : new KafkaToolExit(1, err.message);
    }
    throw err;
  }
  const props = o.has('command-config') ? loadProperties(o.value('command-config')!) : {};
  const { cluster } = await clientFor(o.value('bootstrap-server')!, props, [], 'adminclient-1');
  try {
    await run(cluster, o);
    return 0;
  } catch (err) {
    if (err instanceof KafkaToolExit) throw err;
    cliIo().stdout.write(`Error while executing topic command : ${javaMessage(err)}\n`);
    cliIo().stderr.write(log4jErrorLine(err, 'org.apache.kafka.tools.TopicCommand'));
    return 1;
  } finally {
    cluster.close();
  }
}
