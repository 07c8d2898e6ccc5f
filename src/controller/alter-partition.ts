/**
 * The active controller's side of AlterPartition (key 56), shared by the handler on the controller
 * listener and by a broker that is itself the active controller. Each partition is checked by
 * src/metadata/partition-leadership.ts and the accepted changes commit as PartitionChangeRecords
 * before the answer, which carries the partition's state after them. Top level, as Kafka 3.9's
 * QuorumController and ClusterControlManager.checkBrokerEpoch: a request without topics is answered
 * empty with no check; NOT_CONTROLLER off the active controller; STALE_BROKER_EPOCH unless the
 * requester is registered at exactly the request's BrokerEpoch (-1 included: Kafka's KRaft controller
 * never skips this check). v3 broker epochs of ISR members are checked against their registrations
 * (INELIGIBLE_REPLICA, -1 skips that one); a change that completes a reassignment and moves the
 * leadership off the requester is made and answered NEW_LEADER_ELECTED (FENCED_LEADER_EPOCH before v2);
 * UNKNOWN_TOPIC_ID (v2+) for a topic id the controller does not know. Every check reads the
 * controller's latest image, its proposed and not yet committed records included.
 */
import type {
  AlterPartitionRequest,
  AlterPartitionResponse,
  AlterPartitionResponsePartitionData,
} from '../../protocol/generated/messages/56-alter-partition.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { alterPartition } from '../metadata/partition-leadership.js';
import type { MetadataController } from '../metadata/controller.js';
import type { MetadataRecord } from '../metadata/records.js';

const refused = (errorCode: number): AlterPartitionResponse => ({ throttleTimeMs: 0, errorCode, topics: [] });

export async function applyAlterPartition(
  controller: MetadataController,
  request: AlterPartitionRequest,
  apiVersion: number,
): Promise<AlterPartitionResponse> {
  if (request.topics.length === 0) return refused(ErrorCode.NONE);
  if (!controller.isActive()) return refused(ErrorCode.NOT_CONTROLLER);
  // Checked against the latest state, records proposed and not yet committed included (Kafka's
  // controller does the same): a fencing, controlled shutdown or registration in flight is seen
  // here. Nothing is awaited between this read and the proposal below, so no other move comes in between.
  const image = controller.latestImage();
  const requester = image.brokers.get(request.brokerId);
  if (!requester || (requester.brokerEpoch ?? -1n) !== request.brokerEpoch)
    return refused(ErrorCode.STALE_BROKER_EPOCH);
  const byId = apiVersion >= 2;
  const records: MetadataRecord[] = [];
  const pending: Array<{ answer: AlterPartitionResponsePartitionData; topicId: string }> = [];
  const topics = request.topics.map((t) => {
    const topic = byId ? image.topicsById.get(t.topicId) : image.topicsByName.get(t.topicName);
    return {
      topicName: byId ? '' : t.topicName,
      topicId: byId ? t.topicId : (topic?.topicId ?? t.topicId),
      partitions: t.partitions.map((p): AlterPartitionResponsePartitionData => {
        const outcome =
          !topic && byId
            ? { errorCode: ErrorCode.UNKNOWN_TOPIC_ID, record: null, state: null }
            : alterPartition(image, {
                brokerId: request.brokerId,
                topic,
                partitionIndex: p.partitionIndex,
                leaderEpoch: p.leaderEpoch,
                partitionEpoch: p.partitionEpoch,
                newIsr: apiVersion >= 3 ? p.newIsrWithEpochs.map((b) => b.brokerId) : p.newIsr,
                memberEpochs: apiVersion >= 3 ? p.newIsrWithEpochs.map((b) => b.brokerEpoch) : undefined,
                apiVersion,
              });
        const answer: AlterPartitionResponsePartitionData = {
          partitionIndex: p.partitionIndex,
          errorCode: outcome.errorCode,
          leaderId: outcome.state?.leader ?? -1,
          leaderEpoch: outcome.state?.leaderEpoch ?? -1,
          isr: outcome.state ? [...outcome.state.isr] : [],
          leaderRecoveryState: 0,
          partitionEpoch: outcome.state?.partitionEpoch ?? -1,
        };
        if (outcome.record && topic) {
          records.push(outcome.record);
          // NEW_LEADER_ELECTED: the change is made, the answer carries only the error (as Kafka's).
          if (outcome.errorCode === ErrorCode.NONE) pending.push({ answer, topicId: topic.topicId });
        }
        return answer;
      }),
    };
  });
  const committed = await controller.commitAndWait(records);
  if (committed !== ErrorCode.NONE) return refused(committed);
  for (const { answer, topicId } of pending) {
    const state = controller.image.topicsById.get(topicId)?.partitions.get(answer.partitionIndex);
    if (!state) continue;
    answer.leaderId = state.leader;
    answer.leaderEpoch = state.leaderEpoch;
    answer.isr = [...state.isr];
    answer.partitionEpoch = state.partitionEpoch;
  }
  return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, topics };
}
