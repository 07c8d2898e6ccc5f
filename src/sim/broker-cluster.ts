/**
 * Whole broker cores in one process under a seeded clock: N real `Broker`s (combined mode: broker
 * and controller, in-memory storage and metadata log) whose timers all run on one ManualScheduler
 * (each node through a ScopedScheduler) and whose inter-node traffic (Raft, registration and
 * heartbeats, forwarding, AlterPartition, follower fetches) and client traffic go through the SimNet
 * transport as Kafka frames into each node's real dispatcher and handlers. step() fires the next
 * timer, then lets every promise continuation run before the next one, so a run is fixed by its seed.
 * A crash stops a node's timers and network at once (no shutdown code runs); it does not restart
 * (its memory storage is gone, and a voter that lost its log must not vote again).
 * Leaves out: restarts, TLS/SASL listeners, disk storage.
 */
import { ManualScheduler, ScopedScheduler } from '../common/scheduler.js';
import { BrokerConfig } from '../common/config.js';
import { createLogger } from '../common/logger.js';
import { Broker } from '../node/broker.js';
import { PeerClient } from '../controller/peer-client.js';
import { SeededRandom } from './random.js';
import { SimNet, type SimNetFaults } from './sim-transport.js';

export const CLIENT_PORT = 9092;
export const CONTROLLER_PORT = 9093;

export interface SimBrokerNode {
  readonly id: number;
  readonly host: string;
  readonly broker: Broker;
  readonly scheduler: ScopedScheduler;
  alive: boolean;
}

export interface BrokerClusterOptions {
  readonly seed: number;
  readonly nodes: number;
  readonly faults: SimNetFaults;
  /** Extra broker configs (Kafka names). */
  readonly configs?: Record<string, string | number>;
}

/** Lets every pending promise continuation run (setImmediate runs once the microtask queue is empty). */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export class SimBrokerCluster {
  readonly scheduler = new ManualScheduler(0);
  readonly random: SeededRandom;
  readonly net: SimNet;
  readonly nodes: SimBrokerNode[] = [];
  /** A client (node id 0 on the network) with a connection to every node's client listener. */
  readonly client: PeerClient;
  steps = 0;
  private readonly afterStepHooks: Array<() => void> = [];

  constructor(readonly options: BrokerClusterOptions) {
    this.random = new SeededRandom(options.seed);
    this.net = new SimNet(this.scheduler, this.random.fork(), options.faults);
    const ids = Array.from({ length: options.nodes }, (_, i) => i + 1);
    const voters = ids.map((id) => `${id}@${hostOf(id)}:${CONTROLLER_PORT}`).join(',');
    const logger = createLogger({ level: process.env.SIM_LOG_LEVEL ?? 'silent', pretty: false });
    for (const id of ids) {
      const host = hostOf(id);
      const network = this.net.node(id, host);
      const scheduler = new ScopedScheduler(this.scheduler);
      const config = new BrokerConfig({
        'node.id': id,
        'process.roles': 'broker,controller',
        'controller.quorum.voters': voters,
        'controller.listener.names': 'CONTROLLER',
        listeners: `PLAINTEXT://${host}:${CLIENT_PORT},CONTROLLER://${host}:${CONTROLLER_PORT}`,
        'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
        'inter.broker.listener.name': 'PLAINTEXT',
        'log.dirs': 'memory:',
        'cluster.id': 'sim-cluster-00000000000',
        ...options.configs,
      });
      const broker = new Broker({
        config,
        log: logger.child({ node: id }),
        scheduler,
        transport: network,
        listenerHost: network,
        random: this.random.fork(),
      });
      this.nodes.push({ id, host, broker, scheduler, alive: true });
    }
    this.client = new PeerClient(new Map(ids.map((id) => [id, { host: hostOf(id), port: CLIENT_PORT }])), {
      clock: this.scheduler,
      transport: this.net.node(0, 'client'),
      clientId: 'sim-client',
      requestTimeoutMs: 5000,
      reconnectBackoffMs: 50,
    });
  }

  async start(): Promise<void> {
    for (const node of this.nodes) await node.broker.start();
    await settle();
  }

  /** Called after every step (the invariant checker). */
  afterStep(hook: () => void): void {
    this.afterStepHooks.push(hook);
  }

  now(): number {
    return this.scheduler.now();
  }

  /** Fires the next timer and lets everything it started run; false when nothing is scheduled. */
  async step(): Promise<boolean> {
    if (!this.scheduler.runNext()) return false;
    await settle();
    this.steps++;
    for (const hook of this.afterStepHooks) hook();
    return true;
  }

  /** Steps until `predicate` holds (checked before each step) or `maxMs` of simulated time pass. */
  async runUntil(predicate: () => boolean, maxMs: number): Promise<boolean> {
    const end = this.now() + maxMs;
    while (this.scheduler.nextAt() <= end) {
      if (predicate()) return true;
      if (!(await this.step())) break;
    }
    return predicate();
  }

  /** Steps through `ms` of simulated time. */
  async runFor(ms: number): Promise<void> {
    await this.runUntil(() => false, ms);
  }

  live(): SimBrokerNode[] {
    return this.nodes.filter((n) => n.alive);
  }

  node(id: number): SimBrokerNode {
    const node = this.nodes.find((n) => n.id === id);
    if (!node) throw new RangeError(`no node ${id}`);
    return node;
  }

  /** The live node whose Raft core leads (the active controller) with the highest epoch. */
  activeController(): SimBrokerNode | undefined {
    let best: SimBrokerNode | undefined;
    for (const n of this.live()) {
      const raft = n.broker.quorum.node.raft;
      if (!raft.isLeader()) continue;
      if (!best || raft.currentState().epoch > best.broker.quorum.node.raft.currentState().epoch) best = n;
    }
    return best;
  }

  /** Kills a node: its timers stop and its connections close, with no shutdown code run. */
  crash(id: number): void {
    const node = this.node(id);
    if (!node.alive) return;
    node.alive = false;
    node.scheduler.close();
    this.net.crash(id);
  }

  /** Stops everything at the end of a run (timers, the client). */
  close(): void {
    for (const n of this.nodes) if (n.alive) this.crash(n.id);
    this.client.close();
  }
}

function hostOf(id: number): string {
  return `node-${id}`;
}
