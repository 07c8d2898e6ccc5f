/**
 * The active controller's side of broker registration (BrokerRegistration, 62) and liveness
 * (BrokerHeartbeat, 63): a registration commits a RegisterBrokerRecord (broker epoch = the log end
 * offset it is proposed at), a heartbeat refreshes the broker's session, a fenced broker that
 * heartbeats is unfenced (UnfenceBrokerRecord), and `tick()` fences (FenceBrokerRecord) brokers whose
 * last heartbeat is older than broker.session.timeout.ms, taking it out of every ISR and electing
 * new leaders for its partitions from their ISRs (src/metadata/partition-leadership.ts); a
 * heartbeat gives a broker the leaderless partitions whose ISR it is in. Session times live only in the leader's
 * memory: a new leader gives every broker a fresh session, as Kafka's controller does.
 * Leaves out: controlled shutdown, offline log dirs, features, the "caught up" check (a broker is
 * reported caught up at once).
 */
import { randomBytes } from 'node:crypto';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { randomUuid } from '../../protocol/primitives/uuid.js';
import { defaultRegisterBrokerRecord } from '../../protocol/generated/records/metadata/RegisterBrokerRecord.js';
import type { Clock } from '../common/clock.js';
import type { Logger } from '../common/logger.js';
import type { MetadataController } from '../metadata/controller.js';
import { NotControllerError } from '../metadata/quorum-port.js';
import { fenceBroker, unfenceBroker, type UncleanElection } from '../metadata/partition-leadership.js';
import type { MetadataRecord } from '../metadata/records.js';

export interface BrokerRegistrationInput {
  brokerId: number;
  clusterId: string;
  incarnationId: string;
  endPoints: Array<{ name: string; host: string; port: number; securityProtocol: number }>;
  rack: string | null;
}

export interface RegistrationResult {
  errorCode: number;
  brokerEpoch: bigint;
}

export interface HeartbeatResult {
  errorCode: number;
  isFenced: boolean;
  isCaughtUp: boolean;
}

function errorCodeOf(err: unknown): number {
  return err instanceof NotControllerError ? ErrorCode.NOT_CONTROLLER : ErrorCode.UNKNOWN_SERVER_ERROR;
}

export class BrokerHeartbeats {
  private readonly lastContact = new Map<number, number>();
  private readonly epochs = new Map<number, bigint>();
  private wasLeader = false;

  constructor(
    private readonly controller: MetadataController,
    private readonly clusterId: string,
    private readonly clock: Clock,
    private readonly sessionTimeoutMs: number,
    private readonly logger: Logger,
    /** Whether a topic lets an out-of-sync replica lead (unclean.leader.election.enable). */
    private readonly uncleanElection: UncleanElection = () => false,
  ) {}

  async register(input: BrokerRegistrationInput): Promise<RegistrationResult> {
    if (input.clusterId !== this.clusterId) return { errorCode: ErrorCode.INCONSISTENT_CLUSTER_ID, brokerEpoch: -1n };
    if (!this.controller.isActive()) return { errorCode: ErrorCode.NOT_CONTROLLER, brokerEpoch: -1n };
    const brokerEpoch = BigInt(this.controller.image.lastAppliedOffset + 1);
    try {
      await this.controller.submit([
        {
          type: 'RegisterBrokerRecord',
          data: {
            ...defaultRegisterBrokerRecord(),
            brokerId: input.brokerId,
            incarnationId: input.incarnationId === '' ? randomUuid(randomBytes) : input.incarnationId,
            brokerEpoch,
            endPoints: input.endPoints,
            rack: input.rack,
            fenced: false,
            logDirs: [],
          },
        },
      ]);
    } catch (err) {
      return { errorCode: errorCodeOf(err), brokerEpoch: -1n };
    }
    this.lastContact.set(input.brokerId, this.clock.now());
    this.epochs.set(input.brokerId, brokerEpoch);
    return { errorCode: ErrorCode.NONE, brokerEpoch };
  }

  async heartbeat(brokerId: number, brokerEpoch: bigint): Promise<HeartbeatResult> {
    if (!this.controller.isActive()) return { errorCode: ErrorCode.NOT_CONTROLLER, isFenced: true, isCaughtUp: false };
    const broker = this.controller.image.brokers.get(brokerId);
    if (!broker) return { errorCode: ErrorCode.BROKER_ID_NOT_REGISTERED, isFenced: true, isCaughtUp: false };
    const known = this.epochs.get(brokerId);
    if (known !== undefined && brokerEpoch >= 0n && brokerEpoch !== known) {
      return { errorCode: ErrorCode.STALE_BROKER_EPOCH, isFenced: broker.fenced, isCaughtUp: false };
    }
    this.lastContact.set(brokerId, this.clock.now());
    // Unfence it, and give it the leaderless partitions whose ISR it is in.
    const records: MetadataRecord[] = broker.fenced
      ? [{ type: 'UnfenceBrokerRecord', data: { id: brokerId, epoch: brokerEpoch } }]
      : [];
    records.push(...unfenceBroker(this.controller.image, brokerId));
    if (records.length > 0) {
      try {
        await this.controller.submit(records);
      } catch (err) {
        return { errorCode: errorCodeOf(err), isFenced: true, isCaughtUp: false };
      }
    }
    return { errorCode: ErrorCode.NONE, isFenced: false, isCaughtUp: true };
  }

  /** The epoch a broker registered with here (while this node leads), if known. */
  epochOf(brokerId: number): bigint | undefined {
    return this.epochs.get(brokerId);
  }

  /** Fences brokers whose session expired; call periodically. Only the leader acts. */
  tick(): void {
    const now = this.clock.now();
    const leader = this.controller.isActive();
    if (leader && !this.wasLeader) {
      for (const id of this.controller.image.brokers.keys()) this.lastContact.set(id, now);
    }
    this.wasLeader = leader;
    if (!leader) return;
    for (const broker of this.controller.image.brokers.values()) {
      if (broker.fenced) continue;
      const last = this.lastContact.get(broker.brokerId) ?? now;
      if (!this.lastContact.has(broker.brokerId)) this.lastContact.set(broker.brokerId, now);
      if (now - last <= this.sessionTimeoutMs) continue;
      this.logger.info({ brokerId: broker.brokerId, silentMs: now - last }, 'fencing broker: session expired');
      const epoch = this.epochs.get(broker.brokerId) ?? -1n;
      const records: MetadataRecord[] = [{ type: 'FenceBrokerRecord', data: { id: broker.brokerId, epoch } }];
      records.push(...fenceBroker(this.controller.image, broker.brokerId, this.uncleanElection));
      this.controller.submit(records).catch(() => {});
      this.lastContact.set(broker.brokerId, now); // do not propose again while this one commits
    }
  }
}
