/**
 * kafka-consumer-groups.sh (Kafka 3.9's ConsumerGroupCommand) over Gregor's client: --list
 * (--state [states], --type), --describe (--group or --all-groups; the offsets table, --members
 * [--verbose], --state), --delete, --reset-offsets (--topic topic[:partitions] or --all-topics;
 * --to-earliest, --to-latest, --to-offset, --shift-by, --to-datetime, --by-duration, --to-current,
 * --from-file; a dry run unless --execute; --export prints the plan as CSV, reset-plan.ts),
 * --delete-offsets. Columns, messages and exit codes are the tool's. Classic groups only, as
 * Gregor's client describes them (DescribeGroups).
 */
import { readFileSync } from 'node:fs';
import type { Cluster } from '../../client/cluster.js';
import { KafkaClientError } from '../../client/errors.js';
import { commitOffsets, fetchCommittedOffsets } from '../../client/group-offsets.js';
import {
  deleteGroup,
  deleteGroupOffsets,
  describeGroup,
  listGroups,
  resetOffsets,
  type GroupDescription,
  type GroupListing,
  type PlannedReset,
  type ResetTarget,
} from '../../client/groups.js';
import { cliIo } from '../io.js';
import { clientFor, loadProperties } from './client-config.js';
import { JavaError } from './errors.js';
import { isAdminFailure, javaException, javaMessage, log4jDate } from './messages.js';
import {
  DEFAULT_OPTIONS,
  KafkaToolExit,
  maybeHelpOrVersion,
  parseOptionsOrUsage,
  refuseWith,
  requireOptions,
  usageExit,
  type OptionSpec,
  type ParsedOptions,
} from './options.js';
import { KAFKA_VERSION } from './version.js';
import {
  DURATION_PARSE_ERROR,
  exportCsv,
  parseJavaDuration,
  parseResetPlan,
  type PlannedOffset,
} from './reset-plan.js';

const SCENARIOS = [
  'to-offset',
  'to-datetime',
  'by-duration',
  'to-earliest',
  'to-latest',
  'to-current',
  'shift-by',
  'from-file',
];
const ACTIONS = ['list', 'describe', 'delete', 'reset-offsets', 'delete-offsets'];

