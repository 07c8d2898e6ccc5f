/**
 * A cluster of real Gregor processes on 127.0.0.1 for tests and benchmarks: bundles the sources once
 * with esbuild (well under a second; loading TypeScript through tsx in each process takes seconds),
 * picks free ports, spawns each node (`node <bundle> --override ...`), kills (SIGKILL) and restarts nodes,
 * and talks to them with PeerClient (DescribeQuorum, Metadata) over their PLAINTEXT listeners.
 * Ports are picked before the nodes start (the voters name them) outside the kernel's ephemeral range
 * (ports.ts); if a node still finds one taken (another test file picked it at the same moment), the
 * start is retried from scratch with fresh ports.
 * KEEP_CLUSTER_DIR=1 keeps the nodes' data dirs after stop() (the path is printed) for a post-mortem.
 * Nodes are combined broker+controller nodes (`start`), or, in split mode (`startSplit`), controller-only
 * nodes (process.roles=controller, a CONTROLLER listener alone) plus broker-only nodes (process.roles=broker,
 * a PLAINTEXT listener alone, controller.quorum.voters naming the controllers).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { build } from 'esbuild';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SystemClock } from '../../src/common/clock.js';
import { PeerClient } from '../../src/controller/peer-client.js';
import type { ApiDefinition } from '../../protocol/generated/api-definition.js';
import { DescribeQuorumApi } from '../../protocol/generated/messages/55-describe-quorum.js';
import { MetadataApi, type MetadataResponse } from '../../protocol/generated/messages/03-metadata.js';
import {
  FindCoordinatorApi,
  defaultFindCoordinatorRequest,
} from '../../protocol/generated/messages/10-find-coordinator.js';
import { freePort, isAddressInUse, listenerPorts, listensOn } from './ports.js';

export { freePort } from './ports.js';

/** How many times a cluster start is tried again when a node finds a port taken. */
const PORT_ATTEMPTS = 4;

/**
 * Short Raft timeouts and heartbeats for the multi-process tests (elections and fencing in well under a
 * second), and no initial rebalance delay for new groups.
 */
export const FAST_QUORUM_SETTINGS: Readonly<Record<string, string>> = {
  'controller.quorum.election.timeout.ms': '500',
  'controller.quorum.fetch.timeout.ms': '1000',
  'controller.quorum.election.backoff.max.ms': '500',
  'controller.quorum.request.timeout.ms': '1000',
  'broker.heartbeat.interval.ms': '200',
  // A new classic group rebalances at once (Kafka's own integration tests set 0 too): each kafkajs
  // read-back consumer in its own group otherwise waits the 3 s default before its first assignment.
  'group.initial.rebalance.delay.ms': '0',
};

/** What a node runs as: both roles (Kafka's combined mode), or one of them (split mode). */
export type NodeRole = 'combined' | 'controller' | 'broker';

export interface ClusterNode {
  id: number;
  role: NodeRole;
  /** The PLAINTEXT listener; on a controller-only node its CONTROLLER listener (DescribeQuorum is served there). */
  port: number;
  controllerPort: number;
  dir: string;
  process: ChildProcess | null;
  /** Lines the node printed on stdout and nobody has read yet (entries other than node-process.ts). */
  lines: string[];
  lineWaiters: Array<(line: string) => void>;
  /** The last few KiB the node printed on stderr (passed on to ours as well). */
  stderrTail: string;
  /** The ports of its `listeners` at its last spawn. */
  listenPorts: number[];
}

export interface QuorumView {
  leaderId: number;
  leaderEpoch: number;
  highWatermark: number;
  /** The leader's own log end (from its entry in currentVoters), -1 if absent. */
  leaderEndOffset: number;
}

const ROOT = resolve(import.meta.dirname, '../..');

/**
 * Bundles test/helpers/node-process.ts (or another entry; an absolute path may name another source
 * tree, as the benchmarks' baseline runs do) into one ESM file next to node_modules (packages stay external).
 */
