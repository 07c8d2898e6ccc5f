/**
 * kafka-log-dirs.sh (Kafka 3.9's LogDirsCommand): --describe, --bootstrap-server,
 * --topic-list, --broker-list, --command-config. DescribeLogDirs to each broker (all of the
 * cluster's, or --broker-list's, which must exist), then Kafka's lines: "Querying brokers for log
 * directories information", "Received log directory information from brokers 1,2" and the JSON
 * line `{"brokers":[{"broker":1,"logDirs":[{"partitions":[{"partition":"t-0","size":N,
 * "offsetLag":0,"isFuture":false}],"error":null,"logDir":"/dir"}]}],"version":1}` (keys in the
 * order Kafka 3.9's HashMaps print them; brokers and partitions sorted).
 * Left out: nothing of the tool's options; a Java stack trace is one line.
 */
import {
  DescribeLogDirsApi,
  defaultDescribeLogDirsRequest,
} from '../../../protocol/generated/messages/35-describe-log-dirs.js';
import { KafkaClientError } from '../../client/errors.js';
import { cliIo } from '../io.js';
import { clientFor, loadProperties, runOnCluster } from './client-config.js';
import {
  DEFAULT_OPTIONS,
  KafkaToolExit,
  maybeHelpOrVersion,
  parseOptionsOrUsage,
  requireOptions,
  type OptionSpec,
} from './options.js';
import { KAFKA_VERSION } from './version.js';

const SPECS: readonly OptionSpec[] = [
  ...DEFAULT_OPTIONS,
  {
    name: 'bootstrap-server',
    arg: 'required',
    help: 'REQUIRED: the server(s) to use for bootstrapping',
    describedAs: 'The server(s) to use for bootstrapping',
  },
  {
    name: 'command-config',
    arg: 'required',
    help: 'Property file containing configs to be passed to Admin Client.',
    describedAs: 'Admin client property file',
  },
  { name: 'describe', arg: 'none', help: 'Describe the specified log directories on the specified brokers.' },
  {
    name: 'topic-list',
    arg: 'required',
    help: 'The list of topics to be queried in the form "topic1,topic2,topic3". All topics will be queried if no topic list is specified',
    describedAs: 'Topic list',
    defaultValue: '',
  },
  {
    name: 'broker-list',
    arg: 'required',
    help: 'The list of brokers to be queried in the form "0,1,2". All brokers in the cluster will be queried if no broker list is specified',
    describedAs: 'Broker list',
    defaultValue: '',
  },
];

function errorClass(code: number): string {
  const name = new KafkaClientError(code, '').errorName
    .toLowerCase()
    .split('_')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('')
    .replace(/(Error|Exception)$/, '');
  return `org.apache.kafka.common.errors.${name}Exception`;
}

export async function kafkaLogDirs(args: readonly string[]): Promise<number> {
  const o = parseOptionsOrUsage(SPECS, args);
  maybeHelpOrVersion(o, 'This tool helps to query log directory usage on the specified brokers.', KAFKA_VERSION);
  requireOptions(o, 'bootstrap-server', 'describe');
  const topics = new Set(
    o
      .value('topic-list')!
      .split(',')
      .filter((t) => t !== ''),
  );
  const brokerWords = o
    .value('broker-list')!
    .split(',')
    .filter((b) => b !== '');
  if (brokerWords.some((b) => !/^-?\d+$/.test(b.trim())))
    throw new KafkaToolExit(1, `For input string: "${brokerWords.find((b) => !/^-?\d+$/.test(b.trim()))}"`);
  const asked = [...new Set(brokerWords.map(Number))].sort((a, b) => a - b);
  const props = o.has('command-config') ? loadProperties(o.value('command-config')!) : {};
  const { cluster } = await clientFor(o.value('bootstrap-server')!, props, [], 'log-dirs-tool');
  const out = cliIo().stdout;
  return runOnCluster(cluster, async () => {
    await cluster.withRetries('Metadata', () => cluster.metadata([]));
    const known = cluster.knownBrokers.map((b) => b.nodeId);
    const missing = asked.filter((id) => !known.includes(id));
    if (missing.length > 0)
      throw new KafkaToolExit(
        1,
        `ERROR: The given brokers do not exist from --broker-list: ${missing.join(',')}. Current existent brokers: ${known.join(',')}`,
      );
    const brokers = asked.length > 0 ? asked : known;
    out.write('Querying brokers for log directories information\n');
    const described = await Promise.all(
      brokers.map(async (id) => {
        const request = defaultDescribeLogDirsRequest();
        request.topics = null;
        const response = await (await cluster.toNode(id)).send(DescribeLogDirsApi, request);
        if (response.errorCode !== 0) throw new KafkaClientError(response.errorCode, `DescribeLogDirs on ${id}`);
        const logDirs = response.results.map((dir) => {
          const partitions = dir.topics
            .filter((t) => topics.size === 0 || topics.has(t.name))
            .flatMap((t) => t.partitions.map((p) => ({ topic: t.name, p })))
            .sort((a, b) =>
              a.topic === b.topic ? a.p.partitionIndex - b.p.partitionIndex : a.topic < b.topic ? -1 : 1,
            )
            .map(
              ({ topic, p }) =>
                `{"partition":${JSON.stringify(`${topic}-${p.partitionIndex}`)},"size":${p.partitionSize},"offsetLag":${p.offsetLag},"isFuture":${p.isFutureKey}}`,
            );
          const error = dir.errorCode === 0 ? 'null' : JSON.stringify(errorClass(dir.errorCode));
          return `{"partitions":[${partitions.join(',')}],"error":${error},"logDir":${JSON.stringify(dir.logDir)}}`;
        });
        return `{"broker":${id},"logDirs":[${logDirs.join(',')}]}`;
      }),
    );
    out.write(`Received log directory information from brokers ${brokers.join(',')}\n`);
    out.write(`{"brokers":[${described.join(',')}],"version":1}\n`);
    return 0;
  });
}
