/**
 * Transport-agnostic messages of the Raft core. Each mirrors the single-partition fields of a Kafka
 * KRaft RPC (Vote 52, BeginQuorumEpoch 53, EndQuorumEpoch 54, Fetch 1 (replica fields), FetchSnapshot
 * 59) so a thin adapter can map them to the generated codecs: `errorCode` is the top-level error,
 * `partitionErrorCode` the error of the one (__cluster_metadata, 0) partition.
 * Leaves out: topic/partition arrays, directory ids (KIP-853), endpoints and wire encoding. `preVote`
 * is the KIP-996 field of Vote v2, absent from the v0-1 schemas; an adapter speaking v0-1 never sets it.
 */
import type { EpochEndOffset, RaftEntry, SnapshotId } from './types.js';

export interface LeaderIdAndEpoch {
  readonly leaderId: number;
  readonly leaderEpoch: number;
}

export interface VoteRequest {
  readonly type: 'Vote';
  readonly clusterId: string | null;
  /** The replica id of the voter receiving the request, or -1 (v0). */
  readonly voterId: number;
  readonly candidateEpoch: number;
  readonly candidateId: number;
  readonly lastOffsetEpoch: number;
  readonly lastOffset: number;
  readonly preVote: boolean;
}

export interface VoteResponse extends LeaderIdAndEpoch {
  readonly type: 'Vote';
  readonly errorCode: number;
  readonly partitionErrorCode: number;
  readonly voteGranted: boolean;
}

export interface BeginQuorumEpochRequest extends LeaderIdAndEpoch {
  readonly type: 'BeginQuorumEpoch';
  readonly clusterId: string | null;
  readonly voterId: number;
}

export interface BeginQuorumEpochResponse extends LeaderIdAndEpoch {
  readonly type: 'BeginQuorumEpoch';
  readonly errorCode: number;
  readonly partitionErrorCode: number;
}

export interface EndQuorumEpochRequest extends LeaderIdAndEpoch {
  readonly type: 'EndQuorumEpoch';
  readonly clusterId: string | null;
  /** Voters sorted by how far their log has come, best first (v1 PreferredCandidates). */
  readonly preferredCandidates: readonly number[];
}

export interface EndQuorumEpochResponse extends LeaderIdAndEpoch {
  readonly type: 'EndQuorumEpoch';
  readonly errorCode: number;
  readonly partitionErrorCode: number;
}

export interface FetchRequest {
  readonly type: 'Fetch';
  readonly clusterId: string | null;
  /** ReplicaState.ReplicaId (v15+) or ReplicaId (v0-14). */
  readonly replicaId: number;
  readonly maxWaitMs: number;
  readonly maxBytes: number;
  readonly currentLeaderEpoch: number;
  readonly fetchOffset: number;
  readonly lastFetchedEpoch: number;
  readonly logStartOffset: number;
}

export interface FetchResponse {
  readonly type: 'Fetch';
  readonly errorCode: number;
  readonly partitionErrorCode: number;
  readonly highWatermark: number;
  readonly logStartOffset: number;
  readonly currentLeader: LeaderIdAndEpoch;
  /** Set when the fetch position diverges from the leader's log: truncate, then fetch again. */
  readonly divergingEpoch?: EpochEndOffset;
  /** Set when the fetch position is below the leader's log start: fetch this snapshot instead. */
  readonly snapshotId?: SnapshotId;
  readonly records: readonly RaftEntry[];
}

export interface FetchSnapshotRequest {
  readonly type: 'FetchSnapshot';
  readonly clusterId: string | null;
  readonly replicaId: number;
  readonly maxBytes: number;
  readonly currentLeaderEpoch: number;
  readonly snapshotId: SnapshotId;
  readonly position: number;
}

export interface FetchSnapshotResponse {
  readonly type: 'FetchSnapshot';
  readonly errorCode: number;
  readonly partitionErrorCode: number;
  readonly currentLeader: LeaderIdAndEpoch;
  readonly snapshotId: SnapshotId;
  /** Total size of the snapshot in bytes. */
  readonly size: number;
  readonly position: number;
  readonly bytes: Buffer;
}

export type RaftRequest =
  VoteRequest | BeginQuorumEpochRequest | EndQuorumEpochRequest | FetchRequest | FetchSnapshotRequest;

export type RaftResponse =
  VoteResponse | BeginQuorumEpochResponse | EndQuorumEpochResponse | FetchResponse | FetchSnapshotResponse;

/**
 * What a node sends. A request carries a node-chosen requestId; the transport hands the matching
 * response back with the same id (`RaftNode.handleResponse`). A response goes to the requester with the
 * id its request carried (`RaftNode.handleRequest` pushes it, possibly later for a parked fetch).
 */
export type OutboundMessage =
  | {
      readonly kind: 'request';
      readonly destination: number;
      readonly requestId: number;
      readonly request: RaftRequest;
    }
  | {
      readonly kind: 'response';
      readonly destination: number;
      readonly requestId: number;
      readonly response: RaftResponse;
    };

export interface Outbox {
  send(message: OutboundMessage): void;
}

/** An outbox that keeps messages in an array until drained; handy for tests and simple drivers. */
export class ArrayOutbox implements Outbox {
  readonly messages: OutboundMessage[] = [];

  send(message: OutboundMessage): void {
    this.messages.push(message);
  }

  drain(): OutboundMessage[] {
    return this.messages.splice(0, this.messages.length);
  }
}
