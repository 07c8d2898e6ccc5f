/**
 * The smaller Kafka tools:
 * - kafka-storage.sh random-uuid (Kafka's Uuid.randomUuid: 16 random bytes in URL-safe base64) and
 *   format (storage-format.ts); info, version-mapping and feature-dependencies are refused.
 * - kafka-get-offsets.sh (GetOffsetShell): --topic (regex), --partitions, --topic-partitions,
 *   --time (earliest, latest, max-timestamp or -1/-2/-3, or a timestamp), `topic:partition:offset`.
 * - kafka-metadata-quorum.sh describe --status | --replication [--human-readable] (DescribeQuorum).
 * - kafka-cluster.sh cluster-id (DescribeCluster); unregister --id (UnregisterBroker).
 * kafka-metadata-quorum and kafka-cluster parse with argparse4j in Kafka; these parse the same
 * words by hand.
 */
import type { Cluster } from '../../client/cluster.js';
import { clusterId, describeQuorum, unregisterBroker, type QuorumReplicaState } from '../../client/cluster-info.js';
import { KafkaClientError } from '../../client/errors.js';
import { listOffsets } from '../../client/offsets.js';
import { listTopics } from '../../client/topics.js';
import { cliIo } from '../io.js';
import { clientFor, loadProperties, runOnCluster } from './client-config.js';
import { executionFailure, isAdminTimeout, javaMessage } from './messages.js';
import {
  DEFAULT_OPTIONS,
  KafkaOptionError,
  KafkaToolExit,
  maybeHelpOrVersion,
  parseOptions,
  usageExit,
  type OptionSpec,
  type ParsedOptions,
} from './options.js';
import { includeListMatcher, isInternalTopic } from './topic-filter.js';
import { KAFKA_VERSION } from './version.js';
import { randomKafkaUuid } from './kafka-uuid.js';

export { randomKafkaUuid };

export async function kafkaStorage(args: readonly string[]): Promise<number> {
  const [command] = args;
  if (command === 'random-uuid') {
    cliIo().stdout.write(`${randomKafkaUuid()}\n`);
    return 0;
  }
  if (command === 'format') return (await import('./storage-format.js')).kafkaStorageFormat(args.slice(1));
  if (command === 'info' || command === 'version-mapping' || command === 'feature-dependencies')
    throw new KafkaToolExit(
      1,
      `kafka-storage ${command} is not supported by Gregor (format and random-uuid are). See docs/tools.md.`,
    );
  throw new KafkaToolExit(
    1,
    `usage: kafka-storage [-h] {info,format,version-mapping,feature-dependencies,random-uuid} ...\nkafka-storage: error: ${command === undefined ? 'too few arguments' : `invalid choice: '${command}' (choose from 'info', 'format', 'version-mapping', 'feature-dependencies', 'random-uuid')`}`,
  );
}

/** The value of `--name value` or `--name=value` in argparse-style arguments. */
function argValue(args: readonly string[], name: string): string | undefined {
  for (let i = 0; i < args.length; i++) {
    if (args[i] === name) return args[i + 1];
    if (args[i]!.startsWith(`${name}=`)) return args[i]!.slice(name.length + 1);
  }
  return undefined;
}

/**
 * --bootstrap-server or --bootstrap-controller (KIP-919: the tool talks to the controllers' listeners,
 * learning them with DescribeCluster) and --command-config of the argparse tools; the rest of the words.
 */
async function adminFrom(args: readonly string[], tool: string): Promise<{ cluster: Cluster; rest: string[] }> {
  const bootstrap = argValue(args, '--bootstrap-server');
  const controllers = argValue(args, '--bootstrap-controller');
  if (bootstrap !== undefined && controllers !== undefined)
    throw new KafkaToolExit(
      1,
      `${tool}: error: argument --bootstrap-controller: not allowed with argument --bootstrap-server`,
    );
  const servers = bootstrap ?? controllers;
  if (servers === undefined)
    throw new KafkaToolExit(1, 'You must specify either --bootstrap-controller or --bootstrap-server.');
  const configPath = argValue(args, '--command-config') ?? argValue(args, '--config');
  const props = configPath === undefined ? {} : loadProperties(configPath);
  const rest: string[] = [];
  const own = ['--bootstrap-server', '--bootstrap-controller', '--command-config', '--config'];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (own.includes(a)) i++;
    else if (!own.some((name) => a.startsWith(`${name}=`))) rest.push(a);
  }
  const client = await clientFor(
    servers,
    props,
    [],
    'adminclient-1',
    undefined,
    'admin',
    null,
    controllers !== undefined,
  );
  return { cluster: client.cluster, rest };
}

