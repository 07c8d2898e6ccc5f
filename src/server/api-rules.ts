/**
 * What each API checks before it runs, after Kafka 3.9's KafkaApis / ControllerApis: the
 * operation, the resource and the error code of a refusal. APIs not listed need no
 * permission (ApiVersions, SASL, DescribeCluster) or check inside their handler (Metadata,
 * DescribeTopicPartitions: what is hidden; authorized-operation fields). Requests on controller
 * listeners follow controller-api-rules.ts (these rules, plus CLUSTER_ACTION for the node-to-node
 * RPCs). See docs/security.md for what is left out.
 */
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import type { FetchRequestFetchTopic } from '../../protocol/generated/messages/01-fetch.js';
import type { ProduceRequest } from '../../protocol/generated/messages/00-produce.js';
import type { InitProducerIdRequest } from '../../protocol/generated/messages/22-init-producer-id.js';
import type { DeleteTopicsRequestDeleteTopicState } from '../../protocol/generated/messages/20-delete-topics.js';
import type { AddPartitionsToTxnRequest } from '../../protocol/generated/messages/24-add-partitions-to-txn.js';
import type { OffsetFetchRequest, OffsetFetchResponse } from '../../protocol/generated/messages/09-offset-fetch.js';
import type { ConsumerGroupHeartbeatRequest } from '../../protocol/generated/messages/68-consumer-group-heartbeat.js';
import type { FindCoordinatorRequest } from '../../protocol/generated/messages/10-find-coordinator.js';
import type { RequestAuthz } from './request-authz.js';
import { AclOperation as Op, ResourceType } from '../metadata/acl-types.js';
import { SERVE_AS_IS, filterField, splitEntries, type ApiRule, type RequestPlan } from './request-gate.js';
import { ZERO_UUID } from '../../protocol/primitives/uuid.js';

const TOPIC_DENIED = ErrorCode.TOPIC_AUTHORIZATION_FAILED;
const GROUP_DENIED = ErrorCode.GROUP_AUTHORIZATION_FAILED;
const CLUSTER_DENIED = ErrorCode.CLUSTER_AUTHORIZATION_FAILED;
const TXN_DENIED = ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED;

type Fields = Record<string, unknown>;
const deny = (errorCode: number): RequestPlan => ({ kind: 'deny', errorCode });

/** A whole-request check on the cluster resource. */
const cluster =
  (op: number): ApiRule =>
  (a, request) =>
    a.onCluster(op) ? SERVE_AS_IS(request) : deny(CLUSTER_DENIED);

/** A whole-request check on the group named by `groupId`. */
const group =
  (op: number): ApiRule =>
  (a, request) =>
    a.onGroup(op, (request as Fields)['groupId'] as string) ? SERVE_AS_IS(request) : deny(GROUP_DENIED);

/** Entries with a topic `name`, each needing `op` on it. */
const topicsByName =
  (field: string, responseField: string, op: number): ApiRule =>
  (a, request) =>
    splitEntries<{ name: string }>(request, field, responseField, (t) => (a.onTopic(op, t.name) ? null : TOPIC_DENIED));

/** A group check for the whole request, then a per-topic split. */
const groupThenTopics =
  (groupOp: number, field: string, responseField: string, topicOp: number): ApiRule =>
  (a, request, version) => {
    const byGroup = group(groupOp)(a, request, version);
    return byGroup.kind === 'deny' ? byGroup : topicsByName(field, responseField, topicOp)(a, request, version);
  };

/** Config resources: topics need `op` on the topic, broker and logger resources on the cluster. */
const configResources =
  (responseField: string, op: number): ApiRule =>
  (a, request) =>
    splitEntries<{ resourceType: number; resourceName: string }>(request, 'resources', responseField, (r) => {
      if (r.resourceType === 2) return a.onTopic(op, r.resourceName) ? null : TOPIC_DENIED;
      return a.onCluster(op) ? null : CLUSTER_DENIED;
    });

const fetchRule: ApiRule = (a, request) => {
  const req = request as Fields & { replicaId: number; replicaState: { replicaId: number } };
  const replicaId = req.replicaId >= 0 ? req.replicaId : req.replicaState.replicaId;
  if (replicaId >= 0) {
    // A follower fetch needs CLUSTER_ACTION; without it every partition is refused (as KafkaApis).
    if (a.onCluster(Op.CLUSTER_ACTION)) return SERVE_AS_IS(request);
    return splitEntries<FetchRequestFetchTopic>(request, 'topics', 'responses', () => TOPIC_DENIED);
  }
  return splitEntries<FetchRequestFetchTopic>(request, 'topics', 'responses', (t) => {
    const name = t.topic !== '' ? t.topic : a.topicNameById(t.topicId);
    if (name === null) return null; // unknown ids are the handler's UNKNOWN_TOPIC_ID
    return a.onTopic(Op.READ, name) ? null : TOPIC_DENIED;
  });
};

