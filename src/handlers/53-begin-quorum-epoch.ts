/**
 * BeginQuorumEpoch (key 53), versions 0-1, on the controller listener: a newly elected leader
 * announces itself; this voter follows it (persisting the new epoch and leader first). Stale epochs
 * get FENCED_LEADER_EPOCH, a leader outside the voter set INCONSISTENT_VOTER_SET, another cluster
 * INCONSISTENT_CLUSTER_ID. Gaps: leader endpoints (v1) are ignored; voters come from the config.
 * With an authorizer, the sender's principal needs CLUSTER_ACTION on the cluster (else
 * CLUSTER_AUTHORIZATION_FAILED, checked first: server/controller-api-rules.ts), as Kafka's ControllerApis.
 */
import {
  BeginQuorumEpochApi,
  defaultBeginQuorumEpochResponse,
} from '../../protocol/generated/messages/53-begin-quorum-epoch.js';
import { beginRequestFromWire, beginResponseToWire } from '../controller/raft-wire.js';
import { defineHandler } from './handler.js';
import { answerRaft } from './raft-rpc.js';

export const beginQuorumEpochHandler = defineHandler({
  api: BeginQuorumEpochApi,
  handle(ctx, request) {
    return answerRaft(
      ctx,
      'BeginQuorumEpoch',
      () => {
        const m = beginRequestFromWire(request);
        return { source: m.leaderId, request: m };
      },
      beginResponseToWire,
      (errorCode) => ({ ...defaultBeginQuorumEpochResponse(), errorCode }),
    );
  },
});
