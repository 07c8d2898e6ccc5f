/**
 * What each API checks on a controller listener (`controller.listener.names`), after Kafka 3.9's
 * ControllerApis, when an authorizer is configured: the connection's own principal (the other node's
 * SASL login or certificate, User:ANONYMOUS on PLAINTEXT) is checked like any client's. The RPCs
 * between nodes need CLUSTER_ACTION on the cluster: Vote, BeginQuorumEpoch, EndQuorumEpoch, the
 * metadata-log Fetch, FetchSnapshot, BrokerRegistration, BrokerHeartbeat, AlterPartition,
 * AllocateProducerIds and Envelope; DescribeCluster needs ALTER there (Kafka: "unlike on the
 * broker"); the admin APIs a controller serves (CreateTopics, ACLs, configs, quotas, SCRAM,
 * DescribeQuorum, ...) check what they check on a broker (api-rules.ts). A refusal is answered with
 * CLUSTER_AUTHORIZATION_FAILED in the API's shape, as Kafka's getErrorResponse.
 */
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { AclOperation as Op } from '../metadata/acl-types.js';
import { API_RULES } from './api-rules.js';
import { SERVE_AS_IS, type ApiRule } from './request-gate.js';

const onCluster =
  (op: number): ApiRule =>
  (a, request) =>
    a.onCluster(op) ? SERVE_AS_IS(request) : { kind: 'deny', errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED };

/** API keys of the node-to-node RPCs, each needing CLUSTER_ACTION on the cluster. */
export const CLUSTER_ACTION_API_KEYS: readonly number[] = [
  1, // Fetch of the metadata log
  52, // Vote
  53, // BeginQuorumEpoch
  54, // EndQuorumEpoch
  56, // AlterPartition
  58, // Envelope
  59, // FetchSnapshot
  62, // BrokerRegistration
  63, // BrokerHeartbeat
  67, // AllocateProducerIds
];

const DESCRIBE_CLUSTER_KEY = 60;

export const CONTROLLER_API_RULES: ReadonlyMap<number, ApiRule> = new Map<number, ApiRule>([
  ...API_RULES,
  ...CLUSTER_ACTION_API_KEYS.map((key): [number, ApiRule] => [key, onCluster(Op.CLUSTER_ACTION)]),
  [DESCRIBE_CLUSTER_KEY, onCluster(Op.ALTER)],
]);
