/**
 * DeleteTopics (key 20), versions 0-6.
 *
 * Topics by name (v0-5 `topicNames`, v6 `topics[].name`) or by id (v6). Each is
 * removed through `controller.deleteTopic` and committed; the replica manager deletes
 * the logs from the image change. Unknown names get UNKNOWN_TOPIC_OR_PARTITION,
 * unknown ids UNKNOWN_TOPIC_ID; duplicates, both name and id, or neither get
 * INVALID_REQUEST, as Kafka's controller answers. With `delete.topic.enable=false`
 * every topic, one the authorizer refused too, gets TOPIC_DELETION_DISABLED (v3+) or INVALID_REQUEST
 * (v0-2), without a message, as Kafka's getErrorResponse. Internal
 * topics are not special: Kafka 3.9's controller (ControllerApis.deleteTopics,
 * ReplicationControlManager.deleteTopic) has no internal-topic check, so
 * `__consumer_offsets` and `__transaction_state` are deleted (only kafka-topics.sh
 * refuses, client-side) and created again on next use; `__cluster_metadata` is no topic
 * of the image, so it gets UNKNOWN_TOPIC_OR_PARTITION, as on Kafka.
 * NOT_CONTROLLER when no active controller takes the change. Results come in request order
 * (Kafka shuffles them). The controller_mutation_rate quota counts each topic's partitions
 * (handlers/throttling.ts): from v5 a topic is refused with THROTTLING_QUOTA_EXCEEDED while the
 * client's bucket is below zero, and throttle_time_ms says how long until it is not.
 * A timeout_ms of 0 or less deletes nothing and answers every topic REQUEST_TIMED_OUT, as Kafka's
 * controller (its deadline has passed before the lookup runs; handlers/controller-deadline.ts), topics
 * the authorizer refused included, as Kafka looks every name up before applying the authorizer's
 * answers; otherwise deletion is synchronous.
 */
import {
  DeleteTopicsApi,
  type DeleteTopicsRequest,
  type DeleteTopicsResponseDeletableTopicResult,
} from '../../protocol/generated/messages/20-delete-topics.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { ZERO_UUID } from '../../protocol/primitives/uuid.js';
import { defineHandler } from './handler.js';
import { deadlinePassed } from './controller-deadline.js';
import { STRICT_MUTATION_QUOTA_SINCE } from '../server/quotas/controller-mutation-quota.js';
import { mutationQuota, mutationRefused, THROTTLING_QUOTA_EXCEEDED_MESSAGE, throttleMutations } from './throttling.js';

interface Wanted {
  name: string | null;
  topicId: string;
}

function wantedOf(request: DeleteTopicsRequest, apiVersion: number): Wanted[] {
  return apiVersion >= 6
    ? request.topics.map((t) => ({ name: t.name, topicId: t.topicId }))
    : request.topicNames.map((name) => ({ name, topicId: ZERO_UUID }));
}

function resultOf(
  apiVersion: number,
  w: Wanted,
  errorCode: number,
  errorMessage: string | null,
): DeleteTopicsResponseDeletableTopicResult {
  return {
    name: w.name,
    topicId: apiVersion >= 6 ? w.topicId : ZERO_UUID,
    errorCode,
    errorMessage: apiVersion >= 5 ? errorMessage : null,
  };
}

/** How often each name and each id is given alone (a name without an id, an id without a name). */
function countsOf(wanted: Wanted[]): { nameCounts: Map<string, number>; idCounts: Map<string, number> } {
  const nameCounts = new Map<string, number>();
  const idCounts = new Map<string, number>();
  for (const w of wanted) {
    if (w.name !== null && w.topicId === ZERO_UUID) nameCounts.set(w.name, (nameCounts.get(w.name) ?? 0) + 1);
    else if (w.name === null && w.topicId !== ZERO_UUID) idCounts.set(w.topicId, (idCounts.get(w.topicId) ?? 0) + 1);
  }
  return { nameCounts, idCounts };
}

