/**
 * `controller.quorum.bootstrap.servers` (host:port of controller listeners) for a broker-only process
 * that is given it instead of `controller.quorum.voters`: the broker asks the bootstrap servers in turn
 * with DescribeQuorum v2, whose `nodes` (KIP-853) name every voter with its controller endpoints, and
 * takes that static voter set; from then on it is an observer exactly as with controller.quorum.voters.
 * Only a controller listener counts (its ApiVersions lists Vote): a broker listener would answer the
 * forwarded DescribeQuorum, but Kafka's brokers find the leader with a metadata-log Fetch that only
 * controllers serve. Start-up waits until one answers (Kafka's brokers, too, wait for the controllers),
 * logging the wait every `logEveryMs`, and fails after initial.broker.registration.timeout.ms with
 * Kafka's "unable to register" reason.
 * Leaves out: dynamic quorums (KIP-853: a controller started from bootstrap servers alone, AddRaftVoter,
 * RemoveRaftVoter). A controller given bootstrap servers but no voters is refused at start-up
 * (`refuseDynamicQuorum`) instead of forming a quorum of its own, except the standalone case
 * (`withStandaloneQuorum`: bootstrap servers naming only its own controller listener). Kafka's brokers discover the leader
 * with Fetch to the bootstrap servers; Gregor's use DescribeQuorum (its observers already do).
 */
import { ConfigError, type BrokerConfig } from '../common/config.js';
import { hostname } from 'node:os';
import type { Clock } from '../common/clock.js';
import { StartupError } from '../common/startup-error.js';
import { schedulerFor } from '../common/scheduler.js';
import type { Logger } from '../common/logger.js';
import type { Transport } from '../common/transport.js';
import { ApiVersionsApi } from '../../protocol/generated/messages/18-api-versions.js';
import {
  DescribeQuorumApi,
  type DescribeQuorumResponse,
} from '../../protocol/generated/messages/55-describe-quorum.js';
import { PeerClient, type PeerAddress } from './peer-client.js';
import { METADATA_PARTITION, METADATA_TOPIC } from './raft-wire.js';

/** Parses `host:port,...` (IPv6 hosts in brackets), as Kafka's QuorumConfig.parseBootstrapServers. */
export function parseBootstrapServers(entries: readonly string[]): PeerAddress[] {
  const servers: PeerAddress[] = [];
  for (const raw of entries) {
    const entry = raw.trim();
    if (entry === '') continue;
    const m = /^(\[[^\]]+\]|[^:@\s[\]]+):(\d+)$/.exec(entry);
    const port = m ? Number(m[2]) : -1;
    if (!m || port < 1 || port > 65535)
      throw new ConfigError(`controller.quorum.bootstrap.servers entry "${entry}" is not of the form host:port`);
    servers.push({ host: m[1]!.replace(/^\[|\]$/g, ''), port });
  }
  return servers;
}

const LOCAL_HOSTS = new Set(['', 'localhost', '127.0.0.1', '::1', '0.0.0.0', '::']);

/**
 * Kafka 3.9's quickstart (`config/kraft/reconfig-server.properties`, formatted with `kafka-storage
 * format --standalone`) and Kafka 4's `config/server.properties`: a controller with no voters whose
 * controller.quorum.bootstrap.servers name only its own controller listener. Kafka makes it its
 * quorum's only voter; so does this, as controller.quorum.voters=<node.id>@<that address> (a static
 * quorum of one: voters cannot be added later, AddRaftVoter is not served). Any other config is
 * returned unchanged.
 */
