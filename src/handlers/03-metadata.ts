/**
 * Metadata (key 3), versions 0-13 (v13 as Kafka 4.0, KIP-1102: a top-level ErrorCode, always 0
 * here since Gregor never asks a client to rebootstrap; the schema is an overlay).
 *
 * Brokers on the listener the request came in on, the cluster id and controller, and
 * topics with partitions, leaders, leader epochs, replicas and ISR. A null topic list
 * (v1+) or an empty one (v0) means all topics. Unknown topics are created when
 * `auto.create.topics.enable` is on and the request allows it (always before v4). As a
 * KRaft broker does, the creation is started (committed through the controller, or
 * forwarded to it) and the topic is answered with UNKNOWN_TOPIC_OR_PARTITION and no
 * partitions in every version, v0 included; the client sees the topic on a later
 * Metadata. A creation the controller refuses (e.g. a policy or replication-factor
 * error) is logged and the answer is the same, as in Kafka. Internal topics are never
 * auto-created here. Topics by id (v10+) are looked up by id. Authorized operations:
 * everything is allowed (no ACLs yet).
 */
import { MetadataApi, type MetadataResponseMetadataResponseTopic } from '../../protocol/generated/messages/03-metadata.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { ZERO_UUID } from '../../protocol/primitives/uuid.js';
import { defineHandler } from './handler.js';
import { CLUSTER_OPERATIONS, OPERATIONS_NOT_REQUESTED, TOPIC_OPERATIONS } from './authorized-operations.js';
import { isInternalTopic } from '../broker/internal-topics.js';
import { validateTopicName } from '../metadata/controller.js';
import type { TopicImage } from '../metadata/image.js';

function unknownTopic(name: string | null, topicId: string, errorCode: number): MetadataResponseMetadataResponseTopic {
  return { errorCode, name, topicId, isInternal: false, partitions: [], topicAuthorizedOperations: OPERATIONS_NOT_REQUESTED };
}

export const metadataHandler = defineHandler({
  api: MetadataApi,
  handle(ctx, request) {
    const { broker, apiVersion } = ctx;
    const image = broker.controller.image;
    const describe = (topic: TopicImage): MetadataResponseMetadataResponseTopic => ({
      errorCode: 0,
      name: topic.name,
      topicId: apiVersion >= 10 ? topic.topicId : ZERO_UUID,
      isInternal: isInternalTopic(topic.name),
      partitions: [...topic.partitions.values()]
        .sort((a, b) => a.partition - b.partition)
        .map((p) => ({
          errorCode: 0,
          partitionIndex: p.partition,
          leaderId: p.leader,
          leaderEpoch: apiVersion >= 7 ? p.leaderEpoch : -1,
          replicaNodes: p.replicas,
          isrNodes: p.isr,
          offlineReplicas: [],
        })),
      topicAuthorizedOperations: request.includeTopicAuthorizedOperations ? TOPIC_OPERATIONS : OPERATIONS_NOT_REQUESTED,
    });

    const all = request.topics === null || (apiVersion === 0 && request.topics.length === 0);
    const topics: MetadataResponseMetadataResponseTopic[] = [];
    if (all) {
      for (const topic of image.topicsByName.values()) topics.push(describe(topic));
    } else {
      const autoCreate = broker.config.bool('auto.create.topics.enable') && (apiVersion < 4 || request.allowAutoTopicCreation);
      for (const wanted of request.topics ?? []) {
        if (wanted.name === null || wanted.name === '') {
          const byId = image.topicsById.get(wanted.topicId);
          topics.push(byId ? describe(byId) : unknownTopic(null, wanted.topicId, ErrorCode.UNKNOWN_TOPIC_ID));
          continue;
        }
        const topic = image.topicsByName.get(wanted.name);
        if (topic) {
          topics.push(describe(topic));
          continue;
        }
        if (validateTopicName(wanted.name)) {
          topics.push(unknownTopic(wanted.name, ZERO_UUID, ErrorCode.INVALID_TOPIC_EXCEPTION));
          continue;
        }
        if (autoCreate && !isInternalTopic(wanted.name)) {
          const code = broker.autoCreateTopic(wanted.name);
          if (code !== 0 && code !== ErrorCode.LEADER_NOT_AVAILABLE) {
            ctx.log.warn({ topic: wanted.name, errorCode: code }, 'auto-creation of a topic was refused');
          }
        }
        // created or not, this answer does not show it yet (Kafka in KRaft mode)
        topics.push(unknownTopic(wanted.name, ZERO_UUID, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION));
      }
    }

    const brokers = [...image.brokers.values()]
      .filter((b) => !b.fenced)
      .flatMap((b) => {
        const endpoint = b.endpoints.find((e) => e.name === ctx.listenerName) ?? b.endpoints[0];
        return endpoint ? [{ nodeId: b.brokerId, host: endpoint.host, port: endpoint.port, rack: b.rack }] : [];
      });

    return {
      throttleTimeMs: 0,
      brokers,
      clusterId: broker.clusterId,
      // KRaft brokers name a live broker (here: this one) as the controller and forward admin
      // requests to the active controller themselves (Envelope); before it is registered, the leader.
      controllerId: brokers.some((b) => b.nodeId === broker.nodeId) ? broker.nodeId : broker.controller.activeControllerId(broker.nodeId),
      topics,
      clusterAuthorizedOperations:
        request.includeClusterAuthorizedOperations && apiVersion >= 8 && apiVersion <= 10 ? CLUSTER_OPERATIONS : OPERATIONS_NOT_REQUESTED,
      errorCode: 0,
    };
  },
});
