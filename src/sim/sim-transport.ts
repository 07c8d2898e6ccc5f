/**
 * An in-memory network for whole broker cores (the Transport and ListenerHost ports of
 * common/transport.ts) on one seeded Scheduler: every frame takes a random delay, frames on one
 * connection arrive in the order sent (as over TCP); a lost packet costs a retransmission delay
 * (TCP never drops a frame from a live connection), a connection may be reset (both ends see it
 * close), a partition silently drops frames between two groups, and a crashed node's connections
 * close (its peers see onClose after a delay) and new connections to it are refused.
 * Server side: the node's listener (Broker with `listenerHost`) serves each frame; answers go back
 * in request order per connection, as Gregor's Connection sends them.
 * Leaves out: bandwidth and frame sizes, half-open connections, connect timeouts across a partition
 * (a connection attempt across one is refused).
 */
import type { Scheduler } from '../common/scheduler.js';
import type {
  ConnectionEvents,
  FrameServer,
  ListenerHost,
  ServedFrame,
  Transport,
  TransportAddress,
  TransportConnection,
} from '../common/transport.js';
import type { SeededRandom } from './random.js';

export interface SimNetFaults {
  minDelayMs: number;
  maxDelayMs: number;
  /** Chance that a frame's packet is lost and retransmitted, `retransmitMs` later. */
  lossRate: number;
  retransmitMs: number;
  /** Chance that sending a frame resets its connection instead. */
  resetRate: number;
}

export const CALM_SIM_NET: SimNetFaults = { minDelayMs: 1, maxDelayMs: 5, lossRate: 0, retransmitMs: 0, resetRate: 0 };

interface Listening {
  readonly node: number;
  readonly serve: FrameServer;
}

export class SimNet {
  private readonly listeners = new Map<string, Listening>();
  private readonly down = new Set<number>();
  private groups = new Map<number, number>();
  private readonly open = new Set<SimConnection>();
  private nextConnectionId = 1;
  private nextPort = 40000;
  readonly stats = { frames: 0, retransmitted: 0, dropped: 0, resets: 0, refused: 0, closed: 0 };

  constructor(
    readonly scheduler: Scheduler,
    private readonly random: SeededRandom,
    public faults: SimNetFaults,
  ) {}

  /** The network as node `id` (at `host`) sees it. */
  node(id: number, host: string): SimNodeNetwork {
    return new SimNodeNetwork(this, id, host);
  }

  /** A frame's time on the wire: a random delay, plus a retransmission when its packet is lost. */
  delay(): number {
    const delay = this.random.int(this.faults.minDelayMs, this.faults.maxDelayMs);
    if (!this.random.chance(this.faults.lossRate)) return delay;
    this.stats.retransmitted++;
    return delay + this.random.int(1, Math.max(1, this.faults.retransmitMs));
  }

  reset(): boolean {
    return this.random.chance(this.faults.resetRate);
  }

  listen(node: number, host: string, port: number, serve: FrameServer): number {
    const bound = port === 0 ? this.nextPort++ : port;
    const key = `${host}:${bound}`;
    if (this.listeners.has(key)) throw new Error(`address in use: ${key}`);
    this.listeners.set(key, { node, serve });
    return bound;
  }

  connect(from: number, host: string, address: TransportAddress, events: ConnectionEvents): SimConnection {
    const target = this.listeners.get(`${address.host}:${address.port}`);
    const connection = new SimConnection(this, this.nextConnectionId++, from, host, target, events);
    if (!target || this.isDown(target.node) || this.isDown(from) || !this.connected(from, target.node)) {
      this.stats.refused++;
      connection.fail('connection refused');
    } else this.open.add(connection);
    return connection;
  }

  forget(connection: SimConnection): void {
    this.open.delete(connection);
  }

  isDown(node: number): boolean {
    return this.down.has(node);
  }

