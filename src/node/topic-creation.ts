/**
 * Topic creation a broker starts by itself: Metadata's auto-creation (num.partitions,
 * default.replication.factor, never lowered to the live brokers: Kafka refuses rather than create a
 * topic under-replicated) and the internal topics' creation for the coordinators. On the active
 * controller it commits at once; elsewhere it forwards a CreateTopics to the active controller, once
 * per name at a time, while callers answer a retriable error. Refusals are warned about once per
 * topic per 30 s: clients retry Metadata every few milliseconds.
 */
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import {
  CreateTopicsApi,
  defaultCreateTopicsRequest,
  defaultCreateTopicsRequestCreatableTopic,
} from '../../protocol/generated/messages/19-create-topics.js';
import type { Clock } from '../common/clock.js';
import type { BrokerConfig } from '../common/config.js';
import type { Logger } from '../common/logger.js';
import { WarnOncePerInterval } from '../common/warn-once-per-interval.js';
import type { RequestForwarder } from '../controller/forwarding.js';
import { InternalTopicShortageLog, type InternalTopicSpec } from '../groups/internal-topic.js';
import type { MetadataController } from '../metadata/controller.js';

export interface TopicCreationDeps {
  readonly config: BrokerConfig;
  readonly controller: MetadataController;
  /** The quorum's forwarder to the active controller (made after this object). */
  readonly forwarder: () => RequestForwarder;
  readonly log: Logger;
  readonly clock: Clock;
}

export class TopicCreation {
  private readonly inFlight = new Set<string>();
  private readonly refusals: WarnOncePerInterval;
  private readonly shortage: InternalTopicShortageLog;

  constructor(private readonly deps: TopicCreationDeps) {
    this.refusals = new WarnOncePerInterval(deps.log, deps.clock);
    this.shortage = new InternalTopicShortageLog(deps.log, deps.clock);
  }

  /** Metadata's auto-creation of `name`: 0 when the topic exists now, else the code to log (clients retry). */
  autoCreate(name: string): number {
    const { controller, config } = this.deps;
    if (!controller.isActive()) {
      this.forward({ name, numPartitions: -1, replicationFactor: -1, configs: new Map() });
      return ErrorCode.LEADER_NOT_AVAILABLE;
    }
    const result = controller.createTopic({
      name,
      numPartitions: config.int('num.partitions'),
      replicationFactor: config.int('default.replication.factor'),
    });
    if (!result.ok) {
      this.refused(name, result.error.errorCode, result.error.errorMessage);
      return result.error.errorCode;
    }
    controller.commit(result.records);
    // A quorum of one has applied it; a larger one commits it shortly (clients retry).
    return controller.image.topicsByName.has(name) ? 0 : ErrorCode.LEADER_NOT_AVAILABLE;
  }

  /**
   * Starts a topic's creation on the active controller (a CreateTopics forwarded to it), once per
   * name at a time; callers answer a retriable error meanwhile. -1 counts take the controller's defaults.
   */
  forward(spec: InternalTopicSpec): void {
    const name = spec.name;
    if (this.inFlight.has(name)) return;
    this.inFlight.add(name);
    const configs = [...spec.configs].map(([key, value]) => ({ name: key, value }));
    const topic = {
      ...defaultCreateTopicsRequestCreatableTopic(),
      name,
      numPartitions: spec.numPartitions,
      replicationFactor: spec.replicationFactor,
      configs,
    };
    this.deps
      .forwarder()
      .send(CreateTopicsApi, 7, { ...defaultCreateTopicsRequest(), topics: [topic], timeoutMs: 30000 })
      .then((response) => {
        const code = response?.topics[0]?.errorCode ?? 0;
        const message = response?.topics[0]?.errorMessage ?? null;
        if (code === ErrorCode.INVALID_REPLICATION_FACTOR && spec.replicationFactor > 0) {
          // An internal topic waiting for enough live brokers (Kafka's rule).
          const factorConfig =
            name === '__consumer_offsets'
              ? 'offsets.topic.replication.factor'
              : 'transaction.state.log.replication.factor';
          this.shortage.warn(name, factorConfig, message ?? '');
        } else if (code !== ErrorCode.NONE && code !== ErrorCode.TOPIC_ALREADY_EXISTS)
          this.refused(name, code, message);
      })
      .catch((err: unknown) => this.deps.log.debug({ err, topic: name }, 'forwarded topic creation failed'))
      .finally(() => this.inFlight.delete(name));
  }

  private refused(name: string, errorCode: number, reason: string | null): void {
    this.refusals.warn(
      name,
      { topic: name, errorCode },
      `auto-creation of topic ${name} was refused (error ${errorCode}${reason ? `: ${reason}` : ''}); clients get UNKNOWN_TOPIC_OR_PARTITION`,
    );
  }
}