export async function bundleNode(entry: string): Promise<string> {
  const dir = mkdtempSync(join(ROOT, 'node_modules', '.gregor-quorum-'));
  mkdirSync(dir, { recursive: true });
  const outfile = join(dir, 'node.mjs');
  await build({
    entryPoints: [resolve(ROOT, entry)],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    outfile,
    logLevel: 'error',
  });
  return outfile;
}

export class ProcessCluster {
  readonly nodes: ClusterNode[] = [];
  readonly base: string;
  private client: PeerClient | null = null;
  private bundle = '';
  /** Settings of one node on top of the shared ones (its own listeners or voters: proxies in fault tests). */
  perNode: (node: ClusterNode) => Record<string, string> = () => ({});
  /** Keep the nodes' stdout (their log lines) in `node.lines` instead of passing it through. */
  captureStdout = false;

  constructor(
    private readonly extra: Record<string, string> = {},
    private readonly logLevel = 'warn',
    /** The node's main module; node-process.ts runs the plain CLI, voter-process.ts adds a load generator. */
    private readonly entry = 'test/helpers/node-process.ts',
  ) {
    this.base = mkdtempSync(join(tmpdir(), 'gregor-quorum-'));
  }

  /** `beforeSpawn` runs once the nodes have their ports, before any process starts (to set up proxies). */
  async start(count: number, beforeSpawn?: (nodes: ClusterNode[]) => Promise<void>): Promise<void> {
    await this.startNodes(
      Array.from({ length: count }, (): NodeRole => 'combined'),
      beforeSpawn,
    );
  }

  /** Broker-only nodes that find the controllers through controller.quorum.bootstrap.servers instead of the voters. */
  private readonly viaBootstrapServers = new Set<number>();

  /**
   * Split mode: `controllers` controller-only nodes (ids 1..) then `brokers` broker-only nodes; the
   * brokers in `viaBootstrapServers` are given controller.quorum.bootstrap.servers, the others the voters.
   */
  async startSplit(controllers: number, brokers: number, viaBootstrapServers: number[] = []): Promise<void> {
    for (const id of viaBootstrapServers) this.viaBootstrapServers.add(id);
    await this.startNodes([
      ...Array.from({ length: controllers }, (): NodeRole => 'controller'),
      ...Array.from({ length: brokers }, (): NodeRole => 'broker'),
    ]);
  }

  /** The nodes that serve clients (every node but the controller-only ones). */
  get brokers(): ClusterNode[] {
    return this.nodes.filter((n) => n.role !== 'controller');
  }

  /** The voters of the metadata quorum (every node but the broker-only ones). */
  get controllers(): ClusterNode[] {
    return this.nodes.filter((n) => n.role !== 'broker');
  }

  private async startNodes(roles: NodeRole[], beforeSpawn?: (nodes: ClusterNode[]) => Promise<void>): Promise<void> {
    this.bundle = await bundleNode(this.entry);
    for (let attempt = 1; ; attempt++) {
      await this.spawnAll(roles, beforeSpawn);
      const collided = await this.awaitListening();
      if (collided.length === 0) return;
      if (attempt === PORT_ATTEMPTS)
        throw new Error(`nodes ${collided.join(',')} found their ports taken ${PORT_ATTEMPTS} times in a row`);
      process.stderr.write(`process-cluster: nodes ${collided.join(',')} found a port taken; starting again\n`);
      await this.killAll();
      this.client?.close();
      this.nodes.length = 0;
      rmSync(this.base, { recursive: true, force: true });
      mkdirSync(this.base, { recursive: true });
    }
  }