const SPECS: readonly OptionSpec[] = [
  ...DEFAULT_OPTIONS,
  {
    name: 'bootstrap-server',
    arg: 'required',
    help: 'REQUIRED: The server(s) to connect to.',
    describedAs: 'server to connect to',
  },
  { name: 'group', arg: 'required', help: 'The consumer group we wish to act on.', describedAs: 'consumer group' },
  {
    name: 'topic',
    arg: 'required',
    help: 'The topic whose consumer group information should be deleted or topic whose should be included in the reset offset process.',
    describedAs: 'topic',
  },
  { name: 'all-topics', arg: 'none', help: 'Consider all topics assigned to a group in the `reset-offsets` process.' },
  { name: 'list', arg: 'none', help: 'List all consumer groups.' },
  {
    name: 'describe',
    arg: 'none',
    help: 'Describe consumer group and list offset lag (number of messages not yet processed) related to given group.',
  },
  { name: 'all-groups', arg: 'none', help: 'Apply to all consumer groups.' },
  {
    name: 'delete',
    arg: 'none',
    help: 'Pass in groups to delete topic partition offsets and ownership information over the entire consumer group.',
  },
  {
    name: 'timeout',
    arg: 'required',
    type: 'Long',
    help: 'The timeout that can be set for some use cases.',
    describedAs: 'timeout (ms)',
    defaultValue: '5000',
  },
  {
    name: 'command-config',
    arg: 'required',
    help: 'Property file containing configs to be passed to Admin Client and Consumer.',
    describedAs: 'command config property file',
  },
  {
    name: 'reset-offsets',
    arg: 'none',
    help: 'Reset offsets of consumer group. Supports one consumer group at the time, and instances should be inactive.',
  },
  {
    name: 'delete-offsets',
    arg: 'none',
    help: 'Delete offsets of consumer group. Supports one consumer group at the time, and multiple topics.',
  },
  {
    name: 'dry-run',
    arg: 'none',
    help: 'Only show results without executing changes on Consumer Groups. Supported operations: reset-offsets.',
  },
  { name: 'execute', arg: 'none', help: 'Execute operation. Supported operations: reset-offsets.' },
  {
    name: 'export',
    arg: 'none',
    help: 'Export operation execution to a CSV file. Supported operations: reset-offsets.',
  },
  {
    name: 'to-offset',
    arg: 'required',
    type: 'Long',
    help: 'Reset offsets to a specific offset.',
    describedAs: 'offset',
  },
  {
    name: 'from-file',
    arg: 'required',
    help: 'Reset offsets to values defined in CSV file.',
    describedAs: 'path to CSV file',
  },
  {
    name: 'to-datetime',
    arg: 'required',
    help: "Reset offsets to offset from datetime. Format: 'YYYY-MM-DDTHH:mm:SS.sss'",
    describedAs: 'datetime',
  },
  {
    name: 'by-duration',
    arg: 'required',
    help: "Reset offsets to offset by duration from current timestamp. Format: 'PnDTnHnMnS'",
    describedAs: 'duration',
  },
  { name: 'to-earliest', arg: 'none', help: 'Reset offsets to earliest offset.' },
  { name: 'to-latest', arg: 'none', help: 'Reset offsets to latest offset.' },
  { name: 'to-current', arg: 'none', help: 'Reset offsets to current offset.' },
  {
    name: 'shift-by',
    arg: 'required',
    type: 'Long',
    help: "Reset offsets shifting current offset by 'n', where 'n' can be positive or negative.",
    describedAs: 'number-of-offsets',
  },
  {
    name: 'members',
    arg: 'none',
    help: "Describe members of the group. This option may be used with '--describe' and '--bootstrap-server' options only.",
  },
  { name: 'verbose', arg: 'none', help: 'Provide additional information, if any, when describing the group.' },
  {
    name: 'offsets',
    arg: 'none',
    help: 'Describe the group and list all topic partitions in the group along with their offset lag.',
  },
  {
    name: 'state',
    arg: 'optional',
    help: "When specified with '--describe', includes the state of the group. When specified with '--list', it displays the state of all groups.",
    describedAs: 'String',
  },
  {
    name: 'type',
    arg: 'optional',
    help: "When specified with '--list', it displays the types of all the groups.",
    describedAs: 'String',
  },
];

function checkArgs(o: ParsedOptions): void {
  maybeHelpOrVersion(
    o,
    'This tool helps to list all consumer groups, describe a consumer group, delete consumer group info, or reset consumer group offsets.',
    KAFKA_VERSION,
  );
  requireOptions(o, 'bootstrap-server');
  const groupScope = o.has('group') || o.has('all-groups');
  if (o.has('describe')) {
    if (!groupScope) throw usageExit(SPECS, 'Option [describe] takes one of these options: [all-groups], [group]');
    if (['members', 'offsets', 'state'].filter((x) => o.has(x)).length > 1)
      throw usageExit(SPECS, 'Option [describe] takes at most one of these options: [members], [offsets], [state]');
    if (o.has('state') && o.value('state') !== undefined)
      throw usageExit(SPECS, 'Option [describe] does not take a value for [state]');
  }
  if (o.has('delete')) {
    if (!groupScope) throw usageExit(SPECS, 'Option [delete] takes one of these options: [all-groups], [group]');
    if (o.has('topic'))
      throw usageExit(SPECS, 'The consumer does not support topic-specific offset deletion from a consumer group.');
  }
  if (o.has('delete-offsets') && (!o.has('group') || !o.has('topic')))
    throw usageExit(SPECS, 'Option [delete-offsets] takes the following options: [all-groups], [group]');
  if (o.has('reset-offsets')) {
    if (o.has('dry-run') && o.has('execute'))
      throw usageExit(SPECS, 'Option [reset-offsets] only accepts one of [execute] and [dry-run]');
    if (!o.has('dry-run') && !o.has('execute'))
      cliIo().stderr.write(
        'WARN: No action will be performed as the --execute option is missing.In a future major release, the default behavior of this command will be to prompt the user before executing the reset rather than doing a dry run. You should add the --dry-run option explicitly if you are scripting this command and want to keep the current default behavior without prompting.\n',
      );
    if (!groupScope) throw usageExit(SPECS, 'Option [reset-offsets] takes one of these options: [all-groups], [group]');
    for (const s of SCENARIOS)
      refuseWith(
        o,
        s,
        SCENARIOS.filter((x) => x !== s),
      );
  }
  refuseWith(o, 'group', ['all-groups']);
}