const produceRule: ApiRule = (a, request, version) => {
  const req = request as ProduceRequest;
  if (req.transactionalId !== null && !a.onTransactionalId(Op.WRITE, req.transactionalId)) return deny(TXN_DENIED);
  return topicsByName('topicData', 'responses', Op.WRITE)(a, request, version);
};

const initProducerIdRule: ApiRule = (a, request) => {
  const { transactionalId } = request as InitProducerIdRequest;
  if (transactionalId !== null)
    return a.onTransactionalId(Op.WRITE, transactionalId) ? SERVE_AS_IS(request) : deny(TXN_DENIED);
  // Idempotent producers: IDEMPOTENT_WRITE on the cluster, or WRITE on some topic (KIP-679).
  return a.onCluster(Op.IDEMPOTENT_WRITE) || a.onAnyOfType(Op.WRITE, ResourceType.TOPIC)
    ? SERVE_AS_IS(request)
    : deny(CLUSTER_DENIED);
};

/** Names given more than once in `list` (Kafka's controller answers them INVALID_REQUEST before any permission check). */
function repeatedNames(list: unknown, nameOf: (entry: never) => string | null): Set<string> {
  const seen = new Set<string>();
  const repeated = new Set<string>();
  for (const entry of (list ?? []) as never[]) {
    const name = nameOf(entry);
    if (name !== null) (seen.has(name) ? repeated : seen).add(name);
  }
  return repeated;
}

// ControllerApis.createTopics checks permissions only on names given once, less __cluster_metadata
// (answered INVALID_REQUEST by the handler); a refused topic gets "Authorization failed.".
const createTopicsRule: ApiRule = (a, request) => {
  if (a.onCluster(Op.CREATE)) return SERVE_AS_IS(request);
  const repeated = repeatedNames((request as Fields)['topics'], (t: { name: string }) => t.name);
  return splitEntries<{ name: string }>(
    request,
    'topics',
    'topics',
    (t) =>
      repeated.has(t.name) || t.name === '__cluster_metadata' || a.onTopic(Op.CREATE, t.name) ? null : TOPIC_DENIED,
    null,
    'Authorization failed.',
  );
};

// ControllerApis.deleteTopics answers duplicates INVALID_REQUEST first; a refused topic gets
// ApiError(TOPIC_AUTHORIZATION_FAILED), whose message is the error's own.
const deleteTopicsRule: ApiRule = (a, request, version) => {
  if (version < 6) {
    const repeated = repeatedNames((request as Fields)['topicNames'], (name: string) => name);
    return splitEntries<string>(
      request,
      'topicNames',
      'responses',
      (name) => (repeated.has(name) || a.onTopic(Op.DELETE, name) ? null : TOPIC_DENIED),
      null,
      'Topic authorization failed.',
    );
  }
  const repeated = repeatedNames((request as Fields)['topics'], (t: DeleteTopicsRequestDeleteTopicState) =>
    t.name !== null && t.topicId === ZERO_UUID ? t.name : null,
  );
  return splitEntries<DeleteTopicsRequestDeleteTopicState>(
    request,
    'topics',
    'responses',
    (t) => {
      if (t.name !== null && t.topicId === ZERO_UUID && repeated.has(t.name)) return null;
      const name = t.name ?? a.topicNameById(t.topicId);
      if (name === null) return null;
      return a.onTopic(Op.DELETE, name) ? null : TOPIC_DENIED;
    },
    null,
    'Topic authorization failed.',
  );
};

// ControllerApis.createPartitions answers duplicates INVALID_REQUEST before checking ALTER.
const createPartitionsRule: ApiRule = (a, request) => {
  const repeated = repeatedNames((request as Fields)['topics'], (t: { name: string }) => t.name);
  return splitEntries<{ name: string }>(request, 'topics', 'results', (t) =>
    repeated.has(t.name) || a.onTopic(Op.ALTER, t.name) ? null : TOPIC_DENIED,
  );
};

