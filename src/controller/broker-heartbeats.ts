/**
 * The active controller's side of broker registration (BrokerRegistration, 62) and liveness
 * (BrokerHeartbeat, 63): a registration commits a RegisterBrokerRecord (broker epoch = the log end
 * offset it is proposed at), a heartbeat refreshes the broker's session, a fenced broker that
 * heartbeats is unfenced (UnfenceBrokerRecord), and `tick()` fences (FenceBrokerRecord) brokers whose
 * last heartbeat is older than broker.session.timeout.ms, taking it out of every ISR and electing
 * new leaders for its partitions from their ISRs (src/metadata/partition-leadership.ts); a
 * heartbeat gives a broker the leaderless partitions whose ISR it is in. Session times live only in the leader's
 * memory: a new leader gives every broker a fresh session, as Kafka's controller does.
 * Controlled shutdown (a heartbeat with wantShutDown), as Kafka's controller does it: the first
 * such heartbeat commits a BrokerRegistrationChangeRecord (inControlledShutdown) with the moves
 * that take the broker out of every leadership and ISR (the fencing moves); from then on it is
 * never elected nor added to an ISR. Once it leads nothing and its metadata offset has reached
 * that commit, it is fenced and told shouldShutDown. A new registration clears the state.
 * A closed heartbeat connection fences the broker at once (`connectionClosed`), the session
 * timeout staying the backstop for a process that is paused or cut off without a reset.
 * A registration of a new incarnation is fenced (as Kafka's RegisterBrokerRecord): the broker is
 * unfenced by a heartbeat that does not want to stay fenced and whose metadata offset has reached its
 * registration record (isCaughtUp), so a restarted broker is neither elected nor listed to clients
 * before it has caught up with the metadata log. A new incarnation keeps the leaderships and ISR
 * places of the old one (as Kafka without ELR); they serve again once it is unfenced.
 * Fencings, unfencings and unregistrations are computed one after another, each from the image
 * the earlier ones left (brokers killed together: src/controller/two-brokers-fenced-processes.test.ts).
 * Every move, controlled shutdowns and AlterPartition (src/controller/alter-partition.ts) included,
 * reads the controller's latest image (its records in flight included, as Kafka's controller) and
 * proposes without awaiting in between, so none is computed without the ones proposed before it
 * (src/controller/alter-partition-race.test.ts). A controlled shutdown is not queued behind the
 * others' commits: it is recomputed at each of its broker's heartbeats while it leads anything,
 * and its final fencing takes it out of any ISR it is still in (as Kafka's handleBrokerFenced).
 * Leaves out: offline log dirs, features.
 */
import { randomBytes } from '../../storage/os-random.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { randomUuid } from '../../protocol/primitives/uuid.js';
import { defaultRegisterBrokerRecord } from '../../protocol/generated/records/metadata/RegisterBrokerRecord.js';
import type { Clock } from '../common/clock.js';
import type { Logger } from '../common/logger.js';
import type { MetadataController } from '../metadata/controller.js';
import { NotControllerError } from '../metadata/quorum-port.js';
import {
  fenceBroker,
  leadsAnyPartition,
  unfenceBroker,
  type UncleanElection,
} from '../metadata/partition-leadership.js';
import type { MetadataRecord } from '../metadata/records.js';

export interface BrokerRegistrationInput {
  brokerId: number;
  clusterId: string;
  incarnationId: string;
  endPoints: Array<{ name: string; host: string; port: number; securityProtocol: number }>;
  rack: string | null;
  /** The connection the registration came on: its close fences the broker at once, as a heartbeat's. */
  connectionId?: number;
}

export interface RegistrationResult {
  errorCode: number;
  brokerEpoch: bigint;
}

export interface HeartbeatResult {
  errorCode: number;
  isFenced: boolean;
  isCaughtUp: boolean;
  shouldShutDown: boolean;
}

export interface HeartbeatRequestInput {
  wantShutDown: boolean;
  /** The connection the heartbeat came on (its close fences the broker at once), if any. */
  connectionId?: number;
  /** The metadata offset the broker has applied (-1: unknown, never enough to shut down). */
  currentMetadataOffset: number;
  /** The broker asks to stay fenced (it is not ready to serve yet). */
  wantFence?: boolean;
}

const NO_SHUTDOWN: HeartbeatRequestInput = { wantShutDown: false, currentMetadataOffset: -1 };

function errorCodeOf(err: unknown): number {
  return err instanceof NotControllerError ? ErrorCode.NOT_CONTROLLER : ErrorCode.UNKNOWN_SERVER_ERROR;
}

