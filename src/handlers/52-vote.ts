/**
 * Vote (key 52), versions 0-2, on the controller listener: a candidate asks this voter for its vote;
 * v2 (Kafka 4.0, KIP-996) may be a pre-vote, which the core answers without persisting anything.
 * The Raft core decides (one vote per epoch, only for a log at least as up to date, persisted before
 * the answer) and answers INCONSISTENT_CLUSTER_ID, INCONSISTENT_VOTER_SET, INVALID_VOTER_KEY or
 * FENCED_LEADER_EPOCH where Kafka does. Gaps: directory ids and endpoints are not checked or sent.
 * With an authorizer, the sender's principal needs CLUSTER_ACTION on the cluster (else
 * CLUSTER_AUTHORIZATION_FAILED, checked first: server/controller-api-rules.ts), as Kafka's ControllerApis.
 */
import { VoteApi, defaultVoteResponse } from '../../protocol/generated/messages/52-vote.js';
import { voteRequestFromWire, voteResponseToWire } from '../controller/raft-wire.js';
import { defineHandler } from './handler.js';
import { answerRaft } from './raft-rpc.js';

export const voteHandler = defineHandler({
  api: VoteApi,
  handle(ctx, request) {
    return answerRaft(
      ctx,
      'Vote',
      () => {
        const m = voteRequestFromWire(request);
        return { source: m.candidateId, request: m };
      },
      voteResponseToWire,
      (errorCode) => ({ ...defaultVoteResponse(), errorCode }),
    );
  },
});