const offsetForLeaderEpochRule: ApiRule = (a, request) =>
  a.onCluster(Op.CLUSTER_ACTION)
    ? SERVE_AS_IS(request)
    : splitEntries<{ topic: string }>(request, 'topics', 'topics', (t) =>
        a.onTopic(Op.DESCRIBE, t.topic) ? null : TOPIC_DENIED,
      );

const addPartitionsToTxnRule: ApiRule = (a, request, version) => {
  const req = request as AddPartitionsToTxnRequest;
  if (version >= 4) return a.onCluster(Op.CLUSTER_ACTION) ? SERVE_AS_IS(request) : deny(CLUSTER_DENIED);
  if (!a.onTransactionalId(Op.WRITE, req.v3AndBelowTransactionalId)) return deny(TXN_DENIED);
  return splitEntries<{ name: string }>(
    request,
    'v3AndBelowTopics',
    'resultsByTopicV3AndBelow',
    (t) => (a.onTopic(Op.WRITE, t.name) ? null : TOPIC_DENIED),
    ErrorCode.OPERATION_NOT_ATTEMPTED,
  );
};

const transactional =
  (then: ApiRule | null): ApiRule =>
  (a, request, version) => {
    if (!a.onTransactionalId(Op.WRITE, (request as Fields)['transactionalId'] as string)) return deny(TXN_DENIED);
    return then === null ? SERVE_AS_IS(request) : then(a, request, version);
  };

interface OffsetTopicAnswer {
  name: string;
  topicId?: string;
  partitions: Array<{
    committedOffset: bigint;
    committedLeaderEpoch: number;
    metadata: string | null;
    errorCode: number;
  }>;
}

/**
 * Offsets of topics the principal may not DESCRIBE stay hidden, as in Kafka's
 * fetchOffsetsForGroup / fetchAllOffsetsForGroup: asked for by name or id, each partition is
 * answered -1 with TOPIC_AUTHORIZATION_FAILED; listed because all were asked (null topics),
 * the topic is left out. Group-level errors keep their (empty) answer.
 */
function hideUndescribableTopics<T extends OffsetTopicAnswer>(a: RequestAuthz, askedAll: boolean, topics: T[]): T[] {
  const visible = (t: T): boolean => {
    const name = t.name !== '' ? t.name : t.topicId !== undefined ? a.topicNameById(t.topicId) : null;
    return name === null || a.onTopic(Op.DESCRIBE, name);
  };
  if (askedAll) return topics.filter(visible);
  for (const t of topics) {
    if (visible(t)) continue;
    for (const p of t.partitions) {
      p.committedOffset = -1n;
      p.committedLeaderEpoch = -1;
      p.metadata = '';
      p.errorCode = TOPIC_DENIED;
    }
  }
  return topics;
}

const offsetFetchRule: ApiRule = (a, request, version) => {
  const req = request as OffsetFetchRequest;
  if (version < 8) {
    if (!a.onGroup(Op.DESCRIBE, req.groupId)) return deny(GROUP_DENIED);
    if (!a.enforcing) return SERVE_AS_IS(request);
    const askedAll = req.topics === null;
    return {
      ...SERVE_AS_IS(request),
      filterResponse: (response) => {
        const res = response as OffsetFetchResponse;
        res.topics = hideUndescribableTopics(a, askedAll, res.topics);
      },
    };
  }
  const plan = splitEntries<{ groupId: string }>(request, 'groups', 'groups', (g) =>
    a.onGroup(Op.DESCRIBE, g.groupId) ? null : GROUP_DENIED,
  );
  if (plan.kind === 'deny' || !a.enforcing) return plan;
  const askedAll = new Map(req.groups.map((g) => [g.groupId, g.topics === null]));
  return {
    ...plan,
    filterResponse: (response) => {
      for (const g of (response as OffsetFetchResponse).groups) {
        g.topics = hideUndescribableTopics(a, askedAll.get(g.groupId) ?? false, g.topics);
      }
    },
  };
};

/**
 * READ on the group, then (Kafka 4.0) DESCRIBE on every subscribed topic named: one topic
 * without it refuses the heartbeat with TOPIC_AUTHORIZATION_FAILED.
 */
const consumerGroupHeartbeatRule: ApiRule = (a, request, version) => {
  const byGroup = group(Op.READ)(a, request, version);
  if (byGroup.kind === 'deny') return byGroup;
  const names = (request as ConsumerGroupHeartbeatRequest).subscribedTopicNames ?? [];
  return names.every((name) => a.onTopic(Op.DESCRIBE, name)) ? byGroup : deny(TOPIC_DENIED);
};

