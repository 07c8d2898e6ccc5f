/**
 * FindCoordinator, versions 0-6. Key type 0 (group) and 1 (transaction); batched keys
 * (coordinatorKeys -> coordinators[]) from v4. The coordinator of a key is the leader
 * of its partition of `__consumer_offsets` (groups) or `__transaction_state`
 * (transactions): partition = abs(String.hashCode(key)) % partitions (Kafka's Utils.abs), the
 * broker that loads it on becoming its leader; other brokers answer that key's requests
 * NOT_COORDINATOR (docs/replication.md). A leaderless or fenced leader is COORDINATOR_NOT_AVAILABLE. The internal
 * topic is created on first use (on the active controller at once; from any other node the creation
 * is forwarded to it), and, as Kafka's KafkaApis.getCoordinator, the request that finds the topic
 * missing from this node's metadata answers COORDINATOR_NOT_AVAILABLE, even on a quorum of one, as do
 * later ones until the topic is in this node's metadata (clients retry; kafka-python's admin client
 * does not, as against Kafka). Other key types get INVALID_REQUEST.
 * Leaves out: ACL checks.
 */
import {
  FindCoordinatorApi,
  type FindCoordinatorResponseCoordinator,
} from '../../protocol/generated/messages/10-find-coordinator.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { defineHandler } from './handler.js';
import type { RequestContext } from '../server/request-context.js';
import { CONSUMER_OFFSETS_TOPIC, TRANSACTION_STATE_TOPIC } from '../broker/internal-topics.js';
import { partitionForGroup } from '../groups/records.js';

const GROUP = 0;
const TRANSACTION = 1;

type Found = Omit<FindCoordinatorResponseCoordinator, 'key'>;

const failure = (errorCode: number, errorMessage: string): Found => ({
  nodeId: -1,
  host: '',
  port: -1,
  errorCode,
  errorMessage,
});

function findOne(ctx: RequestContext, key: string, keyType: number): Found {
  const { broker } = ctx;
  let topic: string;
  let error: number;
  let existed: boolean;
  if (keyType === GROUP) {
    topic = CONSUMER_OFFSETS_TOPIC;
    existed = broker.controller.image.topicsByName.has(topic);
    error = broker.groups.ensureOffsetsTopic();
  } else if (keyType === TRANSACTION) {
    topic = TRANSACTION_STATE_TOPIC;
    existed = broker.controller.image.topicsByName.has(topic);
    error = broker.transactions.ensureTopic();
  } else {
    return failure(ErrorCode.INVALID_REQUEST, `Invalid coordinator type: ${keyType}`);
  }
  if (error !== 0 || !existed) return failure(ErrorCode.COORDINATOR_NOT_AVAILABLE, 'The coordinator is not available.');
  const image = broker.controller.image.topicsByName.get(topic);
  const partition = image?.partitions.get(partitionForGroup(key, image.partitions.size));
  const node = partition ? broker.controller.image.brokers.get(partition.leader) : undefined;
  const endpoint =
    node && !node.fenced ? (node.endpoints.find((e) => e.name === ctx.listenerName) ?? node.endpoints[0]) : undefined;
  if (!node || !endpoint) return failure(ErrorCode.COORDINATOR_NOT_AVAILABLE, 'The coordinator is not available.');
  return { nodeId: node.brokerId, host: endpoint.host, port: endpoint.port, errorCode: 0, errorMessage: null };
}

export const findCoordinatorHandler = defineHandler({
  api: FindCoordinatorApi,
  handle(ctx, request) {
    const v = ctx.apiVersion;
    const keyType = v >= 1 ? request.keyType : GROUP;
    if (v >= 4) {
      return {
        throttleTimeMs: 0,
        errorCode: 0,
        errorMessage: '',
        nodeId: 0,
        host: '',
        port: 0,
        coordinators: request.coordinatorKeys.map((key) => ({ key, ...findOne(ctx, key, keyType) })),
      };
    }
    const found = findOne(ctx, request.key, keyType);
    return {
      throttleTimeMs: 0,
      errorCode: found.errorCode,
      errorMessage: v >= 1 ? found.errorMessage : '',
      nodeId: found.nodeId,
      host: found.host,
      port: found.port,
      coordinators: [],
    };
  },
});