  /**
   * Waits until every node listens on all its ports itself or has exited; returns the ids of those
   * that exited because a port was taken. Returns at once where /proc cannot tell (not Linux).
   */
  private async awaitListening(): Promise<number[]> {
    const settled = (n: ClusterNode): boolean | null => {
      const pid = n.process?.pid;
      return pid === undefined ? true : listensOn(pid, n.listenPorts);
    };
    // Long: a node process can take tens of seconds to start on a loaded 2-core machine.
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline) {
      const states = this.nodes.map(settled);
      if (states.some((s) => s === null)) return [];
      if (states.every((s) => s === true)) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const exited = this.nodes.filter((n) => n.process === null);
    // What it printed last may still be in the pipe when 'exit' fires.
    if (exited.length > 0) await new Promise((r) => setTimeout(r, 200));
    return exited.filter((n) => isAddressInUse(n.stderrTail)).map((n) => n.id);
  }

  private async spawnAll(roles: NodeRole[], beforeSpawn?: (nodes: ClusterNode[]) => Promise<void>): Promise<void> {
    for (const [index, role] of roles.entries()) {
      const id = index + 1;
      const controllerPort = role === 'broker' ? 0 : await freePort();
      this.nodes.push({
        id,
        role,
        port: role === 'controller' ? controllerPort : await freePort(),
        controllerPort,
        dir: join(this.base, `node-${id}`),
        process: null,
        lines: [],
        lineWaiters: [],
        stderrTail: '',
        listenPorts: [],
      });
    }
    const peers = new Map(this.nodes.map((n) => [n.id, { host: '127.0.0.1', port: n.port }]));
    this.client = new PeerClient(peers, {
      clock: new SystemClock(),
      clientId: 'cluster-test',
      requestTimeoutMs: 3000,
      reconnectBackoffMs: 20,
    });
    await beforeSpawn?.(this.nodes);
    for (const node of this.nodes) this.spawn(node);
  }

  private listenersOf(node: ClusterNode): { listeners: string; 'process.roles': string } {
    const plaintext = `PLAINTEXT://127.0.0.1:${node.port}`;
    const controller = `CONTROLLER://127.0.0.1:${node.controllerPort}`;
    if (node.role === 'controller') return { listeners: controller, 'process.roles': 'controller' };
    if (node.role === 'broker') return { listeners: plaintext, 'process.roles': 'broker' };
    return { listeners: `${plaintext},${controller}`, 'process.roles': 'broker,controller' };
  }

