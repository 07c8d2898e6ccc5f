/**
 * What every `gregor` tool command shares: the cluster connection from -b / GREGOR_BROKERS,
 * and its security settings from `-X key=value` and `--command-config client.properties`
 * (Kafka's client property names; -X wins over the file).
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { Cluster } from '../../client/cluster.js';
import { ClientConfigError, clientSecurityFrom, parseProperties, type ClientSecurity } from '../../client/security.js';
import { UsageError } from '../output.js';
import { cliIo } from '../io.js';

export const DEFAULT_BOOTSTRAP = '127.0.0.1:9092';

export interface ClusterFlags {
  bootstrapServer?: string;
  clientId?: string;
  requestTimeout?: string;
  X?: string[];
  commandConfig?: string;
}

/** Adds -b/--bootstrap-server and --client-id to a command. */
export function withClusterOptions(command: Command): Command {
  return command
    .option(
      '-b, --bootstrap-server <hosts>',
      `brokers to bootstrap from, host:port[,host:port] (env GREGOR_BROKERS, default ${DEFAULT_BOOTSTRAP})`,
    )
    .option('--client-id <id>', 'client id sent to the brokers', 'gregor-cli')
    .option('--request-timeout <ms>', 'how long one request may take', '30000')
    .option('-X <key=value>', 'a client security setting (security.protocol, ssl.*, sasl.*), repeatable', collect, [])
    .option('--command-config <file>', 'a client properties file with security settings');
}

/** The client properties of --command-config with -X over them, unchecked. */
export function securityPropsFrom(flags: ClusterFlags): Record<string, string> {
  let props: Record<string, string> = {};
  if (flags.commandConfig !== undefined) {
    let text: string;
    try {
      text = readFileSync(flags.commandConfig, 'utf8');
    } catch (err) {
      throw new UsageError(
        `--command-config: cannot read ${flags.commandConfig}: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
    props = parseProperties(text);
  }
  return { ...props, ...keyValues('-X', flags.X ?? []) };
}

/** The security settings of -X and --command-config; a bad one is a usage error (exit 2). */
export function securityFrom(
  flags: ClusterFlags,
  props: Record<string, string> = securityPropsFrom(flags),
): ClientSecurity {
  try {
    return clientSecurityFrom(props);
  } catch (err) {
    if (err instanceof ClientConfigError) throw new UsageError(err.message);
    throw err;
  }
}

export function clusterFrom(flags: ClusterFlags, security: ClientSecurity = securityFrom(flags)): Cluster {
  const bootstrap = flags.bootstrapServer ?? cliIo().env['GREGOR_BROKERS'] ?? DEFAULT_BOOTSTRAP;
  const timeout = Number(flags.requestTimeout ?? '30000');
  if (!Number.isInteger(timeout) || timeout <= 0)
    throw new UsageError(`--request-timeout takes a positive number of ms, not "${flags.requestTimeout}"`);
  return new Cluster({
    bootstrap: Cluster.parseBootstrap(bootstrap),
    clientId: flags.clientId ?? 'gregor-cli',
    requestTimeoutMs: timeout,
    security,
  });
}

/** Runs `body` with a cluster that is closed afterwards. */
export async function withCluster<T>(flags: ClusterFlags, body: (cluster: Cluster) => Promise<T>): Promise<T> {
  const cluster = clusterFrom(flags);
  try {
    return await body(cluster);
  } finally {
    cluster.close();
  }
}

export function positiveInt(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${name} takes a whole number ≥ 1, not "${value}"`);
  return n;
}

/** Parses repeated `key=value` options into a record. */
export function keyValues(name: string, values: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of values) {
    const eq = kv.indexOf('=');
    if (eq <= 0) throw new UsageError(`${name} takes key=value, not "${kv}"`);
    out[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  return out;
}

export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
