/**
 * Topic creation a broker starts by itself: Metadata's auto-creation (this broker's num.partitions and
 * default.replication.factor, also when forwarded to another node's controller, never lowered to the live brokers: Kafka refuses rather than create a
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

/** The coordinators' topics and the setting that names each one's replication factor. */
const INTERNAL_TOPIC_FACTORS: ReadonlyMap<string, string> = new Map([
  ['__consumer_offsets', 'offsets.topic.replication.factor'],
  ['__transaction_state', 'transaction.state.log.replication.factor'],
]);

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
    // This broker's own defaults, also when the active controller is another node (Kafka's
    // AutoTopicCreationManager puts them in its CreateTopics): a split-mode cluster sets them in
    // the brokers' properties, not the controllers'.
    const numPartitions = config.int('num.partitions');
    const replicationFactor = config.int('default.replication.factor');
    if (!controller.isActive()) {
      this.forward({ name, numPartitions, replicationFactor, configs: new Map() });
      return ErrorCode.LEADER_NOT_AVAILABLE;
    }
    const result = controller.createTopic({ name, numPartitions, replicationFactor });
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
   * name at a time; callers answer a retriable error meanwhile.
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
        const factorConfig = INTERNAL_TOPIC_FACTORS.get(name);
        if (code === ErrorCode.INVALID_REPLICATION_FACTOR && factorConfig !== undefined) {
          // An internal topic waiting for enough live brokers (Kafka's rule).
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
