/**
 * Sends a finished transaction's COMMIT/ABORT markers to the leaders of its partitions, as
 * Kafka's TransactionMarkerChannelManager does: the partitions are grouped by their current
 * leader, each leader gets one write (WriteTxnMarkers to another broker, applied in place when
 * the coordinator's broker leads), and the partitions that come back with a retriable error
 * (NOT_LEADER_OR_FOLLOWER, a leader change, no leader yet, an unreachable broker, a timeout, not
 * enough replicas) are looked up again and retried after `retryBackoffMs` until every marker is
 * written. Then `done` runs (the coordinator writes CompleteCommit/CompleteAbort).
 * A partition whose topic is gone is dropped (Kafka does the same). A leader that answers
 * TRANSACTION_COORDINATOR_FENCED or INVALID_PRODUCER_EPOCH means this coordinator is stale:
 * the transaction is abandoned here (`abandoned`), and whoever owns it now completes it.
 * Pure: leaders, the write and the timer are ports; nothing is done after `cancelAll`. `done`
 * runs before `send` returns when every write answered at once (markers written locally).
 */
import { ErrorCode } from '../../protocol/generated/error-codes.js';

export interface TxnMarker {
  producerId: bigint;
  producerEpoch: number;
  coordinatorEpoch: number;
  commit: boolean;
}

export interface MarkerTarget {
  topic: string;
  partition: number;
}

export interface MarkerResult extends MarkerTarget {
  errorCode: number;
}

export interface MarkerSenderPorts {
  /** The partition's leader: a broker id, -1 while it has none, null when the topic or partition is gone. */
  leaderOf(topic: string, partition: number): number | null;
  /**
   * Writes the marker on `brokerId`'s partitions; rejects when the broker cannot be reached. May
   * answer at once (markers this broker wrote and that need no replica to confirm them).
   */
  write(
    brokerId: number,
    marker: TxnMarker,
    targets: readonly MarkerTarget[],
  ): readonly MarkerResult[] | Promise<readonly MarkerResult[]>;
  /** Runs `fn` after `ms`; the returned function cancels it. */
  schedule(ms: number, fn: () => void): () => void;
  retryBackoffMs: number;
  /** Told about a round that left markers unwritten (for logs). */
  onRetry?(transactionalId: string, attempt: number, waiting: readonly MarkerResult[]): void;
}

const FATAL_FOR_COORDINATOR: ReadonlySet<number> = new Set([
  ErrorCode.TRANSACTION_COORDINATOR_FENCED,
  ErrorCode.INVALID_PRODUCER_EPOCH,
]);
/** Errors after which the partition is given up (Kafka logs these and moves on). */
const SKIPPED: ReadonlySet<number> = new Set([ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT, ErrorCode.UNSUPPORTED_VERSION]);

export interface MarkerCallbacks {
  done(): void;
  abandoned(errorCode: number): void;
}

interface InFlight {
  cancelled: boolean;
  cancelTimer: (() => void) | null;
}

const keyOf = (t: MarkerTarget): string => `${t.topic}\0${t.partition}`;

export class TxnMarkerSender {
  private readonly inFlight = new Map<string, InFlight>();

  constructor(private readonly ports: MarkerSenderPorts) {}

  isSending(transactionalId: string): boolean {
    return this.inFlight.has(transactionalId);
  }

  /** Starts writing `marker` to `targets`; `done` may run before this returns (all local, written at once). */
  send(transactionalId: string, marker: TxnMarker, targets: readonly MarkerTarget[], callbacks: MarkerCallbacks): void {
    if (this.inFlight.has(transactionalId)) return;
    const flight: InFlight = { cancelled: false, cancelTimer: null };
    this.inFlight.set(transactionalId, flight);
    const pending = new Map<string, MarkerTarget>(targets.map((t) => [keyOf(t), t]));
    let attempt = 0;
    const finish = (fn: () => void): void => {
      if (this.inFlight.get(transactionalId) === flight) this.inFlight.delete(transactionalId);
      fn();
    };
    const round = (): void => {
      flight.cancelTimer = null;
      if (flight.cancelled) return;
      attempt++;
      const byLeader = new Map<number, MarkerTarget[]>();
      const waiting: MarkerResult[] = [];
      for (const [key, target] of pending) {
        const leader = this.ports.leaderOf(target.topic, target.partition);
        if (leader === null) {
          pending.delete(key);
        } else if (leader < 0) {
          waiting.push({ ...target, errorCode: ErrorCode.LEADER_NOT_AVAILABLE });
        } else {
          let list = byLeader.get(leader);
          if (!list) byLeader.set(leader, (list = []));
          list.push(target);
        }
      }
      let fatal: number | null = null;
      const writes = [...byLeader].map(([leader, list]) => {
        const settle = (results: readonly MarkerResult[]): void => {
          for (const r of results) {
            const key = keyOf(r);
            if (!pending.has(key)) continue;
            if (r.errorCode === ErrorCode.NONE || SKIPPED.has(r.errorCode)) pending.delete(key);
            else if (FATAL_FOR_COORDINATOR.has(r.errorCode)) fatal = r.errorCode;
            else waiting.push(r);
          }
        };
        const unreachable = (): MarkerResult[] => list.map((t) => ({ ...t, errorCode: ErrorCode.NETWORK_EXCEPTION }));
        let answer: readonly MarkerResult[] | Promise<readonly MarkerResult[]>;
        try {
          answer = this.ports.write(leader, marker, list);
        } catch {
          answer = unreachable();
        }
        if (!(answer instanceof Promise)) {
          settle(answer);
          return null;
        }
        return answer.then(settle, () => settle(unreachable()));
      });
      const asyncWrites = writes.filter((w): w is Promise<void> => w !== null);
      const afterRound = (): void => {
        if (flight.cancelled) return;
        if (fatal !== null) {
          const code = fatal;
          finish(() => callbacks.abandoned(code));
          return;
        }
        if (pending.size === 0) {
          finish(() => callbacks.done());
          return;
        }
        this.ports.onRetry?.(transactionalId, attempt, waiting);
        flight.cancelTimer = this.ports.schedule(this.ports.retryBackoffMs, round);
      };
      if (asyncWrites.length === 0) afterRound();
      else void Promise.all(asyncWrites).then(afterRound);
    };
    round();
  }

  /** Stops one transaction's sending (its `__transaction_state` partition moved away). */
  cancel(transactionalId: string): void {
    const flight = this.inFlight.get(transactionalId);
    if (!flight) return;
    flight.cancelled = true;
    flight.cancelTimer?.();
    this.inFlight.delete(transactionalId);
  }

  /** Stops every transaction's sending (the coordinator stops). */
  cancelAll(): void {
    for (const flight of this.inFlight.values()) {
      flight.cancelled = true;
      flight.cancelTimer?.();
    }
    this.inFlight.clear();
  }
}