const findCoordinatorRule: ApiRule = (a, request, version) => {
  const req = request as FindCoordinatorRequest;
  const refusal = (key: string): number | null => {
    if (req.keyType === 1) return a.onTransactionalId(Op.DESCRIBE, key) ? null : TXN_DENIED;
    if (req.keyType === 0) return a.onGroup(Op.DESCRIBE, key) ? null : GROUP_DENIED;
    return null;
  };
  if (version < 4) {
    const code = refusal(req.key);
    return code === null ? SERVE_AS_IS(request) : deny(code);
  }
  return splitEntries<string>(request, 'coordinatorKeys', 'coordinators', refusal);
};

const groupsListed =
  (field: string, responseField: string, op: number): ApiRule =>
  (a, request) =>
    splitEntries<string>(request, field, responseField, (g) => (a.onGroup(op, g) ? null : GROUP_DENIED));

const listGroupsRule: ApiRule = (a, request) => {
  if (a.onCluster(Op.DESCRIBE)) return SERVE_AS_IS(request);
  return {
    ...SERVE_AS_IS(request),
    filterResponse: filterField<{ groupId: string }>('groups', (g) => a.onGroup(Op.DESCRIBE, g.groupId)),
  };
};

const listTransactionsRule: ApiRule = (a, request) => ({
  ...SERVE_AS_IS(request),
  filterResponse: filterField<{ transactionalId: string }>('transactionStates', (t) =>
    a.onTransactionalId(Op.DESCRIBE, t.transactionalId),
  ),
});

export const API_RULES: ReadonlyMap<number, ApiRule> = new Map<number, ApiRule>([
  [0, produceRule],
  [1, fetchRule],
  [2, topicsByName('topics', 'topics', Op.DESCRIBE)],
  [8, groupThenTopics(Op.READ, 'topics', 'topics', Op.READ)],
  [9, offsetFetchRule],
  [10, findCoordinatorRule],
  [11, group(Op.READ)],
  [12, group(Op.READ)],
  [13, group(Op.READ)],
  [14, group(Op.READ)],
  [15, groupsListed('groups', 'groups', Op.DESCRIBE)],
  [16, listGroupsRule],
  [19, createTopicsRule],
  [20, deleteTopicsRule],
  [21, topicsByName('topics', 'topics', Op.DELETE)],
  [22, initProducerIdRule],
  [23, offsetForLeaderEpochRule],
  [24, addPartitionsToTxnRule],
  [25, transactional(group(Op.READ))],
  [26, transactional(null)],
  [27, cluster(Op.CLUSTER_ACTION)],
  [28, transactional(groupThenTopics(Op.READ, 'topics', 'topics', Op.READ))],
  [29, cluster(Op.DESCRIBE)],
  [30, cluster(Op.ALTER)],
  [31, cluster(Op.ALTER)],
  [32, configResources('results', Op.DESCRIBE_CONFIGS)],
  [33, configResources('responses', Op.ALTER_CONFIGS)],
  [35, cluster(Op.DESCRIBE)],
  [37, createPartitionsRule],
  [42, groupsListed('groupsNames', 'results', Op.DELETE)],
  [43, cluster(Op.ALTER)],
  [44, configResources('responses', Op.ALTER_CONFIGS)],
  [45, cluster(Op.ALTER)],
  [46, cluster(Op.DESCRIBE)],
  [47, groupThenTopics(Op.DELETE, 'topics', 'topics', Op.READ)],
  [48, cluster(Op.DESCRIBE_CONFIGS)],
  [49, cluster(Op.ALTER_CONFIGS)],
  [50, cluster(Op.DESCRIBE)],
  [51, cluster(Op.ALTER)],
  [55, cluster(Op.DESCRIBE)],
  [61, topicsByName('topics', 'topics', Op.READ)],
  [64, cluster(Op.ALTER)],
  [
    65,
    (a: RequestAuthz, request: unknown) =>
      splitEntries<string>(request, 'transactionalIds', 'transactionStates', (id) =>
        a.onTransactionalId(Op.DESCRIBE, id) ? null : TXN_DENIED,
      ),
  ],
  [66, listTransactionsRule],
  [68, consumerGroupHeartbeatRule],
  [69, groupsListed('groupIds', 'groups', Op.DESCRIBE)],
]);
