/**
 * The leader's ISR upkeep, as Kafka's Partition.maybeExpandIsr / maybeShrinkIsr: a follower that
 * has fetched up to the high watermark and to the leader's log end when its leader epoch began
 * (Kafka's isFollowerInSync) joins the ISR; an in-sync follower that has not caught up
 * with the leader's log end for `replica.lag.time.max.ms` leaves it. Changes go to the active
 * controller as AlterPartition (one in flight per partition, with the leader and partition epochs
 * it was computed from); the new ISR takes effect when the PartitionChangeRecord reaches this
 * broker's image, never before. The transport and the clock are injected ports.
 * Refusals are handled as Kafka's Partition.handleAlterPartitionError and AlterPartitionManager:
 * - a follower this broker's metadata lists as fenced or shutting down is not proposed at all
 *   (KIP-841's leader-side check), so a dead broker's last fetches do not loop on refusals;
 * - INELIGIBLE_REPLICA / OPERATION_NOT_ATTEMPTED: the change was not applied; the ISR is the
 *   metadata's again and a later fetch may propose again (once eligible);
 * - UNKNOWN_TOPIC_OR_PARTITION, UNKNOWN_TOPIC_ID, FENCED_LEADER_EPOCH, INVALID_UPDATE_VERSION,
 *   INVALID_REQUEST, NEW_LEADER_ELECTED: nothing is proposed for the partition until its metadata
 *   moves on (a new leader or partition epoch); the joining followers keep counting meanwhile;
 * - anything else (NOT_CONTROLLER, STALE_BROKER_EPOCH, a lost answer: the change may have been
 *   applied): the joining followers keep counting and the change is proposed again no sooner than
 *   50 ms later (Kafka's AlterPartitionManager retry).
 * Broker epochs (KIP-903, Kafka's Partition.isReplicaIsrEligible and addBrokerEpochToIsr): a follower
 * joins only when the broker epoch of its last fetch is -1 (not sent) or the one its unfenced
 * registration has in this broker's metadata; each member goes into AlterPartition with the epoch of
 * its last fetch in this leader epoch (-1 when none), this broker with its own, so the controller
 * refuses a member that has re-registered since (INELIGIBLE_REPLICA).
 * The high watermark (Kafka's Partition.maybeIncrementLeaderHW): a follower outside the ISR that has
 * caught up with the leader's log end within `replica.lag.time.max.ms` and may join it (the checks
 * above) holds the high watermark as an in-sync one does (`holdsHighWatermark`); each periodic ISR
 * check looks at the high watermark again, so one that stopped fetching stops holding it.
 * Leaves out: the ISR never shrinks below the leader; eligible leader replicas (KIP-966).
 */
import type {
  AlterPartitionRequest,
  AlterPartitionResponse,
} from '../../protocol/generated/messages/56-alter-partition.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import type { Logger } from '../common/logger.js';
import type { FollowerPosition, Partition } from './partition.js';

/** Sends an AlterPartition (v3) to the active controller. */
export type AlterPartitionSender = (request: AlterPartitionRequest) => Promise<AlterPartitionResponse>;

export interface IsrManagerOptions {
  brokerId: number;
  brokerEpoch: () => bigint;
  /** The epoch of a broker's registration in this broker's metadata while it is unfenced. */
  aliveBrokerEpoch: (brokerId: number) => bigint | undefined;
  send: AlterPartitionSender;
  now: () => number;
  replicaLagTimeMaxMs: number;
  /** Whether this broker's metadata lists the broker registered, unfenced and not shutting down. */
  isEligible: (brokerId: number) => boolean;
  logger: Logger;
}

/** Refusals after which the leader waits for the partition's metadata to move on (Kafka's Partition). */
const AWAIT_METADATA: ReadonlySet<number> = new Set([
  ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  ErrorCode.UNKNOWN_TOPIC_ID,
  ErrorCode.FENCED_LEADER_EPOCH,
  ErrorCode.INVALID_UPDATE_VERSION,
  ErrorCode.INVALID_REQUEST,
  ErrorCode.NEW_LEADER_ELECTED,
]);

/** Kafka's AlterPartitionManager waits this long before it sends again after an error. */
export const ALTER_PARTITION_RETRY_MS = 50;

export class IsrManager {
  /** Partitions with an AlterPartition in flight. */
  private readonly inFlight = new Set<Partition>();
  /** When this broker became leader of a partition at its current epoch. */
  private readonly leaderSince = new Map<Partition, { epoch: number; at: number }>();
  /** Partitions that propose nothing until their leader or partition epoch differs from these. */
  private readonly awaitingMetadata = new Map<Partition, { leaderEpoch: number; partitionEpoch: number }>();
  /** Partitions that propose again no sooner than this time. */
  private readonly retryAt = new Map<Partition, number>();

  constructor(private readonly options: IsrManagerOptions) {}

