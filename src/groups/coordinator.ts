/**
 * The group coordinator for the `__consumer_offsets` partitions this broker leads:
 * one object holding the groups, offsets and deadlines, with the classic protocol
 * (membership.ts), offsets (offsets.ts), admin operations (admin.ts) and the KIP-848
 * consumer protocol (consumer/) behind it.
 * Pure code: every call takes `now`; the broker (service.ts) drives `poll(now)` with
 * a real timer at `nextDeadline()`, tests with a ManualClock. `load` replays records
 * read back from the log on start.
 */
import { nodeCrypto } from '../common/node-crypto.js';
import { GroupAdmin } from './admin.js';
import { ConsumerGroupCoordinator, NO_TOPICS, type ConsumerGroupConfig, type TopicSource } from './consumer/index.js';
import { DEFAULT_COORDINATOR_CONFIG, type CoordinatorConfig } from './config.js';
import { GroupStore, type GroupLogWriter } from './group-store.js';
import { Membership } from './membership.js';
import { OffsetManager, type OffsetEnvironment } from './offsets.js';
import type { GroupRecord } from './records.js';
import { TimerQueue } from './timer-queue.js';

/** A member id's UUID part (node:crypto loaded on the first join, not at start). */
const newMemberUuid = (): string => nodeCrypto().randomUUID();

export interface CoordinatorOptions {
  config?: Partial<CoordinatorConfig>;
  writer: GroupLogWriter;
  numPartitions: () => number;
  env: OffsetEnvironment;
  /** KIP-848 consumer groups: their knobs, and the metadata image's topics. */
  consumerConfig?: Partial<ConsumerGroupConfig>;
  topics?: TopicSource;
  /** Member id suffixes; random UUIDs unless a test wants them predictable. */
  newUuid?: () => string;
}

export class GroupCoordinator {
  readonly config: CoordinatorConfig;
  readonly store: GroupStore;
  readonly timers = new TimerQueue();
  readonly membership: Membership;
  readonly offsets: OffsetManager;
  readonly admin: GroupAdmin;
  readonly consumer: ConsumerGroupCoordinator;

  constructor(options: CoordinatorOptions) {
    this.config = { ...DEFAULT_COORDINATOR_CONFIG, ...options.config };
    this.store = new GroupStore(options.writer, options.numPartitions);
    this.membership = new Membership(this.store, this.timers, this.config, options.newUuid ?? newMemberUuid);
    this.consumer = new ConsumerGroupCoordinator(
      this.store,
      this.timers,
      options.consumerConfig ?? {},
      options.topics ?? NO_TOPICS,
      options.newUuid ?? newMemberUuid,
    );
    const consumerAdmin = this.consumer.admin;
    this.offsets = new OffsetManager(this.store, this.membership, this.config, options.env, (g, m, e, v) =>
      consumerAdmin.commitError(g, m, e, v),
    );
    this.admin = new GroupAdmin(this.store, this.membership);
  }

  /** Replays records read from `__consumer_offsets`, then starts the loaded members' sessions. */
  load(records: Iterable<GroupRecord>, now: number): void {
    for (const r of records) this.store.replay(r, now);
    for (const group of this.store.groups.values()) this.membership.resumeLoaded(group, now);
    this.consumer.resumeLoaded(now);
  }

  /**
   * Loads one `__consumer_offsets` partition this broker now leads: replays its records, then
   * starts the sessions of its groups' members (those that do not heartbeat again expire).
   */
  loadPartition(partition: number, records: Iterable<GroupRecord>, now: number): void {
    for (const r of records) this.store.replay(r, now);
    const here = (groupId: string): boolean => this.store.partitionFor(groupId) === partition;
    for (const group of this.store.groups.values()) if (here(group.groupId)) this.membership.resumeLoaded(group, now);
    this.consumer.resumeLoaded(now, here);
  }

  /**
   * Unloads a partition whose leadership moved: its groups, offsets and consumer groups are
   * dropped, their deadlines stop, and members waiting in JoinGroup/SyncGroup get NOT_COORDINATOR.
   */
  unloadPartition(partition: number): void {
    const here = (groupId: string): boolean => this.store.partitionFor(groupId) === partition;
    for (const group of [...this.store.groups.values()]) {
      if (!here(group.groupId)) continue;
      this.store.groups.delete(group.groupId);
      this.membership.unload(group);
    }
    for (const groupId of [...this.store.offsets.keys()]) if (here(groupId)) this.store.offsets.delete(groupId);
    for (const group of [...this.store.consumerGroups.groups.values()]) {
      if (!here(group.groupId)) continue;
      for (const memberId of group.members.keys()) this.consumer.heartbeats.cancelTimers(group.groupId, memberId);
      this.store.consumerGroups.groups.delete(group.groupId);
    }
  }

  /** Starts the periodic offset expiry, first run one interval from now. */
  startRetention(now: number): void {
    const run = (at: number): void => {
      this.offsets.expire(at);
      this.timers.schedule('retention', at + this.config.offsetsRetentionCheckIntervalMs, run);
    };
    this.timers.schedule('retention', now + this.config.offsetsRetentionCheckIntervalMs, run);
  }

  /** Fires every deadline due at `now`. */
  poll(now: number): void {
    this.timers.poll(now);
  }

  nextDeadline(): number | null {
    return this.timers.nextDeadline();
  }
}