export function withStandaloneQuorum(config: BrokerConfig): BrokerConfig {
  if (!config.list('process.roles').includes('controller')) return config;
  if (config.list('controller.quorum.voters').some((v) => v.trim() !== '')) return config;
  const servers = parseBootstrapServers(config.list('controller.quorum.bootstrap.servers'));
  if (servers.length === 0) return config;
  const controllerNames = new Set(config.list('controller.listener.names').map((n) => n.toUpperCase()));
  const own: Array<{ host: string; port: number }> = [];
  for (const listener of config.list('listeners')) {
    const m = /^(.+):\/\/(\[[^\]]*\]|[^:]*):(\d+)$/.exec(listener.trim());
    if (m && controllerNames.has(m[1]!.toUpperCase()))
      own.push({ host: m[2]!.replace(/^\[|\]$/g, ''), port: Number(m[3]) });
  }
  const local = (host: string): boolean => LOCAL_HOSTS.has(host) || host === hostname();
  const isOwn = (s: PeerAddress): boolean => own.some((l) => l.port === s.port && (l.host === s.host || local(s.host)));
  if (own.length === 0 || !servers.every(isOwn)) return config;
  const first = servers[0]!;
  const host = first.host.includes(':') ? `[${first.host}]` : first.host;
  return config.with({ 'controller.quorum.voters': `${config.nodeId()}@${host}:${first.port}` });
}

/**
 * The voters of the metadata quorum when controller.quorum.voters is empty but
 * controller.quorum.bootstrap.servers is set (a broker-only process): asked of the bootstrap
 * servers, waiting for them to answer. Undefined otherwise (the quorum reads the config).
 */
export async function votersFromBootstrapServers(
  config: BrokerConfig,
  deps: Pick<VoterDiscoveryOptions, 'clock' | 'logger' | 'stopped' | 'transport'>,
): Promise<ReadonlyMap<number, PeerAddress> | undefined> {
  if (config.list('controller.quorum.voters').some((v) => v.trim() !== '')) return undefined;
  const servers = parseBootstrapServers(config.list('controller.quorum.bootstrap.servers'));
  if (servers.length === 0) return undefined;
  return discoverVoters({
    ...deps,
    servers,
    giveUpAfterMs: config.int('initial.broker.registration.timeout.ms'),
    listenerName: (config.list('controller.listener.names')[0] ?? 'CONTROLLER').toUpperCase(),
    requestTimeoutMs: config.int('controller.quorum.request.timeout.ms'),
    retryBackoffMs: 250,
  });
}

/** A process with the controller role needs the static voter set: Gregor has no dynamic quorum. */
export function refuseDynamicQuorum(roles: readonly string[], voters: number, bootstrapServers: number): void {
  if (roles.includes('controller') && voters === 0 && bootstrapServers > 0)
    throw new ConfigError(
      'controller.quorum.bootstrap.servers without controller.quorum.voters makes a dynamic quorum (KIP-853), ' +
        'which Gregor does not implement: set controller.quorum.voters (id@host:port of every controller) on the controllers',
    );
}

/** The voters named by a DescribeQuorum v2 answer, at their endpoint on `listenerName` (else their first). */
export function votersFromDescribeQuorum(
  response: DescribeQuorumResponse,
  listenerName: string,
): Map<number, PeerAddress> | null {
  if (response.errorCode !== 0 || response.nodes.length === 0) return null;
  const partition = response.topics[0]?.partitions[0];
  const voterIds = partition && partition.errorCode === 0 ? partition.currentVoters.map((v) => v.replicaId) : [];
  const voters = new Map<number, PeerAddress>();
  for (const node of response.nodes) {
    if (voterIds.length > 0 && !voterIds.includes(node.nodeId)) continue; // an observer's endpoints
    const endpoint = node.listeners.find((l) => l.name.toUpperCase() === listenerName) ?? node.listeners[0];
    if (endpoint) voters.set(node.nodeId, { host: endpoint.host, port: endpoint.port });
  }
  return voters.size > 0 ? voters : null;
}

export interface VoterDiscoveryOptions {
  readonly servers: readonly PeerAddress[];
  /** The first of controller.listener.names: the voters' endpoint to use. */
  readonly listenerName: string;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly requestTimeoutMs: number;
  readonly retryBackoffMs: number;
  /** True once start-up is abandoned (the process is stopping). */
  readonly stopped: () => boolean;
  readonly transport?: Transport;
  readonly logEveryMs?: number;
  /**
   * initial.broker.registration.timeout.ms: with no controller found by then, start-up fails as
   * Kafka's broker gives up registering (it finds the leader through the bootstrap servers).
   */
  readonly giveUpAfterMs?: number;
}

