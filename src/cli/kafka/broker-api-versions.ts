/**
 * kafka-broker-api-versions.sh (Kafka 3.9's BrokerApiVersionsCommand): --bootstrap-server and
 * --command-config; for every broker of the cluster's metadata (by node id) its ApiVersions answer
 * as Kafka prints it: `host:port (id: N rack: null) -> (` then a tab-indented line per API key in
 * key order, `Name(key): min to max [usable: v]` (`usable` is the newest version both the broker
 * and Gregor's protocol tables know; `[unusable: node too old|new]` otherwise), the ZooKeeper-era
 * APIs the broker does not list as `Name(key): UNSUPPORTED`, keys Gregor does not know as
 * `UNKNOWN(key)`; a broker that cannot be asked prints `-> ERROR: <exception>`.
 * Left out: --bootstrap-controller (Kafka 3.9's tool has none either).
 */
import { API_KEYS } from '../../../protocol/generated/api-keys.js';
import {
  ApiVersionsApi,
  defaultApiVersionsRequest,
  type ApiVersionsResponseApiVersion,
} from '../../../protocol/generated/messages/18-api-versions.js';
import { cliIo } from '../io.js';
import { clientFor, loadProperties, runOnCluster } from './client-config.js';
import { javaMessage } from './messages.js';
import {
  DEFAULT_OPTIONS,
  maybeHelpOrVersion,
  parseOptionsOrUsage,
  requireOptions,
  type OptionSpec,
} from './options.js';
import { KAFKA_VERSION } from './version.js';

const SPECS: readonly OptionSpec[] = [
  ...DEFAULT_OPTIONS,
  {
    name: 'command-config',
    arg: 'required',
    help: 'A property file containing configs to be passed to Admin Client.',
    describedAs: 'command config property file',
  },
  {
    name: 'bootstrap-server',
    arg: 'required',
    help: 'REQUIRED: The server to connect to.',
    describedAs: 'server(s) to use for bootstrapping',
  },
];

/** NodeApiVersions.toString(true): the APIs in key order, one a line. */
export function apiVersionsText(apis: readonly ApiVersionsResponseApiVersion[]): string {
  const lines = new Map<number, string>();
  for (const api of apis) {
    const known = API_KEYS.get(api.apiKey);
    const range = api.minVersion === api.maxVersion ? `${api.minVersion}` : `${api.minVersion} to ${api.maxVersion}`;
    if (!known) {
      lines.set(api.apiKey, `UNKNOWN(${api.apiKey}): ${range}`);
      continue;
    }
    const usable =
      known.maxVersion < api.minVersion
        ? '[unusable: node too new]'
        : api.maxVersion < known.minVersion
          ? '[unusable: node too old]'
          : `[usable: ${Math.min(known.maxVersion, api.maxVersion)}]`;
    lines.set(api.apiKey, `${known.name}(${api.apiKey}): ${range} ${usable}`);
  }
  for (const [key, info] of API_KEYS)
    if (info.listeners.includes('zkBroker') && !lines.has(key)) lines.set(key, `${info.name}(${key}): UNSUPPORTED`);
  const sorted = [...lines].sort((a, b) => a[0] - b[0]).map(([, text]) => text);
  return `(\n\t${sorted.join(',\n\t')}\n)`;
}

export async function kafkaBrokerApiVersions(args: readonly string[]): Promise<number> {
  const o = parseOptionsOrUsage(SPECS, args);
  maybeHelpOrVersion(o, 'This tool helps to retrieve broker version information.', KAFKA_VERSION);
  requireOptions(o, 'bootstrap-server');
  const props = o.has('command-config') ? loadProperties(o.value('command-config')!) : {};
  const { cluster } = await clientFor(o.value('bootstrap-server')!, props, [], 'admin-client-1');
  const out = cliIo().stdout;
  return runOnCluster(cluster, async () => {
    await cluster.withRetries('Metadata', () => cluster.metadata([]));
    for (const broker of cluster.knownBrokers) {
      const node = `${broker.host}:${broker.port} (id: ${broker.nodeId} rack: ${broker.rack ?? 'null'})`;
      try {
        const connection = await cluster.toNode(broker.nodeId);
        const response = await connection.send(ApiVersionsApi, defaultApiVersionsRequest());
        if (response.errorCode !== 0) throw new Error(`ApiVersions error code ${response.errorCode}`);
        out.write(`${node} -> ${apiVersionsText(response.apiKeys)}\n`);
      } catch (err) {
        out.write(`${node} -> ERROR: ${javaMessage(err)}\n`);
      }
    }
    return 0;
  });
}
