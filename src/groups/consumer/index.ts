/**
 * The KIP-848 consumer group coordinator: heartbeats (join/leave/reconcile with their
 * deadlines) and the admin side, over the shared GroupStore and TimerQueue of the
 * group coordinator. Built by GroupCoordinator; handlers reach it as `coordinator.consumer`.
 */
import type { GroupStore } from '../group-store.js';
import type { TimerQueue } from '../timer-queue.js';
import { ConsumerGroupAdmin } from './admin.js';
import { DEFAULT_CONSUMER_GROUP_CONFIG, type ConsumerGroupConfig } from './config.js';
import { ConsumerGroupHeartbeats } from './heartbeat.js';
import type { TopicSource } from './target.js';

export type { ConsumerGroupConfig } from './config.js';
export type { TopicSource } from './target.js';

/** No topics at all: for coordinators built without a metadata image (classic-only tests). */
export const NO_TOPICS: TopicSource = { byName: () => undefined, byId: () => undefined, names: () => [] };

export class ConsumerGroupCoordinator {
  readonly config: ConsumerGroupConfig;
  readonly heartbeats: ConsumerGroupHeartbeats;
  readonly admin: ConsumerGroupAdmin;

  constructor(
    store: GroupStore,
    timers: TimerQueue,
    config: Partial<ConsumerGroupConfig>,
    topics: TopicSource,
    newUuid: () => string,
  ) {
    this.config = { ...DEFAULT_CONSUMER_GROUP_CONFIG, ...config };
    this.heartbeats = new ConsumerGroupHeartbeats(store, timers, this.config, topics, newUuid);
    this.admin = new ConsumerGroupAdmin(store, this.heartbeats, topics, this.config.assignors);
  }

  resumeLoaded(now: number, loaded?: (groupId: string) => boolean): void {
    this.heartbeats.resumeLoaded(now, loaded);
  }
}
