/**
 * How an observer (a broker-only process: its node id is not in controller.quorum.voters) finds the
 * active controller. Voters learn the leader from BeginQuorumEpoch, which is only sent to voters; an
 * observer asks the voters in turn with DescribeQuorum (a voter that does not lead forwards it to the
 * leader) and, when the answer names a newer leader or epoch than the Raft core knows, hands the core
 * that leader as a BeginQuorumEpoch would. The core then follows it: it fetches the metadata log with
 * its own node id as replica id (the leader answers, never counting it towards the high watermark),
 * and applies the committed records to its image. Asks every `periodMs` while a leader is known (to
 * notice a failover), every `searchMs` while none is.
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
  readonly peers: PeerClient;
  /** The leader and epoch the Raft core knows now. */
  readonly current: () => { leaderId: number; leaderEpoch: number };
  /** Tells the core about a newer leader. */
  readonly learn: (leaderId: number, leaderEpoch: number) => void;
  readonly periodMs: number;
  readonly searchMs: number;
  readonly requestTimeoutMs: number;
  /** Defaults to Node's timers. */
  readonly scheduler?: Scheduler;
  readonly logger: Logger;
}

export class ObserverDiscovery {
  private timer: Timer | null = null;
  private next = 0;
  private stopped = false;

  constructor(private readonly options: ObserverDiscoveryOptions) {}

  start(): void {
    this.schedule(0);
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
    this.timer = null;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    const scheduler = this.options.scheduler ?? new NodeScheduler();
    this.timer = scheduler.after(delayMs, () => {
      this.timer = null;
      void this.ask().finally(() =>
        this.schedule(this.options.current().leaderId >= 0 ? this.options.periodMs : this.options.searchMs),
      );
    });
  }

  private async ask(): Promise<void> {
    const { voterIds, peers, current, learn } = this.options;
    if (voterIds.length === 0) return;
    const voter = voterIds[this.next++ % voterIds.length]!;
    try {
      const r = await peers.request(
        voter,
        DescribeQuorumApi,
        1,
        { topics: [{ topicName: METADATA_TOPIC, partitions: [{ partitionIndex: METADATA_PARTITION }] }] },
        this.options.requestTimeoutMs,
      );
      const p = r.topics[0]?.partitions[0];
      if (r.errorCode !== 0 || !p || p.errorCode !== 0 || p.leaderId < 0 || !voterIds.includes(p.leaderId)) return;
      const known = current();
      if (p.leaderEpoch < known.leaderEpoch || (p.leaderEpoch === known.leaderEpoch && known.leaderId === p.leaderId))
        return;
      learn(p.leaderId, p.leaderEpoch);
    } catch (err) {
      this.options.logger.debug({ err, voter }, 'observer: DescribeQuorum failed');
    }
  }
}
