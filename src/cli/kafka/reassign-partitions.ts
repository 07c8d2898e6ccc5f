/**
 * kafka-reassign-partitions.sh (Kafka 3.9's ReassignPartitionsCommand) over Gregor's client:
 * --generate (--topics-to-move-json-file, --broker-list, --disable-rack-aware), --execute
 * (--reassignment-json-file, --additional), --verify and --cancel (--preserve-throttles), --list,
 * --command-config; Kafka's JSON formats (reassign-json.ts), lines and exit codes (an error: its
 * line on stdout, exit 1). AlterPartitionReassignments and ListPartitionReassignments do the work.
 *
 * Refused, as Gregor implements no replication throttles and no moves between log dirs:
 * --throttle and --replica-alter-log-dirs-throttle (Kafka sets throttle configs the broker would
 * refuse), log_dirs other than "any" (AlterReplicaLogDirs); rack-aware --generate when the brokers
 * have racks (use --disable-rack-aware). --verify and --cancel still clear the throttle configs as
 * Kafka's do (deleting them is always accepted).
 */
import { readFileSync } from 'node:fs';
import type { Cluster } from '../../client/cluster.js';
import { describeClusterNodes } from '../../client/cluster-info.js';
import { KafkaClientError } from '../../client/errors.js';
import { alterReassignments, listReassignments, type OngoingReassignment } from '../../client/reassignments.js';
import { alterConfigs, RESOURCE_BROKER, RESOURCE_TOPIC } from '../../client/topics.js';
import { cliIo } from '../io.js';
import { clientFor, loadProperties } from './client-config.js';
import { JavaError } from './errors.js';
import { isAdminFailure, javaException, javaMessage } from './messages.js';
import {
  DEFAULT_OPTIONS,
  KafkaToolExit,
  maybeHelpOrVersion,
  parseOptionsOrUsage,
  usageExit,
  type OptionSpec,
  type ParsedOptions,
} from './options.js';
import {
  ADMIN_COMMAND_FAILED,
  ADMIN_OPERATION,
  assignReplicas,
  byTopicPartition,
  checkExecutable,
  parseReassignment,
  parseTopicsToMove,
  partitionName,
  reassignmentJson,
  type PartitionTarget,
} from './reassign-json.js';
import { KAFKA_VERSION } from './version.js';

const SPECS: readonly OptionSpec[] = [
  ...DEFAULT_OPTIONS,
  { name: 'verify', arg: 'none', help: 'Check whether the reassignment of --reassignment-json-file is done.' },
  { name: 'generate', arg: 'none', help: 'Propose a reassignment of --topics-to-move-json-file onto --broker-list.' },
  { name: 'execute', arg: 'none', help: 'Start the reassignment of --reassignment-json-file.' },
  { name: 'cancel', arg: 'none', help: 'Cancel the reassignments of --reassignment-json-file.' },
  { name: 'list', arg: 'none', help: 'List the reassignments in progress.' },
  {
    name: 'bootstrap-server',
    arg: 'required',
    help: 'REQUIRED: the brokers to connect to.',
    describedAs: 'Server(s) to use for bootstrapping',
  },
  {
    name: 'command-config',
    arg: 'required',
    help: 'Admin client settings (a properties file).',
    describedAs: 'Admin client property file',
  },
  {
    name: 'reassignment-json-file',
    arg: 'required',
    help: 'The reassignment, as --generate proposes it.',
    describedAs: 'manual assignment json file path',
  },
  {
    name: 'topics-to-move-json-file',
    arg: 'required',
    help: 'The topics whose partitions --generate reassigns: {"topics": [{"topic": "t"}], "version": 1}',
    describedAs: 'topics to reassign json file path',
  },
  {
    name: 'broker-list',
    arg: 'required',
    help: 'The brokers --generate spreads the partitions over: "0,1,2".',
    describedAs: 'brokerlist',
  },
  { name: 'disable-rack-aware', arg: 'none', help: 'Ignore the brokers racks in --generate.' },
  {
    name: 'throttle',
    arg: 'required',
    type: 'Long',
    help: 'A replication throttle in bytes/sec (Gregor has none: refused).',
    describedAs: 'throttle',
    defaultValue: '-1',
  },
  {
    name: 'replica-alter-log-dirs-throttle',
    arg: 'required',
    type: 'Long',
    help: 'A throttle of moves between log dirs in bytes/sec (Gregor has none: refused).',
    describedAs: 'replicaAlterLogDirsThrottle',
    defaultValue: '-1',
  },
  {
    name: 'timeout',
    arg: 'required',
    type: 'Long',
    help: 'How long to wait for log dir moves to begin, in ms.',
    describedAs: 'timeout',
    defaultValue: '10000',
  },
  { name: 'additional', arg: 'none', help: 'Execute even while other reassignments are in progress.' },
  { name: 'preserve-throttles', arg: 'none', help: 'Leave the broker and topic throttles as they are.' },
];

