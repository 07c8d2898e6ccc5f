/**
 * Nodes started the way Kafka's documentation tells users to start a KRaft cluster: a server.properties
 * per node in the style of Kafka 3.9's config/kraft/server.properties (process.roles, node.id,
 * controller.quorum.voters, listeners, advertised.listeners, controller.listener.names,
 * listener.security.protocol.map, inter.broker.listener.name, log.dirs), its log dir formatted with
 * `kafka-storage format -t <id> -c <file>`, then `gregor start <file>` (the built bin/gregor.cjs, as
 * kafka-server-start.sh <file>). Each node is a real process; what it prints is kept for the test.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Test } from 'tap';
import { GREGOR_BIN } from './cli.js';
import { kafkaTool } from './kafka-tools.js';
import { freePort } from './ports.js';

export interface KraftNodeSpec {
  nodeId: number;
  roles: 'broker,controller' | 'broker' | 'controller';
  /** The broker listener's port (none on a controller-only node). */
  brokerPort?: number;
  /** The controller listener's port (none on a broker-only node). */
  controllerPort?: number;
  /** controller.quorum.voters, e.g. `1@127.0.0.1:9093,2@127.0.0.1:9094`. */
  voters: string;
  logDir: string;
  /** More lines (or lines that replace the ones above, by name). */
  extra?: Record<string, string>;
}

/** The properties of one node, as Kafka 3.9's config/kraft/*.properties lay them out. */
export function kraftProperties(spec: KraftNodeSpec): Record<string, string> {
  const listeners: string[] = [];
  if (spec.brokerPort !== undefined) listeners.push(`PLAINTEXT://127.0.0.1:${spec.brokerPort}`);
  if (spec.controllerPort !== undefined) listeners.push(`CONTROLLER://127.0.0.1:${spec.controllerPort}`);
  return {
    'process.roles': spec.roles,
    'node.id': String(spec.nodeId),
    'controller.quorum.voters': spec.voters,
    listeners: listeners.join(','),
    ...(spec.roles === 'controller' ? {} : { 'inter.broker.listener.name': 'PLAINTEXT' }),
    'advertised.listeners': listeners.join(','),
    'controller.listener.names': 'CONTROLLER',
    'listener.security.protocol.map':
      'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL',
    'num.network.threads': '3',
    'num.io.threads': '8',
    'log.dirs': spec.logDir,
    'num.partitions': '1',
    'offsets.topic.replication.factor': '1',
    'transaction.state.log.replication.factor': '1',
    'transaction.state.log.min.isr': '1',
    ...spec.extra,
  };
}

/** Writes `entries` as a properties file `name` in `dir`; returns its path. */
export function writeProperties(dir: string, name: string, entries: Record<string, string>): string {
  const file = join(dir, name);
  const lines = Object.entries(entries).map(([k, v]) => `${k}=${v}`);
  writeFileSync(file, `# written by test/helpers/kraft-properties.ts\n${lines.join('\n')}\n`);
  return file;
}

/** `kafka-storage format -t <clusterId> -c <file>`; throws with its output when it fails. */
export async function formatStorage(file: string, clusterId: string): Promise<void> {
  const result = await kafkaTool('kafka-storage', ['format', '-t', clusterId, '-c', file]);
  if (result.code !== 0) throw new Error(`kafka-storage format -c ${file} failed: ${result.stderr}${result.stdout}`);
}

export interface KraftProcess {
  child: ChildProcess;
  /** stdout and stderr so far, interleaved. */
  output(): string;
  /** Resolves with the exit code once the process is gone. */
  exited: Promise<number | null>;
  /** Resolves once the output matches (rejects after `timeoutMs`, or when the process exits first). */
  waitForOutput(pattern: RegExp, timeoutMs: number): Promise<void>;
  /** Sends `signal` (if still running) and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * The apache/kafka image's environment for these properties: KAFKA_ + the name in upper case with
 * dots as underscores (KAFKA_NODE_ID, KAFKA_CONTROLLER_QUORUM_VOTERS, ...), cluster.id as CLUSTER_ID.
 */
export function kafkaEnvironment(entries: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(entries)) {
    if (name === 'cluster.id') env.CLUSTER_ID = value;
    else env[`KAFKA_${name.toUpperCase().replace(/\./g, '_')}`] = value;
  }
  return env;
}