function missing(value: string | number | bigint | null | undefined): string {
  return value === null || value === undefined || value === '' ? '-' : String(value);
}

/** shouldPrintMemberState: the messages for a group that is absent, empty or rebalancing. */
function printableState(groupId: string, d: GroupDescription | null, rows: number): boolean {
  const out = cliIo();
  if (d === null || d.state === 'Dead') {
    out.stdout.write(`\nError: Consumer group '${groupId}' does not exist.\n`);
    return false;
  }
  if (d.state === 'Empty') out.stderr.write(`\nConsumer group '${groupId}' has no active members.\n`);
  else if (d.state !== 'Stable') out.stderr.write(`\nWarning: Consumer group '${groupId}' is rebalancing.\n`);
  return rows > 0;
}

async function describeOrNull(cluster: Cluster, groupId: string): Promise<GroupDescription | null> {
  try {
    return await describeGroup(cluster, groupId);
  } catch (err) {
    if (err instanceof KafkaClientError && err.errorName === 'GROUP_ID_NOT_FOUND') return null;
    throw err;
  }
}

function splitPartition(tp: string): [string, number] {
  const at = tp.lastIndexOf('-');
  return [tp.slice(0, at), Number(tp.slice(at + 1))];
}

function pad(values: Array<[string, number]>): string {
  return values.map(([v, w]) => (w > 0 ? v.padEnd(w) : v)).join(' ');
}

function offsetsTable(groupId: string, d: GroupDescription): string {
  type Row = [string, string, string, string, string, string, string, string, string];
  const rows: Row[] = [];
  const committed = new Map(d.offsets.map((o) => [`${o.topic}-${o.partition}`, o]));
  const owned = new Set<string>();
  for (const m of d.members) {
    if (m.assignment.length === 0) rows.push([groupId, '-', '-', '-', '-', '-', m.memberId, m.host, m.clientId]);
    const sorted = [...m.assignment].sort((a, b) => splitPartition(a)[1] - splitPartition(b)[1]);
    for (const tp of sorted) {
      owned.add(tp);
      const [topic, partition] = splitPartition(tp);
      const c = committed.get(tp);
      rows.push([
        groupId,
        topic,
        String(partition),
        missing(c?.committedOffset),
        missing(c?.logEndOffset ?? d.uncommittedLogEnds.get(tp)),
        missing(c?.lag),
        m.memberId,
        m.host,
        m.clientId,
      ]);
    }
  }
  for (const c of d.offsets)
    if (!owned.has(`${c.topic}-${c.partition}`))
      rows.push([groupId, c.topic, String(c.partition), c.committedOffset, c.logEndOffset, c.lag, '-', '-', '-']);
  const width = (i: number): number => Math.max(15, ...rows.map((r) => r[i]!.length));
  const widths = [width(0), width(1), 10, 15, 15, 15, width(6), width(7), 0];
  const line = (r: string[]): string => `\n${pad(r.map((v, i) => [v, widths[i]!]))}`;
  return `${line(['GROUP', 'TOPIC', 'PARTITION', 'CURRENT-OFFSET', 'LOG-END-OFFSET', 'LAG', 'CONSUMER-ID', 'HOST', 'CLIENT-ID'])}${rows.map(line).join('')}\n`;
}

