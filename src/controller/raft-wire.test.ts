/** Raft core messages survive the generated codecs both ways at the versions we send; bad input maps to Kafka codes. */
import t from 'tap';
import { Reader, Writer } from '../../protocol/primitives/index.js';
import type { ApiDefinition } from '../../protocol/generated/api-definition.js';
import { VoteApi } from '../../protocol/generated/messages/52-vote.js';
import { BeginQuorumEpochApi } from '../../protocol/generated/messages/53-begin-quorum-epoch.js';
import { EndQuorumEpochApi } from '../../protocol/generated/messages/54-end-quorum-epoch.js';
import { FetchApi } from '../../protocol/generated/messages/01-fetch.js';
import { FetchSnapshotApi } from '../../protocol/generated/messages/59-fetch-snapshot.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import * as W from './raft-wire.js';
import { voteHandler } from '../handlers/52-vote.js';
import type * as M from './raft/messages.js';

function viaRequest<Req, Res>(api: ApiDefinition<Req, Res>, version: number, body: Req): Req {
  const w = new Writer();
  api.encodeRequest(w, version, body);
  return api.decodeRequest(new Reader(w.toBuffer()), version);
}

function viaResponse<Req, Res>(api: ApiDefinition<Req, Res>, version: number, body: Res): Res {
  const w = new Writer();
  api.encodeResponse(w, version, body);
  return api.decodeResponse(new Reader(w.toBuffer()), version);
}

t.test('Vote request and response round-trip (v0 and v1)', async (t) => {
  const req: M.VoteRequest = {
    type: 'Vote',
    clusterId: 'c',
    voterId: 2,
    candidateEpoch: 5,
    candidateId: 1,
    lastOffsetEpoch: 4,
    lastOffset: 17,
    preVote: false,
  };
  t.same(W.voteRequestFromWire(viaRequest(VoteApi, 1, W.voteRequestToWire(req))), req);
  t.same(W.voteRequestFromWire(viaRequest(VoteApi, 0, { ...W.voteRequestToWire(req), voterId: -1 })), {
    ...req,
    voterId: -1,
  });
  const res: M.VoteResponse = {
    type: 'Vote',
    errorCode: 0,
    partitionErrorCode: ErrorCode.FENCED_LEADER_EPOCH,
    leaderId: 3,
    leaderEpoch: 6,
    voteGranted: false,
  };
  t.same(W.voteResponseFromWire(viaResponse(VoteApi, 1, W.voteResponseToWire(res))), res);
  const top: M.VoteResponse = {
    ...res,
    errorCode: ErrorCode.INCONSISTENT_CLUSTER_ID,
    partitionErrorCode: 0,
    leaderId: -1,
    leaderEpoch: -1,
  };
  t.same(W.voteResponseFromWire(viaResponse(VoteApi, 1, W.voteResponseToWire(top))), top, 'top-level error carried');
});

t.test('Vote v2 carries the KIP-996 pre-vote flag; v0-1 cannot', async (t) => {
  const pre: M.VoteRequest = {
    type: 'Vote',
    clusterId: 'c',
    voterId: 2,
    candidateEpoch: 5,
    candidateId: 1,
    lastOffsetEpoch: 4,
    lastOffset: 17,
    preVote: true,
  };
  t.equal(W.RAFT_SEND_VERSIONS.Vote, 2, 'votes are sent at v2');
  t.equal(voteHandler.maxVersion, 2, 'the controller listener serves (and advertises) Vote v2');
  t.same(W.voteRequestFromWire(viaRequest(VoteApi, 2, W.voteRequestToWire(pre))), pre, 'pre-vote survives v2');
  t.same(W.voteRequestFromWire(viaRequest(VoteApi, 2, W.voteRequestToWire({ ...pre, preVote: false }))), {
    ...pre,
    preVote: false,
  });
  t.throws(
    () => viaRequest(VoteApi, 1, W.voteRequestToWire(pre)),
    'a pre-vote cannot travel as v1 (it would become a real vote)',
  );
  const v2Bytes = new Writer();
  VoteApi.encodeRequest(v2Bytes, 2, W.voteRequestToWire(pre));
  const v1Bytes = new Writer();
  VoteApi.encodeRequest(v1Bytes, 1, W.voteRequestToWire({ ...pre, preVote: false }));
  t.equal(v2Bytes.toBuffer().length, v1Bytes.toBuffer().length + 1, 'v2 adds one bool per partition');
  const res: M.VoteResponse = {
    type: 'Vote',
    errorCode: 0,
    partitionErrorCode: 0,
    leaderId: -1,
    leaderEpoch: 5,
    voteGranted: true,
  };
  t.same(W.voteResponseFromWire(viaResponse(VoteApi, 2, W.voteResponseToWire(res))), res);
});

