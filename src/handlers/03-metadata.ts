/**
 * Metadata (key 3), versions 0-13 (v13 as Kafka 4.0, KIP-1102: a top-level ErrorCode, always 0
 * here since Gregor never asks a client to rebootstrap; the schema is an overlay).
 *
 * Brokers (unfenced ones) on the listener the request came in on, the cluster id and a
 * controller id that is always one of those brokers (`advertisedControllerId`), and
 * topics with partitions, leaders, leader epochs, replicas and ISR. Before v12 a topic named by id
 * (a null name or a non-zero id) makes every topic INVALID_REQUEST, as Kafka refuses it; an empty
 * name is a name (INVALID_TOPIC_EXCEPTION). A null topic list
 * (v1+) or an empty one (v0) means all topics. Unknown topics are created when
 * `auto.create.topics.enable` is on and the request allows it (always before v4). As KRaft
 * Kafka 3.9/4.x does (KafkaApis.getTopicMetadata and AutoTopicCreationManager, in every
 * version), the creation is started (committed through the controller, or forwarded to it)
 * and the topic is answered with UNKNOWN_TOPIC_OR_PARTITION and no partitions; the client
 * retries and sees the topic on a later Metadata. (ZooKeeper-mode Kafka answered
 * LEADER_NOT_AVAILABLE; kafkajs's BrokerPool retries only that one, so a kafkajs consumer
 * subscribing to a topic that does not exist yet fails here as on KRaft Kafka,
 * tulios/kafkajs#1563, while a kafkajs producer's send retries and lands.) A creation the
 * controller refuses (a policy or replication-factor error) and a topic that may not be
 * auto-created get UNKNOWN_TOPIC_OR_PARTITION too (`__cluster_metadata` among them: the controller
 * refuses that name however it is asked). Internal topics are never auto-created here
 * (Kafka would create them with the coordinators' settings; Gregor's coordinators create them
 * when first needed). Topics by id
 * (v10+) are looked up by id. With an authorizer: topics the principal may not DESCRIBE are
 * left out of an all-topics answer and answered TOPIC_AUTHORIZATION_FAILED when named;
 * auto-creation needs CREATE on the cluster or the topic (else TOPIC_AUTHORIZATION_FAILED);
 * the authorized-operation fields say what the principal may do.
 * Offline replicas: those on fenced or unregistered brokers (broker/partition-health.ts).
 * A partition whose leader is fenced or unregistered has leader -1 and LEADER_NOT_AVAILABLE.
 * A partition whose replica here is offline (log dir failed) has leader -1,
 * LEADER_NOT_AVAILABLE and this node in its offline replicas (broker/partition-health.ts).
 */
import {
  MetadataApi,
  type MetadataResponseMetadataResponseTopic,
} from '../../protocol/generated/messages/03-metadata.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { ZERO_UUID } from '../../protocol/primitives/uuid.js';
import { defineHandler } from './handler.js';
import { OPERATIONS_NOT_REQUESTED } from './authorized-operations.js';
import { RequestAuthz } from '../server/request-authz.js';
import { AclOperation, CLUSTER_RESOURCE_NAME, ResourceType } from '../metadata/acl-types.js';
import { isCoordinatorTopic, isInternalTopic } from '../broker/internal-topics.js';
import { validateTopicName } from '../metadata/controller.js';
import type { TopicImage } from '../metadata/image.js';
import { partitionHealth } from '../broker/partition-health.js';

function unknownTopic(name: string | null, topicId: string, errorCode: number): MetadataResponseMetadataResponseTopic {
  return {
    errorCode,
    name,
    topicId,
    isInternal: false,
    partitions: [],
    topicAuthorizedOperations: OPERATIONS_NOT_REQUESTED,
  };
}

