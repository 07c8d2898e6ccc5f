/**
 * The election timer of Unattached, Voted, Prospective, Candidate and Resigned, and the random
 * durations Raft draws: an election timeout in [T, 2T) and a backoff in [0, electionBackoffMaxMs).
 * Every draw comes from the injected RandomSource, so a seeded run is repeatable.
 * Leaves out: what happens when the timer fires (election.ts and the poll loop in raft-node.ts).
 */
import type { RaftConfig } from './config.js';
import type { RandomSource } from './types.js';

export class ElectionTimer {
  /** When the running election timer fires. */
  deadline = 0;

  constructor(
    private readonly config: RaftConfig,
    private readonly random: RandomSource,
  ) {}

  /** A fresh election deadline: now + [electionTimeoutMs, 2 × electionTimeoutMs). */
  randomDeadline(now: number): number {
    const base = this.config.electionTimeoutMs;
    return now + base + Math.floor(this.random.next() * base);
  }

  /** A random wait in [0, electionBackoffMaxMs) after a lost election. */
  randomBackoff(): number {
    return Math.floor(this.random.next() * this.config.electionBackoffMaxMs);
  }

  /** Random jitter in [0, maxMs). */
  jitter(maxMs: number): number {
    return Math.floor(this.random.next() * maxMs);
  }

  /** Restarts the timer with a fresh random timeout. */
  restart(now: number): void {
    this.deadline = this.randomDeadline(now);
  }

  /** Fires the timer no later than `deadline`. */
  shortenTo(deadline: number): void {
    this.deadline = Math.min(this.deadline, deadline);
  }

  /** Fires the timer no earlier than `deadline`. */
  extendTo(deadline: number): void {
    this.deadline = Math.max(this.deadline, deadline);
  }

  expired(now: number): boolean {
    return now >= this.deadline;
  }
}
