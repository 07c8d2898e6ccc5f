/**
 * CreateTopics (key 19), versions 0-7.
 *
 * Each topic goes through `controller.createTopic` and, unless validateOnly, its
 * records are committed at once (the replica manager opens the logs from the image
 * change). numPartitions / replicationFactor -1 take `num.partitions` /
 * `default.replication.factor` (Kafka's KRaft controller does so for every version);
 * a manual assignment needs both at -1. Configs are validated (INVALID_CONFIG with a
 * message). Duplicate names in one request get INVALID_REQUEST, `__cluster_metadata`
 * INVALID_REQUEST ("Creation of internal topic ... is prohibited."), as Kafka answers. As Kafka's
 * controller bounds one operation to 10,000 metadata records (MAX_RECORDS_PER_USER_OP), a request
 * whose creatable topics need more in all (a record per topic, per config, per partition) fails
 * whole: each of them gets POLICY_VIOLATION and nothing is created. Internal topics such as
 * `__consumer_offsets` may be created, as Kafka allows. v5+ answers successful topics
 * with partitions, replication factor and their effective configs; v7 with the topic
 * id; to a principal without DESCRIBE_CONFIGS on the topic (CREATE does not imply it) the topic is
 * created but its entry carries topic_config_error_code TOPIC_AUTHORIZATION_FAILED, -1 for
 * partitions and replication factor and no configs, as Kafka's controller answers. A node that is
 * not the active controller forwards the request (Envelope, see
 * controller/forwarding.ts); one that answers itself without a leader gives NOT_CONTROLLER.
 * The controller_mutation_rate quota counts each topic's partitions (handlers/throttling.ts):
 * from v6 a topic is refused with THROTTLING_QUOTA_EXCEEDED while the client's bucket is below
 * zero; the response's throttle_time_ms says how long until it is not (validateOnly counts too,
 * as on Kafka's KRaft controller).
 * A timeout_ms of 0 or less creates nothing and answers every topic REQUEST_TIMED_OUT, topics the
 * authorizer refused included, as Kafka's controller (its deadline has passed before the creation
 * runs; handlers/controller-deadline.ts), unless no topic is left for the controller; librdkafka with
 * operation_timeout=0 reports that as success, on Kafka as here.
 * Left out: create-topic policies.
 */
import {
  CreateTopicsApi,
  type CreateTopicsRequest,
  type CreateTopicsResponseCreatableTopicResult,
} from '../../protocol/generated/messages/19-create-topics.js';
import { CLUSTER_METADATA_TOPIC, MAX_RECORDS_PER_USER_OP, type CreateTopicSpec } from '../metadata/controller.js';
import type { BrokerConfig } from '../common/config.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { ZERO_UUID } from '../../protocol/primitives/uuid.js';
import { defineHandler } from './handler.js';
import { deadlinePassed, namedOnce } from './controller-deadline.js';
import { configLayers, describeTopicConfigs } from '../admin/config-describe.js';
import { STRICT_MUTATION_QUOTA_SINCE } from '../server/quotas/controller-mutation-quota.js';
import { mutationQuota, mutationRefused, THROTTLING_QUOTA_EXCEEDED_MESSAGE, throttleMutations } from './throttling.js';
import { AclOperation, RequestAuthz } from '../server/request-authz.js';

function failed(
  name: string,
  errorCode: number,
  errorMessage: string | null,
): CreateTopicsResponseCreatableTopicResult {
  return {
    name,
    topicId: ZERO_UUID,
    errorCode,
    errorMessage,
    topicConfigErrorCode: 0,
    numPartitions: -1,
    replicationFactor: -1,
    configs: [],
  };
}