function membersTable(groupId: string, d: GroupDescription, verbose: boolean): string {
  const withInstance = d.members.some((m) => m.groupInstanceId);
  const rows = d.members.map((m) => {
    const byTopic = new Map<string, number[]>();
    for (const tp of m.assignment) {
      const [topic, p] = splitPartition(tp);
      byTopic.set(topic, [...(byTopic.get(topic) ?? []), p]);
    }
    const assignment =
      byTopic.size === 0
        ? '-'
        : [...byTopic.values()]
            .map((ps) => `(${ps.map(String).sort().join(',')})`)
            .sort()
            .join(', ');
    return {
      cells: [
        groupId,
        m.memberId,
        ...(withInstance ? [m.groupInstanceId ?? ''] : []),
        m.host,
        m.clientId,
        String(m.assignment.length),
      ],
      assignment,
    };
  });
  const headers = [
    'GROUP',
    'CONSUMER-ID',
    ...(withInstance ? ['GROUP-INSTANCE-ID'] : []),
    'HOST',
    'CLIENT-ID',
    '#PARTITIONS',
  ];
  const widths = headers.map((h, i) =>
    h === '#PARTITIONS' ? 15 : Math.max(h === 'GROUP-INSTANCE-ID' ? 17 : 15, ...rows.map((r) => r.cells[i]!.length)),
  );
  const line = (cells: string[]): string => `${cells.map((c, i) => c.padEnd(widths[i]!)).join(' ')} `;
  return `\n${line(headers)}${verbose ? 'ASSIGNMENT' : ''}\n${rows.map((r) => `${line(r.cells)}${verbose ? r.assignment : ''}\n`).join('')}`;
}

async function describeAction(cluster: Cluster, o: ParsedOptions, groups: string[]): Promise<void> {
  const out = cliIo().stdout;
  for (const groupId of [...groups].sort()) {
    const d = await describeOrNull(cluster, groupId);
    if (o.has('members')) {
      if (printableState(groupId, d, d?.members.length ?? 0)) out.write(membersTable(groupId, d!, o.has('verbose')));
    } else if (o.has('state')) {
      if (!printableState(groupId, d, 1)) continue;
      const node = await cluster.coordinatorNode(groupId);
      const coordinator = `${node.host}:${node.port}  (${node.nodeId})`;
      const w = Math.max(25, coordinator.length);
      const line = (cells: string[]): string =>
        `\n${cells[0]!.padEnd(w)} ${cells[1]!.padEnd(25)} ${cells[2]!.padEnd(20)} ${cells[3]!.padEnd(15)} ${cells[4]}`;
      out.write(
        `${line(['GROUP', 'COORDINATOR (ID)', 'ASSIGNMENT-STRATEGY', 'STATE', '#MEMBERS'])}${line([groupId, coordinator, d!.protocol, d!.state, String(d!.members.length)])}\n`,
      );
    } else {
      const rows = d === null ? 0 : d.offsets.length + d.members.length;
      if (printableState(groupId, d, rows)) out.write(offsetsTable(groupId, d!));
    }
  }
}

