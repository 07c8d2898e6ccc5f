/**
 * CreatePartitions (key 37), versions 0-3.
 *
 * Raises a topic's partition count through `controller.createPartitions` (round-robin
 * placement with the topic's replication factor, or the given assignments, one per new
 * partition) and commits unless validateOnly; the replica manager opens the new logs.
 * Errors as Kafka's controller: UNKNOWN_TOPIC_OR_PARTITION, INVALID_PARTITIONS (no
 * increase), INVALID_REPLICA_ASSIGNMENT, INVALID_REPLICATION_FACTOR; a topic named
 * twice gets INVALID_REQUEST; NOT_CONTROLLER when no active controller takes the change. The
 * controller_mutation_rate quota counts the partitions added (handlers/throttling.ts): from v3 a
 * topic is refused with THROTTLING_QUOTA_EXCEEDED while the client's bucket is below zero, and
 * throttle_time_ms says how long until it is not. As Kafka's controller (MAX_RECORDS_PER_USER_OP), a
 * request whose partitions to add need more than 10,000 records in all fails whole: every topic it
 * could grow gets POLICY_VIOLATION and nothing is added. A timeout_ms of 0 or less adds nothing and
 * answers every topic of the request REQUEST_TIMED_OUT (refused and duplicated ones included), as
 * Kafka's controller deadline (handlers/controller-deadline.ts), unless no topic is left for the
 * controller; a positive timeout is never reached, as the partitions are added at once.
 */
import {
  CreatePartitionsApi,
  type CreatePartitionsResponseCreatePartitionsTopicResult,
} from '../../protocol/generated/messages/37-create-partitions.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { defineHandler } from './handler.js';
import { deadlinePassed, namedOnce } from './controller-deadline.js';
import { MAX_RECORDS_PER_USER_OP } from '../metadata/controller.js';
import { STRICT_MUTATION_QUOTA_SINCE } from '../server/quotas/controller-mutation-quota.js';
import { mutationQuota, mutationRefused, THROTTLING_QUOTA_EXCEEDED_MESSAGE, throttleMutations } from './throttling.js';

export const createPartitionsHandler = defineHandler({
  api: CreatePartitionsApi,
  answerWhole(ctx, request, allowed) {
    // The controller gets the allowed topics named once; when any is left, its deadline fails the
    // whole request, refused and duplicated topics included.
    const once = namedOnce(request.topics.map((t) => t.name));
    if (
      !deadlinePassed(
        ctx,
        request.timeoutMs,
        allowed.topics.some((t) => once.has(t.name)),
      )
    )
      return null;
    const results = request.topics.map((t) => ({
      name: t.name,
      errorCode: ErrorCode.REQUEST_TIMED_OUT,
      errorMessage: null,
    }));
    return { throttleTimeMs: 0, results };
  },
  async handle(ctx, request) {
    const controller = ctx.broker.controller;
    const counts = new Map<string, number>();
    for (const t of request.topics) counts.set(t.name, (counts.get(t.name) ?? 0) + 1);
    const seen = new Set<string>();
    const results: CreatePartitionsResponseCreatePartitionsTopicResult[] = [];
    const quota = mutationQuota(ctx, STRICT_MUTATION_QUOTA_SINCE.createPartitions);
    const growable = (name: string) => (counts.get(name) ?? 0) === 1 && controller.isActive();
    const added = (name: string, count: number) =>
      Math.max(count - (controller.latestImage().topicsByName.get(name)?.partitions.size ?? count), 0);
    // The upper bound settles almost every request; past it, count what each growth would really write.
    const tooLarge =
      request.topics.reduce((sum, t) => sum + (growable(t.name) ? added(t.name, t.count) : 0), 0) >
        MAX_RECORDS_PER_USER_OP &&
      request.topics.reduce((sum, t) => {
        if (!growable(t.name)) return sum;
        const outcome = controller.createPartitions(t.name, t.count, t.assignments?.map((a) => a.brokerIds) ?? null);
        return sum + (outcome.ok ? outcome.records.length : 0);
      }, 0) > MAX_RECORDS_PER_USER_OP;
    for (const topic of request.topics) {
      if (seen.has(topic.name)) continue;
      seen.add(topic.name);
      if ((counts.get(topic.name) ?? 0) > 1) {
        results.push({ name: topic.name, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Duplicate topic name.' });
        continue;
      }
      if (!controller.isActive()) {
        results.push({
          name: topic.name,
          errorCode: ErrorCode.NOT_CONTROLLER,
          errorMessage: 'This is not the correct controller for this cluster.',
        });
        continue;
      }
      if (tooLarge) {
        results.push({
          name: topic.name,
          errorCode: ErrorCode.POLICY_VIOLATION,
          errorMessage: 'Unable to perform excessively large batch operation.',
        });
        continue;
      }
      const before = controller.latestImage().topicsByName.get(topic.name)?.partitions.size ?? 0;
      const outcome = controller.createPartitions(
        topic.name,
        topic.count,
        topic.assignments ? topic.assignments.map((a) => a.brokerIds) : null,
      );
      if (!outcome.ok) {
        results.push({
          name: topic.name,
          errorCode: outcome.error.errorCode,
          errorMessage: outcome.error.errorMessage,
        });
        continue;
      }
      if (mutationRefused(ctx, quota, topic.count - before)) {
        results.push({
          name: topic.name,
          errorCode: ErrorCode.THROTTLING_QUOTA_EXCEEDED,
          errorMessage: THROTTLING_QUOTA_EXCEEDED_MESSAGE,
        });
        continue;
      }
      const committed = request.validateOnly ? 0 : await controller.commitAndWait(outcome.records);
      results.push({
        name: topic.name,
        errorCode: committed,
        errorMessage: committed === 0 ? null : 'This is not the correct controller for this cluster.',
      });
    }
    throttleMutations(ctx, quota);
    return { throttleTimeMs: 0, results };
  },
});
