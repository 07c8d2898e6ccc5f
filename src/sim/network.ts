/**
 * A simulated network for Raft nodes: every message gets a random delay (so messages reorder), and
 * may be dropped or duplicated; a partition splits nodes into groups that cannot talk. Deterministic
 * given its random source.
 * Leaves out: bandwidth and message sizes; TCP ordering (the Raft core must not rely on it).
 */
import type { OutboundMessage } from '../controller/raft/messages.js';
import type { SeededRandom } from './random.js';

export interface NetworkFaults {
  dropRate: number;
  duplicateRate: number;
  minDelayMs: number;
  maxDelayMs: number;
  /** Chance that a message takes up to `longDelayMs` instead. */
  longDelayRate: number;
  longDelayMs: number;
}

export const CALM_NETWORK: NetworkFaults = {
  dropRate: 0,
  duplicateRate: 0,
  minDelayMs: 1,
  maxDelayMs: 5,
  longDelayRate: 0,
  longDelayMs: 0,
};

export interface InFlight {
  readonly source: number;
  readonly message: OutboundMessage;
  readonly deliverAt: number;
  readonly seq: number;
}

export class SimNetwork {
  private inFlight: InFlight[] = [];
  private groups = new Map<number, number>();
  private seq = 0;
  sent = 0;
  dropped = 0;

  constructor(
    private readonly random: SeededRandom,
    public faults: NetworkFaults,
  ) {}

  send(source: number, message: OutboundMessage, now: number): void {
    this.sent++;
    if (!this.connected(source, message.destination) || this.random.chance(this.faults.dropRate)) {
      this.dropped++;
      return;
    }
    const copies = this.random.chance(this.faults.duplicateRate) ? 2 : 1;
    for (let i = 0; i < copies; i++) {
      const long = this.random.chance(this.faults.longDelayRate);
      const delay = long
        ? this.random.int(this.faults.maxDelayMs, Math.max(this.faults.maxDelayMs, this.faults.longDelayMs))
        : this.random.int(this.faults.minDelayMs, this.faults.maxDelayMs);
      this.inFlight.push({ source, message, deliverAt: now + delay, seq: this.seq++ });
    }
  }

  nextDeliveryTime(): number {
    let min = Number.POSITIVE_INFINITY;
    for (const m of this.inFlight) if (m.deliverAt < min) min = m.deliverAt;
    return min;
  }

  /** Removes and returns the earliest deliverable message due at or before `now` (ties by send order). */
  takeDue(now: number): InFlight | undefined {
    for (;;) {
      let best = -1;
      for (let i = 0; i < this.inFlight.length; i++) {
        const m = this.inFlight[i] as InFlight;
        if (m.deliverAt > now) continue;
        const b = this.inFlight[best];
        if (!b || m.deliverAt < b.deliverAt || (m.deliverAt === b.deliverAt && m.seq < b.seq)) best = i;
      }
      if (best < 0) return undefined;
      const m = this.inFlight.splice(best, 1)[0] as InFlight;
      if (this.connected(m.source, m.message.destination)) return m;
      this.dropped++; // the partition started while it was on its way
    }
  }

  /** Forgets every message to or from a node (its connections reset when it crashes). */
  dropNode(node: number): void {
    this.inFlight = this.inFlight.filter((m) => m.source !== node && m.message.destination !== node);
  }

  /** Splits nodes into groups; nodes in different groups cannot exchange messages. */
  partition(groups: readonly (readonly number[])[]): void {
    this.groups.clear();
    groups.forEach((group, index) => group.forEach((node) => this.groups.set(node, index)));
  }

  heal(): void {
    this.groups.clear();
  }

  isPartitioned(): boolean {
    return this.groups.size > 0;
  }

  connected(a: number, b: number): boolean {
    return (this.groups.get(a) ?? -1) === (this.groups.get(b) ?? -1);
  }

  pending(): number {
    return this.inFlight.length;
  }
}
