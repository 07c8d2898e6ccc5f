/**
 * What a leader knows about its voters in its epoch: each one's fetched end offset and last contact,
 * from which it computes the high watermark (the offset a majority holds, only once past the start
 * of its own epoch) and the check-quorum deadline (a majority must fetch within the timeout).
 * It also keeps the observers (broker-only nodes) that fetch in this epoch, for DescribeQuorum only:
 * they never count for the high watermark or check-quorum; one silent for OBSERVER_SESSION_TIMEOUT_MS
 * is forgotten, as Kafka's LeaderState forgets it.
 * Leaves out: parked fetches and messaging (leader-replication.ts).
 */

/** How long an observer that stopped fetching is still listed (Kafka's LeaderState: five minutes). */
export const OBSERVER_SESSION_TIMEOUT_MS = 300_000;

export interface ObserverProgress {
  endOffset: number;
  lastFetchMs: number;
  lastCaughtUpMs: number;
}

export interface ReplicaProgress {
  endOffset: number;
  /** The last contact (a fetch, a BeginQuorumEpoch answer), or the epoch's start: check-quorum's clock. */
  lastFetchMs: number;
  /** When it last fetched in this epoch, -1 before its first fetch: what DescribeQuorum reports, as Kafka's ReplicaState. */
  lastFetchTimestamp: number;
  lastCaughtUpMs: number;
  /** Highest high watermark sent to this replica in a fetch answer. */
  lastSentHighWatermark: number;
  /** Whether it acknowledged this epoch (BeginQuorumEpoch answer or a fetch). */
  acknowledged: boolean;
}

export class LeaderProgress {
  readonly replicas = new Map<number, ReplicaProgress>();
  private readonly observers = new Map<number, ObserverProgress>();

  constructor(
    readonly localId: number,
    readonly voters: readonly number[],
    readonly epochStartOffset: number,
    readonly startedMs: number,
  ) {
    for (const id of voters) {
      if (id === localId) continue;
      this.replicas.set(id, {
        endOffset: -1,
        lastFetchMs: startedMs,
        lastFetchTimestamp: -1,
        lastCaughtUpMs: -1,
        lastSentHighWatermark: -1,
        acknowledged: false,
      });
    }
  }

  /** Records a valid fetch from a voter; returns false for ids that are not other voters. */
  recordFetch(id: number, fetchOffset: number, leaderEndOffset: number, now: number): boolean {
    const replica = this.replicas.get(id);
    if (!replica) return false;
    replica.endOffset = fetchOffset;
    replica.lastFetchMs = now;
    replica.lastFetchTimestamp = now;
    replica.acknowledged = true;
    if (fetchOffset >= leaderEndOffset) replica.lastCaughtUpMs = now;
    return true;
  }

  /** Records a valid fetch from a replica that is no voter (a broker-only node); negative ids (no replica) aside. */
  recordObserverFetch(id: number, fetchOffset: number, leaderEndOffset: number, now: number): void {
    if (id < 0 || id === this.localId || this.replicas.has(id)) return;
    const observer = this.observers.get(id) ?? { endOffset: -1, lastFetchMs: -1, lastCaughtUpMs: -1 };
    observer.endOffset = fetchOffset;
    observer.lastFetchMs = now;
    if (fetchOffset >= leaderEndOffset) observer.lastCaughtUpMs = now;
    this.observers.set(id, observer);
  }

  /** The observers heard from within OBSERVER_SESSION_TIMEOUT_MS, by id (the others are forgotten). */
  activeObservers(now: number): Array<[number, ObserverProgress]> {
    for (const [id, observer] of this.observers)
      if (now - observer.lastFetchMs >= OBSERVER_SESSION_TIMEOUT_MS) this.observers.delete(id);
    return [...this.observers.entries()].sort((a, b) => a[0] - b[0]);
  }

  /** Any contact that proves the voter follows this epoch (counts for check-quorum). */
  recordContact(id: number, now: number): void {
    const replica = this.replicas.get(id);
    if (!replica) return;
    replica.lastFetchMs = now;
    replica.acknowledged = true;
  }

  /**
   * The offset a majority of voters holds (the leader counts its durable end offset), if it lies past
   * the start of this epoch; otherwise undefined. Raft commits older epochs' entries only indirectly.
   */
  majorityOffset(leaderDurableEnd: number): number | undefined {
    const ends = [leaderDurableEnd];
    for (const replica of this.replicas.values()) ends.push(replica.endOffset);
    ends.sort((a, b) => b - a);
    const quorum = Math.floor(this.voters.length / 2) + 1;
    const offset = ends[quorum - 1] as number;
    return offset > this.epochStartOffset ? offset : undefined;
  }

  /** Time by which a majority (the leader included) must have been heard from, else the leader resigns. */
  checkQuorumDeadline(timeoutMs: number): number {
    const contacts = [...this.replicas.values()].map((r) => r.lastFetchMs).sort((a, b) => b - a);
    const othersNeeded = Math.floor(this.voters.length / 2);
    if (othersNeeded === 0) return Number.POSITIVE_INFINITY;
    return (contacts[othersNeeded - 1] as number) + timeoutMs;
  }

  /** Other voters, best log first: the preferred successors of an EndQuorumEpoch. */
  preferredSuccessors(): number[] {
    return [...this.replicas.entries()]
      .sort((a, b) => b[1].endOffset - a[1].endOffset || a[0] - b[0])
      .map(([id]) => id);
  }
}