t.test('BeginQuorumEpoch and EndQuorumEpoch round-trip', async (t) => {
  const begin: M.BeginQuorumEpochRequest = {
    type: 'BeginQuorumEpoch',
    clusterId: 'c',
    voterId: 3,
    leaderId: 1,
    leaderEpoch: 9,
  };
  t.same(W.beginRequestFromWire(viaRequest(BeginQuorumEpochApi, 1, W.beginRequestToWire(begin))), begin);
  const end: M.EndQuorumEpochRequest = {
    type: 'EndQuorumEpoch',
    clusterId: 'c',
    leaderId: 1,
    leaderEpoch: 9,
    preferredCandidates: [3, 2],
  };
  t.same(W.endRequestFromWire(viaRequest(EndQuorumEpochApi, 1, W.endRequestToWire(end)), 1), end);
  t.same(
    W.endRequestFromWire(
      viaRequest(EndQuorumEpochApi, 0, {
        ...W.endRequestToWire(end),
        topics: W.endRequestToWire(end).topics.map((tp) => ({
          ...tp,
          partitions: tp.partitions.map((p) => ({ ...p, preferredCandidates: [] })),
        })),
      }),
      0,
    ),
    end,
    'v0 preferred successors',
  );
  const res: M.BeginQuorumEpochResponse = {
    type: 'BeginQuorumEpoch',
    errorCode: 0,
    partitionErrorCode: ErrorCode.INCONSISTENT_VOTER_SET,
    leaderId: 1,
    leaderEpoch: 9,
  };
  t.same(W.beginResponseFromWire(viaResponse(BeginQuorumEpochApi, 1, W.beginResponseToWire(res))), res);
  const endRes: M.EndQuorumEpochResponse = { ...res, type: 'EndQuorumEpoch' };
  t.same(W.endResponseFromWire(viaResponse(EndQuorumEpochApi, 0, W.endResponseToWire(endRes))), endRes);
});

t.test('Fetch round-trip with entries, diverging epoch and snapshot id', async (t) => {
  const req: M.FetchRequest = {
    type: 'Fetch',
    clusterId: 'c',
    replicaId: 2,
    maxWaitMs: 500,
    maxBytes: 4096,
    currentLeaderEpoch: 3,
    fetchOffset: 10,
    lastFetchedEpoch: 2,
    logStartOffset: 0,
  };
  const wire = viaRequest(FetchApi, W.RAFT_SEND_VERSIONS.Fetch, W.fetchRequestToWire(req));
  t.ok(W.isMetadataFetch(wire, W.RAFT_SEND_VERSIONS.Fetch));
  t.same(W.fetchRequestFromWire(wire, W.RAFT_SEND_VERSIONS.Fetch), req);
  const res: M.FetchResponse = {
    type: 'Fetch',
    errorCode: 0,
    partitionErrorCode: 0,
    highWatermark: 12,
    logStartOffset: 0,
    currentLeader: { leaderId: 1, leaderEpoch: 3 },
    records: [
      { offset: 10, epoch: 2, payload: Buffer.from('a'), control: false },
      { offset: 11, epoch: 3, payload: Buffer.from('leader'), control: true },
      { offset: 12, epoch: 3, payload: Buffer.from('bb'), control: false },
      { offset: 13, epoch: 3, payload: Buffer.from('ccc'), control: false },
    ],
  };
  t.same(W.fetchResponseFromWire(viaResponse(FetchApi, 16, W.fetchResponseToWire(res))), res);
  const diverging: M.FetchResponse = { ...res, records: [], divergingEpoch: { epoch: 2, endOffset: 8 } };
  t.same(W.fetchResponseFromWire(viaResponse(FetchApi, 16, W.fetchResponseToWire(diverging))), diverging);
  const snap: M.FetchResponse = { ...res, records: [], snapshotId: { endOffset: 100, epoch: 2 } };
  t.same(W.fetchResponseFromWire(viaResponse(FetchApi, 16, W.fetchResponseToWire(snap))), snap);
});

