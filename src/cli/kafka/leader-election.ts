/**
 * kafka-leader-election.sh (Kafka 3.9's LeaderElectionCommand): --bootstrap-server,
 * --election-type PREFERRED|UNCLEAN (any case), one of --all-topic-partitions, --topic with
 * --partition, --path-to-json-file (`{"partitions": [{"topic": "t", "partition": 0}]}`),
 * --admin.config. ElectLeaders to the cluster; Kafka's lines: "Successfully completed leader
 * election (PREFERRED) for partitions t-0, t-1", "Valid replica already elected for partitions
 * ..." (ELECTION_NOT_NEEDED), "Error completing leader election (PREFERRED) for partition: t-0:
 * <exception>: <message>" each, then "N replica(s) could not be elected" on stderr, exit 1.
 * Differs: the refusals of bad option combinations are one line each (wording approximate);
 * partitions print in the answer's order.
 */
import { readFileSync } from 'node:fs';
import { ElectLeadersApi, defaultElectLeadersRequest } from '../../../protocol/generated/messages/43-elect-leaders.js';
import { KafkaClientError } from '../../client/errors.js';
import { cliIo } from '../io.js';
import { clientFor, loadProperties, runOnCluster } from './client-config.js';
import { isAdminTimeout, javaMessage } from './messages.js';
import {
  DEFAULT_OPTIONS,
  KafkaToolExit,
  maybeHelpOrVersion,
  parseOptionsOrUsage,
  requireOptions,
  usageExit,
  type OptionSpec,
} from './options.js';
import { JavaError, mainFailure } from './errors.js';
import { KAFKA_VERSION } from './version.js';

const SPECS: readonly OptionSpec[] = [
  ...DEFAULT_OPTIONS,
  {
    name: 'bootstrap-server',
    arg: 'required',
    help: 'A hostname and port for the broker to connect to, in the form host:port. Multiple comma separated URLs can be given. REQUIRED.',
    describedAs: 'host:port',
  },
  {
    name: 'admin.config',
    arg: 'required',
    help: 'Configuration properties files to pass to the admin client',
    describedAs: 'config file',
  },
  {
    name: 'path-to-json-file',
    arg: 'required',
    help: 'The JSON file with the list of partition for which leader elections should be performed.',
    describedAs: 'Path to JSON file',
  },
  {
    name: 'topic',
    arg: 'required',
    help: 'Name of topic for which to perform an election.',
    describedAs: 'topic name',
  },
  {
    name: 'partition',
    arg: 'required',
    type: 'Integer',
    help: 'Partition id for which to perform an election. REQUIRED if --topic is specified.',
    describedAs: 'partition id',
  },
  {
    name: 'all-topic-partitions',
    arg: 'none',
    help: 'Perform election on all of the eligible topic partitions based on the type of election.',
  },
  {
    name: 'election-type',
    arg: 'required',
    help: 'Type of election to attempt. Possible values are "preferred" for preferred leader election or "unclean" for unclean leader election.',
    describedAs: 'election type',
  },
];

const ELECTION_NOT_NEEDED = 84;

function exceptionText(err: KafkaClientError): string {
  const name = err.errorName
    .toLowerCase()
    .split('_')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('')
    .replace(/(Error|Exception)$/, '');
  return `org.apache.kafka.common.errors.${name}Exception: ${javaMessage(err)}`;
}