async function withAdmin(
  args: readonly string[],
  tool: string,
  body: (cluster: Cluster, rest: string[]) => Promise<void>,
): Promise<number> {
  const { cluster, rest } = await adminFrom(args, tool);
  return runOnCluster(cluster, async () => {
    try {
      await body(cluster, rest);
      return 0;
    } catch (err) {
      if (!(err instanceof KafkaClientError)) throw err;
      // A failed admin future: mainNoExit prints the ExecutionException (a node of the wrong kind
      // behind --bootstrap-server / --bootstrap-controller: UnsupportedVersionException,
      // MismatchedEndpointTypeException).
      cliIo().stderr.write(`${executionFailure(err)}\n`);
      return 1;
    }
  });
}

export function kafkaCluster(args: readonly string[]): Promise<number> {
  return withAdmin(args, 'kafka-cluster', async (cluster, rest) => {
    const command = rest[0];
    if (command === 'cluster-id') {
      const id = await clusterId(cluster);
      cliIo().stdout.write(
        id === null ? 'No cluster ID found. The Kafka version is probably too old.\n' : `Cluster ID: ${id}\n`,
      );
      return;
    }
    if (command === 'unregister') {
      const at = rest.findIndex((a) => a === '--id' || a === '-i');
      const id = at >= 0 ? Number(rest[at + 1]) : Number.NaN;
      if (!Number.isInteger(id))
        throw new KafkaToolExit(
          1,
          'usage: kafka-cluster unregister [-h] (--bootstrap-server BOOTSTRAP_SERVER | --bootstrap-controller BOOTSTRAP_CONTROLLER) [--config CONFIG] --id ID\nkafka-cluster: error: argument --id/-i is required',
        );
      try {
        const done = await unregisterBroker(cluster, id);
        cliIo().stdout.write(
          done
            ? `Broker ${id} is no longer registered.\n`
            : 'The target cluster does not support the broker unregistration API.\n',
        );
      } catch (err) {
        if (!(err instanceof KafkaClientError)) throw err;
        throw new KafkaToolExit(
          1,
          `org.apache.kafka.common.errors.${exceptionClass(err.errorName)}: ${javaMessage(err)}`,
        );
      }
      return;
    }
    throw new KafkaToolExit(
      1,
      `usage: kafka-cluster [-h] {cluster-id,unregister} ...\nkafka-cluster: error: invalid choice: '${command ?? ''}'`,
    );
  });
}

/** Kafka's exception class for an error name: BROKER_ID_NOT_REGISTERED → BrokerIdNotRegisteredException. */
function exceptionClass(errorName: string): string {
  const camel = errorName
    .toLowerCase()
    .split('_')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');
  return `${camel.replace(/(Error|Exception)$/, '')}Exception`;
}

/** ToolsUtils.prettyPrintTable: each column padded to its widest value, then a tab. */
function prettyTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (row: string[]): string => row.map((v, i) => `${v.padEnd(widths[i]!)}\t`).join('');
  return [line(headers), ...rows.map(line)].map((l) => `${l}\n`).join('');
}

function nodeText(r: QuorumReplicaState, endpoints: Map<number, string[]>): string {
  const directory = r.directoryId === 'AAAAAAAAAAAAAAAAAAAAAA' ? 'null' : `"${r.directoryId}"`;
  const listed = endpoints.get(r.replicaId) ?? [];
  return `{"id": ${r.replicaId}, "directoryId": ${directory}${listed.length > 0 ? `, "endpoints": [${listed.map((e) => `"${e}"`).join(', ')}]` : ''}}`;
}