export const deleteTopicsHandler = defineHandler({
  api: DeleteTopicsApi,
  answerWhole(ctx, request) {
    const { broker, apiVersion } = ctx;
    const wanted = wantedOf(request, apiVersion);
    // Kafka's controller refuses the request as a whole, in every entry (refused ones too) and without
    // a message (DeleteTopicsRequest.getErrorResponse sets none), when deletion is disabled.
    if (!broker.config.bool('delete.topic.enable')) {
      const code = apiVersion >= 3 ? ErrorCode.TOPIC_DELETION_DISABLED : ErrorCode.INVALID_REQUEST;
      return { throttleTimeMs: 0, responses: wanted.map((w) => resultOf(apiVersion, w, code, null)) };
    }
    // It looks every name and id given once up with a deadline of now + timeout_ms, before it applies
    // the authorizer's answers: at 0 or below nothing is deleted and every entry, refused ones
    // included, gets REQUEST_TIMED_OUT, unless no name or id was given once (all duplicates or malformed).
    const { nameCounts, idCounts } = countsOf(wanted);
    const reaches = [...nameCounts.values(), ...idCounts.values()].some((n) => n === 1);
    if (!deadlinePassed(ctx, request.timeoutMs, reaches)) return null;
    return {
      throttleTimeMs: 0,
      responses: wanted.map((w) => resultOf(apiVersion, w, ErrorCode.REQUEST_TIMED_OUT, null)),
    };
  },
  async handle(ctx, request) {
    const { broker, apiVersion } = ctx;
    const controller = broker.controller;
    const wanted = wantedOf(request, apiVersion);
    const result = (w: Wanted, errorCode: number, errorMessage: string | null) =>
      resultOf(apiVersion, w, errorCode, errorMessage);
    const { nameCounts, idCounts } = countsOf(wanted);
    const responses: DeleteTopicsResponseDeletableTopicResult[] = [];
    const done = new Set<string>();
    // v0-5 name topics only: an empty name there is a name (an unknown one), as on Kafka.
    const named = (w: Wanted): boolean => w.name !== null && (w.name !== '' || apiVersion < 6);
    const quota = mutationQuota(ctx, STRICT_MUTATION_QUOTA_SINCE.deleteTopics);
    for (const w of wanted) {
      const byName = named(w) && w.topicId === ZERO_UUID;
      const key = byName ? `n:${w.name}` : `i:${w.topicId}`;
      if (done.has(key)) continue;
      done.add(key);
      if (!named(w) && w.topicId === ZERO_UUID) {
        responses.push(
          result(
            { name: null, topicId: ZERO_UUID },
            ErrorCode.INVALID_REQUEST,
            'Neither topic name nor id were specified.',
          ),
        );
        continue;
      }
      if (named(w) && w.topicId !== ZERO_UUID) {
        responses.push(result(w, ErrorCode.INVALID_REQUEST, 'You may not specify both topic name and topic id.'));
        continue;
      }
      if (byName ? (nameCounts.get(w.name!) ?? 0) > 1 : (idCounts.get(w.topicId) ?? 0) > 1) {
        responses.push(
          result(
            byName ? { name: w.name, topicId: ZERO_UUID } : { name: null, topicId: w.topicId },
            ErrorCode.INVALID_REQUEST,
            byName ? 'Duplicate topic name.' : 'Duplicate topic id.',
          ),
        );
        continue;
      }
      if (!controller.isActive()) {
        responses.push(result(w, ErrorCode.NOT_CONTROLLER, 'This is not the correct controller for this cluster.'));
        continue;
      }
      const topic = byName ? controller.image.topicsByName.get(w.name!) : controller.image.topicsById.get(w.topicId);
      if (!topic) {
        responses.push(
          byName
            ? result(w, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 'This server does not host this topic-partition.')
            : result(
                { name: null, topicId: w.topicId },
                ErrorCode.UNKNOWN_TOPIC_ID,
                'This server does not host this topic ID.',
              ),
        );
        continue;
      }
      if (mutationRefused(ctx, quota, topic.partitions.size)) {
        responses.push(
          result(
            { name: topic.name, topicId: topic.topicId },
            ErrorCode.THROTTLING_QUOTA_EXCEEDED,
            THROTTLING_QUOTA_EXCEEDED_MESSAGE,
          ),
        );
        continue;
      }
      const deleted = controller.deleteTopic(topic.topicId);
      if (!deleted.ok) {
        responses.push(
          result({ name: topic.name, topicId: topic.topicId }, deleted.error.errorCode, deleted.error.errorMessage),
        );
        continue;
      }
      const committed = await controller.commitAndWait(deleted.records);
      responses.push(
        result(
          { name: topic.name, topicId: topic.topicId },
          committed,
          committed === 0 ? null : 'This is not the correct controller for this cluster.',
        ),
      );
    }
    throttleMutations(ctx, quota);
    return { throttleTimeMs: 0, responses };
  },
});
