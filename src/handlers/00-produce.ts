/**
 * Produce, versions 0-13 (v12 is Kafka 4.0's, v13 Kafka 4.1's).
 * v13 names each topic by its id (KIP-516): an id this broker does not know answers
 * UNKNOWN_TOPIC_ID on every partition of it, and the response names topics by id only.
 * v12 is v11 with one difference on Kafka 4: a transactional batch sent at v12+ comes from a
 * producer on transaction version 2 (KIP-890 part 2), for which the broker adds the partition
 * to the transaction itself. Gregor finalizes no transaction.version feature, so producers
 * that follow Kafka's rules (the Java client caps transactional Produce at v11 then) never do
 * that; a transactional batch at any version must go to a partition the transaction holds
 * (KIP-890 part 1), else INVALID_TXN_STATE, as at v11.
 * acks 1 answers after the leader's append; acks -1 first checks min.insync.replicas
 * against the ISR (NOT_ENOUGH_REPLICAS, nothing appended), then waits until the high
 * watermark passes the write or timeoutMs ends (src/broker/delayed-produce.ts:
 * NOT_ENOUGH_REPLICAS_AFTER_APPEND, REQUEST_TIMED_OUT, NOT_LEADER_OR_FOLLOWER); with the
 * leader alone in sync that is at once. acks 0 sends no response at all,
 * and, as Kafka does, closes the connection when any partition failed, since that is
 * the only way an acks=0 producer learns of an error.
 * Other acks values get INVALID_REQUIRED_ACKS on every partition. Per partition:
 * UNKNOWN_TOPIC_OR_PARTITION for unknown topics (Produce never auto-creates),
 * NOT_LEADER_OR_FOLLOWER when another broker leads, INVALID_TOPIC_EXCEPTION for
 * internal topics; validation (every record, as Kafka's LogValidator:
 * broker/record-validation.ts), legacy conversion, LogAppendTime and recompression are
 * in broker/produce.ts. Transactional data (KIP-890 part 1): before a producer's first write
 * to a partition in a transaction, the leader asks the transaction coordinator, on this broker
 * or another (src/transactions/verification.ts); a refusal is that partition's answer
 * (INVALID_TXN_STATE, INVALID_PRODUCER_EPOCH, ...; NOT_ENOUGH_REPLICAS while the coordinator
 * cannot answer). From v12 (Kafka 4.0, transaction version 2, KIP-890 part 2) the leader has the
 * coordinator add the partition to the transaction instead (AddPartitionsToTxn v5 without
 * verifyOnly when it is elsewhere), whatever transaction.partition.verification.enable says, since
 * a TV2 client sends no AddPartitionsToTxn. Answers baseOffset, logAppendTimeMs (v2+), logStartOffset
 * (v5+), errorMessage and recordErrors (v8+).
 * Client quotas: the request's size counts against producer_byte_rate once the partitions are
 * appended (handlers/throttling.ts); over it the answer (sent at once, data appended) carries
 * throttle_time_ms and the connection is muted that long, acks=0 included.
 * Gaps: no currentLeader/nodeEndpoints hints (v10+).
 */
import {
  ProduceApi,
  defaultProduceResponsePartitionProduceResponse,
  type ProduceRequest,
  type ProduceRequestPartitionProduceData,
  type ProduceResponse,
  type ProduceResponsePartitionProduceResponse,
} from '../../protocol/generated/messages/00-produce.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { CloseConnection, defineHandler, NO_RESPONSE } from './handler.js';
import { leaderPartition } from '../broker/partition-access.js';
import { appendToLeader } from '../broker/produce.js';
import { isInternalTopic } from '../broker/internal-topics.js';
import { awaitReplication, type ReplicatedWrite } from '../broker/delayed-produce.js';
import { effectiveTopicConfig } from '../metadata/topic-configs.js';
import type { RequestContext } from '../server/request-context.js';
import { throttleProduce } from './throttling.js';
import { settleProduceAppends, type ProduceAppend } from '../broker/write-settle.js';

/** The first Produce version that names topics by id (Kafka 4.1, KIP-516). */
export const PRODUCE_TOPIC_ID_VERSION = 13;
/** From this version a transactional write adds its partition to the transaction (transaction version 2). */
export const PRODUCE_ADDS_PARTITIONS_VERSION = 12;

function partitionError(index: number, errorCode: number): ProduceResponsePartitionProduceResponse {
  return { ...defaultProduceResponsePartitionProduceResponse(), index, errorCode, baseOffset: -1n };
}

/** Appends every partition; acks=-1 appends that succeeded are listed in `writes` with their response. */
function produce(
  ctx: RequestContext,
  request: ProduceRequest,
  writes: Array<{ write: ReplicatedWrite; response: ProduceResponsePartitionProduceResponse }>,
  refusedByCoordinator: ReadonlyMap<string, number>,
  appended: ProduceAppend[],
): ProduceResponse {
  const validAcks = request.acks === 0 || request.acks === 1 || request.acks === -1;
  const now = ctx.clock.now();
  return {
    throttleTimeMs: 0,
    nodeEndpoints: [],
    responses: request.topicData.map((topic) => {
      const byId = ctx.apiVersion >= PRODUCE_TOPIC_ID_VERSION;
      const name = byId ? ctx.broker.controller.image.topicsById.get(topic.topicId)?.name : topic.name;
      return {
        name: byId ? '' : topic.name,
        topicId: topic.topicId,
        partitionResponses: topic.partitionData.map((data) =>
          name === undefined
            ? partitionError(data.index, ErrorCode.UNKNOWN_TOPIC_ID)
            : producePartition(ctx, request, name, data, validAcks, now, writes, refusedByCoordinator, appended),
        ),
      };
    }),
  };
}

