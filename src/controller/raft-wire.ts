/**
 * The thin adapter between the Raft core's messages (raft/messages.ts) and the generated Kafka codecs
 * of Vote (52), BeginQuorumEpoch (53), EndQuorumEpoch (54), Fetch (1, replica fetch of
 * __cluster_metadata-0) and FetchSnapshot (59): `toWire*` builds the generated request/response
 * object, `fromWire*` reads one back. Every error code the core sets (top level and partition) is
 * carried. int64 fields beyond 2^53 are refused with RaftWireError, never rounded.
 * Vote v2 carries KIP-996's PreVote flag (schema in protocol/schema-overlay/: the shared schemas are
 * Kafka 3.9's); a v0-1 request decodes as a real vote.
 * Leaves out: directory ids and endpoints (KIP-853; sent as defaults).
 */
import * as Vote from '../../protocol/generated/messages/52-vote.js';
import * as Begin from '../../protocol/generated/messages/53-begin-quorum-epoch.js';
import * as End from '../../protocol/generated/messages/54-end-quorum-epoch.js';
import * as Fetch from '../../protocol/generated/messages/01-fetch.js';
import * as Snap from '../../protocol/generated/messages/59-fetch-snapshot.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import type * as M from './raft/messages.js';
import { decodeEntries, encodeEntries } from './raft-entries-codec.js';
import { RaftWireError } from './errors.js';
export { RaftWireError };

export const METADATA_TOPIC = '__cluster_metadata';
/** Kafka's fixed topic id of __cluster_metadata (Uuid(0, 1)). */
export const METADATA_TOPIC_ID = 'AAAAAAAAAAAAAAAAAAAAAQ';
export const METADATA_PARTITION = 0;

/** API versions this node sends to other voters. */
export const RAFT_SEND_VERSIONS = {
  Vote: 2,
  BeginQuorumEpoch: 1,
  EndQuorumEpoch: 1,
  Fetch: 16,
  FetchSnapshot: 1,
} as const;
export const RAFT_API_KEYS = {
  Vote: 52,
  BeginQuorumEpoch: 53,
  EndQuorumEpoch: 54,
  Fetch: 1,
  FetchSnapshot: 59,
} as const;

function num(value: bigint, what: string): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new RaftWireError(`${what} ${value} is out of range`);
  }
  return Number(value);
}

function onlyPartition<P>(topics: ReadonlyArray<{ partitions: readonly P[] }>, what: string): P {
  const partition = topics.length === 1 && topics[0]?.partitions.length === 1 ? topics[0].partitions[0] : undefined;
  if (partition === undefined) throw new RaftWireError(`${what} must name exactly one partition of ${METADATA_TOPIC}`);
  return partition;
}

