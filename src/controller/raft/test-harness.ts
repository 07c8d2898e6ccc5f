/**
 * A hand-driven cluster for unit tests of the Raft core: nodes with in-memory logs and stores, one
 * ManualClock, outboxes drained by deliver() with an optional filter (to cut links), and fixed
 * per-node random values so that election order is predictable.
 * Leaves out: faults beyond dropping (the simulation in src/sim/ does those).
 */
import { ManualClock } from '../../common/clock.js';
import type { RaftConfig } from './config.js';
import { InMemoryRaftLog } from './in-memory-raft-log.js';
import { ArrayOutbox, type OutboundMessage } from './messages.js';
import { InMemoryQuorumStateStore } from './quorum-state-store.js';
import { RaftNode } from './raft-node.js';
import type { ReplicatedStateMachine } from './state-machine.js';
import type { RaftEntry } from './types.js';

export class ListStateMachine implements ReplicatedStateMachine {
  items: string[] = [];
  apply(entry: RaftEntry): void {
    this.items.push(entry.payload.toString());
  }
  snapshot(): Buffer {
    return Buffer.from(JSON.stringify(this.items));
  }
  restore(snapshot: Buffer): void {
    const parsed: unknown = JSON.parse(snapshot.toString());
    if (!Array.isArray(parsed)) throw new TypeError('bad snapshot');
    this.items = parsed.map((v) => String(v));
  }
}

export interface HarnessMember {
  readonly id: number;
  readonly log: InMemoryRaftLog;
  readonly store: InMemoryQuorumStateStore;
  machine: ListStateMachine;
  outbox: ArrayOutbox;
  node: RaftNode;
  up: boolean;
}

export type LinkFilter = (from: number, message: OutboundMessage) => boolean;

export class Harness {
  readonly clock = new ManualClock(0);
  readonly members = new Map<number, HarnessMember>();
  /** Messages delivered so far (for assertions). */
  readonly delivered: { from: number; message: OutboundMessage }[] = [];
  filter: LinkFilter = () => true;
  /** A request to a crashed member is refused: its sender hears peerUnreachable (as a TCP transport would). */
  refuseConnections = false;

  constructor(
    readonly voters: readonly number[],
    readonly config: Partial<RaftConfig> = {},
    /** Random value each node draws (0 = shortest timeouts); default: node order. */
    readonly randomFor: (id: number) => number = (id) => Math.min(0.99, (voters.indexOf(id) / voters.length) * 0.9),
  ) {
    for (const id of voters) {
      const member: HarnessMember = {
        id,
        log: new InMemoryRaftLog(),
        store: new InMemoryQuorumStateStore(),
        machine: new ListStateMachine(),
        outbox: new ArrayOutbox(),
        node: undefined as unknown as RaftNode,
        up: true,
      };
      this.members.set(id, member);
      this.boot(member);
    }
  }

  private boot(member: HarnessMember): void {
    member.machine = new ListStateMachine();
    member.outbox = new ArrayOutbox();
    const value = this.randomFor(member.id);
    member.node = new RaftNode({
      nodeId: member.id,
      voters: this.voters,
      clusterId: 'test-cluster',
      log: member.log,
      store: member.store,
      stateMachine: member.machine,
      outbox: member.outbox,
      clock: this.clock,
      random: { next: () => value },
      config: { requestTimeoutMs: 300, ...this.config },
    });
    member.up = true;
  }

  member(id: number): HarnessMember {
    const m = this.members.get(id);
    if (!m) throw new RangeError(`no member ${id}`);
    return m;
  }

  store(id: number): InMemoryQuorumStateStore {
    return this.member(id).store;
  }

  node(id: number): RaftNode {
    return this.member(id).node;
  }

  /** Crash: unflushed log entries and all queued messages are lost. */
  crash(id: number): void {
    const m = this.member(id);
    m.up = false;
    m.log.crash();
    m.outbox.drain();
  }

  restart(id: number): void {
    this.boot(this.member(id));
  }

  pollAll(): void {
    for (const m of this.members.values()) if (m.up) m.node.poll(this.clock.now());
  }

  /** Delivers queued messages (and the messages they cause) until none are left; returns how many. */
  deliver(max = 10_000): number {
    let count = 0;
    for (;;) {
      let moved = false;
      for (const m of this.members.values()) {
        if (!m.up) {
          m.outbox.drain();
          continue;
        }
        for (const message of m.outbox.drain()) {
          moved = true;
          const target = this.members.get(message.destination);
          if (target && !target.up && this.refuseConnections && message.kind === 'request') {
            m.node.peerUnreachable(message.destination);
            m.node.poll(this.clock.now());
            continue;
          }
          if (!target || !target.up || !this.filter(m.id, message)) continue;
          this.delivered.push({ from: m.id, message });
          if (message.kind === 'request') target.node.handleRequest(m.id, message.requestId, message.request);
          else target.node.handleResponse(m.id, message.requestId, message.response);
          target.node.poll(this.clock.now());
          if (++count >= max) return count;
        }
      }
      if (!moved) return count;
    }
  }

  /** Advances time in `stepMs` steps, polling and delivering at each. */
  run(ms: number, stepMs = 10): void {
    const end = this.clock.now() + ms;
    while (this.clock.now() < end) {
      this.clock.advance(Math.min(stepMs, end - this.clock.now()));
      this.pollAll();
      this.deliver();
    }
  }

  /** Runs in `stepMs` steps until `done` holds or `maxMs` pass. */
  runUntil(done: () => boolean, maxMs: number, stepMs = 10): void {
    const end = this.clock.now() + maxMs;
    while (!done() && this.clock.now() < end) this.run(stepMs, stepMs);
  }

  leaders(): RaftNode[] {
    return [...this.members.values()].filter((m) => m.up && m.node.isLeader()).map((m) => m.node);
  }

  /** Cuts every link touching `id` (both directions). */
  isolate(id: number): void {
    this.filter = (from, message) => from !== id && message.destination !== id;
  }

  heal(): void {
    this.filter = () => true;
  }
}
