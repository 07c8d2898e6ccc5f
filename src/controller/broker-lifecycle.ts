/**
 * The broker's side of registration and liveness: once a leader is known, register with it
 * (BrokerRegistration 62 over the controller connection, or directly when this node is the active
 * controller), then heartbeat (BrokerHeartbeat 63) every broker.heartbeat.interval.ms. A
 * BROKER_ID_NOT_REGISTERED or STALE_BROKER_EPOCH answer makes it register again; a leader change
 * makes it try at once. On a lone voter the registration commits inside start().
 * Leaves out: controlled shutdown (wantShutDown), waiting to be caught up before serving.
 */
import { NodeScheduler, type Scheduler, type Timer } from '../common/scheduler.js';
import { randomBytes } from 'node:crypto';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { randomUuid } from '../../protocol/primitives/uuid.js';
import { BrokerRegistrationApi } from '../../protocol/generated/messages/62-broker-registration.js';
import { BrokerHeartbeatApi } from '../../protocol/generated/messages/63-broker-heartbeat.js';
import type { Logger } from '../common/logger.js';
import type {
  BrokerHeartbeats,
  BrokerRegistrationInput,
  HeartbeatResult,
  RegistrationResult,
} from './broker-heartbeats.js';
import type { QuorumNode } from './quorum-node.js';

export interface BrokerLifecycleOptions {
  readonly nodeId: number;
  readonly clusterId: string;
  readonly rack: string | null;
  readonly endPoints: () => BrokerRegistrationInput['endPoints'];
  readonly quorum: QuorumNode;
  readonly heartbeats: BrokerHeartbeats;
  readonly heartbeatIntervalMs: number;
  /** Defaults to Node's timers. */
  readonly scheduler?: Scheduler;
  readonly logger: Logger;
}

export class BrokerLifecycle {
  private readonly incarnationId = randomUuid(randomBytes);
  private brokerEpoch = -1n;
  private registered = false;
  private busy = false;
  private timer: Timer | null = null;
  private stopped = false;

  constructor(private readonly options: BrokerLifecycleOptions) {}

  /** The broker epoch of the current registration, -1 before one. */
  epoch(): bigint {
    return this.brokerEpoch;
  }

  isRegistered(): boolean {
    return this.registered;
  }

  /** Registers at once if this node leads (a lone voter always does), then keeps heartbeating. */
  start(): void {
    this.options.quorum.onLeaderChange(() => this.step());
    this.step();
    const scheduler = this.options.scheduler ?? new NodeScheduler();
    this.timer = scheduler.every(this.options.heartbeatIntervalMs, () => this.step());
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
    this.timer = null;
  }

  private step(): void {
    this.options.heartbeats.tick();
    const leader = this.options.quorum.leaderId();
    if (this.stopped || this.busy || leader < 0) return;
    this.busy = true;
    const work = this.registered ? this.heartbeat(leader) : this.register(leader);
    work
      .catch((err: unknown) => this.options.logger.debug({ err, leader }, 'controller request failed; will retry'))
      .finally(() => {
        this.busy = false;
      });
  }

  private async register(leader: number): Promise<void> {
    const input: BrokerRegistrationInput = {
      brokerId: this.options.nodeId,
      clusterId: this.options.clusterId,
      incarnationId: this.incarnationId,
      endPoints: this.options.endPoints(),
      rack: this.options.rack,
    };
    let result: RegistrationResult;
    if (leader === this.options.nodeId) {
      result = await this.options.heartbeats.register(input);
    } else {
      const peers = this.options.quorum.peers;
      if (!peers || !peers.knows(leader)) return;
      const response = await peers.request(leader, BrokerRegistrationApi, 2, {
        brokerId: input.brokerId,
        clusterId: input.clusterId,
        incarnationId: input.incarnationId,
        listeners: input.endPoints,
        features: [],
        rack: input.rack,
        isMigratingZkBroker: false,
        logDirs: [],
        previousBrokerEpoch: -1n,
      });
      result = { errorCode: response.errorCode, brokerEpoch: response.brokerEpoch };
    }
    if (result.errorCode === ErrorCode.NONE) {
      this.registered = true;
      this.brokerEpoch = result.brokerEpoch;
      this.options.logger.info({ leader, brokerEpoch: String(result.brokerEpoch) }, 'broker registered');
    }
  }

  private async heartbeat(leader: number): Promise<void> {
    let result: HeartbeatResult;
    if (leader === this.options.nodeId) {
      result = await this.options.heartbeats.heartbeat(this.options.nodeId, this.brokerEpoch);
    } else {
      const peers = this.options.quorum.peers;
      if (!peers || !peers.knows(leader)) return;
      const response = await peers.request(leader, BrokerHeartbeatApi, 0, {
        brokerId: this.options.nodeId,
        brokerEpoch: this.brokerEpoch,
        currentMetadataOffset: BigInt(this.options.quorum.raft.appliedOffset()),
        wantFence: false,
        wantShutDown: false,
        offlineLogDirs: [],
      });
      result = { errorCode: response.errorCode, isFenced: response.isFenced, isCaughtUp: response.isCaughtUp };
    }
    if (result.errorCode === ErrorCode.BROKER_ID_NOT_REGISTERED || result.errorCode === ErrorCode.STALE_BROKER_EPOCH) {
      this.registered = false;
    }
  }
}
