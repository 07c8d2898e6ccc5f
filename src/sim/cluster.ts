/**
 * A deterministic simulated Raft cluster: N voters on a SimNetwork with one ManualClock and a seeded
 * random source. step() advances time to the next event (a message delivery, a node deadline, a
 * client proposal, a snapshot, a fault) and handles it; the InvariantChecker runs after each step.
 * Crashes keep only what a node made durable (the quorum-state store and the flushed log and
 * snapshot) and throw away everything else, including messages to and from it; optionally its peers
 * see their connections to it closed and later requests refused, as over TCP.
 * Leaves out: observers and voter changes.
 */
import { ManualClock } from '../common/clock.js';
import type { RaftConfig } from '../controller/raft/config.js';
import { InMemoryRaftLog } from '../controller/raft/in-memory-raft-log.js';
import { ArrayOutbox } from '../controller/raft/messages.js';
import { InMemoryQuorumStateStore } from '../controller/raft/quorum-state-store.js';
import { RaftNode } from '../controller/raft/raft-node.js';
import { HashChainStateMachine } from './hash-chain-state-machine.js';
import { InvariantChecker, type CheckedReplica } from './invariants.js';
import { CALM_NETWORK, SimNetwork, type NetworkFaults } from './network.js';
import { SeededRandom } from './random.js';

export interface ClusterOptions {
  readonly seed: number;
  readonly voters: number;
  readonly faults: NetworkFaults;
  readonly raft?: Partial<RaftConfig>;
  /** Mean time between fault events (crash, restart, partition, heal); 0 disables them. */
  readonly faultIntervalMs: number;
  readonly proposeIntervalMs: number;
  readonly snapshotIntervalMs: number;
  /**
   * Model TCP's connection refused/closed: a request that reaches a crashed node, and a crash itself,
   * tell the senders/peers (RaftNode.peerUnreachable). Partitions stay silent.
   */
  readonly refuseConnections?: boolean;
}

export const SIM_RAFT_CONFIG: Partial<RaftConfig> = {
  requestTimeoutMs: 800,
  fetchMaxWaitMs: 500,
  snapshotChunkBytes: 3,
};

export interface SimReplica extends CheckedReplica {
  readonly id: number;
  readonly log: InMemoryRaftLog;
  readonly store: InMemoryQuorumStateStore;
  machine: HashChainStateMachine;
  node: RaftNode | undefined;
  outbox: ArrayOutbox;
  deadline: number;
  incarnation: number;
}

export class SimCluster {
  readonly clock = new ManualClock(0);
  readonly random: SeededRandom;
  readonly network: SimNetwork;
  readonly replicas: SimReplica[] = [];
  readonly checker: InvariantChecker;
  readonly voterIds: number[];
  steps = 0;
  proposed = 0;
  crashes = 0;
  refusals = 0;
  private faultsOn = true;
  private nextFaultAt: number;
  private nextProposeAt: number;
  private nextSnapshotAt: number;
  private readonly events: SeededRandom;

  constructor(readonly options: ClusterOptions) {
    this.random = new SeededRandom(options.seed);
    this.events = this.random.fork();
    this.network = new SimNetwork(this.random.fork(), options.faults);
    this.voterIds = Array.from({ length: options.voters }, (_, i) => i + 1);
    this.checker = new InvariantChecker(Math.floor(options.voters / 2) + 1);
    for (const id of this.voterIds) {
      const replica: SimReplica = {
        id,
        log: new InMemoryRaftLog(),
        store: new InMemoryQuorumStateStore(),
        machine: new HashChainStateMachine(),
        node: undefined,
        outbox: new ArrayOutbox(),
        deadline: 0,
        incarnation: 0,
        get view() {
          const node = this.node;
          if (!node) return undefined;
          return {
            state: node.currentState(),
            highWatermark: node.highWatermark(),
            appliedOffset: node.appliedOffset(),
            machine: this.machine.state,
          };
        },
      };
      this.replicas.push(replica);
      this.start(replica);
    }
    this.nextFaultAt = this.schedule(options.faultIntervalMs);
    this.nextProposeAt = this.schedule(options.proposeIntervalMs);
    this.nextSnapshotAt = this.schedule(options.snapshotIntervalMs);
  }

  private schedule(meanMs: number): number {
    if (meanMs <= 0) return Number.POSITIVE_INFINITY;
    return this.clock.now() + 1 + Math.floor(this.events.next() * 2 * meanMs);
  }

  private start(replica: SimReplica): void {
    replica.incarnation++;
    replica.machine = new HashChainStateMachine();
    replica.outbox = new ArrayOutbox();
    replica.node = new RaftNode({
      nodeId: replica.id,
      voters: this.voterIds,
      clusterId: 'sim-cluster',
      log: replica.log,
      store: replica.store,
      stateMachine: replica.machine,
      outbox: replica.outbox,
      clock: this.clock,
      random: this.random.fork(),
      config: { ...SIM_RAFT_CONFIG, ...this.options.raft },
      onTransition: (from, to) => this.checker.onTransition(replica.id, from, to),
    });
    this.checker.onRestart(replica.id);
    this.pollReplica(replica);
  }