const ACTIONS = ['generate', 'execute', 'verify', 'cancel', 'list'];
const REQUIRED: Record<string, string[]> = {
  verify: ['reassignment-json-file'],
  generate: ['topics-to-move-json-file', 'broker-list'],
  execute: ['reassignment-json-file'],
  cancel: ['reassignment-json-file'],
  list: [],
};
const PERMITTED: Record<string, string[]> = {
  verify: ['bootstrap-server', 'command-config', 'preserve-throttles'],
  generate: ['bootstrap-server', 'broker-list', 'command-config', 'disable-rack-aware'],
  execute: [
    'additional',
    'bootstrap-server',
    'command-config',
    'throttle',
    'replica-alter-log-dirs-throttle',
    'timeout',
  ],
  cancel: ['bootstrap-server', 'command-config', 'preserve-throttles', 'timeout'],
  list: ['bootstrap-server', 'command-config'],
};
const BROKER_THROTTLES = [
  'leader.replication.throttled.rate',
  'follower.replication.throttled.rate',
  'replica.alter.log.dirs.io.max.bytes.per.second',
];
const TOPIC_THROTTLES = ['leader.replication.throttled.replicas', 'follower.replication.throttled.replicas'];

const EXISTING =
  'Cannot execute because there is an existing partition assignment.  Use --additional to override this and ' +
  'create a new partition assignment in addition to the existing one. The --additional flag can also be used ' +
  'to change the throttle by resubmitting the current reassignment.';

/** Kafka's TerseException: its message alone on stdout, exit 1. */
class TerseError extends Error {}

function actionOf(o: ParsedOptions): string {
  maybeHelpOrVersion(o, 'This tool helps to move topic partitions between replicas.', KAFKA_VERSION);
  const actions = ACTIONS.filter((a) => o.has(a));
  if (actions.length !== 1)
    throw usageExit(SPECS, `Command must include exactly one action: ${ACTIONS.map((a) => `--${a}`).join(', ')}`);
  const action = actions[0]!;
  if (!o.has('bootstrap-server')) throw usageExit(SPECS, 'Please specify --bootstrap-server');
  for (const name of REQUIRED[action]!)
    if (!o.has(name)) throw usageExit(SPECS, `Missing required argument "[${name}]"`);
  for (const spec of SPECS)
    if (o.has(spec.name) && spec.name !== action && !REQUIRED[action]!.includes(spec.name))
      if (!PERMITTED[action]!.includes(spec.name))
        throw usageExit(SPECS, `Option "[${spec.name}]" can't be used with action "[${action}]"`);
  return action;
}

function readJsonFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    const missing = err instanceof Error && 'code' in err && err.code === 'ENOENT';
    throw new JavaError(missing ? 'java.nio.file.NoSuchFileException' : 'java.io.IOException', path);
  }
}