function resetTarget(o: ParsedOptions): ResetTarget {
  if (o.has('to-earliest')) return { kind: 'earliest' };
  if (o.has('to-latest')) return { kind: 'latest' };
  if (o.has('to-offset')) return { kind: 'offset', offset: BigInt(o.value('to-offset')!) };
  if (o.has('shift-by')) return { kind: 'shift', by: BigInt(o.value('shift-by')!) };
  if (o.has('to-current')) return { kind: 'shift', by: 0n };
  if (o.has('to-datetime')) {
    const ms = Date.parse(o.value('to-datetime')!);
    if (Number.isNaN(ms))
      throw new Error(
        `Error parsing timestamp. It does not match the expected format: YYYY-MM-DDTHH:mm:SS.sss: ${o.value('to-datetime')}`,
      );
    return { kind: 'datetime', timestampMs: BigInt(ms) };
  }
  if (o.has('by-duration')) {
    const ms = parseJavaDuration(o.value('by-duration')!);
    if (ms === null) throw new Error(DURATION_PARSE_ERROR);
    return { kind: 'datetime', timestampMs: BigInt(Date.now() - ms) };
  }
  throw usageExit(SPECS, `Option '[reset-offsets]' requires one of the following scenarios: [${SCENARIOS.join(', ')}]`);
}

/** --from-file: the file's plan for each group (read once, as Kafka's tool reads it per group). */
function planFromFile(o: ParsedOptions, groups: readonly string[]): Map<string, PlannedOffset[]> {
  const path = o.value('from-file')!;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(code === 'ENOENT' ? `java.nio.file.NoSuchFileException: ${path}` : `java.io.IOException: ${path}`, {
      cause: err,
    });
  }
  return parseResetPlan(text, groups);
}

async function resetAction(cluster: Cluster, o: ParsedOptions, groups: string[]): Promise<void> {
  try {
    await resetGroups(cluster, o, groups);
  } catch (err) {
    throw inRuntimeException(err);
  }
}

async function resetGroups(cluster: Cluster, o: ParsedOptions, groups: string[]): Promise<void> {
  const fromFile = o.has('from-file') ? planFromFile(o, groups) : null;
  const fileTarget = (groupId: string): ResetTarget | null => {
    const rows = fromFile?.get(groupId);
    if (!rows) return null;
    return { kind: 'plan', offsets: new Map(rows.map((r) => [`${r.topic}:${r.partition}`, BigInt(r.offset)])) };
  };
  const target = fromFile ? null : resetTarget(o);
  if (!fromFile && !o.has('topic') && !o.has('all-topics'))
    throw usageExit(SPECS, 'One of the reset scopes should be defined: --all-topics, --topic.');
  const scopes = o.values('topic').map((t) => {
    const [topic, list] = t.split(':');
    return { topic: topic!, partitions: list === undefined ? null : list.split(',').map((p) => Number(p.trim())) };
  });
  const rows: PlannedOffset[] = [];
  for (const groupId of groups) {
    const d = await describeOrNull(cluster, groupId);
    if (d && d.state !== 'Empty' && d.state !== 'Dead') {
      cliIo().stdout.write(
        `\nError: Assignments can only be reset if the group '${groupId}' is inactive, but the current state is ${d.state}.\n`,
      );
      continue;
    }
    const groupTarget = fromFile ? fileTarget(groupId) : target;
    if (groupTarget === null) {
      cliIo().stdout.write(`\nError: No reset plan for group ${groupId} found\n`);
      continue;
    }
    // --all-topics: the partitions the group has committed offsets for (none: nothing to reset).
    const committed = o.has('all-topics')
      ? new Set((await fetchCommittedOffsets(cluster, groupId, null)).map((c) => `${c.topic}:${c.partition}`))
      : null;
    if (groupTarget.kind !== 'plan' && committed?.size === 0) continue;
    const topics =
      groupTarget.kind === 'plan'
        ? [...new Set([...groupTarget.offsets.keys()].map((k) => k.slice(0, k.lastIndexOf(':'))))]
        : committed
          ? [...new Set([...committed].map((k) => k.slice(0, k.lastIndexOf(':'))))]
          : [...new Set(scopes.map((s) => s.topic))];
    const plan = (await resetOffsets(cluster, groupId, groupTarget, topics, true)).filter((p) => {
      if (groupTarget.kind === 'plan') return true;
      if (committed) return committed.has(`${p.topic}:${p.partition}`);
      const scope = scopes.filter((s) => s.topic === p.topic);
      return scope.some((s) => s.partitions === null || s.partitions.includes(p.partition));
    });
    checkOffsetsRange(o.has('shift-by'), groupTarget, plan);
    if (o.has('execute') && plan.length > 0)
      await commitOffsets(
        cluster,
        groupId,
        { generationId: -1, memberId: '' },
        plan.map((p) => ({ topic: p.topic, partition: p.partition, offset: BigInt(p.newOffset) })),
      );
    for (const p of plan) rows.push({ group: groupId, topic: p.topic, partition: p.partition, offset: p.newOffset });
  }
  // --export prints the plan as CSV (and println's line end) in place of the table.
  if (o.has('export')) cliIo().stdout.write(`${exportCsv(rows, o.values('group').length === 1)}\n`);
  else if (groups.length > 0) {
    // Kafka prints the header when any group was planned, even one refused (an empty plan).
    const line = (cells: string[]): string =>
      `${cells[0]!.padEnd(30)} ${cells[1]!.padEnd(30)} ${cells[2]!.padEnd(10)} ${cells[3]!.padEnd(15)}\n`;
    cliIo().stdout.write(
      `\n${line(['GROUP', 'TOPIC', 'PARTITION', 'NEW-OFFSET'])}${rows.map((r) => line([r.group, r.topic, String(r.partition), r.offset])).join('')}`,
    );
  }
}