export class BrokerHeartbeats {
  private readonly lastContact = new Map<number, number>();
  private readonly epochs = new Map<number, bigint>();
  /** Brokers in controlled shutdown → the metadata offset their broker must reach before it may stop. */
  private readonly shutdownOffsets = new Map<number, number>();
  /** Broker → the connection its last heartbeat came on. */
  private readonly heartbeatConnections = new Map<number, number>();
  /** Broker → the metadata offset of its registration (a broker caught up to it may be unfenced). */
  private readonly registrationOffsets = new Map<number, number>();
  private wasLeader = false;
  /** Controlled-shutdown heartbeats being answered here now. */
  private shutdownsInFlight = 0;
  /**
   * The last of the leadership and ISR moves (fencing, unfencing, unregistration) proposed here: each is computed from the image once the one before is applied,
   * as Kafka's controller computes each from the state its earlier ones left. Two brokers fenced
   * together otherwise each keep the other in the ISRs and leaderships they hand on.
   */
  private moves: Promise<unknown> = Promise.resolve();

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
    const image = this.controller.image;
    const existing = image.brokers.get(input.brokerId);
    const sameIncarnation = existing?.incarnationId !== undefined && existing.incarnationId === input.incarnationId;
    if (existing && !sameIncarnation && this.heldByLiveBroker(input.brokerId, input.connectionId)) {
      // Kafka's ClusterControlManager: another broker with this id still has a valid session.
      return { errorCode: ErrorCode.DUPLICATE_BROKER_REGISTRATION, brokerEpoch: -1n };
    }
    const brokerEpoch = sameIncarnation ? (existing.brokerEpoch ?? -1n) : BigInt(image.lastAppliedOffset + 1);
    const records: MetadataRecord[] = [];
    records.push({
      type: 'RegisterBrokerRecord',
      data: {
        ...defaultRegisterBrokerRecord(),
        brokerId: input.brokerId,
        incarnationId: input.incarnationId === '' ? randomUuid(randomBytes) : input.incarnationId,
        brokerEpoch,
        endPoints: input.endPoints,
        rack: input.rack,
        // A new incarnation starts fenced; the same one re-registering keeps its state (Kafka's amend).
        fenced: sameIncarnation ? existing.fenced : true,
        logDirs: [],
      },
    });
    try {
      await this.controller.submit(records);
    } catch (err) {
      return { errorCode: errorCodeOf(err), brokerEpoch: -1n };
    }
    this.registrationOffsets.set(input.brokerId, this.controller.image.lastAppliedOffset);
    this.lastContact.set(input.brokerId, this.clock.now());
    if (input.connectionId !== undefined) this.heartbeatConnections.set(input.brokerId, input.connectionId);
    this.epochs.set(input.brokerId, brokerEpoch);
    this.shutdownOffsets.delete(input.brokerId);
    return { errorCode: ErrorCode.NONE, brokerEpoch };
  }

  /**
   * Whether broker `brokerId`'s current registration belongs to a live process other than the one
   * on `connectionId`: unfenced, heartbeating on a connection still open, within its session. A
   * broker killed and restarted is not (its connection closed and fenced it), nor one whose session
   * expired, nor one this controller has not heard from since it became active.
   */
  private heldByLiveBroker(brokerId: number, connectionId: number | undefined): boolean {
    const broker = this.controller.image.brokers.get(brokerId);
    const connection = this.heartbeatConnections.get(brokerId);
    if (!broker || broker.fenced || connection === undefined || connection === connectionId) return false;
    const last = this.lastContact.get(brokerId);
    return last !== undefined && this.clock.now() - last <= this.sessionTimeoutMs;
  }

  async heartbeat(
    brokerId: number,
    brokerEpoch: bigint,
    request: HeartbeatRequestInput = NO_SHUTDOWN,
  ): Promise<HeartbeatResult> {
    const refused = (errorCode: number, isFenced = true): HeartbeatResult => ({
      errorCode,
      isFenced,
      isCaughtUp: false,
      shouldShutDown: false,
    });
    if (!this.controller.isActive()) return refused(ErrorCode.NOT_CONTROLLER);
    // Kafka 3.9's QuorumController.processBrokerHeartbeat and checkBrokerEpoch: a broker not registered
    // (in the latest state) or at another epoch than its registration, -1 included, is STALE_BROKER_EPOCH.
    const registration = this.controller.latestImage().brokers.get(brokerId);
    if (!registration || (registration.brokerEpoch ?? -1n) !== brokerEpoch)
      return refused(ErrorCode.STALE_BROKER_EPOCH);
    const broker = this.controller.image.brokers.get(brokerId);
    if (!broker) return refused(ErrorCode.STALE_BROKER_EPOCH);
    this.lastContact.set(brokerId, this.clock.now());
    if (request.connectionId !== undefined) this.heartbeatConnections.set(brokerId, request.connectionId);
    if (request.wantShutDown || broker.inControlledShutdown) {
      this.shutdownsInFlight++;
      try {
        // Not queued behind the other moves: a broker in controlled shutdown asks again at each
        // heartbeat and is moved again while it leads anything, so a move computed from an image
        // without another's is corrected at its next heartbeat. Queued, the shutdowns of nodes
        // stopped together ran one commit after another, and the last node's waited behind a
        // commit the departed quorum could no longer make (stop-all-processes.test.ts: 20 s).
        return await this.controlledShutdown(brokerId, brokerEpoch, request.currentMetadataOffset);
      } finally {
        this.shutdownsInFlight--;
      }
    }
    // Caught up: it has applied its own registration (Kafka's check; a controller that did not see
    // the registration uses the broker epoch, the log end when it was proposed).
    const registeredAt = this.registrationOffsets.get(brokerId) ?? Number(broker.brokerEpoch ?? -1n);
    const isCaughtUp = request.currentMetadataOffset >= registeredAt;
    if (broker.fenced && (!isCaughtUp || request.wantFence === true))
      return { errorCode: ErrorCode.NONE, isFenced: true, isCaughtUp, shouldShutDown: false };
    // Unfence it, and give it the leaderless partitions whose ISR it is in.
    try {
      await this.afterEarlierMoves(async () => {
        const latest = this.controller.latestImage();
        const now = latest.brokers.get(brokerId);
        if (now === undefined) return;
        const records: MetadataRecord[] = now.fenced
          ? [{ type: 'UnfenceBrokerRecord', data: { id: brokerId, epoch: brokerEpoch } }]
          : [];
        records.push(...unfenceBroker(latest, brokerId));
        if (records.length > 0) await this.controller.submit(records);
      });
    } catch (err) {
      return refused(errorCodeOf(err));
    }
    return { errorCode: ErrorCode.NONE, isFenced: false, isCaughtUp, shouldShutDown: false };
  }

  /**
   * One heartbeat of a broker that asked to shut down: the first moves its leaderships and ISR
   * places away; it may stop once it leads nothing and has applied those moves (then it is fenced).
   */
  private async controlledShutdown(
    brokerId: number,
    brokerEpoch: bigint,
    metadataOffset: number,
  ): Promise<HeartbeatResult> {
    // Computed from the latest state (records in flight included) and proposed without awaiting in
    // between, so an ISR expansion or fencing proposed just before is taken into account.
    const latest = this.controller.latestImage();
    const broker = latest.brokers.get(brokerId);
    const answer = (shouldShutDown: boolean, isFenced: boolean): HeartbeatResult => ({
      errorCode: ErrorCode.NONE,
      isFenced,
      isCaughtUp: true,
      shouldShutDown,
    });
    if (!broker || broker.fenced) return answer(true, true);
    const records: MetadataRecord[] = [];
    if (!broker.inControlledShutdown) {
      this.logger.info({ brokerId }, 'controlled shutdown: moving leaderships and ISR places away');
      records.push({
        type: 'BrokerRegistrationChangeRecord',
        data: { brokerId, brokerEpoch, fenced: 0, inControlledShutdown: 1, logDirs: [] },
      });
    }
    // Its ISR places and leaderships; again at each heartbeat while it leads anything.
    if (records.length > 0 || leadsAnyPartition(latest, brokerId))
      records.push(...fenceBroker(latest, brokerId, this.uncleanElection));
    try {
      if (records.length > 0) {
        await this.controller.submit(records);
        this.shutdownOffsets.set(brokerId, this.controller.image.lastAppliedOffset);
      }
      const needed = this.shutdownOffsets.get(brokerId) ?? this.controller.image.lastAppliedOffset;
      this.shutdownOffsets.set(brokerId, needed);
      if (leadsAnyPartition(this.controller.image, brokerId) || metadataOffset < needed) return answer(false, false);
      const epoch = this.epochs.get(brokerId) ?? brokerEpoch;
      await this.controller.submit([
        { type: 'FenceBrokerRecord', data: { id: brokerId, epoch } },
        ...fenceBroker(this.controller.latestImage(), brokerId, this.uncleanElection),
      ]);
    } catch (err) {
      return { errorCode: errorCodeOf(err), isFenced: false, isCaughtUp: false, shouldShutDown: false };
    }
    this.shutdownOffsets.delete(brokerId);
    this.logger.info({ brokerId }, 'controlled shutdown: broker leads nothing, fenced; it may stop');
    return answer(true, true);
  }

  /**
   * Whether a controlled shutdown other than `exceptBrokerId`'s is still under way here: a heartbeat
   * that asked for it is being answered, or a broker in controlled shutdown has not been fenced (told
   * shouldShutDown) yet. An active controller that stops waits for these (bounded), so that nodes
   * stopped together get their answers instead of each waiting broker.session.timeout.ms.
   */
  shutdownsPending(exceptBrokerId: number): boolean {
    if (this.shutdownsInFlight > 0) return true;
    for (const [id, broker] of this.controller.image.brokers)
      if (id !== exceptBrokerId && broker.inControlledShutdown && !broker.fenced) return true;
    return false;
  }

  /**
   * UnregisterBroker (Admin.unregisterBroker, `kafka-cluster unregister`), as Kafka's
   * ReplicationControlManager.unregisterBroker: BROKER_ID_NOT_REGISTERED for an id with no registration;
   * otherwise the broker leaves every ISR (its leaderships move, as when it is fenced) and an
   * UnregisterBrokerRecord removes its registration; its session here is forgotten. A broker still
   * running finds itself unregistered at its next heartbeat and registers again, as on Kafka.
   */
  unregister(brokerId: number): Promise<{ errorCode: number; errorMessage: string | null }> {
    return this.afterEarlierMoves(() => this.unregisterNow(brokerId));
  }

  private async unregisterNow(brokerId: number): Promise<{ errorCode: number; errorMessage: string | null }> {
    if (!this.controller.isActive()) return { errorCode: ErrorCode.NOT_CONTROLLER, errorMessage: null };
    const image = this.controller.latestImage();
    const broker = image.brokers.get(brokerId);
    if (!broker)
      return {
        errorCode: ErrorCode.BROKER_ID_NOT_REGISTERED,
        errorMessage: `Broker ID ${brokerId} is not currently registered`,
      };
    const records: MetadataRecord[] = [
      ...fenceBroker(image, brokerId, this.uncleanElection),
      { type: 'UnregisterBrokerRecord', data: { brokerId, brokerEpoch: broker.brokerEpoch ?? -1n } },
    ];
    try {
      await this.controller.submit(records);
    } catch (err) {
      return { errorCode: errorCodeOf(err), errorMessage: null };
    }
    for (const map of [this.lastContact, this.epochs, this.shutdownOffsets, this.heartbeatConnections])
      map.delete(brokerId);
    this.registrationOffsets.delete(brokerId);
    this.logger.info({ brokerId }, 'broker unregistered');
    return { errorCode: ErrorCode.NONE, errorMessage: null };
  }

  /** The epoch a broker registered with here (while this node leads), if known. */
  epochOf(brokerId: number): bigint | undefined {
    return this.epochs.get(brokerId);
  }

  /**
   * The connection a broker heartbeats on closed: a process that died resets its connections, so
   * the active controller fences it now instead of after broker.session.timeout.ms (a strong hint
   * the issue allows; Kafka waits for the session). A broker that is alive heartbeats again on a
   * new connection and is unfenced. Call only while this node serves (not while it stops).
   */
  connectionClosed(connectionId: number): void {
    for (const [brokerId, id] of this.heartbeatConnections) {
      if (id !== connectionId) continue;
      this.heartbeatConnections.delete(brokerId);
      const broker = this.controller.image.brokers.get(brokerId);
      if (!this.controller.isActive() || !broker || broker.fenced || broker.inControlledShutdown) continue;
      this.fence(brokerId, 'fencing broker: its heartbeat connection closed', this.clock.now());
    }
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
      this.fence(broker.brokerId, 'fencing broker: session expired', now, now - last);
    }
  }

  private fence(brokerId: number, why: string, now: number, silentMs?: number): void {
    this.logger.info({ brokerId, silentMs }, why);
    const epoch = this.epochs.get(brokerId) ?? -1n;
    this.lastContact.set(brokerId, now); // do not propose again while this one commits
    this.afterEarlierMoves(async () => {
      // Registered again, fenced or in controlled shutdown meanwhile: that path decides now.
      const latest = this.controller.latestImage();
      const broker = latest.brokers.get(brokerId);
      if (!this.controller.isActive() || !broker || broker.fenced || broker.inControlledShutdown) return;
      if ((this.epochs.get(brokerId) ?? -1n) !== epoch) return;
      const records: MetadataRecord[] = [{ type: 'FenceBrokerRecord', data: { id: brokerId, epoch } }];
      records.push(...fenceBroker(latest, brokerId, this.uncleanElection));
      await this.controller.submit(records);
    }).catch(() => {});
  }

  /** Runs `work` once the moves proposed before it are applied (or failed); see `moves`. */
  private afterEarlierMoves<T>(work: () => Promise<T>): Promise<T> {
    const run = this.moves.then(work, work);
    this.moves = run.catch(() => undefined);
    return run;
  }
}