/** The replicas of each partition of `topics`; a missing topic is Kafka's UnknownTopicOrPartitionException. */
async function currentReplicas(cluster: Cluster, topics: readonly string[]): Promise<Map<string, number[]>> {
  const out = new Map<string, number[]>();
  if (topics.length === 0) return out;
  const response = await cluster.withRetries('Metadata', () => cluster.metadata([...new Set(topics)]));
  for (const t of response.topics) {
    if (t.errorCode === 3 || t.errorCode === 100)
      throw new KafkaClientError(3, `topic ${t.name}`, `Topic ${t.name} not found.`);
    if (t.errorCode !== 0) throw new KafkaClientError(t.errorCode, `topic ${t.name}`);
    for (const p of t.partitions) out.set(`${t.name}-${p.partitionIndex}`, p.replicaNodes);
  }
  return out;
}

async function generate(cluster: Cluster, o: ParsedOptions): Promise<void> {
  const brokers = o
    .value('broker-list')!
    .split(',')
    .map((b) => {
      const id = Number(b);
      if (!/^-?\d+$/.test(b.trim()) || !Number.isInteger(id))
        throw new JavaError('java.lang.NumberFormatException', `For input string: "${b}"`);
      return id;
    });
  const twice = [...new Set(brokers.filter((b, i) => brokers.indexOf(b) !== i))];
  if (twice.length > 0)
    throw new JavaError(ADMIN_COMMAND_FAILED, `Broker list contains duplicate entries: [${twice.join(', ')}]`);
  const topics = parseTopicsToMove(readJsonFile(o.value('topics-to-move-json-file')!));
  const repeated = [...new Set(topics.filter((t, i) => topics.indexOf(t) !== i))];
  if (repeated.length > 0)
    throw new JavaError(
      ADMIN_COMMAND_FAILED,
      `List of topics to reassign contains duplicate entries: [${repeated.join(', ')}]`,
    );
  const current = await currentReplicas(cluster, topics);
  const live = (await describeClusterNodes(cluster)).filter((n) => brokers.includes(n.id));
  const racked = live.filter((n) => n.rack !== null).length;
  if (!o.has('disable-rack-aware') && racked !== 0 && racked !== live.length)
    throw new JavaError(
      ADMIN_OPERATION,
      'Not all brokers have rack information. Add --disable-rack-aware in command line to make replica assignment without rack information.',
    );
  if (!o.has('disable-rack-aware') && racked > 0)
    throw new KafkaToolExit(
      1,
      "Gregor's kafka-reassign-partitions does not implement rack-aware assignment: add --disable-rack-aware",
    );
  const currentList = [...current].map(([name, replicas]) => {
    const cut = name.lastIndexOf('-');
    return { topic: name.slice(0, cut), partition: Number(name.slice(cut + 1)), replicas };
  });
  const proposed = [...new Set(topics)].flatMap((topic) => {
    const parts = currentList.filter((p) => p.topic === topic).sort(byTopicPartition);
    const replicationFactor = parts[0]?.replicas.length ?? 0;
    return assignReplicas(
      live.map((n) => n.id),
      parts.length,
      replicationFactor,
    ).map((replicas, partition) => ({ topic, partition, replicas }));
  });
  cliIo().stdout.write(
    `Current partition replica assignment\n${reassignmentJson(currentList)}\n\n` +
      `Proposed partition reassignment configuration\n${reassignmentJson(proposed)}\n`,
  );
}

function refuseWhatGregorLacks(o: ParsedOptions, targets: readonly PartitionTarget[]): void {
  for (const option of ['throttle', 'replica-alter-log-dirs-throttle'])
    if (Number(o.value(option)) >= 0)
      throw new KafkaToolExit(
        1,
        `Gregor does not implement replication throttles: --${option} cannot be honoured (the replicas move at full speed); run without it`,
      );
  const placed = targets.find((t) => t.logDirs.some((d) => d !== 'any'));
  if (placed)
    throw new KafkaToolExit(
      1,
      `Gregor does not move replicas between log dirs (AlterReplicaLogDirs): partition ${partitionName(placed)} names log_dirs ${JSON.stringify(placed.logDirs)}; use "any"`,
    );
}

