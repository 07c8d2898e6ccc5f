/**
 * Settings of a Raft node, with Kafka's controller.quorum.* defaults.
 * Leaves out: parsing from server.properties (the config room does that).
 */

export interface RaftConfig {
  /** controller.quorum.election.timeout.ms: base of the randomised election timeout (base..2*base). */
  readonly electionTimeoutMs: number;
  /** controller.quorum.fetch.timeout.ms: a follower that hears nothing from its leader for this long starts an election. */
  readonly fetchTimeoutMs: number;
  /** controller.quorum.election.backoff.max.ms: upper bound of the random backoff after a lost election. */
  readonly electionBackoffMaxMs: number;
  /** controller.quorum.request.timeout.ms: an unanswered request is sent again after this long. */
  readonly requestTimeoutMs: number;
  /** How long the leader parks a fetch that finds nothing new (KRaft uses 500). */
  readonly fetchMaxWaitMs: number;
  /** Upper bound of entry payload bytes in one fetch response (at least one entry is always sent). */
  readonly fetchMaxBytes: number;
  /** Chunk size of FetchSnapshot answers. */
  readonly snapshotChunkBytes: number;
  /**
   * controller.quorum.append.linger.ms: how long the leader lets proposed entries accumulate before it
   * flushes (fsyncs) them and counts them toward the high watermark (KRaft's batch accumulator linger).
   * One flush then covers every proposal of that window.
   */
  readonly appendLingerMs: number;
  /** Pre-vote (KIP-996): ask for votes without bumping the epoch first. */
  readonly preVote: boolean;
  /** Check-quorum: a leader without fetches from a majority for checkQuorumFactor * fetchTimeoutMs resigns. */
  readonly checkQuorumFactor: number;
}

export const DEFAULT_RAFT_CONFIG: RaftConfig = {
  electionTimeoutMs: 1000,
  fetchTimeoutMs: 2000,
  electionBackoffMaxMs: 1000,
  requestTimeoutMs: 2000,
  fetchMaxWaitMs: 500,
  fetchMaxBytes: 8 * 1024 * 1024,
  snapshotChunkBytes: 1024 * 1024,
  appendLingerMs: 25,
  preVote: true,
  checkQuorumFactor: 1.5,
};