  crash(id: number): void {
    const replica = this.replica(id);
    if (!replica.node) return;
    replica.node = undefined;
    replica.log.crash();
    this.network.dropNode(id);
    this.crashes++;
    this.checker.fullCheck(this.replicas);
    // Its TCP connections close: every node that can reach it sees that at once.
    for (const peer of this.replicas) {
      if (peer.node && this.network.connected(peer.id, id)) this.refuse(peer, id);
    }
  }

  /** `replica`'s connection to `peer` was refused or closed (peer is down). */
  private refuse(replica: SimReplica, peer: number): void {
    if (!this.options.refuseConnections || !replica.node) return;
    this.refusals++;
    replica.node.peerUnreachable(peer);
    this.pollReplica(replica);
  }

  restart(id: number): void {
    const replica = this.replica(id);
    if (!replica.node) this.start(replica);
  }

  replica(id: number): SimReplica {
    const replica = this.replicas.find((r) => r.id === id);
    if (!replica) throw new RangeError(`no node ${id}`);
    return replica;
  }

  leaders(): SimReplica[] {
    return this.replicas.filter((r) => r.node?.isLeader());
  }

  private pollReplica(replica: SimReplica): void {
    const node = replica.node;
    if (!node) return;
    const now = this.clock.now();
    const deadline = node.poll(now);
    replica.deadline = deadline > now ? deadline : now + 1;
    for (const message of replica.outbox.drain()) this.network.send(replica.id, message, now);
  }

  /** Stops faults: heals the network, calms it, restarts crashed nodes. */
  calm(): void {
    this.faultsOn = false;
    this.network.heal();
    this.network.faults = CALM_NETWORK;
    for (const r of this.replicas) this.restart(r.id);
  }

  /** Handles the next event; returns false if there is none. */
  step(): boolean {
    let next = Math.min(this.network.nextDeliveryTime(), this.nextProposeAt, this.nextSnapshotAt);
    if (this.faultsOn) next = Math.min(next, this.nextFaultAt);
    let due: SimReplica | undefined;
    for (const r of this.replicas) {
      if (r.node && r.deadline < next) {
        next = r.deadline;
        due = r;
      }
    }
    if (!Number.isFinite(next)) return false;
    if (next > this.clock.now()) this.clock.set(next);
    const now = this.clock.now();
    this.steps++;
    const message = due ? undefined : this.network.takeDue(now);
    if (message) {
      const target = this.replica(message.message.destination);
      const node = target.node;
      if (!node && message.message.kind === 'request') {
        this.refuse(this.replica(message.source), target.id); // connection refused
      }
      if (node) {
        const m = message.message;
        if (m.kind === 'request') node.handleRequest(message.source, m.requestId, m.request);
        else node.handleResponse(message.source, m.requestId, m.response);
        this.pollReplica(target);
      }
    } else if (due) {
      this.pollReplica(due);
    } else if (now >= this.nextProposeAt) {
      this.nextProposeAt = this.schedule(this.options.proposeIntervalMs);
      this.proposeSomething();
    } else if (now >= this.nextSnapshotAt) {
      this.nextSnapshotAt = this.schedule(this.options.snapshotIntervalMs);
      const alive = this.replicas.filter((r) => r.node);
      if (alive.length > 0) this.events.pick(alive).node?.takeSnapshot();
    } else if (this.faultsOn && now >= this.nextFaultAt) {
      this.nextFaultAt = this.schedule(this.options.faultIntervalMs);
      this.injectFault();
    }
    this.checker.afterStep(this.replicas);
    return true;
  }

  /** Proposes 1-3 entries to a node that believes it leads; it flushes them when polled a little later. */
  proposeSomething(): void {
    const leaders = this.leaders();
    if (leaders.length === 0) return;
    const leader = this.events.pick(leaders);
    const count = this.events.int(1, 3);
    const payloads = Array.from({ length: count }, () => Buffer.from(`e${this.proposed++}:${this.events.int(0, 1e9)}`));
    leader.node?.propose(payloads);
    leader.deadline = Math.min(leader.deadline, this.clock.now() + this.events.int(0, 5));
  }

  private injectFault(): void {
    const alive = this.replicas.filter((r) => r.node);
    const dead = this.replicas.filter((r) => !r.node);
    const roll = this.events.next();
    if (roll < 0.3 && alive.length > 0) this.crash(this.events.pick(alive).id);
    else if (roll < 0.6 && dead.length > 0) this.restart(this.events.pick(dead).id);
    else if (roll < 0.75) {
      const shuffled = [...this.voterIds].sort(() => this.events.next() - 0.5);
      const cut = this.events.int(1, shuffled.length - 1);
      this.network.partition([shuffled.slice(0, cut), shuffled.slice(cut)]);
    } else if (roll < 0.9) this.network.heal();
  }

  /** Runs until `predicate` holds or `maxMs` of simulated time pass; returns whether it held. */
  runUntil(predicate: () => boolean, maxMs: number): boolean {
    const end = this.clock.now() + maxMs;
    while (this.clock.now() <= end) {
      if (predicate()) return true;
      if (!this.step()) return predicate();
    }
    return predicate();
  }
}