/**
 * ConsumerGroupService.checkOffsetsRange for --to-offset, --shift-by and --from-file: an offset past
 * the log end or before the log start was moved there (resetOffsets), which Kafka's tool logs at WARN;
 * and --shift-by needs a committed offset in every partition it resets (IllegalArgumentException:
 * the message, the usage, exit 1).
 */
function checkOffsetsRange(shifting: boolean, target: ResetTarget, plan: PlannedReset[]): void {
  const missing = shifting ? plan.find((p) => p.currentOffset === '-1') : undefined;
  if (missing)
    throw usageExit(
      SPECS,
      `Cannot shift offset for partition ${missing.topic}-${missing.partition} since there is no current committed offset`,
    );
  for (const p of plan) {
    const requested =
      target.kind === 'offset'
        ? target.offset
        : target.kind === 'shift' && shifting
          ? BigInt(p.currentOffset) + target.by
          : target.kind === 'plan'
            ? target.offsets.get(`${p.topic}:${p.partition}`)
            : undefined;
    if (requested === undefined || requested === BigInt(p.newOffset)) continue;
    const side = requested > BigInt(p.newOffset) ? 'higher than latest' : 'lower than earliest';
    cliIo().stderr.write(
      `[${log4jDate(new Date())}] WARN New offset (${requested}) is ${side} offset for topic partition ${p.topic}-${p.partition}. Value will be set to ${p.newOffset} (org.apache.kafka.tools.consumer.group.ConsumerGroupCommand)\n`,
    );
  }
}

/**
 * ConsumerGroupService.deleteOffsets: one row per partition asked for (a topic's partitions when none
 * are named; a topic that cannot be described gets one "Not Provided" row), each "Successful" or
 * "Error: :" and the exception its future failed with (a group-level error fails every partition).
 * The headline comes from the call's all(): the group's error, else the first partition's error.
 */