export function kafkaMetadataQuorum(args: readonly string[]): Promise<number> {
  return withAdmin(args, 'kafka-metadata-quorum', async (cluster, rest) => {
    if (rest[0] !== 'describe' || (!rest.includes('--status') && !rest.includes('--replication')))
      throw new KafkaToolExit(
        1,
        rest[0] === 'add-controller' || rest[0] === 'remove-controller'
          ? `kafka-metadata-quorum ${rest[0]} is not supported by Gregor's tools`
          : 'usage: kafka-metadata-quorum [-h] [--command-config COMMAND_CONFIG] --bootstrap-server BOOTSTRAP_SERVER {describe} ...\nOne of --status or --replication must be specified with describe sub-command',
      );
    const q = await describeQuorum(cluster);
    const leader = q.voters.find((v) => v.replicaId === q.leaderId);
    if (!leader) throw new Error(`the quorum leader ${q.leaderId} is not among its voters`);
    const out = cliIo().stdout;
    if (rest.includes('--status')) {
      const id = await clusterId(cluster);
      const laggiest = q.voters.reduce((min, v) => (v.logEndOffset < min.logEndOffset ? v : min), q.voters[0]!);
      const lagTime =
        laggiest === leader || laggiest.logEndOffset === leader.logEndOffset
          ? 0n
          : leader.lastCaughtUpTimestamp >= 0n && laggiest.lastCaughtUpTimestamp >= 0n
            ? leader.lastCaughtUpTimestamp - laggiest.lastCaughtUpTimestamp
            : -1n;
      out.write(
        `ClusterId:              ${id}\nLeaderId:               ${q.leaderId}\nLeaderEpoch:            ${q.leaderEpoch}\n` +
          `HighWatermark:          ${q.highWatermark}\nMaxFollowerLag:         ${leader.logEndOffset - laggiest.logEndOffset}\n` +
          `MaxFollowerLagTimeMs:   ${lagTime}\n` +
          `CurrentVoters:          [${q.voters.map((v) => nodeText(v, q.endpoints)).join(', ')}]\n` +
          `CurrentObservers:       [${q.observers.map((v) => nodeText(v, q.endpoints)).join(', ')}]\n`,
      );
      return;
    }
    const human = rest.includes('--human-readable');
    const when = (ts: bigint): string => (ts < 0n ? '-1' : human ? `${BigInt(Date.now()) - ts} ms ago` : String(ts));
    const row = (r: QuorumReplicaState, status: string): string[] => [
      String(r.replicaId),
      r.directoryId,
      String(r.logEndOffset),
      String(leader.logEndOffset - r.logEndOffset),
      when(r.lastFetchTimestamp),
      when(r.lastCaughtUpTimestamp),
      status,
    ];
    const rows = [
      row(leader, 'Leader'),
      ...q.voters.filter((v) => v !== leader).map((v) => row(v, 'Follower')),
      ...q.observers.map((v) => row(v, 'Observer')),
    ];
    out.write(
      prettyTable(
        ['NodeId', 'DirectoryId', 'LogEndOffset', 'Lag', 'LastFetchTimestamp', 'LastCaughtUpTimestamp', 'Status'],
        rows,
      ),
    );
  });
}

const OFFSET_SPECS: readonly OptionSpec[] = [
  ...DEFAULT_OPTIONS,
  {
    name: 'broker-list',
    arg: 'required',
    help: 'DEPRECATED, use --bootstrap-server instead.',
    describedAs: 'HOST1:PORT1,...,HOST3:PORT3',
  },
  {
    name: 'bootstrap-server',
    arg: 'required',
    help: 'REQUIRED. The server(s) to connect to in the form HOST1:PORT1,HOST2:PORT2.',
    describedAs: 'HOST1:PORT1,...,HOST3:PORT3',
  },
  {
    name: 'topic-partitions',
    arg: 'required',
    help: "Comma separated list of topic-partition patterns to get the offsets for, with the format of 'topic:partition ids'.",
    describedAs: 'topic1:1,topic2:0-3,topic3,topic4:5-,topic5:-3',
  },
  {
    name: 'topic',
    arg: 'required',
    help: 'The topic to get the offsets for. It also accepts a regular expression.',
    describedAs: 'topic',
  },
  {
    name: 'partitions',
    arg: 'required',
    help: 'Comma separated list of partition ids to get the offsets for.',
    describedAs: 'partition ids',
  },
  {
    name: 'time',
    arg: 'required',
    help: 'timestamp of the offsets before that.',
    describedAs: '<timestamp> / -1 or latest / -2 or earliest / -3 or max-timestamp',
    defaultValue: 'latest',
  },
  {
    name: 'command-config',
    arg: 'required',
    help: 'Property file containing configs to be passed to Admin Client.',
    describedAs: 'config file',
  },
  {
    name: 'exclude-internal-topics',
    arg: 'none',
    help: 'By default, internal topics are included. If specified, internal topics are excluded.',
  },
];

