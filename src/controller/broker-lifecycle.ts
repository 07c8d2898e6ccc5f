/**
 * The broker's side of registration and liveness: once a leader is known, register with it
 * (BrokerRegistration 62 over the controller connection, or directly when this node is the active
 * controller), then heartbeat (BrokerHeartbeat 63) every broker.heartbeat.interval.ms. A
 * BROKER_ID_NOT_REGISTERED or STALE_BROKER_EPOCH answer makes it register again; a leader change
 * makes it try at once. On a lone voter the registration commits inside start().
 * Controlled shutdown (`controlledShutdown`): heartbeats carry wantShutDown, back to back, until the
 * controller answers shouldShutDown (it has moved this broker's leaderships and ISR places away and
 * fenced it) or the time bound passes, as Kafka's BrokerLifecycleManager does.
 * Initial catch-up, as Kafka's BrokerLifecycleManager: a registration starts fenced; the broker
 * heartbeats at once and then every interval until the controller answers that it has caught up with
 * the metadata log (up to its registration) and unfences it; `whenUnfenced` resolves then, and the
 * node opens its client listeners. The broker never asks to stay fenced: it applies the metadata
 * log as it reads it, so caught up is ready.
 * Initial registration timeout, as Kafka's BrokerLifecycleManager (initial.broker.registration.timeout.ms):
 * a broker whose first registration has not succeeded that long after start gives up, logging why
 * (no active controller found at the configured controllers, or the controller's last refusal), and
 * `onRegistrationTimeout` stops the process. While it waits with no active controller known, it warns
 * every REGISTRATION_WAIT_WARN_MS which controllers it is trying.
 */
import { NodeScheduler, type Scheduler, type Timer } from '../common/scheduler.js';
import { randomBytes } from '../../storage/os-random.js';
import { ERROR_INFO, ErrorCode } from '../../protocol/generated/error-codes.js';
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
  /** initial.broker.registration.timeout.ms: how long the first registration may take. */
  readonly initialRegistrationTimeoutMs: number;
  /** The controllers this broker looks for, as configured (for its log lines), e.g. `controller.quorum.voters=1@h:9093`. */
  readonly controllersSetting: string;
  /** Called once when the first registration did not succeed in time, with the reason (the process stops). */
  readonly onRegistrationTimeout: (reason: string) => void;
}

/** The pause between two heartbeats of a controlled shutdown. */
const SHUTDOWN_HEARTBEAT_GAP_MS = 20;
/** The pause between two heartbeats while the broker waits to be caught up and unfenced. */
const CATCH_UP_HEARTBEAT_GAP_MS = 50;
/** How often a broker that has not registered yet, and knows no active controller, says so. */
const REGISTRATION_WAIT_WARN_MS = 10_000;

export class BrokerLifecycle {
  private readonly incarnationId = randomUuid(randomBytes);
  private brokerEpoch = -1n;
  private registered = false;
  private busy = false;
  private timer: Timer | null = null;
  private registrationDeadline: Timer | null = null;
  private registeredOnce = false;
  private lastWaitWarning: number;
  private stopped = false;
  /** Set while a controlled shutdown waits: resolves it (true: the controller agreed). */
  private shutdownWaiter: ((approved: boolean) => void) | null = null;
  private unfencedOnce = false;
  private readonly unfencedWaiters: Array<() => void> = [];

  private readonly scheduler: Scheduler;

  constructor(private readonly options: BrokerLifecycleOptions) {
    this.scheduler = options.scheduler ?? new NodeScheduler();
    this.lastWaitWarning = this.scheduler.now();
  }

  /** The broker epoch of the current registration, -1 before one. */
  epoch(): bigint {
    return this.brokerEpoch;
  }

  isRegistered(): boolean {
    return this.registered;
  }

  /** Resolves the first time the controller answers a heartbeat caught up and unfenced. */
  whenUnfenced(): Promise<void> {
    if (this.unfencedOnce) return Promise.resolve();
    return new Promise((resolve) => this.unfencedWaiters.push(resolve));
  }

  private markUnfenced(): void {
    if (this.unfencedOnce) return;
    this.unfencedOnce = true;
    this.options.logger.info({ brokerEpoch: String(this.brokerEpoch) }, 'caught up with the metadata log and unfenced');
    for (const waiter of this.unfencedWaiters.splice(0)) waiter();
  }

  /** Registers at once if this node leads (a lone voter always does), then keeps heartbeating. */
  start(): void {
    this.registrationDeadline = this.scheduler.after(this.options.initialRegistrationTimeoutMs, () =>
      this.registrationTimedOut(),
    );
    this.options.quorum.onLeaderChange(() => this.step());
    this.step();
    this.timer = this.scheduler.every(this.options.heartbeatIntervalMs, () => this.step());
  }

  /**
   * Asks the active controller to move leadership and ISR places away; resolves true once it
   * answers shouldShutDown, false after `timeoutMs` (or at once when not registered).
   */
  controlledShutdown(timeoutMs: number): Promise<boolean> {
    if (this.stopped || !this.registered) return Promise.resolve(!this.registered);
    return new Promise<boolean>((resolve) => {
      const timer = this.scheduler.after(timeoutMs, () => finish(false));
      const finish = (approved: boolean): void => {
        timer.cancel();
        this.shutdownWaiter = null;
        resolve(approved);
      };
      this.shutdownWaiter = finish;
      this.step();
    });
  }

  stop(): void {
    this.shutdownWaiter?.(false);
    this.stopped = true;
    this.timer?.cancel();
    this.timer = null;
    this.registrationDeadline?.cancel();
    this.registrationDeadline = null;
  }

