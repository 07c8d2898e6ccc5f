/**
 * DescribeQuorum (key 55), versions 0-2, on every listener (what `kafka-metadata-quorum` and
 * Admin.describeMetadataQuorum use): the leader answers with its epoch, high watermark and each
 * voter's log end offset and fetch times (v1+); v2 adds the voters' controller endpoints. A node
 * that is not the leader forwards the request to the leader over the controller connection, as Kafka
 * brokers forward it to the active controller; without a known leader it answers
 * NOT_LEADER_OR_FOLLOWER. A request for any partition but __cluster_metadata-0 gets
 * UNKNOWN_TOPIC_OR_PARTITION; a malformed one INVALID_REQUEST.
 * Observers (broker-only nodes that fetched the metadata log from this leader in its epoch, within the
 * last five minutes) are listed with their log end offset and fetch times, as Kafka's LeaderState
 * keeps them. Directory ids are zero: for the voters that is Kafka 3.9's answer too with a static
 * quorum (controller.quorum.voters, kraft.version 0: a voter's key has no directory id). Gap: Kafka
 * lists an observer with the directory id its Fetch (v17+) carries (its metadata dir's
 * meta.properties directory.id); Gregor's nodes fetch the metadata log at v16 and send none.
 */
import {
  DescribeQuorumApi,
  defaultDescribeQuorumResponse,
  type DescribeQuorumResponse,
  type DescribeQuorumResponseReplicaState,
} from '../../protocol/generated/messages/55-describe-quorum.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { ZERO_UUID } from '../../protocol/primitives/uuid.js';
import { METADATA_PARTITION, METADATA_TOPIC } from '../controller/raft-wire.js';
import type { QuorumReplicaState } from '../controller/raft/raft-node.js';
import { defineHandler } from './handler.js';
import type { RequestContext } from '../server/request-context.js';

function topLevelError(ctx: RequestContext, errorCode: number, message: string): DescribeQuorumResponse {
  return { ...defaultDescribeQuorumResponse(), errorCode, errorMessage: ctx.apiVersion >= 2 ? message : null };
}

function replica(ctx: RequestContext, r: QuorumReplicaState): DescribeQuorumResponseReplicaState {
  return {
    replicaId: r.replicaId,
    replicaDirectoryId: ZERO_UUID,
    logEndOffset: BigInt(r.logEndOffset),
    lastFetchTimestamp: ctx.apiVersion >= 1 ? BigInt(r.lastFetchTimestamp) : -1n,
    lastCaughtUpTimestamp: ctx.apiVersion >= 1 ? BigInt(r.lastCaughtUpTimestamp) : -1n,
  };
}

export const describeQuorumHandler = defineHandler({
  api: DescribeQuorumApi,
  async handle(ctx, request) {
    const quorum = ctx.broker.quorum;
    if (!quorum) return topLevelError(ctx, ErrorCode.BROKER_NOT_AVAILABLE, 'no metadata quorum on this node');
    const topic = request.topics[0];
    const partition = topic?.partitions[0];
    if (request.topics.length !== 1 || !topic || topic.partitions.length !== 1 || !partition) {
      return topLevelError(ctx, ErrorCode.INVALID_REQUEST, 'DescribeQuorum must name exactly one partition');
    }
    if (topic.topicName !== METADATA_TOPIC || partition.partitionIndex !== METADATA_PARTITION) {
      return topLevelError(
        ctx,
        ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
        `${topic.topicName}-${partition.partitionIndex} is not the metadata partition`,
      );
    }
    const leader = quorum.leaderId();
    const forwarded = ctx.clientId?.startsWith('controller-client') ?? false;
    if (!quorum.isLeader() && leader >= 0 && !forwarded && quorum.peers?.knows(leader)) {
      try {
        return await quorum.peers.request(leader, DescribeQuorumApi, ctx.apiVersion, request);
      } catch {
        // fall through to the local answer (NOT_LEADER_OR_FOLLOWER)
      }
    }
    const d = quorum.describe();
    const voters = ctx.broker.quorumVoters;
    const listenerName = ctx.broker.config.list('controller.listener.names')[0] ?? 'CONTROLLER';
    return {
      ...defaultDescribeQuorumResponse(),
      topics: [
        {
          topicName: METADATA_TOPIC,
          partitions: [
            {
              partitionIndex: METADATA_PARTITION,
              errorCode: d.errorCode,
              errorMessage: null,
              leaderId: d.leaderId,
              leaderEpoch: d.leaderEpoch,
              highWatermark: BigInt(d.highWatermark),
              currentVoters: d.currentVoters.map((r) => replica(ctx, r)),
              observers: d.observers.map((r) => replica(ctx, r)),
            },
          ],
        },
      ],
      nodes:
        ctx.apiVersion >= 2 && voters
          ? [...voters].map(([nodeId, a]) => ({
              nodeId,
              listeners: [{ name: listenerName, host: a.host, port: a.port }],
            }))
          : [],
    };
  },
});
