/**
 * DescribeTopicPartitions (key 75), version 0.
 *
 * Topics (all when the list is empty) in name order with their partitions, leaders,
 * epochs, replicas and ISR; eligible leader replicas and last known ELR are empty.
 * At most `responsePartitionLimit` partitions are returned (clamped to 1..2000, as
 * Kafka's max.request.partition.size.limit); the cursor then names the next topic and
 * partition to ask for. Named unknown topics get UNKNOWN_TOPIC_OR_PARTITION (illegal
 * names INVALID_TOPIC_EXCEPTION). A cursor topic missing from a named list, or a
 * negative cursor partition, gets INVALID_REQUEST on every topic, as Kafka's error
 * response does. With an authorizer, topics the principal may not DESCRIBE are hidden from a listing and
 * answered TOPIC_AUTHORIZATION_FAILED when named; authorized operations say what it may do. A partition whose
 * replica here is offline (log dir failed) shows leader -1, LEADER_NOT_AVAILABLE and this
 * node in its offline replicas, as in Metadata; so does one whose leader is fenced or unregistered.
 */
import { partitionHealth } from '../broker/partition-health.js';
import {
  DescribeTopicPartitionsApi,
  type DescribeTopicPartitionsResponse,
  type DescribeTopicPartitionsResponseDescribeTopicPartitionsResponseTopic,
} from '../../protocol/generated/messages/75-describe-topic-partitions.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { ZERO_UUID } from '../../protocol/primitives/uuid.js';
import { defineHandler } from './handler.js';
import { OPERATIONS_NOT_REQUESTED, topicOperations } from './authorized-operations.js';
import { RequestAuthz } from '../server/request-authz.js';
import { AclOperation } from '../metadata/acl-types.js';
import { isInternalTopic } from '../broker/internal-topics.js';
import { validateTopicName } from '../metadata/controller.js';

const MAX_PARTITIONS = 2000;

type TopicResult = DescribeTopicPartitionsResponseDescribeTopicPartitionsResponseTopic;

const errorTopic = (name: string, errorCode: number): TopicResult => ({
  errorCode,
  name,
  topicId: ZERO_UUID,
  isInternal: isInternalTopic(name),
  partitions: [],
  topicAuthorizedOperations: OPERATIONS_NOT_REQUESTED,
});

export const describeTopicPartitionsHandler = defineHandler({
  api: DescribeTopicPartitionsApi,
  handle(ctx, request): DescribeTopicPartitionsResponse {
    const image = ctx.broker.controller.image;
    const all = request.topics.length === 0;
    const cursor = request.cursor;
    const from = cursor?.topicName ?? '';
    const names = [...new Set(all ? image.topicsByName.keys() : request.topics.map((t) => t.name))]
      .filter((n) => n >= from)
      .sort();
    const badCursor = cursor !== null && ((!all && !names.includes(cursor.topicName)) || cursor.partitionIndex < 0);
    if (badCursor) {
      return {
        throttleTimeMs: 0,
        topics: request.topics.map((t) => errorTopic(t.name, ErrorCode.INVALID_REQUEST)),
        nextCursor: null,
      };
    }

    let remaining = Math.max(Math.min(MAX_PARTITIONS, request.responsePartitionLimit), 1);
    const topics: TopicResult[] = [];
    let nextCursor: DescribeTopicPartitionsResponse['nextCursor'] = null;
    const authz = new RequestAuthz(ctx);
    for (const name of names) {
      if (!authz.onTopic(AclOperation.DESCRIBE, name)) {
        // Hidden from a listing; refused when named, as Kafka.
        if (!all) topics.push(errorTopic(name, ErrorCode.TOPIC_AUTHORIZATION_FAILED));
        continue;
      }
      const topic = image.topicsByName.get(name);
      if (remaining === 0) {
        // The next page starts at this topic, whether or not it exists.
        nextCursor = { topicName: name, partitionIndex: 0 };
        break;
      }
      if (!topic) {
        if (!all)
          topics.push(
            errorTopic(
              name,
              validateTopicName(name) ? ErrorCode.INVALID_TOPIC_EXCEPTION : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
            ),
          );
        continue;
      }
      const start = cursor !== null && name === cursor.topicName ? cursor.partitionIndex : 0;
      const sorted = [...topic.partitions.values()]
        .filter((p) => p.partition >= start)
        .sort((a, b) => a.partition - b.partition);
      const page = sorted.slice(0, remaining);
      topics.push({
        errorCode: 0,
        name,
        topicId: topic.topicId,
        isInternal: isInternalTopic(name),
        partitions: page.map((p) => {
          const health = partitionHealth(ctx.broker.replicas, ctx.broker.nodeId, name, p, image.brokers);
          return {
            errorCode: health.errorCode,
            partitionIndex: p.partition,
            leaderId: health.leaderId,
            leaderEpoch: p.leaderEpoch,
            replicaNodes: p.replicas,
            isrNodes: p.isr,
            eligibleLeaderReplicas: [],
            lastKnownElr: [],
            offlineReplicas: health.offlineReplicas,
          };
        }),
        topicAuthorizedOperations: topicOperations(ctx, true, name),
      });
      if (sorted.length > page.length) {
        nextCursor = { topicName: name, partitionIndex: sorted[page.length]!.partition };
        break;
      }
      remaining -= page.length;
    }
    return { throttleTimeMs: 0, topics, nextCursor };
  },
});