function offsetSpec(text: string): bigint {
  const named: Record<string, bigint> = { earliest: -2n, latest: -1n, 'max-timestamp': -3n };
  if (named[text] !== undefined) return named[text];
  if (text === 'earliest-local' || text === 'latest-tiered' || text === '-4' || text === '-5')
    throw new KafkaToolExit(1, `Error occurred: --time ${text}: Gregor has no tiered storage`);
  if (!/^-?\d+$/.test(text))
    throw new KafkaToolExit(
      1,
      `Error occurred: Malformed time argument ${text}. Please use -1 or latest / -2 or earliest / -3 or max-timestamp / -4 or earliest-local / -5 or latest-tiered, or a specified long format timestamp`,
    );
  return BigInt(text);
}

/** A partition filter: "1,3-5,7-" style ranges. */
function partitionFilter(text: string | undefined): (p: number) => boolean {
  if (text === undefined || text === '') return () => true;
  const rules = text.split(',').map((rule) => {
    const m = /^(\d*)-(\d*)$/.exec(rule) ?? /^(\d+)$/.exec(rule);
    if (!m) throw new KafkaToolExit(1, `Error occurred: Invalid rule specification: ${rule}`);
    if (m.length === 2) return (p: number) => p === Number(m[1]);
    const low = m[1] === '' ? 0 : Number(m[1]);
    const high = m[2] === '' ? Infinity : Number(m[2]);
    return (p: number) => p >= low && p < high;
  });
  return (p) => rules.some((r) => r(p));
}

export async function kafkaGetOffsets(args: readonly string[]): Promise<number> {
  let o: ParsedOptions;
  try {
    o = parseOptions(OFFSET_SPECS, args);
  } catch (err) {
    if (err instanceof KafkaOptionError) throw usageExit(OFFSET_SPECS, err.message);
    throw err;
  }
  maybeHelpOrVersion(o, 'An interactive shell for getting topic-partition offsets.', KAFKA_VERSION);
  const bootstrap = o.value('bootstrap-server') ?? o.value('broker-list');
  if (bootstrap === undefined) throw usageExit(OFFSET_SPECS, 'Missing required argument "[bootstrap-server]"');
  if (o.has('topic-partitions') && (o.has('topic') || o.has('partitions')))
    throw new KafkaToolExit(1, 'Error occurred: --topic-partitions cannot be used with --topic or --partitions');
  const spec = offsetSpec(o.value('time')!);
  const filters: Array<{ topic: (t: string) => boolean; partition: (p: number) => boolean }> = o.has('topic-partitions')
    ? o
        .value('topic-partitions')!
        .split(',')
        .map((rule) => {
          const [topic, partitions] = rule.split(':');
          return {
            topic: includeListMatcher(topic === '' || topic === undefined ? '.*' : topic),
            partition: partitionFilter(partitions),
          };
        })
    : [{ topic: includeListMatcher(o.value('topic') ?? '.*'), partition: partitionFilter(o.value('partitions')) }];
  const props = o.has('command-config') ? loadProperties(o.value('command-config')!) : {};
  const { cluster } = await clientFor(bootstrap, props, [], 'GetOffsetShell');
  try {
    const topics = (await listTopics(cluster, true)).filter(
      (t) => !(o.has('exclude-internal-topics') && isInternalTopic(t.name)),
    );
    const lines: Array<[string, string]> = [];
    let matched = 0;
    for (const t of topics) {
      const partitions = [...Array(t.partitions).keys()].filter((p) =>
        filters.some((f) => f.topic(t.name) && f.partition(p)),
      );
      if (partitions.length === 0) continue;
      matched += partitions.length;
      const offsets = await listOffsets(cluster, t.name, partitions, spec);
      for (const [p, offset] of offsets) if (offset !== -1n) lines.push([`${t.name}-${p}`, `${t.name}:${p}:${offset}`]);
    }
    if (matched === 0)
      throw new KafkaToolExit(1, 'Error occurred: Could not match any topic-partitions with the specified filters');
    lines.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    cliIo().stdout.write(lines.map(([, l]) => `${l}\n`).join(''));
    return 0;
  } catch (err) {
    if (err instanceof KafkaToolExit) throw err;
    // GetOffsetShell.mainNoExit: "Error occurred: " and the exception's message (a timed-out
    // future's ExecutionException: then its stack trace).
    cliIo().stderr.write(
      `${isAdminTimeout(err) ? executionFailure(err, 'Error occurred: ') : `Error occurred: ${javaMessage(err)}`}\n`,
    );
    return 1;
  } finally {
    cluster.close();
  }
}