/** Vote (52): served on controller listeners only, so an ApiVersions answer without it is a broker's. */
const VOTE_API_KEY = 52;

/** Asks the bootstrap servers in turn until one names the voters; rejects when `stopped()` turns true. */
export async function discoverVoters(options: VoterDiscoveryOptions): Promise<Map<number, PeerAddress>> {
  const ids = options.servers.map((_, i) => -2 - i); // Kafka's ids for bootstrap nodes: -2, -3, ...
  const peers = new PeerClient(new Map(options.servers.map((address, i) => [ids[i]!, address])), {
    clock: options.clock,
    clientId: 'quorum-bootstrap',
    requestTimeoutMs: options.requestTimeoutMs,
    reconnectBackoffMs: 0,
    ...(options.transport ? { transport: options.transport } : {}),
  });
  const text = options.servers.map((s) => `${s.host}:${s.port}`).join(',');
  const started = options.clock.now();
  let loggedAt = started;
  const notController = new Set<string>();
  try {
    for (let attempt = 0; !options.stopped(); attempt++) {
      const id = ids[attempt % ids.length]!;
      const server = options.servers[attempt % ids.length]!;
      try {
        // A broker listener answers DescribeQuorum too (it forwards it), but Kafka's brokers find the
        // quorum leader with a Fetch of the metadata log, which only controller listeners serve: a
        // bootstrap server that is a broker's listener leads nowhere there, so not here either.
        const versions = await peers.request(id, ApiVersionsApi, 0, {
          clientSoftwareName: '',
          clientSoftwareVersion: '',
        });
        if (versions.errorCode === 0 && !versions.apiKeys.some((k) => k.apiKey === VOTE_API_KEY)) {
          notController.add(`${server.host}:${server.port}`);
          throw new Error('not a controller listener');
        }
        const response = await peers.request(id, DescribeQuorumApi, 2, {
          topics: [{ topicName: METADATA_TOPIC, partitions: [{ partitionIndex: METADATA_PARTITION }] }],
        });
        const voters = votersFromDescribeQuorum(response, options.listenerName);
        if (voters) {
          const named = [...voters].map(([v, a]) => `${v}@${a.host}:${a.port}`).join(',');
          options.logger.info(
            { bootstrapServers: text, voters: named },
            'metadata quorum voters from the bootstrap servers',
          );
          return voters;
        }
      } catch (err) {
        options.logger.debug({ err, server }, 'quorum bootstrap: no answer');
      }
      const now = options.clock.now();
      if (options.giveUpAfterMs !== undefined && now - started >= options.giveUpAfterMs)
        throw new StartupError(
          `Shutting down because we were unable to register with the controller quorum: no active controller was found at controller.quorum.bootstrap.servers=${text} within initial.broker.registration.timeout.ms=${options.giveUpAfterMs}`,
        );
      if (now - loggedAt >= (options.logEveryMs ?? 10_000) || (attempt < ids.length && notController.size > 0)) {
        loggedAt = now;
        options.logger.warn(
          { bootstrapServers: text, waitedMs: now - started },
          notController.size > 0
            ? `waiting for the controllers at controller.quorum.bootstrap.servers: ${[...notController].join(', ')} answered as a broker listener, not a controller listener (name the controllers' ${options.listenerName} listeners)`
            : 'waiting for the controllers at controller.quorum.bootstrap.servers to answer DescribeQuorum',
        );
      }
      if ((attempt + 1) % ids.length === 0)
        await new Promise<void>((r) => schedulerFor(options.clock).after(options.retryBackoffMs, r));
    }
    throw new StartupError(`stopped before the controllers at controller.quorum.bootstrap.servers=${text} answered`);
  } finally {
    peers.close();
  }
}