export const createTopicsHandler = defineHandler({
  api: CreateTopicsApi,
  answerWhole(ctx, request, allowed) {
    // The controller gets the allowed topics named once, less __cluster_metadata; when any is left,
    // its deadline fails the whole request, refused and duplicated topics included.
    const once = namedOnce(request.topics.map((t) => t.name));
    const reaches = allowed.topics.some((t) => once.has(t.name) && t.name !== CLUSTER_METADATA_TOPIC);
    if (!deadlinePassed(ctx, request.timeoutMs, reaches)) return null;
    return { throttleTimeMs: 0, topics: request.topics.map((t) => failed(t.name, ErrorCode.REQUEST_TIMED_OUT, null)) };
  },
  async handle(ctx, request) {
    const { broker, apiVersion } = ctx;
    const controller = broker.controller;
    const counts = new Map<string, number>();
    for (const t of request.topics) counts.set(t.name, (counts.get(t.name) ?? 0) + 1);
    const seen = new Set<string>();
    const topics: CreateTopicsResponseCreatableTopicResult[] = [];
    const quota = mutationQuota(ctx, STRICT_MUTATION_QUOTA_SINCE.createTopics);
    const authz = new RequestAuthz(ctx);
    const tooLarge = exceedsRecordBound(request.topics, broker.config.int('num.partitions'), (topic) => {
      const creatable =
        (counts.get(topic.name) ?? 0) === 1 &&
        topic.name !== CLUSTER_METADATA_TOPIC &&
        controller.isActive() &&
        assignmentsOf(topic).duplicatePartition === null;
      const result = creatable ? controller.createTopic(specOf(topic, broker.config)) : null;
      return result?.ok ? result.records.length : 0;
    });
    for (const topic of request.topics) {
      if (seen.has(topic.name)) continue;
      seen.add(topic.name);
      if ((counts.get(topic.name) ?? 0) > 1) {
        topics.push(failed(topic.name, ErrorCode.INVALID_REQUEST, 'Duplicate topic name.'));
        continue;
      }
      if (topic.name === CLUSTER_METADATA_TOPIC) {
        topics.push(
          failed(
            topic.name,
            ErrorCode.INVALID_REQUEST,
            `Creation of internal topic ${CLUSTER_METADATA_TOPIC} is prohibited.`,
          ),
        );
        continue;
      }
      if (!controller.isActive()) {
        // Forwarding found no active controller: nothing is validated against a stale image.
        topics.push(
          failed(topic.name, ErrorCode.NOT_CONTROLLER, 'This is not the correct controller for this cluster.'),
        );
        continue;
      }
      const { duplicatePartition } = assignmentsOf(topic);
      if (duplicatePartition !== null) {
        topics.push(
          failed(
            topic.name,
            ErrorCode.INVALID_REPLICA_ASSIGNMENT,
            `Found multiple manual partition assignments for partition ${duplicatePartition}`,
          ),
        );
        continue;
      }
      if (tooLarge) {
        topics.push(failed(topic.name, ErrorCode.POLICY_VIOLATION, EXCESSIVELY_LARGE_OPERATION));
        continue;
      }
      const spec = specOf(topic, broker.config);
      const configs = spec.configs;
      const result = controller.createTopic(spec);
      if (!result.ok) {
        topics.push(failed(topic.name, result.error.errorCode, result.error.errorMessage));
        continue;
      }
      if (mutationRefused(ctx, quota, result.value.numPartitions)) {
        topics.push(failed(topic.name, ErrorCode.THROTTLING_QUOTA_EXCEEDED, THROTTLING_QUOTA_EXCEEDED_MESSAGE));
        continue;
      }
      const committed = request.validateOnly ? 0 : await controller.commitAndWait(result.records);
      if (committed !== 0) {
        const message =
          committed === ErrorCode.TOPIC_ALREADY_EXISTS
            ? `Topic '${topic.name}' already exists.`
            : 'This is not the correct controller for this cluster.';
        topics.push(failed(topic.name, committed, message));
        continue;
      }
      const created = result.value;
      const entry: CreateTopicsResponseCreatableTopicResult = {
        ...failed(topic.name, 0, null),
        topicId: apiVersion >= 7 ? created.topicId : ZERO_UUID,
      };
      if (apiVersion >= 5 && !authz.onTopic(AclOperation.DESCRIBE_CONFIGS, topic.name)) {
        entry.topicConfigErrorCode = ErrorCode.TOPIC_AUTHORIZATION_FAILED;
      } else if (apiVersion >= 5) {
        const layers = configLayers(broker.staticConfig ?? broker.config, controller.image, broker.nodeId);
        const overrides = new Map<string, string>();
        for (const [k, v] of configs) if (v !== null) overrides.set(k, v);
        entry.numPartitions = created.numPartitions;
        entry.replicationFactor = created.replicationFactor;
        entry.configs = describeTopicConfigs(layers, overrides).map((c) => ({
          name: c.name,
          value: c.isSensitive ? null : c.value,
          readOnly: c.readOnly,
          configSource: c.source,
          isSensitive: c.isSensitive,
        }));
      }
      topics.push(entry);
    }
    throttleMutations(ctx, quota);
    return { throttleTimeMs: 0, topics };
  },
});

type CreatableTopic = CreateTopicsRequest['topics'][number];

const EXCESSIVELY_LARGE_OPERATION = 'Unable to perform excessively large batch operation.';

/** The manual assignment by partition, and a partition assigned twice (Kafka refuses the topic). */
function assignmentsOf(topic: CreatableTopic): {
  assignments: Map<number, number[]>;
  duplicatePartition: number | null;
} {
  const assignments = new Map<number, number[]>();
  let duplicatePartition: number | null = null;
  for (const a of topic.assignments) {
    if (assignments.has(a.partitionIndex)) duplicatePartition = a.partitionIndex;
    assignments.set(a.partitionIndex, a.brokerIds);
  }
  return { assignments, duplicatePartition };
}

function specOf(
  topic: CreatableTopic,
  config: BrokerConfig,
): CreateTopicSpec & { configs: Map<string, string | null> } {
  return {
    name: topic.name,
    numPartitions: topic.numPartitions,
    replicationFactor: topic.replicationFactor,
    assignments: assignmentsOf(topic).assignments,
    configs: new Map<string, string | null>(topic.configs.map((c) => [c.name, c.value])),
    defaultNumPartitions: config.int('num.partitions'),
    defaultReplicationFactor: config.int('default.replication.factor'),
  };
}

/**
 * Whether the topics the request can create need more than MAX_RECORDS_PER_USER_OP records in all.
 * An upper bound (a record per topic, config and partition, as asked) settles almost every request;
 * past it, `recordsOf` counts what each topic's creation would really write (0 for one that fails).
 */
function exceedsRecordBound(
  topics: readonly CreatableTopic[],
  defaultNumPartitions: number,
  recordsOf: (topic: CreatableTopic) => number,
): boolean {
  let upperBound = 0;
  for (const t of topics) {
    const partitions =
      t.assignments.length > 0 ? t.assignments.length : t.numPartitions === -1 ? defaultNumPartitions : t.numPartitions;
    upperBound += 1 + t.configs.length + Math.max(partitions, 0);
  }
  if (upperBound <= MAX_RECORDS_PER_USER_OP) return false;
  let records = 0;
  for (const t of topics) {
    records += recordsOf(t);
    if (records > MAX_RECORDS_PER_USER_OP) return true;
  }
  return false;
}