t.test('FetchSnapshot round-trip', async (t) => {
  const req: M.FetchSnapshotRequest = {
    type: 'FetchSnapshot',
    clusterId: 'c',
    replicaId: 2,
    maxBytes: 100,
    currentLeaderEpoch: 3,
    snapshotId: { endOffset: 50, epoch: 2 },
    position: 20,
  };
  t.same(W.snapshotRequestFromWire(viaRequest(FetchSnapshotApi, 1, W.snapshotRequestToWire(req))), req);
  const res: M.FetchSnapshotResponse = {
    type: 'FetchSnapshot',
    errorCode: 0,
    partitionErrorCode: 0,
    currentLeader: { leaderId: 1, leaderEpoch: 3 },
    snapshotId: { endOffset: 50, epoch: 2 },
    size: 30,
    position: 20,
    bytes: Buffer.from('0123456789'),
  };
  t.same(W.snapshotResponseFromWire(viaResponse(FetchSnapshotApi, 0, W.snapshotResponseToWire(res))), res);
});

function codeOf(fn: () => unknown): number {
  try {
    fn();
  } catch (err) {
    if (err instanceof W.RaftWireError) return err.errorCode;
    throw err;
  }
  return 0;
}

t.test('bad input: wrong topic, several partitions, int64 past 2^53', async (t) => {
  const vote = W.voteRequestToWire({
    type: 'Vote',
    clusterId: null,
    voterId: 1,
    candidateEpoch: 1,
    candidateId: 2,
    lastOffsetEpoch: 0,
    lastOffset: 0,
    preVote: false,
  });
  t.equal(
    codeOf(() => W.voteRequestFromWire({ ...vote, topics: [{ ...vote.topics[0]!, topicName: 'other' }] })),
    ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  );
  t.equal(
    codeOf(() => W.voteRequestFromWire({ ...vote, topics: [] })),
    ErrorCode.INVALID_REQUEST,
  );
  const p = vote.topics[0]!.partitions[0]!;
  t.equal(
    codeOf(() => W.voteRequestFromWire({ ...vote, topics: [{ ...vote.topics[0]!, partitions: [p, p] }] })),
    ErrorCode.INVALID_REQUEST,
  );
  t.equal(
    codeOf(() =>
      W.voteRequestFromWire({
        ...vote,
        topics: [{ ...vote.topics[0]!, partitions: [{ ...p, lastOffset: 2n ** 60n }] }],
      }),
    ),
    ErrorCode.INVALID_REQUEST,
  );
  const fetch = W.fetchRequestToWire({
    type: 'Fetch',
    clusterId: null,
    replicaId: 1,
    maxWaitMs: 0,
    maxBytes: 1,
    currentLeaderEpoch: 0,
    fetchOffset: 0,
    lastFetchedEpoch: 0,
    logStartOffset: 0,
  });
  t.notOk(W.isMetadataFetch({ ...fetch, topics: [{ ...fetch.topics[0]!, topicId: 'AAAAAAAAAAAAAAAAAAAAAg' }] }, 16));
});