async function deleteOffsetsAction(cluster: Cluster, o: ParsedOptions): Promise<void> {
  const groupId = o.value('group')!;
  const topics = o.values('topic');
  const wanted: Array<{ topic: string; partition: number }> = [];
  const rows: Array<{ topic: string; partition: number; status: string }> = [];
  for (const t of topics) {
    const [topic, list] = t.split(':');
    if (list !== undefined) for (const p of list.split(',')) wanted.push({ topic: topic!, partition: Number(p) });
    else {
      try {
        const leaders = await cluster.leaders(topic!);
        for (const p of leaders.keys()) wanted.push({ topic: topic!, partition: p });
      } catch (err) {
        rows.push({ topic: topic!, partition: -1, status: `Error: :${javaException(err)}` });
      }
    }
  }
  const answer = await deleteGroupOffsets(cluster, groupId, wanted);
  const answered = new Map(answer.partitions.map((p) => [`${p.topic}-${p.partition}`, p.errorCode]));
  const codeOf = (p: { topic: string; partition: number }): number | undefined =>
    answer.errorCode !== 0 ? answer.errorCode : answered.get(`${p.topic}-${p.partition}`);
  const sorted = [...wanted].sort((a, b) => `${a.topic}${a.partition}`.localeCompare(`${b.topic}${b.partition}`));
  const firstFailed = sorted.map(codeOf).find((code) => code !== 0);
  const top = answer.errorCode !== 0 ? answer.errorCode : (firstFailed ?? 0);
  for (const p of wanted) {
    const code = codeOf(p);
    const status =
      code === undefined
        ? `Error: :java.lang.IllegalArgumentException: Offset deletion result for partition "${p.topic}-${p.partition}" was not included in the response`
        : code === 0
          ? 'Successful'
          : `Error: :${javaException(new KafkaClientError(code, ''))}`;
    rows.push({ ...p, status });
  }
  const out = cliIo().stdout;
  const names: Record<number, string> = {
    0: `Request succeed for deleting offsets with topic ${topics.join(', ')} group ${groupId}`,
    24: `\nError: '${groupId}' is not valid.`,
    69: `\nError: '${groupId}' does not exist.`,
    30: `\nError: Access to '${groupId}' is not authorized.`,
    68: `\nError: Deleting offsets of a consumer group '${groupId}' is forbidden if the group is not empty.`,
    86: '\nError: Encounter some partition level error, see the follow-up details:',
    29: '\nError: Encounter some partition level error, see the follow-up details:',
    3: '\nError: Encounter some partition level error, see the follow-up details:',
  };
  out.write(`${names[top] ?? `\nError: Encounter some unknown error: ${errorNameOf(top)}`}\n`);
  rows.sort((a, b) => `${a.topic}${a.partition}`.localeCompare(`${b.topic}${b.partition}`));
  const line = (r: string[]): string => `\n${r[0]!.padEnd(30)} ${r[1]!.padEnd(15)} ${r[2]!.padEnd(15)}`;
  out.write(
    `${line(['TOPIC', 'PARTITION', 'STATUS'])}${rows.map((r) => line([r.topic, r.partition >= 0 ? String(r.partition) : 'Not Provided', r.status])).join('')}\n`,
  );
}

/** The name Kafka's Errors enum gives a code, as the tool prints it. */
function errorNameOf(code: number): string {
  return new KafkaClientError(code, '').errorName;
}

/**
 * What ConsumerGroupService does where it catches a call's ExecutionException and rethrows it in a
 * RuntimeException (listing groups, resetting offsets): the message is then the ExecutionException's
 * (`java.util.concurrent.ExecutionException: <exception>`).
 */
function inRuntimeException(err: unknown): unknown {
  if (!isAdminFailure(err)) return err;
  return new JavaError('java.lang.RuntimeException', `java.util.concurrent.ExecutionException: ${javaException(err)}`);
}

/** ConsumerGroupService.listConsumerGroups. */
async function listConsumerGroups(cluster: Cluster): Promise<GroupListing[]> {
  try {
    return await listGroups(cluster);
  } catch (err) {
    throw inRuntimeException(err);
  }
}