/** The name (v0-12) or id (v13+) of a topic, for logs. */
export function produceTopicLabel(topic: { name: string; topicId: string }, version: number): string {
  return version >= PRODUCE_TOPIC_ID_VERSION ? `topic id ${topic.topicId}` : topic.name;
}

function producePartition(
  ctx: RequestContext,
  request: ProduceRequest,
  topicName: string,
  data: ProduceRequestPartitionProduceData,
  validAcks: boolean,
  now: number,
  writes: Array<{ write: ReplicatedWrite; response: ProduceResponsePartitionProduceResponse }>,
  refusedByCoordinator: ReadonlyMap<string, number>,
  appended: ProduceAppend[],
): ProduceResponsePartitionProduceResponse {
  const topic = { name: topicName };
  if (!validAcks) return partitionError(data.index, ErrorCode.INVALID_REQUIRED_ACKS);
  if (isInternalTopic(topic.name) && ctx.clientId !== '__admin_client') {
    return partitionError(data.index, ErrorCode.INVALID_TOPIC_EXCEPTION);
  }
  const lookup = leaderPartition(ctx.broker, topic.name, data.index);
  if (!lookup.ok) return partitionError(data.index, lookup.errorCode);
  const refusal = refusedByCoordinator.get(`${topic.name}\0${data.index}`);
  if (refusal !== undefined) return partitionError(data.index, refusal);
  const result = appendToLeader(
    lookup.partition,
    lookup.topic,
    ctx.broker.config,
    {
      records: data.records,
      apiVersion: ctx.apiVersion,
      acks: request.acks,
      transactionalId: request.transactionalId,
      now,
    },
    ctx.broker.dataPath.producerStateCheck,
    ctx.broker.dataPath.producerAppended,
  );
  if (result.appendedRecords !== undefined && data.records !== null) {
    ctx.broker.metrics?.messagesIn(topic.name, result.appendedRecords, data.records.length);
  }
  if (result.errorCode !== ErrorCode.NONE) {
    ctx.log.debug(
      { topic: topic.name, partition: data.index, errorCode: result.errorCode, reason: result.errorMessage },
      'produce refused',
    );
  }
  const response: ProduceResponsePartitionProduceResponse = {
    ...defaultProduceResponsePartitionProduceResponse(),
    index: data.index,
    errorCode: result.errorCode,
    baseOffset: BigInt(result.baseOffset),
    logAppendTimeMs: BigInt(result.logAppendTime),
    logStartOffset: BigInt(result.logStartOffset),
    // As Kafka's ReplicaManager (hasCustomErrorMessage): a message only with record errors (its
    // RecordValidationException); other refusals go with their code alone, the reason is logged above.
    errorMessage: ctx.apiVersion >= 8 && result.recordErrors.length > 0 ? result.errorMessage : null,
    recordErrors:
      ctx.apiVersion >= 8
        ? result.recordErrors.map((e) => ({ batchIndex: e.batchIndex, batchIndexErrorMessage: e.message }))
        : [],
  };
  if (result.errorCode === ErrorCode.NONE) appended.push({ partition: lookup.partition, response });
  if (request.acks === -1 && result.errorCode === ErrorCode.NONE) {
    const partition = lookup.partition;
    const write: ReplicatedWrite = {
      partition,
      requiredOffset: partition.log.logEndOffset,
      minInsyncReplicas: Number(effectiveTopicConfig('min.insync.replicas', lookup.topic.configs, ctx.broker.config)),
      stillLeader: () => ctx.broker.replicas.get(topic.name, data.index) === partition && partition.isLeader(),
      errorCode: null,
    };
    writes.push({ write, response });
  }
  return response;
}

export const produceHandler = defineHandler({
  api: ProduceApi,
  minVersion: 0,
  maxVersion: 13,
  async handle(ctx, request) {
    const writes: Array<{ write: ReplicatedWrite; response: ProduceResponsePartitionProduceResponse }> = [];
    const refusedByCoordinator = await ctx.broker.transactions.verifyTransactionalWrites(
      request.transactionalId,
      request.topicData.flatMap((t) => {
        // v13 names topics by id; an unknown id is answered UNKNOWN_TOPIC_ID by produce() and not verified.
        const name =
          ctx.apiVersion >= PRODUCE_TOPIC_ID_VERSION
            ? ctx.broker.controller.image.topicsById.get(t.topicId)?.name
            : t.name;
        return name === undefined
          ? []
          : t.partitionData.map((d) => ({ topic: name, partition: d.index, records: d.records }));
      }),
      ctx.apiVersion >= PRODUCE_ADDS_PARTITIONS_VERSION,
    );
    const appended: ProduceAppend[] = [];
    const response = produce(ctx, request, writes, refusedByCoordinator, appended);
    throttleProduce(ctx);
    if (request.acks === -1) {
      await awaitReplication(
        ctx.broker.dataPath.producePurgatory,
        request.timeoutMs,
        writes.map((w) => w.write),
      );
      for (const { write, response: partitionResponse } of writes) {
        // REQUEST_TIMED_OUT or NOT_ENOUGH_REPLICAS_AFTER_APPEND, without a message as Kafka's DelayedProduce.
        partitionResponse.errorCode = write.errorCode ?? ErrorCode.REQUEST_TIMED_OUT;
      }
    }
    // Before answering (and before the frame can be reused): the appends are in their files.
    await settleProduceAppends(appended);
    if (request.acks !== 0) return response;
    const failed = response.responses.find((t) => t.partitionResponses.some((p) => p.errorCode !== ErrorCode.NONE));
    return failed
      ? new CloseConnection(`acks=0 produce to ${produceTopicLabel(failed, ctx.apiVersion)} failed`)
      : NO_RESPONSE;
  },
});