function jsonPartitions(path: string): Array<{ topic: string; partition: number }> {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new KafkaToolExit(1, `Error while parsing ${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const list = (doc as { partitions?: unknown } | null)?.partitions;
  if (!Array.isArray(list)) throw new KafkaToolExit(1, `Missing "partitions" in ${path}`);
  return list.map((e: unknown) => {
    const p = e as { topic?: unknown; partition?: unknown };
    if (typeof p.topic !== 'string' || !Number.isInteger(p.partition))
      throw new KafkaToolExit(1, `Each partition of ${path} needs a "topic" string and a "partition" number`);
    return { topic: p.topic, partition: p.partition as number };
  });
}

export async function kafkaLeaderElection(args: readonly string[]): Promise<number> {
  const o = parseOptionsOrUsage(SPECS, args);
  maybeHelpOrVersion(
    o,
    'This tool attempts to elect a new leader for a set of topic partitions. The type of elections supported are preferred replicas and unclean replicas.',
    KAFKA_VERSION,
  );
  requireOptions(o, 'bootstrap-server', 'election-type');
  const type = o.value('election-type')!.toUpperCase();
  if (type !== 'PREFERRED' && type !== 'UNCLEAN')
    throw usageExit(SPECS, `Cannot parse argument '${o.value('election-type')}' of option election-type`);
  const sources = ['all-topic-partitions', 'topic', 'path-to-json-file'].filter((n) => o.has(n));
  if (sources.length !== 1)
    throw usageExit(
      SPECS,
      'One and only one of the following options is required: all-topic-partitions, topic, path-to-json-file',
    );
  if (o.has('topic') !== o.has('partition'))
    throw usageExit(
      SPECS,
      o.has('topic') ? 'Missing required option(s): partition' : 'Missing required option(s): topic',
    );
  const wanted = o.has('all-topic-partitions')
    ? null
    : o.has('topic')
      ? [{ topic: o.value('topic')!, partition: o.integer('partition')! }]
      : jsonPartitions(o.value('path-to-json-file')!);
  const props = o.has('admin.config') ? loadProperties(o.value('admin.config')!) : {};
  const { cluster } = await clientFor(o.value('bootstrap-server')!, props, [], 'adminclient-1');
  const out = cliIo().stdout;
  return runOnCluster(cluster, async () => {
    const request = defaultElectLeadersRequest();
    request.electionType = type === 'PREFERRED' ? 0 : 1;
    request.timeoutMs = 30_000;
    if (wanted === null) request.topicPartitions = null;
    else {
      const byTopic = new Map<string, number[]>();
      for (const w of wanted) byTopic.set(w.topic, [...(byTopic.get(w.topic) ?? []), w.partition]);
      request.topicPartitions = [...byTopic].map(([topic, partitions]) => ({ topic, partitions }));
    }
    const response = await cluster
      .withRetries('ElectLeaders', async () => (await cluster.any()).send(ElectLeadersApi, request))
      .catch((err: unknown) => {
        if (!isAdminTimeout(err)) throw err;
        // LeaderElectionCommand.electLeaders: a TimeoutException is said on stdout, then thrown as
        // AdminCommandFailedException with the same message.
        out.write('Timeout waiting for election results\n');
        throw mainFailure(
          new JavaError(
            'org.apache.kafka.server.common.AdminCommandFailedException',
            'Timeout waiting for election results',
          ),
        );
      });
    if (response.errorCode !== 0) throw new KafkaClientError(response.errorCode, 'ElectLeaders');
    const succeeded: string[] = [];
    const noop: string[] = [];
    const failed: string[] = [];
    for (const t of response.replicaElectionResults)
      for (const p of t.partitionResult) {
        const name = `${t.topic}-${p.partitionId}`;
        if (p.errorCode === 0) succeeded.push(name);
        else if (p.errorCode === ELECTION_NOT_NEEDED) noop.push(name);
        else
          failed.push(
            `Error completing leader election (${type}) for partition: ${name}: ${exceptionText(new KafkaClientError(p.errorCode, name, p.errorMessage))}`,
          );
      }
    if (succeeded.length > 0)
      out.write(`Successfully completed leader election (${type}) for partitions ${succeeded.join(', ')}\n`);
    if (noop.length > 0) out.write(`Valid replica already elected for partitions ${noop.join(', ')}\n`);
    for (const line of failed) out.write(`${line}\n`);
    if (failed.length > 0)
      throw mainFailure(
        new JavaError(
          'org.apache.kafka.server.common.AdminCommandFailedException',
          `${failed.length} replica(s) could not be elected`,
        ),
      );
    return 0;
  });
}