async function execute(cluster: Cluster, o: ParsedOptions): Promise<void> {
  const targets = parseReassignment(readJsonFile(o.value('reassignment-json-file')!));
  checkExecutable(targets);
  refuseWhatGregorLacks(o, targets);
  const ongoing = await listReassignments(cluster, null);
  if (!o.has('additional') && ongoing.length > 0) throw new TerseError(EXISTING);
  const nodes = new Set((await describeClusterNodes(cluster)).map((n) => n.id));
  const unknown = targets.flatMap((t) => t.replicas).find((r) => !nodes.has(r));
  if (unknown !== undefined) throw new JavaError(ADMIN_COMMAND_FAILED, `Unknown broker id ${unknown}`);
  const current = await currentReplicas(
    cluster,
    targets.map((t) => t.topic),
  );
  const missing = targets.filter((t) => !current.has(partitionName(t)));
  if (missing.length > 0)
    throw new KafkaClientError(3, 'reassignment', `Unable to find partition: ${missing.map(partitionName).join(', ')}`);
  const before = targets.map((t) => ({
    topic: t.topic,
    partition: t.partition,
    replicas: current.get(partitionName(t))!,
  }));
  const out = cliIo().stdout;
  out.write(
    `Current partition replica assignment\n\n${reassignmentJson(before)}\n\n` +
      'Save this to use as the --reassignment-json-file option during rollback\n',
  );
  const errors = await alterReassignments(cluster, targets);
  if (errors.size > 0)
    throw new TerseError(
      `Error reassigning partition(s):\n${[...errors]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([name, err]) => `${name}: ${javaMessage(err)}`)
        .join('\n')}`,
    );
  const names = [...targets].sort(byTopicPartition).map(partitionName);
  out.write(`Successfully started partition reassignment${names.length === 1 ? '' : 's'} for ${names.join(',')}\n`);
}

/** clearAllThrottles: the throttle configs deleted from every broker and from the topics. */
async function clearThrottles(cluster: Cluster, targets: readonly PartitionTarget[]): Promise<void> {
  const brokers = new Set((await describeClusterNodes(cluster)).map((n) => n.id));
  for (const t of targets) for (const r of t.replicas) brokers.add(r);
  const ids = [...brokers].sort((a, b) => a - b);
  const out = cliIo().stdout;
  out.write(`Clearing broker-level throttles on broker${ids.length === 1 ? '' : 's'} ${ids.join(',')}\n`);
  for (const id of ids)
    await alterConfigs(
      cluster,
      RESOURCE_BROKER,
      String(id),
      Object.fromEntries(BROKER_THROTTLES.map((k) => [k, null])),
    );
  const topics = [...new Set(targets.map((t) => t.topic))].sort();
  out.write(`Clearing topic-level throttles on topic${topics.length === 1 ? '' : 's'} ${topics.join(',')}\n`);
  for (const topic of topics)
    await alterConfigs(cluster, RESOURCE_TOPIC, topic, Object.fromEntries(TOPIC_THROTTLES.map((k) => [k, null])));
}

async function verify(cluster: Cluster, o: ParsedOptions): Promise<void> {
  const targets = parseReassignment(readJsonFile(o.value('reassignment-json-file')!));
  refuseWhatGregorLacks(o, targets);
  const ongoing = new Map((await listReassignments(cluster, null)).map((r) => [partitionName(r), r]));
  const settled = targets.filter((t) => !ongoing.has(partitionName(t)));
  const topics = [...new Set(settled.map((t) => t.topic))];
  const current = new Map<string, number[]>();
  for (const topic of topics) {
    try {
      for (const [name, replicas] of await currentReplicas(cluster, [topic])) current.set(name, replicas);
    } catch (err) {
      if (!(err instanceof KafkaClientError && err.code === 3)) throw err;
    }
  }
  const lines = ['Status of partition reassignment:'];
  for (const t of [...new Map(targets.map((t) => [partitionName(t), t])).values()].sort(byTopicPartition)) {
    const name = partitionName(t);
    if (ongoing.has(name)) {
      lines.push(`Reassignment of partition ${name} is still in progress.`);
      continue;
    }
    const now = current.get(name) ?? [];
    if (now.join(',') === t.replicas.join(',')) lines.push(`Reassignment of partition ${name} is completed.`);
    else
      lines.push(
        `There is no active reassignment of partition ${name}, but replica set is ${now.join(',')} rather than ${t.replicas.join(',')}.`,
      );
  }
  // Then the log dir moves, none here: Kafka prints their (empty) report as an empty line.
  cliIo().stdout.write(`${lines.join('\n')}\n\n`);
  if (ongoing.size === 0 && !o.has('preserve-throttles')) await clearThrottles(cluster, targets);
}