async function listAction(cluster: Cluster, o: ParsedOptions): Promise<void> {
  const listed = o.has('state') || o.has('type') ? await listGroups(cluster) : await listConsumerGroups(cluster);
  const groups = listed.filter((g) => g.protocolType === 'consumer' || g.protocolType === '');
  const out = cliIo().stdout;
  if (!o.has('state') && !o.has('type')) {
    out.write(groups.map((g) => `${g.groupId}\n`).join(''));
    return;
  }
  const states = (o.value('state') ?? '')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s !== '');
  const types = (o.value('type') ?? '')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s !== '');
  const shown = groups.filter(
    (g) =>
      (states.length === 0 || states.includes(g.state.toLowerCase())) &&
      (types.length === 0 || types.includes((g.type || 'classic').toLowerCase())),
  );
  const width = Math.max(15, ...shown.map((g) => g.groupId.length)) + 10;
  const row = (cells: string[]): string =>
    `${cells.map((c, i) => (i === 0 ? c.padEnd(width) : c.padEnd(20))).join(' ')}\n`;
  const header = ['GROUP', ...(o.has('type') ? ['TYPE'] : []), ...(o.has('state') ? ['STATE'] : [])];
  out.write(
    row(header) +
      shown
        .map((g) =>
          row([
            g.groupId,
            ...(o.has('type') ? [g.type ? g.type[0]!.toUpperCase() + g.type.slice(1) : 'Classic'] : []),
            ...(o.has('state') ? [g.state] : []),
          ]),
        )
        .join(''),
  );
}

async function deleteAction(cluster: Cluster, groups: string[]): Promise<void> {
  const failed: string[] = [];
  const done: string[] = [];
  for (const g of groups) {
    try {
      await deleteGroup(cluster, g);
      done.push(g);
    } catch (err) {
      failed.push(
        `* Group '${g}' could not be deleted due to: java.util.concurrent.ExecutionException: ${javaException(err)}`,
      );
    }
  }
  const out = cliIo().stdout;
  if (failed.length === 0) out.write(`Deletion of requested consumer groups ('${done.join(', ')}') was successful.\n`);
  else {
    out.write(`\nError: Deletion of some consumer groups failed:\n${failed.join('\n')}\n`);
    // Kafka's line as it prints it: the names joined by a quote, then `', '`.
    if (done.length > 0) out.write(`\nThese consumer groups were deleted successfully: '${done.join("'")}', '\n`);
  }
}

export async function kafkaConsumerGroups(args: readonly string[]): Promise<number> {
  const o = parseOptionsOrUsage(SPECS, args);
  checkArgs(o);
  if (ACTIONS.filter((a) => o.has(a)).length !== 1)
    throw usageExit(
      SPECS,
      'Command must include exactly one action: --list, --describe, --delete, --reset-offsets, --delete-offsets',
    );
  const props = o.has('command-config') ? loadProperties(o.value('command-config')!) : {};
  const timeout = Number(o.value('timeout') ?? '5000');
  const { cluster } = await clientFor(o.value('bootstrap-server')!, props, [], 'adminclient-1', timeout);
  try {
    const groups = o.has('all-groups') ? (await listConsumerGroups(cluster)).map((g) => g.groupId) : o.values('group');
    if (o.has('list')) await listAction(cluster, o);
    else if (o.has('describe')) await describeAction(cluster, o, groups);
    else if (o.has('delete')) await deleteAction(cluster, groups);
    else if (o.has('reset-offsets')) await resetAction(cluster, o, groups);
    else await deleteOffsetsAction(cluster, o);
    return 0;
  } catch (err) {
    if (err instanceof KafkaToolExit) throw err;
    // ConsumerGroupCommand prints the failure and still exits 0 (its main returns normally).
    // An ExecutionException reaching main: its message is the exception's class and message.
    const message = isAdminFailure(err) ? javaException(err) : javaMessage(err);
    cliIo().stdout.write(`\nError: Executing consumer group command failed due to ${message}\n`);
    return 0;
  } finally {
    cluster.close();
  }
}
