/**
 * How an observer (a broker-only process: its node id is not in controller.quorum.voters) finds the
 * active controller. Voters learn the leader from BeginQuorumEpoch, which is only sent to voters; an
 * observer asks every voter at once with DescribeQuorum (a voter that does not lead forwards it to the
 * leader) and, when an answer names a newer leader or epoch than the Raft core knows, hands the core
 * that leader as a BeginQuorumEpoch would. The core then follows it: it fetches the metadata log with
 * its own node id as replica id (the leader answers, never counting it towards the high watermark),
 * and applies the committed records to its image. Asks every `periodMs` while a leader is known (to
 * notice a failover), every `searchMs` while none is.
 * A connection to the leader refused, reset or closed (`leaderLost`: the process died, the kernel
 * answered for it) starts a short search at once: every `urgentMs` until the core knows a newer epoch,
 * for at most `urgentForMs`. The voters elect within a few hundred ms of such a death, so the broker
 * follows the new controller (heartbeats, forwarding) within about as long, instead of at its next
 * periodic look (split-mode failover went from ~2.5 s to ~0.7 s; docs/benchmarks.md).
 * Leaves out: Kafka's leader discovery through Fetch to controller.quorum.bootstrap.servers (a broker
 * given only the bootstrap servers learns the voters from them at start, quorum-bootstrap.ts, then asks
 * the voters here like any observer).
 */
import { DescribeQuorumApi } from '../../protocol/generated/messages/55-describe-quorum.js';
import type { Logger } from '../common/logger.js';
import { NodeScheduler, type Scheduler, type Timer } from '../common/scheduler.js';
import { METADATA_PARTITION, METADATA_TOPIC } from './raft-wire.js';
import type { PeerClient } from './peer-client.js';

export interface ObserverDiscoveryOptions {
  readonly voterIds: readonly number[];
  readonly peers: Pick<PeerClient, 'request'>;
  /** The leader and epoch the Raft core knows now. */
  readonly current: () => { leaderId: number; leaderEpoch: number };
  /** Tells the core about a newer leader. */
  readonly learn: (leaderId: number, leaderEpoch: number) => void;
  readonly periodMs: number;
  readonly searchMs: number;
  /** The pace of the search after `leaderLost`. */
  readonly urgentMs: number;
  /** How long that search lasts at most (without a newer epoch). */
  readonly urgentForMs: number;
  readonly requestTimeoutMs: number;
  /** Defaults to Node's timers. */
  readonly scheduler?: Scheduler;
  readonly logger: Logger;
}

interface LeaderView {
  leaderId: number;
  leaderEpoch: number;
}

export class ObserverDiscovery {
  private timer: Timer | null = null;
  private readonly inFlight = new Set<number>();
  private stopped = false;
  /** Set by `leaderLost`: the epoch whose leader was lost and until when to search fast. */
  private urgent: { epoch: number; until: number } | null = null;
  private readonly scheduler: Scheduler;

  constructor(private readonly options: ObserverDiscoveryOptions) {
    this.scheduler = options.scheduler ?? new NodeScheduler();
  }

  start(): void {
    this.schedule(0);
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
    this.timer = null;
  }

  /** The connection to the leader the core follows was refused, reset or closed: look for a new one now. */
  leaderLost(): void {
    if (this.stopped) return;
    const epoch = this.options.current().leaderEpoch;
    if (this.urgent?.epoch === epoch) return;
    this.urgent = { epoch, until: this.scheduler.now() + this.options.urgentForMs };
    this.schedule(0);
  }

  private nextDelay(): number {
    const { current, periodMs, searchMs, urgentMs } = this.options;
    const known = current();
    if (this.urgent && (known.leaderEpoch > this.urgent.epoch || this.scheduler.now() >= this.urgent.until))
      this.urgent = null;
    if (this.urgent) return urgentMs;
    return known.leaderId >= 0 ? periodMs : searchMs;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer?.cancel();
    this.timer = this.scheduler.after(delayMs, () => {
      this.timer = null;
      this.ask();
      this.schedule(this.nextDelay());
    });
  }

  /**
   * Asks every voter at once (but one already asked and not answered yet: a paused process holds up
   * nothing but its own answer); follows each answer that names a newer leader than the core knows as
   * it arrives.
   */
  private ask(): void {
    for (const voter of this.options.voterIds) {
      if (this.inFlight.has(voter)) continue;
      this.inFlight.add(voter);
      void this.askVoter(voter).then((view) => {
        this.inFlight.delete(voter);
        if (view) this.follow(view);
      });
    }
  }

  private follow(view: LeaderView): void {
    if (this.stopped) return;
    const known = this.options.current();
    if (
      view.leaderEpoch < known.leaderEpoch ||
      (view.leaderEpoch === known.leaderEpoch && known.leaderId === view.leaderId)
    )
      return;
    this.options.learn(view.leaderId, view.leaderEpoch);
  }

  private async askVoter(voter: number): Promise<LeaderView | null> {
    try {
      const r = await this.options.peers.request(
        voter,
        DescribeQuorumApi,
        1,
        { topics: [{ topicName: METADATA_TOPIC, partitions: [{ partitionIndex: METADATA_PARTITION }] }] },
        this.options.requestTimeoutMs,
      );
      const p = r.topics[0]?.partitions[0];
      if (r.errorCode !== 0 || !p || p.errorCode !== 0 || p.leaderId < 0 || !this.options.voterIds.includes(p.leaderId))
        return null;
      return { leaderId: p.leaderId, leaderEpoch: p.leaderEpoch };
    } catch (err) {
      this.options.logger.debug({ err, voter }, 'observer: DescribeQuorum failed');
      return null;
    }
  }
}