async function cancel(cluster: Cluster, o: ParsedOptions): Promise<void> {
  const targets = parseReassignment(readJsonFile(o.value('reassignment-json-file')!));
  refuseWhatGregorLacks(o, targets);
  const listed = await listReassignments(cluster, targets);
  // Kafka cancels those that remove replicas, or only reorder them.
  const active = listed
    .filter((r: OngoingReassignment) => r.addingReplicas.length === 0 || r.removingReplicas.length > 0)
    .sort(byTopicPartition);
  const out = cliIo().stdout;
  if (active.length > 0) {
    const errors = await alterReassignments(
      cluster,
      active.map((r) => ({ topic: r.topic, partition: r.partition, replicas: null })),
    );
    if (errors.size > 0)
      throw new TerseError(
        `Error cancelling partition reassignment${errors.size === 1 ? '' : 's'} for:\n${[...errors]
          .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
          .map(([name, err]) => `${name}: ${javaMessage(err)}`)
          .join('\n')}`,
      );
    out.write(
      `Successfully cancelled partition reassignment${active.length === 1 ? '' : 's'} for: ${active.map(partitionName).join(',')}\n`,
    );
  } else out.write('None of the specified partition reassignments are active.\n');
  // Kafka prints this one without a line end: the next line follows on it.
  out.write('None of the specified partition moves are active.');
  if (!o.has('preserve-throttles')) await clearThrottles(cluster, targets);
}

async function list(cluster: Cluster): Promise<void> {
  const ongoing = (await listReassignments(cluster, null)).sort(byTopicPartition);
  const text = ongoing
    .map(
      (r) =>
        `${partitionName(r)}: replicas: ${r.replicas.join(',')}.` +
        (r.addingReplicas.length > 0 ? ` adding: ${r.addingReplicas.join(',')}.` : '') +
        (r.removingReplicas.length > 0 ? ` removing: ${r.removingReplicas.join(',')}.` : ''),
    )
    .join('\n');
  cliIo().stdout.write(
    text === '' ? 'No partition reassignments found.\n' : `Current partition reassignments:\n${text}\n`,
  );
}

export async function kafkaReassignPartitions(args: readonly string[]): Promise<number> {
  const o = parseOptionsOrUsage(SPECS, args);
  const action = actionOf(o);
  const props = o.has('command-config') ? loadProperties(o.value('command-config')!) : {};
  const { cluster } = await clientFor(o.value('bootstrap-server')!, props, [], 'reassign-partitions-tool');
  const out = cliIo().stdout;
  try {
    if (action === 'generate') await generate(cluster, o);
    else if (action === 'execute') await execute(cluster, o);
    else if (action === 'verify') await verify(cluster, o);
    else if (action === 'cancel') await cancel(cluster, o);
    else await list(cluster);
    return 0;
  } catch (err) {
    if (err instanceof KafkaToolExit) throw err;
    if (err instanceof TerseError) {
      out.write(`${err.message}\n`);
      return 1;
    }
    // "Error: " and the message, then the stack trace, whose first line is the exception.
    const thrown = isAdminFailure(err)
      ? { message: javaException(err), line: `java.util.concurrent.ExecutionException: ${javaException(err)}` }
      : { message: javaMessage(err), line: javaException(err) };
    out.write(`Error: ${thrown.message}\n${thrown.line}\n`);
    return 1;
  } finally {
    cluster.close();
  }
}
