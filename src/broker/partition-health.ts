/**
 * How Metadata and DescribeTopicPartitions show a partition whose replica on this broker
 * is offline (its log dir failed): as Kafka's KRaft metadata cache shows a partition whose
 * leader's directory is offline — leader -1, LEADER_NOT_AVAILABLE, and this broker among
 * the offline replicas. The ISR is kept as the metadata has it (Kafka keeps the last
 * member of the ISR when the leader goes).
 * Offline replicas are also, as Kafka's KRaft metadata cache lists them, the replicas on
 * brokers that are fenced or not registered in the image (a dead or stopped broker).
 * A partition whose leader is fenced or not registered has leader -1 and LEADER_NOT_AVAILABLE, as
 * Kafka's cache answers a leader missing from the image, and never a leader missing from the
 * brokers list (which holds unfenced brokers only). Kafka's cache would name a fenced leader, but a
 * Kafka controller hardly ever leaves one: it fences a broker by moving its leaderships away, and
 * refuses a restarted broker's registration until the old session expires. Gregor registers a
 * restarted broker at once, fenced, keeping its leaderships until it catches up
 * (docs/replication.md), so without this the window between that registration and the unfencing
 * would name leaders that no client can reach (measured in
 * src/groups/kip848-failover-processes.test.ts: a consumer's fetch failed for good on it).
 * Leaves out: failed log dirs on other brokers (a broker knows only its own dirs here;
 * the controller is not told, see docs/storage.md).
 */
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import type { BrokerImage, PartitionState } from '../metadata/image.js';
import type { ReplicaManager } from './replica-manager.js';

export interface PartitionHealth {
  errorCode: number;
  leaderId: number;
  offlineReplicas: number[];
}

export function partitionHealth(
  replicas: ReplicaManager,
  nodeId: number,
  topic: string,
  state: PartitionState,
  brokers: ReadonlyMap<number, BrokerImage>,
): PartitionHealth {
  const gone = (id: number): boolean => {
    const broker = brokers.get(id);
    return broker === undefined || broker.fenced;
  };
  const localOffline = state.replicas.includes(nodeId) && replicas.isOffline(topic, state.partition);
  const offlineReplicas = state.replicas.filter((id) => gone(id) || (id === nodeId && localOffline));
  // A leader that is fenced or not registered serves nobody (its client listeners stay closed until
  // it is unfenced) and is left out of the brokers list: naming it would give clients a leader they
  // cannot find (some, such as @platformatic/kafka, drop a consumer's stream on that). See the header.
  if (state.leader >= 0 && gone(state.leader))
    return { errorCode: ErrorCode.LEADER_NOT_AVAILABLE, leaderId: -1, offlineReplicas };
  if (!localOffline) return { errorCode: ErrorCode.NONE, leaderId: state.leader, offlineReplicas };
  const leaderId = state.leader === nodeId ? -1 : state.leader;
  return {
    errorCode: leaderId === -1 ? ErrorCode.LEADER_NOT_AVAILABLE : ErrorCode.NONE,
    leaderId,
    offlineReplicas,
  };
}