  spawn(node: ClusterNode): void {
    const voters = this.controllers.map((n) => `${n.id}@127.0.0.1:${n.controllerPort}`).join(',');
    const quorum: Record<string, string> = this.viaBootstrapServers.has(node.id)
      ? {
          'controller.quorum.bootstrap.servers': this.controllers.map((n) => `127.0.0.1:${n.controllerPort}`).join(','),
        }
      : { 'controller.quorum.voters': voters };
    const overrides: Record<string, string> = {
      'node.id': String(node.id),
      'cluster.id': 'gregor-quorum-test-cluster',
      ...this.listenersOf(node),
      ...quorum,
      'log.dirs': node.dir,
      ...this.extra,
      ...this.perNode(node),
    };
    // NODE_ARGS_PROFILE=1 profiles each node (--cpu-prof into /tmp/gregor-quorum-prof); an absolute
    // path instead of 1 is the directory to write the profiles to.
    const profile = process.env.NODE_ARGS_PROFILE;
    const profileDir = profile?.startsWith('/') ? profile : '/tmp/gregor-quorum-prof';
    // NODE_ARGS_EXTRA: more node options for each node spawned from now on (space-separated; the
    // benchmarks pass V8 flags or --perf-basic-prof this way).
    const extra = (process.env.NODE_ARGS_EXTRA ?? '').split(' ').filter((a) => a !== '');
    const args = [...(profile ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []), ...extra, this.bundle];
    for (const [k, v] of Object.entries(overrides)) args.push('--override', `${k}=${v}`);
    node.listenPorts = listenerPorts(overrides.listeners ?? '');
    node.stderrTail = '';
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      env: { ...process.env, GREGOR_LOG_LEVEL: this.logLevel },
      stdio: ['pipe', this.pipeStdout ? 'pipe' : 'inherit', 'pipe'],
    });
    node.process = child;
    child.stderr?.on('data', (chunk: Buffer) => {
      process.stderr.write(chunk);
      node.stderrTail = (node.stderrTail + chunk.toString('utf8')).slice(-4096);
    });
    let partial = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      const parts = (partial + chunk.toString('utf8')).split('\n');
      partial = parts.pop() ?? '';
      for (const line of parts) {
        const waiter = node.lineWaiters.shift();
        if (waiter) waiter(line);
        else node.lines.push(line);
      }
    });
    child.on('exit', () => {
      if (node.process === child) node.process = null;
    });
  }

  private get pipeStdout(): boolean {
    return this.captureStdout || this.entry !== 'test/helpers/node-process.ts';
  }

  /** Writes a command line to the node's stdin (voter-process.ts reads them). */
  send(node: ClusterNode, line: string): void {
    node.process?.stdin?.write(`${line}\n`);
  }

  /** The next line the node prints on stdout. */
  nextLine(node: ClusterNode): Promise<string> {
    const line = node.lines.shift();
    if (line !== undefined) return Promise.resolve(line);
    return new Promise((resolveLine) => node.lineWaiters.push(resolveLine));
  }

  /** SIGTERM (a clean, controlled shutdown); resolves with the exit code once the process is gone. */
  terminate(node: ClusterNode): Promise<number | null> {
    const child = node.process;
    if (!child) return Promise.resolve(null);
    return new Promise((resolveExit) => {
      child.once('exit', (code) => {
        if (node.process === child) node.process = null;
        resolveExit(code);
      });
      child.kill('SIGTERM');
    });
  }

  /** SIGSTOP: the process stays, its sockets stay open, nothing it runs moves (a long GC pause or a frozen VM). */
  pause(node: ClusterNode): void {
    node.process?.kill('SIGSTOP');
  }

  /** SIGCONT after `pause`. */
  resume(node: ClusterNode): void {
    node.process?.kill('SIGCONT');
  }

  /** kill -9 */
  kill(node: ClusterNode): void {
    node.process?.kill('SIGKILL');
    node.process = null;
  }

  private get peers(): PeerClient {
    if (!this.client) throw new Error('cluster not started');
    return this.client;
  }

  /** Any request to a node's PLAINTEXT listener (rejects when it cannot be reached). */
  call<Req, Res>(node: ClusterNode, api: ApiDefinition<Req, Res>, version: number, body: Req): Promise<Res> {
    return this.peers.request(node.id, api, version, body, 15000);
  }

  async describeQuorum(node: ClusterNode): Promise<QuorumView | null> {
    try {
      const r = await this.peers.request(node.id, DescribeQuorumApi, 1, {
        topics: [{ topicName: '__cluster_metadata', partitions: [{ partitionIndex: 0 }] }],
      });
      const p = r.topics[0]?.partitions[0];
      if (r.errorCode !== 0 || !p || p.errorCode !== 0) return null;
      const self = p.currentVoters.find((v) => v.replicaId === p.leaderId);
      return {
        leaderId: p.leaderId,
        leaderEpoch: p.leaderEpoch,
        highWatermark: Number(p.highWatermark),
        leaderEndOffset: self ? Number(self.logEndOffset) : -1,
      };
    } catch {
      return null;
    }
  }

  async metadata(node: ClusterNode, topics: string[] | null, autoCreate = false): Promise<MetadataResponse | null> {
    try {
      return await this.peers.request(node.id, MetadataApi, 9, {
        topics: topics === null ? null : topics.map((name) => ({ name, topicId: 'AAAAAAAAAAAAAAAAAAAAAA' })),
        allowAutoTopicCreation: autoCreate,
        includeClusterAuthorizedOperations: false,
        includeTopicAuthorizedOperations: false,
      });
    } catch {
      return null;
    }
  }

  /** Polls `check` every `intervalMs` until it returns a value or `timeoutMs` passes. */
  async waitFor<T>(
    what: string,
    timeoutMs: number,
    check: () => Promise<T | null | undefined | false>,
    intervalMs = 50,
  ): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await check();
      if (value !== null && value !== undefined && value !== false) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  }

  /**
   * Starts `count` nodes and waits until they agree on a quorum leader and all are registered brokers
   * (long waits: on a loaded 2-core machine three processes may take tens of seconds to start).
   */
  async startRegistered(count: number, beforeSpawn?: (nodes: ClusterNode[]) => Promise<void>): Promise<QuorumView> {
    await this.start(count, beforeSpawn);
    return this.awaitRegistered();
  }

  /** Split mode: starts the controllers and brokers, waits for a leader and every broker registered. */
  async startSplitRegistered(
    controllers: number,
    brokers: number,
    viaBootstrapServers: number[] = [],
  ): Promise<QuorumView> {
    await this.startSplit(controllers, brokers, viaBootstrapServers);
    return this.awaitRegistered();
  }

  private async awaitRegistered(): Promise<QuorumView> {
    const view = await this.waitFor('a leader', 120000, () => this.agreedLeader(this.nodes)).catch(async (err) => {
      const views = await Promise.all(
        this.nodes.map(async (n) => `${n.id}: ${JSON.stringify(await this.describeQuorum(n))}`),
      );
      throw new Error(`${(err as Error).message}; each node's view: ${views.join('; ')}`);
    });
    const brokers = this.brokers;
    await this.waitFor(
      `${brokers.length} registered brokers`,
      30000,
      async () => (await this.metadata(brokers[0]!, []))?.brokers.length === brokers.length,
    );
    return view;
  }

  /**
   * The group coordinator of `group` as `via` names it, asked until it answers (COORDINATOR_NOT_AVAILABLE
   * while `__consumer_offsets` is being created). The first call creates the topic, which, as Kafka, needs
   * offsets.topic.replication.factor live brokers: tests that use a group only after killing a node call
   * this first, as a running cluster would have the topic already.
   */
  async groupCoordinator(via: ClusterNode, group: string, timeoutMs = 60000): Promise<number> {
    return this.waitFor(
      `the coordinator of group ${group}`,
      timeoutMs,
      async () => {
        const r = await this.call(via, FindCoordinatorApi, 3, { ...defaultFindCoordinatorRequest(), key: group }).catch(
          () => null,
        );
        return r?.errorCode === 0 ? r.nodeId : null;
      },
      100,
    );
  }

  /** A leader that every live node agrees on. */
  async agreedLeader(live: ClusterNode[], notId = -1): Promise<QuorumView | null> {
    const views = await Promise.all(live.map((n) => this.describeQuorum(n)));
    const first = views[0];
    if (!first || first.leaderId < 0 || first.leaderId === notId) return null;
    return views.every((v) => v && v.leaderId === first.leaderId && v.leaderEpoch === first.leaderEpoch) ? first : null;
  }

  async stop(): Promise<void> {
    this.client?.close();
    await this.killAll();
    if (process.env.KEEP_CLUSTER_DIR) console.log(`cluster dir kept: ${this.base}`);
    else rmSync(this.base, { recursive: true, force: true });
    if (this.bundle !== '') rmSync(resolve(this.bundle, '..'), { recursive: true, force: true });
  }

  private async killAll(): Promise<void> {
    const exits = this.nodes.map(
      (n) =>
        new Promise<void>((r) => {
          const p = n.process;
          if (!p) return r();
          p.once('exit', () => r());
          p.kill('SIGKILL');
        }),
    );
    await Promise.all(exits);
  }
}