export const metadataHandler = defineHandler({
  api: MetadataApi,
  handle(ctx, request) {
    const { broker, apiVersion } = ctx;
    const authz = new RequestAuthz(ctx);
    const image = broker.controller.image;
    const describe = (topic: TopicImage): MetadataResponseMetadataResponseTopic => ({
      errorCode: 0,
      name: topic.name,
      topicId: apiVersion >= 10 ? topic.topicId : ZERO_UUID,
      isInternal: isInternalTopic(topic.name),
      partitions: [...topic.partitions.values()]
        .sort((a, b) => a.partition - b.partition)
        .map((p) => {
          const health = partitionHealth(broker.replicas, broker.nodeId, topic.name, p, image.brokers);
          return {
            errorCode: health.errorCode,
            partitionIndex: p.partition,
            leaderId: health.leaderId,
            leaderEpoch: apiVersion >= 7 ? p.leaderEpoch : -1,
            replicaNodes: p.replicas,
            isrNodes: p.isr,
            offlineReplicas: health.offlineReplicas,
          };
        }),
      topicAuthorizedOperations: authz.operationsIf(
        request.includeTopicAuthorizedOperations,
        ResourceType.TOPIC,
        topic.name,
      ),
    });
    const mayDescribe = (name: string): boolean => authz.onTopic(AclOperation.DESCRIBE, name);

    const all = request.topics === null || (apiVersion === 0 && request.topics.length === 0);
    const topics: MetadataResponseMetadataResponseTopic[] = [];
    if (!all && apiVersion < 12 && request.topics!.some((w) => w.name === null || w.topicId !== ZERO_UUID)) {
      // Kafka refuses topic ids before v12 (InvalidRequestException): every topic gets INVALID_REQUEST.
      for (const w of request.topics!) topics.push(unknownTopic(w.name ?? '', ZERO_UUID, ErrorCode.INVALID_REQUEST));
    } else if (all) {
      for (const topic of image.topicsByName.values()) if (mayDescribe(topic.name)) topics.push(describe(topic));
    } else {
      const autoCreate =
        broker.config.bool('auto.create.topics.enable') && (apiVersion < 4 || request.allowAutoTopicCreation);
      for (const wanted of request.topics ?? []) {
        // By id when there is no name (v10+); an empty name is a name (INVALID_TOPIC_EXCEPTION), as on Kafka.
        if (wanted.name === null || (wanted.name === '' && wanted.topicId !== ZERO_UUID)) {
          const byId = image.topicsById.get(wanted.topicId);
          if (byId && !mayDescribe(byId.name))
            topics.push(unknownTopic(null, wanted.topicId, ErrorCode.TOPIC_AUTHORIZATION_FAILED));
          else topics.push(byId ? describe(byId) : unknownTopic(null, wanted.topicId, ErrorCode.UNKNOWN_TOPIC_ID));
          continue;
        }
        if (!mayDescribe(wanted.name)) {
          topics.push(unknownTopic(wanted.name, ZERO_UUID, ErrorCode.TOPIC_AUTHORIZATION_FAILED));
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
        const mayCreate = authz.onCluster(AclOperation.CREATE) || authz.onTopic(AclOperation.CREATE, wanted.name);
        if (autoCreate && !isCoordinatorTopic(wanted.name) && !mayCreate) {
          topics.push(unknownTopic(wanted.name, ZERO_UUID, ErrorCode.TOPIC_AUTHORIZATION_FAILED));
          continue;
        }
        if (autoCreate && !isCoordinatorTopic(wanted.name)) {
          // A refusal is the broker's to log (once per topic per 30 s); the client retries.
          broker.autoCreateTopic(wanted.name);
        }
        // Started or not, this answer does not show the topic: Kafka answers the same code either way.
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
      controllerId: advertisedControllerId(
        brokers.map((b) => b.nodeId),
        broker.nodeId,
        broker.controller.activeControllerId(broker.nodeId),
      ),
      topics,
      clusterAuthorizedOperations: authz.operationsIf(
        request.includeClusterAuthorizedOperations && apiVersion >= 8 && apiVersion <= 10,
        ResourceType.CLUSTER,
        CLUSTER_RESOURCE_NAME,
      ),
      errorCode: 0,
    };
  },
});

/**
 * KRaft brokers name a live broker as the controller (clients send admin requests there and the
 * broker forwards them to the active controller itself), always one of the brokers listed: a
 * client such as kafkajs fails at once on a controller id missing from the list. This broker if
 * listed, else the active controller if listed, else the first listed broker (this one may not
 * have applied its own unfencing yet); the active controller when no broker is listed at all.
 */
export function advertisedControllerId(listed: number[], ownId: number, activeControllerId: number): number {
  if (listed.includes(ownId)) return ownId;
  if (listed.includes(activeControllerId)) return activeControllerId;
  return listed[0] ?? activeControllerId;
}
