/**
 * The client properties of Kafka's tools (--command-config, --producer.config, --consumer.config,
 * --producer-property, --consumer-property) over Gregor's client: the security settings go to
 * src/client/security.ts (which checks them); the settings a tool reads are handed to it; the
 * tuning settings that change no observable behaviour of these tools (batching, buffer sizes,
 * metadata ages) are accepted as they are; a name Kafka's Java clients do not know at all is warned
 * about and left out, as they do ("supplied but isn't a known config"); any other setting of Kafka's
 * clients is refused naming it, since Gregor's client would not do what it asks.
 */
import { readFileSync } from 'node:fs';
import { Cluster } from '../../client/cluster.js';
import { CLIENT_SECURITY_KEYS, ClientConfigError, clientSecurityFrom, parseProperties } from '../../client/security.js';
import { KafkaToolExit } from './options.js';
import { cliIo } from '../io.js';
import {
  connectFailureWarning,
  executionFailure,
  isAdminTimeout,
  javaMessage,
  metadataIssueWarning,
  type ClientLogContext,
} from './messages.js';
import { JAVA_CLIENT_CONFIG_NAMES } from './java-client-config-names.js';
import { checkBootstrapAddresses } from './bootstrap-addresses.js';

/** Settings of Kafka's clients that tune batching, buffers or caches: no effect a user can observe here. */
export const TUNING_KEYS: readonly string[] = [
  'linger.ms',
  'batch.size',
  'buffer.memory',
  'send.buffer.bytes',
  'receive.buffer.bytes',
  'metadata.max.age.ms',
  'max.block.ms',
  'reconnect.backoff.ms',
  'reconnect.backoff.max.ms',
  'connections.max.idle.ms',
  'fetch.min.bytes',
  'fetch.max.bytes',
  'fetch.max.wait.ms',
  'max.partition.fetch.bytes',
  'max.poll.records',
  'max.in.flight.requests.per.connection',
  'delivery.timeout.ms',
  'socket.connection.setup.timeout.ms',
  'socket.connection.setup.timeout.max.ms',
  'check.crcs',
  'client.dns.lookup',
];

/**
 * The settings of Kafka's clients read here for every tool: the client id, a request's timeout, and
 * the admin client's retry budget (a call is retried until default.api.timeout.ms has passed,
 * backing off from retry.backoff.ms up to retry.backoff.max.ms).
 */
const CLIENT_KEYS: readonly string[] = [
  'client.id',
  'request.timeout.ms',
  'default.api.timeout.ms',
  'retry.backoff.ms',
  'retry.backoff.max.ms',
];

function positiveSetting(own: Record<string, string>, key: string, fallback: number): number {
  const raw = own[key];
  if (raw === undefined) return fallback;
  const value = Number(raw.trim());
  if (!Number.isInteger(value) || value < 0 || (value === 0 && key !== 'retry.backoff.ms'))
    throw new KafkaToolExit(1, `Invalid value ${raw} for configuration ${key}`);
  return value;
}

/** Utils.loadProps: a properties file, or exit 1 as Kafka's tools fail on an unreadable one. */
export function loadProperties(path: string): Record<string, string> {
  try {
    return parseProperties(readFileSync(path, 'utf8'));
  } catch (err) {
    const reason = err instanceof Error && 'code' in err && err.code === 'ENOENT' ? ' (No such file or directory)' : '';
    throw new KafkaToolExit(1, `${path}${reason || `: ${err instanceof Error ? err.message : String(err)}`}`);
  }
}

export interface ClientProps {
  /** Settings the tool reads (its own keys), security and tuning keys taken out. */
  own: Record<string, string>;
  cluster: Cluster;
}

/**
 * Checks `props` (the tool's `ownKeys`, security settings and tuning settings are allowed) and
 * opens the cluster view for `bootstrap` (CLIENT_KEYS are read here), whose addresses are checked first
 * as Kafka's client constructors check them (bootstrap-addresses.ts). `callTimeoutMs` is the tool's
 * own timeout option (kafka-consumer-groups' --timeout), which replaces default.api.timeout.ms.
 * An admin tool (`role`) takes a topic the broker does not know as final; a producer or consumer
 * waits for it within its budget, as Kafka's do.
 */
