/**
 * The leader's ISR upkeep, as Kafka's Partition.maybeExpandIsr / maybeShrinkIsr: a follower that
 * has fetched up to the high watermark joins the ISR; an in-sync follower that has not caught up
 * with the leader's log end for `replica.lag.time.max.ms` leaves it. Changes go to the active
 * controller as AlterPartition (one in flight per partition, with the leader and partition epochs
 * it was computed from); the new ISR takes effect when the PartitionChangeRecord reaches this
 * broker's image, never before. The transport and the clock are injected ports.
 * Leaves out: the ISR never shrinks below the leader; eligible leader replicas (KIP-966).
 */
import type {
  AlterPartitionRequest,
  AlterPartitionResponse,
} from '../../protocol/generated/messages/56-alter-partition.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import type { Logger } from '../common/logger.js';
import type { Partition } from './partition.js';

/** Sends an AlterPartition (v3) to the active controller. */
export type AlterPartitionSender = (request: AlterPartitionRequest) => Promise<AlterPartitionResponse>;

export interface IsrManagerOptions {
  brokerId: number;
  brokerEpoch: () => bigint;
  /** Broker epochs of the ISR members, as this broker's image knows them (-1: unknown). */
  brokerEpochOf: (brokerId: number) => bigint;
  send: AlterPartitionSender;
  now: () => number;
  replicaLagTimeMaxMs: number;
  logger: Logger;
}

export class IsrManager {
  /** Partitions with an AlterPartition in flight. */
  private readonly inFlight = new Set<Partition>();
  /** When this broker became leader of a partition at its current epoch. */
  private readonly leaderSince = new Map<Partition, { epoch: number; at: number }>();

  constructor(private readonly options: IsrManagerOptions) {}

  /** Called after a follower's fetch was recorded: a caught-up follower joins the ISR. */
  maybeExpand(partition: Partition, replicaId: number): void {
    if (!partition.isLeader() || partition.state.isr.includes(replicaId)) return;
    const position = partition.followerPosition(replicaId);
    if (!position || position.logEndOffset < partition.highWatermark) return;
    this.propose(partition, [...partition.state.isr, replicaId]);
  }

  /** Called periodically for every led partition: laggards leave the ISR. */
  maybeShrink(partition: Partition): void {
    if (!partition.isLeader()) {
      this.leaderSince.delete(partition);
      return;
    }
    const now = this.options.now();
    let since = this.leaderSince.get(partition);
    if (!since || since.epoch !== partition.leaderEpoch) {
      since = { epoch: partition.leaderEpoch, at: now };
      this.leaderSince.set(partition, since);
    }
    const lagging = partition.state.isr.filter((replica) => {
      if (replica === this.options.brokerId) return false;
      const caughtUp = Math.max(partition.followerPosition(replica)?.lastCaughtUpTimeMs ?? -1, since.at);
      return now - caughtUp > this.options.replicaLagTimeMaxMs;
    });
    if (lagging.length === 0) return;
    this.propose(
      partition,
      partition.state.isr.filter((r) => !lagging.includes(r)),
    );
  }

  forget(partition: Partition): void {
    this.leaderSince.delete(partition);
  }

  private propose(partition: Partition, newIsr: number[]): void {
    if (this.inFlight.has(partition)) return;
    this.inFlight.add(partition);
    const state = partition.state;
    // A joining follower counts for the high watermark from now on (Kafka's maximal ISR).
    partition.expectIsrJoins(newIsr);
    const request: AlterPartitionRequest = {
      brokerId: this.options.brokerId,
      brokerEpoch: this.options.brokerEpoch(),
      topics: [
        {
          // Version 3 names topics by id and lists the ISR with broker epochs only.
          topicName: '',
          topicId: partition.topicId,
          partitions: [
            {
              partitionIndex: partition.index,
              leaderEpoch: state.leaderEpoch,
              newIsr: [],
              newIsrWithEpochs: newIsr.map((brokerId) => ({
                brokerId,
                brokerEpoch: this.options.brokerEpochOf(brokerId),
              })),
              leaderRecoveryState: 0,
              partitionEpoch: state.partitionEpoch,
            },
          ],
        },
      ],
    };
    this.options.logger.info(
      { topic: partition.topic, partition: partition.index, isr: state.isr, newIsr },
      'proposing an ISR change',
    );
    // An answer that is not this change (refused, or lost) is retried on the next fetch or check.
    this.options
      .send(request)
      .then((response) => {
        const code = response.errorCode || (response.topics[0]?.partitions[0]?.errorCode ?? ErrorCode.NONE);
        if (code !== ErrorCode.NONE) {
          this.options.logger.info(
            { topic: partition.topic, partition: partition.index, errorCode: code },
            'ISR change refused',
          );
          partition.clearIsrJoins();
        }
      })
      .catch((err: unknown) => {
        this.options.logger.info({ err: String(err) }, 'AlterPartition failed; will retry');
        partition.clearIsrJoins();
      })
      .finally(() => this.inFlight.delete(partition));
  }
}