  /** Called after a follower's fetch was recorded: a caught-up follower joins the ISR. */
  maybeExpand(partition: Partition, replicaId: number): void {
    if (!partition.isLeader() || partition.state.isr.includes(replicaId)) return;
    const position = partition.followerPosition(replicaId);
    // Kafka's isFollowerInSync: up to the high watermark and to where this leader epoch began (a
    // new leader's high watermark may still lag behind records the previous ISR all had).
    if (!position || position.logEndOffset < Math.max(partition.highWatermark, partition.leaderEpochStartOffset))
      return;
    if (!this.mayJoin(replicaId, position)) return;
    this.propose(partition, [...partition.state.isr, replicaId]);
  }

  /**
   * Kafka's shouldWaitForReplicaToJoinIsr: whether a follower outside the ISR holds the leader's high
   * watermark, having caught up with the log end within replica.lag.time.max.ms and being eligible.
   */
  holdsHighWatermark(partition: Partition, replicaId: number, position: FollowerPosition): boolean {
    const caughtUp =
      position.logEndOffset >= partition.log.logEndOffset ||
      (position.lastCaughtUpTimeMs >= 0 &&
        this.options.now() - position.lastCaughtUpTimeMs <= this.options.replicaLagTimeMaxMs);
    return caughtUp && this.mayJoin(replicaId, position);
  }

  /** Kafka's isReplicaIsrEligible: registered, unfenced, not shutting down, fetching at its registration's epoch. */
  private mayJoin(replicaId: number, position: FollowerPosition): boolean {
    if (!this.options.isEligible(replicaId)) return false;
    const alive = this.options.aliveBrokerEpoch(replicaId);
    return alive !== undefined && (position.brokerEpoch === -1n || position.brokerEpoch === alive);
  }

  /** Called periodically for every led partition: laggards leave the ISR. */
  maybeShrink(partition: Partition): void {
    if (!partition.isLeader()) {
      this.leaderSince.delete(partition);
      return;
    }
    partition.maybeAdvanceHighWatermark();
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
    this.awaitingMetadata.delete(partition);
    this.retryAt.delete(partition);
  }

  /** Whether a refusal holds the partition's proposals back (until new metadata, or a retry time). */
  private heldBack(partition: Partition): boolean {
    const awaited = this.awaitingMetadata.get(partition);
    const state = partition.state;
    if (awaited && awaited.leaderEpoch === state.leaderEpoch && awaited.partitionEpoch === state.partitionEpoch)
      return true;
    this.awaitingMetadata.delete(partition);
    const at = this.retryAt.get(partition);
    if (at !== undefined && this.options.now() < at) return true;
    this.retryAt.delete(partition);
    return false;
  }

  private propose(partition: Partition, newIsr: number[]): void {
    if (this.inFlight.has(partition) || this.heldBack(partition)) return;
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
                brokerEpoch: this.memberEpoch(partition, brokerId),
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
    this.options
      .send(request)
      .then((response) => {
        const topLevel = response.errorCode;
        const code = topLevel || (response.topics[0]?.partitions[0]?.errorCode ?? ErrorCode.NONE);
        if (code === ErrorCode.NONE) return;
        this.options.logger.info(
          { topic: partition.topic, partition: partition.index, errorCode: code },
          'ISR change refused',
        );
        this.refused(partition, state, topLevel === ErrorCode.NONE ? code : -1);
      })
      .catch((err: unknown) => {
        this.options.logger.info({ err: String(err) }, 'AlterPartition failed; will retry');
        this.refused(partition, state, -1);
      })
      .finally(() => this.inFlight.delete(partition));
  }

  /** Kafka's addBrokerEpochToIsr: this broker's own epoch, a follower's from its last fetch (-1: none yet). */
  private memberEpoch(partition: Partition, brokerId: number): bigint {
    if (brokerId === this.options.brokerId) return this.options.brokerEpoch();
    return partition.followerPosition(brokerId)?.brokerEpoch ?? -1n;
  }

  /** A refusal of the change computed from `sent` (partitionCode -1: a top-level error or no answer). */
  private refused(partition: Partition, sent: { leaderEpoch: number; partitionEpoch: number }, partitionCode: number) {
    // An answer about a state the metadata has replaced since says nothing about the current one.
    if (partition.state.leaderEpoch !== sent.leaderEpoch || partition.state.partitionEpoch !== sent.partitionEpoch)
      return;
    if (partitionCode === ErrorCode.INELIGIBLE_REPLICA || partitionCode === ErrorCode.OPERATION_NOT_ATTEMPTED) {
      partition.clearIsrJoins();
    } else if (AWAIT_METADATA.has(partitionCode)) {
      this.awaitingMetadata.set(partition, { leaderEpoch: sent.leaderEpoch, partitionEpoch: sent.partitionEpoch });
    } else {
      this.retryAt.set(partition, this.options.now() + ALTER_PARTITION_RETRY_MS);
    }
  }
}