export async function clientFor(
  bootstrap: string,
  props: Record<string, string>,
  ownKeys: readonly string[],
  defaultClientId: string,
  callTimeoutMs?: number,
  role: 'admin' | 'producer' | 'consumer' = 'admin',
  consumerGroupId: string | null = null,
  bootstrapControllers = false,
): Promise<ClientProps> {
  const security: Record<string, string> = {};
  const own: Record<string, string> = {};
  const refused: string[] = [];
  for (const [key, value] of Object.entries(props)) {
    if (CLIENT_SECURITY_KEYS.includes(key)) security[key] = value;
    else if (ownKeys.includes(key) || CLIENT_KEYS.includes(key)) own[key] = value;
    else if (key === 'bootstrap.servers' || TUNING_KEYS.includes(key)) continue;
    else if (!JAVA_CLIENT_CONFIG_NAMES.has(key))
      // Not a setting of Kafka's clients at all: the Java clients warn (AbstractConfig.logUnused) and go on.
      cliIo().stderr.write(`WARN The configuration '${key}' was supplied but isn't a known config.\n`);
    else refused.push(key);
  }
  if (refused.length > 0)
    throw new KafkaToolExit(
      1,
      `Gregor's tools do not support the client setting${refused.length > 1 ? 's' : ''} ${refused.join(', ')}: remove ${refused.length > 1 ? 'them' : 'it'} (see docs/tools.md)`,
    );
  const bootstrapEntries = Cluster.parseBootstrap(bootstrap);
  await checkBootstrapAddresses(bootstrapEntries, role);
  let clientSecurity;
  try {
    clientSecurity = clientSecurityFrom(security);
  } catch (err) {
    if (err instanceof ClientConfigError) throw new KafkaToolExit(1, err.message);
    throw err;
  }
  const clientId = own['client.id'] ?? defaultClientId;
  const logContext: ClientLogContext =
    role === 'consumer' ? { role, clientId, groupId: consumerGroupId } : { role, clientId };
  const cluster = new Cluster({
    bootstrap: bootstrapEntries,
    bootstrapControllers,
    clientId,
    // As Kafka's clients log each attempt that reaches no broker (WARN, on stderr with the tools' log4j).
    onConnectFailure: (failure) => cliIo().stderr.write(connectFailureWarning(logContext, failure)),
    // A producer's or consumer's metadata updater warns of topics with errors; the admin client does not.
    ...(role === 'admin'
      ? {}
      : {
          onMetadataIssues: (correlationId: number, issues: ReadonlyArray<{ topic: string; errorCode: number }>) =>
            cliIo().stderr.write(metadataIssueWarning(logContext, correlationId, issues)),
        }),
    requestTimeoutMs: positiveSetting(own, 'request.timeout.ms', 30_000),
    apiTimeoutMs: callTimeoutMs ?? positiveSetting(own, 'default.api.timeout.ms', 60_000),
    retryBackoffMs: positiveSetting(own, 'retry.backoff.ms', 100),
    retryBackoffMaxMs: positiveSetting(own, 'retry.backoff.max.ms', 1000),
    unknownTopicIsFinal: role === 'admin',
    security: clientSecurity,
  });
  return { own, cluster };
}

/**
 * Runs an admin tool's work on its cluster connection, closed after: a KafkaToolExit ends the tool
 * as it says; any other error is one line on stderr (Kafka's tools print the exception's message)
 * and exit code 1.
 */
export async function runOnCluster(cluster: Cluster, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (err) {
    if (err instanceof KafkaToolExit) throw err;
    // A timed-out admin future: its ExecutionException, as the tools' mainNoExit prints it.
    cliIo().stderr.write(`${isAdminTimeout(err) ? executionFailure(err) : javaMessage(err)}\n`);
    return 1;
  } finally {
    cluster.close();
  }
}