function checkTopic(name: string, what: string): void {
  if (name !== METADATA_TOPIC)
    throw new RaftWireError(`${what} for topic ${name}`, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
}

// ---- Vote ----

export function voteRequestToWire(m: M.VoteRequest): Vote.VoteRequest {
  return {
    ...Vote.defaultVoteRequest(),
    clusterId: m.clusterId,
    voterId: m.voterId,
    topics: [
      {
        topicName: METADATA_TOPIC,
        partitions: [
          {
            ...Vote.defaultVoteRequestPartitionData(),
            partitionIndex: METADATA_PARTITION,
            candidateEpoch: m.candidateEpoch,
            candidateId: m.candidateId,
            lastOffsetEpoch: m.lastOffsetEpoch,
            lastOffset: BigInt(m.lastOffset),
            preVote: m.preVote,
          },
        ],
      },
    ],
  };
}

export function voteRequestFromWire(w: Vote.VoteRequest): M.VoteRequest {
  const topic = w.topics[0];
  if (topic) checkTopic(topic.topicName, 'Vote');
  const p = onlyPartition(w.topics, 'Vote');
  return {
    type: 'Vote',
    clusterId: w.clusterId,
    voterId: w.voterId,
    candidateEpoch: p.candidateEpoch,
    candidateId: p.candidateId,
    lastOffsetEpoch: p.lastOffsetEpoch,
    lastOffset: num(p.lastOffset, 'lastOffset'),
    preVote: p.preVote,
  };
}

export function voteResponseToWire(m: M.VoteResponse): Vote.VoteResponse {
  return {
    ...Vote.defaultVoteResponse(),
    errorCode: m.errorCode,
    topics:
      m.errorCode !== ErrorCode.NONE
        ? []
        : [
            {
              topicName: METADATA_TOPIC,
              partitions: [
                {
                  partitionIndex: METADATA_PARTITION,
                  errorCode: m.partitionErrorCode,
                  leaderId: m.leaderId,
                  leaderEpoch: m.leaderEpoch,
                  voteGranted: m.voteGranted,
                },
              ],
            },
          ],
  };
}

export function voteResponseFromWire(w: Vote.VoteResponse): M.VoteResponse {
  const p = w.topics[0]?.partitions[0];
  return {
    type: 'Vote',
    errorCode: w.errorCode,
    partitionErrorCode: p ? p.errorCode : ErrorCode.NONE,
    leaderId: p ? p.leaderId : -1,
    leaderEpoch: p ? p.leaderEpoch : -1,
    voteGranted: p ? p.voteGranted : false,
  };
}

// ---- BeginQuorumEpoch / EndQuorumEpoch ----

export function beginRequestToWire(m: M.BeginQuorumEpochRequest): Begin.BeginQuorumEpochRequest {
  return {
    ...Begin.defaultBeginQuorumEpochRequest(),
    clusterId: m.clusterId,
    voterId: m.voterId,
    topics: [
      {
        topicName: METADATA_TOPIC,
        partitions: [
          {
            ...Begin.defaultBeginQuorumEpochRequestPartitionData(),
            partitionIndex: METADATA_PARTITION,
            leaderId: m.leaderId,
            leaderEpoch: m.leaderEpoch,
          },
        ],
      },
    ],
  };
}

export function beginRequestFromWire(w: Begin.BeginQuorumEpochRequest): M.BeginQuorumEpochRequest {
  const topic = w.topics[0];
  if (topic) checkTopic(topic.topicName, 'BeginQuorumEpoch');
  const p = onlyPartition(w.topics, 'BeginQuorumEpoch');
  return {
    type: 'BeginQuorumEpoch',
    clusterId: w.clusterId,
    voterId: w.voterId,
    leaderId: p.leaderId,
    leaderEpoch: p.leaderEpoch,
  };
}

interface AnnouncementResponseWire {
  errorCode: number;
  topics: Array<{
    topicName: string;
    partitions: Array<{ partitionIndex: number; errorCode: number; leaderId: number; leaderEpoch: number }>;
  }>;
  nodeEndpoints: Array<{ nodeId: number; host: string; port: number }>;
}

function announcementResponseToWire(
  m: M.BeginQuorumEpochResponse | M.EndQuorumEpochResponse,
): AnnouncementResponseWire {
  return {
    errorCode: m.errorCode,
    topics:
      m.errorCode !== ErrorCode.NONE
        ? []
        : [
            {
              topicName: METADATA_TOPIC,
              partitions: [
                {
                  partitionIndex: METADATA_PARTITION,
                  errorCode: m.partitionErrorCode,
                  leaderId: m.leaderId,
                  leaderEpoch: m.leaderEpoch,
                },
              ],
            },
          ],
    nodeEndpoints: [],
  };
}

function announcementFields(w: AnnouncementResponseWire): {
  errorCode: number;
  partitionErrorCode: number;
  leaderId: number;
  leaderEpoch: number;
} {
  const p = w.topics[0]?.partitions[0];
  return {
    errorCode: w.errorCode,
    partitionErrorCode: p ? p.errorCode : ErrorCode.NONE,
    leaderId: p ? p.leaderId : -1,
    leaderEpoch: p ? p.leaderEpoch : -1,
  };
}

export function beginResponseToWire(m: M.BeginQuorumEpochResponse): Begin.BeginQuorumEpochResponse {
  return announcementResponseToWire(m);
}

export function beginResponseFromWire(w: Begin.BeginQuorumEpochResponse): M.BeginQuorumEpochResponse {
  return { type: 'BeginQuorumEpoch', ...announcementFields(w) };
}

export function endRequestToWire(m: M.EndQuorumEpochRequest): End.EndQuorumEpochRequest {
  return {
    ...End.defaultEndQuorumEpochRequest(),
    clusterId: m.clusterId,
    topics: [
      {
        topicName: METADATA_TOPIC,
        partitions: [
          {
            ...End.defaultEndQuorumEpochRequestPartitionData(),
            partitionIndex: METADATA_PARTITION,
            leaderId: m.leaderId,
            leaderEpoch: m.leaderEpoch,
            // v0 carries PreferredSuccessors, v1+ PreferredCandidates; the encoder writes the one its version has.
            preferredSuccessors: [...m.preferredCandidates],
            preferredCandidates: m.preferredCandidates.map((candidateId) => ({
              ...End.defaultEndQuorumEpochRequestReplicaInfo(),
              candidateId,
            })),
          },
        ],
      },
    ],
  };
}

export function endRequestFromWire(w: End.EndQuorumEpochRequest, version: number): M.EndQuorumEpochRequest {
  const topic = w.topics[0];
  if (topic) checkTopic(topic.topicName, 'EndQuorumEpoch');
  const p = onlyPartition(w.topics, 'EndQuorumEpoch');
  return {
    type: 'EndQuorumEpoch',
    clusterId: w.clusterId,
    leaderId: p.leaderId,
    leaderEpoch: p.leaderEpoch,
    preferredCandidates: version >= 1 ? p.preferredCandidates.map((c) => c.candidateId) : p.preferredSuccessors,
  };
}

export function endResponseToWire(m: M.EndQuorumEpochResponse): End.EndQuorumEpochResponse {
  return announcementResponseToWire(m);
}

export function endResponseFromWire(w: End.EndQuorumEpochResponse): M.EndQuorumEpochResponse {
  return { type: 'EndQuorumEpoch', ...announcementFields(w) };
}

// ---- Fetch ----

export function fetchRequestToWire(m: M.FetchRequest): Fetch.FetchRequest {
  return {
    ...Fetch.defaultFetchRequest(),
    clusterId: m.clusterId,
    // Sent at v15+ (RAFT_SEND_VERSIONS.Fetch): the replica id travels in ReplicaState only.
    replicaState: { replicaId: m.replicaId, replicaEpoch: -1n },
    maxWaitMs: m.maxWaitMs,
    minBytes: 0,
    maxBytes: m.maxBytes,
    topics: [
      {
        topic: METADATA_TOPIC,
        topicId: METADATA_TOPIC_ID,
        partitions: [
          {
            ...Fetch.defaultFetchRequestFetchPartition(),
            partition: METADATA_PARTITION,
            currentLeaderEpoch: m.currentLeaderEpoch,
            fetchOffset: BigInt(m.fetchOffset),
            lastFetchedEpoch: m.lastFetchedEpoch,
            logStartOffset: BigInt(m.logStartOffset),
            partitionMaxBytes: m.maxBytes,
          },
        ],
      },
    ],
  };
}

/** True when a Fetch names the metadata partition (by name before v13, by id from v13). */
export function isMetadataFetch(w: Fetch.FetchRequest, version: number): boolean {
  const topic = w.topics[0];
  if (w.topics.length !== 1 || !topic) return false;
  return version >= 13 ? topic.topicId === METADATA_TOPIC_ID : topic.topic === METADATA_TOPIC;
}

/** The replica id of a Fetch: ReplicaState.ReplicaId from v15, ReplicaId before. */
export function fetchReplicaId(w: Fetch.FetchRequest, version: number): number {
  return version >= 15 ? w.replicaState.replicaId : w.replicaId;
}

export function fetchRequestFromWire(w: Fetch.FetchRequest, version: number): M.FetchRequest {
  if (!isMetadataFetch(w, version))
    throw new RaftWireError('Fetch does not name __cluster_metadata', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  const p = onlyPartition(w.topics, 'Fetch');
  return {
    type: 'Fetch',
    clusterId: w.clusterId,
    replicaId: fetchReplicaId(w, version),
    maxWaitMs: w.maxWaitMs,
    maxBytes: Math.max(0, Math.min(w.maxBytes, p.partitionMaxBytes)),
    currentLeaderEpoch: p.currentLeaderEpoch,
    fetchOffset: num(p.fetchOffset, 'fetchOffset'),
    lastFetchedEpoch: p.lastFetchedEpoch,
    logStartOffset: num(p.logStartOffset, 'logStartOffset'),
  };
}

export function fetchResponseToWire(m: M.FetchResponse): Fetch.FetchResponse {
  const partition: Fetch.FetchResponsePartitionData = {
    ...Fetch.defaultFetchResponsePartitionData(),
    partitionIndex: METADATA_PARTITION,
    errorCode: m.partitionErrorCode,
    highWatermark: BigInt(m.highWatermark),
    lastStableOffset: BigInt(m.highWatermark),
    logStartOffset: BigInt(m.logStartOffset),
    currentLeader: { leaderId: m.currentLeader.leaderId, leaderEpoch: m.currentLeader.leaderEpoch },
    records: encodeEntries(m.records),
  };
  if (m.divergingEpoch)
    partition.divergingEpoch = { epoch: m.divergingEpoch.epoch, endOffset: BigInt(m.divergingEpoch.endOffset) };
  if (m.snapshotId) partition.snapshotId = { endOffset: BigInt(m.snapshotId.endOffset), epoch: m.snapshotId.epoch };
  return {
    ...Fetch.defaultFetchResponse(),
    errorCode: m.errorCode,
    responses:
      m.errorCode !== ErrorCode.NONE
        ? []
        : [{ topic: METADATA_TOPIC, topicId: METADATA_TOPIC_ID, partitions: [partition] }],
  };
}

export function fetchResponseFromWire(w: Fetch.FetchResponse): M.FetchResponse {
  const p = w.responses[0]?.partitions[0];
  if (!p) {
    return {
      type: 'Fetch',
      errorCode: w.errorCode,
      partitionErrorCode: ErrorCode.NONE,
      highWatermark: -1,
      logStartOffset: -1,
      currentLeader: { leaderId: -1, leaderEpoch: -1 },
      records: [],
    };
  }
  const diverging = p.divergingEpoch.epoch >= 0 && p.divergingEpoch.endOffset >= 0n;
  const snapshot = p.snapshotId.epoch >= 0 && p.snapshotId.endOffset >= 0n;
  return {
    type: 'Fetch',
    errorCode: w.errorCode,
    partitionErrorCode: p.errorCode,
    highWatermark: num(p.highWatermark, 'highWatermark'),
    logStartOffset: num(p.logStartOffset, 'logStartOffset'),
    currentLeader: { leaderId: p.currentLeader.leaderId, leaderEpoch: p.currentLeader.leaderEpoch },
    ...(diverging
      ? { divergingEpoch: { epoch: p.divergingEpoch.epoch, endOffset: num(p.divergingEpoch.endOffset, 'endOffset') } }
      : {}),
    ...(snapshot
      ? { snapshotId: { endOffset: num(p.snapshotId.endOffset, 'endOffset'), epoch: p.snapshotId.epoch } }
      : {}),
    records: decodeEntries(p.records),
  };
}

// ---- FetchSnapshot ----

export function snapshotRequestToWire(m: M.FetchSnapshotRequest): Snap.FetchSnapshotRequest {
  return {
    ...Snap.defaultFetchSnapshotRequest(),
    clusterId: m.clusterId,
    replicaId: m.replicaId,
    maxBytes: m.maxBytes,
    topics: [
      {
        name: METADATA_TOPIC,
        partitions: [
          {
            ...Snap.defaultFetchSnapshotRequestPartitionSnapshot(),
            partition: METADATA_PARTITION,
            currentLeaderEpoch: m.currentLeaderEpoch,
            snapshotId: { endOffset: BigInt(m.snapshotId.endOffset), epoch: m.snapshotId.epoch },
            position: BigInt(m.position),
          },
        ],
      },
    ],
  };
}

export function snapshotRequestFromWire(w: Snap.FetchSnapshotRequest): M.FetchSnapshotRequest {
  const topic = w.topics[0];
  if (topic) checkTopic(topic.name, 'FetchSnapshot');
  const p = onlyPartition(w.topics, 'FetchSnapshot');
  return {
    type: 'FetchSnapshot',
    clusterId: w.clusterId,
    replicaId: w.replicaId,
    maxBytes: w.maxBytes,
    currentLeaderEpoch: p.currentLeaderEpoch,
    snapshotId: { endOffset: num(p.snapshotId.endOffset, 'endOffset'), epoch: p.snapshotId.epoch },
    position: num(p.position, 'position'),
  };
}

export function snapshotResponseToWire(m: M.FetchSnapshotResponse): Snap.FetchSnapshotResponse {
  return {
    ...Snap.defaultFetchSnapshotResponse(),
    errorCode: m.errorCode,
    topics:
      m.errorCode !== ErrorCode.NONE
        ? []
        : [
            {
              name: METADATA_TOPIC,
              partitions: [
                {
                  index: METADATA_PARTITION,
                  errorCode: m.partitionErrorCode,
                  snapshotId: { endOffset: BigInt(m.snapshotId.endOffset), epoch: m.snapshotId.epoch },
                  currentLeader: { leaderId: m.currentLeader.leaderId, leaderEpoch: m.currentLeader.leaderEpoch },
                  size: BigInt(m.size),
                  position: BigInt(m.position),
                  unalignedRecords: m.bytes,
                },
              ],
            },
          ],
  };
}

export function snapshotResponseFromWire(w: Snap.FetchSnapshotResponse): M.FetchSnapshotResponse {
  const p = w.topics[0]?.partitions[0];
  return {
    type: 'FetchSnapshot',
    errorCode: w.errorCode,
    partitionErrorCode: p ? p.errorCode : ErrorCode.NONE,
    currentLeader: p
      ? { leaderId: p.currentLeader.leaderId, leaderEpoch: p.currentLeader.leaderEpoch }
      : { leaderId: -1, leaderEpoch: -1 },
    snapshotId: p
      ? { endOffset: num(p.snapshotId.endOffset, 'endOffset'), epoch: p.snapshotId.epoch }
      : { endOffset: -1, epoch: -1 },
    size: p ? num(p.size, 'size') : -1,
    position: p ? num(p.position, 'position') : -1,
    bytes: p?.unalignedRecords ?? Buffer.alloc(0),
  };
}