/** `gregor start <file>` (or, without a file, `gregor start` configured by `env` alone) as a child process, not waited for. */
export function startWithProperties(file: string | null, env: NodeJS.ProcessEnv = {}): KraftProcess {
  const child = spawn(process.execPath, [GREGOR_BIN, 'start', ...(file === null ? [] : [file])], {
    env: { ...process.env, GREGOR_LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const listeners = new Set<() => void>();
  const onData = (d: Buffer): void => {
    out += d.toString();
    for (const listener of listeners) listener();
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  const waitForOutput = (pattern: RegExp, timeoutMs: number): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      const check = (): void => {
        if (pattern.test(out)) finish(null);
      };
      const timer = setTimeout(() => finish(new Error(`no ${pattern} within ${timeoutMs} ms in:\n${out}`)), timeoutMs);
      const finish = (error: Error | null): void => {
        clearTimeout(timer);
        listeners.delete(check);
        if (error) reject(error);
        else resolve();
      };
      listeners.add(check);
      void exited.then(() => finish(pattern.test(out) ? null : new Error(`exited before ${pattern}:\n${out}`)));
      check();
    });
  return {
    child,
    output: () => out,
    exited,
    waitForOutput,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Resolves with the exit code, or 'running' if the process is still running after `timeoutMs`. */
export async function exitWithin(node: KraftProcess, timeoutMs: number): Promise<number | null | 'running'> {
  let timer: NodeJS.Timeout | undefined;
  const running = new Promise<'running'>((resolve) => (timer = setTimeout(() => resolve('running'), timeoutMs)));
  const result = await Promise.race([node.exited, running]);
  clearTimeout(timer);
  return result;
}

export interface KraftClusterSpec {
  /**
   * 'combined': `brokers` nodes (ids 1..n) with both roles, each a voter; 'split': three controllers
   * (ids 1-3) and `brokers` broker-only nodes (ids 4..).
   */
  layout: 'combined' | 'split';
  brokers: number;
  clusterId: string;
  /** More lines for every node (timeouts, say). */
  extra?: Record<string, string>;
  /** More lines for the nodes with the broker role only (Kafka's config/kraft/broker.properties settings). */
  brokerExtra?: Record<string, string>;
  /** The temp dir's name prefix, so a leftover dir says which test made it. */
  name: string;
}

export interface KraftCluster {
  root: string;
  /** Each node's properties file, in node id order (controllers first in split mode). */
  files: string[];
  /** Each node's current process, by the same index as `files` (`restart` replaces one). */
  nodes: KraftProcess[];
  /** The broker listeners' ports, in broker order. */
  brokerPorts: number[];
  /** `host:port` of every broker, for a client's bootstrap list. */
  bootstrap: string[];
  /** Starts node `index` again from its file (after a stop) and waits until it serves again. */
  restart(index: number, timeoutMs?: number): Promise<KraftProcess>;
}

const SERVING = /caught up with the metadata log and unfenced/;

/**
 * Formats and starts a cluster from Kafka-style properties files and waits until every broker is
 * caught up and unfenced. Every process is killed (SIGKILL) and the dir removed when the test ends.
 */
export async function startKraftCluster(t: Test, spec: KraftClusterSpec): Promise<KraftCluster> {
  const root = mkdtempSync(join(tmpdir(), `gregor-${spec.name}-`));
  const started: KraftProcess[] = [];
  t.teardown(async () => {
    await Promise.all(started.map((p) => p.stop('SIGKILL')));
    rmSync(root, { recursive: true, force: true });
  });
  const brokerPorts: number[] = [];
  for (let i = 0; i < spec.brokers; i++) brokerPorts.push(await freePort());
  const controllerCount = spec.layout === 'combined' ? spec.brokers : 3;
  const controllerPorts: number[] = [];
  for (let i = 0; i < controllerCount; i++) controllerPorts.push(await freePort());
  const voters = controllerPorts.map((p, i) => `${i + 1}@127.0.0.1:${p}`).join(',');
  const extra = spec.extra ?? {};
  const brokerExtra = { ...extra, ...spec.brokerExtra };
  const files =
    spec.layout === 'combined'
      ? brokerPorts.map((brokerPort, i) => {
          const props = kraftProperties({
            nodeId: i + 1,
            roles: 'broker,controller',
            brokerPort,
            controllerPort: controllerPorts[i],
            voters,
            logDir: join(root, `node-${i + 1}`),
            extra: brokerExtra,
          });
          return writeProperties(root, `server-${i + 1}.properties`, props);
        })
      : [
          ...controllerPorts.map((controllerPort, i) => {
            const logDir = join(root, `c${i + 1}`);
            const props = kraftProperties({
              nodeId: i + 1,
              roles: 'controller',
              controllerPort,
              voters,
              logDir,
              extra,
            });
            return writeProperties(root, `controller-${i + 1}.properties`, props);
          }),
          ...brokerPorts.map((brokerPort, i) => {
            const logDir = join(root, `b${i + 4}`);
            const props = kraftProperties({
              nodeId: i + 4,
              roles: 'broker',
              brokerPort,
              voters,
              logDir,
              extra: brokerExtra,
            });
            return writeProperties(root, `broker-${i + 4}.properties`, props);
          }),
        ];
  for (const file of files) await formatStorage(file, spec.clusterId);
  const nodes = files.map((file) => startWithProperties(file));
  started.push(...nodes);
  const brokerIndexes = spec.layout === 'combined' ? nodes.keys() : [...nodes.keys()].slice(3);
  for (const index of brokerIndexes) await nodes[index]!.waitForOutput(SERVING, 120_000);
  return {
    root,
    files,
    nodes,
    brokerPorts,
    bootstrap: brokerPorts.map((p) => `127.0.0.1:${p}`),
    restart: async (index, timeoutMs = 60_000) => {
      const node = startWithProperties(files[index]!);
      started.push(node);
      nodes[index] = node;
      if (spec.layout === 'combined' || index >= 3) await node.waitForOutput(SERVING, timeoutMs);
      return node;
    },
  };
}
