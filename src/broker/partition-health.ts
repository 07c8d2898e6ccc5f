/**
 * How Metadata and DescribeTopicPartitions show a partition whose replica on this broker
 * is offline (its log dir failed): as Kafka's KRaft metadata cache shows a partition whose
 * leader's directory is offline — leader -1, LEADER_NOT_AVAILABLE, and this broker among
 * the offline replicas. The ISR is kept as the metadata has it (Kafka keeps the last
 * member of the ISR when the leader goes).
 * Offline replicas are also, as Kafka's KRaft metadata cache lists them, the replicas on
 * brokers that are fenced or not registered in the image (a dead or stopped broker).
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
  if (!localOffline) return { errorCode: ErrorCode.NONE, leaderId: state.leader, offlineReplicas };
  const leaderId = state.leader === nodeId ? -1 : state.leader;
  return {
    errorCode: leaderId === -1 ? ErrorCode.LEADER_NOT_AVAILABLE : ErrorCode.NONE,
    leaderId,
    offlineReplicas,
  };
}