  /** The node stops: its listeners go, every connection to or from it closes. */
  crash(node: number): void {
    this.down.add(node);
    for (const [key, l] of this.listeners) if (l.node === node) this.listeners.delete(key);
    for (const c of [...this.open]) if (c.from === node || c.to === node) c.fail('connection reset');
  }

  /** Splits nodes into groups; frames between groups are dropped. */
  partition(groups: readonly (readonly number[])[]): void {
    this.groups = new Map();
    groups.forEach((group, index) => group.forEach((node) => this.groups.set(node, index)));
  }

  heal(): void {
    this.groups = new Map();
  }

  connected(a: number, b: number): boolean {
    return (this.groups.get(a) ?? -1) === (this.groups.get(b) ?? -1);
  }
}

/** One node's view: a Transport for its clients and a ListenerHost for its listeners. */
export class SimNodeNetwork implements Transport, ListenerHost {
  constructor(
    private readonly net: SimNet,
    readonly id: number,
    readonly host: string,
  ) {}

  connect(address: TransportAddress, events: ConnectionEvents): TransportConnection {
    return this.net.connect(this.id, this.host, address, events);
  }

  listen(host: string, port: number, serve: FrameServer): number {
    return this.net.listen(this.id, host, port, serve);
  }
}

class SimConnection implements TransportConnection {
  private closed = false;
  /** The client closed it: no event goes to it any more. */
  private closedByClient = false;
  /** Arrival time of the last frame each way, so frames never overtake each other. */
  private lastToServer = 0;
  private lastToClient = 0;
  /** Answers leave in request order. */
  private answers: Promise<void> = Promise.resolve();
  readonly to: number;

  constructor(
    private readonly net: SimNet,
    readonly id: number,
    readonly from: number,
    private readonly fromHost: string,
    private readonly target: Listening | undefined,
    private readonly events: ConnectionEvents,
  ) {
    this.to = target?.node ?? -1;
  }

  private at(last: number): number {
    return Math.max(this.net.scheduler.now() + this.net.delay(), last);
  }

  private usable(): boolean {
    return !this.closed && !this.net.isDown(this.from) && !this.net.isDown(this.to);
  }

  send(frame: readonly Buffer[]): void {
    if (this.closed) return;
    this.net.stats.frames++;
    if (this.net.reset()) {
      this.net.stats.resets++;
      this.fail('connection reset');
      return;
    }
    if (!this.net.connected(this.from, this.to)) {
      this.net.stats.dropped++;
      return;
    }
    const arrive = (this.lastToServer = this.at(this.lastToServer));
    const body = Buffer.concat(frame).subarray(4);
    this.net.scheduler.after(arrive - this.net.scheduler.now(), () => {
      if (!this.usable() || !this.target) return;
      const served = this.target.serve(body, { connectionId: this.id, host: this.fromHost, port: 50000 + this.id });
      this.answers = this.answers.then(() => served.then((result) => this.answer(result)));
    });
  }

  private answer(result: ServedFrame): void {
    if (!this.usable() || result.kind === 'none') return;
    if (result.kind === 'close') {
      this.fail(`closed by the server: ${result.reason}`);
      return;
    }
    const thenClose = result.thenClose;
    if (!this.net.connected(this.from, this.to)) {
      this.net.stats.dropped++;
      return;
    }
    const arrive = (this.lastToClient = this.at(this.lastToClient));
    const body = Buffer.concat(result.frame).subarray(4);
    this.net.scheduler.after(arrive - this.net.scheduler.now(), () => {
      if (!this.usable()) return;
      this.events.onFrame(body);
      if (thenClose !== undefined) this.fail(thenClose);
    });
  }

  /** Closes it; the client hears of it after a network delay (unless it closed it itself). */
  fail(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.net.forget(this);
    this.net.stats.closed++;
    this.net.scheduler.after(this.net.delay(), () => {
      if (!this.net.isDown(this.from) && !this.closedByClient) this.events.onClose(reason);
    });
  }

  close(): void {
    this.closed = true;
    this.closedByClient = true;
    this.net.forget(this);
  }
}
