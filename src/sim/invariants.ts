/**
 * Safety invariants of a simulated Raft cluster, checked after every step:
 * - at most one leader per epoch; a node's epoch never goes down (across restarts too);
 * - a node's high watermark never goes back within one incarnation;
 * - every committed entry (below some node's high watermark) is held by a majority of voters, in a
 *   durable log or under a snapshot, and is never lost or changed: every node's committed prefix agrees;
 * - every node's state machine equals a replay of the committed log up to its applied offset, whether
 *   it got there by replaying the log or by restoring a snapshot and replaying the rest.
 * Checks are incremental per step; fullCheck() rescans everything (after crashes and at the end).
 * Leaves out: liveness (the simulation checks progress separately once faults stop).
 */
import type { EpochState } from '../controller/raft/epoch-state.js';
import type { InMemoryRaftLog } from '../controller/raft/in-memory-raft-log.js';
import type { RaftEntry } from '../controller/raft/types.js';
import { EMPTY_CHAIN, foldPayload, type ChainState } from './hash-chain-state-machine.js';

export class InvariantViolation extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvariantViolation';
  }
}

export interface CheckedReplica {
  readonly id: number;
  readonly log: InMemoryRaftLog;
  readonly incarnation: number;
  /** undefined while crashed */
  readonly view:
    | {
        readonly state: EpochState;
        readonly highWatermark: number;
        readonly appliedOffset: number;
        readonly machine: ChainState;
      }
    | undefined;
}

export class InvariantChecker {
  private readonly leaders = new Map<number, number>();
  private readonly lastEpoch = new Map<number, number>();
  private readonly lastHw = new Map<number, { incarnation: number; hw: number }>();
  private readonly checkedUpTo = new Map<number, number>();
  /** committed[offset] */
  readonly committed: RaftEntry[] = [];
  /** prefix[offset] = state machine after applying committed data entries below offset */
  private readonly prefix: ChainState[] = [EMPTY_CHAIN];

  constructor(private readonly quorum: number) {}

  onTransition(id: number, from: EpochState, to: EpochState): void {
    if (to.epoch < from.epoch) throw new InvariantViolation(`node ${id}: epoch went from ${from.epoch} to ${to.epoch}`);
    if (to.kind === 'leader') this.recordLeader(id, to.epoch);
  }

  private recordLeader(id: number, epoch: number): void {
    const existing = this.leaders.get(epoch);
    if (existing !== undefined && existing !== id) {
      throw new InvariantViolation(`two leaders in epoch ${epoch}: ${existing} and ${id}`);
    }
    this.leaders.set(epoch, id);
  }

  leaderCount(): number {
    return this.leaders.size;
  }

  afterStep(replicas: readonly CheckedReplica[]): void {
    for (const r of replicas) {
      const view = r.view;
      if (!view) continue;
      const { state } = view;
      const last = this.lastEpoch.get(r.id) ?? 0;
      if (state.epoch < last)
        throw new InvariantViolation(`node ${r.id}: epoch went back from ${last} to ${state.epoch}`);
      this.lastEpoch.set(r.id, state.epoch);
      if (state.kind === 'leader') this.recordLeader(r.id, state.epoch);
      const hw = this.lastHw.get(r.id);
      if (hw && hw.incarnation === r.incarnation && view.highWatermark < hw.hw) {
        throw new InvariantViolation(`node ${r.id}: high watermark went back from ${hw.hw} to ${view.highWatermark}`);
      }
      this.lastHw.set(r.id, { incarnation: r.incarnation, hw: view.highWatermark });
      this.recordCommitted(r, replicas);
    }
    for (const r of replicas) {
      if (r.view) this.checkReplica(r, false);
    }
    this.checkMajorityHolds(replicas, this.committed.length - 1);
  }

  /** Extends the committed log from a node whose high watermark is past what we know. */
  private recordCommitted(r: CheckedReplica, all: readonly CheckedReplica[]): void {
    const hw = r.view?.highWatermark ?? 0;
    while (this.committed.length < hw) {
      const offset = this.committed.length;
      const entry =
        this.entryAt(r.log, offset) ?? all.map((o) => this.entryAt(o.log, offset)).find((e) => e !== undefined);
      if (!entry) return; // only under snapshots; a later step will not find it either, but nothing below is lost
      this.committed.push(entry);
      const before = this.prefix[offset] as ChainState;
      this.prefix.push(entry.control ? before : foldPayload(before, entry.payload));
      this.checkMajorityHolds(all, offset);
    }
  }

  private entryAt(log: InMemoryRaftLog, offset: number): RaftEntry | undefined {
    if (offset < log.startOffset() || offset >= log.endOffset()) return undefined;
    return log.allEntries()[offset - log.startOffset()];
  }

  /** A majority of voters holds the committed entry at `offset` durably (or under a snapshot). */
  private checkMajorityHolds(replicas: readonly CheckedReplica[], offset: number): void {
    if (offset < 0) return;
    const expected = this.committed[offset];
    if (!expected) return;
    let holders = 0;
    for (const r of replicas) {
      if (offset < r.log.startOffset()) {
        holders++;
        continue;
      }
      if (offset >= r.log.flushedOffset()) continue;
      const entry = this.entryAt(r.log, offset);
      if (entry && entry.epoch === expected.epoch && entry.payload.equals(expected.payload)) holders++;
    }
    if (holders < this.quorum) {
      throw new InvariantViolation(
        `committed entry ${offset} (epoch ${expected.epoch}) held by ${holders} voters, quorum is ${this.quorum}`,
      );
    }
  }

  /** Committed prefix agreement and state-machine equality for one node. */
  private checkReplica(r: CheckedReplica, full: boolean): void {
    const view = r.view;
    if (!view) return;
    const from = full ? 0 : Math.max(this.checkedUpTo.get(r.id) ?? 0, 0);
    const upTo = Math.min(view.highWatermark, this.committed.length);
    for (let offset = Math.max(from, r.log.startOffset()); offset < upTo; offset++) {
      const entry = this.entryAt(r.log, offset);
      const expected = this.committed[offset] as RaftEntry;
      if (
        !entry ||
        entry.epoch !== expected.epoch ||
        !entry.payload.equals(expected.payload) ||
        entry.control !== expected.control
      ) {
        throw new InvariantViolation(
          `node ${r.id}: committed entry ${offset} differs (epoch ${entry?.epoch} vs ${expected.epoch})`,
        );
      }
    }
    this.checkedUpTo.set(r.id, Math.max(from, upTo));
    if (view.appliedOffset <= this.committed.length) {
      const expected = this.prefix[view.appliedOffset] as ChainState;
      if (expected.count !== view.machine.count || expected.hash !== view.machine.hash) {
        throw new InvariantViolation(
          `node ${r.id}: state at applied offset ${view.appliedOffset} is (${view.machine.count}, ${view.machine.hash}), replay gives (${expected.count}, ${expected.hash})`,
        );
      }
    }
  }

  /** Rescans every node's committed prefix and the majority rule for every committed entry. */
  fullCheck(replicas: readonly CheckedReplica[]): void {
    for (const r of replicas) this.checkReplica(r, true);
    for (let offset = 0; offset < this.committed.length; offset++) this.checkMajorityHolds(replicas, offset);
  }

  /** Forget per-incarnation progress of a restarted node. */
  onRestart(id: number): void {
    this.checkedUpTo.delete(id);
  }
}