  /** Kafka's RegistrationTimeoutEvent: no registration yet, so the broker gives up. */
  private registrationTimedOut(): void {
    this.registrationDeadline = null;
    if (this.stopped || this.registeredOnce) return;
    const { initialRegistrationTimeoutMs, controllersSetting } = this.options;
    const refusal = ERROR_INFO.get(this.lastRegistrationError)?.name;
    const why =
      this.lastRegistrationError !== ErrorCode.NONE && refusal !== undefined
        ? `the active controller refused it (${refusal})`
        : this.options.quorum.leaderId() < 0
          ? `no active controller was found at ${controllersSetting}`
          : 'the active controller did not answer';
    const reason = `Shutting down because we were unable to register with the controller quorum: ${why} within initial.broker.registration.timeout.ms=${initialRegistrationTimeoutMs}`;
    this.options.logger.error({ controllers: controllersSetting }, reason);
    this.options.onRegistrationTimeout(reason);
  }

  /** While no active controller is known and the broker has not registered: a warning now and then. */
  private warnIfStillWaiting(): void {
    const now = this.scheduler.now();
    if (this.registeredOnce || now - this.lastWaitWarning < REGISTRATION_WAIT_WARN_MS) return;
    this.lastWaitWarning = now;
    this.options.logger.warn(
      { controllers: this.options.controllersSetting },
      `not registered yet: no active controller found at ${this.options.controllersSetting}; still trying`,
    );
  }

  private step(): void {
    const leader = this.options.quorum.leaderId();
    if (!this.stopped && leader < 0) this.warnIfStillWaiting();
    if (this.stopped || this.busy || leader < 0) return;
    if (this.shutdownWaiter && !this.registered) {
      this.shutdownWaiter(true); // no registration left: nothing of ours to move
      return;
    }
    this.busy = true;
    const registering = !this.registered;
    const work = registering ? this.register(leader) : this.heartbeat(leader);
    work
      .catch((err: unknown) => this.options.logger.debug({ err, leader }, 'controller request failed; will retry'))
      .finally(() => {
        this.busy = false;
        if (this.stopped) return;
        // While shutting down, heartbeat back to back (a little apart) instead of every interval;
        // right after a registration, heartbeat at once (the first one may unfence).
        if (this.shutdownWaiter) this.scheduler.after(SHUTDOWN_HEARTBEAT_GAP_MS, () => this.step());
        else if (registering && this.registered) this.scheduler.soon(() => this.step());
        else if (this.registered && !this.unfencedOnce)
          this.scheduler.after(CATCH_UP_HEARTBEAT_GAP_MS, () => this.step());
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
      if (result.errorCode === ErrorCode.CLUSTER_AUTHORIZATION_FAILED)
        this.options.quorum.refusedByAuthorizer(leader, 'BrokerRegistration');
    }
    if (result.errorCode === ErrorCode.NONE) {
      this.registered = true;
      this.registeredOnce = true;
      this.registrationDeadline?.cancel();
      this.registrationDeadline = null;
      this.brokerEpoch = result.brokerEpoch;
      this.options.logger.info({ leader, brokerEpoch: String(result.brokerEpoch) }, 'broker registered');
    } else if (result.errorCode !== this.lastRegistrationError) {
      // Once per distinct refusal (it is retried every heartbeat interval), e.g. another live broker
      // with this node.id: DUPLICATE_BROKER_REGISTRATION.
      const error = ERROR_INFO.get(result.errorCode)?.name ?? String(result.errorCode);
      const hint =
        result.errorCode === ErrorCode.DUPLICATE_BROKER_REGISTRATION
          ? `: another live broker is registered with node.id ${this.options.nodeId}`
          : '';
      this.options.logger.warn(
        { leader, error },
        `the active controller refused this broker's registration (${error})${hint}; retrying`,
      );
    }
    this.lastRegistrationError = result.errorCode;
  }

  private lastRegistrationError: number = ErrorCode.NONE;

  private async heartbeat(leader: number): Promise<void> {
    let result: HeartbeatResult;
    const wantShutDown = this.shutdownWaiter !== null;
    // The last metadata offset applied here (Raft's applied offset is the next one).
    const currentMetadataOffset = this.options.quorum.raft.appliedOffset() - 1;
    if (leader === this.options.nodeId) {
      result = await this.options.heartbeats.heartbeat(this.options.nodeId, this.brokerEpoch, {
        wantShutDown,
        currentMetadataOffset,
      });
    } else {
      const peers = this.options.quorum.peers;
      if (!peers || !peers.knows(leader)) return;
      const response = await peers.request(leader, BrokerHeartbeatApi, 0, {
        brokerId: this.options.nodeId,
        brokerEpoch: this.brokerEpoch,
        currentMetadataOffset: BigInt(currentMetadataOffset),
        wantFence: false,
        wantShutDown,
        offlineLogDirs: [],
      });
      result = {
        errorCode: response.errorCode,
        isFenced: response.isFenced,
        isCaughtUp: response.isCaughtUp,
        shouldShutDown: response.shouldShutDown,
      };
      if (result.errorCode === ErrorCode.CLUSTER_AUTHORIZATION_FAILED)
        this.options.quorum.refusedByAuthorizer(leader, 'BrokerHeartbeat');
    }
    if (result.errorCode === ErrorCode.BROKER_ID_NOT_REGISTERED || result.errorCode === ErrorCode.STALE_BROKER_EPOCH) {
      this.registered = false;
    }
    if (result.errorCode === ErrorCode.NONE && result.isCaughtUp && !result.isFenced) this.markUnfenced();
    if (wantShutDown && result.errorCode === ErrorCode.NONE && result.shouldShutDown) {
      this.options.logger.info({ leader }, 'controlled shutdown approved by the controller');
      this.shutdownWaiter?.(true);
    }
  }
}
