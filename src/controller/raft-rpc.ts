/**
 * Sends one Raft core request to a peer over the Kafka protocol and decodes the answer back into a
 * core response: the glue between raft-wire.ts (codec mapping) and peer-client.ts (TCP).
 * Leaves out: retries (the core resends after its request timeout).
 */
import { VoteApi } from '../../protocol/generated/messages/52-vote.js';
import { BeginQuorumEpochApi } from '../../protocol/generated/messages/53-begin-quorum-epoch.js';
import { EndQuorumEpochApi } from '../../protocol/generated/messages/54-end-quorum-epoch.js';
import { FetchApi } from '../../protocol/generated/messages/01-fetch.js';
import { FetchSnapshotApi } from '../../protocol/generated/messages/59-fetch-snapshot.js';
import type { RaftRequest, RaftResponse } from './raft/messages.js';
import type { PeerClient } from './peer-client.js';
import * as W from './raft-wire.js';

export async function sendRaftRequest(
  client: PeerClient,
  peer: number,
  request: RaftRequest,
  timeoutMs: number,
): Promise<RaftResponse> {
  const v = W.RAFT_SEND_VERSIONS;
  switch (request.type) {
    case 'Vote':
      return W.voteResponseFromWire(
        await client.request(peer, VoteApi, v.Vote, W.voteRequestToWire(request), timeoutMs),
      );
    case 'BeginQuorumEpoch':
      return W.beginResponseFromWire(
        await client.request(peer, BeginQuorumEpochApi, v.BeginQuorumEpoch, W.beginRequestToWire(request), timeoutMs),
      );
    case 'EndQuorumEpoch':
      return W.endResponseFromWire(
        await client.request(peer, EndQuorumEpochApi, v.EndQuorumEpoch, W.endRequestToWire(request), timeoutMs),
      );
    case 'Fetch':
      return W.fetchResponseFromWire(
        await client.request(peer, FetchApi, v.Fetch, W.fetchRequestToWire(request), timeoutMs + request.maxWaitMs),
      );
    case 'FetchSnapshot':
      return W.snapshotResponseFromWire(
        await client.request(peer, FetchSnapshotApi, v.FetchSnapshot, W.snapshotRequestToWire(request), timeoutMs),
      );
  }
}
