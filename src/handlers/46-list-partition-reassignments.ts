/**
 * ListPartitionReassignments (key 46), versions 0-0.
 *
 * The reassignments in flight (src/metadata/partition-reassignment.ts), from this node's metadata
 * image: per partition its replicas (the target followed by the ones being removed), the adding
 * and the removing replicas. Null topics list every reassigning partition; named topics list
 * the named partitions that are reassigning (unknown topics and partitions are left out, as on
 * Kafka). Served on every node: Kafka forwards it to the active controller, whose image this
 * node's follows; a node whose metadata lags answers from what it has applied.
 */
import {
  ListPartitionReassignmentsApi,
  type ListPartitionReassignmentsResponseOngoingTopicReassignment,
} from '../../protocol/generated/messages/46-list-partition-reassignments.js';
import type { PartitionState, TopicImage } from '../metadata/image.js';
import { isReassigning } from '../metadata/partition-reassignment.js';
import { defineHandler } from './handler.js';

function listed(
  topic: TopicImage,
  partitions: Iterable<PartitionState | undefined>,
): ListPartitionReassignmentsResponseOngoingTopicReassignment | null {
  const ongoing = [...partitions]
    .filter((p): p is PartitionState => p !== undefined && isReassigning(p))
    .sort((a, b) => a.partition - b.partition)
    .map((p) => ({
      partitionIndex: p.partition,
      replicas: [...p.replicas],
      addingReplicas: [...(p.addingReplicas ?? [])],
      removingReplicas: [...(p.removingReplicas ?? [])],
    }));
  return ongoing.length > 0 ? { name: topic.name, partitions: ongoing } : null;
}

export const listPartitionReassignmentsHandler = defineHandler({
  api: ListPartitionReassignmentsApi,
  handle(ctx, request) {
    const image = ctx.broker.controller.image;
    const topics: ListPartitionReassignmentsResponseOngoingTopicReassignment[] = [];
    if (request.topics === null) {
      const names = [...image.topicsByName.keys()].sort();
      for (const name of names) {
        const topic = image.topicsByName.get(name)!;
        const entry = listed(topic, topic.partitions.values());
        if (entry) topics.push(entry);
      }
    } else {
      for (const wanted of request.topics) {
        const topic = image.topicsByName.get(wanted.name);
        if (!topic) continue;
        const entry = listed(
          topic,
          wanted.partitionIndexes.map((i) => topic.partitions.get(i)),
        );
        if (entry) topics.push(entry);
      }
    }
    return { throttleTimeMs: 0, errorCode: 0, errorMessage: null, topics };
  },
});
